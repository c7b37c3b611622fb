#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/soak.sh [--minutes N] [--kernel KVER]
#
# The long soak (make soak): tests/vm/cases/56-soak for N minutes (default
# 120) on one kernel (default: the newest installed header set). It prints
# the test's one-line summary of every minute as it comes ("@@SOAK ..."),
# then its verdict. make check skips the test (it needs
# aoetest_soak_minutes on the guest's command line, which only this sets).
# Exit status: the test's.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
minutes=120
kver=

while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=$2; shift 2 ;;
	--kernel) kver=$2; shift 2 ;;
	-h|--help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "soak.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
[[ $minutes =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: --minutes wants a number" >&2; exit 2; }
if [ -z "$kver" ]; then
	kver=$("$here/newest-kernel.sh")
fi
[ -n "$kver" ] || { echo "soak.sh: no kernel headers installed" >&2; exit 1; }

# The test's 600 s cover its setup and its end: scale them to the soak's
# length (which also makes its waits more patient, nothing else).
scale=$((minutes / 10 + 2))
export AOE_VM_APPEND="aoetest_soak_minutes=$minutes aoetest_timeout_scale=$scale${AOE_VM_APPEND:+ $AOE_VM_APPEND}"
"$here/run.sh" --kernel "$kver" --driver ours --only '^56-' \
	--timeout $((600 * scale + 600)) --stream |
	grep --line-buffered -E '@@SOAK|^   \| \[[0-9.]+\] (INFO|FAIL|SKIP): |^(PASS|FAIL|SKIP) |passed'
exit "${PIPESTATUS[0]}"
