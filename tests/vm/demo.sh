#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/demo.sh [KVER]: what `make demo` runs once the packages are in
# and the module is built. Boots KVER (default: the newest installed header
# set, looked up now, after deps.sh has installed them) and runs the demo
# story (tests/vm/cases/90-demo.sh), printing its steps as the guest prints
# them, then one verdict line. Exit status 0 only if the story ran to its
# end.
#
# Everything runs in the foreground: run.sh follows the serial log itself
# (--stream) and the filter below reads run.sh's output until run.sh exits,
# so nothing started here outlives it. run.sh's whole output is kept in
# build/vm-logs/KVER-ours.demo (the serial console in KVER-ours.log).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

kver=${1:-}
if [ -z "$kver" ]; then
	kver=$("$here/newest-kernel.sh")
fi
if [ -z "$kver" ]; then
	echo "demo: no kernel headers in /lib/modules/*/build;" \
		"tests/vm/deps.sh installs them" >&2
	echo "make demo: FAIL: no kernel to boot"
	exit 1
fi

logdir=${AOE_VM_LOGDIR:-$repo/build/vm-logs}
mkdir -p "$logdir"
out=$logdir/$kver-ours.demo
t0=$(date +%s)

echo "demo: booting $kver in qemu (TCG); the story follows as the guest runs it"
# The story is the streamed output from its first line to its last; of
# the runner's own lines only those that say where the VM is.
"$here/run.sh" --kernel "$kver" --only '^90-demo$' --stream --timeout 1200 2>&1 |
	tee "$out" |
	awk '
		/^   \| / {
			line = substr($0, 6)
			if (line ~ /^AoE demo:/) story = 1
			if (story) print line
			if (line ~ /^Demo finished/) story = 0
			fflush()
			next
		}
		/image ready|initramfs ready|first test started|VM ran/ {
			print "demo:" $0
			fflush()
		}'
rc=${PIPESTATUS[0]}

wall=$(($(date +%s) - t0))
res=$(grep -E '^(PASS|FAIL|SKIP) 90-demo' "$out" | tail -n1)
echo
if [ "$rc" -eq 0 ] && [[ $res == PASS* ]]; then
	echo "make demo: PASS: the story ran to its end on $kver in ${wall} s"
	exit 0
fi
res=${res#FAIL }
echo "make demo: FAIL: ${res:-no result from the VM} (${wall} s; run.sh" \
	"exit $rc; output in ${out#"$repo/"})"
# A failed story's details (the guest's output tail, its kernel log).
sed -n '/^-- results/,$p' "$out" | tail -n 60
[ "$rc" -ne 0 ] || rc=1
exit "$rc"
