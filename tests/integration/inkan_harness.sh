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
#   it_finish                     # prints the summary; exit status 1 on failures

# shellcheck source=postfix_harness.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/postfix_harness.sh"

npass=0
nfail=0
milter_pid=

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
	"$1" -n -c "$2" >/dev/null || { echo "FAIL: configuration refused"; exit 1; }
	"$1" -f -c "$2" 2>"$tmp/milter.log" &
	milter_pid=$!
	for _ in $(seq 50); do grep -q listening "$tmp/milter.log" && break; sleep 0.1; done
	grep -q listening "$tmp/milter.log" ||
	    { cat "$tmp/milter.log"; echo "FAIL: milter did not start"; exit 1; }
}

it_finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
