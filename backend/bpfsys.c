/*
 * bpfsys.c: bpf(2) through syscall(2), without libbpf.
 *
 * Two commands are all bpfc needs (load, test run), so the library stays
 * free of a libbpf dependency; libbpf is used only by the tests, as an
 * independent loader of bpfc's ELF objects.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <linux/bpf.h>

#include "backend/bpfsys.h"
#include "base/diag.h"

static int
bs_sys(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* The last line of a verifier log that says something (its verdict):
 * the statistics lines the verifier appends ("processed N insns ...",
 * "verification time ...") are skipped. */
static const char *
bs_log_tail(const char *log, size_t *len)
{
	size_t n = strlen(log), s;

	for (;;) {
		while (n > 0 && (log[n - 1] == '\n' || log[n - 1] == ' '))
			n--;
		s = n;
		while (s > 0 && log[s - 1] != '\n')
			s--;
		if (s == 0 || (strncmp(log + s, "processed ", 10) != 0 &&
			       strncmp(log + s, "verification time", 17) != 0 &&
			       strncmp(log + s, "stack depth", 11) != 0))
			break;
		n = s;
	}
	*len = n - s;
	return log + s;
}

int
bpfsys_prog_load(uint32_t prog_type, const struct bpfc_ebpf_insn *insns, size_t n,
		 char *log, size_t logsz, struct bpfc_error *err)
{
	union bpf_attr attr;
	static const char license[] = "BSD";
	int fd, e;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t)license;
	if (log != NULL && logsz > 0) {
		log[0] = '\0';
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = logsz > UINT32_MAX ? UINT32_MAX : (uint32_t)logsz;
		attr.log_level = 1;
	}
	fd = bs_sys(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	e = errno;
	if (e == ENOSPC && log != NULL) /* log too small: the load itself may be fine */
		return bpfsys_prog_load(prog_type, insns, n, NULL, 0, err);
	if (e == EPERM || e == ENOSYS || (e == EINVAL && log == NULL))
		return diag_plain(err, e == EINVAL ? BPFC_EINVAL : BPFC_EUNSUPPORTED,
				  "bpf(BPF_PROG_LOAD): %s", strerror(e));
	if (log != NULL && log[0] != '\0') {
		size_t len;
		const char *tail = bs_log_tail(log, &len);
		return diag_plain(err, BPFC_EINVAL, "the kernel's verifier refused the program: %.*s",
				  (int)len, tail);
	}
	return diag_plain(err, BPFC_EINVAL, "bpf(BPF_PROG_LOAD): %s", strerror(e));
}

int
bpfsys_test_run(int fd, const void *data, uint32_t len, uint32_t *retval,
		struct bpfc_error *err)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.data_in = (uint64_t)(uintptr_t)data;
	attr.test.data_size_in = len;
	attr.test.repeat = 1;
	if (bs_sys(BPF_PROG_TEST_RUN, &attr) < 0)
		return diag_plain(err, errno == EPERM ? BPFC_EUNSUPPORTED : BPFC_EINVAL,
				  "bpf(BPF_PROG_TEST_RUN): %s", strerror(errno));
	*retval = attr.test.retval;
	return 0;
}
