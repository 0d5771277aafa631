#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""FRR drives nfvd's router (issue 10, item 5b): the two-router example of
docs/control-plane.md (configs/frr/), run with private names.

  h1 10.0.1.2 --[lan  rtr (nfvd, mirror: netns r1)  wan]-- 10.0.12.2 r2
                  FRR r1 in netns r1 on the twins           FRR r2

FRR r1 (zebra, staticd, bgpd, ospfd) runs in the router's mirror netns on
the kernel twins and peers with FRR r2 in a plain netns behind nfvd's tap
port, over BGP and OSPF.  Every packet of those sessions crosses nfvd's
fast path: punted to the twins, injected from them.  Checks: the sessions
come up; the routes r1 learns (203.0.113.0/24 by BGP, 198.51.100.1/32 by
OSPF) and its static route (192.0.2.0/24) are in r1's kernel table and in
nfvd's FIB with their origins (bgp, ospf, static), the FIB equals the
kernel table, h1's pings are forwarded on them by nfvd, and a withdrawn
BGP route leaves the FIB.

With --plain the same FRR configs run on plain Linux: r1 is a netns with
veths named like the twins and kernel forwarding, no nfvd (the harness
and the example configs on this machine's FRR, so that a failure with
nfvd is nfvd's).

With --bird, r1 is BIRD 2 instead of FRR (configs/bird/r1.conf, the same
static route, BGP and OSPF): its routes reach r1's kernel and nfvd's FIB
with protocol `bird`; the rest is the same test.  The sessions are read
on r2's side (FRR) in every variant.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kmirror  # noqa: E402
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

EXAMPLE = os.path.join(nfvtest.REPO, "configs", "frr")
BIRD_CONF = os.path.join(nfvtest.REPO, "configs", "bird", "r1.conf")
PLAIN = "--plain" in sys.argv
BIRD = "--bird" in sys.argv
# What r2 announces and r1 adds, and the protocols they reach r1's kernel
# with (BIRD installs every route as protocol bird, 12).
LEARNED = {"203.0.113.0/24": 186, "198.51.100.1/32": 188, "192.0.2.0/24": 196}
if BIRD:
    LEARNED = {p: 12 for p in LEARNED}
TARGETS = ("203.0.113.1", "198.51.100.1", "192.0.2.1")


def example_nfvd(env, names):
    """configs/frr/nfvd.yaml with this run's netns, tap names, socket and
    file prefix."""
    import yaml
    with open(os.path.join(EXAMPLE, "nfvd.yaml")) as f:
        cfg = yaml.safe_load(f)
    for p in cfg["ports"]:
        p["ifname"] = names[p["ifname"]]
        p["netns"] = names[p["netns"]]
    rtr = cfg["vnfs"][0]
    rtr["mirror"]["netns"] = names[rtr["mirror"]["netns"]]
    dp = {"memory": cfg["dataplane"].get("memory", 512)}
    return env.nfvd(ports=cfg["ports"], vnfs=cfg["vnfs"], links=cfg["links"], dataplane=dp)


def frr_conf(name, names):
    with open(os.path.join(EXAMPLE, name + ".conf")) as f:
        text = f.read()
    for a, b in names.items():
        if a.startswith("nfv-"):    # interface names
            text = text.replace(" " + a + "\n", " " + b + "\n")
    return text


def run(env):
    if not os.path.exists("/dev/net/tun") and not PLAIN:
        nfvtest.skip("no /dev/net/tun for nfvd's tap ports")
    for d in kmirror.FRR_DAEMONS:
        if not os.access(os.path.join(kmirror.FRR_DIR, d), os.X_OK):
            nfvtest.skip("FRR's %s missing (apt-get install frr)" % d)
    if BIRD and not os.access(kmirror.BIRD, os.X_OK):
        nfvtest.skip("BIRD missing (apt-get install bird2)")
    h1, r2 = env.netns("h1"), env.netns("r2")
    names = {"h1": h1, "r2": r2, "nfv-h1": env.ifname("h1"), "nfv-r2": env.ifname("r2")}
    if PLAIN:
        r1 = env.netns("r1")
        names["r1"] = r1
        nfvtest.run(["ip", "link", "add", "lan", "netns", r1, "type", "veth", "peer",
                     names["nfv-h1"], "netns", h1])
        nfvtest.run(["ip", "link", "add", "wan", "netns", r1, "type", "veth", "peer",
                     names["nfv-r2"], "netns", r2])
        for dev, addr in (("lan", "10.0.1.1/24"), ("wan", "10.0.12.1/24")):
            nfvtest.run(["ip", "-n", r1, "addr", "add", addr, "dev", dev])
            nfvtest.run(["ip", "-n", r1, "link", "set", dev, "up"])
        nfvtest.run(["ip", "-n", r1, "link", "set", "lo", "up"])
        kmirror.ns_run(r1, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        for ns, dev in ((h1, names["nfv-h1"]), (r2, names["nfv-r2"])):
            nfvtest.run(["ip", "-n", ns, "link", "set", dev, "up"])
        nfvd = None
    else:
        # nfvd creates the mirror netns; the test only deletes it.
        r1 = "nfvit-%s-r1" % env.tag
        names["r1"] = r1
        env.netns_list.append(r1)
        nfvd = example_nfvd(env, names)
        nfvd.start()
        ctl = kmirror.Ctl(nfvd.sock)
        env.on_cleanup(ctl.close)
        for twin in ("lan", "wan"):
            nfvtest.wait_for(lambda t=twin: kmirror.ns_run(r1, ["ip", "link", "show", t, "up"],
                                                           check_rc=False).stdout.strip(),
                             10, "twin %s up in %s" % (twin, r1))
        nfvtest.run(["ip", "-n", r1, "link", "set", "lo", "up"])

    nfvtest.run(["ip", "-n", h1, "link", "set", "lo", "up"])
    nfvtest.run(["ip", "-n", h1, "addr", "add", "10.0.1.2/24", "dev", names["nfv-h1"]])
    nfvtest.run(["ip", "-n", h1, "route", "add", "default", "via", "10.0.1.1"])
    nfvtest.run(["ip", "-n", r2, "link", "set", "lo", "up"])
    nfvtest.run(["ip", "-n", r2, "addr", "add", "10.0.12.2/24", "dev", names["nfv-r2"]])
    for a in ("203.0.113.1/24", "198.51.100.1/24", "192.0.2.1/24"):
        nfvtest.run(["ip", "-n", r2, "addr", "add", a, "dev", "lo"])

    if BIRD:
        fr1 = kmirror.Bird(env, r1, "r1").start(BIRD_CONF)
    else:
        fr1 = kmirror.Frr(env, r1, "r1").start(frr_conf("r1", names))
    fr2 = kmirror.Frr(env, r2, "r2").start(frr_conf("r2", names))
    t0 = time.monotonic()
    try:
        nfvtest.wait_for(lambda: fr2.bgp_state("10.0.12.1") == "Established", 40,
                         "BGP r1-r2 Established", interval=0.5)
        t_bgp = time.monotonic() - t0
        nfvtest.wait_for(lambda: fr2.ospf_full("10.0.12.1"), 40, "OSPF r1-r2 Full", interval=0.5)
        t_ospf = time.monotonic() - t0
    except nfvtest.Fail:
        log("FRR r1:\n" + fr1.logs())
        log("FRR r2:\n" + fr2.logs())
        raise
    log("BGP Established after %.1f s, OSPF Full after %.1f s (r1: %s)" % (
        t_bgp, t_ospf, "BIRD" if BIRD else "FRR"))

    def learned():
        k = kmirror.kernel_routes(r1, 254, families=(4,))
        return all(p in k and k[p]["proto"] == proto for p, proto in LEARNED.items())
    nfvtest.wait_for(learned, 30, "r1's kernel to hold %s" % ", ".join(LEARNED), interval=0.3)
    # And the way back: r2 learns h1's subnet from r1 over OSPF.
    nfvtest.wait_for(lambda: "10.0.1.0/24" in kmirror.kernel_routes(r2, 254, families=(4,)), 30,
                     "r2's kernel to hold 10.0.1.0/24 (OSPF)", interval=0.3)
    log("routes in both kernels after %.1f s" % (time.monotonic() - t0))
    kern = kmirror.kernel_routes(r1, 254, families=(4,))
    for p in LEARNED:
        log("r1 kernel: %s %s proto %d" % (p, kern[p]["nh"], kern[p]["proto"]))

    if nfvd is not None:
        def in_fib():
            fib = kmirror.fib_rows_norm(ctl.call("show routes", vnf="rtr"))
            return all(p in fib for p in LEARNED) and fib
        fib = nfvtest.wait_for(in_fib, 10, "nfvd's FIB to hold %s" % ", ".join(LEARNED))
        for p, proto in LEARNED.items():
            f = fib[p]
            log("nfvd FIB: %s %s %s origin %s" % (p, f["type"], f["nh"], f["origin"]))
            check(f["origin"] is not None, "%s: show routes has no origin" % p)
            check(kmirror.proto_matches(f["origin"], proto),
                  "%s: origin %s, want %s" % (p, f["origin"], "/".join(sorted(kmirror.PROTO_NAMES[proto]))))
            check_eq(f["nh"], (("10.0.12.2", "wan"),), "%s next hop" % p)
        d = kmirror.route_diff(kmirror.kernel_routes(r1, 254), kmirror.fib_rows_norm(
            ctl.call("show routes", vnf="rtr")))
        check(not d, "the FIB differs from r1's kernel table:\n  " + "\n  ".join(d))
        before = ctl.call("show vnf", name="rtr")["counters"]

    for dst in TARGETS:
        got, out = kmirror.ping(h1, dst)
        check(got >= 2, "h1 -> %s: %d replies of 3 (a route r1 learned)" % (dst, got))

    if nfvd is not None:
        after = ctl.call("show vnf", name="rtr")["counters"]
        fwd = after.get("forwarded-ipv4", 0) - before.get("forwarded-ipv4", 0)
        log("router: forwarded-ipv4 +%d, punt counters %s" % (
            fwd, {k: v for k, v in after.items() if "punt" in k or "inject" in k}))
        check(fwd >= 12, "nfvd forwarded %d IPv4 packets for 18 echo packets" % fwd)
        punted = sum(v for k, v in after.items() if "punt" in k and "drop" not in k
                     and "discard" not in k)
        check(punted > 0, "no packet punted to the twins, yet the sessions are up: %s" % after)

    # A withdrawal: r2 stops announcing 203.0.113.0/24.
    fr2.cmd("configure terminal", "router bgp 65002", "address-family ipv4 unicast",
            "no network 203.0.113.0/24")
    t0 = time.monotonic()
    nfvtest.wait_for(lambda: "203.0.113.0/24" not in kmirror.kernel_routes(r1, 254, families=(4,)),
                     20, "r1 to drop the withdrawn 203.0.113.0/24", interval=0.2)
    log("withdrawn from r1's kernel after %.1f s" % (time.monotonic() - t0))
    if nfvd is not None:
        nfvtest.wait_for(lambda: "203.0.113.0/24" not in kmirror.fib_rows_norm(
            ctl.call("show routes", vnf="rtr")), 2, "nfvd's FIB to drop 203.0.113.0/24", interval=0.01)
        got, _ = kmirror.ping(h1, "203.0.113.1", count=2)
        check_eq(got, 0, "replies from 203.0.113.1 after its withdrawal")
        d = kmirror.route_diff(kmirror.kernel_routes(r1, 254), kmirror.fib_rows_norm(
            ctl.call("show routes", vnf="rtr")))
        check(not d, "after the withdrawal the FIB differs from r1's kernel table:\n  " + "\n  ".join(d))

    fr2.stop()
    fr1.stop()
    if nfvd is not None:
        check(nfvd.alive(), "nfvd died")
        nfvd.stop_clean()


if __name__ == "__main__":
    nfvtest.main(run, "frr-plain" if PLAIN else "mirror-bird" if BIRD else "mirror-frr",
                 budget=160, needs=["ip", "ping", "vtysh"])
