#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Self-test of postfix_harness.sh with a stand-in milter (fake_milter.py): mail sent to
# the private Postfix on the "port 25" service and on the "submission" service must
# pass through the milter (which adds "X-Fake-Milter: seen") and reach the sink intact,
# the milter must see {daemon_name}=ORIGINATING only on the submission service, and
# (when Cyrus SASL plugins exist) XCLIENT LOGIN must show up as {auth_authen}.
# shellcheck disable=SC2119  # the harness functions take optional arguments
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=postfix_harness.sh
. "$HERE/postfix_harness.sh"

pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $*"; }
nok() { fail=$((fail + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...
    local what="$1"; shift
    if "$@"; then ok "$what"; else nok "$what"; fi
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/inkan-selftest.XXXXXXXX")"
MILTER_PID=""
cleanup() {
    local rc=$?
    set +e
    if [ -n "$MILTER_PID" ]; then
        kill "$MILTER_PID" 2>/dev/null
        wait "$MILTER_PID" 2>/dev/null
    fi
    pf_stop
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The stand-in milter on a free loopback port, logging what it is told.
MILTER_PORT="$(pf_free_port)"
"$_PF_PY" "$HERE/fake_milter.py" --log "$WORK/milter.log" "$MILTER_PORT" \
    </dev/null >"$WORK/milter.out" 2>&1 &
MILTER_PID=$!

# The milter's own spelling (inet:PORT@HOST) is accepted and translated.
pf_start "inet:$MILTER_PORT@127.0.0.1"
echo "# instance $PF_DIR: smtpd $PF_PORT, submission $PF_SUBMIT_PORT, sink $PF_SINK_PORT"

for _ in 1 2 3 4 5 6 7 8 9 10; do
    "$_PF_PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $MILTER_PORT), 1)" \
        2>/dev/null && break
    sleep 0.3
done

mkmsg() { # mkmsg FILE SUBJECT
    cat >"$1" <<EOF
From: Alice <alice@example.org>
To: Bob <bob@example.net>
Subject: $2
Date: Tue, 01 Apr 2025 12:00:00 +0000
Message-ID: <$2@example.org>

Hello Bob,
.a line that starts with a dot
the end
EOF
}
mkmsg "$WORK/mx.eml" "harness-selftest-mx-$$"
mkmsg "$WORK/submit.eml" "harness-selftest-submission-$$"
mkmsg "$WORK/xclient.eml" "harness-selftest-xclient-$$"

expect=2
check "send via smtpd port $PF_PORT" \
    pf_send alice@example.org bob@example.net "$WORK/mx.eml"
check "send via submission port $PF_SUBMIT_PORT" \
    pf_send alice@example.org bob@example.net "$WORK/submit.eml" "$PF_SUBMIT_PORT"
if [ "${PF_SASL:-0}" = 1 ]; then
    expect=3
    check "send via smtpd port with XCLIENT ADDR=192.0.2.7 LOGIN=alice" \
        pf_send alice@example.org bob@example.net "$WORK/xclient.eml" "$PF_PORT" \
        --xclient-addr 192.0.2.7 --xclient-login alice
else
    echo "# no Cyrus SASL plugins: XCLIENT LOGIN check skipped"
fi

files=""
if files="$(pf_wait_delivered "$expect" 30)"; then
    ok "$expect messages delivered to the sink"
else
    nok "$expect messages delivered to the sink"
fi

# Each message arrived exactly once, passed the milter, and kept its body.
for name in mx submission xclient; do
    [ "$name" = xclient ] && [ "$expect" -lt 3 ] && continue
    subject="harness-selftest-$name-$$"
    f=""
    for cand in $files; do
        if grep -q "^Subject: $subject\$" "$cand"; then f="$cand"; fi
    done
    if [ -z "$f" ]; then
        nok "$name: delivered message with Subject $subject"
        continue
    fi
    ok "$name: delivered message with Subject $subject"
    check "$name: X-Fake-Milter: seen" grep -q '^X-Fake-Milter: seen$' "$f"
    pf_message "$f" >"$WORK/$name.delivered"
    check "$name: body intact (dot-stuffing undone)" \
        grep -q '^\.a line that starts with a dot$' "$WORK/$name.delivered"
    check "$name: pf_message strips the sink's records" \
        bash -c "! grep -q -e '^X-Client-Addr:' -e '(smtp-sink)' '$WORK/$name.delivered'"
done

# What the milter was told ("<conn> D:C ... {daemon_name}=...").
mlog="$WORK/milter.log"
check "milter saw {daemon_name}=ORIGINATING (submission)" \
    grep -q '^[0-9]* D:C .*{daemon_name}=ORIGINATING ' "$mlog"
check "milter saw {daemon_name}=mx.test.example (smtpd, Postfix's default)" \
    grep -q '^[0-9]* D:C .*{daemon_name}=mx\.test\.example ' "$mlog"
check "ORIGINATING only on the submission service" \
    test "$(grep -c '^[0-9]* D:C .*{daemon_name}=ORIGINATING ' "$mlog")" -eq 1
if [ "$expect" -ge 3 ]; then
    check "milter saw client 192.0.2.7 via XCLIENT" \
        grep -q '^[0-9]* C .*192\.0\.2\.7' "$mlog"
    check "milter saw {auth_authen}=alice via XCLIENT LOGIN" \
        grep -q '^[0-9]* D:M .*{auth_authen}=alice' "$mlog"
fi

if [ "$fail" -ne 0 ]; then
    echo "---- milter log ----"; cat "$mlog" || true
    echo "---- maillog ----"; pf_log || true
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
