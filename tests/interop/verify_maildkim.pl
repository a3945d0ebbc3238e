#!/usr/bin/perl
# SPDX-License-Identifier: ISC
#
# verify_maildkim.pl - verify every DKIM-Signature of a message with
# Mail::DKIM (Debian libmail-dkim-perl 1.20230212), answering key lookups from
# a zone file, never DNS.
#
#   verify_maildkim.pl [--now EPOCH] --zone ZONEFILE MSGFILE
#
# --now EPOCH verifies as of that time: Mail::DKIM checks x= against time(),
# which this script replaces (CORE::GLOBAL::time, set before the library is
# compiled), so a message signed at a fixed time verifies at that time.
#
# One line per DKIM-Signature, top to bottom: "maildkim: d=D s=S a=A
# result=pass" or "... result=fail reason=TEXT". Exit 0: at least one
# signature and all pass; 1: a failure or no signature; 2: usage error,
# unreadable file, bad zone file.
#
# Offline DNS: Mail::DKIM::DNS::query() calls $resolver->send($name, $type)
# on the object set with Mail::DKIM::DNS::resolver() and reads the rcode and
# answer of the Net::DNS::Packet it returns. ZoneResolver below builds those
# packets from the zone file, so the library's own lookup path (TXT strings
# joined, NXDOMAIN, NODATA) is exercised without a socket.
#
# This Mail::DKIM has no Ed25519 (RFC 8463): such a signature is reported as
# "invalid: unsupported algorithm ed25519-sha256", and so fails.
#
# Zone format: as parsed by verify_dkimpy.py (see there: RFC 1035 master
# files with $ORIGIN, $TTL, '@', relative names, escapes); the two parsers
# must agree. TIMEOUT makes a lookup die as Mail::DKIM's own timeout does,
# SERVFAIL returns that rcode; CNAMEs are followed.

use strict;
use warnings;

my $NOW;
BEGIN {
	if (@ARGV >= 2 && $ARGV[0] eq '--now') {
		if ($ARGV[1] !~ /^[0-9]+\z/) {
			print STDERR "verify_maildkim.pl: --now wants seconds since the epoch\n";
			exit 2;
		}
		$NOW = $ARGV[1] + 0;
		splice(@ARGV, 0, 2);
		*CORE::GLOBAL::time = sub () { return $NOW; };
	}
}

use Mail::DKIM::DNS;
use Mail::DKIM::Verifier;
use Net::DNS;

my $PROG      = 'maildkim';
my $MAX_CNAME = 8;

package ZoneResolver;

sub new
{
	my ($class, $zone) = @_;
	return bless { zone => $zone, err => 'NOERROR' }, $class;
}

sub errorstring
{
	return $_[0]{err};
}

sub send
{
	my ($self, $qname, $qtype) = @_;
	my $name = main::norm($qname);
	my $zone = $self->{zone};
	my @answer;
	my $rcode = 'NOERROR';

	$self->{err} = 'NOERROR';
	for (my $hops = 0; ; $hops++) {
		my $e = $zone->{$name};
		if ($hops > $MAX_CNAME) {
			$rcode = 'SERVFAIL';
			last;
		}
		if (!defined $e) {
			$rcode = 'NXDOMAIN';
			last;
		}
		die "DNS query timeout for $qname\n" if $e->{TIMEOUT};
		if ($e->{SERVFAIL}) {
			$rcode = 'SERVFAIL';
			last;
		}
		if (uc $qtype eq 'TXT' && $e->{TXT}) {
			push @answer, map {
				Net::DNS::RR->new(owner => $name, type => 'TXT',
				    class => 'IN', ttl => 300, txtdata => $_)
			} @{ $e->{TXT} };
			last;
		}
		last if !$e->{CNAME};
		$name = $e->{CNAME}[0];
	}
	my $pkt = Net::DNS::Packet->new($qname, $qtype, 'IN');
	$pkt->header->qr(1);
	$pkt->header->rcode($rcode);
	$pkt->push(answer => @answer) if @answer;
	$self->{err} = $rcode;
	return $pkt;
}

package main;

sub norm
{
	my $n = lc shift;
	$n =~ s/\.\z//;
	return $n;
}

sub zerr
{
	my ($line, $what) = @_;
	die "line $line: $what\n";
}

# Split zone text into records (RFC 1035 5.1): [line, owner_given,
# [[quoted, text], ...]], text as written (escapes kept); owner_given is
# false when the record starts with a blank (the previous owner).
sub tokens
{
	my ($data) = @_;
	my (@recs, @cur);
	my ($depth, $line, $start, $col0) = (0, 1, 1, 0);

	pos($data) = 0;
	while (pos($data) < length $data) {
		my $at0 = pos($data) == 0 || substr($data, pos($data) - 1, 1) eq "\n";
		if ($data =~ /\G\n/gc) {
			$line++;
			if ($depth == 0 && @cur) {
				push @recs, [$start, $col0, [@cur]];
				@cur = ();
			}
			next;
		}
		next if $data =~ /\G[ \t\r]+/gc;
		next if $data =~ /\G;[^\n]*/gc;
		if ($data =~ /\G\(/gc) {
			zerr($line, "nested '('") if $depth++;
			next;
		}
		if ($data =~ /\G\)/gc) {
			zerr($line, "')' without '('") if --$depth < 0;
			next;
		}
		($start, $col0) = ($line, $at0 ? 1 : 0) if !@cur;
		if ($data =~ /\G"((?:[^"\\\n]|\\[^\n])*)"/gc) {
			push @cur, [1, $1];
		} elsif ($data =~ /\G"/gc) {
			zerr($line, 'unterminated string');
		} elsif ($data =~ /\G((?:[^ \t\r\n()";\\]|\\[^\n])+)/gc) {
			push @cur, [0, $1];
		} else {
			zerr($line, "'\\' at the end of a line");
		}
	}
	die "unbalanced '(' at end of file\n" if $depth != 0;
	push @recs, [$start, $col0, [@cur]] if @cur;
	return @recs;
}

# RFC 1035 5.1: \DDD is the byte DDD, \X is X.
sub unescape
{
	my ($s, $line) = @_;

	$s =~ s{\\(\d{1,3}|.)}{
		my $e = $1;
		if ($e =~ /^\d/) {
			zerr($line, 'bad \\DDD escape') if $e !~ /^\d{3}\z/ || $e > 255;
			$e = chr $e;
		}
		$e;
	}gse;
	return $s;
}

# A label as text, lowercased; bytes that would change a name's meaning or
# are not printable as \DDD (queries never hold them).
sub label_text
{
	my $l = lc shift;
	$l =~ s/([^\x21-\x7e]|[.\\])/sprintf('\\%03d', ord $1)/ge;
	return $l;
}

# A <domain-name> as the zone's key: '@' is the origin, a name without a
# final (unescaped) dot is relative to it. No final dot, lowercase.
sub zname
{
	my ($raw, $origin, $line) = @_;
	return $origin if $raw eq '@';
	return '' if $raw eq '.';
	my @labels = map { label_text(unescape($_, $line)) }
	    split /(?<!\\)(?:\\\\)*\K\./, $raw, -1;
	my $absolute = @labels > 1 && $labels[-1] eq '';
	pop @labels if $absolute;
	zerr($line, "empty label in $raw") if grep { $_ eq '' } @labels;
	my $name = join '.', @labels;
	return $name if $absolute || $origin eq '';
	return "$name.$origin";
}

sub load_zone
{
	my ($path) = @_;
	my %zone;
	my ($origin, $prev) = ('', undef);

	open(my $fh, '<:raw', $path) or die "cannot open: $!\n";
	my $data = do { local $/; <$fh> };
	close $fh;
	for my $rec (tokens($data)) {
		my ($line, $owner_given, $toks) = @$rec;
		my $k = 0;
		if ($owner_given && !$toks->[0][0] && $toks->[0][1] =~ /^\$/) {
			my $d = uc $toks->[0][1];
			zerr($line, 'bad directive')
			    if ($d ne '$ORIGIN' && $d ne '$TTL') || @$toks != 2;
			$origin = zname($toks->[1][1], $origin, $line)
			    if $d eq '$ORIGIN';
			next;
		}
		if ($owner_given) {
			zerr($line, 'owner name is a quoted string') if $toks->[0][0];
			$prev = zname($toks->[0][1], $origin, $line);
			$k = 1;
		}
		zerr($line, 'no owner name') if !defined $prev;
		my $name = $prev;
		$k++ while $k < @$toks && !$toks->[$k][0]
		    && $toks->[$k][1] =~ /^(?:(?:\d+[smhdw]?)+|in|ch|hs|cs)\z/i;
		zerr($line, 'no record type') if $k >= @$toks || $toks->[$k][0];
		my $type  = uc $toks->[$k][1];
		my @rdata = @{$toks}[ $k + 1 .. $#$toks ];
		if ($type eq 'TIMEOUT' || $type eq 'SERVFAIL') {
			zerr($line, "$type takes no data") if @rdata;
		} elsif (!@rdata) {
			zerr($line, "$type without data");
		} elsif ($type eq 'CNAME' && (@rdata != 1 || $rdata[0][0])) {
			zerr($line, 'bad CNAME target');
		}
		my $e = $zone{$name} ||= {};
		if ($type eq 'TXT') {
			# Keep the strings apart: Mail::DKIM joins them itself
			# (RFC 6376 3.6.2.2), which is part of what is tested.
			my @s = map { unescape($_->[1], $line) } @rdata;
			zerr($line, 'TXT string over 255 bytes')
			    if grep { length $_ > 255 } @s;
			push @{ $e->{TXT} }, \@s;
		} elsif ($type eq 'CNAME') {
			push @{ $e->{CNAME} }, zname($rdata[0][1], $origin, $line);
		} else {
			push @{ $e->{$type} }, 1;
		}
	}
	return \%zone;
}

sub tagval
{
	my ($sig, $tag) = @_;
	my $v = $sig->get_tag($tag);
	return '?' if !defined $v;
	$v =~ s/\s+//g;
	return length $v ? $v : '?';
}

sub main
{
	if (@ARGV != 3 || $ARGV[0] ne '--zone') {
		print STDERR "usage: verify_maildkim.pl [--now EPOCH] --zone ZONEFILE MSGFILE\n";
		return 2;
	}
	my ($zpath, $mpath) = @ARGV[ 1, 2 ];
	my $zone = eval { load_zone($zpath) };
	if (!$zone) {
		print STDERR "$PROG: $zpath: bad zone file: $@";
		return 2;
	}
	my $fh;
	if (!open($fh, '<:raw', $mpath)) {
		print STDERR "$PROG: $mpath: $!\n";
		return 2;
	}
	my $msg = do { local $/; <$fh> };
	close $fh;
	# RFC 6376 hashes CRLF line ends; files on disk may use bare LF.
	$msg =~ s/\r?\n/\r\n/g;

	Mail::DKIM::DNS::resolver(ZoneResolver->new($zone));
	my $dkim = Mail::DKIM::Verifier->new();
	$dkim->PRINT($msg);
	$dkim->CLOSE();

	# Mail::DKIM drops DKIM-Signature fields it cannot parse at all; count
	# the fields so that such a signature still counts as a failure.
	my ($head) = split /\r\n\r\n/, $msg, 2;
	$head = '' if !defined $head;
	$head =~ s/\r\n[ \t]/ /g;
	my $nfields = () = $head =~ /^dkim-signature[ \t]*:/gim;

	my @sigs = grep { ref($_) eq 'Mail::DKIM::Signature' }
	    $dkim->signatures;
	if (!$nfields && !@sigs) {
		print "$PROG: no DKIM-Signature\n";
		return 1;
	}
	my $bad = 0;
	for my $sig (@sigs) {
		my $desc = sprintf('d=%s s=%s a=%s', tagval($sig, 'd'),
		    tagval($sig, 's'), tagval($sig, 'a'));
		my $res = $sig->result || 'none';
		if ($res eq 'pass') {
			print "$PROG: $desc result=pass\n";
			next;
		}
		$bad++;
		my $why = $sig->result_detail;
		$why = $res if !defined $why || $why eq '';
		$why = "$res: $why" if $why !~ /^\Q$res\E\b/;
		$why =~ s/\s+/ /g;
		print "$PROG: $desc result=fail reason=$why\n";
	}
	for (my $i = @sigs; $i < $nfields; $i++) {
		$bad++;
		my $why = $dkim->{signature_reject_reason} || 'not parsed';
		$why =~ s/\s+/ /g;
		print "$PROG: d=? s=? a=? result=fail reason=unparseable "
		    . "signature: $why\n";
	}
	return $bad ? 1 : 0;
}

my $rc = eval { main() };
if (!defined $rc) {
	print STDERR "$PROG: internal error: $@";
	$rc = 2;
}
exit $rc;
