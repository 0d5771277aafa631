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

--bench writes the table for configs/router-bench.yaml, whose traffic
(nfv-bench --src-range 32.0.0.0/3 --dst-range 128.0.0.0/3) spreads its
addresses pseudo-randomly over two /3s: every route then lies inside one
of them, half in each, towards the side where that /3 lives (32.0.0.0/3
via 10.0.0.2 behind iface a, 128.0.0.0/3 via 10.1.0.2 behind iface b;
--via is ignored), with the same prefix-length mix.  So random
destinations land on the table's routes (or on the config's covering
/3 routes between them), never on a route the other direction needs.

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
# --bench: the two ranges of configs/router-bench.yaml's traffic, and the
# gateway of the side each lives on (network, length, gateway).
BENCH_SIDES = [(0x20000000, 3, "10.0.0.2"), (0x80000000, 3, "10.1.0.2")]


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
    lens = sorted(MIX)
    weights = [MIX[l] for l in lens]
    i = 0
    while len(lines) < a.count:
        length = rnd.choices(lens, weights)[0]
        ip = rnd.getrandbits(32)
        gw = gws[i % len(gws)]
        if a.bench:
            net, plen, gw = BENCH_SIDES[i % 2]
            ip = net | (ip >> plen)
        ip &= (0xffffffff << (32 - length)) & 0xffffffff
        if (ip, length) in seen or reserved(ip, length):
            continue
        seen.add((ip, length))
        lines.append("%s/%d via %s\n" % (ip_str(ip), length, gw))
        i += 1
    with open(a.out, "w") as f:
        f.write("# %d routes, gen_routes.py -n %d --seed %d%s\n"
                % (len(lines), a.count, a.seed, " --bench" if a.bench else ""))
        f.writelines(lines)
    print("%s: %d routes" % (a.out, len(lines)))


if __name__ == "__main__":
    sys.exit(main())
