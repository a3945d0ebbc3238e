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
# Zone format (DESIGN.md, --dns-zone): an RFC 1035 section 5 master file,
# as inkan reads it: $ORIGIN (the root until one is given, so "example.com"
# is "example.com."), $TTL, '@', relative names, a blank first column for
# the previous owner, ';' comments, "( ... )" across lines, \DDD and \X
# escapes in names and strings, any RR type. Names are compared
# case-insensitively. TXT rdata is one or more character-strings, joined
# with no separator (RFC 6376 3.6.2.2). inkan's test lines "name TIMEOUT"
# and "name SERVFAIL" make lookups of that name fail temporarily; CNAMEs
# are followed as a resolver would; an absent name is NXDOMAIN.
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
	"""Split zone text into records (RFC 1035 5.1): (line, owner_given,
	[(quoted, text)]), text as written (escapes kept); owner_given is false
	when the record starts with a blank (the previous owner)."""
	recs, cur, depth, i, line, n = [], [], 0, 0, 1, len(data)
	start, col0 = 1, False
	line_start = 0

	def scan(j, stop):
		while j < n and data[j:j + 1] not in stop:
			if data[j:j + 1] == b"\\":
				if j + 1 >= n or data[j + 1:j + 2] == b"\n":
					raise ZoneError("line %d: '\\' at the end of a line"
					    % line)
				j += 1
			j += 1
		return j

	while i < n:
		c = data[i:i + 1]
		if c == b"\n":
			line += 1
			line_start = i + 1
			if depth == 0 and cur:
				recs.append((start, col0, cur))
				cur = []
			i += 1
			continue
		if c in b" \t\r":
			i += 1
			continue
		if c == b";":
			while i < n and data[i:i + 1] != b"\n":
				i += 1
			continue
		if c == b"(":
			if depth:
				raise ZoneError("line %d: nested '('" % line)
			depth = 1
			i += 1
			continue
		if c == b")":
			if not depth:
				raise ZoneError("line %d: ')' without '('" % line)
			depth = 0
			i += 1
			continue
		if not cur:
			start, col0 = line, i == line_start
		if c == b'"':
			j = scan(i + 1, (b'"', b"\n"))
			if data[j:j + 1] != b'"':
				raise ZoneError("line %d: unterminated string" % line)
			cur.append((True, data[i + 1:j]))
			i = j + 1
		else:
			j = scan(i, (b" ", b"\t", b"\r", b"\n", b"(", b")", b'"',
			    b";"))
			cur.append((False, data[i:j]))
			i = j
	if depth != 0:
		raise ZoneError("unbalanced '(' at end of file")
	if cur:
		recs.append((start, col0, cur))
	return recs


def _unescape(raw, line):
	"""RFC 1035 5.1: \\DDD is the byte DDD, \\X is X."""
	out, j = bytearray(), 0
	while j < len(raw):
		if raw[j:j + 1] != b"\\":
			out += raw[j:j + 1]
			j += 1
		elif raw[j + 1:j + 2].isdigit():
			d = raw[j + 1:j + 4]
			if len(d) != 3 or not d.isdigit() or int(d) > 255:
				raise ZoneError("line %d: bad \\DDD escape" % line)
			out.append(int(d))
			j += 4
		else:
			out += raw[j + 1:j + 2]
			j += 2
	return bytes(out)


def _label_text(label):
	"""A label as text, lowercased; bytes that would change a name's
	meaning or are not printable as \\DDD (queries never hold them)."""
	return b"".join(bytes([b]) if 0x21 <= b <= 0x7e and b not in b".\\"
	    else b"\\%03d" % b for b in label.lower())


def _name(raw, origin, line):
	"""A <domain-name> as the zone's key: '@' is the origin, a name without
	a final (unescaped) dot is relative to it. Labels joined with '.', no
	final dot, lowercase."""
	if raw == b"@":
		return origin
	labels, cur, j, absolute = [], bytearray(), 0, False
	while j < len(raw):
		if raw[j:j + 1] == b"\\":
			k = 4 if raw[j + 1:j + 2].isdigit() else 2
			cur += _unescape(raw[j:j + k], line)
			j += k
		elif raw[j:j + 1] == b".":
			if not cur and raw != b".":
				raise ZoneError("line %d: empty label in %r" % (line, raw))
			if cur:
				labels.append(bytes(cur))
			cur = bytearray()
			j += 1
			absolute = j == len(raw)
		else:
			cur += raw[j:j + 1]
			j += 1
	if cur:
		labels.append(bytes(cur))
	name = b".".join(_label_text(l) for l in labels)
	if absolute or raw == b".":
		return name
	return name + b"." + origin if origin else name


def _norm(name):
	name = name.lower()
	return name[:-1] if name.endswith(b".") else name


_TTL = re.compile(rb"^(?:[0-9]+[smhdwSMHDW]?)+$")
_CLASS = (b"IN", b"CH", b"HS", b"CS")


def load_zone(path):
	"""Return {name: {"TXT": [bytes], "CNAME": [name], TYPE: [...]}}."""
	with open(path, "rb") as f:
		data = f.read()
	zone, origin, prev = {}, b"", None
	for line, owner_given, toks in _tokens(data):
		first = toks[0]
		if owner_given and not first[0] and first[1].startswith(b"$"):
			d = first[1].upper()
			if d not in (b"$ORIGIN", b"$TTL") or len(toks) != 2:
				raise ZoneError("line %d: bad directive" % line)
			if d == b"$ORIGIN":
				origin = _name(toks[1][1], origin, line)
			continue
		if owner_given:
			if first[0]:
				raise ZoneError("line %d: owner name is a quoted string"
				    % line)
			prev, k = _name(first[1], origin, line), 1
		elif prev is None:
			raise ZoneError("line %d: no owner name" % line)
		else:
			k = 0
		name = prev
		while k < len(toks) and not toks[k][0] and (
		    _TTL.match(toks[k][1]) or toks[k][1].upper() in _CLASS):
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
			strs = [_unescape(t[1], line) for t in rdata]
			if any(len(x) > 255 for x in strs):
				raise ZoneError("line %d: TXT string over 255 bytes" % line)
			entry.setdefault("TXT", []).append(b"".join(strs))
		elif rtype == "CNAME":
			entry.setdefault("CNAME", []).append(
			    _name(rdata[0][1], origin, line))
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
