// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests, fixture "compat": every case runs the same steps
 * on a native eventfd and on an ohos_eventfd counter (efd_diff(),
 * oefd_test_lib.c) and fails when the two traces differ; what eventfd does
 * is never written down here. Each case runs twice, once per way of
 * making a counter (variants "open": open() of /dev/ohos_eventfd,
 * "create": OHOS_EFD_IOC_CREATE).
 *
 * Usage: compat_test [-h] [-l] [-t test] [-f fixture] ... (kselftest
 * harness options; --help prints them and the environment variables).
 * Without /dev/ohos_eventfd every case is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/ohos_eventfd.h>

#include "kselftest_harness.h"
#include "oefd_test_lib.h"

/* ---- step shorthands -------------------------------------------------- */

static void masks(struct efd_run *run, int fd, int epfd)
{
	efd_poll_mask(run, fd);
	efd_select_mask(run, fd);
	if (epfd >= 0)
		efd_epoll_check(run, epfd);
}

static void getfl(struct efd_run *run, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		efd_ret(run, "fcntl(F_GETFL)", fl);
	else
		efd_note(run, "fcntl(F_GETFL)", "%#o", fl);
}

static void setfl(struct efd_run *run, int fd, int flags, const char *what)
{
	char op[48];

	snprintf(op, sizeof(op), "fcntl(F_SETFL, %s)", what);
	efd_ret(run, op, fcntl(fd, F_SETFL, flags));
	getfl(run, fd);
}

/* ---- read ------------------------------------------------------------- */

static const size_t read_sizes[] = { 0, 4, 7, 8, 9, 16, 1024 };

static void scn_read_sizes(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_SIZE(read_sizes); i++) {
		efd_write(run, fd, 5);
		efd_read(run, fd, read_sizes[i]);
		efd_read(run, fd, 8);
	}
	for (i = 0; i < ARRAY_SIZE(read_sizes); i++)
		efd_read(run, fd, read_sizes[i]);
}

/* At count 0 on a blocking fd: which sizes fail, which block. */
static void scn_read_sizes_blocking(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_SIZE(read_sizes); i++) {
		efd_read(run, fd, read_sizes[i]);
		if (efd_pending(run))
			efd_write(run, fd, 3);
	}
}

static void scn_read_blocks_until_write(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_read(run, fd, 8);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 7);
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
	efd_write(run, fd, 0);
	efd_write(run, fd, 1);
}

static void scn_read_normal(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, 3);
	efd_write(run, fd, 4);
	efd_read(run, fd, 8);
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
	efd_write(run, fd, 1);
	efd_read(run, fd, 16);
	efd_read(run, fd, 8);
}

static void scn_read_semaphore(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int i;

	(void)arg;
	for (i = 0; i < 4; i++) {
		efd_read(run, fd, 8);
		efd_poll_mask(run, fd);
	}
	efd_write(run, fd, 2);
	efd_read(run, fd, 16);
	efd_read(run, fd, 1024);
	efd_read(run, fd, 8);
}

/* Two readers blocked on a semaphore counter; a write of 2 serves both. */
static void scn_semaphore_two_readers(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_read(run, fd, 8);
	efd_read(run, fd, 8);
	efd_write(run, fd, 2);
	efd_poll_mask(run, fd);
}

static void scn_read_signal(struct efd_run *run, const void *arg)
{
	const bool *restart = arg;
	int fd = efd_fd(run);

	efd_read(run, fd, 8);
	efd_interrupt(run, *restart);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 9);
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
}

static void scn_readv(struct efd_run *run, const void *arg)
{
	static const size_t splits[][2] = { { 4, 4 }, { 8, 8 }, { 2, 6 }, { 0, 8 }, { 3, 3 } };
	int fd = efd_fd(run);
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_SIZE(splits); i++) {
		struct efd_call c = { .op = EFD_OP_READV, .fd = fd, .cpu = -1,
				      .iov_len = { splits[i][0], splits[i][1] } };

		efd_write(run, fd, 0x1122334455667788ULL);
		efd_start(run, &c);
		efd_read(run, fd, 8);
		efd_start(run, &c);
	}
}

static void preadv2_step(struct efd_run *run, int fd, off_t offset, int rwf)
{
	struct efd_call c = { .op = EFD_OP_PREADV2, .fd = fd, .len = 8,
			      .offset = offset, .rwf = rwf, .cpu = -1 };

	efd_start(run, &c);
}

/* Blocking fd at count 0: RWF_NOWAIT must not block; offsets are refused. */
static void scn_preadv2(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	preadv2_step(run, fd, -1, RWF_NOWAIT);
	efd_write(run, fd, 4);
	preadv2_step(run, fd, -1, RWF_NOWAIT);
	efd_write(run, fd, 4);
	preadv2_step(run, fd, 0, 0);
	preadv2_step(run, fd, 0, RWF_NOWAIT);
	preadv2_step(run, fd, -1, RWF_HIPRI);
	preadv2_step(run, fd, -1, 0);
	efd_write(run, fd, 1);
	preadv2_step(run, fd, -1, RWF_NOWAIT);
}

/* ---- write ------------------------------------------------------------ */

static void scn_write_sizes(struct efd_run *run, const void *arg)
{
	static const size_t sizes[] = { 0, 4, 7, 8, 9, 16 };
	int fd = efd_fd(run);
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		efd_write_len(run, fd, 2, sizes[i]);
		efd_read(run, fd, 8);
	}
	efd_write(run, fd, 1);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		efd_write_len(run, fd, 2, sizes[i]);
		efd_poll_mask(run, fd);
	}
	efd_read(run, fd, 8);
}

static void scn_write_ullong_max(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, UINT64_MAX);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 1);
	efd_write(run, fd, UINT64_MAX);
	efd_read(run, fd, 8);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_write(run, fd, UINT64_MAX);
	efd_read(run, fd, 8);
}

/* Up to the ceiling and over it, on a nonblocking fd. */
static void scn_write_ceiling(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, EFD_COUNT_MAX - 1);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 1);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 1);
	efd_write(run, fd, 0);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_read(run, fd, 8);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_read(run, fd, 8);
	efd_write(run, fd, 5);
	efd_write(run, fd, EFD_COUNT_MAX - 4);
	efd_write(run, fd, EFD_COUNT_MAX - 5);
	efd_read(run, fd, 8);
}

/* Over the ceiling on a blocking fd: the write waits for a read. */
static void scn_write_blocks(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_write(run, fd, 1);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 0);
	efd_read(run, fd, 8);
	efd_read(run, fd, 8);
	efd_write(run, fd, EFD_COUNT_MAX - 1);
	efd_write(run, fd, 2);
	efd_write(run, fd, 1);
	efd_read(run, fd, 8);
	efd_read(run, fd, 8);
}

static void scn_write_signal(struct efd_run *run, const void *arg)
{
	const bool *restart = arg;
	int fd = efd_fd(run);

	efd_write(run, fd, EFD_COUNT_MAX);
	efd_write(run, fd, 3);
	efd_interrupt(run, *restart);
	efd_read(run, fd, 8);
	efd_poll_mask(run, fd);
}

static void scn_write_zero(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, 0);
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
	efd_write(run, fd, 3);
	efd_write(run, fd, 0);
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
}

static void writev_step(struct efd_run *run, int fd, size_t a, size_t b)
{
	struct efd_call c = { .op = EFD_OP_WRITEV, .fd = fd, .cpu = -1,
			      .iov_len = { a, b }, .value = 1, .value2 = 2 };

	efd_start(run, &c);
	efd_read(run, fd, 8);
}

static void scn_writev(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	writev_step(run, fd, 8, 8);
	writev_step(run, fd, 4, 4);
	writev_step(run, fd, 8, 4);
	writev_step(run, fd, 4, 8);
	writev_step(run, fd, 16, 0);
	writev_step(run, fd, 0, 8);
}

static void pwritev2_step(struct efd_run *run, int fd, off_t offset, int rwf)
{
	struct efd_call c = { .op = EFD_OP_PWRITEV2, .fd = fd, .len = 8, .value = 6,
			      .offset = offset, .rwf = rwf, .cpu = -1 };

	efd_start(run, &c);
}

static void scn_pwritev2(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	pwritev2_step(run, fd, -1, RWF_NOWAIT);
	pwritev2_step(run, fd, -1, 0);
	pwritev2_step(run, fd, 0, 0);
	pwritev2_step(run, fd, -1, RWF_HIPRI);
	pwritev2_step(run, fd, -1, RWF_APPEND);
	efd_read(run, fd, 8);
}

/* ---- poll, select, epoll ---------------------------------------------- */

#define EPOLL_ALL (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | \
		   EPOLLWRNORM | EPOLLWRBAND | EPOLLRDHUP)

/* Masks at count 0, 1, EFD_COUNT_MAX - 1 and EFD_COUNT_MAX. */
static void scn_masks(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int ep;

	(void)arg;
	ep = efd_epoll_add(run, fd, EPOLL_ALL);
	masks(run, fd, ep);
	efd_write(run, fd, 1);
	masks(run, fd, ep);
	efd_read(run, fd, 8);
	efd_write(run, fd, EFD_COUNT_MAX - 1);
	masks(run, fd, ep);
	efd_write(run, fd, 1);
	masks(run, fd, ep);
	efd_read(run, fd, 8);
	masks(run, fd, ep);
}

static void scn_masks_semaphore(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int ep;

	(void)arg;
	ep = efd_epoll_add(run, fd, EPOLL_ALL);
	masks(run, fd, ep);
	efd_read(run, fd, 8);
	masks(run, fd, ep);
	efd_read(run, fd, 8);
	masks(run, fd, ep);
}

/* Blocked poll / epoll_wait, woken by a write (readable) or a read (writable). */
static void scn_poll_wakeups(struct efd_run *run, const void *arg)
{
	struct efd_call poll_in = { .op = EFD_OP_POLL, .events = POLLIN, .cpu = -1 };
	struct efd_call poll_out = { .op = EFD_OP_POLL, .events = POLLOUT, .cpu = -1 };
	struct efd_call wait = { .op = EFD_OP_EPOLL_WAIT, .cpu = -1 };
	int fd = efd_fd(run);

	(void)arg;
	poll_in.fd = poll_out.fd = fd;
	wait.fd = efd_epoll_add(run, fd, EPOLLIN);
	efd_start(run, &poll_in);
	efd_start(run, &wait);
	efd_write(run, fd, 0);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_start(run, &poll_out);
	efd_read(run, fd, 8);
	efd_start(run, &wait);
	efd_start(run, &poll_in);
	efd_write(run, fd, 1);
}

/* What epoll_wait(timeout 0) reports after each of a series of writes and reads. */
static void scn_epoll_sequence(struct efd_run *run, const void *arg)
{
	const unsigned int *events = arg;
	int fd = efd_fd(run);
	int ep;

	ep = efd_epoll_add(run, fd, *events);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 1);
	efd_epoll_check(run, ep);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 1);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 0);
	efd_epoll_check(run, ep);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 2);
	efd_write(run, fd, 3);
	efd_epoll_check(run, ep);
	efd_epoll_check(run, ep);
	efd_read(run, fd, 8);
	efd_epoll_check(run, ep);
	efd_epoll_check(run, ep);
	efd_read(run, fd, 8);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 0);
	efd_epoll_check(run, ep);
	efd_epoll_check(run, ep);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 0);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 1);
	efd_epoll_check(run, ep);
	efd_read(run, fd, 8);
	efd_epoll_check(run, ep);
	efd_epoll_check(run, ep);
}

/* ---- creation and flags ----------------------------------------------- */

static void scn_initval(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
	efd_write(run, fd, 1);
	efd_read(run, fd, 8);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_read(run, fd, 8);
}

static void scn_flags(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	getfl(run, fd);
	efd_ret(run, "fcntl(F_GETFD)", fcntl(fd, F_GETFD));
}

/*
 * O_NONBLOCK is read at each call, not at creation: toggle it with
 * F_SETFL and FIONBIO and check reads and writes follow.
 */
static void scn_nonblock_toggle(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int fl = fcntl(fd, F_GETFL);

	(void)arg;
	getfl(run, fd);
	efd_read(run, fd, 8);
	efd_write(run, fd, 2);
	efd_read(run, fd, 8);
	setfl(run, fd, fl ^ O_NONBLOCK, "toggle O_NONBLOCK");
	efd_read(run, fd, 8);
	efd_write(run, fd, 3);
	efd_write(run, fd, EFD_COUNT_MAX);
	efd_read(run, fd, 8);
	efd_read(run, fd, 8);
	setfl(run, fd, fl, "back");
	efd_read(run, fd, 8);
	efd_write(run, fd, 4);
	efd_read(run, fd, 8);
	efd_ret(run, "ioctl(FIONBIO, 1)", ioctl(fd, FIONBIO, &(int){ 1 }));
	getfl(run, fd);
	efd_read(run, fd, 8);
	efd_ret(run, "ioctl(FIONBIO, 0)", ioctl(fd, FIONBIO, &(int){ 0 }));
	getfl(run, fd);
	efd_write(run, fd, 5);
}

/* Is the counter still there in a program exec'd by a child? */
static void scn_cloexec(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_ret(run, "fcntl(F_GETFD)", fcntl(fd, F_GETFD));
	efd_exec_probe(run, fd);
	efd_read(run, fd, 8);
	efd_ret(run, "fcntl(F_SETFD, 0)", fcntl(fd, F_SETFD, 0));
	efd_exec_probe(run, fd);
	efd_read(run, fd, 8);
	efd_ret(run, "fcntl(F_SETFD, FD_CLOEXEC)", fcntl(fd, F_SETFD, FD_CLOEXEC));
	efd_exec_probe(run, fd);
	efd_ret(run, "ioctl(FIONCLEX)", ioctl(fd, FIONCLEX));
	efd_ret(run, "fcntl(F_GETFD)", fcntl(fd, F_GETFD));
	efd_ret(run, "ioctl(FIOCLEX)", ioctl(fd, FIOCLEX));
	efd_ret(run, "fcntl(F_GETFD)", fcntl(fd, F_GETFD));
	efd_read(run, fd, 8);
}

/* Counter state reached before the fdinfo snapshot. */
struct fdinfo_case {
	struct efd_spec spec;
	uint64_t write;
	bool toggle_nonblock;
};

static void scn_fdinfo(struct efd_run *run, const void *arg)
{
	const struct fdinfo_case *c = arg;
	int fd = efd_fd(run);

	if (c->write)
		efd_write(run, fd, c->write);
	if (c->toggle_nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) ^ O_NONBLOCK);
	efd_fdinfo(run, fd);
}

/* ---- processes, dup, close -------------------------------------------- */

static void scn_fork(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	uint64_t v;
	pid_t pid;

	(void)arg;
	efd_write(run, fd, 1);
	pid = fork();
	if (pid == 0) {
		v = 7;
		_exit(write(fd, &v, sizeof(v)) == sizeof(v) ? 0 : 1);
	}
	efd_wait_child(run, "child: write(7)", pid);
	efd_read(run, fd, 8);

	/* The child's blocking read is woken by the parent's write. */
	pid = fork();
	if (pid == 0)
		_exit(read(fd, &v, sizeof(v)) == sizeof(v) && v < 100 ? (int)v : 100);
	efd_child_blocks(run, "child: read()", pid);
	efd_write(run, fd, 42);
	efd_wait_child(run, "child: read()", pid);
	efd_poll_mask(run, fd);
}

static void scn_dup(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int d;

	(void)arg;
	d = efd_dup(run, fd, "dup");
	if (d < 0)
		return;
	efd_write(run, fd, 3);
	efd_read(run, d, 8);
	efd_write(run, d, 4);
	efd_poll_mask(run, fd);
	efd_read(run, fd, 8);
	getfl(run, d);
	setfl(run, d, O_RDWR, "0 via dup");
	getfl(run, fd);
	efd_read(run, fd, 8);
	efd_write(run, d, 6);
	efd_close(run, fd);
	efd_write(run, d, 1);
	efd_read(run, d, 8);
}

enum blocked_call { BLOCKED_READ, BLOCKED_POLL, BLOCKED_EPOLL };

struct close_case {
	enum blocked_call call;
	bool keep_dup;
};

/*
 * Above every fd number the harness opens while it settles (it reads
 * /proc/<tid>/stat through open()): a closed number here stays closed.
 */
#define HIGH_FD		900

/*
 * Close the fd another thread is blocked on. With a dup left open the
 * counter lives on, so a write through the dup can end the wait; without
 * one nothing can, and the end of the scenario records what is still
 * blocked. The blocked call uses a high fd number: poll() looks its fds
 * up again when woken, and a low number, once closed, could already name
 * the harness's next /proc file (POLLIN) instead of nothing (POLLNVAL),
 * depending on timing.
 */
static void scn_close_while_blocked(struct efd_run *run, const void *arg)
{
	const struct close_case *cc = arg;
	struct efd_call c = { .op = EFD_OP_READ, .len = 8, .events = POLLIN,
			      .cpu = -1 };
	int fd = efd_fd(run);
	int high = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);

	efd_ret(run, "high = fcntl(F_DUPFD_CLOEXEC)", high < 0 ? -1 : 0);
	if (high < 0)
		return;
	efd_adopt(run, high, "high");
	if (!cc->keep_dup)
		efd_close(run, fd);
	c.fd = high;
	if (cc->call == BLOCKED_POLL)
		c.op = EFD_OP_POLL;
	if (cc->call == BLOCKED_EPOLL) {
		c.op = EFD_OP_EPOLL_WAIT;
		c.fd = efd_epoll_add(run, high, EPOLLIN);
	}
	efd_start(run, &c);
	efd_close(run, high);
	if (cc->keep_dup) {
		efd_write(run, fd, 5);
		efd_poll_mask(run, fd);
	}
}

/* File operations that are not read or write: each result compared. */
static void scn_file_ops(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	uint64_t v = 1;
	char dirents[256];
	int pipefd[2];
	void *map;
	int n = -1;

	(void)arg;
	efd_write(run, fd, 5);
	efd_ret(run, "lseek(0, SEEK_SET)", lseek(fd, 0, SEEK_SET));
	efd_ret(run, "lseek(0, SEEK_CUR)", lseek(fd, 0, SEEK_CUR));
	efd_ret(run, "lseek(0, SEEK_END)", lseek(fd, 0, SEEK_END));
	efd_ret(run, "lseek(8, SEEK_SET)", lseek(fd, 8, SEEK_SET));
	efd_ret(run, "lseek(-1, SEEK_CUR)", lseek(fd, -1, SEEK_CUR));
	efd_ret(run, "lseek(0, SEEK_DATA)", lseek(fd, 0, SEEK_DATA));
	efd_ret(run, "pread(8, 0)", pread(fd, &v, sizeof(v), 0));
	efd_ret(run, "pwrite(8, 0)", pwrite(fd, &v, sizeof(v), 0));
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	efd_ret(run, "mmap(PROT_READ, MAP_SHARED)", map == MAP_FAILED ? -1 : 0);
	if (map != MAP_FAILED)
		munmap(map, 4096);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	efd_ret(run, "mmap(PROT_RW, MAP_PRIVATE)", map == MAP_FAILED ? -1 : 0);
	if (map != MAP_FAILED)
		munmap(map, 4096);
	efd_ret(run, "ftruncate(0)", ftruncate(fd, 0));
	efd_ret(run, "ftruncate(8)", ftruncate(fd, 8));
	efd_ret(run, "fsync", fsync(fd));
	efd_ret(run, "fdatasync", fdatasync(fd));
	efd_ret(run, "sync_file_range", sync_file_range(fd, 0, 0, 0));
	efd_ret(run, "fallocate(0, 8)", fallocate(fd, 0, 0, 8));
	errno = posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL);	/* returns the error */
	efd_ret(run, "posix_fadvise", errno ? -1 : 0);
	efd_ret(run, "ioctl(FIONREAD)", ioctl(fd, FIONREAD, &n));
	efd_note(run, "FIONREAD value", "%d", n);
	efd_ret(run, "ioctl(FIOQSIZE)", ioctl(fd, FIOQSIZE, &v));
	efd_ret(run, "ioctl(FIOASYNC, 1)", ioctl(fd, FIOASYNC, &(int){ 1 }));
	getfl(run, fd);
	setfl(run, fd, O_RDWR | O_NONBLOCK | O_APPEND, "NONBLOCK|APPEND");
	setfl(run, fd, O_RDWR | O_NONBLOCK | O_ASYNC, "NONBLOCK|ASYNC");
	setfl(run, fd, O_RDWR | O_NONBLOCK | O_DIRECT, "NONBLOCK|DIRECT");
	setfl(run, fd, O_RDWR | O_NONBLOCK | O_NOATIME, "NONBLOCK|NOATIME");
	setfl(run, fd, O_RDWR | O_NONBLOCK, "NONBLOCK");
	efd_ret(run, "flock(LOCK_EX|LOCK_NB)", flock(fd, LOCK_EX | LOCK_NB));
	efd_ret(run, "flock(LOCK_UN)", flock(fd, LOCK_UN));
	efd_ret(run, "getdents64", syscall(SYS_getdents64, fd, dirents, sizeof(dirents)));
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) == 0) {
		efd_adopt(run, pipefd[0], "pipe[0]");
		efd_adopt(run, pipefd[1], "pipe[1]");
		efd_ret(run, "splice(fd -> pipe)",
			splice(fd, NULL, pipefd[1], NULL, 8, SPLICE_F_NONBLOCK));
		efd_ret(run, "write(pipe, 8)", write(pipefd[1], &v, sizeof(v)));
		efd_ret(run, "splice(pipe -> fd)",
			splice(pipefd[0], NULL, fd, NULL, 8, SPLICE_F_NONBLOCK));
		efd_ret(run, "sendfile(pipe <- fd)", sendfile(pipefd[1], fd, NULL, 8));
		efd_ret(run, "tee(fd)", tee(fd, pipefd[1], 8, SPLICE_F_NONBLOCK));
	} else {
		efd_fail(run, "pipe2: %s", strerror(errno));
	}
	efd_read(run, fd, 8);
}

FIXTURE(compat) {
	char unused;
};

FACTORY_VARIANTS(compat);

FIXTURE_SETUP(compat)
{
	char why[256];

	if (!efd_ohos_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	efd_set_factory(variant->factory);
}

FIXTURE_TEARDOWN(compat)
{
}

TEST_F(compat, read_sizes)
{
	EXPECT_SAME(&efd_nonblock, scn_read_sizes, NULL);
}

TEST_F(compat, read_sizes_blocking)
{
	EXPECT_SAME(&efd_blocking, scn_read_sizes_blocking, NULL);
}

TEST_F(compat, read_blocks_until_write)
{
	EXPECT_SAME(&efd_blocking, scn_read_blocks_until_write, NULL);
}

TEST_F(compat, read_normal_mode)
{
	EXPECT_SAME(&efd_nonblock, scn_read_normal, NULL);
}

TEST_F(compat, read_semaphore_mode)
{
	const struct efd_spec sem = { .initval = 3, .flags = EFD_SEMAPHORE | EFD_NONBLOCK };
	const struct efd_spec sem_blocking = { .flags = EFD_SEMAPHORE };

	EXPECT_SAME(&sem, scn_read_semaphore, NULL);
	EXPECT_SAME(&sem_blocking, scn_read_blocks_until_write, NULL);
	EXPECT_SAME(&sem_blocking, scn_semaphore_two_readers, NULL);
}

TEST_F(compat, read_signal_eintr)
{
	const bool restart = false;

	EXPECT_SAME(&efd_blocking, scn_read_signal, &restart);
}

TEST_F(compat, read_signal_restart)
{
	const bool restart = true;

	EXPECT_SAME(&efd_blocking, scn_read_signal, &restart);
}

TEST_F(compat, readv)
{
	EXPECT_SAME(&efd_nonblock, scn_readv, NULL);
}

TEST_F(compat, preadv2_nowait)
{
	EXPECT_SAME(&efd_blocking, scn_preadv2, NULL);
}

TEST_F(compat, write_sizes)
{
	EXPECT_SAME(&efd_nonblock, scn_write_sizes, NULL);
}

TEST_F(compat, write_ullong_max)
{
	EXPECT_SAME(&efd_nonblock, scn_write_ullong_max, NULL);
}

TEST_F(compat, write_ceiling_nonblock)
{
	EXPECT_SAME(&efd_nonblock, scn_write_ceiling, NULL);
}

TEST_F(compat, write_ceiling_blocks)
{
	EXPECT_SAME(&efd_blocking, scn_write_blocks, NULL);
}

TEST_F(compat, write_signal_eintr)
{
	const bool restart = false;

	EXPECT_SAME(&efd_blocking, scn_write_signal, &restart);
}

TEST_F(compat, write_signal_restart)
{
	const bool restart = true;

	EXPECT_SAME(&efd_blocking, scn_write_signal, &restart);
}

TEST_F(compat, write_zero)
{
	EXPECT_SAME(&efd_nonblock, scn_write_zero, NULL);
}

TEST_F(compat, writev)
{
	EXPECT_SAME(&efd_nonblock, scn_writev, NULL);
}

TEST_F(compat, pwritev2_nowait)
{
	EXPECT_SAME(&efd_nonblock, scn_pwritev2, NULL);
	EXPECT_SAME(&efd_blocking, scn_pwritev2, NULL);
}

TEST_F(compat, poll_select_epoll_masks)
{
	const struct efd_spec sem = { .initval = 2, .flags = EFD_SEMAPHORE | EFD_NONBLOCK };

	EXPECT_SAME(&efd_nonblock, scn_masks, NULL);
	EXPECT_SAME(&sem, scn_masks_semaphore, NULL);
}

TEST_F(compat, poll_epoll_wakeups)
{
	EXPECT_SAME(&efd_blocking, scn_poll_wakeups, NULL);
}

TEST_F(compat, epoll_lt_in)
{
	const unsigned int events = EPOLLIN;

	EXPECT_SAME(&efd_nonblock, scn_epoll_sequence, &events);
}

TEST_F(compat, epoll_lt_inout)
{
	const unsigned int events = EPOLLIN | EPOLLOUT;

	EXPECT_SAME(&efd_nonblock, scn_epoll_sequence, &events);
}

TEST_F(compat, epoll_et_in)
{
	const unsigned int events = EPOLLIN | EPOLLET;

	EXPECT_SAME(&efd_nonblock, scn_epoll_sequence, &events);
}

TEST_F(compat, epoll_et_inout)
{
	const unsigned int events = EPOLLIN | EPOLLOUT | EPOLLET;

	EXPECT_SAME(&efd_nonblock, scn_epoll_sequence, &events);
}

TEST_F(compat, epoll_et_semaphore)
{
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE | EFD_NONBLOCK };
	const unsigned int in = EPOLLIN | EPOLLET, inout = EPOLLIN | EPOLLOUT | EPOLLET;

	EXPECT_SAME(&sem, scn_epoll_sequence, &in);
	EXPECT_SAME(&sem, scn_epoll_sequence, &inout);
}

TEST_F(compat, initval)
{
	static const unsigned int values[] = {
		0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};
	size_t i;
	int sem;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		for (sem = 0; sem <= 1; sem++) {
			const struct efd_spec spec = {
				.initval = values[i],
				.flags = EFD_NONBLOCK | (sem ? EFD_SEMAPHORE : 0),
			};

			EXPECT_SAME(&spec, scn_initval, NULL);
		}
	}
}

TEST_F(compat, create_invalid_flags)
{
	static const int flags[] = { 0x2, 0x4, 0x100, O_RDONLY | 0x40000000 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		const struct efd_spec spec = { .flags = flags[i] };

		EXPECT_SAME(&spec, scn_flags, NULL);
	}
}

TEST_F(compat, fcntl_flags)
{
	static const int flags[] = {
		0, EFD_NONBLOCK, EFD_CLOEXEC, EFD_NONBLOCK | EFD_CLOEXEC,
		EFD_SEMAPHORE, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		const struct efd_spec spec = { .flags = flags[i] };

		EXPECT_SAME(&spec, scn_flags, NULL);
	}
}

TEST_F(compat, nonblock_toggle)
{
	EXPECT_SAME(&efd_blocking, scn_nonblock_toggle, NULL);
	EXPECT_SAME(&efd_nonblock, scn_nonblock_toggle, NULL);
}

TEST_F(compat, cloexec_exec)
{
	const struct efd_spec cloexec = { .flags = EFD_CLOEXEC | EFD_NONBLOCK };

	EXPECT_SAME(&cloexec, scn_cloexec, NULL);
	EXPECT_SAME(&efd_nonblock, scn_cloexec, NULL);
}

/*
 * Our fdinfo may add lines after eventfd's, so the ohos trace may be longer;
 * each case is a single snapshot for that reason.
 */
TEST_F(compat, fdinfo)
{
	static const struct fdinfo_case cases[] = {
		{ .spec = { 0 } },
		{ .spec = { .initval = 5 } },
		{ .spec = { .flags = EFD_NONBLOCK }, .write = 0x123456789abcdef0ULL },
		{ .spec = { .flags = EFD_CLOEXEC }, .write = EFD_COUNT_MAX },
		{ .spec = { .initval = 2, .flags = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC } },
		{ .spec = { .flags = EFD_SEMAPHORE }, .toggle_nonblock = true },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_TRUE(efd_diff("fdinfo", &cases[i].spec, scn_fdinfo, &cases[i],
				     EFD_DIFF_OHOS_EXTRA_TAIL));
}

TEST_F(compat, fork)
{
	EXPECT_SAME(&efd_blocking, scn_fork, NULL);
}

TEST_F(compat, dup_shares_counter)
{
	EXPECT_SAME(&efd_nonblock, scn_dup, NULL);
}

TEST_F(compat, close_while_blocked_read)
{
	const struct close_case with_dup = { BLOCKED_READ, true };
	const struct close_case last_fd = { BLOCKED_READ, false };

	EXPECT_SAME(&efd_blocking, scn_close_while_blocked, &with_dup);
	EXPECT_SAME(&efd_blocking, scn_close_while_blocked, &last_fd);
}

TEST_F(compat, close_while_blocked_poll)
{
	const struct close_case with_dup = { BLOCKED_POLL, true };
	const struct close_case last_fd = { BLOCKED_POLL, false };

	EXPECT_SAME(&efd_blocking, scn_close_while_blocked, &with_dup);
	EXPECT_SAME(&efd_blocking, scn_close_while_blocked, &last_fd);
}

TEST_F(compat, close_while_blocked_epoll)
{
	const struct close_case with_dup = { BLOCKED_EPOLL, true };
	const struct close_case last_fd = { BLOCKED_EPOLL, false };

	EXPECT_SAME(&efd_blocking, scn_close_while_blocked, &with_dup);
	EXPECT_SAME(&efd_blocking, scn_close_while_blocked, &last_fd);
}

TEST_F(compat, file_ops)
{
	EXPECT_SAME(&efd_nonblock, scn_file_ops, NULL);
}

EFD_HARNESS_MAIN("Compares native eventfd with counters of /dev/ohos_eventfd, made by\n"
		 "open() and by OHOS_EFD_IOC_CREATE, case by case")
