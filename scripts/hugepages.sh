#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Reserve 2 MiB hugepages and mount hugetlbfs, for nfvd and its generators.
#
#   scripts/hugepages.sh [PAGES]     (default 1024 = 2 GiB; $NFV_HUGEPAGES)
#   scripts/hugepages.sh --status
#
# Never lowers an existing reservation (other DPDK processes may use it).
# Where the kernel refuses (a container without the right to write
# /proc/sys/vm/nr_hugepages, fragmented memory), it says so and exits 0:
# nfvd (`hugepages: auto`) and the tests then run on ordinary memory
# (--no-huge), and only what needs shared hugepages (dpdk-dumpcap) skips.
set -uo pipefail

NR=/proc/sys/vm/nr_hugepages
SYS=/sys/kernel/mm/hugepages/hugepages-2048kB
want=${1:-${NFV_HUGEPAGES:-1024}}

status() {
	local total free mnt
	total=$(cat "$SYS/nr_hugepages" 2>/dev/null || echo 0)
	free=$(cat "$SYS/free_hugepages" 2>/dev/null || echo 0)
	mnt=$(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts | paste -sd ' ')
	echo "hugepages: $total x 2 MiB reserved, $free free; hugetlbfs at: ${mnt:-none}"
}

if [ "$want" = --status ]; then
	status
	exit 0
fi
case "$want" in
'' | *[!0-9]*)
	echo "usage: $0 [PAGES|--status]" >&2
	exit 2
	;;
esac

SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 && SUDO=sudo
fi

have=$(cat "$SYS/nr_hugepages" 2>/dev/null || echo 0)
if [ "$have" -lt "$want" ]; then
	if echo "$want" | $SUDO tee "$NR" >/dev/null 2>&1; then
		have=$(cat "$SYS/nr_hugepages" 2>/dev/null || echo 0)
		[ "$have" -ge "$want" ] ||
			echo "hugepages: asked for $want, the kernel gave $have (memory fragmented?)"
	else
		echo "hugepages: cannot write $NR (not root, or a container): running without hugepages"
	fi
fi

if ! awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
	$SUDO mkdir -p /dev/hugepages 2>/dev/null
	if ! $SUDO mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages 2>/dev/null; then
		echo "hugepages: cannot mount hugetlbfs on /dev/hugepages: running without hugepages"
	fi
fi
status
exit 0
