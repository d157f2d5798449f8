// SPDX-License-Identifier: GPL-2.0
/*
 * The factory fd that ohos_eventfd() makes every counter on with
 * OHOS_EFD_IOC_CREATE (device mode only): every counter is an anonymous
 * inode "[ohos_eventfd]"; a process has one factory, close-on-exec, above
 * the standard streams; creation goes on working when the factory is closed
 * or replaced behind the library's back, after fork() and after exec(), and
 * when 64 threads create their first counters at once.
 *
 * Each check runs in a child of a parent that never creates a counter, so
 * that each starts without a factory, as a new process does. The factory is
 * found as the fd linking to /dev/ohos_eventfd: these tests open the device
 * no other way, but for one check that, after finding the factory, puts a
 * counter of its own opened from the node at the factory's number.
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"

#define ANON_LINK		"anon_inode:[ohos_eventfd]"
#define THREADS			64
#define COUNTERS_PER_THREAD	4
#define FORKS			16

/* The target of /proc/self/fd/FD; "" when it cannot be read. */
static const char *fd_link(int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, len - 1);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static int is_anon_counter(int fd)
{
	char link[64];

	return strcmp(fd_link(fd, link, sizeof(link)), ANON_LINK) == 0;
}

/* How many fds link to the device; the first one in *factory. */
static int count_factories(int *factory)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;
	char link[64];
	int n = 0, fd;

	*factory = -1;
	while (dir && (entry = readdir(dir))) {
		fd = atoi(entry->d_name);
		if (entry->d_name[0] == '.' || fd == dirfd(dir))
			continue;
		if (strcmp(fd_link(fd, link, sizeof(link)), OHOS_EVENTFD_DEVICE))
			continue;
		if (n++ == 0)
			*factory = fd;
	}
	if (dir)
		closedir(dir);
	return n;
}

/* The one factory of this process, or -1 (and why) when there is not exactly one. */
static int the_factory(void)
{
	int factory, n = count_factories(&factory);

	if (n != 1)
		tap_diag("%d fds link to %s, expected 1", n, OHOS_EVENTFD_DEVICE);
	return n == 1 ? factory : -1;
}

/* A counter from the library that is ours, anonymous, and counts. */
static int counter_works(int fd)
{
	uint64_t value = 0;

	return fd >= 0 && is_anon_counter(fd) && ohos_eventfd_is_ohos(fd) == 1 &&
	       ohos_eventfd_write(fd, 5) == 0 && ohos_eventfd_read(fd, &value) == 0 && value == 5;
}

static int create_works(void)
{
	int fd = ohos_eventfd(0, EFD_CLOEXEC);
	int ok = counter_works(fd);

	if (!ok)
		tap_diag("ohos_eventfd: fd %d: %s", fd, fd < 0 ? ohos_eventfd_last_error() : "not a working anonymous counter");
	if (fd >= 0)
		close(fd);
	return ok;
}

static int child_exited_cleanly(pid_t pid)
{
	int status;

	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* Run @check in a new process that has no factory yet; its exit status reports its checks. */
static void run_isolated(void (*check)(void), const char *what)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(TAP_TIMEOUT_SECONDS);
		tap_failures = 0;
		check();
		fflush(stdout);
		_exit(tap_exit_status());
	}
	tap_check(child_exited_cleanly(pid), "%s: the process exited cleanly", what);
}

/* ---- the checks ------------------------------------------------------- */

static void check_every_counter_anonymous(void)
{
	static const int cases[] = { 0, EFD_NONBLOCK, EFD_CLOEXEC, EFD_SEMAPHORE,
				     EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC };
	unsigned int i;
	char link[64];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = ohos_eventfd(3, cases[i]);
		uint64_t value = 0;
		int ret;

		tap_check(fd >= 0 && is_anon_counter(fd), "flags 0x%x: the counter is %s (%s)",
			  (unsigned int)cases[i], ANON_LINK, fd < 0 ? ohos_eventfd_last_error() :
			  fd_link(fd, link, sizeof(link)));
		tap_check(ohos_eventfd_is_ohos(fd) == 1, "flags 0x%x: ohos_eventfd_is_ohos() says ours",
			  (unsigned int)cases[i]);
		ret = ohos_eventfd_read(fd, &value);
		tap_check(ret == 0 && value == (cases[i] & EFD_SEMAPHORE ? 1u : 3u),
			  "flags 0x%x: initval 3 and the read mode were applied (read %llu)",
			  (unsigned int)cases[i], (unsigned long long)value);
		if (fd >= 0)
			close(fd);
	}
	tap_check(the_factory() >= 0, "five counters, one factory fd");
}

/* With stdin closed, open() would hand the factory fd 0. */
static void check_factory_fd(void)
{
	int factory, fl, fdfl;

	close(STDIN_FILENO);
	tap_check(create_works(), "a counter with stdin closed");
	factory = the_factory();
	fl = fcntl(factory, F_GETFL);
	fdfl = fcntl(factory, F_GETFD);
	tap_check(factory > STDERR_FILENO, "the factory is above the standard streams (fd %d)", factory);
	tap_check(fdfl >= 0 && (fdfl & FD_CLOEXEC), "the factory is close-on-exec");
	tap_check(fl >= 0 && (fl & O_ACCMODE) == O_RDWR && !(fl & O_NONBLOCK),
		  "the factory is O_RDWR, blocking (F_GETFL %#o)", fl);
}

static void check_closed_behind(void)
{
	int factory;

	tap_check(create_works(), "first counter");
	factory = the_factory();
	tap_check(factory >= 0 && close(factory) == 0, "the factory closed behind the library's back");
	tap_check(create_works(), "a counter after close(factory)");
	tap_check(the_factory() >= 0, "one factory again");
	/* What closefrom(3) does: every fd but the standard streams. */
	tap_check(ohos_eventfd(0, EFD_CLOEXEC) >= 0 && ohos_eventfd(0, 0) >= 0 &&
		  close_range(STDERR_FILENO + 1, ~0u, 0) == 0, "two counters, then close_range(3, ~0)");
	tap_check(count_factories(&factory) == 0, "no factory left");
	tap_check(create_works(), "a counter after close_range()");
	tap_check(the_factory() >= 0, "one factory again");
}

/* eventfd(3) leaves errno alone on success, also when we had to reopen the factory. */
static void check_errno_after_reopen(void)
{
	int factory, fd;

	tap_check(create_works(), "first counter");
	factory = the_factory();
	tap_check(factory >= 0 && close(factory) == 0, "the factory closed behind the library's back");
	errno = EDOM;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	tap_check(fd >= 0 && errno == EDOM, "a counter after a reopen leaves errno as it was (%s)",
		  strerrorname_np(errno));
	if (fd >= 0)
		close(fd);
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_rdev == b->st_rdev &&
	       a->st_mode == b->st_mode;
}

/* The factory's number now names /dev/null: left alone, and a new factory opened. */
static void check_replaced_by_dev_null(void)
{
	struct stat before, after;
	int factory, null, fl, fdfl;
	char link[64];

	tap_check(create_works(), "first counter");
	factory = the_factory();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (factory < 0 || null < 0 || dup2(null, factory) != factory || fstat(factory, &before)) {
		tap_check(0, "dup2(/dev/null, factory fd %d): %s", factory, strerror(errno));
		return;
	}
	close(null);
	fl = fcntl(factory, F_GETFL);
	fdfl = fcntl(factory, F_GETFD);
	tap_check(create_works(), "a counter after dup2(/dev/null, factory fd)");
	tap_check(fstat(factory, &after) == 0 && same_file(&before, &after) &&
		  !strcmp(fd_link(factory, link, sizeof(link)), "/dev/null"),
		  "fd %d is still /dev/null (%s)", factory, link);
	tap_check(fcntl(factory, F_GETFL) == fl && fcntl(factory, F_GETFD) == fdfl,
		  "its F_GETFL and F_GETFD are unchanged");
	tap_check(write(factory, "x", 1) == 1, "it is still open and writable");
	null = the_factory();
	tap_check(null >= 0 && null != factory, "a new factory at another fd (%d)", null);
}

/*
 * A native eventfd at the factory's number: sending it CREATE would get
 * ENOTTY, which the library must not take for a module without CREATE.
 */
static void check_replaced_by_eventfd(void)
{
	int factory, native, ret;
	uint64_t value = 0;

	tap_check(create_works(), "first counter");
	factory = the_factory();
	native = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
	if (factory < 0 || native < 0 || dup2(native, factory) != factory) {
		tap_check(0, "dup2(eventfd, factory fd %d): %s", factory, strerror(errno));
		return;
	}
	close(native);
	tap_check(create_works() && create_works(), "two counters after dup2(eventfd, factory fd)");
	ret = eventfd_read(factory, &value);
	tap_check(ret == 0 && value == 5,
		  "the eventfd at fd %d is untouched: it still holds 5 (%llu)", factory,
		  (unsigned long long)value);
}

/*
 * The program's own counter of the device at the factory's number: fstat()
 * cannot tell it from the factory. At the fd limit the library must fail
 * as eventfd(2) does, not close that counter to make room.
 */
static void check_replaced_by_own_counter(void)
{
	struct rlimit limit;
	int factory, own, fd, err;
	uint64_t value = 0;

	tap_check(create_works(), "first counter");
	factory = the_factory();
	own = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	if (factory < 0 || own < 0 || ohos_eventfd_write(own, 5) || dup2(own, factory) != factory) {
		tap_check(0, "dup2(own counter, factory fd %d): %s", factory, strerror(errno));
		return;
	}
	close(own);
	getrlimit(RLIMIT_NOFILE, &limit);
	limit.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &limit);
	while (dup(STDERR_FILENO) >= 0)
		;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	err = errno;
	tap_check(fd < 0 && err == EMFILE, "no fd free: EMFILE as from eventfd() (%d, %s: %s)", fd,
		  strerrorname_np(err), ohos_eventfd_last_error());
	fd = ohos_eventfd(0, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
	err = errno;
	tap_check(fd < 0 && err == EMFILE, "with the fallback: EMFILE (%d, %s)", fd, strerrorname_np(err));
	err = ohos_eventfd_peek(factory, &value);
	tap_check(err == 0 && value == 5,
		  "the program's counter at fd %d is untouched: it still holds 5 (%s%llu)", factory,
		  err ? ohos_eventfd_last_error() : "", (unsigned long long)value);
}

static void check_fork(void)
{
	int factory, child_factory;
	pid_t pid;

	tap_check(create_works(), "a counter before fork()");
	factory = the_factory();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		tap_failures = 0;
		child_factory = the_factory();
		tap_check(child_factory == factory && child_factory >= 0,
			  "the child inherited the factory (fd %d)", child_factory);
		tap_check(create_works(), "a counter in the child");
		tap_check(the_factory() == factory, "still the inherited factory");
		fflush(stdout);
		_exit(tap_exit_status());
	}
	tap_check(child_exited_cleanly(pid), "the child exited cleanly");
	tap_check(create_works(), "a counter in the parent after fork()");
	tap_check(the_factory() == factory, "the parent's factory is unchanged");
}

struct creator {
	pthread_t thread;
	int *stop;
	unsigned long created;
	unsigned long failed;
};

static void *create_until_stopped(void *arg)
{
	struct creator *c = arg;
	int fd;

	while (!__atomic_load_n(c->stop, __ATOMIC_RELAXED)) {
		fd = ohos_eventfd(0, EFD_CLOEXEC);
		if (fd < 0) {
			c->failed++;
			continue;
		}
		c->created++;
		close(fd);
	}
	return NULL;
}

/*
 * fork() while other threads create, their first use included: a child
 * must never inherit the factory's lock held or its state half-written.
 * A child that hangs is ended by its alarm and fails.
 */
static void check_fork_while_creating(void)
{
	struct creator creators[8];
	unsigned long created = 0, failed = 0;
	int stop = 0, i, started = 0, children_ok = 0;
	pid_t pid;

	for (i = 0; i < 8; i++) {
		creators[i] = (struct creator){ .stop = &stop };
		if (pthread_create(&creators[i].thread, NULL, create_until_stopped, &creators[i]) == 0)
			started++;
	}
	for (i = 0; i < FORKS; i++) {
		pid = fork();
		if (pid == 0) {
			alarm(10);
			_exit(create_works() ? 0 : 1);
		}
		children_ok += child_exited_cleanly(pid);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < started; i++) {
		pthread_join(creators[i].thread, NULL);
		created += creators[i].created;
		failed += creators[i].failed;
	}
	tap_check(started == 8, "8 threads creating counters");
	tap_check(children_ok == FORKS, "%d of %d children forked meanwhile made a counter",
		  children_ok, FORKS);
	tap_check(failed == 0, "the threads made %lu counters, %lu failed", created, failed);
	tap_check(the_factory() >= 0, "one factory");
}

/* Run by check_exec() in the exec'd image. */
static int after_exec_main(void)
{
	int factory;

	tap_check(count_factories(&factory) == 0, "after exec(): the factory is gone (close-on-exec)");
	tap_check(create_works(), "after exec(): a counter");
	tap_check(the_factory() >= 0, "after exec(): one factory");
	return tap_exit_status();
}

static void check_exec(void)
{
	tap_check(create_works(), "a counter before exec()");
	fflush(stdout);
	execl("/proc/self/exe", "test_factory", "--after-exec", (char *)NULL);
	tap_check(0, "exec /proc/self/exe: %s", strerror(errno));
}

struct thread_counters {
	pthread_t thread;
	pthread_barrier_t *start;
	pthread_barrier_t *written;
	unsigned int index;
	int fds[COUNTERS_PER_THREAD];
	unsigned int wrong;	/* counters that did not read back their own value */
};

static uint64_t tag_of(unsigned int thread, unsigned int i)
{
	return (uint64_t)thread * COUNTERS_PER_THREAD + i + 1;
}

/*
 * Each thread writes its own values into its own counters, and only once
 * all have written does each read its counters back: a counter shared with
 * another thread would hold a sum or be empty.
 */
static void *create_at_once(void *arg)
{
	struct thread_counters *t = arg;
	uint64_t value;
	unsigned int i;

	pthread_barrier_wait(t->start);
	for (i = 0; i < COUNTERS_PER_THREAD; i++) {
		t->fds[i] = ohos_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t->fds[i] >= 0 && ohos_eventfd_write(t->fds[i], tag_of(t->index, i)))
			t->wrong++;
	}
	pthread_barrier_wait(t->written);
	for (i = 0; i < COUNTERS_PER_THREAD; i++) {
		if (t->fds[i] < 0)
			continue;
		if (ohos_eventfd_read(t->fds[i], &value) || value != tag_of(t->index, i) ||
		    ohos_eventfd_read(t->fds[i], &value) == 0 || errno != EAGAIN)
			t->wrong++;
	}
	return NULL;
}

static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void check_threads(void)
{
	static struct thread_counters threads[THREADS];
	static int fds[THREADS * COUNTERS_PER_THREAD];
	pthread_barrier_t start, written;
	unsigned int i, n = 0, invalid = 0, wrong = 0, duplicates = 0, not_anon = 0;
	unsigned int started = 0;

	pthread_barrier_init(&start, NULL, THREADS);
	pthread_barrier_init(&written, NULL, THREADS);
	for (i = 0; i < THREADS; i++) {
		threads[i] = (struct thread_counters){ .start = &start, .written = &written, .index = i };
		if (pthread_create(&threads[i].thread, NULL, create_at_once, &threads[i]))
			break;
		started++;
	}
	if (started < THREADS) {
		tap_check(0, "started %u of %d threads", started, THREADS);
		_exit(1);	/* the started ones wait at the barrier forever */
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(threads[i].thread, NULL);
		wrong += threads[i].wrong;
		memcpy(fds + n, threads[i].fds, sizeof(threads[i].fds));
		n += COUNTERS_PER_THREAD;
	}
	qsort(fds, n, sizeof(fds[0]), compare_ints);
	for (i = 0; i < n; i++) {
		invalid += fds[i] < 0;
		duplicates += i > 0 && fds[i] >= 0 && fds[i] == fds[i - 1];
		not_anon += fds[i] >= 0 && !is_anon_counter(fds[i]);
	}
	tap_check(invalid == 0, "%d threads at once: %u counters, %u failed", THREADS, n, invalid);
	tap_check(duplicates == 0, "all fds distinct (%u duplicates)", duplicates);
	tap_check(not_anon == 0, "all are %s (%u are not)", ANON_LINK, not_anon);
	tap_check(wrong == 0, "each counter held only its own thread's value (%u did not)", wrong);
	tap_check(the_factory() >= 0, "one factory for all the threads");
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--after-exec"))
		return after_exec_main();
	tap_start();
	if (!test_on_device()) {
		tap_skip("needs " OHOS_EVENTFD_DEVICE, "the factory fd");
		return tap_exit_status();
	}
	run_isolated(check_threads, "64 threads");
	run_isolated(check_every_counter_anonymous, "anonymous counters");
	run_isolated(check_factory_fd, "the factory fd");
	run_isolated(check_closed_behind, "closed behind the library's back");
	run_isolated(check_errno_after_reopen, "errno after a reopen");
	run_isolated(check_replaced_by_dev_null, "replaced by /dev/null");
	run_isolated(check_replaced_by_eventfd, "replaced by an eventfd");
	run_isolated(check_replaced_by_own_counter, "replaced by the program's own counter");
	run_isolated(check_fork, "fork");
	run_isolated(check_fork_while_creating, "fork while threads create");
	run_isolated(check_exec, "exec");
	return tap_exit_status();
}
