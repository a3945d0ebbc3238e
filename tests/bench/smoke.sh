#!/bin/sh
# SPDX-License-Identifier: ISC
#
# smoke.sh - milter_load against inkan-milter for a handful of messages:
# outbound ones get a DKIM-Signature, inbound ones an
# Authentication-Results, nothing fails, on one and on several messages per
# connection, and the idle mode opens its connections. Correctness only:
# no figure is compared with anything (tests/bench/README measures).
#
# usage: smoke.sh MILTER_LOAD INKAN-MILTER INKAN-KEYS
set -u
load=$1 inkan=$2 keys=$3
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
nfail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; nfail=$((nfail + 1)); }

"$keys" generate --domain bench.example --selector s1 --dir "$tmp/keys" \
    >"$tmp/zone" 2>/dev/null || { echo "FAIL: inkan-keys generate"; exit 1; }
cat >>"$tmp/zone" <<EOF
bench.example. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.bench.example. IN TXT "v=DMARC1; p=none"
EOF
cat >"$tmp/inkan.conf" <<EOF
socket = unix:$tmp/inkan.sock
key_dir = $tmp/keys
log = stderr
authserv_id = mx.bench.example
dns_zone_file = $tmp/zone
EOF
"$load" -g 3000 -F alice@bench.example >"$tmp/out.eml" ||
    { echo "FAIL: milter_load -g"; exit 1; }
# an inbound message signed by the same key (so DKIM passes)
"$inkan" --evaluate "$tmp/out.eml" --config "$tmp/inkan.conf" \
    --dns-zone "$tmp/zone" --client-ip 127.0.0.1 --helo h \
    --mail-from alice@bench.example --auth-user alice >"$tmp/in.eml" ||
    { echo "FAIL: inkan-milter --evaluate"; exit 1; }

"$inkan" -f -c "$tmp/inkan.conf" 2>"$tmp/inkan.log" &
pid=$!
i=0
while [ ! -S "$tmp/inkan.sock" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -S "$tmp/inkan.sock" ] || { echo "FAIL: inkan-milter did not start"; \
    cat "$tmp/inkan.log"; exit 1; }

# check NAME WANT_FIELD N -- milter_load args...
check() {
	name=$1 field=$2 n=$3
	shift 4
	out=$("$load" -q -s "unix:$tmp/inkan.sock" -p "$pid" -n "$n" "$@")
	rc=$?
	echo "$out"
	case $out in
	*"RESULT msgs=$n ok=$n failed=0 "*"hdr_$field=$n"*) ok "$name" ;;
	*) bad "$name: want $n messages accepted with $field each" ;;
	esac
	[ $rc -eq 0 ] || bad "$name: milter_load exit status $rc"
}
check "outbound, 1 per connection" DKIM-Signature 12 -- \
    -c 3 -m 1 -A alice -i 192.0.2.9 -F alice@bench.example -f "$tmp/out.eml"
check "outbound, 5 per connection" DKIM-Signature 15 -- \
    -c 3 -m 5 -A alice -i 192.0.2.9 -F alice@bench.example -f "$tmp/out.eml"
check "inbound, 1 per connection" Authentication-Results 12 -- \
    -c 3 -m 1 -i 192.0.2.25 -F alice@bench.example -f "$tmp/in.eml"
check "inbound, 4 per connection" Authentication-Results 12 -- \
    -c 2 -m 4 -i 192.0.2.25 -F alice@bench.example -f "$tmp/in.eml"
# inbound verification passed (the AR says so, through milter_load's
# chain: a second instance of the same milter sees the first one's field)
out=$("$load" -q -s "unix:$tmp/inkan.sock,unix:$tmp/inkan.sock" -n 2 \
    -i 192.0.2.25 -F alice@bench.example -f "$tmp/in.eml")
case $out in
*"ok=2 failed=0 "*"hdr_Authentication-Results=4"*) ok "chain of two" ;;
*) bad "chain of two: $out" ;;
esac
out=$("$load" -s "unix:$tmp/inkan.sock" -I 5 -p "$pid")
case $out in
*"RESULT idle=5 opened=5 "*) ok "5 idle connections" ;;
*) bad "idle connections: $out" ;;
esac
# what the fields say: the inbound message passed DKIM, SPF and DMARC
out=$("$load" -v -q -s "unix:$tmp/inkan.sock" -n 1 -i 192.0.2.25 \
    -F alice@bench.example -f "$tmp/in.eml")
for want in "dkim=pass header.d=bench.example" \
    "spf=pass (matched ip4:192.0.2.0/24) smtp.mailfrom=alice@bench.example" \
    "dmarc=pass"; do
	case $out in
	*"Authentication-Results: mx.bench.example;"*"$want"*)
		ok "inbound: $want" ;;
	*) bad "inbound: no $want in: $out" ;;
	esac
done
if grep -qi 'tempfail' "$tmp/inkan.log"; then
	bad "the milter logged a tempfail: $(cat "$tmp/inkan.log")"
else
	ok "no tempfail in the milter's log"
fi
[ $nfail -eq 0 ] || { echo "$nfail check(s) failed"; exit 1; }
echo "all bench smoke checks passed"
