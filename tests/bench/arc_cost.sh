#!/bin/sh
# SPDX-License-Identifier: ISC
#
# arc_cost.sh BUILD [OTHER-INKAN-MILTER] - what ARC verification costs
# inkan-milter per inbound message (issue 17), with milter_load and DNS from
# tests/data/arc/zone (no resolver needed, no root): the 2 KB message of
# tests/evaluate/arc_cases.py from fwd.example (198.51.100.9) without ARC,
# and the same message after two ARC hops (fwd.example, list.example;
# dkimpy's arc_sign at a fixed time, RSA-2048). Prints CPU ms per message
# (milter_load's figure: the milter's utime + stime), median of RUNS
# (default 3). With OTHER-INKAN-MILTER (a build of the commit before ARC)
# the message without ARC is measured on it too, to compare.
# Environment: RUNS, N (messages per run, default 4000).
set -eu

build=$1
other=${2:-}
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
root="$here/.."
runs=${RUNS:-3}
n=${N:-4000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/arc_cost.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
key="$root/data/keys/example.com/rsa.private"
rec="v=DKIM1; k=rsa; p=$(openssl pkey -in "$key" -pubout -outform DER | base64 -w0)"
for d in fwd.example list.example; do echo "arc._domainkey.$d $rec"; done >"$tmp/keys"

printf '%s\r\n' "From: Alice <alice@example.com>" "To: bob@example.org" \
    "Subject: ARC bench" "Date: Tue, 14 Nov 2023 22:13:20 +0000" \
    "Message-ID: <arc-bench@example.com>" "MIME-Version: 1.0" \
    "Content-Type: text/plain" "" >"$tmp/plain.eml"
i=0
while [ $i -lt 30 ]; do
	printf '%s\r\n' "Line $i of a plain text message of about two kilobytes, as a person writes it." >>"$tmp/plain.eml"
	i=$((i + 1))
done
hop() {	# hop IN OUT DOMAIN
	"$root/interop/arc_dkimpy.py" seal --now 1795000000 --keys "$tmp/keys" \
	    --key "$key" --domain "$3" --selector arc --srv-id "mx.$3" \
	    --results "spf=pass smtp.mailfrom=alice@example.com" "$1" |
	    sed 's/\r$//; s/$/\r/' >"$2"
}
hop "$tmp/plain.eml" "$tmp/one.eml" fwd.example
hop "$tmp/one.eml" "$tmp/two.eml" list.example

# measure MILTER MSGFILE: the median CPU ms per message over $runs runs
measure() {
	port=$((20000 + $$ % 10000))
	printf 'socket = inet:%s@127.0.0.1\nauthserv_id = mx.bench.example\ndns_zone_file = %s\nlog = stderr\nlog_level = warning\ndmarc_enforce = no\n' \
	    "$port" "$root/data/arc/zone" >"$tmp/inkan.conf"
	"$1" -f -c "$tmp/inkan.conf" 2>"$tmp/milter.log" &
	pid=$!
	for _ in $(seq 50); do grep -q listening "$tmp/milter.log" 2>/dev/null && break; sleep 0.1; done
	sleep 0.5
	r=0
	: >"$tmp/cpu"
	while [ $r -lt "$runs" ]; do
		"$build/tests/bench/milter_load" -s "inet:$port@127.0.0.1" -f "$2" \
		    -c 4 -n "$n" -m 20 -w 20 -i 198.51.100.9 -H fwd.example \
		    -F bounce@fwd.example -p $pid -q 2>/dev/null |
		    sed -n 's/.*cpu_ms=\([0-9.]*\).*/\1/p' >>"$tmp/cpu"
		r=$((r + 1))
	done
	kill $pid
	wait $pid 2>/dev/null || true
	pid=
	sort -n "$tmp/cpu" | awk '{ v[NR] = $1 } END { if (NR == 0) print "?"; else print v[int((NR + 1) / 2)] }'
}

echo "inbound 2 KB message, CPU ms per message (median of $runs runs of $n):"
if [ -n "$other" ]; then
	echo "  no ARC, before ARC ($other): $(measure "$other" "$tmp/plain.eml")"
fi
echo "  no ARC:                      $(measure "$build/milter/inkan-milter" "$tmp/plain.eml")"
echo "  2-set ARC chain:             $(measure "$build/milter/inkan-milter" "$tmp/two.eml")"
