#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two network namespaces routed through nfvd's router.

  netns h1: 10.81.1.2/24  2001:db8:81:1::2/64   default via the router
      |  tap (kernel side moved into h1 by nfvd)
  nfvd: port h1 -> router rtr (lan 10.81.1.1, wan 10.81.2.1) -> port h2
      |  tap (kernel side in h2)
  netns h2: 10.81.2.2/24  2001:db8:81:2::2/64   default via the router

Nothing is static: the hosts find the router by ARP/ND and the router
finds them the same way.  Checks: ping both ways over IPv4 and IPv6, a
TCP transfer (iperf3, 2 s) h1 -> h2, traceroute and traceroute6 showing
the router as the first hop, the router's neighbour table, counters, and
a clean stop with every mbuf back.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

R_LAN, R_WAN = "10.81.1.1", "10.81.2.1"
H1, H2 = "10.81.1.2", "10.81.2.2"
R6_LAN, R6_WAN = "2001:db8:81:1::1", "2001:db8:81:2::1"
H1_6, H2_6 = "2001:db8:81:1::2", "2001:db8:81:2::2"


def ns_run(ns, argv, timeout=15, check_rc=True):
    return nfvtest.run(["ip", "netns", "exec", ns] + argv, timeout=timeout,
                       check_rc=check_rc)


def host_setup(ns, tap, addr4, addr6, gw4, gw6):
    nfvtest.run(["ip", "-n", ns, "link", "set", "lo", "up"])
    nfvtest.run(["ip", "-n", ns, "addr", "add", addr4 + "/24", "dev", tap])
    nfvtest.run(["ip", "-n", ns, "-6", "addr", "add", addr6 + "/64", "dev", tap, "nodad"])
    nfvtest.run(["ip", "-n", ns, "route", "add", "default", "via", gw4])
    nfvtest.run(["ip", "-n", ns, "-6", "route", "add", "default", "via", gw6])


def ping(ns, dst, six=False, count=3):
    cp = ns_run(ns, ["ping"] + (["-6"] if six else []) +
                ["-c", str(count), "-i", "0.2", "-W", "2", dst], timeout=20, check_rc=False)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", cp.stdout)
    check(m is not None, "ping %s: no statistics:\n%s%s" % (dst, cp.stdout, cp.stderr))
    log("ping %s from %s: %s" % (dst, ns, m.group(0)))
    return int(m.group(2))


def run(env):
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for nfvd's tap ports")
    ns1, ns2 = env.netns("h1"), env.netns("h2")
    tap1, tap2 = env.ifname("h1"), env.ifname("h2")
    nfvd = env.nfvd(
        ports=[{"name": "h1", "type": "tap", "ifname": tap1, "netns": ns1},
               {"name": "h2", "type": "tap", "ifname": tap2, "netns": ns2}],
        vnfs=[{"name": "rtr", "type": "router", "ifaces": [
            {"name": "lan", "address": [R_LAN + "/24", R6_LAN + "/64"]},
            {"name": "wan", "address": [R_WAN + "/24", R6_WAN + "/64"]}]}],
        links=[["h1", "rtr.lan"], ["h2", "rtr.wan"]])
    nfvd.start()
    host_setup(ns1, tap1, H1, H1_6, R_LAN, R6_LAN)
    host_setup(ns2, tap2, H2, H2_6, R_WAN, R6_WAN)

    # The router itself, then through it, both families.  The first ping
    # of each pair waits for ARP/ND on both sides.
    check(ping(ns1, R_LAN) >= 2, "no echo replies from the router's lan address")
    check(ping(ns1, H2) >= 2, "h1 -> h2 (IPv4) through the router failed")
    check(ping(ns2, H1) >= 2, "h2 -> h1 (IPv4) through the router failed")
    check(ping(ns1, R6_LAN, six=True) >= 2, "no echo replies from the router's IPv6 address")
    check(ping(ns1, H2_6, six=True) >= 2, "h1 -> h2 (IPv6) through the router failed")
    check(ping(ns2, H1_6, six=True) >= 2, "h2 -> h1 (IPv6) through the router failed")

    # TCP: 2 s of iperf3 from h1 to h2.
    if nfvtest.which("iperf3"):
        srv = env.spawn("iperf3-server", ["ip", "netns", "exec", ns2, "iperf3", "-s", "-1",
                                          "-B", H2, "-p", "5281"])
        nfvtest.wait_for(lambda: "5281" in ns_run(ns2, ["ss", "-ltn"]).stdout, 10,
                         "iperf3 to listen")
        cp = ns_run(ns1, ["iperf3", "-c", H2, "-p", "5281", "-t", "2", "-J"], timeout=30)
        res = json.loads(cp.stdout)
        recv = res["end"]["sum_received"]["bytes"]
        bps = res["end"]["sum_received"]["bits_per_second"]
        log("iperf3 h1 -> h2: %d bytes, %.1f Mbit/s" % (recv, bps / 1e6))
        check(recv > 100000, "TCP transfer moved only %d bytes" % recv)
        srv.wait(10)
    else:
        nfvtest.skip("iperf3 missing (apt-get install iperf3)")

    # traceroute: the router's lan address is hop 1, h2 hop 2.
    cp = ns_run(ns1, ["traceroute", "-n", "-q", "1", "-w", "2", "-m", "4", H2], timeout=30)
    log("traceroute:\n" + cp.stdout.strip())
    hops = re.findall(r"^\s*(\d+)\s+(\S+)", cp.stdout, re.M)
    check(len(hops) >= 2 and hops[0][1] == R_LAN, "traceroute hop 1 is not %s: %s" % (R_LAN, hops))
    check(hops[1][1] == H2, "traceroute hop 2 is not %s: %s" % (H2, hops))
    cp = ns_run(ns1, ["traceroute", "-6", "-n", "-q", "1", "-w", "2", "-m", "4", H2_6],
                timeout=30, check_rc=False)
    log("traceroute6:\n" + cp.stdout.strip())
    hops = re.findall(r"^\s*(\d+)\s+(\S+)", cp.stdout, re.M)
    check(len(hops) >= 2 and hops[0][1] == R6_LAN, "traceroute6 hop 1 is not %s: %s" % (R6_LAN, hops))

    # The router learned both hosts; counters add up.
    neigh = nfvd.nfvctl("show", "neigh")
    got = {(e["ip"], e["iface"]): e["state"] for e in neigh}
    log("neighbours: %s" % got)
    for key in ((H1, "lan"), (H2, "wan"), (H1_6, "lan"), (H2_6, "wan")):
        check(got.get(key) in ("reachable", "stale", "probe"),
              "neighbour %s on %s: %s" % (key[0], key[1], got.get(key)))
    vnf = nfvd.nfvctl("show", "vnf", "rtr")
    ctr = vnf["counters"]
    log("router counters: %s" % {k: v for k, v in ctr.items() if v})
    check(ctr["forwarded-ipv4"] > 100, "forwarded-ipv4 = %d" % ctr["forwarded-ipv4"])
    check(ctr["forwarded-ipv6"] >= 8, "forwarded-ipv6 = %d" % ctr["forwarded-ipv6"])
    check(ctr["icmp-errors-sent"] >= 2, "icmp-errors-sent = %d" % ctr["icmp-errors-sent"])
    routes = {r["prefix"]: r for r in nfvd.nfvctl("show", "routes") if "prefix" in r}
    check_eq(routes.get("10.81.2.0/24", {}).get("type"), "connected", "route 10.81.2.0/24")

    # A route added at run time, used at once.
    nfvtest.run(["ip", "-n", ns2, "addr", "add", "10.81.9.9/32", "dev", "lo"])
    nfvd.nfvctl("route", "add", "10.81.9.0/24", "via", H2, json_out=False)
    check(ping(ns1, "10.81.9.9") >= 2, "ping over a route added at run time failed")
    nfvd.nfvctl("route", "del", "10.81.9.0/24", json_out=False)
    check_eq(ping(ns1, "10.81.9.9", count=2), 0, "replies after the route was deleted")

    check(nfvd.alive(), "nfvd died")
    nfvd.stop_clean()


if __name__ == "__main__":
    nfvtest.main(run, "router-netns", budget=100, needs=["ip", "ping", "traceroute"])
