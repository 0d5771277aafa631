# SPDX-License-Identifier: BSD-3-Clause
"""Helpers of nfv-vmm's integration tests, on top of nfvtest (../common)."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import Fail, check, log, skip  # noqa: E402,F401


def path(env_name, what):
    p = os.environ.get(env_name)
    if not p or not os.path.exists(p):
        raise Fail("%s not set or missing (%s); run through meson" % (env_name, what))
    return p


def vmm():
    return path("NFV_VMM", "nfv-vmm")


def payload(kind=""):
    return path("NFV_VMM_PAYLOAD" + ("_" + kind.upper() if kind else ""), "test payload")


def require_kvm():
    """Skip unless /dev/kvm can create a VM (a container may hide it)."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
    except OSError as e:
        skip("KVM not usable: /dev/kvm: %s" % e.strerror)


def run_vmm(args, timeout=60, stdin=subprocess.DEVNULL):
    """Run nfv-vmm to its end; return (rc, console, log)."""
    argv = [vmm()] + list(args)
    log("run: %s" % " ".join(argv))
    try:
        cp = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=timeout, stdin=stdin)
    except subprocess.TimeoutExpired as e:
        raise Fail("nfv-vmm %s did not exit within %ss; console: %r; log: %r"
                   % (" ".join(args), timeout, e.stdout, e.stderr))
    return cp.returncode, cp.stdout, cp.stderr


def mock(env, name, *opts):
    """Start the mock vhost-user backend; return (proc, socket, log path)."""
    sock = env.path("%s.sock" % name)
    logp = env.path("%s.msgs" % name)
    p = env.spawn(name, [path("NFV_VMM_MOCK", "mock backend"), "--socket", sock, "--log", logp,
                         "--timeout", "600"] + list(opts))
    nfvtest.wait_for_socket(sock, 10)
    return p, sock, logp


def read(p):
    try:
        with open(p) as f:
            return f.read()
    except OSError:
        return ""


def expect(rc, out, err, want_rc, *needles):
    if rc != want_rc:
        raise Fail("exit %d, want %d\nconsole:\n%s\nlog:\n%s" % (rc, want_rc, out, err))
    for n in needles:
        if n not in out + err:
            raise Fail("%r not in the output\nconsole:\n%s\nlog:\n%s" % (n, out, err))


def speed_probe(iters=1000000):
    """Guest instructions per second under this KVM, measured with the
    payload's counting loop: hardware virtualization runs it in a few
    milliseconds; an emulating KVM needs seconds."""
    t = time.monotonic()
    rc, out, err = run_vmm(["--payload", payload(), "--mem", "64M", "-q",
                            "--cmdline", "test=spin iters=%d" % iters], timeout=120)
    dt = time.monotonic() - t
    if rc != 0:
        raise Fail("speed probe: exit %d: %s %s" % (rc, out, err))
    # About 3 instructions per iteration; the VMM's own start-up (~10 ms)
    # is counted against the guest, so this underestimates a fast host.
    return 3.0 * iters / dt, dt
