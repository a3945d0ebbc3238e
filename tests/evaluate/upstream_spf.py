#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# upstream_spf.py - trusted_authserv_ids (issue 15; OpenDMARC's
# TrustedAuthservIDs) through `inkan-milter --evaluate --json`: inkan behind
# another MX, its client the relay 198.51.100.9, which example.com's SPF
# record (tests/data/dmarc-e2e/zone: only 192.0.2.10, -all; p=reject)
# fails. The spf= result of the topmost Authentication-Results with a
# trusted authserv-id is DMARC's SPF input, and our field says where it
# came from; otherwise inkan's own check decides. Each case checks the
# SPF result and its reason, DMARC, the action, and our A-R's spf lines.
#
# usage: upstream_spf.py INKAN-MILTER
import json, os, subprocess, sys, tempfile

milter = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data", "dmarc-e2e")
zone = os.path.join(data, "zone")
tmp = tempfile.mkdtemp(prefix="upstream_spf.")
npass = nfail = 0
TRUSTED = "trusted_authserv_ids = mx1.upstream.example, mx2.upstream.example"
REJECT = "550 5.7.1 Rejected by the DMARC policy of example.com"


def check(cond, name, why=""):
    global npass, nfail
    if cond:
        npass += 1
        print("ok:", name)
    else:
        nfail += 1
        print("FAIL:", name + (": " + why if why else ""))


def evaluate(fields, extra, ip="198.51.100.9", mf="user@example.com"):
    msg = os.path.join(tmp, "m.eml")
    body = open(os.path.join(data, "message.eml"), "rb").read().replace(b"FROMDOMAIN", b"example.com")
    with open(msg, "wb") as f:
        f.write(b"".join(x.encode() + b"\r\n" for x in fields) + body)
    conf = os.path.join(tmp, "c.conf")
    with open(conf, "w") as f:
        f.write("authserv_id = mx.test.example\nlog = stderr\n" + "".join(e + "\n" for e in extra))
    r = subprocess.run([milter, "--evaluate", msg, "--config", conf, "--dns-zone", zone,
                        "--client-ip", ip, "--helo", "relay.upstream.example", "--mail-from", mf,
                        "--now", "1795000000", "--json"], capture_output=True)
    try:
        return json.loads(r.stdout), r.stderr.decode()
    except ValueError:
        return None, "no JSON (exit %d): %s" % (r.returncode, r.stderr.decode()[-300:])


def our_ar(j):
    for name, value in j["added_headers"]:
        if name == "Authentication-Results":
            return value
    return ""


UP = "Authentication-Results: mx1.upstream.example; spf=pass smtp.mailfrom=user@example.com"
# name, fields on top, config, client, MAIL FROM; want: spf result, spf
# reason (a substring), dmarc, action, reply, words in our A-R, words not
CASES = [
    ("trusted relay's spf=pass: DMARC pass by SPF alignment", [UP], [TRUSTED], "198.51.100.9", "user@example.com",
     "pass", "from mx1.upstream.example", "pass", "accept", None,
     ["spf=pass (from mx1.upstream.example) smtp.mailfrom=user@example.com", "dmarc=pass"], []),
    ("the same field, trusted_authserv_ids not set: own SPF, reject", [UP], [], "198.51.100.9", "user@example.com",
     "fail", "matched -all", "fail", "reject", REJECT, [], []),
    ("an untrusted id: ignored, own SPF, reject",
     ["Authentication-Results: mx9.other.example; spf=pass smtp.mailfrom=user@example.com"], [TRUSTED],
     "198.51.100.9", "user@example.com", "fail", "matched -all", "fail", "reject", REJECT, [], []),
    ("the relay's spf=fail is taken too", ["Authentication-Results: mx2.upstream.example; spf=fail smtp.mailfrom=user@example.com"],
     [TRUSTED], "192.0.2.10", "user@example.com", "fail", "from mx2.upstream.example", "fail", "reject", REJECT, [], []),
    ("domain-only smtp.mailfrom, case and a final dot in the id",
     ["Authentication-Results: MX1.Upstream.Example.; dkim=none;\r\n\tspf=pass (ok) smtp.mailfrom=example.com"], [TRUSTED],
     "198.51.100.9", "user@example.com", "pass", "from MX1.Upstream.Example.", "pass", "accept", None,
     ["spf=pass (from MX1.Upstream.Example.) smtp.mailfrom=example.com"], []),
    ("the relay saw another envelope domain: unaligned, reject",
     ["Authentication-Results: mx1.upstream.example; spf=pass smtp.mailfrom=bounce@other.example"], [TRUSTED],
     "198.51.100.9", "user@example.com", "pass", "from mx1.upstream.example", "fail", "reject", REJECT, [], []),
    ("untrusted fields above the trusted one are skipped",
     ["Authentication-Results: mx9.other.example; spf=fail smtp.mailfrom=user@example.com", UP], [TRUSTED],
     "198.51.100.9", "user@example.com", "pass", "from mx1.upstream.example", "pass", "accept", None, [], []),
    ("only the topmost trusted field: it has no spf, the lower one is not used",
     ["Authentication-Results: mx2.upstream.example; dkim=none", UP], [TRUSTED],
     "198.51.100.9", "user@example.com", "fail", "matched -all", "fail", "reject", REJECT, [], ["from mx"]),
    ("a trusted field that does not parse: own SPF",
     ["Authentication-Results: mx1.upstream.example; spf=pass smtp.mailfrom=user@example.com; ???", UP], [TRUSTED],
     "198.51.100.9", "user@example.com", "fail", "matched -all", "fail", "reject", REJECT, [], []),
    ("our own id is never trusted: removed as forged",
     ["Authentication-Results: mx.test.example; spf=pass smtp.mailfrom=user@example.com"],
     ["trusted_authserv_ids = mx.test.example"], "198.51.100.9", "user@example.com",
     "fail", "matched -all", "fail", "reject", REJECT, [], []),
    ("trusted ids set, no field: own SPF decides (pass)", [], [TRUSTED], "192.0.2.10", "user@example.com",
     "pass", "matched", "pass", "accept", None, ["spf=pass (matched"], ["from mx"]),
    ("helo result from the relay, with its HELO name",
     [UP + ";\r\n\tspf=none smtp.helo=out.sender.example"], [TRUSTED], "198.51.100.9", "user@example.com",
     "pass", "from mx1.upstream.example", "pass", "accept", None,
     ["spf=none (from mx1.upstream.example) smtp.helo=out.sender.example"], ["relay.upstream.example"]),
    ("received_spf: no Received-SPF for a relay's result", [UP], [TRUSTED, "received_spf = yes"],
     "198.51.100.9", "user@example.com", "pass", "from mx1", "pass", "accept", None, [], []),
]

for name, fields, extra, ip, mf, spf, reason, dmarc, action, reply, has, hasnot in CASES:
    j, err = evaluate(fields, extra, ip, mf)
    if j is None:
        check(False, name, err)
        continue
    # the reply goes on with the reason: its start is what is compared
    got = (j["spf"]["result"], j["dmarc"]["result"], j["action"],
           j["reply"][:len(reply)] if reply and j["reply"] else j["reply"])
    want = (spf, dmarc, action, reply)
    check(got == want and reason in (j["spf"]["reason"] or ""), name,
          "got %r reason %r, want %r reason %r" % (got, j["spf"]["reason"], want, reason))
    ar = our_ar(j)
    for w in has:
        check(w in ar, name + ": A-R has " + w, ar)
    for w in hasnot:
        check(w not in ar, name + ": A-R lacks " + w, ar)
    if "received_spf" in " ".join(extra):
        names = [n for n, v in j["added_headers"]]
        check("Received-SPF" not in names, name + ": no Received-SPF added", repr(names))
    if "mx.test.example" in " ".join(extra):
        check(len(j.get("deleted_headers", [])) == 1, name + ": the field is deleted", repr(j.get("deleted_headers")))
    if "does not parse" in name:
        check('spf_upstream_unused="its Authentication-Results does not parse"' in j["log"],
              name + ": the log says why", j["log"])

print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
