#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The schema checker itself (check_bench_json.py), so that a passing
schema check means something: a valid document passes, and each kind of
damage (missing key, unknown key, wrong type, out-of-range value,
inconsistent trial) is caught and named.  No nfv-bench run needed."""
import copy
import benchtest as bt
from check_bench_json import check

LAT = {"min": 1.0, "mean": 2.0, "p50": 1.5, "p99": 3.0, "max": 9.0, "samples": 100}


def port(i, sending=True):
    return {"port": i, "sending": sending, "tx_packets": 100, "tx_bytes": 6400, "tx_refused": 0,
            "rx_packets": 100, "rx_bytes": 6400, "delivered": 100, "lost": 0, "reordered": 0,
            "foreign": 0, "stale": 0, "offered_mpps": 1.0, "offered_gbps": 0.5,
            "received_mpps": 1.0, "received_gbps": 0.5, "loss_pct": 0.0, "latency_us": dict(LAT)}


def trial(i, kind, pps, passed):
    return {"index": i, "kind": kind, "size": 64, "closed_loop": False, "requested_pps": pps,
            "duration_s": 1.0, "pass": passed, "generator_limited": False, "generator_busy_pct": 50.0, "offered_mpps": 1.0,
            "received_mpps": 1.0, "loss_pct": 0.0, "latency_us": dict(LAT), "ports": [port(0), port(1)]}


VALID = {
    "tool": "nfv-bench", "version": "0.1.0", "schema": 1, "started": "2026-01-01T00:00:00Z",
    "tsc_hz": 2450000000,
    "config": {"mode": "rfc2544", "ports_kind": "virtio-user",
               "ports": [{"port": 0, "path": "/tmp/a.sock", "mac": "02:00:00:00:00:01",
                          "peer_mac": "02:00:00:00:00:02", "peer": 1},
                         {"port": 1, "path": "/tmp/b.sock", "mac": "02:00:00:00:00:02",
                          "peer_mac": "02:00:00:00:00:01", "peer": 0}],
               "sizes": [64, "imix"], "flows": 1, "l3": "ipv4", "l4": "udp", "bidirectional": True,
               "burst": 32, "inflight": 8, "line_rate_gbps": 10.0, "duration_s": 10.0, "warmup_s": 1.0,
               "rfc2544": {"loss_tolerance_pct": 0.0, "trial_s": 2.0, "verify_s": 10.0}},
    "results": [{"size": 64, "mean_frame_bytes": 64.0, "found": True, "generator_limited": False,
                 "final_trial": 2, "throughput_mpps": 1.0, "throughput_gbps": 0.512,
                 "trials": [trial(0, "search", 14880952.0, False), trial(1, "search", 1e6, True),
                            trial(2, "verify", 1e6, True)]}],
}


def damaged(fn):
    d = copy.deepcopy(VALID)
    fn(d)
    return d


CASES = [
    ("missing top-level key", lambda d: d.pop("tsc_hz"), "tsc_hz"),
    ("unknown key", lambda d: d["config"].__setitem__("colour", "red"), "config.colour"),
    ("wrong tool", lambda d: d.__setitem__("tool", "pktgen"), "tool"),
    ("string for a number", lambda d: d["results"][0].__setitem__("throughput_mpps", "1.0"),
     "results[0].throughput_mpps"),
    ("negative counter", lambda d: d["results"][0]["trials"][0]["ports"][1].__setitem__("lost", -1),
     "results[0].trials[0].ports[1].lost"),
    ("loss over 100 %", lambda d: d["results"][0]["trials"][1].__setitem__("loss_pct", 150.0),
     "results[0].trials[1].loss_pct"),
    ("bad size", lambda d: d["results"][0].__setitem__("size", 9000), "results[0].size"),
    ("bad MAC", lambda d: d["config"]["ports"][0].__setitem__("mac", "02:00:00:00:00"), "config.ports[0].mac"),
    ("bad kind", lambda d: d["results"][0]["trials"][0].__setitem__("kind", "guess"),
     "results[0].trials[0].kind"),
    ("latency without samples", lambda d: d["results"][0]["trials"][0]["latency_us"].pop("samples"),
     "results[0].trials[0].latency_us.samples"),
    ("final trial out of range", lambda d: d["results"][0].__setitem__("final_trial", 7),
     "results[0].final_trial"),
    ("closed loop with a rate", lambda d: d["results"][0]["trials"][0].__setitem__("closed_loop", True),
     "results[0].trials[0]"),
    ("latency out of order", lambda d: d["results"][0]["trials"][2]["latency_us"].__setitem__("p99", 0.5),
     "results[0].trials[2].latency_us"),
    ("one port stats entry", lambda d: d["results"][0]["trials"][1]["ports"].pop(),
     "results[0].trials[1].ports"),
    ("boolean as number", lambda d: d["results"][0].__setitem__("found", 1), "results[0].found"),
]


def main():
    errs = check(VALID)
    bt.expect(errs == [], "a valid document passes (%s)" % errs)
    for name, fn, where in CASES:
        errs = check(damaged(fn))
        bt.expect(any(e.startswith(where) for e in errs), "%s: caught at %s (%s)" % (name, where, errs[:2]))
    vc = {"tool": "nfv-bench", "version": "0.1.0", "schema": 1, "mode": "vnf-cost", "tsc_hz": 1,
          "config": {"file": "c.yaml", "size": 64, "flows": 1, "burst": 32, "iterations": 10},
          "vnfs": [{"name": "sw", "type": "l2switch", "packets": 320, "calls": 10, "cycles_per_packet": 5.0}],
          "chain": {"packets_in": 320, "packets_out": 320, "runner_drops": 0, "cycles_per_packet": 9.0}}
    bt.expect(check(vc) == [], "a valid vnf-cost document passes")
    del vc["chain"]["packets_out"]
    bt.expect(any("chain.packets_out" in e for e in check(vc)), "a vnf-cost document without packets_out fails")
    if bt.failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
