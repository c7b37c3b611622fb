#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fresh-machine.sh [options]
#
# The README's commands as a new user meets them: on a fresh, minimal
# Debian 12 root (debootstrap --variant=minbase bookworm, plus git and
# make, nothing else), as root with no terminal, clone this checkout and
# run the README's first command, `make demo`, twice (a first run installs
# everything; the second must work as well on the same root). Prints each
# command's exit status, wall time and last lines, then a summary.
#
#   --check        also run the test command, `make check`, after the demos
#   --runs N       how many `make demo` runs (default 2)
#   --keep         leave the root in place afterwards (for a look inside)
#   --rebuild      debootstrap the base again instead of using the cache
#   --work DIR     where the root is unpacked (default /var/tmp/aoe-fresh)
#
# What is cloned is the checkout's HEAD (git clone): commit first.
# The base root is cached as a tarball in $AOE_VM_CACHE/fresh (default
# /var/cache/aoe-vm/fresh), named by its recipe, so every run starts from
# the same clean state; the root itself is unpacked anew on every run.
# It needs root (debootstrap, chroot, bind mounts) and the Debian package
# mirror the host's apt uses; the root gets the host's apt sources and
# Acquire settings, as a new machine here would have. Not part of make
# check: the machine that runs make check is not fresh.
# Logs: build/fresh/<n>-<command>.log. Exit status 0 only if every run did.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

runs=2
check=0
keep=0
rebuild=0
work=/var/tmp/aoe-fresh

usage() { sed -n '3,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "fresh-machine: $*" >&2; exit 1; }
say() { echo "fresh-machine: $*"; }

while [ $# -gt 0 ]; do
	case $1 in
	--check) check=1; shift ;;
	--runs) runs=$2; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	--keep) keep=1; shift ;;
	--rebuild) rebuild=1; shift ;;
	--work) work=$2; shift 2 ;;
	--work=*) work=${1#*=}; shift ;;
	-h|--help) usage 0 ;;
	*) echo "fresh-machine: unknown argument: $1" >&2; usage 2 ;;
	esac
done
[[ $runs =~ ^[0-9]+$ ]] || die "--runs wants a number"
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
[ -d "$repo/.git" ] || die "$repo is not a git checkout"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
	say "note: uncommitted changes are not tested (the root gets a clone of HEAD)"
fi

# ------------------------------------------------------------ the base ---

SUITE=bookworm
EXTRA=git,make,ca-certificates
. "$here/debian-mirror.sh"
MIRROR=$(debian_mirror "$SUITE")
[ -n "$MIRROR" ] || die "no $SUITE mirror in the host's apt sources"

cache=${AOE_VM_CACHE:-/var/cache/aoe-vm}/fresh
key=$( { echo "$SUITE minbase $EXTRA"; sed -n '/^# ---.* the base ---$/,/^# ---.* the root ---$/p' \
	"${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-12)
tarball=$cache/$SUITE-minbase-$key.tar.gz

make_base() {
	local tmp
	"$here/apt-need.sh" debootstrap >&2 || return 1
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.root.XXXXXX")
	say "debootstrap --variant=minbase --include=$EXTRA $SUITE (mirror from the host's apt sources)"
	if ! debootstrap --variant=minbase --include="$EXTRA" "$SUITE" "$tmp" "$MIRROR" \
		>"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	# No package lists: a new machine has run no apt-get update yet.
	rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/*.bin
	(cd "$tmp" && tar -czf "$tarball.tmp" --numeric-owner .) &&
		mv "$tarball.tmp" "$tarball"
	rm -rf "$tmp"
	ls -t "$cache"/"$SUITE"-minbase-*.tar.gz | tail -n +3 | xargs -r rm -f
}

if [ "$rebuild" = 1 ] || [ ! -f "$tarball" ]; then
	t=$(date +%s)
	make_base || die "could not make the base root"
	say "base root cached in $tarball ($(du -h "$tarball" | cut -f1), $(($(date +%s) - t)) s)"
else
	say "base root from the cache: $tarball"
fi

# ------------------------------------------------------------ the root ---

root=$work/root
mounted=()

# Processes whose root is inside the chroot (what a run left behind).
chroot_procs() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in
		"$root"|"$root"/*) echo "${p#/proc/}" ;;
		esac
	done
}

teardown() {
	local i left
	left=$(chroot_procs)
	if [ -n "$left" ]; then
		say "killing processes left in the root: $(echo $left)"
		kill -9 $left 2>/dev/null
	fi
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null
	done
	mounted=()
	if [ "$keep" = 0 ]; then
		rm -rf "$root"
	else
		say "root kept in $root"
	fi
}
trap teardown EXIT
trap 'exit 130' INT TERM

rm -rf "$root"
mkdir -p "$root"
tar -xzf "$tarball" -C "$root" || die "cannot unpack $tarball"
# The host's apt sources and Acquire settings, as on a new machine here.
rm -f "$root"/etc/apt/sources.list
mkdir -p "$root"/etc/apt/sources.list.d "$root"/etc/apt/apt.conf.d
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	/etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] && cp "$f" "$root$f"
done
grep -l '^Acquire::' /etc/apt/apt.conf.d/* 2>/dev/null |
	while read -r f; do cp "$f" "$root$f"; done
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null

for m in dev dev/pts dev/shm proc sys; do
	[ -d "/$m" ] || continue
	mkdir -p "$root/$m"
	mount --bind "/$m" "$root/$m" || die "cannot bind /$m"
	mounted+=("$root/$m")
done

git clone -q --no-hardlinks "$repo" "$root/root/aoe" || die "git clone failed"
rev=$(git -C "$root/root/aoe" log -1 --format='%h %s')
say "root ready in $root; checkout $rev"

logs=$repo/build/fresh
mkdir -p "$logs"
summary=()
nfail=0

# in_root N CMD: run CMD in the root's clone as a new user would (root,
# a clean environment, no terminal), log it and record the result.
in_root() {
	local n=$1 cmd=$2 log t rc left verdict
	log=$logs/$n-${cmd// /-}.log
	echo
	say "[$n] cd ~/aoe && $cmd   (log: ${log#"$repo/"})"
	t=$(date +%s)
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "cd /root/aoe && $cmd" </dev/null >"$log" 2>&1
	rc=$?
	t=$(($(date +%s) - t))
	left=$(chroot_procs)
	tail -n 12 "$log" | sed 's/^/    | /'
	verdict=$(grep -E '^make demo: |^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	say "[$n] $cmd: exit $rc, ${t} s${verdict:+, \"$verdict\"}"
	if [ -n "$left" ]; then
		say "[$n] processes left running after it: $(ps -o pid=,args= -p "$(echo $left | tr ' ' ,)" | tr '\n' ';')"
		[ "$rc" -ne 0 ] || rc=99
	fi
	[ "$rc" -eq 0 ] || nfail=$((nfail + 1))
	summary+=("$(printf '%-2s %-11s exit %-3s %5s s  %s' "$n" "$cmd" "$rc" "$t" "$verdict")")
}

n=0
for ((i = 1; i <= runs; i++)); do
	n=$((n + 1))
	in_root "$n" "make demo"
done
if [ "$check" = 1 ]; then
	n=$((n + 1))
	in_root "$n" "make check"
fi

echo
say "summary (fresh $SUITE minbase root, checkout $rev)"
printf '   %s\n' "${summary[@]}"
[ "$nfail" -eq 0 ] && say "all runs exited 0" || say "$nfail run(s) failed"
[ "$nfail" -eq 0 ]
