#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the kept seed corpus of fuzz_vxlan (tests/fuzz/vxlan/fuzz_vxlan.c):
small programs that reach each path, for the driver and for libFuzzer to
start from.

    tests/fuzz/vxlan/make_corpus.py [DIR]     (default: its corpus/)

Standard library only.  An op byte % 16: 0-6 an inner frame (flags, port,
len16, fill, type, mac, mac), 7-9 an outer frame for p4 (flags, sel,
sel2, len16, fill, type, mac, mac), 10 repeat, 11 submit, 12 time, 13 a
verb (instance + what, arg), 14 port accepts, 15 link flip."""
import hashlib
import os
import struct
import sys

BC, A, B, C = 5, 0, 1, 2


def inner(port, length, dst, src, t=0x80, flags=0, fill=1):
    return bytes([0, flags, port, length >> 8, length & 0xff, fill, t,
                  dst, src])


def outer(sel, sel2, length, dst, src, flags=0, t=0x80):
    return bytes([7, flags, sel, sel2, length >> 8, length & 0xff, 3, t,
                  dst, src])


def verb(inst, what, arg):
    return bytes([13, inst + 3 * what, arg])


def rta(t, data):
    n = 4 + len(data)
    return (struct.pack("<HH", n, t) + data + bytes((4 - n % 4) % 4))


def evpn(sel, body):
    """Op 13 with arg 0xf0 + sel (0 NEWLINK, 1 DELLINK, 2 NEWNEIGH,
    3 DELNEIGH): a length byte, then the message after its header."""
    return bytes([13, 0xf0 + sel, len(body)]) + body


def vxlan_link(ifindex, vni):
    return struct.pack("<BBHiII", 0, 0, 0, ifindex, 0, 0) + rta(
        18, rta(1, b"vxlan\0") + rta(2, rta(1, struct.pack("<I", vni))))


def fdb(ifindex, mac, dst):
    return (struct.pack("<BBHiHBB", 7, 0, 0, ifindex, 0x80, 0x12, 0)
            + rta(2, mac) + rta(1, bytes(dst)))


MAC_B = bytes([2, 0, 0, 0, 0, 0x0b])
ZERO = bytes(6)
T9 = [192, 0, 2, 9]

PROGRAMS = {
    # a broadcast from a.red floods to b and 192.0.2.9; b answers unicast
    "flood-learn": inner(0, 80, BC, A) + bytes([11]) + inner(2, 90, A, B)
    + bytes([11]) + inner(0, 70, B, A) + bytes([10, 20]),
    # VNI 200 over IPv6 and IPv4, two segments, no headroom
    "blue-v6": inner(1, 300, BC, A, flags=2) + bytes([40])
    + inner(1, 64, B, A, flags=1) + inner(3, 1400, BC, C),
    # c: good, wrong port, unknown VNI, bad flags, cut, learned then aged
    "outer": outer(0, 0, 100, A, B) + outer(3, 0, 100, A, B)
    + outer(0x20, 0, 60, A, B) + outer(0, 64, 60, A, B)
    + outer(0, 128, 60, A, B) + bytes([20]) + outer(0, 2, 60, A, B)
    + outer(0, 16, 60, A, B) + bytes([11, 12, 40]) + inner(5, 60, B, C),
    # verbs: add/del VTEPs and static entries while traffic flows
    "verbs": verb(0, 0, 2) + verb(0, 4, 1 | (1 << 3)) + inner(0, 60, B, A)
    + verb(0, 3, 1) + inner(0, 60, B, A) + verb(2, 6, 0) + verb(1, 7, 0)
    + verb(2, 8, 0) + verb(0, 2, 0x11) + verb(1, 5, 8),
    # EVPN (instance a has evpn:): the vxlan device, .9 floods VNI 100,
    # B behind .9; B seen locally (local-moved), the delete of it (stays
    # local), B from .2 (becomes remote), then withdrawn with .9
    "evpn": evpn(0, vxlan_link(7, 100)) + evpn(2, fdb(7, ZERO, T9))
    + evpn(2, fdb(7, MAC_B, T9)) + inner(0, 60, A, B) + bytes([11])
    + evpn(3, fdb(7, MAC_B, T9)) + inner(0, 60, BC, B) + bytes([11])
    + outer(0, 0, 100, A, B) + bytes([11]) + evpn(3, fdb(7, ZERO, T9))
    + inner(0, 60, B, A) + bytes([12, 40]) + evpn(1, vxlan_link(7, 100)),
    # ports refusing, a link down
    "ports": bytes([14, 3]) + inner(0, 60, BC, A) + bytes([15, 2])
    + inner(2, 60, BC, B) + bytes([11, 14, 33]),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for prog in PROGRAMS.values():
        name = hashlib.sha1(prog).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(prog)


if __name__ == "__main__":
    main()
