#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# received_postgres.py - the received-reports tables on PostgreSQL
# (issue 19): `inkan-reports import` of the reports gen_received.py
# writes into a private cluster (initdb, pg_ctl on a unix socket in a
# temporary directory, as nobody when run as root, as report_fleet.py
# does), a report imported twice and two imports of one report racing
# add nothing, and `received --json` gives the same numbers as the same
# import into SQLite. Fails, never skips, without PostgreSQL.
#
# usage: received_postgres.py INKAN_REPORTS SOURCE_DIR
import glob, json, os, pwd, shutil, subprocess, sys, tempfile

reports, src = sys.argv[1:3]
NOW = "1000172799"
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
tmp = tempfile.mkdtemp(prefix="received_pg.")
os.chmod(tmp, 0o755)
pgdata = os.path.join(tmp, "pgdata")
pgsock = os.path.join(tmp, "pgsock")
pglog = os.path.join(tmp, "pg.log")
as_user = []
if os.getuid() == 0:
    nobody = pwd.getpwnam("nobody")
    os.mkdir(pgsock)
    os.chown(pgsock, nobody.pw_uid, nobody.pw_gid)
    open(pglog, "w").close()
    os.chown(pglog, nobody.pw_uid, nobody.pw_gid)
    os.mkdir(pgdata, 0o700)
    os.chown(pgdata, nobody.pw_uid, nobody.pw_gid)
    as_user = ["runuser", "-u", "nobody", "--"]
else:
    os.mkdir(pgsock)


def pg(*args):
    r = subprocess.run(as_user + [os.path.join(PGBIN, args[0])] +
                       list(args[1:]), capture_output=True, cwd=tmp)
    if r.returncode != 0:
        print("FAIL: %s: %s%s" % (args[0], r.stdout.decode(errors="replace"),
                                  r.stderr.decode(errors="replace")))
        sys.exit(1)


def sql(q):
    r = subprocess.run([os.path.join(PGBIN, "psql"), "-X", "-q", "-At",
                        "-h", pgsock, "-U", "inkan", "-d", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-c", q], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode(errors="replace"))
    return r.stdout.decode().strip()


def run(*args):
    return subprocess.run([reports] + list(args), capture_output=True,
                          text=True)


gen = os.path.join(tmp, "gen")
subprocess.run([sys.executable, os.path.join(src, "tests/reports/gen_received.py"),
                gen], check=True)
files = [os.path.join(gen, f) for f in ("a1.xml", "b-2.xml.gz", "c3.zip",
                                         "d4.eml", "e5.eml")]
PG = "postgresql:///postgres?host=%s&user=inkan" % pgsock
LITE = os.path.join(tmp, "r.db")

pg("initdb", "-D", pgdata, "-U", "inkan", "-A", "trust", "-E", "UTF8",
   "--locale=C", "--no-sync")
pg("pg_ctl", "-D", pgdata, "-l", pglog, "-w", "-t", "60", "-o",
   "-c listen_addresses='' -c unix_socket_directories=%s -c fsync=off"
   % pgsock, "start")
try:
    out = {}
    for name, db in (("sqlite", LITE), ("pg", PG)):
        r = run("import", "--db", db, "--now", NOW, *files)
        check(r.returncode == 0 and "5 imported, 0 duplicates" in r.stdout,
              name + ": import", r.stdout + r.stderr)
        r = run("import", "--db", db, "--now", NOW, files[0])
        check(r.returncode == 0 and "0 imported, 1 duplicates" in r.stdout,
              name + ": a report imported twice is a duplicate",
              r.stdout + r.stderr)
        r = run("received", "--db", db, "--domain", "example.com", "--days",
                "3", "--now", NOW, "--json")
        check(r.returncode == 0, name + ": received --json", r.stderr)
        try:
            out[name] = json.loads(r.stdout)
        except ValueError:
            out[name] = None
    check(out["pg"] is not None and out["pg"] == out["sqlite"],
          "received --json: PostgreSQL says what SQLite says",
          "%r\n%r" % (out.get("pg"), out.get("sqlite")))
    n = int(sql("SELECT count(*) FROM received_reports"))
    check(int(sql("SELECT count(*) FROM received_rows")) > 0,
          "PostgreSQL: the records stored")
    check(n == 5, "PostgreSQL: 5 reports stored", "%d" % n)
    check(int(sql("SELECT max(version) FROM received_schema")) == 1,
          "PostgreSQL: received_schema version 1")
    # two imports of one new report at once: stored once
    procs = [subprocess.Popen([reports, "import", "--db", PG, "--now", NOW,
                               os.path.join(gen, "j10.eml")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    res = [p.communicate() + (p.returncode,) for p in procs]
    check(all(rc == 0 for _, _, rc in res),
          "two imports racing: both succeed", repr(res))
    check(sorted("1 imported" in o for o, _, _ in res) == [False, True],
          "two imports racing: one imports, one finds a duplicate",
          repr(res))
    check(int(sql("SELECT count(*) FROM received_reports")) == 6,
          "two imports racing: the report stored once")
finally:
    subprocess.run(as_user + [os.path.join(PGBIN, "pg_ctl"), "-D", pgdata,
                              "-w", "-t", "60", "-m", "fast", "stop"],
                   capture_output=True, cwd=tmp)
    shutil.rmtree(tmp, ignore_errors=True)

print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
