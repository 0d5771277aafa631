# SPDX-License-Identifier: BSD-3-Clause
"""Helpers shared by nfv-bench's tests: where the binary is, running it
bounded in time, and a private temporary directory."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BENCH = os.environ.get("NFV_BENCH") or os.path.join(
    os.environ.get("NFV_BUILDDIR", os.path.join(REPO, "build")), "dataplane", "bench", "nfv-bench")

sys.path.insert(0, HERE)
import check_bench_json  # noqa: E402

SKIP = 77
failures = []


def run(args, timeout=60):
    """Run nfv-bench; (returncode, stdout, stderr).  EAL runs without
    hugepages and with a file prefix of its own."""
    cmd = [BENCH] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def eal_args(tag):
    return ["--no-huge", "--memory", "256", "--file-prefix", "nfv-bench-test-%s-%d" % (tag, os.getpid())]


def expect(cond, what):
    if cond:
        print("ok: " + what)
    else:
        print("FAIL: " + what)
        failures.append(what)
    return cond


def load_json(path):
    with open(path) as f:
        doc = json.load(f)
    errs = check_bench_json.check(doc)
    expect(not errs, "%s matches the documented schema%s" % (
        os.path.basename(path), "" if not errs else ": " + "; ".join(errs[:5])))
    return doc


def tmpdir():
    return tempfile.TemporaryDirectory(prefix="nfv-bench-test-")


def finish():
    if not os.access(BENCH, os.X_OK):
        print("skip: %s not built" % BENCH)
        sys.exit(SKIP)
    if failures:
        print("%d check(s) failed" % len(failures))
        sys.exit(1)
    sys.exit(0)


def need_binary():
    if not os.access(BENCH, os.X_OK):
        print("skip: %s not built" % BENCH)
        sys.exit(SKIP)
