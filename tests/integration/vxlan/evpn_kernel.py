#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The EVPN mirror against the kernel, without FRR (docs/overlay.md, "EVPN").

  netns h1 -- tap -- nfvd: vx (vxlan, VNI 100, evpn: {netns: M}) -- tap -- netns u
                        `- nfv-evpn in netns M (made by nfvd):
                             br100, vxlan100 (id 100, local 10.0.2.1), nfv100;
                             10.0.2.1/32 on lo

Checks: the devices exist as zebra needs them; what zebra would install
(`bridge fdb add 00:00:00:00:00:00 dev vxlan100 dst VTEP self permanent`,
a MAC with dst) shows in `nfvctl show vtep` / `show fdb` with origin evpn,
and their deletes are mirrored; a frame from the local side makes its
source MAC a dynamic (not sticky) entry on nfv100 within 1 s; at stop
every device, the address and the netns are gone.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

LOCAL, PEER, PEER2 = "10.0.2.1", "10.0.2.2", "10.0.2.3"
REMOTE_MAC = "02:00:00:00:44:01"
H1_MAC = "02:00:00:00:33:01"


def bridge_fdb(ns, dev):
    cp = nfvtest.run(["bridge", "-n", ns, "-j", "fdb", "show", "dev", dev])
    return json.loads(cp.stdout or "[]")


def links(ns):
    cp = nfvtest.run(["ip", "-n", ns, "-j", "-d", "link", "show"])
    return {lk["ifname"]: lk for lk in json.loads(cp.stdout or "[]")}


def run(env):
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for the taps")
    h1, u = env.netns("h1"), env.netns("u")
    mns = "nfvit-%s-evpn" % env.tag
    env.on_cleanup(lambda: nfvtest.run(["ip", "netns", "del", mns], check_rc=False))
    nfvd = env.nfvd(
        ports=[{"name": "h1", "type": "tap", "ifname": env.ifname("h1"), "netns": h1},
               {"name": "u", "type": "tap", "ifname": env.ifname("u"), "netns": u}],
        vnfs=[{"name": "vx", "type": "vxlan",
               "ifaces": [{"name": "underlay"}, {"name": "seg100", "vni": 100}],
               "local": [LOCAL], "mac": "02:00:00:00:0a:01",
               "nexthop_mac": "02:00:00:00:0a:fe", "evpn": {"netns": mns}}],
        links=[["h1", "vx.seg100"], ["u", "vx.underlay"]])
    cp = nfvtest.run([nfvd.bin, "-t", "-c", nfvd.cfg_path], check_rc=False)
    check_eq(cp.returncode, 0, "nfvd -t: %s" % (cp.stdout + cp.stderr).strip())
    check(not os.path.exists("/run/netns/" + mns), "netns %s exists before the start" % mns)
    t0 = time.monotonic()
    nfvd.start()
    log("nfvd ready in %.1f s" % (time.monotonic() - t0))
    check(os.path.exists("/run/netns/" + mns), "nfvd did not create netns %s" % mns)

    # The devices, as zebra needs them.
    lk = links(mns)
    for name in ("br100", "vxlan100", "nfv100"):
        check(name in lk, "%s missing in netns %s: %s" % (name, mns, sorted(lk)))
        check("UP" in lk[name]["flags"], "%s is not up: %s" % (name, lk[name]["flags"]))
    vxi = lk["vxlan100"]["linkinfo"]
    check_eq(vxi["info_kind"], "vxlan", "vxlan100's kind")
    check_eq(vxi["info_data"]["id"], 100, "vxlan100's VNI")
    check_eq(vxi["info_data"]["local"], LOCAL, "vxlan100's local address")
    check_eq(vxi["info_data"]["port"], 4789, "vxlan100's dstport")
    check(not vxi["info_data"].get("learning", True), "vxlan100 learns")
    check_eq(lk["vxlan100"].get("master"), "br100", "vxlan100's master")
    check_eq(lk["nfv100"].get("master"), "br100", "nfv100's master")
    brd = lk["br100"]["linkinfo"]["info_data"]
    check_eq(brd["stp_state"], 0, "br100's STP")
    check(brd["ageing_time"] > 100000, "br100 ages entries: %s" % brd["ageing_time"])
    cp = nfvtest.run(["ip", "-n", mns, "-j", "addr", "show", "dev", "lo"])
    addrs = [(a["local"], a["prefixlen"]) for a in json.loads(cp.stdout)[0]["addr_info"]]
    check((LOCAL, 32) in addrs, "%s/32 not on lo: %s" % (LOCAL, addrs))

    # What zebra installs for a remote VTEP (type 3) and a remote MAC (type 2).
    nfvtest.run(["bridge", "-n", mns, "fdb", "add", "00:00:00:00:00:00", "dev", "vxlan100",
                 "dst", PEER, "self", "permanent"])
    nfvtest.run(["bridge", "-n", mns, "fdb", "add", REMOTE_MAC, "dev", "vxlan100",
                 "dst", PEER2, "self", "extern_learn"])

    def vtep(ip):
        return {v["vtep"]: v for v in nfvd.nfvctl("show", "vtep")}.get(ip)

    def fdb(mac):
        return {f["mac"]: f for f in nfvd.nfvctl("show", "fdb")}.get(mac)
    nfvtest.wait_for(lambda: vtep(PEER) is not None and vtep(PEER)["vnis"] == "100", 2,
                     "VTEP %s floods VNI 100 in nfvctl show vtep" % PEER)
    check_eq(vtep(PEER)["origin"], "evpn", "VTEP %s's origin" % PEER)
    check_eq(vtep(PEER)["mac"].lower(), "02:00:00:00:0a:fe", "VTEP %s's next hop (nexthop_mac)" % PEER)
    nfvtest.wait_for(lambda: fdb(REMOTE_MAC) is not None, 2, "%s in show fdb" % REMOTE_MAC)
    check_eq(fdb(REMOTE_MAC)["vtep"], PEER2, "%s's VTEP" % REMOTE_MAC)
    check_eq(fdb(REMOTE_MAC)["origin"], "evpn", "%s's origin" % REMOTE_MAC)

    # A frame from the local side: its source MAC is written to nfv100.
    hif = env.ifname("h1")
    nfvtest.run(["ip", "-n", h1, "link", "set", hif, "address", H1_MAC])
    nfvtest.run(["ip", "-n", h1, "addr", "add", "192.168.100.1/24", "dev", hif])
    nfvtest.run(["ip", "-n", h1, "link", "set", hif, "up"])
    # An ARP request (broadcast): recorded local, flooded to PEER.  The
    # ping waits for no answer: the clock runs from its first frame.
    t0 = time.monotonic()
    ping = subprocess.Popen(["ip", "netns", "exec", h1, "ping", "-c", "1", "-W", "1",
                             "192.168.100.2"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    env.on_cleanup(ping.kill)
    nfvtest.wait_for(lambda: any(e["mac"] == H1_MAC for e in bridge_fdb(mns, "nfv100")), 1.0,
                     "%s on nfv100 in the kernel bridge FDB within 1 s" % H1_MAC,
                     interval=0.02)
    log("local MAC in the kernel after %.0f ms" % ((time.monotonic() - t0) * 1000))
    ping.wait(5)
    ent = [e for e in bridge_fdb(mns, "nfv100") if e["mac"] == H1_MAC][0]
    log("kernel entry: %s" % ent)
    check("static" not in ent.get("state", "") and "permanent" not in ent.get("state", ""),
          "the local MAC is static in the kernel (zebra makes it sticky): %s" % ent)
    check_eq(fdb(H1_MAC)["origin"], "local", "%s's origin in show fdb" % H1_MAC)
    vxs = nfvd.nfvctl("show", "vnf", "vx")
    log("show vnf vx: %s" % json.dumps(vxs)[:800])

    # Deletes are mirrored.
    nfvtest.run(["bridge", "-n", mns, "fdb", "del", REMOTE_MAC, "dev", "vxlan100",
                 "dst", PEER2, "self"])
    nfvtest.wait_for(lambda: fdb(REMOTE_MAC) is None, 2, "%s gone from show fdb" % REMOTE_MAC)
    nfvtest.run(["bridge", "-n", mns, "fdb", "del", "00:00:00:00:00:00", "dev", "vxlan100",
                 "dst", PEER, "self"])
    nfvtest.wait_for(lambda: vtep(PEER) is None, 2, "VTEP %s gone from show vtep" % PEER)
    # The local MAC's entry is nfvd's: flushed from nfvd, gone from the kernel.
    # Quiet the local side first: its kernel would send again (ARP retries
    # for the ping, IPv6 ND and MLD) and nfvd record the MAC once more.
    nfvtest.run(["ip", "-n", h1, "link", "set", hif, "down"])
    nfvd.nfvctl("fdb", "flush", json_out=False)
    nfvtest.wait_for(lambda: not any(e["mac"] == H1_MAC for e in bridge_fdb(mns, "nfv100")),
                     1.5, "%s gone from nfv100 after fdb flush" % H1_MAC)
    ev = nfvd.nfvctl("show", "evpn")
    log("show evpn: %s" % json.dumps(ev)[:800])
    check_eq(ev[0]["state"], "synced", "show evpn state")
    check(ev[0]["counters"]["locals_added"] >= 1, "no local MAC counted as written")

    check(nfvd.alive(), "nfvd died")
    nfvd.stop_clean()
    check(not os.path.exists("/run/netns/" + mns),
          "nfvd left the netns %s it created behind" % mns)


if __name__ == "__main__":
    nfvtest.main(run, "vxlan-evpn-kernel", budget=40, needs=["ip", "bridge", "ping"])
