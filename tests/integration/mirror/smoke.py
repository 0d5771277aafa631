#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The kernel mirror's smoke test (control/mirror/, docs/control-plane.md).

  netns h1 -- tap -- nfvd: router rtr (lan, wan) -- tap -- netns h2
                         `- mirror: netns M (created by nfvd)
                              twins: lan, wan (taps, the ifaces' MAC/MTU)

Checks: nfvd creates the netns, the twins are there with the ifaces' MAC,
MTU and the config's addresses (IPv6 usable at once: no DAD), `ip route
add` in the netns appears in `nfvctl show routes` and `ip route del`
removes it, and at stop the twins and the netns nfvd created are gone.
The broader tests (traffic, FRR, overrun, churn) are the other files of
this folder.
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import nfvtest  # noqa: E402
from nfvtest import check, check_eq, log  # noqa: E402

LAN_MAC, WAN_MAC = "02:00:00:00:91:01", "02:00:00:00:91:02"
R_LAN, R_WAN, R6_LAN = "10.91.1.1", "10.91.2.1", "2001:db8:91:1::1"


def ip_json(*argv):
    cp = nfvtest.run(["ip", "-j"] + list(argv))
    return json.loads(cp.stdout or "[]")


def routes(nfvd):
    return {r["prefix"]: r for r in nfvd.nfvctl("show", "routes") if "prefix" in r}


def run(env):
    if not os.path.exists("/dev/net/tun"):
        nfvtest.skip("no /dev/net/tun for the twins")
    ns1, ns2 = env.netns("h1"), env.netns("h2")
    mns = "nfvit-%s-mirror" % env.tag
    # nfvd creates it; removed here too should the test fail half-way.
    env.on_cleanup(lambda: nfvtest.run(["ip", "netns", "del", mns], check_rc=False))
    nfvd = env.nfvd(
        ports=[{"name": "h1", "type": "tap", "ifname": env.ifname("h1"), "netns": ns1},
               {"name": "h2", "type": "tap", "ifname": env.ifname("h2"), "netns": ns2}],
        vnfs=[{"name": "rtr", "type": "router", "mirror": {"netns": mns},
               "ifaces": [
                   {"name": "lan", "mac": LAN_MAC, "address": [R_LAN + "/24", R6_LAN + "/64"]},
                   {"name": "wan", "mac": WAN_MAC, "address": [R_WAN + "/24"]}]}],
        links=[["h1", "rtr.lan"], ["h2", "rtr.wan"]],
        # Idle workers block: the twins' frames (inject) must wake them.
        dataplane={"idle": "interrupt"})
    cp = nfvtest.run([nfvd.bin, "-t", "-c", nfvd.cfg_path], check_rc=False)
    if cp.returncode != 0 and "mirror" in (cp.stdout + cp.stderr):
        nfvtest.skip("this nfvd's router has no `mirror:` key yet: %s"
                     % (cp.stdout + cp.stderr).strip())
    check_eq(cp.returncode, 0, "nfvd -t: %s" % (cp.stdout + cp.stderr).strip())
    check(not os.path.exists("/run/netns/" + mns), "netns %s exists before the start" % mns)
    nfvd.start()
    check(os.path.exists("/run/netns/" + mns), "nfvd did not create netns %s" % mns)

    # The twins: MAC, MTU, up, the config's addresses.
    for name, mac in (("lan", LAN_MAC), ("wan", WAN_MAC)):
        links = ip_json("-n", mns, "link", "show", "dev", name)
        check_eq(len(links), 1, "twin %s in netns %s" % (name, mns))
        lk = links[0]
        log("twin %s: %s mtu %s flags %s" % (name, lk.get("address"), lk.get("mtu"),
                                             lk.get("flags")))
        check_eq(lk.get("address"), mac, "twin %s MAC" % name)
        check_eq(lk.get("mtu"), 1500, "twin %s MTU" % name)
        check("UP" in lk.get("flags", []), "twin %s is not up" % name)
    addrs = ip_json("-n", mns, "addr", "show", "dev", "lan")[0]["addr_info"]
    got = {(a["local"], a["prefixlen"]): a for a in addrs}
    check((R_LAN, 24) in got, "lan twin lacks %s/24: %s" % (R_LAN, list(got)))
    check((R6_LAN, 64) in got, "lan twin lacks %s/64: %s" % (R6_LAN, list(got)))
    check(not got[(R6_LAN, 64)].get("tentative"), "%s is tentative (DAD)" % R6_LAN)

    # A route added in the netns reaches the FIB; its delete too.
    nfvtest.run(["ip", "-n", mns, "route", "add", "10.91.50.0/24", "via", "10.91.2.2"])
    nfvtest.wait_for(lambda: "10.91.50.0/24" in routes(nfvd), 5,
                     "10.91.50.0/24 in nfvctl show routes")
    log("mirrored: %s" % routes(nfvd)["10.91.50.0/24"])
    nfvtest.run(["ip", "-n", mns, "-6", "route", "add", "2001:db8:91:50::/64", "via",
                 "2001:db8:91:1::2"])
    nfvtest.wait_for(lambda: "2001:db8:91:50::/64" in routes(nfvd), 5,
                     "2001:db8:91:50::/64 in nfvctl show routes")
    t0 = time.monotonic()
    nfvtest.run(["ip", "-n", mns, "route", "del", "10.91.50.0/24"])
    nfvtest.wait_for(lambda: "10.91.50.0/24" not in routes(nfvd), 5,
                     "10.91.50.0/24 gone from nfvctl show routes")
    log("delete mirrored within %.0f ms" % ((time.monotonic() - t0) * 1000))

    # Echo to the router: punted to the twin, the kernel's reply injected.
    # The worker blocks (idle: interrupt) between the pings; without the
    # inject's wake-up each reply waits for the 100 ms cap of a block.
    h1 = env.ifname("h1")
    nfvtest.run(["ip", "-n", ns1, "addr", "add", "10.91.1.2/24", "dev", h1])
    nfvtest.run(["ip", "-n", ns1, "link", "set", h1, "up"])
    nfvtest.run(["ip", "netns", "exec", ns1, "ping", "-c", "2", "-W", "2", R_LAN],
                check_rc=False)  # ARP on both sides
    cp = nfvtest.run(["ip", "netns", "exec", ns1, "ping", "-c", "6", "-i", "0.3", "-W", "2",
                      R_LAN], check_rc=False)
    rtts = [float(x) for x in re.findall(r"time=([0-9.]+) ms", cp.stdout)]
    log("echo to the router's twin with blocked workers: rtt %s ms" % rtts)
    check_eq(len(rtts), 6, "echo replies from the twin: %s" % cp.stdout.strip())
    check(sorted(rtts)[len(rtts) // 2] < 50,
          "median echo rtt %.1f ms: injected replies wait for a blocked worker's cap"
          % sorted(rtts)[len(rtts) // 2])

    cp = nfvd.nfvctl("show", "mirror", check_rc=False)
    if isinstance(cp, (list, dict)):
        log("show mirror: %s" % json.dumps(cp)[:600])

    check(nfvd.alive(), "nfvd died")
    nfvd.stop_clean()
    check(not os.path.exists("/run/netns/" + mns),
          "nfvd left the netns %s it created behind" % mns)


if __name__ == "__main__":
    nfvtest.main(run, "mirror-smoke", budget=70, needs=["ip"])
