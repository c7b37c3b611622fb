#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest test runner, started by /init. Selections come from the kernel
# command line:
#   aoetest_driver=ours|stock   module under test (/ours/aoe.ko, /stock/aoe.ko)
#   aoetest_tests=A,B,...       test names (cases/NAME.sh); empty or "all": all
#   aoetest_timeout=N           default per-test timeout (s), default 300
#   aoetest_verbose=1           also stream each test's output to the console
#   aoetest_timeout_scale=N     multiply every test's timeout, and every
#                               deadline of lib.sh's wait_for, by N (slow
#                               kernels: the debug kernel), default 1
#
# For each test: clean up, run it in its own session under its timeout
# (`# timeout: N` in the test's header overrides the default), clean up again,
# then scan the kernel log written meanwhile. On a kernel with kmemleak
# (/sys/kernel/debug/kmemleak: the debug kernel) a leak scan follows the
# cleanup, so also the module's unload: any leak it reports fails the test.
# Prints to the console:
#   @@AOE-BEGIN <test> uptime=<s>
#   @@AOE-RESULT <test> PASS|FAIL|SKIP [reason]
#   @@AOE-TIME <test> <seconds>
# and for a failure the output tail and kernel lines between
#   @@AOE-DETAIL-BEGIN <test> ... @@AOE-DETAIL-END <test>

CASES=/tests/cases
LOGS=/tmp/aoe-logs
mkdir -p "$LOGS"

driver=stock
tests=
def_timeout=300
verbose=0
tscale=1
for w in $(cat /proc/cmdline); do
	case $w in
	aoetest_driver=*) driver=${w#*=} ;;
	aoetest_tests=*) tests=${w#*=} ;;
	aoetest_timeout=*) def_timeout=${w#*=} ;;
	aoetest_verbose=*) verbose=${w#*=} ;;
	aoetest_timeout_scale=*) tscale=${w#*=} ;;
	esac
done
case $tscale in
''|*[!0-9]*|0) tscale=1 ;;
esac

export AOE_DRIVER=$driver
export AOE_KO=/$driver/aoe.ko
export AOE_TMP=/tmp/aoetest
export AOE_TIMEOUT_SCALE=$tscale
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin

# lib.sh for cleanup_all, wait_for, alive; the runner itself must not stop
# at the first failing command.
# shellcheck source=lib.sh
. /tests/lib.sh
set +eE +o pipefail
trap - ERR

# Kernel log lines that fail a test.
BAD_RE='Oops|BUG:|WARNING:|possible circular locking|lockdep|KASAN|kmemleak|general protection fault|INFO: task .* blocked|Call Trace|UBSAN|list_add corruption|list_del corruption|refcount_t:'

if [ -z "$tests" ] || [ "$tests" = all ]; then
	tests=$(cd "$CASES" && ls -- *.sh 2>/dev/null | sed 's/\.sh$//' | tr '\n' ' ')
else
	tests=${tests//,/ }
fi

echo "@@AOE-RUNNER driver=$driver kernel=$(uname -r) tests=$tests"
if [ -f "$AOE_KO" ]; then
	echo "@@AOE-MODULE $AOE_KO $(md5sum <"$AOE_KO" | cut -d' ' -f1)" \
		"$(modinfo -F vermagic "$AOE_KO" 2>/dev/null)"
else
	echo "@@AOE-MODULE $AOE_KO missing"
fi

kmsg() { echo "aoetest: $*" >/dev/kmsg 2>/dev/null; }

result() {
	echo "@@AOE-RESULT $*"
	kmsg "result $*"
}

# run_deadline SECONDS LOG CMD...: run CMD in a new session with output
# appended to LOG; kill its whole session at the deadline. Sets RD_RC to
# its exit status, 124 on timeout, or 125 if it would not die (stuck in
# the kernel). The runner sleeps in wait until the test ends or the
# deadline's sleep does: a loop that looked ten times a second forked for
# each look and took about a quarter of the guest's CPU under TCG from
# the test it watched.
run_deadline() {
	local secs=$1 log=$2 pid spid first= rc tailpid=
	shift 2
	setsid "$@" >>"$log" 2>&1 </dev/null &
	pid=$!
	if [ "${RD_STREAM:-0}" = 1 ]; then
		tail -n +1 -f "$log" 2>/dev/null |
			awk '{ print "    | " $0; fflush() }' &
		tailpid=$!
	fi
	sleep "$secs" &
	spid=$!
	RD_RC=
	while [ -z "$first" ]; do
		wait -n -p first "$pid" "$spid"
		rc=$?
		[ "$rc" != 127 ] || break	# neither is a child: cannot be
	done
	if [ "$first" = "$pid" ]; then
		kill "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
		RD_RC=$rc
		# What the test left running (a failed test's fio holding a
		# disk open) would hold the module for every later test.
		if kill -KILL -- "-$pid" 2>/dev/null; then
			echo "runner: killed processes left behind in session $pid" >>"$log"
		fi
	else
		echo "runner: deadline of ${secs}s passed, killing session $pid" >>"$log"
		kill -TERM -- "-$pid" 2>/dev/null
		wait_for 5 eval "! alive $pid"
		kill -KILL -- "-$pid" 2>/dev/null
		if wait_for 20 eval "! alive $pid"; then
			RD_RC=124
			wait "$pid" 2>/dev/null
		else
			echo "runner: process $pid will not die:" >>"$log"
			cat "/proc/$pid/stack" >>"$log" 2>/dev/null
			RD_RC=125
		fi
	fi
	if [ -n "$tailpid" ]; then
		sleep 1.2	# busybox tail -f polls once a second
		kill "$tailpid" 2>/dev/null
		pkill -P "$tailpid" 2>/dev/null
	fi
	return 0
}

# Header field of a test: `# NAME: value` in its first 20 lines.
header() {
	head -n 20 "$1" | sed -n "s/^# *$2: *//p" | head -n1 | tr -d '\r'
}

# kmemleak_check OUT: the kmemleak report of leaks found since the last
# check into OUT (empty: none). kmemleak reports an object only once it is
# 5 s old and was unreferenced in two scans in a row (the first scan that
# sees it only records its checksum); `clear` then forgets what was
# reported, so the next check shows only newer leaks.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_check() {
	sleep 5
	if ! { echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK"; } 2>/dev/null; then
		echo "kmemleak: scan failed (kmemleak disabled?)" >"$1"
		return
	fi
	cat "$KMEMLEAK" >"$1" 2>/dev/null
	echo clear >"$KMEMLEAK" 2>/dev/null
}
# kmemleak_annotate REPORT DMESG: the module is gone when its leaks are
# reported, so its frames are bare addresses: add "aoe.ko .text+OFF" to
# those within the .text of its last load (aoe_load logs where that is).
# tests/debug/run.sh turns such offsets into function names.
kmemleak_annotate() {
	local base line a off
	base=$(sed -n 's/.*aoetest: aoe \.text \(0x[0-9a-f]*\).*/\1/p' "$2" | tail -n1)
	[ -n "$base" ] && [ -s "$1" ] || return 0
	while IFS= read -r line; do
		if [[ $line =~ ^\ +(0xffffffff[0-9a-f]+)$ ]]; then
			a=${BASH_REMATCH[1]}
			off=$((a - base))
			if [ "$off" -ge 0 ] && [ "$off" -lt $((1 << 24)) ]; then
				line="$line aoe.ko .text+$(printf '0x%x' "$off")"
			fi
		fi
		printf '%s\n' "$line"
	done <"$1" >"$1.tmp"
	mv "$1.tmp" "$1"
}
if [ -e "$KMEMLEAK" ]; then
	# Whatever boot left unreferenced is not the tests' doing.
	kmemleak_check "$LOGS/boot.kmemleak"
	echo "@@AOE-KMEMLEAK on; ignoring $(grep -c '^unreferenced object' \
		"$LOGS/boot.kmemleak") object(s) unreferenced at boot"
fi

wedged=
for t in $tests; do
	f=$CASES/$t.sh
	log=$LOGS/$t.log
	: >"$log"
	if [ -n "$wedged" ]; then
		result "$t FAIL not run: $wedged"
		continue
	fi
	if [ ! -f "$f" ]; then
		result "$t FAIL no such test"
		continue
	fi
	tmo=$(header "$f" timeout)
	case $tmo in
	''|*[!0-9]*) tmo=$def_timeout ;;
	esac
	tmo=$((tmo * tscale))
	need=$(header "$f" driver)
	if [ -n "$need" ] && [ "$need" != "$driver" ]; then
		result "$t SKIP needs driver $need"
		continue
	fi
	if [ ! -f "$AOE_KO" ]; then
		result "$t FAIL no module $AOE_KO for driver $driver"
		continue
	fi

	# Clean slate (normally a no-op).
	run_deadline 120 "$LOGS/$t.pre" bash -c '. /tests/lib.sh; cleanup_all'
	if [ "$RD_RC" != 0 ] || [ -d /sys/module/aoe ]; then
		cat "$LOGS/$t.pre"
		wedged="cleanup before $t failed"
		result "$t FAIL $wedged"
		continue
	fi

	nonce=$RANDOM$RANDOM
	kmsg "==== begin $t $nonce"
	start=$(now_cs)
	echo "@@AOE-BEGIN $t uptime=$(uptime_s) timeout=$tmo"
	export AOE_TEST=$t
	RD_STREAM=$verbose run_deadline "$tmo" "$log" bash "$f"
	rc=$RD_RC
	dur=$(($(now_cs) - start))
	skipreason=$(cat "$AOE_TMP/.skip-reason" 2>/dev/null)

	# Clean up after it; trouble here is the test's failure too.
	post=ok
	if [ "$rc" != 125 ]; then
		echo "---- runner cleanup" >>"$log"
		run_deadline 120 "$log" bash -c '. /tests/lib.sh; cleanup_all'
		if [ "$RD_RC" != 0 ]; then
			post="cleanup after the test failed (status $RD_RC)"
		fi
		if [ -d /sys/module/aoe ]; then
			wedged="aoe could not be unloaded after $t"
			post=$wedged
		fi
	else
		wedged="$t is stuck in the kernel"
		post=$wedged
	fi
	# Leaks, including those of the module's unload in the cleanup.
	: >"$LOGS/$t.kmemleak"
	if [ -e "$KMEMLEAK" ]; then
		kmemleak_check "$LOGS/$t.kmemleak"
	fi
	kmsg "==== end $t $nonce"

	# Kernel log written since the begin marker.
	dmesg >"$LOGS/$t.dmesg.all" 2>/dev/null
	if grep -q "begin $t $nonce" "$LOGS/$t.dmesg.all"; then
		sed -n "/aoetest: ==== begin $t $nonce/,\$p" "$LOGS/$t.dmesg.all" \
			>"$LOGS/$t.dmesg"
	else
		echo "runner: kernel log wrapped; scanning all of it" >>"$log"
		cp "$LOGS/$t.dmesg.all" "$LOGS/$t.dmesg"
	fi
	grep -E "$BAD_RE" "$LOGS/$t.dmesg" | grep -v 'aoetest: ' >"$LOGS/$t.bad"
	kmemleak_annotate "$LOGS/$t.kmemleak" "$LOGS/$t.dmesg"

	status=PASS
	reason=
	case $rc in
	0) ;;
	77) status=SKIP; reason=${skipreason:-skipped} ;;
	124) status=FAIL; reason="timeout after ${tmo}s" ;;
	125) status=FAIL; reason="timeout after ${tmo}s, process stuck in the kernel" ;;
	*)
		status=FAIL
		reason=$(grep -E '^(\[[0-9. ]+\] )?FAIL: ' "$log" | tail -n1 |
			sed -E 's/^(\[[0-9. ]+\] )?FAIL: //')
		reason="exit $rc${reason:+: $reason}"
		;;
	esac
	if [ "$post" != ok ] && [ "$status" != FAIL ]; then
		status=FAIL
		reason=$post
	fi
	if [ -s "$LOGS/$t.kmemleak" ]; then
		status=FAIL
		reason="kmemleak: $(grep -c '^unreferenced object' "$LOGS/$t.kmemleak") leak(s), first: $(sed -n '/backtrace/{n;p;q}' "$LOGS/$t.kmemleak" | sed 's/^ *//')${reason:+; $reason}"
	fi
	if [ -s "$LOGS/$t.bad" ]; then
		status=FAIL
		reason="kernel log: $(head -n1 "$LOGS/$t.bad" | sed 's/^\[[ 0-9.]*\] //')${reason:+; $reason}"
	fi

	result "$t $status${reason:+ $reason}"
	echo "@@AOE-TIME $t $((dur / 100)).$(printf '%02d' $((dur % 100)))"
	if [ "$status" = FAIL ]; then
		echo "@@AOE-DETAIL-BEGIN $t"
		echo "---- output of $t (last 80 lines)"
		tail -n 80 "$log"
		if [ -s "$LOGS/$t.bad" ]; then
			echo "---- kernel log lines that failed $t"
			head -n 40 "$LOGS/$t.bad"
		fi
		if [ -s "$LOGS/$t.kmemleak" ]; then
			echo "---- kmemleak report after $t (first 60 lines)"
			head -n 60 "$LOGS/$t.kmemleak"
		fi
		echo "---- kernel log during $t (last 80 lines)"
		tail -n 80 "$LOGS/$t.dmesg"
		echo "@@AOE-DETAIL-END $t"
	fi
done
exit 0
