#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the vxlan pcap golden cases: inputs, expected outputs, counters.

    gen_pcaps.py [OUT_DIR]      (default: cases/ next to this script)

Deterministic (fixed frames and timestamps): commit its output.  The
layout of a case is tests/pcap/common/run_pcap_test.py's.

The expected outer headers are written here independently of nfvd:
scapy computes the IPv4 header and IPv6 UDP checksums, and the outer UDP
source port is the inner flow hash as vnf/vxlan/vxlan_priv.h defines it
(CRC32C of the inner addresses, protocol and ports, the way DPDK's
rte_hash_crc() computes it: no inversion, the seed as the initial value),
so the comparison checks nfvd's encapsulation byte by byte.

Order (one worker): the worker polls the ports in config order, each rx
capture is shorter than a burst: `up`'s frames (decapsulation, which
learns) are one burst, then `vm`'s.  A burst's originals leave first; the
flood copies it made leave after it.  The original of a flooded frame
goes to the last VTEP (the highest slot: the last in `vteps`), copies to
the others in slot order.
"""
import os
import struct
import sys

from scapy.all import ARP, Ether, IP, IPv6, Raw, UDP
from scapy.contrib.geneve import GENEVE

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "l2switch"))
import gen_pcaps as l2  # noqa: E402
from gen_pcaps import pcap_port, write_case  # noqa: E402

l2.CONFIG_HEAD = l2.CONFIG_HEAD.replace("/l2switch/", "/vxlan/")

US = "02:00:00:00:0a:01"        # the underlay iface's MAC
T2 = "02:00:00:00:0b:02"        # VTEP 192.0.2.2's next hop
T3 = "02:00:00:00:0b:03"        # VTEP 192.0.2.3's next hop
NH = "02:00:00:00:0a:fe"        # nexthop_mac
VM_A = "02:00:00:00:00:0a"      # a local VM
VM_R = "02:00:00:00:00:22"      # a remote VM, static behind .2
VM_X = "02:00:00:00:00:99"      # a remote VM, learned behind .3
BC = "ff:ff:ff:ff:ff:ff"
LOCAL4, LOCAL6 = "192.0.2.1", "2001:db8::1"

VX_CONFIG = (
    "vnfs:\n"
    "  - name: vx\n"
    "    type: vxlan\n"
    "    ifaces: [{name: underlay}, {name: red, vni: 100}, "
    "{name: blue, vni: 200}]\n"
    f"    local: [{LOCAL4}, \"{LOCAL6}\"]\n"
    f"    mac: \"{US}\"\n"
    f"    nexthop_mac: \"{NH}\"\n"
    "    vteps:\n"
    f"      - {{ip: 192.0.2.2, mac: \"{T2}\", vnis: [100, 200]}}\n"
    f"      - {{ip: 192.0.2.3, mac: \"{T3}\", vnis: [100]}}\n"
    "      - {ip: \"2001:db8::2\", vnis: [200]}\n"
    "    fdb:\n"
    f"      - {{mac: \"{VM_R}\", vni: 100, vtep: 192.0.2.2}}\n"
    "links:\n"
    "  - [vx.underlay, up]\n"
    "  - [red, vx.red]\n"
    "  - [blue, vx.blue]\n")


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


CRC_T = _crc32c_table()


def crc32c(data, crc):
    """DPDK's rte_hash_crc(): CRC32C, `crc` the initial value, no final
    inversion."""
    for b in data:
        crc = CRC_T[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


def sport(inner):
    """The outer source port of an inner frame (vx_flow_hash, vx_sport)."""
    b = bytes(inner)
    etype = b[12:14]
    if etype == b"\x08\x00":
        proto = b[23]
        h = crc32c(b[26:30], proto)
        h = crc32c(b[30:34], h)
        if proto in (6, 17, 132) and not (b[20] & 0x1f or b[21]):
            ihl = (b[14] & 0xf) * 4
            h = crc32c(b[14 + ihl:14 + ihl + 4], h)
    elif etype == b"\x86\xdd":
        proto = b[20]
        h = crc32c(b[22:54], proto)
        if proto in (6, 17, 132):
            h = crc32c(b[54:58], h)
    else:
        h = crc32c(b[:12], int.from_bytes(etype, "little"))
    return 49152 + ((h ^ (h >> 16)) & 0x3fff)


def vxlan_hdr(vni, flags=0x08):
    return struct.pack("!BBBBI", flags, 0, 0, 0, vni << 8)


def encap4(inner, dst, dmac, vni, src=LOCAL4, smac=US):
    """What nfvd sends towards an IPv4 VTEP (DF, TTL 64, UDP checksum 0)."""
    return bytes(Ether(src=smac, dst=dmac)
                 / IP(src=src, dst=dst, flags="DF", ttl=64, id=0)
                 / UDP(sport=sport(inner), dport=4789, chksum=0)
                 / Raw(vxlan_hdr(vni) + bytes(inner)))


def encap6(inner, dst, dmac, vni):
    """Towards an IPv6 VTEP: with a UDP checksum (scapy's)."""
    return bytes(Ether(src=US, dst=dmac)
                 / IPv6(src=LOCAL6, dst=dst, hlim=64)
                 / UDP(sport=sport(inner), dport=4789)
                 / Raw(vxlan_hdr(vni) + bytes(inner)))


def peer4(inner, src, vni, dport=4789, dst=LOCAL4, flags=0x08):
    """What a peer VTEP sends us (its own source port, a UDP checksum of 0
    as Linux sends over IPv4)."""
    return bytes(Ether(src=T2, dst=US)
                 / IP(src=src, dst=dst, ttl=64, id=7)
                 / UDP(sport=50000, dport=dport, chksum=0)
                 / Raw(vxlan_hdr(vni, flags) + bytes(inner)))


def frame(src, dst, n, size=60, ip6=False):
    """An inner frame of `size` bytes marked with n."""
    if ip6:
        f = (Ether(src=src, dst=dst) / IPv6(src="2001:db8:1::1",
                                            dst="2001:db8:1::2")
             / UDP(sport=1000 + n, dport=9))
    else:
        f = (Ether(src=src, dst=dst)
             / IP(src="10.0.0.1", dst="10.0.0.2", id=n)
             / UDP(sport=1000 + n, dport=9))
    return bytes(f / Raw(bytes((n + i) & 0xff for i in range(size - len(f)))))


def case_overlay(out):
    """From the underlay: VXLAN packets for VNI 100 and 200 are
    decapsulated (X is learned behind 192.0.2.3); unknown VNI, wrong
    port, not for us, no I flag are dropped; an ARP request for the local
    VTEP address is answered.  From red (VNI 100): a frame to the static
    R goes to .2, to the learned X to .3, a broadcast to .2 (a copy) and
    .3 (the original), flows get their own source ports.  From blue (VNI
    200): a broadcast goes to .2 (copy) and the IPv6 VTEP (original,
    with the nexthop_mac and a UDP checksum)."""
    d100 = frame(VM_X, VM_A, 1, 80)
    d200 = frame(VM_X, VM_A, 2, 64, ip6=True)
    arp_req = bytes(Ether(src=T2, dst=BC)
                    / ARP(op=1, hwsrc=T2, psrc="192.0.2.2",
                          pdst=LOCAL4))
    arp_rep = bytes(Ether(src=US, dst=T2)
                    / ARP(op=2, hwsrc=US, psrc=LOCAL4, hwdst=T2,
                          pdst="192.0.2.2"))
    up_in = [
        peer4(d100, "192.0.2.3", 100),
        peer4(d200, "192.0.2.3", 200),
        peer4(d100, "192.0.2.3", 300),                 # unknown-vni
        peer4(d100, "192.0.2.3", 100, dport=8472),     # wrong-port
        peer4(d100, "192.0.2.3", 100, dst="192.0.2.9"),  # not-local
        peer4(d100, "192.0.2.3", 100, flags=0),        # bad-vxlan
        arp_req,
    ]
    to_r = [frame(VM_A, VM_R, 10 + n, 60 + 20 * n) for n in range(3)]
    to_x = frame(VM_A, VM_X, 20, 100)
    bcast = frame(VM_A, BC, 30, 70)
    red_in = to_r + [to_x, bcast]
    blue_b = frame(VM_A, BC, 40, 90, ip6=True)
    up_out = ([arp_rep]
              + [encap4(f, "192.0.2.2", T2, 100) for f in to_r]
              + [encap4(to_x, "192.0.2.3", T3, 100),
                 encap4(bcast, "192.0.2.3", T3, 100),
                 encap4(bcast, "192.0.2.2", T2, 100)]
              + [encap6(blue_b, "2001:db8::2", NH, 200),
                 encap4(blue_b, "192.0.2.2", T2, 200)])
    config = ("ports:\n" + pcap_port("up", True, True)
              + pcap_port("red", True, True)
              + pcap_port("blue", True, True) + VX_CONFIG)
    write_case(out, "overlay", config,
               {"up": up_in, "red": red_in, "blue": [blue_b]},
               {"up": up_out, "red": [d100], "blue": [d200]},
               {"vx": {"decapsulated": 2, "arp-replied": 1,
                       "unknown-vni": 1, "wrong-port": 1, "not-local": 1,
                       "bad-vxlan": 1, "learned": 2, "encapsulated": 4,
                       "flooded": 2, "flood-copies": 2, "too-big": 0}},
               case_overlay.__doc__)


def gnv_encap4(inner, dst, dmac, vni):
    """What nfvd sends with encap: geneve: scapy's Geneve header (version
    0, no options, O and C clear, TEB), port 6081, else as encap4()."""
    return bytes(Ether(src=US, dst=dmac)
                 / IP(src=LOCAL4, dst=dst, flags="DF", ttl=64, id=0)
                 / UDP(sport=sport(inner), dport=6081, chksum=0)
                 / GENEVE(vni=vni, proto=0x6558)
                 / Raw(bytes(inner)))


def gnv_peer4(inner, src, vni, dport=6081, **kw):
    """A Geneve packet a peer sends us; kw: GENEVE's fields (options,
    optionlen, critical, oam, version, proto)."""
    kw.setdefault("proto", 0x6558)
    return bytes(Ether(src=T2, dst=US)
                 / IP(src=src, dst=LOCAL4, ttl=64, id=7)
                 / UDP(sport=50000, dport=dport, chksum=0)
                 / GENEVE(vni=vni, **kw)
                 / Raw(bytes(inner)))


def case_geneve(out):
    """encap: geneve (udp_port 6081 by default).  From the underlay:
    Geneve packets for VNI 100 (no options) and 200 (two words of a
    non-critical option, skipped) are decapsulated; a critical option,
    a control (O) packet, version 1, a protocol not Ethernet, and a VXLAN
    packet to 4789 are dropped.  From red: a frame to the static R goes
    to .2 and a broadcast to .3 (original) and .2 (copy), each with a
    Geneve header."""
    d100 = frame(VM_X, VM_A, 1, 80)
    d200 = frame(VM_X, VM_A, 2, 64, ip6=True)
    opt = b"\x01\x01\x01\x01\xee\xee\xee\xee"  # class 0x0101 type 1
    up_in = [
        gnv_peer4(d100, "192.0.2.3", 100),
        gnv_peer4(d200, "192.0.2.3", 200, optionlen=2, options=opt),
        gnv_peer4(d100, "192.0.2.3", 100, optionlen=2, options=opt,
                  critical=1),                           # geneve-critical
        gnv_peer4(d100, "192.0.2.3", 100, oam=1),        # geneve-oam
        gnv_peer4(d100, "192.0.2.3", 100, version=1),    # bad-geneve
        gnv_peer4(d100, "192.0.2.3", 100, proto=0x0800),  # bad-geneve
        peer4(d100, "192.0.2.3", 100),                   # wrong-port
    ]
    to_r = frame(VM_A, VM_R, 10, 60)
    bcast = frame(VM_A, BC, 30, 70)
    up_out = [gnv_encap4(to_r, "192.0.2.2", T2, 100),
              gnv_encap4(bcast, "192.0.2.3", T3, 100),
              gnv_encap4(bcast, "192.0.2.2", T2, 100)]
    config = ("ports:\n" + pcap_port("up", True, True)
              + pcap_port("red", True, True)
              + pcap_port("blue", False, True)
              + VX_CONFIG.replace("    vteps:\n",
                                  "    encap: geneve\n    vteps:\n"))
    write_case(out, "geneve", config,
               {"up": up_in, "red": [to_r, bcast]},
               {"up": up_out, "red": [d100], "blue": [d200]},
               {"vx": {"decapsulated": 2, "geneve-critical": 1,
                       "geneve-oam": 1, "bad-geneve": 2, "wrong-port": 1,
                       "bad-outer": 0, "learned": 2, "encapsulated": 1,
                       "flooded": 1, "flood-copies": 1}},
               case_geneve.__doc__)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "cases")
    case_overlay(out)
    case_geneve(out)


if __name__ == "__main__":
    main()
