/*
 * gen.h: the code generator stage, AST -> IR.
 *
 * Takes: the tree parse_filter() built (grammar/ast.h) and the options of
 * one compilation (link type, the value a match returns, the netmask for
 * `ip broadcast`, the resolver names are looked up with).  Gives: an IR
 * program (codegen/ir.h) whose verdict on every packet is libpcap 1.10's
 * for the same expression, link type and netmask, ready for opt_run() and
 * ir_assemble().
 *
 * Errors: `err` must start clear (diag_init): an error already recorded
 * there wins and stops generation.  NULL with `err` set, always with the byte
 * range of the offending part of the expression: BPFC_ERANGE (a number out
 * of its range), BPFC_ESEMANTIC (well-formed but meaningless: `tcp host
 * 1.2.3.4`, an unknown name, division by zero, a filter that can never
 * match when o->optimize is set), BPFC_EUNSUPPORTED (a primitive or link
 * type bpfc cannot generate yet: the message names it), BPFC_ENOMEM.
 *
 * Reentrant: everything lives in the arena and the options.
 */
#ifndef BPFC_CODEGEN_GEN_H
#define BPFC_CODEGEN_GEN_H

#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"
#include "codegen/ir.h"
#include "codegen/resolve.h"
#include "grammar/ast.h"

struct codegen_options {
	int linktype;                 /* a DLT_ value */
	uint32_t snaplen;             /* what a matching packet returns */
	uint32_t netmask;             /* BPFC_NETMASK_UNKNOWN when not known */
	const struct resolver *resolver; /* NULL: resolve_system() */
	int optimize;                 /* unused: a filter that never matches is found after the
				       * optimizer, by codegen_check_never */
	int savefile;                 /* compiling for a capture file (bpfc -r), as libpcap does
				       * for a savefile: ip6 over DLT_NULL/LOOP is any of the
				       * BSDs' AF_INET6 values (24, 28, 30), not this host's */
	int swapped;                  /* savefile: written in the other byte order, so
				       * DLT_NULL's host-order family is byte-swapped */
};

struct ir_prog *codegen_filter(struct arena *a, const struct ast_node *root,
			       const struct codegen_options *o, struct bpfc_error *err);

/* After the optimizer: 0 when some packet can match `ir` (the program of
 * `root`, whose text is `text`), else -1 and BPFC_ESEMANTIC in `err`
 * saying which part never matches (codegen/never.c). */
int codegen_check_never(struct arena *a, const struct ast_node *root,
			const struct codegen_options *co, const struct ir_prog *ir, const char *text,
			struct bpfc_error *err);

/* Whether codegen_filter knows the link type (1) or not (0). */
int codegen_supports_linktype(int linktype);

#endif
