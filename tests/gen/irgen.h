/*
 * irgen.h: IR programs for tests, and an evaluator that runs them.
 *
 * Takes: an arena and a seed (or a size), or a program and a packet.
 * Gives: seeded random IR programs (codegen/ir.h) of several shapes, a few
 * fixed shapes that need long jumps, and irgen_eval(), which walks an IR
 * program over a packet with libpcap's semantics and shares no code with
 * bpfc's interpreter, so that it can serve as an oracle for the assembler
 * and the passes.
 *
 * Invariants: no global state; the same seed gives the same program
 * (block for block, statement for statement) on every run; every program
 * made here is well formed (ir_check accepts it); failures come back as
 * NULL or -1 with the error filled in, never as an abort here (the caller,
 * which has Check, asserts).
 */
#ifndef BPFC_TESTS_IRGEN_H
#define BPFC_TESTS_IRGEN_H

#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"
#include "codegen/ir.h"

/* ---- random programs ------------------------------------------------------ */

/* The shapes of random programs:
 *   RANDOM   a random DAG (blocks of 0 to 5 statements, sometimes 30)
 *   CHAIN    `host a or host b or ...`: tests each going to a shared
 *            return, else on
 *   TREE     a balanced decision tree whose leaves go to two returns
 *   DIAMOND  diamonds a -> (b, c) -> d, some edges leaving to far blocks
 *   FAT      a random DAG of blocks of up to 60 statements, at most ~200
 *            blocks */
enum irgen_shape {
	IRGEN_RANDOM,
	IRGEN_CHAIN,
	IRGEN_TREE,
	IRGEN_DIAMOND,
	IRGEN_FAT,
	IRGEN_NSHAPES
};

/* The most blocks a random program has. */
#define IRGEN_MAXBLOCKS 2000

/* "random", "chain", ...; "?" for a value out of range. */
const char *
irgen_shape_name(enum irgen_shape shape);

/* A random program of `shape`; `seed` decides everything: the number of
 * blocks (1 to IRGEN_MAXBLOCKS, mostly under 30; at least 4 for CHAIN,
 * TREE and DIAMOND) unless `nblocks` is not 0 (CHAIN and TREE need 2 or
 * more), the order blocks are created in (as laid out, reversed or
 * shuffled), the statements (drawn from the opcode table, with M[k]
 * written on every path before it is read, plus idioms at the edges of the
 * semantics: X = 0 before div/mod/shifts, [x + k] past 2^32) and the
 * returns.  NULL with *err set (the first error wins, as with diag.h) when
 * out of memory, or BPFC_EINTERNAL when `nblocks` is too small or the
 * builder refused something (a bug here). */
struct ir_prog *
irgen_program(struct arena *a, uint64_t seed, enum irgen_shape shape, uint32_t nblocks,
	      struct bpfc_error *err);

/* ---- fixed shapes that need long jumps ------------------------------------ */

/* Each returns NULL with *err set when out of memory, or BPFC_EINTERNAL
 * when a size is 0 where it must not be. */

/* `host a or host b ...`: k >= 1 tests of one loaded word, all to a shared
 * accept (`ret #262144`, or with `accept_has_stmts` a block `ld #pktlen;
 * ret a`), the last one else to a reject. */
struct ir_prog *
irgen_chain(struct arena *a, uint32_t k, int accept_has_stmts, struct bpfc_error *err);

/* A sorted decision tree over `leaves` >= 1 constants of one loaded word,
 * the shape set lowering makes: blocks made in preorder (the order ir.h
 * asks for), or with `bfs` breadth first (the order ir.h warns against). */
struct ir_prog *
irgen_tree(struct arena *a, uint32_t leaves, int bfs, struct bpfc_error *err);

/* One branch over a block of `len` statements to a block that is not a
 * return. */
struct ir_prog *
irgen_far(struct arena *a, uint32_t len, struct bpfc_error *err);

/* ---- the evaluator --------------------------------------------------------- */

/* Run `p` on the packet `pkt` (`caplen` bytes captured of `wirelen`) the
 * way libpcap's bpf_filter runs cBPF: A = X = 0 at the entry, a load not
 * inside caplen or a division by X = 0 ends the program with 0, a shift by
 * X >= 32 gives 0.  Sets *ret and returns 0, or returns -1 with *err set
 * (BPFC_EINTERNAL) when the program is not well formed (an opcode it does
 * not know, a block without a terminator, a cycle): check it with ir_check
 * first. */
int
irgen_eval(const struct ir_prog *p, const uint8_t *pkt, uint32_t wirelen, uint32_t caplen,
	   uint32_t *ret, struct bpfc_error *err);

#endif
