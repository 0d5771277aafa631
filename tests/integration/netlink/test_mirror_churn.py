#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Route churn and overrun of the kernel mirror (issue 10, items 5c, 5d).

  netns h-lan 10.84.1.2 --[lan  10.84.1.1]  rtr (nfvd)  [wan 10.84.2.1]-- 10.84.2.2 h-wan
                          mirror: netns rns (made by the test), table 100
  h-wan holds the stable destinations 10.250.N.1 and 2001:db8:250:N::1.

churn (default): 100,000 route adds, replaces and deletes in random order
(unicast, multipath, blackhole, both families; kmirror.RouteChurn) with
one `ip -batch` in table 100, while UDP flows from h-lan to the stable
destinations run through nfvd on routes that never change.  Then the FIB
must equal the kernel table exactly, every datagram sent must have
arrived, and the router must have dropped none for want of a route.

--overrun: a tiny netlink receive buffer (NFVD_MIRROR_RCVBUF) and a
paused consumer: 2,000 routes, SIGSTOP nfvd, 10,000 changes, SIGCONT.
The mirror must notice the overrun (`show mirror` resyncs >= 1) and the
FIB must then equal the kernel table exactly; the stable routes still
forward.
"""
import ipaddress
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kmirror  # noqa: E402
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

OVERRUN = "--overrun" in sys.argv
TABLE = 100
N_STABLE = 8
STABLE4 = ["10.250.%d.0/24" % i for i in range(N_STABLE)]
STABLE6 = [str(ipaddress.ip_network("2001:db8:250:%x::/64" % i)) for i in range(N_STABLE // 2)]
DST4 = ["10.250.%d.1" % i for i in range(N_STABLE)]
DST6 = ["2001:db8:250:%x::1" % i for i in range(N_STABLE // 2)]
GW4, GW6 = "10.84.2.2", "2001:db8:84:2::2"
# The overrun's receive buffer: a few messages.  How the mirror takes it
# (docs/control-plane.md, "Limits").
RCVBUF = "4096"

IFACES = [
    {"name": "lan", "address": ["10.84.1.1/24", "2001:db8:84:1::1/64"],
     "host": "10.84.1.2/24", "host6": "2001:db8:84:1::2/64"},
    {"name": "wan", "address": ["10.84.2.1/24", "2001:db8:84:2::1/64"],
     "host": "10.84.2.2/24", "host6": "2001:db8:84:2::2/64",
     "host_extra": [("addr", "add", d + "/32", "dev", "lo") for d in DST4] +
                   [("-6", "addr", "add", d + "/128", "dev", "lo") for d in DST6]},
]


def stable_routes(rig):
    lines = ["route add %s table %d via %s" % (p, TABLE, GW4) for p in STABLE4]
    lines += ["route add %s table %d via %s" % (p, TABLE, GW6) for p in STABLE6]
    path = kmirror.write_batch(rig.env.path("stable.batch"), lines)
    rig.kip("-batch", path)
    stable = STABLE4 + STABLE6
    try:
        nfvtest.wait_for(lambda: all(p in rig.fib_routes(100000) for p in stable), 5,
                         "the stable routes in the FIB")
    except nfvtest.Fail:
        log("kernel table %d: %s" % (TABLE, sorted(rig.kernel_routes())))
        log("show mirror: %s" % rig.mirror())
        raise
    return stable


def drops(rig):
    return rig.vnf().get("drops", {})


def run(env):
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for nfvd's tap ports")
    environ = {"NFVD_MIRROR_RCVBUF": RCVBUF} if OVERRUN else None
    rig = kmirror.Rig(env, IFACES, table=TABLE, make_netns=True, environ=environ,
                      dataplane={"memory": 1024}).start()
    h1, h2 = rig.hosts["lan"][0], rig.hosts["wan"][0]
    stable = stable_routes(rig)
    for d in (DST4[0], DST6[0]):
        check(kmirror.ping(h1, d)[0] >= 2, "h-lan -> %s on a stable route failed" % d)
    rng = random.Random(int(os.environ.get("NFV_CHURN_SEED", "10")))
    log("seed %d (NFV_CHURN_SEED)" % int(os.environ.get("NFV_CHURN_SEED", "10")))
    churn = kmirror.RouteChurn(rng, TABLE, nh4=[GW4, "10.84.1.2"], nh6=[GW6, "2001:db8:84:1::2"])
    d0 = drops(rig)

    if OVERRUN:
        base = kmirror.write_batch(env.path("base.batch"), [churn.add() for _ in range(2000)])
        rig.kip("-batch", base, timeout=120)
        rig.wait_equal(30, "after 2,000 routes")
        m0 = rig.mirror()
        r0 = kmirror.find_key(m0, "resyncs") or 0
        log("show mirror before: %s" % m0)
        path = kmirror.write_batch(env.path("churn.batch"), churn.ops(10000, p_add=0.4, p_replace=0.3))
        rig.nfvd.proc.send_signal(signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            rig.kip("-batch", path, timeout=120)
            log("10,000 changes made in %.1f s while nfvd was stopped" % (time.monotonic() - t0))
        finally:
            rig.nfvd.proc.send_signal(signal.SIGCONT)
        t0 = time.monotonic()
        nfvtest.wait_for(lambda: (kmirror.find_key(rig.mirror(), "resyncs") or 0) > r0, 20,
                         "show mirror: resyncs > %d after the overrun" % r0)
        log("resync seen %.2f s after SIGCONT" % (time.monotonic() - t0))
        rig.wait_equal(30, "after the overrun's resync")
        log("FIB equals kernel table %d (%d routes) %.2f s after SIGCONT"
            % (TABLE, len(churn.live) + len(stable), time.monotonic() - t0))
        log("show mirror after: %s" % rig.mirror())
        for d in (DST4[1], DST6[1]):
            check(kmirror.ping(h1, d)[0] >= 2, "h-lan -> %s after the resync failed" % d)
    else:
        lines = churn.ops(100000)
        path = kmirror.write_batch(env.path("churn.batch"), lines)
        log("100,000 changes, %d routes live at the end" % len(churn.live))
        tr = kmirror.Traffic(env, h1, h2, DST4 + DST6, pps=2000, max_s=150)
        time.sleep(1.0)
        t0 = time.monotonic()
        rig.kip("-batch", path, timeout=150)
        t1 = time.monotonic()
        log("ip -batch: %.1f s (%.0f changes/s)" % (t1 - t0, 100000 / (t1 - t0)))
        rig.wait_equal(60, "after 100,000 changes")
        log("FIB equals kernel table %d %.2f s after ip returned" % (TABLE, time.monotonic() - t1))
        time.sleep(1.0)
        sent, recv = tr.stop()
        lost = {d: sent[d] - recv.get(d, 0) for d in sent if sent[d] != recv.get(d, 0)}
        log("traffic on the stable routes: %d datagrams sent, %d received"
            % (sum(sent.values()), sum(recv.values())))
        check(sum(sent.values()) > 1000, "too little traffic sent: %s" % sent)
        check(not lost, "datagrams lost on unchanged routes: %s" % lost)
        log("show mirror: %s" % rig.mirror())

    d1 = drops(rig)
    grew = {k: d1[k] - d0.get(k, 0) for k in d1 if "route" in k and d1[k] != d0.get(k, 0)}
    check(not grew, "the router dropped packets for want of a route: %s" % grew)
    fib = rig.fib_routes()
    for p in stable:
        check_eq(fib[p]["nh"], ((GW6 if ":" in p else GW4, "wan"),), "stable route %s" % p)
    check(rig.nfvd.alive(), "nfvd died")
    rig.ctl.close()
    rig.nfvd.stop_clean()


if __name__ == "__main__":
    nfvtest.main(run, "mirror-overrun" if OVERRUN else "mirror-churn", budget=280,
                 needs=["ip", "ping"])
