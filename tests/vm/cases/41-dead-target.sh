#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A target that stops answering: with aoe_deadsecs=10, vblade frozen
# (SIGSTOP) under load makes every outstanding and new request fail within
# 10 s plus a retransmit timeout, nothing hangs, the state reads "down" (and
# ",closewait" while open); after SIGCONT and a discover the device is up
# again and data written before the freeze reads back. Then twenty
# freeze / kill-and-restart cycles in a row with aoe_deadsecs=3. Then with
# aoe_deadsecs=0 a read waits through a 20 s freeze and completes.
# timeout: 600
. /tests/lib.sh

net_setup
f=$(mkfile e0.0 32M)
vblade_start 0 0 aoet0 "$f"
aoe_attach aoe_deadsecs=10

dd if=/dev/urandom of="$AOE_TMP/before" bs=1M count=4 status=none
dd if="$AOE_TMP/before" of="$dev" bs=1M oflag=direct status=none
want=$(md5sum <"$AOE_TMP/before" | cut -d' ' -f1)

# Load: a writer that keeps the device open and busy until it gets an error.
writer() {
	while dd if=/dev/zero of="$dev" bs=64k seek=128 count=64 oflag=direct \
		status=none 2>"$AOE_TMP/dd.err"; do
		echo x >>"$AOE_TMP/dd.rounds"
	done
	return 1
}
writer &
ddpid=$!
wait_for 20 test -s "$AOE_TMP/dd.rounds" || fail "writer makes no progress"
pid=$(vblade_pids 0 0)
t0=$(now_cs)
kill -STOP $pid
info "vblade $pid frozen"
wait_for 40 aoe_state_is 0 0 "down*" || fail "state not down 40 s after freeze"
if wait "$ddpid"; then
	fail "writer succeeded although the target was frozen"
fi
t1=$(now_cs)
el=$(( (t1 - t0) / 100 ))
info "writer failed after ${el}s: $(tail -n1 "$AOE_TMP/dd.err")"
# 10 s dead timeout + the longest retransmit timeout (5 s) + slack.
[ "$el" -le 20 ] || fail "outstanding I/O took ${el}s to fail (limit 20)"
# New I/O fails at once.
t0=$(now_cs)
if dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null; then
	fail "read on a down device succeeded"
fi
el=$(( ($(now_cs) - t0) / 100 ))
[ "$el" -le 2 ] || fail "new I/O on a down device took ${el}s to fail"
exec 7<"$dev"
aoe_state_is 0 0 "down,closewait" ||
	fail "state while open is '$(aoe_state 0 0)'"
exec 7<&-

kill -CONT $pid
aoe_discover
wait_for 30 aoe_state_is 0 0 up ||
	fail "device not up after SIGCONT and discover"
drop_caches
assert_eq "$want" "$(md5_range "$dev" 1M 4)" "data written before the freeze"

echo 3 >/sys/module/aoe/parameters/aoe_deadsecs
for i in $(seq 1 20); do
	pid=$(vblade_pids 0 0)
	if [ $((i % 2)) -eq 1 ]; then
		kill -STOP $pid
	else
		vblade_stop 0 0
	fi
	dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none 2>/dev/null &
	rd=$!
	wait_for 30 aoe_state_is 0 0 "down*" || fail "cycle $i: not down"
	wait_for 30 none_alive $rd || fail "cycle $i: reader hangs on a down device"
	if [ $((i % 2)) -eq 1 ]; then
		kill -CONT $pid
		aoe_discover
	else
		# A restarted vblade announces itself: no discover needed.
		vblade_start 0 0 aoet0 "$f"
	fi
	wait_for 30 aoe_state_is 0 0 up || fail "cycle $i: not up again"
done
drop_caches
assert_eq "$want" "$(md5_range "$dev" 1M 4)" "data after 20 cycles"

# aoe_deadsecs=0 retries for ever: a read stays pending while vblade is
# frozen for 20 s (twice the dead timeout above), the device stays up, and
# the read completes with the right data after SIGCONT.
echo 0 >/sys/module/aoe/parameters/aoe_deadsecs
drop_caches
pid=$(vblade_pids 0 0)
kill -STOP $pid
dd if="$dev" of="$AOE_TMP/late" bs=1M count=4 iflag=direct status=none &
rd=$!
info "aoe_deadsecs=0: the read must still be pending in 20 s"
if wait_for 20 none_alive $rd; then
	fail "read ended while the target was frozen, with aoe_deadsecs=0"
fi
aoe_state_is 0 0 up || fail "state '$(aoe_state 0 0)' with aoe_deadsecs=0"
kill -CONT $pid
wait_for 60 none_alive $rd || fail "read still pending 60 s after SIGCONT"
wait $rd || fail "the read failed after SIGCONT"
assert_eq "$want" "$(md5sum <"$AOE_TMP/late" | cut -d' ' -f1)" \
	"data read across a 20 s freeze"
aoe_unload 60
info "ok"
