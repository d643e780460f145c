/*
 * kernel_validate.c: cbpf_validate against the running kernel's verdicts.
 *
 * Generates near-valid programs from a seed (valid structure, then 0 to 3
 * mutations of the kinds that break one rule each, often right at the
 * boundary), attaches each to a UDP socket with SO_ATTACH_FILTER and
 * compares the kernel's verdict with cbpf_validate's.  They must agree on
 * every program, except programs with a load at a Linux-only offset
 * (SKF_AD_OFF ancillary data, SKF_NET_OFF, SKF_LL_OFF), which cbpf_validate
 * must refuse whatever the kernel says; those are counted apart.
 *
 * Secondary invariant, reported but not fatal: libpcap's bpf_validate
 * accepts every program cbpf_validate accepts (it is looser than the
 * kernel, never stricter, as far as we know).
 *
 * Usage: kernel_validate [SEED [INDEX]].  With INDEX, only that program is
 * generated, listed and judged.  Env: BPFC_TEST_SCALE (count multiplier).
 * Exit: 0 agree, 1 a disagreement, 77 no socket to ask the kernel with.
 *
 * Kernel facts this relies on (net/core/filter.c): the checks run before
 * the program is charged to the socket, so ENOMEM (over optmem_max) means
 * the checks passed; and a jump whose eBPF translation spans more than
 * 32767 eBPF instructions is refused with EINVAL after the checks, which
 * long programs of packet loads can reach.  Long programs are therefore
 * generated from light instructions with short jumps.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/filter.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include "bpfc.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#define KV_PROGRAMS 200000
#define KV_MAXN 4100       /* longest program generated */
#define KV_LONG 4090       /* long programs are KV_LONG .. KV_MAXN */
#define KV_SHOW 5          /* disagreements listed in full */
#define KV_DEFAULT_SEED 0x6b76616c69646174ull

#define AD_OFF ((uint32_t)SKF_AD_OFF)
#define NET_OFF ((uint32_t)SKF_NET_OFF)
#define LL_OFF ((uint32_t)SKF_LL_OFF)

#define INSN(c, t, f, kk) ((struct bpfc_insn){(uint16_t)(c), (uint8_t)(t), (uint8_t)(f), (uint32_t)(kk)})

/* ---- generating -------------------------------------------------------- */

struct gen {
	struct rng r;
	struct bpfc_insn *p;
	size_t n;
	int light;       /* long program: no packet loads, short jumps */
	uint16_t *masks; /* the kernel's per-instruction memory masks */
	uint16_t valid;  /* cells written on every path, as the kernel counts */
};

/* A packet offset: mostly small, sometimes at the edges, rarely Linux's. */
static uint32_t
gen_offset(struct rng *r)
{
	uint32_t roll = rng_below(r, 1000);

	if (roll < 700)
		return rng_below(r, 64);
	if (roll < 850)
		return rng_below(r, 1600);
	if (roll < 920)
		return 65535 - rng_below(r, 8);
	if (roll < 996)
		return (rng_chance(r, 1, 2) ? 0x80000000u : LL_OFF) - rng_below(r, 4);
	switch (roll) {
	case 996:
		return AD_OFF + 4 * rng_below(r, SKF_AD_MAX / 4 + 1);
	case 997:
		return AD_OFF + rng_below(r, 4096);
	case 998:
		return NET_OFF + rng_below(r, 64);
	default:
		return LL_OFF + rng_below(r, 64);
	}
}

/* Up to `room`, biased toward 0 and toward `room` itself. */
static uint32_t
gen_span(struct rng *r, uint32_t room)
{
	uint32_t roll = rng_below(r, 10);

	if (roll < 2 || room == 0)
		return 0;
	if (roll < 4)
		return room;
	return rng_below(r, (room < 8 ? room : 8) + 1);
}

/* A memory cell worth reading at this point: one written on every path
 * (usually), or one written only on the paths that really get here. */
static int
gen_cell(struct gen *g, size_t pc)
{
	uint16_t pick = g->valid;

	if (pc > 0 && !g->light && rng_chance(&g->r, 1, 5))
		pick = g->masks[pc];
	if (pick == 0)
		return -1;
	for (;;) {
		int k = (int)rng_below(&g->r, CBPF_MEMWORDS);
		if (pick & (1u << k))
			return k;
	}
}

static struct bpfc_insn
gen_alu(struct rng *r)
{
	static const uint16_t ops[] = {CBPF_ADD, CBPF_SUB, CBPF_MUL, CBPF_DIV, CBPF_OR, CBPF_AND,
				       CBPF_LSH, CBPF_RSH, CBPF_MOD, CBPF_XOR, CBPF_NEG};
	uint16_t op = ops[rng_below(r, sizeof(ops) / sizeof(ops[0]))];
	uint32_t k = (uint32_t)rng_next(r);

	if (op == CBPF_NEG)
		return INSN(CBPF_ALU | op, 0, 0, 0);
	if (rng_chance(r, 1, 3))
		return INSN(CBPF_ALU | op | CBPF_X, 0, 0, 0);
	if (op == CBPF_LSH || op == CBPF_RSH)
		k = rng_chance(r, 1, 2) ? 31 : rng_below(r, 32);
	else if ((op == CBPF_DIV || op == CBPF_MOD) && k == 0)
		k = 1;
	else if (rng_chance(r, 1, 2))
		k = rng_below(r, 256);
	return INSN(CBPF_ALU | op | CBPF_K, 0, 0, k);
}

static struct bpfc_insn
gen_load(struct gen *g, size_t pc)
{
	static const uint16_t sizes[] = {CBPF_W, CBPF_H, CBPF_B};
	struct rng *r = &g->r;
	uint16_t sz = sizes[rng_below(r, 3)];
	int k;

	switch (rng_below(r, g->light ? 4 : 8)) {
	case 0:
		return INSN(rng_chance(r, 1, 2) ? CBPF_LD : CBPF_LDX, 0, 0, (uint32_t)rng_next(r));
	case 1:
		return INSN((rng_chance(r, 1, 2) ? CBPF_LD : CBPF_LDX) | CBPF_W | CBPF_LEN, 0, 0, 0);
	case 2:
	case 3:
		k = gen_cell(g, pc);
		if (k < 0)
			return INSN(CBPF_ST, 0, 0, rng_below(r, CBPF_MEMWORDS));
		return INSN((rng_chance(r, 1, 2) ? CBPF_LD : CBPF_LDX) | CBPF_MEM, 0, 0, k);
	case 4:
	case 5:
		return INSN(CBPF_LD | sz | CBPF_ABS, 0, 0, gen_offset(r));
	case 6:
		return INSN(CBPF_LD | sz | CBPF_IND, 0, 0, gen_offset(r));
	default:
		return INSN(CBPF_LDX | CBPF_B | CBPF_MSH, 0, 0, gen_offset(r));
	}
}

/* A sound instruction for `pc` (not the last). */
static struct bpfc_insn
gen_insn(struct gen *g, size_t pc)
{
	static const uint16_t conds[] = {CBPF_JEQ, CBPF_JGT, CBPF_JGE, CBPF_JSET};
	struct rng *r = &g->r;
	uint32_t room = (uint32_t)(g->n - 2 - pc); /* jump offsets that land inside */
	uint32_t roll = rng_below(r, 100);

	if (roll < 30)
		return gen_load(g, pc);
	if (roll < 48)
		return gen_alu(r);
	if (roll < 53)
		return INSN(CBPF_MISC | (rng_chance(r, 1, 2) ? CBPF_TAX : CBPF_TXA), 0, 0, 0);
	if (roll < 63)
		return INSN(rng_chance(r, 1, 2) ? CBPF_ST : CBPF_STX, 0, 0, rng_below(r, CBPF_MEMWORDS));
	if (roll < 85) {
		uint32_t cap = room < 255 ? room : 255;
		uint16_t src = rng_chance(r, 1, 3) ? CBPF_X : CBPF_K;
		return INSN(CBPF_JMP | conds[rng_below(r, 4)] | src, gen_span(r, cap),
			    gen_span(r, cap), (uint32_t)rng_next(r) >> rng_below(r, 32));
	}
	if (roll < 93)
		return INSN(CBPF_JMP | CBPF_JA, 0, 0, gen_span(r, g->light && room > 1000 ? 1000 : room));
	return INSN(CBPF_RET | (rng_chance(r, 1, 2) ? CBPF_A : CBPF_K), 0, 0, rng_below(r, 65536));
}

/* The kernel's memory tracking, one instruction on, so that generated
 * reads are of written cells (check_load_and_stores). */
static void
gen_track(struct gen *g, size_t pc)
{
	const struct bpfc_insn *in = &g->p[pc];
	unsigned flags = cbpf_opinfo[cbpf_decode(in->code)].flags;

	if (flags & CBPF_F_MEMWR)
		g->valid |= (uint16_t)(1u << in->k);
	if (flags & CBPF_F_JA) {
		g->masks[pc + 1 + in->k] &= g->valid;
		g->valid = 0xffff;
	} else if (flags & CBPF_F_COND) {
		g->masks[pc + 1 + in->jt] &= g->valid;
		g->masks[pc + 1 + in->jf] &= g->valid;
		g->valid = 0xffff;
	}
}

static void
gen_valid(struct gen *g)
{
	g->valid = 0;
	for (size_t pc = 0; pc < g->n; pc++)
		g->masks[pc] = 0xffff;
	for (size_t pc = 0; pc + 1 < g->n; pc++) {
		g->valid &= g->masks[pc];
		g->p[pc] = gen_insn(g, pc);
		gen_track(g, pc);
	}
	g->p[g->n - 1] = INSN(CBPF_RET | (rng_chance(&g->r, 1, 2) ? CBPF_A : CBPF_K), 0, 0,
			      rng_below(&g->r, 65536));
}

/* ---- mutating: each kind breaks one rule, or lands just inside it ------- */

/* A random index below the last instruction (n >= 2). */
static size_t
gen_body(struct gen *g)
{
	return rng_below(&g->r, (uint32_t)(g->n - 1));
}

static void
mutate_jump(struct gen *g)
{
	size_t i = gen_body(g);
	struct bpfc_insn *in = &g->p[i];
	uint32_t edge = (uint32_t)(g->n - i - 1); /* the offset one past the end */
	uint32_t off = edge + rng_below(&g->r, 3) - (rng_chance(&g->r, 1, 4) ? 1 : 0);
	unsigned flags = cbpf_opinfo[cbpf_decode(in->code)].flags;

	if (flags & CBPF_F_COND && off <= 255) {
		if (rng_chance(&g->r, 1, 2))
			in->jt = (uint8_t)off;
		else
			in->jf = (uint8_t)off;
	} else {
		*in = INSN(CBPF_JMP | CBPF_JA, 0, 0, rng_chance(&g->r, 1, 8) ? 0xffffffffu : off);
	}
}

static void
mutate_memory(struct gen *g)
{
	size_t i = gen_body(g);
	uint32_t k = rng_below(&g->r, CBPF_MEMWORDS);
	struct bpfc_insn *in = &g->p[i];
	uint16_t code;

	switch (rng_below(&g->r, 4)) {
	case 0: /* read a cell that may be unwritten on some path */
		*in = INSN((rng_chance(&g->r, 1, 2) ? CBPF_LD : CBPF_LDX) | CBPF_MEM, 0, 0, k);
		break;
	case 1: /* lose a write */
		if (cbpf_opinfo[cbpf_decode(in->code)].flags & CBPF_F_MEMWR)
			*in = INSN(CBPF_LD | CBPF_IMM, 0, 0, 0);
		break;
	case 2: /* a cell index at or past the end */
		k = rng_chance(&g->r, 1, 4) ? 15 : 16 + rng_below(&g->r, 3);
		if (rng_chance(&g->r, 1, 8))
			k = 0xffffffffu;
		code = (uint16_t)rng_below(&g->r, 4); /* ld, ldx, st, stx */
		*in = INSN(code < CBPF_ST ? code | CBPF_MEM : code, 0, 0, k);
		break;
	default: /* an early return: the kernel follows it into the next insn */
		*in = INSN(CBPF_RET | CBPF_K, 0, 0, 1);
		break;
	}
}

static void
mutate_constant(struct gen *g)
{
	struct bpfc_insn *in = &g->p[gen_body(g)];
	uint32_t k;

	if (rng_chance(&g->r, 1, 2)) {
		k = rng_chance(&g->r, 1, 4) ? 1 : 0;
		*in = INSN(CBPF_ALU | (rng_chance(&g->r, 1, 2) ? CBPF_DIV : CBPF_MOD), 0, 0, k);
	} else {
		k = 31 + rng_below(&g->r, 4);
		if (rng_chance(&g->r, 1, 8))
			k = (uint32_t)rng_next(&g->r);
		*in = INSN(CBPF_ALU | (rng_chance(&g->r, 1, 2) ? CBPF_LSH : CBPF_RSH), 0, 0, k);
	}
}

static void
mutate(struct gen *g)
{
	struct rng *r = &g->r;
	struct bpfc_insn *in;

	if (g->n < 2) {
		g->p[0].code = (uint16_t)rng_below(r, 256);
		return;
	}
	switch (rng_below(r, 19)) {
	case 0: case 1: case 2: case 3: /* a random code */
		in = &g->p[rng_below(r, (uint32_t)g->n)];
		in->code = (uint16_t)(rng_chance(r, 1, 16) ? rng_next(r) : rng_below(r, 256));
		break;
	case 4: case 5: case 6: case 7:
		mutate_jump(g);
		break;
	case 8: case 9: case 10: case 11: case 12:
		mutate_memory(g);
		break;
	case 13: case 14: case 15:
		mutate_constant(g);
		break;
	case 16: case 17: /* no return at the end */
		g->p[g->n - 1] = INSN(rng_chance(r, 1, 2) ? CBPF_LD : CBPF_MISC, 0, 0, 0);
		break;
	default: /* a Linux-only offset */
		in = &g->p[gen_body(g)];
		*in = INSN(CBPF_LD | CBPF_B | (rng_chance(r, 1, 3) ? CBPF_IND : CBPF_ABS), 0, 0,
			   (rng_chance(r, 1, 2) ? AD_OFF : NET_OFF) + 4 * rng_below(r, 17));
		break;
	}
}

/* Program `index` of the run with `seed`, in g->p / g->n. */
static void
gen_program(struct gen *g, uint64_t seed, uint64_t index)
{
	rng_seed(&g->r, seed ^ (index * 0x9e3779b97f4a7c15ull));
	rng_next(&g->r);
	if (rng_chance(&g->r, 1, 500))
		g->n = KV_LONG + rng_below(&g->r, KV_MAXN - KV_LONG + 1);
	else
		g->n = 1 + rng_below(&g->r, 60);
	g->light = g->n > 255;
	gen_valid(g);
	static const uint8_t weights[] = {0, 0, 0, 0, 0, 1, 1, 1, 2, 3};
	for (unsigned m = weights[rng_below(&g->r, sizeof(weights))]; m > 0; m--)
		mutate(g);
}

/* ---- judging ------------------------------------------------------------- */

/* Does the program load from a Linux-only offset anywhere? */
static int
linux_only(const struct bpfc_insn *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cbpf_opinfo[cbpf_decode(p[i].code)].flags & CBPF_F_PKT && p[i].k >= LL_OFF)
			return 1;
	return 0;
}

/* 1 accepted, 0 refused (EINVAL), -1 anything else (errno left).  ENOMEM
 * comes after the checks, so it counts as accepted (and in *enomem). */
static int
kernel_accepts(int fd, const struct bpfc_insn *p, size_t n, struct sock_filter *buf,
	       unsigned long *enomem)
{
	int dummy = 0;

	for (size_t i = 0; i < n; i++)
		buf[i] = (struct sock_filter){p[i].code, p[i].jt, p[i].jf, p[i].k};
	struct sock_fprog prog = {.len = (unsigned short)n, .filter = buf};
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == 0) {
		/* Detach: the next attach is charged while this one still is. */
		setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy));
		return 1;
	}
	if (errno == ENOMEM)
		(*enomem)++;
	return errno == EINVAL ? 0 : errno == ENOMEM ? 1 : -1;
}

static int
pcap_accepts(const struct bpfc_insn *p, size_t n, struct bpf_insn *buf)
{
	testenv_insns_to_pcap(p, n, buf);
	return bpf_validate(buf, (int)n) != 0;
}

static void
dump(FILE *out, const struct bpfc_insn *p, size_t n)
{
	size_t shown = n > 80 ? 40 : n;

	for (size_t i = 0; i < shown; i++)
		fprintf(out, "    %4zu: code 0x%04x jt %3u jf %3u k 0x%08x\n", i, p[i].code, p[i].jt,
			p[i].jf, p[i].k);
	if (shown < n)
		fprintf(out, "    ... %zu more; the last: code 0x%04x jt %u jf %u k 0x%08x\n",
			n - shown, p[n - 1].code, p[n - 1].jt, p[n - 1].jf, p[n - 1].k);
}

/* Refusal reasons, by a phrase of the message. */
static const char *const reasons[] = {
	"empty program",  "more than the limit", "unknown opcode", "past the end",
	"by constant zero", "shift by",          "does not exist", "falling through the ret",
	"is read before",
	"does not end",   "Linux",
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

struct tally {
	unsigned long programs, accepted, refused, linux_only, linux_kernel_ok, enomem;
	unsigned long disagree, pcap_stricter, pcap_looser, longs, longs_accepted;
	unsigned long reason[NREASONS];
};

static void
count_reason(struct tally *t, const char *msg)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (strstr(msg, reasons[i]) != NULL) {
			t->reason[i]++;
			return;
		}
}

static void
report(FILE *out, const char *what, uint64_t seed, uint64_t index, const struct bpfc_insn *p,
       size_t n, int ours, int kernel, const char *msg)
{
	fprintf(out, "%s: program %llu (seed 0x%llx), %zu instructions: bpfc %s%s%s, kernel %s\n",
		what, (unsigned long long)index, (unsigned long long)seed, n,
		ours ? "accepts" : "refuses", ours ? "" : ": ", ours ? "" : msg,
		kernel > 0 ? "accepts" : kernel == 0 ? "refuses" : "fails");
	dump(out, p, n);
	fprintf(out, "  reproduce: tests/kernel_validate 0x%llx %llu\n", (unsigned long long)seed,
		(unsigned long long)index);
}

struct run {
	int fd;
	uint64_t seed;
	struct gen g;
	struct sock_filter *kbuf;
	struct bpf_insn *pbuf;
	struct tally t;
};

/* Generate and judge program `index`; `verbose` lists it whatever happens. */
static void
judge(struct run *run, uint64_t index, int verbose)
{
	struct tally *t = &run->t;
	struct bpfc_load_options o;
	struct bpfc_error err;

	gen_program(&run->g, run->seed, index);
	const struct bpfc_insn *p = run->g.p;
	size_t n = run->g.n;
	bpfc_load_options_init(&o);
	diag_init(&err);
	int ours = cbpf_validate(p, n, &o, &err) == 0;
	int kernel = kernel_accepts(run->fd, p, n, run->kbuf, &t->enomem);
	int lonly = linux_only(p, n);
	int pcap = pcap_accepts(p, n, run->pbuf);

	t->programs++;
	t->longs += n > 255;
	t->longs_accepted += n > 255 && ours;
	t->accepted += ours;
	t->refused += !ours;
	if (!ours)
		count_reason(t, err.msg);
	t->pcap_stricter += ours && !pcap;
	t->pcap_looser += !ours && pcap;
	if (lonly) {
		t->linux_only++;
		t->linux_kernel_ok += kernel > 0;
	}
	int bad = lonly ? ours || kernel < 0 : ours != kernel;
	if (bad && t->disagree++ < KV_SHOW)
		report(stderr, "DISAGREE", run->seed, index, p, n, ours, kernel, err.msg);
	else if (verbose)
		report(stdout, "program", run->seed, index, p, n, ours, kernel, err.msg);
	if (ours && !pcap && t->pcap_stricter <= KV_SHOW)
		report(stdout, "note: libpcap's bpf_validate refuses", run->seed, index, p, n, ours,
		       kernel, err.msg);
}

/* ---- main ---------------------------------------------------------------- */

static unsigned long
program_count(void)
{
	double scale = 1.0;
	const char *s = getenv("BPFC_TEST_SCALE");

	if (s != NULL && *s != '\0')
		scale = strtod(s, NULL);
#if TESTENV_SANITIZED
	scale /= 4;
#endif
	double count = KV_PROGRAMS * scale;
	return count < 1 ? 1 : (unsigned long)count;
}

static void
summary(const struct run *run, double secs)
{
	const struct tally *t = &run->t;

	printf("kernel_validate: seed 0x%llx: %lu programs in %.2f s: bpfc accepts %lu, refuses "
	       "%lu\n",
	       (unsigned long long)run->seed, t->programs, secs, t->accepted, t->refused);
	printf("  %lu long programs (%d to %d instructions), %lu of them accepted\n", t->longs,
	       KV_LONG, KV_MAXN, t->longs_accepted);
	printf("  Linux-only loads: %lu programs, all refused by bpfc; the kernel accepts %lu of "
	       "them\n",
	       t->linux_only, t->linux_kernel_ok);
	printf("  kernel ENOMEM (checks passed, over optmem_max): %lu\n", t->enomem);
	printf("  refusals by reason:");
	for (size_t i = 0; i < NREASONS; i++)
		printf("%s %s %lu", i ? "," : "", reasons[i], t->reason[i]);
	printf("\n  libpcap bpf_validate: refuses %lu that bpfc accepts, accepts %lu that bpfc "
	       "refuses\n",
	       t->pcap_stricter, t->pcap_looser);
	printf("  disagreements with the kernel: %lu\n", t->disagree);
}

int
main(int argc, char **argv)
{
	struct run run = {.seed = KV_DEFAULT_SEED};
	struct timespec t0, t1;

	if (argc > 1)
		run.seed = strtoull(argv[1], NULL, 0);
	run.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (run.fd < 0) {
		printf("SKIP: no socket to ask the kernel with: socket(AF_INET, SOCK_DGRAM): %s\n",
		       strerror(errno));
		return 77;
	}
	struct sock_filter ret0 = {CBPF_RET | CBPF_K, 0, 0, 0};
	struct sock_fprog probe = {.len = 1, .filter = &ret0};
	if (setsockopt(run.fd, SOL_SOCKET, SO_ATTACH_FILTER, &probe, sizeof(probe)) < 0) {
		printf("SKIP: the kernel refuses even `ret #0` on a UDP socket: SO_ATTACH_FILTER: "
		       "%s\n",
		       strerror(errno));
		return 77;
	}
	run.g.p = calloc(KV_MAXN, sizeof(*run.g.p));
	run.g.masks = calloc(KV_MAXN, sizeof(*run.g.masks));
	run.kbuf = calloc(KV_MAXN, sizeof(*run.kbuf));
	run.pbuf = calloc(KV_MAXN, sizeof(*run.pbuf));
	if (!run.g.p || !run.g.masks || !run.kbuf || !run.pbuf) {
		fprintf(stderr, "kernel_validate: out of memory\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (argc > 2) {
		judge(&run, strtoull(argv[2], NULL, 0), 1);
	} else {
		unsigned long count = program_count();
		for (unsigned long i = 0; i < count; i++)
			judge(&run, i, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	summary(&run, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	int missing = 0;
	for (size_t i = 0; i < NREASONS && argc <= 2 && run.t.programs >= 10000; i++)
		if (run.t.reason[i] == 0 && i > 1) {
			printf("FAIL: no program was refused for \"%s\": the generator lost a kind\n",
			       reasons[i]);
			missing = 1;
		}
	close(run.fd);
	free(run.g.p);
	free(run.g.masks);
	free(run.kbuf);
	free(run.pbuf);
	return run.t.disagree || missing ? 1 : 0;
}
