#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfvd's life cycle as an operator sees it.

  - a bad config: exit 1, one line on stderr naming the file and the key,
    nothing started (no sockets, no DPDK runtime directory);
  - SIGTERM and SIGINT: exit 0, "all N mbufs back in their pool" in the
    log, vhost-user server sockets and the control socket removed;
  - a second nfvd on the same vhost-user socket refuses to start and the
    first one is unharmed;
  - nfvctl against a stopped or crashed daemon: exit 1 and a message
    naming the socket, no hang; a new nfvd takes stale sockets over.
"""
import copy
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402


def two_ports(env, tag):
    socks = [env.path("%s-%d.sock" % (tag, i)) for i in (1, 2)]
    return socks, dict(
        ports=[{"name": "vm%d" % i, "type": "vhost-user", "path": s, "mode": "server"}
               for i, s in zip((1, 2), socks)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        links=[["vm1", "sw.a"], ["vm2", "sw.b"]])


def run(env):
    # 1. Bad configs, end to end (the full matrix is in tests/unit/config).
    socks, topo = two_ports(env, "bad")
    cases = [
        ("unknown key", lambda c: c["ports"][1].update(colour="blue"), "ports[1].colour"),
        ("link to an unknown iface", lambda c: c["links"].__setitem__(1, ["vm2", "sw.z"]), "links[1]"),
        ("bad mode", lambda c: c["ports"][0].update(mode="both"), "ports[0].mode"),
        ("workers not a number", lambda c: c["dataplane"].update(workers="two"), "dataplane.workers"),
    ]
    for what, mutate, key in cases:
        bad = env.nfvd(name="bad", **copy.deepcopy(topo))
        mutate(bad.config)
        with open(bad.cfg_path, "w") as f:
            json.dump(bad.config, f, indent=2)
        cp = nfvtest.run([bad.bin, "-c", bad.cfg_path], check_rc=False, timeout=10)
        lines = cp.stderr.strip().splitlines()
        log("%s: rc %d: %s" % (what, cp.returncode, cp.stderr.strip()))
        check_eq(cp.returncode, 1, "%s: exit status" % what)
        check_eq(len(lines), 1, "%s: lines on stderr (%r)" % (what, cp.stderr))
        check(bad.cfg_path in lines[0] and key in lines[0],
              "%s: %r does not name %s and %s" % (what, lines[0], bad.cfg_path, key))
        for s in socks + [bad.sock]:
            check(not os.path.exists(s), "%s: %s was created" % (what, s))
        check(not os.path.exists("/var/run/dpdk/%s" % bad.prefix), "%s: EAL was started" % what)

    # 2. SIGTERM and SIGINT: clean shutdown.
    for sig in (signal.SIGTERM, signal.SIGINT):
        socks, topo = two_ports(env, "run")
        nfvd = env.nfvd(name="nfvd-%s" % sig.name.lower(), **topo).start()
        for s in socks:
            nfvtest.wait_for_socket(s)
        check_eq(len(nfvd.ports()), 2, "ports shown")
        t = time.monotonic()
        rc = nfvd.stop(sig, timeout=10)
        log("%s: exit %d after %.1fs" % (sig.name, rc, time.monotonic() - t))
        check_eq(rc, 0, "exit status after %s" % sig.name)
        text = nfvd.log_text()
        check("mbufs back in their pool" in text, "%s: no \"mbufs back\" line:\n%s" % (sig.name, text))
        for s in socks + [nfvd.sock]:
            check(not os.path.exists(s), "%s: %s left behind" % (sig.name, s))

        # 4. nfvctl against the stopped daemon.
        t = time.monotonic()
        cp = nfvd.nfvctl("show", "ports", json_out=False, check_rc=False, timeout=10)
        log("nfvctl vs stopped nfvd: rc %d in %.1fs: %s" % (cp.returncode, time.monotonic() - t, cp.stderr.strip()))
        check_eq(cp.returncode, 1, "nfvctl exit status against a stopped nfvd")
        check(nfvd.sock in cp.stderr, "nfvctl's message does not name the socket: %r" % cp.stderr)
        check_eq(cp.stdout, "", "nfvctl stdout against a stopped nfvd")

    # nfvctl against a crashed daemon: the socket file is still there,
    # nobody listens.
    socks, topo = two_ports(env, "crash")
    nfvd = env.nfvd(name="crashed", **topo).start()
    check_eq(nfvd.stop(signal.SIGKILL), -signal.SIGKILL, "SIGKILL")
    check(os.path.exists(nfvd.sock), "no stale control socket to test with")
    cp = nfvd.nfvctl("show", "ports", json_out=False, check_rc=False, timeout=10)
    log("nfvctl vs crashed nfvd: rc %d: %s" % (cp.returncode, cp.stderr.strip()))
    check_eq(cp.returncode, 1, "nfvctl exit status against a crashed nfvd")
    check(nfvd.sock in cp.stderr, "nfvctl's message does not name the socket: %r" % cp.stderr)
    # ... and a new nfvd on the same config takes the stale sockets over.
    nfvd.start()
    check_eq(len(nfvd.ports()), 2, "nfvd restarted over stale sockets")
    check_eq(nfvd.stop(), 0, "exit status")

    # 3. A second nfvd on a socket that is in use.
    socks, topo = two_ports(env, "dup")
    first = env.nfvd(name="first", **topo).start()
    nfvtest.wait_for_socket(socks[0])
    second = env.nfvd(name="second", **topo)
    cp = nfvtest.run([second.bin, "-c", second.cfg_path], check_rc=False, timeout=30)
    log("second nfvd: rc %d: %s" % (cp.returncode, (cp.stderr + cp.stdout).strip().splitlines()[-1:]))
    check(cp.returncode != 0, "a second nfvd started on %s" % socks[0])
    check(socks[0] in cp.stdout + cp.stderr, "the second nfvd's error does not name %s" % socks[0])
    check(first.alive() and os.path.exists(socks[0]), "the first nfvd or its socket is gone")
    check_eq(len(first.ports()), 2, "first nfvd still answers")
    check_eq(first.stop(), 0, "first nfvd exit status")


if __name__ == "__main__":
    nfvtest.main(run, "lifecycle", budget=90)
