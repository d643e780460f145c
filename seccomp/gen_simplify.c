/*
 * gen_simplify.c: path facts on the seccomp DAG (sc_simplify).
 *
 * Takes: a hash-consed DAG (gen.h) and its root.  Gives: an equivalent DAG
 * in which no path reloads the word the accumulator already holds and no
 * jump is left whose outcome the path has already decided.  The facts are
 * what a path knows: which word the accumulator holds (or that it holds
 * something computed), and the value of argument words an earlier jeq
 * found equal to a constant (seccomp_data does not change while a filter
 * runs).  That is what turns "arg0 == 0 || arg0 == 8" from two full 64-bit
 * comparisons into one high-word test and two low-word jeqs.
 *
 * Each (node, facts) pair is rebuilt once (memo); facts stop growing after
 * SC_SIMPLIFY_BUDGET rebuilds, which bounds the work on adversarial
 * conditions (a conjunction of many disjunctions) at the cost of some
 * missed reloads.  Only facts about arguments are kept: numbers and arch
 * are never tested twice on a path, and fewer facts mean more sharing.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cbpf/opcodes.h"
#include "seccomp/gen.h"

#define SC_NFACTS 8
#define SC_SIMPLIFY_BUDGET 200000
#define SC_ACC_UNKNOWN 0xffffffffu

struct sc_facts {
	uint32_t acc; /* word offset held by A, or SC_ACC_UNKNOWN */
	uint32_t n;
	uint32_t off[SC_NFACTS], val[SC_NFACTS]; /* sorted by off */
};

struct sc_memo {
	int node, result;
	struct sc_facts f;
};

struct sc_simp {
	const struct sc_dag *in;
	struct sc_dag *out;
	struct sc_memo *memo;
	size_t nmemo, cap; /* open addressing, cap a power of two */
	size_t calls;
};

static size_t
sc_facts_hash(int node, const struct sc_facts *f)
{
	uint64_t h = (uint64_t)(uint32_t)node * 0x9e3779b97f4a7c15ull ^ f->acc;
	for (uint32_t i = 0; i < f->n; i++)
		h = (h ^ f->off[i] ^ ((uint64_t)f->val[i] << 20)) * 0xbf58476d1ce4e5b9ull;
	return (size_t)(h ^ (h >> 31));
}

static int
sc_facts_eq(const struct sc_facts *a, const struct sc_facts *b)
{
	if (a->acc != b->acc || a->n != b->n)
		return 0;
	for (uint32_t i = 0; i < a->n; i++)
		if (a->off[i] != b->off[i] || a->val[i] != b->val[i])
			return 0;
	return 1;
}

/* The memo slot for (node, f): its result, or -2 when absent (*slot set). */
static int
sc_memo_find(struct sc_simp *s, int node, const struct sc_facts *f, size_t *slot)
{
	size_t h = sc_facts_hash(node, f) & (s->cap - 1);
	for (; s->memo[h].node >= 0; h = (h + 1) & (s->cap - 1))
		if (s->memo[h].node == node && sc_facts_eq(&s->memo[h].f, f))
			return s->memo[h].result;
	*slot = h;
	return -2;
}

static int
sc_memo_grow(struct sc_simp *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024;
	struct sc_memo *m = malloc(cap * sizeof(*m));
	if (m == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++)
		m[i].node = -1;
	struct sc_memo *old = s->memo;
	size_t oldcap = s->cap;
	s->memo = m;
	s->cap = cap;
	for (size_t i = 0; i < oldcap; i++) {
		size_t slot;
		if (old[i].node >= 0 && sc_memo_find(s, old[i].node, &old[i].f, &slot) == -2)
			s->memo[slot] = old[i];
	}
	free(old);
	return 0;
}

/* The value of the word A holds, if the path knows it. */
static int
sc_known(const struct sc_facts *f, uint32_t *v)
{
	for (uint32_t i = 0; f->acc != SC_ACC_UNKNOWN && i < f->n; i++)
		if (f->off[i] == f->acc) {
			*v = f->val[i];
			return 1;
		}
	return 0;
}

static void
sc_learn(struct sc_facts *f, uint32_t off, uint32_t val)
{
	if (off < 16 || f->n == SC_NFACTS)
		return;
	uint32_t i = f->n;
	while (i > 0 && f->off[i - 1] > off) {
		f->off[i] = f->off[i - 1];
		f->val[i] = f->val[i - 1];
		i--;
	}
	f->off[i] = off;
	f->val[i] = val;
	f->n++;
}

static int
sc_jump_taken(uint16_t code, uint32_t a, uint32_t k)
{
	switch (code & 0xf0) {
	case CBPF_JEQ: return a == k;
	case CBPF_JGT: return a > k;
	case CBPF_JGE: return a >= k;
	default: return (a & k) != 0; /* CBPF_JSET */
	}
}

static int sc_rebuild(struct sc_simp *s, int node, const struct sc_facts *f);

static int
sc_rebuild_node(struct sc_simp *s, const struct sc_node *x, const struct sc_facts *f)
{
	struct sc_facts g = *f;
	uint32_t v;
	switch (CBPF_CLASS(x->code)) {
	case CBPF_RET:
		return sc_node(s->out, x->code, x->k, -1, -1);
	case CBPF_LD:
		if (f->acc == x->k)
			return sc_rebuild(s, x->jt, f);
		g.acc = x->k;
		return sc_node(s->out, x->code, x->k, sc_rebuild(s, x->jt, &g), -1);
	case CBPF_ALU:
		g.acc = SC_ACC_UNKNOWN;
		return sc_node(s->out, x->code, x->k, sc_rebuild(s, x->jt, &g), -1);
	default:
		break;
	}
	if (sc_known(f, &v))
		return sc_rebuild(s, sc_jump_taken(x->code, v, x->k) ? x->jt : x->jf, f);
	if ((x->code & 0xf0) == CBPF_JEQ && f->acc != SC_ACC_UNKNOWN &&
	    s->calls < SC_SIMPLIFY_BUDGET)
		sc_learn(&g, f->acc, x->k);
	int t = sc_rebuild(s, x->jt, &g);
	int e = sc_rebuild(s, x->jf, f);
	return t < 0 || e < 0 ? -1 : sc_node(s->out, x->code, x->k, t, e);
}

static int
sc_rebuild(struct sc_simp *s, int node, const struct sc_facts *f)
{
	size_t slot;
	if (node < 0 || s->out->nomem)
		return -1;
	if ((s->nmemo + 1) * 2 > s->cap && sc_memo_grow(s) < 0) {
		s->out->nomem = 1;
		return -1;
	}
	int r = sc_memo_find(s, node, f, &slot);
	if (r != -2)
		return r;
	s->calls++;
	r = sc_rebuild_node(s, &s->in->nodes[node], f);
	if (r < 0)
		return -1;
	/* the recursion may have grown the table: find the slot again */
	if (sc_memo_find(s, node, f, &slot) == -2) {
		s->memo[slot] = (struct sc_memo){node, r, *f};
		s->nmemo++;
	}
	return r;
}

int
sc_simplify(const struct sc_dag *in, int root, struct sc_dag *out)
{
	struct sc_simp s;
	memset(&s, 0, sizeof(s));
	s.in = in;
	s.out = out;
	struct sc_facts f;
	memset(&f, 0, sizeof(f));
	f.acc = SC_ACC_UNKNOWN;
	int r = sc_rebuild(&s, root, &f);
	free(s.memo);
	return r;
}
