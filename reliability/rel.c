// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the reliability tests: see rel.h. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rel.h"

const char *const rel_kind_name[2] = { [EFD_NATIVE] = "native", [EFD_OHOS] = "ohos" };
const char *rel_prog = "reliability";

void rel_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	rel_prog = slash ? slash + 1 : argv0;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static void rel_vprint(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	printf("# %s%s: %s\n", prefix, rel_prog, msg);
}

void rel_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rel_vprint("", fmt, ap);
	va_end(ap);
}

void rel_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rel_vprint("FAIL: ", fmt, ap);
	va_end(ap);
}

void rel_die(const char *fmt, ...)
{
	int err = errno;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("# ERROR: %s: %s (errno %s)\n", rel_prog, msg, efd_errname(err));
	fflush(stdout);
	exit(2);
}

uint64_t rel_peek(int fd)
{
	uint64_t v;

	if (!efd_peek(fd, &v))
		rel_die("OHOS_EFD_IOC_PEEK on fd %d", fd);
	return v;
}

double rel_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void rel_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void rel_dump_file(const char *path, const char *label)
{
	char buf[8192], *line, *save;

	if (efd_read_file(path, buf, sizeof(buf))) {
		printf("#     %s: unreadable (%s)\n", label, efd_errname(errno));
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("#     %s: %s\n", label, line);
}

void rel_dump_stacks(pid_t pid)
{
	char path[sizeof(((struct dirent *)0)->d_name) + 64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir) {
		printf("# stacks of %d: %s unreadable (%s)\n", (int)pid, path, efd_errname(errno));
		return;
	}
	printf("# kernel stacks of process %d:\n", (int)pid);
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		printf("#   task %s:\n", d->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, d->d_name);
		rel_dump_file(path, "stat");
		snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", (int)pid, d->d_name);
		rel_dump_file(path, "wchan");
		snprintf(path, sizeof(path), "/proc/%d/task/%s/syscall", (int)pid, d->d_name);
		rel_dump_file(path, "syscall");
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid, d->d_name);
		rel_dump_file(path, "stack");
	}
	closedir(dir);
	fflush(stdout);
}

void rel_rng_seed(struct rel_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t rel_rng_next(struct rel_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rel_rng_below(struct rel_rng *rng, uint64_t n)
{
	return rel_rng_next(rng) % n;
}

unsigned long long rel_parse_num(const char *opt, const char *arg)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg ? arg : "", &end, 0);
	if (!arg || !*arg || *end || errno || arg[0] == '-') {
		fprintf(stderr, "%s: %s takes a non-negative number, not '%s' (see --help)\n",
			rel_prog, opt, arg ? arg : "");
		exit(2);
	}
	return v;
}
