#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fio random writes of mixed sizes (512 B to 128 KiB) with crc32c verify, at
# queue depth 1 and 32, at MTU 1500 and MTU 9000; afterwards the target's
# backing file holds exactly what the disk reads back.
# timeout: 900
. /tests/lib.sh

size=24M
net_setup 1500
f=$(mkfile e0.0 32M)
vblade_start 0 0 aoet0 "$f"
aoe_attach

run_fio() {
	local mtu=$1 qd=$2 payload
	payload=$(cat "$(aoe_sys 0 0)/payload" 2>/dev/null || echo '?')
	info "fio: MTU $mtu, queue depth $qd, payload $payload"
	fio --name="mtu$mtu-qd$qd" --filename="$dev" --ioengine=libaio \
		--direct=1 --rw=randwrite --bsrange=512-128k --blockalign=512 \
		--iodepth="$qd" --size="$size" --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --randseed=$((mtu + qd)) --output="$AOE_TMP/fio.out" ||
		{ cat "$AOE_TMP/fio.out"; fail "fio verify failed (MTU $mtu, qd $qd)"; }
	grep -E "WRITE:|READ:" "$AOE_TMP/fio.out" || true
	drop_caches
	local a b
	a=$(md5_range "$dev" 1M 24)
	b=$(md5_range "$f" 1M 24)
	assert_eq "$b" "$a" "device vs backing file after MTU $mtu qd $qd"
}

run_fio 1500 1
run_fio 1500 32

# Jumbo frames: restart the target so it advertises the larger frame size.
vblade_stop 0 0
set_mtu 9000
aoe_unload 60
vblade_start 0 0 aoet0 "$f"
aoe_load
aoe_discover
wait_aoe_dev 30 0 0
run_fio 9000 1
run_fio 9000 32
aoe_unload 60
info "ok"
