#!/bin/sh
# SPDX-License-Identifier: ISC
# run-seeds.sh FUZZER CORPUS REGRESS SECONDS - the CTest run of one fuzz
# target: replay every reproducer in REGRESS (each must now pass), then
# fuzz for SECONDS starting from a copy of the seed corpus CORPUS (libFuzzer
# writes new inputs into its corpus directory; the source tree stays
# untouched). Fails on any crash, leak, timeout or sanitizer report, and
# keeps the scratch directory with the crashing input.
set -eu
fuzzer=$1 corpus=$2 regress=$3 seconds=$4
name=$(basename "$fuzzer")
if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
	echo "$name: no seed corpus in $corpus" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/inkan-$name.XXXXXX")
mkdir "$tmp/corpus"
cp "$corpus"/* "$tmp/corpus/"
if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
	if ! "$fuzzer" -timeout=5 -artifact_prefix="$tmp/" "$regress"/*; then
		echo "$name: a reproducer in $regress fails again;" \
		    "output kept in $tmp" >&2
		exit 1
	fi
fi
if ! "$fuzzer" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$tmp/" "$tmp/corpus"; then
	echo "$name: crash; inputs kept in $tmp:" >&2
	ls "$tmp" | grep -E '^(crash|leak|timeout|oom|slow-unit)-' >&2 || true
	exit 1
fi
rm -rf "$tmp"
