#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a route file for the router: a realistic IPv4 table.

    gen_routes.py [-n COUNT] [--via GW[,GW...]] [--seed S] [--bench] OUT

One route per line, in the syntax of `nfvctl raw '{"cmd": "route add",
"vnf": "rtr", "file": "OUT"}'` (see docs/router.md): `PREFIX via GW`.
Prefix lengths follow the shape of the Internet's IPv4 table (about two
thirds /24, then /22, /23, /20, /21, /19, ...; few longer than /24),
prefixes are unique, outside 0/8, 10/8, 127/8, 198.18/15 and 224/3, and
the gateways are used in turn.

--bench adds what configs/router-bench.yaml's traffic needs: nfv-bench's
default addresses (198.18.0.1 on the even port's side, 198.19.0.1 on the
odd one, plus up to 65536 flows) cut into /24 routes towards the side
they live on (10.0.0.2 and 10.1.0.2), counted in COUNT (198.20.0.0/24,
where the last flows end, is in the config).

Deterministic for a seed: the same file every time.
"""
import argparse
import random
import sys

# Share of each prefix length in percent (rounded from public BGP table
# reports of the 2020s; what matters is the shape: /24 dominates).
MIX = {8: 0.002, 9: 0.002, 10: 0.005, 11: 0.01, 12: 0.03, 13: 0.06,
       14: 0.12, 15: 0.2, 16: 1.4, 17: 0.8, 18: 1.4, 19: 2.6, 20: 4.3,
       21: 4.6, 22: 10.5, 23: 9.5, 24: 63.5, 25: 0.15, 26: 0.1, 27: 0.05,
       28: 0.05, 29: 0.04, 30: 0.02, 32: 0.02}
RESERVED = [(0x00000000, 8), (0x0a000000, 8), (0x7f000000, 8),
            (0xc6120000, 15), (0xe0000000, 3)]


def reserved(ip, length):
    for net, l in RESERVED:
        m = min(l, length)
        mask = (0xffffffff << (32 - m)) & 0xffffffff
        if (ip & mask) == (net & mask):
            return True
    return False


def ip_str(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--count", type=int, default=100000)
    ap.add_argument("--via", default="10.1.0.2",
                    help="gateways, comma separated, used in turn")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("out")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    gws = a.via.split(",")
    lines = []
    seen = set()
    if a.bench:
        for side, base, gw in ((0, 0xc6120000, "10.0.0.2"), (1, 0xc6130000, "10.1.0.2")):
            for k in range(256):
                net = base + (k << 8)
                seen.add((net, 24))
                lines.append("%s/24 via %s\n" % (ip_str(net), gw))
        # 198.20.0.0/24 (where 65536 flows end) is in the config itself.
        seen.add((0xc6140000, 24))
    lens = sorted(MIX)
    weights = [MIX[l] for l in lens]
    i = 0
    while len(lines) < a.count:
        length = rnd.choices(lens, weights)[0]
        ip = rnd.getrandbits(32) & ((0xffffffff << (32 - length)) & 0xffffffff)
        if (ip, length) in seen or reserved(ip, length):
            continue
        seen.add((ip, length))
        lines.append("%s/%d via %s\n" % (ip_str(ip), length, gws[i % len(gws)]))
        i += 1
    with open(a.out, "w") as f:
        f.write("# %d routes, gen_routes.py -n %d --seed %d%s\n"
                % (len(lines), a.count, a.seed, " --bench" if a.bench else ""))
        f.writelines(lines)
    print("%s: %d routes" % (a.out, len(lines)))


if __name__ == "__main__":
    sys.exit(main())
