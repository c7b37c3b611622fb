#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# An interface that carries a path is deleted (unregistered) while I/O
# runs: the driver lets go of it at once (the deletion does not hang on a
# reference held by aoe), I/O continues over the other path with fio verify
# passing, netif no longer names it, and unload is clean.
# timeout: 600
. /tests/lib.sh

net_setup
net_setup2
f=$(mkfile e0.0 32M)
vblade_start 0 0 aoet0 "$f"
vblade_start 0 0 aoet1 "$f"
aoe_attach
wait_for 20 aoe_netif_has 0 0 aoei0 aoei1 || fail "netif is '$(aoe_netif 0 0)'"

fio --name=unreg --filename="$dev" --ioengine=libaio --direct=1 \
	--rw=randwrite --bsrange=512-64k --blockalign=512 --iodepth=16 \
	--size=16M --verify=crc32c --verify_fatal=1 --do_verify=1 \
	--output="$AOE_TMP/fio.out" &
fiopid=$!
tx() { cat "/sys/class/net/aoei1/statistics/tx_packets" 2>/dev/null || echo 0; }
moved() { [ "$(tx)" -gt "$1" ]; }
wait_for 30 moved 200 || fail "aoei1 carries no traffic"

# `ip link del` returns only when the device is unregistered, which waits
# for every reference to it: a reference aoe kept would hang it here.
timeout 60 ip link del aoei1 || fail "deleting aoei1 did not complete within 60 s"
info "aoei1 deleted during fio; netif now '$(aoe_netif 0 0)'"
wait "$fiopid" || { cat "$AOE_TMP/fio.out"; fail "fio verify failed after the unregister"; }
assert_eq aoei0 "$(aoe_netif 0 0)" "netif after aoei1 went away"
assert_same_data "$f" "$dev" 16 "device vs backing file"
aoe_unload 60
info "ok"
