# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# sendmail_harness.sh - a private, real Sendmail (Debian's) on loopback for
# one integration test, with inkan attached by contrib/sendmail.mc.
#
# Debian's sendmail-bin conflicts with postfix (both provide
# mail-transport-agent) and the test machine needs Postfix, so Sendmail is
# not installed: sm_fetch downloads Debian's sendmail-bin, sendmail-base
# and sendmail-cf with `apt-get download` (network and apt lists needed, as
# for scripts/deps) and unpacks them with `dpkg -x` into a cache directory,
# once. Nothing is installed, no system file is touched.
#
#   . "$(dirname "$0")/sendmail_harness.sh"
#   sm_fetch CACHEDIR             # sets SM_ROOT (the unpacked packages)
#   sm_start MILTER_PORT DIR      # sendmail -bD on loopback; sets SM_PORT (daemon
#                                 # Name=MTA-v4) and SM_MSP_PORT (Name=MSP-v4)
#   sm_send FROM TO FILE PORT     # swaks, byte-exact; exit status as pf_send
#   sm_wait_delivered N [TIMEOUT] # prints the paths of N delivered messages
#   sm_stop                       # idempotent; for the EXIT trap
#
# The generated sendmail.cf: Debian's m4 macros (cf/m4/cf.m4), OSTYPE linux,
# two daemons on free loopback ports named as in Debian's sendmail.mc
# (MTA-v4, and MSP-v4 without M=a since nothing here authenticates),
# everything for test.example delivered by the local mailer to a script that
# writes each message to DIR/out/, no aliases, no DNS for host names, load
# limits off, and the INPUT_MAIL_FILTER line of contrib/sendmail.mc with the
# port replaced: the snippet admins copy is what runs.
#
# Sendmail sleeps 60 s at start when the host name has no dot and does not
# resolve to one ("My unqualified host name unknown"); sm_start therefore
# runs it in a UTS namespace (unshare -u) named mx.test.example, and where
# that is not allowed it runs it as is and waits the minute out.
# Needs root, m4, swaks, and the shared libraries of sendmail-bin
# (libwrap0, liblockfile1, libldap, libdb5.3, libsasl2-2, libnsl2).

_SM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SM_PID=
SM_DIR=

sm_fetch() {	# sm_fetch CACHEDIR
	local cache=$1 deb
	SM_ROOT=$cache/root
	mkdir -p "$cache" || return 1
	(
		flock 9
		[ -x "$SM_ROOT/usr/libexec/sendmail/sendmail" ] && exit 0
		rm -rf "$cache/debs" "$SM_ROOT.new"
		mkdir -p "$cache/debs" && cd "$cache/debs" || exit 1
		if ! apt-get download sendmail-bin sendmail-base sendmail-cf \
		    >"$cache/download.log" 2>&1; then
			echo "sendmail_harness: apt-get download sendmail-bin sendmail-base sendmail-cf failed:" >&2
			cat "$cache/download.log" >&2
			exit 1
		fi
		for deb in ./*.deb; do
			dpkg -x "$deb" "$SM_ROOT.new" || exit 1
		done
		mv "$SM_ROOT.new" "$SM_ROOT"
	) 9>"$cache/.lock" || return 1
	if [ ! -x "$SM_ROOT/usr/libexec/sendmail/sendmail" ]; then
		echo "sendmail_harness: no sendmail binary in $SM_ROOT" >&2
		return 1
	fi
	local missing
	missing=$(ldd "$SM_ROOT/usr/libexec/sendmail/sendmail" | grep 'not found' || true)
	if [ -n "$missing" ]; then
		echo "sendmail_harness: libraries of sendmail-bin missing (scripts/deps test installs them):" >&2
		echo "$missing" >&2
		return 1
	fi
}

_sm_free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_sm_listening() {	# _sm_listening PORT
	/usr/bin/python3 -c 'import socket, sys
s = socket.socket()
s.settimeout(2)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    sys.exit(0 if s.recv(4).startswith(b"220") else 1)
except OSError:
    sys.exit(1)' "$1"
}

sm_start() {	# sm_start MILTER_PORT DIR
	local mport=$1 cf=$SM_ROOT/usr/share/sendmail/cf filter i
	SM_DIR=$2
	SM_PORT=$(_sm_free_port)
	SM_MSP_PORT=$(_sm_free_port)
	mkdir -p "$SM_DIR/mqueue" "$SM_DIR/out" || return 1
	chmod 0700 "$SM_DIR/mqueue"
	chmod 1777 "$SM_DIR/out"
	chmod 0755 "$SM_DIR"
	# the local mailer: one file per message, as delivered
	printf '#!/bin/sh\nf=%s/out/$(date +%%s%%N).$$\ncat >"$f.tmp" && mv "$f.tmp" "$f.eml"\n' \
	    "$SM_DIR" >"$SM_DIR/deliver"
	chmod 0755 "$SM_DIR/deliver"
	echo "hosts files" >"$SM_DIR/service.switch"
	printf '127.0.0.1\tlocalhost mx.test.example\n' >"$SM_DIR/hosts"
	: >"$SM_DIR/trusted-users"
	filter=$(grep '^INPUT_MAIL_FILTER(' "$_SM_LIB_DIR/../../contrib/sendmail.mc" |
	    sed "s/inet:8894@127\.0\.0\.1/inet:$mport@127.0.0.1/")
	case $filter in
	*"inet:$mport@127.0.0.1"*) ;;
	*) echo "sendmail_harness: no INPUT_MAIL_FILTER with inet:8894@127.0.0.1 in contrib/sendmail.mc" >&2
	   return 1 ;;
	esac
	cat >"$SM_DIR/sendmail.mc" <<MC
divert(-1)
divert(0)dnl
VERSIONID(\`inkan integration test')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.test.example')dnl
define(\`QUEUE_DIR', \`$SM_DIR/mqueue')dnl
define(\`STATUS_FILE', \`$SM_DIR/sendmail.st')dnl
define(\`ALIAS_FILE', \`')dnl
define(\`confPID_FILE', \`$SM_DIR/sendmail.pid')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM_DIR/service.switch')dnl
define(\`confHOSTS_FILE', \`$SM_DIR/hosts')dnl
define(\`confCT_FILE', \`$SM_DIR/trusted-users')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confQUEUE_LA', \`1000')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confDELAY_LA', \`0')dnl
define(\`confMIN_FREE_BLOCKS', \`0')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`LOCAL_MAILER_PATH', \`$SM_DIR/deliver')dnl
define(\`LOCAL_MAILER_ARGS', \`deliver \$u')dnl
MODIFY_MAILER_FLAGS(\`LOCAL', \`-wA')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA-v4, Port=$SM_PORT, Addr=127.0.0.1')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MSP-v4, Port=$SM_MSP_PORT, M=E, Addr=127.0.0.1')dnl
LOCAL_DOMAIN(\`test.example')dnl
$filter
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MC
	if ! m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$SM_DIR/sendmail.mc" \
	    >"$SM_DIR/sendmail.cf" 2>"$SM_DIR/m4.log" || [ -s "$SM_DIR/m4.log" ]; then
		echo "sendmail_harness: m4 could not make sendmail.cf:" >&2
		cat "$SM_DIR/m4.log" >&2
		return 1
	fi
	local sm=$SM_ROOT/usr/libexec/sendmail/sendmail wait=100
	if unshare -u true 2>/dev/null; then
		unshare -u /bin/sh -c 'hostname mx.test.example && exec "$@"' sm \
		    "$sm" -C "$SM_DIR/sendmail.cf" -bD >"$SM_DIR/sendmail.out" 2>&1 &
	else
		echo "sendmail_harness: unshare -u not permitted; Sendmail may sleep 60 s on the host name" >&2
		"$sm" -C "$SM_DIR/sendmail.cf" -bD >"$SM_DIR/sendmail.out" 2>&1 &
		wait=900
	fi
	SM_PID=$!
	# the test shell may die without its EXIT trap (a CTest timeout)
	( while kill -0 $$ 2>/dev/null; do sleep 2; done; kill "$SM_PID" 2>/dev/null ) \
	    </dev/null >/dev/null 2>&1 &
	_SM_WATCHDOG=$!
	for ((i = 0; i < wait; i++)); do
		_sm_listening "$SM_PORT" && _sm_listening "$SM_MSP_PORT" && return 0
		kill -0 "$SM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "sendmail_harness: sendmail did not start listening on $SM_PORT and $SM_MSP_PORT:" >&2
	cat "$SM_DIR/sendmail.out" >&2
	return 1
}

sm_send() {	# sm_send FROM TO FILE PORT [SWAKS_ARGS...]
	local from=$1 to=$2 file=$3 port=$4 rc
	shift 4
	_SM_N=$(( ${_SM_N:-0} + 1 ))
	SM_SWAKS_LOG=$SM_DIR/swaks.$_SM_N.log
	# CRLF line ends, leading dots doubled, final "." (swaks adds CRLF)
	/usr/bin/python3 - "$file" "$SM_DIR/send.$_SM_N" <<'EOF' || return 2
import sys
lines = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
out = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
open(sys.argv[2], "wb").write(out + b".")
EOF
	swaks --server 127.0.0.1 --port "$port" --from "$from" --to "$to" \
	    --helo client.test.example --timeout 60 --no-data-fixup \
	    --data "@$SM_DIR/send.$_SM_N" "$@" </dev/null >"$SM_SWAKS_LOG" 2>&1
	rc=$?
	[ $rc -eq 0 ] || { echo "sendmail_harness: swaks exited $rc:" >&2; cat "$SM_SWAKS_LOG" >&2; }
	return $rc
}

sm_wait_delivered() {	# sm_wait_delivered N [TIMEOUT]
	local n=$1 t=${2:-30} i
	for ((i = 0; i < t * 10; i++)); do
		[ "$(find "$SM_DIR/out" -name '*.eml' | wc -l)" -ge "$n" ] && break
		sleep 0.1
	done
	if [ "$(find "$SM_DIR/out" -name '*.eml' | wc -l)" -lt "$n" ]; then
		echo "sendmail_harness: fewer than $n messages delivered; queue:" >&2
		ls -l "$SM_DIR/mqueue" >&2
		return 1
	fi
	find "$SM_DIR/out" -name '*.eml' | sort
}

sm_stop() {	# safe under set -e; always returns 0
	if [ -n "$SM_PID" ]; then
		kill "$SM_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$SM_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$SM_PID" 2>/dev/null || true
		wait "$SM_PID" 2>/dev/null || true
		SM_PID=
	fi
	if [ -n "${_SM_WATCHDOG:-}" ]; then
		kill "$_SM_WATCHDOG" 2>/dev/null || true
		wait "$_SM_WATCHDOG" 2>/dev/null || true
		_SM_WATCHDOG=
	fi
	return 0
}
