#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""vhost-user peers that go away in the middle of full-speed traffic.

nfvd's workers call the vhost library directly for vhost-user ports
(docs/architecture.md, "vhost-user ports, past the ethdev"): when a
frontend goes, its device is freed only after every worker has left it.
This test makes that happen while the workers are busiest: testpmd runs a
closed mac-forward loop (8 bursts in flight per port) through nfvd's
switch, and in each round it is either killed with SIGKILL or told to
quit while the loop runs.  Every round nfvd must keep its PID, see both
links go down and come up with the next testpmd, and forward again at
once; at the end it stops cleanly with every mbuf back in its pool.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, log  # noqa: E402

MAC = ["02:00:00:00:05:01", "02:00:00:00:05:02"]
ROUNDS = 6


def run(env):
    names = ["p1", "p2"]
    socks = [env.path("%s.sock" % n) for n in names]
    nfvd = env.nfvd(
        ports=[{"name": n, "type": "vhost-user", "path": s, "mode": "server"} for n, s in zip(names, socks)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        links=[["p1", "sw.a"], ["p2", "sw.b"]])
    nfvd.start()
    pid = nfvd.pid

    for r in range(ROUNDS):
        pmd = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s" % (i, s, MAC[i]) for i, s in enumerate(socks)],
                          peers=[MAC[1], MAC[0]], fwd="mac", name="testpmd-%d" % r).start()
        nfvd.wait_links(names)
        pmd.cmd("start tx_first 8")
        c0 = nfvd.ports()
        # A different moment of the loop each round.
        time.sleep(0.4 + 0.15 * r)
        c1 = nfvd.ports()
        for n in names:
            moved = c1[n]["tx_packets"] - c0[n]["tx_packets"]
            check(moved > 1000, "round %d: %s forwarded only %d frames" % (r, n, moved))
        log("round %d: %d frames/s out of p1" % (r, (c1["p1"]["tx_packets"] - c0["p1"]["tx_packets"])
                                                   / (0.4 + 0.15 * r)))
        if r % 2 == 0:
            log("round %d: SIGKILL to %s (pid %d) mid-traffic" % (r, pmd.name, pmd.pid))
            pmd.kill()
        else:
            log("round %d: %s quits mid-traffic" % (r, pmd.name))
            pmd.quit()
        nfvd.wait_links(names, "down")
        check(nfvd.alive() and nfvd.pid == pid, "round %d: nfvd died with its peer" % r)

    nfvd.stop_clean(socks)


if __name__ == "__main__":
    nfvtest.main(run, "vhost-churn", budget=100, needs=["dpdk-testpmd"])
