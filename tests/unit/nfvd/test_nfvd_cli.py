#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfvd's command line and config errors, end to end, without root.

Every bad config must stop nfvd before anything starts: exit 1, exactly
one line on stderr that names the file, the key path and the reason, and
nothing on stdout.  (The full validation matrix is tests/unit/config;
this checks that the binary reports it that way.)  Also: usage errors
exit 2, -h exits 0, --check accepts the example configs.
"""
import glob
import os
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
NFVD = os.environ.get("NFVD") or os.path.join(os.environ.get("NFV_BUILDDIR", os.path.join(REPO, "build")),
                                              "dataplane", "nfvd")

GOOD = """\
dataplane: {workers: 1, memory: 256, hugepages: off, file_prefix: nfv-cli-test}
control: {socket: DIR/ctl.sock}
ports:
  - {name: vm1, type: vhost-user, path: DIR/vm1.sock, mode: server}
  - {name: vm2, type: vhost-user, path: DIR/vm2.sock, mode: server}
vnfs:
  - name: sw
    type: l2switch
    ifaces: [{name: a}, {name: b}]
links:
  - [vm1, sw.a]
  - [vm2, sw.b]
"""

# (what, text replaced, replacement, strings the message must contain)
CASES = [
    ("unknown key", "mode: server}\n  - {name: vm2", "mode: server, colour: red}\n  - {name: vm2",
     [":4:", "ports[0].colour", "unknown key"]),
    ("bad enum", "path: DIR/vm2.sock, mode: server", "path: DIR/vm2.sock, mode: serve",
     ["ports[1].mode", "server"]),
    ("wrong type", "workers: 1", "workers: [1]", ["dataplane.workers"]),
    ("duplicate port", "{name: vm2,", "{name: vm1,", ["ports[1]", "vm1"]),
    ("link to an unknown port", "[vm2, sw.b]", "[vm9, sw.b]", ["links[1]", "vm9"]),
    ("link to an unknown iface", "[vm2, sw.b]", "[vm2, sw.q]", ["links[1]", "sw.q"]),
    ("endpoint linked twice", "[vm2, sw.b]", "[vm1, sw.b]", ["links[1]", "vm1"]),
    ("missing field", "{name: vm2, type: vhost-user, path: DIR/vm2.sock, mode: server}",
     "{name: vm2, type: vhost-user, mode: server}", ["ports[1]", "path"]),
    ("bad MAC", "{name: vm2, type: vhost-user, path: DIR/vm2.sock, mode: server}",
     '{name: vm2, type: virtio-user, path: DIR/vm2.sock, mac: "02:00:00:00:00:0g"}',
     ["ports[1].mac", "0g"]),
    ("unknown port type", "type: vhost-user, path: DIR/vm1.sock", "type: vhost-usr, path: DIR/vm1.sock",
     ["ports[0].type"]),
    ("YAML syntax", "links:\n", "links: [\n", ["YAML"]),
]

failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg, flush=True)


def nfvd(*args):
    return subprocess.run([NFVD] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=20, stdin=subprocess.DEVNULL)


def main():
    if not os.access(NFVD, os.X_OK):
        print("FAIL: %s not built" % NFVD)
        return 1
    d = tempfile.mkdtemp(prefix="nfv-cli-")
    try:
        good = GOOD.replace("DIR", d)
        for what, old, new, want in CASES:
            check_case(d, what, good, old.replace("DIR", d), new.replace("DIR", d), want)
        check_other(d, good)
    finally:
        for f in glob.glob(os.path.join(d, "*")):
            os.unlink(f)
        os.rmdir(d)
    print("%s: %d failure(s)" % ("FAIL" if failures else "PASS", failures))
    return 1 if failures else 0


def check_case(d, what, good, old, new, want):
    if old not in good:
        fail("%s: test bug, %r not in the config" % (what, old))
        return
    path = os.path.join(d, "bad.yaml")
    with open(path, "w") as f:
        f.write(good.replace(old, new, 1))
    cp = nfvd("-c", path)
    lines = cp.stderr.splitlines()
    print("%-26s rc %d: %s" % (what, cp.returncode, cp.stderr.strip()))
    if cp.returncode != 1:
        fail("%s: exit %d, want 1" % (what, cp.returncode))
    if len(lines) != 1:
        fail("%s: %d lines on stderr, want 1: %r" % (what, len(lines), cp.stderr))
    if cp.stdout:
        fail("%s: output on stdout: %r" % (what, cp.stdout))
    for w in [path] + want:
        if w not in cp.stderr:
            fail("%s: message does not contain %r: %r" % (what, w, cp.stderr))
    left = [f for f in os.listdir(d) if f.endswith(".sock")]
    if left:
        fail("%s: sockets created by a failed start: %s" % (what, left))


def check_other(d, good):
    path = os.path.join(d, "good.yaml")
    with open(path, "w") as f:
        f.write(good)
    cp = nfvd("--check", "-c", path)
    print("--check good              rc %d: %s" % (cp.returncode, cp.stdout.strip()))
    if cp.returncode != 0 or "OK" not in cp.stdout:
        fail("--check of a good config: rc %d, %r %r" % (cp.returncode, cp.stdout, cp.stderr))
    missing = os.path.join(d, "missing.yaml")
    cp = nfvd("-c", missing)
    print("missing file              rc %d: %s" % (cp.returncode, cp.stderr.strip()))
    if cp.returncode != 1 or missing not in cp.stderr or len(cp.stderr.splitlines()) != 1:
        fail("missing file: rc %d, %r" % (cp.returncode, cp.stderr))
    cp = nfvd()
    print("no -c                     rc %d" % cp.returncode)
    if cp.returncode != 2 or "usage" not in cp.stderr:
        fail("no -c: rc %d, %r" % (cp.returncode, cp.stderr))
    cp = nfvd("--bogus")
    if cp.returncode != 2 or "usage" not in cp.stderr:
        fail("--bogus: rc %d, %r" % (cp.returncode, cp.stderr))
    cp = nfvd("-h")
    if cp.returncode != 0 or "usage" not in cp.stdout:
        fail("-h: rc %d, %r" % (cp.returncode, cp.stdout))
    # Every example config validates as written.
    for cfg in sorted(glob.glob(os.path.join(REPO, "configs", "*.yaml"))):
        cp = nfvd("--check", "-c", cfg)
        print("--check %-18s rc %d: %s" % (os.path.basename(cfg), cp.returncode, (cp.stdout + cp.stderr).strip()))
        if cp.returncode != 0:
            fail("configs/%s does not validate: %s" % (os.path.basename(cfg), cp.stderr.strip()))


if __name__ == "__main__":
    sys.exit(main())
