#!/bin/sh
# SPDX-License-Identifier: ISC
# metrics.sh INKAN_REPORTS SRCDIR - `--metrics FILE` of import and
# received: Prometheus textfiles for node_exporter, parsed here the way
# the exposition format (0.0.4) reads: HELP and TYPE before each family's
# samples, names inkan_reports_*, counters ending in _total, label values
# escaped; import's counters grow across runs, refused reports counted by
# class; received's gauges are the summary's numbers; the file is replaced
# by rename (a new inode, no FILE.tmp left). Fixed times (--now).
set -eu
# English whatever the caller's locale (tests/i18n has the Japanese)
LC_ALL=C
export LC_ALL
R=$1 SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$PY" "$SRC/tests/reports/gen_week.py" "$T/w"
"$PY" "$SRC/tests/reports/gen_received.py" "$T/g" >/dev/null
# mcheck FILE PYTHON-EXPRESSION: m maps "name{labels}" (labels sorted,
# values unescaped) to the value; types maps family to its TYPE
mcheck() {
	"$PY" - "$1" "$2" <<'PYEOF' || { cat "$1" >&2; fail "metrics $1: $2"; }
import re, sys
path, expr = sys.argv[1], sys.argv[2]
m, types, helps = {}, {}, {}
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9]+(?:\.[0-9]+)?)$')
lab = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
for line in open(path, encoding="utf-8").read().split("\n")[:-1]:
    if line.startswith("# HELP "):
        name, text = line[7:].split(" ", 1)
        if name in helps: sys.exit("two HELP lines for " + name)
        helps[name] = text
        continue
    if line.startswith("# TYPE "):
        name, t = line[7:].split(" ")
        if name not in helps: sys.exit("TYPE before HELP: " + name)
        if t not in ("counter", "gauge"): sys.exit("type " + t)
        types[name] = t
        continue
    s = sample.match(line)
    if not s: sys.exit("not a sample: %r" % line)
    name, labels, value = s.group(1), s.group(3) or "", s.group(4)
    if not name.startswith("inkan_reports_"): sys.exit("prefix: " + name)
    if name not in types: sys.exit("sample before its TYPE: " + name)
    if types[name] == "counter" and not name.endswith("_total"): sys.exit("counter name " + name)
    pairs, pos = [], 0
    while pos < len(labels):
        l = lab.match(labels, pos)
        if not l: sys.exit("labels: %r" % labels)
        v = re.sub(r'\\(.)', lambda x: "\n" if x.group(1) == "n" else x.group(1), l.group(2))
        pairs.append((l.group(1), v))
        pos = l.end()
    key = name + ("{" + ",".join('%s=%s' % p for p in sorted(pairs)) + "}" if pairs else "")
    if key in m: sys.exit("duplicate sample " + key)
    m[key] = float(value)
sys.exit(0 if eval(expr) else 1)
PYEOF
}
inode() { stat -c %i "$1"; }

# import: two runs into one file; the counters add up
M=$T/import.prom
"$R" import --db "$T/r.db" --now 1000000000 --metrics "$M" "$T/w" "$T/g/hostile" >/dev/null 2>&1 || true
[ -f "$M" ] || fail "no $M"
[ -e "$M.tmp" ] && fail "$M.tmp left behind"
mcheck "$M" 'm["inkan_reports_import_reports_total{result=imported}"] == 23 and m["inkan_reports_import_reports_total{result=refused}"] == 13 and m["inkan_reports_import_reports_total{result=duplicate}"] == 0'
mcheck "$M" '[m["inkan_reports_import_refused_total{reason=%s}" % c] for c in ("entities", "too_large", "not_a_report", "xml", "compression", "content", "other")] == [3, 2, 2, 2, 1, 3, 0]'
# 22 * (a week) + 2 (the hostile one) + 1 (external-dtd.xml)
mcheck "$M" 'm["inkan_reports_import_messages_total"] == 3276 and m["inkan_reports_import_last_run_timestamp_seconds"] == 1000000000'
mcheck "$M" 'types["inkan_reports_import_reports_total"] == "counter" and types["inkan_reports_import_last_run_timestamp_seconds"] == "gauge"'
i1=$(inode "$M")
"$R" import --db "$T/r.db" --now 1000000100 --metrics "$M" "$T/w" "$T/g/a1.xml" >/dev/null || fail "import 2"
[ "$(inode "$M")" != "$i1" ] || fail "$M rewritten in place, not renamed"
mcheck "$M" 'm["inkan_reports_import_reports_total{result=imported}"] == 24 and m["inkan_reports_import_reports_total{result=duplicate}"] == 22 and m["inkan_reports_import_reports_total{result=refused}"] == 13'
mcheck "$M" 'm["inkan_reports_import_messages_total"] == 3276 + 1217 and m["inkan_reports_import_last_run_timestamp_seconds"] == 1000000100'
# a damaged old file: its numbers are not trusted, the run's are written
printf 'inkan_reports_import_reports_total{result="imported"} 12x\ngarbage\n' >"$M"
"$R" import --db "$T/r.db" --now 1000000200 --metrics "$M" "$T/g/a1.xml" >/dev/null || fail "import 3"
mcheck "$M" 'm["inkan_reports_import_reports_total{result=imported}"] == 0 and m["inkan_reports_import_reports_total{result=duplicate}"] == 1'
# an unwritable place: exit 1, with the reason
st=0; "$R" import --db "$T/r.db" --metrics "$T/no/such.prom" "$T/g/a1.xml" >/dev/null 2>"$T/err" || st=$?
[ "$st" = 1 ] && grep -q 'no/such.prom.tmp' "$T/err" || fail "unwritable: exit $st: $(cat "$T/err")"

# received: the summary of the week as gauges
S=$T/received.prom
"$R" received --db "$T/r.db" --domain example.com --days 7 --now 999993600 --metrics "$S" >"$T/out" || fail "received --metrics"
grep -q "^verdict: not ready" "$T/out" || fail "received --metrics printed no summary"
mcheck "$S" 'm["inkan_reports_received_reports{domain=example.com}"] == 22 and m["inkan_reports_received_ready_reject{domain=example.com}"] == 0'
mcheck "$S" 'm["inkan_reports_received_messages{dmarc=pass,domain=example.com,source=192.0.2.1}"] == 2730 and m["inkan_reports_received_messages{dmarc=fail,domain=example.com,source=192.0.2.7}"] == 480'
mcheck "$S" 'sum(v for k, v in m.items() if k.startswith("inkan_reports_received_messages{")) == 3275'
mcheck "$S" 'sum(v for k, v in m.items() if k.startswith("inkan_reports_received_messages{dmarc=fail")) == 543'
mcheck "$S" 'm["inkan_reports_received_aligned_messages{domain=example.com,method=spf,source=192.0.2.7}"] == 0 and m["inkan_reports_received_disposition_messages{disposition=none,domain=example.com,source=198.51.100.5}"] == 63'
mcheck "$S" 'all(t == "gauge" for t in types.values())'
# a domain passing everything; label values escaped
"$R" import --db "$T/r.db" --now 1000172799 "$T/g/c3.zip" "$T/g/maildir" >/dev/null || fail "import other.example"
"$R" received --db "$T/r.db" --domain other.example --days 3 --now 1000172799 --json --metrics "$S" >/dev/null || fail "received other.example"
mcheck "$S" 'm["inkan_reports_received_ready_reject{domain=other.example}"] == 1 and m["inkan_reports_received_messages{dmarc=pass,domain=other.example,source=203.0.113.9}"] == 6'
"$R" received --db "$T/r.db" --domain 'a"b\c' --now 1000172799 --metrics "$S" >/dev/null || fail "received odd domain"
mcheck "$S" 'm["inkan_reports_received_reports{domain=a" + chr(34) + "b" + chr(92) + "c}"] == 0'
grep -qF 'domain="a\"b\\c"' "$S" || { cat "$S" >&2; fail "label not escaped"; }
echo "ok"
