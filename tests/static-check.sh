#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static analysis of the module: W=1 build and sparse (C=2) against every
# kernel header set given (default: all installed), then checkpatch --strict
# on every source file. Any warning fails the run.
#
# checkpatch.pl is not in the headers packages: it is taken from Debian's
# linux-source-6.12 tarball once and cached outside the tree
# (AOE_VM_CACHE, default /var/cache/aoe-vm).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${AOE_VM_CACHE:-/var/cache/aoe-vm}
cd "$top"

kvers=("$@")
if [ ${#kvers[@]} -eq 0 ]; then
	for b in /lib/modules/*/build; do
		[ -d "$b" ] && kvers+=("$(basename "$(dirname "$b")")")
	done
fi
[ ${#kvers[@]} -gt 0 ] || { echo "static: no kernel headers installed" >&2; exit 1; }

need() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

install_pkgs() {
	local missing=()
	for p in "$@"; do need "$p" || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || { echo "static: need packages: ${missing[*]}" >&2; return 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

get_checkpatch() {
	local dir=$cache/checkpatch
	if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
		install_pkgs linux-source-6.12 >&2
		local tarball
		tarball=$(ls /usr/src/linux-source-6.12*.tar.xz | head -n1)
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xJf "$tarball" \
			--wildcards '*/scripts/checkpatch.pl' \
			'*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	fi
	echo "$dir/scripts/checkpatch.pl"
}

install_pkgs sparse build-essential perl
status=0
# The module's sources, as the Makefile lists them for its builds.
read -r -a srcs < <(make -s --no-print-directory -C "$top" print-srcs)

for v in "${kvers[@]}"; do
	out=build/static-$v
	rm -rf "$out"; mkdir -p "$out"
	cp "${srcs[@]}" "$out/"
	log=$out/build.log
	echo "== W=1 and sparse (C=2) against $v"
	if ! make -C "/lib/modules/$v/build" M="$top/$out" W=1 C=2 modules >"$log" 2>&1; then
		cat "$log"; echo "static: build failed for $v"; status=1; continue
	fi
	if grep -E "warning:|error:" "$log"; then
		echo "static: warnings for $v"; status=1
	else
		echo "   clean"
	fi
done

cp=$(get_checkpatch)
echo "== checkpatch --strict"
cpout=$(perl "$cp" --no-tree --strict --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
	-f aoe.h aoeproto.h aoecompat.h ./*.c 2>&1 |
	# C11 _Generic (aoecompat.h) is a keyword, not CamelCase.
	grep -v 'CAMELCASE: Avoid CamelCase: <_Generic>') || true
# TRACE_EVENT() is a macro language whose usual layout --strict's CHECKs
# misread (open-ended lines); errors and warnings still count there.
cpout+=$(perl "$cp" --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f aoetrace.h 2>&1) || true
if echo "$cpout" | grep -qE "(ERROR|WARNING|CHECK):"; then
	echo "$cpout"; echo "static: checkpatch findings"; status=1
else
	echo "   clean"
fi
exit $status
