#!/bin/bash
# SPDX-License-Identifier: ISC
#
# package.sh - the Debian package, from scripts/package to dpkg --purge:
#   * scripts/package builds dist/inkan_VERSION_ARCH.deb (into a temporary
#     directory here), VERSION starting with CMakeLists.txt's version;
#   * built again, it is the same file (reproducible: no clock, no paths);
#   * lintian finds no errors and no warnings in it;
#   * a fresh Debian 12 root (debootstrap --variant=minbase from the host's
#     mirror) gets the package's dependencies, and then the package with
#     apt, as the README says; inroot.sh, run there, checks the install, an
#     upgrade to a second version (built here from the first by dpkg-deb)
#     and the purge: see its header.
# usage: package.sh SRCDIR VERSION
# Needs root, dpkg-buildpackage, debhelper, lintian, debootstrap, unshare and
# the Debian mirror of /etc/apt/sources.list.d/debian.sources (or
# sources.list): missing is a failure, never a skip. The downloaded packages
# are kept in /var/cache/inkan-tests (only a cache: the root is new every run).
set -u

if [ $# -ne 2 ]; then
	echo "usage: package.sh SRCDIR VERSION" >&2
	exit 2
fi
src=$1 base=$2
here=$(cd "$(dirname "$0")" && pwd)
npass=0 nfail=0
ok() { npass=$((npass + 1)); echo "ok: $1"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $1"; }
finish() { echo "$npass passed, $nfail failed"; [ "$nfail" -eq 0 ]; exit; }

for tool in dpkg-buildpackage dh dpkg-deb lintian debootstrap unshare chroot; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "FAIL: $tool is not installed (scripts/deps test installs debhelper, dpkg-dev, lintian, debootstrap)"
		exit 1
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: needs root (debootstrap, chroot)"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/package.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# 1. Build.
if "$src/scripts/package" -o "$tmp/dist" >"$tmp/package.log" 2>&1; then
	ok "scripts/package built a package"
else
	bad "scripts/package failed:"; sed 's/^/    /' "$tmp/package.log"
	finish
fi
arch=$(dpkg --print-architecture)
debs=$(cd "$tmp/dist" && ls)
case $debs in
"inkan_${base}_$arch.deb"|"inkan_${base}~git"[0-9]*.[0-9]*"_$arch.deb")
	ok "it is dist/$debs (version $base from CMakeLists.txt)" ;;
*) bad "scripts/package made '$debs', want inkan_${base}[~gitDATE.TIME]_$arch.deb"; finish ;;
esac
deb=$tmp/dist/$debs
version=$(dpkg-deb -f "$deb" Version)
grep -q "scripts/package: $tmp/dist/$debs\$" "$tmp/package.log" &&
    ok "scripts/package names the file it made" || bad "scripts/package did not name $debs"

# The same tree gives the same package (dates from the last commit, not
# the clock; another temporary directory).
if "$src/scripts/package" -o "$tmp/again" >"$tmp/again.log" 2>&1 &&
    cmp -s "$deb" "$tmp/again/$debs"; then
	ok "a second build is byte for byte the same"
else
	bad "a second build differs or failed:"; tail -n 20 "$tmp/again.log" | sed 's/^/    /'
fi
rm -rf "$tmp/again"

# 2. lintian.
lintian --fail-on error,warning "$deb" >"$tmp/lintian.log" 2>&1
rc=$?
grep -v '^running with root privileges' "$tmp/lintian.log" | grep -v '^I: ' >"$tmp/lintian.tags"
if [ $rc -eq 0 ] && ! grep -q '^[EW]: ' "$tmp/lintian.tags"; then
	ok "lintian: no errors, no warnings"
else
	bad "lintian (exit $rc):"; sed 's/^/    /' "$tmp/lintian.log"
fi

# The second version, for the upgrade: the same files, a higher version, and
# a changed /etc/inkan/inkan.conf (so dpkg meets a conffile both sides changed).
rep=$tmp/repack
dpkg-deb -R "$deb" "$rep" || { bad "dpkg-deb -R failed"; finish; }
version2=$version+1
sed -i "s/^Version: .*/Version: $version2/" "$rep/DEBIAN/control"
echo "# (a line added in $version2)" >>"$rep/etc/inkan/inkan.conf"
# (DEBIAN/md5sums lists no conffiles: it stays right)
deb2=$tmp/dist/inkan_${version2}_$arch.deb
if dpkg-deb --root-owner-group -b "$rep" "$deb2" >"$tmp/repack.log" 2>&1; then
	ok "a second version $version2 for the upgrade"
else
	bad "dpkg-deb -b failed:"; cat "$tmp/repack.log"; finish
fi

# 3. A fresh Debian root.
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
[ -n "$mirror" ] || mirror=$(awk '/^deb / && /debian/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
if [ -z "$mirror" ]; then
	bad "no Debian mirror in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
	finish
fi
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
cache=/var/cache/inkan-tests
mkdir -p "$cache/debootstrap" "$cache/apt/partial"
root=$tmp/root
if debootstrap --variant=minbase --cache-dir="$cache/debootstrap" "$codename" \
    "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1; then
	ok "debootstrap --variant=minbase $codename from $mirror"
else
	bad "debootstrap failed:"; tail -n 30 "$tmp/debootstrap.log" | sed 's/^/    /'
	finish
fi
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
	rm -f "$root/etc/apt/sources.list"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/root/pkg"
cp "$deb" "$deb2" "$here/inroot.sh" "$root/root/pkg/"

# 4. In the root, with /proc (systemd-tmpfiles needs it) and the package
# cache mounted; in a mount namespace of its own where one can be made
# private (so nothing stays mounted whatever happens), else (this test in a
# chroot, where "/" is no mount point) in this one, unmounted on exit.
cat >"$tmp/launch.sh" <<'SH'
root=$1 cache=$2; shift 2
mount -t proc proc "$root/proc" || exit 1
mount --bind "$cache/apt" "$root/var/cache/apt/archives" || { umount "$root/proc"; exit 1; }
chroot "$root" /usr/bin/env -i HOME=/root LC_ALL=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive bash /root/pkg/inroot.sh "$@"
rc=$?
umount "$root/var/cache/apt/archives" "$root/proc"
exit $rc
SH
args=("$root" "$cache" "$(basename "$deb")" "$(basename "$deb2")" "$version" "$version2")
if unshare --mount --propagation private true 2>/dev/null; then
	unshare --mount --propagation private --fork sh "$tmp/launch.sh" "${args[@]}" >"$tmp/inroot.log" 2>&1
	rc=$?
else
	trap 'umount -l "$root/var/cache/apt/archives" "$root/proc" 2>/dev/null; rm -rf "$tmp"' EXIT
	sh "$tmp/launch.sh" "${args[@]}" >"$tmp/inroot.log" 2>&1
	rc=$?
fi
cat "$tmp/inroot.log"
p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$tmp/inroot.log" | tail -n 1)
if [ -n "$p" ] && [ $rc -eq 0 ] && [ "${p#* }" = 0 ]; then
	npass=$((npass + ${p% *}))
else
	bad "in the fresh root: exit $rc"
	[ -n "$p" ] && npass=$((npass + ${p% *})) && nfail=$((nfail + ${p#* }))
fi
finish
