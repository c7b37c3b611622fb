#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's fast target (tests/tools/aoefast) stores and returns data
# correctly: three addresses from one file, two worker threads that split
# each address's frames by LBA stripe, as in the benchmark; fio verify on
# two of the disks at once; each disk's slice of the file holds what
# the disk reads back, the third disk stays untouched; the target dropped
# nothing and reports its figures.
# timeout: 600
. /tests/lib.sh

slice_mb=16
net_setup 9000
f=$(mkfile fast.img $((3 * slice_mb))M)
aoefast_start -i aoet0 -f "$f" -a 0.0 -n 3 -t 2 -b 32 --fanout lba
aoe_load
aoe_discover
for s in 0 1 2; do
	wait_aoe_dev 30 0 "$s"
done
sectors=$(cat "$(aoe_sys 0 1)/size")
assert_eq $((slice_mb * 2048)) "$sectors" "e0.1's size in sectors"

verify() {	# verify SLOT QD
	fio --name="e0.$1" --filename="$(aoe_dev 0 "$1")" --ioengine=libaio \
		--direct=1 --rw=randwrite --bsrange=512-128k --blockalign=512 \
		--iodepth="$2" --size=12M --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --randseed="$1" --output="$AOE_TMP/fio-$1.out"
}
verify 1 32 &
p1=$!
verify 2 8 &
p2=$!
wait "$p1" || { cat "$AOE_TMP/fio-1.out"; fail "fio verify on e0.1 failed"; }
wait "$p2" || { cat "$AOE_TMP/fio-2.out"; fail "fio verify on e0.2 failed"; }
grep -h -E "WRITE:|READ:" "$AOE_TMP"/fio-*.out || true

drop_caches
for s in 1 2; do
	a=$(md5_range "$(aoe_dev 0 "$s")" 1M "$slice_mb")
	b=$(md5_range "$f" 1M "$slice_mb" $((s * slice_mb)))
	assert_eq "$b" "$a" "e0.$s against its slice of the file"
done
zero=$(head -c $((slice_mb << 20)) /dev/zero | md5sum | cut -d' ' -f1)
assert_eq "$zero" "$(md5_range "$f" 1M "$slice_mb")" "e0.0's slice (nobody wrote it)"

kill -TERM "$tpid"
wait_for 10 none_alive "$tpid" || fail "aoefast did not exit"
cat "$AOE_TMP/aoefast.out"
sum=$(grep '^aoefast exit:' "$AOE_TMP/aoefast.out") || fail "no summary from aoefast"
case $sum in
*"kernel drops 0,"*"send errors 0") ;;
*) fail "aoefast dropped or failed frames: $sum" ;;
esac
aoe_unload 60
info "ok"
