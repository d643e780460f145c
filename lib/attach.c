/*
 * attach.c: bpfc_attach, a filter onto a socket (issue #4).
 *
 * Takes a socket and a filter; gives the socket that filter in the kernel:
 * its eBPF socket-filter program (bpf(BPF_PROG_LOAD) + SO_ATTACH_BPF) when
 * the caller may load one, else its classic program (SO_ATTACH_FILTER,
 * which needs no privilege), and says which.
 *
 * Order of work, and why:
 *   1. Translate and load the eBPF first, touching nothing: a refused
 *      program (the verifier's log comes back in the error) leaves the
 *      socket as it was.  EPERM (no CAP_BPF, unprivileged bpf disabled)
 *      and a program the translator cannot express fall back to classic.
 *   2. On a packet socket, attach a drop-all classic filter and drain the
 *      queue, as libpcap does when it sets a filter: packets queued before
 *      the call passed no filter (or the previous one) and must not be
 *      read as if they had passed this one.  Other sockets are not
 *      drained: their queued data was accepted and belongs to the caller.
 *   3. Attach the real program; the kernel swaps filters atomically.
 * The drain cannot catch a packet the kernel had already run the old
 * filter on when the drop-all one went in and queues just after the drain
 * (attaching does not wait for concurrent receivers).  The race-free way
 * for a capture is the one backend/capture.c takes: open the packet socket
 * with protocol 0 (it receives nothing), attach, then bind to ETH_P_ALL.
 *
 * The program fd is closed after SO_ATTACH_BPF: the socket holds its own
 * reference, so the program lives exactly as long as the socket's filter.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/filter.h>

#include "bpfc.h"
#include "backend/bpfsys.h"
#include "base/arena.h"
#include "base/diag.h"
#include "ebpf/ebpf.h"

/* The public instruction layout is the kernel's struct sock_filter, so the
 * classic program is handed over as it is. */
_Static_assert(sizeof(struct bpfc_insn) == sizeof(struct sock_filter), "sock_filter size");
_Static_assert(offsetof(struct bpfc_insn, code) == offsetof(struct sock_filter, code) &&
		       offsetof(struct bpfc_insn, jt) == offsetof(struct sock_filter, jt) &&
		       offsetof(struct bpfc_insn, jf) == offsetof(struct sock_filter, jf) &&
		       offsetof(struct bpfc_insn, k) == offsetof(struct sock_filter, k),
	       "sock_filter layout");

/* Room for the verifier's log when a load is refused: the tail is what
 * matters, and the kernel keeps the tail when the log overflows. */
enum { ATTACH_LOG_SIZE = 1 << 20 };

/* Replace `err` with the verifier's verdict: as many of the log's last
 * lines as fit after the prefix. */
static int
attach_log_error(const char *log, struct bpfc_error *err)
{
	static const char prefix[] = "the kernel's verifier refused the program:\n";
	size_t n = strlen(log), room = sizeof(err->msg) - sizeof(prefix);

	while (n > 0 && (log[n - 1] == '\n' || log[n - 1] == ' '))
		n--;
	size_t start = n > room ? n - room : 0;
	size_t line = start;
	while (line > 0 && line < n && log[line - 1] != '\n') /* begin on a whole line */
		line++;
	if (line < n)
		start = line;
	diag_init(err);
	return diag_plain(err, BPFC_EINVAL, "%s%.*s", prefix, (int)(n - start), log + start);
}

/* Load `n` slots as a socket filter: the program's fd, or -1 with `err`.
 * The first load goes without a log (a level-1 log of a big program that
 * loads fine can overflow any buffer); a refused one is loaded again with
 * the log, for the error. */
static int
attach_prog_load(const struct bpfc_ebpf_insn *insns, size_t n, struct bpfc_error *err)
{
	int fd = bpfsys_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, n, NULL, 0, err);
	if (fd >= 0 || err->code != BPFC_EINVAL)
		return fd;
	char *log = malloc(ATTACH_LOG_SIZE);
	if (log == NULL)
		return -1; /* keep the error without the log */
	struct bpfc_error again;
	diag_init(&again);
	fd = bpfsys_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, n, log, ATTACH_LOG_SIZE, &again);
	if (fd < 0 && log[0] != '\0')
		attach_log_error(log, err);
	free(log);
	return fd;
}

/* f's eBPF socket-filter program, translated here (in an arena that dies
 * with the call) and loaded: its fd, or -1 with `err` set
 * (BPFC_EUNSUPPORTED: fall back to classic). */
static int
attach_load_ebpf(const struct bpfc_filter *f, struct bpfc_error *err)
{
	const struct bpfc_insn *insns;
	size_t n = bpfc_cbpf(f, &insns);
	struct ebpf_prog prog;
	struct arena a;
	int fd = -1;

	arena_init(&a);
	if (ebpf_from_cbpf(&a, insns, n, EBPF_TARGET_SOCKET, 0, &prog, err) == 0)
		fd = attach_prog_load(prog.insns, prog.n, err);
	arena_release(&a);
	return fd;
}

static int
attach_errno(const char *what, struct bpfc_error *err)
{
	int e = errno;
	enum bpfc_status code = e == ENOMEM   ? BPFC_ENOMEM
				: e == EPERM ? BPFC_EUNSUPPORTED
					     : BPFC_EINVAL;
	return diag_plain(err, code, "setsockopt(%s): %s", what, strerror(e));
}

/* Step 2: a packet socket gets a drop-all filter and an empty queue.
 * 0, or -1 with `err` (the socket is then as it was, or drops all). */
static int
attach_quiesce(int sockfd, struct bpfc_error *err)
{
	int domain;
	socklen_t len = sizeof(domain);

	if (getsockopt(sockfd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return diag_plain(err, errno == ENOTSOCK || errno == EBADF ? BPFC_EINVAL : BPFC_EIO,
				  "socket %d: %s", sockfd, strerror(errno));
	if (domain != AF_PACKET)
		return 0;
	struct sock_filter drop = {0x06, 0, 0, 0}; /* ret #0 */
	struct sock_fprog prog = {1, &drop};
	if (setsockopt(sockfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return attach_errno("SO_ATTACH_FILTER", err);
	/* Nothing new is queued now, so this ends; a packet socket's error
	 * (ENETDOWN) ends it too and stays for the caller's next read. */
	char byte;
	while (recv(sockfd, &byte, 1, MSG_DONTWAIT | MSG_TRUNC) >= 0 || errno == EINTR)
		continue;
	return 0;
}

int
bpfc_attach(int sockfd, const struct bpfc_filter *f, unsigned flags, struct bpfc_error *err)
{
	struct bpfc_error local;
	const struct bpfc_insn *insns;
	int progfd = -1;

	if (err == NULL)
		err = &local;
	diag_init(err);
	if (f == NULL || sockfd < 0)
		return diag_plain(err, BPFC_EINVAL, "bpfc_attach: no %s", f == NULL ? "filter" : "socket");
	if ((flags & ~(BPFC_ATTACH_EBPF_ONLY | BPFC_ATTACH_CBPF_ONLY)) != 0 ||
	    flags == (BPFC_ATTACH_EBPF_ONLY | BPFC_ATTACH_CBPF_ONLY))
		return diag_plain(err, BPFC_EINVAL, "bpfc_attach: bad flags %#x", flags);
	if (!(flags & BPFC_ATTACH_CBPF_ONLY)) {
		progfd = attach_load_ebpf(f, err);                    /* step 1 */
		if (progfd < 0 && ((flags & BPFC_ATTACH_EBPF_ONLY) || err->code != BPFC_EUNSUPPORTED))
			return -1;
		if (progfd < 0)
			diag_init(err); /* falling back is not an error */
	}
	size_t n = bpfc_cbpf(f, &insns);
	if (progfd < 0 && (n == 0 || n > USHRT_MAX))
		return diag_plain(err, BPFC_EINVAL, "a classic program of %zu instructions "
				  "cannot be attached", n);
	if (attach_quiesce(sockfd, err) < 0) {                        /* step 2 */
		if (progfd >= 0)
			close(progfd);
		return -1;
	}
	if (progfd >= 0) {                                            /* step 3 */
		int rc = setsockopt(sockfd, SOL_SOCKET, SO_ATTACH_BPF, &progfd, sizeof(progfd));
		if (rc < 0)
			attach_errno("SO_ATTACH_BPF", err);
		close(progfd);
		return rc < 0 ? -1 : BPFC_ATTACHED_EBPF;
	}
	struct sock_fprog prog = {(unsigned short)n, (struct sock_filter *)(uintptr_t)insns};
	if (setsockopt(sockfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return attach_errno("SO_ATTACH_FILTER", err);
	return BPFC_ATTACHED_CBPF;
}
