#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# corpus.py - the body of make_corpus.sh (run that, not this): writes zone,
# the *.eml messages and expected.tsv into DIR, signing with dkimpy (in this
# process), Mail::DKIM (sign_maildkim.pl) and OpenDKIM (opendkim -t), then,
# unless --no-check, verifies every message with tests/interop/verify_dkimpy.py
# verify_maildkim.pl and verify_opendkim.sh and compares each signature's
# outcome with CASES.
#
#   corpus.py DIR WORKDIR [--no-check]
#
# expected.tsv: "file<TAB>index<TAB>result<TAB>d<TAB>s<TAB>note", one line
# per DKIM-Signature, index 0 = topmost field. result is what inkan reports
# (RFC 8601 words) under these rules, verification time --now 1795000000:
#   pass
#   fail       body hash or signature does not verify; x= in the past
#   permerror  malformed signature (missing or duplicate tag, unknown a=,
#              v= not 1, i= not within d=, b= not base64, From not in h=),
#              no key record (NXDOMAIN or NODATA), revoked key (empty p=),
#              unusable key (bad p=, k= not matching a=, key h= without
#              sha256, t=s with i= in a subdomain of d=)
#   policy     rsa-sha1, or an RSA key under 1024 bits (RFC 8301)
#   temperror  DNS TIMEOUT or SERVFAIL for the key
# d and s are the signature's tags ("-" when absent).

import base64
import os
import re
import shutil
import subprocess
import sys
import time

import dkim

T_SIGN = 1790000000		# t= of every signature whose signer allows it
X_PAST = 1794000000		# expired at --now 1795000000
X_FUTURE = 2000000000		# not expired at --now 1795000000
T_VERIFY = 1795000000		# the verifiers' --now in check()

DIR, WORK = sys.argv[1], sys.argv[2]
CHECK = "--no-check" not in sys.argv[3:]
KEYS = os.path.join(DIR, "keys")
INTEROP = os.path.normpath(os.path.join(DIR, "..", "..", "interop"))


def key(name):
	return os.path.join(KEYS, name)


def der(pem, *args):
	return subprocess.run(["openssl", "pkey", "-in", key(pem), "-outform",
	    "DER"] + list(args), check=True, capture_output=True).stdout


def pub_b64(pem):
	d = der(pem, "-pubout")
	if pem.startswith("ed25519"):
		# RFC 8463 4.2: the raw 32-byte key, the end of the SPKI DER.
		assert len(d) == 44
		d = d[-32:]
	return base64.b64encode(d).decode()


def ed_seed():
	# dkimpy takes the base64 32-byte seed, the end of the PKCS#8 DER.
	d = der("ed25519.pem")
	assert len(d) == 48
	return base64.b64encode(d[-32:])


def crlf(*lines):
	return "".join(l + "\r\n" for l in lines).encode()


# ---------------------------------------------------------------- the zone

def txt_record(owner, text, ttl=None):
	"""One TXT RR; data over 250 bytes is split into several strings in
	parentheses over several lines, as published keys usually are."""
	ttl = "%d " % ttl if ttl else ""
	if len(text) <= 250:
		return '%s %sIN TXT "%s"\n' % (owner, ttl, text)
	parts = [text[i:i + 250] for i in range(0, len(text), 250)]
	return "%s %sIN TXT (\n%s )\n" % (owner, ttl,
	    "\n".join('\t"%s"' % p for p in parts))


def write_zone():
	rsa = pub_b64("rsa2048.pem")
	z = []
	z.append("; DKIM keys for the verify corpus (tests/data/verify), in\n"
	    "; the --dns-zone format of DESIGN.md. Written by make_corpus.sh;\n"
	    "; the private halves are in keys/ (public test keys).\n\n")
	z.append("; good keys\n")
	z.append(txt_record("rsa._domainkey.example.com.",
	    "v=DKIM1; k=rsa; p=" + rsa, 3600))
	z.append("alias._domainkey.example.com. 3600 IN CNAME "
	    "rsa._domainkey.example.com.\n")
	z.append(txt_record("ed._domainkey.example.com.",
	    "v=DKIM1; k=ed25519; p=" + pub_b64("ed25519.pem"), 300))
	# No v= (optional, RFC 6376 3.6.1) and h=sha256 here; no k= (rsa is
	# the default) in the 1024-bit one.
	z.append(txt_record("perl._domainkey.example.org",
	    "k=rsa; h=sha256; p=" + rsa))
	z.append(txt_record("rsa1024._domainkey.example.org.",
	    "v=DKIM1; p=" + pub_b64("rsa1024.pem"), 86400))
	z.append(txt_record("odkim._domainkey.example.net.",
	    "v=DKIM1; k=rsa; p=" + rsa))
	z.append(txt_record("odkim-ed._domainkey.example.net.",
	    "v=DKIM1; k=ed25519; p=" + pub_b64("ed25519.pem")))
	z.append(txt_record("strict._domainkey.example.com.",
	    "v=DKIM1; k=rsa; t=s; p=" + rsa))
	z.append("\n; unusable keys\n")
	z.append(txt_record("revoked._domainkey.example.com.",
	    "v=DKIM1; k=rsa; p="))
	z.append(txt_record("wrongkey._domainkey.example.com.",
	    "v=DKIM1; k=rsa; p=" + pub_b64("rsa2048-other.pem")))
	z.append(txt_record("weak._domainkey.example.com.",
	    "v=DKIM1; k=rsa; p=" + pub_b64("rsa512.pem")))
	z.append(txt_record("sha1only._domainkey.example.com.",
	    "v=DKIM1; k=rsa; h=sha1; p=" + rsa))
	z.append(txt_record("badkey._domainkey.example.com.",
	    "v=DKIM1; k=rsa; p=" + rsa[:120]))
	z.append("\n; DNS failures; missing._domainkey.example.com has no "
	    "record at all\n")
	z.append("timeout._domainkey.example.com. TIMEOUT\n")
	z.append("servfail._domainkey.example.com. SERVFAIL\n")
	z.append("nodata._domainkey.example.com. 300 IN A 192.0.2.1\n")
	with open(os.path.join(DIR, "zone"), "w") as f:
		f.write("".join(z))


# ----------------------------------------------------------- the messages

def message(n, frm="Alice Example <alice@example.com>",
    to="Bob Builder <bob@example.net>", subject=None, extra=(), body=None):
	subject = subject or "Corpus message %d" % n
	body = body or (
	    "Hi Bob,",
	    "",
	    "this is message %d of the DKIM verification corpus.  It has" % n,
	    "a run of  spaces, a trailing blank   ",
	    "\tand a tab-indented line.",
	    "",
	    "-- ",
	    "Alice",
	    "",
	    "")
	return crlf("From: " + frm, "To: " + to, "Subject: " + subject,
	    "Date: Fri, 21 Aug 2026 13:%02d:00 +0000" % (n % 60),
	    "Message-ID: <corpus.%d@example.com>" % n, *extra,
	    "MIME-Version: 1.0",
	    "Content-Type: text/plain; charset=us-ascii", "",
	    *body)


FOLDED = (
	"From: \"Alice Example, Head of Long Header Research\"\r\n"
	"\t<alice@example.com>\r\n"
	"To: Bob Builder <bob@example.net>, Carol Carpenter\r\n"
	" <carol@example.net>,\r\n"
	"    Dave Digger <dave@example.net>\r\n"
	"Subject: A subject line that is long enough that the sending mail\r\n"
	" client had to fold it over more than one line, as\r\n"
	"\tmail clients do\r\n"
	"Date: Fri, 21 Aug 2026 14:00:00 +0000\r\n"
	"Message-ID: <corpus.folded@example.com>\r\n"
	"References: <thread.1@example.com> <thread.2@example.com>\r\n"
	" <thread.3@example.com> <thread.4@example.com>\r\n"
	"X-Mailer: corpus-writer 1.0\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: text/plain;\r\n"
	"\tcharset=\"utf-8\"\r\n"
	"\r\n"
	"Hello all,\r\n"
	"\r\n"
	"the headers of this message are folded.\r\n").encode()

HEADS = [b"from", b"to", b"subject", b"date", b"message-id",
    b"mime-version", b"content-type"]


# ----------------------------------------------------------------- signers

def dkimpy(msg, sel, dom=b"example.com", alg=b"rsa-sha256",
    canon=(b"relaxed", b"relaxed"), heads=HEADS, identity=None, length=False,
    keyfile="rsa2048.pem"):
	"""The DKIM-Signature field (CRLF-terminated) dkimpy makes; t= fixed
	by replacing time.time() for the call."""
	if alg == b"ed25519-sha256":
		k = ed_seed()
	else:
		with open(key(keyfile), "rb") as f:
			k = f.read()
	saved = time.time
	time.time = lambda: float(T_SIGN)
	try:
		sig = dkim.DKIM(msg).sign(sel, dom, k, signature_algorithm=alg,
		    identity=identity, canonicalize=canon,
		    include_headers=heads, length=length)
	finally:
		time.time = saved
	return sig


def maildkim(msg, sel, dom="example.org", alg="rsa-sha256",
    method="relaxed/relaxed", heads="-", t=T_SIGN, x=None,
    keyfile="rsa2048.pem"):
	path = os.path.join(WORK, "maildkim.eml")
	with open(path, "wb") as f:
		f.write(msg)
	return subprocess.run(["/usr/bin/perl",
	    os.path.join(DIR, "sign_maildkim.pl"), key(keyfile), alg, method,
	    dom, sel, heads, str(t) if t else "-", str(x) if x else "-", path],
	    check=True, capture_output=True).stdout


def opendkim(msg, sel, dom, keyfile, alg, canon, extra=""):
	"""opendkim -t in sign mode; returns the field it would insert."""
	kf = os.path.join(WORK, "odkim.key")
	shutil.copyfile(key(keyfile), kf)
	os.chmod(kf, 0o600)
	conf = os.path.join(WORK, "odkim.conf")
	with open(conf, "w") as f:
		# RequireSafeKeys no: opendkim otherwise refuses a key under
		# /tmp (a directory others may write), exit status 78.
		f.write("Mode s\nSyslog no\nRequireSafeKeys no\nDomain %s\nSelector %s\nKeyFile %s\n"
		    "SignatureAlgorithm %s\nCanonicalization %s\n%s" % (dom, sel,
		    kf, alg, canon, extra))
	path = os.path.join(WORK, "odkim.eml")
	with open(path, "wb") as f:
		f.write(msg)
	env = dict(os.environ)
	if os.environ.get("FIXTIME_SO"):
		# make_corpus.sh's time() replacement: t=T_SIGN.
		env.update(LD_PRELOAD=os.environ["FIXTIME_SO"],
		    FIXTIME=str(T_SIGN))
	out = subprocess.run(["/usr/sbin/opendkim", "-x", conf, "-vv", "-t",
	    path], check=True, capture_output=True, env=env).stdout
	m = re.search(rb"### INSHEADER: idx=0 hname='DKIM-Signature' "
	    rb"hvalue='([^']*)'", out)
	if not m:
		sys.exit("corpus.py: no DKIM-Signature from opendkim:\n" +
		    out.decode(errors="replace"))
	return b"DKIM-Signature: " + re.sub(rb"\r?\n", b"\r\n",
	    m.group(1)) + b"\r\n"


# ------------------------------------------------------- tampering helpers

def edit(sig, pattern, repl, count=1):
	new, n = re.subn(pattern, repl, sig, count=count)
	assert n == count, (pattern, sig)
	return new


def corrupt_b(sig):
	"""Change the first base64 character of b= (still valid base64)."""
	m = re.search(rb"\bb=\s*([A-Za-z0-9+/])", sig)
	c = m.group(1)
	return sig[:m.start(1)] + (b"B" if c != b"B" else b"C") + sig[m.end(1):]


# ------------------------------------------------------------------ cases
#
# Each case: file name, message bytes, and one tuple per signature, top to
# bottom: (result, note[, dkimpy, maildkim, opendkim]): what those
# verifiers are expected to say ("pass", "fail", or "error" for exit status
# 2); None or absent: pass exactly when result is pass. Mail::DKIM fails
# every Ed25519 signature whatever this says (it has no Ed25519).

CASES = []


def case(name, msg, *sigs):
	CASES.append((name, msg, sigs))


def build():
	# --- good: dkimpy, every canonicalization pair
	for i, (hc, bc) in enumerate(((b"relaxed", b"relaxed"),
	    (b"simple", b"simple"), (b"relaxed", b"simple"),
	    (b"simple", b"relaxed"))):
		m = message(1 + i)
		s = dkimpy(m, b"rsa", canon=(hc, bc))
		case("pass-dkimpy-%s-%s.eml" % (hc.decode(), bc.decode()), s + m,
		    ("pass", "dkimpy rsa-sha256 c=%s/%s" % (hc.decode(),
		    bc.decode())))
	m = message(5)
	case("pass-dkimpy-ed25519.eml", dkimpy(m, b"ed",
	    alg=b"ed25519-sha256") + m,
	    ("pass", "dkimpy ed25519-sha256 relaxed/relaxed (RFC 8463)"))

	# --- good: Mail::DKIM
	m = message(6, frm="Alice Example <alice@example.org>")
	case("pass-maildkim-relaxed.eml", maildkim(m, "perl") + m,
	    ("pass", "Mail::DKIM rsa-sha256 relaxed/relaxed; key record "
	    "without v=, with h=sha256"))
	m = FOLDED.replace(b"alice@example.com", b"alice@example.org")
	m = m.replace(b"corpus.folded@", b"corpus.folded-perl@")
	case("pass-maildkim-simple-folded.eml",
	    maildkim(m, "rsa1024", method="simple/simple",
	    keyfile="rsa1024.pem") + m,
	    ("pass", "Mail::DKIM rsa-sha256 simple/simple, RSA 1024 key "
	    "(the RFC 8301 minimum), folded headers"))
	m = message(7, frm="Alice Example <alice@example.org>")
	case("pass-maildkim-not-expired.eml",
	    maildkim(m, "perl", x=X_FUTURE) + m,
	    ("pass", "Mail::DKIM with x=%d (after --now)" % X_FUTURE))

	# --- good: OpenDKIM (t= is the signing time, not fixed)
	m = message(8, frm="Alice Example <alice@example.net>",
	    to="Bob Builder <bob@example.com>")
	case("pass-opendkim-rsa.eml", opendkim(m, "odkim", "example.net",
	    "rsa2048.pem", "rsa-sha256", "relaxed/simple") + m,
	    ("pass", "OpenDKIM 2.11 rsa-sha256 relaxed/simple"))
	m = message(9, frm="Alice Example <alice@example.net>",
	    to="Bob Builder <bob@example.com>")
	case("pass-opendkim-ed25519.eml", opendkim(m, "odkim-ed",
	    "example.net", "ed25519.pem", "ed25519-sha256", "relaxed/relaxed",
	    "OversignHeaders From\n") + m,
	    ("pass", "OpenDKIM 2.11 ed25519-sha256 relaxed/relaxed, From "
	    "oversigned"))

	# --- good: special shapes
	m = message(10, body=("Hello,", "", "the body of this message is "
	    "signed with l=.", ""))
	s = dkimpy(m, b"rsa", canon=(b"relaxed", b"simple"), length=True)
	appended = m + crlf("", "_______________________________________",
	    "Appended by a mailing list after signing; not covered by l=.")
	case("pass-length-appended.eml", s + appended,
	    ("pass", "dkimpy with l=; text appended after signing (inkan "
	    "passes it and reports l=)"))

	m = message(11)
	s_rsa = dkimpy(m, b"rsa")
	s_ed = dkimpy(s_rsa + m, b"ed", alg=b"ed25519-sha256")
	case("pass-two-signatures.eml", s_ed + s_rsa + m,
	    ("pass", "dkimpy ed25519-sha256"),
	    ("pass", "dkimpy rsa-sha256"))

	m = message(12)
	s_rsa = dkimpy(m, b"rsa", canon=(b"simple", b"simple"))
	s_ed = corrupt_b(dkimpy(s_rsa + m, b"ed", alg=b"ed25519-sha256"))
	s_perl = maildkim(s_ed + s_rsa + m, "rsa", dom="example.com")
	case("mixed-three-signatures.eml", s_perl + s_ed + s_rsa + m,
	    ("pass", "Mail::DKIM rsa-sha256 on top"),
	    ("fail", "dkimpy ed25519-sha256 with b= altered (valid base64, "
	    "wrong signature)"),
	    ("pass", "dkimpy rsa-sha256 simple/simple at the bottom"))

	case("pass-folded-headers.eml", dkimpy(FOLDED, b"rsa",
	    heads=HEADS + [b"references"]) + FOLDED,
	    ("pass", "dkimpy relaxed/relaxed over folded From/To/Subject/"
	    "References/Content-Type"))
	m = FOLDED.replace(b"corpus.folded@", b"corpus.folded-simple@")
	case("pass-folded-headers-simple.eml", dkimpy(m, b"rsa",
	    canon=(b"simple", b"simple"), heads=HEADS + [b"references"]) + m,
	    ("pass", "dkimpy simple/simple over folded headers"))

	m = message(13)
	s = dkimpy(m, b"rsa", heads=HEADS + [b"from"])
	case("pass-oversigned-from.eml", s + m,
	    ("pass", "h= names from twice (oversigned)"))
	m2 = m.replace(b"From: Alice", b"From: Mallory <mallory@example.org>"
	    b"\r\nFrom: Alice", 1)
	case("fail-extra-from.eml", s + m2,
	    ("fail", "From oversigned; a second From added above it after "
	    "signing"))

	m = message(14)
	case("pass-cname-selector.eml", dkimpy(m, b"alias") + m,
	    ("pass", "alias._domainkey is a CNAME to rsa._domainkey"))

	m = message(15)
	case("pass-strict-key-same-domain.eml", dkimpy(m, b"strict",
	    identity=b"alice@example.com") + m,
	    ("pass", "key t=s, i=alice@example.com (same domain as d=)"))

	# --- fail
	m = message(16)
	s = dkimpy(m, b"rsa")
	case("fail-body-changed.eml", s + m.replace(b"this is message 16",
	    b"this is message 61"),
	    ("fail", "body changed after signing (body hash)"))
	case("fail-subject-changed.eml", s + m.replace(
	    b"Subject: Corpus message 16", b"Subject: Corpus message 61"),
	    ("fail", "signed Subject changed after signing"))

	m = message(17)
	case("fail-wrong-key.eml", dkimpy(m, b"wrongkey") + m,
	    ("fail", "key record holds a different RSA 2048 key"))

	m = message(18, frm="Alice Example <alice@example.org>")
	case("fail-expired.eml", maildkim(m, "perl", x=X_PAST) + m,
	    ("fail", "Mail::DKIM with x=%d (before --now 1795000000)" %
	    X_PAST))

	# --- key record problems
	for n, sel, res, note in (
	    (19, b"revoked", "permerror", "revoked key (empty p=)"),
	    (20, b"missing", "permerror", "no key record (NXDOMAIN)"),
	    (21, b"nodata", "permerror",
	        "key name has an A record but no TXT (NODATA)"),
	    (22, b"badkey", "permerror", "p= is a truncated RSA key"),
	    (23, b"timeout", "temperror", "key lookup times out"),
	    (24, b"servfail", "temperror", "key lookup answers SERVFAIL")):
		m = message(n)
		case("%s-%s.eml" % (res, {b"missing": b"no-key-record",
		    b"nodata": b"key-nodata", b"badkey": b"bad-key-data",
		    b"revoked": b"revoked-key"}.get(sel, sel).decode()),
		    dkimpy(m, sel) + m, (res, note))

	m = message(25)
	case("permerror-key-sha1-only.eml", dkimpy(m, b"sha1only") + m,
	    ("permerror", "rsa-sha256 signature, key record h=sha1; dkimpy "
	    "ignores the key's h= and passes it", "pass", None))
	m = message(26)
	case("permerror-key-type-mismatch.eml", dkimpy(m, b"ed") + m,
	    ("permerror", "a=rsa-sha256 but the key record is k=ed25519; "
	    "dkimpy 1.1.4 raises nacl ValueError (verify_dkimpy.py exit 2)",
	    "error", None))
	m = message(27)
	case("permerror-ed25519-sig-rsa-key.eml", dkimpy(m, b"rsa",
	    alg=b"ed25519-sha256") + m,
	    ("permerror", "a=ed25519-sha256 but the key record is k=rsa"))
	m = message(28)
	case("permerror-strict-key-subdomain.eml", dkimpy(m, b"strict",
	    identity=b"alice@news.example.com") + m,
	    ("permerror", "key t=s, i= in a subdomain of d=; dkimpy ignores "
	    "t=s and passes it", "pass", None))

	# --- RFC 8301 policy
	m = message(29)
	case("policy-rsa-sha1.eml", dkimpy(m, b"rsa", alg=b"rsa-sha1") + m,
	    ("policy", "a=rsa-sha1 (RFC 8301); it verifies, dkimpy, "
	    "Mail::DKIM and OpenDKIM pass it", "pass", "pass", "pass"))
	m = message(30)
	case("policy-rsa-512.eml", dkimpy(m, b"weak", keyfile="rsa512.pem")
	    + m, ("policy", "RSA 512-bit key (RFC 8301); signed by dkimpy, "
	    "which fails it by its minkey=1024; Mail::DKIM passes it",
	    "fail", "pass"))

	# --- malformed signatures: a good one's tags edited afterwards
	m = message(31)
	good = dkimpy(m, b"rsa")
	for name, new, note in (
	    ("missing-d", edit(good, rb" d=example\.com;", b""),
	        "required tag d= removed"),
	    ("duplicate-tag", edit(good, rb"s=rsa;", b"s=rsa; s=rsa;"),
	        "s= appears twice"),
	    ("unknown-algorithm", edit(good, rb"a=rsa-sha256",
	        b"a=rsa-sha512"), "a=rsa-sha512 (unknown algorithm)"),
	    ("version-2", edit(good, rb"v=1;", b"v=2;"), "v=2"),
	    ("i-outside-d", edit(good, rb"i=@example\.com",
	        b"i=@example.org"), "i=@example.org with d=example.com"),
	    ("b-not-base64", edit(good, rb"\bb=[^;]*$",
	        b"b=This*is!not%base64#at@all\r\n"),
	        "b= holds characters outside base64"),
	    ("h-without-from", edit(good, rb"h=from : ", b"h="),
	        "h= does not name From (RFC 6376 5.4)")):
		exp = ("permerror", note)
		if name == "missing-d":
			exp = ("permerror", note + "; opendkim -t exits 70 on it",
			    None, None, "error")
		case("permerror-%s.eml" % name, new + m, exp)


def sigtag(sig, tag):
	m = re.search(rb"(?:^|;)\s*" + tag + rb"\s*=\s*([^;]*)",
	    re.sub(rb"\r\n[ \t]", b" ", sig))
	return m.group(1).strip().decode() if m else "-"


def header_sigs(msg):
	head = msg.split(b"\r\n\r\n", 1)[0]
	fields = re.split(rb"\r\n(?![ \t])", head)
	return [f.split(b":", 1)[1] for f in fields
	    if f.split(b":", 1)[0].strip().lower() == b"dkim-signature"]


def main():
	for f in os.listdir(DIR):
		if f.endswith(".eml") or f == "expected.tsv":
			os.unlink(os.path.join(DIR, f))
	write_zone()
	build()
	rows = ["# file\tindex\tresult\td\ts\tnote\n"]
	names = set()
	for name, msg, sigs in CASES:
		assert name not in names, name
		names.add(name)
		assert b"\n" not in msg.replace(b"\r\n", b""), name
		with open(os.path.join(DIR, name), "wb") as f:
			f.write(msg)
		fields = header_sigs(msg)
		assert len(fields) == len(sigs), name
		for i, (sig, exp) in enumerate(zip(fields, sigs)):
			rows.append("%s\t%d\t%s\t%s\t%s\t%s\n" % (name, i, exp[0],
			    sigtag(sig, b"d"), sigtag(sig, b"s"), exp[1]))
	with open(os.path.join(DIR, "expected.tsv"), "w") as f:
		f.write("".join(rows))
	print("corpus: %d messages, %d signatures" % (len(CASES),
	    len(rows) - 1))
	if CHECK:
		sys.exit(check())


def check():
	bad = 0
	zone = os.path.join(DIR, "zone")
	for name, msg, sigs in CASES:
		for prog, col in (("verify_dkimpy.py", 2),
		    ("verify_maildkim.pl", 3), ("verify_opendkim.sh", 4)):
			# Verified at the corpus's own time, never the wall
			# clock, so the check gives the same answer next year.
			p = subprocess.run([os.path.join(INTEROP, prog),
			    "--now", str(T_VERIFY), "--zone",
			    zone, os.path.join(DIR, name)], capture_output=True)
			lines = p.stdout.decode(errors="replace").splitlines()
			if p.returncode == 2 and len(sigs) == 1 and \
			    len(sigs[0]) > col and sigs[0][col] == "error":
				print("ok   %s[0] %s: exit 2 as expected" % (name,
				    prog))
				continue
			if p.returncode == 2 or len(lines) != len(sigs):
				print("BAD  %s %s: exit %d\n%s%s" % (prog, name,
				    p.returncode, p.stdout.decode(errors="replace"),
				    p.stderr.decode(errors="replace")))
				bad += 1
				continue
			for i, (line, exp) in enumerate(zip(lines, sigs)):
				want = exp[col] if len(exp) > col else None
				assert want != "error", name
				if want is None:
					want = "pass" if exp[0] == "pass" else "fail"
				if col == 3 and "a=ed25519-sha256" in line:
					want = "fail"
				got = "pass" if line.endswith("result=pass") else "fail"
				ok = got == want
				bad += not ok
				print("%s %s[%d] %s: %s" % ("ok  " if ok else "BAD ",
				    name, i, prog, line.split(": ", 1)[1]))
	print("check: %s" % ("all as expected" if not bad else
	    "%d unexpected" % bad))
	return 1 if bad else 0


if __name__ == "__main__":
	main()
