#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# /init of the nfvd guest kit (copied into the initramfs by mkinitramfs.sh).
# It loads the virtio-net modules, configures the NICs from the kernel
# command line, optionally makes the guest a forwarder, runs an optional
# command and prints marker lines "NFV-GUEST: ..." that tests grep for.
#
# Kernel command line keys (dotted keys are not passed to init by the
# kernel, so they are read from /proc/cmdline; quote values with spaces):
#   nfv.ip=A/L       IPv4 address of eth0        nfv.ipN=A/L   of ethN
#   nfv.ip6=A/L      IPv6 address of eth0        nfv.ip6N=A/L  of ethN
#   nfv.gw=A         IPv4 default gateway        nfv.gw6=A     IPv6 one
#   nfv.route="P via G[,P via G]..."             extra routes
#   nfv.mtu=N        MTU of every ethN
#   nfv.fwd=bridge   bridge all ethN in br0 (nfv.ip then goes on br0)
#   nfv.fwd=route    enable IPv4/IPv6 forwarding between the NICs (a
#                    Linux router: addresses from nfv.ipN, routes from
#                    nfv.route / nfv.gw)
#   nfv.fwd=firewall a router whose forwarding is filtered by nftables:
#                    load nfv.nft, default policy nfv.fw.policy
#   nfv.nft="S"      an nftables script (statements separated by ';',
#                    `nft -f` syntax), loaded after the NICs are set up;
#                    with nfv.fwd=firewall it goes into the table
#                    "inet nfv" whose chain "forward" has the policy
#                    nfv.fwpolicy (default drop) and already accepts
#                    established/related traffic: give it rules like
#                    "add rule inet nfv forward tcp dport 80 accept"
#   nfv.fwpolicy=accept|drop   the firewall's forward policy
#   nfv.offload=off  load virtio-net without checksum/segmentation
#                    offloads (csum=0 gso=0: the guest computes its own
#                    checksums); default on, as a distribution's guest runs
#                    (nfvd completes a checksum a guest left to it)
#   nfv.cmd=ttyS1    run the command channel on that serial port (nfvctl
#                    lab exec): "ID CMD" lines in, output and
#                    "NFV-EXEC-END ID RC" out
#   nfv.run="CMD"    run CMD with sh -c, print "NFV-GUEST: run rc=N", halt
#   nfv.halt=poweroff|reboot|none   how to stop after nfv.run (default
#                    poweroff; nfv-vmm passes reboot, and ends on either:
#                    without ACPI a poweroff halts every CPU, which it sees)
#   nfv.wait=S       seconds to wait for the NICs (default 5)
#   nfv.nics=N       number of NICs to wait for (default: as many nfv.ipN)
#   nfv.shell=1      start a shell on the console when idle
#   nfv.hostname=H
# Without nfv.run the guest stays up (a forwarder or a host) after
# printing "NFV-GUEST: ready".

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root

mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run

say() {
	echo "NFV-GUEST: $*"
}

halt_guest() {
	sync
	case "$NFV_HALT" in
	none) say "halt none"; while :; do sleep 3600; done ;;
	reboot) say "reboot"; reboot -f ;;
	*) say "poweroff"; poweroff -f ;;
	esac
	# Neither worked (no ACPI, no reset device): say so and park.
	say "error: could not $NFV_HALT"
	while :; do sleep 3600; done
}

say "init start kernel $(uname -r)"

NFV_GW= NFV_GW6= NFV_ROUTE= NFV_MTU= NFV_FWD= NFV_RUN= NFV_HALT=poweroff
NFV_WAIT=5 NFV_NICS= NFV_SHELL=0 NFV_HOSTNAME=nfv-guest NFV_RUN_SET=0
NFV_NFT= NFV_FWPOLICY=drop NFV_CMD= NFV_OFFLOAD=on
maxnic=0

# Split /proc/cmdline as the kernel does: on blanks outside double quotes,
# the quotes themselves removed.  One "key=value" per line.
params=$(awk '{
	s = $0; out = ""; q = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\"") { q = !q; continue }
		if (!q && (c == " " || c == "\t")) {
			if (out != "") print out
			out = ""
			continue
		}
		out = out c
	}
	if (out != "") print out
}' /proc/cmdline)

while IFS= read -r p; do
	case "$p" in
	*=*) key=${p%%=*}; val=${p#*=} ;;
	*) key=$p; val= ;;
	esac
	case "$key" in
	nfv.ip) NFV_IP_0=$val ;;
	nfv.ip6) NFV_IP6_0=$val ;;
	nfv.ip[0-9] | nfv.ip[0-9][0-9])
		n=${key#nfv.ip}; eval "NFV_IP_$n=\$val"
		[ "$n" -gt "$maxnic" ] && maxnic=$n ;;
	nfv.ip6[0-9] | nfv.ip6[0-9][0-9])
		n=${key#nfv.ip6}; eval "NFV_IP6_$n=\$val"
		[ "$n" -gt "$maxnic" ] && maxnic=$n ;;
	nfv.gw) NFV_GW=$val ;;
	nfv.gw6) NFV_GW6=$val ;;
	nfv.route) NFV_ROUTE=$val ;;
	nfv.mtu) NFV_MTU=$val ;;
	nfv.fwd) NFV_FWD=$val ;;
	nfv.run) NFV_RUN=$val; NFV_RUN_SET=1 ;;
	nfv.halt) NFV_HALT=$val ;;
	nfv.wait) NFV_WAIT=$val ;;
	nfv.nics) NFV_NICS=$val ;;
	nfv.shell) NFV_SHELL=$val ;;
	nfv.hostname) NFV_HOSTNAME=$val ;;
	nfv.nft) NFV_NFT=$val ;;
	nfv.fwpolicy) NFV_FWPOLICY=$val ;;
	nfv.cmd) NFV_CMD=$val ;;
	nfv.offload) NFV_OFFLOAD=$val ;;
	nfv.*) say "warning: unknown key $key ignored" ;;
	esac
done <<EOF
$params
EOF

hostname "$NFV_HOSTNAME"

while read -r m; do
	[ -n "$m" ] || continue
	opts=
	[ "$m" = virtio_net.ko ] && [ "$NFV_OFFLOAD" = off ] && opts="csum=0 gso=0"
	# Word splitting of $opts is intended: module parameters.
	# shellcheck disable=SC2086
	insmod "/lib/modules/$m" $opts || say "error: insmod $m failed"
done </etc/modules.order

# The NICs: as many as asked, else as many as addressed (at least eth0).
[ -n "$NFV_NICS" ] || NFV_NICS=$((maxnic + 1))
last=$((NFV_NICS - 1))
t=0
while [ ! -e "/sys/class/net/eth$last" ] && [ "$t" -lt $((NFV_WAIT * 10)) ]; do
	usleep 100000
	t=$((t + 1))
done
[ -e "/sys/class/net/eth$last" ] || say "error: eth$last did not appear in ${NFV_WAIT}s"

ip link set lo up
for d in /sys/class/net/eth*; do
	[ -e "$d" ] || continue
	i=${d##*/}
	[ -n "$NFV_MTU" ] && ip link set "$i" mtu "$NFV_MTU"
	ip link set "$i" up || say "error: $i up failed"
done

# addr_dev N: where the addresses of NIC N go.
addr_dev() {
	if [ "$NFV_FWD" = bridge ]; then echo br0; else echo "eth$1"; fi
}

case "$NFV_FWD" in
"") ;;
bridge)
	brctl addbr br0 || say "error: brctl addbr br0 failed"
	# This busybox's brctl lacks stp/setfd: use sysfs.  No STP and no
	# forward delay, so the bridge forwards at once.
	echo 0 >/sys/class/net/br0/bridge/stp_state
	echo 0 >/sys/class/net/br0/bridge/forward_delay
	for d in /sys/class/net/eth*; do
		[ -e "$d" ] && brctl addif br0 "${d##*/}"
	done
	ip link set br0 up
	say "fwd bridge br0:$(ls /sys/class/net/br0/brif | tr '\n' ' ')"
	;;
route | firewall)
	sysctl -qw net.ipv4.ip_forward=1
	sysctl -qw net.ipv4.conf.all.rp_filter=0
	sysctl -qw net.ipv6.conf.all.forwarding=1 2>/dev/null
	say "fwd $NFV_FWD"
	;;
*) say "error: nfv.fwd=$NFV_FWD unknown (bridge|route|firewall)" ;;
esac

n=0
while [ "$n" -le "$maxnic" ]; do
	eval "a=\${NFV_IP_$n:-}; a6=\${NFV_IP6_$n:-}"
	dev=$(addr_dev "$n")
	if [ -n "$a" ]; then
		ip addr add "$a" dev "$dev" || say "error: ip addr add $a dev $dev failed"
	fi
	if [ -n "$a6" ]; then
		# No duplicate address detection: usable at once (busybox ip
		# has no "nodad").
		sysctl -qw "net.ipv6.conf.$dev.accept_dad=0" 2>/dev/null
		ip -6 addr add "$a6" dev "$dev" || say "error: ip -6 addr add $a6 dev $dev failed"
	fi
	n=$((n + 1))
done

if [ -n "$NFV_GW" ]; then
	ip route add default via "$NFV_GW" || say "error: default via $NFV_GW failed"
fi
if [ -n "$NFV_GW6" ]; then
	ip -6 route add default via "$NFV_GW6" || say "error: default via $NFV_GW6 failed"
fi
if [ -n "$NFV_ROUTE" ]; then
	echo "$NFV_ROUTE" | tr ',' '\n' | while read -r r; do
		[ -n "$r" ] || continue
		# Word splitting of $r is intended: "P via G".
		# shellcheck disable=SC2086
		ip route add $r || say "error: ip route add $r failed"
	done
fi

# The firewall: nftables (nft and its libraries are in the image when the
# builder had the nftables package; see mkinitramfs.sh).
nft_modules=0
nft_load() {
	if ! command -v nft >/dev/null 2>&1; then
		say "error: nft is not in this image (install nftables where mkinitramfs.sh runs)"
		return 1
	fi
	# Loaded on first use only: most guests never filter.
	if [ "$nft_modules" = 0 ]; then
		nft_modules=1
		while read -r m; do
			[ -n "$m" ] || continue
			insmod "/lib/modules/$m" || say "error: insmod $m failed"
		done </etc/modules.nft
	fi
	printf '%s\n' "$1" >/tmp/nfv.nft
	if ! nft -f /tmp/nfv.nft 2>/tmp/nfv.nft.err; then
		say "error: nft: $(tr '\n' ' ' </tmp/nfv.nft.err)"
		return 1
	fi
	return 0
}
if [ "$NFV_FWD" = firewall ]; then
	case "$NFV_FWPOLICY" in accept | drop) ;; *) say "error: nfv.fwpolicy=$NFV_FWPOLICY (accept|drop)"; NFV_FWPOLICY=drop ;; esac
	nft_load "add table inet nfv; add chain inet nfv forward { type filter hook forward priority 0; policy $NFV_FWPOLICY; }; add rule inet nfv forward ct state established,related accept" &&
		say "fwd firewall policy $NFV_FWPOLICY"
fi
if [ -n "$NFV_NFT" ]; then
	nft_load "$NFV_NFT" && say "nft rules loaded"
fi

# The command channel (nfvctl lab exec): one command at a time, each with
# sh -c, its output and exit status framed by the host's ID.
cmd_loop() {
	dev=/dev/$1
	stty -F "$dev" raw -echo 2>/dev/null
	exec 3<>"$dev"
	while IFS= read -r line <&3; do
		id=${line%% *}
		cmd=${line#* }
		printf 'NFV-EXEC-BEGIN %s\n' "$id" >&3
		# A new file each time: what an earlier command left running
		# in the background writes to the old one, not over this one.
		rm -f /tmp/.nfv-exec
		sh -c "$cmd" </dev/null >/tmp/.nfv-exec 2>&1
		rc=$?
		cat /tmp/.nfv-exec >&3
		# A last line without its newline still ends before the marker.
		[ -s /tmp/.nfv-exec ] && [ -n "$(tail -c 1 /tmp/.nfv-exec)" ] && echo >&3
		printf 'NFV-EXEC-END %s %d\n' "$id" "$rc" >&3
	done
}
if [ -n "$NFV_CMD" ]; then
	if [ -c "/dev/$NFV_CMD" ]; then
		cmd_loop "$NFV_CMD" &
		say "exec channel on $NFV_CMD"
	else
		say "error: nfv.cmd=$NFV_CMD: no /dev/$NFV_CMD"
	fi
fi

for d in /sys/class/net/eth* /sys/class/net/br0; do
	[ -e "$d" ] || continue
	i=${d##*/}
	say "$i mac $(cat "$d/address") addr $(ip -o addr show dev "$i" | awk '$3 != "inet6" || $4 !~ /^fe80/ {printf "%s ", $4}')"
done

say "ready"

if [ "$NFV_RUN_SET" = 1 ]; then
	sh -c "$NFV_RUN"
	rc=$?
	say "run rc=$rc"
	halt_guest
fi

if [ "$NFV_SHELL" = 1 ]; then
	while :; do
		setsid cttyhack sh
	done
fi
while :; do
	sleep 3600
done
