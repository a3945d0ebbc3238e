#!/bin/sh
# SPDX-License-Identifier: ISC
#
# sign_interop.sh - messages signed by inkan verify with independent
# verifiers, given only the record inkan-keys printed (no network):
# RSA with dkimpy and Mail::DKIM, Ed25519 with dkimpy and OpenDKIM (Debian
# 12's Mail::DKIM has no Ed25519), for every canonicalization pair; and
# each verifier fails the message once the body or a signed header changed,
# or once a From field is added (From is oversigned).
#
# usage: sign_interop.sh INKAN-MILTER INKAN-KEYS
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -eu

milter=$1
keys=$2
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sign_interop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

npass=0
nfail=0
# Signed at a fixed time, verified at that same time: never the wall clock.
NOW=1795000000

check() {	# check WANT-EXIT NAME COMMAND...
	want=$1 name=$2
	shift 2
	got=0
	"$@" >"$tmp/out" 2>&1 || got=$?
	if [ "$got" -eq "$want" ]; then
		npass=$((npass + 1))
		echo "ok: $name"
	else
		nfail=$((nfail + 1))
		echo "FAIL: $name (exit $got, want $want)"
		sed 's/^/    /' "$tmp/out"
	fi
}

# Keys and the zone: exactly what inkan-keys told the admin to publish.
"$keys" generate --domain example.com --selector rsa --dir "$tmp/keys" >"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.com --selector ed --type ed25519 \
    --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
"$keys" generate --domain example.net --selector big --bits 4096 \
    --dir "$tmp/keys" >>"$tmp/zone" 2>/dev/null
mkdir "$tmp/rsaonly" "$tmp/edonly"
cp -p "$tmp/keys/example.com/rsa.private" "$tmp/rsaonly/"
cp -p "$tmp/keys/example.com/ed.private" "$tmp/edonly/"

# A message with folding, odd case, white space runs, trailing white space
# and empty lines at the end of the body: what canonicalization exists for.
# (One space after each colon: `opendkim -t` reads header values the way
# libmilter hands them over without SMFIP_HDR_LEADSPC, losing the run of
# spaces after the colon, so simple header canonicalization of such a
# field fails in its test mode whoever signed it.)
printf '%s\r\n' \
    'From: "Alice Example" <alice@example.com>' \
    'To: bob@example.org,' \
    '    carol@example.org' \
    'subject: Quarterly   report	' \
    'Date: Wed, 25 Nov 2026 10:00:00 +0000' \
    'Message-ID: <interop.1@example.com>' \
    'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=utf-8' \
    'X-Not-Signed: anything' \
    '' \
    'Hello Bob,  ' \
    '' \
    '	indented line with	tabs' \
    'last line' \
    '' \
    '' >"$tmp/msg"

sign() {	# sign KEYDIR CANON OUT [DOMAIN]
	mkdir -p "$tmp/kd.$1"
	rm -rf "$tmp/kd.$1/${4:-example.com}"
	mkdir "$tmp/kd.$1/${4:-example.com}"
	cp -p "$tmp/$1"/*.private "$tmp/kd.$1/${4:-example.com}/"
	printf 'key_dir = %s\ncanonicalization = %s\nlog = stderr\n' \
	    "$tmp/kd.$1" "$2" >"$tmp/conf"
	from=alice@${4:-example.com}
	sed "s/alice@example.com/$from/" "$tmp/msg" >"$tmp/msg.in"
	"$milter" --evaluate "$tmp/msg.in" --config "$tmp/conf" \
	    --client-ip 192.0.2.1 --helo client.example --mail-from "$from" \
	    --auth-user alice --now "$NOW" >"$3" 2>/dev/null
}

tamper() {	# tamper IN: writes IN.body, IN.subject, IN.from
	sed 's/^last line/last line!/' "$1" >"$1.body"
	sed 's/^subject: Quarterly/subject: Quarterly!/' "$1" >"$1.subject"
	{ printf 'From: mallory@example.com\r\n'; cat "$1"; } >"$1.from"
}

for canon in relaxed/relaxed simple/simple relaxed/simple simple/relaxed; do
	c=$(echo "$canon" | tr / -)
	sign rsaonly "$canon" "$tmp/rsa.$c"
	sign edonly "$canon" "$tmp/ed.$c"
	grep -q '^DKIM-Signature:.*a=rsa-sha256' "$tmp/rsa.$c" &&
	    grep -q "c=$canon;" "$tmp/rsa.$c" || {
		nfail=$((nfail + 1)); echo "FAIL: no rsa signature with c=$canon"; }
	tamper "$tmp/rsa.$c"
	tamper "$tmp/ed.$c"
	for v in dkimpy maildkim; do
		ext=sh; [ $v = dkimpy ] && ext=py; [ $v = maildkim ] && ext=pl
		check 0 "$v passes rsa $canon" "$here/verify_$v.$ext" --zone "$tmp/zone" "$tmp/rsa.$c"
		for t in body subject from; do
			check 1 "$v fails rsa $canon after changing $t" \
			    "$here/verify_$v.$ext" --zone "$tmp/zone" "$tmp/rsa.$c.$t"
		done
	done
	for v in dkimpy opendkim; do
		ext=sh; [ $v = dkimpy ] && ext=py
		check 0 "$v passes ed25519 $canon" "$here/verify_$v.$ext" --zone "$tmp/zone" "$tmp/ed.$c"
		for t in body subject from; do
			check 1 "$v fails ed25519 $canon after changing $t" \
			    "$here/verify_$v.$ext" --zone "$tmp/zone" "$tmp/ed.$c.$t"
		done
	done
done

# Dual signing: both keys of one domain, one message, two signatures.
sign keys/example.com relaxed/relaxed "$tmp/dual"
n=$(grep -c '^DKIM-Signature:' "$tmp/dual" || true)
if [ "$n" -eq 2 ]; then npass=$((npass + 1)); echo "ok: dual signed"
else nfail=$((nfail + 1)); echo "FAIL: dual signing gave $n signatures"; fi
check 0 "dkimpy passes both dual signatures" "$here/verify_dkimpy.py" --now "$NOW" --zone "$tmp/zone" "$tmp/dual"
check 0 "opendkim passes both dual signatures" "$here/verify_opendkim.sh" --now "$NOW" --zone "$tmp/zone" "$tmp/dual"

# A 4096-bit RSA key (the largest inkan-keys makes): its record spans strings.
sign keys/example.net relaxed/relaxed "$tmp/big" example.net
check 0 "dkimpy passes a 4096-bit key" "$here/verify_dkimpy.py" --now "$NOW" --zone "$tmp/zone" "$tmp/big"
check 0 "maildkim passes a 4096-bit key" "$here/verify_maildkim.pl" --now "$NOW" --zone "$tmp/zone" "$tmp/big"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
