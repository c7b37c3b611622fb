#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The shipped udev rules (udev/60-aoe.rules, today's syntax) run by the real
# systemd-udevd give the documented owners and modes: discover, interfaces,
# revalidate, flush 0220, err 0440, all group disk; the block devices and
# their partitions group disk.
# timeout: 300
# driver: ours
. /tests/lib.sh

command -v udevadm >/dev/null || fail "no udevadm in the VM"
[ -f /etc/udev/rules.d/60-aoe.rules ] || fail "rules not installed in the VM"

net_setup
f=$(mkfile e0.0 16M)
printf 'label: dos\n,,L\n' | sfdisk -q "$f"
vblade_start 0 0 aoet0 "$f"

mkdir -p /run/udev
/lib/systemd/systemd-udevd --daemon --resolve-names=early ||
	fail "systemd-udevd does not start"
udevd_stop() { udevadm control --exit 2>/dev/null || pkill systemd-udevd || true; }
trap 'udevd_stop' EXIT

aoe_load
aoe_discover
wait_aoe_dev 30 0 0
udevadm trigger --action=add --subsystem-match=aoe --subsystem-match=block
udevadm settle --timeout=30 || fail "udevadm settle timed out"

gid=$(awk -F: '$1 == "disk" { print $3 }' /etc/group)
check() {	# check NODE MODE
	local got
	got=$(stat -c '%a %g' "$1") || fail "no node $1"
	assert_eq "$2 $gid" "$got" "mode and group of $1"
}
for n in discover interfaces revalidate flush; do
	check /dev/etherd/$n 220
done
check /dev/etherd/err 440
check /dev/etherd/e0.0 660
wait_for 10 is_blockdev /dev/etherd/e0.0p1 || fail "no partition node"
check /dev/etherd/e0.0p1 660
udevd_stop
aoe_unload 60
info "ok"
