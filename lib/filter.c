/*
 * filter.c: the public handle, struct bpfc_filter, over the stages.
 *
 * A filter owns a validated copy of its cBPF program, the eBPF socket
 * program translated from it when it was loaded (absent when the
 * translator cannot express the program), its native code from the JIT
 * (absent where there is no JIT), and the engine that bpfc_run dispatches
 * to: the JIT when there is code, else the cBPF interpreter.  After loading the programs are never written again; the
 * engine is the one field bpfc_set_engine changes, and it is an atomic
 * int read and written with relaxed order, so a bpfc_run racing with a
 * bpfc_set_engine runs one whole engine or the other, both valid (relaxed:
 * the programs it selects were written before the filter was returned).
 */
#include <config.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bpfc.h"
#include "base/arena.h"
#include "base/diag.h"
#include "cbpf/cbpf.h"
#include "codegen/gen.h"
#include "codegen/opt.h"
#include "codegen/ir.h"
#include "ebpf/ebpf.h"
#include "grammar/grammar.h"
#include "jit/jit.h"

struct bpfc_filter {
	struct bpfc_insn *insns; /* malloc'd, validated */
	size_t n;
	struct ebpf_prog ebpf;   /* the socket program; insns malloc'd, or NULL */
	struct jit_code *jit;    /* the run-target program compiled, or NULL */
	jit_fn jit_fn;           /* its entry */
	atomic_int engine;       /* enum bpfc_engine */
};

void
bpfc_options_init(struct bpfc_options *o)
{
	o->linktype = 1; /* DLT_EN10MB */
	o->snaplen = 262144;
	o->netmask = BPFC_NETMASK_UNKNOWN;
	o->optimize = 1;
}

void
bpfc_load_options_init(struct bpfc_load_options *o)
{
	o->max_insns = BPFC_MAX_INSNS_DEFAULT;
}

/* The socket-filter eBPF program of f's cBPF, made once here so that
 * bpfc_ebpf can return it and the eBPF engine run it.  A program the
 * translator cannot express (BPFC_EUNSUPPORTED) leaves the filter without
 * one: the eBPF engine is then unavailable.  -1 only when out of memory. */
static int
filter_make_ebpf(struct bpfc_filter *f, struct bpfc_error *err)
{
	struct bpfc_error terr;
	struct ebpf_prog prog;
	struct arena a;
	int rc = 0;

	arena_init(&a);
	diag_init(&terr);
	if (ebpf_from_cbpf(&a, f->insns, f->n, EBPF_TARGET_SOCKET, 0, &prog, &terr) == 0 &&
	    prog.n > 0) {
		f->ebpf = prog;
		f->ebpf.insns = malloc(prog.n * sizeof(*prog.insns));
		if (f->ebpf.insns != NULL)
			memcpy(f->ebpf.insns, prog.insns, prog.n * sizeof(*prog.insns));
		else
			rc = diag_plain(err, BPFC_ENOMEM, "out of memory");
	} else if (terr.code == BPFC_ENOMEM) {
		rc = diag_plain(err, BPFC_ENOMEM, "out of memory");
	}
	arena_release(&a);
	return rc;
}

/* The native code of f's cBPF (the run target's eBPF through the JIT),
 * made once here; it becomes the default engine.  Where it cannot be made
 * (no JIT on this host, executable memory refused, out of memory) the
 * filter runs on the interpreters, which give the same values. */
static void
filter_make_jit(struct bpfc_filter *f)
{
	struct bpfc_error terr;
	struct ebpf_prog prog;
	struct arena a;

	if (!jit_available())
		return;
	arena_init(&a);
	diag_init(&terr);
	if (ebpf_from_cbpf(&a, f->insns, f->n, EBPF_TARGET_RUN, 0, &prog, &terr) == 0)
		f->jit = jit_compile(&prog, &terr);
	arena_release(&a);
	if (f->jit != NULL) {
		f->jit_fn = jit_entry(f->jit);
		atomic_store_explicit(&f->engine, BPFC_ENGINE_JIT, memory_order_relaxed);
	}
}

struct bpfc_filter *
bpfc_load_cbpf_opts(const struct bpfc_insn *insns, size_t n, const struct bpfc_load_options *o,
		    struct bpfc_error *err)
{
	struct bpfc_load_options defaults;
	struct bpfc_error local;

	if (err == NULL)
		err = &local;
	diag_init(err);
	if (o == NULL) {
		bpfc_load_options_init(&defaults);
		o = &defaults;
	}
	if (insns == NULL && n != 0) {
		diag_plain(err, BPFC_EINVAL, "no instructions given");
		return NULL;
	}
	if (cbpf_validate(insns, n, o, err) < 0)
		return NULL;

	struct bpfc_filter *f = calloc(1, sizeof(*f));
	if (f != NULL)
		f->insns = malloc(n * sizeof(*insns));
	if (f == NULL || f->insns == NULL) {
		free(f);
		diag_plain(err, BPFC_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(f->insns, insns, n * sizeof(*insns));
	f->n = n;
	atomic_init(&f->engine, BPFC_ENGINE_CBPF);
	if (filter_make_ebpf(f, err) < 0) {
		bpfc_free(f);
		return NULL;
	}
	filter_make_jit(f);
	return f;
}

struct bpfc_filter *
bpfc_load_cbpf(const struct bpfc_insn *insns, size_t n, char *errbuf)
{
	struct bpfc_error err;
	struct bpfc_filter *f = bpfc_load_cbpf_opts(insns, n, NULL, &err);

	if (f == NULL)
		diag_to_errbuf(&err, errbuf);
	return f;
}

/* The filter compiler: text -> AST -> IR -> cBPF -> a validated filter. */
struct bpfc_filter *
bpfc_compile_opts(const char *expr, size_t len, const struct bpfc_options *o,
		  const struct bpfc_load_options *lo, struct bpfc_error *err)
{
	struct bpfc_options defaults;
	struct codegen_options co;
	struct bpfc_error local;
	struct arena a;
	struct ast_node *ast;
	struct ir_prog *ir = NULL;
	struct bpfc_insn *insns = NULL;
	size_t n = 0;
	struct bpfc_filter *f = NULL;

	if (err == NULL)
		err = &local;
	diag_init(err);
	if (o == NULL) {
		bpfc_options_init(&defaults);
		o = &defaults;
	}
	if (expr == NULL && len != 0) {
		diag_plain(err, BPFC_EINVAL, "no expression given");
		return NULL;
	}
	memset(&co, 0, sizeof(co));
	co.linktype = o->linktype;
	co.snaplen = o->snaplen;
	co.netmask = o->netmask;
	co.optimize = o->optimize;
	arena_init(&a);
	ast = parse_filter(&a, expr != NULL ? expr : "", len, err);
	if (ast != NULL)
		ir = codegen_filter(&a, ast, &co, err);
	if (ir != NULL && o->optimize && opt_run(ir, err) < 0)
		ir = NULL;
	if (ir != NULL && o->optimize && codegen_check_never(&a, ast, &co, ir, expr, err) < 0)
		ir = NULL;
	if (ir != NULL && ir_assemble(ir, &a, &insns, &n, err) == 0)
		f = bpfc_load_cbpf_opts(insns, n, lo, err);
	arena_release(&a);
	return f;
}

struct bpfc_filter *
bpfc_compile(const char *expr, const struct bpfc_options *o, char *errbuf)
{
	struct bpfc_error err;
	struct bpfc_filter *f;

	if (expr == NULL) {
		diag_init(&err);
		diag_plain(&err, BPFC_EINVAL, "no expression given");
		diag_to_errbuf(&err, errbuf);
		return NULL;
	}
	f = bpfc_compile_opts(expr, strlen(expr), o, NULL, &err);
	if (f == NULL)
		diag_to_errbuf(&err, errbuf);
	return f;
}

struct bpfc_filter *
bpfc_assemble(const char *text, size_t len, const struct bpfc_load_options *o,
	      struct bpfc_error *err)
{
	struct arena a;
	struct bpfc_insn *insns = NULL;
	size_t n = 0;
	struct bpfc_error local;
	struct bpfc_filter *f = NULL;

	if (err == NULL)
		err = &local;
	diag_init(err);
	arena_init(&a);
	if (cbpf_assemble(&a, text, len, &insns, &n, err) == 0)
		f = bpfc_load_cbpf_opts(insns, n, o, err);
	arena_release(&a);
	return f;
}

size_t
bpfc_cbpf(const struct bpfc_filter *f, const struct bpfc_insn **insns)
{
	if (insns != NULL)
		*insns = f->insns;
	return f->n;
}

char *
bpfc_listing(const struct bpfc_insn *insns, size_t n, enum bpfc_listing style)
{
	struct strbuf b;

	if (style != BPFC_LISTING_D && style != BPFC_LISTING_DD && style != BPFC_LISTING_DDD)
		return NULL;
	strbuf_init(&b);
	cbpf_listing(&b, insns, n, style);
	return strbuf_take(&b);
}

size_t
bpfc_ebpf(const struct bpfc_filter *f, const struct bpfc_ebpf_insn **insns)
{
	if (insns != NULL)
		*insns = f->ebpf.insns;
	return f->ebpf.insns != NULL ? f->ebpf.n : 0;
}

int
bpfc_set_engine(struct bpfc_filter *f, enum bpfc_engine e)
{
	if (e != BPFC_ENGINE_CBPF && !(e == BPFC_ENGINE_EBPF && f->ebpf.insns != NULL) &&
	    !(e == BPFC_ENGINE_JIT && f->jit != NULL))
		return -1;
	atomic_store_explicit(&f->engine, (int)e, memory_order_relaxed);
	return 0;
}

/* The engine, for bpfc_get_engine and bpfc_run (which does not call the
 * public function: in a shared library that call could not be inlined). */
static inline enum bpfc_engine
filter_engine(const struct bpfc_filter *f)
{
	/* atomic_load wants a non-const object in C11 */
	return (enum bpfc_engine)atomic_load_explicit((atomic_int *)&f->engine,
						      memory_order_relaxed);
}

enum bpfc_engine
bpfc_get_engine(const struct bpfc_filter *f)
{
	return filter_engine(f);
}

uint32_t
bpfc_run(const struct bpfc_filter *f, const uint8_t *pkt, uint32_t wirelen, uint32_t caplen)
{
	enum bpfc_engine e = filter_engine(f);

	/* The JIT's guards reach EBPF_RUN_MAX_CAPLEN bytes: a longer capture
	 * (none that pcap can hold) goes to the interpreter. */
	if (e == BPFC_ENGINE_JIT && caplen <= EBPF_RUN_MAX_CAPLEN)
		return f->jit_fn(pkt, wirelen, caplen);
	if (e == BPFC_ENGINE_EBPF)
		return (uint32_t)ebpf_run(&f->ebpf, pkt, wirelen, caplen); /* a socket's u32 */
	return cbpf_run(f->insns, pkt, wirelen, caplen);
}

void
bpfc_free(struct bpfc_filter *f)
{
	if (f == NULL)
		return;
	jit_free(f->jit);
	free(f->ebpf.insns);
	free(f->insns);
	free(f);
}

const char *
bpfc_version(void)
{
	return PACKAGE_VERSION;
}

const char *
bpfc_strerror(enum bpfc_status code)
{
	static const char *const text[] = {
		[BPFC_OK] = "success",
		[BPFC_ESYNTAX] = "syntax error",
		[BPFC_ERANGE] = "value out of range",
		[BPFC_EINVAL] = "invalid program",
		[BPFC_ESEMANTIC] = "meaningless input",
		[BPFC_EUNSUPPORTED] = "not supported",
		[BPFC_ENOMEM] = "out of memory",
		[BPFC_EIO] = "input/output error",
		[BPFC_EINTERNAL] = "internal error in bpfc",
	};
	if ((unsigned)code >= sizeof(text) / sizeof(text[0]) || text[code] == NULL)
		return "unknown error";
	return text[code];
}
