#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile paths, files and limits against a running nfvd (issue 11).

Each case was a probe that harmed nfvd or a file before the fix:

  - `port add inj type vhost-user path "DIR/victim.txt,queues=1"`: the
    comma added a driver option and the vhost driver deleted victim.txt;
    the same path in a config passed `nfvd -t` and deleted it at start;
  - `port add` on nfvd's own control socket (by another name) removed it;
  - a vhost-user server path that is a regular file;
  - pcap rx "in.pcap,infinite_rx=1" (applied), a FIFO as rx (hung start),
    tx through a symbolic link (wrote the link's target);
  - `route add` with "file": /dev/zero (memory until the OOM killer) or a
    FIFO (blocked the control thread); routes_file: a FIFO (hung start);
  - a pcap tx path longer than 512 bytes was cut, and the cut name written;
  - `port del` of a vhost-user server whose path another program had
    bound again removed that program's socket (DPDK's driver unlinks it).

After each refusal nfvd must still answer, the files must be intact, and
an error must be one line naming what is wrong.
"""
import copy
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

SECRET = "do not delete me\n"


def request(nfvd, req, timeout=10):
    """One request on the control socket; the reply object."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(nfvd.sock)
        s.sendall((json.dumps(req) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        raise nfvtest.Fail("no reply to %r within %ss" % (req, timeout))
    finally:
        s.close()
    return json.loads(buf)


def refused(nfvd, what, args, want):
    """`nfvctl ARGS` fails with one line holding `want`; nfvd still answers."""
    t = time.monotonic()
    cp = nfvd.nfvctl(*args, json_out=False, check_rc=False, timeout=15)
    err = cp.stderr.strip()
    log("%s: rc %d in %.1fs: %s" % (what, cp.returncode, time.monotonic() - t, err))
    check(cp.returncode != 0, "%s: accepted" % what)
    check_eq(len(err.splitlines()), 1, "%s: lines of the message" % what)
    check(want in err, "%s: %r does not say %r" % (what, err, want))
    check(nfvd.alive(), "%s: nfvd died" % what)
    nfvd.ports()


def intact(path):
    with open(path) as f:
        check_eq(f.read(), SECRET, "%s content" % path)


def run(env):
    victim = env.path("x/victim.txt")
    os.makedirs(os.path.dirname(victim))
    with open(victim, "w") as f:
        f.write(SECRET)
    rx = env.path("in.pcap")
    with open(rx, "wb") as f:
        f.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
    fifo = env.path("fifo")
    os.mkfifo(fifo)
    topo = dict(
        ports=[{"name": "v0", "type": "vhost-user", "path": env.path("v0.sock")}],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": n} for n in "abcd"]},
              {"name": "rtr", "type": "router",
               "ifaces": [{"name": "lan", "address": ["10.0.0.1/24"]}]}],
        links=[["v0", "sw.a"]])

    # 1. The comma path in a config: refused by nfvd -t and nfvd -c, the
    #    victim survives, nothing starts.
    bad = env.nfvd(name="bad", **copy.deepcopy(topo))
    bad.config["ports"].append({"name": "inj", "type": "vhost-user",
                                "path": victim + ",queues=1"})
    with open(bad.cfg_path, "w") as f:
        json.dump(bad.config, f, indent=2)
    for argv in ([bad.bin, "-t", "-c", bad.cfg_path], [bad.bin, "-c", bad.cfg_path]):
        cp = nfvtest.run(argv, check_rc=False, timeout=20)
        log("%s: rc %d: %s" % (" ".join(argv[1:]), cp.returncode, cp.stderr.strip()))
        check_eq(cp.returncode, 1, "exit status of %s" % " ".join(argv[1:]))
        check_eq(len(cp.stderr.strip().splitlines()), 1, "lines on stderr")
        check("ports[1].path" in cp.stderr and "holds ','" in cp.stderr,
              "the error does not name ports[1].path and the comma: %r" % cp.stderr)
        intact(victim)
    check(not os.path.exists("/var/run/dpdk/%s" % bad.prefix), "EAL was started")

    # 2. routes_file: a FIFO stops the start with one line, at once.
    hang = env.nfvd(name="fifo", **copy.deepcopy(topo))
    hang.config["vnfs"][1]["routes_file"] = fifo
    with open(hang.cfg_path, "w") as f:
        json.dump(hang.config, f, indent=2)
    cp = nfvtest.run([hang.bin, "-c", hang.cfg_path], check_rc=False, timeout=30)
    log("routes_file FIFO: rc %d: %s" % (cp.returncode, cp.stderr.strip()))
    check_eq(cp.returncode, 1, "exit status with routes_file: a FIFO")
    check("not a regular file (a FIFO)" in cp.stderr, "no FIFO in %r" % cp.stderr)

    # 3. At run time.
    nfvd = env.nfvd(**copy.deepcopy(topo)).start()
    refused(nfvd, "comma path", ["port", "add", "inj", "type", "vhost-user", "path",
                                 victim + ",queues=1", "link", "sw.d"], "holds ','")
    intact(victim)
    refused(nfvd, "regular file as a server socket",
            ["port", "add", "inj", "type", "vhost-user", "path", victim, "link", "sw.d"],
            "exists and is not a socket")
    intact(victim)
    ctl_other = os.path.join(os.path.dirname(nfvd.sock), ".", os.path.basename(nfvd.sock))
    refused(nfvd, "the control socket", ["port", "add", "inj", "type", "vhost-user", "path",
                                         ctl_other, "link", "sw.d"], "control socket")
    check(os.path.exists(nfvd.sock), "the control socket is gone")
    refused(nfvd, "pcap rx with a driver option",
            ["port", "add", "cap", "type", "pcap", "rx", rx + ",infinite_rx=1", "link", "sw.d"],
            "holds ','")
    refused(nfvd, "pcap rx a FIFO", ["port", "add", "cap", "type", "pcap", "rx", fifo],
            "not a regular file (a FIFO)")
    os.symlink(victim, env.path("out.pcap"))
    refused(nfvd, "pcap tx through a symbolic link",
            ["port", "add", "cap", "type", "pcap", "tx", env.path("out.pcap")],
            "symbolic link")
    intact(victim)
    for path, want in (("/dev/zero", "not a regular file (a character device)"),
                       (fifo, "not a regular file (a FIFO)")):
        t = time.monotonic()
        r = request(nfvd, {"cmd": "route add", "vnf": "rtr", "file": path})
        log("route add file %s: %.1fs: %s" % (path, time.monotonic() - t, r))
        check(not r.get("ok"), "route add file %s: accepted" % path)
        check(want in r.get("error", ""), "route add file %s: %r" % (path, r))
    # `port del` of a vhost-user server whose socket was removed and bound
    # again by another program leaves that program's socket: DPDK's vhost
    # driver unlinks its path when it closes the port, whatever it holds.
    vs = env.path("vs.sock")
    nfvd.nfvctl("port", "add", "vs", "type", "vhost-user", "path", vs)
    os.unlink(vs)
    other = socket.socket(socket.AF_UNIX)
    try:
        other.bind(vs)
        other.listen(1)
        ino = os.stat(vs).st_ino
        nfvd.nfvctl("port", "del", "vs")
        check(os.path.exists(vs), "port del removed the socket another program bound at %s" % vs)
        check_eq(os.stat(vs).st_ino, ino, "the inode at %s after port del" % vs)
        c = socket.socket(socket.AF_UNIX)
        c.settimeout(5)
        c.connect(vs)
        c.close()
        left = [n for n in os.listdir(env.dir) if "nfvd-keep" in n]
        check_eq(left, [], "files nfvd left next to %s" % vs)
    finally:
        other.close()
    os.unlink(vs)
    # A long tx path is passed whole: a 476-byte one was cut in a 512-byte
    # buffer and the driver wrote the cut name.
    deep = env.path(os.path.join("d" * 200, "e" * 200))
    os.makedirs(deep)
    tx = os.path.join(deep, "o" * 150 + ".pcap")
    check(len(tx) > 512, "tx path of %d bytes" % len(tx))
    nfvd.nfvctl("port", "add", "cap", "type", "pcap", "rx", rx, "tx", tx, "link", "sw.d")
    check_eq(os.listdir(deep), [os.path.basename(tx)], "files next to the long tx path")
    # Still whole: ports can be added and traffic-free requests answered.
    check_eq(sorted(nfvd.ports()), ["cap", "v0"], "ports at the end")
    intact(victim)
    nfvd.stop_clean(socks=[env.path("v0.sock")])
    intact(victim)


if __name__ == "__main__":
    nfvtest.main(run, "hostile", budget=80)
