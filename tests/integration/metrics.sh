#!/bin/bash
# SPDX-License-Identifier: ISC
#
# metrics.sh - the per-message log line and the Prometheus metrics, end to
# end: a real Postfix on loopback with inkan-milter (metrics_socket set) as
# its milter, DNS from a zone file.
#   * one message signed on the submission service and three inbound ones
#     (SPF and DMARC pass; DMARC p=reject -> 550; an SPF DNS timeout) move
#     the counters scraped over HTTP by exactly what was sent;
#   * each message has one log line with its queue id (the one Postfix
#     logs), role, client, From domain, results, action and reply;
#   * odd HTTP clients get 404/405/400/431 and a silent one does not stop
#     a scrape, nor do ten idle clients and a slow one stop scrapes made
#     several at once; mail flows while a silent client holds the socket;
#   * metrics_socket = unix:PATH makes a 0660 socket that is scraped the
#     same way and removed at exit; without the setting the milter listens
#     on its milter socket alone.
#
# usage: metrics.sh INKAN-MILTER INKAN-KEYS

set -eu

milter=$1
keys=$2
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
scrape="/usr/bin/python3 $here/metrics_scrape.py"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init metrics
other_pid=
trap '[ -n "$other_pid" ] && kill "$other_pid" 2>/dev/null; it_cleanup' EXIT

"$keys" generate --domain example.com --selector rsa --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.com --selector ed --type ed25519 --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
cat >>"$tmp/zone" <<'ZONE'
example.org. TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc.example.org. TXT "v=DMARC1; p=none"
reject.example. TXT "v=spf1 -all"
_dmarc.reject.example. TXT "v=DMARC1; p=reject"
slow.example. TIMEOUT
ZONE
port=$(pf_free_port)
mport=$(pf_free_port)
cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
metrics_socket = inet:$mport@127.0.0.1
key_dir = $tmp/keys
internal_hosts = 192.0.2.1
sign_daemons = ORIGINATING
authserv_id = mx.test.example
dns_zone_file = $tmp/zone
log = stderr
CONF
it_milter_start "$milter" "$tmp/inkan.conf"
grep -q "metrics served on inet:$mport@127.0.0.1" "$tmp/milter.log" && ok "start-up log names the metrics socket" || bad "no metrics line in the start-up log"
$scrape listening "$milter_pid" >"$tmp/listen" || true
[ "$(sort "$tmp/listen" | tr '\n' ' ')" = "$(printf 'tcp port %s\n' "$port" "$mport" | sort | tr '\n' ' ')" ] && ok "listening on the milter and metrics ports" || { bad "listening sockets: $(tr '\n' ' ' <"$tmp/listen")"; }

PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"
$scrape scrape "127.0.0.1:$mport" "$tmp/before" && ok "scrape before any mail" || bad "first scrape failed"

message() {	# message FROM SUBJECT > file
	printf '%s\r\n' "From: <$1>" "To: <bob@example.net>" "Subject: $2" \
	    "Date: Wed, 25 Nov 2026 10:00:00 +0000" "Message-ID: <$2@test>" "" "hello"
}
send() {	# send FROM SUBJECT PORT [SWAKS_ARGS...]: swaks' exit status
	local from=$1 subject=$2 p=$3 rc=0
	shift 3
	message "$from" "$subject" >"$tmp/$subject.eml"
	pf_send "$from" bob@example.net "$tmp/$subject.eml" "$p" "$@" 2>/dev/null || rc=$?
	cp "$PF_SWAKS_LOG" "$tmp/$subject.swaks"
	return $rc
}

send alice@example.com outbound "$PF_SUBMIT_PORT" && ok "outbound message accepted" || bad "outbound message refused"
send bob@example.org inbound-pass "$PF_PORT" --xclient-addr 192.0.2.10 --helo mail.example.org && ok "inbound pass accepted" || bad "inbound pass refused"
if send carol@reject.example inbound-reject "$PF_PORT" --xclient-addr 198.51.100.1 --helo mx.reject.example; then bad "DMARC p=reject fail accepted"
else grep -q '550 5.7.1 ' "$tmp/inbound-reject.swaks" && ok "DMARC p=reject fail refused with 550 5.7.1" || bad "no 550 5.7.1 for the DMARC fail"; fi
send dave@slow.example inbound-slow "$PF_PORT" --xclient-addr 198.51.100.2 --helo client.example.net && ok "SPF timeout: accepted" || bad "SPF timeout: refused"
pf_wait_delivered 3 60 >/dev/null || bad "not all 3 accepted messages delivered"

$scrape scrape "127.0.0.1:$mport" "$tmp/after" && ok "scrape after the mail" || bad "second scrape failed"
echo "--- counters (exact deltas for 1 outbound and 3 inbound messages)"
$scrape delta "$tmp/before" "$tmp/after" \
    "inkan_messages_total{role='sign'}=1" \
    "inkan_messages_total{role='verify'}=3" \
    "inkan_messages_unsigned_total=0" \
    "inkan_signatures_total{algorithm='rsa-sha256'}=1" \
    "inkan_signatures_total{algorithm='ed25519-sha256'}=1" \
    "inkan_signatures_total{algorithm='other'}=0" \
    "inkan_dkim_results_total{result='none'}=3" \
    "inkan_dkim_results_total{result='pass'}=0" \
    "inkan_spf_results_total{result='pass'}=1" \
    "inkan_spf_results_total{result='fail'}=1" \
    "inkan_spf_results_total{result='temperror'}=1" \
    "inkan_spf_results_total{result='none'}=0" \
    "inkan_dmarc_results_total{result='pass'}=1" \
    "inkan_dmarc_results_total{result='fail'}=1" \
    "inkan_dmarc_results_total{result='none'}=1" \
    "inkan_actions_total{action='accept'}=3" \
    "inkan_actions_total{action='reject'}=1" \
    "inkan_actions_total{action='tempfail'}=0" \
    "inkan_actions_total{action='quarantine'}=0" \
    "inkan_eom_duration_seconds_count=4" \
    "inkan_eom_duration_seconds_bucket{le='+Inf'}=4" \
    "inkan_dns_errors_total{kind='timeout'}=1" \
    "inkan_dns_errors_total{kind='servfail'}=0" \
    "inkan_dns_errors_total{kind='error'}=0" \
    "inkan_dns_queries_total>=6" \
    "inkan_dns_latency_seconds_count>=6" \
    "inkan_config_reloads_total{result='ok'}=0" \
    >"$tmp/delta" && ok "every counter moved by what was sent" || bad "counters did not move as expected"
cat "$tmp/delta"
# zone answers take no time: every DNS answer sits in the lowest bucket,
# and a histogram's +Inf bucket is its count
/usr/bin/python3 - "$tmp/after" <<'PY' && ok "DNS latency histogram consistent" || bad "DNS latency histogram inconsistent"
import sys
s = {}
for line in open(sys.argv[1]):
    if not line.startswith("#"):
        k, _, v = line.strip().rpartition(" ")
        s[k] = float(v)
n = s["inkan_dns_latency_seconds_count"]
assert n == s['inkan_dns_latency_seconds_bucket{le="+Inf"}'] == s['inkan_dns_latency_seconds_bucket{le="0.0005"}'], s
assert n <= s["inkan_dns_queries_total"], s
PY

echo "--- the log lines"
sed -n 's/^inkan-milter: //p' "$tmp/milter.log" | grep ' role=' >"$tmp/lines" || true
cat "$tmp/lines"
[ "$(wc -l <"$tmp/lines")" -eq 4 ] && ok "one log line per message" || bad "$(wc -l <"$tmp/lines") log lines for 4 messages"
qid=$(sed -n 's/^\([0-9A-F]*\): role=sign .*/\1/p' "$tmp/lines")
if [ -n "$qid" ] && pf_log | grep -q "]: $qid: "; then ok "sign line starts with Postfix's queue id $qid"
else bad "sign line has no queue id Postfix knows ($qid)"; fi
grep -Eq '^[0-9A-F]+: role=sign client=127\.0\.0\.1 helo=[^ ]+ from=example\.com dkim=signed d=example\.com s=(rsa|ed) a=[a-z0-9-]+ dkim=signed d=example\.com s=(rsa|ed) a=[a-z0-9-]+ why="service ORIGINATING" action=accept$' "$tmp/lines" \
    && ok "sign line: role, client, From domain, d=/s=/a= per signature, action" || bad "sign line fields"
grep -Eq '^[0-9A-F]+: role=verify client=192\.0\.2\.10 helo=mail\.example\.org from=example\.org spf=pass smtp\.mailfrom=bob@example\.org spf_reason="[^"]+" spf_helo=none dkim=none dmarc=pass header\.from=example\.org p=none dis=none dmarc_reason="[^"]*" action=accept$' "$tmp/lines" \
    && ok "verify line: spf, dkim, dmarc with reasons, action" || bad "verify (pass) line fields"
grep -Eq '^[0-9A-F]+: role=verify client=198\.51\.100\.1 helo=mx\.reject\.example from=reject\.example spf=fail .* dkim=none dmarc=fail header\.from=reject\.example p=reject dis=reject dmarc_reason="[^"]*" action=reject reply="550 5\.7\.1 Rejected by the DMARC policy of reject\.example \([^"]*\)"$' "$tmp/lines" \
    && ok "reject line: action and the reply sent" || bad "verify (reject) line fields"
grep -Eq '^[0-9A-F]+: role=verify client=198\.51\.100\.2 .* from=slow\.example spf=temperror smtp\.mailfrom=dave@slow\.example .* action=accept$' "$tmp/lines" \
    && ok "temperror line" || bad "verify (SPF timeout) line fields"

echo "--- odd clients"
$scrape probe "127.0.0.1:$mport" >"$tmp/probe" && ok "odd HTTP clients answered, silent one harmless" || bad "odd HTTP clients"
cat "$tmp/probe"
$scrape crowd "127.0.0.1:$mport" >"$tmp/crowd" && ok "scrapes answered past ten idle clients and a slow one" || bad "scrapes held up by idle clients"
cat "$tmp/crowd"
# mail is not held up by a client that holds the metrics socket
/usr/bin/python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(30)' "$mport" &
idle=$!
send alice@example.com while-idle "$PF_SUBMIT_PORT" && ok "mail accepted while a silent client holds the metrics socket" || bad "mail refused while the metrics socket is held"
kill "$idle" 2>/dev/null; wait "$idle" 2>/dev/null || true

# SIGHUP: counted; metrics_socket itself changes only at restart (logged)
sed -i "s/^metrics_socket = .*/metrics_socket = inet:$(pf_free_port)@127.0.0.1/" "$tmp/inkan.conf"
kill -HUP "$milter_pid"
for _ in $(seq $((50 * it_slow))); do grep -q 'configuration reloaded' "$tmp/milter.log" && break; sleep 0.1; done
grep -q 'reload: metrics_socket changed; takes effect only at restart' "$tmp/milter.log" && ok "reload says metrics_socket waits for a restart" || bad "no restart notice for metrics_socket"
$scrape scrape "127.0.0.1:$mport" "$tmp/reloaded" && ok "old metrics socket still serves after the reload" || bad "metrics socket gone after reload"
$scrape delta "$tmp/after" "$tmp/reloaded" "inkan_config_reloads_total{result='ok'}=1" >/dev/null && ok "reload counted" || bad "reload not counted"

# SIGTERM: the metrics thread stops with the rest (under the sanitizers a
# leak or a stray thread would make the exit status non-zero).
kill -TERM "$milter_pid"
for _ in $(seq $((100 * it_slow))); do kill -0 "$milter_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$milter_pid" 2>/dev/null; then bad "milter still running $((10 * it_slow)) s after SIGTERM"
else wait "$milter_pid" && ok "SIGTERM: clean exit" || { bad "SIGTERM: exit status $?"; cat "$tmp/milter.log"; }; milter_pid=; fi

# A unix metrics socket, and a milter without one: no Postfix needed.
start_other() {	# start_other CONF LOG: the milter up and listening, other_pid set
	"$milter" -f -c "$1" 2>"$2" &
	other_pid=$!
	for _ in $(seq $((50 * it_slow))); do grep -q listening "$2" && break; sleep 0.1; done
	grep -q listening "$2" || { cat "$2"; bad "second milter did not start"; }
}
stop_other() {	# stop_other LOG
	kill -TERM "$other_pid" 2>/dev/null || true
	wait "$other_pid" && ok "second milter: clean exit" || { bad "second milter: exit status $?"; cat "$2"; }
	other_pid=
}
port2=$(pf_free_port)
printf 'socket = inet:%s@127.0.0.1\nmetrics_socket = unix:%s/m.sock\ndns_zone_file = %s/zone\nlog = stderr\n' \
    "$port2" "$tmp" "$tmp" >"$tmp/unix.conf"
start_other "$tmp/unix.conf" "$tmp/unix.log"
[ "$(stat -c %a "$tmp/m.sock" 2>/dev/null)" = 660 ] && ok "unix metrics socket has mode 0660" || bad "unix metrics socket mode $(stat -c %a "$tmp/m.sock" 2>&1)"
$scrape scrape "unix:$tmp/m.sock" "$tmp/unix.txt" && grep -q '^inkan_messages_total{role="verify"} 0$' "$tmp/unix.txt" \
    && ok "scrape over the unix socket" || bad "no scrape over the unix socket"
stop_other "$tmp/unix.log"
[ -e "$tmp/m.sock" ] && bad "unix metrics socket left behind" || ok "unix metrics socket removed at exit"

printf 'socket = inet:%s@127.0.0.1\ndns_zone_file = %s/zone\nlog = stderr\n' "$port2" "$tmp" >"$tmp/none.conf"
start_other "$tmp/none.conf" "$tmp/none.log"
$scrape listening "$other_pid" >"$tmp/listen2" || true
[ "$(cat "$tmp/listen2")" = "tcp port $port2" ] && ok "without metrics_socket only the milter socket listens" || bad "without metrics_socket, listening: $(tr '\n' ' ' <"$tmp/listen2")"
grep -q 'metrics served' "$tmp/none.log" && bad "metrics logged without metrics_socket" || ok "no metrics line without metrics_socket"
stop_other "$tmp/none.log"

# DNS from a zone file is a test setting: the daemon says so when it starts,
# and -n says so too, so one left in production is seen.
grep -qF "answering DNS from zone file $tmp/zone, not the network: a test setting (dns_zone_file)" "$tmp/none.log" \
    && ok "the start log says DNS comes from the zone file" || { bad "no zone file warning at start"; cat "$tmp/none.log"; }
check 0 "-n accepts a configuration with dns_zone_file" "$milter" -n -c "$tmp/none.conf"
grep -qF "$tmp/none.conf: warning: answering DNS from zone file $tmp/zone, not the network: a test setting" "$tmp/out" \
    && ok "-n says DNS comes from the zone file" || { bad "-n output lacks the zone file warning"; cat "$tmp/out"; }
printf 'socket = inet:%s@127.0.0.1\nlog = stderr\n' "$port2" >"$tmp/net.conf"
check 0 "-n accepts a configuration without dns_zone_file" "$milter" -n -c "$tmp/net.conf"
grep -q 'zone file' "$tmp/out" && { bad "-n warns of a zone file that is not set"; cat "$tmp/out"; } || ok "-n without dns_zone_file: no zone file warning"

# A metrics_socket that does not parse is a configuration problem (-n).
printf 'metrics_socket = inet:9894@metrics.example.com\n' >"$tmp/bad.conf"
check 1 "a metrics_socket that is not ADDRESS:PORT is refused by -n" "$milter" -n -c "$tmp/bad.conf"
grep -q 'metrics_socket: .*not an IPv4 address' "$tmp/out" && ok "-n names the metrics_socket problem" || { bad "-n output"; cat "$tmp/out"; }

it_finish
