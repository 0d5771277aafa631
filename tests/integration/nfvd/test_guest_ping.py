#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A real Linux guest pings a host in a netns across nfvd's switch.

  QEMU (TCG) guest: the packaged Debian kernel + the busybox initramfs of
  vmm/guest/mkinitramfs.sh, virtio-net-pci on a vhost-user netdev
      |  vhost-user (nfvd is the server)
  nfvd: port vm  ->  l2switch sw  <-  port h1 (tap, kernel side moved into
      |                                the test's netns and set up by nfvd)
  netns: 10.77.0.1/24 on the tap

The guest runs `ping -c 3 10.77.0.1` (nfv.run) and powers off; the test
checks the guest's marker line "NFV-GUEST: run rc=0" on the serial
console, the replies in the ping output, the echo requests counted by the
netns's kernel, and nfvd's port counters.  QEMU 7.2 with TCG needs
vectors=0 (INTx) on virtio-net-pci: with MSI-X it crashes in
msix_set_vector_notifiers when the guest starts the device (docs/vmm.md).
"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

GUEST_MAC = "02:00:00:00:0a:02"
HOST_IP, GUEST_IP = "10.77.0.1", "10.77.0.2"
PINGS = 3


def run(env):
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        nfvtest.skip("no kernel in /boot (apt-get install linux-image-amd64)")
    if not any(os.access(b, os.X_OK) for b in ("/bin/busybox", "/usr/bin/busybox")):
        nfvtest.skip("no busybox (apt-get install busybox-static)")
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for nfvd's tap port")

    # The guest image, built offline by the guest kit.
    kit = os.path.join(nfvtest.REPO, "vmm", "guest", "mkinitramfs.sh")
    initrd = env.path("initrd.cpio.gz")
    cp = nfvtest.run(["sh", kit, "-o", initrd], timeout=60)
    m = re.search(r"^kernel: (\S+)", cp.stdout, re.M)
    check(m is not None and os.path.exists(m.group(1)), "mkinitramfs.sh named no kernel:\n%s" % cp.stdout)
    kernel = m.group(1)
    log("guest: %s + %s" % (kernel, initrd))

    ns = env.netns("h1")
    tap = env.ifname("h1")
    vm_sock = env.path("vm.sock")
    nfvd = env.nfvd(
        ports=[{"name": "vm", "type": "vhost-user", "path": vm_sock, "mode": "server"},
               {"name": "h1", "type": "tap", "ifname": tap, "netns": ns}],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        links=[["vm", "sw.a"], ["h1", "sw.b"]])
    nfvd.start()
    # nfvd moved the tap into the netns and set it up; the host's address
    # is the test's business.
    nfvtest.run(["ip", "-n", ns, "link", "set", "lo", "up"])
    nfvtest.run(["ip", "-n", ns, "addr", "add", "%s/24" % HOST_IP, "dev", tap])
    link = json.loads(nfvtest.run(["ip", "-n", ns, "-j", "link", "show", "dev", tap]).stdout)[0]
    check("UP" in link["flags"], "tap %s in %s is not up: %s" % (tap, ns, link["flags"]))

    serial = env.path("serial.log")
    cmdline = ("console=ttyS0 quiet panic=-1 nfv.ip=%s/24 nfv.wait=20 "
               'nfv.run="ping -c %d -W 3 %s" nfv.halt=poweroff' % (GUEST_IP, PINGS, HOST_IP))
    qemu = env.spawn("qemu", [
        "qemu-system-x86_64", "-accel", "tcg", "-smp", "1", "-m", "256M",
        "-machine", "pc,memory-backend=mem",
        "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
        "-chardev", "socket,id=c0,path=%s" % vm_sock,
        "-netdev", "vhost-user,id=n0,chardev=c0",
        "-device", "virtio-net-pci,netdev=n0,vectors=0,mac=%s" % GUEST_MAC,
        "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
        "-display", "none", "-serial", "file:%s" % serial, "-monitor", "none",
        "-nodefaults", "-no-reboot"])

    def serial_text():
        try:
            with open(serial, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def done():
        t = serial_text()
        if "NFV-GUEST: run rc=" in t:
            return t
        if not qemu.alive():
            raise nfvtest.Fail("QEMU exited (%s) before the guest ran its command:\n%s\n%s"
                               % (qemu.p.returncode, qemu.text()[-2000:], t[-3000:]))
        return None
    out = nfvtest.wait_for(done, 75, "the guest's \"NFV-GUEST: run rc=\" line", interval=0.5)
    log("guest console:\n" + "\n".join(l for l in out.splitlines() if "NFV-GUEST" in l or "ping" in l.lower()
                                        or "bytes from" in l or "packets" in l))
    check("NFV-GUEST: run rc=0" in out, "guest ping failed:\n%s" % out[-3000:])
    m = re.search(r"(\d+) packets transmitted, (\d+) packets received", out)
    check(m is not None, "no ping statistics on the console")
    check(int(m.group(2)) >= 1, "guest received no echo reply: %s" % m.group(0))
    check("bytes from %s" % HOST_IP in out, "no reply from %s on the console" % HOST_IP)
    nfvtest.wait_for(lambda: not qemu.alive(), 20, "the guest to power off")
    check_eq(qemu.p.returncode, 0, "QEMU exit status")

    # Host side: the netns's kernel got the echo requests, nfvd counted them.
    st = json.loads(nfvtest.run(["ip", "-n", ns, "-s", "-j", "link", "show", "dev", tap]).stdout)[0]["stats64"]
    log("netns %s: rx %d tx %d packets" % (ns, st["rx"]["packets"], st["tx"]["packets"]))
    check(st["rx"]["packets"] >= int(m.group(2)) + 1, "netns tap received only %d packets" % st["rx"]["packets"])
    ports = nfvd.ports()
    log("nfvd: %s" % {n: (p["rx_packets"], p["tx_packets"]) for n, p in ports.items()})
    received = int(m.group(2))
    # vm -> h1: ARP + echo requests; h1 -> vm: ARP reply + echo replies.
    check(ports["vm"]["rx_packets"] >= int(m.group(1)) + 1, "nfvd vm rx %d" % ports["vm"]["rx_packets"])
    check(ports["h1"]["tx_packets"] >= int(m.group(1)) + 1, "nfvd h1 tx %d" % ports["h1"]["tx_packets"])
    check(ports["h1"]["rx_packets"] >= received + 1, "nfvd h1 rx %d" % ports["h1"]["rx_packets"])
    check(ports["vm"]["tx_packets"] >= received + 1, "nfvd vm tx %d" % ports["vm"]["tx_packets"])
    macs = {e["mac"].lower(): e["iface"] for e in nfvd.nfvctl("show", "mac")}
    check_eq(macs.get(GUEST_MAC), "a", "the guest's MAC in the switch")

    check(nfvd.alive(), "nfvd died")
    nfvd.stop_clean()


if __name__ == "__main__":
    nfvtest.main(run, "guest-ping", budget=130, needs=["qemu-system-x86_64", "cpio", "gzip"])
