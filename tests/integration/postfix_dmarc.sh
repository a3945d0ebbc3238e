#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_dmarc.sh - DMARC (RFC 9989) enforcement through a real Postfix,
# with XCLIENT posing as outside clients and DNS from a zone file:
#   * mail whose From domain publishes p=reject and that neither SPF nor
#     DKIM aligns with is refused with 550 5.7.1;
#   * p=quarantine puts the message on Postfix's hold queue;
#   * aligned mail is delivered with dmarc=pass in Authentication-Results;
#   * a message with two From fields is refused with 550 5.7.1, also when
#     the second is written "From : x" (RFC 5322 4.5 obsolete syntax);
#   * a lone "From : x" field is the author: unsigned and unaligned it is
#     refused by the DMARC policy, signed (relaxed, by inkan) it passes and
#     is delivered; Postfix deletes the white space before the colon, both
#     in what the milter sees and in what it delivers, and the relaxed
#     signature survives that; on a message's first line Postfix takes it
#     for an mbox From line (X-Mailbox-Line), so the message has no From;
#   * a From field with two addresses of one domain and a Sender field
#     gets DMARC (RFC 9989 5.3.1): signed, it is delivered with dmarc=pass;
#     two addresses in different domains are refused with 550 5.7.1 naming
#     them.
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
# obs_message SUBJECT FROM-LINE...: the test message with these field lines
# in place of its From field, given as written ("From : a@example.com"),
# after its To field: Postfix takes a first line "From ..." for an mbox
# From line (X-Mailbox-Line), whatever follows the space
obs_message() {
	local subject=$1
	shift
	{ sed -n 2p "$data/message.eml"; printf '%s\r\n' "$@"
	  sed '1,2d; s/^Subject: DMARC test/Subject: '"$subject"'/' "$data/message.eml"; } >"$tmp/$subject.eml"
}
# sign SUBJECT: sign $tmp/SUBJECT.eml as inkan's signing role would
# (relaxed/relaxed, the example.com test keys the zone publishes)
sign() {
	"$milter" --evaluate "$tmp/$1.eml" --config "$tmp/sign.conf" \
	    --client-ip 127.0.0.1 --helo out.example.com --mail-from alice@example.com \
	    --now 1795000000 >"$tmp/$1.signed" 2>"$tmp/$1.sign.log" &&
	    grep -q '^DKIM-Signature:' "$tmp/$1.signed" &&
	    mv "$tmp/$1.signed" "$tmp/$1.eml"
}
mkdir -p "$tmp/keys/example.com"
cp "$here/../data/keys/example.com/"*.private "$tmp/keys/example.com/"
chmod 600 "$tmp/keys/example.com/"*.private
printf 'authserv_id = out.example.com\nkey_dir = %s\nlog = stderr\n' "$tmp/keys" >"$tmp/sign.conf"
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
printf 'authserv_id = out.test.example\nlog = stderr\nkey_dir = %s\n' "$tmp/keys" >"$tmp/keytimeout.conf"
message dkto.example keytimeout.unsigned
"$milter" --evaluate "$tmp/keytimeout.unsigned.eml" --config "$tmp/keytimeout.conf" \
    --client-ip 127.0.0.1 --helo out.example.com --mail-from alice@dkto.example \
    --now 1795000000 >"$tmp/keytimeout.eml" 2>/dev/null
grep -q '^DKIM-Signature:.*d=dkto.example' "$tmp/keytimeout.eml" || bad "key timeout: message not signed"
if send bounce@other.example keytimeout 198.51.100.9; then bad "key timeout: mail accepted"
elif grep -q '451 4.7.1 Temporary DNS failure evaluating the DMARC policy of dkto.example' "$tmp/keytimeout.swaks"; then ok "aligned key lookup timeout, p=reject: 451 4.7.1"
else bad "key timeout: no 451 4.7.1"; tail -5 "$tmp/keytimeout.swaks"; fi
grep -q '550 5.7.1' "$tmp/keytimeout.swaks" && bad "key timeout: 550 5.7.1 seen"
grep -q 'dkim=temperror d=dkto.example s=rsa .*dmarc=temperror header.from=dkto.example p=reject dis=none .*action=tempfail' "$tmp/milter.log" \
    && ok "log: dkim=temperror, dmarc=temperror, action=tempfail" || bad "no dmarc=temperror log line"


# RFC 5322 4.5: "From : x" is a From field, first or second
obs_message obs2from 'From: Alice <alice@good.example>' 'From : ceo@example.com'
if send alice@good.example obs2from 198.51.100.9; then bad "second From field written \"From :\" accepted"
else grep -q '550 5.7.1 Message must have exactly one author address in From: 2 From header fields' "$tmp/obs2from.swaks" && ok "second From written \"From :\": 550 5.7.1, 2 From fields" || { bad "no 550 5.7.1 for \"From :\" as second From"; tail -5 "$tmp/obs2from.swaks"; }; fi

obs_message obsreject 'From : CEO <ceo@example.com>'
if send bounce@other.example obsreject 198.51.100.9; then bad "lone \"From :\", unaligned, accepted"
else grep -q '550 5.7.1 Rejected by the DMARC policy of example.com' "$tmp/obsreject.swaks" && ok "lone \"From :\", unaligned: DMARC 550 5.7.1" || { bad "no DMARC 550 for a lone \"From :\""; tail -5 "$tmp/obsreject.swaks"; }; fi

# on the first line it is no field at all, for Postfix and so for inkan
{ printf 'From : CEO <ceo@example.com>\r\n'; sed 1d "$data/message.eml"; } >"$tmp/obsfirst.eml"
if send bounce@other.example obsfirst 198.51.100.9; then bad "first line \"From :\" accepted"
else grep -q '550 5.7.1 Message must have exactly one author address in From: no From header field' "$tmp/obsfirst.swaks" && ok "first line \"From :\" is Postfix's X-Mailbox-Line: 550 5.7.1, no From" || { bad "no 550 5.7.1 for a first line \"From :\""; tail -5 "$tmp/obsfirst.swaks"; }; fi

obs_message obssigned 'From : CEO <ceo@example.com>'
if sign obssigned; then
	send bounce@other.example obssigned 198.51.100.9 && ok "lone \"From :\", signed: accepted" || bad "lone \"From :\", signed: refused"
else bad "inkan did not sign a lone \"From :\" field"; cat "$tmp/obssigned.sign.log"; fi

# RFC 9989 5.3.1: several addresses of one domain are that author domain
obs_message multisigned 'From: alice@example.com, Carol <carol@EXAMPLE.com>' 'Sender: alice@example.com'
if sign multisigned; then
	send bounce@other.example multisigned 198.51.100.9 && ok "two addresses of one domain, signed: accepted" || bad "two addresses of one domain, signed: refused"
else bad "inkan did not sign two addresses of one domain"; cat "$tmp/multisigned.sign.log"; fi
obs_message multidomains 'From: alice@example.com, mallory@evil.example' 'Sender: alice@example.com'
if send alice@example.com multidomains 192.0.2.10; then bad "two From domains accepted"
else grep -q '550 5.7.1 Message must have exactly one author address in From: From field has addresses in different domains (example.com, evil.example)' "$tmp/multidomains.swaks" && ok "two From domains: 550 5.7.1 naming them" || { bad "no 550 5.7.1 naming both From domains"; tail -5 "$tmp/multidomains.swaks"; }; fi

pf_wait_delivered 3 60 >/dev/null || bad "aligned and signed mail not delivered"
dmarc_pass() {	# dmarc_pass FILE LABEL: our A-R says dkim=pass and dmarc=pass
	pf_message "$1" | sed -n '/^Authentication-Results: mx.test.example/,/^[^ \t]/p' >"$tmp/ar"
	grep -q 'dmarc=pass (p=reject dis=none) header.from=example.com' "$tmp/ar" && ok "$2: dmarc=pass in Authentication-Results" || { bad "$2: no dmarc=pass"; cat "$tmp/ar"; }
}
for f in $(pf_sink_files); do
	grep -q '^Subject: aligned' "$f" && dmarc_pass "$f" aligned
	if grep -q '^Subject: obssigned' "$f"; then
		dmarc_pass "$f" "lone \"From :\", signed"
		grep -q 'dkim=pass' "$tmp/ar" && ok "lone \"From :\", signed: dkim=pass" || bad "lone \"From :\", signed: no dkim=pass"
		# Postfix wrote the field anew without the white space
		grep -q '^From: CEO <ceo@example.com>' "$f" && ok "Postfix delivers \"From :\" as \"From:\"" || { bad "From field not as expected"; grep -i '^from' "$f"; }
	fi
	if grep -q '^Subject: multisigned' "$f"; then
		dmarc_pass "$f" "two addresses of one domain"
		grep -q 'dkim=pass' "$tmp/ar" && ok "two addresses of one domain: dkim=pass" || bad "two addresses of one domain: no dkim=pass"
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
