#!/bin/sh
# SPDX-License-Identifier: ISC
#
# arc_interop.sh ARC_TOOL - ARC (RFC 8617) between inkan's core (through
# the test driver arc_tool.c), dkimpy (arc_dkimpy.py) and Mail::DKIM
# (arc_maildkim.pl), offline and at one fixed time. Each forwarder hop
# verifies the chain and adds a Set with its own RSA-2048 key:
#   - chains of 1, 2 and 3 Sets sealed by dkimpy, by Mail::DKIM and by
#     inkan pass in all three verifiers, and fail in all three once the
#     body changed;
#   - a mixed chain (inkan, dkimpy, Mail::DKIM, inkan) passes in all three;
#   - every cv=pass seal signs all Sets (5.1.1); a hop after the body
#     changed seals with cv=fail over its own Set alone (5.1.2; arc_tool
#     scope checks what a seal signs), which all three verifiers report
#     as a failed chain, and inkan does not seal after it (5.1 step 1);
#   - a key lookup that times out fails the chain in inkan, temporarily.
# Keys are made with openssl in a mktemp -d directory removed on exit
# (kept when KEEP is set, to look at the messages).
# Prints one line per check and "N passed, M failed"; exits 1 if a check
# failed, 2 if the setup failed.

set -eu

tool=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/interop_arc.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM
NOW=1700000000
npass=0
nfail=0

for who in inkan py pl; do
	if ! openssl genrsa -traditional -out "$tmp/$who.pem" 2048 \
	    2>"$tmp/err"; then
		echo "arc_interop: openssl genrsa failed: $(cat "$tmp/err")" >&2
		exit 2
	fi
	p=$(openssl pkey -in "$tmp/$who.pem" -pubout -outform DER | base64 -w0)
	echo "$who._domainkey.$who.example v=DKIM1; k=rsa; p=$p" >>"$tmp/keys"
done
cp "$tmp/keys" "$tmp/keys-timeout"
sed -i 's/^\(inkan\._domainkey\.inkan\.example\) .*/\1 TIMEOUT/' \
    "$tmp/keys-timeout"

printf '%s\r\n' "From: Alice <alice@example.com>" \
    "To: list@lists.example.org" "Subject: ARC interop" \
    "Date: Tue, 14 Nov 2023 22:13:20 +0000" \
    "Message-ID: <arc-interop@example.com>" "MIME-Version: 1.0" \
    "Content-Type: text/plain" "" "Hello  world " "" "Second line" \
    >"$tmp/m0"

# seal WHO IN OUT: one forwarder hop by inkan, py (dkimpy) or pl (Mail::DKIM)
seal()
{
	case $1 in
	inkan)	"$tool" seal --now $NOW --keys "$tmp/keys" \
		    --key "$tmp/inkan.pem" --domain inkan.example \
		    --selector inkan --ar "mx.inkan.example; arc=none" "$2" ;;
	py)	"$here/arc_dkimpy.py" seal --now $NOW --keys "$tmp/keys" \
		    --key "$tmp/py.pem" --domain py.example --selector py \
		    --srv-id mx.py.example "$2" ;;
	pl)	"$here/arc_maildkim.pl" seal --now $NOW --keys "$tmp/keys" \
		    --key "$tmp/pl.pem" --domain pl.example --selector pl \
		    --srv-id mx.pl.example "$2" ;;
	esac >"$3" 2>"$tmp/seal.err"
}

# verify WHO MSG [KEYS]: exit 0 when WHO's verifier says the chain passes
verify()
{
	keys=${3:-$tmp/keys}
	case $1 in
	inkan)	"$tool" verify --now $NOW --keys "$keys" "$2" ;;
	py)	"$here/arc_dkimpy.py" verify --now $NOW --keys "$keys" "$2" ;;
	pl)	"$here/arc_maildkim.pl" verify --now $NOW --keys "$keys" "$2" ;;
	esac >"$tmp/out" 2>&1
}

# expect pass|fail NAME WHO MSG [KEYS]
expect()
{
	want=$1 ename=$2
	shift 2
	got=pass
	verify "$@" || got=fail
	if [ "$got" = "$want" ]; then
		npass=$((npass + 1))
		echo "ok   $ename: $1 says $got"
	else
		nfail=$((nfail + 1))
		echo "FAIL $ename: $1 says $got, want $want: $(tr '\n' ' ' <"$tmp/out")"
	fi
}

# chain NAME WHO...: seal one hop per WHO, checking every verifier after each
chain()
{
	cname=$1
	shift
	cp "$tmp/m0" "$tmp/$cname.0"
	n=0
	for who in "$@"; do
		if ! seal "$who" "$tmp/$cname.$n" "$tmp/$cname.$((n + 1))"; then
			nfail=$((nfail + 1))
			echo "FAIL $cname: $who could not seal hop $((n + 1)):" \
			    "$(tr '\n' ' ' <"$tmp/seal.err")"
			return 0
		fi
		n=$((n + 1))
		for v in inkan py pl; do
			expect pass "$cname hop $n ($who)" "$v" "$tmp/$cname.$n"
		done
		if ! grep -q "^arc=pass instances=$n " "$tmp/out" 2>/dev/null; then
			verify inkan "$tmp/$cname.$n" || true
			grep -q "^arc=pass instances=$n " "$tmp/out" || {
				nfail=$((nfail + 1))
				echo "FAIL $cname hop $n: inkan does not count $n Sets"
			}
		fi
	done
	# a changed body breaks the newest AMS: every verifier fails the chain
	sed 's/^Second line/Second line, changed/' "$tmp/$cname.$n" \
	    >"$tmp/$cname.bad"
	for v in inkan py pl; do
		expect fail "$cname body changed" "$v" "$tmp/$cname.bad"
	done
}

chain dkimpy py py py
chain maildkim pl pl pl
chain inkan inkan inkan inkan
chain mixed inkan py pl inkan
# a cv=pass seal signs every Set (5.1.1), whoever made it
for f in dkimpy.3 maildkim.3 mixed.2 mixed.3 mixed.4; do
	sc=$("$tool" scope --now $NOW --keys "$tmp/keys" "$tmp/$f" 2>&1 || true)
	if [ "$sc" = "scope=all" ]; then
		npass=$((npass + 1))
		echo "ok   $f: the newest seal signs all Sets"
	else
		nfail=$((nfail + 1))
		echo "FAIL $f: $sc, want scope=all"
	fi
done

# a hop after the change seals cv=fail (RFC 8617 5.1.2); all report fail
for who in inkan py pl; do
	if seal "$who" "$tmp/inkan.bad" "$tmp/cvfail.$who"; then
		if grep -qi "^ARC-Seal: i=4;.*cv=fail" "$tmp/cvfail.$who"; then
			npass=$((npass + 1))
			echo "ok   cv=fail: $who seals i=4 with cv=fail"
		else
			nfail=$((nfail + 1))
			echo "FAIL cv=fail: $who's i=4 seal does not say cv=fail"
		fi
		# 5.1.2: that seal signs its own Set "as if [it] was the only
		# set present"
		sc=$("$tool" scope --now $NOW --keys "$tmp/keys" \
		    "$tmp/cvfail.$who" 2>&1 || true)
		if [ "$sc" = "scope=own" ]; then
			npass=$((npass + 1))
			echo "ok   cv=fail: $who's seal signs its own Set alone"
		else
			nfail=$((nfail + 1))
			echo "FAIL cv=fail: $who's seal: $sc, want scope=own"
		fi
		for v in inkan py pl; do
			expect fail "cv=fail sealed by $who" "$v" \
			    "$tmp/cvfail.$who"
		done
	else
		echo "note cv=fail: $who does not seal a failed chain:" \
		    "$(tr '\n' ' ' <"$tmp/seal.err")"
	fi
done
# nobody seals after cv=fail (5.1 step 1)
if seal inkan "$tmp/cvfail.inkan" "$tmp/after"; then
	nfail=$((nfail + 1))
	echo "FAIL after cv=fail: inkan sealed again"
else
	npass=$((npass + 1))
	echo "ok   after cv=fail: inkan does not seal"
fi

# DNS trouble: the key of an inkan hop times out
expect fail "key timeout" inkan "$tmp/inkan.3" "$tmp/keys-timeout"
if grep -q "reason=DNS timeout" "$tmp/out"; then
	npass=$((npass + 1))
	echo "ok   key timeout: the reason says so"
else
	nfail=$((nfail + 1))
	echo "FAIL key timeout: $(cat "$tmp/out")"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
