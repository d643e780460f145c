/*
 * check_pcap_compile.c: bpfc_pcap_compile (libbpfc-pcap) against libpcap's
 * pcap_compile, through libpcap's own interface.
 *
 *  corpus    A table of pcap_open_dead handles (link type, snapshot length,
 *            netmask) times every expression of tests/exprs/captures.txt and
 *            tests/compile/exprs.txt, optimized and not: both functions
 *            succeed or both fail.  On success, libpcap's bpf_filter runs
 *            bpfc's program and libpcap's unoptimized one (libpcap's
 *            optimizer reorders loads, which changes its verdicts on
 *            truncated packets; bpfc's never does) over pktgen packets of
 *            the link type and random ones: the values must be equal, so
 *            the snapshot length came from the handle.  pcap_freecode frees
 *            every program (ASan/LSan check that it could).  On failure:
 *            PCAP_ERROR, a message in pcap_geterr, fp untouched (libpcap
 *            leaves it so too, checked).  Counted apart, not failures:
 *            BPFC_EUNSUPPORTED ("not yet"), ranges libpcap checks only after
 *            1.10.3 and bugs fixed since (testenv_known_difference):
 *            "newer"; and filters libpcap's optimizer finds to
 *            reject everything while bpfc's does not ("never": bpfc's
 *            program must then reject every packet libpcap's unoptimized one
 *            rejects, i.e. all of them).
 *  offline   pcap_open_offline handles on captures pktgen writes (snapshot
 *            length smaller than some packets): the same checks over the
 *            file's packets, and pcap_setfilter with bpfc's program must
 *            deliver exactly the packets it delivers with libpcap's.
 *  contract  A table of edge cases (NULL and empty expressions, snaplen 0,
 *            negative and huge snaplens, unknown link types, `ip broadcast`
 *            with and without a netmask, optimize values other than 0/1,
 *            filters that never match): outcome as pcap_compile's.  Then
 *            what libpcap cannot be asked (it would crash): NULL p, NULL fp;
 *            and a handle not yet activated.
 *  errors    tests/compile/reject.txt (libpcap refuses each line): the
 *            message holds the listed text and starts with the column of
 *            the text the caret must cover (found with strstr); multi-line
 *            expressions give the line too; a long message is cut to
 *            PCAP_ERRBUF_SIZE.
 *  long      1000 `host` terms: longer than the kernel's 4096 instructions,
 *            returned anyway (pcap_compile has no limit), verdicts as
 *            libpcap's, and pcap_setfilter on a savefile takes it.
 *  live      (root) a live handle on lo: where libpcap's live program
 *            differs from its savefile program (VLAN tags in the kernel's
 *            ancillary data) bpfc must refuse; elsewhere compile, agree,
 *            and be accepted by pcap_setfilter (the kernel).
 *  threads   two threads compiling the corpus on their own handles get the
 *            programs one thread gets.
 *
 * Environment: BPFC_SEED, BPFC_TEST_SCALE (float; a quarter under
 * sanitizers), top_srcdir.  Failures print the seed.
 */
#include <config.h>

#include <check.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfc.h"
#include "bpfc-pcap.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/testenv.h"

#define PC_PACKETS 600 /* pktgen packets per link type (plus as many pooled) */
#define PC_SEED 0x9ca9c0deull
#define PC_MAX_REPORTS 40
#define PC_SENTINEL_LEN 0xdeadbeefu

/* ---- the corpus and packets, loaded once -------------------------------- */

struct pc_lines {
	char **v;
	size_t n, cap;
};

/* The expressions and the seed: set up in main, read-only in the tests. */
static struct pc_lines pc_corpus;
static uint64_t pc_seed;

static double
pc_scale(void)
{
	return testenv_scale() * (TESTENV_SANITIZED ? 0.25 : 1.0);
}

static void
pc_add_line(struct pc_lines *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
	}
	if (l->v == NULL || (l->v[l->n] = strdup(s)) == NULL) {
		fprintf(stderr, "check_pcap_compile: out of memory\n");
		exit(1);
	}
	l->n++;
}

static void
pc_lines_free(struct pc_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Lines of a corpus file, trimmed, without blanks and '#' comments. */
static int
pc_read_lines(const char *name, struct pc_lines *l)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top != NULL ? top : ".", name);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "check_pcap_compile: cannot open %s (set top_srcdir)\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t"), *end = s + strcspn(s, "\r\n");
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (*s != '\0' && *s != '#')
			pc_add_line(l, s);
	}
	fclose(f);
	return 0;
}

/* pktgen packets framed for `dlt` (when it frames that link type), then a
 * pool of Ethernet frames and random bytes: each in an exact-size buffer. */
static struct testenv_pkt *
pc_packets(int dlt, uint64_t seed, size_t *n)
{
	size_t count = (size_t)(PC_PACKETS * pc_scale()) + 1, npool;
	struct testenv_pkt *pool = testenv_pool(seed ^ (uint64_t)dlt, count / 2 + 1, 1600, &npool);
	struct pktgen_set set;
	struct testenv_pkt *all;

	ck_assert_ptr_nonnull(pool);
	pktgen_set_init(&set, dlt);
	if (pktgen_supports(dlt))
		ck_assert_int_eq(pktgen_generate(&set, dlt, seed + (uint64_t)dlt, count), 0);
	all = calloc(set.n + npool, sizeof(*all));
	ck_assert_ptr_nonnull(all);
	for (size_t i = 0; i < set.n; i++) {
		all[i].data = set.pkts[i].data; /* taken over */
		all[i].caplen = set.pkts[i].caplen;
		all[i].wirelen = set.pkts[i].wirelen;
		set.pkts[i].data = NULL;
	}
	memcpy(all + set.n, pool, npool * sizeof(*pool));
	*n = set.n + npool;
	free(pool);
	pktgen_set_free(&set);
	return all;
}

/* ---- one comparison ------------------------------------------------------ */

enum pc_outcome { PC_SAME, PC_REFUSED_BOTH, PC_NEVER, PC_NOTYET, PC_NEWER, PC_BAD };

struct pc_run {
	const char *where;             /* the handle, for messages */
	const struct testenv_pkt *pkts;
	size_t npkts;
	size_t count[PC_BAD + 1];
	size_t reports, runs;
};

static void
pc_report(struct pc_run *r, const char *expr, int optimize, const char *fmt, const char *a,
	  const char *b)
{
	if (r->reports++ >= PC_MAX_REPORTS)
		return;
	printf("FAIL [%s, optimize %d] '%s': ", r->where, optimize, expr ? expr : "(NULL)");
	printf(fmt, a, b);
	printf(" (seed 0x%" PRIx64 ": BPFC_SEED=0x%" PRIx64 ")\n", pc_seed, pc_seed);
}

/* The index of the first packet the programs give different values for
 * (libpcap's bpf_filter runs both), or npkts. */
static size_t
pc_first_difference(struct pc_run *r, const struct bpf_program *want,
		    const struct bpf_program *got)
{
	for (size_t i = 0; i < r->npkts; i++) {
		const struct testenv_pkt *pk = &r->pkts[i];
		r->runs++;
		if (bpf_filter(want->bf_insns, pk->data, pk->wirelen, pk->caplen) !=
		    bpf_filter(got->bf_insns, pk->data, pk->wirelen, pk->caplen))
			return i;
	}
	return r->npkts;
}

/* Ranges libpcap checks only after 1.10.3: the list tests/diff_compile.c
 * keeps (dcc_newer_refusal). */
static int
pc_newer_refusal(const struct bpfc_error *err)
{
	static const char *const checks[] = {"LLC DSAP",     "protocol number", "link-layer protocol",
					     "byte argument", "ISO protocol", "IS-IS PDU"};

	for (size_t i = 0; err->code == BPFC_ERANGE && i < sizeof(checks) / sizeof(checks[0]); i++)
		if (strstr(err->msg, checks[i]) != NULL)
			return 1;
	return 0;
}

/* What bpfc itself says, with the options the handle gives (read here with
 * libpcap's getters, not through the library under test). */
static struct bpfc_filter *
pc_bpfc_direct(pcap_t *p, const char *expr, int optimize, bpf_u_int32 netmask,
	       struct bpfc_error *err)
{
	struct bpfc_options o;
	struct bpfc_load_options lo;

	bpfc_options_init(&o);
	o.linktype = pcap_datalink(p);
	o.snaplen = (uint32_t)pcap_snapshot(p);
	o.netmask = netmask;
	o.optimize = optimize != 0;
	bpfc_load_options_init(&lo);
	lo.max_insns = UINT32_MAX;
	return bpfc_compile_opts(expr ? expr : "", expr ? strlen(expr) : 0, &o, &lo, err);
}

/* The message is bpfc's, after the position: "column 10: MSG" (or
 * "columns", "line 2, column"), MSG perhaps cut to fit PCAP_ERRBUF_SIZE. */
static int
pc_is_bpfc_message(const char *msg, const char *bpfc)
{
	const char *rest = msg;

	if (strncmp(msg, "column", 6) == 0 || strncmp(msg, "line ", 5) == 0) {
		rest = strstr(msg, ": ");
		if (rest == NULL)
			return 0;
		rest += 2;
	}
	return rest[0] != '\0' && strncmp(rest, bpfc, strlen(rest)) == 0;
}

/* bpfc_pcap_compile refused: check how, and say whether it should have. */
static enum pc_outcome
pc_refused(struct pc_run *r, pcap_t *p, const char *expr, int optimize, bpf_u_int32 netmask,
	   int brc, const struct bpf_program *bp, int lrc, const char *lerr)
{
	const char *msg = pcap_geterr(p);
	struct bpfc_error err;
	struct bpfc_filter *f = pc_bpfc_direct(p, expr, optimize, netmask, &err);
	enum pc_outcome out = PC_REFUSED_BOTH;

	if (brc != PCAP_ERROR || bp->bf_len != PC_SENTINEL_LEN || bp->bf_insns != (void *)bp ||
	    msg[0] == '\0' || strlen(msg) >= PCAP_ERRBUF_SIZE) {
		pc_report(r, expr, optimize, "refused with rc %s or no message, or fp changed (%s)",
			  brc == PCAP_ERROR ? "-1" : "not -1", msg);
		out = PC_BAD;
	} else if (f != NULL) {
		/* bpfc compiles it, so the drop-in applied one of libpcap's own
		 * rules (a lone `ret #0`, snaplen 0): libpcap must refuse too,
		 * with the same words. */
		if (lrc == 0 || strcmp(msg, lerr) != 0) {
			pc_report(r, expr, optimize, "refused by a libpcap rule (%s); libpcap: %s",
				  msg, lrc == 0 ? "compiles it" : lerr);
			out = PC_BAD;
		}
	} else if (err.code == BPFC_EUNSUPPORTED && lrc == 0) {
		out = PC_NOTYET;
	} else if (lrc == 0 && pc_newer_refusal(&err)) {
		out = PC_NEWER;
	} else if (lrc == 0) {
		pc_report(r, expr, optimize, "bpfc refuses (%s), libpcap compiles it%s", msg, "");
		out = PC_BAD;
	} else if (!pc_is_bpfc_message(msg, err.msg) && strcmp(msg, lerr) != 0) {
		/* Neither bpfc's message nor libpcap's words for a rule of its own. */
		pc_report(r, expr, optimize, "message '%s' is not bpfc's '%s'", msg, err.msg);
		out = PC_BAD;
	}
	bpfc_free(f);
	return out;
}

/* Compile `expr` on `p` with both; compare as the file header says. */
static enum pc_outcome
pc_compare(struct pc_run *r, pcap_t *p, const char *expr, int optimize, bpf_u_int32 netmask)
{
	struct bpf_program lp, up, bp;
	char lerr[PCAP_ERRBUF_SIZE + 1] = "";
	int lrc, brc;
	size_t i;
	enum pc_outcome out;

	/* libpcap leaves fp alone on failure: the sentinel must survive it. */
	lp.bf_len = PC_SENTINEL_LEN;
	lp.bf_insns = (void *)&lp;
	lrc = pcap_compile(p, &lp, expr, optimize, netmask);
	if (lrc == 0)
		pcap_freecode(&lp);
	else if (lp.bf_len != PC_SENTINEL_LEN || lp.bf_insns != (void *)&lp)
		pc_report(r, expr, optimize, "libpcap changed fp on failure%s%s", "", "");
	else
		snprintf(lerr, sizeof(lerr), "%s", pcap_geterr(p));
	bp.bf_len = PC_SENTINEL_LEN;
	bp.bf_insns = (void *)&bp;
	brc = bpfc_pcap_compile(p, &bp, expr, optimize, netmask);
	if (brc != 0)
		return pc_refused(r, p, expr, optimize, netmask, brc, &bp, lrc, lerr);
	out = lrc == 0 ? PC_SAME : PC_NEVER;
	if (lrc != 0 && (!optimize || strstr(lerr, "rejects all packets") == NULL)) {
		pc_report(r, expr, optimize, "libpcap refuses (%s), bpfc compiles it%s", lerr, "");
		out = PC_BAD;
	} else if (pcap_compile(p, &up, expr, 0, netmask) != 0) {
		pc_report(r, expr, optimize, "libpcap refuses it unoptimized (%s)%s", pcap_geterr(p),
			  "");
		out = PC_BAD;
	} else {
		const char *known = testenv_known_difference(pcap_datalink(p), expr ? expr : "");
		i = pc_first_difference(r, &up, &bp);
		if (i < r->npkts && known != NULL) {
			out = PC_NEWER; /* bpfc follows a fix made after libpcap 1.10.3 */
		} else if (i < r->npkts) {
			char a[160];
			const struct testenv_pkt *pk = &r->pkts[i];
			snprintf(a, sizeof(a), "packet %zu (caplen %u, wirelen %u): libpcap %u, bpfc %u",
				 i, pk->caplen, pk->wirelen,
				 bpf_filter(up.bf_insns, pk->data, pk->wirelen, pk->caplen),
				 bpf_filter(bp.bf_insns, pk->data, pk->wirelen, pk->caplen));
			pc_report(r, expr, optimize, "%s%s", a, "");
			out = PC_BAD;
		}
		pcap_freecode(&up);
	}
	pcap_freecode(&bp);
	if (bp.bf_insns != NULL || bp.bf_len != 0)
		pc_report(r, expr, optimize, "pcap_freecode did not reset the program%s%s", "", "");
	return out;
}

static void
pc_summary(const struct pc_run *r)
{
	printf("%-34s same %5zu  refused-both %4zu  never %3zu  not-yet %4zu  newer %3zu  BAD %zu"
	       "  (%zu runs)\n",
	       r->where, r->count[PC_SAME], r->count[PC_REFUSED_BOTH], r->count[PC_NEVER],
	       r->count[PC_NOTYET], r->count[PC_NEWER], r->count[PC_BAD], r->runs);
}

static void
pc_corpus_on(struct pc_run *r, pcap_t *p, bpf_u_int32 netmask)
{
	for (size_t k = 0; k < pc_corpus.n; k++)
		for (int optimize = 1; optimize >= 0; optimize--)
			r->count[pc_compare(r, p, pc_corpus.v[k], optimize, netmask)]++;
	pc_summary(r);
	ck_assert_msg(r->count[PC_BAD] == 0, "%s: %zu differences from pcap_compile", r->where,
		      r->count[PC_BAD]);
	ck_assert_uint_gt(r->count[PC_SAME], 0);
}

/* ---- corpus: dead handles --------------------------------------------------- */

static const struct pc_handle {
	int dlt, snaplen;
	bpf_u_int32 netmask;
} pc_handles[] = {
	{DLT_EN10MB, 262144, 0xffffff00u},
	{DLT_EN10MB, 65535, PCAP_NETMASK_UNKNOWN},
	{DLT_EN10MB, 68, 0xffff0000u},
	{DLT_EN10MB, 1, 0xffffff00u},
	{DLT_RAW, 1500, 0xffffff00u},
	{DLT_NULL, 262144, PCAP_NETMASK_UNKNOWN},
	{DLT_LOOP, 96, 0xffffff00u},
	{DLT_LINUX_SLL, 128, 0xffffff00u},
	{DLT_LINUX_SLL2, 262144, 0xfffffff0u},
	{DLT_PPP, 200, 0xffffff00u},
	{DLT_IPV4, 262144, 0xff000000u},
	{DLT_IPV6, 64, PCAP_NETMASK_UNKNOWN},
	{DLT_C_HDLC, 262144, 0xffffff00u},
};

START_TEST(test_corpus)
{
	const struct pc_handle *h = &pc_handles[_i];
	char where[64];
	struct pc_run r;
	pcap_t *p = pcap_open_dead(h->dlt, h->snaplen);

	ck_assert_ptr_nonnull(p);
	memset(&r, 0, sizeof(r));
	snprintf(where, sizeof(where), "dead %s snaplen %d mask %08x",
		 pcap_datalink_val_to_name(h->dlt), h->snaplen, (unsigned)h->netmask);
	r.where = where;
	r.pkts = pc_packets(h->dlt, pc_seed, &r.npkts);
	pc_corpus_on(&r, p, h->netmask);
	testenv_pool_free((struct testenv_pkt *)r.pkts, r.npkts);
	pcap_close(p);
}
END_TEST

/* ---- offline: savefile handles ------------------------------------------------ */

/* Every packet of a savefile, each in an exact-size buffer. */
static struct testenv_pkt *
pc_read_file(const char *path, size_t *n)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	struct testenv_pkt *v = NULL;
	size_t cap = 0;

	ck_assert_msg(p != NULL, "%s", errbuf);
	*n = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			v = realloc(v, cap * sizeof(*v));
			ck_assert_ptr_nonnull(v);
		}
		v[*n].data = malloc(h->caplen ? h->caplen : 1);
		ck_assert_ptr_nonnull(v[*n].data);
		memcpy(v[*n].data, data, h->caplen);
		v[*n].caplen = h->caplen;
		v[*n].wirelen = h->len;
		(*n)++;
	}
	pcap_close(p);
	return v;
}

/* How many packets, and whose lengths, the savefile delivers through
 * pcap_setfilter with `prog`: a digest of the sequence. */
static uint64_t
pc_delivered(const char *path, struct bpf_program *prog, size_t *count)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t digest = 0;

	ck_assert_msg(p != NULL, "%s", errbuf);
	ck_assert_msg(pcap_setfilter(p, prog) == 0, "pcap_setfilter: %s", pcap_geterr(p));
	*count = 0;
	while (pcap_next_ex(p, &h, &data) == 1) {
		digest = digest * 1000003u + (uint64_t)h->ts.tv_sec * 1000000u + h->ts.tv_usec;
		digest = digest * 1000003u + h->caplen;
		(*count)++;
	}
	pcap_close(p);
	return digest;
}

static const struct pc_file {
	int dlt;
	uint32_t snaplen; /* the file's: some packets are cut to it */
} pc_files[] = {
	{DLT_EN10MB, 96},
	{DLT_LINUX_SLL, 262144},
	{DLT_IPV6, 80},
};

/* pcap_setfilter with each program: the same packets come out. */
static void
pc_setfilter_agrees(struct pc_run *r, pcap_t *p, const char *path, const char *expr)
{
	struct bpf_program lp, bp;
	size_t nl, nb;

	if (pcap_compile(p, &lp, expr, 0, PCAP_NETMASK_UNKNOWN) != 0)
		return;
	if (bpfc_pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
		uint64_t dl = pc_delivered(path, &lp, &nl), db = pc_delivered(path, &bp, &nb);
		if (dl != db || nl != nb) {
			char a[64];
			snprintf(a, sizeof(a), "%zu packets, bpfc's %zu", nl, nb);
			pc_report(r, expr, 1, "pcap_setfilter: libpcap's program passes %s%s", a, "");
			r->count[PC_BAD]++;
		}
		pcap_freecode(&bp);
	}
	pcap_freecode(&lp);
}

START_TEST(test_offline)
{
	const struct pc_file *f = &pc_files[_i];
	char path[] = "/tmp/bpfc-pcap-XXXXXX", where[96], errbuf[PCAP_ERRBUF_SIZE];
	struct pktgen_set set;
	struct pc_run r;
	pcap_t *p;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	pktgen_set_init(&set, f->dlt);
	ck_assert_int_eq(pktgen_generate(&set, f->dlt, pc_seed ^ 0xf11e,
					 (size_t)(PC_PACKETS * pc_scale()) + 1), 0);
	ck_assert_int_eq(pktgen_write_pcap(path, &set, f->snaplen), 0);
	pktgen_set_free(&set);
	p = pcap_open_offline(path, errbuf);
	ck_assert_msg(p != NULL, "%s", errbuf);
	/* The handle's link type and snapshot length are the file's. */
	ck_assert_int_eq(pcap_datalink(p), f->dlt);
	ck_assert_int_eq(pcap_snapshot(p), (int)f->snaplen);
	memset(&r, 0, sizeof(r));
	snprintf(where, sizeof(where), "savefile %s snaplen %u",
		 pcap_datalink_val_to_name(f->dlt), (unsigned)f->snaplen);
	r.where = where;
	r.pkts = pc_read_file(path, &r.npkts);
	for (size_t k = 0; k < pc_corpus.n; k += 7) /* a seventh: each opens the file twice */
		pc_setfilter_agrees(&r, p, path, pc_corpus.v[k]);
	pc_corpus_on(&r, p, PCAP_NETMASK_UNKNOWN);
	testenv_pool_free((struct testenv_pkt *)r.pkts, r.npkts);
	pcap_close(p);
	unlink(path);
}
END_TEST

/* ---- contract: edge cases against libpcap ------------------------------------- */

static const struct pc_case {
	const char *what;
	int dlt, snaplen;
	const char *expr; /* NULL is passed as NULL */
	int optimize;
	bpf_u_int32 netmask;
} pc_cases[] = {
	{"NULL expression", DLT_EN10MB, 262144, NULL, 1, PCAP_NETMASK_UNKNOWN},
	{"NULL expression, unoptimized", DLT_RAW, 96, NULL, 0, PCAP_NETMASK_UNKNOWN},
	{"empty expression", DLT_LINUX_SLL, 1500, "", 1, PCAP_NETMASK_UNKNOWN},
	{"blank expression", DLT_EN10MB, 128, " \t ", 1, PCAP_NETMASK_UNKNOWN},
	{"snaplen 0", DLT_EN10MB, 0, "ip", 1, PCAP_NETMASK_UNKNOWN},
	{"snaplen 0, empty, unoptimized", DLT_EN10MB, 0, "", 0, PCAP_NETMASK_UNKNOWN},
	{"snaplen 0, bad syntax", DLT_RAW, 0, "((", 1, PCAP_NETMASK_UNKNOWN},
	{"negative snaplen", DLT_EN10MB, -5, "ip or arp", 0, PCAP_NETMASK_UNKNOWN},
	{"snaplen INT_MAX", DLT_EN10MB, 0x7fffffff, "udp", 1, PCAP_NETMASK_UNKNOWN},
	{"unknown link type", 12345, 262144, "ip", 1, PCAP_NETMASK_UNKNOWN},
	{"unknown link type, empty", 12345, 262144, "", 1, PCAP_NETMASK_UNKNOWN},
	{"ip broadcast, netmask unknown", DLT_EN10MB, 262144, "ip broadcast", 1,
	 PCAP_NETMASK_UNKNOWN},
	{"ip broadcast, /24", DLT_EN10MB, 262144, "ip broadcast", 1, 0xffffff00u},
	{"ip broadcast, /16, unoptimized", DLT_RAW, 262144, "ip broadcast or tcp", 0, 0xffff0000u},
	{"ip broadcast, /0", DLT_EN10MB, 262144, "ip broadcast", 1, 0},
	{"never matches", DLT_EN10MB, 262144, "tcp and udp", 1, PCAP_NETMASK_UNKNOWN},
	{"never matches, unoptimized", DLT_EN10MB, 262144, "tcp and udp", 0,
	 PCAP_NETMASK_UNKNOWN},
	{"never matches, optimize 2", DLT_EN10MB, 262144, "tcp and udp", 2, PCAP_NETMASK_UNKNOWN},
	{"never matches, optimize -1", DLT_RAW, 262144, "ip and ip6", -1, PCAP_NETMASK_UNKNOWN},
	{"matches, optimize 7", DLT_EN10MB, 262144, "tcp port 80", 7, PCAP_NETMASK_UNKNOWN},
	{"syntax error", DLT_EN10MB, 262144, "tcp port", 1, PCAP_NETMASK_UNKNOWN},
	{"unbalanced", DLT_EN10MB, 262144, ")", 1, PCAP_NETMASK_UNKNOWN},
	{"control byte", DLT_EN10MB, 262144, "ip and \x01", 1, PCAP_NETMASK_UNKNOWN},
	{"not ASCII", DLT_EN10MB, 262144, "port \xc3\xa9", 1, PCAP_NETMASK_UNKNOWN},
	{"two lines", DLT_EN10MB, 262144, "tcp\nand port 80", 1, PCAP_NETMASK_UNKNOWN},
};

START_TEST(test_contract)
{
	const struct pc_case *c = &pc_cases[_i];
	char where[96];
	struct pc_run r;
	enum pc_outcome out;
	pcap_t *p = pcap_open_dead(c->dlt, c->snaplen);

	ck_assert_ptr_nonnull(p);
	memset(&r, 0, sizeof(r));
	snprintf(where, sizeof(where), "%s", c->what);
	r.where = where;
	r.pkts = pc_packets(pktgen_supports(c->dlt) ? c->dlt : DLT_EN10MB, pc_seed, &r.npkts);
	out = pc_compare(&r, p, c->expr, c->optimize, c->netmask);
	printf("contract: %-32s %s%s\n", c->what, out == PC_SAME ? "both compile" :
	       out == PC_REFUSED_BOTH ? "both refuse: " : "DIFFERENT",
	       out == PC_REFUSED_BOTH ? pcap_geterr(p) : "");
	ck_assert_msg(out == PC_SAME || out == PC_REFUSED_BOTH, "%s: outcome %d", c->what, out);
	testenv_pool_free((struct testenv_pkt *)r.pkts, r.npkts);
	pcap_close(p);
}
END_TEST

/* What libpcap cannot be asked (it dereferences the pointers): the
 * documented behaviour is PCAP_ERROR, with a message where there is room. */
START_TEST(test_null_arguments)
{
	struct bpf_program bp = {PC_SENTINEL_LEN, NULL};
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);

	ck_assert_int_eq(bpfc_pcap_compile(NULL, &bp, "ip", 1, 0), PCAP_ERROR);
	ck_assert_uint_eq(bp.bf_len, PC_SENTINEL_LEN);
	pcap_geterr(p)[0] = '\0';
	ck_assert_int_eq(bpfc_pcap_compile(p, NULL, "ip", 1, 0), PCAP_ERROR);
	ck_assert_str_ne(pcap_geterr(p), "");
	printf("NULL fp: %s\n", pcap_geterr(p));
	pcap_close(p);
}
END_TEST

/* A handle from pcap_create, not activated: libpcap refuses it; so must
 * bpfc, with a message and fp untouched. */
START_TEST(test_not_activated)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program lp = {PC_SENTINEL_LEN, NULL}, bp = {PC_SENTINEL_LEN, NULL};
	pcap_t *p = pcap_create("lo", errbuf);

	ck_assert_msg(p != NULL, "pcap_create: %s", errbuf);
	ck_assert_int_eq(pcap_compile(p, &lp, "ip", 1, 0), PCAP_ERROR);
	ck_assert_uint_eq(lp.bf_len, PC_SENTINEL_LEN);
	pcap_geterr(p)[0] = '\0';
	ck_assert_int_eq(bpfc_pcap_compile(p, &bp, "ip", 1, 0), PCAP_ERROR);
	ck_assert_uint_eq(bp.bf_len, PC_SENTINEL_LEN);
	ck_assert_ptr_null(bp.bf_insns);
	ck_assert_str_ne(pcap_geterr(p), "");
	pcap_close(p);
}
END_TEST

/* ---- errors: the position in front of the message ------------------------------- */

/* "column C: " or "columns C-D: " for [at, at + len) of a one-line
 * expression, from the expression's text (not from bpfc's error). */
static void
pc_expected_where(char *out, size_t size, const char *expr, const char *at, size_t len)
{
	const char *ls = at, *nl = strchr(expr, '\n');
	size_t line = 1;
	char lines[32] = "";

	while (ls > expr && ls[-1] != '\n')
		ls--;
	for (const char *q = expr; q < ls; q++)
		line += *q == '\n';
	if (nl != NULL && nl[1] != '\0')
		snprintf(lines, sizeof(lines), "line %zu, ", line);
	if (len > 1)
		snprintf(out, size, "%scolumns %zu-%zu: ", lines, (size_t)(at - ls) + 1,
			 (size_t)(at - ls) + len);
	else
		snprintf(out, size, "%scolumn %zu: ", lines, (size_t)(at - ls) + 1);
}

/* libpcap refuses `expr`; bpfc's message must start with the place of
 * `caret` in it and hold `want`. */
static int
pc_check_error(pcap_t *p, const char *expr, const char *want, const char *caret)
{
	struct bpf_program lp, bp;
	char where[96];
	const char *at = strstr(expr, caret), *msg;

	if (pcap_compile(p, &lp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
		pcap_freecode(&lp);
		printf("FAIL '%s': libpcap compiles it\n", expr);
		return 0;
	}
	if (at == NULL || bpfc_pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) == 0) {
		if (at != NULL)
			pcap_freecode(&bp);
		printf("FAIL '%s': bpfc compiles it, or '%s' is not in it\n", expr, caret);
		return 0;
	}
	msg = pcap_geterr(p);
	pc_expected_where(where, sizeof(where), expr, at, strlen(caret));
	if (strncmp(msg, where, strlen(where)) != 0 || strstr(msg, want) == NULL) {
		printf("FAIL '%s': message '%s', expected '%s' and '%s'\n", expr, msg, where, want);
		return 0;
	}
	return 1;
}

static const struct {
	const char *expr, *want, *caret;
} pc_error_cases[] = {
	{"tcp\nand port 99999", "99999", "99999"},
	{"udp and\n\tport 70000 or tcp", "70000", "70000"},
	{"ip and\n\n  tcp port 99999", "99999", "99999"},
	{"tcp port 99999\n", "99999", "99999"}, /* a final newline: still one line */
};

START_TEST(test_errors)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	struct pc_lines rej = {0};
	size_t ok = 0, n = 0;
	char longexpr[1100];

	ck_assert_ptr_nonnull(p);
	/* EXPR <TAB> a substring of bpfc's message <TAB> the text under the caret */
	ck_assert_int_eq(pc_read_lines("tests/compile/reject.txt", &rej), 0);
	for (size_t k = 0; k < rej.n; k++, n++) {
		char *msg = strchr(rej.v[k], '\t'), *caret = msg ? strchr(msg + 1, '\t') : NULL;
		ck_assert_msg(caret != NULL, "malformed reject.txt line '%s'", rej.v[k]);
		*msg++ = '\0';
		*caret++ = '\0';
		ok += pc_check_error(p, rej.v[k], msg, caret);
	}
	pc_lines_free(&rej);
	for (size_t k = 0; k < sizeof(pc_error_cases) / sizeof(pc_error_cases[0]); k++, n++)
		ok += pc_check_error(p, pc_error_cases[k].expr, pc_error_cases[k].want,
				     pc_error_cases[k].caret);
	printf("errors: %zu of %zu refused by both, with bpfc's message and its place\n", ok, n);
	ck_assert_uint_eq(ok, n);
	ck_assert_uint_gt(n, 10);

	/* A message longer than libpcap's buffer is cut to fit it. */
	memset(longexpr, 0, sizeof(longexpr));
	memcpy(longexpr, "port ", 5);
	memset(longexpr + 5, 'a', 1000);
	struct bpf_program bp;
	ck_assert_int_eq(bpfc_pcap_compile(p, &bp, longexpr, 1, PCAP_NETMASK_UNKNOWN), PCAP_ERROR);
	ck_assert_uint_lt(strlen(pcap_geterr(p)), PCAP_ERRBUF_SIZE);
	ck_assert_uint_gt(strlen(pcap_geterr(p)), 0);
	pcap_close(p);
}
END_TEST

/* ---- long: past the kernel's limit ------------------------------------------------ */

START_TEST(test_long)
{
	/* `ether[K] = V` for 4200 distinct K joined with `or`: no program can
	 * decide them with less than one conditional jump each, so every
	 * correct program is longer than the kernel's 4096 instructions. */
	const size_t terms = 4200;
	char *expr = malloc(terms * 32), path[] = "/tmp/bpfc-pcap-long-XXXXXX";
	size_t len = 0, nl, nb;
	struct bpf_program bp, lp;
	struct bpfc_error err;
	struct pktgen_set set;
	struct pc_run r;
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144), *f;
	int fd = mkstemp(path);

	ck_assert_ptr_nonnull(expr);
	ck_assert_int_ge(fd, 0);
	close(fd);
	for (size_t i = 0; i < terms; i++)
		len += (size_t)sprintf(expr + len, "%sether[%zu] = %zu", i ? " or " : "", i,
				       (i * 37 + 5) & 0xff);
	memset(&r, 0, sizeof(r));
	r.where = "4200 byte tests";
	r.pkts = pc_packets(DLT_EN10MB, pc_seed, &r.npkts);
	ck_assert_int_eq(pc_compare(&r, p, expr, 1, PCAP_NETMASK_UNKNOWN), PC_SAME);
	/* bpfc's own default is the kernel's limit; the drop-in has none. */
	ck_assert_ptr_null(bpfc_compile_opts(expr, len, NULL, NULL, &err));
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_int_eq(bpfc_pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN), 0);
	printf("long: %u instructions, optimized\n", bp.bf_len);
	ck_assert_uint_gt(bp.bf_len, 4096);
	/* pcap_setfilter on a savefile takes it, and passes what libpcap's does. */
	pktgen_set_init(&set, DLT_EN10MB);
	ck_assert_int_eq(pktgen_generate(&set, DLT_EN10MB, pc_seed ^ 0x10, 400), 0);
	ck_assert_int_eq(pktgen_write_pcap(path, &set, 262144), 0);
	pktgen_set_free(&set);
	f = pcap_open_offline(path, (char[PCAP_ERRBUF_SIZE]){0});
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pcap_compile(f, &lp, expr, 0, PCAP_NETMASK_UNKNOWN), 0);
	ck_assert_uint_eq(pc_delivered(path, &lp, &nl), pc_delivered(path, &bp, &nb));
	ck_assert_uint_eq(nl, nb);
	printf("long: pcap_setfilter passes %zu of 400 packets with either program\n", nb);
	ck_assert_uint_gt(nb, 0);
	pcap_freecode(&lp);
	pcap_freecode(&bp);
	pcap_close(f);
	unlink(path);
	testenv_pool_free((struct testenv_pkt *)r.pkts, r.npkts);
	pcap_close(p);
	free(expr);
}
END_TEST

/* ---- live: a capture on lo --------------------------------------------------------- */

static const char *const pc_live_exprs[] = {
	"vlan", "vlan 100 and ip", "ip and not vlan", "ip", "tcp port 80", "udp or arp",
	"ether host 00:00:00:00:00:00", "mpls or icmp", "",
};

/* libpcap's unoptimized program for `expr` on `p`, or NULL insns. */
static struct bpf_program
pc_libpcap(pcap_t *p, const char *expr)
{
	struct bpf_program prog = {0, NULL};

	if (pcap_compile(p, &prog, expr, 0, PCAP_NETMASK_UNKNOWN) != 0)
		prog.bf_insns = NULL;
	return prog;
}

static int
pc_same_program(const struct bpf_program *a, const struct bpf_program *b)
{
	return a->bf_len == b->bf_len &&
	       memcmp(a->bf_insns, b->bf_insns, a->bf_len * sizeof(*a->bf_insns)) == 0;
}

/* One expression on the live handle: 1 as expected, 0 not. */
static int
pc_live_one(struct pc_run *r, pcap_t *live, pcap_t *dead, const char *expr)
{
	struct bpf_program ll = pc_libpcap(live, expr), ld = pc_libpcap(dead, expr), bp;
	int brc = bpfc_pcap_compile(live, &bp, expr, 1, PCAP_NETMASK_UNKNOWN), ok = 1;
	int differ = ll.bf_insns != NULL && ld.bf_insns != NULL && !pc_same_program(&ll, &ld);
	const char *why = differ ? "libpcap's live program differs from its savefile one" : "";

	if (brc != 0) {
		/* Refusing `vlan` on a live capture is right where libpcap reads
		 * the tag from the kernel, and conservative elsewhere. */
		ok = strstr(expr, "vlan") != NULL && strstr(pcap_geterr(live), "vlan") != NULL &&
		     strncmp(pcap_geterr(live), "column", 6) == 0;
		printf("live: '%s' refused: %s (%s)\n", expr, pcap_geterr(live), why);
	} else {
		ok = !differ && ll.bf_insns != NULL && pc_first_difference(r, &ll, &bp) == r->npkts;
		if (ok && pcap_setfilter(live, &bp) != 0) {
			printf("live: '%s': pcap_setfilter: %s\n", expr, pcap_geterr(live));
			ok = 0;
		}
		printf("live: '%s' compiled%s %s\n", expr, ok ? ", agrees, and the kernel takes it" :
		       ": DIFFERENT", why);
		pcap_freecode(&bp);
	}
	if (ll.bf_insns != NULL)
		pcap_freecode(&ll);
	if (ld.bf_insns != NULL)
		pcap_freecode(&ld);
	return ok;
}

START_TEST(test_live)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *live = pcap_create("lo", errbuf), *dead;
	struct pc_run r;
	size_t ok = 0, n = sizeof(pc_live_exprs) / sizeof(pc_live_exprs[0]);

	ck_assert_msg(live != NULL, "pcap_create: %s", errbuf);
	pcap_set_snaplen(live, 65535);
	if (pcap_activate(live) < 0) {
		printf("live: SKIPPED: cannot capture on lo (%s; needs CAP_NET_RAW)\n",
		       pcap_geterr(live));
		pcap_close(live);
		return;
	}
	dead = pcap_open_dead(pcap_datalink(live), pcap_snapshot(live));
	memset(&r, 0, sizeof(r));
	r.where = "live lo";
	r.pkts = pc_packets(pcap_datalink(live), pc_seed, &r.npkts);
	for (size_t k = 0; k < n; k++)
		ok += pc_live_one(&r, live, dead, pc_live_exprs[k]);
	ck_assert_uint_eq(ok, n);
	testenv_pool_free((struct testenv_pkt *)r.pkts, r.npkts);
	pcap_close(dead);
	pcap_close(live);
}
END_TEST

/* ---- threads ------------------------------------------------------------------------ */

struct pc_thread {
	int dlt;
	size_t first;      /* where in the corpus this thread starts */
	struct bpf_program *progs; /* per expression; bf_insns NULL when refused */
};

static void
pc_compile_all(int dlt, size_t first, struct bpf_program *progs)
{
	pcap_t *p = pcap_open_dead(dlt, 262144);

	for (size_t j = 0; j < pc_corpus.n; j++) {
		size_t k = (first + j) % pc_corpus.n;
		if (p == NULL || bpfc_pcap_compile(p, &progs[k], pc_corpus.v[k], 1, 0xffffff00u) != 0)
			progs[k].bf_insns = NULL;
	}
	if (p != NULL)
		pcap_close(p);
}

static void *
pc_thread_main(void *arg)
{
	struct pc_thread *t = arg;

	pc_compile_all(t->dlt, t->first, t->progs);
	return NULL;
}

START_TEST(test_threads)
{
	struct pc_thread th[2] = {{DLT_EN10MB, 0, NULL}, {DLT_RAW, 0, NULL}};
	pthread_t id[2];
	size_t same = 0;

	for (int i = 0; i < 2; i++) {
		th[i].first = (size_t)i * pc_corpus.n / 2;
		th[i].progs = calloc(pc_corpus.n, sizeof(*th[i].progs));
		ck_assert_ptr_nonnull(th[i].progs);
		ck_assert_int_eq(pthread_create(&id[i], NULL, pc_thread_main, &th[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(id[i], NULL);
	for (int i = 0; i < 2; i++) {
		struct bpf_program *one = calloc(pc_corpus.n, sizeof(*one));
		ck_assert_ptr_nonnull(one);
		pc_compile_all(th[i].dlt, 0, one);
		for (size_t k = 0; k < pc_corpus.n; k++) {
			struct bpf_program *a = &th[i].progs[k], *b = &one[k];
			if ((a->bf_insns == NULL && b->bf_insns == NULL) ||
			    (a->bf_insns != NULL && b->bf_insns != NULL && pc_same_program(a, b)))
				same++;
			else
				printf("FAIL threads: '%s' differs on DLT %d\n", pc_corpus.v[k],
				       th[i].dlt);
			if (a->bf_insns != NULL)
				pcap_freecode(a);
			if (b->bf_insns != NULL)
				pcap_freecode(b);
		}
		free(one);
		free(th[i].progs);
	}
	printf("threads: %zu of %zu compilations in two threads identical to one thread's\n",
	       same, 2 * pc_corpus.n);
	ck_assert_uint_eq(same, 2 * pc_corpus.n);
}
END_TEST

/* ---- the suite ------------------------------------------------------------------------ */

static Suite *
pc_suite(void)
{
	Suite *s = suite_create("pcap_compile");
	TCase *tc = tcase_create("pcap_compile");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_corpus, 0, (int)(sizeof(pc_handles) / sizeof(pc_handles[0])));
	tcase_add_loop_test(tc, test_offline, 0, (int)(sizeof(pc_files) / sizeof(pc_files[0])));
	tcase_add_loop_test(tc, test_contract, 0, (int)(sizeof(pc_cases) / sizeof(pc_cases[0])));
	tcase_add_test(tc, test_null_arguments);
	tcase_add_test(tc, test_not_activated);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_long);
	tcase_add_test(tc, test_live);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	/* A failed check ends the forked test at once: keep what it printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	pc_seed = testenv_seed("BPFC_SEED", PC_SEED);
	if (pc_read_lines("tests/exprs/captures.txt", &pc_corpus) < 0 ||
	    pc_read_lines("tests/compile/exprs.txt", &pc_corpus) < 0)
		return 1;
	printf("check_pcap_compile: %zu expressions, seed 0x%" PRIx64
	       " (reproduce: BPFC_SEED=0x%" PRIx64 ")\n", pc_corpus.n, pc_seed, pc_seed);
	fflush(stdout);
	sr = srunner_create(pc_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	pc_lines_free(&pc_corpus);
	return failed ? 1 : 0;
}
