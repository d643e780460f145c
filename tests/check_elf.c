/*
 * check_elf.c: the ELF objects bpfc writes (ebpf/elf.c, bpfc_write_object,
 * bpfc -o), read back by independent readers and run by the kernel.
 *
 * Oracles:
 *  - structure: libelf's reader (gelf) and binutils' readelf: ELF64,
 *    little-endian, ET_REL, EM_BPF; the program section PROGBITS with
 *    ALLOC|EXECINSTR holding exactly the program; "license"; one GLOBAL
 *    FUNC symbol over the whole section;
 *  - libbpf 1.x (bpf_object__open_file): one program whose section name,
 *    type (libbpf's own deduction from the section name), name and
 *    instructions are the ones ebpf_from_cbpf produced (a hand-written
 *    program with every field in use checks the encoding the same way);
 *  - the kernel (root and bpf(2) permitting; skipped with a note
 *    otherwise): bpf_object__load, then BPF_PROG_TEST_RUN on every
 *    generated packet against libpcap's bpf_filter on the cBPF the object
 *    was translated from: the socket target must return what bpf_filter
 *    returns, xdp XDP_PASS/XDP_DROP and tc TC_ACT_OK/TC_ACT_SHOT (swapped
 *    by the invert flag) for a non-zero/zero return.  A socket filter's
 *    test run pulls a 14-byte Ethernet header off the front
 *    (net/bpf/test_run.c, eth_type_trans), so its packets go in behind a
 *    dummy one; tc and xdp see the whole frame, which must be >= 14 bytes;
 *  - the licence: a program calling a GPL-only helper loads from the
 *    object (so its licence string is one the kernel counts as GPL);
 *  - the file system: a failed write (a file size limit, an immutable or
 *    unwritable directory, a directory or FIFO as the path, a missing
 *    directory) leaves the old file byte for byte and no stray file, with
 *    an error naming the path and strerror's text for the errno the
 *    kernel gives a direct attempt; a new file gets 0666 less the umask,
 *    a replaced one keeps its mode;
 *  - the command: `bpfc -o` writes the same bytes as bpfc_write_object,
 *    prints nothing on success, "bpfc: error: PATH: ..." and exit 1 on
 *    failure.
 *
 * Seed with BPFC_SEED, scale with BPFC_TEST_SCALE.
 */
#include <config.h>

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/pkt_cls.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* linux/bpf.h (through libbpf) and pcap/bpf.h both name a struct bpf_insn:
 * the kernel's is renamed here, before pcap's comes in. */
#define bpf_insn linux_ebpf_insn
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#undef bpf_insn
#include <pcap/pcap.h>

#include "bpfc.h"
#include "base/arena.h"
#include "ebpf/ebpf.h"
#include "tests/gen/pktgen.h"
#include "tests/gen/testenv.h"

/* Packets per expression: never fewer (BPFC_TEST_SCALE only raises it),
 * so that every expression below splits them both ways whatever the
 * scale; test runs are cheap, sanitizers or not. */
#define ELF_PACKETS 800
#define ELF_SEED 0xe1f0b1ec7ull
#define ELF_MAX_PKT 3000 /* test runs copy at most a page, less head/tailroom */
#define ELF_FUNC "bpfc_filter"

/* The scratch directory main() makes and removes: the one piece of state
 * the forked tests share (Check gives tests no arguments). */
static char elf_dir[4096];

/* ---- the targets ---- */

struct elf_target {
	const char *name; /* section and --target= */
	enum bpfc_target t;
	unsigned flags;
	enum bpf_prog_type type; /* what libbpf must deduce from the section */
};

static const struct elf_target elf_targets[] = {
	{"socket", BPFC_TARGET_SOCKET, 0, BPF_PROG_TYPE_SOCKET_FILTER},
	{"tc", BPFC_TARGET_TC, 0, BPF_PROG_TYPE_SCHED_CLS},
	{"tc", BPFC_TARGET_TC, BPFC_TARGET_INVERT, BPF_PROG_TYPE_SCHED_CLS},
	{"xdp", BPFC_TARGET_XDP, 0, BPF_PROG_TYPE_XDP},
	{"xdp", BPFC_TARGET_XDP, BPFC_TARGET_INVERT, BPF_PROG_TYPE_XDP},
};
#define ELF_NTARGETS (sizeof(elf_targets) / sizeof(elf_targets[0]))

/* Expressions whose verdicts the generated packets split both ways. */
static const char *const elf_exprs[] = {
	"port 80 or port 443 or port 53", "ip", "ip6 and udp", "arp",
	"host 10.0.0.1 and not port 22", "vlan and tcp", "mpls", "pppoes and ip", "len > 100",
	"tcp[13] & 2 != 0", "ip[2:2] > 576", "udp port 53", "ether multicast", "icmp or icmp6",
	"portrange 20-1024", "net 192.168.1.0/24", "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn",
	"ip[8] = 64 and tcp[13] = 2",
};
#define ELF_NEXPRS (sizeof(elf_exprs) / sizeof(elf_exprs[0]))

/* ---- helpers ---- */

static void
elf_path(char *out, size_t len, const char *name)
{
	int n = snprintf(out, len, "%s/%s", elf_dir, name);
	ck_assert_msg(n > 0 && (size_t)n < len, "path too long");
}

/* A malloc'd copy of the file (NULL when it cannot be read); *len set. */
static uint8_t *
elf_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		size_t r = fread(buf + *len, 1, cap - *len, f);
		*len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	return buf;
}

static void
elf_spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The names in `dir`, sorted and joined by spaces (for comparing). */
static void
elf_listing(const char *dir, char *out, size_t len)
{
	char names[64][256];
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL && n < 64)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(out, names[i], len - strlen(out) - 1);
		strncat(out, " ", len - strlen(out) - 1);
	}
}

/* Remove `path` and everything under it (the scratch directory). */
static void
elf_rmtree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char sub[4096];

	if (d == NULL) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		struct stat st;
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
			int flags = 0; /* an immutable test directory left by a crash */
			int fd = open(sub, O_RDONLY | O_DIRECTORY);
			if (fd >= 0) {
				ioctl(fd, FS_IOC_SETFLAGS, &flags);
				close(fd);
			}
			chmod(sub, 0700);
			elf_rmtree(sub);
		} else {
			unlink(sub);
		}
	}
	closedir(d);
	rmdir(path);
}

/* 1 when this process may load and test-run programs; else 0 with the
 * reason in `why`. */
static int
elf_kernel_ok(char *why, size_t len)
{
	/* r0 = 0; exit */
	const struct linux_ebpf_insn probe[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};

	if (geteuid() != 0) {
		snprintf(why, len, "not root");
		return 0;
	}
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "BSD", probe, 2, NULL);
	if (fd < 0) {
		snprintf(why, len, "bpf(BPF_PROG_LOAD) refused: %s", strerror(-fd));
		return 0;
	}
	close(fd);
	return 1;
}

/* ---- what libelf and readelf see ---- */

/* The section named `name`, or NULL. */
static Elf_Scn *
elf_find_section(Elf *e, size_t shstrndx, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		ck_assert_ptr_nonnull(gelf_getshdr(scn, sh));
		const char *n = elf_strptr(e, shstrndx, sh->sh_name);
		if (n != NULL && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

/* The symbol table's facts: exactly one global symbol, `func`, a FUNC
 * covering the whole of section `progndx` (`size` bytes). */
static void
elf_check_symbols(Elf *e, size_t shstrndx, size_t progndx, uint64_t size)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_find_section(e, shstrndx, ".symtab", &sh);
	int globals = 0;

	ck_assert_ptr_nonnull(scn);
	ck_assert_uint_eq(sh.sh_type, SHT_SYMTAB);
	ck_assert_uint_eq(sh.sh_entsize, sizeof(Elf64_Sym));
	Elf_Data *d = elf_getdata(scn, NULL);
	ck_assert_ptr_nonnull(d);
	size_t nsyms = sh.sh_size / sh.sh_entsize;
	for (size_t i = 0; i < nsyms; i++) {
		GElf_Sym sym;
		ck_assert_ptr_nonnull(gelf_getsym(d, (int)i, &sym));
		/* sh_info: one past the last local symbol, as the gABI requires */
		ck_assert_int_eq(GELF_ST_BIND(sym.st_info) == STB_LOCAL, i < sh.sh_info);
		if (GELF_ST_BIND(sym.st_info) != STB_GLOBAL)
			continue;
		globals++;
		ck_assert_str_eq(elf_strptr(e, sh.sh_link, sym.st_name), ELF_FUNC);
		ck_assert_uint_eq(GELF_ST_TYPE(sym.st_info), STT_FUNC);
		ck_assert_uint_eq(GELF_ST_VISIBILITY(sym.st_other), STV_DEFAULT);
		ck_assert_uint_eq(sym.st_shndx, progndx);
		ck_assert_uint_eq(sym.st_value, 0);
		ck_assert_uint_eq(sym.st_size, size);
	}
	ck_assert_int_eq(globals, 1);
}

/* Everything libelf reads in the object at `path`: header, the program
 * section holding `n` slots, the licence (copied to `license`), symbols. */
static void
elf_check_structure(const char *path, const char *section, size_t n, char *license,
		    size_t license_len)
{
	int fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_msg(e != NULL, "%s: %s", path, elf_errmsg(-1));
	ck_assert_int_eq(elf_kind(e), ELF_K_ELF);
	GElf_Ehdr eh;
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));
	ck_assert_int_eq(gelf_getclass(e), ELFCLASS64);
	ck_assert_uint_eq(eh.e_ident[EI_DATA], ELFDATA2LSB);
	ck_assert_uint_eq(eh.e_type, ET_REL);
	ck_assert_uint_eq(eh.e_machine, EM_BPF);
	ck_assert_uint_eq(eh.e_version, EV_CURRENT);
	ck_assert_uint_eq(eh.e_phnum, 0);
	size_t shstrndx;
	ck_assert_int_eq(elf_getshdrstrndx(e, &shstrndx), 0);

	GElf_Shdr sh;
	Elf_Scn *prog = elf_find_section(e, shstrndx, section, &sh);
	ck_assert_msg(prog != NULL, "%s: no section '%s'", path, section);
	ck_assert_uint_eq(sh.sh_type, SHT_PROGBITS);
	ck_assert_uint_eq(sh.sh_flags, SHF_ALLOC | SHF_EXECINSTR);
	ck_assert_uint_eq(sh.sh_size, n * 8);
	ck_assert_uint_eq(sh.sh_addralign, 8);
	ck_assert_uint_eq(sh.sh_offset % 8, 0);
	elf_check_symbols(e, shstrndx, elf_ndxscn(prog), sh.sh_size);

	Elf_Scn *lic = elf_find_section(e, shstrndx, "license", &sh);
	ck_assert_ptr_nonnull(lic);
	ck_assert_uint_eq(sh.sh_type, SHT_PROGBITS);
	ck_assert_uint_ne(sh.sh_flags & SHF_ALLOC, 0);
	Elf_Data *d = elf_getdata(lic, NULL);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_gt(d->d_size, 1);
	ck_assert_uint_lt(d->d_size, license_len);
	ck_assert_uint_eq(((const char *)d->d_buf)[d->d_size - 1], '\0'); /* one string */
	ck_assert_uint_eq(strlen(d->d_buf), d->d_size - 1);
	memcpy(license, d->d_buf, d->d_size);
	elf_end(e);
	close(fd);
}

/* binutils' readelf: no warnings, and the symbol line a reader expects. */
static void
elf_check_readelf(const char *path)
{
	char cmd[4300], line[512];
	int sym = 0, bad = 0;

	snprintf(cmd, sizeof(cmd), "readelf -W -h -S -s '%s' 2>&1", path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strstr(line, "Warning") != NULL || strstr(line, "Error") != NULL) {
			fprintf(stderr, "check_elf: readelf %s: %s", path, line);
			bad++;
		}
		if (strstr(line, "FUNC") && strstr(line, "GLOBAL") && strstr(line, ELF_FUNC))
			sym++;
	}
	int st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		printf("check_elf: note: readelf not installed, its reading skipped\n");
		return;
	}
	ck_assert_int_eq(st, 0);
	ck_assert_int_eq(bad, 0);
	ck_assert_int_eq(sym, 1);
}

/* ---- what libbpf sees ---- */

/* Open `path` with libbpf and check its one program against `want`. */
static struct bpf_object *
elf_open_libbpf(const char *path, const struct elf_target *t,
		const struct bpfc_ebpf_insn *want, size_t n)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	long e = libbpf_get_error(obj);
	ck_assert_msg(e == 0, "libbpf: %s: %s", path, strerror((int)-e));

	struct bpf_program *prog = bpf_object__next_program(obj, NULL);
	ck_assert_ptr_nonnull(prog);
	ck_assert_ptr_null(bpf_object__next_program(obj, prog));
	ck_assert_str_eq(bpf_program__section_name(prog), t->name);
	ck_assert_str_eq(bpf_program__name(prog), ELF_FUNC);
	ck_assert_int_eq(bpf_program__type(prog), t->type);
	ck_assert_uint_eq(bpf_program__insn_cnt(prog), n);
	const struct linux_ebpf_insn *got = bpf_program__insns(prog);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(got[i].code == want[i].code && got[i].dst_reg == want[i].dst_reg &&
				      got[i].src_reg == want[i].src_reg &&
				      got[i].off == want[i].off && got[i].imm == want[i].imm,
			      "%s: insn %zu: code %#x dst %u src %u off %d imm %d, want %#x %u %u "
			      "%d %d",
			      path, i, got[i].code, got[i].dst_reg, got[i].src_reg, got[i].off,
			      got[i].imm, want[i].code, want[i].dst_reg, want[i].src_reg,
			      want[i].off, want[i].imm);
	}
	return obj;
}

/* ---- hand-written programs: the writer alone ---- */

/* Every field in use: both register nibbles, negative offsets and
 * immediates, a two-slot immediate load.  Only read back, never loaded. */
static const struct bpfc_ebpf_insn elf_fields[] = {
	{EBPF_OP_ALU64_MOV_X, 6, 1, 0, 0},
	{EBPF_OP_LD_DW, 3, 0, 0, (int32_t)0x89abcdefu},
	{0, 0, 0, 0, 0x01234567},
	{EBPF_OP_STX_W, 10, 9, -4, 0},
	{EBPF_OP_LDX_H, 7, 10, -32768, 0},
	{EBPF_OP_JMP_JEQ_K, 3, 0, -3, -5},
	{EBPF_OP_LD_IND_B, 0, 15, 0, 2147483647},
	{EBPF_OP_ALU32_MOV_K, 0, 0, 32767, INT32_MIN},
	{EBPF_OP_EXIT, 0, 0, 0, 0},
};

START_TEST(test_fields_round_trip)
{
	const struct elf_target *t = &elf_targets[_i];
	const size_t n = sizeof(elf_fields) / sizeof(elf_fields[0]);
	struct ebpf_prog p = {(struct bpfc_ebpf_insn *)elf_fields, n,
			      (enum ebpf_target)t->t, 0};
	struct bpfc_error err;
	char path[4200], license[64];

	elf_path(path, sizeof(path), "fields.o");
	ck_assert_msg(ebpf_write_elf(&p, path, t->name, ELF_FUNC, &err) == 0, "%s", err.msg);
	elf_check_structure(path, t->name, n, license, sizeof(license));
	ck_assert_str_eq(license, "BSD"); /* no helper calls */
	elf_check_readelf(path);
	bpf_object__close(elf_open_libbpf(path, t, elf_fields, n));
}
END_TEST

/* r0 = `ret`; exit: loads for every target and returns `ret` there. */
START_TEST(test_constant_runs)
{
	const struct elf_target *t = &elf_targets[_i];
	const int32_t ret = t->t == BPFC_TARGET_SOCKET ? 0x12345
			    : t->t == BPFC_TARGET_XDP   ? XDP_PASS
							: TC_ACT_OK;
	const struct bpfc_ebpf_insn insns[] = {{EBPF_OP_ALU64_MOV_K, 0, 0, 0, ret},
					       {EBPF_OP_EXIT, 0, 0, 0, 0}};
	struct ebpf_prog p = {(struct bpfc_ebpf_insn *)insns, 2, (enum ebpf_target)t->t, 0};
	struct bpfc_error err;
	char path[4200], why[128];
	uint8_t pkt[64];

	elf_path(path, sizeof(path), "constant.o");
	ck_assert_msg(ebpf_write_elf(&p, path, t->name, ELF_FUNC, &err) == 0, "%s", err.msg);
	struct bpf_object *obj = elf_open_libbpf(path, t, insns, 2);
	if (!elf_kernel_ok(why, sizeof(why))) {
		printf("check_elf: note: %s object not loaded: %s\n", t->name, why);
		bpf_object__close(obj);
		return;
	}
	ck_assert_int_eq(bpf_object__load(obj), 0);
	memset(pkt, 0xa5, sizeof(pkt));
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = 1);
	int fd = bpf_program__fd(bpf_object__next_program(obj, NULL));
	ck_assert_int_eq(bpf_prog_test_run_opts(fd, &o), 0);
	ck_assert_uint_eq(o.retval, (uint32_t)ret);
	bpf_object__close(obj);
}
END_TEST

/* A GPL-only helper (bpf_probe_read_kernel) makes the licence one the
 * kernel counts as GPL: the object loads.  The same instructions under
 * "BSD" are tried too, to show the rule is needed (a note, not a check:
 * that is the kernel's business). */
START_TEST(test_license_gpl_helper)
{
	const struct bpfc_ebpf_insn insns[] = {
		{EBPF_OP_ALU64_MOV_X, 1, 10, 0, 0},
		{EBPF_OP_ALU64_ADD_K, 1, 0, 0, -8},
		{EBPF_OP_ALU64_MOV_K, 2, 0, 0, 8},
		{EBPF_OP_ALU64_MOV_K, 3, 0, 0, 0},
		{EBPF_OP_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel},
		{EBPF_OP_ALU64_MOV_K, 0, 0, 0, 0},
		{EBPF_OP_EXIT, 0, 0, 0, 0},
	};
	const size_t n = sizeof(insns) / sizeof(insns[0]);
	struct ebpf_prog p = {(struct bpfc_ebpf_insn *)insns, n, EBPF_TARGET_SOCKET, 0};
	struct bpfc_error err;
	char path[4200], license[64], why[128];

	elf_path(path, sizeof(path), "gpl.o");
	ck_assert_msg(ebpf_write_elf(&p, path, "socket", ELF_FUNC, &err) == 0, "%s", err.msg);
	elf_check_structure(path, "socket", n, license, sizeof(license));
	ck_assert_str_eq(license, "Dual BSD/GPL");
	if (!elf_kernel_ok(why, sizeof(why))) {
		printf("check_elf: note: licence not tried in the kernel: %s\n", why);
		return;
	}
	struct bpf_object *obj = elf_open_libbpf(path, &elf_targets[0], insns, n);
	int rc = bpf_object__load(obj);
	bpf_object__close(obj);
	if (rc == -EINVAL || rc == -EACCES) {
		/* lockdown or a kernel without the helper: say so, prove nothing */
		printf("check_elf: note: bpf_probe_read_kernel unavailable (%s): licence "
		       "not tried\n", strerror(-rc));
		return;
	}
	ck_assert_int_eq(rc, 0);
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "BSD",
			       (const struct linux_ebpf_insn *)insns, n, NULL);
	printf("check_elf: the same program under \"BSD\": %s\n",
	       fd < 0 ? "refused, as the kernel refuses GPL-only helpers to non-GPL code"
		      : "accepted (this kernel does not restrict the helper)");
	if (fd >= 0)
		close(fd);
}
END_TEST

/* ---- expressions: bpfc_write_object, libbpf, the kernel, libpcap ---- */

struct elf_pool {
	struct pktgen_set set;
	uint64_t seed;
};

static void
elf_pool_init(struct elf_pool *pool)
{
	double scale = testenv_scale();
	size_t count = scale > 1 ? (size_t)(ELF_PACKETS * scale) : ELF_PACKETS;

	pool->seed = testenv_seed("BPFC_SEED", ELF_SEED);
	pktgen_set_init(&pool->set, DLT_EN10MB);
	ck_assert_int_eq(pktgen_generate(&pool->set, DLT_EN10MB, pool->seed, count), 0);
}

/* What the target returns for a cBPF return value `v`, from the kernel's
 * own constants. */
static uint32_t
elf_expected(const struct elf_target *t, uint32_t v)
{
	int pass = (v != 0) != ((t->flags & BPFC_TARGET_INVERT) != 0);

	switch (t->t) {
	case BPFC_TARGET_SOCKET:
		return v;
	case BPFC_TARGET_XDP:
		return pass ? XDP_PASS : XDP_DROP;
	case BPFC_TARGET_TC:
		return pass ? TC_ACT_OK : TC_ACT_SHOT;
	}
	return 0xdeadbeef;
}

/* The licence rule (ebpf/elf.c): "BSD" unless the program calls a
 * helper, since only helpers can be GPL-only. */
static const char *
elf_license_for(const struct ebpf_prog *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->insns[i].code == (BPF_JMP | BPF_CALL))
			return "Dual BSD/GPL";
	return "BSD";
}

struct elf_tally {
	size_t runs, matched;
};

/* Whether the kernel test-runs the `len`-byte frame at `p` for target
 * `t`: at least an Ethernet header, and for an sk_buff (socket, tc) whose
 * EtherType says IPv4 or IPv6, that whole network header too (Linux 6.18
 * refuses shorter ones with EINVAL, measured: 34 and 54 bytes). */
static int
elf_runnable(const struct elf_target *t, const uint8_t *p, size_t len)
{
	if (len < 14)
		return 0;
	if (t->t == BPFC_TARGET_XDP)
		return 1;
	unsigned type = (unsigned)p[12] << 8 | p[13];
	return !(type == 0x0800 && len < 14 + 20) && !(type == 0x86dd && len < 14 + 40);
}

/* Test-run the loaded program `fd` on every packet of the pool. */
static void
elf_run_packets(int fd, const struct elf_target *t, const struct bpf_insn *cbpf,
		const struct elf_pool *pool, const char *expr, struct elf_tally *tally)
{
	uint8_t *buf = malloc(14 + ELF_MAX_PKT);

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < pool->set.n; i++) {
		const struct pktgen_pkt *pk = &pool->set.pkts[i];
		uint32_t len = pk->caplen;
		/* the kernel sees the captured bytes only: len is caplen there */
		uint32_t v = bpf_filter(cbpf, pk->data, len, len);
		size_t hdr = t->t == BPFC_TARGET_SOCKET ? 14 : 0;

		if (len > ELF_MAX_PKT)
			continue;
		/* a socket filter's run starts after a 14-byte Ethernet header:
		 * a dummy one (EtherType 0, so nothing is asked of what follows) */
		memset(buf, 0, hdr);
		if (len != 0)
			memcpy(buf + hdr, pk->data, len);
		if (!elf_runnable(t, buf, hdr + len))
			continue;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf,
			    .data_size_in = (uint32_t)(hdr + len), .repeat = 1);
		int rc = bpf_prog_test_run_opts(fd, &o);
		ck_assert_msg(rc == 0, "'%s' %s: test run of packet %zu: %s", expr, t->name, i,
			      strerror(-rc));
		ck_assert_msg(o.retval == elf_expected(t, v),
			      "'%s' --target=%s%s: packet %zu (%u bytes, seed %#" PRIx64
			      "): kernel %u, libpcap %u gives %u",
			      expr, t->name, t->flags ? " --invert" : "", i, len, pool->seed,
			      o.retval, v, elf_expected(t, v));
		tally->runs++;
		tally->matched += v != 0;
	}
	free(buf);
}

START_TEST(test_expressions)
{
	const char *expr = elf_exprs[_i];
	struct bpfc_error err;
	struct elf_pool pool;
	char why[128];
	int kernel = elf_kernel_ok(why, sizeof(why));
	size_t runs[ELF_NTARGETS], matched = 0;
	struct bpfc_filter *f = bpfc_compile_opts(expr, strlen(expr), NULL, NULL, &err);

	ck_assert_msg(f != NULL, "'%s': %s", expr, err.msg);
	const struct bpfc_insn *insns;
	size_t ncbpf = bpfc_cbpf(f, &insns);
	struct bpf_insn *cbpf = testenv_to_pcap(insns, ncbpf);
	ck_assert_ptr_nonnull(cbpf);
	if (kernel)
		elf_pool_init(&pool);
	else
		printf("check_elf: note: '%s' not run in the kernel: %s\n", expr, why);

	for (size_t ti = 0; ti < ELF_NTARGETS; ti++) {
		const struct elf_target *t = &elf_targets[ti];
		struct arena a;
		struct ebpf_prog want;
		char path[4200], name[64], license[64];

		arena_init(&a);
		ck_assert_msg(ebpf_from_cbpf(&a, insns, ncbpf, (enum ebpf_target)t->t,
					     t->flags ? EBPF_INVERT : 0, &want, &err) == 0,
			      "'%s' %s: %s", expr, t->name, err.msg);
		snprintf(name, sizeof(name), "e%d-%zu.o", _i, ti);
		elf_path(path, sizeof(path), name);
		ck_assert_msg(bpfc_write_object(f, t->t, t->flags, path, &err) == 0, "%s",
			      err.msg);
		elf_check_structure(path, t->name, want.n, license, sizeof(license));
		ck_assert_str_eq(license, elf_license_for(&want));
		struct bpf_object *obj = elf_open_libbpf(path, t, want.insns, want.n);
		if (kernel) {
			struct elf_tally tally = {0, 0};
			ck_assert_msg(bpf_object__load(obj) == 0, "'%s' %s: the kernel refused "
				      "the object", expr, t->name);
			int fd = bpf_program__fd(bpf_object__next_program(obj, NULL));
			elf_run_packets(fd, t, cbpf, &pool, expr, &tally);
			/* the expression must split the packets, or nothing was shown */
			ck_assert_msg(tally.matched > 0 && tally.matched < tally.runs,
				      "'%s': %zu of %zu packets match: pick another expression",
				      expr, tally.matched, tally.runs);
			runs[ti] = tally.runs;
			if (ti == 0)
				matched = tally.matched;
		}
		bpf_object__close(obj);
		unlink(path);
		arena_release(&a);
	}
	if (kernel) {
		printf("check_elf: '%s': %zu of %zu socket runs match; test runs:", expr, matched,
		       runs[0]);
		for (size_t ti = 0; ti < ELF_NTARGETS; ti++)
			printf(" %s%s %zu", elf_targets[ti].name,
			       elf_targets[ti].flags ? " --invert" : "", runs[ti]);
		printf("\n");
		pktgen_set_free(&pool.set);
	}
	free(cbpf);
	bpfc_free(f);
}
END_TEST

/* ---- never half-written ---- */

/* A two-instruction program for the file-system cases. */
static int
elf_write_small(const char *path, struct bpfc_error *err)
{
	static const struct bpfc_ebpf_insn insns[] = {{EBPF_OP_ALU64_MOV_K, 0, 0, 0, 2},
						      {EBPF_OP_EXIT, 0, 0, 0, 0}};
	struct ebpf_prog p = {(struct bpfc_ebpf_insn *)insns, 2, EBPF_TARGET_XDP, 0};

	memset(err, 0, sizeof(*err));
	return ebpf_write_elf(&p, path, "xdp", ELF_FUNC, err);
}

/* The write failed as it should: the message names `path` and says
 * `reason`, and the directory holds what it held before. */
static void
elf_check_failed(int rc, const struct bpfc_error *err, const char *path, const char *reason,
		 const char *dir, const char *before)
{
	char after[4096];

	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err->msg, path) != NULL, "'%s' does not name %s", err->msg, path);
	ck_assert_msg(strstr(err->msg, reason) != NULL, "'%s' does not say '%s'", err->msg,
		      reason);
	elf_listing(dir, after, sizeof(after));
	ck_assert_str_eq(after, before);
}

/* A fresh directory under the scratch one. */
static void
elf_subdir(char *out, size_t len, const char *name)
{
	elf_path(out, len, name);
	elf_rmtree(out);
	ck_assert_int_eq(mkdir(out, 0755), 0);
}

START_TEST(test_replace_keeps_mode)
{
	char dir[4200], path[4300], listing[4096];
	struct bpfc_error err;
	struct stat st;

	elf_subdir(dir, sizeof(dir), "replace");
	snprintf(path, sizeof(path), "%s/x.o", dir);
	elf_spit(path, "old contents\n");
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(elf_write_small(path, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	char license[64];
	elf_check_structure(path, "xdp", 2, license, sizeof(license));
	elf_listing(dir, listing, sizeof(listing));
	ck_assert_str_eq(listing, "x.o ");
}
END_TEST

/* A new file's mode is creat(2)'s: 0666 less the umask. */
START_TEST(test_new_file_mode)
{
	static const mode_t masks[] = {022, 027, 077, 002};
	char dir[4200], path[4300];
	struct bpfc_error err;
	struct stat st;

	elf_subdir(dir, sizeof(dir), "mode");
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		snprintf(path, sizeof(path), "%s/m%zu.o", dir, i);
		mode_t old = umask(masks[i]);
		int rc = elf_write_small(path, &err);
		umask(old);
		ck_assert_msg(rc == 0, "%s", err.msg);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0666 & ~masks[i]);
	}
}
END_TEST

/* The write itself fails (a file size limit: EFBIG even for root). */
START_TEST(test_write_fails_midway)
{
	char dir[4200], path[4300], before[4096];
	struct bpfc_error err;
	struct rlimit old, lim;

	elf_subdir(dir, sizeof(dir), "fsize");
	snprintf(path, sizeof(path), "%s/x.o", dir);
	elf_spit(path, "the old object\n");
	elf_listing(dir, before, sizeof(before));
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 100; /* bytes: less than the object's headers */
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = elf_write_small(path, &err);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	elf_check_failed(rc, &err, path, strerror(EFBIG), dir, before);
	ck_assert_int_eq(err.code, BPFC_EIO);
	size_t len;
	uint8_t *data = elf_slurp(path, &len);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(len, strlen("the old object\n"));
	ck_assert_mem_eq(data, "the old object\n", len);
	free(data);
}
END_TEST

/* A directory where nothing can be created: immutable (which stops root
 * too) when the file system has the flag, else mode 0555 when not root. */
START_TEST(test_unwritable_directory)
{
	char dir[4200], path[4300], probe[4300], before[4096];
	struct bpfc_error err;
	int flags = FS_IMMUTABLE_FL, how = 0;

	elf_subdir(dir, sizeof(dir), "ro");
	snprintf(path, sizeof(path), "%s/x.o", dir);
	elf_spit(path, "kept\n");
	elf_listing(dir, before, sizeof(before));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	if (ioctl(dfd, FS_IOC_SETFLAGS, &flags) == 0)
		how = 1;
	else if (geteuid() != 0 && chmod(dir, 0555) == 0)
		how = 2;
	if (how == 0) {
		close(dfd);
		printf("check_elf: note: no way to make a directory unwritable here "
		       "(root, and no immutable flag): case skipped\n");
		return;
	}
	/* the kernel's answer to a direct attempt is the reason to expect */
	snprintf(probe, sizeof(probe), "%s/probe", dir);
	int pfd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
	int perr = errno;
	int rc = elf_write_small(path, &err);
	flags = 0;
	if (how == 1)
		ioctl(dfd, FS_IOC_SETFLAGS, &flags);
	else
		chmod(dir, 0755);
	close(dfd);
	ck_assert_int_lt(pfd, 0);
	elf_check_failed(rc, &err, path, strerror(perr), dir, before);
	size_t len;
	uint8_t *data = elf_slurp(path, &len);
	ck_assert_ptr_nonnull(data);
	ck_assert_mem_eq(data, "kept\n", 5);
	ck_assert_uint_eq(len, 5);
	free(data);
}
END_TEST

/* Paths that are not files: a directory (with and without a slash), a
 * FIFO, a missing directory.  Nothing appears, nothing changes. */
START_TEST(test_bad_paths)
{
	char dir[4200], path[4300], before[4096];
	struct bpfc_error err;
	struct stat st;

	elf_subdir(dir, sizeof(dir), "paths");
	snprintf(path, sizeof(path), "%s/d", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	elf_listing(dir, before, sizeof(before));

	snprintf(path, sizeof(path), "%s/d", dir);
	elf_check_failed(elf_write_small(path, &err), &err, path, strerror(EISDIR), dir, before);
	snprintf(path, sizeof(path), "%s/d/", dir);
	elf_check_failed(elf_write_small(path, &err), &err, path, strerror(EISDIR), dir, before);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	elf_check_failed(elf_write_small(path, &err), &err, path, "not a regular file", dir,
			 before);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	snprintf(path, sizeof(path), "%s/missing/x.o", dir);
	elf_check_failed(elf_write_small(path, &err), &err, path, strerror(ENOENT), dir, before);
	ck_assert_int_eq(err.code, BPFC_EIO);
	snprintf(path, sizeof(path), "%s/d", dir);
	elf_listing(path, before, sizeof(before));
	ck_assert_str_eq(before, "");
}
END_TEST

/* Bad arguments are refused (BPFC_EINVAL) before any file is touched. */
START_TEST(test_bad_arguments)
{
	static const struct bpfc_ebpf_insn one[] = {{EBPF_OP_EXIT, 0, 0, 0, 0}};
	static const struct {
		size_t n;
		const char *file, *section, *func;
	} bad[] = {{0, "x.o", "xdp", ELF_FUNC}, {1, "x.o", "", ELF_FUNC},
		   {1, "x.o", "xdp", ""}, {1, NULL, "xdp", ELF_FUNC}};
	static const struct {
		enum bpfc_target t;
		unsigned flags;
	} badobj[] = {{BPFC_TARGET_SOCKET, BPFC_TARGET_INVERT}, {(enum bpfc_target)9, 0},
		      {BPFC_TARGET_XDP, 0x80}};
	char dir[4200], path[4300], listing[4096];
	struct bpfc_error err;

	elf_subdir(dir, sizeof(dir), "args");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ebpf_prog p = {(struct bpfc_ebpf_insn *)one, bad[i].n, EBPF_TARGET_XDP, 0};
		snprintf(path, sizeof(path), "%s/%s", dir, bad[i].file ? bad[i].file : "");
		memset(&err, 0, sizeof(err));
		ck_assert_int_eq(ebpf_write_elf(&p, bad[i].file ? path : "", bad[i].section,
						bad[i].func, &err), -1);
		ck_assert_int_eq(err.code, BPFC_EINVAL);
	}
	struct bpfc_filter *f = bpfc_compile("tcp", NULL, NULL);
	ck_assert_ptr_nonnull(f);
	snprintf(path, sizeof(path), "%s/x.o", dir);
	for (size_t i = 0; i < sizeof(badobj) / sizeof(badobj[0]); i++) {
		ck_assert_int_eq(bpfc_write_object(f, badobj[i].t, badobj[i].flags, path, &err), -1);
		ck_assert_int_eq(err.code, BPFC_EINVAL);
	}
	ck_assert_int_eq(bpfc_write_object(NULL, BPFC_TARGET_XDP, 0, path, &err), -1);
	ck_assert_int_eq(bpfc_write_object(f, BPFC_TARGET_XDP, 0, NULL, NULL), -1);
	bpfc_free(f);
	elf_listing(dir, listing, sizeof(listing));
	ck_assert_str_eq(listing, "");
}
END_TEST

/* ---- the command ---- */

/* Run bpfc with `argv` (argv[0] ignored), stdout and stderr to files;
 * its exit status. */
static int
elf_run_bpfc(const char *bpfc, char *const argv[], const char *out, const char *errf)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (freopen(out, "w", stdout) == NULL || freopen(errf, "w", stderr) == NULL)
			_exit(126);
		execv(bpfc, argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(test_command)
{
	const char *bpfc = getenv("BPFC");
	char dir[4200], obj[4300], lib[4300], out[4300], errf[4300], bad[4300];
	struct bpfc_error err;
	size_t n1, n2;

	if (bpfc == NULL || access(bpfc, X_OK) != 0) {
		printf("check_elf: note: $BPFC (the bpfc command) not set: command not tried "
		       "(make check sets it)\n");
		return;
	}
	elf_subdir(dir, sizeof(dir), "cli");
	snprintf(obj, sizeof(obj), "%s/cmd.o", dir);
	snprintf(lib, sizeof(lib), "%s/lib.o", dir);
	snprintf(out, sizeof(out), "%s/../cli.out", dir);
	snprintf(errf, sizeof(errf), "%s/../cli.err", dir);

	/* the same bytes as the library's, nothing printed */
	char *const ok[] = {"bpfc", "-o", obj, "--target=xdp", "--invert", "tcp", "port", "80",
			    NULL};
	ck_assert_int_eq(elf_run_bpfc(bpfc, ok, out, errf), 0);
	struct bpfc_filter *f = bpfc_compile("tcp port 80", NULL, NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(bpfc_write_object(f, BPFC_TARGET_XDP, BPFC_TARGET_INVERT, lib, &err) == 0,
		      "%s", err.msg);
	bpfc_free(f);
	uint8_t *a = elf_slurp(obj, &n1), *b = elf_slurp(lib, &n2);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(n1, n2);
	ck_assert_mem_eq(a, b, n1);
	free(a);
	free(b);
	free(elf_slurp(out, &n1));
	free(elf_slurp(errf, &n2));
	ck_assert_uint_eq(n1, 0);
	ck_assert_uint_eq(n2, 0);

	/* a missing directory: exit 1, "bpfc: error: PATH: reason", no file */
	snprintf(bad, sizeof(bad), "%s/missing/x.o", dir);
	char *const fail[] = {"bpfc", "-o", bad, "--target=tc", "udp", NULL};
	ck_assert_int_eq(elf_run_bpfc(bpfc, fail, out, errf), 1);
	char *msg = (char *)elf_slurp(errf, &n1);
	ck_assert_ptr_nonnull(msg);
	msg[n1 > 0 ? n1 - 1 : 0] = '\0';
	ck_assert_msg(strncmp(msg, "bpfc: error: ", 13) == 0, "stderr: %s", msg);
	ck_assert_msg(strstr(msg, bad) != NULL && strstr(msg, strerror(ENOENT)) != NULL,
		      "stderr: %s", msg);
	free(msg);

	/* an expression that does not compile: no object */
	snprintf(bad, sizeof(bad), "%s/never.o", dir);
	char *const syntax[] = {"bpfc", "-o", bad, "tcp", "port", NULL};
	ck_assert_int_ne(elf_run_bpfc(bpfc, syntax, out, errf), 0);
	ck_assert_int_ne(access(bad, F_OK), 0);
	char listing[4096];
	elf_listing(dir, listing, sizeof(listing));
	ck_assert_str_eq(listing, "cmd.o lib.o ");
}
END_TEST

static Suite *
elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("writer");
	TCase *tk = tcase_create("expressions");
	TCase *tf = tcase_create("files");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_fields_round_trip, 0, (int)ELF_NTARGETS);
	tcase_add_loop_test(tc, test_constant_runs, 0, (int)ELF_NTARGETS);
	tcase_add_test(tc, test_license_gpl_helper);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tk, 240);
	tcase_add_loop_test(tk, test_expressions, 0, (int)ELF_NEXPRS);
	suite_add_tcase(s, tk);

	tcase_set_timeout(tf, 60);
	tcase_add_test(tf, test_replace_keeps_mode);
	tcase_add_test(tf, test_new_file_mode);
	tcase_add_test(tf, test_write_fails_midway);
	tcase_add_test(tf, test_unwritable_directory);
	tcase_add_test(tf, test_bad_paths);
	tcase_add_test(tf, test_bad_arguments);
	tcase_add_test(tf, test_command);
	suite_add_tcase(s, tf);
	return s;
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(elf_dir, sizeof(elf_dir), "%s/check_elf.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(elf_dir) == NULL) {
		fprintf(stderr, "check_elf: mkdtemp %s: %s\n", elf_dir, strerror(errno));
		return 1;
	}
	printf("check_elf: seed %#" PRIx64 " (BPFC_SEED), %s\n",
	       testenv_seed("BPFC_SEED", ELF_SEED), elf_dir);
	fflush(stdout);
	SRunner *sr = srunner_create(elf_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	elf_rmtree(elf_dir);
	return failed ? 1 : 0;
}
