# SPDX-License-Identifier: ISC
#
# fakedns.py - a small DNS server on loopback (UDP and TCP on one port) that
# misbehaves on request, for driving inkan's real libunbound backend into
# the faults a resolver meets on the Internet. inkan forwards to it through
# dns_forwarders = 127.0.0.1@PORT, so it plays the recursive resolver:
# answers carry the whole CNAME chain, as a recursive resolver's do.
#
# Packets are built and parsed here by hand (RFC 1035 4.1) because the
# faults are exactly the packets a DNS library refuses to build: bad
# compression pointers, records running past the end, wrong IDs.
#
# Data: records[(name, type)] = [rdata bytes, ...], names lower case with no
# trailing dot. Faults: faults[name] = behaviour (for every type) or
# faults[(name, type)] = behaviour; see FAULTS. The server notes every query
# it gets in .log as (transport, name, type).
import socket, struct, threading, time

A, CNAME, TXT, OPT = 1, 5, 16, 41

FAULTS = {
    "timeout",      # no answer at all
    "servfail",     # RCODE 2
    "refused",      # RCODE 5
    "tc",           # UDP: TC=1 and no records; TCP: the real answer
    "tc-tcpclose",  # UDP: TC=1; TCP: the connection is closed unanswered
    "badptr",       # the answer's owner is a compression pointer past the end
    "truncrr",      # the last record's RDLENGTH runs past the packet
    "wrongid",      # the answer carries another message ID
    "wrongq",       # the answer's question is another name
    "anytype",      # every record of the name, whatever type was asked
    "slow",         # the real answer, after .slow_ms
}


def name_wire(name):
    out = b""
    for label in name.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def txt(*strings):
    """TXT rdata from character-strings (str or bytes), each <= 255 bytes."""
    out = b""
    for s in strings:
        b = s.encode() if isinstance(s, str) else s
        assert len(b) <= 255
        out += bytes([len(b)]) + b
    return out


def split_txt(s, n):
    """TXT rdata of s cut into strings of n bytes."""
    b = s.encode()
    return txt(*[b[i:i + n] for i in range(0, len(b), n)])


def a(addr):
    return socket.inet_aton(addr)


def cname(target):
    return name_wire(target)


class Query:
    def __init__(self, pkt):
        if len(pkt) < 12:
            raise ValueError("short")
        self.id, self.flags, qd, _an, _ns, ar = struct.unpack(">HHHHHH", pkt[:12])
        if qd != 1:
            raise ValueError("qdcount %d" % qd)
        p, labels = 12, []
        while True:
            n = pkt[p]
            p += 1
            if n == 0:
                break
            if n > 63:
                raise ValueError("compressed question")
            labels.append(pkt[p:p + n].decode("ascii", "replace"))
            p += n
        self.qname_wire = pkt[12:p]
        self.name = ".".join(labels).lower()
        self.type, self.qclass = struct.unpack(">HH", pkt[p:p + 4])
        self.question = pkt[12:p + 4]
        p += 4
        # EDNS (RFC 6891): the client's UDP payload size, else 512
        self.edns = None
        if ar >= 1 and pkt[p:p + 3] == b"\0\0\x29":
            self.edns = max(512, struct.unpack(">H", pkt[p + 3:p + 5])[0])


class FakeDNS:
    def __init__(self):
        self.records = {}
        self.faults = {}
        self.slow_ms = 0
        self.log = []
        self.lock = threading.Lock()
        self.stopping = False
        # one port for UDP and TCP, as a forwarder address has one port
        for _ in range(50):
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind(("127.0.0.1", self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
        else:
            raise RuntimeError("no free port for UDP and TCP")
        self.tcp.listen(64)
        self.udp.settimeout(0.2)
        self.tcp.settimeout(0.2)
        self.threads = [threading.Thread(target=self._udp_loop, daemon=True),
                        threading.Thread(target=self._tcp_loop, daemon=True)]
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join()
        self.udp.close()
        self.tcp.close()

    def reset(self, records, faults=None, slow_ms=0):
        with self.lock:
            self.records = records
            self.faults = dict(faults or {})
            self.slow_ms = slow_ms
            self.log = []

    def queries(self):
        with self.lock:
            return list(self.log)

    # --- answers -------------------------------------------------------

    def _fault(self, q):
        f = self.faults.get((q.name, q.type))
        return f if f is not None else self.faults.get(q.name)

    def _rrs(self, q, anytype):
        """(rcode, [(owner, type, rdata)]): the chain, then the records."""
        out, name, seen = [], q.name, set()
        while name not in seen and len(seen) < 30:
            seen.add(name)
            if anytype:
                got = [(name, t, rd) for (n, t), rds in self.records.items()
                       if n == name for rd in rds]
                return 0, out + got
            rds = self.records.get((name, q.type))
            if rds:
                return 0, out + [(name, q.type, rd) for rd in rds]
            target = self.records.get((name, CNAME))
            if q.type != CNAME and target:
                out.append((name, CNAME, target[0]))
                # the target's name, to follow within this answer
                p, labels, t = 0, [], target[0]
                while t[p]:
                    labels.append(t[p + 1:p + 1 + t[p]].decode())
                    p += 1 + t[p]
                name = ".".join(labels).lower()
                continue
            exists = any(n == name for (n, _t) in self.records)
            return (0 if exists else 3), out
        return 0, out  # a loop: the chain as far as it goes

    def answer(self, q, tcp):
        """The reply bytes for q, or None for no reply."""
        fault = self._fault(q)
        with self.lock:
            self.log.append(("tcp" if tcp else "udp", q.name, q.type))
        if fault == "timeout":
            return None
        if fault == "slow":
            time.sleep(self.slow_ms / 1000.0)
        flags = 0x8000 | (q.flags & 0x0100) | 0x0080  # QR, RD copied, RA
        rcode, rrs = 0, []
        if fault == "servfail":
            rcode = 2
        elif fault == "refused":
            rcode = 5
        elif fault in ("tc", "tc-tcpclose") and not tcp:
            flags |= 0x0200
        else:
            rcode, rrs = self._rrs(q, fault == "anytype")
        qid = q.id ^ 0x5a5a if fault == "wrongid" else q.id
        question = q.question
        if fault == "wrongq":
            question = name_wire("other." + q.name) + question[len(q.qname_wire):]
        body = b""
        for owner, t, rd in rrs:
            body += name_wire(owner) + struct.pack(">HHIH", t, 1, 300, len(rd)) + rd
        nan = len(rrs)
        if fault == "badptr" and rrs:
            # the first answer's owner: a pointer far past the message
            body = b"\xff\xf0" + body[len(name_wire(rrs[0][0])):]
        if fault == "truncrr" and rrs:
            body = body[:-3]  # RDLENGTH now claims 3 bytes that are not there
        opt = b""
        if q.edns is not None:
            opt = b"\0" + struct.pack(">HHIH", OPT, 1232, 0, 0)
        pkt = struct.pack(">HHHHHH", qid, flags | rcode, 1, nan, 0,
                          1 if opt else 0) + question + body + opt
        if not tcp and len(pkt) > (q.edns or 512):
            # too big for UDP: TC=1 and no records (RFC 2181 9)
            pkt = struct.pack(">HHHHHH", qid, flags | 0x0200 | rcode, 1, 0, 0,
                              1 if opt else 0) + question + opt
        return pkt

    # --- transports ----------------------------------------------------

    def _udp_loop(self):
        while not self.stopping:
            try:
                pkt, peer = self.udp.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                q = Query(pkt)
            except (ValueError, IndexError, struct.error):
                continue
            threading.Thread(target=self._udp_reply, args=(q, peer),
                             daemon=True).start()

    def _udp_reply(self, q, peer):
        r = self.answer(q, False)
        if r is not None:
            try:
                self.udp.sendto(r, peer)
            except OSError:
                pass

    def _tcp_loop(self):
        while not self.stopping:
            try:
                c, _ = self.tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._tcp_conn, args=(c,), daemon=True).start()

    def _tcp_conn(self, c):
        c.settimeout(5)
        try:
            while not self.stopping:
                hdr = self._read(c, 2)
                if hdr is None:
                    return
                pkt = self._read(c, struct.unpack(">H", hdr)[0])
                if pkt is None:
                    return
                try:
                    q = Query(pkt)
                except (ValueError, IndexError, struct.error):
                    return
                if self._fault(q) == "tc-tcpclose":
                    with self.lock:
                        self.log.append(("tcp", q.name, q.type))
                    return
                r = self.answer(q, True)
                if r is None:
                    continue
                c.sendall(struct.pack(">H", len(r)) + r)
        except OSError:
            pass
        finally:
            c.close()

    @staticmethod
    def _read(c, n):
        b = b""
        while len(b) < n:
            chunk = c.recv(n - len(b))
            if not chunk:
                return None
            b += chunk
        return b
