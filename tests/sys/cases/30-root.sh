# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sys-ci: no
# sys-kernels: all
#
# Root on AoE: an initiator with no disk boots from /dev/etherd/e0.0p1
# (the image's root as partition 1 of the target's disk) through Debian's
# initramfs-tools and aoetools' hooks, with the kernel command line of the
# README's "Root filesystem on AoE". The initramfs must load DKMS's module.
# /etc/network/interfaces takes eth0 down when networking stops (a `down`
# line); then `systemctl poweroff`, SYS_ROOT_ROUNDS times (default 1,
# issue 19's test: 5): each power-off within 60 s, the root filesystem
# clean on the target (no needs_recovery, e2fsck -fn), no I/O error.
# Planted faults: SYS_FAULT=nomodule (modprobe.blacklist=aoe: as an
# initramfs without the module, the root never appears; SYS_BOOT_WAIT=240
# shortens the wait for it) and
# SYS_FAULT=nohook (conf/aoe-networking.conf removed: eth0 goes down under
# the root).

cmdline="root=/dev/etherd/e0.0p1 rw rootdelay=60 ${SYS_ROOT_IP:-ip=:::::eth0:none}"
rounds=${SYS_ROOT_ROUNDS:-1}
if [ "${SYS_FAULT:-}" = nomodule ]; then
	sys_log "PLANTED FAULT: the initramfs may not load aoe"
	cmdline="$cmdline modprobe.blacklist=aoe"
fi
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SYS_REPO/dkms.conf")
disk=$SYS_DIR/rootdisk.qcow2
qemu-img create -q -f qcow2 -F raw -b "$SYS_IMAGE/rootdisk.raw" "$disk"
sys_target 1 "$disk"
sys_vblade 0 0 /dev/vda

for r in $(seq 1 "$rounds"); do
	t0=$SECONDS
	sys_initiator srva 0 "$cmdline" ""
	sys_wait_agent srva "${SYS_BOOT_WAIT:-600}"
	sys_wait_booted srva 300
	sys_log "round $r: booted from AoE, agent answered $((SECONDS - t0)) s after qemu started"
	sys_run srva 60 "set -e
		findmnt -n -o SOURCE,FSTYPE / | grep -x '/dev/etherd/e0.0p1 *ext4'
		test \"\$(cat /sys/module/aoe/version)\" = '$version'
		cat /sys/block/etherd!e0.0/netif
		dmesg | grep -m1 'EXT4-fs (etherd!e0.0p1): mounted'" ||
		sys_fail "round $r: the root is not DKMS's aoe e0.0p1"
	if [ "$r" = 1 ]; then
		sys_run srva 60 'set -e
			printf "\tdown ip link set eth0 down\n" >>/etc/network/interfaces
			systemctl cat networking.service | grep -A1 "^ExecStop="'
		if [ "${SYS_FAULT:-}" = nohook ]; then
			sys_log "PLANTED FAULT: the networking.service drop-in removed"
			sys_run srva 60 'rm /etc/systemd/system/networking.service.d/aoe.conf
				systemctl daemon-reload'
		fi
	fi
	sys_run srva 60 'echo "round marker" >/root/round; sync' >/dev/null
	t1=$SECONDS
	sys_run srva 30 'systemctl --no-block poweroff' >/dev/null
	sys_wait_exit srva 300 || sys_fail "round $r: no power-off in 300 s"
	took=$((SECONDS - t1))
	sys_log "round $r: power-off took $took s"
	mv "$SYS_DIR/srva.log" "$SYS_DIR/srva-$r.log"
	[ "$took" -le 60 ] || sys_fail "round $r: the power-off took $took s (over 60)"
	if grep -aE 'I/O error|Aborting journal|device down|no usable path' "$SYS_DIR/srva-$r.log" |
		head -n5 | grep .; then
		sys_fail "round $r: I/O errors under the root"
	fi
	sys_run target 120 'sync; echo 3 >/proc/sys/vm/drop_caches
		if dumpe2fs -h /dev/vda1 2>/dev/null | grep -q needs_recovery; then
			echo "the root needs journal recovery"; exit 1; fi
		e2fsck -fn /dev/vda1 >/tmp/fsck.out 2>&1 ||
			{ cat /tmp/fsck.out; exit 1; }' ||
		sys_fail "round $r: the root filesystem is not clean on the target"
	grep -a 'aoe: leaving eth0 up' "$SYS_DIR/srva-$r.log" | head -n1 | sed 's/^/   /'
	sys_log "round $r: root clean on the target, no I/O error"
done
