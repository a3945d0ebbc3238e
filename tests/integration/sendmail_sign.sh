#!/bin/bash
# SPDX-License-Identifier: ISC
#
# sendmail_sign.sh - outbound signing end to end through Debian's Sendmail
# (sendmail_harness.sh) with inkan attached by the INPUT_MAIL_FILTER line of
# contrib/sendmail.mc:
#   * mail on the submission daemon (Name=MSP-v4, as in Debian's
#     sendmail.mc; inkan.conf sign_daemons = MSP-v4) leaves with inkan's RSA
#     and Ed25519 signatures, which dkimpy verifies after Sendmail; a
#     tampered copy fails. Sendmail's default milter macros carry
#     {daemon_name} and the queue id (i): the log line shows both;
#   * mail on the MTA daemon from a client that is neither internal nor
#     authenticated is not signed;
#   * with inkan-milter stopped, F=T makes Sendmail refuse the message with a
#     4xx reply instead of delivering it unsigned.
#
# usage: sendmail_sign.sh INKAN-MILTER INKAN-KEYS SENDMAIL-CACHE-DIR
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -eu

milter=$1
keys=$2
cache=$3
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
interop="$here/../interop"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
# shellcheck source=sendmail_harness.sh
. "$here/sendmail_harness.sh"
it_init sendmail_sign
trap 'set +e; sm_stop; it_cleanup' EXIT

sm_fetch "$cache" || { echo "FAIL: cannot get Debian's Sendmail"; exit 1; }

"$keys" generate --domain example.com --selector rsa --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.com --selector ed --type ed25519 --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
port=$(_sm_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
key_dir = $tmp/keys
internal_hosts = 192.0.2.1
sign_daemons = MSP-v4
authserv_id = mx.test.example
dns_zone_file = $tmp/zone
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
sm_start "$port" "$tmp/sm" || { echo "FAIL: Sendmail did not start"; exit 1; }
ok "Sendmail runs with contrib/sendmail.mc's INPUT_MAIL_FILTER"

message() {	# message SUBJECT > file
	printf '%s\r\n' "From: Alice <alice@example.com>" "To: Bob <bob@test.example>" \
	    "Subject: $1" "Date: Wed, 25 Nov 2026 10:00:00 +0000" \
	    "Message-ID: <$(echo "$1" | tr ' ' '-')@example.com>" "MIME-Version: 1.0" \
	    "Content-Type: text/plain" "" "Hello Bob," "" "  this is: $1." ""
}
delivered() {	# delivered SUBJECT: copy the delivered message to $tmp/got.eml
	local f
	for f in "$tmp"/sm/out/*.eml; do
		if [ -e "$f" ] && grep -q "^Subject: $1\$" "$f"; then cp "$f" "$tmp/got.eml"; return 0; fi
	done
	return 1
}

message "submitted" >"$tmp/m1"
message "from outside" >"$tmp/m2"
sm_send alice@example.com bob@test.example "$tmp/m1" "$SM_MSP_PORT" || bad "submission refused"
sm_send alice@example.com bob@test.example "$tmp/m2" "$SM_PORT" || bad "MTA refused"
sm_wait_delivered 2 60 >/dev/null || bad "not both messages delivered"

if delivered "submitted"; then
	n=$(grep -c '^DKIM-Signature:' "$tmp/got.eml" || true)
	[ "$n" -eq 2 ] && ok "submitted mail carries 2 signatures" || bad "submitted mail has $n signatures"
	cp "$tmp/got.eml" "$tmp/signed.eml"
	check 0 "dkimpy verifies both signatures after Sendmail" \
	    "$interop/verify_dkimpy.py" --zone "$tmp/zone" "$tmp/signed.eml"
	sed 's/this is: submitted/this is: changed/' "$tmp/signed.eml" >"$tmp/tampered.eml"
	check 1 "dkimpy fails the tampered copy" \
	    "$interop/verify_dkimpy.py" --zone "$tmp/zone" "$tmp/tampered.eml"
else
	bad "submitted message not delivered"
fi
grep -Eq '^inkan-milter: [0-9A-Za-z]{8,}: .*d=example\.com s=ed .*d=example\.com s=rsa .*service MSP-v4' \
    "$tmp/milter.log" && ok "log: Sendmail's queue id, both keys, service MSP-v4 ({daemon_name})" ||
    { bad "no signing log line with queue id and service MSP-v4:"; sed 's/^/    /' "$tmp/milter.log"; }

if delivered "from outside"; then
	grep -q '^DKIM-Signature:' "$tmp/got.eml" && bad "mail from outside was signed" ||
	    ok "mail on the MTA daemon from an external client is not signed"
else
	bad "message from outside not delivered"
fi

# F=T: inkan-milter down -> a temporary failure, never unsigned delivery.
kill -TERM "$milter_pid"
wait "$milter_pid" || true
milter_pid=
message "milter down" >"$tmp/m3"
rc=0
sm_send alice@example.com bob@test.example "$tmp/m3" "$SM_MSP_PORT" 2>/dev/null || rc=$?
if [ $rc -ne 0 ] && grep -Eq '<\*\* +4[0-9][0-9] ' "$SM_SWAKS_LOG"; then
	ok "milter down: Sendmail answers $(grep -Eo '<\*\* +4[0-9][0-9][ -][0-9.]*' "$SM_SWAKS_LOG" | head -1 | sed 's/<\*\* *//') (F=T)"
else
	bad "milter down: swaks exit $rc, no 4xx reply:"; sed 's/^/    /' "$SM_SWAKS_LOG"
fi
sleep 1
delivered "milter down" && bad "a message was delivered while the milter was down" ||
    ok "nothing delivered while the milter was down"

it_finish
