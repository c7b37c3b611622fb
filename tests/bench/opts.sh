# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/bench/opts.sh: the checks of the options that profile.sh and
# hostbench.sh share, sourced by both.

# bench_opts PROG: exits with a message naming PROG unless $rounds is a
# number and $drivers names ours and/or stock ("both": "ours stock");
# sets $kver to the newest installed headers' when empty. Needs $repo.
# shellcheck disable=SC2154  # $rounds and $repo: the sourcing script's
bench_opts() {
	local d
	[[ $rounds =~ ^[1-9][0-9]*$ ]] ||
		{ echo "$1: --rounds wants a number" >&2; exit 2; }
	[ "$drivers" = both ] && drivers="ours stock"
	for d in $drivers; do
		case $d in
		ours|stock) ;;
		*) echo "$1: --driver wants ours, stock or both" >&2; exit 2 ;;
		esac
	done
	[ -n "$kver" ] || kver=$("$repo/tests/vm/newest-kernel.sh")
	[ -n "$kver" ] || { echo "$1: no kernel headers installed" >&2; exit 1; }
}
