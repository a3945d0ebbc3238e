#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_arc.sh - ARC trusted forwarders (RFC 8617, issue 17) through a
# real Postfix, with XCLIENT posing as the forwarder and DNS from
# tests/data/arc/zone: a message from example.com (p=reject; SPF allows
# only 192.0.2.10) forwarded by fwd.example from 198.51.100.77, an address
# that fails example.com's SPF. fwd.example sealed it (dkimpy's arc_sign,
# at a fixed time, the key its zone entry publishes) recording spf=pass
# for alice@example.com in its ARC-Authentication-Results.
#   * without arc_trusted_sealers: 550 5.7.1 (the DMARC policy), the log
#     saying arc=pass;
#   * with arc_trusted_sealers = fwd.example (applied by SIGHUP): delivered,
#     the delivered message's A-R shows arc=pass smtp.remote-ip= and
#     dmarc=fail with the override, the log line dmarc_override=;
#   * the same message with its body changed: arc=fail, 550 5.7.1 even
#     with the sealer trusted.
#
# usage: postfix_arc.sh INKAN-MILTER

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/arc"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_arc
NOW=1795000000
CLIENT=198.51.100.77

port=$(pf_free_port)
conf() {	# conf [EXTRA-LINE]
	cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
authserv_id = mx.test.example
dns_zone_file = $data/zone
log = stderr
${1:-}
CONF
}
conf
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"

# the forwarder's hop: its key file for arc_dkimpy.py, the message sealed
key="$here/../data/keys/example.com/rsa.private"
echo "arc._domainkey.fwd.example v=DKIM1; k=rsa; p=$(openssl pkey -in "$key" -pubout -outform DER | base64 -w0)" >"$tmp/keys"
forward() {	# forward SUBJECT: $tmp/SUBJECT.eml, sealed by fwd.example
	printf '%s\r\n' "From: Alice <alice@example.com>" "To: bob@example.org" \
	    "Subject: $1" "Date: Tue, 14 Nov 2023 22:13:20 +0000" \
	    "Message-ID: <$1@example.com>" "MIME-Version: 1.0" \
	    "Content-Type: text/plain" "" "Forwarded by fwd.example" >"$tmp/$1.in"
	"$here/../interop/arc_dkimpy.py" seal --now $NOW --keys "$tmp/keys" \
	    --key "$key" --domain fwd.example --selector arc --srv-id mx.fwd.example \
	    --results "spf=pass smtp.mailfrom=alice@example.com" "$tmp/$1.in" |
	    sed 's/\r$//; s/$/\r/' >"$tmp/$1.eml"
	grep -q '^ARC-Seal: i=1' "$tmp/$1.eml" || { bad "$1: dkimpy did not seal"; return 1; }
}
send() {	# send SUBJECT: swaks' status; transcript kept
	rc=0
	pf_send bounce@fwd.example bob@example.org "$tmp/$1.eml" "$PF_PORT" \
	    --xclient-addr $CLIENT --helo fwd.example 2>/dev/null || rc=$?
	cp "$PF_SWAKS_LOG" "$tmp/$1.swaks"
	return $rc
}

forward untrusted
if send untrusted; then bad "untrusted sealer: accepted"
else grep -q '550 5.7.1 Rejected by the DMARC policy of example.com' "$tmp/untrusted.swaks" && ok "sealer not trusted: 550 5.7.1" || { bad "untrusted: no 550 5.7.1"; tail -5 "$tmp/untrusted.swaks"; }; fi
grep -q " arc=pass dmarc=fail header.from=example.com .*action=reject" "$tmp/milter.log" && ok "log: arc=pass, then the reject" || bad "log: no arc=pass reject line"

conf "arc_trusted_sealers = fwd.example"
kill -HUP "$milter_pid"
for _ in $(seq 50); do grep -q 'configuration reloaded' "$tmp/milter.log" && break; sleep 0.1; done
grep -q 'configuration reloaded' "$tmp/milter.log" || bad "reload not seen"

forward trusted
send trusted && ok "trusted sealer: accepted" || { bad "trusted sealer: refused"; tail -5 "$tmp/trusted.swaks"; }
grep -q 'dmarc_override="arc trusted sealer fwd.example spf=pass" action=accept' "$tmp/milter.log" && ok "log: dmarc_override, action=accept" || bad "log: no dmarc_override"

forward tampered
sed -i 's/^Forwarded by fwd.example/Forwarded by mallory/' "$tmp/tampered.eml"
if send tampered; then bad "tampered chain, trusted sealer: accepted"
else grep -q '550 5.7.1' "$tmp/tampered.swaks" && ok "tampered chain, trusted sealer: 550 5.7.1" || bad "tampered: no 550"; fi
grep -q " arc=fail arc_reason=" "$tmp/milter.log" && ok "log: arc=fail with a reason" || bad "log: no arc=fail"

pf_wait_delivered 1 60 >/dev/null || bad "trusted: not delivered"
found=0
for f in $(pf_sink_files); do
	grep -q '^Subject: trusted' "$f" || { bad "delivered: $(grep '^Subject' "$f")"; continue; }
	found=1
	pf_message "$f" | sed -n '/^Authentication-Results: mx.test.example/,/^[^ \t]/p' | tr -d '\r' | tr '\n\t' '  ' >"$tmp/ar"
	grep -q "arc=pass smtp.remote-ip=$CLIENT;" "$tmp/ar" && ok "delivered A-R: arc=pass smtp.remote-ip=$CLIENT" || { bad "delivered A-R: no arc=pass"; cat "$tmp/ar"; }
	grep -q 'dmarc=fail (p=reject dis=reject; overridden: arc trusted sealer fwd.example spf=pass) header.from=example.com' "$tmp/ar" &&
	    ok "delivered A-R: dmarc=fail with the override" || { bad "delivered A-R: no override"; cat "$tmp/ar"; }
	grep -q '^ARC-Seal: i=1' "$f" && ok "delivered with the forwarder's ARC Set" || bad "ARC Set missing"
done
[ $found -eq 1 ] || bad "trusted message not found"

it_finish
