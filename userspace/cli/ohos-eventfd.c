// SPDX-License-Identifier: GPL-2.0
/*
 * ohos-eventfd: is the module there, and what is a given counter doing?
 *
 *   ohos-eventfd info
 *   ohos-eventfd stat PID FD
 *   ohos-eventfd watch PID FD [SECONDS [COUNT]]
 *   ohos-eventfd top [-p PID[,PID...]] [-d SECONDS] [-n COUNT] [--once]
 *
 * stat and watch read /proc/PID/fdinfo/FD; the count and the statistics need
 * the counter itself, taken with pidfd_getfd(2), which needs ptrace access
 * to PID (same user without restrictions, or CAP_SYS_PTRACE). top reads
 * fdinfo only: ptrace-read access, and no reference taken on any counter.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <linux/kcmp.h>
#include <ohos_eventfd.h>

#define MODULE_DIR	"/sys/module/ohos_eventfd"
#define SYSFS_DEV	"/sys/class/misc/ohos_eventfd/dev"

enum { EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ohos-eventfd [--help] [--version] COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  info                        is the ohos_eventfd module loaded, its version,\n"
		"                              the device node, and can a counter be created\n"
		"  stat PID FD                 fdinfo, count, flags, mode and statistics of\n"
		"                              file descriptor FD of process PID\n"
		"  watch PID FD [SECONDS [COUNT]]\n"
		"                              print the count and the rates every SECONDS\n"
		"                              (default 1), COUNT times (default, or 0: until\n"
		"                              PID exits)\n"
		"  top [-p PID[,PID...]] [-d SECONDS] [-n COUNT] [--once]\n"
		"                              a table of the counters of every process (or\n"
		"                              of each PID): count, writes, per-CPU share,\n"
		"                              wakeups and coalesced writes per second,\n"
		"                              refreshed every SECONDS (default 1), COUNT\n"
		"                              times (default, or 0: until interrupted);\n"
		"                              --once: one table for scripts, two samples\n"
		"                              SECONDS apart, no terminal control codes\n"
		"\n"
		"stat's count and statistics and watch need pidfd_getfd(2): ptrace access\n"
		"to PID. top reads /proc/PID/fdinfo only (ptrace-read access).\n"
		"See ohos-eventfd(1).\n");
}

/* The first line of a small file, newline stripped; NULL if unreadable. */
static char *read_line(const char *path, char *buf, size_t size)
{
	FILE *file = fopen(path, "re");
	char *line;

	if (!file)
		return NULL;
	line = fgets(buf, (int)size, file);
	fclose(file);
	if (line)
		line[strcspn(line, "\n")] = '\0';
	return line;
}

static void format_mode(mode_t mode, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISCHR(mode) ? 'c' : S_ISREG(mode) ? '-' : S_ISDIR(mode) ? 'd' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = (mode & (0400 >> i)) ? rwx[i] : '-';
	out[10] = '\0';
}

static int info_module(void)
{
	char version[64], refcnt[32];

	if (access(MODULE_DIR, F_OK) != 0) {
		printf("module:  not loaded (no %s)\n", MODULE_DIR);
		return 0;
	}
	printf("module:  loaded, version %s, %s users\n",
	       read_line(MODULE_DIR "/version", version, sizeof(version)) ?: "unknown",
	       read_line(MODULE_DIR "/refcnt", refcnt, sizeof(refcnt)) ?: "unknown");
	return 1;
}

static void info_device(void)
{
	char mode[11], sysfs_dev[32];
	struct stat st;
	int have_sysfs = read_line(SYSFS_DEV, sysfs_dev, sizeof(sysfs_dev)) != NULL;

	if (stat(OHOS_EVENTFD_DEVICE, &st) != 0) {
		printf("device:  %s: %s\n", OHOS_EVENTFD_DEVICE, strerror(errno));
	} else {
		format_mode(st.st_mode, mode);
		printf("device:  %s %s uid %u gid %u %u:%u\n", OHOS_EVENTFD_DEVICE, mode,
		       (unsigned int)st.st_uid, (unsigned int)st.st_gid,
		       major(st.st_rdev), minor(st.st_rdev));
	}
	printf("sysfs:   %s %s\n", SYSFS_DEV, have_sysfs ? sysfs_dev : "(absent)");
}

static const char *mode_name(unsigned int mode)
{
	return mode == OHOS_EFD_MODE_EXACT ? "exact" :
	       mode == OHOS_EFD_MODE_TRANSITION ? "transition" : "unknown";
}

/* Create a counter as any program would: the real test of the setup. */
static int info_open(void)
{
	unsigned int flags, mode;
	int fd = ohos_eventfd(0, EFD_CLOEXEC);

	if (fd < 0) {
		printf("open:    failed: %s\n", ohos_eventfd_last_error());
		return 0;
	}
	if (ohos_eventfd_get_flags(fd, &flags) == 0 && ohos_eventfd_get_mode(fd, &mode) == 0)
		printf("open:    ok, a counter with flags 0x%x, mode %s\n", flags, mode_name(mode));
	else
		printf("open:    ok, but %s\n", ohos_eventfd_last_error());
	close(fd);
	return 1;
}

static int cmd_info(void)
{
	int loaded = info_module();
	int usable;

	info_device();
	usable = info_open();
	return loaded && usable ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * A decimal number from @min to @max, digits only: strtoul() alone would
 * take leading blanks, a sign, and "-1" as ULONG_MAX.
 */
static int parse_uint(const char *arg, const char *what, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	errno = 0;
	*out = strtoul(arg, NULL, 10);
	if (!arg[0] || arg[strspn(arg, "0123456789")] || errno || *out < min || *out > max) {
		fprintf(stderr, "ohos-eventfd: invalid %s '%s'\n", what, arg);
		return -1;
	}
	return 0;
}

static int print_fdinfo(int pid, int fd)
{
	char path[64], target[PATH_MAX], line[256];
	ssize_t len;
	FILE *file;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0) {
		fprintf(stderr, "ohos-eventfd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	target[len] = '\0';
	printf("fd:      %s -> %s\n", path, target);
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	file = fopen(path, "re");
	if (!file) {
		fprintf(stderr, "ohos-eventfd: %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("fdinfo:\n");
	while (fgets(line, sizeof(line), file))
		printf("  %s", line);
	fclose(file);
	return 0;
}

/* A duplicate of PID's FD in this process, or -1 with errno. */
static int grab_fd(int pid, int fd, int *pidfd_out)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int copy, err;

	if (pidfd < 0)
		return -1;
	copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	err = errno;
	if (copy < 0 || !pidfd_out)
		close(pidfd);
	else
		*pidfd_out = pidfd;
	errno = err;
	return copy;
}

static void print_counter(int fd)
{
	struct ohos_efd_stats stats;
	unsigned int flags, mode;
	uint64_t count;

	if (ohos_eventfd_peek(fd, &count) || ohos_eventfd_get_flags(fd, &flags) ||
	    ohos_eventfd_get_mode(fd, &mode) || ohos_eventfd_get_stats(fd, &stats)) {
		printf("counter: %s\n", ohos_eventfd_last_error());
		return;
	}
	printf("count:   %" PRIu64 "\n", count);
	printf("flags:   0x%x%s%s\n", flags, flags & EFD_SEMAPHORE ? " semaphore" : "",
	       flags & EFD_NONBLOCK ? " nonblock" : "");
	printf("mode:    %s\n", mode_name(mode));
	printf("stats:   writes %llu reads %llu wakeups %llu fast_writes %llu slow_writes %llu\n",
	       (unsigned long long)stats.writes, (unsigned long long)stats.reads,
	       (unsigned long long)stats.wakeups, (unsigned long long)stats.fast_writes,
	       (unsigned long long)stats.slow_writes);
}

static int cmd_stat(int pid, int fd)
{
	int copy;

	if (print_fdinfo(pid, fd))
		return EXIT_FAILURE;
	copy = grab_fd(pid, fd, NULL);
	if (copy < 0) {
		printf("counter: unavailable: pidfd_getfd: %s (needs ptrace access to %d)\n",
		       strerror(errno), pid);
		return EXIT_FAILURE;
	}
	if (ohos_eventfd_is_ohos(copy) == 1)
		print_counter(copy);
	else
		printf("counter: not an ohos_eventfd counter\n");
	close(copy);
	return EXIT_SUCCESS;
}

/*
 * Still the same open file at /proc/PID/fd/FD as our copy? Counters from
 * OHOS_EFD_IOC_CREATE all share one anonymous inode, so only kcmp(2) can
 * tell; the inode decides where the kernel has no kcmp (CONFIG_KCMP=n).
 */
static int same_file(int pid, int fd, int copy)
{
	struct stat theirs, ours;
	char path[64];
	long cmp;

	cmp = syscall(SYS_kcmp, (int)getpid(), pid, KCMP_FILE, copy, fd);
	if (cmp >= 0 || errno != ENOSYS)
		return cmp == 0;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	return stat(path, &theirs) == 0 && fstat(copy, &ours) == 0 &&
	       theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Rates over the time that really passed, not the interval asked for. */
static void watch_line(int copy, const struct ohos_efd_stats *prev,
		       const struct ohos_efd_stats *now, double elapsed)
{
	uint64_t count = 0;

	ohos_eventfd_peek(copy, &count);
	printf("%20" PRIu64 " %12.0f %12.0f %12.0f\n", count,
	       (double)(now->writes - prev->writes) / elapsed,
	       (double)(now->reads - prev->reads) / elapsed,
	       (double)(now->wakeups - prev->wakeups) / elapsed);
	fflush(stdout);
}

static void watch_loop(int pid, int fd, int copy, int pidfd, double seconds,
		       unsigned long rounds, struct ohos_efd_stats *prev)
{
	struct pollfd exited = { .fd = pidfd, .events = POLLIN };
	double then = now_seconds(), now;
	struct ohos_efd_stats stats;
	unsigned long round;

	printf("%20s %12s %12s %12s\n", "count", "writes/s", "reads/s", "wakeups/s");
	for (round = 0; rounds == 0 || round < rounds; round++) {
		/* The pidfd turns readable when PID exits: the sleep and the check in one. */
		if (poll(&exited, 1, (int)(seconds * 1000)) != 0 || !same_file(pid, fd, copy))
			return;
		if (ohos_eventfd_get_stats(copy, &stats))
			return;
		now = now_seconds();
		watch_line(copy, prev, &stats, now - then);
		*prev = stats;
		then = now;
	}
}

static int cmd_watch(int pid, int fd, double seconds, unsigned long rounds)
{
	struct ohos_efd_stats stats;
	int copy, pidfd, ret = EXIT_SUCCESS;

	copy = grab_fd(pid, fd, &pidfd);
	if (copy < 0) {
		fprintf(stderr, "ohos-eventfd: pidfd_getfd of fd %d of %d: %s\n", fd, pid, strerror(errno));
		return EXIT_FAILURE;
	}
	if (ohos_eventfd_is_ohos(copy) == 1 && ohos_eventfd_get_stats(copy, &stats) == 0) {
		watch_loop(pid, fd, copy, pidfd, seconds, rounds, &stats);
	} else {
		fprintf(stderr, "ohos-eventfd: fd %d of %d is not an ohos_eventfd counter\n", fd, pid);
		ret = EXIT_FAILURE;
	}
	close(copy);
	close(pidfd);
	return ret;
}

static int parse_pid_fd(char **argv, int *pid, int *fd)
{
	unsigned long value;

	if (parse_uint(argv[0], "PID", 1, INT_MAX, &value))
		return -1;
	*pid = (int)value;
	if (parse_uint(argv[1], "FD", 0, INT_MAX, &value))
		return -1;
	*fd = (int)value;
	return 0;
}

static int parse_seconds(const char *arg, double *out)
{
	char *end;

	*out = strtod(arg, &end);
	if (end == arg || *end || !(*out >= 0.01 && *out <= 3600)) {
		fprintf(stderr, "ohos-eventfd: invalid SECONDS '%s' (0.01 to 3600)\n", arg);
		return -1;
	}
	return 0;
}

static int run_watch(int argc, char **argv)
{
	unsigned long rounds = 0;
	double seconds = 1;
	int pid, fd;

	if (parse_pid_fd(argv, &pid, &fd))
		return EXIT_USAGE;
	if (argc > 2 && parse_seconds(argv[2], &seconds))
		return EXIT_USAGE;
	if (argc > 3 && parse_uint(argv[3], "COUNT", 0, ULONG_MAX, &rounds))
		return EXIT_USAGE;
	return cmd_watch(pid, fd, seconds, rounds);
}

/*
 * top: every counter of some or all processes, from /proc/PID/fdinfo/FD
 * alone. The fields it reads; the rates come first, each a difference
 * between two samples of one counter.
 */
enum top_field {
	TOP_WRITES, TOP_FAST, TOP_WAKEUPS, TOP_COALESCED, TOP_RATES,
	TOP_COUNT = TOP_RATES, TOP_ID, TOP_RINGS, TOP_FIELDS
};

static const struct {
	const char *key;
	int base;
} top_keys[TOP_FIELDS] = {
	[TOP_WRITES]	= { "ohos_eventfd-writes", 10 },
	[TOP_FAST]	= { "ohos_eventfd-fast-writes", 10 },
	[TOP_WAKEUPS]	= { "ohos_eventfd-wakeups", 10 },
	[TOP_COALESCED]	= { "ohos_eventfd-coalesced", 10 },
	[TOP_COUNT]	= { "eventfd-count", 16 },
	[TOP_ID]	= { "eventfd-id", 10 },
	[TOP_RINGS]	= { "ohos_eventfd-rings", 10 },
};

/* One counter at one fd of one process, as one sample found it. */
struct top_counter {
	int pid, fd;
	double when;			/* when its fdinfo was read */
	uint64_t value[TOP_FIELDS];
	unsigned int have;		/* bit per field that fdinfo gave */
	double rate[TOP_RATES];		/* per second since the last sample; < 0: unknown */
	char mode[16];
	char comm[64];
};

struct top_sample {
	struct top_counter *counters;
	size_t nr, size;
	unsigned int unreadable;	/* processes whose fdinfo was refused */
};

struct top_options {
	int *pids;			/* NULL: every process */
	size_t nr_pids;
	double seconds;
	unsigned long rounds;		/* 0: until interrupted */
	bool once;
};

enum { TOP_ONCE = 256 };

static const struct option top_long_options[] = {
	{ "once", no_argument, NULL, TOP_ONCE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void *xrealloc(void *ptr, size_t size)
{
	ptr = realloc(ptr, size);
	if (!ptr) {
		fprintf(stderr, "ohos-eventfd: out of memory\n");
		exit(EXIT_FAILURE);
	}
	return ptr;
}

/* A /proc directory entry's number (a PID or an fd), or -1 for any other name. */
static int proc_number(const char *name)
{
	long value;

	if (!name[0] || name[strspn(name, "0123456789")] || strlen(name) > 10)
		return -1;
	value = strtol(name, NULL, 10);
	return value <= INT_MAX ? (int)value : -1;
}

/* @src in @dst up to a byte of @stop, unprintable bytes as '?': no control codes. */
static void copy_text(char *dst, size_t size, const char *src, const char *stop)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] && !strchr(stop, src[i]); i++)
		dst[i] = isprint((unsigned char)src[i]) ? src[i] : '?';
	dst[i] = '\0';
}

/* The value of an fdinfo line "KEY: VALUE", or NULL for a line of another key. */
static const char *fdinfo_value(const char *line, const char *key)
{
	size_t len = strlen(key);

	if (strncmp(line, key, len) || line[len] != ':')
		return NULL;
	return line + len + 1 + strspn(line + len + 1, " \t");
}

/* A number in @base with nothing after it but the newline. */
static bool parse_field(const char *text, int base, uint64_t *out)
{
	char *end;

	if (!isxdigit((unsigned char)text[0]))
		return false;
	errno = 0;
	*out = strtoull(text, &end, base);
	return end != text && !errno && (!*end || *end == '\n');
}

static void top_parse_line(const char *line, struct top_counter *c)
{
	const char *value;
	int f;

	for (f = 0; f < TOP_FIELDS; f++) {
		value = fdinfo_value(line, top_keys[f].key);
		if (value && parse_field(value, top_keys[f].base, &c->value[f]))
			c->have |= 1U << f;
	}
}

/* Read one fdinfo file into @c: is it one of our counters? Unknown lines are skipped. */
static bool top_parse(FILE *file, struct top_counter *c)
{
	const char *mode;
	bool ours = false;
	size_t size = 0;
	char *line = NULL;

	while (getline(&line, &size, file) > 0) {
		mode = fdinfo_value(line, "ohos_eventfd-mode");
		if (mode) {
			copy_text(c->mode, sizeof(c->mode), mode, " \t\n");
			ours = true;
		}
		top_parse_line(line, c);
	}
	free(line);
	return ours;
}

static void top_add(struct top_sample *s, const struct top_counter *c)
{
	if (s->nr == s->size) {
		s->size = s->size ? 2 * s->size : 16;
		s->counters = xrealloc(s->counters, s->size * sizeof(*s->counters));
	}
	s->counters[s->nr++] = *c;
}

/* Add fd @fd of @pid to @s if it is a counter; -1 when its fdinfo is refused. */
static int top_read_fd(struct top_sample *s, int dir, int pid, int fd)
{
	struct top_counter c = { .pid = pid, .fd = fd };
	char name[16];
	FILE *file;
	int info;

	snprintf(name, sizeof(name), "%d", fd);
	info = openat(dir, name, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return errno == EACCES ? -1 : 0;	/* else closed since the listing */
	file = fdopen(info, "r");
	if (!file) {
		close(info);
		return 0;
	}
	if (top_parse(file, &c)) {
		c.when = now_seconds();
		top_add(s, &c);
	}
	fclose(file);
	return 0;
}

/* Kernel threads have no files: no reason to count them as not readable. */
static bool kernel_thread(int pid)
{
	char path[64], line[512], *end;
	unsigned long flags;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!read_line(path, line, sizeof(line)))
		return false;
	end = strrchr(line, ')');
	/* after "PID (comm)": state ppid pgrp session tty_nr tpgid flags */
	if (!end || sscanf(end + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & 0x00200000;	/* PF_KTHREAD */
}

/* The command of @pid on its counters from @first on; none if @pid is gone. */
static void top_name(struct top_sample *s, size_t first, int pid)
{
	char path[64], comm[64];
	size_t i;

	if (first == s->nr)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (!read_line(path, comm, sizeof(comm))) {
		s->nr = first;
		return;
	}
	for (i = first; i < s->nr; i++)
		copy_text(s->counters[i].comm, sizeof(s->counters[i].comm), comm, "\n");
}

/* The counters of @pid into @s; a process that is gone adds nothing. */
static void top_scan_pid(struct top_sample *s, int pid)
{
	struct dirent *entry;
	size_t first = s->nr;
	bool refused = false;
	char path[64];
	DIR *dir;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	dir = opendir(path);
	if (!dir) {
		refused = errno == EACCES;
	} else {
		while (!refused && (entry = readdir(dir))) {
			fd = proc_number(entry->d_name);
			if (fd >= 0)
				refused = top_read_fd(s, dirfd(dir), pid, fd) < 0;
		}
		closedir(dir);
	}
	if (refused && !kernel_thread(pid))
		s->unreadable++;
	top_name(s, first, pid);
}

static int top_scan_all(struct top_sample *s)
{
	struct dirent *entry;
	DIR *proc = opendir("/proc");
	int pid;

	if (!proc) {
		fprintf(stderr, "ohos-eventfd: /proc: %s\n", strerror(errno));
		return -1;
	}
	while ((entry = readdir(proc))) {
		pid = proc_number(entry->d_name);
		if (pid > 0)
			top_scan_pid(s, pid);
	}
	closedir(proc);
	return 0;
}

static int top_by_key(const void *a, const void *b)
{
	const struct top_counter *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->fd != y->fd)
		return x->fd < y->fd ? -1 : 1;
	return x->value[TOP_ID] < y->value[TOP_ID] ? -1 : x->value[TOP_ID] > y->value[TOP_ID];
}

/* Writes per second, highest first; the unknown last. */
static int top_by_writes(const void *a, const void *b)
{
	const struct top_counter *x = a, *y = b;

	if (x->rate[TOP_WRITES] != y->rate[TOP_WRITES])
		return x->rate[TOP_WRITES] < y->rate[TOP_WRITES] ? 1 : -1;
	return top_by_key(a, b);
}

static int top_sample(const struct top_options *o, struct top_sample *s)
{
	size_t i;

	s->nr = 0;
	s->unreadable = 0;
	if (!o->pids)
		return top_scan_all(s);
	for (i = 0; i < o->nr_pids; i++)
		top_scan_pid(s, o->pids[i]);
	return 0;
}

/*
 * Is @old, at @c's fd with @c's id, the same counter? Ids are reused, as
 * eventfd's: one closed and replaced since, at the same fd, can have the
 * same. Its totals never go down: where one did, it is another counter.
 */
static bool top_same(const struct top_counter *c, const struct top_counter *old)
{
	int f;

	for (f = 0; old && f < TOP_RATES; f++)
		if ((c->have & old->have & (1U << f)) && c->value[f] < old->value[f])
			return false;
	return old != NULL;
}

/* Field @f per second from @old to @c; -1 without both values. */
static double top_per_second(const struct top_counter *c, const struct top_counter *old, int f)
{
	if (!old || !(c->have & old->have & (1U << f)))
		return -1;
	return (double)(c->value[f] - old->value[f]) / (c->when - old->when);
}

/*
 * Rates of @now against the same counter at the same fd in @then, over
 * the time that really passed; unknown for a counter @then did not see
 * (new since, or another counter now at that fd) or a field fdinfo lacks.
 */
static void top_rates(struct top_sample *now, struct top_sample *then)
{
	const struct top_counter *old;
	struct top_counter *c;
	size_t i;
	int f;

	qsort(then->counters, then->nr, sizeof(*then->counters), top_by_key);
	for (i = 0; i < now->nr; i++) {
		c = &now->counters[i];
		old = bsearch(c, then->counters, then->nr, sizeof(*c), top_by_key);
		if (!top_same(c, old))
			old = NULL;
		for (f = 0; f < TOP_RATES; f++)
			c->rate[f] = top_per_second(c, old, f);
	}
}

static void top_put_value(const struct top_counter *c, int f, int width)
{
	if (c->have & (1U << f))
		printf(" %*" PRIu64, width, c->value[f]);
	else
		printf(" %*s", width, "-");
}

static void top_put_rate(double rate, int width, int precision)
{
	if (rate < 0)
		printf(" %*s", width, "-");
	else
		printf(" %*.*f", width, precision, rate);
}

/* The header and the rows have the same widths; COMMAND last, it may have blanks. */
static void top_header(void)
{
	printf("%7s %4s %5s %-10s %10s %9s %5s %9s %11s %5s %s\n", "PID", "FD", "ID", "MODE",
	       "COUNT", "WRITES/s", "FAST%", "WAKEUPS/s", "COALESCED/s", "RINGS", "COMMAND");
}

static void top_row(const struct top_counter *c)
{
	double writes = c->rate[TOP_WRITES], fast = c->rate[TOP_FAST];

	printf("%7d %4d", c->pid, c->fd);
	top_put_value(c, TOP_ID, 5);
	printf(" %-10s", c->mode);
	top_put_value(c, TOP_COUNT, 10);
	top_put_rate(writes, 9, 1);
	top_put_rate(writes > 0 && fast >= 0 ? 100 * fast / writes : -1, 5, 0);
	top_put_rate(c->rate[TOP_WAKEUPS], 9, 1);
	top_put_rate(c->rate[TOP_COALESCED], 11, 1);
	top_put_value(c, TOP_RINGS, 5);
	printf(" %s\n", c->comm);
}

/* Rows that fit on the terminal below the header and above the footer. */
static size_t top_fit(size_t rows, bool footer)
{
	struct winsize ws;
	size_t room;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 3)
		return rows;
	room = ws.ws_row - 2 - footer;
	return rows < room ? rows : room;
}

/*
 * On a terminal the table replaces the last one (ANSI home and clear);
 * elsewhere tables follow each other, a blank line apart. --once keeps
 * stdout to the table: its footer goes to stderr.
 */
static void top_print(const struct top_options *o, struct top_sample *s, unsigned long round,
		      bool tty)
{
	size_t i, rows = s->nr;

	qsort(s->counters, s->nr, sizeof(*s->counters), top_by_writes);
	if (tty) {
		printf("\033[H\033[2J");
		rows = top_fit(rows, s->unreadable);
	} else if (round) {
		printf("\n");
	}
	top_header();
	for (i = 0; i < rows; i++)
		top_row(&s->counters[i]);
	if (s->unreadable)
		fprintf(o->once ? stderr : stdout,
			"%u process%s not readable: run as root or as their user\n",
			s->unreadable, s->unreadable == 1 ? "" : "es");
	fflush(stdout);
}

static int top_loop(const struct top_options *o)
{
	struct top_sample samples[2] = { 0 }, *then = &samples[0], *now = &samples[1], *swap;
	bool tty = !o->once && isatty(STDOUT_FILENO);
	int ret = EXIT_SUCCESS;
	unsigned long round;

	if (top_sample(o, then))
		return EXIT_FAILURE;
	for (round = 0; !o->rounds || round < o->rounds; round++) {
		poll(NULL, 0, (int)(o->seconds * 1000));
		if (top_sample(o, now)) {
			ret = EXIT_FAILURE;
			break;
		}
		top_rates(now, then);
		top_print(o, now, round, tty);
		swap = then;
		then = now;
		now = swap;
	}
	free(samples[0].counters);
	free(samples[1].counters);
	return ret;
}

/* -p PID[,PID...], each PID once. */
static int top_add_pids(struct top_options *o, char *list)
{
	unsigned long pid;
	char *text;
	size_t i;

	while ((text = strsep(&list, ","))) {
		if (parse_uint(text, "PID", 1, INT_MAX, &pid))
			return -1;
		for (i = 0; i < o->nr_pids && o->pids[i] != (int)pid; i++)
			;
		if (i < o->nr_pids)
			continue;
		o->pids = xrealloc(o->pids, (o->nr_pids + 1) * sizeof(*o->pids));
		o->pids[o->nr_pids++] = (int)pid;
	}
	return 0;
}

static int top_option(struct top_options *o, int opt, char **argv)
{
	switch (opt) {
	case 'p':
		return top_add_pids(o, optarg);
	case 'd':
		return parse_seconds(optarg, &o->seconds);
	case 'n':
		return parse_uint(optarg, "COUNT", 0, ULONG_MAX, &o->rounds);
	case TOP_ONCE:
		o->once = true;
		return 0;
	case ':':
		fprintf(stderr, "ohos-eventfd: top: option '-%c' needs an argument (see --help)\n",
			optopt);
		return -1;
	}
	if (optopt)
		fprintf(stderr, "ohos-eventfd: top: unknown option '-%c' (see --help)\n", optopt);
	else
		fprintf(stderr, "ohos-eventfd: top: unknown option '%s' (see --help)\n",
			argv[optind - 1]);
	return -1;
}

/* Every -p PID must exist when top starts; later, gone processes just drop out. */
static int top_check_pids(const struct top_options *o)
{
	size_t i;

	for (i = 0; i < o->nr_pids; i++) {
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			fprintf(stderr, "ohos-eventfd: process %d: %s\n", o->pids[i],
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* @argv[0] is "top". */
static int run_top(int argc, char **argv)
{
	struct top_options o = { .seconds = 1 };
	int opt, ret = EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:p:d:n:h", top_long_options, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			ret = EXIT_SUCCESS;
			goto out;
		}
		if (top_option(&o, opt, argv))
			goto out;
	}
	if (optind < argc) {
		fprintf(stderr, "ohos-eventfd: top: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		goto out;
	}
	if (o.once)
		o.rounds = 1;
	ret = top_check_pids(&o) ? EXIT_FAILURE : top_loop(&o);
out:
	free(o.pids);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int pid, fd;

	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	if (!strcmp(cmd, "--version")) {
		printf("ohos-eventfd %s\n", OHOS_EVENTFD_VERSION);
		return EXIT_SUCCESS;
	}
	if (!strcmp(cmd, "info") && argc == 2)
		return cmd_info();
	if (!strcmp(cmd, "stat") && argc == 4)
		return parse_pid_fd(argv + 2, &pid, &fd) ? EXIT_USAGE : cmd_stat(pid, fd);
	if (!strcmp(cmd, "watch") && argc >= 4 && argc <= 6)
		return run_watch(argc - 2, argv + 2);
	if (!strcmp(cmd, "top"))
		return run_top(argc - 1, argv + 1);
	fprintf(stderr, "ohos-eventfd: unknown command or wrong arguments: '%s' (see --help)\n", cmd);
	return EXIT_USAGE;
}
