# SPDX-License-Identifier: ISC
#
# milterproto.py - the MTA side of the milter protocol (version 6), enough to
# drive inkan-milter directly in tests without an MTA: negotiate, connect,
# HELO, MAIL FROM, RCPT, headers, body, end of message, abort, quit.
# Packets are a 4-byte big-endian length, a command byte and its data
# (libmilter's mfdef.h). Used by milter_faults.py and ops_faults.py.
import socket, struct, time

# the replies that end a step, as opposed to modifications ('h', 'i', ...)
FINAL = (b"a", b"c", b"r", b"t", b"d", b"y")


def pkt(cmd, data=b""):
    return struct.pack(">I", len(data) + 1) + cmd + data


def read_reply(s):
    """(command byte, data) of the next packet from the milter."""
    hdr = b""
    while len(hdr) < 4:
        chunk = s.recv(4 - len(hdr))
        if not chunk:
            raise EOFError("milter closed the connection")
        hdr += chunk
    n = struct.unpack(">I", hdr)[0]
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            raise EOFError("short reply")
        body += chunk
    return body[:1], body[1:]


def connect(sock_path, client_ip="127.0.0.1", helo=b"client.example",
            daemon_name=b"ORIGINATING", timeout=10):
    """A negotiated connection through HELO, from client_ip (IPv4). A
    milter starting up has its socket file a moment before it listens, and
    a busy machine makes that moment long: a refused connect is retried
    for up to 10 seconds."""
    for attempt in range(100):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(sock_path)
            break
        except (ConnectionRefusedError, FileNotFoundError):
            s.close()
            if attempt == 99:
                raise
            time.sleep(0.1)
    # version 6, all actions offered, the steps we will send (no skipping)
    s.sendall(pkt(b"O", struct.pack(">III", 6, 0x1ff, 0x0)))
    read_reply(s)
    s.sendall(pkt(b"D", b"C{daemon_name}\0" + daemon_name + b"\0"))
    s.sendall(pkt(b"C", b"client.example\0" + b"4" + struct.pack(">H", 25) +
                  client_ip.encode() + b"\0"))
    read_reply(s)
    s.sendall(pkt(b"H", helo + b"\0"))
    read_reply(s)
    return s


def mail_from(s, addr, qid=None):
    """MAIL FROM; returns the reply command byte (b'c' to go on)."""
    if qid is not None:
        s.sendall(pkt(b"D", b"Mi\0" + qid + b"\0"))
    s.sendall(pkt(b"M", b"<" + addr + b">\0"))
    return read_reply(s)[0]


def rest_of_message(s, headers, body=b"Hello.\r\n", rcpt=b"bob@example.org"):
    """RCPT, headers, body, end of message: the list of (code, data)."""
    s.sendall(pkt(b"R", b"<" + rcpt + b">\0"))
    read_reply(s)
    for name, value in headers:
        s.sendall(pkt(b"L", name + b"\0" + value + b"\0"))
        read_reply(s)
    s.sendall(pkt(b"N"))
    read_reply(s)
    s.sendall(pkt(b"B", body))
    read_reply(s)
    s.sendall(pkt(b"E"))
    got = []
    while True:
        code, data = read_reply(s)
        got.append((code, data))
        if code in FINAL:
            return got


def message(s, sender, headers, **kw):
    """A whole transaction; the MAIL FROM reply's code alone if not b'c'."""
    code = mail_from(s, sender, kw.pop("qid", None))
    if code != b"c":
        return [(code, b"")]
    return rest_of_message(s, headers, **kw)


def added(got, name):
    """Values of the header fields named name that the milter added."""
    out = []
    for code, data in got:
        if code == b"h":
            n, v = data.split(b"\0")[:2]
        elif code == b"i":
            n, v = data[4:].split(b"\0")[:2]
        else:
            continue
        if n.lower() == name.lower():
            out.append(v)
    return out


def final(got):
    return got[-1][0]


def signed(got):
    return bool(added(got, b"DKIM-Signature")) and final(got) in (b"a", b"c")
