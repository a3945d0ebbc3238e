#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# ops_pid_file.py - pid_file (issue 15), for running without systemd:
#   * a daemon (no -f) writes the id of the process that stays, which is a
#     running inkan-milter, and removes the file at SIGTERM;
#   * a second start while the file names the running daemon is refused,
#     naming the process, and the first goes on;
#   * a file left by a dead process is taken over;
#   * with user = nobody and the file in a directory only root may write,
#     the daemon cannot remove it at stop: the log says so, the next start
#     takes it over.
# Needs root (user = nobody).
#
# usage: ops_pid_file.py INKAN-MILTER
import os, pwd, signal, subprocess, sys, tempfile, time

milter = sys.argv[1]
if os.geteuid() != 0:
    sys.exit("FAIL: ops_pid_file needs root (user = nobody)")
pwd.getpwnam("nobody")
tmp = tempfile.mkdtemp(prefix="ops_pid_file.")
os.chmod(tmp, 0o755)
npass = nfail = 0


def check(cond, m, why=""):
    global npass, nfail
    if cond:
        npass += 1
        print("ok:", m)
    else:
        nfail += 1
        print("FAIL:", m + (": " + why if why else ""))


def conf(name, sock, pidfile, extra=""):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("socket = unix:%s\npid_file = %s\nauthserv_id = mx.test.example\n"
                "shutdown_timeout = 1\n%s" % (os.path.join(tmp, sock), pidfile, extra))
    return path


def read_pid(path):
    try:
        return int(open(path).read().strip())
    except (OSError, ValueError):
        return 0


def alive(pid):
    try:
        state = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_for(cond, secs=10):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


pidfile = os.path.join(tmp, "inkan-milter.pid")
c1 = conf("one.conf", "one.sock", pidfile)
r = subprocess.run([milter, "-c", c1], capture_output=True, text=True, timeout=30)
check(r.returncode == 0, "daemon start exits 0", r.stderr)
check(wait_for(lambda: read_pid(pidfile) > 0), "pid file written")
pid = read_pid(pidfile)
check(pid > 0 and alive(pid), "pid file names a live process", "pid %d" % pid)
comm = open("/proc/%d/comm" % pid).read().strip() if pid > 0 and alive(pid) else ""
check(comm == "inkan-milter", "that process is inkan-milter", comm)
check(open(pidfile).read() == "%d\n" % pid, "pid file is one number and a newline")
check(wait_for(lambda: os.path.exists(os.path.join(tmp, "one.sock"))), "daemon listens")

# a second start with the same pid file (another socket, so only the pid
# file can stop it)
c2 = conf("two.conf", "two.sock", pidfile)
r = subprocess.run([milter, "-c", c2], capture_output=True, text=True, timeout=30)
check(r.returncode == 1, "second start refused", "exit %d" % r.returncode)
want = "pid_file %s: inkan-milter already runs as process %d" % (pidfile, pid)
check(want in r.stderr, "refusal names the running process", r.stderr)
check(not os.path.exists(os.path.join(tmp, "two.sock")), "second start did not listen")
check(read_pid(pidfile) == pid and alive(pid), "first daemon and its pid file untouched")

os.kill(pid, signal.SIGTERM)
check(wait_for(lambda: not alive(pid), 20), "daemon stops on SIGTERM")
check(wait_for(lambda: not os.path.exists(pidfile)), "pid file removed at stop")

# a stale file: the id of a process that has exited
dead = subprocess.Popen(["true"])
dead.wait()
with open(pidfile, "w") as f:
    f.write("%d\n" % dead.pid)
r = subprocess.run([milter, "-c", c1], capture_output=True, text=True, timeout=30)
check(r.returncode == 0, "start over a stale pid file", r.stderr)
check(wait_for(lambda: read_pid(pidfile) not in (0, dead.pid)), "stale pid file taken over")
pid = read_pid(pidfile)
check(alive(pid), "it names the new daemon")
if pid > 0 and alive(pid):
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not alive(pid), 20)
check(wait_for(lambda: not os.path.exists(pidfile)), "pid file removed at stop")

# user = nobody, the file in tmp (root's, 0755): written as root, left at
# stop with a log line; in the foreground the pid is the process started
rootdir = os.path.join(tmp, "rootonly")
os.mkdir(rootdir, 0o755)
pf3 = os.path.join(rootdir, "inkan-milter.pid")
c3 = conf("three.conf", "three.sock", pf3, "user = nobody\nlog = stderr\n")
logpath = os.path.join(tmp, "three.log")
for round in (1, 2):
    with open(logpath, "w") as log:
        p = subprocess.Popen([milter, "-f", "-c", c3], stderr=log)
    ok = wait_for(lambda: "listening" in open(logpath).read())
    check(ok, "user = nobody, round %d: started" % round, open(logpath).read())
    check(read_pid(pf3) == p.pid, "user = nobody, round %d: pid file holds its pid" % round)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    text = open(logpath).read()
    check(os.path.exists(pf3), "user = nobody, round %d: pid file left (root's directory)" % round)
    check("cannot remove pid_file %s: Permission denied; the next start takes it over" % pf3 in text,
          "user = nobody, round %d: the log says it could not be removed" % round, text)

subprocess.run(["rm", "-rf", tmp])
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
