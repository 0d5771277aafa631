#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Validate nfv-bench's JSON output against the schema documented in
docs/benchmarks.md ("JSON output").  Hand-written, standard library only.

    check_bench_json.py FILE...     exit 0 when every file is valid, else 1
                                    and one line per problem

Also imported by the tests: check(doc) returns the list of problems.
Keep this file and the table in docs/benchmarks.md in step.
"""
import json
import math
import sys

NUM = (int, float)


def _num(v):
    return isinstance(v, NUM) and not isinstance(v, bool) and math.isfinite(v)


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


# A spec is a dict key -> (checker, required).  A checker is a type name
# or a callable returning an error string or None.
def nonneg_int(v):
    return None if _int(v) and v >= 0 else "a non-negative integer"


def pos_int(v):
    return None if _int(v) and v > 0 else "a positive integer"


def nonneg_num(v):
    return None if _num(v) and v >= 0 else "a non-negative number"


def pct(v):
    return None if _num(v) and 0 <= v <= 100 else "a percentage 0..100"


def boolean(v):
    return None if isinstance(v, bool) else "true or false"


def string(v):
    return None if isinstance(v, str) and v else "a non-empty string"


def one_of(*allowed):
    def f(v):
        return None if v in allowed else "one of %s" % (", ".join(map(repr, allowed)))
    return f


def nullable(inner):
    def f(v):
        return None
    f.nullable = inner
    return f


def size(v):
    if v == "imix" or (_int(v) and 64 <= v <= 1518):
        return None
    return "a frame size 64..1518 or \"imix\""


def mac(v):
    parts = v.split(":") if isinstance(v, str) else []
    if len(parts) == 6 and all(len(p) == 2 and all(c in "0123456789abcdef" for c in p) for p in parts):
        return None
    return "a MAC like 02:00:00:00:00:01"


def obj(spec):
    def f(v, path="", errs=None):
        return _check_obj(v, spec, path, errs)
    f.spec = spec
    return f


def array_of(inner, min_len=0):
    def f(v):
        if not isinstance(v, list):
            return "an array"
        if len(v) < min_len:
            return "an array of at least %d" % min_len
        return None
    f.inner = inner
    return f


LATENCY = obj({
    "min": (nonneg_num, True),
    "mean": (nonneg_num, True),
    "p50": (nonneg_num, True),
    "p99": (nonneg_num, True),
    "max": (nonneg_num, True),
    "samples": (pos_int, True),
})

PORT_STATS = obj({
    "port": (nonneg_int, True),
    "sending": (boolean, True),
    "tx_packets": (nonneg_int, True),
    "tx_bytes": (nonneg_int, True),
    "tx_refused": (nonneg_int, True),
    "rx_packets": (nonneg_int, True),
    "rx_bytes": (nonneg_int, True),
    "delivered": (nonneg_int, True),
    "lost": (nonneg_int, True),
    "reordered": (nonneg_int, True),
    "foreign": (nonneg_int, True),
    "stale": (nonneg_int, True),
    "offered_mpps": (nonneg_num, True),
    "offered_gbps": (nonneg_num, True),
    "received_mpps": (nonneg_num, True),
    "received_gbps": (nonneg_num, True),
    "loss_pct": (pct, True),
    "latency_us": (nullable(LATENCY), True),
    # --queues > 1: window frames per TX / RX queue
    "tx_queue_packets": (array_of(nonneg_int, 2), False),
    "rx_queue_packets": (array_of(nonneg_int, 2), False),
})

TRIAL = obj({
    "index": (nonneg_int, True),
    "kind": (one_of("measure", "search", "verify"), True),
    "size": (size, True),
    "closed_loop": (boolean, True),
    "requested_pps": (nullable(nonneg_num), True),
    "duration_s": (nonneg_num, True),
    "pass": (nullable(boolean), True),
    "generator_limited": (boolean, True),
    "generator_busy_pct": (pct, True),
    "offered_mpps": (nonneg_num, True),
    "received_mpps": (nonneg_num, True),
    "loss_pct": (pct, True),
    "latency_us": (nullable(LATENCY), True),
    "ports": (array_of(PORT_STATS, 2), True),
    # --dut-socket: nfvd's workers over the trial
    "dut_workers": (array_of(obj({
        "id": (nonneg_int, True),
        "packets": (nonneg_int, True),
        "busy_cycles": (nonneg_int, True),
        "cycles_per_packet": (nonneg_num, True),
    })), False),
})

RESULT = obj({
    "size": (size, True),
    "mean_frame_bytes": (nonneg_num, True),
    "found": (boolean, True),
    "generator_limited": (boolean, True),
    "final_trial": (nullable(nonneg_int), True),
    "throughput_mpps": (nonneg_num, True),
    "throughput_gbps": (nonneg_num, True),
    "trials": (array_of(TRIAL, 1), True),
})

CFG_PORT = obj({
    "port": (nonneg_int, True),
    "path": (nullable(string), True),
    "mac": (mac, True),
    "peer_mac": (mac, True),
    "peer": (nonneg_int, True),
})

CONFIG = obj({
    "mode": (one_of("closed-loop", "rate", "rfc2544"), True),
    "ports_kind": (one_of("virtio-user", "self-test", "test-dut"), True),
    "ports": (array_of(CFG_PORT, 2), True),
    "sizes": (array_of(size, 1), True),
    "flows": (pos_int, True),
    "l3": (one_of("ipv4", "ipv6"), True),
    "l4": (one_of("udp", "tcp"), True),
    "bidirectional": (boolean, True),
    "burst": (pos_int, True),
    "inflight": (pos_int, True),
    "line_rate_gbps": (nonneg_num, True),
    "duration_s": (nonneg_num, True),
    "warmup_s": (nonneg_num, True),
    "rfc2544": (obj({
        "loss_tolerance_pct": (pct, True),
        "trial_s": (nonneg_num, True),
        "verify_s": (nonneg_num, True),
    }), False),
    "test_dut_mpps": (nonneg_num, False),
    "queues": (pos_int, False),
})

TOP = obj({
    "tool": (one_of("nfv-bench"), True),
    "version": (string, True),
    "schema": (one_of(1), True),
    "started": (string, True),
    "tsc_hz": (pos_int, True),
    "config": (CONFIG, True),
    "results": (array_of(RESULT), True),
})

VNF_COST = obj({
    "tool": (one_of("nfv-bench"), True),
    "version": (string, True),
    "schema": (one_of(1), True),
    "mode": (one_of("vnf-cost"), True),
    "tsc_hz": (pos_int, True),
    "config": (obj({
        "file": (string, True),
        "size": (size, True),
        "flows": (pos_int, True),
        "burst": (pos_int, True),
        "iterations": (pos_int, True),
    }), True),
    "vnfs": (array_of(obj({
        "name": (string, True),
        "type": (string, True),
        "packets": (nonneg_int, True),
        "calls": (nonneg_int, True),
        "cycles_per_packet": (nonneg_num, True),
    }), 1), True),
    "chain": (obj({
        "packets_in": (nonneg_int, True),
        "packets_out": (nonneg_int, True),
        "runner_drops": (nonneg_int, True),
        "cycles_per_packet": (nonneg_num, True),
    }), True),
})


def _check_value(v, checker, path, errs):
    if hasattr(checker, "nullable"):
        if v is None:
            return
        checker = checker.nullable
    if hasattr(checker, "spec"):
        _check_obj(v, checker.spec, path, errs)
        return
    why = checker(v)
    if why:
        errs.append("%s: %s, not %s" % (path or "(top)", why, json.dumps(v)[:60]))
        return
    inner = getattr(checker, "inner", None)
    if inner is not None:
        for i, item in enumerate(v):
            _check_value(item, inner, "%s[%d]" % (path, i), errs)


def _check_obj(v, spec, path, errs):
    if errs is None:
        errs = []
    if not isinstance(v, dict):
        errs.append("%s: an object, not %s" % (path or "(top)", json.dumps(v)[:60]))
        return errs
    for key, (checker, required) in spec.items():
        sub = "%s.%s" % (path, key) if path else key
        if key not in v:
            if required:
                errs.append("%s: missing" % sub)
            continue
        _check_value(v[key], checker, sub, errs)
    for key in v:
        if key not in spec:
            errs.append("%s: unknown key" % ("%s.%s" % (path, key) if path else key))
    return errs


def _check_consistency(doc, errs):
    """Relations a schema cannot say."""
    ports = doc["config"]["ports"]
    n = len(ports)
    for r, res in enumerate(doc["results"]):
        trials = res["trials"]
        ft = res["final_trial"]
        if ft is not None and ft >= len(trials):
            errs.append("results[%d].final_trial: %d, but only %d trials" % (r, ft, len(trials)))
        if res["found"] and ft is None:
            errs.append("results[%d]: found without a final_trial" % r)
        for t, tr in enumerate(trials):
            where = "results[%d].trials[%d]" % (r, t)
            if len(tr["ports"]) != n:
                errs.append("%s.ports: %d entries for %d ports" % (where, len(tr["ports"]), n))
            if tr["closed_loop"] != (tr["requested_pps"] is None):
                errs.append("%s: requested_pps must be null exactly in closed loop" % where)
            if tr["closed_loop"] and tr["pass"] is not None:
                errs.append("%s: a closed-loop trial has no pass/fail" % where)
            for p, ps in enumerate(tr["ports"]):
                if ps["port"] != p:
                    errs.append("%s.ports[%d].port: %d" % (where, p, ps["port"]))
                if ps["lost"] > ps["tx_packets"]:
                    errs.append("%s.ports[%d]: lost > tx_packets" % (where, p))
            lat = tr["latency_us"]
            if lat is not None and not (lat["min"] <= lat["p50"] <= lat["p99"] <= lat["max"]
                                        and lat["min"] <= lat["mean"] <= lat["max"]):
                errs.append("%s.latency_us: not ordered min <= p50 <= p99 <= max" % where)


def check(doc):
    """Every problem with doc, as one line each; [] when valid."""
    if isinstance(doc, dict) and doc.get("mode") == "vnf-cost":
        return _check_obj(doc, VNF_COST.spec, "", [])
    errs = _check_obj(doc, TOP.spec, "", [])
    if not errs:
        _check_consistency(doc, errs)
    return errs


def main(argv):
    if len(argv) < 2:
        print("usage: check_bench_json.py FILE...", file=sys.stderr)
        return 2
    bad = 0
    for path in argv[1:]:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: %s" % (path, e))
            bad += 1
            continue
        errs = check(doc)
        for e in errs:
            print("%s: %s" % (path, e))
        bad += bool(errs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
