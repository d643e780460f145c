#!/bin/sh
# offline.sh: `bpfc -r IN [-w OUT] [-c N] EXPR` against tcpdump, the oracle.
#
# For generated captures (tests/bpfc-pktgen: several link types, both byte
# orders, nanosecond stamps, pcapng, a header snapshot length below the
# records' or 0) and for every capture of $BPFC_SHARED/pcaps/MANIFEST.tsv:
#   - the file bpfc -w writes is byte-identical (cmp) to `tcpdump -r IN -w
#     OUT EXPR`'s, also with -c N, from standard input and to standard
#     output, and both exit 0 or both non-zero;
#   - "N of M packets matched": N is `tcpdump -r IN --count EXPR`'s count,
#     M tcpdump's count with no expression (or N with -c N);
#   - without -w, bpfc prints exactly N summary lines;
#   - the input cut at many byte offsets (file header, record headers,
#     packet data): the same packets out as tcpdump writes (no file at all
#     when the file header is cut), both fail exactly when the cut is not
#     on a record boundary, and bpfc's error names the cut record's offset
#     (which is the size of tcpdump's unfiltered output of the cut file);
#   - a captured length over libpcap's maximum: both fail, same packets.
# The shared captures are sampled here (every fourth file); all of them
# are compared in process by tests/check_offline.
# Expressions bpfc does not compile for a shared capture's link type (or
# tcpdump does not) are skipped and counted.
#
# Seeded (OFFLINE_SEED, default 1): reproduce a failure with the seed
# printed.  BPFC_TEST_SCALE scales the number of cut offsets.  Exit 77
# when tcpdump is missing.
set -u

: "${top_builddir:=.}"
: "${BPFC:=$top_builddir/bpfc}"
: "${BPFC_SHARED:=${top_srcdir:-.}/../shared}"
PKTGEN=$top_builddir/tests/bpfc-pktgen
SEED=${OFFLINE_SEED:-1}
SCALE=${BPFC_TEST_SCALE:-1}

if ! command -v tcpdump >/dev/null 2>&1; then
	echo "SKIP: tcpdump is not installed (it is the oracle)"
	exit 77
fi
for p in "$BPFC" "$PKTGEN"; do
	if [ ! -x "$p" ]; then
		echo "FAIL: $p is not built"
		exit 1
	fi
done
# A sanitized bpfc starts ten times slower: fewer variants, cuts and
# shared files then (each still covered by tests/check_offline).
sanitized=0
grep -q __asan_init "$BPFC" 2>/dev/null && sanitized=1
stride=4
[ $sanitized = 1 ] && stride=16
# As root tcpdump drops to its own user before it writes -w's file; keep
# root so that it can write into our private directory.
TD="tcpdump"
[ "$(id -u)" = 0 ] && TD="tcpdump -Z root"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-offline.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

fails=0 checks=0 skipped=0 xfails=0
fail() {
	if [ -n "${known:-}" ]; then
		echo "XFAIL: $* ($known)"
		xfails=$((xfails + 1))
		return
	fi
	echo "FAIL: $*"
	echo "  (OFFLINE_SEED=$SEED; rerun: OFFLINE_SEED=$SEED sh tests/offline.sh)"
	fails=$((fails + 1))
}

# tcpdump's count for IN with no expression, or "" if it prints none.
tcount() {
	$TD -r "$1" --count 2>/dev/null | sed -n 's/^\([0-9][0-9]*\) packets\{0,1\}$/\1/p'
}

# same IN EXPR [COUNT]: -w output, status and counts against tcpdump.
# $total is M, tcpdump's count of IN (empty: not checked).  Leaves ts, bs
# (the exit statuses) and n (tcpdump's match count) for the caller.
same() {
	in=$1 expr=$2 cnt=${3:-}
	copt=""
	[ -n "$cnt" ] && copt="-c $cnt"
	rm -f "$tmp/t.pcap" "$tmp/b.pcap"
	$TD -r "$in" -w "$tmp/t.pcap" --count $copt $expr >"$tmp/t.out" 2>"$tmp/t.err"
	ts=$?
	n=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\}$/\1/p' "$tmp/t.out")
	"$BPFC" -r "$in" -w "$tmp/b.pcap" $copt $expr >/dev/null 2>"$tmp/b.err"
	bs=$?
	if ! grep -q ' packets matched$' "$tmp/b.err"; then
		if [ $ts -ne 0 ] && [ $bs -ne 0 ] && [ ! -e "$tmp/t.pcap" ] && [ ! -e "$tmp/b.pcap" ]; then
			checks=$((checks + 1)) # both refuse the file (or EXPR): no output
			return 1
		fi
		if [ $bs -eq 0 ] || [ -e "$tmp/b.pcap" ]; then
			fail "$in '$expr': bpfc printed no count: $(cat "$tmp/b.err")"
			return 1
		fi
		skipped=$((skipped + 1)) # bpfc did not compile EXPR for this link type
		return 1
	fi
	if [ ! -e "$tmp/t.pcap" ] && grep -q 'syntax error\|not supported\|unknown\|rejects all' "$tmp/t.err"; then
		skipped=$((skipped + 1)) # tcpdump (libpcap 1.10.3) cannot compile it
		return 1
	fi
	checks=$((checks + 1))
	if ! cmp -s "$tmp/t.pcap" "$tmp/b.pcap"; then
		fail "$in '$expr' $copt: bpfc -w differs from tcpdump -w"
		return 1
	fi
	if { [ $ts -eq 0 ] && [ $bs -ne 0 ]; } || { [ $ts -ne 0 ] && [ $bs -eq 0 ]; }; then
		fail "$in '$expr' $copt: exit status $bs, tcpdump's $ts: $(cat "$tmp/b.err")"
		return 1
	fi
	line=$(tail -n 1 "$tmp/b.err")
	m=$total
	[ -n "$cnt" ] && [ "$n" = "$cnt" ] && m='*' # stopped early: M is not known
	case $line in
	"$n of "$m" packets matched") return 0 ;;
	esac
	# a MANIFEST count (tshark's) may differ from libpcap's: ask tcpdump
	if [ "${total_src:-}" = manifest ] && [ "$m" != '*' ]; then
		m=$(tcount "$in")
		[ "$line" = "$n of $m packets matched" ] && return 0
	fi
	fail "$in '$expr' $copt: '$line', tcpdump counts $n of $m"
	return 0
}

# lines IN EXPR: one summary line per match.
lines() {
	nl=$("$BPFC" -r "$1" $2 2>"$tmp/l.err" | wc -l)
	want=$($TD -r "$1" --count $2 2>/dev/null | sed -n 's/^\([0-9]*\) packets*$/\1/p')
	checks=$((checks + 1))
	[ "$nl" = "$want" ] || fail "$1 '$2': $nl summary lines, tcpdump counts $want"
	grep -q "^$want of [0-9]* packets matched\$" "$tmp/l.err" ||
		fail "$1 '$2': $(tail -n 1 "$tmp/l.err"), tcpdump counts $want"
}

# pipes IN EXPR: -r - and -w - give tcpdump's bytes.
pipes() {
	$TD -r "$1" -w "$tmp/t.pcap" $2 >/dev/null 2>&1
	checks=$((checks + 1))
	"$BPFC" -r - -w "$tmp/b.pcap" $2 <"$1" 2>/dev/null
	cmp -s "$tmp/t.pcap" "$tmp/b.pcap" || fail "$1 '$2': -r - differs from tcpdump"
	cat "$1" | "$BPFC" -r - -w - $2 2>/dev/null >"$tmp/b.pcap"
	cmp -s "$tmp/t.pcap" "$tmp/b.pcap" || fail "$1 '$2': pipe to -w - differs from tcpdump"
}

EXPRS="ip|tcp or udp port 53|ip6 and not icmp6|greater 120 and not arp"

# ---- generated captures ---------------------------------------------------
# NULL and LOOP: libpcap compiles ip6 for a file as any BSD's AF_INET6 and
# swaps DLT_NULL's host-order family for a swapped file; so does bpfc -r.
for y in EN10MB LINUX_SLL LINUX_SLL2 RAW IPV6 PPP NULL LOOP; do
	variants="-B|-g -N|-B -N -S 300 -H 200"
	[ $y = EN10MB ] && variants="|-B|-N|-B -N|-g|-g -N|-g -B|-S 200 -H 100|-H 0"
	[ $sanitized = 1 ] && variants="-B -N"
	[ $sanitized = 1 ] && [ $y = EN10MB ] && variants="|-g -B|-S 200 -H 100"
	IFS='|'
	for v in $variants; do
		unset IFS
		f=$tmp/gen.pcap
		if ! "$PKTGEN" -y $y -n 1500 -s "$SEED" $v -o "$f" 2>"$tmp/g.err"; then
			fail "bpfc-pktgen -y $y $v: $(cat "$tmp/g.err")"
			continue
		fi
		total=$(tcount "$f")
		same "$f" "tcp or udp port 53"
		same "$f" "ip6 and not icmp6"
		same "$f" "tcp" 7
	done
	unset IFS
	lines "$f" "ip or ip6"
	pipes "$f" "ip6 or tcp"
done

# ---- cut and corrupted input ------------------------------------------------
f=$tmp/cut-src.pcap
"$PKTGEN" -n 300 -s "$SEED" -o "$f" || fail "bpfc-pktgen for the cut tests"
size=$(wc -c <"$f")
# (tests/check_offline cuts at every offset, against libpcap in process)
ncuts=$(awk -v s="$SCALE" -v q=$sanitized 'BEGIN { n = int((q ? 4 : 12) * s); print n < 3 ? 3 : n }')
offs=$(awk -v size="$size" -v n="$ncuts" -v seed="$SEED" 'BEGIN {
	srand(seed); for (i = 0; i <= 44; i += 4) print i
	for (i = 0; i < n; i++) print int(rand() * size) }')
for off in $offs; do
	head -c "$off" "$f" >"$tmp/cut.pcap"
	total=$(tcount "$tmp/cut.pcap")
	same "$tmp/cut.pcap" "len >= 0" || continue
	# the bad record starts where tcpdump's unfiltered copy ends
	if [ $bs -ne 0 ] && [ -e "$tmp/t.pcap" ]; then
		at=$(wc -c <"$tmp/t.pcap")
		grep -q "at byte $at:" "$tmp/b.err" ||
			fail "cut at $off: the error does not name byte $at: $(head -n 1 "$tmp/b.err")"
	fi
	[ "$off" -gt 44 ] && same "$tmp/cut.pcap" "tcp"
done
# captured lengths over libpcap's maximum, in the first and the 101st record
"$BPFC" -r "$f" -w "$tmp/h.pcap" -c 100 "len >= 0" 2>/dev/null
at=$(wc -c <"$tmp/h.pcap")
for pos in 32 $((at + 8)); do
	cp "$f" "$tmp/bad.pcap"
	printf '\377\377\377\177' | dd of="$tmp/bad.pcap" bs=1 seek="$pos" conv=notrunc 2>/dev/null
	total=$(tcount "$tmp/bad.pcap")
	same "$tmp/bad.pcap" "len >= 0"
	[ $bs -ne 0 ] || fail "captured length 0x7fffffff at byte $pos was accepted"
done

# ---- the shared captures --------------------------------------------------------
# Every fourth file (tests/check_offline compares all of them with
# libpcap's reader and dumper in process; starting tcpdump for each costs
# too much here), one expression per file in turn, -c on every seventh; M
# is the MANIFEST's packet count, checked with tcpdump where the two
# disagree.  Two shards run at once.
shard() {
	tmp=$tmp/shard$1
	mkdir -p "$tmp"
	i=0 files=0
	while IFS="$(printf '\t')" read -r name dlt pkts; do
		i=$((i + 1))
		[ $((i % (2 * stride))) -eq $(($1 * stride)) ] || continue
		in=$BPFC_SHARED/pcaps/$name
		[ -r "$in" ] || continue
		files=$((files + 1))
		known=""
		total=$pkts total_src=manifest
		e=$(echo "$EXPRS|len >= 0" | cut -d '|' -f $((i / 4 % 5 + 1)))
		same "$in" "$e"
		[ $((i % 7)) -eq 0 ] && same "$in" "len >= 0" 3
		[ $((i % 12)) -eq 0 ] && same "$in" "tcp" 1
		known="" total_src=""
	done <"$list"
	echo "$checks $skipped $xfails $fails $files" >"$tmp/counts"
}
manifest=$BPFC_SHARED/pcaps/MANIFEST.tsv
if [ -r "$manifest" ]; then
	list=$tmp/list
	awk -F '\t' 'NR > 1 { print $1 "\t" $3 "\t" $4 }' "$manifest" >"$list"
	(checks=0 skipped=0 xfails=0 fails=0; shard 0) &
	(checks=0 skipped=0 xfails=0 fails=0; shard 1)
	wait
	nfiles=0
	for k in 0 1; do
		if [ ! -r "$tmp/shard$k/counts" ]; then
			fail "shard $k of the shared captures did not finish"
			continue
		fi
		read -r c sk x fl nf <"$tmp/shard$k/counts"
		checks=$((checks + c)) skipped=$((skipped + sk)) xfails=$((xfails + x))
		fails=$((fails + fl)) nfiles=$((nfiles + nf))
	done
	echo "shared captures: $nfiles files"
else
	echo "note: $manifest not found; the shared captures were not checked"
fi

echo "offline: $checks checks, $skipped skipped (expression not compiled), $xfails known, $fails failures"
[ $fails -eq 0 ]
