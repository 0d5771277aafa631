/* SPDX-License-Identifier: BSD-3-Clause
 *
 * fuzz_router_config.h - the router of the two router harnesses
 * (tests/fuzz/router, tests/fuzz/routefile), as a config file gives it:
 * its name and its lan and wan ifaces.  Each harness adds its dmz iface
 * (the router's has a small MTU and IPv6), routes and neighbours.
 */
#ifndef NFV_FUZZ_ROUTER_CONFIG_H
#define NFV_FUZZ_ROUTER_CONFIG_H

#define FZ_RT_CONFIG_HEAD "vnfs:\n" FZ_RT_VNF_HEAD("rtr")

/* A router `name` with those lan and wan ifaces (a harness may make two
 * alike). */
#define FZ_RT_VNF_HEAD(name)                                                   \
	"  - name: " name "\n"                                                 \
	"    type: router\n"                                                   \
	"    ifaces:\n"                                                        \
	"      - {name: lan, mac: \"02:00:00:00:01:01\", address: "            \
	"[10.0.0.1/24, \"2001:db8::1/64\"]}\n"                                 \
	"      - {name: wan, mac: \"02:00:00:00:01:02\", address: "            \
	"[192.0.2.1/24, \"2001:db8:1::1/64\"]}\n"

#endif /* NFV_FUZZ_ROUTER_CONFIG_H */
