/*
 * count.c: the counting evaluator (see count.h).
 *
 * Each instruction is decoded from its fields (class, size, mode, source,
 * operation) rather than dispatched on the opcode table, so this file
 * shares no code with cbpf/interp.c and can serve as an independent
 * measure of it.  libpcap's bpf_filter() rules, as 1.10.3 behaves:
 * A and X start at 0; loads are big-endian and a load not entirely
 * inside [0, caplen) returns 0; `len` is wirelen; division or modulo by
 * X == 0 returns 0; a shift by X >= 32 gives 0; jumps are relative to
 * the next instruction.
 *
 * A's origin is tracked for the witness search: after a packet load A
 * "is" that field, `and #k` narrows the visible bits, any other change
 * to A forgets it.
 */
#include <config.h>

#include <string.h>

#include "bench/count.h"
#include "cbpf/opcodes.h"

#define MODE(code) ((code) & 0xe0)
#define SIZE(code) ((code) & 0x18)
#define OP(code) ((code) & 0xf0)
#define SRC(code) ((code) & 0x08)

struct count_vm {
	uint32_t a, x, mem[CBPF_MEMWORDS];
	const uint8_t *pkt;
	uint32_t wirelen, caplen;
	/* where A came from: a packet field, or none */
	int a_known;
	uint32_t a_off, a_mask;
	uint8_t a_size;
};

/* Load `size` bytes at off (64-bit: X + k cannot wrap): 0 when they are
 * not all captured. */
static int
count_load(struct count_vm *vm, struct count_stat *st, uint64_t off, uint32_t size,
	   uint32_t *out)
{
	uint64_t end = off + size;
	uint32_t v = 0;

	if (end > st->maxend)
		st->maxend = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
	if (end > vm->caplen) {
		st->failend = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
		return 0;
	}
	for (uint32_t i = 0; i < size; i++)
		v = v << 8 | vm->pkt[off + i];
	*out = v;
	return 1;
}

static uint32_t
count_size(uint16_t code)
{
	switch (SIZE(code)) {
	case CBPF_W: return 4;
	case CBPF_H: return 2;
	case CBPF_B: return 1;
	default: return 0;
	}
}

/* LD and LDX; 0 when the program must return 0 (load outside the capture
 * or an undecodable instruction). */
static int
count_ld(struct count_vm *vm, struct count_stat *st, const struct bpfc_insn *i)
{
	int is_x = CBPF_CLASS(i->code) == CBPF_LDX;
	uint32_t v = 0, size = count_size(i->code); /* only ABS and IND use it */
	uint64_t off = 0;

	switch (MODE(i->code)) {
	case CBPF_IMM: v = i->k; break;
	case CBPF_LEN: v = vm->wirelen; break;
	case CBPF_MEM:
		if (i->k >= CBPF_MEMWORDS)
			return st->bad = 1, 0;
		v = vm->mem[i->k];
		break;
	case CBPF_ABS:
	case CBPF_IND:
		off = MODE(i->code) == CBPF_IND ? (uint64_t)vm->x + i->k : i->k;
		if (!count_load(vm, st, off, size, &v))
			return 0;
		break;
	case CBPF_MSH: /* ldxb 4*([k]&0xf): the IPv4 header length */
		if (!count_load(vm, st, i->k, 1, &v))
			return 0;
		v = (v & 0xf) << 2;
		break;
	default: return st->bad = 1, 0;
	}
	if (is_x) {
		vm->x = v;
		return 1;
	}
	vm->a = v;
	vm->a_known = MODE(i->code) == CBPF_ABS || MODE(i->code) == CBPF_IND;
	vm->a_off = (uint32_t)off;
	vm->a_size = (uint8_t)size;
	vm->a_mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
	return 1;
}

/* ALU; 0 when the program must return 0 (division by X == 0). */
static int
count_alu(struct count_vm *vm, struct count_stat *st, const struct bpfc_insn *i)
{
	uint32_t b = SRC(i->code) == CBPF_X ? vm->x : i->k, a = vm->a;

	if (OP(i->code) == CBPF_AND && SRC(i->code) == CBPF_K)
		vm->a_mask &= i->k; /* A is still (part of) the field */
	else
		vm->a_known = 0;
	switch (OP(i->code)) {
	case CBPF_ADD: a += b; break;
	case CBPF_SUB: a -= b; break;
	case CBPF_MUL: a *= b; break;
	case CBPF_DIV:
		if (b == 0)
			return 0;
		a /= b;
		break;
	case CBPF_MOD:
		if (b == 0)
			return 0;
		a %= b;
		break;
	case CBPF_OR: a |= b; break;
	case CBPF_AND: a &= b; break;
	case CBPF_XOR: a ^= b; break;
	case CBPF_LSH: a = b < 32 ? a << b : 0; break;
	case CBPF_RSH: a = b < 32 ? a >> b : 0; break;
	case CBPF_NEG: a = 0u - a; break;
	default: return st->bad = 1, 0;
	}
	vm->a = a;
	return 1;
}

static void
count_trace(struct count_vm *vm, struct count_stat *st, const struct bpfc_insn *i, size_t pc,
	    int taken)
{
	if (st->sites == NULL || !vm->a_known || SRC(i->code) != CBPF_K ||
	    st->nsites >= st->capsites)
		return;
	st->sites[st->nsites++] = (struct count_site){
		.pc = (uint32_t)pc, .off = vm->a_off, .mask = vm->a_mask, .k = i->k,
		.code = i->code, .size = vm->a_size, .taken = (uint8_t)taken};
}

/* JMP: the offset to add to pc + 1, or -1 for an undecodable jump. */
static int64_t
count_jmp(struct count_vm *vm, struct count_stat *st, const struct bpfc_insn *i, size_t pc)
{
	uint32_t b = SRC(i->code) == CBPF_X ? vm->x : i->k;
	int t;

	switch (OP(i->code)) {
	case CBPF_JA: return SRC(i->code) == CBPF_K ? (int64_t)i->k : -1;
	case CBPF_JEQ: t = vm->a == b; break;
	case CBPF_JGT: t = vm->a > b; break;
	case CBPF_JGE: t = vm->a >= b; break;
	case CBPF_JSET: t = (vm->a & b) != 0; break;
	default: return -1;
	}
	count_trace(vm, st, i, pc, t);
	return t ? i->jt : i->jf;
}

uint32_t
count_run(const struct bpfc_insn *p, size_t n, const uint8_t *pkt, uint32_t wirelen,
	  uint32_t caplen, struct count_stat *st)
{
	struct count_vm vm;
	size_t pc = 0;

	memset(&vm, 0, sizeof(vm));
	vm.pkt = pkt;
	vm.wirelen = wirelen;
	vm.caplen = caplen;
	st->steps = 0;
	st->maxend = st->failend = 0;
	st->bad = 0;
	st->nsites = 0;
	while (pc < n) {
		const struct bpfc_insn *i = &p[pc];
		int64_t d;
		st->steps++;
		/* The field decoding below accepts some codes libpcap has no
		 * case for: the one opcode table says which codes exist. */
		if (cbpf_decode(i->code) == CBPF_OP_INVALID)
			return st->bad = 1, 0;
		switch (CBPF_CLASS(i->code)) {
		case CBPF_LD:
		case CBPF_LDX:
			if (!count_ld(&vm, st, i))
				return 0;
			break;
		case CBPF_ST:
		case CBPF_STX:
			if (i->k >= CBPF_MEMWORDS)
				return st->bad = 1, 0;
			vm.mem[i->k] = CBPF_CLASS(i->code) == CBPF_ST ? vm.a : vm.x;
			break;
		case CBPF_ALU:
			if (!count_alu(&vm, st, i))
				return 0;
			break;
		case CBPF_JMP:
			if ((d = count_jmp(&vm, st, i, pc)) < 0)
				return st->bad = 1, 0;
			pc += (size_t)d;
			break;
		case CBPF_RET:
			return (i->code & 0x18) == CBPF_A ? vm.a : i->k;
		case CBPF_MISC:
			if ((i->code & 0xf8) == CBPF_TAX) {
				vm.x = vm.a;
			} else {
				vm.a = vm.x;
				vm.a_known = 0;
			}
			break;
		}
		pc++;
	}
	st->bad = 1; /* ran off the end: no compiler emits that */
	return 0;
}
