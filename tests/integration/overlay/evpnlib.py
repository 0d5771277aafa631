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
