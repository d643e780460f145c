/*
 * check_grammar.c: the filter-expression parser (grammar/) on its own.
 *
 * Oracles:
 *   corpus      tests/grammar/exprs.txt (hand-written, every keyword,
 *               qualifier combination, elision case, literal form and
 *               many malformed ones): libpcap's pcap_compile() decides.
 *               When it accepts, parse_filter must; when its message says
 *               syntax error (or one of its scanner's errors), parse_filter
 *               must fail with BPFC_ESYNTAX.  libpcap's semantic errors
 *               (unknown host, wrong link type) constrain nothing and are
 *               counted; an expression failing that way on DLT_EN10MB is
 *               retried on link types where its primitive means something
 *               (ATM, MTP2, 802.11, pflog, ARCnet), to see more of it parsed.
 *               Lines starting "+ " are newer than libpcap 1.10 (vxlan):
 *               bpfc parses them, the installed libpcap must not.
 *   random      100,000 seeded token sequences from the grammar's
 *               vocabulary, mostly valid, some mutated, some soup: same
 *               rule as the corpus.
 *   arith       random constant arithmetic `len = E`: an evaluator over
 *               bpfc's tree must give the constant libpcap's optimizer
 *               folds into `jeq #k`: precedence and associativity,
 *               including libpcap's quirks for % and ^.
 *   golden      tests/grammar/ *.golden: trees derived by hand from
 *               pcap-filter(7) and libpcap's grammar (precedence, elision,
 *               primitives).
 *   errors      bad expressions: message substring and the exact byte
 *               range of the offending token (found with strstr).
 *   spans       byte ranges of nodes and literals, found with strstr.
 *   fuzz        random bytes and token soups: no crash, no leak (run under
 *               ASan/LSan), every tree well formed.
 *   speed       expressions/s over the corpus; `host A or host B ...` with
 *               10,000 terms under 100 ms (not timed under sanitizers).
 *
 * Name lookups: libpcap resolves host names while it parses.  So that no
 * test ever asks DNS, this program interposes getaddrinfo() and
 * gethostbyname(): only "localhost" and numeric addresses resolve, any
 * other name fails at once, as an unknown host.
 *
 * Environment: BPFC_SEED (default fixed), BPFC_TEST_SCALE (float
 * multiplier of the random counts; they shrink under sanitizers).
 */
#include <config.h>

#include <check.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "grammar/grammar.h"
#include "tests/gen/rng.h"
#include "tests/gen/testenv.h"
#include "tests/grammar/exprgen.h"
#include "tests/grammar/unparse.h"

#define CG_RANDOM 100000.0
#define CG_ARITH 20000.0
#define CG_FUZZ 50000.0

/* ---- hermetic name lookups ----------------------------------------------- */

static int
cg_name_allowed(const char *node)
{
	unsigned char probe[16];
	return node == NULL || strcmp(node, "localhost") == 0 ||
	       inet_pton(AF_INET, node, probe) == 1 || inet_pton(AF_INET6, node, probe) == 1;
}

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
	    struct addrinfo **res)
{
	typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *,
			      struct addrinfo **);
	gai_fn real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");

	if (!cg_name_allowed(node) || real == NULL)
		return EAI_NONAME;
	return real(node, service, hints, res);
}

struct hostent *
gethostbyname(const char *name)
{
	typedef struct hostent *(*ghbn_fn)(const char *);
	ghbn_fn real = (ghbn_fn)dlsym(RTLD_NEXT, "gethostbyname");

	if (!cg_name_allowed(name) || real == NULL) {
		h_errno = HOST_NOT_FOUND;
		return NULL;
	}
	return real(name);
}

/* ---- configuration ------------------------------------------------------- */

static uint64_t
cg_seed(void)
{
	return testenv_seed("BPFC_SEED", 0x6772616d6d6172ull);
}

static size_t
cg_count(double base)
{
	double n = base * testenv_scale() / (TESTENV_SANITIZED ? 4 : 1);
	return n < 1 ? 1 : (size_t)n;
}

static const char *
cg_srcdir(void)
{
	const char *top = getenv("top_srcdir");
	return top != NULL ? top : ".";
}

/* ---- bpfc's side ---------------------------------------------------------- */

struct cg_parse {
	struct arena arena;
	struct ast_node *root;
	struct bpfc_error err;
};

static void
cg_parse(struct cg_parse *p, const char *text, size_t len)
{
	arena_init(&p->arena);
	diag_init(&p->err);
	p->root = parse_filter(&p->arena, text, len, &p->err);
}

static char *
cg_dump(const struct ast_node *n, unsigned flags)
{
	struct strbuf b;
	strbuf_init(&b);
	ast_dump(&b, n, flags);
	return strbuf_take(&b);
}

/* Well-formedness of a tree parse_filter returned: spans inside the text
 * and ordered, no GROUP left, every id qualified.  Returns a complaint or
 * NULL. */
static const char *
cg_check_tree(const struct ast_node *n, uint32_t len, int depth)
{
	if (depth > 20000)
		return "tree deeper than the parser's stack";
	if (n == NULL)
		return "NULL child";
	if (n->at.begin > n->at.end || n->at.end > len)
		return "node span outside the text";
	switch (n->kind) {
	case AST_AND:
	case AST_OR: {
		const char *e = cg_check_tree(n->u.bin.r, len, depth + 1);
		/* Left spines can be long: walk them in a loop. */
		while (e == NULL && (n->u.bin.l->kind == AST_AND || n->u.bin.l->kind == AST_OR)) {
			n = n->u.bin.l;
			if (n->at.begin > n->at.end || n->at.end > len)
				return "node span outside the text";
			e = cg_check_tree(n->u.bin.r, len, depth + 1);
		}
		return e != NULL ? e : cg_check_tree(n->u.bin.l, len, depth + 1);
	}
	case AST_NOT:
	case AST_NEG:
		return cg_check_tree(n->u.operand, len, depth + 1);
	case AST_GROUP:
		return "GROUP node left in the tree";
	case AST_ID:
		if (n->u.id.q == NULL)
			return "id without qualifiers";
		if (n->u.id.addr == NULL || n->u.id.addr->at.end > len)
			return "id value span outside the text";
		if (n->u.id.elided != (n->u.id.from != NULL))
			return "elided id without its source";
		return NULL;
	case AST_REL:
		if (cg_check_tree(n->u.rel.l, len, depth + 1) != NULL)
			return cg_check_tree(n->u.rel.l, len, depth + 1);
		return cg_check_tree(n->u.rel.r, len, depth + 1);
	case AST_BINOP:
		if (cg_check_tree(n->u.arith.l, len, depth + 1) != NULL)
			return cg_check_tree(n->u.arith.l, len, depth + 1);
		return cg_check_tree(n->u.arith.r, len, depth + 1);
	case AST_LOAD:
		return cg_check_tree(n->u.load.index, len, depth + 1);
	default:
		return NULL;
	}
}

/* ---- libpcap's side ----------------------------------------------------------- */

enum cg_verdict { CG_OK, CG_SYNTAX, CG_SEMANTIC };

/* Link types tried, in order, while libpcap's answer is semantic. */
static const int cg_dlts[] = {DLT_EN10MB,	    DLT_SUNATM,	 DLT_MTP2, DLT_IEEE802_11_RADIO,
			      DLT_PFLOG,	    DLT_ARCNET,	 DLT_IEEE802_11, DLT_MTP2_WITH_PHDR,
			      DLT_LINUX_SLL};
#define CG_NDLTS (sizeof(cg_dlts) / sizeof(cg_dlts[0]))

static pcap_t *cg_pcap[CG_NDLTS];

static void
cg_pcap_open(void)
{
	for (size_t i = 0; i < CG_NDLTS; i++)
		if (cg_pcap[i] == NULL)
			cg_pcap[i] = pcap_open_dead(cg_dlts[i], 262144);
}

/* libpcap's errors that come from its scanner or from yyerror/syntax():
 * the ones bpfc must also call syntax errors. */
static int
cg_is_syntax(const char *msg)
{
	static const char *const marks[] = {
		"syntax error",	     "overflows 32 bits",     "non-octal digit",
		"non-hex digit",     "non-decimal digit",     "bogus ethernet address",
		"bogus IPv6 address", "illegal character",
	};
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(msg, marks[i]) != NULL)
			return 1;
	return 0;
}

/* libpcap's verdict; when it accepts, *dlt is the index in cg_dlts of
 * the link type it accepted the expression for. */
static enum cg_verdict
cg_libpcap_on(const char *expr, size_t *dlt, char *msg, size_t msgsize)
{
	cg_pcap_open();
	for (size_t i = 0; i < CG_NDLTS; i++) {
		struct bpf_program fp;
		if (cg_pcap[i] == NULL)
			continue;
		if (pcap_compile(cg_pcap[i], &fp, expr, 0, PCAP_NETMASK_UNKNOWN) == 0) {
			pcap_freecode(&fp);
			*dlt = i;
			return CG_OK;
		}
		const char *e = pcap_geterr(cg_pcap[i]);
		if (i == 0)
			snprintf(msg, msgsize, "%s", e);
		if (cg_is_syntax(e)) {
			snprintf(msg, msgsize, "%s", e);
			return CG_SYNTAX;
		}
	}
	return CG_SEMANTIC;
}

static enum cg_verdict
cg_libpcap(const char *expr, char *msg, size_t msgsize)
{
	size_t dlt;
	return cg_libpcap_on(expr, &dlt, msg, msgsize);
}

/* Same instructions from libpcap for `a` and `b` on link type cg_dlts[dlt]? */
static int
cg_same_program(const char *a, const char *b, size_t dlt, char *msg, size_t msgsize)
{
	struct bpf_program pa, pb;
	int same;

	if (pcap_compile(cg_pcap[dlt], &pa, a, 0, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(msg, msgsize, "%s", pcap_geterr(cg_pcap[dlt]));
		return 0;
	}
	if (pcap_compile(cg_pcap[dlt], &pb, b, 0, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(msg, msgsize, "rewritten form rejected: %s", pcap_geterr(cg_pcap[dlt]));
		pcap_freecode(&pa);
		return 0;
	}
	same = pa.bf_len == pb.bf_len &&
	       memcmp(pa.bf_insns, pb.bf_insns, pa.bf_len * sizeof(*pa.bf_insns)) == 0;
	if (!same)
		snprintf(msg, msgsize, "libpcap compiles the rewritten form differently (%u vs %u insns)",
			 pa.bf_len, pb.bf_len);
	pcap_freecode(&pa);
	pcap_freecode(&pb);
	return same;
}

/* ---- the acceptance rule ---------------------------------------------------------- */

struct cg_counts {
	size_t total, ok, same_program, syntax, semantic, semantic_parsed;
};

/* Returns NULL, or why bpfc and libpcap disagree. */
static const char *
cg_agree(const char *expr, struct cg_counts *c, char *msg, size_t msgsize)
{
	struct cg_parse p;
	size_t dlt = 0;
	enum cg_verdict v = cg_libpcap_on(expr, &dlt, msg, msgsize);
	const char *why = NULL;

	cg_parse(&p, expr, strlen(expr));
	c->total++;
	switch (v) {
	case CG_OK:
		c->ok++;
		if (p.root == NULL) {
			why = "libpcap accepts it, bpfc does not";
			break;
		}
		struct strbuf b;
		strbuf_init(&b);
		unparse_filter(&b, p.root);
		char *text = strbuf_take(&b);
		if (!cg_same_program(expr, text, dlt, msg, msgsize))
			why = "bpfc's tree, written out in full, means something else to libpcap";
		else
			c->same_program++;
		if (why != NULL)
			fprintf(stderr, "  rewritten: %s\n", text);
		free(text);
		break;
	case CG_SYNTAX:
		c->syntax++;
		if (p.root != NULL)
			why = "libpcap says syntax error, bpfc accepts it";
		else if (p.err.code != BPFC_ESYNTAX)
			why = "libpcap says syntax error, bpfc's error is not BPFC_ESYNTAX";
		break;
	case CG_SEMANTIC:
		c->semantic++;
		c->semantic_parsed += p.root != NULL;
		break;
	}
	if (why == NULL && p.root != NULL)
		why = cg_check_tree(p.root, (uint32_t)strlen(expr), 0);
	if (why != NULL)
		fprintf(stderr, "  expr:    %s\n  libpcap: %s\n  bpfc:    %s\n", expr,
			v == CG_OK ? "accepted" : msg, p.root != NULL ? "accepted" : p.err.msg);
	arena_release(&p.arena);
	return why;
}

static void
cg_print_counts(const char *what, const struct cg_counts *c)
{
	printf("%s: %zu expressions: libpcap accepted %zu (the same program from bpfc's tree "
	       "written out in full: %zu), syntax errors %zu, semantic errors %zu (bpfc parsed "
	       "%zu of those)\n",
	       what, c->total, c->ok, c->same_program, c->syntax, c->semantic, c->semantic_parsed);
}

/* ---- corpus ------------------------------------------------------------------------ */

START_TEST(corpus)
{
	char path[4096], line[4096], msg[PCAP_ERRBUF_SIZE];
	struct cg_counts c = {0};
	size_t newer = 0, failures = 0;
	struct timespec t0, t1;
	double parse_s = 0;

	snprintf(path, sizeof(path), "%s/tests/grammar/exprs.txt", cg_srcdir());
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s (set top_srcdir)", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (strncmp(line, "+ ", 2) == 0) {
			/* Newer than the installed libpcap: it must say syntax error,
			 * bpfc must parse it. */
			struct cg_parse p;
			newer++;
			cg_parse(&p, line + 2, strlen(line + 2));
			ck_assert_msg(p.root != NULL, "bpfc rejects '%s': %s", line + 2, p.err.msg);
			ck_assert_msg(cg_libpcap(line + 2, msg, sizeof(msg)) == CG_SYNTAX,
				      "libpcap 1.10 no longer rejects '%s': move it into the corpus",
				      line + 2);
			arena_release(&p.arena);
			continue;
		}
		const char *why = cg_agree(line, &c, msg, sizeof(msg));
		if (why != NULL) {
			fprintf(stderr, "corpus: %s\n", why);
			failures++;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int r = 0; r < 20; r++) {
			struct cg_parse p;
			cg_parse(&p, line, strlen(line));
			arena_release(&p.arena);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		parse_s += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	}
	fclose(f);
	cg_print_counts("corpus", &c);
	printf("corpus: %zu lines newer than libpcap 1.10 parsed; bpfc parses %.0f expressions/s\n",
	       newer, (double)c.total * 20 / parse_s);
	ck_assert_msg(failures == 0, "%zu corpus expressions disagree with libpcap", failures);
	ck_assert_msg(c.total + newer >= 500, "corpus has only %zu expressions", c.total + newer);
	ck_assert_msg(c.ok >= 250 && c.syntax >= 100, "corpus lacks accepted or rejected cases");
	ck_assert(newer > 0);
}
END_TEST

START_TEST(random_exprs)
{
	uint64_t seed = cg_seed();
	size_t count = cg_count(CG_RANDOM), failures = 0;
	struct cg_counts c = {0};
	struct exprgen g;
	char expr[4096], msg[PCAP_ERRBUF_SIZE];

	eg_init(&g, seed);
	for (size_t i = 0; i < count; i++) {
		eg_random(&g, expr, sizeof(expr));
		const char *why = cg_agree(expr, &c, msg, sizeof(msg));
		if (why != NULL) {
			fprintf(stderr, "random #%zu (BPFC_SEED=0x%llx): %s\n", i,
				(unsigned long long)seed, why);
			if (++failures >= 20)
				break;
		}
	}
	cg_print_counts("random", &c);
	ck_assert_msg(failures == 0, "%zu random expressions disagree with libpcap (BPFC_SEED=0x%llx)",
		      failures, (unsigned long long)seed);
	/* The generator must exercise both sides of the rule. */
	ck_assert(c.ok > c.total / 10 && c.syntax > c.total / 20);
}
END_TEST

/* ---- arithmetic precedence against libpcap's constant folding ------------------------- */
/* libpcap's ALU on 32-bit values; -1 when the result is undefined (a
 * zero divisor, a shift of 32 or more), which libpcap refuses. */
static int
cg_eval(const struct ast_node *n, uint32_t *v)
{
	uint32_t a, b;

	switch (n->kind) {
	case AST_NUM:
		*v = n->u.num->num;
		return 0;
	case AST_NEG:
		if (cg_eval(n->u.operand, &a) < 0)
			return -1;
		*v = 0u - a;
		return 0;
	case AST_BINOP:
		if (cg_eval(n->u.arith.l, &a) < 0 || cg_eval(n->u.arith.r, &b) < 0)
			return -1;
		break;
	default:
		return -1;
	}
	switch (n->u.arith.op) {
	case AST_ADD: *v = a + b; return 0;
	case AST_SUB: *v = a - b; return 0;
	case AST_MUL: *v = a * b; return 0;
	case AST_DIV: if (b == 0) return -1; *v = a / b; return 0;
	case AST_MOD: if (b == 0) return -1; *v = a % b; return 0;
	case AST_AND_OP: *v = a & b; return 0;
	case AST_OR_OP: *v = a | b; return 0;
	case AST_XOR: *v = a ^ b; return 0;
	case AST_LSH: if (b >= 32) return -1; *v = a << b; return 0;
	case AST_RSH: if (b >= 32) return -1; *v = a >> b; return 0;
	}
	return -1;
}

/* The k of `ld #pktlen; jeq #k; ret; ret`, -1 when libpcap's program has
 * another shape, -2 (and its message) when it refuses the expression. */
static int64_t
cg_libpcap_folded(const char *expr, char *msg, size_t msgsize)
{
	struct bpf_program fp;
	int64_t k = -1;

	cg_pcap_open();
	if (pcap_compile(cg_pcap[0], &fp, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(msg, msgsize, "%s", pcap_geterr(cg_pcap[0]));
		return -2;
	}
	if (fp.bf_len == 4 && fp.bf_insns[0].code == (BPF_LD | BPF_W | BPF_LEN) &&
	    fp.bf_insns[1].code == (BPF_JMP | BPF_JEQ | BPF_K))
		k = fp.bf_insns[1].k;
	pcap_freecode(&fp);
	return k;
}

START_TEST(arith_precedence)
{
	uint64_t seed = cg_seed() ^ 0xa417;
	size_t count = cg_count(CG_ARITH), compared = 0, undefined = 0, unfolded = 0, refused = 0;
	struct exprgen g;
	char expr[4096];

	eg_init(&g, seed);
	for (size_t i = 0; i < count; i++) {
		eg_const_relation(&g, expr, sizeof(expr));
		struct cg_parse p;
		uint32_t mine;
		cg_parse(&p, expr, strlen(expr));
		ck_assert_msg(p.root != NULL && p.root->kind == AST_REL, "'%s': %s", expr, p.err.msg);
		int defined = cg_eval(p.root->u.rel.r, &mine) == 0;
		arena_release(&p.arena);
		char why[PCAP_ERRBUF_SIZE] = "";
		int64_t theirs = cg_libpcap_folded(expr, why, sizeof(why));
		if (theirs == -2 && (strstr(why, "by zero") != NULL || strstr(why, "shift") != NULL)) {
			/* libpcap refuses a divisor whose code starts by loading 0,
			 * even when it is not 0, and constant shifts >= 32. */
			refused++;
			continue;
		}
		if (!defined) {
			undefined++;
			continue;
		}
		if (theirs == -1) {
			unfolded++;
			continue;
		}
		ck_assert_msg(theirs >= 0, "libpcap rejects '%s' (%s), which bpfc evaluates to %u",
			      expr, why, mine);
		ck_assert_msg((uint32_t)theirs == mine,
			      "'%s': libpcap folds it to %lld, bpfc's tree gives %u (BPFC_SEED=0x%llx)",
			      expr, (long long)theirs, mine, (unsigned long long)cg_seed());
		compared++;
	}
	printf("arith: %zu constant expressions: %zu values equal libpcap's, %zu undefined "
	       "(zero divisor or shift >= 32), %zu refused by libpcap's divisor/shift checks, "
	       "%zu not folded by libpcap\n",
	       count, compared, undefined, refused, unfolded);
	ck_assert_msg(compared >= count / 2 && unfolded <= count / 20,
		      "too few comparisons (%zu of %zu)", compared, count);
}
END_TEST

/* ---- golden trees -------------------------------------------------------------------------- */

static char *
cg_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		size_t got = fread(buf, 1, (size_t)n, f);
		buf[got] = '\0';
	}
	fclose(f);
	return buf;
}

static void
cg_golden_case(const char *name, const char *expr, const char *want)
{
	struct cg_parse pr;

	cg_parse(&pr, expr, strlen(expr));
	ck_assert_msg(pr.root != NULL, "%s: '%s' does not parse: %s", name, expr, pr.err.msg);
	char *got = cg_dump(pr.root, 0);
	ck_assert_msg(strcmp(got, want) == 0, "%s: '%s'\nwant:\n%sgot:\n%s", name, expr, want, got);
	free(got);
	arena_release(&pr.arena);
}

/* Sections "-- expr" (one line) then "-- ast" (the dump, up to the next
 * "-- expr"); blank lines and lines starting with '#' are not part of it. */
static size_t
cg_golden_file(const char *name)
{
	char path[4096], *save = NULL, *expr = NULL;
	struct strbuf want;
	size_t cases = 0;
	int in_ast = 0;

	snprintf(path, sizeof(path), "%s/tests/grammar/%s", cg_srcdir(), name);
	char *text = cg_read_file(path);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	strbuf_init(&want);
	for (char *line = strtok_r(text, "\n", &save); ; line = strtok_r(NULL, "\n", &save)) {
		if (line == NULL || strcmp(line, "-- expr") == 0) {
			if (expr != NULL) {
				ck_assert_msg(in_ast && want.len > 0, "%s: '%s' has no tree", name, expr);
				cg_golden_case(name, expr, want.data);
				cases++;
			}
			if (line == NULL)
				break;
			expr = NULL;
			in_ast = 0;
			want.len = 0;
		} else if (strcmp(line, "-- ast") == 0) {
			in_ast = 1;
		} else if (line[0] == '#') {
			continue;
		} else if (in_ast) {
			strbuf_printf(&want, "%s\n", line);
		} else if (expr == NULL) {
			expr = line;
		}
	}
	strbuf_release(&want);
	free(text);
	return cases;
}

static const char *const cg_golden_files[] = {"logic.golden", "elision.golden", "arith.golden",
					      "primitives.golden"};

START_TEST(golden)
{
	size_t n = cg_golden_file(cg_golden_files[_i]);
	printf("golden: %s: %zu trees\n", cg_golden_files[_i], n);
	ck_assert_msg(n >= 10, "%s has only %zu cases", cg_golden_files[_i], n);
}
END_TEST

/* ---- error messages and carets -------------------------------------------------------------- */

/*
 * The caret range is where `mark` occurs in `expr` (its `nth` occurrence,
 * 0-based); a NULL mark means the end of the text.
 */
struct cg_error_case {
	const char *expr;
	const char *mark;
	int nth;
	enum bpfc_status code;
	const char *msg;
};

static const struct cg_error_case cg_errors[] = {
	{"tcp port", NULL, 0, BPFC_ESYNTAX,
	 "unexpected end of expression after 'port'; expected a port number or name"},
	{"tcp port and udp", "and", 0, BPFC_ESYNTAX,
	 "unexpected 'and' after 'port'; expected a port number or name"},
	{"host", NULL, 0, BPFC_ESYNTAX, "expected a host name or address"},
	{"net and", "and", 0, BPFC_ESYNTAX, "expected a network address"},
	{"portrange or", "or", 1, BPFC_ESYNTAX, "expected a port range"},
	{"ip proto", NULL, 0, BPFC_ESYNTAX, "expected a protocol name or number"},
	{"less", NULL, 0, BPFC_ESYNTAX, "expected a packet length"},
	{"(tcp or udp", "(", 0, BPFC_ESYNTAX, "unbalanced parenthesis: this '(' is never closed"},
	{"((tcp) or (udp)", "(", 0, BPFC_ESYNTAX, "unbalanced parenthesis"},
	{"(tcp and (udp or icmp)", "(", 0, BPFC_ESYNTAX, "this '(' is never closed"},
	{"tcp) or udp", ")", 0, BPFC_ESYNTAX, "unbalanced parenthesis: this ')' has no matching '('"},
	{"(tcp)) or udp", ")", 1, BPFC_ESYNTAX, "no matching '('"},
	{"and tcp", "and", 0, BPFC_ESYNTAX, "unexpected 'and' at the start; expected a primitive"},
	{"tcp and", NULL, 0, BPFC_ESYNTAX, "unexpected end of expression after 'and'"},
	{"tcp port 80 80", "80", 1, BPFC_ESYNTAX, "expected 'and', 'or' or the end of the expression"},
	{"ether[0", NULL, 0, BPFC_ESYNTAX, "expected ']', ':' or an arithmetic operator"},
	{"ether[0] =", NULL, 0, BPFC_ESYNTAX, "expected an arithmetic operand (a number, len, or a packet field like ip[0])"},
	{"len = 08", "08", 0, BPFC_ESYNTAX, "invalid octal number '08'"},
	{"len = 4294967296", "4294967296", 0, BPFC_ESYNTAX, "does not fit in 32 bits"},
	{"len = 0x100000000", "0x100000000", 0, BPFC_ESYNTAX, "does not fit in 32 bits"},
	{"len > 0400000000000", "0400000000000", 0, BPFC_ESYNTAX, "does not fit in 32 bits"},
	/* twelve hex digits are a MAC address, as in libpcap */
	{"len > 040000000000", "040000000000", 0, BPFC_ESYNTAX, "unexpected '040000000000' after '>'"},
	{"host 1:2:3 and tcp", "1:2:3", 0, BPFC_ESYNTAX, "neither a MAC address"},
	{"ether host 1:2:3:4:5:6:7", "1:2:3:4:5:6:7", 0, BPFC_ESYNTAX, "neither a MAC address"},
	{"ip6 host fe80::256.1.2.3", "fe80::256.1.2.3", 0, BPFC_ESYNTAX, "invalid IPv6 address"},
	{"len = 1 @ 2", "@", 0, BPFC_ESYNTAX, "unexpected character '@'"},
	{"tcp\x01", "\x01", 0, BPFC_ESYNTAX, "unexpected byte 0x01"},
	{"tcp or 80", "80", 0, BPFC_ESYNTAX, "'80' needs a qualifier such as 'host' or 'port': 'tcp'"},
	{"len = 1 and 2", "2", 0, BPFC_ESYNTAX, "'len = 1' before it has none to lend"},
	{"(host a) or b", "b", 0, BPFC_ESYNTAX, "not inherited from inside parentheses"},
	{"vlan 1 or 2", "2", 0, BPFC_ESYNTAX, "'vlan 1' before it has none to lend"},
	{"src gateway x", "gateway", 0, BPFC_ESYNTAX, "unexpected 'gateway' after 'src'"},
	{"dst proto 6", "proto", 0, BPFC_ESYNTAX, "unexpected 'proto' after 'dst'"},
	{"byte 1 != 2", "!=", 0, BPFC_ESYNTAX, "expected '|', '&', '>', '=' or '<'"},
	{"wlan subtype 0", "0", 0, BPFC_ESYNTAX, "unexpected '0' after 'subtype'"},
	{"pppoed 1234", "1234", 0, BPFC_ESYNTAX, "unexpected '1234' after 'pppoed'"},
	{"tcp portrange 23-", "-", 0, BPFC_ESYNTAX, "unexpected '-' after '23'"},
	{"host 1.2.3.4 foo", "foo", 0, BPFC_ESYNTAX, "expected 'mask', '/', 'and', 'or'"},
	{"not", NULL, 0, BPFC_ESYNTAX, "unexpected end of expression after 'not'"},
	{"()", ")", 0, BPFC_ESYNTAX, "unexpected ')' after '('"},
	{"TCP", "TCP", 0, BPFC_ESYNTAX, "unexpected 'TCP' at the start"},
	{"ether proto ip", "ip", 0, BPFC_ESYNTAX,
	 "expected a protocol name or number ('ip' is a keyword: write '\\ip' for the name)"},
	{"host tcp or udp", "tcp", 0, BPFC_ESYNTAX, "'tcp' is a keyword: write '\\tcp'"},
	{"llc 1", "1", 0, BPFC_ESYNTAX, "expected an LLC frame type"},
	{"vlan x", "x", 0, BPFC_ESYNTAX, "expected a VLAN ID, 'and', 'or' or the end"},
	{"wlan type", NULL, 0, BPFC_ESYNTAX, "expected an 802.11 frame type"},
	{"on 1", "1", 0, BPFC_ESYNTAX, "expected an interface name"},
	{"tcp src", NULL, 0, BPFC_ESYNTAX, "expected an address, a qualifier"},
};

START_TEST(error_messages)
{
	const struct cg_error_case *c = &cg_errors[_i];
	struct cg_parse p;
	size_t len = strlen(c->expr);
	uint32_t begin = (uint32_t)len, end = (uint32_t)len;

	if (c->mark != NULL) {
		const char *at = strstr(c->expr, c->mark);
		for (int k = 0; k < c->nth && at != NULL; k++)
			at = strstr(at + 1, c->mark);
		ck_assert_msg(at != NULL, "bad test case '%s'", c->expr);
		begin = (uint32_t)(at - c->expr);
		end = begin + (uint32_t)strlen(c->mark);
	}
	cg_parse(&p, c->expr, len);
	ck_assert_msg(p.root == NULL, "'%s' parses", c->expr);
	ck_assert_msg(p.err.code == c->code, "'%s': code %d, want %d (%s)", c->expr, p.err.code,
		      c->code, p.err.msg);
	ck_assert_msg(strstr(p.err.msg, c->msg) != NULL, "'%s': message\n  %s\nlacks\n  %s", c->expr,
		      p.err.msg, c->msg);
	ck_assert_msg(p.err.begin == begin && p.err.end == end, "'%s': range [%u,%u), want [%u,%u)",
		      c->expr, p.err.begin, p.err.end, begin, end);
	/* Never a bison token name. */
	ck_assert_msg(strstr(p.err.msg, "HID") == NULL && strstr(p.err.msg, "TOK_") == NULL &&
			      strstr(p.err.msg, "$end") == NULL && strstr(p.err.msg, "YY") == NULL,
		      "'%s': %s", c->expr, p.err.msg);
	arena_release(&p.arena);
}
END_TEST

/* ---- spans ----------------------------------------------------------------------------------------- */

static void
cg_assert_span(const char *expr, struct ast_span at, const char *mark, int nth)
{
	const char *p = strstr(expr, mark);
	for (int k = 0; k < nth && p != NULL; k++)
		p = strstr(p + 1, mark);
	ck_assert_msg(p != NULL, "bad mark '%s'", mark);
	uint32_t b = (uint32_t)(p - expr), e = b + (uint32_t)strlen(mark);
	ck_assert_msg(at.begin == b && at.end == e, "'%s': span [%u,%u) is not '%s' [%u,%u)", expr,
		      at.begin, at.end, mark, b, e);
}

START_TEST(spans)
{
	struct cg_parse p;
	const char *e1 = "tcp dst port ftp or ftp-data";
	cg_parse(&p, e1, strlen(e1));
	ck_assert(p.root != NULL && p.root->kind == AST_OR);
	const struct ast_node *l = p.root->u.bin.l, *r = p.root->u.bin.r;
	cg_assert_span(e1, p.root->at, e1, 0);
	cg_assert_span(e1, l->at, "tcp dst port ftp", 0);
	cg_assert_span(e1, l->u.id.addr->at, "ftp", 0);
	cg_assert_span(e1, l->u.id.q->proto_at, "tcp", 0);
	cg_assert_span(e1, l->u.id.q->dir_at, "dst", 0);
	cg_assert_span(e1, l->u.id.q->addr_at, "port", 0);
	cg_assert_span(e1, r->at, "ftp-data", 0);
	ck_assert(r->u.id.elided && r->u.id.from == l && r->u.id.q == l->u.id.q);
	ck_assert(l->u.id.q->proto == AST_PROTO_TCP && l->u.id.q->dir == AST_DIR_DST &&
		  l->u.id.q->addr == AST_ADDR_PORT);
	arena_release(&p.arena);

	const char *e2 = "not (ether[0:2] & 0xff = 12) and  ( host (a or 10.0.0.0/8) )";
	cg_parse(&p, e2, strlen(e2));
	ck_assert_msg(p.root != NULL && p.root->kind == AST_AND, "%s", p.err.msg);
	const struct ast_node *rel = p.root->u.bin.l->u.operand;
	ck_assert(rel->kind == AST_REL && rel->u.rel.op == AST_EQ);
	cg_assert_span(e2, p.root->u.bin.l->at, "not (ether[0:2] & 0xff = 12)", 0);
	cg_assert_span(e2, rel->at, "ether[0:2] & 0xff = 12", 0);
	cg_assert_span(e2, rel->u.rel.l->at, "ether[0:2] & 0xff", 0);
	cg_assert_span(e2, rel->u.rel.l->u.arith.l->at, "ether[0:2]", 0);
	cg_assert_span(e2, rel->u.rel.l->u.arith.l->u.load.size->at, "2", 0);
	cg_assert_span(e2, rel->u.rel.l->u.arith.l->u.load.proto_at, "ether", 0);
	cg_assert_span(e2, rel->u.rel.r->at, "12", 0);
	const struct ast_node *ids = p.root->u.bin.r;
	ck_assert(ids->kind == AST_OR);
	cg_assert_span(e2, ids->at, "host (a or 10.0.0.0/8)", 0);
	cg_assert_span(e2, ids->u.bin.l->at, "a", 1);
	cg_assert_span(e2, ids->u.bin.r->at, "10.0.0.0/8", 0);
	cg_assert_span(e2, ids->u.bin.r->u.id.mask->at, "8", 0);
	ck_assert(!ids->u.bin.l->u.id.elided && !ids->u.bin.r->u.id.elided);
	arena_release(&p.arena);

	cg_parse(&p, "   ", 3);
	ck_assert(p.root != NULL && p.root->kind == AST_EMPTY);
	arena_release(&p.arena);
	cg_parse(&p, "", 0);
	ck_assert(p.root != NULL && p.root->kind == AST_EMPTY);
	arena_release(&p.arena);
	/* Not NUL-terminated: only `len` bytes count. */
	cg_parse(&p, "tcp port 80 and garbage(", 11);
	ck_assert_msg(p.root != NULL && p.root->kind == AST_ID, "%s", p.err.msg);
	arena_release(&p.arena);
}
END_TEST

/* ---- fuzz: nothing crashes or leaks, every tree is well formed ---------------------------------- */

static void
cg_fuzz_one(const char *text, size_t len, size_t *parsed)
{
	struct cg_parse p;

	cg_parse(&p, text, len);
	if (p.root != NULL) {
		const char *why = cg_check_tree(p.root, (uint32_t)len, 0);
		ck_assert_msg(why == NULL, "%s in the tree of '%.*s'", why, (int)len, text);
		char *d = cg_dump(p.root, AST_DUMP_SPANS);
		ck_assert(d != NULL);
		free(d);
		(*parsed)++;
	} else {
		ck_assert(diag_failed(&p.err) && p.err.msg[0] != '\0');
		ck_assert(p.err.begin <= p.err.end && p.err.end <= len);
	}
	arena_release(&p.arena);
}

START_TEST(fuzz)
{
	static const char alphabet[] = "  ()[]:!&|^<>=+-*/%$.\\,0123456789abcdefxX:-._ \t\r\n";
	uint64_t seed = cg_seed() ^ 0xf022;
	size_t count = cg_count(CG_FUZZ), parsed = 0;
	struct exprgen g;
	char buf[4096];

	eg_init(&g, seed);
	for (size_t i = 0; i < count; i++) {
		size_t len = rng_below(&g.r, 48);
		int mode = (int)rng_below(&g.r, 3);
		if (mode == 0) { /* any bytes */
			for (size_t k = 0; k < len; k++)
				buf[k] = (char)rng_below(&g.r, 256);
		} else if (mode == 1) { /* bytes scanners care about */
			for (size_t k = 0; k < len; k++)
				buf[k] = alphabet[rng_below(&g.r, sizeof(alphabet) - 1)];
		} else { /* token soup */
			eg_soup(&g, 30, buf, sizeof(buf));
			len = strlen(buf);
		}
		cg_fuzz_one(buf, len, &parsed);
	}
	printf("fuzz: %zu inputs, %zu parsed, no crash (BPFC_SEED=0x%llx)\n", count, parsed,
	       (unsigned long long)cg_seed());
}
END_TEST

/* Nesting as deep as the parser's stack allows, and deeper. */
START_TEST(deep)
{
	static const struct {
		const char *prefix, *open, *middle, *close;
		size_t n;
	} shapes[] = {
		{"", "(", "tcp", ")", 3000},	      {"", "(", "tcp", ")", 20000},
		{"", "not ", "tcp", "", 4000},	      {"", "not ", "tcp", "", 20000},
		{"len = ", "-", "1", "", 4000},      {"len = ", "-", "1", "", 20000},
		{"host ", "not ", "a", "", 4000},    {"len = ", "(", "1", ")", 3000},
		{"len = ", "(", "1", ")", 20000},    {"len = ", "tcp[", "0", "]", 300},
		{"", "(not ", "tcp", ")", 2000},
	};
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		struct strbuf b;
		strbuf_init(&b);
		strbuf_puts(&b, shapes[s].prefix);
		for (size_t i = 0; i < shapes[s].n; i++)
			strbuf_puts(&b, shapes[s].open);
		strbuf_puts(&b, shapes[s].middle);
		for (size_t i = 0; i < shapes[s].n; i++)
			strbuf_puts(&b, shapes[s].close);
		ck_assert(!b.failed);
		struct cg_parse p;
		char msg[PCAP_ERRBUF_SIZE] = "";
		enum cg_verdict v = cg_libpcap(b.data, msg, sizeof(msg));
		cg_parse(&p, b.data, b.len);
		if (p.root == NULL)
			ck_assert_msg(v != CG_OK && (p.err.code == BPFC_ERANGE ||
						     p.err.code == BPFC_ESYNTAX),
				      "shape %zu: %s", s, p.err.msg);
		else
			ck_assert(cg_check_tree(p.root, (uint32_t)b.len, 0) == NULL);
		printf("deep: '%s' + %zu x '%s': bpfc: %s; libpcap: %s\n", shapes[s].prefix,
		       shapes[s].n, shapes[s].open, p.root != NULL ? "parsed" : p.err.msg,
		       v == CG_OK ? "accepted" : msg);
		arena_release(&p.arena);
		strbuf_release(&b);
	}
}
END_TEST

/* ---- speed ---------------------------------------------------------------------------------------- */

START_TEST(speed)
{
	static const size_t terms[] = {1000, 10000, 100000};
	for (size_t t = 0; t < sizeof(terms) / sizeof(terms[0]); t++) {
		struct strbuf b;
		strbuf_init(&b);
		for (size_t i = 0; i < terms[t]; i++)
			strbuf_printf(&b, "%shost 10.%zu.%zu.%zu", i ? " or " : "", (i >> 16) & 255,
				      (i >> 8) & 255, i & 255);
		ck_assert(!b.failed);
		double first = 0, best = 0;
		for (int run = 0; run < 3; run++) {
			struct timespec t0, t1;
			struct cg_parse p;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			cg_parse(&p, b.data, b.len);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
				    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
			ck_assert_msg(p.root != NULL && p.root->kind == AST_OR, "%s", p.err.msg);
			ck_assert(cg_check_tree(p.root, (uint32_t)b.len, 0) == NULL);
			first = run == 0 ? ms : first;
			best = run == 0 || ms < best ? ms : best;
			arena_release(&p.arena);
		}
		printf("speed: `host A or host B ...` with %zu terms (%zu bytes): %.2f ms first, "
		       "%.2f ms best of 3%s\n",
		       terms[t], b.len, first, best, TESTENV_SANITIZED ? " (sanitizers: not checked)" : "");
		if (!TESTENV_SANITIZED && terms[t] == 10000)
			ck_assert_msg(first < 100.0, "10,000 terms took %.1f ms", first);
		strbuf_release(&b);
	}
}
END_TEST

/* ---- suite ------------------------------------------------------------------------------------------ */

static Suite *
cg_suite(void)
{
	Suite *s = suite_create("grammar");
	TCase *t;

	t = tcase_create("libpcap");
	tcase_set_timeout(t, 600);
	tcase_add_test(t, corpus);
	tcase_add_test(t, random_exprs);
	tcase_add_test(t, arith_precedence);
	suite_add_tcase(s, t);

	t = tcase_create("trees");
	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, golden, 0, (int)(sizeof(cg_golden_files) / sizeof(cg_golden_files[0])));
	tcase_add_test(t, spans);
	suite_add_tcase(s, t);

	t = tcase_create("errors");
	tcase_add_loop_test(t, error_messages, 0, (int)(sizeof(cg_errors) / sizeof(cg_errors[0])));
	suite_add_tcase(s, t);

	t = tcase_create("robust");
	tcase_set_timeout(t, 600);
	tcase_add_test(t, fuzz);
	tcase_add_test(t, deep);
	tcase_add_test(t, speed);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cg_suite());
	int failed;

	printf("check_grammar: BPFC_SEED=0x%llx\n", (unsigned long long)cg_seed());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (size_t i = 0; i < CG_NDLTS; i++)
		if (cg_pcap[i] != NULL)
			pcap_close(cg_pcap[i]);
	return failed ? 1 : 0;
}
