#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Forgetting a device while its target keeps answering: aoe-flush -a in a
# loop while discovery runs in another. A device found again while the old
# one is still being torn down must not collide with it (a duplicate disk
# name, a duplicate debugfs file): every time the loops stop, e0.0 comes
# back as a working disk with the target's data, and the log stays clean.
# timeout: 600
. /tests/lib.sh

net_setup
f=$(mkfile e0.0 16M)
vblade_start 0 0 aoet0 "$f"
aoe_attach

rounds=200
(
	while :; do
		aoe-discover 2>/dev/null || true
	done
) &
disc=$!
for i in $(seq 1 $rounds); do
	aoe-flush -a 2>/dev/null || true
	if [ $((i % 50)) -eq 0 ]; then
		info "round $i: $(ls /sys/block | awk '/etherd/ { n++ } END { print n + 0 }') disk(s)"
	fi
done
kill "$disc"
wait "$disc" 2>/dev/null || true

aoe_discover
wait_aoe_dev 30 0 0
[ "$AOE_DRIVER" != ours ] || [ -r /sys/kernel/debug/aoe/e0.0 ] ||
	fail "no aoe/e0.0 in debugfs: $(ls /sys/kernel/debug/aoe | tr '\n' ' ')"
assert_eq "$(md5_range "$f" 1M 16)" "$(md5_range "$dev" 1M 16)" \
	"device vs backing file"
if dmesg | grep -q "cannot add disk"; then
	dmesg | grep "cannot add disk" | tail -n 3
	fail "a disk could not be added"
fi
aoe_unload 60
info "ok"
