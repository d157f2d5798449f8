// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd_read()/ohos_eventfd_write() on our counter against
 * eventfd_read()/eventfd_write() on a native eventfd: the same steps on
 * both, every outcome (return value, errno, value read, poll mask) compared.
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>

#include "test_support.h"

#define COUNT_MAX	0xfffffffffffffffeULL

enum op { READ, WRITE, POLL };

struct step {
	enum op op;
	uint64_t value;		/* WRITE: the value written */
};

struct result {
	int ret;
	int err;
	uint64_t value;		/* READ: the value read; POLL: revents */
};

#define R	{ READ, 0 }
#define W(v)	{ WRITE, (v) }
#define P	{ POLL, 0 }
static const struct step script[] = {
	R, P, W(1), P, W(2), R, R, W(0), P, R, W(UINT64_MAX), W(COUNT_MAX - 1),
	P, W(1), P, W(1), P, R, R, W(3), R, R, R, R, P,
};
#undef R
#undef W
#undef P

static struct result run_step(int fd, const struct step *step, int native)
{
	struct result r = { 0 };
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	switch (step->op) {
	case READ:
		r.ret = native ? eventfd_read(fd, &r.value) : ohos_eventfd_read(fd, &r.value);
		break;
	case WRITE:
		r.ret = native ? eventfd_write(fd, step->value) : ohos_eventfd_write(fd, step->value);
		break;
	case POLL:
		r.ret = poll(&pfd, 1, 0);
		r.value = (uint64_t)pfd.revents;
		break;
	}
	if (r.ret < 0)
		r.err = errno;
	if (r.ret < 0 && step->op == READ)
		r.value = 0;
	return r;
}

static const char *op_name(enum op op)
{
	return op == READ ? "read" : op == WRITE ? "write" : "poll";
}

/* The whole script on both counters; the first difference is reported. */
static void check_script(unsigned int initval, int flags)
{
	int native = eventfd(initval, flags), ours = test_counter(initval, flags);
	unsigned int i, n = sizeof(script) / sizeof(script[0]);
	bool created;

	created = native >= 0 && ours >= 0 && test_backend_ok(ours);
	ksft_test_result(created, "initval %u flags 0x%x: both counters created\n",
			 initval, (unsigned int)flags);
	if (!created)
		return;
	for (i = 0; i < n; i++) {
		struct result a = run_step(native, &script[i], 1);
		struct result b = run_step(ours, &script[i], 0);

		if (a.ret != b.ret || a.err != b.err || a.value != b.value) {
			ksft_print_msg("step %u (%s %llu): eventfd ret %d errno %d value %llu, ohos ret %d errno %d value %llu\n",
				 i, op_name(script[i].op), (unsigned long long)script[i].value,
				 a.ret, a.err, (unsigned long long)a.value,
				 b.ret, b.err, (unsigned long long)b.value);
			break;
		}
	}
	ksft_test_result(i == n, "initval %u flags 0x%x: %u reads, writes and polls give the same results\n",
		  initval, (unsigned int)flags, n);
	close(native);
	close(ours);
}

static void check_bad_fds(void)
{
	int pipefd[2];
	uint64_t v = 0;
	int a, ea, b, eb;

	a = eventfd_read(-1, &v), ea = errno;
	b = ohos_eventfd_read(-1, &v), eb = errno;
	ksft_test_result(a == b && ea == eb, "read of fd -1: as eventfd_read (%s)\n", strerrorname_np(eb));
	a = eventfd_write(-1, 1), ea = errno;
	b = ohos_eventfd_write(-1, 1), eb = errno;
	ksft_test_result(a == b && ea == eb, "write to fd -1: as eventfd_write (%s)\n", strerrorname_np(eb));
	if (pipe(pipefd))
		return;
	a = eventfd_read(pipefd[1], &v), ea = errno;
	b = ohos_eventfd_read(pipefd[1], &v), eb = errno;
	ksft_test_result(a == b && ea == eb, "read of a pipe's write end: as eventfd_read (%s)\n",
		  strerrorname_np(eb));
	ksft_test_result(strstr(ohos_eventfd_last_error(), "read of fd") != NULL,
		  "the message names the call: \"%s\"\n", ohos_eventfd_last_error());
	close(pipefd[0]);
	close(pipefd[1]);
}

static void *write_five(void *arg)
{
	ohos_eventfd_write(*(int *)arg, 5);
	return NULL;
}

/* A blocking read returns what another thread writes, whichever comes first. */
static void check_blocking_read(void)
{
	int fd = test_counter(0, 0);
	pthread_t thread;
	uint64_t v = 0;
	bool started;

	started = fd >= 0 && pthread_create(&thread, NULL, write_five, &fd) == 0;
	ksft_test_result(started, "blocking counter and writer thread\n");
	if (!started)
		return;
	ksft_test_result(ohos_eventfd_read(fd, &v) == 0 && v == 5, "blocking read returns the 5 written by a thread\n");
	pthread_join(thread, NULL);
	close(fd);
}

int main(void)
{
	test_start();
	ksft_print_msg("mode: %s\n", test_on_device() ? "device" : "host (fallback)");
	check_script(0, EFD_NONBLOCK);
	check_script(7, EFD_NONBLOCK | EFD_CLOEXEC);
	check_script(0xffffffffu, EFD_NONBLOCK);
	check_script(0, EFD_SEMAPHORE | EFD_NONBLOCK);
	check_script(3, EFD_SEMAPHORE | EFD_NONBLOCK);
	check_bad_fds();
	check_blocking_read();
	test_finished();
}
