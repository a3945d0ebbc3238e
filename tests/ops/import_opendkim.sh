#!/bin/sh
# SPDX-License-Identifier: ISC
#
# import_opendkim.sh - `inkan-milter --import-opendkim` on the configurations
# of tests/data/opendkim: Debian's default opendkim.conf, a single-domain
# Domain/Selector/KeyFile setup, a KeyTable/refile: SigningTable setup and
# one full of settings that do not carry over. Each import must give a
# configuration `inkan-milter -n` accepts; those with keys must sign a
# message (--evaluate) with a signature dkimpy verifies against the public
# keys, and must not sign what OpenDKIM would not have signed. Keys are made
# with inkan-keys at run time in a temporary directory.
#
# usage: import_opendkim.sh INKAN-MILTER INKAN-KEYS

set -u

if [ $# -ne 2 ]; then
	echo "usage: import_opendkim.sh INKAN-MILTER INKAN-KEYS" >&2
	exit 2
fi
milter=$1 keys=$2
here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
data="$here/../data/opendkim"
verify="$here/../interop/verify_dkimpy.py"
# Signed at a fixed time and verified at that same time (never the wall clock).
NOW=1795000000
tmp=$(mktemp -d "${TMPDIR:-/tmp}/import-opendkim.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# Copies of the test data with @DIR@ pointing into $tmp.
for f in "$data"/*; do
	sed "s|@DIR@|$tmp|g" "$f" >"$tmp/$(basename "$f")"
done
mkdir "$tmp/keys" "$tmp/tables" "$tmp/deb-tables"

# key DOMAIN SELECTOR [TYPE]: a key in $tmp/keys/DOMAIN/SELECTOR.private,
# its record appended to $tmp/zone.
key() {
	if ! "$keys" generate --domain "$1" --selector "$2" --type "${3:-rsa}" \
	    --dir "$tmp/keys" >>"$tmp/zone" 2>"$tmp/keys.err"; then
		cat "$tmp/keys.err"
		echo "FAIL: inkan-keys generate --domain $1 --selector $2"
		exit 1
	fi
}

# import NAME WANT-STATUS [options]: import $tmp/NAME.conf into
# $tmp/NAME.out (stderr in $tmp/NAME.err); the status must be WANT-STATUS.
import() {
	name=$1 want=$2
	shift 2
	"$milter" --import-opendkim "$tmp/$name.conf" "$@" >"$tmp/$name.out" \
	    2>"$tmp/$name.err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$name: import exits $want"
	else
		bad "$name: import exits $got, want $want"
		cat "$tmp/$name.err"
	fi
}

# unitsocket NAME: the import moved OpenDKIM's socket to the unit's
# /run/inkan, which exists only while inkan-milter.service runs: for -n
# here, the same socket name in $tmp instead.
unitsocket() {
	sed -i "s|^socket = unix:/run/inkan/inkan.sock\$|socket = unix:$tmp/inkan.sock|" \
	    "$tmp/$1.out"
}

# accepted NAME: inkan-milter -n accepts the import with N keys.
# -n as root loads the file again as its "user" (opendkim), as a reload
# will: that user must reach the file and read the keys, as on a real
# system (where /etc/opendkim/keys and /etc/dkimkeys belong to opendkim).
accepted() {
	chmod 755 "$tmp"
	if id opendkim >/dev/null 2>&1; then
		for d in "$tmp/keys" "$tmp/dkimkeys"; do
			[ ! -d "$d" ] || chown -R opendkim: "$d"
		done
	fi
	if out=$("$milter" -n -c "$tmp/$1.out" 2>&1) &&
	    echo "$out" | grep -q "configuration is valid; $2 signing keys"; then
		ok "$1: inkan-milter -n accepts it ($2 keys)"
	else
		bad "$1: inkan-milter -n: $out"
		cat "$tmp/$1.out"
	fi
}

# has NAME LINE: the import holds this exact line.
has() {
	if grep -qxF -- "$2" "$tmp/$1.out"; then
		ok "$1: has '$2'"
	else
		bad "$1: no line '$2'"
	fi
}

# untranslated NAME SETTING...: exactly these settings are listed as not
# translated, in the output and on stderr.
untranslated() {
	name=$1
	shift
	want=$(printf '%s\n' "$@" | sort)
	got_out=$(sed -n 's/^# not translated: \([^ ]*\) .*/\1/p' "$tmp/$name.out" | sort)
	got_err=$(sed -n 's/^[^ ]*:[0-9]*: not translated: \([^ ]*\) .*/\1/p' \
	    "$tmp/$name.err" | sort)
	if [ "$got_out" = "$want" ] && [ "$got_err" = "$want" ]; then
		ok "$name: not translated: $(echo $want)"
	else
		bad "$name: not translated: want [$(echo $want)], output has" \
		    "[$(echo $got_out)], stderr has [$(echo $got_err)]"
	fi
}

# signs NAME MSG-FROM CLIENT-IP D [evaluate options]: the import signs a
# message from MSG-FROM with d=D, and dkimpy verifies every signature.
signs() {
	name=$1 from=$2 ip=$3 dom=$4
	shift 4
	printf 'From: Alice <%s>\nTo: bob@example.net\nSubject: migrated\nDate: Mon, 24 Nov 2025 10:00:00 +0000\nMessage-ID: <%s@test>\n\nSigned by inkan.\n' \
	    "$from" "$name" >"$tmp/msg.eml"
	if ! "$milter" --evaluate "$tmp/msg.eml" --config "$tmp/$name.out" \
	    --dns-zone "$tmp/zone" --client-ip "$ip" --helo client.example \
	    --mail-from "$from" --now "$NOW" "$@" >"$tmp/signed.eml" 2>"$tmp/eval.err"; then
		bad "$name: --evaluate failed for $from"
		cat "$tmp/eval.err"
		return
	fi
	if ! grep -q "^DKIM-Signature:.* d=$dom;" "$tmp/signed.eml"; then
		bad "$name: mail from $from via $ip not signed with d=$dom"
		cat "$tmp/eval.err"
		return
	fi
	if v=$("$verify" --now "$NOW" --zone "$tmp/zone" "$tmp/signed.eml" 2>&1); then
		ok "$name: mail from $from via $ip signed; dkimpy: $(echo $v)"
	else
		bad "$name: signature from $from does not verify: $v"
	fi
}

# unsigned NAME MSG-FROM CLIENT-IP: the import does not sign it.
unsigned() {
	printf 'From: <%s>\nSubject: x\n\nx\n' "$2" >"$tmp/msg.eml"
	"$milter" --evaluate "$tmp/msg.eml" --config "$tmp/$1.out" \
	    --dns-zone "$tmp/zone" --client-ip "$3" --helo client.example \
	    --mail-from "$2" --json >"$tmp/eval.json" 2>"$tmp/eval.err"
	if grep -q '"role": "sign", "signed": \[\]' "$tmp/eval.json" ||
	    grep -q '"role": "verify"' "$tmp/eval.json"; then
		ok "$1: mail from $2 via $3 not signed"
	else
		bad "$1: mail from $2 via $3: $(cat "$tmp/eval.json")"
	fi
}

key example.com mail
mv "$tmp/keys/example.com/mail.private" "$tmp/keys/example.com.private"
key example.com rsa2024
key example.com ed2024 ed25519
key example.org mail
# Debian's /etc/dkimkeys/example.private, selector 2020, for example.com
key example.net 2020
mkdir -m 700 "$tmp/dkimkeys"
mv "$tmp/keys/example.net/2020.private" "$tmp/dkimkeys/example.private"
sed -i 's/^2020\._domainkey\.example\.net\./2020._domainkey.example.com./' \
    "$tmp/zone"

# 1. Debian's default, as shipped: no keys; everything carries over (PidFile,
# which systemd makes unnecessary, is a note), so the import exits 0; the
# socket in /run/opendkim, which inkan-milter.service cannot write, moves to
# /run/inkan with a note saying Postfix's smtpd_milters must follow.
if [ "$(md5sum <"$data/debian-bookworm.conf")" = \
    "5ad260d06704f44102594fa2b71d2681  -" ]; then
	ok "debian-bookworm.conf is the file Debian ships"
else
	bad "debian-bookworm.conf differs from Debian's opendkim.conf"
fi
import debian-bookworm 0
untranslated debian-bookworm
has debian-bookworm "socket = unix:/run/inkan/inkan.sock"
if sed -n 's/^# //p' "$tmp/debian-bookworm.out" | tr '\n' ' ' |
    grep -q "change Postfix's smtpd_milters (and non_smtpd_milters) to unix:/run/inkan/inkan.sock"; then
	ok "debian-bookworm: the socket note says Postfix's smtpd_milters changes"
else
	bad "debian-bookworm: no note on Postfix's smtpd_milters"
fi
if grep -q '^#   .*: PidFile /run/opendkim/opendkim.pid -- inkan-milter.service needs no PID file' \
    "$tmp/debian-bookworm.out"; then
	ok "debian-bookworm: PidFile is a note (nothing to do)"
else
	bad "debian-bookworm: PidFile is not listed as nothing to do"
fi
unitsocket debian-bookworm
accepted debian-bookworm 0
has debian-bookworm "user = opendkim"
has debian-bookworm "canonicalization = relaxed/simple"
has debian-bookworm "oversign_headers = From"
has debian-bookworm "dns_trust_anchor = /usr/share/dns/root.key"
has debian-bookworm "log = syslog"
has debian-bookworm "log_level = info"

# ... and with a key added as its comments say: uncomment Domain, Selector
# and KeyFile (the key kept elsewhere than /etc/dkimkeys).
sed -e 's/^#Domain/Domain/' -e 's/^#Selector/Selector/' \
    -e "s|^#KeyFile.*|KeyFile\t\t$tmp/dkimkeys/example.private|" \
    "$tmp/debian-bookworm.conf" >"$tmp/debian-key.conf"
import debian-key 0 --table-dir "$tmp/deb-tables"
untranslated debian-key
unitsocket debian-key
accepted debian-key 1
has debian-key "key_table = $tmp/deb-tables/KeyTable"
has debian-key "signing_table = refile:$tmp/deb-tables/SigningTable"
signs debian-key alice@example.com 127.0.0.1 example.com
unsigned debian-key alice@example.org 127.0.0.1
unsigned debian-key alice@example.com 192.0.2.1
signs debian-key alice@example.com 192.0.2.1 example.com --auth-user alice
# the tables are never overwritten
import debian-key 2 --table-dir "$tmp/deb-tables"
# without --table-dir the tables are printed, not written
import debian-key 1
untranslated debian-key Domain Selector KeyFile
unitsocket debian-key
accepted debian-key 0
if grep -q "^#   example.com example.com:2020:$tmp/dkimkeys/example.private\$" \
    "$tmp/debian-key.out"; then
	ok "debian-key: the KeyTable line is shown without --table-dir"
else
	bad "debian-key: the KeyTable line is not shown without --table-dir"
fi

# 2. One domain with Domain/Selector/KeyFile, SubDomains, InternalHosts.
# UserID opendkim:opendkim carries over when that is the user's own group
# (as the opendkim package makes it); otherwise it is listed. PidFile
# (/var/run/opendkim) is a note.
if [ "$(id -gn opendkim 2>/dev/null)" = opendkim ]; then
	import single 0 --table-dir "$tmp/tables"
	untranslated single
else
	import single 1 --table-dir "$tmp/tables"
	untranslated single UserID
fi
accepted single 1
has single "socket = inet:8891@localhost"
has single "internal_hosts = 127.0.0.1, ::1, 10.0.0.0/8"
has single "user = opendkim"
has single "syslog_facility = local3"
signs single alice@example.com 10.1.2.3 example.com
# SubDomains: the parent domain signs
signs single alice@sub.example.com 127.0.0.1 example.com
unsigned single alice@example.org 10.1.2.3
unsigned single alice@example.com 192.0.2.1

# 3. KeyTable and refile: SigningTable for several domains, an Include,
# InternalHosts from a file, MTA names.
import tables 0
accepted tables 3
has tables "key_table = $tmp/KeyTable"
has tables "signing_table = refile:$tmp/SigningTable"
has tables "internal_hosts = 127.0.0.1, ::1, 192.168.1.0/24"
has tables "canonicalization = relaxed/simple"
has tables "oversign_headers = From, Subject"
has tables "sign_daemons = ORIGINATING"
has tables "dns_timeout = 3000"
has tables "dmarc_tempfail_on_temperror = no"
if grep -q '^sign_headers = .*List-Post' "$tmp/tables.out" &&
    ! grep -Eq '^sign_headers = (.*, )?Reply-To(,|$)' "$tmp/tables.out"; then
	ok "tables: SignHeaders *,+List-Post,-Reply-To"
else
	bad "tables: SignHeaders: $(grep '^sign_headers' "$tmp/tables.out")"
fi
signs tables alice@example.com 192.168.1.7 example.com
if [ "$(grep -c '^DKIM-Signature:' "$tmp/signed.eml")" -eq 2 ]; then
	ok "tables: example.com gets its RSA and its Ed25519 signature"
else
	bad "tables: example.com did not get two signatures"
fi
signs tables alice@example.org 127.0.0.1 example.org
signs tables alice@lists.example.org 192.0.2.9 example.org \
    --daemon-name ORIGINATING
unsigned tables alice@example.net 127.0.0.1
unsigned tables alice@example.com 192.0.2.9

# 4. Settings that do not carry over.
import untranslatable 1
untranslated untranslatable Mode PeerList SoftwareHeader On-BadSignature \
    SignatureAlgorithm InternalHosts MinimumKeyBits ResolverConfiguration \
    Statistics SyslogName KeyTable SigningTable NoSuchSetting
accepted untranslatable 0
has untranslatable "internal_hosts = 127.0.0.1"
has untranslatable "dmarc_enforce = no"
if grep -q '^#   .*: AutoRestart yes -- ' "$tmp/untranslatable.out" &&
    grep -q '^#   .*: QueryCache yes -- ' "$tmp/untranslatable.out"; then
	ok "untranslatable: AutoRestart and QueryCache need nothing"
else
	bad "untranslatable: AutoRestart or QueryCache not listed as nothing to do"
fi
if grep -q 'secret' "$tmp/untranslatable.err" "$tmp/untranslatable.out"; then
	bad "untranslatable: a database password is repeated in the output"
else
	ok "untranslatable: database passwords are not repeated"
fi

# 5. Input that cannot be read.
"$milter" --import-opendkim "$tmp/no-such.conf" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'no-such.conf' "$tmp/err"; then
	ok "unreadable file: exit 2 naming it"
else
	bad "unreadable file: exit $rc: $(cat "$tmp/err")"
fi
printf 'Include %s/loop.conf\n' "$tmp" >"$tmp/loop.conf"
"$milter" --import-opendkim "$tmp/loop.conf" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q 'Include nested' "$tmp/err"; then
	ok "Include loop: exit 2"
else
	bad "Include loop: exit $rc: $(cat "$tmp/err")"
fi

# 6. Hostile input: odd bytes, huge values, long lists; an exit status
# (0, 1 or 2), never a crash.
{
	printf 'Socket\nMode\t\t\t\nDomain ,,,\nSelector -\nKeyFile x\n'
	printf 'InternalHosts [::1, [, ], !, /, 1.2.3.4/99, %s\n' \
	    "$(printf '10.%d.0.0/16, ' $(seq 1 255))"
	printf 'SignHeaders *,+,-,+:,%s\n' "$(head -c 3000 /dev/zero | tr '\0' 'A')"
	printf 'Syslog \001\nUMask 0x\nDNSTimeout -5\nMaximumSignaturesToVerify 99999999999999999999\n'
	printf 'MacroList daemon_name=|||,daemon_name\nKeyTable refile:\nSigningTable file:\n'
	head -c 2000 /dev/urandom | tr -d '\000#'
	printf '\n'
} >"$tmp/hostile.conf"
"$milter" --import-opendkim "$tmp/hostile.conf" >"$tmp/hostile.out" 2>"$tmp/hostile.err"
rc=$?
# (a sanitizer build reports with exit 1: look for its report too)
if [ "$rc" -le 2 ] && ! grep -q 'Sanitizer\|runtime error' "$tmp/hostile.err"; then
	ok "hostile input: exit $rc"
else
	bad "hostile input: exit $rc"
	tail -5 "$tmp/hostile.err"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
