/*
 * opcodes.c: the eBPF opcode table as data, indexed by code.
 *
 * Built from the one list in ebpf/opcodes.h; a code with no entry has a
 * NULL name and ebpf_opinfo() returns NULL for it.
 */
#include <config.h>

#include <stddef.h>

#include "ebpf/opcodes.h"

static const struct ebpf_opinfo ebpf_by_code[256] = {
#define EBPF_INFO(name, code, op, form, flags) [(code)] = {(code), #name, (op), (form), (flags)},
	EBPF_OPCODES(EBPF_INFO)
#undef EBPF_INFO
};

const struct ebpf_opinfo *
ebpf_opinfo(uint8_t code)
{
	return ebpf_by_code[code].name != NULL ? &ebpf_by_code[code] : NULL;
}
