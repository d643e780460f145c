#!/bin/sh
# tests/cli.sh: the bpfc command end to end, with tcpdump as the oracle.
#
#   (a) listings: tcpdump's -d, -dd and -ddd output of a set of
#       expressions, read back by `bpfc --asm` and printed in every style,
#       must equal tcpdump's own output of that style, byte for byte;
#   (b) -r: `N of M packets matched` must give tcpdump's counts (its
#       --count, i.e. libpcap's bpf_filter) on a generated capture and on
#       the shared real-world captures, read from a file and from stdin;
#   (c) errors: carets under the right token (column computed here from
#       the input), files named, exit statuses 1 and 2, no crash on
#       garbage, huge or truncated input;
#   (d) --help lists every option the binary accepts and nothing it
#       refuses; --version prints configure.ac's version and libpcap's.
#
# Environment (from the automake harness): BPFC, top_srcdir, top_builddir,
# BPFC_SHARED.  Exit 0 pass, 1 fail, 77 skip.  Reproduce one run with
#   make check TESTS=tests/cli.sh   (log in tests/cli.log)

# `test && pass || fail` is safe here: pass always succeeds.
# shellcheck disable=SC2015
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${BPFC:=$top_builddir/bpfc}"
: "${BPFC_SHARED:=$top_srcdir/../shared}"

if ! command -v tcpdump >/dev/null 2>&1; then
	echo "SKIP: tcpdump is not installed (it is this test's oracle)"
	exit 77
fi
if [ ! -x "$BPFC" ]; then
	echo "FAIL: $BPFC is not an executable"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# run ARGS...: bpfc with stdout, stderr and status in $tmp/out, err, $rc.
# Under --enable-sanitizers a report exits 1 like a clean error would, so
# look for the report itself.
run() {
	"$BPFC" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	sanitized "$tmp/err" "bpfc $*"
}
sanitized() {	# sanitized STDERR-FILE WHAT
	if grep -qE 'Sanitizer|runtime error:' "$1"; then
		fail "$2: sanitizer report"
		head -n 20 "$1" | sed 's/^/    /'
	fi
}

# expect_rc WANT WHAT: the last run's status; a crash (>= 128) never passes.
expect_rc() {
	if [ "$rc" -eq "$1" ]; then
		pass
	else
		fail "$2: exit status $rc, want $1"
		sed 's/^/    stderr: /' "$tmp/err" | head -n 5
	fi
}

# expect_err TEXT WHAT: the last run's stderr holds TEXT (fixed string).
expect_err() {
	if grep -qF -- "$1" "$tmp/err"; then
		pass
	else
		fail "$2: stderr lacks '$1'"
		sed 's/^/    stderr: /' "$tmp/err" | head -n 5
	fi
}

# same FILE1 FILE2 WHAT: byte-for-byte equal.
same() {
	if cmp -s "$1" "$2"; then
		pass
	else
		fail "$3"
		diff "$1" "$2" | head -n 10 | sed 's/^/    /'
	fi
}

# An empty Ethernet capture: tcpdump needs one to compile without an
# interface.  24 bytes: magic, version 2.4, zone, sigfigs, snaplen 262144,
# DLT_EN10MB, all little-endian.
empty=$tmp/empty.pcap
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\000\000\004\000\001\000\000\000' >"$empty"

# tcpdump's listing: tcpdump_list CAPTURE STYLE-FLAG EXPR > FILE
tcpdump_list() {
	_cap=$1 _flag=$2
	shift 2
	# shellcheck disable=SC2086 # the flags are split on purpose
	tcpdump -r "$_cap" $_flag "$@" 2>/dev/null
}

# ---- (a) listings ----------------------------------------------------------
# Each expression both optimized and with -O (unoptimized code uses scratch
# memory and X more), so every addressing mode goes through the assembler.
while IFS= read -r expr; do
	[ -n "$expr" ] || continue
	for opt in "" -O; do
		what="listing of '$expr'${opt:+ ($opt)}"
		if ! tcpdump_list "$empty" "$opt -d" "$expr" >"$tmp/d" ||
			! tcpdump_list "$empty" "$opt -dd" "$expr" >"$tmp/dd" ||
			! tcpdump_list "$empty" "$opt -ddd" "$expr" >"$tmp/ddd"; then
			fail "$what: tcpdump cannot compile it"
			continue
		fi
		run --asm - -ddd <"$tmp/d"
		expect_rc 0 "$what: -d read, -ddd printed"
		same "$tmp/out" "$tmp/ddd" "$what: -d read, -ddd printed"
		run --asm - -dd <"$tmp/d"
		same "$tmp/out" "$tmp/dd" "$what: -d read, -dd printed"
		run --asm "$tmp/d" </dev/null
		same "$tmp/out" "$tmp/d" "$what: -d read, -d (default) printed"
		run --asm "$tmp/dd" -d </dev/null
		same "$tmp/out" "$tmp/d" "$what: -dd read, -d printed"
		run --asm "$tmp/ddd" -d -d </dev/null
		same "$tmp/out" "$tmp/dd" "$what: -ddd read, '-d -d' printed"
		run -dddd --asm "$tmp/dd" </dev/null
		same "$tmp/out" "$tmp/ddd" "$what: -dd read, -dddd printed"
	done
done <<'EOF'
ip
tcp port 80
udp and (port 53 or port 67)
ip6 and icmp6
arp or rarp
vlan 100 and tcp
ether host 00:11:22:33:44:55 and not ether broadcast
net 10.0.0.0/8 and len > 100
tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn
ip[2:2] / 4 > 10 and ip[0] & 0xf != 5 and ip[8] * 2 < 100
portrange 1000-2000 or ip[6:2] & 0x1fff != 0
EOF

# ---- (b) running over captures ---------------------------------------------
# tcpdump_count CAPTURE [EXPR]: how many packets tcpdump's filter accepts.
tcpdump_count() {
	tcpdump -r "$@" --count 2>/dev/null | sed -n 's/^\([0-9]*\) packets\{0,1\}$/\1/p'
}

# count_check CAPTURE EXPR TOTAL: bpfc's "N of M" against tcpdump --count.
count_check() {
	_cap=$1 _expr=$2 _total=$3
	if ! tcpdump -r "$_cap" -ddd "$_expr" >"$tmp/prog" 2>/dev/null; then
		# Not every expression compiles for every link type; tcpdump
		# refuses, and so there is nothing to compare.
		return
	fi
	_want=$(tcpdump_count "$_cap" "$_expr")
	if [ -z "$_want" ] || [ -z "$_total" ]; then
		fail "tcpdump --count gave nothing for '$_expr' on $_cap"
		return
	fi
	run --asm "$tmp/prog" -r "$_cap" </dev/null
	expect_rc 0 "'$_expr' -r $_cap"
	_got=$(cat "$tmp/err")
	if [ "$_got" = "$_want of $_total packets matched" ]; then
		pass
	else
		fail "'$_expr' on $_cap: bpfc says '$_got', tcpdump '$_want of $_total'"
	fi
	# One summary line per matching packet on stdout.
	_lines=$(wc -l <"$tmp/out")
	if [ "$_lines" -ne "$_want" ]; then
		fail "'$_expr' -r $_cap: $_lines lines on stdout, $_want packets matched"
	fi
	"$BPFC" --asm "$tmp/prog" -r - <"$_cap" >/dev/null 2>"$tmp/err2"
	sanitized "$tmp/err2" "'$_expr' -r - <$_cap"
	if [ "$(cat "$tmp/err2")" = "$_want of $_total packets matched" ]; then
		pass
	else
		fail "'$_expr' on $_cap from stdin: bpfc says '$(cat "$tmp/err2")'"
	fi
	# The same expression compiled by bpfc itself, for the capture's link type.
	run -r "$_cap" "$_expr" </dev/null
	expect_rc 0 "bpfc -r $_cap '$_expr'"
	if [ "$(cat "$tmp/err")" = "$_want of $_total packets matched" ]; then
		pass
	else
		fail "bpfc -r $_cap '$_expr': bpfc says '$(cat "$tmp/err")', tcpdump '$_want of $_total'"
	fi
}

capture_exprs='ip
ip6
tcp
udp
tcp port 80
arp
vlan
icmp or icmp6
ip[6:2] & 0x1fff != 0
tcp[tcpflags] & (tcp-syn|tcp-fin) != 0
len > 200 and ether broadcast
ip6 and udp portrange 1-1024'

count_all() {	# count_all CAPTURE
	total=$(tcpdump_count "$1")
	while IFS= read -r expr; do
		count_check "$1" "$expr" "$total"
	done <<EOF
$capture_exprs
EOF
}

pktgen=$top_builddir/tests/bpfc-pktgen
if [ -x "$pktgen" ] && "$pktgen" -n 2000 -s 7 -o "$tmp/gen.pcap" >/dev/null 2>&1 &&
	[ -s "$tmp/gen.pcap" ]; then
	echo "(b) generated capture: bpfc-pktgen -n 2000 -s 7"
	count_all "$tmp/gen.pcap"
	# Another link layer, so the offsets in the programs differ.
	if "$pktgen" -y LINUX_SLL -n 500 -s 11 -o "$tmp/sll.pcap" >/dev/null 2>&1; then
		echo "(b) generated capture: bpfc-pktgen -y LINUX_SLL -n 500 -s 11"
		count_all "$tmp/sll.pcap"
	else
		fail "bpfc-pktgen -y LINUX_SLL -n 500 -s 11 failed"
	fi
else
	echo "SKIP part of (b): $pktgen cannot generate a capture yet"
fi

# IPv4 fragments; IPv4 and IPv6; pcapng; VLAN-tagged GRE.
shared_pcaps="tcpdump/afs.pcap tcpdump/vrrp.pcap tcpdump/OSPFv2_Capture_FINAL.pcapng
zeek/gre-aruba.pcap"
if [ -d "$BPFC_SHARED/pcaps" ]; then
	for p in $shared_pcaps; do
		[ -f "$BPFC_SHARED/pcaps/$p" ] && count_all "$BPFC_SHARED/pcaps/$p"
	done
else
	echo "SKIP part of (b): no shared captures at $BPFC_SHARED/pcaps"
fi

# --dump=x86: the JIT's code as hex lines, disassembled by objdump when it
# is on the PATH (its `ret` ends every program), hex only without it.
run --dump=x86 'tcp port 80'
if [ "$rc" -ne 0 ] && grep -q 'not available' "$tmp/err"; then
	pass # no JIT on this host: refused with a reason
else
	expect_rc 0 "--dump=x86 'tcp port 80'"
	if head -n 1 "$tmp/out" | grep -q '^00000000: '; then pass; else
		fail "--dump=x86: the first line is not hex at offset 0"; fi
	if command -v objdump >/dev/null 2>&1; then
		if grep -qw 'ret' "$tmp/out"; then pass; else
			fail "--dump=x86: no disassembly although objdump is installed"; fi
	fi
	PATH=/nonexistent "$BPFC" --dump=x86 ip >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect_rc 0 "--dump=x86 ip without objdump"
	if grep -qv '^[0-9a-f]\{8\}: ' "$tmp/out"; then
		fail "--dump=x86 without objdump: a line that is not hex"; else pass; fi
fi

# ---- (c) errors ---------------------------------------------------------------
# A small capture made here: three 60-byte Ethernet frames, all zero but
# the ethertype: IPv4, ARP, IPv4 (records: seconds, microseconds, caplen
# 60, wirelen 60).
frames=$tmp/frames.pcap
cp "$empty" "$frames"
for ethertype in '\010\000' '\010\006' '\010\000'; do
	{
		printf '\001\000\000\000\000\000\000\000\074\000\000\000\074\000\000\000'
		head -c 12 /dev/zero
		printf '%b' "$ethertype"
		head -c 46 /dev/zero
	} >>"$frames"
done
tcpdump_list "$empty" -ddd ip >"$tmp/ip.ddd"
tcpdump_list "$empty" -d 'tcp port 80' >"$tmp/tcp80.d"

# expect_caret FILE LINENO TOKEN WHAT: the last run drew
#   FILE:LINENO:COL: error: ...
#     <the line>
#     <blanks>^~~~   starting under TOKEN and not past its end
# where COL is where TOKEN starts in the line (computed from the input).
expect_caret() {
	_file=$1 _ln=$2 _tok=$3 _what=$4
	_line=$(sed -n "${_ln}p" "$_file")
	_col=$(awk -v t="$_tok" -v n="$_ln" 'NR == n { print index($0, t) }' "$_file")
	if ! head -n 1 "$tmp/err" | grep -qF -- "$_file:$_ln:$_col: error: "; then
		fail "$_what: first line is not '$_file:$_ln:$_col: error: ...'"
		sed 's/^/    stderr: /' "$tmp/err" | head -n 5
		return
	fi
	if [ "$(sed -n 2p "$tmp/err")" != "  $_line" ]; then
		fail "$_what: second line does not quote line $_ln"
		return
	fi
	# Blanks keep tabs where the line has them, so compare characters.
	_caret=$(sed -n 3p "$tmp/err")
	_at=$(printf '%s\n' "$_caret" | awk '{ print index($0, "^") }')
	_len=$(printf '%s\n' "$_caret" | awk '{ s = substr($0, index($0, "^")); print length(s) }')
	if [ "$_at" -ne $((_col + 2)) ] || [ "$_len" -gt ${#_tok} ] ||
		[ -n "$(printf '%s\n' "$_caret" | cut -c"$((_at + 1))"- | tr -d '~')" ]; then
		fail "$_what: caret line '$_caret' is not under '$_tok' (column $_col)"
		return
	fi
	pass
}

# A misspelt mnemonic on the third line of a -d listing.
sed '3s/^\(([0-9]*) *\)[a-z]*/\1ldzz/' "$tmp/tcp80.d" >"$tmp/bad.d"
run --asm "$tmp/bad.d"
expect_rc 1 "misspelt mnemonic"
expect_caret "$tmp/bad.d" 3 ldzz "misspelt mnemonic"
# A word where a number belongs in a -ddd listing (line 4, third field).
awk 'NR == 4 { $3 = "zork" } { print }' "$tmp/ip.ddd" >"$tmp/bad.ddd"
run --asm "$tmp/bad.ddd" -r "$frames"
expect_rc 1 "word in a -ddd listing"
expect_caret "$tmp/bad.ddd" 4 zork "word in a -ddd listing"

# Well-formed but invalid: a jump past the end (the kernel refuses it).
printf '2\n21 5 0 1\n6 0 0 0\n' >"$tmp/jump.ddd"
run --asm "$tmp/jump.ddd"
expect_rc 1 "jump out of range"
expect_err "$tmp/jump.ddd" "jump out of range names the file"
expect_err "insn 0" "jump out of range names the instruction"

run --asm "$tmp/missing.txt"
expect_rc 1 "missing --asm file"
expect_err "$tmp/missing.txt: No such file or directory" "missing --asm file"
run --asm "$tmp"
expect_rc 1 "--asm DIRECTORY"
expect_err "$tmp: Is a directory" "--asm DIRECTORY"
run --asm "$tmp/ip.ddd" -r "$tmp/missing.pcap"
expect_rc 1 "missing capture"
expect_err "$tmp/missing.pcap: No such file or directory" "missing capture"
run --asm "$tmp/ip.ddd" -r "$tmp/ip.ddd"
expect_rc 1 "a listing given as a capture"
expect_err "$tmp/ip.ddd: " "a listing given as a capture"
: >"$tmp/empty.txt"
run --asm "$tmp/empty.txt"
expect_rc 1 "empty program file"
# Not text at all: the bpfc binary itself, and a capture.
run --asm "$BPFC"
expect_rc 1 "a binary as the program"
run --asm "$frames"
expect_rc 1 "a capture as the program"
# Over the 64 MiB limit, from a file and from a pipe.
head -c 67108865 /dev/zero >"$tmp/huge.txt"
run --asm "$tmp/huge.txt"
expect_rc 1 "64 MiB + 1 byte program"
expect_err "$tmp/huge.txt: " "64 MiB + 1 byte program"
head -c 67108865 /dev/zero | "$BPFC" --asm - >"$tmp/out" 2>"$tmp/err"
rc=$?
sanitized "$tmp/err" "64 MiB + 1 byte program on stdin"
expect_rc 1 "64 MiB + 1 byte program on stdin"
expect_err "<stdin>" "64 MiB + 1 byte program on stdin"
rm -f "$tmp/huge.txt"

# A truncated capture: the last frame cut short.  tcpdump --count says how
# many whole packets come first.
head -c $((24 + 2 * 76 + 16 + 30)) "$frames" >"$tmp/cut.pcap"
whole=$(tcpdump_count "$tmp/cut.pcap")
match=$(tcpdump_count "$tmp/cut.pcap" ip)
run --asm "$tmp/ip.ddd" -r "$tmp/cut.pcap"
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && pass || fail "truncated capture: exit status $rc"
expect_err "bpfc: error: $tmp/cut.pcap: " "truncated capture names the file"
expect_err "$match of $whole packets matched" "truncated capture: counts so far"
head -c 30 "$frames" | "$BPFC" --asm "$tmp/ip.ddd" -r - >/dev/null 2>"$tmp/err"
rc=$?
sanitized "$tmp/err" "truncated capture header on stdin"
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && pass || fail "truncated capture header on stdin: exit status $rc"
expect_err "<stdin>: " "truncated capture header on stdin"

# Usage errors.
run --no-such-option
expect_rc 2 "unknown long option"
expect_err "--help" "unknown long option mentions --help"
run -Z
expect_rc 2 "unknown short option"
expect_err "--help" "unknown short option mentions --help"
run --asm
expect_rc 2 "--asm without its argument"
run
expect_rc 2 "no arguments"
run --asm - -r - <"$frames"
expect_rc 2 "--asm - with -r -"
run tcp port 80
expect_rc 0 "an expression compiles"
run tcp port 99999
expect_rc 1 "a bad expression"
expect_err "port 99999 out of range (0-65535)" "a bad expression"

# -F FILE: the expression from a file, '#' comments blanked as tcpdump -F
# does; the count must be tcpdump -F's on the same file.
printf 'tcp # web traffic\n  port 80 # and nothing else\n' >"$tmp/expr.txt"
if [ -s "$tmp/gen.pcap" ]; then
	want=$(tcpdump -F "$tmp/expr.txt" -r "$tmp/gen.pcap" --count 2>/dev/null |
		sed -n 's/^\([0-9]*\) packets\{0,1\}$/\1/p')
	total=$(tcpdump_count "$tmp/gen.pcap")
	run -F "$tmp/expr.txt" -r "$tmp/gen.pcap"
	expect_rc 0 "-F with comments"
	if [ -n "$want" ] && [ "$(cat "$tmp/err")" = "$want of $total packets matched" ]; then
		pass
	else
		fail "-F: bpfc says '$(cat "$tmp/err")', tcpdump -F '$want of $total'"
	fi
fi
# An error on the second line of an -F file names the line and column;
# the column is computed from the text.
printf 'tcp and\n  port 99999\n' >"$tmp/bad-expr.txt"
col=$(awk 'NR == 2 { print index($0, "99999") }' "$tmp/bad-expr.txt")
run -F "$tmp/bad-expr.txt"
expect_rc 1 "-F with a bad port"
expect_err "$tmp/bad-expr.txt:2:$col: error: port 99999 out of range (0-65535)" "-F error position"
run -F "$tmp/expr.txt" tcp
expect_rc 2 "-F and an expression"
run -F - -r - </dev/null
expect_rc 2 "-F - and -r - both on standard input"
run --asm "$tmp/ip.ddd" tcp
expect_rc 2 "--asm and an expression"

# ---- (d) --help and --version -------------------------------------------------
run --help
expect_rc 0 "--help"
cp "$tmp/out" "$tmp/help"
[ -s "$tmp/help" ] && head -n 1 "$tmp/help" | grep -q '^Usage: bpfc ' && pass ||
	fail "--help does not start with a usage line"
# Every option in the help's option list is accepted (given an argument
# when the help shows one).
sed -n '/^Options:/,/^$/p' "$tmp/help" | grep '^ *-' |
	sed 's/^ *//; s/   .*//; s/, / /g' >"$tmp/optlines"
[ -s "$tmp/optlines" ] && pass || fail "--help lists no options"
while IFS= read -r optline; do
	# shellcheck disable=SC2086 # split the line into its words
	set -- $optline
	arg=
	for w in "$@"; do
		case $w in [A-Z]*) arg=$tmp/nothing ;; esac
	done
	for w in "$@"; do
		case $w in
		-*) ;;
		*) continue ;;
		esac
		if [ -n "$arg" ]; then run "$w" "$arg" </dev/null; else run "$w" </dev/null; fi
		if grep -q 'unrecognized option' "$tmp/err"; then
			fail "--help lists $w but bpfc refuses it"
		else
			pass
		fi
	done
done <"$tmp/optlines"
# And the other way round: every short option bpfc accepts, and every
# letter that starts one of its long options (getopt takes unique
# prefixes), is in the help.
for c in a b c d e f g h i j k l m n o p q r s t u v w x y z \
	A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 0 1 2 3 4 5 6 7 8 9; do
	run "-$c" </dev/null
	if ! grep -q "unrecognized option '-$c'" "$tmp/err"; then
		grep -qE -- "(^| )-$c( |\$)" "$tmp/optlines" && pass ||
			fail "bpfc accepts -$c but --help does not list it"
	fi
	case $c in [a-z]) ;; *) continue ;; esac
	run "--$c" </dev/null
	if ! grep -q "unrecognized option '--$c'" "$tmp/err"; then
		grep -q -- "--$c" "$tmp/optlines" && pass ||
			fail "bpfc accepts --$c... but --help lists no such long option"
	fi
done

run --version
expect_rc 0 "--version"
version=$(sed -n 's/^AC_INIT(\[bpfc\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
config_version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] && [ "$version" = "$config_version" ] && pass ||
	fail "configure.ac says '$version', config.h '$config_version'"
[ "$(sed -n 1p "$tmp/out")" = "bpfc $version" ] && pass ||
	fail "--version's first line is '$(sed -n 1p "$tmp/out")', want 'bpfc $version'"
pcapver=$(tcpdump --version 2>&1 | grep '^libpcap version')
[ "$(sed -n 2p "$tmp/out")" = "$pcapver" ] && pass ||
	fail "--version's second line is '$(sed -n 2p "$tmp/out")', tcpdump's libpcap is '$pcapver'"

echo "cli.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
