#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reservations (AoE command 3) against vblade, with a second host on the
# same segment: aoersvctl in its own netns (aoehostb), bridged with our
# link inside the target's netns. Through aoe-reserve and the pr ioctls:
# - B holds e0.0: our reads and writes fail within 2 s with the
#   reservation-conflict status (EBADE), the device stays up, the log names
#   the refusal, our reserve fails with exit 2; B releases: I/O works.
# - We reserve: "this host", B is refused (error 6), fio verify here works;
#   we release: "none", B is served.
# - The guard (aoe_reserve_open=1): with B holding the disk an open for
#   writing fails with EBUSY within 2 s; without, the write open reserves
#   and the last close releases.
# - B "dies" holding the disk: force takes it over.
# - Guard off: a write open with B holding the disk succeeds (the stock
#   behaviour), only its I/O is refused.
# timeout: 600
# driver: ours
. /tests/lib.sh

hb=aoehostb
cleanup_b() { ip netns del "$hb" 2>/dev/null || true; }
trap cleanup_b EXIT

net_setup
ip netns add "$hb"
ip link add aoeh0 netns "$hb" type veth peer name aoeb0 netns "$AOE_NETNS"
tgt ip link add br0 type bridge
for l in aoet0 aoeb0; do tgt ip link set "$l" master br0; done
tgt ip link set aoeb0 up
tgt ip link set br0 up
ip -n "$hb" link set aoeh0 up
wait_for 10 link_is_up "$hb" aoeh0 || fail "host B's link not up"
wait_for 10 link_is_up "$AOE_NETNS" br0 || fail "br0 not up"
B() { ip netns exec "$hb" aoersvctl aoeh0 0.0 "$@"; }
mac_b=$(ip netns exec "$hb" cat /sys/class/net/aoeh0/address)
mac_b=${mac_b//:/}

f=$(mkfile e0.0 64M)
vblade_start 0 0 br0 "$f"
aoe_attach
sys=$(aoe_sys 0 0)
rsv() { cat "$sys/reservation"; }
rsv_is() { [ "$(rsv)" = "$1" ]; }
assert_eq none "$(rsv)" "reservation at the start"

# fails_fast WHAT ERROR CMD...: CMD fails within 2 s, its stderr has ERROR.
fails_fast() {
	local what=$1 want=$2 t0 t1 rc=0
	shift 2
	t0=$(now_cs)
	"$@" 2>"$AOE_TMP/err" >/dev/null || rc=$?
	t1=$(now_cs)
	info "$what: exit $rc after $((t1 - t0))0 ms: $(head -c 200 "$AOE_TMP/err")"
	[ "$rc" != 0 ] || fail "$what: succeeded"
	grep -q "$want" "$AOE_TMP/err" || fail "$what: not '$want'"
	[ $((t1 - t0)) -lt 200 ] || fail "$what: took $((t1 - t0))0 ms, not under 2 s"
}
rd() { dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none; }
wr() { dd if=/dev/zero of="$dev" bs=4k count=1 seek=100 oflag=direct status=none; }
verify() {
	fio --name=rsv --filename="$dev" --direct=1 --rw=randwrite --bs=16k \
		--size=16M --iodepth=8 --ioengine=libaio --verify=crc32c \
		--verify_fatal=1 --output="$AOE_TMP/fio.out" ||
		{ cat "$AOE_TMP/fio.out"; fail "fio verify: $1"; }
}

info "== B holds e0.0"
B set || fail "B could not reserve"
fails_fast "our read" "Invalid exchange" rd
fails_fast "our write" "Invalid exchange" wr
assert_eq up "$(aoe_state 0 0)" "state while B holds the disk"
dmesg | grep -q "e0.0: reserved by another host" ||
	fail "no 'reserved by another host' in the kernel log"
info "reservation: $(rsv)"
rsv_is "$mac_b" || rsv_is "another host" || fail "reservation reads '$(rsv)'"
rc=0; aoe-reserve reserve e0.0 || rc=$?
assert_eq 2 "$rc" "aoe-reserve reserve while B holds the disk"
B release
verify "after B released"

info "== we hold e0.0"
aoe-reserve reserve e0.0 || fail "aoe-reserve reserve"
assert_eq "this host" "$(rsv)" "reservation after ours"
aoe-reserve status e0.0
rc=0; B ata-read || rc=$?
assert_eq 6 "$rc" "B's read while we hold the disk"
rc=0; B set || rc=$?
assert_eq 6 "$rc" "B's reserve while we hold the disk"
verify "while we hold the disk"
aoe-reserve release e0.0 || fail "aoe-reserve release"
assert_eq none "$(rsv)" "reservation after our release"
B ata-read || fail "B not served after our release"

info "== the guard"
echo 1 >/sys/module/aoe/parameters/aoe_reserve_open
B set
fails_fast "write open while B holds the disk" "resource busy" \
	sh -c "exec 8>$dev"
dmesg | grep -q "e0.0: held by another host's reservation" ||
	fail "no guard message in the kernel log"
B release
exec 8>"$dev"
assert_eq "this host" "$(rsv)" "reservation while open for writing"
rc=0; B ata-read || rc=$?
assert_eq 6 "$rc" "B's read while we have the disk open for writing"
exec 8>&-
wait_for 10 rsv_is none || fail "reservation '$(rsv)' after the last close"

info "== B dies holding e0.0: force"
echo 0 >/sys/module/aoe/parameters/aoe_reserve_open
B set
aoe-reserve force e0.0 || fail "aoe-reserve force"
assert_eq "this host" "$(rsv)" "reservation after force"
rc=0; B ata-read || rc=$?
assert_eq 6 "$rc" "B's read after our force"
aoe-reserve clear e0.0 || fail "aoe-reserve clear"
assert_eq none "$(rsv)" "reservation after clear"

info "== guard off: the stock behaviour"
B set
exec 8>"$dev" || fail "write open refused with the guard off"
fails_fast "write with the guard off" "Invalid exchange" wr
exec 8>&-
B release
verify "at the end"
info "ok"
