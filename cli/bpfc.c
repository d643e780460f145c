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

#include <pcap/pcap.h>

#include "bpfc.h"
#include "backend/pcapfile.h"
#include "cli/cli.h"
#include "ebpf/ebpf.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "codegen/gen.h"
#include "codegen/opt.h"
#include "codegen/ir.h"
#include "grammar/grammar.h"

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
	CLI_OPT_DUMP,
	CLI_OPT_HELP,
	CLI_OPT_VERSION,
	CLI_OPT_TARGET,
	CLI_OPT_INVERT,
	CLI_OPT_ENGINE
};

static const struct option cli_long_options[] = {
	{"asm", required_argument, NULL, CLI_OPT_ASM},
	{"dump", required_argument, NULL, CLI_OPT_DUMP},
	{"engine", required_argument, NULL, CLI_OPT_ENGINE},
	{"help", no_argument, NULL, CLI_OPT_HELP},
	{"target", required_argument, NULL, CLI_OPT_TARGET},
	{"invert", no_argument, NULL, CLI_OPT_INVERT},
	{"version", no_argument, NULL, CLI_OPT_VERSION},
	{NULL, 0, NULL, 0},
};
static const char cli_short_options[] = ":c:deF:hi:o:Or:s:w:y:V";

/* What --dump=STAGE prints instead of the listing. */
enum cli_dump { CLI_DUMP_NONE, CLI_DUMP_AST, CLI_DUMP_IR, CLI_DUMP_OPT, CLI_DUMP_CBPF,
	       CLI_DUMP_EBPF, CLI_DUMP_X86 };

/* Keep in step with cli_long_options, cli_short_options and doc/bpfc.1;
 * tests/cli.sh checks every option listed here is accepted and the other
 * way round. */
static const char cli_help_text[] =
	"Usage: bpfc [-y DLT] [-s SNAPLEN] [-O] [-d|-dd|-ddd] [--dump=STAGE]\n"
	"            [-e] [--target=socket|tc|xdp [--invert]] [-o OBJECT]\n"
	"            [{-r CAPTURE [--engine=E] | -i IFACE} [-c COUNT] [-w FILE]]\n"
	"            {EXPRESSION... | -F FILE}\n"
	"       bpfc [-d|-dd|-ddd] [-e] [--target=T [--invert]] [-o OBJECT]\n"
	"            --asm FILE [-r CAPTURE [--engine=E] [-c COUNT] [-w FILE]]\n"
	"       bpfc --seccomp POLICY [-d|-dd|-ddd] [--stats] [-o FILE]\n"
	"            [--exec -- CMD...]\n"
	"       bpfc --help | --version\n"
	"\n"
	"Compile a pcap-filter(7) expression (its words joined with spaces, as\n"
	"tcpdump does) to classic BPF with libpcap's semantics, or read a classic\n"
	"BPF program; print it exactly as tcpdump -d, -dd or -ddd would, print its\n"
	"translation to eBPF, write that as an ELF object, run it over every packet\n"
	"of a capture file, or attach it to a socket and capture live.\n"
	"\n"
	"Options:\n"
	"      --asm FILE   read the program from FILE ('-': standard input) in\n"
	"                   any of the forms tcpdump -d, -dd and -ddd print; it is\n"
	"                   checked with the Linux kernel's rules\n"
	"  -d               print the program readably, as tcpdump -d (the default\n"
	"                   when -r is not given)\n"
	"  -dd              print it as a C array of struct bpf_insn, as tcpdump -dd\n"
	"  -ddd             print it as decimal numbers, as tcpdump -ddd\n"
	"  -e               print the eBPF program (for --target) as bpftool prog\n"
	"                   dump xlated does; with -d also the classic listing\n"
	"      --target=T   the eBPF program's kind for -e and -o: socket (a socket\n"
	"                   filter, the default), tc (a tc classifier: pass or\n"
	"                   drop) or xdp (an XDP program: pass or drop)\n"
	"      --invert     tc and xdp: pass the packets the filter rejects and drop\n"
	"                   the ones it matches\n"
	"  -o OBJECT        write the eBPF program for --target to OBJECT, an ELF\n"
	"                   object for libbpf, bpftool, ip link ... xdp and tc\n"
	"  -i IFACE         capture live on IFACE through the filter attached in\n"
	"                   the kernel (eBPF, or classic BPF without CAP_BPF),\n"
	"                   printing one line per packet; 'any': every interface,\n"
	"                   with the Linux cooked header, filtered in user space\n"
	"  -c COUNT         with -r or -i: stop after COUNT matching packets\n"
	"  -w FILE          with -r or -i: write the matching packets to FILE, a\n"
	"                   pcap file ('-': standard output), instead of printing a\n"
	"                   line for each; with -r the file is byte for byte what\n"
	"                   tcpdump -r CAPTURE -w FILE writes\n"
	"  -y DLT           compile for link type DLT, a name (EN10MB, RAW, IPV4,\n"
	"                   IPV6, NULL, LOOP, LINUX_SLL, LINUX_SLL2, PPP, PPP_PPPD,\n"
	"                   C_HDLC) or a number; default: the capture's with -r,\n"
	"                   the interface's with -i, else EN10MB\n"
	"  -s SNAPLEN       what a matching packet returns (default 262144); with\n"
	"                   -i, the bytes kept of each packet\n"
	"  -F FILE          read the expression from FILE ('-': standard input);\n"
	"                   '#' starts a comment that runs to the end of the line,\n"
	"                   as with tcpdump -F\n"
	"  -O               do not optimize (as tcpdump -O); also keeps a filter\n"
	"                   that can never match instead of refusing it\n"
	"      --dump=STAGE\n"
	"                   print a stage's output instead of the listing: ast\n"
	"                   (the syntax tree), ir (the blocks), opt (the blocks\n"
	"                   after the optimizer), cbpf (the listing), ebpf (as -e),\n"
	"                   x86 (the JIT's machine code, disassembled when objdump\n"
	"                   is installed)\n"
	"  -r CAPTURE       run the program over every packet of CAPTURE, a pcap or\n"
	"                   pcapng file ('-': standard input), print a line for each\n"
	"                   matching packet (or write them: -w), and end with\n"
	"                   \"N of M packets matched\" on standard error; a progress\n"
	"                   bar on standard error when it is a terminal\n"
	"      --engine=E   with -r: what runs the program: jit (native code, the\n"
	"                   default where available), ebpf or cbpf (interpreters)\n"
	"      --seccomp POLICY\n"
	"                   compile a seccomp policy (Docker/OCI JSON or the text\n"
	"                   form of bpfc-seccomp(5)) to classic BPF; bpfc --seccomp\n"
	"                   --help lists its options\n"
	"  -h, --help       print this help and exit\n"
	"  -V, --version    print the versions of bpfc and libpcap and exit\n"
	"\n"
	"Not yet compiled (refused naming the primitive): geneve, protochain,\n"
	"gateway, the 802.11, ATM and SS7 primitives, inbound/outbound/ifindex\n"
	"where the link header lacks the field (they are compiled for LINUX_SLL,\n"
	"LINUX_SLL2, PPP_PPPD), and link types other than the ones listed for -y.\n"
	"\n"
	"Exit status: 0 success, 1 an error in the input or a file, 2 a usage error.\n"
	"\n"
	"Examples:\n"
	"  bpfc tcp port 80\n"
	"  bpfc -y LINUX_SLL -dd 'host 10.0.0.1 and not port 22'\n"
	"  bpfc -r trace.pcap 'udp and len > 512'\n"
	"  bpfc -r big.pcap -w web.pcap 'tcp port 80 or tcp port 443'\n"
	"  bpfc --dump=x86 'ip and udp'\n"
	"  bpfc --seccomp docker-default.json --stats\n"
	"  bpfc -e 'ip and tcp[13] & 2 != 0'\n"
	"  bpfc -o drop-ssh.o --target=xdp --invert 'tcp port 22'\n"
	"  bpfc -i eth0 -c 10 -w web.pcap 'tcp port 443'\n"
	"  tcpdump -r any.pcap -d 'tcp port 80' | bpfc --asm - -dd\n"
	"  bpfc --asm prog.txt -r trace.pcap\n";

struct cli_args {
	const char *asm_path;  /* --asm FILE, or NULL */
	const char *read_path; /* -r CAPTURE, or NULL */
	const char *dlt;       /* -y DLT, or NULL */
	const char *expr_path; /* -F FILE, or NULL */
	const char *iface;     /* -i IFACE, or NULL */
	const char *wpath;     /* -w FILE, or NULL */
	const char *opath;     /* -o OBJECT, or NULL */
	const char *target;    /* --target=, "socket" by default */
	enum bpfc_engine engine; /* --engine=, 0: the library's default */
	int invert;            /* --invert */
	int64_t count;         /* -c COUNT, -1 when not given */
	int listing;           /* how many -d were given, 0 for none */
	int help, version;
	int noopt;             /* -O */
	uint32_t snaplen;      /* -s */
	enum cli_dump dump;    /* --dump= */
	char **words;          /* the filter expression's words */
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
cli_verror(const char *fmt, va_list ap)
{
	fputs(CLI_PROG ": error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
}

static int
cli_usage_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

static int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_verror(fmt, ap);
	va_end(ap);
	fputs("Try '" CLI_PROG " --help'.\n", stderr);
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

/* A decimal or 0x number that fits 32 bits: 0 or -1. */
static int
cli_number(const char *s, uint32_t *v)
{
	char *end;
	unsigned long long n;

	errno = 0;
	if (*s == '\0' || *s == '-')
		return -1;
	n = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || n > 0xffffffffull)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int
cli_dump_stage(const char *s, enum cli_dump *d)
{
	static const struct {
		const char *name;
		enum cli_dump d;
	} stages[] = {{"ast", CLI_DUMP_AST}, {"ir", CLI_DUMP_IR}, {"opt", CLI_DUMP_OPT},
		      {"cbpf", CLI_DUMP_CBPF}, {"ebpf", CLI_DUMP_EBPF}, {"x86", CLI_DUMP_X86}};

	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (strcmp(s, stages[i].name) == 0) {
			*d = stages[i].d;
			return 0;
		}
	return -1;
}

/* The kind of eBPF program --target names, 0 for none. */
static enum bpfc_target
cli_target(const char *s)
{
	static const struct {
		const char *name;
		enum bpfc_target t;
	} targets[] = {{"socket", BPFC_TARGET_SOCKET}, {"tc", BPFC_TARGET_TC},
		       {"xdp", BPFC_TARGET_XDP}};

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (strcmp(s, targets[i].name) == 0)
			return targets[i].t;
	return (enum bpfc_target)0;
}

/* The engine --engine names, 0 for none. */
static enum bpfc_engine
cli_engine(const char *s)
{
	static const struct {
		const char *name;
		enum bpfc_engine e;
	} engines[] = {{"jit", BPFC_ENGINE_JIT}, {"ebpf", BPFC_ENGINE_EBPF},
		       {"cbpf", BPFC_ENGINE_CBPF}};

	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(s, engines[i].name) == 0)
			return engines[i].e;
	return (enum bpfc_engine)0;
}

/* The options that choose what happens to the program, checked together. */
static int
cli_check_modes(const struct cli_args *a)
{
	if (a->iface != NULL && a->read_path != NULL)
		return cli_usage_error("-i captures live and -r reads a file: give one");
	if (a->iface != NULL && a->asm_path != NULL)
		return cli_usage_error("-i needs a filter expression (its link type is the "
				       "interface's), not --asm");
	if ((a->count >= 0 || a->wpath != NULL) && a->iface == NULL && a->read_path == NULL)
		return cli_usage_error("%s works with -r or -i", a->count >= 0 ? "-c" : "-w");
	if (a->engine != 0 && a->read_path == NULL)
		return cli_usage_error("--engine chooses what runs the filter over -r's packets: "
				       "give -r");
	if (a->invert && cli_target(a->target) == BPFC_TARGET_SOCKET)
		return cli_usage_error("--invert needs --target=tc or --target=xdp");
	if (a->wpath != NULL && strcmp(a->wpath, "-") == 0 &&
	    (a->listing > 0 || a->dump != CLI_DUMP_NONE))
		return cli_usage_error("-w - writes packets to standard output: do not "
				       "print a listing there too");
	return CLI_CONTINUE;
}

/* Fill `a` from argv: CLI_CONTINUE, or an exit status after a message. */
static int
cli_parse_args(struct cli_args *a, int argc, char **argv)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->snaplen = 262144;
	a->target = "socket";
	a->count = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, cli_short_options, cli_long_options, NULL)) != -1) {
		switch (c) {
		case CLI_OPT_ASM:
			a->asm_path = optarg;
			break;
		case 'd': /* -dd and -ddd are -d repeated, as in tcpdump */
			a->listing++;
			break;
		case 'e':
			a->dump = CLI_DUMP_EBPF;
			break;
		case 'i':
			a->iface = optarg;
			break;
		case 'w':
			a->wpath = optarg;
			break;
		case 'o':
			a->opath = optarg;
			break;
		case 'c': {
			uint32_t c32;
			if (cli_number(optarg, &c32) < 0 || c32 == 0)
				return cli_usage_error("-c: '%s' is not a packet count "
						       "(1 to 4294967295)", optarg);
			a->count = c32;
			break;
		}
		case CLI_OPT_TARGET:
			if (cli_target(optarg) == 0)
				return cli_usage_error("--target: unknown target '%s' (socket, "
						       "tc, xdp)", optarg);
			a->target = optarg;
			break;
		case CLI_OPT_INVERT:
			a->invert = 1;
			break;
		case CLI_OPT_ENGINE:
			if ((a->engine = cli_engine(optarg)) == 0)
				return cli_usage_error("--engine: unknown engine '%s' (jit, ebpf, "
						       "cbpf)", optarg);
			break;
		case 'r':
			a->read_path = optarg;
			break;
		case 'y':
			a->dlt = optarg;
			break;
		case 'F':
			a->expr_path = optarg;
			break;
		case 'O':
			a->noopt = 1;
			break;
		case 's':
			if (cli_number(optarg, &a->snaplen) < 0 || a->snaplen == 0)
				return cli_usage_error("-s: '%s' is not a snapshot length "
						       "(1 to 4294967295)", optarg);
			break;
		case CLI_OPT_DUMP:
			if (cli_dump_stage(optarg, &a->dump) < 0)
				return cli_usage_error("--dump: unknown stage '%s' (ast, ir, "
						       "opt, cbpf, ebpf, x86)", optarg);
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
	if (a->expr_path != NULL && (a->nwords > 0 || a->asm_path != NULL))
		return cli_usage_error("-F gives the expression: give no other expression "
				       "and no --asm");
	if (a->read_path != NULL && a->expr_path != NULL && strcmp(a->expr_path, "-") == 0 &&
	    strcmp(a->read_path, "-") == 0)
		return cli_usage_error("-F - and -r - cannot both read standard input");
	if (a->asm_path == NULL && a->nwords == 0 && a->expr_path == NULL)
		return cli_usage_error("no program given; give a filter expression or "
				       "--asm FILE");
	if (a->asm_path != NULL &&
	    (a->dump == CLI_DUMP_AST || a->dump == CLI_DUMP_IR || a->dump == CLI_DUMP_OPT))
		return cli_usage_error("--dump=ast, --dump=ir and --dump=opt need a filter expression");
	if (a->read_path != NULL && a->asm_path != NULL && strcmp(a->asm_path, "-") == 0 &&
	    strcmp(a->read_path, "-") == 0)
		return cli_usage_error("--asm - and -r - cannot both read standard input");
	return cli_check_modes(a);
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

/* ---- compiling an expression -------------------------------------------- */

/* tcpdump -F's comments: '#' to the end of the line becomes blanks, so
 * that byte offsets, and so carets, stay where they were. */
static void
cli_blank_comments(struct cli_text *t)
{
	for (size_t i = 0; i < t->len; i++)
		if (t->data[i] == '#')
			while (i < t->len && t->data[i] != '\n')
				t->data[i++] = ' ';
}

/* The words of the expression joined with single spaces, as tcpdump does. */
static int
cli_join_words(struct cli_text *t, char **words, int n)
{
	struct strbuf b;

	strbuf_init(&b);
	for (int i = 0; i < n; i++) {
		if (i > 0)
			strbuf_puts(&b, " ");
		strbuf_puts(&b, words[i]);
	}
	t->name = NULL;
	t->data = strbuf_take(&b);
	if (t->data == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_INPUT;
	}
	t->len = strlen(t->data);
	return CLI_EXIT_OK;
}

/* -y (a name libpcap knows or a number), else the capture's link type,
 * else Ethernet.  Only an empty expression compiles on every link type. */
static int
cli_linktype(const struct cli_args *a, const struct cli_text *t, const struct cli_offline *off,
	     int *dlt)
{
	uint32_t v;

	*dlt = 1; /* DLT_EN10MB */
	if (a->dlt != NULL) {
		if (cli_number(a->dlt, &v) == 0 && v <= 0x7fffffff)
			*dlt = (int)v;
		else if ((*dlt = pcap_datalink_name_to_val(a->dlt)) < 0)
			return cli_usage_error("-y: unknown link type '%s'", a->dlt);
	} else if (a->iface != NULL) {
		struct bpfc_error err;
		diag_init(&err);
		if ((*dlt = cli_live_linktype(a->iface, &err)) < 0) {
			cli_error("%s", err.msg);
			return CLI_EXIT_INPUT;
		}
	} else if (off != NULL) {
		*dlt = cli_offline_linktype(off);
	}
	if (!codegen_supports_linktype(*dlt) && t->data[strspn(t->data, " \t\r\n")] != '\0') {
		const char *name = pcap_datalink_val_to_name(*dlt);
		cli_error("link type %s (%d) is not supported yet", name != NULL ? name : "?",
			  *dlt);
		return CLI_EXIT_INPUT;
	}
	return CLI_EXIT_OK;
}

static int
cli_print_dump(struct strbuf *b)
{
	char *text = strbuf_take(b);

	if (text == NULL) {
		cli_error("out of memory");
		return CLI_EXIT_INPUT;
	}
	fputs(text, stdout);
	free(text);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_INPUT;
}

/* The compiler's stages, with --dump=ast and --dump=ir between them.  An
 * error is drawn with a caret under the expression. */
static int
cli_compile(const struct cli_text *t, const struct cli_args *a, int dlt,
	    const struct cli_offline *off, struct bpfc_filter **out)
{
	/* With -r, compiled as libpcap compiles for a savefile. */
	struct codegen_options co = {dlt, a->snaplen, BPFC_NETMASK_UNKNOWN, NULL, !a->noopt,
				     off != NULL, off != NULL && cli_offline_swapped(off)};
	struct bpfc_error err;
	struct arena ar;
	struct strbuf b;
	struct ir_prog *ir = NULL;
	struct bpfc_insn *insns = NULL;
	size_t n = 0;
	int rc = CLI_EXIT_OK;

	diag_init(&err);
	arena_init(&ar);
	strbuf_init(&b);
	struct ast_node *ast = parse_filter(&ar, t->data, t->len, &err); /* grammar/ */
	if (ast != NULL && a->dump == CLI_DUMP_AST) {
		ast_dump(&b, ast, 0);
		rc = cli_print_dump(&b);
		goto done;
	}
	if (ast != NULL)
		ir = codegen_filter(&ar, ast, &co, &err);                 /* codegen/ */
	if (ir != NULL && a->dump == CLI_DUMP_IR) {
		ir_dump(&b, ir);
		rc = cli_print_dump(&b);
		goto done;
	}
	if (ir != NULL && !a->noopt && opt_run(ir, &err) < 0)         /* codegen/ */
		ir = NULL;
	if (ir != NULL && !a->noopt &&
	    codegen_check_never(&ar, ast, &co, ir, t->data, &err) < 0) /* codegen/ */
		ir = NULL;
	if (ir != NULL && a->dump == CLI_DUMP_OPT) {
		ir_dump(&b, ir);
		rc = cli_print_dump(&b);
		goto done;
	}
	if (ir != NULL && ir_assemble(ir, &ar, &insns, &n, &err) == 0)   /* codegen/ -> cbpf/ */
		*out = bpfc_load_cbpf_opts(insns, n, NULL, &err);         /* cbpf/: validate */
	if (*out == NULL) {
		if (err.code == BPFC_OK)
			diag_plain(&err, BPFC_EINTERNAL, "compiling failed without a reason");
		diag_print(stderr, CLI_PROG, &err, t->data, t->len, t->name);
		rc = CLI_EXIT_INPUT;
	}
done:
	strbuf_release(&b);
	arena_release(&ar);
	return rc;
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

/* The eBPF program for --target, as bpftool prints it. */
static int
cli_print_ebpf(const struct bpfc_filter *f, const struct cli_args *a)
{
	struct bpfc_error err;
	struct strbuf b;
	size_t n;

	diag_init(&err);
	struct bpfc_ebpf_insn *p = bpfc_ebpf_for(f, cli_target(a->target),
						 a->invert ? BPFC_TARGET_INVERT : 0, &n, &err);
	if (p == NULL) {
		cli_error("%s", err.msg);
		return CLI_EXIT_INPUT;
	}
	strbuf_init(&b);
	ebpf_listing(&b, p, n);                                    /* ebpf/ */
	free(p);
	return cli_print_dump(&b);
}

/* The classic listing is the default output unless another one is asked
 * for: -e, -o, -r or -i print it only with -d. */
static int
cli_wants_listing(const struct cli_args *a)
{
	return a->listing > 0 || (a->read_path == NULL && a->iface == NULL && a->opath == NULL &&
				  a->dump != CLI_DUMP_EBPF && a->dump != CLI_DUMP_X86);
}

/* ---- the pipeline -------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct cli_args args;
	struct cli_text text = {0};
	struct bpfc_filter *f = NULL;
	struct cli_offline *off = NULL;

	if (cli_seccomp_wanted(argc, argv))
		return cli_seccomp_main(argc, argv);                  /* seccomp/ */
	int rc = cli_parse_args(&args, argc, argv);
	if (rc != CLI_CONTINUE)
		return rc;
	if (args.help)
		return cli_print_help();
	if (args.version)
		return cli_print_version();

	struct cli_offline_opts offo = {args.read_path, args.wpath, args.count};
	if (args.read_path != NULL && (off = cli_offline_open(&offo)) == NULL)
		return CLI_EXIT_INPUT;                                /* backend/: the header */
	int dlt = 1;
	if (args.nwords > 0 || args.expr_path != NULL) {
		if (args.expr_path != NULL) {
			rc = cli_read_text(&text, args.expr_path);   /* the expression */
			cli_blank_comments(&text);
		} else {
			rc = cli_join_words(&text, args.words, args.nwords);
		}
		if (rc == CLI_EXIT_OK)
			rc = cli_linktype(&args, &text, off, &dlt);   /* -y or the capture's */
		if (rc == CLI_EXIT_OK)
			rc = cli_compile(&text, &args, dlt, off, &f); /* grammar/, codegen/, cbpf/ */
	} else {
		rc = cli_read_text(&text, args.asm_path);            /* the program's text */
		if (rc == CLI_EXIT_OK)
			rc = cli_assemble(&text, &f);                 /* cbpf/: parse, validate */
	}
	if (rc == CLI_EXIT_OK && f != NULL && cli_wants_listing(&args))
		rc = cli_print_listing(f, args.listing);      /* cbpf/: listing */
	if (rc == CLI_EXIT_OK && f != NULL && args.dump == CLI_DUMP_EBPF)
		rc = cli_print_ebpf(f, &args);                /* ebpf/: translate, list */
	if (rc == CLI_EXIT_OK && f != NULL && args.dump == CLI_DUMP_X86)
		rc = cli_print_x86(f);                        /* jit/: machine code */
	if (rc == CLI_EXIT_OK && f != NULL && args.opath != NULL)
		rc = cli_object_write(f, args.opath, cli_target(args.target), args.invert); /* ELF */
	if (rc == CLI_EXIT_OK && f != NULL && args.engine != 0 && bpfc_set_engine(f, args.engine) < 0) {
		cli_error("--engine: that engine cannot run this filter here");
		rc = CLI_EXIT_INPUT;
	}
	if (rc == CLI_EXIT_OK && f != NULL && off != NULL)
		rc = cli_offline_run(off, f);                 /* backend/: read, run, write */
	if (rc == CLI_EXIT_OK && f != NULL && args.iface != NULL)
		rc = cli_live_run(f, &(struct cli_live_opts){args.iface, args.count, args.wpath,
							     args.snaplen, dlt}); /* backend/ */

	cli_offline_close(off);
	bpfc_free(f);
	free(text.data);
	return rc;
}
