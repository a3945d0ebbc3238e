#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# metrics_scrape.py - the client side of tests/integration/metrics.sh, with
# only the Python standard library (what a Prometheus scrape does: an HTTP
# GET of /metrics).
#
#   metrics_scrape.py scrape ADDR OUT      GET /metrics; exit 1 unless 200 with
#                                          the exposition format's Content-Type
#   metrics_scrape.py delta BEFORE AFTER SERIES=N...
#                                          each series moved by exactly N
#                                          (SERIES>=N: by at least N)
#   metrics_scrape.py probe ADDR           odd clients: 404, 405, 400, 431; a
#                                          silent client does not stop a scrape
#   metrics_scrape.py crowd ADDR           ten idle clients and a slow one (a
#                                          byte a second) do not hold up
#                                          scrapes, several at once
#   metrics_scrape.py listening PID        the listening sockets PID holds
#                                          ("tcp HOST:PORT", "unix PATH")
# ADDR is HOST:PORT or unix:PATH.

import os
import re
import socket
import sys
import time

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def connect(addr, timeout=10):
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(addr[5:])
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host, int(port)), timeout=timeout)
        s.settimeout(timeout)
    return s


def exchange(addr, request, timeout=10):
    """Send request bytes, read to EOF; (status, headers, body)."""
    s = connect(addr, timeout)
    try:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3}) ", lines[0])
    if not m:
        raise ValueError("not an HTTP response: %r" % data[:80])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if int(headers.get("content-length", -1)) != len(body):
        raise ValueError("Content-Length %s, body %d bytes" %
                         (headers.get("content-length"), len(body)))
    return int(m.group(1)), headers, body


def scrape(addr):
    status, headers, body = exchange(
        addr, b"GET /metrics HTTP/1.1\r\nHost: inkan\r\n"
        b"Accept: text/plain;version=0.0.4\r\nUser-Agent: test\r\n\r\n")
    if status != 200:
        raise ValueError("status %d" % status)
    if headers.get("content-type") != CONTENT_TYPE:
        raise ValueError("Content-Type %r" % headers.get("content-type"))
    return body.decode("utf-8")


def samples(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        series, _, value = line.rpartition(" ")
        out[series] = float(value)
    return out


def cmd_delta(before, after, specs):
    a = samples(open(before).read())
    b = samples(open(after).read())
    bad = 0
    for spec in specs:
        # the last "=" (or ">=") before the number; labels have "=" too
        m = re.match(r"^(.*)>=(\d+)$", spec)
        at_least = m is not None
        m = m or re.match(r"^(.*)=(\d+)$", spec)
        if m is None:
            print("FAIL: %s: not SERIES=N or SERIES>=N" % spec)
            bad += 1
            continue
        series, want = m.group(1).replace("'", '"'), m.group(2)
        if series not in b:
            print("FAIL: %s: not in the scrape" % series)
            bad += 1
            continue
        got = b[series] - a.get(series, 0)
        ok = got >= float(want) if at_least else got == float(want)
        print("%s: %s moved by %g, want %s%s" % ("ok" if ok else "FAIL",
              series, got, ">=" if at_least else "", want))
        bad += not ok
    return 1 if bad else 0


def cmd_probe(addr):
    bad = 0

    def check(name, request, want):
        nonlocal bad
        try:
            status, _, _ = exchange(addr, request)
        except (OSError, ValueError) as e:
            status = "error: %s" % e
        print("%s: %s: status %s, want %d" % (
            "ok" if status == want else "FAIL", name, status, want))
        bad += status != want

    check("other path", b"GET / HTTP/1.1\r\n\r\n", 404)
    check("POST", b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405)
    check("not HTTP", b"HELO example.com\r\n\r\n", 400)
    check("request head over the cap", b"GET /metrics HTTP/1.1\r\n" +
          b"X-Pad: " + b"a" * 9000 + b"\r\n\r\n", 431)
    # A client that connects and says nothing holds the server for its
    # time limit at most: a scrape behind it still gets its answer.
    idle = connect(addr)
    try:
        t0 = time.monotonic()
        scrape(addr)
        print("ok: scrape behind a silent client answered after %.1f s" %
              (time.monotonic() - t0))
    except (OSError, ValueError) as e:
        print("FAIL: scrape behind a silent client: %s" % e)
        bad += 1
    finally:
        idle.close()
    return 1 if bad else 0


# The bound for a scrape behind the crowd: generous for a loaded machine,
# far below what serving one client at a time takes (a time limit of 2 s
# for each of the eleven ahead of it: 22 s).
CROWD_BOUND = 1.5


def cmd_crowd(addr):
    """Ten clients that connect and say nothing and one that sends its
    request a byte a second are held open while three scrapers, one after
    the other and then two at once, get their answers. Each scrape must
    finish within CROWD_BOUND seconds while every idle connection is still
    open (they are closed only after the scrapes returned), so the test
    does not rest on timing alone: a server that waited for the idle ones
    could not answer before it had closed them."""
    import threading
    bad = 0
    idle = [connect(addr) for _ in range(10)]
    slow = connect(addr)
    stop = threading.Event()

    def loris():
        req = b"GET /metrics HTTP/1.1\r\nHost: inkan\r\n"
        for b in req:
            if stop.wait(1.0):
                return
            try:
                slow.send(bytes([b]))
            except OSError:
                return
    t = threading.Thread(target=loris, daemon=True)
    t.start()
    time.sleep(0.2)  # the crowd is accepted before the scrapes start
    results = []

    def timed_scrape(tag):
        t0 = time.monotonic()
        try:
            scrape(addr)
            results.append((tag, time.monotonic() - t0, None))
        except (OSError, ValueError) as e:
            results.append((tag, time.monotonic() - t0, e))

    try:
        timed_scrape("first scrape")
        pair = [threading.Thread(target=timed_scrape, args=(
            "concurrent scrape %d" % i,)) for i in (1, 2)]
        for th in pair:
            th.start()
        for th in pair:
            th.join(30)
        # every idle connection still open: not yet closed by the server
        still = 0
        for s in idle:
            s.setblocking(False)
            try:
                still += s.recv(1, socket.MSG_PEEK) != b""
            except BlockingIOError:
                still += 1
            except OSError:
                pass
    finally:
        stop.set()
        for s in idle + [slow]:
            s.close()
        t.join(5)
    if len(results) != 3:
        print("FAIL: %d of 3 scrapes returned" % len(results))
        bad += 1
    for tag, dt, err in results:
        good = err is None and dt < CROWD_BOUND
        print("%s: %s behind 10 idle clients and a slow one: %.2f s%s "
              "(bound %.1f s)" % ("ok" if good else "FAIL", tag, dt,
                                  "" if err is None else ", %s" % err,
                                  CROWD_BOUND))
        bad += not good
    print("%s: %d of 10 idle connections still open after the scrapes" % (
        "ok" if still == 10 else "FAIL", still))
    bad += still != 10
    return 1 if bad else 0


def cmd_listening(pid):
    inodes = set()
    fd_dir = "/proc/%s/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]$", target)
        if m:
            inodes.add(m.group(1))
    for proto in ("tcp", "tcp6"):
        with open("/proc/net/%s" % proto) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                    port = int(fields[1].split(":")[1], 16)
                    print("tcp port %d" % port)
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            fields = line.split()
            # Flags 00010000: __SO_ACCEPTCON, a listening socket
            if fields[3] == "00010000" and fields[6] in inodes:
                print("unix %s" % (fields[7] if len(fields) > 7 else "?"))
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "scrape":
        try:
            text = scrape(argv[2])
        except (OSError, ValueError) as e:
            print("scrape %s: %s" % (argv[2], e), file=sys.stderr)
            return 1
        with open(argv[3], "w") as f:
            f.write(text)
        return 0
    if len(argv) >= 4 and argv[1] == "delta":
        return cmd_delta(argv[2], argv[3], argv[4:])
    if len(argv) == 3 and argv[1] == "probe":
        return cmd_probe(argv[2])
    if len(argv) == 3 and argv[1] == "crowd":
        return cmd_crowd(argv[2])
    if len(argv) == 3 and argv[1] == "listening":
        return cmd_listening(argv[2])
    print(__doc__ if __doc__ else "usage: see the file", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
