#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# nfv-check: the guest side of linux_checks.sh, put into the guest kit's
# initramfs as /usr/bin/nfv-check and run through nfv.run=.
#
#   nfv-check pinger PEER PORT
#     Pings PEER three times (the first replies through nfvd's switch),
#     then once a second, printing "NFV-CHECK: pong N" or "lost N", until
#     something connects to TCP PORT (the host's "stop"), then exits 0 so
#     that the init halts the guest (nfv.halt=).
#   nfv-check ping-tell PEER PORT
#     Three replies from PEER, then tells PEER so on TCP PORT.
#   nfv-check ping-wait PEER PORT
#     Three replies from PEER, and waits until PEER said it has its own
#     on TCP PORT: a guest that powers off after its pings must not leave
#     before its peer has had its replies.
# Exit status: 0 when the pings were answered.

say() {
	echo "NFV-CHECK: $*"
}

case "$1" in
pinger)
	peer=$2
	port=$3
	if ! ping -c 3 -w 60 "$peer" >/tmp/ping.out 2>&1; then
		say "ping failed"
		cat /tmp/ping.out
		exit 1
	fi
	say "ping ok $(grep -c 'bytes from' /tmp/ping.out) replies"
	rm -f /tmp/stop
	(nc -l -p "$port" >/tmp/stop 2>/dev/null; echo stop >>/tmp/stop) &
	n=0
	while [ ! -s /tmp/stop ]; do
		if ping -c 1 -W 1 "$peer" >/dev/null 2>&1; then
			say "pong $n"
			sleep 1
		else
			say "lost $n"
		fi
		n=$((n + 1))
	done
	say "stop"
	exit 0
	;;
ping-tell)
	ping -c 3 -w 120 "$2"
	rc=$?
	# busybox nc's -w bounds only the connect: once connected it waits for
	# the peer to close, and a peer that powers off right after reading
	# can take its FIN with it (its NIC is gone before nfvd polls the
	# queue), which left this nc waiting for ever.  So the whole nc is
	# bounded: a refused or timed-out connect fails within -w (status 1)
	# and is tried again; one cut off by timeout had connected and sent
	# its line, which is all the peer waits for.
	n=0
	while :; do
		echo told | timeout 10 nc -w 2 "$2" "$3" >/dev/null 2>&1
		st=$?
		[ "$st" = 0 ] && break
		[ "$st" -gt 128 ] && { say "told $2 (its close never came)"; exit "$rc"; }
		n=$((n + 1))
		[ "$n" -ge 30 ] && { say "peer never listened"; exit 1; }
		sleep 1
	done
	say "told $2"
	exit "$rc"
	;;
ping-wait)
	say "cpus $(nproc)"
	nc -l -p "$3" >/tmp/told 2>/dev/null &
	ping -c 3 -w 120 "$2"
	rc=$?
	wait
	say "peer $2 done"
	exit "$rc"
	;;
*)
	say "usage: nfv-check pinger|ping-tell|ping-wait PEER PORT"
	exit 2
	;;
esac
