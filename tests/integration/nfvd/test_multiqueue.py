#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two workers on two multi-queue vhost-user ports: per-flow order, no loss.

nfvd runs 2 workers (dataplane.share_cpus: this machine has 2 CPUs) and an
l2switch between two vhost-user ports with `queues: 2`; each worker polls
one RX queue of each port and sends on its own TX queue.  nfv-bench is the
frontend: virtio-user with 2 queue pairs on each port, 16 flows hashed to
the queues (flow f on queue f % 2), a sequence number per frame.

1. rate phase, 2 queues: every frame nfv-bench sent is delivered (or each
   frame missing is a drop nfvd counted with a reason), none is out of
   order within its flow, both queues of both ports carried frames, both
   workers forwarded packets (their counters in `nfvctl show stats`), and
   nfvd saw both rings of both ports enabled;
2. a frontend with 1 queue pair (a guest without multi-queue) on the same
   nfvd: the rings it never set up are skipped (librte_vhost logs no
   "invalid virtqueue idx"), worker 1 sends on queue 0 instead of its own,
   and again nothing is lost or reordered.

Argument `server` (default): nfvd's ports listen; `client`: nfv-bench
listens (`--port PATH,server`) and nfvd's ports connect, and reconnect
to the second nfv-bench.

The rate is low on purpose: three pollers share two CPUs here, so a
worker can be off its CPU for a scheduler tick; the rings must hold what
comes in meanwhile.  The figures are not scaling figures.
"""
import os
import json
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

FLOWS = 16
RATE = "50kpps"


def drops_total(ports):
    return sum(v for p in ports.values() for v in p["drops"].values())


def workers(nfvd):
    return nfvd.nfvctl("show", "stats")["workers"]


def bench_start(env, nfvd, socks, queues, duration, tag, server):
    """Start one nfv-bench run at RATE (`server`: it listens, nfvd's
    client ports connect); bench_end() waits for its JSON document."""
    path = env.path("bench-%s.json" % tag)
    argv = [nfvtest.binary("NFV_BENCH", "dataplane/bench/nfv-bench"),
            "--queues", str(queues), "--flows", str(FLOWS), "--rate", RATE,
            "--duration", str(duration), "--warmup", "0.5", "--json", path,
            # A worker off its CPU for a few ticks must not end the drain.
            "--drain-quiet", "300",
            # nfvd's per-worker busy cycles in the report.
            "--dut-socket", nfvd.sock,
            "--no-huge", "--memory", "256", "--file-prefix", env.prefix("bench-%s" % tag),
            "--cpu", str(max(os.sched_getaffinity(0)))]
    for s in socks:
        argv += ["--port", s + (",server" if server else "")]
    proc = env.spawn("bench-%s" % tag, argv)
    return proc, path, queues, duration


def bench_end(run):
    proc, path, queues, duration = run
    rc = proc.wait(duration + 40)
    out = proc.text()
    log("nfv-bench (%d queues):\n%s" % (queues, out[-1500:]))
    check_eq(rc, 0, "nfv-bench --queues %d exit status" % queues)
    with open(path) as f:
        return json.load(f)


def check_trial(doc, before, after, what):
    tr = doc["results"][0]["trials"][doc["results"][0]["final_trial"]]
    sent = sum(p["tx_packets"] for p in tr["ports"])
    delivered = sum(p["delivered"] for p in tr["ports"])
    reordered = sum(p["reordered"] for p in tr["ports"])
    refused = sum(p["tx_refused"] for p in tr["ports"])
    counted = drops_total(after) - drops_total(before)
    why = {"%s %s" % (n, k): v - before[n]["drops"].get(k, 0)
           for n, p in after.items() for k, v in p["drops"].items()
           if v != before[n]["drops"].get(k, 0)}
    if why:
        log("%s: drops nfvd counted, by port and reason: %s" % (what, why))
    log("%s: sent %d, delivered %d, reordered %d, refused by the generator's rings %d, "
        "drops nfvd counted %d" % (what, sent, delivered, reordered, refused, counted))
    check(sent > 10000, "%s: frames were sent (%d)" % (what, sent))
    check_eq(reordered, 0, "%s: frames out of order within a flow" % what)
    check(sent - delivered <= counted,
          "%s: every frame missing (%d) is a drop nfvd counted (%d)" % (what, sent - delivered, counted))
    return tr


def run(env, mode):
    """mode: server (nfvd listens) or client (nfv-bench listens)."""
    client = mode == "client"
    names = ["p1", "p2"]
    socks = [env.path("%s.sock" % n) for n in names]
    nfvd = env.nfvd(
        ports=[{"name": n, "type": "vhost-user", "path": s, "queues": 2, "mode": mode}
               for n, s in zip(names, socks)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        links=[["p1", "sw.a"], ["p2", "sw.b"]],
        dataplane={"workers": 2, "share_cpus": True, "idle": "sleep"})
    if client:
        # nfv-bench listens first; its start waits for nfvd to connect
        # port 0 before it makes the socket of port 1 (EAL probes the
        # ports one by one), and nfvd's client ports retry until then.
        b = bench_start(env, nfvd, socks, 2, 4, "q2", True)
        nfvtest.wait_for_socket(socks[0], timeout=30)
    w0 = [{"id": i, "lcore": 0, "packets": 0, "busy_cycles": 0} for i in (0, 1)]
    p0 = {n: {"drops": {}} for n in names}
    nfvd.start()
    text = nfvd.proc.text()
    check("dataplane.share_cpus" in text and "worker 1 on CPU" in text,
          "nfvd warns at start where the workers share CPUs")
    for w in (0, 1):
        check("polls RX queues p1:%d, p2:%d" % (w, w) in text,
              "worker %d polls queue %d of both ports" % (w, w))
    if not client:
        for s in socks:
            nfvtest.wait_for_socket(s)
        # 1. Two queue pairs on both sides.
        w0 = workers(nfvd)
        p0 = nfvd.ports()
        b = bench_start(env, nfvd, socks, 2, 4, "q2", False)
    doc = bench_end(b)
    p1 = nfvd.wait_stable()
    w1 = workers(nfvd)
    tr = check_trial(doc, p0, p1, "2 queues")
    for p in tr["ports"]:
        check(min(p["tx_queue_packets"]) > 0 and min(p["rx_queue_packets"]) > 0,
              "port %d: both queues carried frames (sent %s, received %s)"
              % (p["port"], p["tx_queue_packets"], p["rx_queue_packets"]))
    for a, b in zip(w0, w1):
        pkts = b["packets"] - a["packets"]
        cyc = b["busy_cycles"] - a["busy_cycles"]
        log("worker %d (lcore %d): %d packets, %.0f busy cycles per packet (CPU-shared: not a "
            "scaling figure)" % (b["id"], b["lcore"], pkts, cyc / pkts if pkts else 0))
        check(pkts > 1000, "worker %d forwarded packets (%d)" % (b["id"], pkts))
    dw = tr.get("dut_workers") or []
    check(len(dw) == 2 and all(w["packets"] > 1000 and w["cycles_per_packet"] > 0 for w in dw),
          "nfv-bench --dut-socket: busy cycles per packet of both workers (%s)" % dw)
    text = nfvd.proc.text()
    for n in names:
        check("port %s: frontend rings enabled: rx queues 0x3, tx queues 0x3" % n in text,
              "nfvd saw both rings of %s enabled" % n)

    # 2. One queue pair: a frontend without multi-queue on the same nfvd.
    w0 = w1
    if client:
        # The old listener is gone: nfvd's ports reconnect to the new one.
        nfvd.wait_links(names, state="down")
    doc = bench_end(bench_start(env, nfvd, socks, 1, 2, "q1", client))
    p2 = nfvd.wait_stable()
    w2 = workers(nfvd)
    check_trial(doc, p1, p2, "1 queue")
    text = nfvd.proc.text()
    check("invalid virtqueue" not in text, "no ring the frontend never set up was polled")
    for n in names:
        check("port %s: frontend rings enabled: rx queues 0x1, tx queues 0x1" % n in text,
              "nfvd saw only queue pair 0 of %s enabled" % n)
    moved = [b["packets"] - a["packets"] for a, b in zip(w0, w2)]
    log("1 queue: packets per worker %s" % moved)
    check(moved[0] > 1000, "worker 0 (queue 0 of both ports) forwarded the flows")
    check_eq(nfvd.stop(), 0, "nfvd exit status")
    nfvtest.check_mbufs_accounted(nfvd)


if __name__ == "__main__":
    MODE = sys.argv[1] if len(sys.argv) > 1 else "server"
    nfvtest.main(lambda env: run(env, MODE), name="multiqueue-%s" % MODE, budget=80)
