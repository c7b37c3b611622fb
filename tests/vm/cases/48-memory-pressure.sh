#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory pressure: with a memory hog pinning all but about 128 MiB of the
# guest's RAM (a full tmpfs: no swap, so it cannot be reclaimed), buffered
# writes of twice the memory left, through the page cache to an AoE
# disk, complete (writeback never stalls for the hung-task detector's 30 s,
# no oops or allocation-failure report), and every byte reads back as
# written (fio crc32c verify, then the device against vblade's file). Then
# the same with O_DIRECT writes at queue depth 32 while a second writer
# keeps the page cache full.
# timeout: 900
. /tests/lib.sh

net_setup 1500
disk=$(mkfile e0.0 96M)
# The target's file takes its memory now, before the hog measures.
dd if=/dev/zero of="$disk" bs=1M count=96 conv=notrunc status=none
vblade_start 0 0 aoet0 "$disk"
aoe_attach

leave_mb=128
avail=$(($(meminfo_kb MemAvailable) / 1024))
hog_mb=$((avail - leave_mb))
[ "$hog_mb" -gt 0 ] || skip "only ${avail} MiB available"
mkdir -p /mnt/hog
mount -t tmpfs -o size=$((hog_mb + 16))m tmpfs /mnt/hog
dd if=/dev/zero of=/mnt/hog/fill bs=1M count="$hog_mb" status=none ||
	fail "the hog could not take ${hog_mb} MiB"
info "hog holds ${hog_mb} MiB;" \
	"MemAvailable now $(($(meminfo_kb MemAvailable) / 1024)) MiB," \
	"MemFree $(($(meminfo_kb MemFree) / 1024)) MiB"

rx0=$(aoe_ctr 0 0 retransmits)
ns0=$(aoe_ctr 0 0 no_skb)
t0=$(uptime_s)
# Buffered: twice the memory left, through the page cache, each pass
# verified.
fio --name=buffered --filename="$dev" --rw=write --bs=256k --size=64M \
	--loops=4 --direct=0 --ioengine=psync --end_fsync=1 \
	--verify=crc32c --verify_fatal=1 --do_verify=1 \
	--output="$AOE_TMP/fio1.out" ||
	{ cat "$AOE_TMP/fio1.out"; fail "buffered fio verify failed under memory pressure"; }
grep -E "WRITE:|READ:" "$AOE_TMP/fio1.out" || true
info "buffered: 256 MiB written and verified in $(awk -v a="$t0" -v b="$(uptime_s)" \
	'BEGIN { printf "%.0f", b - a }') s"

# Direct at queue depth 32, while a buffered writer fills the page cache.
t0=$(uptime_s)
dd if=/dev/urandom of="$AOE_TMP/noise" bs=1M count=8 status=none
( while :; do
	dd if="$AOE_TMP/noise" of="$dev" bs=1M seek=88 count=8 status=none conv=fsync || exit 1
done ) &
noise=$!
fio --name=direct --filename="$dev" --rw=randwrite --bsrange=4k-128k \
	--blockalign=4k --size=64M --io_size=128M --direct=1 --ioengine=libaio \
	--iodepth=32 --verify=crc32c --verify_fatal=1 --do_verify=1 \
	--output="$AOE_TMP/fio2.out" ||
	{ kill "$noise" 2>/dev/null; cat "$AOE_TMP/fio2.out"; fail "direct fio verify failed under memory pressure"; }
kill "$noise" 2>/dev/null
wait "$noise" 2>/dev/null || true
grep -E "WRITE:|READ:" "$AOE_TMP/fio2.out" || true
info "direct: 128 MiB written and verified in $(awk -v a="$t0" -v b="$(uptime_s)" \
	'BEGIN { printf "%.0f", b - a }') s"
[ -z "$rx0" ] || info "during the test: $(($(aoe_ctr 0 0 retransmits) - rx0))" \
	"retransmits, $(($(aoe_ctr 0 0 no_skb) - ns0)) sends without memory for the frame"

# What the disk says is what the target stored.
drop_caches
assert_eq "$(md5_range "$disk" 1M 88)" "$(md5_range "$dev" 1M 88)" \
	"device vs vblade's file after the pressure"
umount /mnt/hog
aoe_unload 60
info "ok"
