#!/bin/sh
# SPDX-License-Identifier: ISC
# ja.sh INKAN_KEYS INKAN_REPORTS LOCALEDIR SRCDIR - Japanese under
# LANG=ja_JP.UTF-8, English otherwise. The locale is built privately
# (localedef into the test's directory, LOCPATH), the catalogue is the
# build tree's (INKAN_LOCALEDIR=LOCALEDIR): nothing system-wide is needed.
#   inkan-keys check, records (zone format) and rotate print Japanese;
#   records --format=json stays English, byte for byte;
#   inkan-reports received: the text and the page in Japanese, --json
#   byte for byte the English one, import's lines English;
#   LANG=C, and ja_JP without a catalogue, give the English text, byte
#   for byte that of a run with no locale variables at all.
set -eu
KEYS=$1 R=$2 LOCDIR=$3 SRC=$4
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1: no line with: $2"; }; }
[ -f "$LOCDIR/ja/LC_MESSAGES/inkan.mo" ] || fail "no $LOCDIR/ja/LC_MESSAGES/inkan.mo"
mkdir "$T/locale"
localedef -i ja_JP -f UTF-8 "$T/locale/ja_JP.UTF-8" >"$T/localedef.out" 2>&1 ||
    { cat "$T/localedef.out" >&2; fail "localedef (package locales)"; }
unset LANGUAGE LC_ALL LC_MESSAGES LC_CTYPE LANG INKAN_LOCALEDIR || true
# ja CMD...: run in Japanese; en CMD...: in the C locale; bare: no locale
# under AddressSanitizer: glibc's newlocale() keeps memory when LOCPATH is
# set (lsan.supp says where); nothing else is suppressed
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$SRC/tests/i18n/lsan.supp"
export LSAN_OPTIONS
ja() { env LOCPATH="$T/locale" LANG=ja_JP.UTF-8 INKAN_LOCALEDIR="$LOCDIR" "$@"; }
en() { env LOCPATH="$T/locale" LANG=C INKAN_LOCALEDIR="$LOCDIR" "$@"; }
nocat() { env LOCPATH="$T/locale" LANG=ja_JP.UTF-8 INKAN_LOCALEDIR="$T/none" "$@"; }
same() { cmp -s "$1" "$2" || { diff "$1" "$2" >&2 || true; fail "$1 and $2 differ"; }; }

# inkan-keys check over a correct domain (tests/data/keys-check)
D=$SRC/tests/data/keys-check
cp -R "$D/keys" "$T/keys"; chmod -R go-rwx "$T/keys"
set -- check --domain example.com --dir "$T/keys" --dns-zone "$D/good.zone" --ip 192.0.2.25
ja "$KEYS" "$@" >"$T/check.ja" 2>&1 || fail "check (ja): exit $?"
en "$KEYS" "$@" >"$T/check.en" 2>&1 || fail "check (C): exit $?"
"$KEYS" "$@" >"$T/check.bare" 2>&1 || fail "check: exit $?"
nocat "$KEYS" "$@" >"$T/check.nocat" 2>&1 || fail "check (no catalogue): exit $?"
has "$T/check.ja" "example.com のDNSレコードを確認しています (応答はゾーンファイルから)"
has "$T/check.ja" "OK   DKIM sel: sel._domainkey.example.com には inkan の秘密鍵に対応する公開鍵が公開されています (rsa、2048 ビット)"
has "$T/check.ja" "OK   SPF: 192.0.2.25 は example.com のメールを送信できます"
has "$T/check.ja" "WARN 0 件、FAIL 0 件"
has "$T/check.en" "OK   DKIM sel: sel._domainkey.example.com publishes the public key of inkan's private key (rsa, 2048 bits)"
has "$T/check.en" ", 0 WARN, 0 FAIL"
same "$T/check.en" "$T/check.bare"
same "$T/check.nocat" "$T/check.bare"
# no English finding left untranslated: each OK/NOTE line has Japanese
"$PY" - "$T/check.ja" <<'PYEOF' || fail "check (ja): an English line"
import re, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if re.match(r"(OK|NOTE|WARN|FAIL) ", line) and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", line):
        sys.exit("English: " + line.strip())
PYEOF

# records: comments in Japanese, JSON in English
set -- records --domain example.com --dir "$T/keys"
ja "$KEYS" "$@" >"$T/rec.ja" 2>&1 || fail "records (ja)"
"$KEYS" "$@" >"$T/rec.bare" 2>&1 || fail "records"
has "$T/rec.ja" "; DKIM鍵、セレクタ sel (rsa、2048 ビット)"
has "$T/rec.ja" "; DMARC (p=none: 受信側は報告するだけで、何も拒否しません)"
has "$T/rec.bare" "; DKIM key, selector sel (rsa, 2048 bits)"
ja "$KEYS" "$@" --format=json >"$T/rec.ja.json" 2>/dev/null || fail "records --format=json (ja)"
"$KEYS" "$@" --format=json >"$T/rec.json" 2>/dev/null || fail "records --format=json"
same "$T/rec.ja.json" "$T/rec.json"
has "$T/rec.json" '"comment": "DKIM key, selector sel (rsa, 2048 bits)"'

# rotate: the steps in Japanese
mkdir "$T/rot"; cp -R "$D/keys/example.com" "$T/rot/"; chmod -R go-rwx "$T/rot"
ja "$KEYS" rotate --domain example.com --selector s2 --dir "$T/rot" >"$T/rot.ja" 2>&1 || fail "rotate (ja)"
has "$T/rot.ja" "example.com の DKIM鍵をローテーションします: sel -> s2 (rsa、2048 ビット)"
has "$T/rot.ja" "1. example.com のゾーンに次の TXTレコードを公開します:"
has "$T/rot.ja" "5. 古いレコード sel._domainkey.example.com は 1 週間残しておきます:"

# inkan-reports received over a week of reports
"$PY" "$SRC/tests/reports/gen_week.py" "$T/w"
ja "$R" import --db "$T/w.db" --now 1000000000 "$T/w" >"$T/import.ja" || fail "import (ja)"
has "$T/import.ja" "22 imported, 0 duplicates, 0 refused"
set -- received --db "$T/w.db" --domain example.com --days 7 --now 999993600
ja "$R" "$@" >"$T/rcv.ja" || fail "received (ja)"
en "$R" "$@" >"$T/rcv.en" || fail "received (C)"
"$R" "$@" >"$T/rcv.bare" || fail "received"
has "$T/rcv.ja" "example.com の DMARC集計レポート、2001-09-02 00:00 ～ 2001-09-09 00:00 UTC: 22 件"
has "$T/rcv.ja" "  192.0.2.7: 480 通、SPF は pass だがアライメントなし (esp.example)、DKIM署名なし: そのサービス用の DKIM鍵を追加するか、サービスの鍵への CNAME を設定してください"
has "$T/rcv.ja" "判定: p=quarantine や p=reject にはまだ移行できません: 3,275 通のうち 543 通 (16.6%) が DMARC に失敗しており"
has "$T/rcv.en" "verdict: not ready for p=quarantine or p=reject: 543 of 3,275 messages (16.6%) failed DMARC"
same "$T/rcv.en" "$T/rcv.bare"
ja "$R" "$@" --json >"$T/rcv.ja.json" || fail "received --json (ja)"
"$R" "$@" --json >"$T/rcv.json" || fail "received --json"
same "$T/rcv.ja.json" "$T/rcv.json"
has "$T/rcv.json" '"verdict": "not ready for p=quarantine or p=reject'
ja "$R" "$@" --html "$T/ja.html" || fail "received --html (ja)"
has "$T/ja.html" '<html lang="ja">'
has "$T/ja.html" "<title>example.com の DMARC集計レポート</title>"
has "$T/ja.html" "<h2>1 日ごとのメール数</h2>"
has "$T/ja.html" "<th>送信元</th>"
"$R" "$@" --html "$T/en.html" || fail "received --html"
has "$T/en.html" '<html lang="en">'
has "$T/en.html" "<title>DMARC aggregate reports about example.com</title>"
echo "ok"
