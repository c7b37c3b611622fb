# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sys-ci: no
# sys-kernels: one
#
# Kernel upgrade: one installed system (one disk) boots each of its
# kernels in turn, oldest first, as after an upgrade and a fallback; in
# every boot the module that loads is DKMS's build for that kernel, with
# this project's version, and it finds the disk.

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SYS_REPO/dkms.conf")
sys_disk "$SYS_DIR/disk.raw" 256M :ext4:kern
sys_target 1 "$SYS_DIR/disk.raw"
sys_vblade 0 0 /dev/vda
root=$SYS_DIR/root.qcow2
qemu-img create -q -f qcow2 -F qcow2 -b "$SYS_IMAGE/root.qcow2" "$root"
n=0
while read -r k; do
	n=$((n + 1))
	SYS_KVER=$k sys_initiator srva 0 "root=/dev/vda rw" "$root"
	sys_wait_agent srva 600
	sys_wait_booted srva 300
	sys_poll srva 120 'test -b /dev/etherd/e0.0p1'
	sys_run srva 60 "set -e
		test \"\$(uname -r)\" = '$k'
		f=\$(modinfo -n aoe); echo \"\$(uname -r): \$f\"
		test \"\$f\" = /lib/modules/$k/updates/dkms/aoe.ko.xz ||
			test \"\$f\" = /lib/modules/$k/updates/dkms/aoe.ko
		test \"\$(cat /sys/module/aoe/version)\" = '$version'
		dkms status aoe" || sys_fail "boot $n ($k): not DKMS's module"
	sys_run srva 60 'systemctl --no-block poweroff' >/dev/null
	sys_wait_exit srva 300 || sys_fail "srva ($k) did not power off"
	sys_log "boot $n: $k loaded DKMS's aoe $version and found e0.0"
done <"$SYS_IMAGE/kvers"
[ "$n" -ge 2 ] || sys_fail "the image has $n kernels, not two"
