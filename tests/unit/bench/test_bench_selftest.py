#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""nfv-bench --self-test: ports 0 and 1 joined by rings in one process, no
device in between.  Whatever is sent must arrive: per port sent ==
delivered, nothing lost, refused, reordered or foreign, latency measured;
in the closed loop, in rate mode (64 B and IMIX, both directions and one)
and with many IPv6/TCP flows, and a million flows (the most).  In the
closed loop every flow takes its turn, not only the first in flight.  Every JSON written matches the documented
schema.  Short runs, no hugepages."""
import os
import benchtest as bt


def check_no_loss(doc, name, closed):
    for res in doc["results"]:
        tr = res["trials"][res["final_trial"]]
        label = "%s size %s" % (name, res["size"])
        sending = [p for p in tr["ports"] if p["sending"]]
        bt.expect(sending and all(p["tx_packets"] > 1000 for p in sending),
                  "%s: every sending port sent (%s)" % (label, [p["tx_packets"] for p in sending]))
        bt.expect(all(p["tx_packets"] == p["delivered"] and p["lost"] == 0 for p in tr["ports"]),
                  "%s: sent == delivered on every port (%s)" % (
                      label, [(p["tx_packets"], p["delivered"]) for p in tr["ports"]]))
        bt.expect(all(p["tx_refused"] == 0 and p["reordered"] == 0 and p["foreign"] == 0 for p in tr["ports"]),
                  "%s: nothing refused, reordered or foreign" % label)
        rx = sum(p["rx_packets"] for p in tr["ports"])
        tx = sum(p["tx_packets"] for p in tr["ports"])
        bt.expect(rx == tx, "%s: received == sent in total (%d, %d)" % (label, rx, tx))
        bt.expect(tr["loss_pct"] == 0 and tr["latency_us"] is not None and tr["latency_us"]["samples"] == tx,
                  "%s: no loss, a latency sample per frame" % label)
        bt.expect(tr["closed_loop"] == closed, "%s: closed_loop is %s" % (label, closed))
        if not closed:
            bt.expect(tr["requested_pps"] == 200000.0, "%s: the rate asked is recorded" % label)


def main():
    bt.need_binary()
    with bt.tmpdir() as tmp:
        cases = [
            ("closed loop", ["--duration", "0.5", "--warmup", "0.1"], True),
            ("rate 64,imix", ["--rate", "0.2Mpps", "--duration", "0.5", "--warmup", "0.1",
                              "--size", "64,imix", "--flows", "50"], False),
            ("rate unidirectional", ["--rate", "200kpps", "--duration", "0.3", "--warmup", "0.1",
                                     "--unidirectional"], False),
            ("closed loop ipv6 tcp", ["--duration", "0.3", "--warmup", "0.1", "--ipv6", "--tcp",
                                      "--size", "128", "--flows", "1000", "--vary", "src-ip,dst-port",
                                      "--inflight", "4", "--burst", "16"], True),
            ("closed loop a million flows", ["--duration", "0.5", "--warmup", "0.1", "--flows", "1048576",
                                             "--vary", "src-ip,src-mac", "--queues", "2"], True),
        ]
        for i, (name, args, closed) in enumerate(cases):
            path = os.path.join(tmp, "r%d.json" % i)
            rc, out, err = bt.run(["--self-test", "--json", path] + bt.eal_args("self%d" % i) + args, timeout=60)
            if not bt.expect(rc == 0, "%s: exit 0 (rc %d: %s)" % (name, rc, err.strip()[-300:])):
                continue
            bt.expect("nfv-bench: [0]" in out and "Mpps/port" in out, "%s: a line per trial and a table" % name)
            doc = bt.load_json(path)
            bt.expect(doc["config"]["ports_kind"] == "self-test", "%s: ports_kind self-test" % name)
            check_no_loss(doc, name, closed)
            if "--unidirectional" in args:
                tr = doc["results"][0]["trials"][0]
                bt.expect(tr["ports"][1]["tx_packets"] == 0 and tr["ports"][1]["rx_packets"] == tr["ports"][0]["tx_packets"],
                          "%s: only port 0 sends, port 1 receives it all" % name)
        check_queues(tmp)
        check_flows_take_turns(tmp)
    bt.finish()


def check_flows_take_turns(tmp):
    """Closed loop, 3 flows, 2 frames in flight per port: a frame that
    comes back goes out again as the port's next flow, so flows 0, 1, 2,
    0, ... leave on queues 0, 1, 0, 0, 1, 0 (flow f on queue f % 2): two
    thirds on queue 0.  Frames that kept their first flow (0 and 1) would
    split half and half."""
    path = os.path.join(tmp, "turns.json")
    rc, out, err = bt.run(["--self-test", "--queues", "2", "--flows", "3", "--inflight", "1", "--burst", "2",
                           "--duration", "0.3", "--warmup", "0.1", "--json", path] + bt.eal_args("selft"),
                          timeout=60)
    if not bt.expect(rc == 0, "flows take turns: exit 0 (rc %d: %s)" % (rc, err.strip()[-300:])):
        return
    doc = bt.load_json(path)
    check_no_loss(doc, "flows take turns", True)
    for p in doc["results"][0]["trials"][0]["ports"]:
        q0, q1 = p["tx_queue_packets"]
        bt.expect(q1 > 0 and 1.9 < q0 / q1 < 2.1,
                  "flows take turns: port %d: queue 0 carries two thirds (%d, %d)" % (p["port"], q0, q1))


def check_queues(tmp):
    """--queues 2: flow f goes out on queue f % 2, both queues of both
    ports carry frames, and order is checked per flow.  The rings keep
    each queue in order but the generator polls queue 0 before queue 1,
    so a per-port check would call half the frames reordered."""
    for name, args in [("queues closed loop", ["--duration", "0.3", "--warmup", "0.1"]),
                       ("queues rate", ["--rate", "0.2Mpps", "--duration", "0.3", "--warmup", "0.1"])]:
        path = os.path.join(tmp, "q-%s.json" % name.replace(" ", "-"))
        rc, out, err = bt.run(["--self-test", "--queues", "2", "--flows", "7", "--json", path] +
                              bt.eal_args("selfq") + args, timeout=60)
        if not bt.expect(rc == 0, "%s: exit 0 (rc %d: %s)" % (name, rc, err.strip()[-300:])):
            continue
        bt.expect("queues sent 0:" in out, "%s: the table shows each queue" % name)
        doc = bt.load_json(path)
        bt.expect(doc["config"]["queues"] == 2, "%s: config.queues 2" % name)
        check_no_loss(doc, name, "rate" not in name)
        for p in doc["results"][0]["trials"][0]["ports"]:
            bt.expect(len(p["tx_queue_packets"]) == 2 and min(p["tx_queue_packets"]) > 0 and
                      len(p["rx_queue_packets"]) == 2 and min(p["rx_queue_packets"]) > 0,
                      "%s: port %d: both queues carried frames (%s, %s)" % (
                          name, p["port"], p["tx_queue_packets"], p["rx_queue_packets"]))
            bt.expect(sum(p["tx_queue_packets"]) == p["tx_packets"],
                      "%s: port %d: the queues add up to what was sent" % (name, p["port"]))


if __name__ == "__main__":
    main()
