/*
 * listing.c: eBPF as `bpftool prog dump xlated` prints it.
 *
 * Takes: any array of eBPF instruction slots.  Gives: one numbered line
 * per instruction, "%4u: (code) text", the text in the kernel verifier's
 * own notation (kernel/bpf/disasm.c, which bpftool shares): `w` registers
 * for 32-bit operations, ALU immediates in decimal, jump immediates in
 * hex, offsets with their sign (`pc+3`, `(r10 -64)`).  A 64-bit immediate
 * load takes two slots and one line, so the numbering skips its second
 * slot as bpftool's does.  tests/check_ebpf.c compares the text with
 * bpftool's own output for programs the kernel loaded.
 *
 * Every instruction is printed through its enum ebpf_form in the one
 * opcode table (ebpf/opcodes.h): the form says the shape of the line, the
 * table's OP column the operator.  A code bpfc does not know is printed
 * as the kernel prints a code it cannot decode.
 */
#include <config.h>

#include <inttypes.h>
#include <stdint.h>

#include "ebpf/ebpf.h"

/* Helper names for calls, as the kernel's disassembler spells them; only
 * the helpers bpfc emits. */
static const char *
el_helper(int32_t id)
{
	switch (id) {
	case 39:
		return "bpf_skb_pull_data";
	default:
		return "unknown";
	}
}

static const char *
el_size(uint8_t code)
{
	static const char *const size[4] = {"u32", "u16", "u8", "u64"};
	return size[EBPF_SIZE(code) >> 3];
}

/* One instruction's text (after "(code) "); returns the slots it used. */
static size_t
el_text(struct strbuf *out, const struct ebpf_opinfo *oi, const struct bpfc_ebpf_insn *in,
	size_t left)
{
	char r = (oi->flags & EBPF_F_W32) ? 'w' : 'r';
	int d = in->dst_reg, s = in->src_reg;

	switch (oi->form) {
	case EBPF_FORM_ALU:
		if (oi->flags & EBPF_F_SRC)
			strbuf_printf(out, "%c%d %s %c%d", r, d, oi->op, r, s);
		else
			strbuf_printf(out, "%c%d %s %d", r, d, oi->op, in->imm);
		break;
	case EBPF_FORM_NEG:
		strbuf_printf(out, "%c%d = -%c%d", r, d, r, d);
		break;
	case EBPF_FORM_END:
		strbuf_printf(out, "r%d = %s%d r%d", d, oi->op, in->imm, d);
		break;
	case EBPF_FORM_JMP:
		if (oi->flags & EBPF_F_SRC)
			strbuf_printf(out, "if %c%d %s %c%d goto pc%+d", r, d, oi->op, r, s, in->off);
		else
			strbuf_printf(out, "if %c%d %s 0x%x goto pc%+d", r, d, oi->op,
				      (unsigned)in->imm, in->off);
		break;
	case EBPF_FORM_JA:
		strbuf_printf(out, "goto pc%+d", in->off);
		break;
	case EBPF_FORM_ABS:
		strbuf_printf(out, "r0 = *(%s *)skb[%d]", el_size(in->code), in->imm);
		break;
	case EBPF_FORM_IND:
		strbuf_printf(out, "r0 = *(%s *)skb[r%d + %d]", el_size(in->code), s, in->imm);
		break;
	case EBPF_FORM_LDX:
		strbuf_printf(out, "r%d = *(%s *)(r%d %+d)", d, el_size(in->code), s, in->off);
		break;
	case EBPF_FORM_ST:
		strbuf_printf(out, "*(%s *)(r%d %+d) = %d", el_size(in->code), d, in->off, in->imm);
		break;
	case EBPF_FORM_STX:
		strbuf_printf(out, "*(%s *)(r%d %+d) = r%d", el_size(in->code), d, in->off, s);
		break;
	case EBPF_FORM_LDDW:
		if (left < 2) {
			strbuf_puts(out, "BUG_ld_00"); /* the second half is missing */
			return 1;
		}
		strbuf_printf(out, "r%d = 0x%" PRIx64, d,
			      (uint64_t)(uint32_t)in[1].imm << 32 | (uint32_t)in->imm);
		return 2;
	case EBPF_FORM_CALL:
		strbuf_printf(out, "call %s#%d", el_helper(in->imm), in->imm);
		break;
	case EBPF_FORM_EXIT:
		strbuf_puts(out, "exit");
		break;
	}
	return 1;
}

void
ebpf_listing(struct strbuf *out, const struct bpfc_ebpf_insn *p, size_t n)
{
	static const char *const cls[8] = {"ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64"};

	for (size_t i = 0; i < n;) {
		const struct ebpf_opinfo *oi = ebpf_opinfo(p[i].code);
		strbuf_printf(out, "%4zu: (%02x) ", i, p[i].code);
		if (oi == NULL) {
			strbuf_printf(out, "BUG_%s_%02x\n", cls[EBPF_CLASS(p[i].code)], p[i].code);
			i++;
			continue;
		}
		i += el_text(out, oi, &p[i], n - i);
		strbuf_puts(out, "\n");
	}
}
