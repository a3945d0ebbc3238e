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
# namespace of the test's own, the FQDN comes from /etc/hosts, and a resolver
# that never answers does not hold up -n (the lookup waits at most 2 s).
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

# The default in a controlled world: a mount and UTS namespace of its own
# with a host name, /etc/hosts and /etc/resolv.conf of the test's choosing.
[ "$(id -u)" -eq 0 ] || { bad "needs root (unshare -m -u)"; echo "$npass passed, $nfail failed"; exit 1; }
msg=$tmp/msg.eml
printf 'From: a@example.com\r\nSubject: x\r\n\r\nbody\r\n' >"$msg"
: >"$tmp/empty.zone"
printf 'log = stderr\n' >"$tmp/noid.conf"
# inns HOSTNAME HOSTS-FILE RESOLV-FILE COMMAND...: run COMMAND in there
inns() {
	local h=$1 hosts=$2 resolv=$3
	shift 3
	unshare -m -u /bin/sh -c 'hostname "$1" && mount --bind "$2" /etc/hosts &&
	    mount --bind "$3" /etc/resolv.conf && shift 3 && exec "$@"' sh \
	    "$h" "$hosts" "$resolv" "$@"
}
# 1. /etc/hosts gives the FQDN: our A-R names the server by it
printf '127.0.0.1 localhost\n127.0.1.1 inkan-fq.example.net inkan-fq\n' >"$tmp/hosts.fq"
printf 'nameserver 127.0.0.1\n' >"$tmp/resolv.any"
inns inkan-fq "$tmp/hosts.fq" "$tmp/resolv.any" "$milter" --evaluate "$msg" \
    --config "$tmp/noid.conf" --dns-zone "$tmp/empty.zone" --client-ip 192.0.2.1 \
    --helo h.example --mail-from a@example.com --now 1795000000 >"$tmp/fq.out" 2>"$tmp/fq.err"
grep -q '^Authentication-Results: inkan-fq.example.net;' "$tmp/fq.out" &&
    ok "no authserv_id, /etc/hosts names inkan-fq.example.net: the A-R says so" ||
    { bad "no authserv_id: A-R not by the FQDN from /etc/hosts"; head -3 "$tmp/fq.out"; cat "$tmp/fq.err"; }
# 2. the host name is nowhere and the resolver never answers: the lookup
# must not hold up -n (glibc would wait the resolver's 60 s here)
printf '127.0.0.1 localhost\n' >"$tmp/hosts.none"
printf 'nameserver 127.0.0.2\noptions timeout:60 attempts:1\n' >"$tmp/resolv.dead"
/usr/bin/python3 - "$tmp/queries" <<'PY' &
import socket, sys, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.2", 53))	# a resolver that reads and never answers
u.settimeout(1)
n, end = 0, time.monotonic() + 90
while time.monotonic() < end:
    try:
        u.recvfrom(4096)
        n += 1
        open(sys.argv[1], "w").write("%d\n" % n)
    except socket.timeout:
        pass
PY
dns_pid=$!
sleep 0.5
kill -0 "$dns_pid" 2>/dev/null || bad "cannot bind 127.0.0.2:53 for the silent resolver"
t0=$(date +%s)
rc=0
inns inkan-nofqdn "$tmp/hosts.none" "$tmp/resolv.dead" timeout 120 "$milter" -n \
    -c "$tmp/noid.conf" >"$tmp/dead.out" 2>"$tmp/dead.err" || rc=$?
t1=$(date +%s)
kill "$dns_pid" 2>/dev/null; wait "$dns_pid" 2>/dev/null
[ -s "$tmp/queries" ] && ok "the lookup of the host name reached the silent resolver" ||
    bad "no query reached the silent resolver: the case tests nothing"
[ "$rc" -eq 0 ] && [ $((t1 - t0)) -lt 30 ] &&
    ok "dead resolver: -n done in $((t1 - t0)) s, not held up for the resolver's 60 s" ||
    { bad "dead resolver: -n exit $rc after $((t1 - t0)) s"; cat "$tmp/dead.err"; }
grep -q "^warning: authserv_id is not set and this host's name \"inkan-nofqdn\" has no dot" "$tmp/dead.err" &&
    ok "dead resolver: the short name, with the warning" ||
    { bad "dead resolver: no warning naming inkan-nofqdn"; cat "$tmp/dead.err"; }

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
