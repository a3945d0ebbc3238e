#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# milter_faults.py - the MTA misbehaving, spoken to inkan-milter directly in
# the milter protocol (version 6), no Postfix in between:
#   * 3,000 transactions aborted (SMFIC_ABORT) on one connection, some after
#     headers, some mid-body, then one that completes and is signed;
#   * 200 connections dropped mid-message (headers sent, body half sent);
#   * garbage and an over-long packet length on a fresh connection;
# after each, the milter must still answer a normal transaction correctly,
# its open file descriptors and RSS must not grow with the work done.
#
# usage: milter_faults.py INKAN-MILTER INKAN-KEYS
import os, socket, struct, subprocess, sys, tempfile, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import milterproto
from milterproto import FINAL, pkt, read_reply

milter, keys = sys.argv[1], sys.argv[2]
tmp = tempfile.mkdtemp(prefix="milter_faults.")
npass = nfail = 0

def ok(m):
    global npass; npass += 1; print("ok:", m)

def bad(m):
    global nfail; nfail += 1; print("FAIL:", m)

subprocess.run([keys, "generate", "--domain", "example.com", "--selector", "s1",
    "--dir", os.path.join(tmp, "keys")], check=True, capture_output=True)
sock_path = os.path.join(tmp, "milter.sock")
with open(os.path.join(tmp, "inkan.conf"), "w") as f:
    f.write("socket = unix:%s\nkey_dir = %s\nlog = stderr\nauthserv_id = mx.test.example\n"
            "dns_zone_file = %s\n" % (sock_path, os.path.join(tmp, "keys"), os.path.join(tmp, "zone")))
open(os.path.join(tmp, "zone"), "w").write("; empty\n")
log = open(os.path.join(tmp, "milter.log"), "w")
proc = subprocess.Popen([milter, "-f", "-c", os.path.join(tmp, "inkan.conf")], stderr=log)
# a loaded machine (CI runs tests in parallel) can take seconds to start it
for _ in range(600):
    if os.path.exists(sock_path) or proc.poll() is not None:
        break
    time.sleep(0.05)

def connect():
    if proc.poll() is not None:
        raise EOFError("inkan-milter exited with %d" % proc.returncode)
    return milterproto.connect(sock_path)

HEADERS = [(b"From", b" Alice <alice@example.com>"), (b"To", b" bob@example.org"),
           (b"Subject", b" fault test"), (b"Date", b" Wed, 25 Nov 2026 10:00:00 +0000")]

def start_message(s, n_headers=len(HEADERS)):
    s.sendall(pkt(b"M", b"<alice@example.com>\0"))
    read_reply(s)
    s.sendall(pkt(b"R", b"<bob@example.org>\0"))
    read_reply(s)
    for name, value in HEADERS[:n_headers]:
        s.sendall(pkt(b"L", name + b"\0" + value + b"\0"))
        read_reply(s)

def full_message(s):
    """A whole transaction; returns the list of (reply code, data)."""
    start_message(s)
    s.sendall(pkt(b"N"))
    read_reply(s)
    s.sendall(pkt(b"B", b"Hello Bob.\r\n"))
    read_reply(s)
    s.sendall(pkt(b"E"))
    got = []
    while True:
        code, data = read_reply(s)
        got.append((code, data))
        if code in FINAL:
            return got

def signed(got):
    return any(c in (b"h", b"i") and b"DKIM-Signature" in d for c, d in got) and got[-1][0] in (b"a", b"c")

def fds_rss():
    fds = len(os.listdir("/proc/%d/fd" % proc.pid))
    rss = 0
    for line in open("/proc/%d/status" % proc.pid):
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return fds, rss

try:
    s = connect()
    ok("negotiated") if signed(full_message(s)) else bad("first message not signed")
    base_fds, base_rss = fds_rss()
    for i in range(3000):
        start_message(s, n_headers=(i % 5))
        if i % 3 == 1:
            s.sendall(pkt(b"N")); read_reply(s)
        if i % 3 == 2:
            s.sendall(pkt(b"N")); read_reply(s)
            s.sendall(pkt(b"B", b"half a body\r\n" * 50)); read_reply(s)
        s.sendall(pkt(b"A"))          # abort: no reply
    ok("3000 aborted transactions on one connection") if signed(full_message(s)) else bad("not signed after aborts")
    s.sendall(pkt(b"Q")); s.close()
    for i in range(200):
        d = connect()
        start_message(d)
        d.sendall(pkt(b"N")); read_reply(d)
        d.sendall(pkt(b"B", b"x" * 1000))
        d.close()                      # the MTA drops the connection mid-body
    time.sleep(0.5)
    s = connect()
    ok("200 connections dropped mid-message") if signed(full_message(s)) else bad("not signed after drops")
    s.close()
    g = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); g.settimeout(5); g.connect(sock_path)
    g.sendall(struct.pack(">I", 0x7fffffff) + b"B" + b"x" * 100)   # absurd length
    g.close()
    g = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); g.settimeout(5); g.connect(sock_path)
    g.sendall(b"\x00\x00\x00\x05Zjunk")                             # unknown command
    g.close()
    time.sleep(0.5)
    s = connect()
    ok("garbage and an absurd packet length survived") if signed(full_message(s)) else bad("not signed after garbage")
    s.close()
    time.sleep(0.5)
    fds, rss = fds_rss()
    print("descriptors: %d before, %d after; RSS: %d kB before, %d kB after" % (base_fds, fds, base_rss, rss))
    ok("no descriptor leak") if fds <= base_fds + 2 else bad("descriptors grew from %d to %d" % (base_fds, fds))
    # AddressSanitizer keeps freed memory in quarantine (256 MB by default),
    # so under it RSS says little; LeakSanitizer at exit checks leaks there.
    asan = "libasan" in open("/proc/%d/maps" % proc.pid).read()
    limit = 300000 if asan else 20000
    ok("RSS stayed within %d MB of the start" % (limit // 1000)) if rss < base_rss + limit else bad("RSS grew from %d to %d kB" % (base_rss, rss))
except (EOFError, OSError) as e:
    bad("milter protocol: %s" % e)
finally:
    alive = proc.poll() is None
    ok("milter still running") if alive else bad("milter died (status %s)" % proc.returncode)
    proc.terminate()
    rc = proc.wait(timeout=15)
    log.close()
    # a clean stop exits 0; LeakSanitizer makes it non-zero on a leak
    ok("clean exit on SIGTERM") if rc == 0 else bad("exit status %d on SIGTERM (leak report?)" % rc)
    if nfail:
        print(open(os.path.join(tmp, "milter.log")).read()[-2000:])
    subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
