#!/bin/sh
# SPDX-License-Identifier: ISC
# check.sh - `inkan-keys check` against the zone files of
# tests/data/keys-check (one misconfiguration each, answered through
# --dns-zone, nothing from the network), `inkan-keys records` output, and
# a key rotation (`inkan-keys rotate`, then check at each step).
# Usage: check.sh PATH/TO/inkan-keys
set -u
# English whatever the caller's locale (tests/i18n has the Japanese)
LC_ALL=C
export LC_ALL

KEYS=${1:?usage: check.sh PATH/TO/inkan-keys}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/../data/keys-check
PY=/usr/bin/python3
[ -x "$KEYS" ] || { echo "FAIL: $KEYS is not executable"; exit 1; }
[ -f "$DATA/good.zone" ] || { echo "FAIL: no test data in $DATA"; exit 1; }
[ -x "$PY" ] || PY=python3

TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
# git keeps no file modes; the key store refuses group-readable keys
cp -R "$DATA/keys" "$DATA/small" "$DATA/rotating" "$TMP/"
chmod -R go-rwx "$TMP/keys" "$TMP/small" "$TMP/rotating"

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME WANT_RC ARGS...: run inkan-keys, keep stdout+stderr in $OUT
run() {
	name=$1 rcwant=$2
	shift 2
	OUT=$("$KEYS" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$rcwant" ]; then ok; else
		bad "$name: exit $rc, want $rcwant"; echo "$OUT" | sed 's/^/    /'
	fi
}
# has NAME TEXT: the last output contains TEXT (a fixed string)
has() {
	if printf '%s\n' "$OUT" | grep -qF -- "$2"; then ok; else
		bad "$1: output lacks: $2"; echo "$OUT" | sed 's/^/    /'
	fi
}
lacks() {
	if printf '%s\n' "$OUT" | grep -qE -- "$2"; then
		bad "$1: output has: $2"; echo "$OUT" | sed 's/^/    /'
	else ok; fi
}
check() {	# check ZONE WANT_RC [extra args]
	z=$1 zwant=$2
	shift 2
	run "$z" "$zwant" check --domain example.com --dir "$TMP/keys" \
	    --dns-zone "$DATA/$z.zone" "$@"
}

# A correct domain: nothing but OK and NOTE lines.
check good 0 --ip 192.0.2.25
lacks good '^(WARN|FAIL)'
has good "OK   DKIM sel: sel._domainkey.example.com publishes the public key of inkan's private key (rsa, 2048 bits)"
has good "OK   SPF: the record needs 2 of the 10 DNS lookups"
has good "OK   SPF: 192.0.2.25 may send mail for example.com"
has good "OK   DMARC: p=quarantine: receivers put mail that fails DMARC in the spam folder"
has good "OK   MX: example.com receives mail"
has good "NOTE DNSSEC: answers not validated"
has good "0 WARN, 0 FAIL"
# without --ip: each of this host's addresses (not loopback or link-local)
# is checked, one line each; with none, the check is skipped with a note.
# What this host has is not up to the test, so either outcome is accepted.
check good 0
has good-noip "NOTE SPF: no --ip given"
lacks good-noip 'SPF: (this host.s address )?(127\.|::1 |fe80:|169\.254\.)'
nhost=$(printf '%s\n' "$OUT" | sed -n "s/^NOTE SPF: no --ip given: checking this host's \([0-9]*\) address.*/\1/p")
if [ -n "$nhost" ]; then
	nline=$(printf '%s\n' "$OUT" | grep -c "^[A-Z]* *SPF: .*this host's address ")
	[ "$nline" -eq "$nhost" ] && ok || \
	    bad "good-noip: $nhost host addresses but $nline lines"
else
	has good-noip "this host has no address other than loopback and link-local ones"
fi
# a subdomain uses the parent's DMARC record and says which name answered
run sub 0 check --domain sub.example.com --dns-zone "$DATA/good.zone"
has sub "the record at _dmarc.example.com applies"
has sub "NOTE DKIM: not checked"
# the organizational domain comes from the tree walk, not the last two
# labels: mail.shop.co.example uses _dmarc.shop.co.example (co.example,
# the last two labels, has no record), and a rua at another name under
# shop.co.example needs no authorization while one at co.example does
run orgdomain 1 check --domain mail.shop.co.example --ip 192.0.2.25 \
    --dns-zone "$DATA/orgdomain.zone"
has orgdomain "OK   DMARC: no record at _dmarc.mail.shop.co.example; the record at _dmarc.shop.co.example applies"
has orgdomain "the organizational domain of mail.shop.co.example is shop.co.example"
has orgdomain "OK   DMARC: sp=reject, set by shop.co.example: receivers refuse mail"
has orgdomain "OK   DMARC: reports go to mailto:agg@reports.shop.co.example"
has orgdomain "FAIL DMARC: reports to mailto:dmarc@co.example are not sent"
has orgdomain "shop.co.example._report._dmarc.co.example"
lacks orgdomain "^FAIL DMARC: no record"
# the daemon's configuration finds the same keys
printf 'key_dir = %s\n' "$TMP/keys" >"$TMP/inkan.conf"
run config 0 check --domain example.com --config "$TMP/inkan.conf" \
    --dns-zone "$DATA/good.zone"
has config "OK   DKIM sel: sel._domainkey.example.com publishes the public key"
# The daemon's report database is not inkan-keys' business: a check with
# a dmarc_report_db that does not exist creates nothing, and the program
# does not even link SQLite (the settings are read, only the keys built).
mkdir "$TMP/reportdir"
printf 'key_dir = %s\ndmarc_report_db = %s\n' "$TMP/keys" \
    "$TMP/reportdir/reports.db" >"$TMP/withdb.conf"
run config-db 0 check --domain example.com --config "$TMP/withdb.conf" \
    --dns-zone "$DATA/good.zone"
has config-db "OK   DKIM sel: sel._domainkey.example.com publishes the public key"
if [ -n "$(ls -A "$TMP/reportdir")" ]; then
    bad "config-db: check created $(ls -A "$TMP/reportdir")"
else ok; fi
run config-db-records 0 records --domain example.com --config "$TMP/withdb.conf"
if [ -n "$(ls -A "$TMP/reportdir")" ]; then
    bad "config-db-records: records created $(ls -A "$TMP/reportdir")"
else ok; fi
if ! command -v readelf >/dev/null 2>&1; then
    bad "readelf (binutils) is needed to check what inkan-keys links"
elif readelf -d "$KEYS" | grep -qi 'sqlite'; then
    bad "inkan-keys links SQLite: $(readelf -d "$KEYS" | grep -i sqlite)"
else ok; fi

# A zone file as admins write them (RFC 1035 5: $ORIGIN, $TTL, '@',
# relative names, blank owners, parentheses across lines with comments,
# escapes in an owner, a second $ORIGIN): the same verdicts as good.zone.
mkdir -p "$TMP/bind/example.com"
cp "$DATA/keys/example.com/sel.private" "$TMP/bind/example.com/s2026.private"
chmod -R go-rwx "$TMP/bind"
bind() {	# bind NAME ZONE WANT_RC [extra args]
	n=$1 bz=$2 bwant=$3
	shift 3
	run "$n" "$bwant" check --domain example.com --dir "$TMP/bind" \
	    --dns-zone "$bz" "$@"
}
bind bind-style "$DATA/bind-style.zone" 0 --ip 192.0.2.25
lacks bind-style '^(WARN|FAIL)'
has bind-style "OK   DKIM s2026: s2026._domainkey.example.com publishes the public key of inkan's private key (rsa, 2048 bits)"
has bind-style 'OK   SPF: one record at example.com: "v=spf1 ip4:192.0.2.0/24 mx include:_spf.provider.test ~all"'
has bind-style "OK   SPF: the record needs 2 of the 10 DNS lookups"
has bind-style "OK   SPF: 192.0.2.25 may send mail for example.com"
has bind-style 'OK   DMARC: record at _dmarc.example.com: "v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"'
has bind-style "OK   DMARC: reports go to mailto:dmarc@example.com"
has bind-style "10 mail.example.com"
has bind-style "9 OK, 0 WARN, 0 FAIL"
# the include's record is under the second $ORIGIN
bind bind-style-include "$DATA/bind-style.zone" 0 --ip 198.51.100.7
has bind-style-include "OK   SPF: 198.51.100.7 may send mail for example.com"
# names are relative to the $ORIGIN in force: one moved ahead of _dmarc
# puts the record at _dmarc.provider.test
sed '/^_dmarc/i\
$ORIGIN provider.test.' "$DATA/bind-style.zone" >"$TMP/origin.zone"
bind bind-style-origin "$TMP/origin.zone" 1 --ip 192.0.2.25
has bind-style-origin "FAIL DMARC: no record at _dmarc.example.com"
# a TXT string over 255 bytes (RFC 1035 3.3) is refused, saying what to do
{
	printf '$ORIGIN example.com.\n'
	printf '@ TXT "v=spf1 %0249d"\n' 0
} >"$TMP/long.zone"
bind bind-style-long "$TMP/long.zone" 2
has bind-style-long "long.zone:2: TXT string of 256 bytes: at most 255 (RFC 1035 3.3); split it into strings of at most 255 bytes: \"...\" \"...\""

# DKIM
check wrong-key 1
has wrong-key "FAIL DKIM sel: the key published at sel._domainkey.example.com is not the one inkan signs with"
has wrong-key "inkan-keys records --domain example.com"
check no-dkim 1
has no-dkim "FAIL DKIM sel: no record at sel._domainkey.example.com"
check dkim-testing 0
has dkim-testing "WARN DKIM sel: the record says t=y"
run small-key 0 check --domain example.com --dir "$TMP/small" \
    --dns-zone "$DATA/small-key.zone"
has small-key "WARN DKIM small: the key has 1024 bits"
# --selector without a key of ours: checked, not compared
run selector 0 check --domain example.com --selector sel \
    --dns-zone "$DATA/wrong-key.zone"
has selector "holds a valid rsa key (not compared"

# SPF
check two-spf 1
has two-spf "FAIL SPF: example.com has 2 SPF records"
has two-spf '"v=spf1 include:_spf.provider.test -all"'
check no-spf 1
has no-spf "FAIL SPF: example.com has no SPF record"
check spf-eleven 1
has spf-eleven "FAIL SPF: the record needs 11 DNS lookups"
has spf-eleven "example.com: 2 lookups: mx include:a.spf.test"
has spf-eleven "  include:a.spf.test: 3 lookups: include:b.spf.test a:x1.spf.test a:x2.spf.test"
has spf-eleven "      include:c.spf.test: 3 lookups: a:x5.spf.test a:x6.spf.test a:x7.spf.test"
check spf-loop 1
has spf-loop "FAIL SPF: the includes form a loop (example.com -> a.spf.test -> example.com)"
check spf-void 1
has spf-void "FAIL SPF: 3 terms name something that does not exist"
check spf-noall 0
has spf-noall 'WARN SPF: the record does not end with an "all" term'
check good 1 --ip 203.0.113.5
has ip-not-allowed 'FAIL SPF: 203.0.113.5 is not allowed to send mail for example.com: receivers get "softfail"'
has ip-not-allowed 'Add "ip4:203.0.113.5"'

# DMARC
check no-dmarc 1
has no-dmarc "FAIL DMARC: no record at _dmarc.example.com"
check dmarc-no-rua 0
has dmarc-no-rua "WARN DMARC: no rua= report address"
has dmarc-no-rua "OK   DMARC: p=none: receivers only report; nothing is rejected"
check dmarc-bad-tag 1
has dmarc-bad-tag "FAIL DMARC: the record at _dmarc.example.com is invalid: p=, sp= and np= must each be none, quarantine or reject"
# with a valid rua= receivers read the broken record as p=none (RFC 9989)
has dmarc-bad-tag "receivers read it as p=none"
check rua-external 1
has rua-external "FAIL DMARC: reports to mailto:reports@dmarc-service.test are not sent"
has rua-external "example.com._report._dmarc.dmarc-service.test"
check rua-external-ok 0
has rua-external-ok "dmarc-service.test has agreed to receive them"

# MX
check no-mx 0
has no-mx "WARN MX: example.com has no MX record"

# usage errors
run usage-nodomain 2 check
run usage-badip 2 check --domain example.com --ip 1.2.3 \
    --dns-zone "$DATA/good.zone"
run usage-both 2 check --domain example.com --dir "$TMP/keys" \
    --config "$TMP/inkan.conf" --dns-zone "$DATA/good.zone"
run usage-zone 2 check --domain example.com --dns-zone "$TMP/missing.zone"
run usage-records 2 records --domain example.com
run usage-policy 2 records --domain example.com --dir "$TMP/keys" \
    --policy block
has usage-policy "inkan-keys records: --policy is none, quarantine or reject, not 'block'"
# every subcommand refuses the same names with the same words, each with
# its reason (issue 15): a final dot (it would print "_dmarc.example.com.."
# in zone form), a single label, an IP literal, a leading hyphen, a label
# over 63 bytes, bytes outside letters/digits/hyphens, a bad IDN
long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
while IFS='|' read -r d why; do
	for cmd in records check generate rotate; do
		case $cmd in
		generate|rotate) sel="--selector s9" ;;
		*) sel= ;;
		esac
		# shellcheck disable=SC2086
		run "$cmd-domain-$d" 2 "$cmd" --domain "$d" $sel --dir "$TMP/keys"
		has "$cmd-domain-$d" "inkan-keys $cmd: '$d' is not a valid domain name: $why"
	done
done <<DOMAINS
example.com.|drop the final dot (write example.com;
localhost|it is a single label: give the mail domain (such as example.com)
com|it is a single label
192.0.2.1|it is an IP address, not a domain name
[192.0.2.1]|it is an IP address, not a domain name
2001:db8::1|it is an IP address, not a domain name
1.2.3.400|its last label is all digits
-example.com|the label '-example' starts with a hyphen
example-.com|the label 'example-' ends with a hyphen
$long.example|the label '$long' is 70 bytes long; a label has at most 63
ex_ample.com|'_' is not allowed: a domain name holds letters, digits, hyphens and dots
a..example|it has an empty label
☃.example|it is not a valid internationalized domain name
xn--zz.example|it has an xn-- label that is not a valid A-label
DOMAINS
# selectors: RFC 6376 3.1 (sub-domain of RFC 5321), and the message says
# that rule whatever the reason
rule="a selector is letters, digits and hyphens, in labels separated by dots, no label starting or ending with a hyphen (RFC 6376 3.1)"
while IFS='|' read -r s why; do
	for cmd in generate check; do
		run "$cmd-selector-$s" 2 "$cmd" --domain example.com \
		    --selector "$s" --dir "$TMP/keys"
		has "$cmd-selector-$s" "inkan-keys $cmd: '$s' is not a valid selector: $why; $rule"
	done
done <<'SELECTORS'
s9.|it ends with a dot
s_1|'_' is not allowed
-s|the label '-s' starts with a hyphen
s-|the label 's-' ends with a hyphen
a..b|it has an empty label (a dot at the start, or two dots in a row)
SELECTORS
if [ ! -e "$TMP/keys/example.com/s_1.private" ] &&
    [ ! -e "$TMP/keys/example.com/-s.private" ]; then ok; else
	bad "generate-selector: wrote a key for a refused selector"; fi
# accepted: case folded (one directory per domain whatever the spelling),
# an IDN as its A-label; --dir and its parents are made, mode 0700
run generate-case 0 generate --domain EXAMPLE.Org --selector S1 \
    --dir "$TMP/new/a/b" --type ed25519
has generate-case "s1._domainkey.example.org. IN TXT"
if [ -f "$TMP/new/a/b/example.org/s1.private" ] &&
    [ ! -e "$TMP/new/a/b/EXAMPLE.Org" ]; then ok; else
	bad "generate-case: no $TMP/new/a/b/example.org/s1.private"; fi
for d in "$TMP/new" "$TMP/new/a" "$TMP/new/a/b" "$TMP/new/a/b/example.org"; do
	mode=$(stat -c %a "$d" 2>/dev/null)
	[ "$mode" = 700 ] && ok || bad "generate-parents: $d has mode $mode, want 700"
done
run generate-idn 0 generate --domain bücher.example --selector s1 \
    --dir "$TMP/new" --type ed25519
has generate-idn "bücher.example is xn--bcher-kva.example in DNS (its A-label"
has generate-idn "s1._domainkey.xn--bcher-kva.example. IN TXT"
[ -f "$TMP/new/xn--bcher-kva.example/s1.private" ] && ok || \
    bad "generate-idn: no $TMP/new/xn--bcher-kva.example/s1.private"
run records-idn 0 records --domain BÜCHER.example --dir "$TMP/new"
has records-idn "s1._domainkey.xn--bcher-kva.example. IN TXT"
has records-idn "_dmarc.xn--bcher-kva.example. IN TXT"
# a --dir that does not exist is an error, not "no keys" (exit 2, as the
# man page says), and the key store's complaints carry the command's name
run records-typo 2 records --domain example.com --dir "$TMP/typo"
has records-typo "inkan-keys records: --dir $TMP/typo: no such directory"
lacks records-typo 'v=spf1|v=DMARC1'
run check-typo 2 check --domain example.com --dir "$TMP/typo" \
    --dns-zone "$DATA/good.zone"
has check-typo "inkan-keys check: --dir $TMP/typo: no such directory"
lacks check-typo 'holds no key'
run rotate-typo 2 rotate --domain example.com --selector s5 --dir "$TMP/typo"
has rotate-typo "inkan-keys rotate: --dir $TMP/typo: no such directory"
mkdir -p "$TMP/odd/not a domain"
run records-odd 0 records --domain example.com --dir "$TMP/odd"
has records-odd "inkan-keys records: key_dir $TMP/odd: 'not a domain' is not a domain name; ignored"
has records-odd "make one with \`inkan-keys generate --domain example.com --selector NAME --dir $TMP/odd\`"

# records: the DKIM record is that of the key, as the zone file has it
run records 0 records --domain example.com --dir "$TMP/keys" --format value
dkimval=$(sed -n 's/^sel._domainkey.example.com. TXT ( *//p' \
    "$DATA/good.zone" | sed 's/" *"//g; s/^"//; s/" *)$//')
[ -n "$dkimval" ] || bad "records: no DKIM record in good.zone"
has records-dkim "value: $dkimval"
has records-spf-default "value: v=spf1 mx ~all"
has records-dmarc-default \
    "value: v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"
lacks records-nopct 'pct='
run records-opts 0 records --domain example.com --dir "$TMP/keys" \
    --format value --spf-ip 192.0.2.1 --spf-ip 2001:db8::/32 --spf-a \
    --spf-mx --spf-include _spf.provider.test --spf-strict \
    --policy reject --subdomain-policy quarantine \
    --rua mailto:agg@example.com --pct 50
has records-opts "value: v=spf1 ip4:192.0.2.1 ip6:2001:db8::/32 a mx include:_spf.provider.test -all"
has records-opts "value: v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:agg@example.com"
has records-pct-warning "RFC 9989"
has records-pct-warning "t=y"
# eleven includes are more lookups than receivers allow
set --
for i in 1 2 3 4 5 6 7 8 9 10 11; do set -- "$@" --spf-include "i$i.example.net"; done
run records-eleven 2 records --domain example.com --dir "$TMP/keys" "$@"
has records-eleven "receivers allow 10"
# zone form: every string at most 255 bytes
run records-zone 0 records --domain example.com --dir "$TMP/keys"
if printf '%s\n' "$OUT" | "$PY" -c '
import re, sys
strs = re.findall(r"\"((?:[^\"\\\\]|\\\\.)*)\"", sys.stdin.read())
sys.exit(0 if strs and all(len(s) <= 255 for s in strs) else 1)'; then ok; else
	bad "records-zone: a string is empty or longer than 255 bytes"; fi
has records-zone "sel._domainkey.example.com. IN TXT ("
has records-zone '_dmarc.example.com. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com"'
# json parses, and holds the same values
"$KEYS" records --domain example.com --dir "$TMP/keys" --format json \
    --spf-ip 192.0.2.1 >"$TMP/r.json" 2>/dev/null
if "$PY" - "$TMP/r.json" "$dkimval" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["domain"] == "example.com"
assert r["dkim"][0]["name"] == "sel._domainkey.example.com"
assert r["dkim"][0]["value"] == sys.argv[2]
assert r["spf"]["value"] == "v=spf1 ip4:192.0.2.1 ~all", r["spf"]
assert r["spf"]["dns_terms"] == 0
assert r["dmarc"]["name"] == "_dmarc.example.com"
PYEOF
then ok; else bad "records-json: does not parse or has wrong values"; fi
# what records prints, published, passes check
"$KEYS" records --domain example.com --dir "$TMP/keys" --spf-mx \
    >"$TMP/pub.zone" 2>/dev/null
printf 'example.com. MX 10 mail.example.com.\nmail.example.com. A 192.0.2.10\n' \
    >>"$TMP/pub.zone"
run roundtrip 0 check --domain example.com --dir "$TMP/keys" \
    --dns-zone "$TMP/pub.zone" --ip 192.0.2.10
lacks roundtrip '^(WARN|FAIL)'

# Rotation: rotate writes the new key as NEW.private.pending, which inkan
# does not sign with, and prints the record and the steps with real names.
cp -R "$TMP/keys" "$TMP/rot"
R=$TMP/rot/example.com
run rotate 0 rotate --domain example.com --selector s2 --dir "$TMP/rot"
has rotate "Rotating the DKIM key of example.com: sel -> s2 (rsa, 2048 bits)"
has rotate "s2._domainkey.example.com. IN TXT ( \"v=DKIM1; k=rsa; \""
has rotate "inkan-keys check --domain example.com --dir $TMP/rot"
has rotate "TTL of your zone (typically 1 hour)"
has rotate "mv $R/s2.private.pending $R/s2.private"
has rotate "systemctl reload inkan-milter"
has rotate "rm $R/sel.private"
has rotate "Keep the old record sel._domainkey.example.com for a week"
if [ -f "$R/s2.private.pending" ] && [ ! -e "$R/s2.private" ]; then ok; else
	bad "rotate: no $R/s2.private.pending (or an active s2.private)"; fi
mode=$(stat -c %a "$R/s2.private.pending" 2>/dev/null)
[ "$mode" = 600 ] && ok || bad "rotate: pending key has mode $mode, want 600"
# the key store does not load the pending key: inkan still signs with sel
run rotate-unpublished 0 check --domain example.com --dir "$TMP/rot" \
    --dns-zone "$DATA/good.zone"
has rotate-unpublished "WARN DKIM s2: rotation in progress: selector s2 is pending ($R/s2.private.pending) and not yet published: no record at s2._domainkey.example.com"
has rotate-unpublished "       s2._domainkey.example.com. IN TXT ("
has rotate-unpublished "NOTE DKIM: inkan signs mail from example.com with selector sel"
has rotate-unpublished "s2 is pending: not used until you rename"
has rotate-unpublished "OK   DKIM sel: sel._domainkey.example.com publishes"
# records prints the pending key's record too; published, check says go
run rotate-records 0 records --domain example.com --dir "$TMP/rot"
has rotate-records "; DKIM key, selector s2 (rsa, 2048 bits), pending (inkan-keys rotate)"
"$KEYS" records --domain example.com --dir "$TMP/rot" --spf-mx \
    >"$TMP/rot.zone" 2>/dev/null
printf 'example.com. MX 10 mail.example.com.\nmail.example.com. A 192.0.2.10\n' \
    >>"$TMP/rot.zone"
run rotate-published 0 check --domain example.com --dir "$TMP/rot" \
    --dns-zone "$TMP/rot.zone" --ip 192.0.2.10
has rotate-published "OK   DKIM s2: rotation in progress: selector s2 is pending; its record is published and matches (rsa, 2048 bits), so you can activate it"
has rotate-published "       mv $R/s2.private.pending $R/s2.private"
lacks rotate-published '^(WARN|FAIL)'
# one rotation at a time; a selector is never reused; only with a key
run rotate-twice 2 rotate --domain example.com --selector s3 --dir "$TMP/rot"
has rotate-twice "a rotation is already in progress: $R/s2.private.pending"
[ ! -e "$R/s3.private.pending" ] && ok || bad "rotate-twice: wrote s3"
run rotate-reuse 2 rotate --domain example.com --selector sel \
    --dir "$TMP/keys"
has rotate-reuse "choose a new selector"
run rotate-nokey 2 rotate --domain example.org --selector s2 --dir "$TMP/rot"
has rotate-nokey "nothing to rotate"
run rotate-usage 2 rotate --domain example.com --selector s9
run rotate-force 2 rotate --domain example.com --selector s9 --dir \
    "$TMP/rot" --force
has rotate-force "inkan-keys rotate: has no --force option"
run rotate-ed25519 0 rotate --domain example.com --selector e1 --dir \
    "$TMP/keys" --type ed25519
has rotate-ed25519 "new selector e1 (ed25519)"
rm -f "$TMP/keys/example.com/e1.private.pending"

# The same with fixed keys (tests/data/keys-check/rotating: sel in use,
# s2027 pending), through the daemon's configuration too.
run rotating-unpublished 0 check --domain example.com --dir "$TMP/rotating" \
    --dns-zone "$DATA/good.zone"
has rotating-unpublished "selector s2027 is pending ($TMP/rotating/example.com/s2027.private.pending) and not yet published"
run rotating-published 0 check --domain example.com --dir "$TMP/rotating" \
    --dns-zone "$DATA/rotate-published.zone"
has rotating-published "OK   DKIM s2027: rotation in progress: selector s2027 is pending; its record is published and matches"
printf 'key_dir = %s\n' "$TMP/rotating" >"$TMP/rotating.conf"
run rotating-config 0 check --domain example.com --config \
    "$TMP/rotating.conf" --dns-zone "$DATA/rotate-published.zone"
has rotating-config "selector s2027 is pending; its record is published and matches"
run rotating-selector 0 check --domain example.com --dir "$TMP/rotating" \
    --selector s2027 --dns-zone "$DATA/rotate-published.zone"
has rotating-selector "selector s2027 is pending; its record is published and matches"
lacks rotating-selector "DKIM sel:"
# the record at the new selector holds the old key: do not activate
run rotating-wrong 1 check --domain example.com --dir "$TMP/rotating" \
    --dns-zone "$DATA/rotate-wrong.zone"
has rotating-wrong "FAIL DKIM s2027: rotation in progress: the record at s2027._domainkey.example.com is not that of the pending key"
has rotating-wrong "so do not activate it"
# activated: inkan signs with both, and check says so
mv "$TMP/rotating/example.com/s2027.private.pending" \
    "$TMP/rotating/example.com/s2027.private"
run rotating-active 0 check --domain example.com --dir "$TMP/rotating" \
    --dns-zone "$DATA/rotate-published.zone" --ip 192.0.2.25
has rotating-active "OK   DKIM s2027: s2027._domainkey.example.com publishes the public key of inkan's private key"
has rotating-active "OK   DKIM sel: sel._domainkey.example.com publishes the public key of inkan's private key"
has rotating-active "NOTE DKIM: inkan signs mail from example.com with selectors s2027 and sel"
has rotating-active "if you are rotating: once the new key verifies, remove the old key's .private file"
lacks rotating-active 'pending|^(WARN|FAIL)'
# the old key retired: one key, one selector, no rotation talk
rm "$TMP/rotating/example.com/sel.private"
run rotating-done 0 check --domain example.com --dir "$TMP/rotating" \
    --dns-zone "$DATA/rotate-published.zone" --ip 192.0.2.25
has rotating-done "OK   DKIM s2027: s2027._domainkey.example.com publishes"
lacks rotating-done 'DKIM sel|rotat|^(WARN|FAIL)'
# a pending key others may read would be refused once activated
cp -R "$DATA/rotating" "$TMP/loose"
chmod 600 "$TMP/loose/example.com/sel.private"
chmod 644 "$TMP/loose/example.com/s2027.private.pending"
run rotating-mode 0 check --domain example.com --dir "$TMP/loose" \
    --dns-zone "$DATA/rotate-published.zone"
has rotating-mode "WARN DKIM s2027: rotation in progress, but the pending key $TMP/loose/example.com/s2027.private.pending cannot be used: group or others may read it (mode 0644)"

# check suggests the records command that works: with this run's --dir or
# --config (quoted for the shell when needed), never a bare --domain
check wrong-key 1
has wrong-key-cmd "Replace the record with the one \`inkan-keys records --domain example.com --dir $TMP/keys\` prints"
check no-dkim 1
has no-dkim-cmd "Publish the TXT record \`inkan-keys records --domain example.com --dir $TMP/keys\` prints"
run no-dkim-config 1 check --domain example.com --config "$TMP/inkan.conf" \
    --dns-zone "$DATA/no-dkim.zone"
has no-dkim-config "\`inkan-keys records --domain example.com --config $TMP/inkan.conf\` prints"
cp -R "$TMP/keys" "$TMP/my keys"
run no-dkim-quoted 1 check --domain example.com --dir "$TMP/my keys" \
    --dns-zone "$DATA/no-dkim.zone"
has no-dkim-quoted "\`inkan-keys records --domain example.com --dir '$TMP/my keys'\` prints"
run no-dkim-nokeys 1 check --domain example.com --selector sel \
    --dns-zone "$DATA/no-dkim.zone"
has no-dkim-nokeys "\`inkan-keys records --domain example.com --dir <key_dir>\` prints"
run no-spf-cmd 1 check --domain example.com --dir "$TMP/keys" \
    --dns-zone "$DATA/no-spf.zone"
has no-spf-cmd "(\`inkan-keys records --domain example.com --dir $TMP/keys\` builds it)"
mkdir "$TMP/empty"
run nokey-dir 0 check --domain example.com --dir "$TMP/empty" \
    --dns-zone "$DATA/good.zone"
has nokey-dir "inkan-keys generate --domain example.com --selector <name> --dir $TMP/empty,"
# a domain that does not exist is said once, not as "no record at" each name
run nxdomain-zone 1 check --domain nosuch.example.com --dir "$TMP/keys" \
    --dns-zone "$DATA/good.zone"
has nxdomain-zone "FAIL DNS: nosuch.example.com does not exist (NXDOMAIN from the zone file $DATA/good.zone)"
lacks nxdomain-zone 'no record at|no SPF record'

# The resolver (issue 15): tests/keys/fakeresolver.py on loopback plays a
# resolver that fails one way; nothing goes to the network. --dns-timeout
# keeps each wait short; where the progress line (shown after 1 s) is
# looked for, the wait is 2 s, so a loaded machine still shows it.
RPIDS=
trap 'for p in $RPIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT INT TERM
# fake MODE: start the resolver, its port in $PORT
fake() {
	"$PY" "$HERE/fakeresolver.py" "$1" "$TMP/port.$1" 120 &
	RPIDS="$RPIDS $!"
	i=0
	while [ ! -s "$TMP/port.$1" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	PORT=$(cat "$TMP/port.$1" 2>/dev/null)
	[ -n "$PORT" ] || bad "fakeresolver $1 did not start"
}
DT=1200
fake silent
run res-silent 2 check --domain example.com --dir "$TMP/keys" \
    --resolver "127.0.0.1@$PORT" --dns-timeout 2000
has res-silent "Checking the DNS records of example.com, asking 127.0.0.1@$PORT (--resolver)"
has res-silent "inkan-keys check: waiting for 127.0.0.1@$PORT (--resolver) to answer com NS ..."
has res-silent "FAIL DNS: the resolver does not answer: 127.0.0.1@$PORT (--resolver) gave no answer within 2.0 s even for the top-level domain com, so nothing about example.com can be checked"
has res-silent "dig @127.0.0.1 -p $PORT com. NS"
lacks res-silent 'DNS servers of example.com|^(OK|WARN) |DKIM|SPF|DMARC|MX'
# the same through the configuration's dns_forwarders (and dns_timeout)
printf 'key_dir = %s\ndns_forwarders = 127.0.0.1@%s\ndns_timeout = %s\n' \
    "$TMP/keys" "$PORT" $DT >"$TMP/fwd.conf"
run res-config 2 check --domain example.com --config "$TMP/fwd.conf"
has res-config "FAIL DNS: the resolver does not answer: 127.0.0.1@$PORT (dns_forwarders in $TMP/fwd.conf) gave no answer"
# a port where nothing listens
DEAD=$("$PY" -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run res-dead 2 check --domain example.com --resolver "127.0.0.1@$DEAD" \
    --dns-timeout $DT
has res-dead "FAIL DNS: the resolver does not answer: 127.0.0.1@$DEAD (--resolver)"
fake servfail
run res-servfail 2 check --domain example.com --resolver "127.0.0.1@$PORT" \
    --dns-timeout $DT
has res-servfail "FAIL DNS: the resolver gives no usable answer: 127.0.0.1@$PORT (--resolver) failed (SERVFAIL) even for the top-level domain com"
lacks res-servfail 'DNS servers of example.com'
fake nxdomain
run res-nxdomain 1 check --domain example.com --dir "$TMP/keys" \
    --resolver "127.0.0.1@$PORT" --dns-timeout $DT
has res-nxdomain "FAIL DNS: example.com does not exist: 127.0.0.1@$PORT (--resolver) says that not even the top-level domain com exists (NXDOMAIN)"
lacks res-nxdomain 'no record at|no SPF record|waiting for'
# the resolver answers, the domain's servers do not: blame those
fake domain-timeout
run res-domain 1 check --domain example.com --resolver "127.0.0.1@$PORT" \
    --dns-timeout 2000
has res-domain "inkan-keys check: waiting for 127.0.0.1@$PORT (--resolver) to answer example.com TXT ..."
has res-domain "FAIL SPF: the lookup of example.com TXT failed: the DNS servers did not answer in time"
has res-domain "check the DNS servers of example.com"
has res-domain "NOTE DNS: 3 lookups failed for now (no answer in time, or SERVFAIL), yet 127.0.0.1@$PORT (--resolver) answers other queries"
lacks res-domain 'FAIL DNS: the resolver'
# usage
run res-usage-addr 2 check --domain example.com --resolver 192.0.2
has res-usage-addr "inkan-keys check: --resolver wants an IP address with an optional @port"
run res-usage-port 2 check --domain example.com --resolver 127.0.0.1@0
run res-usage-zone 2 check --domain example.com --resolver 127.0.0.1 \
    --dns-zone "$DATA/good.zone"
has res-usage-zone "give --dns-zone or --resolver, not both"
run res-usage-timeout 2 check --domain example.com --dns-timeout 50
has res-usage-timeout "--dns-timeout is a number of milliseconds from 100 to 20000"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
