#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the mirror pcap golden cases: inputs, expected outputs, counters.

    gen_pcaps.py [OUT_DIR]      (default: cases/ next to this script)

Deterministic (fixed frames and timestamps): commit its output.  The
layout of a case is tests/pcap/common/run_pcap_test.py's.

Order (one worker): the worker polls the ports in config order, each rx
capture is shorter than a burst, so port a's frames are one burst, then
b's, then span's.  A burst's originals leave first; the copies it made
leave by span after it.  Sampling counts frames over bursts and
directions: with sample 2, a's frames 0, 2, 4 and then b's 1, 3.
"""
import os
import sys

from scapy.all import Ether, IP, Raw, UDP

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "l2switch"))
import gen_pcaps as l2  # noqa: E402
from gen_pcaps import pcap_port, write_case  # noqa: E402

# write_case() heads each config with this: name the script that wrote it.
l2.CONFIG_HEAD = l2.CONFIG_HEAD.replace("/l2switch/", "/mirror/")

A = "02:00:00:00:00:0a"
B = "02:00:00:00:00:0b"


def frame(src, dst, n, size):
    f = (Ether(src=src, dst=dst) / IP(src="192.0.2.1", dst="192.0.2.2", id=n)
         / UDP(sport=1000 + n, dport=9))
    return bytes(f / Raw(bytes((n + i) & 0xff for i in range(size - len(f)))))


def case_both(out):
    """Frames pass a <-> b untouched; copies of every other frame of both
    directions, cut to 64 bytes, leave by span; frames sent in by span
    (the analyzer) are dropped."""
    a = [frame(A, B, n, 60 + 40 * n) for n in range(5)]
    b = [frame(B, A, 10 + n, 100) for n in range(4)]
    s = [frame(A, B, 20 + n, 60) for n in range(2)]
    copies = [f[:64] for f in (a[0], a[2], a[4], b[1], b[3])]
    config = (
        "ports:\n"
        + pcap_port("a", True, True)
        + pcap_port("b", True, True)
        + pcap_port("span", True, True)
        + "vnfs:\n"
        "  - {name: m, type: mirror, direction: both, snaplen: 64, "
        "sample: 2,\n"
        "     ifaces: [{name: in}, {name: out}, {name: span}]}\n"
        "links:\n"
        "  - [a, m.in]\n"
        "  - [m.out, b]\n"
        "  - [m.span, span]\n")
    write_case(out, "both", config, {"a": a, "b": b, "span": s},
               {"a": b, "b": a, "span": copies},
               {"m": {"forwarded": 9, "mirrored": 5,
                      "mirror-copy-failed": 0, "from-span": 2}},
               case_both.__doc__)


def case_in(out):
    """direction in (the default): only frames that came in by `in` are
    copied, whole."""
    a = [frame(A, B, n, 80) for n in range(3)]
    b = [frame(B, A, 10 + n, 80) for n in range(3)]
    config = (
        "ports:\n"
        + pcap_port("a", True, True)
        + pcap_port("b", True, True)
        + pcap_port("span", False, True)
        + "vnfs:\n"
        "  - {name: m, type: mirror,\n"
        "     ifaces: [{name: in}, {name: out}, {name: span}]}\n"
        "links:\n"
        "  - [a, m.in]\n"
        "  - [m.out, b]\n"
        "  - [m.span, span]\n")
    write_case(out, "in", config, {"a": a, "b": b},
               {"a": b, "b": a, "span": a},
               {"m": {"forwarded": 6, "mirrored": 3, "from-span": 0}},
               case_in.__doc__)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "cases")
    case_both(out)
    case_in(out)


if __name__ == "__main__":
    main()
