#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the bpf VNF's pcap golden case: inputs, expected outputs, counters.

    gen_pcaps.py [OUT_DIR]      (default: cases/ next to this script)

Deterministic (fixed frames and timestamps): commit its output.  The
layout of a case is tests/pcap/common/run_pcap_test.py's.  The graph is
configs/bpf.yaml's with pcap ports: the three examples of configs/bpf/
chained, loaded from build/configs/bpf/ (meson runs the test in the build
directory, and the config names the programs relative to it, as
configs/bpf.yaml does from the repository root).

Order (one worker): the input is read 32 frames a burst, in order; each
program keeps the order of the frames it sends one way, so every output
holds its frames in input order, and the sampler counts the frames that
reach it in input order.
"""
import os
import sys

from scapy.all import ARP, Ether, ICMP, IP, IPv6, Raw, TCP, UDP

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "l2switch"))
import gen_pcaps as l2  # noqa: E402
from gen_pcaps import pcap_port, write_case  # noqa: E402

l2.CONFIG_HEAD = l2.CONFIG_HEAD.replace("/l2switch/", "/bpf/")

A = "02:00:00:00:00:0a"
B = "02:00:00:00:00:0b"


def pad(f, n):
    return bytes(f / Raw(bytes((n + i) & 0xff for i in range(max(0, 64 - len(f))))))


def tcp(n, dport, ip6=False):
    l3 = IPv6(src="2001:db8::1", dst="2001:db8::2") if ip6 else \
        IP(src="192.0.2.1", dst="192.0.2.2", id=n)
    return pad(Ether(src=A, dst=B) / l3 / TCP(sport=40000 + n, dport=dport), n)


def udp(n, sport, dport):
    return pad(Ether(src=A, dst=B) / IP(src="192.0.2.1", dst="192.0.2.2", id=n)
               / UDP(sport=sport, dport=dport), n)


def case_chain(out):
    """The three examples chained as in configs/bpf.yaml: the classifier
    sends web (TCP 80, 443) to `web`, DNS to the DNS-only filter (which
    passes it on to `dnsout`) and the rest to the sampler, which sends the
    1st and the 65th of those to `samples` and drops the others."""
    web = [tcp(1, 80), tcp(2, 443), tcp(3, 443, ip6=True)]
    dns = [udp(4, 5353, 53), tcp(5, 53)]
    other = [udp(10 + n, 1000 + n, 9) for n in range(66)]
    other[7] = pad(Ether(src=A, dst=B) / IP(src="192.0.2.1", dst="192.0.2.2")
                   / ICMP(), 7)
    other[8] = bytes(Ether(src=A, dst="ff:ff:ff:ff:ff:ff") / ARP(pdst="192.0.2.2"))
    other[9] = udp(19, 80, 1234)  # UDP to 1234 from 80: not web
    # Web and DNS frames spread among the others.
    frames = other[:5] + web + other[5:40] + dns + other[40:]
    config = (
        "ports:\n"
        + pcap_port("in", True, True)
        + pcap_port("web", False, True)
        + pcap_port("dnsout", False, True)
        + pcap_port("samples", False, True)
        + "vnfs:\n"
        "  - {name: cls, type: bpf, program: configs/bpf/port_classifier.o,\n"
        "     section: nfvd/classifier,\n"
        "     ifaces: [{name: in}, {name: web}, {name: dns}, {name: other}]}\n"
        "  - {name: dns, type: bpf, program: configs/bpf/dns_filter.o,\n"
        "     ifaces: [{name: a}, {name: b}]}\n"
        "  - {name: smp, type: bpf, program: configs/bpf/rate_sampler.o,\n"
        "     jit: false, ifaces: [{name: in}, {name: sample}]}\n"
        "links:\n"
        "  - [in, cls.in]\n"
        "  - [cls.web, web]\n"
        "  - [cls.dns, dns.a]\n"
        "  - [dns.b, dnsout]\n"
        "  - [cls.other, smp.in]\n"
        "  - [smp.sample, samples]\n")
    write_case(out, "chain", config, {"in": frames},
               {"in": [], "web": web, "dnsout": dns,
                "samples": [other[0], other[64]]},
               {"cls": {"forwarded": len(frames), "dropped": 0,
                        "bad-verdict": 0},
                "dns": {"forwarded": 2, "dropped": 0},
                "smp": {"forwarded": 2, "dropped": len(other) - 2}},
               case_chain.__doc__)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "cases")
    case_chain(out)


if __name__ == "__main__":
    main()
