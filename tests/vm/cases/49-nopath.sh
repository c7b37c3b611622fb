#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The interface that carries a disk's only path goes away while the disk is
# open: at once (not aoe_deadsecs later) the kernel log and
# /dev/etherd/err name the disk and the interface, and the state (so
# aoe-stat) reads "up,nopath"; the same for a lost carrier (the far end
# down). When the link is back the log says so, the state is "up" again, a
# read that waited meanwhile completes with the right data, and so does one
# after the carrier's return (vblade restarted if it died with its link).
# timeout: 300
# driver: ours
. /tests/lib.sh

net_setup
f=$(mkfile e0.0 16M)
vblade_start 0 0 aoet0 "$f"
aoe_attach
# The kernel log since the last mark (never cleared: the runner scans it).
mark() { mk="aoetest: 49 mark $RANDOM$RANDOM"; echo "$mk" >/dev/kmsg; }
klog_has() { dmesg | sed -n "/$mk/,\$p" | grep -q -- "$1"; }
dd if=/dev/urandom of="$dev" bs=1M count=2 oflag=direct status=none
want=$(md5_range "$dev" 1M 2)
exec 7<"$dev"

# err: one message per read; drain it now, read what the events add later.
errmsgs() { timeout 2 cat /dev/etherd/err 2>/dev/null || true; }
[ -c /dev/etherd/err ] || fail "no /dev/etherd/err"
errmsgs >/dev/null

check_lost() {	# check_lost HOW: after the link went away
	wait_for 5 klog_has "e0.0: no usable path: aoei0 is $1" ||
		fail "no 'no usable path: aoei0 is $1' in the kernel log within 5 s"
	aoe_state_is 0 0 up,nopath ||
		fail "state '$(aoe_state 0 0)', not up,nopath"
	aoe-stat | grep -q 'up,nopath' || fail "aoe-stat does not show up,nopath: $(aoe-stat)"
	info "aoe-stat: $(aoe-stat | tr -s ' ')"
}
check_back() {
	wait_for 10 klog_has "e0.0: reachable again through aoei0" ||
		fail "no 'reachable again' message"
	wait_for 10 aoe_state_is 0 0 up ||
		fail "state '$(aoe_state 0 0)' after the link came back"
}

info "our end down"
mark
ip link set aoei0 down
check_lost down
# A read waits for the path (aoe_deadsecs is 180 s).
dd if="$dev" of="$AOE_TMP/got" bs=1M count=2 iflag=direct status=none &
rd=$!
msgs=$(errmsgs)
echo "$msgs" | grep -q 'e0.0: no usable path: aoei0 is down' ||
	fail "/dev/etherd/err did not say it: '$msgs'"
ip link set aoei0 up
check_back
wait_for 60 none_alive "$rd" || fail "the read did not complete after the link came back"
wait "$rd" || fail "the read failed"
assert_eq "$want" "$(md5sum <"$AOE_TMP/got" | cut -d' ' -f1)" "data read across the outage"

info "far end down: our carrier goes"
mark
link_set aoet0 down
check_lost "without carrier"
link_set aoet0 up
check_back
# vblade's socket gets ENETDOWN when its interface goes down, and vblade
# exits on it: a target that comes back is a restarted one (it announces
# itself).
if [ -z "$(vblade_pids 0 0)" ]; then
	info "vblade exited with its interface; starting it again"
	vblade_start 0 0 aoet0 "$f" 7<&-	# it must not inherit our open disk
fi
assert_eq "$want" "$(md5_range "$dev" 1M 2)" "data after the carrier came back"
exec 7<&-
aoe_unload 60
info "ok"
