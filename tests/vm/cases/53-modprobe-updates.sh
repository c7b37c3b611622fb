#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installed like DKMS installs it (updates/dkms) next to the distribution's
# own aoe.ko (kernel/drivers/block/aoe), after depmod, `modprobe aoe` loads
# this module, and modinfo shows its version; with it removed, the
# distribution's comes back.
# timeout: 120
# driver: ours
. /tests/lib.sh

# A kernel with no aoe.ko of its own (the debug kernel) has nothing for
# this module to take precedence over.
[ -f /stock/aoe.ko ] || skip "this kernel has no aoe.ko of its own"
kv=$(uname -r)
mods=/lib/modules/$kv
[ -d "$mods" ] || fail "no module tree $mods in the VM"
mkdir -p "$mods/kernel/drivers/block/aoe" "$mods/updates/dkms"
cp /stock/aoe.ko "$mods/kernel/drivers/block/aoe/aoe.ko"
cp "$AOE_KO" "$mods/updates/dkms/aoe.ko"
depmod -a "$kv" || fail "depmod"

info "$(modinfo aoe | grep -E '^(filename|version):' | tr '\n' ' ')"
assert_eq 100.0.0 "$(modinfo -F version aoe)" "modinfo version"
modprobe aoe || fail "modprobe aoe"
assert_eq 100.0.0 "$(cat /sys/module/aoe/version)" "version of the loaded module"
[ -c /dev/etherd/discover ] || fail "no /dev/etherd/discover"
modprobe -r aoe || fail "modprobe -r aoe"

rm -f "$mods/updates/dkms/aoe.ko"
depmod -a "$kv"
assert_eq "$mods/kernel/drivers/block/aoe/aoe.ko" "$(modinfo -F filename aoe)" \
	"filename once ours is removed"
rm -f "$mods/kernel/drivers/block/aoe/aoe.ko"
depmod -a "$kv"
info "ok"
