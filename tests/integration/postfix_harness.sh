# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# postfix_harness.sh - a private, real Postfix on loopback for one integration test.
#
# Source this file from a bash test script (it is a library, not a program):
#
#   . "$(dirname "$0")/postfix_harness.sh"
#   trap 'pf_stop' EXIT
#   pf_start inet:127.0.0.1:$MILTER_PORT      # Postfix syntax; inet:PORT@HOST also accepted
#   pf_send alice@example.org bob@example.net msg.eml              # port 25-like, $PF_PORT
#   pf_send alice@example.org bob@example.net msg.eml "$PF_SUBMIT_PORT"   # "submission"
#   files=$(pf_wait_delivered 2)              # paths of the captured messages, oldest first
#   pf_log                                    # the instance's maillog
#
# Functions
#   pf_start MILTER_SOCKET   start Postfix + smtp-sink; exports PF_DIR PF_CONF PF_PORT
#                            PF_SUBMIT_PORT PF_SINK_PORT PF_SINK_DIR. Returns non-zero (and
#                            prints why) if the instance did not come up.
#   pf_stop                  stop everything, remove $PF_DIR unless $PF_KEEP is non-empty.
#                            Idempotent; meant for `trap pf_stop EXIT`.
#   pf_send FROM TO FILE [PORT [SWAKS_ARGS...]]
#                            submit FILE (an RFC 5322 message, LF or CRLF line ends) with
#                            swaks, byte-exact (no swaks token or header rewriting; only
#                            line ends become CRLF and leading dots are stuffed). Returns
#                            swaks' exit status (0 = accepted after DATA, 23/24/25/26 =
#                            rejected at MAIL/RCPT/DATA/end of data). The transcript is in
#                            $PF_SWAKS_LOG (also written to stderr when swaks fails).
#                            Extra SWAKS_ARGS go to swaks as-is, e.g. --helo NAME,
#                            --xclient-addr 192.0.2.7, --xclient-login alice (see below).
#   pf_wait_delivered N [TIMEOUT]
#                            wait (default 30 s) until N messages were captured and are
#                            complete; prints their paths (oldest first). On timeout
#                            prints the maillog tail and the queue to stderr, returns 1.
#   pf_log                   print the maillog.
#   pf_message FILE          print a captured message as Postfix delivered it: without
#                            the X-Client-Addr..X-Rcpt-Args and Received lines that
#                            smtp-sink puts on top and the empty line it appends (LF line
#                            ends, as in the capture file).
#   pf_sink_files            print the paths captured so far (oldest first), no waiting.
#   pf_free_port             print a TCP port on 127.0.0.1 that was free a moment ago.
#
# What the milter sees
#   * Mail on $PF_PORT: {daemon_name}=mx.test.example (Postfix's default,
#     milter_macro_daemon_name = $myhostname), client 127.0.0.1.
#   * Mail on $PF_SUBMIT_PORT: {daemon_name}=ORIGINATING (milter_macro_daemon_name),
#     the same convention as Debian's master.cf submission service.
#   * Both services trust XCLIENT from 127.0.0.0/8, so a test can pretend to be another
#     client: `pf_send ... "$PF_PORT" --xclient-addr 192.0.2.7 --xclient-name mx.example.com
#     --helo mx.example.com` makes Postfix (and the milter) see that client (useful for
#     SPF). After XCLIENT, Postfix closes the milter connection and opens a new one with
#     the new client data; swaks then sends EHLO again, so the HELO name the milter sees
#     is swaks' --helo (--xclient-helo is overridden). When Cyrus SASL mechanism plugins are installed (package
#     libsasl2-modules; PF_SASL=1 is exported then), smtpd_sasl_auth_enable=yes is set
#     and `--xclient-login alice` makes Postfix treat the session as SASL-authenticated:
#     the milter gets {auth_type}=XCLIENT and {auth_authen}=alice on MAIL FROM. No SASL
#     server (Dovecot/saslauthd) is needed for that, and nothing ever authenticates for real.
#   * Relaying is open (relay_domains = static:ALL): everything accepted goes to
#     the sink whatever the client address; this is a loopback-only test instance.
#   * Headers are not rewritten or added for local clients (local_header_rewrite_clients
#     is empty), so the milter sees the message as submitted plus Postfix's Received.
#   * non_smtpd_milters: `sendmail -C "$PF_CONF" -f FROM TO < FILE` injects through
#     pickup/cleanup; the milter then sees {daemon_name}=mx.test.example and client
#     "localhost [127.0.0.1]".
#
# Milter sockets
#   smtpd runs as user "postfix" (not chrooted here). For unix:/path sockets the postfix
#   user needs search (x) permission on every directory of the path and write permission
#   on the socket itself (connect(2) on a unix socket needs write permission): a milter
#   running as root with umask 022 creates srwxr-xr-x, which Postfix cannot use ("connect
#   to Milter service unix:...: Permission denied" in the maillog, then the
#   milter_default_action, tempfail). Create the socket with mode 0666/umask 0, or chown
#   it to postfix, in a directory like "$PF_DIR/milter" (pf_start makes it, mode 0755).
#   Note: $PF_DIR exists only after pf_start; Postfix first connects to the milter when
#   a client connects, so starting the milter after pf_start is fine.
#
# Environment knobs
#   PF_MAIN_CF_EXTRA  lines ("name = value", newline-separated) appended to main.cf by
#                     pf_start; later settings win (e.g. milter_default_action = accept).
#   PF_KEEP           non-empty: pf_stop keeps $PF_DIR (config, maillog, captures,
#                     swaks transcripts) for a post-mortem.
#   PF_HELO           default swaks --helo name (client.test.example).
#   TMPDIR            where $PF_DIR is made (default /tmp).
#
# Lifecycle: Postfix's master and smtp-sink are detached from the test's process tree
# (setsid), and a detached watchdog runs pf_stop if the test shell dies without calling
# it (e.g. killed by a CTest TIMEOUT). The functions are safe to call from scripts using
# `set -euo pipefail`. Do not call pf_start in a subshell or $(...): it exports variables.
#
# Needs root (Postfix's master and smtp-sink -u), postfix, swaks, python3. Never touches
# /etc/postfix or the system Postfix instance; everything lives in $PF_DIR, so tests can
# run in parallel.

_PF_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

if [ -x /usr/bin/python3 ]; then _PF_PY=/usr/bin/python3; else _PF_PY=python3; fi

# The public functions run with errexit, nounset and pipefail off whatever the caller
# uses (a failing `kill` must not abort pf_stop in a `set -e` script's EXIT trap), and
# put the caller's options back afterwards.
_pf_call() {
    local _pf_opts="$-" _pf_pipefail=0 _pf_rc=0
    if [[ -o pipefail ]]; then _pf_pipefail=1; fi
    set +e +u +o pipefail
    "$@"
    _pf_rc=$?
    case "$_pf_opts" in *e*) set -e ;; esac
    case "$_pf_opts" in *u*) set -u ;; esac
    if [ "$_pf_pipefail" = 1 ]; then set -o pipefail; fi
    return "$_pf_rc"
}
pf_start()          { _pf_call _pf_start_impl "$@"; }
pf_stop()           { _pf_call _pf_stop_impl "$@"; }
pf_send()           { _pf_call _pf_send_impl "$@"; }
pf_wait_delivered() { _pf_call _pf_wait_delivered_impl "$@"; }
pf_log()            { _pf_call _pf_log_impl "$@"; }
pf_sink_files()     { _pf_call _pf_sink_files_impl "$@"; }
pf_message()        { _pf_call _pf_message_impl "$@"; }
pf_free_port()      { _pf_call _pf_free_port_impl "$@"; }

# _pf_alive PID: true while PID runs. A zombie counts as gone: detached processes are
# reaped by PID 1, which may take its time (kill -0 still succeeds on a zombie).
_pf_alive() {
    local state
    state="$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

_pf_err() { printf 'postfix_harness: %s\n' "$*" >&2; }

# Print a port that is free right now (the kernel picks it; race window is tiny and
# pf_start retries on a bind failure).
_pf_free_port_impl() {
    "$_PF_PY" - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# N distinct free ports, one per line.
_pf_free_ports() {
    "$_PF_PY" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
    s.close()
EOF
}

# _pf_port_open PORT [TIMEOUT_S]: wait until something accepts on 127.0.0.1:PORT.
_pf_port_open() {
    "$_PF_PY" - "$1" "${2:-10}" <<'EOF'
import socket, sys, time
port, deadline = int(sys.argv[1]), time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# Accept libmilter's own spelling too: inet:PORT@HOST -> inet:HOST:PORT, local: -> unix:
_pf_milter_spec() {
    local s="$1"
    case "$s" in
        inet:*@*) s="inet:${s#*@}:$(printf '%s' "${s#inet:}" | cut -d@ -f1)" ;;
        local:*) s="unix:${s#local:}" ;;
    esac
    printf '%s\n' "$s"
}

_pf_start_impl() {
    if [ $# -lt 1 ] || [ -z "$1" ]; then
        _pf_err "usage: pf_start MILTER_SOCKET"
        return 2
    fi
    if [ -n "${PF_DIR:-}" ] && [ -d "${PF_DIR}/conf" ]; then
        _pf_err "an instance is already running in $PF_DIR (call pf_stop first)"
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        _pf_err "must run as root (Postfix master, smtp-sink -u nobody)"
        return 1
    fi
    local milter attempt rc=1
    milter="$(_pf_milter_spec "$1")"
    for attempt in 1 2 3; do
        _pf_start_once "$milter"
        rc=$?
        [ "$rc" -eq 0 ] && return 0
        [ "$rc" -eq 3 ] || break            # 3 = a port was taken; try new ports
        _pf_err "port clash, retrying with other ports (attempt $attempt)"
        PF_KEEP='' _pf_stop_impl
    done
    _pf_err "pf_start failed; see above. State kept in ${PF_DIR:-?} if PF_KEEP is set."
    _pf_stop_impl
    return 1
}

_pf_start_once() {
    local milter="$1" ports sasl_lines="" sasl_plugin
    PF_DIR="$(mktemp -d "${TMPDIR:-/tmp}/inkan-pf.XXXXXXXX")" || return 1
    # The postfix user must traverse it (queue, milter sockets); mktemp makes 0700.
    chmod 0755 "$PF_DIR"
    PF_CONF="$PF_DIR/conf"
    PF_SINK_DIR="$PF_DIR/sink"
    export PF_DIR PF_CONF PF_SINK_DIR
    mkdir -p "$PF_CONF" "$PF_DIR/queue" "$PF_DIR/data" "$PF_DIR/milter" || return 1
    chown postfix:postfix "$PF_DIR/data"
    chmod 0700 "$PF_DIR/data"
    install -d -o nobody -m 0755 "$PF_SINK_DIR" || return 1
    : >"$PF_DIR/maillog"
    # Owner of this instance: the watchdog cleans up if it dies without pf_stop
    # (e.g. killed by a CTest timeout).
    printf '%s\n' "$$" >"$PF_DIR/owner.pid"

    ports="$(_pf_free_ports 3)" || return 1
    PF_PORT="$(sed -n 1p <<<"$ports")"
    PF_SUBMIT_PORT="$(sed -n 2p <<<"$ports")"
    PF_SINK_PORT="$(sed -n 3p <<<"$ports")"
    export PF_PORT PF_SUBMIT_PORT PF_SINK_PORT

    # XCLIENT LOGIN needs smtpd_sasl_auth_enable=yes, and smtpd dies ("no SASL
    # authentication mechanisms") if Cyrus has none, so only with the plugins present.
    PF_SASL=0
    for sasl_plugin in /usr/lib/*/sasl2/libplain.so* /usr/lib/sasl2/libplain.so*; do
        if [ -e "$sasl_plugin" ]; then PF_SASL=1; break; fi
    done
    export PF_SASL
    if [ "$PF_SASL" = 1 ]; then
        mkdir -p "$PF_CONF/sasl"
        printf 'mech_list: PLAIN LOGIN\npwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s\n' \
            "$PF_CONF/sasl/sasldb2" >"$PF_CONF/sasl/smtpd.conf"
        sasl_lines="smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $PF_CONF/sasl"
    fi

    cat >"$PF_CONF/main.cf" <<EOF
# Generated by tests/integration/postfix_harness.sh for one test; not for production.
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR

myhostname = mx.test.example
mydomain = test.example
myorigin = \$myhostname
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 local delivery is disabled in the test harness
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtpd_banner = \$myhostname ESMTP
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtp_bind_address = 127.0.0.1
mynetworks = 127.0.0.0/8

# Everything goes to the smtp-sink; no DNS at all.
relayhost = [127.0.0.1]:$PF_SINK_PORT
default_transport = smtp
relay_transport = smtp
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
# Open relay on loopback: static:ALL makes every domain a relay domain, so any client
# may send to any address (smtpd insists on reject_unauth_destination being present).
relay_domains = static:ALL
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_authorized_xclient_hosts = 127.0.0.0/8
$sasl_lines
# Deliver messages as submitted: no Date/Message-ID/From added and no address
# rewriting in headers for loopback clients (Debian's default would do both).
local_header_rewrite_clients =

# Fast retries so a deferred message (milter tempfail, sink hiccup) is retried quickly.
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
delay_warning_time = 0
smtp_connect_timeout = 10s

smtpd_milters = $milter
non_smtpd_milters = $milter
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 10s
milter_command_timeout = 30s
milter_content_timeout = 60s

# PF_MAIN_CF_EXTRA (set by the test before pf_start) is appended here; later lines win.
${PF_MAIN_CF_EXTRA:-}
EOF

    # Minimal master.cf; column 5 (chroot) is "n" everywhere.
    cat >"$PF_CONF/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n - n - - smtpd
127.0.0.1:$PF_SUBMIT_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o milter_macro_daemon_name=ORIGINATING
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

    # smtp-sink: the next hop. One file per transaction in $PF_SINK_DIR (msg.<hex>).
    # Started detached (setsid -f) so that it is not a child of the test shell (a bare
    # `wait` in a test will not hang on it) and survives for the watchdog to stop it.
    # shellcheck disable=SC2016  # expanded by the inner sh
    setsid -f sh -c 'echo $$ >"$1/sink.pid"; exec smtp-sink -u nobody -h sink.test.example \
        -d "$1/sink/msg." "127.0.0.1:$2" 100' sh "$PF_DIR" "$PF_SINK_PORT" \
        </dev/null >>"$PF_DIR/smtp-sink.log" 2>&1
    if ! _pf_port_open "$PF_SINK_PORT" 10; then
        _pf_err "smtp-sink did not come up on 127.0.0.1:$PF_SINK_PORT:"
        cat "$PF_DIR/smtp-sink.log" >&2
        grep -q 'in use' "$PF_DIR/smtp-sink.log" && return 3
        return 1
    fi

    _pf_start_watchdog

    # `postfix start` creates the queue directories (post-install create-missing,
    # with the right owners), checks the config, starts master (which binds both smtpd
    # ports and starts postlogd for maillog_file) and waits for it to initialize.
    if ! postfix -c "$PF_CONF" start </dev/null >>"$PF_DIR/postfix.out" 2>&1; then
        _pf_err "postfix -c $PF_CONF start failed:"
        cat "$PF_DIR/postfix.out" >&2
        tail -n 20 "$PF_DIR/maillog" >&2
        if grep -q 'Address already in use' "$PF_DIR/postfix.out" "$PF_DIR/maillog"; then
            return 3
        fi
        return 1
    fi
    return 0
}

# Background guard, detached from the test's process tree: when the owner shell is
# gone and pf_stop never ran, it runs pf_stop itself.
_pf_start_watchdog() {
    # shellcheck disable=SC2016  # expanded by the inner bash
    setsid -f bash -c '
        echo $$ >"$2/watchdog.pid"
        owner=$(cat "$2/owner.pid")
        alive() { s=$(sed "s/.*) //; s/ .*//" "/proc/$1/stat" 2>/dev/null) && [ -n "$s" ] && [ "$s" != Z ]; }
        while [ -d "$2" ] && alive "$owner"; do sleep 1; done
        [ -d "$2" ] || exit 0
        . "$1"
        PF_DIR="$2" PF_CONF="$2/conf" pf_stop
    ' pf-watchdog "$_PF_LIB" "$PF_DIR" </dev/null >/dev/null 2>&1
}

_pf_stop_impl() {
    local dir="${PF_DIR:-}" pid
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then
        unset PF_DIR
        return 0
    fi
    case "$dir" in
        */inkan-pf.*) ;;
        *) _pf_err "refusing to clean up unexpected PF_DIR=$dir"; return 1 ;;
    esac

    # Postfix: orderly stop, then make sure the whole master process group is gone.
    if [ -f "$dir/conf/main.cf" ]; then
        pid=""
        [ -s "$dir/queue/pid/master.pid" ] && pid="$(awk '{print $1; exit}' "$dir/queue/pid/master.pid")"
        postfix -c "$dir/conf" stop </dev/null >>"$dir/postfix.out" 2>&1
        if [ -n "$pid" ]; then
            for _ in 1 2 3 4 5 6 7 8 9 10; do
                _pf_alive "$pid" || break
                sleep 0.2
            done
            kill -9 -- "-$pid" 2>/dev/null
        fi
    fi

    # smtp-sink
    if [ -s "$dir/sink.pid" ]; then
        pid="$(cat "$dir/sink.pid")"
        kill "$pid" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            _pf_alive "$pid" || break
            sleep 0.1
        done
        if _pf_alive "$pid"; then kill -9 "$pid" 2>/dev/null; fi
    fi

    # The watchdog goes last, so that it can still finish the job if this pf_stop is
    # interrupted (say the test is killed while in its EXIT trap).
    if [ -s "$dir/watchdog.pid" ]; then
        pid="$(cat "$dir/watchdog.pid")"
        if [ "$pid" != "$$" ]; then kill "$pid" 2>/dev/null; fi
    fi
    rm -f "$dir/watchdog.pid" "$dir/sink.pid"
    if [ -n "${PF_KEEP:-}" ]; then
        _pf_err "PF_KEEP set: keeping $dir"
    else
        rm -rf "$dir"
    fi
    unset PF_DIR
    return 0
}

_pf_log_impl() {
    if [ -z "${PF_DIR:-}" ] || [ ! -f "$PF_DIR/maillog" ]; then
        _pf_err "pf_log: no running instance"
        return 1
    fi
    cat "$PF_DIR/maillog"
}

_pf_sink_files_impl() {
    [ -n "${PF_SINK_DIR:-}" ] && [ -d "$PF_SINK_DIR" ] || return 0
    find "$PF_SINK_DIR" -type f -printf '%T@ %p\n' | sort -n | cut -d' ' -f2-
}

_pf_message_impl() {
    if [ $# -ne 1 ] || [ ! -r "$1" ]; then
        _pf_err "usage: pf_message FILE (a path printed by pf_wait_delivered)"
        return 2
    fi
    "$_PF_PY" - "$1" <<'EOF'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
# smtp-sink's own records end with its three-line "Received: ... (smtp-sink) ..." header.
i = 0
while i < len(lines) and not lines[i].startswith(b"Received: "):
    i += 1
i += 1
while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
    i += 1
body = lines[i:]
# The capture ends with "<last line>\n" + the sink's empty line "\n".
if len(body) >= 2 and body[-1] == b"" and body[-2] == b"":
    body = body[:-1]
sys.stdout.buffer.write(b"\n".join(body))
EOF
}

_pf_send_impl() {
    if [ $# -lt 3 ]; then
        _pf_err "usage: pf_send FROM TO FILE [PORT [SWAKS_ARGS...]]"
        return 2
    fi
    local from="$1" to="$2" file="$3" port="${4:-$PF_PORT}" data rc
    shift 3
    [ $# -gt 0 ] && shift
    if [ ! -r "$file" ]; then
        _pf_err "pf_send: cannot read $file"
        return 2
    fi
    _PF_SEND_N=$(( ${_PF_SEND_N:-0} + 1 ))
    data="$PF_DIR/send.$_PF_SEND_N.data"
    PF_SWAKS_LOG="$PF_DIR/swaks.$_PF_SEND_N.log"
    export PF_SWAKS_LOG
    # Exactly what goes on the wire after DATA: CRLF line ends, dot-stuffing, and
    # "CRLF ." (swaks appends the final CRLF). --no-data-fixup keeps swaks from
    # rewriting headers, %TOKENS% and "\n" sequences in the message.
    "$_PF_PY" - "$file" "$data" <<'EOF' || return 2
import sys
raw = open(sys.argv[1], "rb").read()
lines = raw.replace(b"\r\n", b"\n").split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
out = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
open(sys.argv[2], "wb").write(out + b".")
EOF
    swaks --server 127.0.0.1 --port "$port" --from "$from" --to "$to" \
        --helo "${PF_HELO:-client.test.example}" --timeout 60 \
        --no-data-fixup --data "@$data" "$@" </dev/null >"$PF_SWAKS_LOG" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        _pf_err "swaks exited $rc (transcript $PF_SWAKS_LOG):"
        cat "$PF_SWAKS_LOG" >&2
    fi
    return "$rc"
}

# Number of distinct queue ids that Postfix logged as delivered to the sink.
_pf_sent_count() {
    grep -E 'postfix/smtp\[[0-9]+\]: [0-9A-F]+: to=.* status=sent' "$PF_DIR/maillog" 2>/dev/null \
        | sed -E 's/.*postfix\/smtp\[[0-9]+\]: ([0-9A-F]+):.*/\1/' | sort -u | wc -l
}

_pf_wait_delivered_impl() {
    local want="${1:-}" timeout="${2:-30}" start now files n sent
    case "$want" in
        ''|*[!0-9]*) _pf_err "usage: pf_wait_delivered N [TIMEOUT]"; return 2 ;;
    esac
    start=$(date +%s)
    while :; do
        files="$(_pf_sink_files_impl)"
        n=0
        [ -n "$files" ] && n=$(printf '%s\n' "$files" | wc -l)
        sent=$(_pf_sent_count)
        # smtp-sink creates the file when the transaction starts; a message is
        # complete once Postfix logged status=sent for it (the sink's 250 after ".").
        if [ "$n" -ge "$want" ] && [ "$sent" -ge "$want" ]; then
            [ -n "$files" ] && printf '%s\n' "$files"
            return 0
        fi
        now=$(date +%s)
        if [ $((now - start)) -ge "$timeout" ]; then
            _pf_err "pf_wait_delivered: wanted $want message(s), have $n file(s) and $sent sent after ${timeout}s"
            {
                echo "---- maillog (tail) ----"
                tail -n 40 "$PF_DIR/maillog"
                echo "---- queue ----"
                postqueue -c "$PF_CONF" -p
            } >&2
            return 1
        fi
        postqueue -c "$PF_CONF" -f >/dev/null 2>&1
        sleep 0.5
    done
}
