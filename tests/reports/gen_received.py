#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# gen_received.py DIR - writes the received DMARC aggregate reports that
# received.sh imports: both formats (RFC 7489 appendix C, RFC 9990's
# urn:ietf:params:xml:ns:dmarc-2.0) in every packaging (xml, xml.gz, zip,
# a message with the report attached as base64 and as quoted-printable,
# a maildir, an mbox, standard input), and hostile ones in DIR/hostile/.
# Everything is fixed (no clock, no randomness), so the numbers received.sh
# checks are these:
#   example.com (reports a1 and b-2):
#     192.0.2.1     10 + 5 messages, all DMARC pass; 5 of them carry a
#                   failing signature (s=ed) beside a passing one (s=rsa)
#     192.0.2.7     1204 + 6, SPF pass for esp.example (not aligned), no
#                   DKIM; the 6 quarantined
#     198.51.100.5  3, SPF "hardfail", no DKIM
#     total 1228, DMARC pass 15
#   other.example: one report per packaging, ids c3 d4 e5 f6 g7 h8 i9 j10
import gzip
import io
import os
import sys
import zipfile
import base64
import quopri

NS9990 = 'urn:ietf:params:xml:ns:dmarc-2.0'


def record(ip, count, dkim, spf, disp='none', auth_dkim=(), auth_spf=(),
           reasons=(), header_from='example.com'):
    x = ['  <record>\n    <row>\n'
         f'      <source_ip>{ip}</source_ip>\n      <count>{count}</count>\n'
         f'      <policy_evaluated>\n        <disposition>{disp}</disposition>\n'
         f'        <dkim>{dkim}</dkim>\n        <spf>{spf}</spf>\n']
    for t, c in reasons:
        x.append('        <reason>')
        if t is not None:
            x.append(f'<type>{t}</type>')
        if c is not None:
            x.append(f'<comment>{c}</comment>')
        x.append('</reason>\n')
    x.append('      </policy_evaluated>\n    </row>\n'
             f'    <identifiers>\n      <header_from>{header_from}</header_from>\n'
             '    </identifiers>\n    <auth_results>\n')
    for d, s, r in auth_dkim:
        x.append(f'      <dkim><domain>{d}</domain><selector>{s}</selector>'
                 f'<result>{r}</result></dkim>\n')
    for d, s, r in auth_spf:
        x.append(f'      <spf><domain>{d}</domain><scope>{s}</scope>'
                 f'<result>{r}</result></spf>\n')
    x.append('    </auth_results>\n  </record>\n')
    return ''.join(x)


def report(org, rid, domain, records, ns=None, begin=1000000000,
           end=1000086399, extra_policy=''):
    xmlns = f' xmlns="{ns}"' if ns else ''
    version = '  <version>1.0</version>\n' if ns else ''
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<feedback{xmlns}>\n'
            f'{version}  <report_metadata>\n    <org_name>{org}</org_name>\n'
            f'    <email>noreply-dmarc@{org}</email>\n'
            f'    <report_id>{rid}</report_id>\n'
            f'    <date_range><begin>{begin}</begin><end>{end}</end></date_range>\n'
            f'  </report_metadata>\n  <policy_published>\n'
            f'    <domain>{domain}</domain>\n    <adkim>r</adkim><aspf>r</aspf>\n'
            f'    <p>none</p>{extra_policy}\n  </policy_published>\n'
            + ''.join(records) + '</feedback>\n').encode()


def simple(org, rid, ns=None):
    return report(org, rid, 'other.example',
                  [record('203.0.113.9', 2, 'pass', 'pass',
                          auth_dkim=[('other.example', 's1', 'pass')],
                          auth_spf=[('other.example', 'mfrom', 'pass')],
                          header_from='other.example')], ns=ns)


def message(subject, parts, boundary='b0undary'):
    """A multipart/mixed message; parts: (ctype, cte, filename, bytes)."""
    out = [f'From: noreply@reporter.example\r\nTo: dmarc@other.example\r\n'
           f'Subject: {subject}\r\nMIME-Version: 1.0\r\n'
           f'Content-Type: multipart/mixed;\r\n boundary="{boundary}"\r\n\r\n'
           'This is a multi-part message in MIME format.\r\n']
    for ctype, cte, fname, data in parts:
        out.append(f'--{boundary}\r\nContent-Type: {ctype}')
        if fname:
            out.append(f'; name="{fname}"')
        out.append(f'\r\nContent-Transfer-Encoding: {cte}\r\n')
        if fname:
            out.append(f'Content-Disposition: attachment;\r\n filename="{fname}"\r\n')
        out.append('\r\n')
        if cte == 'base64':
            b = base64.encodebytes(data).decode().replace('\n', '\r\n')
        elif cte == 'quoted-printable':
            b = quopri.encodestring(data).decode().replace('\n', '\r\n')
        else:
            b = data.decode()
        out.append(b + '\r\n')
    out.append(f'--{boundary}--\r\n')
    return ''.join(out).encode()


def gz(b):
    return gzip.compress(b, mtime=0)


def zipped(name, b):
    f = io.BytesIO()
    with zipfile.ZipFile(f, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(name, (2001, 9, 9, 0, 0, 0)), b,
                   zipfile.ZIP_DEFLATED)
    return f.getvalue()


def write(path, b):
    with open(path, 'wb') as f:
        f.write(b)


def main():
    d = sys.argv[1]
    os.makedirs(f'{d}/hostile', exist_ok=True)
    # RFC 7489 format, a period of two days, pct, "hardfail", an empty
    # override reason, a stray control character
    a = report('google.com', 'a1', 'example.com', [
        record('192.0.2.1', 10, 'pass', 'pass',
               auth_dkim=[('example.com', 'rsa', 'pass')],
               auth_spf=[('example.com', 'mfrom', 'pass')]),
        record('192.0.2.7', 1204, 'fail', 'fail',
               auth_spf=[('esp.example', 'mfrom', 'pass')],
               reasons=[(None, None)]),
        record('198.51.100.5', 3, 'fail', 'fail',
               auth_spf=[('example.com', 'mfrom', 'hardfail')],
               reasons=[('local_policy', 'forwarded\x07 here')]),
    ], end=1000172799, extra_policy='<pct>100</pct>')
    write(f'{d}/a1.xml', a)
    # RFC 9990 format, gzip'd; the Ed25519 case
    b = report('Microsoft', 'b-2', 'example.com', [
        record('192.0.2.1', 5, 'pass', 'pass',
               auth_dkim=[('example.com', 'ed', 'fail'),
                          ('example.com', 'rsa', 'pass')],
               auth_spf=[('example.com', 'mfrom', 'pass')]),
        record('192.0.2.7', 6, 'fail', 'fail', disp='quarantine',
               auth_spf=[('esp.example', 'mfrom', 'pass')]),
    ], ns=NS9990, extra_policy='<np>reject</np><testing>n</testing>')
    write(f'{d}/b-2.xml.gz', gz(b))
    write(f'{d}/c3.zip', zipped('c3.xml', simple('Yahoo', 'c3', NS9990)))
    write(f'{d}/d4.eml', message('Report Domain: other.example', [
        ('text/plain', '7bit', None, b'A DMARC report.\r\n'),
        ('application/gzip', 'base64', 'd4.xml.gz', gz(simple('KDDI', 'd4')))]))
    write(f'{d}/e5.eml', message('Report', [
        ('text/xml', 'quoted-printable', None,
         simple('docomo', 'e5', NS9990))]))
    for sub in ('cur', 'new', 'tmp'):
        os.makedirs(f'{d}/maildir/{sub}', exist_ok=True)
    write(f'{d}/maildir/cur/1.host:2,S', message('f6', [
        ('application/zip', 'base64', 'f6.zip',
         zipped('f6.xml', simple('f6.example', 'f6')))]))
    write(f'{d}/maildir/new/2.host', message('g7', [
        ('application/x-zip-compressed', 'base64', 'g7.zip',
         zipped('g7.xml', simple('g7.example', 'g7', NS9990)))]))
    write(f'{d}/maildir/tmp/3.host', b'not yet delivered')
    mbox = b''
    for rid in ('h8', 'i9'):
        mbox += (b'From noreply@reporter.example Sun Sep  9 01:46:40 2001\n'
                 + message(rid, [('application/octet-stream', 'base64',
                                  f'{rid}.xml.gz', gz(simple(rid, rid)))])
                 .replace(b'\r\n', b'\n') + b'\n')
    write(f'{d}/reports.mbox', mbox)
    write(f'{d}/j10.eml', message('j10', [
        ('application/gzip', 'base64', 'j10.xml.gz',
         gz(simple('j10', 'j10', NS9990)))]))

    h = f'{d}/hostile'
    lol = ('<?xml version="1.0"?>\n<!DOCTYPE feedback [\n'
           '<!ENTITY lol "lol">\n'
           + ''.join(f'<!ENTITY lol{i} "' + f'&lol{i - 1 if i > 1 else ""};' * 10
                     + '">\n' for i in range(1, 10)).replace('&lol0;', '&lol;')
           + ']>\n<feedback><report_metadata><org_name>&lol9;</org_name>'
           '</report_metadata></feedback>\n')
    write(f'{h}/billion-laughs.xml', lol.encode())
    xxe = report('&xxe;', 'xxe1', 'example.com', [record('192.0.2.99', 1,
                 'pass', 'pass')]).replace(
        b'<feedback>', b'<!DOCTYPE feedback [\n<!ENTITY xxe SYSTEM '
        b'"file:///etc/passwd">\n]>\n<feedback>')
    write(f'{h}/xxe.xml', xxe)
    pxxe = report('pe', 'xxe2', 'example.com', [record('192.0.2.99', 1,
                  'pass', 'pass')]).replace(
        b'<feedback>', b'<!DOCTYPE feedback [\n<!ENTITY % p SYSTEM '
        b'"file:///etc/passwd">\n%p;\n]>\n<feedback>')
    write(f'{h}/xxe-parameter.xml', pxxe)
    # an external DTD: never loaded, the report itself is fine
    write(f'{h}/external-dtd.xml', report('dtd.example', 'dtd1',
          'other.example', [record('192.0.2.98', 1, 'pass', 'pass')]).replace(
        b'<feedback>', b'<!DOCTYPE feedback SYSTEM "file:///etc/passwd">\n'
        b'<feedback>'))
    write(f'{h}/huge-count.xml', report('huge.example', 'huge1',
          'example.com', [record('192.0.2.97', '9' * 40, 'pass', 'pass')]))
    write(f'{h}/huge-date.xml', report('huge.example', 'huge2',
          'example.com', [record('192.0.2.97', 1, 'pass', 'pass')],
          begin='1' + '0' * 30))
    write(f'{h}/deep.xml', report('deep.example', 'deep1', 'example.com',
          [record('192.0.2.96', 1, 'pass', 'pass')]).replace(
        b'</feedback>', b'<x>' * 5000 + b'</x>' * 5000 + b'</feedback>'))
    write(f'{h}/wrong-namespace.xml', report('ns.example', 'ns1',
          'example.com', [record('192.0.2.95', 1, 'pass', 'pass')],
          ns='urn:example:not-dmarc'))
    g = gz(report('trunc.example', 'trunc1', 'example.com',
                  [record('192.0.2.94', 1, 'pass', 'pass')] * 50))
    write(f'{h}/truncated.xml.gz', g[:len(g) // 2])
    # 40 MiB of XML in a zip of some 40 kB; the same as gzip
    big = b'<?xml version="1.0"?>\n<feedback>' + b' ' * (40 << 20)
    write(f'{h}/bomb.zip', zipped('bomb.xml', big))
    write(f'{h}/bomb.xml.gz', gz(big))
    write(f'{h}/not-a-report.eml', message('Invoice', [
        ('text/plain', '7bit', None, b'Please find the invoice.\r\n'),
        ('application/pdf', 'base64', 'invoice.pdf', b'%PDF-1.4 ...')]))
    write(f'{h}/not-xml.xml', b'<?xml version="1.0"?>\n<feedback><oops>\n')
    write(f'{h}/no-record-ip.xml', report('noip.example', 'noip1',
          'example.com', [record('not-an-address', 1, 'pass', 'pass')]))


main()
