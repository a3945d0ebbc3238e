#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_spf.sh - SPF through a real Postfix (RFC 7208, replies per RFC 7372). XCLIENT lets
# the test pose as outside clients; DNS comes from a zone file.
#   * a permitted client: delivered with spf=pass in Authentication-Results
#     (smtp.mailfrom and smtp.helo) and a Received-SPF field (9.1);
#   * a client the domain's -all excludes: refused with 550 5.7.23 and the
#     macro-expanded exp= explanation (spf_reject_fail = yes);
#   * a DNS timeout: 451 4.7.24 (spf_tempfail_on_temperror = yes);
#   * softfail: delivered, spf=softfail.
#
# usage: postfix_spf.sh INKAN-MILTER

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_spf

cat >"$tmp/zone" <<'ZONE'
example.com. TXT "v=spf1 ip4:192.0.2.10 -all exp=why.example.com"
why.example.com. TXT "%{i} is not one of %{d}'s mail servers"
mail.example.com. TXT "v=spf1 a -all"
mail.example.com. A 192.0.2.10
soft.example. TXT "v=spf1 ~all"
slow.example. TIMEOUT
ZONE
port=$(pf_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
authserv_id = mx.test.example
dns_zone_file = $tmp/zone
spf_reject_fail = yes
spf_tempfail_on_temperror = yes
received_spf = yes
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"

message() {	# message FROM SUBJECT
	printf '%s\r\n' "From: <$1>" "To: <bob@example.org>" "Subject: $2" \
	    "Date: Wed, 25 Nov 2026 10:00:00 +0000" "Message-ID: <$2@test>" "" "hello"
}
send() {	# send FROM SUBJECT CLIENT-IP HELO: swaks' exit status
	message "$1" "$2" >"$tmp/$2.eml"
	rc=0
	pf_send "$1" bob@example.org "$tmp/$2.eml" "$PF_PORT" \
	    --xclient-addr "$3" --helo "$4" 2>/dev/null || rc=$?
	cp "$PF_SWAKS_LOG" "$tmp/$2.swaks"
	return $rc
}

send alice@example.com permitted 192.0.2.10 mail.example.com && ok "permitted client accepted" || bad "permitted client refused"
if send alice@example.com forged 198.51.100.1 mail.example.com; then bad "forged sender accepted"
else
	grep -q '550 5.7.23 ' "$tmp/forged.swaks" && ok "forged sender refused with 550 5.7.23" || { bad "no 550 5.7.23"; cat "$tmp/forged.swaks"; }
	grep -q "198.51.100.1 is not one of example.com's mail servers" "$tmp/forged.swaks" && ok "reply carries the exp= explanation" || bad "explanation missing from the reply"
fi
if send carol@slow.example slow 198.51.100.2 client.example.net; then bad "DNS timeout accepted"
else grep -q '451 4.7.24 ' "$tmp/slow.swaks" && ok "DNS timeout: 451 4.7.24" || { bad "no 451 4.7.24"; cat "$tmp/slow.swaks"; }; fi
send dave@soft.example softfail 198.51.100.3 client.example.net && ok "softfail accepted" || bad "softfail refused"
pf_wait_delivered 2 60 >/dev/null || bad "accepted mail not delivered"

for f in $(pf_sink_files); do pf_message "$f" >"$tmp/$(basename "$f").eml"; done
got() { grep -l "^Subject: $1" "$tmp"/*.eml 2>/dev/null | grep -v "/$1.eml" | head -1; }
p=$(got permitted)
if [ -n "$p" ]; then
	sed -n '/^Authentication-Results:/,/^[^ \t]/p' "$p" >"$tmp/ar"
	grep -q 'spf=pass (matched ip4:192.0.2.10) smtp.mailfrom=alice@example.com' "$tmp/ar" && ok "spf=pass smtp.mailfrom in A-R" || { bad "no spf=pass for mailfrom"; cat "$tmp/ar"; }
	grep -q 'spf=pass .*smtp.helo=mail.example.com' "$tmp/ar" && ok "spf=pass smtp.helo in A-R" || { bad "no spf=pass for helo"; cat "$tmp/ar"; }
	grep -q '^Received-SPF: pass (mx.test.example: ' "$p" && ok "Received-SPF: pass" || bad "no Received-SPF"
	sed -n '/^Received-SPF:/,/^[^ \t]/p' "$p" | tr -d '\r\n\t' | grep -q 'client-ip=192.0.2.10;envelope-from="alice@example.com";helo=mail.example.com;receiver=mx.test.example;identity=mailfrom;' \
	    && ok "Received-SPF key=value pairs (RFC 7208 9.1)" || { bad "Received-SPF pairs wrong"; grep -A4 '^Received-SPF' "$p"; }
	"$here/ar_parse.pl" "$p" >/dev/null 2>&1 && ok "strict parser accepts the A-R" || bad "A-R does not parse"
else bad "permitted message not delivered"; fi
s=$(got softfail)
if [ -n "$s" ]; then
	grep -q 'spf=softfail' "$s" && ok "spf=softfail recorded" || bad "no spf=softfail"
else bad "softfail message not delivered"; fi
grep -q 'spf=fail smtp.mailfrom=alice@example.com' "$tmp/milter.log" && ok "log names the SPF fail" || bad "no log line for the SPF fail"

it_finish
