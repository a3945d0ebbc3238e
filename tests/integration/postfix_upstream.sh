#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_upstream.sh - trusted_authserv_ids (issue 15; OpenDMARC's
# TrustedAuthservIDs) through a real Postfix: inkan behind another MX, the
# relay posed with XCLIENT as 198.51.100.9, which example.com's SPF record
# fails (tests/data/dmarc-e2e: p=reject, only 192.0.2.10 may send):
#   * the relay's "Authentication-Results: mx1.upstream.example; spf=pass
#     smtp.mailfrom=user@example.com" is taken: DMARC passes by SPF
#     alignment, the message is delivered, our field says the spf result
#     came from mx1.upstream.example, and the relay's field stays;
#   * the same field under an id that is not trusted is ignored: inkan's
#     own SPF check fails the relay and p=reject refuses it (550 5.7.1).
#
# usage: postfix_upstream.sh INKAN-MILTER

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/dmarc-e2e"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_upstream

port=$(pf_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
authserv_id = mx.test.example
dns_zone_file = $data/zone
trusted_authserv_ids = mx1.upstream.example
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"

message() {	# message SUBJECT AUTHSERV-ID
	{ printf 'Authentication-Results: %s;\r\n\tspf=pass smtp.mailfrom=user@example.com\r\n' "$2"
	  sed "s/FROMDOMAIN/example.com/; s/^Subject: DMARC test/Subject: $1/" "$data/message.eml"; } >"$tmp/$1.eml"
}
send() {	# send SUBJECT: from the relay; swaks' status, transcript kept
	rc=0
	pf_send user@example.com bob@example.org "$tmp/$1.eml" "$PF_PORT" --xclient-addr 198.51.100.9 \
	    --helo relay.upstream.example 2>/dev/null || rc=$?
	cp "$PF_SWAKS_LOG" "$tmp/$1.swaks"
	return $rc
}

message trusted mx1.upstream.example
send trusted && ok "trusted relay's spf=pass, p=reject: accepted" ||
    { bad "trusted relay: refused"; tail -5 "$tmp/trusted.swaks"; }
pf_wait_delivered 1 60 >/dev/null || bad "trusted relay: not delivered"
got=
for f in $(pf_sink_files); do grep -q '^Subject: trusted$' "$f" && got=$f; done
if [ -n "$got" ]; then
	pf_message "$got" >"$tmp/got.eml"
	sed -n '1,/^[^ \t]/{/^Authentication-Results: mx.test.example/,/^[^ \t]/p}' "$tmp/got.eml" >"$tmp/ar"
	head -1 "$tmp/got.eml" | grep -q '^Authentication-Results: mx.test.example;' &&
	    ok "trusted relay: our field on top" || bad "trusted relay: first field $(head -1 "$tmp/got.eml")"
	grep -q 'spf=pass (from mx1.upstream.example) smtp.mailfrom=user@example.com' "$tmp/got.eml" &&
	    ok "trusted relay: our field says the spf result came from mx1.upstream.example" ||
	    { bad "trusted relay: no spf=pass (from mx1.upstream.example)"; head -8 "$tmp/got.eml"; }
	grep -q 'dmarc=pass (p=reject dis=none) header.from=example.com' "$tmp/got.eml" &&
	    ok "trusted relay: dmarc=pass" || bad "trusted relay: no dmarc=pass"
	grep -q '^Authentication-Results: mx1.upstream.example;' "$tmp/got.eml" &&
	    ok "trusted relay: its own field is kept" || bad "trusted relay: its field removed"
else bad "trusted relay: message not found"; fi
grep -q 'client=198.51.100.9 .*spf=pass smtp.mailfrom=user@example.com .*spf_from=mx1.upstream.example .*dmarc=pass' "$tmp/milter.log" &&
    ok "trusted relay: the log line names where spf came from" || bad "trusted relay: no spf_from in the log"

message untrusted mx9.untrusted.example
if send untrusted; then bad "untrusted id: accepted"
else grep -q '550 5.7.1 Rejected by the DMARC policy of example.com' "$tmp/untrusted.swaks" &&
    ok "untrusted id: ignored, own SPF fails the relay: 550 5.7.1" ||
    { bad "untrusted id: no 550 5.7.1"; tail -5 "$tmp/untrusted.swaks"; }; fi
grep -q 'client=198.51.100.9 .*spf=fail smtp.mailfrom=user@example.com spf_reason="matched -all"' "$tmp/milter.log" &&
    ok "untrusted id: the log shows inkan's own spf=fail" || bad "untrusted id: no own spf=fail in the log"

it_finish
