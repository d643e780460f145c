/*
 * exprgen.h: random pcap-filter expressions for tests/check_grammar.c.
 *
 * A seeded generator (tests/gen/rng.h): the same seed gives the same
 * expressions.  Mostly grammatical expressions drawn from the whole
 * vocabulary of pcap-filter(7), a quarter of them mutated (a token
 * dropped, inserted, replaced or swapped), a few pure token soups; and
 * constant arithmetic relations for the precedence test.  Host names are
 * "localhost", service and protocol names, or "zz-unknown-host-N".
 */
#ifndef BPFC_TESTS_GRAMMAR_EXPRGEN_H
#define BPFC_TESTS_GRAMMAR_EXPRGEN_H

#include <stddef.h>

#include "tests/gen/rng.h"

#define EG_MAXTOK 160
#define EG_TOKLEN 48

struct exprgen {
	struct rng r;
	const char *value_kind; /* what the last coherent head takes, or NULL */
	char tok[EG_MAXTOK][EG_TOKLEN];
	int n;
};

void eg_init(struct exprgen *g, uint64_t seed);
/* One expression: mostly valid, some mutated, some soup. */
void eg_random(struct exprgen *g, char *out, size_t size);
/* Up to `max` tokens of the vocabulary in any order. */
void eg_soup(struct exprgen *g, int max, char *out, size_t size);
/* "len = E", E constant arithmetic with every operator, unary minus and
 * parentheses; tokens always separated by blanks. */
void eg_const_relation(struct exprgen *g, char *out, size_t size);

#endif
