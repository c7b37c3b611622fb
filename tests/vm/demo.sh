#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot one kernel in the VM and run the demo story
# (tests/vm/cases/90-demo.sh), showing its steps live as the guest prints
# them. Exit status is the test's.
set -uo pipefail

kver=${1:?usage: demo.sh KVER}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
log=${AOE_VM_LOGDIR:-$repo/build/vm-logs}/$kver-ours.log

rm -f "$log"
"$here/run.sh" --kernel "$kver" --only '^90-demo$' --verbose >"$log.run" 2>&1 &
run=$!
# Show the story: the guest's test output, not the runner's markers.
while [ ! -e "$log" ] && kill -0 "$run" 2>/dev/null; do sleep 0.5; done
tail -n +1 -F "$log" 2>/dev/null | tr -d '\r' |
	sed -un '/AoE demo:/,/Demo finished/p' &
tailer=$!
wait "$run"
rc=$?
sleep 1
kill "$tailer" 2>/dev/null
wait "$tailer" 2>/dev/null
echo
tail -n 3 "$log.run"
exit $rc
