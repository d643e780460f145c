/*
 * check_listing.c: bpfc's listings against libpcap's, byte for byte.
 *
 * Oracle: the installed libpcap's exported bpf_image() (one instruction)
 * and bpf_dump() (a whole program, styles 1-3, i.e. tcpdump -d/-dd/-ddd;
 * it prints to stdout, which is redirected to a temporary file here).
 *
 *   image_codes     every one of the 65536 code values, each with a set of
 *                   edge k values (0, 1, 2^31-1, 2^31, 2^32-1, the Linux
 *                   ancillary offsets...), jt/jf and instruction indices
 *   image_edges     ld/ldh/ldb/ldx/ja around the values where libpcap's
 *                   printing changes (ancillary names, the sign bit)
 *   image_random    random codes, k, jt, jf and indices
 *   dump_random     random programs (codes from the opcode table, raw
 *                   random codes, edge operands) in the three styles
 *   dump_empty      the empty program in the three styles
 *
 * Environment: BPFC_SEED (the seed, default fixed), BPFC_TEST_SCALE (float
 * multiplier of the random counts, default 1).  Counts shrink under
 * sanitizers.  Failures print the seed and the case.
 */
#include <config.h>

#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfc.h"
#include "base/strbuf.h"
#include "cbpf/cbpf.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#define LT_IMAGE_RANDOM 300000.0
#define LT_DUMP_RANDOM 3000.0
#define LT_MAXPROG 1200

/* k values where libpcap's formatting changes. */
static const uint32_t lt_edge_k[] = {
	0,          1,          2,          15,         16,         255,
	256,        0xffff,     0x10000,    0x7ffffffe, 0x7fffffff, 0x80000000,
	0x80000001, 0xffefffff, 0xfffff000, 0xfffff004, 0xfffff03c, 0xfffff040,
	0xfffffffe, 0xffffffff,
};
#define LT_NEDGE (sizeof(lt_edge_k) / sizeof(lt_edge_k[0]))

static const uint8_t lt_edge_j[] = {0, 1, 2, 127, 128, 254, 255};
#define LT_NJ (sizeof(lt_edge_j) / sizeof(lt_edge_j[0]))

static const int lt_edge_pc[] = {0, 1, 7, 99, 100, 999, 1000, 65535, 1000000};
#define LT_NPC (sizeof(lt_edge_pc) / sizeof(lt_edge_pc[0]))

static uint64_t
lt_seed(void)
{
	return testenv_seed("BPFC_SEED", 0x6c697374696e67ull);
}

static double
lt_scale(void)
{
	return testenv_scale() / (TESTENV_SANITIZED ? 8 : 1);
}

static size_t
lt_count(double base)
{
	double n = base * lt_scale();
	return n < 1 ? 1 : (size_t)n;
}

/* Compare one instruction's image; 0 when equal. */
static int
lt_image_diff(const struct bpfc_insn *in, int pc, char *why, size_t whylen)
{
	struct bpf_insn pi = {in->code, in->jt, in->jf, in->k};
	const char *want = bpf_image(&pi, pc);
	struct strbuf b;

	strbuf_init(&b);
	cbpf_image(&b, in, (size_t)pc);
	int diff = b.failed || b.data == NULL || strcmp(b.data, want) != 0;
	if (diff)
		snprintf(why, whylen,
			 "code 0x%x jt %u jf %u k 0x%x pc %d:\n  bpfc:    '%s'\n  libpcap: '%s'",
			 in->code, in->jt, in->jf, (unsigned)in->k, pc,
			 b.data != NULL ? b.data : "(null)", want);
	strbuf_release(&b);
	return diff;
}

/* 16 chunks of 4096 codes; each code with every edge k, and jt/jf/pc
 * cycling through their edges. */
START_TEST(image_codes)
{
	char why[512];
	unsigned checked = 0;

	for (unsigned code = (unsigned)_i * 4096; code < (unsigned)(_i + 1) * 4096; code++) {
		for (size_t j = 0; j < LT_NEDGE; j++) {
			struct bpfc_insn in = {(uint16_t)code, lt_edge_j[j % LT_NJ],
					       lt_edge_j[(j + 3) % LT_NJ], lt_edge_k[j]};
			int pc = lt_edge_pc[(code + j) % LT_NPC];
			if (lt_image_diff(&in, pc, why, sizeof(why)))
				ck_abort_msg("%s", why);
			checked++;
		}
	}
	ck_assert_uint_eq(checked, 4096 * LT_NEDGE);
}
END_TEST

/* Every k near the places where the printing changes, for the opcodes
 * whose k prints specially. */
START_TEST(image_edges)
{
	static const uint16_t codes[] = {
		CBPF_LD | CBPF_W | CBPF_ABS, CBPF_LD | CBPF_H | CBPF_ABS, CBPF_LD | CBPF_B | CBPF_ABS,
		CBPF_LD | CBPF_W | CBPF_IND, CBPF_LDX | CBPF_B | CBPF_MSH, CBPF_JMP | CBPF_JA,
		CBPF_RET | CBPF_K,           CBPF_LD | CBPF_MEM,
	};
	static const uint32_t centres[] = {0, 0x7fffffff, 0x80000000, 0xfffff000, 0xfffff040,
					   0xfff00000, 0xffe00000};
	char why[512];

	for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++)
		for (size_t m = 0; m < sizeof(centres) / sizeof(centres[0]); m++)
			for (uint32_t d = 0; d < 160; d++) {
				struct bpfc_insn in = {codes[c], 0, 0, centres[m] - 80 + d};
				for (size_t p = 0; p < LT_NPC; p++)
					if (lt_image_diff(&in, lt_edge_pc[p], why, sizeof(why)))
						ck_abort_msg("%s", why);
			}
}
END_TEST

static uint32_t
lt_random_k(struct rng *r)
{
	switch (rng_below(r, 5)) {
	case 0:
		return lt_edge_k[rng_below(r, LT_NEDGE)];
	case 1:
		return rng_below(r, 64);
	case 2:
		return 0xfffff000u + rng_below(r, 80);
	case 3:
		return rng_below(r, 2) ? 0x80000000u + rng_below(r, 16) : 0x7ffffff0u + rng_below(r, 16);
	default:
		return (uint32_t)rng_next(r);
	}
}

/* A code: mostly from the opcode table, sometimes any byte or any 16 bits. */
static uint16_t
lt_random_code(struct rng *r)
{
	if (rng_chance(r, 3, 4))
		return cbpf_opinfo[1 + rng_below(r, CBPF_OP_COUNT - 1)].code;
	if (rng_chance(r, 1, 2))
		return (uint16_t)rng_below(r, 256);
	return (uint16_t)rng_next(r);
}

static void
lt_random_insn(struct rng *r, struct bpfc_insn *in)
{
	in->code = lt_random_code(r);
	in->jt = (uint8_t)(rng_chance(r, 1, 2) ? rng_below(r, 256) : lt_edge_j[rng_below(r, LT_NJ)]);
	in->jf = (uint8_t)(rng_chance(r, 1, 2) ? rng_below(r, 256) : lt_edge_j[rng_below(r, LT_NJ)]);
	in->k = lt_random_k(r);
}

START_TEST(image_random)
{
	uint64_t seed = lt_seed();
	struct rng r;
	size_t n = lt_count(LT_IMAGE_RANDOM);
	char why[512];

	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		struct bpfc_insn in;
		lt_random_insn(&r, &in);
		int pc = rng_chance(&r, 1, 2) ? (int)rng_below(&r, 2000)
					       : lt_edge_pc[rng_below(&r, LT_NPC)];
		if (lt_image_diff(&in, pc, why, sizeof(why)))
			ck_abort_msg("seed %llu (BPFC_SEED=%llu), case %zu: %s", (unsigned long long)seed,
				     (unsigned long long)seed, i, why);
	}
}
END_TEST

/* What libpcap's bpf_dump(prog, style) prints, as a malloc'd string. */
static char *
lt_pcap_dump(const struct bpfc_insn *p, size_t n, int style)
{
	char *text = testenv_pcap_dump(p, n, style);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* bpfc_listing against bpf_dump for one program in one style. */
static void
lt_check_dump(const struct bpfc_insn *p, size_t n, int style, uint64_t seed, size_t prog)
{
	char *want = lt_pcap_dump(p, n, style);
	char *got = bpfc_listing(p, n, (enum bpfc_listing)style);

	ck_assert_ptr_nonnull(got);
	if (strcmp(got, want) != 0) {
		size_t at = 0;
		while (got[at] == want[at])
			at++;
		size_t line = at;
		while (line > 0 && want[line - 1] != '\n')
			line--;
		ck_abort_msg("seed %llu (BPFC_SEED=%llu) program %zu (%zu insns) style %d: first "
			     "difference at byte %zu\n  bpfc:    '%.60s'\n  libpcap: '%.60s'",
			     (unsigned long long)seed, (unsigned long long)seed, prog, n, style, at,
			     got + line, want + line);
	}
	free(want);
	free(got);
}

START_TEST(dump_random)
{
	static struct bpfc_insn p[LT_MAXPROG];
	uint64_t seed = lt_seed();
	struct rng r;
	size_t count = lt_count(LT_DUMP_RANDOM);

	rng_seed(&r, seed ^ 0xd0d0);
	for (size_t i = 0; i < count; i++) {
		/* Mostly short; now and then past 1000 to reach 4-digit indices. */
		size_t n = rng_chance(&r, 1, 200) ? 1000 + rng_below(&r, LT_MAXPROG - 1000)
						  : 1 + rng_below(&r, 40);
		for (size_t j = 0; j < n; j++)
			lt_random_insn(&r, &p[j]);
		for (int style = 1; style <= 3; style++)
			lt_check_dump(p, n, style, seed, i);
	}
}
END_TEST

START_TEST(dump_empty)
{
	struct bpfc_insn none = {0, 0, 0, 0};

	for (int style = 1; style <= 3; style++)
		lt_check_dump(&none, 0, style, 0, 0);
	/* Not a style: the public call refuses it (include/bpfc.h). */
	ck_assert_ptr_null(bpfc_listing(&none, 1, (enum bpfc_listing)0));
	ck_assert_ptr_null(bpfc_listing(&none, 1, (enum bpfc_listing)4));
}
END_TEST

static Suite *
listing_suite(void)
{
	Suite *s = suite_create("listing");
	TCase *tc = tcase_create("image");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, image_codes, 0, 16);
	tcase_add_test(tc, image_edges);
	tcase_add_test(tc, image_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("dump");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, dump_random);
	tcase_add_test(tc, dump_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(listing_suite());
	printf("check_listing: seed %llu%s\n", (unsigned long long)lt_seed(),
	       TESTENV_SANITIZED ? " (sanitizers: counts scaled down)" : "");
	fflush(stdout);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
