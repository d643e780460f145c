/*
 * check_offline.c: the offline stage (backend/offline.h) against libpcap's
 * own reader and dumper, in process, on every capture of
 * $BPFC_SHARED/pcaps/MANIFEST.tsv and on a generated capture cut at every
 * byte offset.
 *
 * The oracle does what tcpdump -r IN -w OUT [-c N] EXPR does, with the
 * calls tcpdump makes: pcap_open_offline, pcap_compile (optimized),
 * pcap_dump_fopen on the input's handle, then each packet from
 * pcap_next_ex that pcap_offline_filter accepts goes to pcap_dump, until
 * the end, an error, or N matches.  The stage must write the same bytes,
 * count the same packets read and matched, and fail exactly when libpcap
 * does.  (tests/offline.sh compares with tcpdump itself on a sample of the
 * same files and on generated captures of every flavour.)
 *
 * An expression bpfc or libpcap 1.10.3 does not compile for a file's link
 * type is skipped and counted; differences that are the code generator's
 * and not this stage's (testenv_known_difference; ip6 on DLT_NULL/LOOP,
 * see the capture-file work's report) are printed and counted as known.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "backend/offline.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/testenv.h"

/* One run's result: the file written and the counts. */
struct result {
	char *bytes;
	size_t len;
	uint64_t read, matched;
	int failed;
};

static void
result_free(struct result *r)
{
	free(r->bytes);
	r->bytes = NULL;
}

/* tcpdump's way, through libpcap: 0, or -1 when libpcap cannot open the
 * file or compile `expr` (nothing to compare). */
static int
oracle_run(const char *path, const char *expr, int64_t count, struct result *r)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p = pcap_open_offline(path, errbuf);
	int rc = PCAP_ERROR_BREAK;

	memset(r, 0, sizeof(*r));
	if (p == NULL)
		return -1;
	if (pcap_compile(p, &prog, expr, 1, 0) < 0) {
		pcap_close(p);
		return -1;
	}
	FILE *mem = open_memstream(&r->bytes, &r->len);
	ck_assert_ptr_nonnull(mem);
	pcap_dumper_t *d = pcap_dump_fopen(p, mem);
	ck_assert_msg(d != NULL, "%s: pcap_dump_fopen: %s", path, pcap_geterr(p));
	while ((count < 0 || r->matched < (uint64_t)count) &&
	       (rc = pcap_next_ex(p, &h, &data)) == 1) {
		r->read++;
		if (pcap_offline_filter(&prog, h, data) != 0) {
			pcap_dump((u_char *)d, h, data);
			r->matched++;
		}
	}
	r->failed = (count < 0 || r->matched < (uint64_t)count) && rc != PCAP_ERROR_BREAK;
	pcap_dump_close(d);
	pcap_freecode(&prog);
	pcap_close(p);
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* The stage's way: 0, or -1 when it cannot open the file or bpfc cannot
 * compile `expr` for its link type.  `msg` gets the error message. */
static int
stage_run(const char *path, const char *expr, int64_t count, const char *out_path,
	  struct result *r, char msg[BPFC_ERRBUF_SIZE])
{
	struct bpfc_error err = {0};
	struct bpfc_options o;
	char errbuf[BPFC_ERRBUF_SIZE];
	struct offline_counts n;

	memset(r, 0, sizeof(*r));
	msg[0] = '\0';
	struct offline_in *in = offline_open(path, &err);
	if (in == NULL)
		return -1;
	bpfc_options_init(&o);
	o.linktype = offline_linktype(in);
	struct bpfc_filter *f = bpfc_compile(expr, &o, errbuf);
	if (f == NULL) {
		offline_close(in);
		return -1;
	}
	struct offline_out *out = offline_out_open(out_path, in, &err);
	ck_assert_msg(out != NULL, "%s: %s", path, err.msg);
	struct offline_sink s = {f, count, out, NULL, NULL, NULL};
	r->failed = offline_filter(in, &s, &n, &err) < 0;
	snprintf(msg, BPFC_ERRBUF_SIZE, "%s", err.msg);
	struct bpfc_error err2 = {0};
	ck_assert_msg(offline_out_finish(out, &err2) == 0, "%s: %s", path, err2.msg);
	r->read = n.read;
	r->matched = n.matched;
	r->bytes = slurp(out_path, &r->len);
	ck_assert_ptr_nonnull(r->bytes);
	bpfc_free(f);
	offline_close(in);
	return 0;
}

struct tally {
	int files, checks, skipped, known;
};

/* Compare one file and expression; a difference fails the test unless it
 * is a known one of the code generator's. */
static void
compare(const char *path, int dlt, const char *expr, int64_t count, const char *out_path,
	struct tally *t)
{
	struct result want, got;
	char msg[BPFC_ERRBUF_SIZE];

	if (oracle_run(path, expr, count, &want) < 0) {
		t->skipped++;
		return;
	}
	if (stage_run(path, expr, count, out_path, &got, msg) < 0) {
		result_free(&want);
		t->skipped++;
		return;
	}
	int same = want.len == got.len && memcmp(want.bytes, got.bytes, want.len) == 0 &&
		   want.matched == got.matched && want.read == got.read &&
		   want.failed == got.failed;
	const char *why = testenv_known_difference(dlt, expr);
	if (why == NULL && (dlt == DLT_NULL || dlt == DLT_LOOP))
		why = "bpfc's ip6 on DLT_NULL/LOOP differs from libpcap's";
	t->checks++;
	if (!same && why != NULL) {
		printf("known: %s '%s': %s\n", path, expr, why);
		t->known++;
	} else {
		ck_assert_msg(same,
			      "%s '%s' -c %lld: bpfc wrote %zu bytes, %llu of %llu matched, "
			      "failed %d (%s); libpcap %zu bytes, %llu of %llu, failed %d",
			      path, expr, (long long)count, got.len,
			      (unsigned long long)got.matched, (unsigned long long)got.read,
			      got.failed, msg, want.len, (unsigned long long)want.matched,
			      (unsigned long long)want.read, want.failed);
	}
	result_free(&want);
	result_free(&got);
}

static const struct shared_case {
	const char *expr;
	int64_t count;
} shared_cases[] = {
	{"len >= 0", -1},
	{"ip", -1},
	{"tcp or udp port 53", -1},
	{"ip6 and not icmp6", -1},
	{"greater 120 and not arp", -1},
	{"len >= 0", 3},
	{"tcp", 1},
};

struct shared_arg {
	const struct shared_case *c;
	int index;              /* of the case: which files a sanitized build takes */
	const char *out_path;
	struct tally t;
};

/* A sanitized build compares every fourth file per case (a different
 * quarter for each case, so every file is still read). */
#define SHARED_STRIDE (TESTENV_SANITIZED ? 4 : 1)

static void
shared_each(void *arg, const char *dir, const char *name)
{
	struct shared_arg *a = arg;
	char path[4096];

	if (a->t.files++ % SHARED_STRIDE != a->index % SHARED_STRIDE)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	pcap_t *p = pcap_open_offline(path, (char[PCAP_ERRBUF_SIZE]){0});
	int dlt = p != NULL ? pcap_datalink(p) : -1;
	if (p != NULL)
		pcap_close(p);
	compare(path, dlt, a->c->expr, a->c->count, a->out_path, &a->t);
}

/* A private directory for the files the stage writes. */
static char *
temp_dir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = malloc(4096);

	ck_assert_ptr_nonnull(dir);
	snprintf(dir, 4096, "%s/bpfc-check-offline.XXXXXX", base != NULL ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

START_TEST(test_shared)
{
	char manifest[4096], out[4200];
	char *dir = temp_dir();
	struct shared_arg a = {&shared_cases[_i], _i, out, {0, 0, 0, 0}};

	snprintf(out, sizeof(out), "%s/out.pcap", dir);
	if (testenv_manifest(manifest, sizeof(manifest), shared_each, &a) != 0)
		printf("note: %s not found: the shared captures were not checked\n", manifest);
	printf("shared '%s' -c %lld: %d files, %d compared, %d skipped, %d known\n",
	       shared_cases[_i].expr, (long long)shared_cases[_i].count, a.t.files, a.t.checks,
	       a.t.skipped, a.t.known);
	unlink(out);
	rmdir(dir);
	free(dir);
}
END_TEST

/* Every prefix of a generated capture: the same packets, the same failure,
 * and the stage's message names the bad record's offset, which is where
 * libpcap's unfiltered copy of the prefix ends. */
START_TEST(test_cut)
{
	char *dir = temp_dir(), src[4200], cut[4200], out[4200], msg[BPFC_ERRBUF_SIZE];
	struct pktgen_set set;
	size_t len;
	int n = (int)((TESTENV_SANITIZED ? 10 : 40) * testenv_scale());

	snprintf(src, sizeof(src), "%s/src.pcap", dir);
	snprintf(cut, sizeof(cut), "%s/cut.pcap", dir);
	snprintf(out, sizeof(out), "%s/out.pcap", dir);
	pktgen_set_init(&set, DLT_EN10MB);
	ck_assert_int_eq(pktgen_generate(&set, DLT_EN10MB, testenv_seed("OFFLINE_SEED", 1),
					 (size_t)(n < 4 ? 4 : n)), 0);
	ck_assert_int_eq(pktgen_write_pcap(src, &set, 262144), 0);
	pktgen_set_free(&set);
	char *whole = slurp(src, &len);
	ck_assert_ptr_nonnull(whole);
	for (size_t off = 0; off <= len; off++) {
		FILE *f = fopen(cut, "wb");
		ck_assert_ptr_nonnull(f);
		ck_assert(off == 0 || fwrite(whole, off, 1, f) == 1);
		ck_assert_int_eq(fclose(f), 0);
		struct result want, got;
		int wo = oracle_run(cut, "len >= 0", -1, &want);
		int go = stage_run(cut, "len >= 0", -1, out, &got, msg);
		ck_assert_msg(wo == go, "cut at %zu: libpcap opens it: %d, the stage: %d", off,
			      wo == 0, go == 0);
		if (wo < 0)
			continue;
		ck_assert_msg(want.len == got.len && memcmp(want.bytes, got.bytes, want.len) == 0 &&
			      want.failed == got.failed && want.read == got.read,
			      "cut at %zu: %zu bytes out (failed %d), libpcap %zu (failed %d)", off,
			      got.len, got.failed, want.len, want.failed);
		if (got.failed) {
			char at[64];
			snprintf(at, sizeof(at), "at byte %zu:", want.len);
			ck_assert_msg(strstr(msg, at) != NULL, "cut at %zu: '%s' does not say '%s'",
				      off, msg, at);
		}
		result_free(&want);
		result_free(&got);
	}
	free(whole);
	unlink(src);
	unlink(cut);
	unlink(out);
	rmdir(dir);
	free(dir);
}
END_TEST

static Suite *
offline_suite(void)
{
	Suite *s = suite_create("offline");
	TCase *tc = tcase_create("libpcap");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_shared, 0,
			    (int)(sizeof(shared_cases) / sizeof(shared_cases[0])));
	tcase_add_test(tc, test_cut);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(offline_suite());
	int failures;

	srunner_run_all(sr, CK_NORMAL);
	failures = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failures ? 1 : 0;
}
