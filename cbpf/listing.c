/*
 * listing.c: a cBPF program as text, exactly as `tcpdump -d`, `-dd` and
 * `-ddd` print it.
 *
 * Takes instructions (any 16-bit code, any k/jt/jf: invalid programs print
 * too).  Gives text byte-identical to libpcap 1.10's bpf_dump(), whose
 * styles are:
 *   1: one bpf_image() line per instruction, "(NNN) mnemonic operand",
 *      conditional jumps followed by absolute "jt N\tjf M" targets;
 *   2: "{ 0xCODE, JT, JF, 0xKKKKKKKK },", a C initialiser;
 *   3: the instruction count, then "CODE JT JF K" in decimal.
 * The mnemonic and the way the operand is written come from the opcode
 * table (cbpf/opcodes.h); codes outside it print as libpcap's "unimp".
 *
 * libpcap does its arithmetic in `int`: instruction indices, jump targets
 * and the signed operands ("#%d", "[%d]") all print k >= 2^31 as negative
 * numbers, and a `ja` target wraps modulo 2^32.  That is reproduced on
 * purpose (the assembler maps such numbers back to the same k).
 */
#include <config.h>

#include <linux/filter.h>
#include <stdio.h>

#include "cbpf/cbpf.h"

/*
 * Linux ancillary loads: an absolute load at SKF_AD_OFF + one of these
 * offsets prints as "[name]" (libpcap 1.10 on Linux, for ld/ldh/ldb [k]
 * only).  The names are libpcap's; the offsets are the kernel's.
 */
static const char *const cbpf_ancillary[] = {
	[SKF_AD_PROTOCOL] = "proto",
	[SKF_AD_PKTTYPE] = "type",
	[SKF_AD_IFINDEX] = "ifidx",
	[SKF_AD_NLATTR] = "nla",
	[SKF_AD_NLATTR_NEST] = "nlan",
	[SKF_AD_MARK] = "mark",
	[SKF_AD_QUEUE] = "queue",
	[SKF_AD_HATYPE] = "hatype",
	[SKF_AD_RXHASH] = "rxhash",
	[SKF_AD_CPU] = "cpu",
	[SKF_AD_ALU_XOR_X] = "xor_x",
	[SKF_AD_VLAN_TAG] = "vlan_tci",
	[SKF_AD_VLAN_TAG_PRESENT] = "vlanp",
	[SKF_AD_PAY_OFFSET] = "poff",
	[SKF_AD_RANDOM] = "random",
	[SKF_AD_VLAN_TPID] = "vlan_tpid",
};

/* k as C's printf("%d") shows a 32-bit unsigned value passed as int. */
static long long
cbpf_signed(uint32_t k)
{
	return k >= 0x80000000u ? (long long)k - 0x100000000ll : (long long)k;
}

/* libpcap's `int` index arithmetic, wrapped the way a 32-bit int wraps. */
static long long
cbpf_index(size_t pc, uint32_t add)
{
	return cbpf_signed((uint32_t)(pc + 1 + add));
}

static void
cbpf_abs_operand(char *buf, size_t size, uint32_t k)
{
	uint32_t off = k - (uint32_t)SKF_AD_OFF;
	size_t nnames = sizeof(cbpf_ancillary) / sizeof(cbpf_ancillary[0]);

	if (k >= (uint32_t)SKF_AD_OFF && off < nnames && cbpf_ancillary[off] != NULL)
		snprintf(buf, size, "[%s]", cbpf_ancillary[off]);
	else
		snprintf(buf, size, "[%lld]", cbpf_signed(k));
}

/* The operand text of `insn` at index `pc`, written the way its kind says. */
static void
cbpf_operand(char *buf, size_t size, enum cbpf_operand kind, const struct bpfc_insn *insn,
	     size_t pc)
{
	long long sk = cbpf_signed(insn->k);

	buf[0] = '\0';
	switch (kind) {
	case CBPF_OPND_NONE:
	case CBPF_OPND_RETA:
		break;
	case CBPF_OPND_ABS:
		cbpf_abs_operand(buf, size, insn->k);
		break;
	case CBPF_OPND_IND:
		snprintf(buf, size, "[x + %lld]", sk);
		break;
	case CBPF_OPND_LEN:
		snprintf(buf, size, "#pktlen");
		break;
	case CBPF_OPND_IMM:
	case CBPF_OPND_HEX:
	case CBPF_OPND_JK:
		snprintf(buf, size, "#0x%x", (unsigned)insn->k);
		break;
	case CBPF_OPND_MEM:
		snprintf(buf, size, "M[%lld]", sk);
		break;
	case CBPF_OPND_MSH:
		snprintf(buf, size, "4*([%lld]&0xf)", sk);
		break;
	case CBPF_OPND_JA:
		snprintf(buf, size, "%lld", cbpf_index(pc, insn->k));
		break;
	case CBPF_OPND_DEC:
	case CBPF_OPND_RETK:
		snprintf(buf, size, "#%lld", sk);
		break;
	case CBPF_OPND_JX:
	case CBPF_OPND_X:
		snprintf(buf, size, "x");
		break;
	case CBPF_OPND_CODE:
		snprintf(buf, size, "0x%x", (unsigned)insn->code);
		break;
	}
}

void
cbpf_image(struct strbuf *out, const struct bpfc_insn *insn, size_t pc)
{
	/* A code outside the table prints the way libpcap prints one it
	 * does not know. */
	static const struct cbpf_opinfo unimp = {0, "unimp", CBPF_OPND_CODE, 0};
	enum cbpf_op op = cbpf_decode(insn->code);
	const struct cbpf_opinfo *info = op == CBPF_OP_INVALID ? &unimp : &cbpf_opinfo[op];

	/* libpcap 1.10's bpf_image has no text for `ldx #pktlen`, a valid
	 * opcode, and prints it as unknown; tcpdump -d output is matched
	 * byte for byte, so that gap is copied here and nowhere else. */
	if (op == CBPF_OP_LDX_W_LEN)
		info = &unimp;
	char operand[64];

	cbpf_operand(operand, sizeof(operand), info->operand, insn, pc);
	/* libpcap decides by the code's bits, not by validity: an unknown
	 * jump-class code still gets its jt/jf targets printed. */
	int cond = CBPF_CLASS(insn->code) == CBPF_JMP && (insn->code & 0xf0) != CBPF_JA;
	long long index = cbpf_signed((uint32_t)pc);
	if (cond)
		strbuf_printf(out, "(%03lld) %-8s %-16s jt %lld\tjf %lld", index,
			      info->mnemonic, operand, cbpf_index(pc, insn->jt), cbpf_index(pc, insn->jf));
	else
		strbuf_printf(out, "(%03lld) %-8s %s", index, info->mnemonic, operand);
}

void
cbpf_listing(struct strbuf *out, const struct bpfc_insn *p, size_t n, enum bpfc_listing style)
{
	size_t i;

	switch (style) {
	case BPFC_LISTING_D:
		for (i = 0; i < n; i++) {
			cbpf_image(out, &p[i], i);
			strbuf_append(out, "\n", 1);
		}
		break;
	case BPFC_LISTING_DD:
		for (i = 0; i < n; i++)
			strbuf_printf(out, "{ 0x%x, %u, %u, 0x%08x },\n", (unsigned)p[i].code,
				      (unsigned)p[i].jt, (unsigned)p[i].jf, (unsigned)p[i].k);
		break;
	case BPFC_LISTING_DDD:
		strbuf_printf(out, "%lld\n", cbpf_signed((uint32_t)n));
		for (i = 0; i < n; i++)
			strbuf_printf(out, "%u %u %u %u\n", (unsigned)p[i].code,
				      (unsigned)p[i].jt, (unsigned)p[i].jf, (unsigned)p[i].k);
		break;
	}
}
