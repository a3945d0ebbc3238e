#!/bin/bash
# SPDX-License-Identifier: ISC
#
# quickstart.sh - what `scripts/quickstart run` prints before it starts the
# milter (issue 15), through `scripts/quickstart advise`, which is that part
# alone (no packages, no build, no daemon):
#   * on a host without a domain name it says why the key is for
#     example.com and how to choose (INKAN_DOMAIN=); with INKAN_DOMAIN set
#     it says nothing of the kind and makes the key for that domain;
#   * without /etc/postfix/main.cf (Debian's "No configuration") it says how
#     to give Postfix a base configuration; with one it does not;
#   * the main.cf lines it prints are exactly README.md's blocks (section 4
#     and the Postfix guide) and the setting lines of contrib/postfix-main.cf;
#   * it ends with the next steps: an --evaluate line that, run as printed,
#     signs the message with the new key; a swaks line; inkan-keys check.
#
# usage: quickstart.sh SOURCE-DIR BUILD-DIR
# Prints a line per check and "N passed, M failed"; exit 1 on any failure.

set -u

src=$1
build=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/quickstart.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
npass=0
nfail=0
ok() { npass=$((npass + 1)); echo "ok: $1"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $1"; }

# a host without a domain name, whatever this one has
mkdir "$tmp/bin"
cat >"$tmp/bin/hostname" <<'SH'
#!/bin/sh
[ "${1:-}" = -d ] && exit 0
echo vm
SH
chmod +x "$tmp/bin/hostname"

# advise NAME [VAR=VALUE...]: scripts/quickstart advise into $tmp/NAME.out
advise() {
	name=$1
	shift
	mkdir -p "$tmp/$name.build"
	ln -sfn "$build/milter" "$tmp/$name.build/milter"
	ln -sfn "$build/keys-tool" "$tmp/$name.build/keys-tool"
	rc=0
	env -u INKAN_DOMAIN PATH="$tmp/bin:$PATH" INKAN_BUILD="$tmp/$name.build" \
	    QUICKSTART_KEYS="$tmp/$name.keys" POSTFIX_MAIN_CF="$tmp/main.cf" "$@" \
	    sh "$src/scripts/quickstart" advise >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
	[ "$rc" -eq 0 ] && ok "$name: advise exits 0" ||
	    { bad "$name: advise exits $rc"; cat "$tmp/$name.err"; }
}

advise nodomain
grep -q '^== This host has no domain name (hostname -d prints none), so the key is$' "$tmp/nodomain.out" &&
    grep -q 'INKAN_DOMAIN=example.org scripts/quickstart run' "$tmp/nodomain.out" &&
    ok "no domain name: says why example.com, and how to choose" ||
    { bad "no domain name: not explained"; cat "$tmp/nodomain.out"; }
[ -f "$tmp/nodomain.keys/example.com/default.private" ] &&
    ok "no domain name: the key is for example.com" || bad "no example.com key"

# no main.cf (none at $tmp/main.cf yet)
grep -q "^== Postfix has no $tmp/main.cf (Debian's \"No configuration\" choice" "$tmp/nodomain.out" &&
    grep -q 'dpkg-reconfigure postfix' "$tmp/nodomain.out" &&
    grep -q "cp /usr/share/postfix/main.cf.debian $tmp/main.cf" "$tmp/nodomain.out" &&
    ok "no main.cf: says how to give Postfix a base configuration" ||
    { bad "no main.cf: no advice"; cat "$tmp/nodomain.out"; }

# the main.cf lines: the README's blocks and contrib/postfix-main.cf
sed -n "/^== Add to Postfix's/,/^\$/p" "$tmp/nodomain.out" |
    grep -v '^==\|^   \|^$' >"$tmp/printed"
sed -e '/^#/d' -e '/^$/d' "$src/contrib/postfix-main.cf" >"$tmp/contrib"
# every ``` block of README.md that starts with smtpd_milters
awk '/^```/ { if (inb) { inb = 0; n++; next } else { inb = 1; first = 1; next } }
    inb && first { first = 0; if ($0 !~ /^smtpd_milters = /) { inb = 0; next } }
    inb { print > (dir "/readme." n) }' dir="$tmp" "$src/README.md"
nblocks=$(ls "$tmp"/readme.* 2>/dev/null | wc -l)
[ "$nblocks" -ge 2 ] && ok "README.md has $nblocks main.cf blocks" ||
    bad "README.md: $nblocks main.cf blocks, want the two (section 4, Postfix guide)"
[ -s "$tmp/printed" ] && cmp -s "$tmp/printed" "$tmp/contrib" &&
    ok "quickstart prints contrib/postfix-main.cf's lines" ||
    { bad "quickstart's main.cf lines differ from contrib/postfix-main.cf"; diff "$tmp/printed" "$tmp/contrib"; }
for f in "$tmp"/readme.*; do
	[ -f "$f" ] || continue
	cmp -s "$tmp/printed" "$f" && ok "README block $(basename "$f") is what quickstart prints" ||
	    { bad "README block $(basename "$f") differs from quickstart's"; diff "$tmp/printed" "$f"; }
done
grep -qx 'non_smtpd_milters = $smtpd_milters' "$tmp/printed" &&
    ok 'quickstart prints non_smtpd_milters = $smtpd_milters' ||
    bad 'quickstart does not print non_smtpd_milters = $smtpd_milters'

# the next steps, last
tail -n 7 "$tmp/nodomain.out" | grep -q '^== Next' &&
    ok "the output ends with the next steps" || { bad "no next steps at the end"; tail -n 8 "$tmp/nodomain.out"; }
grep -q '^       swaks --server 127.0.0.1 --from you@example.com ' "$tmp/nodomain.out" &&
    ok "a swaks line" || bad "no swaks line"
grep -qx "       $tmp/nodomain.build/keys-tool/inkan-keys check --domain example.com --dir $tmp/nodomain.keys" \
    "$tmp/nodomain.out" && ok "an inkan-keys check line" || bad "no inkan-keys check line"
evaluate=$(sed -n 's/^       \(.*inkan-milter --evaluate .*\)$/\1/p' "$tmp/nodomain.out")
if [ -z "$evaluate" ]; then
	bad "no --evaluate line"
elif eval "$evaluate" >"$tmp/signed.eml" 2>"$tmp/eval.err" &&
    grep -q '^DKIM-Signature:.* d=example.com;' "$tmp/signed.eml"; then
	ok "the --evaluate line, run as printed, signs with d=example.com"
else
	bad "the --evaluate line does not sign: $evaluate"
	cat "$tmp/eval.err"
fi

# a domain given, and a main.cf present
cp /usr/share/postfix/main.cf.debian "$tmp/main.cf" 2>/dev/null || echo 'myhostname = mx.example.org' >"$tmp/main.cf"
advise given INKAN_DOMAIN=example.org
! grep -q 'no domain name' "$tmp/given.out" && [ -f "$tmp/given.keys/example.org/default.private" ] &&
    ok "INKAN_DOMAIN=example.org: its key, no word about example.com" ||
    { bad "INKAN_DOMAIN=example.org: wrong key or message"; cat "$tmp/given.out"; }
! grep -q '^== Postfix has no' "$tmp/given.out" &&
    ok "a main.cf: no base-configuration advice" || bad "a main.cf: advice given anyway"

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
