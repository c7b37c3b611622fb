#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/run-all.sh: the whole test suite, what `make check` (and so CI) runs.
#
#   1. tests/vm/deps.sh        packages (apt-get only when something is missing)
#   2. make unit               if tests/unit/Makefile exists
#   3. make static             if tests/static-check.sh exists
#   4. make kernels            aoe.ko for every installed header set
#   5. make demo               the README's first command, as a user runs it
#   6. tests/vm/run.sh         every VM test on every kernel, driver ours
#
# Every step runs even when an earlier one failed, except the VM tests,
# which need step 4. Each step counts as one check, each VM test as one
# more. Exit status 0 only if nothing failed; the last line is
# "N passed, N failed[, N skipped]".
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
repo=$(pwd)

pass=0
fail=0
skip=0
lines=()

step() {	# step NAME COMMAND...
	local name=$1 t0 rc
	shift
	echo
	echo "==== $name: $*"
	t0=$(date +%s)
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		lines+=("PASS $name ($(($(date +%s) - t0))s)")
	else
		fail=$((fail + 1))
		lines+=("FAIL $name (exit $rc, $(($(date +%s) - t0))s)")
	fi
	return $rc
}

step deps tests/vm/deps.sh

if [ -f tests/unit/Makefile ]; then
	step unit make unit
else
	lines+=("SKIP unit (no tests/unit/Makefile)")
fi

if [ -f tests/static-check.sh ]; then
	step static make static
else
	lines+=("SKIP static (no tests/static-check.sh)")
fi

# A failed build must not leave an older aoe.ko for the VM tests to use.
for d in /lib/modules/*/build; do
	[ -d "$d" ] || continue
	k=$(basename "$(dirname "$d")")
	rm -f "build/$k/aoe.ko"
done
kernels_ok=0
step kernels make kernels && kernels_ok=1
# The README's first command exactly as a new user types it: a regression
# in the Makefile or in demo.sh fails here, not only one in the story.
step demo make demo
# The system tests' CI share (tests/sys: a real Debian 12 initiator).
step sys tests/sys/run.sh --ci
if [ "$kernels_ok" = 1 ]; then
	echo
	echo "==== vm: tests/vm/run.sh --driver ours"
	t0=$(date +%s)
	vmlog=$(mktemp)
	tests/vm/run.sh --driver ours 2>&1 | tee "$vmlog"
	vmrc=${PIPESTATUS[0]}
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$vmlog" | tail -n1)
	rm -f "$vmlog"
	if [ -n "$last" ]; then
		read -r p _ f _ s _ <<<"${last//,/ }"
		pass=$((pass + p))
		fail=$((fail + f))
		skip=$((skip + ${s:-0}))
		lines+=("vm tests ($(($(date +%s) - t0))s): $last")
	fi
	if [ "$vmrc" -ne 0 ] && { [ -z "$last" ] || [ "${f:-0}" -eq 0 ]; }; then
		fail=$((fail + 1))
		lines+=("FAIL vm (run.sh exit $vmrc)")
	fi
else
	fail=$((fail + 1))
	lines+=("FAIL vm (not run: make kernels failed)")
fi

echo
echo "==== summary ($repo)"
printf '%s\n' "${lines[@]}"
if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
