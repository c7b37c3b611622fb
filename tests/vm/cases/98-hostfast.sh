#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bench's points against aoefast running on the host (make hostbench,
# tests/bench/hostbench.sh): the guest's virtio NIC is a tap device there,
# so the target's work is not done on the guest's two vCPUs. Prints "@@HB"
# lines: per point and round, fio's figure and the busy guest CPU per GiB
# moved; then fio verify through the target.
# Not a test: make check skips it (it needs aoetest_hostfast=ROUNDS on the
# guest's command line and the NIC, which only hostbench.sh gives).
# timeout: 1800
. /tests/lib.sh

rounds=$(cmdline_num aoetest_hostfast 0)
[ "$rounds" -gt 0 ] || skip "runs from make hostbench (aoetest_hostfast=N)"
mac=52:54:00:ae:fa:01	# hostbench.sh's -device virtio-net-pci,mac=

modprobe virtio_net || fail "no virtio_net"
nic=
wait_nic() {
	local n
	for n in /sys/class/net/*; do
		[ "$(cat "$n/address")" = "$mac" ] && nic=${n##*/} && return 0
	done
	return 1
}
wait_for 30 wait_nic || fail "no NIC with MAC $mac"
ip link set "$nic" mtu 9000 up || fail "mtu 9000 on $nic"

hb() { sed 's/^/@@HB /'; }

runtime=3	# seconds fio measures a point
ramp=1		# seconds of ramp before it (as the bench)

busy() {	# busy jiffies (USER_HZ, 100 on x86) of all CPUs
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# point NAME RW BS QD: one fio run; prints NAME, the figure, CPU s/GiB.
point() {
	local b0 b1 t
	b0=$(busy)
	t=$(fio --name=p --filename="$dev" --ioengine=libaio --direct=1 \
		--rw="$2" --bs="$3" --iodepth="$4" --time_based \
		--runtime="$runtime" --ramp_time="$ramp" \
		--output-format=terse --terse-version=3) || fail "fio $1 failed"
	b1=$(busy)
	awk -F';' -v n="$1" -v j=$((b1 - b0)) -v hz=100 \
		-v secs=$((runtime + ramp)) '{
		kb = $7 + $48; iops = $8 + $49
		# bytes moved over the whole run (ramp at the measured rate)
		gib = (kb * secs) / 1048576
		printf "%s %.1f MB/s %d IOPS cpu %.2f s/GiB\n", n,
			kb * 1024 / 1e6, iops, (j / hz) / gib }' <<<"$t"
}

aoe_attach
echo "nic $nic max_sectors_kb $(cat "$(aoe_sys 0 0)/queue/max_sectors_kb")" | hb
for ((r = 1; r <= rounds; r++)); do
	{
		point "r$r seq-write-qd1" write 1m 1
		point "r$r seq-write-qd8" write 1m 8
		point "r$r seq-read-qd1" read 1m 1
		point "r$r seq-read-qd8" read 1m 8
		point "r$r rand-read-qd32" randread 4k 32
		point "r$r rand-write-qd32" randwrite 4k 32
	} | hb
done
# aoetest_hostperf=1 (hostbench.sh --perf): where the guest's time goes
# on 1 MiB writes at depth 8, perf over 6 s of a 10 s run.
if [ "$(cmdline_num aoetest_hostperf 0)" = 1 ]; then
	command -v perf >/dev/null || fail "perf is not in the image"
	fio --name=w --filename="$dev" --ioengine=libaio --direct=1 \
		--rw=write --bs=1m --iodepth=8 --time_based --runtime=10 \
		--output-format=terse --terse-version=3 >"$AOE_TMP/fio.t" &
	fp=$!
	# A window inside the run (2 s in), not a wait for a state.
	sleep 2
	perf record -a -g -o "$AOE_TMP/perf.data" -- sleep 6 >/dev/null 2>&1 ||
		fail "perf record failed"
	wait "$fp" || fail "fio failed"
	awk -F';' '{ printf "perf run: write %.1f MB/s\n", $48 * 1024 / 1e6 }' \
		"$AOE_TMP/fio.t" | hb
	perf report -i "$AOE_TMP/perf.data" --no-children --sort comm,sym \
		--stdio -g none 2>/dev/null | grep -v -e '^#' -e '^$' |
		sed -n 1,40p | hb
fi
fio --name=v --filename="$dev" --ioengine=libaio --direct=1 \
	--rw=randwrite --bsrange=512-1m --blockalign=512 --iodepth=16 \
	--size=64M --verify=crc32c --verify_fatal=1 --do_verify=1 \
	--output="$AOE_TMP/verify.out" || {
	cat "$AOE_TMP/verify.out"
	fail "fio verify through the host target failed"
}
echo "verify ok" | hb
aoe_unload 60
info "ok"
