#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# milter_names.py - field names with white space before the colon (RFC 5322
# 4.5 obsolete syntax, "From : x"), handed to inkan-milter in the milter
# protocol as an MTA passes a name it does not rewrite: "From " with its
# trailing white space. Postfix 3.7 and Sendmail 8.17 delete that white
# space before a milter sees the name (postfix_dmarc.sh shows it for
# Postfix); this speaks for any MTA that does not, and for the glue path
# itself (glue_header -> txn_header -> hdr_list_add):
#   * "From" then "From " is two From fields: 550 5.7.1;
#   * a lone "From \t" is the author: unaligned, DMARC p=reject refuses it;
#   * signing picks it (h= starts with From), and the signature made over
#     the raw bytes "From :..." verifies in inkan through the milter and in
#     Mail::DKIM (tests/interop/verify_maildkim.pl) over the same bytes.
# DNS from tests/data/dmarc-e2e/zone (example.com: p=reject, the test keys).
#
# usage: milter_names.py INKAN-MILTER
import os, shutil, subprocess, sys, tempfile, time
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import milterproto as M

milter = sys.argv[1]
data = os.path.join(here, "..", "data")
zone = os.path.join(data, "dmarc-e2e", "zone")
NOW = "1795000000"
tmp = tempfile.mkdtemp(prefix="milter_names.")
npass = nfail = 0


def ok(m):
    global npass; npass += 1; print("ok:", m)


def bad(m):
    global nfail; nfail += 1; print("FAIL:", m)


# RSA only: this Mail::DKIM has no Ed25519
os.makedirs(os.path.join(tmp, "keys", "example.com"))
key = os.path.join(tmp, "keys", "example.com", "rsa.private")
shutil.copy(os.path.join(data, "keys", "example.com", "rsa.private"), key)
os.chmod(key, 0o600)
sock_path = os.path.join(tmp, "milter.sock")
conf = os.path.join(tmp, "inkan.conf")
with open(conf, "w") as f:
    f.write("socket = unix:%s\nkey_dir = %s\nlog = stderr\n"
            "authserv_id = mx.test.example\ndns_zone_file = %s\n"
            % (sock_path, os.path.join(tmp, "keys"), zone))
log = open(os.path.join(tmp, "milter.log"), "w")
proc = subprocess.Popen([milter, "-f", "-c", conf], stderr=log)
for _ in range(600):
    if os.path.exists(sock_path) or proc.poll() is not None:
        break
    time.sleep(0.05)

BODY = b"Hello.\r\n"
# values as an MTA sends them without SMFIP_HDR_LEADSPC (milterproto does
# not offer it): the space after the colon eaten, glue_header puts it back
REST = [(b"To", b"bob@example.org"), (b"Subject", b"obsolete names"),
        (b"Date", b"Wed, 25 Nov 2026 10:00:00 +0000")]


def transaction(client_ip, sender, headers):
    s = M.connect(sock_path, client_ip=client_ip, daemon_name=b"MX")
    try:
        return M.message(s, sender, headers, body=BODY)
    finally:
        s.close()


def reply(got):
    return got[-1][1].rstrip(b"\0").decode(errors="replace") \
        if M.final(got) == b"y" else M.final(got).decode()


try:
    got = transaction("198.51.100.9", b"bounce@good.example",
                      [(b"From", b"Alice <alice@good.example>"),
                       (b"From ", b"ceo@example.com")] + REST)
    r = reply(got)
    if r.startswith("550 5.7.1 Message must have exactly one author address "
                    "in From: 2 From header fields"):
        ok("\"From\" and \"From \": 550 5.7.1, two From fields")
    else:
        bad("\"From\" and \"From \": got %r" % r)

    got = transaction("198.51.100.9", b"bounce@other.example",
                      [(b"From \t", b"ceo@example.com")] + REST)
    r = reply(got)
    if r.startswith("550 5.7.1 Rejected by the DMARC policy of example.com"):
        ok("lone \"From \\t\", unaligned: DMARC 550 5.7.1")
    else:
        bad("lone \"From \\t\", unaligned: got %r" % r)

    headers = [(b"From ", b"CEO <ceo@example.com>")] + REST
    got = transaction("127.0.0.1", b"ceo@example.com", headers)
    sig = M.added(got, b"DKIM-Signature")
    if len(sig) != 1 or M.final(got) not in (b"a", b"c"):
        bad("\"From \" not signed: %r" % got)
    else:
        hv = b"".join(sig[0].split()).split(b"h=")[1].split(b";")[0]
        if hv.lower().startswith(b"from:"):
            ok("\"From \" signed, h=%s" % hv.decode())
        else:
            bad("\"From \" signed without From: h=%s" % hv.decode())
        # the MTA prepends the field, value as the milter gave it
        signed = [(b"DKIM-Signature", sig[0])] + headers
        got = transaction("198.51.100.9", b"bounce@other.example", signed)
        ar = b"".join(M.added(got, b"Authentication-Results"))
        if M.final(got) in (b"a", b"c") and b"dkim=pass" in ar and \
                b"dmarc=pass" in ar:
            ok("that signature verifies through the milter: dkim=pass dmarc=pass")
        else:
            bad("that signature through the milter: %s, %r" % (reply(got), ar))
        # Mail::DKIM over the bytes such an MTA delivers: "From : CEO..."
        msg = b"".join(n + b": " + v.replace(b"\n", b"\r\n").replace(b"\r\r", b"\r") + b"\r\n"
                       for n, v in signed) + b"\r\n" + BODY
        path = os.path.join(tmp, "signed.eml")
        open(path, "wb").write(msg)
        r = subprocess.run(["/usr/bin/perl", os.path.join(here, "..", "interop",
                            "verify_maildkim.pl"), "--now", NOW, "--zone", zone,
                            path], capture_output=True)
        if r.returncode == 0:
            ok("Mail::DKIM verifies it over \"From :...\"")
        else:
            bad("Mail::DKIM: %s" % (r.stdout + r.stderr).decode())
except (EOFError, OSError) as e:
    bad("milter protocol: %s" % e)
finally:
    proc.terminate()
    rc = proc.wait(timeout=15)
    log.close()
    ok("clean exit on SIGTERM") if rc == 0 else bad("exit status %d on SIGTERM" % rc)
    if nfail:
        print(open(os.path.join(tmp, "milter.log")).read()[-2000:])
    shutil.rmtree(tmp)
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
