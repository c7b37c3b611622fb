#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/run.sh [options]
#
# Boots Debian's kernel(s) in qemu (TCG) with an initramfs holding the test
# suite and runs tests/vm/cases/*.sh against the aoe module.
#
#   --kernel KVER      a kernel to test (repeatable); default: every installed
#                      header set (/lib/modules/*/build)
#   --driver D         ours (build/KVER/aoe.ko, from `make kernels`; default)
#                      or stock (the kernel's own aoe.ko)
#   --only REGEX       only the tests whose name (NN-name) matches REGEX (ERE)
#   --timeout SECONDS  deadline for a whole VM (default 3600); qemu is killed
#                      after it and every test without a result fails
#   --test-timeout S   default per-test timeout in the guest (default 300;
#                      a test's `# timeout: N` header wins)
#   --verbose          stream every test's output into the serial log
#   --stream           with --verbose: also print that output here as it
#                      comes, each line behind "   | " (make demo uses it)
#   --list             print the selected tests and exit
#
# Environment: AOE_VM_CACHE (kernel images, default /var/cache/aoe-vm),
# AOE_VM_LOGDIR (default build/vm-logs), AOE_VM_MEM (MiB, default 2048),
# AOE_VM_CPU (qemu -cpu, default max; the bench uses max,-erms),
# AOE_VM_QEMU_ARGS (more qemu arguments, split on spaces: hostbench.sh's NIC).
# For a kernel built here (tests/debug/run.sh sets them): AOE_VM_KERNEL_DIR
# (its vmlinuz and root/lib/modules/KVER, see kernel.sh), AOE_VM_MODULE (the
# aoe.ko of driver ours instead of build/KVER/aoe.ko), AOE_VM_APPEND (more
# kernel command line, e.g. aoetest_timeout_scale=N).
#
# Serial logs: build/vm-logs/KVER-DRIVER.log (initramfs beside it). Ends with one line
# "N passed, N failed, N skipped"; exit status 0 only if nothing failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

kernels=()
driver=ours
only=
vm_timeout=3600
test_timeout=300
verbose=0
stream=0
list=0

usage() { sed -n '3,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	--kernel=*) kernels+=("${1#*=}"); shift ;;
	--driver) driver=$2; shift 2 ;;
	--driver=*) driver=${1#*=}; shift ;;
	--only) only=$2; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--timeout) vm_timeout=$2; shift 2 ;;
	--timeout=*) vm_timeout=${1#*=}; shift ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--test-timeout=*) test_timeout=${1#*=}; shift ;;
	--verbose) verbose=1; shift ;;
	--stream) stream=1; verbose=1; shift ;;
	--list) list=1; shift ;;
	-h|--help) usage 0 ;;
	*) echo "run.sh: unknown argument: $1" >&2; usage 2 ;;
	esac
done

case $driver in
ours|stock) ;;
*) echo "run.sh: --driver must be ours or stock" >&2; exit 2 ;;
esac
case $vm_timeout$test_timeout in
*[!0-9]*) echo "run.sh: timeouts are whole seconds" >&2; exit 2 ;;
esac

# Tests: file names NN-name.sh, in order.
tests=()
for f in "$here"/cases/*.sh; do
	[ -e "$f" ] || continue
	t=$(basename "$f" .sh)
	if [ -n "$only" ] && ! [[ $t =~ $only ]]; then
		continue
	fi
	tests+=("$t")
done
if [ ${#tests[@]} -eq 0 ]; then
	echo "run.sh: no test matches '${only}'" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
if [ "$list" = 1 ]; then
	printf '%s\n' "${tests[@]}"
	exit 0
fi

if [ ${#kernels[@]} -eq 0 ]; then
	for d in /lib/modules/*/build; do
		[ -d "$d" ] || continue
		kernels+=("$(basename "$(dirname "$d")")")
	done
fi
if [ ${#kernels[@]} -eq 0 ]; then
	echo "run.sh: no kernel header sets in /lib/modules/*/build" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# Test tools (tests/tools, static helper programs) go into the guest's
# /usr/local/bin; build them here if the project has them.
if [ -f "$repo/tests/tools/Makefile" ]; then
	if ! make -s -C "$repo/tests/tools" >&2; then
		echo "run.sh: warning: make -C tests/tools failed; tests that" \
			"need its programs will fail" >&2
	fi
fi

logdir=${AOE_VM_LOGDIR:-$repo/build/vm-logs}
mkdir -p "$logdir"
mem=${AOE_VM_MEM:-2048}

npass=0
nfail=0
nskip=0
summary=()

now() { date +%s.%N | cut -c1-14; }
# shellcheck source=qemu.sh
. "$here/qemu.sh"

# With --stream: the serial log's streamed test output ("    | " lines
# from the guest's runner) that is new since the last call. Only whole
# lines: a line still being written is taken next time.
show_stream() {
	local n
	[ "$stream" = 1 ] || return 0
	n=$(wc -l <"$log")
	[ "$n" -gt "$streamed" ] || return 0
	sed -n "$((streamed + 1)),${n}p" "$log" | tr -d '\r' |
		sed -n 's/^    | /   | /p'
	streamed=$n
}

# Called by qemu_follow: boot time, streamed output, then each result line
# once.
show_progress() {
	show_stream
	if [ -z "$booted" ] && grep -q '@@AOE-BEGIN' "$log"; then
		booted=$(elapsed "$t0")
		echo "   first test started ${booted}s after qemu start"
	fi
	got=$(grep -a -c '@@AOE-RESULT' "$log")
	if [ "$got" -gt "$shown" ]; then
		grep -a '@@AOE-RESULT' "$log" | sed -n "$((shown + 1)),${got}p" |
			sed 's/.*@@AOE-RESULT /   .. /'
		shown=$got
	fi
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

record() {	# record KVER STATUS TEST [REASON]
	local k=$1 s=$2 t=$3 r=${4:-}
	case $s in
	PASS) npass=$((npass + 1)) ;;
	SKIP) nskip=$((nskip + 1)) ;;
	*) s=FAIL; nfail=$((nfail + 1)) ;;
	esac
	summary+=("$s $k $t${r:+ $r}")
	printf '%s %s%s\n' "$s" "$t" "${r:+ $r}"
}

# qemu's pid while one runs, so that an interrupt kills it.
qpid=
on_signal() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	exit 130
}
trap on_signal INT TERM

run_kernel() {
	local kver=$1 log kdir initrd t0 t line name status reason got
	local -A res=() why=() secs=()
	log=$logdir/$kver-$driver.log
	: >"$log"
	echo "== kernel $kver, driver $driver, ${#tests[@]} test(s), log $log"

	local ours=${AOE_VM_MODULE:-$repo/build/$kver/aoe.ko}
	if [ "$driver" = ours ] && [ ! -f "$ours" ]; then
		for t in "${tests[@]}"; do
			record "$kver" FAIL "$t" "no ${ours#"$repo/"} (run make kernels)"
		done
		return
	fi

	t0=$(now)
	if ! kdir=$("$here/kernel.sh" "$kver"); then
		for t in "${tests[@]}"; do
			record "$kver" FAIL "$t" "no kernel image for $kver"
		done
		return
	fi
	echo "   image ready in $(elapsed "$t0")s: $kdir"
	if [ "$driver" = stock ] && [ -n "${AOE_VM_KERNEL_DIR:-}" ] &&
		[ -z "$(find "$kdir/root/lib/modules/$kver" -name 'aoe.ko*' 2>/dev/null)" ]; then
		for t in "${tests[@]}"; do
			record "$kver" FAIL "$t" "driver stock unavailable: $kver has no aoe.ko of its own"
		done
		return
	fi

	t0=$(now)
	initrd=$logdir/$kver-$driver.initramfs.cpio.gz
	if ! "$here/mkinitramfs.sh" "$kver" "$initrd"; then
		for t in "${tests[@]}"; do
			record "$kver" FAIL "$t" "initramfs build failed"
		done
		return
	fi
	echo "   initramfs ready in $(elapsed "$t0")s ($(du -h "$initrd" | cut -f1))"

	# The kernel command line holds at most 2047 bytes: "all" unless --only
	# narrowed the list.
	local sel=all
	if [ -n "$only" ]; then
		sel=$(IFS=,; echo "${tests[*]}")
		if [ ${#sel} -gt 1500 ]; then
			echo "run.sh: --only selects too many tests for the kernel" \
				"command line; narrow it" >&2
			for t in "${tests[@]}"; do
				record "$kver" FAIL "$t" "selection too long"
			done
			return
		fi
	fi
	local append="console=ttyS0,115200 loglevel=4 panic=1 log_buf_len=16M"
	append+=" printk.devkmsg=on mitigations=off nokaslr rdinit=/init"
	append+=" aoetest_driver=$driver aoetest_tests=$sel"
	append+=" aoetest_timeout=$test_timeout aoetest_verbose=$verbose"
	append+=${AOE_VM_APPEND:+ $AOE_VM_APPEND}
	# TCG on a loaded host can fail the kernel's IO-APIC timer check.
	append+=" no_timer_check"

	# A kernel that dies before the guest's init ran (a boot flake of
	# the emulator, not a test result) is booted once more.
	local attempt
	for attempt in 1 2; do
	t0=$(now)
	qemu_start "$log" "$kdir/vmlinuz" "$initrd" "$append" "$mem"
	# Follow the log: print results as they come.
	local shown=0 booted= streamed=0
	qemu_follow "$vm_timeout" 1 show_progress
	show_stream
	if grep -aq '@@AOE-BOOTED' "$log" || [ "$attempt" = 2 ]; then
		break
	fi
	echo "   the guest never reached init: booting again (first log: $log.boot1)"
	mv "$log" "$log.boot1"
	done
	got=$(grep -a -c '@@AOE-RESULT' "$log")
	if [ "$got" -gt "$shown" ]; then
		grep -a '@@AOE-RESULT' "$log" | sed -n "$((shown + 1)),${got}p" |
			sed 's/.*@@AOE-RESULT /   .. /'
	fi
	echo "   VM ran $(elapsed "$t0")s"

	while IFS= read -r line; do
		line=${line%$'\r'}
		line=${line#*@@AOE-RESULT }
		name=${line%% *}
		line=${line#"$name"}
		line=${line# }
		status=${line%% *}
		reason=
		[ "$status" = "$line" ] || reason=${line#"$status" }
		res[$name]=$status
		why[$name]=$reason
	done < <(grep -a '@@AOE-RESULT ' "$log")
	while IFS= read -r line; do
		line=${line%$'\r'}
		line=${line#*@@AOE-TIME }
		secs[${line%% *}]=${line#* }
	done < <(grep -a '@@AOE-TIME ' "$log")

	echo "-- results for $kver ($driver)"
	for t in "${tests[@]}"; do
		status=${res[$t]:-}
		reason=${why[$t]:-}
		if [ -z "$status" ]; then
			record "$kver" FAIL "$t" "no report"
			continue
		fi
		[ -n "${secs[$t]:-}" ] && reason="(${secs[$t]}s)${reason:+ $reason}"
		record "$kver" "$status" "$t" "$reason"
		if [ "$status" = FAIL ]; then
			tr -d '\r' <"$log" |
				sed -n "/@@AOE-DETAIL-BEGIN $t\$/,/@@AOE-DETAIL-END $t\$/p" |
				grep -av '@@AOE-DETAIL' | sed 's/^/   | /'
		fi
	done
	if ! grep -aq '@@AOE-DONE' "$log"; then
		record "$kver" FAIL "(vm)" "never printed @@AOE-DONE; last lines of $log:"
		tail -n 40 "$log" | tr -d '\r' | sed 's/^/   | /'
		[ -s "$log.qemu" ] && sed 's/^/   qemu: /' "$log.qemu"
	fi
}

for k in "${kernels[@]}"; do
	run_kernel "$k"
done

echo
echo "== summary (driver $driver)"
printf '%s\n' "${summary[@]}"
if [ "$nskip" -gt 0 ]; then
	echo "$npass passed, $nfail failed, $nskip skipped"
else
	echo "$npass passed, $nfail failed"
fi
[ "$nfail" -eq 0 ]
