#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# AoE error answers act at once instead of waiting for the dead timeout
# (aoe_deadsecs=60 here). aoetgt on the second link answers every read of
# e0.0 with the AoE error flag and a code; writes it serves.
# - Codes 3 (device unavailable) and 6 (reserved): alone, a read fails in
#   under 20 s, with EIO for 3 and with the reservation-conflict status
#   (EBADE, "Invalid exchange") for 6; once vblade serves the same file as
#   e0.0 on the first
#   link, every read succeeds with the right data, redirected to vblade, and
#   the redirects counter moves.
# - Code 2 (bad argument): a read fails with EIO even with vblade there.
# Every case is logged to the kernel log and counted per code.
# timeout: 600
# driver: ours
. /tests/lib.sh

stats=$(aoe_stats 0 0)

net_setup
net_setup2
f=$(mkfile e0.0 16M)
dd if=/dev/urandom of="$f" bs=1M count=16 conv=notrunc status=none
dev=$(aoe_dev 0 0)

two_targets() {
	[ "$(grep -c '^target ' "$stats")" -ge 2 ]
}

for code in 3 6 2; do
	info "== AoE error $code for reads"
	aoetgt_start -i aoet1 -s 0 -l 0 -f "$f" --aoe-error "$code@read"
	aoe_load aoe_deadsecs=60
	aoe_discover
	wait_aoe_dev 30 0 0
	[ -r "$stats" ] || fail "no $stats"
	if [ "$code" = 6 ]; then
		read_fails "error 6, one target" 20 "$dev" 64k 8 1 "Invalid exchange"
		logline="e0.0: reserved by another host"
	else
		read_fails "error $code, one target" 20 "$dev" 64k 8 1
		logline="e0.0: AoE error $code"
	fi
	# Writes are served by the same target.
	dd if="$f" of="$dev" bs=64k count=4 seek=16 skip=16 oflag=direct \
		status=none || fail "write failed on the erring target"
	[ "$(aoe_ctr 0 0 "aoe_error_$code")" -ge 1 ] ||
		fail "aoe_error_$code not counted: $(cat "$stats")"
	dmesg | grep -q "$logline" ||
		fail "no kernel log line '$logline'"

	vblade_start 0 0 aoet0 "$f"
	aoe_discover
	wait_for 30 two_targets || fail "vblade not seen as a second target"
	r0=$(aoe_ctr 0 0 redirects)
	if [ "$code" = 2 ]; then
		read_fails "error 2, two targets" 20 "$dev" 64k 8 1
	else
		drop_caches
		a=$(md5_range "$dev" 1M 16) ||
			{ cat "$stats"; fail "reading through two targets failed"; }
		b=$(md5_range "$f" 1M 16)
		assert_eq "$b" "$a" "16 MiB read through two targets, one erring"
		r1=$(aoe_ctr 0 0 redirects)
		info "redirects $r0 -> $r1," \
			"aoe_error_$code $(aoe_ctr 0 0 "aoe_error_$code")"
		[ "$r1" -gt "$r0" ] || fail "no redirect counted"
	fi
	cat "$stats"
	aoe_unload 60
	vblade_stop 0 0
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
done
info "ok"
