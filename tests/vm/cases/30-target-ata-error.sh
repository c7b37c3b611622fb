#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An ATA error from the target fails the request at once: aoetgt serves
# e0.0 and answers every command touching one sector with status 0x51
# (DRDY|ERR), error 0x04 (ABRT). Reading that sector with O_DIRECT fails
# with an I/O error well before aoe_deadsecs (60 here: < 20 s), as does a
# read spanning it; the sectors next to it read fine and match the backing
# file; the device stays up.
# timeout: 240
. /tests/lib.sh

bad=5000	# away from what the partition scan reads

net_setup
f=$(mkfile e0.0 16M)
dd if=/dev/urandom of="$f" bs=1M count=16 conv=notrunc status=none
aoetgt_start -i aoet0 -s 0 -l 0 -f "$f" --ata-error "$bad" \
	--log "$AOE_TMP/aoetgt.log"
aoe_attach aoe_deadsecs=60
assert_eq "$(file_sectors "$f")" "$(cat "$(aoe_sys 0 0)/size")" "size in sectors"

# Reading the sector, or 4 KiB spanning it, fails with EIO in under 20 s
# (aoe_deadsecs is 60).
read_fails "sector $bad" 20 "$dev" 512 "$bad" 1
read_fails "4 KiB spanning sector $bad" 20 "$dev" 512 $((bad - 3)) 8

for s in $((bad - 1)) $((bad + 1)) $((bad - 8)) $((bad + 2)); do
	assert_eq "$(md5_range "$f" 512 1 "$s")" "$(md5_range "$dev" 512 1 "$s")" \
		"sector $s read through e0.0"
done
assert_eq "$(md5_range "$f" 4096 4)" "$(md5_range "$dev" 4096 4)" \
	"first 16 KiB read through e0.0"

aoe_state_is 0 0 'up*' ||
	fail "e0.0 state is '$(aoe_state 0 0)' after an ATA error, not up"

# The target saw the reads of the bad sector and failed them itself.
grep -E " TX READ .* lba=$bad .*st=51 err=04" "$AOE_TMP/aoetgt.log" >/dev/null ||
	fail "aoetgt's log has no failed READ at lba $bad"
info "aoetgt answered $(grep -c ' TX READ .*st=51' "$AOE_TMP/aoetgt.log") read(s) with ABRT"
aoe_unload 60
info "ok"
