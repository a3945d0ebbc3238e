#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh INKAN_REPORTS FILL_DB SRCDIR - end-to-end test of inkan-reports:
# rows from fill_db.c, reports into a directory and through a fake
# sendmail, validated against RFC 9990's schema with xmllint.
set -eu
R=$1 FILL=$2 SRC=$3
XSD=$SRC/tests/data/reports/dmarc-aggregate.xsd
command -v xmllint >/dev/null || { echo "FAIL: xmllint missing" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
P="--org-name Inkan-Test --email dmarc-reports@receiver.example
 --period-start 1000000000 --period-end 1000086399"

# 1. authorization record present: two reports
mkdir "$T/a"; "$FILL" "$T/a.db"
# shellcheck disable=SC2086
"$R" --db "$T/a.db" $P --out-dir "$T/a" --dns-zone "$SRC/tests/data/reports/auth.zone" >"$T/a.out"
[ "$(ls "$T/a" | wc -l)" -eq 2 ] || fail "want 2 reports: $(ls "$T/a")"
for f in "$T"/a/*.xml.gz; do
	gunzip -c "$f" >"$T/x.xml"
	xmllint --noout --schema "$XSD" "$T/x.xml" 2>"$T/lint" || { cat "$T/lint"; fail "$f invalid"; }
done
com=$T/a/'receiver.example!example.com!1000000000!1000086399!1000000000r1.xml.gz'
[ -f "$com" ] || fail "file name"
gunzip -c "$com" >"$T/com.xml"
n=$(xmllint --xpath 'count(//*[local-name()="record"])' "$T/com.xml")
[ "$n" = 3 ] || fail "example.com records: $n"
n=$(xmllint --xpath 'sum(//*[local-name()="count"])' "$T/com.xml")
[ "$n" = 5 ] || fail "example.com messages: $n"
grep -q '<source_ip>192.0.2.9</source_ip>' "$T/com.xml" || fail "mapped IPv4"
grep -q '<type>trusted_forwarder</type>' "$T/com.xml" || fail "override"
grep -q '<np>reject</np>' "$T/com.xml" || fail "np of the record"
grep -q '<generator>inkan-reports [0-9.]*</generator>' "$T/com.xml" || fail "generator"
grep -q 'example.org: wrote .* for reports@thirdparty.example$' "$T/a.out" || fail "example.org dest"
# a second run reports nothing new
# shellcheck disable=SC2086
"$R" --db "$T/a.db" $P --out-dir "$T/a" --dns-zone "$SRC/tests/data/reports/auth.zone" >"$T/a2.out"
[ ! -s "$T/a2.out" ] || fail "second run: $(cat "$T/a2.out")"
[ "$(ls "$T/a" | wc -l)" -eq 2 ] || fail "second run wrote files"

# 2. no authorization record: example.org gets no report
mkdir "$T/b"; "$FILL" "$T/b.db"
# shellcheck disable=SC2086
"$R" --db "$T/b.db" $P --out-dir "$T/b" --dns-zone "$SRC/tests/data/reports/noauth.zone" >"$T/b.out" 2>"$T/b.err"
[ "$(ls "$T/b" | wc -l)" -eq 1 ] || fail "noauth: $(ls "$T/b")"
grep -q 'not authorized' "$T/b.err" || fail "noauth message"

# 3. mail: a failing sendmail keeps the rows (exit 1), a working one sends
"$FILL" "$T/c.db"; mkdir "$T/mail"
# shellcheck disable=SC2086
if "$R" --db "$T/c.db" $P --sendmail false --dns-zone "$SRC/tests/data/reports/auth.zone" >/dev/null 2>&1; then
	fail "failing sendmail: exit 0"
fi
# shellcheck disable=SC2086
"$R" --db "$T/c.db" $P --sendmail "cat >\"$T/mail/\$\$.eml\"" --dns-zone "$SRC/tests/data/reports/auth.zone" >/dev/null
[ "$(ls "$T/mail" | wc -l)" -eq 2 ] || fail "want 2 mails"
m=$(grep -l '^To: dmarc@example.com' "$T"/mail/*.eml) || fail "no mail to example.com"
grep -q '^Subject: Report Domain: example.com$' "$m" || fail subject
grep -q '^ Submitter: receiver.example$' "$m" || fail submitter
grep -q '^ Report-ID: <1000000000r1>$' "$m" || fail report-id
grep -q '^Content-Type: application/gzip' "$m" || fail media-type
sed -n '/^Content-Transfer-Encoding: base64/,/^--/p' "$m" | sed '1,2d;$d' |
    base64 -d | gunzip -c >"$T/m.xml"
xmllint --noout --schema "$XSD" "$T/m.xml" 2>"$T/lint" || { cat "$T/lint"; fail "mailed report invalid"; }

# 4. retention: --keep-days 0 keeps every row; by default rows older than
# 31 days go (fill_db's rows are from 2001), reported or not
rows() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM messages").fetchone()[0])' "$1"; }
"$FILL" "$T/d.db"; mkdir "$T/d"
all=$(rows "$T/d.db")
[ "$all" -gt 0 ] || fail "fill_db wrote no rows"
# shellcheck disable=SC2086
"$R" --db "$T/d.db" $P --out-dir "$T/d" --dns-zone "$SRC/tests/data/reports/auth.zone" --keep-days 0 >"$T/d.out"
[ "$(rows "$T/d.db")" = "$all" ] || fail "--keep-days 0 removed rows"
# shellcheck disable=SC2086
"$R" --db "$T/d.db" $P --out-dir "$T/d" --dns-zone "$SRC/tests/data/reports/auth.zone" >"$T/d2.out"
[ "$(rows "$T/d.db")" = 0 ] || fail "old rows kept: $(rows "$T/d.db") of $all"
grep -q "^removed $all rows older than 31 days$" "$T/d2.out" || fail "prune message: $(cat "$T/d2.out")"

# 5. the run's time comes from --now, never the wall clock: --yesterday is
# the UTC day before --now, and --keep-days counts back from --now. fill_db's
# rows lie in 1000000000..1000086399 (2001-09-09 01:46:40 .. 2001-09-10).
Q="--org-name Inkan-Test --email dmarc-reports@receiver.example"
Z="--dns-zone $SRC/tests/data/reports/auth.zone"
"$FILL" "$T/e.db"; mkdir "$T/e"
# --now in the day after the rows' day 1000080000 (2001-09-10 00:00 UTC)
# shellcheck disable=SC2086
"$R" --db "$T/e.db" $Q $Z --out-dir "$T/e" --yesterday --now 1000100000 --keep-days 0 >"$T/e.out"
ls "$T/e" | grep -q '^receiver.example!example.com!999993600!1000079999!' ||
    fail "--yesterday at --now 1000100000: $(ls "$T/e")"
# a --now one day later finds nothing in its yesterday
"$FILL" "$T/f.db"; mkdir "$T/f"
# shellcheck disable=SC2086
"$R" --db "$T/f.db" $Q $Z --out-dir "$T/f" --yesterday --now 1000200000 --keep-days 0 >"$T/f.out"
[ "$(ls "$T/f" | wc -l)" -eq 0 ] || fail "--yesterday a day later: $(ls "$T/f")"
# retention from --now: 10 days after the rows, --keep-days 31 keeps them,
# --keep-days 5 removes them all
# shellcheck disable=SC2086
"$R" --db "$T/f.db" $P --out-dir "$T/f" $Z --now 1000900000 >"$T/f2.out"
[ "$(rows "$T/f.db")" = "$all" ] || fail "--keep-days 31 at --now removed rows"
rm -f "$T"/f/*
# shellcheck disable=SC2086
"$R" --db "$T/f.db" $P --out-dir "$T/f" $Z --now 1000900000 --keep-days 5 >"$T/f3.out"
[ "$(rows "$T/f.db")" = 0 ] || fail "--keep-days 5 at --now kept rows"
# a mailed report's Date is --now
"$FILL" "$T/g.db"; mkdir "$T/gm"
# shellcheck disable=SC2086
"$R" --db "$T/g.db" $P $Z --sendmail "cat >\"$T/gm/\$\$.eml\"" --now 1000100000 --keep-days 0 >/dev/null
grep -q '^Date: Mon, 10 Sep 2001 05:33:20 +0000' "$T"/gm/*.eml || fail "mail Date from --now: $(grep -h '^Date' "$T"/gm/*.eml)"

# 6. hostile values in every field (fill_db hostile): each report parses
# and is valid against the schema, valid non-ASCII survives, what XML
# cannot hold is U+FFFD, a domain with no usable source address or a
# hostile Policy Domain or rua= makes no report and stops nothing else.
"$FILL" "$T/h.db" hostile; mkdir "$T/h"
org=$(printf 'Org <&> \001\377 ]]>')
"$R" --db "$T/h.db" --org-name "$org" --email dmarc-reports@receiver.example \
    --period-start 1000000000 --period-end 1000086399 --keep-days 0 \
    --out-dir "$T/h" $Z >"$T/h.out" 2>"$T/h.err" || fail "hostile rows: exit $?"
[ "$(ls "$T/h" | wc -l)" -eq 2 ] || fail "hostile: want 2 reports: $(ls "$T/h" | cut -c1-200)"
for d in hostile raw; do
	f=$(ls "$T"/h/*"!$d.example!"*) || fail "no report for $d.example"
	gunzip -c "$f" >"$T/$d.xml"
	xmllint --noout --schema "$XSD" "$T/$d.xml" 2>"$T/lint" || { head -c 2000 "$T/lint"; fail "$d.example report invalid"; }
done
# diagnostics quote values cleaned and cut short: no control characters,
# valid UTF-8, no line of 70000 bytes
[ -s "$T/h.err" ] || fail "hostile: no diagnostics"
! LC_ALL=C grep -q '[[:cntrl:]]' "$T/h.err" || fail "hostile: control characters in the diagnostics"
iconv -f UTF-8 -t UTF-8 "$T/h.err" >/dev/null 2>&1 || fail "hostile: diagnostics not UTF-8"
[ "$(LC_ALL=C awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/h.err")" -le 600 ] ||
    fail "hostile: a diagnostic line over 600 bytes"
grep -q '^noip.example: no row with a usable source address; rows skipped$' "$T/h.out" ||
    fail "noip.example: $(grep noip "$T/h.out" | cut -c1-200)"
/usr/bin/python3 "$SRC/tests/reports/check_hostile.py" "$T/h.db" "$T/hostile.xml" \
    "$T/raw.xml" "$(printf 'Org <&> \357\277\275\357\277\275 ]]>')" >"$T/check" ||
    { cut -c1-300 "$T/check"; fail "hostile report contents"; }
echo "PASS"
