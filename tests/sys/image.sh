#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/sys/image.sh [--rebuild]
#
# Makes the Debian 12 system the system tests boot (tests/sys/README.md)
# and prints the directory that holds it:
#   root.qcow2           the root filesystem (ext4, no partition table)
#   vmlinuz-KVER         each kernel of the image, and its initramfs
#   initrd.img-KVER      (made by the image's own update-initramfs)
#   rootdisk.raw         the same root as partition 1 of a partitioned disk,
#                        for the target to export (root on AoE)
#   kvers                the image's kernel versions, oldest first
#
# Two layers, each cached in $AOE_VM_CACHE/sys (default /var/cache/aoe-vm):
#   base     debootstrap bookworm plus systemd, udev, aoetools, autofs,
#            e2fsprogs, mdadm, dkms, ifupdown, both Debian kernels and their
#            headers and a little configuration. Keyed by
#            this script's recipe (everything above "the system" below).
#   system   the base with this checkout installed as the README tells a
#            user: `make dkms-install` in the chroot, then update-initramfs;
#            and the test agent (tests/sys/agent).
#            Keyed by the base and the checkout's files, so it is remade
#            when the driver changes (about two minutes).
# Needs root (debootstrap, chroot) and the host's Debian mirror; makes no
# loop devices and mounts nothing but the chroot's /proc, /sys and /dev.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${AOE_VM_CACHE:-/var/cache/aoe-vm}/sys
rebuild=0
[ "${1:-}" = --rebuild ] && rebuild=1

die() { echo "image.sh: $*" >&2; exit 1; }
say() { echo "image.sh: $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"

# ------------------------------------------------------------ the base ---

SUITE=bookworm
# Both of Debian 12's kernels (6.1 and 6.12), with headers for DKMS.
PKGS="systemd-sysv udev dbus kmod procps iproute2 ifupdown aoetools autofs
e2fsprogs mdadm dkms build-essential make initramfs-tools fdisk util-linux
linux-image-amd64 linux-headers-amd64 linux-image-6.12-amd64
linux-headers-6.12-amd64 coreutils findutils grep sed gzip"
ROOT_SIZE=4G

# Services that cost boot time under TCG and have nothing to do with AoE.
MASK="apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer
e2scrub_reap.service fstrim.timer man-db.timer dpkg-db-backup.timer
systemd-timesyncd.service mdmonitor-oneshot.timer"

# chroot_run ROOT CMD...: run in the chroot with /proc, /sys and /dev.
chroot_run() {
	local r=$1 rc=0
	shift
	mount -t proc proc "$r/proc"
	mount -t sysfs sysfs "$r/sys"
	mount --bind /dev "$r/dev"
	LC_ALL=C DEBIAN_FRONTEND=noninteractive chroot "$r" "$@" || rc=$?
	umount "$r/dev" "$r/sys" "$r/proc"
	return "$rc"
}

configure_base() {
	local r=$1 sec
	sec=$(debian_mirror bookworm-security)
	{
		echo "deb $MIRROR $SUITE main"
		echo "deb $MIRROR $SUITE-updates main"
		[ -z "$sec" ] || echo "deb $sec $SUITE-security main"
	} >"$r/etc/apt/sources.list"
	# No bootloader: qemu loads the image's kernel itself.
	printf 'do_symlinks = no\n' >"$r/etc/kernel-img.conf"
	chroot_run "$r" apt-get update -q
	# shellcheck disable=SC2086
	chroot_run "$r" apt-get install -y -q --no-install-recommends $PKGS
	# The root is /dev/vda (an initiator) or comes from the initramfs.
	printf '/dev/vda / ext4 errors=remount-ro 0 1\n' >"$r/etc/fstab"
	printf 'sysvm\n' >"$r/etc/hostname"
	# The storage interface, written as an administrator would.
	cat >"$r/etc/network/interfaces" <<-'IFACES'
	auto lo
	iface lo inet loopback

	auto eth0
	iface eth0 inet manual
		up ip link set eth0 up
	IFACES
	chroot_run "$r" passwd -d root
	# shellcheck disable=SC2086
	chroot_run "$r" systemctl mask $MASK
	mkdir -p "$r/etc/systemd/journald.conf.d"
	# The journal goes to the serial console too: the test reads it there.
	printf '[Journal]\nForwardToConsole=yes\nMaxLevelConsole=info\n' \
		>"$r/etc/systemd/journald.conf.d/console.conf"
	rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*
}

make_base() {
	local tar=$1 tmp
	"$repo/tests/apt-need.sh" debootstrap qemu-utils e2fsprogs fdisk >&2
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.base.XXXXXX")
	say "debootstrap $SUITE into $tmp (log: $cache/base.log)"
	if ! { debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" &&
		configure_base "$tmp"; } >"$cache/base.log" 2>&1; then
		tail -n 30 "$cache/base.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	(cd "$tmp" && tar -cf "$tar.tmp" --numeric-owner .) && mv "$tar.tmp" "$tar"
	rm -rf "$tmp"
}

# ---------------------------------------------------------- the system ---

. "$repo/tests/debian-mirror.sh"
MIRROR=$(debian_mirror "$SUITE")
[ -n "$MIRROR" ] || die "no $SUITE mirror in the host's apt sources"

base_key=$(sed -n '/^# -* the base ---$/,/^# -* the system ---$/p' \
	"${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
base=$cache/base-$base_key.tar

# What decides the system layer: the files make dkms-install installs and
# uses, the agent and this part of this script (other files of the
# checkout are copied, not keyed).
src_key() {
	{
		(cd "$repo" && sha256sum Kbuild ./*.[ch] Makefile dkms.conf conf/* tools/*.c \
			tests/apt-need.sh tests/sys/agent tests/sys/systest-agent.service)
		sed -n '/^# -* the system ---$/,$p' "${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-12
}
sys_dir=$cache/system-$base_key-$(src_key)

if [ "$rebuild" = 0 ] && [ -f "$sys_dir/.complete" ]; then
	echo "$sys_dir"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ "$rebuild" = 1 ] || [ ! -f "$base" ]; then
	t=$(date +%s)
	make_base "$base" || die "could not make the base image"
	say "base image $base ($(du -h "$base" | cut -f1), $(($(date +%s) - t)) s)"
	ls -t "$cache"/base-*.tar | tail -n +2 | xargs -r rm -f
fi

install_checkout() {
	local r=$1
	install -m 0755 "$here/agent" "$r/usr/local/sbin/systest-agent"
	install -m 0644 "$here/systest-agent.service" \
		"$r/etc/systemd/system/systest-agent.service"
	chroot_run "$r" systemctl enable systest-agent.service
	mkdir -p "$r/root/aoe"
	(cd "$repo" && git ls-files -z | tar -c --null -T -) |
		tar -x -C "$r/root/aoe"
	chroot_run "$r" sh -c 'cd /root/aoe && make dkms-install' &&
		chroot_run "$r" update-initramfs -u -k all
}

# make_disk ROOT OUT: ROOT as partition 1 (from 1 MiB) of a disk image,
# with the fstab of a root on AoE (README "Root filesystem on AoE").
make_disk() {
	local r=$1 out=$2 mib=1048576
	sed -i 's|^/dev/vda / |/dev/etherd/e0.0p1 / |' "$r/etc/fstab"
	truncate -s 0 "$out"
	truncate -s "$ROOT_SIZE" "$out"
	echo "1MiB,,L" | sfdisk -q "$out" >/dev/null
	local size=$(($(stat -c %s "$out") / mib - 2))
	mke2fs -q -t ext4 -L aoeroot -E offset=$mib -d "$r" "$out" "${size}M"
}

t=$(date +%s)
tmp=$(mktemp -d "$cache/.system.XXXXXX")
trap 'umount "$tmp/root/dev" "$tmp/root/sys" "$tmp/root/proc" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
tar -xf "$base" -C "$tmp/root"
say "installing this checkout with make dkms-install (log: $tmp/install.log)"
if ! install_checkout "$tmp/root" >"$cache/install.log" 2>&1; then
	tail -n 30 "$cache/install.log" >&2
	die "make dkms-install in the image failed"
fi
(cd "$tmp/root/boot" && ls vmlinuz-* | sed "s/^vmlinuz-//" | sort -V) >"$tmp/kvers"
while read -r v; do
	cp "$tmp/root/boot/vmlinuz-$v" "$tmp/root/boot/initrd.img-$v" "$tmp/"
done <"$tmp/kvers"
truncate -s "$ROOT_SIZE" "$tmp/root.raw"
mke2fs -q -t ext4 -L sysroot -d "$tmp/root" "$tmp/root.raw"
qemu-img convert -O qcow2 "$tmp/root.raw" "$tmp/root.qcow2"
rm -f "$tmp/root.raw"
make_disk "$tmp/root" "$tmp/rootdisk.raw"
rm -rf "$tmp/root"
touch "$tmp/.complete"
rm -rf "$sys_dir"
mv "$tmp" "$sys_dir"
trap - EXIT
# Keep the two newest systems.
ls -dt "$cache"/system-* | tail -n +3 | xargs -r rm -rf
say "system image $sys_dir ($(($(date +%s) - t)) s)"
echo "$sys_dir"
