#!/bin/sh
# SPDX-License-Identifier: ISC
# lint.sh MANDIR CONFIG_C: the man pages pass `mandoc -Tlint -W warning`
# cleanly, and inkan.conf.5 documents every setting in config.c's cfg_keys[].
set -u
if [ $# -ne 2 ]; then
	echo "usage: lint.sh MANDIR CONFIG_C" >&2
	exit 2
fi
mandir=$1 config=$2
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

if ! command -v mandoc >/dev/null 2>&1; then
	echo "FAIL: mandoc is not installed (scripts/deps test installs it)"
	exit 1
fi
for page in inkan-milter.8 inkan.conf.5 inkan-keys.1 inkan-reports.8; do
	f=$mandir/$page
	if [ ! -f "$f" ]; then
		bad "$page: missing"
		continue
	fi
	out=$(mandoc -Tlint -W warning "$f" 2>&1)
	if [ -n "$out" ]; then
		bad "$page: mandoc -Tlint -W warning:"
		printf '%s\n' "$out"
	else
		ok
	fi
done

# .Dd is a fixed date, not $Mdocdate$ (which only CVS fills in: mandoc
# then prints the build date).
for page in inkan-milter.8 inkan.conf.5 inkan-reports.8 inkan-keys.1; do
	if grep -Eq '^\.Dd (January|February|March|April|May|June|July|August|September|October|November|December) [1-9][0-9]?, 20[0-9][0-9]$' \
	    "$mandir/$page" 2>/dev/null; then
		ok
	else
		bad "$page: .Dd is not a date such as 'December 4, 2026': $(grep '^\.Dd' "$mandir/$page")"
	fi
done

# the quoted first field of each `{ "name", CFG_...` entry of cfg_keys[]
names=$(sed -n '/cfg_keys\[\] = {/,/^};/p' "$config" |
    sed -n 's/^[[:space:]]*{[[:space:]]*"\([a-z0-9_]*\)",[[:space:]]*CFG_.*/\1/p')
if [ -z "$names" ]; then
	bad "no settings found in $config"
fi
for n in $names; do
	if grep -q "^\.It Cm $n\( \|\$\)" "$mandir/inkan.conf.5" 2>/dev/null; then
		ok
	else
		bad "inkan.conf.5 does not document setting '$n'"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
