# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/table.awk: Markdown from the benchmark's console markers.
#
#   awk -f table.awk -v mode=header       (START/IDLE/INFO/AOESTATS/TARGET
#                                          lines on stdin)
#   awk -f table.awk -v mode=table -v mtus=1500,9000 \
#       -v drivers=stock,ours,nbd,loop -v targets=vblade,fast KVER.points
#   awk -f table.awk -v mode=paths KVER.points
#   awk -f table.awk -v mode=count KVER.counts
#   awk -f table.awk -v mode=host         (hostbench.sh's rounds on stdin)
#
# A point line: part= tgt= mtu= round= drv= rw= bs= qd= kib= ms= busy=
# total= tbusy= bytes=. Sequential points in MB/s (10^6 bytes/s), random
# ones in IOPS, both from fio's measured I/O after the ramp. CPU s/GiB: busy
# jiffies of all guest CPUs (USER_HZ 100) over a fio job (ramp included),
# divided by the GiB moved through the block device in that window; tbusy
# is the part of it spent by the target's processes (netns tgt).

function kv(line, arr,    n, i, a, p) {
	delete arr
	n = split(line, a, /[ \t]+/)
	for (i = 1; i <= n; i++) {
		p = index(a[i], "=")
		if (p > 0)
			arr[substr(a[i], 1, p - 1)] = substr(a[i], p + 1)
	}
}

function bs_bytes(s,    n, u) {
	n = s + 0
	u = tolower(substr(s, length(s)))
	if (u == "k") return n * 1024
	if (u == "m") return n * 1048576
	if (u == "g") return n * 1073741824
	return n
}

# Median (S_med), S_min and S_max of a space-separated list; returns its length.
function stats(str,    v, n, i, j, t) {
	n = split(str, v, " ")
	if (n == 0) { S_med = ""; return 0 }
	for (i = 2; i <= n; i++) {
		t = v[i] + 0
		for (j = i - 1; j >= 1 && v[j] + 0 > t; j--)
			v[j + 1] = v[j]
		v[j + 1] = t
	}
	S_min = v[1] + 0
	S_max = v[n] + 0
	if (n % 2) S_med = v[(n + 1) / 2] + 0
	else S_med = (v[n / 2] + v[n / 2 + 1]) / 2
	return n
}

function num(x) {
	if (x >= 100) return sprintf("%.0f", x)
	if (x >= 10) return sprintf("%.1f", x)
	return sprintf("%.2f", x)
}

mode == "header" && $1 == "START" {
	kv($0, st)
	printf "Modules (md5, first 12 hex digits): stock %s, ours %s.\n\n", st["stock"], st["ours"]
	next
}
mode == "header" && $1 == "IDLE" {
	kv($0, id)
	if (id["total"] > 0)
		printf "Guest CPU busy while idle (3 s before the first point): %.1f%% of all vCPUs.\n\n", \
			100 * id["busy"] / id["total"]
	next
}
mode == "header" && $1 == "INFO" {
	kv($0, in_)
	if (in_["part"] != "points")
		next
	d = in_["drv"]
	if (!(d in qinfo)) {
		dorder[++nd_] = d
		qinfo[d] = in_["sched"] ", max_sectors_kb " in_["max_sectors_kb"] \
			" (hw " in_["max_hw_sectors_kb"] "), nr_requests " in_["nr_requests"]
	}
	# aoe-stat: ,eS.L,size,iface,payload,state,
	if (("aoe-stat" in in_) && !((d, in_["mtu"]) in pl_seen)) {
		pl_seen[d, in_["mtu"]] = 1
		split(in_["aoe-stat"], as, ",")
		payload[d] = payload[d] (payload[d] == "" ? "" : ", ") as[5] \
			" B at MTU " in_["mtu"]
	}
	next
}
# Our driver's debugfs counters, summed over the sessions (one module load
# each) of an MTU.
mode == "header" && $1 == "AOESTATS" {
	kv($0, as_)
	if (as_["drv"] != "ours" || as_["part"] != "points")
		next
	m = as_["tgt"] " MTU " as_["mtu"]
	if (!(m in sent))
		morder[++nm_] = m
	n = split($0, fl, ";")
	for (i = 1; i <= n; i++) {
		if (fl[i] ~ /(^| )frames_sent [0-9]+$/) { sub(/.* /, "", fl[i]); sent[m] += fl[i] }
		else if (fl[i] ~ /^retransmits [0-9]+$/) { sub(/.* /, "", fl[i]); rex[m] += fl[i] }
		else if (fl[i] ~ /^late [0-9]+$/) { sub(/.* /, "", fl[i]); late[m] += fl[i] }
	}
	next
}
# aoefast's own figures: the best frame rate of each MTU's sessions.
mode == "header" && $1 == "TARGET" {
	kv($0, tg)
	if (tg["part"] != "points")
		next
	if (match($0, /\(([0-9]+)\/s/)) {
		r = substr($0, RSTART + 1, RLENGTH - 3) + 0
		if (r > fast_fps[tg["mtu"]])
			fast_fps[tg["mtu"]] = r
	}
	if (match($0, /\(([0-9]+)% of a CPU\)/)) {
		pc = substr($0, RSTART + 1, RLENGTH - 1) + 0
		if (pc > fast_cpu[tg["mtu"]])
			fast_cpu[tg["mtu"]] = pc
	}
	if (match($0, /kernel drops [0-9]+/))
		fast_drops += substr($0, RSTART + 13, RLENGTH - 13)
	if (match($0, /over bufcnt [0-9]+/))
		fast_over += substr($0, RSTART + 12, RLENGTH - 12)
	next
}
mode == "header" { next }

function pattern(rw) {
	return rw == "write" ? "seq write" : rw == "read" ? "seq read" : \
		rw == "randread" ? "rand read" : rw == "randwrite" ? "rand write" : rw
}

function value(rw, bs, kib, ms) {
	if (rw ~ /^rand/)
		return kib * 1024 / bs_bytes(bs) / (ms / 1000)
	return kib * 1024 / 1e6 / (ms / 1000)
}

(mode == "table" || mode == "paths") {
	kv($0, p)
	if ((mode == "table") != (p["part"] == "points"))
		next
	key = p["mtu"] SUBSEP p["rw"] SUBSEP p["bs"] SUBSEP p["qd"]
	if (!(key in seen)) {
		seen[key] = 1
		order[++nkeys] = key
	}
	if (!(p["tgt"] in tseen)) {
		tseen[p["tgt"]] = 1
		torder[++ntg] = p["tgt"]
	}
	k2 = key SUBSEP p["tgt"] SUBSEP p["drv"]
	val[k2] = val[k2] " " value(p["rw"], p["bs"], p["kib"], p["ms"])
	if (p["bytes"] > 0) {
		gib = p["bytes"] / 1073741824
		cpu[k2] = cpu[k2] " " (p["busy"] / 100) / gib
		tcpu[k2] = tcpu[k2] " " (p["tbusy"] / 100) / gib
	}
	next
}

# hostbench.sh's rounds: "DRIVER rN POINT MB MB/s IOPS IOPS cpu S s/GiB".
mode == "host" && $2 ~ /^r[0-9]+$/ {
	if (!($3 in hseen)) {
		hseen[$3] = 1
		horder[++nh] = $3
	}
	hmb[$1, $3] = hmb[$1, $3] " " $4
	hcpu[$1, $3] = hcpu[$1, $3] " " $9
	next
}

function print_host(    i, k) {
	printf "   %-16s %-20s %-20s %7s %7s %7s\n", "point", "stock MB/s", \
		"ours MB/s", "o/st", "CPU st", "CPU o"
	for (i = 1; i <= nh; i++) {
		k = horder[i]
		printf "   %-16s %-20s %-20s %7s %7s %7s\n", k, cell(hmb["stock", k]), \
			cell(hmb["ours", k]), ratio(med(hmb["ours", k]), med(hmb["stock", k])), \
			cell_med(hcpu["stock", k]), cell_med(hcpu["ours", k])
	}
}

# Count lines: drv= n= round= up_ms= slab_kb= vmalloc_kb= stat_ms=
# io_disks= iops=
mode == "count" {
	kv($0, cn)
	k = cn["n"] SUBSEP cn["drv"]
	if (!((cn["n"]) in nseen)) {
		nseen[cn["n"]] = 1
		norder[++nn] = cn["n"]
	}
	up[k] = up[k] " " cn["up_ms"] / 1000
	slab[k] = slab[k] " " cn["slab_kb"] / cn["n"]
	vmal[k] = vmal[k] " " cn["vmalloc_kb"] / cn["n"]
	stat[k] = stat[k] " " cn["stat_ms"] / 1000
	iops[k] = iops[k] " " cn["iops"]
	disks[k] = cn["io_disks"]
	next
}

function med(list) {
	return stats(list) ? S_med : -1
}

function cell(list) {
	if (!stats(list))
		return "–"
	return num(S_med) " (" num(S_min) ".." num(S_max) ")"
}

function cell_med(list) {
	return stats(list) ? num(S_med) : "–"
}

function ratio(a, b) {
	return (a >= 0 && b > 0) ? sprintf("%.2f", a / b) : "–"
}

# CPU s/GiB as "all (target)"; the target share only where it is a process.
function cpucell(k,    a, t) {
	a = med(cpu[k])
	if (a < 0)
		return "n/a"
	t = med(tcpu[k])
	return (t > 0) ? num(a) " (" num(t) ")" : num(a)
}

function print_points(    t, m, nm, mt, k, f, row, d, nd, drv, src, hdr, sep, v, cv) {
	nd = split(drivers, drv, ",")
	name["stock"] = "stock"; name["ours"] = "ours"
	name["nbd"] = "NBD"; name["loop"] = "loop"
	nm = split(mtus, mt, ",")
	for (t = 1; t <= ntg; t++) {
		if (torder[t] == "-")
			continue
		printf "### Target: %s\n\n", torder[t]
		hdr = "| MTU | pattern | bs | qd | unit |"
		sep = "|---:|---|---:|---:|---|"
		for (d = 1; d <= nd; d++) {
			hdr = hdr " " name[drv[d]] " |"
			sep = sep "---:|"
		}
		for (d = 1; d <= nd; d++) {
			hdr = hdr " CPU s/GiB " name[drv[d]] " |"
			sep = sep "---:|"
		}
		print hdr " ours/stock | ours/NBD | ours/loop | CPU ours/stock |"
		print sep "---:|---:|---:|---:|"
		for (m = 1; m <= nm; m++) {
			for (k = 1; k <= nkeys; k++) {
				split(order[k], f, SUBSEP)
				if (f[1] != mt[m])
					continue
				row = "| " f[1] " | " pattern(f[2]) " | " f[3] " | " f[4] \
					" | " (f[2] ~ /^rand/ ? "IOPS" : "MB/s") " |"
				delete v
				delete cv
				for (d = 1; d <= nd; d++) {
					# NBD and loop do not depend on the AoE target.
					src = (drv[d] == "nbd" || drv[d] == "loop") ? "-" : torder[t]
					v[drv[d]] = med(val[order[k], src, drv[d]])
					cv[drv[d]] = med(cpu[order[k], src, drv[d]])
					row = row " " cell(val[order[k], src, drv[d]]) " |"
				}
				for (d = 1; d <= nd; d++) {
					src = (drv[d] == "nbd" || drv[d] == "loop") ? "-" : torder[t]
					row = row " " cpucell(order[k] SUBSEP src SUBSEP drv[d]) " |"
				}
				row = row " " ratio(v["ours"], v["stock"]) " | " \
					ratio(v["ours"], v["nbd"]) " | " ratio(v["ours"], v["loop"]) \
					" | " ratio(cv["ours"], cv["stock"]) " |"
				print row
			}
		}
		print ""
	}
	print "Median (min..max) over the rounds; MB/s = 10^6 bytes/s. CPU s/GiB:" \
		" median over the rounds of busy guest CPU time (all vCPUs; from the" \
		" start of a fio job, ramp included) per GiB moved through the block" \
		" device in the same window; in brackets the part of it used by the" \
		" target's processes (vblade, aoefast, nbd-server; on veth this" \
		" includes the initiator's receive work done in their send calls)." \
		" Ratios are of medians; NBD and loop are the same sessions in both" \
		" tables (they use no AoE target)."
}

function print_paths(    t, k, f, row, s, o, one) {
	print "| setup | pattern | unit | stock | ours | ours/stock | ours vs 1 path | CPU s/GiB stock | CPU s/GiB ours |"
	print "|---|---|---|---:|---:|---:|---:|---:|---:|"
	for (k = 1; k <= nkeys; k++) {
		split(order[k], f, SUBSEP)
		for (t = 1; t <= ntg; t++) {
			s = med(val[order[k], torder[t], "stock"])
			o = med(val[order[k], torder[t], "ours"])
			one = med(val[order[k], "1path", "ours"])
			row = "| " torder[t] " | " pattern(f[2]) " " f[3] " qd " f[4] \
				" | MB/s | " cell(val[order[k], torder[t], "stock"]) " | " \
				cell(val[order[k], torder[t], "ours"]) " | " ratio(o, s) " | " \
				(torder[t] ~ /path/ ? ratio(o, one) : "–") " | " \
				cpucell(order[k] SUBSEP torder[t] SUBSEP "stock") " | " \
				cpucell(order[k] SUBSEP torder[t] SUBSEP "ours") " |"
			print row
		}
	}
	print ""
	print "Paths: one vblade per link, all serving the same file as e0.0 (a" \
		" multi-port shelf). raid0: md RAID0 (512 KiB chunks) over e0.1-e0.4," \
		" four vblades on one link. MTU " (length(f[1]) ? f[1] : "?") "."
}

function print_count(    i, n, d, k, dr) {
	split("stock ours", dr, " ")
	print "| addresses | driver | insmod to all up (s) | Slab per disk (KiB) | vmalloc per disk (KiB) | aoe-stat (s) | disks written at once | 4 KiB write IOPS (all) |"
	print "|---:|---|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nn; i++) {
		n = norder[i]
		for (d = 1; d <= 2; d++) {
			k = n SUBSEP dr[d]
			if (!(k in up))
				continue
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", n, dr[d], \
				cell(up[k]), cell(slab[k]), cell(vmal[k]), cell(stat[k]), \
				disks[k], cell(iops[k])
		}
	}
	print ""
	print "aoefast answers for every address (16 slots a shelf) on one link;" \
		" memory is the change of /proc/meminfo's Slab and VmallocUsed from" \
		" before insmod to all disks up, divided by the number of disks."
}

END {
	if (mode == "header") {
		if (nd_)
			print "Devices (first round):\n"
		for (i = 1; i <= nd_; i++)
			printf "- %s: %s%s\n", dorder[i], qinfo[dorder[i]], \
				(dorder[i] in payload) ? "; payload " payload[dorder[i]] : ""
		if (nm_) {
			printf "- ours, debugfs counters over all rounds:"
			for (i = 1; i <= nm_; i++)
				printf "%s %s: %d frames sent, %d retransmits, %d late answers", \
					(i > 1 ? ";" : ""), morder[i], sent[morder[i]], \
					rex[morder[i]], late[morder[i]]
			print ""
		}
		for (m in fast_fps)
			printf "- aoefast, MTU %s: at most %d frames/s and %d%% of a vCPU in a session\n", \
				m, fast_fps[m], fast_cpu[m]
		if (length(fast_fps))
			printf "- aoefast, all sessions: %d frames dropped by the kernel, %d received beyond the advertised buffer count\n", \
				fast_drops, fast_over
		if (nd_ || nm_ || length(fast_fps))
			print ""
	} else if (mode == "table" && nkeys) {
		print_points()
	} else if (mode == "paths" && nkeys) {
		print_paths()
	} else if (mode == "count" && nn) {
		print_count()
	} else if (mode == "host" && nh) {
		print_host()
	}
}
