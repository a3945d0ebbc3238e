#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# report_fleet.py - a fleet sharing one PostgreSQL report store (issue 19),
# end to end against a real server: a private cluster (initdb, pg_ctl) in
# a temporary directory, listening on a unix socket there only, run as
# user nobody when the test runs as root (initdb refuses root).
#  1. Two inkan-milter daemons (one with a libpq URI, one with key=value
#     conninfo), spoken to in the milter protocol (milterproto.py), record
#     the messages of two client addresses each into it.
#  2. Two inkan-reports runs started together ("two hosts' timers"):
#     exactly one report per Policy Domain between them, holding the rows
#     of both milters.
#  3. A run that dies between mailing and marking (its sendmail kills it)
#     leaves its claim: a run at once sends nothing, a run after the claim
#     went stale sends the same rows with the same Report-ID.
#  4. The database stopped: mail still flows (every message answered and
#     accepted), the rows wait in each milter's spool, the log says so;
#     the database started again: the rows arrive, none twice, the spools
#     empty, and the next report counts each message once.
#  5. The database slow (a lock held past the writer's statement timeout):
#     mail flows, the rows go to the spool and arrive once afterwards.
#  6. Tables of a newer inkan refuse the start.
#  7. Rows the database refuses over their values are dropped, counted and
#     logged, and the rows of the same batch still arrive.
# PostgreSQL missing is a failure, never a skip (CI installs it).
#
# usage: report_fleet.py INKAN-MILTER INKAN-REPORTS SRCDIR
import glob, gzip, os, pwd, re, shutil, signal, sqlite3, subprocess, sys
import tempfile, time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import milterproto as M
import metrics_scrape as MS

milter, reports, src = sys.argv[1:4]
NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"
NOW = 4102444800            # the reports' --now: 2100-01-01, whatever the date
npass = nfail = 0


def check(cond, m, why=""):
    global npass, nfail
    if cond:
        npass += 1
        print("ok:", m)
    else:
        nfail += 1
        print("FAIL:", m + (": " + why if why else ""))
    return cond


bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
if not bins:
    print("FAIL: PostgreSQL is not installed (/usr/lib/postgresql/*/bin/"
          "initdb; Debian package postgresql, scripts/deps test)")
    sys.exit(1)
PGBIN = os.path.dirname(bins[-1])
tmp = tempfile.mkdtemp(prefix="report_fleet.")
os.chmod(tmp, 0o755)
pgdata = os.path.join(tmp, "pgdata")
pgsock = os.path.join(tmp, "pgsock")
pglog = os.path.join(tmp, "pg.log")
as_user = []
if os.getuid() == 0:
    nobody = pwd.getpwnam("nobody")
    for d in (pgsock,):
        os.mkdir(d)
        os.chown(d, nobody.pw_uid, nobody.pw_gid)
    open(pglog, "w").close()
    os.chown(pglog, nobody.pw_uid, nobody.pw_gid)
    os.mkdir(pgdata, 0o700)
    os.chown(pgdata, nobody.pw_uid, nobody.pw_gid)
    as_user = ["runuser", "-u", "nobody", "--"]
else:
    os.mkdir(pgsock)


def pg(*args, check_rc=True):
    r = subprocess.run(as_user + [os.path.join(PGBIN, args[0])] + list(args[1:]),
                       capture_output=True, cwd=tmp)
    if check_rc and r.returncode != 0:
        print("FAIL: %s: %s%s" % (args[0], r.stdout.decode(errors="replace"),
                                  r.stderr.decode(errors="replace")))
        sys.exit(1)
    return r


def pg_start():
    pg("pg_ctl", "-D", pgdata, "-l", pglog, "-w", "-t", "60", "-o",
       "-c listen_addresses='' -c unix_socket_directories=%s -c fsync=off"
       % pgsock, "start")


def pg_stop():
    pg("pg_ctl", "-D", pgdata, "-w", "-t", "60", "-m", "fast", "stop")


def sql(q):
    r = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-At",
                        "-h", pgsock, "-U", "inkan", "-d", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-c", q], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode(errors="replace"))
    return r.stdout.decode().strip()


def wait_rows(n, what):
    # bounded wait for the writer threads, not a timed assertion
    got = None
    for _ in range(600):
        try:
            got = int(sql("SELECT count(*) FROM messages"))
        except (RuntimeError, ValueError):
            got = None
        if got == n:
            break
        time.sleep(0.1)
    return check(got == n, what, "%r rows, want %d" % (got, n))


pg("initdb", "-D", pgdata, "-U", "inkan", "-A", "trust", "-E", "UTF8",
   "--locale=C", "--no-sync")
pg_start()

# Two Policy Domains; each client address passes SPF for both.
zone = os.path.join(tmp, "zone")
with open(zone, "w") as f:
    for d in ("example.org", "example.net"):
        f.write('%s TXT "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all"\n'
                '_dmarc.%s TXT "v=DMARC1; p=none; rua=mailto:d@%s"\n'
                % (d, d, d))
dbs = {"a": "postgresql:///postgres?host=%s&user=inkan" % pgsock,
       "b": "host=%s dbname=postgres user=inkan" % pgsock}
ips = {"a": ["192.0.2.10", "192.0.2.11"], "b": ["198.51.100.20", "198.51.100.21"]}
procs, socks, logs = {}, {}, {}


def start_milter(h):
    socks[h] = os.path.join(tmp, "milter-%s.sock" % h)
    conf = os.path.join(tmp, "inkan-%s.conf" % h)
    with open(conf, "w") as f:
        f.write("socket = unix:%s\nlog = stderr\nauthserv_id = mx-%s.test\n"
                "dns_zone_file = %s\ndmarc_report_db = %s\n"
                "dmarc_report_spool = %s\nshutdown_timeout = 5\n"
                "metrics_socket = unix:%s\n"
                % (socks[h], h, zone, dbs[h],
                   os.path.join(tmp, "spool-%s.db" % h),
                   os.path.join(tmp, "metrics-%s.sock" % h)))
    logs[h] = os.path.join(tmp, "milter-%s.log" % h)
    procs[h] = subprocess.Popen([milter, "-f", "-c", conf],
                                stderr=open(logs[h], "a"))
    for _ in range(600):
        if os.path.exists(socks[h]) or procs[h].poll() is not None:
            break
        time.sleep(0.05)
    check(procs[h].poll() is None, "milter %s started" % h)


def stop_milter(h):
    procs[h].send_signal(signal.SIGTERM)
    try:
        rc = procs[h].wait(timeout=60)
    except subprocess.TimeoutExpired:
        procs[h].kill()
        rc = procs[h].wait()
    check(rc == 0, "milter %s: clean exit on SIGTERM" % h, "exit %d" % rc)
    os.unlink(socks[h]) if os.path.exists(socks[h]) else None


def send(h, tag):
    """One message per client address and domain; all must be accepted."""
    good = True
    for ip in ips[h]:
        for d in ("example.org", "example.net"):
            s = M.connect(socks[h], client_ip=ip, helo=b"mx." + d.encode(),
                          daemon_name=b"smtpd")
            got = M.message(s, b"carol@" + d.encode(), [
                (b"From", b" Carol <carol@" + d.encode() + b">"),
                (b"To", b" bob@example.com"),
                (b"Subject", (" %s %s %s" % (tag, h, ip)).encode()),
                (b"Date", b" Wed, 25 Nov 2026 10:00:00 +0000")])
            s.close()
            good = good and M.final(got) in (b"a", b"c")
    return good


def run_reports(out, *extra, now=NOW):
    return subprocess.Popen(
        [reports, "--db", dbs["a"], "--org-name", "Inkan-Test",
         "--email", "dmarc-reports@receiver.example",
         "--period-start", "0", "--period-end", str(NOW),
         "--keep-days", "0", "--now", str(now), "--dns-zone", zone] +
        (["--out-dir", out] if out else []) + list(extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def report_of(path):
    with gzip.open(path) as g:
        root = ET.fromstring(g.read())
    ipset = {e.text for e in root.iter(NS + "source_ip")}
    total = sum(int(e.text) for e in root.iter(NS + "count"))
    return root.findtext(NS + "policy_published/" + NS + "domain"), ipset, total


try:
    # 1. two milters, one database
    for h in ("a", "b"):
        start_milter(h)
    for h in ("a", "b"):
        check(send(h, "day1"), "milter %s: every message accepted" % h)
    wait_rows(8, "8 rows from both milters in PostgreSQL")
    check(sql("SELECT version FROM schema_version") == "2",
          "schema_version 2 created by inkan")
    hosts = sql("SELECT count(DISTINCT split_part(row_key, '/', 2))"
                " FROM messages")
    check(hosts == "2", "rows of two processes", hosts)

    # 2. two report runs at once: one report per domain, rows of both hosts
    outs = [os.path.join(tmp, "out%d" % i) for i in (1, 2)]
    for o in outs:
        os.mkdir(o)
    rs = [run_reports(o) for o in outs]
    res = [(p.wait(timeout=120), p.communicate()) for p in rs]
    for i, (rc, (so, se)) in enumerate(res):
        check(rc == 0, "racing run %d: exit 0" % (i + 1),
              "exit %d: %s" % (rc, se.decode()))
    files = [os.path.join(o, f) for o in outs for f in os.listdir(o)]
    check(len(files) == 2, "two reports between both runs", repr(files))
    doms = {}
    for f in files:
        d, ipset, total = report_of(f)
        doms[d] = doms.get(d, 0) + 1
        check(ipset == set(ips["a"] + ips["b"]), "%s: rows of both milters"
              % d, repr(ipset))
        check(total == 4, "%s: every message counted once" % d, str(total))
    check(doms == {"example.org": 1, "example.net": 1},
          "exactly one report per domain", repr(doms))
    check(sql("SELECT count(*) FROM messages WHERE state = 0") == "0",
          "every row marked")
    check(sql("SELECT count(*) FROM report_claims") == "0",
          "no claim left")

    # 3. a run that dies after mailing, before marking
    check(send("a", "day2"), "milter a: day 2 accepted")
    wait_rows(12, "4 more rows")
    mail = os.path.join(tmp, "mail")
    os.mkdir(mail)
    die = 'cat >"%s/$$.eml"; kill -9 $PPID' % mail
    p = run_reports(None, "--sendmail", die)
    p.communicate(timeout=120)
    check(p.returncode == -9, "the run was killed midway", str(p.returncode))
    first = glob.glob(os.path.join(mail, "*.eml"))
    check(len(first) == 1, "it mailed one report", repr(first))
    check(sql("SELECT count(*) FROM report_claims") == "1",
          "its claim is left")
    o3 = os.path.join(tmp, "out3")
    os.mkdir(o3)
    p = run_reports(o3, now=NOW + 60)
    p.communicate(timeout=120)
    claimed = sql("SELECT domain FROM report_claims")
    got = sorted(os.listdir(o3))
    check(len(got) == 1 and claimed not in "".join(got),
          "a run at once leaves the claimed domain alone", repr(got))
    o4 = os.path.join(tmp, "out4")
    os.mkdir(o4)
    p = run_reports(o4, now=NOW + 3600)
    so, se = p.communicate(timeout=120)
    check(p.returncode == 0, "a later run takes the stale claim over",
          se.decode())
    got = os.listdir(o4)
    with open(first[0]) as f:
        rid = re.search(r"Report-ID: <([^>]+)>", f.read())
    check(len(got) == 1 and rid is not None and
          ("!%s.xml.gz" % rid.group(1)) in got[0] and claimed in got[0],
          "the re-send has the same Report-ID", "%r %r" % (got, rid and rid.group(1)))
    check(sql("SELECT count(*) FROM messages WHERE state = 0") == "0",
          "every row marked after the take-over")

    # 4. the database goes away: mail flows, rows wait, then arrive once
    pg_stop()
    for h in ("a", "b"):
        check(send(h, "outage"), "database down: milter %s accepts mail" % h)
    spooled = 0
    for _ in range(600):    # the writers move the rows to their spools
        spooled = 0
        for h in ("a", "b"):
            c = sqlite3.connect(os.path.join(tmp, "spool-%s.db" % h))
            spooled += c.execute("SELECT count(*) FROM spool").fetchone()[0]
            c.close()
        if spooled == 8:
            break
        time.sleep(0.1)
    check(spooled == 8, "database down: 8 rows wait in the spools",
          str(spooled))
    for h in ("a", "b"):
        with open(logs[h]) as f:
            text = f.read()
        check("wait in the spool" in text, "milter %s logs the outage" % h)
        m = MS.samples(MS.scrape("unix:" + os.path.join(tmp, "metrics-%s.sock" % h)))
        check(m.get("inkan_report_rows_spooled") == 4 and
              m.get("inkan_report_rows_queued") == 0 and
              m.get("inkan_report_rows_dropped_total") == 0,
              "milter %s: the metrics count 4 rows waiting, none lost" % h,
              repr({k: v for k, v in m.items() if "report_rows" in k}))
    # b stops while the database is down: its rows stay in its spool
    stop_milter("b")
    pg_start()
    start_milter("b")
    wait_rows(20, "after the restart every spooled row arrived")
    check(sql("SELECT count(*) - count(DISTINCT row_key) FROM messages")
          == "0", "no row twice")
    for h in ("a", "b"):
        c = sqlite3.connect(os.path.join(tmp, "spool-%s.db" % h))
        n = c.execute("SELECT count(*) FROM spool").fetchone()[0]
        c.close()
        check(n == 0, "spool %s empty" % h, str(n))
    with open(logs["a"]) as f:
        text = f.read()
    check("rows sent from the spool" in text, "milter a logs the spool sent")
    o5 = os.path.join(tmp, "out5")
    os.mkdir(o5)
    p = run_reports(o5, now=NOW + 7200)
    so, se = p.communicate(timeout=120)
    check(p.returncode == 0, "report after the outage", se.decode())
    totals = {report_of(os.path.join(o5, f))[0]: report_of(os.path.join(o5, f))[2]
              for f in os.listdir(o5)}
    check(totals == {"example.org": 4, "example.net": 4},
          "the outage's messages reported once each", repr(totals))

    # 5. the database slow: a lock holds the writer's insert past its
    # statement timeout; mail flows, the rows take the spool, then arrive
    lock = subprocess.Popen([os.path.join(PGBIN, "psql"), "-X", "-q", "-h",
                             pgsock, "-U", "inkan", "-d", "postgres", "-c",
                             "BEGIN; LOCK TABLE messages; SELECT pg_sleep(13);"
                             " COMMIT;"], stdout=subprocess.DEVNULL)
    for _ in range(100):    # the lock is held once psql shows in pg_locks
        if sql("SELECT count(*) FROM pg_locks WHERE mode ="
               " 'AccessExclusiveLock' AND relation = 'messages'::regclass") == "1":
            break
        time.sleep(0.1)
    check(send("a", "slow"), "database slow: milter a accepts mail")
    for _ in range(300):
        with open(logs["a"]) as f:
            text = f.read()
        if "statement timeout" in text:
            break
        time.sleep(0.1)
    check("statement timeout" in text, "database slow: the writer gives up "
          "waiting and spools (logged)")
    lock.wait(timeout=60)
    wait_rows(24, "after the lock the slow rows arrived")
    check(sql("SELECT count(*) - count(DISTINCT row_key) FROM messages")
          == "0", "no row twice after the slow spell")

    # 6. tables of a newer inkan: refused at start (-n says why)
    sql("UPDATE schema_version SET version = 99")
    r = subprocess.run([milter, "-n", "-c", os.path.join(tmp, "inkan-a.conf")],
                       capture_output=True)
    err = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    check(r.returncode != 0 and "schema version 99" in err,
          "a newer schema is refused", err)
    check("host=" not in err and pgsock not in err,
          "the error does not repeat the connection string", err)
    sql("UPDATE schema_version SET version = 2")

    # 7. rows the database refuses over their values (here a CHECK; in
    # life, say, text a LATIN1 database cannot hold) are dropped, counted
    # and logged, and do not hold up the rows beside them
    sql("ALTER TABLE messages ADD CONSTRAINT poison"
        " CHECK (source_ip <> '192.0.2.11') NOT VALID")
    check(send("a", "poison"), "refused rows: mail flows")
    wait_rows(26, "the rows beside the refused ones arrive")
    m = {}
    for _ in range(300):
        m = MS.samples(MS.scrape("unix:" + os.path.join(tmp, "metrics-a.sock")))
        if m.get("inkan_report_rows_dropped_total") == 2:
            break
        time.sleep(0.1)
    check(m.get("inkan_report_rows_dropped_total") == 2 and
          m.get("inkan_report_rows_spooled") == 0,
          "the refused rows are counted as dropped, none left waiting",
          repr({k: v for k, v in m.items() if "report_rows" in k}))
    with open(logs["a"]) as f:
        text = f.read()
    check("not recorded" in text and "poison" in text,
          "the refused rows are logged")
    sql("ALTER TABLE messages DROP CONSTRAINT poison")
finally:
    for h in list(procs):
        if procs[h].poll() is None:
            stop_milter(h)
    pg("pg_ctl", "-D", pgdata, "-m", "immediate", "stop", check_rc=False)
print("%d passed, %d failed" % (npass, nfail))
if nfail == 0:
    shutil.rmtree(tmp, ignore_errors=True)
else:
    print("left for a look:", tmp)
sys.exit(1 if nfail else 0)
