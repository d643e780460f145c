/*
 * gen_stats.c: the kernel's extra rules for seccomp filters
 * (seccomp_check) and the figures `bpfc --seccomp --stats` prints
 * (seccomp_stats).
 *
 * Takes: a cBPF program and, for the statistics, its policy.  Gives: a
 * verdict, or per architecture the instructions executed per syscall
 * number and the numbers whose ALLOW is decided from arch and number alone.
 * The counting walk runs only the instructions seccomp_check accepts
 * without scratch memory or X; the cache walk follows the kernel's
 * emulation for its action cache (seccomp_cache_prepare_bitmap): it knows
 * nr and arch, and gives up at any other load.
 */
#include <config.h>

#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "seccomp/seccomp.h"

int
seccomp_check(const struct bpfc_insn *insns, size_t n, struct bpfc_error *err)
{
	struct bpfc_load_options lo;
	bpfc_load_options_init(&lo);
	if (cbpf_validate(insns, n, &lo, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint16_t c = insns[i].code;
		uint32_t k = insns[i].k;
		if (c == (CBPF_LD | CBPF_W | CBPF_ABS)) {
			if (k >= sizeof(struct seccomp_data) || (k & 3) != 0)
				return diag_insn(err, BPFC_EINVAL, i,
						 "seccomp filters load aligned words of "
						 "struct seccomp_data only (offset %u)",
						 (unsigned)k);
			continue;
		}
		int bad = CBPF_CLASS(c) == CBPF_LD || CBPF_CLASS(c) == CBPF_LDX
				  ? (c & 0xe0) == CBPF_ABS || (c & 0xe0) == CBPF_IND ||
					    (c & 0xe0) == CBPF_MSH
				  : CBPF_CLASS(c) == CBPF_ALU && ((c & 0xf0) == CBPF_MOD ||
								  (c & 0xf0) == CBPF_XOR);
		if (bad)
			return diag_insn(err, BPFC_EINVAL, i,
					 "instruction 0x%02x is not allowed in a seccomp filter",
					 (unsigned)c);
	}
	return 0;
}

/* seccomp_data as the filter sees it: words in the arch's byte order. */
static uint32_t
sc_word_at(const struct seccomp_data *d, uint32_t off)
{
	if (off == 0)
		return (uint32_t)d->nr;
	if (off == 4)
		return d->arch;
	uint64_t v = off < 16 ? d->instruction_pointer : d->args[(off - 16) / 8];
	int le = (d->arch & __AUDIT_ARCH_LE) != 0;
	int high = ((off & 4) != 0) == le;
	return high ? (uint32_t)(v >> 32) : (uint32_t)v;
}

/* Run `insns` on `d`, counting instructions.  With `cache_only` set, stop
 * (return 0) at anything the kernel's cache emulation does not know.
 * Returns the count, 0 when the walk stopped, and the action in *ret. */
static unsigned
sc_walk(const struct bpfc_insn *insns, size_t n, const struct seccomp_data *d, int cache_only,
	uint32_t *ret)
{
	uint32_t A = 0;
	unsigned steps = 0;
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpfc_insn *x = &insns[pc];
		steps++;
		switch (x->code) {
		case CBPF_LD | CBPF_W | CBPF_ABS:
			if (cache_only && x->k != 0 && x->k != 4)
				return 0;
			A = sc_word_at(d, x->k);
			continue;
		case CBPF_ALU | CBPF_AND | CBPF_K: A &= x->k; continue;
		case CBPF_JMP | CBPF_JA: pc += x->k; continue;
		case CBPF_JMP | CBPF_JEQ | CBPF_K: pc += A == x->k ? x->jt : x->jf; continue;
		case CBPF_JMP | CBPF_JGT | CBPF_K: pc += A > x->k ? x->jt : x->jf; continue;
		case CBPF_JMP | CBPF_JGE | CBPF_K: pc += A >= x->k ? x->jt : x->jf; continue;
		case CBPF_JMP | CBPF_JSET | CBPF_K: pc += (A & x->k) ? x->jt : x->jf; continue;
		case CBPF_RET | CBPF_K: *ret = x->k; return steps;
		default: return 0;
		}
	}
	return 0;
}

static int
sc_arch_stats(struct arena *a, const struct seccomp_arch *arch, const struct bpfc_insn *insns,
	      size_t n, struct seccomp_arch_stats *s, struct bpfc_error *err)
{
	memset(s, 0, sizeof(*s));
	s->name = arch->name;
	s->cacheable = arena_calloc(a, arch->ncalls ? arch->ncalls : 1, sizeof(uint32_t));
	if (s->cacheable == NULL)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	uint64_t sum = 0, asum = 0;
	for (size_t i = 0; i < arch->ncalls; i++) {
		struct seccomp_data d;
		memset(&d, 0, sizeof(d));
		d.arch = arch->audit;
		d.nr = (int)arch->calls[i].nr;
		uint32_t act = 0, cact = 0;
		unsigned steps = sc_walk(insns, n, &d, 0, &act);
		if (steps == 0)
			return diag_plain(err, BPFC_EUNSUPPORTED,
					  "the statistics do not model this program");
		if (sc_walk(insns, n, &d, 1, &cact) != 0 && cact == SECCOMP_RET_ALLOW)
			s->cacheable[s->ncacheable++] = arch->calls[i].nr;
		s->min = s->ncalls == 0 || steps < s->min ? steps : s->min;
		s->max = steps > s->max ? steps : s->max;
		sum += steps;
		s->ncalls++;
		if (act != SECCOMP_RET_ALLOW)
			continue;
		s->allowed_min = s->nallowed == 0 || steps < s->allowed_min ? steps : s->allowed_min;
		s->allowed_max = steps > s->allowed_max ? steps : s->allowed_max;
		asum += steps;
		s->nallowed++;
	}
	s->avg = s->ncalls ? (double)sum / (double)s->ncalls : 0;
	s->allowed_avg = s->nallowed ? (double)asum / (double)s->nallowed : 0;
	return 0;
}

int
seccomp_stats(struct arena *a, const struct seccomp_policy *p, const struct bpfc_insn *insns,
	      size_t n, struct seccomp_stats *out, struct bpfc_error *err)
{
	memset(out, 0, sizeof(*out));
	out->ninsns = n;
	for (size_t i = 0; i < p->narches; i++)
		if (sc_arch_stats(a, &p->arches[i], insns, n, &out->arches[i], err) < 0)
			return -1;
	out->narches = p->narches;
	return 0;
}
