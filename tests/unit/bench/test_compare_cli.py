#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tests/bench/compare.sh without running anything: --list names the
limit (raw-fwd), the ceiling, both testpmd modes, both OVS rows and nfvd with each config of
configs/ that has exactly two vhost-user server ports (and not others),
--only narrows it, --idle adds the idle-mode rows, -g testpmd|both the
rows testpmd drives (not a config marked testpmd-gen-skip, not IMIX),
and bad arguments exit 2.  Nothing is left in /tmp."""
import tempfile
import os
import subprocess
import benchtest as bt

SCRIPT = os.path.join(bt.REPO, "tests", "bench", "compare.sh")


# compare.sh's private directories go here (TMPDIR), so that what it
# leaves is told apart from another compare.sh running on the machine.
PRIVATE_TMP = tempfile.mkdtemp(prefix="nfv-compare-cli-")


def run(args):
    env = dict(os.environ, TMPDIR=PRIVATE_TMP)
    p = subprocess.run(["bash", SCRIPT] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=60, env=env)
    return p.returncode, p.stdout, p.stderr


def print_config(args):
    """--print-config: the private copy of a config, parsed."""
    import yaml
    rc, out, err = run(args)
    bt.expect(rc == 0, "%s: exit 0%s" % (" ".join(args), "" if rc == 0 else " (%s)" % err.strip()[-300:]))
    return yaml.safe_load(out) if rc == 0 else {}


def check_print_config():
    """eBPF objects in the private copy: build/... from the build of the
    row (-b DIR, or -B DIR for the baseline row when it has the file, else
    the current build's), other relative paths from the repository root,
    absolute ones as they are; a firewall rule's bpf: keeps its section."""
    build = os.path.join(bt.REPO, "build")
    cfg = print_config(["--print-config", "nfvd:bpf-chain"])
    progs = [v.get("program") for v in cfg.get("vnfs") or []]
    want = os.path.join(build, "configs", "bpf", "l2_guard.o")
    bt.expect(progs == [want], "--print-config nfvd:bpf-chain: program %s (want %s)" % (progs, want))
    ctl = ((cfg.get("control") or {}).get("socket") or "")
    bt.expect(ctl.startswith(os.path.join(PRIVATE_TMP, "nfv-bench-cmp.")), "--print-config: a private control socket (%s)" % ctl)
    with bt.tmpdir() as tmp:
        other = os.path.join(tmp, "other-build")
        os.makedirs(os.path.join(other, "configs", "bpf"))
        open(os.path.join(other, "configs", "bpf", "dns_filter.o"), "w").close()
        cfgfile = os.path.join(tmp, "progs.yaml")
        with open(cfgfile, "w") as f:
            f.write("ports:\n  - {name: a, type: vhost-user, path: /tmp/a.sock}\n"
                    "  - {name: b, type: vhost-user, path: /tmp/b.sock}\n"
                    "vnfs:\n"
                    "  - {name: g, type: bpf, program: build/configs/bpf/l2_guard.o}\n"
                    "  - {name: h, type: bpf, program: ./progs/x.o}\n"
                    "  - {name: i, type: bpf, program: /abs/y.o}\n"
                    "  - name: fw\n    type: firewall\n    rules:\n"
                    "      - {proto: udp, bpf: \"build/configs/bpf/dns_filter.o:nfvd/dns\"}\n"
                    "      - {proto: tcp, bpf: \"build/x:y.o\"}\n"
                    "      - {proto: tcp, action: accept}\n")
        cfg = print_config(["-c", cfgfile, "-b", other, "--print-config", "nfvd:progs"])
        vnfs = {v["name"]: v for v in cfg.get("vnfs") or []}
        got = [vnfs.get(n, {}).get("program") for n in "ghi"]
        # -b DIR makes DIR the current build: g's path is DIR's, even
        # where DIR lacks the file (nfvd then says so).
        want = [os.path.join(other, "configs", "bpf", "l2_guard.o"),
                os.path.join(bt.REPO, "progs", "x.o"), "/abs/y.o"]
        bt.expect(got == want, "-b DIR --print-config: programs %s (want %s)" % (got, want))
        rules = (vnfs.get("fw") or {}).get("rules") or [{}]
        want = os.path.join(other, "configs", "bpf", "dns_filter.o") + ":nfvd/dns"
        bt.expect(rules[0].get("bpf") == want, "firewall rule bpf: %s (want %s)" % (rules[0].get("bpf"), want))
        # No ".o:": all of it is the file, a colon in its name included.
        want = os.path.join(other, "x:y.o")
        bt.expect(rules[1].get("bpf") == want, "firewall rule bpf without a section: %s (want %s)"
                  % (rules[1].get("bpf"), want))
        # The baseline row: its own file where it has one, else the
        # current build's.
        cfg = print_config(["-c", cfgfile, "-B", other, "--print-config", "nfvd-base:progs"])
        vnfs = {v["name"]: v for v in cfg.get("vnfs") or []}
        rules = (vnfs.get("fw") or {}).get("rules") or [{}]
        bt.expect(rules[0].get("bpf") == os.path.join(other, "configs", "bpf", "dns_filter.o") + ":nfvd/dns",
                  "-B DIR: the baseline's own program (%s)" % rules[0].get("bpf"))
        bt.expect((vnfs.get("g") or {}).get("program") == os.path.join(build, "configs", "bpf", "l2_guard.o"),
                  "-B DIR: the current build's program where the baseline has none (%s)"
                  % (vnfs.get("g") or {}).get("program"))
    check_workers()
    rc, out, err = run(["--print-config", "nfvd:no-such-config"])
    bt.expect(rc == 2 and "--print-config" in err, "--print-config of no row: usage error, exit 2")


def check_workers():
    """One worker by default, on the DUT core; --workers N (or a config's
    dataplane.workers) gives nfvd N workers and every port N queue pairs,
    on the cores from --dut-cpu on, or sharing the CPUs where too few are
    left; a config with more than one worker is compared, not skipped."""
    cfg = print_config(["--print-config", "nfvd:l2-switch"])
    dp = cfg.get("dataplane") or {}
    bt.expect(dp.get("workers") == 1 and str(dp.get("lcores")) == "1" and "share_cpus" not in dp,
              "--print-config: one worker on the DUT core (%s)" % dp)
    cfg = print_config(["--workers", "2", "--print-config", "nfvd:l2-switch"])
    dp = cfg.get("dataplane") or {}
    queues = [p.get("queues") for p in cfg.get("ports") or []]
    cores = os.cpu_count() >= 3 and len(os.sched_getaffinity(0)) >= 3
    placed = (dp.get("lcores") == "1-2" and "share_cpus" not in dp if cores
              else dp.get("share_cpus") is True and "lcores" not in dp)
    bt.expect(dp.get("workers") == 2 and queues == [2, 2] and placed,
              "--workers 2: two workers, two queue pairs per port, %s (%s, queues %s)" % (
                  "CPUs 1-2" if cores else "sharing the CPUs", dp, queues))
    with bt.tmpdir() as tmp:
        cfgfile = os.path.join(tmp, "mq.yaml")
        with open(cfgfile, "w") as f:
            f.write("dataplane: {workers: 2}\n"
                    "ports:\n  - {name: a, type: vhost-user, path: /tmp/a.sock, queues: 2}\n"
                    "  - {name: b, type: vhost-user, path: /tmp/b.sock, queues: 2}\n"
                    "vnfs:\n  - {name: sw, type: l2switch, ifaces: [{name: a}, {name: b}]}\n"
                    "links: [[a, sw.a], [b, sw.b]]\n")
        rc, out, err = run(["-c", cfgfile, "--list"])
        bt.expect(rc == 0 and "nfvd:mq " in out, "a config with 2 workers is compared (%s%s)" % (out, err))
        cfg = print_config(["-c", cfgfile, "--print-config", "nfvd:mq"])
        bt.expect((cfg.get("dataplane") or {}).get("workers") == 2, "its private copy keeps 2 workers")
    rc, out, err = run(["--workers", "9", "--list"])
    bt.expect(rc == 2 and "--workers" in err, "--workers 9: usage error, exit 2")


def main():
    try:
        import yaml  # noqa: F401
    except ImportError:
        print("skip: python3 has no yaml module (python3-yaml)")
        raise SystemExit(bt.SKIP)
    rc, out, err = run(["--list"])
    names = [line.split()[0] for line in out.splitlines()]
    bt.expect(rc == 0 and names[:5] == ["limit", "ceiling", "testpmd-mac", "ovs-normal", "ovs-flows"],
              "--list: the limit, the ceiling, testpmd and OVS rows first (%s)" % names)
    bt.expect("nfvd:l2-switch" in names, "--list: nfvd with configs/l2-switch.yaml")
    bt.expect("nfvd:bpf-chain" in names, "--list: nfvd with configs/bpf-chain.yaml (the bpf VNF)")
    with bt.tmpdir() as tmp:
        three = os.path.join(tmp, "three.yaml")
        with open(three, "w") as f:
            f.write("ports:\n" + "".join("  - {name: p%d, type: vhost-user, path: /tmp/x%d.sock}\n" % (i, i)
                                         for i in range(3)))
        client = os.path.join(tmp, "client.yaml")
        with open(client, "w") as f:
            f.write("ports:\n  - {name: a, type: vhost-user, path: /tmp/a.sock, mode: client}\n"
                    "  - {name: b, type: vhost-user, path: /tmp/b.sock}\n")
        two = os.path.join(tmp, "two.yaml")
        with open(two, "w") as f:
            f.write("ports:\n  - {name: a, type: vhost-user, path: /tmp/a.sock}\n"
                    "  - {name: b, type: vhost-user, path: /tmp/b.sock, mode: server}\n")
        rc, out, err = run(["--list", "-c", three, "-c", client, "-c", two])
        names = [line.split()[0] for line in out.splitlines()]
        bt.expect(rc == 0 and "nfvd:two" in names and "nfvd:three" not in names and "nfvd:client" not in names,
                  "--list -c: only two vhost-user server ports qualify (%s)" % names)
        bt.expect("three.yaml: skipped" in err and "client.yaml: skipped" in err, "--list -c: says why a config is skipped")
    rc, out, err = run(["--list", "--only", "nfvd:l2-switch"])
    names = [line.split()[0] for line in out.splitlines()]
    bt.expect(rc == 0 and names == ["limit", "ceiling", "nfvd:l2-switch"], "--only: the limit, the ceiling and what was asked (%s)" % names)
    # --idle: sleep and interrupt rows beside poll, for the switch only.
    rc, out, err = run(["--list", "--only", "nfvd:l2-switch,nfvd:firewall", "--idle"])
    names = [line.split()[0] for line in out.splitlines()]
    bt.expect(rc == 0 and names == ["limit", "ceiling", "nfvd:firewall", "nfvd:l2-switch", "nfvd-sleep:l2-switch",
                                    "nfvd-interrupt:l2-switch"],
              "--idle: sleep and interrupt rows of l2-switch only (%s)" % names)
    rc, out, err = run(["--list", "--only", "nfvd:firewall", "--idle-configs", "firewall"])
    names = [line.split()[0] for line in out.splitlines()]
    bt.expect(rc == 0 and names == ["limit", "ceiling", "nfvd:firewall", "nfvd-sleep:firewall", "nfvd-interrupt:firewall"],
              "--idle-configs firewall (%s)" % names)
    # -g: the rows of each generator; testpmd's keys end in @testpmd, and
    # a config that testpmd cannot drive says so (router-bench: the TTL).
    rc, out, err = run(["--list", "-g", "both", "--only", "nfvd:l2-switch,nfvd:router-bench"])
    names = [line.split()[0] for line in out.splitlines()]
    bt.expect(rc == 0 and names == ["limit", "limit@testpmd", "ceiling", "ceiling@testpmd", "nfvd:l2-switch",
                                    "nfvd:l2-switch@testpmd", "nfvd:router-bench"],
              "-g both: every row twice, router-bench by nfv-bench only (%s)" % names)
    bt.expect("router-bench: not driven by testpmd (the router lowers the TTL" in err,
              "-g both: says why testpmd does not drive router-bench (%s)" % err.strip()[-200:])
    rc, out, err = run(["--list", "-g", "testpmd", "--only", "nfvd:l2-switch"])
    names = [line.split()[0] for line in out.splitlines()]
    bt.expect(rc == 0 and names == ["limit@testpmd", "ceiling@testpmd", "nfvd:l2-switch@testpmd"],
              "-g testpmd: only testpmd's rows (%s)" % names)
    rc, out, err = run(["--list", "-g", "both", "-s", "imix", "--only", "nfvd:l2-switch"])
    names = [line.split()[0] for line in out.splitlines()]
    bt.expect(rc == 0 and names == ["limit", "ceiling", "nfvd:l2-switch"] and "no IMIX" in err,
              "-s imix: nfv-bench's rows only, testpmd's frames have one size (%s)" % names)
    check_print_config()
    for bad in (["--runs", "0"], ["--size", "9000"], ["--size", "imax"], ["--gen-cpu", "1", "--dut-cpu", "1"],
                ["--colour"], ["-g", "pktgen"]):
        rc, out, err = run(bad)
        bt.expect(rc == 2 and "compare.sh:" in err, "%s: usage error, exit 2" % " ".join(bad))
    rc, out, err = run(["--help"])
    bt.expect(rc == 0 and "--only" in out, "--help: exit 0")
    left = os.listdir(PRIVATE_TMP)
    bt.expect(not left, "nothing left in TMPDIR (%s)" % sorted(left))
    os.rmdir(PRIVATE_TMP)
    if bt.failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
