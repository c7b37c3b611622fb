#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Write the seed corpus of fuzz_aoeproto into DIR (default: corpus/ beside
# this script). The seeds are raw bytes, so they carry no SPDX line; this
# script is their source. Frames start at the AoE header (no Ethernet
# header), as aoe_rsp_check() and aoe_cfg_parse() see them.
set -euo pipefail

dir=${1:-$(dirname "$0")/corpus}
mkdir -p "$dir"

# printf of a string of \xNN escapes
b() { printf "$@"; }

# 512 bytes of IDENTIFY data as vblade answers it for a disk of 2^21
# sectors (1 GiB): words 47, 49, 50, 83, 84, 86, 87, 93, 60-61, 100-103.
ident() {
	local w v out
	local -A words=(
		[47]=0x8000 [49]=0x0200 [50]=0x4000 [83]=0x5400 [84]=0x4000
		[86]=0x1400 [87]=0x4000 [93]=0x400b
		[60]=0x0000 [61]=0x0020 [100]=0x0000 [101]=0x0020
	)
	out=""
	for ((w = 0; w < 256; w++)); do
		v=${words[$w]:-0}
		out+=$(printf '\\x%02x\\x%02x' $((v & 0xff)) $((v >> 8)))
	done
	printf "$out"
}

# ATA read response (R, shelf 1, slot 2, tag 0x105), LBA48, status DRDY,
# padded to the 60-byte Ethernet minimum (46 bytes after the header).
{
	b '\x18\x00\x00\x01\x02\x00\x00\x00\x01\x05'
	b '\x40\x00\x02\x40\x00\x08\x00\x00\x00\x00\x00\x00'
	head -c 24 /dev/zero
} > "$dir/ata-rsp"

# ATA error response: E flag, error 3 (device unavailable)
b '\x1c\x03\x00\x07\x03\x00\x00\x12\x34\x56\x40\x01\x00\x41\x00\x00\x00\xe0\x00\x00\x00\x00' \
	> "$dir/ata-err"

# IDENTIFY response: header, ATA argument, then the 512 bytes of data
{
	b '\x18\x00\x00\x01\x02\x00\x00\x00\x00\x01'
	b '\x00\x00\x00\x40\x00\x00\x00\xe0\x00\x00\x00\x00'
	ident
} > "$dir/ident-rsp"

# The bare IDENTIFY block (what aoe_ident_parse() sees)
ident > "$dir/ident"

# Config response from vblade: bufcnt 16, firmware 0x4019, scnt 2,
# version 1 / read, config string "vblade" (6 bytes)
b '\x18\x00\x00\x01\x02\x01\x00\x00\x00\x00\x00\x10\x40\x19\x02\x10\x00\x06vblade' \
	> "$dir/cfg-rsp"

# Config response with jumbo frames: scnt 17, empty string, padded
{
	b '\x18\x00\x00\x05\x00\x01\x00\x00\x00\x00\x00\x10\x40\x19\x11\x10\x00\x00'
	head -c 28 /dev/zero
} > "$dir/cfg-rsp-jumbo"

# Reserve/release answers: the list held by 52:54:00:aa:bb:cc, then by it
# and another host, then empty (released)
b '\x18\x00\x00\x01\x02\x03\x00\x00\x00\x02\x00\x01\x52\x54\x00\xaa\xbb\xcc' \
	> "$dir/rsv-ours"
b '\x18\x00\x00\x01\x02\x03\x00\x00\x00\x02\x01\x02\x52\x54\x00\xaa\xbb\xcc\x02\x00\x00\x00\x00\x01' \
	> "$dir/rsv-shared"
{
	b '\x18\x00\x00\x01\x02\x03\x00\x00\x00\x02\x01\x00'
	head -c 34 /dev/zero
} > "$dir/rsv-empty"

# Names as aoe-flush and aoe-revalidate write them
b 'e1.2' > "$dir/name-flush"
b 'e1.2\n' > "$dir/name-revalidate"
b 'e65534.254\0' > "$dir/name-max"
b '7.15' > "$dir/name-no-e"

# Interface lists as aoe-interfaces and modprobe write them
b 'eth0 eth1\0' > "$dir/iflist-space"
b 'eth0,enp3s0f1\n' > "$dir/iflist-comma"
b '\teth0\n\tveth-aoe0 , abcdefghijklmno' > "$dir/iflist-mixed"
