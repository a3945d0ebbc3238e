#!/usr/bin/perl
# SPDX-License-Identifier: ISC
#
# arc_maildkim.pl - ARC with Mail::DKIM (libmail-dkim-perl), offline and
# at a fixed time, for arc_interop.sh.
#
#   arc_maildkim.pl verify --now T --keys KEYFILE MSGFILE
#       "maildkim-arc: cv=pass|fail|none reason=TEXT"; exit 0 for pass, 1
#       otherwise, 2 when it could not run.
#   arc_maildkim.pl seal --now T --keys KEYFILE --key PEM --domain D
#       --selector S --srv-id ID MSGFILE
#       as a forwarder: verify, add our Authentication-Results "ID;
#       arc=CV" on top (Mail::DKIM::ARC::Signer builds the AAR from it
#       and takes cv= from it with Chain => 'ar'), seal with Timestamp T
#       and write the message with the new Set on top to stdout; exit 1
#       when the signer skips.
#
# Time: Mail::DKIM checks x= against time(), replaced here before the
# library is compiled (CORE::GLOBAL::time). DNS: Mail::DKIM::DNS::query()
# calls send() on the object given to Mail::DKIM::DNS::resolver() and
# reads a Net::DNS::Packet; KeyResolver answers from KEYFILE ("NAME
# RECORD" lines; RECORD TIMEOUT dies as Mail::DKIM's own timeout does,
# SERVFAIL answers SERVFAIL; an unlisted name is NXDOMAIN).
use strict;
use warnings;

my $NOW;
BEGIN {
	for (my $i = 0; $i + 1 < @ARGV; $i++) {
		$NOW = $ARGV[$i + 1] if $ARGV[$i] eq '--now';
	}
	die "arc_maildkim.pl: --now EPOCH is required\n"
	    if !defined $NOW || $NOW !~ /\A[0-9]+\z/;
	*CORE::GLOBAL::time = sub () { return $NOW; };
}

use Mail::DKIM::ARC::Signer;
use Mail::DKIM::ARC::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

package KeyResolver;

sub new
{
	my ($class, $keys) = @_;
	return bless { keys => $keys, err => 'NOERROR' }, $class;
}

sub errorstring
{
	return $_[0]{err};
}

sub send
{
	my ($self, $qname, $qtype) = @_;
	my $name = lc $qname;
	$name =~ s/\.\z//;
	my $rec = $self->{keys}{$name};
	my $rcode = 'NOERROR';
	my @answer;

	if (!defined $rec) {
		$rcode = 'NXDOMAIN';
	} elsif ($rec eq 'TIMEOUT') {
		die "DNS query timeout for $qname\n";
	} elsif ($rec eq 'SERVFAIL') {
		$rcode = 'SERVFAIL';
	} elsif (uc $qtype eq 'TXT') {
		@answer = (Net::DNS::RR->new(owner => $name, type => 'TXT',
		    class => 'IN', ttl => 300, txtdata => $rec));
	}
	my $pkt = Net::DNS::Packet->new($qname, $qtype, 'IN');
	$pkt->header->qr(1);
	$pkt->header->rcode($rcode);
	$pkt->push(answer => @answer) if @answer;
	$self->{err} = $rcode;
	return $pkt;
}

package main;

sub slurp
{
	my $path = shift;
	open(my $fh, '<:raw', $path) or die "$path: $!\n";
	my $s = do { local $/; <$fh> };
	close $fh;
	return $s;
}

sub arc_result
{
	my $msg = shift;
	my $v = Mail::DKIM::ARC::Verifier->new();
	$v->PRINT($msg);
	$v->CLOSE();
	return ($v->result || 'none', $v->result_detail || '');
}

sub main
{
	my $mode = shift @ARGV // '';
	my (%o, $path);
	while (@ARGV) {
		my $a = shift @ARGV;
		if ($a =~ /\A--(.+)\z/ && @ARGV) {
			$o{$1} = shift @ARGV;
		} else {
			$path = $a;
		}
	}
	if (($mode ne 'verify' && $mode ne 'seal') || !defined $path ||
	    !defined $o{keys}) {
		print STDERR "usage: arc_maildkim.pl verify|seal --now T --keys F ... MSG\n";
		return 2;
	}
	my %keys;
	for my $line (split /\r?\n/, slurp($o{keys})) {
		next if $line =~ /\A#/ || $line !~ / /;
		my ($n, $r) = split / /, $line, 2;
		$n = lc $n;
		$n =~ s/\.\z//;
		$keys{$n} = $r;
	}
	Mail::DKIM::DNS::resolver(KeyResolver->new(\%keys));
	my $msg = slurp($path);
	$msg =~ s/\r?\n/\r\n/g;
	my ($cv, $why) = arc_result($msg);
	if ($mode eq 'verify') {
		$why =~ s/\s+/ /g;
		print "maildkim-arc: cv=$cv reason=$why\n";
		return $cv eq 'pass' ? 0 : 1;
	}
	for my $k (qw(key domain selector srv-id)) {
		if (!defined $o{$k}) {
			print STDERR "arc_maildkim.pl seal: --$k missing\n";
			return 2;
		}
	}
	$cv = 'fail' if $cv ne 'pass' && $cv ne 'none';
	# RFC 8601 5: an A-R claiming our id from an earlier pass goes
	my ($head, $body) = split /\r\n\r\n/, $msg, 2;
	$head =~ s/^Authentication-Results: \Q$o{'srv-id'}\E;[^\r]*\r\n//mgi;
	$head =~ s/\r\nAuthentication-Results: \Q$o{'srv-id'}\E;[^\r]*\z//i;
	$msg = "Authentication-Results: $o{'srv-id'}; arc=$cv\r\n$head\r\n\r\n" .
	    ($body // '');
	my $s = Mail::DKIM::ARC::Signer->new(Algorithm => 'rsa-sha256',
	    Domain => $o{domain}, Selector => $o{selector},
	    SrvId => $o{'srv-id'}, KeyFile => $o{key}, Chain => 'ar',
	    Timestamp => $NOW);
	$s->PRINT($msg);
	$s->CLOSE();
	if (($s->result // '') ne 'sealed') {
		print STDERR "arc_maildkim.pl: not sealed: ",
		    $s->result // '', " ", $s->result_detail // '', "\n";
		return 1;
	}
	binmode STDOUT;
	print $s->as_string, $msg;
	return 0;
}

exit main();
