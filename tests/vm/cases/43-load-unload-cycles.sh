#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 50 load / discover / unload cycles. Every fifth one has I/O in flight and
# the disk open when unload is tried: rmmod must refuse, then succeed once
# the I/O is done. Slab memory afterwards is back near where it started.
# Each time the disk appears, its debugfs counters are already in aoe/
# (the module's own discovery at load races with its init).
# timeout: 900
. /tests/lib.sh

net_setup
f=$(mkfile e0.0 16M)
vblade_start 0 0 aoet0 "$f"

# One cycle first so that caches the kernel keeps are warm.
aoe_attach; aoe_unload 60
before=$(slab_kb)
for i in $(seq 1 50); do
	aoe_attach
	[ "$AOE_DRIVER" != ours ] || [ -r /sys/kernel/debug/aoe/e0.0 ] ||
		fail "cycle $i: no aoe/e0.0 in debugfs when the disk was up:" \
			"$(ls /sys/kernel/debug /sys/kernel/debug/aoe | tr '\n' ' ')"
	if [ $((i % 5)) -eq 0 ]; then
		dd if=/dev/urandom of="$dev" bs=64k count=64 oflag=direct status=none &
		io=$!
		exec 8<"$dev"
		if rmmod aoe 2>/dev/null; then
			fail "cycle $i: rmmod succeeded with the disk open"
		fi
		exec 8<&-
		wait "$io" || fail "cycle $i: I/O failed"
	fi
	aoe_unload 60
done
after=$(slab_kb)
info "Slab before ${before} kB, after ${after} kB"
[ $((after - before)) -lt 4096 ] || fail "slab grew by $((after - before)) kB over 50 cycles"
info "ok"
