#!/bin/sh
# bench/e2e.sh: end-to-end capture-file filtering, `bpfc -r IN -w OUT EXPR`
# against `tcpdump -r IN -w OUT EXPR` (issue #5).
#
# Takes: options (--help), the built bpfc and tests/bpfc-pktgen.  Gives: a
# table on stdout and in RESULTS/e2e.txt, the figures as TSV in
# RESULTS/e2e.tsv: per filter, the median wall time of several runs of
# tcpdump, of bpfc (its default engine, the JIT) and of bpfc
# --engine=cbpf, in ns per packet of the input, and the ratios.
#
# The input is a multi-million-packet capture of small packets that
# bpfc-pktgen writes, captures cut at SNAP bytes (where bpfc-pktgen takes
# at most 1,000,000 packets, several files with consecutive seeds,
# joined: every file after the first without its 24-byte header); it is
# kept in WORK and made again only when missing.  Outputs go to WORK too, next to the
# input, and the input is read once first so that every run finds it in
# the page cache.  The runs take turns (tcpdump, bpfc, bpfc cbpf, then
# again) so that a slow moment falls on all of them.  Each bpfc output is
# compared with tcpdump's by cmp before any figure is reported: a
# different output is reported as DIFFERENT and gets no ratio, unless it
# is byte for byte the output of `tcpdump -O` (libpcap's unoptimized
# program, whose verdicts bpfc keeps on truncated packets where libpcap's
# optimizer changes some): that is reported as "=tcpdump -O", with its
# figures.
#
# Reports and asserts nothing about speed.  Exit 0 when it ran (a missing
# tcpdump, or a bpfc whose -r -w writes nothing yet, is reported and
# skipped), 1 when an output differed from both tcpdump's and tcpdump -O's
# or something failed, 2 on bad usage.
set -u

usage() {
	cat <<'EOF'
Usage: bench/e2e.sh [OPTION]...
Time `bpfc -r IN -w OUT EXPR` against `tcpdump -r IN -w OUT EXPR`.
  --quick        a small input and few runs (a CI smoke run)
  --packets=N    packets in the input (default 4000000; 100000 with --quick)
  --snap=N       captures cut at N bytes (default 96: small packets)
  --seed=N       generator seed of the first file (default 1)
  --runs=N       runs per tool and filter; the median is reported (default 5;
                 2 with --quick)
  --filter=EXPR  time EXPR (repeatable; replaces the default set)
  --results=DIR  where e2e.txt and e2e.tsv go (default bench/results)
  --work=DIR     where the input and outputs go (default bench/e2e-work)
  --help         this text
Environment: BPFC (the bpfc binary), BPFC_PKTGEN (tests/bpfc-pktgen),
TCPDUMP (tcpdump), top_builddir (default: the current directory).
EOF
}

: "${top_builddir:=.}"
BPFC=${BPFC:-$top_builddir/bpfc}
BPFC_PKTGEN=${BPFC_PKTGEN:-$top_builddir/tests/bpfc-pktgen}
TCPDUMP=${TCPDUMP:-tcpdump}
quick=0 packets= snap=96 seed=1 runs= results=$top_builddir/bench/results
work=$top_builddir/bench/e2e-work filters_given=0
filters_file=$(mktemp) || exit 1
trap 'rm -f "$filters_file"' EXIT

bad() {
	echo "e2e.sh: $*" >&2
	echo "Try 'bench/e2e.sh --help'." >&2
	exit 2
}
number() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

for arg; do
	case $arg in
	--quick) quick=1 ;;
	--packets=*) packets=${arg#*=}; number "$packets" && [ "$packets" -gt 0 ] || bad "bad $arg" ;;
	--snap=*) snap=${arg#*=}; number "$snap" && [ "$snap" -gt 0 ] || bad "bad $arg" ;;
	--seed=*) seed=${arg#*=}; number "$seed" || bad "bad $arg" ;;
	--runs=*) runs=${arg#*=}; number "$runs" && [ "$runs" -gt 0 ] || bad "bad $arg" ;;
	--filter=*) printf '%s\n' "${arg#*=}" >>"$filters_file"; filters_given=1 ;;
	--results=*) results=${arg#*=} ;;
	--work=*) work=${arg#*=} ;;
	--help) usage; exit 0 ;;
	*) bad "unknown option '$arg'" ;;
	esac
done
[ -n "$packets" ] || { [ $quick = 1 ] && packets=100000 || packets=4000000; }
[ -n "$runs" ] || { [ $quick = 1 ] && runs=2 || runs=5; }
if [ $filters_given = 0 ]; then
	cat >"$filters_file" <<'EOF'
tcp port 80
host 10.1.2.3
ip and tcp[13] & 2 != 0
net 10.0.0.0/8 and not port 22
port 80 or port 443 or port 8080
EOF
fi
mkdir -p "$results" "$work" || exit 1

# ---- the input ---------------------------------------------------------
# The capture of $packets packets; its name says what it holds.
make_input() {
	in=$work/in-$packets-s$snap-seed$seed.pcap
	[ -s "$in" ] && return 0
	[ -x "$BPFC_PKTGEN" ] || { echo "e2e.sh: $BPFC_PKTGEN is not built" >&2; return 1; }
	rm -f "$work"/in-*.pcap "$in.tmp"
	# one file when bpfc-pktgen takes that many (exit 2: it does not)
	"$BPFC_PKTGEN" -n "$packets" -s "$seed" -S "$snap" -o "$in" 2>/dev/null
	case $? in 0) return 0 ;; 2) ;; *) return 1 ;; esac
	left=$packets s=$seed first=1
	while [ "$left" -gt 0 ]; do
		n=$left
		[ "$n" -gt 1000000 ] && n=1000000
		"$BPFC_PKTGEN" -n "$n" -s "$s" -S "$snap" -o "$work/part.pcap" || return 1
		if [ $first = 1 ]; then
			cat "$work/part.pcap" >"$in.tmp"
		else
			tail -c +25 "$work/part.pcap" >>"$in.tmp"
		fi || return 1
		first=0 left=$((left - n)) s=$((s + 1))
	done
	rm -f "$work/part.pcap"
	mv "$in.tmp" "$in"
}

# ---- timing ------------------------------------------------------------
now_ns() { date +%s%N; }

# run TOOL OUT EXPR: one run, its wall time in ns on stdout ("fail" when
# it failed; its stderr is kept in $work/TOOL.err).
run() {
	tool=$1 out=$2 expr=$3
	rm -f "$out"
	t0=$(now_ns)
	case $tool in
	tcpdump) "$TCPDUMP" -r "$in" -w "$out" "$expr" 2>"$work/$tool.err" ;;
	bpfc) "$BPFC" -r "$in" -w "$out" "$expr" 2>"$work/$tool.err" ;;
	bpfc-cbpf) "$BPFC" --engine=cbpf -r "$in" -w "$out" "$expr" 2>"$work/$tool.err" ;;
	esac
	st=$?
	t1=$(now_ns)
	if [ $st -ne 0 ] || [ ! -f "$out" ]; then echo fail; else echo $((t1 - t0)); fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "NaN";
	else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The median time of TOOL's runs in $work/times, NaN when one failed.
med_of() {
	if grep -q "^$1 fail" "$work/times"; then
		echo "e2e.sh: $1 failed on '$expr': $(head -c 300 "$work/$1.err")" >&2
		echo NaN
		return 1
	fi
	awk -v t="$1" '$1 == t { print $2 }' "$work/times" | median
}

# What bpfc can do here: "ok", or why it is left out.
probe_bpfc() {
	[ -x "$BPFC" ] || { echo "$BPFC is not built"; return; }
	probe=$work/probe.pcap
	"$BPFC_PKTGEN" -n 100 -S "$snap" -o "$probe" 2>/dev/null || { echo "bpfc-pktgen failed"; return; }
	rm -f "$work/probe-out.pcap"
	"$BPFC" -r "$probe" -w "$work/probe-out.pcap" 'tcp' >/dev/null 2>&1
	if [ ! -f "$work/probe-out.pcap" ]; then
		echo "bpfc -r IN -w OUT wrote no OUT (the capture-file path has not landed?)"
	else
		echo ok
	fi
	rm -f "$probe" "$work/probe-out.pcap"
}

# compare EXPR: how each bpfc output compares with tcpdump's, on stdout:
# "identical", or per engine "bpfc:DIFFERENT(...)" / "bpfc:=tcpdump -O"
# when it differs from tcpdump's but equals unoptimized tcpdump's
# (libpcap's optimizer changes some verdicts on truncated packets; bpfc
# keeps the unoptimized ones).  Non-zero when one differs from both.
compare() {
	res= bad=0 unopt=
	for tool in bpfc bpfc-cbpf; do
		cmp -s "$work/out-tcpdump.pcap" "$work/out-$tool.pcap" && continue
		if [ -z "$unopt" ]; then
			"$TCPDUMP" -O -r "$in" -w "$work/out-unopt.pcap" "$1" 2>/dev/null
			unopt=done
		fi
		if cmp -s "$work/out-unopt.pcap" "$work/out-$tool.pcap"; then
			res="$res $tool:=tcpdump -O"
		else
			res="$res $tool:DIFFERENT($(cmp "$work/out-tcpdump.pcap" "$work/out-$tool.pcap" \
				2>&1 | head -1 | sed 's/.*differ: //'))"
			bad=1
		fi
	done
	echo "${res:- identical}" | sed 's/^ //'
	return $bad
}

fmt_ns() { awk -v t="$1" -v n="$packets" 'BEGIN { if (t == "NaN" || t == "fail") print "NaN";
	else printf "%.1f", t / n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "NaN" || b == "NaN" || b <= 0) print "NaN";
	else printf "%.2f", a / b }'; }

# ---- main --------------------------------------------------------------
have_tcpdump=1
command -v "$TCPDUMP" >/dev/null 2>&1 || have_tcpdump=0
make_input || { echo "e2e.sh: cannot make the input" >&2; exit 1; }
bpfc_state=$(probe_bpfc)
cat "$in" >/dev/null # warm the page cache
insize=$(wc -c <"$in")
tsv=$results/e2e.tsv txt=$results/e2e.txt
tools=
[ $have_tcpdump = 1 ] && tools=tcpdump
[ "$bpfc_state" = ok ] && tools="$tools bpfc bpfc-cbpf"
status=0

{
	echo "== end to end: bpfc -r IN -w OUT EXPR against tcpdump -r IN -w OUT EXPR"
	echo "input: $packets pktgen packets cut at $snap bytes ($insize bytes, $in); median of $runs runs, ns per input packet"
	[ $have_tcpdump = 1 ] || echo "tcpdump: not found, left out"
	[ "$bpfc_state" = ok ] || echo "bpfc: left out: $bpfc_state"
	printf '%-34s %9s %9s %10s %13s %18s %s\n' filter tcpdump bpfc bpfc-cbpf tcpdump/bpfc \
		tcpdump/bpfc-cbpf output
} | tee "$txt"
printf 'filter\ttcpdump\tbpfc\tbpfc_cbpf\ttcpdump_over_bpfc\ttcpdump_over_bpfc_cbpf\toutput\tpackets\n' >"$tsv"

i=0
while IFS= read -r expr; do
	i=$((i + 1))
	: >"$work/times"
	r=0
	while [ $r -lt "$runs" ]; do
		for tool in $tools; do
			echo "$tool $(run "$tool" "$work/out-$tool.pcap" "$expr")" >>"$work/times"
		done
		r=$((r + 1))
	done
	same=n/a t_tcpdump=NaN t_bpfc=NaN t_cbpf=NaN
	for tool in $tools; do
		m=$(med_of $tool) || status=1
		case $tool in
		tcpdump) t_tcpdump=$m ;;
		bpfc) t_bpfc=$m ;;
		bpfc-cbpf) t_cbpf=$m ;;
		esac
	done
	if [ $have_tcpdump = 1 ] && [ "$bpfc_state" = ok ]; then
		same=$(compare "$expr") || status=1
		case $same in *bpfc-cbpf:DIFFERENT*) t_cbpf=NaN ;; esac
		case $same in "bpfc:DIFFERENT"*) t_bpfc=NaN ;; esac
	fi
	tt=$(fmt_ns "$t_tcpdump") tb=$(fmt_ns "$t_bpfc") tc=$(fmt_ns "$t_cbpf")
	rb=$(ratio "$tt" "$tb") rc=$(ratio "$tt" "$tc")
	printf '%-34.34s %9s %9s %10s %13s %18s %s\n' "$expr" "$tt" "$tb" "$tc" "$rb" "$rc" "$same" |
		sed 's/NaN/  -/g' | tee -a "$txt"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$expr" "$tt" "$tb" "$tc" "$rb" "$rc" "$same" "$packets" >>"$tsv"
done <"$filters_file"

if grep -q '=tcpdump -O' "$tsv"; then
	echo "=tcpdump -O: bpfc's output differs from tcpdump's and is byte for byte that of" \
		"'tcpdump -O' (libpcap's optimizer changes verdicts on some truncated packets)" |
		tee -a "$txt"
fi
awk -F '\t' 'NR > 1 && $5 != "NaN" { s += log($5); n++ } NR > 1 && $6 != "NaN" { c += log($6); m++ }
	END { if (n) printf "geometric mean tcpdump/bpfc %.2f over %d filters (4 wanted): %s\n", exp(s / n), n, (exp(s / n) >= 4 ? "met" : "NOT met");
	      else print "geometric mean tcpdump/bpfc: no figures";
	      if (m) printf "geometric mean tcpdump/bpfc-cbpf %.2f over %d filters\n", exp(c / m), m }' "$tsv" | tee -a "$txt"
rm -f "$work"/out-*.pcap "$work/times"
echo "(table in $txt, TSV in $tsv)"
exit $status
