#!/bin/sh
# SPDX-License-Identifier: ISC
# po.sh SRCDIR - the Japanese catalogue against the sources:
#   - po/inkan.pot is current: regenerated from po/POTFILES, it has the
#     same msgids (locations and dates may differ);
#   - po/ja.po has exactly those msgids, each translated (not empty, not
#     fuzzy), and msgfmt --check (printf directives of each msgstr match
#     its msgid's, header complete) accepts it;
#   - one Japanese term per English one: variants of the terms in ja.po's
#     glossary do not appear.
set -eu
SRC=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
sh "$SRC/po/update-pot.sh" "$SRC" "$T/inkan.pot"
msgfmt --check -o "$T/ja.mo" "$SRC/po/ja.po" 2>"$T/msgfmt.err" ||
    { cat "$T/msgfmt.err" >&2; fail "msgfmt --check po/ja.po"; }
/usr/bin/python3 - "$T/inkan.pot" "$SRC/po/inkan.pot" "$SRC/po/ja.po" <<'PYEOF'
import ast, re, sys

def entries(path):
    """(msgid, msgstr, flags) of each entry but the header."""
    out = []
    for block in open(path, encoding="utf-8").read().split("\n\n"):
        msgid = msgstr = None
        flags = ""
        cur = None
        for line in block.strip("\n").split("\n"):
            if line.startswith("#,"):
                flags += line
            elif line.startswith("msgid_plural "):
                cur = "plural"
            elif line.startswith("msgid "):
                cur, msgid = "id", ast.literal_eval(line[6:])
            elif line.startswith("msgstr ") or line.startswith("msgstr[0] "):
                cur = "str"
                msgstr = ast.literal_eval(line.split(" ", 1)[1])
            elif line.startswith("msgstr["):
                cur = "other"   # Japanese has one form (nplurals=1)
            elif line.startswith('"'):
                if cur == "id":
                    msgid += ast.literal_eval(line)
                elif cur == "str":
                    msgstr += ast.literal_eval(line)
        if msgid:
            out.append((msgid, msgstr, flags))
    return out

fresh, committed, ja = (entries(p) for p in sys.argv[1:4])
bad = []
f_ids, c_ids, j_ids = ({e[0] for e in x} for x in (fresh, committed, ja))
for m in sorted(f_ids - c_ids):
    bad.append("po/inkan.pot lacks (run po/update-pot.sh): %r" % m)
for m in sorted(c_ids - f_ids):
    bad.append("po/inkan.pot has a msgid no source has: %r" % m)
for m in sorted(f_ids - j_ids):
    bad.append("po/ja.po lacks (msgmerge it): %r" % m)
for m in sorted(j_ids - f_ids):
    bad.append("po/ja.po has an obsolete msgid: %r" % m)
conv = re.compile(r"%(?:\d+\$)?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t|L)?[diouxXfeEgGcsp%]|%(?:\d+\$)?<PRI[a-zA-Z0-9]+>")
for msgid, msgstr, flags in ja:
    if "fuzzy" in flags:
        bad.append("fuzzy: %r" % msgid)
    if not msgstr:
        bad.append("untranslated: %r" % msgid)
        continue
    # the same number of arguments (msgfmt --check compares their types)
    a = [c for c in conv.findall(msgid) if c != "%%"]
    b = [c for c in conv.findall(msgstr) if c != "%%"]
    if len(a) != len(b):
        bad.append("%d directives, %d translated: %r" % (len(a), len(b), msgid))
    if msgid.endswith("\n") != msgstr.endswith("\n"):
        bad.append("line end differs: %r" % msgid)
# one term each (see the glossary at the top of ja.po)
variants = ["送信者", "受信者", "シグネチャ", "セレクター", "リゾルバー",
            "ルックアップ", "集約レポート", "アグリゲート", "整合性",
            "DKIM 署名", "SPF レコード", "DMARC ポリシー"]
for msgid, msgstr, _ in ja:
    # "bulk senders" is Google's word (大量送信者), not a source
    text = msgstr.replace("大量送信者", "")
    for v in variants:
        if v in text:
            bad.append("term %r (see the glossary) in the translation of %r" % (v, msgid))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF
echo "ok"
