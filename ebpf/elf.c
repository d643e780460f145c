/*
 * elf.c: an eBPF program as a relocatable ELF object, written with libelf.
 *
 * Takes: a struct ebpf_prog, the section name of its target ("socket",
 * "tc", "xdp"), the name of its function symbol and a path.  Gives: the
 * object at `path`, or an error naming the path and the reason.
 *
 * The object is what clang -target bpf makes of one program with no maps,
 * no BTF and no relocations, which is all libbpf 1.x (and through it
 * bpftool, `ip link ... xdp obj` and `tc ... bpf obj`) needs:
 *   ELF64, little-endian (the byte order eBPF is loaded in on the hosts
 *   bpfc targets), ET_REL, EM_BPF;
 *   [1] SECTION    PROGBITS AX  the instructions, 8-byte aligned; libbpf
 *                               takes the program type from this name
 *   [2] license    PROGBITS WA  the licence string with its NUL
 *   [3] .symtab    SYMTAB       the null symbol, then `func`: GLOBAL FUNC,
 *                               value 0, size the whole of [1] (libbpf
 *                               names the program after it)
 *   [4] .strtab    STRTAB       symbol names
 *   [5] .shstrtab  STRTAB       section names
 * Instructions are encoded byte by byte (code, dst | src << 4, off and imm
 * little-endian), not copied from memory, so the file does not depend on
 * the host's byte order or on how the compiler lays out bit-fields.
 *
 * Licence: the kernel reads the string only to decide whether the program
 * may call GPL-only helpers and kfuncs.  A program that calls no helper
 * (socket and xdp: packet bytes through legacy loads or direct access)
 * carries "BSD", bpfc's own licence.  One that calls any (the tc target calls
 * bpf_skb_pull_data, which is not GPL-only) carries "Dual BSD/GPL", which
 * the kernel counts as GPL-compatible: which helpers are GPL-only is the
 * kernel's list and changes, so the writer does not keep a copy of it and
 * a helper can never be the reason an object fails to load.
 *
 * Invariant: the file at `path` is replaced whole or not at all.  The
 * object is written to a new file beside it (mkostemp, so on the same
 * file system), given the old file's mode (or 0666 less the umask),
 * fsync'd and renamed over `path`; any failure unlinks the new file and
 * leaves `path` as it was.  An existing `path` that is not a regular file
 * (a directory, a device such as /dev/null, a FIFO) is refused: renaming
 * over it would replace the device node itself.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/strbuf.h"
#include "ebpf/ebpf.h"

#ifndef EM_BPF
#define EM_BPF 247 /* elf.h before glibc 2.24 */
#endif

#define EBPF_ELF_INSN_SIZE 8
#define EBPF_ELF_MAX_NAME 255 /* longest section or symbol name accepted */

/* The section header table, in file order. */
enum {
	EBPF_ELF_SEC_NULL,
	EBPF_ELF_SEC_PROG,
	EBPF_ELF_SEC_LICENSE,
	EBPF_ELF_SEC_SYMTAB,
	EBPF_ELF_SEC_STRTAB,
	EBPF_ELF_SEC_SHSTRTAB,
	EBPF_ELF_NSECS
};

/* One section to write: its header fields and its one data buffer. */
struct ebpf_elf_sec {
	uint32_t name; /* offset in .shstrtab */
	uint32_t type, link, info;
	uint64_t flags, align, entsize;
	const void *data;
	size_t size;
	Elf_Type dtype;
};

/* Everything the object holds, built before any file is touched. */
struct ebpf_elf_image {
	uint8_t *code; /* the instructions, encoded; malloc'd */
	size_t code_size;
	const char *license;
	Elf64_Sym syms[2];
	struct strbuf strtab, shstrtab;
	struct ebpf_elf_sec secs[EBPF_ELF_NSECS];
};

/* Append `s` with its NUL to a string table; its offset there. */
static uint32_t
ebpf_elf_str(struct strbuf *tab, const char *s)
{
	uint32_t off = (uint32_t)tab->len;

	strbuf_append(tab, s, strlen(s) + 1);
	return off;
}

/* Write `v` as `n` little-endian bytes at `out`. */
static void
ebpf_elf_le(uint8_t *out, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

/* The licence string for `p` (see the file comment). */
static const char *
ebpf_elf_license(const struct ebpf_prog *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->insns[i].code == EBPF_OP_CALL)
			return "Dual BSD/GPL";
	return "BSD";
}

/* A name the loaders can use as a section or symbol name. */
static int
ebpf_elf_check_name(const char *what, const char *s, struct bpfc_error *err)
{
	if (s == NULL || s[0] == '\0')
		return diag_plain(err, BPFC_EINVAL, "ELF object: empty %s name", what);
	if (strlen(s) > EBPF_ELF_MAX_NAME)
		return diag_plain(err, BPFC_EINVAL, "ELF object: %s name longer than %d bytes",
				  what, EBPF_ELF_MAX_NAME);
	return 0;
}

/* Encode the instructions into img->code. */
static int
ebpf_elf_encode(struct ebpf_elf_image *img, const struct ebpf_prog *p, struct bpfc_error *err)
{
	if (p->n == 0 || p->insns == NULL)
		return diag_plain(err, BPFC_EINVAL, "ELF object: the program is empty");
	if (p->n > SIZE_MAX / EBPF_ELF_INSN_SIZE || p->n > UINT32_MAX / EBPF_ELF_INSN_SIZE)
		return diag_plain(err, BPFC_ERANGE, "ELF object: the program is too long");
	img->code_size = p->n * EBPF_ELF_INSN_SIZE;
	img->code = malloc(img->code_size);
	if (img->code == NULL)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n; i++) {
		const struct bpfc_ebpf_insn *in = &p->insns[i];
		uint8_t *out = img->code + i * EBPF_ELF_INSN_SIZE;

		out[0] = in->code;
		out[1] = (uint8_t)((in->dst_reg & 0xf) | (in->src_reg & 0xf) << 4);
		ebpf_elf_le(out + 2, (uint16_t)in->off, 2);
		ebpf_elf_le(out + 4, (uint32_t)in->imm, 4);
	}
	return 0;
}

/* Build the image of `p`: encoded code, tables and section headers. */
static int
ebpf_elf_build(struct ebpf_elf_image *img, const struct ebpf_prog *p, const char *section,
	       const char *func, struct bpfc_error *err)
{
	if (ebpf_elf_check_name("section", section, err) < 0 ||
	    ebpf_elf_check_name("function", func, err) < 0 || ebpf_elf_encode(img, p, err) < 0)
		return -1;
	img->license = ebpf_elf_license(p);

	/* Both tables start with the empty string: offset 0 names nothing. */
	ebpf_elf_str(&img->strtab, "");
	ebpf_elf_str(&img->shstrtab, "");
	img->syms[1] = (Elf64_Sym){
		.st_name = ebpf_elf_str(&img->strtab, func),
		.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
		.st_other = STV_DEFAULT,
		.st_shndx = EBPF_ELF_SEC_PROG,
		.st_value = 0,
		.st_size = img->code_size,
	};

	struct ebpf_elf_sec *s = img->secs;
	s[EBPF_ELF_SEC_PROG] = (struct ebpf_elf_sec){
		.name = ebpf_elf_str(&img->shstrtab, section), .type = SHT_PROGBITS,
		.flags = SHF_ALLOC | SHF_EXECINSTR, .align = EBPF_ELF_INSN_SIZE,
		.data = img->code, .size = img->code_size, .dtype = ELF_T_BYTE};
	s[EBPF_ELF_SEC_LICENSE] = (struct ebpf_elf_sec){
		.name = ebpf_elf_str(&img->shstrtab, "license"), .type = SHT_PROGBITS,
		.flags = SHF_ALLOC | SHF_WRITE, .align = 1,
		.data = img->license, .size = strlen(img->license) + 1, .dtype = ELF_T_BYTE};
	/* sh_info of a symbol table: the index of its first non-local symbol. */
	s[EBPF_ELF_SEC_SYMTAB] = (struct ebpf_elf_sec){
		.name = ebpf_elf_str(&img->shstrtab, ".symtab"), .type = SHT_SYMTAB,
		.link = EBPF_ELF_SEC_STRTAB, .info = 1, .align = 8, .entsize = sizeof(Elf64_Sym),
		.data = img->syms, .size = sizeof(img->syms), .dtype = ELF_T_SYM};
	s[EBPF_ELF_SEC_STRTAB] = (struct ebpf_elf_sec){
		.name = ebpf_elf_str(&img->shstrtab, ".strtab"), .type = SHT_STRTAB, .align = 1,
		.dtype = ELF_T_BYTE};
	s[EBPF_ELF_SEC_SHSTRTAB] = (struct ebpf_elf_sec){
		.name = ebpf_elf_str(&img->shstrtab, ".shstrtab"), .type = SHT_STRTAB, .align = 1,
		.dtype = ELF_T_BYTE};
	if (img->strtab.failed || img->shstrtab.failed)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	/* The tables are complete only now: point at them last. */
	s[EBPF_ELF_SEC_STRTAB].data = img->strtab.data;
	s[EBPF_ELF_SEC_STRTAB].size = img->strtab.len;
	s[EBPF_ELF_SEC_SHSTRTAB].data = img->shstrtab.data;
	s[EBPF_ELF_SEC_SHSTRTAB].size = img->shstrtab.len;
	return 0;
}

/* Add section `sec` to `e`.  0, or -1 (libelf's error pending). */
static int
ebpf_elf_add_section(Elf *e, const struct ebpf_elf_sec *sec)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d = scn != NULL ? elf_newdata(scn) : NULL;
	Elf64_Shdr *sh = scn != NULL ? elf64_getshdr(scn) : NULL;

	if (d == NULL || sh == NULL)
		return -1;
	/* libelf only reads d_buf while writing; it is not written through. */
	d->d_buf = (void *)(uintptr_t)sec->data;
	d->d_size = sec->size;
	d->d_type = sec->dtype;
	d->d_align = sec->align;
	d->d_off = 0;
	d->d_version = EV_CURRENT;
	sh->sh_name = sec->name;
	sh->sh_type = sec->type;
	sh->sh_flags = sec->flags;
	sh->sh_link = sec->link;
	sh->sh_info = sec->info;
	sh->sh_addralign = sec->align;
	sh->sh_entsize = sec->entsize;
	return 0;
}

/* Write the image to the open file `fd` through libelf. */
static int
ebpf_elf_emit(int fd, const struct ebpf_elf_image *img, const char *path,
	      struct bpfc_error *err)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return diag_plain(err, BPFC_EINTERNAL, "%s: libelf: %s", path, elf_errmsg(-1));
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	Elf64_Ehdr *eh = e != NULL ? elf64_newehdr(e) : NULL;
	int ok = eh != NULL;

	if (ok) {
		eh->e_ident[EI_DATA] = ELFDATA2LSB;
		eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
		eh->e_type = ET_REL;
		eh->e_machine = EM_BPF;
		eh->e_version = EV_CURRENT;
		eh->e_shstrndx = EBPF_ELF_SEC_SHSTRTAB;
	}
	for (int i = EBPF_ELF_SEC_PROG; ok && i < EBPF_ELF_NSECS; i++)
		ok = ebpf_elf_add_section(e, &img->secs[i]) == 0;
	/* elf_update's failures are the file's (a full disk, a file size
	 * limit): libelf's message says what it was doing, errno why. */
	errno = 0;
	if (ok && elf_update(e, ELF_C_WRITE) < 0)
		ok = 0;
	if (!ok && errno != 0)
		diag_plain(err, BPFC_EIO, "%s: writing the ELF object: %s (%s)", path,
			   elf_errmsg(-1), strerror(errno));
	else if (!ok)
		diag_plain(err, BPFC_EIO, "%s: writing the ELF object: %s", path, elf_errmsg(-1));
	if (e != NULL)
		elf_end(e);
	return ok ? 0 : -1;
}

/* The process's umask, read without changing it (umask(2) cannot). */
static mode_t
ebpf_elf_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned m;
	mode_t mask = 022; /* the usual one, when /proc is not there */

	if (f == NULL)
		return mask;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Umask: %o", &m) == 1) {
			mask = (mode_t)(m & 0777);
			break;
		}
	fclose(f);
	return mask;
}

/* The mode the object gets: the replaced file's, or 0666 less the umask.
 * Refuses a `path` that exists and is not a regular file. */
static int
ebpf_elf_mode(const char *path, mode_t *mode, struct bpfc_error *err)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return diag_plain(err, BPFC_EIO, "%s: %s", path, strerror(EISDIR));
		if (!S_ISREG(st.st_mode))
			return diag_plain(err, BPFC_EIO, "%s: not a regular file (the object is "
					  "written beside it and renamed over it)", path);
		*mode = st.st_mode & 07777;
		return 0;
	}
	if (errno != ENOENT)
		return diag_plain(err, BPFC_EIO, "%s: %s", path, strerror(errno));
	*mode = 0666 & ~ebpf_elf_umask();
	return 0;
}

/* Write the image to a new file beside `path` and rename it over `path`. */
static int
ebpf_elf_replace(const struct ebpf_elf_image *img, const char *path, mode_t mode,
		 struct bpfc_error *err)
{
	static const char suffix[] = ".XXXXXX";
	size_t len = strlen(path);
	char *tmp = malloc(len + sizeof(suffix));

	if (tmp == NULL)
		return diag_plain(err, BPFC_ENOMEM, "out of memory");
	memcpy(tmp, path, len);
	memcpy(tmp + len, suffix, sizeof(suffix));
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		diag_plain(err, BPFC_EIO, "%s: cannot create a file beside it: %s", path,
			   strerror(errno));
		free(tmp);
		return -1;
	}
	int rc = ebpf_elf_emit(fd, img, path, err);
	if (rc == 0 && fchmod(fd, mode) < 0)
		rc = diag_plain(err, BPFC_EIO, "%s: %s", path, strerror(errno));
	/* Data on disk before the name: after a crash, the old file or the
	 * whole new one, never an empty one. */
	if (rc == 0 && fsync(fd) < 0)
		rc = diag_plain(err, BPFC_EIO, "%s: %s", path, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = diag_plain(err, BPFC_EIO, "%s: %s", path, strerror(errno));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = diag_plain(err, BPFC_EIO, "%s: %s", path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
ebpf_write_elf(const struct ebpf_prog *p, const char *path, const char *section,
	       const char *func, struct bpfc_error *err)
{
	struct ebpf_elf_image img;
	mode_t mode = 0;

	if (p == NULL || path == NULL || path[0] == '\0')
		return diag_plain(err, BPFC_EINVAL, "ELF object: no %s given",
				  p == NULL ? "program" : "path");
	memset(&img, 0, sizeof(img));
	strbuf_init(&img.strtab);
	strbuf_init(&img.shstrtab);
	int rc = ebpf_elf_build(&img, p, section, func, err);
	if (rc == 0)
		rc = ebpf_elf_mode(path, &mode, err);
	if (rc == 0)
		rc = ebpf_elf_replace(&img, path, mode, err);
	free(img.code);
	strbuf_release(&img.strtab);
	strbuf_release(&img.shstrtab);
	return rc;
}
