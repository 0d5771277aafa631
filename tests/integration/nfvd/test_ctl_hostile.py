#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfvd's control socket against hostile and careless clients (issue 11).

  - 64 connections that never say a word do not lock anyone out: nfvctl
    is served, and the connection idle the longest is told why it is
    closed before it is;
  - a peer that is neither root nor nfvd's user is refused with a message,
    even on a socket whose mode was widened, and nfvctl prints that
    message (not "Broken pipe");
  - wrongly typed request arguments are errors that name the key, never
    "absent" ({"vnf": {"a": 1}} is not "every VNF", {"vnf": ["fw"]} flushes
    nothing), and a route's next hop of the other family says so;
  - nfvd is unharmed: it still answers, and stops cleanly.
The idle timeout itself is tested with a fake clock in
tests/unit/ctl/test_ctl_socket.c (30 s of real time is too long here).
"""
import json
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

NOBODY = 65534


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Blocking: a non-blocking UNIX connect fails with EAGAIN while the
    # listen backlog is full, which 64 connections in a row fill.
    s.connect(path)
    s.settimeout(10)
    return s


def request(path, req):
    """One request on a fresh connection; the parsed reply."""
    with connect(path) as s:
        s.sendall((json.dumps(req) + "\n").encode())
        line = s.makefile("rb").readline()
    check(line.endswith(b"\n"), "no reply line to %r: %r" % (req, line))
    return json.loads(line)


def expect_error(path, req, want):
    r = request(path, req)
    check(r.get("ok") is False, "%r: not an error: %r" % (req, r))
    check_eq(r.get("error"), want, "error for %s" % json.dumps(req))


def run(env):
    socks = [env.path("h%d.sock" % i) for i in (1, 2)]
    nfvd = env.nfvd(
        ports=[{"name": "vm%d" % i, "type": "vhost-user", "path": s, "mode": "server"}
               for i, s in zip((1, 2), socks)],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]},
              {"name": "fw", "type": "firewall", "ifaces": [{"name": "in"}, {"name": "out"}]},
              {"name": "rtr", "type": "router",
               "ifaces": [{"name": "lan", "address": ["10.0.0.1/24"]},
                          {"name": "wan", "address": ["192.0.2.1/24"]}]}],
        links=[["vm1", "sw.a"], ["vm2", "sw.b"]]).start()
    sock = nfvd.sock

    # 1. Typed arguments (defect 8).
    expect_error(sock, {"cmd": "show mac", "vnf": {"a": 1}},
                 "vnf: expected a string (got an object)")
    expect_error(sock, {"cmd": "mac flush", "vnf": ["fw"]},
                 "vnf: expected a string (got an array)")
    expect_error(sock, {"cmd": "show conn", "vnf": "fw", "limit": -1},
                 "limit: expected an integer 1..4294967295 (got -1)")
    expect_error(sock, {"cmd": "show routes", "vnf": "rtr", "limit": "x"},
                 "limit: expected an integer 1..4294967295 (got a string)")
    expect_error(sock, {"cmd": "show vnf", "name": 7},
                 "name: expected a string (got an integer)")
    expect_error(sock, {"cmd": "port del"}, "name: missing (required)")
    cp = nfvd.nfvctl("route", "add", "10.6.0.0/16", "via", "2001:db8::5", json_out=False,
                     check_rc=False)
    check_eq(cp.returncode, 1, "nfvctl route add with an IPv6 gateway: exit status")
    check_eq(cp.stderr.strip(), "nfvctl: via: 2001:db8::5 is IPv6 but the route's prefix "
             "10.6.0.0/16 is IPv4", "nfvctl route add with an IPv6 gateway: message")
    check(request(sock, {"cmd": "show mac", "vnf": "sw"}).get("ok") is True,
          "show mac vnf sw no longer works")

    # 2. 64 silent connections, then everyone else (defect 7).
    idle = [connect(sock) for _ in range(64)]
    # Each has been accepted once a request on a later connection is
    # answered (the server accepts in order).
    check(request(sock, {"cmd": "help"}).get("ok") is True, "help with 64 idle clients")
    t = time.monotonic()
    for _ in range(3):
        cp = nfvd.nfvctl("show", "ports", json_out=False, check_rc=False, timeout=15)
        check_eq(cp.returncode, 0, "nfvctl with 64 idle clients (%s)" % cp.stderr.strip())
    log("nfvctl served 3 times past 64 idle connections in %.2fs" % (time.monotonic() - t))
    told = 0
    readable, _, _ = select.select(idle, [], [], 2.0)
    for s in readable:
        s.settimeout(1)
        try:
            data = s.recv(4096)
        except OSError:
            continue
        if data:
            r = json.loads(data.split(b"\n")[0])
            check(r.get("ok") is False and "idle the longest" in r.get("error", ""),
                  "evicted connection got %r" % data)
            told += 1
    check(told >= 1, "no idle connection was told it was closed")
    log("%d idle connections evicted, each with a message" % told)
    for s in idle:
        s.close()

    # 3. Another user (defect 7): refused with a message nfvctl prints.
    os.chmod(sock, 0o666)
    cp = nfvtest.run(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY,
                      "--clear-groups", nfvd.ctl_bin, "-s", sock, "show", "ports"],
                     check_rc=False, timeout=15)
    log("nfvctl as uid %d: rc %d: %s" % (NOBODY, cp.returncode, cp.stderr.strip()))
    check_eq(cp.returncode, 1, "nfvctl as another user: exit status")
    check(cp.stderr.startswith("nfvctl: permission denied: uid %d may not use this socket"
                               % NOBODY), "nfvctl as another user: %r" % cp.stderr)
    check("Broken pipe" not in cp.stderr, "nfvctl printed Broken pipe")
    os.chmod(sock, 0o600)

    # 4. nfvd is fine.
    check_eq(len(nfvd.ports()), 2, "ports shown after all that")
    nfvd.stop_clean(socks)


if __name__ == "__main__":
    nfvtest.main(run, "ctl-hostile", budget=80)
