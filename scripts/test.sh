#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The README's second command (and what .ci/run calls): on a fresh Debian
# 12 machine, as root, from the repository root:
#
#   ./scripts/test.sh
#
# Installs what is missing, reserves hugepages, builds build/ and
# build-asan/ (ASan + UBSan), then runs
#   build/       meson test, suites unit, pcap, integration, fuzz
#   build-asan/  meson test, suites unit, pcap, fuzz
# and prints, as its LAST line,
#   N passed, N failed, N skipped
# summed over both builds from meson's testlog JSON (OK and EXPECTEDFAIL
# pass; FAIL, TIMEOUT, UNEXPECTEDPASS, ERROR and anything else fail; SKIP
# is skipped; a build or a meson run that produced no log counts as one
# failure).  Exit status: 0 when nothing failed, else 1.
#
# Environment: NFV_TEST_SKIP_SETUP=1 skips packages and hugepages;
# NFV_TEST_NO_ASAN=1 skips the sanitizer build; MESON_TEST_ARGS adds
# arguments to every `meson test` (e.g. "--repeat 3").
set -uo pipefail
cd "$(dirname "$0")/.."

LOGBASE=nfv-test
# install-deps.sh installs clang: a bpf test that finds no programs built
# (no clang when meson configured) fails here instead of skipping.
export NFV_REQUIRE_CLANG=1
extra_failed=0
logs=()

step() { printf '\n== %s\n' "$*"; }

if [ "${NFV_TEST_SKIP_SETUP:-0}" != 1 ]; then
	step "packages (scripts/install-deps.sh)"
	if ! scripts/install-deps.sh; then
		echo "test: installing packages failed"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	step "hugepages (scripts/hugepages.sh)"
	scripts/hugepages.sh
fi

# suites DIR MULTIPLIER SUITE...: build DIR's kind, then meson test.
suites() {
	local dir=$1 mult=$2 kind log
	shift 2
	kind=normal
	[ "$dir" = build-asan ] && kind=asan
	step "build $dir (scripts/build.sh $kind)"
	if ! scripts/build.sh "$kind"; then
		echo "test: building $dir failed"
		extra_failed=$((extra_failed + 1))
		return
	fi
	log=$dir/meson-logs/$LOGBASE.json
	rm -f "$log"
	step "meson test -C $dir: $*"
	# shellcheck disable=SC2046,SC2086
	meson test -C "$dir" --no-rebuild --print-errorlogs --logbase "$LOGBASE" \
		--timeout-multiplier "$mult" $(printf -- '--suite %s ' "$@") ${MESON_TEST_ARGS:-}
	if [ -s "$log" ]; then
		logs+=("$log")
	else
		echo "test: meson test -C $dir left no $log"
		extra_failed=$((extra_failed + 1))
	fi
}

suites build 1 unit pcap integration fuzz
if [ "${NFV_TEST_NO_ASAN:-0}" != 1 ]; then
	# Sanitized code runs a few times slower.
	suites build-asan 3 unit pcap fuzz
fi

step "summary"
summary=$(mktemp)
python3 - "$summary" "$extra_failed" "${logs[@]}" <<'EOF'
import json, sys
passed = failed = skipped = 0
out = sys.argv[1]
failed += int(sys.argv[2])
bad = []
for path in sys.argv[3:]:
    build = path.split("/meson-logs/")[0]
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line)
            r = t.get("result", "ERROR")
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                skipped += 1
            else:
                failed += 1
                bad.append("%s: %s %s" % (build, t.get("name", "?"), r))
for b in bad:
    print("failed: " + b)
with open(out, "w") as f:
    f.write("%d %d %d\n" % (passed, failed, skipped))
EOF
read -r passed failed skipped <"$summary" 2>/dev/null || { passed=0; failed=$((extra_failed + 1)); skipped=0; }
rm -f "$summary"
[ -n "$passed" ] || { passed=0; failed=$((extra_failed + 1)); skipped=0; }
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
