#!/bin/bash
# SPDX-License-Identifier: ISC
#
# postfix_peer.sh - peer_hosts (issue 15; OpenDKIM's PeerList, OpenDMARC's
# IgnoreHosts) through a real Postfix, clients posed with XCLIENT, DNS
# from a zone file (tests/data/dmarc-e2e: example.com is p=reject, SPF
# passes only 192.0.2.10):
#   * mail from a peer that would be refused by DMARC is delivered exactly
#     as sent: no Authentication-Results added, a forged one claiming our
#     authserv-id left in place, no DKIM-Signature; the log says the client
#     passes unchecked;
#   * the same message from a client that is not a peer is refused (550
#     5.7.1);
#   * a client in both internal_hosts and peer_hosts is not signed, while
#     an internal host that is no peer is;
#   * peer_hosts set by SIGHUP applies to the next connection.
#
# usage: postfix_peer.sh INKAN-MILTER

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/dmarc-e2e"
# shellcheck source=inkan_harness.sh
. "$here/inkan_harness.sh"
it_init postfix_peer

mkdir -p "$tmp/keys/example.com"
cp "$here/../data/keys/example.com/rsa.private" "$tmp/keys/example.com/"
chmod 600 "$tmp/keys/example.com/rsa.private"
port=$(pf_free_port)
conf() {	# conf PEERS
	cat >"$tmp/inkan.conf" <<CONF
socket = inet:$port@127.0.0.1
authserv_id = mx.test.example
dns_zone_file = $data/zone
key_dir = $tmp/keys
internal_hosts = 192.0.2.1, 192.0.2.2
peer_hosts = $1
log = stderr
CONF
}
conf "198.51.100.64/28, 192.0.2.2"
it_milter_start "$milter" "$tmp/inkan.conf"
PF_MAIN_CF_EXTRA="milter_default_action = tempfail" pf_start "inet:127.0.0.1:$port"

FORGED='Authentication-Results: mx.test.example; dkim=pass header.d=paypal.com'
message() {	# message SUBJECT: example.com mail with a forged A-R on top
	{ printf '%s\r\n' "$FORGED"
	  sed "s/FROMDOMAIN/example.com/; s/^Subject: DMARC test/Subject: $1/" "$data/message.eml"; } >"$tmp/$1.eml"
}
send() {	# send SUBJECT CLIENT-IP: swaks' status; transcript kept
	rc=0
	pf_send alice@example.com bob@example.org "$tmp/$1.eml" "$PF_PORT" --xclient-addr "$2" \
	    --helo mail.other.example 2>/dev/null || rc=$?
	cp "$PF_SWAKS_LOG" "$tmp/$1.swaks"
	return $rc
}
delivered() {	# delivered SUBJECT: the delivered message in $tmp/got.eml
	local f
	for f in $(pf_sink_files); do
		if grep -q "^Subject: $1\$" "$f"; then pf_message "$f" >"$tmp/got.eml"; return 0; fi
	done
	return 1
}
# untouched SUBJECT: the delivered header block is the one sent, below
# Postfix's Received
untouched() {
	/usr/bin/python3 - "$tmp/$1.eml" "$tmp/got.eml" <<'PY'
import sys
def head(path, skip):
    data = open(path, "rb").read().replace(b"\r\n", b"\n")
    h, body = data.split(b"\n\n", 1)
    lines = h.split(b"\n")
    if skip:
        if not lines[0].startswith(b"Received: "):
            sys.exit("first field is not Postfix's Received: %r" % lines[0])
        lines = lines[1:]
        while lines and lines[0][:1] in (b" ", b"\t"):
            lines = lines[1:]
    return lines, body.rstrip(b"\n")
sent, sb = head(sys.argv[1], False)
got, gb = head(sys.argv[2], True)
if got != sent:
    sys.exit("header differs: got %r, sent %r" % (got, sent))
if gb != sb:
    sys.exit("body differs")
PY
}

n=0
message peer
send peer 198.51.100.77 && ok "peer: p=reject mail that fails DMARC accepted" || bad "peer: refused ($(tail -3 "$tmp/peer.swaks"))"
n=$((n + 1))
pf_wait_delivered $n 60 >/dev/null || bad "peer: not delivered"
if delivered peer; then
	if untouched peer >"$tmp/diff" 2>&1; then ok "peer: delivered as sent (nothing added, nothing removed)"
	else bad "peer: $(cat "$tmp/diff")"; fi
	grep -q "^$FORGED" "$tmp/got.eml" && ok "peer: the forged Authentication-Results is left in place" ||
	    bad "peer: forged field removed"
	[ "$(grep -c '^Authentication-Results:' "$tmp/got.eml")" -eq 1 ] && ok "peer: no Authentication-Results added" ||
	    bad "peer: $(grep -c '^Authentication-Results:' "$tmp/got.eml") Authentication-Results fields"
else bad "peer: message not found"; fi
grep -q 'client 198.51.100.77 is in peer_hosts: its mail passes unchecked (not signed, not verified)' "$tmp/milter.log" &&
    ok "peer: the log says the client passes unchecked" || bad "peer: no log line"
grep -q 'role=verify client=198.51.100.77' "$tmp/milter.log" && bad "peer: a message line was logged (it was checked)" ||
    ok "peer: no message was checked"

message stranger
if send stranger 198.51.100.9; then bad "not a peer: accepted"
else grep -q '550 5.7.1 Rejected by the DMARC policy of example.com' "$tmp/stranger.swaks" &&
    ok "not a peer: checked, 550 5.7.1" || { bad "not a peer: no 550 5.7.1"; tail -5 "$tmp/stranger.swaks"; }; fi

# internal_hosts and peer_hosts: the peer is not signed; an internal host
# that is no peer is
message internalpeer
send internalpeer 192.0.2.2 && ok "internal peer: accepted" || bad "internal peer: refused"
message internal
send internal 192.0.2.1 && ok "internal host: accepted" || bad "internal host: refused"
n=$((n + 2))
pf_wait_delivered $n 60 >/dev/null || bad "internal mail not delivered"
if delivered internalpeer; then
	grep -q '^DKIM-Signature:' "$tmp/got.eml" && bad "internal peer: signed" || ok "internal peer: not signed"
	if untouched internalpeer >"$tmp/diff" 2>&1; then ok "internal peer: delivered as sent"
	else bad "internal peer: $(cat "$tmp/diff")"; fi
else bad "internal peer: message not found"; fi
if delivered internal; then
	grep -q '^DKIM-Signature:.*d=example.com' "$tmp/got.eml" && ok "internal host, no peer: signed" ||
	    bad "internal host, no peer: not signed"
else bad "internal: message not found"; fi

# reloadable: a peer added by SIGHUP applies to the next connection
message before
if send before 203.0.113.5; then bad "before the reload: accepted"
else ok "before the reload: 203.0.113.5 is checked (refused)"; fi
conf "198.51.100.64/28, 203.0.113.5"
kill -HUP "$milter_pid"
for _ in $(seq 50); do grep -q 'configuration reloaded' "$tmp/milter.log" && break; sleep 0.1; done
message after
send after 203.0.113.5 && ok "after the reload: 203.0.113.5 passes unchecked" || bad "after the reload: refused"
n=$((n + 1))
pf_wait_delivered $n 60 >/dev/null || bad "after the reload: not delivered"
if delivered after; then
	if untouched after >"$tmp/diff" 2>&1; then ok "after the reload: delivered as sent"
	else bad "after the reload: $(cat "$tmp/diff")"; fi
else bad "after the reload: message not found"; fi

it_finish
