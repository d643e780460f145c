# bench/plot.gp: the run-time benchmark's figures as PNG (issue #5).
#
#   gnuplot -e "results='bench/results'" bench/plot.gp
#
# Takes, in the directory `results`: run.tsv (bench-run, packets in
# cache), optionally run-64k.tsv (bench-run --packets=65536) and e2e.tsv
# (bench/e2e.sh).  Gives engines.png: ns/packet per filter, one bar per
# engine, log scale, a panel per bench-run table; and e2e.png: ns per
# input packet of tcpdump, bpfc and bpfc --engine=cbpf per filter.  A
# missing figure (NaN in the TSV: engine not available, wrong or
# crashed) is a missing bar.

if (!exists("results")) results = "bench/results"
run = results."/run.tsv"
run64 = results."/run-64k.tsv"
e2e = results."/e2e.tsv"
have(f) = system("test -s '".f."' && echo 1 || echo 0") + 0

set datafile separator "\t"
set datafile missing "NaN"
set termoption noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top right horizontal
set grid ytics mytics
set xtics rotate by 30 right font ",9"
set xrange [-0.7:*]
set logscale y
set ylabel "ns per packet (log scale)"
set yrange [1:*]

# bench-run's columns 2-6 are libpcap, cbpf, ebpf, jit, dpdk.
set terminal pngcairo noenhanced size 1400, (have(run64) ? 1300 : 700) font ",10"
set output results."/engines.png"
if (have(run64)) { set multiplot layout 2, 1 }
set title "Run time per packet through each engine (median; packets in cache)"
plot run skip 1 using 2:xtic(1) title "libpcap bpf_filter" lc rgb "#888888", \
     "" skip 1 using 3 title "bpfc cBPF interpreter" lc rgb "#9ecae1", \
     "" skip 1 using 4 title "bpfc eBPF interpreter" lc rgb "#4292c6", \
     "" skip 1 using 5 title "bpfc JIT" lc rgb "#08306b", \
     "" skip 1 using 6 title "DPDK rte_bpf JIT" lc rgb "#e6550d"
if (have(run64)) {
	set title "The same, 65536 packets (beyond the L2 cache)"
	plot run64 skip 1 using 2:xtic(1) title "libpcap bpf_filter" lc rgb "#888888", \
	     "" skip 1 using 3 title "bpfc cBPF interpreter" lc rgb "#9ecae1", \
	     "" skip 1 using 4 title "bpfc eBPF interpreter" lc rgb "#4292c6", \
	     "" skip 1 using 5 title "bpfc JIT" lc rgb "#08306b", \
	     "" skip 1 using 6 title "DPDK rte_bpf JIT" lc rgb "#e6550d"
	unset multiplot
}
unset output

if (have(e2e)) {
	set terminal pngcairo noenhanced size 1000, 600 font ",10"
	set output results."/e2e.png"
	unset logscale y
	set yrange [0:*]
	set ylabel "ns per input packet (wall time)"
	set title "End to end: filter a capture file to a capture file (median)"
	plot e2e skip 1 using 2:xtic(1) title "tcpdump -r -w" lc rgb "#888888", \
	     "" skip 1 using 3 title "bpfc -r -w (JIT)" lc rgb "#08306b", \
	     "" skip 1 using 4 title "bpfc -r -w --engine=cbpf" lc rgb "#9ecae1"
	unset output
}
