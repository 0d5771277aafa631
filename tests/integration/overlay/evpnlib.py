# SPDX-License-Identifier: BSD-3-Clause
"""Helpers shared by the EVPN fabric tests of this directory
(test_evpn_fabric.py, test_evpn_routed.py): namespaces and commands, the
route reflector's FRR config, pings, a checked TCP transfer and raw
frames sent from a "VM" namespace.  Everything runs through nfvtest (PID
tracked processes, bounded waits)."""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
sys.path.insert(0, os.path.join(HERE, "..", "netlink"))
import kmirror  # noqa: E402
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

AS = 65100
RR_IP = "192.168.100.254"
BUM_TYPE = 0x88b5           # IEEE local experimental EtherType


def vtep(n):
    return "10.0.%d.2" % n


def spine_mac(n):
    return "02:5e:00:00:%02x:01" % n


def underlay_mac(n):
    return "02:5e:00:00:%02x:02" % n


def ip(ns, *argv, check_rc=True):
    return nfvtest.run(["ip", "-n", ns] + list(argv), check_rc=check_rc)


def sysctl(ns, *kv):
    kmirror.ns_run(ns, ["sysctl", "-qw"] + list(kv))


def quiet_ipv6(ns):
    """No IPv6 in a namespace: no router solicitations or MLD reports
    muddying the counts of the tests' checks."""
    sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")


def ns_exec(ns, argv):
    return ["ip", "netns", "exec", ns] + argv


def skip_without_frr():
    for d in ("zebra", "bgpd"):
        if not os.access(os.path.join(kmirror.FRR_DIR, d), os.X_OK):
            nfvtest.skip("FRR's %s missing (apt-get install frr)" % d)


def rr_conf(hosts):
    """bgpd of the route reflector: l2vpn evpn to every host."""
    nbrs = "".join(" neighbor 192.168.100.%d peer-group hosts\n" % n for n in hosts)
    return """frr defaults datacenter
hostname rr
!
router bgp %(as)d
 bgp router-id %(rr)s
 no bgp default ipv4-unicast
 timers bgp 1 3
 neighbor hosts peer-group
 neighbor hosts remote-as internal
 neighbor hosts timers connect 1
%(nbrs)s !
 address-family l2vpn evpn
  neighbor hosts activate
  neighbor hosts route-reflector-client
 exit-address-family
!
""" % {"as": AS, "rr": RR_IP, "nbrs": nbrs}


def evpn_peers_up(rr, hosts):
    """The route reflector's l2vpn evpn sessions to every host are up."""
    s = rr.show_json("show bgp l2vpn evpn summary json")
    peers = s.get("peers", {})
    return all(peers.get("192.168.100.%d" % n, {}).get("state") == "Established"
               for n in hosts)


# ethtool -K IF tx off, without ethtool (not installed everywhere):
# ETHTOOL_STXCSUM through SIOCETHTOOL (as tests/integration/ports/
# test_veth_ports.py does).
TX_OFF = r"""
import array, fcntl, socket, struct, sys
SIOCETHTOOL, ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM = 0x8946, 0x16, 0x17
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def call(cmd, data):
    buf = array.array("I", [cmd, data])
    ifr = struct.pack("16sP", sys.argv[1].encode(), buf.buffer_info()[0]) + bytes(16)
    fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
    return buf[1]
call(ETHTOOL_STXCSUM, 0)
print("tx-checksumming", "on" if call(ETHTOOL_GTXCSUM, 0) else "off")
"""


def tx_csum_off(ns, dev):
    """TX checksum offload off on dev in netns ns: a veth hands its peer
    TCP and UDP frames with the checksum left to "the hardware", also
    the inner ones of a kernel VTEP's VXLAN packets that a namespace
    forwards; an af_packet port of nfvd is not told (docs/config.md), so
    they would reach the VM with a wrong checksum."""
    out = nfvtest.run(ns_exec(ns, ["/usr/bin/python3", "-c", TX_OFF, dev])).stdout.strip()
    check_eq(out, "tx-checksumming off", "%s's TX checksum offload in %s" % (dev, ns))


# A 2 MB TCP transfer: the receiver prints its byte count and SHA-256.
TCP_RX = r"""
import hashlib, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(float(sys.argv[3]))
print("listening", flush=True)
c, _ = s.accept()
c.settimeout(float(sys.argv[3]))
h, n = hashlib.sha256(), 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b)
    n += len(b)
print("got %d %s" % (n, h.hexdigest()), flush=True)
"""
TCP_TX = r"""
import hashlib, os, socket, sys
data = os.urandom(int(sys.argv[3]))
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=float(sys.argv[4]))
c.sendall(data)
c.shutdown(socket.SHUT_WR)
c.recv(1)
print("sent %d %s" % (len(data), hashlib.sha256(data).hexdigest()), flush=True)
"""
# One raw Ethernet frame (broadcast, or a gratuitous ARP); prints the
# wall-clock time it was sent.
SEND_FRAME = r"""
import socket, struct, sys, time
dev, kind, src, arg = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3].replace(":", "")), sys.argv[4]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
if kind == "bum":
    f = b"\xff" * 6 + src + struct.pack("!H", 0x88b5) + arg.encode()
    f += b"\0" * max(0, 60 - len(f))
else:   # gratuitous ARP request for arg, from src
    a = socket.inet_aton(arg)
    f = (b"\xff" * 6 + src + struct.pack("!H", 0x0806)
         + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + src + a + b"\0" * 6 + a)
    f += b"\0" * max(0, 60 - len(f))
t = time.time()
s.send(f)
print("%.6f" % t, flush=True)
"""


def ping(ns, dst, count=3, wait=1):
    """(replies, ping's output)."""
    cp = kmirror.ns_run(ns, ["ping", "-n", "-q", "-c", str(count), "-i", "0.2", "-W", str(wait),
                             dst], timeout=count * 0.2 + wait + 10, check_rc=False)
    m = re.search(r"(\d+) received", cp.stdout)
    return int(m.group(1)) if m else 0, cp.stdout


def wait_ping(ns, dst, what, timeout=10):
    def ok():
        got, _ = ping(ns, dst, count=1, wait=1)
        return got == 1
    nfvtest.wait_for(ok, timeout, what, interval=0.1)


def tcp_transfer(env, src, dst, size=2 << 20, port=5001, tag="a)"):
    """size random bytes from VM src to VM dst (objects with .ns, .ip and
    .name) over TCP; fails unless they arrive with the same SHA-256.
    Returns the seconds it took."""
    rx = env.spawn("tcp-rx", ns_exec(dst.ns, ["/usr/bin/python3", "-c", TCP_RX, dst.ip, str(port),
                                              "20"]))
    nfvtest.wait_for(lambda: "listening" in rx.text() or not rx.alive(), 10, "the TCP receiver")
    t0 = time.monotonic()
    cp = nfvtest.run(ns_exec(src.ns, ["/usr/bin/python3", "-c", TCP_TX, dst.ip, str(port),
                                      str(size), "20"]), timeout=30, check_rc=False)
    rx.wait(20)
    dt = time.monotonic() - t0
    sent = re.search(r"sent (\d+) (\w+)", cp.stdout)
    got = re.search(r"got (\d+) (\w+)", rx.text())
    check(sent is not None, "TCP %s -> %s: the sender failed: %s" % (src.name, dst.name,
                                                                      (cp.stdout + cp.stderr)[-800:]))
    check(got is not None, "TCP %s -> %s: the receiver got nothing: %s" % (src.name, dst.name,
                                                                            rx.text()[-800:]))
    check_eq(got.groups(), sent.groups(), "TCP %s -> %s: bytes and SHA-256 received" % (src.name,
                                                                                        dst.name))
    log("%s TCP %s -> %s: %d bytes intact (sha256 %s...) in %.2f s" % (
        tag, src.name, dst.name, int(got.group(1)), got.group(2)[:16], dt))
    return dt


def send_frame(vm, kind, arg):
    """A raw frame from VM vm (.ns, .dev, .mac): kind "bum" (a broadcast
    carrying arg) or "garp" (a gratuitous ARP for arg).  Returns the
    wall-clock time it was sent."""
    cp = nfvtest.run(ns_exec(vm.ns, ["/usr/bin/python3", "-c", SEND_FRAME, vm.dev, kind, vm.mac,
                                     arg]), timeout=15)
    return float(cp.stdout.strip())


class FabricBase:
    """What both fabric tests build alike: a spine netns that routes the
    underlay (10.0.N.0/24 per host, the VTEP 10.0.N.2), a route reflector
    netns on a management bridge (192.168.100.0/24), and per host an EVPN
    netns hN-evpn.  linux_host(n) says whether host n forwards with Linux
    (the test makes hN-evpn, and the underlay veth is in it) or with nfvd
    (nfvd makes hN-evpn if missing, so the test makes it first for the
    management network; the underlay is an af_packet port on a veth in
    the root netns, self.up_if[n]).  Subclasses set self.vms."""

    def __init__(self, env, hosts, linux_host):
        self.env = env
        self.hosts = hosts
        self.is_linux = linux_host
        self.spine = env.netns("spine")
        self.rr_ns = env.netns("rr")
        self.evpn = {}
        for n in hosts:
            if linux_host(n):
                self.evpn[n] = env.netns("h%d-evpn" % n)
                continue
            ns = "nfvit-%s-h%d-evpn" % (env.tag, n)
            cp = nfvtest.run(["ip", "netns", "add", ns], check_rc=False)
            if cp.returncode != 0:
                nfvtest.skip("cannot create a network namespace: %s" % cp.stderr.strip())
            env.netns_list.append(ns)
            self.evpn[n] = ns
        self.vms = {}
        self.frr = {}
        self.nfvd = {}
        self.up_if = {}

    def underlay(self, csum_off_to_nfvd=False):
        """csum_off_to_nfvd: TX checksum offload off on the spine's veths
        toward nfvd hosts, so that a Linux VTEP's inner TCP checksum left
        to the egress is filled before nfvd's af_packet port gets it."""
        sp = self.spine
        quiet_ipv6(sp)
        ip(sp, "link", "set", "lo", "up")
        sysctl(sp, "net.ipv4.ip_forward=1")
        for n in self.hosts:
            spif = "s%d" % n
            if self.is_linux(n):
                ns = self.evpn[n]
                ip(sp, "link", "add", spif, "type", "veth", "peer", "underlay", "netns", ns)
                ip(ns, "link", "set", "underlay", "address", underlay_mac(n))
                ip(ns, "addr", "add", vtep(n) + "/24", "dev", "underlay")
                ip(ns, "link", "set", "underlay", "up")
            else:
                dev = self.env.ifname("u%d" % n)
                nfvtest.run(["ip", "link", "add", dev, "type", "veth", "peer", spif, "netns", sp])
                self.env.on_cleanup(lambda d=dev: nfvtest.run(["ip", "link", "del", d],
                                                               check_rc=False))
                nfvtest.run(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % dev])
                nfvtest.run(["ip", "link", "set", dev, "address", underlay_mac(n), "up"])
                self.up_if[n] = dev
            ip(sp, "link", "set", spif, "address", spine_mac(n))
            ip(sp, "addr", "add", "10.0.%d.1/24" % n, "dev", spif)
            ip(sp, "link", "set", spif, "up")
            if self.is_linux(n):
                ip(self.evpn[n], "route", "add", "10.0.0.0/16", "via", "10.0.%d.1" % n)
            elif csum_off_to_nfvd:
                tx_csum_off(sp, spif)

    def management(self):
        rr = self.rr_ns
        quiet_ipv6(rr)
        ip(rr, "link", "set", "lo", "up")
        ip(rr, "link", "add", "mgmt", "type", "bridge")
        ip(rr, "addr", "add", RR_IP + "/24", "dev", "mgmt")
        ip(rr, "link", "set", "mgmt", "up")
        for n in self.hosts:
            ns = self.evpn[n]
            quiet_ipv6(ns)
            ip(ns, "link", "set", "lo", "up")
            ip(rr, "link", "add", "m%d" % n, "master", "mgmt", "type", "veth", "peer", "mgmt",
               "netns", ns)
            ip(rr, "link", "set", "m%d" % n, "up")
            ip(ns, "addr", "add", "192.168.100.%d/24" % n, "dev", "mgmt")
            ip(ns, "link", "set", "mgmt", "up")
            if not self.is_linux(n):
                # Next-hop tracking only: bgpd installs a remote VTEP's
                # routes when zebra resolves its address (nfvd, not
                # hN-evpn, has the underlay).
                ip(ns, "route", "add", "10.0.0.0/16", "via", RR_IP)

    def start_host_nfvd(self, n, config, memory, key, what):
        """Start host n's nfvd with config (ports, vnfs, links) and wait
        for its VMs' taps; a refused `key` is reported as `what` missing."""
        ports, vnfs, links = config
        # Several nfvds and FRR daemons share the machine: workers sleep
        # when idle instead of spinning a core each.
        d = self.env.nfvd(ports=ports, vnfs=vnfs, links=links, name="nfvd-h%d" % n,
                          dataplane={"memory": memory, "idle": "sleep",
                                     "idle_sleep_max_us": 500})
        try:
            d.start(timeout=30)
        except nfvtest.Fail:
            m = re.search(r"[^\n]*%s[^\n]*" % key, d.log_text())
            if m:
                raise nfvtest.Fail("nfvd of host %d refuses %s (%s not in this nfvd): %s"
                                   % (n, key, what, m.group(0).strip()))
            raise
        self.nfvd[n] = d
        for vm in self.vms.values():
            if vm.host == n:
                nfvtest.wait_for(lambda v=vm: ip(v.ns, "link", "show", v.dev,
                                                 check_rc=False).returncode == 0,
                                 10, "tap %s in %s" % (vm.dev, vm.ns))
        return d
