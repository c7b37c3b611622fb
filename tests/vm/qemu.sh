# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/vm/qemu.sh: booting a guest under qemu TCG and following its serial
# log, shared by tests/vm/run.sh and tests/bench/run.sh (sourced by both).
# The caller owns $qpid (its EXIT trap kills a guest still running).

# qemu_start LOG KERNEL INITRD APPEND MEM: boot in the background, serial
# console into LOG, qemu's own output into LOG.qemu; sets qpid. The CPU
# model is $AOE_VM_CPU (default max); $AOE_VM_QEMU_ARGS, split on spaces,
# adds devices (make hostbench: a NIC on a host-side target).
qemu_start() {
	local extra=()
	read -ra extra <<<"${AOE_VM_QEMU_ARGS:-}"
	qemu-system-x86_64 -accel tcg -cpu "${AOE_VM_CPU:-max}" -smp 2 -m "$5" \
		-nographic -no-reboot -nodefaults -monitor none \
		-serial "file:$1" \
		-kernel "$2" -initrd "$3" \
		-append "$4" "${extra[@]}" </dev/null >"$1.qemu" 2>&1 &
	qpid=$!
}

# qemu_follow SECONDS INTERVAL CALLBACK: while the guest runs, call
# CALLBACK every INTERVAL seconds; kill the guest SECONDS after the start.
# Returns once qemu has exited; qpid is cleared.
qemu_follow() {
	local deadline
	deadline=$(($(date +%s) + $1))
	while kill -0 "$qpid" 2>/dev/null; do
		"$3"
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "   VM deadline of ${1}s passed: killing qemu"
			kill "$qpid" 2>/dev/null
			sleep 2
			kill -9 "$qpid" 2>/dev/null
			break
		fi
		sleep "$2"
	done
	wait "$qpid" 2>/dev/null
	qpid=
}
