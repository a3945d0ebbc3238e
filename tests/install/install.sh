#!/bin/bash
# SPDX-License-Identifier: ISC
#
# install.sh - what `cmake --install` puts where, and that the systemd files
# and man pages it installs are valid:
#   * a fresh configure without -DCMAKE_INSTALL_PREFIX picks /usr (Debian's
#     layout: /usr/sbin, /usr/bin, /etc/inkan), never /usr/local;
#   * `cmake --install BUILD` into a DESTDIR installs exactly the expected
#     files with the expected modes, nothing else;
#   * a second install keeps an /etc/inkan/inkan.conf the admin changed;
#   * the installed example configuration passes `inkan-milter -n`;
#   * the installed Postfix snippets parse with postconf and give the
#     settings of the README's Postfix guide, as scripts/quickstart does;
#   * the man pages pass `mandoc -Tlint -W warning` and sit in the section
#     their .Dt line names;
#   * the unit passes `systemd-analyze verify` in the installed tree (its
#     ExecStart binaries are the installed ones) and `systemd-analyze
#     security` rates its sandbox at most 2.0 ("OK");
#   * systemd-sysusers and systemd-tmpfiles, run on the installed tree as
#     root directory, create the user inkan and /etc/inkan/keys and
#     /var/lib/inkan (0750, owned by inkan);
#   * run as the unit runs it (already the configured user, umask 0007), the
#     daemon starts, its unix socket is mode 0660, and a process of another
#     user in the socket's group may connect while one outside it may not.
#
# usage: install.sh SRCDIR BUILDDIR PREFIX SBINDIR BINDIR MANDIR DOCDIR CONFDIR LIBEXECDIR
# (the configured, absolute GNUInstallDirs paths; CMake passes them).
# Needs root (chown, setpriv), systemd (systemd-analyze, systemd-sysusers,
# systemd-tmpfiles), mandoc, postfix (postconf) and python3: missing tools
# are failures.
set -u

if [ $# -ne 9 ]; then
	echo "usage: install.sh SRCDIR BUILDDIR PREFIX SBINDIR BINDIR MANDIR DOCDIR CONFDIR LIBEXECDIR" >&2
	exit 2
fi
src=$1 build=$2 prefix=$3 sbindir=$4 bindir=$5 mandir=$6 docdir=$7 confdir=$8 libexecdir=$9
npass=0 nfail=0
ok() { npass=$((npass + 1)); echo "ok: $1"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $1"; }
py=/usr/bin/python3

for tool in cmake mandoc systemd-analyze systemd-sysusers systemd-tmpfiles setpriv postconf "$py"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "FAIL: $tool is not installed (scripts/deps test installs systemd, mandoc, postfix, python3)"
		exit 1
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: needs root (file ownership, setpriv)"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/install.XXXXXX") || exit 1
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
root=$tmp/root

# 1. The default prefix, from a configure of its own (configure only).
if cmake -S "$src" -B "$tmp/fresh" -DBUILD_TESTING=OFF >"$tmp/fresh.log" 2>&1; then
	p=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$tmp/fresh/CMakeCache.txt")
	[ "$p" = /usr ] && ok "default install prefix is /usr" ||
	    bad "default install prefix is '$p', want /usr"
else
	bad "a fresh configure failed:"; cat "$tmp/fresh.log"
fi
rm -rf "$tmp/fresh"
case $prefix in
/usr) [ "$sbindir:$bindir:$confdir" = /usr/sbin:/usr/bin:/etc/inkan ] &&
	ok "prefix /usr: sbin /usr/sbin, bin /usr/bin, configuration /etc/inkan" ||
	bad "prefix /usr gives sbin=$sbindir bin=$bindir conf=$confdir" ;;
*) echo "note: this build was configured with prefix $prefix; checking that layout" ;;
esac

# 2. Install into a DESTDIR: exactly these files, with these modes.
if DESTDIR=$root cmake --install "$build" >"$tmp/install.log" 2>&1; then
	ok "cmake --install into DESTDIR"
else
	bad "cmake --install failed:"; cat "$tmp/install.log"
	echo "$npass passed, $nfail failed"
	exit 1
fi
expected="0755 $sbindir/inkan-milter
0755 $sbindir/inkan-reports
0755 $bindir/inkan-keys
0644 $mandir/man1/inkan-keys.1
0644 $mandir/man5/inkan.conf.5
0644 $mandir/man8/inkan-milter.8
0644 $mandir/man8/inkan-reports.8
0644 $confdir/inkan.conf
0644 $confdir/reports.conf
0644 $docdir/examples/inkan.conf
0644 $docdir/examples/reports.conf
0644 $docdir/examples/postfix-main.cf
0644 $docdir/examples/postfix-master.cf
0644 $docdir/examples/sendmail.mc
0644 $prefix/lib/systemd/system/inkan-milter.service
0644 $prefix/lib/systemd/system/inkan-reports.service
0644 $prefix/lib/systemd/system/inkan-reports.timer
0755 $libexecdir/inkan/inkan-reports-daily
0644 $prefix/lib/sysusers.d/inkan.conf
0644 $prefix/lib/tmpfiles.d/inkan.conf
0644 $prefix/share/locale/ja/LC_MESSAGES/inkan.mo"
got=$(cd "$root" && find . \! -type d -printf '%#m /%P\n' | sed 's/^0*\([0-7]\{4\}\) /\1 /' | sort -k2)
want=$(printf '%s\n' "$expected" | sort -k2)
if [ "$got" = "$want" ]; then
	ok "installed files and modes are exactly the expected $(printf '%s\n' "$want" | wc -l)"
else
	bad "installed files differ from the expected layout (- expected, + installed):"
	diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed -n 's/^[<>]/    &/p'
fi
odd=$(cd "$root" && find . -type d \! -perm 0755 -printf '/%P %m\n')
[ -z "$odd" ] && ok "every installed directory is 0755" || bad "directories not 0755: $odd"
case $prefix in
/usr/local*) ;;
*) if [ -e "$root/usr/local" ]; then
	bad "something was installed under /usr/local:"; find "$root/usr/local" | sed 's/^/    /'
   else
	ok "nothing under /usr/local"
   fi ;;
esac
for f in inkan.conf reports.conf; do
	cmp -s "$src/contrib/$f" "$root$confdir/$f" &&
	    ok "$confdir/$f is contrib/$f" || bad "$confdir/$f differs from contrib/$f"
done
unit=$root$prefix/lib/systemd/system/inkan-milter.service
sed -e "s#/usr/sbin/inkan-milter#$sbindir/inkan-milter#g" \
    -e "s#/etc/inkan/inkan.conf#$confdir/inkan.conf#g" \
    "$src/contrib/inkan-milter.service" >"$tmp/unit.want"
cmp -s "$tmp/unit.want" "$unit" &&
    ok "the unit is contrib/inkan-milter.service with this prefix's paths" ||
    { bad "the installed unit differs:"; diff "$tmp/unit.want" "$unit" | sed 's/^/    /'; }
runit=$root$prefix/lib/systemd/system/inkan-reports.service
daily=$root$libexecdir/inkan/inkan-reports-daily
grep -qx "ExecStart=$libexecdir/inkan/inkan-reports-daily" "$runit" &&
    ok "inkan-reports.service runs $libexecdir/inkan/inkan-reports-daily" ||
    bad "inkan-reports.service: $(grep ^ExecStart= "$runit")"
grep -q "^reports=$sbindir/inkan-reports\$" "$daily" &&
    grep -q "^conf=\${1:-$confdir/inkan.conf}\$" "$daily" &&
    grep -q "^rconf=\${2:-$confdir/reports.conf}\$" "$daily" &&
    ok "inkan-reports-daily runs $sbindir/inkan-reports, reads $confdir" ||
    bad "inkan-reports-daily has other paths: $(grep -E '^(reports|conf|rconf)=' "$daily" | tr '\n' ' ')"
cmp -s "$src/contrib/inkan-reports.timer" "$root$prefix/lib/systemd/system/inkan-reports.timer" &&
    ok "the timer is contrib/inkan-reports.timer" || bad "the installed timer differs"
grep -q "^ExecStart=$sbindir/inkan-milter -f -c $confdir/inkan.conf\$" "$unit" &&
    ok "ExecStart runs $sbindir/inkan-milter -f -c $confdir/inkan.conf" ||
    bad "ExecStart is not '$sbindir/inkan-milter -f -c $confdir/inkan.conf': $(grep ^ExecStart= "$unit")"

# 3. Reinstalling keeps the admin's configuration.
printf '# changed by the admin\nsocket = inet:9999@127.0.0.1\n' >"$root$confdir/inkan.conf"
printf '# changed by the admin\norg_name = Example\n' >"$root$confdir/reports.conf"
cp "$root$confdir/inkan.conf" "$tmp/admin.conf"
cp "$root$confdir/reports.conf" "$tmp/admin-reports.conf"
if DESTDIR=$root cmake --install "$build" >"$tmp/install2.log" 2>&1 &&
    cmp -s "$tmp/admin.conf" "$root$confdir/inkan.conf" &&
    cmp -s "$tmp/admin-reports.conf" "$root$confdir/reports.conf"; then
	ok "a second install keeps the admin's $confdir/inkan.conf and reports.conf"
else
	bad "a second install overwrote $confdir/inkan.conf or reports.conf, or failed:"; cat "$tmp/install2.log"
fi
grep -q "Keeping: .*/inkan.conf" "$tmp/install2.log" && grep -q "Keeping: .*/reports.conf" "$tmp/install2.log" &&
    ok "and says so" || bad "the second install did not say it kept inkan.conf and reports.conf"
cp "$src/contrib/inkan.conf" "$root$confdir/inkan.conf"
cp "$src/contrib/reports.conf" "$root$confdir/reports.conf"

# 4. The installed binary accepts the installed example configuration.
out=$("$root$sbindir/inkan-milter" -n -c "$root$confdir/inkan.conf" 2>&1)
rc=$?
[ $rc -eq 0 ] && ok "inkan-milter -n accepts the installed inkan.conf" ||
    bad "inkan-milter -n -c inkan.conf: exit $rc: $out"

# 4b. The installed Postfix snippets parse (postconf) and say what the
# README's Postfix guide says; scripts/quickstart prints the same.
pf=$tmp/postfix
mkdir -p "$pf"
cp "$root$docdir/examples/postfix-main.cf" "$pf/main.cf"
cp /usr/share/postfix/master.cf.dist "$pf/master.cf" 2>/dev/null || : >"$pf/master.cf"
cat "$root$docdir/examples/postfix-master.cf" >>"$pf/master.cf"
got=$(postconf -c "$pf" -x -h smtpd_milters non_smtpd_milters milter_default_action \
    milter_protocol 2>&1 | tr '\n' ' ')
[ "$got" = "inet:127.0.0.1:8894 inet:127.0.0.1:8894 tempfail 6 " ] &&
    ok "postfix-main.cf: milters for smtpd and non-smtpd, tempfail, protocol 6" ||
    bad "postfix-main.cf gives: $got"
got=$(postconf -c "$pf" -P submission/inet/milter_macro_daemon_name \
    submissions/inet/milter_macro_daemon_name 2>&1 | tr '\n' ' ')
[ "$got" = "submission/inet/milter_macro_daemon_name = ORIGINATING submissions/inet/milter_macro_daemon_name = ORIGINATING " ] &&
    ok "postfix-master.cf: submission and submissions are ORIGINATING" ||
    bad "postfix-master.cf gives: $got"
# (scripts/quickstart prints contrib/postfix-main.cf's lines: the test
# quickstart_advise compares its output with the README's blocks)
for line in "milter_default_action = tempfail" "milter_protocol = 6"; do
	grep -qx "$line" "$src/contrib/postfix-main.cf" && grep -qx "$line" "$src/README.md" &&
	    grep -q 'contrib/postfix-main.cf"' "$src/scripts/quickstart" &&
	    ok "scripts/quickstart (from contrib/postfix-main.cf) and README.md say $line" ||
	    bad "scripts/quickstart or README.md does not say $line"
done

# 5. Man pages.
for page in "$root$mandir"/man*/*; do
	name=${page##*/}
	dir=${page%/*}; dir=${dir##*/man}
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	[ -z "$out" ] && ok "mandoc -Tlint: $name" || { bad "mandoc -Tlint $name:"; printf '%s\n' "$out"; }
	sec=$(sed -n 's/^\.Dt [^ ]* \([0-9]\).*/\1/p' "$page")
	[ "$sec" = "$dir" ] && [ "$name" = "${name%."$sec"}.$sec" ] &&
	    ok "$name is in man$dir as its .Dt says" || bad "$name: .Dt section '$sec', installed in man$dir"
done

# 6. systemd: the unit in the installed tree (ExecReload's kill comes from the host).
kill_bin=$(sed -n 's/^ExecReload=\([^ ]*\).*/\1/p' "$unit")
case $kill_bin in
/*) mkdir -p "$root${kill_bin%/*}" && cp "$kill_bin" "$root$kill_bin" ;;
*) bad "ExecReload has no absolute path: $kill_bin" ;;
esac
out=$(systemd-analyze verify --root="$root" --man=no --recursive-errors=no \
    inkan-milter.service 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && ok "systemd-analyze verify: the unit is clean" ||
    { bad "systemd-analyze verify (exit $rc):"; printf '%s\n' "$out" | sed 's/^/    /'; }
out=$(systemd-analyze verify --root="$root" --man=no --recursive-errors=no \
    inkan-reports.service inkan-reports.timer 2>&1)
rc=$?
[ $rc -eq 0 ] && [ -z "$out" ] && ok "systemd-analyze verify: inkan-reports.service and .timer are clean" ||
    { bad "systemd-analyze verify inkan-reports (exit $rc):"; printf '%s\n' "$out" | sed 's/^/    /'; }
# sendmail(8) of Postfix runs the set-group-id postdrop: nothing may set or
# imply NoNewPrivileges= (systemd.exec(5): seccomp filters do, with User=).
nnp=$(grep -E '^(NoNewPrivileges=yes|PrivateDevices=yes|ProtectClock=yes|ProtectKernel[A-Za-z]*=yes|ProtectControlGroups=yes|ProtectHostname=yes|RestrictAddressFamilies=|RestrictNamespaces=|RestrictRealtime=yes|RestrictSUIDSGID=yes|LockPersonality=yes|MemoryDenyWriteExecute=yes|SystemCall[A-Za-z]*=|ProtectSystem=strict)' "$runit" | tr '\n' ' ')
[ -z "$nnp" ] && ok "inkan-reports.service leaves postdrop its set-group-id (no NoNewPrivileges, set or implied)" ||
    bad "inkan-reports.service would stop postdrop's set-group-id: $nnp"
for want in "User=inkan" "Group=inkan" "Type=oneshot"; do
	grep -qx "$want" "$runit" && ok "inkan-reports.service: $want" || bad "inkan-reports.service lacks $want"
done
for want in "OnCalendar=*-*-* 00:15:00 UTC" "Persistent=true" "WantedBy=timers.target"; do
	grep -qxF "$want" "$root$prefix/lib/systemd/system/inkan-reports.timer" &&
	    ok "inkan-reports.timer: $want" || bad "inkan-reports.timer lacks $want"
done
out=$(systemd-analyze security --offline=yes --root="$root" --threshold=20 \
    inkan-milter.service 2>&1)
rc=$?
level=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for inkan-milter.service: \([0-9.]*\).*/\1/p')
[ $rc -eq 0 ] && [ -n "$level" ] && ok "systemd-analyze security: exposure $level (at most 2.0)" ||
    { bad "systemd-analyze security: exposure '$level' (exit $rc), want at most 2.0:"; printf '%s\n' "$out" | grep '✗' | sed 's/^/    /'; }
for want in "User=inkan" "Group=inkan" "UMask=0007" "RuntimeDirectory=inkan" \
    "RuntimeDirectoryMode=0750" "StateDirectory=inkan" "ProtectSystem=strict" \
    "PrivateTmp=yes" "NoNewPrivileges=yes"; do
	grep -qx "$want" "$unit" && ok "unit: $want" || bad "unit lacks $want"
done
rw=$(grep -E '^(ReadWritePaths|StateDirectory|RuntimeDirectory|LogsDirectory|CacheDirectory)=' "$unit" | sort | tr '\n' ' ')
[ "$rw" = "RuntimeDirectory=inkan StateDirectory=inkan " ] &&
    ok "unit: writable are only /run/inkan and /var/lib/inkan" || bad "unit: writable paths: $rw"

mkdir -p "$root/etc"	# not installed into when the configuration lives elsewhere
if systemd-sysusers --root="$root" >"$tmp/sysusers.log" 2>&1; then
	ok "systemd-sysusers --root on the installed tree"
else
	bad "systemd-sysusers failed:"; cat "$tmp/sysusers.log"
fi
pw=$(grep '^inkan:' "$root/etc/passwd" 2>/dev/null)
uid=$(printf '%s' "$pw" | cut -d: -f3)
gid=$(printf '%s' "$pw" | cut -d: -f4)
grp=$(grep '^inkan:' "$root/etc/group" 2>/dev/null | cut -d: -f3)
if [ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] && [ "$gid" = "$grp" ] &&
    [ "$(printf '%s' "$pw" | cut -d: -f6-)" = /var/lib/inkan:/usr/sbin/nologin ]; then
	ok "sysusers: system user inkan ($uid), group inkan, home /var/lib/inkan, no login"
else
	bad "sysusers made '$pw' (group inkan: '$grp')"
fi
if systemd-tmpfiles --root="$root" --create >"$tmp/tmpfiles.log" 2>&1; then
	ok "systemd-tmpfiles --root --create on the installed tree"
else
	bad "systemd-tmpfiles failed:"; cat "$tmp/tmpfiles.log"
fi
for d in /etc/inkan/keys /var/lib/inkan; do
	st=$(stat -c '%a %u %g' "$root$d" 2>/dev/null)
	[ "$st" = "750 $uid $gid" ] && ok "tmpfiles: $d is 0750 inkan:inkan" ||
	    bad "tmpfiles: $d is '$st', want '750 $uid $gid'"
done

# 7. As the unit runs it: already the configured user, umask 0007, a unix
# socket in a 0750 runtime directory. "nobody"/"nogroup" stand in for
# inkan (a user the host knows, as getpwnam needs), "daemon" for postfix.
rundir=$tmp/run
mkdir -m 0750 "$rundir" && chown nobody:nogroup "$rundir"
cat >"$tmp/run.conf" <<CONF
socket = unix:$rundir/inkan.sock
user = nobody
log = stderr
CONF
chmod 0644 "$tmp/run.conf"
chmod 0755 "$tmp"
(umask 0007; exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$root$sbindir/inkan-milter" -f -c "$tmp/run.conf") 2>"$tmp/run.log" &
daemon_pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/run.log" && break; sleep 0.1; done
if grep -q listening "$tmp/run.log"; then
	ok "started as its configured user (systemd's User=), inkan-milter runs"
	st=$(stat -c '%A %U %G' "$rundir/inkan.sock")
	[ "$st" = "srw-rw---- nobody nogroup" ] && ok "the socket is 0660 nobody:nogroup" ||
	    bad "the socket is '$st'"
	connect='import socket,sys
s=socket.socket(socket.AF_UNIX)
try: s.connect(sys.argv[1])
except OSError as e: print(e); sys.exit(1)'
	setpriv --reuid=daemon --regid=daemon --groups=nogroup "$py" -c "$connect" "$rundir/inkan.sock" >"$tmp/c1" 2>&1 &&
	    ok "a user in the socket's group may connect" || bad "a user in the group cannot connect: $(cat "$tmp/c1")"
	if setpriv --reuid=daemon --regid=daemon --clear-groups "$py" -c "$connect" "$rundir/inkan.sock" >"$tmp/c2" 2>&1; then
		bad "a user outside the group could connect"
	elif grep -q 'Permission denied' "$tmp/c2"; then
		ok "a user outside the group may not connect (Permission denied)"
	else
		bad "connecting from outside the group failed, but not for permissions: $(cat "$tmp/c2")"
	fi
	kill -TERM "$daemon_pid"
	wait "$daemon_pid"
	rc=$?
	daemon_pid=
	[ $rc -eq 0 ] && [ ! -e "$rundir/inkan.sock" ] && ok "SIGTERM: exit 0, socket removed" ||
	    bad "SIGTERM: exit $rc, socket $( [ -e "$rundir/inkan.sock" ] && echo left || echo removed)"
else
	bad "inkan-milter did not start as its own configured user:"; cat "$tmp/run.log"
fi

echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
