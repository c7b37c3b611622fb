#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/mkinitramfs.sh KVER OUTPUT
#
# Builds the initramfs (gzip'd newc cpio) that boots the test VM for KVER.
# It is two archives concatenated, which the kernel unpacks in turn:
#
#   base     busybox, iproute2, vblade, aoetools, fio, e2fsprogs, mdadm ...
#            with their shared libraries, the kernel modules the tests need
#            (decompressed, with a modules.dep of their own) and the stock
#            aoe.ko at /stock/aoe.ko. Slow to make (fio alone pulls in ~80 MB
#            of libraries), so it is cached in the kernel's cache directory
#            and remade only when this script, the packages it copies from or
#            the kernel image change.
#   overlay  /init, the guest runner, lib.sh and the test cases, and the
#            project's build/KVER/aoe.ko at /ours/aoe.ko if it exists. Made
#            afresh every time (a fraction of a second).
#
# Neither aoe.ko goes into /lib/modules: modprobe must never pick one.
#
# Environment: AOE_VM_MODULE, the aoe.ko for /ours instead of
# build/KVER/aoe.ko; AOE_VM_KERNEL_DIR, see kernel.sh (such a kernel may
# lack a stock aoe.ko); AOE_VM_INIT, another /init (the system tests'
# target VM, tests/sys/target-init).
set -euo pipefail

die() { echo "mkinitramfs.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: mkinitramfs.sh KVER OUTPUT"
kver=$1
out=$2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
kdir=$("$here/kernel.sh" "$kver")
ktree=$kdir/root/lib/modules/$kver

# Binaries copied with their libraries. Paths are resolved with command -v.
BINS="ip tc ss vblade aoeping aoecfg aoe-sancheck fio mke2fs e2fsck tune2fs
dumpe2fs debugfs sfdisk fdisk blockdev losetup mdadm rsync bash dd kmod
truncate stat timeout cmp od sync udevadm"
# aoetools shell scripts (interpreters /bin/sh and /bin/bash are provided).
AOE_SCRIPTS="aoe-discover aoe-stat aoe-flush aoe-interfaces aoe-revalidate
aoe-version aoe-mkdevs aoe-mkshelf coraid-update"
# Kernel modules (plus their dependency closure from modules.dep). Names
# missing from a kernel's tree are built in there, or don't exist: ignored.
MODULES="veth sch_netem af_packet ext4 jbd2 mbcache crc16 crc32c_generic
crc32c-intel libcrc32c md-mod raid0 raid1 loop nbd 8021q af_packet_diag
virtio_pci virtio_net virtio_blk virtio_console bridge"
# Packages whose content is copied: their versions are part of the cache key.
PKGS="busybox-static iproute2 vblade aoetools fio e2fsprogs fdisk util-linux
mdadm rsync bash coreutils kmod libc6 udev"

# ---------------------------------------------------------------- base ---

base_key() {
	{
		echo "kver=$kver"
		sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1
		stat -c '%s %Y' "$kdir/vmlinuz" "$ktree/modules.dep"
		# shellcheck disable=SC2086
		dpkg-query -W -f='${Package} ${Version}\n' $PKGS 2>/dev/null
	} | sha256sum | cut -d' ' -f1
}

# copy_file SRC [DEST]: copy (following symlinks) into the staging tree
# $stage at the same path, or at DEST. /bin, /sbin, /lib and /lib64 are
# symlinks into /usr there (merged /usr), so paths under them are written
# under /usr: an archive must never hold a real directory where another
# (the base) has the symlink.
copy_file() {
	local src=$1 dst=${2:-$1}
	case $dst in
	/bin/*|/sbin/*|/lib/*|/lib64/*) dst=/usr$dst ;;
	esac
	mkdir -p "$stage$(dirname "$dst")"
	cp -L --preserve=mode "$src" "$stage$dst"
}

# copy_bin PATH [DEST]: a binary or script and, for ELF files, every
# library ldd reports plus the dynamic loader.
copy_bin() {
	local path=$1 lib
	copy_file "$path" "${2:-$path}"
	if head -c4 "$path" | grep -q 'ELF'; then
		while read -r lib; do
			[ -n "$lib" ] || continue
			[ -e "$stage$lib" ] || copy_file "$lib"
		done < <(ldd "$path" 2>/dev/null | awk '
			/=> \// { print $3; next }
			/^[ \t]*\// { print $1 }')
	fi
}

# Dependency closure of the MODULES names, as paths relative to the tree.
module_closure() {
	awk -v want="$MODULES" '
	function norm(p,   b) {
		b = p; sub(/.*\//, "", b); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", b)
		gsub(/-/, "_", b); return b
	}
	BEGIN { n = split(want, w, /[ \t\n]+/); for (i = 1; i <= n; i++) {
		x = w[i]; gsub(/-/, "_", x); if (x != "") wanted[x] = 1 } }
	{
		m = $1; sub(/:$/, "", m)
		if (norm(m) in wanted) { print m; for (i = 2; i <= NF; i++) print $i }
	}' "$ktree/modules.dep" | sort -u
}

build_base() {
	local dst=$1 f m name

	stage=$(mktemp -d "${TMPDIR:-/tmp}/aoe-initramfs.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$stage'" EXIT

	mkdir -p "$stage"/usr/{bin,sbin,lib,lib64} "$stage"/usr/lib/x86_64-linux-gnu
	ln -s usr/bin "$stage/bin"
	ln -s usr/sbin "$stage/sbin"
	ln -s usr/lib "$stage/lib"
	ln -s usr/lib64 "$stage/lib64"
	mkdir -p "$stage"/{proc,sys,dev,tmp,run,mnt,root,etc,var,stock,ours,tests}
	ln -s ../run "$stage/var/run"
	ln -s ../tmp "$stage/var/tmp"

	# Real binaries first; busybox fills in every applet name left free.
	for f in $BINS; do
		p=$(command -v "$f") || die "missing host binary: $f (run tests/vm/deps.sh)"
		copy_bin "$p"
	done
	for f in modprobe insmod rmmod lsmod modinfo depmod; do
		ln -sf ../bin/kmod "$stage/usr/sbin/$f"
	done
	# systemd-udevd is udevadm under another name (for 52-udev).
	mkdir -p "$stage/usr/lib/systemd"
	ln -sf ../../bin/udevadm "$stage/usr/lib/systemd/systemd-udevd"
	for f in mkfs.ext2 mkfs.ext3 mkfs.ext4; do
		ln -sf mke2fs "$stage/usr/sbin/$f"
	done
	for f in fsck.ext2 fsck.ext3 fsck.ext4; do
		ln -sf e2fsck "$stage/usr/sbin/$f"
	done
	for f in $AOE_SCRIPTS; do
		p=$(command -v "$f") || die "missing aoetools script: $f"
		copy_bin "$p"
	done

	copy_file /bin/busybox /usr/bin/busybox
	while read -r f; do
		case $f in
		bin/busybox|linuxrc) continue ;;
		esac
		name=${f##*/}
		# merged /usr: bin/x and sbin/x live in usr/bin and usr/sbin
		case $f in
		usr/*) d=$f ;;
		*) d=usr/$f ;;
		esac
		[ -e "$stage/usr/bin/$name" ] || [ -e "$stage/usr/sbin/$name" ] ||
			[ -L "$stage/usr/sbin/$name" ] ||
			ln -s /usr/bin/busybox "$stage/$d"
	done < <(/bin/busybox --list-full)
	ln -sf /usr/bin/bash "$stage/usr/bin/sh.bash"

	# Data files the tools read.
	for d in /usr/lib/x86_64-linux-gnu/tc /usr/lib/tc /etc/iproute2 \
		/usr/share/iproute2; do
		if [ -d "$d" ]; then
			mkdir -p "$stage$d"
			cp -a "$d/." "$stage$d/"
		fi
	done
	[ -f /etc/mke2fs.conf ] && copy_file /etc/mke2fs.conf
	[ -f /etc/e2scrub.conf ] && copy_file /etc/e2scrub.conf
	printf 'root:x:0:0:root:/root:/bin/bash\n' >"$stage/etc/passwd"
	printf 'root:x:0:\ndisk:x:6:\n' >"$stage/etc/group"
	printf 'aoevm\n' >"$stage/etc/hostname"
	: >"$stage/etc/fstab"
	mkdir -p "$stage/etc/netns" "$stage/etc/mdadm"
	printf 'DEVICE partitions\n' >"$stage/etc/mdadm/mdadm.conf"
	ln -s /proc/self/mounts "$stage/etc/mtab"

	# Kernel modules, decompressed, with their own depmod data.
	local mdst=$stage/lib/modules/$kver
	mkdir -p "$mdst"
	while read -r m; do
		mkdir -p "$mdst/$(dirname "$m")"
		case $m in
		*.ko.xz) xz -dc "$ktree/$m" >"$mdst/${m%.xz}" ;;
		*.ko.zst) zstd -qdc "$ktree/$m" >"$mdst/${m%.zst}" ;;
		*.ko.gz) gzip -dc "$ktree/$m" >"$mdst/${m%.gz}" ;;
		*) cp "$ktree/$m" "$mdst/$m" ;;
		esac
	done < <(module_closure)
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -f "$ktree/$f" ] && cp "$ktree/$f" "$mdst/$f"
	done
	depmod -b "$stage" "$kver"

	# The stock driver, outside the module tree. A kernel of our own
	# (AOE_VM_KERNEL_DIR) has none: driver stock is unavailable there.
	f=$(find "$ktree/kernel/drivers/block/aoe" -name 'aoe.ko*' 2>/dev/null |
		head -n1) || true
	if [ -z "$f" ] && [ -n "${AOE_VM_KERNEL_DIR:-}" ]; then
		echo "mkinitramfs.sh: $kver has no stock aoe.ko" >&2
	else
		[ -n "$f" ] || die "no stock aoe.ko in $ktree"
		case $f in
		*.xz) xz -dc "$f" >"$stage/stock/aoe.ko" ;;
		*.zst) zstd -qdc "$f" >"$stage/stock/aoe.ko" ;;
		*) cp "$f" "$stage/stock/aoe.ko" ;;
		esac
	fi

	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$dst.tmp.$$"
	mv "$dst.tmp.$$" "$dst"
	rm -rf "$stage"
	trap - EXIT
}

# The base image is named by its key, so that differing copies of this
# script (other work trees) sharing the cache never overwrite each other's.
key=$(base_key)
base=$kdir/initramfs-base-${key:0:16}.cpio.gz
if [ ! -f "$base" ]; then
	exec 9>"$kdir/.initramfs.lock"
	flock 9
	if [ ! -f "$base" ]; then
		echo "mkinitramfs.sh: building base image for $kver" >&2
		build_base "$base"
		# Keep the four newest bases.
		ls -t "$kdir"/initramfs-base-*.cpio.gz | tail -n +5 |
			xargs -r rm -f
	fi
	flock -u 9
fi

# ------------------------------------------------------------- overlay ---

ov=$(mktemp -d "${TMPDIR:-/tmp}/aoe-overlay.XXXXXX")
part=$(mktemp --suffix=.cpio.gz "${TMPDIR:-/tmp}/aoe-overlay.XXXXXX")
trap 'rm -rf "$ov" "$part"' EXIT
mkdir -p "$ov/tests/cases" "$ov/ours"
install -m 0755 "${AOE_VM_INIT:-$here/guest/init}" "$ov/init"
# The system tests' command channel (their target VM, tests/sys).
install -D -m 0755 "$repo/tests/sys/agent" "$ov/usr/local/sbin/systest-agent"
install -m 0755 "$here/guest/run-tests.sh" "$ov/tests/run-tests.sh"
install -m 0644 "$here/guest/lib.sh" "$ov/tests/lib.sh"
for f in "$here"/cases/*.sh; do
	[ -e "$f" ] || continue
	install -m 0755 "$f" "$ov/tests/cases/"
done
# Test tools: every executable in tests/tools (built by run.sh), in PATH.
# They are static; a dynamic one brings its libraries along.
stage=$ov
for f in "$repo"/tests/tools/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	head -c4 "$f" | grep -q 'ELF' || continue
	copy_bin "$f" "/usr/local/bin/${f##*/}"
done
for f in ${AOE_VM_EXTRA_BINS:-}; do
	[ -x "$f" ] || die "AOE_VM_EXTRA_BINS: $f is not an executable"
	copy_bin "$f" "$f"
done
ours=${AOE_VM_MODULE:-$repo/build/$kver/aoe.ko}
if [ -f "$ours" ]; then
	install -m 0644 "$ours" "$ov/ours/aoe.ko"
fi
# The project's udev rules, as installed (for 52-udev).
install -D -m 0644 "$repo/udev/60-aoe.rules" "$ov/etc/udev/rules.d/60-aoe.rules"
mkdir -p "$(dirname "$out")"
(cd "$ov" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$part"
cat "$base" "$part" >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
