/*
 * bpfc.c: the bpfc command.
 *
 * Takes the command line; gives a listing on standard output, a match
 * count on standard error, and an exit status: 0 success, 1 an error in
 * the input or a file, 2 a usage error.  main() at the bottom is the whole
 * pipeline as a list of stage calls; everything above it is one stage's
 * glue: read the text, assemble it, print it, run it over a capture.
 *
 * Diagnostics go to standard error, one error per run (the first wins, as
 * everywhere in bpfc), drawn by base/diag.c so the CLI and the library
 * agree on what an error looks like.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bpfc.h"
#include "backend/pcapfile.h"
#include "base/diag.h"

#define CLI_PROG "bpfc"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_INPUT = 1, /* an error in the input or a file */
	CLI_EXIT_USAGE = 2,
	CLI_CONTINUE = -1 /* not an exit status: the arguments are fine, go on */
};

/* Programs are text a person could read; anything bigger is a mistake
 * (or /dev/zero), refused before it eats the memory. */
#define CLI_MAX_INPUT ((size_t)64 << 20)

/* Long options carry values above any character, so getopt's error cases
 * can tell a long option from a short one (see cli_getopt_error). */
enum {
	CLI_OPT_ASM = 256,
	CLI_OPT_HELP,
	CLI_OPT_VERSION
};

static const struct option cli_long_options[] = {
	{"asm", required_argument, NULL, CLI_OPT_ASM},
	{"help", no_argument, NULL, CLI_OPT_HELP},
	{"version", no_argument, NULL, CLI_OPT_VERSION},
	{NULL, 0, NULL, 0},
};
static const char cli_short_options[] = ":dhr:V";

/* Keep in step with cli_long_options, cli_short_options and doc/bpfc.1;
 * tests/cli.sh checks every option listed here is accepted and the other
 * way round. */
static const char cli_help_text[] =
	"Usage: bpfc [-d|-dd|-ddd] --asm FILE [-r CAPTURE]\n"
	"       bpfc --help | --version\n"
	"\n"
	"Read a classic BPF program and print it exactly as tcpdump -d, -dd or\n"
	"-ddd would, or run it over every packet of a capture file.\n"
	"\n"
	"Options:\n"
	"      --asm FILE   read the program from FILE ('-': standard input) in\n"
	"                   any of the forms tcpdump -d, -dd and -ddd print; it is\n"
	"                   checked with the Linux kernel's rules\n"
	"  -d               print the program readably, as tcpdump -d (the default\n"
	"                   when -r is not given)\n"
	"  -dd              print it as a C array of struct bpf_insn, as tcpdump -dd\n"
	"  -ddd             print it as decimal numbers, as tcpdump -ddd\n"
	"  -r CAPTURE       run the program over every packet of CAPTURE, a pcap or\n"
	"                   pcapng file ('-': standard input), and print\n"
	"                   \"N of M packets matched\" on standard error\n"
	"  -h, --help       print this help and exit\n"
	"  -V, --version    print the versions of bpfc and libpcap and exit\n"
	"\n"
	"Compiling filter expressions (bpfc EXPRESSION) is planned; this version\n"
	"only reads programs given with --asm.\n"
	"\n"
	"Exit status: 0 success, 1 an error in the input or a file, 2 a usage error.\n"
	"\n"
	"Examples:\n"
	"  tcpdump -r any.pcap -d 'tcp port 80' | bpfc --asm - -dd\n"
	"  bpfc --asm prog.txt -r trace.pcap\n";

struct cli_args {
	const char *asm_path;  /* --asm FILE, or NULL */
	const char *read_path; /* -r CAPTURE, or NULL */
	int listing;           /* how many -d were given, 0 for none */
	int help, version;
	char **words; /* the filter expression's words (not compiled yet) */
	int nwords;
};

/* A whole input file in memory. */
struct cli_text {
	char *data; /* malloc'd, NUL-terminated after len bytes */
	size_t len;
	const char *name; /* for messages: the path, or "<stdin>" */
};

static void
cli_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

static void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs(CLI_PROG ": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
cli_usage_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

static int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(CLI_PROG ": error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry '" CLI_PROG " --help'.\n", stderr);
	return CLI_EXIT_USAGE;
}

/* ---- the command line ---------------------------------------------------- */

static const char *
cli_long_name(int val)
{
	for (const struct option *o = cli_long_options; o->name != NULL; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

/* getopt returned ':' or '?'.  We print our own messages (opterr is off)
 * so every error reads "bpfc: error: ..." whatever argv[0] is. */
static int
cli_getopt_error(int c, char **argv)
{
	if (c == ':' && optopt >= CLI_OPT_ASM)
		return cli_usage_error("option '--%s' needs an argument", cli_long_name(optopt));
	if (c == ':')
		return cli_usage_error("option '-%c' needs an argument", optopt);
	if (optopt >= CLI_OPT_ASM)
		return cli_usage_error("option '--%s' takes no argument", cli_long_name(optopt));
	if (optopt != 0)
		return cli_usage_error("unrecognized option '-%c'", optopt);
	/* An unknown or ambiguous long option; getopt has stepped past it. */
	return cli_usage_error("unrecognized option '%s'", argv[optind - 1]);
}

/* Fill `a` from argv: CLI_CONTINUE, or an exit status after a message. */
static int
cli_parse_args(struct cli_args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	opterr = 0;
	while ((c = getopt_long(argc, argv, cli_short_options, cli_long_options, NULL)) != -1) {
		switch (c) {
		case CLI_OPT_ASM:
			a->asm_path = optarg;
			break;
		case 'd': /* -dd and -ddd are -d repeated, as in tcpdump */
			a->listing++;
			break;
		case 'r':
			a->read_path = optarg;
			break;
		case 'h':
		case CLI_OPT_HELP:
			a->help = 1;
			break;
		case 'V':
		case CLI_OPT_VERSION:
			a->version = 1;
			break;
		default:
			return cli_getopt_error(c, argv);
		}
	}
	a->words = argv + optind;
	a->nwords = argc - optind;
	if (a->help || a->version)
		return CLI_CONTINUE;
	if (a->nwords > 0 && a->asm_path != NULL)
		return cli_usage_error("give either a filter expression or --asm FILE, not both");
	if (a->nwords > 0) {
		cli_error("compiling filter expressions is not available yet; "
			  "give a program with --asm FILE");
		return CLI_EXIT_USAGE;
	}
	if (a->asm_path == NULL)
		return cli_usage_error("no program given; give one with --asm FILE");
	if (a->read_path != NULL && strcmp(a->asm_path, "-") == 0 && strcmp(a->read_path, "-") == 0)
		return cli_usage_error("--asm - and -r - cannot both read standard input");
	return CLI_CONTINUE;
}

static int
cli_print_help(void)
{
	fputs(cli_help_text, stdout);
	return CLI_EXIT_OK;
}

static int
cli_print_version(void)
{
	printf("%s %s\n%s\n", CLI_PROG, bpfc_version(), pcapfile_lib_version());
	return CLI_EXIT_OK;
}

/* ---- reading the program ------------------------------------------------- */

/* Read all of `fp` into t->data, refusing more than CLI_MAX_INPUT bytes. */
static int
cli_slurp(struct cli_text *t, FILE *fp)
{
	/* The buffer always holds the bytes, one more (to see the end of the
	 * file without another grow) and the NUL; it never grows past
	 * CLI_MAX_INPUT + 2, which is what proving "too big" takes. */
	const size_t most = CLI_MAX_INPUT + 2;
	size_t cap = 4096;
	struct stat st;

	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (uint64_t)st.st_size >= CLI_MAX_INPUT ? most : (size_t)st.st_size + 2;
	t->data = malloc(cap);
	for (;;) {
		if (t->data == NULL) {
			cli_error("%s: out of memory", t->name);
			return CLI_EXIT_INPUT;
		}
		size_t want = cap - 1 - t->len;
		size_t got = fread(t->data + t->len, 1, want, fp);
		t->len += got;
		if (got < want)
			break;
		if (t->len > CLI_MAX_INPUT) {
			cli_error("%s: larger than the %zu MiB limit for a program", t->name,
				  CLI_MAX_INPUT >> 20);
			return CLI_EXIT_INPUT;
		}
		cap = cap > most / 2 ? most : cap * 2;
		char *p = realloc(t->data, cap);
		if (p == NULL)
			free(t->data);
		t->data = p;
	}
	t->data[t->len] = '\0';
	if (ferror(fp)) {
		cli_error("%s: %s", t->name, strerror(errno));
		return CLI_EXIT_INPUT;
	}
	return CLI_EXIT_OK;
}

/* The text at `path`, "-" meaning standard input. */
static int
cli_read_text(struct cli_text *t, const char *path)
{
	int is_stdin = strcmp(path, "-") == 0;
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->name = is_stdin ? "<stdin>" : path;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (fp == NULL) {
		cli_error("%s: %s", t->name, strerror(errno));
		return CLI_EXIT_INPUT;
	}
	int rc;
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		cli_error("%s: %s", t->name, strerror(EISDIR));
		rc = CLI_EXIT_INPUT;
	} else {
		rc = cli_slurp(t, fp);
	}
	if (!is_stdin)
		fclose(fp);
	return rc;
}

/* ---- assembling ---------------------------------------------------------- */

/* Parse and validate the listing.  An error about a piece of the text gets
 * a caret under it; one about an instruction (the validator's) names the
 * file instead. */
static int
cli_assemble(const struct cli_text *t, struct bpfc_filter **out)
{
	struct bpfc_error err;

	*out = bpfc_assemble(t->data, t->len, NULL, &err);
	if (*out != NULL)
		return CLI_EXIT_OK;
	if (err.code == BPFC_OK) /* the library broke its contract */
		diag_plain(&err, BPFC_EINTERNAL, "assembling failed without a reason");
	if (err.insn >= 0 || (err.begin == 0 && err.end == 0))
		cli_error("%s: %s", t->name, err.msg);
	else
		diag_print(stderr, CLI_PROG, &err, t->data, t->len, t->name);
	return CLI_EXIT_INPUT;
}

/* ---- printing ------------------------------------------------------------ */

static int
cli_print_listing(const struct bpfc_filter *f, int ndflag)
{
	const struct bpfc_insn *insns;
	size_t n = bpfc_cbpf(f, &insns);
	/* As tcpdump: more than three -d still means the decimal form. */
	enum bpfc_listing style = ndflag >= 3 ? BPFC_LISTING_DDD
				  : ndflag == 2 ? BPFC_LISTING_DD
						: BPFC_LISTING_D;
	char *text = bpfc_listing(insns, n, style);

	if (text == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_INPUT;
	}
	fputs(text, stdout);
	free(text);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("standard output: %s", strerror(errno));
		return CLI_EXIT_INPUT;
	}
	return CLI_EXIT_OK;
}

/* ---- running over a capture ---------------------------------------------- */

/* Run the filter over every packet at `path` and report the count on
 * standard error, also when the file turns out to be broken midway. */
static int
cli_filter_capture(const struct bpfc_filter *f, const char *path)
{
	struct bpfc_error err;
	struct pcapfile_pkt pkt;
	uint64_t total = 0, matched = 0;
	int r;

	diag_init(&err);
	struct pcapfile *pf = pcapfile_open(path, &err);
	if (pf == NULL) {
		cli_error("%s", err.msg);
		return CLI_EXIT_INPUT;
	}
	while ((r = pcapfile_next(pf, &pkt, &err)) == 1) {
		total++;
		matched += bpfc_run(f, pkt.data, pkt.wirelen, pkt.caplen) != 0;
	}
	if (r < 0)
		cli_error("%s", err.msg);
	fprintf(stderr, "%" PRIu64 " of %" PRIu64 " packets matched\n", matched, total);
	pcapfile_close(pf);
	return r < 0 ? CLI_EXIT_INPUT : CLI_EXIT_OK;
}

/* ---- the pipeline -------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct cli_args args;
	struct cli_text text = {0};
	struct bpfc_filter *f = NULL;

	int rc = cli_parse_args(&args, argc, argv);
	if (rc != CLI_CONTINUE)
		return rc;
	if (args.help)
		return cli_print_help();
	if (args.version)
		return cli_print_version();

	rc = cli_read_text(&text, args.asm_path);            /* the program's text */
	if (rc == CLI_EXIT_OK)
		rc = cli_assemble(&text, &f);                 /* cbpf/: parse, validate */
	if (rc == CLI_EXIT_OK && (args.listing > 0 || args.read_path == NULL))
		rc = cli_print_listing(f, args.listing);      /* cbpf/: listing */
	if (rc == CLI_EXIT_OK && args.read_path != NULL)
		rc = cli_filter_capture(f, args.read_path);   /* backend/pcapfile, run */

	bpfc_free(f);
	free(text.data);
	return rc;
}
