/*
 * cli.h: the parts of the command that live outside cli/bpfc.c.
 *
 * cli/bpfc.c parses the arguments, compiles the expression and prints
 * errors with carets; these functions take a compiled filter and do one
 * job each, returning the process's exit status (0 success, 1 error, with
 * the message already printed on stderr as "bpfc: error: ...").
 */
#ifndef BPFC_CLI_CLI_H
#define BPFC_CLI_CLI_H

#include <stdint.h>

#include "bpfc.h"

/* ---- live capture (cli/live.c) ---- */

/* The DLT_ value packets captured on `iface` carry ("any": the Linux
 * cooked header, DLT_LINUX_SLL), so that the expression can be compiled
 * for it.  -1 with `err` set when the interface does not exist or has a
 * link type bpfc cannot capture. */
int cli_live_linktype(const char *iface, struct bpfc_error *err);

struct cli_live_opts {
	const char *iface;
	int64_t count;     /* stop after this many packets; < 0: until interrupted */
	const char *wpath; /* write a pcap file here ("-": stdout) instead of printing */
	uint32_t snaplen;  /* bytes kept per packet */
	int linktype;      /* what cli_live_linktype returned */
};

/* Capture on o->iface through `f` (attached in the kernel), print one line
 * per packet or write o->wpath, stop on SIGINT/SIGTERM or after o->count
 * packets, then print the captured and dropped counts on stderr. */
int cli_live_run(const struct bpfc_filter *f, const struct cli_live_opts *o);

/* ---- eBPF objects (cli/object.c) ---- */

/* Write f's program for `target` to `path` as an ELF object; `invert`
 * passes what the filter rejects (tc, xdp). */
int cli_object_write(const struct bpfc_filter *f, const char *path, enum bpfc_target target,
		     int invert);

#endif
