#!/bin/sh
# SPDX-License-Identifier: ISC
#
# spf_cases.sh - SPF end to end: each case of tests/data/spf/cases.tsv runs
# tests/data/spf/message.eml through `inkan-milter --evaluate --json
# --dns-zone tests/data/spf/zone` as inbound mail (the client is never an
# internal host) and compares the MAIL FROM and HELO results (RFC 7208),
# the action, the reply and explanation, and with received_spf=yes the
# Received-SPF field (RFC 7208 9.1). The clock is --now 1795000000 (%{t},
# RFC 7208 7.3). The expected answers come from RFC
# 7208's text; cases.tsv describes its columns.
#
# usage: spf_cases.sh INKAN-MILTER
# Prints "ok: NAME" or "FAIL: NAME got ..." per case and "N passed, M
# failed"; exit 1 on any failure.

set -eu

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/spf"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spf_cases.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tab=$(printf '\t')

n=0
grep -v '^#' "$data/cases.tsv" | grep -v '^[[:space:]]*$' >"$tmp/cases"
while IFS="$tab" read -r _name ip helo from extras _rest; do
	n=$((n + 1))
	conf="$tmp/$n.conf"
	printf 'authserv_id = mx.test.example\nlog = stderr\n' >"$conf"
	if [ "$extras" != - ]; then
		printf '%s\n' "$extras" | tr ',' '\n' |
		    sed 's/^\([^=]*\)=\(.*\)$/\1 = \2/' >>"$conf"
	fi
	[ "$from" = '""' ] && from=
	if ! "$milter" --evaluate "$data/message.eml" --config "$conf" \
	    --dns-zone "$data/zone" --client-ip "$ip" --helo "$helo" \
	    --mail-from "$from" --now 1795000000 --json >"$tmp/$n.json" \
	    2>"$tmp/$n.log"; then
		printf '{"error": "inkan-milter exited non-zero: %s"}\n' \
		    "$(tr -d '"\\\n' <"$tmp/$n.log" | cut -c1-200)" >"$tmp/$n.json"
	fi
done <"$tmp/cases"

/usr/bin/python3 - "$tmp/cases" "$tmp" <<'PY'
import json, sys
cases, tmp = sys.argv[1], sys.argv[2]
npass = nfail = 0
for n, line in enumerate(open(cases), 1):
    f = line.rstrip("\n").split("\t")
    name, ip, helo, mfrom, extras, want_spf, want_helo, want_action = f[:8]
    checks = [c for c in (f[8].split(" | ") if len(f) > 8 else []) if c]
    try:
        got = json.load(open(f"{tmp}/{n}.json"))
    except ValueError as e:
        got = {"error": f"output is not JSON: {e}"}
    if "error" in got:
        nfail += 1
        print(f"FAIL: {name} got {got['error']}")
        continue
    spf = got.get("spf") or {}
    shelo = got.get("spf_helo") or {}
    reply = got.get("reply") or ""
    expl = spf.get("explanation")
    why = []
    if spf.get("result") != want_spf:
        why.append(f"spf={spf.get('result')} want {want_spf}")
    if shelo.get("result") != want_helo:
        why.append(f"spf_helo={shelo.get('result')} want {want_helo}")
    if got.get("action") != want_action:
        why.append(f"action={got.get('action')} want {want_action}")
    for c in checks:
        if c.startswith("domain="):
            if spf.get("domain") != c[7:]:
                why.append(f"spf.domain={spf.get('domain')!r} want {c[7:]!r}")
        elif c == "noexp":
            if expl is not None:
                why.append(f"explanation={expl!r} want none")
        elif c not in (expl or "") and c not in reply:
            why.append(f"neither explanation {expl!r} nor reply {reply!r} has {c!r}")
    rspf = [v.strip() for k, v in got.get("added_headers", []) if k.lower() == "received-spf"]
    if "received_spf=yes" in extras.split(","):
        if len(rspf) != 1:
            why.append(f"{len(rspf)} Received-SPF fields, want 1")
        else:
            v = " ".join(rspf[0].split())
            if v.split(" ")[0].lower() != want_spf:
                why.append(f"Received-SPF {v!r} does not start with {want_spf}")
            for want in (f"client-ip={ip};", "envelope-from=", mfrom,
                         f"helo={helo};", "receiver=", "identity=mailfrom"):
                if want not in v:
                    why.append(f"Received-SPF {v!r} lacks {want!r}")
    elif rspf:
        why.append(f"Received-SPF {rspf} without received_spf=yes")
    if why:
        nfail += 1
        print(f"FAIL: {name} got " + "; ".join(why) +
              f" (spf: {spf.get('reason')!r}; spf_helo: {shelo.get('reason')!r})")
    else:
        npass += 1
        print(f"ok: {name}")
print(f"{npass} passed, {nfail} failed")
sys.exit(1 if nfail else 0)
PY
