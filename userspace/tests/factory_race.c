// SPDX-License-Identifier: GPL-2.0
/*
 * The library's factory against the interleavings that a program's fd
 * table and other threads make, forced deterministically: tun_create.c
 * stands in for CREATE (the device is /dev/net/tun, 10:200, answering
 * unknown commands with EBADFD) and calls back at the moment a CREATE was
 * answered, where this program plays "another thread" (a signal handler
 * could do the same: the library takes no lock). test_superset.sh runs it
 * as root in a mount namespace whose /dev is a tmpfs and whose
 * /sys/class/misc/ohos_eventfd/dev says 10:200; each scenario is one
 * process, so that each starts without a factory.
 *
 *   factory_race aba       a socket at the factory's number answers CREATE
 *                          ENOTTY, then another thread replaces the factory
 *                          at the same number: CREATE must still be used
 *   ebadf                  the factory closed, CREATE EBADF, another thread
 *                          reopens it at the same number: no failure
 *   orphan                 two threads replace the same closed factory: one
 *                          factory fd left, none orphaned
 *   onefd                  one free fd (10): ohos_eventfd() without the
 *                          fallback gives it, as eventfd() does
 *   stale                  the node is /dev/zero (1:5), not the misc
 *                          device: ENODEV without the fallback, a native
 *                          eventfd with it
 *   recheck                no node, then the node appears: a call with the
 *                          fallback uses the device within about a second
 *   owned                  the program's own fd of the device dup2()ed onto
 *                          the factory's number, then no fd free: EMFILE as
 *                          from eventfd(), and the program's fd stays open
 *   full                   the factory closed, its number above the fd
 *                          limit, no fd free: a call with the fallback fails
 *                          with EMFILE, as eventfd() does
 *   sysfs ERRNO            the sysfs number refused or unparsable (set up by
 *                          the caller): strict calls fail with ERRNO naming
 *                          sysfs, and 100 calls with the fallback try the
 *                          node at most once a second, not once each
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "test_support.h"

#define EXPORTED	__attribute__((visibility("default")))
#define NODE		"/dev/ohos_eventfd"
#define TUN		makedev(10, 200)

extern void (*tun_create_hook)(int fd, int err);
extern int tun_create_calls;

/* How many fds of this process are the stand-in device (factories and counters). */
static int tun_fds(int *first)
{
	struct stat st;
	int fd, n = 0;

	*first = -1;
	for (fd = 0; fd < 1024; fd++) {
		if (fstatat(fd, "", &st, AT_EMPTY_PATH) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == TUN) {
			if (*first < 0)
				*first = fd;
			n++;
		}
	}
	return n;
}

/* The target of /proc/self/fd/FD. */
static const char *fd_link(int fd)
{
	static char buf[128];
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static void node(dev_t dev)
{
	unlink(NODE);
	if (dev && mknod(NODE, S_IFCHR | 0666, dev) < 0) {
		printf("not ok - mknod %s: %s\n", NODE, strerror(errno));
		exit(1);
	}
}

/* The factory of a first counter: the one fd of the stand-in left after closing the counter. */
static int first_factory(void)
{
	int fd = ohos_eventfd(0, EFD_CLOEXEC), factory;

	if (fd < 0 || (close(fd), tun_fds(&factory)) != 1) {
		printf("not ok - a first counter through the stand-in: %s\n",
		       fd < 0 ? ohos_eventfd_last_error() : "not one factory");
		exit(1);
	}
	return factory;
}

static volatile int armed = -1, fired;

/* "Another thread": makes a counter, which must find the factory gone and open it again. */
static void other_thread(void)
{
	int fd = ohos_eventfd(0, EFD_CLOEXEC);

	fired = 1;
	if (fd >= 0)
		close(fd);
	else
		printf("# the other thread's ohos_eventfd(): %s\n", ohos_eventfd_last_error());
}

/* aba: the stranger's ENOTTY, then the stranger closed and the factory replaced at its number. */
static void hook_aba(int fd, int err)
{
	if (fd != armed || err != ENOTTY)
		return;
	armed = -1;
	close(fd);
	other_thread();
}

/* ebadf: the closed factory's EBADF, then the factory replaced at its number. */
static void hook_ebadf(int fd, int err)
{
	if (fd != armed || err != EBADF)
		return;
	armed = -1;
	other_thread();
}

/* orphan: the other thread replaces the factory while this one checks the closed number. */
EXPORTED int fstat(int fd, struct stat *st)
{
	int ret = fstatat(fd, "", st, AT_EMPTY_PATH);

	if (ret < 0 && errno == EBADF && fd == armed) {
		armed = -1;
		other_thread();
		errno = EBADF;
	}
	return ret;
}

static void scenario_aba(void)
{
	int factory = first_factory(), sock = socket(AF_UNIX, SOCK_STREAM, 0), fd, calls, i, ok = 1;

	dup2(sock, factory);
	close(sock);
	armed = factory;
	tun_create_hook = hook_aba;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	tun_create_hook = NULL;
	ksft_test_result(fired, "aba: the other thread ran between the stranger's ENOTTY and the check\n");
	ksft_test_result(fd >= 0, "aba: ohos_eventfd() succeeded (%s)\n", fd < 0 ? ohos_eventfd_last_error() : "ok");
	if (fd >= 0)
		close(fd);
	calls = tun_create_calls;
	for (i = 0; i < 3; i++) {
		fd = ohos_eventfd(0, EFD_CLOEXEC);
		ok &= fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	ksft_test_result(ok && tun_create_calls == calls + 3,
		  "aba: the next 3 counters are made with CREATE (%d CREATEs), not by open(): a stranger's ENOTTY is not taken for a module without CREATE\n",
		  tun_create_calls - calls);
}

static void scenario_ebadf(void)
{
	int factory = first_factory(), fd;

	close(factory);
	armed = factory;
	tun_create_hook = hook_ebadf;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	tun_create_hook = NULL;
	ksft_test_result(fired, "ebadf: the other thread reopened the factory at fd %d after this one's EBADF\n",
		  factory);
	ksft_test_result(fd >= 0, "ebadf: ohos_eventfd() without the fallback succeeded (%s)\n",
		  fd < 0 ? ohos_eventfd_last_error() : "ok");
	if (fd >= 0)
		close(fd);
}

static void scenario_orphan(void)
{
	int factory = first_factory(), fd, n, first;

	close(factory);
	armed = factory;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	if (!fired) {
		ksft_test_result_skip(
			 "orphan: two threads replace one closed factory: %s\n", "the library did not fstat() the closed factory through this program's fstat()");
		return;
	}
	ksft_test_result(fd >= 0, "orphan: ohos_eventfd() succeeded (%s)\n", fd < 0 ? ohos_eventfd_last_error() : "ok");
	if (fd >= 0)
		close(fd);
	n = tun_fds(&first);
	ksft_test_result(n == 1, "orphan: two threads replaced the same factory: %d factory fd(s) left (1: none orphaned)\n", n);
}

/* Every fd below 64 taken. */
static void fill_fds(void)
{
	struct rlimit limit;

	getrlimit(RLIMIT_NOFILE, &limit);
	limit.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &limit);
	while (dup(STDERR_FILENO) >= 0)
		;
}

/* Every fd below 64 taken but @free. */
static void fill_fds_but(int free_fd)
{
	fill_fds();
	close(free_fd);
}

static void scenario_onefd(void)
{
	int native, fd, again;

	fill_fds_but(10);
	native = eventfd(0, EFD_CLOEXEC);	/* the C library's, the reference */
	close(native);
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	if (fd >= 0)
		close(fd);
	again = ohos_eventfd(0, EFD_CLOEXEC);
	if (again >= 0)
		close(again);
	ksft_test_result(fd == native && again == native,
		  "onefd: with one free fd, eventfd() gives fd %d; ohos_eventfd() without the fallback gives %d, then %d (%s)\n",
		  native, fd, again, fd < 0 || again < 0 ? ohos_eventfd_last_error() : "ok");
}

static void scenario_stale(void)
{
	int fd;

	node(makedev(1, 5));
	errno = 0;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	ksft_test_result(fd < 0 && errno == ENODEV,
		  "stale: a node of /dev/zero is not used: ohos_eventfd() fails with ENODEV (%d, %s: %s)\n",
		  fd, strerrorname_np(errno), ohos_eventfd_last_error());
	if (fd >= 0)
		close(fd);
	fd = ohos_eventfd(1, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
	ksft_test_result(fd >= 0 && !strcmp(fd_link(fd), "anon_inode:[eventfd]"),
		  "stale: with the fallback, a native eventfd (%s)\n", fd >= 0 ? fd_link(fd) : ohos_eventfd_last_error());
}

static void scenario_recheck(void)
{
	struct timespec start, now;
	int fd, used = 0;
	long ms;

	node(0);
	fd = ohos_eventfd(0, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
	ksft_test_result(fd >= 0 && !strcmp(fd_link(fd), "anon_inode:[eventfd]"),
		  "recheck: without a node, a native eventfd (%s)\n", fd >= 0 ? fd_link(fd) : ohos_eventfd_last_error());
	if (fd >= 0)
		close(fd);
	node(TUN);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		fd = ohos_eventfd(0, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
		if (fd >= 0) {
			used = strcmp(fd_link(fd), "anon_inode:[eventfd]") != 0;
			close(fd);
		}
		usleep(10000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (long)(now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
	} while (!used && ms < 3000);
	ksft_test_result(used, "recheck: once the node exists, a call with the fallback uses the device within 3 s (%s after %ld ms)\n",
		  used ? "used" : "not used", ms);
}

/*
 * owned: a program's own counter of the device at the factory's number
 * passes an fstat() check; at the fd limit the library must not take it
 * for its factory and close it. O_APPEND marks the program's open file.
 */
static void scenario_owned(void)
{
	int factory = first_factory(), own = open(NODE, O_RDWR | O_CLOEXEC), fd, err, fl;

	if (own < 0 || dup2(own, factory) != factory ||
	    fcntl(factory, F_SETFL, fcntl(factory, F_GETFL) | O_APPEND) < 0) {
		printf("not ok - owned: the program's fd of %s at fd %d: %s\n", NODE, factory, strerror(errno));
		return;
	}
	close(own);
	fill_fds();
	errno = 0;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	err = errno;
	fl = fcntl(factory, F_GETFL);
	ksft_test_result(fd < 0 && err == EMFILE,
		  "owned: with no fd free, ohos_eventfd() fails with EMFILE as eventfd() does (%d, %s: %s)\n",
		  fd, strerrorname_np(err), ohos_eventfd_last_error());
	ksft_test_result(fl >= 0 && (fl & O_APPEND),
		  "owned: the program's fd %d of the device is still its own open file (F_GETFL 0x%x)\n", factory, fl);
	fd = ohos_eventfd(0, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
	err = errno;
	fl = fcntl(factory, F_GETFL);
	ksft_test_result(fd < 0 && err == EMFILE && fl >= 0 && (fl & O_APPEND),
		  "owned: with the fallback too: EMFILE (%d, %s), fd %d still the program's (F_GETFL 0x%x)\n",
		  fd, strerrorname_np(err), factory, fl);
}

/*
 * The library's attempts to use the device, counted as its opens of the
 * sysfs number: it opens files with syscall(SYS_openat), which binds to
 * this definition. Six arguments, as glibc's syscall() reads them.
 */
#define SYSFS_DEV	"/sys/class/misc/ohos_eventfd/dev"
static int sysfs_opens;

EXPORTED long syscall(long nr, ...)
{
	static long (*next)(long, ...);
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!next)
		next = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (nr == SYS_openat && a[1] && !strcmp((const char *)a[1], SYSFS_DEV))
		sysfs_opens++;
	return next(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/*
 * full: the checks of a closed factory must not leave their EBADF in
 * errno. The limit lowered to the factory's number keeps that number closed.
 */
static void scenario_full(void)
{
	int factory = first_factory(), fd, err;
	struct rlimit limit;

	close(factory);
	getrlimit(RLIMIT_NOFILE, &limit);
	limit.rlim_cur = (rlim_t)factory;
	setrlimit(RLIMIT_NOFILE, &limit);
	while (dup(STDERR_FILENO) >= 0)
		;
	errno = 0;
	fd = ohos_eventfd(0, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
	err = errno;
	ksft_test_result(fd < 0 && err == EMFILE,
		  "full: the factory closed and no fd free: EMFILE with the fallback, as eventfd() (%d, %s: %s)\n",
		  fd, strerrorname_np(err), ohos_eventfd_last_error());
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* sysfs: the caller made /sys/class/misc/ohos_eventfd/dev refuse or hold no number. */
static void scenario_sysfs(const char *expected)
{
	int fd, err, i, native = 0, checks;
	struct timespec start;
	long ms;

	errno = 0;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	err = errno;
	ksft_test_result(fd < 0 && !strcmp(strerrorname_np(err) ?: "", expected) &&
		  strstr(ohos_eventfd_last_error(), "/sys/class/misc/ohos_eventfd/dev"),
		  "sysfs %s: a strict call fails with %s naming the sysfs file (%d, %s: %s)\n", expected,
		  expected, fd, strerrorname_np(err), ohos_eventfd_last_error());
	if (fd >= 0)
		close(fd);
	sysfs_opens = 0;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < 100; i++) {
		fd = ohos_eventfd(0, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
		native += fd >= 0 && !strcmp(fd_link(fd), "anon_inode:[eventfd]");
		if (fd >= 0)
			close(fd);
	}
	ms = elapsed_ms(&start);
	checks = sysfs_opens;
	ksft_test_result(native == 100, "sysfs %s: 100 calls with the fallback give native eventfds (%d)\n", expected, native);
	ksft_test_result(checks <= 1 + ms / 1000 + 1,
		  "sysfs %s: they try the device at most once a second (%d reads of the sysfs number in %ld ms)\n",
		  expected, checks, ms);
}

int main(int argc, char **argv)
{
	const char *scenario = argc > 1 ? argv[1] : "";

	test_start();
	if (!strcmp(scenario, "aba"))
		scenario_aba();
	else if (!strcmp(scenario, "ebadf"))
		scenario_ebadf();
	else if (!strcmp(scenario, "orphan"))
		scenario_orphan();
	else if (!strcmp(scenario, "onefd"))
		scenario_onefd();
	else if (!strcmp(scenario, "stale"))
		scenario_stale();
	else if (!strcmp(scenario, "recheck"))
		scenario_recheck();
	else if (!strcmp(scenario, "full"))
		scenario_full();
	else if (!strcmp(scenario, "owned"))
		scenario_owned();
	else if (!strcmp(scenario, "sysfs") && argc == 3)
		scenario_sysfs(argv[2]);
	else
		return 2;
	test_finished();
}
