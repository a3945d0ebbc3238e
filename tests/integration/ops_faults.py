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
#   * a domain directory made by root (inkan-keys as root: mode 0700):
#     SIGHUP as nobody refuses the reload naming it (the running keys sign);
#     -n as root with user = nobody names what nobody cannot read; a
#     domain left without a key, or removed, is a warning naming it;
#   * the socket: Postfix's inet:HOST:PORT refused by -n with the right
#     spelling; a port in use and a unix socket in a missing directory
#     stop the start (as a daemon too) with the reason;
#   * milter_timeout: an MTA that stops in mid-command is hung up on;
#   * a relative -c: the daemon (in / by then) reloads that file on SIGHUP;
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
import os, pwd, re, shutil, signal, sqlite3, struct, subprocess, sys
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
    # SPF and DMARC run on a pool of threads (milter/world/jobs.c) that starts
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
    check(re.search(r"example\.net: the domain directory holds no key.*example\.net goes out "
                    r"unsigned", new),
          "the domain left without a key: the reload warns, naming example.net",
          "log: %r" % new)
    check(sig_of(outbound(b"example.com", b"Q4"), b"example.com"), "example.com still signed")
    got = outbound(b"example.net", b"Q5")
    check(not M.added(got, b"DKIM-Signature") and M.final(got) in (b"a", b"c") and
          re.search(r"Q5: .*not signed.*no key for example\.net", logtext()),
          "deleted key gone after the reload: example.net passes unsigned, the log says why")

    # A domain directory made by root with inkan-keys (mode 0700, as it
    # leaves it): the start would read it (as root), a reload as nobody
    # cannot. That must refuse the reload, not load "no keys".
    info_dir = os.path.join(kdir, "example.info")
    subprocess.run([keys, "generate", "--domain", "example.info", "--selector", "s1",
                    "--dir", kdir], check=True, capture_output=True)
    check(os.stat(info_dir).st_mode & 0o777 == 0o700 and os.stat(info_dir).st_uid == 0,
          "inkan-keys generate as root leaves the domain directory root's, mode 0700")
    new = sighup_and_wait("root-made domain directory")
    check("keeping the running configuration" in new and
          re.search(re.escape(info_dir) + r": cannot read the domain directory: Permission denied",
                    new),
          "root-made 0700 domain directory, SIGHUP: reload refused, the log names the "
          "directory and says Permission denied", "log: %r" % new)
    check(sig_of(outbound(b"example.com", b"Q7"), b"example.com"),
          "root-made domain directory: the running key still signs example.com")
    # -n as root checks what the user will be able to read
    r = subprocess.run([milter, "-n", "-c", conf], capture_output=True, text=True)
    check(r.returncode != 0 and "as user nobody" in r.stderr and info_dir in r.stderr and
          "Permission denied" in r.stderr,
          "inkan-milter -n as root, user = nobody: fails naming the directory nobody cannot read",
          "exit %d, %r" % (r.returncode, r.stderr))
    info_key = os.path.join(info_dir, "s1.private")
    os.chown(info_dir, nobody.pw_uid, nobody.pw_gid)   # the key file stays root's
    r = subprocess.run([milter, "-n", "-c", conf], capture_output=True, text=True)
    check(r.returncode != 0 and "as user nobody" in r.stderr and
          re.search(re.escape(info_key) + r": cannot open key: Permission denied", r.stderr),
          "inkan-milter -n as root, a key file only root can read: fails naming the file",
          "exit %d, %r" % (r.returncode, r.stderr))
    os.chown(info_key, nobody.pw_uid, nobody.pw_gid)
    r = subprocess.run([milter, "-n", "-c", conf], capture_output=True, text=True)
    check(r.returncode == 0 and "2 signing keys" in r.stdout and
          re.search(r"warning: example\.net: the domain directory holds no key", r.stderr),
          "chowned to nobody: -n passes (2 keys), warning that example.net has none",
          "exit %d, %r %r" % (r.returncode, r.stdout, r.stderr))
    new = sighup_and_wait("example.info readable")
    check("configuration reloaded" in new and "2 signing keys" in new,
          "example.info readable by nobody, SIGHUP: reloaded with its key", "log: %r" % new)
    check(sig_of(outbound(b"example.info", b"Q8"), b"example.info"), "example.info signed")
    shutil.rmtree(info_dir)
    new = sighup_and_wait("example.info removed")
    check("configuration reloaded" in new and
          re.search(r"example\.info: no signing key any more.*example\.info goes out unsigned",
                    new),
          "a domain that had a key removed whole, SIGHUP: the reload warns, naming it",
          "log: %r" % new)

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

    # --- the socket -------------------------------------------------------
    def conf_with(name, text):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    r = subprocess.run([milter, "-n", "-c", conf_with("pf.conf", "socket = inet:127.0.0.1:8897\n")],
                       capture_output=True, text=True)
    check(r.returncode != 0 and "inet:8897@127.0.0.1" in r.stderr and "Postfix" in r.stderr,
          "socket = inet:127.0.0.1:8897 (Postfix's spelling): -n fails, giving inet:8897@127.0.0.1",
          "exit %d, %r" % (r.returncode, r.stderr))
    import socket as so
    holder = so.socket()
    holder.setsockopt(so.SOL_SOCKET, so.SO_REUSEADDR, 1)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    busy = holder.getsockname()[1]
    inuse = conf_with("inuse.conf", "socket = inet:%d@127.0.0.1\nlog = stderr\n" % busy)
    r = subprocess.run([milter, "-f", "-c", inuse], capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "Address already in use" in r.stderr,
          "a port in use, in the foreground: exit 1, 'Address already in use'",
          "exit %d, %r" % (r.returncode, r.stderr))
    # detaching (no -f, log to syslog): the failure comes before daemon(),
    # so the exit status and stderr still reach whoever started it
    inuse = conf_with("inuse2.conf", "socket = inet:%d@127.0.0.1\n" % busy)
    r = subprocess.run([milter, "-c", inuse], capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "Address already in use" in r.stderr,
          "a port in use, as a daemon: exit 1 and 'Address already in use' on stderr",
          "exit %d, %r" % (r.returncode, r.stderr))
    # a daemon that detached before failing (or did not fail) is not left behind
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if inuse.encode() in open("/proc/%s/cmdline" % pid, "rb").read():
                os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
    holder.close()
    nodir = conf_with("nodir.conf", "socket = unix:%s/no-such-dir/m.sock\nlog = stderr\n" % tmp)
    r = subprocess.run([milter, "-n", "-c", nodir], capture_output=True, text=True)
    check(r.returncode != 0 and "no-such-dir: No such file or directory" in r.stderr,
          "a unix socket in a missing directory: -n fails with the reason",
          "exit %d, %r" % (r.returncode, r.stderr))
    r = subprocess.run([milter, "-f", "-c", nodir], capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "no-such-dir: No such file or directory" in r.stderr,
          "a unix socket in a missing directory: the start fails with the reason",
          "exit %d, %r" % (r.returncode, r.stderr))

    # --- an MTA gone quiet is cut off after milter_timeout -----------------
    # libmilter waits milter_timeout for each read and write of a command.
    # (Between commands, Debian's libmilter, built with its worker pool,
    # sweeps idle connections every 600 s, closing those idle longer than
    # milter_timeout: too slow a clock for a test.) So the MTA here stops
    # in the middle of a command, as one that died or lost the network
    # while writing it would, and the milter must hang up on it.
    isock = os.path.join(tmp, "idle.sock")
    ilog = open(os.path.join(tmp, "idle.log"), "w")
    iconf = conf_with("idle.conf", "socket = unix:%s\nlog = stderr\nmilter_timeout = 2\n"
                      "dns_zone_file = %s\nshutdown_timeout = 5\n" % (isock, os.path.join(tmp, "zone")))
    iproc = subprocess.Popen([milter, "-f", "-c", iconf], stderr=ilog)
    try:
        s = M.connect(isock, timeout=20)
        # a MAIL FROM packet announced as 100 bytes, of which 5 arrive
        s.sendall(struct.pack(">I", 100) + b"M<a@b")
        t0 = time.monotonic()
        try:
            got = s.recv(1)
        except OSError as e:
            got = e
        waited = time.monotonic() - t0
        s.close()
        check(got == b"" and 1 <= waited < 15,
              "milter_timeout = 2: an MTA that stops in the middle of a command is hung up "
              "on (after %.1f s)" % waited, "recv gave %r after %.1f s" % (got, waited))
    finally:
        iproc.terminate()
        irc = iproc.wait(timeout=30)
        ilog.close()
    itext = open(os.path.join(tmp, "idle.log")).read()
    check(irc == 0 and "still open" not in itext,
          "the timed-out connection was released: clean stop", "exit %d, %r" % (irc, itext))

    # --- the start says when a reload will not be able to read the keys ---
    rootkeys = os.path.join(tmp, "rootkeys")
    subprocess.run([keys, "generate", "--domain", "example.info", "--selector", "s1",
                    "--dir", rootkeys], check=True, capture_output=True)
    wsock = os.path.join(tmp, "warn.sock")
    wconf = conf_with("warn.conf", "socket = unix:%s\nuser = nobody\nkey_dir = %s\n"
                      "log = stderr\ndns_zone_file = %s\nshutdown_timeout = 5\n"
                      % (wsock, rootkeys, os.path.join(tmp, "zone")))
    wlogpath = os.path.join(tmp, "warn.log")
    wlog = open(wlogpath, "w")
    wproc = subprocess.Popen([milter, "-f", "-c", wconf], stderr=wlog)
    for _ in range(200):
        if "listening" in open(wlogpath).read():
            break
        time.sleep(0.05)
    # it signs with the key root read: the key is not read again as nobody
    ws = M.connect(wsock)
    wgot = M.message(ws, b"alice@example.info", [
        (b"From", b" Alice <alice@example.info>"), (b"To", b" bob@example.org"),
        (b"Subject", b" rootkeys"), (b"Date", b" Wed, 25 Nov 2026 10:00:00 +0000")],
        qid=b"RK1")
    ws.close()
    check(sig_of(wgot, b"example.info"),
          "started as root with root's keys and user = nobody: the message is signed "
          "(the key was decoded as root)", str(wgot)[-300:])
    wproc.terminate()
    wrc = wproc.wait(timeout=30)
    wlog.close()
    wtext = open(wlogpath).read()
    check(wrc == 0 and "1 signing keys" in wtext and
          re.search(r"as user nobody the configuration does not load, so SIGHUP will refuse",
                    wtext) and
          re.search(r"key_dir " + re.escape(rootkeys) + r": Permission denied", wtext),
          "started as root with root's keys (inkan-keys makes its --dir 0700 too) and "
          "user = nobody: signs (read as root) and warns that a reload as nobody will "
          "fail, naming the directory", wtext)

    # --- a relative -c, as a daemon (which changes to /), then SIGHUP ------
    rdir = os.path.join(tmp, "rel")
    os.mkdir(rdir)
    rk1, rk2 = os.path.join(tmp, "relkeys1"), os.path.join(tmp, "relkeys2")
    for d, dom in ((rk1, "example.com"), (rk2, "example.net")):
        subprocess.run([keys, "generate", "--domain", dom, "--selector", "r1", "--dir", d],
                       check=True, capture_output=True)
    rsock = os.path.join(tmp, "rel.sock")
    rtext = ("socket = unix:%s\nkey_dir = %%s\ndns_zone_file = %s\nshutdown_timeout = 5\n"
             % (rsock, os.path.join(tmp, "zone")))
    with open(os.path.join(rdir, "inkan.conf"), "w") as f:
        f.write(rtext % rk1)
    r = subprocess.run([milter, "-c", "inkan.conf"], cwd=rdir, capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 0, "daemon started with -c inkan.conf (relative)", r.stderr)

    def listener_pid(path):
        inodes = set()
        with open("/proc/net/unix") as f:
            for line in f.read().splitlines()[1:]:
                parts = line.split()
                if len(parts) >= 8 and parts[7] == path:
                    inodes.add("socket:[%s]" % parts[6])
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                for fd in os.listdir("/proc/%s/fd" % pid):
                    if os.readlink("/proc/%s/fd/%s" % (pid, fd)) in inodes:
                        return int(pid)
            except OSError:
                pass
        return None

    rpid = None
    for _ in range(100):
        rpid = listener_pid(rsock) if os.path.exists(rsock) else None
        if rpid:
            break
        time.sleep(0.1)
    check(rpid is not None, "the daemon's pid found from its socket")
    if rpid:
        def rel_signs(dom, qid):
            s = M.connect(rsock)
            got = M.message(s, b"alice@" + dom, [
                (b"From", b" Alice <alice@" + dom + b">"), (b"To", b" bob@example.org"),
                (b"Subject", b" rel"), (b"Date", b" Wed, 25 Nov 2026 10:00:00 +0000")], qid=qid)
            s.close()
            return sig_of(got, dom)
        check(rel_signs(b"example.com", b"RC1") and not rel_signs(b"example.net", b"RC2"),
              "relative -c: the first key_dir signs example.com only")
        with open(os.path.join(rdir, "inkan.conf"), "w") as f:
            f.write(rtext % rk2)
        os.kill(rpid, signal.SIGHUP)
        took = False
        for i in range(50):
            if rel_signs(b"example.net", b"RN%d" % i):
                took = True
                break
            time.sleep(0.1)
        check(took and not rel_signs(b"example.com", b"RC3"),
              "relative -c, file edited, SIGHUP (daemon now in /): the new key_dir is in effect")
        os.kill(rpid, signal.SIGTERM)
        for _ in range(300):
            if not os.path.exists("/proc/%d" % rpid):
                break
            time.sleep(0.1)

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
