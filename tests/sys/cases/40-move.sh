# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sys-ci: no
# sys-kernels: all
#
# Moving a disk between servers, as the README tells it: both servers are
# up on the same segment and both have seen e0.0 at boot. Server A mounts
# it, writes files, unmounts and runs `aoe-flush e0.0`; server B runs
# `aoe-discover`, mounts it, finds every file with A's checksums, and
# e2fsck -fn is clean after B unmounts. Neither log has an error.
# SYS_FAULT=nounmount: A only syncs (stays mounted) before B mounts, and
# B reads after A wrote more: checksums or e2fsck must show it.

sys_disk "$SYS_DIR/disk.raw" 512M :ext3:moved
sys_target 2 "$SYS_DIR/disk.raw"
sys_vblade 0 0 /dev/vda
sys_initiator srva 0
sys_initiator srvb 1
sys_wait_agent srva 600
sys_wait_agent srvb 600
sys_wait_booted srva 300
sys_wait_booted srvb 300
sys_poll srva 120 'test -b /dev/etherd/e0.0p1'
sys_poll srvb 120 'test -b /dev/etherd/e0.0p1'
# B has read the disk's first blocks already (udev's blkid probe).
sys_run srvb 30 'blkid /dev/etherd/e0.0p1' || sys_fail "srvb: blkid"

sums=$(sys_run srva 300 'set -e
mkdir -p /mnt/m; mount /dev/etherd/e0.0p1 /mnt/m
mkdir -p /mnt/m/tree
for i in $(seq 1 40); do
	head -c $((i * 16384)) /dev/urandom >/mnt/m/tree/file$i
done
cp -a /etc /mnt/m/tree/etc
cd /mnt/m && find tree -type f -print0 | sort -z | xargs -0 md5sum') ||
	sys_fail "srva: could not write the files"
echo "$sums" >"$SYS_DIR/sums"
sys_log "srva wrote $(wc -l <"$SYS_DIR/sums") files"
if [ "${SYS_FAULT:-}" = nounmount ]; then
	sys_log "PLANTED FAULT: A stays mounted and keeps writing"
	sys_run srva 60 'sync; for i in $(seq 1 40); do
		head -c 4096 /dev/urandom >>/mnt/m/tree/file$i; done
		mv /mnt/m/tree/etc /mnt/m/tree/etc.old' >/dev/null
else
	sys_run srva 120 'set -e; umount /mnt/m; aoe-flush e0.0
		for i in $(seq 1 50); do test -e /dev/etherd/e0.0 || break; sleep 0.2; done
		! test -e /dev/etherd/e0.0' ||
		sys_fail "srva: umount and aoe-flush"
	sys_log "srva unmounted and flushed e0.0"
fi

sys_run srvb 120 'aoe-discover'
sys_poll srvb 60 'test -b /dev/etherd/e0.0p1'
sys_run srvb 300 "set -e
mkdir -p /mnt/m; mount /dev/etherd/e0.0p1 /mnt/m
cd /mnt/m && md5sum -c --quiet <<'EOF_SUMS'
$(cat "$SYS_DIR/sums")
EOF_SUMS
cd /; umount /mnt/m
e2fsck -fn /dev/etherd/e0.0p1" ||
	sys_fail "srvb: files differ from srva's or e2fsck is not clean"
sys_log "srvb: every file has srva's checksum, e2fsck -fn clean"
for n in srva srvb; do
	if grep -aE 'I/O error|EXT4-fs error|device down' "$SYS_DIR/$n.log" | head -n3 | grep .; then
		sys_fail "errors in $n's log"
	fi
	sys_run "$n" 60 'test "$(systemctl is-system-running)" = running' ||
		sys_fail "$n is not running normally"
done
