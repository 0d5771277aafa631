#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Watching a running nfvd with DPDK's own tools.

  test_observe.py telemetry   dpdk-telemetry.py -f PREFIX reads /nfv/ports,
                              /nfv/stats, /nfv/vnf,sw and /nfv/mac; the
                              counters match `nfvctl -j show ports` and
                              testpmd's after traffic, which went past the
                              ethdev (its own counters stay 0).  Works with
                              `hugepages: off`.
  test_observe.py dumpcap     dpdk-dumpcap (a DPDK secondary process, via
                              rte_pdump) captures the frames nfvd sends out
                              of a port.  A secondary process maps the
                              primary's memory, so nfvd runs on hugepages
                              here: without free hugepages the test skips.
"""
import json
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

MAC = ["02:00:00:00:04:01", "02:00:00:00:04:02"]
BURST = 32
HUGE_MB = 128


def switch(env, dataplane=None):
    socks = [env.path("p%d.sock" % i) for i in (1, 2)]
    nfvd = env.nfvd(
        ports=[{"name": "p%d" % (i + 1), "type": "vhost-user", "path": s, "mode": "server"}
               for i, s in enumerate(socks)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        links=[["p1", "sw.a"], ["p2", "sw.b"]], dataplane=dataplane)
    return nfvd, socks


def generator(env, socks):
    return env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s" % (i, s, MAC[i]) for i, s in enumerate(socks)],
                       peers=[MAC[1], MAC[0]], fwd="rxonly")


def telemetry(env, cmds, prefix):
    """Run dpdk-telemetry.py non-interactively; one JSON reply per command."""
    try:
        cp = subprocess.run(["dpdk-telemetry.py", "-f", prefix], input="\n".join(cmds) + "\n",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        raise nfvtest.Fail("dpdk-telemetry.py did not finish in 20 s")
    check_eq(cp.returncode, 0, "dpdk-telemetry.py exit status (%s)" % cp.stderr.strip())
    replies = {}
    for line in cp.stdout.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise nfvtest.Fail("dpdk-telemetry.py printed invalid JSON (%s): %r" % (e, line[:300]))
        replies.update(obj)
    for c in cmds:
        # The reply is keyed by the command without its parameters.
        check(c.split(",")[0] in replies, "no reply to %s from dpdk-telemetry.py:\n%s\n%s" % (c, cp.stdout[-1500:], cp.stderr))
    return replies


def run_telemetry(env):
    nfvd, socks = switch(env)
    nfvd.start()
    pmd = generator(env, socks).start()
    nfvd.wait_links(["p1", "p2"])
    pmd.cmd("start tx_first 3")
    pmd.wait_rx({0: 3 * BURST, 1: 3 * BURST})
    pmd.cmd("stop")
    ports = nfvd.wait_stable()
    # Every frame counted once, by the port that moved it: nfvd's RX is
    # what testpmd sent, nfvd's TX what testpmd received, bytes too.
    st = pmd.stats()
    for i, n in enumerate(("p1", "p2")):
        for mine, theirs in (("rx", "tx"), ("tx", "rx")):
            for unit in ("packets", "bytes"):
                check_eq(ports[n]["%s_%s" % (mine, unit)], st[i]["%s_%s" % (theirs, unit)],
                         "nfvd %s %s_%s vs testpmd port %d %s_%s" % (n, mine, unit, i, theirs, unit))

    cmds = ["/nfv/ports", "/nfv/stats", "/nfv/vnf,sw", "/nfv/mac", "/ethdev/list"]
    r = telemetry(env, cmds, nfvd.prefix)
    log("telemetry /nfv/ports: %s" % json.dumps(r["/nfv/ports"])[:400])
    tp = r["/nfv/ports"]
    entries = list(tp.values()) if isinstance(tp, dict) else tp
    by_name = {e["name"]: e for e in entries}
    for n in ("p1", "p2"):
        check(n in by_name, "/nfv/ports has no %s: %s" % (n, tp))
        for k in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes"):
            check_eq(by_name[n][k], ports[n][k], "/nfv/ports %s.%s vs nfvctl" % (n, k))
        check(by_name[n]["rx_packets"] >= 3 * BURST, "%s rx_packets %d" % (n, by_name[n]["rx_packets"]))
    check(r["/nfv/stats"], "/nfv/stats is empty")
    check_eq(r["/nfv/vnf"].get("name"), "sw", "/nfv/vnf,sw name")
    check(MAC[0] in json.dumps(r["/nfv/mac"]).lower(), "/nfv/mac lacks %s: %s" % (MAC[0], r["/nfv/mac"]))
    check_eq(len(r["/ethdev/list"]), 2, "ethdev ports in /ethdev/list")
    # The frames went past net_vhost's burst functions, straight through
    # the vhost library (docs/architecture.md): the ethdev counted none.
    for pid in r["/ethdev/list"]:
        es = telemetry(env, ["/ethdev/stats,%d" % pid], nfvd.prefix)["/ethdev/stats"]
        check_eq((es.get("ipackets"), es.get("opackets")), (0, 0),
                 "ethdev %d's own counters (vhost bypass)" % pid)
    # Non-ASCII and control bytes in a parameter: a JSON reply the script
    # can parse (it crashed on "\1\2" from DPDK's escaping), in ASCII.
    for param in ("\u00e9", "sw\u20ac", "a\"b\\c", "x\ty"):
        err = telemetry(env, ["/nfv/vnf," + param], nfvd.prefix)["/nfv/vnf"]
        check("error" in err, "/nfv/vnf,%r: no error: %r" % (param, err))
        check(all(0x20 <= ord(ch) < 0x7f for ch in err["error"]),
              "/nfv/vnf,%r: not printable ASCII: %r" % (param, err))
    pmd.quit()
    check_eq(nfvd.stop(), 0, "nfvd exit status")


def pcapng_frames(path):
    """The frames of the Enhanced Packet Blocks of a pcapng file."""
    frames = []
    with open(path, "rb") as f:
        data = f.read()
    off, bo = 0, "<"
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from(bo + "II", data, off)
        if btype == 0x0A0D0D0A:  # section header: byte order
            bo = "<" if struct.unpack_from("<I", data, off + 8)[0] == 0x1A2B3C4D else ">"
            blen = struct.unpack_from(bo + "I", data, off + 4)[0]
        if blen < 12:
            raise nfvtest.Fail("%s: corrupt pcapng block at %d" % (path, off))
        if btype == 6:
            caplen = struct.unpack_from(bo + "I", data, off + 20)[0]
            frames.append(data[off + 28:off + 28 + caplen])
        off += blen
    return frames


def run_dumpcap(env):
    free = nfvtest.free_hugepages_mb()
    if free < HUGE_MB:
        nfvtest.skip("dpdk-dumpcap is a DPDK secondary process and needs nfvd on shared hugepage "
                     "memory: %d MiB of 2 MiB hugepages free on a mounted hugetlbfs, need %d "
                     "(scripts/hugepages.sh)" % (free, HUGE_MB))
    nfvd, socks = switch(env, {"hugepages": "on", "memory": HUGE_MB})
    nfvd.start()
    pmd = generator(env, socks).start()
    nfvd.wait_links(["p1", "p2"])
    # Learn both MACs first, so that the capture below sees only unicast.
    pmd.cmd("start tx_first 1")
    pmd.wait_rx({0: BURST, 1: BURST})
    pmd.cmd("stop")

    cp = nfvtest.run(["dpdk-dumpcap", "--file-prefix=%s" % nfvd.prefix, "-D"], timeout=30)
    ifaces = [l.split(".", 1)[1].strip() for l in cp.stdout.splitlines() if ". " in l]
    log("dumpcap -D: %s" % ifaces)
    p2 = [i for i in ifaces if i.endswith("_p2")]
    check(len(p2) == 1, "no DPDK port of p2 in dumpcap -D: %s" % cp.stdout)

    out = env.path("p2.pcapng")
    bursts = 4
    each = bursts * BURST
    # Both ports send `each` frames to each other: p2 sees them going out
    # (p1 -> p2) and coming in (p2 -> p1); dumpcap captures both ways.
    want = 2 * each
    cap = env.spawn("dumpcap", ["dpdk-dumpcap", "--file-prefix=%s" % nfvd.prefix, "-i", p2[0],
                                "-c", str(want), "-w", out])
    # dumpcap names its output file once the capture is set up (stderr,
    # unbuffered; "Capturing on" comes later, through stdio buffering).
    nfvtest.wait_for(lambda: "File: " in cap.text() or not cap.alive(), 30, "dumpcap to start")
    check(cap.alive(), "dumpcap exited:\n%s" % cap.text())
    time.sleep(0.5)
    pmd.cmd("clear port stats all")
    pmd.cmd("start tx_first %d" % bursts)
    pmd.wait_rx({0: each, 1: each})
    pmd.cmd("stop")
    rc = cap.wait(20)
    log("dumpcap: %s" % cap.text().strip().replace("\n", " | "))
    check_eq(rc, 0, "dumpcap exit status")
    frames = pcapng_frames(out)
    check_eq(len(frames), want, "frames captured on p2")
    mac = lambda b: ":".join("%02x" % x for x in b)  # noqa: E731
    dirs = {}
    for fr in frames:
        k = (mac(fr[0:6]), mac(fr[6:12]))
        dirs[k] = dirs.get(k, 0) + 1
    check_eq(dirs, {(MAC[1], MAC[0]): each, (MAC[0], MAC[1]): each}, "captured frames by (dst, src)")
    st = pmd.stats()
    check_eq(st[1]["rx_packets"], each, "testpmd p2 RX while capturing")
    pmd.quit()
    check_eq(nfvd.stop(), 0, "nfvd exit status")
    check(not [f for f in os.listdir("/dev/hugepages") if f.startswith(nfvd.prefix)]
          if os.path.isdir("/dev/hugepages") else True, "nfvd left hugepage files behind")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "telemetry"
    if what == "telemetry":
        nfvtest.main(run_telemetry, "telemetry", budget=60, needs=["dpdk-testpmd", "dpdk-telemetry.py"])
    elif what == "dumpcap":
        nfvtest.main(run_dumpcap, "dumpcap", budget=80, needs=["dpdk-testpmd", "dpdk-dumpcap"])
    else:
        sys.exit("usage: test_observe.py telemetry|dumpcap")
