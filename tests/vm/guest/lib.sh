# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# lib.sh: helpers for the VM test cases (bash). Every case starts with
#
#   #!/bin/bash
#   . /tests/lib.sh
#
# Sourcing it turns on `set -eE -o pipefail`: any failing command ends the
# test as a failure, and an ERR trap prints the command and its line. Use
# `cmd || fail "why"` for a clearer message, and `if`/`||` for commands that
# may fail on purpose.
#
# Exit status of a test: 0 pass, 77 skip (use `skip`), anything else fail.
# The runner cleans up before and after each test (vblades, netns, veths,
# aoe module, md arrays, loop devices, mounts under /mnt, $AOE_TMP), so a
# test needs no cleanup of its own unless the test is about cleanup.

set -eE -o pipefail

# --------------------------------------------------------------- config ---

AOE_DRIVER=${AOE_DRIVER:-stock}		# ours | stock
AOE_KO=${AOE_KO:-/$AOE_DRIVER/aoe.ko}	# module under test
AOE_TMP=${AOE_TMP:-/tmp/aoetest}	# scratch dir, wiped between tests
AOE_NETNS=${AOE_NETNS:-tgt}		# netns of the target (vblade) side
AOE_TEST=${AOE_TEST:-$(basename "$0" .sh)}
export AOE_DRIVER AOE_KO AOE_TMP AOE_NETNS AOE_TEST
mkdir -p "$AOE_TMP"

_aoe_on_err() {
	echo "FAIL: command failed (exit $1) at ${2}:${3}: $4" >&2
}
trap '_aoe_on_err $? "${BASH_SOURCE[0]##*/}" $LINENO "$BASH_COMMAND"' ERR

# cmdline_num NAME DEFAULT: N of the last NAME=N (N starting with a digit)
# on the kernel command line, else DEFAULT. The make targets that run one
# case long (soak, crash, profile) pass its length this way.
cmdline_num() {
	local w v=$2
	for w in $(cat /proc/cmdline); do
		case $w in
		"$1"=[0-9]*) v=${w#*=} ;;
		esac
	done
	echo "$v"
}

# -------------------------------------------------------------- reports ---

# Seconds since boot with two decimals (cheap: no fork).
uptime_s() {
	local up _
	read -r up _ </proc/uptime
	echo "$up"
}

# Centiseconds since boot, as an integer.
now_cs() {
	local up _
	read -r up _ </proc/uptime
	up=${up/./}
	echo $((10#$up))
}

info() { echo "[$(uptime_s)] INFO: $*"; }

# fail MSG: the test fails with MSG. Called in a subshell (a pipeline, $()),
# it only ends the subshell: fail from the test's own shell.
fail() {
	trap - ERR
	echo "[$(uptime_s)] FAIL: $*" >&2
	exit 1
}

# skip MSG: the test is skipped (not passed, not failed) with reason MSG.
skip() {
	trap - ERR
	echo "$*" >"$AOE_TMP/.skip-reason"
	echo "[$(uptime_s)] SKIP: $*"
	exit 77
}

# assert_eq EXPECTED ACTUAL WHAT: fail unless the two strings are equal.
assert_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# ---------------------------------------------------------------- waits ---

# wait_for DEADLINE_SECONDS COMMAND [ARGS...]
# Runs COMMAND (a program or a shell function) until it succeeds, at most
# DEADLINE_SECONDS (an integer) long, polling every 50 ms at first and
# every 500 ms later. Returns 0 once it succeeded, 1 on timeout (with a
# message on stderr). Never use a bare sleep to wait for something to happen.
# The deadline is multiplied by $AOE_TIMEOUT_SCALE (set by the runner; more
# than 1 on the debug kernel).
wait_for() {
	local deadline=$1 end delay=0.05 n=0
	shift
	# On a slow kernel (the debug kernel) the runner scales every deadline.
	case ${AOE_TIMEOUT_SCALE:-1} in
	''|*[!0-9]*|0) ;;
	*) deadline=$((deadline * ${AOE_TIMEOUT_SCALE:-1})) ;;
	esac
	end=$(($(now_cs) + deadline * 100))
	while :; do
		if "$@"; then
			return 0
		fi
		if [ "$(now_cs)" -ge "$end" ]; then
			echo "wait_for: timed out after ${deadline}s: $*" >&2
			return 1
		fi
		sleep "$delay"
		n=$((n + 1))
		[ "$n" -lt 10 ] || delay=0.5
	done
}

# alive PID: the process exists and is not a zombie.
# Shell builtins only: it is polled, and a fork costs milliseconds in TCG.
alive() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${st##*) }	# the state follows the last ") ", after the name
	st=${st%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# ------------------------------------------------------------- network ---

# tgt COMMAND...: run COMMAND inside the target's network namespace.
# tgt --bg COMMAND...: the same in the background; $! is then COMMAND's own
# pid (with `tgt COMMAND &`, $! would be a subshell's, not COMMAND's).
tgt() {
	if [ "$1" = --bg ]; then
		shift
		ip netns exec "$AOE_NETNS" "$@" &
	else
		ip netns exec "$AOE_NETNS" "$@"
	fi
}

_netns_ensure() {
	if [ ! -e "/run/netns/$AOE_NETNS" ]; then
		ip netns add "$AOE_NETNS"
		ip -n "$AOE_NETNS" link set lo up
	fi
}

# link_is_up NETNS IFACE: IFACE is up (NETNS "" for the root namespace).
link_is_up() {
	local ns=$1 dev=$2 st
	if [ -n "$ns" ]; then
		st=$(ip -n "$ns" -o link show dev "$dev" 2>/dev/null) || return 1
	else
		st=$(ip -o link show dev "$dev" 2>/dev/null) || return 1
	fi
	case $st in
	*"state UP"*|*",LOWER_UP"*) return 0 ;;
	esac
	return 1
}

# pair_setup N MTU: veth pair aoeiN (root netns) <-> aoetN (netns tgt).
pair_setup() {
	local n=$1 mtu=$2 i=aoei$1 t=aoet$1
	_netns_ensure
	if [ -e "/sys/class/net/$i" ]; then
		fail "net_setup: $i exists already"
	fi
	ip link add "$i" type veth peer name "$t" netns "$AOE_NETNS"
	# No IPv6 chatter (router solicitations, MLD) on the AoE links.
	# (Kernels without IPv6 have no such file.)
	if [ -e "/proc/sys/net/ipv6/conf/$i" ]; then
		echo 1 >"/proc/sys/net/ipv6/conf/$i/disable_ipv6"
		tgt sh -c "echo 1 >/proc/sys/net/ipv6/conf/$t/disable_ipv6"
	fi
	ip link set "$i" mtu "$mtu" up
	ip -n "$AOE_NETNS" link set "$t" mtu "$mtu" up
	wait_for 10 link_is_up "" "$i" || fail "net_setup: $i not up"
	wait_for 10 link_is_up "$AOE_NETNS" "$t" || fail "net_setup: $t not up"
}

# net_setup [MTU]: the first link: aoei0 here, aoet0 in netns tgt, both up.
net_setup() { pair_setup 0 "${1:-1500}"; }

# net_setup2 [MTU]: a second link aoei1 <-> aoet1 (for multipath tests).
net_setup2() { pair_setup 1 "${1:-1500}"; }

# Pair numbers that exist now.
_pairs() {
	local n
	for n in 0 1 2 3; do
		[ -e "/sys/class/net/aoei$n" ] && echo "$n"
	done
	return 0
}

# set_mtu N: MTU N on both ends of every link.
set_mtu() {
	local n
	for n in $(_pairs); do
		ip link set "aoei$n" mtu "$1"
		ip -n "$AOE_NETNS" link set "aoet$n" mtu "$1"
	done
}

# link_set IFACE up|down: one end of a link (aoetN is looked up in tgt).
link_set() {
	case $1 in
	aoet*) ip -n "$AOE_NETNS" link set "$1" "$2" ;;
	*) ip link set "$1" "$2" ;;
	esac
}

# netem_on IFACE ARGS...: tc netem ARGS on the egress of one end.
netem_on() {
	local dev=$1
	shift
	case $dev in
	aoet*) tgt tc qdisc replace dev "$dev" root netem "$@" ;;
	*) tc qdisc replace dev "$dev" root netem "$@" ;;
	esac
}

# netem ARGS...: tc netem ARGS (e.g. "loss 5%", "duplicate 5%",
# "delay 10ms 5ms reorder 25%") on both ends of every link.
netem() {
	local n
	for n in $(_pairs); do
		netem_on "aoei$n" "$@"
		netem_on "aoet$n" "$@"
	done
}

# netem_clear: remove netem from both ends of every link.
netem_clear() {
	local n
	for n in $(_pairs); do
		tc qdisc del dev "aoei$n" root 2>/dev/null || true
		tgt tc qdisc del dev "aoet$n" root 2>/dev/null || true
	done
}

# ---------------------------------------------------------------- files ---

# mkfile NAME SIZE: sparse file $AOE_TMP/NAME of SIZE (truncate syntax:
# 64M = 64 MiB); prints its path.
mkfile() {
	local f=$AOE_TMP/$1
	rm -f "$f"
	truncate -s "$2" "$f"
	echo "$f"
}

# file_sectors FILE: size in 512-byte sectors.
file_sectors() { echo $(($(stat -c %s "$1") / 512)); }

# md5_range FILE_OR_DEV BS COUNT [SKIP]: md5 of COUNT blocks of BS bytes,
# read with O_DIRECT from a block device, buffered from a file.
md5_range() {
	local f=$1 bs=$2 count=$3 skip=${4:-0} flag=
	[ -b "$f" ] && flag=iflag=direct
	dd if="$f" bs="$bs" count="$count" skip="$skip" $flag status=none |
		md5sum | cut -d' ' -f1
}

# assert_same_data FILE DEV MIB WHAT: after drop_caches, the first MIB MiB
# of DEV (read with O_DIRECT) are those of FILE (its backing file); fail
# with WHAT otherwise.
assert_same_data() {
	drop_caches
	assert_eq "$(md5_range "$1" 1M "$3")" "$(md5_range "$2" 1M "$3")" "$4"
}

# fio_verify NAME DEV [FIO_OPTIONS...]: fio job NAME on DEV: random writes
# (libaio, O_DIRECT), every block read back and checked by its crc32c;
# FIO_OPTIONS give the rest (--bsrange=512-64k --blockalign=512
# --iodepth=32 --size=16M --randseed=1 ...). Prints fio's summary lines;
# on a failure prints its output ($AOE_TMP/fio.out) and fails the test.
fio_verify() {
	local name=$1 dev=$2
	shift 2
	fio --name="$name" --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=randwrite --verify=crc32c --verify_fatal=1 --do_verify=1 \
		--output="$AOE_TMP/fio.out" "$@" ||
		{ cat "$AOE_TMP/fio.out"; fail "fio verify failed: $name"; }
	grep -E "WRITE:|READ:" "$AOE_TMP/fio.out" || true
}

# drop_caches: write back and drop the page cache.
drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# meminfo_kb FIELD: a field of /proc/meminfo (Slab, MemAvailable...), kB.
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# slab_kb: /proc/meminfo's Slab in kB after drop_caches (what the kernel
# would free on demand does not count), to compare before and after.
slab_kb() {
	drop_caches
	meminfo_kb Slab
}

# --------------------------------------------------------------- vblade ---

# vblade_start SHELF SLOT IFACE FILE [VBLADE_OPTIONS...]
# Exports FILE as eSHELF.SLOT on IFACE (normally aoet0) with vblade running
# in netns tgt, in the background. Returns once vblade has its socket open.
# Its output goes to $AOE_TMP/vblade-eSHELF.SLOT-IFACE.log.
vblade_start() {
	local shelf=$1 slot=$2 ifc=$3 file=$4 log pid
	shift 4
	[ -e "$file" ] || fail "vblade_start: no backing file $file"
	log=$AOE_TMP/vblade-e$shelf.$slot-$ifc.log
	tgt --bg vblade "$@" "$shelf" "$slot" "$ifc" "$file" \
		>"$log" 2>&1 </dev/null
	pid=$!
	echo "$pid $shelf $slot $ifc" >>"$AOE_TMP/vblade.pids"
	if ! wait_for 10 _vblade_ready "$pid"; then
		cat "$log" >&2 || true
		fail "vblade_start: vblade e$shelf.$slot on $ifc did not start"
	fi
}

_vblade_ready() {
	local fd
	alive "$1" || return 2
	for fd in /proc/"$1"/fd/*; do
		# (An fd may close between the glob and readlink.)
		case $(readlink "$fd" 2>/dev/null || true) in
		socket:*) return 0 ;;
		esac
	done
	return 1
}

# tool_start TOOL ARGS...: a target of tests/tools (aoetgt, aoefast) in
# netns tgt, in the background; sets $tpid. Returns once its socket is open.
# Its output goes to $AOE_TMP/TOOL.out.
tool_start() {
	local tool=$1
	shift
	command -v "$tool" >/dev/null || fail "no $tool in the VM"
	tgt --bg "$tool" "$@" >"$AOE_TMP/$tool.out" 2>&1 </dev/null
	tpid=$!
	wait_for 10 _vblade_ready "$tpid" || {
		cat "$AOE_TMP/$tool.out" >&2
		fail "$tool did not start"
	}
}

# aoetgt_start ARGS...: the programmable target (tests/tools/aoetgt).
aoetgt_start() { tool_start aoetgt "$@"; }

# aoefast_start ARGS...: the fast target (tests/tools/aoefast).
aoefast_start() { tool_start aoefast "$@"; }

# vblade_pids [SHELF SLOT]: pids of running vblades (all, or one export).
vblade_pids() {
	local pid s l i
	[ -f "$AOE_TMP/vblade.pids" ] || return 0
	while read -r pid s l i; do
		if [ $# -eq 2 ] && { [ "$s" != "$1" ] || [ "$l" != "$2" ]; }; then
			continue
		fi
		alive "$pid" && echo "$pid"
	done <"$AOE_TMP/vblade.pids"
	return 0
}

# none_alive PID...: none of the processes is alive (see alive).
none_alive() {
	local p
	for p in "$@"; do
		alive "$p" && return 1
	done
	return 0
}

_kill_wait() {
	local pids="$*"
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill $pids 2>/dev/null || true
	# shellcheck disable=SC2086
	wait_for 10 none_alive $pids && return 0
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null || true
	# shellcheck disable=SC2086
	wait_for 10 none_alive $pids
}

# vblade_stop SHELF SLOT: stop the vblade(s) exporting eSHELF.SLOT.
vblade_stop() {
	# shellcheck disable=SC2046
	_kill_wait $(vblade_pids "$1" "$2") || fail "vblade_stop: e$1.$2 still running"
}

# vblade_stop_all: stop every vblade (also those this test did not start).
vblade_stop_all() {
	# shellcheck disable=SC2046
	_kill_wait $(vblade_pids) $(pidof vblade 2>/dev/null || true) ||
		fail "vblade_stop_all: vblade still running"
	rm -f "$AOE_TMP/vblade.pids"
}

# ----------------------------------------------------------- aoe module ---

# aoe_load [PARAM=VALUE...]: insmod the module under test ($AOE_KO).
aoe_load() {
	[ -f "$AOE_KO" ] || fail "aoe_load: no module at $AOE_KO"
	[ ! -d /sys/module/aoe ] || fail "aoe_load: aoe is loaded already"
	insmod "$AOE_KO" "$@" || fail "aoe_load: insmod $AOE_KO $* failed"
	[ -d /sys/module/aoe ] || fail "aoe_load: /sys/module/aoe missing after insmod"
	# Where its code is: a kmemleak report, read after the unload, shows
	# the module's frames as bare addresses; the runner makes them
	# .text offsets with this.
	echo "aoetest: aoe .text $(cat /sys/module/aoe/sections/.text 2>/dev/null)" \
		>/dev/kmsg 2>/dev/null || true
}

# aoe_try_rmmod: one try to rmmod aoe; succeeds once it is not loaded.
aoe_try_rmmod() {
	[ -d /sys/module/aoe ] || return 0
	rmmod aoe 2>/dev/null || true
	[ ! -d /sys/module/aoe ]
}

# aoe_unload [DEADLINE]: rmmod aoe, retrying while it is busy, until the
# module is gone (default deadline 60 s). Fails if it stays.
aoe_unload() {
	wait_for "${1:-60}" aoe_try_rmmod || fail "aoe_unload: aoe still loaded" \
		"(refcnt $(cat /sys/module/aoe/refcnt 2>/dev/null || echo '?'))"
}

# aoe_dev SHELF SLOT: the device node path, /dev/etherd/eSHELF.SLOT.
aoe_dev() { echo "/dev/etherd/e$1.$2"; }

# aoe_sys SHELF SLOT: the disk's sysfs dir, /sys/block/etherd!eSHELF.SLOT.
aoe_sys() { echo "/sys/block/etherd!e$1.$2"; }

# is_blockdev PATH...: every PATH is a block device node.
is_blockdev() {
	local p
	for p in "$@"; do
		[ -b "$p" ] || return 1
	done
}

# aoe_stats SHELF SLOT: this driver's debugfs file of the disk,
# /sys/kernel/debug/aoe/eSHELF.SLOT ("name value" lines; a target's lines
# are indented). The stock driver has none.
aoe_stats() { echo "/sys/kernel/debug/aoe/e$1.$2"; }

# aoe_ctr SHELF SLOT NAME: the value of the first line NAME of the disk's
# debugfs file (aoe_stats), a target's line too (bufcnt, rto_us...);
# aoe_ctr global NAME: the same from aoe/global. Empty if there is no such
# line or file (the stock driver has no such file).
aoe_ctr() {
	local f
	if [ $# -eq 2 ]; then
		f=/sys/kernel/debug/aoe/$1
	else
		f=$(aoe_stats "$1" "$2")
		shift
	fi
	awk -v k="$2" '$1 == k { print $2; exit }' "$f" 2>/dev/null || true
}

# aoe_state SHELF SLOT: the disk's sysfs state ("up", "down,closewait",
# "up,nopath"...); empty if there is no such disk.
aoe_state() { cat "$(aoe_sys "$1" "$2")/state" 2>/dev/null || true; }

# aoe_state_is SHELF SLOT PATTERN: the state matches the shell PATTERN
# ("up": up and nothing else; "down*": down, closewait or not).
aoe_state_is() {
	# shellcheck disable=SC2254 # PATTERN is a pattern on purpose
	case $(aoe_state "$1" "$2") in
	$3) return 0 ;;
	esac
	return 1
}

# read_fails WHAT SECS DEV BS SKIP COUNT [MESSAGE]: an O_DIRECT read of
# COUNT blocks of BS bytes (dd sizes: 512, 64k) from block SKIP of DEV must
# fail, with MESSAGE in dd's error (default "Input/output error"), in under
# SECS seconds; otherwise the test fails, named WHAT. (A read still pending
# after 120 s is killed.) dd's error is left in $AOE_TMP/dd.err.
read_fails() {
	local what=$1 secs=$2 dev=$3 bs=$4 skip=$5 count=$6
	local msg=${7:-Input/output error} t0 t1 el rc=0
	t0=$(now_cs)
	timeout 120 dd if="$dev" of=/dev/null bs="$bs" skip="$skip" \
		count="$count" iflag=direct status=none 2>"$AOE_TMP/dd.err" || rc=$?
	t1=$(now_cs)
	el=$(printf '%d.%02d' $(((t1 - t0) / 100)) $(((t1 - t0) % 100)))
	info "$what: dd exit $rc after $el s: $(cat "$AOE_TMP/dd.err")"
	[ "$rc" != 0 ] || fail "$what: read succeeded"
	[ "$rc" != 124 ] || fail "$what: read still hanging after 120 s"
	grep -q -- "$msg" "$AOE_TMP/dd.err" ||
		fail "$what: not '$msg': $(cat "$AOE_TMP/dd.err")"
	[ $((t1 - t0)) -lt $((secs * 100)) ] ||
		fail "$what: took $(((t1 - t0) / 100)) s (limit $secs s)"
}

# aoe_netif SHELF SLOT: the disk's sysfs netif, the interfaces it reaches
# its targets through ("aoei0,aoei1"); empty if there is no such disk.
aoe_netif() { cat "$(aoe_sys "$1" "$2")/netif" 2>/dev/null || true; }

# aoe_netif_has SHELF SLOT IFACE...: the disk's sysfs netif lists every
# IFACE (it reaches its targets through all of them).
aoe_netif_has() {
	local list i
	list=,$(aoe_netif "$1" "$2"),
	shift 2
	for i in "$@"; do
		[[ $list == *,"$i",* ]] || return 1
	done
}

# aoe_discover: run aoe-discover (the aoetools script).
aoe_discover() { aoe-discover || fail "aoe-discover failed"; }

# wait_aoe_dev DEADLINE SHELF SLOT: wait until aoe_dev_ready, or fail.
wait_aoe_dev() {
	wait_for "$1" aoe_dev_ready "$2" "$3" ||
		fail "e$2.$3 did not appear within $1 s"
}

# aoe_attach [PARAM=VALUE ...]: the usual start of a test with one target
# at e0.0: load aoe with the parameters, discover, wait up to 30 s for the
# disk, and set dev to its node.
aoe_attach() {
	aoe_load "$@"
	aoe_discover
	wait_aoe_dev 30 0 0
	dev=$(aoe_dev 0 0)
}

# aoe_dev_ready SHELF SLOT: /dev/etherd/eS.L is a block device and its
# sysfs size is non-zero (the disk is usable).
aoe_dev_ready() {
	local s
	[ -b "$(aoe_dev "$1" "$2")" ] || return 1
	s=$(cat "$(aoe_sys "$1" "$2")/size" 2>/dev/null) || return 1
	[ "${s:-0}" -gt 0 ]
}

# ------------------------------------------------------------- cleanup ---

# cleanup_all: undo whatever a test left behind. Used by the runner before
# and after every test; tests may call it too. Prints what it had to do and
# returns non-zero if something could not be undone.
cleanup_all() {
	local rc=0 m n pids
	set +e
	trap - ERR

	# Mounts under /mnt, deepest first.
	for m in $(awk '$2 ~ "^/mnt(/|$)" { print $2 }' /proc/mounts | sort -r); do
		echo "cleanup: umount $m"
		umount "$m" 2>/dev/null || umount -l "$m" || rc=1
	done
	# md arrays (they may sit on aoe disks).
	for m in /dev/md[0-9]* /dev/md/*; do
		[ -b "$m" ] || continue
		mdadm --stop "$m" >/dev/null 2>&1 && echo "cleanup: stopped $m"
	done
	# Loop devices.
	if losetup -a 2>/dev/null | grep -q .; then
		echo "cleanup: detaching loop devices"
		losetup -D
	fi
	# Every vblade, and anything else still running in the target netns.
	pids=$({ vblade_pids; pidof vblade 2>/dev/null | tr ' ' '\n'; } |
		sort -u | tr '\n' ' ')
	if [ -n "${pids// /}" ]; then
		echo "cleanup: stopping vblade $pids"
		# shellcheck disable=SC2086
		_kill_wait $pids || { echo "cleanup: vblade will not die"; rc=1; }
	fi
	if [ -e "/run/netns/$AOE_NETNS" ]; then
		pids=$(ip netns pids "$AOE_NETNS" 2>/dev/null | tr '\n' ' ')
		if [ -n "${pids// /}" ]; then
			# shellcheck disable=SC2086
			_kill_wait $pids || { echo "cleanup: netns processes will not die"; rc=1; }
		fi
	fi
	# The module, before the links go (so it can't hold them).
	if [ -d /sys/module/aoe ]; then
		echo "cleanup: unloading aoe"
		if ! wait_for 60 aoe_try_rmmod; then
			echo "cleanup: aoe will not unload (refcnt" \
				"$(cat /sys/module/aoe/refcnt 2>/dev/null))"
			rc=1
		fi
	fi
	# Links and the namespace.
	for n in 0 1 2 3; do
		if [ -e "/sys/class/net/aoei$n" ]; then
			ip link del "aoei$n" 2>/dev/null || rc=1
		fi
	done
	if [ -e "/run/netns/$AOE_NETNS" ]; then
		ip netns del "$AOE_NETNS" 2>/dev/null || rc=1
	fi
	rm -rf "$AOE_TMP"
	mkdir -p "$AOE_TMP"
	return $rc
}
