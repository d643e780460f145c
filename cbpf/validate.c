/*
 * validate.c: the Linux kernel's rules for classic socket filters.
 *
 * Takes a cBPF program and the load options; gives 0, or -1 with `err`
 * naming the first bad instruction ("insn N: ...").
 *
 * The verdict is the kernel's (net/core/filter.c, bpf_check_basics_ok and
 * bpf_check_classic with check_load_and_stores), with one addition: loads
 * that only mean something inside a kernel socket (the SKF_AD_* ancillary
 * loads and the negative SKF_NET_OFF / SKF_LL_OFF offsets) are refused.
 *
 * The kernel checks the instructions one by one and only then tracks the
 * scratch memory; it reports no position.  We do both in one forward pass
 * so that the error reported is the first bad instruction in program
 * order, which is the one a person fixes first.  This gives the same
 * verdict: the memory state at an instruction depends only on the
 * instructions before it, which the pass has already found sound.
 *
 * Invariant after a 0 return: every code is in cbpf/opcodes.h, every jump
 * lands inside the program, the last instruction returns, M[k] has k < 16
 * and is written before it is read, constant divisors are non-zero and
 * constant shifts are below 32.  The interpreter relies on all of it.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "base/diag.h"
#include "cbpf/cbpf.h"

/* Linux's special offsets (linux/filter.h), as unsigned k values. */
#define CBPF_SKF_AD_OFF 0xfffff000u  /* -0x1000: ancillary data */
#define CBPF_SKF_NET_OFF 0xfff00000u /* -0x100000: from the network header */
#define CBPF_SKF_LL_OFF 0xffe00000u  /* -0x200000: from the link-layer header */

/* The kernel's masks are on the stack for programs up to this length. */
#define CBPF_STACK_MASKS 4096

/* SKF_AD_OFF + 4 * i: the extensions the kernel knows (bpf_anc_helper). */
static const char *const cbpf_ancillary[] = {
	"SKF_AD_PROTOCOL",  "SKF_AD_PKTTYPE",   "SKF_AD_IFINDEX",   "SKF_AD_NLATTR",
	"SKF_AD_NLATTR_NEST", "SKF_AD_MARK",    "SKF_AD_QUEUE",     "SKF_AD_HATYPE",
	"SKF_AD_RXHASH",    "SKF_AD_CPU",       "SKF_AD_ALU_XOR_X", "SKF_AD_VLAN_TAG",
	"SKF_AD_VLAN_TAG_PRESENT", "SKF_AD_PAY_OFFSET", "SKF_AD_RANDOM", "SKF_AD_VLAN_TPID",
};

/* The operand of a packet load, written as `tcpdump -d` writes it. */
static void
cbpf_pkt_operand(char *buf, size_t size, const struct cbpf_opinfo *info, uint32_t k)
{
	switch (info->operand) {
	case CBPF_OPND_IND:
		snprintf(buf, size, "%s [x + %u]", info->mnemonic, k);
		break;
	case CBPF_OPND_MSH:
		snprintf(buf, size, "%s 4*([%u]&0xf)", info->mnemonic, k);
		break;
	default:
		snprintf(buf, size, "%s [%u]", info->mnemonic, k);
		break;
	}
}

/*
 * A packet load at a Linux-only offset.  The kernel gives k >= SKF_AD_OFF
 * a meaning only in `ld`, `ldh` and `ldb [k]` (and refuses the ones it does
 * not know); in `[x + k]` and `ldxb 4*([k]&0xf)` the same k, like every k
 * from SKF_LL_OFF up in any load, reads relative to a header the kernel
 * found, so a userland engine cannot give it the kernel's meaning.
 */
static int
cbpf_check_linux_offset(const struct cbpf_opinfo *info, uint32_t k, size_t pc,
			struct bpfc_error *err)
{
	const char *tail = "which has no meaning outside a kernel socket";
	char what[64];

	if (k < CBPF_SKF_LL_OFF)
		return 0;
	cbpf_pkt_operand(what, sizeof(what), info, k);
	if (info->operand == CBPF_OPND_ABS && k >= CBPF_SKF_AD_OFF) {
		uint32_t off = k - CBPF_SKF_AD_OFF;
		size_t count = sizeof(cbpf_ancillary) / sizeof(cbpf_ancillary[0]);

		if (off % 4 == 0 && off / 4 < count)
			return diag_insn(err, BPFC_EINVAL, pc,
					 "%s is the Linux ancillary load %s, %s", what,
					 cbpf_ancillary[off / 4], tail);
		return diag_insn(err, BPFC_EINVAL, pc,
				 "%s is in the Linux ancillary area (SKF_AD_OFF + %u) but is no "
				 "extension Linux knows, and has no meaning outside a kernel "
				 "socket either",
				 what, off);
	}
	if (k >= CBPF_SKF_NET_OFF)
		return diag_insn(err, BPFC_EINVAL, pc,
				 "%s reads at the Linux offset SKF_NET_OFF + %u (the network "
				 "header), %s",
				 what, k - CBPF_SKF_NET_OFF, tail);
	return diag_insn(err, BPFC_EINVAL, pc,
			 "%s reads at the Linux offset SKF_LL_OFF + %u (the link-layer header), %s",
			 what, k - CBPF_SKF_LL_OFF, tail);
}

/* A jump from `pc` by `off` must land on an instruction of the program. */
static int
cbpf_check_target(size_t pc, uint64_t off, const char *which, size_t n, struct bpfc_error *err)
{
	uint64_t target = (uint64_t)pc + 1 + off;

	if (target < n)
		return 0;
	return diag_insn(err, BPFC_EINVAL, pc,
			 "jump target %llu is past the end of the %zu-instruction program (%s %llu)",
			 (unsigned long long)target, n, which, (unsigned long long)off);
}

/* Everything about instruction `pc` that does not depend on other
 * instructions: its code and its operands.  Returns its op, or
 * CBPF_OP_INVALID after recording an error. */
static enum cbpf_op
cbpf_check_insn(const struct bpfc_insn *p, size_t n, size_t pc, struct bpfc_error *err)
{
	const struct bpfc_insn *in = &p[pc];
	enum cbpf_op op = cbpf_decode(in->code);
	const struct cbpf_opinfo *info = &cbpf_opinfo[op];
	int bad = 0;

	if (op == CBPF_OP_INVALID) {
		diag_insn(err, BPFC_EINVAL, pc, "unknown opcode 0x%02x%s", in->code,
			  in->code > 0xff ? " (classic BPF codes are one byte)" : "");
		return CBPF_OP_INVALID;
	}
	if (info->flags & CBPF_F_NONZK && in->k == 0)
		bad = diag_insn(err, BPFC_EINVAL, pc, "%s by constant zero",
				op == CBPF_OP_MOD_K ? "modulo" : "division");
	else if (info->flags & CBPF_F_SHIFTK && in->k >= 32)
		bad = diag_insn(err, BPFC_EINVAL, pc, "shift by %u (must be below 32)", in->k);
	else if (info->flags & (CBPF_F_MEMRD | CBPF_F_MEMWR) && in->k >= CBPF_MEMWORDS)
		bad = diag_insn(err, BPFC_EINVAL, pc,
				"M[%u] does not exist (scratch memory is M[0] to M[%d])", in->k,
				CBPF_MEMWORDS - 1);
	else if (info->flags & CBPF_F_JA)
		bad = cbpf_check_target(pc, in->k, "ja", n, err);
	else if (info->flags & CBPF_F_COND)
		bad = cbpf_check_target(pc, in->jt, "jt", n, err) ||
		      cbpf_check_target(pc, in->jf, "jf", n, err);
	else if (info->flags & CBPF_F_PKT)
		bad = cbpf_check_linux_offset(info, in->k, pc, err);
	if (bad == 0 && pc == n - 1 && !(info->flags & CBPF_F_RET))
		bad = diag_insn(err, BPFC_EINVAL, pc,
				"the program does not end with a return instruction");
	return bad ? CBPF_OP_INVALID : op;
}

/*
 * A read of M[k] at `pc` with `valid` the cells written on every path
 * there.  The kernel's tracking (check_load_and_stores) is a linear scan:
 * a jump hands its state to its targets and the instruction after it
 * starts from "everything written"; every other instruction, `ret`
 * included, hands its state to the next one.  So the instruction after a
 * `ret` inherits what held before the ret even when no path falls through,
 * and we refuse what the kernel refuses.  The message says so when that is
 * the reason.
 */
static int
cbpf_check_read(const struct bpfc_insn *p, size_t pc, uint16_t valid, uint16_t from_jumps,
		struct bpfc_error *err)
{
	uint32_t k = p[pc].k;

	if (valid & (1u << k))
		return 0;
	if (pc > 0 && cbpf_opinfo[cbpf_decode(p[pc - 1].code)].flags & CBPF_F_RET &&
	    from_jumps & (1u << k))
		return diag_insn(err, BPFC_EINVAL, pc,
				 "M[%u] is read before it is written on every path (like the "
				 "Linux kernel, bpfc counts a path falling through the ret at "
				 "insn %zu, which no packet takes)",
				 k, pc - 1);
	return diag_insn(err, BPFC_EINVAL, pc,
			 "M[%u] is read before it is written on every path", k);
}

/* One forward pass: each instruction's own checks, then the memory state
 * it starts from (`masks[pc]`: cells written on every jump into it). */
static int
cbpf_check_program(const struct bpfc_insn *p, size_t n, uint16_t *masks, struct bpfc_error *err)
{
	uint16_t valid = 0; /* bit k: M[k] written on every path reaching pc */

	for (size_t pc = 0; pc < n; pc++)
		masks[pc] = 0xffff;
	for (size_t pc = 0; pc < n; pc++) {
		enum cbpf_op op = cbpf_check_insn(p, n, pc, err);
		unsigned flags = cbpf_opinfo[op].flags;
		uint32_t k = p[pc].k;

		if (op == CBPF_OP_INVALID)
			return -1;
		valid &= masks[pc];
		if (flags & CBPF_F_MEMRD && cbpf_check_read(p, pc, valid, masks[pc], err) < 0)
			return -1;
		if (flags & CBPF_F_MEMWR)
			valid |= (uint16_t)(1u << k);
		if (flags & CBPF_F_JA) {
			masks[pc + 1 + k] &= valid;
			valid = 0xffff;
		} else if (flags & CBPF_F_COND) {
			masks[pc + 1 + p[pc].jt] &= valid;
			masks[pc + 1 + p[pc].jf] &= valid;
			valid = 0xffff;
		}
	}
	return 0;
}

int
cbpf_validate(const struct bpfc_insn *p, size_t n, const struct bpfc_load_options *o,
	      struct bpfc_error *err)
{
	uint16_t stack_masks[CBPF_STACK_MASKS];
	uint16_t *masks = stack_masks;

	if (n == 0)
		return diag_insn(err, BPFC_EINVAL, 0, "empty program");
	if (n > o->max_insns)
		return diag_insn(err, BPFC_EINVAL, o->max_insns,
				 "%zu instructions is more than the limit of %u", n, o->max_insns);
	if (n > CBPF_STACK_MASKS) {
		masks = malloc(n * sizeof(*masks));
		if (masks == NULL)
			return diag_plain(err, BPFC_ENOMEM, "out of memory");
	}
	int rc = cbpf_check_program(p, n, masks, err);
	if (masks != stack_masks)
		free(masks);
	return rc;
}
