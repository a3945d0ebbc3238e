#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# fakeresolver.py - a recursive resolver on loopback that fails in one way,
# for `inkan-keys check --resolver 127.0.0.1@PORT` in check.sh. It is the
# hand-built server of tests/dnsfaults/fakedns.py with one behaviour for
# every query:
#   silent          never answers (a resolver that is down or filtered)
#   nxdomain        NXDOMAIN for every name (a broken or filtering resolver)
#   servfail        SERVFAIL for every name
#   domain-timeout  answers for the top-level domain "com", never for
#                   example.com or names under it (the domain's own DNS
#                   servers fail, the resolver works)
# It writes its port to PORTFILE once it listens, then serves until it is
# killed or SECONDS (default 120) have passed, so a test that dies cannot
# leave it running for long.
#
# usage: fakeresolver.py MODE PORTFILE [SECONDS]
import os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "dnsfaults"))
import fakedns as F

NS = 2


class Resolver(F.FakeDNS):
    mode = None

    def _fault(self, q):
        if self.mode == "silent":
            return "timeout"
        if self.mode == "servfail":
            return "servfail"
        if self.mode == "domain-timeout" and (
                q.name == "example.com" or q.name.endswith(".example.com")):
            return "timeout"
        return None


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: fakeresolver.py MODE PORTFILE [SECONDS]")
    mode, portfile = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) == 4 else 120.0
    if mode not in ("silent", "nxdomain", "servfail", "domain-timeout"):
        sys.exit("fakeresolver.py: unknown mode %r" % mode)
    records = {}
    if mode == "domain-timeout":
        records[("com", NS)] = [F.name_wire("a.gtld-servers.test")]
    srv = Resolver()
    srv.mode = mode
    srv.reset(records)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.port)
    os.rename(tmp, portfile)
    time.sleep(seconds)
    srv.stop()


main()
