# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# lib.sh - shell helpers for nfvd's integration tests and scripts (bash).
# The Python harness (nfvtest.py) does the same for Python tests.
#
#   . tests/integration/common/lib.sh
#   nfv_require_root "creates netns"       # else: "SKIP: ..." and exit 77
#   nfv_require_tools dpdk-testpmd ip
#   nfv_init mytest                        # private dir $NFV_DIR, cleanup trap
#   nfv_netns_add h1; ns=$NFV_LAST_NETNS   # deleted at exit
#   nfv_spawn nfvd "$NFVD" -c cfg.yaml     # runs in background, PID tracked
#   nfv_wait_socket "$NFV_DIR/vm1.sock" 10
#   nfv_wait_for 10 "nfvd ready" grep -q ready: "$NFV_DIR/nfvd.log"
#   nfv_fail "reason"                      # "FAIL: ..." and exit 1
#
# Cleanup (on EXIT, INT, TERM): the tracked PIDs get SIGTERM, then SIGKILL
# after NFV_STOP_GRACE seconds (default 5); netns are deleted; hugepage
# files and /var/run/dpdk/PREFIX of registered file prefixes are removed;
# $NFV_DIR is removed unless NFV_TEST_KEEP=1.  Processes are only ever
# ended by the PIDs recorded here, never by name.

NFV_SKIP=77
NFV_PIDS=()
NFV_PID_NAMES=()
NFV_NETNS=()
NFV_PREFIXES=()
NFV_CLEANUPS=()
NFV_DIR=
NFV_T0=${NFV_T0:-$(date +%s.%N)}

nfv_log() {
	awk -v t0="$NFV_T0" -v t="$(date +%s.%N)" -v m="$*" 'BEGIN { printf "[%6.1f] %s\n", t - t0, m }'
}

nfv_skip() {
	echo "SKIP: $*"
	exit "$NFV_SKIP"
}

nfv_fail() {
	echo "FAIL: $*"
	exit 1
}

nfv_require_root() {
	[ "$(id -u)" = 0 ] || nfv_skip "needs root (${1:-creates sockets, netns and DPDK processes})"
}

nfv_require_tools() {
	local t missing=
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] || nfv_skip "missing tool(s):$missing (scripts/install-deps.sh installs them)"
}

# nfv_init NAME: private directory $NFV_DIR and the cleanup trap.
nfv_init() {
	NFV_NAME=$1
	NFV_DIR=$(mktemp -d "/tmp/nfv-it-$NFV_NAME-XXXXXX")
	chmod 755 "$NFV_DIR"
	trap nfv_cleanup EXIT
	trap 'echo "interrupted"; exit 1' INT TERM
}

# nfv_prefix WHAT: a DPDK --file-prefix unique to this run (removed at exit).
nfv_prefix() {
	local p="nfvit-${NFV_NAME:-sh}-$1-$$"
	NFV_PREFIXES+=("$p")
	echo "$p"
}

# nfv_track PID NAME: end this PID at cleanup.
nfv_track() {
	NFV_PIDS+=("$1")
	NFV_PID_NAMES+=("$2")
}

# nfv_spawn NAME CMD...: run CMD in the background (output to
# $NFV_DIR/NAME.log, children die with the shell via PDEATHSIG where
# setpriv exists); sets NFV_LAST_PID.  Call it directly, not in $( ).
nfv_spawn() {
	local name=$1
	shift
	if command -v setpriv >/dev/null 2>&1; then
		setpriv --pdeathsig KILL -- "$@" >"$NFV_DIR/$name.log" 2>&1 </dev/null &
	else
		"$@" >"$NFV_DIR/$name.log" 2>&1 </dev/null &
	fi
	NFV_LAST_PID=$!
	nfv_track "$NFV_LAST_PID" "$name"
}

# nfv_stop PID [SIG] [GRACE]: signal, wait, SIGKILL when needed; prints
# nothing, returns the exit status (when the PID is our child).
nfv_stop() {
	local pid=$1 sig=${2:-TERM} grace=${3:-${NFV_STOP_GRACE:-5}} i=0 rc=0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
	kill -"$sig" "$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null && [ "$i" -lt $((grace * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
		# A zombie child counts as gone.
		[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && break
	done
	if kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ]; then
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

# nfv_netns_add SHORT: create a netns unique to this run, deleted at exit;
# its name in NFV_LAST_NETNS.  (Not in $( ): the list must be ours.)
nfv_netns_add() {
	local ns="nfvit-$$-$1"
	ip netns add "$ns" || nfv_skip "cannot create netns $ns (needs CAP_SYS_ADMIN)"
	NFV_NETNS+=("$ns")
	NFV_LAST_NETNS=$ns
}

# nfv_veth A B [NS_A [NS_B]]: a veth pair, ends optionally moved to netns,
# both set up.  Deleted with their netns (or with the pair at cleanup).
nfv_veth() {
	local a=$1 b=$2 na=${3:-} nb=${4:-}
	ip link add "$a" type veth peer name "$b" || nfv_fail "ip link add $a/$b failed"
	NFV_CLEANUPS+=("ip link del $a 2>/dev/null")
	if [ -n "$na" ]; then ip link set "$a" netns "$na"; ip -n "$na" link set "$a" up; else ip link set "$a" up; fi
	if [ -n "$nb" ]; then ip link set "$b" netns "$nb"; ip -n "$nb" link set "$b" up; else ip link set "$b" up; fi
}

# nfv_wait_for SECONDS WHAT CMD...: poll CMD every 0.1 s.
nfv_wait_for() {
	local t=$1 what=$2 i=0
	shift 2
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le $((t * 10)) ] || { echo "timed out after ${t}s waiting for $what" >&2; return 1; }
		sleep 0.1
	done
}

# nfv_wait_socket PATH [SECONDS]
nfv_wait_socket() {
	nfv_wait_for "${2:-10}" "socket $1" test -S "$1"
}

# nfv_free_hugepages_mb: free 2 MiB hugepages on a mounted hugetlbfs.
nfv_free_hugepages_mb() {
	if grep -q hugetlbfs /proc/mounts 2>/dev/null; then
		echo $(($(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0) * 2))
	else
		echo 0
	fi
}

nfv_cleanup() {
	local rc=$? i c pf
	set +e
	trap - EXIT INT TERM
	for ((i = ${#NFV_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${NFV_CLEANUPS[$i]}"
	done
	for ((i = ${#NFV_PIDS[@]} - 1; i >= 0; i--)); do
		if kill -0 "${NFV_PIDS[$i]}" 2>/dev/null; then
			nfv_stop "${NFV_PIDS[$i]}" TERM
		fi
	done
	for c in "${NFV_NETNS[@]}"; do
		ip netns del "$c" 2>/dev/null
	done
	for pf in "${NFV_PREFIXES[@]}"; do
		rm -f /dev/hugepages/"${pf}"map_* 2>/dev/null
		rm -rf "/var/run/dpdk/$pf"
	done
	if [ -n "$NFV_DIR" ] && [ "${NFV_TEST_KEEP:-0}" != 1 ]; then
		rm -rf "$NFV_DIR"
	fi
	exit "$rc"
}
