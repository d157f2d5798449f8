// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle: close() while another thread is blocked on the counter,
 * signals hitting blocked calls, fork + exit with inherited fds. Every
 * deterministic scenario runs on a native eventfd and on an ohos_eventfd
 * and the two traces must be equal; the racing ones (close at a random
 * moment, signal storms) cannot be compared step by step, so they check
 * invariants instead: every call ends, and no value is lost or invented.
 */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "rel.h"

#define TRACE_LINES	32
#define TRACE_LEN	160
/* Bound of every poll-like call a scenario starts, and of every settle. */
#define CALL_TIMEOUT_MS	10000
#define SETTLE_S	10
#define COUNT_MAX	0xfffffffffffffffeULL

typedef unsigned __int128 u128;

enum op { OP_READ, OP_WRITE, OP_POLL, OP_PPOLL, OP_SELECT, OP_EPOLL, OP_COUNT };

static const char *const op_name[OP_COUNT] = {
	"read", "write", "poll", "ppoll", "select", "epoll_wait",
};

static const long op_nr[OP_COUNT] = {
	SYS_read, SYS_write, SYS_poll, SYS_ppoll, SYS_select, SYS_epoll_wait,
};

struct trace {
	unsigned int n;
	char line[TRACE_LINES][TRACE_LEN];
};

/* One call running in its own thread; only that thread writes the results. */
struct async {
	enum op op;
	int fd;
	int epfd;
	uint64_t value;
	pthread_t thread;
	_Atomic pid_t tid;
	atomic_bool done;
	long ret;
	int err;
	unsigned int revents;
};

static struct {
	unsigned int iterations;
	unsigned int seconds;
	uint64_t seed;
	bool verbose;
} opt = { .iterations = 200, .seconds = 2, .seed = 1 };

static unsigned int failures;

static void rec(struct trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void rec(struct trace *t, const char *fmt, ...)
{
	va_list ap;

	if (t->n == TRACE_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(t->line[t->n++], TRACE_LEN, fmt, ap);
	va_end(ap);
}

/* The handler does nothing: what matters is that one runs (EINTR or restart). */
static void on_signal(int sig)
{
	(void)sig;
}

static void set_handler(bool restart)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = restart ? SA_RESTART : 0 };

	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * Counters live at fd numbers open() never hands out (it takes the lowest
 * free one), so that once closed the number stays free: a poll or select
 * that rescans it must find nothing there, not the /proc file the main
 * thread happens to be reading.
 */
#define HIGH_FD 512

static int make_counter(enum efd_kind kind, bool full)
{
	uint64_t v = COUNT_MAX;
	const struct efd_spec spec = { .flags = EFD_CLOEXEC };
	int low = efd_create(kind, &spec);
	int fd = low < 0 ? -1 : fcntl(low, F_DUPFD_CLOEXEC, HIGH_FD);

	if (low >= 0)
		close(low);
	if (fd < 0)
		rel_die("cannot create a %s counter", rel_kind_name[kind]);
	if (full && write(fd, &v, sizeof(v)) != sizeof(v))
		rel_die("filling the %s counter", rel_kind_name[kind]);
	return fd;
}

static int make_epoll(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		rel_die("epoll setup");
	return ep;
}

/* ---- calls in a thread -------------------------------------------------- */

static void *async_main(void *arg)
{
	struct async *a = arg;
	struct timespec ts = { .tv_sec = CALL_TIMEOUT_MS / 1000 };
	struct timeval tv = { .tv_sec = CALL_TIMEOUT_MS / 1000 };
	struct pollfd pfd = { .fd = a->fd, .events = POLLIN };
	struct epoll_event ev = { 0 };
	fd_set rfds;

	a->tid = gettid();
	switch (a->op) {
	case OP_READ:
		a->ret = syscall(SYS_read, a->fd, &a->value, sizeof(a->value));
		break;
	case OP_WRITE:
		a->ret = syscall(SYS_write, a->fd, &a->value, sizeof(a->value));
		break;
	case OP_POLL:
		a->ret = syscall(SYS_poll, &pfd, 1, CALL_TIMEOUT_MS);
		a->revents = pfd.revents;
		break;
	case OP_PPOLL:
		a->ret = syscall(SYS_ppoll, &pfd, 1, &ts, NULL, 8);
		a->revents = pfd.revents;
		break;
	case OP_SELECT:
		FD_ZERO(&rfds);
		FD_SET(a->fd, &rfds);
		a->ret = syscall(SYS_select, a->fd + 1, &rfds, NULL, NULL, &tv);
		a->revents = a->ret > 0 && FD_ISSET(a->fd, &rfds);
		break;
	case OP_EPOLL:
		a->ret = syscall(SYS_epoll_wait, a->epfd, &ev, 1, CALL_TIMEOUT_MS);
		a->revents = ev.events;
		break;
	case OP_COUNT:
		break;
	}
	a->err = a->ret < 0 ? errno : 0;
	atomic_store(&a->done, true);
	return NULL;
}

/* @wait_start: return only once the thread is about to make its call. */
static void async_start(struct async *a, enum op op, int fd, int epfd, uint64_t value,
			bool wait_start)
{
	int ret;

	*a = (struct async){ .op = op, .fd = fd, .epfd = epfd, .value = value };
	ret = pthread_create(&a->thread, NULL, async_main, a);
	if (ret) {
		errno = ret;
		rel_die("pthread_create");
	}
	while (wait_start && !a->tid)
		rel_sleep_ms(1);
}

static bool async_done(void *arg)
{
	struct async *a = arg;

	return atomic_load(&a->done);
}

/* Until the call returned, or sleeps in its system call. */
static const char *async_settle(struct async *a)
{
	static const char *const state[] = {
		[EFD_WAIT_DONE] = "returned",
		[EFD_WAIT_BLOCKED] = "blocked",
		[EFD_WAIT_STUCK] = "stuck",
	};

	return state[efd_wait_task(a->tid, op_nr[a->op], async_done, a, SETTLE_S)];
}

static void async_describe(const struct async *a, char *out, size_t len)
{
	if (!atomic_load(&a->done))
		snprintf(out, len, "blocked");
	else if (a->ret < 0)
		snprintf(out, len, "-1 %s", efd_errname(a->err));
	else if (a->op == OP_READ)
		snprintf(out, len, "%ld value %llu", a->ret, (unsigned long long)a->value);
	else if (a->op == OP_WRITE)
		snprintf(out, len, "%ld", a->ret);
	else if (a->op == OP_SELECT)
		snprintf(out, len, "%ld%s", a->ret, a->revents ? " readable" : "");
	else
		snprintf(out, len, "%ld events %#x", a->ret, a->revents);
}

static void rec_async(struct trace *t, struct async *a, const char *after)
{
	const char *state = async_settle(a);
	char out[96];

	async_describe(a, out, sizeof(out));
	rec(t, "%s: %s %s: %s", after, op_name[a->op], state, out);
}

/* Ends the call with signals if it is still blocked; false if it never returns. */
static bool async_finish(struct async *a)
{
	double deadline = rel_now() + SETTLE_S;

	while (!atomic_load(&a->done)) {
		if (rel_now() > deadline) {
			rel_fail("%s thread %d does not return", op_name[a->op], (int)a->tid);
			rel_dump_stacks(getpid());
			pthread_detach(a->thread);
			return false;
		}
		pthread_kill(a->thread, SIGUSR1);
		rel_sleep_ms(5);
	}
	pthread_join(a->thread, NULL);
	return true;
}

/* The value a pending read or write needs to return, done through @fd. */
static void resolve(struct trace *t, int fd, enum op op)
{
	uint64_t v = 5;
	ssize_t n;

	if (op == OP_WRITE)
		n = read(fd, &v, sizeof(v));
	else
		n = write(fd, &v, sizeof(v));
	rec(t, "%s(5) on the other fd: %zd %s", op == OP_WRITE ? "read" : "write", n,
	    n < 0 ? efd_errname(errno) : "");
}

static void rec_nowait_read(struct trace *t, int fd, const char *what)
{
	uint64_t v = 0;
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	ssize_t n = preadv2(fd, &iov, 1, -1, RWF_NOWAIT);

	rec(t, "%s: %zd %s value %llu", what, n, n < 0 ? efd_errname(errno) : "",
	    (unsigned long long)v);
}

/* ---- the deterministic scenarios, compared native vs ohos ---------------- */

struct close_arg {
	enum op op;
	bool keep_dup;
};

/*
 * close() the fd a thread is blocked on; with a dup left the counter lives
 * on and a write or read through the dup must end the call as eventfd's.
 */
static void scn_close_blocked(struct trace *t, enum efd_kind kind, const void *arg)
{
	const struct close_arg *ca = arg;
	int fd = make_counter(kind, ca->op == OP_WRITE);
	int ep = ca->op == OP_EPOLL ? make_epoll(fd) : -1;
	int d = ca->keep_dup ? dup(fd) : -1;
	struct async a;

	set_handler(false);
	async_start(&a, ca->op, fd, ep, 1, true);
	rec_async(t, &a, "start");
	close(fd);
	rec_async(t, &a, "close(fd)");
	if (d >= 0) {
		resolve(t, d, ca->op);
		rec_async(t, &a, "after that");
	}
	if (!atomic_load(&a.done)) {
		pthread_kill(a.thread, SIGUSR1);
		rec_async(t, &a, "SIGUSR1");
	}
	if (!async_finish(&a))
		rec(t, "never returned");
	if (d >= 0) {
		rec_nowait_read(t, d, "read of what is left via the dup");
		close(d);
	}
	if (ep >= 0)
		close(ep);
}

struct signal_arg {
	enum op op;
	bool restart;
};

/* A signal with a handler hits a blocked call, then the call is satisfied. */
static void scn_signal_blocked(struct trace *t, enum efd_kind kind, const void *arg)
{
	const struct signal_arg *sa = arg;
	int fd = make_counter(kind, sa->op == OP_WRITE);
	int ep = sa->op == OP_EPOLL ? make_epoll(fd) : -1;
	struct async a;

	set_handler(sa->restart);
	async_start(&a, sa->op, fd, ep, 1, true);
	rec_async(t, &a, "start");
	pthread_kill(a.thread, SIGUSR1);
	rec_async(t, &a, "SIGUSR1");
	resolve(t, fd, sa->op);
	rec_async(t, &a, "after that");
	if (!async_finish(&a))
		rec(t, "never returned");
	rec_nowait_read(t, fd, "read of what is left");
	close(fd);
	if (ep >= 0)
		close(ep);
}

static void rec_wait(struct trace *t, pid_t pid, int options, const char *what)
{
	int status = 0;
	pid_t got = waitpid(pid, &status, options);

	if (got != pid)
		rec(t, "%s: waitpid %s", what, efd_errname(errno));
	else if (WIFEXITED(status))
		rec(t, "%s: exited %d", what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		rec(t, "%s: killed by signal %d", what, WTERMSIG(status));
	else if (WIFSTOPPED(status))
		rec(t, "%s: stopped by signal %d", what, WSTOPSIG(status));
	else if (WIFCONTINUED(status))
		rec(t, "%s: continued", what);
}

static pid_t fork_or_die(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		rel_die("fork");
	return pid;
}

/* A child blocked in read is stopped and continued, then gets its value. */
static void scn_stop_cont(struct trace *t, enum efd_kind kind, const void *arg)
{
	int fd = make_counter(kind, false);
	uint64_t v = 7;
	pid_t pid;

	(void)arg;
	pid = fork_or_die();
	if (pid == 0)
		_exit(read(fd, &v, sizeof(v)) == sizeof(v) ? (int)v : 100 + errno);
	rec(t, "child blocks in read: %s",
	    efd_wait_in_syscall(pid, SYS_read, SETTLE_S) ? "yes" : "no");
	kill(pid, SIGSTOP);
	rec_wait(t, pid, WUNTRACED, "SIGSTOP");
	kill(pid, SIGCONT);
	rec_wait(t, pid, WCONTINUED, "SIGCONT");
	rec(t, "child blocks in read again: %s",
	    efd_wait_in_syscall(pid, SYS_read, SETTLE_S) ? "yes" : "no");
	v = 7;
	rec(t, "write(7): %zd", write(fd, &v, sizeof(v)));
	rec_wait(t, pid, 0, "child");
	close(fd);
}

/*
 * An epoll set in the parent watches a counter the parent then closes but
 * a child still holds: the registration lives as long as the file does.
 */
static void scn_fork_epoll(struct trace *t, enum efd_kind kind, const void *arg)
{
	int fd = make_counter(kind, false);
	int ep = make_epoll(fd);
	int go[2], ready[2];
	struct epoll_event ev;
	uint64_t v = 4;
	char c = 0;
	pid_t pid;

	(void)arg;
	if (pipe2(go, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		rel_die("pipe2");
	pid = fork_or_die();
	if (pid == 0) {
		/* Write once told, report, then exit once told again. */
		if (read(go[0], &c, 1) != 1 || write(fd, &v, sizeof(v)) != sizeof(v) ||
		    write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(fd);
	rec(t, "parent closed its fd; epoll_wait: %d", epoll_wait(ep, &ev, 1, 0));
	if (write(go[1], &c, 1) != 1 || read(ready[0], &c, 1) != 1)
		rel_die("talking to the child");
	ev.events = 0;
	rec(t, "child wrote 4; epoll_wait: %d events %#x", epoll_wait(ep, &ev, 1, 0), ev.events);
	ev.events = 0;
	rec(t, "again (level-triggered): %d events %#x", epoll_wait(ep, &ev, 1, 0), ev.events);
	if (write(go[1], &c, 1) != 1)
		rel_die("talking to the child");
	rec_wait(t, pid, 0, "child");
	rec(t, "after the child's exit, epoll_wait: %d", epoll_wait(ep, &ev, 1, 0));
	close(ep);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
}

/*
 * The last holders of a counter die while blocked in it: a child killed
 * in read after the parent closed its copy, and a child whose other thread
 * is blocked in read when the process exits.
 */
static _Atomic pid_t blocked_reader_tid;

static void *blocked_reader(void *arg)
{
	uint64_t v;

	blocked_reader_tid = gettid();
	if (read(*(int *)arg, &v, sizeof(v)) < 0)
		_exit(99);
	_exit(98);
}

static void scn_fork_exit_blocked(struct trace *t, enum efd_kind kind, const void *arg)
{
	int fd = make_counter(kind, false);
	pthread_t thread;
	uint64_t v = 1;
	pid_t pid;

	(void)arg;
	pid = fork_or_die();
	if (pid == 0)
		_exit(read(fd, &v, sizeof(v)) == sizeof(v) ? 0 : 1);
	rec(t, "child 1 blocks in read: %s",
	    efd_wait_in_syscall(pid, SYS_read, SETTLE_S) ? "yes" : "no");
	close(fd);
	kill(pid, SIGKILL);
	rec_wait(t, pid, 0, "child 1 after the parent's close and SIGKILL");

	fd = make_counter(kind, false);
	pid = fork_or_die();
	if (pid == 0) {
		if (pthread_create(&thread, NULL, blocked_reader, &fd))
			_exit(97);
		while (!blocked_reader_tid)
			rel_sleep_ms(1);
		_exit(efd_wait_in_syscall(blocked_reader_tid, SYS_read, SETTLE_S) ? 3 : 96);
	}
	rec_wait(t, pid, 0, "child 2, exiting while its thread blocks in read");
	rec(t, "write(1) in the parent: %zd", write(fd, &v, sizeof(v)));
	rec_nowait_read(t, fd, "read back");
	close(fd);
}

#define FORK_CHILDREN	32
#define FORK_COUNTERS	4

/*
 * Many children inherit several counters (one of them a semaphore) and
 * write to them; some die by SIGKILL while blocked reading a counter
 * nobody writes. The totals the parent reads at the end must match.
 */
static void scn_fork_many(struct trace *t, enum efd_kind kind, const void *arg)
{
	int fds[FORK_COUNTERS + 1], i, k, killed = 0;
	pid_t pids[FORK_CHILDREN];
	uint64_t v;

	(void)arg;
	for (k = 0; k < FORK_COUNTERS; k++) {
		const struct efd_spec spec = {
			.flags = EFD_CLOEXEC | EFD_NONBLOCK | (k ? 0 : EFD_SEMAPHORE),
		};

		fds[k] = efd_create(kind, &spec);
	}
	fds[FORK_COUNTERS] = make_counter(kind, false);
	for (i = 0; i < FORK_CHILDREN; i++) {
		pids[i] = fork_or_die();
		if (pids[i] == 0) {
			if (i % 4 == 3)
				_exit(read(fds[FORK_COUNTERS], &v, sizeof(v)) == sizeof(v) ? 0 : 1);
			for (k = 0; k < FORK_COUNTERS; k++) {
				v = (uint64_t)(i + 1) * (k + 1);
				if (write(fds[k], &v, sizeof(v)) != sizeof(v))
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < FORK_CHILDREN; i++) {
		if (i % 4 == 3) {
			killed += efd_wait_in_syscall(pids[i], SYS_read, SETTLE_S);
			kill(pids[i], SIGKILL);
		}
		rec_wait(t, pids[i], 0, i % 4 == 3 ? "blocked reader" : "writer");
	}
	rec(t, "%d blocked readers seen asleep before SIGKILL", killed);
	for (k = 0; k < FORK_COUNTERS; k++) {
		u128 total = 0;
		unsigned int reads = 0;

		while (read(fds[k], &v, sizeof(v)) == sizeof(v)) {
			total += v;
			reads++;
		}
		rec(t, "counter %d: %u reads, total %llu, then %s", k, reads,
		    (unsigned long long)total, efd_errname(errno));
	}
	for (k = 0; k <= FORK_COUNTERS; k++)
		close(fds[k]);
}

static bool same_trace(const struct trace *a, const struct trace *b)
{
	unsigned int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->line[i], b->line[i]))
			return false;
	return true;
}

static void diff(const char *name, void (*fn)(struct trace *, enum efd_kind, const void *),
		 const void *arg)
{
	static struct trace native, ohos;
	unsigned int i;

	memset(&native, 0, sizeof(native));
	memset(&ohos, 0, sizeof(ohos));
	fn(&native, EFD_NATIVE, arg);
	fn(&ohos, EFD_OHOS, arg);
	if (same_trace(&native, &ohos)) {
		rel_note("same on both: %s (%u steps)", name, native.n);
		for (i = 0; opt.verbose && i < native.n; i++)
			printf("#     %s\n", native.line[i]);
		return;
	}
	failures++;
	rel_fail("%s: ohos_eventfd differs from eventfd", name);
	for (i = 0; i < native.n || i < ohos.n; i++)
		printf("#   %c native: %-60s | ohos: %s\n",
		       i < native.n && i < ohos.n && !strcmp(native.line[i], ohos.line[i]) ? ' ' : '!',
		       i < native.n ? native.line[i] : "", i < ohos.n ? ohos.line[i] : "");
}

static void run_deterministic(void)
{
	static const enum op close_ops[] = { OP_READ, OP_WRITE, OP_POLL, OP_PPOLL, OP_SELECT,
					     OP_EPOLL };
	char name[96];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(close_ops); i++) {
		for (j = 0; j < 2; j++) {
			struct close_arg ca = { .op = close_ops[i], .keep_dup = j };

			snprintf(name, sizeof(name), "close while blocked in %s, %s",
				 op_name[ca.op], j ? "dup kept" : "last fd");
			diff(name, scn_close_blocked, &ca);
		}
		for (j = 0; j < 2; j++) {
			struct signal_arg sa = { .op = close_ops[i], .restart = j };

			snprintf(name, sizeof(name), "signal (%s) while blocked in %s",
				 j ? "SA_RESTART" : "no SA_RESTART", op_name[sa.op]);
			diff(name, scn_signal_blocked, &sa);
		}
	}
	diff("SIGSTOP/SIGCONT of a child blocked in read", scn_stop_cont, NULL);
	diff("epoll registration outlives the parent's close while a child holds the fd",
	     scn_fork_epoll, NULL);
	diff("last holders exit while blocked", scn_fork_exit_blocked, NULL);
	diff("32 children write to inherited counters, 8 killed while blocked", scn_fork_many,
	     NULL);
}

/* ---- racing scenarios: invariants only ----------------------------------- */

/*
 * close() at a random moment around a call's start, a dup kept; the value
 * written (or read) through the dup ends the call. Every call must end,
 * and what was written must be what was read plus what is left.
 */
static void close_race(enum efd_kind kind, enum op op, struct rel_rng *rng)
{
	/* How the call ended: EBADF (it started after the close), completed, EINTR. */
	unsigned int ebadf = 0, completed = 0, by_signal = 0, i;
	u128 in = 0, out = 0;

	set_handler(false);
	for (i = 0; i < opt.iterations; i++) {
		int fd = make_counter(kind, op == OP_WRITE);
		int ep = op == OP_EPOLL ? make_epoll(fd) : -1;
		int d = dup(fd);
		uint64_t v = 1 + rel_rng_below(rng, 1000);
		struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
		unsigned int spin = rel_rng_below(rng, 200000);
		bool signalled;
		struct async a;

		if (op == OP_WRITE)
			in += COUNT_MAX;
		/* Close at a random moment: before, around or after the call sleeps. */
		switch (rel_rng_below(rng, 3)) {
		case 0:
			async_start(&a, op, fd, ep, 1, false);
			break;
		case 1:
			async_start(&a, op, fd, ep, 1, true);
			break;
		default:
			async_start(&a, op, fd, ep, 1, true);
			efd_wait_in_syscall(a.tid, op_nr[op], SETTLE_S);
			break;
		}
		while (spin--)
			__asm__ __volatile__("" ::: "memory");
		close(fd);
		if (op == OP_WRITE) {
			/* Make room: the blocked write of 1 may then complete. */
			if (read(d, &v, sizeof(v)) == sizeof(v))
				out += v;
		} else if (write(d, &v, sizeof(v)) == sizeof(v)) {
			in += v;
		}
		signalled = !strcmp(async_settle(&a), "blocked");
		if (!async_finish(&a)) {
			failures++;
			return;
		}
		if (a.ret < 0 && a.err == EBADF)
			ebadf++;
		else if (signalled)
			by_signal++;
		else
			completed++;
		if (op == OP_READ && a.ret == sizeof(uint64_t))
			out += a.value;
		if (op == OP_WRITE && a.ret == sizeof(uint64_t))
			in += 1;
		if (preadv2(d, &iov, 1, -1, RWF_NOWAIT) == sizeof(v))
			out += v;
		close(d);
		if (ep >= 0)
			close(ep);
	}
	rel_note("%s: close race around %s x%u: %u EBADF (started after the close), "
		 "%u completed through the dup, %u ended by a signal", rel_kind_name[kind],
		 op_name[op], opt.iterations, ebadf, completed, by_signal);
	if (in != out) {
		failures++;
		rel_fail("%s: close race around %s: values in != values out", rel_kind_name[kind],
			 op_name[op]);
	}
}

struct storm {
	int fd;
	bool writers_block;
	atomic_bool stop;
	u128 in, out;
	unsigned long eintr;
	pthread_mutex_t lock;
};

/* Blocking reads (or writes at the ceiling) interrupted by signals. */
static void *storm_worker(void *arg)
{
	struct storm *s = arg;
	bool writer = s->writers_block;
	uint64_t v = COUNT_MAX / 3;
	u128 sum = 0;
	unsigned long eintr = 0;

	while (!atomic_load(&s->stop)) {
		ssize_t n = writer ? write(s->fd, &v, sizeof(v)) : read(s->fd, &v, sizeof(v));

		if (n == sizeof(v))
			sum += v;
		else if (errno == EINTR)
			eintr++;
		else
			rel_die("storm %s", writer ? "write" : "read");
		v = COUNT_MAX / 3;
	}
	pthread_mutex_lock(&s->lock);
	if (writer)
		s->in += sum;
	else
		s->out += sum;
	s->eintr += eintr;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

#define STORM_THREADS 4

/*
 * Four threads block (reading an empty counter, or writing a full one)
 * while the main thread feeds them slowly and a stream of signals without
 * SA_RESTART interrupts them: a call either completes or fails with EINTR
 * having changed nothing.
 */
static void signal_storm(enum efd_kind kind, bool writers_block, struct rel_rng *rng)
{
	struct storm s = { .writers_block = writers_block, .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t threads[STORM_THREADS];
	struct iovec iov;
	double end = rel_now() + opt.seconds;
	unsigned long sent = 0;
	uint64_t v;
	int i;

	set_handler(false);
	s.fd = make_counter(kind, false);
	for (i = 0; i < STORM_THREADS; i++)
		if (pthread_create(&threads[i], NULL, storm_worker, &s))
			rel_die("pthread_create");
	while (rel_now() < end) {
		if (rel_rng_below(rng, 4) == 0) {
			/* Feed: a value for the readers, or room for the writers. */
			if (writers_block) {
				if (read(s.fd, &v, sizeof(v)) == sizeof(v))
					s.out += v;
			} else {
				v = 1 + rel_rng_below(rng, 100);
				if (write(s.fd, &v, sizeof(v)) == sizeof(v))
					s.in += v;
			}
		}
		pthread_kill(threads[rel_rng_below(rng, STORM_THREADS)], SIGUSR1);
		sent++;
		rel_sleep_ms(rel_rng_below(rng, 2));
	}
	atomic_store(&s.stop, true);
	for (i = 0; i < STORM_THREADS; i++) {
		double deadline = rel_now() + SETTLE_S;

		while (pthread_tryjoin_np(threads[i], NULL)) {
			if (rel_now() > deadline) {
				rel_fail("signal storm: a thread does not finish");
				rel_dump_stacks(getpid());
				exit(1);
			}
			pthread_kill(threads[i], SIGUSR1);
			rel_sleep_ms(2);
		}
	}
	iov = (struct iovec){ .iov_base = &v, .iov_len = sizeof(v) };
	while (preadv2(s.fd, &iov, 1, -1, RWF_NOWAIT) == sizeof(v))
		s.out += v;
	close(s.fd);
	rel_note("%s: signal storm on blocked %s: %lu signals, %lu EINTR", rel_kind_name[kind],
		 writers_block ? "writes" : "reads", sent, s.eintr);
	if (s.in != s.out) {
		failures++;
		rel_fail("%s: signal storm on blocked %s: values in != values out",
			 rel_kind_name[kind], writers_block ? "writes" : "reads");
	}
}

static void run_races(void)
{
	struct rel_rng rng;
	int kind, op;

	for (kind = EFD_NATIVE; kind <= EFD_OHOS; kind++) {
		rel_rng_seed(&rng, opt.seed);
		for (op = 0; op < OP_COUNT; op++)
			close_race(kind, op, &rng);
		signal_storm(kind, false, &rng);
		signal_storm(kind, true, &rng);
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--iterations N] [--seconds S] [--seed N] [--verbose] [--create]\n"
		"close() while blocked, signals on blocked calls, fork + exit with\n"
		"inherited fds: deterministic scenarios compared between eventfd and\n"
		"ohos_eventfd, then races (N close races per call, S-second signal\n"
		"storms) checked for lost or invented values. --verbose prints every\n"
		"trace, not only those that differ. --create makes the ohos_eventfd\n"
		"counters with OHOS_EFD_IOC_CREATE instead of open() + CONFIGURE.\n"
		"Exit: 0 pass, 1 fail, 2 setup error.\n", rel_prog);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'i' },
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'x' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "create", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	rel_init(argv[0]);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': opt.iterations = rel_parse_num("--iterations", optarg); break;
		case 's': opt.seconds = rel_parse_num("--seconds", optarg); break;
		case 'x': opt.seed = rel_parse_num("--seed", optarg); break;
		case 'v': opt.verbose = true; break;
		case 'C': efd_set_factory(EFD_FACTORY_CREATE_REUSE); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	run_deterministic();
	run_races();
	rel_note("%u failures", failures);
	return failures ? 1 : 0;
}
