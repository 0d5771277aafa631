#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A vhost-user peer that dies and comes back; nfvd (server mode) never stops.

nfvd switches four vhost-user server ports.  testpmd A (p1, p2) keeps a
closed mac-forward loop running; testpmd B (p3, p4) is the peer that goes
away: it is killed with SIGKILL (a crash), and while it is gone nfvd keeps
its PID, p3/p4 go down and A's frames keep moving; B is started again on
the same sockets, p3/p4 come up and B's bursts arrive again, exactly.
Finally nfvd stops cleanly with every mbuf back in its pool.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

A = ["02:00:00:00:02:01", "02:00:00:00:02:02"]
B = ["02:00:00:00:02:03", "02:00:00:00:02:04"]
BURST = 32


def start_b(env, socks, name):
    pmd = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s" % (i, socks[2 + i], B[i]) for i in range(2)],
                      peers=[B[1], B[0]], fwd="rxonly", name=name)
    return pmd.start()


def b_bursts(pmd, nfvd, bursts=2):
    """B sends `bursts` bursts from each port to the other; both get all."""
    pmd.cmd("clear port stats all")
    pmd.cmd("start tx_first %d" % bursts)
    st = pmd.wait_rx({0: bursts * BURST, 1: bursts * BURST})
    time.sleep(0.3)
    pmd.cmd("stop")
    st = pmd.stats()
    for i in range(2):
        check_eq(st[i]["tx_packets"], bursts * BURST, "%s port %d TX" % (pmd.name, i))
        check_eq(st[i]["rx_packets"], bursts * BURST, "%s port %d RX" % (pmd.name, i))


def run(env):
    names = ["p1", "p2", "p3", "p4"]
    socks = [env.path("%s.sock" % n) for n in names]
    nfvd = env.nfvd(
        ports=[{"name": n, "type": "vhost-user", "path": s, "mode": "server"} for n, s in zip(names, socks)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": x} for x in "abcd"]}],
        links=[[n, "sw.%s" % x] for n, x in zip(names, "abcd")])
    nfvd.start()
    pid = nfvd.pid

    pa = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s" % (i, socks[i], A[i]) for i in range(2)],
                     peers=[A[1], A[0]], fwd="rxonly", name="testpmd-a").start()
    pb = start_b(env, socks, "testpmd-b")
    nfvd.wait_links(names)

    # Teach the switch every MAC, then check B's path.
    pa.cmd("start tx_first 1")
    pb.cmd("start tx_first 1")
    nfvd.wait_stable()
    pa.cmd("stop")
    pb.cmd("stop")
    b_bursts(pb, nfvd)

    # A's closed loop runs from here to the end.
    pa.cmd("set fwd mac")
    pa.cmd("start tx_first 2")

    def a_moving(what):
        c0 = nfvd.ports()
        time.sleep(1)
        c1 = nfvd.ports()
        for n in ("p1", "p2"):
            d = c1[n]["tx_packets"] - c0[n]["tx_packets"]
            check(d > 1000, "%s: A's port %s forwarded only %d frames in 1 s" % (what, n, d))
        log("%s: A's loop moves %d frames/s on p1" % (what, c1["p1"]["tx_packets"] - c0["p1"]["tx_packets"]))
    a_moving("before the crash")

    # B crashes.
    log("killing %s (pid %d) with SIGKILL" % (pb.name, pb.pid))
    pb.kill()
    nfvd.wait_links(["p3", "p4"], "down")
    check(nfvd.alive() and nfvd.pid == pid, "nfvd died with its peer")
    a_moving("while B is gone")
    check_eq(nfvd.ports()["p1"]["link"], "up", "p1 link while B is gone")

    # B comes back on the same sockets.
    pb2 = start_b(env, socks, "testpmd-b2")
    nfvd.wait_links(["p3", "p4"])
    b_bursts(pb2, nfvd)
    a_moving("after B came back")
    check(nfvd.alive() and nfvd.pid == pid, "nfvd restarted or died")

    # Once more, with B quitting politely this time.
    pb2.quit()
    nfvd.wait_links(["p3", "p4"], "down")
    pb3 = start_b(env, socks, "testpmd-b3")
    nfvd.wait_links(["p3", "p4"])
    b_bursts(pb3, nfvd)
    check(nfvd.alive() and nfvd.pid == pid, "nfvd restarted or died")

    pa.cmd("stop")
    pa.quit()
    pb3.quit()
    nfvd.stop_clean(socks)


if __name__ == "__main__":
    nfvtest.main(run, "reconnect-server", budget=100, needs=["dpdk-testpmd"])
