#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The nested test host of nfv-vmm: Linux-guest checks where there is no
hardware virtualization.

QEMU with TCG emulates an AMD CPU with SVM (-cpu qemu64,+svm,+npt); the
packaged Debian kernel inside it (L1) loads kvm_amd and offers a working
/dev/kvm, on which nfv-vmm boots the same kernel with the guest kit's
initramfs (L2).  This module builds, offline, the L1 initramfs:
busybox-static, the kvm modules of the packaged kernel with their
dependencies from modules.dep, nfvd, nfvctl, nfv-vmm, iproute2's ip and
the shared libraries they need (ldd, plus the DPDK drivers nfvd loads as
plugins), the kernel and the guest kit's initramfs for L2, the checks
(linux_checks.sh) and an /init (l1init.sh).  It boots that in QEMU with
the console in a file and a time limit; the L1 init reports each check on
the console and the overall status through QEMU's isa-debug-exit port.
Where KVM runs guests at hardware speed the same checks run directly on
the host (run_direct), no QEMU involved.

By hand (see docs/vmm.md):
  tests/integration/vmm/nested.py --build build [--checks "switch restart"] [--keep DIR]
"""

import argparse
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
QEMU = "qemu-system-x86_64"
# kvm_amd and what it needs (modules.dep gives the order), tun for nfvd's
# tap port.
L1_MODULES = ["kvm-amd", "tun"]
# DPDK drivers that nfvd does not link but loads from EAL's plugin
# directory: the mempool handler and the tap PMD.
DPDK_PLUGINS = ["librte_mempool_ring.so", "librte_net_tap.so"]
# QEMU's CPU for L1: AMD SVM with nested paging for kvm_amd, and what
# DPDK's -march=corei7 (nfvd) needs beyond qemu64: SSSE3, SSE4.1/4.2,
# POPCNT.
L1_CPU = "qemu64,+svm,+npt,+ssse3,+sse4.1,+sse4.2,+popcnt"
# Hardware virtualization runs the speed probe at hundreds of MIPS; the
# emulating KVM of some build machines at 1-2.
MIN_MIPS = 200.0
ALL_CHECKS = "payload-poweroff switch restart poweroff lab"
# linux_checks.sh writes a heartbeat line every 30 s through the tty
# (TTY_BEAT) and one through the kernel's log (KMSG_BEAT); no tty
# heartbeat for this long after the first one means the nested host
# stopped (or its tty did: the kernel's heartbeats tell which), not that a
# check is stuck: every check's waits end at a deadline and report.
STALL_S = 120
TTY_BEAT = b" alive: load "
KMSG_BEAT = b"nfv-l1: kernel alive"


class Error(Exception):
    """The nested host could not be built or booted."""


def find_kernel():
    """(vmlinuz path, KVER): the newest /boot/vmlinuz-KVER whose modules
    are installed, or (None, reason)."""
    for k in sorted(glob.glob("/boot/vmlinuz-*"), reverse=True):
        kver = os.path.basename(k)[len("vmlinuz-"):]
        if os.path.exists("/lib/modules/%s/modules.dep" % kver) and os.access(k, os.R_OK):
            return k, kver
    return None, "no readable /boot/vmlinuz-KVER with /lib/modules/KVER (apt-get install linux-image-amd64)"


def find_busybox():
    for b in ("/bin/busybox", "/usr/bin/busybox"):
        if os.access(b, os.X_OK):
            return b
    return None


def qemu():
    return shutil.which(QEMU)


def speed_probe(vmm, payload, iters=1000000):
    """Guest MIPS under this host's KVM: the payload's counting loop (about
    3 instructions per iteration; the VMM's own start-up is counted against
    the guest, so a fast host is underestimated)."""
    t = time.monotonic()
    cp = subprocess.run([vmm, "--payload", payload, "--mem", "64M", "-q",
                         "--cmdline", "test=spin iters=%d" % iters],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120,
                        stdin=subprocess.DEVNULL)
    dt = time.monotonic() - t
    if cp.returncode != 0:
        return 0.0, dt, "speed probe: exit %d: %s" % (cp.returncode, cp.stderr.strip())
    return 3.0 * iters / dt / 1e6, dt, ""


def hw_kvm(vmm, payload):
    """(True, why) where KVM runs guests at hardware speed, else (False, why)."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
    except OSError as e:
        return False, "/dev/kvm: %s" % e.strerror
    mips, dt, err = speed_probe(vmm, payload)
    if err:
        return False, err
    if mips < MIN_MIPS:
        return False, ("KVM here runs guests at %.1f MIPS (3M instructions in %.2f s), below the "
                       "%d MIPS of hardware virtualization" % (mips, dt, MIN_MIPS))
    return True, "KVM at %.0f MIPS" % mips


def _modules(kver, names):
    """Module paths (relative to /lib/modules/KVER) of names and their
    dependencies, each after what it needs."""
    kdir = "/lib/modules/%s" % kver
    deps = {}
    with open(os.path.join(kdir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
    byname = {}
    for mod in deps:
        n = re.sub(r"\.ko(\.xz|\.zst|\.gz)?$", "", os.path.basename(mod)).replace("_", "-")
        byname[n] = mod
    order = []

    def visit(m):
        if m in order:
            return
        # modules.dep lists the transitive closure, deepest last.
        for d in reversed(deps.get(m, [])):
            visit(d)
        order.append(m)
    for n in names:
        m = byname.get(n.replace("_", "-"))
        if m is None:
            raise Error("module %s not in %s/modules.dep" % (n, kdir))
        visit(m)
    return order


def _ldd(paths):
    """The shared libraries (and the loader) that paths need, as real
    files under their own paths."""
    libs = set()
    for p in paths:
        cp = subprocess.run(["ldd", p], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if cp.returncode != 0:
            if "not a dynamic executable" in cp.stdout:
                continue
            raise Error("ldd %s: %s" % (p, cp.stdout.strip()))
        for line in cp.stdout.splitlines():
            if "not found" in line:
                raise Error("ldd %s: %s" % (p, line.strip()))
            m = re.search(r"(/\S+)", line.split("=>")[-1])
            if m:
                libs.add(m.group(1))
    return sorted(libs)


def _dlopened():
    """Libraries that glibc opens at run time, which ldd does not list:
    libgcc_s for pthread_cancel (nfvd stops its threads with it)."""
    cp = subprocess.run(["ldconfig", "-p"], stdout=subprocess.PIPE, text=True)
    m = re.search(r"libgcc_s\.so\.1 \(libc6,x86-64\) => (\S+)", cp.stdout)
    if not m:
        raise Error("libgcc_s.so.1 not found (ldconfig -p)")
    return [m.group(1)]


def _dpdk_plugins():
    out = []
    for name in DPDK_PLUGINS:
        found = sorted(glob.glob("/usr/lib/*/dpdk/pmds-*/%s" % name))
        if not found:
            raise Error("DPDK driver %s not found under /usr/lib/*/dpdk/pmds-* (apt-get install dpdk)" % name)
        out.append(found[-1])
    return out


def _copy(src, stage, dst):
    d = os.path.join(stage, dst.lstrip("/"))
    os.makedirs(os.path.dirname(d), exist_ok=True)
    # Follow links: the image holds plain files at every name used.
    shutil.copy2(os.path.realpath(src), d)


def build_l2(out, kver, mkinitramfs=None):
    """The guest kit's initramfs with nfv-check (guest_check.sh) in it."""
    mk = mkinitramfs or os.path.join(REPO, "vmm", "guest", "mkinitramfs.sh")
    cp = subprocess.run([mk, "-o", out, "-k", kver, "--extra",
                         "%s:/usr/bin/nfv-check" % os.path.join(HERE, "guest_check.sh")],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    if cp.returncode != 0:
        raise Error("mkinitramfs: %s" % cp.stdout.strip())
    return cp.stdout.strip()


def build_l1(out, kver, kernel, bins, l2_initrd, checks, extra_env=None):
    """The L1 initramfs (an uncompressed newc cpio: under TCG unpacking
    costs less than gunzip).  bins: {"NFV_VMM": path, ...}, each put under
    /usr/bin and named in /nested/run's environment."""
    busybox = find_busybox()
    if not busybox:
        raise Error("busybox not found (apt-get install busybox-static)")
    ip = shutil.which("ip") or "/usr/sbin/ip"
    if not os.access(ip, os.X_OK):
        raise Error("iproute2's ip not found (apt-get install iproute2)")
    stage = tempfile.mkdtemp(prefix="nfv-l1-")
    try:
        for d in ("bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "run",
                  "etc", "root", "lib/modules", "nested", "var"):
            os.makedirs(os.path.join(stage, d), exist_ok=True)
        # iproute2 keeps named netns in /var/run/netns, nfvd looks in /run.
        os.symlink("../run", os.path.join(stage, "var", "run"))
        _copy(busybox, stage, "/bin/busybox")
        applets = subprocess.run([busybox, "--list"], stdout=subprocess.PIPE, text=True,
                                 check=True).stdout.split()
        for a in applets:
            if a not in ("busybox", "ip"):
                os.symlink("busybox", os.path.join(stage, "bin", a))
        _copy(ip, stage, "/usr/sbin/ip")

        kdir = "/lib/modules/%s" % kver
        order = []
        for m in _modules(kver, L1_MODULES):
            name = re.sub(r"\.(xz|zst|gz)$", "", os.path.basename(m))
            dst = os.path.join(stage, "lib", "modules", name)
            src = os.path.join(kdir, m)
            if m.endswith(".ko"):
                shutil.copy2(src, dst)
            else:
                tool = {"xz": ["xz", "-dc"], "zst": ["zstd", "-q", "-dc"], "gz": ["gzip", "-dc"]}[m.rsplit(".", 1)[1]]
                with open(dst, "wb") as f:
                    subprocess.run(tool + [src], stdout=f, check=True)
            order.append(name)
        with open(os.path.join(stage, "etc", "modules.order"), "w") as f:
            f.write("\n".join(order) + "\n")

        env = {}
        for var, path in sorted(bins.items()):
            dst = "/usr/bin/%s" % os.path.basename(path)
            _copy(path, stage, dst)
            env[var] = dst
        plugins = _dpdk_plugins()
        for p in plugins:
            _copy(p, stage, p)
        for lib in _ldd(list(bins.values()) + [ip] + plugins) + _dlopened():
            _copy(lib, stage, lib)
        _copy(kernel, stage, "/nested/vmlinuz")
        _copy(l2_initrd, stage, "/nested/guest.cpio.gz")
        _copy(os.path.join(HERE, "linux_checks.sh"), stage, "/nested/linux_checks.sh")
        _copy(os.path.join(HERE, "l1init.sh"), stage, "/init")
        os.chmod(os.path.join(stage, "init"), 0o755)
        env.update({"NFV_IP": "/usr/sbin/ip", "NFV_KERNEL": "/nested/vmlinuz", "NFV_INITRD": "/nested/guest.cpio.gz",
                    "NFV_CHECK_DIR": "/tmp/nested", "NFV_CHECKS": checks})
        env.update(extra_env or {})
        with open(os.path.join(stage, "nested", "run"), "w") as f:
            f.write("# Written by nested.py: the checks and their environment.\n")
            for k, v in sorted(env.items()):
                f.write("export %s='%s'\n" % (k, v))
            f.write("exec sh /nested/linux_checks.sh\n")
        with open(os.path.join(stage, "etc", "passwd"), "w") as f:
            f.write("root:x:0:0:root:/root:/bin/sh\n")
        with open(os.path.join(stage, "etc", "group"), "w") as f:
            f.write("root:x:0:\n")
        with open(os.path.join(stage, "etc", "hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n")

        names = subprocess.run(["find", "."], cwd=stage, stdout=subprocess.PIPE, text=True,
                               check=True).stdout
        names = "\n".join(sorted(names.split("\n")[:-1])) + "\n"
        tmp = out + ".tmp"
        with open(tmp, "wb") as f:
            cp = subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=stage,
                                input=names.encode(), stdout=f, stderr=subprocess.PIPE)
        if cp.returncode != 0:
            raise Error("cpio: %s" % cp.stderr.decode(errors="replace"))
        os.replace(tmp, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return os.path.getsize(out)


def _beats(console):
    """(tty heartbeats, kernel-log heartbeats) on the console so far."""
    try:
        with open(console, "rb") as f:
            text = f.read()
    except OSError:
        return 0, 0
    return text.count(TTY_BEAT), text.count(KMSG_BEAT)


def _cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
        return int(st[11]) + int(st[12])
    except (OSError, IndexError, ValueError):
        return 0


def _qemu_state(pid, monitor):
    """What a stopped nested host's QEMU is doing: its CPU use over 2 s
    (busy: the emulated CPU runs, in L1 or in a guest; idle: QEMU waits)
    and the vCPU's registers from the monitor (RIP, CR3, EFLAGS)."""
    t0 = _cpu_ticks(pid)
    time.sleep(2)
    cpu = (_cpu_ticks(pid) - t0) * 100.0 / os.sysconf("SC_CLK_TCK") / 2
    regs = ""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sk:
            sk.settimeout(2)
            sk.connect(monitor)
            sk.sendall(b"info registers\n")
            got = b""
            end = time.monotonic() + 2
            while time.monotonic() < end and b"EFER=" not in got:
                try:
                    chunk = sk.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                got += chunk
        text = got.decode(errors="replace")
        regs = " ".join(m.group(0) for m in re.finditer(
            r"(RIP|RFL|CR0|CR3|EFER|HLT)=\S+|CPL=\d", text))
    except OSError as e:
        regs = "monitor: %s" % e
    return "QEMU used %.0f %% of a CPU over 2 s; %s" % (cpu, regs or "no registers")


def boot(kernel, initrd, console, timeout, mem_mb=1536):
    """Boot L1 in QEMU (TCG, emulated SVM); return (status, wall seconds,
    note, stalled).  status: the L1 init's exit status from
    isa-debug-exit, None when QEMU ran past timeout or stalled (killed)
    or exited without one."""
    argv = [qemu(), "-accel", "tcg", "-cpu", L1_CPU, "-smp", "1", "-m", str(mem_mb),
            "-nodefaults", "-display", "none", "-no-reboot", "-serial", "file:%s" % console,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 panic=-1 quiet"]
    # The monitor, for _qemu_state() when the nested host stops.
    monitor = console + ".mon"
    argv += ["-monitor", "unix:%s,server=on,wait=off" % monitor]
    t = time.monotonic()
    # QEMU's own output is a few lines at most: a file, not a pipe that
    # would have to be read while polling the console.
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
        beats, kbeats, since, ksince, why = 0, 0, t, t, None
        while p.poll() is None:
            now = time.monotonic()
            b, k = _beats(console)
            if b != beats:
                beats, since = b, now
            if k != kbeats:
                kbeats, ksince = k, now
            if now - t > timeout:
                why = "QEMU ran past %d s: killed" % timeout
            elif beats and now - since >= STALL_S:
                why = ("the nested host stopped: no heartbeat through its tty for %d s, "
                       "the last through its kernel log %d s ago (%s; QEMU killed)" % (
                           now - since, now - ksince, _qemu_state(p.pid, monitor)))
            if why:
                p.kill()
                p.wait()
                return None, time.monotonic() - t, why, why.startswith("the nested")
            time.sleep(1)
        wall = time.monotonic() - t
        out.seek(0)
        text = out.read().decode(errors="replace").strip()
    # isa-debug-exit: QEMU exits with 2*N+1 for the N the init wrote.
    if p.returncode % 2 == 1:
        return p.returncode // 2, wall, "", False
    return None, wall, "QEMU exited %d without the init's status: %s" % (
        p.returncode, text), False


def parse(text):
    """(checks {name: (ok, line)}, metrics [(key, value...)], done status)."""
    checks, metrics, done = {}, [], None
    for line in text.splitlines():
        m = re.match(r"CHECK (\S+) (PASS|FAIL) (.*)", line)
        if m:
            checks[m.group(1)] = (m.group(2) == "PASS", m.group(3))
        m = re.match(r"METRIC (.*)", line)
        if m:
            metrics.append(m.group(1).split())
        m = re.match(r"NESTED: done rc=(\d+)", line)
        if m:
            done = int(m.group(1))
    return checks, metrics, done


def tail(text, n=60):
    return "\n".join(text.splitlines()[-n:])


# How many times a stopped nested host is booted again (run_nested()).  On
# an Intel host (2026-12-06) it stopped twice in one run, both times in
# the lab check with its kernel spinning at the same text offset.
RERUNS = 2


def run_nested(workdir, bins, checks=ALL_CHECKS, timeout=540, mem_mb=1536, log=print,
               extra_env=None, rerun=0):
    """Build L1 and L2 in workdir, boot, return (status, console text, wall
    seconds of the boot, note).  Raises Error when something is missing.
    rerun: when the nested host stops (STALL_S: QEMU's emulation hung; a
    CI run once went silent for 470 s in the lab check, before the
    heartbeat could tell that from a stuck check), boot it again, with a
    limit of rerun seconds, for the checks that had not reported, up to
    RERUNS times; the text is then every console, and the note says so."""
    if not qemu():
        raise Error("%s not installed (apt-get install qemu-system-x86)" % QEMU)
    kernel, kver = find_kernel()
    if not kernel:
        raise Error(kver)
    t = time.monotonic()
    l2 = os.path.join(workdir, "guest.cpio.gz")
    log(build_l2(l2, kver, bins.pop("NFV_VMM_MKINITRAMFS", None)).replace("\n", "; "))
    l1 = os.path.join(workdir, "l1.cpio")
    size = build_l1(l1, kver, kernel, bins, l2, checks, extra_env)
    log("L1 initramfs %s: %.1f MiB, built in %.1f s; kernel %s" % (
        l1, size / 2.0**20, time.monotonic() - t, kernel))
    console = os.path.join(workdir, "l1.console")
    log("booting L1: QEMU TCG, -cpu %s, %d MiB, limit %d s; console %s" % (
        L1_CPU, mem_mb, timeout, console))
    status, wall, note, stalled = boot(kernel, l1, console, timeout, mem_mb)
    text = _read(console)
    if stalled and rerun:
        note = "first boot: " + note
    for again in range(1, RERUNS + 1):
        if not (stalled and rerun):
            break
        done = parse(text)[0]
        left = " ".join(c for c in checks.split() if c not in done)
        log("%s; the console's last lines:\n%s" % (note, tail(text, 30)))
        log("booting L1 again (%d of %d) for the checks that had not reported (%s), limit %d s"
            % (again, RERUNS, left, rerun))
        build_l1(l1, kver, kernel, bins, l2, left, extra_env)
        console2 = os.path.join(workdir, "l1-rerun%d.console" % again)
        status, wall2, note2, stalled = boot(kernel, l1, console2, rerun, mem_mb)
        text += "\n----- L1 booted again -----\n" + _read(console2)
        wall += wall2
        note += "; booted again for %s%s" % (left, ("; " + note2) if note2 else "")
    return status, text, wall, note


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def run_direct(workdir, bins, checks=ALL_CHECKS, timeout=540, extra_env=None):
    """The same checks on this host's KVM (hardware speed): busybox's
    applets first in the PATH (the checks are written for them), iproute2's
    ip.  Returns (status, output, wall seconds, note)."""
    kernel, kver = find_kernel()
    if not kernel:
        raise Error(kver)
    busybox = find_busybox()
    if not busybox:
        raise Error("busybox not found (apt-get install busybox-static)")
    bb = os.path.join(workdir, "bin")
    os.makedirs(bb, exist_ok=True)
    for a in subprocess.run([busybox, "--list"], stdout=subprocess.PIPE, text=True,
                            check=True).stdout.split():
        if a not in ("busybox", "ip"):
            os.symlink(busybox, os.path.join(bb, a))
    l2 = os.path.join(workdir, "guest.cpio.gz")
    build_l2(l2, kver, bins.pop("NFV_VMM_MKINITRAMFS", None))
    env = dict(os.environ)
    env.update(bins)
    env.update({"NFV_KERNEL": kernel, "NFV_INITRD": l2, "NFV_CHECK_DIR": os.path.join(workdir, "c"),
                "NFV_CHECKS": checks, "NFV_IP": shutil.which("ip") or "/usr/sbin/ip",
                "PATH": bb + ":" + env.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")})
    env.update(extra_env or {})
    t = time.monotonic()
    try:
        cp = subprocess.run([busybox, "sh", os.path.join(HERE, "linux_checks.sh")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        return None, out, time.monotonic() - t, "the checks ran past %d s" % timeout
    return cp.returncode, cp.stdout.decode(errors="replace"), time.monotonic() - t, ""


def build_bins(build):
    """The binaries of a build directory, by the variable the checks use."""
    b = {"NFV_VMM": os.path.join(build, "vmm", "nfv-vmm"),
         "NFVD": os.path.join(build, "dataplane", "nfvd"),
         "NFVCTL": os.path.join(build, "control", "nfvctl"),
         "NFV_PAYLOAD": os.path.join(build, "tests", "integration", "vmm", "vmm-payload.bin"),
         "NFV_PAYLOAD_FIRST": os.path.join(build, "tests", "integration", "vmm", "vmm-payload-first.bin"),
         "NFV_VMM_MOCK": os.path.join(build, "tests", "integration", "vmm", "vmm-mock-backend")}
    for k, v in b.items():
        if not os.path.exists(v):
            raise Error("%s not found (%s): ninja -C %s first" % (v, k, build))
    return b


def main():
    ap = argparse.ArgumentParser(description="nfv-vmm's Linux-guest checks in the nested test host "
                                 "(QEMU TCG with an emulated SVM CPU), or directly on hardware KVM")
    ap.add_argument("--build", default=os.environ.get("NFV_BUILDDIR", os.path.join(REPO, "build")))
    ap.add_argument("--checks", default=ALL_CHECKS, help="default: %(default)s; also: bench")
    ap.add_argument("--timeout", type=int, default=540, help="QEMU's limit in seconds")
    ap.add_argument("--mem", type=int, default=1536, help="L1 RAM in MiB")
    ap.add_argument("--keep", help="build and keep everything in this directory")
    ap.add_argument("--direct", action="store_true", help="run on this host's KVM, no QEMU")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="the guests' kernel messages, every console and log at the end")
    a = ap.parse_args()
    extra = {"NFV_CHECK_VERBOSE": "1"} if a.verbose else None
    bins = build_bins(a.build)
    work = a.keep or tempfile.mkdtemp(prefix="nfv-nested-")
    os.makedirs(work, exist_ok=True)
    try:
        if a.direct:
            status, text, wall, note = run_direct(work, bins, a.checks, a.timeout, extra)
        else:
            status, text, wall, note = run_nested(work, bins, a.checks, a.timeout, a.mem,
                                                  extra_env=extra)
    except Error as e:
        sys.exit("nested: %s" % e)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(text if a.direct or a.verbose else tail(text, 200))
    print("nested: status %s, %.1f s%s" % (status, wall, ("; " + note) if note else ""))
    sys.exit(0 if status == 0 else 1)


if __name__ == "__main__":
    main()
