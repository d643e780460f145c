/*
 * seccomp_vectors.c: the seccomp test vectors (seccomp_vectors.h).
 *
 * Takes a parsed policy and a seed; gives the vectors to a callback.  The
 * constants come from the policy's conditions (never from a program), so
 * the vectors probe every boundary any correct program must draw.  Also
 * the one way the tests run a program over struct seccomp_data.
 */
#include <config.h>

#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbpf/cbpf.h"
#include "tests/gen/rng.h"
#include "tests/seccomp_vectors.h"

struct sv_vals {
	size_t n;
	struct {
		unsigned arg;
		uint64_t v;
	} c[512];
};

static void
sv_add(struct sv_vals *cv, unsigned arg, uint64_t v)
{
	if (cv->n < sizeof(cv->c) / sizeof(cv->c[0])) {
		cv->c[cv->n].arg = arg;
		cv->c[cv->n].v = v;
		cv->n++;
	}
}

static void
sv_collect(const struct seccomp_expr *e, struct sv_vals *cv)
{
	if (e == NULL)
		return;
	if (e->kind != SECCOMP_EXPR_CMP) {
		sv_collect(e->left, cv);
		sv_collect(e->right, cv);
		return;
	}
	uint64_t v = e->value, m = e->mask;
	uint64_t vals[] = {v,
			   v - 1,
			   v + 1,
			   v ^ ((uint64_t)1 << 32),
			   v | 0xffffffff00000000ull,
			   v & 0xffffffffull,
			   (v & m) | ~m,
			   v ^ (m & (0 - m)), /* the lowest mask bit flipped */
			   v + 0x100000000ull,
			   v - 0x100000000ull};
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		sv_add(cv, e->arg, vals[i]);
}

struct sv_run {
	seccomp_vector_fn *fn;
	void *ctx;
	size_t count;
};

static void
sv_emit(struct sv_run *run, struct seccomp_data *d, int is32)
{
	if (is32)
		for (int i = 0; i < 6; i++)
			d->args[i] &= 0xffffffffull;
	run->fn(run->ctx, d);
	run->count++;
}

static void
sv_call(struct sv_run *run, const struct seccomp_call *c, uint32_t audit, int is32,
	struct rng *r)
{
	struct sv_vals *cv = calloc(1, sizeof(*cv));
	if (cv == NULL)
		abort();
	for (size_t i = 0; i < c->nrules; i++)
		sv_collect(c->rules[i]->cond, cv);
	struct seccomp_data d;
	memset(&d, 0, sizeof(d));
	d.arch = audit;
	d.nr = (int)c->nr;
	sv_emit(run, &d, is32);
	for (size_t i = 0; i < cv->n; i++) {
		memset(d.args, 0, sizeof(d.args));
		d.args[cv->c[i].arg] = cv->c[i].v;
		sv_emit(run, &d, is32);
	}
	size_t mixes = cv->n ? 4 * cv->n : 2;
	for (size_t k = 0; k < mixes; k++) {
		for (int i = 0; i < 6; i++)
			d.args[i] = rng_chance(r, 1, 4) ? rng_next(r) : 0;
		for (size_t i = 0; cv->n && i < 3; i++) {
			size_t j = rng_below(r, (uint32_t)cv->n);
			d.args[cv->c[j].arg] = cv->c[j].v;
		}
		sv_emit(run, &d, is32);
	}
	free(cv);
}

static void
sv_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
sv_put64(uint8_t *p, uint64_t v, int le)
{
	sv_put32(p + (le ? 0 : 4), (uint32_t)v);
	sv_put32(p + (le ? 4 : 0), (uint32_t)(v >> 32));
}

uint32_t
seccomp_vector_run(const struct bpfc_insn *insns, const struct seccomp_data *d)
{
	uint8_t buf[sizeof(struct seccomp_data)];
	int le = (d->arch & __AUDIT_ARCH_LE) != 0;
	sv_put32(buf, (uint32_t)d->nr);
	sv_put32(buf + 4, d->arch);
	sv_put64(buf + 8, d->instruction_pointer, le);
	for (int i = 0; i < 6; i++)
		sv_put64(buf + 16 + 8 * i, d->args[i], le);
	return cbpf_run(insns, buf, sizeof(buf), sizeof(buf));
}

void
seccomp_vector_mismatch(char *buf, size_t len, const struct seccomp_data *d,
			const char *who_want, uint32_t want, const char *who_got, uint32_t got)
{
	char w[32], g[32];
	seccomp_action_name(want, w, sizeof(w));
	seccomp_action_name(got, g, sizeof(g));
	snprintf(buf, len, "arch 0x%08x nr %d (0x%x) args %llx %llx %llx %llx %llx %llx: %s %s, %s %s",
		 (unsigned)d->arch, d->nr, (unsigned)d->nr, (unsigned long long)d->args[0],
		 (unsigned long long)d->args[1], (unsigned long long)d->args[2],
		 (unsigned long long)d->args[3], (unsigned long long)d->args[4],
		 (unsigned long long)d->args[5], who_want, w, who_got, g);
}

size_t
seccomp_vector_arches(uint32_t *out)
{
	static const char *const names[] = {
		"x86",	   "x86_64",  "x32",	"arm",	     "aarch64",	    "mips",  "mipsel",
		"mips64",  "mipsel64", "mips64n32", "mipsel64n32", "ppc", "ppc64",
		"ppc64le", "s390",    "s390x",	"parisc",    "parisc64",    "riscv64",
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint32_t t = seccomp_arch_resolve_name(names[i]);
		if (t != 0 && t != SCMP_ARCH_X32)
			out[n++] = t;
	}
	out[n++] = 0;
	out[n++] = 0xdeadbeef;
	out[n++] = SCMP_ARCH_X32; /* libseccomp's token, never the kernel's value */
	out[n++] = AUDIT_ARCH_X86_64 ^ 0x80000000u;
	return n;
}

size_t
seccomp_vectors(const struct seccomp_policy *p, uint64_t seed, int x32_is32,
		seccomp_vector_fn *fn, void *ctx)
{
	static const uint32_t special[] = {0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff,
					   0x80000000, 0xfffffffe, 0xffffffff, 0x0fffffff};
	static const uint32_t bases[] = {0, 4000, 5000, 6000, 0x40000000};
	struct sv_run run = {fn, ctx, 0};
	uint32_t arches[64];
	size_t na = seccomp_vector_arches(arches);
	struct rng r;
	rng_seed(&r, seed);
	for (size_t ai = 0; ai < na; ai++) {
		struct seccomp_data d;
		memset(&d, 0, sizeof(d));
		d.arch = arches[ai];
		int is32 = (arches[ai] & __AUDIT_ARCH_64BIT) == 0;
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
			for (uint32_t nr = bases[b]; nr < bases[b] + 1100; nr++) {
				d.nr = (int)nr;
				sv_emit(&run, &d, is32);
			}
		for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
			d.nr = (int)special[i];
			sv_emit(&run, &d, is32);
		}
	}
	for (size_t i = 0; i < p->narches; i++) {
		const struct seccomp_arch *a = &p->arches[i];
		int is32 = (a->x32 && x32_is32) || (a->audit & __AUDIT_ARCH_64BIT) == 0;
		for (size_t k = 0; k < a->ncalls; k++)
			sv_call(&run, &a->calls[k], a->audit, is32, &r);
	}
	return run.count;
}

char *
seccomp_test_shared(const char *name, size_t *len)
{
	const char *dir = getenv("BPFC_SHARED");
	char path[4096];
	snprintf(path, sizeof(path), "%s/seccomp/%s", dir != NULL ? dir : "../shared", name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}
