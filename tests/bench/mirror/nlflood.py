#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Route changes as fast as the kernel takes them, for the mirror's
benchmark (bench_mirror.py, phase "flood"; docs/benchmarks.md).

    ip netns exec NS nlflood.py {add|del} --first I --count N --gw A [-j OUT]

`ip -batch` sends one RTM_NEWROUTE and waits for its ACK before the
next: about 10,000 changes a second here, far under what the mirror can
apply.  This tool builds every message first, then writes them back to
back, a few thousand per sendmsg() and without NLM_F_ACK (the kernel
answers only errors), with an ACK asked on the last one only, so that the
kernel's own route code and its notifications to the mirror set the pace.
Routes are the benchmark's IPv4 /24s (bench_mirror.v4(i) for i in
[first, first+count)) via gateway A, table main, protocol static.

Prints one JSON object: changes, seconds (first sendmsg to the last ACK),
rate, errors (NLMSG_ERROR answers, by errno).  Exit 1 when the kernel
refused any change.
"""
import argparse
import errno
import json
import os
import socket
import struct
import sys
import time

NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x4, 0x200, 0x400
RTM_NEWROUTE, RTM_DELROUTE = 24, 25
NLMSG_ERROR = 2
RTA_DST, RTA_GATEWAY = 1, 5
RT_TABLE_MAIN, RTPROT_STATIC, RTN_UNICAST = 254, 4, 1
RT_SCOPE_UNIVERSE, RT_SCOPE_NOWHERE = 0, 255
CHUNK = 128 * 1024


def v4_net(i):
    """bench_mirror.v4(i) as 4 bytes: /24s from 16.0.0.0/4."""
    return bytes((16 + (i >> 16), (i >> 8) & 255, i & 255, 0))


def messages(op, first, count, gw, seq0):
    add = op == "add"
    body_type = RTM_NEWROUTE if add else RTM_DELROUTE
    flags = NLM_F_REQUEST | (NLM_F_CREATE | NLM_F_EXCL if add else 0)
    rtm = struct.pack("=BBBBBBBBI", socket.AF_INET, 24, 0, 0, RT_TABLE_MAIN,
                      RTPROT_STATIC if add else 0,
                      RT_SCOPE_UNIVERSE if add else RT_SCOPE_NOWHERE,
                      RTN_UNICAST if add else 0, 0)
    gw_attr = struct.pack("=HH", 8, RTA_GATEWAY) + socket.inet_aton(gw) if add else b""
    size = 16 + len(rtm) + 8 + len(gw_attr)
    out = []
    for k in range(count):
        last = k == count - 1
        hdr = struct.pack("=IHHII", size, body_type, flags | (NLM_F_ACK if last else 0),
                          seq0 + k, 0)
        out.append(hdr + rtm + struct.pack("=HH", 8, RTA_DST) + v4_net(first + k) + gw_attr)
    return out


def read_answers(s, errors, last_seq, block):
    """NLMSG_ERROR answers: count the errors; True once the last message's
    ACK (error 0 with its sequence number) or error came."""
    done = False
    s.settimeout(60 if block else 0)
    while True:
        try:
            data = s.recv(1 << 20)
        except (BlockingIOError, socket.timeout):
            return done
        except OSError as e:
            if e.errno == errno.ENOBUFS:  # errors lost; the ACK still comes
                errors["ENOBUFS(answers lost)"] = errors.get("ENOBUFS(answers lost)", 0) + 1
                continue
            raise
        off = 0
        while off + 16 <= len(data):
            ln, typ, _, seq, _ = struct.unpack_from("=IHHII", data, off)
            if ln < 16:
                break
            if typ == NLMSG_ERROR:
                err = -struct.unpack_from("=i", data, off + 16)[0]
                if err:
                    name = errno.errorcode.get(err, str(err))
                    errors[name] = errors.get(name, 0) + 1
                if seq == last_seq:
                    done = True
            off += (ln + 3) & ~3
        if done:
            return True
        s.settimeout(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("op", choices=("add", "del"))
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--gw", default="10.85.2.2", help="IPv4 gateway of the adds")
    ap.add_argument("-j", "--json", help="write the result here too")
    a = ap.parse_args()
    if a.count <= 0 or a.first < 0 or a.first + a.count > (1 << 20):
        ap.error("--first/--count: routes 0 .. 2^20-1")
    seq0 = 1000
    msgs = messages(a.op, a.first, a.count, a.gw, seq0)
    chunks, cur, n = [], [], 0
    for m in msgs:
        if n + len(m) > CHUNK:
            chunks.append(b"".join(cur))
            cur, n = [], 0
        cur.append(m)
        n += len(m)
    chunks.append(b"".join(cur))
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    SO_SNDBUFFORCE, SO_RCVBUFFORCE = 32, 33
    s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 4 * CHUNK)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
    s.bind((0, 0))
    errors = {}
    last = seq0 + a.count - 1
    s.settimeout(60)  # the blocking wait for the last ACK: bounded
    t0 = time.monotonic()
    done = False
    for c in chunks:
        s.sendto(c, (0, 0))
        # Drain the errors of each chunk before the next: one chunk's
        # answers fit the receive buffer, so the last ACK is never lost.
        done = read_answers(s, errors, last, False)
    if not done:
        done = read_answers(s, errors, last, True)
    t1 = time.monotonic()
    s.close()
    if not done:
        errors["no ACK within 60 s"] = 1
    r = {"op": a.op, "changes": a.count, "seconds": t1 - t0, "rate": a.count / (t1 - t0),
         "sendmsg_calls": len(chunks), "errors": errors}
    print(json.dumps(r))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(r, f)
    return 1 if any(k != "ENOBUFS(answers lost)" for k in errors) else 0


if __name__ == "__main__":
    sys.exit(main())
