#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/kernel.sh KVER
#
# Makes sure the Debian kernel image package for KVER (linux-image-KVER) is
# downloaded and extracted into the cache, then prints the cache directory.
# The directory holds:
#   vmlinuz                  the kernel to boot
#   root/lib/modules/KVER/   the module tree (modules are .ko.xz)
# The cache is $AOE_VM_CACHE (default /var/cache/aoe-vm). The work is done
# once per machine; later calls only print the path.
#
# With AOE_VM_KERNEL_DIR set (a kernel built here, e.g. by
# tests/debug/build-kernel.sh), nothing is downloaded: that directory, laid
# out as above, is checked and printed.
set -euo pipefail

die() { echo "kernel.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: kernel.sh KVER"
kver=$1

if [ -n "${AOE_VM_KERNEL_DIR:-}" ]; then
	d=$AOE_VM_KERNEL_DIR
	if [ ! -f "$d/vmlinuz" ] || [ ! -f "$d/root/lib/modules/$kver/modules.dep" ]; then
		die "AOE_VM_KERNEL_DIR=$d has no vmlinuz and root/lib/modules/$kver/modules.dep"
	fi
	echo "$d"
	exit 0
fi

cache=${AOE_VM_CACHE:-/var/cache/aoe-vm}
dir=$cache/$kver

ready() {
	[ -f "$dir/.complete" ] && [ -f "$dir/vmlinuz" ] &&
		[ -f "$dir/root/lib/modules/$kver/modules.dep" ]
}

if ready; then
	echo "$dir"
	exit 0
fi

mkdir -p "$cache"
# One fetch at a time per kernel, even with parallel callers.
exec 9>"$cache/.lock-$kver"
flock 9
if ready; then
	echo "$dir"
	exit 0
fi

pkg=linux-image-$kver
# Prefer the exact version of the installed headers: same ABI and build.
hver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver" 2>/dev/null || true)

tmp=$(mktemp -d "$cache/.fetch-$kver.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(
	cd "$tmp"
	# apt drops privileges to _apt for downloads; let it write here.
	chmod 0777 "$tmp"
	if [ -n "$hver" ] && apt-get download -q "$pkg=$hver" >&2; then
		:
	elif apt-get download -q "$pkg" >&2; then
		:
	else
		echo "kernel.sh: apt-get download $pkg failed; trying apt-get update" >&2
		apt-get update -q >&2
		apt-get download -q "$pkg" >&2
	fi
) || die "cannot download $pkg"

deb=$(ls "$tmp"/*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || die "no .deb downloaded for $pkg"
mkdir -p "$tmp/root"
dpkg-deb -x "$deb" "$tmp/root"

[ -f "$tmp/root/boot/vmlinuz-$kver" ] || die "$pkg has no boot/vmlinuz-$kver"
moddir=$tmp/root/lib/modules/$kver
[ -d "$moddir" ] || die "$pkg has no lib/modules/$kver"
# The package ships no modules.dep (postinst runs depmod); make one.
if [ ! -f "$moddir/modules.dep" ]; then
	depmod -b "$tmp/root" "$kver" ||
		die "depmod failed for $kver"
fi
ln -s root/boot/vmlinuz-"$kver" "$tmp/vmlinuz"
rm -f "$deb"
touch "$tmp/.complete"

rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
chmod 0755 "$dir"
echo "$dir"
