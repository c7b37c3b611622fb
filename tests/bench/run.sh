#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/run.sh [options]
#
# Throughput benchmark in qemu (TCG): the stock aoe.ko, this project's
# aoe.ko, NBD and a loop device, on vblade and on tests/tools/aoefast (a
# target that is not the bottleneck), over veth pairs to netns tgt,
# alternating in rounds; then scale-out over paths and md RAID0 (vblade),
# and scale in the number of addresses (aoefast). One VM per kernel. Writes
# build/bench/bench-KVER.md and prints it. Asserts nothing about speed;
# fails if a driver did not come up, fio or its verify failed, a point is
# missing or the kernel logged an oops/warning.
#
#   --kernel KVER     kernel to run (repeatable); default: the newest
#                     installed header set
#   --rounds N        rounds (default 3; median and min..max over them)
#   --quick           smoke test: 1 round, 1 s points with a 0.5 s ramp,
#                     counts 1,16
#   --runtime S       seconds measured per fio point (default 3)
#   --ramp S          seconds of fio ramp before each point (default 1)
#   --size MIB        backing file size (default 256)
#   --mtu LIST        MTUs of the points part, comma-separated (default
#                     1500,9000)
#   --drivers LIST    subset/order of stock,ours,nbd,loop (default all four)
#   --targets LIST    subset of vblade,fast for the points part (default both)
#   --parts LIST      subset of points,paths,count (default all three)
#   --counts LIST     address counts of the count part (default 1,16,256,1000)
#   --count-rounds N  rounds of the count part (default 1: it measures
#                     bring-up and memory, not throughput, and 1000
#                     addresses take ~12 minutes a round)
#   --scale-mtu N     MTU of the paths and count parts (default 9000)
#   --fast-threads N  aoefast's worker threads (default 2)
#   --fast-bufcnt N   buffer count aoefast advertises (default 64)
#   --fast-fanout M   how aoefast spreads frames over its threads: lba
#                     (default: by address and 128 KiB stripe), addr, lb
#   --cpu MODEL       qemu -cpu of the bench VM (default max,-erms: TCG
#                     runs rep movsb/stosb one byte a step, and with ERMS
#                     the guest's copy_to/from_user, clear_page and glibc
#                     memcpy use them; 8 KiB glibc memcpy in the guest:
#                     0.44 GB/s with ERMS, 2.2 without. tests/bench/README)
#   --timeout S       VM deadline (default: estimated from the above)
#
# make bench passes BENCH_ARGS here, e.g. BENCH_ARGS="--parts points
# --targets fast --mtu 9000".
# Environment: AOE_VM_MEM (MiB, default 2048), AOE_VM_CACHE (see tests/vm).
# Output in build/bench/: bench-KVER.md (the tables), KVER.log (serial
# console), KVER.points (raw points), KVER.counts (raw count lines).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm=$repo/tests/vm

kernels=()
rounds=3
runtime=3
ramp=1
size=256
mtus=1500,9000
drivers=stock,ours,nbd,loop
targets=vblade,fast
parts=points,paths,count
counts=1,16,256,1000
count_rounds=1
scale_mtu=9000
fast_threads=2
fast_bufcnt=64
fast_fanout=lba
cpu=max,-erms
vm_timeout=
quick=0

usage() { sed -n '3,48p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
die() { echo "bench: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	--kernel=*) kernels+=("${1#*=}"); shift ;;
	--rounds) rounds=$2; shift 2 ;;
	--rounds=*) rounds=${1#*=}; shift ;;
	--quick) quick=1; shift ;;
	--runtime) runtime=$2; shift 2 ;;
	--runtime=*) runtime=${1#*=}; shift ;;
	--ramp) ramp=$2; shift 2 ;;
	--ramp=*) ramp=${1#*=}; shift ;;
	--size) size=$2; shift 2 ;;
	--size=*) size=${1#*=}; shift ;;
	--mtu) mtus=$2; shift 2 ;;
	--mtu=*) mtus=${1#*=}; shift ;;
	--drivers) drivers=$2; shift 2 ;;
	--drivers=*) drivers=${1#*=}; shift ;;
	--targets) targets=$2; shift 2 ;;
	--targets=*) targets=${1#*=}; shift ;;
	--parts) parts=$2; shift 2 ;;
	--parts=*) parts=${1#*=}; shift ;;
	--counts) counts=$2; shift 2 ;;
	--counts=*) counts=${1#*=}; shift ;;
	--count-rounds) count_rounds=$2; shift 2 ;;
	--count-rounds=*) count_rounds=${1#*=}; shift ;;
	--scale-mtu) scale_mtu=$2; shift 2 ;;
	--scale-mtu=*) scale_mtu=${1#*=}; shift ;;
	--fast-threads) fast_threads=$2; shift 2 ;;
	--fast-threads=*) fast_threads=${1#*=}; shift ;;
	--fast-bufcnt) fast_bufcnt=$2; shift 2 ;;
	--fast-bufcnt=*) fast_bufcnt=${1#*=}; shift ;;
	--fast-fanout) fast_fanout=$2; shift 2 ;;
	--fast-fanout=*) fast_fanout=${1#*=}; shift ;;
	--cpu) cpu=$2; shift 2 ;;
	--cpu=*) cpu=${1#*=}; shift ;;
	--timeout) vm_timeout=$2; shift 2 ;;
	--timeout=*) vm_timeout=${1#*=}; shift ;;
	-h|--help) usage 0 ;;
	*) echo "bench: unknown argument: $1" >&2; usage 2 ;;
	esac
done
if [ "$quick" = 1 ]; then
	rounds=1
	runtime=1
	ramp=0.5
	counts=1,16
fi
[[ $rounds =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive integer"
[[ $runtime =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--runtime wants seconds"
[[ $ramp =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--ramp wants seconds"
[[ $size =~ ^[1-9][0-9]*$ ]] || die "--size wants MiB"
[[ $mtus =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--mtu wants a comma-separated list"
[[ ,$drivers, =~ ^(,(stock|ours|nbd|loop))+,$ ]] ||
	die "--drivers wants a comma-separated subset of stock,ours,nbd,loop"
[[ ,$targets, =~ ^(,(vblade|fast))+,$ ]] ||
	die "--targets wants a comma-separated subset of vblade,fast"
[[ ,$parts, =~ ^(,(points|paths|count))+,$ ]] ||
	die "--parts wants a comma-separated subset of points,paths,count"
[[ $counts =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--counts wants a comma-separated list"
[[ $count_rounds =~ ^[1-9][0-9]*$ ]] || die "--count-rounds wants a positive integer"
[[ $scale_mtu =~ ^[0-9]+$ ]] || die "--scale-mtu wants a number"
[[ $fast_threads =~ ^[1-8]$ ]] || die "--fast-threads wants 1..8"
[[ $fast_bufcnt =~ ^[1-9][0-9]*$ ]] && [ "$fast_bufcnt" -le 65535 ] ||
	die "--fast-bufcnt wants 1..65535"
[[ $fast_fanout =~ ^(lba|addr|lb)$ ]] || die "--fast-fanout wants lba, addr or lb"
[[ $cpu =~ ^[A-Za-z0-9_.,=+-]+$ ]] || die "--cpu wants a qemu CPU model"
[ -z "$vm_timeout" ] || [[ $vm_timeout =~ ^[0-9]+$ ]] || die "--timeout wants seconds"

if [ ${#kernels[@]} -eq 0 ]; then
	k=$("$vm/newest-kernel.sh")
	[ -n "$k" ] || die "no kernel header sets in /lib/modules/*/build"
	kernels=("$k")
fi

has() { [[ ,$1, == *,$2,* ]]; }
count_of() { tr ',' '\n' <<<"$1" | grep -c .; }
nmtu=$(count_of "$mtus")
naoe=0
for d in stock ours; do has "$drivers" "$d" && naoe=$((naoe + 1)); done
nother=$(($(count_of "$drivers") - naoe))
# Driver sessions (one bring-up, the points, a verify pass, tear-down)
# and their points; count sessions.
sessions=0 spoints=0 csessions=0
if has "$parts" points; then
	sessions=$((nmtu * rounds * (naoe * $(count_of "$targets") + nother)))
	spoints=$((sessions * 10))
fi
if has "$parts" paths; then
	sessions=$((sessions + rounds * naoe * 4))
	spoints=$((spoints + rounds * naoe * 4 * 2))
fi
has "$parts" count && csessions=$((count_rounds * naoe * $(count_of "$counts")))
if [ -z "$vm_timeout" ]; then
	# Boot and setup; fio time plus ~6 s overhead per point under TCG;
	# ~60 s per session for bring-up, verify and tear-down; up to 5
	# minutes per count session; then twice that for a loaded host.
	vm_timeout=$(awk -v p="$spoints" -v s="$sessions" -v c="$csessions" \
		-v t="$runtime" -v r="$ramp" \
		'BEGIN { printf "%d", 2 * (300 + p * (t + r + 6) + s * 60 + c * 300) }')
fi

# nbd-server and nbd-client go into the guest from the host's packages.
nbd_bins() {
	command -v nbd-server >/dev/null && command -v nbd-client >/dev/null
}
if has "$parts" points && has "$drivers" nbd && ! nbd_bins; then
	[ "$(id -u)" -eq 0 ] || die "nbd-server/nbd-client missing (apt-get install nbd-server nbd-client)"
	echo "bench: installing nbd-server nbd-client"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends nbd-server nbd-client >&2 ||
		{ apt-get update -q >&2 &&
			apt-get install -y -q --no-install-recommends nbd-server nbd-client >&2; } ||
		die "could not install nbd-server nbd-client"
fi

# aoefast (and the suite's other tools) go into the image from tests/tools.
make -s -C "$repo/tests/tools" >&2 || die "make -C tests/tools failed"

out=$repo/build/bench
mkdir -p "$out"
mem=${AOE_VM_MEM:-2048}

# stage_file SRC DEST: copy into $stage (merged /usr: /lib... go to /usr).
stage_file() {
	local dst=$2
	case $dst in
	/bin/*|/sbin/*|/lib/*|/lib64/*) dst=/usr$dst ;;
	esac
	mkdir -p "$stage$(dirname "$dst")"
	cp -L --preserve=mode "$1" "$stage$dst"
}

# stage_bin PATH: a binary and the shared libraries ldd finds for it.
stage_bin() {
	local lib
	stage_file "$1" "$1"
	while read -r lib; do
		[ -n "$lib" ] && stage_file "$lib" "$lib"
	done < <(ldd "$1" | awk '/=> \// { print $3; next } /^[ \t]*\// { print $1 }')
	if ldd "$1" | grep -q 'not found'; then
		die "$1: libraries not found: $(ldd "$1" | grep 'not found' | tr -s ' \t\n' ' ')"
	fi
}

# Overlay on top of the test suite's initramfs: /bench/{init,guest.sh},
# nbd-server and nbd-client with their libraries.
make_overlay() {
	local dst=$1 b
	stage=$(mktemp -d "${TMPDIR:-/tmp}/aoe-bench.XXXXXX")
	mkdir -p "$stage/bench"
	install -m 0755 "$here/init" "$stage/bench/init"
	install -m 0755 "$here/guest.sh" "$stage/bench/guest.sh"
	if has "$parts" points && has "$drivers" nbd; then
		for b in nbd-server nbd-client; do
			stage_bin "$(command -v "$b")"
		done
	fi
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$dst"
	rm -rf "$stage"
}

now() { date +%s.%N | cut -c1-14; }
# shellcheck source=../vm/qemu.sh
. "$vm/qemu.sh"

# Called by qemu_follow: the host's 1-minute load every 30 s (other VMs may
# be running), and the guest's progress lines as they come.
show_progress() {
	if [ "$(date +%s)" -ge "$next_load" ]; then
		loads+=("$(cut -d' ' -f1 /proc/loadavg)")
		next_load=$(($(date +%s) + 30))
	fi
	got=$(grep -a -c -E '@@BENCH-(PROGRESS|FAIL|START|END)' "$log")
	if [ "$got" -gt "$shown" ]; then
		grep -a -E '@@BENCH-(PROGRESS|FAIL|START|END)' "$log" |
			sed -n "$((shown + 1)),${got}p" | tr -d '\r' |
			sed "s/^.*@@BENCH-/   [$(elapsed "$t0")s] /"
		shown=$got
	fi
}
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }

qpid=
on_signal() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	exit 130
}
trap on_signal INT TERM

nfail=0

run_kernel() {
	local kver=$1 log kdir initrd t0 load0 load1 wall shown got ok=1
	log=$out/$kver.log
	: >"$log"
	echo "== bench $kver: parts $parts, rounds $rounds, ${ramp}+${runtime} s per point," \
		"MTU $mtus, drivers $drivers, targets $targets, deadline ${vm_timeout}s"
	[ -f "$repo/build/$kver/aoe.ko" ] ||
		{ echo "bench: no build/$kver/aoe.ko (run make kernels)" >&2; return 1; }
	kdir=$("$vm/kernel.sh" "$kver") ||
		{ echo "bench: no kernel image for $kver" >&2; return 1; }
	initrd=$out/$kver.initramfs.cpio.gz
	"$vm/mkinitramfs.sh" "$kver" "$initrd.suite" ||
		{ echo "bench: initramfs build failed" >&2; return 1; }
	make_overlay "$initrd.bench" ||
		{ echo "bench: overlay build failed" >&2; return 1; }
	cat "$initrd.suite" "$initrd.bench" >"$initrd"
	rm -f "$initrd.suite" "$initrd.bench"

	local append="console=ttyS0,115200 loglevel=4 panic=1 log_buf_len=16M"
	append+=" printk.devkmsg=on mitigations=off nokaslr rdinit=/bench/init"
	append+=" bench_rounds=$rounds bench_runtime=$runtime bench_ramp=$ramp"
	append+=" bench_size=$size bench_mtus=$mtus bench_drivers=$drivers"
	append+=" bench_targets=$targets bench_parts=$parts bench_counts=$counts"
	append+=" bench_scale_mtu=$scale_mtu bench_fast_threads=$fast_threads"
	append+=" bench_fast_bufcnt=$fast_bufcnt bench_fast_fanout=$fast_fanout"
	append+=" bench_count_rounds=$count_rounds"

	load0=$(uptime)
	t0=$(now)
	AOE_VM_CPU=$cpu qemu_start "$log" "$kdir/vmlinuz" "$initrd" "$append" "$mem"
	local loads=() next_load=0
	shown=0
	qemu_follow "$vm_timeout" 2 show_progress
	wall=$(elapsed "$t0")
	load1=$(uptime)
	echo "   VM ran ${wall}s"

	tr -d '\r' <"$log" | sed -n 's/^.*@@BENCH-POINT //p' >"$out/$kver.points"
	tr -d '\r' <"$log" | sed -n 's/^.*@@BENCH-COUNT //p' >"$out/$kver.counts"
	got=$(grep -c . "$out/$kver.points")
	want_points=$(tr -d '\r' <"$log" | sed -n 's/^.*@@BENCH-PLAN points=//p' | head -n1)
	if grep -aq '@@BENCH-FAIL' "$log"; then
		echo "bench: $kver FAILED:" >&2
		tr -d '\r' <"$log" | grep -a '@@BENCH-FAIL' | sed 's/^.*@@BENCH-FAIL /   /' >&2
		ok=0
	fi
	if has "$parts" count &&
		[ "$(grep -c . "$out/$kver.counts")" -ne "$csessions" ]; then
		echo "bench: $kver: $(grep -c . "$out/$kver.counts") of $csessions count sessions" >&2
		ok=0
	fi
	if ! tr -d '\r' <"$log" | grep -aq '@@BENCH-DONE rc=0$'; then
		echo "bench: $kver: the guest did not finish cleanly" >&2
		ok=0
	fi
	if ! grep -aq '@@BENCH-END' "$log"; then
		echo "bench: $kver: no @@BENCH-END" >&2
		ok=0
	fi
	if [ -z "$want_points" ] || [ "$got" -ne "$want_points" ]; then
		echo "bench: $kver: $got of $want_points points measured" >&2
		ok=0
	fi
	if [ "$ok" = 0 ]; then
		echo "bench: last lines of $log:" >&2
		tr -d '\r' <"$log" | grep -av '@@BENCH-POINT' | tail -n 40 | sed 's/^/   | /' >&2
		[ -s "$log.qemu" ] && sed 's/^/   qemu: /' "$log.qemu" >&2
		return 1
	fi

	{
		echo "<!-- SPDX-License-Identifier: GPL-2.0 -->"
		echo "# aoe benchmark: $kver"
		echo
		echo "$(date -u '+%Y-%m-%d %H:%M UTC'), qemu TCG, 2 vCPUs (-cpu $cpu), ${mem} MiB;" \
			"$rounds round(s), fio libaio direct=1, ${ramp} s ramp + ${runtime} s" \
			"per point; ${size} MiB file in guest tmpfs. VM wall time ${wall} s."
		echo
		echo "Host ($(nproc) CPUs) load average before: \`${load0#*load average: }\`," \
			"after: \`${load1#*load average: }\`; 1-minute load during the run" \
			"(every 30 s): $(printf '%s\n' "${loads[@]}" | sort -g | awk '
				{ v[NR] = $1 }
				END { printf "min %s, median %s, max %s", v[1],
					v[int((NR + 1) / 2)], v[NR] }')" \
			"(other VMs may share the host)."
		echo
		tr -d '\r' <"$log" |
			sed -n 's/^.*@@BENCH-\(START\|IDLE\|INFO\|AOESTATS\|TARGET\) /\1 /p' |
			awk -f "$here/table.awk" -v mode=header
		if has "$parts" points; then
			echo "## Points"
			echo
			awk -f "$here/table.awk" -v mode=table -v mtus="$mtus" \
				-v drivers="$drivers" "$out/$kver.points"
			echo
		fi
		if has "$parts" paths; then
			echo "## Scale-out: paths and RAID0 (vblade)"
			echo
			awk -f "$here/table.awk" -v mode=paths "$out/$kver.points"
			echo
		fi
		if grep -aq '@@BENCH-DATALOSS' "$log"; then
			echo "## Data lost by other drivers"
			echo
			echo "fio verify found wrong data (the run goes on; ours losing data ends it):"
			echo
			tr -d '\r' <"$log" | sed -n 's/^.*@@BENCH-DATALOSS /- /p'
			echo
		fi
		if has "$parts" count; then
			echo "## Scale in count: addresses (aoefast)"
			echo
			echo "$count_rounds round(s)."
			echo
			awk -f "$here/table.awk" -v mode=count "$out/$kver.counts"
		fi
	} >"$out/bench-$kver.md"
	echo
	cat "$out/bench-$kver.md"
	echo
	echo "bench: wrote $out/bench-$kver.md"
}

for k in "${kernels[@]}"; do
	run_kernel "$k" || nfail=$((nfail + 1))
done
[ "$nfail" -eq 0 ] || { echo "bench: $nfail kernel(s) failed" >&2; exit 1; }
