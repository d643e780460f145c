/*
 * plant.c: planting a program's constants where it loads (see plant.h).
 */
#include <config.h>

#include <string.h>

#include "tests/gen/plant.h"

void
plant_places_of(const struct bpf_insn *p, size_t n, struct plant_places *pl)
{
	memset(pl, 0, sizeof(*pl));
	for (size_t i = 0; i < n; i++) {
		const struct bpf_insn *x = &p[i];
		uint32_t sz = BPF_SIZE(x->code) == BPF_W ? 4 : BPF_SIZE(x->code) == BPF_H ? 2 : 1;
		int ld = BPF_CLASS(x->code) == BPF_LD;
		if (ld && BPF_MODE(x->code) == BPF_ABS && pl->nabs < 256) {
			pl->absz[pl->nabs] = sz;
			pl->abs[pl->nabs++] = x->k;
		} else if (ld && BPF_MODE(x->code) == BPF_IND && pl->nind < 256) {
			pl->indsz[pl->nind] = sz;
			pl->ind[pl->nind++] = x->k;
		} else if (BPF_CLASS(x->code) == BPF_LDX && BPF_MODE(x->code) == BPF_MSH &&
			   pl->nmsh < 16) {
			pl->msh[pl->nmsh++] = x->k;
		} else if (BPF_CLASS(x->code) == BPF_JMP && BPF_OP(x->code) != BPF_JA &&
			   BPF_SRC(x->code) == BPF_K && pl->nk + 3 <= 512) {
			pl->k[pl->nk++] = x->k;
			pl->k[pl->nk++] = x->k + 1;
			pl->k[pl->nk++] = x->k - 1;
		}
	}
}

/* v big-endian in `size` bytes at off, when they are all inside. */
static void
plant_put(uint8_t *p, uint32_t caplen, uint32_t off, uint32_t size, uint32_t v)
{
	if (off > caplen || size > caplen - off)
		return;
	for (uint32_t i = 0; i < size; i++)
		p[off + i] = (uint8_t)(v >> (8 * (size - 1 - i)));
}

void
plant_constants(struct rng *r, const struct plant_places *pl, uint8_t *p, uint32_t caplen)
{
	uint32_t m = 1 + rng_below(r, 4);

	for (uint32_t j = 0; j < m && pl->nk > 0; j++) {
		uint32_t v = pl->k[rng_below(r, pl->nk)];
		if (pl->nind > 0 && (pl->nabs == 0 || rng_chance(r, 1, 3))) {
			uint32_t i = rng_below(r, pl->nind), x = 20;
			if (pl->nmsh > 0) {
				uint32_t at = pl->msh[rng_below(r, pl->nmsh)];
				x = at < caplen ? 4u * (p[at] & 0xf) : 0;
			}
			plant_put(p, caplen, pl->ind[i] + x, pl->indsz[i], v);
		} else if (pl->nabs > 0) {
			uint32_t i = rng_below(r, pl->nabs);
			plant_put(p, caplen, pl->abs[i], pl->absz[i], v);
		}
	}
}
