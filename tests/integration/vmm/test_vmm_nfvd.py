#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Guests on nfvd, brought up by `nfvctl lab up`: two nfv-vmm guests (tiny
payloads, so this runs on the emulating KVM too) drive their virtio-net
NICs for real -- feature negotiation, rings, DRIVER_OK -- and swap frames
through nfvd's vhost-user ports and an l2switch: guest TX ring -> KVM
ioeventfd -> nfvd -> switch -> nfvd -> the other guest's RX ring.  Then
`nfvctl lab down` stops everything by PID, and nothing is left."""

import json
import os
import re

import vmmtest
from vmmtest import Fail, check, log, payload, read


def run(env):
    vmmtest.require_kvm()
    nfvd = vmmtest.path("NFVD", "nfvd")
    nfvctl = vmmtest.path("NFVCTL", "nfvctl")
    pay = payload()
    state = env.path("state")
    ctl = env.path("ctl.sock")
    lab = {
        "dataplane": {"workers": 1, "memory": 256, "hugepages": "off",
                      "file_prefix": env.prefix("lab")},
        "control": {"socket": ctl},
        "ports": [
            {"name": "vm1", "type": "vhost-user", "path": env.path("vm1.sock"), "mode": "server"},
            {"name": "vm2", "type": "vhost-user", "path": env.path("vm2.sock"), "mode": "server"},
        ],
        "vnfs": [{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        "links": [["vm1", "sw.a"], ["vm2", "sw.b"]],
        "guests": [
            {"name": "g1", "payload": pay, "mem": "64M", "cmdline": "test=l2 frames=2",
             "net": [{"port": "vm1", "mac": "02:00:00:00:00:01"}]},
            {"name": "g2", "payload": pay, "mem": "64M", "cmdline": "test=l2 frames=2",
             "net": [{"port": "vm2", "mac": "02:00:00:00:00:02"}]},
        ],
    }
    path = env.path("lab.yaml")
    with open(path, "w") as f:
        json.dump(lab, f, indent=2)
    envv = dict(os.environ, NFV_LAB_DIR=state, NFVD=nfvd)

    def down():
        nfvtest_run([nfvctl, "lab", "down", path], envv, check_rc=False)
    env.on_cleanup(down)

    cp = nfvtest_run([nfvctl, "lab", "up", path], envv, timeout=120)
    log(cp.stdout.strip())
    st = read(os.path.join(state, "lab.state"))
    pids = dict(re.findall(r"^guest (\S+) (\d+)", st, re.M))
    nfvd_pid = int(re.search(r"^nfvd (\d+)", st, re.M).group(1))
    check(set(pids) == {"g1", "g2"}, "state file: %r" % st)

    # Both guests see the other's frames, then exit 0 by themselves.
    def done():
        c1 = read(os.path.join(state, "g1.console"))
        c2 = read(os.path.join(state, "g2.console"))
        return ("l2 got frame from 02:00:00:00:00:02" in c1 and
                "l2 got frame from 02:00:00:00:00:01" in c2 and
                "l2 sent" in c1 and "l2 sent" in c2)
    try:
        vmmtest.nfvtest.wait_for(done, 120, "frames between the guests through nfvd", interval=0.5)
    except Fail:
        for n in ("g1.console", "g1.log", "g2.console", "g2.log", "nfvd.log"):
            log("----- %s -----\n%s" % (n, read(os.path.join(state, n))[-2000:]))
        raise
    for g in ("g1", "g2"):
        gl = read(os.path.join(state, "%s.log" % g))
        vmmtest.nfvtest.wait_for(lambda: "guest stopped" in read(os.path.join(state, "%s.log" % g)),
                                 30, "%s to exit" % g)
        check("wrote 0 to the exit port" in read(os.path.join(state, "%s.log" % g)),
              "%s exit: %s" % (g, gl))
    ports = json.loads(nfvtest_run([nfvctl, "-s", ctl, "-j", "show", "ports"], envv).stdout)
    byname = {p["name"]: p for p in ports}
    log("nfvd ports: %s" % ports)
    check(byname["vm1"]["rx_packets"] >= 2 and byname["vm2"]["rx_packets"] >= 2,
          "nfvd counted the guests' frames")

    cp = nfvtest_run([nfvctl, "lab", "down", path], envv, timeout=60)
    log(cp.stdout.strip())
    check(not os.path.exists(os.path.join(state, "lab.state")), "state file removed")
    check(not os.path.exists("/proc/%d" % nfvd_pid) or
          "nfvd" not in read("/proc/%d/cmdline" % nfvd_pid), "nfvd still running")


def nfvtest_run(argv, envv, timeout=30, check_rc=True):
    import subprocess
    cp = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                        timeout=timeout, env=envv, stdin=subprocess.DEVNULL)
    if check_rc and cp.returncode != 0:
        raise Fail("%s: exit %d\n%s\n%s" % (" ".join(argv), cp.returncode, cp.stdout, cp.stderr))
    return cp


if __name__ == "__main__":
    vmmtest.nfvtest.main(run, name="vmm-nfvd", budget=200, needs=[])
