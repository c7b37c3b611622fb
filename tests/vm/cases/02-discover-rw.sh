#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three vblade exports are discovered with the right sizes; 8 MiB of random
# data written with O_DIRECT to e0.0 reads back identical through the driver
# (after dropping caches) and is in the target's backing file.
# timeout: 240
. /tests/lib.sh

net_setup
f0=$(mkfile e0.0 64M)
f1=$(mkfile e0.1 32M)
f2=$(mkfile e0.2 16M)
vblade_start 0 0 aoet0 "$f0"
vblade_start 0 1 aoet0 "$f1"
vblade_start 0 2 aoet0 "$f2"

aoe_load
aoe_discover
for s in 0 1 2; do
	wait_aoe_dev 30 0 "$s"
done
aoe-stat || fail "aoe-stat failed"

for s in 0 1 2; do
	want=$(file_sectors "$AOE_TMP/e0.$s")
	got=$(cat "$(aoe_sys 0 "$s")/size")
	assert_eq "$want" "$got" "size of e0.$s in sectors"
	got=$(blockdev --getsize64 "$(aoe_dev 0 "$s")")
	assert_eq $((want * 512)) "$got" "blockdev --getsize64 of e0.$s"
done
aoe_state_is 0 0 'up*' ||
	fail "e0.0 state is '$(aoe_state 0 0)', not up"

dd if=/dev/urandom of="$AOE_TMP/data" bs=1M count=8 status=none
want=$(md5sum <"$AOE_TMP/data" | cut -d' ' -f1)
info "writing 8 MiB ($want) to e0.0 with O_DIRECT"
dd if="$AOE_TMP/data" of="$(aoe_dev 0 0)" bs=1M oflag=direct conv=fsync status=none
drop_caches

got=$(md5_range "$(aoe_dev 0 0)" 1M 8)
assert_eq "$want" "$got" "md5 of 8 MiB read back from e0.0"
# Same bytes on the target side (vblade writes with pwrite, no cache of its own).
got=$(md5_range "$f0" 1M 8)
assert_eq "$want" "$got" "md5 of the first 8 MiB of e0.0's backing file"
# Nothing written past the data.
got=$(md5_range "$(aoe_dev 0 0)" 1M 8 8)
zero=$(dd if=/dev/zero bs=1M count=8 status=none | md5sum | cut -d' ' -f1)
assert_eq "$zero" "$got" "md5 of e0.0's next 8 MiB (never written)"

aoe_unload 60
info "ok"
