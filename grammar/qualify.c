/*
 * qualify.c: which qualifiers each id takes, in one place.
 *
 * Takes: the tree the parser built, where only the root of each `head id`
 * carries the head written for it.  Gives: every AST_ID with u.id.q set,
 * elided ids marked with the id they took their qualifiers from, and the
 * AST_GROUP nodes removed.  Fails (BPFC_ESYNTAX) on an elided id that has
 * no qualifiers to take.
 *
 * The rules are libpcap's, which threads a qualifier set (`.q`) through
 * its grammar with $<blk>0: every symbol passes on the set of the symbol
 * before it, and
 *  - `head id` lends its head to the id and to whatever follows;
 *  - an id written without a head ("host a or b", "port 80 or 443",
 *    "host a and not b", "host a or (b or c)") takes the set of what
 *    precedes it, and lends that same set on;
 *  - `not` is transparent ("not host a and b" is "not host a and host b");
 *  - a parenthesized expression lends on the set from BEFORE its '(' --
 *    so "(host a) or b" has nothing to lend b, while
 *    "host x and (port 1) or b" lends b `host`;
 *  - every other primitive (a bare protocol, a relation, less, vlan,
 *    broadcast, ...) and the start of the expression lend nothing: an id
 *    after them is a syntax error in libpcap ("tcp or 80").
 * The walk carries that set (`struct qual_in`) left to right.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "grammar/internal.h"

/* The set lent to the next id, and the node that decided it. */
struct qual_in {
	const struct ast_head *q; /* NULL: nothing to lend (libpcap's qerr) */
	const struct ast_node *src;
};

static int qualify_node(struct gram_state *st, struct ast_node **slot, struct qual_in in, int own,
			struct qual_in *out);

static int
qualify_nothing_to_lend(struct gram_state *st, const struct ast_node *id, struct qual_in in)
{
	char what[96], src[96];

	gram_quote(st, what, sizeof(what), id->u.id.addr->at);
	if (in.src == NULL)
		return gram_fail(st, BPFC_ESYNTAX, id->at.begin, id->at.end,
				 "syntax error: %s needs a qualifier such as 'host' or 'port' "
				 "before it",
				 what);
	if (in.src->kind == AST_GROUP)
		return gram_fail(st, BPFC_ESYNTAX, id->at.begin, id->at.end,
				 "syntax error: %s needs a qualifier such as 'host' or 'port': "
				 "qualifiers are not inherited from inside parentheses",
				 what);
	gram_quote(st, src, sizeof(src), in.src->at);
	return gram_fail(st, BPFC_ESYNTAX, id->at.begin, id->at.end,
			 "syntax error: %s needs a qualifier such as 'host' or 'port': "
			 "%s before it has none to lend",
			 what, src);
}

static int
qualify_id(struct gram_state *st, struct ast_node *n, struct qual_in in, int own,
	   struct qual_in *out)
{
	if (in.q == NULL)
		return qualify_nothing_to_lend(st, n, in);
	n->u.id.q = in.q;
	n->u.id.elided = !own;
	n->u.id.from = own ? NULL : in.src;
	out->q = in.q;
	out->src = n;
	return 0;
}

/*
 * A left-nested chain of and/or ("a or b or c ..."), iteratively: the
 * set flows from the leftmost operand through each right operand in
 * turn, and chains of thousands of terms must not cost stack.
 */
static int
qualify_chain(struct gram_state *st, struct ast_node *n, struct qual_in in, int own,
	      struct qual_in *out)
{
	size_t depth = 0;
	struct ast_node *p;

	for (p = n; (p->kind == AST_AND || p->kind == AST_OR) && (p == n || p->head == NULL);
	     p = p->u.bin.l)
		depth++;
	struct ast_node **spine = arena_calloc(st->arena, depth, sizeof(*spine));
	if (spine == NULL) {
		st->oom = 1;
		return gram_fail(st, BPFC_ENOMEM, 0, 0, "out of memory");
	}
	size_t i = 0;
	for (p = n; i < depth; p = p->u.bin.l)
		spine[i++] = p;

	struct qual_in cur;
	if (qualify_node(st, &spine[depth - 1]->u.bin.l, in, own, &cur) < 0)
		return -1;
	for (i = depth; i-- > 0;)
		if (qualify_node(st, &spine[i]->u.bin.r, cur, own, &cur) < 0)
			return -1;
	*out = cur;
	return 0;
}

static int
qualify_node(struct gram_state *st, struct ast_node **slot, struct qual_in in, int own,
	     struct qual_in *out)
{
	struct ast_node *n = *slot;

	if (n->head != NULL) {
		/* `head id`: the id and its sub-ids take what is written. */
		in.q = n->head;
		in.src = NULL;
		own = 1;
	}
	switch (n->kind) {
	case AST_AND:
	case AST_OR:
		return qualify_chain(st, n, in, own, out);
	case AST_NOT:
		return qualify_node(st, &n->u.operand, in, own, out);
	case AST_GROUP: {
		struct qual_in inner;
		if (qualify_node(st, &n->u.operand, in, 0, &inner) < 0)
			return -1;
		out->q = in.q;
		out->src = in.q != NULL ? in.src : n;
		*slot = n->u.operand;
		return 0;
	}
	case AST_ID:
		return qualify_id(st, n, in, own, out);
	case AST_EMPTY:
		*out = in;
		return 0;
	default:
		out->q = NULL;
		out->src = n;
		return 0;
	}
}

int
gram_qualify(struct gram_state *st)
{
	struct qual_in start = {NULL, NULL}, end;

	return qualify_node(st, &st->root, start, 0, &end);
}
