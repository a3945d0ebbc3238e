#!/usr/bin/perl
# SPDX-License-Identifier: ISC
#
# ar_parse.pl - parse every Authentication-Results field of a message with
# Mail::AuthenticationResults (a strict parser: it croaks on bad syntax).
# Prints, per field, "authserv-id" then "  method=result prop=value ..."
# lines; exits 1 if any field fails to parse, 2 on usage errors.
use strict;
use warnings;
use Mail::AuthenticationResults::Parser;

@ARGV == 1 or die "usage: ar_parse.pl MSGFILE\n";
open(my $fh, '<', $ARGV[0]) or do { print STDERR "$ARGV[0]: $!\n"; exit 2 };
my ($headers) = split(/\r?\n\r?\n/, do { local $/; <$fh> }, 2);
$headers =~ s/\r?\n([ \t])/$1/g;	# unfold
my $bad = 0;
for my $line (split(/\r?\n/, $headers)) {
	next unless $line =~ /^authentication-results:(.*)$/i;
	my $v = $1;
	my $r = eval { Mail::AuthenticationResults::Parser->new()->parse($v) };
	if (!$r) {
		print "UNPARSEABLE: $v\n  $@";
		$bad = 1;
		next;
	}
	print $r->value->value, "\n";
	for my $e (@{ $r->children }) {
		my @props = map { $_->key . '=' . $_->value }
		    grep { ref($_) !~ /Comment/ } @{ $e->children };
		print "  ", $e->key, "=", $e->value, (@props ? " @props" : ""), "\n";
	}
}
exit $bad;
