#!/bin/bash
# SPDX-License-Identifier: ISC
#
# soak.sh - load and soak test of inkan-milter behind a real Postfix, run by
# hand (not a CTest test: it takes minutes and wants the machine to itself).
#
# A private Postfix on loopback (tests/integration/postfix_harness.sh) with
# inkan-milter as its milter relays everything to smtp-sink, which dumps
# each transaction to a file. Postfix's smtp-source drives CLIENTS
# concurrent SMTP sessions sending MESSAGES messages in four equal streams:
#   out-dual  submission service (ORIGINATING): From example.com, which has
#             an RSA and an Ed25519 key, so two signatures; one connection
#             per session carrying many messages (smtp-source -d)
#   out-rsa   submission service: From example.net, one RSA signature; a new
#             connection per message
#   in-pass   port 25, not internal: signed by dkimpy for sender.example,
#             SPF pass, DMARC p=reject aligned: dkim=pass spf=pass dmarc=pass;
#             a new connection per message
#   in-fail   port 25: a signed message whose body was changed afterwards,
#             from other.example (SPF ?all, DMARC p=none): dkim=fail
#             dmarc=fail, delivered; many messages per connection
# DNS answers come from a zone file (dns_zone_file); DMARC results go to a
# report database (dmarc_report_db). Each smtp-source numbers its
# recipients (-N), so every message has its own envelope recipient and the
# check can tell exactly which message went missing.
#
# Every INTERVAL seconds a table row shows what reached the sink, the
# Postfix queue, and the milter's RSS, open descriptors and threads. The
# run ends when the sources are done and the queue is empty; then
# soak_report.py counts and checks, and the milter is stopped with SIGTERM.
#
# usage: soak.sh [-n MESSAGES] [-c CLIENTS] [-i INTERVAL] BUILD_DIR
#   defaults: 100000 messages, 64 clients (a multiple of 4), 10 s.
#   SOAK_KEEP=1 keeps the work directory (sink, maillog, milter log).
# Exit 0 only if nothing was lost or refused, the milter never restarted
# and stopped cleanly, its RSS stayed within 10% of the warm-up figure,
# its descriptors and threads went back to where they started, and the
# delivered messages carry what they should. Needs root, postfix,
# python3-dkim, sqlite3; builds nothing (give it a build directory).

set -eu

messages=100000
clients=64
interval=10
while getopts n:c:i: opt; do
	case $opt in
	n) messages=$OPTARG ;;
	c) clients=$OPTARG ;;
	i) interval=$OPTARG ;;
	*) echo "usage: soak.sh [-n MESSAGES] [-c CLIENTS] [-i INTERVAL] BUILD_DIR" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: soak.sh [-n MESSAGES] [-c CLIENTS] [-i INTERVAL] BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
milter=$build/milter/inkan-milter
keys=$build/keys-tool/inkan-keys
for x in "$milter" "$keys"; do
	[ -x "$x" ] || { echo "soak: $x not found; build first" >&2; exit 2; }
done
for x in smtp-source smtp-sink postfix sqlite3; do
	command -v "$x" >/dev/null || { echo "soak: $x is not installed" >&2; exit 2; }
done
if [ $((clients % 4)) -ne 0 ] || [ "$clients" -lt 4 ] || [ "$messages" -lt 4 ]; then
	echo "soak: CLIENTS must be a multiple of 4, MESSAGES at least 4" >&2
	exit 2
fi

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
unset INKAN_VALGRIND	# RSS under valgrind would say nothing about inkan
# shellcheck source=../integration/inkan_harness.sh
. "$here/../integration/inkan_harness.sh"
it_init soak
soak_cleanup() {
	local p
	for p in ${source_pids:-}; do kill "$p" 2>/dev/null || true; done
	if [ -n "${SOAK_KEEP:-}" ]; then
		[ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null
		PF_KEEP=1 pf_stop
		echo "soak: SOAK_KEEP set: work directory $tmp kept" >&2
	else
		it_cleanup
	fi
}
trap soak_cleanup EXIT

# Keys: outbound ones in key_dir; inbound senders' keys only for dkimpy.
"$keys" generate --domain example.com --selector rsa --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.com --selector ed --type ed25519 --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.net --selector s1 --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain sender.example --selector s1 --dir "$tmp/inkeys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain other.example --selector s1 --dir "$tmp/inkeys" >>"$tmp/zone" 2>/dev/null
cat >>"$tmp/zone" <<'ZONE'
sender.example. IN TXT "v=spf1 ip4:127.0.0.1 -all"
_dmarc.sender.example. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example"
other.example. IN TXT "v=spf1 ?all"
_dmarc.other.example. IN TXT "v=DMARC1; p=none"
client.test.example. IN A 127.0.0.1
client.test.example. IN TXT "v=spf1 a -all"
ZONE

# The four messages. smtp-source -F sends a file line by line with CRLF
# after each line, so the files have LF line ends; dkimpy signs the CRLF
# form, which is what goes on the wire.
/usr/bin/python3 - "$tmp" <<'PY'
import subprocess, sys, dkim
tmp = sys.argv[1]
body = "".join("Line %03d of a message long enough for the body hash to matter; "
               "the quick brown fox jumps over the lazy dog.\r\n" % i for i in range(40))
def msg(frm, subject):
    return ("From: Sender <%s>\r\nTo: Bob <bob@example.org>\r\nSubject: %s\r\n"
            "Date: Wed, 25 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@soak.test>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n%s"
            % (frm, subject, subject, body)).encode()
def key(domain):
    return subprocess.run(["openssl", "pkey", "-in", "%s/inkeys/%s/s1.private" % (tmp, domain),
                           "-traditional"], check=True, capture_output=True).stdout
def signed(m, domain):
    return dkim.sign(m, b"s1", domain.encode(), key(domain),
                     canonicalize=(b"relaxed", b"relaxed"),
                     include_headers=[b"from", b"to", b"subject", b"date", b"message-id"]) + m
def write(name, m):
    open("%s/%s.eml" % (tmp, name), "wb").write(m.replace(b"\r\n", b"\n"))
write("out-dual", msg("alice@example.com", "out-dual"))
write("out-rsa", msg("carol@example.net", "out-rsa"))
write("in-pass", signed(msg("news@sender.example", "in-pass"), "sender.example"))
write("in-fail", signed(msg("info@other.example", "in-fail"), "other.example")
      .replace(b"Line 007", b"Line 7!!"))
PY

port=$(pf_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
key_dir = $tmp/keys
internal_hosts = 192.0.2.1
sign_daemons = ORIGINATING
authserv_id = mx.test.example
dns_zone_file = $tmp/zone
dmarc_report_db = $tmp/dmarc.db
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port" ||
    { echo "soak: Postfix did not start" >&2; exit 1; }

# sample PHASE: one row of the table, also kept in $tmp/samples.
sample() {
	local now rss fds thr sink queue acc
	now=$(($(date +%s) - t0))
	if [ -r "/proc/$milter_pid/status" ]; then
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$milter_pid/status")
		thr=$(awk '/^Threads:/ { print $2 }' "/proc/$milter_pid/status")
		fds=$(find "/proc/$milter_pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	else
		rss=0 thr=0 fds=0
	fi
	sink=$(find "$PF_SINK_DIR" -type f | wc -l)
	queue=$(find "$PF_DIR/queue/maildrop" "$PF_DIR/queue/incoming" \
	    "$PF_DIR/queue/active" "$PF_DIR/queue/deferred" -type f 2>/dev/null | wc -l)
	acc=$(grep -c ' (queue active)$' "$PF_DIR/maillog" || true)
	printf '%6s %-7s %9s %9s %7s %9s %5s %7s\n' "$now" "$1" "$acc" "$sink" "$queue" "$rss" "$fds" "$thr"
	printf '%s %s %s %s %s %s %s %s\n' "$now" "$1" "$acc" "$sink" "$queue" "$rss" "$fds" "$thr" >>"$tmp/samples"
}

# Streams: name, port, envelope sender, -d or not. Sessions and messages
# are split evenly; the first streams take the remainder.
streams="out-dual:$PF_SUBMIT_PORT:alice@example.com:-d
out-rsa:$PF_SUBMIT_PORT:carol@example.net:
in-pass:$PF_PORT:news@sender.example:
in-fail:$PF_PORT:info@other.example:-d"
: >"$tmp/streams"
t0=$(date +%s)
echo "soak: $messages messages, $clients clients, milter pid $milter_pid, samples every ${interval}s"
printf '%6s %-7s %9s %9s %7s %9s %5s %7s\n' time phase queued at-sink queue rss-kB fds threads
sample idle
i=0
source_pids=
while IFS=: read -r name sport from keep; do
	count=$((messages / 4 + (i < messages % 4 ? 1 : 0)))
	printf '%s %s\n' "$name" "$count" >>"$tmp/streams"
	# -A: go on after a refusal (soak_report.py counts refusals from the
	# maillog); -N: recipient N<name>@example.org for the Nth message.
	# shellcheck disable=SC2086	# $keep is empty or -d
	smtp-source -A -N $keep -s $((clients / 4)) -m "$count" -M client.test.example \
	    -f "$from" -t "$name@example.org" -F "$tmp/$name.eml" "127.0.0.1:$sport" \
	    >"$tmp/source.$name.log" 2>&1 &
	source_pids="$source_pids $!"
	i=$((i + 1))
done <<<"$streams"

# Run until the sources are done and Postfix's queue is empty (or stays
# non-empty for 10 minutes after the sources finished).
crashed=0
drain_start=
while :; do
	sleep "$interval"
	running=0
	for p in $source_pids; do kill -0 "$p" 2>/dev/null && running=1; done
	if ! _pf_alive "$milter_pid"; then	# a crashed child is a zombie
		sample gone
		crashed=1
		echo "soak: the milter (pid $milter_pid) is gone" >&2
		break
	fi
	if [ "$running" = 1 ]; then sample load; continue; fi
	sample drain
	[ -n "$drain_start" ] || drain_start=$(date +%s)
	if postqueue -c "$PF_CONF" -p 2>/dev/null | grep -q 'Mail queue is empty'; then break; fi
	if [ $(($(date +%s) - drain_start)) -ge 600 ]; then
		echo "soak: queue not empty 600 s after the last message was sent" >&2
		break
	fi
	postqueue -c "$PF_CONF" -f >/dev/null 2>&1 || true
done
t_end=$(($(date +%s) - t0))
for p in $source_pids; do wait "$p" || echo "soak: an smtp-source exited with status $?" >&2; done
source_pids=
# Idle again: every SMTP session is over, so the milter's connections too.
if [ "$crashed" = 0 ]; then
	sleep "$interval"
	sample idle
fi
postqueue -c "$PF_CONF" -p >"$tmp/queue.end" 2>&1 || true

# SIGTERM: a clean stop within shutdown_timeout (30 s) plus slack.
stop_status=none
if [ "$crashed" = 0 ]; then
	kill -TERM "$milter_pid"
	for _ in $(seq 400); do kill -0 "$milter_pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$milter_pid" 2>/dev/null; then
		stop_status=hung
	else
		stop_status=0
		wait "$milter_pid" || stop_status=$?
		milter_pid=
	fi
fi
grep -q 'inkan-milter stopped' "$tmp/milter.log" || [ "$stop_status" != 0 ] || stop_status="no stop log line"

/usr/bin/python3 "$here/soak_report.py" --dir "$tmp" --sink "$PF_SINK_DIR" \
    --maillog "$PF_DIR/maillog" --duration "$t_end" --crashed "$crashed" \
    --stop-status "$stop_status" --interop "$here/../interop"
