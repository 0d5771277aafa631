#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# meson's entry to tests/bench/compare.sh (suite bench).  The comparison
# keeps both cores busy for minutes and may install OVS, so it runs only
# when asked: NFV_BENCH_COMPARE=1 meson test -C build --suite bench compare
# (NFV_BENCH_RUNS, NFV_BENCH_DURATION override the short defaults here).
if [ "${NFV_BENCH_COMPARE:-0}" != 1 ]; then
	echo "skip: set NFV_BENCH_COMPARE=1 to run the side-by-side comparison (busy cores for minutes)"
	exit 77
fi
[ "$(nproc)" -ge 2 ] || { echo "skip: needs two cores"; exit 77; }
command -v dpdk-testpmd >/dev/null || { echo "skip: dpdk-testpmd not installed"; exit 77; }
exec bash "$(dirname "$0")/compare.sh" -b "${NFV_BUILDDIR:?}" -n "${NFV_BENCH_RUNS:-1}" \
	-d "${NFV_BENCH_DURATION:-3}" -w 1
