// SPDX-License-Identifier: GPL-2.0
/*
 * ohos-eventfd: is the module there, and what is a given counter doing?
 *
 *   ohos-eventfd info
 *   ohos-eventfd stat PID FD
 *   ohos-eventfd watch PID FD [SECONDS [COUNT]]
 *
 * stat and watch read /proc/PID/fdinfo/FD; the count and the statistics need
 * the counter itself, taken with pidfd_getfd(2), which needs ptrace access
 * to PID (same user without restrictions, or CAP_SYS_PTRACE).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
		"\n"
		"The count and the statistics need pidfd_getfd(2): ptrace access to PID.\n"
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

static int run_watch(int argc, char **argv)
{
	unsigned long rounds = 0;
	double seconds = 1;
	char *end;
	int pid, fd;

	if (parse_pid_fd(argv, &pid, &fd))
		return EXIT_USAGE;
	if (argc > 2) {
		seconds = strtod(argv[2], &end);
		if (end == argv[2] || *end || !(seconds >= 0.01 && seconds <= 3600)) {
			fprintf(stderr, "ohos-eventfd: invalid SECONDS '%s' (0.01 to 3600)\n", argv[2]);
			return EXIT_USAGE;
		}
	}
	if (argc > 3 && parse_uint(argv[3], "COUNT", 0, ULONG_MAX, &rounds))
		return EXIT_USAGE;
	return cmd_watch(pid, fd, seconds, rounds);
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
	fprintf(stderr, "ohos-eventfd: unknown command or wrong arguments: '%s' (see --help)\n", cmd);
	return EXIT_USAGE;
}
