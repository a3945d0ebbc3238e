#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# gen_week.py DIR - a week of DMARC aggregate reports about example.com
# for html.sh (the page of `received --html`) and metrics.sh: each day
# 2001-09-02 .. 2001-09-08 (UTC) one report from each of three receivers,
# and one report whose organisation name and policy are hostile HTML.
# Fixed numbers (no clock, no randomness): per day d = 0..6
#   192.0.2.1     100 + 10 d messages, SPF and DKIM aligned: pass
#   192.0.2.7     40 (d < 4), then 0: SPF pass for esp.example, no DKIM
#   198.51.100.5  3 every day: SPF fail, no DKIM (forged)
# per receiver; the hostile report: 2 more from 203.0.113.66 (pass).
import os
import sys

DAY0 = 999388800        # 2001-09-02 00:00 UTC
ORGS = ('google.com', 'Microsoft', 'Yahoo')


def record(ip, count, dkim, spf, auth_dkim=(), auth_spf=()):
    x = [f'<record><row><source_ip>{ip}</source_ip><count>{count}</count>'
         f'<policy_evaluated><disposition>none</disposition><dkim>{dkim}</dkim>'
         f'<spf>{spf}</spf></policy_evaluated></row>'
         '<identifiers><header_from>example.com</header_from></identifiers>'
         '<auth_results>']
    for d, s, r in auth_dkim:
        x.append(f'<dkim><domain>{d}</domain><selector>{s}</selector>'
                 f'<result>{r}</result></dkim>')
    for d, r in auth_spf:
        x.append(f'<spf><domain>{d}</domain><scope>mfrom</scope>'
                 f'<result>{r}</result></spf>')
    x.append('</auth_results></record>\n')
    return ''.join(x)


def report(org, rid, begin, records, policy='<p>none</p>'):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<feedback>\n'
            f'<report_metadata><org_name>{org}</org_name>'
            '<email>noreply-dmarc@reporter.example</email>'
            f'<report_id>{rid}</report_id><date_range><begin>{begin}</begin>'
            f'<end>{begin + 86399}</end></date_range></report_metadata>\n'
            '<policy_published><domain>example.com</domain><adkim>r</adkim>'
            f'<aspf>r</aspf>{policy}</policy_published>\n'
            + ''.join(records) + '</feedback>\n')


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for d in range(7):
        for k, org in enumerate(ORGS):
            recs = [record('192.0.2.1', 100 + 10 * d, 'pass', 'pass',
                           [('example.com', 'rsa', 'pass')],
                           [('example.com', 'pass')])]
            if d < 4:
                recs.append(record('192.0.2.7', 40, 'fail', 'fail', (),
                                   [('esp.example', 'pass')]))
            recs.append(record('198.51.100.5', 3, 'fail', 'fail', (),
                               [('example.com', 'fail')]))
            with open(os.path.join(out, f'w{d}-{k}.xml'), 'w') as f:
                f.write(report(org, f'w{d}-{k}', DAY0 + d * 86400, recs))
    hostile = report('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x '
                     'onerror=alert(2)&gt;&amp;&quot;\'', 'evil-1',
                     DAY0 + 6 * 86400,
                     [record('203.0.113.66', 2, 'pass', 'pass',
                             [('example.com', 'rsa', 'pass')],
                             [('example.com', 'pass')])])
    with open(os.path.join(out, 'evil.xml'), 'w') as f:
        f.write(hostile)


main()
