#!/bin/bash
# SPDX-License-Identifier: ISC
#
# first_day.sh - what a new user meets first with inkan-milter (issue 15):
#   --help and -h print the usage on stdout and exit 0 (a bad option: the
#   usage on stderr, exit 2);
#   an empty key file is named as empty, not as OpenSSL's "passed a null
#   parameter";
#   -n warns when nothing will be signed: no key_dir and no key table, or
#   a key_dir or key table holding no keys; a configuration with a key
#   gets no such warning;
#   started as a non-root user with "user" naming another (an imported
#   "user = opendkim" under inkan-milter.service's User=inkan), -n warns
#   and a start fails saying why, not with a bare "Operation not permitted".
#
# usage: first_day.sh INKAN-MILTER INKAN-KEYS
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -u

milter=$1
keys=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/first_day.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0
ok() { npass=$((npass + 1)); echo "ok: $1"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $1"; }

# --help, -h
for opt in --help -h; do
	rc=0
	"$milter" "$opt" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 0 ] && ok "$opt: exit 0" || bad "$opt: exit $rc"
	grep -q '^usage: inkan-milter ' "$tmp/out" && [ ! -s "$tmp/err" ] &&
	    ok "$opt: the usage on stdout" ||
	    { bad "$opt: no usage on stdout"; cat "$tmp/out" "$tmp/err"; }
done
rc=0
"$milter" --no-such-option >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q '^usage: inkan-milter ' "$tmp/err" && [ ! -s "$tmp/out" ] &&
    ok "a bad option: usage on stderr, exit 2" ||
    { bad "a bad option: exit $rc"; cat "$tmp/out" "$tmp/err"; }

# check NAME SETTINGS: inkan-milter -n on a config holding SETTINGS;
# the exit status in $rc, stdout in $tmp/out, stderr in $tmp/err
check() {
	printf 'socket = inet:1@127.0.0.1\nauthserv_id = mx.example.com\nlog = stderr\n%s\n' \
	    "$2" >"$tmp/$1.conf"
	rc=0
	"$milter" -n -c "$tmp/$1.conf" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

# an empty key file
mkdir -p "$tmp/empty/example.com"
: >"$tmp/empty/example.com/s1.private"
chmod 600 "$tmp/empty/example.com/s1.private"
check emptykey "key_dir = $tmp/empty"
[ "$rc" -eq 1 ] && ok "empty key file: refused" || bad "empty key file: exit $rc"
grep -qF "$tmp/empty/example.com/s1.private: the file is empty" "$tmp/err" &&
    ! grep -qi 'null parameter' "$tmp/err" &&
    ok "empty key file: named as empty" ||
    { bad "empty key file: not said"; cat "$tmp/err"; }

# nothing will be signed
check nokeys ''
[ "$rc" -eq 0 ] && grep -qx 'warning: nothing will be signed: no key_dir and no key table (key_table/signing_table) is set' "$tmp/err" &&
    ok "no key_dir, no key table: warned, still valid" ||
    { bad "no key_dir, no key table: exit $rc, no warning"; cat "$tmp/err"; }

mkdir -p "$tmp/none"
check emptydir "key_dir = $tmp/none"
[ "$rc" -eq 0 ] && grep -q "^warning: nothing will be signed: key_dir $tmp/none holds no keys" "$tmp/err" &&
    ok "key_dir without keys: warned, still valid" ||
    { bad "key_dir without keys: exit $rc, no warning"; cat "$tmp/err"; }

: >"$tmp/KeyTable"
: >"$tmp/SigningTable"
check emptytable "key_table = $tmp/KeyTable
signing_table = $tmp/SigningTable"
[ "$rc" -eq 0 ] && grep -q "^warning: nothing will be signed: key_table $tmp/KeyTable holds no keys" "$tmp/err" &&
    ok "empty key table: warned, still valid" ||
    { bad "empty key table: exit $rc, no warning"; cat "$tmp/err"; }

"$keys" generate --domain example.com --selector s1 --dir "$tmp/keys" >/dev/null 2>&1 ||
    bad "inkan-keys generate failed"
check onekey "key_dir = $tmp/keys"
[ "$rc" -eq 0 ] && ! grep -q 'nothing will be signed' "$tmp/err" &&
    grep -q 'configuration is valid; 1 signing keys' "$tmp/out" &&
    ok "a key: no warning" || { bad "a key: exit $rc or a warning"; cat "$tmp/out" "$tmp/err"; }

# "user" set to another user while started as a non-root user (an
# imported "user = opendkim" under inkan-milter.service's User=inkan): -n
# warns, the start fails saying why
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && id daemon >/dev/null 2>&1; then
	mkdir -m 777 "$tmp/asnobody"
	chmod 755 "$tmp"
	printf 'socket = unix:%s/asnobody/s.sock\nuser = daemon\nlog = stderr\nauthserv_id = mx.example.com\n' \
	    "$tmp" >"$tmp/asnobody/u.conf"
	chmod 644 "$tmp/asnobody/u.conf"
	nobody() { setpriv --reuid nobody --regid nogroup --clear-groups "$@"; }
	rc=0
	nobody "$milter" -n -c "$tmp/asnobody/u.conf" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 0 ] && grep -q '^warning: user daemon: started as nobody (not root), inkan-milter cannot become daemon and would not start; under inkan-milter.service (User=inkan) leave user unset$' "$tmp/err" &&
	    ok "-n as nobody with user = daemon: warned" ||
	    { bad "-n as nobody with user = daemon: exit $rc, no warning"; cat "$tmp/err"; }
	rc=0
	timeout 20 setpriv --reuid nobody --regid nogroup --clear-groups \
	    "$milter" -f -c "$tmp/asnobody/u.conf" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 1 ] && grep -q 'cannot become user daemon: started as another user, not root (under inkan-milter.service, which starts as User=inkan, leave user unset)' "$tmp/err" &&
	    ok "a start as nobody with user = daemon fails saying why" ||
	    { bad "a start as nobody with user = daemon: exit $rc"; cat "$tmp/err"; }
else
	echo "skip: not root, or no setpriv or user daemon: the user checks"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
