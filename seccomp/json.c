/*
 * json.c: OCI/Docker seccomp profiles (JSON, read by jansson) to the model.
 *
 * Takes: the profile's bytes and struct seccomp_options.  Gives: a struct
 * seccomp_policy in the caller's arena, or an error: jansson's syntax
 * errors at the byte where the offending token starts; semantic errors
 * name the JSON path ("syscalls[3].action") and point at the offending
 * string literal where it can be found in the text.
 *
 * What a profile means is what moby's profile code and runc make of it:
 * includes/excludes compare "arches" with the primary architecture's name,
 * "caps" with the capability set (includes: all, excludes: any) and
 * "minKernel" with the kernel version; SCMP_ACT_KILL is KILL_THREAD; errno
 * and trace data default to EPERM; a rule whose action equals the default
 * action is dropped; several conditions on one argument are ORed, all on
 * different arguments ANDed; MASKED_EQ takes value as the mask and
 * valueTwo as the datum.  Unknown keys are ignored, as Go's decoder does.
 */
#include <config.h>

#include <errno.h>
#include <jansson.h>
#include <seccomp.h>
#include <string.h>
#include <sys/utsname.h>

#include "base/diag.h"
#include "seccomp/seccomp.h"

struct sc_json {
	struct arena *a;
	const char *text;
	size_t len;
	const struct seccomp_options *o;
	struct bpfc_error *err;
	struct seccomp_policy *p;
	size_t cap_rules;
	const char *primary, *primary_go; /* names "arches" compare with */
	unsigned kmajor, kminor;
};

/* The byte range of the string literal `s` (first occurrence), so that a
 * semantic error can show a caret; 0,0 when not found. */
static void
sc_json_locate(const struct sc_json *j, const char *s, uint32_t *begin, uint32_t *end)
{
	size_t n = strlen(s);
	*begin = *end = 0;
	for (size_t i = 0; n > 0 && i + n + 2 <= j->len; i++) {
		if (j->text[i] == '"' && memcmp(j->text + i + 1, s, n) == 0 &&
		    j->text[i + 1 + n] == '"') {
			*begin = (uint32_t)i + 1;
			*end = (uint32_t)(i + 1 + n);
			return;
		}
	}
}

static int
sc_json_fail(struct sc_json *j, enum bpfc_status code, const char *literal, const char *fmt,
	     const char *path, const char *what)
{
	uint32_t b = 0, e = 0;
	if (literal != NULL)
		sc_json_locate(j, literal, &b, &e);
	return diag_at(j->err, code, b, e, fmt, path, what);
}

static int
sc_json_action(struct sc_json *j, const json_t *act, const json_t *ret, const char *path,
	       uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t action;
	} acts[] = {
		{"SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD},
		{"SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD},
		{"SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS},
		{"SCMP_ACT_TRAP", SECCOMP_RET_TRAP},
		{"SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO},
		{"SCMP_ACT_TRACE", SECCOMP_RET_TRACE},
		{"SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW},
		{"SCMP_ACT_LOG", SECCOMP_RET_LOG},
		{"SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF},
	};
	if (!json_is_string(act))
		return sc_json_fail(j, BPFC_ESEMANTIC, NULL, "%s: %s", path,
				    "the action must be a string");
	const char *s = json_string_value(act);
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		if (strcmp(s, acts[i].name) != 0)
			continue;
		*out = acts[i].action;
		if (*out != SECCOMP_RET_ERRNO && *out != SECCOMP_RET_TRACE)
			return 0;
		json_int_t data = EPERM;
		if (ret != NULL && !json_is_null(ret)) {
			if (!json_is_integer(ret) || json_integer_value(ret) < 0 ||
			    json_integer_value(ret) > 0xffff)
				return sc_json_fail(j, BPFC_ERANGE, NULL, "%s: %s", path,
						    "errnoRet must be an integer 0-65535");
			data = json_integer_value(ret);
		}
		if (*out == SECCOMP_RET_ERRNO && data > SECCOMP_MAX_ERRNO)
			data = SECCOMP_MAX_ERRNO;
		*out |= (uint32_t)data;
		return 0;
	}
	return sc_json_fail(j, BPFC_ESEMANTIC, s, "%s: unknown action '%s'", path, s);
}

/* "SCMP_CMP_EQ" and friends. */
static int
sc_json_op(const char *s, enum seccomp_op *op, int *masked)
{
	static const struct {
		const char *name;
		enum seccomp_op op;
	} ops[] = {
		{"SCMP_CMP_NE", SECCOMP_OP_NE}, {"SCMP_CMP_LT", SECCOMP_OP_LT},
		{"SCMP_CMP_LE", SECCOMP_OP_LE}, {"SCMP_CMP_EQ", SECCOMP_OP_EQ},
		{"SCMP_CMP_GE", SECCOMP_OP_GE}, {"SCMP_CMP_GT", SECCOMP_OP_GT},
		{"SCMP_CMP_MASKED_EQ", SECCOMP_OP_EQ},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(s, ops[i].name) == 0) {
			*op = ops[i].op;
			*masked = i == 6;
			return 0;
		}
	}
	return -1;
}

static int
sc_json_u64(const json_t *v, uint64_t *out)
{
	if (v == NULL || json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* One element of "args". */
static struct seccomp_expr *
sc_json_arg(struct sc_json *j, const json_t *arg, const char *path)
{
	const json_t *idx = json_object_get(arg, "index");
	const json_t *op = json_object_get(arg, "op");
	struct seccomp_expr *e = arena_alloc(j->a, sizeof(*e));
	int masked;
	uint64_t v1, v2;

	if (e == NULL) {
		diag_plain(j->err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	if (!json_is_object(arg) || !json_is_integer(idx) || json_integer_value(idx) < 0 ||
	    json_integer_value(idx) > 5) {
		sc_json_fail(j, BPFC_ESEMANTIC, NULL, "%s: %s", path,
			     "an argument needs an \"index\" from 0 to 5");
		return NULL;
	}
	if (!json_is_string(op) || sc_json_op(json_string_value(op), &e->op, &masked) < 0) {
		const char *s = json_is_string(op) ? json_string_value(op) : NULL;
		sc_json_fail(j, BPFC_ESEMANTIC, s, "%s: %s", path,
			     "\"op\" must be one of SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ");
		return NULL;
	}
	if (sc_json_u64(json_object_get(arg, "value"), &v1) < 0 ||
	    sc_json_u64(json_object_get(arg, "valueTwo"), &v2) < 0) {
		sc_json_fail(j, BPFC_ERANGE, NULL, "%s: %s", path,
			     "\"value\" and \"valueTwo\" must be integers 0 to 2^63-1");
		return NULL;
	}
	e->kind = SECCOMP_EXPR_CMP;
	e->arg = (unsigned)json_integer_value(idx);
	e->mask = masked ? v1 : ~(uint64_t)0;
	e->value = masked ? v2 : v1;
	return e;
}

static struct seccomp_expr *
sc_json_join(struct sc_json *j, enum seccomp_expr_kind kind, struct seccomp_expr *l,
	     struct seccomp_expr *r)
{
	if (l == NULL)
		return r;
	struct seccomp_expr *e = arena_alloc(j->a, sizeof(*e));
	if (e == NULL) {
		diag_plain(j->err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	e->kind = kind;
	e->left = l;
	e->right = r;
	return e;
}

/* "args": ANDed, or ORed when an index repeats (runc's reading). */
static int
sc_json_args(struct sc_json *j, const json_t *args, const char *path,
	     const struct seccomp_expr **out)
{
	char sub[96];
	unsigned count[6] = {0};
	int repeat = 0;
	struct seccomp_expr *all = NULL;

	*out = NULL;
	if (args == NULL || json_is_null(args))
		return 0;
	if (!json_is_array(args))
		return sc_json_fail(j, BPFC_ESEMANTIC, NULL, "%s: %s", path,
				    "\"args\" must be an array");
	for (size_t i = 0; i < json_array_size(args); i++) {
		snprintf(sub, sizeof(sub), "%s.args[%zu]", path, i);
		struct seccomp_expr *e = sc_json_arg(j, json_array_get(args, i), sub);
		if (e == NULL)
			return -1;
		repeat |= ++count[e->arg] > 1;
		all = sc_json_join(j, SECCOMP_EXPR_AND, all, e);
		if (all == NULL)
			return -1;
	}
	if (repeat) /* the same tree, with every AND made an OR */
		for (struct seccomp_expr *e = all; e != NULL && e->kind == SECCOMP_EXPR_AND;
		     e = e->left)
			e->kind = SECCOMP_EXPR_OR;
	*out = all;
	return 0;
}

static int
sc_json_has(const json_t *list, const char *s, const char *alt)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *v = json_string_value(json_array_get(list, i));
		if (v != NULL && ((s != NULL && strcmp(v, s) == 0) ||
				  (alt != NULL && strcmp(v, alt) == 0)))
			return 1;
	}
	return 0;
}

static int
sc_json_hascap(const struct sc_json *j, const char *cap)
{
	const char *const *caps = j->o->caps != NULL ? j->o->caps : seccomp_docker_caps;
	size_t n = j->o->caps != NULL ? j->o->ncaps : (size_t)-1;
	for (size_t i = 0; i < n && caps[i] != NULL; i++)
		if (strcmp(caps[i], cap) == 0)
			return 1;
	return 0;
}

/* "4.8" or "5.10.3": major and minor; -1 when malformed. */
static int
sc_kernel_parse(const char *s, unsigned *major, unsigned *minor)
{
	char *end;
	unsigned long m = strtoul(s, &end, 10);
	if (end == s || *end != '.')
		return -1;
	const char *t = end + 1;
	unsigned long n = strtoul(t, &end, 10);
	if (end == t || m > 65535 || n > 65535)
		return -1;
	*major = (unsigned)m;
	*minor = (unsigned)n;
	return 0;
}

/* 1 when the running (or given) kernel is at least "minKernel". */
static int
sc_json_kernel_ge(struct sc_json *j, const json_t *v, const char *path, int *ge)
{
	unsigned maj, min;
	const char *s = json_string_value(v);
	if (s == NULL || sc_kernel_parse(s, &maj, &min) < 0)
		return sc_json_fail(j, BPFC_ESEMANTIC, s, "%s: %s", path,
				    "minKernel must be a version like \"4.8\"");
	*ge = j->kmajor > maj || (j->kmajor == maj && j->kminor >= min);
	return 0;
}

/* Whether a syscalls[] entry applies: 1, 0, or -1 on error. */
static int
sc_json_applies(struct sc_json *j, const json_t *call, const char *path)
{
	const json_t *inc = json_object_get(call, "includes");
	const json_t *exc = json_object_get(call, "excludes");
	const json_t *v;
	int ge;

	if (exc != NULL && json_is_object(exc)) {
		if (sc_json_has(json_object_get(exc, "arches"), j->primary, j->primary_go))
			return 0;
		v = json_object_get(exc, "caps");
		for (size_t i = 0; i < json_array_size(v); i++) {
			const char *c = json_string_value(json_array_get(v, i));
			if (c != NULL && sc_json_hascap(j, c))
				return 0;
		}
		if ((v = json_object_get(exc, "minKernel")) != NULL && !json_is_null(v)) {
			if (sc_json_kernel_ge(j, v, path, &ge) < 0)
				return -1;
			if (ge)
				return 0;
		}
	}
	if (inc != NULL && json_is_object(inc)) {
		v = json_object_get(inc, "arches");
		if (json_array_size(v) > 0 && !sc_json_has(v, j->primary, j->primary_go))
			return 0;
		v = json_object_get(inc, "caps");
		for (size_t i = 0; i < json_array_size(v); i++) {
			const char *c = json_string_value(json_array_get(v, i));
			if (c == NULL || !sc_json_hascap(j, c))
				return 0;
		}
		if ((v = json_object_get(inc, "minKernel")) != NULL && !json_is_null(v)) {
			if (sc_json_kernel_ge(j, v, path, &ge) < 0)
				return -1;
			if (!ge)
				return 0;
		}
	}
	return 1;
}

static int
sc_json_names(struct sc_json *j, const json_t *call, const char *path, struct seccomp_rule *r)
{
	const json_t *names = json_object_get(call, "names");
	const json_t *name = json_object_get(call, "name");
	size_t n = json_is_array(names) ? json_array_size(names) : 0;

	if (names != NULL && name != NULL)
		return sc_json_fail(j, BPFC_ESEMANTIC, NULL, "%s: %s", path,
				    "both \"name\" and \"names\" given");
	if (name != NULL)
		n = 1;
	r->names = arena_calloc(j->a, n ? n : 1, sizeof(*r->names));
	if (r->names == NULL)
		return diag_plain(j->err, BPFC_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *v = name != NULL ? name : json_array_get(names, i);
		const char *s = json_string_value(v);
		if (s == NULL || *s == '\0')
			return sc_json_fail(j, BPFC_ESEMANTIC, NULL, "%s: %s", path,
					    "syscall names must be non-empty strings");
		r->names[i].name = arena_strndup(j->a, s, strlen(s));
		if (r->names[i].name == NULL)
			return diag_plain(j->err, BPFC_ENOMEM, "out of memory");
		sc_json_locate(j, s, &r->names[i].begin, &r->names[i].end);
	}
	r->nnames = n;
	return 0;
}

static int
sc_json_syscall(struct sc_json *j, const json_t *call, size_t idx)
{
	char path[64];
	snprintf(path, sizeof(path), "syscalls[%zu]", idx);
	if (!json_is_object(call))
		return sc_json_fail(j, BPFC_ESEMANTIC, NULL, "%s: %s", path, "not an object");
	int ok = sc_json_applies(j, call, path);
	if (ok <= 0)
		return ok;
	struct seccomp_rule r;
	memset(&r, 0, sizeof(r));
	if (sc_json_action(j, json_object_get(call, "action"), json_object_get(call, "errnoRet"),
			   path, &r.action) < 0 ||
	    sc_json_names(j, call, path, &r) < 0 ||
	    sc_json_args(j, json_object_get(call, "args"), path, &r.cond) < 0)
		return -1;
	if (r.action == j->p->default_action) /* runc drops these */
		return 0;
	if (j->p->nrules == j->cap_rules) {
		size_t cap = j->cap_rules ? 2 * j->cap_rules : 64;
		struct seccomp_rule *nr = arena_calloc(j->a, cap, sizeof(*nr));
		if (nr == NULL)
			return diag_plain(j->err, BPFC_ENOMEM, "out of memory");
		if (j->p->nrules)
			memcpy(nr, j->p->rules, j->p->nrules * sizeof(*nr));
		j->p->rules = nr;
		j->cap_rules = cap;
	}
	j->p->rules[j->p->nrules++] = r;
	return 0;
}

static int
sc_json_add_arch(struct sc_json *j, const json_t *v, const char *path)
{
	const char *s = json_string_value(v);
	uint32_t t = s != NULL ? seccomp_arch_token(s, strlen(s)) : 0;
	if (t == 0)
		return sc_json_fail(j, BPFC_ESEMANTIC, s, "%s: unknown architecture '%s'", path,
				    s != NULL ? s : "(not a string)");
	if (seccomp_policy_add_arch(j->p, t) < 0)
		return sc_json_fail(j, BPFC_ERANGE, NULL, "%s: %s", path,
				    "too many architectures");
	return 0;
}

/* The architectures: the options', "architectures", or the archMap entry
 * of the primary architecture with its sub-architectures (moby). */
static int
sc_json_arches(struct sc_json *j, const json_t *root, uint32_t primary)
{
	const json_t *list = json_object_get(root, "architectures");
	const json_t *map = json_object_get(root, "archMap");

	if (j->o->narches > 0) {
		for (size_t i = 0; i < j->o->narches; i++)
			if (seccomp_policy_add_arch(j->p, j->o->arches[i]) < 0)
				return diag_plain(j->err, BPFC_ESEMANTIC,
						  "unsupported architecture 0x%08x",
						  (unsigned)j->o->arches[i]);
		return 0;
	}
	if (json_array_size(list) > 0 && json_array_size(map) > 0)
		return diag_plain(j->err, BPFC_ESEMANTIC,
				  "both \"architectures\" and \"archMap\" given");
	for (size_t i = 0; i < json_array_size(list); i++)
		if (sc_json_add_arch(j, json_array_get(list, i), "architectures") < 0)
			return -1;
	for (size_t i = 0; i < json_array_size(map); i++) {
		const json_t *e = json_array_get(map, i);
		const char *s = json_string_value(json_object_get(e, "architecture"));
		if (s == NULL || seccomp_arch_token(s, strlen(s)) != primary)
			continue;
		if (seccomp_policy_add_arch(j->p, primary) < 0)
			return -1;
		const json_t *subs = json_object_get(e, "subArchitectures");
		for (size_t k = 0; k < json_array_size(subs); k++)
			if (sc_json_add_arch(j, json_array_get(subs, k), "archMap") < 0)
				return -1;
		break;
	}
	if (j->p->narches == 0 && seccomp_policy_add_arch(j->p, primary) < 0)
		return diag_plain(j->err, BPFC_EUNSUPPORTED, "unsupported host architecture");
	return 0;
}

static int
sc_json_setup(struct sc_json *j)
{
	uint32_t primary = j->o->narches > 0 ? j->o->arches[0] : seccomp_arch_native();
	struct seccomp_policy tmp; /* only for the architecture's name */
	memset(&tmp, 0, sizeof(tmp));
	if (seccomp_policy_add_arch(&tmp, primary) < 0)
		return diag_plain(j->err, BPFC_EUNSUPPORTED, "unsupported architecture");
	j->primary = tmp.arches[0].name;
	j->primary_go = strcmp(j->primary, "x86_64") == 0    ? "amd64"
			: strcmp(j->primary, "aarch64") == 0 ? "arm64"
							     : NULL;
	j->kmajor = j->o->kernel_major;
	j->kminor = j->o->kernel_minor;
	if (j->kmajor == 0 && j->kminor == 0) {
		struct utsname u;
		if (uname(&u) < 0 || sc_kernel_parse(u.release, &j->kmajor, &j->kminor) < 0)
			return diag_plain(j->err, BPFC_EIO, "cannot read the kernel version");
	}
	return 0;
}

/* jansson's position is just past the offending token, quoted in its
 * message as "near 'TOKEN'": step back over it. */
static int
sc_json_syntax(struct sc_json *j, const json_error_t *je)
{
	size_t pos = je->position > 0 ? (size_t)je->position : 0;
	size_t tok = 0;
	const char *near = strstr(je->text, "near '");
	if (near != NULL) {
		const char *q = strrchr(near + 6, '\'');
		tok = q != NULL ? (size_t)(q - (near + 6)) : 0;
	}
	if (pos > j->len)
		pos = j->len;
	if (tok > pos)
		tok = pos;
	return diag_at(j->err, BPFC_ESYNTAX, (uint32_t)(pos - tok), (uint32_t)pos, "%s",
		       je->text);
}

int
seccomp_parse_json(struct arena *a, const char *text, size_t len,
		   const struct seccomp_options *o, struct seccomp_policy **out,
		   struct bpfc_error *err)
{
	struct sc_json j = {.a = a, .text = text, .len = len, .o = o, .err = err};
	json_error_t je;
	int rc = -1;

	*out = NULL;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL)
		return sc_json_syntax(&j, &je);
	j.p = arena_alloc(a, sizeof(*j.p));
	if (j.p == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		goto done;
	}
	if (!json_is_object(root)) {
		diag_plain(err, BPFC_ESEMANTIC, "a seccomp profile is a JSON object");
		goto done;
	}
	if (sc_json_setup(&j) < 0)
		goto done;
	const json_t *dflt = json_object_get(root, "defaultAction");
	if (dflt == NULL) {
		diag_plain(err, BPFC_ESEMANTIC, "the profile has no \"defaultAction\"");
		goto done;
	}
	if (sc_json_action(&j, dflt, json_object_get(root, "defaultErrnoRet"), "defaultAction",
			   &j.p->default_action) < 0)
		goto done;
	/* runc leaves libseccomp's bad-architecture action, KILL_THREAD;
	 * bpfc kills the process (seccomp.h). */
	j.p->badarch_action = SECCOMP_RET_KILL_PROCESS;
	j.p->x32_action = j.p->badarch_action;
	if (sc_json_arches(&j, root, o->narches > 0 ? o->arches[0] : seccomp_arch_native()) < 0)
		goto done;
	const json_t *calls = json_object_get(root, "syscalls");
	if (calls != NULL && !json_is_null(calls) && !json_is_array(calls)) {
		diag_plain(err, BPFC_ESEMANTIC, "\"syscalls\" must be an array");
		goto done;
	}
	for (size_t i = 0; i < json_array_size(calls); i++)
		if (sc_json_syscall(&j, json_array_get(calls, i), i) < 0)
			goto done;
	if (seccomp_policy_finish(a, j.p, o, err) < 0)
		goto done;
	*out = j.p;
	rc = 0;
done:
	json_decref(root);
	return rc;
}
