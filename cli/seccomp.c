/*
 * seccomp.c: `bpfc --seccomp POLICY ...`, the command's seccomp mode.
 *
 * Takes: the whole command line (cli/bpfc.c hands it over when it holds
 * --seccomp).  Gives: the policy's classic BPF program printed like
 * tcpdump -d/-dd/-ddd, written raw (-o: struct sock_filter, host order, as
 * bwrap --seccomp and crun read it), its figures (--stats), or installed
 * in this process before exec'ing a command (--exec); and an exit status:
 * 0 success, 1 an error in the input or a file, 2 a usage error; with
 * --exec, the command's, or 126/127 when it cannot be run (as env(1)).
 *
 * The pipeline below (cli_seccomp_main) is read, parse, generate, check,
 * then each output.  Errors in the policy are drawn by base/diag.c with
 * the file name, line and a caret, as the filter compiler's are.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "cbpf/cbpf.h"
#include "cli/cli.h"
#include "seccomp/seccomp.h"

#define SCC_PROG "bpfc"
/* Policies are text a person wrote; Docker's is 20 KiB. */
#define SCC_MAX_INPUT ((size_t)64 << 20)
#define SCC_MAX_CAPS 64

_Static_assert(sizeof(struct sock_filter) == sizeof(struct bpfc_insn),
	       "struct bpfc_insn is struct sock_filter's layout");

enum { SCC_OK = 0, SCC_INPUT = 1, SCC_USAGE = 2, SCC_CONTINUE = -1 };

/* Long options carry values above any character (see scc_getopt_error). */
enum {
	SCC_OPT_SECCOMP = 256,
	SCC_OPT_FORMAT,
	SCC_OPT_STATS,
	SCC_OPT_CAPS,
	SCC_OPT_KERNEL,
	SCC_OPT_ARCH,
	SCC_OPT_IGNORE,
	SCC_OPT_EXEC,
	SCC_OPT_HELP
};

static const struct option scc_long_options[] = {
	{"seccomp", required_argument, NULL, SCC_OPT_SECCOMP},
	{"format", required_argument, NULL, SCC_OPT_FORMAT},
	{"stats", no_argument, NULL, SCC_OPT_STATS},
	{"caps", required_argument, NULL, SCC_OPT_CAPS},
	{"kernel", required_argument, NULL, SCC_OPT_KERNEL},
	{"arch", required_argument, NULL, SCC_OPT_ARCH},
	{"ignore-unknown", no_argument, NULL, SCC_OPT_IGNORE},
	{"exec", no_argument, NULL, SCC_OPT_EXEC},
	{"help", no_argument, NULL, SCC_OPT_HELP},
	{NULL, 0, NULL, 0},
};
/* '+': options end at the first operand, --exec's command, so that the
 * command's own options stay its own. */
static const char scc_short_options[] = "+:dho:";

/* The capability names <linux/capability.h> defines (cli/seccomp_caps.h
 * is generated from it at build time, see Makefile.am). */
static const char *const scc_cap_names[] = {
#define SC_CAP(c) #c,
#include "cli/seccomp_caps.h"
#undef SC_CAP
};

/* Keep in step with scc_long_options and doc/bpfc-seccomp.5. */
static const char scc_help_text[] =
	"Usage: bpfc --seccomp POLICY [--format=json|text] [--caps LIST] [--kernel X.Y]\n"
	"            [--arch NAME[,NAME...]] [--ignore-unknown]\n"
	"            [-d|-dd|-ddd] [--stats] [-o FILE] [--exec [--] COMMAND [ARG...]]\n"
	"\n"
	"Compile a seccomp policy, an OCI/Docker JSON profile or the policy language\n"
	"of bpfc-seccomp(5), to a classic BPF filter over struct seccomp_data.\n"
	"\n"
	"Options:\n"
	"      --seccomp POLICY  the policy file ('-': standard input)\n"
	"      --format=F        json or text; default: json when the first non-blank\n"
	"                        byte is '{'\n"
	"      --caps LIST       the capabilities JSON includes/excludes test, comma-\n"
	"                        separated, CAP_ optional, any case; 'none' for none;\n"
	"                        default: Docker's default set\n"
	"      --kernel X.Y      the kernel version minKernel is compared with;\n"
	"                        default: the running kernel's\n"
	"      --arch LIST       the architectures to cover, comma-separated (x86_64,\n"
	"                        x86, x32, aarch64, arm, ...); default: the host's and\n"
	"                        the profile's sub-architectures (JSON), or the\n"
	"                        policy's arch line or the host's (text)\n"
	"      --ignore-unknown  skip syscall names libseccomp does not know\n"
	"  -d                    print the program readably, as tcpdump -d (the\n"
	"                        default when neither -o, --stats nor --exec is given)\n"
	"  -dd                   print it as a C array, as tcpdump -dd\n"
	"  -ddd                  print it as decimal numbers, as tcpdump -ddd\n"
	"      --stats           print the program's size and, per architecture, the\n"
	"                        instructions executed per syscall the policy names\n"
	"                        (min/avg/max, arguments 0) and how many are allowed\n"
	"                        from arch and number alone (the kernel's action cache\n"
	"                        skips the filter for those)\n"
	"  -o FILE               write the program as raw struct sock_filter records\n"
	"                        (8 bytes each, host byte order), what bwrap --seccomp\n"
	"                        and crun read; '-': standard output\n"
	"      --exec            set no_new_privs, install the filter in this process\n"
	"                        and execute COMMAND (searched in PATH)\n"
	"  -h, --help            print this help and exit\n"
	"\n"
	"Exit status: 0 success, 1 an error in the input or a file, 2 a usage error;\n"
	"with --exec the command's, 126 when it cannot be run, 127 when not found.\n"
	"\n"
	"Examples:\n"
	"  bpfc --seccomp docker-default.json --stats\n"
	"  bpfc --seccomp policy.txt -o policy.bpf && bwrap --seccomp 9 9<policy.bpf ...\n"
	"  bpfc --seccomp docker-default.json --caps all --arch x86_64 -ddd\n"
	"  bpfc --seccomp policy.txt --exec -- make test\n";

struct scc_args {
	const char *policy_path;
	enum { SCC_FORMAT_AUTO, SCC_FORMAT_JSON, SCC_FORMAT_TEXT } format;
	int listing;       /* how many -d */
	const char *opath; /* -o FILE, or NULL */
	int stats, exec, help;
	char **cmd;        /* --exec's command, NULL-ended (argv's tail) */
	struct seccomp_options so; /* so.caps points into caps[] */
	const char *caps[SCC_MAX_CAPS];
};

/* The policy's bytes. */
struct scc_text {
	char *data; /* malloc'd, NUL-terminated */
	size_t len;
	const char *name; /* the path, or "<stdin>" */
};

static void
scc_verror(const char *fmt, va_list ap)
{
	fputs(SCC_PROG ": error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
scc_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

static void
scc_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	scc_verror(fmt, ap);
	va_end(ap);
}

static int
scc_usage_error(const char *fmt, ...) DIAG_PRINTF(1, 2);

static int
scc_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	scc_verror(fmt, ap);
	va_end(ap);
	fputs("Try '" SCC_PROG " --seccomp --help'.\n", stderr);
	return SCC_USAGE;
}

/* ---- the command line ---------------------------------------------------- */

int
cli_seccomp_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--seccomp") == 0 || strncmp(argv[i], "--seccomp=", 10) == 0)
			return 1;
	return 0;
}

static const char *
scc_long_name(int val)
{
	for (const struct option *o = scc_long_options; o->name != NULL; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

/* getopt returned ':' or '?' (opterr is off: every message reads
 * "bpfc: error: ...", as cli/bpfc.c's). */
static int
scc_getopt_error(int c, char **argv)
{
	if (c == ':' && optopt >= SCC_OPT_SECCOMP)
		return scc_usage_error("option '--%s' needs an argument", scc_long_name(optopt));
	if (c == ':')
		return scc_usage_error("option '-%c' needs an argument", optopt);
	if (optopt >= SCC_OPT_SECCOMP)
		return scc_usage_error("option '--%s' takes no argument", scc_long_name(optopt));
	if (optopt != 0)
		return scc_usage_error("unrecognized option '-%c'", optopt);
	return scc_usage_error("unrecognized option '%s'", argv[optind - 1]);
}

static int
scc_ieq(const char *a, size_t alen, const char *b)
{
	if (strlen(b) != alen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] >= 'a' && a[i] <= 'z' ? (char)(a[i] - 'a' + 'A') : a[i];
		if (x != b[i])
			return 0;
	}
	return 1;
}

/* --caps LIST: each item names one of <linux/capability.h>'s, with or
 * without CAP_, in any case; the list holds the table's own strings. */
static int
scc_caps(struct scc_args *a, const char *list)
{
	a->so.caps = a->caps;
	a->so.ncaps = 0;
	if (strcmp(list, "none") == 0)
		return SCC_CONTINUE;
	for (const char *s = list;; s++) {
		size_t m = strcspn(s, ",");
		const char *name = s;
		size_t len = m;
		if (len > 4 && scc_ieq(name, 4, "CAP_")) {
			name += 4;
			len -= 4;
		}
		size_t i = 0, ncap = sizeof(scc_cap_names) / sizeof(scc_cap_names[0]);
		while (i < ncap && !scc_ieq(name, len, scc_cap_names[i] + 4))
			i++;
		if (i == ncap)
			return scc_usage_error("--caps: unknown capability '%.*s'", (int)m, s);
		if (a->so.ncaps == SCC_MAX_CAPS)
			return scc_usage_error("--caps: more than %d capabilities", SCC_MAX_CAPS);
		a->caps[a->so.ncaps++] = scc_cap_names[i];
		s += m;
		if (*s == '\0')
			return SCC_CONTINUE;
	}
}

/* --kernel X.Y (a third number, as uname prints it, is allowed). */
static int
scc_kernel(struct scc_args *a, const char *s)
{
	unsigned long major, minor;
	char *end;

	if (*s >= '0' && *s <= '9') {
		major = strtoul(s, &end, 10);
		if (end[0] == '.' && end[1] >= '0' && end[1] <= '9') {
			minor = strtoul(end + 1, &end, 10);
			if ((*end == '\0' || *end == '.') && major <= 65535 && minor <= 65535 &&
			    (major | minor) != 0) {
				a->so.kernel_major = (unsigned)major;
				a->so.kernel_minor = (unsigned)minor;
				return SCC_CONTINUE;
			}
		}
	}
	return scc_usage_error("--kernel: '%s' is not a kernel version like 6.1", s);
}

/* --arch NAME[,NAME...]: libseccomp's names, SCMP_ARCH_ ones or Go's. */
static int
scc_arches(struct scc_args *a, const char *list)
{
	a->so.narches = 0;
	for (const char *s = list;; s++) {
		size_t m = strcspn(s, ",");
		uint32_t t = seccomp_arch_token(s, m);
		if (t == 0)
			return scc_usage_error("--arch: unknown architecture '%.*s'", (int)m, s);
		if (a->so.narches == SECCOMP_MAX_ARCHES)
			return scc_usage_error("--arch: more than %d architectures",
					       SECCOMP_MAX_ARCHES);
		a->so.arches[a->so.narches++] = t;
		s += m;
		if (*s == '\0')
			return SCC_CONTINUE;
	}
}

/* One option: SCC_CONTINUE, or an exit status after a message. */
static int
scc_option(struct scc_args *a, int c, char **argv)
{
	switch (c) {
	case SCC_OPT_SECCOMP:
		/* `bpfc --seccomp --help`: getopt took --help for the file */
		a->help |= strcmp(optarg, "--help") == 0 || strcmp(optarg, "-h") == 0;
		a->policy_path = optarg;
		return SCC_CONTINUE;
	case SCC_OPT_FORMAT:
		if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
			return scc_usage_error("--format: unknown format '%s' (json, text)",
					       optarg);
		a->format = optarg[0] == 'j' ? SCC_FORMAT_JSON : SCC_FORMAT_TEXT;
		return SCC_CONTINUE;
	case 'd': a->listing++; return SCC_CONTINUE;
	case 'o': a->opath = optarg; return SCC_CONTINUE;
	case SCC_OPT_STATS: a->stats = 1; return SCC_CONTINUE;
	case SCC_OPT_CAPS: return scc_caps(a, optarg);
	case SCC_OPT_KERNEL: return scc_kernel(a, optarg);
	case SCC_OPT_ARCH: return scc_arches(a, optarg);
	case SCC_OPT_IGNORE: a->so.ignore_unknown = 1; return SCC_CONTINUE;
	case SCC_OPT_EXEC: a->exec = 1; return SCC_CONTINUE;
	case 'h':
	case SCC_OPT_HELP: a->help = 1; return SCC_CONTINUE;
	default: return scc_getopt_error(c, argv);
	}
}

static int
scc_parse_args(struct scc_args *a, int argc, char **argv)
{
	int c, rc;

	memset(a, 0, sizeof(*a));
	seccomp_options_init(&a->so);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, scc_short_options, scc_long_options, NULL)) != -1)
		if ((rc = scc_option(a, c, argv)) != SCC_CONTINUE)
			return rc;
	if (a->help)
		return SCC_CONTINUE;
	if (a->exec && optind == argc)
		return scc_usage_error("--exec needs a command to run");
	if (!a->exec && optind < argc)
		return scc_usage_error("unexpected argument '%s' (a command to run needs --exec)",
				       argv[optind]);
	a->cmd = a->exec ? argv + optind : NULL;
	if (a->opath != NULL && strcmp(a->opath, "-") == 0 && (a->listing > 0 || a->stats))
		return scc_usage_error("-o - writes the program to standard output: do not "
				       "print a listing or --stats there too");
	return SCC_CONTINUE;
}

/* ---- reading and compiling the policy ------------------------------------ */

static int
scc_read(struct scc_text *t, const char *path)
{
	int is_stdin = strcmp(path, "-") == 0;
	struct strbuf b;
	char buf[65536];
	size_t got;

	t->name = is_stdin ? "<stdin>" : path;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	if (fp == NULL) {
		scc_error("%s: %s", t->name, strerror(errno));
		return SCC_INPUT;
	}
	strbuf_init(&b);
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0 && b.len <= SCC_MAX_INPUT)
		strbuf_append(&b, buf, got);
	int bad = ferror(fp), e = errno;
	if (!is_stdin)
		fclose(fp);
	t->len = b.len;
	t->data = strbuf_take(&b);
	if (bad)
		scc_error("%s: %s", t->name, strerror(e));
	else if (t->data == NULL)
		scc_error("%s: out of memory", t->name);
	else if (t->len > SCC_MAX_INPUT)
		scc_error("%s: larger than the %zu MiB limit for a policy", t->name,
			  SCC_MAX_INPUT >> 20);
	else
		return SCC_OK;
	return SCC_INPUT;
}

/* An error about the policy: a caret under its text when it has a
 * position, else the file's name. */
static int
scc_report(const struct scc_text *t, struct bpfc_error *err)
{
	if (err->code == BPFC_OK) /* a stage broke its contract */
		diag_plain(err, BPFC_EINTERNAL, "compiling the policy failed without a reason");
	if (err->insn >= 0 || (err->begin == 0 && err->end == 0))
		scc_error("%s: %s", t->name, err->msg);
	else
		diag_print(stderr, SCC_PROG, err, t->data, t->len, t->name);
	return SCC_INPUT;
}

/* JSON when asked for, or when the first non-blank byte is '{'. */
static int
scc_is_json(const struct scc_args *a, const struct scc_text *t)
{
	if (a->format != SCC_FORMAT_AUTO)
		return a->format == SCC_FORMAT_JSON;
	const char *s = t->data + strspn(t->data, " \t\r\n");
	return *s == '{';
}

static int
scc_compile(struct arena *ar, const struct scc_args *a, const struct scc_text *t,
	    struct seccomp_policy **p, struct bpfc_insn **insns, size_t *n)
{
	struct bpfc_error err;

	diag_init(&err);
	if (scc_is_json(a, t) ? seccomp_parse_json(ar, t->data, t->len, &a->so, p, &err) < 0
			      : seccomp_parse_text(ar, t->data, t->len, &a->so, p, &err) < 0)
		return scc_report(t, &err);                           /* seccomp/: parse */
	if (seccomp_codegen(ar, *p, insns, n, &err) < 0)              /* seccomp/: generate */
		return scc_report(t, &err);
	if (seccomp_check(*insns, *n, &err) < 0) {                    /* seccomp/: kernel rules */
		scc_error("internal error: the generated program breaks the kernel's rules: %s",
			  err.msg);
		return SCC_INPUT;
	}
	return SCC_OK;
}

/* ---- the outputs ------------------------------------------------------------ */

static int
scc_flush_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		scc_error("standard output: %s", strerror(errno));
		return SCC_INPUT;
	}
	return SCC_OK;
}

static int
scc_print_listing(const struct bpfc_insn *insns, size_t n, int ndflag)
{
	/* As tcpdump: more than three -d still means the decimal form. */
	enum bpfc_listing style = ndflag >= 3 ? BPFC_LISTING_DDD
				  : ndflag == 2 ? BPFC_LISTING_DD
						: BPFC_LISTING_D;
	struct strbuf b;

	strbuf_init(&b);
	cbpf_listing(&b, insns, n, style);                                /* cbpf/ */
	char *text = strbuf_take(&b);
	if (text == NULL) {
		scc_error("out of memory");
		return SCC_INPUT;
	}
	fputs(text, stdout);
	free(text);
	return scc_flush_stdout();
}

static int
scc_print_stats(struct arena *ar, const struct seccomp_policy *p, const struct bpfc_insn *insns,
		size_t n)
{
	struct seccomp_stats st;
	struct bpfc_error err;

	diag_init(&err);
	if (seccomp_stats(ar, p, insns, n, &st, &err) < 0) {               /* seccomp/ */
		scc_error("--stats: %s", err.msg);
		return SCC_INPUT;
	}
	printf("instructions: %zu\n", st.ninsns);
	printf("%-12s %27s %27s\n", "", "executed per named syscall", "executed per allowed one");
	printf("%-12s %8s %4s %7s %4s  %8s %4s %7s %4s %10s\n", "arch", "syscalls", "min", "avg",
	       "max", "allowed", "min", "avg", "max", "cacheable");
	for (size_t i = 0; i < st.narches; i++) {
		const struct seccomp_arch_stats *s = &st.arches[i];
		printf("%-12s %8zu %4u %7.2f %4u  %8zu %4u %7.2f %4u %10zu\n", s->name, s->ncalls,
		       s->min, s->avg, s->max, s->nallowed, s->allowed_min, s->allowed_avg,
		       s->allowed_max, s->ncacheable);
	}
	fputs("(instructions run per syscall number the policy names, arguments 0;\n"
	      "cacheable: allowed from arch and number alone, which Linux >= 5.11 answers\n"
	      "from its action cache without running the filter)\n",
	      stdout);
	return scc_flush_stdout();
}

/* -o FILE: written beside it and renamed, so FILE is whole or untouched. */
static int
scc_write_raw(const char *path, const struct bpfc_insn *insns, size_t n)
{
	if (strcmp(path, "-") == 0) {
		if (fwrite(insns, sizeof(*insns), n, stdout) != n)
			scc_error("standard output: %s", strerror(errno));
		return scc_flush_stdout();
	}
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 8);
	if (tmp == NULL) {
		scc_error("out of memory");
		return SCC_INPUT;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", 8);
	mode_t mask = umask(0);
	umask(mask);
	int fd = mkstemp(tmp), rc = SCC_INPUT;
	FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (fp == NULL) {
		scc_error("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	} else {
		int ok = fchmod(fd, 0666 & ~mask) == 0 && fwrite(insns, sizeof(*insns), n, fp) == n;
		ok = fclose(fp) == 0 && ok; /* fclose always, and its error counts */
		if (ok && rename(tmp, path) == 0)
			rc = SCC_OK;
		else
			scc_error("%s: %s", path, strerror(errno));
	}
	if (fd >= 0 && rc != SCC_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* --exec: the filter in this process, then the command.  Returns only
 * when something failed. */
static int
scc_exec(const struct seccomp_policy *p, struct bpfc_insn *insns, size_t n, char **cmd)
{
	struct sock_fprog fp = {(unsigned short)n, (struct sock_filter *)insns};
	uint32_t native = seccomp_arch_native();
	size_t i = 0;

	while (i < p->narches && p->arches[i].token != native)
		i++;
	if (i == p->narches) {
		scc_error("--exec: the policy does not cover this machine's architecture: "
			  "%s would be killed at its first system call", cmd[0]);
		return SCC_INPUT;
	}
	if (scc_flush_stdout() != SCC_OK)
		return SCC_INPUT;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		scc_error("--exec: cannot set no_new_privs: %s", strerror(errno));
		return SCC_INPUT;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) != 0 &&
	    (errno != ENOSYS || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) != 0)) {
		scc_error("--exec: cannot install the seccomp filter: %s", strerror(errno));
		return SCC_INPUT;
	}
	execvp(cmd[0], cmd);
	int e = errno;
	/* under the filter now: this message may itself be denied */
	scc_error("--exec: %s: %s", cmd[0], strerror(e));
	return e == ENOENT ? 127 : 126;
}

/* The listing is the default output unless another one is asked for. */
static int
scc_wants_listing(const struct scc_args *a)
{
	return a->listing > 0 || (a->opath == NULL && !a->stats && !a->exec);
}

/* ---- the pipeline ------------------------------------------------------------ */

int
cli_seccomp_main(int argc, char **argv)
{
	struct scc_args a;
	struct scc_text t = {0};
	struct seccomp_policy *p = NULL;
	struct bpfc_insn *insns = NULL;
	size_t n = 0;
	struct arena ar;

	int rc = scc_parse_args(&a, argc, argv);
	if (rc != SCC_CONTINUE)
		return rc;
	if (a.help) {
		fputs(scc_help_text, stdout);
		return scc_flush_stdout();
	}
	arena_init(&ar);
	rc = scc_read(&t, a.policy_path);                               /* the policy's text */
	if (rc == SCC_OK)
		rc = scc_compile(&ar, &a, &t, &p, &insns, &n);          /* seccomp/ */
	if (rc == SCC_OK && scc_wants_listing(&a))
		rc = scc_print_listing(insns, n, a.listing);            /* cbpf/: listing */
	if (rc == SCC_OK && a.stats)
		rc = scc_print_stats(&ar, p, insns, n);                 /* seccomp/: figures */
	if (rc == SCC_OK && a.opath != NULL)
		rc = scc_write_raw(a.opath, insns, n);                  /* struct sock_filter[] */
	if (rc == SCC_OK && a.cmd != NULL)
		rc = scc_exec(p, insns, n, a.cmd);                      /* the kernel, execvp */
	arena_release(&ar);
	free(t.data);
	return rc;
}
