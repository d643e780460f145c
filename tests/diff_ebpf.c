/*
 * diff_ebpf.c: the eBPF programs bpfc makes, run by bpfc's eBPF
 * interpreter, against bpfc's cBPF interpreter and libpcap's bpf_filter.
 *
 * Takes the expressions of tests/compile/exprs.txt and
 * tests/exprs/captures.txt (the corpora of diff_compile and diff_truncate),
 * DE_COMBOS more joining 2 to 4 of their lines with and/or/not, and
 * DE_RUNS or-runs of 1 to 1000 hosts or ports (the long programs, with the
 * long jumps), on every link type those tests use, compiled by bpfc
 * (optimized, and every other one also with -O); packets: tests/gen/pktgen's for the link
 * type (truncated ones and runts among them), the captures of
 * $BPFC_SHARED/pcaps/MANIFEST.tsv of that link type, and a copy of each
 * cut at a random length (caplen < wirelen), each in a buffer of exactly
 * caplen bytes so that ASan sees any read past it.  And, per filter,
 * packets built to meet its program: generated packets with 1 to 4 of the
 * constants it compares with written where it loads (as diff_truncate
 * plants them), each then cut at every length up to 160 bytes and a few
 * above, which is where a hoisted XDP guard could differ from cBPF's
 * load-by-load verdict.
 *
 * For every filter:
 *  - its socket program (bpfc_ebpf: made when the filter was loaded) must
 *    exist and the eBPF engine must be selectable; the tc and XDP
 *    programs, plain and inverted, come from bpfc_ebpf_for; none may fail;
 *  - on every packet, the oracle is libpcap's bpf_filter on the filter's
 *    cBPF program, with (wirelen, caplen), and cBPF's interpreter, the
 *    socket program in ebpf_run and bpfc_run with the eBPF engine must
 *    return exactly that value;
 *  - tc (whose __sk_buff.len is the wire length and whose linear data is
 *    the capture) must return TC_ACT_OK exactly when that value is
 *    non-zero and TC_ACT_SHOT otherwise; the run target (EBPF_TARGET_RUN,
 *    the JIT's input) must return exactly that value in ebpf_run and, from
 *    a copy of the packet placed against a guard page (any read past
 *    caplen faults; ASan cannot see into JIT code), its JIT code, which
 *    jit_compile must accept wherever jit_available(); XDP (which has no length but
 *    data_end - data) must return XDP_PASS exactly when bpf_filter with
 *    (caplen, caplen) is non-zero, XDP_DROP otherwise; inverted programs
 *    the other way round.
 *
 * With BPFC_EBPF_BENCH set, it measures instead: ns/packet of libpcap's
 * bpf_filter, cbpf_run, ebpf_run (socket and XDP programs) and bpfc_run
 * with the eBPF engine on a few filters over generated Ethernet packets.
 *
 * Exit 0, or 1 on any difference (the first ones printed with the
 * program's listing).  Seed with BPFC_SEED, scale with BPFC_TEST_SCALE.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfc.h"
#include "base/strbuf.h"
#include "cbpf/cbpf.h"
#include "ebpf/ebpf.h"
#include "jit/jit.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/plant.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define DE_GEN_PACKETS 250
#define DE_FILE_PACKETS 250
#define DE_PLANTED 4 /* planted packets per filter */
#else
#define DE_GEN_PACKETS 2000
#define DE_FILE_PACKETS 2000
#define DE_PLANTED 12
#endif
#define DE_COMBOS 300 /* corpus lines joined with and/or/not */
#define DE_RUNS 24    /* long or-runs of hosts and ports */
#define DE_FULLCUT 160 /* every cut up to here */
#define DE_SEED 0xeb9fd1ffull
#define DE_SNAPLEN 262144
#define DE_MAX_REPORTS 20

static const int de_dlts[] = {1, 12, 228, 229, 0, 108, 113, 276, 9, 166, 104};
#define DE_NDLTS (sizeof(de_dlts) / sizeof(de_dlts[0]))

/* linux/bpf.h's enum xdp_action and linux/pkt_cls.h's TC_ACT_* (neither
 * header can be included beside pcap/bpf.h). */
enum { DE_XDP_DROP = 1, DE_XDP_PASS = 2, DE_TC_OK = 0, DE_TC_SHOT = 2 };

struct de_list {
	char **v;
	size_t n, cap;
};

/* The programs of one filter: the socket one, then tc, tc inverted, XDP,
 * XDP inverted. */
enum { DE_TC, DE_TC_INV, DE_XDP, DE_XDP_INV, DE_NPROG };

struct de {
	struct rng r;
	uint64_t seed;
	double scale;
	struct pktgen_set sets[DE_NDLTS];
	size_t file_packets[DE_NDLTS], ngen[DE_NDLTS]; /* the first ngen are pktgen's */
	unsigned long filters, refused, runs, bad, reports, untranslated, matches, packets;
	size_t longest[1 + DE_NPROG];
	struct testenv_guard guard; /* the JIT's packets */
	unsigned long jitted;
};

static void *
de_xalloc(void *p)
{
	if (p == NULL) {
		fprintf(stderr, "diff_ebpf: out of memory\n");
		exit(99);
	}
	return p;
}

static void
de_push(struct de_list *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->v = de_xalloc(realloc(l->v, l->cap * sizeof(*l->v)));
	}
	l->v[l->n++] = s;
}

static int
de_read(struct de_list *l, const char *dir, const char *name)
{
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "diff_ebpf: cannot open %s: %s (set top_srcdir)\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t"), *end = s + strcspn(s, "\r\n");
		*end = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		de_push(l, de_xalloc(strdup(s)));
	}
	fclose(f);
	return 0;
}

/* Corpus lines joined with and/or/not, and long or-runs. */
static void
de_generate(struct de *d, struct de_list *l)
{
	static const char *const join[] = {" and ", " or ", " and not ", " or not "};
	static const char *const qual[] = {"", "src ", "dst ", "ip ", "tcp ", "udp "};
	size_t corpus = l->n;
	struct strbuf b;

	for (size_t c = 0; c < DE_COMBOS && corpus > 0; c++) {
		uint32_t parts = 2 + rng_below(&d->r, 3);
		strbuf_init(&b);
		for (uint32_t i = 0; i < parts; i++)
			strbuf_printf(&b, "%s(%s)", i ? join[rng_below(&d->r, 4)] : "",
				      l->v[rng_below(&d->r, (uint32_t)corpus)]);
		de_push(l, de_xalloc(strbuf_take(&b)));
	}
	for (size_t r = 0; r < DE_RUNS; r++) {
		static const uint32_t sizes[] = {1, 3, 12, 40, 200, 1000};
		uint32_t n = sizes[r % 6], port = rng_chance(&d->r, 1, 3);
		const char *q = qual[rng_below(&d->r, port ? 6 : 4)];
		strbuf_init(&b);
		for (uint32_t i = 0; i < n; i++) {
			if (port)
				strbuf_printf(&b, "%s%sport %u", i ? " or " : "",
					      i && r % 2 ? "" : q, rng_below(&d->r, 2000));
			else
				strbuf_printf(&b, "%s%shost 10.%u.%u.%u", i ? " or " : "",
					      i && r % 2 ? "" : q, rng_below(&d->r, 3),
					      rng_below(&d->r, 3), 1 + rng_below(&d->r, 254));
		}
		de_push(l, de_xalloc(strbuf_take(&b)));
	}
}

/* ---- packets ---- */

static void
de_add(struct pktgen_set *s, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	if (pktgen_set_add(s, data, caplen, wirelen) != 0)
		de_xalloc(NULL);
}

static int
de_index(int dlt)
{
	for (size_t i = 0; i < DE_NDLTS; i++)
		if (de_dlts[i] == dlt)
			return (int)i;
	return -1;
}

static void
de_read_listed(void *arg, const char *dir, const char *name)
{
	struct de *d = arg;
	char path[4200], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((p = pcap_open_offline(path, errbuf)) == NULL)
		return;
	i = de_index(pcap_datalink(p));
	while (i >= 0 && d->file_packets[i] < (size_t)(DE_FILE_PACKETS * d->scale) &&
	       pcap_next_ex(p, &h, &data) == 1) {
		de_add(&d->sets[i], data, h->caplen, h->len);
		d->file_packets[i]++;
	}
	pcap_close(p);
}

/* Generated packets and capture files, then a copy of each cut short. */
static int
de_packets(struct de *d)
{
	char path[4200];

	for (size_t i = 0; i < DE_NDLTS; i++) {
		pktgen_set_init(&d->sets[i], de_dlts[i]);
		if (pktgen_generate(&d->sets[i], de_dlts[i], d->seed + i,
				    (size_t)(DE_GEN_PACKETS * d->scale) + 1) != 0) {
			fprintf(stderr, "diff_ebpf: no packets for link type %d\n", de_dlts[i]);
			return -1;
		}
		d->ngen[i] = d->sets[i].n;
	}
	if (testenv_manifest(path, sizeof(path), de_read_listed, d) != 0)
		printf("note: %s not found: generated packets only\n", path);
	for (size_t i = 0; i < DE_NDLTS; i++) {
		struct pktgen_set *s = &d->sets[i];
		for (size_t k = 0, n = s->n; k < n; k++) {
			const struct pktgen_pkt pk = s->pkts[k];
			if (pk.caplen > 0)
				de_add(s, pk.data, rng_below(&d->r, pk.caplen), pk.wirelen);
		}
	}
	return 0;
}

/* ---- packets planted with a program's constants ---- */

/* ---- one filter ---- */

struct de_filter {
	int dlt;
	const char *expr;
	int optimize;
	struct bpfc_filter *f;
	struct bpf_insn *conv; /* the cBPF for libpcap */
	size_t ninsns;
	struct ebpf_prog sock, prog[DE_NPROG];
	struct arena arena;    /* the run program */
	struct ebpf_prog run;
	struct jit_code *jit;  /* its code, where there is a JIT */
};

static const char *const de_names[1 + DE_NPROG] = {"socket", "tc", "tc inverted", "xdp",
						   "xdp inverted"};

static void
de_report(struct de *d, const struct de_filter *df, const struct ebpf_prog *p, const char *what,
	  const struct pktgen_pkt *pk, uint64_t got, uint32_t want)
{
	struct strbuf b;

	d->bad++;
	if (d->reports++ >= DE_MAX_REPORTS)
		return;
	printf("FAIL [dlt %d%s] %s: %s: caplen %u wirelen %u: got %" PRIu64 ", want %u "
	       "(seed %#" PRIx64 ")\n",
	       df->dlt, df->optimize ? "" : ", -O", df->expr, what, pk->caplen, pk->wirelen, got,
	       want, d->seed);
	printf("  packet:");
	for (uint32_t i = 0; i < pk->caplen && i < 80; i++)
		printf(" %02x", pk->data[i]);
	printf("%s\n", pk->caplen > 80 ? " ..." : "");
	if (p != NULL) {
		strbuf_init(&b);
		ebpf_listing(&b, p->insns, p->n);
		char *text = strbuf_take(&b);
		printf("%s", text != NULL ? text : "(no memory for the listing)\n");
		free(text);
	}
}

/* The run target's program and, where there is a JIT, its code; 0, or -1
 * (reported) when either is refused. */
static int
de_run_program(struct de *d, struct de_filter *df)
{
	struct bpfc_error err = {.code = BPFC_OK};
	const struct bpfc_insn *cb;
	size_t cn = bpfc_cbpf(df->f, &cb);

	if (ebpf_from_cbpf(&df->arena, cb, cn, EBPF_TARGET_RUN, 0, &df->run, &err) != 0) {
		printf("FAIL [dlt %d] %s: no run program: %s\n", df->dlt, df->expr, err.msg);
		d->untranslated++;
		return -1;
	}
	if (jit_available() && (df->jit = jit_compile(&df->run, &err)) == NULL) {
		printf("FAIL [dlt %d] %s: the JIT refused the run program: %s\n", df->dlt,
		       df->expr, err.msg);
		d->untranslated++;
		return -1;
	}
	d->jitted += df->jit != NULL;
	return 0;
}

/* The programs, through the public API; 0, or -1 (reported) when one is
 * missing. */
static int
de_programs(struct de *d, struct de_filter *df)
{
	static const enum bpfc_target target[DE_NPROG] = {BPFC_TARGET_TC, BPFC_TARGET_TC,
							  BPFC_TARGET_XDP, BPFC_TARGET_XDP};
	const struct bpfc_ebpf_insn *sock;
	struct bpfc_error err = {.code = BPFC_OK};
	size_t n = bpfc_ebpf(df->f, &sock);

	df->sock = (struct ebpf_prog){(struct bpfc_ebpf_insn *)sock, n, EBPF_TARGET_SOCKET, 0};
	if (n == 0 || bpfc_set_engine(df->f, BPFC_ENGINE_EBPF) != 0) {
		struct ebpf_prog p;
		struct arena a;
		const struct bpfc_insn *cb;
		size_t cn = bpfc_cbpf(df->f, &cb);
		arena_init(&a);
		if (ebpf_from_cbpf(&a, cb, cn, EBPF_TARGET_SOCKET, 0, &p, &err) == 0)
			snprintf(err.msg, sizeof(err.msg), "translated, not kept by the filter");
		arena_release(&a);
		printf("FAIL [dlt %d] %s: no socket program or eBPF engine: %s\n", df->dlt,
		       df->expr, err.msg);
		d->untranslated++;
		return -1;
	}
	if (n > d->longest[0])
		d->longest[0] = n;
	for (int i = 0; i < DE_NPROG; i++) {
		unsigned flags = (i == DE_TC_INV || i == DE_XDP_INV) ? BPFC_TARGET_INVERT : 0;
		struct bpfc_ebpf_insn *p = bpfc_ebpf_for(df->f, target[i], flags, &n, &err);
		if (p == NULL) {
			printf("FAIL [dlt %d] %s: no %s program: %s\n", df->dlt, df->expr,
			       de_names[1 + i], err.msg);
			d->untranslated++;
			return -1;
		}
		df->prog[i] = (struct ebpf_prog){p, n, (enum ebpf_target)target[i], flags};
		if (n > d->longest[1 + i])
			d->longest[1 + i] = n;
	}
	return de_run_program(d, df);
}

static void de_packet(struct de *d, const struct de_filter *df, const struct pktgen_pkt *pk);

/* Planted copies of generated packets, each cut at every length from the
 * capture down to nothing (all up to DE_FULLCUT, 8 at random above), each
 * cut in its own exact-size buffer. */
static void
de_planted(struct de *d, const struct de_filter *df, const struct pktgen_set *s, size_t ngen)
{
	size_t count = (size_t)(DE_PLANTED * d->scale) > 0 ? (size_t)(DE_PLANTED * d->scale) : 1;
	struct plant_places pl;
	unsigned long before = d->bad;

	plant_places_of(df->conv, df->ninsns, &pl);
	for (size_t j = 0; j < count && ngen > 0 && d->bad == before; j++) {
		const struct pktgen_pkt *b = &s->pkts[rng_below(&d->r, (uint32_t)ngen)];
		uint32_t cap = b->caplen;
		uint8_t *buf = de_xalloc(malloc(cap ? cap : 1));
		memcpy(buf, b->data, cap);
		plant_constants(&d->r, &pl, buf, cap);
		for (uint32_t cut = cap + 1; cut-- > 0 && d->bad == before;) {
			if (cut > DE_FULLCUT && cut != cap &&
			    !rng_chance(&d->r, 8, cap - DE_FULLCUT + 1))
				continue;
			struct pktgen_pkt pk = {de_xalloc(malloc(cut ? cut : 1)), cut, b->wirelen};
			memcpy(pk.data, buf, cut);
			de_packet(d, df, &pk);
			free(pk.data);
		}
		free(buf);
	}
}

/* Every engine on one packet. */
static void
de_packet(struct de *d, const struct de_filter *df, const struct pktgen_pkt *pk)
{
	const struct bpfc_insn *cb;
	const uint8_t *data = pk->data;
	uint32_t cap = pk->caplen, wire = pk->wirelen;
	uint32_t want = bpf_filter(df->conv, data, wire, cap);
	uint32_t wantx = bpf_filter(df->conv, data, cap, cap); /* XDP: len is caplen */
	uint32_t c;
	uint64_t v;

	bpfc_cbpf(df->f, &cb);
	d->packets++;
	d->matches += want != 0;
	if ((c = cbpf_run(cb, data, wire, cap)) != want)
		de_report(d, df, NULL, "cbpf_run", pk, c, want);
	if ((uint32_t)(v = ebpf_run(&df->sock, data, wire, cap)) != want || v >> 32 != 0)
		de_report(d, df, &df->sock, "socket", pk, v, want);
	if ((c = bpfc_run(df->f, data, wire, cap)) != want)
		de_report(d, df, NULL, "bpfc_run, eBPF engine", pk, c, want);
	for (int i = 0; i < DE_NPROG; i++) {
		int xdp = i >= DE_XDP, inv = i == DE_TC_INV || i == DE_XDP_INV;
		int pass = (xdp ? wantx : want) != 0;
		uint64_t ok = xdp ? DE_XDP_PASS : DE_TC_OK, drop = xdp ? DE_XDP_DROP : DE_TC_SHOT;
		uint64_t act = pass != inv ? ok : drop;
		if ((v = ebpf_run(&df->prog[i], data, xdp ? cap : wire, cap)) != act)
			de_report(d, df, &df->prog[i], de_names[1 + i], pk, v, (uint32_t)act);
	}
	if ((uint32_t)(v = ebpf_run(&df->run, data, wire, cap)) != want || v >> 32 != 0)
		de_report(d, df, &df->run, "run target", pk, v, want);
	if (df->jit != NULL) {
		const uint8_t *g = testenv_guard_put(&d->guard, data, cap);
		if ((c = jit_entry(df->jit)(g, wire, cap)) != want)
			de_report(d, df, &df->run, "JIT", pk, c, want);
	}
	d->runs += 5 + DE_NPROG;
}

static void
de_filter(struct de *d, size_t li, const char *expr, int optimize)
{
	struct de_filter df = {.dlt = de_dlts[li], .expr = expr, .optimize = optimize};

	arena_init(&df.arena);
	struct bpfc_options o;
	struct bpfc_error err = {.code = BPFC_OK};
	const struct bpfc_insn *cb;
	unsigned long before = d->bad;

	bpfc_options_init(&o);
	o.linktype = df.dlt;
	o.snaplen = DE_SNAPLEN;
	o.netmask = 0xffffff00u;
	o.optimize = optimize;
	df.f = bpfc_compile_opts(expr, strlen(expr), &o, NULL, &err);
	if (df.f == NULL) { /* diff_compile checks refusals against libpcap */
		d->refused++;
		return;
	}
	d->filters++;
	df.ninsns = bpfc_cbpf(df.f, &cb);
	df.conv = de_xalloc(testenv_to_pcap(cb, df.ninsns));
	if (de_programs(d, &df) == 0) {
		const struct pktgen_set *s = &d->sets[li];
		for (size_t k = 0; k < s->n && d->bad - before < 3; k++)
			de_packet(d, &df, &s->pkts[k]);
		de_planted(d, &df, s, d->ngen[li]);
	} else {
		d->bad++;
	}
	for (int i = 0; i < DE_NPROG; i++)
		free(df.prog[i].insns);
	free(df.conv);
	bpfc_free(df.f);
	jit_free(df.jit);
	arena_release(&df.arena);
}

/* ---- the measurement (BPFC_EBPF_BENCH) ---- */

static const char *const de_bench_exprs[] = {
	"ip",
	"tcp port 80",
	"host 10.0.0.1",
	"udp and (port 53 or port 123)",
	"tcp[tcpflags] & tcp-syn != 0",
	"vlan and tcp port 443",
	"net 192.168.0.0/16 and not port 22",
	"ip6 and tcp dst port 80",
	"icmp or arp",
	"(ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) != 0",
};

static double
de_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Best of 15 rounds of `reps` passes over the packets: ns per packet (the
 * best round is the one least disturbed by whatever else runs). */
#define DE_TIME(out, CALL)                                                               \
	do {                                                                             \
		double best_ = 1e300;                                                    \
		for (int round_ = 0; round_ < 15; round_++) {                            \
			double t0_ = de_now();                                           \
			for (size_t r_ = 0; r_ < reps; r_++)                             \
				for (size_t k_ = 0; k_ < s->n; k_++) {                   \
					const struct pktgen_pkt *pk = &s->pkts[k_];      \
					sink += (CALL);                                  \
				}                                                        \
			double t_ = (de_now() - t0_) / (double)(reps * s->n);            \
			best_ = t_ < best_ ? t_ : best_;                                 \
		}                                                                        \
		(out) = best_;                                                           \
	} while (0)

static int
de_bench(struct de *d)
{
	enum { NB = sizeof(de_bench_exprs) / sizeof(de_bench_exprs[0]) };
	struct pktgen_set set, *s = &set;
	volatile uint64_t sink = 0;
	size_t reps = 10;
	double geo = 0;

	pktgen_set_init(s, 1);
	if (pktgen_generate(s, 1, d->seed, 4096) != 0)
		return 99;
	printf("ns/packet over %zu generated Ethernet packets (best of 15 rounds of %zu passes)\n",
	       s->n, reps);
	printf("%-56s %5s %5s %10s %9s %9s %9s %9s\n", "filter", "cBPF", "eBPF", "bpf_filter",
	       "cbpf_run", "ebpf_run", "ebpf xdp", "bpfc_run");
	for (size_t i = 0; i < NB; i++) {
		struct de_filter df = {.dlt = 1, .expr = de_bench_exprs[i], .optimize = 1};
		arena_init(&df.arena);
		struct bpfc_error err = {.code = BPFC_OK};
		const struct bpfc_insn *cb;
		double t[5];

		df.f = bpfc_compile_opts(df.expr, strlen(df.expr), NULL, NULL, &err);
		if (df.f == NULL || de_programs(d, &df) != 0) {
			printf("%s: %s\n", df.expr, df.f == NULL ? err.msg : "not translated");
			return 1;
		}
		size_t cn = bpfc_cbpf(df.f, &cb);
		df.conv = de_xalloc(testenv_to_pcap(cb, cn));
		DE_TIME(t[0], bpf_filter(df.conv, pk->data, pk->wirelen, pk->caplen));
		DE_TIME(t[1], cbpf_run(cb, pk->data, pk->wirelen, pk->caplen));
		DE_TIME(t[2], ebpf_run(&df.sock, pk->data, pk->wirelen, pk->caplen));
		DE_TIME(t[3], ebpf_run(&df.prog[DE_XDP], pk->data, pk->caplen, pk->caplen));
		DE_TIME(t[4], bpfc_run(df.f, pk->data, pk->wirelen, pk->caplen));
		printf("%-56s %5zu %5zu %10.1f %9.1f %9.1f %9.1f %9.1f\n", df.expr, cn, df.sock.n,
		       t[0], t[1], t[2], t[3], t[4]);
		geo += __builtin_log(t[2] / t[1]);
		for (int k = 0; k < DE_NPROG; k++)
			free(df.prog[k].insns);
		free(df.conv);
		bpfc_free(df.f);
		jit_free(df.jit);
		arena_release(&df.arena);
	}
	printf("geometric mean of ebpf_run / cbpf_run: %.2f\n", __builtin_exp(geo / NB));
	pktgen_set_free(s);
	(void)sink;
	return 0;
}

int
main(void)
{
	struct de *d = de_xalloc(calloc(1, sizeof(struct de)));
	struct de_list exprs = {0};
	const char *src = getenv("top_srcdir");
	int rc;

	d->seed = testenv_seed("BPFC_SEED", DE_SEED);
	d->scale = testenv_scale();
	rng_seed(&d->r, d->seed);
	if (getenv("BPFC_EBPF_BENCH") != NULL) {
		rc = de_bench(d);
		free(d);
		return rc;
	}
	if (src == NULL)
		src = ".";
	if (de_read(&exprs, src, "tests/compile/exprs.txt") < 0 ||
	    de_read(&exprs, src, "tests/exprs/captures.txt") < 0 || de_packets(d) < 0)
		return 99;
	de_generate(d, &exprs);
	if (testenv_guard_init(&d->guard, DE_SNAPLEN) != 0) {
		fprintf(stderr, "diff_ebpf: no guard page: %s\n", strerror(errno));
		return 99;
	}
	for (size_t i = 0; i < DE_NDLTS; i++)
		for (size_t e = 0; e < exprs.n; e++) {
			de_filter(d, i, exprs.v[e], 1);
			if (e % 2 == 0)
				de_filter(d, i, exprs.v[e], 0);
		}
	printf("diff_ebpf: %lu filters (%lu expression/link-type pairs refused by bpfc), each as "
	       "socket, tc and XDP programs (longest %zu, %zu, %zu slots); %lu packets (%lu "
	       "matching), %lu runs: %lu differences, %lu filters without a program, %lu with JIT "
	       "code (seed %#" PRIx64 ")\n",
	       d->filters, d->refused, d->longest[0], d->longest[1 + DE_TC],
	       d->longest[1 + DE_XDP], d->packets, d->matches, d->runs, d->bad, d->untranslated,
	       d->jitted, d->seed);
	testenv_guard_free(&d->guard);
	rc = d->bad ? 1 : 0;
	for (size_t i = 0; i < DE_NDLTS; i++)
		pktgen_set_free(&d->sets[i]);
	for (size_t e = 0; e < exprs.n; e++)
		free(exprs.v[e]);
	free(exprs.v);
	free(d);
	return rc;
}
