#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/deps.sh: install (as root, on Debian 12) every package that the
# build, the static checks and the VM tests need (tests/apt-need.sh does
# the work). Idempotent: when all of them are installed already it does
# nothing (no apt-get update), so it is cheap to run before every test
# run. As non-root it only reports what is missing.
set -euo pipefail

PKGS=(
	# build of the module for both Debian kernels
	linux-headers-amd64 linux-headers-6.12-amd64 build-essential make
	bc kmod xz-utils sparse
	# image fetch and initramfs build (tests/vm/kernel.sh, mkinitramfs.sh)
	apt dpkg cpio gzip zstd util-linux coreutils findutils
	# the VM
	qemu-system-x86
	# what goes into the guest
	busybox-static bash iproute2 vblade aoetools fio e2fsprogs fdisk
	mdadm rsync udev
	# run.sh
	libc-bin sed grep procps
)

"$(dirname "${BASH_SOURCE[0]}")/../apt-need.sh" "${PKGS[@]}"
echo "deps.sh: all ${#PKGS[@]} packages present"
