/* SPDX-License-Identifier: BSD-3-Clause
 *
 * limits.h - nfvd's limits, one set for the config loader, the data plane
 * and the VNFs.
 *
 * The config loader refuses a list longer than these (one clear error at
 * load time), and the data plane sizes its tables from the same numbers,
 * so a config that loads also runs.  Plain numbers: control/config.c
 * includes this and stays free of DPDK.  Where DPDK is visible, the code
 * that depends on a limit checks it against DPDK's own with
 * _Static_assert (e.g. NFV_MAX_PORTS against RTE_MAX_ETHPORTS in
 * dataplane/port.h); so does code that keeps a bitmask or a fixed array
 * sized by one (dataplane/graph.h, the VNFs).  docs/config.md lists them.
 */
#ifndef NFV_LIB_LIMITS_H
#define NFV_LIB_LIMITS_H

/* Bytes of a port, VNF or iface name, the terminating NUL included. */
#define NFV_NAME_MAX 32

/*
 * Ports, from the config and added at run time together.  Every port is
 * an ethdev: RTE_MAX_ETHPORTS of Debian's DPDK 22.11 build is 32.
 */
#define NFV_MAX_PORTS 32
/* Queues of one port (`queues:`). */
#define NFV_MAX_QUEUES 16
/* Poll-mode workers (`dataplane.workers`); each takes one lcore besides
 * the main one. */
#define NFV_MAX_WORKERS 64

/* VNF instances, and ifaces of one instance. */
#define NFV_MAX_VNFS 64
#define NFV_MAX_IFACES 64
/* Every port and every VNF iface is in one link at most. */
#define NFV_MAX_LINKS ((NFV_MAX_PORTS + NFV_MAX_VNFS * NFV_MAX_IFACES) / 2)

/* A burst: what one RX call returns and one process() call gets. */
#define NFV_BURST 32

/* Entries of a VNF's own table (`mac_table_size`, `conn_table_size`). */
#define NFV_MAX_TABLE_SIZE (1u << 24)

/* l2switch: `static_macs` of one instance. */
#define NFV_MAX_STATIC_MACS 65536
/* router: addresses of one iface (IPv4 and IPv6 together), next hops of
 * one route, `routes` and `neighbors` of one instance. */
#define NFV_MAX_ADDRS 16
#define NFV_MAX_NEXTHOPS 16
#define NFV_MAX_ROUTES (1 << 20)
#define NFV_MAX_NEIGHBORS 65536
/* firewall: `rules` of one instance. */
#define NFV_MAX_RULES 65536

#endif /* NFV_LIB_LIMITS_H */
