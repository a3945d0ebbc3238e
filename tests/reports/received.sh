#!/bin/sh
# SPDX-License-Identifier: ISC
# received.sh INKAN_REPORTS FILL_DB SRCDIR - the received side of
# inkan-reports: `import` of the reports gen_received.py writes (both
# formats, every packaging, hostile ones, duplicates), `received` (text
# and --json) over them, and end to end: reports that inkan-reports
# itself wrote from fill_db.c's rows, imported and summarised.
# Every time is fixed (--now); nothing depends on the clock.
set -eu
# English whatever the caller's locale (tests/i18n has the Japanese)
LC_ALL=C
export LC_ALL
R=$1 FILL=$2 SRC=$3
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1: no line with: $2"; }; }
G=$T/gen
"$PY" "$SRC/tests/reports/gen_received.py" "$G"
# jcheck FILE PYTHON-EXPRESSION: the expression holds (j is the object)
jcheck() {
	"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1]));
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" || { cat "$1" >&2; fail "json: $2"; }
}
reports() { "$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM received_reports").fetchone()[0])' "$1"; }
NOW=1000172799

# 1. every packaging, both formats; standard input last
DB=$T/r.db
"$R" import --db "$DB" --now $NOW "$G/a1.xml" "$G/b-2.xml.gz" "$G/c3.zip" \
    "$G/d4.eml" "$G/e5.eml" "$G/maildir" "$G/reports.mbox" - <"$G/j10.eml" >"$T/1.out" ||
    { cat "$T/1.out"; fail "import: exit $?"; }
has "$T/1.out" "imported $G/a1.xml: google.com report a1 about example.com, 3 records, 1217 messages"
has "$T/1.out" "imported $G/b-2.xml.gz: Microsoft report b-2 about example.com, 2 records, 11 messages"
has "$T/1.out" "imported $G/c3.zip!c3.xml: Yahoo report c3"
has "$T/1.out" "imported $G/d4.eml: d4.xml.gz: KDDI report d4"
has "$T/1.out" "imported $G/e5.eml: part 1: docomo report e5"
has "$T/1.out" "imported $G/maildir/cur/1.host:2,S: f6.zip!f6.xml: f6.example report f6"
has "$T/1.out" "imported $G/maildir/new/2.host: g7.zip!g7.xml: g7.example report g7"
has "$T/1.out" "imported $G/reports.mbox#1: h8.xml.gz: h8 report h8"
has "$T/1.out" "imported $G/reports.mbox#2: i9.xml.gz: i9 report i9"
has "$T/1.out" "imported -: j10.xml.gz: j10 report j10"
has "$T/1.out" "10 imported, 0 duplicates, 0 refused"
grep -q tmp/3.host "$T/1.out" && fail "maildir tmp/ read"
[ "$(reports "$DB")" = 10 ] || fail "reports stored: $(reports "$DB")"

# 2. the same reports again change nothing
"$R" import --db "$DB" --now $NOW "$G/a1.xml" "$G/c3.zip" >"$T/2.out" || fail "duplicates: exit $?"
has "$T/2.out" "duplicate $G/a1.xml: google.com report a1 (imported before)"
has "$T/2.out" "0 imported, 2 duplicates, 0 refused"
[ "$(reports "$DB")" = 10 ] || fail "duplicates stored"

# 3. hostile reports: refused with their reasons, the run goes on, exit 1
H=$G/hostile
if "$R" import --db "$DB" --now $NOW "$H" "$G/a1.xml" >"$T/3.out"; then
	fail "hostile: exit 0"
fi
has "$T/3.out" "refused $H/billion-laughs.xml: the document declares entities"
has "$T/3.out" "refused $H/xxe.xml: the document declares entities"
has "$T/3.out" "refused $H/xxe-parameter.xml: the document declares entities"
has "$T/3.out" "imported $H/external-dtd.xml: dtd.example report dtd1"
has "$T/3.out" "refused $H/huge-count.xml: <count>9999999999999999999999999999999999999999</count>: not a number"
has "$T/3.out" "refused $H/huge-date.xml: <begin>1000000000000000000000000000000</begin>: not a number"
has "$T/3.out" "refused $H/deep.xml: elements nested too deep"
has "$T/3.out" "refused $H/wrong-namespace.xml: not a DMARC aggregate report (namespace urn:example:not-dmarc)"
has "$T/3.out" "refused $H/truncated.xml.gz: truncated gzip"
has "$T/3.out" "refused $H/bomb.zip: zip expands past the cap of 32 MiB"
has "$T/3.out" "refused $H/bomb.xml.gz: gzip expands past the cap of 32 MiB"
has "$T/3.out" "refused $H/not-a-report.eml: no DMARC report attached"
has "$T/3.out" "refused $H/not-xml.xml: not well-formed XML"
has "$T/3.out" "refused $H/no-record-ip.xml: record 1: <source_ip> missing or not an address"
has "$T/3.out" "duplicate $G/a1.xml"
has "$T/3.out" "1 imported, 1 duplicates, 13 refused"
# nothing of /etc/passwd anywhere: not in the output, not in the file
root=$(head -n 1 /etc/passwd | cut -d: -f1-3)
[ -n "$root" ] || fail "cannot read /etc/passwd"
grep -qF "$root" "$T/3.out" && fail "passwd in the output"
"$PY" -c 'import sqlite3,sys
db = sqlite3.connect(sys.argv[1])
for t in ("received_reports", "received_rows"):
    for row in db.execute("SELECT * FROM " + t):
        if sys.argv[2] in " ".join(map(str, row)): sys.exit(1)' "$DB" "$root" ||
    fail "passwd in the database"
[ "$(reports "$DB")" = 11 ] || fail "hostile stored: $(reports "$DB")"

# 4. the summary: example.com over the reports a1 and b-2
"$R" received --db "$DB" --domain EXAMPLE.COM --days 3 --now $NOW >"$T/4.txt" || fail "received: exit $?"
has "$T/4.txt" "DMARC aggregate reports about example.com, 2001-09-08 01:46 to 2001-09-11 01:46 UTC: 2 reports"
has "$T/4.txt" "  192.0.2.7: 1,210 messages, SPF pass but not aligned (esp.example), no DKIM: add a DKIM key for that service or a CNAME to its key"
has "$T/4.txt" "  198.51.100.5: 3 messages, SPF fail, no DKIM:"
has "$T/4.txt" "note: 5 messages were reported with a DKIM fail (s=ed d=example.com) where another signature of the same domain passed"
has "$T/4.txt" "verdict: not ready for p=quarantine or p=reject: 1,213 of 1,228 messages (98.8%) failed DMARC"
grep -q '^  192.0.2.1:' "$T/4.txt" && fail "192.0.2.1 (Ed25519 explained) counted as failing"
"$R" received --db "$DB" --domain example.com --days 3 --now $NOW --json >"$T/4.json" || fail "received --json: exit $?"
jcheck "$T/4.json" 'j["domain"] == "example.com" and j["messages"] == 1228 and j["dmarc_pass"] == 15 and j["reports"] == 2'
# most messages first
jcheck "$T/4.json" '[(s["ip"], s["messages"], s["dmarc_pass"]) for s in j["sources"]] == [("192.0.2.7", 1210, 0), ("192.0.2.1", 15, 15), ("198.51.100.5", 3, 0)]'
jcheck "$T/4.json" 'j["sources"][1]["ed25519_explained"] == 5 and j["sources"][1]["verdict"] is None and j["ed25519_explained"] == 5'
jcheck "$T/4.json" 'j["sources"][0]["spf_pass"] == 1210 and j["sources"][0]["spf_aligned"] == 0 and j["sources"][0]["dispositions"] == {"none": 1204, "quarantine": 6, "reject": 0}'
jcheck "$T/4.json" 'j["sources"][0]["reported_by"] == "Microsoft, google.com" and j["sources"][0]["ptr"] is None'
jcheck "$T/4.json" 'j["published"] == "p=none; pct=100"'
jcheck "$T/4.json" 'j["ready_quarantine"] is False and j["ready_reject"] is False and j["would_affect"] == 1213 and j["verdict"].startswith("not ready")'
# PTR names from a zone file, IPv4 and IPv6
cat >"$T/ptr.zone" <<'EOF'
7.2.0.192.in-addr.arpa		PTR	newsletter.example-esp.com.
1.2.0.192.in-addr.arpa		PTR	mta2.mail.example-esp.com.
5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa	PTR	mx.example.org.
EOF
"$R" received --db "$DB" --domain example.com --days 3 --now $NOW --dns-zone "$T/ptr.zone" >"$T/4p.txt"
has "$T/4p.txt" "  192.0.2.7 (newsletter.example-esp.com): 1,210 messages, SPF pass but not aligned (esp.example), no DKIM: add a DKIM key for that service or a CNAME to its key"
grep -q '^198.51.100.5 (' "$T/4p.txt" && fail "a PTR name for 198.51.100.5"
# sources grouped by the registered domain of their PTR names
has "$T/4p.txt" "by organisation (the registered domain of the PTR name):"
has "$T/4p.txt" "  example-esp.com: 1,225 messages from 2 sources, 15 passed DMARC"
"$R" received --db "$DB" --domain example.com --days 3 --now $NOW --dns-zone "$T/ptr.zone" --json >"$T/4p.json"
jcheck "$T/4p.json" 'j["sources"][0]["ptr"] == "newsletter.example-esp.com" and j["sources"][2]["ptr"] is None'
jcheck "$T/4p.json" '[s["organisation"] for s in j["sources"]] == ["example-esp.com", "example-esp.com", None]'
jcheck "$T/4p.json" 'j["organisations"] == [{"name": "example-esp.com", "messages": 1225, "dmarc_pass": 15, "sources": 2}]'
jcheck "$T/4.json" 'j["organisations"] == [] and j["sources"][0]["organisation"] is None'
# a period without reports; a domain with only passing mail
"$R" received --db "$DB" --domain example.com --now 2000000000 --json >"$T/5.json"
jcheck "$T/5.json" 'j["messages"] == 0 and j["sources"] == [] and j["verdict"].startswith("no report")'
"$R" received --db "$DB" --domain other.example --days 3 --now $NOW --json >"$T/6.json"
jcheck "$T/6.json" 'j["messages"] == 17 and j["dmarc_pass"] == 17 and j["ready_reject"] is True and j["reports"] == 9'

# 5. usage
for args in "import" "received --db $DB" "received --db $DB --domain x --days 0" "import --db $DB --bogus"; do
	st=0
	# shellcheck disable=SC2086
	"$R" $args >/dev/null 2>&1 </dev/null || st=$?
	[ "$st" = 2 ] || fail "usage: $args: exit $st"
done

# 6. end to end: rows recorded by the milter's call (fill_db), reports
# written by inkan-reports itself (the send subcommand), imported back
"$FILL" "$T/e.db"; mkdir "$T/out"
"$R" send --db "$T/e.db" --org-name Inkan-Test --email dmarc-reports@receiver.example \
    --period-start 1000000000 --period-end 1000086399 --out-dir "$T/out" \
    --dns-zone "$SRC/tests/data/reports/auth.zone" >"$T/e.out"
[ "$(ls "$T/out" | wc -l)" -eq 2 ] || fail "send wrote $(ls "$T/out")"
"$R" import --db "$T/e.db" --now 1000090000 "$T/out" >"$T/e-import.out" || { cat "$T/e-import.out"; fail "import of our own reports"; }
has "$T/e-import.out" "2 imported, 0 duplicates, 0 refused"
"$R" received --db "$T/e.db" --domain example.com --days 1 --now 1000086399 --json >"$T/e.json"
jcheck "$T/e.json" 'j["messages"] == 5 and j["dmarc_pass"] == 3 and j["reports"] == 1'
jcheck "$T/e.json" 'sorted((s["ip"], s["messages"], s["dmarc_pass"]) for s in j["sources"]) == [("192.0.2.1", 3, 3), ("192.0.2.9", 1, 0), ("198.51.100.7", 1, 0)]'
jcheck "$T/e.json" '[s for s in j["sources"] if s["ip"] == "198.51.100.7"][0]["dispositions"]["reject"] == 1'
jcheck "$T/e.json" '[s for s in j["sources"] if s["ip"] == "192.0.2.9"][0]["dispositions"]["quarantine"] == 1'
jcheck "$T/e.json" 'all(s["reported_by"] == "Inkan-Test" for s in j["sources"])'
"$R" received --db "$T/e.db" --domain example.org --days 1 --now 1000086399 --json >"$T/o.json"
jcheck "$T/o.json" 'j["messages"] == 2 and j["dmarc_pass"] == 0 and [s["ip"] for s in j["sources"]] == ["2001:db8::5"]'
"$R" received --db "$T/e.db" --domain example.org --days 1 --now 1000086399 --dns-zone "$T/ptr.zone" --json >"$T/o.json"
jcheck "$T/o.json" 'j["sources"][0]["ptr"] == "mx.example.org" and j["published"] == "p=none; sp=none; t=y"'
echo "ok"
