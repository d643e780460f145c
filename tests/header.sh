#!/bin/sh
# header.sh: `make install` gives a usable library: the installed header
# compiles on its own as C99 and C++11 with warnings as errors, pkg-config
# finds it, and a program linked against the installed shared library
# returns what libpcap's bpf_filter returns.
set -u
top_builddir=${top_builddir:-.}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
make -s -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "FAIL: make install"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$top_builddir/libbpfc.pc")
root=$tmp/root$prefix
[ -f "$root/include/bpfc.h" ] || { echo "FAIL: bpfc.h not installed"; exit 1; }
[ -f "$root/lib/pkgconfig/libbpfc.pc" ] || { echo "FAIL: libbpfc.pc not installed"; exit 1; }
[ -x "$root/bin/bpfc" ] || { echo "FAIL: bpfc not installed"; exit 1; }
[ -f "$root/share/man/man1/bpfc.1" ] || { echo "FAIL: bpfc.1 not installed"; exit 1; }

cc=${CC:-cc}
printf '#include <bpfc.h>\nint main(void) { return sizeof(struct bpfc_insn) == 8 ? 0 : 1; }\n' >"$tmp/c99.c"
$cc -std=c99 -Wall -Wextra -Werror -I"$root/include" -c "$tmp/c99.c" -o "$tmp/c99.o" ||
	{ echo "FAIL: bpfc.h does not compile alone as C99"; exit 1; }
if command -v g++ >/dev/null; then
	cp "$tmp/c99.c" "$tmp/cxx.cc"
	g++ -std=c++11 -Wall -Wextra -Werror -I"$root/include" -c "$tmp/cxx.cc" -o "$tmp/cxx.o" ||
		{ echo "FAIL: bpfc.h does not compile as C++11"; exit 1; }
fi

# Link against the installed library through pkg-config and run it.
cat >"$tmp/use.c" <<'EOC'
#include <bpfc.h>
#include <pcap/pcap.h>
#include <stdio.h>
int main(void)
{
	char err[BPFC_ERRBUF_SIZE];
	struct bpf_program bp;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	unsigned char pkt[64] = {0};
	if (p == NULL || pcap_compile(p, &bp, "ip and udp", 1, PCAP_NETMASK_UNKNOWN) != 0)
		return 2;
	struct bpfc_filter *f = bpfc_load_cbpf((const struct bpfc_insn *)bp.bf_insns, bp.bf_len, err);
	if (f == NULL) { fprintf(stderr, "%s\n", err); return 1; }
	int bad = 0;
	for (int proto = 0; proto < 256; proto++) {
		pkt[12] = 0x08; pkt[13] = 0x00; pkt[14] = 0x45; pkt[23] = (unsigned char)proto;
		bad += bpfc_run(f, pkt, sizeof pkt, sizeof pkt) != bpf_filter(bp.bf_insns, pkt, sizeof pkt, sizeof pkt);
	}
	bpfc_free(f);
	pcap_freecode(&bp);
	pcap_close(p);
	printf("%d mismatches\n", bad);
	return bad != 0;
}
EOC
flags=$(PKG_CONFIG_PATH="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$tmp/root" pkg-config --cflags --libs libbpfc) ||
	{ echo "FAIL: pkg-config libbpfc"; exit 1; }
# A sanitizer build's library needs the sanitizer runtime in the program too.
san=$(sed -n 's/^BPFC_LDFLAGS = *//p' "$top_builddir/Makefile")
$cc -Wall -Werror $san -o "$tmp/use" "$tmp/use.c" $flags $(pkg-config --cflags --libs libpcap) ||
	{ echo "FAIL: linking against the installed libbpfc"; exit 1; }
LD_LIBRARY_PATH="$root/lib" "$tmp/use" || { echo "FAIL: installed library disagrees with libpcap"; exit 1; }
# The program must have used the installed shared library, not something else.
LD_LIBRARY_PATH="$root/lib" ldd "$tmp/use" | grep -q "$root/lib/libbpfc.so" ||
	{ echo "FAIL: did not link the installed libbpfc.so"; exit 1; }
echo "PASS: installed header, pkg-config file and library work"
