#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A disk larger than 2^28 sectors (LBA28's limit) is addressed with LBA48:
# its full size shows, and data written at its last sectors reads back and
# lands at the right offset of the backing file.
# timeout: 300
. /tests/lib.sh

net_setup
f=$(mkfile big 130G)
vblade_start 1 0 aoet0 "$f"
aoe_load
aoe_discover
wait_aoe_dev 30 1 0
dev=$(aoe_dev 1 0)
sectors=$(file_sectors "$f")
[ "$sectors" -gt $((1 << 28)) ] || fail "backing file too small for the test"
assert_eq "$sectors" "$(cat "$(aoe_sys 1 0)/size")" "size in sectors"

head -c 4096 /dev/urandom >"$AOE_TMP/tail"
want=$(md5sum <"$AOE_TMP/tail" | cut -d' ' -f1)
last=$((sectors - 8))
dd if="$AOE_TMP/tail" of="$dev" bs=512 seek="$last" oflag=direct status=none ||
	fail "write at sector $last"
drop_caches
assert_eq "$want" "$(md5_range "$dev" 512 8 "$last")" "read back of the last 8 sectors"
assert_eq "$want" "$(md5_range "$f" 512 8 "$last")" "backing file at the last 8 sectors"
# Just past 2^28 sectors too, where LBA28 would wrap around to sector 0.
mid=$(((1 << 28) + 16))
dd if="$AOE_TMP/tail" of="$dev" bs=512 seek="$mid" oflag=direct status=none
assert_eq "$want" "$(md5_range "$f" 512 8 "$mid")" "backing file past 2^28"
zero=$(dd if=/dev/zero bs=512 count=8 status=none | md5sum | cut -d' ' -f1)
assert_eq "$zero" "$(md5_range "$f" 512 8 16)" "sector 16 untouched (no wrap)"
aoe_unload 60
info "ok"
