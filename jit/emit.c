/*
 * emit.c: one eBPF instruction to x86-64.
 *
 * Takes: an instruction the checker admitted, its kind, and the register
 * map (jit.c).  Gives: its fixed bytes appended to the buffer and, for a
 * jump, the branch the layout will encode after them.  The code of an
 * instruction never depends on where it lands: only the trailing branch
 * does, which is what lets jit.c size every branch in one backward sweep.
 *
 * Semantics are ebpf/interp.c's: 32-bit operations zero-extend (x86 does
 * the same for every 32-bit write), 64-bit immediates are sign-extended
 * (x86's imm32 forms do the same), shift counts are masked to 5 or 6 bits
 * (as x86 masks them), division by zero gives 0 and modulo by zero keeps
 * dst (zero-extended in the 32-bit form), be16/be32/be64 swap on this
 * little-endian machine and le16/le32 only truncate.
 *
 * Fusions, only where the second instruction is no jump target: a packet
 * or stack load followed by the byte swap of its width on the same
 * register (movbe when the CPU has it, else mov + bswap; movzx + rol for
 * 16 bits), and `rD = rS; rD += imm` as one lea.
 *
 * Scratch: r11 is the JIT's own; division borrows rax and rdx through two
 * spill slots below the frame (jit.c reserves them).
 */
#include <config.h>

#include "jit/jit_int.h"

/* x86 condition codes of the eBPF comparisons. */
enum { CC_B = 0x2, CC_AE = 0x3, CC_E = 0x4, CC_NE = 0x5, CC_BE = 0x6, CC_A = 0x7,
       CC_L = 0xc, CC_GE = 0xd, CC_LE = 0xe, CC_G = 0xf };

static int
em_cc(int oper)
{
	switch (oper) {
	case EBPF_JEQ: return CC_E;
	case EBPF_JNE: return CC_NE;
	case EBPF_JGT: return CC_A;
	case EBPF_JGE: return CC_AE;
	case EBPF_JLT: return CC_B;
	case EBPF_JLE: return CC_BE;
	case EBPF_JSET: return CC_NE;
	case EBPF_JSGT: return CC_G;
	case EBPF_JSGE: return CC_GE;
	case EBPF_JSLT: return CC_L;
	case EBPF_JSLE: return CC_LE;
	default: return -1;
	}
}

/* Group-1 /ext and the `op rm, reg` opcode of an ALU operation; -1 if none. */
static int
em_grp1(int oper, unsigned *opx)
{
	switch (oper) {
	case EBPF_ADD: *opx = 0x01; return 0;
	case EBPF_OR: *opx = 0x09; return 1;
	case EBPF_AND: *opx = 0x21; return 4;
	case EBPF_SUB: *opx = 0x29; return 5;
	case EBPF_XOR: *opx = 0x31; return 6;
	default: return -1;
	}
}

/* Base register and displacement of eBPF register `r` + off. */
static int
em_addr(const struct jit_map *m, int r, int16_t off, int *base, int32_t *disp)
{
	if (r == EBPF_FP) {
		*base = X_RSP;
		*disp = m->fpbias + off;
		return 0;
	}
	*base = m->reg[r];
	*disp = off;
	return *base < 0 ? -1 : 0;
}

/* A short forward jump whose rel8 is patched by em_land. */
static size_t
em_jump8(struct jit_buf *b, uint8_t opcode)
{
	jb_byte(b, opcode); /* jcc/jmp rel8 */
	jb_byte(b, 0);
	return b->len;
}

static void
em_land(struct jit_buf *b, size_t from)
{
	if (!b->failed)
		b->p[from - 1] = (uint8_t)(b->len - from);
}

/* dst /= src or dst %= src (src < 0: the immediate). */
static void
em_div(struct jit_buf *b, const struct jit_map *m, int w, int mod, int d, int s, int32_t imm)
{
	size_t over = 0, done = 0;

	if (s < 0 && imm == 0) { /* a constant zero divisor: the rule, statically */
		if (!mod)
			x_mov_imm(b, 0, d, 0);
		else if (!w)
			x_mov(b, 0, d, d);
		return;
	}
	if (s >= 0) {
		x_rr(b, w, 0x85, s, s); /* test src, src */
		over = em_jump8(b, 0x70 | CC_NE); /* jnz over */
		if (!mod)
			x_mov_imm(b, 0, d, 0); /* xor d32, d32 */
		else if (!w)
			x_mov(b, 0, d, d); /* mov d32, d32 */
		done = em_jump8(b, 0xeb); /* jmp done */
		em_land(b, over);
		x_mov(b, 1, X_R11, s); /* mov r11, src */
	} else {
		x_mov_imm(b, w, X_R11, imm); /* mov r11, imm */
	}
	if (d != X_RAX)
		x_rm(b, 1, 0, 0, 0x89, X_RAX, X_RSP, m->spill); /* mov [spill], rax */
	if (d != X_RDX)
		x_rm(b, 1, 0, 0, 0x89, X_RDX, X_RSP, m->spill + 8); /* mov [spill+8], rdx */
	if (d != X_RAX)
		x_mov(b, w, X_RAX, d);
	x_rr(b, 0, 0x31, X_RDX, X_RDX); /* xor edx, edx */
	x_f7(b, w, 6, X_R11);           /* div r11 */
	int res = mod ? X_RDX : X_RAX;
	if (d != res)
		x_mov(b, w, d, res);
	if (d != X_RDX)
		x_rm(b, 1, 0, 0, 0x8b, X_RDX, X_RSP, m->spill + 8); /* mov rdx, [spill+8] */
	if (d != X_RAX)
		x_rm(b, 1, 0, 0, 0x8b, X_RAX, X_RSP, m->spill); /* mov rax, [spill] */
	if (s >= 0)
		em_land(b, done);
}

/* Shift dst by src (x86 takes the count in cl). */
static void
em_shift_x(struct jit_buf *b, int w, int ext, int d, int s)
{
	if (s == X_RCX) {
		x_shift(b, w, ext, d, -1);
		return;
	}
	x_mov(b, 1, X_R11, X_RCX); /* mov r11, rcx */
	x_mov(b, 1, X_RCX, s);
	x_shift(b, w, ext, d == X_RCX ? X_R11 : d, -1);
	x_mov(b, 1, X_RCX, X_R11); /* mov rcx, r11 */
}

static void
em_end(struct jit_buf *b, int be, int bits, int d)
{
	if (bits == 16) {
		if (be)
			x_rol16_8(b, d);
		x_movzx16(b, d, d);
	} else if (bits == 32) {
		if (be)
			x_bswap(b, 0, d);
		else
			x_mov(b, 0, d, d);
	} else if (be) {
		x_bswap(b, 1, d);
	}
}

static int
em_alu(struct jit_buf *b, const struct jit_map *m, const struct bpfc_ebpf_insn *in,
       const struct ebpf_opinfo *oi)
{
	int w = !(oi->flags & EBPF_F_W32), x = (oi->flags & EBPF_F_SRC) != 0;
	int d = m->reg[in->dst_reg], s = x ? m->reg[in->src_reg] : -1, oper = EBPF_OPER(in->code);
	unsigned opx;
	int ext;

	if (d < 0 || (x && s < 0))
		return -1;
	if (oi->form == EBPF_FORM_END) {
		em_end(b, in->code == EBPF_OP_END_BE, in->imm, d);
		return 0;
	}
	if (oi->form == EBPF_FORM_NEG) {
		x_f7(b, w, 3, d); /* neg */
		return 0;
	}
	if ((ext = em_grp1(oper, &opx)) >= 0) {
		if (x)
			x_rr(b, w, opx, s, d); /* op d, s */
		else
			x_alu_imm(b, w, ext, d, in->imm);
		return 0;
	}
	switch (oper) {
	case EBPF_MOV:
		if (x)
			x_mov(b, w, d, s);
		else
			x_mov_imm(b, w, d, in->imm);
		return 0;
	case EBPF_MUL:
		if (x) {
			x_rr(b, w, 0x0faf, d, s); /* imul d, s */
		} else if (in->imm >= -128 && in->imm <= 127) {
			x_rr(b, w, 0x6b, d, d); /* imul d, d, imm8 */
			jb_byte(b, (uint8_t)in->imm);
		} else {
			x_rr(b, w, 0x69, d, d); /* imul d, d, imm32 */
			jb_imm32(b, (uint32_t)in->imm);
		}
		return 0;
	case EBPF_DIV:
	case EBPF_MOD:
		em_div(b, m, w, oper == EBPF_MOD, d, s, in->imm);
		return 0;
	case EBPF_LSH:
	case EBPF_RSH:
	case EBPF_ARSH:
		ext = oper == EBPF_LSH ? 4 : oper == EBPF_RSH ? 5 : 7;
		if (x) {
			em_shift_x(b, w, ext, d, s);
		} else if ((in->imm & (w ? 63 : 31)) != 0) {
			x_shift(b, w, ext, d, in->imm & (w ? 63 : 31));
		} else if (!w) {
			x_mov(b, 0, d, d); /* a shift by 0 still zero-extends */
		}
		return 0;
	default:
		return -1;
	}
}

static int
em_cond(struct jit_buf *b, const struct jit_map *m, const struct bpfc_ebpf_insn *in,
	const struct ebpf_opinfo *oi, size_t i, struct jit_out *o)
{
	int w = !(oi->flags & EBPF_F_W32), x = (oi->flags & EBPF_F_SRC) != 0;
	int d = m->reg[in->dst_reg], s = x ? m->reg[in->src_reg] : -1, oper = EBPF_OPER(in->code);
	int cc = em_cc(oper);

	if (d < 0 || (x && s < 0) || cc < 0)
		return -1;
	if (oper == EBPF_JSET) {
		if (x)
			x_rr(b, w, 0x85, s, d); /* test d, s */
		else
			x_test_imm(b, w, d, in->imm);
	} else if (x) {
		x_rr(b, w, 0x39, s, d); /* cmp d, s */
	} else if (in->imm == 0 && (oper == EBPF_JEQ || oper == EBPF_JNE || oper == EBPF_JGT ||
				    oper == EBPF_JLE)) {
		x_rr(b, w, 0x85, d, d); /* test d, d: unsigned > 0 is != 0 */
		cc = oper == EBPF_JEQ || oper == EBPF_JLE ? CC_E : CC_NE;
	} else {
		x_alu_imm(b, w, 7, d, in->imm); /* cmp d, imm */
	}
	o->branch = JB_JCC;
	o->cc = (uint8_t)cc;
	o->to = i + 1 + (size_t)in->off;
	return 0;
}

/* The byte swap that may follow a load at i, fused into it: its width
 * (16, 32), or 0. */
static int
em_fusable_swap(const struct ebpf_prog *p, const struct jit_facts *f, size_t i, int bytes)
{
	if (i + 1 >= p->n || f->target[i + 1] || f->kind[i + 1] != JK_NORMAL)
		return 0;
	const struct bpfc_ebpf_insn *a = &p->insns[i], *e = &p->insns[i + 1];
	if (e->code != EBPF_OP_END_BE || e->dst_reg != a->dst_reg || e->imm != 8 * bytes)
		return 0;
	return bytes == 2 || bytes == 4;
}

static int
em_ldx(struct jit_buf *b, const struct jit_map *m, const struct ebpf_prog *p,
       const struct jit_facts *f, size_t i, struct jit_out *o)
{
	const struct bpfc_ebpf_insn *in = &p->insns[i];
	int d = m->reg[in->dst_reg], base;
	int32_t disp;

	if (d < 0)
		return -1;
	switch (f->kind[i]) {
	case JK_LD_DATA:
		x_mov(b, 1, d, X_RDI);
		return 0;
	case JK_LD_END:
		x_mov(b, 1, d, X_RDX);
		return 0;
	case JK_LD_LEN:
		if (d != X_RSI)
			x_mov(b, 0, d, X_RSI);
		return 0;
	default:
		break;
	}
	if (em_addr(m, in->src_reg, in->off, &base, &disp) != 0)
		return -1;
	switch (EBPF_SIZE(in->code)) {
	case EBPF_B:
		x_rm(b, 0, 0, 0, 0x0fb6, d, base, disp); /* movzx d32, byte [mem] */
		break;
	case EBPF_H:
		x_rm(b, 0, 0, 0, 0x0fb7, d, base, disp); /* movzx d32, word [mem] */
		if (em_fusable_swap(p, f, i, 2)) {
			x_rol16_8(b, d); /* rol d16, 8: the upper half is already zero */
			o->consumed = 1;
		}
		break;
	case EBPF_W:
		if (em_fusable_swap(p, f, i, 4)) {
			o->consumed = 1;
			if (m->movbe) {
				x_rm(b, 0, 0, 0, 0x0f38f0, d, base, disp); /* movbe d32, [mem] */
				break;
			}
			x_rm(b, 0, 0, 0, 0x8b, d, base, disp); /* mov d32, [mem] */
			x_bswap(b, 0, d);
			break;
		}
		x_rm(b, 0, 0, 0, 0x8b, d, base, disp); /* mov d32, [mem] */
		break;
	default:
		x_rm(b, 1, 0, 0, 0x8b, d, base, disp); /* mov d64, [mem] */
		break;
	}
	return 0;
}

static int
em_store(struct jit_buf *b, const struct jit_map *m, const struct bpfc_ebpf_insn *in)
{
	int base, st = EBPF_CLASS(in->code) == EBPF_ST, s = st ? 0 : m->reg[in->src_reg];
	int32_t disp;
	int size = EBPF_SIZE(in->code);

	if (s < 0 || em_addr(m, in->dst_reg, in->off, &base, &disp) != 0)
		return -1;
	int w = size == EBPF_DW, p66 = size == EBPF_H, byte = size == EBPF_B;
	if (!st) {
		x_rm(b, w, p66, byte, byte ? 0x88 : 0x89, s, base, disp); /* mov [mem], s */
		return 0;
	}
	x_rm(b, w, p66, 0, byte ? 0xc6 : 0xc7, 0, base, disp); /* mov [mem], imm */
	if (byte)
		jb_byte(b, (uint8_t)in->imm);
	else if (p66)
		jb_bytes(b, (const uint8_t[]){(uint8_t)in->imm, (uint8_t)(in->imm >> 8)}, 2);
	else
		jb_imm32(b, (uint32_t)in->imm);
	return 0;
}

/* `rD = rS; rD += imm` as lea, when the add is no jump target. */
static int
em_lea(struct jit_buf *b, const struct jit_map *m, const struct ebpf_prog *p,
       const struct jit_facts *f, size_t i)
{
	const struct bpfc_ebpf_insn *a = &p->insns[i], *n;

	if (a->code != EBPF_OP_ALU64_MOV_X || i + 1 >= p->n || f->target[i + 1] ||
	    f->kind[i + 1] != JK_NORMAL)
		return 0;
	n = &p->insns[i + 1];
	int d = m->reg[a->dst_reg], s = m->reg[a->src_reg];
	if (n->code != EBPF_OP_ALU64_ADD_K || n->dst_reg != a->dst_reg || d < 0 || s < 0 || d == s)
		return 0;
	x_lea(b, d, s, n->imm);
	return 1;
}

void
jit_emit_epilogue(struct jit_buf *b, const struct jit_map *m)
{
	if (m->frame > 0)
		x_alu_imm(b, 1, 0, X_RSP, m->frame); /* add rsp, frame */
	for (int k = m->nsaved; k-- > 0;)
		x_pop(b, m->saved[k]);
	jb_byte(b, 0xc3); /* ret */
}

int
jit_emit_insn(struct jit_buf *b, const struct jit_map *m, const struct ebpf_prog *p,
	      const struct jit_facts *f, size_t i, struct jit_out *o)
{
	const struct bpfc_ebpf_insn *in = &p->insns[i];
	const struct ebpf_opinfo *oi = ebpf_opinfo(in->code);

	o->branch = JB_NONE;
	o->consumed = 0;
	if (f->kind[i] == JK_SKIP || f->kind[i] == JK_CTX_NOP)
		return 0;
	if (oi == NULL)
		return -1;
	switch (oi->form) {
	case EBPF_FORM_EXIT:
		jit_emit_epilogue(b, m);
		return 0;
	case EBPF_FORM_JA:
		o->branch = JB_JMP;
		o->to = i + 1 + (size_t)in->off;
		return 0;
	case EBPF_FORM_JMP:
		return em_cond(b, m, in, oi, i, o);
	case EBPF_FORM_LDX:
		return em_ldx(b, m, p, f, i, o);
	case EBPF_FORM_ST:
	case EBPF_FORM_STX:
		return em_store(b, m, in);
	case EBPF_FORM_ALU:
	case EBPF_FORM_NEG:
	case EBPF_FORM_END:
		if (em_lea(b, m, p, f, i)) {
			o->consumed = 1;
			return 0;
		}
		return em_alu(b, m, in, oi);
	default:
		return -1;
	}
}
