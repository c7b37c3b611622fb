# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# sys-ci: no
# sys-kernels: all
#
# Two servers, one disk, one vblade: reservations (README "Two servers,
# one disk"), with the aoe-reserve that make dkms-install installed.
# 1. A reserves e0.0: B's reads and writes fail within 2 s with the
#    reservation-conflict status (EBADE); A writes and reads back 8 MiB
#    intact; A releases; B reserves and reads; B releases.
# 2. The guard on in both (aoe_reserve_open=1): A mounts read-write; B's
#    mount fails with EBUSY within 2 s and B's log names the reservation;
#    A unmounts (the guard releases); B mounts and finds A's files.
# 3. A mounts and writes, and is killed (its VM gone) holding e0.0: B's
#    mount fails; B's `aoe-reserve force` takes the disk over; e2fsck
#    replays the journal and is then clean; B mounts it.
# SYS_FAULT=noguard: the guard stays off in step 2, so B's mount must not
# fail (and the scenario does).

# The filesystem in the first 256 MiB; raw I/O beyond it.
sys_disk "$SYS_DIR/disk.raw" 512M 256:ext3:shared
sys_target 2 "$SYS_DIR/disk.raw"
sys_vblade 0 0 /dev/vda
sys_initiator srva 0
sys_initiator srvb 1
for n in srva srvb; do
	sys_wait_agent "$n" 600
	sys_wait_booted "$n" 300
	sys_poll "$n" 120 'test -b /dev/etherd/e0.0p1'
done

# fast_fail NAME WHAT ERROR CMD: CMD fails in NAME within 2 s, with ERROR in
# its output.
fast_fail() {
	sys_run "$1" 60 "t0=\$(date +%s%N); out=\$($4 2>&1); rc=\$?
		ms=\$(( (\$(date +%s%N) - t0) / 1000000 ))
		echo \"$2: exit \$rc after \$ms ms: \$out\"
		[ \$rc != 0 ] && [ \$ms -lt 2000 ] && echo \"\$out\" | grep -q '$3'" ||
		sys_fail "$1: $2 did not fail with '$3' within 2 s"
}
reservation() { sys_run "$1" 30 'cat "/sys/block/etherd!e0.0/reservation"'; }

sys_log "== 1: A reserves"
sys_run srva 30 'aoe-reserve reserve e0.0 && aoe-reserve status e0.0' ||
	sys_fail "srva: aoe-reserve reserve"
fast_fail srvb "read" "Invalid exchange" \
	"dd if=/dev/etherd/e0.0 of=/dev/null bs=4k count=1 iflag=direct"
fast_fail srvb "write" "Invalid exchange" \
	"dd if=/dev/zero of=/dev/etherd/e0.0 bs=4k count=1 seek=115200 oflag=direct"
sys_run srvb 30 'aoe-reserve status e0.0; aoe-reserve reserve e0.0; test $? = 2' ||
	sys_fail "srvb: reserve did not report a conflict"
sys_run srva 120 'set -e
	head -c 8M /dev/urandom >/tmp/blob
	dd if=/tmp/blob of=/dev/etherd/e0.0 bs=1M seek=400 oflag=direct status=none
	dd if=/dev/etherd/e0.0 bs=1M skip=400 count=8 iflag=direct status=none |
		cmp - /tmp/blob
	aoe-reserve release e0.0' || sys_fail "srva: I/O or release"
[ "$(reservation srva)" = none ] || sys_fail "srva: reservation not none"
sys_run srvb 60 'set -e; aoe-reserve reserve e0.0
	test "$(cat "/sys/block/etherd!e0.0/reservation")" = "this host"
	dd if=/dev/etherd/e0.0 of=/dev/null bs=1M count=4 iflag=direct status=none
	aoe-reserve release e0.0' || sys_fail "srvb: reserve, read, release"
sys_log "1: conflicts fast on B, A's I/O intact, each reserved in turn"

sys_log "== 2: the guard"
guard=1
if [ "${SYS_FAULT:-}" = noguard ]; then
	sys_log "PLANTED FAULT: the guard stays off"
	guard=0
fi
for n in srva srvb; do
	sys_run "$n" 10 "echo $guard >/sys/module/aoe/parameters/aoe_reserve_open" ||
		sys_fail "$n: cannot set aoe_reserve_open"
done
sums=$(sys_run srva 120 'set -e
	mkdir -p /mnt/m; mount /dev/etherd/e0.0p1 /mnt/m
	mkdir -p /mnt/m/a
	for i in $(seq 1 20); do head -c $((i * 8192)) /dev/urandom >/mnt/m/a/f$i; done
	sync; cd /mnt/m && md5sum a/*') || sys_fail "srva: mount and write"
echo "$sums" >"$SYS_DIR/sums"
[ "$(reservation srva)" = "this host" ] ||
	sys_fail "srva: mounted, but the reservation is '$(reservation srva)'"
sys_run srvb 10 'mkdir -p /mnt/m'
fast_fail srvb "mount" "busy" "mount /dev/etherd/e0.0p1 /mnt/m"
sys_run srvb 30 "journalctl -k -b --no-pager | grep 'e0.0: held by another host' &&
	journalctl -k -b --no-pager | grep 'e0.0: reserved by'" ||
	sys_fail "srvb: its log does not say who holds e0.0"
sys_run srva 60 'umount /mnt/m' || sys_fail "srva: umount"
sys_poll srva 30 'test "$(cat "/sys/block/etherd!e0.0/reservation")" = none'
sys_run srvb 120 "set -e; mount /dev/etherd/e0.0p1 /mnt/m
	cd /mnt/m && md5sum -c --quiet <<'EOF_SUMS'
$(cat "$SYS_DIR/sums")
EOF_SUMS
	cd /; umount /mnt/m" || sys_fail "srvb: mount after A, or A's files differ"
sys_log "2: B's mount refused while A had it mounted, then B found A's files"

sys_log "== 3: A dies holding the disk"
sys_run srva 120 'set -e; mount /dev/etherd/e0.0p1 /mnt/m
	for i in $(seq 1 20); do head -c 65536 /dev/urandom >>/mnt/m/a/f$i; done
	sync; head -c 1M /dev/urandom >/mnt/m/a/late' || sys_fail "srva: write"
kill -9 "${sys_pid[srva]}"
wait "${sys_pid[srva]}" 2>/dev/null
sys_pid[srva]=
sys_log "srva killed"
fast_fail srvb "mount" "busy" "mount /dev/etherd/e0.0p1 /mnt/m"
sys_run srvb 300 'set -e
	aoe-reserve force e0.0
	rc=0; e2fsck -fy /dev/etherd/e0.0p1 || rc=$?
	echo "e2fsck -fy: $rc"; test "$rc" -le 1
	e2fsck -fn /dev/etherd/e0.0p1
	mount /dev/etherd/e0.0p1 /mnt/m; ls /mnt/m/a | wc -l; umount /mnt/m' ||
	sys_fail "srvb: force, e2fsck or mount"
sys_poll srvb 30 'test "$(cat "/sys/block/etherd!e0.0/reservation")" = none' ||
	sys_fail "srvb: still reserved after its last close"
sys_log "3: B forced the reservation, e2fsck clean after replay, mounted"
