#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""AF_XDP against af_packet: nfvd's two kernel-interface port types on
veth pairs, driven by the same generator.

  netns gen:  dpdk-testpmd txonly -> its af_packet port on veth G
                  |  veth pair
  root:       veth A  <- nfvd port a (af_packet in one row, af_xdp in the other)
              nfvd: a -> l2switch -> b  (the worker alone on the DUT core)
              veth B  <- nfvd port b (the same type as a)
                  |  veth pair
  netns sink: veth S  (no address: the kernel counts and drops the frames)

The generator is the same for both rows: testpmd's txonly on an af_packet
port (64 B frames with the FCS: 60 B on the veth, one UDP flow to a MAC
nobody has, which the switch floods to b), on the generator core; nfvd's
worker on the DUT core, its main thread on the generator core.  Rows
alternate, every row starts fresh processes (`--rounds` of each), and the
medians are printed.

Per row: Mpps delivered (what veth S received), what the generator put on
G, what nfvd's port a took, nfvd's busy cycles per packet (nfvctl show
stats: worker busy cycles / packets) and the share of the DUT core its
worker was busy, the generator core's time (testpmd's own process, user
and system, and the whole core with the kernel's softirq work) and which
side set the pace: nfvd when its worker was busy >= 90 % of the time or
frames were lost between the generator and nfvd's port, else the
generator side (testpmd plus the kernel's veth path, which on a veth pair
runs on the sender's core: the delivery into nfvd's af_packet socket or
the XDP program and the copy into the AF_XDP ring happen in testpmd's
sendto()).

  bench_veth.py [--rounds N] [--duration S] [--warmup S] [-j FILE]
  NFV_BENCH_VETH=1 meson test -C build --suite bench veth-ports -v

Not a timed test: it prints numbers, and exits 0 unless a row could not
run at all (an af_xdp row that the kernel refuses is reported as such).
Needs root, two cores, dpdk-testpmd; skipped (77) otherwise, and unless
NFV_BENCH_VETH=1 or --force (it keeps both cores busy for minutes).
Run it under the benchmark lock: flock /tmp/nfvd-itest.lock ...
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "integration", "common"))
import nfvtest  # noqa: E402
from nfvtest import log  # noqa: E402

GEN_CPU, DUT_CPU = 0, 1
DST_MAC = "02:00:00:00:00:02"   # nobody's: flooded by the switch to b
SINK_MAC = "02:00:00:00:0e:01"
MODES = ("af_packet", "af_xdp")
ARGS = None


def tsc_hz():
    """The TSC's rate, for nfvd's busy cycles: the processor's MHz from
    /proc/cpuinfo (constant-TSC machines: the same)."""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz"):
                return float(line.split(":")[1]) * 1e6
    raise nfvtest.Fail("no cpu MHz in /proc/cpuinfo")


def cpu_times(cpu):
    """(user+nice, system, softirq+irq, idle, total) of one CPU, in ticks."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%d " % cpu):
                v = [int(x) for x in line.split()[1:]]
                user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
                return (user + nice, system, irq + softirq, idle + iowait, sum(v[:8]))
    raise nfvtest.Fail("cpu%d not in /proc/stat" % cpu)


def proc_times(pid):
    """(utime, stime) of a process, all threads, in ticks."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]), int(rest[12])


def link_stats(ns, dev):
    cmd = (["ip", "-n", ns] if ns else ["ip"]) + ["-j", "-s", "link", "show", "dev", dev]
    st = json.loads(nfvtest.run(cmd).stdout)[0]["stats64"]
    return {"rx": st["rx"]["packets"], "rx_dropped": st["rx"]["dropped"],
            "tx": st["tx"]["packets"], "tx_dropped": st["tx"]["dropped"]}


def sysctl_v6_off(ns, dev):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + [
        "sysctl", "-q", "-w", "net.ipv6.conf.%s.disable_ipv6=1" % dev]
    nfvtest.run(cmd, check_rc=False)


class Topology:
    """The two veth pairs and the two namespaces, removed at cleanup."""

    def __init__(self, env):
        self.gen_ns, self.sink_ns = env.netns("gen"), env.netns("sink")
        self.G, self.A = env.ifname("g"), env.ifname("a")
        self.B, self.S = env.ifname("b"), env.ifname("s")
        for x, y in ((self.A, self.G), (self.B, self.S)):
            cp = nfvtest.run(["ip", "link", "add", x, "type", "veth", "peer", "name", y],
                             check_rc=False)
            if cp.returncode != 0:
                nfvtest.skip("cannot create a veth pair: %s" % cp.stderr.strip())
            env.on_cleanup(lambda x=x: nfvtest.run(["ip", "link", "del", x], check_rc=False))
        nfvtest.run(["ip", "link", "set", self.G, "netns", self.gen_ns])
        nfvtest.run(["ip", "link", "set", self.S, "netns", self.sink_ns])
        nfvtest.run(["ip", "-n", self.sink_ns, "link", "set", self.S, "address", SINK_MAC])
        # No IPv6: no router or neighbour solicitations in the counters.
        for ns, dev in ((None, self.A), (None, self.B), (self.gen_ns, self.G),
                        (self.sink_ns, self.S)):
            sysctl_v6_off(ns, dev)
            nfvtest.run((["ip", "-n", ns] if ns else ["ip"]) + ["link", "set", dev, "up"])


def snapshot(topo, nfvd, gen_pid):
    st = nfvd.nfvctl("show", "stats")["workers"][0]
    ports = nfvd.ports()
    return {
        "t": time.monotonic(),
        "G": link_stats(topo.gen_ns, topo.G), "A": link_stats(None, topo.A),
        "B": link_stats(None, topo.B), "S": link_stats(topo.sink_ns, topo.S),
        "busy": st["busy_cycles"], "pkts": st["packets"],
        "a_rx": ports["a"]["rx_packets"], "b_tx": ports["b"]["tx_packets"],
        "a_drops": sum(ports["a"]["drops"].values()),
        "b_drops": sum(ports["b"]["drops"].values()),
        "cpu_gen": cpu_times(GEN_CPU), "cpu_dut": cpu_times(DUT_CPU),
        "gen": proc_times(gen_pid),
    }


def one_run(env, topo, mode, rnd, hz):
    """One row, one round: fresh nfvd and generator; the figures."""
    port = {"af_packet": {}, "af_xdp": {"queues": 1, "busy_budget": 0}}[mode]
    nfvd = env.nfvd(
        name="nfvd-%s-%d" % (mode, rnd),
        ports=[dict({"name": "a", "type": mode, "ifname": topo.A}, **port),
               dict({"name": "b", "type": mode, "ifname": topo.B}, **port)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        links=[["a", "sw.a"], ["sw.b", "b"]],
        dataplane={"lcores": str(DUT_CPU), "memory": 512})
    try:
        # lcores: the worker on the DUT core; nfvd puts its main thread on
        # the first other CPU, the generator's (as under compare.sh).
        nfvd.start(timeout=40)
    except nfvtest.Fail as e:
        return {"error": str(e).strip().splitlines()[-1][:300]}
    link = nfvtest.run(["ip", "-j", "link", "show", "dev", topo.A]).stdout
    xdp = (json.loads(link)[0].get("xdp") or {}).get("mode")
    # iproute2's numbers: 1 native (the veth driver's XDP), 2 generic
    # (skb), 3 offloaded.
    xdp_mode = {1: "native", 2: "generic", 3: "offload"}.get(xdp, "none" if xdp is None else str(xdp))
    gen = env.spawn(
        "gen-%s-%d" % (mode, rnd),
        ["ip", "netns", "exec", topo.gen_ns, "taskset", "-c", str(GEN_CPU), "dpdk-testpmd",
         "--lcores", "0@%d,1@%d" % (GEN_CPU, GEN_CPU), "--no-pci", "--no-huge", "-m", "256",
         "--file-prefix=%s" % env.prefix("gen-%s-%d" % (mode, rnd)), "--no-telemetry",
         "--log-level=lib.eal:error",
         "--vdev=net_af_packet0,iface=%s,qpairs=1,qdisc_bypass=1" % topo.G, "--",
         "--forward-mode=txonly", "--auto-start", "--nb-cores=1", "--txq=1", "--rxq=1",
         "--txpkts=60", "--eth-peer=0,%s" % DST_MAC, "--total-num-mbufs=16384",
         "--stats-period", "86400", "--disable-link-check"])
    try:
        nfvtest.wait_for(lambda: link_stats(topo.gen_ns, topo.G)["tx"] > 1000 or
                         (not gen.alive() and _gen_died(gen)), 30, "the generator's first frames")
        time.sleep(ARGS.warmup)
        s0 = snapshot(topo, nfvd, gen.pid)
        time.sleep(ARGS.duration)
        s1 = snapshot(topo, nfvd, gen.pid)
    finally:
        gen.stop()
        nfvd_rc = nfvd.stop()
    dt = s1["t"] - s0["t"]

    def d(path):
        a, b = s0, s1
        for k in path:
            a, b = a[k], b[k]
        return b - a
    ticks_g = s1["cpu_gen"][4] - s0["cpu_gen"][4] or 1
    ticks_d = s1["cpu_dut"][4] - s0["cpu_dut"][4] or 1
    clk = os.sysconf("SC_CLK_TCK")
    r = {
        "mode": mode, "round": rnd, "duration_s": dt,
        "offered_mpps": d(("G", "tx")) / dt / 1e6,
        "gen_tx_dropped": d(("G", "tx_dropped")),
        "kernel_rx_mpps": d(("A", "rx")) / dt / 1e6,
        "nfvd_rx_mpps": d(("a_rx",)) / dt / 1e6,
        "nfvd_tx_mpps": d(("b_tx",)) / dt / 1e6,
        "delivered_mpps": d(("S", "rx")) / dt / 1e6,
        "nfvd_port_drops": d(("a_drops",)) + d(("b_drops",)),
        "cycles_per_packet": d(("busy",)) / d(("pkts",)) if d(("pkts",)) else None,
        "worker_busy_pct": 100.0 * d(("busy",)) / (dt * hz),
        "gen_proc_pct": 100.0 * (sum(s1["gen"]) - sum(s0["gen"])) / clk / dt,
        "gen_proc_sys_pct": 100.0 * (s1["gen"][1] - s0["gen"][1]) / clk / dt,
        "gen_core": {k: 100.0 * (s1["cpu_gen"][i] - s0["cpu_gen"][i]) / ticks_g
                     for i, k in enumerate(("user", "system", "irq", "idle"))},
        "dut_core": {k: 100.0 * (s1["cpu_dut"][i] - s0["cpu_dut"][i]) / ticks_d
                     for i, k in enumerate(("user", "system", "irq", "idle"))},
        "xdp_mode": xdp_mode,
        "nfvd_exit": nfvd_rc,
        "nfvd_mbufs": " / ".join(l.strip() for l in nfvd.log_text().splitlines() if "mbufs" in l),
    }
    lost_before = r["offered_mpps"] - r["nfvd_rx_mpps"]
    r["lost_before_nfvd_pct"] = 100.0 * lost_before / r["offered_mpps"] if r["offered_mpps"] else 0.0
    r["bottleneck"] = ("nfvd" if r["worker_busy_pct"] >= 90 or r["lost_before_nfvd_pct"] > 1
                       else "generator side")
    return r


def _gen_died(gen):
    raise nfvtest.Fail("the generator exited with %s:\n%s"
                       % (gen.p.returncode, nfvtest.tail(gen.log_path)))


def med(rs, key):
    v = [r[key] for r in rs if r.get(key) is not None]
    return statistics.median(v) if v else None


def run(env):
    if (os.cpu_count() or 1) < 2:
        nfvtest.skip("needs two cores (generator and nfvd's worker)")
    hz = tsc_hz()
    topo = Topology(env)
    rows = {m: [] for m in MODES}
    errors = {}
    for rnd in range(1, ARGS.rounds + 1):
        for mode in MODES:
            if mode in errors:
                continue
            r = one_run(env, topo, mode, rnd, hz)
            if "error" in r:
                errors[mode] = r["error"]
                log("%s: could not run: %s" % (mode, r["error"]))
                continue
            rows[mode].append(r)
            log("%-9s round %d: delivered %.3f Mpps (offered %.3f, nfvd rx %.3f), %.0f cycles/packet, "
                "worker busy %.0f%%, generator %.0f%% of its core (%.0f%% in the kernel), "
                "generator core idle %.0f%%, DUT core user/sys/irq %.0f/%.0f/%.0f%%; XDP %s; %s"
                % (mode, rnd, r["delivered_mpps"], r["offered_mpps"], r["nfvd_rx_mpps"],
                   r["cycles_per_packet"] or 0, r["worker_busy_pct"], r["gen_proc_pct"],
                   r["gen_proc_sys_pct"], r["gen_core"]["idle"], r["dut_core"]["user"],
                   r["dut_core"]["system"], r["dut_core"]["irq"], r["xdp_mode"], r["bottleneck"]))
    print()
    print("AF_XDP vs af_packet on veth, 64 B, testpmd txonly (af_packet) as the generator; "
          "medians of %d rounds of %g s; %s UTC, commit %s"
          % (ARGS.rounds, ARGS.duration, time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
             nfvtest.run(["git", "-C", nfvtest.REPO, "rev-parse", "--short", "HEAD"],
                         check_rc=False).stdout.strip() or "unknown"))
    print()
    print("| nfvd ports (XDP on A) | delivered Mpps | offered Mpps | nfvd rx Mpps | lost before nfvd | "
          "cycles/packet | worker busy | generator: process (kernel) | generator core: "
          "user/sys/irq | bottleneck | runs |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for mode in MODES:
        rs = rows[mode]
        if not rs:
            print("| %s | failed: %s | | | | | | | | | 0 |" % (mode, errors.get(mode, "?")))
            continue
        bn = [r["bottleneck"] for r in rs]
        print("| %s (%s) | %.3f | %.3f | %.3f | %.1f%% | %.0f | %.0f%% | %.0f%% (%.0f%%) | %.0f/%.0f/%.0f%% "
              "| %s | %d |"
              % (mode, rs[0]["xdp_mode"], med(rs, "delivered_mpps"), med(rs, "offered_mpps"), med(rs, "nfvd_rx_mpps"),
                 med(rs, "lost_before_nfvd_pct"), med(rs, "cycles_per_packet") or 0,
                 med(rs, "worker_busy_pct"), med(rs, "gen_proc_pct"), med(rs, "gen_proc_sys_pct"),
                 statistics.median(r["gen_core"]["user"] for r in rs),
                 statistics.median(r["gen_core"]["system"] for r in rs),
                 statistics.median(r["gen_core"]["irq"] for r in rs),
                 max(set(bn), key=bn.count), len(rs)))
    for mode in MODES:
        for r in rows[mode][:1]:
            if r["nfvd_mbufs"]:
                print("%s: nfvd at exit: %s" % (mode, r["nfvd_mbufs"]))
    if ARGS.json:
        with open(ARGS.json, "w") as f:
            json.dump({"tool": "bench_veth.py", "rounds": ARGS.rounds, "duration_s": ARGS.duration,
                       "runs": rows, "errors": errors}, f, indent=2)
    if not rows["af_packet"]:
        raise nfvtest.Fail("the af_packet row did not run: %s" % errors.get("af_packet"))


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("NFV_BENCH_RUNS", 3)))
    ap.add_argument("--duration", type=float, default=float(os.environ.get("NFV_BENCH_DURATION", 10)))
    ap.add_argument("--warmup", type=float, default=2)
    ap.add_argument("-j", "--json")
    ap.add_argument("--force", action="store_true", help="run without NFV_BENCH_VETH=1")
    ARGS = ap.parse_args()
    if ARGS.rounds < 1 or ARGS.duration <= 0 or ARGS.warmup < 0:
        ap.error("--rounds >= 1, --duration > 0, --warmup >= 0")
    if os.environ.get("NFV_BENCH_VETH") != "1" and not ARGS.force:
        print("skip: set NFV_BENCH_VETH=1 (or --force) to run the veth benchmark (busy cores for minutes)")
        sys.exit(nfvtest.SKIP)
    budget = int(ARGS.rounds * len(MODES) * (ARGS.duration + ARGS.warmup + 40) + 60)
    nfvtest.main(run, "veth-ports", budget=budget, needs=["dpdk-testpmd", "taskset", "sysctl"])


if __name__ == "__main__":
    main()
