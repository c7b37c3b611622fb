#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Data stays correct on a bad network: fio crc32c verify with tc netem on
# both ends of the link, first 5% loss + 2% duplication + 10% reordering +
# 2 ms delay, then 5% duplication alone (where the stock driver of Linux
# 6.12 was measured corrupting data: see shared/aoe-reference.md). The err
# device reports the retransmissions.
# timeout: 900
. /tests/lib.sh

net_setup
f=$(mkfile e0.0 24M)
vblade_start 0 0 aoet0 "$f"
aoe_attach

# Collect err device messages in the background (reads block).
[ -c /dev/etherd/err ] || fail "no /dev/etherd/err"
cat /dev/etherd/err >"$AOE_TMP/err.log" &
errpid=$!

run_fio() {
	local what=$1 seed=$2
	info "fio verify under netem: $what"
	fio --name=netem --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=randwrite --bsrange=512-64k --blockalign=512 --iodepth=32 \
		--size=16M --verify=crc32c --verify_fatal=1 --do_verify=1 \
		--randseed="$seed" --output="$AOE_TMP/fio.out" ||
		{ cat "$AOE_TMP/fio.out"; fail "fio verify failed under $what"; }
	grep -E "WRITE:|READ:" "$AOE_TMP/fio.out" || true
	netem_clear
	drop_caches
	assert_eq "$(md5_range "$f" 1M 16)" "$(md5_range "$dev" 1M 16)" \
		"device vs backing file after $what"
}

netem loss 5% duplicate 2% delay 2ms reorder 10%
run_fio "loss 5%, duplicate 2%, reorder 10%, delay 2ms" 1
netem duplicate 5%
run_fio "duplicate 5%" 2

kill "$errpid" 2>/dev/null || true
wait "$errpid" 2>/dev/null || true
n=$(grep -c retransmit "$AOE_TMP/err.log" || true)
info "err device: $n retransmit messages, $(wc -l <"$AOE_TMP/err.log") lines"
[ "$n" -gt 0 ] || fail "no retransmit message on the err device under 5% loss"
aoe_unload 60
info "ok"
