#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# arc_cases.py - ARC (RFC 8617, issue 17) through `inkan-milter --evaluate`:
# a message from example.com (p=reject; SPF lets only 192.0.2.10 send,
# tests/data/arc/zone) forwarded by fwd.example (198.51.100.9), which
# seals it with dkimpy's arc_sign (tests/interop/arc_dkimpy.py) at one
# fixed time with the key pair of tests/data/keys/example.com/rsa.private.
#   * no ARC: arc "none" in JSON, no arc= in our A-R, no arc field logged,
#     no ARC key query; the DMARC reject stands;
#   * chain pass, sealer not trusted: arc=pass in A-R with smtp.remote-ip,
#     JSON sealers, rejected; trusted (arc_trusted_sealers): delivered,
#     dmarc=fail with the override comment, the log's dmarc_override, the
#     report row's override trusted_forwarder;
#   * trusted but the AAR records no aligned pass: rejected;
#   * p=quarantine with a trusted sealer: delivered, not held;
#   * tampered chain (body changed, AAR edited, seal removed): arc=fail,
#     rejected even with the sealer trusted;
#   * two Sets where the list changed the body after verifying and sealed
#     cv=pass: arc=pass header.oldest-pass=2;
#   * a sealer key lookup that times out: arc=fail, temporary;
#   * arc_seal = yes: the Set inkan adds verifies with dkimpy and
#     Mail::DKIM at the same time; none after a cv=fail; a sealed message
#     sealed again by a second hop passes with three verifiers.
#
# usage: arc_cases.py INKAN-MILTER
import json, os, shutil, sqlite3, subprocess, sys, tempfile

milter = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..")
zone = os.path.join(root, "data", "arc", "zone")
rsa = os.path.join(root, "data", "keys", "example.com", "rsa.private")
dkimpy = os.path.join(root, "interop", "arc_dkimpy.py")
maildkim = os.path.join(root, "interop", "arc_maildkim.pl")
tmp = tempfile.mkdtemp(prefix="arc_cases.")
NOW = "1795000000"
npass = nfail = 0
REJECT = "550 5.7.1 Rejected by the DMARC policy of example.com"
FWD_OK = "spf=pass smtp.mailfrom=alice@example.com; dkim=none; " \
    "dmarc=fail header.from=example.com"


def check(cond, name, why=""):
    global npass, nfail
    if cond:
        npass += 1
        print("ok:", name)
    else:
        nfail += 1
        print("FAIL:", name + (": " + why if why else ""))


# The key file arc_dkimpy.py and arc_maildkim.pl read: NAME RECORD
pub = subprocess.run(["openssl", "pkey", "-in", rsa, "-pubout", "-outform",
                      "DER"], capture_output=True, check=True).stdout
import base64
rec = "v=DKIM1; k=rsa; p=" + base64.b64encode(pub).decode()
keys = os.path.join(tmp, "keys")
with open(keys, "w") as f:
    for d in ("fwd.example", "list.example", "mx.test.example"):
        f.write("arc._domainkey.%s %s\n" % (d, rec))
# inkan's own sealing key, as an admin keeps it
os.makedirs(os.path.join(tmp, "kd", "mx.test.example"))
sealkey = os.path.join(tmp, "kd", "mx.test.example", "arc.private")
shutil.copy(rsa, sealkey)
os.chmod(sealkey, 0o600)


def write(name, data):
    p = os.path.join(tmp, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def original(frm="alice@example.com", subject="ARC test"):
    return ("From: Alice <%s>\r\nTo: bob@example.org\r\nSubject: %s\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "Message-ID: <arc-case@example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain\r\n\r\nHello world\r\n" %
            (frm, subject)).encode()


def seal(msg, domain="fwd.example", results=FWD_OK, cv=None):
    """One forwarder hop by dkimpy: verify, A-R with results, seal."""
    src = write("in.eml", msg)
    args = [dkimpy, "seal", "--now", NOW, "--keys", keys, "--key", rsa,
            "--domain", domain, "--selector", "arc", "--srv-id",
            "mx." + domain, "--results", results]
    if cv is not None:
        args += ["--cv", cv]
    r = subprocess.run(args + [src], capture_output=True)
    if r.returncode != 0:
        raise SystemExit("arc_dkimpy.py seal failed: " + r.stderr.decode())
    # dkimpy ends the lines it adds with LF: all CRLF, as on the wire
    return r.stdout.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def evaluate(msg, extra=(), json_out=True, ip="198.51.100.9"):
    # from 192.0.2.10 the sender itself: SPF and DMARC pass
    mf = "alice@example.com" if ip == "192.0.2.10" else "bounce@fwd.example"
    src = write("m.eml", msg)
    conf = write("c.conf", ("authserv_id = mx.test.example\nlog = stderr\n"
                 "key_dir = %s\n" % os.path.join(tmp, "kd") +
                 "".join(e + "\n" for e in extra)).encode())
    args = [milter, "--evaluate", src, "--config", conf, "--dns-zone", zone,
            "--client-ip", ip, "--helo", "fwd.example", "--mail-from", mf,
            "--now", NOW]
    r = subprocess.run(args + (["--json"] if json_out else []),
                       capture_output=True)
    if not json_out:
        return r.stdout, r.stderr.decode()
    try:
        return json.loads(r.stdout), r.stderr.decode()
    except ValueError:
        return None, "no JSON (exit %d): %s" % (r.returncode,
                                                r.stderr.decode()[-300:])


def our_ar(j):
    for name, value in j["added_headers"]:
        if name == "Authentication-Results":
            return " ".join(value.split())
    return ""


TRUST = "arc_trusted_sealers = fwd.example"

# no ARC at all
j, err = evaluate(original())
check(j is not None and j["arc"] == {"result": "none", "instances": 0,
      "oldest_pass": 0, "reason": None, "sealers": []},
      "no ARC: arc object says none", str(j and j.get("arc")) + err)
if j:
    check("; arc=" not in our_ar(j), "no ARC: no arc= in A-R", our_ar(j))
    check(" arc=" not in j["log"], "no ARC: no arc field logged", j["log"])
    check(j["dns"]["queries"] == 0, "no ARC: no key query", str(j["dns"]))
    check(j["reply"] is not None and j["reply"].startswith(REJECT),
          "no ARC: DMARC reject stands", str(j["reply"]))
j, _ = evaluate(original(), [TRUST])
check(j is not None and j["action"] == "reject",
      "no ARC, a trusted sealer named: still rejected")

one = seal(original())
j, err = evaluate(one)
if j is None:
    check(False, "one Set: evaluate", err)
else:
    a = j["arc"]
    check(a["result"] == "pass" and a["instances"] == 1 and
          a["sealers"] == [{"i": 1, "d": "fwd.example", "s": "arc",
                            "cv": "none", "result": "pass"}],
          "one Set by dkimpy: pass, sealer listed", str(a))
    check("arc=pass smtp.remote-ip=198.51.100.9; dmarc=fail" in our_ar(j),
          "one Set: arc=pass smtp.remote-ip= in A-R", our_ar(j))
    check(" arc=pass " in j["log"], "one Set: arc=pass logged", j["log"])
    check(j["action"] == "reject" and j["reply"].startswith(REJECT),
          "one Set, sealer not trusted: rejected", str(j["reply"]))
    check("overridden" not in our_ar(j) and "dmarc_override" not in j["log"],
          "one Set, not trusted: no override said")

db = os.path.join(tmp, "reports.db")
j, err = evaluate(one, [TRUST, "dmarc_report_db = " + db])
if j is None:
    check(False, "trusted: evaluate", err)
else:
    check(j["action"] == "accept" and j["reply"] is None,
          "trusted sealer, aligned spf=pass in its AAR: delivered",
          str(j["action"]) + " " + str(j["reply"]))
    check("dmarc=fail (p=reject dis=reject; overridden: arc trusted sealer "
          "fwd.example spf=pass) header.from=example.com" in our_ar(j),
          "trusted: A-R keeps dmarc=fail with the override", our_ar(j))
    check('dmarc_override="arc trusted sealer fwd.example spf=pass"' in
          j["log"], "trusted: log says dmarc_override", j["log"])
    rows = sqlite3.connect(db).execute(
        "SELECT disposition, override FROM messages").fetchall()
    check(rows == [("none", "trusted_forwarder")],
          "trusted: report row disposition none, override trusted_forwarder",
          str(rows))
j, _ = evaluate(one, ["arc_trusted_sealers = list.example, FWD.EXAMPLE"])
check(j is not None and j["action"] == "accept",
      "trusted names compare in any case")

nospf = seal(original(), results="spf=fail smtp.mailfrom=alice@example.com; "
             "dkim=pass header.d=other.example")
j, _ = evaluate(nospf, [TRUST])
check(j is not None and j["action"] == "reject",
      "trusted, AAR without an aligned pass: rejected")
dm = seal(original(), results="dmarc=pass header.from=example.com")
j, _ = evaluate(dm, [TRUST])
check(j is not None and j["action"] == "accept" and
      "overridden: arc trusted sealer fwd.example dmarc=pass" in our_ar(j),
      "trusted, AAR dmarc=pass: delivered")

q = seal(original("alice@quarantine.example"),
         results="spf=pass smtp.mailfrom=alice@quarantine.example")
j, _ = evaluate(q)
check(j is not None and j["action"] == "quarantine",
      "p=quarantine, untrusted: held", str(j and j["action"]))
j, _ = evaluate(q, [TRUST])
check(j is not None and j["action"] == "accept",
      "p=quarantine, trusted: delivered", str(j and j["action"]))

def drop_field(msg, name):
    """msg without its first field called name (continuation lines too)."""
    out, skip, done = [], False, False
    for l in msg.split(b"\r\n"):
        if skip and l[:1] in (b" ", b"\t"):
            continue
        skip = not done and l.lower().startswith(name.lower() + b":")
        done = done or skip
        if not skip:
            out.append(l)
    return b"\r\n".join(out)


# tampered chains fail, trusted or not
tampered = {
    "body changed": one.replace(b"Hello world", b"Hello w0rld"),
    "AAR edited": one.replace(b"spf=pass smtp.mailfrom=alice",
                              b"spf=pass smtp.mailfrom=carol"),
    "ARC-Seal removed": drop_field(one, b"ARC-Seal"),
}
for what, m in tampered.items():
    j, err = evaluate(m, [TRUST])
    if j is None:
        check(False, "tampered (%s): evaluate" % what, err)
        continue
    check(j["arc"]["result"] == "fail" and j["arc"]["reason"],
          "tampered (%s): arc fail with a reason" % what, str(j["arc"]))
    check("arc=fail" in our_ar(j), "tampered (%s): arc=fail in A-R" % what,
          our_ar(j))
    check(j["action"] == "reject", "tampered (%s): rejected although "
          "trusted" % what, str(j["action"]))

# a list that changed the body after verifying, sealing cv=pass: the
# newest AMS passes, the first no longer (RFC 8617 5.2 step 6)
two = seal(seal(original()).replace(b"Hello world", b"Hello world\r\n--\r\n"
                                    b"list footer"),
           domain="list.example", cv="pass",
           results="spf=pass smtp.mailfrom=bounce@fwd.example")
j, err = evaluate(two, ["arc_trusted_sealers = list.example"])
if j is None:
    check(False, "two Sets: evaluate", err)
else:
    check(j["arc"]["result"] == "pass" and j["arc"]["instances"] == 2 and
          j["arc"]["oldest_pass"] == 2, "two Sets, body changed by the "
          "list: pass, oldest_pass 2", str(j["arc"]))
    check("arc=pass smtp.remote-ip=198.51.100.9 header.oldest-pass=2" in
          our_ar(j), "two Sets: header.oldest-pass=2 in A-R", our_ar(j))
    check(j["action"] == "reject", "two Sets: the trusted list's AAR has "
          "no aligned pass: rejected", str(j["action"]))
j, _ = evaluate(two, ["arc_trusted_sealers = fwd.example"])
check(j is not None and j["action"] == "accept",
      "two Sets: the older trusted Set vouches (the newest is not trusted)")

slow = seal(original(), domain="slow.example")
j, _ = evaluate(slow, ["arc_trusted_sealers = slow.example"])
check(j is not None and j["arc"]["result"] == "fail" and
      "DNS" in (j["arc"]["reason"] or "") and j["action"] == "reject",
      "sealer key timeout: arc fail (DNS), rejected",
      str(j and j["arc"]))

# sealing (arc_seal = yes): what inkan adds verifies elsewhere
SEAL = ["arc_seal = yes", "arc_seal_domain = mx.test.example",
        "arc_seal_selector = arc"]


def verifies(msg, who):
    p = write("sealed.eml", msg)
    tool = dkimpy if who == "dkimpy" else maildkim
    r = subprocess.run([tool, "verify", "--now", NOW, "--keys", keys, p],
                       capture_output=True)
    return r.returncode == 0, (r.stdout + r.stderr).decode()


def arc_fields(msg):
    head = msg.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    return [l.split(b":", 1)[0].decode() for l in head
            if not l[:1].isspace()]


for name, m, ip, want_cv in (("no ARC", original(), "192.0.2.10", "none"),
                             ("one Set", one, "198.51.100.9", "pass")):
    out, err = evaluate(m, SEAL + [TRUST], json_out=False, ip=ip)
    names = arc_fields(out)
    check(names[:4] == ["ARC-Seal", "ARC-Message-Signature",
                        "ARC-Authentication-Results",
                        "Authentication-Results"],
          "sealed (%s): AS, AMS, AAR, then our A-R on top" % name,
          str(names[:5]) + err)
    check(("cv=%s;" % want_cv).encode() in out.split(b"\r\n", 1)[0],
          "sealed (%s): cv=%s" % (name, want_cv), out[:80].decode())
    for who in ("dkimpy", "maildkim"):
        good, why = verifies(out, who)
        check(good, "sealed (%s): verifies with %s" % (name, who), why)
    j, _ = evaluate(out, ["arc_trusted_sealers = mx.test.example"])
    check(j is not None and j["arc"]["result"] == "pass",
          "sealed (%s): inkan verifies its own Set" % name,
          str(j and j["arc"]))
    j, _ = evaluate(m, SEAL + [TRUST], ip=ip)
    check(j is not None and "arc_sealed=yes" in j["log"],
          "sealed (%s): logged" % name, str(j and j["log"]))
    again = seal(out, domain="list.example",
                 results="spf=pass smtp.mailfrom=bounce@fwd.example")
    good, why = verifies(again, "dkimpy")
    check(good, "sealed (%s), then sealed by dkimpy: passes" % name, why)

out, _ = evaluate(tampered["body changed"], SEAL, json_out=False,
                  ip="192.0.2.10")
check(b"cv=fail;" in out.split(b"\r\n", 1)[0],
      "a failed chain is sealed with cv=fail", out[:80].decode())
failed = out
out, _ = evaluate(failed, SEAL, json_out=False, ip="192.0.2.10")
check(arc_fields(out)[0] == "Authentication-Results",
      "no Set after an ARC-Seal with cv=fail (5.1 step 1)",
      str(arc_fields(out)[:3]))
j, _ = evaluate(original(), SEAL, ip="198.51.100.9")
check(j is not None and j["action"] == "reject" and
      not any(n.startswith("ARC-") for n, _v in j["added_headers"]),
      "a rejected message is not sealed")

shutil.rmtree(tmp)
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
