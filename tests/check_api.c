/*
 * check_api.c: the public interface (include/bpfc.h) as a user sees it.
 *
 * Oracles: the struct layouts are compared with libpcap's struct bpf_insn
 * and the kernel's struct sock_filter / struct bpf_insn; defaults with
 * libpcap's constants; every return value bpfc_run gives with libpcap's
 * bpf_filter on programs libpcap compiled.
 */
#include <config.h>

#include <check.h>
/* linux/bpf.h and pcap/bpf.h both name a struct bpf_insn (eBPF and cBPF):
 * the kernel's is renamed here so that both can be compared. */
#define bpf_insn linux_ebpf_insn
#include <linux/bpf.h>
#undef bpf_insn
#include <linux/filter.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "jit/jit.h"
#include "tests/gen/pktgen.h"

/* ---- layouts and defaults ---- */

START_TEST(test_insn_layout)
{
	ck_assert_uint_eq(sizeof(struct bpfc_insn), sizeof(struct bpf_insn));
	ck_assert_uint_eq(sizeof(struct bpfc_insn), sizeof(struct sock_filter));
	ck_assert_uint_eq(offsetof(struct bpfc_insn, code), offsetof(struct sock_filter, code));
	ck_assert_uint_eq(offsetof(struct bpfc_insn, jt), offsetof(struct sock_filter, jt));
	ck_assert_uint_eq(offsetof(struct bpfc_insn, jf), offsetof(struct sock_filter, jf));
	ck_assert_uint_eq(offsetof(struct bpfc_insn, k), offsetof(struct sock_filter, k));
	ck_assert_uint_eq(offsetof(struct bpfc_insn, k), offsetof(struct bpf_insn, k));
}
END_TEST

START_TEST(test_ebpf_insn_layout)
{
	/* Same bytes when the same fields are set: the bit-fields included. */
	struct bpfc_ebpf_insn a;
	struct linux_ebpf_insn b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_uint_eq(sizeof(a), sizeof(b));
	a.code = b.code = 0xb7;
	a.dst_reg = b.dst_reg = 3;
	a.src_reg = b.src_reg = 10;
	a.off = b.off = -2;
	a.imm = b.imm = -123456;
	ck_assert_mem_eq(&a, &b, sizeof(a));
}
END_TEST

START_TEST(test_options_defaults)
{
	struct bpfc_options o;
	struct bpfc_load_options lo;

	memset(&o, 0x5a, sizeof(o));
	bpfc_options_init(&o);
	ck_assert_int_eq(o.linktype, DLT_EN10MB);
	ck_assert_uint_eq(o.snaplen, 262144); /* tcpdump's default snapshot length */
	ck_assert_uint_eq(o.netmask, PCAP_NETMASK_UNKNOWN);
	ck_assert_int_ne(o.optimize, 0);
	bpfc_load_options_init(&lo);
	ck_assert_uint_eq(lo.max_insns, BPF_MAXINSNS);
}
END_TEST

START_TEST(test_strerror)
{
	for (int c = BPFC_OK; c <= BPFC_EINTERNAL; c++) {
		const char *s = bpfc_strerror((enum bpfc_status)c);
		ck_assert_ptr_nonnull(s);
		for (int d = BPFC_OK; d < c; d++)
			ck_assert_str_ne(s, bpfc_strerror((enum bpfc_status)d));
	}
	ck_assert_str_eq(bpfc_strerror((enum bpfc_status)999), "unknown error");
	ck_assert_str_eq(bpfc_version(), PACKAGE_VERSION);
}
END_TEST

/* ---- loading ---- */

START_TEST(test_load_errors)
{
	char errbuf[BPFC_ERRBUF_SIZE];
	struct bpfc_insn nothing[1] = {{0x06, 0, 0, 0}};

	errbuf[0] = '\0';
	ck_assert_ptr_null(bpfc_load_cbpf(nothing, 0, errbuf));
	ck_assert_uint_gt(strlen(errbuf), 0);
	ck_assert_ptr_null(bpfc_load_cbpf(NULL, 3, errbuf));
	ck_assert_ptr_null(bpfc_load_cbpf(nothing, 0, NULL)); /* errbuf may be NULL */

	/* An error struct carries the instruction. */
	struct bpfc_insn bad[2] = {{0x15, 5, 0, 1}, {0x06, 0, 0, 1}}; /* jeq past the end */
	struct bpfc_error err;
	ck_assert_ptr_null(bpfc_load_cbpf_opts(bad, 2, NULL, &err));
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	ck_assert_int_eq(err.insn, 0);
	ck_assert(strncmp(err.msg, "insn 0: ", 8) == 0);

	/* The limit is configurable. */
	struct bpfc_insn three[3] = {{0x00, 0, 0, 1}, {0x00, 0, 0, 2}, {0x16, 0, 0, 0}};
	struct bpfc_load_options lo;
	bpfc_load_options_init(&lo);
	lo.max_insns = 2;
	ck_assert_ptr_null(bpfc_load_cbpf_opts(three, 3, &lo, &err));
	lo.max_insns = 3;
	struct bpfc_filter *f = bpfc_load_cbpf_opts(three, 3, &lo, &err);
	ck_assert_ptr_nonnull(f);
	bpfc_free(f);
	bpfc_free(NULL);
}
END_TEST

START_TEST(test_load_copies)
{
	struct bpfc_insn prog[2] = {{0x00, 0, 0, 7}, {0x16, 0, 0, 0}}; /* ld #7; ret a */
	char errbuf[BPFC_ERRBUF_SIZE];
	struct bpfc_filter *f = bpfc_load_cbpf(prog, 2, errbuf);
	const struct bpfc_insn *got;
	uint8_t pkt[1] = {0};

	ck_assert_ptr_nonnull(f);
	prog[0].k = 9; /* the caller's array is theirs again */
	ck_assert_uint_eq(bpfc_cbpf(f, &got), 2);
	ck_assert_uint_eq(got[0].k, 7);
	ck_assert_uint_eq(bpfc_run(f, pkt, 1, 1), bpf_filter((struct bpf_insn *)got, pkt, 1, 1));
	bpfc_free(f);
}
END_TEST

START_TEST(test_listing_styles)
{
	struct bpfc_insn prog[1] = {{0x06, 0, 0, 0}};
	char *s;

	ck_assert_ptr_null(bpfc_listing(prog, 1, (enum bpfc_listing)0));
	ck_assert_ptr_null(bpfc_listing(prog, 1, (enum bpfc_listing)4));
	for (int st = BPFC_LISTING_D; st <= BPFC_LISTING_DDD; st++) {
		s = bpfc_listing(prog, 1, (enum bpfc_listing)st);
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_gt(strlen(s), 0);
		free(s);
	}
}
END_TEST

START_TEST(test_assemble_error_struct)
{
	static const char text[] = "ldh [12]\nbogus #1\nret #0\n";
	struct bpfc_error err;

	ck_assert_ptr_null(bpfc_assemble(text, strlen(text), NULL, &err));
	ck_assert_int_ne(err.code, BPFC_OK);
	/* The range covers the unknown word. */
	const char *at = strstr(text, "bogus");
	ck_assert_uint_eq(err.begin, (uint32_t)(at - text));
	ck_assert_uint_eq(err.end, (uint32_t)(at - text + 5));
}
END_TEST

/* ---- engines and threads ---- */

static const char *const exprs[] = {
	"tcp port 80", "ip and udp", "ip6 and ip6[6] = 6", "tcp[13] & 2 != 0", "vlan and ip",
	"not arp and len > 100", "icmp or icmp6", "ether multicast", "ip[2:2] > 576",
};
#define NEXPRS (sizeof(exprs) / sizeof(exprs[0]))

struct corpus {
	struct bpf_program progs[NEXPRS];
	struct bpfc_filter *filters[NEXPRS];
	struct pktgen_set pkts;
};

static void
corpus_build(struct corpus *c)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	char errbuf[BPFC_ERRBUF_SIZE];

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < NEXPRS; i++) {
		ck_assert_msg(pcap_compile(p, &c->progs[i], exprs[i], 1, PCAP_NETMASK_UNKNOWN) == 0,
			      "libpcap: %s", pcap_geterr(p));
		c->filters[i] = bpfc_load_cbpf((const struct bpfc_insn *)c->progs[i].bf_insns,
					       c->progs[i].bf_len, errbuf);
		ck_assert_msg(c->filters[i] != NULL, "%s: %s", exprs[i], errbuf);
	}
	pcap_close(p);
	pktgen_set_init(&c->pkts, DLT_EN10MB);
	ck_assert_int_eq(pktgen_generate(&c->pkts, DLT_EN10MB, 42, 3000), 0);
	ck_assert_uint_gt(c->pkts.n, 0);
}

static void
corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < NEXPRS; i++) {
		bpfc_free(c->filters[i]);
		pcap_freecode(&c->progs[i]);
	}
	pktgen_set_free(&c->pkts);
}

START_TEST(test_every_engine_matches_libpcap)
{
	static struct corpus c;
	static const enum bpfc_engine engines[] = {BPFC_ENGINE_CBPF, BPFC_ENGINE_EBPF,
						   BPFC_ENGINE_JIT};
	int usable = 0;

	corpus_build(&c);
	for (size_t i = 0; i < NEXPRS; i++) {
		for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
			enum bpfc_engine before = bpfc_get_engine(c.filters[i]);
			if (bpfc_set_engine(c.filters[i], engines[e]) != 0) {
				/* Unavailable: nothing changed; the JIT is there
				 * wherever this machine can run it. */
				ck_assert_msg(engines[e] != BPFC_ENGINE_JIT || !jit_available(),
					      "%s: no JIT on a machine that has one", exprs[i]);
				ck_assert_int_eq(bpfc_get_engine(c.filters[i]), before);
				continue;
			}
			ck_assert_int_eq(bpfc_get_engine(c.filters[i]), engines[e]);
			usable++;
			for (size_t k = 0; k < c.pkts.n; k++) {
				const struct pktgen_pkt *pk = &c.pkts.pkts[k];
				ck_assert_uint_eq(bpfc_run(c.filters[i], pk->data, pk->wirelen, pk->caplen),
						  bpf_filter(c.progs[i].bf_insns, pk->data, pk->wirelen,
							     pk->caplen));
			}
		}
	}
	ck_assert_int_ge(usable, (int)NEXPRS); /* the cBPF engine at least */
	corpus_free(&c);
}
END_TEST

struct worker {
	const struct corpus *c;
	size_t first;
	uint64_t mismatches;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;

	for (int round = 0; round < 20; round++)
		for (size_t j = 0; j < NEXPRS; j++) {
			size_t i = (w->first + j) % NEXPRS;
			for (size_t k = 0; k < w->c->pkts.n; k++) {
				const struct pktgen_pkt *pk = &w->c->pkts.pkts[k];
				uint32_t got = bpfc_run(w->c->filters[i], pk->data, pk->wirelen, pk->caplen);
				uint32_t want = bpf_filter(w->c->progs[i].bf_insns, pk->data, pk->wirelen,
							   pk->caplen);
				w->mismatches += got != want;
			}
		}
	return NULL;
}

START_TEST(test_threads_share_filters)
{
	static struct corpus c;
	pthread_t t[4];
	struct worker w[4];

	corpus_build(&c);
	for (size_t i = 0; i < 4; i++) {
		w[i] = (struct worker){&c, i * 2, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_uint_eq(w[i].mismatches, 0);
	}
	corpus_free(&c);
}
END_TEST

/* ---- eBPF: the filter's programs and the eBPF engine ---- */

/* Every filter starts on the JIT where the machine has one (else on the
 * cBPF interpreter), has its socket program from loading, the eBPF engine
 * is selectable and so is the JIT exactly when jit_available(), and
 * bpfc_ebpf_for
 * gives each target as a copy the caller frees; the socket one is the
 * filter's own. */
START_TEST(test_ebpf_programs)
{
	static struct corpus c;
	static const enum bpfc_target targets[] = {BPFC_TARGET_TC, BPFC_TARGET_XDP};

	corpus_build(&c);
	for (size_t i = 0; i < NEXPRS; i++) {
		struct bpfc_filter *f = c.filters[i];
		const struct bpfc_ebpf_insn *own;
		struct bpfc_ebpf_insn *copy;
		struct bpfc_error err;
		size_t n = bpfc_ebpf(f, &own), m = 0;

		ck_assert_int_eq(bpfc_get_engine(f),
				 jit_available() ? BPFC_ENGINE_JIT : BPFC_ENGINE_CBPF);
		ck_assert_msg(n > 0 && own != NULL, "%s: no socket program", exprs[i]);
		ck_assert_uint_eq(bpfc_ebpf(f, NULL), n);
		ck_assert_uint_eq(own[n - 1].code, BPF_JMP | BPF_EXIT);
		copy = bpfc_ebpf_for(f, BPFC_TARGET_SOCKET, 0, &m, &err);
		ck_assert_msg(copy != NULL, "%s: %s", exprs[i], err.msg);
		ck_assert_uint_eq(m, n);
		ck_assert_mem_eq(copy, own, n * sizeof(*own));
		ck_assert_ptr_ne(copy, own);
		free(copy);
		for (size_t t = 0; t < 2; t++)
			for (unsigned flags = 0; flags <= BPFC_TARGET_INVERT; flags++) {
				copy = bpfc_ebpf_for(f, targets[t], flags, &m, &err);
				ck_assert_msg(copy != NULL, "%s: %s", exprs[i], err.msg);
				ck_assert_uint_gt(m, 0);
				ck_assert_uint_eq(copy[m - 1].code, BPF_JMP | BPF_EXIT);
				free(copy);
			}
		ck_assert_int_eq(bpfc_set_engine(f, BPFC_ENGINE_EBPF), 0);
		ck_assert_int_eq(bpfc_get_engine(f), BPFC_ENGINE_EBPF);
		ck_assert_int_eq(bpfc_set_engine(f, BPFC_ENGINE_JIT), jit_available() ? 0 : -1);
		ck_assert_int_eq(bpfc_get_engine(f),
				 jit_available() ? BPFC_ENGINE_JIT : BPFC_ENGINE_EBPF);
		ck_assert_int_eq(bpfc_set_engine(f, (enum bpfc_engine)77), -1);
		ck_assert_int_eq(bpfc_get_engine(f),
				 jit_available() ? BPFC_ENGINE_JIT : BPFC_ENGINE_EBPF);
		ck_assert_int_eq(bpfc_set_engine(f, BPFC_ENGINE_CBPF), 0);
		ck_assert_int_eq(bpfc_get_engine(f), BPFC_ENGINE_CBPF);
	}
	corpus_free(&c);
}
END_TEST

START_TEST(test_ebpf_for_errors)
{
	static const struct {
		int target;
		unsigned flags;
	} bad[] = {{0, 0}, {4, 0}, {-1, 0}, {BPFC_TARGET_XDP, 2}, {BPFC_TARGET_TC, ~0u},
		   {BPFC_TARGET_SOCKET, BPFC_TARGET_INVERT}};
	struct bpfc_filter *f = bpfc_compile("ip", NULL, NULL);
	struct bpfc_error err;
	size_t n = 12345;

	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_ptr_null(bpfc_ebpf_for(f, (enum bpfc_target)bad[i].target, bad[i].flags,
						 &n, &err));
		ck_assert_int_eq(err.code, BPFC_EINVAL);
		ck_assert_uint_gt(strlen(err.msg), 0);
		ck_assert_uint_eq(n, 12345); /* untouched on error */
		ck_assert_ptr_null(bpfc_ebpf_for(f, (enum bpfc_target)bad[i].target, bad[i].flags,
						 &n, NULL));
	}
	ck_assert_ptr_null(bpfc_ebpf_for(f, BPFC_TARGET_XDP, 0, NULL, &err));
	ck_assert_int_eq(err.code, BPFC_EINVAL);
	bpfc_free(f);
}
END_TEST

struct flipper {
	struct corpus *c;
	atomic_int stop;
};

static void *
flipper_run(void *arg)
{
	struct flipper *fl = arg;

	for (unsigned k = 0; !atomic_load(&fl->stop); k++) {
		static const enum bpfc_engine cycle[] = {BPFC_ENGINE_CBPF, BPFC_ENGINE_EBPF,
							 BPFC_ENGINE_JIT};
		enum bpfc_engine e = cycle[k % 3]; /* the JIT refused where absent */
		for (size_t i = 0; i < NEXPRS; i++)
			bpfc_set_engine(fl->c->filters[i], e);
	}
	return NULL;
}

/* Threads running filters while another switches their engines back and
 * forth: every value is still libpcap's. */
START_TEST(test_threads_switch_engines)
{
	static struct corpus c;
	struct flipper fl = {&c, 0};
	pthread_t t[3], ft;
	struct worker w[3];

	corpus_build(&c);
	ck_assert_int_eq(pthread_create(&ft, NULL, flipper_run, &fl), 0);
	for (size_t i = 0; i < 3; i++) {
		w[i] = (struct worker){&c, i * 3, 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	atomic_store(&fl.stop, 1);
	ck_assert_int_eq(pthread_join(ft, NULL), 0);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(w[i].mismatches, 0);
	corpus_free(&c);
}
END_TEST

static Suite *
api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, test_insn_layout);
	tcase_add_test(tc, test_ebpf_insn_layout);
	tcase_add_test(tc, test_options_defaults);
	tcase_add_test(tc, test_strerror);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_load_copies);
	tcase_add_test(tc, test_listing_styles);
	tcase_add_test(tc, test_assemble_error_struct);
	tcase_add_test(tc, test_every_engine_matches_libpcap);
	tcase_add_test(tc, test_threads_share_filters);
	tcase_add_test(tc, test_ebpf_programs);
	tcase_add_test(tc, test_ebpf_for_errors);
	tcase_add_test(tc, test_threads_switch_engines);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(api_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
