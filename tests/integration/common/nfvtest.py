# SPDX-License-Identifier: BSD-3-Clause
"""nfvtest - the harness of nfvd's integration tests (Python, stdlib only).

A test is a function of an Env, run by nfvtest.main():

    import nfvtest
    def run(env):
        nfvd = env.nfvd(ports=[...], vnfs=[...], links=[...])
        nfvd.start()
        pmd = env.testpmd(vdevs=[...], peers=[...])
        ...
    nfvtest.main(run, name="switch-traffic", budget=100, needs=["dpdk-testpmd"])

What it guarantees, so that tests can run in parallel and never leave
anything behind, even when they fail or are killed by meson's timeout:
  - every process is started by the Env and tracked by PID; cleanup sends
    SIGTERM, then SIGKILL, to those PIDs only (never by name);
  - children get PR_SET_PDEATHSIG=SIGKILL (setpriv), so a test killed with
    SIGKILL does not leave a busy-polling DPDK process behind;
  - socket paths live in a private directory /tmp/nfv-it-NAME-XXXX/,
    DPDK file prefixes and netns names carry the test's PID, and cleanup
    removes the directory, the netns, /var/run/dpdk/PREFIX and any
    hugepage files of those prefixes;
  - an internal deadline (SIGALRM, `budget` seconds) fails the test before
    meson's own timeout, so the cleanup always runs;
  - a test that cannot run here (not root, a tool missing) exits 77 with
    the reason: meson reports it as skipped.

Binaries come from $NFVD / $NFVCTL (set by meson), else from $NFV_BUILDDIR
(default: build/ at the repository root).  NFV_TEST_KEEP=1 keeps the
private directory (configs, logs) for a post-mortem.
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77
T0 = time.monotonic()
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
HUGEPAGE_DIRS = ("/dev/hugepages", "/mnt/huge", "/dev/hugepages1G")


class Fail(Exception):
    """The test found a bug: exit 1."""


class Skip(Exception):
    """The test cannot run here: exit 77 with the reason."""


class Deadline(Exception):
    """The test ran past its budget."""


class Stopped(Exception):
    """SIGTERM/SIGINT: meson's timeout or a user's Ctrl-C."""


def log(msg):
    print("[%6.1f] %s" % (time.monotonic() - T0, msg), flush=True)


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def check_eq(got, want, what):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


def skip(reason):
    raise Skip(reason)


def builddir():
    return os.environ.get("NFV_BUILDDIR", os.path.join(REPO, "build"))


def binary(env_name, rel):
    path = os.environ.get(env_name) or os.path.join(builddir(), rel)
    if not os.access(path, os.X_OK):
        raise Fail("%s not found at %s (build first: ninja -C %s)" % (rel, path, builddir()))
    return path


def which(tool):
    return shutil.which(tool)


def require_root(why="creates vhost-user sockets, netns and DPDK processes"):
    if os.geteuid() != 0:
        skip("needs root (%s)" % why)


def require_tools(*tools):
    missing = [t for t in tools if which(t) is None]
    if missing:
        skip("missing tool(s): %s (scripts/install-deps.sh installs them)" % ", ".join(missing))


def free_hugepages_mb():
    """Free 2 MiB hugepages on a mounted hugetlbfs, in MiB (0 if none)."""
    try:
        with open("/proc/mounts") as f:
            if not any(line.split()[2] == "hugetlbfs" for line in f if len(line.split()) > 2):
                return 0
        with open("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages") as f:
            return int(f.read()) * 2
    except OSError:
        return 0


def wait_for(cond, timeout, what, interval=0.1):
    """Poll cond() until it returns a true value; Fail after timeout."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= end:
            raise Fail("timed out after %.0fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def wait_for_socket(path, timeout=10):
    import stat
    return wait_for(lambda: os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode),
                    timeout, "socket %s" % path)


def tail(path, n=40):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError:
        return "(no log)"


def run(argv, timeout=15, check_rc=True, **kw):
    """Run a short command; return CompletedProcess (text)."""
    try:
        cp = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired:
        raise Fail("%s did not finish in %ss" % (" ".join(argv), timeout))
    if check_rc and cp.returncode != 0:
        raise Fail("%s: exit %d: %s" % (" ".join(argv), cp.returncode, (cp.stderr or cp.stdout).strip()))
    return cp


class Proc:
    """A child process tracked by PID.  Output goes to a log file; with
    capture=True it is also kept in memory (for interactive tools)."""

    def __init__(self, env, name, argv, stdin=False, capture=False, cwd=None):
        self.env = env
        self.name = name
        self.argv = argv
        self.log_path = os.path.join(env.dir, "%s.log" % name)
        n = 1
        while os.path.exists(self.log_path):
            n += 1
            self.log_path = os.path.join(env.dir, "%s.%d.log" % (name, n))
        self.logf = open(self.log_path, "wb")
        self.buf = bytearray()
        self.cond = threading.Condition()
        self.eof = False
        full = ["setpriv", "--pdeathsig", "KILL", "--"] + argv if which("setpriv") else argv
        log("start %s: %s" % (name, " ".join(argv)))
        self.p = subprocess.Popen(full, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE if capture else self.logf,
                                  stderr=subprocess.STDOUT, cwd=cwd)
        self.pid = self.p.pid
        env.procs.append(self)
        self.reader = None
        if capture:
            self.reader = threading.Thread(target=self._read, daemon=True)
            self.reader.start()

    def _read(self):
        fd = self.p.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self.cond:
                if not chunk:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.buf += chunk
                self.cond.notify_all()
            self.logf.write(chunk)
            self.logf.flush()

    def text(self):
        if self.reader is not None:
            with self.cond:
                return self.buf.decode(errors="replace")
        self.logf.flush()
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def alive(self):
        return self.p.poll() is None

    def write(self, data):
        self.p.stdin.write(data.encode())
        self.p.stdin.flush()

    def send_signal(self, sig):
        if self.p.poll() is None:
            os.kill(self.pid, sig)

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Fail("%s (pid %d) did not exit within %ss" % (self.name, self.pid, timeout))

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Signal, wait, SIGKILL if needed; return the exit status."""
        if self.p.poll() is None:
            try:
                os.kill(self.pid, sig)
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                log("%s (pid %d) ignored signal %d for %ss: SIGKILL" % (self.name, self.pid, sig, timeout))
                os.kill(self.pid, signal.SIGKILL)
                self.p.wait(5)
            except ProcessLookupError:
                pass
        return self.p.wait()

    def kill(self):
        """SIGKILL (a crash, as far as the peers can tell)."""
        return self.stop(signal.SIGKILL, 5)

    def close(self):
        if self.p.stdin:
            try:
                self.p.stdin.close()
            except OSError:
                pass
        if self.reader is not None:
            self.reader.join(2)
        self.logf.close()


class Nfvd:
    """An nfvd with its own config, control socket and file prefix."""

    def __init__(self, env, name, ports, vnfs, links, dataplane=None, control=None):
        self.env = env
        self.name = name
        self.bin = binary("NFVD", "dataplane/nfvd")
        self.ctl_bin = binary("NFVCTL", "control/nfvctl")
        self.sock = os.path.join(env.dir, "%s-ctl.sock" % name)
        self.prefix = env.prefix(name)
        dp = {"workers": 1, "memory": 256, "hugepages": "off", "file_prefix": self.prefix}
        dp.update(dataplane or {})
        self.config = {"dataplane": dp, "control": {"socket": self.sock}, "ports": ports,
                       "vnfs": vnfs, "links": links}
        if control:
            self.config["control"].update(control)
        self.cfg_path = os.path.join(env.dir, "%s.yaml" % name)
        # JSON is YAML: one dump, no YAML library needed.
        with open(self.cfg_path, "w") as f:
            json.dump(self.config, f, indent=2)
            f.write("\n")
        self.proc = None

    # DPDK 22.11's net_af_packet names its PACKET_FANOUT group getpid() ^
    # ifindex, and groups are per network namespace: two processes there
    # can pick one group for two interfaces, and the later one's port fails
    # (docs/operations.md).  A new process has another pid.
    FANOUT_CLASH = "could not set PACKET_FANOUT"

    def start(self, timeout=30, extra=(), pre=()):
        """Start nfvd and wait for its ready line; pre: a command that execs
        nfvd (env(1) with settings), so the PID stays the one we track."""
        for attempt in (1, 2, 3):
            self.proc = self.env.spawn(self.name, list(pre) + [self.bin, "-c", self.cfg_path] + list(extra))

            def ready():
                if not self.proc.alive():
                    raise Fail("%s exited with %s before it was ready:\n%s"
                               % (self.name, self.proc.p.returncode, tail(self.proc.log_path)))
                return "ready:" in self.proc.text() and os.path.exists(self.sock)
            try:
                wait_for(ready, timeout, "%s to say ready" % self.name)
                break
            except Fail:
                if attempt == 3 or self.proc.alive() or self.FANOUT_CLASH not in self.proc.text():
                    raise
                log("%s: its af_packet fanout group clashed with another process's"
                    " (pid %d): starting it again" % (self.name, self.proc.pid))
        log("%s ready (pid %d)" % (self.name, self.proc.pid))
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.alive()

    def nfvctl(self, *args, json_out=True, check_rc=True, timeout=10):
        argv = [self.ctl_bin, "-s", self.sock] + (["-j"] if json_out else []) + list(args)
        cp = run(argv, timeout=timeout, check_rc=check_rc)
        if not json_out or cp.returncode != 0:
            return cp
        try:
            return json.loads(cp.stdout)
        except ValueError as e:
            raise Fail("nfvctl -j %s: invalid JSON (%s): %r" % (" ".join(args), e, cp.stdout[:300]))

    def ports(self):
        return {p["name"]: p for p in self.nfvctl("show", "ports")}

    def wait_links(self, names, state="up", timeout=20):
        wait_for(lambda: all(self.ports()[n]["link"] == state for n in names), timeout,
                 "%s: link %s on %s" % (self.name, state, ", ".join(names)), interval=0.2)

    def wait_stable(self, settle=0.5, timeout=10):
        """Counters that stopped moving (the rings are drained)."""
        def key():
            return {n: (p["rx_packets"], p["tx_packets"]) for n, p in self.ports().items()}
        prev = key()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            time.sleep(settle)
            cur = key()
            if cur == prev:
                return self.ports()
            prev = cur
        raise Fail("%s: counters still moving after %ss" % (self.name, timeout))

    def stop(self, sig=signal.SIGTERM, timeout=15):
        rc = self.proc.stop(sig, timeout)
        log("%s (pid %d) exited: %d" % (self.name, self.proc.pid, rc))
        return rc

    def stop_clean(self, socks=()):
        """SIGTERM: nfvd must exit 0 with every mbuf back in its pool and
        leave none of the given (vhost-user server) sockets behind."""
        check_eq(self.stop(), 0, "nfvd exit status after SIGTERM")
        check("mbufs back in their pool" in self.log_text(), "nfvd did not report its mbufs back")
        for s in socks:
            check(not os.path.exists(s), "nfvd left %s behind" % s)

    def log_text(self):
        return self.proc.text() if self.proc else ""


def check_mbufs_accounted(nfvd, xdp_ports=()):
    """After nfvd stopped: its shutdown lines say that the shared pool is
    all back and, for each af_xdp port, that its own pool is all back but
    what DPDK 22.11's net_af_xdp keeps in its fill ring when the port
    closes (freed with the pool), with a summary that adds those up."""
    text = nfvd.log_text()
    log("nfvd: " + " / ".join(l for l in text.splitlines() if "mbufs" in l or "mbuf " in l))
    check("not returned" not in text and "not every mbuf" not in text,
          "nfvd lost mbufs:\n%s" % "\n".join(l for l in text.splitlines() if "mbuf" in l))
    check("mbufs back in their pool" in text, "no \"all N mbufs back\" line for the shared pool")
    lines = re.findall(r"port (\S+): (\d+) mbufs stayed in the af_xdp driver's fill ring", text)
    for name in xdp_ports:
        check(any(n == name for n, _ in lines), "no accounting of af_xdp port %s's own pool" % name)
    kept = sum(int(k) for _, k in lines)
    if xdp_ports:
        m = re.search(r"every mbuf accounted: (\d+) stayed in af_xdp fill rings", text)
        check(m is not None, "no \"every mbuf accounted\" line")
        check_eq(int(m.group(1)), kept, "mbufs kept by af_xdp fill rings, in the summary")


PROMPT = "testpmd> "


class Testpmd:
    """dpdk-testpmd with virtio-user ports, driven over its interactive
    prompt (stdout unbuffered, so a prompt ends each command's output)."""

    def __init__(self, env, name, vdevs, peers=(), fwd="rxonly", extra=()):
        self.env = env
        self.name = name
        self.prefix = env.prefix(name)
        cpu = min(os.sched_getaffinity(0))
        # Main and forwarding lcore share one core; nfvd's worker has the other.
        self.argv = (["stdbuf", "-o0", "-e0", "dpdk-testpmd", "--lcores", "0@%d,1@%d" % (cpu, cpu),
                      "--no-pci", "--no-huge", "-m", "256", "--file-prefix=%s" % self.prefix,
                      "--log-level=lib.eal:error"]
                     + ["--vdev=%s" % v for v in vdevs]
                     + ["--", "-i", "--nb-cores=1", "--total-num-mbufs=16384",
                        "--forward-mode=%s" % fwd, "--disable-link-check"]
                     + ["--eth-peer=%d,%s" % (i, m) for i, m in enumerate(peers) if m]
                     + list(extra))
        self.proc = None
        self.nports = len(vdevs)

    def start(self, wait=True, timeout=40):
        self.proc = self.env.spawn(self.name, self.argv, stdin=True, capture=True)
        if wait:
            self.wait_prompt(timeout)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def wait_prompt(self, timeout=40):
        def prompt():
            if not self.proc.alive():
                raise Fail("%s exited with %s:\n%s" % (self.name, self.proc.p.returncode,
                                                       self.proc.text()[-3000:]))
            return PROMPT in self.proc.text()
        wait_for(prompt, timeout, "%s prompt" % self.name)

    def cmd(self, line, timeout=20):
        """Send one command; return its output (up to the next prompt).

        testpmd prints exactly one prompt after each command's output;
        its asynchronous messages (link events) print none but may land
        anywhere, even inside the echo of the command, so the prompts are
        counted rather than the echo searched for."""
        with self.proc.cond:
            start = len(self.proc.buf)
            n0 = self.proc.buf.count(PROMPT.encode())
        self.proc.write(line + "\n")
        end = time.monotonic() + timeout
        with self.proc.cond:
            while True:
                buf = bytes(self.proc.buf)
                if buf.count(PROMPT.encode()) > n0:
                    j = buf.find(PROMPT.encode(), start)
                    return buf[start:j].decode(errors="replace")
                if self.proc.eof:
                    raise Fail("%s exited during %r:\n%s" % (self.name, line, buf[start:].decode(errors="replace")[-2000:]))
                left = end - time.monotonic()
                if left <= 0:
                    raise Fail("%s: no prompt %ss after %r:\n%s" % (self.name, timeout, line,
                                                                    buf[start:].decode(errors="replace")[-2000:]))
                self.proc.cond.wait(left)

    def stats(self):
        """Per-port counters since the last `clear port stats all`."""
        out = self.cmd("show port stats all")
        res = {}
        for m in re.finditer(r"NIC statistics for port (\d+)(.*?)(?=NIC statistics for port|\Z)", out, re.S):
            blk = m.group(2)

            def num(pat):
                mm = re.search(pat, blk)
                if mm is None:
                    raise Fail("%s: cannot parse port stats:\n%s" % (self.name, out))
                return int(mm.group(1))
            res[int(m.group(1))] = {
                "rx_packets": num(r"RX-packets:\s+(\d+)"), "rx_bytes": num(r"RX-bytes:\s+(\d+)"),
                "tx_packets": num(r"TX-packets:\s+(\d+)"), "tx_bytes": num(r"TX-bytes:\s+(\d+)"),
            }
        check(len(res) == self.nports, "%s: stats of %d ports, want %d:\n%s" % (self.name, len(res), self.nports, out))
        return res

    def wait_rx(self, want, timeout=10):
        """Until every port p has received want[p] packets (or more)."""
        def ok():
            st = self.stats()
            return st if all(st[p]["rx_packets"] >= n for p, n in want.items()) else None
        return wait_for(ok, timeout, "%s to receive %r" % (self.name, want), interval=0.3)

    def links_up(self):
        out = self.cmd("show port summary all")
        return len(re.findall(r"^\d+\s+\S+\s+\S+\s+\S+\s+up", out, re.M)) == self.nports

    def quit(self, timeout=20):
        if self.proc is None or not self.proc.alive():
            return
        try:
            self.proc.write("quit\n")
            self.proc.p.stdin.close()
        except OSError:
            pass
        try:
            self.proc.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.stop()

    def kill(self):
        return self.proc.kill()


class Env:
    """One test's private directory, processes, netns and file prefixes."""

    def __init__(self, name):
        self.name = name
        self.tag = "%d" % os.getpid()
        self.dir = tempfile.mkdtemp(prefix="nfv-it-%s-" % name, dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.procs = []
        self.netns_list = []
        self.prefixes = []
        self.cleanups = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def prefix(self, what):
        p = "nfvit-%s-%s-%s" % (self.name, what, self.tag)
        self.prefixes.append(p)
        return p

    def spawn(self, name, argv, **kw):
        return Proc(self, name, argv, **kw)

    def nfvd(self, ports, vnfs, links, name="nfvd", **kw):
        return Nfvd(self, name, ports, vnfs, links, **kw)

    def testpmd(self, vdevs, peers=(), fwd="rxonly", name="testpmd", extra=()):
        return Testpmd(self, name, vdevs, peers, fwd, extra)

    def netns(self, short):
        """A fresh network namespace, deleted at cleanup."""
        ns = "nfvit-%s-%s" % (self.tag, short)
        cp = run(["ip", "netns", "add", ns], check_rc=False)
        if cp.returncode != 0:
            skip("cannot create a network namespace (%s): needs CAP_SYS_ADMIN"
                 " outside a restricted container" % cp.stderr.strip())
        self.netns_list.append(ns)
        return ns

    def ifname(self, short):
        """A kernel interface name (15 chars at most) unique to this test."""
        return ("nt%s%s" % (int(self.tag) % 100000, short))[:15]

    def on_cleanup(self, fn):
        self.cleanups.append(fn)

    def cleanup(self, keep=False):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as e:  # cleanup goes on regardless
                log("cleanup: %s" % e)
        for p in reversed(self.procs):
            try:
                if p.alive():
                    log("cleanup: stopping %s (pid %d)" % (p.name, p.pid))
                    p.stop(signal.SIGTERM, 5)
            except Exception as e:
                log("cleanup: %s: %s" % (p.name, e))
            p.close()
        for ns in self.netns_list:
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        for pf in self.prefixes:
            for d in HUGEPAGE_DIRS:
                for f in glob.glob(os.path.join(d, "%smap_*" % pf)):
                    try:
                        os.unlink(f)
                        log("cleanup: removed %s" % f)
                    except OSError:
                        pass
            shutil.rmtree(os.path.join("/var/run/dpdk", pf), ignore_errors=True)
        if keep:
            log("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump_logs(self):
        for p in self.procs:
            print("----- %s (pid %d, %s) last lines -----" % (p.name, p.pid, p.log_path))
            print(tail(p.log_path, 30))


def _raise(exc):
    def handler(sig, frame):
        raise exc("signal %d" % sig)
    return handler


def main(fn, name, budget, needs=(), root=True):
    """Run fn(env) with a deadline of `budget` seconds; exit 0/1/77."""
    rc = 1
    env = None
    try:
        if root:
            require_root()
        require_tools(*(["ip", "setpriv", "stdbuf"] + list(needs)))
        signal.signal(signal.SIGALRM, _raise(Deadline))
        signal.signal(signal.SIGTERM, _raise(Stopped))
        signal.signal(signal.SIGINT, _raise(Stopped))
        signal.alarm(budget)
        env = Env(name)
        log("%s: private directory %s, budget %ds" % (name, env.dir, budget))
        fn(env)
        rc = 0
        log("PASS %s" % name)
    except Skip as e:
        print("SKIP: %s" % e, flush=True)
        rc = SKIP
    except Fail as e:
        print("FAIL: %s" % e, flush=True)
    except Deadline:
        print("FAIL: %s ran past its budget of %ds" % (name, budget), flush=True)
        traceback.print_exc()
    except Stopped as e:
        print("FAIL: interrupted (%s)" % e, flush=True)
    except Exception:
        print("FAIL: unexpected error", flush=True)
        traceback.print_exc()
    finally:
        signal.alarm(0)
        if env is not None:
            # A second signal must not cut the cleanup short.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if rc == 1:
                env.dump_logs()
            env.cleanup(keep=os.environ.get("NFV_TEST_KEEP") == "1")
    sys.stdout.flush()
    os._exit(rc)
