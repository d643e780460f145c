/*
 * diff_random.c: the cBPF interpreter against libpcap's bpf_filter on
 * random valid programs and random packets.
 *
 * Oracle: libpcap's bpf_filter() run on the same instructions, packet
 * bytes, wirelen and caplen.  Every generated program must also pass
 * libpcap's bpf_validate(), bpfc's cbpf_validate() and, for a sample, the
 * running kernel's SO_ATTACH_FILTER check (the only one of the three that
 * checks M[k] is written before it is read; skipped when no socket can be
 * made).
 *
 * Each packet is copied so that its last captured byte is the last byte
 * before a PROT_NONE page: a read past caplen by either engine faults.
 *
 * Programs come in chunks that share one set of 16 packets, a mix of
 * randprog_packet() and tests/gen/pktgen (Ethernet) packets when the packet
 * generator yields any.  Each chunk runs on bpfc, then on libpcap, timed
 * separately; the ns/run figures are printed for information only.
 *
 * Environment: BPFC_TEST_SCALE (float, default 1) multiplies the 300,000
 * programs (a quarter of that under sanitizers); BPFC_SEED picks the
 * seed.  A mismatch prints the seed, the program and the packet; at most
 * 10 are printed before the test stops and fails.
 */
#include <config.h>

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#ifdef __linux__
#include <linux/filter.h>
#include <sys/socket.h>
#endif

#include "bpfc.h"
#include "cbpf/cbpf.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

static_assert(sizeof(struct bpfc_insn) == sizeof(struct bpf_insn), "insn size");
static_assert(offsetof(struct bpfc_insn, code) == offsetof(struct bpf_insn, code), "code");
static_assert(offsetof(struct bpfc_insn, jt) == offsetof(struct bpf_insn, jt), "jt");
static_assert(offsetof(struct bpfc_insn, jf) == offsetof(struct bpf_insn, jf), "jf");
static_assert(offsetof(struct bpfc_insn, k) == offsetof(struct bpf_insn, k), "k");

#define DR_PROGRAMS 300000.0
#define DR_CHUNK 64        /* programs sharing one packet set */
#define DR_PKTS 16         /* packets per program */
#define DR_RANDPKT_MAX 2048
#define DR_POOL 4096       /* pktgen packets drawn once */
#define DR_MAX_MISMATCH 10
#define DR_KERNEL_EVERY 64 /* kernel-check every 64th program */

/* One packet placed against a guard page. */
struct dr_slot {
	struct testenv_guard g; /* `room` usable bytes, then a guard page */
	const uint8_t *pkt;     /* g.map + g.room - caplen */
	uint32_t caplen, wirelen;
};

struct dr_prog {
	struct bpfc_insn insns[BPFC_MAX_INSNS_DEFAULT];
	struct bpf_insn pcap[BPFC_MAX_INSNS_DEFAULT];
	size_t n;
	uint64_t seed;
};

struct dr_state {
	uint64_t seed;
	struct pktgen_set pool; /* empty when pktgen is not available */
	struct dr_slot slot[DR_PKTS];
	struct dr_prog prog[DR_CHUNK];
	uint32_t res_bpfc[DR_CHUNK][DR_PKTS], res_pcap[DR_CHUNK][DR_PKTS];
	struct bpfc_load_options lo;
	int sock; /* for the kernel's check, or -1 */
	/* totals */
	uint64_t programs, runs, nonzero, mismatches, invalid, kernel_checked;
	uint64_t ns_bpfc, ns_pcap;
};

static uint64_t
dr_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* CPU time of this thread: steadier than wall time on a busy machine. */
static uint64_t
dr_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double
dr_scale(void)
{
	return testenv_scale();
}

static int
dr_slots_init(struct dr_state *st, size_t maxcap)
{
	for (int i = 0; i < DR_PKTS; i++)
		if (testenv_guard_init(&st->slot[i].g, maxcap) != 0)
			return -1;
	return 0;
}

static void
dr_slot_put(struct dr_slot *s, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	s->pkt = testenv_guard_put(&s->g, data, caplen);
	assert(s->pkt != NULL);
	s->caplen = caplen;
	s->wirelen = wirelen;
}

/* The chunk's packets: a quarter from pktgen when it has any. */
static void
dr_packets(struct dr_state *st, uint64_t chunk)
{
	struct rng r;
	uint8_t buf[DR_RANDPKT_MAX];

	rng_seed(&r, dr_mix(st->seed ^ dr_mix(~chunk)));
	for (int i = 0; i < DR_PKTS; i++) {
		if (st->pool.n > 0 && rng_chance(&r, 1, 4)) {
			const struct pktgen_pkt *p =
				&st->pool.pkts[rng_below(&r, (uint32_t)st->pool.n)];
			dr_slot_put(&st->slot[i], p->data, p->caplen, p->wirelen);
		} else {
			uint32_t caplen, wirelen;
			randprog_packet(&r, buf, sizeof(buf), &caplen, &wirelen);
			dr_slot_put(&st->slot[i], buf, caplen, wirelen);
		}
	}
}

static void
dr_print_prog(const struct dr_prog *p)
{
	for (size_t i = 0; i < p->n; i++)
		fprintf(stderr, "  %4zu: { 0x%02x, %3u, %3u, 0x%08" PRIx32 " },\n", i,
			p->insns[i].code, p->insns[i].jt, p->insns[i].jf, p->insns[i].k);
}

static void
dr_print_packet(const struct dr_slot *s)
{
	fprintf(stderr, "packet: caplen %" PRIu32 " wirelen %" PRIu32 "\n", s->caplen,
		s->wirelen);
	for (uint32_t i = 0; i < s->caplen; i++)
		fprintf(stderr, "%02x%s", s->pkt[i], (i % 16 == 15 || i + 1 == s->caplen) ? "\n" : " ");
}

#ifdef __linux__
/* 1 accepted, 0 refused (EINVAL), -1 could not tell. */
static int
dr_kernel_accepts(int sock, const struct dr_prog *p)
{
	struct sock_fprog fp = {.len = (unsigned short)p->n,
				.filter = (struct sock_filter *)(uintptr_t)p->pcap};

	if (setsockopt(sock, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) == 0)
		return 1;
	return errno == EINVAL ? 0 : -1;
}
#endif

/* Make program `i` of the chunk and check every validator accepts it. */
static int
dr_make_prog(struct dr_state *st, size_t i, uint64_t index)
{
	struct dr_prog *p = &st->prog[i];
	struct rng r;
	struct bpfc_error err;
	/* Mostly short; some long enough for jumps of 255; a few up to the
	 * kernel's limit. */
	size_t max = index % 200 == 199 ? BPFC_MAX_INSNS_DEFAULT
		     : index % 10 == 9  ? 512
					: 32;

	p->seed = dr_mix(st->seed ^ dr_mix(index + 1));
	rng_seed(&r, p->seed);
	p->n = randprog_valid(&r, p->insns, max);
	memcpy(p->pcap, p->insns, p->n * sizeof(p->insns[0]));

	const char *who = NULL;
	memset(&err, 0, sizeof(err));
	if (!bpf_validate(p->pcap, (int)p->n))
		who = "libpcap's bpf_validate";
	else if (cbpf_validate(p->insns, p->n, &st->lo, &err) != 0)
		who = err.msg;
#ifdef __linux__
	else if (st->sock >= 0 && index % DR_KERNEL_EVERY == 0) {
		int k = dr_kernel_accepts(st->sock, p);
		if (k == 0)
			who = "the kernel (SO_ATTACH_FILTER: EINVAL)";
		else if (k > 0)
			st->kernel_checked++;
	}
#endif
	if (who == NULL)
		return 0;
	st->invalid++;
	fprintf(stderr, "FAIL: program %" PRIu64 " (seed 0x%016" PRIx64 ", %zu insns) refused by %s\n",
		index, p->seed, p->n, who);
	dr_print_prog(p);
	return -1;
}

static void
dr_report(struct dr_state *st, size_t i, int j, uint64_t index)
{
	const struct dr_prog *p = &st->prog[i];

	fprintf(stderr,
		"MISMATCH: base seed 0x%016" PRIx64 ", program %" PRIu64 " (seed 0x%016" PRIx64
		"), packet %d: bpfc %" PRIu32 " (0x%" PRIx32 "), libpcap %" PRIu32 " (0x%" PRIx32 ")\n",
		st->seed, index, p->seed, j, st->res_bpfc[i][j], st->res_bpfc[i][j],
		st->res_pcap[i][j], st->res_pcap[i][j]);
	fprintf(stderr, "program (%zu insns; code, jt, jf, k):\n", p->n);
	dr_print_prog(p);
	dr_print_packet(&st->slot[j]);
	fprintf(stderr, "reproduce: BPFC_SEED=0x%016" PRIx64 " %s\n", st->seed,
		"tests/diff_random");
}

static uint64_t
dr_time_bpfc(struct dr_state *st, size_t count)
{
	uint64_t t0 = dr_now_ns();
	for (size_t i = 0; i < count; i++)
		for (int j = 0; j < DR_PKTS; j++)
			st->res_bpfc[i][j] = cbpf_run(st->prog[i].insns, st->slot[j].pkt,
						      st->slot[j].wirelen, st->slot[j].caplen);
	return dr_now_ns() - t0;
}

static uint64_t
dr_time_pcap(struct dr_state *st, size_t count)
{
	uint64_t t0 = dr_now_ns();
	for (size_t i = 0; i < count; i++)
		for (int j = 0; j < DR_PKTS; j++)
			st->res_pcap[i][j] = bpf_filter(st->prog[i].pcap, st->slot[j].pkt,
							st->slot[j].wirelen, st->slot[j].caplen);
	return dr_now_ns() - t0;
}

/* Run one chunk on both engines; returns -1 when it is time to stop. */
static int
dr_chunk(struct dr_state *st, uint64_t first, size_t count, uint64_t chunk)
{
	for (size_t i = 0; i < count; i++)
		if (dr_make_prog(st, i, first + i) != 0 && st->invalid >= DR_MAX_MISMATCH)
			return -1;
	/* Take turns going first, so neither engine always finds the caches
	 * warmed by the other. */
	if (chunk % 2 == 0) {
		st->ns_bpfc += dr_time_bpfc(st, count);
		st->ns_pcap += dr_time_pcap(st, count);
	} else {
		st->ns_pcap += dr_time_pcap(st, count);
		st->ns_bpfc += dr_time_bpfc(st, count);
	}
	st->programs += count;
	st->runs += count * DR_PKTS;
	for (size_t i = 0; i < count; i++) {
		for (int j = 0; j < DR_PKTS; j++) {
			st->nonzero += st->res_pcap[i][j] != 0;
			if (st->res_bpfc[i][j] == st->res_pcap[i][j])
				continue;
			dr_report(st, i, j, first + i);
			if (++st->mismatches >= DR_MAX_MISMATCH)
				return -1;
		}
	}
	return 0;
}

static void
dr_pool_init(struct dr_state *st, size_t *maxcap)
{
	pktgen_set_init(&st->pool, 1 /* DLT_EN10MB */);
	if (pktgen_generate(&st->pool, 1, st->seed, DR_POOL) != 0 || st->pool.n == 0) {
		pktgen_set_free(&st->pool);
		pktgen_set_init(&st->pool, 1);
		printf("diff_random: packet generator gave no packets; random packets only\n");
		return;
	}
	for (size_t i = 0; i < st->pool.n; i++)
		if (st->pool.pkts[i].caplen > *maxcap)
			*maxcap = st->pool.pkts[i].caplen;
}

static int
dr_setup(struct dr_state *st)
{
	size_t maxcap = DR_RANDPKT_MAX;

	st->seed = testenv_seed("BPFC_SEED", 0x62706663u); /* "bpfc" */
	bpfc_load_options_init(&st->lo);
	dr_pool_init(st, &maxcap);
	if (dr_slots_init(st, maxcap) != 0) {
		perror("diff_random: mmap/mprotect");
		return -1;
	}
	st->sock = -1;
#ifdef __linux__
	st->sock = socket(AF_UNIX, SOCK_DGRAM, 0);
#endif
	if (st->sock < 0)
		printf("diff_random: no socket, so no kernel check of the programs\n");
	return 0;
}

int
main(void)
{
	struct dr_state *st = calloc(1, sizeof(*st));
	uint64_t total;
	int stopped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (st == NULL || dr_setup(st) != 0)
		return 1;
	total = (uint64_t)(DR_PROGRAMS * dr_scale() / (TESTENV_SANITIZED ? 4 : 1));
	if (total < DR_CHUNK)
		total = DR_CHUNK;
	printf("diff_random: seed 0x%016" PRIx64 ", %" PRIu64 " programs x %d packets, "
	       "%zu packets from pktgen%s\n",
	       st->seed, total, DR_PKTS, st->pool.n,
	       TESTENV_SANITIZED ? " (sanitizers: scaled down)" : "");
	for (uint64_t first = 0, chunk = 0; first < total && !stopped; first += DR_CHUNK, chunk++) {
		size_t count = total - first < DR_CHUNK ? (size_t)(total - first) : DR_CHUNK;
		dr_packets(st, chunk);
		stopped = dr_chunk(st, first, count, chunk) != 0;
	}
	printf("programs %" PRIu64 ", runs %" PRIu64 ", mismatches %" PRIu64
	       ", invalid programs %" PRIu64 ", kernel-checked %" PRIu64 "\n",
	       st->programs, st->runs, st->mismatches, st->invalid, st->kernel_checked);
	if (st->runs > 0)
		printf("non-zero results: %.1f%%\n", 100.0 * (double)st->nonzero / (double)st->runs);
	if (st->runs > 0)
		printf("CPU ns/run: bpfc cbpf_run %.1f, libpcap bpf_filter %.1f (informational)\n",
		       (double)st->ns_bpfc / (double)st->runs, (double)st->ns_pcap / (double)st->runs);
	int fail = st->mismatches != 0 || st->invalid != 0 || st->programs < total;
	if (fail)
		printf("FAIL (seed 0x%016" PRIx64 "; rerun with BPFC_SEED=0x%016" PRIx64 ")\n",
		       st->seed, st->seed);
	if (st->sock >= 0)
		close(st->sock);
	pktgen_set_free(&st->pool);
	free(st);
	return fail ? 1 : 0;
}
