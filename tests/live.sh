#!/bin/sh
# live.sh: `bpfc -i` end to end, in a network namespace of its own.
#
# Oracle: libpcap, through tcpdump.  A tcpdump on the same interface
# records every packet unfiltered (the wire); `tcpdump -r WIRE EXPR` is
# what libpcap's filter says matches.  bpfc's -w file must hold exactly
# those packets, byte for byte (tcpdump -xx of both, time stamps left out),
# and its printed lines must carry the addresses, ports, lengths and time
# stamps tcpdump prints for the same packets.  Checked:
#   - -c and -w on a veth pair (datagrams to ten ports, the filter takes
#     two), -w - piped into tcpdump, and the snapshot length (-s 60 against
#     a tcpdump -s 60);
#   - the line format (-c, no -w) against tcpdump -e;
#   - SIGINT: the capture stops with status 0, prints the counts, and the
#     file is a valid pcap holding exactly the number of packets it says,
#     even when the signal lands in the middle of a burst;
#   - -i lo: a datagram looped back over lo is captured once (the outgoing
#     copy is skipped, as libpcap does), and matches tcpdump's capture;
#   - -i any: a LINUX_SLL file (tcpdump says so) whose packets, cooked
#     header included, are the ones a tcpdump -y LINUX_SLL -i any captured
#     and libpcap's filter accepts; its lines name the direction tcpdump
#     prints;
#   - errors: no such interface, an interface type bpfc does not frame.
# Every wait is bounded (timeout(1), counted polls).  Needs root,
# unshare(1), ip(8), tcpdump and bash (for /dev/udp): exits 77 otherwise.
set -u

BPFC=${BPFC:-${top_builddir:-..}/bpfc}
fail=0
skip() { echo "SKIP: $*"; exit 77; }
bad() { echo "FAIL: $*"; fail=1; }

if [ -z "${BPFC_LIVE_IN_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "needs root (packet sockets, a network namespace)"
	for t in unshare ip tcpdump timeout bash; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not found"
	done
	[ -x "$BPFC" ] || skip "no bpfc binary at $BPFC"
	unshare --net true 2>/dev/null || skip "unshare --net: network namespaces unavailable"
	BPFC_LIVE_IN_NS=1 BPFC=$BPFC exec timeout ${BPFC_LIVE_TIMEOUT:-300} unshare --net -- /bin/sh "$0" "$@"
fi

# ---- inside the namespace: nothing here is the host's ----------------------
[ -n "${BPFC_LIVE_TRACE:-}" ] && set -x
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-live.XXXXXX") || exit 1
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export TZ=UTC

v0=bl0-$$
v1=bl1-$$
ip link set lo up || skip "cannot bring lo up"
for k in all default lo; do
	echo 1 >/proc/sys/net/ipv6/conf/$k/disable_ipv6 2>/dev/null
done
ip link add "$v0" type veth peer name "$v1" 2>/dev/null || skip "cannot make a veth pair"
echo 1 >/proc/sys/net/ipv6/conf/$v0/disable_ipv6
echo 1 >/proc/sys/net/ipv6/conf/$v1/disable_ipv6
ip link set "$v0" up && ip link set "$v1" up || skip "cannot bring the veth pair up"
ip addr add 10.9.0.1/24 dev "$v0"
# 10.9.0.2 is the far end's MAC with no address behind it: datagrams sent
# there cross the pair once and nothing answers (no ARP, no ICMP).
# (sysfs still shows the host's interfaces: ask ip(8) for the address)
mac1=$(ip -o link show dev "$v1" | sed -n 's|.*link/ether \([0-9a-f:]*\).*|\1|p')
ip neigh add 10.9.0.2 lladdr "$mac1" dev "$v0" nud permanent || skip "cannot add a neighbour"

# Every process runs under $limit: --foreground so that the SIGINT stop()
# sends reaches the program alone (without it timeout(1) also signals its
# process group and sends SIGCONT, which can stall a sanitizer build's
# exit-time leak check, stopping threads with ptrace, forever), -k so that
# a program that ignores the first signal is killed anyway.
limit="timeout --foreground -k 5"

# start NAME CMD...: run CMD in the background (time-limited), its output in
# $tmp/NAME.out and .err, and wait until it says it is listening.
start() {
	name=$1
	shift
	$limit 20 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	pids="$pids $pid"
	eval "pid_$name=$pid"
	n=0
	until grep -q 'listening on' "$tmp/$name.err" 2>/dev/null; do
		n=$((n + 1))
		if [ $n -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
			bad "$name did not start: $(cat "$tmp/$name.err")"
			return 1
		fi
		sleep 0.05
	done
}

# finish NAME: wait for it (it is time-limited), its exit status.
finish() {
	eval "wait \$pid_$name"
}

stop() {
	eval "kill -INT \$pid_$1" 2>/dev/null
	finish "$1"
}

# count FILE [EXPR]: packets in a capture file libpcap's filter accepts.
count() {
	f=$1
	shift
	tcpdump -r "$f" -nn "$@" 2>/dev/null | wc -l
}

# until_count N FILE [EXPR]: wait (bounded) until FILE holds N packets.
until_count() {
	want=$1
	shift
	n=0
	while [ "$(count "$@")" -lt "$want" ]; do
		n=$((n + 1))
		[ $n -gt 200 ] && return 1
		sleep 0.05
	done
}

# hex FILE [EXPR]: every packet's bytes, link header included, no times.
hex() {
	f=$1
	shift
	tcpdump -r "$f" -nn -t -xx "$@" 2>/dev/null
}

# udp HOST PORT...: one datagram per port (payload: the port, then "x").
udp() {
	host=$1
	shift
	bash -c 'h=$1; shift; for p; do printf "%sx" "$p" >"/dev/udp/$h/$p"; done' udp "$host" "$@"
}

same() { # what expected actual
	if ! cmp -s "$2" "$3"; then
		bad "$1 differ from libpcap's"
		diff "$2" "$3" | head -20
	fi
}

ports="30000 30001 30002 30003 30004 30005 30006 30007 30008 30009"
expr='udp and dst port 30003 or udp port 30005'

# ---- 1. -c and -w on the veth pair ---------------------------------------
start wire1 tcpdump -i "$v1" -U -w "$tmp/wire1.pcap" -nn
start cut1 tcpdump -i "$v1" -U -s 60 -w "$tmp/cut1.pcap" -nn "$expr"
start w1 "$BPFC" -i "$v1" -c 4 -w "$tmp/w1.pcap" "$expr"
start s1 "$BPFC" -i "$v1" -c 4 -s 60 -w "$tmp/s1.pcap" "$expr"
sh -c "$limit 20 $BPFC -i $v1 -c 4 -w - '$expr' 2>$tmp/pipe1.err | tcpdump -r - -nn -t -xx \
	>$tmp/pipe1.hex 2>/dev/null" &
pipe1=$!
pids="$pids $pipe1"
n=0
until grep -q 'listening on' "$tmp/pipe1.err" 2>/dev/null; do
	n=$((n + 1))
	[ $n -gt 100 ] && { bad "-w - did not start"; break; }
	sleep 0.05
done
udp 10.9.0.2 $ports $ports
finish w1 || bad "-c 4 -w: exit status $?"
finish s1 || bad "-c 4 -s 60 -w: exit status $?"
wait $pipe1 || bad "-w - | tcpdump -r -: exit status $?"
until_count 20 "$tmp/wire1.pcap" udp || bad "tcpdump did not see the 20 datagrams sent"
until_count 4 "$tmp/cut1.pcap" || bad "tcpdump -s 60 did not see 4 datagrams"
stop wire1
stop cut1
[ "$(count "$tmp/wire1.pcap" udp)" = 20 ] || bad "20 datagrams sent, tcpdump saw $(count "$tmp/wire1.pcap" udp)"
hex "$tmp/wire1.pcap" "$expr" >"$tmp/want1.hex"
[ "$(count "$tmp/wire1.pcap" "$expr")" = 4 ] || bad "libpcap's filter should take 4 of the 20"
hex "$tmp/w1.pcap" >"$tmp/got1.hex"
same "-c 4 -w: the packets" "$tmp/want1.hex" "$tmp/got1.hex"
same "-w -: the packets" "$tmp/want1.hex" "$tmp/pipe1.hex"
hex "$tmp/cut1.pcap" >"$tmp/wantcut.hex"
hex "$tmp/s1.pcap" >"$tmp/gotcut.hex"
same "-s 60: the cut packets" "$tmp/wantcut.hex" "$tmp/gotcut.hex"
tcpdump -r "$tmp/w1.pcap" 2>&1 >/dev/null | grep -q 'link-type EN10MB' ||
	bad "-w file: not EN10MB"
grep -q '^4 packets captured$' "$tmp/w1.err" || bad "-c 4: counts: $(cat "$tmp/w1.err")"
grep -q '^0 packets dropped by kernel$' "$tmp/w1.err" || bad "-c 4: no drop count"
echo "1: sent 20 datagrams on $v0, libpcap's filter takes $(count "$tmp/wire1.pcap" "$expr"); -w file: $(count "$tmp/w1.pcap"), -w -: $(grep -c '^[A-Z0-9]' "$tmp/pipe1.hex")"

# ---- 2. the printed lines against tcpdump -e ------------------------------
start wire2 tcpdump -i "$v1" -U -w "$tmp/wire2.pcap" -nn
start p2 "$BPFC" -i "$v1" -c 4 "$expr"
udp 10.9.0.2 $ports $ports
finish p2 || bad "-c 4 (lines): exit status $?"
until_count 20 "$tmp/wire2.pcap" udp || bad "tcpdump did not see the 20 datagrams"
stop wire2
tcpdump -r "$tmp/wire2.pcap" -nn -e "$expr" 2>/dev/null |
	sed -E 's/^([0-9:.]+) .*, length ([0-9]+): (.*): UDP, length ([0-9]+)$/\1 IP \3: udp \4, length \2/' \
		>"$tmp/want2.txt"
same "printed lines" "$tmp/want2.txt" "$tmp/p2.out"
echo "2: $(wc -l <"$tmp/p2.out") lines, e.g. $(head -1 "$tmp/p2.out")"

# ---- 3. SIGINT ------------------------------------------------------------------
start wire3 tcpdump -i "$v1" -U -w "$tmp/wire3.pcap" -nn
start i3 "$BPFC" -i "$v1" -w "$tmp/i3.pcap" udp
udp 10.9.0.2 $ports
until_count 10 "$tmp/i3.pcap" || bad "SIGINT: bpfc's file never held the 10 datagrams"
stop i3 || bad "SIGINT: exit status $?"
until_count 10 "$tmp/wire3.pcap" udp || bad "tcpdump did not see the 10 datagrams"
stop wire3
hex "$tmp/wire3.pcap" udp >"$tmp/want3.hex"
hex "$tmp/i3.pcap" >"$tmp/got3.hex"
same "SIGINT: the packets" "$tmp/want3.hex" "$tmp/got3.hex"
grep -q '^10 packets captured$' "$tmp/i3.err" || bad "SIGINT: counts: $(cat "$tmp/i3.err")"
grep -q 'packets dropped by kernel$' "$tmp/i3.err" || bad "SIGINT: no drop count"
# the signal in the middle of a burst: the file holds what bpfc says
start i3b "$BPFC" -i "$v1" -w "$tmp/i3b.pcap" udp
bash -c 'for i in $(seq 100); do printf x >/dev/udp/10.9.0.2/30001; sleep 0.005; done' &
burst=$!
until_count 10 "$tmp/i3b.pcap"
stop i3b || bad "SIGINT mid-burst: exit status $?"
wait $burst
said=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$tmp/i3b.err")
tcpdump -r "$tmp/i3b.pcap" >/dev/null 2>&1 || bad "SIGINT mid-burst: the file is not valid"
[ -n "$said" ] && [ "$(count "$tmp/i3b.pcap")" = "$said" ] ||
	bad "SIGINT mid-burst: bpfc says '$said' captured, the file holds $(count "$tmp/i3b.pcap")"
echo "3: SIGINT after 10 datagrams: $(count "$tmp/i3.pcap") in the file; mid-burst: $said of 100"

# ---- 4. -i lo: a looped-back packet once ------------------------------------
start wire4 tcpdump -i lo -U -w "$tmp/wire4.pcap" -nn
start l4 "$BPFC" -i lo -w "$tmp/l4.pcap" 'udp port 30007'
udp 127.0.0.1 30007 30008 30007 30009 30007
until_count 3 "$tmp/wire4.pcap" 'udp port 30007' || bad "tcpdump -i lo did not see 3 datagrams"
until_count 3 "$tmp/l4.pcap" || bad "-i lo: bpfc did not see 3 datagrams"
sleep 0.2 # a duplicate would come right behind
stop l4 || bad "-i lo: exit status $?"
stop wire4
hex "$tmp/wire4.pcap" 'udp port 30007' >"$tmp/want4.hex"
hex "$tmp/l4.pcap" >"$tmp/got4.hex"
same "-i lo: the packets" "$tmp/want4.hex" "$tmp/got4.hex"
[ "$(count "$tmp/l4.pcap")" = 3 ] || bad "-i lo: 3 datagrams sent, $(count "$tmp/l4.pcap") captured"
echo "4: -i lo: 3 datagrams to port 30007 sent, $(count "$tmp/l4.pcap") captured, tcpdump: $(count "$tmp/wire4.pcap" 'udp port 30007')"

# ---- 5. -i any: the cooked header --------------------------------------------
start wire5 tcpdump -i any -y LINUX_SLL -U -w "$tmp/wire5.pcap" -nn
start a5 "$BPFC" -i any -w "$tmp/a5.pcap" 'udp port 30008'
start t5 "$BPFC" -i any -c 6 'udp port 30008'
udp 127.0.0.1 30008 30009 30008
udp 10.9.0.2 30008 30009 30008
# lo: 2 (incoming copies); the pair: 2 leaving v0, 2 arriving on v1
until_count 6 "$tmp/wire5.pcap" 'udp port 30008' || bad "tcpdump -i any did not see 6 packets"
until_count 6 "$tmp/a5.pcap" || bad "-i any: bpfc did not see 6 packets"
finish t5 || bad "-i any -c 6 (lines): exit status $?"
stop a5 || bad "-i any: exit status $?"
stop wire5
tcpdump -r "$tmp/a5.pcap" 2>&1 >/dev/null | grep -q 'link-type LINUX_SLL (' ||
	bad "-i any: the file is not LINUX_SLL: $(tcpdump -r "$tmp/a5.pcap" 2>&1 >/dev/null)"
hex "$tmp/wire5.pcap" 'udp port 30008' >"$tmp/want5.hex"
hex "$tmp/a5.pcap" >"$tmp/got5.hex"
same "-i any: the packets (cooked header included)" "$tmp/want5.hex" "$tmp/got5.hex"
tcpdump -r "$tmp/wire5.pcap" -nn -e 'udp port 30008' 2>/dev/null |
	sed -E 's/^([0-9:.]+) +(In|Out|B|M|P) .*, length ([0-9]+): (.*): UDP, length ([0-9]+)$/\1 \2 IP \4: udp \5, length \3/' \
		>"$tmp/want5.txt"
cut -d' ' -f1,3- "$tmp/t5.out" >"$tmp/got5.txt" # the interface name is bpfc's own
same "-i any: printed lines" "$tmp/want5.txt" "$tmp/got5.txt"
echo "5: -i any: $(count "$tmp/a5.pcap") of $(count "$tmp/wire5.pcap" udp) datagrams, e.g. $(sed -n 3p "$tmp/t5.out")"

# ---- 6. errors -------------------------------------------------------------------
if $limit 10 "$BPFC" -i nosuch-$$ ip >/dev/null 2>"$tmp/e6.err"; then
	bad "-i on a missing interface succeeded"
fi
grep -q "nosuch-$$" "$tmp/e6.err" || bad "the error does not name the interface: $(cat "$tmp/e6.err")"
if ip tuntap add dev "bt-$$" mode tun 2>/dev/null; then
	if $limit 10 "$BPFC" -i "bt-$$" ip >/dev/null 2>"$tmp/e6b.err"; then
		bad "-i on a tun device succeeded"
	fi
	grep -q 'ARPHRD_NONE' "$tmp/e6b.err" || bad "the error does not name the type: $(cat "$tmp/e6b.err")"
	if $limit 10 "$BPFC" -y LINUX_SLL -i "bt-$$" ip >/dev/null 2>"$tmp/e6c.err"; then
		bad "-i on a down interface succeeded"
	fi
	grep -q 'is not up' "$tmp/e6c.err" || bad "a down interface: $(cat "$tmp/e6c.err")"
	# the way out the message offers: the cooked header
	ip link set "bt-$$" up
	start y6 "$BPFC" -y LINUX_SLL -i "bt-$$" ip && stop y6 || bad "-y LINUX_SLL on a tun: status $?"
	grep -q '^0 packets captured$' "$tmp/y6.err" || bad "-y LINUX_SLL on a tun: $(cat "$tmp/y6.err")"
	echo "6: $(cat "$tmp/e6.err"); $(cat "$tmp/e6b.err")"
else
	echo "6: $(cat "$tmp/e6.err") (no tun device: the ARPHRD error was not tried)"
fi

exit $fail
