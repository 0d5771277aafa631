/* SPDX-License-Identifier: BSD-3-Clause
 *
 * router_weak.c - weak stand-ins for the router's side of "the kernel
 * mirror" (vnf/router/router.h) while it is written on another branch:
 * they let nfvd link, and vnf_router_mirror_config() returning NULL means
 * no router asks for a mirror, so none of the others is reached.  The
 * router's own (strong) definitions win at link time; delete this file
 * once they are in.
 */
#include <errno.h>
#include <stddef.h>

#include "vnf/router/router.h"

#define MIRROR_WEAK __attribute__((weak))

MIRROR_WEAK const struct vnf_router_mirror_config *
vnf_router_mirror_config(const struct vnf_instance *vi)
{
	(void)vi;
	return NULL;
}

MIRROR_WEAK unsigned int
vnf_router_n_ifaces(const struct vnf_instance *vi)
{
	(void)vi;
	return 0;
}

MIRROR_WEAK const char *
vnf_router_iface_name(const struct vnf_instance *vi, uint16_t iface)
{
	(void)vi;
	(void)iface;
	return NULL;
}

MIRROR_WEAK void
vnf_router_iface_mac(const struct vnf_instance *vi, uint16_t iface,
		     uint8_t mac[6])
{
	(void)vi;
	(void)iface;
	for (int i = 0; i < 6; i++)
		mac[i] = 0;
}

MIRROR_WEAK uint16_t
vnf_router_iface_mtu(const struct vnf_instance *vi, uint16_t iface)
{
	(void)vi;
	(void)iface;
	return 1500;
}

MIRROR_WEAK void
vnf_router_iface_config_addrs(const struct vnf_instance *vi, uint16_t iface,
			      void (*fn)(uint8_t family, const uint8_t *addr,
					 uint8_t len, void *arg),
			      void *arg)
{
	(void)vi;
	(void)iface;
	(void)fn;
	(void)arg;
}

MIRROR_WEAK struct rte_ring *
vnf_router_twin_attach(struct vnf_instance *vi, int wake_fd)
{
	(void)vi;
	(void)wake_fd;
	return NULL;
}

MIRROR_WEAK void
vnf_router_twin_detach(struct vnf_instance *vi)
{
	(void)vi;
}

MIRROR_WEAK void
vnf_router_punt_arm(struct vnf_instance *vi)
{
	(void)vi;
}

MIRROR_WEAK unsigned int
vnf_router_inject(struct vnf_instance *vi, struct rte_mbuf **m,
		  const uint16_t *iface, unsigned int n)
{
	(void)vi;
	(void)m;
	(void)iface;
	(void)n;
	return 0;
}

MIRROR_WEAK void
vnf_router_mirror_hook(struct vnf_instance *vi, json_t *(*fn)(void *arg),
		       void *arg)
{
	(void)vi;
	(void)fn;
	(void)arg;
}

MIRROR_WEAK int
vnf_router_kroutes_apply(struct vnf_instance *vi,
			 const struct vnf_router_kroute *ops, unsigned int n,
			 unsigned int *failed, char *err, size_t errlen)
{
	(void)vi;
	(void)ops;
	(void)n;
	(void)failed;
	(void)err;
	(void)errlen;
	return -ENOTSUP;
}

MIRROR_WEAK void
vnf_router_kroutes_mark(struct vnf_instance *vi)
{
	(void)vi;
}

MIRROR_WEAK int
vnf_router_kroutes_sweep(struct vnf_instance *vi, unsigned int *removed)
{
	(void)vi;
	*removed = 0;
	return 0;
}

MIRROR_WEAK uint32_t
vnf_router_kroutes_count(const struct vnf_instance *vi)
{
	(void)vi;
	return 0;
}

MIRROR_WEAK int
vnf_router_addr_add(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		    const uint8_t *addr, uint8_t len)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)addr;
	(void)len;
	return -ENOTSUP;
}

MIRROR_WEAK int
vnf_router_addr_del(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		    const uint8_t *addr, uint8_t len)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)addr;
	(void)len;
	return -ENOTSUP;
}

MIRROR_WEAK int
vnf_router_link_set(struct vnf_instance *vi, uint16_t iface, bool up,
		    uint16_t mtu)
{
	(void)vi;
	(void)iface;
	(void)up;
	(void)mtu;
	return -ENOTSUP;
}

MIRROR_WEAK int
vnf_router_kneigh_set(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		      const uint8_t *ip, const uint8_t mac[6], bool permanent)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)ip;
	(void)mac;
	(void)permanent;
	return -ENOTSUP;
}

MIRROR_WEAK int
vnf_router_kneigh_del(struct vnf_instance *vi, uint16_t iface, uint8_t family,
		      const uint8_t *ip)
{
	(void)vi;
	(void)iface;
	(void)family;
	(void)ip;
	return -ENOTSUP;
}

MIRROR_WEAK void
vnf_router_kneigh_mark(struct vnf_instance *vi)
{
	(void)vi;
}

MIRROR_WEAK int
vnf_router_kneigh_sweep(struct vnf_instance *vi, unsigned int *removed)
{
	(void)vi;
	*removed = 0;
	return 0;
}
