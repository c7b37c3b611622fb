#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# md RAID0 striped over two AoE disks with ext4: write files, stop the
# array, assemble it again, and every checksum matches.
# timeout: 600
. /tests/lib.sh

net_setup
f1=$(mkfile e0.1 64M)
f2=$(mkfile e0.2 64M)
vblade_start 0 1 aoet0 "$f1"
vblade_start 0 2 aoet0 "$f2"
aoe_load
aoe_discover
wait_aoe_dev 30 0 1
wait_aoe_dev 30 0 2
d1=$(aoe_dev 0 1)
d2=$(aoe_dev 0 2)

mdadm --create /dev/md0 --run --quiet --level=0 --chunk=64 \
	--raid-devices=2 "$d1" "$d2" || fail "mdadm --create"
mkfs.ext4 -q -F /dev/md0 || fail "mkfs.ext4 /dev/md0"
mkdir -p /mnt/md
mount /dev/md0 /mnt/md
for i in $(seq 1 12); do
	head -c $((i * 300007)) /dev/urandom >"/mnt/md/file$i"
done
(cd /mnt/md && sha256sum file*) >"$AOE_TMP/manifest"
umount /mnt/md
mdadm --stop /dev/md0 || fail "mdadm --stop"
drop_caches

mdadm --assemble /dev/md0 "$d1" "$d2" || fail "mdadm --assemble"
mount -o ro /dev/md0 /mnt/md
(cd /mnt/md && sha256sum -c "$AOE_TMP/manifest" >/dev/null) ||
	fail "checksums differ after re-assembly"
umount /mnt/md
mdadm --stop /dev/md0
aoe_unload 60
info "ok"
