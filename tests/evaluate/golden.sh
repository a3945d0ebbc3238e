#!/bin/sh
# SPDX-License-Identifier: ISC
#
# golden.sh - whole messages through `inkan-milter --evaluate --json` against
# expected output in tests/data/evaluate/NAME.json (STYLE.md section 9).
# Signatures are reproducible: the keys are fixed (tests/data/keys), the
# clock is fixed with --now, and RSA PKCS#1 v1.5 and Ed25519 signatures are
# deterministic. Every message that comes out signed must also verify with
# dkimpy against tests/data/evaluate/zone, so a golden file cannot bless a
# wrong signature.
#
# usage: golden.sh INKAN-MILTER [--update]
#   --update rewrites the expected files from the current output (review the
#   diff before committing it).

set -eu

milter=$1
update=${2:-}
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/evaluate"
verify="$here/../interop/verify_dkimpy.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Keys as an admin would keep them: a private copy, mode 0600.
mkdir -p "$tmp/keys/example.com"
cp "$here/../data/keys/example.com/"*.private "$tmp/keys/example.com/"
chmod 600 "$tmp/keys/example.com/"*.private
printf 'authserv_id = mx.test.example\nkey_dir = %s\nlog = stderr\n' "$tmp/keys" >"$tmp/default.conf"
printf 'authserv_id = mx.test.example\nkey_dir = %s\nlog = stderr\ninternal_hosts = 10.0.0.0/8\n' \
    "$tmp/keys" >"$tmp/internal10.conf"
printf 'authserv_id = mx.test.example\nkey_dir = %s\nlog = stderr\nsign_daemons = ORIGINATING\n' \
    "$tmp/keys" >"$tmp/daemons.conf"
printf 'authserv_id = mx.test.example\nkey_dir = %s\nlog = stderr\nsign_subdomains = yes\n' \
    "$tmp/keys" >"$tmp/subdomains.conf"
printf 'authserv_id = mx.test.example\nkey_dir = %s\nlog = stderr\ncanonicalization = simple/simple\nsignature_ttl = 604800\n' \
    "$tmp/keys" >"$tmp/simple.conf"

npass=0
nfail=0

# case NAME MESSAGE CONFIG [evaluate options...]
case_() {
	name=$1 msg=$2 conf=$3
	shift 3
	want="$data/$name.json"
	got="$tmp/$name.json"
	if ! "$milter" --evaluate "$data/$msg" --config "$tmp/$conf.conf" \
	    --dns-zone "$data/zone" --helo client.example.com \
	    --mail-from alice@example.com --now 1795000000 --json "$@" \
	    >"$got" 2>"$tmp/$name.log"; then
		nfail=$((nfail + 1))
		echo "FAIL: $name: inkan-milter exited non-zero"
		cat "$tmp/$name.log"
		return
	fi
	if [ "$update" = --update ]; then
		cp "$got" "$want"
	fi
	if ! diff -u "$want" "$got" >"$tmp/diff" 2>&1; then
		nfail=$((nfail + 1))
		echo "FAIL: $name: output differs from $want"
		cat "$tmp/diff"
		return
	fi
	# A signed message must verify for real.
	if grep -q '"DKIM-Signature"' "$got"; then
		"$milter" --evaluate "$data/$msg" --config "$tmp/$conf.conf" \
		    --helo client.example.com --mail-from alice@example.com \
		    --now 1795000000 "$@" >"$tmp/$name.eml" 2>/dev/null
		# ... at the time it was signed: x= is --now + signature_ttl,
		# and the wall clock passes it (2026-11-25 for the simple case).
		if ! "$verify" --now 1795000000 --zone "$data/zone" \
		    "$tmp/$name.eml" >"$tmp/v" 2>&1; then
			nfail=$((nfail + 1))
			echo "FAIL: $name: signed output does not verify with dkimpy"
			cat "$tmp/v"
			return
		fi
	fi
	npass=$((npass + 1))
	echo "ok: $name"
}

case_ internal-host-signed	plain.eml	default		--client-ip 127.0.0.1
case_ internal-v6-signed	plain.eml	default		--client-ip ::1
case_ internal-cidr-signed	plain.eml	internal10	--client-ip 10.20.30.40
case_ mapped-v4-signed		plain.eml	internal10	--client-ip ::ffff:10.1.2.3
case_ authenticated-signed	plain.eml	default		--client-ip 192.0.2.7 --auth-user alice
case_ daemon-name-signed	plain.eml	daemons		--client-ip 192.0.2.7 --daemon-name ORIGINATING
case_ other-daemon-untouched	plain.eml	daemons		--client-ip 192.0.2.7 --daemon-name MX
case_ external-untouched	plain.eml	default		--client-ip 192.0.2.7
case_ lf-line-ends-signed	plain-lf.eml	default		--client-ip 127.0.0.1
case_ no-from-unsigned		no-from.eml	default		--client-ip 127.0.0.1
case_ two-from-unsigned		two-from.eml	default		--client-ip 127.0.0.1
# RFC 9989 5.3.1: two addresses of one domain are that author domain
case_ two-addresses-signed	two-addresses.eml default	--client-ip 127.0.0.1
case_ two-domains-unsigned	two-domains.eml	default		--client-ip 127.0.0.1
case_ no-key-unsigned		other-domain.eml default	--client-ip 127.0.0.1
case_ subdomain-no-key		subdomain.eml	default		--client-ip 127.0.0.1
case_ subdomain-parent-key	subdomain.eml	subdomains	--client-ip 127.0.0.1
case_ folded-relaxed		folded.eml	default		--client-ip 127.0.0.1
case_ folded-simple-ttl		folded.eml	simple		--client-ip 127.0.0.1
case_ empty-body		empty-body.eml	default		--client-ip 127.0.0.1

# The same message with LF or CRLF line ends gets the same signatures.
sed -n 's/.*"added_headers": \(.*\), "log".*/\1/p' "$data/internal-host-signed.json" >"$tmp/crlf"
sed -n 's/.*"added_headers": \(.*\), "log".*/\1/p' "$data/lf-line-ends-signed.json" >"$tmp/lf"
if [ -s "$tmp/crlf" ] && cmp -s "$tmp/crlf" "$tmp/lf"; then
	npass=$((npass + 1)); echo "ok: LF and CRLF files sign alike"
else
	nfail=$((nfail + 1)); echo "FAIL: LF and CRLF files sign differently"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
