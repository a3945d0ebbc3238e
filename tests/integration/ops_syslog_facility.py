#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# ops_syslog_facility.py - syslog_facility (issue 15) seen where syslog
# sees it: the daemon (log = syslog, detached) runs with fakesyslog.c
# preloaded, which sends each syslog() line to a datagram socket this test
# reads, so the priority of each line, <facility * 8 + severity> (RFC 5424
# 6.2.1), is checked without touching the host's syslog:
#   * syslog_facility = local3: the start line comes with facility local3
#     (19) at info, <158>;
#   * without the setting: facility mail (2), <22>.
# The daemon is stopped through its pid_file.
#
# usage: ops_syslog_facility.py INKAN-MILTER
import os, signal, socket, subprocess, sys, tempfile, time

milter = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="ops_syslog.")
npass = nfail = 0


def check(cond, m, why=""):
    global npass, nfail
    if cond:
        npass += 1
        print("ok:", m)
    else:
        nfail += 1
        print("FAIL:", m + (": " + why if why else ""))


# fakesyslog.c, preloaded, sends every syslog() line to our socket
here = os.path.dirname(os.path.abspath(__file__))
shim = os.path.join(tmp, "fakesyslog.so")
cc = subprocess.run(["cc", "-shared", "-fPIC", "-o", shim,
                     os.path.join(here, "fakesyslog.c")], capture_output=True, text=True)
if cc.returncode != 0:
    sys.exit("FAIL: cannot build fakesyslog.c: " + cc.stderr)


def run(name, extra):
    sockpath = os.path.join(tmp, "log.sock")
    if os.path.exists(sockpath):
        os.unlink(sockpath)
    log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    log.bind(sockpath)
    log.settimeout(0.2)
    pidfile = os.path.join(tmp, name + ".pid")
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write("socket = unix:%s\nauthserv_id = mx.test.example\nlog = syslog\n"
                "pid_file = %s\nshutdown_timeout = 1\n%s"
                % (os.path.join(tmp, name + ".sock"), pidfile, extra))
    env = dict(os.environ, LD_PRELOAD=shim, FAKESYSLOG=sockpath)
    # ASan wants its runtime first; the shim is not instrumented
    env["ASAN_OPTIONS"] = ":".join(x for x in (os.environ.get("ASAN_OPTIONS"),
                                   "verify_asan_link_order=0") if x)
    r = subprocess.run([milter, "-c", conf], capture_output=True, text=True,
                       env=env, timeout=30)
    if r.returncode != 0:
        log.close()
        return None, "start failed (exit %d): %s" % (r.returncode, r.stderr)
    lines = []
    end = time.monotonic() + 10
    while time.monotonic() < end and not any(b"listening" in l for l in lines):
        try:
            lines.append(log.recv(65536))
        except socket.timeout:
            pass
    log.close()
    try:
        pid = int(open(pidfile).read())
        os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            if not os.path.exists("/proc/%d" % pid):
                break
            time.sleep(0.05)
    except (OSError, ValueError) as e:
        return lines, "cannot stop the daemon: %s" % e
    return lines, None


for name, extra, pri, fac in (("local3", "syslog_facility = local3\n", b"<158>", "local3"),
                              ("default", "", b"<22>", "mail")):
    lines, err = run(name, extra)
    if lines is None:
        check(False, name + ": daemon started", err)
        continue
    start = [l for l in lines if b"listening" in l]
    check(bool(start), name + ": the start line reached /dev/log", err or repr(lines[:3]))
    if start:
        check(start[0].startswith(pri), "%s: facility %s, level info (%s)" % (name, fac, pri.decode()),
              repr(start[0][:60]))
    check(err is None, name + ": stopped through its pid_file", err or "")

subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
