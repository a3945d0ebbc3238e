#!/bin/sh
# SPDX-License-Identifier: ISC
#
# verify_opendkim.sh - verify every DKIM-Signature of a message with OpenDKIM
# (Debian opendkim 2.11.0~beta2) in its offline test mode, keys taken from a
# zone file, never from DNS.
#
#   verify_opendkim.sh [--now EPOCH] --zone ZONEFILE MSGFILE
#
# --now EPOCH verifies as of that time. OpenDKIM has no option for it (it
# checks x= against time()), so opendkim runs with LD_PRELOAD of fixtime.c:
# $FIXTIME_SO when CTest sets it, else built here with cc; if neither can
# be had the script fails (exit 2) rather than verify at the wall clock.
#
# One line per DKIM-Signature, top to bottom: "opendkim: d=D s=S a=A
# result=pass" or "... result=fail reason=TEXT". Exit 0: at least one
# signature and all pass; 1: a failure or no signature; 2: usage error,
# unreadable file, bad zone file, opendkim missing or failing to run.
#
# How it runs offline: "opendkim -x CONF -t FILE" feeds FILE through the
# milter callbacks without an MTA or socket. CONF sets "TestPublicKeys FILE",
# which makes libopendkim read keys from a text file of lines
# "<selector>._domainkey.<domain> <TXT data>" (dkim_get_key_file(), first
# matching line wins) instead of querying DNS. verify_dkimpy.py --dump-txt
# writes that file from the zone (same zone parser for both verifiers).
# TestDNSData, a data set of name/TXT pairs, also exists in 2.11; it is not
# needed for key lookups. A name with no TXT answer in the zone, including
# TIMEOUT and SERVFAIL names, is absent from the file: "key not found".
#
# What opendkim prints: with -vv, stdout has the Authentication-Results field
# it would add, as "### INSHEADER: idx=0 hname='Authentication-Results'
# hvalue='...'" over several lines, one "dkim=RESULT [reason="..."] ...
# header.d=D ... header.a=A header.s=S header.b=B" per signature in header
# order, then a summary line about the first signature only. The exit status
# is 0 whether signatures verify or not (it reflects SMFIS_ACCEPT), so the
# result comes from the A-R field. Signatures without a dkim= entry (beyond
# MaximumSignaturesToVerify, or not parsed at all) count as failures.

set -eu

prog=opendkim
OPENDKIM=${OPENDKIM:-/usr/sbin/opendkim}
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)

usage()
{
	echo "usage: verify_opendkim.sh [--now EPOCH] --zone ZONEFILE MSGFILE" >&2
	exit 2
}

now=
if [ $# -ge 2 ] && [ "$1" = --now ]; then
	case $2 in
	''|*[!0-9]*) usage ;;
	esac
	now=$2
	shift 2
fi
[ $# -eq 3 ] && [ "$1" = --zone ] || usage
zone=$2
msg=$3
for f in "$zone" "$msg"; do
	if [ ! -f "$f" ] || [ ! -r "$f" ]; then
		echo "$prog: $f: not a readable file" >&2
		exit 2
	fi
done
if [ ! -x "$OPENDKIM" ]; then
	echo "$prog: $OPENDKIM not found (Debian package opendkim)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/verify_opendkim.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

if ! "$here/verify_dkimpy.py" --dump-txt "$zone" >"$tmp/keys"; then
	echo "$prog: $zone: cannot convert zone file" >&2
	exit 2
fi
# RFC 6376 hashes CRLF line ends; files on disk may use bare LF.
perl -pe 's/\r?\n\z/\r\n/' "$msg" >"$tmp/msg.eml"

cat >"$tmp/opendkim.conf" <<EOF
Mode				v
Syslog				no
TestPublicKeys			$tmp/keys
MaximumSignaturesToVerify	50
AuthservID			inkan-interop
EOF

nsig=$(awk '{ sub(/\r$/, "") } $0 == "" { exit }
    tolower($0) ~ /^dkim-signature[ \t]*:/ { n++ } END { print n + 0 }' \
    "$tmp/msg.eml")
if [ "$nsig" -eq 0 ]; then
	echo "$prog: no DKIM-Signature"
	exit 1
fi

preload=
if [ -n "$now" ]; then
	preload=${FIXTIME_SO:-}
	if [ -z "$preload" ]; then
		preload=$tmp/fixtime.so
		if ! cc -shared -fPIC -o "$preload" "$here/fixtime.c" 2>"$tmp/err"; then
			echo "$prog: --now: cannot build $here/fixtime.c:" >&2
			cat "$tmp/err" >&2
			exit 2
		fi
	fi
	if [ ! -r "$preload" ]; then
		echo "$prog: --now: $preload not readable" >&2
		exit 2
	fi
fi

rc=0
if [ -n "$now" ]; then
	FIXTIME=$now LD_PRELOAD=$preload "$OPENDKIM" -x "$tmp/opendkim.conf" \
	    -vv -t "$tmp/msg.eml" >"$tmp/out" 2>"$tmp/err" || rc=$?
else
	"$OPENDKIM" -x "$tmp/opendkim.conf" -vv -t "$tmp/msg.eml" \
	    >"$tmp/out" 2>"$tmp/err" || rc=$?
fi
if [ "$rc" -ne 0 ]; then
	echo "$prog: opendkim exited with status $rc:" >&2
	cat "$tmp/err" >&2
	exit 2
fi

# Turn the A-R field into one line per dkim= result, then pad with failures
# for signatures opendkim did not report on. Reasons hold no ';' or quotes.
rc=0
awk -v prog="$prog" -v nsig="$nsig" '
function tag(item, name,    m)
{
	if (!match(item, "(^|[ \t])" name "=(\"[^\"]*\"|[^ \t;]+)"))
		return "?"
	m = substr(item, RSTART, RLENGTH)
	sub(/^[ \t]*[^=]*=/, "", m)
	gsub(/"/, "", m)
	return m
}
/^### INSHEADER: .*hname=.Authentication-Results. hvalue=./ {
	ar = $0
	sub(/^.*hvalue=./, "", ar)
	inar = (ar !~ /\047$/)
	next
}
inar {
	ar = ar " " $0
	inar = ($0 !~ /\047$/)
}
END {
	sub(/\047$/, "", ar)
	n = split(ar, items, ";")
	got = 0; bad = 0
	for (i = 2; i <= n; i++) {
		it = items[i]
		sub(/^[ \t]+/, "", it)
		if (it !~ /^dkim=/)
			continue
		got++
		res = substr(it, 6)
		sub(/[ \t].*$/, "", res)
		desc = "d=" tag(it, "header.d") " s=" tag(it, "header.s") \
		    " a=" tag(it, "header.a")
		if (res == "pass") {
			print prog ": " desc " result=pass"
			continue
		}
		bad++
		why = tag(it, "reason")
		print prog ": " desc " result=fail reason=" res \
		    (why == "?" ? "" : ": " why)
	}
	for (; got < nsig; got++) {
		bad++
		print prog ": d=? s=? a=? result=fail reason=no result from " \
		    "opendkim for this signature"
	}
	exit bad ? 1 : 0
}' "$tmp/out" || rc=$?
exit "$rc"
