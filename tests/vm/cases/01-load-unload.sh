#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads, registers its character devices and unloads cleanly,
# twice in a row.
# timeout: 60
. /tests/lib.sh

for round in 1 2; do
	info "round $round: insmod $AOE_KO"
	aoe_load
	[ -d /sys/module/aoe ] || fail "/sys/module/aoe missing"
	[ -c /dev/etherd/discover ] || fail "/dev/etherd/discover is not a char device"
	for n in err interfaces revalidate flush; do
		[ -c "/dev/etherd/$n" ] || fail "/dev/etherd/$n is not a char device"
	done
	# discover is c 152:3
	dev=$(cat /sys/class/aoe/discover/dev 2>/dev/null) ||
		fail "no /sys/class/aoe/discover/dev"
	assert_eq 152:3 "$dev" "discover device number"
	aoe-discover || fail "aoe-discover failed with no interfaces"
	aoe_unload 30
	[ ! -d /sys/module/aoe ] || fail "/sys/module/aoe still there after rmmod"
	[ ! -e /dev/etherd/discover ] || fail "/dev/etherd/discover left after rmmod"
done
info "ok"
