#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The profile of one bench point (make profile, tests/bench/profile.sh):
# aoefast at MTU 9000, 1 MiB sequential writes at queue depth 1, as the
# bench runs it (a filled 256 MiB file, 2 threads, 64 buffers, fanout by
# LBA). Prints "@@PROF" lines: fio's bandwidth in ROUNDS rounds, then
# perf record -a -g over 8 s of a further run, split by task, by symbol,
# the share of this module's symbols and of copies. Not a test: make check
# skips it (it needs aoetest_profile=ROUNDS on the guest's command line,
# and perf in the image, which only profile.sh puts there).
# timeout: 900
. /tests/lib.sh

rounds=$(cmdline_num aoetest_profile 0)
[ "$rounds" -gt 0 ] || skip "the profile runs from make profile (aoetest_profile=N)"
command -v perf >/dev/null || fail "perf is not in the image (AOE_VM_EXTRA_BINS)"

prof() { sed 's/^/@@PROF /'; }

# fio_write SECONDS: the point, terse output on stdout.
fio_write() {
	fio --name=w --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=write --bs=1m --iodepth=1 --time_based --runtime="$1" \
		--ramp_time=1 --output-format=terse --terse-version=3
}

# Field 48 of fio's terse v3 line: write bandwidth, KiB/s.
bw() { awk -F';' -v w="$1" '{ printf "%s %.1f MB/s\n", w, $48 * 1024 / 1e6 }'; }

net_setup 9000
f=$(mkfile fast.img 256M)
dd if=/dev/zero of="$f" bs=1M count=256 status=none
aoefast_start -i aoet0 -f "$f" -a 0.0 -n 1 -t 2 -b 64 --fanout lba
aoe_load
aoe_discover
wait_aoe_dev 30 0 0
dev=$(aoe_dev 0 0)
echo "max_sectors_kb $(cat "$(aoe_sys 0 0)/queue/max_sectors_kb")" | prof
for ((r = 1; r <= rounds; r++)); do
	fio_write 4 | bw "round $r: write" | prof
done

fio_write 14 >"$AOE_TMP/fio.t" &
fp=$!
# Sample 8 s from 3 s into fio's 15 (its 1 s ramp and 2 s of the point
# before): a window inside the run, not a wait for a state.
sleep 3
perf record -a -g -o "$AOE_TMP/perf.data" -- sleep 8 >/dev/null 2>&1 ||
	fail "perf record failed"
wait "$fp" || fail "fio failed"
bw "under perf: write" <"$AOE_TMP/fio.t" | prof

report() {	# report SORT: perf's table, no call graphs, no comments
	perf report -i "$AOE_TMP/perf.data" --no-children --sort "$1" \
		--stdio -g none 2>/dev/null | grep -v -e '^#' -e '^$'
}
report comm >"$AOE_TMP/bycomm"
report comm,sym >"$AOE_TMP/bysym"
report sym >"$AOE_TMP/sym"
sed -n 1,6p "$AOE_TMP/bycomm" | sed 's/^/task /' | prof
sed -n 1,30p "$AOE_TMP/bysym" | prof
# The module's own symbols (kallsyms tags them [aoe], for either driver)
# and every copy routine, summed over all tasks.
awk '$NF == "[aoe]" { print $3 }' /proc/kallsyms | sort -u >"$AOE_TMP/aoesyms"
awk 'NR == FNR { m[$1] = 1; next }
	{ p = $1; sub("%", "", p) }
	$3 in m { a += p; next }
	$3 ~ /memcpy|memmove|rep_movs|copy_/ { c += p }
	END { printf "module aoe %.2f%% of samples, copies %.2f%%\n", a, c }' \
	"$AOE_TMP/aoesyms" "$AOE_TMP/sym" | prof

kill -TERM "$tpid"
wait_for 10 none_alive "$tpid" || fail "aoefast did not exit"
grep '^aoefast exit:' "$AOE_TMP/aoefast.out" | prof
aoe_unload 60
info "ok"
