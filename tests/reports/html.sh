#!/bin/sh
# SPDX-License-Identifier: ISC
# html.sh INKAN_REPORTS SRCDIR - the page of `inkan-reports received
# --html` in a real browser: a week of reports (gen_week.py, one of them
# with HTML in its organisation name) imported, the page written, then
#   - the file: self-contained (no script, no link, nothing fetched from
#     elsewhere), every value from the reports escaped, no FILE.tmp left;
#   - headless Chromium's DOM (--dump-dom): the domain in the title and
#     the heading, the three charts with their bars and points, the
#     sources table, the hostile name as text and no element made of it;
#   - no console message (an error, a refused load): the check is first
#     shown to catch one on a page that makes one;
#   - the screenshot (--screenshot): a PNG of the window's size, not
#     blank, with the pass, fail and rate colours of the charts.
# Fixed times (--now); Chromium's profile lives in the test's directory.
set -eu
# English whatever the caller's locale (tests/i18n has the Japanese)
LC_ALL=C
export LC_ALL
R=$1 SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v chromium >/dev/null || fail "chromium is not installed (scripts/deps test)"
export HOME="$T"
# browser MODE FILE OUT: chromium --dump-dom or --screenshot of file://FILE;
# its log (console messages included) in OUT.log
browser() {
	mode=$1 file=$2 out=$3
	set -- --headless --no-sandbox --disable-gpu --hide-scrollbars \
	    --user-data-dir="$T/profile" --enable-logging=stderr --v=0 \
	    --window-size=1000,1900
	if [ "$mode" = dom ]; then
		timeout 120 chromium "$@" --dump-dom "file://$file" >"$out" 2>"$out.log" ||
		    { cat "$out.log" >&2; fail "chromium --dump-dom $file"; }
	else
		timeout 120 chromium "$@" --screenshot="$out" "file://$file" \
		    >"$out.log" 2>&1 || { cat "$out.log" >&2; fail "chromium --screenshot $file"; }
	fi
}
# console OUT: the console lines Chromium logged
console() { grep -E 'CONSOLE|Content Security Policy|Refused to' "$1.log" || true; }

"$PY" "$SRC/tests/reports/gen_week.py" "$T/w"
"$R" import --db "$T/w.db" --now 1000000000 "$T/w" >"$T/import.out" ||
    { cat "$T/import.out" >&2; fail "import"; }
grep -qF "22 imported, 0 duplicates, 0 refused" "$T/import.out" || fail "import: $(tail -n 1 "$T/import.out")"
P=$T/page.html
# PTR names: two sources of one organisation (the registered domain)
cat >"$T/ptr.zone" <<'EOF2'
1.2.0.192.in-addr.arpa		PTR	o1.mail.example-esp.com.
7.2.0.192.in-addr.arpa		PTR	o2.example-esp.com.
EOF2
"$R" received --db "$T/w.db" --domain example.com --days 7 --now 999993600 --dns-zone "$T/ptr.zone" --html "$P" >"$T/out" ||
    fail "received --html: exit $?"
[ -s "$T/out" ] && fail "received --html printed: $(cat "$T/out")"
[ -e "$P.tmp" ] && fail "$P.tmp left behind"
# --html and --json together, or into a directory that does not exist
st=0; "$R" received --db "$T/w.db" --domain example.com --json --html "$P" 2>/dev/null || st=$?
[ "$st" = 2 ] || fail "--json --html: exit $st"
st=0; "$R" received --db "$T/w.db" --domain example.com --html "$T/no/such/p.html" 2>"$T/err" || st=$?
[ "$st" = 1 ] && grep -q 'no/such/p.html.tmp' "$T/err" || fail "unwritable --html: exit $st: $(cat "$T/err")"

# the file as written
"$PY" - "$P" <<'PYEOF' || fail "the page file"
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
def need(cond, what):
    if not cond:
        sys.exit("page: " + what)
evil = ("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
        "&amp;&quot;&apos;")
# the hostile organisation name, escaped once, exactly
need(evil in page, "hostile name not escaped as expected")
low = page.replace(evil, "").lower()
for bad in ("<script", "<link", "<img", "<iframe", "<object", "<embed",
            "@import", "url(", "src=", "href=", "http://", "https://",
            "onerror"):
    need(bad not in low, "has " + bad)
need("default-src 'none'" in page, "no Content-Security-Policy")
need("<title>DMARC aggregate reports about example.com</title>" in page, "title")
PYEOF

# the browser refuses nothing and logs nothing on our page; the check
# itself catches a console error and a refused load
cat >"$T/bad.html" <<'EOF2'
<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy"
content="default-src 'none'"></head><body><p>x</p>
<img src="https://www.example.net/x.png"><script>console.error("boom")</script>
</body></html>
EOF2
browser dom "$T/bad.html" "$T/bad.dom"
[ -n "$(console "$T/bad.dom")" ] || { cat "$T/bad.dom.log" >&2; fail "a console error went unnoticed"; }
browser dom "$P" "$T/page.dom"
c=$(console "$T/page.dom")
[ -z "$c" ] || fail "console: $c"
"$PY" - "$T/page.dom" <<'PYEOF' || fail "the DOM"
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
def need(cond, what):
    if not cond:
        sys.exit("DOM: " + what)
need("<title>DMARC aggregate reports about example.com</title>" in dom, "title")
need(re.search(r"<h1>DMARC aggregate reports about example\.com</h1>", dom), "h1")
for chart in ("chart-days", "chart-rate", "chart-sources"):
    m = re.search(r'<svg[^>]*id="%s"[^>]*>(.*?)</svg>' % chart, dom, re.S)
    need(m, "no svg " + chart)
    body = m.group(1)
    if chart == "chart-rate":
        need(body.count("<circle") == 7, "%s: %d points" % (chart, body.count("<circle")))
        need(re.search(r'<polyline[^>]*points="[0-9.]+,[0-9.]+( [0-9.]+,[0-9.]+){6}"', body), "rate line")
    else:
        bars = re.findall(r'<rect class="(pass|fail)"[^>]*width="([0-9.]+)"[^>]*height="([0-9.]+)"', body)
        need(len(bars) >= 8, "%s: %d bars" % (chart, len(bars)))
        need(any(float(w) > 0 and float(h) > 0 for _, w, h in bars), chart + ": empty bars")
need(dom.count("<script") == 0 and dom.count("<img") == 0, "an element made of report data")
need("&lt;script&gt;alert(1)&lt;/script&gt;" in dom, "the hostile name is not shown as text")
rows = re.findall(r"<tr class=\"(ok|bad)\"><td>([^<]*)</td>", dom)
need([ip for _, ip in rows] == ["192.0.2.1 (o1.mail.example-esp.com)", "192.0.2.7 (o2.example-esp.com)", "198.51.100.5", "203.0.113.66", "example-esp.com"], "table rows %r" % rows)
need([k for k, _ in rows] == ["ok", "bad", "bad", "ok", "bad"], "table classes")
need(re.search(r'<table id="organisations">.*<td>example-esp.com</td><td class="n">2</td><td class="n">3,210</td><td class="n">2,730</td>', dom, re.S), "organisations table")
need('id="verdict"' in dom and "not ready for p=quarantine or p=reject: 543 of 3,275 messages (16.6%)" in dom, "verdict")
PYEOF

# the picture
browser png "$P" "$T/page.png"
c=$(console "$T/page.png")
[ -z "$c" ] || fail "console (screenshot): $c"
"$PY" "$SRC/tests/reports/check_png.py" "$T/page.png" 1000 1900 '#2e7d32' '#c62828' '#1565c0' ||
    fail "screenshot blank or without the charts' colours"
# a blank page fails that check
printf '<!DOCTYPE html><html><body></body></html>\n' >"$T/blank.html"
browser png "$T/blank.html" "$T/blank.png"
"$PY" "$SRC/tests/reports/check_png.py" "$T/blank.png" 1000 1900 >/dev/null &&
    fail "a blank page passed the screenshot check"
echo "ok"
