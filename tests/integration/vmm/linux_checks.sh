#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The Linux-guest checks of nfv-vmm, in sequence: test_vmm_linux.py runs
# them on a host with hardware KVM, or inside the nested test host (QEMU
# TCG with an emulated SVM CPU, see nested.py) where there is none.  POSIX
# sh with busybox's tools (the nested host has nothing else; on a real host
# the caller puts busybox's applets first in the PATH), iproute2's ip.
#
# Environment: NFV_VMM NFVD NFVCTL (binaries), NFV_KERNEL, NFV_INITRD (the
# guest kit's image with nfv-check, guest_check.sh, in it), NFV_PAYLOAD
# and NFV_PAYLOAD_FIRST (test payloads), NFV_VMM_MOCK (the mock vhost-user
# backend, for bench), NFV_CHECK_DIR (work directory),
# NFV_CHECKS (which, in this order; default: all but bench):
#   payload-poweroff  a payload's "cli; hlt" on every vCPU ends nfv-vmm, 0
#   switch            nfvd switches a vhost-user port and a tap (in a
#                     netns); the guest kit boots under nfv-vmm, brings up
#                     eth0 and pings the tap's address through the switch
#   restart           nfvd is stopped and started under the running guest;
#                     its pings resume, no guest reboot
#   poweroff          the guest's "poweroff" ends nfv-vmm with status 0
#   lab               nfvctl lab up: nfvd and two nfv-vmm guests that ping
#                     each other; one powers off (once the other has its
#                     replies), lab down stops the rest
#   bench             boot-to-init, start-to-first-instruction and VMM
#                     memory (METRIC lines), for bench_vmm.py
# Prints "CHECK NAME PASS|FAIL SECONDS DETAIL" per check, "METRIC K V"
# lines, and on a failure the last lines of the logs involved.  Exit
# status: 0 when every check passed, 1 otherwise.

# Helpers run through wait_for and trap, which shellcheck does not follow.
# shellcheck disable=SC2317

W=${NFV_CHECK_DIR:-/tmp/nfv-checks.$$}
CHECKS=${NFV_CHECKS:-payload-poweroff switch restart poweroff lab}
MEM=${NFV_GUEST_MEM:-128M}
RUNS=${NFV_BENCH_RUNS:-3}
# NFV_CHECK_VERBOSE=1: the guests' kernel messages (no "quiet") and every
# console and log at the end, passed or not.
VERBOSE=${NFV_CHECK_VERBOSE:-0}
Q=quiet
[ "$VERBOSE" = 1 ] && Q=
# iproute2's ip (netns): busybox's sh would run its own applet for "ip".
IP=${NFV_IP:-/usr/sbin/ip}
TAG=$$
NS=nfvck$TAG
TAPIF=nck${TAG}h
PORT=7
mkdir -p "$W"
failed=0
pids=

log() {
	echo "[$(cut -d' ' -f1 /proc/uptime)] $*"
}

# Centiseconds since boot (/proc/uptime has two decimals).
now_cs() {
	read -r up _ </proc/uptime
	echo "${up%.*}${up#*.}"
}

tailf() {
	echo "----- $1 (last ${2:-25} lines) -----"
	tail -n "${2:-25}" "$1" 2>/dev/null
}

# wait_for SECONDS WHAT CMD...: poll CMD every 0.2 s, for SECONDS of the
# clock.  Not a count of polls: each forks (grep), and under emulation
# with two guests running a fork can take longer than the sleep, and a
# count could stretch a check's waits past QEMU's limit (no logs then).
wait_for() {
	wf_secs=$1
	wf_until=$(($(now_cs) + wf_secs * 100))
	what=$2
	shift 2
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(now_cs)" -ge "$wf_until" ]; then
			log "timed out waiting for $what ($wf_secs s)"
			return 1
		fi
		usleep 200000
	done
}

has() {
	grep -q -- "$2" "$1"
}

# gone PID: the process has exited.  A zombie has: the lab's guests and
# nfvd are nfvctl's daemons, reparented to the nested host's init, which
# reaps them when it gets to it; `kill -0` still succeeds on a zombie, and
# "pid still running after lab down" failed in CI when the check came first.
gone() {
	local st
	kill -0 "$1" 2>/dev/null || return 0
	read -r st <"/proc/$1/stat" 2>/dev/null || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ]
}

ready_or_gone() {
	has "$1" "ready:" || gone "$2"
}

# wait_line SECONDS WHAT FILE PATTERN PID: until FILE has PATTERN; stop
# early if process PID has ended.  0 when the line came.
wait_line() {
	wait_for "$1" "$2" line_or_gone "$3" "$4" "$5"
	has "$3" "$4"
}

line_or_gone() {
	has "$1" "$2" || gone "$3"
}

# A console's line without the serial line's carriage return.
line_of() {
	grep -o -- "$2" "$1" | tr -d '\r' | head -n 1
}

# The tasks of PID (all its threads) at nice 19: on one CPU a poll-mode
# nfvd would otherwise take half of it from the guests it serves.
nice_all() {
	for t in /proc/"$1"/task/*; do
		renice -n 19 -p "${t##*/}" >/dev/null 2>&1
	done
}

check_result() {
	name=$1
	rc=$2
	t0=$3
	shift 3
	t=$(($(now_cs) - t0))
	secs=$((t / 100)).$(printf %02d $((t % 100)))
	if [ "$rc" = 0 ]; then
		echo "CHECK $name PASS ${secs}s $*"
	else
		echo "CHECK $name FAIL ${secs}s $*"
		failed=1
	fi
}

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		n=50
		while kill -0 "$p" 2>/dev/null && [ "$n" -gt 0 ]; do
			usleep 100000
			n=$((n - 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	"$IP" netns del "$NS" 2>/dev/null
	rm -rf "/var/run/dpdk/nfvck-sw$TAG" "/var/run/dpdk/nfvck-lab$TAG"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- payload-poweroff ----
check_payload_poweroff() {
	t0=$(now_cs)
	timeout 60 "$NFV_VMM" --payload "$NFV_PAYLOAD" --mem 64M --cpus 2 \
		--cmdline test=poweroff >"$W/pl.console" 2>"$W/pl.log"
	rc=$?
	if [ "$rc" = 0 ] && has "$W/pl.log" "guest powered off"; then
		check_result payload-poweroff 0 "$t0" "$(grep -o 'guest stopped.*' "$W/pl.log")"
	else
		check_result payload-poweroff 1 "$t0" "nfv-vmm exit $rc, no power-off seen (stopped by timeout's SIGTERM after 60 s?)"
		tailf "$W/pl.console"
		tailf "$W/pl.log"
	fi
}

# ---- switch, restart, poweroff: one guest on an nfvd switch ----
sw_config() {
	cat >"$W/sw.yaml" <<EOF
{"dataplane": {"workers": 1, "memory": 128, "hugepages": "off", "file_prefix": "nfvck-sw$TAG"},
 "control": {"socket": "$W/sw.sock"},
 "ports": [{"name": "vm1", "type": "vhost-user", "path": "$W/vm1.sock", "mode": "server"},
           {"name": "h1", "type": "tap", "ifname": "$TAPIF", "netns": "$NS", "mac": "02:00:00:00:0a:01"}],
 "vnfs": [{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
 "links": [["vm1", "sw.a"], ["h1", "sw.b"]]}
EOF
}

# nfvd_start LOG: nfvd on sw.yaml, ready, its tap addressed.
nfvd_start() {
	"$NFVD" -c "$W/sw.yaml" >"$1" 2>&1 &
	NFVD_PID=$!
	pids="$pids $NFVD_PID"
	wait_for 60 "nfvd to say ready" ready_or_gone "$1" "$NFVD_PID"
	if ! has "$1" "ready:" || gone "$NFVD_PID"; then
		log "nfvd did not start"
		tailf "$1"
		return 1
	fi
	nice_all "$NFVD_PID"
	"$IP" -n "$NS" addr add 10.0.0.1/24 dev "$TAPIF" &&
		"$IP" -n "$NS" link set "$TAPIF" up
}

nfvd_stop() {
	kill "$NFVD_PID" 2>/dev/null
	n=300
	while kill -0 "$NFVD_PID" 2>/dev/null && [ "$n" -gt 0 ]; do
		usleep 100000
		n=$((n - 1))
	done
	wait "$NFVD_PID"
}

pongs() {
	grep -c "NFV-CHECK: pong" "$W/g1.console"
}

more_pongs() {
	[ "$(pongs)" -gt "$1" ]
}

check_switch_guest() {
	run_switch=0
	case " $CHECKS " in *" switch "*) run_switch=1 ;; esac
	case " $CHECKS " in *" restart "* | *" poweroff "*) run_switch=1 ;; esac
	[ "$run_switch" = 1 ] || return 0

	t0=$(now_cs)
	sw_config
	if ! "$IP" netns add "$NS" || ! nfvd_start "$W/nfvd.log"; then
		check_result switch 1 "$t0" "nfvd did not start"
		return
	fi
	tb=$(now_cs)
	"$NFV_VMM" --kernel "$NFV_KERNEL" --initrd "$NFV_INITRD" --mem "$MEM" \
		--net "vhost-user=$W/vm1.sock,mac=02:00:00:00:0a:02" \
		--console "$W/g1.console" \
		--cmdline "$Q nfv.ip=10.0.0.2/24 nfv.halt=poweroff nfv.run=\"nfv-check pinger 10.0.0.1 $PORT\"" \
		>"$W/g1.log" 2>&1 &
	G1=$!
	pids="$pids $G1"
	if wait_line 180 "the guest's init" "$W/g1.console" "NFV-GUEST: init start" "$G1"; then
		echo "METRIC boot_to_init_ms $((($(now_cs) - tb) * 10))"
	fi
	if wait_line 120 "the guest's pings through nfvd" "$W/g1.console" "NFV-CHECK: pong" "$G1"; then
		check_result switch 0 "$t0" "$(line_of "$W/g1.console" 'NFV-CHECK: ping ok.*');" \
			"nfvd: $("$NFVCTL" -s "$W/sw.sock" show ports 2>&1 | grep -E '^ *(vm1|h1)' | tr -s ' ' | tr '\n' ';')"
	else
		check_result switch 1 "$t0" "no ping through the switch"
		tailf "$W/g1.console" 40
		tailf "$W/g1.log"
		tailf "$W/nfvd.log"
		return
	fi

	case " $CHECKS " in *" restart "*)
		t0=$(now_cs)
		n0=$(pongs)
		if nfvd_stop; then
			log "nfvd stopped (exit 0); starting it again under the guest"
			nfvd_start "$W/nfvd2.log"
			rc=$?
			n1=$(pongs)
			if [ "$rc" = 0 ] && wait_for 60 "pings after nfvd's restart" more_pongs "$n1" &&
				[ "$(grep -c 'NFV-GUEST: init start' "$W/g1.console")" = 1 ] &&
				kill -0 "$G1" 2>/dev/null; then
				check_result restart 0 "$t0" "pongs before $n0, during the restart $((n1 - n0)), after $(($(pongs) - n1)); $(grep -c 'NFV-CHECK: lost' "$W/g1.console") lost; no guest reboot"
			else
				check_result restart 1 "$t0" "no ping after nfvd's restart, or the guest rebooted"
				tailf "$W/g1.console" 40
				tailf "$W/g1.log"
				tailf "$W/nfvd2.log"
			fi
		else
			check_result restart 1 "$t0" "nfvd did not exit 0 on SIGTERM"
			tailf "$W/nfvd.log"
		fi
		;;
	esac

	case " $CHECKS " in *" poweroff "*)
		t0=$(now_cs)
		n=0
		while [ "$n" -lt 10 ] && ! has "$W/g1.console" "NFV-CHECK: stop"; do
			echo stop | "$IP" netns exec "$NS" nc -w 3 10.0.0.2 "$PORT" >/dev/null 2>&1
			wait_for 5 "the guest to stop" has "$W/g1.console" "NFV-CHECK: stop"
			n=$((n + 1))
		done
		if wait_for 60 "nfv-vmm to exit after the guest's poweroff" gone "$G1"; then
			wait "$G1"
			rc=$?
		else
			rc=124
		fi
		if [ "$rc" = 0 ] && has "$W/g1.console" "NFV-GUEST: poweroff" &&
			has "$W/g1.log" "guest powered off"; then
			check_result poweroff 0 "$t0" "$(grep -o 'guest stopped.*' "$W/g1.log")"
		else
			check_result poweroff 1 "$t0" "nfv-vmm exit $rc (124: still running 60 s after the poweroff)"
			tailf "$W/g1.console" 40
			tailf "$W/g1.log"
		fi
		;;
	esac
	nfvd_stop >/dev/null 2>&1
}

# Seconds left until centisecond mark $1 (at least 1).
left_until() {
	l=$((($1 - $(now_cs)) / 100))
	[ "$l" -lt 1 ] && l=1
	echo "$l"
}

# ---- lab: nfvctl lab up/down with two Linux guests ----
# Its waits share one deadline, LAB_LIMIT seconds from the start, so that a
# failure reports, with every console and log, before QEMU's limit.
LAB_LIMIT=330
check_lab() {
	t0=$(now_cs)
	lab_end=$((t0 + LAB_LIMIT * 100))
	L=$W/lab
	cat >"$W/lab.yaml" <<EOF
{"lab": {"vmm": "nfv-vmm", "ready_timeout": 200},
 "dataplane": {"workers": 1, "memory": 128, "hugepages": "off", "file_prefix": "nfvck-lab$TAG"},
 "control": {"socket": "$W/lab.sock"},
 "ports": [{"name": "vm1", "type": "vhost-user", "path": "$W/lab-vm1.sock", "mode": "server"},
           {"name": "vm2", "type": "vhost-user", "path": "$W/lab-vm2.sock", "mode": "server"}],
 "vnfs": [{"name": "sw", "type": "l2switch", "ifaces": [{"name": "a"}, {"name": "b"}]}],
 "links": [["vm1", "sw.a"], ["vm2", "sw.b"]],
 "guests": [
  {"name": "g1", "kernel": "$NFV_KERNEL", "initrd": "$NFV_INITRD", "mem": "$MEM",
   "cmdline": "$Q nfv.ip=10.0.1.1/24 nfv.halt=none nfv.run=\"nfv-check ping-tell 10.0.1.2 $PORT\"",
   "net": [{"port": "vm1", "mac": "02:00:00:00:0b:01"}]},
  {"name": "g2", "kernel": "$NFV_KERNEL", "initrd": "$NFV_INITRD", "mem": "$MEM",
   "cmdline": "$Q nfv.ip=10.0.1.2/24 nfv.halt=poweroff nfv.run=\"nfv-check ping-wait 10.0.1.1 $PORT\"",
   "net": [{"port": "vm2", "mac": "02:00:00:00:0b:02"}]}]}
EOF
	if ! NFV_LAB_DIR=$L "$NFVCTL" lab up "$W/lab.yaml" >"$W/lab-up.out" 2>&1; then
		check_result lab 1 "$t0" "nfvctl lab up failed"
		cat "$W/lab-up.out"
		tailf "$L/nfvd.log"
		NFV_LAB_DIR=$L "$NFVCTL" lab down "$W/lab.yaml" >/dev/null 2>&1
		return
	fi
	log "lab up in $((($(now_cs) - t0) / 100)) s: $(grep -c 'ready after' "$W/lab-up.out") guest(s) ready"
	lnfvd=$(awk '$1 == "nfvd" {print $2}' "$L/lab.state")
	lg1=$(awk '$1 == "guest" && $2 == "g1" {print $3}' "$L/lab.state")
	lg2=$(awk '$1 == "guest" && $2 == "g2" {print $3}' "$L/lab.state")
	[ -n "$lnfvd" ] && nice_all "$lnfvd"
	ok=1
	for g in g1 g2; do
		gp=$lg1
		[ "$g" = g2 ] && gp=$lg2
		if ! wait_line "$(left_until $((lab_end - 3000)))" "$g's pings" \
			"$L/$g.console" "NFV-GUEST: run rc=" "$gp"; then
			ok=0
		else
			log "$g: $(line_of "$L/$g.console" 'NFV-GUEST: run rc=[0-9]*')"
			has "$L/$g.console" "NFV-GUEST: run rc=0" || ok=0
		fi
	done
	if [ "$ok" = 1 ] && ! { wait_for "$(left_until "$lab_end")" "g2's nfv-vmm to exit after its poweroff" gone "$lg2" &&
		has "$L/g2.log" "guest powered off"; }; then
		ok=0
	fi
	if [ "$ok" = 1 ] && gone "$lg1"; then
		log "g1 should still be running"
		ok=0
	fi
	if ! NFV_LAB_DIR=$L "$NFVCTL" lab down "$W/lab.yaml" >"$W/lab-down.out" 2>&1; then
		log "nfvctl lab down failed: $(cat "$W/lab-down.out")"
		ok=0
	fi
	for p in $lnfvd $lg1 $lg2; do
		if ! gone "$p"; then
			log "pid $p still running after lab down"
			ok=0
		fi
	done
	if [ "$ok" = 1 ] && [ ! -e "$L/lab.state" ]; then
		check_result lab 0 "$t0" "g1: $(line_of "$L/g1.console" '[0-9]* packets transmitted.*');" \
			"g2: $(line_of "$L/g2.console" '[0-9]* packets transmitted.*'); g2 powered off"
	else
		check_result lab 1 "$t0" "see the logs"
		cat "$W/lab-up.out" "$W/lab-down.out"
		for f in g1.console g1.log g2.console g2.log nfvd.log; do
			tailf "$L/$f" 30
		done
	fi
}

# ---- bench: figures for bench_vmm.py ----
check_bench() {
	t0=$(now_cs)
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		rm -f "$W/b.console"
		tb=$(now_cs)
		"$NFV_VMM" --kernel "$NFV_KERNEL" --initrd "$NFV_INITRD" --mem "$MEM" \
			--console "$W/b.console" \
			--cmdline "$Q nfv.wait=0 nfv.run=true" >"$W/b.log" 2>&1 &
		b=$!
		pids="$pids $b"
		if wait_line 300 "the guest's init" "$W/b.console" "NFV-GUEST: init start" "$b"; then
			echo "METRIC boot_to_init_ms $((($(now_cs) - tb) * 10))"
		fi
		wait_for 120 "the guest to end" gone "$b"
		wait "$b"
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		"$NFV_VMM" --payload "$NFV_PAYLOAD_FIRST" --mem 128M --timing -q 2>&1 |
			sed -n 's/.*timing: /METRIC timing /p'
		i=$((i + 1))
	done
	# VMM memory: RSS minus guest RAM (the memfd, RssShmem), one NIC.
	for m in 64M 1G; do
		"$NFV_VMM_MOCK" --socket "$W/rss.sock" --timeout 60 >/dev/null 2>&1 &
		mk=$!
		pids="$pids $mk"
		wait_for 20 "the mock backend" test -S "$W/rss.sock"
		"$NFV_VMM" --payload "$NFV_PAYLOAD" --mem "$m" -q --net "vhost-user=$W/rss.sock" \
			--cmdline 'test=spin iters=100000000000' >/dev/null 2>&1 &
		p=$!
		pids="$pids $p"
		sleep 3
		# GuestRss: the RSS of the guest RAM mapping itself (here the
		# binaries live in the initramfs, shmem too, so RssShmem alone
		# would count them as guest RAM).
		echo "METRIC rss $m $(awk '/^(VmRSS|RssAnon|RssFile|RssShmem):/ {sub(":", "", $1); printf "%s=%s ", $1, $2}' /proc/$p/status)$(awk '/^[0-9a-f]+-[0-9a-f]+ / {g = index($0, "memfd:nfv-vmm-ram") > 0} g && /^Rss:/ {s += $2} END {printf "GuestRss=%d", s}' /proc/$p/smaps)"
		kill "$p" "$mk"
		wait "$p" "$mk" 2>/dev/null
		rm -f "$W/rss.sock"
	done
	check_result bench 0 "$t0" "$RUNS runs"
}

log "checks: $CHECKS (work directory $W)"
# Heartbeats on the console, every 30 s: when QEMU is killed at its
# limit, a console whose heartbeats go on to the end had a check stuck in
# user space; one whose heartbeats stop had the nested host stop.  Two
# loops: this one through the tty, as the checks write; the other through
# the kernel's log (printk writes the UART itself, without the tty's
# buffer and interrupts), so that a stuck tty shows as the first stopping
# while the second goes on.  Its level is KERN_ERR (<3>): with `quiet`
# only those reach the console.
(while sleep 30; do log "alive: load $(cut -d' ' -f1-3 /proc/loadavg)"; done) &
pids="$pids $!"
(while sleep 30; do echo "<3>nfv-l1: kernel alive" >/dev/kmsg; done) 2>/dev/null &
pids="$pids $!"
for c in $CHECKS; do
	case "$c" in
	payload-poweroff) check_payload_poweroff ;;
	switch | restart | poweroff) ;;
	lab) ;;
	bench) ;;
	*) echo "CHECK $c FAIL 0s unknown check"; failed=1 ;;
	esac
done
check_switch_guest
case " $CHECKS " in *" lab "*) check_lab ;; esac
case " $CHECKS " in *" bench "*) check_bench ;; esac
if [ "$VERBOSE" = 1 ]; then
	for f in $(find "$W" -name '*.console' -o -name '*.log' | sort); do
		tailf "$f" 400
	done
fi
log "checks done: $([ "$failed" = 0 ] && echo all passed || echo some failed)"
exit "$failed"
