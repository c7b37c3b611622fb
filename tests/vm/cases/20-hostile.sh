#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Robustness against malformed and adversarial frames. vblade exports e0.0;
# once the driver has it, aoehostile (netns tgt, aimed at aoei0's MAC) runs
# all its modes for at most 45 s while O_DIRECT reads of e0.0 go on, so that
# it has live tags to answer late, twice, from a wrong MAC, short, with a
# wrong sector count. It also serves e7.7 itself with IDENTIFY sizes 0 and
# 2^48-1, and floods config answers for 12000 made-up shelf.slot addresses.
# Afterwards: e0.0 is still up and a written block reads back identical (and
# is in the backing file), the aoe disks in /sys/block are at most
# aoe_maxdevs, Slab grew by less than 8 MiB (with aoe_maxdevs at its
# default, 1024: a device never identified must cost little), and the
# module unloads within 60 s. The runner fails the test on any kernel
# warning.
# timeout: 300
. /tests/lib.sh

command -v aoehostile >/dev/null ||
	fail "no aoehostile in the VM (tests/tools is not in the initramfs)"

net_setup
f=$(mkfile e0.0 64M)
# Known data where the background reads go, to count foreign data.
dd if=/dev/urandom of="$f" bs=1M count=4 conv=notrunc status=none
vblade_start 0 0 aoet0 "$f"
aoe_attach
imac=$(cat /sys/class/net/aoei0/address)
# (the stock driver has no such parameter: its bound is taken as 1024 too)
maxdevs=$(cat /sys/module/aoe/parameters/aoe_maxdevs 2>/dev/null || echo 1024)

slab0=$(slab_kb)
info "Slab before: $slab0 kB; aoe_maxdevs $maxdevs; initiator MAC $imac"

# Background O_DIRECT reads of the first 4 MiB; each block's md5 is compared
# with the file's, only to report reads that returned foreign data (an
# answer from aoehostile that won the race against vblade's).
want=$AOE_TMP/want.md5
for i in 0 1 2 3; do
	md5_range "$f" 1M 1 "$i" >>"$want"
done
reader() {
	local n=0 bad=0 err=0 i got
	while [ ! -e "$AOE_TMP/stop" ]; do
		i=$((n % 4))
		if got=$(md5_range "$dev" 1M 1 "$i" 2>/dev/null); then
			[ "$got" = "$(sed -n "$((i + 1))p" "$want")" ] || bad=$((bad + 1))
		else
			err=$((err + 1))
		fi
		n=$((n + 1))
	done
	echo "$n $bad $err" >"$AOE_TMP/reader.out"
}
reader &
rpid=$!

t0=$(now_cs)
rc=0
tgt timeout 60 aoehostile -i aoet0 --dst "$imac" \
	--duration 45 --seed 20 --serve 7.7 --real 0.0 -v \
	>"$AOE_TMP/hostile.out" 2>&1 || rc=$?
t1=$(now_cs)
cat "$AOE_TMP/hostile.out"
[ "$rc" != 124 ] || fail "aoehostile did not stop by itself within 60 s"
[ "$rc" = 0 ] || fail "aoehostile failed (exit $rc)"
info "aoehostile ran $(((t1 - t0) / 100)) s"

touch "$AOE_TMP/stop"
wait_for 60 eval "! alive $rpid" || fail "background reader stuck"
read -r nreads nforeign nerr <"$AOE_TMP/reader.out"
info "background reads: $nreads, with foreign data: $nforeign, failed: $nerr"

aoe_state_is 0 0 'up*' ||
	fail "e0.0 state is '$(aoe_state 0 0)' after the attack, not up"

# A write and a read-back through the driver, checked on the target too.
dd if=/dev/urandom of="$AOE_TMP/data" bs=1M count=4 status=none
sum=$(md5sum <"$AOE_TMP/data" | cut -d' ' -f1)
timeout 120 dd if="$AOE_TMP/data" of="$dev" bs=1M seek=8 oflag=direct \
	conv=fsync status=none || fail "write to e0.0 after the attack failed"
drop_caches
assert_eq "$sum" "$(md5_range "$dev" 1M 4 8)" "md5 of 4 MiB read back from e0.0"
assert_eq "$sum" "$(md5_range "$f" 1M 4 8)" "md5 of those 4 MiB in the backing file"

ndisks=$(find /sys/block -maxdepth 1 -name 'etherd!*' | wc -l)
info "aoe disks in /sys/block: $ndisks (aoe_maxdevs $maxdevs)"
find /sys/block -maxdepth 1 -name 'etherd!*' | head -n 5 | while read -r d; do
	info "  $d: size $(cat "$d/size") state $(cat "$d/state" 2>/dev/null)"
done
[ "$ndisks" -le "$maxdevs" ] || fail "$ndisks aoe disks, more than aoe_maxdevs $maxdevs"

slab1=$(slab_kb)
info "Slab after: $slab1 kB (grew $((slab1 - slab0)) kB)"
[ $((slab1 - slab0)) -lt 8192 ] ||
	fail "Slab grew by $((slab1 - slab0)) kB (limit 8192 kB)"

# The kernel log of this test (since the runner's begin marker), for the report.
dmesg | awk -v m="==== begin $AOE_TEST " 'index($0, m) { n = 0 } { l[n++] = $0 }
	END { for (i = 0; i < n; i++) print l[i] }' >"$AOE_TMP/dmesg"
info "kernel log lines during the test: $(wc -l <"$AOE_TMP/dmesg")"
grep -v 'aoetest: ' "$AOE_TMP/dmesg" | tail -n 25 || true

# Informational, not a pass criterion: is a target that appears after the
# flood still found (the flood may have filled the device table), and after
# aoe-flush forgot the devices that never came up?
f1=$(mkfile e0.1 8M)
vblade_start 0 1 aoet0 "$f1"
aoe_discover
if wait_for 10 aoe_dev_ready 0 1 2>/dev/null; then
	info "new target e0.1 found after the flood"
else
	info "new target e0.1 NOT found within 10 s after the flood"
	aoe-flush || info "aoe-flush failed"
	aoe_discover
	if wait_for 10 aoe_dev_ready 0 1 2>/dev/null; then
		info "e0.1 found after aoe-flush and a new discover"
	else
		info "e0.1 still not found after aoe-flush"
	fi
fi

t0=$(now_cs)
aoe_unload 60
info "unloaded in $((($(now_cs) - t0) / 100)) s"
info "ok"
