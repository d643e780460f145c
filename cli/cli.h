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

/* ---- capture files (cli/offline.c) ---- */

struct cli_offline_opts {
	const char *rpath;  /* the capture to read ("-": stdin): pcap or pcapng */
	const char *wpath;  /* write matching packets here ("-": stdout), or NULL */
	int64_t count;      /* stop after this many matching packets; < 0: all */
};

struct cli_offline;

/* Open o->rpath and read its file header, so that the expression can be
 * compiled for its link type (also when it is standard input).  NULL
 * after printing the error.  `o` must outlive the handle. */
struct cli_offline *cli_offline_open(const struct cli_offline_opts *o);

/* The capture's link type (DLT_ value; pcapng: its first interface's). */
int cli_offline_linktype(const struct cli_offline *c);

/* 1 when the capture was written in the other byte order (libpcap
 * compiles DLT_NULL's address family swapped for it). */
int cli_offline_swapped(const struct cli_offline *c);

/* Run `f` over every packet: write the matching ones to o->wpath byte for
 * byte as `tcpdump -r IN -w OUT` would, or print one line per matching
 * packet on stdout; show a progress bar on stderr when it is a terminal
 * and the input is large; always end with "N of M packets matched" on
 * stderr, also after an error in the input (which names its byte offset;
 * what was written stays a complete pcap file). */
int cli_offline_run(struct cli_offline *c, const struct bpfc_filter *f);

/* Close the input (and output).  NULL is allowed. */
void cli_offline_close(struct cli_offline *c);

/* ---- seccomp filters (cli/seccomp.c) ---- */

/* 1 when the command line asks for a seccomp filter (--seccomp), whose
 * options are parsed by cli_seccomp_main rather than by cli/bpfc.c. */
int cli_seccomp_wanted(int argc, char **argv);

/* The whole `bpfc --seccomp POLICY ...` command: its exit status. */
int cli_seccomp_main(int argc, char **argv);

/* ---- machine code (cli/x86.c) ---- */

/* Print the JIT's x86-64 code for `f`: hex bytes, and a disassembly when
 * objdump is on the PATH.  An error when the JIT is not available. */
int cli_print_x86(const struct bpfc_filter *f);

#endif
