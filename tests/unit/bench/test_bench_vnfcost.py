#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfv-bench --vnf-cost: nfvd's two-port switch (configs/l2-switch.yaml)
built with no ports and fed prepared bursts.  Every frame must come out
(the switch learns both MACs in the warm-up), each VNF and the chain get
a positive cycles-per-packet figure, no mbuf is lost, and the JSON
matches the documented schema.  Also a config error is reported as
nfvd reports it (exit 1, file and key)."""
import os
import benchtest as bt


def main():
    bt.need_binary()
    cfg = os.path.join(bt.REPO, "configs", "l2-switch.yaml")
    with bt.tmpdir() as tmp:
        for name, extra in [("64 B, 1 flow", []),
                            ("imix, 500 flows of MACs", ["--size", "imix", "--flows", "500", "--vary", "src-mac"])]:
            path = os.path.join(tmp, "cost.json")
            rc, out, err = bt.run(["--vnf-cost", cfg, "--iterations", "20000", "--json", path]
                                  + extra + bt.eal_args("cost"), timeout=120)
            if not bt.expect(rc == 0, "%s: exit 0 (rc %d: %s)" % (name, rc, err.strip()[-300:])):
                continue
            bt.expect("l2switch" in out and "chain" in out and "cycles/packet" in out,
                      "%s: a table of VNFs and the chain" % name)
            bt.expect("not returned" not in err, "%s: every mbuf back in the pool" % name)
            doc = bt.load_json(path)
            ch = doc["chain"]
            bt.expect(ch["packets_in"] == 20000 * 32 and ch["packets_out"] == ch["packets_in"]
                      and ch["runner_drops"] == 0,
                      "%s: every frame in comes out (%d in, %d out)" % (name, ch["packets_in"], ch["packets_out"]))
            sw = doc["vnfs"][0]
            bt.expect(sw["name"] == "sw" and sw["type"] == "l2switch" and sw["cycles_per_packet"] > 0
                      and ch["cycles_per_packet"] > 0,
                      "%s: cycles per packet measured (sw %.1f, chain %.1f)" % (
                          name, sw["cycles_per_packet"], ch["cycles_per_packet"]))
        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write("ports: [{name: a, type: vhost-user}]\n")
        rc, out, err = bt.run(["--vnf-cost", bad] + bt.eal_args("bad"), timeout=30)
        bt.expect(rc == 1 and "bad.yaml" in err and "EAL:" not in err,
                  "a bad config: exit 1 naming the file, before EAL (rc %d: %s)" % (rc, err.strip()))
    bt.finish()


if __name__ == "__main__":
    main()
