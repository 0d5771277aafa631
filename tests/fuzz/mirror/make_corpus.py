#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_mirror_nl: rtnetlink messages as the
kernel sends them to the mirror (one file: messages back to back).

    tests/fuzz/mirror/make_corpus.py [DIR]     (default: its corpus/)

Twins of the fuzz target: ifindex 7 and 9; table 254; svi ifaces br4000
(ifindex 12) and br100 (missing).  Standard library
only, so the files can be remade anywhere."""
import os
import socket
import struct
import sys

RTM_NEWLINK, RTM_DELLINK = 16, 17
RTM_NEWADDR, RTM_DELADDR = 20, 21
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
RTM_NEWNEIGH, RTM_DELNEIGH = 28, 29
NLMSG_DONE = 3
NLM_F_MULTI, NLM_F_REPLACE, NLM_F_CREATE = 0x2, 0x100, 0x400
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY = 1, 4, 5, 6
RTA_MULTIPATH, RTA_TABLE, RTA_VIA, RTA_NH_ID = 9, 15, 18, 30
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU = 1, 3, 4
IFA_ADDRESS, IFA_LOCAL = 1, 2
NDA_DST, NDA_LLADDR = 1, 2
AF4, AF6 = socket.AF_INET, socket.AF_INET6


def align(b):
    return b + b"\0" * (-len(b) % 4)


def attr(t, data):
    return align(struct.pack("=HH", 4 + len(data), t) + data)


def u32(t, v):
    return attr(t, struct.pack("=I", v))


def ip(fam, s):
    return socket.inet_pton(fam, s)


def msg(mtype, body, flags=0, seq=0):
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def rtmsg(fam, dst_len, table=254, proto=4, rtype=1, flags=0):
    return struct.pack("=BBBBBBBBI", fam, dst_len, 0, 0, min(table, 252)
                       if table > 255 else table, proto, 0, rtype, flags)


def route(fam, dst, dlen, gw=None, oif=7, rtype=1, table=254, proto=4,
          mtype=RTM_NEWROUTE, flags=NLM_F_CREATE, extra=b"", rtm_flags=0):
    body = rtmsg(fam, dlen, table, proto, rtype, rtm_flags) + \
        u32(RTA_TABLE, table)
    if dst is not None:
        body += attr(RTA_DST, ip(fam, dst))
    if gw is not None:
        body += attr(RTA_GATEWAY, ip(fam, gw))
    if oif is not None:
        body += u32(RTA_OIF, oif)
    return msg(mtype, body + u32(RTA_PRIORITY, 20) + extra, flags)


def multipath(fam, dst, dlen, hops):
    mp = b""
    for ifindex, weight, gw in hops:
        a = attr(RTA_GATEWAY, ip(fam, gw))
        mp += struct.pack("=HBBi", 8 + len(a), 0, weight - 1, ifindex) + a
    body = rtmsg(fam, dlen, proto=11) + u32(RTA_TABLE, 254) + \
        attr(RTA_DST, ip(fam, dst)) + attr(RTA_MULTIPATH, mp)
    return msg(RTM_NEWROUTE, body, NLM_F_CREATE)


def link(ifindex, name, flags, mtu, mtype=RTM_NEWLINK):
    body = struct.pack("=BxHiII", 0, 1, ifindex, flags, 0xffffffff) + \
        attr(IFLA_IFNAME, name.encode() + b"\0") + u32(IFLA_MTU, mtu) + \
        attr(IFLA_ADDRESS, bytes([2, 0, 0, 0, 1, 1]))
    return msg(mtype, body)


def addr(fam, ifindex, a, plen, mtype=RTM_NEWADDR):
    body = struct.pack("=BBBBI", fam, plen, 0x80, 0, ifindex)
    if fam == AF4:
        body += attr(IFA_LOCAL, ip(fam, a))
    body += attr(IFA_ADDRESS, ip(fam, a))
    return msg(mtype, body)


def neigh(fam, ifindex, a, state, mac=True, mtype=RTM_NEWNEIGH, flags=0,
          lladdr=bytes([2, 0, 0, 0, 2, 1])):
    body = struct.pack("=BBHiHBB", fam, 0, 0, ifindex, state, flags, 1) + \
        attr(NDA_DST, ip(fam, a))
    if mac:
        body += attr(NDA_LLADDR, lladdr)
    return msg(mtype, body)


SEEDS = {
    "route-v4.bin": route(AF4, "10.1.0.0", 16, "192.0.2.1", proto=4),
    "route-v4-replace.bin": route(AF4, "10.1.0.0", 16, "192.0.2.2",
                                  flags=NLM_F_REPLACE),
    "route-v4-default.bin": route(AF4, None, 0, "192.0.2.254", oif=9),
    "route-connected.bin": route(AF4, "10.0.0.0", 24, proto=2),
    "route-blackhole.bin": route(AF4, "198.51.100.0", 24, oif=None, rtype=6),
    "route-unreachable.bin": route(AF6, "2001:db8:dead::", 48, oif=None,
                                   rtype=7),
    "route-prohibit.bin": route(AF4, "203.0.113.0", 24, oif=None, rtype=8),
    "route-v6-ll-gw.bin": route(AF6, "2001:db8:5::", 64, "fe80::1", oif=9,
                                proto=186),
    "route-v6-linklocal.bin": route(AF6, "fe80::", 64, proto=2),
    "route-del.bin": route(AF4, "10.1.0.0", 16, "192.0.2.1",
                           mtype=RTM_DELROUTE, flags=0),
    "route-local-table.bin": route(AF4, "10.0.0.1", 32, rtype=2, table=255,
                                   proto=2),
    "route-table-1000.bin": route(AF4, "10.7.0.0", 16, "192.0.2.1",
                                  table=1000),
    "route-via.bin": route(AF4, "10.8.0.0", 16, None,
                           extra=attr(RTA_VIA, struct.pack("=H", AF6) +
                                      ip(AF6, "fe80::2"))),
    "route-nh-id.bin": route(AF4, "10.9.0.0", 16, None, oif=None,
                             extra=u32(RTA_NH_ID, 5)),
    "route-ecmp.bin": multipath(AF4, "10.9.0.0", 16,
                                [(7, 1, "192.0.2.1"), (9, 3, "198.51.100.1"),
                                 (3, 1, "203.0.113.1")]),
    "route-ecmp-v6.bin": multipath(AF6, "2001:db8:9::", 48,
                                   [(7, 1, "fe80::1"), (9, 1, "fe80::2")]),
    "link.bin": link(7, "lan", 0x11043, 1500) + link(9, "wan", 0x1, 9000) +
    link(1, "lo", 0x49, 65536),
    "link-del.bin": link(9, "wan", 0, 1500, RTM_DELLINK),
    "addr.bin": addr(AF4, 7, "10.0.0.1", 24) + addr(AF6, 9, "2001:db8::1", 64)
    + addr(AF4, 1, "127.0.0.1", 8) + addr(AF6, 7, "fe80::1", 64, RTM_DELADDR),
    "neigh.bin": neigh(AF4, 9, "192.0.2.254", 0x02) +
    neigh(AF6, 7, "fe80::1", 0x80) + neigh(AF4, 9, "192.0.2.253", 0x20,
                                           mac=False) +
    neigh(AF4, 7, "10.0.0.9", 0x02, mtype=RTM_DELNEIGH) +
    neigh(AF4, 7, "10.0.0.8", 0x80, mac=False, flags=0x08),
    # EVPN (svi ifaces): br4000 and br100 found, made again, deleted;
    # zebra's type-5 route (onlink, RTNH_F_ONLINK), the remote router MAC
    # and a type-2 host (NUD_NOARP, NTF_EXT_LEARNED), a kernel NOARP
    # entry of a multicast group.
    "svi-link.bin": link(12, "br4000", 0x11043, 1450) +
    link(13, "br100", 0x11043, 1500) + link(20, "br4000", 0x11043, 1450) +
    link(12, "brX", 0x1, 1450) + link(12, "br4000", 0, 1450, RTM_DELLINK),
    "svi-type5.bin": route(AF4, "10.2.0.0", 24, "10.0.2.2", oif=12,
                           proto=186, rtm_flags=4) +
    route(AF4, "10.1.0.20", 32, "10.0.2.2", oif=12, proto=186, rtm_flags=4) +
    route(AF4, "10.2.0.0", 24, "10.0.2.2", oif=12, proto=186,
          mtype=RTM_DELROUTE, flags=0),
    "svi-neigh-noarp.bin": neigh(AF4, 12, "10.0.2.2", 0x40, flags=0x10,
                                 lladdr=bytes([2, 0, 0, 2, 0x0f, 0xa0])) +
    neigh(AF4, 13, "10.1.0.20", 0x40, flags=0x10) +
    neigh(AF4, 7, "224.0.0.22", 0x40,
          lladdr=bytes([1, 0, 0x5e, 0, 0, 0x16])) +
    neigh(AF4, 12, "10.0.2.2", 0x40, flags=0x10, mtype=RTM_DELNEIGH),
    "dump.bin": b"".join(
        [route(AF4, "10.%d.0.0" % i, 16, "192.0.2.1", flags=NLM_F_MULTI)
         for i in range(8)]) + msg(NLMSG_DONE, struct.pack("=i", 0),
                                   NLM_F_MULTI),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(SEEDS), out))


if __name__ == "__main__":
    main()
