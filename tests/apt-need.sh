#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/apt-need.sh PACKAGE...: make sure the Debian packages are
# installed. Does nothing (no apt-get at all) when they are; otherwise, as
# root, refreshes the package lists first (a fresh machine has none, so an
# install without it finds nothing) and installs what is missing, without
# recommends and without questions. As non-root it only names what is
# missing and fails.
set -euo pipefail

missing=()
for p in "$@"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

echo "apt-need: missing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "apt-need: not root; install them with apt-get" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "apt-need: installed ${missing[*]}"
