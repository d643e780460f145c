/*
 * jit.c: the JIT's driver: registers, frame, layout, executable memory.
 *
 * Takes: a run-target eBPF program.  Gives: a struct jit_code whose entry
 * is a System V x86-64 function uint32_t f(pkt, wirelen, caplen).
 *
 * Steps: check (check.c, never skipped); map registers; emit every
 * instruction's fixed bytes (emit.c) into a scratch buffer; size the
 * branches; write the code into a read-write mapping; mprotect it
 * read-execute.
 *
 * Registers.  The context exists only as the arguments: pkt stays in rdi,
 * wirelen in esi (zero-extended once: the ABI leaves the upper half of a
 * 32-bit argument undefined), and data_end = pkt + caplen is computed into
 * rdx at entry when the program loads it.  An eBPF register written only
 * by loads of one context field is that argument register itself (the
 * translator's r9 = data and r8 = data_end cost nothing); one that only
 * ever holds the context needs no register at all.  r0 is rax.  The rest
 * take caller-saved registers first (rcx, r8, r9, r10, then rsi and rdx
 * when free), callee-saved ones (pushed at entry) only beyond that; r11 is
 * the code's own scratch.  No code is called, so nothing else is saved.
 *
 * Frame.  r10 is rsp plus a bias.  A program whose stack (plus two spill
 * slots when it divides) fits 128 bytes uses the red zone below rsp, which
 * the ABI keeps for a leaf function: no frame at all.  Larger ones
 * subtract their frame from rsp.
 *
 * Layout.  Each instruction is its fixed bytes plus at most one branch to
 * a later instruction, rel8 (2 bytes) when the distance fits, else rel32
 * (6 for jcc, 5 for jmp); a jmp to the very next byte takes none.  Every
 * jump goes forward, so a branch's distance depends only on the sizes of
 * the instructions after it: sized from the last instruction back, each
 * branch gets its final (smallest) encoding at once; this is the least
 * fixed point of "start short, grow what does not fit", reached in one
 * sweep, and linear.  A forward pass then proves it a fixed point (every
 * branch's recomputed encoding equals the chosen one), and the pass that
 * writes the code checks that every instruction starts where the layout
 * put it and that the code ends exactly at the computed length; any
 * difference is BPFC_EINTERNAL, never wrong code.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <sys/mman.h>
#include <unistd.h>
#define JIT_X86_64 1
#else
#define JIT_X86_64 0
#endif

#include "base/diag.h"
#include "jit/jit.h"
#include "jit/jit_int.h"

struct jit_code {
	uint8_t *mem;   /* the mapping, read-execute */
	size_t maplen;
	size_t len;     /* bytes of code */
};

/* Everything one compilation owns. */
struct jx {
	const struct ebpf_prog *p;
	struct jit_facts f;
	struct jit_map m;
	struct jit_buf pro;     /* the prologue */
	struct jit_buf body;    /* every instruction's fixed bytes */
	size_t *at;             /* [n + 1] offset of instruction i's bytes in body */
	struct jit_out *br;     /* [n] its branch */
	uint8_t *bsz;           /* [n] the branch's encoded size */
	size_t *end;            /* [n + 1] bytes from instruction i to the end */
	struct bpfc_error *err;
};

int
jit_available(void)
{
	return JIT_X86_64;
}

/* 1 when CPUID says MOVBE is there (leaf 1, ecx bit 22). */
static int
jx_has_movbe(void)
{
#if JIT_X86_64
	unsigned a, b, c, d;
	if (__get_cpuid(1, &a, &b, &c, &d))
		return (c >> 22) & 1;
#endif
	return 0;
}

/* Registers (see the header). */
static void
jx_regs(struct jx *j, int *uses_len, int *uses_end)
{
	static const int8_t order[] = {7, 2, 4, 5, 3, 1, 6, 8, 9};
	int8_t pool[16];
	size_t np = 0, next = 0;
	unsigned any = 0;

	for (int r = 0; r < EBPF_NREGS; r++)
		any |= j->f.writes[r];
	*uses_len = (any & JW_LEN) != 0;
	*uses_end = (any & JW_END) != 0;
	static const int8_t base[] = {X_RCX, X_R8, X_R9, X_R10};
	memcpy(pool, base, sizeof(base));
	np = sizeof(base);
	if (!*uses_len)
		pool[np++] = X_RSI;
	if (!*uses_end && !j->f.has_div)
		pool[np++] = X_RDX;
	static const int8_t saved[] = {X_RBX, X_RBP, X_R12, X_R13, X_R14, X_R15};
	size_t first_saved = np;
	memcpy(pool + np, saved, sizeof(saved));
	np += sizeof(saved);

	for (int r = 0; r < EBPF_NREGS; r++)
		j->m.reg[r] = -1;
	j->m.reg[0] = X_RAX; /* the return value; unused when never written */
	for (size_t k = 0; k < sizeof(order); k++) {
		int r = order[k];
		unsigned w = j->f.writes[r], fld = w & (JW_DATA | JW_END | JW_LEN);
		if (!(w & JW_OTHER) && fld == JW_DATA)
			j->m.reg[r] = X_RDI;
		else if (!(w & JW_OTHER) && fld == JW_END)
			j->m.reg[r] = X_RDX;
		else if (!(w & JW_OTHER) && fld == JW_LEN)
			j->m.reg[r] = X_RSI;
		else if (w & ~(unsigned)JW_CTX) {
			if (next >= first_saved)
				j->m.saved[j->m.nsaved++] = (uint8_t)pool[next];
			j->m.reg[r] = pool[next++];
		}
	}
}

/* Frame and spill slots (see the header). */
static void
jx_frame(struct jx *j)
{
	int32_t need = (-j->f.stack_lo + 7) & ~7;
	int32_t total = need + (j->f.has_div ? 16 : 0);

	if (total <= 128) {
		j->m.frame = 0;
		j->m.fpbias = 0;
		j->m.spill = -need - 16;
	} else {
		j->m.frame = (total + 15) & ~15;
		j->m.fpbias = j->m.frame;
		j->m.spill = j->m.frame - need - 16;
	}
}

static void
jx_prologue(struct jx *j, int uses_len, int uses_end)
{
	struct jit_buf *b = &j->pro;

	for (int k = 0; k < j->m.nsaved; k++)
		x_push(b, j->m.saved[k]);
	if (j->m.frame > 0)
		x_alu_imm(b, 1, 5, X_RSP, j->m.frame); /* sub rsp, frame */
	if (uses_len)
		x_mov(b, 0, X_RSI, X_RSI); /* mov esi, esi */
	if (uses_end) {
		x_mov(b, 0, X_RDX, X_RDX);       /* mov edx, edx */
		x_rr(b, 1, 0x01, X_RDI, X_RDX);  /* add rdx, rdi: data_end */
	}
}

static int
jx_internal(struct jx *j, const char *what)
{
	return diag_plain(j->err, BPFC_EINTERNAL, "JIT: %s", what);
}

/* Fixed bytes of every instruction. */
static int
jx_body(struct jx *j)
{
	size_t n = j->p->n;

	for (size_t i = 0; i < n; i++) {
		j->at[i] = j->body.len;
		if (jit_emit_insn(&j->body, &j->m, j->p, &j->f, i, &j->br[i]) != 0)
			return diag_insn(j->err, BPFC_EINTERNAL, i,
					 "JIT: the generator cannot compile what the checker admitted");
		for (int k = 0; k < j->br[i].consumed && i + 1 < n; k++) {
			i++;
			j->at[i] = j->body.len;
			j->br[i] = (struct jit_out){JB_NONE, 0, 0, 0};
		}
	}
	j->at[n] = j->body.len;
	if (j->body.failed || j->pro.failed)
		return diag_plain(j->err, BPFC_ENOMEM, "out of memory compiling to x86");
	return 0;
}

/* The encoded size of branch `o` over `disp` bytes. */
static uint8_t
jx_bsize(const struct jit_out *o, size_t disp)
{
	if (o->branch == JB_NONE || (o->branch == JB_JMP && disp == 0))
		return 0;
	if (disp <= 127)
		return 2;
	return o->branch == JB_JCC ? 6 : 5;
}

/* Size every branch from the last instruction back; then prove the
 * result a fixed point. */
static int
jx_layout(struct jx *j)
{
	size_t n = j->p->n;

	j->end[n] = 0;
	for (size_t i = n; i-- > 0;) {
		size_t disp = 0;
		if (j->br[i].branch != JB_NONE)
			disp = j->end[i + 1] - j->end[j->br[i].to]; /* to > i: sized */
		j->bsz[i] = jx_bsize(&j->br[i], disp);
		j->end[i] = j->end[i + 1] + (j->at[i + 1] - j->at[i]) + j->bsz[i];
		if (j->end[i] > INT32_MAX)
			return diag_plain(j->err, BPFC_EUNSUPPORTED, "the JIT's code would exceed 2 GiB");
	}
	for (size_t i = 0; i < n; i++)
		if (j->br[i].branch != JB_NONE &&
		    jx_bsize(&j->br[i], j->end[i + 1] - j->end[j->br[i].to]) != j->bsz[i])
			return jx_internal(j, "the branch layout is not a fixed point");
	return 0;
}

/* Write the code at `out` (room for exactly pro + end[0] bytes). */
static int
jx_write(struct jx *j, uint8_t *out)
{
	size_t n = j->p->n, pos = j->pro.len, total = j->pro.len + j->end[0];

	if (j->pro.len > 0)
		memcpy(out, j->pro.p, j->pro.len);
	for (size_t i = 0; i < n; i++) {
		if (pos != total - j->end[i])
			return jx_internal(j, "an instruction is not where the layout put it");
		size_t fl = j->at[i + 1] - j->at[i];
		if (fl > 0)
			memcpy(out + pos, j->body.p + j->at[i], fl);
		pos += fl;
		const struct jit_out *o = &j->br[i];
		size_t disp = o->branch == JB_NONE ? 0 : (total - j->end[o->to]) - (pos + j->bsz[i]);
		switch (j->bsz[i]) {
		case 0:
			break;
		case 2:
			out[pos] = o->branch == JB_JCC ? (uint8_t)(0x70 | o->cc) : 0xeb; /* jcc/jmp rel8 */
			out[pos + 1] = (uint8_t)disp;
			break;
		case 5: /* jmp rel32 */
		case 6: /* jcc rel32 */
			if (j->bsz[i] == 5) {
				out[pos] = 0xe9;
			} else {
				out[pos] = 0x0f;
				out[pos + 1] = (uint8_t)(0x80 | o->cc);
			}
			for (int k = 0; k < 4; k++)
				out[pos + j->bsz[i] - 4 + k] = (uint8_t)(disp >> (8 * k));
			break;
		default:
			return jx_internal(j, "a branch of no known size");
		}
		if (j->bsz[i] != 0 && disp > (j->bsz[i] == 2 ? 127u : (size_t)INT32_MAX))
			return jx_internal(j, "a branch does not reach its target");
		pos += j->bsz[i];
	}
	if (pos != total)
		return jx_internal(j, "the code's length differs from the layout's");
	return 0;
}

static struct jit_code *
jx_map(struct jx *j)
{
#if JIT_X86_64
	size_t len = j->pro.len + j->end[0];
	long pg = sysconf(_SC_PAGESIZE);
	size_t page = pg > 0 ? (size_t)pg : 4096;
	size_t maplen = (len + page - 1) / page * page;
	struct jit_code *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		diag_plain(j->err, BPFC_ENOMEM, "out of memory compiling to x86");
		return NULL;
	}
	/* MAP_POPULATE: the one write fault per page otherwise taken costs
	 * more than the rest of the compilation on a virtual machine. */
	void *mem = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		diag_plain(j->err, BPFC_EIO, "JIT: mmap of %zu bytes refused: %s", maplen,
			   strerror(errno));
		free(c);
		return NULL;
	}
	c->mem = mem;
	c->maplen = maplen;
	c->len = len;
	if (jx_write(j, c->mem) != 0) {
		jit_free(c);
		return NULL;
	}
	if (mprotect(mem, maplen, PROT_READ | PROT_EXEC) != 0) {
		diag_plain(j->err, BPFC_EIO, "JIT: mprotect to read-execute refused: %s",
			   strerror(errno));
		jit_free(c);
		return NULL;
	}
	return c;
#else
	diag_plain(j->err, BPFC_EUNSUPPORTED, "the JIT is not available on this machine");
	return NULL;
#endif
}

static void
jx_release(struct jx *j)
{
	jit_facts_free(&j->f);
	free(j->pro.p);
	free(j->body.p);
	free(j->at);
	free(j->br);
	free(j->bsz);
	free(j->end);
}

struct jit_code *
jit_compile(const struct ebpf_prog *p, struct bpfc_error *err)
{
	struct jx j;
	struct jit_code *c = NULL;
	int uses_len, uses_end;

	if (!jit_available()) {
		diag_plain(err, BPFC_EUNSUPPORTED, "the JIT is not available on this machine");
		return NULL;
	}
	memset(&j, 0, sizeof(j));
	j.p = p;
	j.err = err;
	if (jit_check(p, &j.f, err) != 0)
		return NULL;
	j.at = malloc((p->n + 1) * sizeof(*j.at));
	j.br = malloc(p->n * sizeof(*j.br));
	j.bsz = malloc(p->n);
	j.end = malloc((p->n + 1) * sizeof(*j.end));
	if (j.at == NULL || j.br == NULL || j.bsz == NULL || j.end == NULL) {
		diag_plain(err, BPFC_ENOMEM, "out of memory compiling to x86");
		goto out;
	}
	jx_regs(&j, &uses_len, &uses_end);
	jx_frame(&j);
	j.m.movbe = jx_has_movbe();
	jx_prologue(&j, uses_len, uses_end);
	if (jx_body(&j) == 0 && jx_layout(&j) == 0)
		c = jx_map(&j);
out:
	jx_release(&j);
	return c;
}

jit_fn
jit_entry(const struct jit_code *c)
{
	jit_fn fn;
	void *mem = c->mem;

	/* An object pointer to a function pointer: POSIX (dlsym) guarantees
	 * the representation; memcpy keeps ISO C quiet. */
	memcpy(&fn, &mem, sizeof(fn));
	return fn;
}

size_t
jit_bytes(const struct jit_code *c, const uint8_t **code)
{
	*code = c->mem;
	return c->len;
}

void
jit_free(struct jit_code *c)
{
	if (c == NULL)
		return;
#if JIT_X86_64
	if (c->mem != NULL)
		munmap(c->mem, c->maplen);
#endif
	free(c);
}

void
jit_hexdump(struct strbuf *out, const struct jit_code *c)
{
	for (size_t i = 0; i < c->len; i += 16) {
		strbuf_printf(out, "%08zx:", i);
		for (size_t k = i; k < i + 16 && k < c->len; k++)
			strbuf_printf(out, " %02x", c->mem[k]);
		strbuf_puts(out, "\n");
	}
}
