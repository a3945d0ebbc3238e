#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# run.py - hostile messages through `inkan-milter --evaluate --json`
# (issue 7, item 3). Each case is fed inbound (client 192.0.2.1: SPF and
# DKIM verification run) and/or outbound (client 127.0.0.1: signing with a
# key made by inkan-keys), and must end with: exit status 0, one valid JSON
# object on stdout, an action of accept, tempfail or reject, the log line on
# stderr, the DKIM/SPF results the case expects, at most --cpu-limit
# seconds of CPU (user+sys, /usr/bin/time; the 100 MB body is exempt and
# only reported) and at most --rss-limit-mb of resident memory, and no
# sanitizer report on stderr.
#
#   run.py --milter PATH --keys PATH [--cpu-limit S] [--rss-limit-mb M]
#          [--body-mb N] [--only SUBSTRING] [--keep]
#
# Small inputs are fixed (tests/data/hostile, written by gen.py --fixed);
# big ones are generated into a mkdtemp directory and removed afterwards
# (--keep leaves it, and prints where). Messages to verify are first signed
# by inkan itself (its --evaluate output without --json), then changed
# where the case says so.
# Prints a table (case, cpu s, max RSS KB, action, notes) and "N passed,
# M failed"; exit status 1 when anything failed.

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

DATA = os.path.join(HERE, "..", "data", "hostile")
NOW = "1795000000"
SIGN_IP, VERIFY_IP = "127.0.0.1", "192.0.2.1"
ACTIONS = ("accept", "tempfail", "reject")
# Caps the expectations follow (milter/core/*.h).
HDR_MAX_FIELD_LEN = 1024 * 1024		# hdr.h
HDR_MAX_FIELDS = 20000			# hdr.h
MAX_SIGNATURES = 8			# config default max_signatures
DKIM_VERIFY_MAX_REPORTED = 32		# dkim_verify.h
TXN_MAX_FORGED_AR = 100			# txn.h
AR = b"Authentication-Results"
FORGED = AR + b": mx.test.example; dkim=pass header.d=paypal.com\r\n"
SANITIZER_MARKS = (b"AddressSanitizer", b"LeakSanitizer",
                   b"UndefinedBehaviorSanitizer", b"runtime error:")


class Ctx:
    pass


def run_milter(ctx, msg, role, as_json=True, stdout_path=None):
    """Run one --evaluate; returns a dict with rc, out, err, cpu, rss."""
    timef = os.path.join(ctx.tmp, "time.out")
    cmd = ["/usr/bin/time", "-f", "%U %S %M", "-o", timef, ctx.milter,
           "--evaluate", msg, "--config", ctx.conf, "--dns-zone", ctx.zone,
           "--client-ip", SIGN_IP if role == "sign" else VERIFY_IP,
           "--helo", "h.example", "--mail-from", "a@example.com",
           "--now", NOW]
    if as_json:
        cmd.append("--json")
    out_f = open(stdout_path, "wb") if stdout_path else subprocess.PIPE
    try:
        p = subprocess.run(cmd, stdout=out_f, stderr=subprocess.PIPE,
                           timeout=900)
    finally:
        if stdout_path:
            out_f.close()
    r = {"rc": p.returncode, "out": p.stdout or b"", "err": p.stderr,
         "cpu": None, "rss": None}
    with open(timef) as f:
        lines = f.read().strip().splitlines()
    try:
        u, s, m = lines[-1].split()
        r["cpu"], r["rss"] = float(u) + float(s), int(m)
    except (IndexError, ValueError):
        r["time_out"] = " / ".join(lines)
    return r


def sign_file(ctx, src, dst):
    """The message as inkan would deliver it from an internal host."""
    r = run_milter(ctx, src, "sign", as_json=False, stdout_path=dst)
    if r["rc"] != 0 or any(m in r["err"] for m in SANITIZER_MARKS):
        raise RuntimeError("signing %s failed (rc %d): %s" % (
            src, r["rc"], r["err"].decode(errors="replace")[-2000:]))
    with open(dst, "rb") as f:
        if not f.read(64 * 1024).startswith(b"DKIM-Signature:"):
            raise RuntimeError("signing %s added no DKIM-Signature: %s" % (
                src, r["err"].decode(errors="replace")))
    return dst


# ---- messages ----

def fixed(name):
    return lambda ctx: os.path.join(DATA, name)


def generated(name, fn, *args):
    def make(ctx):
        path = os.path.join(ctx.tmp, name)
        if not os.path.exists(path):
            fn(path, *args)
        return path
    return make


def signed(make):
    """make, then signed by inkan (cached per input)."""
    def m(ctx):
        src = make(ctx)
        dst = os.path.join(ctx.tmp, "signed-" + os.path.basename(src))
        if not os.path.exists(dst):
            sign_file(ctx, src, dst)
        return dst
    return m


def with_top_fields(make, fields_fn, name):
    """A signed message with fields_fn(first DKIM-Signature) put on top."""
    def m(ctx):
        src = make(ctx)
        with open(src, "rb") as f:
            data = f.read()
        head, body = gen.split_headers(data)
        sig = gen.dkim_signature_fields(head)[0]
        dst = os.path.join(ctx.tmp, name)
        with open(dst, "wb") as f:
            for x in fields_fn(sig):
                f.write(x)
            f.write(head + body)
        return dst
    return m


def with_bottom_field(make, field, name):
    """A signed message with field added at the end of its header block."""
    def m(ctx):
        with open(make(ctx), "rb") as f:
            data = f.read()
        head, body = gen.split_headers(data)
        dst = os.path.join(ctx.tmp, name)
        with open(dst, "wb") as f:
            f.write(head + field + body)
        return dst
    return m


def many_sigs(sig):
    return [sig] * 9999		# plus the one already there: 10,000


def garbage_b(sig):
    return [
        gen.set_tag(sig, b"b", b"!!!not*base64###"),
        gen.set_tag(sig, b"b", base64.b64encode(bytes(range(256)))),
        gen.set_tag(sig, b"bh", b"@@@@===="),
        gen.set_tag(sig, b"b", base64.b64encode(b"\x5a" * 4000)),
    ]


def wide_h(sig):
    """8 signatures (max_signatures) naming 256 absent fields in h=: every
    name is looked for in the whole header block."""
    h = b":".join([b"from"] + [b"x-absent"] * 255)
    return [gen.set_tag(sig, b"h", h)] * MAX_SIGNATURES


def big_keys(sig):
    return [gen.set_tag(sig, b"s", b"big16k"),
            gen.set_tag(sig, b"s", b"big12k"),
            gen.set_tag(sig, b"s", b"big8k")]


# ---- expectations: each returns a list of problems ----

def results(j):
    return [d["result"] for d in j.get("dkim") or []]


def want_signed(j, log):
    p = []
    if not j.get("signed"):
        p.append("not signed: %s" % log)
    if j.get("action") != "accept":
        p.append("action %s, want accept" % j.get("action"))
    return p


def want_unsigned(*why):
    def check(j, log):
        p = []
        if j.get("signed"):
            p.append("signed, want not signed")
        if "not signed" not in log:
            p.append("log does not say 'not signed'")
        for w in why:
            if w not in log:
                p.append("log lacks %r" % w)
        if j.get("action") != "accept":
            p.append("action %s, want accept" % j.get("action"))
        return p
    return check


def want_dkim(*want, **kw):
    def check(j, log):
        p = []
        got = results(j)
        if got != list(want):
            p.append("dkim %s, want %s" % (got, list(want)))
        for w in kw.get("log", ()):
            if w not in log:
                p.append("log lacks %r" % w)
        return p
    return check


def want_many_sigs(j, log):
    p = []
    got = results(j)
    if len(got) != DKIM_VERIFY_MAX_REPORTED:
        p.append("%d dkim results, want %d" % (len(got),
                 DKIM_VERIFY_MAX_REPORTED))
    if got[:MAX_SIGNATURES] != ["pass"] * MAX_SIGNATURES:
        p.append("first %d: %s, want pass" % (MAX_SIGNATURES,
                 got[:MAX_SIGNATURES]))
    rest = got[MAX_SIGNATURES:]
    if any(r != "neutral" for r in rest):
        p.append("after %d: %s, want neutral" % (MAX_SIGNATURES,
                 sorted(set(rest))))
    ign = 10000 - DKIM_VERIFY_MAX_REPORTED
    if " dkim_ignored=%d " % ign not in log:
        p.append("log does not count %d ignored fields" % ign)
    q = (j.get("dns") or {}).get("queries", 0)
    if q > MAX_SIGNATURES:
        p.append("%d DNS queries, want at most %d" % (q, MAX_SIGNATURES))
    return p


def want_not_pass_with_hidden_from(j, log):
    """
    A From field that inkan refused (over HDR_MAX_FIELD_LEN, or past
    HDR_MAX_TOTAL) is one a later reader may still see; h=from covers the
    bottom-most From (RFC 6376 5.4.2), so had inkan seen it the signature
    would fail. A pass that hides it, with nothing in the log, is what
    RFC 6376 8.15 warns about.
    """
    p = []
    if results(j) == ["pass"] and "limit" not in log:
        p.append("dkim=pass although a From field refused by a header cap "
                 "was dropped unseen; the log says nothing")
    return p


def want_deleted(*idx):
    """
    Exactly these Authentication-Results instances deleted (1-based among
    all fields of that name, as the MTA counts them). A header block past
    the caps has no From inkan can read, so from_reject (on here) refuses
    it; with from_reject = no it is delivered, with these deletions.
    """
    def check(j, log):
        p = []
        got = sorted(d[1] for d in j.get("deleted_headers") or []
                     if d[0].lower() == AR.decode().lower())
        if got != sorted(idx):
            p.append("deleted %s, want %s" % (got, sorted(idx)))
        if j.get("action") not in ("accept", "reject"):
            p.append("action %s, want accept or reject" % j.get("action"))
        if (j.get("action") == "reject" and
                "exactly one author" not in (j.get("reply") or "")):
            p.append("rejected for another reason: %s" % j.get("reply"))
        if " forged_ar_removed=%d" % len(idx) not in log:
            p.append("log does not count %d removed fields" % len(idx))
        return p
    return check


def want_refused_forged(j, log):
    """Too many forgeries to delete: refused, never delivered with them."""
    p = []
    if j.get("action") != "reject":
        p.append("action %s, want reject" % j.get("action"))
    if not (j.get("reply") or "").startswith("550 5.7.0 More than %d "
                                              % TXN_MAX_FORGED_AR):
        p.append("reply %r, want 550 5.7.0 More than %d ..." % (
            j.get("reply"), TXN_MAX_FORGED_AR))
    if j.get("deleted_headers"):
        p.append("deletions listed for a refused message")
    return p


def both(*checks):
    return lambda j, log: [x for c in checks for x in c(j, log)]


def case(name, role, make, check, cpu_exempt=False):
    return {"name": name, "role": role, "make": make, "check": check,
            "cpu_exempt": cpu_exempt}


def cases(body_mb):
    big = 1048576 * body_mb
    over_from = (b"From: " + b"x" * (HDR_MAX_FIELD_LEN + 16) +
                 b" <mallory@evil.example>\r\n")
    # 8,400 fields of 1,000 bytes (past HDR_MAX_TOTAL), then a From of
    # 2,000 bytes: under the field cap, but the room left is under 1,000
    pad = b"".join(b"X-Pad-%05d: %s\r\n" % (i, b"p" * 986)
                   for i in range(8400))
    late_from = pad + (b"From: " + b"m" * 2000 +
                       b" <mallory@evil.example>\r\n")
    # a third-party Authentication-Results over HDR_MAX_FIELD_LEN (inkan
    # does not keep it, the MTA delivers it) above a forged one
    big_ar = (AR + b": other.example; dkim=pass (" +
              b"b" * (HDR_MAX_FIELD_LEN + 16) + b")\r\n")
    # longer than the room the padding leaves under HDR_MAX_TOTAL
    long_forged = FORGED.replace(b"paypal.com", b"paypal.com (" +
                                 b"f" * 2000 + b")")
    # field names with white space before the colon (RFC 5322 4.5), 1 MB
    # of it each: a lookup by name must not scan it (hdr.h key_len), even
    # for 8 signatures of 256 h= names each
    wsp_names = b"".join(b"X-Wsp-%d%s: v\r\n" % (i, b" " * 1000000)
                         for i in range(7))
    return [
        # forged Authentication-Results past the header caps: counted
        # as the MTA counts them, whatever inkan keeps (issue 14)
        case("forged-ar-after-25000-fields/verify", "verify",
             with_bottom_field(generated("fields-25000.eml", gen.many_fields,
                                         25000), FORGED,
                               "forged-after-25000.eml"),
             want_deleted(1)),
        case("forged-ar-after-25000-fields/sign", "sign",
             with_bottom_field(generated("fields-25000.eml", gen.many_fields,
                                         25000), FORGED,
                               "forged-after-25000.eml"),
             want_deleted(1)),
        case("forged-ar-after-total/verify", "verify",
             with_bottom_field(signed(fixed("base.eml")), pad + long_forged,
                               "forged-after-total.eml"),
             want_deleted(1)),
        case("forged-ar-after-big-ar/verify", "verify",
             with_bottom_field(signed(fixed("base.eml")), big_ar + FORGED,
                               "forged-after-big-ar.eml"),
             want_deleted(2)),
        case("forged-ar-trailing-dot/verify", "verify",
             with_bottom_field(signed(fixed("base.eml")), FORGED.replace(
                 b"mx.test.example;", b"MX.test.example.;"),
                 "forged-trailing-dot.eml"),
             want_deleted(1)),
        case("forged-ar-%d/verify" % TXN_MAX_FORGED_AR, "verify",
             with_bottom_field(signed(fixed("base.eml")),
                               FORGED * TXN_MAX_FORGED_AR, "forged-max.eml"),
             want_deleted(*range(1, TXN_MAX_FORGED_AR + 1))),
        case("forged-ar-%d/verify" % (TXN_MAX_FORGED_AR + 1), "verify",
             with_bottom_field(signed(fixed("base.eml")),
                               FORGED * (TXN_MAX_FORGED_AR + 1),
                               "forged-over.eml"),
             want_refused_forged),
        case("wsp-names/sign", "sign",
             with_bottom_field(fixed("base.eml"), wsp_names, "wsp-names.eml"),
             want_signed),
        case("wsp-names-wide-h/verify", "verify",
             with_top_fields(with_bottom_field(signed(fixed("base.eml")),
                                               wsp_names, "wsp-signed.eml"),
                             wide_h, "wsp-wide-h.eml"),
             want_dkim(*(["fail"] * MAX_SIGNATURES + ["neutral"]))),
        # a 1 MB line: under the field cap, kept; over it, refused
        case("header-1mb-line/sign", "sign",
             generated("long-1mb.eml", gen.long_line, 1000000), want_signed),
        case("header-1mb-line/verify", "verify",
             signed(generated("long-1mb.eml", gen.long_line, 1000000)),
             want_dkim("pass")),
        case("header-over-cap/sign", "sign",
             generated("long-cap.eml", gen.long_line, HDR_MAX_FIELD_LEN + 16),
             want_unsigned("exceeds inkan's limits")),
        case("header-over-cap-from/verify", "verify",
             with_bottom_field(signed(fixed("base.eml")), over_from,
                               "over-cap-from.eml"),
             want_not_pass_with_hidden_from),
        # control: the same late From with no padding is seen, and fails
        case("late-from-control/verify", "verify",
             with_bottom_field(signed(fixed("base.eml")),
                               late_from[len(pad):], "late-from.eml"),
             want_dkim("fail")),
        case("header-over-total-from/verify", "verify",
             with_bottom_field(signed(fixed("base.eml")), late_from,
                               "over-total-from.eml"),
             want_not_pass_with_hidden_from),
        # 10,000 fields (under HDR_MAX_FIELDS) and 25,000 (over)
        case("fields-10000/sign", "sign",
             generated("fields-10000.eml", gen.many_fields, 10000),
             want_signed),
        case("fields-10000/verify", "verify",
             signed(generated("fields-10000.eml", gen.many_fields, 10000)),
             want_dkim("pass")),
        case("fields-25000/sign", "sign",
             generated("fields-25000.eml", gen.many_fields, 25000),
             want_unsigned("exceeds inkan's limits")),
        # 10,000 copies of a valid signature
        case("dkim-sig-10000/verify", "verify",
             with_top_fields(signed(fixed("base.eml")), many_sigs,
                             "sigs-10000.eml"), want_many_sigs),
        # NUL bytes, line ends of every kind, bytes that are not UTF-8
        case("nul-bytes/sign", "sign", fixed("nul-bytes.eml"), want_signed),
        case("nul-bytes/verify", "verify", signed(fixed("nul-bytes.eml")),
             want_dkim("pass")),
        case("bare-cr-lf/sign", "sign", fixed("bare-cr-lf.eml"), want_signed),
        case("bare-cr-lf/verify", "verify", signed(fixed("bare-cr-lf.eml")),
             want_dkim("pass")),
        case("invalid-utf8/sign", "sign", fixed("invalid-utf8.eml"),
             want_signed),
        case("invalid-utf8/verify", "verify",
             signed(fixed("invalid-utf8.eml")), want_dkim("pass")),
        case("invalid-utf8-paren-from/sign", "sign",
             fixed("invalid-utf8-paren-from.eml"),
             want_unsigned("From field does not parse")),
        case("invalid-utf8-sig/verify", "verify",
             fixed("invalid-utf8-sig.eml"), want_dkim("permerror")),
        # the header block ends inside a fold, at end of file
        case("unterminated-fold/sign", "sign", fixed("unterminated-fold.eml"),
             want_signed),
        case("unterminated-fold/verify", "verify",
             signed(fixed("unterminated-fold.eml")), want_dkim("pass")),
        case("unterminated-fold-from/sign", "sign",
             fixed("unterminated-fold-from.eml"), want_signed),
        case("unterminated-fold-from/verify", "verify",
             signed(fixed("unterminated-fold-from.eml")), want_dkim("pass")),
        # a From with 1,000 addresses
        case("from-1000/sign", "sign",
             generated("from-1000.eml", gen.from_many, 1000),
             want_unsigned("From field")),
        case("from-1000/verify", "verify",
             generated("from-1000.eml", gen.from_many, 1000),
             want_dkim(log=("dkim=none",))),
        # b= and bh= that are not base64, or the wrong size
        case("b-garbage/verify", "verify",
             with_top_fields(signed(fixed("base.eml")), garbage_b,
                             "b-garbage.eml"),
             want_dkim("permerror", "fail", "permerror", "permerror",
                       "pass")),
        # p= with RSA keys of 16,384, 12,288 and 8,192 bits
        case("key-16384/verify", "verify",
             with_top_fields(signed(fixed("base.eml")), big_keys,
                             "big-keys.eml"),
             want_dkim("permerror", "permerror", "fail", "pass")),
        # a body of body_mb MB: streamed, never held
        case("body-%dmb/sign" % body_mb, "sign",
             generated("body.eml", gen.big_body, big), want_signed,
             cpu_exempt=True),
        case("body-%dmb/verify" % body_mb, "verify",
             signed(generated("body.eml", gen.big_body, big)),
             want_dkim("pass"), cpu_exempt=True),
    ]


def setup(ctx):
    keys = os.path.join(ctx.tmp, "keys")
    r = subprocess.run([ctx.keys, "generate", "--domain", "example.com",
                        "--selector", "hostile", "--dir", keys,
                        "--format=zone"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("inkan-keys generate failed: %s" %
                           r.stderr.decode(errors="replace"))
    ctx.conf = os.path.join(ctx.tmp, "inkan.conf")
    with open(ctx.conf, "w") as f:
        f.write("authserv_id = mx.test.example\nkey_dir = %s\nlog = stderr\n"
                % keys)
    ctx.zone = os.path.join(ctx.tmp, "zone")
    with open(ctx.zone, "w") as f:
        f.write(r.stdout.decode())
        f.write('example.com. IN TXT "v=spf1 ip4:192.0.2.1 -all"\n')
        for bits in (16384, 12288, 8192):
            f.write(gen.fake_key_record(
                "big%dk._domainkey.example.com." % (bits // 1024), bits))


def check_run(ctx, c, r):
    """Problems common to every case, then the case's own."""
    p, j = [], None
    if "time_out" in r:
        p.append("no /usr/bin/time figures: %s" % r["time_out"])
    if r["rc"] != 0:
        p.append("exit status %d" % r["rc"])
    for m in SANITIZER_MARKS:
        if m in r["err"]:
            p.append("sanitizer report (%s)" % m.decode())
    try:
        j = json.loads(r["out"].decode("utf-8"))
        if not isinstance(j, dict):
            raise ValueError("not an object")
    except ValueError as e:
        p.append("stdout is not one JSON object in UTF-8: %s" % e)
        return p, None
    if j.get("action") not in ACTIONS:
        p.append("action %r" % j.get("action"))
    log = j.get("log") or ""
    if not log:
        p.append("no log line in the JSON")
    elif not any(l.startswith(b"inkan-milter: NOQUEUE: ")
                 for l in r["err"].splitlines()):
        p.append("no log line on stderr")
    # whatever the message holds, every log line is valid UTF-8 text with
    # no control bytes (values from the message are escaped as \xNN)
    for l in r["err"].splitlines():
        try:
            t = l.decode("utf-8")
        except UnicodeDecodeError as e:
            p.append("log line is not UTF-8 (%s): %r" % (e, l[:200]))
            continue
        if any(ord(ch) < 0x20 and ch != "\t" or ord(ch) == 0x7f for ch in t):
            p.append("log line holds a control byte: %r" % l[:200])
    if c["role"] == "verify":
        spf = (j.get("spf") or {}).get("result")
        if spf != "pass":
            p.append("spf %s, want pass" % spf)
    if (r["cpu"] is not None and not c["cpu_exempt"] and
            r["cpu"] > ctx.cpu_limit):
        p.append("CPU %.2f s > %.2f s" % (r["cpu"], ctx.cpu_limit))
    if r["rss"] is not None and r["rss"] > ctx.rss_limit_kb:
        p.append("max RSS %d KB > %d KB" % (r["rss"], ctx.rss_limit_kb))
    p.extend(c["check"](j, log))
    return p, j


def summary(j):
    if j is None:
        return ""
    if j.get("signed"):
        return "signed " + ",".join("d=%s s=%s" % (s["domain"], s["selector"])
                                    for s in j["signed"])
    res = results(j)
    if res:
        counts = {}
        for x in res:
            counts[x] = counts.get(x, 0) + 1
        return "dkim " + " ".join("%s%s" % (k, "" if v == 1 else "x%d" % v)
                                  for k, v in counts.items())
    return (j.get("log") or "")[:70]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--milter", required=True)
    ap.add_argument("--keys", required=True)
    ap.add_argument("--cpu-limit", type=float, default=1.0)
    ap.add_argument("--rss-limit-mb", type=int, default=64)
    ap.add_argument("--body-mb", type=int, default=100)
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    for prog in ("/usr/bin/time", a.milter, a.keys):
        if not os.access(prog, os.X_OK):
            print("FAIL: %s is missing; the hostile tests cannot run" % prog)
            return 1
    if not os.path.isdir(DATA):
        print("FAIL: %s is missing" % DATA)
        return 1
    ctx = Ctx()
    ctx.milter, ctx.keys = a.milter, a.keys
    ctx.cpu_limit, ctx.rss_limit_kb = a.cpu_limit, a.rss_limit_mb * 1024
    ctx.tmp = tempfile.mkdtemp(prefix="hostile.")
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    npass = nfail = 0
    rows = []
    try:
        setup(ctx)
        for c in cases(a.body_mb):
            if a.only not in c["name"]:
                continue
            try:
                msg = c["make"](ctx)
                r = run_milter(ctx, msg, c["role"])
                p, j = check_run(ctx, c, r)
            except (OSError, RuntimeError, ValueError,
                    subprocess.TimeoutExpired) as e:
                r, j, p = {"cpu": None, "rss": None, "err": b""}, None, [
                    "could not run: %s" % e]
            if p:
                nfail += 1
                print("FAIL: %s: %s" % (c["name"], "; ".join(p)))
                print("  stderr: %s" % r["err"].decode(
                    errors="backslashreplace")[-1500:].strip())
            else:
                npass += 1
            if a.verbose and j is not None:
                print("  %s: log: %s" % (c["name"], j.get("log")))
            rows.append((c["name"], r["cpu"], r["rss"],
                         j.get("action") if j else "-",
                         ("FAIL " if p else "") + summary(j)))
    finally:
        if a.keep:
            print("kept %s" % ctx.tmp)
        else:
            shutil.rmtree(ctx.tmp, ignore_errors=True)
    print("%-30s %7s %11s %-9s %s" % ("case", "cpu s", "max RSS KB",
                                     "action", "notes"))
    for name, cpu, rss, act, notes in rows:
        print("%-30s %7s %11s %-9s %s" % (
            name, "-" if cpu is None else "%.2f" % cpu,
            "-" if rss is None else rss, act, notes))
    print("%d passed, %d failed" % (npass, nfail))
    return 0 if nfail == 0 and npass > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
