/*
 * bpfc.h: the public interface of libbpfc.
 *
 * A struct bpfc_filter is an immutable, validated program plus whatever the
 * engines precomputed for it.  Loading (or compiling) is the only step that
 * can fail; running cannot.  Every call is reentrant: no function here keeps
 * state between calls, and one filter may be run from many threads at once.
 *
 * Errors: functions that take `char *errbuf` write a NUL-terminated message
 * of at most BPFC_ERRBUF_SIZE bytes there when they fail (errbuf may be
 * NULL).  Functions that take `struct bpfc_error *` fill it instead, with the
 * instruction index or the byte range of the input the error is about.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef BPFC_H
#define BPFC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFC_ERRBUF_SIZE 512

/* Classic BPF instruction: the layout of struct bpf_insn / struct sock_filter. */
struct bpfc_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/* eBPF instruction: the layout of linux/bpf.h struct bpf_insn. */
struct bpfc_ebpf_insn {
	uint8_t code;
	uint8_t dst_reg:4, src_reg:4;
	int16_t off;
	int32_t imm;
};

enum bpfc_engine {
	BPFC_ENGINE_CBPF = 1, /* the classic BPF interpreter */
	BPFC_ENGINE_EBPF = 2, /* the eBPF interpreter */
	BPFC_ENGINE_JIT = 3   /* native x86-64 code */
};

/* What went wrong, as a code. */
enum bpfc_status {
	BPFC_OK = 0,
	BPFC_ESYNTAX = 1,      /* input text does not parse */
	BPFC_ERANGE = 2,       /* a value is out of its range */
	BPFC_EINVAL = 3,       /* a program breaks a validity rule */
	BPFC_ESEMANTIC = 4,    /* well-formed but meaningless input */
	BPFC_EUNSUPPORTED = 5, /* valid, but not something bpfc can do */
	BPFC_ENOMEM = 6,       /* out of memory */
	BPFC_EIO = 7,          /* reading or writing a file failed */
	BPFC_EINTERNAL = 8     /* a bug in bpfc: please report it */
};

/* An error with its position: `insn` is the instruction it is about (or
 * -1), [begin, end) the byte range of the input text (begin == end == 0
 * when there is no text). */
struct bpfc_error {
	enum bpfc_status code;
	int insn;
	uint32_t begin, end;
	char msg[BPFC_ERRBUF_SIZE];
};

/* ---- compiling filter expressions ------------------------------------- */

struct bpfc_options {
	int linktype;     /* a DLT_ value */
	uint32_t snaplen; /* what a matching packet returns */
	uint32_t netmask; /* for `ip broadcast`; BPFC_NETMASK_UNKNOWN if not known */
	int optimize;     /* non-zero: run the optimizer */
};
#define BPFC_NETMASK_UNKNOWN 0xffffffffu

/* DLT_EN10MB, snaplen 262144, netmask unknown, optimizer on. */
void bpfc_options_init(struct bpfc_options *o);

struct bpfc_filter;
struct bpfc_load_options;

/* Compile a pcap-filter(7) expression (a NUL-terminated string) for the
 * link type in `o` (NULL: bpfc_options_init's defaults) into a validated
 * filter whose verdict on every packet is libpcap's: a match returns
 * o->snaplen, anything else 0.  Names are looked up in the system's
 * databases (hosts, services, protocols, ethers).  NULL and a message in
 * `errbuf` on error, like pcap_compile. */
struct bpfc_filter *bpfc_compile(const char *expr, const struct bpfc_options *o, char *errbuf);

/* The same for `len` bytes of text (no NUL needed), with the validator's
 * limits `lo` (NULL: defaults), reporting into `err`: its code says what
 * kind of error (BPFC_ESYNTAX, BPFC_ERANGE, BPFC_ESEMANTIC, BPFC_EUNSUPPORTED
 * for a primitive or link type bpfc cannot compile yet, BPFC_EINVAL when the
 * program breaks `lo`, ...) and [begin, end) the bytes of `expr` it is about,
 * for a caret under them. */
struct bpfc_filter *bpfc_compile_opts(const char *expr, size_t len, const struct bpfc_options *o,
				      const struct bpfc_load_options *lo,
				      struct bpfc_error *err);

/* ---- loading classic BPF ------------------------------------------------ */

struct bpfc_filter;

/* The validator's limits.  The defaults are the Linux kernel's. */
struct bpfc_load_options {
	uint32_t max_insns; /* longest program accepted; default 4096 */
};
#define BPFC_MAX_INSNS_DEFAULT 4096u

void bpfc_load_options_init(struct bpfc_load_options *o);

/* Validate a cBPF program with the Linux kernel's rules and make a filter of
 * it.  NULL and a message naming the instruction on error.  The
 * instructions are copied. */
struct bpfc_filter *bpfc_load_cbpf(const struct bpfc_insn *insns, size_t n, char *errbuf);
struct bpfc_filter *bpfc_load_cbpf_opts(const struct bpfc_insn *insns, size_t n,
					const struct bpfc_load_options *o,
					struct bpfc_error *err);

/* Read a program in any of the listing forms bpfc and `tcpdump -d`, `-dd`
 * and `-ddd` print, validate it and make a filter of it.  On error, NULL with
 * `err` naming the offending text (its byte range in `text`). */
struct bpfc_filter *bpfc_assemble(const char *text, size_t len,
				  const struct bpfc_load_options *o,
				  struct bpfc_error *err);

/* The filter's cBPF program; returns its length. */
size_t bpfc_cbpf(const struct bpfc_filter *f, const struct bpfc_insn **insns);

/* ---- listings ----------------------------------------------------------- */

enum bpfc_listing {
	BPFC_LISTING_D = 1,   /* tcpdump -d: readable */
	BPFC_LISTING_DD = 2,  /* tcpdump -dd: a C array initialiser */
	BPFC_LISTING_DDD = 3  /* tcpdump -ddd: decimal numbers */
};

/* The program printed exactly as `tcpdump -d`, `-dd` or `-ddd` prints it.
 * Returns a malloc'd NUL-terminated string (free it with free()), or NULL
 * when out of memory or `style` is not one of enum bpfc_listing. */
char *bpfc_listing(const struct bpfc_insn *insns, size_t n, enum bpfc_listing style);

/* ---- running -------------------------------------------------------------- */

/* Choose the engine bpfc_run uses: 0, or -1 when that engine is not
 * available for this filter (the engine is then unchanged).  A filter
 * starts on the JIT where it has native code (x86-64 hosts that allow
 * executable memory), else on the cBPF interpreter; every engine returns
 * the same values. */
int bpfc_set_engine(struct bpfc_filter *f, enum bpfc_engine e);
enum bpfc_engine bpfc_get_engine(const struct bpfc_filter *f);

/* Run the filter on a packet of `wirelen` bytes of which `caplen` were
 * captured and are at `pkt`.  Returns what the program returns: 0 rejects,
 * anything else is the number of bytes to keep.  Never reads past `caplen`.
 * Safe to call from many threads at once on the same filter. */
uint32_t bpfc_run(const struct bpfc_filter *f, const uint8_t *pkt, uint32_t wirelen,
		  uint32_t caplen);

void bpfc_free(struct bpfc_filter *f);

/* ---- eBPF ---------------------------------------------------------------- */

/* What an eBPF program is for. */
enum bpfc_target {
	BPFC_TARGET_SOCKET = 1, /* BPF_PROG_TYPE_SOCKET_FILTER: returns the cBPF's value */
	BPFC_TARGET_TC = 2,     /* BPF_PROG_TYPE_SCHED_CLS: TC_ACT_OK / TC_ACT_SHOT */
	BPFC_TARGET_XDP = 3     /* BPF_PROG_TYPE_XDP: XDP_PASS / XDP_DROP */
};
/* tc and XDP: pass the packets the filter rejects and drop the others. */
#define BPFC_TARGET_INVERT 1u

/* The filter's eBPF socket-filter program (made when the filter was
 * loaded); returns its length in instruction slots. */
size_t bpfc_ebpf(const struct bpfc_filter *f, const struct bpfc_ebpf_insn **insns);

/* The filter's eBPF program for `target` (flags: BPFC_TARGET_INVERT), in
 * a malloc'd array of *n slots (free it with free()); NULL with `err` set
 * on error. */
struct bpfc_ebpf_insn *bpfc_ebpf_for(const struct bpfc_filter *f, enum bpfc_target target,
				     unsigned flags, size_t *n, struct bpfc_error *err);

/* Write the program for `target` to `path` as an ELF object that libbpf,
 * bpftool, `ip link ... xdp obj` and `tc ... bpf obj` load: section
 * "socket", "tc" or "xdp", a "license" section, one global function.  The
 * file appears complete or not at all.  0, or -1 with `err` set. */
int bpfc_write_object(const struct bpfc_filter *f, enum bpfc_target target, unsigned flags,
		      const char *path, struct bpfc_error *err);

/* How bpfc_attach attached a filter. */
enum bpfc_attached {
	BPFC_ATTACHED_EBPF = 1, /* bpf(BPF_PROG_LOAD) + SO_ATTACH_BPF */
	BPFC_ATTACHED_CBPF = 2  /* SO_ATTACH_FILTER with the classic program */
};
#define BPFC_ATTACH_EBPF_ONLY 1u /* no classic fallback */
#define BPFC_ATTACH_CBPF_ONLY 2u /* the classic program only */

/* Attach the filter to socket `sockfd`: its eBPF program when the caller
 * may load one, else (unless BPFC_ATTACH_EBPF_ONLY) the classic program.
 * Returns enum bpfc_attached, or -1 with `err` set (the verifier's log
 * when the kernel refused the program: a refusal is an error, never a
 * reason to fall back).  On a packet socket the queue is first drained
 * behind a drop-all filter, as libpcap does; that cannot catch a packet
 * the kernel is filtering at that very moment, so for a capture open the
 * socket with protocol 0, attach, then bind it to the protocol. */
int bpfc_attach(int sockfd, const struct bpfc_filter *f, unsigned flags, struct bpfc_error *err);

/* ---- about the library ---------------------------------------------------- */

const char *bpfc_version(void);
const char *bpfc_strerror(enum bpfc_status code);

/* ---- seccomp filters ------------------------------------------------------- */

/* How bpfc_seccomp_compile reads the policy. */
enum bpfc_seccomp_format {
	BPFC_SECCOMP_AUTO = 0, /* JSON when the first non-blank byte is '{', else text */
	BPFC_SECCOMP_JSON = 1, /* an OCI/Docker seccomp profile */
	BPFC_SECCOMP_TEXT = 2  /* the policy language of bpfc-seccomp(5) */
};

struct bpfc_seccomp_options {
	enum bpfc_seccomp_format format;
	/* The capabilities a JSON profile's "caps" includes/excludes test,
	 * compared verbatim with the profile's strings ("CAP_SYS_ADMIN").
	 * caps == NULL: Docker's default set; caps != NULL with ncaps == 0:
	 * none. */
	const char *const *caps;
	size_t ncaps;
	/* The kernel version "minKernel" is compared with; 0.0: the running
	 * kernel's (uname). */
	unsigned kernel_major, kernel_minor;
	/* Architectures by name ("x86_64", "x32", "aarch64", "SCMP_ARCH_ARM",
	 * Go's "amd64").  None: a JSON profile takes the host's and its
	 * archMap sub-architectures, a text policy its `arch` line or the
	 * host's.  The first one is what JSON includes/excludes "arches"
	 * compare with. */
	const char *const *arches;
	size_t narches;
	int ignore_unknown; /* skip syscall names no architecture knows */
};

/* Automatic format, Docker's capabilities, the running kernel, the
 * policy's or the host's architectures, unknown names refused. */
void bpfc_seccomp_options_init(struct bpfc_seccomp_options *o);

/* Compile a seccomp policy of `len` bytes (no NUL needed) to a classic BPF
 * program over struct seccomp_data (o == NULL: bpfc_seccomp_options_init's
 * defaults).  The program checks the architecture first, returns for every
 * input the action the policy means (bpfc-seccomp(5)), and is validated
 * with the kernel's rules for seccomp filters (at most 4096 instructions,
 * only aligned word loads of struct seccomp_data).  *insns is a malloc'd
 * array of *n instructions (free it with free()) in the layout of struct
 * sock_filter, host byte order: install it with
 *   struct sock_fprog fp = { (unsigned short)n, (struct sock_filter *)insns };
 *   prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
 *   syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp);
 * Returns 0, or -1 with `err` (may be NULL) holding the code and, for an
 * error in the policy, the byte range of `policy` it is about. */
int bpfc_seccomp_compile(const char *policy, size_t len, const struct bpfc_seccomp_options *o,
			 struct bpfc_insn **insns, size_t *n, struct bpfc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* BPFC_H */
