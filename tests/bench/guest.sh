#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/guest.sh: the benchmark, inside the VM (run by /bench/init).
#
# The targets serve files in tmpfs over veth pairs whose far ends (aoetN)
# sit in netns tgt: vblade (as users run it) and tests/tools/aoefast (a
# target that is not the bottleneck). Parts, each in rounds that alternate
# the drivers:
#   points  for each MTU and round: on each target, stock aoe.ko and ours;
#           then nbd (nbd-server in tgt over 10.99.0.2, same file) and loop
#           (no network); every fio point in one fio process per session,
#           then a short fio verify per point shape
#   paths   vblade only: e0.0 served over 1, 2 and 4 links (a vblade per
#           link, one file), and md RAID0 over e0.1-e0.4 (four vblades on
#           one link); 1 MiB sequential write and read at QD 8
#   count   aoefast answering for 1, 16, 256, 1000 addresses: insmod to all
#           up, Slab and VmallocUsed per device, aoe-stat's wall time, and
#           4 KiB random writes with verify on up to 64 disks at once
# Parameters from the kernel command line:
#   bench_rounds=N bench_runtime=S bench_ramp=S (fio times, fio syntax)
#   bench_size=MiB bench_mtus=1500,9000 bench_drivers=stock,ours,nbd,loop
#   bench_targets=vblade,fast bench_parts=points,paths,count
#   bench_counts=1,16,256,1000 bench_count_rounds=1 bench_scale_mtu=9000
#   bench_fast_threads=2 bench_fast_bufcnt=64 bench_fast_fanout=lba
#
# Console markers (parsed by tests/bench/run.sh):
#   @@BENCH-START key=value...        parameters
#   @@BENCH-PLAN points=N             how many POINT lines will follow
#   @@BENCH-IDLE busy=J total=J       /proc/stat jiffies over 3 s of idling
#   @@BENCH-INFO part= tgt= mtu= drv= key=value  queue settings of a device
#   @@BENCH-POINT part= tgt= mtu= round= drv= rw= bs= qd= kib= ms= busy=
#       total= tbusy= bytes=
#       kib/ms: fio's measured I/O (KiB) and time (ms) after the ramp;
#       busy/total: /proc/stat jiffies (all CPUs) from the job's start
#       (before its ramp) to its end; tbusy: CPU jiffies of the target's
#       processes (everything in netns tgt) in the same window; bytes:
#       moved through the block device over the same window. For part
#       paths, tgt is "1path", "2paths", "4paths" or "raid0".
#   @@BENCH-VERIFY part= tgt= mtu= round= drv= jobs=N failed=M   verify
#       jobs run, and how many of them found wrong data (only a driver
#       other than ours may: see data_loss_only)
#   @@BENCH-DATALOSS part= ... drv= WHAT: fio's first "verify failed" line
#   @@BENCH-COUNT drv= n= round= up_ms= slab_kb= vmalloc_kb= stat_ms=
#       io_disks= iops=                one address-count measurement
#   @@BENCH-AOESTATS part= tgt= mtu= round= drv= ...  the aoe driver's
#       debugfs file (lines joined with ;) after the session
#   @@BENCH-TARGET part= tgt= mtu= round= drv= line  aoefast's own summary
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
targets=vblade,fast
parts=points,paths,count
counts=1,16,256,1000
count_rounds=1
scale_mtu=9000
fast_threads=2
fast_bufcnt=64
fast_fanout=lba
for w in $(cat /proc/cmdline); do
	case $w in
	bench_rounds=*) rounds=${w#*=} ;;
	bench_runtime=*) runtime=${w#*=} ;;
	bench_ramp=*) ramp=${w#*=} ;;
	bench_size=*) size=${w#*=} ;;
	bench_mtus=*) mtus=${w#*=} ;;
	bench_drivers=*) drivers=${w#*=} ;;
	bench_targets=*) targets=${w#*=} ;;
	bench_parts=*) parts=${w#*=} ;;
	bench_counts=*) counts=${w#*=} ;;
	bench_count_rounds=*) count_rounds=${w#*=} ;;
	bench_scale_mtu=*) scale_mtu=${w#*=} ;;
	bench_fast_threads=*) fast_threads=${w#*=} ;;
	bench_fast_bufcnt=*) fast_bufcnt=${w#*=} ;;
	bench_fast_fanout=*) fast_fanout=${w#*=} ;;
	esac
done

# fio takes whole units: milliseconds.
runtime_ms=$(awk -v s="$runtime" 'BEGIN { printf "%d", s * 1000 }')
ramp_ms=$(awk -v s="$ramp" 'BEGIN { printf "%d", s * 1000 }')

# rw:bs:qd, in the order they run.
POINTS="write:1m:1 write:1m:8 read:1m:1 read:1m:8 read:1m:32
randread:4k:1 randread:4k:32 randread:4k:128 randwrite:4k:1 randwrite:4k:32"
SCALE_POINTS="write:1m:8 read:1m:8"
# Data written per verify job (one per point shape).
VERIFY_SIZE=8m
# Per address in the count part; the file is sparse.
COUNT_MB=8
COUNT_IO_DISKS=64

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

EILSEQ=84	# fio's error for a block that failed verify
# data_loss_only KEYS OUT: the driver measured is not ours, and every fio
# job in OUT that failed, failed verify. The stock aoe.ko is known to lose
# writes (ours' 58-late-copy shows one way); that is reported as a finding
# (@@BENCH-DATALOSS) instead of ending an hour's run. Ours failing
# anything, or any driver failing otherwise, still ends it.
data_loss_only() {
	[[ $1 != *drv=ours* ]] || return 1
	grep -q 'verify failed' "$2" || return 1
	# field 5 of fio's terse lines: the job's error
	awk -F';' -v ok="$EILSEQ" '/^3;fio-/ && $5 != 0 && $5 != ok { bad = 1 }
		END { exit bad }' "$2"
}

data_loss() {	# data_loss KEYS OUT WHAT
	echo "@@BENCH-DATALOSS $1 $3: $(grep -m1 'verify failed' "$2" |
		tr -s ' \t' ' ')"
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

has() { [[ ,$1, == *,$2,* ]]; }	# has LIST WORD

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

check_kernel() {
	local n
	n=$(kernel_bad)
	if [ "$n" -gt "$nbad" ]; then
		dmesg | grep -E "$BAD_RE" | tail -n 5
		bfail "kernel log: $(dmesg | grep -E "$BAD_RE" | tail -n1)"
	fi
}

# ------------------------------------------------------------ targets ---

# fast_start FILE ARGS...: aoefast on aoet0 serving FILE.
fast_start() {
	local f=$1
	shift
	aoefast_start -i aoet0 -f "$f" -t "$fast_threads" -b "$fast_bufcnt" \
		--fanout "$fast_fanout" "$@"
}

# fast_stop: stop aoefast and print its summary as a TARGET marker.
fast_stop() {	# fast_stop MARKER-KEYS
	[ -n "${tpid:-}" ] || return 0
	kill -TERM "$tpid" 2>/dev/null || true
	wait_for 30 none_alive "$tpid" || bfail "aoefast does not exit"
	echo "@@BENCH-TARGET $1 $(grep '^aoefast exit:' "$AOE_TMP/aoefast.out" | tail -n1)"
	tpid=
}

# tgt_up NAME FILE: the target NAME (vblade or fast) serves FILE as e0.0.
tgt_up() {
	case $1 in
	vblade) vblade_start 0 0 aoet0 "$2" ;;
	fast) fast_start "$2" ;;
	esac
}

tgt_down() {	# tgt_down NAME MARKER-KEYS
	case $1 in
	vblade) vblade_stop_all ;;
	fast) fast_stop "$2" ;;
	esac
}

# ------------------------------------------------------------ drivers ---

_size_pos() { [ "$(cat "$1/size" 2>/dev/null || echo 0)" -gt 0 ]; }
_size_zero() { [ "$(cat "$1/size" 2>/dev/null || echo 0)" -eq 0 ]; }

# aoe_up DRIVER [SLOT...]: load DRIVER's aoe.ko, discover, wait for e0.SLOT
# (default e0.0); dev and sys are the first one's.
aoe_up() {
	local drv=$1 s
	shift
	[ $# -gt 0 ] || set -- 0
	AOE_KO=/$drv/aoe.ko
	[ -f "$AOE_KO" ] || bfail "no $AOE_KO"
	insmod "$AOE_KO" || bfail "insmod $AOE_KO failed"
	aoe-discover || bfail "aoe-discover failed"
	for s in "$@"; do
		wait_for 30 _size_pos "$(aoe_sys 0 "$s")" ||
			bfail "e0.$s did not come up within 30 s"
		wait_for 10 is_blockdev "$(aoe_dev 0 "$s")" ||
			bfail "no node $(aoe_dev 0 "$s")"
	done
	dev=$(aoe_dev 0 "$1")
	sys=$(aoe_sys 0 "$1")
}

drv_up() {	# drv_up DRIVER FILE
	case $1 in
	stock|ours) aoe_up "$1" ;;
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
		dev=$(losetup -f --show "$2") || bfail "losetup failed"
		sys=/sys/block/${dev##*/}
		;;
	esac
	cur=$1
	local want got
	want=$(stat -c %s "$2")
	got=$(blockdev --getsize64 "$dev") || bfail "blockdev $dev failed"
	[ "$want" = "$got" ] || bfail "$dev has $got bytes, the file $want"
	dd if="$dev" of=/dev/null bs=1M count=4 iflag=direct status=none ||
		bfail "reading $dev failed"
}

# aoe_down MARKER-KEYS: the driver's counters (debugfs) for the record,
# then rmmod.
aoe_down() {
	local dbg=/sys/kernel/debug/aoe/e0.0
	if [ -r "$dbg" ]; then
		echo "@@BENCH-AOESTATS $1 $(tr '\n' ';' <"$dbg" | tr -s ' \t' ' ')"
	fi
	wait_for 60 aoe_try_rmmod || bfail "rmmod aoe failed"
}

drv_down() {	# drv_down MARKER-KEYS
	case $cur in
	stock|ours) aoe_down "$1" ;;
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

drv_info() {	# drv_info MARKER-KEYS DRIVER: queue settings
	local q=$sys/queue extra=
	if [ "$2" = stock ] || [ "$2" = ours ]; then
		extra=" aoe-stat=$(aoe-stat 2>/dev/null | tr -s ' \t' ',' | head -n1)"
	fi
	echo "@@BENCH-INFO $1 dev=$dev" \
		"sched=$(sed 's/.*\[\(.*\)\].*/\1/' "$q/scheduler")" \
		"max_sectors_kb=$(cat "$q/max_sectors_kb")" \
		"max_hw_sectors_kb=$(cat "$q/max_hw_sectors_kb")" \
		"nr_requests=$(cat "$q/nr_requests")" \
		"nr_hw_queues=$(ls -d "$sys"/mq/* 2>/dev/null | grep -c .)" \
		"lbs=$(cat "$q/logical_block_size")$extra"
}

# ---------------------------------------------------------------- fio ---

# One fio process per driver session runs every point in turn (stonewall),
# so fio's start-up (slow under TCG) is paid once. Each job's exec_prerun
# and exec_postrun hooks snapshot /proc/stat, the CPU time of the target's
# processes (all of netns tgt) and the device's stat file: the counts cover
# that job's ramp and run only. Then one verify job per point shape writes
# VERIFY_SIZE with crc32c and reads it back.
make_snap() {
	cat >"$AOE_TMP/snap" <<-'EOF'
	#!/bin/bash
	# snap OUT SYSDIR: /proc/stat's first line, the CPU jiffies of every
	# process in netns tgt, and SYSDIR/stat into OUT
	t=0
	for p in $(ip netns pids tgt 2>/dev/null); do
		read -r -a s <"/proc/$p/stat" 2>/dev/null || continue
		# utime and stime (fields 14, 15; the name holds no space here)
		t=$((t + s[13] + s[14]))
	done
	{ head -n1 /proc/stat; echo "$t"; cat "$2/stat"; } >"$1.tmp" && mv "$1.tmp" "$1"
	EOF
	chmod +x "$AOE_TMP/snap"
}

# snap_vals FILE: "busy total tbusy bytes" from a snapshot.
snap_vals() {
	local _c u n s i w q sq st _r rs ws _a _b _d _e _f tb
	{
		read -r _c u n s i w q sq st _r
		read -r tb
		read -r _a _b rs _d _e _f ws _r
	} <"$1"
	echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st))" \
		"$tb $(((rs + ws) * 512))"
}

# write_jobs FILE POINTS: the fio job file for one session.
write_jobs() {
	local jobs=$1 points=$2 p rw bs qd n=0 shapes='' vrw
	{
		echo "[global]"
		echo "filename=$dev"
		echo "ioengine=libaio"
		echo "direct=1"
		echo "stonewall"
		for p in $points; do
			IFS=: read -r rw bs qd <<<"$p"
			n=$((n + 1))
			echo "[j$n]"
			echo "norandommap"
			echo "randrepeat=0"
			echo "rw=$rw"
			echo "bs=$bs"
			echo "iodepth=$qd"
			echo "time_based"
			echo "runtime=${runtime_ms}ms"
			echo "ramp_time=${ramp_ms}ms"
			echo "exec_prerun=$AOE_TMP/snap $dir/j$n.pre $sys"
			echo "exec_postrun=$AOE_TMP/snap $dir/j$n.post $sys"
			case " $shapes " in *" $bs:$qd "*) continue ;; esac
			shapes="$shapes $bs:$qd"
		done
		# Each block once per verify job (fio's random map): two
		# writes in flight to one block may land in either order.
		n=0
		for p in $shapes; do
			IFS=: read -r bs qd <<<"$p"
			n=$((n + 1))
			vrw=write
			[ "$bs" = 1m ] || vrw=randwrite
			echo "[v$n]"
			echo "rw=$vrw"
			echo "bs=$bs"
			echo "iodepth=$qd"
			echo "size=$VERIFY_SIZE"
			echo "offset=$(((n - 1) * ${VERIFY_SIZE%m}))m"
			echo "verify=crc32c"
			echo "do_verify=1"
			echo "verify_fatal=1"
		done
	} >"$jobs"
	nverify=$n
}

# run_points KEYS POINTS: one fio session; POINT and VERIFY markers.
run_points() {
	local keys=$1 points=$2 jobs p rw bs qd n=0 rc line kib ms limit npts bad=0
	local -a f a b
	dir=$AOE_TMP/fio
	rm -rf "$dir"
	mkdir -p "$dir"
	jobs=$dir/jobs.fio
	write_jobs "$jobs" "$points"
	npts=$(wc -w <<<"$points")
	limit=$(awk -v n="$npts" -v t="$runtime" -v r="$ramp" -v v="$nverify" \
		'BEGIN { printf "%d", n * (t + r) * 3 + v * 60 + 180 }')
	rc=0
	(cd "$dir" && timeout -k 10 "$limit" fio --output-format=terse \
		--terse-version=3 "$jobs") >"$dir/out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ] && ! data_loss_only "$keys" "$dir/out"; then
		tail -n 30 "$dir/out"
		bfail "fio on $dev: exit status $rc"
	fi
	for p in $points; do
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
		echo "@@BENCH-POINT $keys rw=$rw bs=$bs qd=$qd" \
			"kib=$kib ms=$ms busy=$((b[0] - a[0])) total=$((b[1] - a[1]))" \
			"tbusy=$((b[2] - a[2])) bytes=$((b[3] - a[3]))"
	done
	for n in $(seq 1 "$nverify"); do
		line=$(grep "^3;fio-[^;]*;v$n;" "$dir/out" | tail -n1) || true
		IFS=';' read -r -a f <<<"$line"
		if [ "${#f[@]}" -ge 50 ] && [ "${f[4]}" = "$EILSEQ" ] &&
			data_loss_only "$keys" "$dir/out"; then
			data_loss "$keys" "$dir/out" "verify job v$n"
			bad=$((bad + 1))
		elif [ "${#f[@]}" -lt 50 ] || [ "${f[4]}" != 0 ]; then
			tail -n 30 "$dir/out"
			bfail "fio verify job v$n on $dev failed"
		fi
	done
	echo "@@BENCH-VERIFY $keys jobs=$nverify failed=$bad"
}

# session KEYS DRIVER FILE POINTS: bring DRIVER up on FILE, measure, down.
session() {
	local keys="$1 drv=$2" drv=$2 file=$3
	phase="$keys: up"
	echo "@@BENCH-PROGRESS $keys uptime=$(uptime_s)"
	drv_up "$drv" "$file"
	wait_for 30 _cpu_quiet 2>/dev/null ||
		echo "note: the guest is still busy before the points"
	[ "${keys#*round=1 }" = "$keys" ] || drv_info "$keys" "$drv"
	phase="$keys: fio"
	run_points "$keys" "$4"
	phase="$keys: down"
	drv_down "$keys"
	check_kernel
}

# -------------------------------------------------------------- parts ---

part_points() {
	local mtu r t d
	for mtu in ${mtus//,/ }; do
		set_mtu "$mtu"
		for r in $(seq 1 "$rounds"); do
			for t in ${targets//,/ }; do
				phase="points mtu $mtu round $r: $t"
				tgt_up "$t" "$file"
				for d in stock ours; do
					has "$drivers" "$d" || continue
					session "part=points tgt=$t mtu=$mtu round=$r" \
						"$d" "$file" "$POINTS"
				done
				tgt_down "$t" "part=points tgt=$t mtu=$mtu round=$r drv=ours"
			done
			for d in nbd loop; do
				has "$drivers" "$d" || continue
				session "part=points tgt=- mtu=$mtu round=$r" "$d" \
					"$file" "$POINTS"
			done
		done
	done
}

# The same file over N links, a vblade on each (a multi-port shelf).
paths_session() {	# paths_session N ROUND DRIVER
	local n=$1 i keys
	keys="part=paths tgt=${n}path$([ "$n" = 1 ] || echo s) mtu=$scale_mtu round=$2"
	for i in $(seq 0 $((n - 1))); do
		vblade_start 0 0 "aoet$i" "$file"
	done
	session "$keys" "$3" "$file" "$SCALE_POINTS"
	vblade_stop_all
}

raid_session() {	# raid_session ROUND DRIVER
	local keys="part=paths tgt=raid0 mtu=$scale_mtu round=$1 drv=$2" s
	phase="$keys: up"
	echo "@@BENCH-PROGRESS $keys uptime=$(uptime_s)"
	for s in 1 2 3 4; do
		vblade_start 0 "$s" aoet0 "${rfile[$s]}"
	done
	aoe_up "$2" 1 2 3 4
	mdadm --create /dev/md0 --run --quiet --level=0 --chunk=512 \
		--raid-devices=4 "$(aoe_dev 0 1)" "$(aoe_dev 0 2)" \
		"$(aoe_dev 0 3)" "$(aoe_dev 0 4)" || bfail "mdadm --create"
	dev=/dev/md0
	sys=/sys/block/md0
	cur=md
	[ "$1" != 1 ] || drv_info "$keys" "$2"
	phase="$keys: fio"
	run_points "$keys" "$SCALE_POINTS"
	phase="$keys: down"
	mdadm --stop /dev/md0 >/dev/null || bfail "mdadm --stop"
	cur=
	aoe_down "$keys"
	vblade_stop_all
	check_kernel
}

part_paths() {
	local r n d s
	for n in 1 2 3; do
		[ -e "/sys/class/net/aoei$n" ] || pair_setup "$n" "$scale_mtu"
	done
	set_mtu "$scale_mtu"
	for s in 1 2 3 4; do
		rfile[s]=$AOE_TMP/raid$s.img
		truncate -s $((size / 4))M "${rfile[s]}"
	done
	for r in $(seq 1 "$rounds"); do
		for n in 1 2 4; do
			for d in stock ours; do
				has "$drivers" "$d" || continue
				phase="paths $n round $r $d"
				paths_session "$n" "$r" "$d"
			done
		done
		for d in stock ours; do
			has "$drivers" "$d" || continue
			raid_session "$r" "$d"
		done
	done
	for n in 1 2 3; do
		ip link del "aoei$n"
	done
	rm -f "${rfile[@]}"
}

_aoe_disks() { ls -d /sys/block/etherd* 2>/dev/null | grep -c . || true; }
_aoe_disks_are() { [ "$(_aoe_disks)" -ge "$1" ]; }
now_ms() { echo $(($(now_cs) * 10)); }

# One address count: insmod to all up, memory per disk, aoe-stat, I/O.
count_session() {	# count_session N ROUND DRIVER
	local n=$1 r=$2 drv=$3 keys f t0 t1 slab0 vm0 slab1 vm1 ts io k
	local -a devs
	keys="part=count n=$n round=$r drv=$drv"
	phase="$keys"
	echo "@@BENCH-PROGRESS $keys uptime=$(uptime_s)"
	f=$AOE_TMP/count.img
	rm -f "$f"
	truncate -s $((n * COUNT_MB))M "$f"
	fast_start "$f" -n "$n" --no-announce
	drop_caches
	slab0=$(meminfo_kb Slab)
	vm0=$(meminfo_kb VmallocUsed)
	t0=$(now_ms)
	insmod "/$drv/aoe.ko" || bfail "insmod /$drv/aoe.ko failed"
	aoe-discover || bfail "aoe-discover failed"
	wait_for 600 _aoe_disks_are "$n" ||
		bfail "$(_aoe_disks) of $n disks up within 600 s"
	t1=$(now_ms)
	slab1=$(meminfo_kb Slab)
	vm1=$(meminfo_kb VmallocUsed)
	ts=$(now_ms)
	aoe-stat >"$AOE_TMP/aoe-stat.out" 2>&1 || bfail "aoe-stat failed"
	ts=$(($(now_ms) - ts))
	[ "$(grep -c ' up' "$AOE_TMP/aoe-stat.out")" -ge "$n" ] ||
		bfail "aoe-stat lists fewer than $n disks up"
	# Random 4 KiB writes with verify on up to COUNT_IO_DISKS at once.
	io=$((n < COUNT_IO_DISKS ? n : COUNT_IO_DISKS))
	devs=()
	for k in $(seq 0 $((io - 1))); do
		devs+=(--name="d$k" --filename="/dev/etherd/e$((k / 16)).$((k % 16))")
	done
	wait_for 60 is_blockdev "/dev/etherd/e$(((io - 1) / 16)).$(((io - 1) % 16))" ||
		bfail "no device nodes for the I/O"
	fio --ioengine=libaio --direct=1 --rw=randwrite --bs=4k --iodepth=4 \
		--size=1m --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--group_reporting --output-format=terse --terse-version=3 \
		"${devs[@]}" >"$AOE_TMP/count-fio.out" 2>&1 ||
		if data_loss_only "$keys" "$AOE_TMP/count-fio.out"; then
			data_loss "$keys" "$AOE_TMP/count-fio.out" "fio on $io disks"
		else
			tail -n 20 "$AOE_TMP/count-fio.out"
			bfail "fio on $io disks failed"
		fi
	IFS=';' read -r -a fl <<<"$(grep '^3;' "$AOE_TMP/count-fio.out" | tail -n1)"
	echo "@@BENCH-COUNT drv=$drv n=$n round=$r up_ms=$((t1 - t0))" \
		"slab_kb=$((slab1 - slab0)) vmalloc_kb=$((vm1 - vm0))" \
		"stat_ms=$ts io_disks=$io iops=${fl[48]:-0}"
	wait_for 120 aoe_try_rmmod || bfail "rmmod aoe failed"
	fast_stop "$keys"
	rm -f "$f"
	check_kernel
}

part_count() {
	local r n d
	set_mtu "$scale_mtu"
	# A broadcast query is answered by every address at once.
	echo 20000 >/proc/sys/net/core/netdev_max_backlog
	for r in $(seq 1 "$count_rounds"); do
		for n in ${counts//,/ }; do
			for d in stock ours; do
				has "$drivers" "$d" || continue
				count_session "$n" "$r" "$d"
			done
		done
	done
}

# Points each part will report, for run.sh's completeness check.
plan() {
	local nm na=0 nd=0 d total=0
	nm=$(tr ',' '\n' <<<"$mtus" | grep -c .)
	for d in stock ours; do has "$drivers" "$d" && na=$((na + 1)); done
	for d in nbd loop; do has "$drivers" "$d" && nd=$((nd + 1)); done
	if has "$parts" points; then
		total=$((nm * rounds * (na * $(tr ',' '\n' <<<"$targets" | grep -c .) + nd) *
			$(wc -w <<<"$POINTS")))
	fi
	if has "$parts" paths; then
		total=$((total + rounds * na * 4 * $(wc -w <<<"$SCALE_POINTS")))
	fi
	echo "$total"
}

# --------------------------------------------------------------- main ---

echo "@@BENCH-START kernel=$(uname -r) rounds=$rounds runtime=$runtime" \
	"ramp=$ramp size=${size}M mtus=$mtus drivers=$drivers targets=$targets" \
	"parts=$parts counts=$counts scale_mtu=$scale_mtu fast_threads=$fast_threads fast_bufcnt=$fast_bufcnt fast_fanout=$fast_fanout" \
	"count_rounds=$count_rounds" \
	"ncpu=$(grep -c '^processor' /proc/cpuinfo)" \
	"stock=$(md5sum </stock/aoe.ko | cut -c1-12)" \
	"ours=$(md5sum </ours/aoe.ko 2>/dev/null | cut -c1-12)"
echo "@@BENCH-PLAN points=$(plan)"
for d in ${drivers//,/ }; do
	case $d in
	stock|ours) [ -f "/$d/aoe.ko" ] || bfail "no /$d/aoe.ko" ;;
	nbd) ! has "$parts" points || {
		command -v nbd-server >/dev/null && command -v nbd-client >/dev/null
		} || bfail "nbd-server or nbd-client missing in the image" ;;
	loop) ;;
	*) bfail "unknown driver $d" ;;
	esac
done
for t in ${targets//,/ }; do
	case $t in
	vblade) ;;
	fast) command -v aoefast >/dev/null || bfail "no aoefast in the image" ;;
	*) bfail "unknown target $t" ;;
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

if has "$parts" points && has "$drivers" nbd; then
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
has "$parts" points && part_points
if has "$parts" paths || has "$parts" count; then
	# nbd-server's idle process would only add noise from here on.
	[ -f "$AOE_TMP/nbd.pid" ] && kill "$(cat "$AOE_TMP/nbd.pid")" 2>/dev/null
	rm -f "$AOE_TMP/nbd.pid"
fi
has "$parts" paths && part_paths
has "$parts" count && part_count
phase=end
vblade_stop_all
echo "@@BENCH-END uptime=$(uptime_s)"
