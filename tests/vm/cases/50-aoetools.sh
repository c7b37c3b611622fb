#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The unmodified aoetools against the module: aoe-discover and aoe-stat
# (compared line by line with the stock aoe.ko on the same targets),
# aoe-version, aoe-interfaces, aoe-revalidate after the disk grew,
# aoe-flush (one device, exactly that one, busy, -a), the err device
# without blocking, and hostile writes to every character device.
# timeout: 600
# driver: ours
. /tests/lib.sh

net_setup
f0=$(mkfile e0.0 64M)
f1=$(mkfile e0.1 32M)
f10=$(mkfile e0.10 16M)
vblade_start 0 0 aoet0 "$f0"
vblade_start 0 1 aoet0 "$f1"
vblade_start 0 10 aoet0 "$f10"
aoe_load

all_up() { for s in 0 1 10; do aoe_dev_ready 0 $s || return 1; done; }
aoe_discover
wait_for 30 all_up || fail "not all of e0.0 e0.1 e0.10 appeared"

aoe-stat >"$AOE_TMP/stat" 2>"$AOE_TMP/stat.err" || fail "aoe-stat failed"
cat "$AOE_TMP/stat"
[ ! -s "$AOE_TMP/stat.err" ] || { cat "$AOE_TMP/stat.err"; fail "aoe-stat warned"; }
assert_eq 3 "$(wc -l <"$AOE_TMP/stat")" "aoe-stat lines"
grep -qE '^ +e0\.0 +0\.067GB +aoei0 +1024 +up *$' "$AOE_TMP/stat" ||
	fail "aoe-stat line for e0.0 not as expected"

info "aoe-version"
aoe-version | tee "$AOE_TMP/version"
grep -q "100.0.0" "$AOE_TMP/version" || fail "aoe-version does not show 100.0.0"

info "aoe-interfaces"
aoe-interfaces aoei0 || fail "aoe-interfaces aoei0"
assert_eq aoei0 "$(cat /sys/module/aoe/parameters/aoe_iflist)" "aoe_iflist"
case $(aoe-interfaces) in *aoei0*) ;; *) fail "aoe-interfaces does not print aoei0" ;; esac
aoe-interfaces -c || fail "aoe-interfaces -c"
assert_eq "" "$(cat /sys/module/aoe/parameters/aoe_iflist)" "aoe_iflist after -c"
printf 'aoei0,aoei7\0' >/dev/etherd/interfaces || fail "write to the interfaces device"
assert_eq "aoei0 aoei7" "$(cat /sys/module/aoe/parameters/aoe_iflist)" "list from the device"
aoe-interfaces -c

info "aoe-revalidate after the target grew"
vblade_stop 0 0
truncate -s 96M "$f0"
vblade_start 0 0 aoet0 "$f0"
aoe-revalidate e0.0 || fail "aoe-revalidate e0.0"
size_is() { [ "$(cat "$(aoe_sys 0 0)/size")" = "$1" ]; }
wait_for 20 size_is 196608 || fail "size after revalidate: $(cat "$(aoe_sys 0 0)/size")"
if echo e9.9 >/dev/etherd/revalidate 2>/dev/null; then
	fail "revalidate of an unknown device succeeded"
fi

info "aoe-flush"
gone() { [ ! -e "$(aoe_sys "$1" "$2")" ]; }
aoe-flush e0.1 || fail "aoe-flush e0.1"
wait_for 10 gone 0 1 || fail "e0.1 still there after aoe-flush e0.1"
aoe_dev_ready 0 10 || fail "aoe-flush e0.1 took e0.10 too"
exec 7<"$(aoe_dev 0 0)"
if printf e0.0 >/dev/etherd/flush 2>/dev/null; then
	fail "flush of an open device succeeded"
fi
aoe_dev_ready 0 0 || fail "e0.0 flushed although open"
exec 7<&-
aoe-flush -a || fail "aoe-flush -a"
wait_for 10 gone 0 0 || fail "e0.0 still there after aoe-flush -a"
gone 0 10 || fail "e0.10 still there after aoe-flush -a"
aoe_discover
wait_for 30 all_up || fail "devices not back after aoe-discover"

info "err device"
# Drain what is queued, then a non-blocking read must say EAGAIN.
for _ in $(seq 1 100); do
	dd if=/dev/etherd/err of=/dev/null bs=256 count=1 iflag=nonblock \
		status=none 2>"$AOE_TMP/err.dd" || break
done
grep -q "Resource temporarily unavailable" "$AOE_TMP/err.dd" ||
	fail "non-blocking read of an empty err device: $(cat "$AOE_TMP/err.dd")"

info "hostile writes to the character devices"
head -c 4096 /dev/urandom >"$AOE_TMP/rand"
long=$(printf 'e%.0s1' $(seq 1 3000))
for d in discover interfaces revalidate flush err; do
	n=/dev/etherd/$d
	: >"$n" 2>/dev/null || true
	printf x >"$n" 2>/dev/null || true
	cat "$AOE_TMP/rand" >"$n" 2>/dev/null || true
	printf e0.0 >"$n" 2>/dev/null || true
	printf '%s' "$long" >"$n" 2>/dev/null || true
	printf 'e0.0\n\n\0\0' >"$n" 2>/dev/null || true
	printf '65535.255' >"$n" 2>/dev/null || true
	printf 'e99999999999999999999.1' >"$n" 2>/dev/null || true
done
aoe-interfaces -c
aoe_discover
wait_for 30 all_up || fail "devices not usable after hostile writes"
dd if=/dev/urandom of="$AOE_TMP/blk" bs=64k count=16 status=none
dd if="$AOE_TMP/blk" of="$(aoe_dev 0 0)" bs=64k oflag=direct status=none
assert_eq "$(md5_range "$AOE_TMP/blk" 64k 16)" "$(md5_range "$(aoe_dev 0 0)" 64k 16)" \
	"read back after hostile writes"

if [ ! -f /stock/aoe.ko ]; then
	# A kernel built here (the debug kernel) has no aoe of its own.
	info "no stock aoe.ko on this kernel: no comparison"
	aoe_unload 60
	exit 0
fi
info "aoe-stat against the stock driver"
aoe-stat >"$AOE_TMP/stat.ours" 2>&1
aoe_unload 60
insmod /stock/aoe.ko || fail "insmod /stock/aoe.ko"
aoe_discover
wait_for 30 all_up || fail "stock driver: devices did not appear"
aoe-stat >"$AOE_TMP/stat.stock" 2>&1
rmmod aoe
diff -u "$AOE_TMP/stat.stock" "$AOE_TMP/stat.ours" || fail "aoe-stat differs from the stock driver's"
info "ok"
