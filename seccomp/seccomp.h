/*
 * seccomp.h: seccomp policies (issue #6), the stage contract.
 *
 * Takes: a policy as text, either an OCI/Docker JSON profile
 * (seccomp_parse_json) or the compact policy language of bpfc-seccomp(5)
 * (seccomp_parse_text), plus struct seccomp_options (capabilities, kernel
 * version, architectures, --ignore-unknown).  Gives: a struct
 * seccomp_policy allocated in the caller's arena, and the policy's meaning
 * for any struct seccomp_data (seccomp_eval), computed from the model
 * directly: it is the reference every generated program is checked against.
 *
 * Invariants of a parsed policy:
 *  - Actions are the kernel's return values (SECCOMP_RET_* | data); ERRNO
 *    data is capped at 4095 (the kernel's MAX_ERRNO), TRACE data is 16 bits.
 *  - Every architecture appears once; its syscall table is sorted by
 *    number, holds only direct syscall numbers (>= 0; x32 numbers carry bit
 *    30 as the kernel sees them) and lists, per number, the rules naming it
 *    in policy order.  Names come from libseccomp's resolver only.
 *  - A name libseccomp does not know on any architecture is an error unless
 *    ignore_unknown is set; a name it knows but which is no direct syscall
 *    on some architecture (chown32 on x86_64) simply has no number there.
 *    Multiplexed calls (socket on i386, semop on s390) name the direct
 *    syscall only, never socketcall(2)/ipc(2) with a sub-call number.
 *
 * Semantics (seccomp_eval; the man page bpfc-seccomp(5) says the same):
 *  1. seccomp_data.arch selects the architecture.  On AUDIT_ARCH_X86_64 a
 *     number in [0x40000000, 0xfffffffe] is an x32 call (libseccomp's
 *     reading; 0xffffffff, what a tracer's skipped call shows, stays
 *     x86_64): it takes the x32 rules when x32 is in the policy, else
 *     x32_action.  An architecture not in the policy gets badarch_action
 *     (default KILL_PROCESS), never the default action.
 *  2. Of the rules naming nr on that architecture whose condition holds,
 *     the most restrictive action wins, in the kernel's order for stacked
 *     filters: KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, USER_NOTIF, TRACE,
 *     LOG, ALLOW.  Between two matching rules with the same action and
 *     different data (ERRNO(1) and ERRNO(38)) the earlier rule wins.
 *     Why: a policy is a set of rules, so neither order nor splitting it
 *     into several filters may change its meaning, and a deny can never be
 *     shadowed by a broader allow.  libseccomp has no such rule (an
 *     unconditional rule silently swallows conditional ones for the same
 *     call; among overlapping conditional rules the one on the highest
 *     argument wins; equal conditions with two actions are refused) and
 *     runc inherits it, so Docker profiles cannot depend on any order.
 *  3. No matching rule: default_action.
 *  A condition compares (args[i] & mask) with value as unsigned 64-bit
 *  numbers; mask is all ones except for masked comparisons.  This holds on
 *  every architecture: on 32-bit ABIs the kernel's arguments have a zero
 *  high word, so a constant above 0xffffffff never matches there (unlike
 *  libseccomp, which drops the constant's high word on 32-bit ABIs, and
 *  compares only the low word on x32, where the kernel hands the filter
 *  full 64-bit registers).
 */
#ifndef BPFC_SECCOMP_H
#define BPFC_SECCOMP_H

#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfc.h"
#include "base/arena.h"

#define SECCOMP_MAX_ARCHES 16
#define SECCOMP_MAX_ERRNO 4095u
/* The kernel's x32 syscall bit on AUDIT_ARCH_X86_64. */
#define SECCOMP_X32_BIT 0x40000000u

/* ---- actions ---- */

/* "allow", "kill_process", "errno(1)": `buf` gets a NUL-terminated name. */
void seccomp_action_name(uint32_t action, char *buf, size_t len);
/* Negative when a is more restrictive than b, 0 for the same action kind
 * (data ignored), positive otherwise. */
int seccomp_action_cmp(uint32_t a, uint32_t b);

/* ---- the model ---- */

enum seccomp_op {
	SECCOMP_OP_NE = 1, /* the order of libseccomp's enum scmp_compare */
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_EQ,
	SECCOMP_OP_GE,
	SECCOMP_OP_GT
};

enum seccomp_expr_kind { SECCOMP_EXPR_CMP = 1, SECCOMP_EXPR_AND, SECCOMP_EXPR_OR };

/* A condition over the arguments: a comparison or a conjunction or
 * disjunction of two conditions.  [begin, end) is its source text (JSON:
 * the rule's "args" array when found, else 0). */
struct seccomp_expr {
	enum seccomp_expr_kind kind;
	uint32_t begin, end;
	unsigned arg;       /* CMP: 0..5 */
	enum seccomp_op op; /* CMP */
	uint64_t mask;      /* CMP: ~0 unless masked */
	uint64_t value;     /* CMP */
	struct seccomp_expr *left, *right; /* AND, OR */
};

struct seccomp_name {
	const char *name;
	uint32_t begin, end; /* where it is written */
};

struct seccomp_rule {
	uint32_t action;
	const struct seccomp_expr *cond; /* NULL: always */
	size_t order;                    /* index in seccomp_policy.rules */
	size_t nnames;
	struct seccomp_name *names;
	uint32_t begin, end; /* the statement (text) or the syscalls[] entry */
};

/* One syscall number on one architecture and the rules naming it. */
struct seccomp_call {
	uint32_t nr;
	size_t nrules;
	const struct seccomp_rule **rules; /* in policy order */
};

struct seccomp_arch {
	uint32_t token; /* libseccomp's SCMP_ARCH_* */
	uint32_t audit; /* what the kernel puts in seccomp_data.arch */
	int x32;        /* the x32 ABI of AUDIT_ARCH_X86_64 */
	const char *name; /* libseccomp's name: "x86_64", "x32", "aarch64" */
	size_t ncalls;
	struct seccomp_call *calls; /* sorted by nr */
};

struct seccomp_policy {
	uint32_t default_action;
	uint32_t badarch_action; /* architecture not in the policy */
	uint32_t x32_action;     /* x32 call when x32 is not in the policy */
	size_t narches;
	struct seccomp_arch arches[SECCOMP_MAX_ARCHES];
	size_t nrules;
	struct seccomp_rule *rules; /* after JSON includes/excludes */
};

/* ---- options ---- */

struct seccomp_options {
	/* JSON includes/excludes "caps": NULL means Docker's default set. */
	const char *const *caps;
	size_t ncaps;
	/* JSON "minKernel": 0.0 means the running kernel (uname). */
	unsigned kernel_major, kernel_minor;
	/* libseccomp tokens; none: JSON takes the host's architecture and its
	 * archMap sub-architectures, text its `arch` line or the host's. */
	size_t narches;
	uint32_t arches[SECCOMP_MAX_ARCHES];
	int ignore_unknown; /* unknown syscall names are skipped */
};

void seccomp_options_init(struct seccomp_options *o);

/* Docker's default capability set (moby oci/caps/defaults.go), NULL-ended. */
extern const char *const seccomp_docker_caps[];

/* Parse an architecture name: libseccomp's ("x86_64", "aarch64"), its
 * SCMP_ARCH_ form ("SCMP_ARCH_X86_64") or Go's ("amd64", "arm64").
 * Returns the libseccomp token, or 0 when unknown. */
uint32_t seccomp_arch_token(const char *name, size_t len);

/* ---- parsers (json.c, text.c) ---- */

/* An OCI/Docker seccomp profile (JSON).  0, or -1 with `err`: syntax errors
 * carry jansson's byte position (diag_print turns it into line:column);
 * semantic ones name the JSON path and point at the offending literal. */
int seccomp_parse_json(struct arena *a, const char *text, size_t len,
		       const struct seccomp_options *o, struct seccomp_policy **out,
		       struct bpfc_error *err);

/* The compact policy language (bpfc-seccomp(5)).  0, or -1 with `err`
 * holding the byte range of the offending token. */
int seccomp_parse_text(struct arena *a, const char *text, size_t len,
		       const struct seccomp_options *o, struct seccomp_policy **out,
		       struct bpfc_error *err);

/* ---- the model's own operations (policy.c) ---- */

/* Resolve every rule's names on the policy's architectures and build the
 * per-architecture syscall tables.  Both parsers end with this.  An
 * unknown name's error points at where the name is written. */
int seccomp_policy_finish(struct arena *a, struct seccomp_policy *p,
			  const struct seccomp_options *o, struct bpfc_error *err);

/* Add an architecture by token (duplicates ignored).  -1 when full. */
int seccomp_policy_add_arch(struct seccomp_policy *p, uint32_t token);

/* The action the policy means for `d` (the semantics above). */
uint32_t seccomp_eval(const struct seccomp_policy *p, const struct seccomp_data *d);

/* Whether condition `e` holds for args. */
int seccomp_expr_eval(const struct seccomp_expr *e, const uint64_t args[6]);

/* The architecture entry for a kernel arch value and syscall number (x32
 * resolved as above), or NULL. */
const struct seccomp_arch *seccomp_policy_arch(const struct seccomp_policy *p, uint32_t audit,
					       uint32_t nr, int *x32_unlisted);

/* ---- code generation (gen*.c) ---- */

/* The policy as classic BPF over struct seccomp_data, allocated in `a`:
 * the arch check first (unknown arch: badarch_action), then per arch a
 * balanced search tree of jge/jeq over ranges of syscall numbers with one
 * outcome, argument checks only for calls that have conditions (64-bit
 * comparisons on 32-bit words in the arch's byte order, high word first),
 * one `ret` per distinct action, trampolines for jumps beyond 255.  Every
 * path to an outcome decided by arch and number alone uses only loads of
 * nr/arch, jeq/jgt/jge/jset with constants, ja and ret, which the kernel's
 * action cache (Linux >= 5.11) understands.  For every struct
 * seccomp_data the program returns seccomp_eval's action.  0, or -1 with
 * `err` (BPFC_EUNSUPPORTED beyond 4096 instructions, BPFC_ENOMEM). */
int seccomp_codegen(struct arena *a, const struct seccomp_policy *p, struct bpfc_insn **out,
		    size_t *n, struct bpfc_error *err);

/* The kernel's rules for a seccomp filter: cbpf_validate's, and then
 * seccomp_check_filter's (packet loads only as ld [k] with k a multiple of
 * 4 below sizeof(struct seccomp_data); no ldh/ldb, no [x + k], no
 * ldxb 4*([k]&0xf); conservatively, no mod or xor either).  0, or -1 with `err` naming the insn. */
int seccomp_check(const struct bpfc_insn *insns, size_t n, struct bpfc_error *err);

/* What `bpfc --seccomp --stats` prints, per architecture of the policy:
 * instructions executed for each syscall number the policy names there
 * (all arguments 0; x32 numbers with bit 30), over all of them and over
 * the ones allowed, and which are allowed from arch and number alone
 * (the kernel's action cache can skip the filter for those). */
struct seccomp_arch_stats {
	const char *name; /* libseccomp's arch name */
	size_t ncalls;    /* numbers named by the policy */
	unsigned min, max;
	double avg;
	size_t nallowed; /* of them, ALLOW with zero arguments */
	unsigned allowed_min, allowed_max;
	double allowed_avg;
	size_t ncacheable;
	uint32_t *cacheable; /* sorted; in the caller's arena */
};

struct seccomp_stats {
	size_t ninsns;
	size_t narches;
	struct seccomp_arch_stats arches[SECCOMP_MAX_ARCHES];
};

/* Statistics of `insns` (a program that passed seccomp_check) for policy
 * `p`.  0, or -1 with `err` when the program does something the counting
 * walk does not model (a scratch-memory or X-register instruction). */
int seccomp_stats(struct arena *a, const struct seccomp_policy *p, const struct bpfc_insn *insns,
		  size_t n, struct seccomp_stats *out, struct bpfc_error *err);

#endif
