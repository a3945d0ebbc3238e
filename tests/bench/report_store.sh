#!/bin/sh
# SPDX-License-Identifier: ISC
#
# report_store.sh BUILD - what recording DMARC report rows costs
# inkan-milter per inbound message on each store (issue 19): the same load
# (milter_load, 4 connections, 20 messages each, a 2 KB message that passes
# SPF and has a DMARC record, so each message is one row) with
# dmarc_report_db on an SQLite file, then on a private PostgreSQL cluster
# this script starts (initdb and pg_ctl on a unix socket in its temporary
# directory, as nobody when run as root, as tests/integration/
# report_fleet.py does). Prints messages/s, p99 latency, the milter's CPU
# ms per message (utime + stime from /proc/PID/stat, milter_load's -p) and
# the rows in the store once the milter has stopped: every message must
# have its row (warm-up messages included), else the run says MISSING.
# DNS comes from a zone file (dns_zone_file): no resolver, no network.
# Run by hand; not a CTest test. Environment: N (messages, default 4000).
set -eu

build=$(cd "$1" && pwd)
n=${N:-4000}
warm=20
load=$build/tests/bench/milter_load
inkan=$build/milter/inkan-milter
pgbin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort | tail -n 1)")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/report_store.XXXXXX")
chmod 755 "$tmp"
pid=
pgup=0
as=
[ "$(id -u)" = 0 ] && as="runuser -u nobody --"
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	[ "$pgup" = 0 ] || $as "$pgbin/pg_ctl" -D "$tmp/pgdata" -w -m fast \
	    stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

printf '%s\n' 'example.org TXT "v=spf1 ip4:192.0.2.0/24 -all"' \
    '_dmarc.example.org TXT "v=DMARC1; p=none; rua=mailto:d@example.org"' \
    >"$tmp/zone"
"$load" -g 2048 -F carol@example.org >"$tmp/msg.eml"

# run NAME DB: start the milter on DB, drive it, stop it; one result line
run() {
	cat >"$tmp/inkan.conf" <<EOC
socket = unix:$tmp/milter.sock
authserv_id = mx.bench.example
dns_zone_file = $tmp/zone
log = stderr
log_level = warning
dmarc_report_db = $2
dmarc_report_spool = $tmp/spool.db
shutdown_timeout = 30
EOC
	rm -f "$tmp/milter.sock"
	"$inkan" -f -c "$tmp/inkan.conf" 2>"$tmp/milter-$1.log" &
	pid=$!
	for _ in $(seq 100); do [ -S "$tmp/milter.sock" ] && break; sleep 0.1; done
	[ -S "$tmp/milter.sock" ] || { cat "$tmp/milter-$1.log" >&2; exit 1; }
	"$load" -s "unix:$tmp/milter.sock" -f "$tmp/msg.eml" -c 4 -n "$n" \
	    -m 20 -w "$warm" -i 192.0.2.25 -H mx.example.org \
	    -F carol@example.org -p $pid -q 2>/dev/null |
	    grep '^RESULT' >"$tmp/result-$1"
	# SIGTERM: the writer stores what is queued before the milter exits
	kill $pid
	wait $pid 2>/dev/null || true
	pid=
}

result() {	# NAME ROWS
	sed -n 's/.*msgs=\([0-9]*\) ok=\([0-9]*\) failed=\([0-9]*\) mps=\([0-9.]*\) p50_ms=[0-9.]* p99_ms=\([0-9.]*\) cpu_ms=\([0-9.]*\).*/\1 \3 \4 \5 \6/p' \
	    "$tmp/result-$1" | {
		read -r msgs failed mps p99 cpu
		want=$((msgs + warm))
		ok=ok
		[ "$2" = "$want" ] || ok="MISSING $((want - $2))"
		printf '%-10s %8s %8s %10s %10s %9s  %s\n' "$1" "$mps" "$p99" \
		    "$cpu" "$2/$want" "$failed" "$ok"
	}
}

run sqlite "$tmp/r.db"
lite=$(sqlite3 "$tmp/r.db" 'SELECT count(*) FROM messages')

mkdir -m 700 "$tmp/pgdata"
mkdir "$tmp/pgsock"
: >"$tmp/pg.log"
[ -z "$as" ] || chown nobody "$tmp/pgdata" "$tmp/pgsock" "$tmp/pg.log"
(cd "$tmp" && $as "$pgbin/initdb" -D "$tmp/pgdata" -U inkan -A trust \
    -E UTF8 --locale=C --no-sync >/dev/null)
(cd "$tmp" && $as "$pgbin/pg_ctl" -D "$tmp/pgdata" -l "$tmp/pg.log" -w \
    -o "-c listen_addresses='' -c unix_socket_directories=$tmp/pgsock" \
    start >/dev/null)
pgup=1
run postgres "postgresql:///postgres?host=$tmp/pgsock&user=inkan"
pgrows=$("$pgbin/psql" -X -At -h "$tmp/pgsock" -U inkan -d postgres \
    -c 'SELECT count(*) FROM messages')

echo "inbound 2 KB, 4 connections x 20 messages, $n messages (+$warm warm-up):"
printf '%-10s %8s %8s %10s %10s %9s\n' store msgs/s "p99 ms" "CPU ms/msg" \
    rows failed
result sqlite "$lite"
result postgres "$pgrows"
