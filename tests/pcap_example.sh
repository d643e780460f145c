#!/bin/sh
# pcap_example.sh: doc/examples/capture, bpfc_pcap_compile's example
# program, filters captures as libpcap does.  On captures tests/bpfc-pktgen
# writes (Ethernet; Linux cooked with a 100-byte snapshot length, so some
# packets are cut short) and a seeded sample of tests/exprs/captures.txt
# (a quarter on Ethernet, an eighth on Linux cooked; BPFC_TEST_SCALE widens
# it), the packets the example prints (time stamps: pktgen gives every
# packet its own) must be those `tcpdump -O -r FILE -w OUT EXPR` writes,
# and its count on standard error their number.  -O: tcpdump's optimizer
# changes verdicts on packets cut short, bpfc's never does (see
# bpfc_pcap_compile(3)).  Where tcpdump refuses an expression the example
# must too.  Where only the example refuses: "expression rejects all
# packets" needs tcpdump (optimizing) to say so as well; a "not supported
# yet" message or a range libpcap checks only after 1.10.3 is counted; and
# `ip broadcast` needs a netmask, which a savefile does not give the
# example (tcpdump then uses 0).  Anything else fails.
# Then its errors: bad usage exits 2; a bad expression exits 1 with the
# column of the bad text in the message.
# Environment: top_srcdir, top_builddir, BPFC_SEED (captures and sample),
# BPFC_TEST_SCALE.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
capture=$top_builddir/doc/examples/capture
pktgen=$top_builddir/tests/bpfc-pktgen
corpus=$top_srcdir/tests/exprs/captures.txt
seed=${BPFC_SEED:-7}

[ -x "$capture" ] || { echo "FAIL: $capture is not built"; exit 1; }
[ -x "$pktgen" ] || { echo "FAIL: $pktgen is not built"; exit 1; }
[ -r "$corpus" ] || { echo "FAIL: cannot read $corpus (set top_srcdir)"; exit 1; }
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump is not installed"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

"$pktgen" -y EN10MB -n 1500 -s "$seed" -o "$tmp/en10mb.pcap" || exit 1
"$pktgen" -y LINUX_SLL -n 800 -s "$seed" -S 100 -o "$tmp/sll.pcap" || exit 1

# libtool's wrapper script costs a shell start per run: run the program it
# wraps, with the build's libraries, when it is where libtool puts it.
real=$top_builddir/doc/examples/.libs/capture
if [ -x "$real" ] && [ -f "$top_builddir/.libs/libbpfc-pcap.so" ]; then
	run_capture() {
		LD_LIBRARY_PATH="$top_builddir/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$real" "$@"
	}
else
	run_capture() { "$capture" "$@"; }
fi

fails=0 same=0 both_refuse=0 never=0 notyet=0 newer=0 netmask=0

fail() {
	fails=$((fails + 1))
	[ $fails -le 30 ] && echo "FAIL [$1] '$2': $3 (BPFC_SEED=$seed)"
}

# The example refused what tcpdump -O compiled: is that allowed?
only_ours_refuse() {
	file=$1 expr=$2
	if grep -q 'rejects all packets' "$tmp/ours.err"; then
		if tcpdump -r "$tmp/$file" -- "$expr" 2>&1 </dev/null | grep -q 'rejects all packets'; then
			never=$((never + 1))
		else
			fail "$file" "$expr" "refused as never matching; tcpdump does not find that"
		fi
	elif grep -q 'not supported yet' "$tmp/ours.err"; then
		notyet=$((notyet + 1))
	elif grep -Eq 'LLC DSAP|protocol number|link-layer protocol|byte argument|ISO protocol|IS-IS PDU' "$tmp/ours.err"; then
		newer=$((newer + 1))
	elif grep -q "netmask not known" "$tmp/ours.err"; then
		netmask=$((netmask + 1))
	else
		fail "$file" "$expr" "the example refuses it: $(cat "$tmp/ours.err")"
	fi
}

# One expression on one capture: the example against tcpdump -O.
one() {
	file=$1 expr=$2
	run_capture -r "$tmp/$file" -- "$expr" >"$tmp/ours" 2>"$tmp/ours.err" </dev/null
	ours=$?
	rm -f "$tmp/out.pcap"
	tcpdump -O -r "$tmp/$file" -w "$tmp/out.pcap" -- "$expr" >/dev/null 2>"$tmp/theirs.err" </dev/null
	theirs=$?
	if [ $ours -ne 0 ] && [ $theirs -ne 0 ]; then
		both_refuse=$((both_refuse + 1))
	elif [ $theirs -ne 0 ]; then
		fail "$file" "$expr" "tcpdump refuses it ($(cat "$tmp/theirs.err")), the example filters"
	elif [ $ours -ne 0 ]; then
		only_ours_refuse "$file" "$expr"
	else
		# tcpdump wrote the packets it passes: list them (no filter).
		run_capture -r "$tmp/out.pcap" </dev/null 2>/dev/null | cut -d' ' -f1 >"$tmp/theirs"
		cut -d' ' -f1 "$tmp/ours" >"$tmp/ours.ts"
		n=$(wc -l <"$tmp/theirs" | tr -d ' ')
		count=$(sed -n 's/^\([0-9]*\) packets$/\1/p' "$tmp/ours.err")
		if ! cmp -s "$tmp/ours.ts" "$tmp/theirs"; then
			fail "$file" "$expr" "$(wc -l <"$tmp/ours.ts" | tr -d ' ') packets, tcpdump's $n (or others)"
		elif [ "$count" != "$n" ]; then
			fail "$file" "$expr" "says '$count packets' after printing $n"
		else
			same=$((same + 1))
		fi
	fi
}

# The sample: every STEP-th expression from an offset the seed picks.
scale=${BPFC_TEST_SCALE:-1}
sample() {
	awk -v step="$1" -v scale="$scale" -v seed="$seed" '
		BEGIN { s = int(step / (scale > 0 ? scale : 1)); if (s < 1) s = 1; off = seed % s }
		/^[ \t]*(#|$)/ { next }
		{ if (n++ % s == off) print }' "$corpus"
}
sample 4 >"$tmp/en10mb.exprs"
sample 8 >"$tmp/sll.exprs"
while IFS= read -r expr; do one en10mb.pcap "$expr"; done <"$tmp/en10mb.exprs"
while IFS= read -r expr; do one sll.pcap "$expr"; done <"$tmp/sll.exprs"
echo "captures: $same agree with tcpdump -O, $both_refuse refused by both, $never never" \
	"match (the example and tcpdump refuse), $notyet not yet, $newer newer range checks," \
	"$netmask need a netmask"
[ $same -gt 0 ] || fail all all "nothing compared"

# Bad usage: exit 2.
"$capture" >/dev/null 2>&1
[ $? -eq 2 ] || fail usage "" "no -i or -r: exit status not 2"
"$capture" -r "$tmp/en10mb.pcap" -i lo tcp >/dev/null 2>&1
[ $? -eq 2 ] || fail usage "" "-i and -r: exit status not 2"

# A bad expression: exit 1, the message has where the bad text starts (from
# the expression itself: awk's index is 1-based, like the column).
for expr in 'tcp port 99999' 'udp and portrange 1-70000' 'ip and tcp src port 65536'; do
	run_capture -r "$tmp/en10mb.pcap" "$expr" >/dev/null 2>"$tmp/err"
	rc=$?
	tcpdump -r "$tmp/en10mb.pcap" "$expr" >/dev/null 2>&1 && fail error "$expr" "tcpdump compiles it"
	bad=${expr##* }
	col=$(awk -v e="$expr" -v b="$bad" 'BEGIN { print index(e, b) }')
	if [ $rc -ne 1 ]; then
		fail error "$expr" "exit status $rc, not 1"
	elif ! grep -Eq "^capture: columns? $col[-:]" "$tmp/err"; then
		fail error "$expr" "message '$(cat "$tmp/err")' does not start at column $col"
	fi
done

[ $fails -eq 0 ] || { echo "FAIL: $fails differences"; exit 1; }
echo "PASS: the example filters as tcpdump -O does"
