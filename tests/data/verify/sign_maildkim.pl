#!/usr/bin/perl
# SPDX-License-Identifier: ISC
#
# sign_maildkim.pl - sign one message with Mail::DKIM::Signer (Debian
# libmail-dkim-perl) for make_corpus.sh; prints only the DKIM-Signature
# field (CRLF line ends, folded by Mail::DKIM's prettify), nothing else.
#
#   sign_maildkim.pl KEYFILE ALGORITHM METHOD DOMAIN SELECTOR HEADERS \
#       TIMESTAMP EXPIRATION MSGFILE
#
# HEADERS is a colon-separated list of extra header names to sign ("-" for
# Mail::DKIM's default list); TIMESTAMP and EXPIRATION are t= and x=
# ("-" leaves the tag out). Mail::DKIM takes both as plain numbers, so its
# output is reproducible (RSA PKCS#1 v1.5 signatures are deterministic).

use strict;
use warnings;

use Mail::DKIM::Signer;
use Mail::DKIM::TextWrap;

die "usage: sign_maildkim.pl KEYFILE ALG METHOD DOMAIN SELECTOR HEADERS T X MSG\n"
    unless @ARGV == 9;
my ($keyfile, $alg, $method, $domain, $sel, $headers, $t, $x, $msgfile) = @ARGV;

my $dkim = Mail::DKIM::Signer->new(
	Algorithm => $alg,
	Method    => $method,
	Domain    => $domain,
	Selector  => $sel,
	KeyFile   => $keyfile,
	($headers ne '-' ? (Headers => $headers) : ()),
	($t ne '-' ? (Timestamp => $t) : ()),
	($x ne '-' ? (Expiration => $x) : ()),
);
open(my $fh, '<:raw', $msgfile) or die "$msgfile: $!\n";
while (my $line = <$fh>) {
	$line =~ s/\r?\n\z/\r\n/;
	$dkim->PRINT($line);
}
close($fh);
$dkim->CLOSE;
my $sig = $dkim->signature->as_string;
$sig =~ s/\r?\n/\r\n/g;
binmode(STDOUT);
print $sig, "\r\n";
