#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The RFC 2544 zero-loss search against a device whose limit is known:
--test-dut R puts an in-process forwarder between the ports that passes R
Mpps per direction and drops the rest.  The search must converge to R
within its precision, every passing trial must be at or below R and
every failing one above it, the verification trial must pass, and the
JSON must match the documented schema.  The forwarder runs in the
generator's own thread, so a busy machine slows the test but cannot
change the answer.  --plot draws a PNG when gnuplot is there."""
import os
import shutil
import benchtest as bt

DUT_MPPS = 1.0
PREC_MPPS = 0.02


def check_search(doc, name, dut_pps, prec_pps):
    for res in doc["results"]:
        label = "%s size %s" % (name, res["size"])
        trials = res["trials"]
        bt.expect(res["found"] and res["final_trial"] is not None, "%s: a zero-loss rate was found" % label)
        if not res["found"]:
            continue
        final = trials[res["final_trial"]]
        got = final["requested_pps"]
        bt.expect(final["kind"] == "verify" and final["pass"],
                  "%s: the final trial is a passing verification" % label)
        bt.expect(dut_pps - prec_pps <= got <= dut_pps * 1.001,
                  "%s: converged to %.4f Mpps, within %.3f of %.3f" % (label, got / 1e6, prec_pps / 1e6,
                                                                       dut_pps / 1e6))
        search = [t for t in trials if t["kind"] == "search"]
        wrong = [(t["requested_pps"], t["pass"]) for t in search
                 if t["pass"] != (t["requested_pps"] <= dut_pps * 1.001)]
        bt.expect(not wrong, "%s: trials pass at or below the device's rate, fail above (%s)" % (label, wrong))
        bt.expect(2 <= len(search) <= 12, "%s: %d search trials" % (label, len(search)))
        over = [t for t in search if not t["pass"]]
        bt.expect(all(t["ports"][0]["lost"] > 0 for t in over), "%s: failing trials lost frames" % label)


def main():
    bt.need_binary()
    with bt.tmpdir() as tmp:
        path = os.path.join(tmp, "search.json")
        png = os.path.join(tmp, "search.png")
        args = ["--test-dut", str(DUT_MPPS), "--rfc2544", "--max-rate", "2Mpps",
                "--precision", "%gMpps" % PREC_MPPS, "--trial-time", "0.2", "--verify-time", "0.4",
                "--warmup", "0.05", "--size", "64,imix", "--json", path, "--plot", png]
        rc, out, err = bt.run(args + bt.eal_args("search"), timeout=120)
        if bt.expect(rc == 0, "search: exit 0 (rc %d: %s)" % (rc, err.strip()[-300:])):
            bt.expect(out.count("PASS") + out.count("FAIL") >= 4, "search: a line per trial")
            doc = bt.load_json(path)
            bt.expect(doc["config"]["mode"] == "rfc2544" and doc["config"]["test_dut_mpps"] == DUT_MPPS,
                      "search: mode and device rate recorded")
            check_search(doc, "bidirectional", DUT_MPPS * 1e6, PREC_MPPS * 1e6)
            if shutil.which("gnuplot"):
                bt.expect(os.path.getsize(png) > 1000 and open(png, "rb").read(4) == b"\x89PNG",
                          "--plot wrote a PNG")
            else:
                bt.expect("gnuplot not found" in err, "--plot without gnuplot says so")

        # One direction, a percentage of line rate as the start, a loss
        # tolerance that lets the search go a little above the limit.
        path = os.path.join(tmp, "uni.json")
        args = ["--test-dut", "0.5", "--rfc2544", "--max-rate", "10%", "--precision", "1%",
                "--trial-time", "0.2", "--verify-time", "0", "--warmup", "0.05", "--unidirectional",
                "--loss-tolerance", "5", "--json", path, "-q"]
        rc, out, err = bt.run(args + bt.eal_args("uni"), timeout=120)
        if bt.expect(rc == 0, "unidirectional search: exit 0 (rc %d: %s)" % (rc, err.strip()[-300:])):
            doc = bt.load_json(path)
            res = doc["results"][0]
            final = res["trials"][res["final_trial"]]
            # 10 % of 10G at 64 B is 1.488 Mpps; 1 % of that is the precision.
            prec = 1488095 * 0.01
            bt.expect(res["found"] and 0.5e6 - prec <= final["requested_pps"] <= 0.5e6 / 0.95 + prec,
                      "unidirectional: %.4f Mpps within tolerance of 0.5" % (final["requested_pps"] / 1e6))
            bt.expect(final["ports"][1]["tx_packets"] == 0, "unidirectional: port 1 does not send")
    bt.finish()


if __name__ == "__main__":
    main()
