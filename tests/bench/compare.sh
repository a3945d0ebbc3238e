#!/bin/sh
# SPDX-License-Identifier: ISC
#
# compare.sh - the same load against inkan-milter, OpenDKIM and (inbound)
# OpenDKIM + OpenDMARC chained, with milter_load; prints a table of medians
# with ratios and the OpenSSL limits of this machine. See tests/bench/README.
#
# usage: tests/bench/compare.sh [-r RUNS] [-q] BUILD_DIR
#   BUILD_DIR  a CMake build of inkan (RelWithDebInfo or Release)
#   -r RUNS    runs per figure, the median is shown (default 3)
#   -q         quick: 2 KB messages only, fewer messages per run
# Environment: BENCH_DNS_ADDR (default 127.83.0.1), a loopback address
# where this script runs its own unbound on port 53; BENCH_SIZES (default
# "2048 102400 10485760"); BENCH_KEEP=1 keeps the work directory.
#
# Needs root (port 53, a private mount namespace for OpenDMARC's
# resolv.conf) and the Debian packages opendkim, opendmarc, unbound.
# Touches nothing outside its mktemp -d directory; the processes it starts
# are stopped by their PIDs at exit.
set -eu

runs=3
quick=0
while getopts r:q opt; do
	case $opt in
	r) runs=$OPTARG ;;
	q) quick=1 ;;
	*) echo "usage: $0 [-r RUNS] [-q] BUILD_DIR" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-r RUNS] [-q] BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
load=$build/tests/bench/milter_load
null=$build/tests/bench/null_milter
inkan=$build/milter/inkan-milter
keys=$build/keys-tool/inkan-keys
dnsaddr=${BENCH_DNS_ADDR:-127.83.0.1}
sizes=${BENCH_SIZES:-2048 102400 10485760}
[ "$quick" = 1 ] && sizes=2048

die() { echo "compare.sh: $*" >&2; exit 1; }
for f in "$load" "$null" "$inkan" "$keys"; do
	[ -x "$f" ] || die "$f missing: build the project first"
done
for p in opendkim opendmarc unbound; do
	command -v "$p" >/dev/null 2>&1 || [ -x /usr/sbin/$p ] ||
	    die "$p missing: apt-get install -y opendkim opendmarc unbound"
done
[ "$(id -u)" = 0 ] || die "run as root (port 53, unshare -m)"

tmp=$(mktemp -d /tmp/inkan-bench.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
	[ "${BENCH_KEEP:-0}" = 1 ] && echo "work directory kept: $tmp" >&2 ||
	    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- keys and DNS data ------------------------------------------------
# bench.example signs outbound (one key directory per algorithm, so each
# inkan instance signs once); sender.example signed the inbound corpus.
"$keys" generate --domain bench.example --selector rsa --dir "$tmp/k-rsa" \
    --type rsa --bits 2048 >"$tmp/rec" 2>/dev/null
"$keys" generate --domain bench.example --selector ed --dir "$tmp/k-ed" \
    --type ed25519 >>"$tmp/rec" 2>/dev/null
"$keys" generate --domain sender.example --selector s1 --dir "$tmp/k-sender" \
    --type rsa --bits 2048 >>"$tmp/rec" 2>/dev/null
cat >>"$tmp/rec" <<EOF
sender.example. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.sender.example. IN TXT "v=DMARC1; p=reject"
bench.example. IN TXT "v=spf1 ip4:127.0.0.0/8 -all"
_dmarc.bench.example. IN TXT "v=DMARC1; p=none"
EOF
# unbound: this data and nothing else (every other name is NXDOMAIN, so
# nothing leaves the machine)
{
	cat <<EOF
server:
	interface: $dnsaddr
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$tmp"
	pidfile: ""
	use-syslog: no
	logfile: "$tmp/unbound.log"
	verbosity: 0
	num-threads: 1
	access-control: 127.0.0.0/8 allow
	module-config: "iterator"
	local-zone: "." static
EOF
	sed -e 's/ IN TXT / TXT /; s/( //; s/ )$//' "$tmp/rec" |
	    sed -e "s/^/	local-data: '/; s/\$/'/"
} >"$tmp/unbound.conf"
unbound-checkconf "$tmp/unbound.conf" >/dev/null ||
    die "unbound config rejected: $tmp/unbound.conf"
unbound -c "$tmp/unbound.conf" 2>"$tmp/unbound.err" &
pids="$pids $!"
printf 'nameserver %s\noptions attempts:1 timeout:2\n' "$dnsaddr" \
    >"$tmp/resolv.conf"

# --- the corpus ---------------------------------------------------------
for s in $sizes; do
	"$load" -g "$s" -F alice@bench.example >"$tmp/out-$s.eml"
	"$load" -g "$s" -F bob@sender.example >"$tmp/raw-$s.eml"
	# the inbound messages carry a valid RSA-2048 signature
	printf 'key_dir = %s\n' "$tmp/k-sender" >"$tmp/signer.conf"
	"$inkan" --evaluate "$tmp/raw-$s.eml" --config "$tmp/signer.conf" \
	    --dns-zone "$tmp/rec" --client-ip 127.0.0.1 --helo h \
	    --mail-from bob@sender.example --auth-user bob \
	    >"$tmp/in-$s.eml" 2>/dev/null
	grep -q '^DKIM-Signature:' "$tmp/in-$s.eml" ||
	    die "could not sign the inbound corpus"
done

# --- the milters --------------------------------------------------------
# Per-message logging is off for all three (inkan log_level = warning,
# OpenDKIM and OpenDMARC Syslog false): the figures are for the filtering.
start_inkan() {	# NAME KEYDIR
	cat >"$tmp/$1.conf" <<EOF
socket = unix:$tmp/$1.sock
key_dir = $2
log = stderr
log_level = warning
authserv_id = mx.bench.example
dns_forwarders = $dnsaddr
EOF
	"$inkan" -f -c "$tmp/$1.conf" 2>"$tmp/$1.log" &
	pids="$pids $!"
	eval "pid_$1=$!"
}
start_opendkim() {	# NAME SELECTOR KEYFILE ALGORITHM
	cat >"$tmp/$1.conf" <<EOF
Syslog			false
Background		false
Socket			local:$tmp/$1.sock
Mode			sv
Domain			bench.example
Selector		$2
KeyFile			$3
SignatureAlgorithm	$4
Canonicalization	relaxed/relaxed
OversignHeaders		From
AuthservID		mx.bench.example
Nameservers		$dnsaddr
RequireSafeKeys		false
EOF
	opendkim -f -x "$tmp/$1.conf" 2>"$tmp/$1.log" &
	pids="$pids $!"
	eval "pid_$1=$!"
}
start_inkan inkan_rsa "$tmp/k-rsa"
# the protocol's own cost: a libmilter filter that only reads the message
"$null" "unix:$tmp/null.sock" 2>"$tmp/null.log" &
pids="$pids $!"
pid_null=$!
start_inkan inkan_ed "$tmp/k-ed"
start_opendkim odkim_rsa rsa "$tmp/k-rsa/bench.example/rsa.private" rsa-sha256
start_opendkim odkim_ed ed "$tmp/k-ed/bench.example/ed.private" ed25519-sha256
# OpenDMARC resolves through the system resolver (libspf2, res_query): a
# private mount namespace gives it a resolv.conf naming our unbound.
cat >"$tmp/odmarc.conf" <<EOF
Syslog			false
Background		false
Socket			local:$tmp/odmarc.sock
AuthservID		mx.bench.example
TrustedAuthservIDs	mx.bench.example
SPFSelfValidate		true
SPFIgnoreResults	true
PublicSuffixList	/usr/share/publicsuffix/public_suffix_list.dat
RejectFailures		false
EOF
unshare -m sh -c \
    'mount --bind "$1" /etc/resolv.conf && exec opendmarc -f -c "$2"' \
    sh "$tmp/resolv.conf" "$tmp/odmarc.conf" 2>"$tmp/odmarc.log" &
pids="$pids $!"
pid_odmarc_sh=$!
for s in inkan_rsa inkan_ed odkim_rsa odkim_ed odmarc null; do
	i=0
	while [ ! -S "$tmp/$s.sock" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "$s did not start: $(cat "$tmp/$s.log")"
		sleep 0.1
	done
done
# unshare exec'd opendmarc in place, so the PID is the milter's
pid_odmarc=$pid_odmarc_sh

# --- the runs -----------------------------------------------------------
results=$tmp/results
: >"$results"
# run LABEL MILTER SIZE PER_CONN CONNS N PIDS SOCKETS DIRECTION
run() {
	label=$1 milter=$2 size=$3 per=$4 conns=$5 n=$6 p=$7 socks=$8 dir=$9
	if [ "$dir" = out ]; then
		set -- -A alice -i 127.0.0.1 -F alice@bench.example \
		    -f "$tmp/out-$size.eml"
	else
		set -- -i 192.0.2.25 -F bob@sender.example \
		    -f "$tmp/in-$size.eml"
	fi
	r=1
	while [ $r -le "$runs" ]; do
		line=$("$load" -q -s "$socks" -p "$p" -c "$conns" -n "$n" \
		    -m "$per" -w 4 "$@" | grep '^RESULT') ||
		    line="RESULT msgs=$n ok=0 failed=$n"
		echo "$label $milter $size $per $line" >>"$results"
		r=$((r + 1))
	done
	printf '.' >&2
}
s_in=unix:$tmp/inkan_rsa.sock
for size in $sizes; do
	case $size in
	10485760) n1=16; c1=8; n20=40; c20=2 ;;
	102400) n1=400; c1=8; n20=480; c20=8 ;;
	*) n1=2000; c1=8; n20=2400; c20=8 ;;
	esac
	[ "$quick" = 1 ] && { n1=800; n20=960; }
	for per in 1 20; do
		if [ $per = 1 ]; then n=$n1 c=$c1; else n=$n20 c=$c20; fi
		run out-rsa inkan $size $per $c $n $pid_inkan_rsa \
		    unix:$tmp/inkan_rsa.sock out
		run out-rsa opendkim $size $per $c $n $pid_odkim_rsa \
		    unix:$tmp/odkim_rsa.sock out
		run out-ed inkan $size $per $c $n $pid_inkan_ed \
		    unix:$tmp/inkan_ed.sock out
		run out-ed opendkim $size $per $c $n $pid_odkim_ed \
		    unix:$tmp/odkim_ed.sock out
		run in inkan $size $per $c $n $pid_inkan_rsa "$s_in" in
		run floor null_milter $size $per $c $n $pid_null \
		    unix:$tmp/null.sock out
		run in opendkim $size $per $c $n $pid_odkim_rsa \
		    unix:$tmp/odkim_rsa.sock in
		run in opendkim+opendmarc $size $per $c $n \
		    "$pid_odkim_rsa,$pid_odmarc" \
		    "unix:$tmp/odkim_rsa.sock,unix:$tmp/odmarc.sock" in
	done
done
# 64 connections: idle (RSS), then busy (nothing lost, p99)
for m in inkan opendkim; do
	if [ $m = inkan ]; then p=$pid_inkan_rsa; else p=$pid_odkim_rsa; fi
	[ $m = inkan ] && sock=unix:$tmp/inkan_rsa.sock ||
	    sock=unix:$tmp/odkim_rsa.sock
	line=$("$load" -s "$sock" -I 64 -p $p | grep '^RESULT') ||
	    line="RESULT failed"
	echo "idle64 $m 0 0 $line" >>"$results"
	for per in 1 20; do
		line=$("$load" -q -s "$sock" -p $p -c 64 -n 2560 -m $per \
		    -A alice -i 127.0.0.1 -F alice@bench.example \
		    -f "$tmp/out-2048.eml" | grep '^RESULT') ||
		    line="RESULT failed"
		echo "busy64 $m 2048 $per $line" >>"$results"
	done
done
echo >&2

# --- OpenSSL limits -----------------------------------------------------
ossl_rsa=$(openssl speed -seconds 3 rsa2048 2>/dev/null |
    awk '/^rsa 2048 bits/ { print 1000 / $6 }')
ossl_ed=$(openssl speed -seconds 3 ed25519 2>/dev/null |
    awk '/\(Ed25519\)/ { print 1000 / $7 }')
ossl_sha=$(openssl speed -seconds 3 -evp sha256 -bytes 16384 2>/dev/null |
    awk '/^sha256/ { v = $NF; sub("k", "", v); print v / 1000 }')

# --- the table ------------------------------------------------------------
awk -v rsa="$ossl_rsa" -v ed="$ossl_ed" -v sha="$ossl_sha" \
    -v runs="$runs" -f "$(dirname "$0")/table.awk" "$results"
[ "${BENCH_KEEP:-0}" = 1 ] && cp "$results" "$tmp/results.txt"
exit 0
