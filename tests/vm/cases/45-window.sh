#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The window keeps a target busy without overrunning it, and tells a late
# answer from a lost frame.
#
# 1. vblade (buffer count 16), clean link, fio at queue depth 32 (random
#    write with crc32c verify, random read, 1 MiB sequential write at depth
#    8): never more than 16 frames outstanding to it, and its packet socket
#    drops nothing (the socket's drop count, read with ss through
#    packet_diag; not on a kernel without it). Retransmits, late and
#    spurious answers are printed.
# 2. aoetgt sending 2% of its answers 300 ms late, no loss: fio verify
#    passes; the late answers are recognised as spurious retransmissions
#    (their window cut undone, their round trip sampled), and the target
#    is marked as one that answers out of order (vblade in 1 is not).
# timeout: 600
# driver: ours
. /tests/lib.sh

stats=$(aoe_stats 0 0)

# Drop count of the target's packet sockets (the d field of skmem), summed;
# fails if ss cannot show it.
target_drops() {
	tgt ss -0 -a -m -p 2>/dev/null | awk '
		/skmem:/ {
			if (match($0, /,d[0-9]+\)/)) {
				d += substr($0, RSTART + 2, RLENGTH - 3); n++
			}
		}
		END { if (!n) exit 1; print d }'
}

# Debian's kernels have packet_diag as a module; a kernel without it
# (the debug kernel's small config) cannot show the drop count.
diag=1
modprobe af_packet_diag 2>/dev/null || diag=0
net_setup 1500
f=$(mkfile e0.0 64M)
vblade_start 0 0 aoet0 "$f"
aoe_attach
[ -r "$stats" ] || fail "no $stats"
bufcnt=$(aoe_ctr 0 0 bufcnt)
assert_eq 16 "$bufcnt" "vblade's buffer count"
drops_now() { if [ $diag = 1 ]; then target_drops; else echo 0; fi; }
[ $diag = 1 ] ||
	info "no packet_diag in this kernel: the target's drops are not measured"
d0=$(drops_now) || { tgt ss -0 -a -m -p; fail "ss shows no drop count for the target's sockets"; }

fio_run() {
	local name=$1
	shift
	fio --name="$name" --filename="$dev" --ioengine=libaio --direct=1 \
		--output="$AOE_TMP/fio.out" "$@" ||
		{ cat "$AOE_TMP/fio.out"; fail "fio $name failed"; }
	grep -E "WRITE:|READ:|IOPS" "$AOE_TMP/fio.out" | head -n 4 || true
}

fio_run randwrite-verify --rw=randwrite --bs=4k --iodepth=32 --size=16M \
	--verify=crc32c --verify_fatal=1 --do_verify=1 --randseed=45
fio_run randread --rw=randread --bs=4k --iodepth=32 --size=48M \
	--time_based --runtime=8
fio_run seqwrite --rw=write --bs=1M --iodepth=8 --size=48M
cat "$stats"
d1=$(drops_now) || fail "ss shows no drop count for the target's sockets"
maxout=$(aoe_ctr 0 0 max_outstanding)
info "vblade: sent $(aoe_ctr 0 0 frames_sent)," \
	"retransmits $(aoe_ctr 0 0 retransmits), late $(aoe_ctr 0 0 late)," \
	"spurious $(aoe_ctr 0 0 spurious), most outstanding $maxout," \
	"target socket drops $((d1 - d0))"
[ -n "$maxout" ] || fail "no max_outstanding in $stats"
[ "$maxout" -le "$bufcnt" ] ||
	fail "$maxout frames outstanding, above the buffer count $bufcnt"
[ "$maxout" -ge $((bufcnt / 2)) ] ||
	fail "at most $maxout frames outstanding: the window never opened"
assert_eq 0 $((d1 - d0)) "frames the target's socket dropped"
assert_eq 0 "$(aoe_ctr 0 0 reorders)" "vblade taken for a target that reorders"
aoe_unload 60
vblade_stop 0 0

# 2. Late answers.
aoetgt_start -i aoet0 -s 0 -l 0 -f "$f" --slow 2 --slow-ms 300 --seed 45
aoe_load aoe_deadsecs=60
aoe_discover
wait_aoe_dev 30 0 0
fio_run slow-verify --rw=randwrite --bs=4k --iodepth=16 --size=8M \
	--verify=crc32c --verify_fatal=1 --do_verify=1 --randseed=46
cat "$stats"
rto=$(aoe_ctr 0 0 rto_us)
info "aoetgt, 2% answers 300 ms late:" \
	"retransmits $(aoe_ctr 0 0 retransmits), late $(aoe_ctr 0 0 late)," \
	"spurious $(aoe_ctr 0 0 spurious), rto_us $rto"
[ "$(aoe_ctr 0 0 spurious)" -ge 1 ] ||
	fail "no late answer recognised as spurious"
[ "$(aoe_ctr 0 0 spurious)" -le "$(aoe_ctr 0 0 retransmits)" ] ||
	fail "more spurious answers than retransmits"
# An answer 300 ms late comes after answers to frames sent after it.
assert_eq 1 "$(aoe_ctr 0 0 reorders)" "aoetgt --slow seen answering out of order"
aoe_unload 60
kill "$tpid" 2>/dev/null
wait "$tpid" 2>/dev/null
cat "$AOE_TMP/aoetgt.out"
grep -q "slowed [1-9]" "$AOE_TMP/aoetgt.out" || fail "aoetgt slowed nothing"
info "ok"
