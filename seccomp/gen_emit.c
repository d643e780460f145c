/*
 * gen_emit.c: the seccomp DAG laid out as a cBPF program (sc_emit).
 *
 * Takes: a DAG (gen.h) whose edges point from later-created to
 * earlier-created nodes.  Gives: instructions in the caller's arena, each
 * node once, every jump forward.
 *
 * Order: reverse post-order of a depth-first walk that visits a node's
 * "fall-through" successor last, so it lands right after the node when no
 * other path has placed it already (a load's successor, a branch's
 * non-return side).  A load whose successor is elsewhere gets a `ja`.
 * Conditional jumps reach 255 instructions; a longer one goes through a
 * `ja` trampoline inserted right after the jump (ja reaches 2^32).  Each
 * insertion fixes one edge for good (nothing is ever inserted between a
 * jump and its trampolines), so the loop ends after at most two
 * insertions per jump.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "cbpf/opcodes.h"
#include "seccomp/gen.h"

/* A laid-out instruction; targets are slot ids, -1 for none. */
struct sc_slot {
	uint16_t code;
	uint32_t k;
	int t, f;
};

struct sc_layout {
	struct sc_slot *slot; /* by slot id */
	size_t nslots, cap;
	int *order; /* slot ids in program order */
	size_t n;
	size_t *pos; /* program position of each slot id */
};

/* Iterative DFS post-order from root (the DAG is acyclic). */
static int *
sc_postorder(const struct sc_dag *d, int root, size_t *count)
{
	int *post = malloc(d->n * sizeof(*post));
	int *stack = malloc(2 * d->n * sizeof(*stack));
	unsigned char *seen = calloc(d->n, 1);
	size_t np = 0, sp = 0;
	if (post == NULL || stack == NULL || seen == NULL) {
		free(post);
		free(stack);
		free(seen);
		return NULL;
	}
	/* stack entries: node, then -(node + 1) once its children are pushed */
	stack[sp++] = root;
	while (sp > 0) {
		int x = stack[--sp];
		if (x < 0) {
			post[np++] = -x - 1;
			continue;
		}
		if (seen[x])
			continue;
		seen[x] = 1;
		stack[sp++] = -x - 1;
		const struct sc_node *nd = &d->nodes[x];
		if (CBPF_CLASS(nd->code) == CBPF_RET)
			continue;
		if (CBPF_CLASS(nd->code) != CBPF_JMP) {
			stack[sp++] = nd->jt;
			continue;
		}
		/* the child visited last follows the node: a non-return, jf
		 * preferred; the stack pops the last push first */
		int t = nd->jt, f = nd->jf;
		int tret = CBPF_CLASS(d->nodes[t].code) == CBPF_RET;
		int fret = CBPF_CLASS(d->nodes[f].code) == CBPF_RET;
		int last = fret && !tret ? t : f, first = last == t ? f : t;
		stack[sp++] = last;
		stack[sp++] = first;
	}
	free(stack);
	free(seen);
	*count = np;
	return post;
}

static int
sc_add_slot(struct sc_layout *l, uint16_t code, uint32_t k, int t, int f)
{
	if (l->nslots == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct sc_slot *s = realloc(l->slot, cap * sizeof(*s));
		int *o = realloc(l->order, cap * sizeof(*o));
		if (s != NULL)
			l->slot = s;
		if (o != NULL)
			l->order = o;
		if (s == NULL || o == NULL)
			return -1;
		l->cap = cap;
	}
	l->slot[l->nslots] = (struct sc_slot){code, k, t, f};
	return (int)l->nslots++;
}

/* Slots in reverse post-order, with a ja after loads whose successor is
 * not next. */
static int
sc_place(struct sc_layout *l, const struct sc_dag *d, const int *post, size_t np)
{
	int *slot_of = malloc(d->n * sizeof(*slot_of));
	int ok = slot_of != NULL;
	for (size_t i = np; ok && i-- > 0;) {
		const struct sc_node *x = &d->nodes[post[i]];
		slot_of[post[i]] = sc_add_slot(l, x->code, x->k, x->jt, x->jf);
		if (slot_of[post[i]] < 0) {
			ok = 0;
			break;
		}
		l->order[l->n++] = slot_of[post[i]];
		int single = CBPF_CLASS(x->code) == CBPF_LD || CBPF_CLASS(x->code) == CBPF_ALU;
		if (single && (i == 0 || post[i - 1] != x->jt)) {
			int ja = sc_add_slot(l, CBPF_JMP | CBPF_JA, 0, x->jt, -1);
			if (ja < 0) {
				ok = 0;
				break;
			}
			l->order[l->n++] = ja;
		}
	}
	/* node ids to slot ids (loads keep their successor as t) */
	for (size_t s = 0; ok && s < l->nslots; s++) {
		struct sc_slot *x = &l->slot[s];
		int ja = x->code == (CBPF_JMP | CBPF_JA);
		int single = CBPF_CLASS(x->code) == CBPF_LD || CBPF_CLASS(x->code) == CBPF_ALU;
		x->t = x->t >= 0 && !single ? slot_of[x->t] : -1;
		x->f = x->f >= 0 && !ja && !single ? slot_of[x->f] : -1;
	}
	free(slot_of);
	return ok ? 0 : -1;
}

static void
sc_positions(struct sc_layout *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->pos[l->order[i]] = i;
}

/* The first conditional edge longer than 255: its program position, and
 * which side (0 true, 1 false); -1 when none. */
static long
sc_far_edge(const struct sc_layout *l, int *side)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sc_slot *x = &l->slot[l->order[i]];
		if (CBPF_CLASS(x->code) != CBPF_JMP || x->code == (CBPF_JMP | CBPF_JA))
			continue;
		if (l->pos[x->t] - i - 1 > 255) {
			*side = 0;
			return (long)i;
		}
		if (l->pos[x->f] - i - 1 > 255) {
			*side = 1;
			return (long)i;
		}
	}
	return -1;
}

static int
sc_trampolines(struct sc_layout *l)
{
	int side;
	long i;
	while ((i = sc_far_edge(l, &side)) >= 0) {
		int from = l->order[i];
		int to = side == 0 ? l->slot[from].t : l->slot[from].f;
		int ja = sc_add_slot(l, CBPF_JMP | CBPF_JA, 0, to, -1);
		size_t *pos = realloc(l->pos, l->cap * sizeof(*pos));
		if (ja < 0 || pos == NULL)
			return -1;
		l->pos = pos;
		memmove(&l->order[i + 2], &l->order[i + 1], (l->n - (size_t)i - 1) * sizeof(int));
		l->order[i + 1] = ja;
		l->n++;
		if (side == 0)
			l->slot[from].t = ja;
		else
			l->slot[from].f = ja;
		sc_positions(l);
	}
	return 0;
}

int
sc_emit(struct arena *a, const struct sc_dag *d, int root, struct bpfc_insn **out, size_t *n,
	struct bpfc_error *err)
{
	struct sc_layout l;
	memset(&l, 0, sizeof(l));
	size_t np = 0;
	int *post = sc_postorder(d, root, &np);
	int rc = post != NULL ? sc_place(&l, d, post, np) : -1;
	free(post);
	if (rc == 0) {
		l.pos = malloc((l.cap ? l.cap : 1) * sizeof(*l.pos));
		rc = l.pos != NULL ? 0 : -1;
	}
	if (rc == 0) {
		sc_positions(&l);
		rc = sc_trampolines(&l);
	}
	struct bpfc_insn *p = rc == 0 ? arena_calloc(a, l.n ? l.n : 1, sizeof(*p)) : NULL;
	for (size_t i = 0; p != NULL && i < l.n; i++) {
		const struct sc_slot *x = &l.slot[l.order[i]];
		p[i].code = x->code;
		p[i].k = x->k;
		if (x->code == (CBPF_JMP | CBPF_JA))
			p[i].k = (uint32_t)(l.pos[x->t] - i - 1);
		else if (CBPF_CLASS(x->code) == CBPF_JMP) {
			p[i].jt = (uint8_t)(l.pos[x->t] - i - 1);
			p[i].jf = (uint8_t)(l.pos[x->f] - i - 1);
		}
	}
	*out = p;
	*n = l.n;
	free(l.slot);
	free(l.order);
	free(l.pos);
	return p != NULL ? 0 : diag_plain(err, BPFC_ENOMEM, "out of memory");
}
