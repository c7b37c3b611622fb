#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two paths to one disk (two vblades exporting the same file as e0.0 on two
# links): fio verify completes while one link is pulled mid-run, and the
# link is used again once it is back. Then the MTU goes 1500 -> 9000 -> 1500
# under load with no I/O error. (vblade fixes its frame size when it starts
# and dies when its interface's MTU drops below it: it starts at 1500 here.
# It also exits when its link goes down under load: it is started again.)
# timeout: 900
. /tests/lib.sh

net_setup 1500
net_setup2 1500
f=$(mkfile e0.0 32M)
vblade_start 0 0 aoet0 "$f"
vblade_start 0 0 aoet1 "$f"
aoe_attach
wait_for 20 aoe_netif_has 0 0 aoei0 aoei1 || fail "netif is '$(aoe_netif 0 0)'"

tx() { cat "/sys/class/net/$1/statistics/tx_packets"; }
rx() { cat "/sys/class/net/$1/statistics/rx_packets"; }

fio_bg() {
	fio --name=mp --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=randwrite --bsrange=512-128k --blockalign=512 --iodepth=16 \
		--size=24M --verify=crc32c --verify_fatal=1 --do_verify=1 \
		--randseed="$1" --output="$AOE_TMP/fio$1.out" &
	fiopid=$!
}
vblades_report() {
	local n
	n=$(vblade_pids 0 0 | wc -l)
	[ "$n" -eq 2 ] && return 0
	info "only $n of 2 vblades alive; their logs:"
	tail -n 5 "$AOE_TMP"/vblade-*.log >&2 || true
}
fio_wait() {
	wait "$fiopid" || {
		cat "$AOE_TMP/fio$1.out"; vblades_report
		cat /sys/kernel/debug/aoe/e0.0 2>/dev/null || true
		fail "fio verify failed: $2"
	}
	vblades_report
}
moved() { [ "$(tx "$1")" -gt "$2" ]; }
moved_rx() { [ "$(rx "$1")" -gt "$2" ]; }

fio_bg 1
a=$(tx aoei1)
wait_for 30 moved aoei1 $((a + 200)) || fail "aoei1 carries no traffic"
ip link set aoei1 down
info "aoei1 down during fio"
a=$(tx aoei0)
wait_for 30 moved aoei0 $((a + 200)) || fail "aoei0 carries no traffic"
ip link set aoei1 up
wait_for 10 link_is_up "" aoei1
# vblade exits when a write to its link fails (ENOBUFS while the link was
# down with answers queued); a real target would not: start it again.
if ! alive "$(awk '$4 == "aoet1" { p = $1 } END { print p }' "$AOE_TMP/vblade.pids")"; then
	info "vblade on aoet1 died with its link: $(tail -n 1 "$AOE_TMP/vblade-e0.0-aoet1.log")"
	vblade_start 0 0 aoet1 "$f"
fi
# Reads keep I/O going until answers come back over aoei1 (fio may be done).
(while :; do dd if="$dev" of=/dev/null bs=64k count=64 iflag=direct 	status=none || break; done) &
readpid=$!
a=$(rx aoei1)
wait_for 60 moved_rx aoei1 $((a + 100)) || {
	cat /sys/kernel/debug/aoe/e0.0 2>/dev/null || true
	fail "aoei1 not used again after it came back"
}
kill "$readpid" 2>/dev/null
wait "$readpid" 2>/dev/null || true
fio_wait 1 "one path pulled"

fio_bg 2
a=$(tx aoei0)
wait_for 30 moved aoei0 $((a + 200))
set_mtu 9000
info "MTU 9000 under load"
payload=$(cat "$(aoe_sys 0 0)/payload")
a=$(tx aoei0)
wait_for 30 moved aoei0 $((a + 200))
set_mtu 1500
info "MTU 1500 under load (payload at 9000 was $payload)"
assert_eq 1024 "$(cat "$(aoe_sys 0 0)/payload")" "payload at MTU 1500"
fio_wait 2 "MTU changes"
assert_same_data "$f" "$dev" 24 "device vs backing file"
aoe_unload 60
info "ok"
