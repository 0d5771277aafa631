#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run nfvd on pcap ports and compare what it wrote with expected captures.

    run_pcap_test.py --nfvd PATH --nfvctl PATH CASE_DIR

CASE_DIR holds:
  config.yaml   an nfvd config whose ports are `type: pcap`.  Placeholders:
                  @DIR@     CASE_DIR (absolute): where the input captures are
                  @TMP@     a fresh private directory for outputs
                  @SOCK@    a control socket path of this run
                  @PREFIX@  an EAL file prefix of this run
                The config must use `control: {socket: @SOCK@}` and
                `dataplane: {hugepages: off, memory: <= 256, file_prefix:
                @PREFIX@}` so that runs go in parallel without hugepages;
                the runner checks that it does.
  PORT.expect.pcap  for every port with a `tx:` file: the frames nfvd must
                send on it, in order (an empty capture: nothing at all).
  counters.json (optional) {"VNF": {"counter-or-drop-name": value, ...}}:
                exact values `nfvctl -j show vnf VNF` must report at the end.

Whatever the case, every VNF of the config must have counted each packet
it was handed exactly once, by its fate: `packets` (counted by the
runner) == fates.passed + fates.dropped + fates.held (counted by the VNF,
see docs/architecture.md, "Counting packets").

What it does: starts nfvd, waits until `nfvctl -j show ports` shows every
rx capture read to the end and the TX counters stop moving, checks the
counters, sends SIGTERM, waits for exit status 0 (and for nfvd's "every
mbuf back in its pool" line), then compares each output capture with its
expected one packet by packet and byte for byte, ignoring timestamps.  On
a mismatch it prints the first differing packet of each side (scapy's
summary and a hex dump of where they differ).  Every wait is bounded; the
temporary directory, the socket and nfvd itself are cleaned up on any exit.

nfvd and nfvctl come from --nfvd/--nfvctl or the NFVD/NFVCTL environment
variables.  Exit status: 0 pass, 1 fail, 77 skipped (scapy or PyYAML
missing).  NFV_PCAP_KEEP=1 keeps the temporary directory for a look.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

try:
    import yaml
    from scapy.all import Ether
    from scapy.utils import RawPcapReader
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: {e} (install python3-scapy and python3-yaml)")
    sys.exit(SKIP)


class TestFailure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def read_pcap(path):
    """The frames of a capture as bytes, timestamps dropped."""
    frames = []
    r = RawPcapReader(path)
    try:
        for data, _meta in r:
            frames.append(bytes(data))
    finally:
        r.close()
    return frames


def load_config(case_dir, tmp, sock, prefix):
    with open(os.path.join(case_dir, "config.yaml")) as f:
        text = f.read()
    for k, v in (("@DIR@", case_dir), ("@TMP@", tmp), ("@SOCK@", sock),
                 ("@PREFIX@", prefix)):
        text = text.replace(k, v)
    cfg = yaml.safe_load(text)
    dp = cfg.get("dataplane") or {}
    ctl = cfg.get("control") or {}
    if ctl.get("socket") != sock:
        raise TestFailure("config.yaml: control.socket must be @SOCK@")
    if dp.get("file_prefix") != prefix:
        raise TestFailure("config.yaml: dataplane.file_prefix must be @PREFIX@")
    if dp.get("hugepages") not in (False, "off"):
        raise TestFailure("config.yaml: dataplane.hugepages must be off")
    if int(dp.get("memory", 512)) > 256:
        raise TestFailure("config.yaml: dataplane.memory must be <= 256")
    ports = cfg.get("ports") or []
    for p in ports:
        if p.get("type") != "pcap":
            raise TestFailure(f"config.yaml: port {p.get('name')} is not pcap")
    path = os.path.join(tmp, "config.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path, ports, cfg.get("vnfs") or []


def nfvctl(args, sock, *cmd, timeout=5.0):
    r = subprocess.run([args.nfvctl, "-s", sock, "-j", *cmd],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise TestFailure(f"nfvctl {' '.join(cmd)}: exit {r.returncode}: "
                          f"{r.stderr.strip() or r.stdout.strip()}")
    return json.loads(r.stdout)


def wait_done(args, sock, proc, rx_expect, deadline):
    """Poll `show ports` until every rx capture is read and TX is still."""
    last = None
    still = 0
    ports = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TestFailure(f"nfvd exited early with {proc.returncode}")
        if not os.path.exists(sock):
            time.sleep(0.05)
            continue
        try:
            ports = nfvctl(args, sock, "show", "ports")
        except (TestFailure, subprocess.TimeoutExpired, ValueError):
            time.sleep(0.1)
            continue
        by_name = {p["name"]: p for p in ports}
        rx_done = all(by_name[n]["rx_packets"] >= c
                      for n, c in rx_expect.items())
        snap = [(p["name"], p["tx_packets"], p["rx_packets"],
                 json.dumps(p["drops"], sort_keys=True)) for p in ports]
        if rx_done and snap == last:
            still += 1
            # Five quiet polls (half a second) after the last change.
            if still >= 5:
                return ports
        else:
            still = 0
        last = snap
        time.sleep(0.1)
    state = json.dumps(ports, indent=1) if ports else "no answer"
    raise TestFailure(f"timed out waiting for nfvd to read its inputs; "
                      f"last `show ports`: {state}")


def check_counters(args, sock, case_dir):
    path = os.path.join(case_dir, "counters.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        want = json.load(f)
    errors = []
    for vnf, ctrs in sorted(want.items()):
        got = nfvctl(args, sock, "show", "vnf", vnf)
        merged = dict(got.get("counters", {}))
        merged.update(got.get("drops", {}))
        for name, value in sorted(ctrs.items()):
            if name not in merged:
                errors.append(f"{vnf}: no counter {name}")
            elif merged[name] != value:
                errors.append(f"{vnf}: {name} = {merged[name]}, "
                              f"expected {value}")
    return errors


def check_fates(args, sock, vnfs):
    """Every VNF counted each packet it was handed once, by its fate."""
    errors = []
    for v in vnfs:
        name = v.get("name")
        got = nfvctl(args, sock, "show", "vnf", name)
        f = got.get("fates")
        if not isinstance(f, dict):
            errors.append(f"{name}: `show vnf` has no fates")
            continue
        total = f["passed"] + f["dropped"] + f["held"]
        if total != got["packets"]:
            errors.append(f"{name}: {got['packets']} packets in, but "
                          f"{f['passed']} passed + {f['dropped']} dropped + "
                          f"{f['held']} held = {total}; counters "
                          f"{json.dumps(got.get('counters'))}, drops "
                          f"{json.dumps(got.get('drops'))}")
    return errors


def summary(b):
    try:
        return Ether(b).summary()
    except Exception as e:  # scapy may choke on garbage
        return f"<{len(b)} bytes, scapy: {e}>"


def hexdiff(a, b):
    off = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
               min(len(a), len(b)))
    lo = max(0, off - 8)
    return (f"    first difference at byte {off}\n"
            f"    expected[{lo}:{off + 16}] {a[lo:off + 16].hex(' ')}\n"
            f"    got     [{lo}:{off + 16}] {b[lo:off + 16].hex(' ')}")


def compare(port, expect_path, out_path):
    exp = read_pcap(expect_path)
    got = read_pcap(out_path) if os.path.exists(out_path) else None
    if got is None:
        return [f"port {port}: no output capture {out_path}"]
    errors = []
    for i in range(max(len(exp), len(got))):
        e = exp[i] if i < len(exp) else None
        g = got[i] if i < len(got) else None
        if e == g:
            continue
        msg = [f"port {port}: packet {i} differs "
               f"({len(exp)} expected, {len(got)} sent)"]
        msg.append(f"  expected: {summary(e) if e is not None else '(none)'}"
                   + (f" [{len(e)} bytes]" if e is not None else ""))
        msg.append(f"  got:      {summary(g) if g is not None else '(none)'}"
                   + (f" [{len(g)} bytes]" if g is not None else ""))
        if e is not None and g is not None:
            msg.append(hexdiff(e, g))
        errors.append("\n".join(msg))
        break
    return errors


def stop(proc, timeout):
    """SIGTERM, then wait; SIGKILL on timeout.  Returns the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout), False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return proc.returncode, True


def run(args):
    case_dir = os.path.abspath(args.case_dir)
    name = os.path.basename(case_dir.rstrip("/"))
    tmp = tempfile.mkdtemp(prefix=f"nfv-pcap-{name}-")
    tag = os.path.basename(tmp)[len("nfv-pcap-"):]
    sock = os.path.join(tmp, "ctl.sock")
    prefix = f"nfv-pcap-{tag}"
    proc = None
    logf = None
    ok = False
    try:
        cfg_path, ports, vnfs = load_config(case_dir, tmp, sock, prefix)
        rx_expect = {}
        for p in ports:
            if p.get("rx"):
                rx_expect[p["name"]] = len(read_pcap(p["rx"]))
        tx_ports = [p for p in ports if p.get("tx")]
        if not tx_ports:
            raise TestFailure("config.yaml: no port has a tx capture")
        for p in tx_ports:
            if not os.path.exists(os.path.join(case_dir,
                                               f"{p['name']}.expect.pcap")):
                raise TestFailure(f"{p['name']}.expect.pcap is missing")

        log(f"case {name}: {len(ports)} ports, inputs "
            + ", ".join(f"{n}={c}" for n, c in sorted(rx_expect.items())))
        logf = open(os.path.join(tmp, "nfvd.log"), "w+")
        proc = subprocess.Popen([args.nfvd, "-c", cfg_path],
                                stdout=logf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + args.timeout
        ports_state = wait_done(args, sock, proc, rx_expect, deadline)
        errors = check_counters(args, sock, case_dir)
        errors += check_fates(args, sock, vnfs)
        rc, killed = stop(proc, args.stop_timeout)
        logf.flush()
        logf.seek(0)
        nfvd_log = logf.read()
        if killed:
            errors.append(f"nfvd did not stop within {args.stop_timeout} s "
                          "of SIGTERM (killed)")
        elif rc != 0:
            errors.append(f"nfvd exited with {rc} after SIGTERM")
        if "mbufs back in their pool" not in nfvd_log:
            errors.append("nfvd did not report every mbuf back in its pool")
        for p in tx_ports:
            errors += compare(p["name"],
                              os.path.join(case_dir,
                                           f"{p['name']}.expect.pcap"),
                              p["tx"])
        if errors:
            log("FAIL:\n" + "\n".join(errors))
            log("last `show ports`:\n" + json.dumps(ports_state, indent=1))
            log("nfvd log:\n" + nfvd_log)
            return 1
        log(f"PASS: {name}: "
            + ", ".join(f"{p['name']} {len(read_pcap(p['tx']))} frames"
                        for p in tx_ports))
        ok = True
        return 0
    except Exception as e:  # any failure: report it, then clean up
        log(f"FAIL: {name}: {type(e).__name__}: {e}")
        if logf is not None:
            logf.flush()
            logf.seek(0)
            log("nfvd log:\n" + logf.read())
        return 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if logf is not None:
            logf.close()
        # EAL's runtime directory of our prefix (not removed by DPDK).
        for base in ("/var/run/dpdk", os.path.join(
                os.environ.get("XDG_RUNTIME_DIR", "/tmp"), "dpdk")):
            shutil.rmtree(os.path.join(base, prefix), ignore_errors=True)
        if os.environ.get("NFV_PCAP_KEEP") == "1":
            log(f"kept {tmp} ({'pass' if ok else 'fail'})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nfvd", default=os.environ.get("NFVD"))
    ap.add_argument("--nfvctl", default=os.environ.get("NFVCTL"))
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds for nfvd to start and read its inputs")
    ap.add_argument("--stop-timeout", type=float, default=15.0)
    ap.add_argument("case_dir")
    args = ap.parse_args()
    for what in ("nfvd", "nfvctl"):
        path = getattr(args, what)
        if not path or not os.access(path, os.X_OK):
            print(f"FAIL: no {what} binary (--{what} or ${what.upper()})")
            return 1
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
