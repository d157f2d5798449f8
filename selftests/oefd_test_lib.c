// SPDX-License-Identifier: GPL-2.0
/*
 * The test-support library: see oefd_test_lib.h. In the differential
 * framework only the main thread of a test records steps; helper threads
 * touch nothing but their own struct efd_async.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <linux/ohos_eventfd.h>

#include "oefd_test_lib.h"

#define EFD_MAX_STEPS		192
#define EFD_OP_LEN		96
#define EFD_OUT_LEN		120
#define EFD_MAX_PENDING		8
#define EFD_MAX_OWNED		16
#define EFD_MAX_NAMES		8
/* Consecutive samples, 1 ms apart, that must all show the task asleep. */
#define EFD_BLOCKED_SAMPLES	3
#define EFD_GUARD_BYTE		0xa5

struct efd_step {
	char op[EFD_OP_LEN];
	char out[EFD_OUT_LEN];
};

struct efd_trace {
	unsigned int n;
	bool truncated;
	struct efd_step step[EFD_MAX_STEPS];
};

enum efd_async_state { EFD_ASYNC_STARTING, EFD_ASYNC_IN_CALL, EFD_ASYNC_DONE };

struct efd_async {
	struct efd_call call;
	char label[EFD_OP_LEN];
	pthread_t thread;
	atomic_int tid;
	atomic_int state;
	ssize_t ret;
	int err;
	short revents;
	int nevents;
	struct epoll_event events[4];
	unsigned char buf[EFD_BUF_LEN];
};

struct efd_fd_name {
	int fd;
	char name[16];
};

struct efd_run {
	enum efd_kind kind;
	int fd;
	unsigned int errors;
	struct efd_trace trace;
	struct efd_async *pending[EFD_MAX_PENDING];
	int npending;
	int owned[EFD_MAX_OWNED];
	int nowned;
	struct efd_fd_name names[EFD_MAX_NAMES];
	int nnames;
};

static const char *efd_fd_label(const struct efd_run *run, int fd);

static atomic_int efd_signals_handled;

static enum efd_factory efd_ohos_factory = EFD_FACTORY_OPEN;

/* The device fd EFD_FACTORY_CREATE_REUSE keeps, or -1. */
static int efd_factory_dev = -1;

const struct efd_spec efd_blocking = { 0 };
const struct efd_spec efd_nonblock = { .flags = EFD_NONBLOCK };

static const char *efd_kind_name(enum efd_kind kind)
{
	if (kind == EFD_NATIVE)
		return "native";
	return efd_ohos_factory == EFD_FACTORY_OPEN ? "ohos/open" : "ohos/create";
}

/* ---- environment ------------------------------------------------------ */

static bool efd_env_set(const char *name)
{
	const char *v = getenv(name);

	return v && strcmp(v, "1") == 0;
}

bool efd_native_as_ohos(void)
{
	return efd_env_set(EFD_ENV_NATIVE_AS_OHOS);
}

bool efd_ohos_available(char *why, size_t len)
{
	if (efd_native_as_ohos())
		return true;
	if (access(OHOS_EVENTFD_DEVICE, F_OK) == 0)
		return true;
	snprintf(why, len, "%s: %s (load ohos_eventfd.ko; %s=1 runs native against native)",
		 OHOS_EVENTFD_DEVICE, strerror(errno), EFD_ENV_NATIVE_AS_OHOS);
	return false;
}

void efd_set_factory(enum efd_factory factory)
{
	efd_ohos_factory = factory;
}

/* Close the device fd EFD_FACTORY_CREATE_REUSE keeps: it holds the module. */
void efd_close_factory(void)
{
	if (efd_factory_dev >= 0)
		close(efd_factory_dev);
	efd_factory_dev = -1;
}

/*
 * eventfd2()'s flags in the kernel's bits: swap EFD_NONBLOCK with
 * OHOS_EFD_NONBLOCK and EFD_CLOEXEC with OHOS_EFD_CLOEXEC, keep every other
 * bit. A permutation, so each flag word eventfd2() refuses stays one the
 * module must refuse: a bit unknown to eventfd2() is unknown to the module.
 */
uint32_t efd_ohos_flags(int flags)
{
	static const struct {
		uint32_t efd, ohos;
	} swap[] = {
		{ EFD_NONBLOCK, OHOS_EFD_NONBLOCK },
		{ EFD_CLOEXEC, OHOS_EFD_CLOEXEC },
	};
	uint32_t in = (uint32_t)flags, out = in;
	size_t i;

	for (i = 0; i < sizeof(swap) / sizeof(swap[0]); i++) {
		out &= ~(swap[i].efd | swap[i].ohos);
		out |= (in & swap[i].efd ? swap[i].ohos : 0) |
		       (in & swap[i].ohos ? swap[i].efd : 0);
	}
	return out;
}

static int efd_create_by_open(const struct efd_spec *spec)
{
	struct ohos_efd_config cfg = {
		.flags = efd_ohos_flags(spec->flags & ~(EFD_NONBLOCK | EFD_CLOEXEC)),
		.initval = spec->initval,
	};
	int fd, err;

	fd = open(OHOS_EVENTFD_DEVICE,
		  O_RDWR | (spec->flags & (EFD_NONBLOCK | EFD_CLOEXEC)));
	if (fd < 0)
		return -1;
	if ((cfg.initval || cfg.flags) &&
	    ioctl(fd, OHOS_EFD_IOC_CONFIGURE, &cfg)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/*
 * eventfd2()'s arguments, the flags in the kernel's bits. EFD_FACTORY_CREATE
 * closes the device fd at once, so that every case also checks that a
 * counter outlives the fd that made it.
 */
static int efd_create_by_ioctl(const struct efd_spec *spec)
{
	struct ohos_efd_config cfg = {
		.flags = efd_ohos_flags(spec->flags),
		.initval = spec->initval,
	};
	bool reuse = efd_ohos_factory == EFD_FACTORY_CREATE_REUSE;
	int dev, fd, err;

	dev = reuse ? efd_factory_dev : -1;
	if (dev < 0)
		dev = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -1;
	if (reuse)
		efd_factory_dev = dev;
	fd = ioctl(dev, OHOS_EFD_IOC_CREATE, &cfg);
	if (!reuse) {
		err = errno;
		close(dev);
		errno = err;
	}
	return fd;
}

static int efd_create_ohos(const struct efd_spec *spec)
{
	__u32 mode = OHOS_EFD_MODE_TRANSITION;
	int fd, err;

	if (efd_ohos_factory == EFD_FACTORY_OPEN)
		fd = efd_create_by_open(spec);
	else
		fd = efd_create_by_ioctl(spec);
	if (fd < 0 || !spec->transition)
		return fd;
	if (ioctl(fd, OHOS_EFD_IOC_SET_MODE, &mode) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* A new counter as @spec says, or -1 with errno set. */
int efd_create(enum efd_kind kind, const struct efd_spec *spec)
{
	if (kind == EFD_NATIVE || efd_native_as_ohos())
		return eventfd(spec->initval, spec->flags);
	return efd_create_ohos(spec);
}

/* Fill @cpus with the CPUs this thread may run on; return how many. */
int efd_online_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

/* Move the calling thread to @cpu; sched_setaffinity() migrates before returning. */
int efd_pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	if (sched_getcpu() != cpu) {
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

/* ---- the ohos ioctls -------------------------------------------------- */

bool efd_peek(int fd, uint64_t *count)
{
	return ioctl(fd, OHOS_EFD_IOC_PEEK, count) == 0;
}

/* @cmd with @size in its size bits: how a caller with another struct asks. */
unsigned long efd_ioc_sized(unsigned long cmd, size_t size)
{
	return (cmd & ~EFD_IOC_SIZE_BITS) | _IOC(0, 0, 0, size);
}

/* One past the largest struct size the module takes: a page. */
size_t efd_above_page(void)
{
	return sysconf(_SC_PAGESIZE) + 1;
}

ssize_t efd_write_value(int fd, uint64_t value)
{
	return write(fd, &value, sizeof(value));
}

/* The value read, or UINT64_MAX when the read failed. */
uint64_t efd_read_value(int fd)
{
	uint64_t v = 0;

	return read(fd, &v, sizeof(v)) == sizeof(v) ? v : UINT64_MAX;
}

/* ---- time, /proc probes and waiting ----------------------------------- */

static struct timespec efd_deadline(unsigned int limit_s)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += limit_s;
	return t;
}

static bool efd_past(const struct timespec *deadline)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec > deadline->tv_sec ||
	       (t.tv_sec == deadline->tv_sec && t.tv_nsec >= deadline->tv_nsec);
}

static void efd_nap(void)
{
	const struct timespec ms = { .tv_nsec = 1000 * 1000 };

	nanosleep(&ms, NULL);
}

/*
 * Write @text to a sysfs, procfs, cgroup or tracefs file, truncating it as
 * the shell's > does (tracefs's trace: emptied); -1 with errno.
 */
int efd_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Read a small text file into @buf, NUL-terminated; -1 with errno. */
int efd_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * True when task @tid (a thread of any process) sleeps interruptibly
 * inside system call @nr, or inside any when @nr is EFD_ANY_SYSCALL: state
 * 'S' in /proc/<tid>/stat and the number in /proc/<tid>/syscall (which
 * says "running" or "-1 ..." outside one). Where /proc/<tid>/syscall
 * cannot be read (no CONFIG_HAVE_ARCH_TRACEHOOK, ptrace restrictions) the
 * state alone answers "any", and nothing answers a given @nr.
 */
bool efd_task_in_syscall(pid_t tid, long nr)
{
	char path[64], buf[512];
	const char *p;
	long cur;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	if (efd_read_file(path, buf, sizeof(buf)))
		return false;
	p = strrchr(buf, ')');		/* comm may contain spaces */
	if (!p || p[1] != ' ' || p[2] != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/syscall", tid);
	if (efd_read_file(path, buf, sizeof(buf)))
		return nr == EFD_ANY_SYSCALL;
	if (sscanf(buf, "%ld", &cur) != 1)
		return false;
	return nr == EFD_ANY_SYSCALL ? cur >= 0 : cur == nr;
}

/*
 * Wait until @done(@arg) says the task finished (@done may be NULL) or the
 * task is seen asleep in system call @nr (efd_task_in_syscall())
 * EFD_BLOCKED_SAMPLES times in a row; give up after @limit_s seconds (a
 * task that neither returns nor sleeps).
 */
enum efd_wait_result efd_wait_task(pid_t tid, long nr, bool (*done)(void *), void *arg,
				   unsigned int limit_s)
{
	struct timespec deadline = efd_deadline(limit_s);
	int asleep = 0;

	for (;;) {
		if (done && done(arg))
			return EFD_WAIT_DONE;
		if (tid > 0 && efd_task_in_syscall(tid, nr))
			asleep++;
		else
			asleep = 0;
		if (asleep == EFD_BLOCKED_SAMPLES)
			return done && done(arg) ? EFD_WAIT_DONE : EFD_WAIT_BLOCKED;
		if (efd_past(&deadline))
			return EFD_WAIT_STUCK;
		efd_nap();
	}
}

/* Does task @tid settle asleep in system call @nr within @limit_s seconds? */
bool efd_wait_in_syscall(pid_t tid, long nr, unsigned int limit_s)
{
	return efd_wait_task(tid, nr, NULL, NULL, limit_s) == EFD_WAIT_BLOCKED;
}

/*
 * The number of the line "@key: N" of /proc/self/fdinfo/<fd>, in @base;
 * -1 with errno set, ENODATA when there is no such line or number.
 */
int efd_fdinfo_number(int fd, const char *key, int base, unsigned long long *value)
{
	char path[64], buf[4096], *line, *end;
	size_t len = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (efd_read_file(path, buf, sizeof(buf)))
		return -1;
	for (line = buf; (line = strstr(line, key)); line++)
		if ((line == buf || line[-1] == '\n') && line[len] == ':')
			break;
	if (line) {
		errno = 0;
		*value = strtoull(line + len + 1, &end, base);
	}
	if (!line || end == line + len + 1 || errno) {
		errno = ENODATA;
		return -1;
	}
	return 0;
}

/* The counter's value as fdinfo shows it (both kinds print it alike, in hex). */
int efd_fdinfo_count(int fd, uint64_t *count)
{
	unsigned long long v;

	if (efd_fdinfo_number(fd, "eventfd-count", 16, &v))
		return -1;
	*count = v;
	return 0;
}

/* fdinfo's ohos_eventfd-rings: the CPUs with a ring on @fd's counter. */
int efd_fdinfo_rings(int fd, unsigned int *rings)
{
	unsigned long long v;

	if (efd_fdinfo_number(fd, "ohos_eventfd-rings", 10, &v))
		return -1;
	*rings = (unsigned int)v;
	return 0;
}

/* ---- rings ------------------------------------------------------------ */

/* How long efd_give_rings() keeps its writers contending, and on how many CPUs at most. */
#define EFD_RINGS_TIMEOUT_S	60
#define EFD_MAX_CPUS		8
/* Epoll sets watching the counter meanwhile: each makes a wakeup longer. */
#define EFD_RINGS_WATCHERS	64

struct efd_contender {
	pthread_t thread;
	int fd;
	int cpu;
	int collect_ep;		/* holder: an epoll set it collects from; writer: -1 */
	atomic_bool *stop;
};

/*
 * A writer adds 0 (the count stays) in a loop. A holder adds 0 too, which
 * wakes every watcher with the counter's lock held, then collects one
 * watcher's event, so that its next write wakes them all again (the first
 * write after a collection wakes; the others are coalesced).
 */
static void *efd_contend(void *arg)
{
	struct efd_contender *c = arg;
	const uint64_t zero = 0;
	struct epoll_event ev;

	if (efd_pin_self(c->cpu))
		return NULL;
	while (!atomic_load(c->stop)) {
		if (write(c->fd, &zero, sizeof(zero)) != sizeof(zero))
			break;
		if (c->collect_ep >= 0)
			epoll_wait(c->collect_ep, &ev, 1, 0);
	}
	return NULL;
}

static bool efd_has_rings(int fd, int ncpus)
{
	unsigned int rings;

	return !efd_fdinfo_rings(fd, &rings) && rings >= (unsigned int)ncpus;
}

/* Run the writers and holders on @cpus until @fd has @ncpus rings. */
static int efd_contend_until_rings(int fd, const int *cpus, int ncpus, int collect_ep)
{
	struct efd_contender c[2 * EFD_MAX_CPUS];
	time_t deadline = time(NULL) + EFD_RINGS_TIMEOUT_S;
	atomic_bool stop = false;
	int i, started = 0;

	for (i = 0; i < 2 * ncpus; i++) {
		c[i] = (struct efd_contender){ .fd = fd, .cpu = cpus[(i / 2 + i % 2) % ncpus],
					       .collect_ep = i % 2 ? collect_ep : -1,
					       .stop = &stop };
		if (pthread_create(&c[i].thread, NULL, efd_contend, &c[i]))
			break;
		started++;
	}
	while (started == 2 * ncpus && !efd_has_rings(fd, ncpus) && time(NULL) < deadline)
		usleep(10000);
	atomic_store(&stop, true);
	for (i = 0; i < started; i++)
		pthread_join(c[i].thread, NULL);
	if (efd_has_rings(fd, ncpus))
		return 0;
	errno = started < 2 * ncpus ? EAGAIN : ETIMEDOUT;
	return -1;
}

/*
 * The first @max online CPUs, from /sys/devices/system/cpu/online ("0-1",
 * "0,2-3"): the caller may be pinned to one of them. Returns how many.
 */
int efd_first_online_cpus(int *cpus, int max)
{
	char buf[256], *p;
	int n = 0;

	if (efd_read_file("/sys/devices/system/cpu/online", buf, sizeof(buf)))
		return 0;
	for (p = buf; *p && n < max;) {
		char *end;
		long first = strtol(p, &end, 10), last = first;

		if (end == p)
			break;
		if (*end == '-')
			last = strtol(end + 1, &end, 10);
		for (; first <= last && n < max; first++)
			cpus[n++] = (int)first;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/*
 * Give @fd's counter a ring on each of the first @ncpus online CPUs (the
 * caller's own affinity does not matter), the way the module hands them out: to writers that find the
 * counter's lock held. On each CPU a thread writes 0 while a thread on the
 * next one holds the lock in long wakeups (of EFD_RINGS_WATCHERS epoll
 * sets, closed afterwards), until fdinfo shows @ncpus rings. The count is
 * unchanged; the writes of 0 count as writes (CONFIGURE refuses then).
 * Needs coalesced wakeups (the module's default: with coalesce=0 no write
 * under a watcher may take a ring). Nothing to do for a native eventfd. -1 with errno set on failure
 * (ETIMEDOUT: no ring within EFD_RINGS_TIMEOUT_S).
 */
int efd_give_rings(int fd, int ncpus)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int cpus[EFD_MAX_CPUS], ep[EFD_RINGS_WATCHERS], i, n, ret = -1, err;

	if (efd_native_as_ohos())
		return 0;
	if (ncpus > EFD_MAX_CPUS || efd_first_online_cpus(cpus, ncpus) < ncpus) {
		errno = EINVAL;
		return -1;
	}
	for (n = 0; n < EFD_RINGS_WATCHERS; n++) {
		ep[n] = epoll_create1(EPOLL_CLOEXEC);
		if (ep[n] < 0 || epoll_ctl(ep[n], EPOLL_CTL_ADD, fd, &ev)) {
			if (ep[n] >= 0)
				close(ep[n]);
			goto out;
		}
	}
	ret = efd_contend_until_rings(fd, cpus, ncpus, ep[0]);
out:
	err = errno;
	for (i = 0; i < n; i++)
		close(ep[i]);
	errno = err;
	return ret;
}

/* ---- recording -------------------------------------------------------- */

/* The symbolic name of an errno value ("EAGAIN"), "0" for 0. */
const char *efd_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

static void efd_vrecord(struct efd_run *run, const char *op, const char *fmt, va_list ap)
{
	struct efd_trace *t = &run->trace;
	struct efd_step *s;

	if (t->n == EFD_MAX_STEPS) {
		t->truncated = true;
		return;
	}
	s = &t->step[t->n++];
	snprintf(s->op, sizeof(s->op), "%s", op);
	vsnprintf(s->out, sizeof(s->out), fmt, ap);
}

void efd_note(struct efd_run *run, const char *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	efd_vrecord(run, op, fmt, ap);
	va_end(ap);
}

/* Record a system call's result; call it right after the call, errno intact. */
void efd_ret(struct efd_run *run, const char *op, long ret)
{
	int err = errno;

	if (ret < 0)
		efd_note(run, op, "-1 %s", efd_errname(err));
	else
		efd_note(run, op, "ret=%ld", ret);
}

static void efd_vcomplain(struct efd_run *run, const char *fmt, va_list ap)
{
	fprintf(stderr, "# [%s] ", efd_kind_name(run->kind));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	run->errors++;
}

/* A diagnostic line about this run; it neither fails nor enters the trace. */
void efd_info(struct efd_run *run, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "# [%s] ", efd_kind_name(run->kind));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A check outside the trace (e.g. ohos-only state): fails the comparison. */
void efd_expect(struct efd_run *run, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	va_start(ap, fmt);
	efd_vcomplain(run, fmt, ap);
	va_end(ap);
}

/* The test itself could not do what it meant to (a thread, a fork...). */
void efd_fail(struct efd_run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	efd_vcomplain(run, fmt, ap);
	va_end(ap);
}

/* ---- masks ------------------------------------------------------------ */

static void efd_format_mask(char *out, size_t len, unsigned int mask)
{
	static const struct { unsigned int bit; const char *name; } bits[] = {
		{ EPOLLIN, "IN" }, { EPOLLPRI, "PRI" }, { EPOLLOUT, "OUT" },
		{ EPOLLERR, "ERR" }, { EPOLLHUP, "HUP" }, { POLLNVAL, "NVAL" },
		{ EPOLLRDNORM, "RDNORM" }, { EPOLLRDBAND, "RDBAND" },
		{ EPOLLWRNORM, "WRNORM" }, { EPOLLWRBAND, "WRBAND" },
		{ EPOLLMSG, "MSG" }, { EPOLLRDHUP, "RDHUP" },
		{ EPOLLEXCLUSIVE, "EXCLUSIVE" }, { EPOLLWAKEUP, "WAKEUP" },
		{ EPOLLONESHOT, "ONESHOT" }, { EPOLLET, "ET" },
	};
	size_t used = 0, i;

	out[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (!(mask & bits[i].bit))
			continue;
		mask &= ~bits[i].bit;
		used += snprintf(out + used, used < len ? len - used : 0, "%s%s",
				 used ? "|" : "", bits[i].name);
	}
	if (mask || !used)
		snprintf(out + used, used < len ? len - used : 0, "%s%#x",
			 used ? "|" : "", mask);
}

#define EFD_POLL_ALL (POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | \
		      POLLWRNORM | POLLWRBAND | POLLRDHUP)

void efd_poll_mask(struct efd_run *run, int fd)
{
	struct pollfd pfd = { .fd = fd, .events = EFD_POLL_ALL };
	char mask[64];
	int ret;

	ret = poll(&pfd, 1, 0);
	if (ret < 0) {
		efd_ret(run, "poll(all, 0)", ret);
		return;
	}
	efd_format_mask(mask, sizeof(mask), (unsigned short)pfd.revents);
	efd_note(run, "poll(all, 0)", "ret=%d revents=%s", ret, mask);
}

void efd_select_mask(struct efd_run *run, int fd)
{
	struct timeval zero = { 0 };
	fd_set r, w, x;
	int ret;

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_ZERO(&x);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	FD_SET(fd, &x);
	ret = select(fd + 1, &r, &w, &x, &zero);
	if (ret < 0) {
		efd_ret(run, "select(rwx, 0)", ret);
		return;
	}
	efd_note(run, "select(rwx, 0)", "ret=%d r=%d w=%d x=%d", ret,
		 !!FD_ISSET(fd, &r), !!FD_ISSET(fd, &w), !!FD_ISSET(fd, &x));
}

static void efd_own(struct efd_run *run, int fd)
{
	if (run->nowned == EFD_MAX_OWNED) {
		efd_fail(run, "more than %d fds to close", EFD_MAX_OWNED);
		return;
	}
	run->owned[run->nowned++] = fd;
}

/* Close @fd at the end of the run and call it @name in step labels. */
void efd_adopt(struct efd_run *run, int fd, const char *name)
{
	efd_own(run, fd);
	efd_name_fd(run, fd, name);
}

/* dup(@fd), named @name; records whether it worked, never the number. */
int efd_dup(struct efd_run *run, int fd, const char *name)
{
	char op[EFD_OP_LEN];
	int d;

	d = dup(fd);
	snprintf(op, sizeof(op), "%s = dup(%s)", name, efd_fd_label(run, fd));
	efd_ret(run, op, d < 0 ? -1 : 0);
	if (d >= 0)
		efd_adopt(run, d, name);
	return d;
}

/* close(@fd) now, recorded; its number may then be reused. */
void efd_close(struct efd_run *run, int fd)
{
	char op[EFD_OP_LEN];
	int i;

	snprintf(op, sizeof(op), "close(%s)", efd_fd_label(run, fd));
	efd_ret(run, op, close(fd));
	if (run->npending)
		efd_settle(run);
	for (i = 0; i < run->nowned; i++)
		if (run->owned[i] == fd)
			run->owned[i] = run->owned[--run->nowned];
	for (i = 0; i < run->nnames; i++)
		if (run->names[i].fd == fd)
			run->names[i].fd = -1;
}

/* pthread_join(), bounded; a thread that does not end is detached and reported. */
bool efd_join(struct efd_run *run, pthread_t thread, const char *what)
{
	struct timespec deadline;
	int err;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += EFD_WAIT_LIMIT_S;
	err = pthread_timedjoin_np(thread, NULL, &deadline);
	if (!err)
		return true;
	efd_fail(run, "%s did not finish within %d s: %s", what, EFD_WAIT_LIMIT_S, strerror(err));
	return false;
}

/* A new epoll instance watching @fd for @events; returns it, or -1. */
int efd_epoll_add(struct efd_run *run, int fd, unsigned int events)
{
	struct epoll_event ev = { .events = events, .data.u64 = 0x5eed };
	char op[EFD_OP_LEN], mask[64];
	int epfd;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		efd_fail(run, "epoll_create1: %s", strerror(errno));
		return -1;
	}
	efd_adopt(run, epfd, "ep");
	efd_format_mask(mask, sizeof(mask), events);
	snprintf(op, sizeof(op), "epoll_ctl(ADD, %s)", mask);
	efd_ret(run, op, epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev));
	return epfd;
}

static void efd_format_events(char *out, size_t len, const struct epoll_event *ev, int n)
{
	size_t used = 0;
	char mask[64];
	int i;

	out[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		efd_format_mask(mask, sizeof(mask), ev[i].events);
		used += snprintf(out + used, len - used, "%s%s%s", i ? "," : "", mask,
				 ev[i].data.u64 == 0x5eed ? "" : "(bad data)");
	}
}

/* epoll_wait(timeout 0): how many events, and which. */
void efd_epoll_check(struct efd_run *run, int epfd)
{
	struct epoll_event ev[4];
	char events[96];
	int n;

	n = epoll_wait(epfd, ev, 4, 0);
	if (n < 0) {
		efd_ret(run, "epoll_wait(0)", n);
		return;
	}
	efd_format_events(events, sizeof(events), ev, n);
	efd_note(run, "epoll_wait(0)", "n=%d %s", n, events);
}

/* ---- steps run in a helper thread ------------------------------------- */

int efd_fd(const struct efd_run *run)
{
	return run->fd;
}

enum efd_kind efd_run_kind(const struct efd_run *run)
{
	return run->kind;
}

void efd_name_fd(struct efd_run *run, int fd, const char *name)
{
	struct efd_fd_name *n;

	if (run->nnames == EFD_MAX_NAMES) {
		efd_fail(run, "more than %d named fds", EFD_MAX_NAMES);
		return;
	}
	n = &run->names[run->nnames++];
	n->fd = fd;
	snprintf(n->name, sizeof(n->name), "%s", name);
}

/* Labels name the fd, never its number: numbers may differ between runs. */
static const char *efd_fd_label(const struct efd_run *run, int fd)
{
	int i;

	for (i = run->nnames - 1; i >= 0; i--)
		if (run->names[i].fd == fd)
			return run->names[i].name;
	return "?";
}

static void efd_call_label(const struct efd_run *run, const struct efd_call *c,
			   char *out, size_t len)
{
	const char *fd = efd_fd_label(run, c->fd);
	char cpu[16] = "";
	char ev[64];

	if (c->cpu >= 0)
		snprintf(cpu, sizeof(cpu), "@cpu%d", c->cpu);
	switch (c->op) {
	case EFD_OP_READ:
		snprintf(out, len, "%s:read(%zu)%s", fd, c->len, cpu);
		break;
	case EFD_OP_WRITE:
		snprintf(out, len, "%s:write(%#llx,%zu)%s", fd,
			 (unsigned long long)c->value, c->len, cpu);
		break;
	case EFD_OP_READV:
		snprintf(out, len, "%s:readv{%zu,%zu}%s", fd, c->iov_len[0],
			 c->iov_len[1], cpu);
		break;
	case EFD_OP_WRITEV:
		snprintf(out, len, "%s:writev{%zu,%zu}%s", fd, c->iov_len[0],
			 c->iov_len[1], cpu);
		break;
	case EFD_OP_PREADV2:
		snprintf(out, len, "%s:preadv2(%zu,off=%lld,rwf=%#x)%s", fd,
			 c->len, (long long)c->offset, c->rwf, cpu);
		break;
	case EFD_OP_PWRITEV2:
		snprintf(out, len, "%s:pwritev2(%zu,off=%lld,rwf=%#x)%s", fd,
			 c->len, (long long)c->offset, c->rwf, cpu);
		break;
	case EFD_OP_POLL:
		efd_format_mask(ev, sizeof(ev), (unsigned short)c->events);
		snprintf(out, len, "%s:poll(%s,-1)%s", fd, ev, cpu);
		break;
	case EFD_OP_EPOLL_WAIT:
		snprintf(out, len, "%s:epoll_wait(-1)%s", fd, cpu);
		break;
	}
}

static void efd_call_do(struct efd_async *a)
{
	const struct efd_call *c = &a->call;
	struct pollfd pfd = { .fd = c->fd, .events = c->events };
	struct iovec iov[2];

	switch (c->op) {
	case EFD_OP_READ:
		a->ret = read(c->fd, a->buf, c->len);
		break;
	case EFD_OP_WRITE:
		a->ret = write(c->fd, a->buf, c->len);
		break;
	case EFD_OP_READV:
		iov[0] = (struct iovec){ a->buf, c->iov_len[0] };
		iov[1] = (struct iovec){ a->buf + c->iov_len[0], c->iov_len[1] };
		a->ret = readv(c->fd, iov, 2);
		break;
	case EFD_OP_WRITEV:
		iov[0] = (struct iovec){ a->buf, c->iov_len[0] };
		iov[1] = (struct iovec){ a->buf + 8, c->iov_len[1] };
		a->ret = writev(c->fd, iov, 2);
		break;
	case EFD_OP_PREADV2:
		iov[0] = (struct iovec){ a->buf, c->len };
		a->ret = preadv2(c->fd, iov, 1, c->offset, c->rwf);
		break;
	case EFD_OP_PWRITEV2:
		iov[0] = (struct iovec){ a->buf, c->len };
		a->ret = pwritev2(c->fd, iov, 1, c->offset, c->rwf);
		break;
	case EFD_OP_POLL:
		a->ret = poll(&pfd, 1, -1);
		a->revents = pfd.revents;
		break;
	case EFD_OP_EPOLL_WAIT:
		a->ret = epoll_wait(c->fd, a->events, 4, -1);
		a->nevents = a->ret > 0 ? a->ret : 0;
		break;
	}
	a->err = errno;
}

static void *efd_async_main(void *arg)
{
	struct efd_async *a = arg;

	if (a->call.cpu >= 0 && efd_pin_self(a->call.cpu)) {
		a->ret = -1;
		a->err = errno;
		atomic_store(&a->state, EFD_ASYNC_DONE);
		return NULL;
	}
	atomic_store(&a->tid, gettid());
	atomic_store(&a->state, EFD_ASYNC_IN_CALL);
	efd_call_do(a);
	atomic_store(&a->state, EFD_ASYNC_DONE);
	return NULL;
}

static bool efd_async_done(void *arg)
{
	struct efd_async *a = arg;

	return atomic_load(&a->state) == EFD_ASYNC_DONE;
}

static enum efd_wait_result efd_async_wait(struct efd_async *a)
{
	struct timespec deadline = efd_deadline(EFD_WAIT_LIMIT_S);

	/* The tid is known once the helper is about to make its call. */
	while (atomic_load(&a->state) == EFD_ASYNC_STARTING) {
		if (efd_past(&deadline))
			return EFD_WAIT_STUCK;
		sched_yield();
	}
	return efd_wait_task(atomic_load(&a->tid), EFD_ANY_SYSCALL, efd_async_done, a,
			     EFD_WAIT_LIMIT_S);
}

static bool efd_is_read_op(enum efd_op op)
{
	return op == EFD_OP_READ || op == EFD_OP_READV || op == EFD_OP_PREADV2;
}

/* Bytes a read returned, and whether it wrote past them. */
static void efd_format_read(const struct efd_async *a, char *out, size_t len)
{
	size_t asked = a->call.op == EFD_OP_READV ?
		a->call.iov_len[0] + a->call.iov_len[1] : a->call.len;
	size_t got = a->ret, used, i;
	uint64_t val;
	bool clobbered = false;

	used = snprintf(out, len, "ret=%zd", a->ret);
	if (got >= 8) {
		memcpy(&val, a->buf, 8);
		used += snprintf(out + used, len - used, " val=%#llx",
				 (unsigned long long)val);
	}
	for (i = got; i < asked && i < EFD_BUF_LEN; i++)
		clobbered |= a->buf[i] != EFD_GUARD_BYTE;
	for (i = 8; i < got && i < 16 && used < len; i++)
		used += snprintf(out + used, len - used, "%s%02x", i == 8 ? " then " : "",
				 a->buf[i]);
	if (clobbered && used < len)
		snprintf(out + used, len - used, " wrote-past-ret");
}

static void efd_async_result(const struct efd_async *a, char *out, size_t len)
{
	char mask[96];

	if (a->ret < 0) {
		snprintf(out, len, "-1 %s", efd_errname(a->err));
		return;
	}
	if (efd_is_read_op(a->call.op)) {
		efd_format_read(a, out, len);
		return;
	}
	switch (a->call.op) {
	case EFD_OP_POLL:
		efd_format_mask(mask, sizeof(mask), (unsigned short)a->revents);
		snprintf(out, len, "ret=%zd revents=%s", a->ret, mask);
		break;
	case EFD_OP_EPOLL_WAIT:
		efd_format_events(mask, sizeof(mask), a->events, a->nevents);
		snprintf(out, len, "ret=%zd %s", a->ret, mask);
		break;
	default:
		snprintf(out, len, "ret=%zd", a->ret);
		break;
	}
}

static void efd_async_free(struct efd_async *a)
{
	pthread_join(a->thread, NULL);
	free(a);
}

/* A helper that neither returns nor sleeps is left running: it cannot be freed. */
static void efd_async_abandon(struct efd_run *run, struct efd_async *a)
{
	efd_fail(run, "%s neither returned nor blocked within %d s: helper abandoned",
		 a->label, EFD_WAIT_LIMIT_S);
	pthread_detach(a->thread);
}

static void efd_async_prepare(struct efd_async *a)
{
	const struct efd_call *c = &a->call;

	memset(a->buf, efd_is_read_op(c->op) ? EFD_GUARD_BYTE : 0, sizeof(a->buf));
	if (!efd_is_read_op(c->op)) {
		memcpy(a->buf, &c->value, 8);
		memcpy(a->buf + 8, &c->value2, 8);
	}
}

/*
 * Run @call in a helper thread and record what it did. Returns its pending
 * slot when it blocked, -1 otherwise. When it returned, calls blocked
 * before are settled (efd_settle()) before the next step can race them.
 */
int efd_start(struct efd_run *run, const struct efd_call *call)
{
	struct efd_async *a;
	char out[EFD_OUT_LEN];
	int err;

	a = calloc(1, sizeof(*a));
	if (!a) {
		efd_fail(run, "out of memory");
		return -1;
	}
	a->call = *call;
	efd_call_label(run, call, a->label, sizeof(a->label));
	efd_async_prepare(a);
	err = pthread_create(&a->thread, NULL, efd_async_main, a);
	if (err) {
		efd_fail(run, "pthread_create: %s", strerror(err));
		free(a);
		return -1;
	}
	switch (efd_async_wait(a)) {
	case EFD_WAIT_DONE:
		efd_async_result(a, out, sizeof(out));
		efd_note(run, a->label, "%s", out);
		efd_async_free(a);
		/* A completed step may have woken blocked ones: record them now, in order. */
		if (run->npending)
			efd_settle(run);
		return -1;
	case EFD_WAIT_BLOCKED:
		efd_note(run, a->label, "blocked");
		if (run->npending == EFD_MAX_PENDING) {
			efd_fail(run, "%s: more than %d blocked calls, helper abandoned",
				 a->label, EFD_MAX_PENDING);
			pthread_detach(a->thread);
			return -1;
		}
		run->pending[run->npending] = a;
		return run->npending++;
	case EFD_WAIT_STUCK:
		efd_note(run, a->label, "stuck");
		efd_async_abandon(run, a);
		return -1;
	}
	return -1;
}

int efd_pending(const struct efd_run *run)
{
	return run->npending;
}

/*
 * After an action that may have woken blocked calls: wait for each to
 * return or to be asleep again, and record which.
 */
void efd_settle(struct efd_run *run)
{
	char op[EFD_OP_LEN + 8], out[EFD_OUT_LEN];
	int i, kept = 0;

	for (i = 0; i < run->npending; i++) {
		struct efd_async *a = run->pending[i];

		snprintf(op, sizeof(op), "..%s", a->label);
		switch (efd_async_wait(a)) {
		case EFD_WAIT_DONE:
			efd_async_result(a, out, sizeof(out));
			efd_note(run, op, "%s", out);
			efd_async_free(a);
			break;
		case EFD_WAIT_BLOCKED:
			efd_note(run, op, "still blocked");
			run->pending[kept++] = a;
			break;
		case EFD_WAIT_STUCK:
			efd_note(run, op, "stuck");
			efd_async_abandon(run, a);
			break;
		}
	}
	run->npending = kept;
}

static void efd_count_signal(int sig)
{
	(void)sig;
	atomic_fetch_add(&efd_signals_handled, 1);
}

static int efd_set_handler(int sig, bool restart)
{
	struct sigaction sa = {
		.sa_handler = efd_count_signal,
		.sa_flags = restart ? SA_RESTART : 0,
	};

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* Send @sig to one helper and wait (bounded) for its handler to run. */
static bool efd_signal_helper(struct efd_async *a, int sig)
{
	struct timespec deadline = efd_deadline(EFD_WAIT_LIMIT_S);
	int before = atomic_load(&efd_signals_handled);

	if (pthread_kill(a->thread, sig))
		return false;
	while (atomic_load(&efd_signals_handled) == before) {
		if (efd_past(&deadline))
			return false;
		efd_nap();
	}
	return true;
}

/*
 * Deliver SIGUSR1 to every blocked call, its handler installed with or
 * without SA_RESTART, then record what each call does.
 */
void efd_interrupt(struct efd_run *run, bool restart)
{
	const char *op = restart ? "signal(SA_RESTART)" : "signal(no SA_RESTART)";
	int i;

	if (efd_set_handler(SIGUSR1, restart)) {
		efd_fail(run, "sigaction: %s", strerror(errno));
		return;
	}
	for (i = 0; i < run->npending; i++)
		efd_note(run, op, "%s",
			 efd_signal_helper(run->pending[i], SIGUSR1) ? "handled" : "not handled");
	efd_settle(run);
}

/* End of a scenario: record what is still blocked, then free it with SIGUSR2. */
static void efd_release_pending(struct efd_run *run)
{
	char op[EFD_OP_LEN + 8];
	int i;

	efd_settle(run);
	for (i = 0; i < run->npending; i++) {
		struct efd_async *a = run->pending[i];

		snprintf(op, sizeof(op), "end:%s", a->label);
		efd_note(run, op, "still blocked");
		efd_signal_helper(a, SIGUSR2);
		if (efd_async_wait(a) == EFD_WAIT_DONE)
			efd_async_free(a);
		else
			efd_async_abandon(run, a);
	}
	run->npending = 0;
}

void efd_read(struct efd_run *run, int fd, size_t len)
{
	struct efd_call c = { .op = EFD_OP_READ, .fd = fd, .len = len, .cpu = -1 };

	efd_start(run, &c);
}

void efd_write_len(struct efd_run *run, int fd, uint64_t value, size_t len)
{
	struct efd_call c = {
		.op = EFD_OP_WRITE, .fd = fd, .len = len, .value = value,
		.value2 = 0x1111111111111111ULL, .cpu = -1,
	};

	efd_start(run, &c);
}

void efd_write(struct efd_run *run, int fd, uint64_t value)
{
	efd_write_len(run, fd, value, 8);
}

/* ---- /proc/self/fdinfo ------------------------------------------------ */

/*
 * Copy an fdinfo line, "eventfd-id: 12" becoming "eventfd-id: <%d>": ids
 * differ between counters, their format must not.
 */
static void efd_normalize_fdinfo(const char *line, char *out, size_t len)
{
	static const char key[] = "eventfd-id:";
	const char *v, *digits;

	snprintf(out, len, "%s", line);
	if (strncmp(line, key, sizeof(key) - 1))
		return;
	v = line + sizeof(key) - 1;
	v += strspn(v, " \t");
	digits = v + (*v == '-');
	if (!*digits || (*digits == '0' && digits[1]) ||
	    strspn(digits, "0123456789") != strlen(digits))
		return;
	snprintf(out, len, "%.*s<%%d>", (int)(v - line), line);
}

/*
 * Record each line of /proc/self/fdinfo/<fd> but mnt_id and ino, which
 * name the file's mount and inode: an anon inode versus a device node.
 */
void efd_fdinfo(struct efd_run *run, int fd)
{
	char path[64], buf[4096], norm[EFD_OUT_LEN], *line, *save;
	char op[EFD_OP_LEN];
	int i = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (efd_read_file(path, buf, sizeof(buf))) {
		efd_ret(run, "fdinfo", -1);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "mnt_id:", 7) || !strncmp(line, "ino:", 4))
			continue;
		efd_normalize_fdinfo(line, norm, sizeof(norm));
		snprintf(op, sizeof(op), "fdinfo line %d", ++i);
		efd_note(run, op, "%s", norm);
	}
}

/* ---- child processes -------------------------------------------------- */

struct efd_child {
	pid_t pid;
	int status;
	bool reaped;
};

static bool efd_child_done(void *arg)
{
	struct efd_child *c = arg;

	if (!c->reaped && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->reaped = true;
	return c->reaped;
}

/* Wait (bounded) for @pid to exit; kill it when it does not. */
static bool efd_reap(struct efd_run *run, pid_t pid, int *status)
{
	struct efd_child c = { .pid = pid };
	struct timespec deadline = efd_deadline(EFD_WAIT_LIMIT_S);

	while (!efd_child_done(&c)) {
		if (efd_past(&deadline)) {
			efd_fail(run, "child %d did not exit within %d s: killed",
				 pid, EFD_WAIT_LIMIT_S);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return false;
		}
		efd_nap();
	}
	*status = c.status;
	return true;
}

void efd_wait_child(struct efd_run *run, const char *op, pid_t pid)
{
	int status;

	if (!efd_reap(run, pid, &status))
		efd_note(run, op, "did not exit");
	else if (WIFEXITED(status))
		efd_note(run, op, "exit %d", WEXITSTATUS(status));
	else
		efd_note(run, op, "signal %d", WTERMSIG(status));
}

/* Record whether child @pid is blocked in a system call or has exited. */
void efd_child_blocks(struct efd_run *run, const char *op, pid_t pid)
{
	struct efd_child c = { .pid = pid };

	switch (efd_wait_task(pid, EFD_ANY_SYSCALL, efd_child_done, &c, EFD_WAIT_LIMIT_S)) {
	case EFD_WAIT_DONE:
		efd_note(run, op, "exited %d", WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1);
		break;
	case EFD_WAIT_BLOCKED:
		efd_note(run, op, "blocked");
		break;
	case EFD_WAIT_STUCK:
		efd_note(run, op, "stuck");
		efd_fail(run, "child %d neither exited nor blocked", pid);
		break;
	}
}

/* Exit codes of the re-executed probe (efd_exec_probe_main()). */
enum { EFD_PROBE_USABLE = 0, EFD_PROBE_EBADF = 10, EFD_PROBE_OTHER = 11,
       EFD_PROBE_WRITE_FAILED = 12, EFD_PROBE_NO_EXEC = 127 };

#define EFD_PROBE_VALUE 0x10

/* In the re-executed test binary: is fd @fdstr open, and can it be written? */
static int efd_exec_probe_main(const char *fdstr)
{
	uint64_t v = EFD_PROBE_VALUE;
	int fd = atoi(fdstr);

	if (fcntl(fd, F_GETFD) < 0)
		return errno == EBADF ? EFD_PROBE_EBADF : EFD_PROBE_OTHER;
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		return EFD_PROBE_WRITE_FAILED;
	return EFD_PROBE_USABLE;
}

/* Does a program exec'd by a child still have @fd? Re-executes this binary. */
void efd_exec_probe(struct efd_run *run, int fd)
{
	static const char *const meaning[] = {
		[EFD_PROBE_USABLE] = "fd open, wrote 0x10",
		[EFD_PROBE_EBADF] = "fd closed (EBADF)",
		[EFD_PROBE_OTHER] = "fcntl failed (not EBADF)",
		[EFD_PROBE_WRITE_FAILED] = "fd open, write failed",
	};
	char fdstr[16];
	int status;
	pid_t pid;

	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	pid = fork();
	if (pid < 0) {
		efd_fail(run, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		execl("/proc/self/exe", "efd_exec_probe", "--exec-probe", fdstr, (char *)NULL);
		_exit(EFD_PROBE_NO_EXEC);
	}
	if (!efd_reap(run, pid, &status)) {
		efd_note(run, "exec probe", "did not exit");
		return;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) >= sizeof(meaning) / sizeof(meaning[0]) ||
	    !meaning[WEXITSTATUS(status)]) {
		efd_fail(run, "exec probe: status %#x", status);
		efd_note(run, "exec probe", "status %#x", status);
		return;
	}
	efd_note(run, "exec probe", "%s", meaning[WEXITSTATUS(status)]);
}

/* ---- running and comparing -------------------------------------------- */

static void efd_describe_spec(const struct efd_spec *spec, char *out, size_t len)
{
	int other = spec->flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);

	snprintf(out, len, "create(%#x, %#x%s%s%s%s)", spec->initval, other,
		 spec->flags & EFD_SEMAPHORE ? "|SEM" : "",
		 spec->flags & EFD_NONBLOCK ? "|NONBLOCK" : "",
		 spec->flags & EFD_CLOEXEC ? "|CLOEXEC" : "",
		 spec->transition ? ", TRANSITION" : "");
}

static struct efd_run *efd_run_scenario(enum efd_kind kind, const struct efd_spec *spec,
					efd_scenario_fn scenario, const void *arg)
{
	struct efd_run *run;
	char op[EFD_OP_LEN];
	cpu_set_t affinity;
	int i;

	run = calloc(1, sizeof(*run));
	if (!run)
		return NULL;
	run->kind = kind;
	sched_getaffinity(0, sizeof(affinity), &affinity);
	efd_describe_spec(spec, op, sizeof(op));
	run->fd = efd_create(kind, spec);
	efd_ret(run, op, run->fd < 0 ? -1 : 0);
	if (run->fd >= 0 && kind == EFD_OHOS && spec->rings &&
	    efd_give_rings(run->fd, spec->rings))
		efd_fail(run, "rings on %d CPUs: %s", spec->rings, strerror(errno));
	if (run->fd >= 0) {
		efd_own(run, run->fd);
		efd_name_fd(run, run->fd, "fd");
		scenario(run, arg);
	}
	efd_release_pending(run);
	for (i = 0; i < run->nowned; i++)
		close(run->owned[i]);
	sched_setaffinity(0, sizeof(affinity), &affinity);
	return run;
}

static bool efd_same_step(const struct efd_step *a, const struct efd_step *b)
{
	return !strcmp(a->op, b->op) && !strcmp(a->out, b->out);
}

static bool efd_same_trace(const struct efd_trace *native, const struct efd_trace *ohos,
			   unsigned int opts)
{
	unsigned int i;

	if (native->truncated || ohos->truncated)
		return false;
	if (native->n != ohos->n &&
	    !((opts & EFD_DIFF_OHOS_EXTRA_TAIL) && ohos->n > native->n))
		return false;
	for (i = 0; i < native->n; i++)
		if (!efd_same_step(&native->step[i], &ohos->step[i]))
			return false;
	return true;
}

/* Steps both runs agree on print once; a difference prints both sides. */
static void efd_print_traces(const char *name, const struct efd_trace *native,
			     const struct efd_trace *ohos, unsigned int opts, bool same)
{
	static const struct efd_step none = { "(no step)", "" };
	unsigned int i, n = native->n > ohos->n ? native->n : ohos->n;

	fprintf(stderr, "# %s: native eventfd and %s %s%s\n", name, efd_kind_name(EFD_OHOS),
		same ? "agree ('+': allowed extra steps)" : "differ ('!' marks the steps)",
		native->truncated || ohos->truncated ? " (trace truncated)" : "");
	for (i = 0; i < n; i++) {
		const struct efd_step *a = i < native->n ? &native->step[i] : &none;
		const struct efd_step *b = i < ohos->n ? &ohos->step[i] : &none;

		if (efd_same_step(a, b)) {
			fprintf(stderr, "#  %3u         %-40s %s\n", i + 1, a->op, a->out);
			continue;
		}
		if (i >= native->n && (opts & EFD_DIFF_OHOS_EXTRA_TAIL)) {
			fprintf(stderr, "# +%3u   ohos: %-40s %s\n", i + 1, b->op, b->out);
			continue;
		}
		fprintf(stderr, "# !%3u native: %-40s %s\n", i + 1, a->op, a->out);
		fprintf(stderr, "#        ohos: %-40s %s\n", b->op, b->out);
	}
}

/*
 * Run @scenario on a fresh native eventfd and on a fresh ohos_eventfd,
 * both created per @spec; true when both recorded the same steps and no
 * check failed. Prints both traces otherwise.
 */
bool efd_diff(const char *name, const struct efd_spec *spec,
	      efd_scenario_fn scenario, const void *arg, unsigned int opts)
{
	struct efd_run *native, *ohos;
	bool same;

	if (efd_set_handler(SIGUSR2, false)) {
		fprintf(stderr, "# %s: sigaction(SIGUSR2): %s\n", name, strerror(errno));
		return false;
	}
	native = efd_run_scenario(EFD_NATIVE, spec, scenario, arg);
	ohos = efd_run_scenario(EFD_OHOS, spec, scenario, arg);
	if (!native || !ohos) {
		fprintf(stderr, "# %s: out of memory\n", name);
		free(native);
		free(ohos);
		return false;
	}
	same = efd_same_trace(&native->trace, &ohos->trace, opts);
	if (!same || efd_env_set(EFD_ENV_TRACE))
		efd_print_traces(name, &native->trace, &ohos->trace, opts, same);
	same = same && !native->errors && !ohos->errors;
	free(native);
	free(ohos);
	return same;
}

/* ---- main ------------------------------------------------------------- */

static void efd_usage(const char *prog, const char *what)
{
	printf("Usage: %s [harness options]\n"
	       "%s (TAP output).\n"
	       "Cases skip when %s is missing (load ohos_eventfd.ko).\n"
	       "Environment:\n"
	       "  %s=1\n"
	       "      the \"ohos\" side is a native eventfd as well: checks the tests\n"
	       "      themselves on any machine; cases that need the module's ioctls skip\n"
	       "  %s=1\n"
	       "      print both traces of every comparison, not only of failures\n"
	       "Harness options follow.\n",
	       prog, what, OHOS_EVENTFD_DEVICE, EFD_ENV_NATIVE_AS_OHOS, EFD_ENV_TRACE);
}

/* EFD_HARNESS_MAIN(): @run is the harness's test_harness_run(). */
int efd_main(int argc, char **argv, const char *what, int (*run)(int, char **))
{
	if (argc == 3 && !strcmp(argv[1], "--exec-probe"))
		return efd_exec_probe_main(argv[2]);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		char *help[] = { argv[0], "-h", NULL };

		efd_usage(argv[0], what);
		fflush(stdout);
		run(2, help);
		return 0;
	}
	return run(argc, argv);
}
