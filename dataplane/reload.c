/* SPDX-License-Identifier: BSD-3-Clause
 *
 * reload.c - `nfvctl reload [FILE]` and SIGHUP: read the config again and
 * apply what can change while nfvd runs (docs/operations.md, "Reloading
 * the config").
 *
 * A reload adds the ports that the file has and nfvd does not, removes
 * those nfvd has and the file does not, with their links, by the code
 * paths of `port add` and `port del`: the workers keep running and no
 * packet of another port is lost.  Anything else that differs (dataplane,
 * control, VNFs and their settings, a port's keys, a link between two
 * endpoints that stay) needs a restart: the reload is refused, listing
 * every such difference, and nothing changes.  All or nothing: ports are
 * added first (the only step that can fail: a socket, a device), and
 * removed again if one of them fails; removals come last.
 *
 * Also here: af_packet ports whose interface was deleted and made again,
 * and virtio-user ports whose backend went and came back, are made again
 * themselves (nfv_dataplane_rebind()), by the same two steps.
 *
 * Control thread only, under ctl_server_lock().
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/config_diff.h"
#include "dataplane/dataplane.h"

/* The VNF entries of the config nfvd started with (the text it loaded). */
static struct ctl_config_digest *nfv_reload_base;

int
nfv_reload_baseline(const char *text, size_t len)
{
	struct ctl_config_digest *d;
	int rc = ctl_config_digest(text, len, &d);

	if (rc < 0)
		return rc;
	ctl_config_digest_free(nfv_reload_base);
	nfv_reload_base = d;
	return 0;
}

void
nfv_reload_baseline_free(void)
{
	ctl_config_digest_free(nfv_reload_base);
	nfv_reload_base = NULL;
}

/* A live endpoint's name ("" for none): "PORT" or "VNF.IFACE". */
static void
live_ep_name(const struct nfv_ep *ep, char *buf, size_t len)
{
	const struct vnf_instance *vi;

	switch (ep->kind) {
	case NFV_EP_PORT:
		snprintf(buf, len, "%s", nfv_dp.ports[ep->idx].name);
		break;
	case NFV_EP_VNF:
		vi = nfv_dp.vnfs[ep->idx];
		snprintf(buf, len, "%s.%s", vi->name,
			 vi->ifaces[ep->iface].name);
		break;
	default:
		buf[0] = '\0';
	}
}

static void
cfg_ep_name(const struct ctl_config *cfg, const struct ctl_endpoint *e,
	    char *buf, size_t len)
{
	const struct ctl_vnf_config *v;

	if (e->is_port) {
		snprintf(buf, len, "%s", cfg->ports[e->index].name);
		return;
	}
	v = &cfg->vnfs[e->index];
	snprintf(buf, len, "%s.%s", v->name, v->ifaces[e->iface].name);
}

/* The live port of that name, or -1. */
static int
live_port(const char *name)
{
	unsigned int i;

	for (i = 0; i < nfv_dp.n_ports; i++)
		if (nfv_port_in_use(&nfv_dp.ports[i]) &&
		    strcmp(nfv_dp.ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The live peer of a named endpoint ("" for none or unknown). */
static void
live_peer_of(const struct nfv_graph *g, const char *name, char *buf, size_t len)
{
	const char *dot = strchr(name, '.');
	unsigned int v;
	int p, f;

	buf[0] = '\0';
	if (dot == NULL) {
		p = live_port(name);
		if (p >= 0)
			live_ep_name(&g->port_peer[p], buf, len);
		return;
	}
	for (v = 0; v < nfv_dp.n_vnfs; v++) {
		const struct vnf_instance *vi = nfv_dp.vnfs[v];

		if (strlen(vi->name) != (size_t)(dot - name) ||
		    strncmp(vi->name, name, (size_t)(dot - name)) != 0)
			continue;
		f = vnf_iface_index(vi, dot + 1);
		if (f >= 0)
			live_ep_name(&g->iface_peer[v][f], buf, len);
		return;
	}
}

/* The new config's peer of a named endpoint ("" for none). */
static void
cfg_peer_of(const struct ctl_config *cfg, const char *name, char *buf,
	    size_t len)
{
	char a[2 * NFV_NAME_MAX + 2];
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < cfg->n_links; i++) {
		cfg_ep_name(cfg, &cfg->links[i].a, a, sizeof(a));
		if (strcmp(a, name) == 0) {
			cfg_ep_name(cfg, &cfg->links[i].b, buf, len);
			return;
		}
		cfg_ep_name(cfg, &cfg->links[i].b, a, sizeof(a));
		if (strcmp(a, name) == 0) {
			cfg_ep_name(cfg, &cfg->links[i].a, buf, len);
			return;
		}
	}
}

/* A config of one port, a copy of p, for nfv_dataplane_port_add() (which
 * keeps it as the port's owner). */
struct ctl_config *
nfv_port_cfg_dup(const char *file, const struct ctl_port_config *p)
{
	struct ctl_config *c = calloc(1, sizeof(*c));
	struct ctl_port_config *q;
	bool oom = false;

	if (c == NULL)
		return NULL;
	c->ports = calloc(1, sizeof(*c->ports));
	if (c->ports == NULL) {
		free(c);
		return NULL;
	}
	c->n_ports = 1;
	q = c->ports;
	*q = *p;
#define DUP(f)                                                                 \
	do {                                                                   \
		if (p->f != NULL) {                                            \
			q->f = strdup(p->f);                                   \
			oom |= q->f == NULL;                                   \
		}                                                              \
	} while (0)
	DUP(path);
	DUP(ifname);
	DUP(netns);
	DUP(xdp_prog);
	DUP(rx);
	DUP(tx);
	DUP(address);
#undef DUP
	c->file = strdup(file);
	if (oom || c->file == NULL) {
		ctl_config_free(c);
		return NULL;
	}
	return c;
}

/*
 * What the reload would do, or why it cannot: fills add[] (indexes into
 * ncfg->ports) and del[] (live port slots), and lists in `why` every
 * difference that needs a restart.  Returns how many there are.
 */
static unsigned int
nfv_reload_plan(const struct ctl_config *ncfg,
		const struct ctl_config_digest *nd, bool *add, bool *del,
		char *why, size_t whylen)
{
	const struct nfv_graph *g = nfv_graph_current();
	char a[2 * NFV_NAME_MAX + 2], b[2 * NFV_NAME_MAX + 2];
	char live[2 * NFV_NAME_MAX + 2], what[512];
	bool keep[NFV_MAX_PORTS] = {false};
	unsigned int n, i, v, f;
	int p;

	n = ctl_config_restart_diff(nfv_dp.cfg, nfv_reload_base, ncfg, nd, why,
				    whylen);
	for (i = 0; i < ncfg->n_ports; i++) {
		p = live_port(ncfg->ports[i].name);
		add[i] = p < 0;
		if (p < 0)
			continue;
		keep[p] = true;
		if (!ctl_port_config_equal(nfv_dp.ports[p].cfg,
					   &ncfg->ports[i])) {
			snprintf(what, sizeof(what),
				 "port %s changed (remove it, then add it)",
				 ncfg->ports[i].name);
			ctl_diff_append(why, whylen, what);
			n++;
		}
	}
	for (i = 0; i < nfv_dp.n_ports; i++)
		del[i] = nfv_port_in_use(&nfv_dp.ports[i]) && !keep[i];

	/* Links of the new config: between endpoints that stay, the same
	 * as now; to a new port, from an endpoint that is free now. */
	for (i = 0; i < ncfg->n_links; i++) {
		const struct ctl_link_config *l = &ncfg->links[i];
		bool na = l->a.is_port && add[l->a.index];
		bool nb = l->b.is_port && add[l->b.index];

		cfg_ep_name(ncfg, &l->a, a, sizeof(a));
		cfg_ep_name(ncfg, &l->b, b, sizeof(b));
		if (na && nb)
			continue;
		if (na || nb) {
			const char *old = na ? b : a;

			live_peer_of(g, old, live, sizeof(live));
			if (live[0] == '\0')
				continue;
			snprintf(what, sizeof(what),
				 "link %s - %s: %s is linked to %s%s", a, b,
				 old, live,
				 live_port(live) >= 0 && del[live_port(live)]
					 ? ", which this reload removes "
					   "(remove it in one reload, add "
					   "the new port in the next)"
					 : "");
			ctl_diff_append(why, whylen, what);
			n++;
			continue;
		}
		live_peer_of(g, a, live, sizeof(live));
		if (strcmp(live, b) != 0) {
			snprintf(what, sizeof(what), "link %s - %s added", a,
				 b);
			ctl_diff_append(why, whylen, what);
			n++;
		}
	}
	/* Links of the running graph between endpoints that stay: still in
	 * the new config.  Each is seen from both ends; told once. */
	for (i = 0; i < nfv_dp.n_ports; i++) {
		const struct nfv_ep *pe = &g->port_peer[i];

		if (!nfv_port_in_use(&nfv_dp.ports[i]) || del[i] ||
		    pe->kind == NFV_EP_NONE ||
		    (pe->kind == NFV_EP_PORT && del[pe->idx]))
			continue;
		live_ep_name(pe, live, sizeof(live));
		if (pe->kind == NFV_EP_PORT &&
		    strcmp(nfv_dp.ports[i].name, live) > 0)
			continue;
		cfg_peer_of(ncfg, nfv_dp.ports[i].name, b, sizeof(b));
		if (strcmp(b, live) != 0) {
			snprintf(what, sizeof(what), "link %s - %s removed",
				 nfv_dp.ports[i].name, live);
			ctl_diff_append(why, whylen, what);
			n++;
		}
	}
	for (v = 0; v < nfv_dp.n_vnfs; v++) {
		const struct vnf_instance *vi = nfv_dp.vnfs[v];

		for (f = 0; f < vi->n_ifaces; f++) {
			const struct nfv_ep *pe = &g->iface_peer[v][f];

			/* Ports were seen above. */
			if (pe->kind != NFV_EP_VNF)
				continue;
			snprintf(a, sizeof(a), "%s.%s", vi->name,
				 vi->ifaces[f].name);
			live_ep_name(pe, live, sizeof(live));
			if (strcmp(a, live) > 0)
				continue;
			cfg_peer_of(ncfg, a, b, sizeof(b));
			if (strcmp(b, live) != 0) {
				snprintf(what, sizeof(what),
					 "link %s - %s removed", a, live);
				ctl_diff_append(why, whylen, what);
				n++;
			}
		}
	}
	return n;
}

int
nfv_dataplane_reload(const char *path, struct nfv_reload_report *rep, char *err,
		     size_t errlen)
{
	struct ctl_config *ncfg = NULL;
	struct ctl_config_digest *nd = NULL;
	bool add[NFV_MAX_PORTS] = {false}, del[NFV_MAX_PORTS] = {false};
	char why[1024] = "", perr[512], peer[2 * NFV_NAME_MAX + 2];
	char names[NFV_MAX_PORTS][NFV_NAME_MAX];
	unsigned int i, n_added = 0;
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(rep, 0, sizeof(*rep));
	if (path == NULL)
		path = nfv_dp.cfg->file;
	snprintf(rep->file, sizeof(rep->file), "%s", path);
	if (nfv_reload_base == NULL) {
		snprintf(err, errlen,
			 "reload: nfvd has no record of the "
			 "config it started with");
		return -ENODATA;
	}
	rc = ctl_config_load_text(path, &ncfg, &text, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = ctl_config_digest(text, len, &nd);
	free(text);
	if (rc < 0) {
		snprintf(err, errlen, "reload: %s: out of memory", path);
		goto out;
	}
	if (nfv_reload_plan(ncfg, nd, add, del, why, sizeof(why)) > 0) {
		snprintf(err, errlen,
			 "reload %s: refused, nothing changed: these need a "
			 "restart: %s",
			 path, why);
		rc = -ENOTSUP;
		goto out;
	}

	/* Adds, in the file's order: a link to a new port that comes later
	 * is made when that port is added. */
	for (i = 0; i < ncfg->n_ports; i++) {
		const struct ctl_port_config *pc = &ncfg->ports[i];
		struct ctl_config *one;
		const char *link = NULL;

		if (!add[i])
			continue;
		cfg_peer_of(ncfg, pc->name, peer, sizeof(peer));
		if (peer[0] != '\0' &&
		    (strchr(peer, '.') != NULL || live_port(peer) >= 0))
			link = peer;
		one = nfv_port_cfg_dup(path, pc);
		if (one == NULL) {
			snprintf(perr, sizeof(perr), "out of memory");
			rc = -ENOMEM;
		} else {
			/* Takes `one` over, also when it fails. */
			rc = nfv_dataplane_port_add(one, link, perr,
						    sizeof(perr));
		}
		if (rc < 0) {
			snprintf(err, errlen,
				 "reload %s: port %s: %s; nothing changed",
				 path, pc->name, perr);
			goto err_undo;
		}
		snprintf(names[n_added++], NFV_NAME_MAX, "%s", pc->name);
	}
	for (i = 0; i < nfv_dp.n_ports; i++) {
		if (!del[i])
			continue;
		snprintf(rep->removed[rep->n_removed], NFV_NAME_MAX, "%.*s",
			 NFV_NAME_MAX - 1, nfv_dp.ports[i].name);
		rc = nfv_dataplane_port_del(rep->removed[rep->n_removed], perr,
					    sizeof(perr));
		if (rc < 0)
			/* Cannot happen but for a failed allocation: the
			 * port stays, and the next reload tries again. */
			NFV_LOG(ERR, port, "reload: port %s stays: %s",
				rep->removed[rep->n_removed], perr);
		else
			rep->n_removed++;
	}
	for (i = 0; i < n_added; i++)
		memcpy(rep->added[i], names[i], NFV_NAME_MAX);
	rep->n_added = n_added;
	for (i = 0; i < nfv_dp.n_ports; i++)
		rep->n_kept += nfv_port_in_use(&nfv_dp.ports[i]);
	rep->n_kept -= n_added;
	NFV_LOG(NOTICE, main, "reload %s: %u ports added, %u removed, %u kept",
		path, rep->n_added, rep->n_removed, rep->n_kept);
	rc = 0;
	goto out;

err_undo:
	while (n_added > 0) {
		n_added--;
		if (nfv_dataplane_port_del(names[n_added], perr, sizeof(perr)) <
		    0)
			NFV_LOG(ERR, port, "reload: undo: port %s stays: %s",
				names[n_added], perr);
	}
out:
	ctl_config_digest_free(nd);
	ctl_config_free(ncfg);
	return rc;
}

/*
 * An af_packet socket is bound to an interface index.  When the interface
 * goes and one of the same name comes (a veth pair deleted and made
 * again), the old socket never sees a packet of it.  A virtio-user port
 * is a vhost-user client that DPDK 22.11 never reconnects: when its
 * backend goes, the link stays down even after a new backend listens on
 * the path.  Either way the port is made again, with its link, as `port
 * del` and `port add` would.  What each slot was bound to: its DPDK port
 * (a new port in the slot starts over) and the interface index, or the
 * socket's inode and change time, seen first.  The inode alone does not
 * tell a new socket: ext4 gives the one a backend makes the number of the
 * one it just unlinked.
 */
static struct {
	uint16_t eth_port;
	unsigned int ifindex;
	bool sock_seen;
	struct ctl_file_id sock;
} nfv_rebind_seen[NFV_MAX_PORTS];

static void
nfv_rebind_port(unsigned int i)
{
	const struct nfv_graph *g = nfv_graph_current();
	char name[NFV_NAME_MAX], peer[2 * NFV_NAME_MAX + 2], err[512];
	const char *file = nfv_dp.cfg != NULL && nfv_dp.cfg->file != NULL
				   ? nfv_dp.cfg->file
				   : "rebind";
	struct ctl_config *one;
	unsigned int idx, j;
	int rc;

	snprintf(name, sizeof(name), "%.*s", NFV_NAME_MAX - 1,
		 nfv_dp.ports[i].name);
	live_ep_name(&g->port_peer[i], peer, sizeof(peer));
	one = nfv_port_cfg_dup(file, nfv_dp.ports[i].cfg);
	if (one == NULL)
		return; /* the next round tries again */
	rc = nfv_dataplane_port_del(name, err, sizeof(err));
	if (rc < 0) {
		ctl_config_free(one);
		NFV_LOG(ERR, port, "port %s: interface made again, but: %s",
			name, err);
		return;
	}
	/* The interface the new port binds to, read before it binds: if the
	 * interface is made again once more before the next round looks,
	 * that round sees another index and makes the port again (read after
	 * the bind, or at the next round, the newer index would be taken for
	 * the one the port holds, and the port would stay on a dead one). */
	idx = one->ports[0].ifname != NULL ? if_nametoindex(one->ports[0].ifname)
					   : 0;
	rc = nfv_dataplane_port_add(one, peer[0] != '\0' ? peer : NULL, err,
				    sizeof(err));
	for (j = 0; rc == 0 && idx != 0 && j < nfv_dp.n_ports &&
		    j < NFV_MAX_PORTS;
	     j++) {
		if (nfv_port_in_use(&nfv_dp.ports[j]) &&
		    strcmp(nfv_dp.ports[j].name, name) == 0) {
			nfv_rebind_seen[j].eth_port = nfv_dp.ports[j].eth_port;
			nfv_rebind_seen[j].ifindex = idx;
		}
	}
	if (rc < 0)
		NFV_LOG(ERR, port,
			"port %s: interface made again; the port is gone: %s "
			"(port add brings it back)",
			name, err);
	else
		NFV_LOG(NOTICE, port,
			"port %s: %s %s made again: port made again%s%s", name,
			one->ports[0].ifname != NULL ? "interface" : "socket",
			one->ports[0].ifname != NULL ? one->ports[0].ifname
						     : one->ports[0].path,
			peer[0] ? ", linked to " : "", peer);
}

/* A virtio-user port whose link is down while another socket than the one
 * it connected to listens on its path: a new backend. */
static void
nfv_rebind_virtio_user(unsigned int i)
{
	const struct nfv_port *p = &nfv_dp.ports[i];
	struct stat st;

	if (stat(p->cfg->path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return;
	if (!nfv_rebind_seen[i].sock_seen ||
	    nfv_rebind_seen[i].eth_port != p->eth_port) {
		nfv_rebind_seen[i].eth_port = p->eth_port;
		nfv_rebind_seen[i].sock_seen = true;
		ctl_file_id_set(&nfv_rebind_seen[i].sock, &st);
		return;
	}
	if (atomic_load_explicit(&nfv_port_fp[i].link_up,
				 memory_order_relaxed) ||
	    ctl_file_id_same(&nfv_rebind_seen[i].sock, &st))
		return;
	nfv_rebind_seen[i].sock_seen = false;
	nfv_rebind_port(i);
}

void
nfv_dataplane_rebind(void)
{
	unsigned int i, idx;

	for (i = 0; i < nfv_dp.n_ports && i < NFV_MAX_PORTS; i++) {
		const struct nfv_port *p = &nfv_dp.ports[i];

		if (nfv_port_in_use(p) &&
		    p->cfg->type == CTL_PORT_VIRTIO_USER &&
		    p->cfg->path != NULL) {
			nfv_rebind_virtio_user(i);
			continue;
		}
		if (!nfv_port_in_use(p) || p->cfg->type != CTL_PORT_AF_PACKET ||
		    p->cfg->ifname == NULL) {
			nfv_rebind_seen[i].ifindex = 0;
			continue;
		}
		idx = if_nametoindex(p->cfg->ifname);
		if (nfv_rebind_seen[i].ifindex == 0 ||
		    nfv_rebind_seen[i].eth_port != p->eth_port) {
			nfv_rebind_seen[i].eth_port = p->eth_port;
			nfv_rebind_seen[i].ifindex = idx;
			continue;
		}
		/* Gone (0) or still the same: nothing to do yet. */
		if (idx == 0 || idx == nfv_rebind_seen[i].ifindex)
			continue;
		nfv_rebind_seen[i].ifindex = 0;
		nfv_rebind_port(i);
	}
}
