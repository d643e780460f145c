/*
 * limit.c: a compile in a child with a time limit (see limit.h).
 *
 * The child writes one message on a pipe: a fixed header (status, the
 * time of each repetition, the program's length, an error text) and then
 * the program.  The parent reads until end of file or the deadline; at
 * the deadline it kills the child (SIGKILL) and reaps it.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench/limit.h"

struct limit_msg {
	int32_t ok;
	uint32_t reps;
	double ms[LIMIT_MAXREPS];
	uint64_t n;
	char err[256];
};

static double
limit_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
limit_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void
limit_child(int fd, limit_fn fn, void *arg, unsigned reps, double budget_s)
{
	struct limit_msg m;
	struct bpfc_insn *insns = NULL;
	size_t n = 0;
	double start = limit_now();

	memset(&m, 0, sizeof(m));
	m.ok = 1;
	for (unsigned i = 0; i < reps && m.ok; i++) {
		if (i > 0 && limit_now() - start > budget_s)
			break;
		free(insns);
		insns = NULL;
		double ms = fn(arg, &insns, &n, m.err, sizeof(m.err));
		if (ms < 0)
			m.ok = 0;
		else
			m.ms[m.reps++] = ms;
	}
	m.n = m.ok ? n : 0;
	if (limit_write(fd, &m, sizeof(m)) == 0 && m.n > 0)
		limit_write(fd, insns, n * sizeof(*insns));
	_exit(0);
}

/* Read the child's whole message by the deadline: 1 at end of file, 0
 * when the deadline passed, -1 on error. */
static int
limit_read(int fd, double deadline, char **buf, size_t *len)
{
	size_t cap = 0;

	*buf = NULL;
	*len = 0;
	for (;;) {
		double left = deadline - limit_now();
		struct pollfd pfd = {fd, POLLIN, 0};
		if (left <= 0)
			return 0;
		int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return -1;
		if (pr == 0)
			continue;
		if (*len == cap) {
			char *nb = realloc(*buf, cap = cap ? 2 * cap : 65536);
			if (nb == NULL)
				return -1;
			*buf = nb;
		}
		ssize_t r = read(fd, *buf + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 1;
		*len += (size_t)r;
	}
}

static int
limit_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Decode a complete message into r. */
static void
limit_decode(const char *buf, size_t len, struct limit_result *r)
{
	struct limit_msg m;

	if (len < sizeof(m)) {
		r->state = LIMIT_FAILED;
		snprintf(r->err, sizeof(r->err), "the child died before answering");
		return;
	}
	memcpy(&m, buf, sizeof(m));
	m.err[sizeof(m.err) - 1] = '\0';
	if (!m.ok || m.reps == 0 || m.reps > LIMIT_MAXREPS ||
	    len - sizeof(m) != m.n * sizeof(struct bpfc_insn)) {
		r->state = LIMIT_FAILED;
		snprintf(r->err, sizeof(r->err), "%s", m.ok ? "garbled answer" : m.err);
		return;
	}
	qsort(m.ms, m.reps, sizeof(m.ms[0]), limit_cmp);
	r->reps = m.reps;
	r->ms = m.reps % 2 ? m.ms[m.reps / 2] : (m.ms[m.reps / 2 - 1] + m.ms[m.reps / 2]) / 2;
	r->n = (size_t)m.n;
	if ((r->insns = malloc(r->n ? r->n * sizeof(*r->insns) : 1)) == NULL) {
		r->state = LIMIT_FAILED;
		snprintf(r->err, sizeof(r->err), "out of memory");
		return;
	}
	memcpy(r->insns, buf + sizeof(m), r->n * sizeof(*r->insns));
	r->state = LIMIT_DONE;
}

int
limit_run(limit_fn fn, void *arg, unsigned reps, double budget_s, double timeout_s,
	  struct limit_result *r)
{
	int fds[2], got, status = 0;
	char *buf;
	size_t len;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (reps > LIMIT_MAXREPS)
		reps = LIMIT_MAXREPS;
	if (pipe(fds) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		limit_child(fds[1], fn, arg, reps ? reps : 1, budget_s);
	}
	close(fds[1]);
	got = limit_read(fds[0], limit_now() + timeout_s, &buf, &len);
	close(fds[0]);
	if (got != 1)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == 0) {
		r->state = LIMIT_TIMEOUT;
		snprintf(r->err, sizeof(r->err), "killed after %g s", timeout_s);
	} else if (got < 0) {
		r->state = LIMIT_FAILED;
		snprintf(r->err, sizeof(r->err), "reading the child's answer: %s", strerror(errno));
	} else if (WIFSIGNALED(status)) {
		r->state = LIMIT_FAILED;
		snprintf(r->err, sizeof(r->err), "the child died of signal %d", WTERMSIG(status));
	} else {
		limit_decode(buf, len, r);
	}
	free(buf);
	return 0;
}

void
limit_result_free(struct limit_result *r)
{
	free(r->insns);
	r->insns = NULL;
}
