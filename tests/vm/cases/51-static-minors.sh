#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# aoe_dyndevs=0: static minors (shelf*16+slot)*16, so the nodes that
# aoe-mkshelf and aoe-mkdevs make open the right disks; a slot >= 16 is
# refused with a log line. With dynamic minors the tools refuse to run.
# timeout: 300
# driver: ours
. /tests/lib.sh

net_setup
f1=$(mkfile e2.1 16M)
f5=$(mkfile e2.5 16M)
f20=$(mkfile e2.20 16M)
vblade_start 2 1 aoet0 "$f1"
vblade_start 2 5 aoet0 "$f5"
vblade_start 2 20 aoet0 "$f20"

aoe_load
mkdir -p "$AOE_TMP/nodes"
if aoe-mkshelf "$AOE_TMP/nodes" 2 2>/dev/null; then
	fail "aoe-mkshelf ran with dynamic minors"
fi
aoe_unload 60

aoe_load aoe_dyndevs=0
assert_eq 0 "$(cat /sys/module/aoe/parameters/aoe_dyndevs)" "aoe_dyndevs"
aoe_discover
wait_aoe_dev 30 2 1
wait_aoe_dev 30 2 5
assert_eq "152:$(( (2 * 16 + 1) * 16 ))" "$(cat "$(aoe_sys 2 1)/dev")" "e2.1 dev"
assert_eq "152:$(( (2 * 16 + 5) * 16 ))" "$(cat "$(aoe_sys 2 5)/dev")" "e2.5 dev"
dmesg_has() { dmesg | grep -q "$1"; }
wait_for 10 dmesg_has "e2.20: no static minor" ||
	fail "no log line for slot 20"
[ ! -e "$(aoe_sys 2 20)" ] || fail "e2.20 got a disk with static minors"

mkdir -p "$AOE_TMP/nodes"
aoe-mkshelf "$AOE_TMP/nodes" 2 || fail "aoe-mkshelf"
aoe-mkdevs "$AOE_TMP/devs" || fail "aoe-mkdevs"
for s in 1 5; do
	dd if=/dev/urandom of="$AOE_TMP/d$s" bs=4k count=8 status=none
	dd if="$AOE_TMP/d$s" of="$(aoe_dev 2 $s)" bs=4k oflag=direct status=none
	want=$(md5sum <"$AOE_TMP/d$s" | cut -d' ' -f1)
	assert_eq "$want" "$(md5_range "$AOE_TMP/nodes/e2.$s" 4k 8)" "e2.$s via aoe-mkshelf node"
	assert_eq "$want" "$(md5_range "$AOE_TMP/devs/e2.$s" 4k 8)" "e2.$s via aoe-mkdevs node"
done
[ -c "$AOE_TMP/devs/discover" ] || fail "aoe-mkdevs made no discover node"
echo >"$AOE_TMP/devs/discover" || fail "write to the mkdevs discover node"
aoe_unload 60
info "ok"
