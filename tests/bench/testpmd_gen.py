#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Read the log of dpdk-testpmd used as a generator by compare.sh.

compare.sh drives testpmd interactively (`start tx_first N`, then after
the warm-up `show port stats all`, after the window the same again, then
`stop`): testpmd's "Throughput (since last show)" of the last statistics
block of each port is the window's rate, and with `set record-core-cycles
on` the `stop` summary gives the forwarding core's busy cycles (the cycles
of the rounds that received a frame, counted since `start`).

    testpmd_gen.py LOG ELAPSED_NS

prints one line, tab separated: Mpps 0->1 (port 1's RX), Mpps 1->0 (port
0's RX), the TSC in Hz, and the generator's busy share in % of the
ELAPSED_NS between `start` and `stop` (empty when testpmd did not print
its cycles).  Exit 1, with the reason on stderr, when the log holds no
rate for both ports.
"""
import re
import sys

_BLOCK = re.compile(r"#+ NIC statistics for port (\d+)\s+#+(.*?)#{20,}", re.S)
_RXPPS = re.compile(r"Rx-pps:\s+(\d+)")
_CYCLES = re.compile(r"CPU cycles/packet=[0-9.]+ \((?:total|busy) cycles=(\d+) / total \S+ packets=(\d+)\)"
                     r" at (\d+) MHz Clock")


def parse(text, elapsed_ns):
    """(mpps_0to1, mpps_1to0, tsc_hz, busy_pct or None); ValueError when
    the log lacks a rate for port 0 or port 1."""
    # The prompt and the command it echoes may cut into a line (a
    # command read while testpmd printed): take them out.
    text = re.sub(r"testpmd> (?:(?:quit|stop|show port stats all)\n)?", "", text)
    rx = {}
    for m in _BLOCK.finditer(text):
        pps = _RXPPS.search(m.group(2))
        if pps:
            rx[int(m.group(1))] = int(pps.group(1))  # the last block wins
    if 0 not in rx or 1 not in rx:
        raise ValueError("no throughput for port%s %s in the log" % (
            "s" if len({0, 1} - set(rx)) > 1 else "", " and ".join(str(p) for p in sorted({0, 1} - set(rx)))))
    tsc_hz, busy = None, None
    c = _CYCLES.search(text)
    if c:
        tsc_hz = int(c.group(3)) * 1000000
        if elapsed_ns > 0:
            busy = min(100.0, 100.0 * int(c.group(1)) / (tsc_hz * elapsed_ns / 1e9))
    return rx[1] / 1e6, rx[0] / 1e6, tsc_hz, busy


def main(argv):
    if len(argv) != 3:
        print("usage: testpmd_gen.py LOG ELAPSED_NS", file=sys.stderr)
        return 2
    try:
        with open(argv[1], errors="replace") as f:
            m01, m10, hz, busy = parse(f.read(), int(argv[2]))
    except (OSError, ValueError) as e:
        print("testpmd_gen.py: %s" % e, file=sys.stderr)
        return 1
    print("\t".join(["%.4f" % m01, "%.4f" % m10, "%d" % hz if hz else "",
                     "%.1f" % busy if busy is not None else ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
