#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfvd in vhost-user client mode, restarted under a peer that stays.

The peer is testpmd with virtio-user ports in server mode (server=1: it
listens, and blocks its start-up until a backend connects).  nfvd's ports
are `mode: client`.  Traffic flows; nfvd is stopped (SIGTERM, exit 0) and
started again, then killed (SIGKILL, a crash) and started again: each
time the new nfvd reconnects to the same sockets, the links come up and
testpmd's bursts cross the switch again, exactly, while testpmd keeps
its PID throughout.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

MAC = ["02:00:00:00:03:01", "02:00:00:00:03:02"]
BURST = 32


def bursts_cross(pmd, what, bursts=2):
    # The first packets after a reconnect may meet a ring that virtio-user
    # and the new backend still disagree about; what counts is that every
    # burst sent after both links are up crosses the switch.
    pmd.cmd("clear port stats all")
    pmd.cmd("start tx_first %d" % bursts)
    pmd.wait_rx({0: bursts * BURST, 1: bursts * BURST})
    time.sleep(0.3)
    pmd.cmd("stop")
    st = pmd.stats()
    log("%s: testpmd %s" % (what, st))
    for i in range(2):
        check_eq(st[i]["tx_packets"], bursts * BURST, "%s: testpmd port %d TX" % (what, i))
        check_eq(st[i]["rx_packets"], bursts * BURST, "%s: testpmd port %d RX" % (what, i))


def run(env):
    socks = [env.path("c%d.sock" % i) for i in (1, 2)]
    ports = [{"name": "p%d" % (i + 1), "type": "vhost-user", "path": s, "mode": "client"}
             for i, s in enumerate(socks)]
    vnfs = [{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}]
    links = [["p1", "sw.a"], ["p2", "sw.b"]]

    pmd = env.testpmd(vdevs=["net_virtio_user%d,path=%s,server=1,mac=%s" % (i, s, MAC[i])
                             for i, s in enumerate(socks)],
                      peers=[MAC[1], MAC[0]], fwd="rxonly")
    pmd.start(wait=False)
    nfvtest.wait_for_socket(socks[0], 20)
    nfvd = env.nfvd(ports=ports, vnfs=vnfs, links=links)
    nfvd.start()
    pmd.wait_prompt(30)     # testpmd's start-up waited for nfvd on both sockets
    nfvd.wait_links(["p1", "p2"])
    tpid = pmd.pid
    bursts_cross(pmd, "first nfvd")
    p = nfvd.ports()
    check_eq((p["p1"]["rx_packets"], p["p2"]["tx_packets"]), (2 * BURST, 2 * BURST), "nfvd p1 rx / p2 tx")

    for how, sig in (("SIGTERM", signal.SIGTERM), ("SIGKILL", signal.SIGKILL)):
        old = nfvd.pid
        rc = nfvd.stop(sig)
        if sig == signal.SIGTERM:
            check_eq(rc, 0, "nfvd exit status after SIGTERM")
            check("mbufs back in their pool" in nfvd.log_text(), "nfvd did not report its mbufs back")
        else:
            check_eq(rc, -signal.SIGKILL, "nfvd killed")
        check(pmd.proc.alive() and pmd.pid == tpid, "testpmd died with nfvd")
        nfvtest.wait_for(lambda: not pmd.links_up(), 10, "testpmd to see its links down")
        nfvd.start()
        check(nfvd.pid != old, "a new nfvd")
        nfvd.wait_links(["p1", "p2"])
        nfvtest.wait_for(pmd.links_up, 10, "testpmd to see its links up")
        bursts_cross(pmd, "nfvd restarted after %s" % how)
        p = nfvd.ports()
        check(p["p1"]["rx_packets"] >= 2 * BURST and p["p2"]["tx_packets"] >= 2 * BURST,
              "new nfvd counted p1 rx %d, p2 tx %d" % (p["p1"]["rx_packets"], p["p2"]["tx_packets"]))

    check(pmd.proc.alive() and pmd.pid == tpid, "testpmd restarted or died")
    nfvd.stop_clean()
    pmd.quit()


if __name__ == "__main__":
    nfvtest.main(run, "reconnect-client", budget=100, needs=["dpdk-testpmd"])
