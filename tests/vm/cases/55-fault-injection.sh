#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Injected failures (the debug kernel: FAIL_FUNCTION and FAILSLAB; skipped
# on a kernel without them). The driver's frame allocation (aoenet_skb) and
# its transmit check (aoenet_xmit_check) are ALLOW_ERROR_INJECTION points:
#   1. each of them fails 1% and then 20% of its calls during fio verify
#      with random writes: the data stays intact, the driver counts the
#      failures (no_skb, tx_dropped) and resends;
#   2. every transmit fails: with aoe_deadsecs=5 the device goes down and
#      a reader gets an I/O error instead of hanging; with the failures
#      stopped, a discover brings it back with its data;
#   3. failslab fails one atomic slab allocation in 200, anywhere in the
#      guest, during another fio verify.
# After the unload the runner's kmemleak scan must find nothing.
# timeout: 900
. /tests/lib.sh

FF=/sys/kernel/debug/fail_function
FS=/sys/kernel/debug/failslab
[ "$AOE_DRIVER" = ours ] || skip "the injection points are this driver's"
[ -d "$FF" ] && [ -d "$FS" ] ||
	skip "this kernel has no fail_function/failslab (make check-debug has)"

# Counted injections: 'times' counts down from this.
TIMES=100000000

# ff_set FAULT_DIR EVERY: fail every EVERY-th call, quietly (a report would
# be a stack dump in the kernel log). Always with probability 100, the
# one rate at which the debug kernel draws no random number (why:
# tests/debug/patches/fault-inject-no-draw-at-100.patch).
ff_set() {
	echo 0 >"$1/verbose"
	echo "$2" >"$1/interval"
	echo "$TIMES" >"$1/times"
	echo 100 >"$1/probability"
}

# ff_off FAULT_DIR: stop injecting; prints how many failures were injected.
ff_off() {
	echo 0 >"$1/probability"
	echo $((TIMES - $(cat "$1/times")))
}

# verify NAME SIZE: fio random writes of 4-128 KiB at QD 16, each block
# checked by its crc32c.
verify() {
	fio --name="$1" --filename="$dev" --rw=randwrite --bsrange=4k-128k \
		--blockalign=4k --size=32M --io_size="$2" --direct=1 \
		--ioengine=libaio --iodepth=16 --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --output="$AOE_TMP/$1.out" ||
		{ cat "$AOE_TMP/$1.out"; fail "$1: fio verify failed"; }
}

net_setup 1500
f=$(mkfile e0.0 48M)
vblade_start 0 0 aoet0 "$f"
aoe_attach
echo >"$FF/inject"
for fn in aoenet_skb aoenet_xmit_check; do
	grep -q "^$fn\s" /sys/kernel/debug/error_injection/list ||
		fail "$fn is not an error injection point"
done

# 1. Each point at 1% and at 20% (every 100th and every 5th call).
for fn in aoenet_skb aoenet_xmit_check; do
	echo "$fn" >"$FF/inject" || fail "fail_function refuses $fn"
	for pct in 1 20; do
		ns0=$(aoe_ctr 0 0 no_skb) tx0=$(aoe_ctr global tx_dropped)
		rx0=$(aoe_ctr 0 0 retransmits)
		ff_set "$FF" $((100 / pct))
		size=32M
		[ "$pct" = 1 ] || size=8M
		verify "$fn-$pct" "$size"
		n=$(ff_off "$FF")
		info "$fn at $pct%: $n injected, fio verify of $size passed;" \
			"no_skb +$(($(aoe_ctr 0 0 no_skb) - ns0))," \
			"tx_dropped +$(($(aoe_ctr global tx_dropped) - tx0))," \
			"retransmits +$(($(aoe_ctr 0 0 retransmits) - rx0))"
		[ "$n" -gt 0 ] || fail "$fn at $pct%: nothing was injected"
	done
	echo "!$fn" >"$FF/inject"
done

# 2. No frame leaves: the device must go down and fail its I/O.
echo 5 >/sys/module/aoe/parameters/aoe_deadsecs
dd if=/dev/urandom of="$AOE_TMP/before" bs=1M count=2 status=none
dd if="$AOE_TMP/before" of="$dev" bs=1M oflag=direct status=none
echo aoenet_xmit_check >"$FF/inject"
ff_set "$FF" 1
dd if="$dev" of=/dev/null bs=4k count=1 skip=99 iflag=direct status=none \
	2>"$AOE_TMP/dd.err" &
rd=$!
wait_for 60 aoe_state_is 0 0 "down*" ||
	fail "not down with every transmit failing"
wait_for 60 none_alive "$rd" || fail "a read hangs on the down device"
if wait "$rd"; then
	fail "a read succeeded although no frame could leave"
fi
info "every transmit failing: down, the read failed: $(cat "$AOE_TMP/dd.err")"
n=$(ff_off "$FF")
echo "!aoenet_xmit_check" >"$FF/inject"
info "$n transmits failed"
aoe_discover
wait_for 30 aoe_state_is 0 0 up ||
	fail "not up again after the failures stopped"
drop_caches
assert_eq "$(md5sum <"$AOE_TMP/before" | cut -d' ' -f1)" \
	"$(md5_range "$dev" 1M 2)" "data written before the outage"
echo 180 >/sys/module/aoe/parameters/aoe_deadsecs

# 3. failslab for the whole guest (atomic allocations only: the default
# ignore-gfp-wait), one call in 200.
ns0=$(aoe_ctr 0 0 no_skb)
ff_set "$FS" 200
verify failslab 16M
n=$(ff_off "$FS")
info "failslab: $n slab allocations failed in the guest, fio verify of 16M" \
	"passed; no_skb +$(($(aoe_ctr 0 0 no_skb) - ns0))"
[ "$n" -gt 0 ] || fail "failslab injected nothing"

assert_same_data "$f" "$dev" 32 "device vs vblade's file after the injections"
aoe_unload 60
info "ok"
