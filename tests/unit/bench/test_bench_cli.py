#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfv-bench's command line: every bad argument stops it before EAL with
exit 2 and one line on stderr that names the option; --help exits 0."""
import benchtest as bt

# (arguments, a string the message must contain)
BAD = [
    ([], "--port"),
    (["--port", "/tmp/x.sock"], "even number"),
    (["--port", ",mac=02:00:00:00:00:01", "--port", "/b"], "--port"),
    (["--port", "/a,mac=zz", "--port", "/b"], "--port"),
    (["--port", "/a,colour=red", "--port", "/b"], "--port"),
    (["--self-test", "--size", "63"], "--size"),
    (["--self-test", "--size", "1519"], "--size"),
    (["--self-test", "--size", "64,jumbo"], "--size"),
    (["--self-test", "--ipv6", "--tcp", "--size", "64"], "78"),
    (["--self-test", "--flows", "0"], "--flows"),
    (["--self-test", "--flows", "1048577"], "--flows"),
    (["--self-test", "--rate", "fast"], "--rate"),
    (["--self-test", "--rate", "101%"], "--rate"),
    (["--self-test", "--rate", "-5Mpps"], "--rate"),
    (["--self-test", "--burst", "0"], "--burst"),
    (["--self-test", "--burst", "65"], "--burst"),
    (["--self-test", "--inflight", "1000"], "--inflight"),
    (["--self-test", "--duration", "0"], "--duration"),
    (["--self-test", "--duration", "abc"], "--duration"),
    (["--self-test", "--vary", "colour"], "--vary"),
    (["--self-test", "--drain-quiet", "0"], "--drain-quiet"),
    (["--self-test", "--queues", "0"], "--queues"),
    (["--self-test", "--queues", "9"], "--queues"),
    (["--self-test", "--queues", "4", "--flows", "2"], "--queues"),
    (["--test-dut", "1", "--queues", "2", "--flows", "2"], "--queues"),
    (["--self-test", "--src-ip", "2001:db8::1"], "--src-ip"),
    (["--self-test", "--ipv6", "--dst-ip", "10.0.0.1"], "--dst-ip"),
    (["--self-test", "--dst-range", "10.0.0.0"], "--dst-range"),
    (["--self-test", "--dst-range", "10.0.0.1/24"], "host bits"),
    (["--self-test", "--src-range", "10.0.0.0/32"], "--src-range"),
    (["--self-test", "--src-range", "10.0.0.0/x"], "--src-range"),
    (["--self-test", "--ipv6", "--src-range", "10.0.0.0/8"], "--src-range"),
    (["--self-test", "--dst-ip", "10.0.0.1", "--dst-range", "10.0.0.0/8"], "not both"),
    (["--self-test", "--src-port", "70000"], "--src-port"),
    (["--self-test", "--test-dut", "1"], "exclude"),
    (["--self-test", "--port", "/a", "--port", "/b"], "--port"),
    (["--self-test", "--rfc2544", "--rate", "1Mpps"], "--rfc2544"),
    (["--self-test", "--rfc2544", "--max-rate", "0"], "--max-rate"),
    (["--self-test", "--loss-tolerance", "200"], "--loss-tolerance"),
    (["--self-test", "--ring-size", "1000"], "--ring-size"),
    (["--self-test", "--file-prefix", "a/b"], "--file-prefix"),
    (["--self-test", "--bogus"], "--bogus"),
    (["--self-test", "stray"], "stray"),
    (["--vnf-cost", "x.yaml", "--self-test"], "--vnf-cost"),
]


def main():
    bt.need_binary()
    for args, needle in BAD:
        rc, out, err = bt.run(args, timeout=20)
        lines = [line for line in err.splitlines() if line.strip()]
        bt.expect(rc == 2, "%s: exit 2 (got %d)" % (" ".join(args) or "(none)", rc))
        bt.expect(len(lines) == 1 and needle in lines[0] and "--help" in lines[0],
                  "%s: one line naming %r (got %r)" % (" ".join(args) or "(none)", needle, err.strip()))
        bt.expect("EAL:" not in out + err, "%s: stops before EAL" % (" ".join(args) or "(none)"))
    rc, out, err = bt.run(["--help"], timeout=20)
    bt.expect(rc == 0 and "--rfc2544" in out and "--self-test" in out and err == "",
              "--help: exit 0, usage on stdout")
    bt.finish()


if __name__ == "__main__":
    main()
