#!/bin/bash
# SPDX-License-Identifier: ISC
#
# inroot.sh - run by package.sh inside a fresh Debian root, as root, with
# the two packages in /root/pkg:
#   * apt installs the dependencies; then, with the root recorded, the
#     package itself (apt-get install ./DEB, as the README says);
#   * its files are exactly the expected ones, with their modes (README.md,
#     NEWS, LICENSE and copyright in /usr/share/doc/inkan); the two
#     files in /etc/inkan are conffiles;
#   * the user inkan exists (a system user, home /var/lib/inkan, no login)
#     and /etc/inkan/keys and /var/lib/inkan are 0750 inkan:inkan;
#   * nothing that listens is enabled or started: inkan-milter.service is
#     disabled and the package never asked systemd to start it, while the
#     report timer is enabled and started (systemctl is a recorder here:
#     /run/systemd/system makes the package scripts believe systemd runs);
#   * inkan-milter -n passes with the installed configuration, as root and
#     as inkan, also with a key made by inkan-keys;
#   * the report service's command, as inkan, does nothing without
#     dmarc_report_db, refuses to go on without org_name and email, names an
#     unknown reports.conf setting, and runs inkan-reports once both are set;
#   * an upgrade to the second version keeps the admin's inkan.conf (changed
#     in the package too: the new one is inkan.conf.dpkg-dist) and
#     reports.conf, and restarts the milter the admin enabled;
#   * apt-get remove keeps the configuration; dpkg --purge removes it and
#     the report database, keeps the admin's keys, and once those are
#     deleted the root is as before the install but for the user inkan.
# usage: inroot.sh DEB DEB2 VERSION VERSION2
set -u
deb=/root/pkg/$1 deb2=/root/pkg/$2 version=$3 version2=$4
npass=0 nfail=0
ok() { npass=$((npass + 1)); echo "ok: $1"; }
bad() { nfail=$((nfail + 1)); echo "FAIL: $1"; }
finish() { echo "$npass passed, $nfail failed"; [ "$nfail" -eq 0 ]; exit; }
log=/root/systemctl.log
asinkan() { setpriv --reuid=inkan --regid=inkan --init-groups "$@"; }
conf=/etc/inkan/inkan.conf rconf=/etc/inkan/reports.conf

# The root before the package: every file's type, mode and owner (and a
# file's size), except the package manager's own records and caches.
snapshot() {
	find / -xdev \( -path /proc -o -path /root -o -path /tmp -o -path /var/cache \
	    -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/log \) -prune -o \
	    \( -type f -printf '%p f %m %U %G %s\n' \) -o \( ! -type f -printf '%p %y %m %U %G\n' \) |
	    sort
}

# 1. The dependencies, from the mirror.
if apt-get update >/root/update.log 2>&1; then
	ok "apt-get update"
else
	bad "apt-get update failed:"; tail -n 20 /root/update.log; finish
fi
depends=$(dpkg-deb -f "$deb" Depends)
if apt-get satisfy -y --no-install-recommends "$depends" >/root/deps.log 2>&1; then
	ok "the dependencies: $depends"
else
	bad "apt-get satisfy failed:"; tail -n 30 /root/deps.log; finish
fi
# (in /usr/sbin: ahead of /usr/bin in the PATH apt gives dpkg, DPkg::Path)
mkdir -p /run/systemd/system
cat >/usr/sbin/systemctl <<'SH'
#!/bin/sh
# records what the package scripts ask of systemd, answers from the files
echo "$*" >>/root/systemctl.log
case " $* " in
*" --root="*) exec /usr/bin/systemctl "$@" ;;
*" is-enabled "*) exec /usr/bin/systemctl --root=/ "$@" ;;
*" is-active "*) echo inactive; exit 3 ;;
esac
exit 0
SH
chmod 0755 /usr/sbin/systemctl
snapshot >/root/before.txt

# 2. Install.
if apt-get install -y --no-install-recommends "$deb" >/root/install.log 2>&1; then
	ok "apt-get install ./${deb##*/}"
else
	bad "apt-get install failed:"; tail -n 30 /root/install.log; finish
fi
st=$(dpkg-query -W -f '${Status} ${Version}' inkan 2>&1)
[ "$st" = "install ok installed $version" ] && ok "dpkg: inkan $version installed" ||
    bad "dpkg-query says '$st'"
want="0644 /etc/inkan/inkan.conf
0644 /etc/inkan/reports.conf
0644 /lib/systemd/system/inkan-milter.service
0644 /lib/systemd/system/inkan-reports.service
0644 /lib/systemd/system/inkan-reports.timer
0755 /usr/bin/inkan-keys
0644 /usr/lib/sysusers.d/inkan.conf
0644 /usr/lib/tmpfiles.d/inkan.conf
0755 /usr/libexec/inkan/inkan-reports-daily
0755 /usr/sbin/inkan-milter
0755 /usr/sbin/inkan-reports
0644 /usr/share/doc/inkan/LICENSE
0644 /usr/share/doc/inkan/NEWS.gz
0644 /usr/share/doc/inkan/README.md.gz
0644 /usr/share/doc/inkan/changelog.gz
0644 /usr/share/doc/inkan/copyright
0644 /usr/share/doc/inkan/examples/inkan.conf
0644 /usr/share/doc/inkan/examples/postfix-main.cf
0644 /usr/share/doc/inkan/examples/postfix-master.cf
0644 /usr/share/doc/inkan/examples/reports.conf
0644 /usr/share/doc/inkan/examples/sendmail.mc
0644 /usr/share/locale/ja/LC_MESSAGES/inkan.mo
0644 /usr/share/man/man1/inkan-keys.1.gz
0644 /usr/share/man/man5/inkan.conf.5.gz
0644 /usr/share/man/man8/inkan-milter.8.gz
0644 /usr/share/man/man8/inkan-reports.8.gz"
got=$(dpkg -L inkan | while read -r f; do [ -f "$f" ] && stat -c '%a %n' "$f"; done |
    sed 's/^\([0-7][0-7][0-7]\) /0\1 /' | sort -k2)
[ "$got" = "$want" ] && ok "the package's files and modes are exactly the expected $(echo "$want" | wc -l)" ||
    { bad "the package's files differ (- expected, + installed):"; diff <(echo "$want") <(echo "$got") | sed -n 's/^[<>]/    &/p'; }
cmp -s $conf /usr/share/doc/inkan/examples/inkan.conf &&
    ok "$conf is the example" || bad "$conf differs from the example"
zcat /usr/share/doc/inkan/NEWS.gz | head -n 1 | grep -q '^inkan NEWS' &&
    zcat /usr/share/doc/inkan/README.md.gz | head -n 1 | grep -qx '# inkan' &&
    head -n 1 /usr/share/doc/inkan/LICENSE | grep -qx 'ISC License' &&
    grep -q '^ Permission to use, copy, modify, and distribute' /usr/share/doc/inkan/copyright &&
    ok "/usr/share/doc/inkan: README.md, NEWS, LICENSE and copyright (the license, machine-readable)" ||
    bad "/usr/share/doc/inkan lacks README.md, NEWS, LICENSE or the license text in copyright"
cf=$(cat /var/lib/dpkg/info/inkan.conffiles 2>/dev/null | sort | tr '\n' ' ')
[ "$cf" = "$conf $rconf " ] && ok "conffiles: $cf" || bad "conffiles: '$cf'"

pw=$(getent passwd inkan)
uid=$(echo "$pw" | cut -d: -f3) gid=$(echo "$pw" | cut -d: -f4)
if [ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] &&
    [ "$(getent group inkan | cut -d: -f3)" = "$gid" ] &&
    [ "$(echo "$pw" | cut -d: -f6-)" = /var/lib/inkan:/usr/sbin/nologin ]; then
	ok "the user inkan: system user $uid, group inkan, home /var/lib/inkan, no login"
else
	bad "the user inkan: '$pw'"
fi
for d in /etc/inkan/keys /var/lib/inkan; do
	st=$(stat -c '%a %U %G' "$d" 2>&1)
	[ "$st" = "750 inkan inkan" ] && ok "$d is 0750 inkan:inkan" || bad "$d: '$st'"
done

en=$(/usr/bin/systemctl --root=/ is-enabled inkan-milter.service 2>&1)
[ "$en" = disabled ] && [ ! -e /etc/systemd/system/multi-user.target.wants/inkan-milter.service ] &&
    ok "inkan-milter.service is not enabled" || bad "inkan-milter.service is '$en'"
en=$(/usr/bin/systemctl --root=/ is-enabled inkan-reports.timer 2>&1)
[ "$en" = enabled ] && [ -L /etc/systemd/system/timers.target.wants/inkan-reports.timer ] &&
    ok "inkan-reports.timer is enabled" || bad "inkan-reports.timer is '$en'"
if grep -Eq '(^| )(start|restart|reload|try-restart|reload-or-restart) .*inkan-milter' "$log"; then
	bad "the package asked systemd to start inkan-milter:"; sed 's/^/    /' "$log"
else
	ok "the package never asked systemd to start inkan-milter"
fi
grep -Eq '(^| )start inkan-reports.timer$' "$log" && ok "it started inkan-reports.timer" ||
    { bad "it did not start inkan-reports.timer:"; sed 's/^/    /' "$log"; }

# 3. inkan-milter -n, as root and as inkan; then with a key.
# stdout is the verdict; stderr the warnings a fresh install must show
# (nothing signed yet) and, with a single-label host name, the authserv-id's
out=$(inkan-milter -n -c $conf 2>/root/n.err)
[ "$out" = "$conf: configuration is valid; 0 signing keys" ] &&
    grep -q '^warning: nothing will be signed' /root/n.err &&
    ok "inkan-milter -n: $out, and warns that nothing will be signed" ||
    bad "inkan-milter -n -c $conf: $out $(cat /root/n.err)"
out=$(asinkan inkan-milter -n 2>/root/n.err)
[ "$out" = "$conf: configuration is valid; 0 signing keys" ] &&
    grep -q '^warning: nothing will be signed' /root/n.err &&
    ok "as inkan, inkan-milter -n reads $conf by default" ||
    bad "as inkan: inkan-milter -n: $out $(cat /root/n.err)"
if inkan-keys generate --domain example.com --selector s1 --dir /etc/inkan/keys >/root/keys.log 2>&1 &&
    chown -R inkan:inkan /etc/inkan/keys/example.com; then
	printf '# the admin\nkey_dir = /etc/inkan/keys\n' >>$conf
	out=$(asinkan inkan-milter -n -c $conf 2>/root/n.err)
	[ "$out" = "$conf: configuration is valid; 1 signing keys" ] &&
	    ! grep -q 'nothing will be signed' /root/n.err &&
	    ok "with a key from inkan-keys in /etc/inkan/keys, as inkan: $out" ||
	    bad "with a key: $out $(cat /root/n.err)"
else
	bad "inkan-keys generate failed:"; cat /root/keys.log
fi

# 4. The report service's command (ExecStart), as the service runs it.
daily=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/inkan-reports.service)
[ "$daily" = /usr/libexec/inkan/inkan-reports-daily ] && grep -qx 'User=inkan' /lib/systemd/system/inkan-reports.service &&
    ok "inkan-reports.service runs $daily as inkan" || bad "inkan-reports.service runs '$daily'"
out=$(cd / && asinkan "$daily" 2>&1)
rc=$?
[ $rc -eq 0 ] && case $out in *"sets no dmarc_report_db"*) true ;; *) false ;; esac &&
    ok "without dmarc_report_db it does nothing: $out" || bad "without a database: exit $rc: $out"
echo 'dmarc_report_db = /var/lib/inkan/dmarc-reports.db' >>$conf
out=$(cd / && asinkan "$daily" 2>&1)
rc=$?
[ $rc -eq 1 ] && case $out in *"does not set org_name and email"*) true ;; *) false ;; esac &&
    ok "with a database but no org_name and email it fails and says so" || bad "without org_name: exit $rc: $out"
cp $rconf /root/typo.conf && echo 'emial = postmaster@example.com' >>/root/typo.conf && chmod 0644 /root/typo.conf
out=$(cd / && "$daily" $conf /root/typo.conf 2>&1)
rc=$?
[ $rc -eq 1 ] && case $out in *"line "*": unknown setting 'emial'"*) true ;; *) false ;; esac &&
    ok "an unknown reports.conf setting is named: $out" || bad "a typo in reports.conf: exit $rc: $out"
printf '# the admin\norg_name = Example Mail\nemail = postmaster@example.com\nsendmail = /bin/cat\n' >>$rconf
out=$(cd / && asinkan "$daily" 2>&1)
rc=$?
st=$(stat -c '%U' /var/lib/inkan/dmarc-reports.db 2>&1)
[ $rc -eq 0 ] && [ "$st" = inkan ] &&
    ok "with org_name and email it runs inkan-reports (the database, empty, made by inkan)" ||
    bad "inkan-reports-daily: exit $rc, database owner '$st': $out"
out=$(inkan-milter -n -c $conf 2>&1) && ok "the admin's inkan.conf is valid" || bad "inkan-milter -n: $out"

# 5. Upgrade; the admin has enabled the milter.
cp $conf /root/admin.conf; cp $rconf /root/admin-reports.conf
/usr/bin/systemctl --root=/ enable inkan-milter.service >/dev/null 2>&1
: >"$log"
if apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold "$deb2" \
    >/root/upgrade.log 2>&1; then
	ok "apt-get install ./${deb2##*/} (an upgrade; --force-confold)"
else
	bad "the upgrade failed:"; tail -n 30 /root/upgrade.log
fi
st=$(dpkg-query -W -f '${Status} ${Version}' inkan 2>&1)
[ "$st" = "install ok installed $version2" ] && ok "dpkg: inkan $version2 installed" || bad "after the upgrade: '$st'"
cmp -s /root/admin.conf $conf && ok "the upgrade kept the admin's $conf" || bad "the upgrade changed $conf"
grep -q "a line added in $version2" $conf.dpkg-dist 2>/dev/null &&
    ok "the new version's inkan.conf is $conf.dpkg-dist" || bad "no $conf.dpkg-dist with the new version's file"
cmp -s /root/admin-reports.conf $rconf && ! ls $rconf.dpkg-* >/dev/null 2>&1 &&
    ok "the upgrade kept the admin's $rconf (unchanged in the package: no question)" ||
    bad "the upgrade changed $rconf or left $(ls $rconf.dpkg-* 2>/dev/null)"
grep -Eq '(^| )restart inkan-milter.service$' "$log" &&
    ok "the upgrade restarted the enabled inkan-milter" || { bad "the upgrade did not restart inkan-milter:"; sed 's/^/    /' "$log"; }
[ "$(/usr/bin/systemctl --root=/ is-enabled inkan-milter.service 2>&1)" = enabled ] &&
    [ "$(/usr/bin/systemctl --root=/ is-enabled inkan-reports.timer 2>&1)" = enabled ] &&
    ok "after the upgrade the milter and the timer are still enabled" || bad "the upgrade changed what is enabled"
out=$(asinkan inkan-milter -n 2>/root/n.err)
[ "$out" = "$conf: configuration is valid; 1 signing keys" ] && ok "after the upgrade: $out" || bad "after the upgrade: $out"

# 6. Remove, then purge.
if apt-get remove -y inkan >/root/remove.log 2>&1; then
	ok "apt-get remove inkan"
else
	bad "apt-get remove failed:"; tail -n 20 /root/remove.log
fi
st=$(dpkg-query -W -f '${Status}' inkan 2>&1)
[ "$st" = "deinstall ok config-files" ] && [ ! -e /usr/sbin/inkan-milter ] && cmp -s /root/admin.conf $conf &&
    ok "removed; the configuration stays" || bad "after remove: '$st', $(ls /etc/inkan /usr/sbin/inkan-milter 2>&1 | tr '\n' ' ')"
grep -Eq '(^| )stop inkan-milter.service$' "$log" && ok "remove stopped inkan-milter" ||
    { bad "remove did not stop inkan-milter:"; sed 's/^/    /' "$log"; }
if dpkg --purge inkan >/root/purge.log 2>&1; then
	ok "dpkg --purge inkan"
else
	bad "dpkg --purge failed:"; cat /root/purge.log
fi
left=$(cd /etc/inkan 2>/dev/null && find . | sort | tr '\n' ' ')
[ "$left" = ". ./keys ./keys/example.com ./keys/example.com/s1.private " ] &&
    grep -q 'keeping the signing keys in /etc/inkan/keys' /root/purge.log &&
    ok "purge removed the configuration, kept the admin's key and said so" ||
    bad "after purge /etc/inkan holds: $left; purge said: $(cat /root/purge.log)"
[ ! -e /var/lib/inkan ] && ok "purge removed /var/lib/inkan (the report database)" || bad "/var/lib/inkan is still there"
dpkg-query -W inkan >/dev/null 2>&1 && bad "dpkg still knows inkan" || ok "dpkg no longer knows inkan"
rm -rf /etc/inkan
snapshot >/root/after.txt
# The user and group stay (Debian does not remove system users): only these
# files may differ.
users='^/etc/(passwd|group|shadow|gshadow)-? '
diffs=$(diff /root/before.txt /root/after.txt | sed -n 's/^[<>] //p' | grep -Ev "$users")
if [ -z "$diffs" ]; then
	ok "after the purge the root is as before the install (but for the user inkan)"
else
	bad "after the purge the root differs from before the install (< before, > after):"
	diff /root/before.txt /root/after.txt | grep '^[<>]' | grep -Ev "^[<>] $users" | sed 's/^/    /'
fi
getent passwd inkan >/dev/null && ok "the user inkan stays" || bad "the user inkan is gone"
finish
