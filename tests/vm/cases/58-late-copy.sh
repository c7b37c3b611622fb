#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A resent write's first copy, carried out late by a port that stalled,
# never brings old data back. One disk, two ports (aoetgt on aoet0 and on
# aoet1, one file: a two-port shelf); port A stops serving for 500 ms
# before 2% of the writes it gets, keeping what waits in order, as a starved
# target does. The driver resends such a write to port B, which answers at
# once; had the write completed then, the next write to the same block
# could be overwritten by A's copy when A wakes up. fio rewrites a 1 MiB
# region in 4 KiB blocks at queue depth 1 (never two writes to one block in
# flight) and verifies the last write of every block; the device and the
# file must also agree.
# timeout: 600
. /tests/lib.sh

net_setup 1500
net_setup2 1500
f=$(mkfile e0.0 16M)
aoetgt_start -i aoet0 -s 0 -l 0 -f "$f" --stall 2 --stall-ms 500 --seed 58
ta=$tpid
mv "$AOE_TMP/aoetgt.out" "$AOE_TMP/aoetgt-a.out"
aoetgt_start -i aoet1 -s 0 -l 0 -f "$f"
tb=$tpid
aoe_attach aoe_deadsecs=60
wait_for 20 aoe_netif_has 0 0 aoei0 aoei1 ||
	fail "netif is '$(aoe_netif 0 0)'"

fio --name=rewrite --filename="$dev" --ioengine=libaio --direct=1 \
	--rw=randwrite --bs=4k --iodepth=1 --size=1M --io_size=4M \
	--norandommap --randseed=58 --verify=crc32c --verify_fatal=1 \
	--do_verify=1 --output="$AOE_TMP/fio.out" ||
	{ cat "$AOE_TMP/fio.out"; fail "fio verify found old data"; }
grep -E "WRITE:|READ:" "$AOE_TMP/fio.out" || true
drop_caches
assert_eq "$(md5_range "$f" 1M 1)" "$(md5_range "$dev" 1M 1)" \
	"the region on the device and in the file"

kill "$ta" "$tb"
wait_for 10 none_alive "$ta" "$tb" || fail "aoetgt did not exit"
cat "$AOE_TMP/aoetgt-a.out"
stalls=$(sed -n 's/.* stalled \([0-9]*\).*/\1/p' "$AOE_TMP/aoetgt-a.out")
[ "${stalls:-0}" -ge 5 ] || fail "port A stalled only ${stalls:-0} times"
held=$(aoe_ctr 0 0 held)
info "port A stalled $stalls times; retransmits $(aoe_ctr 0 0 retransmits)," \
	"late $(aoe_ctr 0 0 late), writes held for a late copy ${held:-n/a}"
aoe_unload 60
info "ok"
