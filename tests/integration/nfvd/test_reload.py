#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Config reload and port add/del under traffic: unchanged paths lose nothing.

testpmd runs a closed mac-forward loop through nfvd's switch between two
vhost-user ports (p1, p2): 2 x 8 bursts of 32 frames go round and round,
so the loop holds exactly 512 frames for as long as nothing is lost.
While it runs, a third port is added and removed four ways: by
`nfvctl reload` (the file gains p3, then loses it), by SIGHUP (the same),
and by `nfvctl port add/del`.  A reload that would change a VNF is
refused with the reason and changes nothing.  At the end testpmd stops;
once nfvd's counters settle, every frame nfvd forwarded on p1/p2 came in
on the other one, no drop was counted there, and the frames still in
testpmd's RX rings are exactly the 512 of the loop: not one was lost.
"""
import copy
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

MAC = ["02:00:00:00:07:01", "02:00:00:00:07:02"]
BURSTS = 8
IN_FLIGHT = 2 * BURSTS * 32


def write_config(nfvd, cfg):
    tmp = nfvd.cfg_path + ".new"
    with open(tmp, "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    os.rename(tmp, nfvd.cfg_path)


def moving(nfvd, what):
    """The loop still runs: p1 forwards frames within a short while."""
    a = nfvd.ports()["p1"]["tx_packets"]
    time.sleep(0.3)
    b = nfvd.ports()["p1"]["tx_packets"]
    check(b - a > 100, "%s: the loop stalled (p1 forwarded %d frames in 0.3 s)" % (what, b - a))
    log("%s: loop runs, %d frames/s out of p1" % (what, (b - a) / 0.3))


def names(nfvd):
    return sorted(nfvd.ports())


def run(env):
    socks = [env.path("p%d.sock" % i) for i in (1, 2, 3, 4)]
    base_ports = [{"name": "p%d" % (i + 1), "type": "vhost-user", "path": socks[i], "mode": "server"}
                  for i in range(2)]
    p3 = {"name": "p3", "type": "vhost-user", "path": socks[2], "mode": "server"}
    vnfs = [{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}]
    links = [["p1", "sw.a"], ["p2", "sw.b"]]
    nfvd = env.nfvd(ports=base_ports, vnfs=vnfs, links=links)
    base = copy.deepcopy(nfvd.config)
    with_p3 = copy.deepcopy(base)
    with_p3["ports"].append(p3)
    with_p3["links"].append(["p3", "sw.c"])
    nfvd.start()

    pmd = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s,queue_size=1024" % (i, s, MAC[i])
                             for i, s in enumerate(socks[:2])],
                      peers=[MAC[1], MAC[0]], fwd="mac",
                      extra=["--rxd=1024", "--txd=1024"]).start()
    nfvd.wait_links(["p1", "p2"])
    pmd.cmd("clear port stats all")
    pmd.cmd("start tx_first %d" % BURSTS)
    moving(nfvd, "start")

    # 1. reload: the file gains p3 (linked to sw.c), then loses it.
    write_config(nfvd, with_p3)
    r = nfvd.nfvctl("reload")
    log("reload (add p3): %s" % r)
    check_eq((r["added"], r["removed"], r["kept"]), (["p3"], [], 2), "reload added / removed / kept")
    check_eq(names(nfvd), ["p1", "p2", "p3"], "ports after reload")
    check_eq(nfvd.nfvctl("show", "vnf", "sw")["ifaces"][2]["peer"], "p3", "sw.c linked by reload")
    moving(nfvd, "after reload added p3")
    # Reloading the same file again changes nothing.
    r = nfvd.nfvctl("reload")
    check_eq((r["added"], r["removed"], r["kept"]), ([], [], 3), "reload of an unchanged file")
    write_config(nfvd, base)
    r = nfvd.nfvctl("reload")
    log("reload (remove p3): %s" % r)
    check_eq((r["added"], r["removed"]), ([], ["p3"]), "reload removed")
    check_eq(names(nfvd), ["p1", "p2"], "ports after reload removed p3")
    check(not os.path.exists(socks[2]), "p3's socket left behind")
    moving(nfvd, "after reload removed p3")

    # 2. refused: a VNF changed and a port added in one file: nothing
    # changes, and the message names what needs a restart.
    bad = copy.deepcopy(with_p3)
    bad["vnfs"][0]["ifaces"].append({"name": "d"})
    bad["dataplane"]["memory"] = 320
    write_config(nfvd, bad)
    cp = nfvd.nfvctl("reload", json_out=False, check_rc=False)
    msg = (cp.stderr + cp.stdout).strip()
    log("refused reload: %s" % msg)
    check(cp.returncode != 0, "a reload that changes a VNF was applied")
    check("vnf sw changed" in msg and "restart" in msg and "nothing changed" in msg,
          "refusal does not say what needs a restart: %r" % msg)
    check_eq(names(nfvd), ["p1", "p2"], "ports after a refused reload")
    # All or nothing: p3 can be made, the tap after it cannot (its netns
    # does not exist): p3 is removed again and the reply says why.
    if os.path.exists("/dev/net/tun"):
        half = copy.deepcopy(with_p3)
        half["ports"].append({"name": "t9", "type": "tap", "ifname": env.ifname("t9"),
                              "netns": "nfvit-%d-nonexistent" % os.getpid()})
        write_config(nfvd, half)
        cp = nfvd.nfvctl("reload", json_out=False, check_rc=False)
        msg = (cp.stderr + cp.stdout).strip()
        log("reload with a port that cannot be made: %s" % msg)
        check(cp.returncode != 0 and "t9" in msg and "nothing changed" in msg,
              "a reload whose second port failed: %r" % msg)
        check_eq(names(nfvd), ["p1", "p2"], "ports after a reload undone")
        check(not os.path.exists(socks[2]), "p3's socket left behind by the undone reload")
    # A file that does not load.
    cp = nfvd.nfvctl("reload", env.path("missing.yaml"), json_out=False, check_rc=False)
    check(cp.returncode != 0, "reload of a missing file succeeded")
    moving(nfvd, "after refused reloads")

    # 3. SIGHUP: the same as `nfvctl reload`.
    write_config(nfvd, with_p3)
    nfvd.proc.send_signal(signal.SIGHUP)
    nfvtest.wait_for(lambda: "p3" in nfvd.ports(), 10, "SIGHUP to add p3")
    moving(nfvd, "after SIGHUP added p3")
    write_config(nfvd, base)
    nfvd.proc.send_signal(signal.SIGHUP)
    nfvtest.wait_for(lambda: "p3" not in nfvd.ports(), 10, "SIGHUP to remove p3")
    check("reload" in nfvd.log_text(), "nfvd did not log the reloads")

    # 4. port add / del, the run-time verbs the reload shares its paths with.
    for i in range(3):
        nfvd.nfvctl("port", "add", "p4", "type", "vhost-user", "path", socks[3], "mode", "server",
                    "link", "sw.c")
        moving(nfvd, "port add p4 (%d)" % i)
        nfvd.nfvctl("port", "del", "p4")
    check_eq(names(nfvd), ["p1", "p2"], "ports after port add/del")
    moving(nfvd, "after port add/del")
    check(nfvd.alive(), "nfvd died")

    # The loop's frames, counted.
    pmd.cmd("stop")
    st = nfvd.wait_stable()
    ps = pmd.stats()
    log("nfvd p1 %s" % st["p1"])
    log("nfvd p2 %s" % st["p2"])
    log("testpmd %s" % ps)
    for n in ("p1", "p2"):
        bad_drops = {k: v for k, v in st[n]["drops"].items() if v}
        check(not bad_drops, "%s dropped frames: %s" % (n, bad_drops))
    check_eq(st["p1"]["rx_packets"], ps[0]["tx_packets"], "nfvd p1 rx vs testpmd port 0 tx")
    check_eq(st["p2"]["rx_packets"], ps[1]["tx_packets"], "nfvd p2 rx vs testpmd port 1 tx")
    check_eq(st["p2"]["tx_packets"], st["p1"]["rx_packets"], "p1 -> p2 through the switch")
    check_eq(st["p1"]["tx_packets"], st["p2"]["rx_packets"], "p2 -> p1 through the switch")
    left = (st["p1"]["tx_packets"] - ps[0]["rx_packets"]) + (st["p2"]["tx_packets"] - ps[1]["rx_packets"])
    check_eq(left, IN_FLIGHT, "frames of the loop at the end (in testpmd's RX rings)")
    log("closed loop: %d frames forwarded each way, %d of %d in flight at the end, none lost"
        % (st["p1"]["tx_packets"], left, IN_FLIGHT))
    pmd.quit()
    nfvd.stop_clean([socks[0], socks[1], socks[2], socks[3]])


if __name__ == "__main__":
    nfvtest.main(run, "reload", budget=110, needs=["dpdk-testpmd"])
