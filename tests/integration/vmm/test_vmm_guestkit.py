#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The guest kit: vmm/guest/mkinitramfs.sh builds, offline, an initramfs
with busybox-static and the Debian kernel's virtio-net modules in
modules.dep order, plus --extra files; its /init configures NICs from the
kernel command line.  The image boots under QEMU TCG (where installed):
two NICs, routing on, IPv4/IPv6 addresses and routes, a command whose
result is printed, then poweroff."""

import glob
import gzip
import os
import subprocess

import vmmtest
from vmmtest import Fail, check, log, skip

MODULES = ["virtio_ring", "virtio", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
           "virtio_pci", "failover", "net_failover", "virtio_net"]


def run(env):
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        skip("no kernel in /boot (apt-get install linux-image-amd64)")
    kver = os.path.basename(kernels[-1])[len("vmlinuz-"):]
    if not os.path.isdir("/lib/modules/%s" % kver):
        skip("no /lib/modules/%s" % kver)
    mk = vmmtest.path("NFV_VMM_MKINITRAMFS", "mkinitramfs.sh")
    extra = env.path("hello.txt")
    with open(extra, "w") as f:
        f.write("hello from the test\n")
    out = env.path("guest.cpio.gz")
    cp = subprocess.run([mk, "-o", out, "-k", kver, "--extra", "%s:/etc/hello.txt" % extra],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if cp.returncode != 0:
        raise Fail("mkinitramfs: %s" % cp.stdout)
    log(cp.stdout.strip())
    check("kernel: /boot/vmlinuz-%s" % kver in cp.stdout, "it names the kernel to use")

    # Contents: the module order, /init, busybox, the extra file.
    names = subprocess.run(["cpio", "-t", "--quiet"], input=gzip.open(out).read(),
                           stdout=subprocess.PIPE, check=True).stdout.decode().split()
    for n in ("init", "bin/busybox", "bin/sh", "etc/modules.order", "etc/hello.txt"):
        check(n in names, "%s in the image" % n)
    order = subprocess.run(["sh", "-c", "cpio -i --quiet --to-stdout etc/modules.order"],
                           input=gzip.open(out).read(), stdout=subprocess.PIPE, check=True
                           ).stdout.decode().split()
    mods = [m[:-3] for m in order]
    check(mods[:len(MODULES)] == MODULES, "module load order: %s" % mods)
    # The firewall role (docs/labs.md): nft, its libraries and nf_tables
    # whenever the builder has nftables.
    if vmmtest.nfvtest.which("nft"):
        check("usr/sbin/nft" in names and "lib64/ld-linux-x86-64.so.2" in names,
              "nft and its loader in the image")
        nft = [m[:-3] for m in subprocess.run(
            ["sh", "-c", "cpio -i --quiet --to-stdout etc/modules.nft"],
            input=gzip.open(out).read(), stdout=subprocess.PIPE, check=True).stdout.decode().split()]
        check("nf_tables" not in mods, "nftables modules load at boot: %s" % mods)
        check("nf_tables" in nft and "crc32c_generic" in nft and
              nft.index("crc32c_generic") < nft.index("libcrc32c") < nft.index("nf_tables"),
              "nftables modules (etc/modules.nft) in load order: %s" % nft)

    # Bad arguments.
    for args, needle in ((["-o"], "usage"), (["-o", out, "--extra", "nocolon"], "FILE:/dest"),
                         (["-o", out, "-k", "0.0-none"], "modules.dep not found")):
        cp = subprocess.run([mk] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(cp.returncode != 0 and needle in cp.stdout, "%s: %r" % (args, cp.stdout))

    qemu = vmmtest.nfvtest.which("qemu-system-x86_64")
    if not qemu:
        log("qemu-system-x86_64 not installed: the boot is not tried")
        return
    cmd = ('console=ttyS0 panic=-1 quiet nfv.fwd=route nfv.ip=10.0.2.15/24 nfv.ip1=10.1.0.1/24 '
           'nfv.ip6=2001:db8::1/64 nfv.route="10.9.0.0/16 via 10.0.2.2" '
           'nfv.run="cat /etc/hello.txt; cat /proc/sys/net/ipv4/ip_forward; ip route | grep -q 10.9.0.0/16"')
    cp = subprocess.run([qemu, "-accel", "tcg", "-m", "256", "-nographic", "-no-reboot",
                         "-kernel", kernels[-1], "-initrd", out, "-append", cmd,
                         "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
                         "-netdev", "user,id=n1", "-device", "virtio-net-pci,netdev=n1"],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=150,
                        stdin=subprocess.DEVNULL)
    con = cp.stdout.decode(errors="replace")
    for n in ("NFV-GUEST: init start", "NFV-GUEST: fwd route", "eth0 mac", "10.0.2.15/24",
              "2001:db8::1/64", "eth1 mac", "10.1.0.1/24", "hello from the test",
              "NFV-GUEST: run rc=0", "NFV-GUEST: poweroff"):
        if n not in con:
            raise Fail("%r not on the console:\n%s" % (n, con[-3000:]))
    log("QEMU boot: ok")


if __name__ == "__main__":
    vmmtest.nfvtest.main(run, name="vmm-guestkit", budget=200, needs=["cpio"], root=False)
