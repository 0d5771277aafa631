#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Benchmark of the kernel mirror (issue 10, item 6; docs/benchmarks.md,
"Kernel mirror").  As root, from the repository root, after a build:

    tests/bench/mirror/bench_mirror.py [-4 N] [-6 N] [--rate R] [--seconds S]
                                       [--burst N] [-j OUT.json]
    NFV_BENCH_MIRROR=1 meson test -C build --suite bench mirror-bench -v

nfvd runs one router `rtr` with two ifaces (taps into host namespaces)
and `mirror: {netns: ...}`; everything below happens with `ip` in that
netns, and nfvd's side is read over its control socket (one connection,
no process per poll): `show vnf rtr` details.kernel_routes (the kernel
routes the router holds) and `show mirror rtr`.

  load      N4 IPv4 /24s and N6 IPv6 /56s (default 1,000,000 and
            200,000) added with one `ip -batch`: the kernel's time, then
            how long after `ip` returned until the router held them all.
  delay     R changes per second (default 1,000) for S seconds (default
            10): route adds, then the deletes of the same routes, paced
            through one `ip -batch -` fed line by line; each change's delay
            from its line being written to the router's count reaching it
            (polled as fast as the control socket answers, ~1 ms), p50,
            p90, p99 and max; and the mirror's own lag percentiles from
            show mirror.
  resync    SIGSTOP nfvd, delete BURST (default 200,000) IPv4 routes, so
            that the kernel overruns the mirror's socket, SIGCONT: the
            time until the router's count is the kernel's again, and the
            resyncs counted; the resync dumps everything left (~1.0M).
  sustained delete the remaining IPv4 routes with one `ip -batch`: ip's
            rate, and how long after ip returned the router had followed
            (changes per second end to end).
  flood     FLOOD (default 500,000) IPv4 adds, then their deletes, written
            by nlflood.py as fast as the kernel takes them (thousands of
            requests per sendmsg, no ACK each): the kernel's rate, how long
            after the kernel was done the router followed, the changes
            per second end to end, and per CPU second of the mirror thread
            (nfv-mirror) - what the mirror sustains when the kernel is not
            the limit.

Before the first phase the benchmark waits until `show mirror` says
"synced": with `--max-routes` the tables are sized then (seconds on a
machine whose first touches of memory are slow), and that start-up time
is reported apart, not charged to the load.

The kernel's own pace (ip -batch) bounds the load and sustained rates on
this 2-core machine; the lag after `ip` returns says whether the mirror
kept up.  Prints a table and writes JSON (-j).  Everything it starts is
stopped by PID and its namespaces deleted, also on failure.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration", "netlink"))
import kmirror  # noqa: E402
import nfvtest  # noqa: E402
from nfvtest import check, log  # noqa: E402

IFACES = [
    {"name": "lan", "address": ["10.85.1.1/24", "2001:db8:85:1::1/64"],
     "host": "10.85.1.2/24", "host6": "2001:db8:85:1::2/64"},
    {"name": "wan", "address": ["10.85.2.1/24", "2001:db8:85:2::1/64"],
     "host": "10.85.2.2/24", "host6": "2001:db8:85:2::2/64"},
]
GW4, GW6 = "10.85.2.2", "2001:db8:85:2::2"


def v4(i):
    # /24s from 16.0.0.0/4 (2^20 of them), spread over the whole range.
    return "%d.%d.%d.0/24" % (16 + (i >> 16), (i >> 8) & 255, i & 255)


def v6(i):
    # /56s under 2001:db8:4000::/34 (2^22 of them).
    return "2001:db8:%x:%x00::/56" % (0x4000 + (i >> 8), i & 255)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


class Bench:
    def __init__(self, env, args):
        self.env, self.a = env, args
        mem = args.memory
        extra = {"max_routes": args.max_routes} if args.max_routes else None
        self.rig = kmirror.Rig(env, IFACES, mirror_extra=extra,
                               dataplane={"memory": mem, "hugepages": args.hugepages})
        self.res = {"n4": args.n4, "n6": args.n6, "memory_mib": mem, "hugepages": args.hugepages,
                    "max_routes": args.max_routes}

    def mirror_cpu(self):
        """CPU seconds of nfvd's mirror thread so far."""
        pid = self.rig.nfvd.proc.p.pid
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                    if f.read().strip() != "nfv-mirror":
                        continue
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    st = f.read().rsplit(")", 1)[1].split()
                return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                continue
        raise nfvtest.Fail("nfvd has no nfv-mirror thread")

    def wait_synced(self, t_start):
        """Until show mirror says synced (the tables sized by then)."""
        end = time.monotonic() + 600
        while kmirror.find_key(self.rig.mirror(), "state") != "synced":
            if time.monotonic() > end:
                raise nfvtest.Fail("the mirror is not synced after 600 s")
            time.sleep(0.05)
        r = {"start_to_synced_s": time.monotonic() - t_start, "mirror_cpu_s": self.mirror_cpu()}
        log("start: nfvd up and the mirror synced (tables sized) %.1f s after start"
            % r["start_to_synced_s"])
        self.res["start"] = r

    def kcount(self):
        return self.rig.vnf()["details"]["kernel_routes"]

    def wait_count(self, want, timeout, what):
        """Poll until the router holds `want` kernel routes; the time."""
        end = time.monotonic() + timeout
        while True:
            n = self.kcount()
            if n == want:
                return time.monotonic()
            if time.monotonic() > end:
                raise nfvtest.Fail("%s: the router holds %d kernel routes after %ds, want %d"
                                   % (what, n, timeout, want))
            time.sleep(0.001)

    def batch(self, name, lines):
        path = kmirror.write_batch(self.env.path(name), lines)
        t0 = time.monotonic()
        self.rig.kip("-batch", path, timeout=900)
        return t0, time.monotonic()

    def load(self):
        a = self.a
        base = self.kcount()
        lines = ["route add %s via %s" % (v4(i), GW4) for i in range(a.n4)]
        lines += ["route add %s via %s" % (v6(i), GW6) for i in range(a.n6)]
        c0 = self.mirror_cpu()
        t0, t1 = self.batch("load.batch", lines)
        t2 = self.wait_count(base + a.n4 + a.n6, 300, "load")
        n = a.n4 + a.n6
        r = {"routes": n, "kernel_s": t1 - t0, "kernel_rate": n / (t1 - t0),
             "fib_after_kernel_s": t2 - t1, "end_to_end_rate": n / (t2 - t0),
             "mirror_cpu_s": self.mirror_cpu() - c0}
        log("load: %d routes: ip -batch %.2f s (%.0f/s); all in the FIB %.3f s after ip returned"
            % (n, r["kernel_s"], r["kernel_rate"], r["fib_after_kernel_s"]))
        self.res["load"] = r
        self.base = base

    def paced(self, lines, rate, start_count, step):
        """Feed lines to `ip -batch -` at `rate`/s; delay of each from its
        write to the count reaching start_count + step * (i + 1)."""
        ip = subprocess.Popen(["ip", "-n", self.rig.rns, "-batch", "-"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        written = [None] * len(lines)
        seen = [None] * len(lines)
        done = threading.Event()
        ctl = kmirror.Ctl(self.rig.nfvd.sock)

        def poll():
            k = 0
            while k < len(lines) and not done.is_set():
                n = ctl.call("show vnf", name="rtr")["details"]["kernel_routes"]
                t = time.monotonic()
                reached = (n - start_count) * step
                while k < len(lines) and reached >= k + 1:
                    seen[k] = t
                    k += 1
            ctl.close()
        th = threading.Thread(target=poll, daemon=True)
        th.start()
        t0 = time.monotonic()
        try:
            for i, ln in enumerate(lines):
                due = t0 + i / rate
                dt = due - time.monotonic()
                if dt > 0:
                    time.sleep(dt)
                ip.stdin.write(ln + "\n")
                ip.stdin.flush()
                written[i] = time.monotonic()
            ip.stdin.close()
            ip.wait(60)
            th.join(30)
        finally:
            done.set()
            if ip.poll() is None:
                ip.kill()
                ip.wait()
        check(ip.returncode == 0, "ip -batch -: exit %s: %s" % (ip.returncode, ip.stderr.read()))
        ms = [(s - w) * 1000 for s, w in zip(seen, written) if s is not None]
        check(len(ms) == len(lines), "only %d of %d paced changes reached the FIB" % (len(ms), len(lines)))
        return ms

    def delay(self):
        a = self.a
        n = a.rate * a.seconds
        pfx = ["100.%d.%d.%d/32" % (64 + (i >> 16), (i >> 8) & 255, i & 255) for i in range(n)]
        c0 = self.kcount()
        m0 = self.rig.mirror()
        add = self.paced(["route add %s via %s" % (p, GW4) for p in pfx], a.rate, c0, 1)
        c1 = self.kcount()
        dele = self.paced(["route del %s" % p for p in pfx], a.rate, c1, -1)
        m1 = self.rig.mirror()
        r = {}
        for name, ms in (("add", add), ("del", dele)):
            r[name] = {"n": len(ms), "p50_ms": pct(ms, .5), "p90_ms": pct(ms, .9),
                       "p99_ms": pct(ms, .99), "max_ms": max(ms)}
            log("delay at %d changes/s, %s: n=%d p50 %.2f p90 %.2f p99 %.2f max %.2f ms"
                % (a.rate, name, len(ms), r[name]["p50_ms"], r[name]["p90_ms"], r[name]["p99_ms"],
                   r[name]["max_ms"]))
        r["mirror_lag_before"] = kmirror.find_key(m0, "lag_us")
        r["mirror_lag"] = kmirror.find_key(m1, "lag_us")
        log("show mirror lag: %s" % json.dumps(r["mirror_lag"]))
        self.res["delay"] = r

    def resync(self):
        a = self.a
        burst = min(a.burst, a.n4)
        r0 = kmirror.find_key(self.rig.mirror(), "resyncs") or 0
        c0 = self.kcount()
        path = kmirror.write_batch(self.env.path("resync.batch"),
                                   ["route del %s" % v4(i) for i in range(burst)])
        proc = self.rig.nfvd.proc
        proc.send_signal(signal.SIGSTOP)
        try:
            t0 = time.monotonic()
            self.rig.kip("-batch", path, timeout=900)
            t1 = time.monotonic()
        finally:
            proc.send_signal(signal.SIGCONT)
        tc = time.monotonic()
        t2 = self.wait_count(c0 - burst, 300, "resync")
        m = self.rig.mirror()
        r1 = kmirror.find_key(m, "resyncs") or 0
        left = c0 - burst
        r = {"burst": burst, "kernel_s": t1 - t0, "after_sigcont_s": t2 - tc, "routes_after": left,
             "resyncs": r1 - r0, "mirror": m}
        log("resync: %d deletes while stopped (%.1f s); after SIGCONT the FIB held the kernel's %d"
            " routes in %.3f s; resyncs +%d" % (burst, t1 - t0, left, t2 - tc, r1 - r0))
        if r1 == r0:
            log("NOTE: no resync: the socket buffer held the whole burst")
        self.res["resync"] = r
        self.deleted = burst

    def sustained(self):
        a = self.a
        first = getattr(self, "deleted", 0)
        n = a.n4 - first
        if n <= 0:
            return
        c0 = self.kcount()
        t0, t1 = self.batch("sustained.batch", ["route del %s" % v4(i) for i in range(first, a.n4)])
        t2 = self.wait_count(c0 - n, 300, "sustained deletes")
        r = {"changes": n, "kernel_s": t1 - t0, "kernel_rate": n / (t1 - t0),
             "fib_after_kernel_s": t2 - t1, "end_to_end_rate": n / (t2 - t0)}
        log("sustained: %d deletes: ip %.2f s (%.0f/s); FIB followed %.3f s after ip returned:"
            " %.0f changes/s end to end" % (n, r["kernel_s"], r["kernel_rate"], r["fib_after_kernel_s"],
                                            r["end_to_end_rate"]))
        self.res["sustained"] = r

    def flood_one(self, op, n):
        c0, cpu0 = self.kcount(), self.mirror_cpu()
        want = c0 + n if op == "add" else c0 - n
        cp = nfvtest.run(["ip", "netns", "exec", self.rig.rns, "/usr/bin/python3",
                          os.path.join(HERE, "nlflood.py"), op, "--first", "0", "--count", str(n),
                          "--gw", GW4], timeout=600)
        t1 = time.monotonic()
        k = json.loads(cp.stdout.strip().splitlines()[-1])
        t2 = self.wait_count(want, 300, "flood " + op)
        cpu = self.mirror_cpu() - cpu0
        # From the kernel's first request (nlflood times its own sending,
        # not the interpreter's start) to the router holding the result.
        r = {"changes": n, "kernel_s": k["seconds"], "kernel_rate": k["rate"],
             "fib_after_kernel_s": t2 - t1, "end_to_end_rate": n / (k["seconds"] + t2 - t1),
             "mirror_cpu_s": cpu, "per_mirror_cpu_s": n / cpu if cpu > 0 else None}
        log("flood %s: %d changes: kernel %.2f s (%.0f/s); FIB followed %.3f s after the kernel:"
            " %.0f changes/s end to end; mirror thread %.2f CPU s (%.0f changes per CPU s)"
            % (op, n, k["seconds"], k["rate"], r["fib_after_kernel_s"], r["end_to_end_rate"], cpu,
               r["per_mirror_cpu_s"] or 0))
        return r

    def flood(self):
        a = self.a
        if a.flood <= 0:
            return
        r0 = kmirror.find_key(self.rig.mirror(), "resyncs") or 0
        r = {"add": self.flood_one("add", a.flood), "del": self.flood_one("del", a.flood)}
        r["resyncs"] = (kmirror.find_key(self.rig.mirror(), "resyncs") or 0) - r0
        log("flood: resyncs +%d (the kernel overran the mirror's socket when > 0)" % r["resyncs"])
        self.res["flood"] = r

    def verify(self):
        d = self.rig.diff()
        check(not d, "the FIB differs from the kernel table:\n  " + "\n  ".join(d))
        log("verify: the FIB equals the kernel table")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-4", dest="n4", type=int, default=1000000, help="IPv4 routes (default 1M)")
    ap.add_argument("-6", dest="n6", type=int, default=200000, help="IPv6 routes (default 200k)")
    ap.add_argument("--rate", type=int, default=1000, help="changes/s of the delay phase")
    ap.add_argument("--seconds", type=int, default=10, help="length of each delay phase")
    ap.add_argument("--burst", type=int, default=200000, help="deletes while nfvd is stopped")
    ap.add_argument("--flood", type=int, default=500000,
                    help="IPv4 adds, then deletes, at the kernel's pace (0: no flood phase)")
    ap.add_argument("--memory", type=int, default=4096, help="nfvd's dataplane.memory (MiB)")
    ap.add_argument("--hugepages", choices=("off", "on"), default="off",
                    help="nfvd's dataplane.hugepages; on needs --memory MiB of free 2 MiB pages"
                         " (first touches of fresh memory are 5x cheaper with them here)")
    ap.add_argument("--max-routes", type=int, default=0,
                    help="mirror.max_routes (default: unset, the tables grow)")
    ap.add_argument("--verify", action="store_true", help="compare every route after the load")
    ap.add_argument("-j", "--json", help="write the results here")
    ap.add_argument("--if-asked", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.if_asked and os.environ.get("NFV_BENCH_MIRROR") != "1":
        # meson's suite bench: minutes of both cores, only when asked.
        print("SKIP: set NFV_BENCH_MIRROR=1 to run the kernel mirror's benchmark")
        sys.exit(77)
    os.environ.setdefault("NFV_BUILDDIR", os.path.join(nfvtest.REPO, "build"))

    def run(env):
        if not os.path.exists("/dev/net/tun"):
            nfvtest.skip("no /dev/net/tun for nfvd's tap ports")
        b = Bench(env, a)
        t_start = time.monotonic()
        b.rig.start(timeout=600)
        b.wait_synced(t_start)
        b.res["commit"] = subprocess.run(["git", "-C", nfvtest.REPO, "rev-parse", "--short", "HEAD"],
                                         stdout=subprocess.PIPE, text=True).stdout.strip()
        b.res["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        b.load()
        if a.verify:
            b.verify()
        b.delay()
        b.resync()
        b.sustained()
        b.flood()
        b.verify()
        check(b.rig.nfvd.alive(), "nfvd died")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(b.res, f, indent=2)
            log("wrote %s" % a.json)
        b.rig.ctl.close()
        b.rig.nfvd.stop_clean()

    nfvtest.main(run, "bench-mirror", budget=int(os.environ.get("NFV_BENCH_BUDGET", "1500")),
                 needs=["ip"])


if __name__ == "__main__":
    main()
