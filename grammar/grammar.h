/*
 * grammar.h: the parser stage of the filter compiler.
 *
 * Input: the text of a pcap-filter(7) expression, `len` bytes (no NUL
 * needed; a NUL byte inside is an error like any other stray byte).
 * Output: the root of its syntax tree (grammar/ast.h), allocated in `a`
 * and valid until arena_release(a).  An empty or all-blank expression is
 * valid and gives an AST_EMPTY root: accept every packet.
 *
 * What parses is what libpcap 1.10 parses (plus `vxlan [n]`, newer):
 * same tokens, same grammar, same grouping, same qualifier inheritance.
 * Nothing is looked up (host, port, protocol names stay text) and no
 * value is range-checked; that is the code generator's work.
 *
 * Errors: NULL, with `err` set (first error wins): BPFC_ESYNTAX and the
 * byte range of the offending token for anything that does not parse
 * (including lexical errors: a number wider than 32 bits, a bad octal
 * digit, a malformed address), BPFC_ERANGE when nesting exceeds the
 * parser's stack, BPFC_ENOMEM when the arena is exhausted.
 *
 * Reentrant: no state outside the arguments.
 */
#ifndef BPFC_GRAMMAR_GRAMMAR_H
#define BPFC_GRAMMAR_GRAMMAR_H

#include <stddef.h>

#include "bpfc.h"
#include "base/arena.h"
#include "grammar/ast.h"

struct ast_node *parse_filter(struct arena *a, const char *text, size_t len,
			      struct bpfc_error *err);

#endif
