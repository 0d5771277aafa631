#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Soak: NFV_SOAK_MINUTES (default 10) of mixed traffic and churn.

    meson test -C build --suite soak            (not in the default run)
    NFV_SOAK_MINUTES=2 meson test -C build --suite soak

Topology (one nfvd, one worker, two testpmd "guests"):

    testpmd A  v1 ──┐                     mac-forward loop, 2 x 8 bursts
               v2 ──┴─ sw (l2switch) ── c: a spare port, added and removed
    testpmd B  v3 ── rtr.lan  rtr.wan ── fw.in  fw.out ── v4
               UDP 10.10.0.2 -> 10.20.0.2, routed, allowed by fw rule 0;
               testpmd's mac-forward sends what arrives on v4 back out of
               v3, so each frame loops until its TTL runs out (counted
               as the router's ttl-exceeded); new bursts every 5 s.

Churn, one step every second, round robin: a route added and deleted on
rtr, a firewall rule inserted and deleted on fw, the switch's MACs
flushed, the spare port added (linked to sw.c) and removed, a testpmd
port stopped and started (a vhost-user link flap under traffic; the
frames in flight on it are dropped and counted, new ones sent).

Sampled every 10 s: nfvd's memory (RssAnon, the leak signal: with
hugepages DPDK's memory is outside it; VmRSS also holds the guests'
memory mapped by the vhost library), the packet pool's mbufs in use, the
counters.  At the end the traffic stops and the test checks: nfvd alive
throughout, every mbuf back (in use at rest = before any traffic), RSS
flat (least-squares slope of RssAnon over the samples of the second
half, printed in KiB/min, under 256 KiB/min; the first half is warm-up), and every
VNF's packets counted once by fate (packets == passed + dropped + held);
then it prints a summary with every drop by reason.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

MINUTES = float(os.environ.get("NFV_SOAK_MINUTES", "10"))
SAMPLE_S = 10
RSS_SLOPE_MAX_KIB_MIN = 256
MAC = ["02:00:00:00:09:01", "02:00:00:00:09:02", "02:00:00:00:09:03", "02:00:00:00:09:04"]
RTR_LAN, RTR_WAN = "02:00:00:00:0a:01", "02:00:00:00:0a:02"


def mem_kib(pid):
    """VmRSS and its parts (KiB).  RssShmem holds the guests' memory that
    the vhost library maps (it grows as packets touch it, and a new
    mapping comes with each reconnect) and, without hugepages, DPDK's own
    memory: a leak of nfvd's shows in RssAnon."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k = line.split(":")[0]
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(line.split()[1])
    if "VmRSS" not in out:
        raise nfvtest.Fail("no VmRSS for pid %d" % pid)
    return out


def rss_kib(pid):
    return mem_kib(pid)["RssAnon"]


def slope(points):
    """Least-squares slope of (x, y) points: y per unit of x."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / sxx if sxx else 0.0


def drops_by_reason(ports, stats):
    out = {}
    for p in ports.values():
        for k, v in p["drops"].items():
            if v:
                out["port %s %s" % (p["name"], k)] = v
    for v in stats["vnfs"]:
        for k, n in v["drops"].items():
            if n:
                out["vnf %s %s" % (v["name"], k)] = n
    return out


def run(env):
    socks = {n: env.path("%s.sock" % n) for n in ("v1", "v2", "v3", "v4", "spare")}
    ports = [{"name": n, "type": "vhost-user", "path": socks[n], "mode": "server"}
             for n in ("v1", "v2", "v3", "v4")]
    vnfs = [
        {"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
        {"name": "rtr", "type": "router", "ifaces": [
            {"name": "lan", "mac": RTR_LAN, "address": ["10.10.0.1/24"]},
            {"name": "wan", "mac": RTR_WAN, "address": ["10.20.0.1/24"]}],
         "neighbors": [{"iface": "lan", "ip": "10.10.0.2", "mac": MAC[2]},
                       {"iface": "wan", "ip": "10.20.0.2", "mac": MAC[3]}]},
        {"name": "fw", "type": "firewall", "ifaces": [{"name": "in"}, {"name": "out"}],
         "default": "drop", "rules": [{"action": "allow", "proto": "udp"}]},
    ]
    links = [["v1", "sw.a"], ["v2", "sw.b"], ["v3", "rtr.lan"], ["rtr.wan", "fw.in"], ["fw.out", "v4"]]
    # With hugepages DPDK's memory is outside RssAnon, which then shows
    # what nfvd allocates with malloc: the leak signal.
    huge = "on" if nfvtest.free_hugepages_mb() >= 640 else "off"
    nfvd = env.nfvd(ports=ports, vnfs=vnfs, links=links,
                    dataplane={"memory": 512, "hugepages": huge})
    nfvd.start()
    pid = nfvd.pid
    base = nfvd.nfvctl("show", "stats")["mbufs"]
    rss0 = rss_kib(pid)
    log("at rest before traffic: mbufs %s, hugepages %s, memory %s KiB"
        % (base, huge, mem_kib(pid)))

    a = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s,queue_size=1024" % (i, socks[n], MAC[i])
                           for i, n in enumerate(("v1", "v2"))],
                    peers=[MAC[1], MAC[0]], fwd="mac", name="testpmd-sw",
                    extra=["--rxd=1024", "--txd=1024"]).start()
    b = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s" % (i, socks[n], MAC[2 + i])
                           for i, n in enumerate(("v3", "v4"))],
                    peers=[RTR_LAN, RTR_WAN], fwd="mac", name="testpmd-rtr",
                    extra=["--tx-ip=10.10.0.2,10.20.0.2"]).start()
    nfvd.wait_links(["v1", "v2", "v3", "v4"])
    a.cmd("start tx_first 8")
    b.cmd("start tx_first 4")

    steps = {"route": 0, "rule": 0, "mac-flush": 0, "port-add-del": 0, "link-flap": 0, "reinject": 0}
    samples = []            # (minutes, rss KiB, mbufs in use)
    t0 = time.monotonic()
    end = t0 + MINUTES * 60
    next_sample = t0
    next_inject = t0 + 5
    spare_in = False
    i = 0
    while time.monotonic() < end:
        now = time.monotonic()
        check(nfvd.alive() and nfvd.pid == pid, "nfvd died during the soak")
        if now >= next_sample:
            st = nfvd.nfvctl("show", "stats")
            m = mem_kib(pid)
            samples.append(((now - t0) / 60.0, m["RssAnon"], st["mbufs"]["in_use"], m["VmRSS"]))
            pkts = sum(w["packets"] for w in st["workers"])
            log("sample %d: RssAnon %d KiB (VmRSS %d, RssShmem %d), mbufs in use %d, worker packets %d"
                % (len(samples), m["RssAnon"], m["VmRSS"], m.get("RssShmem", 0), samples[-1][2], pkts))
            next_sample += SAMPLE_S
        if now >= next_inject:
            b.cmd("stop")
            b.cmd("start tx_first 4")
            steps["reinject"] += 1
            next_inject += 5
        kind = i % 5
        if kind == 0:
            pfx = "10.%d.%d.0/24" % (30 + (i // 5) % 50, (i // 250) % 250)
            nfvd.nfvctl("route", "add", pfx, "via", "10.20.0.2", "vnf", "rtr")
            nfvd.nfvctl("route", "del", pfx, "vnf", "rtr")
            steps["route"] += 1
        elif kind == 1:
            nfvd.nfvctl("rule", "add", "vnf", "fw", "index", "0", "action", "drop", "proto", "tcp",
                        "dport", str(1000 + i % 1000))
            nfvd.nfvctl("rule", "del", "vnf", "fw", "0")
            steps["rule"] += 1
        elif kind == 2:
            nfvd.nfvctl("mac", "flush", "sw")
            steps["mac-flush"] += 1
        elif kind == 3:
            if spare_in:
                nfvd.nfvctl("port", "del", "spare")
            else:
                nfvd.nfvctl("port", "add", "spare", "type", "vhost-user", "path", socks["spare"],
                            "mode", "server", "link", "sw.c")
            spare_in = not spare_in
            steps["port-add-del"] += 1
        else:
            # A guest's link flaps under traffic: frames in flight on it
            # are dropped, counted by reason.
            # testpmd stops and starts a port only with forwarding
            # stopped; the loop is topped up after (2 bursts a port).
            port = (i // 5) % 2
            a.cmd("stop")
            a.cmd("port stop %d" % port)
            a.cmd("port start %d" % port)
            a.cmd("start tx_first 2")
            steps["link-flap"] += 1
        i += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))

    # Stop the traffic; let the rings drain.
    if spare_in:
        nfvd.nfvctl("port", "del", "spare")
    a.cmd("stop")
    b.cmd("stop")
    ports_end = nfvd.wait_stable(settle=1.0, timeout=20)
    st = nfvd.nfvctl("show", "stats")
    rss1 = rss_kib(pid)
    half = [(s[0], s[1]) for s in samples if s[0] >= MINUTES / 2] or [(s[0], s[1]) for s in samples]
    rss_slope = slope(half)
    rss_slope_all = slope([(s[0], s[1]) for s in samples])
    vm_slope = slope([(s[0], s[3]) for s in samples if s[0] >= MINUTES / 2] or [(s[0], s[3]) for s in samples])
    drops = drops_by_reason(ports_end, st)
    fwd = {p["name"]: (p["rx_packets"], p["tx_packets"]) for p in ports_end.values()}

    print("==== soak summary (%.1f min) ====" % MINUTES)
    print("nfvd pid %d alive throughout; %d samples every %d s" % (pid, len(samples), SAMPLE_S))
    print("churn: %s" % ", ".join("%s %d" % kv for kv in steps.items()))
    for n, (rx, tx) in sorted(fwd.items()):
        print("port %-5s rx %12d  tx %12d" % (n, rx, tx))
    for v in st["vnfs"]:
        f = v["fates"]
        print("vnf %-4s packets %12d  passed %12d  dropped %10d  held %d"
              % (v["name"], v["packets"], f["passed"], f["dropped"], f["held"]))
    print("drops by reason:")
    for k, n in sorted(drops.items()):
        print("  %-40s %d" % (k, n))
    print("mbufs in use at rest: %d before traffic, %d after (pool of %d)"
          % (base["in_use"], st["mbufs"]["in_use"], st["mbufs"]["size"]))
    print("mbufs in use while running: min %d, max %d"
          % (min(s[2] for s in samples), max(s[2] for s in samples)))
    print("RssAnon: %d KiB at start, %d KiB at the end; slope %.1f KiB/min over the second half"
          " (%.1f KiB/min over all samples)" % (rss0, rss1, rss_slope, rss_slope_all))
    print("VmRSS (with the guests' mapped memory): %d KiB at the end; slope %.1f KiB/min over the"
          " second half" % (samples[-1][3], vm_slope))
    print("hugepages: %s" % huge)
    print("==== end of soak summary ====", flush=True)

    for v in st["vnfs"]:
        f = v["fates"]
        check_eq(v["packets"], f["passed"] + f["dropped"] + f["held"],
                 "vnf %s: packets vs passed + dropped + held" % v["name"])
    check_eq(st["mbufs"]["in_use"], base["in_use"], "mbufs in use at rest after the soak")
    check(rss_slope < RSS_SLOPE_MAX_KIB_MIN,
          "RssAnon grows %.1f KiB/min over the second half (limit %d)" % (rss_slope, RSS_SLOPE_MAX_KIB_MIN))
    a.quit()
    b.quit()
    nfvd.stop_clean()


if __name__ == "__main__":
    nfvtest.main(run, "soak", budget=int(MINUTES * 60) + 150, needs=["dpdk-testpmd"])
