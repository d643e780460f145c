/*
 * unparse.h: a syntax tree written back as pcap-filter text, for
 * tests/check_grammar.c.
 *
 * Every id gets its effective qualifiers spelled out and every operator
 * its operands in parentheses, so the text says explicitly what bpfc
 * understood.  If bpfc read the original right, libpcap compiles both
 * texts to the same program: that is the test.
 */
#ifndef BPFC_TESTS_GRAMMAR_UNPARSE_H
#define BPFC_TESTS_GRAMMAR_UNPARSE_H

#include "base/strbuf.h"
#include "grammar/ast.h"

void unparse_filter(struct strbuf *b, const struct ast_node *n);

#endif
