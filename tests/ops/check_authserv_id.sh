#!/bin/bash
# SPDX-License-Identifier: ISC
#
# check_authserv_id.sh - inkan-milter -n and the authserv-id (issue 14):
# an authserv_id with no dot (a single host label such as "vm" or "mail",
# which downstream filters do not know the server by) is a warning on
# stderr, the configuration still valid (exit 0); a fully qualified name,
# with or without its trailing dot, is no warning. With authserv_id not
# set, the default is this host's fully qualified name: the warning comes
# exactly when the resolver has no dotted name for it either; in a
# controlled world (fakehost.c), the FQDN the resolver gives is taken, and a
# lookup that hangs does not hold up -n (it is waited for at most 2 s).
#
# usage: check_authserv_id.sh INKAN-MILTER
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -u

milter=$1
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
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

# The default in a controlled world: tests/ops/fakehost.c (LD_PRELOAD)
# sets this host's name and what the resolver says of it, so neither
# /etc/hosts nor the network is touched (a mount namespace cannot be made
# in a chroot, as CI's is). ASan wants its runtime first; the shim is not
# instrumented, so the order check is off.
cc -shared -fPIC -o "$tmp/fakehost.so" "$here/fakehost.c" -ldl 2>"$tmp/cc.err" ||
    { bad "cannot build fakehost.c: $(cat "$tmp/cc.err")"; echo "$npass passed, $nfail failed"; exit 1; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
msg=$tmp/msg.eml
printf 'From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n' >"$msg"
: >"$tmp/empty.zone"
printf 'log = stderr\n' >"$tmp/noid.conf"
# 1. the resolver gives a fully qualified name: our A-R names the server by it
LD_PRELOAD=$tmp/fakehost.so FAKEHOST_NAME=inkan-fq FAKEHOST_CANON=inkan-fq.example.net \
    "$milter" --evaluate "$msg" --config "$tmp/noid.conf" --dns-zone "$tmp/empty.zone" \
    --client-ip 192.0.2.1 --helo h.example --mail-from a@example.com \
    --now 1795000000 >"$tmp/fq.out" 2>"$tmp/fq.err"
grep -q '^Authentication-Results: inkan-fq.example.net;' "$tmp/fq.out" &&
    ok "no authserv_id, host inkan-fq known as inkan-fq.example.net: the A-R says so" ||
    { bad "no authserv_id: A-R not by the FQDN"; head -3 "$tmp/fq.out"; cat "$tmp/fq.err"; }
# 2. the lookup of the host name hangs, as with a resolver that never
# answers: -n must not wait for it (the old code waited the whole 60 s)
t0=$(date +%s)
rc=0
LD_PRELOAD=$tmp/fakehost.so FAKEHOST_NAME=inkan-nofqdn FAKEHOST_HANG=60 \
    timeout 120 "$milter" -n -c "$tmp/noid.conf" >"$tmp/dead.out" 2>"$tmp/dead.err" || rc=$?
t1=$(date +%s)
[ "$rc" -eq 0 ] && [ $((t1 - t0)) -lt 30 ] &&
    ok "hanging lookup: -n done in $((t1 - t0)) s, not held up for 60 s" ||
    { bad "hanging lookup: -n exit $rc after $((t1 - t0)) s"; cat "$tmp/dead.err"; }
grep -q "^warning: authserv_id is not set and this host's name \"inkan-nofqdn\" has no dot" "$tmp/dead.err" &&
    ok "hanging lookup: the short name, with the warning" ||
    { bad "hanging lookup: no warning naming inkan-nofqdn"; cat "$tmp/dead.err"; }

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
