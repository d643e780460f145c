/*
 * seccomp.c: the public entry point of the seccomp stage,
 * bpfc_seccomp_compile.
 *
 * Takes: a policy's bytes and struct bpfc_seccomp_options.  Gives: a
 * malloc'd classic BPF program that passed seccomp_check (the kernel's
 * rules for seccomp filters), or the first error with its code and byte
 * range.  Everything else (the arena, the model) dies here; the library
 * never prints.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "seccomp/seccomp.h"

void
bpfc_seccomp_options_init(struct bpfc_seccomp_options *o)
{
	memset(o, 0, sizeof(*o));
	o->format = BPFC_SECCOMP_AUTO;
}

/* The public options as the stage's: architecture names to tokens. */
static int
lsc_options(const struct bpfc_seccomp_options *in, struct seccomp_options *out,
	    struct bpfc_error *err)
{
	seccomp_options_init(out);
	out->caps = in->caps;
	out->ncaps = in->ncaps;
	out->kernel_major = in->kernel_major;
	out->kernel_minor = in->kernel_minor;
	out->ignore_unknown = in->ignore_unknown != 0;
	if (in->narches > SECCOMP_MAX_ARCHES)
		return diag_plain(err, BPFC_ERANGE, "more than %d architectures",
				  SECCOMP_MAX_ARCHES);
	for (size_t i = 0; i < in->narches; i++) {
		const char *name = in->arches[i] != NULL ? in->arches[i] : "";
		uint32_t t = seccomp_arch_token(name, strlen(name));
		if (t == 0)
			return diag_plain(err, BPFC_ESEMANTIC, "unknown architecture '%s'", name);
		out->arches[out->narches++] = t;
	}
	if (in->format != BPFC_SECCOMP_AUTO && in->format != BPFC_SECCOMP_JSON &&
	    in->format != BPFC_SECCOMP_TEXT)
		return diag_plain(err, BPFC_ERANGE, "unknown policy format %d", (int)in->format);
	return 0;
}

static enum bpfc_seccomp_format
lsc_format(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
			   text[i] == '\n'))
		i++;
	return i < len && text[i] == '{' ? BPFC_SECCOMP_JSON : BPFC_SECCOMP_TEXT;
}

int
bpfc_seccomp_compile(const char *policy, size_t len, const struct bpfc_seccomp_options *o,
		     struct bpfc_insn **insns, size_t *n, struct bpfc_error *err)
{
	struct bpfc_seccomp_options defaults;
	struct bpfc_error local;
	struct seccomp_options so;
	struct seccomp_policy *p = NULL;
	struct bpfc_insn *prog = NULL;
	struct arena a;
	size_t np = 0;
	int rc = -1;

	if (err == NULL)
		err = &local;
	diag_init(err);
	*insns = NULL;
	*n = 0;
	if (o == NULL) {
		bpfc_seccomp_options_init(&defaults);
		o = &defaults;
	}
	if (policy == NULL && len > 0)
		return diag_plain(err, BPFC_EINVAL, "no policy text");
	if (len > UINT32_MAX)
		return diag_plain(err, BPFC_ERANGE, "the policy is larger than 4 GiB");
	if (lsc_options(o, &so, err) < 0)
		return -1;
	enum bpfc_seccomp_format f = o->format != BPFC_SECCOMP_AUTO ? o->format
								    : lsc_format(policy, len);
	arena_init(&a);
	if (f == BPFC_SECCOMP_JSON ? seccomp_parse_json(&a, policy, len, &so, &p, err) == 0
				   : seccomp_parse_text(&a, policy, len, &so, &p, err) == 0)
		if (seccomp_codegen(&a, p, &prog, &np, err) == 0) {
			rc = seccomp_check(prog, np, err);
			if (rc < 0) /* the generator's promise, not the policy's fault */
				err->code = BPFC_EINTERNAL;
		}
	if (rc == 0 && (*insns = malloc(np * sizeof(*prog))) == NULL)
		rc = diag_plain(err, BPFC_ENOMEM, "out of memory");
	if (rc == 0) {
		memcpy(*insns, prog, np * sizeof(*prog));
		*n = np;
	}
	if (rc < 0 && err->code == BPFC_OK) /* a stage broke its contract */
		diag_plain(err, BPFC_EINTERNAL, "compiling the seccomp policy failed without a reason");
	arena_release(&a);
	return rc;
}
