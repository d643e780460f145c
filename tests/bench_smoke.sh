#!/bin/sh
# tests/bench_smoke.sh: the benchmarks run and print their tables.
#
# Runs bench/bench-compile --quick, bench/bench-run --quick and
# bench/e2e.sh on a small input once (with TSVs), then bench/plot.gp when
# gnuplot is installed, so that none of them can rot unnoticed.  Checks
# only that they exit 0 and printed each table's header, a row for every
# workload and a TSV row per measured figure: speed is reported by
# `make bench`, never asserted here.  What they check themselves still
# counts: bench-run exits 1 when one of bpfc's engines returns a value
# libpcap does not on some packet, e2e.sh when bpfc's output file is not
# byte for byte tcpdump's.
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

# ---- bench-run: one row per default filter, the checks line, the TSV.
run=$top_builddir/bench/bench-run
if [ -x "$run" ]; then
	"$run" --quick --tsv="$tmp/run.tsv" >"$tmp/run.txt" 2>"$tmp/run.err"
	st=$?
	cat "$tmp/run.txt"
	[ $st -eq 0 ] || fail "bench-run --quick exited $st: $(cat "$tmp/run.err")"
	for want in '== run time per packet' 'geometric mean (9 filters)' \
		'checks: ' "wrong or crashed: 0 of bpfc's" 'targets: '; do
		grep -qF -- "$want" "$tmp/run.txt" || fail "bench-run: no '$want' in the output"
	done
	for row in 'tcp port 80 ' 'host 10.1.2.3 ' 'udp and dst port 53 ' 'ip and tcp\[13\] & 2 != 0 ' \
		'net 10.0.0.0/8 and not port 22 ' 'vlan and tcp ' 'ip6 and tcp ' \
		'port 80 or port 443 or port 8080 ' '100 hosts: host 10.0.0.1 or \.\.\. ' \
		"(baseline) accept all: '' "; do
		grep -q "^$row *[0-9]" "$tmp/run.txt" || fail "bench-run: no '$row' row"
		grep -q "^${row% }	[0-9]" "$tmp/run.tsv" || fail "bench-run TSV: no '$row' row"
	done
	# libpcap and bpfc's cBPF interpreter have a figure on every filter
	bad=$(awk -F '\t' 'NR > 1 && ($2 == "NaN" || $3 == "NaN")' "$tmp/run.tsv")
	[ -z "$bad" ] || fail "bench-run TSV: rows without libpcap or cbpf figures: $bad"
	"$run" --quick --filter='tcp' --engines=libpcap,cbpf --reps=1 >"$tmp/one.txt" 2>&1 ||
		fail "bench-run --filter/--engines failed: $(cat "$tmp/one.txt")"
	"$run" --no-such-option >/dev/null 2>&1
	[ $? -eq 2 ] || fail "bench-run: a bad option does not exit 2"
else
	fail "$run is not built"
fi

# ---- e2e.sh on a small input: a row per filter, outputs identical (or
# identical to unoptimized tcpdump's, which e2e.sh reports as such).
e2e=$top_srcdir/bench/e2e.sh
top_builddir=$top_builddir sh "$e2e" --quick --packets=20000 --runs=1 --results="$tmp" \
	--work="$tmp/work" >"$tmp/e2e.out" 2>"$tmp/e2e.err"
st=$?
cat "$tmp/e2e.out"
[ $st -eq 0 ] || fail "e2e.sh exited $st: $(cat "$tmp/e2e.err")"
grep -qF '== end to end' "$tmp/e2e.out" || fail "e2e.sh: no table"
[ "$(grep -c '	20000$' "$tmp/e2e.tsv" 2>/dev/null)" = 5 ] || fail "e2e.sh: TSV without 5 rows"
if grep -q 'DIFFERENT(' "$tmp/e2e.tsv" 2>/dev/null; then
	fail "e2e.sh: bpfc's output differs from tcpdump's"
fi

# ---- the plot, where gnuplot is installed.
if command -v gnuplot >/dev/null 2>&1; then
	if gnuplot -e "results='$tmp'" "$top_srcdir/bench/plot.gp" 2>"$tmp/plot.err" &&
		[ -s "$tmp/engines.png" ] && [ -s "$tmp/e2e.png" ]; then
		:
	else
		fail "plot.gp made no engines.png/e2e.png: $(cat "$tmp/plot.err")"
	fi
else
	echo "note: gnuplot not installed, plot.gp not run"
fi

if [ $fails -ne 0 ]; then
	echo "$fails failures"
	exit 1
fi
echo "bench_smoke: the benchmarks ran and printed their tables"
exit 0
