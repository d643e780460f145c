/*
 * gen.h: what the seccomp code generator's files share (internal to
 * seccomp/gen*.c; the stage's contract is seccomp.h).
 *
 * The generator builds a DAG of instructions with hash-consing (one node
 * per distinct (code, k, jt, jf), so equal tails, argument checks and
 * returns are shared by construction), simplifies it along paths
 * (gen_simplify.c), then lays it out as a linear program (gen_emit.c).
 *
 * Node kinds, by `code`: BPF_LD|BPF_W|BPF_ABS and BPF_ALU|BPF_AND|BPF_K
 * continue at `jt`; BPF_JMP|{JEQ,JGT,JGE,JSET}|BPF_K branch to jt/jf;
 * BPF_RET|BPF_K ends.  Edges always point to nodes created earlier, so
 * node ids are a reverse topological order.
 */
#ifndef BPFC_SECCOMP_GEN_H
#define BPFC_SECCOMP_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"

struct sc_node {
	uint16_t code;
	uint32_t k;
	int jt, jf; /* node ids; -1 where unused */
};

struct sc_dag {
	struct sc_node *nodes;
	size_t n, cap;
	int *hash; /* open addressing: node id + 1, 0 empty */
	size_t hcap;
	int nomem; /* sticky: every call is a no-op once set */
};

void sc_dag_init(struct sc_dag *d);
void sc_dag_free(struct sc_dag *d);
/* The node (code, k, jt, jf), shared if it exists; -1 after a failure.
 * A branch whose two targets are equal is its target; a load or an AND
 * followed by a load or a return is dead and gives its successor. */
int sc_node(struct sc_dag *d, uint16_t code, uint32_t k, int jt, int jf);

/* gen_simplify.c: the DAG under `root` rebuilt in `out` with what every
 * path knows (the accumulator's content, words whose value an earlier
 * jeq established) used to drop reloads and decided branches.  Returns
 * the new root, -1 on failure (out->nomem). */
int sc_simplify(const struct sc_dag *in, int root, struct sc_dag *out);

/* gen_emit.c: lay the DAG out as cBPF (ja where a successor cannot follow
 * directly, trampolines for conditional jumps beyond 255). */
int sc_emit(struct arena *a, const struct sc_dag *d, int root, struct bpfc_insn **out,
	    size_t *n, struct bpfc_error *err);

#endif
