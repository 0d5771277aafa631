#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# /init of the nested test host (L1), copied into its initramfs by
# nested.py.  QEMU (TCG, an emulated AMD CPU with SVM) boots the packaged
# Debian kernel with this initramfs; the init loads kvm_amd, which gives a
# working /dev/kvm, runs /nested/run (the guest checks, linux_checks.sh),
# and reports on the console, which QEMU writes to a file:
#   NESTED: kvm ok            /dev/kvm is there
#   NESTED: error ...         the nested host itself failed
#   NESTED: done rc=N         the checks' exit status
# and through QEMU's isa-debug-exit port (0xf4: QEMU exits 2*N+1), then
# powers off.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

mount -t devtmpfs devtmpfs /dev 2>/dev/null
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/hugepages /run/netns /var/run
mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null

say() {
	echo "NESTED: $*"
}

finish() {
	rc=$1
	say "done rc=$rc"
	sync
	# isa-debug-exit: QEMU exits with 2*rc+1 (rc below 128).
	[ "$rc" -gt 127 ] && rc=127
	# shellcheck disable=SC2059 # the byte's octal escape is the format
	printf "\\$(printf %o "$rc")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
	sleep 3600
}

say "l1 up: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpu(s), $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB"

while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/modules/$m" || say "error: insmod $m failed"
done </etc/modules.order

if [ ! -c /dev/kvm ]; then
	grep -qw svm /proc/cpuinfo || say "error: the CPU has no svm flag (QEMU -cpu ...,+svm)"
	say "error: no /dev/kvm after loading kvm_amd: $(dmesg | grep -i -E 'kvm|svm' | tail -3 | tr '\n' ' ')"
	finish 2
fi
say "kvm ok"

ip link set lo up
hostname nfv-l1

# The checks write their files here (tmpfs).
mkdir -p /tmp/nested
cd /tmp/nested || finish 2
sh /nested/run
finish $?
