/* SPDX-License-Identifier: BSD-3-Clause
 *
 * test_wiring.h - graphs built by hand for the test programs that run the
 * runner (dataplane/graph.c) without the data plane: VNF instances put in
 * by their index, links made both ways as dataplane.c makes them.  The
 * graph comes from nfv_graph_alloc() and goes with nfv_graph_free(); the
 * instances stay the caller's.  Control thread (the test's).
 */
#ifndef NFV_TEST_WIRING_H
#define NFV_TEST_WIRING_H

#include <stdint.h>

#include "dataplane/graph.h"
#include "vnf/vnf.h"

struct nfv_ep nfv_test_ep_port(uint16_t port);
struct nfv_ep nfv_test_ep_vnf(uint16_t vnf, uint16_t iface);

/* Put `vi` into g at its index vi->id; n_vnfs grows to cover it. */
void nfv_test_graph_add(struct nfv_graph *g, struct vnf_instance *vi);
/* Link port `port` and iface `iface` of instance `vnf`, both ways; n_ports
 * grows to cover the port. */
void nfv_test_link_port(struct nfv_graph *g, uint16_t port, uint16_t vnf,
			uint16_t iface);
/* Link iface `ia` of instance `a` and iface `ib` of instance `b`, both
 * ways (a == b makes a VNF wired to itself). */
void nfv_test_link_vnf(struct nfv_graph *g, uint16_t a, uint16_t ia, uint16_t b,
		       uint16_t ib);
/* Put `vi` into g and link each of its ifaces i to port i. */
void nfv_test_link_ifaces(struct nfv_graph *g, struct vnf_instance *vi);

#endif /* NFV_TEST_WIRING_H */
