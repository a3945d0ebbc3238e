#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_sign.sh - outbound signing end to end: a real Postfix on loopback
# with inkan-milter as its milter, mail submitted with swaks, captured by
# smtp-sink, and verified by independent verifiers against the records
# inkan-keys printed:
#   * mail on the submission service ({daemon_name} ORIGINATING) from a
#     domain with an RSA and an Ed25519 key leaves with both signatures
#     (dkimpy and OpenDKIM verify both);
#   * mail from an authenticated sender (XCLIENT LOGIN) is signed (dkimpy
#     and Mail::DKIM verify);
#   * mail from a client that is neither internal nor authenticated, and
#     mail from a domain without a key, pass untouched, and the log says why;
#   * SIGHUP reloads the configuration in the running daemon, and an SMTP
#     session that was open across the reload still gets its mail signed;
#   * a reload that meets a domain directory it cannot read is refused,
#     and the running keys go on signing mail through Postfix.
#
# usage: postfix_sign.sh INKAN-MILTER INKAN-KEYS
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -eu

milter=$1
keys=$2
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
interop="$here/../interop"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_sign

"$keys" generate --domain example.com --selector rsa --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.com --selector ed --type ed25519 --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.net --selector s1 --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
# the milter runs as root here; Postfix's smtpd connects over TCP
port=$(pf_free_port)
write_conf() {	# write_conf INTERNAL_HOSTS
	cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
key_dir = $tmp/keys
internal_hosts = $1
sign_daemons = ORIGINATING
authserv_id = mx.test.example
dns_zone_file = $tmp/zone
log = stderr
CONF
}
write_conf 192.0.2.1
it_milter_start "$milter" "$tmp/inkan.conf"

PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"
[ "${PF_SASL:-}" = 1 ] || { echo "FAIL: Cyrus SASL modules missing (libsasl2-modules): cannot test the authenticated path"; exit 1; }

message() {	# message FROM SUBJECT > file
	printf '%s\r\n' "From: Sender <$1>" "To: Bob <bob@example.org>" \
	    "Subject: $2" "Date: Wed, 25 Nov 2026 10:00:00 +0000" \
	    "Message-ID: <$(echo "$2" | tr ' ' '-')@test>" "MIME-Version: 1.0" \
	    "Content-Type: text/plain" "" "Hello Bob," "" "  this is: $2." ""
}

# delivered SUBJECT: the captured message with that subject, as delivered.
delivered() {
	for f in $(pf_sink_files); do
		if grep -q "^Subject: $1" "$f"; then pf_message "$f" >"$tmp/got.eml"; return 0; fi
	done
	return 1
}

message alice@example.com "dual signed" >"$tmp/m1"
message carol@example.net "authenticated" >"$tmp/m2"
message alice@example.com "external client" >"$tmp/m3"
message dave@example.org "no key" >"$tmp/m4"
pf_send alice@example.com bob@example.org "$tmp/m1" "$PF_SUBMIT_PORT" || bad "submission refused m1"
pf_send carol@example.net bob@example.org "$tmp/m2" "$PF_PORT" --xclient-login carol || bad "refused m2"
pf_send alice@example.com bob@example.org "$tmp/m3" "$PF_PORT" || bad "refused m3"
pf_send dave@example.org bob@example.org "$tmp/m4" "$PF_SUBMIT_PORT" || bad "refused m4"
pf_wait_delivered 4 60 >/dev/null || bad "not all 4 messages delivered"

if delivered "dual signed"; then
	n=$(grep -c '^DKIM-Signature:' "$tmp/got.eml" || true)
	[ "$n" -eq 2 ] && ok "submission mail carries 2 signatures" || bad "submission mail has $n signatures"
	cp "$tmp/got.eml" "$tmp/dual.eml"
	check 0 "dkimpy verifies both signatures after Postfix" "$interop/verify_dkimpy.py" --zone "$tmp/zone" "$tmp/dual.eml"
	check 0 "OpenDKIM verifies both signatures after Postfix" "$interop/verify_opendkim.sh" --zone "$tmp/zone" "$tmp/dual.eml"
	sed 's/this is: dual signed/this is: changed/' "$tmp/dual.eml" >"$tmp/dual-tampered.eml"
	check 1 "dkimpy fails the tampered copy" "$interop/verify_dkimpy.py" --zone "$tmp/zone" "$tmp/dual-tampered.eml"
else bad "dual signed message not delivered"; fi

if delivered "authenticated"; then
	grep -q '^DKIM-Signature:.*d=example.net' "$tmp/got.eml" && ok "authenticated mail signed by example.net" || bad "authenticated mail not signed"
	cp "$tmp/got.eml" "$tmp/auth.eml"
	check 0 "dkimpy verifies authenticated mail" "$interop/verify_dkimpy.py" --zone "$tmp/zone" "$tmp/auth.eml"
	check 0 "Mail::DKIM verifies authenticated mail" "$interop/verify_maildkim.pl" --zone "$tmp/zone" "$tmp/auth.eml"
else bad "authenticated message not delivered"; fi

if delivered "external client"; then
	grep -q '^DKIM-Signature:' "$tmp/got.eml" && bad "mail from an external client was signed" || ok "external client's mail not signed"
else bad "external message not delivered"; fi
grep -Eq ': role=verify client=127.0.0.1 .* spf=none .* dkim=none dmarc=none .* action=accept$' "$tmp/milter.log" && ok "external mail is verified, not signed, and logged" || bad "no log line for external mail"

if delivered "no key"; then
	grep -q '^DKIM-Signature:' "$tmp/got.eml" && bad "mail without a key was signed" || ok "mail from a domain without a key not signed"
else bad "no-key message not delivered"; fi
grep -q 'not signed: service ORIGINATING; no key for example.org' "$tmp/milter.log" && ok "log says no key for example.org" || bad "no log line for the missing key"
grep -Eq '^inkan-milter: [0-9A-F]+: role=sign client=127.0.0.1 .*from=example.com dkim=signed d=example.com s=ed a=ed25519-sha256 dkim=signed d=example.com s=rsa a=rsa-sha256 why="service ORIGINATING" action=accept$' "$tmp/milter.log" \
    && ok "log line names queue id, domain, selectors and why" || bad "no signing log line with queue id"

# SIGHUP: trust 127.0.0.1 from now on. An SMTP session opened before the
# reload sends its DATA after it: the connection must survive and the mail
# be signed (per message, the config at MAIL FROM time applies).
write_conf 127.0.0.1
message carol@example.net "across reload" >"$tmp/m5"
/usr/bin/python3 - "$PF_PORT" "$tmp/m5" "$milter_pid" "$tmp/milter.log" "$it_slow" <<'PY' || bad "SMTP session across SIGHUP failed"
import os, signal, smtplib, sys, time
port, msg, pid, log = int(sys.argv[1]), open(sys.argv[2], 'rb').read(), int(sys.argv[3]), sys.argv[4]
s = smtplib.SMTP('127.0.0.1', port)
s.ehlo('client.test.example')
s.mail('carol@example.net')          # the milter sees MAIL FROM on the old config
s.rcpt('bob@example.org')
os.kill(pid, signal.SIGHUP)
for _ in range(50 * int(sys.argv[5])):   # it_slow: 20 under valgrind
    if 'configuration reloaded' in open(log).read():
        break
    time.sleep(0.1)
s.rset()                             # a new message in the same session
s.sendmail('carol@example.net', ['bob@example.org'], msg)
s.quit()
PY
pf_wait_delivered 5 60 >/dev/null || bad "message across reload not delivered"
grep -q 'configuration reloaded' "$tmp/milter.log" && ok "SIGHUP reloaded the configuration" || bad "no reload log line"
kill -0 "$milter_pid" && ok "milter still running after SIGHUP" || bad "milter died on SIGHUP"
if delivered "across reload"; then
	grep -q '^DKIM-Signature:.*d=example.net' "$tmp/got.eml" && ok "session open across SIGHUP: mail signed under the new config" || bad "mail across reload not signed"
else bad "mail across reload not delivered"; fi

# A broken configuration is refused and the running one kept.
echo "no_such_setting = 1" >>"$tmp/inkan.conf"
kill -HUP "$milter_pid"
for _ in $(seq $((50 * it_slow))); do grep -q 'keeping the running configuration' "$tmp/milter.log" && break; sleep 0.1; done
grep -q "unknown setting 'no_such_setting'" "$tmp/milter.log" && ok "broken reload refused with file:line" || bad "broken reload not reported"
message carol@example.net "after bad reload" >"$tmp/m6"
pf_send carol@example.net bob@example.org "$tmp/m6" "$PF_PORT" || bad "refused m6"
pf_wait_delivered 6 60 >/dev/null || bad "message after bad reload not delivered"
if delivered "after bad reload"; then
	grep -q '^DKIM-Signature:' "$tmp/got.eml" && ok "old configuration still signs after a bad reload" || bad "not signed after bad reload"
else bad "message after bad reload not delivered"; fi

# A domain directory that cannot be read (here a dangling symlink; as the
# unprivileged user, a directory root made 0700 fails the same way, see
# ops_faults.py) refuses the reload: it must not load as "no keys".
write_conf 127.0.0.1
ln -s "$tmp/no-such-dir" "$tmp/keys/example.info"
reloads() { grep -c 'keeping the running configuration\|configuration reloaded' "$tmp/milter.log" || true; }
marks=$(reloads)
kill -HUP "$milter_pid"
for _ in $(seq $((50 * it_slow))); do [ "$(reloads)" -gt "$marks" ] && break; sleep 0.1; done
sleep 0.2	# the lines after the first
grep -q "keys/example.info: cannot read the domain directory: No such file or directory" "$tmp/milter.log" \
    && ok "unreadable domain directory: reload refused, the log names it and why" \
    || bad "unreadable domain directory: reload not refused with its reason"
message alice@example.com "after unreadable dir" >"$tmp/m7"
pf_send alice@example.com bob@example.org "$tmp/m7" "$PF_SUBMIT_PORT" || bad "refused m7"
pf_wait_delivered 7 60 >/dev/null || bad "message after the refused reload not delivered"
if delivered "after unreadable dir"; then
	n=$(grep -c '^DKIM-Signature:.*d=example.com' "$tmp/got.eml" || true)
	[ "$n" -eq 2 ] && ok "through Postfix: the running keys still sign after the refused reload" \
	    || bad "after the refused reload: $n example.com signatures"
else bad "message after the refused reload not delivered"; fi
rm -f "$tmp/keys/example.info"

# SIGTERM: a clean stop.
kill -TERM "$milter_pid"
for _ in $(seq $((100 * it_slow))); do kill -0 "$milter_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$milter_pid" 2>/dev/null; then bad "milter still running $((10 * it_slow)) s after SIGTERM"
else wait "$milter_pid" && ok "SIGTERM: clean exit" || bad "SIGTERM: exit status $?"; milter_pid=; fi
grep -q 'inkan-milter stopped' "$tmp/milter.log" && ok "stop logged" || bad "no stop log line"

it_finish
