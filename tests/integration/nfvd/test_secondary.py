#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""DPDK secondary processes against an nfvd with pcap ports.

`dpdk-proc-info --show-mempool` against nfvd with a pcap port used to
crash the tool (SIGSEGV) and leave nfvd's pcap ports down for good, with
their tx captures truncated: DPDK 22.11's net_pcap, probed again in the
secondary, reopens the port's files itself and marks the shared link
down when it closes.  nfvd's pcap ports now keep secondaries away
(dataplane/port.c), so:

  - dpdk-proc-info --show-mempool and --stats exit 0 (a vhost-user port
    gives the tool a port to show; the pcap ports are not attached);
  - the pcap ports stay up and their tx files keep every frame;
  - packets still flow afterwards: a pcap port added later is switched to
    the old ones.

A secondary process maps the primary's memory, so nfvd runs on
hugepages here: without free hugepages the test skips.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

HUGE_MB = 128
FRAMES = 5


def write_pcap(path, n):
    """n broadcast frames of 60 bytes: the switch floods them."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            frame = bytes.fromhex("ffffffffffff0200000009%02x0800" % i) + bytes(46)
            f.write(struct.pack("<IIII", 1, i, len(frame), len(frame)))
            f.write(frame)


def proc_info(nfvd, *args):
    # A secondary maps the primary's memory at the primary's addresses;
    # when its own libraries already sit there (ASLR; an ASan-built nfvd
    # has an unusual layout) its EAL gives up before it looks at a port.
    # That is the tool's environment, not nfvd: try again, a few times.
    for attempt in range(1, 6):
        cp = nfvtest.run(["dpdk-proc-info", "--file-prefix=%s" % nfvd.prefix,
                          "--log-level=lib.eal:error", "--"] + list(args),
                         check_rc=False, timeout=60)
        log("dpdk-proc-info %s: exit %d: %s" % (" ".join(args), cp.returncode,
                                                 cp.stderr.strip().replace("\n", " | ")))
        if "Cannot init memory" not in cp.stderr:
            break
        log("attempt %d: the secondary could not map nfvd's memory at its address" % attempt)
    check(cp.returncode >= 0, "dpdk-proc-info %s died of signal %d" % (" ".join(args), -cp.returncode))
    check_eq(cp.returncode, 0, "dpdk-proc-info %s exit status" % " ".join(args))
    return cp.stdout


def run(env):
    free = nfvtest.free_hugepages_mb()
    if free < HUGE_MB:
        nfvtest.skip("dpdk-proc-info is a DPDK secondary process and needs nfvd on shared "
                     "hugepage memory: %d MiB of 2 MiB hugepages free on a mounted hugetlbfs, "
                     "need %d (scripts/hugepages.sh)" % (free, HUGE_MB))
    rx = env.path("in.pcap")
    write_pcap(rx, FRAMES)
    out = {n: env.path("%s.pcap" % n) for n in ("p0", "p1")}
    nfvd = env.nfvd(
        ports=[{"name": "p0", "type": "pcap", "rx": rx, "tx": out["p0"]},
               {"name": "p1", "type": "pcap", "tx": out["p1"]},
               {"name": "v0", "type": "vhost-user", "path": env.path("v0.sock")}],
        vnfs=[{"name": "sw", "type": "l2switch",
               "ifaces": [{"name": n} for n in ("a", "b", "c", "d")]}],
        links=[["p0", "sw.a"], ["p1", "sw.b"], ["v0", "sw.c"]],
        dataplane={"hugepages": "on", "memory": HUGE_MB})
    nfvd.start()
    nfvtest.wait_for(lambda: nfvd.ports()["p1"]["tx_packets"] == FRAMES, 10,
                     "p1 to send the %d frames of p0" % FRAMES)
    before = {n: os.path.getsize(p) for n, p in out.items()}
    log("tx files before: %s" % before)
    check_eq(before["p1"], 24 + FRAMES * (16 + 60), "p1.pcap size")

    text = proc_info(nfvd, "--show-mempool")
    check("nfv_mbufs" in text, "--show-mempool does not show nfvd's pool:\n%s" % text[-2000:])
    proc_info(nfvd, "--stats")

    check(nfvd.alive(), "nfvd died")
    ports = nfvd.ports()
    for n in ("p0", "p1"):
        check_eq(ports[n]["link"], "up", "link of %s after the secondaries" % n)
        check_eq(os.path.getsize(out[n]), before[n], "%s.pcap size after the secondaries" % n)

    # The data path still works: a new pcap port's frames reach p1's file.
    nfvd.nfvctl("port", "add", "p2", "type", "pcap", "rx", rx, "link", "sw.d")
    nfvtest.wait_for(lambda: nfvd.ports()["p1"]["tx_packets"] == 2 * FRAMES, 10,
                     "p1 to send the frames of p2 as well")
    check_eq(os.path.getsize(out["p1"]), 24 + 2 * FRAMES * (16 + 60), "p1.pcap size at the end")
    nfvd.stop_clean()


if __name__ == "__main__":
    nfvtest.main(run, "secondary", budget=80, needs=["dpdk-proc-info"])
