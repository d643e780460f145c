/*
 * progress.c: the progress line (see progress.h).
 *
 * The clock is read on every tick (the caller ticks per input block, a
 * few hundred times a second at most), and the line is drawn only when a
 * quarter of a second has passed, the first time after that much too, so
 * that a quick run never flashes a line.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include <config.h>

#include <stdio.h>

#include "cli/progress.h"

#define PROGRESS_HZ 4

static double
progress_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* "12.3 MiB" into buf. */
static const char *
progress_bytes(char *buf, size_t len, double v)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
	return buf;
}

void
progress_init(struct progress *pg, int64_t total, int enabled)
{
	pg->on = enabled;
	pg->drawn = 0;
	pg->total = total;
	clock_gettime(CLOCK_MONOTONIC, &pg->start);
	pg->last = pg->start;
}

void
progress_tick(struct progress *pg, uint64_t bytes, uint64_t packets)
{
	struct timespec now;
	char done[32], all[32];

	if (!pg->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (progress_since(&pg->last, &now) < 1.0 / PROGRESS_HZ)
		return;
	pg->last = now;
	double t = progress_since(&pg->start, &now);
	double rate = t > 0 ? (double)packets / t : 0;
	progress_bytes(done, sizeof(done), (double)bytes);
	if (pg->total > 0) {
		double frac = (double)bytes / (double)pg->total;
		double eta = frac > 0 ? t / frac - t : 0;
		fprintf(stderr, "\r%s of %s (%.0f%%), %.2f M packets/s, ETA %d:%02d\033[K", done,
			progress_bytes(all, sizeof(all), (double)pg->total),
			frac > 1 ? 100.0 : 100 * frac, rate / 1e6, (int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "\r%s read, %.2f M packets/s\033[K", done, rate / 1e6);
	}
	pg->drawn = 1;
}

void
progress_end(struct progress *pg)
{
	if (pg->drawn)
		fputs("\r\033[K", stderr);
	pg->drawn = 0;
}
