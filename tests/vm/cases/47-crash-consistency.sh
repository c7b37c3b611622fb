#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Crash consistency on a volatile write cache: nothing that fsync
# acknowledged is lost when the target loses power. aoetgt --volatile holds
# acknowledged writes in its memory until a FLUSH; each round mounts the
# disk (ext4, then ext3), runs a writer that replaces files (write a
# temporary, fsync, rename over, fsync the directory) and renames fresh
# directories into place, recording each checksum only after the fsyncs
# returned (the record is on the VM's tmpfs, not on the AoE disk), beside
# a direct writer that never syncs; the power is cut (SIGUSR2) at a
# random moment after a random number of operations, losing every
# unflushed write (model all) or a random half of the dirty sectors (model
# subset), alternately. Then: the writer gets its I/O error, the mount goes,
# and on a copy of what reached the medium e2fsck -fy finds nothing beyond
# journal replay and orphan cleanup, e2fsck -fn is clean, and every recorded
# file and directory (this round's and every earlier round's) has its
# recorded content. The next round restarts the target on the medium and
# the same module (no reboot, no reload) brings the device back.
#
# Rounds per filesystem: aoetest_crash_rounds=N on the kernel command line
# (default 2, so 4 cuts; tests/vm/crash.sh runs the long version). The
# tally goes to the log as "@@CRASH-TALLY ..."; any lost file or unclean
# fsck fails the test after all rounds ran. The stock aoe.ko never sends
# FLUSH, so this test shows what it loses.
# timeout: 900
. /tests/lib.sh

rounds=$(cmdline_num aoetest_crash_rounds 2)
deadsecs=6

net_setup
medium=$(mkfile medium 192M)
mnt=/mnt/crash
chk=/mnt/check
mkdir -p "$mnt" "$chk"
dev=$(aoe_dev 0 0)
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
has_lines() { [ "$(lines "$1")" -ge "$2" ]; }	# has_lines FILE N

# writer DIR REC: replace files and rename directories under DIR until an
# I/O error; REC gets "pending fN SUM" before and "file fN SUM" after a
# file's fsyncs, "dir dN SUM" after a directory's.
writer() {
	local d=$1 rec=$2 n=0 i f t sum
	mkdir -p "$d/files" "$d/dirs" && sync "$d" "$d/files" "$d/dirs" || exit 1
	while :; do
		n=$((n + 1))
		if [ $((n % 4)) -eq 0 ]; then
			t=$d/dirs/.new$n
			mkdir "$t" || exit 1
			head -c $(((RANDOM % 48 + 1) * 1024)) /dev/urandom >"$t/data" || exit 1
			sum=$(md5sum <"$t/data")
			sync "$t/data" "$t" || exit 1
			mv "$t" "$d/dirs/d$n" || exit 1
			sync "$d/dirs" || exit 1
			echo "dir d$n ${sum%% *}" >>"$rec"
		else
			i=$((RANDOM % 12))
			f=$d/files/f$i
			head -c $(((RANDOM % 96 + 1) * 1024)) /dev/urandom >"$f.tmp" || exit 1
			sum=$(md5sum <"$f.tmp")
			echo "pending f$i ${sum%% *}" >>"$rec"
			sync "$f.tmp" || exit 1
			mv "$f.tmp" "$f" || exit 1
			sync "$d/files" || exit 1
			echo "file f$i ${sum%% *}" >>"$rec"
		fi
	done
}

# expect REC DIR: the checks for one round's record, as "PATH SUM [ALT]"
# lines (ALT: the content of an operation that was in flight at the cut,
# also acceptable; "-" stands for a missing file).
expect() {
	awk -v dir="$2" '
	$1 == "pending" { pend[$2] = $3; last = $2; next }
	$1 == "file" { done[$2] = $3; delete pend[$2]; next }
	$1 == "dir" { print dir "/dirs/" $2 "/data", $3 }
	END {
		for (f in done) {
			alt = (f in pend) ? pend[f] : ""
			print dir "/files/" f, done[f], alt
		}
		for (f in pend) if (!(f in done)) print dir "/files/" f, "-", pend[f]
	}' "$1"
}

# verify LIST ROOT: check every line of LIST against the tree at ROOT;
# prints the number checked, the bad ones go to stderr; returns the number
# of bad ones (capped).
verify() {
	local p want alt got bad=0 n=0
	while read -r p want alt; do
		n=$((n + 1))
		if [ -f "$ROOT$p" ]; then
			got=$(md5sum <"$ROOT$p")
			got=${got%% *}
		else
			got=-
		fi
		if [ "$got" != "$want" ] && [ "$got" != "${alt:-x}" ]; then
			echo "LOST: $p: recorded $want${alt:+ (or $alt)}, found $got" >&2
			bad=$((bad + 1))
		fi
	done <"$1"
	echo "$n"
	[ "$bad" -lt 100 ] || bad=99
	return "$bad"
}

# found LIST ROOT: LIST's paths with the content they have under ROOT.
found() {
	local p s
	while read -r p _; do
		if [ -f "$2$p" ]; then
			s=$(md5sum <"$2$p")
			echo "$p ${s%% *}"
		else
			echo "$p -"
		fi
	done <"$1"
}

# fsck_copy FILE: e2fsck -fy, then -fn; prints each problem -fy fixed
# beyond the journal replay and orphan cleanup (which print no question)
# and the superblock's free counts (not journaled, summed at mount), as
# "PROBLEM -> ANSWER"; empty: clean.
fsck_copy() {
	local rc=0
	e2fsck -fy "$1" >"$AOE_TMP/fsck.y" 2>&1 || rc=$?
	awk '/\? yes$/ {
			# A bare "Fix? yes" belongs to the line before it.
			print ($0 ~ /^[A-Za-z ]+\? yes$/ ? prev " -> " $0 : $0)
			next
		}
		NF { prev = $0 }' \
		"$AOE_TMP/fsck.y" |
		grep -vE '^Free (blocks|inodes) count wrong \(' || true
	[ "$rc" -le 1 ] || echo "e2fsck -fy exit $rc"
	rc=0
	e2fsck -fn "$1" >"$AOE_TMP/fsck.n" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "e2fsck -fn after -fy: exit $rc"
		tail -n 5 "$AOE_TMP/fsck.n"
	fi
}

# The medium is formatted directly, as if at the factory.
fs_list="ext4 ext3"
aoe_load aoe_deadsecs=$deadsecs
cuts=0 checked=0 lost=0 fsck_bad=0 replays=0 written_back=0 lost_sectors=0
unmountable=0
declare -A tal_cuts tal_lost
# tally: the counts so far, into the test's output and the console.
tally() {
	local t="driver=$AOE_DRIVER cuts=$cuts (all ${tal_cuts[all]:-0}, subset ${tal_cuts[subset]:-0})"
	t+=" files_checked=$checked files_lost=$lost (all ${tal_lost[all]:-0}, subset ${tal_lost[subset]:-0})"
	t+=" fsck_unclean=$fsck_bad unmountable=$unmountable journal_replays=$replays"
	t+=" sectors_lost_at_cuts=$lost_sectors written_back=$written_back"
	echo "@@CRASH-TALLY $t"
	echo "@@CRASH-TALLY $t" >/dev/console 2>/dev/null || true
	tally_line=$t
}
for fs in $fs_list; do
	"mkfs.$fs" -q -F "$medium" || fail "mkfs.$fs"
	tune2fs -c 0 -i 0 "$medium" >/dev/null
	: >"$AOE_TMP/verified.$fs"
	for r in $(seq 1 "$rounds"); do
		model=all
		[ $((r % 2)) -eq 0 ] && model=subset
		info "== $fs round $r/$rounds, model $model"
		aoetgt_start -i aoet0 -s 0 -l 0 -f "$medium" --volatile "$model" \
			--seed $((RANDOM * 32768 + RANDOM)) --announce \
			--log "$AOE_TMP/tgt.$fs.$r.log"
		aoe_discover
		wait_for 30 aoe_state_is 0 0 up || {
			# The stock driver keeps a dead device down until it is
			# forgotten (see README): forget it and discover again.
			[ "$AOE_DRIVER" = stock ] && aoe-flush e0.0 2>/dev/null
			aoe_discover
			wait_for 30 aoe_state_is 0 0 up
		} || fail "$fs round $r: e0.0 not up (state $(aoe_state 0 0))"
		wait_for 30 aoe_dev_ready 0 0 || fail "$fs round $r: no disk"
		if ! mount -t "$fs" "$dev" "$mnt"; then
			# What an administrator would do; counted against the
			# round before.
			unmountable=$((unmountable + 1))
			echo "UNMOUNTABLE: $fs after round $((r - 1)): repaired with e2fsck -fy"
			e2fsck -fy "$medium" >"$AOE_TMP/fsck.medium" 2>&1 || true
			mount -t "$fs" "$dev" "$mnt" || {
				tally
				fail "$fs round $r: the disk does not mount even after e2fsck -fy"
			}
		fi

		rec=$AOE_TMP/rec.$fs.$r
		: >"$rec"
		writer "$mnt/r$r" "$rec" 2>"$AOE_TMP/writer.err" &
		wpid=$!
		# Unflushed writes in the cache at the cut: direct writes to a
		# file that nothing fsyncs (or records), which reach the
		# target at once and wait there for someone else's flush.
		dd if=/dev/zero of="$mnt/r$r.noise" bs=64k count=16 conv=fsync status=none
		( while dd if=/dev/urandom of="$mnt/r$r.noise" bs=64k count=16 \
			oflag=direct conv=notrunc status=none 2>/dev/null; do :; done ) &
		npid=$!
		ops=$((RANDOM % 30 + 8))
		wait_for 120 has_lines "$rec" "$ops" ||
			fail "$fs round $r: writer did only $(lines "$rec") of $ops operations"
		# The cut's moment within an operation is random too.
		sleep "0.$((RANDOM % 10))"
		kill -USR2 "$tpid"
		wait_for 20 none_alive "$tpid" || fail "aoetgt did not stop at the cut"
		cuts=$((cuts + 1))
		tal_cuts[$model]=$((${tal_cuts[$model]:-0} + 1))
		sed -n 's/^aoetgt: power cut/   power cut/p' "$AOE_TMP/aoetgt.out"
		wb=$(sed -n 's/.* \([0-9]*\) written back, \([0-9]*\) lost.*/\1 \2/p' \
			"$AOE_TMP/aoetgt.out")
		written_back=$((written_back + ${wb% *}))
		lost_sectors=$((lost_sectors + ${wb#* }))

		# The dead device fails the writer's I/O; the mount goes.
		wait_for $((deadsecs * 4 + 30)) none_alive "$wpid" ||
			fail "$fs round $r: writer still running $((deadsecs * 4 + 30)) s after the cut"
		wait "$wpid" 2>/dev/null || true
		kill "$npid" 2>/dev/null || true
		wait "$npid" 2>/dev/null || true
		info "writer stopped after $(lines "$rec") records: $(tail -n1 "$AOE_TMP/writer.err")"
		wait_for 60 umount "$mnt" || fail "$fs round $r: umount failed"
		wait_for 60 aoe_state_is 0 0 "down*" ||
			fail "$fs round $r: e0.0 not down after the cut"

		# What reached the medium, checked on a copy.
		dd if="$medium" of="$AOE_TMP/copy" bs=1M conv=sparse status=none
		bad=$(fsck_copy "$AOE_TMP/copy")
		grep -q 'recovering journal' "$AOE_TMP/fsck.y" && replays=$((replays + 1))
		if [ -n "$bad" ]; then
			fsck_bad=$((fsck_bad + 1))
			echo "FSCK: $fs round $r:"
			echo "$bad" | head -n 20 | sed 's/^/FSCK:   /'
		fi
		mount -o ro,loop -t "$fs" "$AOE_TMP/copy" "$chk" ||
			fail "$fs round $r: the copy does not mount"
		expect "$rec" "/r$r" >>"$AOE_TMP/verified.$fs"
		nb=0
		n=$(ROOT=$chk verify "$AOE_TMP/verified.$fs") || nb=$?
		# Later rounds must find what this one found (an in-flight
		# file settled one way, a lost file stays lost).
		found "$AOE_TMP/verified.$fs" "$chk" >"$AOE_TMP/verified.new"
		mv "$AOE_TMP/verified.new" "$AOE_TMP/verified.$fs"
		umount "$chk"
		losetup -D
		rm -f "$AOE_TMP/copy"
		checked=$((checked + n))
		lost=$((lost + nb))
		tal_lost[$model]=$((${tal_lost[$model]:-0} + nb))
		info "$fs round $r: $n files checked, $nb lost${bad:+, fsck not clean}"
	done
done
aoe_unload 60

tally
[ "$lost" -eq 0 ] || fail "$lost recorded file(s) lost or wrong after $cuts power cuts"
[ "$fsck_bad" -eq 0 ] || fail "e2fsck found damage after $fsck_bad of $cuts power cuts"
[ "$unmountable" -eq 0 ] || fail "the filesystem did not mount after $unmountable of $cuts power cuts"
info "ok: $tally_line"
