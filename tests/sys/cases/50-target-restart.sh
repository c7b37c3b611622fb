# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sys-ci: no
# sys-kernels: all
#
# Target restart under a real system: server A has e0.0p1 mounted and a
# writer service fsyncing files; the target's vblade is killed, stays away
# for 20 s and is started again. I/O resumes well within aoe_deadsecs
# (default 180 s), the journal shows the stall and its end, no I/O error
# reaches the filesystem, and after a remount every synced file verifies
# and e2fsck -fn is clean.

sys_disk "$SYS_DIR/disk.raw" 512M :ext4:restart
sys_target 1 "$SYS_DIR/disk.raw"
sys_vblade 0 0 /dev/vda
sys_initiator srva 0
sys_wait_agent srva 600
sys_wait_booted srva 300
sys_poll srva 120 'test -b /dev/etherd/e0.0p1'
sys_run srva 60 'set -e; mkdir -p /mnt/r; mount /dev/etherd/e0.0p1 /mnt/r
systemd-run --unit=writer sh -c "i=0
while :; do
	i=\$((i + 1))
	head -c 131072 /dev/urandom >/mnt/r/f\$i
	sync /mnt/r/f\$i /mnt/r || exit 1
	echo \"SYNCED f\$i \$(md5sum </mnt/r/f\$i | cut -d\" \" -f1)\" >/dev/kmsg
done"' || sys_fail "could not mount and start the writer"

synced() { grep -ac 'SYNCED f' "$SYS_DIR/srva.log"; }
wait_synced() {
	local deadline=$((SECONDS + $2))
	while [ "$(synced)" -lt "$1" ]; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 1
	done
}
wait_synced 5 120 || sys_fail "the writer synced fewer than 5 files in 120 s"
sys_run target 30 'kill $(cat /tmp/vblade-0.0.pid)' || sys_fail "could not stop vblade"
sys_log "vblade stopped after $(synced) synced files; restarting it in 20 s"
sleep 20	# the outage itself, not a wait for a state
before=$(synced)
t0=$SECONDS
sys_vblade 0 0 /dev/vda
wait_synced $((before + 5)) 170 ||
	sys_fail "I/O did not resume within 170 s of vblade's restart"
sys_log "5 more files synced $((SECONDS - t0)) s after vblade came back"
sys_run srva 120 'systemctl stop writer; sync' >/dev/null

grep -a 'SYNCED f' "$SYS_DIR/srva.log" | sed 's/.*SYNCED //' | tr -d '\r' >"$SYS_DIR/synced"
sys_run srva 300 "set -e
umount /mnt/r
e2fsck -fn /dev/etherd/e0.0p1
mount /dev/etherd/e0.0p1 /mnt/r
bad=0
while read -r f sum; do
	got=\$(md5sum </mnt/r/\$f | cut -d' ' -f1)
	[ \"\$got\" = \"\$sum\" ] || { echo \"\$f: md5 \$got, synced \$sum\"; bad=1; }
done <<'EOF_SYNCED'
$(cat "$SYS_DIR/synced")
EOF_SYNCED
umount /mnt/r
exit \$bad" || sys_fail "synced data lost or e2fsck not clean after the restart"
sys_log "$(wc -l <"$SYS_DIR/synced") synced files verified, e2fsck -fn clean"
grep -aE 'e0.0: (no answer for .*retransmitting|answering again)' "$SYS_DIR/srva.log" |
	sed 's/^/   journal: /' | head -n4
grep -aq 'e0.0: answering again' "$SYS_DIR/srva.log" ||
	sys_fail "the journal does not show the stall's end"
if grep -aE 'I/O error|EXT4-fs error|device down|Aborting journal' "$SYS_DIR/srva.log" | head -n5 | grep .; then
	sys_fail "I/O errors in srva's log"
fi
