/*
 * bench-run.c: the run-time benchmark (issue #5): ns/packet of libpcap's
 * bpf_filter, bpfc's three engines through bpfc_run and DPDK's rte_bpf
 * JIT, on the same packets in memory, for a set of typical filters.
 *
 * Takes: options (--help).  Gives: a table on stdout (bench/rtime.h says
 * what is measured and how each engine is checked first) and, with
 * --tsv, the same figures as TSV.  It reports and asserts nothing about
 * speed; a wrong verdict is reported and leaves its cell empty.  Exit 0
 * when it ran and bpfc's engines agreed with libpcap on every packet
 * (another engine's wrong verdicts are reported, not failed), 1 when
 * one of bpfc's disagreed or crashed or something failed (out of
 * memory), 2 on bad usage.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/rtime.h"
#include "bpfc.h"
#include "tests/gen/testenv.h"
#ifdef HAVE_DPDK
#include "bench/rtdpdk.h"
#endif

#define BR_SEED 0xbe9c5eedull
#define BR_MAXFILTERS 256
#define BR_HOSTS 100

struct br_filter {
	const char *label, *expr;
	int baseline;
};

/* The typical filters; the 100-host set is made by br_hosts. */
static const struct br_filter br_default[] = {
	{"tcp port 80", "tcp port 80", 0},
	{"host 10.1.2.3", "host 10.1.2.3", 0},
	{"udp and dst port 53", "udp and dst port 53", 0},
	{"ip and tcp[13] & 2 != 0", "ip and tcp[13] & 2 != 0", 0},
	{"net 10.0.0.0/8 and not port 22", "net 10.0.0.0/8 and not port 22", 0},
	{"vlan and tcp", "vlan and tcp", 0},
	{"ip6 and tcp", "ip6 and tcp", 0},
	{"port 80 or port 443 or port 8080", "port 80 or port 443 or port 8080", 0},
	{NULL, NULL, 0}, /* the host set goes here */
	{"(baseline) accept all: ''", "", 1},
};

struct br_opts {
	struct rt_opts rt;
	size_t packets;
	uint32_t snap;
	uint64_t seed;
	int quick, no_dpdk;
	const char *tsv;
	struct br_filter filters[BR_MAXFILTERS];
	size_t nfilters;
	char *file_text; /* --filters=FILE's contents, owned */
	char hosts[BR_HOSTS * 24]; /* the host set's expression */
};

static void
br_usage(FILE *f)
{
	fprintf(f,
		"Usage: bench-run [OPTION]...\n"
		"Time filters per packet: libpcap's bpf_filter, bpfc_run on the cBPF\n"
		"interpreter, the eBPF interpreter and the JIT, and DPDK's rte_bpf JIT,\n"
		"on the same generated packets in memory.  Every engine is checked\n"
		"against libpcap on every packet before it is timed.\n\n"
		"  --quick          few packets and passes (a CI smoke run)\n"
		"  --packets=N      packets in the set (default 4096, about 1 MB: in cache)\n"
		"  --snap=N         cut every capture at N bytes (default: as generated)\n"
		"  --seed=N         seed of the packets (default %#llx)\n"
		"  --reps=N         timed passes per engine and filter, the median is\n"
		"                   reported (default 31; 3 with --quick)\n"
		"  --cpu=N          pin to CPU N (default: the last allowed; -1: no pinning)\n"
		"  --filter=EXPR    measure EXPR (repeatable; replaces the default set)\n"
		"  --filters=FILE   measure each line of FILE (# starts a comment)\n"
		"  --engines=LIST   comma-separated subset of libpcap,cbpf,ebpf,jit,dpdk\n"
		"  --no-dpdk        leave DPDK out (it initialises DPDK's EAL)\n"
		"  --tsv=FILE       also write the figures as TSV to FILE\n"
		"  --help           this text\n",
		(unsigned long long)BR_SEED);
}

static int
br_number(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 0);
	return *s == '\0' || *end != '\0' || errno != 0 || *out < min || *out > max ? -1 : 0;
}

static int
br_engines(const char *list, unsigned *mask)
{
	char buf[128], *tok, *save = NULL;

	if (strlen(list) >= sizeof(buf))
		return -1;
	strcpy(buf, list);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		int e;

		for (e = 0; e < RT_NENGINES && strcmp(tok, rt_engine_name[e]) != 0; e++)
			;
		if (e == RT_NENGINES)
			return -1;
		*mask |= 1u << e;
	}
	return *mask != 0 ? 0 : -1;
}

static int
br_add(struct br_opts *b, const char *expr)
{
	if (b->nfilters == BR_MAXFILTERS) {
		fprintf(stderr, "bench-run: more than %d filters\n", BR_MAXFILTERS);
		return -1;
	}
	b->filters[b->nfilters++] = (struct br_filter){expr, expr, 0};
	return 0;
}

/* Each non-empty line of `path` that does not start with '#'. */
static int
br_read_filters(struct br_opts *b, const char *path)
{
	FILE *f = fopen(path, "r");
	long size;
	char *line, *save = NULL;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "bench-run: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	free(b->file_text);
	b->file_text = calloc(1, (size_t)size + 1);
	if (b->file_text == NULL || fread(b->file_text, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "bench-run: cannot read %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	for (line = strtok_r(b->file_text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#' && br_add(b, line) < 0)
			return -1;
	return 0;
}

static int
br_option(struct br_opts *b, int c, const char *arg)
{
	long long v;

	switch (c) {
	case 'q': b->quick = 1; return 0;
	case 'n':
		if (br_number(arg, 1, 100000000, &v) < 0)
			return -1;
		b->packets = (size_t)v;
		return 0;
	case 'S':
		if (br_number(arg, 1, 262144, &v) < 0)
			return -1;
		b->snap = (uint32_t)v;
		return 0;
	case 's': b->seed = strtoull(arg, NULL, 0); return 0;
	case 'r':
		if (br_number(arg, 1, 100000, &v) < 0)
			return -1;
		b->rt.reps = (unsigned)v;
		return 0;
	case 'c':
		if (br_number(arg, -1, CPU_SETSIZE - 1, &v) < 0)
			return -1;
		b->rt.cpu = (int)v;
		return 0;
	case 'f': return br_add(b, arg) < 0 ? -1 : 0;
	case 'F': return br_read_filters(b, arg);
	case 'e': return br_engines(arg, &b->rt.engines);
	case 'D': b->no_dpdk = 1; return 0;
	case 'T': b->tsv = arg; return 0;
	default: return -1;
	}
}

static int
br_parse(struct br_opts *b, int argc, char **argv)
{
	static const struct option lo[] = {
		{"quick", no_argument, NULL, 'q'},        {"packets", required_argument, NULL, 'n'},
		{"snap", required_argument, NULL, 'S'},   {"seed", required_argument, NULL, 's'},
		{"reps", required_argument, NULL, 'r'},   {"cpu", required_argument, NULL, 'c'},
		{"filter", required_argument, NULL, 'f'}, {"filters", required_argument, NULL, 'F'},
		{"engines", required_argument, NULL, 'e'}, {"no-dpdk", no_argument, NULL, 'D'},
		{"tsv", required_argument, NULL, 'T'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c, li = 0;

	while ((c = getopt_long(argc, argv, "", lo, &li)) != -1) {
		if (c == 'h') {
			br_usage(stdout);
			exit(0);
		}
		if (c == '?')
			return -1;
		if (br_option(b, c, optarg) < 0) {
			fprintf(stderr, "bench-run: bad value for --%s: '%s'\n", lo[li].name,
				optarg != NULL ? optarg : "");
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bench-run: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* "host 10.0.0.1 or host 10.0.0.2 or ..." with BR_HOSTS addresses, in
 * `buf`. */
static void
br_hosts(char *buf, size_t len)
{
	size_t off = 0;

	for (int i = 1; i <= BR_HOSTS && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%shost 10.0.%d.%d",
					i > 1 ? " or " : "", i / 250, i % 250);
}

/* The default set, unless filters were given. */
static void
br_defaults(struct br_opts *b)
{
	if (b->nfilters > 0)
		return;
	br_hosts(b->hosts, sizeof(b->hosts));
	for (size_t i = 0; i < sizeof(br_default) / sizeof(br_default[0]); i++) {
		b->filters[b->nfilters] = br_default[i];
		if (br_default[i].expr == NULL)
			b->filters[b->nfilters] =
				(struct br_filter){"100 hosts: host 10.0.0.1 or ...", b->hosts, 0};
		b->nfilters++;
	}
}

/* Pin to b->rt.cpu, or to the last CPU allowed when it is -2 (the
 * default); the CPU pinned to, or -1. */
static int
br_pin(int want)
{
	cpu_set_t set;

	if (want == -1)
		return -1;
	CPU_ZERO(&set);
	if (want < 0) {
		if (sched_getaffinity(0, sizeof(set), &set) != 0)
			return -1;
		for (want = CPU_SETSIZE - 1; want >= 0 && !CPU_ISSET(want, &set); want--)
			;
		if (want < 0)
			return -1;
		CPU_ZERO(&set);
	}
	CPU_SET(want, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		fprintf(stderr, "bench-run: cannot pin to CPU %d: %s (not pinned)\n", want,
			strerror(errno));
		return -1;
	}
	return want;
}

/* DPDK's column: the EAL and the mbufs, or NULL with the reason in
 * `note`. */
static struct rt_dpdk *
br_dpdk(const struct br_opts *b, const struct rt_pkts *p, char *note, size_t len)
{
	struct rt_dpdk *d = NULL;

	if (b->no_dpdk || !(b->rt.engines & 1u << RT_DPDK)) {
		snprintf(note, len, "left out (--no-dpdk or --engines)");
		return NULL;
	}
#ifdef HAVE_DPDK
	if (TESTENV_SANITIZED) {
		/* DPDK's JIT crashes on some programs: in the checking child
		 * that is a result, but a sanitizer would report it as ours */
		snprintf(note, len, "left out in sanitizer builds");
		return NULL;
	}
	d = rt_dpdk_open(p, b->rt.cpu, note, len);
#else
	(void)p;
	snprintf(note, len, "not built: configure did not find libdpdk (pkg-config libdpdk)");
#endif
	return d;
}

static void
br_header(FILE *f, const struct br_opts *b, const struct rt_pkts *p)
{
	size_t trunc = 0;

	for (size_t i = 0; i < p->n; i++)
		trunc += p->v[i].caplen < p->v[i].wirelen;
	fprintf(f, "== run time per packet: libpcap bpf_filter, bpfc_run (cbpf, ebpf, jit), "
		   "DPDK rte_bpf JIT\n");
	fprintf(f, "%zu pktgen Ethernet frames (seed %#llx%s), %.1f captured bytes each on "
		   "average, %zu truncated; ",
		p->n, (unsigned long long)b->seed, b->snap ? ", cut" : "",
		p->n ? (double)p->bytes / (double)p->n : 0.0, trunc);
	if (b->rt.cpu >= 0)
		fprintf(f, "pinned to CPU %d\n", b->rt.cpu);
	else
		fprintf(f, "not pinned\n");
}

static int
br_run(struct br_opts *b, const struct rt_pkts *p, struct rt_row *rows)
{
	char note[256] = "";
	struct rt_dpdk *d = br_dpdk(b, p, note, sizeof(note));
	FILE *tsv = NULL;
	int rc = 0;

	for (size_t i = 0; i < b->nfilters && rc == 0; i++) {
		rows[i].label = b->filters[i].label;
		rows[i].expr = b->filters[i].expr;
		rows[i].baseline = b->filters[i].baseline;
		if (rt_measure(&rows[i], p, &b->rt, d) < 0) {
			fprintf(stderr, "bench-run: out of memory\n");
			rc = 1;
		}
	}
#ifdef HAVE_DPDK
	rt_dpdk_close(d);
#endif
	if (rc != 0)
		return rc;
	br_header(stdout, b, p);
	rt_print(stdout, rows, b->nfilters, p, &b->rt, d == NULL ? note : NULL);
	if (b->tsv != NULL) {
		tsv = fopen(b->tsv, "w");
		if (tsv != NULL)
			rt_tsv(tsv, rows, b->nfilters);
		if (tsv == NULL || fclose(tsv) != 0) {
			fprintf(stderr, "bench-run: cannot write %s: %s\n", b->tsv, strerror(errno));
			return 1;
		}
	}
	return rt_wrong_cells(rows, b->nfilters, RT_BPFC_ENGINES) != 0;
}

/* Options, packets, the measurements, the output. */
static int
br_main(struct br_opts *b, int argc, char **argv)
{
	struct rt_pkts p;
	struct rt_row *rows;
	int rc;

	b->seed = BR_SEED;
	b->rt.cpu = -2;
	b->rt.engines = (1u << RT_NENGINES) - 1;
	if (br_parse(b, argc, argv) < 0) {
		fprintf(stderr, "Try 'bench-run --help'.\n");
		return 2;
	}
	if (b->packets == 0)
		b->packets = 4096;
	if (b->rt.reps == 0)
		b->rt.reps = b->quick ? 3 : 31;
	if (TESTENV_SANITIZED && b->packets > 4096)
		b->packets = 4096; /* the figures mean nothing there anyway */
	br_defaults(b);
	b->rt.cpu = br_pin(b->rt.cpu);
	if (rt_pkts_make(&p, b->seed, b->packets, b->snap) < 0) {
		fprintf(stderr, "bench-run: cannot generate the packets (out of memory)\n");
		return 1;
	}
	rows = calloc(b->nfilters ? b->nfilters : 1, sizeof(*rows));
	rc = rows != NULL ? br_run(b, &p, rows) : 1;
	free(rows);
	rt_pkts_free(&p);
	return rc;
}

int
main(int argc, char **argv)
{
	struct br_opts *b = calloc(1, sizeof(*b));
	int rc;

	if (b == NULL) {
		fprintf(stderr, "bench-run: out of memory\n");
		return 1;
	}
	rc = br_main(b, argc, argv);
	free(b->file_text);
	free(b);
	return rc;
}
