# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/table.awk: Markdown from the benchmark's console markers.
#
#   awk -f table.awk -v mode=header       (START/IDLE/INFO lines on stdin)
#   awk -f table.awk -v mode=table -v mtus=1500,9000 \
#       -v drivers=stock,ours,nbd,loop KVER.points
#
# A point line: mtu= round= drv= rw= bs= qd= kib= ms= busy= total= bytes=
# Sequential points in MB/s (10^6 bytes/s), random ones in IOPS, both from
# fio's measured I/O after the ramp. CPU s/GiB: busy jiffies of all guest
# CPUs (USER_HZ 100) over a fio job (ramp included), divided by the GiB moved
# through the block device in that window.

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
	d = in_["drv"]
	if (!(d in qinfo)) {
		dorder[++nd_] = d
		qinfo[d] = in_["sched"] ", max_sectors_kb " in_["max_sectors_kb"] \
			" (hw " in_["max_hw_sectors_kb"] "), nr_requests " in_["nr_requests"]
	}
	# aoe-stat: ,eS.L,size,iface,payload,state,
	if ("aoe-stat" in in_) {
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
	if (as_["drv"] != "ours")
		next
	m = as_["mtu"]
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
mode == "header" { next }

mode == "table" {
	kv($0, p)
	key = p["mtu"] SUBSEP p["rw"] SUBSEP p["bs"] SUBSEP p["qd"]
	if (!(key in seen)) {
		seen[key] = 1
		order[++nkeys] = key
	}
	sec = p["ms"] / 1000
	if (p["rw"] ~ /^rand/)
		v = p["kib"] * 1024 / bs_bytes(p["bs"]) / sec
	else
		v = p["kib"] * 1024 / 1e6 / sec
	val[key, p["drv"]] = val[key, p["drv"]] " " v
	if (p["bytes"] > 0)
		cpu[key, p["drv"]] = cpu[key, p["drv"]] " " \
			(p["busy"] / 100) / (p["bytes"] / 1073741824)
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
				printf "%s MTU %s: %d frames sent, %d retransmits, %d late answers", \
					(i > 1 ? ";" : ""), morder[i], sent[morder[i]], \
					rex[morder[i]], late[morder[i]]
			print ""
		}
		if (nd_ || nm_)
			print ""
	}
	if (mode != "table")
		exit
	nd = split(drivers, drv, ",")
	name["stock"] = "stock"; name["ours"] = "ours"
	name["nbd"] = "NBD"; name["loop"] = "loop"
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
	hdr = hdr " ours/stock | ours/NBD |"
	sep = sep "---:|---:|"
	print hdr
	print sep
	# Rows: MTUs in the given order, points in the order they ran.
	nm = split(mtus, mt, ",")
	for (m = 1; m <= nm; m++) {
		for (k = 1; k <= nkeys; k++) {
			split(order[k], f, SUBSEP)
			if (f[1] != mt[m])
				continue
			pat = f[2] == "write" ? "seq write" : f[2] == "read" ? "seq read" : \
				f[2] == "randread" ? "rand read" : f[2] == "randwrite" ? "rand write" : f[2]
			unit = f[2] ~ /^rand/ ? "IOPS" : "MB/s"
			row = "| " f[1] " | " pat " | " f[3] " | " f[4] " | " unit " |"
			delete med
			for (d = 1; d <= nd; d++) {
				if (stats(val[order[k], drv[d]])) {
					med[drv[d]] = S_med
					row = row " " num(S_med) " (" num(S_min) ".." num(S_max) ") |"
				} else
					row = row " – |"
			}
			for (d = 1; d <= nd; d++) {
				if (stats(cpu[order[k], drv[d]]))
					row = row " " num(S_med) " |"
				else
					row = row " n/a |"
			}
			row = row " " ((("ours" in med) && med["stock"] > 0) ? \
				sprintf("%.2f", med["ours"] / med["stock"]) : "–") " |"
			row = row " " ((("ours" in med) && med["nbd"] > 0) ? \
				sprintf("%.2f", med["ours"] / med["nbd"]) : "–") " |"
			print row
		}
	}
	print ""
	print "Median (min..max) over the rounds; MB/s = 10^6 bytes/s. CPU s/GiB:" \
		" median over the rounds of busy guest CPU time (all vCPUs, initiator" \
		" and target side; from the start of a fio job, ramp included) per GiB" \
		" moved through the block device in the same window. Ratios are of medians."
}
