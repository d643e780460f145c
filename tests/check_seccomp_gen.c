/*
 * check_seccomp_gen.c: seccomp_codegen (seccomp/gen*.c).
 *
 * Oracles: seccomp_eval, the policy's meaning computed from the parsed
 * model with no code generation (checked against libseccomp's own filters
 * by check_seccomp), for every vector of tests/seccomp_vectors.c, with the
 * generated program run by bpfc's cBPF interpreter over struct
 * seccomp_data laid out as the kernel does (u64 in the arch's byte order);
 * cbpf_validate for the kernel's classic rules; the kernel itself in the
 * live test (a forked child under the filter: errno, SIGSYS, success).
 * The action-cache check asks, from the model alone, which numbers are
 * allowed whatever the arguments, and walks the program from its entry
 * with only nr and arch known: the walk must reach `ret ALLOW` through
 * cache-friendly instructions only.  Random policies are seeded
 * (BPFC_SECCOMP_SEED) and printed on failure.  Docker's profile figures
 * are printed, never asserted.
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "cbpf/cbpf.h"
#include "seccomp/seccomp.h"
#include "tests/check_seccomp.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"
#include "tests/seccomp_vectors.h"

#if defined(__SANITIZE_ADDRESS__)
#define GEN_RANDOM_POLICIES 60
#else
#define GEN_RANDOM_POLICIES 300
#endif

/* ---- running the program as the kernel would -------------------------------- */

static void
put32(uint8_t *p, uint32_t v)
{
	/* cbpf_run loads words big-endian (libpcap's semantics); the kernel
	 * loads them in host order: store each word so the load sees it */
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v, int le)
{
	put32(p + (le ? 0 : 4), (uint32_t)v);
	put32(p + (le ? 4 : 0), (uint32_t)(v >> 32));
}

static uint32_t
run_prog(const struct bpfc_insn *insns, const struct seccomp_data *d)
{
	uint8_t buf[sizeof(struct seccomp_data)];
	int le = (d->arch & __AUDIT_ARCH_LE) != 0;
	put32(buf, (uint32_t)d->nr);
	put32(buf + 4, d->arch);
	put64(buf + 8, d->instruction_pointer, le);
	for (int i = 0; i < 6; i++)
		put64(buf + 16 + 8 * i, d->args[i], le);
	return cbpf_run(insns, buf, sizeof(buf), sizeof(buf));
}

struct cmp_ctx {
	const struct seccomp_policy *p;
	const struct bpfc_insn *insns;
	const char *what;
	uint64_t seed;
	size_t compared;
};

static void
cmp_vector(void *vctx, const struct seccomp_data *d)
{
	struct cmp_ctx *c = vctx;
	uint32_t want = seccomp_eval(c->p, d), got = run_prog(c->insns, d);
	c->compared++;
	if (want != got) {
		char w[32], g[32];
		seccomp_action_name(want, w, sizeof(w));
		seccomp_action_name(got, g, sizeof(g));
		ck_abort_msg("%s (seed 0x%llx, BPFC_SECCOMP_SEED): arch 0x%08x nr %d (0x%x) "
			     "args %llx %llx %llx %llx %llx %llx: policy %s, program %s",
			     c->what, (unsigned long long)c->seed, (unsigned)d->arch, d->nr,
			     (unsigned)d->nr, (unsigned long long)d->args[0],
			     (unsigned long long)d->args[1], (unsigned long long)d->args[2],
			     (unsigned long long)d->args[3], (unsigned long long)d->args[4],
			     (unsigned long long)d->args[5], w, g);
	}
}

/* ---- the action cache's view ---------------------------------------------- */

/* Whether the model allows nr on arch whatever the arguments: an
 * unconditional allow and no rule of another action, or no rule and a
 * default allow. */
static int
model_allows_outright(const struct seccomp_policy *p, const struct seccomp_call *c)
{
	if (c == NULL)
		return p->default_action == SECCOMP_RET_ALLOW;
	int uncond = 0;
	for (size_t i = 0; i < c->nrules; i++) {
		if (c->rules[i]->action != SECCOMP_RET_ALLOW)
			return 0;
		uncond |= c->rules[i]->cond == NULL;
	}
	return uncond;
}

/* Walk from the entry knowing nr and arch only, as the kernel's cache
 * emulation does; 1 when the path reaches `ret ALLOW` using only loads of
 * nr/arch, jeq/jgt/jge/jset with constants, ja and ret. */
static int
cache_walk(const struct bpfc_insn *insns, size_t n, uint32_t arch, uint32_t nr)
{
	uint32_t A = 0;
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpfc_insn *x = &insns[pc];
		switch (x->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (x->k != 0 && x->k != 4)
				return 0;
			A = x->k == 0 ? nr : arch;
			break;
		case BPF_JMP | BPF_JA: pc += x->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += A == x->k ? x->jt : x->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += A > x->k ? x->jt : x->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += A >= x->k ? x->jt : x->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (A & x->k) ? x->jt : x->jf; break;
		case BPF_RET | BPF_K: return x->k == SECCOMP_RET_ALLOW;
		default: return 0;
		}
	}
	return 0;
}

static void
check_cache_paths(const struct seccomp_policy *p, const struct bpfc_insn *insns, size_t n,
		  const char *what)
{
	for (size_t i = 0; i < p->narches; i++) {
		const struct seccomp_arch *a = &p->arches[i];
		for (size_t k = 0; k < a->ncalls; k++) {
			if (!model_allows_outright(p, &a->calls[k]))
				continue;
			ck_assert_msg(cache_walk(insns, n, a->audit, a->calls[k].nr),
				      "%s: %s nr %u is allowed outright but its path is not "
				      "cache-friendly",
				      what, a->name, (unsigned)a->calls[k].nr);
		}
		/* numbers nobody names: the default, also through the cache */
		uint32_t base = a->x32 ? SECCOMP_X32_BIT : 0;
		for (uint32_t nr = base, k = 0; nr < base + 1100; nr++) {
			while (k < a->ncalls && a->calls[k].nr < nr)
				k++;
			if (k < a->ncalls && a->calls[k].nr == nr)
				continue;
			if (model_allows_outright(p, NULL))
				ck_assert_msg(cache_walk(insns, n, a->audit, nr),
					      "%s: %s nr %u (default allow) not cache-friendly",
					      what, a->name, (unsigned)nr);
		}
	}
}

/* ---- one policy, all checks ----------------------------------------------- */

static size_t
check_policy(const struct seccomp_policy *p, const char *what, uint64_t seed)
{
	struct arena a;
	struct bpfc_error err;
	struct bpfc_insn *insns;
	size_t n;
	arena_init(&a);
	diag_init(&err);
	ck_assert_msg(seccomp_codegen(&a, p, &insns, &n, &err) == 0, "%s: %s", what, err.msg);
	struct bpfc_load_options lo;
	bpfc_load_options_init(&lo);
	ck_assert_msg(cbpf_validate(insns, n, &lo, &err) == 0, "%s: %s", what, err.msg);
	ck_assert_uint_le(n, 4096);
	for (size_t i = 0; i < n; i++)
		if (BPF_CLASS(insns[i].code) == BPF_LD)
			ck_assert_msg(insns[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
					      insns[i].k < sizeof(struct seccomp_data) &&
					      insns[i].k % 4 == 0,
				      "%s: insn %zu is no seccomp load", what, i);
	struct cmp_ctx c = {p, insns, what, seed, 0};
	seccomp_vectors(p, seed, 0, cmp_vector, &c);
	ck_assert_uint_gt(c.compared, 1000);
	check_cache_paths(p, insns, n, what);
	arena_release(&a);
	return n;
}

static struct seccomp_policy *
parse_text(struct arena *a, const char *text)
{
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p = NULL;
	seccomp_options_init(&o);
	diag_init(&err);
	ck_assert_msg(seccomp_parse_text(a, text, strlen(text), &o, &p, &err) == 0,
		      "%s\n--\n%s", err.msg, text);
	return p;
}

static const char *const text_policies[] = {
	"default errno EPERM\n"
	"allow read write close exit_group\n"
	"allow socket if arg0 != 40\n"
	"allow personality if arg0 == 0 || arg0 == 8\n"
	"errno ENOSYS clone3\n"
	"kill ptrace\n",
	"arch x86_64\n"
	"default allow\n"
	"kill_thread ptrace\n"
	"kill_process kexec_load\n"
	"trap mmap if arg2 > 0x100000000 && arg3 <= 7\n"
	"errno EACCES openat if arg2 & 3 == 1\n"
	"errno 4095 open if arg1 & 0xffffffff00000000 == 0x100000000\n"
	"log getpid\n"
	"trace 7 ioctl if arg1 >= 0x5401 && arg1 < 0x5480\n"
	"notify mkdir if arg1 != 0x1ed\n"
	"errno EPERM kill if arg1 == 9 || arg1 == 15 || (arg0 < 2 && arg1 == -1)\n"
	"trap setsockopt if arg1 == 1 && arg2 == 2 && arg3 > 0xffffffff\n",
	"arch x86_64 x86 x32 aarch64 arm\n"
	"default kill\n"
	"allow read write exit_group chown32 _llseek socketcall ipc\n"
	"allow socket connect if arg0 == 2 || arg0 == 10\n"
	"errno EAFNOSUPPORT socket if arg0 == 40\n"
	"errno 38 semop msgget clone3 arch_prctl\n"
	"trap fcntl64 fcntl if arg1 > 1024\n",
	/* x32's own action, big-endian architectures, masked orders */
	"arch x86_64 s390x ppc64 mips\n"
	"x32 errno 38\n"
	"badarch trap\n"
	"default errno ENOSYS\n"
	"allow read write close if arg0 & 0xff00 <= 0x400\n"
	"allow mmap if arg2 & 0xffff00000000 > 0x500000000 || arg3 & 0xf0 >= 0x20\n"
	"allow madvise if arg2 & 0xffffff00 == 0 && arg0 < 0xffffffff00000000\n"
	"log getppid if arg5 >= 0x1ffffffff\n"
	"allow getppid\n",
	/* overlapping rules: precedence, ties by order */
	"arch x86_64 x86\n"
	"default allow\n"
	"errno 1 openat if arg2 == 0\n"
	"errno 2 openat if arg1 < 100\n"
	"trap openat if arg3 == 5\n"
	"allow openat\n"
	"kill_thread write if arg0 == 2\n"
	"log write\n"
	"errno 5 read if arg0 != 0\n"
	"errno 6 read\n",
};

START_TEST(gen_text)
{
	struct arena a;
	arena_init(&a);
	struct seccomp_policy *p = parse_text(&a, text_policies[_i]);
	char what[64];
	snprintf(what, sizeof(what), "text policy %d", _i);
	check_policy(p, what, testenv_seed("BPFC_SECCOMP_SEED", 0x5eed) + (uint64_t)_i);
	arena_release(&a);
}
END_TEST

/* ---- Docker's profile ------------------------------------------------------- */

static const char *const caps_admin[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_KILL", NULL};

struct docker_case {
	const char *const *caps; /* NULL: Docker's defaults */
	unsigned kmajor, kminor;
	const char *arches; /* comma-separated; NULL: the host's and its subs */
};

static const struct docker_case docker_cases[] = {
	{NULL, 6, 1, NULL},
	{NULL, 6, 1, "x86_64"},
	{caps_admin, 4, 7, NULL},
	{NULL, 5, 10, "aarch64,arm"},
	{NULL, 6, 1, "s390x,s390"},
	{NULL, 6, 1, "ppc64le"},
};

static struct seccomp_policy *
parse_docker(struct arena *a, const struct docker_case *c, char **textp)
{
	size_t len;
	char *text = seccomp_test_shared("docker-default.json", &len);
	if (text == NULL) {
		printf("skipped: docker-default.json is not under $BPFC_SHARED/seccomp "
		       "(the shared test data is absent)\n");
		*textp = NULL;
		return NULL;
	}
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p = NULL;
	seccomp_options_init(&o);
	if (c->caps != NULL) {
		o.caps = c->caps;
		while (c->caps[o.ncaps] != NULL)
			o.ncaps++;
	}
	o.kernel_major = c->kmajor;
	o.kernel_minor = c->kminor;
	for (const char *s = c->arches; s != NULL && *s;) {
		size_t m = strcspn(s, ",");
		o.arches[o.narches] = seccomp_arch_token(s, m);
		ck_assert_uint_ne(o.arches[o.narches], 0);
		o.narches++;
		s += m + (s[m] == ',');
	}
	diag_init(&err);
	ck_assert_msg(seccomp_parse_json(a, text, len, &o, &p, &err) == 0, "%s", err.msg);
	*textp = text;
	return p;
}

START_TEST(gen_docker)
{
	const struct docker_case *c = &docker_cases[_i];
	struct arena a;
	char *text;
	arena_init(&a);
	struct seccomp_policy *p = parse_docker(&a, c, &text);
	if (p == NULL) {
		arena_release(&a);
		return;
	}
	char what[96];
	snprintf(what, sizeof(what), "docker profile %d (%s, kernel %u.%u)", _i,
		 c->arches ? c->arches : "host", c->kmajor, c->kminor);
	size_t n = check_policy(p, what, testenv_seed("BPFC_SECCOMP_SEED", 0xd0c) + (uint64_t)_i);
	printf("%s: %zu instructions\n", what, n);
	arena_release(&a);
	free(text);
}
END_TEST

/* The figures, printed (measured, never asserted): Docker's
 * profile, x86_64 only and with its sub-architectures. */
START_TEST(gen_docker_stats)
{
	struct arena a;
	char *text;
	arena_init(&a);
	struct seccomp_policy *p = parse_docker(&a, &docker_cases[_i], &text);
	if (p == NULL) {
		arena_release(&a);
		return;
	}
	struct bpfc_insn *insns;
	size_t n;
	struct bpfc_error err;
	struct seccomp_stats st;
	diag_init(&err);
	ck_assert_msg(seccomp_codegen(&a, p, &insns, &n, &err) == 0, "%s", err.msg);
	ck_assert_msg(seccomp_stats(&a, p, insns, n, &st, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(st.ninsns, n);
	printf("docker-default.json, default caps, kernel 6.1, arches %s: %zu instructions\n",
	       docker_cases[_i].arches ? docker_cases[_i].arches : "host+subs", n);
	for (size_t i = 0; i < st.narches; i++) {
		const struct seccomp_arch_stats *s = &st.arches[i];
		printf("  %-8s %zu calls: executed min/avg/max %u/%.2f/%u; %zu allowed: "
		       "%u/%.2f/%u; %zu cacheable\n",
		       s->name, s->ncalls, s->min, s->avg, s->max, s->nallowed, s->allowed_min,
		       s->allowed_avg, s->allowed_max, s->ncacheable);
		/* cacheable: every number the model allows outright, no other */
		size_t outright = 0;
		for (size_t k = 0; k < p->arches[i].ncalls; k++)
			outright += model_allows_outright(p, &p->arches[i].calls[k]);
		ck_assert_uint_eq(s->ncacheable, outright);
	}
	arena_release(&a);
	free(text);
}
END_TEST

/* ---- random policies ---------------------------------------------------------- */

static const char *const rnd_names[] = {
	"read",	  "write", "open",   "close",  "stat",	   "fstat",	"mmap",	  "mprotect",
	"munmap", "brk",   "ioctl",  "pread64", "readv",   "writev",	"access", "pipe",
	"select", "dup",   "dup2",   "socket", "connect",  "accept",	"sendto", "recvfrom",
	"clone",  "fork",  "execve", "kill",   "fcntl",	   "flock",	"getpid", "getppid",
	"openat", "prctl", "ptrace", "setuid", "personality", "futex",	"clone3", "uname",
};

static const char *const rnd_actions[] = {
	"allow", "allow", "allow", "kill", "kill_thread", "trap", "errno 13", "errno 4095",
	"errno ENOSYS", "trace 9", "log", "notify",
};

static const char *const rnd_ops[] = {"==", "!=", "<", "<=", ">", ">="};

static uint64_t
rnd_const(struct rng *r, const uint64_t *pool, size_t npool)
{
	switch (rng_below(r, 5)) {
	case 0: return rng_below(r, 16);
	case 1: return rng_next(r);
	case 2: return (uint64_t)rng_below(r, 4) << 32 | rng_below(r, 3);
	default: return pool[rng_below(r, (uint32_t)npool)];
	}
}

static void
rnd_cond(struct strbuf *b, struct rng *r, int depth, const uint64_t *pool, size_t npool)
{
	if (depth > 0 && rng_chance(r, 1, 2)) {
		strbuf_puts(b, "(");
		rnd_cond(b, r, depth - 1, pool, npool);
		strbuf_puts(b, rng_chance(r, 1, 2) ? " && " : " || ");
		rnd_cond(b, r, depth - 1, pool, npool);
		strbuf_puts(b, ")");
		return;
	}
	strbuf_printf(b, "arg%u ", rng_below(r, 6));
	if (rng_chance(r, 1, 4))
		strbuf_printf(b, "& 0x%llx ", (unsigned long long)rnd_const(r, pool, npool));
	strbuf_printf(b, "%s 0x%llx", rnd_ops[rng_below(r, 6)],
		      (unsigned long long)rnd_const(r, pool, npool));
}

static char *
rnd_policy(struct rng *r)
{
	static const char *const arch_lines[] = {
		"arch x86_64\n", "arch x86_64 x32 x86\n", "arch aarch64 arm\n",
		"arch s390x ppc64 x86_64\n", "arch x86 mips\n",
	};
	uint64_t pool[8];
	for (size_t i = 0; i < 8; i++)
		pool[i] = rng_next(r) >> rng_below(r, 64);
	struct strbuf b;
	strbuf_init(&b);
	strbuf_puts(&b, arch_lines[rng_below(r, 5)]);
	strbuf_printf(&b, "default %s\n", rnd_actions[rng_below(r, 12)]);
	if (rng_chance(r, 1, 2))
		strbuf_printf(&b, "x32 %s\n", rnd_actions[rng_below(r, 12)]);
	if (rng_chance(r, 1, 2))
		strbuf_printf(&b, "badarch %s\n", rnd_actions[rng_below(r, 12)]);
	unsigned nrules = 1 + rng_below(r, rng_chance(r, 1, 4) ? 120 : 25);
	for (unsigned i = 0; i < nrules; i++) {
		strbuf_printf(&b, "%s", rnd_actions[rng_below(r, 12)]);
		unsigned nn = 1 + rng_below(r, 4);
		for (unsigned k = 0; k < nn; k++)
			strbuf_printf(&b, " %s", rnd_names[rng_below(r, 40)]);
		if (rng_chance(r, 2, 3)) {
			strbuf_puts(&b, " if ");
			rnd_cond(&b, r, 2, pool, 8);
		}
		strbuf_puts(&b, "\n");
	}
	return strbuf_take(&b);
}

START_TEST(gen_random)
{
	uint64_t seed0 = testenv_seed("BPFC_SECCOMP_SEED", 0x7a11d);
	size_t count = (size_t)(GEN_RANDOM_POLICIES * testenv_scale());
	size_t longest = 0;
	for (size_t i = 0; i < count; i++) {
		struct rng r;
		uint64_t seed = seed0 + i;
		rng_seed(&r, seed);
		char *text = rnd_policy(&r);
		struct arena a;
		arena_init(&a);
		struct seccomp_policy *p = parse_text(&a, text);
		char what[64];
		snprintf(what, sizeof(what), "random policy %zu", i);
		size_t n = check_policy(p, what, seed);
		longest = n > longest ? n : longest;
		arena_release(&a);
		free(text);
	}
	printf("random policies: %zu, longest program %zu instructions\n", count, longest);
	/* the set must exercise jumps beyond 255 (trampolines) */
	ck_assert_uint_gt(longest, 300);
}
END_TEST

/* ---- live: the kernel runs the filter ---------------------------------------- */

/* What a child under the filter does, and what the kernel must make of
 * it: the expected outcome is the policy's action, read by the kernel. */
enum live_call { LIVE_GETPID, LIVE_GETPPID, LIVE_UNAME, LIVE_DUP_BAD, LIVE_DUP_OK };

static long
live_do(enum live_call c)
{
	switch (c) {
	case LIVE_GETPID: return syscall(SYS_getpid);
	case LIVE_GETPPID: return syscall(SYS_getppid);
	case LIVE_UNAME: return syscall(SYS_uname, NULL);
	case LIVE_DUP_BAD: return syscall(SYS_dup, 12345);
	case LIVE_DUP_OK: return syscall(SYS_dup, 0);
	}
	return -1;
}

/* Child: install, call, exit with 0 on success, 100 + errno on failure;
 * 90 + n when installing failed. */
static int
live_child(const struct bpfc_insn *insns, size_t n, enum live_call c)
{
	struct sock_fprog prog = {(unsigned short)n, (struct sock_filter *)(uintptr_t)insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		_exit(91);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		_exit(errno == EINVAL ? 92 : 93);
	long r = live_do(c);
	_exit(r >= 0 ? 0 : 100 + (errno & 0x7f));
}

START_TEST(gen_live)
{
	const char *text = "default allow\n"
			   "errno EXDEV getppid\n"
			   "kill_process uname\n"
			   "errno EPERM dup if arg0 == 12345\n";
	struct arena a;
	arena_init(&a);
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p = NULL;
	seccomp_options_init(&o); /* the host's architecture */
	diag_init(&err);
	ck_assert_msg(seccomp_parse_text(&a, text, strlen(text), &o, &p, &err) == 0, "%s",
		      err.msg);
	struct bpfc_insn *insns;
	size_t n;
	ck_assert_msg(seccomp_codegen(&a, p, &insns, &n, &err) == 0, "%s", err.msg);
	static const struct {
		enum live_call c;
		int sig, status;
	} cases[] = {
		{LIVE_GETPID, 0, 0},
		{LIVE_GETPPID, 0, 100 + EXDEV},
		{LIVE_UNAME, SIGSYS, 0},
		{LIVE_DUP_BAD, 0, 100 + EPERM},
		{LIVE_DUP_OK, 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			live_child(insns, n, cases[i].c);
		int st;
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		if (WIFEXITED(st) && WEXITSTATUS(st) >= 91 && WEXITSTATUS(st) <= 93) {
			printf("SKIP live seccomp: cannot install a filter (status %d)\n",
			       WEXITSTATUS(st));
			arena_release(&a);
			return;
		}
		if (cases[i].sig != 0)
			ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == cases[i].sig,
				      "case %zu: status 0x%x, want signal %d", i, st, cases[i].sig);
		else
			ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == cases[i].status,
				      "case %zu: status 0x%x, want exit %d", i, st,
				      cases[i].status);
	}
	arena_release(&a);
}
END_TEST

static Suite *
gen_suite(void)
{
	Suite *s = suite_create("seccomp-codegen");
	TCase *tc = tcase_create("gen");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, gen_text, 0,
			    (int)(sizeof(text_policies) / sizeof(text_policies[0])));
	tcase_add_loop_test(tc, gen_docker, 0,
			    (int)(sizeof(docker_cases) / sizeof(docker_cases[0])));
	tcase_add_loop_test(tc, gen_docker_stats, 0, 2);
	tcase_add_test(tc, gen_random);
	tcase_add_test(tc, gen_live);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(gen_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
