/*
 * object.c: `bpfc -o OBJECT [--target=T] [--invert] EXPR`.
 *
 * Takes the compiled filter and the options cli/bpfc.c parsed (the target
 * already mapped from its name); writes the object through the public
 * bpfc_write_object and turns its error into the command's message and
 * exit status.
 */
#include <config.h>

#include <stdio.h>

#include "bpfc.h"
#include "cli/cli.h"

int
cli_object_write(const struct bpfc_filter *f, const char *path, enum bpfc_target target,
		 int invert)
{
	struct bpfc_error err;

	if (bpfc_write_object(f, target, invert ? BPFC_TARGET_INVERT : 0, path, &err) < 0) {
		fprintf(stderr, "bpfc: error: %s\n", err.msg);
		return 1;
	}
	return 0;
}
