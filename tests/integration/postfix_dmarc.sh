#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_dmarc.sh - DMARC (RFC 9989) enforcement through a real Postfix,
# with XCLIENT posing as outside clients and DNS from a zone file:
#   * mail whose From domain publishes p=reject and that neither SPF nor
#     DKIM aligns with is refused with 550 5.7.1;
#   * p=quarantine puts the message on Postfix's hold queue;
#   * aligned mail is delivered with dmarc=pass in Authentication-Results;
#   * a message with two From fields is refused with 550 5.7.1;
#   * mail signed by its p=reject From domain whose key lookup times out
#     gets 451 4.7.1 (dmarc=temperror: the sender retries), never 550.
#
# usage: postfix_dmarc.sh INKAN-MILTER

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/dmarc-e2e"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_dmarc

port=$(pf_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
authserv_id = mx.test.example
dns_zone_file = $data/zone
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"

message() {	# message FROM-DOMAIN SUBJECT [EXTRA-FROM]
	sed "s/FROMDOMAIN/$1/; s/^Subject: DMARC test/Subject: $2/" "$data/message.eml" >"$tmp/$2.eml"
	if [ -n "${3:-}" ]; then
		{ printf 'From: %s\r\n' "$3"; cat "$tmp/$2.eml"; } >"$tmp/$2.tmp" && mv "$tmp/$2.tmp" "$tmp/$2.eml"
	fi
}
send() {	# send MAIL-FROM SUBJECT CLIENT-IP: swaks' status; transcript kept
	rc=0
	pf_send "$1" bob@example.org "$tmp/$2.eml" "$PF_PORT" --xclient-addr "$3" \
	    --helo mail.other.example 2>/dev/null || rc=$?
	cp "$PF_SWAKS_LOG" "$tmp/$2.swaks"
	return $rc
}

message example.com rejected
if send alice@example.com rejected 198.51.100.9; then bad "p=reject mail accepted"
else grep -q '550 5.7.1 Rejected by the DMARC policy of example.com' "$tmp/rejected.swaks" && ok "p=reject: 550 5.7.1" || { bad "no 550 5.7.1"; tail -5 "$tmp/rejected.swaks"; }; fi

message example.com aligned
send alice@example.com aligned 192.0.2.10 && ok "SPF-aligned mail accepted" || bad "aligned mail refused"

message quarantine.example held
send alice@quarantine.example held 198.51.100.9 && ok "p=quarantine mail accepted for holding" || bad "quarantine mail refused"

message example.com twofrom mallory@evil.example
if send alice@example.com twofrom 192.0.2.10; then bad "two From fields accepted"
else grep -q '550 5.7.1 Message must have exactly one author address' "$tmp/twofrom.swaks" && ok "two From fields: 550 5.7.1" || bad "no 550 5.7.1 for two From"; fi

# issue 14: the DKIM key of dkto.example (p=reject) times out in the zone;
# the message is signed d=dkto.example with the test key (inkan --evaluate)
mkdir -p "$tmp/keys/dkto.example"
cp "$here/../data/keys/example.com/rsa.private" "$tmp/keys/dkto.example/"
chmod 600 "$tmp/keys/dkto.example/rsa.private"
printf 'authserv_id = out.test.example\nlog = stderr\nkey_dir = %s\n' "$tmp/keys" >"$tmp/sign.conf"
message dkto.example keytimeout.unsigned
"$milter" --evaluate "$tmp/keytimeout.unsigned.eml" --config "$tmp/sign.conf" \
    --client-ip 127.0.0.1 --helo out.example.com --mail-from alice@dkto.example \
    --now 1795000000 >"$tmp/keytimeout.eml" 2>/dev/null
grep -q '^DKIM-Signature:.*d=dkto.example' "$tmp/keytimeout.eml" || bad "key timeout: message not signed"
if send bounce@other.example keytimeout 198.51.100.9; then bad "key timeout: mail accepted"
elif grep -q '451 4.7.1 Temporary DNS failure evaluating the DMARC policy of dkto.example' "$tmp/keytimeout.swaks"; then ok "aligned key lookup timeout, p=reject: 451 4.7.1"
else bad "key timeout: no 451 4.7.1"; tail -5 "$tmp/keytimeout.swaks"; fi
grep -q '550 5.7.1' "$tmp/keytimeout.swaks" && bad "key timeout: 550 5.7.1 seen"
grep -q 'dkim=temperror d=dkto.example s=rsa .*dmarc=temperror header.from=dkto.example p=reject dis=none .*action=tempfail' "$tmp/milter.log" \
    && ok "log: dkim=temperror, dmarc=temperror, action=tempfail" || bad "no dmarc=temperror log line"

pf_wait_delivered 1 60 >/dev/null || bad "aligned mail not delivered"
for f in $(pf_sink_files); do
	if grep -q '^Subject: aligned' "$f"; then
		pf_message "$f" | sed -n '/^Authentication-Results:/,/^[^ \t]/p' >"$tmp/ar"
		grep -q 'dmarc=pass (p=reject dis=none) header.from=example.com' "$tmp/ar" && ok "dmarc=pass in Authentication-Results" || { bad "no dmarc=pass"; cat "$tmp/ar"; }
	fi
	grep -q '^Subject: held' "$f" && bad "quarantined mail was delivered"
	grep -q '^Subject: keytimeout' "$f" && bad "tempfailed mail was delivered"
done
# the held message waits in Postfix's hold queue ('!' after the queue id)
held=0
for _ in $(seq 50); do
	postqueue -c "$PF_CONF" -p 2>/dev/null | grep -q '^[0-9A-F]*!' && { held=1; break; }
	sleep 0.2
done
[ $held -eq 1 ] && ok "p=quarantine: message on hold" || { bad "no message on hold"; postqueue -c "$PF_CONF" -p; }
grep -q 'dmarc=fail header.from=quarantine.example p=quarantine dis=quarantine' "$tmp/milter.log" && ok "log names the quarantine" || bad "no quarantine log line"

it_finish
