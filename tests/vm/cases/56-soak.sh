#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The long soak, run by `make soak` (tests/vm/soak.sh), which puts
# aoetest_soak_minutes=N on the kernel command line; without it the test is
# skipped. One disk over two paths (two vblades, one file) carries, without
# a pause:
#   - fio random writes of 4-256 KiB at QD 16, each verified by its crc32c
#     at most 256 blocks after it was written (verify_backlog);
#   - fio sequential 1 MiB writes at QD 4, verified after each pass;
#   - O_DIRECT reads of a region written once, checked against its md5;
# while one event at a time, 10-40 s apart, hits it: a link of one path
# goes down for 2-8 s; the target stops for 3-15 s; the MTU goes
# 1500 <-> 9000 (vblade restarted to use it); netem adds delay, loss,
# reordering or duplicates for 10-30 s. A vblade that exits (it does when
# its link fails under load) is started again at once.
# Every minute: one "@@SOAK" line (I/O done, retransmits, errors, events).
# At the end: every fio pass and read check passed, the device equals the
# target's file, the module unloads, and slab is back to its start (4 MiB).
# timeout: 600
. /tests/lib.sh

minutes=$(cmdline_num aoetest_soak_minutes 0)
[ "$minutes" -gt 0 ] || skip "the soak runs from make soak (aoetest_soak_minutes=N)"

net_setup 1500
net_setup2 1500
f=$(mkfile e0.0 160M)
dd if=/dev/urandom of="$f" bs=1M count=32 seek=128 conv=notrunc status=none
static_md5=$(md5_range "$f" 1M 32 128)
slab0=$(slab_kb)
mtu=1500
vblade_start 0 0 aoet0 "$f"
vblade_start 0 0 aoet1 "$f"
aoe_attach
wait_for 30 aoe_netif_has 0 0 aoei0 aoei1 || fail "netif is '$(aoe_netif 0 0)'"

stop=$AOE_TMP/soak.stop
errs=$AOE_TMP/soak.errors
: >"$errs"

# loop NAME COMMAND...: COMMAND again and again until the soak stops; each
# success adds a line to $AOE_TMP/NAME.passes, a failure one to $errs.
loop() {
	local name=$1
	shift
	while [ ! -e "$stop" ]; do
		if "$@" >"$AOE_TMP/$name.out" 2>&1; then
			echo x >>"$AOE_TMP/$name.passes"
		else
			echo "$name: $(tail -n 3 "$AOE_TMP/$name.out" | tr '\n' ' ')" >>"$errs"
			cp "$AOE_TMP/$name.out" "$AOE_TMP/$name.failed"
			return 1
		fi
	done
}
fio_rand() {
	fio --name=rand --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=randwrite --bsrange=4k-256k --blockalign=4k --iodepth=16 \
		--offset=0 --size=64M --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --verify_backlog=256 --randseed=$RANDOM
}
fio_seq() {
	fio --name=seq --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=write --bs=1M --iodepth=4 --offset=64M --size=64M \
		--verify=crc32c --verify_fatal=1 --do_verify=1
}
read_static() {
	local got
	got=$(md5_range "$dev" 1M 32 128)
	[ "$got" = "$static_md5" ] || { echo "static region: md5 $got, want $static_md5"; return 1; }
}
loop rand fio_rand &
p1=$!
loop seq fio_seq &
p2=$!
loop reads read_static &
p3=$!

passes() { cat "$AOE_TMP/$1.passes" 2>/dev/null | wc -l; }
stat_mib() {	# stat_mib FIELD: sectors field of the disk's stat, in MiB
	awk -v n="$1" '{ print int($n / 2048) }' "$(aoe_sys 0 0)/stat"
}
declare -A nev=([flap]=0 [restart]=0 [mtu]=0 [netem]=0)
summary() {
	local ioerr
	ioerr=$(dmesg | grep -c 'I/O error' || true)
	echo "@@SOAK $(( ($(now_cs) - t0) / 6000 ))/$minutes min:" \
		"read $(stat_mib 3) MiB, written $(stat_mib 7) MiB;" \
		"passes rand $(passes rand) seq $(passes seq) reads $(passes reads);" \
		"retransmits $(aoe_ctr 0 0 retransmits), no_skb $(aoe_ctr 0 0 no_skb);" \
		"errors $(($(wc -l <"$errs") + ioerr));" \
		"events flap ${nev[flap]} restart ${nev[restart]} mtu ${nev[mtu]} netem ${nev[netem]};" \
		"state $(aoe_state 0 0)"
}

# The events. Each sets undo (what ends it) and its length in seconds.
target_down=0
ev_flap() {
	local i=aoei$((RANDOM % 2))
	link_set "$i" down
	undo="link_set $i up"
	len=$((2 + RANDOM % 7))
}
ev_restart() {
	target_down=1
	vblade_stop_all
	undo="target_down=0"
	len=$((3 + RANDOM % 13))
}
ev_mtu() {
	[ "$mtu" = 1500 ] && mtu=9000 || mtu=1500
	set_mtu "$mtu"
	# vblade sizes its frames when it starts: the keeper starts it again.
	vblade_stop_all
	undo=:
	len=1
}
ev_netem() {
	local kinds=("delay 5ms 2ms" "loss 1%" "delay 2ms reorder 25% 50%"
		"duplicate 2%" "loss 3% delay 1ms")
	netem ${kinds[RANDOM % ${#kinds[@]}]}
	undo=netem_clear
	len=$((10 + RANDOM % 21))
}
# vblade_on N: a vblade serves the disk on aoetN.
vblade_on() {
	local pid s l i
	while read -r pid s l i; do
		[ "$i" = "aoet$1" ] && alive "$pid" && return 0
	done <"$AOE_TMP/vblade.pids"
	return 1
}
# keep_targets: a vblade on each link, unless the target is "down".
keep_targets() {
	local n
	[ "$target_down" = 0 ] || return 0
	for n in 0 1; do
		vblade_on "$n" || vblade_start 0 0 "aoet$n" "$f"
	done
}

t0=$(now_cs)
end=$((t0 + minutes * 6000))
next_ev=$((t0 + 1000))
next_sum=$((t0 + 6000))
ev_end=0
undo=
events=(flap restart mtu netem)
while [ "$(now_cs)" -lt "$end" ]; do
	now=$(now_cs)
	[ ! -s "$errs" ] || { summary; cat "$errs"; fail "an I/O check failed"; }
	if [ -n "$undo" ] && [ "$now" -ge "$ev_end" ]; then
		eval "$undo"
		undo=
		next_ev=$((now + 1000 + RANDOM % 3000))
	elif [ -z "$undo" ] && [ "$now" -ge "$next_ev" ]; then
		e=${events[RANDOM % ${#events[@]}]}
		nev[$e]=$((nev[$e] + 1))
		"ev_$e"
		ev_end=$((now + len * 100))
	fi
	keep_targets
	if [ "$now" -ge "$next_sum" ]; then
		summary
		next_sum=$((next_sum + 6000))
	fi
	sleep 1
done

# Calm: the event in progress ends, the loops finish their passes.
[ -z "$undo" ] || eval "$undo"
netem_clear
link_set aoei0 up
link_set aoei1 up
target_down=0
keep_targets
touch "$stop"
wait_for 600 none_alive "$p1" "$p2" "$p3" || fail "the I/O loops do not finish"
summary
[ ! -s "$errs" ] || { cat "$errs"; cat "$AOE_TMP"/*.failed 2>/dev/null; fail "an I/O check failed"; }
for n in rand seq reads; do
	[ "$(passes $n)" -gt 0 ] || fail "no $n pass completed"
done
assert_same_data "$f" "$dev" 160 "the device vs the target's file"
aoe_unload 60
slab1=$(slab_kb)
info "Slab: $slab0 kB before the load, $slab1 kB after the unload"
[ $((slab1 - slab0)) -lt 4096 ] ||
	fail "Slab grew by $((slab1 - slab0)) kB over the soak (limit 4096 kB)"
echo "@@SOAK-VERDICT PASS: $minutes min, rand $(passes rand) seq $(passes seq)" \
	"reads $(passes reads) passes verified, device = file, clean unload," \
	"slab $((slab1 - slab0)) kB from its start"
info "ok"
