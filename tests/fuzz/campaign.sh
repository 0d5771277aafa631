#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# One libFuzzer campaign of one harness, its corpus kept in the tree
# (docs/reliability.md, "Fuzzing"):
#
#   tests/fuzz/campaign.sh BUILD HARNESS RUNS [SECONDS]
#
# BUILD is a clang build directory (CC=clang meson setup BUILD
# -Dtests=enabled); HARNESS one of the names below; RUNS the executions
# (libFuzzer's -runs) and SECONDS a bound on the time (-max_total_time,
# default 3600).  The campaign runs under `nice -n 19`, in its own session
# whose autogroup is niced too (with sched_autogroup, nice alone does not
# keep it off the other sessions' cores), with one job, starts
# from the harness's corpus in tests/fuzz/<comp>/corpus/ and works in
# $NFV_FUZZ_WORK/HARNESS (default /tmp/nfv-fuzz/HARNESS): the inputs it
# finds, crash-* artifacts, and log.txt whose last lines are libFuzzer's
# final statistics.  At the end the tree's corpus is made again: its
# files under git, then, of the old corpus and of the campaign's inputs,
# those that add an edge (-merge=1 -use_counters=0: edges, not hit counts,
# so that it stays small).
set -euo pipefail
# Bash reads a script as it runs it: the whole body is one compound
# command, read before it starts, so that editing this file (or checking
# out another version) while a campaign runs cannot change what the
# campaign's merge does (it did: a syntax error, no merge).
{
cd "$(dirname "$0")/../.."

if [ $# -lt 3 ]; then
	echo "usage: $0 BUILD HARNESS RUNS [SECONDS]" >&2
	exit 2
fi
build=$1 harness=$2 runs=$3 secs=${4:-3600}

# harness: binary (under BUILD/tests/fuzz/), corpus folder (tests/fuzz/),
# dictionary or -, -max_len.
case "$harness" in
config) set -- config/fuzz_config config config/config.dict 4096 ;;
ctl) set -- ctl/fuzz_ctl_request ctl ctl/ctl.dict 4096 ;;
telemetry) set -- telemetry/fuzz_telemetry_libfuzzer telemetry telemetry/telemetry.dict 1100 ;;
routefile) set -- routefile/fuzz_routefile_libfuzzer routefile routefile/routefile.dict 2048 ;;
l2switch) set -- l2switch/fuzz_l2switch_libfuzzer l2switch - 1024 ;;
router) set -- router/fuzz_router_libfuzzer router - 1024 ;;
firewall) set -- firewall/fuzz_firewall_libfuzzer firewall - 1024 ;;
bpf) set -- bpf/fuzz_bpf_libfuzzer bpf - 1024 ;;
chain) set -- chain/fuzz_chain_libfuzzer chain - 1024 ;;
vxlan) set -- vxlan/fuzz_vxlan_libfuzzer vxlan - 4096 ;;
mirror-nl) set -- mirror/fuzz_mirror_nl mirror - 4096 ;;
vmm) set -- vmm/fuzz_vmm_device vmm - 4096 ;;
*)
	echo "$0: no harness named $harness" >&2
	exit 2
	;;
esac
bin=$build/tests/fuzz/$1 corpus=tests/fuzz/$2/corpus dict=$3 max_len=$4
work=${NFV_FUZZ_WORK:-/tmp/nfv-fuzz}/$harness
if [ ! -x "$bin" ]; then
	echo "$0: $bin is not built (ninja -C $build ${bin#"$build"/})" >&2
	exit 1
fi
mkdir -p "$work/corpus" "$work/artifacts" "$corpus"
work=$(realpath "$work")
bin=$(realpath "$bin")
corpus=$(realpath "$corpus")
# One process (no -jobs/-workers): the machine is shared.
args=(-runs="$runs" -max_total_time="$secs" -max_len="$max_len"
	-timeout=60 -rss_limit_mb=4096 -print_final_stats=1
	-artifact_prefix="$work/artifacts/")
if [ "$dict" != - ]; then
	args+=(-dict="$(realpath "tests/fuzz/$dict")")
fi
# low CMD...: run CMD at nice 19 in a session (and autogroup) of its own,
# that autogroup at nice 19 as well; CMD's exit status.  The new session
# nices its own autogroup: from here, /proc/PID/autogroup could still be
# ours until setsid has run.
low() {
	setsid -w sh -c 'echo 19 >/proc/self/autogroup; exec nice -n 19 "$@"' \
		low "$@"
}
cd "$work"
echo "campaign $harness: $(date -u +%FT%TZ) ${args[*]}" >log.txt
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	low "$bin" "${args[@]}" corpus "$corpus" >>log.txt 2>&1 ||
	echo "campaign $harness: libFuzzer exit $?" >>log.txt
echo "merge $harness: $(date -u +%FT%TZ)" >>log.txt
rm -rf merged
mkdir merged
git -C "$corpus" ls-files -z . | (cd "$corpus" && xargs -0 -r cp -t "$work/merged")
if UBSAN_OPTIONS=halt_on_error=1 low "$bin" -merge=1 \
	-use_counters=0 -max_len="$max_len" -timeout=60 -rss_limit_mb=4096 \
	merged "$corpus" corpus >>log.txt 2>&1 &&
	[ -n "$(ls merged)" ]; then
	find "$corpus" -maxdepth 1 -type f -delete
	cp merged/* "$corpus"/
else
	echo "merge $harness: failed, $corpus left as it was" >>log.txt
fi
echo "done $harness: $(date -u +%FT%TZ), $(ls "$corpus" | wc -l) files," \
	"$(du -sb "$corpus" | cut -f1) bytes in $corpus" >>log.txt
exit
}
