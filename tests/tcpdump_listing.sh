#!/bin/sh
# tcpdump_listing.sh: bpfc reads tcpdump's own listings back and prints
# them byte for byte as tcpdump did.
#
# For every filter expression in tests/exprs/listing.txt (one a line; blank
# lines and lines starting with '#' are skipped), optimized and not (-O),
# and for each of -d, -dd and -ddd: the oracle is the real tcpdump's output
# (`tcpdump -r EMPTY.pcap -d EXPR`, EMPTY.pcap being a bare DLT_EN10MB pcap
# header with snaplen 262144); bpfc must read it with `--asm -` and print
# the identical bytes with the same option (compared with cmp).
#
# Environment (set by `make check`; defaults for running by hand from the
# source tree): top_srcdir, BPFC.  Exit 0 pass, 1 fail, 77 skip.
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
BPFC=${BPFC:-$top_srcdir/build/bpfc}
exprs=$top_srcdir/tests/exprs/listing.txt

TCPDUMP=$(command -v tcpdump 2>/dev/null || true)
if [ -z "$TCPDUMP" ] && [ -x /usr/sbin/tcpdump ]; then
	TCPDUMP=/usr/sbin/tcpdump
fi
if [ -z "$TCPDUMP" ]; then
	echo "SKIP: tcpdump is not installed (Debian: apt-get install tcpdump)"
	exit 77
fi
if [ ! -x "$BPFC" ]; then
	echo "FAIL: no bpfc binary at $BPFC (set BPFC)"
	exit 1
fi
if [ ! -r "$exprs" ]; then
	echo "FAIL: cannot read $exprs"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-listing.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# A classic pcap file header and no packets: magic a1b2c3d4 (little
# endian), version 2.4, thiszone 0, sigfigs 0, snaplen 262144, DLT_EN10MB.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\000\000\004\000\001\000\000\000' \
	>"$tmp/empty.pcap"

pass=0
fail=0
lineno=0
while IFS= read -r expr || [ -n "$expr" ]; do
	lineno=$((lineno + 1))
	case $expr in '' | '#'*) continue ;; esac
	for opt in '' -O; do
		for style in -d -dd -ddd; do
			what="line $lineno: tcpdump $opt $style '$expr'"
			# shellcheck disable=SC2086 # $opt is empty or one word
			if ! "$TCPDUMP" -r "$tmp/empty.pcap" $opt $style "$expr" \
				>"$tmp/want" 2>"$tmp/tcpdump.err"; then
				echo "FAIL: $what: tcpdump refused it:"
				cat "$tmp/tcpdump.err"
				fail=$((fail + 1))
				continue
			fi
			if ! "$BPFC" --asm - $style <"$tmp/want" >"$tmp/got" 2>"$tmp/bpfc.err"; then
				echo "FAIL: $what: bpfc --asm - $style failed:"
				cat "$tmp/bpfc.err"
				fail=$((fail + 1))
			elif ! cmp -s "$tmp/want" "$tmp/got"; then
				echo "FAIL: $what: bpfc's listing differs from tcpdump's:"
				diff "$tmp/want" "$tmp/got" | head -20
				fail=$((fail + 1))
			else
				pass=$((pass + 1))
			fi
		done
	done
done <"$exprs"

if [ $((pass + fail)) -eq 0 ]; then
	echo "FAIL: no expressions in $exprs"
	exit 1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
