# SPDX-License-Identifier: BSD-3-Clause
"""kmirror - helpers of the kernel-mirror tests (issue 10; stdlib only,
plus PyYAML for the example configs).

  rig = kmirror.Rig(env, ifaces=[...])       # nfvd's router with a mirror
  rig.start()                                # skips (77) on an nfvd without one
  rig.kip("route", "add", ...)               # ip in the mirror netns
  kmirror.kernel_routes(ns, table)           # ip -j route, normalised
  rig.fib_routes()                           # nfvctl show routes, normalised
  kmirror.route_diff(kernel, fib)            # [] when they agree
  frr = kmirror.Frr(env, ns, "r1"); frr.start(conf_text)

What "agree" means (docs/router.md, "Origins and precedence"): every
route of the mirrored kernel table is a kernel row of nfvd's show routes
(forwarded, or shadowed by a config route of the same prefix) with the
same type and next hops (gateway, iface) and an origin naming the
kernel's protocol, and every kernel row is in the kernel table.  Left
out on both sides: the router's own rows (origin config, connected,
local), link-local IPv6 (fe80::/10: punted to the twins, never routed),
kernel nexthops marked dead (their link is down), and of several kernel
routes for one prefix all but the one with the lowest metric (the one
the kernel uses).
"""

import ipaddress
import json
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import Fail, check, log  # noqa: E402

FRR_DIR = "/usr/lib/frr"
FRR_DAEMONS = ("zebra", "staticd", "bgpd", "ospfd")
BIRD, BIRDC = "/usr/sbin/bird", "/usr/sbin/birdc"

# rtm_type numbers of `ip -N` and what nfvd's show routes calls them.
RTN = {1: "unicast", 6: "blackhole", 7: "unreachable", 8: "prohibit"}
FIB_TYPES = {"unicast": "unicast", "connected": "unicast", "multipath": "unicast",
             "blackhole": "blackhole", "unreachable": "unreachable", "prohibit": "prohibit"}
FIB_OWN = ("local", "broadcast", "multicast")

# rtm_protocol numbers and their names (iproute2's rt_protos and FRR's
# rt_protos.d, read at import when present; these are the fallback).
PROTO_NAMES = {2: {"kernel"}, 3: {"boot"}, 4: {"static"}, 8: {"gated"}, 9: {"ra"},
               10: {"mrt"}, 11: {"zebra"}, 12: {"bird"}, 16: {"dhcp"}, 18: {"keepalived"},
               42: {"babel"}, 99: {"openr"}, 186: {"bgp"}, 187: {"isis"}, 188: {"ospf"},
               189: {"rip"}, 190: {"ripng"}, 192: {"eigrp"}, 196: {"static"}}


def _read_protos():
    paths = ["/etc/iproute2/rt_protos", "/usr/share/iproute2/rt_protos"]
    for d in ("/etc/iproute2/rt_protos.d", "/usr/share/iproute2/rt_protos.d"):
        if os.path.isdir(d):
            paths += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".conf")]
    for p in paths:
        try:
            with open(p) as f:
                for line in f:
                    w = line.split("#")[0].split()
                    if len(w) >= 2 and w[0].isdigit():
                        PROTO_NAMES.setdefault(int(w[0]), set()).add(w[1])
        except OSError:
            pass


_read_protos()


def proto_matches(origin, num):
    """Does nfvd's origin name the kernel protocol num?"""
    if origin is None:
        return True         # an nfvd without origins: nothing to compare
    if origin == str(num) or origin in PROTO_NAMES.get(num, ()):
        return True
    return num == 2 and origin in ("kernel", "connected")


def norm_prefix(dst, family):
    if dst == "default":
        return "0.0.0.0/0" if family == 4 else "::/0"
    return str(ipaddress.ip_network(dst, strict=False))


def norm_addr(a):
    return str(ipaddress.ip_address(a)) if a and a != "-" else ""


def is_link_local(prefix):
    return ipaddress.ip_network(prefix).subnet_of(ipaddress.ip_network("fe80::/10")) \
        if ":" in prefix else False


def ip_json(argv, timeout=60):
    cp = nfvtest.run(argv, timeout=timeout)
    return json.loads(cp.stdout) if cp.stdout.strip() else []


def kernel_routes(ns, table, families=(4, 6)):
    """The kernel table `table` of netns ns: {prefix: route}, where a route
    is {"type", "proto" (number), "nh": ((gateway or "", dev), ...) sorted,
    "metric"} of the prefix's lowest-metric route (the one forwarded), and
    "metrics": every metric the prefix has a route of, sorted."""
    out = {}
    for fam in families:
        rows = ip_json(["ip", "-N", "-%d" % fam, "-j", "-n", ns, "route", "show", "table",
                        str(table)])
        for r in rows:
            t = int(r.get("type", 1))
            if t not in RTN or "dead" in r.get("flags", ()):
                continue
            p = norm_prefix(r["dst"], fam)
            if is_link_local(p):
                continue
            if "nexthops" in r:
                nh = [(norm_addr(h.get("gateway")), h.get("dev", "")) for h in r["nexthops"]
                      if "dead" not in h.get("flags", ())]
                if not nh:
                    continue
            elif RTN[t] == "unicast":
                nh = [(norm_addr(r.get("gateway")), r.get("dev", ""))]
            else:
                nh = []
            route = {"type": RTN[t], "proto": int(r.get("protocol", 3)),
                     "nh": tuple(sorted(nh)), "metric": int(r.get("metric", 0))}
            old = out.get(p)
            metrics = tuple(sorted((old["metrics"] if old else ()) + (route["metric"],)))
            if old is None or route["metric"] < old["metric"]:
                out[p] = route
            out[p]["metrics"] = metrics
    return out


# Origins of the router's own side (docs/router.md, "Origins and
# precedence"); every other origin is a kernel protocol.
CONFIG_ORIGINS = ("config", "connected", "local")


def fib_rows_norm(rows, side="kernel"):
    """nfvd's show routes rows of one side: {prefix: {"type", "origin",
    "nh", "shadowed", "raw"}}.  side "kernel": the mirrored routes (the
    forwarded ones and those shadowed by a config route of the same
    prefix); "config": the config side's.  The router's own rows and the
    truncation row are left out.  Rows without an origin (an nfvd before
    the mirror) count as kernel rows unless they are connected."""
    out = {}
    for r in rows:
        if "prefix" not in r or "truncated" in r:
            continue
        if r["type"] in FIB_OWN:
            continue
        origin = r.get("origin")
        if origin is None:
            mine = "config" if r["type"] == "connected" else "kernel"
        else:
            mine = "config" if origin in CONFIG_ORIGINS else "kernel"
        if mine != side:
            continue
        t = FIB_TYPES.get(r["type"], r["type"])
        nh = ()
        if t == "unicast":
            vias = [v.strip() for v in r.get("via", "").split(",")]
            ifs = [i.strip() for i in r.get("iface", "").split(",")]
            if len(vias) < len(ifs):
                vias += [""] * (len(ifs) - len(vias))
            nh = tuple(sorted((norm_addr(v), i) for v, i in zip(vias, ifs)))
        p = str(ipaddress.ip_network(r["prefix"], strict=False))
        row = {"type": t, "origin": origin, "nh": nh, "shadowed": bool(r.get("shadowed")),
               "raw": r, "metric": r.get("metric")}
        old = out.get(p)
        # A prefix's kernel routes of several metrics are rows of their
        # own: keep the forwarded one (the lowest metric), note them all.
        metrics = (old["metrics"] if old else ()) + ((r["metric"],) if "metric" in r else ())
        if old is None or (row["metric"] is not None and old["metric"] is not None
                           and row["metric"] < old["metric"]):
            out[p] = row
        out[p]["metrics"] = tuple(sorted(metrics))
    return out


def route_diff(kern, fib, limit=20):
    """What differs between a kernel table and the FIB's kernel rows (see
    the module doc).  Returns a list of lines, [] if equal."""
    diffs = []
    for p in sorted(kern, key=_pkey):
        k, f = kern[p], fib.get(p)
        if f is None:
            diffs.append("%s: kernel %s %s proto %d, not in the FIB" % (p, k["type"], _nh(k["nh"]), k["proto"]))
            continue
        if f["type"] != k["type"] or f["nh"] != k["nh"]:
            diffs.append("%s: kernel %s %s, FIB %s %s" % (p, k["type"], _nh(k["nh"]), f["type"], _nh(f["nh"])))
        elif not proto_matches(f["origin"], k["proto"]):
            diffs.append("%s: kernel proto %d, FIB origin %s" % (p, k["proto"], f["origin"]))
        elif f["metrics"] and f["metrics"] != k["metrics"]:
            diffs.append("%s: kernel metrics %s, FIB %s" % (p, k["metrics"], f["metrics"]))
    for p in sorted(fib, key=_pkey):
        if p in kern or is_link_local(p):
            continue
        f = fib[p]
        diffs.append("%s: FIB %s %s origin %s, not in the kernel table" % (p, f["type"], _nh(f["nh"]), f["origin"]))
    if len(diffs) > limit:
        diffs = diffs[:limit] + ["... %d more" % (len(diffs) - limit)]
    return diffs


def _pkey(p):
    n = ipaddress.ip_network(p)
    return (n.version, int(n.network_address), n.prefixlen)


def _nh(nh):
    return "[" + ", ".join("%s%s" % ("via %s " % g if g else "", d) for g, d in nh) + "]"


class Ctl:
    """One connection to nfvd's control socket (no process per request:
    polling every few milliseconds measures nfvd, not fork/exec)."""

    def __init__(self, path, timeout=30):
        self.path = path
        self.timeout = timeout
        self.sock = None
        self.f = None

    def _connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path)
        self.sock = s
        self.f = s.makefile("rb")

    def call(self, cmd, check_ok=True, **args):
        req = dict(args)
        req["cmd"] = cmd
        for attempt in (0, 1):
            if self.sock is None:
                self._connect()
            why = "end of file"
            try:
                self.sock.sendall((json.dumps(req) + "\n").encode())
                line = self.f.readline()
                if line:
                    break
            except OSError as e:
                why = str(e)
            self.close()    # idle-closed by the server: once more
            if attempt:
                raise Fail("control socket %s: no reply to %s (%s)" % (self.path, req, why))
        rep = json.loads(line)
        if not rep.get("ok"):
            if check_ok:
                raise Fail("%s %s: %s" % (cmd, args, rep.get("error")))
            return rep
        return rep.get("result")

    def close(self):
        if self.sock is not None:
            try:
                self.f.close()
                self.sock.close()
            except OSError:
                pass
        self.sock = self.f = None


def ns_run(ns, argv, timeout=15, check_rc=True):
    return nfvtest.run(["ip", "netns", "exec", ns] + argv, timeout=timeout, check_rc=check_rc)


def ping(ns, dst, count=3, six=None, interval=0.2, wait=2):
    """Replies received, and the output (ICMP errors show there)."""
    six = ":" in dst if six is None else six
    cp = ns_run(ns, ["ping"] + (["-6"] if six else []) +
                ["-c", str(count), "-i", str(interval), "-W", str(wait), dst],
                timeout=count * (interval + wait) + 10, check_rc=False)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", cp.stdout)
    check(m is not None, "ping %s: no statistics:\n%s%s" % (dst, cp.stdout, cp.stderr))
    log("ping %s from %s: %s" % (dst, ns, m.group(0)))
    return int(m.group(2)), cp.stdout


def snmp(ns, proto, field):
    """A counter of /proc/net/snmp (or snmp6) in netns ns, e.g. ("Icmp",
    "InEchos"), ("Udp", "NoPorts"), ("Icmp6", "InEchos"): what a host
    received, without the noise of a link counter (ND, MLD, ...)."""
    if proto.endswith("6"):
        out = ns_run(ns, ["cat", "/proc/net/snmp6"]).stdout
        for line in out.splitlines():
            w = line.split()
            if len(w) == 2 and w[0] == proto + field:
                return int(w[1])
        raise Fail("%s: no %s%s in /proc/net/snmp6" % (ns, proto, field))
    lines = [ln.split() for ln in ns_run(ns, ["cat", "/proc/net/snmp"]).stdout.splitlines()]
    for names, vals in zip(lines, lines[1:]):
        if names and names[0] == proto + ":" and vals[0] == proto + ":" and field in names:
            return int(vals[names.index(field)])
    raise Fail("%s: no %s %s in /proc/net/snmp" % (ns, proto, field))


# A UDP sender for ns_run: N flows (source ports) to DST:PORT, K each.
UDP_FLOWS = r"""
import socket, sys
dst, port, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = [socket.socket(fam, socket.SOCK_DGRAM) for _ in range(n)]
for _ in range(k):
    for s in socks:
        s.sendto(b"x" * 32, (dst, port))
"""


def udp_flows(ns, dst, n=128, k=2, port=9):
    ns_run(ns, ["/usr/bin/python3", "-c", UDP_FLOWS, dst, str(port), str(n), str(k)], timeout=30)


class Rig:
    """nfvd with one router `rtr` whose kernel twins live in netns rns,
    each iface wired to a tap port whose kernel side is in a host netns.

    ifaces: [{"name": "lan", "address": [...], "host": "10.82.1.2/24",
              "host6": "2001:db8:82:1::2/64", "host_extra": [("addr", ...)]}]
    Hosts route everything via the router (default routes to the iface's
    first address of each family).  make_netns: create the mirror netns
    first (else nfvd must)."""

    def __init__(self, env, ifaces, table=None, mirror_extra=None, dataplane=None,
                 environ=None, routes=None, make_netns=False):
        self.env = env
        if make_netns:
            self.rns = env.netns("rns")
        else:
            # nfvd creates the mirror netns when it is missing; the test
            # deletes it at cleanup.
            self.rns = "nfvit-%s-rns" % env.tag
            env.netns_list.append(self.rns)
        self.table = table or 254
        self.ifaces = ifaces
        self.hosts = {}
        ports, links = [], []
        for i in ifaces:
            ns, tap = env.netns("h" + i["name"]), env.ifname(i["name"])
            self.hosts[i["name"]] = (ns, tap)
            ports.append({"name": "p" + i["name"], "type": "tap", "ifname": tap, "netns": ns})
            links.append(["p" + i["name"], "rtr." + i["name"]])
        mirror = {"netns": self.rns}
        if table:
            mirror["table"] = table
        mirror.update(mirror_extra or {})
        rtr = {"name": "rtr", "type": "router", "mirror": mirror,
               "ifaces": [{"name": i["name"], "address": i["address"]} for i in ifaces]}
        if routes:
            rtr["routes"] = routes
        self.environ = environ or {}
        self.nfvd = env.nfvd(ports=ports, vnfs=[rtr], links=links, dataplane=dataplane)
        self.ctl = None

    def start(self, timeout=30):
        pre = ["env"] + ["%s=%s" % kv for kv in self.environ.items()] if self.environ else []
        self.nfvd.start(timeout, pre=pre)
        self.ctl = Ctl(self.nfvd.sock)
        self.env.on_cleanup(self.ctl.close)
        # The twins are up in the mirror netns, with the config's addresses.
        for i in self.ifaces:
            nfvtest.wait_for(lambda n=i["name"]: self.twin_up(n), 10,
                             "twin %s up in %s" % (i["name"], self.rns))
        nfvtest.run(["ip", "-n", self.rns, "link", "set", "lo", "up"])
        for i in self.ifaces:
            ns, tap = self.hosts[i["name"]]
            host_setup(ns, tap, i)
        return self

    def twin_up(self, name):
        cp = nfvtest.run(["ip", "-n", self.rns, "-j", "link", "show", "dev", name], check_rc=False)
        if cp.returncode != 0:
            return False
        return "UP" in json.loads(cp.stdout)[0].get("flags", [])

    def kip(self, *argv, timeout=60):
        """ip in the mirror netns; returns the time it returned (the
        kernel has made the change and sent its notification by then)."""
        nfvtest.run(["ip", "-n", self.rns] + [str(a) for a in argv], timeout=timeout)
        return time.monotonic()

    def fib_rows(self, limit=None):
        args = {"vnf": "rtr"}
        if limit:
            args["limit"] = limit
        return self.ctl.call("show routes", **args)

    def fib_routes(self, limit=4000000):
        return fib_rows_norm(self.fib_rows(limit))

    def kernel_routes(self):
        return kernel_routes(self.rns, self.table)

    def diff(self):
        return route_diff(self.kernel_routes(), self.fib_routes())

    def wait_equal(self, timeout, what):
        """Until the FIB equals the kernel table; Fail with the diff."""
        end = time.monotonic() + timeout
        while True:
            d = self.diff()
            if not d:
                return
            if time.monotonic() >= end:
                raise Fail("%s: the FIB differs from kernel table %d after %ss:\n  %s"
                           % (what, self.table, timeout, "\n  ".join(d)))
            time.sleep(0.2)

    def vnf(self):
        return self.ctl.call("show vnf", name="rtr")

    def neigh(self):
        return self.ctl.call("show neigh", vnf="rtr")

    def mirror(self):
        """`show mirror` of the router: its object (the first row when the
        reply is an array)."""
        r = self.ctl.call("show mirror", vnf="rtr")
        if isinstance(r, list):
            r = next((x for x in r if isinstance(x, dict) and x.get("vnf", "rtr") == "rtr"), {})
        return r or {}


def find_key(obj, key):
    """The first value of key anywhere in a JSON object (show mirror's
    counters may sit at the top or in a "counters" object)."""
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            r = find_key(v, key)
            if r is not None:
                return r
    elif isinstance(obj, list):
        for v in obj:
            r = find_key(v, key)
            if r is not None:
                return r
    return None


def host_setup(ns, tap, i):
    nfvtest.run(["ip", "-n", ns, "link", "set", "lo", "up"])
    gw4 = gw6 = None
    for a in i["address"]:
        if ":" in a:
            gw6 = gw6 or a.split("/")[0]
        else:
            gw4 = gw4 or a.split("/")[0]
    if i.get("host"):
        nfvtest.run(["ip", "-n", ns, "addr", "add", i["host"], "dev", tap])
        nfvtest.run(["ip", "-n", ns, "route", "add", "default", "via", gw4])
    if i.get("host6"):
        nfvtest.run(["ip", "-n", ns, "-6", "addr", "add", i["host6"], "dev", tap, "nodad"])
        nfvtest.run(["ip", "-n", ns, "-6", "route", "add", "default", "via", gw6])
    for argv in i.get("host_extra", ()):
        nfvtest.run(["ip", "-n", ns] + [a.replace("TAP", tap) for a in argv])


def wait_change(cond, what, deadline_ms, t0=None, interval=0.002, give_up=3.0):
    """Poll cond() (a true value ends the wait) from t0; return the delay
    in ms.  A change later than deadline_ms is still waited for (up to
    give_up seconds) so that a failure says how late it was; the caller
    collects the delays and fails on the late ones at the end."""
    t0 = time.monotonic() if t0 is None else t0
    end = t0 + give_up
    while True:
        if cond():
            ms = (time.monotonic() - t0) * 1000.0
            log("%-52s %7.1f ms%s" % (what, ms, "  LATE" if ms > deadline_ms else ""))
            return ms
        if time.monotonic() >= end:
            raise Fail("%s: not seen %.1f s after the change" % (what, give_up))
        time.sleep(interval)


class Frr:
    """FRR daemons (zebra, staticd, bgpd, ospfd) in network namespace ns,
    started by the test: no systemd, no /etc/frr.  Each instance has its
    own directory (vty sockets, pid files, zserv socket, logs) and
    pathspace (-N); the daemons run in the foreground as our children,
    tracked by PID like every other process of the test.  They drop to
    the frr user (FRR refuses root without the frrvty group), so the
    directory is world-writable."""

    def __init__(self, env, ns, name, daemons=FRR_DAEMONS):
        self.env = env
        self.ns = ns
        self.name = name
        self.daemons = daemons
        self.dir = env.path("frr-" + name)
        os.mkdir(self.dir)
        os.chmod(self.dir, 0o777)
        self.zserv = os.path.join(self.dir, "zserv.api")
        self.procs = {}
        self.pathspace = "nfvit%s%s" % (env.tag, name)

    def start(self, conf, timeout=20):
        """Start the daemons and load conf (an integrated frr.conf) with
        vtysh -f.  Returns self."""
        conf_path = os.path.join(self.dir, "frr.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        os.chmod(conf_path, 0o644)
        empty = os.path.join(self.dir, "empty.conf")
        open(empty, "w").close()
        os.chmod(empty, 0o644)
        for d in self.daemons:
            argv = ["ip", "netns", "exec", self.ns, os.path.join(FRR_DIR, d),
                    "-N", self.pathspace, "-u", "frr", "-g", "frr",
                    "--vty_socket", self.dir, "-i", os.path.join(self.dir, d + ".pid"),
                    "-z", self.zserv, "-P", "0", "-f", empty,
                    "--log", "file:" + os.path.join(self.dir, d + ".log")]
            self.procs[d] = self.env.spawn("frr-%s-%s" % (self.name, d), argv)
            sock = os.path.join(self.dir, d + ".vty")
            nfvtest.wait_for(lambda p=self.procs[d], s=sock: self._alive_and(p, s), timeout,
                             "FRR %s %s to open its vty" % (self.name, d))
        self.vtysh("-f", conf_path)
        log("FRR %s up in %s: %s" % (self.name, self.ns,
                                     ", ".join("%s %d" % (d, p.pid) for d, p in self.procs.items())))
        return self

    def _alive_and(self, p, path):
        if not p.alive():
            raise Fail("FRR %s exited with %s:\n%s" % (p.name, p.p.returncode, nfvtest.tail(p.log_path)))
        if self.zserv and p.name.endswith("zebra") and not os.path.exists(self.zserv):
            return False
        return os.path.exists(path)

    def vtysh(self, *args, timeout=20):
        cp = nfvtest.run(["vtysh", "--vty_socket", self.dir] + list(args), timeout=timeout,
                         check_rc=False)
        if cp.returncode != 0:
            raise Fail("FRR %s: vtysh %s: exit %d: %s" % (self.name, " ".join(args), cp.returncode,
                                                         (cp.stdout + cp.stderr).strip()[-1500:]))
        return cp.stdout

    def cmd(self, *lines):
        argv = []
        for ln in lines:
            argv += ["-c", ln]
        return self.vtysh(*argv)

    def show_json(self, what):
        out = self.vtysh("-c", what)
        try:
            return json.loads(out) if out.strip() else {}
        except ValueError:
            raise Fail("FRR %s: %s: not JSON: %r" % (self.name, what, out[:300]))

    def bgp_state(self, peer):
        s = self.show_json("show bgp summary json")
        return s.get("ipv4Unicast", {}).get("peers", {}).get(peer, {}).get("state")

    def ospf_full(self, nbr_id):
        s = self.show_json("show ip ospf neighbor json")
        for n in s.get("neighbors", {}).get(nbr_id, []):
            if str(n.get("converged", n.get("nbrState", ""))).startswith("Full"):
                return True
        return False

    def logs(self):
        return "\n".join("--- %s ---\n%s" % (d, nfvtest.tail(os.path.join(self.dir, d + ".log"), 15))
                         for d in self.daemons)

    def stop(self):
        for d in reversed(list(self.procs)):
            self.procs[d].stop()


class Bird:
    """BIRD 2 in network namespace ns, started by the test in the
    foreground (-f) as our child, with its own control socket and pid
    file; tracked by PID like every other process of the test."""

    def __init__(self, env, ns, name):
        self.env = env
        self.ns = ns
        self.name = name
        self.dir = env.path("bird-" + name)
        os.mkdir(self.dir)
        self.sock = os.path.join(self.dir, "bird.ctl")
        self.proc = None

    def start(self, conf_path, timeout=20):
        """Start BIRD with conf_path (checked with bird -p first).  Returns
        self."""
        nfvtest.run([BIRD, "-p", "-c", conf_path])
        argv = ["ip", "netns", "exec", self.ns, BIRD, "-f", "-c", conf_path, "-s", self.sock,
                "-P", os.path.join(self.dir, "bird.pid")]
        self.proc = self.env.spawn("bird-" + self.name, argv)

        def up():
            if not self.proc.alive():
                raise Fail("BIRD %s exited with %s:\n%s" % (self.name, self.proc.p.returncode,
                                                            nfvtest.tail(self.proc.log_path)))
            return os.path.exists(self.sock)
        nfvtest.wait_for(up, timeout, "BIRD %s to open its control socket" % self.name)
        log("BIRD %s up in %s: pid %d" % (self.name, self.ns, self.proc.pid))
        return self

    def cmd(self, *args, timeout=20):
        cp = nfvtest.run([BIRDC, "-s", self.sock] + list(args), timeout=timeout, check_rc=False)
        if cp.returncode != 0:
            raise Fail("BIRD %s: birdc %s: exit %d: %s" % (self.name, " ".join(args), cp.returncode,
                                                          (cp.stdout + cp.stderr).strip()[-1500:]))
        return cp.stdout

    def logs(self):
        try:
            protos = self.cmd("show", "protocols", timeout=5)
        except Fail as e:
            protos = str(e)
        return "%s\n%s" % (protos, nfvtest.tail(self.proc.log_path, 15) if self.proc else "")

    def stop(self):
        if self.proc is not None:
            self.proc.stop()


class RouteChurn:
    """Random route changes for `ip -batch` (tests c and d, the benchmark).

    Prefixes come from 100.64.0.0/10 (/20../28) and 2001:db8:8000::/33
    (/40../64), away from everything the tests route traffic to; kinds:
    unicast via one of nh4/nh6 (gateways), multipath over two of them,
    blackhole.  `live` is what the kernel table holds after the lines
    generated so far, so deletes and replaces only name live prefixes and
    a valid batch never fails."""

    def __init__(self, rng, table, nh4, nh6=(), v6=0.1, multipath=0.1, blackhole=0.05,
                 len4=(20, 28), len6=(40, 64)):
        self.rng = rng
        self.table = table
        self.nh4, self.nh6 = list(nh4), list(nh6)
        self.v6 = v6 if nh6 else 0.0
        self.multipath = multipath
        self.blackhole = blackhole
        self.len4, self.len6 = len4, len6
        self.live = {}
        self.keys = []          # live prefixes, for O(1) random picks
        self.pos = {}

    def _new_prefix(self):
        r = self.rng
        while True:
            if r.random() < self.v6:
                ln = r.randint(*self.len6)
                a = (0x20010db8 << 96) | (1 << 95) | (r.getrandbits(95) & ~((1 << (128 - ln)) - 1))
                p = "%s/%d" % (ipaddress.IPv6Address(a), ln)
            else:
                ln = r.randint(*self.len4)
                a = (100 << 24) | (64 << 16) | (r.getrandbits(22) & ~((1 << (32 - ln)) - 1) & 0x3fffff)
                p = "%s/%d" % (ipaddress.IPv4Address(a), ln)
            if p not in self.live:
                return p

    def _body(self, p):
        r = self.rng
        gws = self.nh6 if ":" in p else self.nh4
        x = r.random()
        if x < self.blackhole:
            return "blackhole %s table %d" % (p, self.table)
        if x < self.blackhole + self.multipath and len(gws) >= 2:
            a, b = r.sample(gws, 2)
            return "%s table %d nexthop via %s nexthop via %s" % (p, self.table, a, b)
        return "%s table %d via %s" % (p, self.table, r.choice(gws))

    def _set(self, p, body):
        if p not in self.live:
            self.pos[p] = len(self.keys)
            self.keys.append(p)
        self.live[p] = body

    def _del(self, p):
        i = self.pos.pop(p)
        last = self.keys.pop()
        if last != p:
            self.keys[i] = last
            self.pos[last] = i
        del self.live[p]

    def add(self):
        p = self._new_prefix()
        body = self._body(p)
        self._set(p, body)
        return "route add " + body

    def replace(self):
        p = self.rng.choice(self.keys)
        body = self._body(p)
        self._set(p, body)
        return "route replace " + body

    def delete(self):
        p = self.rng.choice(self.keys)
        self._del(p)
        return "route del %s table %d" % (p, self.table)

    def ops(self, n, p_add=0.5, p_replace=0.2):
        """n changes in random order (adds, replaces, deletes)."""
        out = []
        for _ in range(n):
            x = self.rng.random()
            if not self.keys or x < p_add:
                out.append(self.add())
            elif x < p_add + p_replace:
                out.append(self.replace())
            else:
                out.append(self.delete())
        return out


def write_batch(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


# UDP traffic to fixed destinations (tests d, the benchmark): a sender
# that stops when STOPFILE appears (or after MAX seconds) and a receiver
# that counts per destination; both write JSON {dst: count} to OUT.
TRAFFIC = r"""
import json, os, select, socket, sys, time
mode, out, stop, maxs, port = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
dsts = sys.argv[7:]
end = time.monotonic() + maxs
def fam(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET
counts = dict.fromkeys(dsts, 0)
if mode == "send":
    pps = float(sys.argv[6])
    socks = {d: socket.socket(fam(d), socket.SOCK_DGRAM) for d in dsts}
    t0, n = time.monotonic(), 0
    while not os.path.exists(stop) and time.monotonic() < end:
        due = int((time.monotonic() - t0) * pps)
        while n < due:
            d = dsts[n % len(dsts)]
            try:
                socks[d].sendto(b"nfv%09d" % n, (d, port))
                counts[d] += 1
            except OSError:
                pass
            n += 1
        time.sleep(0.005)
else:
    socks = {}
    for d in dsts:
        s = socket.socket(fam(d), socket.SOCK_DGRAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)   # SO_RCVBUFFORCE
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        s.bind((d, port))
        s.setblocking(False)
        socks[s] = d
    open(out + ".ready", "w").close()
    quiet = None
    while time.monotonic() < end:
        r, _, _ = select.select(list(socks), [], [], 0.2)
        for s in r:
            while True:
                try:
                    s.recv(64)
                except BlockingIOError:
                    break
                counts[socks[s]] += 1
        if os.path.exists(stop):
            if r:
                quiet = None
            elif quiet is None:
                quiet = time.monotonic()
            elif time.monotonic() - quiet > 1.0:
                break
with open(out, "w") as f:
    json.dump(counts, f)
"""


class Traffic:
    """UDP from netns src to dsts (addresses held by netns dst_ns) at pps
    while running, counted at both ends; bounded by max_s."""

    def __init__(self, env, src_ns, dst_ns, dsts, pps=2000, max_s=120, port=5399, name="traffic"):
        self.env = env
        self.stop_file = env.path(name + ".stop")
        self.sent_file = env.path(name + ".sent.json")
        self.recv_file = env.path(name + ".recv.json")
        self.dsts = list(dsts)
        common = [str(max_s), str(port), str(pps)] + self.dsts
        self.rx = env.spawn(name + "-rx", ["ip", "netns", "exec", dst_ns, "/usr/bin/python3", "-c",
                                           TRAFFIC, "recv", self.recv_file, self.stop_file] + common)
        nfvtest.wait_for(lambda: os.path.exists(self.recv_file + ".ready"), 10, "the UDP receiver")
        self.tx = env.spawn(name + "-tx", ["ip", "netns", "exec", src_ns, "/usr/bin/python3", "-c",
                                           TRAFFIC, "send", self.sent_file, self.stop_file] + common)

    def stop(self, timeout=15):
        open(self.stop_file, "w").close()
        self.tx.wait(timeout)
        self.rx.wait(timeout)
        with open(self.sent_file) as f:
            sent = json.load(f)
        with open(self.recv_file) as f:
            recv = json.load(f)
        return sent, recv
