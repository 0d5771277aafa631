#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The README's first command: on a fresh Debian 12 machine, as root, from
# the repository root:
#
#   ./scripts/demo.sh [SECONDS]          (default 10; $NFV_DEMO_SECONDS)
#
# Installs what is missing, builds build/, reserves hugepages, then runs
# nfvd with configs/demo.yaml (two vhost-user ports, one l2switch) and
# nfv-bench (virtio-user, 64 B frames in a closed loop, both directions)
# on its sockets for SECONDS, prints a throughput table (Mpps per port and
# direction, as the generator and as nfvd count them) and stops everything.
# NFV_DEMO_SKIP_SETUP=1 skips install/build/hugepages (already done).
# Logs and the generator's JSON stay in /tmp/nfvd-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECONDS_RUN=${1:-${NFV_DEMO_SECONDS:-10}}
CONFIG=configs/demo.yaml
SOCK1=/run/nfvd/demo-vm1.sock
SOCK2=/run/nfvd/demo-vm2.sock
CTL=/run/nfvd/demo.sock
OUT=/tmp/nfvd-demo
NFVD=$ROOT/build/dataplane/nfvd
NFVCTL=$ROOT/build/control/nfvctl
BENCH=$ROOT/build/dataplane/bench/nfv-bench

case "$SECONDS_RUN" in
'' | *[!0-9]* | 0)
	echo "usage: $0 [SECONDS]" >&2
	exit 2
	;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (vhost-user sockets, hugepages, packages)" >&2
	exit 1
fi

say() { printf '\n== %s\n' "$*"; }

if [ "${NFV_DEMO_SKIP_SETUP:-0}" != 1 ]; then
	say "packages (scripts/install-deps.sh)"
	scripts/install-deps.sh
	say "build (scripts/build.sh normal)"
	scripts/build.sh normal
	say "hugepages (scripts/hugepages.sh)"
	scripts/hugepages.sh
fi
for b in "$NFVD" "$NFVCTL" "$BENCH"; do
	[ -x "$b" ] || { echo "demo: $b is missing (scripts/build.sh normal)" >&2; exit 1; }
done

rm -rf "$OUT"
mkdir -p "$OUT"
NFVD_PID=
BENCH_PID=

# Both processes are ours: end them by PID, whatever happens.
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$BENCH_PID" ] && kill -0 "$BENCH_PID" 2>/dev/null; then
		kill -INT "$BENCH_PID" 2>/dev/null
		sleep 1
		kill -KILL "$BENCH_PID" 2>/dev/null || true
	fi
	if [ -n "$NFVD_PID" ] && kill -0 "$NFVD_PID" 2>/dev/null; then
		kill -TERM "$NFVD_PID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$NFVD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$NFVD_PID" 2>/dev/null || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "demo: $*" >&2
	for f in "$OUT"/nfvd.log "$OUT"/nfv-bench.log; do
		[ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
	done
	exit 1
}

# Cores: nfvd puts its worker on the second core it may use; the generator
# takes a third one when there is one, else it shares the first with
# nfvd's (mostly idle) control thread.
mapfile -t CPUS < <(python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))')
GEN_CPU=${CPUS[0]}
[ "${#CPUS[@]}" -ge 3 ] && GEN_CPU=${CPUS[2]}

say "nfvd -c $CONFIG"
"$NFVD" -c "$CONFIG" >"$OUT/nfvd.log" 2>&1 &
NFVD_PID=$!
for _ in $(seq 200); do
	grep -q 'ready:' "$OUT/nfvd.log" 2>/dev/null && break
	kill -0 "$NFVD_PID" 2>/dev/null || fail "nfvd exited"
	sleep 0.1
done
grep -q 'ready:' "$OUT/nfvd.log" || fail "nfvd did not start in 20 s"
sed 's/^/  /' "$OUT/nfvd.log"

say "nfv-bench: 64 B frames both ways through nfvd for ${SECONDS_RUN} s (generator on core $GEN_CPU)"
"$BENCH" -p "$SOCK1" -p "$SOCK2" -s 64 -d "$SECONDS_RUN" -w 2 --cpu "$GEN_CPU" \
	--file-prefix nfvd-demo-gen -j "$OUT/bench.json" >"$OUT/nfv-bench.log" 2>&1 &
BENCH_PID=$!

# nfvd's own view of (nearly) the same window: nfv-bench starts in about
# half a second, warms up for 2 s and then measures; nfvd's counters are
# read 3 s in and SECONDS - 1 s later.
snap() { "$NFVCTL" -s "$CTL" -j show ports >"$1" 2>>"$OUT/nfvctl.log"; }
sleep 3
snap "$OUT/ports0.json" || fail "nfvctl show ports failed"
T0=$(date +%s.%N)
sleep $((SECONDS_RUN > 1 ? SECONDS_RUN - 1 : 1))
snap "$OUT/ports1.json" || fail "nfvctl show ports failed"
T1=$(date +%s.%N)

wait "$BENCH_PID" || fail "nfv-bench failed (exit $?)"
BENCH_PID=

python3 - "$OUT" "$T0" "$T1" <<'EOF'
import json, sys
out, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
b = json.load(open(out + "/bench.json"))
res = b["results"][0]
trial = res["trials"][res.get("final_trial", -1)]
gp = {p["port"]: p for p in trial["ports"]}
p0 = {p["name"]: p for p in json.load(open(out + "/ports0.json"))}
p1 = {p["name"]: p for p in json.load(open(out + "/ports1.json"))}
dt = t1 - t0
rate = lambda n, k: (p1[n][k] - p0[n][k]) / dt / 1e6
drops = lambda n: sum(p1[n]["drops"].values())
names = ["vm1", "vm2"]

print()
print("nfvd demo: %d B frames, closed loop (%d x %d in flight per port), %.0f s measured"
      % (res["size"], b["config"]["inflight"], b["config"]["burst"], trial["duration_s"]))
print()
print("  %-12s %15s %17s %15s %8s" % ("direction", "generator sent", "switched by nfvd", "received", "loss"))
tot = 0.0
for src, dst in ((0, 1), (1, 0)):
    sent = gp[src]["offered_mpps"]
    recv = gp[dst]["received_mpps"]
    tot += recv
    print("  %-12s %10.3f Mpps %12.3f Mpps %10.3f Mpps %7.3f%%"
          % ("%s -> %s" % (names[src], names[dst]), sent, rate(names[dst], "tx_packets"), recv,
             gp[src]["loss_pct"]))
print("  %-12s %15s %17s %10.3f Mpps" % ("both", "", "", tot))
print()
print("  %-6s %12s %12s %8s %6s" % ("port", "nfvd rx", "nfvd tx", "drops", "link"))
for n in names:
    print("  %-6s %7.3f Mpps %7.3f Mpps %8d %6s"
          % (n, rate(n, "rx_packets"), rate(n, "tx_packets"), drops(n), p1[n]["link"]))
print()
print("Mpps per direction; 64 B frames.  On a shared or small machine the"
      " generator and nfvd compete for cores: compare with testpmd's"
      " io-forward ceiling on the same machine (docs/benchmarks.md).")
EOF

say "stopping nfvd"
kill -TERM "$NFVD_PID"
wait "$NFVD_PID" && rc=0 || rc=$?
NFVD_PID=
tail -n 2 "$OUT/nfvd.log" | sed 's/^/  /'
[ "$rc" = 0 ] || fail "nfvd exited with $rc"
echo "logs and results: $OUT/"
