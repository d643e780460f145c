/*
 * check_seccomp.c: the seccomp policy parsers (seccomp/seccomp.h).
 *
 * Every expectation comes from outside bpfc: actions and errno values from
 * the kernel's <linux/seccomp.h> and the C library's <errno.h>, syscall
 * numbers from libseccomp's resolver, architecture tokens from libseccomp,
 * JSON syntax error lines from jansson itself, and error positions from
 * the input text (the offending token found with strstr).  The fuzz loop
 * mutates valid policies at random (seeded: BPFC_SECCOMP_SEED) and only
 * asks that nothing crashes or leaks (run it under ASan).
 */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "seccomp/seccomp.h"
#include "tests/check_seccomp.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

static int
nr_of(uint32_t arch, const char *name)
{
	return seccomp_syscall_resolve_name_arch(arch, name);
}

static uint32_t
eval_at(const struct seccomp_policy *p, uint32_t arch, uint32_t nr, const uint64_t *args)
{
	struct seccomp_data d;
	memset(&d, 0, sizeof(d));
	d.arch = arch;
	d.nr = (int)nr;
	for (int i = 0; args != NULL && i < 6; i++)
		d.args[i] = args[i];
	return seccomp_eval(p, &d);
}

/* ---- text: constructs ---------------------------------------------------- */

static struct seccomp_policy *
text_ok(struct arena *a, const char *text, const struct seccomp_options *o)
{
	struct seccomp_options dflt;
	struct bpfc_error err;
	struct seccomp_policy *p;
	seccomp_options_init(&dflt);
	diag_init(&err);
	int rc = seccomp_parse_text(a, text, strlen(text), o != NULL ? o : &dflt, &p, &err);
	ck_assert_msg(rc == 0, "'%s': %s", text, err.msg);
	return p;
}

START_TEST(text_basic)
{
	struct arena a;
	arena_init(&a);
	const char *text = "# a comment\n"
			   "default errno EPERM   # trailing comment\n"
			   "allow read write \\\n  close\n";
	struct seccomp_policy *p = text_ok(&a, text, NULL);
	ck_assert_uint_eq(p->default_action, SECCOMP_RET_ERRNO | EPERM);
	ck_assert_uint_eq(p->nrules, 1);
	ck_assert_uint_eq(p->rules[0].action, SECCOMP_RET_ALLOW);
	ck_assert_ptr_null(p->rules[0].cond);
	ck_assert_uint_eq(p->rules[0].nnames, 3);
	const char *names[] = {"read", "write", "close"};
	for (int i = 0; i < 3; i++) {
		ck_assert_str_eq(p->rules[0].names[i].name, names[i]);
		ck_assert_uint_eq(p->rules[0].names[i].begin,
				  (uint32_t)(strstr(text, names[i]) - text));
		ck_assert_uint_eq(p->rules[0].names[i].end - p->rules[0].names[i].begin,
				  strlen(names[i]));
	}
	/* the host's architecture only, by default */
	ck_assert_uint_eq(p->narches, 1);
	ck_assert_uint_eq(p->arches[0].token, seccomp_arch_native());
	uint32_t arch = seccomp_arch_native();
	ck_assert_uint_eq(eval_at(p, arch, (uint32_t)nr_of(arch, "write"), NULL),
			  SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, arch, (uint32_t)nr_of(arch, "openat"), NULL),
			  SECCOMP_RET_ERRNO | EPERM);
	arena_release(&a);
}
END_TEST

/* Each action keyword and the kernel value it stands for. */
static const struct {
	const char *text;
	uint32_t action;
} action_cases[] = {
	{"allow", SECCOMP_RET_ALLOW},
	{"kill", SECCOMP_RET_KILL_PROCESS},
	{"kill_process", SECCOMP_RET_KILL_PROCESS},
	{"kill_thread", SECCOMP_RET_KILL_THREAD},
	{"trap", SECCOMP_RET_TRAP},
	{"log", SECCOMP_RET_LOG},
	{"notify", SECCOMP_RET_USER_NOTIF},
	{"errno ENOSYS", SECCOMP_RET_ERRNO | ENOSYS},
	{"errno EWOULDBLOCK", SECCOMP_RET_ERRNO | EWOULDBLOCK},
	{"errno 0", SECCOMP_RET_ERRNO | 0},
	{"errno 0x26", SECCOMP_RET_ERRNO | 0x26},
	{"errno 4095", SECCOMP_RET_ERRNO | 4095},
	{"errno 4096", SECCOMP_RET_ERRNO | 4095}, /* the kernel caps errno there */
	{"errno 65535", SECCOMP_RET_ERRNO | 4095},
	{"trace 0", SECCOMP_RET_TRACE | 0},
	{"trace 65535", SECCOMP_RET_TRACE | 65535},
};

START_TEST(text_actions)
{
	struct arena a;
	char text[256];
	arena_init(&a);
	snprintf(text, sizeof(text), "default %s\n%s getpid\n", action_cases[_i].text,
		 action_cases[_i].text);
	struct seccomp_policy *p = text_ok(&a, text, NULL);
	ck_assert_uint_eq(p->default_action, action_cases[_i].action);
	ck_assert_uint_eq(p->rules[0].action, action_cases[_i].action);
	arena_release(&a);
}
END_TEST

START_TEST(text_conditions)
{
	struct arena a;
	arena_init(&a);
	const char *real = "default allow\n"
			   "kill read if arg0 != 40\n"
			   "kill clone if arg1 & 0x7e020000 == 0\n"
			   "kill write if arg0 == 1 || arg1 == 2 && arg2 <= 3\n"
			   "kill close if (arg0 == 1 || arg1 > 2) && arg5 >= -1\n"
			   "kill openat if arg3 < 18446744073709551615\n";
	struct seccomp_policy *p = text_ok(&a, real, NULL);
	ck_assert_uint_eq(p->nrules, 5);
	const struct seccomp_expr *e = p->rules[0].cond;
	ck_assert_int_eq(e->kind, SECCOMP_EXPR_CMP);
	ck_assert_uint_eq(e->arg, 0);
	ck_assert_int_eq(e->op, SECCOMP_OP_NE);
	ck_assert_uint_eq(e->value, 40);
	ck_assert_uint_eq(e->mask, UINT64_MAX);
	ck_assert_uint_eq(e->begin, (uint32_t)(strstr(real, "arg0 != 40") - real));
	e = p->rules[1].cond;
	ck_assert_uint_eq(e->arg, 1);
	ck_assert_int_eq(e->op, SECCOMP_OP_EQ);
	ck_assert_uint_eq(e->mask, 0x7e020000);
	ck_assert_uint_eq(e->value, 0);
	/* && binds tighter than || */
	e = p->rules[2].cond;
	ck_assert_int_eq(e->kind, SECCOMP_EXPR_OR);
	ck_assert_int_eq(e->left->kind, SECCOMP_EXPR_CMP);
	ck_assert_int_eq(e->right->kind, SECCOMP_EXPR_AND);
	ck_assert_int_eq(e->right->right->op, SECCOMP_OP_LE);
	/* parentheses */
	e = p->rules[3].cond;
	ck_assert_int_eq(e->kind, SECCOMP_EXPR_AND);
	ck_assert_int_eq(e->left->kind, SECCOMP_EXPR_OR);
	ck_assert_int_eq(e->left->right->op, SECCOMP_OP_GT);
	ck_assert_uint_eq(e->right->arg, 5);
	ck_assert_int_eq(e->right->op, SECCOMP_OP_GE);
	ck_assert_uint_eq(e->right->value, UINT64_MAX); /* -1, 64 bits */
	ck_assert_uint_eq(p->rules[4].cond->value, UINT64_MAX);
	ck_assert_int_eq(p->rules[4].cond->op, SECCOMP_OP_LT);
	arena_release(&a);
}
END_TEST

/* The semantics of seccomp.h stated on small policies: the expected
 * actions are the ones the policy text names. */
START_TEST(text_semantics)
{
	struct arena a;
	arena_init(&a);
	struct seccomp_options o;
	seccomp_options_init(&o);
	o.narches = 1;
	o.arches[0] = SCMP_ARCH_X86_64;
	const char *text = "default allow\n"
			   "badarch trap\n"
			   "x32 errno 5\n"
			   "allow ptrace if arg0 == 1\n"
			   "kill_thread ptrace if arg1 == 2\n"
			   "errno 7 getpid if arg0 == 1\n"
			   "errno 9 getpid if arg1 == 1\n"
			   "log getppid\n"
			   "trap getppid if arg2 > 0x100000000\n";
	struct seccomp_policy *p = text_ok(&a, text, &o);
	uint32_t x = AUDIT_ARCH_X86_64;
	uint32_t ptrace = (uint32_t)nr_of(SCMP_ARCH_X86_64, "ptrace");
	uint32_t getpid = (uint32_t)nr_of(SCMP_ARCH_X86_64, "getpid");
	uint32_t getppid = (uint32_t)nr_of(SCMP_ARCH_X86_64, "getppid");
	uint64_t v[][6] = {{1, 2}, {1, 0}, {0, 2}, {1, 1}, {0, 1}, {0, 0, 0x100000000},
			   {0, 0, 0x100000001}};
	/* the most restrictive action wins, whatever the order */
	ck_assert_uint_eq(eval_at(p, x, ptrace, v[0]), SECCOMP_RET_KILL_THREAD);
	ck_assert_uint_eq(eval_at(p, x, ptrace, v[1]), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, ptrace, v[2]), SECCOMP_RET_KILL_THREAD);
	/* the same action kind: the first rule's data */
	ck_assert_uint_eq(eval_at(p, x, getpid, v[3]), SECCOMP_RET_ERRNO | 7);
	ck_assert_uint_eq(eval_at(p, x, getpid, v[4]), SECCOMP_RET_ERRNO | 9);
	/* unsigned 64-bit comparisons */
	ck_assert_uint_eq(eval_at(p, x, getppid, v[5]), SECCOMP_RET_LOG);
	ck_assert_uint_eq(eval_at(p, x, getppid, v[6]), SECCOMP_RET_TRAP);
	/* architectures: x32 numbers get the x32 action, others badarch */
	ck_assert_uint_eq(eval_at(p, x, SECCOMP_X32_BIT | getpid, NULL), SECCOMP_RET_ERRNO | 5);
	ck_assert_uint_eq(eval_at(p, x, 0xfffffffeu, NULL), SECCOMP_RET_ERRNO | 5);
	ck_assert_uint_eq(eval_at(p, x, 0xffffffffu, NULL), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_I386, getpid, NULL), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_AARCH64, getpid, NULL), SECCOMP_RET_TRAP);
	arena_release(&a);
}
END_TEST

START_TEST(text_arches)
{
	struct arena a;
	arena_init(&a);
	const char *text = "arch x86_64 SCMP_ARCH_X86 x32 arm64 amd64\n"
			   "default allow\n"
			   "kill chown32 socket\n";
	struct seccomp_policy *p = text_ok(&a, text, NULL);
	uint32_t want[] = {SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64};
	ck_assert_uint_eq(p->narches, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(p->arches[i].token, want[i]);
	/* chown32 is a call on x86 only; x32 calls carry bit 30 */
	uint32_t c32 = (uint32_t)nr_of(SCMP_ARCH_X86, "chown32");
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_I386, c32, NULL), SECCOMP_RET_KILL_PROCESS);
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_X86_64, c32, NULL), SECCOMP_RET_ALLOW);
	uint32_t s32 = (uint32_t)nr_of(SCMP_ARCH_X32, "socket");
	ck_assert_uint_ne(s32 & SECCOMP_X32_BIT, 0);
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_X86_64, s32, NULL), SECCOMP_RET_KILL_PROCESS);
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_X86_64, s32 & ~SECCOMP_X32_BIT, NULL),
			  SECCOMP_RET_KILL_PROCESS);
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_X86_64, (uint32_t)nr_of(SCMP_ARCH_X32, "read"),
				  NULL),
			  SECCOMP_RET_ALLOW);
	/* socket on i386 is multiplexed by libseccomp: the direct call is the
	 * one libseccomp's table names "socket" */
	int direct = -1;
	for (int nr = 0; nr < 1000 && direct < 0; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86, nr);
		if (s != NULL && strcmp(s, "socket") == 0)
			direct = nr;
		free(s);
	}
	ck_assert_int_ge(direct, 0);
	ck_assert_uint_eq(eval_at(p, AUDIT_ARCH_I386, (uint32_t)direct, NULL),
			  SECCOMP_RET_KILL_PROCESS);
	arena_release(&a);
}
END_TEST

/* ---- text: errors ------------------------------------------------------ */

static const struct {
	const char *text;
	const char *at; /* the token the caret must start at (its first occurrence
			   after `after`), NULL: the end of the input */
	const char *after;
	enum bpfc_status code;
	const char *msg;
} text_errors[] = {
	{"default errno EPREM\n", "EPREM", NULL, BPFC_ESEMANTIC, "errno"},
	{"default allow\nallow nosuchcall\n", "nosuchcall", NULL, BPFC_ESEMANTIC,
	 "unknown system call"},
	{"default allow\nallow read if arg6 == 1\n", "arg6", NULL, BPFC_ESYNTAX, "arg0 to arg5"},
	{"default allow\nallow read if arg0 == \n", "\n", "== ", BPFC_ESYNTAX, "number"},
	{"default allow\nallow read if (arg0 == 1\n", "(", NULL, BPFC_ESYNTAX, "never closed"},
	{"default allow\nfrobnicate read\n", "frobnicate", NULL, BPFC_ESYNTAX, "statement"},
	{"allow read\n", NULL, NULL, BPFC_ESEMANTIC, "default"},
	{"default allow\ndefault kill\n", "default", "\n", BPFC_ESEMANTIC, "twice"},
	{"default allow\nallow read if arg0 == 0x1fffffffffffffffff\n", "0x1f", NULL,
	 BPFC_ERANGE, "64 bits"},
	{"default allow\narch vax\n", "vax", NULL, BPFC_ESEMANTIC, "architecture"},
	{"default allow\nallow read $\n", "$", NULL, BPFC_ESYNTAX, "unexpected character"},
	{"default trace 70000\n", "70000", NULL, BPFC_ERANGE, "trace"},
	{"default errno 65536\n", "65536", NULL, BPFC_ERANGE, "errno"},
	{"default allow\nallow\n", "\n", "allow\nallow", BPFC_ESYNTAX, "system call name"},
	{"default allow\nallow read if arg0 & == 1\n", "==", NULL, BPFC_ESYNTAX, "mask"},
	{"default allow\nallow read if arg0 = 1\n", "=", NULL, BPFC_ESYNTAX,
	 "unexpected character"},
	{"default allow\nallow read if arg0 == 1 arg1 == 2\n", "arg1", NULL, BPFC_ESYNTAX,
	 "end of the line"},
	{"default allow\nallow read if arg0 == 12abc\n", "12abc", NULL, BPFC_ESYNTAX,
	 "malformed number"},
	{"default\n", "\n", NULL, BPFC_ESYNTAX, "expected an action"},
	{"default allow\nallow read if\n", "\n", "if", BPFC_ESYNTAX, "arg0 to arg5"},
};

START_TEST(text_error)
{
	struct arena a;
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p;
	const char *text = text_errors[_i].text;
	arena_init(&a);
	seccomp_options_init(&o);
	diag_init(&err);
	ck_assert_int_eq(seccomp_parse_text(&a, text, strlen(text), &o, &p, &err), -1);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(err.code, text_errors[_i].code);
	ck_assert_msg(strstr(err.msg, text_errors[_i].msg) != NULL, "'%s': message '%s'", text,
		      err.msg);
	size_t want;
	if (text_errors[_i].at == NULL) {
		want = strlen(text);
	} else {
		const char *from = text;
		if (text_errors[_i].after != NULL)
			from = strstr(text, text_errors[_i].after) + strlen(text_errors[_i].after);
		want = (size_t)(strstr(from, text_errors[_i].at) - text);
	}
	ck_assert_msg(err.begin == want, "'%s': error at %u, want %zu (%s)", text,
		      (unsigned)err.begin, want, err.msg);
	arena_release(&a);
}
END_TEST

/* ---- JSON: constructs --------------------------------------------------- */

static struct seccomp_policy *
json_ok(struct arena *a, const char *text, const struct seccomp_options *o)
{
	struct bpfc_error err;
	struct seccomp_policy *p;
	diag_init(&err);
	int rc = seccomp_parse_json(a, text, strlen(text), o, &p, &err);
	ck_assert_msg(rc == 0, "'%s': %s", text, err.msg);
	return p;
}

START_TEST(json_constructs)
{
	struct arena a;
	struct seccomp_options o;
	arena_init(&a);
	seccomp_options_init(&o);
	o.kernel_major = 5;
	o.kernel_minor = 4;
	o.narches = 1;
	o.arches[0] = SCMP_ARCH_X86_64;
	const char *text =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
		" \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"], \"unknownKey\": {},\n"
		" \"syscalls\": [\n"
		"  {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
		"  {\"name\": \"close\", \"action\": \"SCMP_ACT_KILL\"},\n"
		"  {\"names\": [\"openat\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},\n"
		"  {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},\n"
		"  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [\n"
		"     {\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": \"SCMP_CMP_MASKED_EQ\"},\n"
		"     {\"index\": 2, \"value\": 7, \"op\": \"SCMP_CMP_GT\"}]},\n"
		"  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_TRACE\", \"args\": [\n"
		"     {\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},\n"
		"     {\"index\": 0, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},\n"
		"  {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},\n"
		"  {\"names\": [\"chroot\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_CHROOT\"]}},\n"
		"  {\"names\": [\"umount2\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"caps\": [\"CAP_KILL\"]}},\n"
		"  {\"names\": [\"kexec_load\"], \"action\": \"SCMP_ACT_LOG\", \"includes\": {\"arches\": [\"amd64\"]}},\n"
		"  {\"names\": [\"iopl\"], \"action\": \"SCMP_ACT_LOG\", \"includes\": {\"arches\": [\"arm64\"]}},\n"
		"  {\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_TRAP\", \"includes\": {\"minKernel\": \"5.4\"}},\n"
		"  {\"names\": [\"kcmp\"], \"action\": \"SCMP_ACT_TRAP\", \"includes\": {\"minKernel\": \"5.5\"}},\n"
		"  {\"names\": [\"vhangup\"], \"action\": \"SCMP_ACT_NOTIFY\", \"excludes\": {\"minKernel\": \"5.5\"}},\n"
		"  {\"names\": [\"acct\"], \"action\": \"SCMP_ACT_KILL_PROCESS\", \"excludes\": {\"minKernel\": \"4.0.1\"}}\n"
		" ]}\n";
	struct seccomp_policy *p = json_ok(&a, text, &o);
	uint32_t x = AUDIT_ARCH_X86_64, t = SCMP_ARCH_X86_64;
	ck_assert_uint_eq(p->default_action, SECCOMP_RET_ERRNO | 38);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "write"), NULL), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "close"), NULL),
			  SECCOMP_RET_KILL_THREAD);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "openat"), NULL),
			  SECCOMP_RET_ERRNO | 13);
	/* the rule with the default action is dropped (runc) */
	for (size_t i = 0; i < p->nrules; i++)
		for (size_t k = 0; k < p->rules[i].nnames; k++)
			ck_assert_str_ne(p->rules[i].names[k].name, "getpid");
	/* MASKED_EQ: value is the mask, valueTwo the datum; args ANDed */
	uint32_t clone = (uint32_t)nr_of(t, "clone");
	uint64_t ok[6] = {0x11, 0, 8}, flagged[6] = {0x10000000, 0, 8}, small[6] = {0x11, 0, 7};
	ck_assert_uint_eq(eval_at(p, x, clone, ok), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, clone, flagged), SECCOMP_RET_ERRNO | 38);
	ck_assert_uint_eq(eval_at(p, x, clone, small), SECCOMP_RET_ERRNO | 38);
	/* one argument twice: ORed (runc); TRACE data defaults to EPERM */
	uint32_t pers = (uint32_t)nr_of(t, "personality");
	uint64_t one[6] = {1}, nine[6] = {9}, two[6] = {2};
	ck_assert_uint_eq(eval_at(p, x, pers, one), SECCOMP_RET_TRACE | EPERM);
	ck_assert_uint_eq(eval_at(p, x, pers, nine), SECCOMP_RET_TRACE | EPERM);
	ck_assert_uint_eq(eval_at(p, x, pers, two), SECCOMP_RET_ERRNO | 38);
	/* includes/excludes against Docker's default capabilities */
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "mount"), NULL), SECCOMP_RET_ERRNO | 38);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "chroot"), NULL), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "umount2"), NULL),
			  SECCOMP_RET_ERRNO | 38);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "kexec_load"), NULL), SECCOMP_RET_LOG);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "iopl"), NULL), SECCOMP_RET_ERRNO | 38);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "bpf"), NULL), SECCOMP_RET_TRAP);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "kcmp"), NULL), SECCOMP_RET_ERRNO | 38);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "vhangup"), NULL),
			  SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "acct"), NULL), SECCOMP_RET_ERRNO | 38);
	/* a capability list of our own */
	const char *caps[] = {"CAP_SYS_ADMIN"};
	o.caps = caps;
	o.ncaps = 1;
	p = json_ok(&a, text, &o);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "mount"), NULL), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "chroot"), NULL), SECCOMP_RET_ERRNO | 38);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "umount2"), NULL), SECCOMP_RET_ALLOW);
	arena_release(&a);
}
END_TEST

START_TEST(json_arches)
{
	struct arena a;
	struct seccomp_options o;
	arena_init(&a);
	seccomp_options_init(&o);
	o.kernel_major = 6;
	const char *map = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [\n"
			  " {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]},\n"
			  " {\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}],\n"
			  " \"syscalls\": []}";
	/* the primary architecture's entry, with its sub-architectures */
	o.narches = 0;
	struct seccomp_policy *p = json_ok(&a, map, &o);
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		ck_assert_uint_eq(p->narches, 3);
		ck_assert_uint_eq(p->arches[1].token, SCMP_ARCH_X86);
		ck_assert_uint_eq(p->arches[2].token, SCMP_ARCH_X32);
	}
	/* the caller's list wins */
	o.narches = 1;
	o.arches[0] = SCMP_ARCH_AARCH64;
	p = json_ok(&a, map, &o);
	ck_assert_uint_eq(p->narches, 1);
	ck_assert_uint_eq(p->arches[0].token, SCMP_ARCH_AARCH64);
	const char *list = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
			   "[\"SCMP_ARCH_X86\", \"SCMP_ARCH_ARM\"]}";
	o.narches = 0;
	p = json_ok(&a, list, &o);
	ck_assert_uint_eq(p->narches, 2);
	ck_assert_uint_eq(p->arches[0].token, SCMP_ARCH_X86);
	ck_assert_uint_eq(p->arches[1].token, SCMP_ARCH_ARM);
	arena_release(&a);
}
END_TEST

/* ---- JSON: errors ------------------------------------------------------- */

static const struct {
	const char *text;
	const char *at; /* NULL: no position */
	enum bpfc_status code;
	const char *msg;
} json_errors[] = {
	{"{\"defaultAction\": SCMP_ACT_ALLOW}", "SCMP_ACT_ALLOW", BPFC_ESYNTAX, "invalid token"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"syscalls\": [\n  {\"names\": [\"read\"]\n  \"action\": 1}]}",
	 "\"action\"", BPFC_ESYNTAX, "expected"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\"", NULL, BPFC_ESYNTAX, "end of file"},
	{"{\"defaultAction\": \"SCMP_ACT_FOO\"}", "SCMP_ACT_FOO", BPFC_ESEMANTIC, "unknown action"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"nosuchcall\"], "
	 "\"action\": \"SCMP_ACT_KILL\"}]}",
	 "nosuchcall", BPFC_ESEMANTIC, "unknown system call"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
	 "\"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
	 "\"SCMP_CMP_ALMOST\"}]}]}",
	 "SCMP_CMP_ALMOST", BPFC_ESEMANTIC, "syscalls[0].args[0]"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
	 "\"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": "
	 "\"SCMP_CMP_EQ\"}]}]}",
	 NULL, BPFC_ESEMANTIC, "index"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
	 "SCMP_ARCH_VAX", BPFC_ESEMANTIC, "unknown architecture"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\"], "
	 "\"archMap\": [{\"architecture\": \"SCMP_ARCH_X86\"}]}",
	 NULL, BPFC_ESEMANTIC, "both"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
	 "\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": -1}]}",
	 NULL, BPFC_ERANGE, "errnoRet"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
	 "\"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"four\"}}]}",
	 "four", BPFC_ESEMANTIC, "minKernel"},
	{"[1, 2]", NULL, BPFC_ESEMANTIC, "object"},
	{"{\"syscalls\": []}", NULL, BPFC_ESEMANTIC, "defaultAction"},
	{"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultAction\": \"SCMP_ACT_LOG\"}",
	 NULL, BPFC_ESYNTAX, "duplicate"},
};

START_TEST(json_error)
{
	struct arena a;
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p;
	const char *text = json_errors[_i].text;
	arena_init(&a);
	seccomp_options_init(&o);
	o.kernel_major = 6; /* the host's architectures */
	diag_init(&err);
	ck_assert_int_eq(seccomp_parse_json(&a, text, strlen(text), &o, &p, &err), -1);
	ck_assert_int_eq(err.code, json_errors[_i].code);
	ck_assert_msg(strstr(err.msg, json_errors[_i].msg) != NULL, "'%s': message '%s'", text,
		      err.msg);
	if (json_errors[_i].at != NULL) {
		size_t want = (size_t)(strstr(text, json_errors[_i].at) - text);
		ck_assert_msg(err.begin == want, "'%s': error at %u, want %zu (%s)", text,
			      (unsigned)err.begin, want, err.msg);
	}
	if (json_errors[_i].code == BPFC_ESYNTAX) {
		/* the line diag_print will show is jansson's */
		json_error_t je;
		json_t *j = json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES, &je);
		ck_assert_ptr_null(j);
		int line = 1;
		for (uint32_t i = 0; i < err.begin; i++)
			line += text[i] == '\n';
		ck_assert_int_eq(line, je.line);
	}
	arena_release(&a);
}
END_TEST

/* ---- Docker's default profile -------------------------------------------- */

START_TEST(json_docker)
{
	size_t len;
	char *text = seccomp_test_shared("docker-default.json", &len);
	if (text == NULL) {
		printf("skipped: docker-default.json is not under $BPFC_SHARED/seccomp "
		       "(the shared test data is absent)\n");
		return;
	}
	struct arena a;
	struct seccomp_options o;
	struct bpfc_error err;
	struct seccomp_policy *p;
	arena_init(&a);
	seccomp_options_init(&o); /* the running kernel, the host's arches */
	diag_init(&err);
	ck_assert_msg(seccomp_parse_json(&a, text, len, &o, &p, &err) == 0, "%s", err.msg);
	o.narches = 1;
	o.arches[0] = SCMP_ARCH_X86_64;
	o.kernel_major = 4;
	o.kernel_minor = 7;
	ck_assert_msg(seccomp_parse_json(&a, text, len, &o, &p, &err) == 0, "%s", err.msg);
	uint32_t x = AUDIT_ARCH_X86_64, t = SCMP_ARCH_X86_64;
	/* What the profile says: errno 1 by default, clone3 ENOSYS without
	 * CAP_SYS_ADMIN, ptrace from kernel 4.8 on, clone with namespace flags
	 * refused. */
	ck_assert_uint_eq(p->default_action, SECCOMP_RET_ERRNO | 1);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "clone3"), NULL),
			  SECCOMP_RET_ERRNO | ENOSYS);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "ptrace"), NULL), SECCOMP_RET_ERRNO | 1);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "arch_prctl"), NULL), SECCOMP_RET_ALLOW);
	uint64_t plain[6] = {0x11}, ns[6] = {0x20000000};
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "clone"), plain), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "clone"), ns), SECCOMP_RET_ERRNO | 1);
	o.kernel_minor = 8;
	const char *caps[] = {"CAP_SYS_ADMIN"};
	o.caps = caps;
	o.ncaps = 1;
	ck_assert_msg(seccomp_parse_json(&a, text, len, &o, &p, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "ptrace"), NULL), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "clone3"), NULL), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(eval_at(p, x, (uint32_t)nr_of(t, "clone"), ns), SECCOMP_RET_ALLOW);
	arena_release(&a);
	free(text);
}
END_TEST

/* ---- fuzz ------------------------------------------------------------------ */

static const char *const fuzz_tokens[] = {
	"default", "allow", "kill", "errno", "EPERM", "trace", "if", "arg0", "arg5", "&&", "||",
	"(", ")", "==", "&", "0x", "-", "\n", "#", "\\\n", "{", "}", "[", "]", ",", ":", "\"",
	"\"names\"", "\"SCMP_ACT_ALLOW\"", "\"args\"", "\"index\"", "18446744073709551616",
	"arch", "x32", "badarch", "\"archMap\"", "\"includes\"", "null", "\"minKernel\"",
};

static size_t
fuzz_mutate(struct rng *r, char *buf, size_t len, size_t cap)
{
	int n = 1 + (int)rng_below(r, 4);
	while (n-- > 0) {
		size_t at = len ? rng_below(r, (uint32_t)len + 1) : 0;
		switch (rng_below(r, 5)) {
		case 0: /* flip a byte */
			if (len)
				buf[rng_below(r, (uint32_t)len)] = (char)rng_below(r, 256);
			break;
		case 1: { /* delete a range */
			size_t k = rng_below(r, 16);
			if (at + k > len)
				k = len - at;
			memmove(buf + at, buf + at + k, len - at - k);
			len -= k;
			break;
		}
		case 2: { /* insert a token */
			const char *t = fuzz_tokens[rng_below(
				r, sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]))];
			size_t k = strlen(t);
			if (len + k >= cap)
				break;
			memmove(buf + at + k, buf + at, len - at);
			memcpy(buf + at, t, k);
			len += k;
			break;
		}
		case 3: /* truncate */
			len = at;
			break;
		default: /* duplicate a range */
			if (len && len + 32 < cap) {
				size_t from = rng_below(r, (uint32_t)len), k = rng_below(r, 32);
				char piece[32];
				if (from + k > len)
					k = len - from;
				memcpy(piece, buf + from, k);
				memmove(buf + at + k, buf + at, len - at);
				memcpy(buf + at, piece, k);
				len += k;
			}
			break;
		}
	}
	return len;
}

START_TEST(fuzz)
{
	size_t dlen = 0;
	char *docker = seccomp_test_shared("docker-default.json", &dlen);
	const char *text = "arch x86_64 x86 x32\n"
			   "default errno EPERM\n"
			   "allow read write close exit_group\n"
			   "allow socket if arg0 != 40\n"
			   "allow personality if arg0 == 0 || (arg0 == 8 && arg1 & 0xff < 3)\n"
			   "errno ENOSYS clone3\n"
			   "kill ptrace\n";
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"archMap\": [{\"architecture\":"
			   " \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]}],"
			   " \"syscalls\": [{\"names\": [\"read\", \"socket\"], \"action\": "
			   "\"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 40, \"op\": "
			   "\"SCMP_CMP_MASKED_EQ\", \"valueTwo\": 8}], \"includes\": {\"caps\": "
			   "[\"CAP_KILL\"], \"minKernel\": \"4.1\"}}]}";
	uint64_t seed = testenv_seed("BPFC_SECCOMP_SEED", 0x5ecc0b);
	double scale = testenv_scale() * (TESTENV_SANITIZED ? 0.25 : 1.0);
	size_t iters = (size_t)(4000 * scale) + 1;
	struct rng r;
	rng_seed(&r, seed);
	size_t cap = (dlen > 4096 ? dlen : 4096) * 2;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	size_t parsed = 0;
	for (size_t i = 0; i < iters; i++) {
		int which = (int)rng_below(&r, docker != NULL ? 3 : 2);
		const char *src = which == 0 ? text : which == 1 ? json : docker;
		size_t len = which == 2 ? dlen : strlen(src);
		memcpy(buf, src, len);
		/* the Docker profile is large: fewer rounds of it */
		if (which == 2 && rng_below(&r, 4) != 0)
			continue;
		len = fuzz_mutate(&r, buf, len, cap);
		struct arena a;
		struct seccomp_options o;
		struct bpfc_error err;
		struct seccomp_policy *p;
		arena_init(&a);
		seccomp_options_init(&o);
		o.kernel_major = 6;
		o.narches = 2;
		o.arches[0] = SCMP_ARCH_X86_64;
		o.arches[1] = SCMP_ARCH_X86;
		o.ignore_unknown = (int)rng_below(&r, 2);
		diag_init(&err);
		/* exactly `len` bytes, no NUL after them */
		char *exact = malloc(len ? len : 1);
		ck_assert_ptr_nonnull(exact);
		memcpy(exact, buf, len);
		int rc = which == 0 ? seccomp_parse_text(&a, exact, len, &o, &p, &err)
				    : seccomp_parse_json(&a, exact, len, &o, &p, &err);
		if (rc == 0) {
			parsed++;
			for (int k = 0; k < 64; k++) {
				uint64_t args[6];
				for (int m = 0; m < 6; m++)
					args[m] = rng_next(&r) >> rng_below(&r, 64);
				(void)eval_at(p, k & 1 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64,
					      rng_below(&r, 500), args);
			}
		} else {
			ck_assert_msg(err.code != BPFC_OK && err.msg[0] != '\0',
				      "seed 0x%llx iteration %zu: failure without a message",
				      (unsigned long long)seed, i);
			ck_assert_msg(err.begin <= len && err.end <= len,
				      "seed 0x%llx iteration %zu: position past the input",
				      (unsigned long long)seed, i);
		}
		free(exact);
		arena_release(&a);
	}
	/* the loop must not be vacuous: some mutants still parse */
	ck_assert_msg(parsed > 0, "seed 0x%llx: no mutant parsed", (unsigned long long)seed);
	free(buf);
	free(docker);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("seccomp-parse");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, text_basic);
	tcase_add_loop_test(tc, text_actions, 0, sizeof(action_cases) / sizeof(action_cases[0]));
	tcase_add_test(tc, text_conditions);
	tcase_add_test(tc, text_semantics);
	tcase_add_test(tc, text_arches);
	tcase_add_loop_test(tc, text_error, 0, sizeof(text_errors) / sizeof(text_errors[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, json_constructs);
	tcase_add_test(tc, json_arches);
	tcase_add_loop_test(tc, json_error, 0, sizeof(json_errors) / sizeof(json_errors[0]));
	tcase_add_test(tc, json_docker);
	suite_add_tcase(s, tc);
	tc = tcase_create("fuzz");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, fuzz);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(parse_suite());
	srunner_add_suite(sr, seccomp_oracle_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
