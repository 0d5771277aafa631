#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# compare.sh - peers side by side, in one run, on one generator.
#
# Each device under test (DUT) in turn serves two vhost-user sockets on the
# DUT core (default 1; its main/control thread shares the generator's core,
# default 0), and nfv-bench drives 64 B frames through it in a closed loop
# (--inflight bursts circulating, like testpmd's `start tx_first 8`), so
# the DUT is the bottleneck.  The DUTs:
#
#   limit         tests/bench/vhost/raw-fwd: rte_vhost_dequeue_burst() on one
#                 device, rte_vhost_enqueue_burst() on the other, nothing
#                 else - the two copies every vhost-user switch pays; the
#                 first row, and every row's "x limit" (Mpps) and "limit
#                 cyc / cyc" (its busy cycles per packet over the row's)
#                 are against it
#   ceiling       dpdk-testpmd io forwarding through net_vhost: what a
#                 generic DPDK forwarder reaches; "ratio to ceiling"
#   testpmd-mac   dpdk-testpmd mac forwarding
#   ovs-normal    Open vSwitch with the DPDK datapath (Debian's
#                 openvswitch-switch-dpdk), netdev bridge, two dpdkvhostuser
#                 ports, one PMD on the DUT core, the NORMAL action
#   ovs-flows     the same with two in_port -> output flows
#   nfvd:NAME     nfvd with configs/NAME.yaml, for each config with exactly
#                 two vhost-user server ports; with dataplane.workers N
#                 (or --workers N) N workers and N queue pairs per port,
#                 the generator with --queues N, and a line per worker
#                 (packets, busy cycles per packet) under the row
#   nfvd-ethdev:NAME  the same with NFVD_VHOST_ETHDEV=1: every packet
#                 through net_vhost's ethdev bursts, as testpmd's; only
#                 when --only names it
#   nfvd-base:NAME  the same config with the nfvd of another build
#                 (--baseline DIR, e.g. a build of the previous commit):
#                 an A/B of two versions in the same rounds
#   nfvd-sleep:NAME, nfvd-interrupt:NAME  the same config with
#                 dataplane.idle sleep / interrupt (nfvd:NAME is `poll`);
#                 with --idle, for the configs it names [l2-switch]
#
# With --idle, each nfvd row of those configs also measures, in every
# round: the CPU nfvd uses while no frame moves (from /proc, before any
# traffic), and latency p50/p99 in open loop at 10 kpps and 1 Mpps per
# sending port (nfv-bench -r): a second table, "idle modes".
#
# Generators (-g): nfv-bench's closed loop (default), dpdk-testpmd as a
# generator (`start tx_first N`, io forwarding over two virtio-user ports,
# frames to a destination MAC no port owns: unknown unicast for a switch),
# or both: each row then runs once per generator, in its own DUT instance,
# and is compared with the limit and the ceiling driven by the same
# generator.  A config says how testpmd must drive it, or why it cannot:
#   # testpmd-gen-args: --forward-mode=5tswap --port-topology=loop
#   # testpmd-gen-skip: REASON
# (testpmd application arguments after the defaults, which they override).
#
# Rounds: every DUT once per round, N rounds (default 3); the table shows
# medians.  Mpps per direction, the ratio to the ceiling of the same run,
# and cycles per packet on the DUT core: nfvd's own figure (nfvctl show
# stats: busy cycles / packets of its worker); for the others an estimate,
# TSC Hz / packets per second through the core (both directions), marked ~.
#
# Everything it starts is stopped by PID, and every file it makes (a private
# directory, EAL runtime directories and hugepage files of its own
# prefixes) is removed on exit, also on failure or Ctrl-C.  It installs
# openvswitch-switch-dpdk (and python3-yaml) with apt-get when missing,
# without letting the package start the system's OVS services.
#
# A config may carry extra generator arguments (e.g. a router needs the
# router's MAC and addresses in its subnets) in a comment line:
#   # nfv-bench-args: --port-peer ... --src-ip 10.0.0.2 --dst-ip 10.1.0.2
# and a config that cannot carry the generator's traffic says why in a line
#   # nfv-bench-skip: REASON
# (the text after the colon is added to nfv-bench's arguments), and a
# route table generated for the run in another:
#   # nfv-bench-routes: --bench -n 100000
# (arguments of tests/bench/router/gen_routes.py: the file is written once
# per run into the private directory, before nfvd starts, and every
# router's `routes_file:` in the private copy of the config points at it).
# A router with `mirror:` may get its table from the kernel instead:
#   # nfv-bench-kernel-routes: --bench -n 100000
# (the same arguments): after nfvd has started and its mirror is synced,
# the routes are added with `ip -batch` in the mirror's namespace (a
# private one per run, which nfvd makes and removes), and the row is
# measured once the router holds them all - forwarding over mirrored
# routes, to compare with the same table from a route file.
#
# Usage: tests/bench/compare.sh [options]; -h for the list.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NFV_BUILDDIR:-$ROOT/build}
RUNS=3
DURATION=10
WARMUP=3
SIZE=64
GENERATORS=nfv-bench
TP_INFLIGHT=8
# testpmd's frames go to MACs that no port of any row owns.
TP_GEN_PEERS=(02:00:00:00:ff:00 02:00:00:00:ff:01)
TP_GEN_MACS=(02:00:00:00:01:00 02:00:00:00:01:01)
GEN_CPU=0
DUT_CPU=1
ONLY=""
INSTALL=1
NO_HUGE=0
JSON_OUT=""
LIST_ONLY=0
PRINT_CONFIG=""
CONFIGS=()
BASE_BUILD=""
EXTRA_GEN=()
IDLE=0
IDLE_CONFIGS=l2-switch
IDLE_CPU_S=3
IDLE_RATES=(10kpps 1Mpps)
WORKERS=""	# --workers: every nfvd row's worker count (else its config's)
PAIRED=0	# --paired: a limit run right before every other row
PAIR_FOR=""	# set while such a limit runs: the row it stands beside

usage() {
	cat <<EOF
usage: $0 [options] [-- extra nfv-bench arguments]
  -b, --build DIR     build directory with nfvd, nfvctl, nfv-bench [$BUILD]
  -n, --runs N        rounds; the table shows medians [$RUNS]
  -d, --duration S    measured seconds per run [$DURATION]
  -w, --warmup S      unmeasured seconds before each run [$WARMUP]
  -s, --size N        frame size 64..1518 (FCS included) or imix [$SIZE]
  -g, --generator G   nfv-bench, testpmd or both: what drives each row
                      (testpmd: start tx_first $TP_INFLIGHT, io forwarding) [$GENERATORS]
      --only LIST     comma list of ceiling, testpmd-mac, ovs-normal,
                      ovs-flows, nfvd, nfvd:NAME, nfvd-ethdev:NAME
                      (the limit and the ceiling always run)
  -c, --config FILE   nfvd config to compare (repeat) [configs/*.yaml]
  -B, --baseline DIR  also run each nfvd config with DIR's nfvd and nfvctl
                      (rows nfvd-base:NAME), for an A/B of two builds
      --idle          rows nfvd-sleep:NAME and nfvd-interrupt:NAME beside
                      nfvd:NAME (poll), with idle CPU and open-loop latency
      --idle-configs LIST  configs (names) of --idle [$IDLE_CONFIGS]
  -P, --paired        run the limit again right before every other row, and
                      compare each round of a row with its own limit run
                      (seconds apart, not a round apart: for a host whose
                      speed drifts), driven by the row's own generator
                      arguments (its config's nfv-bench-args or
                      testpmd-gen-args); about twice the time
  -W, --workers N     nfvd rows with N workers (1..8) and N queue pairs per
                      port, the generator with --queues N, and a line per
                      worker under each row [each config's dataplane.workers];
                      the workers take the cores from --dut-cpu on, or share
                      the CPUs (dataplane.share_cpus) where too few are left
      --gen-cpu N     generator core [$GEN_CPU]
      --dut-cpu N     device-under-test core (first worker's) [$DUT_CPU]
      --no-install    do not apt-get install what is missing (skip instead)
      --no-huge       ordinary memory everywhere instead of hugepages
  -j, --json FILE     every run and the medians as JSON
      --list          print the devices it would compare and exit
      --print-config DUT  print the private copy of the config that the
                      row DUT (nfvd:NAME, nfvd-base:NAME, ...) runs, exit
  -h, --help          this text
EOF
}

die_usage() {
	echo "compare.sh: $*" >&2
	echo "try: $0 --help" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	-b | --build) BUILD=${2:?}; shift 2 ;;
	-n | --runs) RUNS=${2:-}; shift 2 ;;
	-d | --duration) DURATION=${2:-}; shift 2 ;;
	-w | --warmup) WARMUP=${2:-}; shift 2 ;;
	-s | --size) SIZE=${2:-}; shift 2 ;;
	-g | --generator) GENERATORS=${2:-}; shift 2 ;;
	--only) ONLY=${2:-}; shift 2 ;;
	-c | --config) CONFIGS+=("${2:?}"); shift 2 ;;
	-B | --baseline) BASE_BUILD=${2:?}; shift 2 ;;
	--idle) IDLE=1; shift ;;
	--idle-configs) IDLE_CONFIGS=${2:?}; IDLE=1; shift 2 ;;
	--gen-cpu) GEN_CPU=${2:-}; shift 2 ;;
	--dut-cpu) DUT_CPU=${2:-}; shift 2 ;;
	-W | --workers) WORKERS=${2:-}; shift 2 ;;
	-P | --paired) PAIRED=1; shift ;;
	--no-install) INSTALL=0; shift ;;
	--no-huge) NO_HUGE=1; shift ;;
	-j | --json) JSON_OUT=${2:?}; shift 2 ;;
	--list) LIST_ONLY=1; shift ;;
	--print-config) PRINT_CONFIG=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; EXTRA_GEN=("$@"); break ;;
	*) die_usage "unknown argument: $1" ;;
	esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die_usage "--runs: a positive number"
[[ "$DURATION" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--duration: seconds"
[[ "$WARMUP" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--warmup: seconds"
[ "$SIZE" = imix ] || { [[ "$SIZE" =~ ^[0-9]+$ ]] && [ "$SIZE" -ge 64 ] && [ "$SIZE" -le 1518 ]; } ||
	die_usage "--size: 64..1518 or imix"
case "$GENERATORS" in
nfv-bench | testpmd) GENS=("$GENERATORS") ;;
both) GENS=(nfv-bench testpmd) ;;
*) die_usage "--generator: nfv-bench, testpmd or both" ;;
esac
[[ "$GEN_CPU" =~ ^[0-9]+$ ]] || die_usage "--gen-cpu: a CPU number"
[[ "$DUT_CPU" =~ ^[0-9]+$ ]] || die_usage "--dut-cpu: a CPU number"
[ "$GEN_CPU" != "$DUT_CPU" ] || die_usage "the generator and the DUT need different cores"
[ -z "$WORKERS" ] || [[ "$WORKERS" =~ ^[1-8]$ ]] || die_usage "--workers: 1..8"
if [ ${#CONFIGS[@]} -eq 0 ]; then
	CONFIGS=("$ROOT"/configs/*.yaml)
fi
# Absolute: the private configs name files of the builds (eBPF objects).
BUILD=$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")
[ -z "$BASE_BUILD" ] || BASE_BUILD=$(cd "$BASE_BUILD" 2>/dev/null && pwd || echo "$BASE_BUILD")

BENCH=$BUILD/dataplane/bench/nfv-bench
NFVD=$BUILD/dataplane/nfvd
RAW_FWD=$BUILD/tests/bench/vhost/raw-fwd
NFVCTL=$BUILD/control/nfvctl
BASE_NFVD=${BASE_BUILD:+$BASE_BUILD/dataplane/nfvd}
BASE_NFVCTL=${BASE_BUILD:+$BASE_BUILD/control/nfvctl}
TESTPMD=$(command -v dpdk-testpmd || true)
VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
TAG=nfvb-cmp-$$

say() { printf 'compare: %s\n' "$*"; }
warn() { printf 'compare: %s\n' "$*" >&2; }

wanted() {	# wanted NAME: is this DUT asked for?
	[ -z "$ONLY" ] && return 0
	[ "$1" = ceiling ] && return 0
	[ "$1" = limit ] && return 0
	local w
	IFS=, read -ra w <<<"$ONLY"
	for x in "${w[@]}"; do
		[ "$x" = "$1" ] && return 0
		[ "$x" = nfvd ] && [[ "$1" == nfvd:* ]] && return 0
	done
	return 1
}

idle_config() {	# idle_config NAME: does --idle apply to it?
	[ "$IDLE" = 1 ] || return 1
	[[ ",$IDLE_CONFIGS," == *",$1,"* ]]
}

idle_mode_of() {	# idle_mode_of DUT: its dataplane.idle
	case "$1" in
	nfvd-sleep:*) echo sleep ;;
	nfvd-interrupt:*) echo interrupt ;;
	*) echo poll ;;
	esac
}

# --- state and cleanup ---------------------------------------------------
DIR=""
PIDS=()
PREFIXES=("$TAG-gen")
POLICY_RC_MADE=0

alive() {	# alive PID: running (a zombie waiting for its parent is not)
	kill -0 "$1" 2>/dev/null || return 1
	[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

stop_pid() {	# stop_pid PID: TERM, up to 10 s, then KILL; reaps our children
	local pid=$1 i
	alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 100); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		warn "PID $pid ignored SIGTERM: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

forget_pid() {
	local keep=() p
	for p in "${PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

remove_prefix_files() {	# hugepage files and EAL runtime dir of a prefix
	local p=$1 m
	rm -rf "/var/run/dpdk/$p" 2>/dev/null
	while read -r _ m fs _; do
		[ "$fs" = hugetlbfs ] && rm -f "$m/${p}map_"* 2>/dev/null
	done </proc/mounts
}

cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		stop_pid "$p"
	done
	PIDS=()
	for p in "${PREFIXES[@]}"; do
		remove_prefix_files "$p"
	done
	# nfvd removes the mirror netns it made when it stops; not when it
	# was killed.
	ip netns del "$TAG-rns" 2>/dev/null
	if [ "$POLICY_RC_MADE" = 1 ]; then
		rm -f /usr/sbin/policy-rc.d
	fi
	[ -n "$DIR" ] && rm -rf "$DIR"
}
trap cleanup EXIT
trap 'warn "interrupted"; exit 130' INT TERM

# --- what is there -------------------------------------------------------
apt_install() {	# apt_install PKG...: without starting any service
	[ "$INSTALL" = 1 ] || return 1
	[ "$(id -u)" = 0 ] || { warn "not root: cannot install $*"; return 1; }
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		# Debian's way to keep a package's postinst from starting its
		# services; removed again right after (and by cleanup).
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d &&
			chmod 755 /usr/sbin/policy-rc.d && POLICY_RC_MADE=1
	fi
	say "installing $* (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" \
		>"$DIR/apt.log" 2>&1
	local rc=$?
	# nfvd removes the mirror netns it made when it stops; not when it
	# was killed.
	ip netns del "$TAG-rns" 2>/dev/null
	if [ "$POLICY_RC_MADE" = 1 ]; then
		rm -f /usr/sbin/policy-rc.d
		POLICY_RC_MADE=0
	fi
	[ $rc = 0 ] || { warn "apt-get install $* failed:"; tail -3 "$DIR/apt.log" >&2; }
	return $rc
}

python_yaml() { python3 -c 'import yaml' 2>/dev/null; }

# Configs nfvd can run here: exactly two vhost-user server ports.  Prints
# "NAME<TAB>PATH<TAB>WORKERS" per config (WORKERS: --workers, else the
# config's dataplane.workers), reasons on stderr.
pick_configs() {
	python3 - "$WORKERS" "$@" <<'EOF'
import os, sys, yaml
force = sys.argv[1]
for path in sys.argv[2:]:
    name = os.path.splitext(os.path.basename(path))[0]
    try:
        cfg = yaml.safe_load(open(path))
    except Exception as e:
        print("compare: %s: not read (%s)" % (path, e), file=sys.stderr)
        continue
    ports = (cfg or {}).get("ports") or []
    vh = [p for p in ports if p.get("type") == "vhost-user"]
    why = None
    with open(path) as f:
        skip = [l.split("nfv-bench-skip:", 1)[1].strip() for l in f
                if l.lstrip().startswith("#") and "nfv-bench-skip:" in l]
    if skip:
        why = skip[0] or "marked nfv-bench-skip"
    elif len(ports) != 2 or len(vh) != 2:
        why = "not exactly two vhost-user ports"
    elif any(p.get("mode", "server") != "server" for p in vh):
        why = "a vhost-user port in client mode"
    workers = int(force or (cfg.get("dataplane") or {}).get("workers", 1))
    if why:
        print("compare: %s: skipped (%s)" % (path, why), file=sys.stderr)
        continue
    print("%s\t%s\t%d" % (name, os.path.abspath(path), workers))
EOF
}

# A private copy of a config: our sockets, control socket, file prefix,
# the worker(s) from the DUT core on (WORKERS of them, each port with as
# many queue pairs; share_cpus where fewer CPUs are left), and ROUTES (when not empty) as the route
# file of every router that has one.  eBPF objects (a bpf VNF's
# `program:`, a firewall rule's `bpf: FILE[:SECTION]`) are relative to
# nfvd's working directory, the repository root in the examples: a path
# under build/ is taken from BUILDDIR, the build whose nfvd runs the row
# (its own programs; the current build's when it has none, an older
# baseline), any other relative path from the repository root, so the
# copy runs from any directory.
private_config() {	# private_config SRC DST PREFIX ROUTES IDLE BUILDDIR WORKERS
	python3 - "$@" "$DIR" "$DUT_CPU" "$NO_HUGE" "$ROOT" "$BUILD" "$TAG-rns" <<'EOF'
import os, sys, yaml
src, dst, prefix, routes, idle, builddir, workers, d, cpu, nohuge, root, build, rns = sys.argv[1:14]
workers, cpu = int(workers), int(cpu)
cfg = yaml.safe_load(open(src))


def program_path(path):
    if not isinstance(path, str) or os.path.isabs(path):
        return path
    rel = os.path.normpath(path)
    if rel.split(os.sep)[0] == "build":
        rest = os.path.relpath(rel, "build")
        own = os.path.join(builddir, rest)
        return own if os.path.exists(own) else os.path.join(build, rest)
    return os.path.join(root, rel)


for v in cfg.get("vnfs") or []:
    if routes and v.get("type") == "router" and "routes_file" in v:
        v["routes_file"] = routes
    if v.get("type") == "router" and isinstance(v.get("mirror"), dict):
        v["mirror"]["netns"] = rns  # ours, made and removed by nfvd
    if "program" in v:
        v["program"] = program_path(v["program"])
    for r in v.get("rules") or []:
        if isinstance(r, dict) and isinstance(r.get("bpf"), str):
            # The section follows the last ".o:", as nfvd reads it.
            f, sep, sec = r["bpf"].rpartition(".o:")
            r["bpf"] = (program_path(f + ".o") + ":" + sec if sep
                        else program_path(r["bpf"]))
dp = cfg.setdefault("dataplane", {}) or {}
cfg["dataplane"] = dp
dp["file_prefix"] = prefix
dp["workers"] = workers
dp.pop("share_cpus", None)
if cpu + workers <= len(os.sched_getaffinity(0)):
    dp["lcores"] = str(cpu) if workers == 1 else "%d-%d" % (cpu, cpu + workers - 1)
else:
    # Too few CPUs for a core per worker: they share (worker 0 on the
    # last CPU, the others round the rest, the generator's included);
    # compare.sh says so on stderr.
    dp.pop("lcores", None)
    dp["share_cpus"] = True
if idle:
    dp["idle"] = idle
if nohuge == "1":
    dp["hugepages"] = "off"
cfg.setdefault("control", {})
cfg["control"] = cfg["control"] or {}
cfg["control"]["socket"] = d + "/nfvd-ctl.sock"
for i, p in enumerate(cfg["ports"]):
    p["path"] = "%s/nfvd-p%d.sock" % (d, i)
    if workers > 1:
        p["queues"] = max(int(p.get("queues", 1)), workers)
yaml.safe_dump(cfg, open(dst, "w"), default_flow_style=None, sort_keys=False)
EOF
}

config_gen_args() {	# the "# nfv-bench-args:" line of a config
	sed -n 's/^[[:space:]]*#[[:space:]]*nfv-bench-args:[[:space:]]*//p' "$1" | head -1
}

config_tp_args() {	# the "# testpmd-gen-args:" line of a config
	sed -n 's/^[[:space:]]*#[[:space:]]*testpmd-gen-args:[[:space:]]*//p' "$1" | head -1
}

# Why testpmd cannot drive the row DUT (nothing: it can).
tp_skip_reason() {	# tp_skip_reason DUT
	if [ "$SIZE" = imix ]; then
		echo "testpmd's tx_first frames have one size: no IMIX"
		return
	fi
	[[ "$1" == nfvd*:* ]] || return 0
	local line
	line=$(grep -m1 -E '^[[:space:]]*#[[:space:]]*testpmd-gen-skip:' "${CONFIG_OF[${1#*:}]}") ||
		return 0
	line=$(echo ${line#*testpmd-gen-skip:})
	echo "${line:-marked testpmd-gen-skip}"
}

config_routes_args() {	# the "# nfv-bench-routes:" line of a config
	sed -n 's/^[[:space:]]*#[[:space:]]*nfv-bench-routes:[[:space:]]*//p' "$1" | head -1
}

config_kroutes_args() {	# the "# nfv-bench-kernel-routes:" line of a config
	sed -n 's/^[[:space:]]*#[[:space:]]*nfv-bench-kernel-routes:[[:space:]]*//p' "$1" | head -1
}

# The kernel routes of a config: an `ip -batch` file, written once per run
# (path printed; nothing when the config asks for none), or return 1.
kroutes_for() {	# kroutes_for NAME
	local name=$1 args txt=$DIR/kroutes-$1.txt out=$DIR/kroutes-$1.batch
	args=$(config_kroutes_args "${CONFIG_OF[$name]}")
	[ -n "$args" ] || return 0
	gen_routes_once "$name" "$args" "$txt" || return 1
	[ -s "$out" ] ||
		sed -n 's/^\([0-9][^ ]*\) via \([^ ]*\).*/route add \1 via \2/p' "$txt" >"$out"
	echo "$out"
}

# The router of a config that has `mirror:`, by name (empty: none).
mirror_router() {	# mirror_router CONFIG
	python3 - "$1" <<'EOF'
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
print(next((v["name"] for v in cfg.get("vnfs") or []
            if v.get("type") == "router" and v.get("mirror")), ""))
EOF
}

kroutes_held() {	# kroutes_held ROUTER: kernel routes it holds (-1: no answer)
	"$NFVCTL" -s "$NFVD_CTL" -j show vnf "$1" 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)["details"].get("kernel_routes", 0))' 2>/dev/null || echo -1
}

# Feed the kernel routes of NAME to the running nfvd's mirror and wait
# until its router holds them all (the mirror synced first).
load_kroutes() {	# load_kroutes NAME CONFIG
	local batch rtr n t0 t1 want held
	batch=$(kroutes_for "$1") || return 1
	[ -n "$batch" ] || return 0
	rtr=$(mirror_router "$2")
	[ -n "$rtr" ] || { warn "nfvd:$1: nfv-bench-kernel-routes without a router with mirror:"; return 1; }
	t0=$(date +%s)
	while ! "$NFVCTL" -s "$NFVD_CTL" -j show mirror "$rtr" 2>/dev/null | grep -q '"synced"'; do
		alive "$DUT_PID" && [ $(($(date +%s) - t0)) -lt 120 ] ||
			{ warn "nfvd:$1: the mirror did not sync"; return 1; }
		sleep 0.2
	done
	n=$(kroutes_held "$rtr")
	want=$((n + $(wc -l <"$batch")))
	t0=$(date +%s%N)
	ip -n "$TAG-rns" -batch "$batch" >"$DIR/kroutes-ip.log" 2>&1 ||
		{ warn "nfvd:$1: ip -batch failed:"; tail -3 "$DIR/kroutes-ip.log" >&2; return 1; }
	while held=$(kroutes_held "$rtr"); [ "$held" -lt "$want" ]; do
		alive "$DUT_PID" && [ $((($(date +%s%N) - t0) / 1000000000)) -lt 300 ] ||
			{ warn "nfvd:$1: the router holds $held of $want kernel routes"; return 1; }
		sleep 0.2
	done
	t1=$(date +%s%N)
	echo "nfvd:$1: $((want - n)) kernel routes mirrored in $(((t1 - t0) / 1000000)) ms" >&2
}

# gen_routes.py ARGS into OUT, once per run; returns 1 with the reason.
gen_routes_once() {	# gen_routes_once NAME ARGS OUT
	local gargs=()
	[ -s "$3" ] && return 0
	read -ra gargs <<<"$2"
	if ! python3 "$ROOT/tests/bench/router/gen_routes.py" "${gargs[@]}" "$3" \
		>"$3.log" 2>&1; then
		warn "nfvd:$1: gen_routes.py $2 failed:"
		tail -3 "$3.log" | sed 's/^/  /' >&2
		rm -f "$3"
		return 1
	fi
}

# The route file a config asks for, written once per run: prints its path
# (nothing when the config asks for none), or returns 1 with the reason.
routes_for() {	# routes_for NAME
	local name=$1 args out=$DIR/routes-$1.txt
	args=$(config_routes_args "${CONFIG_OF[$name]}")
	[ -n "$args" ] || return 0
	gen_routes_once "$name" "$args" "$out" || return 1
	echo "$out"
}

# The private config of the row nfvd[-VARIANT]:NAME, written to DST.
nfvd_config() {	# nfvd_config NAME VARIANT DST PREFIX
	local name=$1 variant=$2 routes idle="" build=$BUILD
	[ "$variant" = sleep ] && idle=sleep
	[ "$variant" = interrupt ] && idle=interrupt
	[ "$variant" = base ] && build=$BASE_BUILD
	routes=$(routes_for "$name") || return 1
	private_config "${CONFIG_OF[$name]}" "$3" "$4" "$routes" "$idle" "$build" "${WORKERS_OF[$name]}"
}

DIR=$(mktemp -d "${TMPDIR:-/tmp}/nfv-bench-cmp.XXXXXX") || exit 1
chmod 755 "$DIR"

DUTS=("limit" "ceiling")
wanted testpmd-mac && DUTS+=("testpmd-mac")
wanted ovs-normal && DUTS+=("ovs-normal")
wanted ovs-flows && DUTS+=("ovs-flows")
declare -A CONFIG_OF=() WORKERS_OF=()
if ! python_yaml; then
	if [ "$LIST_ONLY" = 1 ] || ! apt_install python3-yaml || ! python_yaml; then
		warn "python3 has no yaml module (python3-yaml): nfvd configs not read"
	fi
fi
if python_yaml; then
	while IFS=$'\t' read -r name path workers; do
		[ -n "$name" ] || continue
		wanted "nfvd:$name" || continue
		DUTS+=("nfvd:$name")
		CONFIG_OF[$name]=$path
		WORKERS_OF[$name]=$workers
		# Only on request: the same with every vhost-user packet through
		# net_vhost's ethdev burst functions (NFVD_VHOST_ETHDEV=1).
		if [[ ",$ONLY," == *",nfvd-ethdev:$name,"* ]]; then
			DUTS+=("nfvd-ethdev:$name")
		fi
		# The idle modes beside poll (dataplane.idle).
		for m in sleep interrupt; do
			if idle_config "$name" || [[ ",$ONLY," == *",nfvd-$m:$name,"* ]]; then
				DUTS+=("nfvd-$m:$name")
			fi
		done
		[ -n "$BASE_BUILD" ] && DUTS+=("nfvd-base:$name")
	done < <(pick_configs "${CONFIGS[@]}")
fi

for name in "${!WORKERS_OF[@]}"; do
	nw=${WORKERS_OF[$name]}
	if [ "$nw" -gt 1 ] && [ "$LIST_ONLY" = 0 ] && [ -z "$PRINT_CONFIG" ] &&
		[ $((DUT_CPU + nw)) -gt "$(nproc)" ]; then
		warn "nfvd:$name: $nw workers from CPU $DUT_CPU on need more CPUs than the $(nproc) here: dataplane.share_cpus, the workers share CPUs (the generator's too): read the method, not the figures"
	fi
done

# Row keys: DUT for nfv-bench, DUT@testpmd for testpmd.
gen_key() {	# gen_key DUT GEN
	[ "$2" = testpmd ] && echo "$1@testpmd" || echo "$1"
}

if [ "$LIST_ONLY" = 1 ]; then
	for d in "${DUTS[@]}"; do
		for g in "${GENS[@]}"; do
			if [ "$g" = testpmd ]; then
				why=$(tp_skip_reason "$d")
				if [ -n "$why" ]; then
					warn "$d: not driven by testpmd ($why)"
					continue
				fi
			fi
			if [[ "$d" == nfvd*:* ]]; then
				echo "$(gen_key "$d" "$g") ${CONFIG_OF[${d#*:}]}"
			else
				gen_key "$d" "$g"
			fi
		done
	done
	exit 0
fi

if [ -n "$PRINT_CONFIG" ]; then
	[[ " ${DUTS[*]} " == *" $PRINT_CONFIG "* ]] && [[ "$PRINT_CONFIG" == nfvd*:* ]] ||
		die_usage "--print-config: $PRINT_CONFIG is not an nfvd row of this run (--list)"
	pc_variant=${PRINT_CONFIG%%:*}
	pc_variant=${pc_variant#nfvd}
	pc_variant=${pc_variant#-}
	nfvd_config "${PRINT_CONFIG#*:}" "$pc_variant" "$DIR/print.yaml" "$TAG-nfvd" || exit 1
	cat "$DIR/print.yaml"
	exit 0
fi

[ -x "$BENCH" ] || { warn "$BENCH not built (ninja -C $BUILD)"; exit 1; }
[ -n "$TESTPMD" ] || { warn "dpdk-testpmd not found (apt-get install dpdk): no ceiling"; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
	warn "needs two cores (generator and device)"
	exit 1
fi

if wanted ovs-normal || wanted ovs-flows; then
	if [ ! -x "$VSWITCHD" ]; then
		apt_install openvswitch-switch-dpdk || true
	fi
	if [ ! -x "$VSWITCHD" ] || ! command -v ovsdb-server >/dev/null; then
		warn "OVS-DPDK not available: no OVS rows"
		DUTS=("${DUTS[@]/ovs-normal/}")
		DUTS=("${DUTS[@]/ovs-flows/}")
	fi
fi
if [ -n "$BASE_BUILD" ] && { [ ! -x "$BASE_NFVD" ] || [ ! -x "$BASE_NFVCTL" ]; }; then
	warn "--baseline $BASE_BUILD: no nfvd or nfvctl built there"
	exit 1
fi
if [ ! -x "$RAW_FWD" ]; then
	warn "$RAW_FWD not built: no limit row"
	DUTS=("${DUTS[@]/limit/}")
fi
if [ ! -x "$NFVD" ] || [ ! -x "$NFVCTL" ]; then
	warn "nfvd or nfvctl not built in $BUILD: no nfvd rows"
	for i in "${!DUTS[@]}"; do
		[[ "${DUTS[$i]}" == nfvd*:* ]] && DUTS[$i]=""
	done
fi

# Memory: the generator 256 MiB and a DUT 512 MiB, hugepages if free.
FREE_MB=$(($(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0) * 2))
if [ "$NO_HUGE" = 0 ] && { ! grep -q hugetlbfs /proc/mounts || [ "$FREE_MB" -lt 800 ]; }; then
	warn "fewer than 800 MiB of free 2 MiB hugepages mounted: using ordinary memory (--no-huge)"
	NO_HUGE=1
fi
if [ "$NO_HUGE" = 1 ]; then
	GEN_MEM=(--no-huge)
	TP_GEN_MEM=(--no-huge --no-shconf -m 256)
	DPDK_MEM=(--no-huge --no-shconf -m 512)
else
	GEN_MEM=()
	TP_GEN_MEM=(--in-memory --single-file-segments -m 256)
	DPDK_MEM=(--in-memory --single-file-segments -m 512)
fi
mask() { printf '0x%x' $((1 << $1)); }

wait_files() {	# wait_files PID SECONDS FILE...: all exist, PID alive
	local pid=$1 t=$(($2 * 10)) f ok
	shift 2
	while [ $t -gt 0 ]; do
		alive "$pid" || return 1
		ok=1
		for f in "$@"; do [ -S "$f" ] || ok=0; done
		[ $ok = 1 ] && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

# --- devices under test ------------------------------------------------------
# Each start_* sets SOCK0/SOCK1 (and DUT_PID) or returns 1 with a reason.
SOCK0="" SOCK1="" DUT_PID="" DUT_LOG=""

start_testpmd() {	# start_testpmd io|mac
	local prefix=$TAG-tp fwd=("--forward-mode=$1")
	[ "$1" = mac ] && fwd+=(--eth-peer=0,02:00:00:00:00:01 --eth-peer=1,02:00:00:00:00:02)
	PREFIXES+=("$prefix")
	SOCK0=$DIR/tp0.sock SOCK1=$DIR/tp1.sock DUT_LOG=$DIR/testpmd-$1.log
	rm -f "$SOCK0" "$SOCK1"
	# Non-interactive with a long stats period: testpmd then runs until
	# SIGTERM instead of waiting for a key.
	"$TESTPMD" --lcores "0@$GEN_CPU,1@$DUT_CPU" --no-pci "${DPDK_MEM[@]}" \
		--file-prefix "$prefix" --no-telemetry \
		--vdev "net_vhost0,iface=$SOCK0,queues=1" \
		--vdev "net_vhost1,iface=$SOCK1,queues=1" -- \
		"${fwd[@]}" --auto-start --nb-cores=1 --rxq=1 --txq=1 \
		--total-num-mbufs=32768 --stats-period 86400 \
		</dev/null >"$DUT_LOG" 2>&1 &
	DUT_PID=$!
	PIDS+=("$DUT_PID")
	wait_files "$DUT_PID" 30 "$SOCK0" "$SOCK1"
}

# The limit: raw-fwd on the DUT core (librte_vhost's own thread goes to
# the other cores, as testpmd's and nfvd's control threads do).
start_raw() {
	local prefix=$TAG-raw
	PREFIXES+=("$prefix")
	SOCK0=$DIR/raw0.sock SOCK1=$DIR/raw1.sock DUT_LOG=$DIR/raw-fwd.log
	rm -f "$SOCK0" "$SOCK1"
	"$RAW_FWD" -l "$DUT_CPU" --no-pci "${DPDK_MEM[@]}" --file-prefix "$prefix" \
		--no-telemetry -- "$SOCK0" "$SOCK1" </dev/null >"$DUT_LOG" 2>&1 &
	DUT_PID=$!
	PIDS+=("$DUT_PID")
	wait_files "$DUT_PID" 30 "$SOCK0" "$SOCK1"
}

# raw-fwd's busy cycles per packet so far (SIGUSR1: it prints them).
raw_cycles() {
	local before
	before=$(grep -c '^raw-fwd: packets' "$DUT_LOG")
	kill -USR1 "$DUT_PID" 2>/dev/null || return 0
	for _ in $(seq 20); do
		[ "$(grep -c '^raw-fwd: packets' "$DUT_LOG")" -gt "$before" ] && break
		sleep 0.05
	done
	sed -n 's/^raw-fwd: packets .* cycles_per_packet \([0-9.]*\) .*/\1/p' "$DUT_LOG" | tail -1
}

OVS_DB_PID="" OVS_SW_PID=""
ovs_env() {
	export OVS_RUNDIR=$DIR/ovs OVS_LOGDIR=$DIR/ovs OVS_DBDIR=$DIR/ovs \
		OVS_SYSCONFDIR=$DIR/ovs OVS_PKGDATADIR=/usr/share/openvswitch
}
vsctl() { ovs-vsctl --db="unix:$DIR/ovs/db.sock" --timeout=60 "$@"; }

start_ovs() {
	local prefix=$TAG-ovs extra i pid
	ovs_env
	rm -rf "$DIR/ovs"
	mkdir -p "$DIR/ovs"
	PREFIXES+=("$prefix")
	ovsdb-tool create "$DIR/ovs/conf.db" "$OVS_SCHEMA" || return 1
	ovsdb-server "$DIR/ovs/conf.db" --remote="punix:$DIR/ovs/db.sock" \
		--pidfile="$DIR/ovs/ovsdb-server.pid" \
		--unixctl="$DIR/ovs/ovsdb-server.ctl" \
		--log-file="$DIR/ovs/ovsdb-server.log" --detach --no-chdir \
		>"$DIR/ovs/ovsdb-server.out" 2>&1 || return 1
	OVS_DB_PID=$(cat "$DIR/ovs/ovsdb-server.pid")
	PIDS+=("$OVS_DB_PID")
	if [ "$NO_HUGE" = 1 ]; then
		extra="--file-prefix=$prefix --no-pci --no-telemetry --no-huge --no-shconf -m 512"
		vsctl --no-wait init -- set Open_vSwitch . \
			other_config:dpdk-init=true \
			"other_config:dpdk-lcore-mask=$(mask "$GEN_CPU")" \
			"other_config:pmd-cpu-mask=$(mask "$DUT_CPU")" \
			"other_config:dpdk-extra=\"$extra\"" || return 1
	else
		extra="--file-prefix=$prefix --no-pci --no-telemetry --in-memory --single-file-segments"
		vsctl --no-wait init -- set Open_vSwitch . \
			other_config:dpdk-init=true \
			"other_config:dpdk-lcore-mask=$(mask "$GEN_CPU")" \
			"other_config:pmd-cpu-mask=$(mask "$DUT_CPU")" \
			other_config:dpdk-socket-mem=512 \
			other_config:dpdk-socket-limit=512 \
			"other_config:dpdk-extra=\"$extra\"" || return 1
	fi
	# Its non-PMD threads on the generator's core, like every DUT's main
	# thread; the PMD thread pins itself to pmd-cpu-mask.
	taskset -c "$GEN_CPU" "$VSWITCHD" "unix:$DIR/ovs/db.sock" \
		--pidfile="$DIR/ovs/ovs-vswitchd.pid" \
		--unixctl="$DIR/ovs/ovs-vswitchd.ctl" \
		--log-file="$DIR/ovs/ovs-vswitchd.log" --detach --no-chdir \
		>"$DIR/ovs/ovs-vswitchd.out" 2>&1 || return 1
	OVS_SW_PID=$(cat "$DIR/ovs/ovs-vswitchd.pid")
	PIDS+=("$OVS_SW_PID")
	DUT_PID=$OVS_SW_PID DUT_LOG=$DIR/ovs/ovs-vswitchd.log
	for i in $(seq 600); do
		[ "$(vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] && break
		alive "$OVS_SW_PID" || return 1
		sleep 0.1
	done
	vsctl add-br br0 -- set bridge br0 datapath_type=netdev || return 1
	vsctl add-port br0 vhu0 -- set Interface vhu0 type=dpdkvhostuser ofport_request=1 &&
		vsctl add-port br0 vhu1 -- set Interface vhu1 type=dpdkvhostuser ofport_request=2 ||
		return 1
	SOCK0=$DIR/ovs/vhu0 SOCK1=$DIR/ovs/vhu1
	wait_files "$OVS_SW_PID" 30 "$SOCK0" "$SOCK1" || return 1
	sleep 0.5	# the socket exists before OVS serves it
}

ovs_flows() {	# ovs_flows normal|p2p
	ovs_env
	ovs-ofctl del-flows br0 || return 1
	if [ "$1" = normal ]; then
		ovs-ofctl add-flow br0 actions=NORMAL
	else
		ovs-ofctl add-flow br0 in_port=1,actions=output:2 &&
			ovs-ofctl add-flow br0 in_port=2,actions=output:1
	fi
}

stop_ovs() {
	local p
	for p in "$OVS_SW_PID" "$OVS_DB_PID"; do
		[ -n "$p" ] || continue
		stop_pid "$p"
		forget_pid "$p"
	done
	OVS_SW_PID="" OVS_DB_PID=""
	remove_prefix_files "$TAG-ovs"
}

NFVD_CTL=""
start_nfvd() {	# start_nfvd NAME [ethdev|base|sleep|interrupt]
	local name=$1 prefix=$TAG-nfvd cfg=$DIR/nfvd-$1${2:+-$2}.yaml via="" bin=$NFVD
	[ "${2:-}" = ethdev ] && via=1
	[ "${2:-}" = base ] && bin=$BASE_NFVD
	PREFIXES+=("$prefix")
	DUT_LOG=$DIR/nfvd-$name${2:+-$2}.log
	: >"$DUT_LOG"
	nfvd_config "$name" "${2:-}" "$cfg" "$prefix" || return 1
	SOCK0=$DIR/nfvd-p0.sock SOCK1=$DIR/nfvd-p1.sock
	NFVD_CTL=$DIR/nfvd-ctl.sock
	rm -f "$SOCK0" "$SOCK1" "$NFVD_CTL"
	NFVD_VHOST_ETHDEV=$via "$bin" -c "$cfg" >"$DUT_LOG" 2>&1 &
	DUT_PID=$!
	PIDS+=("$DUT_PID")
	wait_files "$DUT_PID" 30 "$SOCK0" "$SOCK1" "$NFVD_CTL" || return 1
	load_kroutes "$name" "$cfg"
}

stop_dut() {
	if [ -n "$OVS_SW_PID$OVS_DB_PID" ]; then
		stop_ovs
	elif [ -n "$DUT_PID" ]; then
		stop_pid "$DUT_PID"
		forget_pid "$DUT_PID"
	fi
	DUT_PID=""
	rm -f "$SOCK0" "$SOCK1"
}

# --- one measurement ---------------------------------------------------------
RESULTS=$DIR/results.tsv	# dut run mpps01 mpps10 loss cycles estimated gen-busy
: >"$RESULTS"
WORKER_RESULTS=$DIR/workers.tsv	# dut run worker packets cycles-per-packet
: >"$WORKER_RESULTS"
VNF_RESULTS=$DIR/vnfs.tsv	# dut run vnf cycles-per-packet-of-the-worker
: >"$VNF_RESULTS"
IDLE_RESULTS=$DIR/idle.tsv	# dut run cpu-pct "RATE P50 P99 LOSS ..."
: >"$IDLE_RESULTS"

cpu_ns() {	# cpu_ns PID: CPU time of all its threads so far, in ns
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%d", s}'
}

# The share of one core the DUT uses while no frame moves, in %.
idle_cpu() {
	local a b t0 t1
	sleep 1
	a=$(cpu_ns "$DUT_PID") t0=$(date +%s%N)
	sleep "$IDLE_CPU_S"
	b=$(cpu_ns "$DUT_PID") t1=$(date +%s%N)
	awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" \
		'BEGIN {printf "%.3f", 100 * (b - a) / (t1 - t0)}'
}

# Open loop at each of IDLE_RATES: "RATE P50 P99 LOSS" per rate (us, %).
idle_latency() {	# idle_latency [extra nfv-bench args...]
	local json=$DIR/lat.json log=$DIR/lat.log r out=()
	for r in "${IDLE_RATES[@]}"; do
		rm -f "$json"
		timeout $((${DURATION%.*} + ${WARMUP%.*} + 90)) "$BENCH" \
			-p "$SOCK0" -p "$SOCK1" -s "$SIZE" -d "$DURATION" -w "$WARMUP" \
			-r "$r" --cpu "$GEN_CPU" --file-prefix "$TAG-gen" "${GEN_MEM[@]}" -q \
			-j "$json" "$@" "${EXTRA_GEN[@]}" >"$log" 2>&1
		remove_prefix_files "$TAG-gen"
		out+=("$r" $(python3 - "$json" <<'EOF'
import json, sys
try:
    res = json.load(open(sys.argv[1]))["results"][0]
    t = res["trials"][res["final_trial"]]
    lat = t["latency_us"] or {}
    print("%.1f %.1f %.4f" % (lat["p50"], lat["p99"], t["loss_pct"]))
except Exception:
    print("- - -")
EOF
))
	done
	echo "${out[*]}"
}

# testpmd as the generator on the generator core: virtio-user ports on
# SOCK0/SOCK1, io forwarding (or what the config's testpmd-gen-args say),
# `start tx_first TP_INFLIGHT`, the warm-up, `show port stats all` twice
# around the window, `stop` (busy cycles).  Fills GEN_LINE with "Mpps 0->1,
# Mpps 1->0, loss, TSC Hz, busy %" (tab separated) or returns 1.
measure_testpmd() {	# measure_testpmd DUT [extra testpmd args...]
	local dut=$1 log=$DIR/tpgen.log prefix=$TAG-tpgen fifo=$DIR/tpgen.fifo pid i t0 t1 fd
	shift
	PREFIXES+=("$prefix")
	GEN_LOG=$log
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	"$TESTPMD" --lcores "0@$GEN_CPU,1@$GEN_CPU" --no-pci "${TP_GEN_MEM[@]}" \
		--file-prefix "$prefix" --no-telemetry \
		--vdev "net_virtio_user0,path=$SOCK0,mac=${TP_GEN_MACS[0]},queues=1" \
		--vdev "net_virtio_user1,path=$SOCK1,mac=${TP_GEN_MACS[1]},queues=1" -- \
		-i --forward-mode=io --nb-cores=1 --rxq=1 --txq=1 --total-num-mbufs=32768 \
		"--eth-peer=0,${TP_GEN_PEERS[0]}" "--eth-peer=1,${TP_GEN_PEERS[1]}" "$@" \
		<"$fifo" >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	exec {fd}>"$fifo"
	# Commands only once testpmd reads them: its ports are up then.
	for i in $(seq 300); do
		grep -q 'testpmd> ' "$log" && break
		alive "$pid" || break
		sleep 0.1
	done
	sleep 0.5
	{
		echo "set record-core-cycles on"
		[ "$SIZE" = 64 ] || echo "set txpkts $((SIZE - 4))"
	} >&$fd
	t0=$(date +%s%N)
	echo "start tx_first $TP_INFLIGHT" >&$fd
	sleep "$WARMUP"
	echo "show port stats all" >&$fd
	sleep "$DURATION"
	echo "show port stats all" >&$fd
	sleep 0.2
	t1=$(date +%s%N)
	echo "stop" >&$fd
	# Its summary ends with the cycles line: quit only then, or the
	# prompt's echo cuts into it.
	for i in $(seq 50); do
		grep -q 'MHz Clock' "$log" && break
		alive "$pid" || break
		sleep 0.1
	done
	sleep 0.2
	echo "quit" >&$fd
	exec {fd}>&-
	for i in $(seq 100); do
		alive "$pid" || break
		sleep 0.1
	done
	stop_pid "$pid"
	forget_pid "$pid"
	remove_prefix_files "$prefix"
	rm -f "$fifo"
	[ -z "${NFV_CMP_KEEP_LOG:-}" ] || cp "$log" "$NFV_CMP_KEEP_LOG"
	GEN_LINE=$(python3 "$ROOT/tests/bench/testpmd_gen.py" "$log" $((t1 - t0))) || return 1
	# Closed loop: frames lost are not counted here (0).
	GEN_LINE=$(echo "$GEN_LINE" | awk -F'\t' -v OFS='\t' '{print $1, $2, "0.0000", $3, $4}')
	if [ "$(echo "$GEN_LINE" | awk -F'\t' '{print ($1 > 0 && $2 > 0)}')" != 1 ]; then
		warn "$dut: testpmd: a direction forwarded nothing"
		return 1
	fi
}

# nfv-bench's closed loop; fills GEN_LINE as measure_testpmd.
measure_nfvbench() {	# measure_nfvbench DUT [extra nfv-bench args...]
	local dut=$1 json=$DIR/run.json log=$DIR/gen.log rc attempt
	shift
	GEN_LOG=$log
	# A vhost-user server whose socket just appeared may not answer yet
	# (OVS): when nfv-bench could not even open its ports, try again.
	for attempt in 1 2 3; do
		rm -f "$json"
		timeout $((${DURATION%.*} + ${WARMUP%.*} + 90)) "$BENCH" \
			-p "$SOCK0" -p "$SOCK1" -s "$SIZE" -d "$DURATION" -w "$WARMUP" \
			--cpu "$GEN_CPU" --file-prefix "$TAG-gen" "${GEN_MEM[@]}" -q \
			-j "$json" "$@" "${EXTRA_GEN[@]}" >"$log" 2>&1
		rc=$?
		remove_prefix_files "$TAG-gen"
		[ $rc != 0 ] && grep -q "no device on" "$log" || break
		sleep 1
	done
	[ $rc = 0 ] && [ -s "$json" ] || return 1
	GEN_LINE=$(python3 - "$json" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
res = b["results"][0]
t = res["trials"][res["final_trial"]]
ps = {p["port"]: p for p in t["ports"]}
print("\t".join(["%.4f" % ps[1]["received_mpps"], "%.4f" % ps[0]["received_mpps"],
                 "%.4f" % t["loss_pct"], "%d" % b["tsc_hz"], "%.1f" % t["generator_busy_pct"]]))
EOF
)
}

measure() {	# measure DUT GEN RUN [extra generator args...]
	local dut=$1 gen=$2 run=$3 cyc="" est=1 line key rc
	shift 3
	key=$(gen_key "$dut" "$gen")
	[ -n "$PAIR_FOR" ] && key="pair:$PAIR_FOR"
	GEN_LINE=""
	if [ "$gen" = testpmd ]; then
		measure_testpmd "$dut" "$@"
	else
		measure_nfvbench "$dut" "$@"
	fi
	rc=$?
	if [ $rc != 0 ] || [ -z "$GEN_LINE" ]; then
		warn "$key run $run: $gen failed:"
		tail -5 "$GEN_LOG" | sed 's/^/  /' >&2
		[ -n "$DUT_LOG" ] && tail -5 "$DUT_LOG" | sed 's/^/  dut: /' >&2
		return 1
	fi
	if [[ "$dut" == nfvd*:* ]]; then
		local ctl=$NFVCTL
		[[ "$dut" == nfvd-base:* ]] && ctl=$BASE_NFVCTL
		# All workers: their busy cycles over their packets; and each
		# VNF's cycles over the same packets (its share of that figure).
		cyc=$("$ctl" -s "$NFVD_CTL" -j show stats 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
w = d["workers"]
p = sum(x["packets"] for x in w)
print("%.1f" % (sum(x["busy_cycles"] for x in w) / p) if p else "")
with open(sys.argv[3], "a") as out:
    for v in d.get("vnfs", []):
        if p and v.get("packets"):
            out.write("%s\t%s\t%s\t%.1f\n" % (sys.argv[1], sys.argv[2], v["name"],
                                              v["cycles_per_packet"] * v["packets"] / p))' \
			"$key" "$run" "$VNF_RESULTS" 2>/dev/null)
		[ -n "$cyc" ] && est=0
		say "$(awk -F'\t' -v k="$key" -v r="$run" '$1 == k && $2 == r {
			s = s (s == "" ? "" : ", ") $3 " " $4 } END {
			printf "%-22s run %s:   in the VNFs, cycles per packet: %s", k, r, s }' "$VNF_RESULTS")"
		# More than one worker: each one's packets and busy cycles per
		# packet over the trial (nfv-bench --dut-socket).
		if [ "$gen" = nfv-bench ] && [ "${WORKERS_OF[${dut#*:}]:-1}" -gt 1 ]; then
			python3 - "$DIR/run.json" "$key" "$run" >>"$WORKER_RESULTS" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1]))
res = b["results"][0]
for w in res["trials"][res["final_trial"]].get("dut_workers", []):
    print("%s\t%s\t%d\t%d\t%.1f" % (sys.argv[2], sys.argv[3], w["id"], w["packets"], w["cycles_per_packet"]))
EOF
			awk -F'\t' -v k="$key" -v r="$run" '$1 == k && $2 == r {
				printf "compare: %-22s run %s:   worker %s: %s packets, %s busy cycles/packet\n", k, r, $3, $4, $5 }' \
				"$WORKER_RESULTS"
		fi
	elif [ "$dut" = limit ]; then
		cyc=$(raw_cycles)
		[ -n "$cyc" ] && est=0
	fi
	# Others: an estimate, TSC Hz / packets per second through the core.
	line=$(echo "$GEN_LINE" | awk -F'\t' -v OFS='\t' -v key="$key" -v run="$run" -v cyc="$cyc" -v est="$est" '{
		if (cyc == "" && $4 != "" && $1 + $2 > 0)
			cyc = sprintf("%.1f", $4 / (($1 + $2) * 1e6))
		print key, run, $1, $2, $3, cyc, est, ($5 == "" ? "-1" : $5)
	}')
	echo "$line" >>"$RESULTS"
	say "$(echo "$line" | awk -F'\t' '{printf "%-22s run %s: %s / %s Mpps per direction, loss %s%%, cycles/packet %s%s, generator busy %s%%", $1, $2, $3, $4, $5, ($7 == 1 ? "~" : ""), $6, $8}')"
	return 0
}

run_dut() {	# run_dut DUT RUN GEN
	local dut=$1 run=$2 gen=$3 extra=()
	case "$dut" in
	limit)
		start_raw || { warn "raw-fwd did not start"; tail -5 "$DUT_LOG" >&2; stop_dut; return 1; }
		# Paired with an nfvd row: the row's generator arguments, so
		# that the generator paces both alike (router-bench's 65,536
		# random flows cost the generator more than one flow does).
		local row=${PAIR_FOR%@testpmd}
		if [[ "$row" == nfvd*:* ]]; then
			if [ "$gen" = testpmd ]; then
				read -ra extra <<<"$(config_tp_args "${CONFIG_OF[${row#*:}]}")"
			else
				read -ra extra <<<"$(config_gen_args "${CONFIG_OF[${row#*:}]}")"
			fi
		fi
		;;
	ceiling) start_testpmd io || { warn "testpmd io did not start"; tail -5 "$DUT_LOG" >&2; stop_dut; return 1; } ;;
	testpmd-mac) start_testpmd mac || { warn "testpmd mac did not start"; tail -5 "$DUT_LOG" >&2; stop_dut; return 1; } ;;
	nfvd:* | nfvd-ethdev:* | nfvd-base:* | nfvd-sleep:* | nfvd-interrupt:*)
		local via=""
		[[ "$dut" == nfvd-ethdev:* ]] && via=ethdev
		[[ "$dut" == nfvd-base:* ]] && via=base
		[[ "$dut" == nfvd-sleep:* ]] && via=sleep
		[[ "$dut" == nfvd-interrupt:* ]] && via=interrupt
		if ! start_nfvd "${dut#*:}" $via; then
			warn "$dut did not start"
			tail -5 "$DUT_LOG" >&2
			stop_dut
			return 1
		fi
		if [ "$gen" = testpmd ]; then
			read -ra extra <<<"$(config_tp_args "${CONFIG_OF[${dut#*:}]}")"
		else
			read -ra extra <<<"$(config_gen_args "${CONFIG_OF[${dut#*:}]}")"
			local nw=${WORKERS_OF[${dut#*:}]:-1}
			# N workers: N queue pairs, flows to spread over them
			# (a later -f wins), nfvd's per-worker counts.
			[ "$nw" -gt 1 ] && extra=(--queues "$nw" --flows 1024
				--dut-socket "$NFVD_CTL" "${extra[@]}")
		fi
		;;
	esac
	# The idle modes: CPU before any traffic, then the closed loop, then
	# latency in open loop.
	local cpu="" rc
	if [[ "$dut" == nfvd*:* ]] && idle_config "${dut#*:}" && [ "$gen" = nfv-bench ]; then
		cpu=$(idle_cpu)
		say "$dut run $run: $cpu% of a core while idle ($(idle_mode_of "$dut"))"
	fi
	measure "$dut" "$gen" "$run" "${extra[@]}"
	rc=$?
	if [ -n "$cpu" ]; then
		local lat
		lat=$(idle_latency "${extra[@]}")
		say "$dut run $run: open loop, rate p50 p99 (us) loss (%): $lat"
		printf '%s\t%s\t%s\t%s\n' "$dut" "$run" "$cpu" "$lat" >>"$IDLE_RESULTS"
	fi
	stop_dut
	return $rc
}

run_ovs() {	# run_ovs RUN GEN: both OVS rows on one OVS instance
	local run=$1 gen=$2
	if ! start_ovs; then
		warn "OVS-DPDK did not start:"
		tail -5 "$DIR/ovs/ovs-vswitchd.log" "$DIR/ovs/ovs-vswitchd.out" 2>/dev/null | sed 's/^/  /' >&2
		stop_dut
		return 1
	fi
	if wanted ovs-normal && [[ " ${DUTS[*]} " == *" ovs-normal "* ]]; then
		ovs_flows normal && measure ovs-normal "$gen" "$run"
	fi
	if wanted ovs-flows && [[ " ${DUTS[*]} " == *" ovs-flows "* ]]; then
		ovs_flows p2p && measure ovs-flows "$gen" "$run"
	fi
	stop_dut
}

# The rows, DUT@GEN keys in table order; testpmd only where it can drive
# the device.
ROWS=()
for gen in "${GENS[@]}"; do
	for dut in "${DUTS[@]}"; do
		[ -n "$dut" ] || continue
		if [ "$gen" = testpmd ]; then
			why=$(tp_skip_reason "$dut")
			if [ -n "$why" ]; then
				say "$dut: not driven by testpmd ($why)"
				continue
			fi
		fi
		ROWS+=("$(gen_key "$dut" "$gen")")
	done
done
say "devices: $(echo "${DUTS[*]}" | tr -s ' '); generators: ${GENS[*]}"
say "generator on core $GEN_CPU, devices on core $DUT_CPU; $SIZE B, $RUNS rounds of ${DURATION} s (+${WARMUP} s warm-up); $([ "$NO_HUGE" = 1 ] && echo ordinary memory || echo hugepages)"
for run in $(seq "$RUNS"); do
	for gen in "${GENS[@]}"; do
		ovs_done=0
		for dut in "${DUTS[@]}"; do
			[ -n "$dut" ] || continue
			[[ " ${ROWS[*]} " == *" $(gen_key "$dut" "$gen") "* ]] || continue
			case "$dut" in
			ovs-*)
				[ $ovs_done = 1 ] && continue
				ovs_done=1
				run_ovs "$run" "$gen"
				;;
			*)
				if [ "$PAIRED" = 1 ] && [ "$dut" != limit ]; then
					PAIR_FOR=$(gen_key "$dut" "$gen")
					run_dut limit "$run" "$gen"
					PAIR_FOR=""
				fi
				run_dut "$dut" "$run" "$gen"
				;;
			esac
		done
	done
done

# --- the table ---------------------------------------------------------------------
NFV_CMP_WORKERS=$WORKER_RESULTS NFV_CMP_VNFS=$VNF_RESULTS NFV_CMP_PAIRED=$PAIRED python3 - "$RESULTS" "$SIZE" "$RUNS" \
	"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	"$JSON_OUT" "$IDLE_RESULTS" "${ROWS[@]}" <<'EOF'
import datetime, json, os, statistics, sys
path, size, runs, commit, json_out, idle_path = sys.argv[1:7]
order = [d for d in sys.argv[7:] if d]
names = {"limit": "raw vhost forwarder (the limit)",
         "ceiling": "testpmd io-forward (ceiling)", "testpmd-mac": "testpmd mac-forward",
         "ovs-normal": "OVS-DPDK, NORMAL action", "ovs-flows": "OVS-DPDK, port-to-port flows"}
rows = {}
for line in open(path):
    f = line.rstrip("\n").split("\t")
    if len(f) != 8:
        continue
    dut, run, m01, m10, loss, cyc, est, busy = f
    rows.setdefault(dut, []).append({"run": int(run), "mpps_0to1": float(m01), "mpps_1to0": float(m10),
                                     "loss_pct": float(loss), "cycles_per_packet": float(cyc) if cyc else None,
                                     "cycles_estimated": est == "1", "generator_busy_pct": float(busy)})
med = {}
for dut, rs in rows.items():
    per_dir = statistics.median([(r["mpps_0to1"] + r["mpps_1to0"]) / 2 for r in rs])
    cyc = [r["cycles_per_packet"] for r in rs if r["cycles_per_packet"] is not None]
    med[dut] = {"mpps_per_direction": per_dir,
                "mpps_0to1": statistics.median([r["mpps_0to1"] for r in rs]),
                "mpps_1to0": statistics.median([r["mpps_1to0"] for r in rs]),
                "loss_pct": statistics.median([r["loss_pct"] for r in rs]),
                "cycles_per_packet": statistics.median(cyc) if cyc else None,
                "cycles_estimated": rs[0]["cycles_estimated"], "runs": len(rs),
                "generator_busy_pct": statistics.median([r["generator_busy_pct"] for r in rs])}
    if med[dut]["generator_busy_pct"] < 0:  # the generator did not say
        med[dut]["generator_busy_pct"] = None
# Rows with more than one nfvd worker: per worker, the packets and busy
# cycles per packet of each run's trial (warm-up and drain included).
per_worker = {}
for line in open(os.environ["NFV_CMP_WORKERS"]):
    f = line.rstrip("\n").split("\t")
    if len(f) == 5:
        per_worker.setdefault(f[0], {}).setdefault(int(f[2]), []).append((int(f[3]), float(f[4])))
for dut, ws in per_worker.items():
    if dut in med:
        med[dut]["workers"] = [{"worker": w, "packets": statistics.median([x[0] for x in v]),
                                "cycles_per_packet": statistics.median([x[1] for x in v]), "runs": len(v)}
                               for w, v in sorted(ws.items())]

# nfvd rows: each VNF's cycles over the worker's packets (the part of the
# row's busy cycles per packet spent in it), medians of the runs.
per_vnf = {}
for line in open(os.environ["NFV_CMP_VNFS"]):
    f = line.rstrip("\n").split("\t")
    if len(f) == 4:
        per_vnf.setdefault(f[0], {}).setdefault(f[2], []).append(float(f[3]))
for dut, vs in per_vnf.items():
    if dut in med:
        med[dut]["vnfs"] = [{"vnf": n, "cycles_per_packet": statistics.median(v), "runs": len(v)}
                            for n, v in vs.items()]


def gen_of(key):
    """A row key is DUT (nfv-bench) or DUT@testpmd."""
    return key.split("@", 1) if "@" in key else (key, "nfv-bench")


# Every row against the limit, the ceiling and OVS driven by its own
# generator.
def ref(what, gen):
    return med.get(what if gen == "nfv-bench" else what + "@" + gen, {})


# Frame bytes with the FCS (layer 2); IMIX 7:4:1 of 64, 594, 1518 B.
frame_bytes = (7 * 64 + 4 * 594 + 1518) / 12.0 if size == "imix" else float(size)
# A closed loop whose generator was this busy was paced by the generator,
# not by the device: its Mpps say little about the device (its cycles
# per packet still do).
GEN_PACED_PCT = 95.0
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
print()
print("Peers side by side, %s B, closed loop; medians of %s runs; %s, commit %s" % (size, runs, now, commit))
print()
print("| device under test | generator | Mpps per direction (0->1 / 1->0) | Gbit/s per direction | x limit"
      " | ratio to ceiling | x OVS NORMAL | cycles/packet | limit cyc / cyc | per round: median (each) | generator busy | paced by | runs |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for key in order:
    dut, gen = gen_of(key)
    ceil = ref("ceiling", gen).get("mpps_per_direction")
    lim = ref("limit", gen)
    ovs = ref("ovs-normal", gen).get("mpps_per_direction")
    name = names.get(dut, "nfvd, " + dut[5:] + ".yaml" if dut.startswith("nfvd:") else
                     "nfvd via ethdev, " + dut[12:] + ".yaml" if dut.startswith("nfvd-ethdev:") else
                     "nfvd baseline build, " + dut[10:] + ".yaml" if dut.startswith("nfvd-base:") else
                     "nfvd idle sleep, " + dut[11:] + ".yaml" if dut.startswith("nfvd-sleep:") else
                     "nfvd idle interrupt, " + dut[15:] + ".yaml" if dut.startswith("nfvd-interrupt:") else dut)
    m = med.get(key)
    if m is None:
        print("| %s | %s | failed | | | | | | | | | | 0 |" % (name, gen))
        continue
    ratio = "%.2f" % (m["mpps_per_direction"] / ceil) if ceil else "-"
    xovs = "%.2f" % (m["mpps_per_direction"] / ovs) if ovs and not dut.startswith("ovs") else "-"
    cyc = "-" if m["cycles_per_packet"] is None else ("~%.0f" if m["cycles_estimated"] else "%.0f") % m["cycles_per_packet"]
    xlim = "%.2f" % (m["mpps_per_direction"] / lim["mpps_per_direction"]) if lim.get("mpps_per_direction") else "-"
    clim = ("%.2f" % (lim["cycles_per_packet"] / m["cycles_per_packet"])
            if lim.get("cycles_per_packet") and m["cycles_per_packet"] else "-")
    m["x_limit"] = float(xlim) if xlim != "-" else None
    m["limit_cycles_over_cycles"] = float(clim) if clim != "-" else None
    # The same ratio round by round (the limit's round r against this
    # row's round r, a minute apart at most), then their median: a host
    # that changes speed between rounds moves both sides of a pair.
    # With --paired, each round of the row against the limit run just
    # before it.
    lim_rounds = {r["run"]: r["cycles_per_packet"]
                  for r in rows.get("pair:" + key) or
                  rows.get("limit" if gen == "nfv-bench" else "limit@" + gen, [])}
    pairs = [lim_rounds[r["run"]] / r["cycles_per_packet"] for r in rows[key]
             if r["cycles_per_packet"] and lim_rounds.get(r["run"])]
    m["limit_cycles_over_cycles_paired"] = statistics.median(pairs) if pairs else None
    m["limit_cycles_over_cycles_rounds"] = pairs
    cpair = "-" if not pairs else "%.2f (%s)" % (statistics.median(pairs), " ".join("%.2f" % x for x in pairs))
    busy = m["generator_busy_pct"]
    m["paced_by"] = None if busy is None else "generator" if busy >= GEN_PACED_PCT else "device"
    m["generator"] = gen
    m["gbps_per_direction"] = m["mpps_per_direction"] * frame_bytes * 8 / 1000
    print("| %s | %s | %.2f (%.2f / %.2f) | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %d |" % (
        name, gen, m["mpps_per_direction"], m["mpps_0to1"], m["mpps_1to0"], m["gbps_per_direction"],
        xlim, ratio, xovs, cyc, clim, cpair, "-" if busy is None else "%.0f%%" % busy,
        "**generator**" if m["paced_by"] == "generator" else m["paced_by"] or "-", m["runs"]))
    for v in m.get("vnfs", []):
        print("| &nbsp;&nbsp;in VNF %s | %s | | | | | | %.1f | | | | | %d |" % (
            v["vnf"], gen, v["cycles_per_packet"], v["runs"]))
    total = sum(w["packets"] for w in m.get("workers", [])) or 1
    for w in m.get("workers", []):
        print("| &nbsp;&nbsp;worker %d | %s | %d packets (%.0f%%) | | | | | %.0f | | | | | %d |" % (
            w["worker"], gen, w["packets"], 100.0 * w["packets"] / total, w["cycles_per_packet"], w["runs"]))
print()
print("~: estimated as TSC Hz / packets per second through the device's core;"
      " nfvd's figure is its workers' busy cycles per packet (nfvctl show stats).")
if per_vnf:
    print("in VNF NAME: the cycles nfvd counted in that VNF (nfvctl show stats), over the packets its"
          " workers moved: the part of the row's cycles per packet spent in it; the rest is the runner"
          " and the two copies.")
if per_worker:
    print("worker N: with more than one nfvd worker, each one's packets (share) and busy cycles per packet"
          " over the trial, warm-up and drain included (nfv-bench --dut-socket); medians of the runs.")
print("Gbit/s: frame bytes with the FCS (layer 2)%s." % (", IMIX at its mean of %.1f B" % frame_bytes
                                                         if size == "imix" else ""))
print("generator busy: share of the time the generator's loop moved frames (testpmd: its forwarding"
      " core's busy cycles, record-core-cycles, from start to stop, the warm-up included); paced by: the generator"
      " when it was busy >= %.0f%% (the device's Mpps are then a lower bound), else the device."
      % GEN_PACED_PCT)
print("x limit, limit cyc / cyc: the row against the raw vhost forwarder of the same run, in Mpps"
      " and in busy cycles per packet (1.00: as cheap as the two copies alone), from the medians;"
      " per round: the limit's busy cycles per packet over the row's, round by round (each), and their"
      " median, which a host that changes speed between rounds moves less%s." % (
          " (--paired: each round against a limit run right before the row, seconds apart)"
          if os.environ.get("NFV_CMP_PAIRED") == "1" else ""))
# The idle modes: poll, sleep and interrupt of one config side by side.
idle = {}
for line in open(idle_path):
    f = line.rstrip("\n").split("\t")
    if len(f) != 4:
        continue
    dut, run, cpu, lat = f
    lf = lat.split()
    per = {}
    for i in range(0, len(lf) - 3, 4):
        try:
            per[lf[i]] = {"p50_us": float(lf[i + 1]), "p99_us": float(lf[i + 2]),
                          "loss_pct": float(lf[i + 3])}
        except ValueError:
            per[lf[i]] = None
    idle.setdefault(dut, []).append({"run": int(run), "idle_cpu_pct": float(cpu), "open_loop": per})
idle_med = {}
for dut, rs in idle.items():
    m = {"idle_cpu_pct": statistics.median([r["idle_cpu_pct"] for r in rs]), "open_loop": {}}
    for rate in rs[0]["open_loop"]:
        ok = [r["open_loop"][rate] for r in rs if r["open_loop"].get(rate)]
        m["open_loop"][rate] = ({k: statistics.median([o[k] for o in ok])
                                 for k in ("p50_us", "p99_us", "loss_pct")} if ok else None)
    idle_med[dut] = m
if idle_med:
    print()
    print("Idle modes (dataplane.idle), %s B: throughput in the closed loop above; CPU while no"
          " frame moves (from /proc); latency in open loop per sending port; medians of %s runs"
          % (size, runs))
    print()
    rates = list(next(iter(idle_med.values()))["open_loop"].keys())
    print("| config | idle | Mpps per direction | x poll | idle CPU, % of a core | "
          + " | ".join("p50 / p99 us at %s (loss)" % r for r in rates) + " |")
    print("|---|---|---|---|---|" + "---|" * len(rates))
    for dut in order:
        if dut not in idle_med:
            continue
        cfg = dut.split(":", 1)[1]
        mode = ("sleep" if dut.startswith("nfvd-sleep:") else
                "interrupt" if dut.startswith("nfvd-interrupt:") else "poll")
        mp = med.get(dut, {}).get("mpps_per_direction")
        base = med.get("nfvd:" + cfg, {}).get("mpps_per_direction")
        cells = []
        for r in rates:
            o = idle_med[dut]["open_loop"].get(r)
            cells.append("%.1f / %.1f (%.2f%%)" % (o["p50_us"], o["p99_us"], o["loss_pct"]) if o else "failed")
        print("| %s | %s | %s | %s | %.2f | %s |" % (
            cfg, mode, "%.2f" % mp if mp else "failed",
            "%.3f" % (mp / base) if mp and base else "-",
            idle_med[dut]["idle_cpu_pct"], " | ".join(cells)))
if json_out:
    json.dump({"tool": "compare.sh", "size": int(size), "runs": int(runs), "date": now, "commit": commit,
               "devices": order, "runs_detail": rows, "medians": med,
               "idle_detail": idle, "idle_medians": idle_med}, open(json_out, "w"), indent=2)
bad = [d for d in order if d not in med]
sys.exit(1 if bad or not any(gen_of(k)[0] == "ceiling" for k in med) else 0)
EOF
