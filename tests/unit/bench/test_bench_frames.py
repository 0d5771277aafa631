#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The frames nfv-bench sends, checked byte by byte (--write-pcap, no EAL):
lengths, MACs (own source, the peer's destination), IPv4 header checksum,
UDP/TCP checksum over the pseudo-header (the signature's compensation
word must keep it right for any sequence number and timestamp), the
signature (magic, sending port, flow), flows that vary the fields asked
and mirror the 5-tuple in the other direction, and IMIX in 7:4:1.  Past
65,536 flows (the flow's bits 16..19 ride in the signature's port byte)
every flow has its own address and source MAC."""
import os
import struct
import benchtest as bt

SIG_MAGIC = 0x4E42


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack_from("<I", data, 0)
    assert magic == 0xA1B2C3D4, "not a little-endian pcap"
    off, frames = 24, []
    while off < len(data):
        _, _, caplen, length = struct.unpack_from("<IIII", data, off)
        off += 16
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def parse(fr):
    """(src mac, dst mac, l3 src, l3 dst, proto, sport, dport, ok list, sig)"""
    problems = []
    dst, src, et = fr[0:6], fr[6:12], struct.unpack("!H", fr[12:14])[0]
    if et == 0x0800:
        ip = fr[14:34]
        if csum(ip) != 0xFFFF:
            problems.append("IPv4 header checksum")
        tot = struct.unpack("!H", ip[2:4])[0]
        if tot != len(fr) - 14:
            problems.append("IPv4 total length %d for a %d B frame" % (tot, len(fr)))
        proto, sa, da = ip[9], ip[12:16], ip[16:20]
        l4 = fr[34:]
        pseudo = sa + da + struct.pack("!BBH", 0, proto, len(l4))
    elif et == 0x86DD:
        ip = fr[14:54]
        plen = struct.unpack("!H", ip[4:6])[0]
        if plen != len(fr) - 54:
            problems.append("IPv6 payload length")
        proto, sa, da = ip[6], ip[8:24], ip[24:40]
        l4 = fr[54:]
        pseudo = sa + da + struct.pack("!IxxxB", len(l4), proto)
    else:
        return None, ["ethertype %#x" % et]
    if csum(pseudo + l4) != 0xFFFF:
        problems.append("L4 checksum")
    sport, dport = struct.unpack("!HH", l4[0:4])
    hl = 8 if proto == 17 else 20
    if proto == 17 and struct.unpack("!H", l4[4:6])[0] != len(l4):
        problems.append("UDP length")
    sig = None
    if len(l4) >= hl + 16:
        magic, port, meta, flow, fix, seq, tsc = struct.unpack_from("<HBBHHII", l4, hl)
        # The port byte: the port (low 4 bits), flow bits 16..19.
        sig = (magic, port & 0x0F, flow | (port >> 4) << 16, seq)
    return (src, dst, sa, da, proto, sport, dport, sig), problems


def frames_for(tmp, args):
    path = os.path.join(tmp, "f.pcap")
    rc, out, err = bt.run(["--write-pcap", path] + args, timeout=20)
    bt.expect(rc == 0, "%s: writes a pcap (%s)" % (" ".join(args), err.strip()))
    return read_pcap(path) if rc == 0 else []


def check_case(tmp, args, size, l3, proto, flows, vary):
    frames = frames_for(tmp, args)
    name = " ".join(args)
    if not frames:
        return
    per_port = len(frames) // 2
    bad = []
    tuples = {0: [], 1: []}
    macs = {0: set(), 1: set()}
    for i, fr in enumerate(frames):
        port = i // per_port
        f, problems = parse(fr)
        bad += ["frame %d: %s" % (i, p) for p in problems]
        if f is None:
            continue
        src, dst, sa, da, pr, sp, dp, sig = f
        if size != "imix" and len(fr) != size - 4:
            bad.append("frame %d: %d bytes, not %d" % (i, len(fr), size - 4))
        if pr != proto:
            bad.append("frame %d: protocol %d" % (i, pr))
        if "src-mac" not in vary and src != bytes([2, 0, 0, 0, 0, port + 1]):
            bad.append("frame %d: source MAC %s" % (i, src.hex()))
        if dst != bytes([2, 0, 0, 0, 0, (port ^ 1) + 1]):
            bad.append("frame %d: destination MAC %s" % (i, dst.hex()))
        if sig is not None:
            magic, sport_, flow, seq = sig
            if magic != SIG_MAGIC or sport_ != port or flow != (i % per_port) % flows:
                bad.append("frame %d: signature %r" % (i, sig))
        tuples[port].append((sa, da, sp, dp))
        macs[port].add(src)
    bt.expect(not bad, "%s: frames well formed%s" % (name, "" if not bad else ": " + "; ".join(bad[:4])))
    # Flow f of port 1 is flow f of port 0 reversed.
    mirrored = all(tuples[1][k] == (t[1], t[0], t[3], t[2]) for k, t in enumerate(tuples[0]))
    bt.expect(mirrored, "%s: port 1 sends port 0's 5-tuples reversed" % name)
    distinct = len(set(tuples[0]))
    want = flows if vary & {"src-ip", "dst-ip", "src-port", "dst-port"} else 1
    bt.expect(distinct == want, "%s: %d distinct 5-tuples (want %d)" % (name, distinct, want))
    if "src-mac" in vary:
        bt.expect(len(macs[0]) == flows and len(macs[1]) == flows and not macs[0] & macs[1],
                  "%s: a source MAC per flow and port (%d, %d), none shared by the ports" % (
                      name, len(macs[0]), len(macs[1])))
    if "src-ip" in vary and "dst-ip" not in vary:
        srcs = set(t[0] for t in tuples[0])
        bt.expect(len(srcs) == flows, "%s: %d distinct source addresses (want %d)" % (name, len(srcs), flows))
    if size == "imix":
        lens = [len(fr) for fr in frames[:per_port]]
        n60, n590, n1514 = lens.count(60), lens.count(590), lens.count(1514)
        bt.expect(n60 + n590 + n1514 == per_port and n60 == 7 * n1514 and n590 == 4 * n1514,
                  "%s: IMIX 7:4:1 of 64/594/1518 (%d/%d/%d)" % (name, n60, n590, n1514))
    if l3 == 6:
        bt.expect(all(struct.unpack("!H", fr[12:14])[0] == 0x86DD for fr in frames), "%s: IPv6" % name)


def main():
    bt.need_binary()
    with bt.tmpdir() as tmp:
        check_case(tmp, [], 64, 4, 17, 1, {"src-ip"})
        check_case(tmp, ["--tcp", "--size", "128", "--flows", "10"], 128, 4, 6, 10, {"src-ip"})
        check_case(tmp, ["--ipv6", "--size", "78", "--flows", "3"], 78, 6, 17, 3, {"src-ip"})
        check_case(tmp, ["--ipv6", "--tcp", "--size", "1518", "--flows", "64",
                         "--vary", "dst-ip,src-port,dst-port"], 1518, 6, 6, 64, {"dst-ip", "src-port", "dst-port"})
        check_case(tmp, ["--size", "imix", "--flows", "96", "--vary", "src-port"], "imix", 4, 17, 96, {"src-port"})
        check_case(tmp, ["--flows", "8", "--vary", "src-mac"], 64, 4, 17, 8, {"src-mac"})
        # More flows than 16 bits of the signature: every flow distinct,
        # its number (20 bits) in the signature, checksums right.
        check_case(tmp, ["--flows", "70000", "--vary", "src-ip,src-mac"], 64, 4, 17, 70000,
                   {"src-ip", "src-mac"})
        check_case(tmp, ["--ipv6", "--size", "128", "--flows", "65600", "--vary", "dst-ip,src-port"],
                   128, 6, 17, 65600, {"dst-ip", "src-port"})
        # 64 B TCP frames have no room for a signature, but are still right.
        check_case(tmp, ["--tcp"], 64, 4, 6, 1, {"src-ip"})
        # Addresses and ports given on the command line.
        frames = frames_for(tmp, ["--src-ip", "10.1.0.1", "--dst-ip", "10.2.0.1", "--src-port", "5000",
                                  "--dst-port", "53"])
        if frames:
            f, _ = parse(frames[0])
            bt.expect(f[2] == bytes([10, 1, 0, 1]) and f[3] == bytes([10, 2, 0, 1]) and f[5] == 5000 and f[6] == 53,
                      "--src-ip/--dst-ip/--src-port/--dst-port are used")
        frames = frames_for(tmp, ["--port", "x,mac=02:aa:00:00:00:01,peer=02:bb:00:00:00:09", "--port", "y"])
        if frames:
            f, _ = parse(frames[0])
            g, _ = parse(frames[-1])
            bt.expect(f[0] == bytes.fromhex("02aa00000001") and f[1] == bytes.fromhex("02bb00000009")
                      and g[1] == bytes.fromhex("02aa00000001"),
                      "--port mac= and peer= set the frames' MACs; the peer port sends to mac=")
    bt.finish()


if __name__ == "__main__":
    main()
