/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_wiring.c - graphs built by hand (test_wiring.h).
 */
#include "tests/common/test_wiring.h"

struct nfv_ep
nfv_test_ep_port(uint16_t port)
{
	return (struct nfv_ep){.kind = NFV_EP_PORT, .idx = port};
}

struct nfv_ep
nfv_test_ep_vnf(uint16_t vnf, uint16_t iface)
{
	return (struct nfv_ep){.kind = NFV_EP_VNF, .idx = vnf, .iface = iface};
}

void
nfv_test_graph_add(struct nfv_graph *g, struct vnf_instance *vi)
{
	g->vnfs[vi->id] = vi;
	if (g->n_vnfs <= vi->id)
		g->n_vnfs = vi->id + 1;
}

void
nfv_test_link_port(struct nfv_graph *g, uint16_t port, uint16_t vnf,
		   uint16_t iface)
{
	g->port_peer[port] = nfv_test_ep_vnf(vnf, iface);
	g->iface_peer[vnf][iface] = nfv_test_ep_port(port);
	if (g->n_ports <= port)
		g->n_ports = port + 1;
}

void
nfv_test_link_vnf(struct nfv_graph *g, uint16_t a, uint16_t ia, uint16_t b,
		  uint16_t ib)
{
	g->iface_peer[a][ia] = nfv_test_ep_vnf(b, ib);
	g->iface_peer[b][ib] = nfv_test_ep_vnf(a, ia);
}

void
nfv_test_link_ifaces(struct nfv_graph *g, struct vnf_instance *vi)
{
	uint16_t i;

	nfv_test_graph_add(g, vi);
	for (i = 0; i < vi->n_ifaces; i++)
		nfv_test_link_port(g, i, vi->id, i);
}
