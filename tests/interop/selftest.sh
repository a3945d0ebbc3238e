#!/bin/sh
# SPDX-License-Identifier: ISC
#
# selftest.sh - check the three interop verifiers without inkan: sign a test
# message with dkimpy (rsa-sha256 and ed25519-sha256; relaxed/relaxed and
# simple/simple) and expect each verifier to pass it, and to fail it after
# the body or the Subject changed, without a key record, or unsigned. Keys
# are made fresh with openssl in a mktemp -d directory that is removed on
# exit. Mail::DKIM here has no Ed25519, so for it Ed25519 messages must fail.
# The verifiers' zone loaders read master files as inkan does: the keys
# also come from a zone with $ORIGIN, $TTL, '@' and relative names.
#
# Prints one line per check and "N passed, M failed"; exits 1 if any check
# gave an unexpected exit status, 2 if the setup itself failed.

set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
vdata=$here/../data/verify
tmp=$(mktemp -d "${TMPDIR:-/tmp}/interop_selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

npass=0
nfail=0

# expect EXIT NSIG NPASS NAME VERIFIER ARGS...: run VERIFIER; want exit
# status EXIT and, unless NSIG is "-", stdout of NSIG well-formed result lines
# (or one "no DKIM-Signature" line when NSIG is 0), NPASS of them passes.
expect()
{
	want=$1
	wsig=$2
	wpass=$3
	name=$4
	shift 4
	got=0
	"$@" >"$tmp/out" 2>"$tmp/err" || got=$?
	why=
	if [ "$got" -ne "$want" ]; then
		why="exit $got, want $want"
	elif [ "$wsig" != - ]; then
		v=${name%% *}
		nline=$(wc -l <"$tmp/out")
		sig="^$v: d=[^ ]+ s=[^ ]+ a=[^ ]+ result="
		nres=$(grep -c -E "${sig}(pass|fail reason=.+)\$" "$tmp/out" ||
		    true)
		npas=$(grep -c -E "${sig}pass\$" "$tmp/out" || true)
		if [ "$wsig" -eq 0 ]; then
			[ "$nline" -eq 1 ] && grep -q "^$v: no DKIM-Signature\$" \
			    "$tmp/out" || why="want one \"no DKIM-Signature\" line"
		elif [ "$nline" -ne "$wsig" ] || [ "$nres" -ne "$wsig" ]; then
			why="want $wsig result lines"
		elif [ "$npas" -ne "$wpass" ]; then
			why="$npas result=pass lines, want $wpass"
		fi
	fi
	if [ -z "$why" ]; then
		npass=$((npass + 1))
		echo "ok   $name (exit $got)"
	else
		nfail=$((nfail + 1))
		echo "FAIL $name: $why"
		sed 's/^/     | /' "$tmp/out" "$tmp/err"
	fi
}

cd "$tmp"

# Keys. dkimpy takes the Ed25519 private key as the base64 32-byte seed and
# the public key record holds the raw 32-byte key (RFC 8463 4.2); both are
# the last 32 bytes of the PKCS#8 / SubjectPublicKeyInfo DER encodings.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem \
    2>/dev/null
openssl genpkey -algorithm ED25519 -out ed.pem
openssl pkey -in ed.pem -outform DER -out ed.der
openssl pkey -in ed.pem -pubout -outform DER -out ed.pub.der
if [ "$(wc -c <ed.der)" -ne 48 ] || [ "$(wc -c <ed.pub.der)" -ne 44 ]; then
	echo "selftest: unexpected Ed25519 DER sizes" >&2
	exit 2
fi
tail -c 32 ed.der | base64 -w0 >ed.seed
rsa_p=$(openssl pkey -in rsa.pem -pubout -outform DER | base64 -w0)
ed_p=$(tail -c 32 ed.pub.der | base64 -w0)

# Zone: the RSA key as strings of at most 250 bytes (RFC 1035 caps one at
# 255), parenthesised over several lines, as published keys usually are.
{
	echo "; interop selftest keys"
	echo 'sel._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; "'
	printf 'p=%s\n' "$rsa_p" | fold -w 250 | sed 's/.*/    "&"/'
	echo ')'
	echo "ed._domainkey.example.com. 300 IN TXT ( \"v=DKIM1; k=ed25519; \""
	echo "    \"p=$ed_p\" )"
} >zone
# The same keys as admins write zone files (RFC 1035 5): $ORIGIN, $TTL,
# '@', relative names, a blank owner, a second $ORIGIN; and a copy whose
# first $ORIGIN puts the RSA key at another name.
{
	echo '$ORIGIN example.com.'
	echo '$TTL 1h'
	echo '@ IN SOA ns1 hostmaster ( 1 7200 3600 1209600 300 ) ; apex'
	echo '	IN NS ns1'
	echo 'sel._domainkey IN TXT ( "v=DKIM1; k=rsa; "'
	printf 'p=%s\n' "$rsa_p" | fold -w 250 | sed 's/.*/    "&"/'
	echo ')'
	echo '$ORIGIN _domainkey'
	echo "ed 300 IN TXT ( \"v=DKIM1; k=ed25519; \" ; relative to the last"
	echo "    \"p=$ed_p\" )"
} >bind.zone
sed '1s/example.com/example.net/' bind.zone >bind-wrong.zone
echo "; no keys here" >empty.zone
printf 'sel._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=MIIB"\n' \
    >broken.zone
printf 'sel._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; "\n' >bad.zone

# The body has trailing blanks, a WSP run and empty lines at the end, so the
# simple and relaxed body canonicalizations differ.
printf '%s\r\n' 'From: Alice <alice@example.com>' 'To: bob@example.net' \
    'Subject: interop test' 'Date: Mon, 01 Jan 2024 00:00:00 +0000' \
    'Message-ID: <selftest@example.com>' '' 'Hello,   world.  ' '' \
    'This is the interop selftest.' '' '' >plain.eml

/usr/bin/python3 - <<'EOF'
import dkim

msg = open("plain.eml", "rb").read()
keys = {
    "rsa": (b"sel", b"rsa-sha256", open("rsa.pem", "rb").read()),
    "ed": (b"ed", b"ed25519-sha256", open("ed.seed", "rb").read()),
}
heads = [b"from", b"to", b"subject", b"date", b"message-id"]
sigs = {}
for k, (sel, alg, key) in keys.items():
    for c in (b"relaxed", b"simple"):
        sig = dkim.sign(msg, sel, b"example.com", key, canonicalize=(c, c),
                        signature_algorithm=alg, include_headers=heads)
        sigs[(k, c)] = sig
        open("%s-%s.eml" % (k, c.decode()), "wb").write(sig + msg)
open("dual.eml", "wb").write(sigs[("rsa", b"relaxed")] +
                             sigs[("ed", b"simple")] + msg)
EOF

for f in rsa-relaxed rsa-simple ed-relaxed ed-simple dual; do
	sed 's/^Hello,/Jello,/' "$f.eml" >"$f.body.eml"
	sed 's/^Subject: interop test/Subject: interop tost/' "$f.eml" \
	    >"$f.subject.eml"
	tr -d '\r' <"$f.eml" >"$f.lf.eml"
	if cmp -s "$f.eml" "$f.body.eml" || cmp -s "$f.eml" "$f.subject.eml"
	then
		echo "selftest: tampering $f.eml changed nothing" >&2
		exit 2
	fi
done

for v in dkimpy maildkim opendkim; do
	case $v in
	dkimpy)		cmd=$here/verify_dkimpy.py ;;
	maildkim)	cmd=$here/verify_maildkim.pl ;;
	opendkim)	cmd=$here/verify_opendkim.sh ;;
	esac
	for f in rsa-relaxed rsa-simple ed-relaxed ed-simple dual; do
		n=1
		[ "$f" = dual ] && n=2
		case $v/$f in
		maildkim/ed-*)	ex=1 ok=0 ;;
		maildkim/dual)	ex=1 ok=1 ;;
		*)		ex=0 ok=$n ;;
		esac
		expect $ex $n $ok "$v $f" "$cmd" --zone zone "$f.eml"
		expect $ex $n $ok "$v $f LF line ends" \
		    "$cmd" --zone zone "$f.lf.eml"
		expect 1 $n 0 "$v $f body changed" \
		    "$cmd" --zone zone "$f.body.eml"
		expect 1 $n 0 "$v $f Subject changed" \
		    "$cmd" --zone zone "$f.subject.eml"
		expect 1 $n 0 "$v $f no key record" \
		    "$cmd" --zone empty.zone "$f.eml"
	done
	for f in rsa-relaxed ed-simple; do
		case $v/$f in
		maildkim/ed-*)	ex=1 ok=0 ;;
		*)		ex=0 ok=1 ;;
		esac
		expect $ex 1 $ok "$v $f, keys in a zone with \$ORIGIN" \
		    "$cmd" --zone bind.zone "$f.eml"
		expect 1 1 0 "$v $f, keys under another \$ORIGIN" \
		    "$cmd" --zone bind-wrong.zone "$f.eml"
	done
	expect 1 1 0 "$v rsa-relaxed truncated key" \
	    "$cmd" --zone broken.zone rsa-relaxed.eml
	expect 1 0 0 "$v unsigned message" "$cmd" --zone zone plain.eml
	expect 2 - - "$v missing message file" \
	    "$cmd" --zone zone missing.eml
	expect 2 - - "$v missing zone file" \
	    "$cmd" --zone missing.zone rsa-relaxed.eml
	expect 2 - - "$v bad zone file" "$cmd" --zone bad.zone rsa-relaxed.eml
	expect 2 - - "$v usage" "$cmd" rsa-relaxed.eml
	# --now: the verifier takes the time from the test, not the wall
	# clock. fail-expired.eml (Mail::DKIM, RSA) has t=1790000000 and
	# x=1794000000: valid before x=, expired after; pass-maildkim-not-expired.eml has
	# x=2000000000 and expires once --now is past it, whatever today is.
	expect 0 1 1 "$v --now before x=" \
	    "$cmd" --now 1790000000 --zone "$vdata/zone" "$vdata/fail-expired.eml"
	expect 1 1 0 "$v --now after x=" \
	    "$cmd" --now 1795000000 --zone "$vdata/zone" "$vdata/fail-expired.eml"
	expect 0 1 1 "$v --now before a far x=" \
	    "$cmd" --now 1795000000 --zone "$vdata/zone" "$vdata/pass-maildkim-not-expired.eml"
	expect 1 1 0 "$v --now after a far x=" \
	    "$cmd" --now 2100000000 --zone "$vdata/zone" "$vdata/pass-maildkim-not-expired.eml"
	expect 2 - - "$v --now not a number" \
	    "$cmd" --now soon --zone zone rsa-relaxed.eml
done

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
