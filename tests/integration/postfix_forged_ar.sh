#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_forged_ar.sh - no forged Authentication-Results survives a real
# Postfix (issue 14). A forgery is a field that claims our authserv-id
# (RFC 8601 section 5); it must be gone from the delivered message, or the
# message refused, whatever the header block around it:
#   - after 25,000 other fields (more than inkan keeps, HDR_MAX_FIELDS);
#   - after 8 MiB of third-party fields (HDR_MAX_TOTAL), a 60 KB third-party
#     Authentication-Results that inkan cannot keep right above it: the
#     forgery, and only it, is removed (the delivered header block is the
#     one sent, minus the forgery, plus our field and Postfix's Received);
#   - with a trailing dot on the authserv-id ("mx.test.example.");
#   - 101 of them: refused with 550 5.7.0 and never delivered;
#   - a field of 70 KB (over libmilter's default packet size, 64 KiB):
#     either inkan sees it and removes the forgery below it, or the milter
#     connection fails and milter_default_action (tempfail) holds it back.
# Then with authserv_id not set: the id is the name Postfix sends as the j
# macro (myhostname, here mx.j-macro.test): a forgery under that name is
# removed and our field carries it. DNS comes from a zone file.
#
# usage: postfix_forged_ar.sh INKAN-MILTER
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_forged_ar

port=$(pf_free_port)
conf() {	# conf FILE [SETTING...]
	local f=$1
	shift
	{
		printf 'socket = inet:%s@127.0.0.1\n' "$port"
		printf 'internal_hosts = 192.0.2.1\n'
		# no From inkan can read in a header block past its caps: deliver
		# it anyway, so that what is removed from it can be seen
		printf 'from_reject = no\n'
		printf 'dns_zone_file = %s\n' "$data/evaluate/zone"
		printf 'log = stderr\n'
		for s in "$@"; do printf '%s\n' "$s"; done
	} >"$f"
}
conf "$tmp/inkan.conf" "authserv_id = mx.test.example"
conf "$tmp/default.conf"
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail
myhostname = mx.j-macro.test
message_size_limit = 30000000" pf_start "inet:127.0.0.1:$port"

# The messages. Each has a unique Subject to find it in the sink.
/usr/bin/python3 - "$tmp" <<'PY'
import sys
tmp = sys.argv[1]
FORGED = b"Authentication-Results: mx.test.example; dkim=pass header.d=paypal.com\r\n"

def base(subject):
    return (b"From: Alice Example <alice@example.com>\r\n"
            b"To: Bob <bob@example.org>\r\n"
            b"Subject: " + subject + b"\r\n"
            b"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
            b"Message-ID: <" + subject + b"@example.com>\r\n")

def field(name, size):
    """A field of exactly size bytes as inkan stores it (no final CRLF),
    folded into lines under 998 bytes (longer ones Postfix's smtp client
    would fold again, smtp_line_length_limit)."""
    f = name + b": x"
    while len(f) < size:
        n = min(900, size - len(f) - 3)
        if n < 1:
            f += b"y" * (size - len(f))
            break
        f += b"\r\n\t" + b"z" * n
    assert len(f) == size
    return f + b"\r\n"

def write(name, head):
    with open("%s/%s.eml" % (tmp, name), "wb") as f:
        f.write(head + b"\r\nHello.\r\n")

write("many", base(b"many-fields") +
      b"".join(b"X-Hostile-%d: field number %d\r\n" % (i, i)
               for i in range(25000)) + FORGED)
# 139 fields of 60,000 bytes leave about 48 KB of HDR_MAX_TOTAL: the 60 KB
# Authentication-Results after them is not kept, the forgery is.
write("big", base(b"big-fields") +
      b"Authentication-Results: other.example; spf=pass smtp.mailfrom=example.com\r\n" +
      b"".join(field(b"X-Pad-%03d" % i, 60000) for i in range(139)) +
      field(b"Authentication-Results: third.example; dkim=pass (big)", 60000) +
      FORGED +
      b"Authentication-Results: fourth.example; dkim=none\r\n")
write("dot", base(b"trailing-dot") +
      b"Authentication-Results: mx.test.example.; dkim=pass header.d=paypal.com\r\n")
write("over", base(b"too-many") + FORGED * 101)
write("huge", base(b"huge-field") + field(b"X-Huge", 70000) + FORGED)
write("jmacro", base(b"j-macro") +
      b"Authentication-Results: mx.j-macro.test; dkim=pass header.d=paypal.com\r\n"
      b"Authentication-Results: mx.test.example; spf=pass smtp.mailfrom=example.com\r\n")
PY

delivered() {	# delivered SUBJECT: the captured message, in $tmp/got.eml
	local f
	for f in $(pf_sink_files); do
		if grep -q "^Subject: $1\$" "$f"; then pf_message "$f" >"$tmp/got.eml"; return 0; fi
	done
	return 1
}

# same_header SENT: the delivered header block is SENT's minus every field
# claiming mx.test.example, with our field first and Postfix's Received
# second; prints what differs.
same_header() {
	/usr/bin/python3 - "$1" "$tmp/got.eml" <<'PY'
import re, sys

def fields(path):
    data = open(path, "rb").read().replace(b"\r\n", b"\n")
    head = data.split(b"\n\n", 1)[0] + b"\n"
    return re.findall(rb"[^ \t\n][^\n]*\n(?:[ \t][^\n]*\n)*", head)

ours = re.compile(rb"(?i)authentication-results:\s*mx\.test\.example\.?;")
sent = [f for f in fields(sys.argv[1]) if not ours.match(f)]
got = fields(sys.argv[2])
if not got or not got[0].startswith(b"Authentication-Results: mx.test.example;"):
    sys.exit("first field is not ours: %r" % got[:1])
if len(got) < 2 or not got[1].startswith(b"Received: "):
    sys.exit("second field is not Postfix's Received: %r" % got[1:2])
got = got[2:]
if got != sent:
    for i, (a, b) in enumerate(zip(got, sent)):
        if a != b:
            sys.exit("field %d differs: got %r..., sent %r..." % (i, a[:80], b[:80]))
    sys.exit("%d fields delivered, %d sent" % (len(got), len(sent)))
PY
}

forged_left() {	# how many fields in $tmp/got.eml claim ID ($1, a regex)
	grep -ciE "^authentication-results:[[:space:]]*$1;" "$tmp/got.eml" || true
}

n=0
for m in many big dot; do
	n=$((n + 1))
	pf_send alice@example.com bob@example.org "$tmp/$m.eml" "$PF_PORT" || bad "$m: refused"
	pf_wait_delivered "$n" 120 >/dev/null || bad "$m: not delivered"
done

if delivered many-fields; then
	[ "$(forged_left 'mx\.test\.example')" -eq 1 ] && ok "25,000 fields, then a forgery: removed" ||
	    bad "25,000 fields, then a forgery: $(forged_left 'mx\.test\.example') fields claim our id"
	if same_header "$tmp/many.eml" >"$tmp/diff" 2>&1; then ok "25,000 fields: every other field intact"
	else bad "25,000 fields: $(cat "$tmp/diff")"; fi
else bad "many-fields message not found"; fi

if delivered big-fields; then
	[ "$(forged_left 'mx\.test\.example')" -eq 1 ] && ok "8 MiB of fields, then a forgery: removed" ||
	    bad "8 MiB of fields, then a forgery: $(forged_left 'mx\.test\.example') fields claim our id"
	for id in other third fourth; do
		grep -q "^Authentication-Results: $id.example;" "$tmp/got.eml" &&
		    ok "8 MiB of fields: $id.example's field kept" || bad "8 MiB of fields: $id.example's field deleted"
	done
	if same_header "$tmp/big.eml" >"$tmp/diff" 2>&1; then ok "8 MiB of fields: the header block as sent, minus the forgery"
	else bad "8 MiB of fields: $(cat "$tmp/diff")"; fi
else bad "big-fields message not found"; fi

if delivered trailing-dot; then
	grep -q 'paypal' "$tmp/got.eml" && bad "trailing-dot forgery delivered" || ok "trailing-dot forgery removed"
	head -1 "$tmp/got.eml" | grep -q '^Authentication-Results: mx.test.example;' &&
	    ok "configured authserv_id wins over the j macro" || bad "our field: $(head -1 "$tmp/got.eml")"
else bad "trailing-dot message not found"; fi

rc=0
pf_send alice@example.com bob@example.org "$tmp/over.eml" "$PF_PORT" 2>/dev/null || rc=$?
[ "$rc" -ne 0 ] && grep -q '550 5.7.0 More than 100 Authentication-Results header fields claim to be from mx.test.example' "$PF_SWAKS_LOG" &&
    ok "101 forgeries: 550 5.7.0 at end of data" || { bad "101 forgeries: swaks exit $rc"; tail -5 "$PF_SWAKS_LOG"; }

rc=0
pf_send alice@example.com bob@example.org "$tmp/huge.eml" "$PF_PORT" 2>/dev/null || rc=$?
if [ "$rc" -eq 0 ]; then
	n=$((n + 1))
	pf_wait_delivered "$n" 60 >/dev/null || bad "70 KB field: not delivered"
	if delivered huge-field; then
		grep -q paypal "$tmp/got.eml" && bad "70 KB field, then a forgery: delivered with it" ||
		    ok "70 KB field, then a forgery: removed"
	else bad "huge-field message not found"; fi
elif grep -q '^<\** *4[0-9][0-9] ' "$PF_SWAKS_LOG"; then
	ok "70 KB field, then a forgery: tempfailed"
else bad "70 KB field: swaks exit $rc"; tail -5 "$PF_SWAKS_LOG"; fi

# authserv_id not set: the j macro names the server.
kill "$milter_pid" 2>/dev/null && wait "$milter_pid" 2>/dev/null || true
milter_pid=
it_milter_start "$milter" "$tmp/default.conf"
pf_send alice@example.com bob@example.org "$tmp/jmacro.eml" "$PF_PORT" || bad "j-macro: refused"
pf_wait_delivered $((n + 1)) 60 >/dev/null || bad "j-macro: not delivered"
if delivered j-macro; then
	head -1 "$tmp/got.eml" | grep -q '^Authentication-Results: mx.j-macro.test;' &&
	    ok "no authserv_id: our field carries Postfix's j (myhostname)" || bad "our field: $(head -1 "$tmp/got.eml")"
	[ "$(forged_left 'mx\.j-macro\.test')" -eq 1 ] && ok "no authserv_id: forgery under j removed" ||
	    bad "no authserv_id: $(forged_left 'mx\.j-macro\.test') fields claim mx.j-macro.test"
	grep -q '^Authentication-Results: mx.test.example; spf=pass' "$tmp/got.eml" &&
	    ok "no authserv_id: another server's field kept" || bad "no authserv_id: another server's field deleted"
else bad "j-macro message not found"; fi

it_finish
