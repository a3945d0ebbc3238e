#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Stand-in milter for the Postfix harness self-test (not a test of inkan).

Speaks just enough of the Sendmail milter protocol, version 6: answers option
negotiation, replies SMFIR_CONTINUE to every command that expects a reply, and at
end of body adds the header "X-Fake-Milter: seen" and accepts the message.
It proves that mail handed to the harness Postfix really passes through the
milter named in smtpd_milters.

usage: fake_milter.py [--log FILE] [--socket-mode OCTAL] SOCKET
  SOCKET is PORT (127.0.0.1:PORT), inet:PORT@HOST, HOST:PORT or unix:PATH.
  --log FILE  append one line per milter command: "<conn> <cmd> [name=value ...]",
              where macros (SMFIC_MACRO) show as "<conn> D:<for-cmd> {name}=value ...".
  --socket-mode  chmod a unix socket after bind (e.g. 666), otherwise the umask rules.
"""
import argparse
import itertools
import os
import signal
import socket
import socketserver
import struct
import sys
import threading

# Commands (MTA -> milter)
SMFIC_ABORT = b"A"
SMFIC_BODY = b"B"
SMFIC_CONNECT = b"C"
SMFIC_MACRO = b"D"
SMFIC_BODYEOB = b"E"
SMFIC_HELO = b"H"
SMFIC_QUIT_NC = b"K"
SMFIC_HEADER = b"L"
SMFIC_MAIL = b"M"
SMFIC_EOH = b"N"
SMFIC_OPTNEG = b"O"
SMFIC_QUIT = b"Q"
SMFIC_RCPT = b"R"
SMFIC_DATA = b"T"
SMFIC_UNKNOWN = b"U"

# Replies (milter -> MTA)
SMFIR_ACCEPT = b"a"
SMFIR_CONTINUE = b"c"
SMFIR_ADDHEADER = b"h"

SMFI_VERSION = 6
SMFIF_ADDHDRS = 0x01

NO_REPLY = {SMFIC_MACRO, SMFIC_ABORT, SMFIC_QUIT, SMFIC_QUIT_NC}

_log_lock = threading.Lock()
_log_file = None
_conn_ids = itertools.count(1)


def log(line):
    if _log_file is None:
        return
    with _log_lock:
        with open(_log_file, "a", encoding="utf-8", errors="replace") as f:
            f.write(line + "\n")


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def send_packet(sock, cmd, data=b""):
    sock.sendall(struct.pack("!I", len(data) + 1) + cmd + data)


def split_nul(data):
    parts = data.split(b"\0")
    if parts and parts[-1] == b"":
        parts.pop()
    return [p.decode("utf-8", "replace") for p in parts]


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        conn = next(_conn_ids)
        while True:
            head = recv_exact(sock, 4)
            if head is None:
                return
            (length,) = struct.unpack("!I", head)
            if length < 1 or length > 16 * 1024 * 1024:
                return
            packet = recv_exact(sock, length)
            if packet is None:
                return
            cmd, data = packet[:1], packet[1:]

            if cmd == SMFIC_MACRO:
                kv = split_nul(data[1:])
                pairs = " ".join(
                    "%s=%s" % (kv[i], kv[i + 1] if i + 1 < len(kv) else "")
                    for i in range(0, len(kv), 2))
                log("%d D:%s %s" % (conn, data[:1].decode("ascii", "replace"), pairs))
                continue
            if cmd in (SMFIC_CONNECT, SMFIC_HELO, SMFIC_MAIL, SMFIC_RCPT, SMFIC_HEADER):
                log("%d %s %s" % (conn, cmd.decode(), " ".join(split_nul(data))))
            else:
                log("%d %s" % (conn, cmd.decode("ascii", "replace")))

            if cmd == SMFIC_OPTNEG:
                # Offer version 6, the add-header action, and no protocol
                # "no-*" flags: we want every callback and reply to each.
                send_packet(sock, SMFIC_OPTNEG,
                            struct.pack("!III", SMFI_VERSION, SMFIF_ADDHDRS, 0))
            elif cmd == SMFIC_BODYEOB:
                send_packet(sock, SMFIR_ADDHEADER, b"X-Fake-Milter\0seen\0")
                send_packet(sock, SMFIR_ACCEPT)
            elif cmd == SMFIC_QUIT:
                return
            elif cmd in NO_REPLY:
                continue        # abort, quit-new-connection: no reply
            else:
                send_packet(sock, SMFIR_CONTINUE)


class TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def main():
    global _log_file
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log")
    ap.add_argument("--socket-mode")
    ap.add_argument("socket")
    args = ap.parse_args()
    _log_file = args.log
    spec = args.socket

    if spec.startswith("unix:") or spec.startswith("local:"):
        path = spec.split(":", 1)[1]
        if os.path.exists(path):
            os.unlink(path)
        server = UnixServer(path, Handler)
        if args.socket_mode:
            os.chmod(path, int(args.socket_mode, 8))
    else:
        host, port = "127.0.0.1", None
        if spec.startswith("inet:"):
            spec = spec[5:]
            if "@" in spec:
                port, host = spec.split("@", 1)
            else:
                host, port = spec.rsplit(":", 1)
        elif ":" in spec:
            host, port = spec.rsplit(":", 1)
        else:
            port = spec
        server = TCPServer((host, int(port)), Handler)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if isinstance(server, UnixServer):
            try:
                os.unlink(server.server_address)
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
