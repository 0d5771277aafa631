#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""configs/chain.yaml forwards what nfv-bench sends it.

The frames come from nfv-bench itself (--write-pcap with the config's
`# nfv-bench-args:` line): port 0's go into p0, port 1's into p1, through
a copy of configs/chain.yaml whose two vhost-user ports are pcap ports.
Every frame must come out of the other port switched, routed and passed
by the firewall: the same frame with the router's MACs (source: the
iface it leaves by; destination: the neighbour of the route), the TTL
one lower and the IPv4 checksum updated, nothing else changed, in order
and none lost.  tests/pcap/common/run_pcap_test.py runs the case (and
checks every VNF's fates invariant); this script builds it.

    test_chain.py   (NFV_BENCH, NFVD, NFVCTL: the programs; NFV_PCAP_KEEP=1
                     keeps the case)

Exit 0 pass, 1 fail, 77 skipped (scapy or PyYAML missing).
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CONFIG = os.path.join(REPO, "configs", "chain.yaml")
RUNNER = os.path.join(HERE, "..", "common", "run_pcap_test.py")

try:
    import yaml
    from scapy.all import Ether, IP, wrpcap
    from scapy.utils import RawPcapReader
except ImportError as e:  # pragma: no cover - depends on the machine
    print("SKIP: %s (install python3-scapy and python3-yaml)" % e)
    sys.exit(77)


def read_frames(path):
    r = RawPcapReader(path)
    try:
        return [bytes(d) for d, _ in r]
    finally:
        r.close()


def bench_args(path):
    for line in open(path):
        s = line.strip()
        if s.startswith("#") and "nfv-bench-args:" in s:
            return shlex.split(s.split("nfv-bench-args:", 1)[1])
    return []


def routed(frame, src_mac, dst_mac):
    """The frame as the router sends it on: new MACs, TTL - 1, checksum."""
    p = Ether(frame)
    p.src, p.dst = src_mac, dst_mac
    p[IP].ttl -= 1
    del p[IP].chksum
    return bytes(p)


def main():
    bench = os.environ.get("NFV_BENCH") or os.path.join(REPO, "build", "dataplane", "bench", "nfv-bench")
    cfg = yaml.safe_load(open(CONFIG))
    rtr = next(v for v in cfg["vnfs"] if v["type"] == "router")
    mac = {i["name"]: i["mac"] for i in rtr["ifaces"]}
    nbr = {n["iface"]: n["mac"] for n in rtr["neighbors"]}
    tmp = tempfile.mkdtemp(prefix="nfv-pcap-chain-")
    try:
        allf = os.path.join(tmp, "all.pcap")
        p = subprocess.run([bench, "-p", "p0", "-p", "p1"] + bench_args(CONFIG) + ["--write-pcap", allf],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        if p.returncode != 0:
            print("FAIL: nfv-bench --write-pcap: %s" % p.stdout.strip())
            return 1
        frames = read_frames(allf)
        # Port 0's frames first, then port 1's; told apart by the source
        # MAC, which is each port's own.
        first = Ether(frames[0]).src
        even = [f for f in frames if Ether(f).src == first]
        odd = [f for f in frames if Ether(f).src != first]
        if not even or len(even) != len(odd):
            print("FAIL: nfv-bench wrote %d frames of port 0 and %d of port 1" % (len(even), len(odd)))
            return 1
        case = os.path.join(tmp, "case")
        os.makedirs(case)
        # The inside opens its connections before the replies come: the
        # worker reads p0 before p1 in every round, a burst at a time.
        wrpcap(os.path.join(case, "p0.in.pcap"), [Ether(f) for f in even])
        wrpcap(os.path.join(case, "p1.in.pcap"), [Ether(f) for f in odd])
        wrpcap(os.path.join(case, "p1.expect.pcap"), [Ether(routed(f, mac["b"], nbr["b"])) for f in even])
        wrpcap(os.path.join(case, "p0.expect.pcap"), [Ether(routed(f, mac["a"], nbr["a"])) for f in odd])
        cfg["dataplane"] = {"workers": 1, "hugepages": "off", "memory": 256, "file_prefix": "@PREFIX@"}
        cfg["control"] = {"socket": "@SOCK@"}
        cfg["ports"] = [{"name": pt["name"], "type": "pcap", "rx": "@DIR@/%s.in.pcap" % pt["name"],
                         "tx": "@TMP@/%s.out.pcap" % pt["name"]} for pt in cfg["ports"]]
        with open(os.path.join(case, "config.yaml"), "w") as f:
            f.write("# configs/chain.yaml on pcap ports (tests/pcap/chain/test_chain.py)\n")
            yaml.safe_dump(cfg, f, default_flow_style=None, sort_keys=False)
        print("%d frames each way from nfv-bench %s" % (len(even), " ".join(bench_args(CONFIG))), flush=True)
        rc = subprocess.run([sys.executable, RUNNER, case], timeout=300).returncode
        return rc
    finally:
        if os.environ.get("NFV_PCAP_KEEP") == "1":
            print("kept: " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
