#!/bin/bash
# SPDX-License-Identifier: ISC
#
# check_authserv_id.sh - inkan-milter -n and the authserv-id (issue 14):
# an authserv_id with no dot (a single host label such as "vm" or "mail",
# which downstream filters do not know the server by) is a warning on
# stderr, the configuration still valid (exit 0); a fully qualified name,
# with or without its trailing dot, is no warning. With authserv_id not
# set, the default is this host's fully qualified name: the warning comes
# exactly when the resolver has no dotted name for it either.
#
# usage: check_authserv_id.sh INKAN-MILTER
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -u

milter=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check_authserv_id.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0
ok() { npass=$((npass + 1)); echo "ok: $1"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $1"; }

# run NAME SETTING: inkan-milter -n on a config holding SETTING; the exit
# status in $rc, stderr in $tmp/err
run() {
	printf 'socket = inet:1@127.0.0.1\nlog = stderr\n%s\n' "$2" >"$tmp/$1.conf"
	rc=0
	"$milter" -n -c "$tmp/$1.conf" >"$tmp/out" 2>"$tmp/all" || rc=$?
	# these configs have no keys on purpose; that warning is first_day.sh's
	grep -v '^warning: nothing will be signed: ' "$tmp/all" >"$tmp/err"
}

run dotless 'authserv_id = vm'
[ "$rc" -eq 0 ] && ok "dotless authserv_id: still valid" || bad "dotless authserv_id: exit $rc"
grep -q '^warning: authserv_id "vm" has no dot' "$tmp/err" &&
    ok "dotless authserv_id: warned" || { bad "dotless authserv_id: no warning"; cat "$tmp/err"; }

for id in mx.example.com mx.example.com.; do
	run fqdn "authserv_id = $id"
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && ok "authserv_id $id: no warning" ||
	    { bad "authserv_id $id: exit $rc or a warning"; cat "$tmp/err"; }
done

# The default: what the resolver calls this host (what config_load does).
fqdn=$(/usr/bin/python3 -c '
import socket
h = socket.gethostname()
if "." not in h:
    try:
        c = socket.getaddrinfo(h, None, 0, socket.SOCK_STREAM, 0,
                               socket.AI_CANONNAME)[0][3]
        if "." in c:
            h = c
    except OSError:
        pass
print(h)')
run default ''
if [ "$rc" -ne 0 ]; then bad "no authserv_id: exit $rc"; cat "$tmp/err"
else
	case "$fqdn" in
	*.*) [ ! -s "$tmp/err" ] && ok "no authserv_id, host name $fqdn: no warning" ||
	    { bad "no authserv_id, host name $fqdn: a warning"; cat "$tmp/err"; } ;;
	*) grep -q "^warning: authserv_id is not set and this host's name \"$fqdn\" has no dot" "$tmp/err" &&
	    ok "no authserv_id, host name $fqdn: warned" ||
	    { bad "no authserv_id, host name $fqdn: no warning"; cat "$tmp/err"; } ;;
	esac
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
