/*
 * x86.c: the x86-64 instruction encoder.
 *
 * Takes: register numbers (enum in jit_int.h), opcodes, immediates.
 * Gives: their encodings appended to a struct jit_buf, one helper per
 * encoding with the instruction beside the bytes.  Invariants: a REX
 * prefix is emitted exactly when the encoding needs one (REX.W, a register
 * numbered 8-15, or spl..dil as a byte register); a memory operand based
 * on rsp/r12 carries its SIB byte, one based on rbp/r13 a displacement.
 * Out of memory makes the buffer sticky-failed; the caller checks once.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "jit/jit_int.h"

static int
jb_room(struct jit_buf *b, size_t n)
{
	if (b->failed)
		return 0;
	if (b->len + n <= b->cap)
		return 1;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);
	if (p == NULL) {
		b->failed = 1;
		return 0;
	}
	b->p = p;
	b->cap = cap;
	return 1;
}

void
jb_bytes(struct jit_buf *b, const uint8_t *s, size_t n)
{
	if (jb_room(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

void
jb_byte(struct jit_buf *b, uint8_t v)
{
	jb_bytes(b, &v, 1);
}

void
jb_imm32(struct jit_buf *b, uint32_t v)
{
	uint8_t s[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	jb_bytes(b, s, 4);
}

static int
fits8(int32_t v)
{
	return v >= -128 && v <= 127;
}

/* REX.W R X B; `force` emits a bare 0x40 (byte registers spl..dil). */
static void
x_rex(struct jit_buf *b, int w, int reg, int rm, int force)
{
	uint8_t rex = (uint8_t)(0x40 | (w ? 8 : 0) | ((reg & 8) ? 4 : 0) | ((rm & 8) ? 1 : 0));
	if (rex != 0x40 || force)
		jb_byte(b, rex);
}

static void
x_op(struct jit_buf *b, unsigned op)
{
	if (op > 0xffff)
		jb_byte(b, (uint8_t)(op >> 16)); /* 0x0f of a three-byte opcode */
	if (op > 0xff)
		jb_byte(b, (uint8_t)(op >> 8)); /* 0x0f, or 0x38 after it */
	jb_byte(b, (uint8_t)op);
}

static void
x_modrm(struct jit_buf *b, int mod, int reg, int rm)
{
	jb_byte(b, (uint8_t)(mod << 6 | (reg & 7) << 3 | (rm & 7)));
}

void
x_rr(struct jit_buf *b, int w, unsigned op, int reg, int rm) /* op rm, reg */
{
	x_rex(b, w, reg, rm, 0);
	x_op(b, op);
	x_modrm(b, 3, reg, rm);
}

void
x_rm(struct jit_buf *b, int w, int p66, int byte, unsigned op, int reg, int base, int32_t disp)
{
	if (p66)
		jb_byte(b, 0x66); /* operand size 16 */
	x_rex(b, w, reg, base, byte && (reg & 7) >= 4 && reg < 8);
	x_op(b, op);
	int mod = (disp == 0 && (base & 7) != 5) ? 0 : fits8(disp) ? 1 : 2;
	x_modrm(b, mod, reg, base);
	if ((base & 7) == 4)
		jb_byte(b, 0x24); /* SIB: base only */
	if (mod == 1)
		jb_byte(b, (uint8_t)disp);
	else if (mod == 2)
		jb_imm32(b, (uint32_t)disp);
}

void
x_alu_imm(struct jit_buf *b, int w, int ext, int rm, int32_t imm)
{
	if (fits8(imm)) {
		x_rr(b, w, 0x83, ext, rm); /* op rm, imm8 */
		jb_byte(b, (uint8_t)imm);
	} else {
		x_rr(b, w, 0x81, ext, rm); /* op rm, imm32 */
		jb_imm32(b, (uint32_t)imm);
	}
}

void
x_mov_imm(struct jit_buf *b, int w, int rm, int32_t imm)
{
	if (imm == 0) {
		x_rr(b, 0, 0x31, rm, rm); /* xor r32, r32 */
	} else if (!w || imm > 0) {
		x_rex(b, 0, 0, rm, 0);
		jb_byte(b, (uint8_t)(0xb8 + (rm & 7))); /* mov r32, imm32 */
		jb_imm32(b, (uint32_t)imm);
	} else {
		x_rr(b, 1, 0xc7, 0, rm); /* mov r64, simm32 */
		jb_imm32(b, (uint32_t)imm);
	}
}

void
x_mov(struct jit_buf *b, int w, int dst, int src)
{
	if (w && dst == src)
		return;
	x_rr(b, w, 0x89, src, dst); /* mov dst, src */
}

void
x_shift(struct jit_buf *b, int w, int ext, int rm, int imm)
{
	if (imm < 0) {
		x_rr(b, w, 0xd3, ext, rm); /* shift rm, cl */
	} else if (imm == 1) {
		x_rr(b, w, 0xd1, ext, rm); /* shift rm, 1 */
	} else {
		x_rr(b, w, 0xc1, ext, rm); /* shift rm, imm8 */
		jb_byte(b, (uint8_t)imm);
	}
}

void
x_f7(struct jit_buf *b, int w, int ext, int rm)
{
	x_rr(b, w, 0xf7, ext, rm); /* neg / div rm */
}

void
x_lea(struct jit_buf *b, int dst, int base, int32_t disp)
{
	x_rm(b, 1, 0, 0, 0x8d, dst, base, disp); /* lea dst, [base + disp] */
}

void
x_bswap(struct jit_buf *b, int w, int r)
{
	x_rex(b, w, 0, r, 0);
	jb_byte(b, 0x0f);
	jb_byte(b, (uint8_t)(0xc8 + (r & 7))); /* bswap r */
}

void
x_rol16_8(struct jit_buf *b, int r)
{
	jb_byte(b, 0x66);
	x_rr(b, 0, 0xc1, 0, r); /* rol r16, 8 */
	jb_byte(b, 8);
}

void
x_movzx16(struct jit_buf *b, int dst, int src)
{
	x_rr(b, 0, 0x0fb7, dst, src); /* movzx r32, r16 */
}

void
x_push(struct jit_buf *b, int r)
{
	x_rex(b, 0, 0, r, 0);
	jb_byte(b, (uint8_t)(0x50 + (r & 7))); /* push r64 */
}

void
x_pop(struct jit_buf *b, int r)
{
	x_rex(b, 0, 0, r, 0);
	jb_byte(b, (uint8_t)(0x58 + (r & 7))); /* pop r64 */
}

void
x_test_imm(struct jit_buf *b, int w, int rm, int32_t imm)
{
	if (imm >= 0 && imm <= 0xff) { /* the same bits in every width */
		x_rex(b, 0, 0, rm, (rm & 7) >= 4 && rm < 8);
		jb_byte(b, 0xf6); /* test r8, imm8 */
		x_modrm(b, 3, 0, rm);
		jb_byte(b, (uint8_t)imm);
		return;
	}
	x_rr(b, w, 0xf7, 0, rm); /* test rm, imm32 */
	jb_imm32(b, (uint32_t)imm);
}
