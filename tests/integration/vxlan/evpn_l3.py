#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The router side of EVPN against the kernel, without FRR (docs/overlay.md,
"Routing: L3 VNI and type-5/type-2 MAC+IP").

  netns vm -- tap -- nfvd: sw100 (l2switch) -- rtr.gw100 (svi br100)
                              `-- vx.seg100 (VNI 100)
                           rtr.l3 (svi br4000) -- vx.seg4000 (VNI 4000)
                           vx.underlay -- tap -- netns u (captured)
                  vx: evpn {netns: M}; rtr: mirror {netns: M}

The test plays zebra in M with ip/bridge: a type-5 route
`10.2.0.0/24 via 10.0.2.2 dev br4000 onlink`, the remote router MAC as a
NOARP extern_learn neighbour and as an FDB entry on vxlan4000.  Checks:
br4000 and br100 carry the router's MACs, br100 the router's address;
`nfvctl show routes/neigh rtr` have the route and a static neighbour; a
ping from the VM to 10.2.0.5 leaves the underlay as VXLAN VNI 4000 to
10.0.2.2 with inner dst MAC RMAC, src the router's l3 MAC and TTL 63; the
router's MAC is never written on nfv<V> (the bridge keeps its own entry);
the deletes are mirrored.
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

LOCAL, PEER = "10.0.1.2", "10.0.2.2"
RMAC = "02:00:00:02:0f:a0"
GW100_MAC, L3_MAC = "02:00:00:01:00:01", "02:00:00:01:0f:a0"
VM_MAC, VM_IP = "02:00:00:00:33:01", "10.1.0.10"
NH_MAC = "02:00:00:00:0a:fe"


def links(ns):
    cp = nfvtest.run(["ip", "-n", ns, "-j", "-d", "link", "show"])
    return {lk["ifname"]: lk for lk in json.loads(cp.stdout or "[]")}


def bridge_fdb(ns, br):
    cp = nfvtest.run(["bridge", "-n", ns, "-j", "fdb", "show", "br", br])
    return json.loads(cp.stdout or "[]")


def pcap_frames(path):
    """The frames of a pcap file (classic format, any byte order)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def vxlan_of(frame):
    """(outer dst IP, VNI, inner frame) of a VXLAN frame, or None."""
    if len(frame) < 14 + 20 + 8 + 8 + 14 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0xf) * 4
    if frame[14 + 9] != 17:
        return None
    udp = 14 + ihl
    if struct.unpack("!H", frame[udp + 2:udp + 4])[0] != 4789:
        return None
    dst = ".".join(str(x) for x in frame[30:34])
    vni = struct.unpack("!I", frame[udp + 12:udp + 16])[0] >> 8
    return dst, vni, frame[udp + 16:]


def run(env):
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for the taps")
    vm, u = env.netns("vm"), env.netns("u")
    mns = "nfvit-%s-l3" % env.tag
    env.on_cleanup(lambda: nfvtest.run(["ip", "netns", "del", mns], check_rc=False))
    nfvd = env.nfvd(
        ports=[{"name": "vm", "type": "tap", "ifname": env.ifname("vm"), "netns": vm},
               {"name": "u", "type": "tap", "ifname": env.ifname("u"), "netns": u}],
        vnfs=[{"name": "sw100", "type": "l2switch",
               "ifaces": [{"name": "vm"}, {"name": "rtr"}, {"name": "vx"}]},
              {"name": "vx", "type": "vxlan",
               "ifaces": [{"name": "underlay"}, {"name": "seg100", "vni": 100},
                          {"name": "seg4000", "vni": 4000}],
               "local": [LOCAL], "mac": "02:00:00:00:0a:01",
               "nexthop_mac": NH_MAC, "evpn": {"netns": mns}},
              {"name": "rtr", "type": "router", "mirror": {"netns": mns},
               "ifaces": [{"name": "gw100", "mac": GW100_MAC, "address": ["10.1.0.1/24"],
                           "svi": "br100"},
                          {"name": "l3", "mac": L3_MAC, "svi": "br4000"}]}],
        links=[["vm", "sw100.vm"], ["sw100.rtr", "rtr.gw100"], ["sw100.vx", "vx.seg100"],
               ["rtr.l3", "vx.seg4000"], ["u", "vx.underlay"]])
    t0 = time.monotonic()
    nfvd.start()
    log("nfvd ready in %.1f s" % (time.monotonic() - t0))

    def mirror():
        r = nfvd.nfvctl("show", "mirror", "rtr")
        return r[0] if isinstance(r, list) else r

    # 1-2: the svi devices found, with the router's MACs and addresses.
    def svis_found():
        tw = {t["name"]: t for t in mirror()["twins"]}
        return all(tw.get(n, {}).get("state") == "svi found" for n in ("br100", "br4000"))
    nfvtest.wait_for(svis_found, 3, "br100 and br4000 found by the mirror")
    lk = links(mns)
    check("gw100" not in lk and "l3" not in lk, "twin taps made for svi ifaces: %s" % sorted(lk))
    nfvtest.wait_for(lambda: links(mns)["br4000"]["address"] == L3_MAC, 2,
                     "br4000's MAC is the router's l3 MAC")
    check_eq(links(mns)["br100"]["address"], GW100_MAC, "br100's MAC")
    cp = nfvtest.run(["ip", "-n", mns, "-j", "addr", "show", "dev", "br100"])
    addrs = [(a["local"], a["prefixlen"]) for a in json.loads(cp.stdout)[0]["addr_info"]]
    check(("10.1.0.1", 24) in addrs, "10.1.0.1/24 not on br100: %s" % addrs)

    # What zebra installs for a type-5 route of a remote VTEP (symmetric IRB).
    ns = ["ip", "-n", mns]
    nfvtest.run(ns + ["route", "add", "10.2.0.0/24", "via", PEER, "dev", "br4000", "onlink",
                      "proto", "bgp", "metric", "20"])
    nfvtest.run(ns + ["neigh", "add", PEER, "lladdr", RMAC, "dev", "br4000", "nud", "noarp",
                      "extern_learn"])
    nfvtest.run(["bridge", "-n", mns, "fdb", "add", RMAC, "dev", "vxlan4000", "dst", PEER,
                 "self", "extern_learn"])

    def route_rows():
        return [r for r in nfvd.nfvctl("show", "routes", "rtr")
                if r.get("prefix") == "10.2.0.0/24"]

    def neigh_rows():
        return [n for n in nfvd.nfvctl("show", "neigh", "rtr") if n.get("ip") == PEER]
    nfvtest.wait_for(lambda: route_rows(), 2, "10.2.0.0/24 in nfvctl show routes rtr")
    log("show routes: %s" % json.dumps(route_rows()))
    nfvtest.wait_for(lambda: neigh_rows(), 2, "%s in nfvctl show neigh rtr" % PEER)
    nb = neigh_rows()[0]
    log("show neigh: %s" % json.dumps(nb))
    check_eq(nb.get("mac", "").lower(), RMAC, "%s's MAC" % PEER)
    check("static" in json.dumps(nb).lower() or "permanent" in json.dumps(nb).lower(),
          "the NOARP neighbour is not static: %s" % nb)
    nfvtest.wait_for(lambda: any(f["mac"].lower() == RMAC for f in nfvd.nfvctl("show", "fdb")), 2,
                     "%s in the vxlan VNF's FDB" % RMAC)

    # The VM pings through the router: captured on the underlay.
    vif, uif = env.ifname("vm"), env.ifname("u")
    nfvtest.run(["ip", "-n", vm, "link", "set", vif, "address", VM_MAC])
    nfvtest.run(["ip", "-n", vm, "addr", "add", VM_IP + "/24", "dev", vif])
    nfvtest.run(["ip", "-n", vm, "link", "set", vif, "up"])
    nfvtest.run(["ip", "-n", vm, "route", "add", "default", "via", "10.1.0.1"])
    nfvtest.run(["ip", "-n", u, "link", "set", uif, "up"])
    pcap = os.path.join(env.dir, "underlay.pcap")
    tcpd = subprocess.Popen(["ip", "netns", "exec", u, "tcpdump", "-i", uif, "-U", "-n",
                             "-w", pcap, "udp", "port", "4789"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env.on_cleanup(lambda: tcpd.poll() is None and tcpd.kill())
    time.sleep(0.5)

    def encapsulated():
        return [v for v in (vxlan_of(f) for f in pcap_frames(pcap)) if v is not None]
    ping = subprocess.Popen(["ip", "netns", "exec", vm, "ping", "-c", "3", "-i", "0.3",
                             "-W", "1", "10.2.0.5"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    env.on_cleanup(lambda: ping.poll() is None and ping.kill())
    nfvtest.wait_for(lambda: encapsulated(), 3, "a VXLAN frame on the underlay")
    ping.wait(5)
    tcpd.terminate()
    tcpd.wait(3)
    caps = encapsulated()
    log("%d VXLAN frames on the underlay" % len(caps))
    dst, vni, inner = caps[0]
    check_eq(dst, PEER, "outer destination")
    check_eq(vni, 4000, "VNI")
    check_eq(mac_str(inner[0:6]), RMAC, "inner destination MAC")
    check_eq(mac_str(inner[6:12]), L3_MAC, "inner source MAC")
    check_eq(inner[12:14], b"\x08\x00", "inner EtherType")
    check_eq(".".join(str(x) for x in inner[14 + 16:14 + 20]), "10.2.0.5", "inner destination")
    check_eq(inner[14 + 8], 63, "inner TTL (64 decremented)")

    # The router's MACs are the bridges' own: never written on nfv<V>.
    def own_entry_ok(br, mac):
        ents = [e for e in bridge_fdb(mns, br) if e["mac"] == mac]
        return ents and all(e.get("ifname") == br for e in ents)
    time.sleep(0.3)  # two ticks of nfv-evpn's write-back
    for br, mac in (("br4000", L3_MAC), ("br100", GW100_MAC)):
        ents = [e for e in bridge_fdb(mns, br) if e["mac"] == mac]
        check(own_entry_ok(br, mac), "%s's own entry moved: %s" % (br, ents))
    # The VM's MAC is written back on nfv100 (the router's is not).  A
    # write may fail once while the mirror takes br<V> down to set its
    # MAC (a disabled port: EPERM) and is retried a second later.
    nfvtest.wait_for(lambda: any(e["mac"] == VM_MAC and e.get("ifname") == "nfv100"
                                 for e in bridge_fdb(mns, "br100")), 2.5,
                     "the VM's MAC %s on nfv100" % VM_MAC)
    # The VM's neighbour, which the router resolved itself on gw100, is
    # written back on br100 (zebra's local type-2 MAC+IP), as dynamic.
    def br100_neigh():
        cp = nfvtest.run(["ip", "-n", mns, "-j", "neigh", "show", "dev", "br100"])
        return {n["dst"]: n for n in json.loads(cp.stdout or "[]")}.get(VM_IP)
    nfvtest.wait_for(lambda: br100_neigh() is not None, 1.5,
                     "%s written back on br100" % VM_IP, interval=0.05)
    kn = br100_neigh()
    log("br100's neighbour: %s" % kn)
    check_eq(kn.get("lladdr", "").lower(), VM_MAC, "the written-back MAC")
    check("NOARP" not in kn.get("state", []) and "PERMANENT" not in kn.get("state", []),
          "the written-back neighbour is static: %s" % kn)
    vmn = [n for n in nfvd.nfvctl("show", "neigh", "rtr") if n.get("ip") == VM_IP]
    check(vmn and vmn[0]["state"] != "permanent", "the router's own entry changed: %s" % vmn)
    ev = nfvd.nfvctl("show", "evpn")[0]
    log("show evpn: %s" % json.dumps(ev))
    check(ev["counters"]["locals_own_mac"] >= 1, "the router's MAC not counted as own")
    err = ev.get("last_error") or ""
    check(not err or "Operation not permitted" in err, "show evpn last_error: %s" % err)
    st = nfvd.nfvctl("show", "vnf", "rtr")
    log("show vnf rtr: %s" % json.dumps(st)[:1500])

    # The deletes are mirrored.
    nfvtest.run(ns + ["route", "del", "10.2.0.0/24", "via", PEER, "dev", "br4000",
                      "metric", "20"])
    nfvtest.wait_for(lambda: not route_rows(), 2, "10.2.0.0/24 gone from show routes")
    nfvtest.run(ns + ["neigh", "del", PEER, "dev", "br4000"])
    nfvtest.wait_for(lambda: not neigh_rows(), 2, "%s gone from show neigh" % PEER)
    m = mirror()
    log("show mirror: %s" % json.dumps(m)[:1500])
    check_eq(m["state"], "synced", "show mirror state")
    check(m["counters"]["svi_found"] >= 2, "svi_found < 2")
    # Each MAC set once (down, MAC, up): not again for the messages that
    # the change itself causes, which carry the old MAC first.
    check_eq(m["counters"]["svi_macs"], 2, "svi MACs set")
    check(m["counters"]["neighbours_written"] >= 1, "no neighbour written back")
    check_eq(m["counters"]["neighbours_write_failed"], 0, "neighbour write-backs failed")
    check_eq(m.get("last_error"), None, "show mirror last_error")

    # An svi deleted and made again (another ifindex): missing, then
    # found by its name, with the router's MAC and address again.
    def svi_state(name):
        return {t["name"]: t for t in mirror()["twins"]}[name]
    old_index = svi_state("br100")["ifindex"]
    nfvtest.run(ns + ["link", "del", "br100"])
    nfvtest.wait_for(lambda: svi_state("br100")["state"] == "svi missing", 2,
                     "br100 svi missing in show mirror after its delete")
    nfvtest.run(ns + ["link", "add", "br100", "type", "bridge"])
    nfvtest.run(ns + ["link", "set", "br100", "up"])
    nfvtest.wait_for(lambda: svi_state("br100")["state"] == "svi found", 2,
                     "br100 found again")
    check(svi_state("br100")["ifindex"] != old_index, "br100's ifindex did not change")
    nfvtest.wait_for(lambda: links(mns)["br100"]["address"] == GW100_MAC, 2,
                     "the new br100's MAC is gw100's")

    def br100_addrs():
        cp = nfvtest.run(["ip", "-n", mns, "-j", "addr", "show", "dev", "br100"])
        return [(a["local"], a["prefixlen"]) for a in json.loads(cp.stdout)[0]["addr_info"]]
    nfvtest.wait_for(lambda: ("10.1.0.1", 24) in br100_addrs(), 2, "10.1.0.1/24 on the new br100")
    m = mirror()
    log("show mirror counters: %s" % json.dumps(m["counters"]))
    check(m["counters"]["svi_found"] >= 3 and m["counters"]["svi_lost"] >= 1,
          "svi_found/svi_lost not counted")

    check(nfvd.alive(), "nfvd died")
    nfvd.stop_clean()
    check(not os.path.exists("/run/netns/" + mns),
          "nfvd left the netns %s it created behind" % mns)


if __name__ == "__main__":
    nfvtest.main(run, "vxlan-evpn-l3", budget=40,
                 needs=["ip", "bridge", "ping", "tcpdump"])
