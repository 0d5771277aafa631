#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Real Linux guests under nfv-vmm: the packaged Debian kernel with the
guest kit's initramfs (linux_checks.sh, in one sequence):
  payload-poweroff  a payload halting every vCPU with interrupts off ends
                    nfv-vmm with status 0
  switch            nfvd switches a vhost-user port and a tap; the guest
                    boots, brings up eth0 and pings the tap through nfvd
  restart           nfvd restarts under the running guest; the pings
                    resume, the guest does not reboot
  poweroff          the guest's poweroff ends nfv-vmm with status 0
  lab               nfvctl lab up/down with two guests pinging each other
On a host where KVM runs guests at hardware speed (the speed probe) they
run directly (as root: netns, tap).  Elsewhere they run in the nested test
host, one QEMU TCG boot with an emulated SVM CPU (nested.py): this test
then passes or fails, and skips only where QEMU is not installed."""

import nested
import vmmtest
from vmmtest import Fail, check, log, skip

# The nested host's limit: a quiet machine needs about 2 minutes, one whose
# cores are shared with builds 3 to 4 (docs/vmm.md).
QEMU_LIMIT = 540
# A second boot for the checks that had not reported when the nested host
# stopped (nested.py, STALL_S): the lab check alone needs 30-180 s.
RERUN_LIMIT = 300


def bins():
    return {"NFV_VMM": vmmtest.vmm(), "NFVD": vmmtest.path("NFVD", "nfvd"),
            "NFVCTL": vmmtest.path("NFVCTL", "nfvctl"), "NFV_PAYLOAD": vmmtest.payload(),
            "NFV_PAYLOAD_FIRST": vmmtest.payload("first"),
            "NFV_VMM_MOCK": vmmtest.path("NFV_VMM_MOCK", "mock backend"),
            "NFV_VMM_MKINITRAMFS": vmmtest.path("NFV_VMM_MKINITRAMFS", "mkinitramfs.sh")}


def run(env):
    hw, why = nested.hw_kvm(vmmtest.vmm(), vmmtest.payload())
    try:
        if hw:
            log("%s: the checks run on this host" % why)
            vmmtest.nfvtest.require_root("the checks create a netns, a tap and nfvd")
            status, text, wall, note = nested.run_direct(env.path("direct"), bins(),
                                                         timeout=QEMU_LIMIT)
        else:
            if not nested.qemu():
                skip("no hardware KVM (%s) and no %s for the nested test host "
                     "(scripts/install-deps.sh installs qemu-system-x86)" % (why, nested.QEMU))
            log("no hardware KVM (%s): the checks run in the nested test host" % why)
            status, text, wall, note = nested.run_nested(env.dir, bins(), timeout=QEMU_LIMIT,
                                                         log=log, rerun=RERUN_LIMIT)
    except nested.Error as e:
        raise Fail(str(e))
    checks, metrics, done = nested.parse(text)
    for name, (ok, line) in checks.items():
        log("%s %s %s" % (name, "PASS" if ok else "FAIL", line))
    for m in metrics:
        if m[0] == "boot_to_init_ms":
            log("boot to init: %s ms (%s)" % (m[1], "hardware KVM, target 125 ms" if hw
                                              else "nested TCG: correctness, not speed"))
    log("%s: %.1f s" % ("checks" if hw else "nested host, boot to poweroff", wall))
    want = nested.ALL_CHECKS.split()
    bad = [n for n in want if not checks.get(n, (False,))[0]]
    if status != 0 or bad:
        raise Fail("%s%s; status %s%s\n----- %s (last lines) -----\n%s" % (
            "failed: " if bad else "", " ".join(bad), status, ("; " + note) if note else "",
            "output" if hw else "L1 console", nested.tail(text, 80)))
    check(done == 0 or hw, "the L1 init reported its status")


if __name__ == "__main__":
    vmmtest.nfvtest.main(run, name="vmm-linux", budget=QEMU_LIMIT + nested.RERUNS * RERUN_LIMIT + 60,
                         needs=[], root=False)
