#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo (make demo): the administrator's story, step by step, printed as
# a person follows it. A target (vblade) exports a disk over a private
# Ethernet link; this machine loads the aoe module, discovers the disk,
# partitions it, makes an ext3 filesystem, mounts it through fstab with
# _netdev, backs up a tree of files with rsync, unmounts and checks it.
# timeout: 600
. /tests/lib.sh

n=0
step() {	# step "what a person would say" command...
	local what=$1 rc
	shift
	n=$((n + 1))
	echo
	echo "== Step $n: $what"
	echo "   \$ $*"
	set +e
	"$@" 2>&1 | sed 's/^/     /'
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ]; then
		echo "   -> FAILED (exit $rc)"
		fail "step $n ($what) failed"
	fi
	echo "   -> ok"
}

echo "AoE demo: one 256 MiB disk exported by vblade as shelf 1, slot 0"
net_setup
disk=$(mkfile backup-disk 256M)
step "Start the target: vblade exports $disk as e1.0 on the storage link" \
	vblade_start 1 0 aoet0 "$disk"
step "Load the aoe module, restricted to the storage interface" \
	insmod "$AOE_KO" aoe_iflist=aoei0
step "Show the module's version and parameters" \
	sh -c 'echo "version $(cat /sys/module/aoe/version)"; for p in /sys/module/aoe/parameters/*; do echo "${p##*/}=$(cat $p)"; done'
step "Ask the network for AoE targets" aoe-discover
step "Wait for /dev/etherd/e1.0 to appear" wait_aoe_dev 30 1 0
step "List the AoE disks" aoe-stat
step "Partition it: one Linux partition over the whole disk" \
	sh -c 'echo "label: dos
,,L" | sfdisk -q /dev/etherd/e1.0 && sfdisk -l /dev/etherd/e1.0'
step "Wait for the partition node" wait_for 20 is_blockdev /dev/etherd/e1.0p1
step "Make an ext3 filesystem on it" mkfs.ext3 -q -L backup /dev/etherd/e1.0p1
step "No periodic fsck on a backup disk" tune2fs -i 0 -c 0 /dev/etherd/e1.0p1
step "Add it to /etc/fstab with _netdev (mounted after, unmounted before the network)" \
	sh -c 'mkdir -p /mnt/backup && echo "/dev/etherd/e1.0p1 /mnt/backup ext3 defaults,_netdev 0 2" >>/etc/fstab && cat /etc/fstab'
step "Mount it" mount /mnt/backup
step "Something worth backing up: a tree of files" \
	sh -c 'mkdir -p /tmp/home/docs /tmp/home/photos && for i in 1 2 3 4 5; do head -c $((i * 100000)) /dev/urandom >/tmp/home/docs/report$i; head -c $((i * 300000)) /dev/urandom >/tmp/home/photos/img$i; done && du -sh /tmp/home'
step "Nightly backup: rsync the tree to the AoE disk" \
	rsync -a --stats /tmp/home/ /mnt/backup/daily/
step "Unmount (as the network would go down)" umount /mnt/backup
step "Check the filesystem" e2fsck -fn /dev/etherd/e1.0p1
step "Mount again and compare with the originals" \
	sh -c 'mount /mnt/backup && diff -r /tmp/home /mnt/backup/daily && echo "identical" && umount /mnt/backup'
step "Unload the module" rmmod aoe
echo
echo "Demo finished: $n steps, all ok."
