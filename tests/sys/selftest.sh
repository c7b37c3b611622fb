#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/sys/selftest.sh: the host side of the agent protocol (lib.sh's
# sys_run) against a stand-in agent, no VM: a command that times out and
# is answered late must not give its output to the next command, when
# both are run in $(...) as the scenarios do (sys_boot_id across a
# reboot, then sys_wait_booted), and a timed-out command prints nothing
# on stdout. run.sh runs it before any scenario. Exit status 0 if so.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/sys/lib.sh
. "$here/lib.sh"

SYS_DIR=$(mktemp -d)
agent=

cleanup() {
	[ -z "$agent" ] || kill "$agent" 2>/dev/null
	rm -rf "$SYS_DIR"
}
trap cleanup EXIT

# The stand-in: tests/sys/agent's answers, one command at a time, from
# the FIFO pair sys_fifos made (the real agent needs a virtio port).
fake_agent() {
	local verb id b64 out rc
	while read -r verb id b64; do
		[ "$verb" = RUN ] || continue
		out=$(printf '%s' "$b64" | base64 -d | sh 2>&1)
		rc=$?
		printf '@@BEGIN %s\n%s\n@@RC %s %s\n' "$id" "$out" "$id" "$rc"
	done <"$SYS_DIR/fake.ctl.in" >"$SYS_DIR/fake.ctl.out"
}

sys_fifos fake
fake_agent &
agent=$!
sys_pid[fake]=$agent

# Answered 2 s after its 1 s timeout, while the next command waits. Its
# "no answer" line on stderr is expected here, not shown.
late=$(sys_run fake 1 'sleep 3; echo late-answer' 2>/dev/null)
rc=$?
[ "$rc" = 124 ] || { echo "selftest: the slow command returned $rc, not 124"; exit 1; }
# Nothing on stdout: sys_reboot took a timed-out boot id request's
# "no answer" line for the new boot's id.
if [ -n "$late" ]; then
	echo "selftest: the timed-out command printed '$late' on stdout"
	exit 1
fi
got=$(sys_run fake 20 'echo second-answer')
if [ "$got" != second-answer ]; then
	echo "selftest: the second command got '$got', not 'second-answer'"
	exit 1
fi
echo "selftest: sys_run drops a late answer and returns its own"
