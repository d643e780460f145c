/*
 * pcap_compile.c: bpfc_pcap_compile, pcap_compile's contract over bpfc.
 *
 * Takes a pcap_t (its link type, snapshot length and kind: live, savefile
 * or dead), an expression, the optimize flag and the netmask.  Gives a
 * struct bpf_program whose bf_insns is one malloc'd array, so libpcap's
 * pcap_freecode (which calls free) releases it, or PCAP_ERROR with a
 * one-line message in the pcap_t's own error buffer (pcap_geterr returns
 * it; it holds PCAP_ERRBUF_SIZE bytes).
 *
 * Invariants: `fp` is written only on success, as pcap_compile does; the
 * error buffer only on failure.  Only libbpfc's public interface is used,
 * and nothing outlives a call, so two threads compiling on two handles
 * share nothing.  Behaviour that follows libpcap's was observed on libpcap
 * 1.10 through its interface (tests/check_pcap_compile.c checks it).
 */
#include <config.h>

#include <limits.h>
#include <pcap/pcap.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "bpfc-pcap.h"

/* The instructions are handed over by copying the array as it is: the two
 * layouts must be one.  (bpfc_insn's is the kernel's struct sock_filter.) */
_Static_assert(sizeof(struct bpf_insn) == sizeof(struct bpfc_insn), "struct bpf_insn size");
_Static_assert(offsetof(struct bpf_insn, code) == offsetof(struct bpfc_insn, code) &&
		       sizeof(((struct bpf_insn *)0)->code) == sizeof(((struct bpfc_insn *)0)->code),
	       "struct bpf_insn code");
_Static_assert(offsetof(struct bpf_insn, jt) == offsetof(struct bpfc_insn, jt) &&
		       offsetof(struct bpf_insn, jf) == offsetof(struct bpfc_insn, jf),
	       "struct bpf_insn jt, jf");
_Static_assert(offsetof(struct bpf_insn, k) == offsetof(struct bpfc_insn, k) &&
		       sizeof(((struct bpf_insn *)0)->k) == sizeof(((struct bpfc_insn *)0)->k),
	       "struct bpf_insn k");
_Static_assert(PCAP_NETMASK_UNKNOWN == BPFC_NETMASK_UNKNOWN, "netmask unknown");

/* Write `where` and `msg` into p's error buffer, as libpcap does, cut to
 * its PCAP_ERRBUF_SIZE bytes (bpfc's messages may be longer). */
static void
pcc_fail(pcap_t *p, const char *where, const char *msg)
{
	char *buf = pcap_geterr(p);
	size_t w = strlen(where), m = strlen(msg);

	if (w > PCAP_ERRBUF_SIZE - 1)
		w = PCAP_ERRBUF_SIZE - 1;
	if (m > PCAP_ERRBUF_SIZE - 1 - w)
		m = PCAP_ERRBUF_SIZE - 1 - w;
	memcpy(buf, where, w);
	memcpy(buf + w, msg, m);
	buf[w + m] = '\0';
}

/* Where [begin, end) of the expression is, for a one-line message with no
 * room for a caret: "column 10: ", "columns 10-14: ", and "line 2, ..."
 * when the expression has more than one line.  1-based, in bytes. */
static void
pcc_where(char *out, size_t size, const char *expr, size_t len, uint32_t begin, uint32_t end)
{
	size_t b = begin < len ? begin : len, e = end < len ? end : len;
	size_t line = 1, ls = 0, col, last;
	const char *nl = memchr(expr, '\n', len);
	int multiline = nl != NULL && nl != expr + len - 1;
	char linebuf[32] = "";

	for (size_t i = 0; i < b; i++)
		if (expr[i] == '\n') {
			line++;
			ls = i + 1;
		}
	col = b - ls + 1;
	last = col;
	if (e > b + 1 && memchr(expr + b, '\n', e - b - 1) == NULL)
		last = e - ls;
	if (multiline)
		snprintf(linebuf, sizeof(linebuf), "line %zu, ", line);
	if (last > col)
		snprintf(out, size, "%scolumns %zu-%zu: ", linebuf, col, last);
	else
		snprintf(out, size, "%scolumn %zu: ", linebuf, col);
}

static void
pcc_fail_at(pcap_t *p, const char *expr, size_t len, const struct bpfc_error *e)
{
	char where[96] = "";

	/* begin == end == 0 is bpfc's "no position" (an empty expression has
	 * nothing to point at either). */
	if (e->begin != 0 || e->end != 0)
		pcc_where(where, sizeof(where), expr, len, e->begin, e->end);
	pcc_fail(p, where, e->msg);
}

/* Whether `p` captures live on Linux.  There libpcap compiles `vlan` to
 * read the tag from the kernel's ancillary data, because the kernel has
 * taken it out of the packet before the socket filter runs; bpfc reads it
 * from the packet, as on a savefile, which would match no tagged packet.
 * A savefile has a FILE; a pcap_open_dead handle has no descriptor
 * (libpcap leaves it 0). */
static int
pcc_live_linux(pcap_t *p)
{
#ifdef __linux__
	return pcap_file(p) == NULL && pcap_get_selectable_fd(p) > 0;
#else
	(void)p;
	return 0;
#endif
}

/* The offset of the keyword `vlan` in the expression, or -1.  A word is
 * what the scanner reads as one ([-_.A-Za-z0-9], ':' in addresses, '\' in
 * escaped names), so `vlan` inside a host name does not count. */
static long
pcc_find_vlan(const char *s, size_t len)
{
	static const char word[] = "-_.:\\abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	/* (strchr finds a NUL too: hence the tests for it.) */
	for (size_t i = 0; i + 4 <= len; i++) {
		if (memcmp(s + i, "vlan", 4) != 0)
			continue;
		if (i > 0 && s[i - 1] != '\0' && strchr(word, s[i - 1]) != NULL)
			continue;
		if (i + 4 < len && s[i + 4] != '\0' && strchr(word, s[i + 4]) != NULL)
			continue;
		return (long)i;
	}
	return -1;
}

static void
pcc_refuse_vlan(pcap_t *p, const char *str, size_t len, size_t at)
{
	char where[96];

	pcc_where(where, sizeof(where), str, len, (uint32_t)at, (uint32_t)at + 4);
	pcc_fail(p, where, "'vlan' on a live Linux capture is not supported yet (the kernel "
			   "filters packets with their VLAN tags taken out)");
}

/* The options pcap_compile takes from the handle; -1 with the message
 * libpcap gives when the handle cannot be compiled for. */
static int
pcc_options(pcap_t *p, int optimize, bpf_u_int32 netmask, struct bpfc_options *o)
{
	int linktype = pcap_datalink(p), snaplen = pcap_snapshot(p);

	if (linktype == PCAP_ERROR_NOT_ACTIVATED || snaplen == PCAP_ERROR_NOT_ACTIVATED) {
		pcc_fail(p, "", "not-yet-activated pcap_t passed to bpfc_pcap_compile");
		return -1;
	}
	if (snaplen == 0) {
		pcc_fail(p, "", "snaplen of 0 rejects all packets");
		return -1;
	}
	bpfc_options_init(o);
	o->linktype = linktype;
	o->snaplen = (uint32_t)snaplen; /* as libpcap's ret #k: a negative one wraps */
	o->netmask = netmask;
	o->optimize = optimize != 0;
	return 0;
}

/* Hand the program over in a malloc'd array pcap_freecode can free. */
static int
pcc_give(pcap_t *p, struct bpf_program *fp, const struct bpfc_filter *f)
{
	const struct bpfc_insn *insns;
	size_t n = bpfc_cbpf(f, &insns);
	struct bpf_insn *copy;

	copy = n <= UINT_MAX && n <= SIZE_MAX / sizeof(*copy) ? malloc(n * sizeof(*copy)) : NULL;
	if (copy == NULL) {
		pcc_fail(p, "", "out of memory");
		return PCAP_ERROR;
	}
	memcpy(copy, insns, n * sizeof(*copy));
	fp->bf_len = (u_int)n;
	fp->bf_insns = copy;
	return 0;
}

int
bpfc_pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize,
		  bpf_u_int32 netmask)
{
	struct bpfc_options o;
	struct bpfc_load_options lo;
	struct bpfc_error err;
	struct bpfc_filter *f;
	const struct bpfc_insn *insns;
	size_t len;
	long vlan;
	int rc;

	if (p == NULL)
		return PCAP_ERROR;
	if (fp == NULL) {
		pcc_fail(p, "", "no struct bpf_program to fill in (fp is NULL)");
		return PCAP_ERROR;
	}
	if (pcc_options(p, optimize, netmask, &o) < 0)
		return PCAP_ERROR;
	if (str == NULL)
		str = ""; /* what pcap_compile does: a filter that matches all */
	len = strlen(str);
	if (pcc_live_linux(p) && (vlan = pcc_find_vlan(str, len)) >= 0) {
		pcc_refuse_vlan(p, str, len, (size_t)vlan);
		return PCAP_ERROR;
	}
	/* pcap_compile sets no length limit: a program over the kernel's
	 * 4096 instructions makes libpcap's pcap_setfilter filter in user
	 * space on Linux, so it is still a working filter. */
	bpfc_load_options_init(&lo);
	lo.max_insns = UINT32_MAX;
	f = bpfc_compile_opts(str, len, &o, &lo, &err);
	if (f == NULL) {
		pcc_fail_at(p, str, len, &err);
		return PCAP_ERROR;
	}
	/* libpcap's rule, applied to bpfc's optimizer's output: an optimized
	 * program that is a lone `ret #0` is refused. */
	if (o.optimize && bpfc_cbpf(f, &insns) == 1 && insns[0].code == (BPF_RET | BPF_K) &&
	    insns[0].k == 0) {
		pcc_fail(p, "", "expression rejects all packets");
		rc = PCAP_ERROR;
	} else {
		rc = pcc_give(p, fp, f);
	}
	bpfc_free(f);
	return rc;
}
