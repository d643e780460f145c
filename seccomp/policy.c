/*
 * policy.c: the seccomp policy model's own operations.
 *
 * Takes: rules with syscall names, as the parsers leave them.  Gives: the
 * per-architecture syscall tables (names resolved by libseccomp, never by a
 * table of ours), and seccomp_eval, the policy's meaning for one struct
 * seccomp_data, computed from the rules directly.  seccomp.h states the
 * semantics; this file is their one implementation.
 */
#include <config.h>

#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "seccomp/seccomp.h"

/* The Linux capabilities Docker (moby oci/caps/defaults.go) grants a
 * container by default; JSON "caps" includes/excludes resolve against them
 * unless the caller gives its own list. */
const char *const seccomp_docker_caps[] = {
	"CAP_CHOWN",	  "CAP_DAC_OVERRIDE", "CAP_FSETID",	       "CAP_FOWNER",
	"CAP_MKNOD",	  "CAP_NET_RAW",      "CAP_SETGID",	       "CAP_SETUID",
	"CAP_SETFCAP",	  "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
	"CAP_KILL",	  "CAP_AUDIT_WRITE",  NULL,
};

/* libseccomp's architecture names (the tokens come from its resolver) and
 * the Go/libseccomp-golang spelling moby compares "arches" with where it
 * differs.  Names libseccomp does not know resolve to 0 and are skipped. */
static const struct {
	const char *name, *go;
} sc_arch_names[] = {
	{"x86", "386"},	       {"x86_64", "amd64"},
	{"x32", NULL},	       {"arm", NULL},
	{"aarch64", "arm64"},  {"loongarch64", NULL},
	{"m68k", NULL},	       {"mips", NULL},
	{"mipsel", "mipsle"},  {"mips64", NULL},
	{"mipsel64", NULL},    {"mips64n32", NULL},
	{"mipsel64n32", NULL}, {"parisc", NULL},
	{"parisc64", NULL},    {"ppc", NULL},
	{"ppc64", NULL},       {"ppc64le", NULL},
	{"s390", NULL},	       {"s390x", NULL},
	{"riscv64", NULL},     {"sh", NULL},
	{"sheb", NULL},
};
#define SC_NARCH_NAMES (sizeof(sc_arch_names) / sizeof(sc_arch_names[0]))

void
seccomp_options_init(struct seccomp_options *o)
{
	memset(o, 0, sizeof(*o));
}

static int
sc_ieq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

uint32_t
seccomp_arch_token(const char *name, size_t len)
{
	if (len > 10 && memcmp(name, "SCMP_ARCH_", 10) == 0) {
		name += 10;
		len -= 10;
	}
	for (size_t i = 0; i < SC_NARCH_NAMES; i++) {
		if (sc_ieq(name, len, sc_arch_names[i].name) ||
		    (sc_arch_names[i].go != NULL && sc_ieq(name, len, sc_arch_names[i].go)))
			return seccomp_arch_resolve_name(sc_arch_names[i].name);
	}
	return 0;
}

/* libseccomp's name for a token, or NULL. */
static const char *
sc_arch_name(uint32_t token, const char **go)
{
	for (size_t i = 0; token != 0 && i < SC_NARCH_NAMES; i++) {
		if (seccomp_arch_resolve_name(sc_arch_names[i].name) == token) {
			if (go != NULL)
				*go = sc_arch_names[i].go;
			return sc_arch_names[i].name;
		}
	}
	return NULL;
}

int
seccomp_policy_add_arch(struct seccomp_policy *p, uint32_t token)
{
	const char *name = sc_arch_name(token, NULL);
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < p->narches; i++)
		if (p->arches[i].token == token)
			return 0;
	if (p->narches == SECCOMP_MAX_ARCHES)
		return -1;
	struct seccomp_arch *a = &p->arches[p->narches++];
	memset(a, 0, sizeof(*a));
	a->token = token;
	a->name = name;
	a->x32 = token == SCMP_ARCH_X32;
	/* libseccomp's tokens are the kernel's AUDIT_ARCH_ values, except x32,
	 * which the kernel reports as x86_64 with bit 30 in the number. */
	a->audit = a->x32 ? AUDIT_ARCH_X86_64 : token;
	return 0;
}

/* ---- actions ---- */

/* The kernel's ordering of actions (seccomp_run_filters: ACTION_ONLY as a
 * signed number, lower is more restrictive). */
int
seccomp_action_cmp(uint32_t a, uint32_t b)
{
	int32_t x = (int32_t)(a & SECCOMP_RET_ACTION_FULL);
	int32_t y = (int32_t)(b & SECCOMP_RET_ACTION_FULL);
	return x < y ? -1 : x > y;
}

void
seccomp_action_name(uint32_t action, char *buf, size_t len)
{
	uint32_t data = action & SECCOMP_RET_DATA;
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS: snprintf(buf, len, "kill_process"); break;
	case SECCOMP_RET_KILL_THREAD: snprintf(buf, len, "kill_thread"); break;
	case SECCOMP_RET_TRAP: snprintf(buf, len, "trap"); break;
	case SECCOMP_RET_ERRNO: snprintf(buf, len, "errno(%u)", (unsigned)data); break;
	case SECCOMP_RET_USER_NOTIF: snprintf(buf, len, "notify"); break;
	case SECCOMP_RET_TRACE: snprintf(buf, len, "trace(%u)", (unsigned)data); break;
	case SECCOMP_RET_LOG: snprintf(buf, len, "log"); break;
	case SECCOMP_RET_ALLOW: snprintf(buf, len, "allow"); break;
	default: snprintf(buf, len, "0x%08x", (unsigned)action); break;
	}
}

/* ---- name resolution ---- */

/* Where libseccomp reports a call multiplexed through socketcall(2) or
 * ipc(2) (__PNR_socket is -101, __PNR_semop -201; calls an architecture
 * lacks are -10000 and below), the direct syscall, when the architecture
 * has one, is found by reverse lookup in libseccomp's table around the
 * architecture's own numbers (o32 MIPS starts at 4000). */
static int
sc_direct_number(uint32_t token, const char *name)
{
	int base = seccomp_syscall_resolve_name_arch(token, "socketcall");
	if (base < 0)
		return -1;
	base -= base % 1000;
	for (int nr = base; nr < base + 1000; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(token, nr);
		int hit = s != NULL && strcmp(s, name) == 0;
		free(s);
		if (hit)
			return nr;
	}
	return -1;
}

/* The direct syscall number of `name` on `token`: >= 0; -1 when it is not
 * a direct syscall there; -2 when libseccomp does not know the name. */
static int
sc_resolve(uint32_t token, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(token, name);
	if (nr == __NR_SCMP_ERROR)
		return -2;
	if (nr >= 0)
		return nr;
	if (nr < -100 && nr > -10000)
		return sc_direct_number(token, name);
	return -1;
}

struct sc_pair {
	uint32_t nr;
	size_t order;
	const struct seccomp_rule *rule;
};

static int
sc_pair_cmp(const void *x, const void *y)
{
	const struct sc_pair *a = x, *b = y;
	if (a->nr != b->nr)
		return a->nr < b->nr ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* One architecture's table from the (number, rule) pairs, sorted. */
static int
sc_build_calls(struct arena *a, struct seccomp_arch *arch, struct sc_pair *pairs, size_t n)
{
	qsort(pairs, n, sizeof(*pairs), sc_pair_cmp);
	size_t ncalls = 0;
	for (size_t i = 0; i < n; i++)
		ncalls += i == 0 || pairs[i].nr != pairs[i - 1].nr;
	arch->calls = arena_calloc(a, ncalls ? ncalls : 1, sizeof(*arch->calls));
	const struct seccomp_rule **rules = arena_calloc(a, n ? n : 1, sizeof(*rules));
	if (arch->calls == NULL || rules == NULL)
		return -1;
	arch->ncalls = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || pairs[i].nr != pairs[i - 1].nr) {
			struct seccomp_call *c = &arch->calls[arch->ncalls++];
			c->nr = pairs[i].nr;
			c->rules = rules;
		} else if (pairs[i].rule == pairs[i - 1].rule) {
			continue; /* one rule naming a call twice */
		}
		struct seccomp_call *c = &arch->calls[arch->ncalls - 1];
		c->rules[c->nrules++] = pairs[i].rule;
		rules++;
	}
	return 0;
}

int
seccomp_policy_finish(struct arena *a, struct seccomp_policy *p,
		      const struct seccomp_options *o, struct bpfc_error *err)
{
	size_t total = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		p->rules[i].order = i;
		total += p->rules[i].nnames;
	}
	struct sc_pair *pairs = malloc((total ? total : 1) * sizeof(*pairs));
	if (pairs == NULL)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	/* A name is unknown when libseccomp knows it on none of the
	 * policy's architectures (it knows every name it has on all of
	 * them, as a pseudo number where there is no such call). */
	for (size_t i = 0; i < p->nrules; i++) {
		const struct seccomp_rule *r = &p->rules[i];
		for (size_t k = 0; k < r->nnames; k++) {
			int known = 0;
			for (size_t j = 0; j < p->narches && !known; j++)
				known = sc_resolve(p->arches[j].token, r->names[k].name) != -2;
			if (!known && !o->ignore_unknown) {
				free(pairs);
				return diag_at(err, BPFC_ESEMANTIC, r->names[k].begin,
					       r->names[k].end, "unknown system call '%s'",
					       r->names[k].name);
			}
		}
	}
	for (size_t j = 0; j < p->narches; j++) {
		size_t n = 0;
		for (size_t i = 0; i < p->nrules; i++) {
			const struct seccomp_rule *r = &p->rules[i];
			for (size_t k = 0; k < r->nnames; k++) {
				int nr = sc_resolve(p->arches[j].token, r->names[k].name);
				if (nr < 0)
					continue;
				pairs[n].nr = (uint32_t)nr;
				pairs[n].order = i;
				pairs[n].rule = r;
				n++;
			}
		}
		if (sc_build_calls(a, &p->arches[j], pairs, n) < 0) {
			free(pairs);
			return diag_plain(err, BPFC_ENOMEM, "out of memory");
		}
	}
	free(pairs);
	return 0;
}

/* ---- semantics ---- */

int
seccomp_expr_eval(const struct seccomp_expr *e, const uint64_t args[6])
{
	switch (e->kind) {
	case SECCOMP_EXPR_AND:
		return seccomp_expr_eval(e->left, args) && seccomp_expr_eval(e->right, args);
	case SECCOMP_EXPR_OR:
		return seccomp_expr_eval(e->left, args) || seccomp_expr_eval(e->right, args);
	case SECCOMP_EXPR_CMP:
		break;
	}
	uint64_t v = args[e->arg] & e->mask;
	switch (e->op) {
	case SECCOMP_OP_NE: return v != e->value;
	case SECCOMP_OP_LT: return v < e->value;
	case SECCOMP_OP_LE: return v <= e->value;
	case SECCOMP_OP_EQ: return v == e->value;
	case SECCOMP_OP_GE: return v >= e->value;
	case SECCOMP_OP_GT: return v > e->value;
	}
	return 0;
}

const struct seccomp_arch *
seccomp_policy_arch(const struct seccomp_policy *p, uint32_t audit, uint32_t nr,
		    int *x32_unlisted)
{
	int x32 = audit == AUDIT_ARCH_X86_64 && nr >= SECCOMP_X32_BIT && nr != 0xffffffffu;
	int have_x86_64 = 0;
	*x32_unlisted = 0;
	for (size_t i = 0; i < p->narches; i++) {
		const struct seccomp_arch *a = &p->arches[i];
		if (a->audit != audit)
			continue;
		if (a->x32 == x32)
			return a;
		have_x86_64 |= !a->x32;
	}
	*x32_unlisted = x32 && have_x86_64;
	return NULL;
}

static const struct seccomp_call *
sc_find_call(const struct seccomp_arch *a, uint32_t nr)
{
	size_t lo = 0, hi = a->ncalls;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a->calls[mid].nr == nr)
			return &a->calls[mid];
		if (a->calls[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t
seccomp_eval(const struct seccomp_policy *p, const struct seccomp_data *d)
{
	int x32_unlisted;
	const struct seccomp_arch *a = seccomp_policy_arch(p, d->arch, (uint32_t)d->nr,
							   &x32_unlisted);
	if (x32_unlisted)
		return p->x32_action;
	if (a == NULL)
		return p->badarch_action;
	const struct seccomp_call *c = sc_find_call(a, (uint32_t)d->nr);
	if (c == NULL)
		return p->default_action;
	const uint64_t *args = (const uint64_t *)d->args;
	const struct seccomp_rule *best = NULL;
	for (size_t i = 0; i < c->nrules; i++) {
		const struct seccomp_rule *r = c->rules[i];
		if (r->cond != NULL && !seccomp_expr_eval(r->cond, args))
			continue;
		/* Strictly more restrictive only: the earlier rule keeps ties. */
		if (best == NULL || seccomp_action_cmp(r->action, best->action) < 0)
			best = r;
	}
	return best != NULL ? best->action : p->default_action;
}
