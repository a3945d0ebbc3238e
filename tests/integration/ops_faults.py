#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# ops_faults.py - operational faults against a running inkan-milter (spoken
# to in the milter protocol, milterproto.py), running as the unprivileged
# user nobody as in production (so file modes bite; root reads anything):
#   * key files deleted while running: the loaded key keeps signing until a
#     reload; a reload then drops it (the documented way to retire a key);
#   * a key file made unreadable (mode 000), replaced by garbage, by a
#     directory, by a dangling symlink, then SIGHUP: the reload is refused,
#     the log names the file and why, the running keys keep signing;
#   * the DMARC report database on a full file system (a 1 MB tmpfs): mail
#     is accepted with its Authentication-Results, the log says once that
#     results are not recorded; after space is freed recording resumes;
#     the database overwritten with garbage while running: mail flows, a
#     reload goes through (it keeps the open database), -n refuses it;
#   * an internal error for real: the process may start no more threads
#     (RLIMIT_NPROC of the running milter set to the threads it has before
#     its first inbound message), so the pool that runs SPF and DMARC
#     cannot start: the MTA gets a tempfail (the message stays with the
#     sender or in the queue), the log says why; with the limit back, mail
#     flows.
# Needs root (mount, chown, prlimit) and the user nobody.
#
# usage: ops_faults.py INKAN-MILTER INKAN-KEYS
import os, pwd, re, shutil, signal, sqlite3, subprocess, sys
import tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import milterproto as M

milter, keys = sys.argv[1], sys.argv[2]
if os.geteuid() != 0:
    sys.exit("FAIL: ops_faults needs root (tmpfs mount, chown, prlimit)")
nobody = pwd.getpwnam("nobody")
tmp = tempfile.mkdtemp(prefix="ops_faults.")
os.chmod(tmp, 0o755)  # nobody reads the config and keys on reload
npass = nfail = 0


def ok(m):
    global npass
    npass += 1
    print("ok:", m)


def bad(m):
    global nfail
    nfail += 1
    print("FAIL:", m)


def check(cond, m, why=""):
    ok(m) if cond else bad(m + (": " + why if why else ""))


def chown_nobody(path):
    for root, dirs, files in os.walk(path):
        os.chown(root, nobody.pw_uid, nobody.pw_gid)
        for f in files:
            os.chown(os.path.join(root, f), nobody.pw_uid, nobody.pw_gid)


kdir = os.path.join(tmp, "keys")
for dom in ("example.com", "example.net"):
    subprocess.run([keys, "generate", "--domain", dom, "--selector", "s1", "--dir", kdir],
                   check=True, capture_output=True)
chown_nobody(kdir)
good_key = open(os.path.join(kdir, "example.com", "s1.private"), "rb").read()

with open(os.path.join(tmp, "zone"), "w") as f:
    f.write('example.org TXT "v=spf1 ip4:192.0.2.10 -all"\n'
            '_dmarc.example.org TXT "v=DMARC1; p=none; rua=mailto:d@example.org"\n')

dbfs = os.path.join(tmp, "dbfs")
os.mkdir(dbfs)
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", dbfs], check=True)
os.chown(dbfs, nobody.pw_uid, nobody.pw_gid)
db = os.path.join(dbfs, "reports.db")

sock = os.path.join(tmp, "milter.sock")
conf = os.path.join(tmp, "inkan.conf")
with open(conf, "w") as f:
    f.write("socket = unix:%s\nuser = nobody\nkey_dir = %s\nlog = stderr\n"
            "authserv_id = mx.test.example\ndns_zone_file = %s\n"
            "dmarc_report_db = %s\nshutdown_timeout = 5\n" % (sock, kdir, os.path.join(tmp, "zone"), db))
logpath = os.path.join(tmp, "milter.log")
log = open(logpath, "w")
proc = subprocess.Popen([milter, "-f", "-c", conf], stderr=log)
for _ in range(200):
    if os.path.exists(sock) and "listening" in open(logpath).read():
        break
    time.sleep(0.05)


def logtext():
    return open(logpath, errors="replace").read()


def outbound(dom, qid):
    s = M.connect(sock)
    got = M.message(s, b"alice@" + dom, [
        (b"From", b" Alice <alice@" + dom + b">"), (b"To", b" bob@example.org"),
        (b"Subject", b" ops " + qid), (b"Date", b" Wed, 25 Nov 2026 10:00:00 +0000")],
        qid=qid)
    s.close()
    return got


def inbound(qid, s=None):
    own = s is None
    if own:
        s = M.connect(sock, client_ip="192.0.2.10", helo=b"mx.example.org",
                      daemon_name=b"smtpd")
    got = M.message(s, b"carol@example.org", [
        (b"From", b" Carol <carol@example.org>"), (b"To", b" bob@example.net"),
        (b"Subject", b" inbound " + qid)], qid=qid)
    if own:
        s.close()
    return got


def rows():
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
    try:
        return c.execute("SELECT count(*) FROM messages").fetchone()[0]
    finally:
        c.close()


def sighup_and_wait(mark):
    """SIGHUP; the log text written after it, once the reload has ended."""
    before = len(logtext())
    os.kill(proc.pid, signal.SIGHUP)
    for _ in range(200):
        new = logtext()[before:]
        if "reload of" in new or "configuration reloaded" in new:
            time.sleep(0.2)  # the lines after the first
            return logtext()[before:]
        time.sleep(0.05)
    bad("%s: no reload log line after SIGHUP" % mark)
    return ""


def sig_of(got, dom):
    sigs = M.added(got, b"DKIM-Signature")
    return any(re.search(rb"\bd=" + re.escape(dom) + rb";", v) for v in sigs)


key_com = os.path.join(kdir, "example.com", "s1.private")
key_net = os.path.join(kdir, "example.net", "s1.private")
mounted = True
try:
    check(proc.poll() is None and os.path.exists(sock), "milter started as nobody")

    # --- an internal error: no more threads --------------------------------
    # SPF and DMARC run on a pool of threads (milter/jobs.c) that starts
    # with the first inbound message, so this comes before any: with the
    # user's thread count capped at what the milter has now, the pool's
    # first thread cannot start and the transaction cannot run.
    # prlimit(2) on another process: as its own user (root may lack
    # CAP_SYS_RESOURCE in a container)
    def nproc(value=None):
        args = ["prlimit", "--pid", str(proc.pid)]
        args += ["--nproc=%s:" % value] if value else ["--nproc", "--raw",
                                                     "--noheadings", "-o", "SOFT"]
        return subprocess.run(args, user=nobody.pw_uid, group=nobody.pw_gid,
                              extra_groups=[], check=True, capture_output=True,
                              text=True).stdout.strip()

    def nobody_tasks():
        """Threads of every process of nobody (RLIMIT_NPROC counts them)."""
        n = 0
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.stat("/proc/" + pid).st_uid == nobody.pw_uid:
                    n += len(os.listdir("/proc/%s/task" % pid))
            except OSError:
                pass
        return n

    s = M.connect(sock, client_ip="192.0.2.10", helo=b"mx.example.org", daemon_name=b"smtpd")
    old = nproc()
    nproc(str(nobody_tasks()))
    try:
        got = inbound(b"T1", s)
    finally:
        nproc(old)
    check(M.final(got) == b"t", "no threads to be had: the MTA gets a tempfail",
          "reply %r" % got)
    check(re.search(r"T1: .*cannot start the SPF thread", logtext()),
          "the log says why", logtext()[-600:])
    got = inbound(b"T2", s)
    check(M.final(got) in (b"a", b"c") and M.added(got, b"Authentication-Results"),
          "limit lifted: the same connection gets its next message through")
    s.close()

    check(sig_of(outbound(b"example.com", b"Q1"), b"example.com"), "example.com signed")
    check(sig_of(outbound(b"example.net", b"Q2"), b"example.net"), "example.net signed")

    # --- keys -------------------------------------------------------------
    os.unlink(key_net)
    check(sig_of(outbound(b"example.net", b"Q3"), b"example.net"),
          "key file deleted while running: the loaded key still signs")

    def refused(what, path, reason):
        new = sighup_and_wait(what)
        check("keeping the running configuration" in new and path in new and reason in new,
              "%s, SIGHUP: reload refused, the log names the file and says %r" % (what, reason),
              "log after SIGHUP: %r" % new)
        check(sig_of(outbound(b"example.com", b"QK"), b"example.com") and
              sig_of(outbound(b"example.net", b"QL"), b"example.net"),
              "%s: the running keys still sign both domains" % what)

    os.chmod(key_com, 0)
    refused("key made unreadable (mode 000)", key_com, "Permission denied")
    os.unlink(key_com)
    with open(key_com, "wb") as f:
        f.write(os.urandom(1200))
    os.chown(key_com, nobody.pw_uid, nobody.pw_gid)
    os.chmod(key_com, 0o600)
    refused("key replaced by garbage", key_com, "key")
    os.unlink(key_com)
    os.mkdir(key_com)
    refused("key replaced by a directory", key_com, "not a regular file")
    os.rmdir(key_com)
    os.symlink(os.path.join(tmp, "no-such-key"), key_com)
    refused("key replaced by a dangling symlink", key_com, "No such file or directory")
    os.unlink(key_com)
    with open(key_com, "wb") as f:
        f.write(good_key)
    os.chown(key_com, nobody.pw_uid, nobody.pw_gid)
    os.chmod(key_com, 0o600)
    new = sighup_and_wait("key restored")
    check("configuration reloaded" in new and "1 signing keys" in new,
          "key restored, SIGHUP: reloaded with the one key left", "log: %r" % new)
    check(sig_of(outbound(b"example.com", b"Q4"), b"example.com"), "example.com still signed")
    got = outbound(b"example.net", b"Q5")
    check(not M.added(got, b"DKIM-Signature") and M.final(got) in (b"a", b"c") and
          re.search(r"Q5: .*not signed.*no key for example\.net", logtext()),
          "deleted key gone after the reload: example.net passes unsigned, the log says why")

    # --- the report database ---------------------------------------------
    got = inbound(b"R1")
    check(M.final(got) in (b"a", b"c") and M.added(got, b"Authentication-Results"),
          "inbound message accepted with Authentication-Results")
    n0 = rows()
    check(n0 >= 1, "its DMARC result is recorded (%d rows)" % n0)
    filler = os.path.join(dbfs, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass  # ENOSPC: full
    finally:
        os.close(fd)
    accepted = 0
    for i in range(30):
        got = inbound(b"F%d" % i)
        if M.final(got) in (b"a", b"c") and M.added(got, b"Authentication-Results"):
            accepted += 1
    check(accepted == 30, "file system full: 30 of 30 inbound messages accepted with "
          "their Authentication-Results", "%d accepted" % accepted)
    lines = [l for l in logtext().splitlines() if "DMARC report database" in l]
    check(len(lines) == 1 and "not recorded" in lines[0],
          "file system full: the log says it once", "lines: %r" % lines)
    if lines:
        print("  log:", lines[0])
    os.unlink(filler)
    for i in range(3):
        inbound(b"G%d" % i)
    n1 = rows()
    check(n1 > n0, "space freed: recording resumes (%d rows, %d before)" % (n1, n0))

    # The database and its write-ahead log overwritten with garbage behind
    # the milter's back.
    for f in (db, db + "-wal"):
        with open(f, "r+b") as fh:
            fh.write(os.urandom(os.path.getsize(f)))
    accepted = 0
    for i in range(5):
        got = inbound(b"C%d" % i)
        if M.final(got) in (b"a", b"c") and M.added(got, b"Authentication-Results"):
            accepted += 1
    check(accepted == 5, "database overwritten with garbage: mail still accepted",
          "%d of 5" % accepted)
    # (SQLite keeps serving its cached pages, so it may not notice yet.)
    # A reload keeps the running database (dmarc_report_db takes effect at
    # restart): a damaged one must not refuse it, key changes included.
    new = sighup_and_wait("garbage database")
    check("configuration reloaded" in new, "database overwritten with garbage, SIGHUP: "
          "the reload goes through", "log: %r" % new)
    check(sig_of(outbound(b"example.com", b"Q6"), b"example.com"), "example.com still signed")
    # A start, where the admin is watching, refuses it and says why.
    r = subprocess.run([milter, "-n", "-c", conf], capture_output=True, text=True)
    check(r.returncode != 0 and db in r.stderr and "not a database" in r.stderr,
          "inkan-milter -n on the garbage database: refused, naming the file",
          "exit %d, %r" % (r.returncode, r.stderr))

except (EOFError, OSError) as e:
    bad("milter protocol: %s" % e)
finally:
    alive = proc.poll() is None
    check(alive, "milter still running", "status %s" % proc.returncode)
    if alive:
        proc.terminate()
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        check(rc == 0, "clean exit on SIGTERM", "exit status %d (leak report?)" % rc)
    log.close()
    if nfail:
        print(logtext()[-4000:])
    subprocess.run(["umount", dbfs])
    shutil.rmtree(tmp, ignore_errors=True)
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
