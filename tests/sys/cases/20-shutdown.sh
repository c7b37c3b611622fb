# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sys-ci: no
# sys-kernels: all
#
# Shutdown: `systemctl poweroff` while a writer is busy on the `_netdev`
# mount of conf/fstab.example. /etc/network/interfaces takes eth0 down when
# networking.service stops (a `down` line, as administrators write it).
# The filesystem must be unmounted before networking.service begins to
# stop; on the
# target afterwards it needs no journal recovery, e2fsck -fn is clean, and
# every file whose fsync returned (the writer logs each one to the serial
# console) has its content. No I/O error in the initiator's log.
# SYS_FAULT=plain: the same fstab line without _netdev (systemd then treats
# it as a local filesystem: the unmount and the network's stop start
# together and race): this fails the ordering check.

sys_disk "$SYS_DIR/disk.raw" 1G 256:ext3:daily :ext3:backup
sys_target 1 "$SYS_DIR/disk.raw"
sys_vblade 0 0 /dev/vda
sys_initiator srva 0
sys_wait_agent srva 600
sys_wait_booted srva 300

opts=_netdev,
if [ "${SYS_FAULT:-}" = plain ]; then
	sys_log "PLANTED FAULT: the fstab line without _netdev"
	opts=
fi
sys_run srva 60 "set -e
grep e0.0p2 <<'EOF_FSTAB' | sed 's/_netdev,/$opts/' >>/etc/fstab
$(cat "$SYS_REPO/conf/fstab.example")
EOF_FSTAB
mkdir -p /srv/daily
printf '\tdown ip link set eth0 down\n' >>/etc/network/interfaces
cat /etc/fstab /etc/network/interfaces" || sys_fail "could not configure"
sys_reboot srva 600
sys_wait_booted srva 300
sys_poll srva 120 'mountpoint -q /srv/daily'

# Each file: written, fsynced with its directory, then logged. A service of
# its own (as a backup job would be), so it is stopped before the unmount.
sys_run srva 30 "systemd-run --unit=writer -p RequiresMountsFor=/srv/daily sh -c 'i=0
while :; do
	i=\$((i + 1))
	head -c 262144 /dev/urandom >/srv/daily/f\$i
	sync /srv/daily/f\$i /srv/daily || exit 1
	echo \"SYNCED f\$i \$(md5sum </srv/daily/f\$i | cut -d\" \" -f1)\" >/dev/kmsg
done'" || sys_fail "could not start the writer"
deadline=$((SECONDS + 120))
while [ "$(grep -ac 'SYNCED f' "$SYS_DIR/srva.log")" -lt 5 ]; do
	[ "$SECONDS" -lt "$deadline" ] || sys_fail "the writer synced fewer than 5 files in 120 s"
	sleep 1
done
t0=$SECONDS
sys_run srva 30 'systemctl --no-block poweroff' >/dev/null
sys_wait_exit srva 300 || sys_fail "srva did not power off in 300 s"
sys_log "poweroff with the writer running took $((SECONDS - t0)) s"

# The order systemd stopped things in, from srva's console: the unmount
# must have ended before networking.service began to stop. (Without
# _netdev nothing orders the two: both start at once and the unmount
# merely races the `down` line.)
order_ok() {	# LOG: 0 if /srv/daily was unmounted before networking stopped
	local u n
	u=$(grep -an 'Unmounted srv-daily.mount' "$1" | tail -n1 | cut -d: -f1)
	n=$(grep -an 'Stopping networking.service' "$1" | tail -n1 | cut -d: -f1)
	echo "   console lines: /srv/daily unmounted at ${u:-never}, networking began to stop at ${n:-never}"
	[ -n "$u" ] && [ -n "$n" ] && [ "$u" -lt "$n" ]
}
ok=1
if ! order_ok "$SYS_DIR/srva.log"; then
	echo "   /srv/daily was not unmounted before the network began to stop"
	ok=0
fi
if grep -aE 'I/O error|Aborting journal|device down' "$SYS_DIR/srva.log" | head -n5 | grep .; then
	echo "   I/O errors in srva's log"
	ok=0
fi

# On the target: the medium as vblade left it.
grep -a 'SYNCED f' "$SYS_DIR/srva.log" | sed 's/.*SYNCED //' | tr -d '\r' >"$SYS_DIR/synced"
sys_log "$(wc -l <"$SYS_DIR/synced") files were synced before the poweroff"
check="sync; echo 3 >/proc/sys/vm/drop_caches
if dumpe2fs -h /dev/vda2 2>/dev/null | grep -q needs_recovery; then
	echo 'the filesystem needs journal recovery'; exit 1
fi
e2fsck -fn /dev/vda2 || { echo 'e2fsck -fn is not clean'; exit 1; }
bad=0
while read -r f sum; do
	got=\$(debugfs -R \"cat /\$f\" /dev/vda2 </dev/null 2>/dev/null |
		md5sum | cut -d' ' -f1)
	[ \"\$got\" = \"\$sum\" ] ||
		{ echo \"\$f: md5 \$got, synced \$sum\"; bad=1; }
done <<'EOF_SYNCED'
$(cat "$SYS_DIR/synced")
EOF_SYNCED
exit \$bad"
sys_run target 300 "$check" || { echo "   the filesystem on the target is not clean or lost synced data"; ok=0; }
[ "$ok" = 1 ] || sys_fail "shutdown with a busy network filesystem"
sys_log "clean filesystem on the target, every synced file intact, no I/O error"
