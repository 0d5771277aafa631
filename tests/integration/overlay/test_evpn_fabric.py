#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Three hosts on one machine, one BGP-EVPN fabric (issue 14, item 3;
docs/overlay.md, "Three hosts on one machine").

                          spine (netns, IP forwarding)
            10.0.1.1 /        10.0.2.1 |        \\ 10.0.3.1
     underlay 10.0.1.2         10.0.2.2            10.0.3.2   (VTEPs)
        host 1                  host 2               host 3
     a1 (VNI 100)            a2 (VNI 100)          a3 (VNI 100), m3 (spare)
     b1 (VNI 200)            b2 (VNI 200)
     h1-evpn: zebra+bgpd     h2-evpn: zebra+bgpd   h3-evpn: zebra+bgpd
            \\ 192.168.100.1     | .2               / .3
                    rr (bgpd only, route reflector, 192.168.100.254)

Every "VM" is a network namespace; a1..a3 and b1, b2 share the subnet
10.64.0.0/24, so only the overlay keeps VNI 100 and VNI 200 apart.  Each
host's FRR (zebra and bgpd, `advertise-all-vni`, iBGP l2vpn evpn to the
route reflector) runs in netns hN-evpn over a management network of its
own (192.168.100.0/24); the route reflector runs bgpd alone.

Three modes, one script (three meson tests):
  --linux   Linux forwards (step 1, the baseline): in hN-evpn the test
            makes bridge brV, kernel vxlanV (local 10.0.N.2) and plugs the
            VMs' veths into the bridges; the underlay veth is in hN-evpn.
            A failure here is FRR's or the harness's, not nfvd's.
  default   nfvd forwards: one nfvd per host with a tap port per VM (moved
            into the VM's netns), an l2switch per VNI, a vxlan VNF with
            `evpn: {netns: hN-evpn}` and its underlay on an af_packet port
            (a veth whose peer is in the spine).  nfvd makes brV, vxlanV
            and nfvV in hN-evpn, mirrors what zebra installs and writes
            the VMs' MACs back for zebra to advertise.  hN-evpn has no
            underlay of its own: a route to 10.0.0.0/16 over the management
            network lets zebra's next-hop tracking resolve the other VTEPs
            (the route reflector, which does not forward, is its gateway).
  --static  nfvd forwards as above, but with the other hosts' VTEPs in
            its config (vteps:) and no FRR: checks a, b and e only, so that
            a failure of the default mode is told apart as the data plane's
            or the EVPN wiring's.

Checks (each with a bounded wait and a message that says what failed):
  a) a1 <-> a2, a1 <-> a3, b1 <-> b2 ping; 2 MB over TCP a1 -> a3 arrive
     with the same SHA-256;
  b) a1 cannot reach b2 (same subnet, other VNI): no reply, and (nfvd)
     no frame reaches a VNI 200 port meanwhile;
  e) a broadcast with a unique payload from a1 reaches a2 and a3 exactly
     once, and neither b1 nor b2;
  c) a1 moves to host 3 (its tap down on host 1; with --linux it falls
     silent with its port up instead, see check_c; the same MAC and IP up
     on m3):
     a2 reaches it again within 1 s of its first frame on host 3 (the time
     is printed), and host 2's zebra has the MAC at VTEP 10.0.3.2 with a
     MAC mobility sequence number of at least 1 when host 3 still knew it
     as remote when it moved, host 1's zebra (and nfvd's FDBs) too, still
     1.5 s later;
  d) host 3 stops (its bgpd, and nfvd, SIGKILL): hosts 1 and 2 forget its
     VTEP and MACs within 10 s (zebra, the kernel FDB, and nfvd's
     `show vtep` / `show fdb`).
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
from evpnlib import (AS, BUM_TYPE, RR_IP, ip, ns_exec, ping, quiet_ipv6, send_frame,  # noqa: E402
                     spine_mac, tcp_transfer, underlay_mac, vtep, wait_ping)
import kmirror  # noqa: E402
import nfvtest  # noqa: E402
from nfvtest import Fail, check, check_eq, log  # noqa: E402

LINUX = "--linux" in sys.argv    # Linux bridges and vxlan devices forward
# --static: nfvd with the VTEPs in its config and no FRR (checks a, b, e):
# the data plane of the fabric without EVPN, to tell the two apart.
STATIC = "--static" in sys.argv and not LINUX
HOSTS = (1, 2, 3)
# name: (host, vni, mac, ip); m3 is the spare slot a1 moves into.
VMS = {
    "a1": (1, 100, "02:00:00:64:00:01", "10.64.0.1"),
    "a2": (2, 100, "02:00:00:64:00:02", "10.64.0.2"),
    "a3": (3, 100, "02:00:00:64:00:03", "10.64.0.3"),
    "b1": (1, 200, "02:00:00:c8:00:01", "10.64.0.11"),
    "b2": (2, 200, "02:00:00:c8:00:02", "10.64.0.12"),
    "m3": (3, 100, None, None),
}
VM_MTU = 1450               # 1500 on the underlay minus 50 of VXLAN over IPv4
MOVE_DEADLINE = 1.0         # issue 14: reachable again within 1 s
WITHDRAW_DEADLINE = 10.0


def host_vnis(n):
    return sorted({v[1] for v in VMS.values() if v[0] == n})


def host_conf(n):
    return """frr defaults datacenter
hostname h%(n)d
!
router bgp %(as)d
 bgp router-id 192.168.100.%(n)d
 no bgp default ipv4-unicast
 timers bgp 1 3
 neighbor %(rr)s remote-as internal
 neighbor %(rr)s timers connect 1
 !
 address-family l2vpn evpn
  neighbor %(rr)s activate
  advertise-all-vni
 exit-address-family
!
""" % {"n": n, "as": AS, "rr": RR_IP}


class Vm:
    def __init__(self, env, name):
        self.name = name
        self.host, self.vni, self.mac, self.ip = VMS[name]
        self.ns = env.netns("vm" + name)
        self.dev = "eth0" if LINUX else env.ifname(name)
        quiet_ipv6(self.ns)
        ip(self.ns, "link", "set", "lo", "up")

    def configure(self, mac=None, addr=None):
        """The VM's side: MAC, MTU, address, up."""
        mac = mac or self.mac
        addr = addr or self.ip
        ip(self.ns, "link", "set", self.dev, "address", mac, "mtu", str(VM_MTU))
        ip(self.ns, "addr", "add", addr + "/24", "dev", self.dev)
        ip(self.ns, "link", "set", self.dev, "up")
        self.mac, self.ip = mac, addr


class Fabric(evpnlib.FabricBase):
    """The namespaces, veths and FRR of one run; everything is named after
    the test's PID (nfvtest's Env) and removed by Env.cleanup."""

    def __init__(self, env):
        super().__init__(env, HOSTS, lambda n: LINUX)
        self.vms = {name: Vm(env, name) for name in VMS}

    def kernel_bridges(self):
        """Step 1: what nfvd's EVPN wiring makes, made by hand, with the
        VMs' veths where nfvd's nfvV would be."""
        for n in HOSTS:
            ns = self.evpn[n]
            for v in host_vnis(n):
                ip(ns, "link", "add", "br%d" % v, "type", "bridge")
                ip(ns, "link", "set", "br%d" % v, "addrgenmode", "none")
                ip(ns, "link", "add", "vxlan%d" % v, "type", "vxlan", "id", str(v), "local",
                   vtep(n), "dstport", "4789", "nolearning")
                ip(ns, "link", "set", "vxlan%d" % v, "master", "br%d" % v, "mtu", str(VM_MTU),
                   "addrgenmode", "none")
                ip(ns, "link", "set", "vxlan%d" % v, "up")
                ip(ns, "link", "set", "br%d" % v, "up")
        for vm in self.vms.values():
            if vm.mac:      # m3 is plugged in when a1 moves there
                self.plug_kernel(vm)
                vm.configure()

    def plug_kernel(self, vm):
        ns = self.evpn[vm.host]
        ip(vm.ns, "link", "add", vm.dev, "type", "veth", "peer", "v" + vm.name, "netns", ns)
        ip(ns, "link", "set", "v" + vm.name, "master", "br%d" % vm.vni, "mtu", str(VM_MTU), "up")

    def nfvd_config(self, n):
        vms = [vm for vm in self.vms.values() if vm.host == n]
        ports = [{"name": vm.name, "type": "tap", "ifname": vm.dev, "netns": vm.ns} for vm in vms]
        ports.append({"name": "up", "type": "af_packet", "ifname": self.up_if[n]})
        vnis = host_vnis(n)
        vnfs, links = [], []
        for v in vnis:
            mine = [vm.name for vm in vms if vm.vni == v]
            vnfs.append({"name": "sw%d" % v, "type": "l2switch",
                         "ifaces": [{"name": m} for m in mine] + [{"name": "vx"}]})
            links += [[m, "sw%d.%s" % (v, m)] for m in mine]
            links.append(["sw%d.vx" % v, "vx.seg%d" % v])
        vnfs.append({"name": "vx", "type": "vxlan",
                     "ifaces": [{"name": "underlay"}] + [{"name": "seg%d" % v, "vni": v} for v in vnis],
                     "local": [vtep(n)], "mac": underlay_mac(n), "nexthop_mac": spine_mac(n),
                     "mtu": 1500})
        if STATIC:
            vnfs[-1]["vteps"] = [{"ip": vtep(m), "vnis": [v for v in vnis if v in host_vnis(m)]}
                                 for m in HOSTS if m != n and set(vnis) & set(host_vnis(m))]
        else:
            vnfs[-1]["evpn"] = {"netns": self.evpn[n]}
        links.append(["vx.underlay", "up"])
        return ports, vnfs, links

    def start_nfvd(self, n):
        return self.start_host_nfvd(n, self.nfvd_config(n), 128, "evpn",
                                    "issue 14 item 2")

    def check_nfvd_wiring(self, n):
        """What the EVPN contract says nfvd makes in hN-evpn."""
        ns = self.evpn[n]
        for v in host_vnis(n):
            def made(v=v):
                cp = ip(ns, "-j", "-d", "link", "show", check_rc=False)
                if cp.returncode != 0 or not cp.stdout.strip():
                    return False
                links = {l["ifname"]: l for l in json.loads(cp.stdout)}
                return all(x in links for x in ("br%d" % v, "vxlan%d" % v, "nfv%d" % v)) and links
            links = nfvtest.wait_for(made, 10, "nfvd to make br%d, vxlan%d and nfv%d in %s "
                                     "(the EVPN wiring)" % (v, v, v, ns))
            vx = links["vxlan%d" % v]
            info = vx.get("linkinfo", {}).get("info_data", {})
            check_eq(info.get("id"), v, "vxlan%d's VNI" % v)
            check_eq(info.get("local"), vtep(n), "vxlan%d's local address" % v)
            check_eq(vx.get("master"), "br%d" % v, "vxlan%d's bridge" % v)
            check_eq(links["nfv%d" % v].get("master"), "br%d" % v, "nfv%d's bridge" % v)

    def start_frr(self):
        self.frr["rr"] = kmirror.Frr(self.env, self.rr_ns, "rr", daemons=("bgpd",)).start(
            evpnlib.rr_conf(HOSTS))
        for n in HOSTS:
            self.frr[n] = kmirror.Frr(self.env, self.evpn[n], "h%d" % n,
                                      daemons=("zebra", "bgpd")).start(host_conf(n))

    def dump_state(self):
        """What each host holds, for a failure's post-mortem: zebra's
        VTEPs, the bridge FDB (remote entries on vxlanV, and nfvd's local
        MACs on nfvV), nfvd's VTEPs and FDB."""
        for n in HOSTS:
            if n not in self.frr:
                continue
            for v in host_vnis(n):
                try:
                    log("host %d VNI %d: zebra VTEPs %s, kernel fdb on vxlan%d %s" % (
                        n, v, sorted(self.zebra_vteps(n, v)), v, sorted(self.kernel_fdb(n, v))))
                    cp = nfvtest.run(["bridge", "-n", self.evpn[n], "fdb", "show", "br",
                                      "br%d" % v], check_rc=False)
                    log("host %d: bridge fdb show br br%d:\n  %s" % (
                        n, v, "\n  ".join(l for l in cp.stdout.splitlines()
                                          if "permanent" not in l)))
                except Fail as e:
                    log("host %d VNI %d: %s" % (n, v, e))
            if n in self.nfvd and self.nfvd[n].alive():
                for what in ("vtep", "fdb"):
                    try:
                        log("host %d: nfvctl show %s: %s" % (n, what, json.dumps(
                            self.nfvd[n].nfvctl("show", what, "vx"))))
                    except Fail as e:
                        log("host %d: show %s: %s" % (n, what, e))

    def frr_logs(self):
        return "\n".join("FRR %s:\n%s" % (k, f.logs()) for k, f in self.frr.items())

    # --- what zebra, the kernel and nfvd hold -----------------------------
    def evpn_peers_up(self):
        return evpnlib.evpn_peers_up(self.frr["rr"], HOSTS)

    def zebra_vteps(self, n, v):
        """The remote VTEPs zebra of host n has for VNI v.  FRR 8.4 lists
        them under "numRemoteVteps" (a list, despite the name; later
        versions: "remoteVteps")."""
        j = self.frr[n].show_json("show evpn vni %d json" % v)
        for key in ("remoteVteps", "numRemoteVteps"):
            rv = j.get(key)
            if isinstance(rv, list):
                return {r.get("ip") if isinstance(r, dict) else r for r in rv}
        return set()

    def zebra_mac(self, n, v, mac):
        j = self.frr[n].show_json("show evpn mac vni %d mac %s json" % (v, mac))
        return j.get(mac) or (j if j.get("type") else None)

    def kernel_fdb(self, n, v):
        """Bridge FDB entries on vxlanV in hN-evpn: {(mac, dst)}."""
        cp = ip(self.evpn[n], "-j", "link", "show", "vxlan%d" % v, check_rc=False)
        if cp.returncode != 0:
            return set()
        out = nfvtest.run(["bridge", "-n", self.evpn[n], "-j", "fdb", "show", "dev",
                           "vxlan%d" % v]).stdout
        return {(e.get("mac"), e.get("dst")) for e in json.loads(out or "[]") if e.get("dst")}

    def converged(self):
        """Every host's zebra, kernel (and nfvd) has every other host's
        VTEP for each VNI they share, and every VM's MAC."""
        for n in HOSTS:
            if n not in self.frr:
                continue
            for v in host_vnis(n):
                want = {vtep(m) for m in HOSTS if m != n and v in host_vnis(m) and m in self.frr}
                if not want <= self.zebra_vteps(n, v):
                    return False
                fdb = self.kernel_fdb(n, v)
                if not {("00:00:00:00:00:00", t) for t in want} <= fdb:
                    return False
                macs = {(vm.mac, vtep(vm.host)) for vm in self.vms.values()
                        if vm.vni == v and vm.host != n and vm.mac and vm.host in self.frr}
                if not macs <= fdb:
                    return False
                if not LINUX:
                    if not want <= self.nfvd_vteps(n).get(v, set()):
                        return False
                    if not macs <= self.nfvd_fdb(n, v):
                        return False
        return True

    def nfvd_vteps(self, n):
        """{vni: {vtep}} from nfvd's show vtep."""
        rows = self.nfvd[n].nfvctl("show", "vtep", "vx")
        out = {}
        for r in rows:
            vnis = r.get("vnis", [])
            if isinstance(vnis, str):
                vnis = [int(x) for x in re.findall(r"\d+", vnis)]
            for v in vnis:
                out.setdefault(int(v), set()).add(r["vtep"])
        return out

    def nfvd_fdb(self, n, v):
        rows = self.nfvd[n].nfvctl("show", "fdb", "vx")
        return {(r["mac"].lower(), r["vtep"]) for r in rows if int(r["vni"]) == v}

    def counters(self, n, vnf):
        return self.nfvd[n].nfvctl("show", "vnf", vnf)["counters"]


class Sniffer:
    """tcpdump in a VM's netns, counting frames of one EtherType that carry
    a token (its -A dump prints one line per frame with the payload)."""

    def __init__(self, env, vm, token):
        self.vm = vm
        self.token = token
        self.proc = env.spawn("tcpdump-" + vm.name, ns_exec(vm.ns, [
            "tcpdump", "-i", vm.dev, "-nn", "-l", "-A", "-Q", "in", "-U",
            "ether proto 0x%04x" % BUM_TYPE]))
        nfvtest.wait_for(lambda: "listening on" in self.proc.text() or not self.proc.alive(), 10,
                         "tcpdump in %s" % vm.ns)
        check(self.proc.alive(), "tcpdump in %s died: %s" % (vm.ns, self.proc.text()[-500:]))

    def count(self):
        """Frames seen: a header line (it starts with the time) and the
        dump below it, which holds the token once or twice."""
        self.proc.stop(signal.SIGINT, 5)
        frames = re.split(r"^(?=\d\d:\d\d:\d\d\.\d+ )", self.proc.text(), flags=re.M)
        return sum(1 for f in frames if self.token in f)


def check_b(env, fab):
    a1, b2 = fab.vms["a1"], fab.vms["b2"]
    before = None
    if not LINUX:
        before = {n: fab.nfvd[n].ports() for n in (1, 2)}
    kmirror.ns_run(a1.ns, ["ip", "neigh", "flush", "all"], check_rc=False)
    got, out = ping(a1.ns, b2.ip, count=3, wait=1)
    check_eq(got, 0, "b) a1 (VNI 100) -> b2's %s (VNI 200): replies" % b2.ip)
    if not LINUX:
        for n in (1, 2):
            after = fab.nfvd[n].ports()
            for name in ("b1", "b2"):
                if name in after:
                    d = after[name]["tx_packets"] - before[n][name]["tx_packets"]
                    check_eq(d, 0, "b) frames nfvd of host %d sent to VNI 200 VM %s while a1 "
                             "probed b2" % (n, name))
        c = fab.counters(2, "vx")
        log("b) host 2 vx counters: %s" % {k: v for k, v in c.items() if v})
    log("b) a1 -> b2 (same subnet, other VNI): no reply, nothing delivered into VNI 200")


def check_e(env, fab):
    token = "nfvdbum%s" % env.tag
    snif = {name: Sniffer(env, fab.vms[name], token) for name in ("a2", "a3", "b1", "b2")}
    send_frame(fab.vms["a1"], "bum", token)
    time.sleep(1.0)
    got = {name: s.count() for name, s in snif.items()}
    log("e) broadcast from a1 seen: %s" % got)
    check(got["a2"] == 1 and got["a3"] == 1 and got["b1"] == 0 and got["b2"] == 0,
          "e) a broadcast from a1 (VNI 100) must reach a2 and a3 exactly once and b1, b2 never; "
          "got %s" % got)


def check_c(env, fab):
    a1, m3, a2 = fab.vms["a1"], fab.vms["m3"], fab.vms["a2"]
    mac, addr = a1.mac, a1.ip
    was_remote_on_h3 = fab.zebra_mac(3, 100, mac)
    log("c) before the move, host 3's zebra: %s" % json.dumps(was_remote_on_h3))
    # Tear down on host 1.  The kernel bridge flushes a port's entries
    # when it goes down, and host 1 would withdraw the MAC before host 3
    # learns it (a fresh MAC, sequence 0); so in the kernel baseline a1
    # falls silent with its port up, as a paused VM's does, and host 1
    # keeps advertising it until host 3's higher sequence wins.
    if LINUX:
        ip(a1.ns, "addr", "flush", "dev", a1.dev)
        ip(a1.ns, "link", "set", a1.dev, "arp", "off")
    else:
        ip(a1.ns, "link", "set", a1.dev, "down")
        ip(a1.ns, "addr", "flush", "dev", a1.dev)
    # a2 pings the moving address every 10 ms, printing wall-clock times.
    pinger = env.spawn("pinger", ns_exec(a2.ns, ["ping", "-n", "-D", "-i", "0.01", "-W", "1",
                                                 "-w", "8", addr]))
    time.sleep(0.3)
    remote_before = fab.zebra_mac(3, 100, mac)
    if LINUX:
        fab.plug_kernel(m3)
    m3.configure(mac=mac, addr=addr)
    t0 = send_frame(m3, "garp", addr)

    def replied():
        for m in re.finditer(r"^\[(\d+\.\d+)\] \d+ bytes from", pinger.text(), re.M):
            if float(m.group(1)) >= t0:
                return float(m.group(1))
        return None
    try:
        t1 = nfvtest.wait_for(replied, 5, "c) a2 to reach %s again on host 3" % addr, interval=0.02)
    finally:
        pinger.stop(signal.SIGINT, 5)
    dt = t1 - t0
    log("c) a1's MAC moved to host 3: a2 reached it %.3f s after its first frame there" % dt)
    check(dt <= MOVE_DEADLINE, "c) a2 reached the moved VM %.3f s after its first frame on host 3 "
          "(want <= %.1f s)" % (dt, MOVE_DEADLINE))

    def at_h3():
        e = fab.zebra_mac(2, 100, mac)
        return e if e and e.get("remoteVtep") == vtep(3) else None
    e2 = nfvtest.wait_for(at_h3, 5, "c) host 2's zebra to have %s at VTEP %s" % (mac, vtep(3)))
    e3 = fab.zebra_mac(3, 100, mac) or {}

    def h1_gave_up():
        e = fab.zebra_mac(1, 100, mac)
        return e if e and e.get("type") == "remote" and e.get("remoteVtep") == vtep(3) else None
    e1 = nfvtest.wait_for(h1_gave_up, 5, "c) host 1's zebra to have %s as remote at VTEP %s"
                          % (mac, vtep(3)))
    log("c) host 1's zebra: %s" % json.dumps(e1))
    seq = int(e2.get("remoteSequence", e2.get("remoteSeq", 0)) or 0)
    log("c) host 2's zebra: %s" % json.dumps(e2))
    log("c) host 3's zebra: %s" % json.dumps(e3))
    if remote_before and remote_before.get("type") == "remote":
        check(seq >= 1, "c) %s moved while host 3 knew it as remote (%s), but host 2 has MAC "
              "mobility sequence %d (want >= 1)" % (mac, json.dumps(remote_before), seq))
        log("c) MAC mobility sequence number %d at host 2" % seq)
    else:
        log("c) host 1 withdrew %s before it came up on host 3 (sequence %d: a fresh MAC, no "
            "mobility to number)" % (mac, seq))
    # Settled, not flapping: a host that still believed the MAC local (an
    # old entry written back into its bridge) would advertise it again
    # with a higher sequence, and zebra would count a duplicate.
    time.sleep(1.5)
    for n in (1, 2):
        e = fab.zebra_mac(n, 100, mac) or {}
        check(e.get("type") == "remote" and e.get("remoteVtep") == vtep(3),
              "c) 1.5 s after the move host %d's zebra has %s: %s (want remote at %s)"
              % (n, mac, json.dumps(e), vtep(3)))
    e3 = fab.zebra_mac(3, 100, mac) or {}
    check(e3.get("type") == "local" and not e3.get("isDuplicate"),
          "c) 1.5 s after the move host 3's zebra has %s: %s (want local, not a duplicate)"
          % (mac, json.dumps(e3)))
    # One frame for the others: a3 (local to m3 now) too.
    wait_ping(fab.vms["a3"].ns, addr, "c) a3 to reach the moved VM on its own host", 5)
    if not LINUX:
        # Host 1 too: it had the MAC as its own (the VM's tap), and must
        # now send it to host 3 like everyone else.
        for n in (2, 1):
            nfvtest.wait_for(lambda n=n: (mac, vtep(3)) in fab.nfvd_fdb(n, 100), 2,
                             "c) nfvd of host %d: fdb %s -> %s" % (n, mac, vtep(3)))


def check_d(env, fab):
    t0 = time.monotonic()
    fab.frr[3].procs["bgpd"].kill()
    if not LINUX:
        fab.nfvd[3].proc.kill()
    gone = vtep(3)

    def withdrawn():
        for n in (1, 2):
            if gone in fab.zebra_vteps(n, 100):
                return False
            if any(d == gone for _, d in fab.kernel_fdb(n, 100)):
                return False
            if not LINUX:
                # Not only off the flood list: a VTEP row left behind by
                # every host that ever left would fill the VTEP table.
                if any(r["vtep"] == gone for r in fab.nfvd[n].nfvctl("show", "vtep", "vx")):
                    return False
                if any(t == gone for _, t in fab.nfvd_fdb(n, 100)):
                    return False
        return True
    try:
        nfvtest.wait_for(withdrawn, WITHDRAW_DEADLINE, "d) hosts 1 and 2 to forget VTEP %s and its "
                         "MACs (zebra, kernel FDB%s)" % (gone, "" if LINUX else
                                                          ", nfvd show vtep/show fdb"),
                         interval=0.05)
    except Fail:
        del fab.frr[3]      # its bgpd is gone: nothing to ask
        raise
    log("d) host 3 stopped: withdrawn everywhere after %.2f s" % (time.monotonic() - t0))
    got, _ = ping(fab.vms["a2"].ns, fab.vms["a3"].ip, count=2, wait=1)
    check_eq(got, 0, "d) replies from a3 after host 3 stopped")


def run_static(env, fab, t_start):
    a1, a2, a3, b1, b2 = (fab.vms[k] for k in ("a1", "a2", "a3", "b1", "b2"))
    for src, dst in ((a1, a2), (a1, a3), (a2, a3), (b1, b2)):
        wait_ping(src.ns, dst.ip, "a) %s -> %s (%s, VNI %d)" % (src.name, dst.name, dst.ip, dst.vni))
    log("a) pings across hosts: a1-a2, a1-a3, a2-a3 (VNI 100), b1-b2 (VNI 200)")
    tcp_transfer(env, a1, a3)
    check_b(env, fab)
    check_e(env, fab)
    for n in HOSTS:
        log("host %d vx: %s" % (n, {k: v for k, v in fab.counters(n, "vx").items() if v}))
        fab.nfvd[n].stop_clean()
    log("whole run %.1f s" % (time.monotonic() - t_start))


def run(env):
    for d in ("zebra", "bgpd"):
        if not os.access(os.path.join(kmirror.FRR_DIR, d), os.X_OK):
            nfvtest.skip("FRR's %s missing (apt-get install frr)" % d)
    if not LINUX and not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for nfvd's tap ports")
    t_start = time.monotonic()
    fab = Fabric(env)
    fab.underlay()
    fab.management()
    if LINUX:
        fab.kernel_bridges()
    else:
        for n in HOSTS:
            fab.start_nfvd(n)
        for vm in fab.vms.values():
            if vm.mac:
                vm.configure()
        if STATIC:
            return run_static(env, fab, t_start)
        for n in HOSTS:
            fab.check_nfvd_wiring(n)
    fab.start_frr()
    t0 = time.monotonic()
    try:
        nfvtest.wait_for(fab.evpn_peers_up, 30, "the route reflector's three l2vpn evpn sessions",
                         interval=0.2)
        log("EVPN sessions up after %.1f s" % (time.monotonic() - t0))
        # The VMs speak once so that their MACs are learned and advertised.
        for vm in fab.vms.values():
            if vm.mac:
                send_frame(vm, "garp", vm.ip)
        nfvtest.wait_for(fab.converged, 30, "every host's zebra, kernel FDB%s to hold the other "
                         "hosts' VTEPs and MACs" % ("" if LINUX else " and nfvd"), interval=0.2)
    except Fail:
        log(fab.frr_logs())
        fab.dump_state()
        raise
    log("converged after %.1f s" % (time.monotonic() - t0))
    for n in HOSTS:
        log("host %d: %s" % (n, fab.frr[n].vtysh("-c", "show evpn mac vni all").strip()
                             .replace("\n", "\n      ")))

    a1, a2, a3, b1, b2 = (fab.vms[k] for k in ("a1", "a2", "a3", "b1", "b2"))
    try:
        for src, dst in ((a1, a2), (a1, a3), (a2, a3), (b1, b2)):
            wait_ping(src.ns, dst.ip, "a) %s -> %s (%s, VNI %d)" % (src.name, dst.name, dst.ip,
                                                                   dst.vni))
        log("a) pings across hosts: a1-a2, a1-a3, a2-a3 (VNI 100), b1-b2 (VNI 200)")
        tcp_transfer(env, a1, a3)
        check_b(env, fab)
        check_e(env, fab)
        check_c(env, fab)
        check_d(env, fab)
    except Fail:
        fab.dump_state()
        raise
    for n in (1, 2):
        if not LINUX:
            check(fab.nfvd[n].alive(), "nfvd of host %d died" % n)
    for f in list(fab.frr.values()):
        f.stop()
    if not LINUX:
        for n in (1, 2):
            fab.nfvd[n].stop_clean()
    log("whole run %.1f s" % (time.monotonic() - t_start))


if __name__ == "__main__":
    nfvtest.main(run, "evpn-fabric-" + ("linux" if LINUX else "static" if STATIC else "nfvd"),
                 budget=150,
                 needs=["ip", "bridge", "ping", "vtysh", "tcpdump"])
