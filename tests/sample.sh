#!/bin/sh
# sample.sh: doc/sample.pcap, the capture the README filters, is what the
# project's generator writes for its recorded arguments (cmp, byte for
# byte), and bpfc filters it as tcpdump does (when tcpdump is installed).
#
# To regenerate it after a deliberate change to the generator:
#   tests/bpfc-pktgen -y EN10MB -n 20000 -s 1 -S 96 -o doc/sample.pcap
set -u

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${BPFC:=$top_builddir/bpfc}"
PKTGEN=$top_builddir/tests/bpfc-pktgen
ARGS="-y EN10MB -n 20000 -s 1 -S 96"
sample=$top_srcdir/doc/sample.pcap

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-sample.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

# shellcheck disable=SC2086
if ! "$PKTGEN" $ARGS -o "$tmp/sample.pcap"; then
	echo "FAIL: bpfc-pktgen $ARGS could not write the sample"
	exit 1
fi
if ! cmp "$sample" "$tmp/sample.pcap"; then
	echo "FAIL: doc/sample.pcap is not what 'bpfc-pktgen $ARGS' writes"
	exit 1
fi
size=$(wc -c <"$sample")
if [ "$size" -gt 2200000 ]; then
	echo "FAIL: doc/sample.pcap is $size bytes; it should stay small"
	exit 1
fi
echo "doc/sample.pcap: $size bytes, regenerated identically"

if ! command -v tcpdump >/dev/null 2>&1; then
	echo "SKIP: tcpdump is not installed: bpfc's filtering of the sample is not compared"
	exit 77
fi
TD="tcpdump"
[ "$(id -u)" = 0 ] && TD="tcpdump -Z root"
for e in "tcp port 80" "udp" "ip6 and tcp"; do
	$TD -r "$sample" -w "$tmp/t.pcap" $e 2>/dev/null
	"$BPFC" -r "$sample" -w "$tmp/b.pcap" $e 2>/dev/null
	if ! cmp "$tmp/t.pcap" "$tmp/b.pcap"; then
		echo "FAIL: bpfc -r doc/sample.pcap -w '$e' differs from tcpdump's"
		exit 1
	fi
done
echo "bpfc filters the sample as tcpdump does"
