# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# inkan_harness.sh - what every end-to-end test of inkan-milter shares, on
# top of postfix_harness.sh: a temp dir, the milter started and stopped,
# the ok/bad/check counters and the closing "N passed, M failed" line.
#
#   . "$(dirname "$0")/inkan_harness.sh"
#   it_init NAME                  # $tmp made, cleanup trap set
#   it_milter_start MILTER CONF   # -f -c CONF, log in $tmp/milter.log; sets milter_pid
#   ok TEXT / bad TEXT / check WANT-EXIT TEXT COMMAND...
#   it_dkimpy_sign IN OUT         # OUT = IN signed by dkimpy, d=example.com s=rsa
#   it_finish                     # prints the summary; exit status 1 on failures
#
# INKAN_VALGRIND=1 in the environment runs the milter under valgrind memcheck
# (log in $tmp/valgrind.log, suppressions in valgrind.supp), multiplies the
# waits by $it_slow, and makes it_finish stop the milter with SIGTERM (if the
# test did not) and fail on any memcheck error or definite, indirect or
# possible leak. Without valgrind installed the test fails, it never skips.

# shellcheck source=postfix_harness.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/postfix_harness.sh"

_IT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
npass=0
nfail=0
milter_pid=
it_slow=1
[ -n "${INKAN_VALGRIND:-}" ] && it_slow=20

ok() { npass=$((npass + 1)); echo "ok: $1"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $1"; }
check() {	# check WANT-EXIT NAME COMMAND...
	local want=$1 name=$2 got=0
	shift 2
	"$@" >"$tmp/out" 2>&1 || got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		bad "$name (exit $got, want $want)"; sed 's/^/    /' "$tmp/out"; fi
}

it_cleanup() {
	[ -n "$milter_pid" ] && kill "$milter_pid" 2>/dev/null && wait "$milter_pid" 2>/dev/null
	pf_stop
	rm -rf "$tmp"
}

it_init() {	# it_init NAME
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	trap it_cleanup EXIT
}

it_milter_start() {	# it_milter_start MILTER CONF
	local vg=()
	"$1" -n -c "$2" >/dev/null || { echo "FAIL: configuration refused"; exit 1; }
	if [ -n "${INKAN_VALGRIND:-}" ]; then
		command -v valgrind >/dev/null ||
		    { echo "FAIL: INKAN_VALGRIND is set but valgrind is not installed"; exit 1; }
		# shellcheck disable=SC2054	# the commas are valgrind's
		vg=(valgrind --tool=memcheck --leak-check=full
		    --show-leak-kinds=definite,indirect,possible
		    --errors-for-leak-kinds=definite,indirect,possible
		    --error-exitcode=99 --track-fds=no --num-callers=40
		    "--suppressions=$_IT_DIR/valgrind.supp" "--log-file=$tmp/valgrind.log")
	fi
	"${vg[@]}" "$1" -f -c "$2" 2>"$tmp/milter.log" &
	milter_pid=$!
	for _ in $(seq $((50 * it_slow))); do grep -q listening "$tmp/milter.log" && break; sleep 0.1; done
	grep -q listening "$tmp/milter.log" ||
	    { cat "$tmp/milter.log"; echo "FAIL: milter did not start"; exit 1; }
}

# A message signed by dkimpy (another implementation, so a pass proves
# interoperation) with the test key that tests/data/evaluate/zone publishes
# as rsa._domainkey.example.com.
it_dkimpy_sign() {	# it_dkimpy_sign IN OUT
	local key="$_IT_DIR/../data/keys/example.com/rsa.private"
	openssl pkey -in "$key" -traditional >"$tmp/dkimpy-key.pem" 2>/dev/null ||
	    openssl rsa -in "$key" -traditional -out "$tmp/dkimpy-key.pem" 2>/dev/null
	/usr/bin/python3 - "$tmp/dkimpy-key.pem" "$1" "$2" <<'PY'
import sys, dkim
key = open(sys.argv[1], 'rb').read()
msg = open(sys.argv[2], 'rb').read()
sig = dkim.sign(msg, b'rsa', b'example.com', key, include_headers=[b'from', b'to', b'subject', b'date', b'message-id'])
open(sys.argv[3], 'wb').write(sig + msg)
PY
}

# Stop the milter under memcheck (SIGTERM; the test may have done so) and
# judge its log: the summary line must be there and say 0 errors, which
# with --errors-for-leak-kinds counts definite/indirect/possible leaks too.
it_valgrind_check() {
	local rc=0
	if [ -n "$milter_pid" ]; then
		kill -TERM "$milter_pid" 2>/dev/null || true
		for _ in $(seq 1200); do kill -0 "$milter_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$milter_pid" 2>/dev/null || true
		wait "$milter_pid" || rc=$?
		milter_pid=
	fi
	if [ "$rc" -eq 0 ] && grep -q 'ERROR SUMMARY: 0 errors' "$tmp/valgrind.log"; then
		ok "valgrind memcheck: no errors, no leaks"
	else
		bad "valgrind memcheck (milter exit status $rc); its log:"
		cat "$tmp/valgrind.log"
	fi
}

it_finish() {
	[ -z "${INKAN_VALGRIND:-}" ] || it_valgrind_check
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
