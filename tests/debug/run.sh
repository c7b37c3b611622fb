#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/debug/run.sh [tests/vm/run.sh options]
#
# The VM suite on the debug kernel (KASAN, lockdep, kmemleak, DEBUG_LIST,
# atomic-sleep and hung-task checks):
#   1. builds the kernel with tests/debug/build-kernel.sh (once per machine,
#      cached under $AOE_VM_CACHE/debug-kernel; the first build takes 15-25
#      minutes on 2 cores),
#   2. builds aoe.ko against it into build/debug/,
#   3. runs tests/vm/run.sh on it, passing on the options given here
#      (--only, --verbose, --timeout, ...). Any KASAN, lockdep, WARNING,
#      hung-task or kmemleak report fails the test during which it appeared.
#
# Environment: AOE_VM_CACHE (see build-kernel.sh), AOE_DEBUG_TIMEOUT_SCALE
# (every test's timeout is multiplied by it, default 4), AOE_VM_APPEND
# (more kernel command line), and those of tests/vm/run.sh.
#
# The debug kernel has every driver built in and no aoe of its own, so
# --driver stock cannot work on it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

kdir=$("$here/build-kernel.sh")
kver=$(cat "$kdir/kver")

# Kbuild writes its objects next to the sources: build in a copy. Files are
# copied only when they differ, so make rebuilds only what changed.
mod=$repo/build/debug
mkdir -p "$mod"
for f in "$repo"/Kbuild "$repo"/*.c "$repo"/*.h; do
	cmp -s "$f" "$mod/${f##*/}" || cp "$f" "$mod/"
done
echo "== building aoe.ko for $kver (debug kernel)"
make -C "$kdir/build" M="$mod" W=1 modules

# KASAN reports every bug, not only the first. The checkers slow the guest
# down several times: every test gets AOE_DEBUG_TIMEOUT_SCALE times its
# timeout, and the VM 4 hours (options given here win).
export AOE_VM_KERNEL_DIR=$kdir
export AOE_VM_MODULE=$mod/aoe.ko
export AOE_VM_APPEND="kasan_multi_shot aoetest_timeout_scale=${AOE_DEBUG_TIMEOUT_SCALE:-4}${AOE_VM_APPEND:+ $AOE_VM_APPEND}"
rc=0
"$repo/tests/vm/run.sh" --kernel "$kver" --timeout 14400 "$@" || rc=$?

# kmemleak reports are read after the module's unload, so the guest could
# only give its frames as "aoe.ko .text+OFF": name the functions.
for log in "${AOE_VM_LOGDIR:-$repo/build/vm-logs}/$kver"-*.log; do
	[ -f "$log" ] || continue
	offs=$(tr -d '\r' <"$log" | grep -ao 'aoe\.ko \.text+0x[0-9a-f]*' |
		sed 's/.*+//' | sort -u) || true
	[ -n "$offs" ] || continue
	echo "== aoe.ko frames in the kmemleak reports of ${log##*/}"
	syms=$(objdump -t "$mod/aoe.ko" |
		awk '$3 == "F" && $4 == ".text" { print $1, $6 }')
	for off in $offs; do
		best='' base=0
		while read -r a name; do
			a=$((16#$a))
			if [ "$a" -le $((off)) ] && [ "$a" -ge "$base" ]; then
				base=$a
				best=$name
			fi
		done <<<"$syms"
		printf '   .text+%s = %s+0x%x\n' "$off" "${best:-?}" $((off - base))
	done
done
exit "$rc"
