#!/bin/sh
# pcap_library.sh: libbpfc-pcap as a user gets it.
#  - libbpfc-pcap.so exports bpfc_pcap_* and nothing else, and every
#    function bpfc-pcap.h declares;
#  - it needs libbpfc and libpcap, while libbpfc itself does not need
#    libpcap (the reason it is a library of its own);
#  - bpfc-pcap.h compiles on its own as C99 and C++11 (GNU dialects, which
#    pcap/pcap.h itself needs) with warnings as errors;
#  - a program built with `pkg-config --cflags --libs libbpfc-pcap` (the
#    build's .pc file, pointed at the build tree) links without libtool and
#    compiles with bpfc_pcap_compile what pcap_compile compiles, with the
#    same verdicts from libpcap's bpf_filter;
#  - `make install` would install the header, the .pc file and the man
#    page (make -n: nothing is written, so this can run beside header.sh's
#    real install), and the man page formats without warnings.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
lib=$top_builddir/.libs/libbpfc-pcap.so
header=$top_srcdir/include/bpfc-pcap.h
[ -f "$lib" ] || { echo "SKIP: $lib not built (--disable-shared?)"; exit 77; }
command -v nm >/dev/null || { echo "SKIP: nm not installed"; exit 77; }
command -v pkg-config >/dev/null || { echo "SKIP: pkg-config not installed"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Symbols.
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ { print $3 }')
leaks=$(printf '%s\n' "$exported" | grep -v '^bpfc_pcap_' || true)
[ -z "$leaks" ] || fail "$lib exports symbols outside bpfc_pcap_:" $leaks
for f in $(sed -n 's/^[a-z].*[ *]\(bpfc_[a-z0-9_]*\)(.*/\1/p' "$header"); do
	printf '%s\n' "$exported" | grep -qx "$f" || fail "$f is declared but not exported"
done
[ -n "$exported" ] || fail "no exported symbols in $lib"

# Dependencies.
if command -v readelf >/dev/null; then
	needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	printf '%s\n' "$needed" | grep -q '^libbpfc\.so' || fail "libbpfc-pcap.so does not need libbpfc"
	printf '%s\n' "$needed" | grep -q '^libpcap\.so' || fail "libbpfc-pcap.so does not need libpcap"
	readelf -d "$top_builddir/.libs/libbpfc.so" | grep -q 'NEEDED.*libpcap' &&
		fail "libbpfc.so needs libpcap"
fi

# The header alone.  pcap/pcap.h uses the BSD u_int types strict C99 and
# C++11 hide, so both are asked for with GNU extensions, as pcap.h needs.
cc=${CC:-cc}
printf '#include <bpfc-pcap.h>\nint main(void) { return bpfc_pcap_compile(0, 0, 0, 0, 0) == PCAP_ERROR ? 0 : 1; }\n' >"$tmp/alone.c"
$cc -std=gnu99 -Wall -Wextra -Werror -I"$top_srcdir/include" $(pkg-config --cflags libpcap) \
	-c "$tmp/alone.c" -o "$tmp/alone.o" || fail "bpfc-pcap.h does not compile alone as C99"
if command -v g++ >/dev/null; then
	cp "$tmp/alone.c" "$tmp/alone.cc"
	g++ -std=gnu++11 -Wall -Wextra -Werror -I"$top_srcdir/include" $(pkg-config --cflags libpcap) \
		-c "$tmp/alone.cc" -o "$tmp/alone.oo" || fail "bpfc-pcap.h does not compile as C++11"
fi

# A program through pkg-config, against libpcap's answers.
cat >"$tmp/use.c" <<'EOC'
#include <bpfc-pcap.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	static const char *const exprs[] = {"ip and udp", "tcp port 80", "arp or ip6", ""};
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 1000);
	unsigned char pkt[64] = {0};
	int bad = 0;
	for (size_t e = 0; e < sizeof(exprs) / sizeof(exprs[0]); e++) {
		struct bpf_program ours, theirs;
		if (bpfc_pcap_compile(p, &ours, exprs[e], 1, PCAP_NETMASK_UNKNOWN) != 0) {
			fprintf(stderr, "%s: %s\n", exprs[e], pcap_geterr(p));
			return 1;
		}
		if (pcap_compile(p, &theirs, exprs[e], 0, PCAP_NETMASK_UNKNOWN) != 0)
			return 2;
		for (unsigned v = 0; v < 65536; v += 7) {
			pkt[12] = (unsigned char)(v >> 8); pkt[13] = (unsigned char)v;
			pkt[14] = 0x45; pkt[23] = (unsigned char)(v % 256); pkt[37] = (unsigned char)(v / 97);
			bad += bpf_filter(ours.bf_insns, pkt, sizeof pkt, sizeof pkt) !=
			       bpf_filter(theirs.bf_insns, pkt, sizeof pkt, sizeof pkt);
		}
		pcap_freecode(&ours);
		pcap_freecode(&theirs);
	}
	pcap_close(p);
	printf("%d mismatches\n", bad);
	return bad != 0;
}
EOC
pc() {
	PKG_CONFIG_PATH="$top_builddir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" pkg-config \
		--define-variable=includedir="$top_srcdir/include" \
		--define-variable=libdir="$top_builddir/.libs" "$@" libbpfc-pcap
}
if flags=$(pc --cflags --libs); then
	# A sanitizer build's library needs the sanitizer runtime in the program too.
	san=$(sed -n 's/^BPFC_LDFLAGS = *//p' "$top_builddir/Makefile")
	if $cc -Wall -Werror $san -o "$tmp/use" "$tmp/use.c" $flags; then
		LD_LIBRARY_PATH="$top_builddir/.libs" "$tmp/use" ||
			fail "bpfc_pcap_compile disagrees with pcap_compile through the shared library"
		LD_LIBRARY_PATH="$top_builddir/.libs" ldd "$tmp/use" | grep -q "libbpfc-pcap.so" ||
			fail "the program did not link libbpfc-pcap.so"
	else
		fail "linking with: pkg-config --cflags --libs libbpfc-pcap ($flags)"
	fi
else
	fail "pkg-config libbpfc-pcap"
fi
[ "$(pc --modversion)" = "$(sed -n 's/^Version: //p' "$top_builddir/libbpfc.pc")" ] ||
	fail "libbpfc-pcap.pc and libbpfc.pc give different versions"

# Installation (a dry run) and the man page.
make -s -n -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/install.txt" 2>&1 ||
	fail "make -n install"
for f in bpfc-pcap.h libbpfc-pcap.pc bpfc_pcap_compile.3 libbpfc-pcap.la; do
	grep -q "$f" "$tmp/install.txt" || fail "make install does not install $f"
done
if command -v groff >/dev/null; then
	warnings=$(groff -man -ww -z "$top_srcdir/doc/bpfc_pcap_compile.3" 2>&1)
	[ -z "$warnings" ] || fail "groff warns about bpfc_pcap_compile.3: $warnings"
fi

[ $fails -eq 0 ] || exit 1
echo "PASS: libbpfc-pcap exports $(printf '%s\n' "$exported" | wc -l) symbol(s), all bpfc_pcap_*;" \
	"its header, pkg-config file, library and man page work"
