#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tests/bench/testpmd_gen.py, the reader of testpmd's log when compare.sh
uses testpmd as the generator: the last statistics block of each port
gives its rate (port 1's RX is the direction 0->1), the `stop` summary
the busy cycles and the TSC; a log without both ports' rates is an
error (exit 1)."""
import os
import subprocess
import sys
import benchtest as bt

sys.path.insert(0, os.path.join(bt.REPO, "tests", "bench"))
import testpmd_gen  # noqa: E402


def block(port, rx_pkts, rx_pps):
    return ("  ######################## NIC statistics for port %d  ########################\n"
            "  RX-packets: %d    RX-missed: 0          RX-bytes:  0\n"
            "  RX-errors: 0\n  RX-nombuf:  0         \n"
            "  TX-packets: %d    TX-errors: 0          TX-bytes:  0\n\n"
            "  Throughput (since last show)\n"
            "  Rx-pps:     %8d          Rx-bps:    0\n"
            "  Tx-pps:            0          Tx-bps:            0\n"
            "  ############################################################################\n"
            % (port, rx_pkts, rx_pkts, rx_pps))


# What testpmd 22.11 prints, abridged: the warm-up's show (rates 0), the
# window's show, the stop summary with record-core-cycles on.
LOG = ("testpmd> set record-core-cycles on\ntestpmd> start tx_first 8\n"
       + block(0, 4101920, 0) + block(1, 4102016, 0)
       + block(0, 6272704, 538178) + block(1, 6272448, 538090)
       + "testpmd> stop\nTelling cores to stop...\n"
       "  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++\n"
       "  RX-packets: 12545184       RX-dropped: 0             RX-total: 12545184\n"
       "  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n\n"
       "  CPU cycles/packet=750.69 (total cycles=9417583542 / total io packets=12545184) at 2690 MHz Clock\n")


def main():
    m01, m10, hz, busy = testpmd_gen.parse(LOG, 8 * 10**9)
    bt.expect(abs(m01 - 0.538090) < 1e-9 and abs(m10 - 0.538178) < 1e-9,
              "the window's rates, port 1's RX as 0->1 (%s, %s)" % (m01, m10))
    bt.expect(hz == 2690 * 10**6, "the TSC from the summary (%s)" % hz)
    bt.expect(busy is not None and abs(busy - 100.0 * 9417583542 / (2.69e9 * 8)) < 1e-6,
              "busy share: busy cycles over TSC Hz x the time from start to stop (%s)" % busy)
    # The prompt's echo cutting into the summary line.
    cut = LOG.replace("(total cycles", "(testpmd> total cycles")
    bt.expect(testpmd_gen.parse(cut, 8 * 10**9)[3] == busy, "a prompt inside the summary line is ignored")
    cut = LOG.replace("total io packets", "total io testpmd> quit\npackets")
    bt.expect(testpmd_gen.parse(cut, 8 * 10**9)[3] == busy, "a prompt and its command inside the summary line")
    # Other engines name themselves in the summary (5tswap, mac...).
    other = LOG.replace("total io packets", "total 5tswap packets")
    bt.expect(testpmd_gen.parse(other, 8 * 10**9)[3] == busy, "the summary of another forwarding engine")
    m = testpmd_gen.parse(LOG.split("  CPU cycles")[0], 8 * 10**9)
    bt.expect(m[2] is None and m[3] is None, "no summary: rates without busy share")
    try:
        testpmd_gen.parse(block(0, 1, 1), 1)
        bt.expect(False, "a log without port 1: ValueError")
    except ValueError as e:
        bt.expect("port 1" in str(e), "a log without port 1: ValueError naming it (%s)" % e)
    with bt.tmpdir() as tmp:
        path = os.path.join(tmp, "tp.log")
        with open(path, "w") as f:
            f.write(LOG)
        script = os.path.join(bt.REPO, "tests", "bench", "testpmd_gen.py")
        p = subprocess.run([sys.executable, script, path, str(8 * 10**9)], stdout=subprocess.PIPE, text=True)
        bt.expect(p.returncode == 0 and p.stdout.split("\t")[:3] == ["0.5381", "0.5382", "2690000000"],
                  "the command line: Mpps 0->1, 1->0, TSC Hz, busy (%r)" % p.stdout)
        with open(path, "w") as f:
            f.write("EAL: nothing\n")
        p = subprocess.run([sys.executable, script, path, "1"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        bt.expect(p.returncode == 1 and "testpmd_gen.py:" in p.stderr, "no rates: exit 1 with the reason")
    if bt.failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
