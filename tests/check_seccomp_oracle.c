/*
 * check_seccomp_oracle.c: seccomp_eval against libseccomp.
 *
 * The oracle: the same policy built with libseccomp's API (seccomp_init,
 * seccomp_rule_add_array; Docker's profile read here with jansson and
 * moby's and runc's rules, without bpfc's reader), exported with
 * seccomp_export_bpf and run by bpfc's cBPF interpreter over struct
 * seccomp_data (after cbpf_validate accepts it).  The two must give the
 * same action on every vector of tests/seccomp_vectors.c: every syscall
 * number on every architecture of the policy, x32 numbers, foreign and
 * bogus architecture values, and argument vectors at every constant of
 * the policy, its neighbours and high-word variants.
 *
 * Known differences, not tested: rules that overlap with different actions
 * (libseccomp's outcome depends on its tree; seccomp.h); constants above
 * 32 bits on 32-bit architectures (libseccomp compares the low word
 * only); x32_action other than the bad-architecture action (libseccomp
 * has no such setting).
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "seccomp/seccomp.h"
#include "tests/check_seccomp.h"
#include "tests/gen/testenv.h"
#include "tests/seccomp_vectors.h"

/* ---- running libseccomp's program ---------------------------------------- */

struct oracle {
	struct bpfc_insn *insns;
	size_t n;
};

static void
oracle_export(scmp_filter_ctx ctx, struct oracle *o)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(seccomp_export_bpf(ctx, fds[1]), 0);
	close(fds[1]);
	size_t cap = 1 << 16, len = 0;
	uint8_t *raw = malloc(cap);
	ck_assert_ptr_nonnull(raw);
	ssize_t got;
	while ((got = read(fds[0], raw + len, cap - len)) > 0) {
		len += (size_t)got;
		if (len == cap) {
			cap *= 2;
			raw = realloc(raw, cap);
			ck_assert_ptr_nonnull(raw);
		}
	}
	close(fds[0]);
	/* struct sock_filter and struct bpfc_insn share the layout (bpfc.h) */
	o->n = len / sizeof(struct bpfc_insn);
	o->insns = (struct bpfc_insn *)raw;
	struct bpfc_load_options lo;
	struct bpfc_error err;
	bpfc_load_options_init(&lo);
	diag_init(&err);
	ck_assert_msg(cbpf_validate(o->insns, o->n, &lo, &err) == 0,
		      "libseccomp's program fails validation: %s", err.msg);
}

/* ---- the vectors (tests/seccomp_vectors.c) ---------------------------------- */

struct compare_ctx {
	const struct seccomp_policy *p;
	const struct oracle *o;
	const char *what;
	uint64_t seed;
	size_t compared;
};

static void
compare_one(void *vctx, const struct seccomp_data *d)
{
	struct compare_ctx *c = vctx;
	uint32_t want = seccomp_vector_run(c->o->insns, d), got = seccomp_eval(c->p, d);
	c->compared++;
	if (want != got) {
		char m[256];
		seccomp_vector_mismatch(m, sizeof(m), d, "libseccomp", want, "bpfc", got);
		ck_abort_msg("%s (seed 0x%llx, BPFC_SECCOMP_SEED): %s", c->what,
			     (unsigned long long)c->seed, m);
	}
}

/* libseccomp compares x32 arguments as 32-bit values (its x32 is a 32-bit
 * architecture), though the kernel hands x32 filters the full 64-bit
 * registers: bpfc compares all 64 bits there, so the comparison with
 * libseccomp keeps to high words of zero on x32 (x32_is32). */
static void
compare_all(const struct seccomp_policy *p, const struct oracle *o, uint64_t seed,
	    const char *what)
{
	struct compare_ctx c = {p, o, what, seed, 0};
	seccomp_vectors(p, seed, 1, compare_one, &c);
	ck_assert_uint_gt(c.compared, 1000);
}

/* ---- policies built with libseccomp from the model's rules --------------- */

struct conj {
	size_t n;
	struct scmp_arg_cmp c[6];
};

/* The condition in disjunctive normal form, at most `max` conjunctions. */
static size_t
dnf(const struct seccomp_expr *e, struct conj *out, size_t max)
{
	if (e->kind == SECCOMP_EXPR_CMP) {
		ck_assert(max >= 1);
		out[0].n = 1;
		out[0].c[0].arg = e->arg;
		out[0].c[0].op = e->mask == UINT64_MAX ? (enum scmp_compare)e->op
						       : SCMP_CMP_MASKED_EQ;
		ck_assert(e->mask == UINT64_MAX || e->op == SECCOMP_OP_EQ);
		out[0].c[0].datum_a = e->mask == UINT64_MAX ? e->value : e->mask;
		out[0].c[0].datum_b = e->mask == UINT64_MAX ? 0 : e->value;
		return 1;
	}
	if (e->kind == SECCOMP_EXPR_OR) {
		size_t n = dnf(e->left, out, max);
		return n + dnf(e->right, out + n, max - n);
	}
	struct conj l[16], r[16];
	size_t nl = dnf(e->left, l, 16), nr = dnf(e->right, r, 16);
	ck_assert(nl * nr <= max);
	size_t n = 0;
	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < nr; j++) {
			out[n] = l[i];
			ck_assert(out[n].n + r[j].n <= 6);
			memcpy(out[n].c + out[n].n, r[j].c, r[j].n * sizeof(r[j].c[0]));
			out[n].n += r[j].n;
			n++;
		}
	return n;
}

static scmp_filter_ctx
oracle_init(uint32_t dflt, uint32_t badarch, const uint32_t *arches, size_t n)
{
	scmp_filter_ctx ctx = seccomp_init(dflt);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badarch), 0);
	int native_listed = 0;
	for (size_t i = 0; i < n; i++) {
		native_listed |= arches[i] == seccomp_arch_native();
		int rc = seccomp_arch_add(ctx, arches[i]);
		ck_assert(rc == 0 || rc == -EEXIST);
	}
	if (!native_listed)
		ck_assert_int_eq(seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE), 0);
	return ctx;
}

static scmp_filter_ctx
oracle_from_model(const struct seccomp_policy *p)
{
	uint32_t arches[SECCOMP_MAX_ARCHES];
	for (size_t i = 0; i < p->narches; i++)
		arches[i] = p->arches[i].token;
	scmp_filter_ctx ctx = oracle_init(p->default_action, p->badarch_action, arches,
					  p->narches);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct seccomp_rule *r = &p->rules[i];
		struct conj cj[64];
		size_t nc = r->cond != NULL ? dnf(r->cond, cj, 64) : 0;
		for (size_t k = 0; k < r->nnames; k++) {
			int nr = seccomp_syscall_resolve_name(r->names[k].name);
			ck_assert_int_ne(nr, __NR_SCMP_ERROR);
			if (nc == 0) {
				ck_assert_int_eq(seccomp_rule_add(ctx, r->action, nr, 0), 0);
				continue;
			}
			for (size_t j = 0; j < nc; j++) {
				int rc = seccomp_rule_add_array(ctx, r->action, nr,
								(unsigned)cj[j].n, cj[j].c);
				ck_assert_msg(rc == 0, "rule %zu (%s): %d", i, r->names[k].name,
					      rc);
			}
		}
	}
	return ctx;
}

/* Policies without overlapping rules of different actions and, where
 * 32-bit architectures are listed, with 32-bit constants only. */
static const char *const text_policies[] = {
	/* the example */
	"default errno EPERM\n"
	"allow read write close exit_group\n"
	"allow socket if arg0 != 40\n"
	"allow personality if arg0 == 0 || arg0 == 8\n"
	"errno ENOSYS clone3\n"
	"kill ptrace\n",
	/* every action and operator, 64-bit constants, one architecture */
	"arch x86_64\n"
	"default allow\n"
	"kill_thread ptrace\n"
	"kill_process kexec_load\n"
	"trap mmap if arg2 > 0x100000000 && arg3 <= 7\n"
	"errno EACCES openat if arg2 & 3 == 1\n"
	/* 4094: libseccomp refuses ERRNO(4095) with EINVAL, the kernel does not */
	"errno 4094 open if arg1 & 0xffffffff00000000 == 0x100000000\n"
	"log getpid\n"
	/* one argument twice in a conjunction: libseccomp refuses (EINVAL) */
	"trace 7 ioctl if arg1 >= 0x5401 && arg2 < 0x5480\n"
	"notify mkdir if arg1 != 0x1ed\n"
	"errno EPERM kill if arg1 == 9 || arg1 == 15 || (arg0 < 2 && arg1 == -1)\n"
	"trap setsockopt if arg1 == 1 && arg2 == 2 && arg3 > 0xffffffff\n",
	/* several architectures: x32, i386 (multiplexed socket calls), arm */
	"arch x86_64 x86 x32 aarch64 arm\n"
	"default kill\n"
	"allow read write exit_group chown32 _llseek socketcall ipc\n"
	"allow socket connect if arg0 == 2 || arg0 == 10\n"
	"errno EAFNOSUPPORT socket if arg0 == 40\n"
	"errno 38 semop msgget clone3 arch_prctl\n"
	"trap fcntl64 fcntl if arg1 > 1024\n",
	/* a default errno with a broad allow list, bad-architecture trap */
	"arch x86_64 x86\n"
	"badarch trap\n"
	"default errno ENOSYS\n"
	"allow read write readv writev pread64 pwrite64 close fstat newfstatat lseek mmap \\\n"
	"  munmap mprotect brk rt_sigaction rt_sigprocmask rt_sigreturn getpid gettid \\\n"
	"  exit exit_group futex nanosleep clock_gettime clock_nanosleep getrandom\n"
	"allow prctl if arg0 == 38 || arg0 == 22\n"
	"allow madvise if arg2 & 0xffffff00 == 0\n",
};

START_TEST(oracle_text)
{
	struct arena a;
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p;
	const char *text = text_policies[_i];
	arena_init(&a);
	seccomp_options_init(&o);
	diag_init(&err);
	ck_assert_msg(seccomp_parse_text(&a, text, strlen(text), &o, &p, &err) == 0, "%s",
		      err.msg);
	scmp_filter_ctx ctx = oracle_from_model(p);
	struct oracle orc;
	oracle_export(ctx, &orc);
	char what[64];
	snprintf(what, sizeof(what), "text policy %d", _i);
	compare_all(p, &orc, testenv_seed("BPFC_SECCOMP_SEED", 0x0eac1e) + (uint64_t)_i, what);
	free(orc.insns);
	seccomp_release(ctx);
	arena_release(&a);
}
END_TEST

/* ---- Docker's profile, read here as moby and runc read it ------------------ */

struct docker_conf {
	const char *native;	     /* moby's name of the primary architecture */
	const char *scmp;	     /* its SCMP_ARCH_ name in archMap */
	const char *const *caps; /* NULL-ended */
	unsigned kmajor, kminor;
};

static int
in_list(const json_t *list, const char *s)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (json_string_value(json_array_get(list, i)) != NULL &&
		    strcmp(json_string_value(json_array_get(list, i)), s) == 0)
			return 1;
	return 0;
}

static int
has_cap(const struct docker_conf *c, const char *cap)
{
	for (size_t i = 0; c->caps[i] != NULL; i++)
		if (strcmp(c->caps[i], cap) == 0)
			return 1;
	return 0;
}

static int
kernel_ge(const struct docker_conf *c, const json_t *v)
{
	unsigned maj = 0, min = 0;
	ck_assert_int_eq(sscanf(json_string_value(v), "%u.%u", &maj, &min), 2);
	return c->kmajor > maj || (c->kmajor == maj && c->kminor >= min);
}

/* moby's setupSeccomp filter for one syscalls[] entry. */
static int
docker_applies(const struct docker_conf *c, const json_t *call)
{
	const json_t *inc = json_object_get(call, "includes");
	const json_t *exc = json_object_get(call, "excludes");
	if (in_list(json_object_get(exc, "arches"), c->native))
		return 0;
	const json_t *caps = json_object_get(exc, "caps");
	for (size_t i = 0; i < json_array_size(caps); i++)
		if (has_cap(c, json_string_value(json_array_get(caps, i))))
			return 0;
	if (json_object_get(exc, "minKernel") && kernel_ge(c, json_object_get(exc, "minKernel")))
		return 0;
	const json_t *arches = json_object_get(inc, "arches");
	if (json_array_size(arches) > 0 && !in_list(arches, c->native))
		return 0;
	caps = json_object_get(inc, "caps");
	for (size_t i = 0; i < json_array_size(caps); i++)
		if (!has_cap(c, json_string_value(json_array_get(caps, i))))
			return 0;
	if (json_object_get(inc, "minKernel") && !kernel_ge(c, json_object_get(inc, "minKernel")))
		return 0;
	return 1;
}

static uint32_t
docker_action(const char *s, const json_t *ret)
{
	uint32_t data = ret != NULL ? (uint32_t)json_integer_value(ret) : 1; /* EPERM */
	if (strcmp(s, "SCMP_ACT_ALLOW") == 0)
		return SCMP_ACT_ALLOW;
	if (strcmp(s, "SCMP_ACT_ERRNO") == 0)
		return SCMP_ACT_ERRNO(data);
	if (strcmp(s, "SCMP_ACT_KILL") == 0 || strcmp(s, "SCMP_ACT_KILL_THREAD") == 0)
		return SCMP_ACT_KILL;
	if (strcmp(s, "SCMP_ACT_KILL_PROCESS") == 0)
		return SCMP_ACT_KILL_PROCESS;
	if (strcmp(s, "SCMP_ACT_TRAP") == 0)
		return SCMP_ACT_TRAP;
	if (strcmp(s, "SCMP_ACT_LOG") == 0)
		return SCMP_ACT_LOG;
	if (strcmp(s, "SCMP_ACT_TRACE") == 0)
		return SCMP_ACT_TRACE(data);
	ck_abort_msg("unexpected action %s", s);
	return 0;
}

/* libseccomp's token for "SCMP_ARCH_X86_64": the name lower-cased. */
static uint32_t
scmp_token(const char *scmp)
{
	char lower[32];
	const char *s = scmp + 10;
	size_t m = 0;
	for (; s[m] && m + 1 < sizeof(lower); m++)
		lower[m] = (char)(s[m] >= 'A' && s[m] <= 'Z' ? s[m] - 'A' + 'a' : s[m]);
	lower[m] = '\0';
	uint32_t t = seccomp_arch_resolve_name(lower);
	ck_assert_msg(t != 0, "libseccomp does not know %s", scmp);
	return t;
}

static scmp_filter_ctx
docker_oracle(const char *text, size_t len, const struct docker_conf *c, uint32_t *arches,
	      size_t *narches)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je);
	ck_assert_ptr_nonnull(root);
	uint32_t dflt = docker_action(json_string_value(json_object_get(root, "defaultAction")),
				      json_object_get(root, "defaultErrnoRet"));
	*narches = 0;
	const json_t *map = json_object_get(root, "archMap");
	for (size_t i = 0; i < json_array_size(map); i++) {
		const json_t *e = json_array_get(map, i);
		if (strcmp(json_string_value(json_object_get(e, "architecture")), c->scmp) != 0)
			continue;
		arches[(*narches)++] = scmp_token(c->scmp);
		const json_t *subs = json_object_get(e, "subArchitectures");
		for (size_t k = 0; k < json_array_size(subs); k++)
			arches[(*narches)++] = scmp_token(json_string_value(json_array_get(subs, k)));
	}
	scmp_filter_ctx ctx = oracle_init(dflt, SCMP_ACT_KILL_PROCESS, arches, *narches);
	const json_t *calls = json_object_get(root, "syscalls");
	for (size_t i = 0; i < json_array_size(calls); i++) {
		const json_t *call = json_array_get(calls, i);
		if (!docker_applies(c, call))
			continue;
		uint32_t act = docker_action(json_string_value(json_object_get(call, "action")),
					     json_object_get(call, "errnoRet"));
		if (act == dflt) /* runc: redundant, skipped */
			continue;
		const json_t *args = json_object_get(call, "args");
		struct scmp_arg_cmp cmp[6];
		size_t nargs = json_array_size(args);
		ck_assert(nargs <= 6);
		for (size_t k = 0; k < nargs; k++) {
			const json_t *ar = json_array_get(args, k);
			const char *op = json_string_value(json_object_get(ar, "op"));
			static const char *const ops[] = {"", "SCMP_CMP_NE", "SCMP_CMP_LT",
							  "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
							  "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
			cmp[k].arg = (unsigned)json_integer_value(json_object_get(ar, "index"));
			cmp[k].op = 0;
			for (int m = 1; m < 8; m++)
				if (strcmp(op, ops[m]) == 0)
					cmp[k].op = (enum scmp_compare)m;
			ck_assert_int_ne(cmp[k].op, 0);
			cmp[k].datum_a = (uint64_t)json_integer_value(json_object_get(ar, "value"));
			cmp[k].datum_b =
				(uint64_t)json_integer_value(json_object_get(ar, "valueTwo"));
		}
		const json_t *names = json_object_get(call, "names");
		for (size_t k = 0; k < json_array_size(names); k++) {
			int nr = seccomp_syscall_resolve_name(
				json_string_value(json_array_get(names, k)));
			if (nr == __NR_SCMP_ERROR) /* runc ignores unknown names */
				continue;
			int rc = seccomp_rule_add_array(ctx, act, nr, (unsigned)nargs, cmp);
			ck_assert_msg(rc == 0, "%s: %d", json_string_value(json_array_get(names, k)),
				      rc);
		}
	}
	json_decref(root);
	return ctx;
}

static const char *const caps_admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_KILL", NULL};

static const struct docker_conf docker_confs[] = {
	{"amd64", "SCMP_ARCH_X86_64", seccomp_docker_caps, 6, 1},
	{"amd64", "SCMP_ARCH_X86_64", caps_admin, 4, 7},
	{"arm64", "SCMP_ARCH_AARCH64", seccomp_docker_caps, 5, 10},
};

/* Both programs' size and instructions executed per allowed syscall of
 * each architecture, printed side by side (a measurement, not asserted:
 * the README's comparison with libseccomp comes from here). */
static void
oracle_sizes(struct arena *a, const struct seccomp_policy *p, const struct oracle *orc,
	     const char *what)
{
	struct bpfc_insn *insns;
	size_t n;
	struct seccomp_stats ours, theirs;
	struct bpfc_error err;

	diag_init(&err);
	ck_assert_msg(seccomp_codegen(a, p, &insns, &n, &err) == 0, "%s", err.msg);
	ck_assert_msg(seccomp_stats(a, p, insns, n, &ours, &err) == 0, "%s", err.msg);
	if (seccomp_stats(a, p, orc->insns, orc->n, &theirs, &err) < 0) {
		printf("%s: libseccomp %zu instructions (not walked: %s), bpfc %zu\n", what,
		       orc->n, err.msg, n);
		return;
	}
	for (size_t i = 0; i < ours.narches && i < theirs.narches; i++)
		printf("%s, %s: executed per allowed syscall, avg: libseccomp %.2f, bpfc %.2f "
		       "(instructions for all its arches: libseccomp %zu, bpfc %zu)\n",
		       what, ours.arches[i].name, theirs.arches[i].allowed_avg,
		       ours.arches[i].allowed_avg, orc->n, n);
}

START_TEST(oracle_docker)
{
	size_t len;
	char *text = seccomp_test_shared("docker-default.json", &len);
	if (text == NULL) {
		printf("skipped: docker-default.json is not under $BPFC_SHARED/seccomp "
		       "(the shared test data is absent)\n");
		return;
	}
	const struct docker_conf *c = &docker_confs[_i];
	uint32_t arches[SECCOMP_MAX_ARCHES];
	size_t narches;
	scmp_filter_ctx ctx = docker_oracle(text, len, c, arches, &narches);
	struct oracle orc;
	oracle_export(ctx, &orc);

	struct arena a;
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p;
	size_t ncaps = 0;
	while (c->caps[ncaps] != NULL)
		ncaps++;
	arena_init(&a);
	seccomp_options_init(&o);
	o.caps = c->caps;
	o.ncaps = ncaps;
	o.kernel_major = c->kmajor;
	o.kernel_minor = c->kminor;
	/* the primary architecture; its sub-architectures come from archMap */
	o.narches = 0;
	diag_init(&err);
	if (seccomp_arch_native() != arches[0]) {
		/* bpfc takes the list from the caller then */
		o.narches = narches;
		memcpy(o.arches, arches, narches * sizeof(arches[0]));
	}
	ck_assert_msg(seccomp_parse_json(&a, text, len, &o, &p, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(p->narches, narches);
	char what[64];
	snprintf(what, sizeof(what), "docker profile, %s, kernel %u.%u", c->native, c->kmajor,
		 c->kminor);
	compare_all(p, &orc, testenv_seed("BPFC_SECCOMP_SEED", 0xd0c) + (uint64_t)_i, what);
	oracle_sizes(&a, p, &orc, what);
	free(orc.insns);
	seccomp_release(ctx);
	arena_release(&a);
	free(text);
}
END_TEST

Suite *
seccomp_oracle_suite(void)
{
	Suite *s = suite_create("seccomp-libseccomp");
	TCase *tc = tcase_create("oracle");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, oracle_text, 0,
			    (int)(sizeof(text_policies) / sizeof(text_policies[0])));
	tcase_add_loop_test(tc, oracle_docker, 0,
			    (int)(sizeof(docker_confs) / sizeof(docker_confs[0])));
	suite_add_tcase(s, tc);
	return s;
}
