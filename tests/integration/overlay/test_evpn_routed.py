#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Routed subnets across hosts: symmetric IRB over an L3 VNI, driven by
FRR (issue 14, items 2 and 3; docs/overlay.md, "Routed subnets across
hosts").

                      spine (netns, IP forwarding)
               10.0.1.1 /                 \\ 10.0.2.1
        underlay 10.0.1.2                   10.0.2.2      (VTEPs)
           host 1                             host 2
   a1 10.1.0.11 (VNI 100)          a2 10.1.0.12 (VNI 100, stretched)
                                   b2 10.2.0.12 (VNI 200)
   gateway 10.1.0.1 (br100)        gateways 10.1.0.1 (br100), 10.2.0.1 (br200)
   L3 VNI 4000 (br4000)            L3 VNI 4000 (br4000)
   h1-evpn: zebra+bgpd             h2-evpn: zebra+bgpd
          \\ 192.168.100.1            / .2
            rr (bgpd only, route reflector, 192.168.100.254)

This kernel has no VRF devices, so the L3 VNI belongs to the default VRF:
zebra's top-level `vni 4000`, bgpd's default instance with `advertise
ipv4 unicast` (type-5) and `redistribute connected` (filtered to the
tenant subnets: the default VRF also holds the management network, and
in the Linux mode the underlay).  Every host that has a L2 VNI has its
gateway with the same (anycast) MAC and address; br4000's MAC is the
host's router MAC (RMAC).

Three modes, one script (three meson tests):
  --linux   Linux routes and bridges in hN-evpn (the baseline: a failure
            here is FRR's or the harness's, not nfvd's).
  default   nfvd on both hosts: tap "VMs", an l2switch per L2 VNI, a router
            mirrored into hN-evpn whose gateway and L3 ifaces are the
            bridges brV (`svi:`), the vxlan VNF with `evpn:`, the underlay
            on af_packet.
  --mixed   nfvd on host 1, Linux on host 2 (interop with a plain Linux
            VTEP), plus the type-2 MAC+IP check.

Checks (each with a bounded wait and a message that says what failed):
  r) host 1's kernel routes host 2's 10.2.0.0/24 `via 10.0.2.2 dev br4000
     onlink`, with 10.0.2.2 a NOARP neighbour on br4000 at host 2's RMAC
     and the RMAC in vxlan4000's FDB (with nfvd on host 1: `show routes`
     has the subnet, origin bgp, via 10.0.2.2 on iface l3, `show neigh`
     10.0.2.2 at the RMAC, permanent, `show fdb vx` the RMAC in VNI 4000);
     a1 (host 1, 10.1.0.0/24) <-> b2 (host 2, 10.2.0.0/24) ping; with
     Linux on host 2, b2 -> a1 again after host 2's kernel forgot a1's ARP
     entry (only a /32 from host 1's MAC+IP route reaches a1 then: an ARP
     from the anycast gateway is answered to host 1's own gateway); 2 MB
     each way over TCP with the same SHA-256, a1 -> b2 seen on the
     underlay as VXLAN VNI 4000 (tcpdump in the spine), and b2 -> a1: host
     2 has a1's /32 via VNI 4000 from host 1's MAC+IP route (nfvd writes
     its router's neighbours back into br100 for zebra to advertise);
  m) (--linux, --mixed) a2, on host 2 in the stretched VNI 100, speaks to
     its gateway: Linux advertises its MAC+IP, and host 1 has it as
     zebra's NOARP neighbour on br100 and a /32 via the L3 VNI (with nfvd:
     a permanent neighbour of the router on gw100, and in the vxlan FDB);
  w) host 2's bgpd stops: host 1 forgets 10.2.0.0/24 (kernel, and nfvd's
     `show routes`) within WITHDRAW_DEADLINE, and b2 is unreachable.
Times measured are in docs/overlay.md, "Routed subnets across hosts".
"""
import json
import os
import re
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evpnlib  # noqa: E402
from evpnlib import ip, sysctl, quiet_ipv6, vtep, ping, wait_ping  # noqa: E402
import kmirror  # noqa: E402
import nfvtest  # noqa: E402
from nfvtest import Fail, check, check_eq, log  # noqa: E402

MODE = "linux" if "--linux" in sys.argv else "mixed" if "--mixed" in sys.argv else "nfvd"
HOSTS = (1, 2)
L3VNI = 4000
SUBNET = {100: "10.1.0", 200: "10.2.0"}
HOST_VNIS = {1: (100,), 2: (100, 200)}
# Anycast gateway: the same MAC and address on every host with the VNI.
GW_MAC = {100: "02:00:00:01:00:01", 200: "02:00:00:02:00:01"}
VMS = {
    # name: (host, vni, mac, ip)
    "a1": (1, 100, "02:00:00:64:00:0b", "10.1.0.11"),
    "a2": (2, 100, "02:00:00:64:00:0c", "10.1.0.12"),
    "b2": (2, 200, "02:00:00:c8:00:0c", "10.2.0.12"),
}
VM_MTU = 1450
WITHDRAW_DEADLINE = 10.0
SIZE = 2 << 20              # bytes of each TCP transfer


def rmac(n):
    """Host n's router MAC: br4000's (the router's l3 iface's with nfvd)."""
    return "02:00:00:%02x:0f:a0" % n


def linux_host(n):
    return MODE == "linux" or (MODE == "mixed" and n == 2)


def host_conf(n):
    """zebra and bgpd of host n: L3 VNI 4000 in the default VRF."""
    return """frr defaults datacenter
hostname h%(n)d
!
vni %(l3)d
!
ip prefix-list tenant seq 10 permit 10.1.0.0/24
ip prefix-list tenant seq 20 permit 10.2.0.0/24
!
route-map tenant permit 10
 match ip address prefix-list tenant
exit
!
router bgp %(as)d
 bgp router-id 192.168.100.%(n)d
 no bgp default ipv4-unicast
 timers bgp 1 3
 neighbor %(rr)s remote-as internal
 neighbor %(rr)s timers connect 1
 !
 address-family ipv4 unicast
  redistribute connected route-map tenant
 exit-address-family
 !
 address-family l2vpn evpn
  neighbor %(rr)s activate
  advertise-all-vni
  advertise ipv4 unicast
 exit-address-family
!
""" % {"n": n, "as": evpnlib.AS, "rr": evpnlib.RR_IP, "l3": L3VNI}


class Vm:
    def __init__(self, env, name):
        self.name = name
        self.host, self.vni, self.mac, self.ip = VMS[name]
        self.ns = env.netns("vm" + name)
        self.dev = "eth0" if linux_host(self.host) else env.ifname(name)
        quiet_ipv6(self.ns)
        ip(self.ns, "link", "set", "lo", "up")

    def configure(self):
        ip(self.ns, "link", "set", self.dev, "address", self.mac, "mtu", str(VM_MTU))
        ip(self.ns, "addr", "add", self.ip + "/24", "dev", self.dev)
        ip(self.ns, "link", "set", self.dev, "up")
        ip(self.ns, "route", "add", "default", "via", SUBNET[self.vni] + ".1")


class Fabric(evpnlib.FabricBase):
    def __init__(self, env):
        super().__init__(env, HOSTS, linux_host)
        self.vms = {name: Vm(env, name) for name in VMS}

    def linux_host(self, n):
        """What nfvd's EVPN wiring and router make, made by hand: brV with
        the anycast gateway, vxlanV, br4000 with the RMAC, the VMs' veths
        in the bridges, IP forwarding."""
        ns = self.evpn[n]
        sysctl(ns, "net.ipv4.ip_forward=1")
        for v in HOST_VNIS[n] + (L3VNI,):
            br, vx = "br%d" % v, "vxlan%d" % v
            ip(ns, "link", "add", br, "type", "bridge")
            ip(ns, "link", "set", br, "addrgenmode", "none", "address",
               rmac(n) if v == L3VNI else GW_MAC[v])
            ip(ns, "link", "add", vx, "type", "vxlan", "id", str(v), "local", vtep(n),
               "dstport", "4789", "nolearning")
            ip(ns, "link", "set", vx, "master", br, "mtu", str(VM_MTU), "addrgenmode", "none")
            ip(ns, "link", "set", vx, "up")
            ip(ns, "link", "set", br, "up")
            if v != L3VNI:
                ip(ns, "addr", "add", SUBNET[v] + ".1/24", "dev", br)
        for vm in self.vms.values():
            if vm.host == n:
                ip(vm.ns, "link", "add", vm.dev, "type", "veth", "peer", "v" + vm.name,
                   "netns", ns)
                ip(ns, "link", "set", "v" + vm.name, "master", "br%d" % vm.vni, "mtu",
                   str(VM_MTU), "up")
                vm.configure()

    # --- nfvd ------------------------------------------------------------
    def nfvd_config(self, n):
        """Host n's nfvd: the VMs' taps, an l2switch per L2 VNI with the
        router's gateway iface on it, the router mirrored into hN-evpn
        (every iface an `svi:`, no twins), the vxlan VNF with `evpn:` and
        the L3 VNI's segment on the router's l3 iface."""
        vms = [vm for vm in self.vms.values() if vm.host == n]
        ports = [{"name": vm.name, "type": "tap", "ifname": vm.dev, "netns": vm.ns} for vm in vms]
        ports.append({"name": "up", "type": "af_packet", "ifname": self.up_if[n]})
        vnis = HOST_VNIS[n]
        vnfs, links = [], []
        for v in vnis:
            mine = [vm.name for vm in vms if vm.vni == v]
            # The anycast gateway's MAC is on every host's router: pinned
            # to the router's iface, as Linux's bridge keeps its own MAC
            # (a permanent local entry), else the switch learns it on vx
            # from the other host's router (its ARP requests flooded
            # over the VNI) and sends the VMs' routed traffic there.
            vnfs.append({"name": "sw%d" % v, "type": "l2switch",
                         "ifaces": [{"name": m} for m in mine] + [{"name": "vx"}, {"name": "rtr"}],
                         "static_macs": [{"mac": GW_MAC[v], "iface": "rtr"}]})
            links += [[m, "sw%d.%s" % (v, m)] for m in mine]
            links.append(["sw%d.vx" % v, "vx.seg%d" % v])
            links.append(["sw%d.rtr" % v, "rtr.gw%d" % v])
        vnfs.append({"name": "vx", "type": "vxlan",
                     "ifaces": [{"name": "underlay"}] + [{"name": "seg%d" % v, "vni": v}
                                                         for v in vnis + (L3VNI,)],
                     "local": [vtep(n)], "mac": evpnlib.underlay_mac(n),
                     "nexthop_mac": evpnlib.spine_mac(n), "mtu": 1500,
                     "evpn": {"netns": self.evpn[n]}})
        rtr_ifaces = [{"name": "gw%d" % v, "mac": GW_MAC[v], "address": [SUBNET[v] + ".1/24"],
                       "svi": "br%d" % v} for v in vnis]
        rtr_ifaces.append({"name": "l3", "mac": rmac(n), "svi": "br%d" % L3VNI})
        vnfs.append({"name": "rtr", "type": "router", "mirror": {"netns": self.evpn[n]},
                     "ifaces": rtr_ifaces})
        links.append(["rtr.l3", "vx.seg%d" % L3VNI])
        links.append(["vx.underlay", "up"])
        return ports, vnfs, links

    def start_nfvd(self, n):
        # The router's tables take ~70 MiB per family (docs/router.md,
        # "Memory").
        d = self.start_host_nfvd(n, self.nfvd_config(n), 320, "svi",
                                 "the router side of issue 14 item 2")
        for vm in self.vms.values():
            if vm.host == n:
                vm.configure()
        return d

    def check_nfvd_wiring(self, n):
        """The contract (docs/overlay.md): the vxlan VNF made brV, vxlanV,
        nfvV for every VNI; the router gave brV its iface's MAC and
        address (the anycast gateway; br4000 the RMAC, no address)."""
        ns = self.evpn[n]

        def wired():
            cp = ip(ns, "-j", "-d", "addr", "show", check_rc=False)
            if cp.returncode != 0 or not cp.stdout.strip():
                return None
            links = {l["ifname"]: l for l in json.loads(cp.stdout)}
            for v in HOST_VNIS[n] + (L3VNI,):
                if not all(x in links for x in ("br%d" % v, "vxlan%d" % v, "nfv%d" % v)):
                    return None
                br = links["br%d" % v]
                want = rmac(n) if v == L3VNI else GW_MAC[v]
                if br.get("address") != want or "UP" not in br.get("flags", []):
                    return None
                addrs = {"%s/%d" % (a["local"], a["prefixlen"]) for a in br.get("addr_info", [])
                         if a.get("family") == "inet"}
                if v != L3VNI and SUBNET[v] + ".1/24" not in addrs:
                    return None
            return links
        try:
            t0 = time.monotonic()
            nfvtest.wait_for(wired, 10, "nfvd of host %d to make brV/vxlanV/nfvV in %s and give "
                             "brV the router iface's MAC and address (svi:)" % (n, ns))
            log("host %d: svi wiring in %s in %.2f s" % (n, ns, time.monotonic() - t0))
        except Fail:
            for argv in (["ip", "-n", ns, "-br", "addr"], ["ip", "-n", ns, "-br", "link"]):
                log("$ %s\n%s" % (" ".join(argv), nfvtest.run(argv, check_rc=False).stdout))
            cp = self.nfvd[n].nfvctl("show", "mirror", json_out=False, check_rc=False)
            log("host %d: nfvctl show mirror:\n%s" % (n, cp.stdout + cp.stderr))
            raise

    def nfvd_routes(self, n):
        rows = self.nfvd[n].nfvctl("show", "routes")
        return {r["prefix"]: r for r in rows if r.get("vnf", "rtr") == "rtr" and "prefix" in r}

    def nfvd_neigh(self, n):
        rows = self.nfvd[n].nfvctl("show", "neigh")
        return {(r["iface"], r["ip"]): r for r in rows if r.get("vnf", "rtr") == "rtr"
                and "ip" in r}

    def nfvd_fdb(self, n, v):
        rows = self.nfvd[n].nfvctl("show", "fdb", "vx")
        return {(r["mac"].lower(), r.get("vtep")) for r in rows if int(r["vni"]) == v}

    def nfvd_routed(self, n, m):
        """nfvd's router on host n has host m's subnets from bgp via m's
        VTEP on its l3 iface, and the VTEP at m's RMAC, permanent; its
        vxlan VNF has the RMAC at the VTEP in VNI 4000."""
        r = self.nfvd_routes(n)
        for v in HOST_VNIS[m]:
            if v in HOST_VNIS[n]:
                continue
            e = r.get(SUBNET[v] + ".0/24")
            if not e or e.get("origin") != "bgp" or e.get("via") != vtep(m) or \
                    e.get("iface") != "l3":
                return False
        nb = self.nfvd_neigh(n).get(("l3", vtep(m)))
        if not nb or nb.get("mac", "").lower() != rmac(m) or nb.get("state") != "permanent":
            return False
        return (rmac(m), vtep(m)) in self.nfvd_fdb(n, L3VNI)

    def dump_nfvd(self, n):
        if n not in self.nfvd or not self.nfvd[n].alive():
            return
        for what in (("routes",), ("neigh",), ("fdb", "vx"), ("vtep", "vx"), ("mirror",)):
            cp = self.nfvd[n].nfvctl("show", *what, json_out=False, check_rc=False)
            log("host %d: nfvctl show %s:\n  %s" % (n, " ".join(what), (cp.stdout + cp.stderr)
                                                     .strip().replace("\n", "\n  ")))
        log("host %d vx counters: %s" % (n, {k: v for k, v in self.nfvd[n].nfvctl(
            "show", "vnf", "vx")["counters"].items() if v}))
        r = self.nfvd[n].nfvctl("show", "vnf", "rtr")
        log("host %d rtr counters: %s, drops: %s" % (
            n, {k: v for k, v in r["counters"].items() if v},
            {k: v for k, v in r.get("drops", {}).items() if v}))

    def start_frr(self):
        self.frr["rr"] = kmirror.Frr(self.env, self.rr_ns, "rr", daemons=("bgpd",)).start(
            evpnlib.rr_conf(HOSTS))
        for n in HOSTS:
            self.frr[n] = kmirror.Frr(self.env, self.evpn[n], "h%d" % n,
                                      daemons=("zebra", "bgpd")).start(host_conf(n))

    def frr_logs(self):
        return "\n".join("FRR %s:\n%s" % (k, f.logs()) for k, f in self.frr.items())

    # --- what the kernel of hN-evpn holds --------------------------------
    def kroutes(self, n):
        """{prefix: route} of hN-evpn's main table (ip -j -d route)."""
        out = ip(self.evpn[n], "-j", "-d", "route", "show", "table", "main").stdout
        return {r["dst"]: r for r in json.loads(out or "[]")}

    def kneigh(self, n, dev):
        out = ip(self.evpn[n], "-j", "neigh", "show", "dev", dev, check_rc=False).stdout
        return {e["dst"]: e for e in json.loads(out or "[]")}

    def kfdb(self, n, dev):
        out = nfvtest.run(["bridge", "-n", self.evpn[n], "-j", "fdb", "show", "dev", dev],
                          check_rc=False).stdout
        return json.loads(out or "[]")

    def dump(self, n, why):
        """ip -d route / ip -d neigh / bridge -d fdb of hN-evpn, and zebra's
        view of the L3 VNI, into the log."""
        ns = self.evpn[n]
        out = ["host %d (%s) %s:" % (n, MODE, why)]
        for argv in (["ip", "-n", ns, "-d", "route", "show", "table", "main"],
                     ["ip", "-n", ns, "-d", "neigh", "show"],
                     ["bridge", "-n", ns, "-d", "fdb", "show"],
                     ["ip", "-n", ns, "-br", "link", "show"],
                     ["ip", "-n", ns, "-br", "addr", "show"]):
            cp = nfvtest.run(argv, check_rc=False)
            lines = [ln for ln in cp.stdout.splitlines()
                     if "permanent" not in ln or "vxlan" in ln or "br" in ln.split(" dev ")[0]]
            out.append("$ %s\n  %s" % (" ".join(argv), "\n  ".join(lines)))
        if n in self.frr:
            for c in ("show evpn vni %d" % L3VNI, "show evpn rmac vni all",
                      "show evpn next-hops vni all", "show ip route"):
                try:
                    out.append("$ vtysh -c '%s'\n  %s" % (c, self.frr[n].vtysh("-c", c).strip()
                                                          .replace("\n", "\n  ")))
                except Fail as e:
                    out.append("%s: %s" % (c, e))
        log("\n".join(out))

    def routed(self, n, m):
        """Host n's kernel routes host m's subnet over the L3 VNI, with the
        RMAC of host m as the VTEP's neighbour and in vxlan4000's FDB."""
        other = [v for v in HOST_VNIS[m] if v not in HOST_VNIS[n]]
        r = self.kroutes(n)
        for v in other:
            e = r.get(SUBNET[v] + ".0/24")
            if not e or e.get("gateway") != vtep(m) or e.get("dev") != "br%d" % L3VNI:
                return False
            if "onlink" not in e.get("flags", []):
                return False
        nb = self.kneigh(n, "br%d" % L3VNI).get(vtep(m))
        if not nb or nb.get("lladdr") != rmac(m):
            return False
        if not any(f.get("mac") == rmac(m) and f.get("dst") == vtep(m)
                   for f in self.kfdb(n, "vxlan%d" % L3VNI)):
            return False
        return True


class Vxlan4000:
    """tcpdump on the spine's port to host 1: VXLAN frames of VNI v (the
    VNI is the 3 bytes at UDP payload offset 4), each direction."""

    def __init__(self, env, fab, v):
        self.proc = env.spawn("tcpdump-vni%d" % v, evpnlib.ns_exec(fab.spine, [
            "tcpdump", "-i", "s1", "-nn", "-l", "-q", "-U",
            "udp dst port 4789 and (udp[12:4] & 0xffffff00) = 0x%08x" % (v << 8)]))
        nfvtest.wait_for(lambda: "listening on" in self.proc.text() or not self.proc.alive(), 10,
                         "tcpdump on the spine")
        check(self.proc.alive(), "tcpdump on the spine died: %s" % self.proc.text()[-500:])

    def counts(self):
        """{"1->2": (frames, UDP bytes), "2->1": ...}; with GSO on the
        veths (Linux), one line can stand for a 64 KB burst."""
        self.proc.stop(signal.SIGINT, 5)
        out = {}
        for k, a, b in (("1->2", 1, 2), ("2->1", 2, 1)):
            lens = re.findall(r"IP %s\.\d+ > %s\.4789: UDP, length (\d+)"
                              % (re.escape(vtep(a)), re.escape(vtep(b))), self.proc.text())
            out[k] = (len(lens), sum(int(x) for x in lens))
        return out


def converge(env, fab):
    """FRR up, sessions up, the VMs heard, host 1 routes host 2's subnet
    over the L3 VNI (kernel, and nfvd when host 1 runs it)."""
    fab.start_frr()
    t0 = time.monotonic()
    nfvtest.wait_for(lambda: evpnlib.evpn_peers_up(fab.frr["rr"], HOSTS), 30,
                     "the route reflector's l2vpn evpn sessions", interval=0.2)
    log("EVPN sessions up after %.1f s" % (time.monotonic() - t0))
    t1 = time.monotonic()
    for vm in fab.vms.values():
        evpnlib.send_frame(vm, "garp", vm.ip)
    nfvtest.wait_for(lambda: fab.routed(1, 2), 20, "r) host 1's kernel (h1-evpn) to route %s.0/24 "
                     "via %s dev br%d onlink, with %s's RMAC %s as its NOARP neighbour and in "
                     "vxlan%d's FDB" % (SUBNET[200], vtep(2), L3VNI, vtep(2), rmac(2), L3VNI),
                     interval=0.1)
    log("r) host 1's kernel routes %s.0/24 over VNI %d %.2f s after the sessions came up"
        % (SUBNET[200], L3VNI, time.monotonic() - t1))
    if not linux_host(1):
        nfvtest.wait_for(lambda: fab.nfvd_routed(1, 2), 10, "r) nfvd of host 1: show routes has "
                         "%s.0/24 origin bgp via %s on l3, show neigh %s at %s (permanent), "
                         "show fdb vx the RMAC in VNI %d" % (SUBNET[200], vtep(2), vtep(2),
                                                               rmac(2), L3VNI), interval=0.1)
        log("r) nfvd of host 1 routes %s.0/24 over VNI %d %.2f s after the sessions came up"
            % (SUBNET[200], L3VNI, time.monotonic() - t1))


def check_routed(env, fab):
    a1, b2 = fab.vms["a1"], fab.vms["b2"]
    cap = Vxlan4000(env, fab, L3VNI)
    t0 = time.monotonic()
    wait_ping(a1.ns, b2.ip, "r) a1 -> b2 (%s, routed over VNI %d)" % (b2.ip, L3VNI))
    wait_ping(b2.ns, a1.ip, "r) b2 -> a1 (%s)" % a1.ip)
    log("r) ping a1 <-> b2 (%.2f s)" % (time.monotonic() - t0))
    # a1 spoke to its gateway: host 1 advertises its MAC+IP (Linux from
    # its ARP entry; nfvd writes the router's neighbour back into br100),
    # and host 2 routes a1's /32 over the L3 VNI.
    t0 = time.monotonic()

    def host2_has_a1():
        rt = fab.kroutes(2).get(a1.ip)
        if not rt or rt.get("gateway") != vtep(1) or rt.get("dev") != "br%d" % L3VNI:
            return False
        if not linux_host(2):
            e = fab.nfvd_routes(2).get(a1.ip + "/32")
            if not e or e.get("origin") != "bgp" or e.get("via") != vtep(1) or \
                    e.get("iface") != "l3":
                return False
        return True
    try:
        nfvtest.wait_for(host2_has_a1, 5, "r) host 2 to route a1's %s/32 via %s dev br%d%s (host "
                         "1's type-2 MAC+IP route)" % (a1.ip, vtep(1), L3VNI, "" if linux_host(2)
                                                       else " and in nfvd's show routes"),
                         interval=0.05)
    except Fail:
        log("r) h1-evpn's neighbour for a1 on br100 (what zebra advertises): %s"
            % fab.kneigh(1, "br100").get(a1.ip))
        raise
    log("r) host 2 routes a1's /32 over VNI %d %.2f s after a1 spoke" % (L3VNI,
                                                                       time.monotonic() - t0))
    if linux_host(2):
        # Host 2 has a1's subnet too (VNI 100 stretched).  What it learnt
        # of a1 from a1's ARP requests (flooded to every gateway) ages
        # out; then only a /32 from host 1's MAC+IP route reaches a1: an
        # ARP from the anycast gateway is answered to that MAC, i.e. to
        # host 1's own gateway.
        ip(fab.evpn[2], "neigh", "flush", "dev", "br100")
        t0 = time.monotonic()
        wait_ping(b2.ns, a1.ip, "r) b2 -> a1 after host 2's kernel forgot a1's ARP entry: host 2 "
                  "reaches a1 only by a /32 via VNI %d from host 1's type-2 MAC+IP route, which "
                  "zebra sends when h1-evpn has a1 as a neighbour of br100 (with nfvd: the "
                  "router's resolved neighbours written back); host 2 had at the start: %s" % (
                      L3VNI, fab.kroutes(2).get(a1.ip, "no route for %s" % a1.ip)), 5)
        log("r) b2 -> a1 after host 2 forgot a1's ARP entry (%.2f s)" % (time.monotonic() - t0))
    evpnlib.tcp_transfer(env, a1, b2, size=SIZE, tag="r)")
    evpnlib.tcp_transfer(env, b2, a1, size=SIZE, port=5002, tag="r)")
    got = cap.counts()
    log("r) VXLAN VNI %d frames on the underlay: %s" % (L3VNI, got))
    # Both directions are routed over VNI 4000 (2 MB of TCP, and more
    # with the headers): host 1 by the type-5 route, host 2 by a1's /32.
    # Half of it at least: tcpdump may drop some lines under load.
    for k, what in (("1->2", "a1 -> b2"), ("2->1", "b2 -> a1")):
        check(got[k][1] >= SIZE // 2, "r) VNI %d bytes host %s during %s's %d bytes: %d (want "
              ">= %d: routed over the L3 VNI)" % (L3VNI, k.replace("->", " -> host "), what,
                                                  SIZE, got[k][1], SIZE // 2))
    if not linux_host(1):
        c = fab.nfvd[1].nfvctl("show", "vnf", "vx")["counters"]
        log("r) host 1 vx counters: %s" % {k: v for k, v in c.items() if v})
        check(c.get("encapsulated", 0) >= 1000 and c.get("decapsulated", 0) >= 1,
              "r) host 1's vxlan VNF counters after 2 MB each way: %s" % c)


def check_macip(env, fab):
    """m) a2 (host 2, stretched VNI 100) is advertised as MAC+IP: host 1
    has its neighbour on br100 (and nfvd's router on gw100, the vxlan VNF
    in its FDB) and a /32 via the L3 VNI."""
    a1, a2 = fab.vms["a1"], fab.vms["a2"]
    t0 = time.monotonic()
    # Its gateway (host 2's br100) resolves it: Linux has the neighbour,
    # zebra advertises the IP with the MAC.
    ping(a2.ns, SUBNET[100] + ".1", count=1)

    def seen():
        nb = fab.kneigh(1, "br100").get(a2.ip)
        if not nb or nb.get("lladdr") != a2.mac or "NOARP" not in nb.get("state", []):
            return False
        rt = fab.kroutes(1).get(a2.ip)
        if not rt or rt.get("gateway") != vtep(2) or rt.get("dev") != "br%d" % L3VNI:
            return False
        if not linux_host(1):
            nb = fab.nfvd_neigh(1).get(("gw100", a2.ip))
            if not nb or nb.get("mac", "").lower() != a2.mac or nb.get("state") != "permanent":
                return False
            if (a2.mac, vtep(2)) not in fab.nfvd_fdb(1, 100):
                return False
        return True
    nfvtest.wait_for(seen, 10, "m) host 1 to have a2 (%s, %s) as zebra's NOARP neighbour on br100 "
                     "and a /32 via %s dev br%d%s" % (
                         a2.ip, a2.mac, vtep(2), L3VNI,
                         "" if linux_host(1) else ", nfvd's router as a permanent neighbour on "
                         "gw100, its vxlan VNF in the VNI 100 FDB at %s" % vtep(2)), interval=0.05)
    log("m) a2's MAC+IP on host 1 %.2f s after a2 spoke" % (time.monotonic() - t0))
    wait_ping(a1.ns, a2.ip, "m) a1 -> a2 (%s, the same subnet, stretched VNI 100)" % a2.ip)
    log("m) a1 -> a2 ping")


def check_withdraw(env, fab):
    """w) host 2's bgpd stops: host 1 forgets 10.2.0.0/24 within
    WITHDRAW_DEADLINE (kernel, and nfvd's show routes)."""
    prefix = SUBNET[200] + ".0/24"
    t0 = time.monotonic()
    fab.frr[2].procs["bgpd"].kill()

    def gone():
        if prefix in fab.kroutes(1):
            return False
        return linux_host(1) or prefix not in fab.nfvd_routes(1)
    nfvtest.wait_for(gone, WITHDRAW_DEADLINE, "w) host 1 to forget %s after host 2's bgpd stopped "
                     "(kernel%s)" % (prefix, "" if linux_host(1) else ", nfvd show routes"),
                     interval=0.05)
    log("w) host 2's bgpd stopped: %s gone on host 1 after %.2f s" % (prefix,
                                                                      time.monotonic() - t0))
    got, _ = ping(fab.vms["a1"].ns, fab.vms["b2"].ip, count=2, wait=1)
    check_eq(got, 0, "w) replies from b2 after its subnet was withdrawn")


def run(env):
    evpnlib.skip_without_frr()
    if MODE != "linux" and not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for nfvd's tap ports")
    t_start = time.monotonic()
    fab = Fabric(env)
    fab.underlay(csum_off_to_nfvd=MODE == "mixed")
    fab.management()
    for n in HOSTS:
        if linux_host(n):
            fab.linux_host(n)
        else:
            fab.start_nfvd(n)
    for n in HOSTS:
        if not linux_host(n):
            fab.check_nfvd_wiring(n)
    try:
        converge(env, fab)
        if MODE != "nfvd":
            check_macip(env, fab)
        check_routed(env, fab)
        check_withdraw(env, fab)
    except Fail:
        log(fab.frr_logs())
        for n in HOSTS:
            fab.dump(n, "at the failure")
            fab.dump_nfvd(n)
        raise
    if os.environ.get("NFV_TEST_VERBOSE") == "1":
        for n in HOSTS:
            fab.dump(n, "at the end")
    for n in HOSTS:
        if not linux_host(n):
            check(fab.nfvd[n].alive(), "nfvd of host %d died" % n)
    for f in list(fab.frr.values()):
        f.stop()
    for n in HOSTS:
        if not linux_host(n):
            fab.nfvd[n].stop_clean()
    log("whole run %.1f s" % (time.monotonic() - t_start))


if __name__ == "__main__":
    nfvtest.main(run, "evpn-routed-" + MODE, budget=50,
                 needs=["ip", "bridge", "ping", "vtysh", "tcpdump"])
