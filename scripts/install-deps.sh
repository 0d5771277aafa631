#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install the Debian 12 packages nfvd needs, skipping those already there.
#
#   scripts/install-deps.sh [--build] [--test] [--bench] [--list]
#
# With no group: build + test (what scripts/demo.sh and scripts/test.sh
# need).  --bench adds what only the benchmarks use (Open vSwitch with
# DPDK for the comparison, gnuplot for plots); CI does not install it.
# --list prints the packages of the chosen groups and exits.
# Non-interactive (DEBIAN_FRONTEND=noninteractive), no recommended
# packages; runs apt-get update only when something is missing.  As root,
# or through sudo when it is there.
set -euo pipefail

# Compiler, build system and every library found through pkg-config;
# clang (-target bpf) builds the bpf VNF's programs (configs/bpf/), llvm
# has llvm-objdump to read them (docs/bpf.md).
BUILD_PKGS=(
	gcc libc6-dev pkg-config meson ninja-build git clang llvm
	libdpdk-dev libbpf-dev libelf-dev libnl-3-dev libnl-route-3-dev
	libcyaml-dev libyaml-dev libjansson-dev libcmocka-dev libpcap-dev
)
# What the test suites run: DPDK's tools (dpdk-testpmd, dpdk-telemetry.py,
# dpdk-dumpcap are in dpdk-dev), scapy and tshark for the pcap tests, QEMU,
# the Debian kernel and busybox for the guest tests (vmm/guest kit: cpio,
# xz, zstd, file), netns tools, the helpers the router tests use, and
# FRR (zebra, staticd, bgpd, ospfd, vtysh) with PyYAML for the kernel
# mirror's tests (tests/integration/netlink; they start the daemons
# themselves: the package's systemd service is not used).
# qemu-system-x86 is not optional: without hardware KVM, vmm-linux boots
# its nested test host in it (TCG with an emulated SVM CPU, the same
# kernel and busybox); only where QEMU is missing does it skip.
# nftables goes into the guest kit's image (the firewall role of
# docs/labs.md); graphviz draws labs (nfvctl lab graph --png).
TEST_PKGS=(
	dpdk dpdk-dev python3 python3-scapy python3-yaml tshark frr bird2
	qemu-system-x86 linux-image-amd64 busybox-static cpio xz-utils zstd file kmod
	nftables graphviz
	iproute2 iputils-ping netcat-openbsd iperf3 traceroute tcpdump
	util-linux procps ca-certificates
)
BENCH_PKGS=(openvswitch-switch-dpdk gnuplot-nox)

want_build=0 want_test=0 want_bench=0 list=0
for a in "$@"; do
	case "$a" in
	--build) want_build=1 ;;
	--test) want_test=1 ;;
	--bench) want_bench=1 ;;
	--list) list=1 ;;
	-h | --help)
		sed -n '4,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "install-deps: unknown argument '$a'" >&2
		exit 2
		;;
	esac
done
if [ $((want_build + want_test + want_bench)) = 0 ]; then
	want_build=1
	want_test=1
fi

pkgs=()
[ "$want_build" = 1 ] && pkgs+=("${BUILD_PKGS[@]}")
[ "$want_test" = 1 ] && pkgs+=("${TEST_PKGS[@]}")
[ "$want_bench" = 1 ] && pkgs+=("${BENCH_PKGS[@]}")

if [ "$list" = 1 ]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} = 0 ]; then
	echo "install-deps: all ${#pkgs[@]} packages are installed"
	exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo -E"
	else
		echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
fi

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	$SUDO debconf-set-selections 2>/dev/null || true
# frr and bird2 would start their system services (routing daemons in the
# root namespace); the tests start their own.  A policy-rc.d that says
# "not now" (101) for the install keeps them from it.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
	$SUDO chmod 755 "$policy"
	trap '$SUDO rm -f "$policy"' EXIT
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	"${missing[@]}"
echo "install-deps: done"
