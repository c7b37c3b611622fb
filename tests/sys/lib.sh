# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/sys/lib.sh: the system tests' VMs, sourced by tests/sys/run.sh for
# every scenario. One virtual Ethernet segment: the target VM has one NIC
# per initiator, each joined to the initiator's eth0 by a pair of unix
# datagram sockets (qemu -netdev dgram: no privileges, nothing leaves the
# machine), and bridges them inside. Every VM has a virtio-serial port,
# "systest", wired to a pair of FIFOs here, on which tests/sys/agent runs
# the commands sys_run sends.
#
# Set by run.sh: SYS_DIR (this scenario's directory: sockets, disks, serial
# logs NAME.log), SYS_IMAGE (tests/sys/image.sh's directory), SYS_KVER (the
# kernel the initiators boot), SYS_TKERNEL and SYS_TINITRD (the target's).

declare -A sys_pid sys_in sys_out
sys_seq=0

sys_log() { echo "   $*"; }
sys_fail() { echo "   FAIL: $*"; exit 1; }

# sys_fifos NAME: the FIFO pair of NAME's agent port, opened read-write
# here (so that neither open blocks and a reboot never closes them).
sys_fifos() {
	local n=$1 fd
	rm -f "$SYS_DIR/$n.ctl.in" "$SYS_DIR/$n.ctl.out"
	mkfifo "$SYS_DIR/$n.ctl.in" "$SYS_DIR/$n.ctl.out"
	exec {fd}<>"$SYS_DIR/$n.ctl.in"
	sys_in[$n]=$fd
	exec {fd}<>"$SYS_DIR/$n.ctl.out"
	sys_out[$n]=$fd
}

# sys_qemu NAME CPUS MEM ARGS...: start a VM in the background; serial
# console in NAME.log (kept across reboots), qemu's own output in NAME.qemu.
# On every guest's command line. A TCG vCPU that the host does not run for
# 21 s or more makes its kernel report an RCU stall (at 21 s, the default)
# or a soft lockup (at 20 s) with call traces once it runs again, though
# nothing in the guest was stuck: a 30 s SIGSTOP of an initiator's qemu
# printed "rcu_preempt self-detected stall ... kthread timer wakeup didn't
# happen" once and "BUG: soft lockup - CPU#0 stuck for 29s" another time,
# and CI failed 10-boot once on the first. Both now wait 120 s, the
# hung-task detector's time, which still reports a guest stuck for real
# within every scenario. (-icount hides such a pause from the guest, but
# with it 10-boot failed twice in a row after a reboot, a command getting
# an earlier one's answer: most likely the request id collision described
# at sys_run, which a slower reboot makes likelier; -icount not pursued.)
SYS_APPEND="rcupdate.rcu_cpu_stall_timeout=120 watchdog_thresh=60"

sys_qemu() {
	local n=$1 cpus=$2 mem=$3
	shift 3
	sys_fifos "$n"
	qemu-system-x86_64 -accel tcg -cpu max -smp "$cpus" -m "$mem" \
		-nographic -nodefaults -monitor none \
		-serial "file:$SYS_DIR/$n.log" \
		-device virtio-serial-pci \
		-chardev "pipe,id=ctl,path=$SYS_DIR/$n.ctl" \
		-device virtserialport,chardev=ctl,name=systest \
		"$@" </dev/null >"$SYS_DIR/$n.qemu" 2>&1 &
	sys_pid[$n]=$!
}

# sys_link_args SIDE I: the -netdev/-device pair of link I, seen from the
# target ("t", NIC ethI, listening on the link's unix socket) or from
# initiator I ("i", its eth0, connecting to it). A stream, not datagrams:
# unix datagram sockets queue 10 frames (net.unix.max_dgram_qlen) and
# qemu's dgram backend then stalls the NIC's transmit queue. The target
# starts first; an initiator's connection lasts across its reboots.
sys_link_args() {
	local side=$1 i=$2 mac srv
	if [ "$side" = t ]; then
		mac=52:54:00:a0:00:0$i srv=on
	else
		mac=52:54:00:b0:00:0$i srv=off
	fi
	echo "-netdev stream,id=n$i,server=$srv,addr.type=unix,addr.path=$SYS_DIR/link$i.sock"
	echo "-device virtio-net-pci,netdev=n$i,mac=$mac"
}

# sys_drive FILE: the -drive argument of a disk image (raw or qcow2).
sys_drive() {
	local fmt=raw
	case $1 in *.qcow2) fmt=qcow2 ;; esac
	echo "file=$1,format=$fmt,if=virtio,cache=unsafe"
}

# sys_target LINKS DISK...: boot the target with LINKS NICs and the disk
# images DISK... (raw or qcow2; /dev/vda, /dev/vdb ... inside).
sys_target() {
	local links=$1 i d args=()
	shift
	for ((i = 0; i < links; i++)); do
		# shellcheck disable=SC2207
		args+=($(sys_link_args t "$i"))
	done
	for d in "$@"; do
		args+=(-drive "$(sys_drive "$d")")
	done
	# Two vCPUs and 1 GiB, as tests/vm's VM: with one vCPU and 512 MiB the
	# target's kernel twice died of a double fault in vblade's sendmsg.
	sys_qemu target 2 1024 -kernel "$SYS_TKERNEL" -initrd "$SYS_TINITRD" \
		-append "console=ttyS0 quiet $SYS_APPEND" "${args[@]}"
	sys_wait_agent target 120
}

# sys_initiator NAME LINK [APPEND] [DISK]: boot an initiator from a fresh
# copy-on-write overlay of the image's root (or from DISK, "" for none)
# with kernel SYS_KVER, its eth0 on link LINK.
sys_initiator() {
	local n=$1 link=$2 append=${3:-} disk=${4-default} args
	if [ "$disk" = default ]; then
		disk=$SYS_DIR/$n.qcow2
		qemu-img create -q -f qcow2 -F qcow2 -b "$SYS_IMAGE/root.qcow2" "$disk"
		append="root=/dev/vda rw $append"
	fi
	# shellcheck disable=SC2207
	args=($(sys_link_args i "$link"))
	[ -z "$disk" ] || args+=(-drive "$(sys_drive "$disk")")
	sys_qemu "$n" 1 1024 -kernel "$SYS_IMAGE/vmlinuz-$SYS_KVER" \
		-initrd "$SYS_IMAGE/initrd.img-$SYS_KVER" \
		-append "console=ttyS0 net.ifnames=0 systemd.hostname=$n $SYS_APPEND $append" \
		"${args[@]}"
}

# sys_run NAME TIMEOUT SCRIPT: run SCRIPT (sh) in VM NAME, print its output,
# return its status (124 when TIMEOUT seconds pass first). What comes
# before its "@@BEGIN ID" is a late answer to an earlier command that timed
# out (a boot id asked for across a reboot, say), and is dropped.
# The ID must be unique across subshells too: x=$(sys_run ...) increments
# a copy of sys_seq, so the counter alone repeats, and $$ is the parent's
# pid in every subshell. With ID = counter.$$, sys_wait_booted's request
# once took the late answer of a boot id request that had timed out across
# a reboot as its own (CI, 10-boot: "system state '<a boot id>'").
# $BASHPID is each subshell's own pid.
sys_run() {
	local n=$1 timeout=$2 script=$3 id line deadline left mine=0
	sys_seq=$((sys_seq + 1))
	id=$sys_seq.$BASHPID
	printf 'RUN %s %s\n' "$id" "$(printf '%s\n' "$script" | base64 -w0)" \
		>&"${sys_in[$n]}"
	deadline=$(($(date +%s) + timeout))
	while :; do
		left=$((deadline - $(date +%s)))
		if [ "$left" -le 0 ] || ! kill -0 "${sys_pid[$n]}" 2>/dev/null; then
			# stderr: a caller's $(...) must not take it for output.
			echo "   sys_run $n: no answer in ${timeout}s (or the VM exited)" >&2
			return 124
		fi
		IFS= read -r -t "$left" line <&"${sys_out[$n]}" || continue
		case $line in
		"@@BEGIN $id") mine=1 ;;
		"@@RC $id "*) return "${line##* }" ;;
		"@@BEGIN "* | "@@RC "*) mine=0 ;;
		*) [ "$mine" = 0 ] || printf '%s\n' "$line" ;;
		esac
	done
}

# sys_wait_agent NAME TIMEOUT: until NAME's agent answers (its boot ended
# far enough); one request, queued in the FIFO until the agent opens.
sys_wait_agent() {
	local t0=$SECONDS
	sys_run "$1" "$2" true >/dev/null ||
		sys_fail "$1: the agent did not answer in $2 s (see $SYS_DIR/$1.log)"
	sys_log "$1: agent up after $((SECONDS - t0)) s"
}

# sys_wait_exit NAME TIMEOUT: until NAME's qemu has exited (powered off).
sys_wait_exit() {
	local n=$1 deadline=$((SECONDS + $2))
	while kill -0 "${sys_pid[$n]}" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 1
	done
	wait "${sys_pid[$n]}" 2>/dev/null
	sys_pid[$n]=
}

# sys_poll NAME TIMEOUT SCRIPT: run SCRIPT in NAME every 2 s until it
# succeeds; fail the scenario at the deadline.
sys_poll() {
	local n=$1 deadline=$((SECONDS + $2)) script=$3
	while ! sys_run "$n" 60 "$script" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] ||
			sys_fail "$n: not true after $2 s: $script"
		sleep 2
	done
}

# sys_kill_all: stop every VM still running (the scenario's EXIT trap).
sys_kill_all() {
	local n
	for n in "${!sys_pid[@]}"; do
		[ -n "${sys_pid[$n]}" ] || continue
		kill "${sys_pid[$n]}" 2>/dev/null
	done
	sleep 1
	for n in "${!sys_pid[@]}"; do
		[ -n "${sys_pid[$n]}" ] || continue
		kill -9 "${sys_pid[$n]}" 2>/dev/null
		wait "${sys_pid[$n]}" 2>/dev/null
	done
}

# Kernel log lines that fail a test in any VM (as tests/vm's runner).
SYS_BAD_RE='Oops|BUG:|WARNING:|possible circular locking|lockdep|KASAN|kmemleak|general protection fault|INFO: task .* blocked|Call Trace|UBSAN|list_add corruption|list_del corruption|refcount_t:'

# sys_check_logs: fail on any such line in any VM's serial log.
sys_check_logs() {
	local f bad=0
	for f in "$SYS_DIR"/*.log; do
		[ -f "$f" ] || continue
		if grep -aE "$SYS_BAD_RE" "$f" >/dev/null; then
			# The lines before the first match name what it is
			# (a Call Trace alone does not); the whole log stays
			# in the scenario's log directory.
			echo "   kernel trouble in ${f##*/}:"
			grep -aE -m1 -B12 -A30 "$SYS_BAD_RE" "$f" |
				sed 's/^/   | /'
			bad=1
		fi
	done
	return "$bad"
}

# sys_disk FILE SIZE PART...: a raw disk image with an MBR partition table;
# PART is SIZE_MIB:FSTYPE:LABEL (size "" = the rest), each made with mke2fs
# at its offset (no loop devices).
sys_disk() {
	local f=$1 size=$2 p sz fs label start=1 table="" mib=1048576 parts=()
	shift 2
	truncate -s 0 "$f"
	truncate -s "$size" "$f"
	for p in "$@"; do
		IFS=: read -r sz fs label <<<"$p"
		[ -n "$sz" ] || sz=$(($(stat -c %s "$f") / mib - start - 1))
		table+="${start}MiB,${sz}MiB,L"$'\n'
		parts+=("$start:$sz:$fs:$label")
		start=$((start + sz))
	done
	printf '%s' "$table" | sfdisk -q "$f" >/dev/null
	for p in "${parts[@]}"; do
		IFS=: read -r start sz fs label <<<"$p"
		mke2fs -q -F -t "$fs" -L "$label" -E offset=$((start * mib)) \
			"$f" "${sz}M"
	done
}

# sys_vblade SHELF SLOT DEV: export DEV (in the target) as eSHELF.SLOT on
# br0, in the background; its output in the target's /tmp/vblade-S.L.log.
sys_vblade() {
	sys_run target 30 "setsid vblade $1 $2 br0 $3 </dev/null \
		>/tmp/vblade-$1.$2.log 2>&1 &
		echo \$! >/tmp/vblade-$1.$2.pid; sleep 0.5; kill -0 \$!" ||
		sys_fail "vblade $1.$2 on $3 did not start"
}

# sys_boot_id NAME: the running kernel's boot id (empty if no answer).
sys_boot_id() { sys_run "$1" 20 'cat /proc/sys/kernel/random/boot_id' 2>/dev/null; }

# sys_reboot NAME TIMEOUT: reboot NAME and wait until its agent answers
# from the new boot (the old agent may still answer for a moment).
sys_reboot() {
	local n=$1 old new t0=$SECONDS
	old=$(sys_boot_id "$n")
	[ -n "$old" ] || sys_fail "$n: no boot id before the reboot"
	sys_run "$n" 30 'systemctl --no-block reboot' >/dev/null
	while :; do
		new=$(sys_boot_id "$n")
		[ -z "$new" ] || [ "$new" = "$old" ] || break
		[ $((SECONDS - t0)) -lt "$2" ] ||
			sys_fail "$n: not back from the reboot after $2 s"
		sleep 2
	done
	sys_log "$n: rebooted in $((SECONDS - t0)) s"
}

# sys_wait_booted NAME TIMEOUT: until systemd in NAME has finished starting
# up; fails the scenario if a unit failed (state "degraded").
sys_wait_booted() {
	local st
	st=$(sys_run "$1" "$2" 'systemctl is-system-running --wait')
	case $st in
	running) ;;
	*)	sys_run "$1" 60 'systemctl --failed --no-pager'
		sys_fail "$1: system state '$st' after boot" ;;
	esac
}
