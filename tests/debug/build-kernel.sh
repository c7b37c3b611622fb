#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/debug/build-kernel.sh [--print-dir]
#
# Builds the debug kernel of the VM tests (KASAN, lockdep, kmemleak, ...)
# from Debian's linux-source-6.12: `make tinyconfig`, then
# tests/debug/config.fragment, then `make olddefconfig`. Everything the tests
# need is built in; external modules build against the KDIR it leaves. The
# source gets tests/debug/patches/*.patch first (see each for why).
#
# Done once per machine: the result is keyed by a hash of the fragment, the
# patches and the source package's version, and a later call with the same
# key only prints the directory (after changing this script, remove the cache).
# On stdout: that directory, holding
#
#   vmlinuz                     the bzImage
#   kver                        its release string (KVER)
#   config                      its .config
#   root/lib/modules/KVER/      modules tree (modules.dep, modules.builtin)
#   build/                      KDIR: make -C DIR/build M=<dir> modules
#
# (the same layout as tests/vm/kernel.sh's cache entries, so the VM harness
# boots it as it is). Progress goes to stderr.
#
#   --print-dir   print the directory if the kernel is built, else fail;
#                 builds nothing
#
# Environment: AOE_VM_CACHE (default /var/cache/aoe-vm): the kernel lives in
# $AOE_VM_CACHE/debug-kernel (source and objects in .../work, results in
# .../KEY, .../current points at the newest). AOE_DEBUG_JOBS: make -j
# (default: the number of CPUs).
set -euo pipefail

die() { echo "build-kernel.sh: $*" >&2; exit 1; }
say() { echo "build-kernel.sh: $*" >&2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/config.fragment
srcpkg=linux-source-6.12
top=${AOE_VM_CACHE:-/var/cache/aoe-vm}/debug-kernel
jobs=${AOE_DEBUG_JOBS:-$(nproc)}

print_only=0
case ${1:-} in
--print-dir) print_only=1 ;;
'') ;;
-h|--help) sed -n '3,31p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) die "unknown argument: $1" ;;
esac

[ -f "$fragment" ] || die "no $fragment"
patches=("$here"/patches/*.patch)
[ -f "${patches[0]}" ] || patches=()

pkgver() { dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null || true; }

key_of() {	# key_of PKGVERSION
	{
		echo "$srcpkg $1"
		cat "$fragment" "${patches[@]}"
	} | sha256sum | cut -c1-16
}

ready() {	# ready DIR
	[ -f "$1/.complete" ] && [ -f "$1/vmlinuz" ] && [ -f "$1/kver" ] &&
		[ -f "$1/build/Module.symvers" ] &&
		[ -f "$1/root/lib/modules/$(cat "$1/kver")/modules.dep" ]
}

ver=$(pkgver)
if [ -n "$ver" ]; then
	out=$top/$(key_of "$ver")
	if ready "$out"; then
		echo "$out"
		exit 0
	fi
fi
[ "$print_only" = 0 ] || die "the debug kernel is not built (run $0)"

# ------------------------------------------------------------ packages ---

need=()
for p in "$srcpkg" build-essential bc bison flex libelf-dev libssl-dev \
	cpio kmod xz-utils patch; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q "${need[@]}" >&2 || {
		apt-get update -q >&2
		apt-get install -y -q "${need[@]}" >&2
	} || die "apt-get install ${need[*]} failed"
fi
ver=$(pkgver)
[ -n "$ver" ] || die "$srcpkg is not installed"
key=$(key_of "$ver")
out=$top/$key

mkdir -p "$top"
exec 9>"$top/.lock"
flock 9
if ready "$out"; then
	echo "$out"
	exit 0
fi

t0=$(date +%s)
work=$top/work
src=$work/src
obj=$work/obj

# ------------------------------------------------------------- sources ---

# The unpacked tree is reused while the source version and the patches
# stay the same (a fragment change needs no fresh tree).
srcid="$ver $(cat "${patches[@]}" </dev/null | sha256sum | cut -c1-16)"
if [ "$(cat "$work/src.version" 2>/dev/null)" != "$srcid" ]; then
	tarball=
	for f in /usr/src/linux-source-6.12*.tar.xz; do
		[ -f "$f" ] && tarball=$f
	done
	[ -n "$tarball" ] || die "no /usr/src/linux-source-6.12*.tar.xz"
	say "unpacking $tarball"
	rm -rf "$work"
	mkdir -p "$work/unpack"
	tar -xJf "$tarball" -C "$work/unpack"
	d=$(find "$work/unpack" -mindepth 1 -maxdepth 1 -type d | head -n1)
	[ -f "$d/Makefile" ] || die "no kernel tree in $tarball"
	mv "$d" "$src"
	rm -rf "$work/unpack"
	for p in "${patches[@]}"; do
		say "applying $(basename "$p")"
		patch -d "$src" -p1 -s <"$p" || die "$p does not apply"
	done
	echo "$srcid" >"$work/src.version"
fi

# -------------------------------------------------------------- config ---

kmake() { make -C "$src" O="$obj" ARCH=x86_64 -j"$jobs" "$@"; }

mkdir -p "$obj"
say "configuring: tinyconfig + $(basename "$fragment")"
kmake -s tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
	"$fragment" >/dev/null
kmake -s olddefconfig >&2

# Every line of the fragment must have survived (typos, unmet dependencies).
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		opt=${line%%=*}
		want=$line ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		want=$line ;;
	*) continue ;;
	esac
	got=$(grep -E "^($opt=|# $opt is not set)" "$obj/.config" || true)
	# An option that is off may also be absent (its menu is off).
	if [ "$got" != "$want" ]; then
		case $want in
		"# "*) [ -z "$got" ] && continue ;;
		esac
		say "config: wanted '$want', got '${got:-(absent)}'"
		bad=1
	fi
done <"$fragment"
[ "$bad" = 0 ] || die "the fragment does not apply cleanly (see above)"
grep -Eq '^CONFIG_ATA_OVER_ETH=y' "$obj/.config" &&
	die "CONFIG_ATA_OVER_ETH=y would shadow the module under test"

# --------------------------------------------------------------- build ---

say "building with -j$jobs (log: $work/build.log)"
if ! kmake bzImage modules >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" >&2
	die "kernel build failed (log: $work/build.log)"
fi
kver=$(cat "$obj/include/config/kernel.release")

stage=$top/.stage-$key
rm -rf "$stage"
mkdir -p "$stage/root"
cp "$obj/arch/x86/boot/bzImage" "$stage/vmlinuz"
cp "$obj/.config" "$stage/config"
echo "$kver" >"$stage/kver"
kmake -s INSTALL_MOD_PATH="$stage/root" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod \
	modules_install >&2
rm -f "$stage/root/lib/modules/$kver/build" "$stage/root/lib/modules/$kver/source"
[ -f "$stage/root/lib/modules/$kver/modules.dep" ] ||
	depmod -b "$stage/root" "$kver"

# The KDIR for external modules: what a linux-headers package holds.
(
	cd "$obj"
	srctree=$src SRCARCH=x86 CC=gcc HOSTCC=gcc MAKE=make \
		"$src/scripts/package/install-extmod-build" "$stage/build"
)
cp "$obj/.config" "$stage/build/.config"
ln -s ../../../../build "$stage/root/lib/modules/$kver/build"
touch "$stage/.complete"

rm -rf "$out"
mv "$stage" "$out"
ln -sfn "$key" "$top/current"
# Older keys' results are stale now.
for d in "$top"/*/; do
	d=${d%/}
	case ${d##*/} in
	"$key"|work|current) ;;
	*) [ -f "$d/.complete" ] && rm -rf "$d" ;;
	esac
done

t1=$(date +%s)
say "built $kver in $(((t1 - t0) / 60))m$(((t1 - t0) % 60))s:" \
	"$(du -h "$out/vmlinuz" | cut -f1) bzImage, KDIR $(du -sh "$out/build" | cut -f1)"
echo "$out"
