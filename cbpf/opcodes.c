/*
 * opcodes.c: the opcode table as data, and decoding a code to its op.
 */
#include <config.h>

#include <stddef.h>

#include "cbpf/opcodes.h"

const struct cbpf_opinfo cbpf_opinfo[CBPF_OP_COUNT] = {
	[CBPF_OP_INVALID] = {0, NULL, CBPF_OPND_NONE, 0},
#define CBPF_INFO(name, code, mnem, opnd, flags) [CBPF_OP_##name] = {(code), (mnem), (opnd), (flags)},
	CBPF_OPCODES(CBPF_INFO)
#undef CBPF_INFO
};

/* Code -> op for the 256 one-byte codes; built from the same list. */
static const uint8_t cbpf_by_code[256] = {
#define CBPF_BYCODE(name, code, mnem, opnd, flags) [(code)] = CBPF_OP_##name,
	CBPF_OPCODES(CBPF_BYCODE)
#undef CBPF_BYCODE
};

enum cbpf_op
cbpf_decode(uint16_t code)
{
	return code > 0xff ? CBPF_OP_INVALID : (enum cbpf_op)cbpf_by_code[code];
}
