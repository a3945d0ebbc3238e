#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# gen.py - hostile messages and DNS records for tests/hostile/run.py
# (issue 7, item 3). Imported by run.py; as a program it rewrites the small
# fixed inputs in tests/data/hostile:
#
#   gen.py --fixed DIR
#
# The big inputs (a 1 MB header line, 10,000 fields, 10,000 DKIM-Signature
# fields, 1,000 From addresses, a 100 MB body) are never committed: run.py
# makes them at test time in its mkdtemp directory, streaming to the file so
# the generator holds no more than one line at a time.

import base64
import os
import sys

CRLF = b"\r\n"

# The header block every generated message starts from: one From with one
# address in example.com, the domain the test key signs for.
BASE_HEADERS = [
    b"From: Alice Example <alice@example.com>",
    b"To: Bob <bob@example.org>",
    b"Subject: hostile input",
    b"Date: Wed, 25 Nov 2026 10:00:00 +0000",
    b"Message-ID: <hostile.1@example.com>",
    b"MIME-Version: 1.0",
    b"Content-Type: text/plain; charset=us-ascii",
]
BASE_BODY = b"Hello Bob,\r\n\r\nThis message is a test.\r\n"


def write_message(path, headers, body=BASE_BODY, eol=CRLF):
    with open(path, "wb") as f:
        for h in headers:
            f.write(h + eol)
        f.write(eol)
        f.write(body)


# ---- small fixed inputs (tests/data/hostile) ----

def fixed_messages():
    """name -> bytes of each small fixed input."""
    m = {}
    hdr = CRLF.join(BASE_HEADERS) + CRLF
    m["base.eml"] = hdr + CRLF + BASE_BODY
    # NUL bytes in a header value, in an unsigned field and in the body.
    m["nul-bytes.eml"] = (
        b"From: Alice Example <alice@example.com>\r\n"
        b"To: Bob <bob@example.org>\r\n"
        b"Subject: nul \x00 in the subject\r\n"
        b"X-Nul: \x00\x00\x00 three NULs\x00\r\n"
        b"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
        b"Message-ID: <nul.1@example.com>\r\n"
        b"\r\n"
        b"line with a NUL \x00 in it\r\n\x00\x00\r\nend\x00\r\n")
    # Line ends of every kind, in headers, in a fold and in the body.
    m["bare-cr-lf.eml"] = (
        b"From: Alice Example <alice@example.com>\r\n"
        b"To: Bob <bob@example.org>\n"
        b"Subject: bare\rCR inside a value\r\n"
        b"X-Folded: first\n second\r\n\tthird\r\n"
        b"X-Cr-Only: a\r\r\n"
        b"Date: Wed, 25 Nov 2026 10:00:00 +0000\n"
        b"Message-ID: <crlf.1@example.com>\r\n"
        b"\r\n"
        b"crlf\r\nlf\ncr\rcrcrlf\r\r\nlflf\n\nend without line end")
    # Bytes that are not UTF-8 in the display name, the subject, a field
    # name and the body (overlong, lone continuation, truncated sequences).
    m["invalid-utf8.eml"] = (
        b"From: \xff\xfe Al\xc3\xc3ice <alice@example.com>\r\n"
        b"To: Bob <bob@example.org>\r\n"
        b"Subject: \xc0\xaf overlong, \x80 lone, \xe2\x82 cut\r\n"
        b"X-\xf0\x9f\x98: field name not UTF-8\r\n"
        b"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
        b"Message-ID: <utf8.1@example.com>\r\n"
        b"\r\n"
        b"\xed\xa0\x80 surrogate \xf4\x90\x80\x80 too big \xfe\xff\r\n")
    # The classic invalid sequence C3 28: 28 is '(', so the From display
    # name opens a comment that never closes.
    m["invalid-utf8-paren-from.eml"] = (
        b"From: Al\xc3\x28ice <alice@example.com>\r\n" +
        CRLF.join(BASE_HEADERS[1:]) + CRLF + CRLF + BASE_BODY)
    # A DKIM-Signature whose d= and s= are not UTF-8 (they reach the JSON
    # and the log line).
    m["invalid-utf8-sig.eml"] = (
        b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
        b"\td=\xff\xfe.example; s=\xc3\x28; h=from:to:subject;\r\n"
        b"\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
        b"\tb=AAAA\r\n" + hdr + CRLF + BASE_BODY)
    # The header block ends inside a fold: a continuation line of only
    # white space and then end of file (no empty line, no body).
    m["unterminated-fold.eml"] = hdr + b"X-Last: value\r\n \t"
    # The same, with the fold in the From field itself and no final CRLF.
    m["unterminated-fold-from.eml"] = (
        b"To: Bob <bob@example.org>\r\n"
        b"Subject: fold at EOF\r\n"
        b"From: Alice Example\r\n <alice@example.com>\r\n\t")
    return m


# ---- big inputs, made at test time ----

def long_line(path, value_len):
    """One field, X-Long, whose value is value_len bytes on one line."""
    with open(path, "wb") as f:
        for h in BASE_HEADERS:
            f.write(h + CRLF)
        f.write(b"X-Long: ")
        chunk = b"0123456789abcdef" * 4096
        left = value_len
        while left > 0:
            f.write(chunk[:left])
            left -= min(left, len(chunk))
        f.write(CRLF + CRLF + BASE_BODY)


def many_fields(path, n):
    """n fields X-Hostile-i below the base header block."""
    with open(path, "wb") as f:
        for h in BASE_HEADERS:
            f.write(h + CRLF)
        for i in range(n):
            f.write(b"X-Hostile-%d: field number %d\r\n" % (i, i))
        f.write(CRLF + BASE_BODY)


def from_many(path, n):
    """A From field listing n addresses, folded one per line."""
    addrs = b",\r\n ".join(b"User %d <user%d@example.com>" % (i, i)
                           for i in range(n))
    hdrs = [h for h in BASE_HEADERS if not h.startswith(b"From:")]
    write_message(path, [b"From: " + addrs] + hdrs)


def big_body(path, size):
    """The base header block and a body of size bytes of 76-byte lines."""
    line = (b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            b"+/ \t lorem\r\n")
    block = line * (1048576 // len(line))
    with open(path, "wb") as f:
        for h in BASE_HEADERS:
            f.write(h + CRLF)
        f.write(CRLF)
        left = size
        while left > 0:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n


def split_headers(data):
    """(header block with its final CRLF, rest) of a CRLF message."""
    i = data.find(b"\r\n\r\n")
    if i < 0:
        raise ValueError("no end of header block")
    return data[:i + 2], data[i + 2:]


def dkim_signature_fields(header_block):
    """Every DKIM-Signature field (with its folds and final CRLF)."""
    out, cur = [], None
    for line in header_block.split(CRLF)[:-1]:
        if line[:1] in (b" ", b"\t"):
            if cur is not None:
                cur.append(line)
            continue
        if cur is not None:
            out.append(CRLF.join(cur) + CRLF)
            cur = None
        if line.lower().startswith(b"dkim-signature:"):
            cur = [line]
    if cur is not None:
        out.append(CRLF.join(cur) + CRLF)
    return out


def set_tag(field, tag, value):
    """field with the value of tag (b"b", b"bh", b"s") replaced."""
    name, _, val = field.partition(b":")
    tags = val.split(b";")
    for i, t in enumerate(tags):
        if t.strip(b" \t\r\n").split(b"=", 1)[0].strip(b" \t\r\n") == tag:
            lead = t[:len(t) - len(t.lstrip(b" \t\r\n"))]
            tags[i] = lead + tag + b"=" + value
            break
    else:
        raise ValueError("no tag %r" % tag)
    out = name + b":" + b";".join(tags)
    return out if out.endswith(CRLF) else out + CRLF


# ---- a fake RSA public key of any size, for p= ----

def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _der(tag, content):
    return bytes([tag]) + _der_len(len(content)) + content


def _der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")	# leading 0 if needed
    return _der(0x02, b)


def fake_rsa_spki(bits):
    """
    DER SubjectPublicKeyInfo of an RSA key with a bits-bit modulus (an odd
    number with the top bit set, not a product of two primes: only its size
    matters) and exponent 65537. Deterministic.
    """
    n = (1 << (bits - 1)) | int.from_bytes(
        (b"inkan-hostile" * (bits // 8))[:bits // 8], "big") | 1
    n &= (1 << bits) - 1
    n |= 1 << (bits - 1)
    rsa = _der(0x30, _der_int(n) + _der_int(65537))
    alg = bytes.fromhex("300d06092a864886f70d0101010500")
    return _der(0x30, alg + _der(0x03, b"\x00" + rsa))


def zone_txt(name, value):
    """A zone line for a TXT record, value split in strings of 255 bytes."""
    parts = [value[i:i + 255] for i in range(0, len(value), 255)]
    return "%s IN TXT %s\n" % (name, " ".join('"%s"' % p for p in parts))


def fake_key_record(name, bits):
    p = base64.b64encode(fake_rsa_spki(bits)).decode()
    return zone_txt(name, "v=DKIM1; k=rsa; p=" + p)


def main(argv):
    if len(argv) != 3 or argv[1] != "--fixed":
        sys.stderr.write("usage: gen.py --fixed DIR\n")
        return 2
    os.makedirs(argv[2], exist_ok=True)
    for name, data in sorted(fixed_messages().items()):
        with open(os.path.join(argv[2], name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
