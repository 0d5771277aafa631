#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Check that binaries were built hardened (docs/reliability.md, "Build
# hardening"): each imports __stack_chk_fail (-fstack-protector-strong)
# and at least one glibc __*_chk function (-D_FORTIFY_SOURCE=2).
#
#   scripts/check-hardening.sh SANITIZE BINARY...
#
# SANITIZE is meson's b_sanitize: anything but "none" skips (exit 77),
# since the sanitizer builds leave FORTIFY out on purpose.  Prints one line
# per binary; exit 1 if one lacks either.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 SANITIZE BINARY..." >&2
	exit 2
fi
sanitize=$1
shift
if [ "$sanitize" != none ]; then
	echo "SKIP: a sanitizer build (b_sanitize=$sanitize) has no _FORTIFY_SOURCE, on purpose"
	exit 77
fi
if ! command -v nm >/dev/null; then
	echo "SKIP: nm (binutils) is missing"
	exit 77
fi
rc=0
for bin in "$@"; do
	syms=$(nm -D --undefined-only "$bin" | awk '{print $NF}' | sed 's/@.*//')
	ssp=no
	grep -qx '__stack_chk_fail' <<<"$syms" && ssp=yes
	chk=$(grep -E '^__[a-z0-9_]+_chk$' <<<"$syms" | grep -vx '__stack_chk_fail' | tr '\n' ' ' || true)
	echo "$(basename "$bin"): stack protector: $ssp; checked functions: ${chk:-none}"
	if [ "$ssp" != yes ] || [ -z "$chk" ]; then
		echo "FAIL: $bin is not hardened"
		rc=1
	fi
done
exit $rc
