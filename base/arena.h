/*
 * arena.h: one arena per compilation.
 *
 * Everything a compilation builds (AST, IR, scratch tables) is allocated
 * here and dies with arena_release(); nothing is freed piecemeal, so error
 * paths need no cleanup.  Allocation failure returns NULL and the caller
 * reports BPFC_ENOMEM.  Memory is zeroed and aligned for any object.
 */
#ifndef BPFC_BASE_ARENA_H
#define BPFC_BASE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* newest chunk first */
	size_t total;             /* bytes handed out, for statistics */
};

void arena_init(struct arena *a);
void *arena_alloc(struct arena *a, size_t size);
/* n objects of `size` bytes; NULL on overflow or exhaustion. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_release(struct arena *a);

#endif
