#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/newest-kernel.sh: the newest installed kernel header set (the
# KVER of /lib/modules/KVER/build), or nothing; looked up when called, so
# after deps.sh has installed the headers.
ls -d /lib/modules/*/build 2>/dev/null |
	sed 's|^/lib/modules/||; s|/build$||' | sort -V | tail -n1
