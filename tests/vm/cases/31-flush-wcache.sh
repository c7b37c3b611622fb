#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Durability: a target that advertises a volatile write cache (aoetgt
# --wcache) is given a write cache by the block layer, and fsync and an ext4
# sync reach it as FLUSH CACHE commands, each received only after every
# earlier write was answered. A target without a write cache (aoetgt
# without --wcache, like vblade) gets no flush at all.
# timeout: 300
# driver: ours
. /tests/lib.sh

# flush_check LOG: prints the number of flushes received; fails if one
# arrived while a write received before it was still unanswered.
flush_check() {
	awk '
	$3 == "RX" && $4 == "WRITE" { rx++ }
	$3 == "TX" && $4 == "WRITE" { tx++ }
	$3 == "RX" && $4 == "FLUSH" {
		n++
		if (rx != tx) { printf "flush %d after %d writes, %d answered\n", n, rx, tx > "/dev/stderr"; bad = 1 }
	}
	END { print n + 0; exit bad }' "$1"
}

net_setup
f=$(mkfile e0.0 64M)

for mode in wcache plain; do
	info "target with ${mode/plain/no write cache}"
	log=$AOE_TMP/aoetgt-$mode.log
	if [ $mode = wcache ]; then
		aoetgt_start -i aoet0 -s 0 -l 0 -f "$f" --wcache --log "$log"
	else
		aoetgt_start -i aoet0 -s 0 -l 0 -f "$f" --log "$log"
	fi
	aoe_attach
	wc=$(cat "$(aoe_sys 0 0)/queue/write_cache")
	info "queue/write_cache: $wc"

	# Buffered writes then fsync (dd conv=fsync), several rounds.
	for i in 1 2 3; do
		dd if=/dev/urandom of="$dev" bs=64k count=32 seek=$((i * 64)) \
			conv=fsync status=none || fail "dd conv=fsync round $i"
	done
	n_fsync=$(flush_check "$log") || fail "a flush overtook a write ($mode)"
	# ext4 on top: sync after writing files.
	mkfs.ext4 -q -F "$dev"
	mkdir -p /mnt/w
	mount "$dev" /mnt/w
	dd if=/dev/urandom of=/mnt/w/a bs=64k count=64 status=none
	sync
	umount /mnt/w
	n_all=$(flush_check "$log") || fail "a flush overtook a write with ext4 ($mode)"
	info "$mode: flushes after fsync: $n_fsync, in all: $n_all"
	if [ $mode = wcache ]; then
		assert_eq "write back" "$wc" "write_cache with a cache"
		[ "$n_fsync" -ge 3 ] || fail "fsync sent $n_fsync flushes (expected >= 3)"
		[ "$n_all" -gt "$n_fsync" ] || fail "ext4 sync sent no flush"
	else
		assert_eq "write through" "$wc" "write_cache without a cache"
		assert_eq 0 "$n_all" "flushes sent to a target without a write cache"
	fi
	aoe_unload 60
	kill "$tpid"
	wait_for 10 none_alive "$tpid" || fail "aoetgt does not stop"
done
info "ok"
