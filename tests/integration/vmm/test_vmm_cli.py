#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfv-vmm's command line: every bad argument gets one clear message and
the documented exit status (2: usage, 1: setup), and nothing runs."""

import glob
import os

import vmmtest
from vmmtest import Fail, expect, log, run_vmm


def kvm_ok():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def run(env):
    bad = env.path("not-a-kernel")
    with open(bad, "w") as f:
        f.write("#!/bin/sh\necho this is no bzImage\n" * 100)
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))

    cases = [
        ([], 2, "--kernel is required"),
        (["--kernel"], 2, "needs an argument"),
        (["--bogus"], 2, "unknown option --bogus"),
        (["--kernel", "/nonexistent/bzImage"], 2, "No such file or directory"),
        (["--kernel", bad], 1, "not a bzImage"),
        (["--kernel", bad, "--mem", "16M"], 2, "too little memory, the minimum is 32 MiB"),
        (["--kernel", bad, "--mem", "lots"], 2, "not a size"),
        (["--kernel", bad, "--mem", "33M", "--hugepages"], 2, "multiple of 2 MiB"),
        (["--kernel", bad, "--cpus", "0"], 2, "--cpus 0: must be 1.."),
        (["--kernel", bad, "--cpus", "999"], 2, "--cpus 999: must be 1.."),
        (["--kernel", bad, "--net", "tap=x"], 2, "unknown key 'tap'"),
        (["--kernel", bad, "--net", "mac=02:00:00:00:00:01"], 2, "vhost-user=SOCK is required"),
        (["--kernel", bad, "--net", "vhost-user=/x,mac=01:00:00:00:00:01"], 2, "not a unicast"),
        (["--kernel", bad, "--net", "vhost-user=/x,queues=9"], 2, "queues must be 1..8"),
        (["--kernel", bad, "--net", "vhost-user=/x,queue-size=100"], 2, "power of 2"),
        (["--kernel", bad, "--net", "vhost-user=/x,offload=maybe"], 2, "on or off"),
        (["--kernel", bad, "--initrd", "/nonexistent.cpio"], 2, "--initrd /nonexistent.cpio"),
        (["--payload", bad, "--kernel", bad], 2, "exclude each other"),
        (["--payload", bad + ",sideways"], 2, "real or long"),
        (["--kernel", bad, "extra"], 2, "unexpected argument 'extra'"),
    ]
    if kernels:
        cases.append((["--kernel", kernels[-1], "--mem", "32M"], 1, "too little"))
    for args, want_rc, needle in cases:
        rc, out, err = run_vmm(args, timeout=20)
        expect(rc, out, err, want_rc, needle)
        if rc == 2 and "--help" not in err:
            raise Fail("usage errors should point at --help: %r" % err)
        if out:
            raise Fail("%s: console output from a VM that should not exist: %r" % (args, out))
        log("ok: %s -> %d (%s)" % (" ".join(args) or "(none)", rc, needle))

    rc, out, err = run_vmm(["--help"])
    expect(rc, out, err, 0, "--net vhost-user=SOCK", "--kernel")
    rc, out, err = run_vmm(["--version"])
    expect(rc, out, err, 0, "nfv-vmm")

    if not kvm_ok():
        log("KVM not usable: the backend cases are skipped")
        return
    pay = vmmtest.payload()
    # A socket nobody listens on: give up after wait=1 s.
    rc, out, err = run_vmm(["--payload", pay, "--mem", "64M", "--net",
                            "vhost-user=%s,wait=1" % env.path("nobody.sock")], timeout=30)
    expect(rc, out, err, 1, "no vhost-user backend at", "within 1000 ms")
    # A backend that accepts and never answers: timeout=1 s per reply.
    _, sock, _ = vmmtest.mock(env, "silent", "--silent")
    rc, out, err = run_vmm(["--payload", pay, "--mem", "64M", "--net",
                            "vhost-user=%s,timeout=1" % sock], timeout=30)
    expect(rc, out, err, 1, "did not answer within 1000 ms")
    # A console file in a folder that does not exist.
    rc, out, err = run_vmm(["--payload", pay, "--mem", "64M", "--console", "/nonexistent/c.log"])
    expect(rc, out, err, 1, "--console /nonexistent/c.log")


if __name__ == "__main__":
    vmmtest.nfvtest.main(run, name="vmm-cli", budget=50, needs=[], root=False)
