#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# run.py - DNS faults through the real libunbound backend: whole messages
# go through `inkan-milter --evaluate --json` with dns_forwarders pointing
# at fakedns.py, which misbehaves one way per case. Each case names the
# SPF, DKIM and DMARC results the RFCs ask for:
#   RFC 7208 4.4, 5: a DNS error (timeout, SERVFAIL) while fetching the
#     record or a mechanism's lookup is temperror; a name with no records of
#     the asked type is no match;
#   RFC 6376 6.1.2: a key lookup that fails for now is temperror, a key
#     that does not exist is permerror; 3.6.2.2: TXT strings are joined;
#   RFC 9989: a policy lookup that fails for now is temperror (inkan then
#     tempfails with 451 4.7.1, dmarc_tempfail_on_temperror).
# Every run must also end within dns_budget plus slack (the whole process,
# start and exit included), and never crash (ASan builds report there).
#
# usage: run.py INKAN-MILTER INKAN-KEYS
import json, os, re, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fakedns as F

milter, keys = sys.argv[1], sys.argv[2]
BUDGET_MS = 2000
BIG_BUDGET_MS = 15000   # the control case: the same lookups, time enough
SLOW_TIMEOUT_MS = 5000  # per query, for the slow server
TIMEOUT_MS = 1000
# Process start and exit (slow under ASan) and scheduling; the budget is
# what matters: a bug that ignores it shows as a multiple of dns_timeout.
SLACK_S = 2.0
IP = "192.0.2.10"

tmp = tempfile.mkdtemp(prefix="dnsfaults.")
npass = nfail = 0


def ok(m):
    global npass
    npass += 1
    print("ok:", m)


def bad(m):
    global nfail
    nfail += 1
    print("FAIL:", m)


# --- a signed message -----------------------------------------------------

out = subprocess.run([keys, "generate", "--domain", "example.com", "--selector",
                      "s1", "--dir", os.path.join(tmp, "keys")],
                     check=True, capture_output=True, text=True).stdout
KEY = "".join(re.findall(r'"([^"]*)"', out))
assert KEY.startswith("v=DKIM1;") and "p=MIIB" in KEY, out
P = KEY[KEY.index("p="):]

open(os.path.join(tmp, "empty.zone"), "w").write("; nothing\n")
with open(os.path.join(tmp, "sign.conf"), "w") as f:
    f.write("key_dir = %s\nauthserv_id = sign.test\n" % os.path.join(tmp, "keys"))
with open(os.path.join(tmp, "plain.eml"), "w") as f:
    f.write("From: Alice <alice@example.com>\r\nTo: bob@example.org\r\n"
            "Subject: DNS faults\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n"
            "Message-ID: <dnsfaults@example.com>\r\n\r\nHello Bob.\r\n")
signed = subprocess.run([milter, "--evaluate", os.path.join(tmp, "plain.eml"),
                         "--config", os.path.join(tmp, "sign.conf"), "--dns-zone",
                         os.path.join(tmp, "empty.zone"), "--client-ip", "127.0.0.1",
                         "--helo", "localhost", "--mail-from", "alice@example.com",
                         "--auth-user", "alice"], check=True, capture_output=True).stdout
if b"DKIM-Signature:" not in signed:
    sys.exit("FAIL: could not sign the test message: %r" % signed[:300])
MSG = os.path.join(tmp, "signed.eml")
open(MSG, "wb").write(signed)

# --- the zone every case starts from -------------------------------------

KEYNAME = "s1._domainkey.example.com"


def base():
    return {
        ("example.com", F.TXT): [F.txt("v=spf1 a:h.example.com -all")],
        ("h.example.com", F.A): [F.a(IP)],
        ("mail.example.com", F.TXT): [F.txt("v=spf1 ip4:%s -all" % IP)],
        (KEYNAME, F.TXT): [F.split_txt(KEY, 255)],
        ("_dmarc.example.com", F.TXT): [F.txt("v=DMARC1; p=reject")],
    }


def with_(recs, **kw):
    r = base()
    for k, v in recs.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    return r


# An SPF record of eight includes, each answered after 300 ms: the chain
# takes well over 2.4 s, so dns_budget (2 s) ends it with temperror; the
# control case with a bigger budget shows the chain itself is sound.
def include_chain():
    r = base()
    r[("example.com", F.TXT)] = [F.txt("v=spf1 include:i1.example.com -all")]
    for i in range(1, 8):
        r[("i%d.example.com" % i, F.TXT)] = [
            F.txt("v=spf1 include:i%d.example.com -all" % (i + 1))]
    r[("i8.example.com", F.TXT)] = [F.txt("v=spf1 ip4:%s -all" % IP)]
    return r


# A DKIM key padded to about 60 KB with an n= (notes) tag, which verifiers
# ignore (RFC 6376 3.6.1): only TCP carries it.
BIG = "v=DKIM1; k=rsa; n=" + "x" * 60000 + "; " + P

# (name, records, faults, slow_ms, want spf, want dkim, want dmarc,
#  want action, query to have been seen (transport, name) or None)
PASS = ("pass", "pass", "pass", "accept")
CASES = [
    ("baseline: every lookup answered", base(), {}, 0) + PASS + (None,),
    # key lookups
    ("key: timeout", base(), {KEYNAME: "timeout"}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: SERVFAIL", base(), {KEYNAME: "servfail"}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: REFUSED", base(), {KEYNAME: "refused"}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: NXDOMAIN", with_({(KEYNAME, F.TXT): None}), {}, 0,
     "pass", "permerror", "pass", "accept", None),
    ("key: truncated over UDP, answered over TCP", base(), {KEYNAME: "tc"}, 0)
    + PASS + (("tcp", KEYNAME),),
    ("key: truncated over UDP, TCP closed", base(), {KEYNAME: "tc-tcpclose"}, 0,
     "pass", "temperror", "pass", "accept", ("tcp", KEYNAME)),
    ("key: 60 KB record over TCP", with_({(KEYNAME, F.TXT): [F.split_txt(BIG, 255)]}),
     {}, 0) + PASS + (("tcp", KEYNAME),),
    ("key: CNAME chain of 3",
     with_({(KEYNAME, F.TXT): None,
            (KEYNAME, F.CNAME): [F.cname("c1.example.net")],
            ("c1.example.net", F.CNAME): [F.cname("c2.example.net")],
            ("c2.example.net", F.CNAME): [F.cname("keys.example.net")],
            ("keys.example.net", F.TXT): [F.split_txt(KEY, 255)]}), {}, 0)
    + PASS + (None,),
    ("key: CNAME loop",
     with_({(KEYNAME, F.TXT): None,
            (KEYNAME, F.CNAME): [F.cname("c1.example.net")],
            ("c1.example.net", F.CNAME): [F.cname("c2.example.net")],
            ("c2.example.net", F.CNAME): [F.cname(KEYNAME)]}), {}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: CNAME to a name that does not exist",
     with_({(KEYNAME, F.TXT): None, (KEYNAME, F.CNAME): [F.cname("gone.example.net")]}),
     {}, 0, "pass", "permerror", "pass", "accept", None),
    # TXT rdata that is not one or more character-strings (RFC 1035
    # 3.3.14): libunbound hands it on; inkan's parser refuses it whole
    ("key: TXT rdata with no string",
     with_({(KEYNAME, F.TXT): [b""]}), {}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: TXT string length past the rdata",
     with_({(KEYNAME, F.TXT): [F.txt("v=DKIM1; k=rsa; ") + b"\xffp=MIIB"]}), {}, 0,
     "pass", "temperror", "pass", "accept", None),
    # an A record answering a TXT query: no TXT record, so no key
    ("key: an A record answers the TXT query",
     with_({(KEYNAME, F.TXT): None, (KEYNAME, F.A): [F.a("192.0.2.99")]}),
     {KEYNAME: "anytype"}, 0, "pass", "permerror", "pass", "accept", None),
    ("key: bad compression pointer", base(), {KEYNAME: "badptr"}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: record running past the packet", base(), {KEYNAME: "truncrr"}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: answer with the wrong ID", base(), {KEYNAME: "wrongid"}, 0,
     "pass", "temperror", "pass", "accept", None),
    ("key: answer to another question", base(), {KEYNAME: "wrongq"}, 0,
     "pass", "temperror", "pass", "accept", None),
    # TXT strings split oddly: joined with nothing between (RFC 6376 3.6.2.2)
    ("key: 1-byte strings", with_({(KEYNAME, F.TXT): [F.split_txt(KEY, 1)]}), {}, 0)
    + PASS + (None,),
    ("key: empty strings between",
     with_({(KEYNAME, F.TXT): [F.txt("", "v=DKIM1;", "", " k=rsa; ", "",
                                     *[P[i:i + 200] for i in range(0, len(P), 200)], "")]}),
     {}, 0) + PASS + (None,),
    ("key: split inside a tag name and a value",
     with_({(KEYNAME, F.TXT): [F.txt("v=DKIM1; k", "=rs", "a; p", "=" + P[2:100],
                                     *[P[i:i + 250] for i in range(100, len(P), 250)])]}),
     {}, 0) + PASS + (None,),
    # SPF
    ("spf: record timeout", base(), {"example.com": "timeout"}, 0,
     "temperror", "pass", "pass", "accept", None),
    ("spf: record SERVFAIL", base(), {"example.com": "servfail"}, 0,
     "temperror", "pass", "pass", "accept", None),
    ("spf: a: lookup SERVFAIL", base(), {"h.example.com": "servfail"}, 0,
     "temperror", "pass", "pass", "accept", None),
    ("spf: a: lookup truncated, TCP closed", base(), {"h.example.com": "tc-tcpclose"}, 0,
     "temperror", "pass", "pass", "accept", None),
    ("spf: record in 1-byte strings",
     with_({("example.com", F.TXT): [F.split_txt("v=spf1 a:h.example.com -all", 1)]}),
     {}, 0) + PASS + (None,),
    # a TXT record answering the A query of a: is no A record: no match
    ("spf: a TXT record answers the A query",
     with_({("h.example.com", F.A): None,
            ("h.example.com", F.TXT): [F.txt("192.0.2.10")]}),
     {"h.example.com": "anytype"}, 0, "fail", "pass", "pass", "accept", None),
    ("spf: a: target is a CNAME chain",
     with_({("h.example.com", F.A): None,
            ("h.example.com", F.CNAME): [F.cname("h2.example.net")],
            ("h2.example.net", F.CNAME): [F.cname("h3.example.net")],
            ("h3.example.net", F.A): [F.a(IP)]}), {}, 0) + PASS + (None,),
    ("spf: a: target is a CNAME loop",
     with_({("h.example.com", F.A): None,
            ("h.example.com", F.CNAME): [F.cname("h2.example.net")],
            ("h2.example.net", F.CNAME): [F.cname("h.example.com")]}), {}, 0,
     "temperror", "pass", "pass", "accept", None),
    # libunbound retransmits from a new port with a backoff that starts
    # from the forwarder's measured RTT, so answers slower than that get
    # through only on a later try: dns_timeout leaves time for a few.
    ("spf: eight slow includes exceed the budget", include_chain(),
     {"i%d.example.com" % i: "slow" for i in range(1, 9)}, 300,
     "temperror", "pass", "pass", "accept", None, {"timeout": SLOW_TIMEOUT_MS}),
    ("spf: eight slow includes, budget %d ms: pass (control)" % BIG_BUDGET_MS,
     include_chain(), {"i%d.example.com" % i: "slow" for i in range(1, 9)}, 300)
    + PASS + (None, {"timeout": SLOW_TIMEOUT_MS, "budget": BIG_BUDGET_MS}),
    # DMARC
    ("dmarc: policy timeout", base(), {"_dmarc.example.com": "timeout"}, 0,
     "pass", "pass", "temperror", "tempfail", None),
    ("dmarc: policy SERVFAIL", base(), {"_dmarc.example.com": "servfail"}, 0,
     "pass", "pass", "temperror", "tempfail", None),
    ("dmarc: policy in odd strings",
     with_({("_dmarc.example.com", F.TXT): [F.txt("v=DM", "", "ARC1", "; p=rej", "ect")]}),
     {}, 0) + PASS + (None,),
    ("dmarc: policy with a bad compression pointer", base(),
     {"_dmarc.example.com": "badptr"}, 0,
     "pass", "pass", "temperror", "tempfail", None),
    # everything at once
    ("every lookup times out", base(),
     {n: "timeout" for n in ("example.com", "mail.example.com", "h.example.com",
                             KEYNAME, "_dmarc.example.com")}, 0,
     "temperror", "temperror", "temperror", "tempfail", None),
]

# A DMARC temperror tempfails (451 4.7.1): the sender retries, the mail is
# not lost and not let through unjudged.
WANT_REPLY = {"tempfail": "451 4.7.1"}

srv = F.FakeDNS()


def config(budget, timeout):
    path = os.path.join(tmp, "verify-%d-%d.conf" % (budget, timeout))
    with open(path, "w") as f:
        f.write("authserv_id = mx.test.example\n"
                "dns_forwarders = 127.0.0.1@%d\n"
                "dns_timeout = %d\ndns_budget = %d\n" % (srv.port, timeout, budget))
    return path


try:
    for case in CASES:
        (name, recs, faults, slow, w_spf, w_dkim, w_dmarc, w_action, seen) = case[:9]
        opt = case[9] if len(case) > 9 else {}
        budget = opt.get("budget", BUDGET_MS)
        conf = config(budget, opt.get("timeout", TIMEOUT_MS))
        srv.reset(recs, faults, slow)
        t0 = time.monotonic()
        r = subprocess.run([milter, "--evaluate", MSG, "--config", conf,
                            "--client-ip", IP, "--helo", "mail.example.com",
                            "--mail-from", "alice@example.com", "--json"],
                           capture_output=True, text=True, timeout=60)
        took = time.monotonic() - t0
        what = "%s (%.2f s)" % (name, took)
        if r.returncode not in (0, 1) or "Sanitizer" in r.stderr or "runtime error" in r.stderr:
            bad("%s: exit %d\n%s" % (what, r.returncode, r.stderr[-3000:]))
            continue
        try:
            j = json.loads(r.stdout)
        except ValueError:
            bad("%s: no JSON: %r %r" % (what, r.stdout[:500], r.stderr[-500:]))
            continue
        got = (j["spf"]["result"] if j["spf"] else None,
               j["dkim"][0]["result"] if j["dkim"] else None,
               j["dmarc"]["result"] if j["dmarc"] else None, j["action"])
        want = (w_spf, w_dkim, w_dmarc, w_action)
        if got != want:
            bad("%s: got spf/dkim/dmarc/action %s, want %s\n  spf: %s\n  dkim: %s\n"
                "  dmarc: %s\n  queries: %s" % (what, got, want, j["spf"], j["dkim"],
                                                j["dmarc"], srv.queries()))
        else:
            ok("%s: %s" % (what, "/".join(got)))
        if w_action in WANT_REPLY and not (j["reply"] or "").startswith(WANT_REPLY[w_action]):
            bad("%s: reply %r, want %s" % (what, j["reply"], WANT_REPLY[w_action]))
        if took > budget / 1000.0 + SLACK_S:
            bad("%s: took %.2f s; dns_budget is %.1f s" % (what, took, budget / 1000.0))
        if seen is not None and not any(q[0] == seen[0] and q[1] == seen[1]
                                        for q in srv.queries()):
            bad("%s: no %s query for %s reached the server: %s" % (what, seen[0], seen[1],
                                                                  srv.queries()))
finally:
    srv.stop()
    shutil.rmtree(tmp, ignore_errors=True)
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
