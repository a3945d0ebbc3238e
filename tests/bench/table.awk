# SPDX-License-Identifier: ISC
#
# table.awk - compare.sh's results (one line per run:
#   LABEL MILTER SIZE PER_CONN RESULT key=value ...)
# as a table of medians with ratios, and the targets of issue 9 checked
# against this machine's OpenSSL figures (-v rsa, ed: ms per signature;
# sha: MB/s for SHA-256 over 16 KB blocks).

function median(key, field,    n, i, j, t, a) {
	n = nrun[key]
	for (i = 1; i <= n; i++)
		a[i] = val[key, i, field] + 0
	for (i = 2; i <= n; i++)	# insertion sort: a handful of runs
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	if (n == 0)
		return -1
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

function human(size) {
	if (size >= 1048576) return sprintf("%d MB", size / 1048576)
	if (size >= 1024) return sprintf("%d KB", size / 1024)
	return size
}

function verdict(ok) { return ok ? "met" : "MISSED" }

{
	key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
	if (!(key in nrun)) {
		order[++nkeys] = key
		if (!(($1, $3) in seen_size)) {
			seen_size[$1, $3] = 1
		}
		sizes[$3] = 1
	}
	r = ++nrun[key]
	for (i = 6; i <= NF; i++) {
		split($i, kv, "=")
		val[key, r, kv[1]] = kv[2]
		if (kv[1] ~ /^hdr_/)
			hdrs[key, kv[1]] = 1
		if (kv[1] == "failed")
			failed[key] += kv[2]
	}
}

function row(label, milter, size, per,    key, cpu, base, added, h, n, x) {
	key = label SUBSEP milter SUBSEP size SUBSEP per
	if (!(key in nrun))
		return
	cpu = median(key, "cpu_ms")
	base = median(label SUBSEP "inkan" SUBSEP size SUBSEP per, "cpu_ms")
	n = median(key, "msgs")
	added = ""
	for (x in hdrs) {
		split(x, h, SUBSEP)
		if (h[1] SUBSEP h[2] SUBSEP h[3] SUBSEP h[4] == key) {
			added = added sprintf(" %s=%.2f", substr(h[5], 5),
			    median(key, h[5]) / n)
		}
	}
	ratio = "-"
	if (base > 0)
		ratio = sprintf("%.2fx", cpu / base)
	fail = ""
	if (failed[key] > 0)
		fail = sprintf("FAILED %d; ", failed[key])
	printf("%-7s %4s  %-19s %9.3f %7s %9.1f %8.2f %8.2f %8.1f  %s%s\n",
	    human(size), per, milter, cpu, ratio,
	    median(key, "mps"), median(key, "p50_ms"), median(key, "p99_ms"),
	    median(key, "rss_kb") / 1024, fail, added)
	cpu_of[label, milter, size, per] = cpu
	rss_of[label, milter, size, per] = median(key, "rss_kb")
}

function section(label, title,    s, per, m) {
	printf "\n%s\n", title
	printf "%-7s %4s  %-19s %9s %7s %9s %8s %8s %8s  %s\n", "size",
	    "/con", "milter", "CPU ms/msg", "ratio", "msgs/s", "p50 ms",
	    "p99 ms", "RSS MB", "added per message"
	for (s = 1; s <= nsz; s++)
		for (per = 1; per <= 20; per += 19)
			for (m = 1; m <= 4; m++)
				row(label, mil[m], szlist[s], per)
}

END {
	mil[1] = "inkan"; mil[2] = "opendkim"; mil[3] = "opendkim+opendmarc"
	mil[4] = "null_milter"
	nsz = 0
	for (s in sizes)
		if (s + 0 > 0)
			szlist[++nsz] = s + 0
	for (i = 2; i <= nsz; i++)
		for (j = i; j > 1 && szlist[j - 1] > szlist[j]; j--) {
			t = szlist[j]; szlist[j] = szlist[j - 1]; szlist[j - 1] = t
		}
	printf "OpenSSL on this machine: RSA-2048 sign %.3f ms, Ed25519 sign " \
	    "%.3f ms, SHA-256 (16 KB blocks) %.0f MB/s\n", rsa, ed, sha
	printf "Medians of %d runs. CPU is the milter's (user+system from " \
	    "/proc/PID/stat), per message;\nratio = CPU / inkan's CPU for " \
	    "the same load. /con = messages per milter connection.\n", runs
	section("out-rsa", "Outbound, RSA-2048 signing")
	section("out-ed", "Outbound, Ed25519 signing")
	section("in", "Inbound: DKIM (RSA-2048) + SPF + DMARC " \
	    "(OpenDKIM alone verifies DKIM only)")
	section("floor", "The protocol's own cost: null_milter (libmilter, " \
	    "inkan's negotiation, reads all, adds one field)")

	printf "\n64 connections (2 KB outbound RSA-2048)\n"
	for (m = 1; m <= 2; m++) {
		key = "idle64" SUBSEP mil[m] SUBSEP 0 SUBSEP 0
		printf "  %-9s idle: RSS %.1f MB (%.1f MB before); ", mil[m],
		    val[key, 1, "rss_kb"] / 1024,
		    val[key, 1, "rss_before_kb"] / 1024
		idle_rss[mil[m]] = val[key, 1, "rss_kb"]
		for (per = 1; per <= 20; per += 19) {
			key = "busy64" SUBSEP mil[m] SUBSEP 2048 SUBSEP per
			printf("busy %d/con: %d of %d failed, p99 %.1f ms%s",
			    per, val[key, 1, "failed"], val[key, 1, "msgs"],
			    val[key, 1, "p99_ms"], (per == 1 ? "; " : "\n"))
			busy_failed[mil[m]] += val[key, 1, "failed"] + \
			    (val[key, 1, "msgs"] == "" ? 1 : 0)
		}
	}

	printf "\nTargets (issue 9)\n"
	for (per = 1; per <= 20; per += 19) {
		c = cpu_of["out-rsa", "inkan", 2048, per]
		printf("  %-62s %s\n", sprintf("outbound RSA 2 KB, %d/con: " \
		    "%.3f ms <= 1.25 x %.3f ms", per, c, rsa),
		    verdict(c > 0 && c <= 1.25 * rsa))
		fl = cpu_of["floor", "null_milter", 2048, per]
		if (fl > 0 && c > fl)
			printf("  %-62s %s\n", sprintf("  inkan's own work (less " \
			    "null_milter's %.3f ms): %.3f ms", fl, c - fl),
			    verdict(c - fl <= 1.25 * rsa))
		c = cpu_of["out-ed", "inkan", 2048, per]
		o = cpu_of["out-ed", "opendkim", 2048, per]
		printf("  %-62s %s\n", sprintf("outbound Ed25519 2 KB, %d/con: " \
		    "%.3f ms <= %.3f ms / 4", per, c, o),
		    verdict(c > 0 && c <= o / 4))
		c = cpu_of["in", "inkan", 2048, per]
		o = cpu_of["in", "opendkim+opendmarc", 2048, per]
		printf("  %-62s %s\n", sprintf("inbound 2 KB, %d/con: %.3f ms " \
		    "<= %.3f ms / 4", per, c, o), verdict(c > 0 && c <= o / 4))
		for (l = 1; l <= 2; l++) {
			lab = l == 1 ? "out-rsa" : "in"
			c = cpu_of[lab, "inkan", 10485760, per]
			if (c <= 0)
				continue
			mbs = 10 * 1.048576 * 1000 / c
			what = (lab == "in" ? "verifying" : "signing")
			printf("  %-62s %s\n", sprintf("%s 10 MB, %d/con: %.0f " \
			    "MB/s >= 70%% of %.0f MB/s", what, per, mbs, sha),
			    verdict(mbs >= 0.7 * sha))
			# the body hashing alone: less what reading the message
			# through libmilter costs (null_milter, same load)
			fl = cpu_of["floor", "null_milter", 10485760, per]
			if (fl > 0 && c > fl) {
				mbs = 10 * 1.048576 * 1000 / (c - fl)
				printf("  %-62s %s\n", sprintf("  hashing only " \
				    "(less null_milter's %.1f ms): %.0f MB/s",
				    fl, mbs), verdict(mbs >= 0.7 * sha))
			}
			big = rss_of[lab, "inkan", 10485760, per]
			small = rss_of[lab, "inkan", 102400, per]
			printf("  %-62s %s\n", sprintf("%s peak RSS 10 MB vs 100 KB, " \
			    "%d/con: %.1f vs %.1f MB", what, per, big / 1024,
			    small / 1024), verdict(small > 0 && big - small < 2048))
		}
	}
	printf("  %-62s %s\n", sprintf("64 idle connections: %.1f MB < 32 MB",
	    idle_rss["inkan"] / 1024), verdict(idle_rss["inkan"] > 0 &&
	    idle_rss["inkan"] < 32768))
	printf("  %-62s %s\n", "64 busy connections: nothing lost or failed",
	    verdict(busy_failed["inkan"] == 0))
}
