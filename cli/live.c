/* cli/live.c: placeholder, being written (issue #4). */
#include <config.h>

#include <stdio.h>

#include "base/diag.h"
#include "cli/cli.h"

int
cli_live_linktype(const char *iface, struct bpfc_error *err)
{
	(void)iface;
	return diag_plain(err, BPFC_EUNSUPPORTED, "live capture is being written");
}

int
cli_live_run(const struct bpfc_filter *f, const struct cli_live_opts *o)
{
	(void)f, (void)o;
	fputs("bpfc: error: live capture is being written\n", stderr);
	return 1;
}
