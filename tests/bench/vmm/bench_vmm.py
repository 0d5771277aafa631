#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfv-vmm start-up and memory benchmark (a report, not a pass/fail test).

  tests/bench/vmm/bench_vmm.py [--build DIR] [--runs N] [--json FILE]

1. Start to first guest instruction.  The payload's first instruction
   writes to the exit port, so the VM's first exit is its first
   instruction.  Two clocks: nfv-vmm's own (--timing: first_exit_ms, from
   main() to that exit; setup_ms, main() to the vCPU threads) and the wall
   clock around the whole process (fork, exec, KVM set-up, first
   instruction, teardown, exit).  Median and 90th percentile of N runs.
2. VMM memory: RSS minus guest RAM.  Guest RAM is the shared memfd, which
   /proc/PID/status counts as RssShmem; the VMM's own memory is
   VmRSS - RssShmem (= RssAnon + RssFile).  Sampled from a running guest
   with one vhost-user NIC (the mock backend), for 64 MiB and 1 GiB guests.
   Target: <= 5 MiB.
3. Boot to guest init (the Debian kernel + the guest kit's initramfs, up to
   the init's first line "NFV-GUEST: init start").  Where KVM runs guests
   at hardware speed (speed probe): on this host, target <= 125 ms
   (Firecracker).  Elsewhere: in the nested test host (QEMU TCG with an
   emulated SVM CPU, tests/integration/vmm/nested.py), labelled
   "nested-TCG": a correctness and regression figure, not a hardware one.
   Where there is no /dev/kvm at all, 1. and 2. are measured in the nested
   host too, with the same label.

Needs a build (ninja -C BUILD vmm/nfv-vmm and the test payloads) and, for
the nested host, qemu-system-x86 (scripts/install-deps.sh).
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration", "vmm"))
import nested  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def timing_fields(err):
    for line in err.splitlines():
        if "timing:" in line:
            return {k: float(v) for k, v in (kv.split("=") for kv in line.split("timing:")[1].split())}
    return {}


def status_kib(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[k] = int(v.split()[0])
    return out


def bench_start(vmm, first, runs):
    walls, firsts, setups = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        cp = subprocess.run([vmm, "--payload", first, "--mem", "128M", "--timing", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        walls.append((time.perf_counter() - t) * 1000)
        if cp.returncode != 0:
            sys.exit("nfv-vmm failed: %s" % cp.stderr)
        tf = timing_fields(cp.stderr)
        firsts.append(tf["first_exit_ms"])
        setups.append(tf["setup_ms"])
    return {"runs": runs,
            "first_instruction_ms_median": statistics.median(firsts),
            "first_instruction_ms_p90": pct(firsts, 90),
            "setup_ms_median": statistics.median(setups),
            "process_wall_ms_median": statistics.median(walls),
            "process_wall_ms_p90": pct(walls, 90)}


def bench_rss(vmm, payload, mock, mem, tmp):
    sock = os.path.join(tmp, "rss-%s.sock" % mem)
    m = subprocess.Popen([mock, "--socket", sock, "--timeout", "60"])
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.05)
        p = subprocess.Popen([vmm, "--payload", payload, "--mem", mem, "-q", "--cmdline",
                              "test=spin iters=100000000000", "--net", "vhost-user=%s" % sock],
                             stdout=subprocess.DEVNULL)
        time.sleep(1.5)
        st = status_kib(p.pid)
        p.terminate()
        p.wait(20)
    finally:
        m.terminate()
        m.wait(10)
    st["vmm_kib"] = st["VmRSS"] - st["RssShmem"]
    st["mem"] = mem
    return st


def speed_probe(vmm, payload, iters=1000000):
    t = time.perf_counter()
    subprocess.run([vmm, "--payload", payload, "--mem", "64M", "-q", "--cmdline",
                    "test=spin iters=%d" % iters], check=True, timeout=120,
                   stdout=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    return 3.0 * iters / dt / 1e6, dt


def bench_boot(vmm, mkinit, tmp, runs):
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        return {"skipped": "no kernel in /boot"}
    kver = os.path.basename(kernels[-1])[len("vmlinuz-"):]
    initrd = os.path.join(tmp, "guest.cpio.gz")
    subprocess.run([mkinit, "-o", initrd, "-k", kver], check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.Popen([vmm, "--kernel", kernels[-1], "--initrd", initrd, "--mem", "256M",
                              "--cmdline", 'quiet nfv.run="true"'],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        t_init = None
        for line in p.stdout:
            if t_init is None and "NFV-GUEST: init start" in line:
                t_init = (time.perf_counter() - t) * 1000
        p.wait(60)
        if t_init is None:
            return {"error": "no init line"}
        times.append(t_init)
    return {"runs": runs, "boot_to_init_ms_median": statistics.median(times),
            "boot_to_init_ms_p90": pct(times, 90), "kernel": kernels[-1]}


def kvm_usable():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def bench_nested(build, tmp, runs, all_figures):
    """Boot to init (and, with all_figures, the start and memory figures)
    measured by linux_checks.sh's bench inside the nested test host."""
    bins = nested.build_bins(build)
    try:
        status, text, wall, note = nested.run_nested(
            tmp, bins, checks="bench", timeout=600, log=lambda m: print("  nested: " + m),
            extra_env={"NFV_BENCH_RUNS": str(runs)})
    except nested.Error as e:
        return {"error": str(e)}, None, None
    checks, metrics, _ = nested.parse(text)
    if status != 0 or not checks.get("bench", (False,))[0]:
        return {"error": "nested host: status %s %s\n%s" % (status, note, nested.tail(text, 40))}, None, None
    boots = [float(m[1]) for m in metrics if m[0] == "boot_to_init_ms"]
    boot = {"env": "nested-TCG", "runs": len(boots), "l1_wall_s": round(wall, 1),
            "boot_to_init_ms_median": statistics.median(boots),
            "boot_to_init_ms_p90": pct(boots, 90)} if boots else {"error": "no boot figure"}
    if not all_figures:
        return boot, None, None
    firsts, setups = [], []
    rss = []
    for m in metrics:
        if m[0] == "timing":
            tf = dict(kv.split("=") for kv in m[1:])
            firsts.append(float(tf["first_exit_ms"]))
            setups.append(float(tf["setup_ms"]))
        elif m[0] == "rss":
            st = {k: int(v) for k, v in (kv.split("=") for kv in m[2:])}
            # In L1 the binaries sit in the initramfs (shmem as well):
            # subtract the guest RAM mapping's own RSS, not RssShmem.
            st["vmm_kib"] = st["VmRSS"] - st["GuestRss"]
            st["mem"] = m[1]
            rss.append(st)
    start = {"env": "nested-TCG", "runs": len(firsts),
             "first_instruction_ms_median": statistics.median(firsts),
             "first_instruction_ms_p90": pct(firsts, 90),
             "setup_ms_median": statistics.median(setups),
             "process_wall_ms_median": None, "process_wall_ms_p90": None}
    return boot, start, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.environ.get("NFV_BUILDDIR", os.path.join(REPO, "build")))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--json")
    a = ap.parse_args()
    b = a.build
    vmm = os.path.join(b, "vmm", "nfv-vmm")
    pdir = os.path.join(b, "tests", "integration", "vmm")
    first = os.path.join(pdir, "vmm-payload-first.bin")
    payload = os.path.join(pdir, "vmm-payload.bin")
    mock = os.path.join(pdir, "vmm-mock-backend")
    mkinit = os.path.join(REPO, "vmm", "guest", "mkinitramfs.sh")
    for f in (vmm, first, payload, mock):
        if not os.path.exists(f):
            sys.exit("missing %s: ninja -C %s first" % (f, b))
    res = {"host": os.uname().release,
           "cpu": open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].split(":", 1)[1].strip()}
    with tempfile.TemporaryDirectory(prefix="nfv-vmm-bench-") as tmp:
        nested_runs = max(3, a.runs // 8)
        if kvm_usable():
            res["start"] = bench_start(vmm, first, a.runs)
            res["start"]["env"] = "host KVM"
            res["rss"] = [bench_rss(vmm, payload, mock, m, tmp) for m in ("64M", "1G")]
            mips, dt = speed_probe(vmm, payload)
            res["guest_mips"] = round(mips, 1)
            if mips >= nested.MIN_MIPS:
                res["boot"] = bench_boot(vmm, mkinit, tmp, max(3, a.runs // 4))
                res["boot"]["env"] = "hardware KVM"
            else:
                res["boot"], _, _ = bench_nested(b, tmp, nested_runs, False)
        else:
            res["guest_mips"] = None
            res["boot"], res["start"], res["rss"] = bench_nested(b, tmp, nested_runs, True)
            if res["start"] is None:
                sys.exit("no /dev/kvm here and the nested host failed: %s" % res["boot"]["error"])
    s = res["start"]
    print("nfv-vmm benchmark (%s, %s)" % (res["cpu"], res["host"]))
    print("  start -> first guest instruction: median %.2f ms, p90 %.2f ms (nfv-vmm clock, %d runs, %s)"
          % (s["first_instruction_ms_median"], s["first_instruction_ms_p90"], s["runs"], s["env"]))
    print("  of which VM + vCPU set-up:         median %.2f ms" % s["setup_ms_median"])
    if s["env"] == "host KVM":
        print("  whole process (fork..exit):        median %.2f ms, p90 %.2f ms"
              % (s["process_wall_ms_median"], s["process_wall_ms_p90"]))
    for r in res["rss"]:
        print("  VMM memory, %4s guest + 1 NIC:    %d KiB (RSS %d - guest RAM %d; anon %d, file %d) target <= 5120 KiB"
              % (r["mem"], r["vmm_kib"], r["VmRSS"], r.get("GuestRss", r["RssShmem"]), r["RssAnon"],
                 r["VmRSS"] - r["RssAnon"] - r.get("GuestRss", r["RssShmem"])))
    if res["guest_mips"] is not None:
        print("  guest speed: %.1f MIPS" % res["guest_mips"])
    bt = res["boot"]
    if "boot_to_init_ms_median" in bt and bt["env"] == "hardware KVM":
        print("  boot to init: median %.1f ms, p90 %.1f ms (hardware KVM, target <= 125 ms)"
              % (bt["boot_to_init_ms_median"], bt["boot_to_init_ms_p90"]))
    elif "boot_to_init_ms_median" in bt:
        print("  boot to init: median %.0f ms, p90 %.0f ms (nested-TCG, %d runs: a correctness and "
              "regression figure, not a hardware one; target <= 125 ms applies to hardware KVM)"
              % (bt["boot_to_init_ms_median"], bt["boot_to_init_ms_p90"], bt["runs"]))
    else:
        print("  boot to init: %s" % bt.get("error", bt))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
