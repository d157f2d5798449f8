/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the library's test programs share beyond kselftest.h (taken from
 * the installed linux-source tree at build time, as selftests/ takes it,
 * never copied here): the test mode, the counter under test, a bounded
 * run, and checks made in a child process that count in the parent's TAP.
 *
 * Each check is one ksft_test_result*() line ("ok N name"); a program
 * starts with test_start() and ends with test_finished(), which prints the
 * plan last (TAP allows it at either end: the number of checks depends on
 * the mode and the machine) and exits as ksft_finished() does.
 *
 * The tests run in one of two modes, chosen by the runner:
 * - host (default): the device is absent, counters come from the explicit
 *   fallback, so every check compares native eventfd with native eventfd
 *   through our code paths;
 * - device (OHOS_EFD_TEST_DEVICE=1, in the VM): counters must come from
 *   /dev/ohos_eventfd.
 */
#ifndef OEFD_TEST_SUPPORT_H
#define OEFD_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <kselftest.h>

#include <ohos_eventfd.h>

/* Every wait in a test is bounded: a hang kills the program, which fails it. */
#define TEST_TIMEOUT_SECONDS	60

static inline void test_start(void)
{
	ksft_print_header();
	alarm(TEST_TIMEOUT_SECONDS);
}

static inline __noreturn void test_finished(void)
{
	ksft_set_plan(ksft_test_num());
	ksft_finished();
}

/*
 * Checks made in another process count in this one's TAP: the child's
 * results go on this process's numbering, and test_child_passed() adds
 * them to its totals through a shared page. In a child, where its counts
 * go (set in the child only).
 */
#define TEST_COUNTS_FD_ENV	"OEFD_TEST_COUNTS_FD"
static struct ksft_count *test_child_counts;

static inline struct ksft_count *test_counts_page(int fd)
{
	struct ksft_count *shared;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      fd < 0 ? MAP_SHARED | MAP_ANONYMOUS : MAP_SHARED, fd, 0);
	return shared == MAP_FAILED ? NULL : shared;
}

/* fork() for a child that makes checks; it ends with test_child_exit(). */
static inline pid_t test_fork(struct ksft_count **counts)
{
	struct ksft_count *shared = test_counts_page(-1);
	pid_t pid;

	*counts = NULL;
	if (!shared)
		return -1;
	*shared = ksft_cnt;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		test_child_counts = shared;
	else if (pid > 0)
		*counts = shared;
	else
		munmap(shared, sizeof(*shared));
	return pid;
}

/* In a child of test_fork() or test_exec(): exit, 0 when none of its checks failed. */
static inline __noreturn void test_child_exit(void)
{
	unsigned int failed_before = test_child_counts->ksft_fail;

	fflush(stdout);
	*test_child_counts = ksft_cnt;
	_exit(ksft_cnt.ksft_fail != failed_before);
}

/* In the parent: wait for the child, take its results; did it exit 0? */
static inline bool test_child_passed(pid_t pid, struct ksft_count *counts)
{
	int status;
	bool ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0;

	if (counts) {
		ksft_cnt = *counts;
		munmap(counts, sizeof(*counts));
	}
	return ok;
}

/*
 * Run a program that makes checks (this one, again, with other arguments)
 * in a child: it starts with test_resume() and ends with test_child_exit().
 * The page goes across exec() as a memfd named in the environment. Did
 * the child exit 0?
 */
static inline bool test_exec(const char *path, char *const argv[])
{
	struct ksft_count *shared = NULL;
	char fd_text[16];
	pid_t pid = -1;
	int fd;

	fd = memfd_create("ksft_count", 0);
	if (fd >= 0 && !ftruncate(fd, sizeof(*shared)))
		shared = test_counts_page(fd);
	if (shared) {
		*shared = ksft_cnt;
		fflush(stdout);
		pid = fork();
	}
	if (pid == 0) {
		snprintf(fd_text, sizeof(fd_text), "%d", fd);
		setenv(TEST_COUNTS_FD_ENV, fd_text, 1);
		execv(path, argv);
		_exit(127);
	}
	if (fd >= 0)
		close(fd);
	if (pid < 0 && shared)
		munmap(shared, sizeof(*shared));
	return test_child_passed(pid, pid > 0 ? shared : NULL);
}

/* The start of a program run by test_exec(): its numbering goes on. */
static inline void test_resume(void)
{
	const char *fd_text = getenv(TEST_COUNTS_FD_ENV);

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(TEST_TIMEOUT_SECONDS);
	test_child_counts = fd_text ? test_counts_page(atoi(fd_text)) : NULL;
	if (!test_child_counts)
		ksft_exit_fail_msg("no %s from test_exec()\n", TEST_COUNTS_FD_ENV);
	close(atoi(fd_text));
	unsetenv(TEST_COUNTS_FD_ENV);
	ksft_cnt = *test_child_counts;
}

static inline int test_on_device(void)
{
	const char *env = getenv("OHOS_EFD_TEST_DEVICE");

	return env && !strcmp(env, "1");
}

/* A counter under test: from the device in device mode, else the fallback. */
static inline int test_counter(unsigned int initval, int flags)
{
	return ohos_eventfd(initval, flags | (test_on_device() ? 0 : OHOS_EFD_FALLBACK));
}

/* Is fd where the mode says counters come from? */
static inline int test_backend_ok(int fd)
{
	return ohos_eventfd_is_ohos(fd) == test_on_device();
}

#endif /* OEFD_TEST_SUPPORT_H */
