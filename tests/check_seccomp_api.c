/*
 * check_seccomp_api.c: bpfc_seccomp_compile, the public entry point.
 *
 * Oracles: the stage itself driven directly (seccomp_parse_json/text with
 * options built here, seccomp_codegen): the public call must return the
 * very same instructions; seccomp_eval, the policy's meaning from the
 * parsed model (checked against libseccomp by check_seccomp), on every
 * vector of tests/seccomp_vectors.c, the public program run by the cBPF
 * interpreter over struct seccomp_data; cbpf_validate for the kernel's
 * classic rules.  Error cases: the code is the kind of mistake, the
 * position where the offending token is found in the input text (searched
 * for here), and nothing is handed back.  Seeds: BPFC_SECCOMP_SEED.
 */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "seccomp/seccomp.h"
#include "tests/gen/testenv.h"
#include "tests/seccomp_vectors.h"

static const char *const caps_none[] = {NULL};
static const char *const caps_admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", NULL};

struct api_case {
	const char *policy; /* NULL: Docker's profile */
	enum bpfc_seccomp_format format;
	const char *const *caps; /* NULL-ended; NULL: Docker's default */
	unsigned kmajor, kminor;
	const char *arches[4]; /* NULL-ended */
	int null_options;      /* pass NULL options (then all above are defaults) */
};

static const struct api_case api_cases[] = {
	{NULL, BPFC_SECCOMP_AUTO, NULL, 6, 1, {"x86_64"}, 0},
	{NULL, BPFC_SECCOMP_JSON, NULL, 6, 1, {NULL}, 0},
	{NULL, BPFC_SECCOMP_AUTO, caps_admin, 4, 19, {"amd64", "x86", NULL}, 0},
	{NULL, BPFC_SECCOMP_AUTO, caps_none, 5, 10, {"aarch64", "SCMP_ARCH_ARM", NULL}, 0},
	{NULL, BPFC_SECCOMP_AUTO, NULL, 0, 0, {NULL}, 1},
	{"default errno EPERM\n"
	 "allow read write close exit_group\n"
	 "allow socket if arg0 != 40\n"
	 "allow personality if arg0 == 0 || arg0 == 8\n"
	 "errno ENOSYS clone3\n"
	 "kill ptrace\n",
	 BPFC_SECCOMP_AUTO, NULL, 0, 0, {NULL}, 1},
	{"  # leading blanks and a comment\n"
	 "default allow\n"
	 "trap mmap if arg2 > 0x100000000 && arg3 <= 7\n"
	 "errno EACCES openat if arg2 & 3 == 1\n"
	 "log getpid\n"
	 "x32 errno 38\n",
	 BPFC_SECCOMP_TEXT, NULL, 0, 0, {"x86_64", "x86", "s390x", NULL}, 0},
	{"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
	 " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\"],\n"
	 " \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
	 "  {\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
	 "   \"args\": [{\"index\": 1, \"value\": 21505, \"op\": \"SCMP_CMP_EQ\"}]}]}\n",
	 BPFC_SECCOMP_AUTO, NULL, 0, 0, {NULL}, 0},
};

/* The public options of a case and, built independently, the stage's. */
static void
api_options(const struct api_case *c, struct bpfc_seccomp_options *po,
	    struct seccomp_options *so)
{
	bpfc_seccomp_options_init(po);
	seccomp_options_init(so);
	po->format = c->format;
	if (c->caps != NULL) {
		while (c->caps[po->ncaps] != NULL)
			po->ncaps++;
		po->caps = so->caps = c->caps;
		so->ncaps = po->ncaps;
	}
	po->kernel_major = so->kernel_major = c->kmajor;
	po->kernel_minor = so->kernel_minor = c->kminor;
	while (c->arches[po->narches] != NULL) {
		const char *a = c->arches[po->narches];
		so->arches[so->narches] = seccomp_arch_token(a, strlen(a));
		ck_assert_uint_ne(so->arches[so->narches], 0);
		so->narches++;
		po->narches++;
	}
	po->arches = c->arches;
}

struct api_cmp {
	const struct seccomp_policy *p;
	const struct bpfc_insn *insns;
	int idx;
	uint64_t seed;
	size_t compared;
};

static void
api_compare(void *vctx, const struct seccomp_data *d)
{
	struct api_cmp *c = vctx;
	uint32_t want = seccomp_eval(c->p, d), got = seccomp_vector_run(c->insns, d);
	c->compared++;
	if (want != got) {
		char m[256];
		seccomp_vector_mismatch(m, sizeof(m), d, "policy", want, "bpfc_seccomp_compile", got);
		ck_abort_msg("case %d (seed 0x%llx, BPFC_SECCOMP_SEED): %s", c->idx,
			     (unsigned long long)c->seed, m);
	}
}

START_TEST(api_compile)
{
	const struct api_case *c = &api_cases[_i];
	size_t len = 0;
	char *docker = c->policy == NULL ? seccomp_test_shared("docker-default.json", &len) : NULL;
	if (c->policy == NULL && docker == NULL) {
		printf("skipped: docker-default.json is not under $BPFC_SHARED/seccomp "
		       "(the shared test data is absent)\n");
		return;
	}
	const char *text = c->policy != NULL ? c->policy : docker;
	len = strlen(text);
	struct bpfc_seccomp_options po;
	struct seccomp_options so;
	api_options(c, &po, &so);

	struct bpfc_insn *insns = NULL;
	size_t n = 0;
	struct bpfc_error err;
	int rc = bpfc_seccomp_compile(text, len, c->null_options ? NULL : &po, &insns, &n, &err);
	ck_assert_msg(rc == 0, "case %d: %s", _i, err.msg);
	ck_assert_int_eq(err.code, BPFC_OK);

	/* the stage driven directly: same instructions */
	struct arena a;
	struct seccomp_policy *p;
	struct bpfc_insn *want;
	size_t nwant;
	arena_init(&a);
	diag_init(&err);
	int json = text[strspn(text, " \t\r\n")] == '{';
	ck_assert_int_eq(json ? seccomp_parse_json(&a, text, len, &so, &p, &err)
			      : seccomp_parse_text(&a, text, len, &so, &p, &err),
			 0);
	ck_assert_int_eq(seccomp_codegen(&a, p, &want, &nwant, &err), 0);
	ck_assert_uint_eq(n, nwant);
	ck_assert_msg(memcmp(insns, want, n * sizeof(*insns)) == 0,
		      "case %d: bpfc_seccomp_compile's program is not seccomp_codegen's", _i);

	/* valid, and the policy's meaning everywhere */
	struct bpfc_load_options lo;
	bpfc_load_options_init(&lo);
	ck_assert_msg(cbpf_validate(insns, n, &lo, &err) == 0, "case %d: %s", _i, err.msg);
	struct api_cmp cmp = {p, insns, _i, testenv_seed("BPFC_SECCOMP_SEED", 0xa91) + (uint64_t)_i,
			      0};
	seccomp_vectors(p, cmp.seed, 0, api_compare, &cmp);
	ck_assert_uint_gt(cmp.compared, 1000);
	arena_release(&a);
	free(insns);
	free(docker);
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */

struct api_error_case {
	const char *policy;
	enum bpfc_seccomp_format format;
	const char *arch;   /* one --arch name, or NULL */
	enum bpfc_status code;
	const char *token;  /* where the error points (its first occurrence); NULL:
			     * no position; "" : the end of the text */
};

static const struct api_error_case api_errors[] = {
	{"default allow\nallow read if arg9 == 1\n", BPFC_SECCOMP_AUTO, NULL, BPFC_ESYNTAX,
	 "arg9"},
	{"default allow\nallow nosuchcall_x\n", BPFC_SECCOMP_AUTO, NULL, BPFC_ESEMANTIC,
	 "nosuchcall_x"},
	{"allow read\n", BPFC_SECCOMP_AUTO, NULL, BPFC_ESEMANTIC, ""},
	{"default errno 70000\n", BPFC_SECCOMP_AUTO, NULL, BPFC_ERANGE, "70000"},
	{"{\n \"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [ }\n", BPFC_SECCOMP_AUTO,
	 NULL, BPFC_ESYNTAX, "}"},
	{"{\"defaultAction\": \"SCMP_ACT_NOPE\"}", BPFC_SECCOMP_AUTO, NULL, BPFC_ESEMANTIC,
	 "SCMP_ACT_NOPE"},
	{"default allow\n", BPFC_SECCOMP_JSON, NULL, BPFC_ESYNTAX, "default"},
	{"default allow\n", BPFC_SECCOMP_AUTO, "vax", BPFC_ESEMANTIC, NULL},
	{"default allow\n", (enum bpfc_seccomp_format)7, NULL, BPFC_ERANGE, NULL},
};

START_TEST(api_error)
{
	const struct api_error_case *c = &api_errors[_i];
	struct bpfc_seccomp_options o;
	struct bpfc_error err;
	struct bpfc_insn *insns = (struct bpfc_insn *)&err; /* must be reset */
	size_t n = 99, len = strlen(c->policy);
	const char *arches[1] = {c->arch};

	bpfc_seccomp_options_init(&o);
	o.format = c->format;
	if (c->arch != NULL) {
		o.arches = arches;
		o.narches = 1;
	}
	ck_assert_int_eq(bpfc_seccomp_compile(c->policy, len, &o, &insns, &n, &err), -1);
	ck_assert_ptr_null(insns);
	ck_assert_uint_eq(n, 0);
	ck_assert_msg(err.code == c->code, "case %d: code %d (%s), want %d", _i, (int)err.code,
		      err.msg, (int)c->code);
	ck_assert_msg(err.msg[0] != '\0', "case %d: no message", _i);
	if (c->token == NULL) {
		ck_assert_uint_eq(err.begin, 0);
		ck_assert_uint_eq(err.end, 0);
	} else {
		const char *at = c->token[0] != '\0' ? strstr(c->policy, c->token)
						      : c->policy + len;
		ck_assert_ptr_nonnull(at);
		uint32_t begin = (uint32_t)(at - c->policy);
		ck_assert_msg(err.begin == begin, "case %d: error at %u, want %u (%s)", _i,
			      (unsigned)err.begin, (unsigned)begin, err.msg);
		ck_assert_uint_ge(err.end, err.begin);
		ck_assert_uint_le(err.end, begin + strlen(c->token));
	}
	/* err == NULL is allowed and changes nothing else */
	ck_assert_int_eq(bpfc_seccomp_compile(c->policy, len, &o, &insns, &n, NULL), -1);
	ck_assert_ptr_null(insns);
}
END_TEST

static Suite *
api_suite(void)
{
	Suite *s = suite_create("seccomp-api");
	TCase *tc = tcase_create("compile");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, api_compile, 0, (int)(sizeof(api_cases) / sizeof(api_cases[0])));
	tcase_add_loop_test(tc, api_error, 0, (int)(sizeof(api_errors) / sizeof(api_errors[0])));
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
