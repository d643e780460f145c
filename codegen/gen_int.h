/*
 * gen_int.h: what the code generator's files share (not used outside
 * codegen/gen*.c).
 *
 * Every generator has the shape of gen_cond(g, node, t, f): it returns the
 * entry block of code that goes to `t` when the primitive holds and to `f`
 * when it does not.  Targets are made before the code that jumps to them,
 * so nothing is ever back-patched.  A test known at compile time returns
 * `t` or `f` itself (`arp` on DLT_RAW is `f`), which is how a filter that
 * can never match is noticed.
 *
 * Errors: a generator returns NULL after recording the error in g->err
 * (or when the IR's sticky error is set); callers pass NULL up.
 */
#ifndef BPFC_CODEGEN_GEN_INT_H
#define BPFC_CODEGEN_GEN_INT_H

#include <stdint.h>

#include "base/diag.h"
#include "codegen/gen.h"
#include "codegen/ir.h"
#include "codegen/linktype.h"
#include "codegen/protos.h"
#include "codegen/resolve.h"
#include "grammar/ast.h"

struct gen {
	struct arena *a;
	struct ir_prog *p;
	const struct codegen_options *o;
	const struct linktype *lt;
	const struct resolver *r;
	struct bpfc_error *err;
	uint32_t begin, end; /* source range given to new blocks */
	unsigned nscratch;   /* M[] slots in use by arithmetic */
	/* Where the link header, its protocol field and the network layer
	 * are for the primitive being generated: the table's, moved by every
	 * vlan, mpls and pppoes written before it (libpcap generates code
	 * while parsing, so they shift the offsets of all the text after
	 * them, whatever the and/or structure).  Set by gen_cond from
	 * `shifters`, those nodes in text order (see gen_shift). */
	uint32_t off_link, off_proto, off_net;
	const struct linktype *cur; /* the link type in force: PPP after pppoes */
	enum lt_kind kind; /* what the protocol field holds: LT_PPP after pppoes */
	unsigned mpls;     /* MPLS labels passed: IP is then found by its version */
	const struct ast_node **shifters;
	size_t nshifters;
};

/* What a packet offset is relative to. */
enum gen_base {
	GEN_ABS,   /* the start of the packet */
	GEN_LINK,  /* the start of the link header (moved by pppoes) */
	GEN_NET,   /* the network layer (g->off_net) */
	GEN_TRAN4, /* after the IPv4 header: X = 4*([net]&0xf) */
	GEN_TRAN6, /* after a fixed 40-byte IPv6 header */
	GEN_X      /* X + off, X set by the code before (shared tails) */
};

/* A field of the packet, read by one load: base + off, `size` bytes,
 * `and #mask` unless all ones; with `xslot` >= 0, X is first loaded from
 * M[xslot] (a tail shared by alternatives that store their offsets). */
struct gen_field {
	enum gen_base base;
	uint32_t off;
	uint16_t size;
	uint32_t mask;
	int xslot;
};

/* Values a field is tested against: [lo, hi], a single value when equal. */
struct gen_range {
	uint32_t lo, hi;
};

/*
 * A run of or'ed primitives that differ only in their value and
 * direction, `host a or host b or ...`, `src port 53 or dst port 53`:
 * one key (the kind and the protocol qualifiers), the values and their
 * directions (src, dst, or src or dst) in text order.  Generated as one
 * test per field over all the values, which set lowering turns into a
 * tree; the order of the loads keeps the run's verdict on short packets
 * (gen_dirs_in).
 */
enum gen_set_kind { GEN_SET_HOST4, GEN_SET_PORT };
struct gen_set {
	enum gen_set_kind kind;
	const struct ast_head *q; /* the first primitive's qualifiers */
	uint32_t mask;   /* HOST4: the network mask */
	unsigned protos; /* PORT: RESOLVE_* */
	struct gen_range *v;
	enum ast_dir *dirs; /* AST_DIR_SRC, _DST or _OR for each value */
	size_t n, cap;
	struct ast_span at; /* from the first to the last primitive */
};

/* ---- gen.c ---- */
struct ir_block *gen_cond(struct gen *g, const struct ast_node *n, struct ir_block *t,
			  struct ir_block *f);
struct ir_block *gen_block(struct gen *g);
/* Record an error about `at`; returns NULL for `return gen_fail(...)`. */
void *gen_fail(struct gen *g, enum bpfc_status code, struct ast_span at, const char *fmt, ...)
	DIAG_PRINTF(4, 5);
/* Append the load of `size` (CBPF_B/H/W) bytes at base + off. */
void gen_emit_load(struct gen *g, struct ir_block *b, enum gen_base base, uint32_t off,
		   uint16_t size);
/* A block: load, `and #mask` unless mask is all ones, branch `jop` #k. */
struct ir_block *gen_cmp(struct gen *g, enum gen_base base, uint32_t off, uint16_t size,
			 uint32_t mask, uint16_t jop, uint32_t k, struct ir_block *t,
			 struct ir_block *f);
/* Tests of a field's value: the load, then one branch per value of
 * v[0..n): to `t` on the first that holds, else `f` (n >= 1). */
struct ir_block *gen_in(struct gen *g, const struct gen_field *fl, const struct gen_range *v,
			size_t n, struct ir_block *t, struct ir_block *f);
/* The or-run of tests `dirs[i] v[i]` over a source and a destination
 * field: what testing them one by one returns on every packet, including
 * one too short for the destination (which must lie at or past the
 * source).  dirs NULL: all `dir`, which may also be src and dst (n == 1
 * only).  NULL (no error recorded) for any other direction. */
struct ir_block *gen_dirs_in(struct gen *g, const struct gen_field *src,
			     const struct gen_field *dst, const struct gen_range *v,
			     const enum ast_dir *dirs, enum ast_dir dir, size_t n, struct ir_block *t,
			     struct ir_block *f);
/* Append a value to s; 0, or -1 out of memory (recorded). */
int gen_set_push(struct gen *g, struct gen_set *s, uint32_t lo, uint32_t hi, enum ast_dir dir);
/* The protocol keyword as written ("ether" for LINK), for messages. */
const char *gen_proto_text(enum ast_proto p, const char *written);

/* ---- gen_link.c: the link layer ---- */
/* The link-level protocol is `ethertype` (libpcap's gen_linktype). */
struct ir_block *gen_llproto(struct gen *g, uint32_t ethertype, struct ast_span at,
			     struct ir_block *t, struct ir_block *f);
/* 0 when gen_llproto(g, v, ...) is known to fail on every packet. */
int gen_llproto_possible(const struct gen *g, uint32_t v);
struct ir_block *gen_ether_addr(struct gen *g, const uint8_t mac[6], enum ast_dir dir,
				struct ast_span at, struct ir_block *t, struct ir_block *f);
struct ir_block *gen_broadcast(struct gen *g, const struct ast_node *n, struct ir_block *t,
			       struct ir_block *f);
struct ir_block *gen_multicast(struct gen *g, const struct ast_node *n, struct ir_block *t,
			       struct ir_block *f);
struct ir_block *gen_length(struct gen *g, const struct ast_node *n, struct ir_block *t,
			    struct ir_block *f);

/* ---- gen_ip.c: protocols, hosts and networks ---- */
/* A bare protocol (`tcp`, `arp`), libpcap's gen_proto_abbrev. */
struct ir_block *gen_proto_abbrev(struct gen *g, enum ast_proto p, struct ast_span at,
				  struct ir_block *t, struct ir_block *f);
/* IPv4 whose protocol field is `num`. */
struct ir_block *gen_ip4proto(struct gen *g, uint32_t num, struct ast_span at,
			      struct ir_block *t, struct ir_block *f);
/* IPv4 and not a later fragment (the part of gen_ipfrag after the ethertype). */
struct ir_block *gen_ip4first(struct gen *g, struct ir_block *t, struct ir_block *f);
struct ir_block *gen_id(struct gen *g, const struct ast_node *n, struct ir_block *t,
			struct ir_block *f);

/* Sets: start s from n (s->n == 0) or add n's values to it when it has
 * the same key.  1 when added, 0 when n is not part of the run (nothing
 * recorded: the primitive is then generated, and any error reported, on
 * its own), -1 out of memory. */
int gen_host4_setadd(struct gen *g, struct gen_set *s, const struct ast_node *n);
struct ir_block *gen_host4_set(struct gen *g, const struct gen_set *s, struct ir_block *t,
			       struct ir_block *f);

/* ---- gen_port.c: port and portrange ---- */
struct ir_block *gen_port(struct gen *g, const struct ast_node *n, struct ir_block *t,
			  struct ir_block *f);
int gen_port_setadd(struct gen *g, struct gen_set *s, const struct ast_node *n);
struct ir_block *gen_port_set(struct gen *g, const struct gen_set *s, struct ir_block *t,
			      struct ir_block *f);

/* ---- gen_link.c: vlan, mpls, pppoed, pppoes ---- */
struct ir_block *gen_vlan(struct gen *g, const struct ast_node *n, struct ir_block *t,
			  struct ir_block *f);
struct ir_block *gen_mpls(struct gen *g, const struct ast_node *n, struct ir_block *t,
			  struct ir_block *f);
struct ir_block *gen_pppoed(struct gen *g, const struct ast_node *n, struct ir_block *t,
			    struct ir_block *f);
struct ir_block *gen_pppoes(struct gen *g, const struct ast_node *n, struct ir_block *t,
			    struct ir_block *f);
struct ir_block *gen_llc(struct gen *g, const struct ast_node *n, struct ir_block *t,
			 struct ir_block *f);
struct ir_block *gen_direction(struct gen *g, const struct ast_node *n, struct ir_block *t,
			       struct ir_block *f);
struct ir_block *gen_ifindex(struct gen *g, const struct ast_node *n, struct ir_block *t,
			     struct ir_block *f);
/* The offsets after one more shifter. */
void gen_shift(struct gen *g, const struct ast_node *shifter);

/* ---- gen_arith.c: relations and loads ---- */
struct ir_block *gen_rel(struct gen *g, const struct ast_node *n, struct ir_block *t,
			 struct ir_block *f);
struct ir_block *gen_byte(struct gen *g, const struct ast_node *n, struct ir_block *t,
			  struct ir_block *f);

#endif
