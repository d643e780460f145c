/*
 * diff_kernel.c: the translator's programs in the running kernel.
 *
 * Takes the compiler corpora diff_compile uses (tests/exprs/captures.txt,
 * tests/compile/exprs.txt) on every link type it uses, compiled by bpfc
 * itself (bpfc_compile_opts, optimized, snaplen 262144, netmask
 * 255.255.255.0), and packets: tests/gen/pktgen's for each link type and
 * the captures $BPFC_SHARED/pcaps/MANIFEST.tsv lists of that link type.
 * For every (expression, link type) bpfc compiles:
 *  - ebpf_from_cbpf for socket, xdp and tc (and xdp inverted for one
 *    expression in DK_INVERT_EVERY), each loaded with bpf(BPF_PROG_LOAD):
 *    the kernel's verifier must accept 100% (a refusal prints the tail of
 *    its log);
 *  - on a sample of the packets, and on packets the filter accepts cut at
 *    every length up to DK_FULLCUT bytes (a few beyond): libpcap's
 *    bpf_filter on bpfc's cBPF gives the expected value; bpfc's cBPF
 *    interpreter, the kernel's BPF_PROG_TEST_RUN of each program and
 *    bpfc's eBPF interpreter (ebpf_run) must agree with it: the same value
 *    for the socket program, the same pass/drop for xdp and tc.
 * Then DK_RANDPROGS random valid cBPF programs (tests/gen/randprog: edge
 * offsets and constants, indexed loads with any X, scratch memory) the
 * same way on random packets, whole, with wirelen > caplen, and cut.
 * The kernel's test run hands a socket filter the data after the 14 bytes
 * eth_type_trans pulls (net/bpf/test_run.c: is_l2 is false for
 * BPF_PROG_TYPE_SOCKET_FILTER), so the socket runs get 14 zero bytes in
 * front; tc runs see the data from byte 0 (is_l2: the header is pushed
 * back), XDP runs too.  A test run needs at least 14 bytes (bpf_test_init
 * refuses fewer), so XDP and tc cannot run packets shorter than that in
 * the kernel, and an skb test run (Linux 6.18) refuses an IPv4 or IPv6
 * ethertype at bytes 12-13 without the IP header behind it, which only
 * tc's runs (the packet's own bytes there) meet: those are counted and
 * checked by the other engines.  The
 * kernel runs packets as whole (caplen = wirelen); the eBPF interpreter
 * also runs the socket and tc programs with wirelen > caplen for captures
 * cut short, where the tc program takes its bpf_skb_pull_data path.
 *
 * Exit 0, 1 on any difference or refusal, 77 when not root or bpf(2) is
 * refused.  Seed with BPFC_SEED, scale with BPFC_TEST_SCALE.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpfc.h"
#include "backend/bpfsys.h"
#include "base/arena.h"
#include "base/diag.h"
#include "ebpf/ebpf.h"
#include "tests/ebpf_kernel.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define DK_GEN 150      /* generated packets per link type */
#define DK_SAMPLE 12    /* packets per expression */
#define DK_CUTPKTS 1    /* accepted packets cut at every length */
#else
#define DK_GEN 400
#define DK_SAMPLE 28
#define DK_CUTPKTS 2
#endif
#define DK_FILE_MAX 1500 /* capture packets per link type */
#define DK_RANDPROGS 1500 /* random programs */
#define DK_RANDLEN 48
#define DK_RANDPKTS 12
#define DK_FULLCUT 128
#define DK_INVERT_EVERY 8
#define DK_SEED 0x6b65726eull
#define DK_SNAPLEN 262144
#define DK_MAX_REPORTS 20
#define DK_ETH 14

static const int dk_dlts[] = {1, 12, 228, 229, 0, 108, 113, 276, 9, 166, 104};
#define DK_NDLTS (sizeof(dk_dlts) / sizeof(dk_dlts[0]))

enum { DK_SOCKET, DK_XDP, DK_TC, DK_XDP_INV, DK_NPROG };
static const char *const dk_names[DK_NPROG] = {"socket", "xdp", "tc", "xdp --invert"};
static const uint32_t dk_types[DK_NPROG] = {EK_PROG_SOCKET_FILTER, EK_PROG_XDP,
					    EK_PROG_SCHED_CLS, EK_PROG_XDP};

struct dk_list {
	char **v;
	size_t n, cap;
};

struct dk_stats {
	unsigned long loads, refused, exprs, notcompiled, randprogs, packets, kruns, iruns, short_pkts,
		iphdr_pkts, long_pkts, bad;
	unsigned long long cbpf_insns, ebpf_insns[DK_NPROG];
	double max_ratio[DK_NPROG];
	char max_expr[DK_NPROG][160];
};

struct dk {
	struct rng r;
	uint64_t seed;
	double scale;
	uint32_t skb_max, xdp_max; /* the largest packets the test runs take whole */
	struct dk_stats st;
	uint8_t buf[65536 + DK_ETH];
};

/* One (expression, link type): its cBPF and eBPF programs. */
struct dk_case {
	const char *expr;
	int dlt;
	struct bpfc_filter *f;
	struct bpf_insn *conv; /* bpfc's cBPF for libpcap's bpf_filter */
	struct ebpf_prog prog[DK_NPROG];
	int fd[DK_NPROG];
	int nprog;
	const struct bpfc_insn *random; /* a random program: printed on a failure */
	size_t nrandom;
};

static void *
dk_xalloc(void *p)
{
	if (p == NULL) {
		fprintf(stderr, "diff_kernel: out of memory\n");
		exit(99);
	}
	return p;
}

static int
dk_read(struct dk_list *l, const char *src, const char *name)
{
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", src, name);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "diff_kernel: cannot open %s: %s (set top_srcdir)\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t"), *end = s + strcspn(s, "\r\n");
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 1024;
			l->v = dk_xalloc(realloc(l->v, l->cap * sizeof(*l->v)));
		}
		l->v[l->n++] = dk_xalloc(strdup(s));
	}
	fclose(f);
	return 0;
}

/* ---- packets ---- */

struct dk_pcap_arg {
	struct pktgen_set *set;
	size_t count, max;
};

static void
dk_read_pcap(void *argp, const char *dir, const char *name)
{
	struct dk_pcap_arg *arg = argp;
	char path[4200], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((p = pcap_open_offline(path, errbuf)) == NULL)
		return;
	while (pcap_datalink(p) == arg->set->linktype && arg->count < arg->max &&
	       pcap_next_ex(p, &h, &data) == 1) {
		if (pktgen_set_add(arg->set, data, h->caplen, h->len) != 0)
			dk_xalloc(NULL);
		arg->count++;
	}
	pcap_close(p);
}

/* ---- the kernel ---- */

/* A raw program: r2 = data, r3 = data_end, r0 = r3 - r2 (XDP); for
 * finding how much of a packet an XDP test run puts in the linear part. */
static int
dk_probe_xdp_linear(struct dk *d)
{
	static const struct bpfc_ebpf_insn len_prog[] = {
		{EBPF_LDX | EBPF_MEM | EBPF_W, 2, 1, 0, 0},
		{EBPF_LDX | EBPF_MEM | EBPF_W, 3, 1, 4, 0},
		{EBPF_ALU64 | EBPF_SUB | EBPF_X, 3, 2, 0, 0},
		{EBPF_ALU64 | EBPF_MOV | EBPF_X, 0, 3, 0, 0},
		{EBPF_JMP | EBPF_EXIT, 0, 0, 0, 0},
	};
	struct bpfc_error err;
	uint32_t rv;
	int fd = bpfsys_prog_load(EK_PROG_XDP, len_prog, 5, NULL, 0, &err);

	if (fd < 0)
		return -1;
	d->xdp_max = 0;
	for (uint32_t s = DK_ETH; s <= 16384; s += 2)
		if (bpfsys_test_run(fd, d->buf, s, &rv, &err) == 0 && rv == s)
			d->xdp_max = s;
	close(fd);
	return 0;
}

/* 77 unless this process may load and run programs of every type; then
 * the test runs' size limits. */
static int
dk_probe(struct dk *d)
{
	static const struct bpfc_ebpf_insn ret2[] = {
		{EBPF_ALU | EBPF_MOV | EBPF_K, 0, 0, 0, 2},
		{EBPF_JMP | EBPF_EXIT, 0, 0, 0, 0},
	};
	struct bpfc_error err;
	char why[BPFC_ERRBUF_SIZE + 64];
	uint32_t rv;
	int fd;

	if (ek_probe(why, sizeof(why)) != 0) {
		printf("diff_kernel: SKIP: %s\n", why);
		return 77;
	}
	d->skb_max = 0;
	if ((fd = bpfsys_prog_load(EK_PROG_SOCKET_FILTER, ret2, 2, NULL, 0, &err)) >= 0) {
		for (uint32_t s = 3000; s <= 16384; s++)
			if (bpfsys_test_run(fd, d->buf, s, &rv, &err) == 0)
				d->skb_max = s;
		close(fd);
	}
	if (dk_probe_xdp_linear(d) != 0 || d->skb_max == 0 || d->xdp_max == 0) {
		printf("diff_kernel: SKIP: cannot find the test runs' packet size limits\n");
		return 77;
	}
	return 0;
}

/* Print the last `lines` lines of a verifier log. */
static void
dk_log_tail(const char *log, int lines)
{
	size_t n = strlen(log), s = n;
	int seen = 0;

	while (s > 0 && seen <= lines)
		if (log[--s] == '\n')
			seen++;
	printf("  verifier log (tail):\n%s\n", log + s);
}

static void
dk_listing(const struct ebpf_prog *p)
{
	struct strbuf b;

	if (p->n > 400) {
		printf("  (%zu instructions: listing left out)\n", p->n);
		return;
	}
	strbuf_init(&b);
	ebpf_listing(&b, p->insns, p->n);
	if (!b.failed && b.data != NULL)
		printf("%s", b.data);
	strbuf_release(&b);
}

/* Load program t of the case; on refusal report it with the log. */
static int
dk_load(struct dk *d, struct dk_case *c, int t)
{
	static char log[1 << 22];
	struct bpfc_error err;
	int fd = bpfsys_prog_load(dk_types[t], c->prog[t].insns, c->prog[t].n, NULL, 0, &err);

	d->st.loads++;
	if (fd >= 0)
		return fd;
	d->st.refused++;
	d->st.bad++;
	fd = bpfsys_prog_load(dk_types[t], c->prog[t].insns, c->prog[t].n, log, sizeof(log), &err);
	if (fd >= 0) /* accepted with a log: count the refusal anyway */
		return fd;
	if (d->st.refused <= DK_MAX_REPORTS) {
		printf("FAIL [dlt %d] %s: the verifier refused the %s program: %s\n", c->dlt,
		       c->expr, dk_names[t], err.msg);
		dk_log_tail(log, 20);
		dk_listing(&c->prog[t]);
	}
	return -1;
}

/* ---- comparing ---- */

/* What program t returns for a cBPF result `v`. */
static uint32_t
dk_expect(int t, uint32_t v)
{
	switch (t) {
	case DK_SOCKET:
		return v;
	case DK_XDP:
		return v ? EK_XDP_PASS : EK_XDP_DROP;
	case DK_XDP_INV:
		return v ? EK_XDP_DROP : EK_XDP_PASS;
	default:
		return v ? EK_TC_ACT_OK : EK_TC_ACT_SHOT;
	}
}

static void
dk_report(struct dk *d, const struct dk_case *c, const char *engine, const uint8_t *pkt,
	  uint32_t caplen, uint32_t wirelen, uint32_t want, uint32_t got)
{
	if (++d->st.bad > DK_MAX_REPORTS)
		return;
	printf("FAIL [dlt %d] %s: %s returned %u, expected %u (libpcap's bpf_filter)\n"
	       "  caplen %u, wirelen %u:", c->dlt, c->expr, engine, got, want, caplen, wirelen);
	for (uint32_t i = 0; i < caplen && i < 256; i++)
		printf("%s%02x", i % 32 == 0 ? "\n    " : "", pkt[i]);
	printf("\n  reproduce: BPFC_SEED=0x%" PRIx64 "\n", d->seed);
	if (c->random != NULL) {
		char *text = bpfc_listing(c->random, c->nrandom, BPFC_LISTING_D);
		printf("%s", text != NULL ? text : "");
		free(text);
	}
}

/* The kernel's test run of program t on a whole packet of `len` bytes. */
static void
dk_kernel(struct dk *d, const struct dk_case *c, int t, const uint8_t *pkt, uint32_t len,
	  uint32_t want)
{
	struct bpfc_error err;
	uint32_t rv, off = t == DK_SOCKET ? DK_ETH : 0;
	uint32_t max = t == DK_XDP || t == DK_XDP_INV ? d->xdp_max : d->skb_max;
	char what[64];

	if (c->fd[t] < 0)
		return;
	if (len + off < DK_ETH) {
		d->st.short_pkts++;
		return;
	}
	if (t == DK_TC && ek_skb_refuses(pkt, len)) {
		d->st.iphdr_pkts++;
		return;
	}
	if (len + off > max) {
		d->st.long_pkts++;
		return;
	}
	memset(d->buf, 0, off);
	memcpy(d->buf + off, pkt, len);
	d->st.kruns++;
	snprintf(what, sizeof(what), "the kernel's %s program", dk_names[t]);
	diag_init(&err);
	if (bpfsys_test_run(c->fd[t], d->buf, len + off, &rv, &err) != 0) {
		if (++d->st.bad <= DK_MAX_REPORTS)
			printf("FAIL [dlt %d] %s: %s program on %u bytes: %s\n", c->dlt, c->expr,
			       dk_names[t], len + off, err.msg);
	} else if (rv != dk_expect(t, want)) {
		dk_report(d, c, what, pkt, len, len, dk_expect(t, want), rv);
	}
}

/* Every engine on one packet (at a guarded address: reads past caplen
 * fault). */
static void
dk_packet(struct dk *d, const struct dk_case *c, struct testenv_guard *g, const uint8_t *data,
	  uint32_t caplen, uint32_t wirelen)
{
	const uint8_t *pkt = testenv_guard_put(g, data, caplen);
	uint32_t want = bpf_filter(c->conv, pkt, wirelen, caplen);
	uint32_t whole = wirelen == caplen ? want : bpf_filter(c->conv, pkt, caplen, caplen);
	uint32_t own = bpfc_run(c->f, pkt, wirelen, caplen);

	d->st.packets++;
	if (own != want)
		dk_report(d, c, "bpfc's cBPF interpreter", pkt, caplen, wirelen, want, own);
	for (int t = 0; t < c->nprog; t++) {
		/* XDP's len is the buffer's: the packet is whole there. */
		int isxdp = t == DK_XDP || t == DK_XDP_INV;
		uint32_t v = (uint32_t)ebpf_run(&c->prog[t], pkt, isxdp ? caplen : wirelen, caplen);
		uint32_t exp = dk_expect(t, isxdp ? whole : want);
		char what[64];
		d->st.iruns++;
		if (v != exp) {
			snprintf(what, sizeof(what), "bpfc's eBPF interpreter (%s)", dk_names[t]);
			dk_report(d, c, what, pkt, caplen, isxdp ? caplen : wirelen, exp, v);
		}
		dk_kernel(d, c, t, pkt, caplen, whole);
	}
}

/* Sampled packets whole and cut once; accepted ones cut at every length. */
static void
dk_packets(struct dk *d, const struct dk_case *c, const struct pktgen_set *set,
	   struct testenv_guard *g)
{
	size_t sample = (size_t)(DK_SAMPLE * d->scale), cuts = 0;

	sample = sample ? sample : 1;
	for (size_t j = 0; j < sample; j++) {
		const struct pktgen_pkt *pk = &set->pkts[rng_below(&d->r, (uint32_t)set->n)];
		uint32_t cut = rng_below(&d->r, pk->caplen + 1);
		dk_packet(d, c, g, pk->data, pk->caplen, pk->wirelen);
		dk_packet(d, c, g, pk->data, cut, cut);
	}
	size_t from = rng_below(&d->r, (uint32_t)set->n);
	for (size_t j = 0; j < set->n && cuts < DK_CUTPKTS; j++) {
		const struct pktgen_pkt *pk = &set->pkts[(from + j) % set->n];
		if (bpf_filter(c->conv, pk->data, pk->caplen, pk->caplen) == 0)
			continue;
		cuts++;
		for (uint32_t len = 0; len <= pk->caplen; len++)
			if (len <= DK_FULLCUT || rng_chance(&d->r, 4, pk->caplen - DK_FULLCUT))
				dk_packet(d, c, g, pk->data, len, len);
	}
}

/* ---- one expression on one link type ---- */

static void
dk_stats(struct dk *d, const struct dk_case *c, size_t ncbpf)
{
	d->st.cbpf_insns += ncbpf;
	for (int t = 0; t < c->nprog; t++) {
		double ratio = (double)c->prog[t].n / (double)ncbpf;
		if (t == DK_XDP_INV)
			continue;
		d->st.ebpf_insns[t] += c->prog[t].n;
		if (ratio > d->st.max_ratio[t]) {
			d->st.max_ratio[t] = ratio;
			snprintf(d->st.max_expr[t], sizeof(d->st.max_expr[t]), "[dlt %d] %.140s",
				 c->dlt, c->expr);
		}
	}
}

/* Translate the case's filter for every target and load each; 0 when
 * every program is there to run (refusals are already counted). */
static int
dk_prepare(struct dk *d, struct dk_case *c, struct arena *a, size_t index)
{
	static const enum ebpf_target targets[DK_NPROG] = {EBPF_TARGET_SOCKET, EBPF_TARGET_XDP,
							   EBPF_TARGET_TC, EBPF_TARGET_XDP};
	struct bpfc_error err;
	const struct bpfc_insn *insns;
	size_t n = bpfc_cbpf(c->f, &insns);

	c->conv = dk_xalloc(testenv_to_pcap(insns, n));
	c->nprog = index % DK_INVERT_EVERY == 0 ? DK_NPROG : DK_XDP_INV;
	for (int t = 0; t < c->nprog; t++) {
		c->fd[t] = -1;
		diag_init(&err);
		if (ebpf_from_cbpf(a, insns, n, targets[t], t == DK_XDP_INV ? EBPF_INVERT : 0,
				   &c->prog[t], &err) != 0) {
			printf("FAIL [dlt %d] %s: no %s program: %s\n", c->dlt, c->expr, dk_names[t],
			       err.msg);
			d->st.bad++;
			c->nprog = t;
			return -1;
		}
		c->fd[t] = dk_load(d, c, t);
	}
	if (c->random == NULL) /* the figures are the corpus's */
		dk_stats(d, c, n);
	return 0;
}

static void
dk_release(struct dk_case *c, struct arena *a)
{
	for (int t = 0; t < c->nprog; t++)
		if (c->fd[t] >= 0)
			close(c->fd[t]);
	arena_release(a);
	free(c->conv);
	bpfc_free(c->f);
}

static void
dk_expr(struct dk *d, const struct pktgen_set *set, struct testenv_guard *g, const char *expr,
	int dlt, size_t index)
{
	struct bpfc_options o;
	struct bpfc_error err;
	struct dk_case c;
	struct arena a;

	memset(&c, 0, sizeof(c));
	c.expr = expr;
	c.dlt = dlt;
	bpfc_options_init(&o);
	o.linktype = dlt;
	o.snaplen = DK_SNAPLEN;
	o.netmask = 0xffffff00u;
	if ((c.f = bpfc_compile_opts(expr, strlen(expr), &o, NULL, &err)) == NULL) {
		d->st.notcompiled++; /* diff_compile checks that libpcap agrees */
		return;
	}
	d->st.exprs++;
	arena_init(&a);
	if (dk_prepare(d, &c, &a, index) == 0)
		dk_packets(d, &c, set, g);
	dk_release(&c, &a);
}

/* Random valid cBPF (tests/gen/randprog: edge offsets and constants,
 * X = 0 before div/mod, scratch use) on random packets, whole and cut. */
static void
dk_random(struct dk *d, struct testenv_guard *g)
{
	size_t count = (size_t)(DK_RANDPROGS * d->scale);
	struct bpfc_insn p[DK_RANDLEN];
	uint8_t pkt[256];
	char name[64], errbuf[BPFC_ERRBUF_SIZE];

	for (size_t i = 0; i < count; i++) {
		struct dk_case c;
		struct arena a;
		size_t n = randprog_valid(&d->r, p, DK_RANDLEN);
		memset(&c, 0, sizeof(c));
		snprintf(name, sizeof(name), "random program %zu", i);
		c.expr = name;
		c.dlt = -1;
		c.random = p;
		c.nrandom = n;
		if ((c.f = bpfc_load_cbpf(p, n, errbuf)) == NULL) {
			printf("FAIL %s: randprog_valid made a program bpfc refuses: %s\n", name, errbuf);
			d->st.bad++;
			continue;
		}
		d->st.randprogs++;
		arena_init(&a);
		if (dk_prepare(d, &c, &a, i) == 0)
			for (int j = 0; j < DK_RANDPKTS; j++) {
				uint32_t cap, wire;
				randprog_packet(&d->r, pkt, sizeof(pkt), &cap, &wire);
				dk_packet(d, &c, g, pkt, cap, wire);
				dk_packet(d, &c, g, pkt, cap, cap);
				cap = rng_below(&d->r, cap + 1);
				dk_packet(d, &c, g, pkt, cap, cap);
			}
		dk_release(&c, &a);
	}
}

static int
dk_set(struct dk *d, struct pktgen_set *set, int dlt, size_t i)
{
	struct dk_pcap_arg arg = {set, 0, (size_t)(DK_FILE_MAX * d->scale)};
	char path[4200];

	pktgen_set_init(set, dlt);
	if (pktgen_generate(set, dlt, d->seed + i, (size_t)(DK_GEN * d->scale) + 1) != 0) {
		fprintf(stderr, "diff_kernel: no packets for link type %d\n", dlt);
		return -1;
	}
	if (testenv_manifest(path, sizeof(path), dk_read_pcap, &arg) != 0 && i == 0)
		printf("note: %s not found: generated packets only\n", path);
	return 0;
}

static void
dk_summary(const struct dk *d, double secs)
{
	const struct dk_stats *s = &d->st;

	printf("diff_kernel: %lu expression/link-type pairs compiled (%lu refused by bpfc) and "
	       "%lu random programs, %lu eBPF programs loaded, %lu refused by the verifier (%.0f%% "
	       "accepted)\n",
	       s->exprs, s->notcompiled, s->randprogs, s->loads, s->refused,
	       s->loads ? 100.0 * (double)(s->loads - s->refused) / (double)s->loads : 0.0);
	printf("  %lu packets, each through bpfc's cBPF interpreter and the socket, xdp and tc "
	       "programs (and xdp --invert for one expression in %d): %lu kernel test runs, %lu "
	       "eBPF interpreter runs; kernel runs left out (the other engines ran them): %lu "
	       "xdp/tc packets under 14 bytes, %lu tc packets with an IP ethertype but no room "
	       "for the IP header, %lu longer than a test run's page\n",
	       s->packets, DK_INVERT_EVERY, s->kruns, s->iruns, s->short_pkts, s->iphdr_pkts,
	       s->long_pkts);
	printf("  instructions: cBPF %llu", s->cbpf_insns);
	for (int t = 0; t < DK_XDP_INV; t++)
		printf(", %s %llu (x%.2f, at most x%.2f: %s)", dk_names[t], s->ebpf_insns[t],
		       s->cbpf_insns ? (double)s->ebpf_insns[t] / (double)s->cbpf_insns : 0.0,
		       s->max_ratio[t], s->max_expr[t]);
	printf("\n  %lu differences in %.1f s (seed 0x%" PRIx64 ", scale %g)\n", s->bad, secs,
	       d->seed, d->scale);
}

int
main(void)
{
	static struct dk d;
	struct dk_list exprs = {0};
	struct testenv_guard g;
	const char *src = getenv("top_srcdir");
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	d.seed = testenv_seed("BPFC_SEED", DK_SEED);
	d.scale = testenv_scale();
	rng_seed(&d.r, d.seed);
	if ((rc = dk_probe(&d)) != 0)
		return rc;
	if (src == NULL)
		src = ".";
	if (dk_read(&exprs, src, "tests/exprs/captures.txt") < 0 ||
	    dk_read(&exprs, src, "tests/compile/exprs.txt") < 0)
		return 99;
	if (testenv_guard_init(&g, 1 << 18) != 0)
		return 99;
	printf("diff_kernel: %zu expressions on %zu link types, seed 0x%" PRIx64
	       " (reproduce: BPFC_SEED=0x%" PRIx64 "); test runs take whole packets up to %u "
	       "bytes (skb), %u (xdp)\n",
	       exprs.n, DK_NDLTS, d.seed, d.seed, d.skb_max, d.xdp_max);
	for (size_t i = 0; i < DK_NDLTS; i++) {
		struct pktgen_set set;
		if (dk_set(&d, &set, dk_dlts[i], i) != 0)
			return 99;
		for (size_t e = 0; e < exprs.n; e++)
			dk_expr(&d, &set, &g, exprs.v[e], dk_dlts[i], e);
		pktgen_set_free(&set);
	}
	dk_random(&d, &g);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dk_summary(&d, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
	testenv_guard_free(&g);
	for (size_t e = 0; e < exprs.n; e++)
		free(exprs.v[e]);
	free(exprs.v);
	return d.st.bad ? 1 : 0;
}
