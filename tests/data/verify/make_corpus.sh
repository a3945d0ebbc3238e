#!/bin/sh
# SPDX-License-Identifier: ISC
#
# make_corpus.sh - regenerate the DKIM verification corpus in this directory:
# zone, *.eml (CRLF line ends) and expected.tsv, from the test keys in keys/
# (made here only when absent; they are committed so that the output stays
# the same). Run by hand, not by CTest; its output is committed.
#
#   tests/data/verify/make_corpus.sh [--no-check]
#
# Signers (all offline, nothing from the network):
#   dkimpy     (python3-dkim, + python3-nacl for Ed25519), in corpus.py;
#              dkim.DKIM.sign() has no timestamp argument, so corpus.py
#              replaces time.time() for the call: t=1790000000.
#   Mail::DKIM (libmail-dkim-perl), sign_maildkim.pl; Timestamp and
#              Expiration are arguments of Mail::DKIM::Signer: t= and x=.
#   OpenDKIM   (opendkim 2.11), "opendkim -x CONF -vv -t MSG" with "Mode s",
#              Domain, Selector, KeyFile: test mode runs the milter
#              callbacks offline and -vv prints the DKIM-Signature it would
#              insert ("### INSHEADER: ... hvalue='...'"). "RequireSafeKeys
#              no" because the key copy is under /tmp. OpenDKIM has no option
#              for t= (it calls time()), so it runs with LD_PRELOAD of a
#              time() replacement (tests/interop/fixtime.c) built here with cc, which
#              answers FIXTIME=1790000000; without cc, t= is the current
#              time (a warning says so) and the OpenDKIM messages differ on
#              every run.
# Everything else (Ed25519 and RSA-PKCS#1 v1.5 signatures) is deterministic.
#
# After writing, every message is verified with tests/interop/verify_dkimpy.py,
# verify_maildkim.pl and verify_opendkim.sh against the zone, and each
# signature's outcome is compared with what corpus.py expects of that
# verifier (see the CASES table
# there: where dkimpy's or Mail::DKIM's policy differs from inkan's rules,
# the expected.tsv note says so). --no-check skips that.

set -eu

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
keys=$here/keys
mkdir -p "$keys"

genrsa()	# genrsa FILE BITS
{
	[ -f "$keys/$1" ] || openssl genpkey -algorithm RSA \
	    -pkeyopt "rsa_keygen_bits:$2" -out "$keys/$1" 2>/dev/null
}
genrsa rsa2048.pem 2048
genrsa rsa2048-other.pem 2048
genrsa rsa1024.pem 1024
genrsa rsa512.pem 512
[ -f "$keys/ed25519.pem" ] || openssl genpkey -algorithm ED25519 \
    -out "$keys/ed25519.pem"

# OpenDKIM refuses keys (and their directories) that others can read or
# write; git does not keep modes, so sign from private copies.
work=$(mktemp -d "${TMPDIR:-/tmp}/make_corpus.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 2' HUP INT TERM
chmod 700 "$work"

if cc -shared -fPIC -o "$work/fixtime.so" "$here/../../interop/fixtime.c" 2>/dev/null; then
	FIXTIME_SO=$work/fixtime.so
else
	echo "make_corpus.sh: no cc: OpenDKIM signs with the current time" >&2
	FIXTIME_SO=
fi
export FIXTIME_SO

/usr/bin/python3 "$here/corpus.py" "$here" "$work" "$@"
