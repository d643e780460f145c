/*
 * diff_captures.c: the interpreter against libpcap on real programs and
 * real (and generated) packets.
 *
 * Takes the expressions in tests/exprs/captures.txt, the packets pktgen
 * makes for every link type it frames, and every capture listed in
 * $BPFC_SHARED/pcaps/MANIFEST.tsv.  For every link type present, every
 * expression is compiled once by libpcap (pcap_compile, optimized and not),
 * loaded into bpfc with bpfc_load_cbpf, and run over every packet of every
 * capture of that link type by bpfc_run and by libpcap's bpf_filter.  The
 * oracle is bpf_filter: the two return values must be equal.  bpfc_run
 * runs the filter's default engine, which must be the JIT wherever
 * jit_available(); the run-target eBPF (EBPF_TARGET_RUN) of the same
 * program must also give bpf_filter's value in ebpf_run and, on a copy of
 * the packet placed against a guard page (a read past caplen faults), in
 * its own jit_compile'd code.
 *
 * Whether bpfc must load a program is the running kernel's verdict
 * (SO_ATTACH_FILTER on a socket, the same rules cbpf/cbpf.h promises), with
 * the one refusal cbpf/cbpf.h adds: Linux magic offsets (SKF_AD_*,
 * SKF_NET_OFF, SKF_LL_OFF), which libpcap emits for `inbound`, `ifindex`,
 * ... on a dead handle and as bogus offsets for a few link types.  libpcap
 * 1.10.3 compiles programs the kernel refuses: `protochain` loops jump
 * backwards (its userland bpf_validate allows that on purpose), and some
 * variable-length link headers read M[0] before any path writes it.  When
 * no kernel verdict can be had, only backward jumps and magic offsets are
 * classified and other refusals are reported as unverified.
 *
 * Exit: 0 pass, 1 any mismatch or wrong load verdict, 77 never (the
 * generated captures always exist).  Scale with BPFC_TEST_SCALE; seed with
 * BPFC_SEED.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bpfc.h"
#include "base/arena.h"
#include "ebpf/ebpf.h"
#include "jit/jit.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/testenv.h"

#if TESTENV_SANITIZED
#define DC_GEN_PACKETS 1500
#else
#define DC_GEN_PACKETS 3000
#endif
#define DC_SEED 0x5eedcafeull
#define DC_MAX_REPORTS 10 /* detailed failure reports; the rest are counted */
#define DC_SNAPLEN 262144

struct dc_capture {
	char *name;       /* path under pcaps/, or "generated" */
	int generated;
	uint64_t seed;
	struct pktgen_set set; /* packets; set.linktype is the DLT */
};

struct dc_run {
	struct dc_capture *caps;
	size_t ncaps, capcap;
	char **exprs;
	unsigned *lineno;
	size_t *expr_mismatches; /* per expression, for the summary */
	size_t *expr_hits;       /* per expression: runs libpcap accepted */
	size_t nexprs;
	const char *exprs_path;
	int sock; /* for the kernel's verdicts; -1 when there is none */
	struct testenv_guard guard; /* packets for the JIT */
	/* totals */
	size_t linktypes, compiled, rejected, runs, accepted, mismatches, bad_loads;
	size_t kernel_refused, backward, magic, unverified;
	size_t reports;
};

/* ---- expressions ---- */

static char *
dc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/* One expression a line; blank lines and lines starting with # skipped. */
static int
dc_read_exprs(struct dc_run *d, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	unsigned no = 0;
	size_t cap = 0;

	if (f == NULL) {
		fprintf(stderr, "diff_captures: cannot open %s: %s (set top_srcdir)\n", path,
			strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e;
		no++;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strcspn(s, "\r\n");
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (d->nexprs == cap) {
			cap = cap ? cap * 2 : 512;
			d->exprs = realloc(d->exprs, cap * sizeof(*d->exprs));
			d->lineno = realloc(d->lineno, cap * sizeof(*d->lineno));
			if (d->exprs == NULL || d->lineno == NULL)
				abort(); /* a test: out of memory ends it */
		}
		d->lineno[d->nexprs] = no;
		if ((d->exprs[d->nexprs++] = dc_strdup(s)) == NULL)
			abort();
	}
	fclose(f);
	d->exprs_path = path;
	d->expr_mismatches = calloc(d->nexprs ? d->nexprs : 1, sizeof(*d->expr_mismatches));
	d->expr_hits = calloc(d->nexprs ? d->nexprs : 1, sizeof(*d->expr_hits));
	if (d->expr_mismatches == NULL || d->expr_hits == NULL)
		abort();
	return 0;
}

/* ---- captures ---- */

static struct dc_capture *
dc_new_capture(struct dc_run *d, const char *name, int dlt)
{
	struct dc_capture *c;

	if (d->ncaps == d->capcap) {
		d->capcap = d->capcap ? d->capcap * 2 : 64;
		d->caps = realloc(d->caps, d->capcap * sizeof(*d->caps));
		if (d->caps == NULL)
			abort();
	}
	c = &d->caps[d->ncaps++];
	memset(c, 0, sizeof(*c));
	if ((c->name = dc_strdup(name)) == NULL)
		abort();
	pktgen_set_init(&c->set, dlt);
	return c;
}

static double
dc_scale(void)
{
	return testenv_scale();
}

static void
dc_add_generated(struct dc_run *d, uint64_t seed)
{
	size_t count = (size_t)(DC_GEN_PACKETS * dc_scale());

	for (int dlt = 0; dlt < 512; dlt++) {
		if (!pktgen_supports(dlt))
			continue;
		struct dc_capture *c = dc_new_capture(d, "generated", dlt);
		c->generated = 1;
		c->seed = seed;
		if (pktgen_generate(&c->set, dlt, seed, count) < 0) {
			fprintf(stderr, "diff_captures: pktgen failed for DLT %d\n", dlt);
			exit(1);
		}
	}
}

/* Copy every packet into its own exact-size buffer, so a read past
 * caplen is a read past the allocation (which ASan reports). */
static int
dc_read_pcap(struct dc_run *d, const char *dir, const char *file)
{
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	p = pcap_open_offline(path, errbuf);
	if (p == NULL) {
		printf("note: skipping %s: %s\n", file, errbuf);
		return -1;
	}
	struct dc_capture *c = dc_new_capture(d, file, pcap_datalink(p));
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		struct pktgen_set *s = &c->set;
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->pkts = realloc(s->pkts, s->cap * sizeof(*s->pkts));
			if (s->pkts == NULL)
				abort();
		}
		struct pktgen_pkt *pk = &s->pkts[s->n++];
		pk->caplen = h->caplen;
		pk->wirelen = h->len;
		pk->data = malloc(h->caplen);
		if (pk->data == NULL && h->caplen > 0)
			abort();
		memcpy(pk->data, data, h->caplen);
	}
	if (rc == -1)
		printf("note: %s: read stopped after %zu packets: %s\n", file, c->set.n,
		       pcap_geterr(p));
	pcap_close(p);
	return 0;
}

struct dc_files {
	struct dc_run *d;
	size_t *skipped;
};

static void
dc_add_file(void *arg, const char *dir, const char *name)
{
	struct dc_files *a = arg;

	if (dc_read_pcap(a->d, dir, name) < 0)
		(*a->skipped)++;
}

/* Every file MANIFEST.tsv lists. */
static void
dc_add_files(struct dc_run *d, size_t *skipped)
{
	const char *shared = getenv("BPFC_SHARED");
	struct dc_files a = {d, skipped};
	char path[2100];

	if (testenv_manifest(path, sizeof(path), dc_add_file, &a) != 0)
		printf("note: %s not found (BPFC_SHARED=%s): generated captures only\n", path,
		       shared != NULL ? shared : "(unset)");
}

/* ---- programs ---- */

/*
 * A reason the kernel refuses a program that libpcap's userland accepts,
 * found statically, or NULL: a backward jump (libpcap's bpf_validate allows
 * them on purpose, for protochain).
 */
static const char *
dc_backward_jump(const struct bpf_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].code == (BPF_JMP | BPF_JA) && p[i].k >= n - i - 1)
			return "backward jump";
	return NULL;
}

/* A packet load at a Linux magic offset (k >= SKF_LL_OFF, as unsigned),
 * which bpfc refuses though the kernel accepts it. */
static int
dc_magic_offset(const struct bpf_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t c = p[i].code, mode = c & 0xe0;
		if ((c & 0x07) <= BPF_LDX &&
		    (mode == BPF_ABS || mode == BPF_IND || mode == BPF_MSH) &&
		    p[i].k >= 0xffe00000u)
			return 1;
	}
	return 0;
}

/* struct sock_fprog, without <linux/filter.h> (whose BPF_* macros would
 * collide with pcap/bpf.h's). */
struct dc_sock_fprog {
	unsigned short len;
	const struct bpf_insn *filter;
};

/* The running kernel's verdict on a program: 1 accepts, 0 refuses, -1 no
 * verdict (no socket). */
static int
dc_kernel_accepts(int sock, const struct bpf_program *prog)
{
	struct dc_sock_fprog fp = {(unsigned short)prog->bf_len, prog->bf_insns};

	if (sock < 0)
		return -1;
	if (prog->bf_len > 0xffff)
		return 0;
	return setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) == 0;
}

/* A socket the kernel will judge filters on, if it accepts `ret #1`. */
static int
dc_kernel_socket(void)
{
	static const struct bpf_insn ok[] = {{BPF_RET | BPF_K, 0, 0, 1}};
	struct bpf_program prog = {1, (struct bpf_insn *)ok};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s >= 0 && dc_kernel_accepts(s, &prog) != 1) {
		close(s);
		s = -1;
	}
	if (s < 0)
		printf("note: the kernel gives no filter verdicts here (SO_ATTACH_FILTER "
		       "failed): only backward jumps and magic offsets are classified\n");
	return s;
}

static void
dc_to_bpfc(const struct bpf_program *prog, struct bpfc_insn *out)
{
	testenv_insns_from_pcap(prog->bf_insns, prog->bf_len, out);
}

/* bpfc's listing; the raw instructions when it has none to give. */
static void
dc_print_listing(const struct bpfc_insn *p, size_t n)
{
	char *s = bpfc_listing(p, n, BPFC_LISTING_D);

	if (s != NULL && s[0] != '\0') {
		fputs(s, stdout);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("  { 0x%02x, %u, %u, 0x%08" PRIx32 " },\n", p[i].code, p[i].jt,
			       p[i].jf, p[i].k);
	}
	free(s);
}

static void
dc_print_packet(const struct pktgen_pkt *pk)
{
	printf("  packet: caplen %" PRIu32 " wirelen %" PRIu32 "\n ", pk->caplen, pk->wirelen);
	for (uint32_t i = 0; i < pk->caplen && i < 128; i++)
		printf("%s%02x", i % 16 == 0 && i ? "\n  " : " ", pk->data[i]);
	printf("%s\n", pk->caplen > 128 ? " ..." : "");
}

struct dc_prog {
	int dlt, optimize;
	size_t expr;
	const struct bpf_program *pcap;
	const struct bpfc_insn *insns;
};

static void
dc_report_mismatch(struct dc_run *d, const struct dc_prog *pr, const struct dc_capture *c,
		   size_t idx, const char *engine, uint32_t got, uint32_t want)
{
	printf("MISMATCH: DLT %d, %s", pr->dlt, c->name);
	if (c->generated)
		printf(" (seed 0x%" PRIx64 "; reproduce: bpfc-pktgen -y %d -s 0x%" PRIx64
		       " -n %zu -o x.pcap)",
		       c->seed, pr->dlt, c->seed, c->set.n);
	printf(", packet %zu, expression \"%s\" (%s:%u), optimize %d\n", idx, d->exprs[pr->expr],
	       d->exprs_path, d->lineno[pr->expr], pr->optimize);
	printf("  %s %" PRIu32 ", bpf_filter %" PRIu32 "\n", engine, got, want);
	dc_print_packet(&c->set.pkts[idx]);
	dc_print_listing(pr->insns, pr->pcap->bf_len);
}

static void dc_report_load(struct dc_run *d, const struct dc_prog *pr, const char *what,
			   const char *detail);

/* The run-target program of f and its JIT code (NULL without a JIT);
 * -1 when either is refused (counted as a wrong load verdict). */
static int
dc_run_target(struct dc_run *d, const struct dc_prog *pr, const struct bpfc_filter *f,
	      struct arena *a, struct ebpf_prog *run, struct jit_code **jit)
{
	struct bpfc_error err = {.code = BPFC_OK};
	const struct bpfc_insn *cb;
	size_t n = bpfc_cbpf(f, &cb);

	*jit = NULL;
	if (ebpf_from_cbpf(a, cb, n, EBPF_TARGET_RUN, 0, run, &err) != 0 ||
	    (jit_available() && (*jit = jit_compile(run, &err)) == NULL)) {
		dc_report_load(d, pr, "no run-target program or JIT code: ", err.msg);
		return -1;
	}
	if (jit_available() && bpfc_get_engine(f) != BPFC_ENGINE_JIT) {
		dc_report_load(d, pr, "the filter does not start on the JIT", "");
		return -1;
	}
	return 0;
}

/* One engine's value against bpf_filter's. */
static void
dc_compare(struct dc_run *d, const struct dc_prog *pr, const struct dc_capture *c, size_t i,
	   const char *engine, uint32_t got, uint32_t want)
{
	if (got == want)
		return;
	d->mismatches++;
	d->expr_mismatches[pr->expr]++;
	if (d->reports++ < DC_MAX_REPORTS)
		dc_report_mismatch(d, pr, c, i, engine, got, want);
}

/* Run every packet of every capture of the program's link type. */
static void
dc_run_program(struct dc_run *d, const struct dc_prog *pr, const struct bpfc_filter *f)
{
	struct arena a;
	struct ebpf_prog run;
	struct jit_code *jit;

	arena_init(&a);
	if (dc_run_target(d, pr, f, &a, &run, &jit) != 0) {
		arena_release(&a);
		return;
	}
	for (size_t ci = 0; ci < d->ncaps; ci++) {
		const struct dc_capture *c = &d->caps[ci];
		if (c->set.linktype != pr->dlt)
			continue;
		for (size_t i = 0; i < c->set.n; i++) {
			const struct pktgen_pkt *pk = &c->set.pkts[i];
			uint32_t got = bpfc_run(f, pk->data, pk->wirelen, pk->caplen);
			uint32_t want = bpf_filter(pr->pcap->bf_insns, pk->data, pk->wirelen,
						   pk->caplen);
			d->runs++;
			d->accepted += want != 0;
			d->expr_hits[pr->expr] += want != 0;
			dc_compare(d, pr, c, i, "bpfc_run", got, want);
			dc_compare(d, pr, c, i, "ebpf_run (run target)",
				   (uint32_t)ebpf_run(&run, pk->data, pk->wirelen, pk->caplen), want);
			if (jit != NULL && pk->caplen <= d->guard.room) {
				const uint8_t *g = testenv_guard_put(&d->guard, pk->data, pk->caplen);
				dc_compare(d, pr, c, i, "JIT", jit_entry(jit)(g, pk->wirelen, pk->caplen),
					   want);
			}
		}
	}
	jit_free(jit);
	arena_release(&a);
}

static void
dc_report_load(struct dc_run *d, const struct dc_prog *pr, const char *what,
	       const char *detail)
{
	d->bad_loads++;
	if (d->reports++ >= DC_MAX_REPORTS)
		return;
	printf("LOAD: DLT %d, expression \"%s\" (%s:%u), optimize %d: %s%s\n", pr->dlt,
	       d->exprs[pr->expr], d->exprs_path, d->lineno[pr->expr], pr->optimize, what,
	       detail);
	dc_print_listing(pr->insns, pr->pcap->bf_len);
}

/*
 * Whether bpfc must refuse the program: 1 must, 0 must not, -1 cannot tell
 * (no kernel verdict and nothing found statically).  Counts the reasons.
 */
static int
dc_must_refuse(struct dc_run *d, const struct dc_prog *pr)
{
	const struct bpf_insn *p = pr->pcap->bf_insns;
	size_t n = pr->pcap->bf_len;
	int kernel = dc_kernel_accepts(d->sock, pr->pcap);
	int backward = dc_backward_jump(p, n) != NULL, magic = dc_magic_offset(p, n);

	if (kernel == 1 && backward) {
		printf("note: the kernel accepted a backward jump?\n");
		kernel = 0;
	}
	d->backward += backward;
	d->magic += magic && !backward;
	if (kernel == 0 || backward) {
		d->kernel_refused++;
		return 1;
	}
	if (magic)
		return 1;
	return kernel == 1 ? 0 : -1;
}

/* Load one libpcap-compiled program into bpfc and check the verdict;
 * run it when loaded. */
static void
dc_check_program(struct dc_run *d, struct dc_prog *pr)
{
	size_t n = pr->pcap->bf_len;
	struct bpfc_insn *insns = malloc((n ? n : 1) * sizeof(*insns));
	char errbuf[BPFC_ERRBUF_SIZE] = "";
	struct bpfc_filter *f;
	int refuse;

	if (insns == NULL)
		abort();
	dc_to_bpfc(pr->pcap, insns);
	pr->insns = insns;
	refuse = dc_must_refuse(d, pr);
	f = bpfc_load_cbpf(insns, n, errbuf);
	if (f == NULL && refuse == 0)
		dc_report_load(d, pr, "bpfc refused a program the kernel accepts: ", errbuf);
	else if (f != NULL && refuse == 1)
		dc_report_load(d, pr, "bpfc accepted a program the kernel refuses or that has "
				      "a Linux magic offset", "");
	else if (f == NULL && refuse < 0)
		d->unverified++;
	if (f != NULL && refuse != 1)
		dc_run_program(d, pr, f);
	bpfc_free(f);
	free(insns);
}

/* Every expression, optimized and not, for one link type. */
static void
dc_linktype(struct dc_run *d, int dlt)
{
	pcap_t *p = pcap_open_dead(dlt, DC_SNAPLEN);

	if (p == NULL) {
		printf("note: pcap_open_dead(%d) failed\n", dlt);
		return;
	}
	for (size_t e = 0; e < d->nexprs; e++) {
		for (int opt = 1; opt >= 0; opt--) {
			struct bpf_program prog;
			struct dc_prog pr = {.dlt = dlt, .optimize = opt, .expr = e, .pcap = &prog};
			if (pcap_compile(p, &prog, d->exprs[e], opt, PCAP_NETMASK_UNKNOWN) < 0) {
				d->rejected++;
				continue;
			}
			d->compiled++;
			dc_check_program(d, &pr);
			pcap_freecode(&prog);
		}
	}
	pcap_close(p);
}

static int
dc_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Each distinct DLT among the captures, in increasing order. */
static void
dc_all_linktypes(struct dc_run *d)
{
	int *dlts = malloc((d->ncaps ? d->ncaps : 1) * sizeof(*dlts));
	size_t n = 0;

	if (dlts == NULL)
		abort();
	for (size_t i = 0; i < d->ncaps; i++)
		dlts[n++] = d->caps[i].set.linktype;
	qsort(dlts, n, sizeof(*dlts), dc_cmp_int);
	printf("link types (DLT):");
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && dlts[i] == dlts[i - 1])
			continue;
		printf(" %d", dlts[i]);
		fflush(stdout);
		d->linktypes++;
		dc_linktype(d, dlts[i]);
	}
	printf("\n");
	free(dlts);
}

static void
dc_free(struct dc_run *d)
{
	for (size_t i = 0; i < d->ncaps; i++) {
		free(d->caps[i].name);
		pktgen_set_free(&d->caps[i].set);
	}
	for (size_t i = 0; i < d->nexprs; i++)
		free(d->exprs[i]);
	free(d->caps);
	free(d->exprs);
	free(d->lineno);
	free(d->expr_mismatches);
	free(d->expr_hits);
}

/* Which expressions mismatched, and how often; which matched nothing (a
 * hint that the corpus does not exercise them). */
static void
dc_print_summary(const struct dc_run *d)
{
	size_t shown = 0, idle = 0;

	for (size_t e = 0; e < d->nexprs; e++)
		idle += d->expr_hits[e] == 0;
	if (idle > 0) {
		printf("expressions no packet matched: %zu\n ", idle);
		for (size_t e = 0; e < d->nexprs; e++)
			if (d->expr_hits[e] == 0)
				printf(" [%s]", d->exprs[e]);
		printf("\n");
	}

	for (size_t e = 0; e < d->nexprs; e++) {
		if (d->expr_mismatches[e] == 0)
			continue;
		if (shown++ == 0)
			printf("mismatches by expression:\n");
		if (shown <= 40)
			printf("  %8zu  %s:%u: %s\n", d->expr_mismatches[e], d->exprs_path,
			       d->lineno[e], d->exprs[e]);
	}
	if (shown > 40)
		printf("  ... and %zu more expressions\n", shown - 40);
}

int
main(int argc, char **argv)
{
	struct dc_run d = {0};
	const char *top = getenv("top_srcdir");
	uint64_t seed = testenv_seed("BPFC_SEED", DC_SEED);
	char path[4096];
	size_t skipped = 0, packets = 0;
	struct timespec t0, t1;
	int fail;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	snprintf(path, sizeof(path), "%s/tests/exprs/captures.txt", top != NULL ? top : ".");
	if (dc_read_exprs(&d, argc > 1 ? argv[1] : path) < 0)
		return 1;
	d.sock = dc_kernel_socket();
	if (testenv_guard_init(&d.guard, DC_SNAPLEN) != 0) {
		fprintf(stderr, "diff_captures: no guard page: %s\n", strerror(errno));
		return 1;
	}
	dc_add_generated(&d, seed);
	dc_add_files(&d, &skipped);
	for (size_t i = 0; i < d.ncaps; i++)
		packets += d.caps[i].set.n;
	dc_all_linktypes(&d);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	fail = d.mismatches != 0 || d.bad_loads != 0;
	dc_print_summary(&d);
	printf("diff_captures: seed 0x%" PRIx64 " (BPFC_SEED), scale %g (BPFC_TEST_SCALE)\n",
	       seed, dc_scale());
	printf("  captures:            %zu (%zu files could not be opened), %zu packets\n",
	       d.ncaps, skipped, packets);
	printf("  link types:          %zu\n", d.linktypes);
	printf("  expressions:         %zu\n", d.nexprs);
	printf("  programs compiled:   %zu\n", d.compiled);
	printf("  libpcap rejected:    %zu (expression, link type, optimize) triples\n",
	       d.rejected);
	printf("  kernel refuses:      %zu (%zu with backward jumps); bpfc must refuse them\n",
	       d.kernel_refused, d.backward);
	printf("  magic offsets:       %zu more (SKF_AD/NET/LL loads); bpfc must refuse them\n",
	       d.magic);
	if (d.sock < 0)
		printf("  unverified refusals: %zu (no kernel verdict to check them against)\n",
		       d.unverified);
	printf("  wrong load verdicts: %zu\n", d.bad_loads);
	printf("  packet runs:         %zu (%zu accepted by libpcap)\n", d.runs, d.accepted);
	printf("  mismatches:          %zu\n", d.mismatches);
	printf("  time:                %.1f s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("%s\n", fail ? "FAIL" : "PASS");
	if (d.sock >= 0)
		close(d.sock);
	dc_free(&d);
	testenv_guard_free(&d.guard);
	return fail ? 1 : 0;
}
