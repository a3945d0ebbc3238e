#!/bin/sh
# SPDX-License-Identifier: ISC
#
# metrics_crowd.sh - the metrics socket with a crowd (metrics_scrape.py
# crowd): ten idle clients and one sending a byte a second hold
# connections while scrapes, one and then two at once, are answered at
# once, on an inet and on a unix metrics socket. No MTA: the milter is
# started alone; a scrape needs none.
#
# usage: metrics_crowd.sh INKAN-MILTER
set -eu
milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
scrape="/usr/bin/python3 $here/metrics_scrape.py"
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
for kind in inet unix; do
	if [ "$kind" = inet ]; then
		mport=$(free_port)
		spec=inet:$mport@127.0.0.1 addr=127.0.0.1:$mport
	else
		spec=unix:$tmp/metrics.sock addr=unix:$tmp/metrics.sock
	fi
	cat >"$tmp/inkan.conf" <<CONF
socket = unix:$tmp/milter.sock
metrics_socket = $spec
authserv_id = mx.test.example
dns_zone_file = $tmp/zone
log = stderr
CONF
	: >"$tmp/zone"
	"$milter" -f -c "$tmp/inkan.conf" 2>"$tmp/milter.log" &
	pid=$!
	i=0
	until grep -q "metrics served on" "$tmp/milter.log" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$tmp/milter.log"; echo "FAIL: $kind: milter did not start"; exit 1; }
		kill -0 "$pid" 2>/dev/null || { cat "$tmp/milter.log"; echo "FAIL: $kind: milter exited"; exit 1; }
		sleep 0.05
	done
	if $scrape crowd "$addr" >"$tmp/crowd"; then
		echo "ok: $kind: scrapes answered past a crowd"
	else
		echo "FAIL: $kind: scrapes held up by a crowd"
		fail=$((fail + 1))
	fi
	sed "s/^/    /" "$tmp/crowd"
	kill "$pid"
	rc=0
	wait "$pid" || rc=$?
	pid=
	if [ $rc -eq 0 ]; then
		echo "ok: $kind: clean exit on SIGTERM"
	else
		echo "FAIL: $kind: exit status $rc on SIGTERM (leak report?)"
		tail -20 "$tmp/milter.log"
		fail=$((fail + 1))
	fi
done
[ $fail -eq 0 ] && echo "4 passed, 0 failed" || echo "$((4 - fail)) passed, $fail failed"
[ $fail -eq 0 ]
