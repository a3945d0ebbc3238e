#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# dmarc_cases.py - DMARC (RFC 9989) end to end through
# `inkan-milter --evaluate --json --dns-zone`: a message (signed by inkan
# with the test key of example.com, or not signed) from a client that passes
# or fails SPF, against tests/data/dmarc-e2e/zone; each case checks the
# DMARC result, the policy and disposition, and what the MTA is told.
# Also the From rules (exactly one author address) and PSL discovery.
#
# usage: dmarc_cases.py INKAN-MILTER
import json, os, shutil, subprocess, sys, tempfile

milter = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data")
zone = os.path.join(data, "dmarc-e2e", "zone")
tmp = tempfile.mkdtemp(prefix="dmarc_cases.")
npass = nfail = 0

def ok(name):
    global npass; npass += 1; print("ok:", name)

def bad(name):
    global nfail; nfail += 1; print("FAIL:", name)

os.makedirs(os.path.join(tmp, "keys", "example.com"))
for k in ("rsa.private", "ed.private"):
    dst = os.path.join(tmp, "keys", "example.com", k)
    shutil.copy(os.path.join(data, "keys", "example.com", k), dst)
    os.chmod(dst, 0o600)

def conf(extra):
    path = os.path.join(tmp, "c%d.conf" % abs(hash(extra)))
    with open(path, "w") as f:
        f.write("authserv_id = mx.test.example\nlog = stderr\n")
        f.write("key_dir = %s\nsign_subdomains = yes\n" % os.path.join(tmp, "keys"))
        for kv in extra:
            f.write(kv + "\n")
    return path

def message(from_domain, signed, extra_from=None):
    text = open(os.path.join(data, "dmarc-e2e", "message.eml"), "rb").read()
    text = text.replace(b"FROMDOMAIN", from_domain.encode())
    if extra_from:
        text = ("From: %s\r\n" % extra_from).encode() + text
    path = os.path.join(tmp, "m-%s-%s.eml" % (from_domain, signed))
    open(path, "wb").write(text)
    if signed:
        out = subprocess.run([milter, "--evaluate", path, "--config", conf(()),
            "--client-ip", "127.0.0.1", "--helo", "out.example.com",
            "--mail-from", "alice@" + from_domain, "--now", "1795000000"],
            capture_output=True, check=True).stdout
        path += ".signed"
        open(path, "wb").write(out)
    return path

# name, From domain, signed by inkan (d=example.com), client IP, MAIL FROM,
# config extras, want: dmarc result, policy, disposition, action, reply text
CASES = [
    # RFC 9989 4.4: DKIM d= aligned (identical) -> pass, whatever SPF says
    ("dkim aligned", "example.com", True, "198.51.100.9", "bounce@other.example", (), "pass", "reject", "none", "accept", None),
    # SPF aligned through the MAIL FROM domain, no signature
    ("spf aligned", "example.com", False, "192.0.2.10", "alice@example.com", (), "pass", "reject", "none", "accept", None),
    # neither aligned: p=reject -> 550 5.7.1
    ("fail p=reject", "example.com", False, "198.51.100.9", "alice@example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("fail, reject as quarantine", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_reject_action = quarantine",), "fail", "reject", "reject", "quarantine", None),
    ("fail, not enforced", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_enforce = no",), "fail", "reject", "reject", "accept", None),
    # SPF passes for a domain not aligned with From
    ("spf pass unaligned", "quarantine.example", False, "192.0.2.10", "alice@example.com", (), "fail", "quarantine", "quarantine", "quarantine", None),
    ("p=quarantine", "quarantine.example", False, "198.51.100.9", "alice@quarantine.example", (), "fail", "quarantine", "quarantine", "quarantine", None),
    # 4.7 t=y: the policy is reported, the disposition one step lower
    ("t=y lowers reject", "testing.example", False, "198.51.100.9", "alice@testing.example", (), "fail", "reject", "quarantine", "quarantine", None),
    # relaxed alignment: d=example.com for From news.example.com; sp=none
    ("subdomain relaxed dkim", "news.example.com", True, "198.51.100.9", "bounce@other.example", (), "pass", "none", "none", "accept", None),
    ("subdomain fails, sp=none", "news.example.com", False, "198.51.100.9", "alice@news.example.com", (), "fail", "none", "none", "accept", None),
    # relaxed SPF: MAIL FROM news.example.com aligns with From example.com
    ("relaxed spf", "example.com", False, "192.0.2.10", "alice@news.example.com", (), "pass", "reject", "none", "accept", None),
    # adkim=s: d=example.com does not align with strict.example.com
    ("strict dkim", "strict.example.com", True, "198.51.100.9", "bounce@other.example", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    # np: a non-existent subdomain of example.com (NXDOMAIN) -> np=reject
    ("np for a non-existent subdomain", "ghost.example.com", False, "198.51.100.9", "alice@ghost.example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    # DNS timeout on the policy: temperror, the mail is not refused
    # issue 5: a policy that cannot be looked up is never a silent accept
    ("policy lookup timeout", "slow.example", False, "198.51.100.9", "alice@slow.example", (), "temperror", None, "none", "tempfail", "451 4.7.1 Temporary DNS failure"),
    ("policy lookup timeout, accepted", "slow.example", False, "198.51.100.9", "alice@slow.example", ("dmarc_tempfail_on_temperror = no",), "temperror", None, "none", "accept", None),
    # local overrides
    ("never reject this domain", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_never_reject = Example.COM",), "fail", "reject", "reject", "accept", None),
    ("trusted forwarder: quarantine", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_trusted_forwarders = 198.51.100.0/24",), "fail", "reject", "reject", "quarantine", None),
    ("quarantine as a header", "quarantine.example", False, "198.51.100.9", "alice@quarantine.example", ("dmarc_quarantine_action = header",), "fail", "quarantine", "quarantine", "accept", None),
    ("no policy", "other.example", False, "198.51.100.9", "alice@other.example", (), "none", None, "none", "accept", None),
    # tree walk: mail.shop.co.example finds _dmarc.shop.co.example
    ("tree walk to the parent", "mail.shop.co.example", False, "198.51.100.9", "alice@mail.shop.co.example", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    # PSL discovery (RFC 7489 style) with a test list where co.example is a suffix
    ("psl discovery", "mail.shop.co.example", False, "198.51.100.9", "alice@mail.shop.co.example",
     ("dmarc_discovery = psl", "dmarc_psl_file = %s" % os.path.join(data, "dmarc", "public_suffix_list.dat")),
     "fail", "reject", "reject", "reject", "550 5.7.1"),
    ("psl relaxed spf", "shop.co.example", False, "192.0.2.10", "alice@mail.shop.co.example",
     ("dmarc_discovery = psl", "dmarc_psl_file = %s" % os.path.join(data, "dmarc", "public_suffix_list.dat")),
     "pass", "reject", "none", "accept", None),
]

for name, dom, signed, ip, mf, extra, want_res, want_pol, want_dis, want_act, want_reply in CASES:
    msg = message(dom, signed)
    r = subprocess.run([milter, "--evaluate", msg, "--config", conf(extra),
        "--dns-zone", zone, "--client-ip", ip, "--helo", "mail.other.example",
        "--mail-from", mf, "--now", "1795000000", "--json"], capture_output=True)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        bad("%s: no JSON (exit %d): %s" % (name, r.returncode, r.stderr.decode()[-300:])); continue
    d = j["dmarc"] or {}
    got = (d.get("result"), d.get("policy") if want_pol else None, d.get("disposition"), j["action"])
    want = (want_res, want_pol, want_dis, want_act)
    if got != want:
        bad("%s: got %s, want %s (%s)" % (name, got, want, d.get("reason"))); continue
    if want_reply and not (j["reply"] or "").startswith(want_reply):
        bad("%s: reply %r, want %r..." % (name, j["reply"], want_reply)); continue
    ar = [v for n, v in j["added_headers"] if n == "Authentication-Results"]
    if j["action"] not in ("reject", "tempfail") and not (ar and "dmarc=%s" % want_res in ar[0] and "header.from=" + dom in ar[0]):
        bad("%s: Authentication-Results lacks dmarc=%s header.from=%s: %s" % (name, want_res, dom, ar)); continue
    if "dmarc_quarantine_action = header" in extra and not any(
            n == "X-DMARC-Quarantine" for n, v in j["added_headers"]):
        bad("%s: no X-DMARC-Quarantine field" % name); continue
    ok("%s: dmarc=%s p=%s dis=%s -> %s" % (name, want_res, want_pol, want_dis, want_act))

# The author identity (RFC 5322 3.6.2, RFC 9989 5.3.1)
for name, extra_from, extra, want_act in (
        ("two From fields rejected", "mallory@evil.example", (), "reject"),
        ("two From fields, from_reject = no", "mallory@evil.example", ("from_reject = no",), "accept")):
    msg = message("example.com", False, extra_from)
    r = subprocess.run([milter, "--evaluate", msg, "--config", conf(extra), "--dns-zone", zone,
        "--client-ip", "198.51.100.9", "--helo", "mail.other.example", "--mail-from", "a@example.com",
        "--json"], capture_output=True)
    j = json.loads(r.stdout)
    if j["action"] == want_act and j["dmarc"] is None and (want_act != "reject" or
            j["reply"].startswith("550 5.7.1 Message must have exactly one author address")):
        ok(name)
    else:
        bad("%s: action %s reply %s dmarc %s" % (name, j["action"], j["reply"], j["dmarc"]))

shutil.rmtree(tmp)
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
