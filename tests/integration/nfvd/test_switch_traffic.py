#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfvd's l2switch with dpdk-testpmd virtio-user peers on its vhost-user ports.

1. learning: each of three ports sends one burst; afterwards the switch
   knows all three MACs on the right ifaces (nfvctl show mac);
2. a learned unicast MAC reaches only its port:
   p2 and p3 send to p1's MAC and p1 to p2's, so p1 must receive 2x, p2 1x
   and p3 nothing (flooding would put packets on p3);
3. nfvd's counters (`nfvctl -j show ports`) equal exactly what testpmd sent
   and received, packets and bytes, with no drops (rxonly drains the rings);
4. traffic both ways: a closed mac-forward loop between p1 and p2 keeps
   frames moving in both directions; every frame testpmd transmitted was
   received by nfvd;
5. nfvctl show ports|stats|mac|vnf, as tables and as JSON, with traffic.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

MAC = ["02:00:00:00:01:01", "02:00:00:00:01:02", "02:00:00:00:01:03"]
BURST = 32


def counters(nfvd):
    return {n: p for n, p in nfvd.ports().items()}


def run(env):
    names = ["p1", "p2", "p3"]
    socks = [env.path("%s.sock" % n) for n in names]
    nfvd = env.nfvd(
        ports=[{"name": n, "type": "vhost-user", "path": s, "mode": "server"} for n, s in zip(names, socks)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}],
        links=[["p1", "sw.a"], ["p2", "sw.b"], ["p3", "sw.c"]])
    nfvd.start()
    for s in socks:
        nfvtest.wait_for_socket(s)

    # p1 -> MAC[1] (p2); p2 -> MAC[0] (p1); p3 -> MAC[0] (p1).
    peers = [MAC[1], MAC[0], MAC[0]]
    pmd = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s" % (i, s, MAC[i]) for i, s in enumerate(socks)],
                      peers=peers, fwd="rxonly")
    pmd.start()
    nfvd.wait_links(names)
    # librte_vhost's own per-queue statistics stay off (nfvd counts itself;
    # dataplane/vhost_stats.c): one line per device says so.
    for n in names:
        said = re.findall(r"port %s: vhost device \d+: direct RX/TX, librte_vhost statistics (\w+)" % n,
                          nfvd.log_text())
        check(said and set(said) == {"off"}, "nfvd log: librte_vhost statistics of %s: %s" % (n, said))

    # 1. Learning: one burst from every port.
    pmd.cmd("start tx_first 1")
    nfvd.wait_stable()
    pmd.cmd("stop")
    macs = nfvd.nfvctl("show", "mac")
    log("mac table: %s" % macs)
    learned = {}
    for e in (macs if isinstance(macs, list) else macs.get("entries", [])):
        learned[e["mac"].lower()] = e["iface"]
    for m, iface in zip(MAC, ["a", "b", "c"]):
        check_eq(learned.get(m), iface, "learned iface of %s" % m)

    # 2 + 3. Unicast only to the learned port; exact counters.
    before = counters(nfvd)
    pmd.cmd("clear port stats all")
    bursts = 4
    pmd.cmd("start tx_first %d" % bursts)
    sent = bursts * BURST
    after = nfvd.wait_stable()
    pmd.cmd("stop")
    st = pmd.stats()
    log("testpmd: %s" % st)
    want_rx = {0: 2 * sent, 1: sent, 2: 0}
    for i in range(3):
        check_eq(st[i]["tx_packets"], sent, "testpmd port %d TX-packets" % i)
        check_eq(st[i]["rx_packets"], want_rx[i], "testpmd port %d RX-packets (unicast isolation)" % i)
    for i, n in enumerate(names):
        d = {k: after[n][k] - before[n][k] for k in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes")}
        check_eq(d["rx_packets"], st[i]["tx_packets"], "nfvd %s rx_packets vs testpmd TX" % n)
        check_eq(d["rx_bytes"], st[i]["tx_bytes"], "nfvd %s rx_bytes vs testpmd TX bytes" % n)
        check_eq(d["tx_packets"], st[i]["rx_packets"], "nfvd %s tx_packets vs testpmd RX" % n)
        check_eq(d["tx_bytes"], st[i]["rx_bytes"], "nfvd %s tx_bytes vs testpmd RX bytes" % n)
        drops = sum(after[n]["drops"].values()) - sum(before[n]["drops"].values())
        check_eq(drops, 0, "nfvd %s drops during the unicast phase (%s)" % (n, after[n]["drops"]))
    check_eq(after["p3"]["tx_packets"] - before["p3"]["tx_packets"], 0,
             "frames for p1/p2's MACs that leaked onto p3")

    # 4. Both ways: a closed mac-forward loop between p1 and p2 (p3 idle).
    pmd.cmd("set fwd mac")
    pmd.cmd("set eth-peer 0 %s" % MAC[1])
    pmd.cmd("set eth-peer 1 %s" % MAC[0])
    pmd.cmd("set portlist 0,1")
    pmd.cmd("clear port stats all")
    before = counters(nfvd)
    pmd.cmd("start tx_first 4")
    time.sleep(2)
    mid = counters(nfvd)
    time.sleep(1)
    pmd.cmd("stop")
    after = nfvd.wait_stable()
    st = pmd.stats()
    log("loop: testpmd %s" % st)
    for i, n in enumerate(["p1", "p2"]):
        moved = after[n]["tx_packets"] - mid[n]["tx_packets"]
        check(moved > 1000, "loop: nfvd %s sent only %d frames in the last second" % (n, moved))
        check(st[i]["rx_packets"] > 1000, "loop: testpmd port %d received only %d" % (i, st[i]["rx_packets"]))
        check_eq(after[n]["rx_packets"] - before[n]["rx_packets"], st[i]["tx_packets"],
                 "loop: nfvd %s rx_packets vs testpmd TX" % n)
        # Frames still in testpmd's RX ring at `stop` were sent by nfvd but
        # never counted by testpmd: at most the frames in flight (4 bursts
        # per port) plus one burst.
        got = after[n]["tx_packets"] - before[n]["tx_packets"]
        check(st[i]["rx_packets"] <= got <= st[i]["rx_packets"] + 9 * BURST,
              "loop: nfvd %s tx %d vs testpmd RX %d" % (n, got, st[i]["rx_packets"]))
    check_eq(after["p3"]["tx_packets"] - before["p3"]["tx_packets"], 0, "loop frames that leaked onto p3")
    log("loop: %d and %d frames per direction in 3 s" % (st[0]["rx_packets"], st[1]["rx_packets"]))

    # 5. nfvctl, tables and JSON, with counters that are not zero.
    for args in (["show", "ports"], ["show", "stats"], ["show", "mac"], ["show", "vnf", "sw"]):
        js = nfvd.nfvctl(*args)
        check(js not in (None, [], {}), "nfvctl -j %s: empty" % " ".join(args))
        txt = nfvd.nfvctl(*args, json_out=False).stdout
        check(len(txt.strip().splitlines()) >= 2, "nfvctl %s: no table:\n%s" % (" ".join(args), txt))
        log("nfvctl %s:\n%s" % (" ".join(args), txt.rstrip()))
    ports_txt = nfvd.nfvctl("show", "ports", json_out=False).stdout
    for n in names:
        check(n in ports_txt, "nfvctl show ports: no line for %s" % n)
    stats = nfvd.nfvctl("show", "stats")
    check("workers" in stats and stats["workers"], "show stats: no workers: %s" % stats)
    check(stats["workers"][0]["packets"] > 0, "show stats: worker 0 counted no packets")
    vnf = nfvd.nfvctl("show", "vnf", "sw")
    check(vnf.get("name") == "sw" and len(vnf.get("ifaces", [])) == 3, "show vnf sw: %s" % vnf)
    bad = nfvd.nfvctl("show", "vnf", "nosuch", check_rc=False)
    check(bad.returncode == 1 and "nosuch" in bad.stderr, "show vnf nosuch: rc %d, %r" % (bad.returncode, bad.stderr))

    flushed = nfvd.nfvctl("mac", "flush")
    log("mac flush: %s" % flushed)
    check(nfvd.alive(), "nfvd died")
    pmd.quit()
    nfvd.stop_clean()


if __name__ == "__main__":
    nfvtest.main(run, "switch-traffic", budget=100, needs=["dpdk-testpmd"])
