// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the reliability tests: see rel.h. */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "rel.h"

/* Samples, 2 ms apart, that must all show the thread in the system call. */
#define REL_SYSCALL_SAMPLES 3

const char *const rel_kind_name[2] = { [REL_NATIVE] = "native", [REL_OHOS] = "ohos" };
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
	printf("# ERROR: %s: %s (errno %s)\n", rel_prog, msg, rel_errname(err));
	fflush(stdout);
	exit(2);
}

const char *rel_errname(int err)
{
	const char *name;

	if (!err)
		return "0";
	name = strerrorname_np(err);
	return name ? name : "E?";
}

bool rel_native_as_ohos(void)
{
	const char *v = getenv(REL_ENV_NATIVE_AS_OHOS);

	return v && !strcmp(v, "1");
}

bool rel_ohos_via_create;

static int rel_create_dev = -1;

void rel_create_done(void)
{
	if (rel_create_dev >= 0)
		close(rel_create_dev);
	rel_create_dev = -1;
}

uint32_t rel_ohos_flags(int flags)
{
	return (flags & EFD_SEMAPHORE ? OHOS_EFD_SEMAPHORE : 0) |
	       (flags & EFD_NONBLOCK ? OHOS_EFD_NONBLOCK : 0) |
	       (flags & EFD_CLOEXEC ? OHOS_EFD_CLOEXEC : 0);
}

/* OHOS_EFD_IOC_CREATE, on a device fd opened once and kept. */
static int rel_create(unsigned int initval, int flags)
{
	int dev = rel_create_dev;
	struct ohos_efd_config cfg = { .flags = rel_ohos_flags(flags), .initval = initval };

	if (dev < 0)
		dev = rel_create_dev = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -1;
	return ioctl(dev, OHOS_EFD_IOC_CREATE, &cfg);
}

int rel_counter(enum rel_kind kind, unsigned int initval, int flags)
{
	struct ohos_efd_config cfg = {
		.flags = rel_ohos_flags(flags & EFD_SEMAPHORE),
		.initval = initval,
	};
	int fd;

	if (kind == REL_NATIVE || rel_native_as_ohos())
		return eventfd(initval, flags);
	if (rel_ohos_via_create)
		return rel_create(initval, flags);
	fd = open(OHOS_EVENTFD_DEVICE, O_RDWR | (flags & (O_NONBLOCK | O_CLOEXEC)));
	if (fd < 0 || (!initval && !cfg.flags))
		return fd;
	if (ioctl(fd, OHOS_EFD_IOC_CONFIGURE, &cfg)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

uint64_t rel_peek(int fd)
{
	uint64_t v;

	if (ioctl(fd, OHOS_EFD_IOC_PEEK, &v))
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

int rel_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void rel_dump_file(const char *path, const char *label)
{
	char buf[8192], *line, *save;

	if (rel_read_file(path, buf, sizeof(buf))) {
		printf("#     %s: unreadable (%s)\n", label, rel_errname(errno));
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
		printf("# stacks of %d: %s unreadable (%s)\n", (int)pid, path, rel_errname(errno));
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

pid_t rel_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

bool rel_in_syscall(pid_t tid, long nr)
{
	char path[96], buf[512], *paren;
	long cur;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	if (rel_read_file(path, buf, sizeof(buf)))
		return false;
	paren = strrchr(buf, ')');
	if (!paren || paren[1] != ' ' || paren[2] != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	if (rel_read_file(path, buf, sizeof(buf)))
		return false;
	return sscanf(buf, "%ld", &cur) == 1 && cur == nr;
}

bool rel_wait_in_syscall(pid_t tid, long nr, double timeout_s)
{
	double deadline = rel_now() + timeout_s;
	int seen = 0;

	while (rel_now() < deadline) {
		seen = rel_in_syscall(tid, nr) ? seen + 1 : 0;
		if (seen >= REL_SYSCALL_SAMPLES)
			return true;
		rel_sleep_ms(2);
	}
	return false;
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
