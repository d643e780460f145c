#!/bin/sh
# elf_attach.sh: bpfc's ELF objects in the real loaders, filtering real
# packets.
#
# Objects written by `bpfc -o` are loaded by bpftool (`prog load`, pinned
# then unpinned: socket, tc, xdp), attached with `ip link set dev X xdp
# obj FILE sec xdp` (xdpgeneric when the native hook refuses) and with
# `tc filter add dev X ingress bpf da obj FILE sec tc`, on the receiving
# end of a veth pair between two fresh network namespaces.  The sender
# writes raw IPv4/UDP frames (python3, AF_PACKET: no ARP, every field
# chosen) with varied ports, lengths and TOS, each with its own source
# port, and saves them as a pcap file; the receiver listens on every
# destination port and reports the source ports that arrived.
#
# Oracle: tcpdump (libpcap) reading the sent frames with the same
# expression: the frames that arrive must be exactly the ones it matches
# (with --invert: exactly the others).  For xdp and tc, with and without
# --invert.
#
# Root, namespaces, bpffs and the tools are needed: exit 77 saying which
# is missing.  Everything it makes is named after its pid and removed on
# exit, whatever happens; every command has a time limit.
set -u

me=elf_attach
skip() { echo "$me: SKIP: $*"; exit 77; }
fail() { echo "$me: FAIL: $*"; exit 1; }
note() { echo "$me: $*"; }

[ "$(id -u)" = 0 ] || skip "not root (needs network namespaces and bpf(2))"
for tool in ip tc bpftool tcpdump timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || skip "python3 is not installed"
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
BPFC=${BPFC:-$top_builddir/bpfc}
[ -x "$BPFC" ] || fail "no bpfc command at $BPFC"

T="timeout 20"
NS=bpfce$$                     # the receiver
NSS=bpfcs$$                    # the sender
PIN=/sys/fs/bpf/bpfc-elf-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/elf_attach.XXXXXX") || fail "mktemp"

rpid=
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	$T ip netns del "$NS" 2>/dev/null
	$T ip netns del "$NSS" 2>/dev/null
	rm -f "$PIN"-*
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- the namespaces: sender vs (10.199.$$.1) -- vr (10.199.$$.2) receiver ----
$T ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
$T ip netns add "$NSS" || fail "ip netns add $NSS"
$T ip -n "$NS" link add vr type veth peer name vs netns "$NSS" ||
	skip "cannot create a veth pair (veth module missing?)"
net=10.199.$(( $$ % 250 ))
$T ip -n "$NS" addr add "$net.2/24" dev vr || fail "ip addr"
$T ip -n "$NSS" addr add "$net.1/24" dev vs || fail "ip addr"
$T ip -n "$NS" link set vr up || fail "ip link set vr up"
$T ip -n "$NSS" link set vs up || fail "ip link set vs up"
$T ip -n "$NS" link set lo up || fail "ip link set lo up"
mac_r=$($T ip netns exec "$NS" cat /sys/class/net/vr/address) || fail "receiver MAC"
mac_s=$($T ip netns exec "$NSS" cat /sys/class/net/vs/address) || fail "sender MAC"

# ---- the sender and the receiver ----
cat >"$tmp/udp.py" <<'EOF'
# send IFACE SRCMAC DSTMAC SRCIP DSTIP PCAP | recv DSTIP READY DONE OUT
import select, socket, struct, sys, time, os

PORTS = (7001, 7002, 7003, 7004)
N = 64

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff

def frames(smac, dmac, sip, dip):
    out = []
    for i in range(N):
        dport = PORTS[i % len(PORTS)]
        plen = (i * 37) % 700 + 1           # lengths 1..700 bytes
        tos = 0x10 if i % 5 == 0 else 0
        udp = struct.pack("!HHHH", 40000 + i, dport, 8 + plen, 0) + bytes([i & 0xff]) * plen
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(udp), i, 0, 64, 17, 0,
                         socket.inet_aton(sip), socket.inet_aton(dip))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        out.append(bytes.fromhex(dmac.replace(":", "")) +
                   bytes.fromhex(smac.replace(":", "")) + b"\x08\x00" + ip + udp)
    return out

def send(iface, smac, dmac, sip, dip, pcap):
    fr = frames(smac, dmac, sip, dip)
    with open(pcap, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, b in enumerate(fr):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(b), len(b)) + b)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for b in fr:
        s.send(b)

def recv(dip, ready, done, out):
    socks = []
    for p in PORTS:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((dip, p))
        socks.append(s)
    open(ready, "w").close()
    got, quiet, deadline = [], None, time.time() + 15
    while time.time() < deadline:
        r, _, _ = select.select(socks, [], [], 0.1)
        for s in r:
            data, (ip, sport) = s.recvfrom(4096)
            got.append(sport)
        if r:
            quiet = None
        elif os.path.exists(done):
            quiet = quiet or time.time()
            if time.time() - quiet > 0.5:
                break
    with open(out, "w") as f:
        f.write("".join("%d\n" % p for p in sorted(got)))

if sys.argv[1] == "send":
    send(*sys.argv[2:8])
else:
    recv(*sys.argv[2:6])
EOF

# ---- objects ----
sent=$tmp/sent.pcap
n_loaded=0 n_rounds=0 n_frames=0

mkobj() { # FILE TARGET [--invert] EXPR
	f=$1 t=$2; shift 2
	$T "$BPFC" -o "$f" --target="$t" "$@" || fail "bpfc -o $f --target=$t $*"
}

# bpftool loads each kind and pins it; the pin shows the type libbpf chose.
if mountpoint -q /sys/fs/bpf 2>/dev/null || mount | grep -q ' /sys/fs/bpf type bpf'; then
	for t in socket tc xdp; do
		mkobj "$tmp/$t.o" "$t" "udp dst port 7001"
		$T bpftool prog load "$tmp/$t.o" "$PIN-$t" >"$tmp/bpftool.out" 2>&1 ||
			{ cat "$tmp/bpftool.out"; fail "bpftool prog load $t.o refused"; }
		show=$($T bpftool prog show pinned "$PIN-$t") || fail "bpftool prog show"
		case $t in socket) want=socket_filter ;; tc) want=sched_cls ;; *) want=xdp ;; esac
		echo "$show" | grep -q ": $want  *name bpfc_filter " ||
			fail "bpftool shows '$show' for $t.o, want type $want name bpfc_filter"
		rm -f "$PIN-$t"
		n_loaded=$((n_loaded + 1))
	done
	note "bpftool loaded socket, tc and xdp objects"
else
	note "no bpffs at /sys/fs/bpf: bpftool prog load not tried"
fi

# ---- one round: attach, send, compare with tcpdump ----
# round HOOK INVERT EXPR: HOOK is xdp or tc, INVERT is "" or --invert
round() {
	hook=$1 inv=$2 expr=$3
	obj=$tmp/$hook$inv.o
	mkobj "$obj" "$hook" ${inv:+"$inv"} "$expr"
	if [ "$hook" = xdp ]; then
		mode=xdp
		$T ip -n "$NS" link set dev vr xdp obj "$obj" sec xdp 2>"$tmp/ip.err" || {
			mode=xdpgeneric
			$T ip -n "$NS" link set dev vr xdpgeneric obj "$obj" sec xdp ||
				{ cat "$tmp/ip.err"; fail "ip link set dev vr xdp obj $obj refused"; }
		}
		$T ip -n "$NS" link show dev vr | grep -q "prog/xdp" || fail "no XDP program on vr"
	else
		$T tc -n "$NS" qdisc add dev vr clsact || fail "tc qdisc add clsact"
		$T tc -n "$NS" filter add dev vr ingress bpf da obj "$obj" sec tc ||
			fail "tc filter add ... bpf da obj $obj sec tc refused"
		$T tc -n "$NS" filter show dev vr ingress | grep -q "bpfc_filter" ||
			fail "tc does not show the filter"
		mode=tc
	fi

	rm -f "$tmp/ready" "$tmp/done" "$tmp/got"
	$T ip netns exec "$NS" "$PY" "$tmp/udp.py" recv "$net.2" "$tmp/ready" "$tmp/done" \
		"$tmp/got" &
	rpid=$!
	i=0
	while [ ! -e "$tmp/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$tmp/ready" ] || fail "the receiver did not start"
	$T ip netns exec "$NSS" "$PY" "$tmp/udp.py" send vs "$mac_s" "$mac_r" "$net.1" \
		"$net.2" "$sent" || fail "the sender failed"
	touch "$tmp/done"
	wait "$rpid" || fail "the receiver failed"
	rpid=

	# the oracle: libpcap's verdict on every frame sent, by source port
	$T tcpdump -nn -r "$sent" "$expr" 2>/dev/null |
		sed -n 's/.* IP [0-9.]*\.\([0-9][0-9]*\) > .*/\1/p' | sort -n >"$tmp/match"
	$T tcpdump -nn -r "$sent" 2>/dev/null |
		sed -n 's/.* IP [0-9.]*\.\([0-9][0-9]*\) > .*/\1/p' | sort -n >"$tmp/all"
	total=$(wc -l <"$tmp/all")
	[ "$total" -gt 0 ] || fail "tcpdump read no frames back"
	if [ -n "$inv" ]; then
		comm -23 "$tmp/all" "$tmp/match" >"$tmp/want"
	else
		cp "$tmp/match" "$tmp/want"
	fi
	nwant=$(wc -l <"$tmp/want")
	if [ "$nwant" -eq 0 ] || [ "$nwant" -eq "$total" ]; then
		fail "'$expr' passes $nwant of $total frames: the round shows nothing"
	fi
	if ! cmp -s "$tmp/want" "$tmp/got"; then
		echo "sport of frames libpcap passes (<) and frames that arrived (>):"
		diff "$tmp/want" "$tmp/got" | head -20
		fail "$mode $inv '$expr': what arrived is not what the expression passes"
	fi
	note "$mode ${inv:+$inv }'$expr': $nwant of $total frames arrived, as libpcap says"
	n_rounds=$((n_rounds + 1))
	n_frames=$((n_frames + total))

	if [ "$hook" = xdp ]; then
		$T ip -n "$NS" link set dev vr "$mode" off || fail "ip link set xdp off"
	else
		$T tc -n "$NS" qdisc del dev vr clsact || fail "tc qdisc del clsact"
	fi
}

round xdp "" "udp dst port 7001 or (udp dst port 7003 and len > 300)"
round xdp --invert "udp dst port 7001 or (udp dst port 7003 and len > 300)"
round tc "" "ip[1] = 0x10 or udp dst port 7004"
round tc --invert "ip[1] = 0x10 or udp dst port 7004"

note "$n_loaded objects loaded by bpftool, $n_rounds rounds, $n_frames frames compared"
exit 0
