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

# fio verify under each netem setting in turn (random seeds 1, 2); without
# netem, the device reads back as the backing file.
seed=0
for what in "loss 5% duplicate 2% delay 2ms reorder 10%" "duplicate 5%"; do
	seed=$((seed + 1))
	info "fio verify under netem: $what"
	# shellcheck disable=SC2086 # the words are netem's arguments
	netem $what
	fio_verify netem "$dev" --bsrange=512-64k --blockalign=512 \
		--iodepth=32 --size=16M --randseed="$seed"
	netem_clear
	assert_same_data "$f" "$dev" 16 "device vs backing file after $what"
done

kill "$errpid" 2>/dev/null || true
wait "$errpid" 2>/dev/null || true
n=$(grep -c retransmit "$AOE_TMP/err.log" || true)
info "err device: $n retransmit messages, $(wc -l <"$AOE_TMP/err.log") lines"
[ "$n" -gt 0 ] || fail "no retransmit message on the err device under 5% loss"
aoe_unload 60
info "ok"
