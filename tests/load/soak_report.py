#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# soak_report.py - the counting half of tests/load/soak.sh: reads what the
# run left behind (smtp-sink's dump files, Postfix's maillog, the milter's
# log, the DMARC report database, the samples table) and prints the
# summary; exit 1 if any check fails. Not meant to be run on its own.
#
# Each stream's smtp-source numbered its recipients (-N): message k of
# stream S went to <kS@example.org>. So "lost" is exact: a number that
# Postfix did not refuse and that never reached the sink. Refused messages
# are counted from the maillog (smtpd "reject:" lines name the recipient).
#
# The shebang names /usr/bin/python3 on purpose: Debian's sqlite3 module.

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

RSS_GROWTH_MAX = 0.10	# RSS may exceed its warm-up figure by 10% at most
WARMUP_SHARE = 0.10	# warm-up ends when 10% of the messages reached the sink
AUTHSERV_ID = "mx.test.example"
DKIMPY_SAMPLES = 3	# outbound messages per stream verified by dkimpy

# What each stream's delivered messages must carry.
EXPECT = {
	"out-dual": {"sigs": {("example.com", "rsa"), ("example.com", "ed")}},
	"out-rsa": {"sigs": {("example.net", "s1")}},
	"in-pass": {"sigs": {("sender.example", "s1")},
	    "ar": ("dkim=pass", "spf=pass", "dmarc=pass")},
	"in-fail": {"sigs": {("other.example", "s1")},
	    "ar": ("dkim=fail", "dmarc=fail")},
}

RCPT_RE = re.compile(rb"^X-Rcpt-Args: <(\d+)([a-z-]+)@example\.org>", re.M)
RECORD_RE = re.compile(rb"(?m)^(?=X-Client-Addr: )")
TAG_RE = re.compile(rb"(?:^|;)\s*([ds])\s*=\s*([^;\s]+)")


def fields(msg):
	"""Unfolded header fields of a message (LF line ends), in order."""
	out = []
	for line in msg.split(b"\n"):
		if line == b"":
			break
		if line[:1] in (b" ", b"\t") and out:
			out[-1] = (out[-1][0], out[-1][1] + b" " + line.strip())
		elif b":" in line:
			name, value = line.split(b":", 1)
			out.append((name.strip().lower(), value.strip()))
	return out


def records(path):
	"""(stream, number, delivered message) for each transaction in a dump
	file; smtp-sink appends when two transactions draw the same name."""
	data = open(path, "rb").read()
	for rec in RECORD_RE.split(data):
		if not rec:
			continue
		m = RCPT_RE.search(rec)
		lines = rec.split(b"\n")
		i = 0
		while i < len(lines) and not lines[i].startswith(b"Received: "):
			i += 1
		i += 1
		while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
			i += 1
		body = b"\n".join(lines[i:])
		if body.endswith(b"\n\n"):
			body = body[:-1]	# the empty line smtp-sink adds
		yield (m.group(2).decode() if m else None,
		    int(m.group(1)) if m else None, body)


def check_message(stream, msg):
	"""None if the message carries what its stream should, else why not."""
	want = EXPECT[stream]
	f = fields(msg)
	sigs = set()
	for name, value in f:
		if name == b"dkim-signature":
			tags = dict(TAG_RE.findall(value))
			sigs.add((tags.get(b"d", b"").decode(), tags.get(b"s", b"").decode()))
	nsig = sum(1 for name, _ in f if name == b"dkim-signature")
	if sigs != want["sigs"] or nsig != len(want["sigs"]):
		return "signatures %s, want %s" % (sorted(sigs), sorted(want["sigs"]))
	ours = [v for n, v in f if n == b"authentication-results" and
	    v.lower().startswith(AUTHSERV_ID.encode() + b";")]
	if "ar" in want:
		if not f or f[0][0] != b"authentication-results" or len(ours) != 1:
			return "not exactly one Authentication-Results of ours on top"
		for word in want["ar"]:
			if word.encode() not in ours[0]:
				return "Authentication-Results without %s: %s" % (word, ours[0].decode())
	return None


def maillog(path):
	accepted, sent, refused, other = set(), set(), {}, {}
	problems = []
	acc_re = re.compile(r"\]: ([0-9A-F]+): from=<.*\(queue active\)$")
	sent_re = re.compile(r"postfix/smtp\[\d+\]: ([0-9A-F]+): to=.*status=sent")
	status_re = re.compile(r"status=(deferred|bounced|expired)")
	rej_re = re.compile(r"(?:reject|milter-reject):.*to=<(\d+)([a-z-]+)@example\.org>")
	for line in open(path, errors="replace"):
		line = line.rstrip("\n")
		m = acc_re.search(line)
		if m:
			accepted.add(m.group(1))
			continue
		m = sent_re.search(line)
		if m:
			sent.add(m.group(1))
			continue
		m = status_re.search(line)
		if m:
			other[m.group(1)] = other.get(m.group(1), 0) + 1
		m = rej_re.search(line)
		if m:
			refused.setdefault(m.group(2), set()).add(int(m.group(1)))
		if re.search(r"(warning|error|fatal|panic):", line):
			problems.append(line)
	return accepted, sent, refused, other, problems


def main():
	ap = argparse.ArgumentParser()
	for a in ("--dir", "--sink", "--maillog", "--duration", "--crashed",
	    "--stop-status", "--interop"):
		ap.add_argument(a, required=True)
	a = ap.parse_args()
	failures = []

	def fail(why):
		failures.append(why)

	streams = [(l.split()[0], int(l.split()[1]))
	    for l in open(os.path.join(a.dir, "streams"))]
	total = sum(n for _, n in streams)

	accepted, sent, refused, other, problems = maillog(a.maillog)
	got = {s: {} for s, _ in streams}
	bad_msgs = {s: 0 for s, _ in streams}
	first_bad = {}
	samples = {s: [] for s, _ in streams}
	unknown = 0
	nfiles = 0
	for name in os.listdir(a.sink):
		nfiles += 1
		for stream, num, msg in records(os.path.join(a.sink, name)):
			if stream not in got:
				unknown += 1
				continue
			got[stream][num] = got[stream].get(num, 0) + 1
			why = check_message(stream, msg)
			if why is not None:
				bad_msgs[stream] += 1
				first_bad.setdefault(stream, why)
			elif stream.startswith("out-") and len(samples[stream]) < DKIMPY_SAMPLES:
				samples[stream].append(msg)

	print()
	print("per stream: sent, refused, at the sink, lost, duplicates, "
	    "messages not as expected")
	lost_total = dup_total = ref_total = sink_total = 0
	for stream, n in streams:
		ref = refused.get(stream, set())
		have = got[stream]
		lost = [k for k in range(1, n + 1) if k not in have and k not in ref]
		dups = sum(c - 1 for c in have.values() if c > 1)
		extra = [k for k in have if k < 1 or k > n]
		print("  %-8s %7d %7d %7d %7d %7d %7d" % (stream, n, len(ref),
		    len(have), len(lost), dups, bad_msgs[stream]))
		if lost:
			print("    lost (first 10):", " ".join("%d%s" % (k, stream)
			    for k in lost[:10]))
		if extra:
			fail("%s: recipients that were never sent: %s" % (stream, extra[:5]))
		if bad_msgs[stream]:
			fail("%s: %d delivered messages not as expected, e.g. %s" %
			    (stream, bad_msgs[stream], first_bad[stream]))
		lost_total += len(lost)
		dup_total += dups
		ref_total += len(ref)
		sink_total += len(have)
	if unknown:
		fail("%d transactions at the sink belong to no stream" % unknown)

	# outbound signatures verified by an independent verifier
	zone = os.path.join(a.dir, "zone")
	verified = 0
	with tempfile.TemporaryDirectory() as d:
		for stream in samples:
			for i, msg in enumerate(samples[stream]):
				p = os.path.join(d, "%s.%d.eml" % (stream, i))
				open(p, "wb").write(msg)
				r = subprocess.run([os.path.join(a.interop, "verify_dkimpy.py"),
				    "--zone", zone, p], capture_output=True, text=True)
				if r.returncode != 0:
					fail("dkimpy: %s sample %d: %s" % (stream, i, r.stdout + r.stderr))
				else:
					verified += 1
	want_verified = DKIMPY_SAMPLES * sum(1 for s, _ in streams if s.startswith("out-"))
	if verified < min(want_verified, sink_total):
		fail("dkimpy verified %d samples, want %d" % (verified, want_verified))

	# the milter's side: one log line per message with a queue id
	mlog = open(os.path.join(a.dir, "milter.log"), errors="replace").read().splitlines()
	per_msg = sum(1 for l in mlog if re.match(r"inkan-milter: [0-9A-F]+: ", l))
	mproblems = [l for l in mlog if re.search(r"(?i)\b(warning|error|failed|tempfail)", l)]
	db_rows = sqlite3.connect(os.path.join(a.dir, "dmarc.db")).execute(
	    "SELECT count(*) FROM messages").fetchone()[0]
	inbound = sum(len(got[s]) for s, _ in streams if s.startswith("in-"))
	milter_warn = [l for l in problems if "milter" in l.lower()]
	queue_end = open(os.path.join(a.dir, "queue.end")).read()

	# samples table: time phase accepted sink queue rss fds threads
	rows = [l.split() for l in open(os.path.join(a.dir, "samples"))]
	rows = [(int(r[0]), r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]),
	    int(r[6]), int(r[7])) for r in rows]
	idle0 = rows[0]
	idle1 = rows[-1] if rows[-1][1] == "idle" and len(rows) > 1 else None
	busy = [r for r in rows if r[1] in ("load", "drain")]
	warm = next((r for r in busy if r[3] >= WARMUP_SHARE * total), None)

	duration = int(a.duration)
	print()
	print("messages sent by smtp-source: %d (%d streams)" % (total, len(streams)))
	print("accepted by Postfix:          %d (queue ids); refused: %d" %
	    (len(accepted), ref_total))
	print("delivered to the sink:        %d (Postfix status=sent: %d; dump files: %d)" %
	    (sink_total, len(sent), nfiles))
	print("lost:                         %d; duplicates: %d; deferred/bounced: %s" %
	    (lost_total, dup_total, other or 0))
	print("Postfix queue at the end:     %s" %
	    ("empty" if "Mail queue is empty" in queue_end else queue_end.strip()))
	print("milter per-message log lines: %d; DMARC report rows: %d (inbound at sink %d)" %
	    (per_msg, db_rows, inbound))
	print("milter warnings/errors:       %d in its log, %d milter lines in the maillog" %
	    (len(mproblems), len(milter_warn)))
	print("outbound samples dkimpy-verified: %d" % verified)
	print("duration:                     %d s (%.1f messages/s)" %
	    (duration, sink_total / duration if duration else 0))
	if warm is not None:
		after = [r for r in busy if r[0] >= warm[0]]
		peak = max(after, key=lambda r: r[5])
		print("RSS kB: idle %d; warm-up (t=%d s, %d at sink) %d; max after warm-up %d "
		    "(t=%d s, %+.1f%%); end of load %d; idle at the end %s" %
		    (idle0[5], warm[0], warm[3], warm[5], peak[5], peak[0],
		    100.0 * (peak[5] - warm[5]) / warm[5], busy[-1][5],
		    idle1[5] if idle1 else "-"))
		if peak[5] > warm[5] * (1 + RSS_GROWTH_MAX):
			fail("RSS grew %.1f%% after warm-up (limit %d%%)" %
			    (100.0 * (peak[5] - warm[5]) / warm[5], 100 * RSS_GROWTH_MAX))
	else:
		fail("no sample after warm-up (%d%% of the messages at the sink)" %
		    (100 * WARMUP_SHARE))
	if busy:
		print("descriptors: idle %d; under load min %d max %d; idle at the end %s" %
		    (idle0[6], min(r[6] for r in busy), max(r[6] for r in busy),
		    idle1[6] if idle1 else "-"))
		print("threads:     idle %d; under load min %d max %d; idle at the end %s" %
		    (idle0[7], min(r[7] for r in busy), max(r[7] for r in busy),
		    idle1[7] if idle1 else "-"))
	print("milter: %s; SIGTERM: %s" % ("crashed" if a.crashed == "1" else
	    "same process from start to end", a.stop_status))

	if a.crashed == "1":
		fail("the milter died during the run")
	if a.stop_status != "0":
		fail("SIGTERM: %s" % a.stop_status)
	if lost_total:
		fail("%d messages lost" % lost_total)
	if ref_total:
		fail("%d messages refused" % ref_total)
	if dup_total:
		fail("%d messages delivered twice" % dup_total)
	if sink_total + ref_total < total:
		fail("%d messages neither delivered nor refused" % (total - sink_total - ref_total))
	if len(accepted) != sink_total or len(sent) != sink_total:
		fail("maillog: %d accepted, %d sent, but %d at the sink" %
		    (len(accepted), len(sent), sink_total))
	if "Mail queue is empty" not in queue_end:
		fail("Postfix queue not empty at the end")
	if per_msg != len(accepted):
		fail("milter logged %d messages, Postfix accepted %d" % (per_msg, len(accepted)))
	if db_rows != inbound:
		fail("DMARC report database has %d rows for %d inbound messages" %
		    (db_rows, inbound))
	if mproblems:
		fail("milter log: %s" % "; ".join(mproblems[:5]))
	if milter_warn:
		fail("maillog: %s" % "; ".join(milter_warn[:5]))
	if problems and not milter_warn:
		print("maillog warnings (not about the milter, first 5):")
		for l in problems[:5]:
			print("  " + l)
	if idle1 is None:
		fail("no idle sample at the end")
	else:
		if idle1[6] > idle0[6]:
			fail("descriptors grew: %d idle at the start, %d at the end" %
			    (idle0[6], idle1[6]))
		if idle1[7] > idle0[7]:
			fail("threads grew: %d idle at the start, %d at the end" %
			    (idle0[7], idle1[7]))

	print()
	if failures:
		for f in failures:
			print("FAIL: " + f)
		return 1
	print("soak passed: %d messages, 0 lost" % total)
	return 0


if __name__ == "__main__":
	sys.exit(main())
