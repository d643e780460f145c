/* cli/object.c: placeholder, being written (issue #4). */
#include <config.h>

#include <stdio.h>

#include "cli/cli.h"

int
cli_object_write(const struct bpfc_filter *f, const char *path, const char *target, int invert)
{
	(void)f, (void)path, (void)target, (void)invert;
	fputs("bpfc: error: writing objects is being written\n", stderr);
	return 1;
}
