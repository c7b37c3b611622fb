# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/debian-mirror.sh: sourced by the scripts that debootstrap a Debian
# root (tests/fresh-machine.sh, tests/sys/image.sh).
#
# debian_mirror SUITE: print the mirror the host's apt uses for SUITE (from
# deb822 .sources files or one-line .list files), nothing if there is none.
debian_mirror() {
	local suite=$1 f
	{
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$suite" '
			/^[ \t]*$/ { if (ok && uri != "") { print uri; exit } ok = 0; uri = "" }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok = 1 }
			END { if (ok && uri != "") print uri }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v suite="$suite" '$1 == "deb" && $3 == suite { print $2 }' "$f"
	done
	} | head -n1
}
