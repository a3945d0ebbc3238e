#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# check_hostile.py DB HOSTILE_XML RAW_XML ORG_NAME_WANT - the reports that
# inkan-reports wrote from fill_db's hostile rows (run.sh, section 6) parse
# as XML (expat refuses invalid UTF-8 and characters XML 1.0 lacks) and
# carry what they should: valid non-ASCII byte for byte, markup as text,
# U+FFFD where the bytes could not be written, long values whole. And the
# rows recorded through report_db_record are valid UTF-8 in the database
# (Python's sqlite3 refuses to read anything else as text).
import sqlite3
import sys
import xml.etree.ElementTree as ET

NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"
db, hostile_xml, raw_xml, org_want = sys.argv[1:5]
bad = 0


def check(cond, what):
    global bad
    print("%s: %s" % ("ok" if cond else "FAIL", what))
    bad += not cond


def texts(root, tag):
    return [e.text or "" for e in root.iter(NS + tag)]


R = "\ufffd"
for name, path in (("hostile", hostile_xml), ("raw", raw_xml)):
    root = ET.parse(path).getroot()
    hf = set(texts(root, "header_from"))
    for want in ("b\u00fccher.example", "\u4f8b\u3048.\u30c6\u30b9\u30c8",
                 "mail\U0001f4e7.example", "x@inj.test" + R + R,
                 "a<b>&amp;c\"d'e</header_from><x/>", "]]><![CDATA[x]]>",
                 "<!-- -->&#0;&#xfffe;&bogus;", "nonchar" + R * 2,
                 "surrogate" + R * 6, "cut" + R * 2,
                 "\u2028\u0085\u009f"):
        check(want in hf, "%s: header_from %r" % (name, want))
    check(any(len(s) >= 60000 for s in texts(root, "selector")),
          "%s: a 70000-byte selector is written whole" % name)
    check(any(len(s) >= 60000 for s in texts(root, "envelope_from")),
          "%s: a 70000-byte envelope_from is written whole" % name)
    check(texts(root, "org_name") == [org_want], "%s: org_name %r" %
          (name, texts(root, "org_name")))
    # every enumerated value is one of the schema's words
    check(set(texts(root, "p")) <= {"none", "quarantine", "reject"},
          "%s: p is a DispositionType" % name)
hf = set(texts(ET.parse(hostile_xml).getroot(), "header_from"))
check("?" * 8 in hf and "tab?here??line" in hf,
      "hostile: controls recorded as '?'")
raw = ET.parse(raw_xml).getroot()
hf = set(texts(raw, "header_from"))
# DEL is an XML Char (section 2.2), so the writer keeps it
check(R * 7 + "\x7f" in hf, "raw: C0 controls written as U+FFFD: %r" %
      [h for h in hf if h.startswith(R)])
check("tab\there\r\nline" in hf, "raw: TAB, CR, LF kept exactly")
check("nul" + R + "inside" in hf and R + R + "<" + R + "&" in hf,
      "raw: NUL bytes written as U+FFFD")

c = sqlite3.connect(db)
try:
    rows = c.execute("SELECT envelope_from, header_from, dkim FROM messages"
                     " WHERE policy_domain = 'hostile.example'").fetchall()
    froms = {r[0] for r in rows}
    check("x@inj.test" + R + R in froms and "b\u00fccher.example" in froms,
          "recorded rows are valid UTF-8, bad bytes as U+FFFD")
except sqlite3.OperationalError as e:
    check(False, "recorded rows readable as UTF-8: %s" % e)
print("%d failed" % bad)
sys.exit(1 if bad else 0)
