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

for mtu in 1500 9000; do
	if [ "$mtu" = 9000 ]; then
		# Jumbo frames: restart the target so it advertises the larger
		# frame size.
		vblade_stop 0 0
		set_mtu 9000
		aoe_unload 60
		vblade_start 0 0 aoet0 "$f"
		aoe_load
		aoe_discover
		wait_aoe_dev 30 0 0
	fi
	for qd in 1 32; do
		payload=$(cat "$(aoe_sys 0 0)/payload" 2>/dev/null || echo '?')
		info "fio: MTU $mtu, queue depth $qd, payload $payload"
		fio_verify "mtu$mtu-qd$qd" "$dev" --bsrange=512-128k \
			--blockalign=512 --iodepth="$qd" --size="$size" \
			--randseed=$((mtu + qd))
		assert_same_data "$f" "$dev" 24 \
			"device vs backing file after MTU $mtu qd $qd"
	done
done
aoe_unload 60
info "ok"
