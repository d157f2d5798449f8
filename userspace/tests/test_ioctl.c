// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl wrappers and ohos_eventfd_is_ohos(): on fds that are not ours
 * (everywhere), and on counters of the device (device mode only).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>

#include "test_support.h"

/* Each wrapper on a native eventfd: ENOTTY and a message that says why. */
static void check_wrappers_refuse_native(void)
{
	struct ohos_efd_stats stats;
	unsigned int u;
	uint64_t v;
	int fd = eventfd(0, EFD_CLOEXEC);
	struct {
		const char *name;
		int ret;
		int err;
	} calls[6];
	unsigned int i;

#define CALL(i, expr) (calls[i].name = #expr, calls[i].ret = (expr), calls[i].err = errno)
	CALL(0, ohos_eventfd_configure(fd, 1, 0));
	CALL(1, ohos_eventfd_get_flags(fd, &u));
	CALL(2, ohos_eventfd_set_mode(fd, OHOS_EFD_MODE_EXACT));
	CALL(3, ohos_eventfd_get_mode(fd, &u));
	CALL(4, ohos_eventfd_peek(fd, &v));
	CALL(5, ohos_eventfd_get_stats(fd, &stats));
#undef CALL
	for (i = 0; i < 6; i++)
		ksft_test_result(calls[i].ret == -1 && calls[i].err == ENOTTY, "%s on a native eventfd: ENOTTY\n",
			  calls[i].name);
	ksft_test_result(strstr(ohos_eventfd_last_error(), "not an ohos_eventfd counter") != NULL,
		  "the message says so: \"%s\"\n", ohos_eventfd_last_error());
	close(fd);
}

static void check_is_ohos_on_others(void)
{
	int native = eventfd(0, EFD_CLOEXEC), pipefd[2], null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	ksft_test_result(ohos_eventfd_is_ohos(native) == 0, "is_ohos: a native eventfd is not ours\n");
	ksft_test_result(pipe(pipefd) == 0 && ohos_eventfd_is_ohos(pipefd[0]) == 0, "is_ohos: a pipe is not ours\n");
	ksft_test_result(ohos_eventfd_is_ohos(null) == 0, "is_ohos: /dev/null, another character device, is not ours\n");
	errno = EDOM;
	ksft_test_result(ohos_eventfd_is_ohos(null) == 0 && errno == EDOM,
		  "is_ohos: errno left alone on success (EDOM before, %s after)\n", strerrorname_np(errno));
	errno = EDOM;
	ksft_test_result(ohos_eventfd_is_ohos(native) == 0 && errno == EDOM,
		  "is_ohos: errno left alone on success on an anonymous inode (%s)\n", strerrorname_np(errno));
	ksft_test_result(ohos_eventfd_is_ohos(epfd) == 0, "is_ohos: an epoll fd, another anonymous inode, is not ours\n");
	close(epfd);
	close(native);
	close(pipefd[0]);
	close(pipefd[1]);
	close(null);
	ksft_test_result(ohos_eventfd_is_ohos(native) == -1 && errno == EBADF, "is_ohos: a closed fd fails with EBADF\n");
}

static void check_is_ohos_on_ours(void)
{
	int fd = ohos_eventfd(0, EFD_CLOEXEC);
	int dup_fd = dup(fd);
	int opened = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	struct ohos_efd_config config = { .flags = OHOS_EFD_CLOEXEC };
	int created = ioctl(opened, OHOS_EFD_IOC_CREATE, &config);

	ksft_test_result(ohos_eventfd_is_ohos(fd) == 1, "is_ohos: a counter from ohos_eventfd()\n");
	ksft_test_result(ohos_eventfd_is_ohos(dup_fd) == 1, "is_ohos: a dup() of it\n");
	ksft_test_result(ohos_eventfd_is_ohos(opened) == 1, "is_ohos: a counter from open(%s)\n", OHOS_EVENTFD_DEVICE);
	ksft_test_result(ohos_eventfd_is_ohos(created) == 1, "is_ohos: a counter from OHOS_EFD_IOC_CREATE on it\n");
	close(fd);
	close(dup_fd);
	close(opened);
	close(created);
}

static void check_initval_and_peek(void)
{
	int fd = ohos_eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t v = 0;
	int ret;

	ret = ohos_eventfd_peek(fd, &v);
	ksft_test_result(ret == 0 && v == 5, "peek sees initval 5 (%llu)\n", (unsigned long long)v);
	ret = ohos_eventfd_peek(fd, &v);
	ksft_test_result(ret == 0 && v == 5, "peek again: still 5, nothing consumed\n");
	ret = ohos_eventfd_read(fd, &v);
	ksft_test_result(ret == 0 && v == 5, "read then takes the 5\n");
	ret = ohos_eventfd_peek(fd, &v);
	ksft_test_result(ret == 0 && v == 0, "peek after the read: 0 (%llu)\n", (unsigned long long)v);
	close(fd);
}

static void check_flags(void)
{
	int sem = ohos_eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	int plain = ohos_eventfd(0, 0);
	unsigned int flags = ~0u;
	int ret;

	ret = ohos_eventfd_get_flags(sem, &flags);
	ksft_test_result(ret == 0 && flags == (EFD_SEMAPHORE | EFD_NONBLOCK),
		  "get_flags: EFD_SEMAPHORE|EFD_NONBLOCK (CLOEXEC is the fd's, not the counter's): 0x%x\n", flags);
	ret = ohos_eventfd_get_flags(plain, &flags);
	ksft_test_result(ret == 0 && flags == 0, "get_flags: 0 for a plain counter: 0x%x\n", flags);
	fcntl(plain, F_SETFL, O_NONBLOCK);
	ret = ohos_eventfd_get_flags(plain, &flags);
	ksft_test_result(ret == 0 && flags == EFD_NONBLOCK,
		  "get_flags: EFD_NONBLOCK follows fcntl(F_SETFL): 0x%x\n", flags);
	close(sem);
	close(plain);
}

/* The library takes eventfd's spelling only; the kernel's bits are refused. */
static void check_kernel_flags_refused(void)
{
	ksft_test_result(ohos_eventfd(0, OHOS_EFD_NONBLOCK) == -1 && errno == EINVAL &&
		  strstr(ohos_eventfd_last_error(), "EFD_NONBLOCK"),
		  "ohos_eventfd(0, OHOS_EFD_NONBLOCK): EINVAL, naming EFD_NONBLOCK (%s)\n",
		  ohos_eventfd_last_error());
	ksft_test_result(ohos_eventfd(0, OHOS_EFD_CLOEXEC) == -1 && errno == EINVAL,
		  "ohos_eventfd(0, OHOS_EFD_CLOEXEC): EINVAL\n");
}

static void check_mode(void)
{
	int fd = ohos_eventfd(0, EFD_CLOEXEC);
	unsigned int mode = ~0u;

	ksft_test_result(ohos_eventfd_get_mode(fd, &mode) == 0 && mode == OHOS_EFD_MODE_EXACT,
		  "get_mode: a new counter is in exact mode\n");
	ksft_test_result(ohos_eventfd_set_mode(fd, OHOS_EFD_MODE_TRANSITION) == 0 &&
		  ohos_eventfd_get_mode(fd, &mode) == 0 && mode == OHOS_EFD_MODE_TRANSITION,
		  "set_mode TRANSITION, get_mode reads it back\n");
	ksft_test_result(ohos_eventfd_set_mode(fd, 2) == -1 && errno == EINVAL, "set_mode 2: EINVAL\n");
	ksft_test_result(ohos_eventfd_set_mode(fd, OHOS_EFD_MODE_EXACT) == 0 &&
		  ohos_eventfd_get_mode(fd, &mode) == 0 && mode == OHOS_EFD_MODE_EXACT,
		  "set_mode EXACT again\n");
	close(fd);
}

static void check_configure(void)
{
	int fd = ohos_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	unsigned int flags = 0;
	uint64_t v = 0;

	ksft_test_result(ohos_eventfd_configure(fd, 0, 0x2) == -1 && errno == EINVAL,
		  "configure with unknown flag 0x2: EINVAL\n");
	ksft_test_result(ohos_eventfd_configure(fd, 0, EFD_NONBLOCK) == -1 && errno == EINVAL,
		  "configure with EFD_NONBLOCK, an fd's flag: EINVAL\n");
	ksft_test_result(ohos_eventfd_configure(fd, 9, EFD_SEMAPHORE) == 0, "configure 9, SEMAPHORE before use\n");
	ksft_test_result(ohos_eventfd_peek(fd, &v) == 0 && v == 9 && ohos_eventfd_get_flags(fd, &flags) == 0 &&
		  (flags & EFD_SEMAPHORE), "configured: count 9, semaphore\n");
	ksft_test_result(ohos_eventfd_read(fd, &v) == 0 && v == 1, "semaphore read takes 1\n");
	ksft_test_result(ohos_eventfd_configure(fd, 1, 0) == -1 && errno == EBUSY, "configure after use: EBUSY\n");
	close(fd);
}

static void check_stats(void)
{
	int fd = ohos_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct ohos_efd_stats s;
	uint64_t v;
	int ret;

	memset(&s, 0xff, sizeof(s));
	ret = ohos_eventfd_get_stats(fd, &s);
	ksft_test_result(ret == 0 && s.writes == 0 && s.reads == 0, "stats of a new counter: no writes, no reads\n");
	ksft_test_result(s.wakeups == 0 && s.fast_writes == 0 && s.slow_writes == 0,
		  "stats: the kernel filled all %zu bytes\n", sizeof(s));
	ohos_eventfd_write(fd, 1);
	ohos_eventfd_write(fd, 2);
	ohos_eventfd_write(fd, 3);
	ohos_eventfd_read(fd, &v);
	ohos_eventfd_read(fd, &v);	/* EAGAIN: not a successful read */
	ret = ohos_eventfd_get_stats(fd, &s);
	ksft_test_result(ret == 0 && s.writes == 3 && s.reads == 1,
		  "stats after 3 writes, 1 read and 1 EAGAIN: writes %llu reads %llu\n",
		  (unsigned long long)s.writes, (unsigned long long)s.reads);
	ksft_test_result(s.fast_writes + s.slow_writes == s.writes,
		  "every write took the fast or the slow path: %llu + %llu\n",
		  (unsigned long long)s.fast_writes, (unsigned long long)s.slow_writes);
	close(fd);
}

/*
 * A thread that unshared its fd table has numbers the process's
 * /proc/self/fd does not show: a counter made there is judged by the
 * thread's own table (/proc/thread-self/fd).
 */
static void *is_ohos_in_unshared_thread(void *arg)
{
	int *result = arg, fd;

	if (unshare(CLONE_FILES)) {
		result[0] = -2;
		return NULL;
	}
	fd = test_counter(0, EFD_CLOEXEC);
	result[0] = fd < 0 ? -3 : ohos_eventfd_is_ohos(fd);
	result[1] = fd;
	return NULL;
}

static void check_is_ohos_unshared_files(void)
{
	int result[2] = { -4, -1 };
	pthread_t thread;

	if (pthread_create(&thread, NULL, is_ohos_in_unshared_thread, result) ||
	    pthread_join(thread, NULL) || result[0] == -2) {
		ksft_test_result_skip("is_ohos in a thread with its own fd table: %s\n", "no thread or no unshare(CLONE_FILES)");
		return;
	}
	ksft_test_result(result[0] == test_on_device(),
		  "is_ohos in a thread with its own fd table: %d for the counter at fd %d there (%s)\n",
		  result[0], result[1], result[0] < 0 ? ohos_eventfd_last_error() : "");
}

int main(void)
{
	test_start();
	ksft_print_msg("mode: %s\n", test_on_device() ? "device" : "host (fallback)");
	check_wrappers_refuse_native();
	check_is_ohos_on_others();
	check_is_ohos_unshared_files();
	check_kernel_flags_refused();
	if (!test_on_device()) {
		ksft_test_result_skip("ioctls on a counter of the device: %s\n", "needs " OHOS_EVENTFD_DEVICE);
		test_finished();
	}
	check_is_ohos_on_ours();
	check_initval_and_peek();
	check_flags();
	check_mode();
	check_configure();
	check_stats();
	test_finished();
}
