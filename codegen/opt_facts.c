/*
 * opt_facts.c: branch outcomes known on paths, and the whole-program sweep.
 *
 * Takes: an IR program without unreachable blocks.  Gives: struct opt_an
 * (opt.h), and opt_decide(), which says whether a branch is settled by
 * constants or by the facts of a path.  A fact is "(value n) op k was
 * true/false", taken from the branch on an edge; the facts on entry to a
 * block are those present on every incoming edge (at most OPT_MAXFACTS:
 * dropping some only loses precision, never soundness).  An empty set of
 * allowed values (a contradiction) decides nothing.
 *
 * One disjunction is kept too: where every incoming edge knows a value to
 * be one of a few constants (a `jeq` chain's true edges meeting, as in the
 * `tcp or udp or sctp` test of every port primitive), the block knows it
 * is one of their union: atoms with op OPT_ONEOF, one per member, read as
 * a group per value.  A group is dropped whole, never in part.
 */
#include <config.h>

#include <string.h>

#include "codegen/opt.h"

/* A group of atoms (vn, k, OPT_ONEOF): vn is one of the group's k.  Not a
 * cBPF jump operation, so no branch ever makes one. */
#define OPT_ONEOF 0x70u
/* Largest group kept: a longer union says too little to pay for itself. */
#define OPT_MAXSET 8u

/* What the atoms about one value allow: lo..hi, not any of ne[], no bit of
 * zero, some bit of each some[i]. */
struct fx_sum {
	uint32_t lo, hi, zero;
	uint32_t ne[OPT_MAXFACTS], some[OPT_MAXFACTS], set[OPT_MAXFACTS];
	unsigned nne, nsome, nset;
};

static void
fx_add(struct fx_sum *s, const struct opt_atom *a)
{
	uint32_t k = a->k;

	switch (a->op) {
	case CBPF_JEQ:
		if (a->sense) {
			s->lo = s->lo > k ? s->lo : k;
			s->hi = s->hi < k ? s->hi : k;
		} else {
			s->ne[s->nne++] = k;
		}
		break;
	case CBPF_JGT:
		if (a->sense) {
			if (k == 0xffffffffu)
				s->lo = 1, s->hi = 0; /* impossible */
			else if (s->lo < k + 1)
				s->lo = k + 1;
		} else if (s->hi > k) {
			s->hi = k;
		}
		break;
	case CBPF_JGE:
		if (a->sense) {
			if (s->lo < k)
				s->lo = k;
		} else if (k == 0) {
			s->lo = 1, s->hi = 0;
		} else if (s->hi > k - 1) {
			s->hi = k - 1;
		}
		break;
	case OPT_ONEOF:
		s->set[s->nset++] = k;
		break;
	default: /* JSET */
		if (a->sense)
			s->some[s->nsome++] = k;
		else
			s->zero |= k;
		break;
	}
}

static int
fx_test(uint16_t op, uint32_t v, uint32_t k)
{
	switch (op) {
	case CBPF_JEQ: return v == k;
	case CBPF_JGT: return v > k;
	case CBPF_JGE: return v >= k;
	default: return (v & k) != 0;
	}
}

/* Whether the single value v is allowed by everything in s but its set. */
static int
fx_allows(const struct fx_sum *s, uint32_t v)
{
	if (v < s->lo || v > s->hi || (v & s->zero))
		return 0;
	for (unsigned i = 0; i < s->nne; i++)
		if (s->ne[i] == v)
			return 0;
	for (unsigned i = 0; i < s->nsome; i++)
		if ((v & s->some[i]) == 0)
			return 0;
	return 1;
}

/* The members of s's set that the other atoms allow, into out[]; their
 * count, or -1 when s has no set. */
static int
fx_members(const struct fx_sum *s, uint32_t *out)
{
	unsigned n = 0;

	if (s->nset == 0)
		return -1;
	for (unsigned i = 0; i < s->nset; i++)
		if (fx_allows(s, s->set[i]))
			out[n++] = s->set[i];
	return (int)n;
}

/* Outcome of `v op k` given what s allows. */
static int
fx_decide(const struct fx_sum *s, uint16_t op, uint32_t k)
{
	uint32_t m[OPT_MAXFACTS];
	int nm = fx_members(s, m);

	if (s->lo > s->hi || nm == 0)
		return -1;
	if (nm > 0) {
		int t = 0;
		for (int i = 0; i < nm; i++)
			t += fx_test(op, m[i], k);
		return t == nm ? 1 : t == 0 ? 0 : -1;
	}
	if (s->lo == s->hi)
		return fx_test(op, s->lo, k);
	switch (op) {
	case CBPF_JEQ:
		if (k < s->lo || k > s->hi || (k & s->zero))
			return 0;
		for (unsigned i = 0; i < s->nne; i++)
			if (s->ne[i] == k)
				return 0;
		return -1;
	case CBPF_JGT: return s->lo > k ? 1 : s->hi <= k ? 0 : -1;
	case CBPF_JGE: return s->lo >= k ? 1 : s->hi < k ? 0 : -1;
	default:
		if ((k & ~s->zero) == 0)
			return 0;
		for (unsigned i = 0; i < s->nsome; i++)
			if ((s->some[i] & ~k) == 0)
				return 1;
		if (k == 0xffffffffu && s->lo > 0)
			return 1;
		return -1;
	}
}

/* What the atoms of f about value vn allow. */
static void
fx_sum(const struct opt_facts *f, uint32_t vn, struct fx_sum *s)
{
	s->lo = s->zero = 0; /* the arrays are read only up to their counts */
	s->nne = s->nsome = s->nset = 0;
	s->hi = 0xffffffffu;
	for (uint32_t i = 0; i < f->n; i++)
		if (f->a[i].vn == vn)
			fx_add(s, &f->a[i]);
}

int
opt_decide(struct opt_vn *v, const struct ir_block *b, const struct opt_state *st,
	   const struct opt_facts *f)
{
	uint32_t a = st->r[OPT_A], k = b->k, ka;
	uint16_t op = b->code & 0xf0;
	struct fx_sum s;

	if (b->term != IR_BRANCH)
		return -1;
	if (b->code & CBPF_X) {
		if (a == st->r[OPT_X] && a != 0 && op != CBPF_JSET)
			return op != CBPF_JGT;
		if (!opt_vn_is_const(v, st->r[OPT_X], &k))
			return -1;
	}
	if (opt_vn_is_const(v, a, &ka))
		return fx_test(op, ka, k);
	if (f == NULL)
		return -1;
	if (a == 0)
		return -1;
	fx_sum(f, a, &s);
	return fx_decide(&s, op, k);
}

/* Drop atom i, and with it the rest of its group when it is in one. */
static void
fx_drop(struct opt_facts *f, uint32_t i)
{
	struct opt_atom gone = f->a[i];
	uint32_t n = 0;

	if (gone.op != OPT_ONEOF) {
		memmove(&f->a[i], &f->a[i + 1], (f->n - i - 1) * sizeof(f->a[0]));
		f->n--;
		return;
	}
	for (uint32_t j = 0; j < f->n; j++)
		if (j != i && !(gone.op == OPT_ONEOF && f->a[j].op == OPT_ONEOF &&
				f->a[j].vn == gone.vn))
			f->a[n++] = f->a[j];
	f->n = n;
}

static void
fx_push(struct opt_facts *f, const struct opt_atom *a)
{
	for (uint32_t i = 0; i < f->n; i++)
		if (memcmp(&f->a[i], a, sizeof(*a)) == 0)
			return;
	if (f->n == OPT_MAXFACTS) /* forget the oldest */
		fx_drop(f, 0);
	f->a[f->n++] = *a;
}

void
opt_edge_facts(struct opt_vn *v, const struct ir_block *b, const struct opt_state *out,
	       const struct opt_facts *in, unsigned which, struct opt_facts *f)
{
	struct opt_atom at;
	uint32_t k = b->k;

	*f = *in;
	if (b->term != IR_BRANCH || b->jt == b->jf || out->r[OPT_A] == 0)
		return;
	if ((b->code & CBPF_X) && !opt_vn_is_const(v, out->r[OPT_X], &k))
		return;
	memset(&at, 0, sizeof(at));
	at.vn = out->r[OPT_A];
	at.k = k;
	at.op = b->code & 0xf0;
	at.sense = which == 0;
	fx_push(f, &at);
}

/* The few values f allows for vn (a group's members, or the k of a true
 * `jeq`), into out[]; their count, or 0 when f does not pin vn down so. */
static unsigned
fx_values(const struct opt_facts *f, uint32_t vn, uint32_t *out)
{
	struct fx_sum s;
	int n;

	fx_sum(f, vn, &s);
	if (s.lo == s.hi && fx_allows(&s, s.lo)) {
		out[0] = s.lo;
		return 1;
	}
	n = fx_members(&s, out);
	return n > 0 ? (unsigned)n : 0;
}

/* Keep in `acc` the atoms also in `g`, and for each value both pin to a
 * few constants, the group of their union. */
static void
fx_meet(struct opt_facts *acc, const struct opt_facts *g)
{
	struct opt_facts old;
	uint32_t n = 0, pinned = 0;

	for (uint32_t i = 0; i < acc->n; i++)
		pinned |= acc->a[i].op == OPT_ONEOF || (acc->a[i].op == CBPF_JEQ && acc->a[i].sense);
	if (!pinned) { /* no value pinned down: only the plain intersection */
		for (uint32_t i = 0; i < acc->n; i++)
			for (uint32_t j = 0; j < g->n; j++)
				if (memcmp(&acc->a[i], &g->a[j], sizeof(g->a[j])) == 0) {
					acc->a[n++] = acc->a[i];
					break;
				}
		acc->n = n;
		return;
	}
	old = *acc;

	for (uint32_t i = 0; i < old.n; i++)
		for (uint32_t j = 0; j < g->n && old.a[i].op != OPT_ONEOF; j++)
			if (memcmp(&old.a[i], &g->a[j], sizeof(g->a[j])) == 0) {
				acc->a[n++] = old.a[i];
				break;
			}
	acc->n = n;
	for (uint32_t i = 0; i < old.n; i++) {
		uint32_t vn = old.a[i].vn, u[2 * OPT_MAXFACTS], nu, ng, seen = 0;
		for (uint32_t j = 0; j < i; j++)
			seen |= old.a[j].vn == vn;
		if (seen || vn == 0 || (nu = fx_values(&old, vn, u)) == 0 ||
		    (ng = fx_values(g, vn, u + nu)) == 0)
			continue;
		for (uint32_t j = nu, end = nu + ng; j < end; j++) { /* the union, once each */
			uint32_t d = 0;
			while (d < nu && u[d] != u[j])
				d++;
			if (d == nu)
				u[nu++] = u[j];
		}
		if (nu < 2 || nu > OPT_MAXSET || acc->n + nu > OPT_MAXFACTS)
			continue; /* one value: the jeq atom itself was kept if both had it */
		for (uint32_t j = 0; j < nu; j++) {
			struct opt_atom at = {vn, u[j], OPT_ONEOF, 1};
			acc->a[acc->n++] = at;
		}
	}
}

/* Entry state and facts of b from its (already swept) predecessors. */
static void
an_meet(struct opt_an *an, struct ir_block *b)
{
	struct opt_state *in = &an->in[b->id];
	struct opt_facts *f = &an->facts[b->id], g;
	int first = 1;

	for (uint32_t i = 0; i < b->npreds; i++) {
		const struct ir_block *q = b->preds[i];
		const struct opt_state *o = &an->out[q->id];
		for (unsigned w = 0; w < ir_nsucc(q); w++) {
			if (ir_succ(q, w) != b || (w == 1 && q->jt == q->jf))
				continue;
			opt_edge_facts(&an->vn, q, o, &an->facts[q->id], w, &g);
			if (first) {
				*f = g;
				*in = *o;
				first = 0;
				continue;
			}
			fx_meet(f, &g);
			for (unsigned r = 0; r < OPT_NREGS; r++)
				if (in->r[r] != o->r[r])
					in->r[r] = opt_vn_phi(&an->vn, b->id, r);
			if (o->safe < in->safe)
				in->safe = o->safe;
			if (o->xvn != in->xvn)
				in->xvn = 0, in->xsafe = 0;
			else if (o->xsafe < in->xsafe)
				in->xsafe = o->xsafe;
		}
	}
}

int
opt_analyze(struct opt_an *an, struct ir_prog *p, struct arena *scratch)
{
	struct opt_eff e;

	memset(an, 0, sizeof(*an));
	an->p = p;
	an->scratch = scratch;
	an->vn.arena = scratch;
	if (ir_compute_preds(p) != 0)
		return -1;
	an->rpo = ir_rpo(p, &an->nrpo);
	/* Not zeroed (a third of a large program's optimizing time): every
	 * reachable block's entries are written, in reverse postorder, before
	 * anything reads them; only the entry's facts need a start. */
	an->in = arena_alloc(scratch, (size_t)p->nblocks * sizeof(*an->in));
	an->out = arena_alloc(scratch, (size_t)p->nblocks * sizeof(*an->out));
	an->facts = arena_alloc(scratch, (size_t)p->nblocks * sizeof(*an->facts));
	if (an->rpo == NULL || an->in == NULL || an->out == NULL || an->facts == NULL)
		return -1;
	an->facts[p->entry->id].n = 0;
	an->in[p->entry->id].safe = 0;
	an->in[p->entry->id].xvn = 0;
	an->in[p->entry->id].xsafe = 0;
	for (uint32_t i = 0; i < an->nrpo; i++) {
		struct ir_block *b = an->rpo[i];
		struct opt_state st;
		if (b == p->entry) {
			an->in[b->id].r[OPT_A] = an->in[b->id].r[OPT_X] = opt_vn_const(&an->vn, 0);
			for (unsigned r = OPT_M0; r < OPT_NREGS; r++)
				an->in[b->id].r[r] = opt_vn_phi(&an->vn, UINT32_MAX, r);
		} else {
			an_meet(an, b);
		}
		st = an->in[b->id];
		for (uint32_t j = 0; j < b->nstmts; j++) {
			opt_eval(&an->vn, &st, &b->stmts[j], &e);
			opt_apply(&st, &b->stmts[j], &e);
		}
		an->out[b->id] = st;
	}
	return an->vn.failed ? -1 : 0;
}
