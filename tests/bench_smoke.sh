#!/bin/sh
# tests/bench_smoke.sh: the benchmark runs and prints its tables.
#
# Runs bench/bench-compile --quick once (with a TSV) so that it cannot rot
# unnoticed.  Checks only that it exits 0 and printed each table's header,
# a row for every workload and a TSV row per measured figure: speed is
# reported by `make bench`, never asserted here.
#
# Environment (from the automake harness): top_srcdir, top_builddir,
# BPFC_SHARED.  Exit 0 pass, 1 fail, 77 skip.  Reproduce with
#   make check TESTS=tests/bench_smoke.sh   (log in tests/bench_smoke.log)
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir

bench=$top_builddir/bench/bench-compile
if [ ! -x "$bench" ]; then
	echo "SKIP: $bench is not built"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

"$bench" --quick --tsv="$tmp/out.tsv" >"$tmp/out.txt" 2>"$tmp/err.txt"
st=$?
cat "$tmp/out.txt"
[ $st -eq 0 ] || fail "bench-compile --quick exited $st: $(cat "$tmp/err.txt")"

for want in '== program size and instructions executed' 'instructions, total' \
	'executed per packet, sum' 'bpfc vs libpcap -O:' 'larger than libpcap -O' \
	'== compile time:' 'checks: counter vs bpf_filter mismatches 0;'; do
	grep -qF -- "$want" "$tmp/out.txt" || fail "no '$want' in the output"
done
for row in 'host consecutive' 'host random' 'port consecutive' 'port random'; do
	grep -q "^$row  *[0-9]" "$tmp/out.txt" || fail "no '$row' row in the compile-time table"
done
sizes=$(grep -c '^size	' "$tmp/out.tsv" 2>/dev/null)
ctime=$(grep -c '^ctime	' "$tmp/out.tsv" 2>/dev/null)
[ "${sizes:-0}" -gt 100 ] || fail "TSV: ${sizes:-0} size rows, expected one per corpus expression"
[ "${ctime:-0}" -ge 10 ] || fail "TSV: ${ctime:-0} compile-time rows, expected 10"

if [ $fails -ne 0 ]; then
	echo "$fails failures"
	exit 1
fi
echo "bench_smoke: the benchmark ran and printed its tables"
exit 0
