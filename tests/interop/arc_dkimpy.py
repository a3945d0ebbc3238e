#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# arc_dkimpy.py - ARC with dkimpy (Debian python3-dkim, which needs
# python3-authres for ARC), offline and at a fixed time, for arc_interop.sh.
#
#   arc_dkimpy.py verify --now T --keys KEYFILE MSGFILE
#       "dkimpy-arc: cv=pass|fail|none reason=TEXT"; exit 0 for pass, 1
#       otherwise, 2 when it could not run.
#   arc_dkimpy.py seal --now T --keys KEYFILE --key PEM --domain D
#       --selector S --srv-id ID MSGFILE
#       as a forwarder: verify the chain, add our Authentication-Results
#       "ID; arc=CV" (dkimpy's arc_sign takes cv= from it), seal with
#       timestamp T and write the message with the new Set (and the A-R)
#       on top to stdout; exit 1 when dkimpy adds no Set.
#       --results TEXT adds resinfos to that A-R ("spf=pass
#       smtp.mailfrom=a@example.com"), for the AAR a trusted forwarder
#       writes; --cv pass|fail|none forces the arc= result (a list that
#       changed the body after verifying, for oldest-pass).
#
# KEYFILE lines are "NAME RECORD" (RECORD TIMEOUT or SERVFAIL fail the
# lookup); an unlisted name is absent. The clock is fixed by replacing
# time.time, since dkimpy reads it for x= and has no parameter for it.
# The shebang names /usr/bin/python3: a python3 earlier in PATH (pyenv)
# does not see Debian's dkim and authres modules.

import sys


def read_keys(path):
	keys = {}
	with open(path, "rb") as f:
		for line in f:
			line = line.rstrip(b"\r\n")
			if b" " not in line or line.startswith(b"#"):
				continue
			name, rec = line.split(b" ", 1)
			keys[name.lower().rstrip(b".")] = rec
	return keys


def make_dnsfunc(keys):
	import dkim

	def dnsfunc(name, timeout=5):
		if isinstance(name, str):
			name = name.encode("ascii")
		rec = keys.get(name.lower().rstrip(b"."))
		if rec in (b"TIMEOUT", b"SERVFAIL"):
			raise dkim.DnsTimeoutError(name.decode("ascii", "replace"))
		return rec
	return dnsfunc


def arc_result(msg, dnsfunc):
	import dkim
	cv, results, reason = dkim.arc_verify(msg, dnsfunc=dnsfunc)
	# dkimpy returns None when the newest AS already says cv=fail
	return (cv or b"fail").decode("ascii"), reason


def main(argv):
	if len(argv) < 2 or argv[1] not in ("verify", "seal"):
		sys.stderr.write("usage: arc_dkimpy.py verify|seal ...\n")
		return 2
	mode, opts, msgpath, i = argv[1], {}, None, 2
	while i < len(argv):
		if argv[i].startswith("--") and i + 1 < len(argv):
			opts[argv[i][2:]] = argv[i + 1]
			i += 2
		else:
			msgpath = argv[i]
			i += 1
	if msgpath is None or "now" not in opts or "keys" not in opts:
		sys.stderr.write("usage: arc_dkimpy.py: --now, --keys and a file\n")
		return 2
	import time
	now = int(opts["now"])
	time.time = lambda: float(now)
	import dkim
	with open(msgpath, "rb") as f:
		msg = f.read()
	dnsfunc = make_dnsfunc(read_keys(opts["keys"]))
	cv, reason = arc_result(msg, dnsfunc)
	if mode == "verify":
		print("dkimpy-arc: cv=%s reason=%s" % (cv, " ".join(str(reason).split())))
		return 0 if cv == "pass" else 1
	for o in ("key", "domain", "selector", "srv-id"):
		if o not in opts:
			sys.stderr.write("arc_dkimpy.py seal: --%s missing\n" % o)
			return 2
	with open(opts["key"], "rb") as f:
		pem = f.read()
	srv = opts["srv-id"].encode("ascii")
	# RFC 8601 5: an A-R claiming our id from an earlier pass is not ours
	# to keep (dkimpy would merge it into the AAR and read two arc=)
	head, sep, body = msg.partition(b"\r\n\r\n")
	mine = b"authentication-results: " + srv.lower() + b";"
	head = b"\r\n".join(l for l in head.split(b"\r\n")
	    if not l.lower().startswith(mine))
	cv = opts.get("cv", cv)
	extra = b""
	if "results" in opts:
		extra = b";\r\n\t" + opts["results"].encode("ascii")
	ar = (b"Authentication-Results: " + srv + b"; arc=" + cv.encode("ascii") +
	    extra + b"\r\n")
	msg = ar + head + sep + body
	sets = dkim.arc_sign(msg, opts["selector"].encode("ascii"),
	    opts["domain"].encode("ascii"), pem, srv, timestamp=now)
	if not sets:
		sys.stderr.write("arc_dkimpy.py: dkimpy added no ARC Set\n")
		return 1
	sys.stdout.buffer.write(b"".join(sets) + msg)
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))
