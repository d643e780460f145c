/*
 * emit.c: the translator's emitter and its final layout.
 *
 * Takes: instructions appended one at a time, jumps to labels (a cBPF
 * instruction's first eBPF instruction, or the shared "return 0" block),
 * and the label positions the driver recorded.  Gives: the program in the
 * caller's arena with every jump offset patched.
 *
 * Invariants: emitting after an error does nothing (sticky error; the
 * driver checks once); every jump is forward (cBPF jumps only forward, the
 * shared block comes last, the translator's own short jumps skip forward
 * inside one instruction's code); no offset is written that does not fit
 * 16 bits.
 *
 * Long jumps.  A conditional cBPF jump reaches at most 255 instructions, a
 * few thousand eBPF instructions at the translator's largest expansion, so
 * only `ja` to a far label and jumps to the shared block at the end can
 * exceed 32767.  They only can in a program longer than that, which 4096
 * cBPF instructions never make but a larger validator limit may.  Then the
 * layout inserts islands at cBPF instruction boundaries every XL_GAP
 * instructions: [a `ja` over the island when the code before it falls
 * through] [a copy of the "return 0" block, when a jump before the island
 * and after the previous one returns 0] [one `ja` slot per long jump that
 * crosses the island].  A jump to "return 0" goes to the nearest copy
 * after it; a long jump hops from slot to slot, island to island, and the
 * last hop reaches the label.  Islands sit only between instruction
 * sequences, so the translator's fixed short offsets inside a sequence
 * stay right.  Every offset is checked when it is written; one that still
 * does not fit is an error, never a wrong program.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "ebpf/translate_int.h"

#define XL_GAP 8192   /* instructions between islands */
#define XL_LONG 16384 /* a jump spanning more than this hops through islands */

int
xl_fail(struct xl *x, enum bpfc_status code, size_t insn, const char *fmt, ...)
{
	char msg[BPFC_ERRBUF_SIZE];
	va_list ap;

	if (x->failed)
		return -1;
	x->failed = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (insn == XL_NONE)
		return diag_plain(x->err, code, "%s", msg);
	return diag_insn(x->err, code, insn, "%s", msg);
}

/* Make room for one more element of `size` bytes in *v (count n, capacity
 * *cap); 0, or -1 when out of memory. */
static int
xl_grow(void **v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? 2 * *cap : 256;
	void *nv = realloc(*v, ncap * size);
	if (nv == NULL)
		return -1;
	*v = nv;
	*cap = ncap;
	return 0;
}

void
xl_emit(struct xl *x, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	if (x->failed)
		return;
	if (xl_grow((void **)&x->code, x->len, &x->cap, sizeof(*x->code)) != 0) {
		xl_fail(x, BPFC_ENOMEM, XL_NONE, "out of memory translating to eBPF");
		return;
	}
	struct bpfc_ebpf_insn *in = &x->code[x->len++];
	memset(in, 0, sizeof(*in));
	in->code = code;
	in->dst_reg = (uint8_t)dst & 0xf;
	in->src_reg = (uint8_t)src & 0xf;
	in->off = off;
	in->imm = imm;
}

void
xl_jump(struct xl *x, uint8_t code, int dst, int src, int32_t imm, size_t label)
{
	if (x->failed)
		return;
	if (xl_grow((void **)&x->fix, x->nfix, &x->capfix, sizeof(*x->fix)) != 0) {
		xl_fail(x, BPFC_ENOMEM, XL_NONE, "out of memory translating to eBPF");
		return;
	}
	x->fix[x->nfix].at = x->len;
	x->fix[x->nfix].label = label;
	x->nfix++;
	xl_emit(x, code, dst, src, 0, imm);
}

/* Write the offset of the jump at `at` to `target` (new positions). */
static int
xl_patch(struct xl *x, struct bpfc_ebpf_insn *code, size_t at, size_t target)
{
	if (target <= at || target - at - 1 > INT16_MAX)
		return xl_fail(x, BPFC_EUNSUPPORTED, XL_NONE,
			       "a jump from eBPF instruction %zu to %zu does not fit 16 bits even "
			       "with islands", at, target);
	code[at].off = (int16_t)(target - at - 1);
	return 0;
}

/* Where the jump `fx` lands without islands. */
static size_t
xl_target(const struct xl *x, const struct xl_fix *fx)
{
	return x->start[fx->label];
}

static int
xl_fits(const struct xl *x)
{
	for (size_t j = 0; j < x->nfix; j++)
		if (xl_target(x, &x->fix[j]) - x->fix[j].at - 1 > INT16_MAX)
			return 0;
	return 1;
}

/* ---- islands ---- */

struct xl_island {
	size_t pos;      /* old position it is inserted before */
	int skip;        /* starts with a `ja` over itself */
	int ret0;        /* holds a copy of the "return 0" block */
	size_t nhops;    /* long jumps crossing it */
	size_t newpos;   /* where it starts in the new code */
	size_t size;
};

struct xl_layout {
	struct xl_island *is;
	size_t nis, capis;
	size_t *first;   /* [nfix]: first island a long jump crosses, or XL_NONE */
	size_t *hopbase; /* [nfix]: index of its first slot in hoppos */
	size_t *hoppos;  /* new position of every slot */
	size_t nret0;    /* length of the "return 0" block */
};

static int
xl_is_long(const struct xl *x, const struct xl_fix *fx)
{
	return fx->label != xl_ret0_label(x) && xl_target(x, fx) - fx->at > XL_LONG;
}

/* Island positions: a cBPF instruction boundary at least XL_GAP past the
 * previous island (or the start). */
static int
xl_place_islands(struct xl *x, struct xl_layout *L)
{
	size_t last = 0;

	for (size_t i = 0; i < x->n; i++) {
		size_t s = x->start[i];
		if (s == XL_NONE || s == 0 || s - last < XL_GAP)
			continue;
		if (xl_grow((void **)&L->is, L->nis, &L->capis, sizeof(*L->is)) != 0)
			return -1;
		struct xl_island *is = &L->is[L->nis++];
		memset(is, 0, sizeof(*is));
		is->pos = s;
		uint8_t prev = x->code[s - 1].code;
		is->skip = prev != (EBPF_JMP | EBPF_EXIT) && prev != (EBPF_JMP | EBPF_JA);
		last = s;
	}
	return 0;
}

/* The first island inserted after old position `at` (XL_NONE: none). */
static size_t
xl_island_after(const struct xl_layout *L, size_t at)
{
	size_t lo = 0, hi = L->nis;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (L->is[mid].pos <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < L->nis ? lo : XL_NONE;
}

/* Decide each island's contents and every new position. */
static int
xl_size_islands(struct xl *x, struct xl_layout *L)
{
	size_t total = 0, ret0_final = 0;

	L->first = calloc(x->nfix ? x->nfix : 1, sizeof(size_t));
	L->hopbase = calloc(x->nfix ? x->nfix : 1, sizeof(size_t));
	if (L->first == NULL || L->hopbase == NULL)
		return -1;
	for (size_t j = 0; j < x->nfix; j++) {
		const struct xl_fix *fx = &x->fix[j];
		size_t k = xl_island_after(L, fx->at);
		L->first[j] = XL_NONE;
		if (fx->label == xl_ret0_label(x)) {
			if (k == XL_NONE)
				ret0_final = 1;
			else
				L->is[k].ret0 = 1;
		} else if (xl_is_long(x, fx) && k != XL_NONE && L->is[k].pos < xl_target(x, fx)) {
			L->first[j] = k;
			L->hopbase[j] = total;
			for (; k < L->nis && L->is[k].pos < xl_target(x, fx); k++, total++)
				L->is[k].nhops++;
		}
	}
	L->hoppos = calloc(total ? total : 1, sizeof(size_t));
	if (L->hoppos == NULL)
		return -1;
	size_t shift = 0;
	for (size_t k = 0; k < L->nis; k++) {
		struct xl_island *is = &L->is[k];
		is->size = (size_t)is->skip + (is->ret0 ? L->nret0 : 0) + is->nhops;
		is->newpos = is->pos + shift;
		shift += is->size;
	}
	return ret0_final ? 1 : 0;
}

/* New position of old position `old` (code at an island's position moves
 * past the island). */
static size_t
xl_newpos(const struct xl_layout *L, size_t old)
{
	size_t k = xl_island_after(L, old);
	size_t before = k == XL_NONE ? L->nis : k; /* islands at positions <= old */
	if (before == 0)
		return old;
	const struct xl_island *is = &L->is[before - 1];
	return old + (is->newpos - is->pos) + is->size;
}

/* Copy the code with the islands in, then patch every jump. */
static int
xl_build(struct xl *x, struct xl_layout *L, struct bpfc_ebpf_insn *out, size_t oldlen)
{
	size_t o = 0, from = 0, ret0_at = x->start[xl_ret0_label(x)];
	size_t *slot = calloc(L->nis ? L->nis : 1, sizeof(size_t));

	if (slot == NULL)
		return -1;
	for (size_t k = 0; k < L->nis; k++) {
		struct xl_island *is = &L->is[k];
		memcpy(out + o, x->code + from, (is->pos - from) * sizeof(*out));
		o += is->pos - from;
		from = is->pos;
		if (is->skip) { /* goto past the island */
			memset(&out[o], 0, sizeof(out[o]));
			out[o].code = EBPF_JMP | EBPF_JA;
			out[o].off = (int16_t)(is->size - 1);
			o++;
		}
		if (is->ret0) {
			memcpy(out + o, x->code + ret0_at, L->nret0 * sizeof(*out));
			o += L->nret0;
		}
		slot[k] = o;
		o += is->nhops;
	}
	memcpy(out + o, x->code + from, (oldlen - from) * sizeof(*out));
	/* Slots: each long jump's k-th crossing, in fix order per island. */
	size_t *used = calloc(L->nis ? L->nis : 1, sizeof(size_t));
	if (used == NULL) {
		free(slot);
		return -1;
	}
	for (size_t j = 0; j < x->nfix; j++) {
		if (L->first[j] == XL_NONE)
			continue;
		size_t h = L->hopbase[j];
		for (size_t k = L->first[j]; k < L->nis && L->is[k].pos < xl_target(x, &x->fix[j]);
		     k++, h++)
			L->hoppos[h] = slot[k] + used[k]++;
	}
	free(used);
	free(slot);
	return 0;
}

/* Patch every jump of the island layout; 0 or -1. */
static int
xl_patch_all(struct xl *x, struct xl_layout *L, struct bpfc_ebpf_insn *out)
{
	for (size_t j = 0; j < x->nfix && !x->failed; j++) {
		const struct xl_fix *fx = &x->fix[j];
		size_t at = xl_newpos(L, fx->at), dest = xl_newpos(L, xl_target(x, fx));
		if (fx->label == xl_ret0_label(x)) {
			size_t k = xl_island_after(L, fx->at);
			if (k != XL_NONE)
				dest = L->is[k].newpos + (size_t)L->is[k].skip;
		} else if (L->first[j] != XL_NONE) {
			size_t h = L->hopbase[j];
			xl_patch(x, out, at, L->hoppos[h]);
			for (size_t k = L->first[j] + 1;
			     k < L->nis && L->is[k].pos < xl_target(x, fx); k++, h++) {
				memset(&out[L->hoppos[h]], 0, sizeof(*out));
				out[L->hoppos[h]].code = EBPF_JMP | EBPF_JA;
				xl_patch(x, out, L->hoppos[h], L->hoppos[h + 1]);
			}
			memset(&out[L->hoppos[h]], 0, sizeof(*out));
			out[L->hoppos[h]].code = EBPF_JMP | EBPF_JA;
			at = L->hoppos[h];
		}
		xl_patch(x, out, at, dest);
	}
	return x->failed ? -1 : 0;
}

static void
xl_layout_free(struct xl_layout *L)
{
	free(L->is);
	free(L->first);
	free(L->hopbase);
	free(L->hoppos);
}

/* The island layout into `a`; 0 or -1. */
static int
xl_finish_islands(struct xl *x, struct arena *a, struct ebpf_prog *out)
{
	struct xl_layout L;
	size_t oldlen = x->len, ret0_at = x->start[xl_ret0_label(x)];
	int rc = -1, final;

	memset(&L, 0, sizeof(L));
	/* The "return 0" block is the program's tail (emitted last). */
	L.nret0 = ret0_at == XL_NONE ? 0 : x->len - ret0_at;
	if (xl_place_islands(x, &L) != 0 || (final = xl_size_islands(x, &L)) < 0)
		goto oom;
	/* Every jump to a separate block found a copy: drop it (not when it
	 * is the program's own closing `ret #0`, a label of its own). */
	if (!final && ret0_at != XL_NONE && x->start[x->n - 1] != ret0_at)
		oldlen = ret0_at;
	size_t newlen = xl_newpos(&L, oldlen - 1) + 1;
	struct bpfc_ebpf_insn *code = arena_calloc(a, newlen, sizeof(*code));
	if (code == NULL || xl_build(x, &L, code, oldlen) != 0)
		goto oom;
	if (xl_patch_all(x, &L, code) == 0) {
		out->insns = code;
		out->n = newlen;
		rc = 0;
	}
	xl_layout_free(&L);
	return rc;
oom:
	xl_layout_free(&L);
	return xl_fail(x, BPFC_ENOMEM, XL_NONE, "out of memory laying out the eBPF program");
}

int
xl_finish(struct xl *x, struct arena *a, struct ebpf_prog *out)
{
	if (x->failed)
		return -1;
	if (!xl_fits(x))
		return xl_finish_islands(x, a, out);
	struct bpfc_ebpf_insn *code = arena_calloc(a, x->len, sizeof(*code));
	if (code == NULL)
		return xl_fail(x, BPFC_ENOMEM, XL_NONE, "out of memory translating to eBPF");
	memcpy(code, x->code, x->len * sizeof(*code));
	for (size_t j = 0; j < x->nfix; j++)
		if (xl_patch(x, code, x->fix[j].at, xl_target(x, &x->fix[j])) != 0)
			return -1;
	out->insns = code;
	out->n = x->len;
	return 0;
}
