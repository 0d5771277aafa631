#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Idle workers give their core back (dataplane.idle: sleep | interrupt).

`test_idle.py sleep|interrupt`: one nfvd with two vhost-user ports (a
dpdk-testpmd with two virtio-user ports on them, idle at its prompt), a
tap in a netns, an l2switch between the three and a router (unlinked: only
its route table matters here).

1. idle CPU: after the workers settled, nfvd's threads together use under
   2% of a core in sleep mode (idle_sleep_max_us 5000: see SLEEP_MAX_US),
   under 0.5% in interrupt mode, measured from
   /proc/PID/task/*/schedstat (nanoseconds on a CPU) over IDLE_S seconds;
   `nfvctl -j show stats` says the worker is sleeping / blocked and asleep
   nearly all the time;
2. updates while every worker sleeps: each of UPDATES `route add` / `route
   del` requests, sent straight on the control socket, gets its reply
   within 10 ms (median; none slower than 50 ms).  The router waits for an
   RCU grace period on each; a worker that stayed online while blocked
   would hold it up for the whole block (100 ms);
3. traffic after the long idle period: testpmd starts a closed mac-forward
   loop p1 <-> p2; the loop keeps running (frames do not go missing), every
   frame testpmd sent was received by nfvd, nfvd dropped none, and what
   nfvd sent testpmd received (up to the frames in flight at `stop`);
4. a port added while the worker is blocked or asleep is served: a pcap
   port added with `nfvctl port add` has all its frames read within 2 s,
   and after `port del` the worker rests at the same low CPU again.

`test_idle.py crowd`: three nfvd (interrupt, sleep, interrupt) and a QEMU
guest on this 2-core machine at once: the guest boots and pings a host in
a netns through the first nfvd, while the other two sit idle; each nfvd
answers nfvctl within 1 s all along, and all together stay under 10% of a
core while the guest is gone.
"""
import glob
import json
import os
import re
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

MAC = ["02:00:00:00:01:01", "02:00:00:00:01:02"]
BURST = 32
IDLE_S = 4.0
UPDATES = 20
# Share of one core an idle nfvd may use, by mode (issue 17).
CPU_LIMIT = {"sleep": 2.0, "interrupt": 0.5}
# One sleep and wake-up costs this nested-virtualization machine about
# 30 us of CPU in the kernel alone (a bare nanosleep() loop: 9-10% of a
# core at 250 us), so the 2% of sleep mode needs longer sleeps than the
# default: the lab setting of docs/operations.md.
SLEEP_MAX_US = 5000


PCAP_FRAMES = 10


def write_pcap(path, n):
    """n broadcast frames of 60 bytes in a classic pcap file."""
    import struct
    frame = bytes.fromhex("ffffffffffff" "020000000f01" "88b5") + bytes(46)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            f.write(struct.pack("<IIII", 1, i, len(frame), len(frame)) + frame)


def cpu_ns(pid):
    """CPU time of every thread of `pid` so far, in ns (schedstat)."""
    total = 0
    for f in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            with open(f) as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that ended meanwhile
    return total


def cpu_pct(pid, seconds):
    """Share of one core `pid` used over the next `seconds`, in %."""
    c0, t0 = cpu_ns(pid), time.monotonic()
    time.sleep(seconds)
    c1, t1 = cpu_ns(pid), time.monotonic()
    return 100.0 * (c1 - c0) / ((t1 - t0) * 1e9)


def workers(nfvd):
    return nfvd.nfvctl("show", "stats")["workers"]


class Ctl:
    """A raw connection to nfvd's control socket: one JSON line each way,
    timed without nfvctl's process start."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(5)
        self.s.connect(path)
        self.buf = b""

    def call(self, req):
        t0 = time.monotonic()
        self.s.sendall((json.dumps(req) + "\n").encode())
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise nfvtest.Fail("control socket closed during %r" % req)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        dt = time.monotonic() - t0
        rep = json.loads(line)
        check(rep.get("ok") is True, "%r: %r" % (req, rep))
        return dt

    def close(self):
        self.s.close()


def wait_resting(nfvd, mode, timeout=5):
    want = "sleeping" if mode == "sleep" else "blocked"

    def ok():
        # A sleeping worker is awake between sleeps: ask a few times.
        return any(w["state"] == want for w in workers(nfvd))
    nfvtest.wait_for(ok, timeout, "the worker to be %s" % want, interval=0.05)


def run_mode(env, mode):
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for nfvd's tap port")
    names = ["p1", "p2"]
    socks = [env.path("%s.sock" % n) for n in names]
    ns = env.netns("h")
    tap = env.ifname("h")
    dp = {"idle": mode}
    if mode == "sleep":
        dp["idle_sleep_max_us"] = SLEEP_MAX_US
    nfvd = env.nfvd(
        dataplane=dp,
        ports=[{"name": n, "type": "vhost-user", "path": s, "mode": "server"} for n, s in zip(names, socks)]
        + [{"name": "h", "type": "tap", "ifname": tap, "netns": ns}],
        vnfs=[{"name": "sw", "type": "l2switch",
               "ifaces": [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}]},
              {"name": "rtr", "type": "router",
               "ifaces": [{"name": "lan", "mac": "02:00:00:00:0e:01", "address": ["10.9.0.1/24"]}]}],
        links=[["p1", "sw.a"], ["p2", "sw.b"], ["h", "sw.c"]])
    nfvd.start()
    for s in socks:
        nfvtest.wait_for_socket(s)
    pmd = env.testpmd(vdevs=["net_virtio_user%d,path=%s,mac=%s" % (i, s, MAC[i]) for i, s in enumerate(socks)],
                      peers=[MAC[1], MAC[0]], fwd="mac")
    pmd.start()
    nfvd.wait_links(names + ["h"])

    # 1. Idle CPU, from /proc.
    wait_resting(nfvd, mode)
    time.sleep(1)
    w0 = workers(nfvd)[0]
    pct = cpu_pct(nfvd.pid, IDLE_S)
    w1 = workers(nfvd)[0]
    log("idle %s: nfvd used %.3f%% of a core over %.0f s, %d wake-ups; worker %s"
        % (mode, pct, IDLE_S, w1["wakeups"] - w0["wakeups"], w1))
    check_eq(w1["idle_mode"], mode, "show stats: idle_mode")
    check(pct < CPU_LIMIT[mode], "idle nfvd in %s mode used %.3f%% of a core (limit %.1f%%)"
          % (mode, pct, CPU_LIMIT[mode]))
    check(w1["asleep_pct"] > 50, "show stats: worker asleep only %.1f%% of the time" % w1["asleep_pct"])
    check(w1["wakeups"] >= w0["wakeups"], "show stats: wakeups went back")
    if mode == "sleep":
        # 5 ms at most per sleep: about 200 wake-ups a second.
        check(w1["wakeups"] - w0["wakeups"] > 50 * IDLE_S, "sleep mode: only %d wake-ups in %.0f s"
              % (w1["wakeups"] - w0["wakeups"], IDLE_S))

    # 2. Route updates while the worker sleeps or is blocked: each one
    # waits for a grace period in the router.
    ctl = Ctl(nfvd.sock)
    times = []
    for i in range(UPDATES):
        wait_resting(nfvd, mode)
        pfx = "10.%d.%d.0/24" % (100 + i // 200, i % 200)
        times.append(ctl.call({"cmd": "route add", "vnf": "rtr", "prefix": pfx, "via": "10.9.0.254"}))
        times.append(ctl.call({"cmd": "route del", "vnf": "rtr", "prefix": pfx}))
    ctl.close()
    med, worst = statistics.median(times), max(times)
    log("route add/del while %s: median %.2f ms, max %.2f ms over %d" % (mode, med * 1e3, worst * 1e3, len(times)))
    check(med < 0.010, "route updates while the worker rests: median %.1f ms (limit 10 ms)" % (med * 1e3))
    check(worst < 0.050, "route updates while the worker rests: the slowest took %.1f ms" % (worst * 1e3))

    # 3. Traffic after the long idle period: a closed loop, nothing lost.
    wait_resting(nfvd, mode)
    pmd.cmd("set portlist 0,1")
    pmd.cmd("clear port stats all")
    before = nfvd.ports()
    pmd.cmd("start tx_first 4")
    time.sleep(2)
    mid = nfvd.ports()
    time.sleep(1)
    pmd.cmd("stop")
    after = nfvd.wait_stable()
    st = pmd.stats()
    log("loop after idle: testpmd %s" % st)
    for i, n in enumerate(names):
        moved = after[n]["tx_packets"] - mid[n]["tx_packets"]
        check(moved > 1000, "loop: nfvd %s sent only %d frames in the last second" % (n, moved))
        check_eq(after[n]["rx_packets"] - before[n]["rx_packets"], st[i]["tx_packets"],
                 "loop: nfvd %s rx_packets vs testpmd TX" % n)
        got = after[n]["tx_packets"] - before[n]["tx_packets"]
        check(st[i]["rx_packets"] <= got <= st[i]["rx_packets"] + 9 * BURST,
              "loop: nfvd %s tx %d vs testpmd RX %d" % (n, got, st[i]["rx_packets"]))
        drops = {k: v - before[n]["drops"].get(k, 0) for k, v in after[n]["drops"].items()}
        check(sum(drops.values()) == 0, "loop: nfvd %s dropped frames: %s" % (n, drops))
    log("loop: %d and %d frames per direction in 3 s" % (st[0]["rx_packets"], st[1]["rx_packets"]))
    w2 = workers(nfvd)[0]
    if mode == "interrupt":
        check(w2["notified"] > w1["notified"], "interrupt mode: no block ended by a notification")

    # 4. A port added while the worker rests is served: a pcap port whose
    # frames must all be read (pcap cannot notify: the worker checks it
    # every idle_sleep_max_us), then removed again.
    rx = env.path("in.pcap")
    write_pcap(rx, PCAP_FRAMES)
    wait_resting(nfvd, mode)
    nfvd.nfvctl("port", "add", "p3", "type", "pcap", "rx", rx, "link", "sw.d")
    # The new graph wakes a blocked worker at once: well before the 1 s
    # its block would last otherwise.
    t0 = time.monotonic()
    nfvtest.wait_for(lambda: nfvd.ports()["p3"]["rx_packets"] == PCAP_FRAMES, 2,
                     "the %d frames of a port added while the worker rests" % PCAP_FRAMES, interval=0.02)
    dt = time.monotonic() - t0
    log("port added while %s: its frames read %.0f ms after the reply" % (mode, dt * 1e3))
    check(dt < 0.5, "a port added while the worker rests was served only after %.0f ms" % (dt * 1e3))
    if mode == "interrupt":
        check_eq(workers(nfvd)[0]["capped_by"], "p3", "show stats: the port that caps the block")
    wait_resting(nfvd, mode)
    nfvd.nfvctl("port", "del", "p3")
    check("p3" not in nfvd.ports(), "port del while %s: p3 still there" % mode)
    # And the worker rests again, with what it has now (the control
    # thread's housekeeping slows down a period after the last packet).
    wait_resting(nfvd, mode)
    time.sleep(1.5)
    pct = cpu_pct(nfvd.pid, 2)
    log("idle again: %.3f%% of a core" % pct)
    check(pct < CPU_LIMIT[mode], "after the loop nfvd used %.3f%% of a core idle" % pct)

    check(nfvd.alive(), "nfvd died")
    pmd.quit()
    nfvd.stop_clean()


def crowd(env):
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        nfvtest.skip("no kernel in /boot (apt-get install linux-image-amd64)")
    if not any(os.access(b, os.X_OK) for b in ("/bin/busybox", "/usr/bin/busybox")):
        nfvtest.skip("no busybox (apt-get install busybox-static)")
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for nfvd's tap port")
    kit = os.path.join(nfvtest.REPO, "vmm", "guest", "mkinitramfs.sh")
    initrd = env.path("initrd.cpio.gz")
    cp = nfvtest.run(["sh", kit, "-o", initrd], timeout=60)
    m = re.search(r"^kernel: (\S+)", cp.stdout, re.M)
    check(m is not None and os.path.exists(m.group(1)), "mkinitramfs.sh named no kernel:\n%s" % cp.stdout)
    kernel = m.group(1)

    # nfvd 1 serves the guest; 2 and 3 idle with a vhost-user port each.
    ns = env.netns("h1")
    tap = env.ifname("h1")
    vm_sock = env.path("vm.sock")
    daemons = [env.nfvd(
        name="nfvd1", dataplane={"idle": "interrupt"},
        ports=[{"name": "vm", "type": "vhost-user", "path": vm_sock, "mode": "server"},
               {"name": "h1", "type": "tap", "ifname": tap, "netns": ns}],
        vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
        links=[["vm", "sw.a"], ["h1", "sw.b"]])]
    for k, mode in ((2, "sleep"), (3, "interrupt")):
        daemons.append(env.nfvd(
            name="nfvd%d" % k, dataplane={"idle": mode},
            ports=[{"name": "v%d" % j, "type": "vhost-user", "path": env.path("n%d-%d.sock" % (k, j)),
                    "mode": "server"} for j in (1, 2)],
            vnfs=[{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
            links=[["v1", "sw.a"], ["v2", "sw.b"]]))
    for d in daemons:
        d.start()
    nfvtest.run(["ip", "-n", ns, "link", "set", "lo", "up"])
    nfvtest.run(["ip", "-n", ns, "addr", "add", "10.77.0.1/24", "dev", tap])

    serial = env.path("serial.log")
    cmdline = ("console=ttyS0 quiet panic=-1 nfv.ip=10.77.0.2/24 nfv.wait=20 "
               'nfv.run="ping -c 3 -W 3 10.77.0.1" nfv.halt=poweroff')
    t0 = time.monotonic()
    qemu = env.spawn("qemu", [
        "qemu-system-x86_64", "-accel", "tcg", "-smp", "1", "-m", "256M",
        "-machine", "pc,memory-backend=mem",
        "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
        "-chardev", "socket,id=c0,path=%s" % vm_sock,
        "-netdev", "vhost-user,id=n0,chardev=c0",
        "-device", "virtio-net-pci,netdev=n0,vectors=0,mac=02:00:00:00:0a:02",
        "-kernel", kernel, "-initrd", initrd, "-append", cmdline,
        "-display", "none", "-serial", "file:%s" % serial, "-monitor", "none",
        "-nodefaults", "-no-reboot"])

    def serial_text():
        try:
            with open(serial, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    slowest = 0.0
    out = None
    end = time.monotonic() + 75
    while out is None:
        # Every nfvd answers promptly while the guest boots next to them.
        for d in daemons:
            c0 = time.monotonic()
            d.nfvctl("show", "stats")
            slowest = max(slowest, time.monotonic() - c0)
        t = serial_text()
        if "NFV-GUEST: run rc=" in t:
            out = t
        elif not qemu.alive():
            raise nfvtest.Fail("QEMU exited (%s) before the guest ran its command:\n%s"
                               % (qemu.p.returncode, t[-3000:]))
        elif time.monotonic() > end:
            raise nfvtest.Fail("the guest did not run its ping in 75 s:\n%s" % t[-3000:])
        else:
            time.sleep(0.5)
    log("guest ran its ping %.1f s after QEMU started; slowest nfvctl %.0f ms"
        % (time.monotonic() - t0, slowest * 1e3))
    check("NFV-GUEST: run rc=0" in out, "guest ping failed:\n%s" % out[-3000:])
    check(slowest < 1.0, "an nfvd took %.1f s to answer nfvctl" % slowest)
    nfvtest.wait_for(lambda: not qemu.alive(), 20, "the guest to power off")
    # The three of them idle together: a small share of a core.
    time.sleep(1)
    c0 = [cpu_ns(d.pid) for d in daemons]
    time.sleep(3)
    used = [100.0 * (cpu_ns(d.pid) - c) / 3e9 for d, c in zip(daemons, c0)]
    log("idle afterwards: %s %% of a core" % ", ".join("%.2f" % u for u in used))
    check(sum(used) < 10.0, "three idle nfvd used %.1f%% of a core" % sum(used))
    for d in daemons:
        check(d.alive(), "%s died" % d.name)
        d.stop_clean()


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "sleep"
    if what == "crowd":
        nfvtest.main(crowd, "idle-crowd", budget=110, needs=["qemu-system-x86_64", "cpio", "gzip"])
    else:
        nfvtest.main(lambda env: run_mode(env, what), "idle-%s" % what, budget=90,
                     needs=["dpdk-testpmd"])
