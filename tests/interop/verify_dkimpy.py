#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# verify_dkimpy.py - verify every DKIM-Signature of a message with dkimpy
# (Debian python3-dkim), answering key lookups from a zone file, never DNS.
#
#   verify_dkimpy.py [--now EPOCH] --zone ZONEFILE MSGFILE
#       --now EPOCH verifies as of that time (t= and x= are checked against
#       it, not against the wall clock): a test that signed with a fixed
#       --now verifies at that same time and gives the same answer next year.
#       One line per DKIM-Signature, top to bottom:
#       "dkimpy: d=D s=S a=A result=pass" or "... result=fail reason=TEXT".
#       Exit 0: at least one signature and all pass; 1: a failure or no
#       signature; 2: usage error, unreadable file, bad zone file, or an
#       exception that dkimpy does not raise for bad input (a bug somewhere).
#   verify_dkimpy.py --dump-txt ZONEFILE
#       Prints "name value" for every name whose TXT lookup answers (first
#       record, strings joined); verify_opendkim.sh builds its key file so.
#
# Zone format (DESIGN.md, --dns-zone): one RR per line, "name [ttl] [IN] TYPE
# rdata", '#' or ';' comments, "( ... )" continues a record over lines, names
# compared case-insensitively with or without the final dot. TXT rdata is one
# or more character-strings, joined with no separator (RFC 6376 3.6.2.2).
# "name TIMEOUT" / "name SERVFAIL" make lookups of that name fail temporarily;
# CNAMEs are followed as a resolver would; an absent name is NXDOMAIN.
# ed25519-sha256 (RFC 8463) needs python3-nacl, which python3-dkim recommends.
#
# The shebang names /usr/bin/python3 on purpose: a python3 earlier in PATH
# (pyenv, venv) does not see Debian's dkim and nacl modules.

import logging
import re
import sys

PROG = "dkimpy"
MAX_CNAME = 8


class ZoneError(Exception):
	pass


def _tokens(data):
	"""Split zone text into records: lists of (quoted, bytes) tokens."""
	recs, cur, depth, i, line, n = [], [], 0, 0, 1, len(data)

	def unescape(j, stop):
		out = bytearray()
		while j < n and data[j:j + 1] not in stop:
			c = data[j:j + 1]
			if c == b"\\":
				if data[j + 1:j + 4].isdigit() and len(data[j + 1:j + 4]) == 3:
					v = int(data[j + 1:j + 4])
					if v > 255:
						raise ZoneError("line %d: bad \\DDD escape" % line)
					out.append(v)
					j += 4
					continue
				if j + 1 >= n or data[j + 1:j + 2] == b"\n":
					raise ZoneError("line %d: dangling backslash" % line)
				out += data[j + 1:j + 2]
				j += 2
				continue
			out += c
			j += 1
		return bytes(out), j

	while i < n:
		c = data[i:i + 1]
		if c == b"\n":
			line += 1
			if depth == 0 and cur:
				recs.append((line - 1, cur))
				cur = []
			i += 1
		elif c in b" \t\r":
			i += 1
		elif c in b";#":
			while i < n and data[i:i + 1] != b"\n":
				i += 1
		elif c == b"(":
			depth += 1
			i += 1
		elif c == b")":
			depth -= 1
			if depth < 0:
				raise ZoneError("line %d: unbalanced ')'" % line)
			i += 1
		elif c == b'"':
			s, i = unescape(i + 1, (b'"', b"\n"))
			if data[i:i + 1] != b'"':
				raise ZoneError("line %d: unterminated string" % line)
			cur.append((True, s))
			i += 1
		else:
			s, i = unescape(i, (b" ", b"\t", b"\r", b"\n", b"(", b")",
			    b'"', b";"))
			cur.append((False, s))
	if depth != 0:
		raise ZoneError("unbalanced '(' at end of file")
	if cur:
		recs.append((line, cur))
	return recs


def _norm(name):
	name = name.lower()
	return name[:-1] if name.endswith(b".") else name


def load_zone(path):
	"""Return {name: {"TXT": [bytes], "CNAME": [name], TYPE: [...]}}."""
	with open(path, "rb") as f:
		data = f.read()
	zone = {}
	for line, toks in _tokens(data):
		if toks[0][0]:
			raise ZoneError("line %d: owner name is a quoted string" % line)
		name, k = _norm(toks[0][1]), 1
		while k < len(toks) and not toks[k][0] and (toks[k][1].isdigit()
		    or toks[k][1].upper() == b"IN"):
			k += 1
		if k >= len(toks) or toks[k][0]:
			raise ZoneError("line %d: no record type" % line)
		rtype, rdata = toks[k][1].upper().decode("ascii", "replace"), toks[k + 1:]
		if rtype in ("TIMEOUT", "SERVFAIL"):
			if rdata:
				raise ZoneError("line %d: %s takes no data" % (line, rtype))
		elif not rdata:
			raise ZoneError("line %d: %s without data" % (line, rtype))
		elif rtype == "CNAME" and (len(rdata) != 1 or rdata[0][0]):
			raise ZoneError("line %d: bad CNAME target" % line)
		entry = zone.setdefault(name, {})
		if rtype == "TXT":
			entry.setdefault("TXT", []).append(b"".join(t[1] for t in rdata))
		elif rtype == "CNAME":
			entry.setdefault("CNAME", []).append(_norm(rdata[0][1]))
		else:
			entry.setdefault(rtype, []).append(None)
	return zone


def lookup_txt(zone, name):
	"""Return (status, [txt]); status is ok, nxdomain, nodata, timeout or
	servfail."""
	name = _norm(name)
	for _ in range(MAX_CNAME + 1):
		entry = zone.get(name)
		if entry is None:
			return "nxdomain", []
		if "TIMEOUT" in entry:
			return "timeout", []
		if "SERVFAIL" in entry:
			return "servfail", []
		if "TXT" in entry:
			return "ok", entry["TXT"]
		if "CNAME" not in entry:
			return "nodata", []
		name = entry["CNAME"][0]
	return "servfail", []


def _tag(sigval, tag):
	m = re.search(rb"(?:^|;)\s*" + tag + rb"\s*=\s*([^;]*)", sigval)
	if m is None:
		return "?"
	return re.sub(rb"\s+", b"", m.group(1)).decode("ascii", "replace") or "?"


class _Collect(logging.Handler):
	def __init__(self):
		logging.Handler.__init__(self, logging.ERROR)
		self.msgs = []

	def emit(self, record):
		self.msgs.append(record.getMessage())


def verify(zone, msg):
	import dkim

	def dnsfunc(name, timeout=5):
		if isinstance(name, str):
			name = name.encode("ascii")
		status, txts = lookup_txt(zone, name)
		if status in ("timeout", "servfail"):
			raise dkim.DnsTimeoutError("%s: %s" % (name.decode(
			    "ascii", "replace"), status))
		return txts[0] if txts else None

	logger = logging.getLogger("verify_dkimpy")
	logger.propagate = False
	logger.setLevel(logging.ERROR)
	collect = _Collect()
	logger.addHandler(collect)

	try:
		d = dkim.DKIM(msg, logger=logger)
	except dkim.DKIMException as e:
		print("%s: message not parseable: %s" % (PROG, " ".join(str(e).split())))
		return 1
	sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
	if not sigs:
		print("%s: no DKIM-Signature" % PROG)
		return 1
	failed = 0
	for i, sigval in enumerate(sigs):
		collect.msgs = []
		desc = "d=%s s=%s a=%s" % (_tag(sigval, b"d"), _tag(sigval, b"s"),
		    _tag(sigval, b"a"))
		try:
			ok = dkim.DKIM(msg, logger=logger).verify(idx=i, dnsfunc=dnsfunc)
			reason = "; ".join(collect.msgs) or "signature did not verify"
		except dkim.DKIMException as e:
			ok, reason = False, "%s: %s" % (type(e).__name__, e)
		if ok:
			print("%s: %s result=pass" % (PROG, desc))
		else:
			failed += 1
			print("%s: %s result=fail reason=%s" % (PROG, desc,
			    " ".join(reason.split())))
	return 1 if failed else 0


def fix_clock(now):
	"""dkimpy reads time.time() for its t= and x= checks and has no
	parameter for it; replace the clock for this process."""
	import time
	time.time = lambda: float(now)


def usage():
	sys.stderr.write("usage: verify_dkimpy.py [--now EPOCH] --zone ZONEFILE MSGFILE\n"
	    "       verify_dkimpy.py --dump-txt ZONEFILE\n")
	return 2


def main(argv):
	if len(argv) >= 3 and argv[1] == "--now":
		if not argv[2].isdigit():
			return usage()
		fix_clock(int(argv[2]))
		argv = argv[:1] + argv[3:]
	try:
		if len(argv) == 3 and argv[1] == "--dump-txt":
			zone = load_zone(argv[2])
			out = sys.stdout.buffer
			for name in sorted(zone):
				status, txts = lookup_txt(zone, name)
				if status != "ok" or not name:
					continue
				if re.search(rb"[\r\n\0]", txts[0]):
					raise ZoneError("%s: TXT data holds a line break or "
					    "NUL" % name.decode("ascii", "replace"))
				out.write(name + b" " + txts[0] + b"\n")
			return 0
		if len(argv) != 4 or argv[1] != "--zone":
			return usage()
		zone = load_zone(argv[2])
		with open(argv[3], "rb") as f:
			msg = f.read()
	except ZoneError as e:
		sys.stderr.write("%s: %s: bad zone file: %s\n" % (PROG, argv[2], e))
		return 2
	except OSError as e:
		sys.stderr.write("%s: %s\n" % (PROG, e))
		return 2
	# RFC 6376 hashes CRLF line ends; files on disk may use bare LF.
	msg = re.sub(rb"\r?\n", b"\r\n", msg)
	return verify(zone, msg)


if __name__ == "__main__":
	try:
		sys.exit(main(sys.argv))
	except SystemExit:
		raise
	except BaseException:
		import traceback
		traceback.print_exc()
		sys.stderr.write("%s: internal error\n" % PROG)
		sys.exit(2)
