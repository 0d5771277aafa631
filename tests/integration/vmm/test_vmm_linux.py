#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A real Linux guest under nfv-vmm: the packaged Debian kernel with the
guest kit's initramfs brings eth0 up on a vhost-user NIC and reboots;
boot-to-init time is measured.  Only where KVM runs guests at hardware
speed: the speed probe measures it, and an emulating KVM (1-2 MIPS, where
a boot does not finish) makes the test skip with the measured rate."""

import glob
import os
import re
import subprocess
import time

import vmmtest
from vmmtest import Fail, check, log, skip

MIN_MIPS = 200.0


def run(env):
    vmmtest.require_kvm()
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        skip("no kernel in /boot (apt-get install linux-image-amd64)")
    ips, dt = vmmtest.speed_probe()
    log("speed probe: %.1f MIPS (%.3f s)" % (ips / 1e6, dt))
    if ips < MIN_MIPS * 1e6:
        skip("KVM here runs guests at %.1f MIPS (probe: 3M instructions in %.2f s), "
             "below the %d MIPS of hardware virtualization: a Linux boot would not finish"
             % (ips / 1e6, dt, MIN_MIPS))
    kver = os.path.basename(kernels[-1])[len("vmlinuz-"):]
    initrd = env.path("guest.cpio.gz")
    cp = subprocess.run([vmmtest.path("NFV_VMM_MKINITRAMFS", "mkinitramfs.sh"), "-o", initrd, "-k", kver],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if cp.returncode != 0:
        raise Fail("mkinitramfs: %s" % cp.stdout)
    _, sock, msgs = vmmtest.mock(env, "mock", "--loopback")
    t0 = time.monotonic()
    p = subprocess.Popen([vmmtest.vmm(), "--kernel", kernels[-1], "--initrd", initrd, "--mem", "256M",
                          "--net", "vhost-user=%s" % sock, "--timing",
                          "--cmdline", 'quiet nfv.ip=10.0.0.2/24 nfv.run="ip link show eth0"'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, t_init = "", None
    for line in p.stdout:
        out += line
        if t_init is None and "NFV-GUEST: init start" in line:
            t_init = time.monotonic() - t0
    p.wait(120)
    err = p.stderr.read()
    log("console:\n" + out[-3000:])
    if p.returncode != 0 or "NFV-GUEST: run rc=0" not in out:
        raise Fail("guest: exit %d\n%s\n%s" % (p.returncode, out[-3000:], err))
    check(re.search(r"eth0 mac 02:4e:46", out), "eth0 with nfv-vmm's MAC")
    check("SET_VRING_ENABLE 0 1" in vmmtest.read(msgs), "the guest driver started the rings")
    log("boot to init: %.1f ms (target 125 ms); %s" % (t_init * 1000, re.search(r"timing: .*", err).group(0)))


if __name__ == "__main__":
    vmmtest.nfvtest.main(run, name="vmm-linux", budget=280, needs=[], root=False)
