#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/guest.sh: the benchmark, inside the VM (run by /bench/init).
#
# One vblade target (a file in tmpfs) on veth aoet0 in netns tgt; the same
# file is also served by nbd-server (in tgt, over 10.99.0.2) and attached to
# a loop device. For each MTU, for each round, for each driver in turn
# (stock aoe.ko, our aoe.ko, nbd, loop): bring the device up, run every fio
# point, take it down. Parameters from the kernel command line:
#   bench_rounds=N bench_runtime=S bench_ramp=S (fio times, fio syntax)
#   bench_size=MiB bench_mtus=1500,9000 bench_drivers=stock,ours,nbd,loop
#
# Console markers (parsed by tests/bench/run.sh):
#   @@BENCH-START key=value...        parameters
#   @@BENCH-IDLE busy=J total=J       /proc/stat jiffies over 3 s of idling
#   @@BENCH-INFO mtu= drv= key=value  queue settings of a device
#   @@BENCH-POINT mtu= round= drv= rw= bs= qd= kib= ms= busy= total= bytes=
#       kib/ms: fio's measured I/O (KiB) and time (ms) after the ramp;
#       busy/total: /proc/stat jiffies (all CPUs) from the job's start
#       (before its ramp) to its end; bytes: moved through the block
#       device over the same window
#   @@BENCH-AOESTATS mtu= round= drv= ...  the aoe driver's debugfs file
#       (lines joined with ;) after the session
#   @@BENCH-FAIL reason               a driver did not come up, fio failed...
#   @@BENCH-END                       all points done
# lib.sh's wait_for multiplies its deadlines by this (the test runner sets
# it; unset, the deadlines would be 0).
export AOE_TIMEOUT_SCALE=${AOE_TIMEOUT_SCALE:-1}
# shellcheck source=../vm/guest/lib.sh
. /tests/lib.sh

rounds=3
runtime=3
ramp=1
size=256
mtus=1500,9000
drivers=stock,ours,nbd,loop
for w in $(cat /proc/cmdline); do
	case $w in
	bench_rounds=*) rounds=${w#*=} ;;
	bench_runtime=*) runtime=${w#*=} ;;
	bench_ramp=*) ramp=${w#*=} ;;
	bench_size=*) size=${w#*=} ;;
	bench_mtus=*) mtus=${w#*=} ;;
	bench_drivers=*) drivers=${w#*=} ;;
	esac
done

# fio takes whole units: milliseconds.
runtime_ms=$(awk -v s="$runtime" 'BEGIN { printf "%d", s * 1000 }')
ramp_ms=$(awk -v s="$ramp" 'BEGIN { printf "%d", s * 1000 }')

# rw:bs:qd, in the order they run.
POINTS="write:1m:1 write:1m:8 read:1m:1 read:1m:8
randread:4k:1 randread:4k:32 randwrite:4k:1 randwrite:4k:32"

NBD_IP_INI=10.99.0.1
NBD_IP_TGT=10.99.0.2
NBD_PORT=10809
BAD_RE='Oops|BUG:|WARNING:|general protection fault|INFO: task .* blocked|Call Trace|UBSAN|list_add corruption|list_del corruption|refcount_t:'

phase=setup
reported=0
cur=		# the driver that is up (for the exit trap)
dev=
sys=

bfail() {
	echo "@@BENCH-FAIL $phase: $*"
	reported=1
	fail "$phase: $*"
}

on_exit() {
	local rc=$?
	set +e
	trap - ERR
	[ "$cur" = nbd ] && nbd-client -d /dev/nbd0 >/dev/null 2>&1
	[ -f "$AOE_TMP/nbd.pid" ] && kill "$(cat "$AOE_TMP/nbd.pid")" 2>/dev/null
	if [ "$rc" -ne 0 ] && [ "$reported" = 0 ]; then
		echo "@@BENCH-FAIL $phase: exit status $rc (see the FAIL line above)"
	fi
}
trap on_exit EXIT

# busy and total jiffies of all CPUs (busy: everything but idle and iowait).
cpu_jiffies() {
	local _c u n s i w q sq st _r
	read -r _c u n s i w q sq st _r </proc/stat
	echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st))"
}

# nbd-server listens on its port in netns tgt (state 0A in /proc/net/tcp).
_nbd_listening() {
	tgt cat /proc/net/tcp | awk -v p=":$(printf '%04X' "$NBD_PORT")" \
		'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 } END { exit !f }'
}

# _proc_quiet PID: PID used no CPU for a second.
_proc_quiet() {
	local a b
	a=$(awk '{ print $14 + $15 }' "/proc/$1/stat") || return 1
	sleep 1
	b=$(awk '{ print $14 + $15 }' "/proc/$1/stat") || return 1
	[ "$a" = "$b" ]
}

# _cpu_quiet: the guest's CPUs were under 5 % busy for a second.
_cpu_quiet() {
	local a b
	a=$(cpu_jiffies)
	sleep 1
	b=$(cpu_jiffies)
	[ $((20 * (${b% *} - ${a% *}))) -lt $((${b#* } - ${a#* })) ]
}

kernel_bad() { dmesg | grep -E "$BAD_RE" | grep -c . || true; }

# ------------------------------------------------------------ drivers ---

_size_pos() { [ "$(cat "$1/size" 2>/dev/null || echo 0)" -gt 0 ]; }
_size_zero() { [ "$(cat "$1/size" 2>/dev/null || echo 0)" -eq 0 ]; }

drv_up() {
	case $1 in
	stock|ours)
		AOE_KO=/$1/aoe.ko
		[ -f "$AOE_KO" ] || bfail "no $AOE_KO"
		insmod "$AOE_KO" || bfail "insmod $AOE_KO failed"
		aoe-discover || bfail "aoe-discover failed"
		wait_for 30 _size_pos "$(aoe_sys 0 0)" ||
			bfail "e0.0 did not come up within 30 s"
		wait_for 10 is_blockdev "$(aoe_dev 0 0)" ||
			bfail "no node $(aoe_dev 0 0)"
		dev=$(aoe_dev 0 0)
		sys=$(aoe_sys 0 0)
		;;
	nbd)
		[ -b /dev/nbd0 ] || bfail "no /dev/nbd0 (nbd module)"
		nbd-client "$NBD_IP_TGT" "$NBD_PORT" /dev/nbd0 -N bench ||
			bfail "nbd-client could not connect"
		wait_for 30 _size_pos /sys/block/nbd0 ||
			bfail "nbd0 has no size within 30 s"
		dev=/dev/nbd0
		sys=/sys/block/nbd0
		;;
	loop)
		dev=$(losetup -f --show "$file") || bfail "losetup failed"
		sys=/sys/block/${dev##*/}
		;;
	esac
	cur=$1
	local want got
	want=$(stat -c %s "$file")
	got=$(blockdev --getsize64 "$dev") || bfail "blockdev $dev failed"
	[ "$want" = "$got" ] || bfail "$dev has $got bytes, the file $want"
	dd if="$dev" of=/dev/null bs=1M count=4 iflag=direct status=none ||
		bfail "reading $dev failed"
}

drv_down() {	# drv_down MTU ROUND
	local dbg=/sys/kernel/debug/aoe/e0.0
	case $cur in
	stock|ours)
		# The driver's own counters (debugfs), for the record.
		if [ -r "$dbg" ]; then
			echo "@@BENCH-AOESTATS mtu=$1 round=$2 drv=$cur" \
				"$(tr '\n' ';' <"$dbg" | tr -s ' \t' ' ')"
		fi
		wait_for 60 _aoe_try_rmmod || bfail "rmmod aoe failed"
		;;
	nbd)
		nbd-client -d /dev/nbd0 >/dev/null || bfail "nbd-client -d failed"
		wait_for 30 _size_zero /sys/block/nbd0 ||
			bfail "nbd0 still connected"
		;;
	loop)
		losetup -d "$dev" || bfail "losetup -d $dev failed"
		;;
	esac
	cur=
}

drv_info() {	# drv_info MTU DRIVER: queue settings, once per MTU
	local q=$sys/queue extra=
	if [ "$2" = stock ] || [ "$2" = ours ]; then
		extra=" aoe-stat=$(aoe-stat 2>/dev/null | tr -s ' \t' ',' | head -n1)"
	fi
	echo "@@BENCH-INFO mtu=$1 drv=$2 dev=$dev" \
		"sched=$(sed 's/.*\[\(.*\)\].*/\1/' "$q/scheduler")" \
		"max_sectors_kb=$(cat "$q/max_sectors_kb")" \
		"max_hw_sectors_kb=$(cat "$q/max_hw_sectors_kb")" \
		"nr_requests=$(cat "$q/nr_requests")" \
		"lbs=$(cat "$q/logical_block_size")$extra"
}

# ---------------------------------------------------------------- fio ---

# One fio process per driver session runs every point in turn (stonewall),
# so fio's start-up (slow under TCG) is paid once. Each job's exec_prerun
# and exec_postrun hooks snapshot /proc/stat and the device's stat file:
# the CPU and byte counts cover that job's ramp and run only.
make_snap() {
	cat >"$AOE_TMP/snap" <<-'EOF'
	#!/bin/sh
	# snap OUT SYSDIR: first line of /proc/stat and SYSDIR/stat into OUT
	{ head -n1 /proc/stat; cat "$2/stat"; } >"$1.tmp" && mv "$1.tmp" "$1"
	EOF
	chmod +x "$AOE_TMP/snap"
}

# snap_vals FILE: "busy total bytes" from a snapshot.
snap_vals() {
	local _c u n s i w q sq st _r rs ws _a _b _d _e _f
	{
		read -r _c u n s i w q sq st _r
		read -r _a _b rs _d _e _f ws _r
	} <"$1"
	echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st))" \
		"$(((rs + ws) * 512))"
}

run_points() {	# run_points MTU ROUND DRIVER
	local mtu=$1 r=$2 drv=$3 dir=$AOE_TMP/fio jobs p rw bs qd n=0 rc line
	local kib ms limit
	local -a f a b
	rm -rf "$dir"
	mkdir -p "$dir"
	jobs=$dir/jobs.fio
	{
		echo "[global]"
		echo "filename=$dev"
		echo "ioengine=libaio"
		echo "direct=1"
		echo "time_based"
		echo "runtime=${runtime_ms}ms"
		echo "ramp_time=${ramp_ms}ms"
		echo "norandommap"
		echo "randrepeat=0"
		echo "stonewall"
		for p in $POINTS; do
			IFS=: read -r rw bs qd <<<"$p"
			n=$((n + 1))
			echo "[j$n]"
			echo "rw=$rw"
			echo "bs=$bs"
			echo "iodepth=$qd"
			echo "exec_prerun=$AOE_TMP/snap $dir/j$n.pre $sys"
			echo "exec_postrun=$AOE_TMP/snap $dir/j$n.post $sys"
		done
	} >"$jobs"
	limit=$(awk -v n="$n" -v t="$runtime" -v r="$ramp" \
		'BEGIN { printf "%d", n * (t + r) * 3 + 180 }')
	rc=0
	(cd "$dir" && timeout -k 10 "$limit" fio --output-format=terse \
		--terse-version=3 "$jobs") >"$dir/out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$dir/out"
		bfail "fio on $dev: exit status $rc"
	fi
	n=0
	for p in $POINTS; do
		IFS=: read -r rw bs qd <<<"$p"
		n=$((n + 1))
		line=$(grep "^3;fio-[^;]*;j$n;" "$dir/out" | tail -n1) || true
		IFS=';' read -r -a f <<<"$line"
		if [ "${#f[@]}" -lt 50 ]; then
			tail -n 30 "$dir/out"
			bfail "fio $rw bs=$bs qd=$qd on $dev: no result"
		fi
		if [ "${f[4]}" != 0 ]; then
			tail -n 30 "$dir/out"
			bfail "fio $rw bs=$bs qd=$qd on $dev: error ${f[4]}"
		fi
		case $rw in
		*read) kib=${f[5]} ms=${f[8]} ;;
		*) kib=${f[46]} ms=${f[49]} ;;
		esac
		if [ "${kib:-0}" -le 0 ] || [ "${ms:-0}" -le 0 ]; then
			bfail "fio $rw bs=$bs qd=$qd on $dev: nothing moved"
		fi
		[ -s "$dir/j$n.pre" ] && [ -s "$dir/j$n.post" ] ||
			bfail "fio $rw bs=$bs qd=$qd: no CPU snapshots"
		read -r -a a <<<"$(snap_vals "$dir/j$n.pre")"
		read -r -a b <<<"$(snap_vals "$dir/j$n.post")"
		echo "@@BENCH-POINT mtu=$mtu round=$r drv=$drv rw=$rw bs=$bs qd=$qd" \
			"kib=$kib ms=$ms busy=$((b[0] - a[0])) total=$((b[1] - a[1]))" \
			"bytes=$((b[2] - a[2]))"
	done
}

# --------------------------------------------------------------- main ---

echo "@@BENCH-START kernel=$(uname -r) rounds=$rounds runtime=$runtime" \
	"ramp=$ramp size=${size}M mtus=$mtus drivers=$drivers" \
	"ncpu=$(grep -c '^processor' /proc/cpuinfo)" \
	"stock=$(md5sum </stock/aoe.ko | cut -c1-12)" \
	"ours=$(md5sum </ours/aoe.ko 2>/dev/null | cut -c1-12)"
for d in ${drivers//,/ }; do
	case $d in
	stock|ours) [ -f "/$d/aoe.ko" ] || bfail "no /$d/aoe.ko" ;;
	nbd) command -v nbd-server >/dev/null && command -v nbd-client >/dev/null ||
		bfail "nbd-server or nbd-client missing in the image" ;;
	loop) ;;
	*) bfail "unknown driver $d" ;;
	esac
done

phase="setup: backing file"
file=$AOE_TMP/bench.img
rm -f "$file"
dd if=/dev/zero of="$file" bs=1M count="$size" status=none
[ "$(stat -c %s "$file")" = $((size * 1048576)) ] || bfail "short backing file"

phase="setup: network"
net_setup 1500
ip addr add "$NBD_IP_INI/24" dev aoei0
tgt ip addr add "$NBD_IP_TGT/24" dev aoet0

if [[ ,$drivers, == *,nbd,* ]]; then
	phase="setup: nbd-server"
	cat >"$AOE_TMP/nbd.conf" <<-EOF
	[generic]
	listenaddr = $NBD_IP_TGT
	port = $NBD_PORT
	[bench]
	exportname = $file
	EOF
	tgt nbd-server -C "$AOE_TMP/nbd.conf" -p "$AOE_TMP/nbd.pid" ||
		bfail "nbd-server did not start"
	wait_for 30 _nbd_listening || bfail "nbd-server does not listen"
	# It keeps initialising (gnutls...) for seconds under TCG after it
	# listens; let it finish before anything is measured.
	wait_for 120 _proc_quiet "$(cat "$AOE_TMP/nbd.pid")" ||
		bfail "nbd-server keeps using CPU"
fi

phase="setup: idle baseline"
make_snap
sleep 1
# shellcheck disable=SC2046
set -- $(cpu_jiffies)
sleep 3
c=$(cpu_jiffies)
echo "@@BENCH-IDLE busy=$((${c% *} - $1)) total=$((${c#* } - $2))"

nbad=$(kernel_bad)
for mtu in ${mtus//,/ }; do
	phase="mtu $mtu: vblade"
	set_mtu "$mtu"
	vblade_stop_all
	vblade_start 0 0 aoet0 "$file"
	for r in $(seq 1 "$rounds"); do
		for d in ${drivers//,/ }; do
			phase="mtu $mtu round $r $d: up"
			echo "@@BENCH-PROGRESS mtu=$mtu round=$r/$rounds drv=$d uptime=$(uptime_s)"
			drv_up "$d"
			wait_for 30 _cpu_quiet 2>/dev/null ||
				echo "note: the guest is still busy before the points"
			[ "$r" != 1 ] || drv_info "$mtu" "$d"
			phase="mtu $mtu round $r $d: fio"
			run_points "$mtu" "$r" "$d"
			phase="mtu $mtu round $r $d: down"
			drv_down "$mtu" "$r"
			n=$(kernel_bad)
			if [ "$n" -gt "$nbad" ]; then
				dmesg | grep -E "$BAD_RE" | tail -n 5
				bfail "kernel log: $(dmesg | grep -E "$BAD_RE" | tail -n1)"
			fi
		done
	done
done
phase=end
vblade_stop_all
echo "@@BENCH-END uptime=$(uptime_s)"
