#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_verify.sh - inbound verification end to end through a real
# Postfix on loopback: mail from a client that is neither internal nor
# authenticated, signed by dkimpy, is delivered with exactly one
# Authentication-Results field of ours, at the very top (above Postfix's
# Received), that a strict parser (Mail::AuthenticationResults) accepts and
# that says dkim=pass; a tampered copy says dkim=fail. Forged
# Authentication-Results fields carrying our authserv-id (one in odd case
# with comments, interleaved with another server's fields, which stay) are
# gone from the delivered message. DNS comes from a zone file
# (dns_zone_file), so nothing leaves the machine.
#
# usage: postfix_verify.sh INKAN-MILTER
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_verify

port=$(pf_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
internal_hosts = 192.0.2.1
authserv_id = mx.test.example
dns_zone_file = $data/evaluate/zone
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"

# A message signed by dkimpy with the test key published in the zone, then
# forged and foreign Authentication-Results fields put above the signature.
it_dkimpy_sign "$data/evaluate/plain.eml" "$tmp/signed.eml"
{
	printf 'Authentication-Results: mx.test.example; dkim=pass header.d=bank.example\r\n'
	printf 'Authentication-Results: other.example; spf=pass smtp.mailfrom=example.com\r\n'
	printf 'aUtHeNtIcAtIoN-rEsUlTs: (forged) MX.Test.Example (really);\r\n\tdmarc=pass header.from=bank.example\r\n'
	printf 'Authentication-Results: another.example; dkim=none\r\n'
	printf 'Authentication-Results:   "mx.test.example"; arc=pass\r\n'
	cat "$tmp/signed.eml"
} >"$tmp/inbound.eml"
sed 's/lunch on Friday at noon?/lunch on Friday at one?/' "$tmp/inbound.eml" >"$tmp/tampered.eml"

pf_send alice@example.com bob@example.org "$tmp/inbound.eml" "$PF_PORT" || bad "inbound refused"
pf_wait_delivered 1 60 >/dev/null || bad "inbound not delivered"
pf_send alice@example.com bob@example.org "$tmp/tampered.eml" "$PF_PORT" || bad "tampered refused"
pf_wait_delivered 2 60 >/dev/null || bad "tampered not delivered"

delivered() {	# delivered PATTERN: the captured message containing it
	for f in $(pf_sink_files); do
		if grep -q "$1" "$f"; then pf_message "$f" >"$tmp/got.eml"; return 0; fi
	done
	return 1
}

if delivered 'at noon?'; then
	first=$(head -1 "$tmp/got.eml")
	case "$first" in
	"Authentication-Results: mx.test.example;"*) ok "our Authentication-Results is the first field" ;;
	*) bad "first field is not ours: $first" ;;
	esac
	n=$(grep -ci '^authentication-results:.*mx\.test\.example' "$tmp/got.eml" || true)
	[ "$n" -eq 1 ] && ok "exactly one field carries our authserv-id" || bad "$n fields carry our authserv-id"
	grep -q '^Authentication-Results: other.example; spf=pass' "$tmp/got.eml" && ok "other.example's field kept" || bad "other.example's field lost"
	grep -q '^Authentication-Results: another.example; dkim=none' "$tmp/got.eml" && ok "another.example's field kept" || bad "another.example's field lost"
	grep -q 'bank.example' "$tmp/got.eml" && bad "a forged result reached the mailbox" || ok "no forged result left"
	if "$here/ar_parse.pl" "$tmp/got.eml" >"$tmp/ar" 2>&1; then ok "Mail::AuthenticationResults parses every field"
	else bad "strict parser refused a field"; cat "$tmp/ar"; fi
	sed -n '/^mx.test.example$/,/^[^ ]/p' "$tmp/ar" | grep -q '^  dkim=pass header.d=example.com header.s=rsa header.a=rsa-sha256 header.b=' \
	    && ok "dkim=pass with header.d, header.s, header.a, header.b" || { bad "no dkim=pass in our field"; cat "$tmp/ar"; }
	r=$(sed -n 's/^Received: from \(.*\)/\1/p' "$tmp/got.eml" | head -1)
	[ -n "$r" ] && ok "Postfix's Received is below ours" || bad "no Received field found"
else bad "inbound message not found"; fi

if delivered 'at one?'; then
	sed -n '/^Authentication-Results: mx.test.example;/,/^[^ \t]/p' "$tmp/got.eml" | grep -q 'dkim=fail (body hash did not verify)' \
	    && ok "tampered body: dkim=fail (body hash did not verify)" || { bad "tampered message not dkim=fail"; head -5 "$tmp/got.eml"; }
else bad "tampered message not found"; fi
grep -q ' forged_ar_removed=3' "$tmp/milter.log" && ok "log counts the removed fields" || bad "no log of removed fields"

it_finish
