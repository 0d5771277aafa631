#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""--src-range/--dst-range (--write-pcap, no EAL): flows' addresses are
spread pseudo-randomly over the network given, not counted up from one
address.  Every address inside the range; distinct per flow while the
range has room (the hash is a permutation); many distinct /24s (so a
router's lookups hit many routes); every part of the range used; no two
consecutive flows in one /24; the other direction mirrored; checksums
valid; the same frames on every run; IPv6 and a range smaller than the
flow count (addresses wrap, still inside)."""
import ipaddress
import os
import benchtest as bt
from test_bench_frames import parse, read_pcap


def frames(tmp, args, name="s.pcap"):
    path = os.path.join(tmp, name)
    rc, out, err = bt.run(["--write-pcap", path] + args, timeout=60)
    bt.expect(rc == 0, "%s: writes a pcap (%s)" % (" ".join(args), err.strip()))
    return read_pcap(path) if rc == 0 else []


def tuples(tmp, args, name="s.pcap"):
    """Per port, the (src, dst) addresses of its frames, in flow order;
    every frame well formed (checksums included)."""
    frs = frames(tmp, args, name)
    name = " ".join(args)
    per_port = len(frs) // 2
    out = {0: [], 1: []}
    bad = []
    for i, fr in enumerate(frs):
        f, problems = parse(fr)
        bad += ["frame %d: %s" % (i, p) for p in problems]
        if f is not None:
            out[i // per_port].append((ipaddress.ip_address(f[2]), ipaddress.ip_address(f[3])))
    bt.expect(frs and not bad, "%s: frames well formed, checksums valid%s" % (
        name, "" if not bad else ": " + "; ".join(bad[:4])))
    bt.expect(out[1] == [(d, s) for s, d in out[0]], "%s: port 1 sends port 0's addresses reversed" % name)
    return out, frs


def check_spread(name, addrs, net, flows, min_24s):
    inside = all(a in net for a in addrs)
    bt.expect(inside, "%s: every address inside %s" % (name, net))
    bt.expect(len(set(addrs)) == flows, "%s: %d distinct addresses (want %d)" % (name, len(set(addrs)), flows))
    s24 = set(int(a) >> 8 for a in addrs)
    bt.expect(len(s24) >= min_24s, "%s: %d distinct /24s (want >= %d)" % (name, len(s24), min_24s))
    # Every eighth of the range gets its share (1/8 each, within half).
    sub = list(net.subnets(prefixlen_diff=3))
    counts = [sum(1 for a in addrs if a in s) for s in sub]
    want = flows / 8
    bt.expect(all(0.5 * want <= c <= 1.5 * want for c in counts),
              "%s: spread over all of %s (per eighth: %s)" % (name, net, counts))
    same = sum(1 for a, b in zip(addrs, addrs[1:]) if int(a) >> 8 == int(b) >> 8)
    bt.expect(same <= flows // 1000, "%s: consecutive flows in different /24s (%d share one)" % (name, same))


def main():
    bt.need_binary()
    with bt.tmpdir() as tmp:
        # What configs/router-bench.yaml asks for, with fewer flows.
        args = ["--flows", "4096", "--src-range", "32.0.0.0/3", "--dst-range", "128.0.0.0/3"]
        t, first = tuples(tmp, args, "a.pcap")
        if t[0]:
            src = [s for s, _ in t[0]]
            dst = [d for _, d in t[0]]
            check_spread("even side (--src-range)", src, ipaddress.ip_network("32.0.0.0/3"), 4096, 4000)
            check_spread("odd side (--dst-range)", dst, ipaddress.ip_network("128.0.0.0/3"), 4096, 4000)
            xor = set((int(s) ^ int(d)) & 0xffff for s, d in t[0])
            bt.expect(len(xor) > 2048, "the two addresses of a flow are unrelated (%d values of src^dst)" % len(xor))
            _, again = tuples(tmp, args, "b.pcap")
            bt.expect(again == first, "deterministic: the same frames on every run")
            # A range varies its side whatever --vary says.
            _, other = tuples(tmp, args + ["--vary", "src-port"], "c.pcap")
            bt.expect([f[26:34] for f in other] == [f[26:34] for f in first],
                      "with --vary src-port: the same addresses")

        # More flows than addresses: they wrap, and stay inside.
        t, _ = tuples(tmp, ["--flows", "300", "--dst-range", "10.9.8.0/24", "--tcp", "--size", "128"])
        if t[0]:
            net = ipaddress.ip_network("10.9.8.0/24")
            dst = [d for _, d in t[0]]
            bt.expect(all(d in net for d in dst) and len(set(dst)) == 256,
                      "--dst-range 10.9.8.0/24, 300 flows: inside, all 256 addresses (%d)" % len(set(dst)))
            bt.expect(dst[256:] == dst[:44], "flows 256.. repeat flows 0.. (the permutation wraps)")
            src = [s for s, _ in t[0]]
            bt.expect(src[:3] == [ipaddress.ip_address("198.18.0.%d" % i) for i in (1, 2, 3)],
                      "the other side still counts up from its address (--vary src-ip, the default)")

        # IPv6: the 32 bits after the prefix are spread, the rest zero.
        t, _ = tuples(tmp, ["--ipv6", "--size", "78", "--flows", "1000", "--vary", "dst-ip",
                            "--dst-range", "2001:db8:4000::/34"])
        if t[0]:
            net = ipaddress.ip_network("2001:db8:4000::/34")
            dst = [d for _, d in t[0]]
            bt.expect(all(d in net for d in dst), "IPv6: every address inside %s" % net)
            bt.expect(len(set(int(d) >> (128 - 66) for d in dst)) == 1000 and
                      all(int(d) & ((1 << 62) - 1) == 0 for d in dst),
                      "IPv6: 1000 distinct values in bits 34..65, the bits after them zero")
    bt.finish()


if __name__ == "__main__":
    main()
