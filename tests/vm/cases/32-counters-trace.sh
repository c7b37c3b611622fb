#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Operator visibility: the debugfs counters move as expected under netem
# loss (frames sent, responses, retransmits, late answers), and the aoe
# tracepoints exist in tracefs and record frames during fio.
# timeout: 300
# driver: ours
. /tests/lib.sh

net_setup
f=$(mkfile e0.0 32M)
vblade_start 0 0 aoet0 "$f"
aoe_attach

dbg=/sys/kernel/debug
[ -d $dbg/aoe ] || mount -t debugfs none $dbg 2>/dev/null || true
stats=$(aoe_stats 0 0)
[ -r "$stats" ] || fail "no $stats"

s0=$(aoe_ctr 0 0 frames_sent)
r0=$(aoe_ctr 0 0 retransmits)
netem loss 10%
dd if=/dev/urandom of="$dev" bs=64k count=64 oflag=direct status=none
dd if="$dev" of=/dev/null bs=64k count=64 iflag=direct status=none
netem_clear
cat "$stats"
s1=$(aoe_ctr 0 0 frames_sent)
r1=$(aoe_ctr 0 0 retransmits)
info "frames_sent $s0 -> $s1, retransmits $r0 -> $r1"
# 8 MiB in 1 KiB frames: at least 8192 frames each way.
[ $((s1 - s0)) -ge 8192 ] || fail "frames_sent moved by $((s1 - s0))"
[ $((r1 - r0)) -gt 0 ] || fail "no retransmit counted under 10% loss"
[ "$(aoe_ctr 0 0 responses)" -ge 8192 ] ||
	fail "responses: $(aoe_ctr 0 0 responses)"
grep -q "^  cwnd [0-9]" "$stats" || fail "no per-target cwnd line"
grep -q "^  srtt_us [1-9]" "$stats" || fail "no RTT estimate"
grep -q "^orphan_responses" $dbg/aoe/global || fail "no global counters"

tr=/sys/kernel/tracing
[ -d $tr/events ] || tr=$dbg/tracing
[ -d $tr/events ] || mount -t tracefs none /sys/kernel/tracing 2>/dev/null || true
[ -d $tr/events/aoe ] || fail "no aoe events in $tr/events"
for e in aoe_xmit aoe_rsp aoe_rexmit aoe_state; do
	[ -d $tr/events/aoe/$e ] || fail "no tracepoint aoe:$e"
done
echo >$tr/trace
echo 1 >$tr/events/aoe/aoe_xmit/enable
echo 1 >$tr/events/aoe/aoe_rsp/enable
fio --name=tr --filename="$dev" --ioengine=libaio --direct=1 --rw=randread \
	--bs=4k --iodepth=4 --size=4M --output="$AOE_TMP/fio.out" || fail "fio"
echo 0 >$tr/events/aoe/enable
n=$(grep -c "aoe_xmit: e0.0 tag=" $tr/trace || true)
m=$(grep -c "aoe_rsp: e0.0 tag=" $tr/trace || true)
info "trace: $n aoe_xmit, $m aoe_rsp"
[ "$n" -ge 1024 ] || fail "only $n aoe_xmit events for 4 MiB of reads"
[ "$m" -ge 1024 ] || fail "only $m aoe_rsp events"
grep -m1 "aoe_xmit" $tr/trace
aoe_unload 60
info "ok"
