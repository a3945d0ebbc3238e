#!/bin/bash
# SPDX-License-Identifier: ISC
#
# sendmail_verify.sh - inbound mail end to end through Debian's Sendmail
# (sendmail_harness.sh) with inkan attached by contrib/sendmail.mc:
#   * a message signed by dkimpy, from a client that is neither internal
#     nor authenticated, is delivered with exactly one Authentication-Results
#     field of ours, above Sendmail's Received, that a strict parser accepts
#     and that says spf=pass, dkim=pass and dmarc=pass; forged fields with
#     our authserv-id are gone, another server's stays;
#   * a message failing DMARC for a domain publishing p=reject is refused
#     by Sendmail with inkan's 550 5.7.1, and nothing is delivered;
#   * so is one with a second From field written "From : x" (RFC 5322 4.5).
# DNS answers come from a zone file (dns_zone_file).
#
# usage: sendmail_verify.sh INKAN-MILTER SENDMAIL-CACHE-DIR
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -eu

milter=$1
cache=$2
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
# shellcheck source=sendmail_harness.sh
. "$here/sendmail_harness.sh"
it_init sendmail_verify
trap 'set +e; sm_stop; it_cleanup' EXIT

sm_fetch "$cache" || { echo "FAIL: cannot get Debian's Sendmail"; exit 1; }

{
	cat "$data/evaluate/zone"
	echo 'example.com. IN TXT "v=spf1 ip4:127.0.0.1 -all"'
	echo '_dmarc.example.com. IN TXT "v=DMARC1; p=reject"'
	echo 'example.net. IN TXT "v=spf1 -all"'
	echo '_dmarc.example.net. IN TXT "v=DMARC1; p=reject"'
} >"$tmp/zone"
port=$(_sm_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
internal_hosts = 192.0.2.1
authserv_id = mx.test.example
dns_zone_file = $tmp/zone
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
sm_start "$port" "$tmp/sm" || { echo "FAIL: Sendmail did not start"; exit 1; }

# Signed by dkimpy with the test key published in the zone; forged and
# foreign Authentication-Results fields above the signature.
it_dkimpy_sign "$data/evaluate/plain.eml" "$tmp/signed.eml"
{
	printf 'Authentication-Results: mx.test.example; dkim=pass header.d=bank.example\r\n'
	printf 'Authentication-Results: other.example; spf=pass smtp.mailfrom=example.com\r\n'
	cat "$tmp/signed.eml"
} >"$tmp/inbound.eml"

sm_send alice@example.com bob@test.example "$tmp/inbound.eml" "$SM_PORT" || bad "inbound refused"
if f=$(sm_wait_delivered 1 60); then
	cp "$f" "$tmp/got.eml"
	n=$(grep -ci '^Authentication-Results: *mx\.test\.example' "$tmp/got.eml" || true)
	[ "$n" -eq 1 ] && ok "exactly one Authentication-Results of ours" ||
	    bad "$n Authentication-Results fields of ours"
	# the first field after Return-Path (added at delivery) is ours, above Received
	first=$(grep -v '^Return-Path:' "$tmp/got.eml" | head -1)
	case $first in
	"Authentication-Results: mx.test.example;"*) ok "it is the first field, above Sendmail's Received" ;;
	*) bad "first field is: $first" ;;
	esac
	grep -q '^Authentication-Results: other.example; spf=pass' "$tmp/got.eml" &&
	    ok "another server's field stays" || bad "another server's field was removed"
	grep -q 'header.d=bank.example' "$tmp/got.eml" && bad "the forged field is still there" ||
	    ok "the forged field with our authserv-id is gone"
	if perl "$here/ar_parse.pl" "$tmp/got.eml" >"$tmp/ar.txt" 2>&1; then
		ok "Mail::AuthenticationResults parses every field"
	else
		bad "Mail::AuthenticationResults refuses a field:"; sed 's/^/    /' "$tmp/ar.txt"
	fi
	for want in "spf=pass smtp.mailfrom=alice@example.com" "dkim=pass header.d=example.com" \
	    "dmarc=pass header.from=example.com"; do
		awk '/^mx.test.example$/ { on = 1; next } /^[^ ]/ { on = 0 } on' "$tmp/ar.txt" |
		    grep -q "^  $want" && ok "ours says $want" ||
		    { bad "ours lacks $want:"; sed 's/^/    /' "$tmp/ar.txt"; }
	done
else
	bad "inbound not delivered"
fi

# DMARC fail under p=reject: Sendmail passes on inkan's 550 5.7.1.
printf '%s\r\n' "From: Mallory <mallory@example.net>" "To: Bob <bob@test.example>" \
    "Subject: spoofed" "Date: Wed, 25 Nov 2026 10:00:00 +0000" \
    "Message-ID: <spoofed@example.net>" "" "Pay this invoice." "" >"$tmp/spoofed.eml"
rc=0
sm_send mallory@example.net bob@test.example "$tmp/spoofed.eml" "$SM_PORT" 2>/dev/null || rc=$?
if [ $rc -ne 0 ] && grep -Eq '<\*\* +550[ -]5\.7\.1' "$SM_SWAKS_LOG"; then
	ok "DMARC p=reject fail: Sendmail answers 550 5.7.1"
else
	bad "DMARC p=reject fail: swaks exit $rc, no 550 5.7.1:"; sed 's/^/    /' "$SM_SWAKS_LOG"
fi

# RFC 5322 4.5: a second author field written "From : x" is a From field.
# Sendmail deletes the white space before a milter sees the name (and in
# what it delivers), so inkan counts two From fields either way.
printf '%s\r\n' "To: Bob <bob@test.example>" "From: Alice <alice@example.com>" \
    "From : ceo@example.net" "Subject: obsolete from" "Date: Wed, 25 Nov 2026 10:00:00 +0000" \
    "Message-ID: <obsfrom@example.com>" "" "Pay this invoice." "" >"$tmp/obsfrom.eml"
rc=0
sm_send alice@example.com bob@test.example "$tmp/obsfrom.eml" "$SM_PORT" 2>/dev/null || rc=$?
if [ $rc -ne 0 ] && grep -Eq '<\*\* +550[ -]5\.7\.1 Message must have exactly one author address in From: 2 From header fields' "$SM_SWAKS_LOG"; then
	ok "second From written \"From :\": Sendmail answers 550 5.7.1, 2 From fields"
else
	bad "second From written \"From :\": swaks exit $rc, no 550 5.7.1:"; sed 's/^/    /' "$SM_SWAKS_LOG"
fi
sleep 1
grep -l '^Subject: spoofed' "$tmp"/sm/out/*.eml >/dev/null 2>&1 &&
    bad "the refused message was delivered" || ok "the refused message was not delivered"
grep -l '^Subject: obsolete from' "$tmp"/sm/out/*.eml >/dev/null 2>&1 &&
    bad "the message with two From fields was delivered" || ok "the message with two From fields was not delivered"

it_finish
