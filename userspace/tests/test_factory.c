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

#include "test_support.h"

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
		ksft_print_msg("%d fds link to %s, expected 1\n", n, OHOS_EVENTFD_DEVICE);
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
		ksft_print_msg("ohos_eventfd: fd %d: %s\n", fd, fd < 0 ? ohos_eventfd_last_error() : "not a working anonymous counter");
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Run @check in a new process that has no factory yet; its exit status reports its checks. */
static void run_isolated(void (*check)(void), const char *what)
{
	struct ksft_count *counts;
	pid_t pid;

	pid = test_fork(&counts);
	if (pid == 0) {
		alarm(TEST_TIMEOUT_SECONDS);
		check();
		test_child_exit();
	}
	ksft_test_result(test_child_passed(pid, counts), "%s: the process exited cleanly\n", what);
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

		ksft_test_result(fd >= 0 && is_anon_counter(fd), "flags 0x%x: the counter is %s (%s)\n",
			  (unsigned int)cases[i], ANON_LINK, fd < 0 ? ohos_eventfd_last_error() :
			  fd_link(fd, link, sizeof(link)));
		ksft_test_result(ohos_eventfd_is_ohos(fd) == 1, "flags 0x%x: ohos_eventfd_is_ohos() says ours\n",
			  (unsigned int)cases[i]);
		ret = ohos_eventfd_read(fd, &value);
		ksft_test_result(ret == 0 && value == (cases[i] & EFD_SEMAPHORE ? 1u : 3u),
			  "flags 0x%x: initval 3 and the read mode were applied (read %llu)\n",
			  (unsigned int)cases[i], (unsigned long long)value);
		if (fd >= 0)
			close(fd);
	}
	ksft_test_result(the_factory() >= 0, "five counters, one factory fd\n");
}

/* With stdin closed, open() would hand the factory fd 0. */
static void check_factory_fd(void)
{
	int factory, fl, fdfl;

	close(STDIN_FILENO);
	ksft_test_result(create_works(), "a counter with stdin closed\n");
	factory = the_factory();
	fl = fcntl(factory, F_GETFL);
	fdfl = fcntl(factory, F_GETFD);
	ksft_test_result(factory > STDERR_FILENO, "the factory is above the standard streams (fd %d)\n", factory);
	ksft_test_result(fdfl >= 0 && (fdfl & FD_CLOEXEC), "the factory is close-on-exec\n");
	ksft_test_result(fl >= 0 && (fl & O_ACCMODE) == O_RDWR && !(fl & O_NONBLOCK),
		  "the factory is O_RDWR, blocking (F_GETFL %#o)\n", fl);
}

static void check_closed_behind(void)
{
	int factory;

	ksft_test_result(create_works(), "first counter\n");
	factory = the_factory();
	ksft_test_result(factory >= 0 && close(factory) == 0, "the factory closed behind the library's back\n");
	ksft_test_result(create_works(), "a counter after close(factory)\n");
	ksft_test_result(the_factory() >= 0, "one factory again\n");
	/* What closefrom(3) does: every fd but the standard streams. */
	ksft_test_result(ohos_eventfd(0, EFD_CLOEXEC) >= 0 && ohos_eventfd(0, 0) >= 0 &&
		  close_range(STDERR_FILENO + 1, ~0u, 0) == 0, "two counters, then close_range(3, ~0)\n");
	ksft_test_result(count_factories(&factory) == 0, "no factory left\n");
	ksft_test_result(create_works(), "a counter after close_range()\n");
	ksft_test_result(the_factory() >= 0, "one factory again\n");
}

/* eventfd(3) leaves errno alone on success, also when we had to reopen the factory. */
static void check_errno_after_reopen(void)
{
	int factory, fd;

	ksft_test_result(create_works(), "first counter\n");
	factory = the_factory();
	ksft_test_result(factory >= 0 && close(factory) == 0, "the factory closed behind the library's back\n");
	errno = EDOM;
	fd = ohos_eventfd(0, EFD_CLOEXEC);
	ksft_test_result(fd >= 0 && errno == EDOM, "a counter after a reopen leaves errno as it was (%s)\n",
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

	ksft_test_result(create_works(), "first counter\n");
	factory = the_factory();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (factory < 0 || null < 0 || dup2(null, factory) != factory || fstat(factory, &before)) {
		ksft_test_result(0, "dup2(/dev/null, factory fd %d): %s\n", factory, strerror(errno));
		return;
	}
	close(null);
	fl = fcntl(factory, F_GETFL);
	fdfl = fcntl(factory, F_GETFD);
	ksft_test_result(create_works(), "a counter after dup2(/dev/null, factory fd)\n");
	ksft_test_result(fstat(factory, &after) == 0 && same_file(&before, &after) &&
		  !strcmp(fd_link(factory, link, sizeof(link)), "/dev/null"),
		  "fd %d is still /dev/null (%s)\n", factory, link);
	ksft_test_result(fcntl(factory, F_GETFL) == fl && fcntl(factory, F_GETFD) == fdfl,
		  "its F_GETFL and F_GETFD are unchanged\n");
	ksft_test_result(write(factory, "x", 1) == 1, "it is still open and writable\n");
	null = the_factory();
	ksft_test_result(null >= 0 && null != factory, "a new factory at another fd (%d)\n", null);
}

/*
 * A native eventfd at the factory's number: sending it CREATE would get
 * ENOTTY, which the library must not take for a module without CREATE.
 */
static void check_replaced_by_eventfd(void)
{
	int factory, native, ret;
	uint64_t value = 0;

	ksft_test_result(create_works(), "first counter\n");
	factory = the_factory();
	native = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
	if (factory < 0 || native < 0 || dup2(native, factory) != factory) {
		ksft_test_result(0, "dup2(eventfd, factory fd %d): %s\n", factory, strerror(errno));
		return;
	}
	close(native);
	ksft_test_result(create_works() && create_works(), "two counters after dup2(eventfd, factory fd)\n");
	ret = eventfd_read(factory, &value);
	ksft_test_result(ret == 0 && value == 5,
		  "the eventfd at fd %d is untouched: it still holds 5 (%llu)\n", factory,
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

	ksft_test_result(create_works(), "first counter\n");
	factory = the_factory();
	own = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	if (factory < 0 || own < 0 || ohos_eventfd_write(own, 5) || dup2(own, factory) != factory) {
		ksft_test_result(0, "dup2(own counter, factory fd %d): %s\n", factory, strerror(errno));
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
	ksft_test_result(fd < 0 && err == EMFILE, "no fd free: EMFILE as from eventfd() (%d, %s: %s)\n", fd,
		  strerrorname_np(err), ohos_eventfd_last_error());
	fd = ohos_eventfd(0, EFD_CLOEXEC | OHOS_EFD_FALLBACK);
	err = errno;
	ksft_test_result(fd < 0 && err == EMFILE, "with the fallback: EMFILE (%d, %s)\n", fd, strerrorname_np(err));
	err = ohos_eventfd_peek(factory, &value);
	ksft_test_result(err == 0 && value == 5,
		  "the program's counter at fd %d is untouched: it still holds 5 (%s%llu)\n", factory,
		  err ? ohos_eventfd_last_error() : "", (unsigned long long)value);
}

static void check_fork(void)
{
	struct ksft_count *counts;
	int factory, child_factory;
	pid_t pid;

	ksft_test_result(create_works(), "a counter before fork()\n");
	factory = the_factory();
	pid = test_fork(&counts);
	if (pid == 0) {
		child_factory = the_factory();
		ksft_test_result(child_factory == factory && child_factory >= 0,
			  "the child inherited the factory (fd %d)\n", child_factory);
		ksft_test_result(create_works(), "a counter in the child\n");
		ksft_test_result(the_factory() == factory, "still the inherited factory\n");
		test_child_exit();
	}
	ksft_test_result(test_child_passed(pid, counts), "the child exited cleanly\n");
	ksft_test_result(create_works(), "a counter in the parent after fork()\n");
	ksft_test_result(the_factory() == factory, "the parent's factory is unchanged\n");
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
		children_ok += test_child_passed(pid, NULL);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < started; i++) {
		pthread_join(creators[i].thread, NULL);
		created += creators[i].created;
		failed += creators[i].failed;
	}
	ksft_test_result(started == 8, "8 threads creating counters\n");
	ksft_test_result(children_ok == FORKS, "%d of %d children forked meanwhile made a counter\n",
		  children_ok, FORKS);
	ksft_test_result(failed == 0, "the threads made %lu counters, %lu failed\n", created, failed);
	ksft_test_result(the_factory() >= 0, "one factory\n");
}

/* Run by check_exec() in the exec'd image. */
static __noreturn void after_exec_main(void)
{
	int factory;

	test_resume();
	ksft_test_result(count_factories(&factory) == 0, "after exec(): the factory is gone (close-on-exec)\n");
	ksft_test_result(create_works(), "after exec(): a counter\n");
	ksft_test_result(the_factory() >= 0, "after exec(): one factory\n");
	test_child_exit();
}

static void check_exec(void)
{
	char *argv[] = { "test_factory", "--after-exec", NULL };

	ksft_test_result(create_works(), "a counter before exec()\n");
	/* In a child that inherits the factory, so that its checks count here. */
	if (!test_exec("/proc/self/exe", argv))
		ksft_test_result_fail("exec /proc/self/exe: the program failed after exec()\n");
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
		ksft_test_result(0, "started %u of %d threads\n", started, THREADS);
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
	ksft_test_result(invalid == 0, "%d threads at once: %u counters, %u failed\n", THREADS, n, invalid);
	ksft_test_result(duplicates == 0, "all fds distinct (%u duplicates)\n", duplicates);
	ksft_test_result(not_anon == 0, "all are %s (%u are not)\n", ANON_LINK, not_anon);
	ksft_test_result(wrong == 0, "each counter held only its own thread's value (%u did not)\n", wrong);
	ksft_test_result(the_factory() >= 0, "one factory for all the threads\n");
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--after-exec"))
		after_exec_main();
	test_start();
	if (!test_on_device()) {
		ksft_test_result_skip("the factory fd: %s\n", "needs " OHOS_EVENTFD_DEVICE);
		test_finished();
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
	test_finished();
}
