#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# dmarc_cases.py - DMARC (RFC 9989) end to end through
# `inkan-milter --evaluate --json --dns-zone`: a message (signed by inkan
# with the test key of example.com or strict.example.com, or not signed)
# from a client that passes or fails SPF, against tests/data/dmarc-e2e/zone;
# each case checks the DMARC result, the policy and disposition, and what
# the MTA is told. Every case runs in both discovery modes, the RFC 9989
# tree walk and RFC 7489 discovery through tests/data/dmarc's test Public
# Suffix List; where the two differ the case gives each mode's answer.
# Then the From rules (one From field, RFC 5322 3.6, "From :" included,
# 4.5; its addresses in one author domain, RFC 9989 5.3.1).
#
# usage: dmarc_cases.py INKAN-MILTER INKAN-REPORTS
import gzip, json, os, shutil, subprocess, sys, tempfile

milter = sys.argv[1]
reports = sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "data")
zone = os.path.join(data, "dmarc-e2e", "zone")
tmp = tempfile.mkdtemp(prefix="dmarc_cases.")
npass = nfail = 0

def ok(name):
    global npass; npass += 1; print("ok:", name)

def bad(name):
    global nfail; nfail += 1; print("FAIL:", name)

# keys: example.com and strict.example.com (which publishes the same key
# pair, see the zone); keys-parent: example.com only, so that mail From
# strict.example.com is signed d=example.com
# (dkto.example, dksf.example, towr.example: the same key pair, whose
# lookups the zone makes fail or, for towr.example, answers)
for kd, doms in (("keys", ("example.com", "strict.example.com", "dkto.example", "dksf.example")),
                 ("keys-parent", ("example.com", "towr.example", "dkto.example"))):
    for d in doms:
        os.makedirs(os.path.join(tmp, kd, d))
        for k in ("rsa.private", "ed.private"):
            dst = os.path.join(tmp, kd, d, k)
            shutil.copy(os.path.join(data, "keys", "example.com", k), dst)
            os.chmod(dst, 0o600)

PSL = os.path.join(data, "dmarc", "public_suffix_list.dat")
MODES = {
    "treewalk": ("dmarc_discovery = treewalk",),
    "psl": ("dmarc_discovery = psl", "dmarc_psl_file = %s" % PSL),
}

def conf(extra, keys="keys"):
    path = os.path.join(tmp, "c%d.conf" % abs(hash((extra, keys))))
    with open(path, "w") as f:
        f.write("authserv_id = mx.test.example\nlog = stderr\n")
        f.write("key_dir = %s\nsign_subdomains = yes\n" % os.path.join(tmp, keys))
        for kv in extra:
            f.write(kv + "\n")
    return path

def zone_p(domain):
    """The p= in force of the DMARC record at domain in the test zone:
    its value, or none when p= is absent or p=, sp= or np= is not a valid
    request (RFC 9989 4.10.1 reads such a record, with rua=, as p=none)."""
    for line in open(zone):
        f = line.split(None, 2)
        if len(f) == 3 and f[0].rstrip(".").lower() == "_dmarc." + domain and f[1] == "TXT":
            tags = dict(t.strip().split("=", 1) for t in f[2].strip().strip('"').split(";") if "=" in t)
            if any(tags.get(k, "none") not in ("none", "quarantine", "reject") for k in ("p", "sp", "np")):
                return "none"
            return tags.get("p", "none")
    return None

nmsg = 0

def message(from_domain, signed, from_lines=None):
    """The test message From alice@from_domain, or with the From field(s)
    replaced by from_lines (a list of field lines; [] for none); signed:
    False, True (the key of the From domain or of its parent), "parent"
    (keys-parent: the key of the parent), or ("as", D): signed as mail
    From D (d=D), then the From domain is changed to from_domain (that
    signature cannot pass; with D's key lookup failing it is temperror)."""
    global nmsg
    nmsg += 1
    sign_as = signed[1] if isinstance(signed, tuple) else from_domain
    text = open(os.path.join(data, "dmarc-e2e", "message.eml"), "rb").read()
    if from_lines is not None:
        rest = text.split(b"\n", 1)[1]
        text = b"".join(l.encode() + b"\r\n" for l in from_lines) + rest
    text = text.replace(b"FROMDOMAIN", sign_as.encode())
    path = os.path.join(tmp, "m%d-%s-%s.eml" % (nmsg, from_domain,
        "as-" + sign_as if isinstance(signed, tuple) else signed))
    open(path, "wb").write(text)
    if signed:
        out = subprocess.run([milter, "--evaluate", path, "--config",
            conf((), "keys-parent" if signed == "parent" else "keys"),
            "--client-ip", "127.0.0.1", "--helo", "out.example.com",
            "--mail-from", "alice@" + sign_as, "--now", "1795000000"],
            capture_output=True, check=True).stdout
        if sign_as != from_domain:
            out = out.replace(b"From: Alice <alice@%s>" % sign_as.encode(),
                b"From: Alice <alice@%s>" % from_domain.encode())
        path += ".signed"
        open(path, "wb").write(out)
    return path

def evaluate(msg, extra, ip, mf):
    r = subprocess.run([milter, "--evaluate", msg, "--config", conf(extra),
        "--dns-zone", zone, "--client-ip", ip, "--helo", "mail.other.example",
        "--mail-from", mf, "--now", "1795000000", "--json"], capture_output=True)
    try:
        return json.loads(r.stdout), None
    except ValueError:
        return None, "no JSON (exit %d): %s" % (r.returncode, r.stderr.decode()[-300:])

TW = "treewalk"
TEMP = "451 4.7.1 Temporary DNS failure evaluating the DMARC policy of "
# name, From domain, signed by inkan (see message(): d= example.com or
# strict.example.com), client IP, MAIL FROM, config extras, want: dmarc
# result, policy, disposition, action, reply text; then optional details:
#   tag    the tag that gave the policy (p, sp, np)
#   align  (spf_aligned, dkim_aligned)
#   psl    (result, policy, disposition, action, reply) where PSL discovery
#          gives another answer; psl_tag, psl_align likewise
#   only   run in this discovery mode only
#   dkim   (result, d=) of every signature, where not pass with the d=
#          message() signed with
#   spf    the SPF result (MAIL FROM)
#   why    words the DMARC reason holds: in the JSON, the log line and
#          (when the message is accepted) Authentication-Results
CASES = [
    # RFC 9989 4.4: DKIM d= aligned (identical) -> pass, whatever SPF says
    ("dkim aligned", "example.com", True, "198.51.100.9", "bounce@other.example", (), "pass", "reject", "none", "accept", None, dict(align=(False, True))),
    # SPF aligned through the MAIL FROM domain, no signature
    ("spf aligned", "example.com", False, "192.0.2.10", "alice@example.com", (), "pass", "reject", "none", "accept", None, dict(align=(True, False))),
    # neither aligned: p=reject -> 550 5.7.1
    ("fail p=reject", "example.com", False, "198.51.100.9", "alice@example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1 Rejected by the DMARC policy of example.com", dict(tag="p")),
    ("fail, reject as quarantine", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_reject_action = quarantine",), "fail", "reject", "reject", "quarantine", None),
    ("fail, not enforced", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_enforce = no",), "fail", "reject", "reject", "accept", None),
    # SPF passes for a domain not aligned with From
    ("spf pass unaligned", "quarantine.example", False, "192.0.2.10", "alice@example.com", (), "fail", "quarantine", "quarantine", "quarantine", None),
    ("p=quarantine", "quarantine.example", False, "198.51.100.9", "alice@quarantine.example", (), "fail", "quarantine", "quarantine", "quarantine", None),
    # 4.7 t=y: the policy is reported, the disposition one step lower
    ("t=y lowers reject", "testing.example", False, "198.51.100.9", "alice@testing.example", (), "fail", "reject", "quarantine", "quarantine", None),
    ("t=y lowers quarantine to none", "testq.example", False, "198.51.100.9", "alice@testq.example", (), "fail", "quarantine", "none", "accept", None),
    ("t=n applies the policy", "testn.example", False, "198.51.100.9", "alice@testn.example", (), "fail", "reject", "reject", "reject", "550 5.7.1 Rejected by the DMARC policy of testn.example"),
    ("t=y for a subdomain (p, no sp)", "sub.testing.example", False, "198.51.100.9", "alice@sub.testing.example", (), "fail", "reject", "quarantine", "quarantine", None, dict(tag="p")),
    # relaxed alignment: d=example.com for From news.example.com; sp=none
    ("subdomain relaxed dkim", "news.example.com", True, "198.51.100.9", "bounce@other.example", (), "pass", "none", "none", "accept", None, dict(align=(False, True))),
    ("subdomain fails, sp=none", "news.example.com", False, "198.51.100.9", "alice@news.example.com", (), "fail", "none", "none", "accept", None, dict(tag="sp")),
    # relaxed SPF: MAIL FROM news.example.com aligns with From example.com
    ("relaxed spf", "example.com", False, "192.0.2.10", "alice@news.example.com", (), "pass", "reject", "none", "accept", None, dict(align=(True, False))),
    # relaxed SPF between two subdomains (the MAIL FROM's own walk)
    ("relaxed spf, sibling subdomains", "news.example.com", False, "192.0.2.10", "alice@bounce.example.com", (), "pass", "none", "none", "accept", None, dict(align=(True, False))),
    # adkim=s: d=example.com does not align with strict.example.com,
    # d=strict.example.com does
    ("strict dkim", "strict.example.com", "parent", "198.51.100.9", "bounce@other.example", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    ("strict dkim, identical d=", "strict.example.com", True, "198.51.100.9", "bounce@other.example", (), "pass", "reject", "none", "accept", None, dict(align=(False, True))),
    # aspf=s: SPF pass for the parent does not align, for the name itself does
    ("strict spf, parent", "strict.example.com", False, "192.0.2.10", "alice@example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    ("strict spf, identical", "strict.example.com", False, "192.0.2.10", "alice@strict.example.com", (), "pass", "reject", "none", "accept", None, dict(align=(True, False))),
    # adkim=r with aspf=s: the parent's d= aligns, the parent's SPF pass not
    ("adkim=r aspf=s: dkim relaxed", "rs.example.com", True, "198.51.100.9", "bounce@other.example", (), "pass", "reject", "none", "accept", None, dict(align=(False, True))),
    ("adkim=r aspf=s: spf strict", "rs.example.com", False, "192.0.2.10", "alice@example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    # np: a non-existent subdomain of example.com (NXDOMAIN) -> np=reject
    ("np for a non-existent subdomain", "ghost.example.com", False, "198.51.100.9", "alice@ghost.example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1", dict(tag="np")),
    ("np, several levels deep", "a.b.ghost.example.com", False, "198.51.100.9", "alice@a.b.ghost.example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1", dict(tag="np")),
    # an existing subdomain gets sp, also when it has only an MX record
    ("sp for an existing subdomain (MX only)", "mxonly.example.com", False, "198.51.100.9", "alice@mxonly.example.com", (), "fail", "none", "none", "accept", None, dict(tag="sp")),
    ("sp, several levels deep", "x.y.z.example.com", False, "198.51.100.9", "alice@x.y.z.example.com", (), "fail", "none", "none", "accept", None, dict(tag="sp")),
    ("sp=quarantine, existing subdomain", "sub.spq.example", False, "198.51.100.9", "alice@sub.spq.example", (), "fail", "quarantine", "quarantine", "quarantine", None, dict(tag="sp")),
    ("no np: sp for a non-existent subdomain", "ghost.spq.example", False, "198.51.100.9", "alice@ghost.spq.example", (), "fail", "quarantine", "quarantine", "quarantine", None, dict(tag="sp")),
    ("no sp or np: p for a non-existent subdomain", "ghost.ponly.example", False, "198.51.100.9", "alice@ghost.ponly.example", (), "fail", "reject", "reject", "reject", "550 5.7.1", dict(tag="p")),
    ("np=none, non-existent subdomain", "ghost.npnone.example", False, "198.51.100.9", "alice@ghost.npnone.example", (), "fail", "none", "none", "accept", None, dict(tag="np")),
    ("np=none, existing subdomain gets sp=reject", "sub.npnone.example", False, "198.51.100.9", "alice@sub.npnone.example", (), "fail", "reject", "reject", "reject", "550 5.7.1", dict(tag="sp")),
    # a subdomain's own record: its p, not the parent's sp
    ("subdomain with its own record", "own.example.com", False, "198.51.100.9", "alice@own.example.com", (), "fail", "quarantine", "quarantine", "quarantine", None, dict(tag="p")),
    # the existence test for np times out: temperror, never a silent accept
    ("existence test times out", "flaky.example.com", False, "198.51.100.9", "bounce@other.example", (), "temperror", None, "none", "tempfail", "451 4.7.1"),
    # DNS timeout on the policy: temperror
    # issue 5: a policy that cannot be looked up is never a silent accept
    # (one spelling, "DNS timeout", as SPF's reasons have it: issue 15)
    ("policy lookup timeout", "slow.example", False, "198.51.100.9", "alice@slow.example", (), "temperror", None, "none", "tempfail", "451 4.7.1 Temporary DNS failure",
     dict(why="DNS timeout for _dmarc.slow.example")),
    ("policy lookup timeout, accepted", "slow.example", False, "198.51.100.9", "alice@slow.example", ("dmarc_tempfail_on_temperror = no",), "temperror", None, "none", "accept", None,
     dict(why="DNS timeout for _dmarc.slow.example")),
    # a TIMEOUT during the walk (_dmarc.mid.example.com): the policy may be
    # there, so temperror; PSL discovery never asks that name
    ("timeout during the tree walk", "x.mid.example.com", False, "198.51.100.9", "alice@x.mid.example.com", (), "temperror", None, "none", "tempfail", "451 4.7.1",
     dict(psl=("fail", "none", "none", "accept", None), psl_tag="sp")),
    ("timeout during the tree walk, accepted", "x.mid.example.com", False, "198.51.100.9", "alice@x.mid.example.com", ("dmarc_tempfail_on_temperror = no",), "temperror", None, "none", "accept", None,
     dict(psl=("fail", "none", "none", "accept", None))),
    # the Author Domain's record is found but the walk for its
    # Organizational Domain times out: relaxed SPF alignment cannot be
    # decided (5.3.6: temperror); an identical SPF domain still aligns
    ("timeout above the policy, relaxed spf", "sub.towr.example", False, "192.0.2.10", "alice@towr.example", (), "temperror", "reject", "none", "tempfail", "451 4.7.1",
     dict(psl=("pass", "reject", "none", "accept", None))),
    ("timeout above the policy, identical spf", "sub.towr.example", False, "192.0.2.10", "alice@sub.towr.example", (), "pass", "reject", "none", "accept", None),
    ("timeout above the policy, nothing aligned", "sub.towr.example", False, "198.51.100.9", "alice@sub.towr.example", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    # local overrides
    ("never reject this domain", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_never_reject = Example.COM",), "fail", "reject", "reject", "accept", None),
    ("trusted forwarder: quarantine", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_trusted_forwarders = 198.51.100.0/24",), "fail", "reject", "reject", "quarantine", None),
    ("quarantine as a header", "quarantine.example", False, "198.51.100.9", "alice@quarantine.example", ("dmarc_quarantine_action = header",), "fail", "quarantine", "quarantine", "accept", None),
    ("no policy", "other.example", False, "198.51.100.9", "alice@other.example", (), "none", None, "none", "accept", None),
    # tree walk: mail.shop.co.example finds _dmarc.shop.co.example; the PSL
    # (co.example a suffix) gives shop.co.example too
    ("tree walk to the parent", "mail.shop.co.example", False, "198.51.100.9", "alice@mail.shop.co.example", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    ("relaxed spf to the parent", "shop.co.example", False, "192.0.2.10", "alice@mail.shop.co.example", (), "pass", "reject", "none", "accept", None),
    # psd=n at dept.example.com: for the tree walk it is the Organizational
    # Domain of a.b.dept.example.com (its p=quarantine applies, d= and MAIL
    # FROM example.com do not align); for the PSL example.com is (sp=none)
    ("psd=n, deep subdomain", "a.b.dept.example.com", False, "198.51.100.9", "alice@a.b.dept.example.com", (), "fail", "quarantine", "quarantine", "quarantine", None,
     dict(tag="p", psl=("fail", "none", "none", "accept", None), psl_tag="sp")),
    ("psd=n: dkim pass unaligned, spf aligned", "a.b.dept.example.com", True, "192.0.2.10", "alice@dept.example.com", (), "pass", "quarantine", "none", "accept", None,
     dict(align=(True, False), psl=("pass", "none", "none", "accept", None), psl_align=(True, True))),
    ("psd=n: dkim pass unaligned, spf fails", "a.b.dept.example.com", True, "198.51.100.9", "alice@dept.example.com", (), "fail", "quarantine", "quarantine", "quarantine", None,
     dict(align=(False, False), psl=("pass", "none", "none", "accept", None), psl_align=(False, True))),
    ("psd=n: spf pass for the parent unaligned, no dkim", "a.b.dept.example.com", False, "192.0.2.10", "alice@example.com", (), "fail", "quarantine", "quarantine", "quarantine", None,
     dict(psl=("pass", "none", "none", "accept", None))),
    # a psd=u record between the Author Domain and example.com is neither
    # the Author Domain's nor the Organizational Domain's (4.10.1, 4.10.2)
    ("intermediate psd=u record unused", "a.b.unit.example.com", False, "198.51.100.9", "alice@a.b.unit.example.com", (), "fail", "none", "none", "accept", None, dict(tag="sp")),
    # 9 labels: _dmarc.<9 labels>, then straight to 7 labels (4.10 step 4):
    # the psd=n p=none record at 8 labels is skipped, the one at 7 applies
    ("9-label From, walk cut to 7 labels", "a.b.c.d.e.f.g.nine.example", False, "198.51.100.9", "alice@a.b.c.d.e.f.g.nine.example", (), "fail", "quarantine", "quarantine", "quarantine", None,
     dict(tag="p", psl=("fail", "reject", "reject", "reject", "550 5.7.1"))),
    # the MAIL FROM (8 labels) walk starts at its own psd=n record: another
    # Organizational Domain than the Author Domain's (7 labels)
    ("9-label From, 8-label spf domain unaligned", "a.b.c.d.e.f.g.nine.example", False, "192.0.2.10", "alice@b.c.d.e.f.g.nine.example", (), "fail", "quarantine", "quarantine", "quarantine", None,
     dict(psl=("pass", "reject", "none", "accept", None))),
    ("9-label From, only record at 8 labels: none", "a.b.c.d.e.f.g.skip.example", False, "198.51.100.9", "alice@a.b.c.d.e.f.g.skip.example", (), "none", None, "none", "accept", None),
    # psd=y at co.example: brand.co.example (no record) gets the PSD policy
    # by the tree walk; RFC 7489 discovery has no PSD policy
    ("psd=y: PSD policy for an existing domain", "brand.co.example", False, "198.51.100.9", "alice@brand.co.example", (), "fail", "quarantine", "quarantine", "quarantine", None,
     dict(tag="p", psl=("none", None, "none", "accept", None))),
    ("psd=y: np for a non-existent domain", "ghost.co.example", False, "198.51.100.9", "alice@ghost.co.example", (), "fail", "reject", "reject", "reject", "550 5.7.1",
     dict(tag="np", psl=("none", None, "none", "accept", None))),
    ("psd=y not used below a domain with a record", "www.shop.co.example", False, "198.51.100.9", "alice@www.shop.co.example", (), "fail", "reject", "reject", "reject", "550 5.7.1 Rejected by the DMARC policy of www.shop.co.example"),
    # invalid records (4.10.1): a bad p, sp or np -> p=none if rua= has a
    # valid URI, else no DMARC processing (inkan: dmarc=permerror, accepted)
    ("bad p with rua: p=none", "badp.example", False, "198.51.100.9", "alice@badp.example", (), "fail", "none", "none", "accept", None),
    ("bad p without rua: no processing", "badpnorua.example", False, "198.51.100.9", "alice@badpnorua.example", (), "permerror", None, "none", "accept", None),
    ("bad sp with rua: p=none, also for the domain", "badsp.example", False, "198.51.100.9", "alice@badsp.example", (), "fail", "none", "none", "accept", None),
    ("bad np without rua: no processing", "ghost.badnp.example", False, "198.51.100.9", "alice@ghost.badnp.example", (), "permerror", None, "none", "accept", None),
    # 4.7 p: absent in an otherwise valid record -> p=none
    ("no p: p=none", "nop.example", False, "198.51.100.9", "alice@nop.example", (), "fail", "none", "none", "accept", None),
    # 4.7 v: not first -> the record is ignored: no policy
    ("v not first: ignored", "vlast.example", False, "198.51.100.9", "alice@vlast.example", (), "none", None, "none", "accept", None),
    # several DMARC records at one name are all discarded (4.10 step 2)
    ("two records at the Organizational Domain", "twice.example", False, "198.51.100.9", "alice@twice.example", (), "none", None, "none", "accept", None),
    # ... the tree walk goes on to example.com (sp=none); RFC 7489 6.6.3
    # step 5 ends discovery there: no policy
    ("two records at the Author Domain", "multi.example.com", False, "198.51.100.9", "alice@multi.example.com", (), "fail", "none", "none", "accept", None,
     dict(tag="sp", psl=("none", None, "none", "accept", None))),
    # a non-DMARC TXT record beside the DMARC one is discarded, not counted
    ("DMARC record beside another TXT", "mixtxt.example", False, "198.51.100.9", "alice@mixtxt.example", (), "fail", "reject", "reject", "reject", "550 5.7.1"),
    # issue 14: a DNS failure is never a DMARC fail. No aligned identifier
    # passed but an aligned one could not be checked: temperror, the
    # policy is not applied, 451 4.7.1 (RFC 7489 6.6.2, RFC 9989 5.3.6)
    ("aligned dkim key lookup TIMEOUT, p=reject", "dkto.example", True, "198.51.100.9", "bounce@other.example", (), "temperror", "reject", "none", "tempfail", TEMP,
     dict(dkim=("temperror", "dkto.example"), align=(False, False), why="dkim=temperror for aligned d=dkto.example and no aligned pass")),
    ("aligned dkim key lookup SERVFAIL, p=reject", "dksf.example", True, "198.51.100.9", "bounce@other.example", (), "temperror", "reject", "none", "tempfail", TEMP,
     dict(dkim=("temperror", "dksf.example"), why="dkim=temperror for aligned d=dksf.example")),
    ("relaxed aligned dkim (parent d=) key TIMEOUT", "sub.dkto.example", "parent", "198.51.100.9", "bounce@other.example", (), "temperror", "reject", "none", "tempfail", TEMP,
     dict(dkim=("temperror", "dkto.example"), tag="p")),
    ("aligned dkim key TIMEOUT, dmarc_tempfail_on_temperror = no", "dkto.example", True, "198.51.100.9", "bounce@other.example", ("dmarc_tempfail_on_temperror = no",), "temperror", "reject", "none", "accept", None,
     dict(dkim=("temperror", "dkto.example"), why="dkim=temperror for aligned d=dkto.example and no aligned pass")),
    ("aligned spf TIMEOUT, p=reject", "spfto.example", False, "198.51.100.9", "alice@spfto.example", (), "temperror", "reject", "none", "tempfail", TEMP, dict(spf="temperror", why="spf=temperror for aligned MAIL FROM domain spfto.example")),
    ("aligned spf TIMEOUT in an include:", "spfinc.example", False, "198.51.100.9", "alice@spfinc.example", (), "temperror", "reject", "none", "tempfail", TEMP, dict(spf="temperror", why="spf=temperror for aligned MAIL FROM domain spfinc.example")),
    # the MAIL FROM domain's own walk decides that it aligns (relaxed)
    ("relaxed aligned spf TIMEOUT", "example.com", False, "198.51.100.9", "alice@tempspf.example.com", (), "temperror", "reject", "none", "tempfail", TEMP, dict(spf="temperror", why="spf=temperror for aligned MAIL FROM domain tempspf.example.com")),
    ("aligned spf TIMEOUT, dmarc_tempfail_on_temperror = no", "spfto.example", False, "198.51.100.9", "alice@spfto.example", ("dmarc_tempfail_on_temperror = no",), "temperror", "reject", "none", "accept", None, dict(spf="temperror", why="spf=temperror for aligned MAIL FROM domain spfto.example")),
    # a temperror of an identifier that does not align changes nothing
    ("unaligned spf TIMEOUT, nothing aligned: fail", "example.com", False, "198.51.100.9", "alice@spfto.example", (), "fail", "reject", "reject", "reject", "550 5.7.1", dict(spf="temperror", why="no aligned identifier; p=reject")),
    ("unaligned dkim key TIMEOUT, nothing aligned: fail", "example.com", ("as", "dkto.example"), "198.51.100.9", "alice@example.com", (), "fail", "reject", "reject", "reject", "550 5.7.1",
     dict(dkim=("temperror", "dkto.example"))),
    # a pass of an aligned identifier wins over another one's temperror
    ("aligned dkim pass, aligned spf TIMEOUT: pass", "example.com", True, "198.51.100.9", "alice@tempspf.example.com", (), "pass", "reject", "none", "accept", None, dict(align=(False, True), spf="temperror")),
    ("aligned spf pass, aligned dkim TIMEOUT: pass", "dkto.example", True, "192.0.2.10", "alice@dkto.example", (), "pass", "reject", "none", "accept", None,
     dict(align=(True, False), dkim=("temperror", "dkto.example"))),
    # the Author Domain's Organizational Domain walk times out: whether the
    # passing parent d= aligns (relaxed) is unknown; the PSL knows
    ("org domain walk TIMEOUT, relaxed parent d=", "sub.towr.example", "parent", "198.51.100.9", "bounce@other.example", (), "temperror", "reject", "none", "tempfail", TEMP,
     dict(dkim=("pass", "towr.example"), why="Organizational Domain of towr.example unknown", psl=("pass", "reject", "none", "accept", None), psl_align=(False, True))),
]

for row in CASES:
    name, dom, signed, ip, mf, extra, want_res, want_pol, want_dis, want_act, want_reply = row[:11]
    more = row[11] if len(row) > 11 else {}
    msg = message(dom, signed)
    for mode in (TW, "psl"):
        if more.get("only", mode) != mode:
            continue
        label = "%s [%s]" % (name, mode)
        res, pol, dis, act, reply = (more["psl"] if mode == "psl" and "psl" in more
            else (want_res, want_pol, want_dis, want_act, want_reply))
        tag = more.get("psl_tag" if mode == "psl" and "psl_tag" in more else "tag")
        al = more.get("psl_align" if mode == "psl" and "psl_align" in more else "align")
        if mode == "psl" and "psl" in more and "psl_tag" not in more:
            tag = None
        if mode == "psl" and "psl" in more and "psl_align" not in more:
            al = None
        j, why = evaluate(msg, MODES[mode] + tuple(extra), ip, mf)
        if j is None:
            bad("%s: %s" % (label, why)); continue
        d = j["dmarc"] or {}
        got = (d.get("result"), d.get("policy") if pol else None, d.get("disposition"), j["action"])
        want = (res, pol, dis, act)
        if got != want:
            bad("%s: got %s, want %s (%s)" % (label, got, want, d.get("reason"))); continue
        if reply and reply == TEMP:
            reply += dom + ";"
        if reply and not (j["reply"] or "").startswith(reply):
            bad("%s: reply %r, want %r..." % (label, j["reply"], reply)); continue
        if tag and d.get("policy_tag") != tag:
            bad("%s: policy from %s=, want %s= (%s)" % (label, d.get("policy_tag"), tag, d.get("reason"))); continue
        if al and (d.get("spf_aligned"), d.get("dkim_aligned")) != al:
            bad("%s: aligned spf %s dkim %s, want %s" % (label, d.get("spf_aligned"), d.get("dkim_aligned"), al)); continue
        # a signed message's signatures all pass (aligned or not), with the
        # d= message() signed with
        if signed:
            sd = dom if signed is True and dom == "strict.example.com" else "example.com"
            sr, sd = more.get("dkim", ("pass", sd))
            if not j["dkim"] or any(v["result"] != sr or v["domain"] != sd for v in j["dkim"]):
                bad("%s: want dkim=%s d=%s, got %s" % (label, sr, sd, j["dkim"])); continue
        if "spf" in more and (j["spf"] or {}).get("result") != more["spf"]:
            bad("%s: want spf=%s, got %s" % (label, more["spf"], j["spf"])); continue
        why = more.get("psl_why") if mode == "psl" and "psl" in more else more.get("why")
        if why and (why not in d.get("reason", "") or
                # p= and dis= only from a record found (pol given), never
                # an invented p=none (issue 15)
                'dmarc=%s header.from=%s %sdmarc_reason="%s' % (res, dom, "p=%s dis=%s " % (pol, dis) if pol else "", why) not in j.get("log", "") or
                "action=%s" % act not in j.get("log", "")):
            bad("%s: want reason %r in JSON and log: %s | %s" % (label, why, d.get("reason"), j.get("log"))); continue
        ar = [v for n, v in j["added_headers"] if n == "Authentication-Results"]
        if act not in ("reject", "tempfail") and not (ar and "dmarc=%s" % res in ar[0] and "header.from=" + dom in ar[0]):
            bad("%s: Authentication-Results lacks dmarc=%s header.from=%s: %s" % (label, res, dom, ar)); continue
        if act not in ("reject", "tempfail") and why and "dmarc=%s (%s" % (res, why) not in ar[0]:
            bad("%s: Authentication-Results lacks dmarc=%s (%s...): %s" % (label, res, why, ar)); continue
        # polrec.p and polrec.domain (RFC 9989 IANA registrations): the p=
        # of the record found, read here from the zone file itself, and
        # where it was found when that is not the From domain
        if ar and act not in ("reject", "tempfail"):
            pd = d.get("policy_domain") or ""
            # (a temperror after the record was found names it too)
            want_p = zone_p(pd) if res in ("pass", "fail") or (res == "temperror" and pd) else None
            got_p = [w[len("polrec.p="):] for w in ar[0].split() if w.startswith("polrec.p=")]
            got_d = [w[len("polrec.domain="):] for w in ar[0].split() if w.startswith("polrec.domain=")]
            if got_p != ([want_p] if want_p else []):
                bad("%s: polrec.p %s, want %s (record at %r): %s" % (label, got_p, want_p, pd, ar[0])); continue
            if got_d != ([pd] if want_p and pd and pd != dom else []):
                bad("%s: polrec.domain %s, record at %r: %s" % (label, got_d, pd, ar[0])); continue
        if "dmarc_quarantine_action = header" in extra and not any(
                n == "X-DMARC-Quarantine" for n, v in j["added_headers"]):
            bad("%s: no X-DMARC-Quarantine field" % label); continue
        ok("%s: dmarc=%s p=%s dis=%s -> %s" % (label, res, pol, dis, act))

# The author identity (RFC 5322 3.6.2 and 3.4, RFC 9989 4.4 and 5.3.1):
# exactly one From field whose addresses are all in one domain; display
# names, comments, quoted local parts, encoded words (RFC 2047) and a group
# holding one address parse to that address. The From rules come before discovery, so
# these run in the default (tree walk) mode.
# name, From field lines ([] for none), signed, client IP, MAIL FROM,
# config extras, want: action, dmarc result (None: no DMARC evaluation),
# header.from domain, reply text
ONE = "550 5.7.1 Message must have exactly one author address"
FROM_CASES = [
    ("display name", ["From: Alice Example <alice@example.com>"], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("quoted display name holding an address", ['From: "bob@evil.example, Bob" <alice@example.com>'], False, "198.51.100.9", "bounce@evil.example", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("comments", ["From: alice@example.com (Alice (the author))"], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("comments inside the address", ["From: Alice <alice(me)@(host)example.com>"], False, "192.0.2.10", "alice@example.com", (), "accept", "pass", "example.com", None),
    ("quoted local part", ['From: "alice smith"@example.com'], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("quoted local part holding @ and <>", ['From: "a@evil.example <x>"@example.com'], False, "198.51.100.9", "bounce@other.example", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("encoded-word display name", ["From: =?UTF-8?B?w4VzYSBFeGFtcGxl?= <alice@example.com>"], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("encoded word hiding an address", ["From: =?UTF-8?Q?bob=40evil.example?= <alice@example.com>"], False, "198.51.100.9", "bounce@other.example", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("group with one address", ["From: Authors: alice@example.com;"], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("domain in upper case, folded field", ["From: Alice", " <alice@EXAMPLE.Com>"], False, "192.0.2.10", "alice@example.com", (), "accept", "pass", "example.com", None),
    ("no From field", [], False, "198.51.100.9", "a@example.com", (), "reject", None, None, ONE),
    ("two From fields", ["From: alice@example.com", "From: mallory@evil.example"], False, "198.51.100.9", "a@example.com", (), "reject", None, None, ONE),
    ("one field, two addresses", ["From: alice@example.com, mallory@evil.example"], False, "198.51.100.9", "a@example.com", (), "reject", None, None, ONE + " in From: From field has addresses in different domains (example.com, evil.example)"),
    # RFC 9989 5.3.1: several addresses of one domain are that author
    # domain, and DMARC proceeds; inkan signs such mail with that domain's
    # key (the signed cases were unsigned, then refused, before). Sender
    # (RFC 5322 3.6.2) or not: its absence leaves no doubt about the domain.
    ("two addresses, one domain, Sender, signed", ["From: alice@example.com, Carol <carol@EXAMPLE.com.>", "Sender: alice@example.com"], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("two addresses, one domain, Sender, unaligned", ["From: alice@example.com, carol@example.com", "Sender: alice@example.com"], False, "198.51.100.9", "bounce@other.example", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("two addresses, one domain, Sender, SPF aligned", ["From: alice@example.com, carol@example.com", "Sender: alice@example.com"], False, "192.0.2.10", "alice@example.com", (), "accept", "pass", "example.com", None),
    ("two addresses, one domain, no Sender, signed", ["From: alice@example.com, carol@example.com"], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("two addresses, one domain, no Sender, unaligned", ["From: alice@example.com, carol@example.com"], False, "198.51.100.9", "bounce@other.example", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("group with two addresses of one domain", ["From: Authors: alice@example.com, bob@example.com;"], False, "198.51.100.9", "a@example.com", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("two addresses of one domain, p=quarantine", ["From: a@quarantine.example, b@quarantine.example", "Sender: a@quarantine.example"], False, "198.51.100.9", "a@quarantine.example", (), "quarantine", "fail", "quarantine.example", None),
    # different domains: exempt from DMARC (5.3.1), refused by local policy
    ("two domains, Sender", ["From: alice@example.com, mallory@evil.example", "Sender: alice@example.com"], False, "192.0.2.10", "alice@example.com", (), "reject", None, None, ONE + " in From: From field has addresses in different domains (example.com, evil.example)"),
    ("a subdomain is another domain", ["From: alice@example.com, bob@news.example.com", "Sender: alice@example.com"], True, "192.0.2.10", "alice@example.com", (), "reject", None, None, ONE + " in From: From field has addresses in different domains (example.com, news.example.com)"),
    ("third address in another domain", ["From: a@example.com, b@example.com, c@evil.example", "Sender: a@example.com"], False, "192.0.2.10", "alice@example.com", (), "reject", None, None, ONE + " in From: From field has addresses in different domains (example.com, evil.example)"),
    ("two domains, from_reject = no", ["From: alice@example.com, mallory@evil.example", "Sender: alice@example.com"], False, "198.51.100.9", "a@example.com", ("from_reject = no",), "accept", None, None, None),
    # RFC 5322 4.5: "From :" (WSP before the colon) is a From field
    ("obsolete From : field, unsigned", ["From : alice@example.com"], False, "198.51.100.9", "bounce@other.example", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("obsolete From<TAB>: field, unsigned", ["From\t: alice@example.com"], False, "198.51.100.9", "bounce@other.example", (), "reject", "fail", "example.com", "550 5.7.1 Rejected by the DMARC policy of example.com"),
    ("obsolete From : field, signed", ["From : alice@example.com"], True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", "example.com", None),
    ("second From field written From :", ["From: alice@good.example", "From : ceo@example.com"], False, "198.51.100.9", "bounce@good.example", (), "reject", None, None, ONE + " in From: 2 From header fields"),
    ("second From field written FROM\t:", ["FROM\t: ceo@example.com", "From: alice@good.example"], False, "198.51.100.9", "bounce@good.example", (), "reject", None, None, ONE + " in From: 2 From header fields"),
    ("empty group", ["From: undisclosed-recipients:;"], False, "198.51.100.9", "a@example.com", (), "reject", None, None, ONE),
    ("two From fields, from_reject = no", ["From: alice@example.com", "From: mallory@evil.example"], False, "198.51.100.9", "a@example.com", ("from_reject = no",), "accept", None, None, None),
    ("no From field, from_reject = no", [], False, "198.51.100.9", "a@example.com", ("from_reject = no",), "accept", None, None, None),
    ("two addresses, from_reject = no", ["From: alice@example.com, mallory@evil.example"], False, "198.51.100.9", "a@example.com", ("from_reject = no",), "accept", None, None, None),
]

for name, lines, signed, ip, mf, extra, want_act, want_res, want_dom, want_reply in FROM_CASES:
    label = "From: " + name
    try:
        msg = message("example.com", signed, lines)
    except subprocess.CalledProcessError as ex:
        bad("%s: signing failed: %s" % (label, ex.stderr.decode()[-300:])); continue
    j, why = evaluate(msg, tuple(extra), ip, mf)
    if j is None:
        bad("%s: %s" % (label, why)); continue
    d = j["dmarc"]
    got = (j["action"], d and d.get("result"), d and d.get("header_from"))
    want = (want_act, want_res, want_dom)
    if got != want:
        bad("%s: got %s, want %s (reply %s; %s)" % (label, got, want, j["reply"], d and d.get("reason"))); continue
    if want_reply and not (j["reply"] or "").startswith(want_reply):
        bad("%s: reply %r, want %r..." % (label, j["reply"], want_reply)); continue
    ok("%s: %s%s" % (label, want_act, " dmarc=%s header.from=%s" % (want_res, want_dom) if want_res else ""))

# The aggregate report's row (RFC 9990 2.1.5): the disposition is what was
# done with the message, and when local policy overrode the Domain Owner's
# disposition the row says why, in the schema's PolicyOverrideType words.
# name, From domain, signed, client IP, MAIL FROM, config extras, want:
# action, report disposition (None: no row), override; then optionally
# the row's dmarc, DKIM and SPF results.
# A message answered with a tempfail gets no row: the client retries it
# and the retry is counted, once (txn_eom, render_report.c). One accepted with
# dmarc=temperror gets a row with the results as checked, disposition
# none and the override "dmarc temperror" (RFC 9990's DMARCResultType has
# only pass and fail, so the row says why no policy was applied).
import sqlite3
REPORT_CASES = [
    ("pass", "example.com", True, "198.51.100.9", "bounce@other.example", (), "accept", "pass", None),
    ("fail p=reject", "example.com", False, "198.51.100.9", "alice@example.com", (), "reject", "reject", None),
    ("reject held by dmarc_reject_action", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_reject_action = quarantine",), "quarantine", "quarantine", "local_policy"),
    ("not enforced", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_enforce = no",), "accept", "none", "local_policy"),
    ("never reject this domain", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_never_reject = example.com",), "accept", "none", "local_policy"),
    ("trusted forwarder", "example.com", False, "198.51.100.9", "alice@example.com", ("dmarc_trusted_forwarders = 198.51.100.0/24",), "quarantine", "quarantine", "trusted_forwarder"),
    ("t=y lowers reject to quarantine", "testing.example", False, "198.51.100.9", "alice@testing.example", (), "quarantine", "quarantine", "policy_test_mode"),
    ("p=quarantine", "quarantine.example", False, "198.51.100.9", "alice@quarantine.example", (), "quarantine", "quarantine", None),
    # issue 14: temperror
    ("aligned dkim TIMEOUT, tempfailed: no row", "dkto.example", True, "198.51.100.9", "bounce@other.example", (), "tempfail", None, None),
    ("aligned spf TIMEOUT, tempfailed: no row", "spfto.example", False, "198.51.100.9", "alice@spfto.example", (), "tempfail", None, None),
    ("existence test TIMEOUT, tempfailed: no row", "flaky.example.com", False, "198.51.100.9", "bounce@other.example", (), "tempfail", None, None),
    ("aligned dkim TIMEOUT, accepted", "dkto.example", True, "198.51.100.9", "bounce@other.example", ("dmarc_tempfail_on_temperror = no",), "accept", "none", "dmarc temperror",
     ("temperror", "dkto.example\ted\ttemperror\ndkto.example\trsa\ttemperror\n", "none")),
    ("aligned spf TIMEOUT, accepted", "spfto.example", False, "198.51.100.9", "alice@spfto.example", ("dmarc_tempfail_on_temperror = no",), "accept", "none", "dmarc temperror",
     ("temperror", "", "temperror")),
    ("aligned dkim TIMEOUT, not enforced", "dkto.example", True, "198.51.100.9", "bounce@other.example", ("dmarc_enforce = no",), "accept", "none", "dmarc temperror"),
    # a tempfail that SPF asked for: no row either
    ("spf_tempfail_on_temperror: no row", "example.com", True, "198.51.100.9", "alice@spfto.example", ("spf_tempfail_on_temperror = yes",), "tempfail", None, None),
    # a non-aligned temperror: the fail is counted as one
    ("unaligned spf TIMEOUT: reject counted", "example.com", False, "198.51.100.9", "alice@spfto.example", (), "reject", "reject", None, ("fail", "", "temperror")),
]
for i, row in enumerate(REPORT_CASES):
    name, dom, signed, ip, mf, extra, want_act, want_dis, want_why = row[:9]
    label = "report row: " + name
    db = os.path.join(tmp, "report-%d.db" % i)
    j, why = evaluate(message(dom, signed), tuple(extra) + ("dmarc_report_db = %s" % db,), ip, mf)
    if j is None:
        bad("%s: %s" % (label, why)); continue
    try:
        rows = sqlite3.connect(db).execute("SELECT header_from, disposition, override, dmarc, dkim, spf_result FROM messages").fetchall()
    except sqlite3.Error as ex:
        bad("%s: report database: %s" % (label, ex)); continue
    got = (j["action"], [r[:3] for r in rows])
    want = (want_act, [(dom, want_dis, want_why)] if want_dis else [])
    if got != want:
        bad("%s: got %s, want %s" % (label, got, want)); continue
    if len(row) > 9 and rows[0][3:] != row[9]:
        bad("%s: dmarc, dkim, spf %s, want %s" % (label, rows[0][3:], row[9])); continue
    # the aggregate report made from an accepted temperror row: valid
    # against RFC 9990's schema, with the reason and the DKIM temperror
    if want_why == "dmarc temperror" and len(row) > 9 and row[9][1]:
        out = os.path.join(tmp, "report-%d" % i)
        os.mkdir(out)
        r = subprocess.run([reports, "--db", db, "--org-name", "Inkan-Test",
            "--email", "dmarc-reports@receiver.example", "--period-start", "1794960000",
            "--period-end", "1795046399", "--out-dir", out, "--dns-zone", zone], capture_output=True)
        files = os.listdir(out)
        if r.returncode != 0 or len(files) != 1:
            bad("%s: inkan-reports exit %d, files %s: %s" % (label, r.returncode, files, r.stderr.decode()[-300:])); continue
        xml = os.path.join(out, "report.xml")
        open(xml, "wb").write(gzip.open(os.path.join(out, files[0])).read())
        text = open(xml).read()
        lint = subprocess.run(["xmllint", "--noout", "--schema",
            os.path.join(data, "reports", "dmarc-aggregate.xsd"), xml], capture_output=True)
        if lint.returncode != 0:
            bad("%s: report invalid: %s" % (label, lint.stderr.decode()[-300:])); continue
        if ("<disposition>none</disposition>" not in text or "<type>other</type>" not in text or
                "<comment>dmarc temperror</comment>" not in text or "<result>temperror</result>" not in text):
            bad("%s: report lacks disposition none, reason other (dmarc temperror), dkim temperror:\n%s" % (label, text)); continue
    ok("%s: %s, %s" % (label, want_act, "disposition %s%s" % (want_dis, ", override " + want_why if want_why else "") if want_dis else "no row"))

shutil.rmtree(tmp)
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
