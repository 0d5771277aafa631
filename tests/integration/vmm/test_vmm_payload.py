#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfv-vmm on real KVM with tiny payloads built in the test (they run on
the emulating KVM of the build machines too): vCPU setup in long and real
mode, serial console, exit port, triple fault, i8042 reset, power-off
(every vCPU halted with interrupts disabled), SMP, PCI
scan and virtio capabilities, feature negotiation, the vhost-user setup
sequence with KVM ioeventfd kicks and a frame looped back through shared
memory, hostile register accesses, console file and SIGTERM."""

import re
import signal
import subprocess
import time

import vmmtest
from vmmtest import Fail, check, expect, log, payload, read, run_vmm

MEM = ["--mem", "64M"]


def seq_in_order(text, items, what):
    pos = 0
    for it in items:
        i = text.find(it, pos)
        if i < 0:
            raise Fail("%s: %r missing (after offset %d) in:\n%s" % (what, it, pos, text))
        pos = i + len(it)


def run(env):
    vmmtest.require_kvm()
    pay = payload()

    rc, out, err = run_vmm(["--payload", pay] + MEM + ["--timing"])
    expect(rc, out, err, 0, "NFV-PAYLOAD: hello from long mode", "timing: setup_ms=")
    log("timing: %s" % re.search(r"timing: .*", err).group(0))

    rc, out, err = run_vmm(["--payload", payload("real") + ",real"] + MEM)
    expect(rc, out, err, 42, "NFV-PAYLOAD: real mode ok")

    rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=exit code=77"] + MEM)
    expect(rc, out, err, 77, "wrote 77 to the exit port")

    rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=fault"] + MEM)
    expect(rc, out, err, 3, "NFV-PAYLOAD: ud2", "triple fault")

    rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=reset"] + MEM)
    expect(rc, out, err, 0, "NFV-PAYLOAD: i8042 reset", "guest reset (i8042)")

    rc, out, err = run_vmm(["--payload", pay, "--cpus", "3", "--cmdline", "test=smp cpus=3"] + MEM)
    expect(rc, out, err, 0, "NFV-PAYLOAD: cpus 3")

    # Power off without ACPI: every vCPU in "cli; hlt" ends nfv-vmm, 0.
    rc, out, err = run_vmm(["--payload", pay, "--cpus", "2", "--cmdline", "test=poweroff"] + MEM,
                           timeout=30)
    expect(rc, out, err, 0, "NFV-PAYLOAD: cli; hlt", "guest powered off")

    # The console in a file, nothing on stdout.
    con = env.path("console.log")
    rc, out, err = run_vmm(["--payload", pay, "--console", con] + MEM)
    expect(rc, out, err, 0)
    check(out == "" and "hello from long mode" in read(con), "console file: %r / %r" % (out, read(con)))

    # PCI: host bridge, two virtio-net NICs, capabilities, features, MAC.
    _, sock, msgs = vmmtest.mock(env, "mock1")
    _, sock2, _ = vmmtest.mock(env, "mock2")
    rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=pci"] + MEM +
                           ["--net", "vhost-user=%s,mac=02:00:00:00:00:42" % sock,
                            "--net", "vhost-user=%s" % sock2])
    expect(rc, out, err, 0, "pci 00:00.0 1b36:0008 class 060000",
           "pci 00:01.0 1af4:1041 class 020000", "pci 00:02.0 1af4:1041 class 020000",
           "virtio caps 0x3f", "mac 02:00:00:00:00:42 status 1", "pci ok")
    # VERSION_1, STATUS, MAC; no offloads by default.
    check("features 0x0000000100010020" in out, "offered features: %s" % out)

    # Multiqueue: MQ + CTRL_VQ offered, 2 pairs + control queue.
    rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=pci"] + MEM +
                           ["--net", "vhost-user=%s,queues=2" % sock])
    expect(rc, out, err, 0, "queues 5", "features 0x0000000100430020")

    # The whole vhost-user sequence, kicks through KVM ioeventfd, a frame
    # through the rings and back (the mock loops TX into RX).
    _, lsock, lmsgs = vmmtest.mock(env, "loop", "--loopback")
    rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=loopback"] + MEM +
                           ["--net", "vhost-user=%s" % lsock], timeout=120)
    expect(rc, out, err, 0, "DRIVER_OK status 0x0f", "loopback ok")
    seq_in_order(read(lmsgs), [
        "GET_FEATURES", "GET_PROTOCOL_FEATURES", "SET_PROTOCOL_FEATURES 0x9", "GET_QUEUE_NUM",
        "SET_OWNER", "SET_FEATURES 0x140000000", "SET_MEM_TABLE 1",
        "SET_VRING_NUM 0 64", "SET_VRING_BASE 0 0", "SET_VRING_ADDR 0 mapped",
        "SET_VRING_KICK 0", "SET_VRING_CALL 0",
        "SET_VRING_NUM 1 64", "SET_VRING_BASE 1 0", "SET_VRING_ADDR 1 mapped",
        "SET_VRING_KICK 1", "SET_VRING_CALL 1",
        "SET_VRING_ENABLE 0 1", "SET_VRING_ENABLE 1 1", "KICK 1", "LOOPBACK 1"], "loopback")

    # Guest RAM from hugetlb pages, shared with the backend the same way.
    if vmmtest.nfvtest.free_hugepages_mb() >= 128:
        rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=loopback", "--mem", "64M",
                                "--hugepages", "--net", "vhost-user=%s" % lsock], timeout=120)
        expect(rc, out, err, 0, "loopback ok")
    else:
        log("no free 2 MiB hugepages: --hugepages not tried")

    # Hostile accesses: logged, refused, the VMM survives.
    rc, out, err = run_vmm(["--payload", pay, "--cmdline", "test=badio"] + MEM +
                           ["--net", "vhost-user=%s" % sock], timeout=120)
    # 0x4f: NEEDS_RESET on top of what the driver set; the bad ring is
    # refused before any byte of it is touched.
    expect(rc, out, err, 0, "status after bad rings 0x4f", "survived",
           "start failed (Invalid argument), device needs a reset")

    # SIGTERM stops a running guest cleanly.
    p = subprocess.Popen([vmmtest.vmm(), "--payload", pay, "--cmdline", "test=spin iters=100000000000"] + MEM,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    try:
        out, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        raise Fail("nfv-vmm ignored SIGTERM")
    expect(p.returncode, out, err, 0, "stopped by Terminated")


if __name__ == "__main__":
    vmmtest.nfvtest.main(run, name="vmm-payload", budget=220, needs=[], root=False)
