/*
 * bench-compile.c: the filter compiler's benchmark, bpfc against libpcap
 * in one run (issue #3's performance section).
 *
 * Takes: options (--help), the corpus under the source tree, the shared
 * captures ($BPFC_SHARED/pcaps).  Gives: readable tables on stdout and,
 * with --tsv, the same figures one row each:
 *   1-3. program sizes, instructions executed per packet and witnesses
 *        over the corpus (bench/sizes.h);
 *   4.   compile time, size and executed instructions on long `or`
 *        chains (bench/ctime.h).
 * It measures and reports; it asserts nothing about speed.  Exit 0 when
 * it ran, 1 when it could not (no corpus, out of memory), 2 on bad usage.
 */
#include <config.h>

#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/ctime.h"
#include "bench/sizes.h"
#include "bpfc.h"

#ifndef BENCH_SRCDIR
#define BENCH_SRCDIR "."
#endif
#ifndef BENCH_SHARED
#define BENCH_SHARED "../shared"
#endif
#define BENCH_SEED 0xbe9c5eedull

struct bench_opts {
	struct sizes_opts sz;
	struct ctime_opts ct;
	int quick, all, parts; /* parts: bit 0 the corpus, bit 1 compile time */
	size_t explore;        /* 0: the default */
	const char *tsv;
};

static void
bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: bench-compile [OPTION]...\n"
		"Measure bpfc's filter compiler against libpcap's in one run.\n\n"
		"  --quick              smaller packet set and sets (a CI smoke run)\n"
		"  --libpcap-timeout=S  kill a libpcap compile after S seconds (default 10;\n"
		"                       2 with --quick)\n"
		"  --bpfc-timeout=S     the same for bpfc (default 60)\n"
		"  --seed=N             seed of the generated packets and sets (default %#llx)\n"
		"  --dlt=N              link type of the corpus part (default 1, EN10MB)\n"
		"  --reps=N             runs per compile-time median (default 5; 3 with --quick)\n"
		"  --only=corpus|time   run one part only\n"
		"  --explore=N          packets the witness search may build per expression\n"
		"                       (default 4000; 1000 with --quick)\n"
		"  --all                list every expression of the corpus\n"
		"  --tsv=FILE           also write every figure as TSV to FILE\n"
		"  --srcdir=DIR         source tree holding tests/ (default $top_srcdir, else\n"
		"                       the configured one); captures come from\n"
		"                       $BPFC_SHARED/pcaps (default: the configured one)\n"
		"  --help               this text\n",
		(unsigned long long)BENCH_SEED);
}

static void
bench_defaults(struct bench_opts *b)
{
	const char *src = getenv("top_srcdir");

	memset(b, 0, sizeof(*b));
	b->parts = 3;
	b->sz.srcdir = src != NULL ? src : BENCH_SRCDIR;
	b->sz.dlt = DLT_EN10MB;
	b->sz.seed = b->ct.seed = BENCH_SEED;
	b->sz.netmask = 0xffffff00u;
	b->ct.pcap_timeout = -1;
	b->ct.bpfc_timeout = 60;
}

/* Sizes that depend on --quick, unless given. */
static void
bench_scale(struct bench_opts *b)
{
	b->sz.gen = b->quick ? 1000 : 4000;
	b->sz.maxfile = b->quick ? 4000 : 1000000;
	b->sz.wit.seeds = b->quick ? 32 : 64;
	b->sz.wit.explore = b->explore ? b->explore : b->quick ? 1000 : 4000;
	b->ct.quick = b->quick;
	if (b->ct.reps == 0)
		b->ct.reps = b->quick ? 3 : 5;
	if (b->ct.pcap_timeout < 0)
		b->ct.pcap_timeout = b->quick ? 2 : 10;
}

static int
bench_number(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(v > 0))
		return -1;
	*out = v;
	return 0;
}

static int
bench_parse(struct bench_opts *b, int argc, char **argv)
{
	static const struct option lo[] = {
		{"quick", no_argument, NULL, 'q'},       {"libpcap-timeout", required_argument, NULL, 't'},
		{"bpfc-timeout", required_argument, NULL, 'b'}, {"seed", required_argument, NULL, 's'},
		{"dlt", required_argument, NULL, 'd'},   {"reps", required_argument, NULL, 'r'},
		{"only", required_argument, NULL, 'o'},  {"all", no_argument, NULL, 'a'},
		{"tsv", required_argument, NULL, 'T'},   {"srcdir", required_argument, NULL, 'S'},
		{"explore", required_argument, NULL, 'x'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	double v;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'q': b->quick = 1; break;
		case 't': if (bench_number(optarg, &b->ct.pcap_timeout) != 0) return -1; break;
		case 'b': if (bench_number(optarg, &b->ct.bpfc_timeout) != 0) return -1; break;
		case 's': b->sz.seed = b->ct.seed = strtoull(optarg, NULL, 0); break;
		case 'd': b->sz.dlt = atoi(optarg); break;
		case 'r':
			if (bench_number(optarg, &v) != 0 || v > LIMIT_MAXREPS)
				return -1;
			b->ct.reps = (unsigned)v;
			break;
		case 'o':
			if (strcmp(optarg, "corpus") != 0 && strcmp(optarg, "time") != 0)
				return -1;
			b->parts = optarg[0] == 'c' ? 1 : 2;
			break;
		case 'x':
			if (bench_number(optarg, &v) != 0)
				return -1;
			b->explore = (size_t)v;
			break;
		case 'a': b->all = 1; break;
		case 'T': b->tsv = optarg; break;
		case 'S': b->sz.srcdir = optarg; break;
		case 'h': bench_usage(stdout); exit(0);
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static int
bench_corpus(const struct bench_opts *b, FILE *tsv)
{
	struct sizes_report r;
	char err[512];

	if (sizes_run(&b->sz, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-compile: %s\n", err);
		sizes_free(&r);
		return -1;
	}
	sizes_print(stdout, &r, &b->sz, b->all);
	if (tsv != NULL)
		sizes_tsv(tsv, &r);
	sizes_free(&r);
	return 0;
}

static int
bench_time(const struct bench_opts *b, FILE *tsv)
{
	struct ctime_report r;
	char err[512];

	if (ctime_run(&b->ct, &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench-compile: %s\n", err);
		ctime_free(&r);
		return -1;
	}
	ctime_print(stdout, &r, &b->ct);
	if (tsv != NULL)
		ctime_tsv(tsv, &r);
	ctime_free(&r);
	return 0;
}

int
main(int argc, char **argv)
{
	struct bench_opts b;
	FILE *tsv = NULL;
	int bad = 0;

	bench_defaults(&b);
	/* The captures: $BPFC_SHARED as the test harness sets it, else the
	 * directory configure chose. */
	setenv("BPFC_SHARED", BENCH_SHARED, 0);
	if (bench_parse(&b, argc, argv) != 0) {
		bench_usage(stderr);
		return 2;
	}
	bench_scale(&b);
	if (isatty(STDERR_FILENO))
		b.sz.progress = b.ct.progress = stderr;
	if (b.tsv != NULL && (tsv = fopen(b.tsv, "w")) == NULL) {
		perror(b.tsv);
		return 1;
	}
	printf("bench-compile: bpfc %s against %s; seed %#llx%s\n\n", bpfc_version(),
	       pcap_lib_version(), (unsigned long long)b.sz.seed, b.quick ? "; --quick" : "");
	fflush(stdout);
	if (b.parts & 1)
		bad |= bench_corpus(&b, tsv) != 0;
	if (b.parts & 2) {
		if (b.parts & 1)
			printf("\n");
		fflush(stdout);
		bad |= bench_time(&b, tsv) != 0;
	}
	if (tsv != NULL && fclose(tsv) != 0) {
		perror(b.tsv);
		bad = 1;
	}
	return bad ? 1 : 0;
}
