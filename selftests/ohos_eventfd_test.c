// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests.
 *
 * Fixture "compat": every case runs the same steps on a native eventfd and
 * on an ohos_eventfd counter (efd_diff(), efd_diff.c) and fails when the
 * two traces differ; what eventfd does is never written down here.
 * Fixture "ioctl": the ohos-only ioctls, checked against the comments of
 * include/uapi/linux/ohos_eventfd.h. Fixture "smp": the same comparison
 * with threads pinned to different CPUs (per-CPU pending increments).
 * Each of these runs twice, once per way of making a counter (variants
 * "open": open() of /dev/ohos_eventfd, "create": OHOS_EFD_IOC_CREATE).
 * Fixture "anon_inode": what only a counter from CREATE shares with an
 * eventfd (fstat, the /proc link, no reopening through /proc), compared.
 * Fixture "create": CREATE's own rules, compared with eventfd2() where it
 * has the same rule.
 *
 * Usage: ohos_eventfd_test [-h] [-l] [-t test] [-f fixture] ... (kselftest
 * harness options; --help prints them). Without /dev/ohos_eventfd every
 * case is skipped; OEFD_SELFTEST_NATIVE_AS_OHOS=1 makes the ohos side a
 * native eventfd too, which checks the tests and the framework on any
 * machine (the ioctl cases are then skipped); OEFD_SELFTEST_TRACE=1 prints
 * every trace, also of cases that pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
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
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/ohos_eventfd.h>

#include "efd_diff.h"
#include "kselftest_harness.h"

#define COUNT_MAX	EFD_COUNT_MAX
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define U64_LEN		((ssize_t)sizeof(uint64_t))

static const struct efd_spec blocking = { 0 };
static const struct efd_spec nonblock = { .flags = EFD_NONBLOCK };

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

static void call_on(struct efd_run *run, enum efd_op op, int fd, uint64_t value, int cpu)
{
	struct efd_call c = { .op = op, .fd = fd, .len = 8, .value = value, .cpu = cpu };

	efd_start(run, &c);
}

static void write_on(struct efd_run *run, int fd, uint64_t value, int cpu)
{
	call_on(run, EFD_OP_WRITE, fd, value, cpu);
}

static void read_on(struct efd_run *run, int fd, int cpu)
{
	call_on(run, EFD_OP_READ, fd, 0, cpu);
}

static bool ohos_peek(int fd, uint64_t *count)
{
	return ioctl(fd, OHOS_EFD_IOC_PEEK, count) == 0;
}

/* On a real ohos_eventfd, PEEK must see @expected; native has no PEEK. */
static void expect_peek(struct efd_run *run, int fd, uint64_t expected)
{
	uint64_t count = 0;

	if (efd_run_kind(run) != EFD_OHOS || efd_native_as_ohos())
		return;
	if (!ohos_peek(fd, &count))
		efd_expect(run, false, "PEEK: %s", strerror(errno));
	else
		efd_expect(run, count == expected, "PEEK: %#llx, expected %#llx",
			   (unsigned long long)count, (unsigned long long)expected);
}

/*
 * Which write paths an ohos run took, for the log: a multi-CPU case that
 * never took the per-CPU path did not test it (the module may refuse it,
 * e.g. fast_path=0, so this informs rather than fails).
 */
static void report_write_paths(struct efd_run *run, int fd)
{
	struct ohos_efd_stats st;

	if (efd_run_kind(run) != EFD_OHOS || efd_native_as_ohos())
		return;
	if (ioctl(fd, OHOS_EFD_IOC_GET_STATS, &st))
		efd_info(run, "GET_STATS: %s", strerror(errno));
	else
		efd_info(run, "writes %llu: per-CPU fast path %llu, locked %llu",
			 (unsigned long long)st.writes, (unsigned long long)st.fast_writes,
			 (unsigned long long)st.slow_writes);
}

/* ---- compat: read ----------------------------------------------------- */

static const size_t read_sizes[] = { 0, 4, 7, 8, 9, 16, 1024 };

static void scn_read_sizes(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_LEN(read_sizes); i++) {
		efd_write(run, fd, 5);
		efd_read(run, fd, read_sizes[i]);
		efd_read(run, fd, 8);
	}
	for (i = 0; i < ARRAY_LEN(read_sizes); i++)
		efd_read(run, fd, read_sizes[i]);
}

/* At count 0 on a blocking fd: which sizes fail, which block. */
static void scn_read_sizes_blocking(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_LEN(read_sizes); i++) {
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
	for (i = 0; i < ARRAY_LEN(splits); i++) {
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

/* ---- compat: write ---------------------------------------------------- */

static void scn_write_sizes(struct efd_run *run, const void *arg)
{
	static const size_t sizes[] = { 0, 4, 7, 8, 9, 16 };
	int fd = efd_fd(run);
	size_t i;

	(void)arg;
	for (i = 0; i < ARRAY_LEN(sizes); i++) {
		efd_write_len(run, fd, 2, sizes[i]);
		efd_read(run, fd, 8);
	}
	efd_write(run, fd, 1);
	for (i = 0; i < ARRAY_LEN(sizes); i++) {
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
	efd_write(run, fd, COUNT_MAX);
	efd_write(run, fd, UINT64_MAX);
	efd_read(run, fd, 8);
}

/* Up to the ceiling and over it, on a nonblocking fd. */
static void scn_write_ceiling(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, COUNT_MAX - 1);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 1);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 1);
	efd_write(run, fd, 0);
	efd_write(run, fd, COUNT_MAX);
	efd_read(run, fd, 8);
	efd_write(run, fd, COUNT_MAX);
	efd_write(run, fd, COUNT_MAX);
	efd_read(run, fd, 8);
	efd_write(run, fd, 5);
	efd_write(run, fd, COUNT_MAX - 4);
	efd_write(run, fd, COUNT_MAX - 5);
	efd_read(run, fd, 8);
}

/* Over the ceiling on a blocking fd: the write waits for a read. */
static void scn_write_blocks(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, COUNT_MAX);
	efd_write(run, fd, 1);
	efd_poll_mask(run, fd);
	efd_write(run, fd, 0);
	efd_read(run, fd, 8);
	efd_read(run, fd, 8);
	efd_write(run, fd, COUNT_MAX - 1);
	efd_write(run, fd, 2);
	efd_write(run, fd, 1);
	efd_read(run, fd, 8);
	efd_read(run, fd, 8);
}

static void scn_write_signal(struct efd_run *run, const void *arg)
{
	const bool *restart = arg;
	int fd = efd_fd(run);

	efd_write(run, fd, COUNT_MAX);
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

/* ---- compat: poll, select, epoll -------------------------------------- */

#define EPOLL_ALL (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLRDNORM | EPOLLRDBAND | \
		   EPOLLWRNORM | EPOLLWRBAND | EPOLLRDHUP)

/* Masks at count 0, 1, COUNT_MAX - 1 and COUNT_MAX. */
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
	efd_write(run, fd, COUNT_MAX - 1);
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
	efd_write(run, fd, COUNT_MAX);
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
	efd_write(run, fd, COUNT_MAX);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 0);
	efd_epoll_check(run, ep);
	efd_write(run, fd, 1);
	efd_epoll_check(run, ep);
	efd_read(run, fd, 8);
	efd_epoll_check(run, ep);
	efd_epoll_check(run, ep);
}

/* ---- compat: creation and flags --------------------------------------- */

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
	efd_write(run, fd, COUNT_MAX);
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
	efd_write(run, fd, COUNT_MAX);
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

/* ---- compat: processes, dup, close ------------------------------------ */

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

/* ---- compat: fixture -------------------------------------------------- */

/*
 * The fixtures that make ohos counters run each case once per way of
 * making them (efd_set_factory()): "open", open() of the device, and
 * "create", OHOS_EFD_IOC_CREATE.
 */
#define FACTORY_VARIANTS(fixture)				\
	FIXTURE_VARIANT(fixture) {				\
		enum efd_factory factory;			\
	};							\
	FIXTURE_VARIANT_ADD(fixture, open) {			\
		.factory = EFD_FACTORY_OPEN,			\
	};							\
	FIXTURE_VARIANT_ADD(fixture, create) {			\
		.factory = EFD_FACTORY_CREATE,			\
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

#define EXPECT_SAME(spec, scenario, arg) \
	EXPECT_TRUE(efd_diff(#scenario, spec, scenario, arg, 0))

TEST_F(compat, read_sizes)
{
	EXPECT_SAME(&nonblock, scn_read_sizes, NULL);
}

TEST_F(compat, read_sizes_blocking)
{
	EXPECT_SAME(&blocking, scn_read_sizes_blocking, NULL);
}

TEST_F(compat, read_blocks_until_write)
{
	EXPECT_SAME(&blocking, scn_read_blocks_until_write, NULL);
}

TEST_F(compat, read_normal_mode)
{
	EXPECT_SAME(&nonblock, scn_read_normal, NULL);
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

	EXPECT_SAME(&blocking, scn_read_signal, &restart);
}

TEST_F(compat, read_signal_restart)
{
	const bool restart = true;

	EXPECT_SAME(&blocking, scn_read_signal, &restart);
}

TEST_F(compat, readv)
{
	EXPECT_SAME(&nonblock, scn_readv, NULL);
}

TEST_F(compat, preadv2_nowait)
{
	EXPECT_SAME(&blocking, scn_preadv2, NULL);
}

TEST_F(compat, write_sizes)
{
	EXPECT_SAME(&nonblock, scn_write_sizes, NULL);
}

TEST_F(compat, write_ullong_max)
{
	EXPECT_SAME(&nonblock, scn_write_ullong_max, NULL);
}

TEST_F(compat, write_ceiling_nonblock)
{
	EXPECT_SAME(&nonblock, scn_write_ceiling, NULL);
}

TEST_F(compat, write_ceiling_blocks)
{
	EXPECT_SAME(&blocking, scn_write_blocks, NULL);
}

TEST_F(compat, write_signal_eintr)
{
	const bool restart = false;

	EXPECT_SAME(&blocking, scn_write_signal, &restart);
}

TEST_F(compat, write_signal_restart)
{
	const bool restart = true;

	EXPECT_SAME(&blocking, scn_write_signal, &restart);
}

TEST_F(compat, write_zero)
{
	EXPECT_SAME(&nonblock, scn_write_zero, NULL);
}

TEST_F(compat, writev)
{
	EXPECT_SAME(&nonblock, scn_writev, NULL);
}

TEST_F(compat, pwritev2_nowait)
{
	EXPECT_SAME(&nonblock, scn_pwritev2, NULL);
	EXPECT_SAME(&blocking, scn_pwritev2, NULL);
}

TEST_F(compat, poll_select_epoll_masks)
{
	const struct efd_spec sem = { .initval = 2, .flags = EFD_SEMAPHORE | EFD_NONBLOCK };

	EXPECT_SAME(&nonblock, scn_masks, NULL);
	EXPECT_SAME(&sem, scn_masks_semaphore, NULL);
}

TEST_F(compat, poll_epoll_wakeups)
{
	EXPECT_SAME(&blocking, scn_poll_wakeups, NULL);
}

TEST_F(compat, epoll_lt_in)
{
	const unsigned int events = EPOLLIN;

	EXPECT_SAME(&nonblock, scn_epoll_sequence, &events);
}

TEST_F(compat, epoll_lt_inout)
{
	const unsigned int events = EPOLLIN | EPOLLOUT;

	EXPECT_SAME(&nonblock, scn_epoll_sequence, &events);
}

TEST_F(compat, epoll_et_in)
{
	const unsigned int events = EPOLLIN | EPOLLET;

	EXPECT_SAME(&nonblock, scn_epoll_sequence, &events);
}

TEST_F(compat, epoll_et_inout)
{
	const unsigned int events = EPOLLIN | EPOLLOUT | EPOLLET;

	EXPECT_SAME(&nonblock, scn_epoll_sequence, &events);
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

	for (i = 0; i < ARRAY_LEN(values); i++) {
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

	for (i = 0; i < ARRAY_LEN(flags); i++) {
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

	for (i = 0; i < ARRAY_LEN(flags); i++) {
		const struct efd_spec spec = { .flags = flags[i] };

		EXPECT_SAME(&spec, scn_flags, NULL);
	}
}

TEST_F(compat, nonblock_toggle)
{
	EXPECT_SAME(&blocking, scn_nonblock_toggle, NULL);
	EXPECT_SAME(&nonblock, scn_nonblock_toggle, NULL);
}

TEST_F(compat, cloexec_exec)
{
	const struct efd_spec cloexec = { .flags = EFD_CLOEXEC | EFD_NONBLOCK };

	EXPECT_SAME(&cloexec, scn_cloexec, NULL);
	EXPECT_SAME(&nonblock, scn_cloexec, NULL);
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
		{ .spec = { .flags = EFD_CLOEXEC }, .write = COUNT_MAX },
		{ .spec = { .initval = 2, .flags = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC } },
		{ .spec = { .flags = EFD_SEMAPHORE }, .toggle_nonblock = true },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++)
		EXPECT_TRUE(efd_diff("fdinfo", &cases[i].spec, scn_fdinfo, &cases[i],
				     EFD_DIFF_OHOS_EXTRA_TAIL));
}

TEST_F(compat, fork)
{
	EXPECT_SAME(&blocking, scn_fork, NULL);
}

TEST_F(compat, dup_shares_counter)
{
	EXPECT_SAME(&nonblock, scn_dup, NULL);
}

TEST_F(compat, close_while_blocked_read)
{
	const struct close_case with_dup = { BLOCKED_READ, true };
	const struct close_case last_fd = { BLOCKED_READ, false };

	EXPECT_SAME(&blocking, scn_close_while_blocked, &with_dup);
	EXPECT_SAME(&blocking, scn_close_while_blocked, &last_fd);
}

TEST_F(compat, close_while_blocked_poll)
{
	const struct close_case with_dup = { BLOCKED_POLL, true };
	const struct close_case last_fd = { BLOCKED_POLL, false };

	EXPECT_SAME(&blocking, scn_close_while_blocked, &with_dup);
	EXPECT_SAME(&blocking, scn_close_while_blocked, &last_fd);
}

TEST_F(compat, close_while_blocked_epoll)
{
	const struct close_case with_dup = { BLOCKED_EPOLL, true };
	const struct close_case last_fd = { BLOCKED_EPOLL, false };

	EXPECT_SAME(&blocking, scn_close_while_blocked, &with_dup);
	EXPECT_SAME(&blocking, scn_close_while_blocked, &last_fd);
}

TEST_F(compat, file_ops)
{
	EXPECT_SAME(&nonblock, scn_file_ops, NULL);
}

/* ---- anon_inode: what only a counter from OHOS_EFD_IOC_CREATE matches - */

/*
 * The file itself as fstat() and /proc see it, against a native eventfd:
 * both are files of the kernel's shared anonymous inode, and only the
 * name differs. (F_GETFL and F_GETFD: compat.create.fcntl_flags. An fd
 * from open() is our character device instead: a documented difference.)
 */
#define ANON_LINK_OHOS		"anon_inode:[ohos_eventfd]"
#define ANON_LINK_NATIVE	"anon_inode:[eventfd]"

static void fstat_step(struct efd_run *run, int fd)
{
	struct stat st;

	if (fstat(fd, &st)) {
		efd_ret(run, "fstat", -1);
		return;
	}
	efd_note(run, "fstat: st_mode", "%#o", st.st_mode);
	efd_note(run, "fstat: st_nlink", "%lu", (unsigned long)st.st_nlink);
	efd_note(run, "fstat: st_uid st_gid", "%u %u", st.st_uid, st.st_gid);
	efd_note(run, "fstat: st_rdev", "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	efd_note(run, "fstat: st_size st_blocks st_blksize", "%lld %lld %ld",
		 (long long)st.st_size, (long long)st.st_blocks, (long)st.st_blksize);
	efd_note(run, "fstat: st_dev st_ino", "%u:%u %llu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long long)st.st_ino);
}

static void scn_fstat(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	fstat_step(run, fd);
	efd_write(run, fd, 3);
	efd_read(run, fd, 8);
	fstat_step(run, fd);
}

/* Record @fd's /proc/self/fd link, ours under native's name once checked. */
static void link_step(struct efd_run *run, int fd, const char *op)
{
	char path[64], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		efd_ret(run, op, -1);
		return;
	}
	target[n] = '\0';
	if (efd_run_kind(run) == EFD_OHOS && !efd_native_as_ohos()) {
		efd_expect(run, !strcmp(target, ANON_LINK_OHOS), "%s: %s, expected %s", op,
			   target, ANON_LINK_OHOS);
		if (!strcmp(target, ANON_LINK_OHOS))
			snprintf(target, sizeof(target), "%s", ANON_LINK_NATIVE);
	}
	efd_note(run, op, "%s", target);
}

static void scn_proc_fd_link(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int d;

	(void)arg;
	link_step(run, fd, "readlink(/proc/self/fd/fd)");
	d = efd_dup(run, fd, "dup");
	if (d >= 0)
		link_step(run, d, "readlink(/proc/self/fd/dup)");
}

static void reopen_step(struct efd_run *run, int fd, int flags, const char *what)
{
	char path[64], op[96];
	int reopened;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(op, sizeof(op), "open(/proc/self/fd/fd, %s)", what);
	reopened = open(path, flags);
	efd_ret(run, op, reopened < 0 ? -1 : 0);
	if (reopened < 0)
		return;
	efd_name_fd(run, reopened, "reopened");
	if (flags & O_PATH)
		link_step(run, reopened, "readlink(/proc/self/fd/reopened)");
	else
		efd_read(run, reopened, 8);
	close(reopened);
}

/* An eventfd cannot be opened again through /proc: no second, unrelated counter. */
static void scn_reopen(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, 3);
	reopen_step(run, fd, O_RDWR, "O_RDWR");
	reopen_step(run, fd, O_RDONLY, "O_RDONLY");
	reopen_step(run, fd, O_WRONLY, "O_WRONLY");
	reopen_step(run, fd, O_RDWR | O_NONBLOCK | O_CLOEXEC, "O_RDWR|O_NONBLOCK|O_CLOEXEC");
	reopen_step(run, fd, O_PATH | O_CLOEXEC, "O_PATH");
	efd_read(run, fd, 8);
}

FIXTURE(anon_inode) {
	char unused;
};

FIXTURE_SETUP(anon_inode)
{
	char why[256];

	if (!efd_ohos_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	efd_set_factory(EFD_FACTORY_CREATE);
}

FIXTURE_TEARDOWN(anon_inode)
{
}

TEST_F(anon_inode, fstat)
{
	const struct efd_spec all = {
		.initval = 2, .flags = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC,
	};

	EXPECT_SAME(&nonblock, scn_fstat, NULL);
	EXPECT_SAME(&all, scn_fstat, NULL);
}

TEST_F(anon_inode, proc_fd_link)
{
	EXPECT_SAME(&blocking, scn_proc_fd_link, NULL);
}

TEST_F(anon_inode, reopen_through_proc)
{
	EXPECT_SAME(&nonblock, scn_reopen, NULL);
}

/* ---- ohos-only ioctls ------------------------------------------------- */

/* A config followed by bytes a newer caller might send. */
struct config_ext {
	struct ohos_efd_config cfg;
	unsigned char tail[16];
};

struct stats_ext {
	struct ohos_efd_stats stats;
	unsigned char tail[16];
};

/* @cmd with @size in its size bits: how a caller with another struct asks. */
static unsigned long ioc_sized(unsigned long cmd, size_t size)
{
	return (cmd & ~_IOC(0, 0, 0, _IOC_SIZEMASK)) | _IOC(0, 0, 0, size);
}

/* One past the largest struct size the module takes: a page. */
static size_t above_page(void)
{
	return sysconf(_SC_PAGESIZE) + 1;
}

/* A new counter, close-on-exec, made @factory's way: count 0, normal mode. */
static int new_counter(enum efd_factory factory, int flags)
{
	const struct efd_spec spec = { .flags = EFD_CLOEXEC | flags };

	efd_set_factory(factory);
	return efd_create(EFD_OHOS, &spec);
}

static int configure(int fd, __u32 flags, __u32 initval)
{
	struct ohos_efd_config cfg = { .flags = flags, .initval = initval };

	return ioctl(fd, OHOS_EFD_IOC_CONFIGURE, &cfg);
}

static ssize_t write_value(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v));
}

static uint64_t read_value(int fd)
{
	uint64_t v = 0;

	return read(fd, &v, sizeof(v)) == sizeof(v) ? v : UINT64_MAX;
}

/*
 * A refused CONFIGURE changes nothing: the count is still 0 and a valid
 * CONFIGURE still works. (Only PEEK looks: a read, even one that fails,
 * may count as the first use after which CONFIGURE is EBUSY.)
 */
static void expect_still_configurable(struct __test_metadata *_metadata, int fd)
{
	uint64_t count = 1;

	EXPECT_TRUE(ohos_peek(fd, &count));
	EXPECT_EQ(0u, count);
	EXPECT_EQ(0, configure(fd, 0, 4));
	EXPECT_EQ(4u, read_value(fd));
}

FIXTURE(ioctl) {
	int fd;
};

FACTORY_VARIANTS(ioctl);

FIXTURE_SETUP(ioctl)
{
	char why[256];

	self->fd = -1;
	if (efd_native_as_ohos())
		SKIP(return, "%s is set: no ohos_eventfd to send ioctls to",
		     EFD_ENV_NATIVE_AS_OHOS);
	if (!efd_ohos_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	self->fd = new_counter(variant->factory, EFD_NONBLOCK);
	ASSERT_LE(0, self->fd) TH_LOG("a counter of %s: %s", OHOS_EVENTFD_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(ioctl)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ioctl, open_access_mode)
{
	int fd;

	fd = open(OHOS_EVENTFD_DEVICE, O_RDONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, errno);
	if (fd >= 0)
		close(fd);
	fd = open(OHOS_EVENTFD_DEVICE, O_WRONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EINVAL, errno);
	if (fd >= 0)
		close(fd);
}

TEST_F(ioctl, configure_applies)
{
	__u32 flags = 0;

	ASSERT_EQ(0, configure(self->fd, OHOS_EFD_SEMAPHORE, 2));
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_FLAGS, &flags));
	EXPECT_EQ(OHOS_EFD_SEMAPHORE | OHOS_EFD_NONBLOCK, flags);
	EXPECT_EQ(1u, read_value(self->fd));
	EXPECT_EQ(1u, read_value(self->fd));
	EXPECT_EQ(UINT64_MAX, read_value(self->fd));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(ioctl, configure_after_write_ebusy)
{
	ASSERT_EQ(U64_LEN, write_value(self->fd, 1));
	EXPECT_EQ(-1, configure(self->fd, OHOS_EFD_SEMAPHORE, 5));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(1u, read_value(self->fd));
}

TEST_F(ioctl, configure_after_read_ebusy)
{
	ASSERT_EQ(0, configure(self->fd, 0, 3));
	ASSERT_EQ(3u, read_value(self->fd));
	EXPECT_EQ(-1, configure(self->fd, 0, 5));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(UINT64_MAX, read_value(self->fd));
}

/* A page is the largest struct taken (the bytes past ours are zero here). */
TEST_F(ioctl, configure_size_above_page_e2big)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct ohos_efd_config *cfg = calloc(1, above_page());
	uint64_t count = 1;

	ASSERT_NE(NULL, cfg);
	cfg->initval = 4;
	EXPECT_EQ(-1, ioctl(self->fd, ioc_sized(OHOS_EFD_IOC_CONFIGURE, above_page()), cfg));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(0u, count);
	free(cfg);

	cfg = calloc(1, page);
	ASSERT_NE(NULL, cfg);
	cfg->initval = 7;
	ASSERT_EQ(0, ioctl(self->fd, ioc_sized(OHOS_EFD_IOC_CONFIGURE, page), cfg))
		TH_LOG("a page, zero past the struct: %s", strerror(errno));
	EXPECT_EQ(7u, read_value(self->fd));
	free(cfg);
}

TEST_F(ioctl, configure_unknown_flag_einval)
{
	/* NONBLOCK and CLOEXEC belong to a file: CREATE takes them, CONFIGURE not. */
	static const __u32 bad[] = {
		OHOS_EFD_NONBLOCK, OHOS_EFD_CLOEXEC, 0x8, 0x100, 0x80000000u,
		OHOS_EFD_SEMAPHORE | 0x40,
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		EXPECT_EQ(-1, configure(self->fd, bad[i], 1)) TH_LOG("flags %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("flags %#x", bad[i]);
	}
	expect_still_configurable(_metadata, self->fd);
}

TEST_F(ioctl, configure_size_too_small_einval)
{
	static const size_t sizes[] = { 0, 1, 4, OHOS_EFD_CONFIG_SIZE_VER0 - 1 };
	struct ohos_efd_config cfg = { .initval = 1 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(sizes); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, ioc_sized(OHOS_EFD_IOC_CONFIGURE, sizes[i]), &cfg))
			TH_LOG("size %zu", sizes[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %zu", sizes[i]);
	}
	expect_still_configurable(_metadata, self->fd);
}

TEST_F(ioctl, configure_larger_size)
{
	unsigned long cmd = ioc_sized(OHOS_EFD_IOC_CONFIGURE, sizeof(struct config_ext));
	struct config_ext ext = { .cfg = { .initval = 6 } };

	ext.tail[sizeof(ext.tail) - 1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, cmd, &ext));
	EXPECT_EQ(E2BIG, errno);
	ext.tail[sizeof(ext.tail) - 1] = 0;
	ext.tail[0] = 0x80;
	EXPECT_EQ(-1, ioctl(self->fd, cmd, &ext));
	EXPECT_EQ(E2BIG, errno);
	ext.tail[0] = 0;
	EXPECT_EQ(0, ioctl(self->fd, cmd, &ext));
	EXPECT_EQ(6u, read_value(self->fd));
}

TEST_F(ioctl, peek_does_not_consume)
{
	uint64_t count = 1;

	ASSERT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(0, count);
	ASSERT_EQ(U64_LEN, write_value(self->fd, 5));
	ASSERT_EQ(U64_LEN, write_value(self->fd, 6));
	ASSERT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(11, count);
	ASSERT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(11, count);
	EXPECT_EQ(count, read_value(self->fd));
	ASSERT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(0, count);
	ASSERT_EQ(U64_LEN, write_value(self->fd, COUNT_MAX));
	ASSERT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(COUNT_MAX, count);
	EXPECT_EQ(count, read_value(self->fd));
}

TEST_F(ioctl, peek_semaphore)
{
	uint64_t count = 0;

	ASSERT_EQ(0, configure(self->fd, OHOS_EFD_SEMAPHORE, 3));
	ASSERT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(3, count);
	EXPECT_EQ(1u, read_value(self->fd));
	ASSERT_TRUE(ohos_peek(self->fd, &count));
	EXPECT_EQ(2, count);
}

static int get_stats(int fd, struct ohos_efd_stats *st)
{
	return ioctl(fd, OHOS_EFD_IOC_GET_STATS, st);
}

TEST_F(ioctl, get_stats_counts)
{
	struct ohos_efd_stats st;
	int i;

	/* A new counter: every field the kernel fills is 0. */
	memset(&st, 0xff, sizeof(st));
	ASSERT_EQ(0, get_stats(self->fd, &st));
	EXPECT_EQ(0, st.writes);
	EXPECT_EQ(0, st.reads);
	EXPECT_EQ(0, st.wakeups);
	EXPECT_EQ(0, st.fast_writes);
	EXPECT_EQ(0, st.slow_writes);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(U64_LEN, write_value(self->fd, i));
	ASSERT_EQ(10u, read_value(self->fd));
	/* Failed calls are not "successful" ones. */
	EXPECT_EQ(UINT64_MAX, read_value(self->fd));
	EXPECT_EQ(-1, write_value(self->fd, UINT64_MAX));
	EXPECT_EQ(-1, write(self->fd, "1234", 4));
	ASSERT_EQ(0, get_stats(self->fd, &st));
	EXPECT_EQ(5, st.writes);
	EXPECT_EQ(1, st.reads);
	EXPECT_EQ(st.writes, st.fast_writes + st.slow_writes);
}

static bool all_bytes(const unsigned char *p, size_t len, unsigned char value)
{
	while (len--)
		if (*p++ != value)
			return false;
	return true;
}

TEST_F(ioctl, get_stats_struct_rules)
{
	static const size_t small[] = { 0, 8, OHOS_EFD_STATS_SIZE_VER0 - 1 };
	struct stats_ext ext;
	unsigned char *big;
	size_t i;

	ASSERT_EQ(U64_LEN, write_value(self->fd, 1));
	for (i = 0; i < ARRAY_LEN(small); i++) {
		memset(&ext, 0xff, sizeof(ext));
		EXPECT_EQ(-1, ioctl(self->fd, ioc_sized(OHOS_EFD_IOC_GET_STATS, small[i]), &ext))
			TH_LOG("size %zu", small[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %zu", small[i]);
		EXPECT_TRUE(all_bytes((unsigned char *)&ext, sizeof(ext), 0xff));
	}
	big = malloc(above_page());
	ASSERT_NE(NULL, big);
	memset(big, 0xff, above_page());
	EXPECT_EQ(-1, ioctl(self->fd, ioc_sized(OHOS_EFD_IOC_GET_STATS, above_page()), big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_TRUE(all_bytes(big, above_page(), 0xff));
	free(big);
	/* A larger struct: the fields the kernel knows, then zeroes. */
	memset(&ext, 0xff, sizeof(ext));
	EXPECT_EQ(0, ioctl(self->fd, ioc_sized(OHOS_EFD_IOC_GET_STATS, sizeof(ext)), &ext));
	EXPECT_EQ(1, ext.stats.writes);
	EXPECT_EQ(0, ext.stats.reads);
	EXPECT_TRUE(all_bytes(ext.tail, sizeof(ext.tail), 0));
	/* The size in the number is what the kernel writes, not a byte more. */
	memset(&ext, 0xff, sizeof(ext));
	EXPECT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_STATS, &ext));
	EXPECT_EQ(1, ext.stats.writes);
	EXPECT_TRUE(all_bytes(ext.tail, sizeof(ext.tail), 0xff));
}

TEST_F(ioctl, get_flags)
{
	__u32 flags = ~0u;
	int fd;

	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_FLAGS, &flags));
	EXPECT_EQ(OHOS_EFD_NONBLOCK, flags);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_RDWR));
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_FLAGS, &flags));
	EXPECT_EQ(0, flags);

	fd = new_counter(variant->factory, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, configure(fd, OHOS_EFD_SEMAPHORE, 0));
	ASSERT_EQ(0, ioctl(fd, OHOS_EFD_IOC_GET_FLAGS, &flags));
	EXPECT_EQ(OHOS_EFD_SEMAPHORE, flags);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK));
	ASSERT_EQ(0, ioctl(fd, OHOS_EFD_IOC_GET_FLAGS, &flags));
	EXPECT_EQ(OHOS_EFD_SEMAPHORE | OHOS_EFD_NONBLOCK, flags);
	close(fd);
}

TEST_F(ioctl, set_get_mode)
{
	static const __u32 bad[] = { 2, 3, 0x80000000u, ~0u };
	__u32 mode = ~0u;
	size_t i;

	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_MODE, &mode));
	EXPECT_EQ(OHOS_EFD_MODE_EXACT, mode);
	mode = OHOS_EFD_MODE_TRANSITION;
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_SET_MODE, &mode));
	mode = ~0u;
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_MODE, &mode));
	EXPECT_EQ(OHOS_EFD_MODE_TRANSITION, mode);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		mode = bad[i];
		EXPECT_EQ(-1, ioctl(self->fd, OHOS_EFD_IOC_SET_MODE, &mode)) TH_LOG("mode %#x", bad[i]);
		EXPECT_EQ(EINVAL, errno);
	}
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_MODE, &mode));
	EXPECT_EQ(OHOS_EFD_MODE_TRANSITION, mode);
	mode = OHOS_EFD_MODE_EXACT;
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_MODE, &mode));
	EXPECT_EQ(OHOS_EFD_MODE_EXACT, mode);
}

TEST_F(ioctl, unknown_ioctl_enotty)
{
	static const unsigned long cmds[] = {
		_IO(OHOS_EFD_IOC_MAGIC, 0x00), _IO(OHOS_EFD_IOC_MAGIC, 0x1f),
		_IOR(OHOS_EFD_IOC_MAGIC, 0x05, __u32),	/* PEEK with another size */
		/* CONFIGURE, GET_STATS and CREATE of uapi 1.x, without a size */
		_IO(OHOS_EFD_IOC_MAGIC, 0x01), _IO(OHOS_EFD_IOC_MAGIC, 0x06),
		_IO(OHOS_EFD_IOC_MAGIC, 0x07),
		/* a sized command with the other direction */
		_IOR(OHOS_EFD_IOC_MAGIC, 0x01, struct ohos_efd_config),
		_IOWR(OHOS_EFD_IOC_MAGIC, 0x06, struct ohos_efd_stats),
		_IOW(OHOS_EFD_IOC_MAGIC, 0x06, struct ohos_efd_stats),
		TCGETS,
	};
	__u64 arg[8] = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(cmds); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], arg)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

TEST_F(ioctl, null_pointer_efault)
{
	static const unsigned long cmds[] = {
		OHOS_EFD_IOC_CONFIGURE, OHOS_EFD_IOC_GET_FLAGS, OHOS_EFD_IOC_SET_MODE,
		OHOS_EFD_IOC_GET_MODE, OHOS_EFD_IOC_PEEK, OHOS_EFD_IOC_GET_STATS,
		OHOS_EFD_IOC_CREATE,
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cmds); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], NULL)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

/* ---- create: OHOS_EFD_IOC_CREATE's own rules ---------------------------- */

static int ioc_create(int fd, __u32 flags, __u32 initval)
{
	struct ohos_efd_config cfg = { .flags = flags, .initval = initval };

	return ioctl(fd, OHOS_EFD_IOC_CREATE, &cfg);
}

/* What a creation did, the fd closed. */
struct outcome {
	bool ok;
	int err;
};

static struct outcome outcome_of(int fd)
{
	struct outcome o = { .ok = fd >= 0, .err = fd >= 0 ? 0 : errno };

	if (fd >= 0)
		close(fd);
	return o;
}

/* The fd number the next open() would get. */
static int lowest_free_fd(void)
{
	int fd = dup(STDIN_FILENO);

	if (fd >= 0)
		close(fd);
	return fd;
}

FIXTURE(create) {
	int dev;
};

FIXTURE_SETUP(create)
{
	char why[256];

	self->dev = -1;
	if (efd_native_as_ohos())
		SKIP(return, "%s is set: no ohos_eventfd to send ioctls to",
		     EFD_ENV_NATIVE_AS_OHOS);
	if (!efd_ohos_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	self->dev = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("open %s: %s", OHOS_EVENTFD_DEVICE, strerror(errno));
}

FIXTURE_TEARDOWN(create)
{
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * Every single bit and a few mixes of eventfd2()'s flags, in the kernel's
 * bits (efd_ohos_flags()): accepted or refused as by eventfd2().
 */
TEST_F(create, flags_as_eventfd2)
{
	static const __u32 mixes[] = {
		EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC,
		EFD_SEMAPHORE | 0x2, EFD_NONBLOCK | 0x40000000, O_RDWR | O_CLOEXEC, ~0u,
	};
	__u32 flags[32 + ARRAY_LEN(mixes)];
	struct outcome native, ours;
	size_t i;

	for (i = 0; i < 32; i++)
		flags[i] = 1u << i;
	memcpy(flags + 32, mixes, sizeof(mixes));
	for (i = 0; i < ARRAY_LEN(flags); i++) {
		native = outcome_of(syscall(SYS_eventfd2, 0, flags[i]));
		ours = outcome_of(ioc_create(self->dev, efd_ohos_flags(flags[i]), 0));
		EXPECT_EQ(native.ok, ours.ok) TH_LOG("flags %#x", flags[i]);
		EXPECT_EQ(native.err, ours.err)
			TH_LOG("flags %#x: %s, eventfd2 %s", flags[i], strerror(ours.err),
			       strerror(native.err));
	}
}

TEST_F(create, size_above_page_e2big)
{
	struct ohos_efd_config *cfg = calloc(1, above_page());

	ASSERT_NE(NULL, cfg);
	cfg->flags = OHOS_EFD_CLOEXEC;
	EXPECT_EQ(-1, ioctl(self->dev, ioc_sized(OHOS_EFD_IOC_CREATE, above_page()), cfg));
	EXPECT_EQ(E2BIG, errno);
	free(cfg);
}

TEST_F(create, size_too_small_einval)
{
	static const size_t sizes[] = { 0, 1, 4, OHOS_EFD_CONFIG_SIZE_VER0 - 1 };
	struct ohos_efd_config cfg = { .flags = OHOS_EFD_CLOEXEC, .initval = 1 };
	size_t i;

	for (i = 0; i < ARRAY_LEN(sizes); i++) {
		EXPECT_EQ(-1, ioctl(self->dev, ioc_sized(OHOS_EFD_IOC_CREATE, sizes[i]), &cfg))
			TH_LOG("size %zu", sizes[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %zu", sizes[i]);
	}
}

TEST_F(create, larger_size)
{
	unsigned long cmd = ioc_sized(OHOS_EFD_IOC_CREATE, sizeof(struct config_ext));
	struct config_ext ext = { .cfg = { .flags = OHOS_EFD_CLOEXEC, .initval = 6 } };
	int fd;

	ext.tail[sizeof(ext.tail) - 1] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, cmd, &ext));
	EXPECT_EQ(E2BIG, errno);
	ext.tail[sizeof(ext.tail) - 1] = 0;
	fd = ioctl(self->dev, cmd, &ext);
	ASSERT_LE(0, fd) TH_LOG("zero tail: %s", strerror(errno));
	EXPECT_EQ(6u, read_value(fd));
	close(fd);
	ext.tail[0] = 1;	/* beyond the size the number gives: not read */
	fd = ioctl(self->dev, OHOS_EFD_IOC_CREATE, &ext);
	ASSERT_LE(0, fd) TH_LOG("size VER0: %s", strerror(errno));
	EXPECT_EQ(6u, read_value(fd));
	close(fd);
}

/* A refused CREATE leaves no fd behind, installed or reserved. */
TEST_F(create, failure_leaks_no_fd)
{
	struct config_ext too_big = { .tail = { 1 } };
	unsigned long too_big_cmd = ioc_sized(OHOS_EFD_IOC_CREATE, sizeof(too_big));
	void *huge = calloc(1, above_page());
	int lowest = lowest_free_fd();

	ASSERT_NE(NULL, huge);
	ASSERT_LE(0, lowest);
	EXPECT_EQ(-1, ioc_create(self->dev, 0x8, 0));
	EXPECT_EQ(-1, ioctl(self->dev, ioc_sized(OHOS_EFD_IOC_CREATE, 4), &too_big));
	EXPECT_EQ(-1, ioctl(self->dev, ioc_sized(OHOS_EFD_IOC_CREATE, above_page()), huge));
	EXPECT_EQ(-1, ioctl(self->dev, too_big_cmd, &too_big));
	EXPECT_EQ(-1, ioctl(self->dev, OHOS_EFD_IOC_CREATE, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(lowest, lowest_free_fd());
	free(huge);
}

/* Out of fds: the errno of eventfd2(), and nothing broken afterwards. */
TEST_F(create, emfile_as_eventfd2)
{
	struct rlimit saved, full;
	struct outcome native, ours;
	int fd;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &saved));
	full = saved;
	full.rlim_cur = lowest_free_fd();
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &full));
	native = outcome_of(eventfd(0, EFD_CLOEXEC));
	ours = outcome_of(ioc_create(self->dev, OHOS_EFD_CLOEXEC, 0));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &saved));
	ASSERT_FALSE(native.ok) TH_LOG("eventfd2 still found a free fd below %llu",
				       (unsigned long long)full.rlim_cur);
	EXPECT_EQ(native.ok, ours.ok);
	EXPECT_EQ(native.err, ours.err) TH_LOG("%s, eventfd2 %s", strerror(ours.err),
					       strerror(native.err));
	fd = ioc_create(self->dev, OHOS_EFD_CLOEXEC, 4);
	ASSERT_LE(0, fd);
	EXPECT_EQ(4u, read_value(fd));
	close(fd);
}

/*
 * Any counter's fd is a factory, the one from CREATE too; the counter made
 * is new and independent, and outlives the fd that made it. An eventfd is
 * no factory.
 */
TEST_F(create, on_any_counter_fd)
{
	int first, second, native;
	uint64_t count = 1;

	first = ioc_create(self->dev, OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC, 1);
	ASSERT_LE(0, first) TH_LOG("CREATE on an fd from open(): %s", strerror(errno));
	second = ioc_create(first, OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC, 2);
	ASSERT_LE(0, second) TH_LOG("CREATE on an fd from CREATE: %s", strerror(errno));
	EXPECT_TRUE(ohos_peek(self->dev, &count));
	EXPECT_EQ(0u, count);
	EXPECT_EQ(1u, read_value(first));
	EXPECT_EQ(2u, read_value(second));
	close(self->dev);
	self->dev = -1;
	EXPECT_EQ(U64_LEN, write_value(first, 3));
	EXPECT_EQ(3u, read_value(first));
	close(first);
	close(second);

	native = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, native);
	EXPECT_EQ(-1, ioc_create(native, 0, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(native);
}

/* ---- smp: pinned threads ---------------------------------------------- */

struct smp_load {
	int writers;
	int writes_each;
	bool reader;
};

struct smp_thread {
	pthread_t thread;
	int fd;
	int cpu;
	int writes;
	uint64_t value;		/* writer: the value; reader: what it must collect */
	uint64_t collected;
	unsigned int failures;
	int err;
};

static int smp_cpus[2];

static void *smp_writer(void *arg)
{
	struct smp_thread *t = arg;
	int i;

	if (efd_pin_self(t->cpu)) {
		t->err = errno;
		return NULL;
	}
	for (i = 0; i < t->writes; i++)
		if (write(t->fd, &t->value, sizeof(t->value)) != sizeof(t->value))
			t->failures++;
	return NULL;
}

/* Blocking reads until it has collected t->value; a signal ends it early. */
static void *smp_reader(void *arg)
{
	struct smp_thread *t = arg;
	uint64_t v;

	if (efd_pin_self(t->cpu)) {
		t->err = errno;
		return NULL;
	}
	while (t->collected < t->value) {
		if (read(t->fd, &v, sizeof(v)) != sizeof(v)) {
			t->err = errno;
			return NULL;
		}
		t->collected += v;
	}
	return NULL;
}

static bool smp_spawn(struct efd_run *run, struct smp_thread *t, void *(*fn)(void *))
{
	int err = pthread_create(&t->thread, NULL, fn, t);

	if (err)
		efd_fail(run, "pthread_create: %s", strerror(err));
	return !err;
}

/*
 * A reader still blocked after every writer finished, while the counter
 * is readable, missed a wakeup. Say so, then end it with a signal.
 */
static bool smp_finish_reader(struct efd_run *run, struct smp_thread *r)
{
	if (efd_join(run, r->thread, "reader")) {
		efd_note(run, "reader", "collected %#llx err=%s",
			 (unsigned long long)r->collected, r->err ? strerror(r->err) : "none");
		return true;
	}
	efd_poll_mask(run, r->fd);
	efd_note(run, "reader", "still blocked after %#llx", (unsigned long long)r->collected);
	pthread_kill(r->thread, SIGUSR2);
	return efd_join(run, r->thread, "interrupted reader");
}

/*
 * Writers pinned round-robin on two CPUs, optionally a blocking reader on
 * one of them. Thread state lives on the heap and is freed only when every
 * thread was joined: a thread that never ends must not write to freed memory.
 */
static void scn_smp_load(struct efd_run *run, const void *arg)
{
	const struct smp_load *load = arg;
	struct smp_thread *w, *r;
	int fd = efd_fd(run);
	uint64_t total = 0;
	unsigned int failures = 0;
	bool all_joined = true;
	int i, started = 0;

	w = calloc(load->writers + 1, sizeof(*w));
	if (!w) {
		efd_fail(run, "out of memory");
		return;
	}
	r = &w[load->writers];
	for (i = 0; i < load->writers; i++) {
		w[i] = (struct smp_thread){ .fd = fd, .cpu = smp_cpus[i % 2],
					    .writes = load->writes_each, .value = i % 3 + 1 };
		total += w[i].value * w[i].writes;
	}
	efd_note(run, "writers", "%d x %d writes, total %#llx", load->writers,
		 load->writes_each, (unsigned long long)total);
	*r = (struct smp_thread){ .fd = fd, .cpu = smp_cpus[1], .value = total };
	if (load->reader && !smp_spawn(run, r, smp_reader)) {
		free(w);
		return;
	}
	for (i = 0; i < load->writers && smp_spawn(run, &w[i], smp_writer); i++)
		started++;
	for (i = 0; i < started; i++) {
		all_joined &= efd_join(run, w[i].thread, "writer");
		failures += w[i].failures + !!w[i].err;
	}
	efd_note(run, "writers done", "failed writes %u", failures);
	if (load->reader)
		all_joined &= smp_finish_reader(run, r);
	efd_poll_mask(run, fd);
	expect_peek(run, fd, total - r->collected);
	report_write_paths(run, fd);
	fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK);
	efd_read(run, fd, 8);
	if (all_joined)
		free(w);
}

/*
 * Reach the ceiling with increments made on two CPUs, so that both may
 * still be pending per CPU when the limit is checked.
 */
static void scn_smp_ceiling(struct efd_run *run, const void *arg)
{
	int a = smp_cpus[0], b = smp_cpus[1];
	int fd = efd_fd(run);
	struct smp_thread *bulk;
	int i;

	(void)arg;
	write_on(run, fd, 1, b);
	write_on(run, fd, COUNT_MAX - 1, a);
	write_on(run, fd, 1, b);
	write_on(run, fd, 1, a);
	write_on(run, fd, 0, b);
	efd_poll_mask(run, fd);
	expect_peek(run, fd, COUNT_MAX);
	read_on(run, fd, a);

	for (i = 0; i < 2; i++) {
		bulk = calloc(1, sizeof(*bulk));
		if (!bulk) {
			efd_fail(run, "out of memory");
			return;
		}
		*bulk = (struct smp_thread){ .fd = fd, .cpu = smp_cpus[i], .writes = 50,
					     .value = 1 };
		if (!smp_spawn(run, bulk, smp_writer) || !efd_join(run, bulk->thread, "writer"))
			return;
		efd_note(run, "50 writes of 1", "on cpu%d: failed %u", bulk->cpu,
			 bulk->failures);
		free(bulk);
	}
	report_write_paths(run, fd);
	write_on(run, fd, COUNT_MAX - 100, b);
	write_on(run, fd, 1, a);
	efd_poll_mask(run, fd);
	expect_peek(run, fd, COUNT_MAX);
	read_on(run, fd, b);

	write_on(run, fd, 5, b);
	write_on(run, fd, COUNT_MAX - 4, a);
	write_on(run, fd, COUNT_MAX - 5, a);
	write_on(run, fd, 1, b);
	read_on(run, fd, a);

	write_on(run, fd, COUNT_MAX / 2, b);
	write_on(run, fd, COUNT_MAX / 2, a);
	write_on(run, fd, 1, b);
	efd_poll_mask(run, fd);
	read_on(run, fd, b);
}

/* Two writers from two CPUs blocked at the ceiling; one read lets both in. */
static void scn_smp_ceiling_blocking(struct efd_run *run, const void *arg)
{
	int a = smp_cpus[0], b = smp_cpus[1];
	int fd = efd_fd(run);

	(void)arg;
	write_on(run, fd, 3, b);
	write_on(run, fd, COUNT_MAX - 3, a);
	write_on(run, fd, 1, a);
	write_on(run, fd, 2, b);
	efd_poll_mask(run, fd);
	expect_peek(run, fd, COUNT_MAX);
	read_on(run, fd, b);
	expect_peek(run, fd, 3);
	read_on(run, fd, a);
}

/* Blocked calls on one CPU, woken from the other (both modes). */
static void scn_smp_wakeups(struct efd_run *run, const void *arg)
{
	int a = smp_cpus[0], b = smp_cpus[1];
	int fd = efd_fd(run);
	struct efd_call wait = { .op = EFD_OP_EPOLL_WAIT, .cpu = a };
	struct efd_call poll_in = { .op = EFD_OP_POLL, .fd = fd, .events = POLLIN, .cpu = a };
	int round;

	(void)arg;
	for (round = 0; round < 8; round++) {
		read_on(run, fd, round & 1 ? b : a);
		write_on(run, fd, round + 1, round & 1 ? a : b);
		efd_settle(run);
	}
	efd_start(run, &poll_in);
	write_on(run, fd, 1, b);
	efd_settle(run);
	read_on(run, fd, b);
	wait.fd = efd_epoll_add(run, fd, EPOLLIN);
	efd_start(run, &wait);
	write_on(run, fd, 2, b);
	efd_settle(run);
	write_on(run, fd, COUNT_MAX - 2, b);
	write_on(run, fd, 1, a);
	read_on(run, fd, b);
	efd_settle(run);
	read_on(run, fd, a);
}

/* Two semaphore readers on two CPUs; a write of 2 must wake both. */
static void scn_smp_semaphore_readers(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int round;

	(void)arg;
	for (round = 0; round < 4; round++) {
		read_on(run, fd, smp_cpus[0]);
		read_on(run, fd, smp_cpus[1]);
		write_on(run, fd, 2, smp_cpus[round & 1]);
		efd_settle(run);
	}
}

FIXTURE(smp) {
	char unused;
};

FACTORY_VARIANTS(smp);

FIXTURE_SETUP(smp)
{
	char why[256];
	int cpus[2];

	if (!efd_ohos_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	if (efd_online_cpus(cpus, 2) < 2)
		SKIP(return, "needs two CPUs this process may run on, has one");
	smp_cpus[0] = cpus[0];
	smp_cpus[1] = cpus[1];
	efd_set_factory(variant->factory);
}

FIXTURE_TEARDOWN(smp)
{
}

TEST_F_TIMEOUT(smp, concurrent_writers_sum, 300)
{
	const struct smp_load load = { .writers = 4, .writes_each = 10000 };

	EXPECT_SAME(&nonblock, scn_smp_load, &load);
}

TEST_F_TIMEOUT(smp, writers_and_blocking_reader, 300)
{
	const struct smp_load load = { .writers = 4, .writes_each = 5000, .reader = true };
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE };

	EXPECT_SAME(&blocking, scn_smp_load, &load);
	EXPECT_SAME(&sem, scn_smp_load, &load);
}

TEST_F_TIMEOUT(smp, ceiling_across_cpus, 120)
{
	EXPECT_SAME(&nonblock, scn_smp_ceiling, NULL);
}

TEST_F_TIMEOUT(smp, ceiling_across_cpus_blocking, 120)
{
	EXPECT_SAME(&blocking, scn_smp_ceiling_blocking, NULL);
}

TEST_F_TIMEOUT(smp, cross_cpu_wakeups, 120)
{
	EXPECT_SAME(&blocking, scn_smp_wakeups, NULL);
}

TEST_F_TIMEOUT(smp, semaphore_readers_on_two_cpus, 120)
{
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE };

	EXPECT_SAME(&sem, scn_smp_semaphore_readers, NULL);
}

TEST_F_TIMEOUT(smp, transition_mode_wakeups, 120)
{
	const struct efd_spec transition = { .transition = true };
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE, .transition = true };

	EXPECT_SAME(&transition, scn_smp_wakeups, NULL);
	EXPECT_SAME(&sem, scn_smp_semaphore_readers, NULL);
}

TEST_F_TIMEOUT(smp, transition_mode_conservation, 300)
{
	const struct smp_load load = { .writers = 4, .writes_each = 5000, .reader = true };
	const struct efd_spec transition = { .transition = true };
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE, .transition = true };

	EXPECT_SAME(&transition, scn_smp_load, &load);
	EXPECT_SAME(&sem, scn_smp_load, &load);
}

/* ---- main ------------------------------------------------------------- */

static void usage(const char *prog)
{
	printf("Usage: %s [harness options]\n"
	       "Compares native eventfd with counters of %s, made by open() and by\n"
	       "OHOS_EFD_IOC_CREATE, case by case (TAP output).\n"
	       "Cases skip when the device is missing (load ohos_eventfd.ko).\n"
	       "Environment:\n"
	       "  %s=1\n"
	       "      the \"ohos\" side is a native eventfd as well: checks the tests\n"
	       "      themselves on any machine; the ioctl and create cases skip\n"
	       "  %s=1\n"
	       "      print both traces of every comparison, not only of failures\n"
	       "Harness options follow.\n",
	       prog, OHOS_EVENTFD_DEVICE, EFD_ENV_NATIVE_AS_OHOS, EFD_ENV_TRACE);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--exec-probe"))
		return efd_exec_probe_main(argv[2]);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		char *help[] = { argv[0], "-h", NULL };

		usage(argv[0]);
		fflush(stdout);
		test_harness_run(2, help);
		return 0;
	}
	return test_harness_run(argc, argv);
}
