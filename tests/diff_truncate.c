/*
 * diff_truncate.c: the compiler's verdicts on packets built to meet its
 * tests, cut at every length, against libpcap's unoptimized program.
 *
 * The verdict of a cBPF program on a packet too short for one of its loads
 * depends on the order of its loads: the program returns 0 at the first
 * load past the capture.  bpfc promises libpcap's unoptimized verdict on
 * every packet, so its optimizer may drop or merge a load only where that
 * cannot change which load fails first, and its code generator may group
 * `host a or host b ...` into one set test only in an order that keeps it
 * (codegen/gen.c, gen_dir_in).  Random packets rarely hit the values and
 * lengths where that matters, so this test makes them:
 *
 *  - expressions: tests/compile/exprs.txt, tests/exprs/captures.txt, and
 *    generated or-runs of hosts, networks, ports and port ranges with
 *    every qualifier that groups, of 1 to 40 values (and one of 1000),
 *    also negated (`not a and not b ...`), alone and inside
 *    and/or/not/vlan;
 *  - for every link type bpfc compiles for, libpcap compiles each one
 *    unoptimized (the oracle); from that program come the places it loads
 *    (absolute, and indexed with the X values its `ldxb 4*([k]&0xf)`
 *    give) and the constants it compares with (and their neighbours);
 *  - packets: the project's generator's, with 1 to 4 of those constants
 *    written at those places, then every truncation from the full capture
 *    down to nothing (all of them up to 160 bytes, 8 random above);
 *  - bpfc's optimized and -O programs must return what libpcap's returns,
 *    all three run by libpcap's bpf_filter.
 *
 * Exit 0, or 1 on any difference (the first ones printed with the packet).
 * Seed with BPFC_SEED, scale with BPFC_TEST_SCALE.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/plant.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define DT_PLANTED 6 /* packets per expression and link type */
#else
#define DT_PLANTED 16
#endif
#define DT_BASE 400 /* generated packets per link type to plant into */
#define DT_GENERATED 300 /* generated set expressions */
#define DT_FULLCUT 160 /* every truncation up to here */
#define DT_MAX_REPORTS 20
#define DT_SNAPLEN 262144
#define DT_SEED 0x7a11ca7eull

static const int dt_dlts[] = {1, 12, 228, 229, 0, 108, 113, 276, 9, 166, 104};
#define DT_NDLTS (sizeof(dt_dlts) / sizeof(dt_dlts[0]))

struct dt_list {
	char **v;
	size_t n, cap;
};

struct dt {
	struct rng r;
	uint64_t seed;
	double scale;
	unsigned long runs, exprs, skipped, bad;
};

static void *
dt_xalloc(void *p)
{
	if (p == NULL) {
		fprintf(stderr, "diff_truncate: out of memory\n");
		exit(99);
	}
	return p;
}

static void
dt_add(struct dt_list *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->v = dt_xalloc(realloc(l->v, l->cap * sizeof(*l->v)));
	}
	l->v[l->n++] = dt_xalloc(strdup(s));
}

static int
dt_read(struct dt_list *l, const char *dir, const char *name)
{
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "diff_truncate: cannot open %s: %s (set top_srcdir)\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t"), *end = s + strcspn(s, "\r\n");
		*end = '\0';
		if (*s != '\0' && *s != '#')
			dt_add(l, s);
	}
	fclose(f);
	return 0;
}

/* ---- generated or-runs ---- */

static const char *const dt_hosts[] = {
	"10.0.0.1", "10.0.0.2", "10.0.0.5", "10.0.0.100", "192.168.1.1", "192.168.1.10",
	"172.16.0.1", "8.8.8.8", "1.2.3.4", "224.0.0.1", "10.1.2.3", "127.0.0.1",
};
static const char *const dt_nets[] = {"10.0.0.0/24", "192.168.1.0/24", "10.0.0.0/8",
				      "172.16.0.0/16", "224.0.0.0/24", "192.168.0.0/16"};
static const char *const dt_ports[] = {"20", "21", "22", "53", "67", "68", "80", "443",
				       "8080", "123", "5353", "0", "65535"};
static const char *const dt_hostq[] = {"", "src ", "dst ", "src or dst ", "ip ", "arp ",
				       "rarp ", "ip src ", "arp dst ", "ip dst "};
static const char *const dt_portq[] = {"", "tcp ", "udp ", "sctp ", "src ", "dst ",
				       "tcp src ", "udp dst ", "src or dst "};
static const char *const dt_wrap[] = {"%s", "(%s) and tcp", "not (%s)", "%s or icmp",
				      "vlan and (%s)", "udp or (%s)", "(%s) and len > 60"};

#define DT_PICK(r, a) (a[rng_below(r, sizeof(a) / sizeof(a[0]))])

static void
dt_value(struct dt *d, char *out, size_t len, int kind)
{
	switch (kind) {
	case 0:
		if (rng_chance(&d->r, 3, 4))
			snprintf(out, len, "%s", DT_PICK(&d->r, dt_hosts));
		else
			snprintf(out, len, "10.%u.%u.%u", rng_below(&d->r, 3), rng_below(&d->r, 3),
				 1 + rng_below(&d->r, 254));
		break;
	case 1:
		snprintf(out, len, "%s", DT_PICK(&d->r, dt_nets));
		break;
	case 2:
		snprintf(out, len, "%s", DT_PICK(&d->r, dt_ports));
		break;
	default: {
		uint32_t lo = rng_below(&d->r, 1100);
		snprintf(out, len, "%u-%u", lo, lo + rng_below(&d->r, 200));
	}
	}
}

/* `Q host a or Q host b ...`, or with the qualifiers elided after the
 * first (`Q host a or b`), sometimes broken by another primitive. */
static void
dt_generate(struct dt *d, struct dt_list *l, size_t n)
{
	static const char *const what[] = {"host ", "net ", "port ", "portrange "};
	char buf[65536], val[64], expr[65600];

	for (size_t e = 0; e < n; e++) {
		int kind = (int)rng_below(&d->r, 4);
		const char *q = kind < 2 ? DT_PICK(&d->r, dt_hostq) : DT_PICK(&d->r, dt_portq);
		size_t nv = e + 1 == n ? 1000 : 1 + rng_below(&d->r, rng_chance(&d->r, 1, 4) ? 40 : 5);
		int elide = rng_chance(&d->r, 1, 3), neg = rng_chance(&d->r, 1, 4);
		size_t off = 0;

		if (e + 1 == n)
			kind = 0, q = "", elide = 0, neg = 0;
		if (neg) /* `not a and not b ...`: the same run, negated */
			elide = 0;
		for (size_t i = 0; i < nv && off + 200 < sizeof(buf); i++) {
			dt_value(d, val, sizeof(val), kind);
			if (i > 0 && rng_chance(&d->r, 1, 12)) {
				off += (size_t)snprintf(buf + off, sizeof(buf) - off,
							neg ? " and not tcp" : " or tcp");
				elide = 0;
			}
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s%s%s%s",
						i > 0 ? (neg ? " and " : " or ") : "", neg ? "not " : "",
						i > 0 && elide ? "" : q, i > 0 && elide ? "" : what[kind],
						val);
		}
		snprintf(expr, sizeof(expr), e + 1 == n ? "%s" : DT_PICK(&d->r, dt_wrap), buf);
		dt_add(l, expr);
	}
}

/* ---- running ---- */

static void
dt_report(struct dt *d, int dlt, const char *expr, const uint8_t *p, uint32_t cut,
	  uint32_t wire, u_int want, u_int opt, u_int noopt)
{
	if (++d->bad > DT_MAX_REPORTS)
		return;
	printf("FAIL [dlt %d] %s\n  caplen %u of %u: libpcap unoptimized %u, bpfc %u, bpfc -O %u\n"
	       "  packet:", dlt, expr, cut, wire, want, opt, noopt);
	for (uint32_t i = 0; i < cut; i++)
		printf("%s%02x", i % 32 == 0 ? "\n    " : "", p[i]);
	printf("\n  reproduce: BPFC_SEED=0x%" PRIx64 "\n", d->seed);
}

static struct bpf_insn *
dt_bpfc(const char *expr, int dlt, int optimize, int *unsupported)
{
	struct bpfc_options o;
	struct bpfc_load_options lo;
	struct bpfc_error err;
	struct bpfc_filter *f;
	struct bpf_insn *out;
	size_t n;

	bpfc_options_init(&o);
	o.linktype = dlt;
	o.snaplen = DT_SNAPLEN;
	o.netmask = 0xffffff00u;
	o.optimize = optimize;
	bpfc_load_options_init(&lo);
	lo.max_insns = 1u << 20;
	f = bpfc_compile_opts(expr, strlen(expr), &o, &lo, &err);
	if (f == NULL) {
		*unsupported = 1;
		return NULL;
	}
	const struct bpfc_insn *insns;
	n = bpfc_cbpf(f, &insns);
	out = dt_xalloc(testenv_to_pcap(insns, n));
	bpfc_free(f);
	return out;
}

/* One packet cut at `cut` bytes: the three verdicts must agree. */
static int
dt_cut(struct dt *d, int dlt, const char *expr, const struct bpf_insn *lp,
       const struct bpf_insn *bo, const struct bpf_insn *bn, const uint8_t *p, uint32_t cut,
       uint32_t wire)
{
	u_int want = bpf_filter(lp, p, wire, cut);
	u_int opt = bpf_filter(bo, p, wire, cut);
	u_int noopt = bpf_filter(bn, p, wire, cut);

	d->runs += 3;
	if (want == opt && want == noopt)
		return 0;
	dt_report(d, dlt, expr, p, cut, wire, want, opt, noopt);
	return -1;
}

static void
dt_expr(struct dt *d, pcap_t *h, int dlt, const char *expr, const struct pktgen_set *base,
	uint8_t *buf, size_t planted)
{
	struct bpf_program lp;
	struct bpf_insn *bo, *bn;
	struct plant_places pl;
	int unsupported = 0;

	if (testenv_known_difference(dlt, expr) != NULL ||
	    pcap_compile(h, &lp, expr, 0, 0xffffff00u) != 0)
		return;
	bo = dt_bpfc(expr, dlt, 1, &unsupported);
	bn = bo != NULL ? dt_bpfc(expr, dlt, 0, &unsupported) : NULL;
	if (bn == NULL) { /* refused: diff_compile checks that libpcap agrees */
		free(bo);
		pcap_freecode(&lp);
		d->skipped++;
		return;
	}
	d->exprs++;
	plant_places_of(lp.bf_insns, lp.bf_len, &pl);
	for (size_t j = 0; j < planted; j++) {
		const struct pktgen_pkt *b = &base->pkts[rng_below(&d->r, (uint32_t)base->n)];
		uint32_t cap = b->caplen, fails = 0;
		memcpy(buf, b->data, cap);
		plant_constants(&d->r, &pl, buf, cap);
		for (uint32_t cut = cap + 1; cut-- > 0 && fails == 0;) {
			if (cut > DT_FULLCUT && cut != cap && !rng_chance(&d->r, 8, cap - DT_FULLCUT + 1))
				continue;
			fails += dt_cut(d, dlt, expr, lp.bf_insns, bo, bn, buf, cut, b->wirelen) != 0;
		}
	}
	free(bo);
	free(bn);
	pcap_freecode(&lp);
}

int
main(void)
{
	struct dt d;
	struct dt_list exprs = {0};
	const char *src = getenv("top_srcdir");
	uint8_t *buf = dt_xalloc(malloc(1 << 17));
	size_t planted;

	memset(&d, 0, sizeof(d));
	d.seed = testenv_seed("BPFC_SEED", DT_SEED);
	d.scale = testenv_scale();
	rng_seed(&d.r, d.seed);
	planted = (size_t)(DT_PLANTED * d.scale) > 0 ? (size_t)(DT_PLANTED * d.scale) : 1;
	if (src == NULL)
		src = ".";
	if (dt_read(&exprs, src, "tests/compile/exprs.txt") < 0 ||
	    dt_read(&exprs, src, "tests/exprs/captures.txt") < 0)
		return 99;
	dt_generate(&d, &exprs, DT_GENERATED);
	for (size_t i = 0; i < DT_NDLTS; i++) {
		struct pktgen_set base;
		pcap_t *h = pcap_open_dead(dt_dlts[i], DT_SNAPLEN);
		pktgen_set_init(&base, dt_dlts[i]);
		if (h == NULL || pktgen_generate(&base, dt_dlts[i], d.seed + i, DT_BASE) != 0 ||
		    base.n == 0) {
			fprintf(stderr, "diff_truncate: no packets for link type %d\n", dt_dlts[i]);
			return 99;
		}
		for (size_t e = 0; e < exprs.n; e++)
			dt_expr(&d, h, dt_dlts[i], exprs.v[e], &base, buf, planted);
		pktgen_set_free(&base);
		pcap_close(h);
	}
	printf("diff_truncate: %lu expression/link-type pairs (%lu refused by bpfc or "
	       "unsupported), %lu program runs on planted packets cut at every length: "
	       "%lu differences (seed 0x%" PRIx64 ")\n",
	       d.exprs, d.skipped, d.runs, d.bad, d.seed);
	for (size_t e = 0; e < exprs.n; e++)
		free(exprs.v[e]);
	free(exprs.v);
	free(buf);
	return d.bad ? 1 : 0;
}
