#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The administrator's workflow on one disk: two partitions with sfdisk,
# ext3 on both, tune2fs, mount, rsync a tree of files, unmount, drop caches,
# e2fsck -fn clean on both, remount and every checksum matches.
# timeout: 600
. /tests/lib.sh

net_setup
f=$(mkfile e0.0 192M)
vblade_start 0 0 aoet0 "$f"
aoe_attach

printf 'label: dos\n,64M,L\n,,L\n' | sfdisk -q "$dev" || fail "sfdisk failed"
wait_for 20 is_blockdev "${dev}p1" "${dev}p2" || fail "partitions did not appear"
for p in 1 2; do
	mkfs.ext3 -q -F "${dev}p$p" || fail "mkfs.ext3 ${dev}p$p"
	tune2fs -i 0 -c 0 "${dev}p$p" >/dev/null || fail "tune2fs ${dev}p$p"
done

# A tree of files: random contents, sizes from 0 to 1 MiB, some nesting.
src=$AOE_TMP/src
mkdir -p "$src"
for d in 0 1 2 3; do
	mkdir -p "$src/d$d/sub"
	for i in 0 1 2 3 4 5; do
		sz=$(( (RANDOM * 32 + i * 4099) % 1048577 ))
		head -c "$sz" /dev/urandom >"$src/d$d/f$i"
		head -c $((sz / 7)) /dev/urandom >"$src/d$d/sub/g$i"
	done
done
: >"$src/empty"
(cd "$src" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$AOE_TMP/manifest"
info "$(wc -l <"$AOE_TMP/manifest") files, $(du -sk "$src" | cut -f1) KiB"

for p in 1 2; do
	mkdir -p "/mnt/p$p"
	mount -t ext3 "${dev}p$p" "/mnt/p$p" || fail "mount ${dev}p$p"
	rsync -a "$src/" "/mnt/p$p/" || fail "rsync to p$p"
done
for p in 1 2; do
	umount "/mnt/p$p" || fail "umount p$p"
done
drop_caches
for p in 1 2; do
	e2fsck -fn "${dev}p$p" >"$AOE_TMP/fsck$p" 2>&1 ||
		{ cat "$AOE_TMP/fsck$p"; fail "e2fsck -fn ${dev}p$p found problems"; }
done
for p in 1 2; do
	mount -t ext3 -o ro "${dev}p$p" "/mnt/p$p" || fail "remount p$p"
	(cd "/mnt/p$p" && sha256sum -c "$AOE_TMP/manifest" >/dev/null) ||
		fail "checksums differ on p$p"
	umount "/mnt/p$p"
done
aoe_unload 60
info "ok"
