#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Configure (once) and build nfvd.
#
#   scripts/build.sh [normal|asan|all]      (default: all)
#
#   normal  build/       debugoptimized, -Werror: nfvd, nfvctl, nfv-bench,
#                        nfv-vmm and every test
#   asan    build-asan/  the same with -Db_sanitize=address,undefined
#
# Tests are required (-Dtests=enabled): a missing cmocka is an error, not
# a silently smaller test suite.  Later runs only rebuild what changed;
# NFV_MESON_ARGS adds options to a first `meson setup`.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
case "$what" in
normal | asan | all) ;;
*)
	echo "usage: $0 [normal|asan|all]" >&2
	exit 2
	;;
esac

# setup DIR ARGS...: meson setup unless DIR is already configured.
setup() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		return 0
	fi
	# A half-configured directory (an interrupted setup) starts over.
	if [ -d "$dir/meson-private" ]; then
		meson setup --wipe "$dir" -Dtests=enabled "$@" ${NFV_MESON_ARGS:-}
	else
		meson setup "$dir" -Dtests=enabled "$@" ${NFV_MESON_ARGS:-}
	fi
}

build() {
	local dir=$1
	shift
	echo "== build: $dir"
	setup "$dir" "$@"
	ninja -C "$dir"
}

if [ "$what" = normal ] || [ "$what" = all ]; then
	build build
fi
if [ "$what" = asan ] || [ "$what" = all ]; then
	build build-asan -Db_sanitize=address,undefined -Db_lundef=false
fi
