/*
 * check_asm.c: the assembler reads every listing back, and says where the
 * text is wrong when it cannot.
 *
 * Oracles: the listings assembled are the ones the installed libpcap's
 * bpf_dump() prints (tcpdump -d/-dd/-ddd), for programs libpcap's
 * pcap_compile() makes and for random programs; the program read back
 * must be the one libpcap printed, and bpfc's listing of it must be
 * libpcap's text again, byte for byte.  Hand-written variants are checked
 * against instructions built with libpcap's own BPF_STMT/BPF_JUMP macros.
 *
 *   compiled      ~50 filter expressions, optimized and not, in the three
 *                 styles, plus the same -d text hand-edited (no "(NNN)",
 *                 comments, blank lines, CRLF, tabs) and read through the
 *                 public bpfc_assemble() (which also validates)
 *   random_valid  programs from tests/gen/randprog (valid by construction)
 *   random_wild   any code, edge k (sign bit, Linux ancillary offsets),
 *                 any jt/jf: -dd/-ddd exactly, -d up to the fields libpcap
 *                 does not print (found by asking bpf_image whether a
 *                 change of the field changes the text)
 *   every_op      each opcode in the table with edge k values
 *   variants      hand-written spellings: decimal for hex, spacing, case
 *   errors        bad texts: the message and the exact byte range of the
 *                 offending token (found with strstr in the input)
 *   mutated       damaged listings: an error with a range inside the text,
 *                 or a program whose -dd listing reads back to itself
 *
 * Environment: BPFC_SEED, BPFC_TEST_SCALE (float multiplier of the random
 * counts).  Counts shrink under sanitizers.
 */
#include <config.h>

#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "tests/gen/randprog.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"

#define AT_RANDOM_VALID 2000.0
#define AT_RANDOM_WILD 2000.0
#define AT_MAXPROG 300

static const char *const at_exprs[] = {
	"tcp port 80",
	"host 10.0.0.1 and not port 22",
	"ip6 and icmp6",
	"vlan 10 and tcp",
	"udp[8:2] = 53",
	"ether[0] & 1 != 0",
	"portrange 1000-2000",
	"len > 100",
	"len <= 64",
	"ip",
	"arp or rarp",
	"icmp[icmptype] == icmp-echo",
	"tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"src host 192.168.1.1 and dst net 10.0.0.0/8",
	"net 172.16.0.0 mask 255.240.0.0",
	"ether host 00:11:22:33:44:55",
	"ether broadcast or ether multicast",
	"ip multicast or ip6 multicast",
	"ip proto 47",
	"ip6 proto 17",
	"ip6 host ::1",
	"ip6 net fe80::/10",
	"dst portrange 6000-6010 and tcp",
	"not tcp and not udp",
	"(tcp port 80 or tcp port 443) and host 10.0.0.1",
	"vlan and vlan 20",
	"mpls 100 and ip",
	"pppoes 0x27 and ip",
	"ether proto 0x88cc",
	"greater 200",
	"less 60",
	"sctp or igmp",
	"ip and ip[6:2] & 0x1fff = 0",
	"tcp dst port 22 and tcp[tcpflags] & tcp-rst != 0",
	"icmp6 and ip6[40] == 128",
	"decnet host 1.2",
	"stp or llc",
	"tcp[20:4] = 0x47455420",
	"ip[12:4] - ip[16:4] != 0",
	"ip[2:2] * 2 > 1000",
	"(ip[0] & 0xf) << 2 = 20",
	"udp[8] ^ 0xff = 0",
	"ip[2:2] % 7 = 3",
	"ip[2:2] / 4 = 10",
	"len - 14 > 1000",
	"tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)",
	"ip[0:4] + 2147483648 > 5",
	"ip[0:4] & 0x80000000 != 0",
	"ip[4:2] >> 3 = 1",
	"ip6[ip6[6]:1] = 0",
	"tcp[tcp[12] >> 4] = 1",
	"host 10.0.0.1 or host 10.0.0.2 or host 10.0.0.3",
};
#define AT_NEXPRS (sizeof(at_exprs) / sizeof(at_exprs[0]))

/* ---- helpers -------------------------------------------------------------- */

static uint64_t
at_seed(void)
{
	return testenv_seed("BPFC_SEED", 0x61736d626c72ull);
}

static size_t
at_count(double base)
{
	double n = base * testenv_scale() / (TESTENV_SANITIZED ? 8 : 1);
	return n < 1 ? 1 : (size_t)n;
}

/* What libpcap's bpf_dump(prog, style) prints, as a malloc'd string. */
static char *
at_pcap_dump(const struct bpfc_insn *p, size_t n, int style)
{
	char *text = testenv_pcap_dump(p, n, style);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* libpcap's bpf_image of one instruction (its static buffer). */
static const char *
at_pcap_image(const struct bpfc_insn *in, int pc)
{
	struct bpf_insn pi = {in->code, in->jt, in->jf, in->k};
	return bpf_image(&pi, pc);
}

/* The instruction as -d can carry it: each field whose change does not
 * change libpcap's text for it is set to 0 (what the assembler gives). */
static struct bpfc_insn
at_visible(const struct bpfc_insn *in, int pc)
{
	struct bpfc_insn out = *in, alt;
	char text[256];

	snprintf(text, sizeof(text), "%s", at_pcap_image(in, pc));
	alt = *in;
	alt.k ^= 0x5a5a5a5au;
	if (strcmp(text, at_pcap_image(&alt, pc)) == 0)
		out.k = 0;
	alt = *in;
	alt.jt ^= 0x5a;
	if (strcmp(text, at_pcap_image(&alt, pc)) == 0)
		out.jt = 0;
	alt = *in;
	alt.jf ^= 0x5a;
	if (strcmp(text, at_pcap_image(&alt, pc)) == 0)
		out.jf = 0;
	return out;
}

static void
at_assert_same(const struct bpfc_insn *got, size_t ngot, const struct bpfc_insn *want,
	       size_t nwant, const char *what)
{
	ck_assert_msg(ngot == nwant, "%s: read %zu instructions, want %zu", what, ngot, nwant);
	for (size_t i = 0; i < nwant; i++)
		ck_assert_msg(got[i].code == want[i].code && got[i].jt == want[i].jt &&
				      got[i].jf == want[i].jf && got[i].k == want[i].k,
			      "%s: insn %zu read as {0x%x, %u, %u, 0x%x}, want {0x%x, %u, %u, 0x%x}",
			      what, i, got[i].code, got[i].jt, got[i].jf, (unsigned)got[i].k,
			      want[i].code, want[i].jt, want[i].jf, (unsigned)want[i].k);
}

/*
 * libpcap's listing of `p` in `style` reads back to `p` (to its visible
 * fields for -d), and bpfc's listing of what was read is libpcap's text.
 */
static void
at_roundtrip(const struct bpfc_insn *p, size_t n, int style, const char *what)
{
	char *text = at_pcap_dump(p, n, style);
	struct bpfc_insn *want = malloc((n + 1) * sizeof(*want)), *got;
	struct arena a;
	struct bpfc_error err;
	size_t ngot;

	ck_assert_ptr_nonnull(want);
	for (size_t i = 0; i < n; i++)
		want[i] = style == BPFC_LISTING_D ? at_visible(&p[i], (int)i) : p[i];
	arena_init(&a);
	diag_init(&err);
	if (cbpf_assemble(&a, text, strlen(text), &got, &ngot, &err) < 0)
		ck_abort_msg("%s, style %d: error '%s' at [%u,%u) in:\n%s", what, style, err.msg,
			     err.begin, err.end, text);
	char label[256];
	snprintf(label, sizeof(label), "%s, style %d", what, style);
	at_assert_same(got, ngot, want, n, label);

	char *again = bpfc_listing(got, ngot, (enum bpfc_listing)style);
	ck_assert_ptr_nonnull(again);
	ck_assert_msg(strcmp(again, text) == 0, "%s: listing of what was read differs:\n%s\nwant:\n%s",
		      label, again, text);
	free(again);
	arena_release(&a);
	free(want);
	free(text);
}

/* ---- programs libpcap compiles ---------------------------------------------- */

/* The -d text as a person might type it: no "(NNN)", tabs, comments,
 * blank lines, CRLF. */
static char *
at_handwritten(const char *text)
{
	size_t cap = strlen(text) * 2 + 4096, len = 0, line = 0;
	char *out = malloc(cap);
	ck_assert_ptr_nonnull(out);

	len += (size_t)snprintf(out, cap, "; written by hand\r\n\r\n");
	for (const char *p = text; *p != '\0'; line++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		const char *body = p;
		if (*body == '(' && memchr(body, ')', n) != NULL)
			body = (const char *)memchr(body, ')', n) + 1;
		ck_assert_uint_lt(len + 64 + n, cap);
		len += (size_t)snprintf(out + len, cap - len, "\t%.*s%s\r\n", (int)(n - (size_t)(body - p)),
					body, line % 2 ? "  ; a comment" : " // another");
		if (line % 3 == 0)
			len += (size_t)snprintf(out + len, cap - len, "\r\n   // a line of comment\r\n");
		p += n + (nl != NULL);
	}
	return out;
}

static void
at_compiled_one(pcap_t *pd, const char *expr, int optimize)
{
	struct bpf_program prog;
	char what[256];

	snprintf(what, sizeof(what), "'%s' (optimize %d)", expr, optimize);
	ck_assert_msg(pcap_compile(pd, &prog, expr, optimize, PCAP_NETMASK_UNKNOWN) == 0,
		      "libpcap refused %s: %s", what, pcap_geterr(pd));
	size_t n = prog.bf_len;
	struct bpfc_insn *p = calloc(n, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	testenv_insns_from_pcap(prog.bf_insns, n, p);
	for (int style = 1; style <= 3; style++)
		at_roundtrip(p, n, style, what);

	/* The hand-edited -d text, through the public call (validated).  It
	 * carries what -d shows: libpcap's optimizer leaves stray k values in
	 * `tax` that no listing prints. */
	char *text = at_pcap_dump(p, n, BPFC_LISTING_D);
	for (size_t i = 0; i < n; i++)
		p[i] = at_visible(&p[i], (int)i);
	char *hand = at_handwritten(text);
	struct bpfc_error err;
	struct bpfc_filter *f = bpfc_assemble(hand, strlen(hand), NULL, &err);
	ck_assert_msg(f != NULL, "%s hand-written: '%s' at [%u,%u) in:\n%s", what, err.msg,
		      err.begin, err.end, hand);
	const struct bpfc_insn *got;
	size_t ngot = bpfc_cbpf(f, &got);
	at_assert_same(got, ngot, p, n, what);
	bpfc_free(f);
	free(hand);
	free(text);
	free(p);
	pcap_freecode(&prog);
}

START_TEST(compiled)
{
	pcap_t *pd = pcap_open_dead(DLT_EN10MB, 262144);
	ck_assert_ptr_nonnull(pd);
	at_compiled_one(pd, at_exprs[_i], 0);
	at_compiled_one(pd, at_exprs[_i], 1);
	pcap_close(pd);
}
END_TEST

/* ---- random programs ------------------------------------------------------------ */

START_TEST(random_valid)
{
	static struct bpfc_insn p[AT_MAXPROG];
	uint64_t seed = at_seed();
	size_t count = at_count(AT_RANDOM_VALID);
	struct rng r;
	char what[128];

	rng_seed(&r, seed);
	for (size_t i = 0; i < count; i++) {
		size_t n = randprog_valid(&r, p, 2 + rng_below(&r, AT_MAXPROG - 2));
		snprintf(what, sizeof(what), "seed %llu (BPFC_SEED=%llu) valid program %zu",
			 (unsigned long long)seed, (unsigned long long)seed, i);
		for (int style = 1; style <= 3; style++)
			at_roundtrip(p, n, style, what);
	}
}
END_TEST

static const uint32_t at_edge_k[] = {
	0,          1,          4,          15,         16,         255,        0xffff,
	0x7fffffff, 0x80000000, 0x80000001, 0xfffff000, 0xfffff004, 0xfffff001, 0xfffff03c,
	0xfffff040, 0xfff00000, 0xffe00000, 0xfffffffe, 0xffffffff,
};
#define AT_NEDGE (sizeof(at_edge_k) / sizeof(at_edge_k[0]))

/* Any instruction at `pc` of an `n`-long program; a ja's target stays
 * within what libpcap's int arithmetic prints as a positive index. */
static void
at_wild_insn(struct rng *r, struct bpfc_insn *in, size_t pc, size_t n)
{
	if (rng_chance(r, 4, 5))
		in->code = cbpf_opinfo[1 + rng_below(r, CBPF_OP_COUNT - 1)].code;
	else
		in->code = (uint16_t)(rng_chance(r, 1, 2) ? rng_below(r, 256) : rng_next(r));
	in->jt = (uint8_t)rng_below(r, 256);
	in->jf = (uint8_t)rng_below(r, 256);
	in->k = rng_chance(r, 1, 2) ? at_edge_k[rng_below(r, AT_NEDGE)] : (uint32_t)rng_next(r);
	if (in->code == (CBPF_JMP | CBPF_JA))
		in->k = rng_chance(r, 1, 2) ? rng_below(r, (uint32_t)(n - pc))
					    : rng_below(r, 0x7fffff00u - (uint32_t)pc);
}

START_TEST(random_wild)
{
	static struct bpfc_insn p[AT_MAXPROG];
	uint64_t seed = at_seed();
	size_t count = at_count(AT_RANDOM_WILD);
	struct rng r;
	char what[128];

	rng_seed(&r, seed ^ 0x77696c64);
	for (size_t i = 0; i < count; i++) {
		size_t n = 1 + rng_below(&r, rng_chance(&r, 1, 50) ? AT_MAXPROG : 30);
		for (size_t j = 0; j < n; j++)
			at_wild_insn(&r, &p[j], j, n);
		snprintf(what, sizeof(what), "seed %llu (BPFC_SEED=%llu) wild program %zu",
			 (unsigned long long)seed, (unsigned long long)seed, i);
		for (int style = 1; style <= 3; style++)
			at_roundtrip(p, n, style, what);
	}
}
END_TEST

/* Every opcode with every edge k, between two other instructions so that
 * indices and targets are not all zero. */
START_TEST(every_op)
{
	struct bpfc_insn p[3];
	char what[128];

	for (int op = 1; op < CBPF_OP_COUNT; op++)
		for (size_t e = 0; e < AT_NEDGE; e++) {
			p[0] = (struct bpfc_insn){CBPF_LD | CBPF_IMM, 0, 0, 1};
			p[1] = (struct bpfc_insn){cbpf_opinfo[op].code, 0, 1, at_edge_k[e]};
			p[2] = (struct bpfc_insn){CBPF_RET | CBPF_A, 0, 0, 0};
			if (p[1].code == (CBPF_JMP | CBPF_JA))
				p[1].k = e % 2;
			snprintf(what, sizeof(what), "op 0x%x k 0x%x", p[1].code, (unsigned)p[1].k);
			for (int style = 1; style <= 3; style++)
				at_roundtrip(p, 3, style, what);
		}
}
END_TEST

/* ---- hand-written spellings ---------------------------------------------------- */

struct at_variant {
	const char *text;
	struct bpf_insn want[4];
	size_t n;
};

static const struct at_variant at_variants[] = {
	{"ld #12\nret a", {BPF_STMT(BPF_LD | BPF_IMM, 12), BPF_STMT(BPF_RET | BPF_A, 0)}, 2},
	{"LDH [12]\nRET #0x40000", {BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
				     BPF_STMT(BPF_RET | BPF_K, 262144)}, 2},
	{"ld [x+14]\nldb [x +-1]\nret #-1",
	 {BPF_STMT(BPF_LD | BPF_W | BPF_IND, 14), BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0xffffffff),
	  BPF_STMT(BPF_RET | BPF_K, 0xffffffff)}, 3},
	{"  ldxb   4 * ( [ 14 ] & 0xf )  \n\ttxa\nret",
	 {BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14), BPF_STMT(BPF_MISC | BPF_TXA, 0),
	  BPF_STMT(BPF_RET | BPF_A, 0)}, 3},
	{"jeq #2048 jt 1 jf 2\nret #1\nret #0",
	 {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x800, 0, 1), BPF_STMT(BPF_RET | BPF_K, 1),
	  BPF_STMT(BPF_RET | BPF_K, 0)}, 3},
	{"(000) ja 2 ; skip\n(001) ret #1\n(002) ret #0 // end",
	 {BPF_STMT(BPF_JMP | BPF_JA, 1), BPF_STMT(BPF_RET | BPF_K, 1),
	  BPF_STMT(BPF_RET | BPF_K, 0)}, 3},
	{"ld [proto]\nld [vlan_tpid]\nldh [-4095]\nret a",
	 {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0xfffff000), BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0xfffff03c),
	  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0xfffff001), BPF_STMT(BPF_RET | BPF_A, 0)}, 4},
	{"unimp 0x81\nunimp 0x55 jt 2 jf 3\nst M[15]\nret #0",
	 {BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), BPF_JUMP(0x55, 0, 0, 1),
	  BPF_STMT(BPF_ST, 15), BPF_STMT(BPF_RET | BPF_K, 0)}, 4},
	/* libpcap prints no name for 0x81, but the obvious one is read. */
	{"ldx #pktlen\nret #0", {BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_RET | BPF_K, 0)}, 2},
	{"{ 0x6, 0, 0, 12 }\n{0x16,0,0,0x0},", {BPF_STMT(BPF_RET | BPF_K, 12),
					       BPF_STMT(BPF_RET | BPF_A, 0)}, 2},
	{"; the count\r\n2\r\n\r\n6 0 0 0x10 ; hex is fine\r\n22 0 0 0\r\n",
	 {BPF_STMT(BPF_RET | BPF_K, 16), BPF_STMT(BPF_RET | BPF_A, 0)}, 2},
};

START_TEST(variants)
{
	const struct at_variant *v = &at_variants[_i];
	struct bpfc_insn want[4], *got;
	struct arena a;
	struct bpfc_error err;
	size_t n;

	for (size_t i = 0; i < v->n; i++)
		want[i] = (struct bpfc_insn){v->want[i].code, v->want[i].jt, v->want[i].jf,
					     v->want[i].k};
	arena_init(&a);
	diag_init(&err);
	ck_assert_msg(cbpf_assemble(&a, v->text, strlen(v->text), &got, &n, &err) == 0,
		      "'%s': error '%s' at [%u,%u)", v->text, err.msg, err.begin, err.end);
	at_assert_same(got, n, want, v->n, v->text);
	arena_release(&a);
}
END_TEST

/* ---- errors --------------------------------------------------------------------- */

/* A bad text; the offending token is the first `token` at or after the
 * first `anchor` (the start when NULL); no token: no byte range. */
struct at_error {
	const char *text;
	const char *msg;
	const char *anchor;
	const char *token;
};

static const struct at_error at_errors[] = {
	{"jeqq #1 jt 1 jf 2\n", "unknown mnemonic 'jeqq'", NULL, "jeqq"},
	{"ldh [12]\njeq #1 jt 3 jf 0\nret #0\n",
	 "jump target 0 is behind instruction 1 (jumps go forward only)", "jf", "0"},
	{"ret #0\nret #0\nja 1\n", "jump target 1 is behind instruction 2", "ja", "1"},
	{"ld #0\njeq #1 jt 1 jf 2\n", "jump target 1 is instruction 1 itself", "jt", "1"},
	{"ld #0\njeq #1 jt 300 jf 2\nret #0\n", "jump offset 298 does not fit in 8 bits (jt)",
	 NULL, "300"},
	{"jset #1 jt 1 jf 257\n", "jump offset 256 does not fit in 8 bits (jf)", NULL, "257"},
	{"ja 4294967297\n", "jump offset 4294967296 does not fit in 32 bits (ja)", NULL,
	 "4294967297"},
	{"ld [12\nret #0\n", "expected ']' after the offset", NULL, "[12"},
	{"ld [12 x]\nret #0\n", "expected ']' after the offset", NULL, "x"},
	{"ld #4294967296\n", "number 4294967296 out of range (0-4294967295)", NULL, "4294967296"},
	{"ret #123456789012345678901234567890\n", "out of range", NULL,
	 "123456789012345678901234567890"},
	{"and #-1\n", "number -1 out of range (0-4294967295)", NULL, "-1"},
	{"add #-2147483649\n", "number -2147483649 out of range (-2147483648 to 4294967295)",
	 NULL, "-2147483649"},
	{"4\n6 0 0 0\n6 0 0 0\n6 0 0 0\n", "the count line says 4 instructions but 3 follow",
	 NULL, "4"},
	{"1\n6 0 0 0\n6 0 0 1\n", "the count line says 1 instructions but 2 follow", NULL, "1"},
	{"(000) ld #1\n(001) ld #2\n(004) ret #0\n",
	 "instruction index (004) out of sequence, expected (002)", NULL, "(004)"},
	{"ret #0 junk\n", "unexpected 'junk' after the instruction", NULL, "junk"},
	{"{ 0x6, 0, 0, 0x00000000 }, junk\n", "unexpected 'junk' after the instruction", NULL,
	 "junk"},
	{"{ 0x15, 300, 0, 0x1 },\n", "jump offset 300 does not fit in 8 bits (jt)", NULL, "300"},
	{"{ 0x10000, 0, 0, 0 },\n", "number 0x10000 out of range (0-65535)", NULL, "0x10000"},
	{"{ 0x6, 0, 0, 0\n", "expected '}' after the k field", NULL, "{ 0x6, 0, 0, 0"},
	{"{ 0x6, 0, 0, 0 },\nret #0\n", "expected '{' to start an instruction", NULL, "ret"},
	{"2\n6 0 0 0\n6 0 0\n", "expected the k field", "0 0 0\n", "6 0 0"},
	{"1\n6 0 0 0 7\n", "unexpected '7' after the instruction", "0 0 0", "7"},
	{"", "empty program", NULL, NULL},
	{"; nothing\n// here\n\n  \r\n", "empty program", NULL, NULL},
	{"0\n", "empty program", NULL, NULL},
	{"ld [bogus]\n", "unknown packet offset name 'bogus'", NULL, "bogus"},
	{"ret x\n", "'ret' cannot take the operand 'x'", "ret", "x"},
	{"ld\n", "'ld' needs an operand", NULL, "ld"},
	{"jeq #1\nret #0\n", "expected 'jt' after the operand of a jump", NULL, "jeq #1"},
	{"ret #0 jt 1 jf 2\n", "unexpected 'jt' after the instruction", NULL, "jt"},
	{"ld #12abc\n", "bad number '12abc'", NULL, "12abc"},
	{"unimp 0x10000\n", "number 0x10000 out of range (0-65535)", NULL, "0x10000"},
	{"ldxb 4*([14]&0xe)\n", "the mask in 4*([k]&0xf) must be 0xf", NULL, "0xe"},
	{"ret #0\r\nfoo #1\r\n", "unknown mnemonic 'foo'", NULL, "foo"},
	{"ld M[\n", "expected a memory slot", NULL, "M["},
	{"ld @\n", "unexpected '@' where an operand belongs", NULL, "@"},
	/* Control bytes are named, not sent to the terminal. */
	{"ld \x1b[31m\n", "unexpected '\\x1b' where an operand belongs", NULL, "\x1b"},
	{"\x01\n", "expected a mnemonic, found '\\x01'", NULL, "\x01"},
};

START_TEST(errors)
{
	const struct at_error *c = &at_errors[_i];
	struct bpfc_insn *got = NULL;
	struct arena a;
	struct bpfc_error err;
	size_t n = 0;
	uint32_t begin = 0, end = 0;

	if (c->token != NULL) {
		const char *from = c->anchor != NULL ? strstr(c->text, c->anchor) : c->text;
		ck_assert_ptr_nonnull(from);
		const char *tok = strstr(from, c->token);
		ck_assert_ptr_nonnull(tok);
		begin = (uint32_t)(tok - c->text);
		end = begin + (uint32_t)strlen(c->token);
	}
	arena_init(&a);
	diag_init(&err);
	ck_assert_msg(cbpf_assemble(&a, c->text, strlen(c->text), &got, &n, &err) < 0,
		      "'%s' was accepted", c->text);
	ck_assert_int_ne(err.code, BPFC_OK);
	ck_assert_msg(strstr(err.msg, c->msg) != NULL, "'%s': message '%s', want '%s'", c->text,
		      err.msg, c->msg);
	ck_assert_msg(err.begin == begin && err.end == end,
		      "'%s': range [%u,%u), want [%u,%u) ('%s')", c->text, err.begin, err.end,
		      begin, end, c->token != NULL ? c->token : "");
	arena_release(&a);
}
END_TEST

/* Mutate `text` (length *len, room for `cap`): replace, insert or delete a
 * few bytes, drawn from the characters listings are made of. */
static void
at_mutate(struct rng *r, char *text, size_t *len, size_t cap)
{
	static const char alphabet[] = "0123456789abcfjtxM#[]()*&+-,;/{} \t\r\n\0";
	unsigned edits = 1 + rng_below(r, 4);

	for (unsigned e = 0; e < edits; e++) {
		size_t at = *len > 0 ? rng_below(r, (uint32_t)*len) : 0;
		char c = alphabet[rng_below(r, sizeof(alphabet) - 1)];
		switch (rng_below(r, 4)) {
		case 0:
			if (*len > 0)
				text[at] = c;
			break;
		case 1:
			if (*len + 1 < cap) {
				memmove(text + at + 1, text + at, *len - at);
				text[at] = c;
				(*len)++;
			}
			break;
		case 2:
			if (*len > 0) {
				memmove(text + at, text + at + 1, *len - at - 1);
				(*len)--;
			}
			break;
		default:
			*len = at; /* truncated */
			break;
		}
	}
}

/*
 * Damaged listings: never a crash (run this under ASan), and either a
 * program whose -dd listing reads back to itself, or an error with a
 * message and a byte range inside the text.
 */
START_TEST(mutated)
{
	static struct bpfc_insn p[64];
	uint64_t seed = at_seed();
	size_t count = at_count(20000), accepted = 0;
	struct rng r;

	rng_seed(&r, seed ^ 0x6d7574);
	for (size_t i = 0; i < count; i++) {
		size_t n = randprog_valid(&r, p, 2 + rng_below(&r, 62));
		char *orig = at_pcap_dump(p, n, 1 + (int)rng_below(&r, 3));
		size_t len = strlen(orig), cap = len + 16;
		char *text = malloc(cap);
		ck_assert_ptr_nonnull(text);
		memcpy(text, orig, len);
		at_mutate(&r, text, &len, cap);

		struct arena a;
		struct bpfc_error err;
		struct bpfc_insn *got = NULL;
		size_t ngot = 0;
		arena_init(&a);
		diag_init(&err);
		if (cbpf_assemble(&a, text, len, &got, &ngot, &err) == 0) {
			ck_assert_uint_gt(ngot, 0);
			ck_assert_int_eq(err.code, BPFC_OK);
			char *dd = bpfc_listing(got, ngot, BPFC_LISTING_DD);
			struct bpfc_insn *again;
			size_t nagain;
			ck_assert_ptr_nonnull(dd);
			ck_assert_int_eq(cbpf_assemble(&a, dd, strlen(dd), &again, &nagain, &err), 0);
			at_assert_same(again, nagain, got, ngot, "mutated, -dd of it");
			free(dd);
			accepted++;
		} else {
			ck_assert_msg(err.code != BPFC_OK && err.msg[0] != '\0' &&
					      err.begin <= err.end && err.end <= len,
				      "seed %llu case %zu: error '%s' [%u,%u) for %zu bytes",
				      (unsigned long long)seed, i, err.msg, err.begin, err.end, len);
		}
		arena_release(&a);
		free(text);
		free(orig);
	}
	/* Both outcomes happened: the damage is neither always fatal nor
	 * always ignored. */
	fprintf(stderr, "mutated: %zu of %zu damaged listings still read\n", accepted, count);
	ck_assert_uint_gt(accepted, 0);
	ck_assert_uint_lt(accepted, count);
}
END_TEST

/* A NULL text with length 0 is the empty program, not a crash. */
START_TEST(null_text)
{
	struct bpfc_insn *got;
	struct arena a;
	struct bpfc_error err;
	size_t n;

	arena_init(&a);
	diag_init(&err);
	ck_assert_int_lt(cbpf_assemble(&a, NULL, 0, &got, &n, &err), 0);
	ck_assert_str_eq(err.msg, "empty program");
	arena_release(&a);
}
END_TEST

static Suite *
asm_suite(void)
{
	Suite *s = suite_create("asm");
	TCase *tc = tcase_create("roundtrip");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, compiled, 0, (int)AT_NEXPRS);
	tcase_add_test(tc, random_valid);
	tcase_add_test(tc, random_wild);
	tcase_add_test(tc, every_op);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, variants, 0, (int)(sizeof(at_variants) / sizeof(at_variants[0])));
	tcase_add_loop_test(tc, errors, 0, (int)(sizeof(at_errors) / sizeof(at_errors[0])));
	tcase_add_test(tc, null_text);
	tcase_add_test(tc, mutated);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(asm_suite());
	printf("check_asm: seed %llu%s\n", (unsigned long long)at_seed(),
	       TESTENV_SANITIZED ? " (sanitizers: counts scaled down)" : "");
	fflush(stdout);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
