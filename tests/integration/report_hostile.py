#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# report_hostile.py - the aggregate report of a message with raw bytes,
# end to end: inkan-milter (spoken to in the milter protocol, milterproto.py)
# records into its report database a message whose MAIL FROM is
# "x@inj.test\xff\xfe" (bytes that are not UTF-8) and whose DKIM-Signature
# has a d= and s= of raw bytes and markup, next to an ordinary message and
# one from an IDN domain; then inkan-reports writes the report for the
# domain and it must parse and be valid against RFC 9990's schema, with
# U+FFFD where the bytes were, the IDN U-label intact, and every message
# counted. Before the fix the raw bytes went into the XML and the whole
# report for the domain was unreadable.
#
# usage: report_hostile.py INKAN-MILTER INKAN-REPORTS SRCDIR
import gzip, os, shutil, signal, sqlite3, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import milterproto as M

milter, reports, src = sys.argv[1:4]
xsd = os.path.join(src, "tests", "data", "reports", "dmarc-aggregate.xsd")
NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"
tmp = tempfile.mkdtemp(prefix="report_hostile.")
npass = nfail = 0


def check(cond, m, why=""):
    global npass, nfail
    if cond:
        npass += 1
        print("ok:", m)
    else:
        nfail += 1
        print("FAIL:", m + (": " + why if why else ""))


with open(os.path.join(tmp, "zone"), "w") as f:
    f.write('example.org TXT "v=spf1 ip4:192.0.2.10 -all"\n'
            '_dmarc.example.org TXT "v=DMARC1; p=none; rua=mailto:d@example.org"\n')
sock = os.path.join(tmp, "milter.sock")
db = os.path.join(tmp, "reports.db")
conf = os.path.join(tmp, "inkan.conf")
with open(conf, "w") as f:
    f.write("socket = unix:%s\nlog = stderr\nauthserv_id = mx.test.example\n"
            "dns_zone_file = %s\ndmarc_report_db = %s\nshutdown_timeout = 5\n"
            % (sock, os.path.join(tmp, "zone"), db))
log = open(os.path.join(tmp, "milter.log"), "w")
proc = subprocess.Popen([milter, "-f", "-c", conf], stderr=log)
for _ in range(600):
    if os.path.exists(sock) or proc.poll() is not None:
        break
    time.sleep(0.05)

# A hostile DKIM-Signature: d= and s= of raw bytes, a control, markup.
BAD_SIG = (b" v=1; a=rsa-sha256; c=relaxed/relaxed; d=ex\xffam<ple&.org;"
           b" s=se\x01l]]>\xfe; h=from; bh=AAAA; b=AAAA")
senders = [
    (b"x@inj.test\xff\xfe", [(b"DKIM-Signature", BAD_SIG)]),  # the issue's
    (b"carol@example.org", []),
    (b"dave@b\xc3\xbccher.example", []),                      # an IDN, UTF-8
]
try:
    for i, (sender, extra) in enumerate(senders):
        s = M.connect(sock, client_ip="192.0.2.10", helo=b"mx.example.org",
                      daemon_name=b"smtpd")
        got = M.message(s, sender, extra + [
            (b"From", b" Carol <carol@example.org>"), (b"To", b" bob@example.net"),
            (b"Subject", b" report %d" % i),
            (b"Date", b" Wed, 25 Nov 2026 10:00:00 +0000")], qid=b"Q%d" % i)
        s.close()
        check(M.final(got) in (b"a", b"c"), "message %d accepted" % i,
              "reply %r" % (got[-1],))
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
check(rc == 0, "clean exit on SIGTERM", "exit status %d" % rc)
log.close()

# The milter's log lines hold the raw MAIL FROM escaped: valid UTF-8, no
# control bytes, the invalid bytes as \xNN, the IDN as it came.
with open(os.path.join(tmp, "milter.log"), "rb") as f:
    lines = [l for l in f.read().splitlines() if b" smtp.mailfrom=" in l]
check(len(lines) == 3, "one log line per message", "%d" % len(lines))
for l in lines:
    try:
        l.decode("utf-8")
        check(True, "log line is UTF-8", "")
    except UnicodeDecodeError as e:
        check(False, "log line is UTF-8", "%s: %r" % (e, l[:300]))
check(any(b'smtp.mailfrom="x@inj.test\\xff\\xfe"' in l for l in lines),
      "the raw MAIL FROM logged as \\xNN escapes", repr(lines[:1]))
check(any(b"b\xc3\xbccher.example" in l for l in lines),
      "the IDN logged as UTF-8", repr(lines[-1:]))

c = sqlite3.connect(db)
try:
    n = c.execute("SELECT count(*) FROM messages").fetchone()[0]
    # Python refuses to read a TEXT column that is not UTF-8
    froms = [r[0] for r in c.execute("SELECT envelope_from FROM messages")]
    check(n == 3, "3 rows recorded", "%d" % n)
    check("inj.test\ufffd\ufffd" in froms, "MAIL FROM domain recorded as "
          "valid UTF-8", repr(froms))
except sqlite3.OperationalError as e:
    check(False, "rows readable as UTF-8", str(e))
finally:
    c.close()

# The rows' time is the milter's clock: a period from 0 to 2100-01-01 holds
# them whatever the date, and --keep-days 0 keeps them.
out = os.path.join(tmp, "out")
os.mkdir(out)
r = subprocess.run([reports, "--db", db, "--org-name", "Inkan-Test",
                    "--email", "dmarc-reports@receiver.example",
                    "--period-start", "0", "--period-end", "4102444800",
                    "--keep-days", "0", "--now", "4102444800",
                    "--dns-zone", os.path.join(tmp, "zone"), "--out-dir", out],
                   capture_output=True)
check(r.returncode == 0, "inkan-reports exit 0", r.stderr.decode(errors="replace"))
files = os.listdir(out)
check(len(files) == 1, "one report", repr(files))
if files:
    xml = os.path.join(tmp, "report.xml")
    with gzip.open(os.path.join(out, files[0])) as g, open(xml, "wb") as f:
        f.write(g.read())
    lint = subprocess.run(["xmllint", "--noout", "--schema", xsd, xml],
                          capture_output=True)
    check(lint.returncode == 0, "the report is valid against the schema",
          lint.stderr.decode(errors="replace")[:1000])
    try:
        root = ET.parse(xml).getroot()
        ef = [e.text or "" for e in root.iter(NS + "envelope_from")]
        check("inj.test\ufffd\ufffd" in ef, "envelope_from of the raw MAIL "
              "FROM written with U+FFFD", repr(ef))
        check("b\u00fccher.example" in ef, "the IDN U-label intact", repr(ef))
        # the signature's tags do not parse (d= is not a domain): it is
        # reported as a permerror, its raw d= and s= never reach the XML
        dk = [(d.findtext(NS + "domain"), d.findtext(NS + "result"))
              for d in root.iter(NS + "dkim") if d.find(NS + "result") is not None]
        check(dk == [("", "permerror")], "the hostile DKIM-Signature "
              "reported as permerror", repr(dk))
        total = sum(int(e.text) for e in root.iter(NS + "count"))
        check(total == 3, "every message counted", "%d" % total)
    except ET.ParseError as e:
        check(False, "the report parses", str(e))
print("%d passed, %d failed" % (npass, nfail))
if nfail == 0:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if nfail else 0)
