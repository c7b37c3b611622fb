#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/hostbench.sh [--rounds N] [--kernel KVER] [--driver ours|stock|both]
#                          [--perf]
#
# The bench's target moved out of the guest (make hostbench): aoefast runs
# on this host on a tap device that is the guest's virtio NIC (qemu
# -netdev tap, with its checksum and scatter-gather offloads, as a real
# NIC has), so the guest's two vCPUs carry the initiator, fio and the NIC
# driver only, and frames are not copied by veth. One VM per driver
# (tests/vm/cases/98-hostfast), MTU 9000, N rounds (default 3) of 1 MiB
# sequential writes and reads at depth 1 and 8 and 4 KiB random reads and
# writes at depth 32, then fio verify through the target. Prints each
# round's figures, the medians side by side with ours/stock and the busy
# guest CPU per GiB, and how busy the host's two CPUs were. --perf adds
# a perf profile of the guest during 1 MiB writes at depth 8 (the host's
# perf, installed if missing). Needs root (the tap device). Exit status: 0
# when every VM passed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=3
kver=
drivers="ours stock"
perf=
mac=52:54:00:ae:fa:01	# 98-hostfast looks for this NIC

while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--kernel) kver=$2; shift 2 ;;
	--driver) drivers=$2; shift 2 ;;
	--perf) perf=1; shift ;;
	-h|--help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "hostbench.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
# shellcheck source=opts.sh
. "$here/opts.sh"
bench_opts hostbench.sh
[ "$(id -u)" -eq 0 ] || { echo "hostbench.sh: needs root for its tap device" >&2; exit 1; }
"$repo/tests/apt-need.sh" iproute2 || exit 1
make -s -C "$repo/tests/tools" aoefast || exit 1
extra_bins=''
append="aoetest_hostfast=$rounds"
if [ -n "$perf" ]; then
	"$repo/tests/apt-need.sh" linux-perf || exit 1
	extra_bins=$(command -v perf) || { echo "hostbench.sh: no perf after linux-perf" >&2; exit 1; }
	append+=" aoetest_hostperf=1"
fi

tap=aoehb$$
tap=${tap:0:15}
work=$(mktemp -d /tmp/aoe-hostbench.XXXXXX) || exit 1
apid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	[ -n "$apid" ] && kill "$apid" 2>/dev/null && wait "$apid" 2>/dev/null
	ip link del "$tap" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
img=$work/target.img

# Busy and all jiffies of the host's CPUs.
host_cpu() { awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8; print b, b + $5 + $6 }' /proc/stat; }

rc=0
for d in $drivers; do
	echo "== hostbench: $kver, driver $d, $rounds rounds"
	rm -f "$img"
	dd if=/dev/zero of="$img" bs=1M count=256 status=none || exit 1
	ip tuntap add dev "$tap" mode tap ||
		{ echo "hostbench.sh: no tap device (needs /dev/net/tun)" >&2; exit 1; }
	ip link set "$tap" mtu 9000 up || exit 1
	# No announcement: until qemu opens the tap, its sends only wait.
	"$repo/tests/tools/aoefast" -i "$tap" -f "$img" -a 0.0 -t 2 -b 64 \
		--fanout lba --no-announce >"$work/aoefast.out" 2>&1 &
	apid=$!
	read -r b0 a0 < <(host_cpu)
	out=$(AOE_VM_CPU=${AOE_VM_CPU:-max,-erms} AOE_VM_EXTRA_BINS="$extra_bins" \
		AOE_VM_APPEND="$append${AOE_VM_APPEND:+ $AOE_VM_APPEND}" \
		AOE_VM_QEMU_ARGS="-netdev tap,id=hf,ifname=$tap,script=no,downscript=no -device virtio-net-pci,netdev=hf,mac=$mac,host_mtu=9000" \
		"$repo/tests/vm/run.sh" --kernel "$kver" --driver "$d" \
		--only '^98-' --stream 2>&1)
	read -r b1 a1 < <(host_cpu)
	kill "$apid" 2>/dev/null
	wait "$apid" 2>/dev/null
	apid=
	ip link del "$tap"
	grep -o '@@HB .*' <<<"$out" | sed 's/^@@HB /   /' | tee "$work/$d.points"
	sed 's/^/   /' "$work/aoefast.out"
	awk -v b=$((b1 - b0)) -v a=$((a1 - a0)) 'BEGIN {
		printf "   host CPUs (2 shared by the VM and aoefast) %.0f%% busy over the VM\n",
			a ? 100 * b / a : 0 }'
	if ! grep -q '^PASS ' <<<"$out"; then
		grep -E '^(FAIL|SKIP) |passed' <<<"$out"
		rc=1
	fi
done

# Medians per point and driver, and ours/stock where both ran.
echo "== median (min..max) over $rounds rounds; CPU: guest CPU s/GiB, median"
for d in $drivers; do
	[ -s "$work/$d.points" ] && sed "s/^ */$d /" "$work/$d.points"
done | awk -f "$here/table.awk" -v mode=host
exit "$rc"
