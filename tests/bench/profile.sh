#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/profile.sh [--rounds N] [--kernel KVER] [--driver ours|stock|both]
#
# The profile of the bench's aoefast MTU 9000 1 MiB write point at depth 1
# (make profile): tests/vm/cases/96-profile in one VM per driver, one after
# the other (default both, ours first), on the bench's CPU (max,-erms).
# Prints each driver's "@@PROF" lines: fio's MB/s in N rounds (default 8),
# then a perf profile of a further run. Needs the host's perf (Debian's
# linux-perf; tests/apt-need.sh installs it, as root, if missing). Exit
# status: 0 when every VM reported its profile.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=8
kver=
drivers="ours stock"

while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--kernel) kver=$2; shift 2 ;;
	--driver) drivers=$2; shift 2 ;;
	-h|--help) sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "profile.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
# shellcheck source=opts.sh
. "$here/opts.sh"
bench_opts profile.sh
"$repo/tests/apt-need.sh" linux-perf || exit 1
perf=$(command -v perf) || { echo "profile.sh: no perf after linux-perf" >&2; exit 1; }

rc=0
for d in $drivers; do
	echo "== profile: $kver, driver $d, $rounds rounds"
	out=$(AOE_VM_CPU=${AOE_VM_CPU:-max,-erms} AOE_VM_EXTRA_BINS="$perf" \
		AOE_VM_APPEND="aoetest_profile=$rounds${AOE_VM_APPEND:+ $AOE_VM_APPEND}" \
		"$repo/tests/vm/run.sh" --kernel "$kver" --driver "$d" \
		--only '^96-' --stream 2>&1)
	grep -o '@@PROF .*' <<<"$out" | sed 's/^@@PROF /   /'
	if ! grep -q '^PASS ' <<<"$out"; then
		grep -E '^(FAIL|SKIP) |passed' <<<"$out"
		rc=1
	fi
done
exit "$rc"
