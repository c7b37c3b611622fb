# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sys-ci: yes
# sys-kernels: all
#
# Boot: the DKMS module is loaded by aoetools' modules-load.d file, udev
# makes /dev/etherd's character devices with aoetools' modes, udev pulls in
# aoe-discover.service, the disk appears; then conf/fstab.example's
# `_netdev` line and conf/auto.*.example's autofs map are installed, and
# after a reboot systemd mounts the first and autofs the second on first
# access. A second reboot: all of it again, with the files written before.
# Planted fault: SYS_FAULT=nomodule deletes the DKMS module before the
# reboot (the distribution's aoe.ko then loads, and the check says so).

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$SYS_REPO/dkms.conf")

# The checks of every boot, inside the initiator.
boot_checks="
set -e
f=\$(modinfo -n aoe); v=\$(modinfo -F version aoe)
echo \"modinfo: \$f version \$v\"
case \$f in */updates/dkms/*) ;; *) echo 'not the DKMS module'; exit 1 ;; esac
[ \"\$v\" = '$version' ] || { echo 'not version $version'; exit 1; }
[ \"\$(cat /sys/module/aoe/version)\" = '$version' ] ||
	{ echo 'the loaded module is not version $version'; exit 1; }
journalctl -b -o cat -t systemd-modules-load | grep \"Inserted module 'aoe'\"
for n in discover:220 interfaces:220 revalidate:220 flush:220 err:440; do
	st=\$(stat -c '%F %a %G' /dev/etherd/\${n%:*})
	echo \"/dev/etherd/\${n%:*}: \$st\"
	[ \"\$st\" = \"character special file \${n#*:} disk\" ]
done
journalctl -b -o cat -u aoe-discover.service | grep -E 'Finished|Deactivated successfully'
"
# What a failed check is looked at with.
diagnose() {
	sys_run srva 60 'systemctl status --no-pager aoe-discover.service
		systemctl list-units --no-pager --all "*aoe*" "*etherd*"
		udevadm info /sys/devices/virtual/aoe/discover
		journalctl -b --no-pager -o short-monotonic | grep -i aoe | tail -n 30'
	sys_fail "$1"
}
disk_up='test -b /dev/etherd/e0.0p1 && test -b /dev/etherd/e0.0p2'
mounts_checks="
set -e
findmnt -n -o SOURCE,FSTYPE /srv/daily | grep -x '/dev/etherd/e0.0p2 *ext3'
systemctl is-active srv-daily.mount
ls /auto/daily >/dev/null
findmnt -n -o SOURCE,FSTYPE /auto/daily | grep -x '/dev/etherd/e0.0p1 *ext3'
"

sys_disk "$SYS_DIR/disk.raw" 1G 256:ext3:daily :ext3:backup
sys_target 1 "$SYS_DIR/disk.raw"
sys_vblade 0 0 /dev/vda
t0=$SECONDS
sys_initiator srva 0
sys_wait_agent srva 600
sys_wait_booted srva 300
sys_poll srva 120 "$disk_up"
sys_log "boot 1: e0.0 and its partitions $((SECONDS - t0)) s after qemu started"
sys_run srva 60 "$boot_checks" || diagnose "boot 1: checks failed"

# As the README tells an administrator: the shipped examples, unchanged.
sys_run srva 60 "set -e
grep e0.0p2 >>/etc/fstab <<'EOF_FSTAB'
$(cat "$SYS_REPO/conf/fstab.example")
EOF_FSTAB
mkdir -p /srv/daily /etc/auto.master.d
grep -v '^#' >/etc/auto.master.d/aoe.autofs <<'EOF_MASTER'
$(cat "$SYS_REPO/conf/auto.master.example")
EOF_MASTER
grep -v '^#' >/etc/auto.daily <<'EOF_DAILY'
$(cat "$SYS_REPO/conf/auto.daily.example")
EOF_DAILY
cat /etc/fstab /etc/auto.master.d/aoe.autofs /etc/auto.daily" ||
	sys_fail "could not install the fstab line and the autofs map"
if [ "${SYS_FAULT:-}" = nomodule ]; then
	sys_log "PLANTED FAULT: the DKMS module is deleted from the image"
	sys_run srva 60 'rm -f /lib/modules/*/updates/dkms/aoe.ko*; depmod -a'
fi

for boot in 2 3; do
	sys_reboot srva 600
	sys_wait_booted srva 300
	sys_poll srva 120 "$disk_up"
	sys_run srva 60 "$boot_checks" || diagnose "boot $boot: checks failed"
	sys_poll srva 120 'mountpoint -q /srv/daily'
	sys_run srva 60 "$mounts_checks" || diagnose "boot $boot: mounts"
	if [ "$boot" = 2 ]; then
		sys_run srva 60 'set -e; echo fstab >/srv/daily/boot2
			echo autofs >/auto/daily/boot2; sync' ||
			sys_fail "could not write to the mounts"
	else
		sys_run srva 60 'set -e; grep -x fstab /srv/daily/boot2
			grep -x autofs /auto/daily/boot2' ||
			sys_fail "boot 3: the files of boot 2 are not there"
	fi
	sys_log "boot $boot: modules-load, udev modes, aoe-discover.service, _netdev and autofs mounts OK"
done
sys_run srva 60 'systemctl --no-block poweroff' >/dev/null
sys_wait_exit srva 300 || sys_fail "srva did not power off in 300 s"
