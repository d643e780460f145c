/*
 * gen.c: a seccomp policy to classic BPF (seccomp_codegen).
 *
 * Takes: a finished struct seccomp_policy.  Gives: a program over struct
 * seccomp_data whose return value for every input is seccomp_eval's.
 *
 * Shape of the program:
 *   ld [4]; jeq AUDIT_1 -> tree_1; jeq AUDIT_2 -> tree_2; ...; ret BADARCH
 *   tree_i: ld [0]; a search tree of jge over ranges of syscall numbers
 *           with the same outcome (x32's range on AUDIT_ARCH_X86_64 is one
 *           more range), leaves a `ret` or an argument check
 * so every path to an outcome decided by arch and nr alone uses only
 * ld [0]/[4], jeq/jge with constants and ret: the kernel's action cache
 * (Linux >= 5.11) emulates exactly those and skips the filter for them.
 *
 * The tree: ranges of equal outcome are merged; a single number between
 * two ranges of one outcome becomes a jeq "exception" of the merged range
 * (one instruction instead of two tree nodes); the tree over the remaining
 * leaves is the optimal alphabetic tree (Knuth's O(n^2) dynamic program)
 * for weights that count the numbers allowed outright, so allowed calls
 * take the shortest paths.  Argument checks: each call's rules, most
 * restrictive first (the precedence of seccomp.h), as a decision list;
 * 64-bit comparisons on 32-bit words, high word first, unsigned.
 */
#include <config.h>

#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cbpf/opcodes.h"
#include "seccomp/gen.h"
#include "seccomp/seccomp.h"

#define SC_LD (CBPF_LD | CBPF_W | CBPF_ABS)
#define SC_AND (CBPF_ALU | CBPF_AND | CBPF_K)
#define SC_JEQ (CBPF_JMP | CBPF_JEQ | CBPF_K)
#define SC_JGT (CBPF_JMP | CBPF_JGT | CBPF_K)
#define SC_JGE (CBPF_JMP | CBPF_JGE | CBPF_K)
#define SC_JSET (CBPF_JMP | CBPF_JSET | CBPF_K)
#define SC_RET (CBPF_RET | CBPF_K)

/* ---- the DAG ------------------------------------------------------------- */

void
sc_dag_init(struct sc_dag *d)
{
	memset(d, 0, sizeof(*d));
}

void
sc_dag_free(struct sc_dag *d)
{
	free(d->nodes);
	free(d->hash);
	memset(d, 0, sizeof(*d));
}

static size_t
sc_hash(uint16_t code, uint32_t k, int jt, int jf)
{
	uint64_t h = code * 0x9e3779b97f4a7c15ull;
	h ^= (k + 0x632be59bd9b4e019ull) * 0xbf58476d1ce4e5b9ull;
	h ^= ((uint64_t)(uint32_t)jt << 32 | (uint32_t)jf) * 0x94d049bb133111ebull;
	return (size_t)(h ^ (h >> 29));
}

static int
sc_dag_grow(struct sc_dag *d)
{
	size_t cap = d->cap ? 2 * d->cap : 256;
	struct sc_node *nodes = realloc(d->nodes, cap * sizeof(*nodes));
	int *hash = calloc(2 * cap, sizeof(*hash));
	if (nodes == NULL || hash == NULL) {
		if (nodes != NULL)
			d->nodes = nodes;
		free(hash);
		return -1;
	}
	d->nodes = nodes;
	d->cap = cap;
	free(d->hash);
	d->hash = hash;
	d->hcap = 2 * cap;
	for (size_t i = 0; i < d->n; i++) {
		const struct sc_node *x = &d->nodes[i];
		size_t h = sc_hash(x->code, x->k, x->jt, x->jf) & (d->hcap - 1);
		while (d->hash[h] != 0)
			h = (h + 1) & (d->hcap - 1);
		d->hash[h] = (int)i + 1;
	}
	return 0;
}

int
sc_node(struct sc_dag *d, uint16_t code, uint32_t k, int jt, int jf)
{
	if (d->nomem || (code != SC_RET && jt < 0) || (CBPF_CLASS(code) == CBPF_JMP && jf < 0))
		return -1;
	if (CBPF_CLASS(code) == CBPF_JMP && jt == jf)
		return jt;
	if (code == SC_LD || code == SC_AND) {
		uint16_t next = d->nodes[jt].code;
		if (next == SC_LD || next == SC_RET)
			return jt;
		jf = -1;
	}
	if (code == SC_RET)
		jt = jf = -1;
	if (d->n + 1 > d->cap / 2 * 2 - d->cap / 4 && sc_dag_grow(d) < 0) {
		d->nomem = 1;
		return -1;
	}
	size_t h = sc_hash(code, k, jt, jf) & (d->hcap - 1);
	for (; d->hash[h] != 0; h = (h + 1) & (d->hcap - 1)) {
		const struct sc_node *x = &d->nodes[d->hash[h] - 1];
		if (x->code == code && x->k == k && x->jt == jt && x->jf == jf)
			return d->hash[h] - 1;
	}
	d->nodes[d->n] = (struct sc_node){code, k, jt, jf};
	d->hash[h] = (int)d->n + 1;
	return (int)d->n++;
}

/* ---- argument conditions --------------------------------------------------- */

struct sc_gen {
	struct sc_dag dag;
	int le; /* the architecture being generated stores u64 little-endian */
};

/* Offset of the high (hi != 0) or low word of args[arg]. */
static uint32_t
sc_word(const struct sc_gen *g, unsigned arg, int hi)
{
	return 16 + 8 * arg + ((hi != 0) == (g->le != 0) ? 4 : 0);
}

/* `(word & mask) OP v` on one 32-bit word, for the unsigned orders the
 * jumps give (jeq, jgt, jge); T when it holds, F otherwise. */
static int
sc_word_test(struct sc_gen *g, uint32_t off, uint32_t mask, uint16_t jop, uint32_t v, int t,
	     int f)
{
	struct sc_dag *d = &g->dag;
	if (mask == 0) { /* the word is 0 */
		int holds = jop != SC_JGT && v == 0; /* 0 > v never holds */
		return holds ? t : f;
	}
	if (jop == SC_JGE && v == 0)
		return t;
	if (jop == SC_JGT && v >= mask)
		return f;
	if (jop == SC_JEQ && mask != UINT32_MAX) {
		if ((v & ~mask) != 0)
			return f;
		if (v == 0) /* no masked bit set */
			return sc_node(d, SC_LD, off, sc_node(d, SC_JSET, mask, f, t), -1);
		if (v == mask && (mask & (mask - 1)) == 0)
			return sc_node(d, SC_LD, off, sc_node(d, SC_JSET, mask, t, f), -1);
	}
	int j = sc_node(d, jop, v, t, f);
	if (mask != UINT32_MAX)
		j = sc_node(d, SC_AND, mask, j, -1);
	return sc_node(d, SC_LD, off, j, -1);
}

/* (args[arg] & mask) OP value as unsigned 64-bit numbers: the high words
 * decide unless they are equal, then the low words do. */
static int
sc_cmp64(struct sc_gen *g, const struct seccomp_expr *e, int t, int f)
{
	uint32_t hoff = sc_word(g, e->arg, 1), loff = sc_word(g, e->arg, 0);
	uint32_t mh = (uint32_t)(e->mask >> 32), ml = (uint32_t)e->mask;
	uint32_t vh = (uint32_t)(e->value >> 32), vl = (uint32_t)e->value;
	int swap = 0;
	uint16_t jop = SC_JEQ;
	switch (e->op) {
	case SECCOMP_OP_NE: swap = 1; /* fall through */
	case SECCOMP_OP_EQ: jop = SC_JEQ; break;
	case SECCOMP_OP_LE: swap = 1; /* fall through */
	case SECCOMP_OP_GT: jop = SC_JGT; break;
	case SECCOMP_OP_LT: swap = 1; /* fall through */
	case SECCOMP_OP_GE: jop = SC_JGE; break;
	}
	if (swap) {
		int x = t;
		t = f;
		f = x;
	}
	int lo = sc_word_test(g, loff, ml, jop, vl, t, f);
	if (jop == SC_JEQ)
		return sc_word_test(g, hoff, mh, SC_JEQ, vh, lo, f);
	/* the low words decide nothing: hi >= vh, or hi > vh */
	if (lo == t)
		return sc_word_test(g, hoff, mh, SC_JGE, vh, t, f);
	if (lo == f)
		return sc_word_test(g, hoff, mh, SC_JGT, vh, t, f);
	/* hi > vh: T; hi == vh: the low words; else F */
	int eq = sc_word_test(g, hoff, mh, SC_JEQ, vh, lo, f);
	if ((vh & ~mh) == 0 && vh == mh)
		return eq; /* nothing above vh */
	if (mh != UINT32_MAX)
		return sc_word_test(g, hoff, mh, SC_JGT, vh, t, eq);
	/* one load, two jumps: jgt vh -> T, jeq vh -> lo, F */
	struct sc_dag *d = &g->dag;
	int inner = eq;
	if (inner >= 0 && d->nodes[inner].code == SC_LD && d->nodes[inner].k == hoff)
		inner = d->nodes[inner].jt; /* already loaded */
	return sc_node(d, SC_LD, hoff, sc_node(d, SC_JGT, vh, t, inner), -1);
}

static int
sc_cond(struct sc_gen *g, const struct seccomp_expr *e, int t, int f)
{
	switch (e->kind) {
	case SECCOMP_EXPR_AND: return sc_cond(g, e->left, sc_cond(g, e->right, t, f), f);
	case SECCOMP_EXPR_OR: return sc_cond(g, e->left, t, sc_cond(g, e->right, t, f));
	case SECCOMP_EXPR_CMP: break;
	}
	return sc_cmp64(g, e, t, f);
}

/* Rules by precedence: more restrictive first, then earlier. */
static int
sc_rule_prec(const void *x, const void *y)
{
	const struct seccomp_rule *a = *(const struct seccomp_rule *const *)x;
	const struct seccomp_rule *b = *(const struct seccomp_rule *const *)y;
	int c = seccomp_action_cmp(a->action, b->action);
	if (c != 0)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* One call's outcome: a return, or its rules as a decision list. */
static int
sc_call(struct sc_gen *g, const struct seccomp_policy *p, const struct seccomp_call *c)
{
	const struct seccomp_rule **r = malloc((c->nrules ? c->nrules : 1) * sizeof(*r));
	if (r == NULL) {
		g->dag.nomem = 1;
		return -1;
	}
	memcpy(r, c->rules, c->nrules * sizeof(*r));
	qsort(r, c->nrules, sizeof(*r), sc_rule_prec);
	/* the first unconditional rule in precedence order ends the list */
	size_t n = 0;
	uint32_t fallback = p->default_action;
	for (; n < c->nrules; n++)
		if (r[n]->cond == NULL) {
			fallback = r[n]->action;
			break;
		}
	int node = sc_node(&g->dag, SC_RET, fallback, -1, -1);
	for (size_t i = n; i-- > 0;)
		node = sc_cond(g, r[i]->cond, sc_node(&g->dag, SC_RET, r[i]->action, -1, -1),
			       node);
	free(r);
	return node;
}

/* ---- the number tree ------------------------------------------------------- */

/* A leaf: numbers [lo, hi] go to `node` except the jeq exceptions in
 * [ex, ex + nex) of the exception array. */
struct sc_leaf {
	uint32_t lo, hi;
	int node;
	size_t ex, nex;
	uint64_t weight;
};

struct sc_ranges {
	struct sc_leaf *v;
	size_t n, cap;
	uint32_t *exnr; /* exceptions: number and node */
	int *exnode;
	size_t nex, excap;
};

/* Numbers allowed outright pull their leaves up the tree. */
#define SC_W_ALLOW 1024u

static int
sc_push(struct sc_ranges *r, uint32_t lo, uint32_t hi, int node, uint64_t w)
{
	if (r->n > 0 && r->v[r->n - 1].node == node && r->v[r->n - 1].hi + 1 == lo) {
		r->v[r->n - 1].hi = hi;
		r->v[r->n - 1].weight += w;
		return 0;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct sc_leaf *v = realloc(r->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct sc_leaf){lo, hi, node, 0, 0, w};
	return 0;
}

/* The numbers [lo, hi] of one architecture's table (NULL: all `dflt`). */
static int
sc_segment(struct sc_gen *g, const struct seccomp_policy *p, const struct seccomp_arch *a,
	   uint32_t lo, uint32_t hi, uint32_t dflt, struct sc_ranges *r)
{
	int dnode = sc_node(&g->dag, SC_RET, dflt, -1, -1);
	int allow = sc_node(&g->dag, SC_RET, SECCOMP_RET_ALLOW, -1, -1);
	uint64_t cur = lo;
	for (size_t i = 0; a != NULL && i < a->ncalls; i++) {
		const struct seccomp_call *c = &a->calls[i];
		if (c->nr < lo || c->nr > hi)
			continue;
		if (c->nr > cur && sc_push(r, (uint32_t)cur, c->nr - 1, dnode, 1) < 0)
			return -1;
		int node = sc_call(g, p, c);
		if (node < 0 || sc_push(r, c->nr, c->nr, node, node == allow ? SC_W_ALLOW : 1) < 0)
			return -1;
		cur = (uint64_t)c->nr + 1;
	}
	if (cur <= hi && sc_push(r, (uint32_t)cur, hi, dnode, 1) < 0)
		return -1;
	return 0;
}

/* X, single number, X: one leaf X with a jeq exception. */
static int
sc_punch(struct sc_ranges *r)
{
	r->exnr = malloc((r->n ? r->n : 1) * sizeof(*r->exnr));
	r->exnode = malloc((r->n ? r->n : 1) * sizeof(*r->exnode));
	if (r->exnr == NULL || r->exnode == NULL)
		return -1;
	size_t out = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct sc_leaf *last = out > 0 ? &r->v[out - 1] : NULL;
		if (last != NULL && i + 1 < r->n && r->v[i].lo == r->v[i].hi &&
		    r->v[i + 1].node == last->node) {
			if (last->nex == 0)
				last->ex = r->nex;
			r->exnr[r->nex] = r->v[i].lo;
			r->exnode[r->nex++] = r->v[i].node;
			last->nex++;
			last->hi = r->v[i + 1].hi;
			last->weight += r->v[i].weight + r->v[i + 1].weight;
			i++;
			continue;
		}
		r->v[out++] = r->v[i];
	}
	r->n = out;
	return 0;
}

static int
sc_leaf_node(struct sc_gen *g, const struct sc_ranges *r, const struct sc_leaf *l)
{
	int node = l->node;
	for (size_t i = l->nex; i-- > 0;)
		node = sc_node(&g->dag, SC_JEQ, r->exnr[l->ex + i], r->exnode[l->ex + i], node);
	return node;
}

static size_t
sc_median(const struct sc_ranges *r, size_t i, size_t j)
{
	uint64_t total = 0, acc = 0;
	for (size_t x = i; x <= j; x++)
		total += r->v[x].weight;
	size_t k = i + 1;
	for (size_t x = i; x < j; x++) {
		acc += r->v[x].weight;
		k = x + 1;
		if (2 * acc >= total)
			break;
	}
	return k;
}

/* Leaves [i, j] split at root[i][j] (the first leaf of the right side),
 * or at the weighted median without a table. */
static int
sc_tree(struct sc_gen *g, const struct sc_ranges *r, const size_t *root, size_t i, size_t j)
{
	if (i == j)
		return sc_leaf_node(g, r, &r->v[i]);
	size_t k = root != NULL ? root[i * r->n + j] : sc_median(r, i, j);
	int right = sc_tree(g, r, root, k, j);
	int left = sc_tree(g, r, root, i, k - 1);
	return sc_node(&g->dag, SC_JGE, r->v[k].lo, right, left);
}

/* The split of every [i, j]: the optimal alphabetic tree for the leaf
 * weights (cost = sum of weight x depth), with Knuth's bound
 * root[i][j-1] <= root[i][j] <= root[i+1][j].  Only up to SC_DP_MAX
 * leaves (quadratic memory); larger trees split at the weighted median. */
#define SC_DP_MAX 700

static size_t *
sc_splits(const struct sc_ranges *r)
{
	size_t n = r->n;
	size_t *root = calloc(n * n, sizeof(*root));
	if (root == NULL)
		return NULL;
	uint64_t *cost = calloc(n * n, sizeof(*cost));
	uint64_t *pre = calloc(n + 1, sizeof(*pre));
	if (cost == NULL || pre == NULL) {
		free(cost);
		free(pre);
		free(root);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		pre[i + 1] = pre[i] + r->v[i].weight;
	for (size_t len = 2; len <= n; len++)
		for (size_t i = 0; i + len <= n; i++) {
			size_t j = i + len - 1;
			size_t lo = len == 2 ? i + 1 : root[i * n + j - 1];
			size_t hi = len == 2 ? j : root[(i + 1) * n + j];
			uint64_t best = UINT64_MAX;
			for (size_t k = lo; k <= hi; k++) {
				uint64_t c = cost[i * n + k - 1] + cost[k * n + j];
				if (c < best) {
					best = c;
					root[i * n + j] = k;
				}
			}
			cost[i * n + j] = best + pre[j + 1] - pre[i];
		}
	free(cost);
	free(pre);
	return root;
}

/* The tree for one kernel arch value: the x86_64 numbers, x32's range
 * [0x40000000, 0xfffffffe] and 0xffffffff (x86_64 again), as
 * seccomp_policy_arch reads them. */
static int
sc_arch_tree(struct sc_gen *g, const struct seccomp_policy *p, uint32_t audit)
{
	const struct seccomp_arch *native = NULL, *x32 = NULL;
	for (size_t i = 0; i < p->narches; i++) {
		if (p->arches[i].audit != audit)
			continue;
		if (p->arches[i].x32)
			x32 = &p->arches[i];
		else
			native = &p->arches[i];
	}
	g->le = (audit & __AUDIT_ARCH_LE) != 0;
	struct sc_ranges r;
	memset(&r, 0, sizeof(r));
	uint32_t nd = native != NULL ? p->default_action : p->badarch_action;
	int rc;
	if (audit != AUDIT_ARCH_X86_64) {
		rc = sc_segment(g, p, native, 0, UINT32_MAX, nd, &r);
	} else {
		uint32_t xd = x32 != NULL ? p->default_action
			      : native != NULL ? p->x32_action : p->badarch_action;
		rc = sc_segment(g, p, native, 0, SECCOMP_X32_BIT - 1, nd, &r);
		if (rc == 0)
			rc = sc_segment(g, p, x32, SECCOMP_X32_BIT, UINT32_MAX - 1, xd, &r);
		if (rc == 0)
			rc = sc_segment(g, p, native, UINT32_MAX, UINT32_MAX, nd, &r);
	}
	int node = -1;
	if (rc == 0 && sc_punch(&r) == 0) {
		size_t *root = r.n <= SC_DP_MAX ? sc_splits(&r) : NULL;
		if (root != NULL || r.n > SC_DP_MAX)
			node = sc_node(&g->dag, SC_LD, 0, sc_tree(g, &r, root, 0, r.n - 1), -1);
		free(root);
	}
	free(r.v);
	free(r.exnr);
	free(r.exnode);
	if (node < 0)
		g->dag.nomem = 1;
	return node;
}

/* ld [4]; jeq AUDIT -> tree; ...; ret BADARCH, the policy's first
 * architecture (the host's, for JSON profiles) tested first. */
static int
sc_program(struct sc_gen *g, const struct seccomp_policy *p)
{
	uint32_t audits[SECCOMP_MAX_ARCHES];
	size_t na = 0;
	for (size_t i = 0; i < p->narches; i++) {
		size_t k = 0;
		while (k < na && audits[k] != p->arches[i].audit)
			k++;
		if (k == na)
			audits[na++] = p->arches[i].audit;
	}
	int node = sc_node(&g->dag, SC_RET, p->badarch_action, -1, -1);
	for (size_t i = na; i-- > 0;) {
		int tree = sc_arch_tree(g, p, audits[i]);
		node = sc_node(&g->dag, SC_JEQ, audits[i], tree, node);
	}
	return sc_node(&g->dag, SC_LD, 4, node, -1);
}

int
seccomp_codegen(struct arena *a, const struct seccomp_policy *p, struct bpfc_insn **out,
		size_t *n, struct bpfc_error *err)
{
	struct sc_gen g;
	struct sc_dag simple;
	memset(&g, 0, sizeof(g));
	sc_dag_init(&g.dag);
	sc_dag_init(&simple);
	int root = sc_program(&g, p);
	if (root >= 0)
		root = sc_simplify(&g.dag, root, &simple);
	int rc = root < 0 ? diag_plain(err, BPFC_ENOMEM, "out of memory")
			  : sc_emit(a, &simple, root, out, n, err);
	sc_dag_free(&g.dag);
	sc_dag_free(&simple);
	if (rc == 0 && *n > BPFC_MAX_INSNS_DEFAULT)
		rc = diag_plain(err, BPFC_EUNSUPPORTED,
				"the seccomp filter needs %zu instructions, more than the "
				"kernel's limit of %u",
				*n, BPFC_MAX_INSNS_DEFAULT);
	if (rc == 0 && seccomp_check(*out, *n, err) < 0) {
		err->code = BPFC_EINTERNAL; /* a bug here, not in the policy */
		rc = -1;
	}
	return rc;
}
