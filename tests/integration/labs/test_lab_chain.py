#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""configs/labs/chain.yaml end to end, as written but for its paths:

  guest client -> nfvd l2switch -> guest vrouter (Linux router, 2 NICs,
  nftables) -> nfvd router -> nfvd firewall -> guest server

`nfvctl lab up` under ENGINE (qemu: QEMU, TCG here; nfv-vmm: skipped with
the speed probe's reason without hardware virtualization), then:
  - `lab status --json`: nfvd and every guest running, every NIC's port up;
  - client pings server through the whole chain (`lab exec`);
  - a 512 KiB TCP transfer client -> server (busybox nc), same MD5 at both
    ends, and the vrouter's nftables counter saw it;
  - the firewall blocks a connection server -> client (and counts it);
  - `lab restart-nfvd`: links come back, pings resume, the guests' PIDs
    are unchanged;
  - `lab down`: no process, socket, hugepage file or netns left.
Under nfv-vmm (no command channel) the client pings through nfv.run.
"""
import glob
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

ENGINE = sys.argv[1] if len(sys.argv) > 1 else "qemu"
CHAIN = os.path.join(nfvtest.REPO, "configs", "labs", "chain.yaml")
SERVER, CLIENT = "10.3.0.2", "10.1.0.2"


def lab_file(env, kernel, initrd):
    """chain.yaml with the test's paths, prefix and engine."""
    with open(CHAIN) as f:
        text = f.read()
    subs = [
        ("/run/nfvd/chain", env.path("chain")),
        ("file_prefix: nfv-chain", "file_prefix: %s" % env.prefix("chain")),
        ("kernel: /vmlinuz", "kernel: %s" % kernel),
        ("initrd: /var/tmp/nfv-guest.cpio.gz", "initrd: %s" % initrd),
        ("vmm: auto", "vmm: %s" % ENGINE),
    ]
    if nfvtest.free_hugepages_mb() < 300:
        subs.append(("memory: 256\n", "memory: 256\n  hugepages: \"off\"\n"))
    for a, b in subs:
        check(a in text, "configs/labs/chain.yaml changed: no %r" % a)
        text = text.replace(a, b)
    if ENGINE == "nfv-vmm":
        # No command channel under nfv-vmm: the client pings by itself.
        a = 'nfv.gw=10.1.0.1"'
        check(a in text, "chain.yaml: client cmdline")
        text = text.replace(a, 'nfv.gw=10.1.0.1 nfv.halt=none nfv.run=\\"ping -c 5 -W 3 %s\\""' % SERVER)
    path = env.path("chain.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def run(env):
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        nfvtest.skip("no kernel in /boot (apt-get install linux-image-amd64)")
    if not any(os.access(b, os.X_OK) for b in ("/bin/busybox", "/usr/bin/busybox")):
        nfvtest.skip("no busybox (apt-get install busybox-static)")
    nfvctl = nfvtest.binary("NFVCTL", "control/nfvctl")
    state = env.path("lab")
    envv = dict(os.environ, NFV_LAB_DIR=state)

    def lab(*args, timeout=60, check_rc=True):
        cp = subprocess.run([nfvctl, "lab"] + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=timeout, env=envv,
                            stdin=subprocess.DEVNULL)
        if check_rc and cp.returncode != 0:
            raise nfvtest.Fail("nfvctl lab %s: exit %d\n%s\n%s" % (" ".join(args), cp.returncode,
                                                                   cp.stdout, cp.stderr))
        return cp

    if ENGINE == "nfv-vmm":
        cp = lab("probe", check_rc=False)
        if cp.returncode != 0:
            nfvtest.skip("nfv-vmm needs hardware virtualization to boot Linux: %s" % cp.stdout.strip())

    kit = os.path.join(nfvtest.REPO, "vmm", "guest", "mkinitramfs.sh")
    initrd = env.path("guest.cpio.gz")
    cp = nfvtest.run(["sh", kit, "-o", initrd], timeout=90)
    kernel = re.search(r"^kernel: (\S+)", cp.stdout, re.M).group(1)
    have_nft = re.search(r"^nftables: /", cp.stdout, re.M) is not None
    path = lab_file(env, kernel, initrd)
    ns_before = set(nfvtest.run(["ip", "netns", "list"]).stdout.split())
    pids = {}

    def down():
        if os.path.exists(os.path.join(state, "lab.state")):
            lab("down", path, check_rc=False)
    env.on_cleanup(down)

    def dump():
        for n in sorted(glob.glob(os.path.join(state, "*.console")) +
                        glob.glob(os.path.join(state, "*.log"))):
            log("----- %s -----\n%s" % (n, nfvtest.tail(n, 25)))

    # Consoles of an earlier run in the state folder must not pass for
    # this boot's (lab up once returned at once on them).
    os.makedirs(state)
    for g in ("client", "vrouter", "server"):
        with open(os.path.join(state, "%s.console" % g), "w") as f:
            f.write("NFV-GUEST: ready\n")
    try:
        t = time.monotonic()
        cp = lab("up", path, timeout=200)
        log("lab up in %.1f s:\n%s" % (time.monotonic() - t, cp.stdout.strip()))
        ready = [float(x) for x in re.findall(r"ready after ([\d.]+) s", cp.stdout)]
        check(len(ready) == 3 and min(ready) >= 1.0, "every guest booted before it was ready: %s" % ready)
        check("up already" in lab("up", path, check_rc=False).stderr, "a second lab up says the lab is up")

        def status():
            cp = lab("status", "--json", path, check_rc=False)
            return json.loads(cp.stdout), cp.returncode

        st, rc = status()
        check_eq(rc, 0, "lab status exit (%s)" % json.dumps(st))
        check_eq(st["nfvd"]["state"], "running", "nfvd state")
        check_eq(sorted(g["name"] for g in st["guests"]), ["client", "server", "vrouter"], "guests")
        for g in st["guests"]:
            check_eq(g["state"], "running", "guest %s state" % g["name"])
            check_eq(g["engine"], ENGINE, "guest %s engine" % g["name"])
            for n in g["nics"]:
                check_eq(n["link"], "up", "guest %s %s (port %s) link" % (g["name"], n["nic"], n["port"]))
            pids[g["name"]] = g["pid"]
        check_eq(len(st["guests"][[g["name"] for g in st["guests"]].index("vrouter")]["nics"]), 2,
                 "vrouter NICs")
        nfvd_pid = st["nfvd"]["pid"]
        ctl = st["nfvd"]["control"]
        log(lab("status", path, check_rc=False).stdout)

        if ENGINE == "nfv-vmm":
            con = os.path.join(state, "client.console")
            out = nfvtest.wait_for(lambda: "run rc=" in nfvtest.tail(con, 200) and nfvtest.tail(con, 200),
                                   90, "the client's pings")
            check("NFV-GUEST: run rc=0" in out, "client ping through the chain failed")
            check_eq(lab("exec", "client", "true", check_rc=False).returncode, 1,
                     "exec on an nfv-vmm guest (not supported)")
        else:
            cp = lab("exec", "client", "ping -c 3 -W 3 %s" % SERVER)
            log(cp.stdout.strip())
            check(" 0% packet loss" in cp.stdout or re.search(r"[1-3] packets received", cp.stdout),
                  "pings through the chain")

            # TCP client -> server, checked by MD5.
            # The listener's stdin must stay open: busybox nc -l with its
            # stdin at EOF stops after the first 4 KiB.
            lab("exec", "server", "(sleep 120 | nc -l -p 5001 >/tmp/recv 2>/dev/null) &")
            sent = lab("exec", "client", "dd if=/dev/urandom of=/tmp/send bs=1024 count=512 2>/dev/null;"
                       " md5sum </tmp/send").stdout.split()[0]
            t = time.monotonic()
            lab("exec", "--timeout", "90", "client", "timeout 80 nc %s 5001 </tmp/send" % SERVER, timeout=100)
            got = lab("exec", "--timeout", "30", "server",
                      "i=0; while pidof nc >/dev/null && [ $i -lt 100 ]; do usleep 100000; i=$((i+1)); done;"
                      " kill $(pidof sleep) 2>/dev/null; wc -c </tmp/recv; md5sum </tmp/recv").stdout.split()
            log("TCP 512 KiB client -> server in %.1f s: sent %s, received %s bytes %s"
                % (time.monotonic() - t, sent, got[0], got[1]))
            check_eq(got[0], "524288", "bytes received")
            check_eq(got[1], sent, "MD5 at the server")
            if have_nft:
                cp = lab("exec", "vrouter", "nft list chain inet lab forward")
                # Bytes, not packets: the vrouter's GRO merges segments.
                m = re.search(r"tcp dport 5001 counter packets (\d+) bytes (\d+)", cp.stdout)
                check(m is not None and int(m.group(2)) >= 524288,
                      "vrouter's nftables counter: %s" % cp.stdout)
                log("vrouter nftables: %s" % m.group(0))

            # The firewall: nothing from the server's side opens a connection.
            def fw_drops():
                fw = json.loads(nfvtest.run([nfvctl, "-s", ctl, "-j", "show", "vnf", "fw"]).stdout)
                return fw["drops"]["default-drop"]
            drops0 = fw_drops()
            lab("exec", "client", "(sleep 60 | nc -l -p 5002 >/tmp/got 2>/dev/null) &")
            cp = lab("exec", "server", "timeout 6 nc -w 3 %s 5002 </dev/null" % CLIENT, check_rc=False)
            check(cp.returncode != 0, "server -> client connected through the firewall")
            cp = lab("exec", "client", "pidof nc >/dev/null && wc -c </tmp/got; kill $(pidof nc) $(pidof sleep)")
            check(cp.stdout.split()[-1:] == ["0"], "the client's listener was reached: %r" % cp.stdout)
            drops = fw_drops() - drops0
            log("server -> client blocked: %s; firewall default-drop +%d" % (cp.stdout.strip(), drops))
            check(drops >= 1, "the firewall counted no drop for server -> client")

        # nfvd restarted under the running guests.
        t = time.monotonic()
        cp = lab("restart-nfvd", path, timeout=120)
        log("restart-nfvd in %.1f s: %s" % (time.monotonic() - t, cp.stdout.strip()))
        st, rc = status()
        check_eq(rc, 0, "lab status after the restart (%s)" % json.dumps(st))
        check(st["nfvd"]["pid"] != nfvd_pid, "nfvd has a new PID")
        check_eq({g["name"]: g["pid"] for g in st["guests"]}, pids, "guest PIDs after the restart")
        if ENGINE != "nfv-vmm":
            cp = lab("exec", "client", "ping -c 5 -W 2 %s" % SERVER, check_rc=False)
            log(cp.stdout.strip())
            check_eq(cp.returncode, 0, "pings after nfvd's restart")
            cp = lab("exec", "vrouter", "cat /proc/uptime")
            log("vrouter uptime %s s: not rebooted" % cp.stdout.split()[0])
        nfvd_pid = st["nfvd"]["pid"]
    except BaseException:
        dump()
        raise

    cp = lab("down", path)
    log(cp.stdout.strip())
    check(not os.path.exists(os.path.join(state, "lab.state")), "state file removed")
    def running(pid):
        # A zombie waiting for its (re)parent to reap it is not running.
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    for name, pid in list(pids.items()) + [("nfvd", nfvd_pid)]:
        check(not running(pid), "%s (pid %d) still running" % (name, pid))
    left = [p for p in glob.glob(env.path("*")) + glob.glob(os.path.join(state, "*"))
            if os.path.exists(p) and __import__("stat").S_ISSOCK(os.stat(p).st_mode)]
    check_eq(left, [], "sockets left")
    pf = [p for p in env.prefixes]
    huge = [f for d in nfvtest.HUGEPAGE_DIRS for p in pf for f in glob.glob(os.path.join(d, "%smap_*" % p))]
    check_eq(huge, [], "hugepage files left")
    ns_after = set(nfvtest.run(["ip", "netns", "list"]).stdout.split())
    check_eq(sorted(ns_after - ns_before), [], "netns left")


if __name__ == "__main__":
    nfvtest.main(run, "labs-chain-%s" % ENGINE, budget=200,
                 needs=["qemu-system-x86_64", "cpio", "gzip"] if ENGINE == "qemu" else ["cpio", "gzip"])
