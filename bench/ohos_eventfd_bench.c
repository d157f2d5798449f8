// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd_bench: the same steps on a native eventfd and on an
 * ohos_eventfd counter, in one process, one after the other.
 *
 * Every figure is a time from CLOCK_MONOTONIC. Under qemu's -icount
 * (scripts/bench.sh) guest time advances one nanosecond per instruction,
 * so there a "ns" is an instruction. Results are printed one per line:
 *
 *   result row=R test=T impl=I [key=value...] unit=U median=M min=L max=H
 *          q1=Q q3=Q runs=N
 *
 * which scripts/bench.sh turns into docs/benchmarks.md. Nothing here
 * asserts anything about speed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <linux/futex.h>
#include <linux/membarrier.h>
#include <linux/ohos_eventfd.h>
#include <ohos_eventfd.h>

#include "oefd_test_lib.h"

#define FAST_PATH_PARAM	"/sys/module/ohos_eventfd/parameters/fast_path"
#define COALESCE_PARAM	"/sys/module/ohos_eventfd/parameters/coalesce"
#define MAX_CPUS	64
#define MAX_RUNS	64
#define MAX_SAMPLES	(1u << 20)

enum { EXIT_USAGE = 2 };

enum impl { IMPL_NATIVE, IMPL_OHOS };

/*
 * A counter implementation and, for ohos_eventfd, its wakeup mode and how
 * the counter is made: open() of the device, or OHOS_EFD_IOC_CREATE on an
 * fd of it (what libohos_eventfd does).
 */
struct variant {
	const char *name;
	enum impl impl;
	uint32_t mode;
	bool ioctl;
};

static const struct variant native = { "native", IMPL_NATIVE, 0, false };
static const struct variant ohos_exact = {
	"ohos-exact", IMPL_OHOS, OHOS_EFD_MODE_EXACT, false
};
static const struct variant ohos_ioctl = {
	"ohos-ioctl", IMPL_OHOS, OHOS_EFD_MODE_EXACT, true
};
static const struct variant ohos_transition = {
	"ohos-transition", IMPL_OHOS, OHOS_EFD_MODE_TRANSITION, false
};

static struct {
	long iters;		/* row 1: operations per timed loop */
	long create_iters;	/* row 6: creations per timed loop */
	int loops;		/* rows 1 and 6: timed loops per figure */
	int runs;		/* rows 2-4: timed runs per figure */
	int duration_ms;	/* rows 2-4: length of one run */
	long instances;		/* row 5 */
	long written_counters;	/* row 7: counters per figure written from k CPUs */
	long issue_counters;	/* row 7: counters of issue 16's sequential setup */
	int written_budget_ms;	/* row 7: a counter's writes stop after this long */
	int written_max_k;	/* row 7: k = 1..this (at most the CPUs we may use) */
	bool native;		/* which implementations to measure */
	bool ohos;
	const char *path_tests;	/* row 1: comma-separated tests, NULL: all */
	unsigned int readers;	/* row 4: bit (1 << READER_*) per reader kind */
} opt = {
	.iters = 1000,
	.create_iters = 1000,
	.loops = 31,
	.runs = 5,
	.duration_ms = 500,
	.instances = 100000,
	.written_counters = 300,
	.issue_counters = 10000,
	.written_budget_ms = 5000,
	.written_max_k = 4,
	.native = true,
	.ohos = true,
	.readers = ~0u,
};

static int cpus[MAX_CPUS];	/* the CPUs this process may run on */
static int ncpus;
static char fast_path[8] = "-";	/* the module's fast_path parameter */
static char coalesce[8] = "-";	/* and its coalesce parameter ("-": none) */

/* Row 4's consumers. */
enum reader_kind { READER_READ, READER_EPOLL, READER_EPOLL_ET, NREADERS };

static const char *const reader_names[NREADERS] = { "read", "epoll", "epoll-et" };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ohos_eventfd_bench [OPTIONS] ROW...\n"
		"\n"
		"Measures native eventfd(2) and /dev/ohos_eventfd counters with the same\n"
		"steps in the same process. ohos_eventfd counters are made by open() of the\n"
		"device (ohos-exact, ohos-transition) and, in rows 1, 5 and 6, also by\n"
		"OHOS_EFD_IOC_CREATE (ohos-ioctl). ROW is one or more of:\n"
		"  path      1: per-operation cost, one thread on one CPU: write (no waiter,\n"
		"               nonblocking), read of a non-zero count, write+read; the\n"
		"               sub-steps getppid (null syscall), 4-byte write and read\n"
		"               (EINVAL), read of count 0 (EAGAIN); write-epoll: a write to a\n"
		"               counter in an epoll set whose event is not yet collected (the\n"
		"               warm-up's first write wakes it, nobody calls epoll_wait());\n"
		"               with 2+ CPUs also a write to a counter that has per-CPU rings\n"
		"               (write-percpu)\n"
		"  pingpong  2: round trip between two threads blocked in read(), on two CPUs\n"
		"  epoll     3: wakeup latency of a thread blocked in epoll_wait() on another\n"
		"               CPU, from just before write() to just after epoll_wait()\n"
		"  writers   4: throughput of N nonblocking writer threads pinned to N CPUs,\n"
		"               N = 1..CPUs, one consumer on the last CPU: read (blocking\n"
		"               read()), epoll (epoll_wait() + read()), epoll-et (EPOLLET,\n"
		"               epoll_wait() only, never reads: the count just grows; native\n"
		"               and ohos-exact only, transition mode gives such a consumer\n"
		"               one edge in all)\n"
		"  memory    5: slab + percpu memory per idle instance (needs root:\n"
		"               /proc/slabinfo; raises RLIMIT_NOFILE)\n"
		"  create    6: create + close per instance: eventfd2() against\n"
		"               open(\"%s\"), OHOS_EFD_IOC_CREATE, and ohos_eventfd()\n"
		"               of libohos_eventfd, and open(\"/dev/null\") as a reference\n"
		"  written   7: slab + percpu memory per counter written from k CPUs (issue\n"
		"               16; needs root): counters made by ohos_eventfd() of\n"
		"               libohos_eventfd (native: eventfd()), each in 64 epoll sets\n"
		"               while a writer and a holder thread on each of k CPUs write 0\n"
		"               to it (the holder's write wakes the 64 sets with the lock\n"
		"               held, the writer finds it held), until each made 16 writes\n"
		"               and, on ohos_eventfd, its fdinfo shows k rings (none for\n"
		"               k = 1; before issue 16's module, per-CPU rings at all) or\n"
		"               the budget runs out, k = 1..min(4, CPUs); then issue 16's\n"
		"               setup: counters written once from CPU 0, then twice from\n"
		"               CPU 1, one thread, no contention\n"
		"  all       every row\n"
		"\n"
		"Options:\n"
		"  --iters N         operations per timed loop, row 1 (default %ld)\n"
		"  --create-iters N  creations per timed loop, row 6 (default %ld)\n"
		"  --loops N         timed loops per figure, rows 1 and 6 (default %d)\n"
		"  --runs N          timed runs per figure, rows 2-4 (default %d)\n"
		"  --duration MS     length of one run, rows 2-4 (default %d)\n"
		"  --instances N     instances held open, row 5 (default %ld)\n"
		"  --written-counters N  counters per figure of row 7 written from k CPUs\n"
		"                    (default %ld)\n"
		"  --issue-counters N    counters of row 7's sequential setup (default %ld)\n"
		"  --written-budget MS   row 7: stop the writes to one counter after MS\n"
		"                    (default %d)\n"
		"  --written-max-k K     row 7: k = 1..K writer CPUs (default %d)\n"
		"  --impl native|ohos|all   implementations to measure (default all)\n"
		"  --path-tests LIST row 1's tests, comma-separated (default all), e.g.\n"
		"                    write,write-epoll\n"
		"  --readers LIST    row 4's consumers, comma-separated: read, epoll,\n"
		"                    epoll-et (default all)\n"
		"  -h, --help        this text\n"
		"\n"
		"Each figure is printed as 'result row=... test=... impl=... unit=... median=...\n"
		"min=... max=... q1=... q3=... runs=...' (q1, q3: quartiles) over the loops or\n"
		"runs. Times are CLOCK_MONOTONIC\n"
		"nanoseconds, less the cost of reading the clock: under qemu -icount shift=0\n"
		"a nanosecond is an instruction, and the min of row 1 is the path length\n"
		"without interrupts. Rows 2-4 want 2 or more CPUs.\n",
		OHOS_EVENTFD_DEVICE, opt.iters, opt.create_iters, opt.loops, opt.runs,
		opt.duration_ms, opt.instances, opt.written_counters, opt.issue_counters,
		opt.written_budget_ms, opt.written_max_k);
}

static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fputs("ohos_eventfd_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

/* Like die(), for failures that are not a system call's. */
static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("ohos_eventfd_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void progress(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* --- counters ------------------------------------------------------------ */

/* @fd, in @v's wakeup mode. */
static int set_mode(const struct variant *v, int fd)
{
	if (v->mode != OHOS_EFD_MODE_EXACT && ioctl(fd, OHOS_EFD_IOC_SET_MODE, &v->mode))
		die("OHOS_EFD_IOC_SET_MODE %u", v->mode);
	return fd;
}

/* eventfd2()'s EFD_* flags as the module's OHOS_EFD_* bits. */
static uint32_t ohos_flags(int flags)
{
	return (flags & EFD_SEMAPHORE ? OHOS_EFD_SEMAPHORE : 0) |
	       (flags & EFD_NONBLOCK ? OHOS_EFD_NONBLOCK : 0) |
	       (flags & EFD_CLOEXEC ? OHOS_EFD_CLOEXEC : 0);
}

static void ohos_configure(int fd, uint32_t flags, uint32_t initval)
{
	struct ohos_efd_config cfg = { .flags = flags, .initval = initval };

	if (ioctl(fd, OHOS_EFD_IOC_CONFIGURE, &cfg))
		die("OHOS_EFD_IOC_CONFIGURE");
}

/* An fd of the device to create counters with; opened once, kept. */
static int factory(void)
{
	static int fd = -1;

	if (fd < 0) {
		fd = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			die("open %s (is the ohos_eventfd module loaded?)", OHOS_EVENTFD_DEVICE);
	}
	return fd;
}

static int ohos_create(unsigned int initval, int flags)
{
	struct ohos_efd_config cfg = { .flags = ohos_flags(flags), .initval = initval };
	int fd = ioctl(factory(), OHOS_EFD_IOC_CREATE, &cfg);

	if (fd < 0)
		die("OHOS_EFD_IOC_CREATE");
	return fd;
}

/*
 * A counter of @v with an initial count and EFD_* flags, as eventfd2()
 * takes them; ohos_eventfd gets the same through OHOS_EFD_IOC_CREATE, or
 * through open() and OHOS_EFD_IOC_CONFIGURE.
 */
static int counter_open(const struct variant *v, unsigned int initval, int flags)
{
	int fd;

	if (v->impl == IMPL_NATIVE) {
		fd = eventfd(initval, flags);
		if (fd < 0)
			die("eventfd");
		return fd;
	}
	if (v->ioctl)
		return set_mode(v, ohos_create(initval, flags));
	fd = open(OHOS_EVENTFD_DEVICE, O_RDWR | (flags & (EFD_NONBLOCK | EFD_CLOEXEC)));
	if (fd < 0)
		die("open %s (is the ohos_eventfd module loaded?)", OHOS_EVENTFD_DEVICE);
	if (initval || (flags & EFD_SEMAPHORE))
		ohos_configure(fd, ohos_flags(flags & EFD_SEMAPHORE), initval);
	return set_mode(v, fd);
}

static void counter_write(int fd, uint64_t value)
{
	if (write(fd, &value, sizeof(value)) != sizeof(value))
		die("write to counter fd %d", fd);
}

static uint64_t counter_read(int fd)
{
	uint64_t value;

	if (read(fd, &value, sizeof(value)) != sizeof(value))
		die("read from counter fd %d", fd);
	return value;
}

static bool impl_selected(enum impl impl)
{
	return impl == IMPL_NATIVE ? opt.native : opt.ohos;
}

/* The variants of the NULL-terminated @all that --impl selects, into @out. */
static int select_variants(const struct variant *const *all, const struct variant **out)
{
	int i, n = 0;

	for (i = 0; all[i]; i++)
		if (impl_selected(all[i]->impl))
			out[n++] = all[i];
	return n;
}

/* --- results --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The @p quantile of the sorted @v, interpolated between neighbours. */
static double quantile(const double *v, int n, double p)
{
	double h = (n - 1) * p;
	int i = (int)h;

	return i + 1 < n ? v[i] + (h - i) * (v[i + 1] - v[i]) : v[i];
}

/* Sorts @v. */
static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return quantile(v, n, 0.5);
}

/*
 * One figure: @keys are extra "key=value" fields naming it (test
 * parameters), @v the value of each run.
 */
static void report(int row, const char *test, const char *impl, const char *keys,
		   const char *unit, double *v, int n)
{
	double med = median(v, n);

	printf("result row=%d test=%s impl=%s%s%s unit=%s", row, test, impl, *keys ? " " : "",
	       keys, unit);
	printf(" median=%.1f min=%.1f max=%.1f q1=%.1f q3=%.1f runs=%d\n", med, v[0], v[n - 1],
	       quantile(v, n, 0.25), quantile(v, n, 0.75), n);
	fflush(stdout);
}

/* The keys that name an ohos_eventfd figure's module setup, into @buf. */
static const char *ohos_keys(const struct variant *v, char *buf, size_t size)
{
	buf[0] = '\0';
	if (v->impl == IMPL_OHOS)
		snprintf(buf, size, "fast_path=%s coalesce=%s", fast_path, coalesce);
	return buf;
}

/* --- row 1: per-operation cost ------------------------------------------- */

static void pin_self(int cpu);
static int cpu_of(int i);
static void ohos_stats(int fd, struct ohos_efd_stats *st);

/* One timed operation: returns nothing, dies on an unexpected result. */
typedef void (*op_fn)(int fd);

static void op_getppid(int fd)
{
	(void)fd;
	getppid();
}

static void op_write(int fd)
{
	counter_write(fd, 1);
}

static void op_read(int fd)
{
	counter_read(fd);
}

static void op_write_read(int fd)
{
	counter_write(fd, 1);
	counter_read(fd);
}

static void op_write_einval(int fd)
{
	uint32_t small = 1;

	if (write(fd, &small, sizeof(small)) != -1 || errno != EINVAL)
		fail("4-byte write did not fail with EINVAL");
}

static void op_read_einval(int fd)
{
	uint32_t small;

	if (read(fd, &small, sizeof(small)) != -1 || errno != EINVAL)
		fail("4-byte read did not fail with EINVAL");
}

static void op_read_eagain(int fd)
{
	uint64_t value;

	if (read(fd, &value, sizeof(value)) != -1 || errno != EAGAIN)
		fail("read of count 0 did not fail with EAGAIN");
}

struct path_test {
	const char *name;
	op_fn op;
	int flags;		/* eventfd2 flags of the counter */
	unsigned int initval;
	bool no_counter;	/* measures no counter: one figure, impl "none" */
	bool percpu;		/* given a ring on CPUs 0 and 1 first (give_rings()) */
	bool epoll;		/* registered in an epoll set that nobody waits on */
};

/* Is row 1's test @name among --path-tests? */
static bool path_test_selected(const char *name)
{
	size_t len = strlen(name);
	const char *p = opt.path_tests;

	if (!p)
		return true;
	while (*p) {
		if (!strncmp(p, name, len) && (p[len] == ',' || p[len] == '\0'))
			return true;
		p = strchrnul(p, ',');
		if (*p)
			p++;
	}
	return false;
}

/*
 * "read" needs a non-zero count before every read: a semaphore counter
 * starting at UINT_MAX gives one, and each read takes 1.
 */
static const struct path_test path_tests[] = {
	{ "getppid", op_getppid, EFD_NONBLOCK, 0, true, false, false },
	{ "write", op_write, EFD_NONBLOCK, 0, false, false, false },
	{ "read", op_read, EFD_NONBLOCK | EFD_SEMAPHORE, UINT_MAX, false, false, false },
	{ "write+read", op_write_read, EFD_NONBLOCK, 0, false, false, false },
	{ "write-einval", op_write_einval, EFD_NONBLOCK, 0, false, false, false },
	{ "read-einval", op_read_einval, EFD_NONBLOCK, 0, false, false, false },
	{ "read-eagain", op_read_eagain, EFD_NONBLOCK, 0, false, false, false },
	{ "write-epoll", op_write, EFD_NONBLOCK, 0, false, false, true },
	{ "write-percpu", op_write, EFD_NONBLOCK, 0, false, true, false },
};

/*
 * An epoll registration is a wait queue entry that stays. Nobody calls
 * epoll_wait() on the set, so its event is never collected: the first
 * write (in path_test()'s untimed warm-up loop) wakes, i.e. queues the
 * item on the ready list, and every timed write finds it still there,
 * uncollected. Native eventfd still runs ep_poll_callback() on each of
 * them (it finds the item queued); ohos_eventfd in exact mode skips the
 * wakeup while it is outstanding (issue 15), unless loaded with
 * coalesce=0. EPOLL_CTL_ADD's ->poll call, before the warm-up, is the only
 * collection.
 */
static int epoll_watch(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_create1/epoll_ctl");
	return epfd;
}

/* What two back-to-back clock reads cost: taken off every timed loop. */
static uint64_t clock_cost;

static void measure_clock_cost(void)
{
	uint64_t t, least = UINT64_MAX;
	int i;

	for (i = 0; i < 1000; i++) {
		t = now_ns();
		t = now_ns() - t;
		if (t < least)
			least = t;
	}
	clock_cost = least;
}

static double time_ops(op_fn op, int fd, long iters)
{
	uint64_t start, elapsed;
	long i;

	start = now_ns();
	for (i = 0; i < iters; i++)
		op(fd);
	elapsed = now_ns() - start;
	return (double)(elapsed > clock_cost ? elapsed - clock_cost : 0) / (double)iters;
}

/*
 * A ring on CPUs 0 and 1, the way the module gives them: contended writes
 * (efd_give_rings() of the tests' library). Native eventfd has none.
 */
static void give_rings(const struct variant *v, int fd)
{
	if (v->impl == IMPL_OHOS && efd_give_rings(fd, 2))
		die("giving the counter rings on two CPUs");
	pin_self(cpu_of(0));
}

static void path_report(const struct path_test *t, const struct variant *v, int fd,
			double *loops)
{
	struct ohos_efd_stats st;
	char keys[128];

	if (t->no_counter) {
		report(1, t->name, "none", "", "ns/op", loops, opt.loops);
		return;
	}
	ohos_keys(v, keys, sizeof(keys));
	if (t->percpu && v->impl == IMPL_OHOS) {
		ohos_stats(fd, &st);
		snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), " fast_pct=%.1f",
			 100.0 * (double)st.fast_writes / (double)st.writes);
	}
	/* How many of the writes woke: 1 (the warm-up's first) when coalescing. */
	if (t->epoll && v->impl == IMPL_OHOS) {
		ohos_stats(fd, &st);
		snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys),
			 " writes=%llu wakeups=%llu", (unsigned long long)st.writes,
			 (unsigned long long)st.wakeups);
	}
	report(1, t->name, v->name, keys, "ns/op", loops, opt.loops);
}

/*
 * Loops of --iters operations, native and ohos_eventfd alternating loop
 * by loop so that whatever the machine does meanwhile falls on both. A
 * first loop, not timed, warms caches and faults in what the path
 * touches (and, in an epoll set, makes the one write that wakes). Loops
 * are short so that some of them see no interrupt: under
 * -icount the fastest loop is the path itself, exactly.
 */
static void path_test(const struct path_test *t)
{
	static const struct variant *const all[] = { &native, &ohos_exact, &ohos_ioctl, NULL };
	const struct variant *vs[3] = { &native, &native, &native };
	double v[3][MAX_RUNS];
	int fds[3] = { -1, -1, -1 }, epfds[3] = { -1, -1, -1 }, n, i, r;

	n = t->no_counter ? 1 : select_variants(all, vs);
	for (i = 0; i < n; i++) {
		if (!t->no_counter)
			fds[i] = counter_open(vs[i], t->initval, t->flags);
		if (t->percpu)
			give_rings(vs[i], fds[i]);
		if (t->epoll)
			epfds[i] = epoll_watch(fds[i]);
		time_ops(t->op, fds[i], opt.iters);
	}
	for (r = 0; r < opt.loops; r++)
		for (i = 0; i < n; i++)
			v[i][r] = time_ops(t->op, fds[i], opt.iters);
	for (i = 0; i < n; i++) {
		path_report(t, vs[i], fds[i], v[i]);
		if (epfds[i] >= 0)
			close(epfds[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
}

/* Row 1 runs on one CPU, so that the plain rows never get per-CPU rings. */
static void row_path(void)
{
	cpu_set_t all;
	size_t i;

	progress("row 1: per-operation cost, %d loops of %ld operations", opt.loops, opt.iters);
	if (sched_getaffinity(0, sizeof(all), &all))
		die("sched_getaffinity");
	measure_clock_cost();
	pin_self(cpu_of(0));
	for (i = 0; i < sizeof(path_tests) / sizeof(path_tests[0]); i++) {
		if ((path_tests[i].percpu && ncpus < 2) || !path_test_selected(path_tests[i].name))
			continue;
		path_test(&path_tests[i]);
	}
	if (sched_setaffinity(0, sizeof(all), &all))
		die("sched_setaffinity");
}

/* --- threads ---------------------------------------------------------------- */

static void pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity to CPU %d", cpu);
}

/* The CPU for thread @i of a run: round robin over the CPUs we may use. */
static int cpu_of(int i)
{
	return cpus[i % ncpus];
}

static void start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	errno = pthread_create(thread, NULL, fn, arg);
	if (errno)
		die("pthread_create");
}

static void join_thread(pthread_t thread)
{
	errno = pthread_join(thread, NULL);
	if (errno)
		die("pthread_join");
}

/* --- latency samples (rows 2 and 3) ---------------------------------------- */

/* One run's latencies, in ns; a run keeps at most MAX_SAMPLES. */
struct samples {
	uint32_t *v;
	unsigned int n;
};

static void samples_init(struct samples *s)
{
	s->v = malloc(MAX_SAMPLES * sizeof(*s->v));
	if (!s->v)
		die("malloc");
	s->n = 0;
}

static void samples_add(struct samples *s, uint64_t ns)
{
	if (s->n < MAX_SAMPLES)
		s->v[s->n++] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static double samples_median(struct samples *s)
{
	qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
	return s->n % 2 ? s->v[s->n / 2] : ((double)s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
}

/*
 * A latency figure: the median of each run's median, with the runs'
 * spread; the keys say how many samples a run had (the median count).
 */
static void report_latency(int row, const char *test, const struct variant *v,
			   double *run_medians, double *run_counts)
{
	char keys[96];
	int len = 0;

	if (v->impl == IMPL_OHOS)
		len = snprintf(keys, sizeof(keys), "fast_path=%s coalesce=%s ", fast_path,
			       coalesce);
	snprintf(keys + len, sizeof(keys) - len, "samples=%.0f", median(run_counts, opt.runs));
	report(row, test, v->name, keys, "ns", run_medians, opt.runs);
}

/* --- row 2: ping-pong -------------------------------------------------------- */

struct pingpong {
	int ping, pong;			/* counters: one each way */
	pthread_barrier_t start;
	atomic_bool stop_pinger;
	atomic_bool stop_ponger;
	struct samples *round_trips;
};

static void *pinger(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t start;

	pin_self(cpu_of(0));
	pthread_barrier_wait(&pp->start);
	while (!atomic_load_explicit(&pp->stop_pinger, memory_order_relaxed)) {
		start = now_ns();
		counter_write(pp->ping, 1);
		counter_read(pp->pong);
		samples_add(pp->round_trips, now_ns() - start);
	}
	return NULL;
}

static void *ponger(void *arg)
{
	struct pingpong *pp = arg;

	pin_self(cpu_of(1));
	pthread_barrier_wait(&pp->start);
	for (;;) {
		counter_read(pp->ping);
		if (atomic_load(&pp->stop_ponger))
			break;
		counter_write(pp->pong, 1);
	}
	return NULL;
}

/*
 * One run: round trips until the time is up. The pinger stops after its
 * current round trip; the ponger, blocked in read() again by then, is
 * stopped by one more write.
 */
static void pingpong_run(const struct variant *v, struct samples *round_trips)
{
	struct pingpong pp = {
		.ping = counter_open(v, 0, 0),
		.pong = counter_open(v, 0, 0),
		.round_trips = round_trips,
	};
	pthread_t a, b;

	round_trips->n = 0;
	pthread_barrier_init(&pp.start, NULL, 3);
	start_thread(&a, pinger, &pp);
	start_thread(&b, ponger, &pp);
	pthread_barrier_wait(&pp.start);
	sleep_ms(opt.duration_ms);
	atomic_store(&pp.stop_pinger, true);
	join_thread(a);
	atomic_store(&pp.stop_ponger, true);
	counter_write(pp.ping, 1);
	join_thread(b);
	pthread_barrier_destroy(&pp.start);
	close(pp.ping);
	close(pp.pong);
	if (!round_trips->n)
		fail("ping-pong: no round trip completed in %d ms", opt.duration_ms);
}

static void row_pingpong(void)
{
	static const struct variant *const all[] = { &native, &ohos_exact, NULL };
	const struct variant *vs[2];
	double med[2][MAX_RUNS], count[2][MAX_RUNS];
	struct samples s;
	int n, i, r;

	progress("row 2: ping-pong between CPUs %d and %d, %d runs of %d ms",
		 cpu_of(0), cpu_of(1), opt.runs, opt.duration_ms);
	samples_init(&s);
	n = select_variants(all, vs);
	for (r = 0; r < opt.runs; r++)
		for (i = 0; i < n; i++) {
			pingpong_run(vs[i], &s);
			count[i][r] = s.n;
			med[i][r] = samples_median(&s);
		}
	for (i = 0; i < n; i++)
		report_latency(2, "pingpong", vs[i], med[i], count[i]);
	free(s.v);
}

/* --- row 3: wakeup through epoll ----------------------------------------- */

struct epoll_wake {
	int fd;				/* the counter under test */
	int back;			/* a native eventfd: "waiter is done" */
	int epfd;
	pthread_barrier_t start;
	atomic_bool stop_writer;
	atomic_bool stop_waiter;
	_Atomic uint64_t sent;		/* time of the write being waited for */
	struct samples *wakeups;
};

static void *wake_writer(void *arg)
{
	struct epoll_wake *ew = arg;

	pin_self(cpu_of(0));
	pthread_barrier_wait(&ew->start);
	while (!atomic_load_explicit(&ew->stop_writer, memory_order_relaxed)) {
		atomic_store(&ew->sent, now_ns());
		counter_write(ew->fd, 1);
		counter_read(ew->back);
	}
	return NULL;
}

/*
 * The writer waits for "done" on the back channel before its next write,
 * so the time it stored is the one of the write that woke us.
 */
static void *wake_waiter(void *arg)
{
	struct epoll_wake *ew = arg;
	struct epoll_event ev;
	uint64_t woken;

	pin_self(cpu_of(1));
	pthread_barrier_wait(&ew->start);
	for (;;) {
		if (epoll_wait(ew->epfd, &ev, 1, -1) != 1) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		woken = now_ns();
		counter_read(ew->fd);
		if (atomic_load(&ew->stop_waiter))
			break;
		samples_add(ew->wakeups, woken - atomic_load(&ew->sent));
		counter_write(ew->back, 1);
	}
	return NULL;
}

/* One run: wakeups until the time is up; stopped as pingpong_run(). */
static void epoll_run(const struct variant *v, struct samples *wakeups)
{
	struct epoll_wake ew = {
		.fd = counter_open(v, 0, EFD_NONBLOCK),
		.back = eventfd(0, 0),
		.epfd = epoll_create1(0),
		.wakeups = wakeups,
	};
	struct epoll_event ev = { .events = EPOLLIN };
	pthread_t w, e;

	if (ew.back < 0 || ew.epfd < 0)
		die("eventfd/epoll_create1");
	if (epoll_ctl(ew.epfd, EPOLL_CTL_ADD, ew.fd, &ev))
		die("epoll_ctl");
	wakeups->n = 0;
	pthread_barrier_init(&ew.start, NULL, 3);
	start_thread(&w, wake_writer, &ew);
	start_thread(&e, wake_waiter, &ew);
	pthread_barrier_wait(&ew.start);
	sleep_ms(opt.duration_ms);
	atomic_store(&ew.stop_writer, true);
	join_thread(w);
	atomic_store(&ew.stop_waiter, true);
	counter_write(ew.fd, 1);
	join_thread(e);
	pthread_barrier_destroy(&ew.start);
	close(ew.epfd);
	close(ew.back);
	close(ew.fd);
	if (!wakeups->n)
		fail("epoll: no wakeup completed in %d ms", opt.duration_ms);
}

static void row_epoll(void)
{
	static const struct variant *const all[] = {
		&native, &ohos_exact, &ohos_transition, NULL
	};
	const struct variant *vs[3];
	double med[3][MAX_RUNS], count[3][MAX_RUNS];
	struct samples s;
	int n, i, r;

	progress("row 3: epoll wakeup, writer on CPU %d, waiter on CPU %d, %d runs of %d ms",
		 cpu_of(0), cpu_of(1), opt.runs, opt.duration_ms);
	samples_init(&s);
	n = select_variants(all, vs);
	for (r = 0; r < opt.runs; r++)
		for (i = 0; i < n; i++) {
			epoll_run(vs[i], &s);
			count[i][r] = s.n;
			med[i][r] = samples_median(&s);
		}
	for (i = 0; i < n; i++)
		report_latency(3, "epoll-wake", vs[i], med[i], count[i]);
	free(s.v);
}

/* --- row 4: multi-writer throughput --------------------------------------- */

struct writers {
	int fd;
	int epfd;			/* -1: the reader blocks in read() */
	enum reader_kind kind;
	int reader_cpu;
	pthread_barrier_t start;
	atomic_bool stop_writers;
	atomic_bool stop_reader;
	atomic_ulong writes;
	unsigned long reads;
	unsigned long returns;		/* epoll-et: epoll_wait() returns with the event */
	unsigned long timeouts;		/* epoll-et: epoll_wait() timeouts while writing */
};

struct writer_arg {
	struct writers *ws;
	int cpu;
};

static void *writer(void *arg)
{
	struct writer_arg *wa = arg;
	struct writers *ws = wa->ws;
	const uint64_t one = 1;
	unsigned long n = 0;

	pin_self(wa->cpu);
	pthread_barrier_wait(&ws->start);
	while (!atomic_load_explicit(&ws->stop_writers, memory_order_relaxed)) {
		if (write(ws->fd, &one, sizeof(one)) == sizeof(one))
			n++;
		else if (errno != EAGAIN)
			die("writer on CPU %d: write", wa->cpu);
	}
	atomic_fetch_add(&ws->writes, n);
	return NULL;
}

/* epoll_wait() until readable, then read; or a blocking read. */
static void reader_take(struct writers *ws)
{
	struct epoll_event ev;
	uint64_t value;

	if (ws->epfd >= 0 && epoll_wait(ws->epfd, &ev, 1, -1) < 0 && errno != EINTR)
		die("reader: epoll_wait");
	if (read(ws->fd, &value, sizeof(value)) == sizeof(value))
		ws->reads++;
	else if (errno != EAGAIN && errno != EINTR)
		die("reader: read");
}

/*
 * An edge-triggered consumer that never reads, as libuv, netty, mio/tokio
 * and bun use their wakeup eventfd: each return of epoll_wait() collects
 * the event, and the next write must make a new edge. A second without
 * any while the writers run would be a lost edge: counted, not waited for
 * (eventfd's semantics are the differential tests' to check).
 */
static void reader_et(struct writers *ws)
{
	struct epoll_event ev;
	int n;

	n = epoll_wait(ws->epfd, &ev, 1, 1000);
	if (n == 1)
		ws->returns++;
	else if (n == 0 && !atomic_load(&ws->stop_writers))
		ws->timeouts++;
	else if (n < 0 && errno != EINTR)
		die("reader: epoll_wait");
}

static void *reader(void *arg)
{
	struct writers *ws = arg;

	pin_self(ws->reader_cpu);
	pthread_barrier_wait(&ws->start);
	while (!atomic_load(&ws->stop_reader)) {
		if (ws->kind == READER_EPOLL_ET)
			reader_et(ws);
		else
			reader_take(ws);
	}
	return NULL;
}

struct writers_result {
	double writes_per_s;
	double reads_per_kwrite;	/* read, epoll: successful reads */
	double returns_per_kwrite;	/* epoll-et: epoll_wait() returns */
	double timeouts;		/* epoll-et: 1 s without an edge while writing */
	double fast_pct;		/* ohos: writes that took the per-CPU path */
	double wakeups_per_kwrite;	/* ohos: wakeups issued */
	double locked_per_kwrite;	/* ohos: writes that took the lock (slow_writes) */
};

static void ohos_stats(int fd, struct ohos_efd_stats *st)
{
	if (ioctl(fd, OHOS_EFD_IOC_GET_STATS, st))
		die("OHOS_EFD_IOC_GET_STATS");
}

/*
 * @nwriters writers on the first CPUs, the reader on the last one. The
 * reader is stopped after the writers by one more write (for epoll-et, a
 * new edge: its last epoll_wait() returned before it), and that write is
 * not counted.
 */
static struct writers_result writers_run(const struct variant *v, int nwriters,
					 enum reader_kind kind)
{
	bool use_epoll = kind != READER_READ;
	struct writers ws = {
		.fd = counter_open(v, 0, use_epoll ? EFD_NONBLOCK : 0),
		.epfd = -1,
		.kind = kind,
		.reader_cpu = cpu_of(ncpus - 1),
	};
	struct writer_arg args[MAX_CPUS];
	pthread_t threads[MAX_CPUS], rd;
	struct writers_result res = { 0 };
	struct ohos_efd_stats st;
	uint64_t start, elapsed;
	int i;

	if (use_epoll) {
		struct epoll_event ev = {
			.events = EPOLLIN | (kind == READER_EPOLL_ET ? EPOLLET : 0)
		};

		ws.epfd = epoll_create1(0);
		if (ws.epfd < 0 || epoll_ctl(ws.epfd, EPOLL_CTL_ADD, ws.fd, &ev))
			die("epoll_create1/epoll_ctl");
	}
	pthread_barrier_init(&ws.start, NULL, nwriters + 2);
	start_thread(&rd, reader, &ws);
	for (i = 0; i < nwriters; i++) {
		args[i] = (struct writer_arg){ &ws, cpu_of(i) };
		start_thread(&threads[i], writer, &args[i]);
	}
	pthread_barrier_wait(&ws.start);
	start = now_ns();
	sleep_ms(opt.duration_ms);
	atomic_store(&ws.stop_writers, true);
	elapsed = now_ns() - start;
	for (i = 0; i < nwriters; i++)
		join_thread(threads[i]);
	if (v->impl == IMPL_OHOS)
		ohos_stats(ws.fd, &st);
	atomic_store(&ws.stop_reader, true);
	counter_write(ws.fd, 1);
	join_thread(rd);
	pthread_barrier_destroy(&ws.start);
	if (ws.epfd >= 0)
		close(ws.epfd);
	close(ws.fd);

	res.writes_per_s = (double)ws.writes * 1e9 / (double)elapsed;
	res.timeouts = (double)ws.timeouts;
	if (ws.writes) {
		res.reads_per_kwrite = 1000.0 * (double)ws.reads / (double)ws.writes;
		res.returns_per_kwrite = 1000.0 * (double)ws.returns / (double)ws.writes;
		if (v->impl == IMPL_OHOS) {
			res.fast_pct = 100.0 * (double)st.fast_writes / (double)st.writes;
			res.wakeups_per_kwrite = 1000.0 * (double)st.wakeups / (double)st.writes;
			res.locked_per_kwrite = 1000.0 * (double)st.slow_writes / (double)st.writes;
		}
	}
	return res;
}

/* The median over the runs of the field at @offset of each result. */
static double writers_median(const struct writers_result *res, size_t offset)
{
	double v[MAX_RUNS];
	int r;

	for (r = 0; r < opt.runs; r++)
		v[r] = *(const double *)((const char *)&res[r] + offset);
	return median(v, opt.runs);
}

#define WMED(res, field) writers_median(res, offsetof(struct writers_result, field))

/*
 * The figure and, as keys, the medians of what explains it; epoll-et
 * counts epoll_wait() returns (and timeouts, summed) instead of reads.
 */
static void writers_report(const struct variant *v, int nwriters, enum reader_kind kind,
			   struct writers_result *res)
{
	double tput[MAX_RUNS], timeouts = 0;
	char keys[256];
	int r, len;

	for (r = 0; r < opt.runs; r++) {
		tput[r] = res[r].writes_per_s;
		timeouts += res[r].timeouts;
	}
	len = snprintf(keys, sizeof(keys), "reader=%s n=%d", reader_names[kind], nwriters);
	if (kind == READER_EPOLL_ET)
		len += snprintf(keys + len, sizeof(keys) - len,
				" returns_per_kwrite=%.1f timeouts=%.0f",
				WMED(res, returns_per_kwrite), timeouts);
	else
		len += snprintf(keys + len, sizeof(keys) - len, " reads_per_kwrite=%.1f",
				WMED(res, reads_per_kwrite));
	if (v->impl == IMPL_OHOS)
		snprintf(keys + len, sizeof(keys) - len,
			 " fast_pct=%.1f wakeups_per_kwrite=%.1f locked_per_kwrite=%.1f"
			 " fast_path=%s coalesce=%s",
			 WMED(res, fast_pct), WMED(res, wakeups_per_kwrite),
			 WMED(res, locked_per_kwrite), fast_path, coalesce);
	report(4, "writers", v->name, keys, "writes/s", tput, opt.runs);
}

static void row_writers(void)
{
	static const struct variant *const all[] = {
		&native, &ohos_exact, &ohos_transition, NULL
	};
	const struct variant *vs[3];
	static struct writers_result res[3][MAX_RUNS];
	int n, i, r, nwriters, kind;

	n = select_variants(all, vs);
	for (kind = 0; kind < NREADERS; kind++) {
		if (!(opt.readers & (1u << kind)))
			continue;
		for (nwriters = 1; nwriters <= ncpus; nwriters++) {
			progress("row 4: %d writer(s), reader on CPU %d by %s, %d runs of %d ms",
				 nwriters, cpu_of(ncpus - 1), reader_names[kind],
				 opt.runs, opt.duration_ms);
			for (r = 0; r < opt.runs; r++)
				for (i = 0; i < n; i++)
					if (kind != READER_EPOLL_ET || vs[i] != &ohos_transition)
						res[i][r] = writers_run(vs[i], nwriters, kind);
			for (i = 0; i < n; i++)
				if (kind != READER_EPOLL_ET || vs[i] != &ohos_transition)
					writers_report(vs[i], nwriters, kind, res[i]);
		}
	}
}

/* --- row 5: memory per idle instance -------------------------------------- */

struct slab_cache {
	char name[64];
	long active;		/* objects in use */
	long objsize;
};

struct mem_snapshot {
	long slab_kb;
	long percpu_kb;
	struct slab_cache *caches;
	int ncaches;
};

static long meminfo_kb(const char *text, const char *key)
{
	const char *line = strstr(text, key);

	if (!line)
		fail("no %s in /proc/meminfo", key);
	return strtol(line + strlen(key), NULL, 10);
}

/*
 * @path, opened at the first call and kept open, rewound at the others:
 * opening it at each snapshot would allocate a file (and its LSM blob)
 * after the slab caches were shrunk (row 7's written_quiesce()), taking
 * a slab of each of their caches as a CPU's slab, whose free objects
 * /proc/slabinfo counts as in use.
 */
static FILE *proc_file(FILE **f, const char *path)
{
	if (!*f) {
		*f = fopen(path, "re");
		if (!*f)
			die("open %s%s", path, strcmp(path, "/proc/slabinfo") ? "" : " (rows 5 and 7 need root)");
	} else {
		rewind(*f);
	}
	return *f;
}

static void read_meminfo(struct mem_snapshot *s)
{
	static FILE *meminfo;
	char text[8192];
	size_t len;
	FILE *f = proc_file(&meminfo, "/proc/meminfo");

	len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	s->slab_kb = meminfo_kb(text, "\nSlab:");
	s->percpu_kb = meminfo_kb(text, "\nPercpu:");
}

static void read_slabinfo(struct mem_snapshot *s)
{
	static FILE *slabinfo;
	FILE *f = proc_file(&slabinfo, "/proc/slabinfo");
	char line[512];
	int cap = 0;

	s->ncaches = 0;
	s->caches = NULL;
	while (fgets(line, sizeof(line), f)) {
		struct slab_cache c;
		long num;

		if (sscanf(line, "%63s %ld %ld %ld", c.name, &c.active, &num, &c.objsize) != 4)
			continue;
		if (s->ncaches == cap) {
			cap = cap ? 2 * cap : 256;
			s->caches = realloc(s->caches, cap * sizeof(*s->caches));
			if (!s->caches)
				die("realloc");
		}
		s->caches[s->ncaches++] = c;
	}
}

static void mem_snapshot(struct mem_snapshot *s)
{
	read_meminfo(s);
	read_slabinfo(s);
}

/*
 * Freed files and contexts go back to their caches after an RCU grace
 * period: let the previous phase's frees finish before a snapshot.
 */
static void mem_settle(void)
{
	sleep_ms(1000);
}

/*
 * Caches whose objects in use changed by at least 1 byte per instance;
 * @tag names the figure ("row=5").
 */
static void report_cache_deltas(const char *tag, const char *impl, const struct mem_snapshot *a,
				const struct mem_snapshot *b, long n)
{
	int i, j;

	for (j = 0; j < b->ncaches; j++) {
		long before = 0, delta;

		for (i = 0; i < a->ncaches; i++)
			if (!strcmp(a->caches[i].name, b->caches[j].name))
				before = a->caches[i].active;
		delta = (b->caches[j].active - before) * b->caches[j].objsize;
		if (labs(delta) >= n)
			printf("slab %s impl=%s cache=%s objsize=%ld objects=%ld bytes_per_instance=%.1f\n",
			       tag, impl, b->caches[j].name, b->caches[j].objsize,
			       b->caches[j].active - before, (double)delta / (double)n);
	}
}

static void memory_measure(const struct variant *v, int *fds, long n)
{
	struct mem_snapshot a, b;
	double per_instance;
	char keys[96];
	long i;

	mem_settle();
	mem_snapshot(&a);
	for (i = 0; i < n; i++)
		fds[i] = counter_open(v, 0, EFD_CLOEXEC | EFD_NONBLOCK);
	mem_snapshot(&b);
	per_instance = (double)((b.slab_kb - a.slab_kb) + (b.percpu_kb - a.percpu_kb)) *
		       1024.0 / (double)n;
	snprintf(keys, sizeof(keys), "instances=%ld slab_kb=%ld percpu_kb=%ld", n,
		 b.slab_kb - a.slab_kb, b.percpu_kb - a.percpu_kb);
	report(5, "memory", v->name, keys, "bytes/instance", &per_instance, 1);
	report_cache_deltas("row=5", v->name, &a, &b, n);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(a.caches);
	free(b.caches);
}

/*
 * Room for @n more fds: RLIMIT_NOFILE raised and the fd table grown
 * beforehand, so that its growth (vmalloc'ed for this many fds, the same
 * for both implementations) is not counted.
 */
static void grow_fd_table(long n, const char *row)
{
	struct rlimit rl = { n + 64, n + 64 };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit RLIMIT_NOFILE to %ld (%s needs root or a hard limit that high)",
		    n + 64, row);
	if (dup2(0, (int)n + 32) < 0)
		die("dup2 to grow the fd table");
	close((int)n + 32);
}

static void row_memory(void)
{
	static const struct variant *const all[] = { &native, &ohos_exact, &ohos_ioctl, NULL };
	const struct variant *vs[3];
	int *fds, n, i;

	progress("row 5: memory of %ld idle instances", opt.instances);
	grow_fd_table(opt.instances, "row 5");
	fds = malloc(opt.instances * sizeof(*fds));
	if (!fds)
		die("malloc");
	n = select_variants(all, vs);
	for (i = 0; i < n; i++)
		memory_measure(vs[i], fds, opt.instances);
	free(fds);
}

/* --- row 6: create + close ------------------------------------------------- */

static void create_native(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		die("eventfd");
	close(fd);
}

static void create_open(void)
{
	int fd = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		die("open %s", OHOS_EVENTFD_DEVICE);
	close(fd);
}

/* A character device without misc_open(): what the path walk costs. */
static void create_devnull(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		die("open /dev/null");
	close(fd);
}

static void create_ioctl(void)
{
	close(ohos_create(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

/* What programs and the LD_PRELOAD shim pay: the library around the ioctl. */
static void create_library(void)
{
	int fd = ohos_eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0)
		die("ohos_eventfd: %s", ohos_eventfd_last_error());
	close(fd);
}

struct create_test {
	const char *name;
	const char *impl;
	void (*create)(void);
	enum impl needs;
};

static const struct create_test create_tests[] = {
	{ "eventfd2+close", "native", create_native, IMPL_NATIVE },
	{ "open+close", "ohos", create_open, IMPL_OHOS },
	{ "ioctl-create+close", "ohos", create_ioctl, IMPL_OHOS },
	{ "library-create+close", "ohos", create_library, IMPL_OHOS },
	{ "open-devnull+close", "none", create_devnull, IMPL_NATIVE },
};

#define NCREATE	(sizeof(create_tests) / sizeof(create_tests[0]))

static double time_creates(void (*create)(void), long iters)
{
	uint64_t start = now_ns(), elapsed;
	long i;

	for (i = 0; i < iters; i++)
		create();
	elapsed = now_ns() - start;
	return (double)(elapsed > clock_cost ? elapsed - clock_cost : 0) / (double)iters;
}

static void row_create(void)
{
	double v[NCREATE][MAX_RUNS];
	size_t i;
	int r;

	progress("row 6: create + close, %d loops of %ld", opt.loops, opt.create_iters);
	measure_clock_cost();
	if (opt.ohos)
		factory();
	for (i = 0; i < NCREATE; i++)
		if (impl_selected(create_tests[i].needs))
			time_creates(create_tests[i].create, opt.create_iters);
	for (r = 0; r < opt.loops; r++)
		for (i = 0; i < NCREATE; i++)
			if (impl_selected(create_tests[i].needs))
				v[i][r] = time_creates(create_tests[i].create, opt.create_iters);
	for (i = 0; i < NCREATE; i++)
		if (impl_selected(create_tests[i].needs))
			report(6, create_tests[i].name, create_tests[i].impl, "",
			       "ns/instance", v[i], opt.loops);
}

/* --- row 7: memory of counters written from k CPUs (issue 16) ------------- */

/*
 * Row 7: the pause after a grace period: longer than the 5 s for which
 * kfree_rcu() batches what it frees (KFREE_DRAIN_JIFFIES), which 6.12's
 * epoll uses for its items.
 */
#define WRITTEN_SETTLE_MS	6000

/*
 * Every slab cache shrunk: writing 1 to /sys/kernel/slab/<cache>/shrink
 * (kmem_cache_shrink()) flushes the CPUs' slabs to the node's partial
 * lists and frees the slabs left empty, so that a snapshot's objects in
 * use (/proc/slabinfo counts the free objects of per-CPU slabs as in
 * use) are the objects allocated, and its Slab holds no empty slab. The
 * shrink files are opened once (slab_shrink_init(), before the row's
 * first snapshot) and kept: a file opened and closed at each snapshot
 * would be freed after an RCU grace period (6.1), some of them after the
 * snapshot, in the cache of the counters' own files.
 */
#define SLAB_SHRINK_MAX		1024
static int shrink_fds[SLAB_SHRINK_MAX], nshrink;

static void slab_shrink_init(void)
{
	DIR *dir = opendir("/sys/kernel/slab");
	char path[320];
	struct dirent *e;
	int fd;

	if (!dir)
		return;
	while ((e = readdir(dir)) && nshrink < SLAB_SHRINK_MAX) {
		/* Merged caches' other names are symlinks to the same directory. */
		if (e->d_name[0] == '.' || e->d_type == DT_LNK)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0)
			shrink_fds[nshrink++] = fd;
	}
	closedir(dir);
}

/* The caches shrunk, 0 without SLUB's sysfs (or without root). */
static int slab_shrink_all(void)
{
	int i, n = 0;

	for (i = 0; i < nshrink; i++)
		n += pwrite(shrink_fds[i], "1", 1, 0) == 1;
	return n;
}

/*
 * Before a snapshot: every fdinfo read opens and closes a file, and a
 * closed file (like a removed epoll item) goes back to its cache after an
 * RCU grace period, which under a loaded TCG host can take longer than
 * the figure's last reads: counted as in use otherwise.
 * MEMBARRIER_CMD_GLOBAL waits for a grace period (synchronize_rcu()); the
 * pause lets the callbacks run; then every cache is shrunk
 * (slab_shrink_all()). Returns how many caches were.
 */
static int written_quiesce(void)
{
	int i;

	for (i = 0; i < 2; i++)
		if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0)) {
			sleep_ms(1000);
			return slab_shrink_all();
		}
	sleep_ms(WRITTEN_SETTLE_MS);
	return slab_shrink_all();
}

/* CPUs in /sys/devices/system/cpu/possible ("0-63", "0,2-5"). */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	int a, b, n = 0;
	char sep;

	if (!f)
		die("open /sys/devices/system/cpu/possible");
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%d%c", &b, &sep) < 1)
			break;
		n += b - a + 1;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n;
}

/*
 * Counters' fdinfo is read through one fd number, the probe: the counter
 * is dup2()ed onto it and /proc/self/fdinfo/<probe>, opened once, is read
 * again from offset 0 (its seq_file shows whatever file the number holds
 * at each read). Opening /proc/self/fdinfo/N for each read would allocate
 * a file (freed after an RCU grace period) in the cache of the counters'
 * own files, and a proc inode and dentry per fd number.
 */
static int probe_fd = -1, probe_info = -1;

/* The probe at fd number @number (above every fd the row will have). */
static void fdinfo_probe_init(int number)
{
	char path[64];

	if (dup2(0, number) < 0)
		die("dup2 to fd %d", number);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", number);
	probe_info = open(path, O_RDONLY | O_CLOEXEC);
	if (probe_info < 0)
		die("open %s", path);
	probe_fd = number;
}

/* What a counter's fdinfo says about its rings. */
enum rings_line { RINGS_NONE, RINGS_COUNT, RINGS_PERCPU };

static const char *const rings_line_names[] = { "none", "rings", "percpu" };

/*
 * The rings of counter @fd from /proc/self/fdinfo: "ohos_eventfd-rings: N"
 * (the CPUs that have a ring; issue 16's module), or, from a module before
 * it, "ohos_eventfd-percpu: 0|1" (rings for every possible CPU or none).
 * *@line says which; native eventfd has neither (0).
 */
static int counter_rings(int fd, enum rings_line *line)
{
	char text[1024], *p;
	ssize_t len;

	if (probe_info < 0)
		fail("counter_rings() before fdinfo_probe_init()");
	if (dup2(fd, probe_fd) < 0)
		die("dup2 fd %d to the probe", fd);
	len = pread(probe_info, text, sizeof(text) - 1, 0);
	if (len < 0)
		die("read /proc/self/fdinfo/%d (fd %d)", probe_fd, fd);
	text[len] = '\0';
	p = strstr(text, "ohos_eventfd-rings:");
	if (p) {
		*line = RINGS_COUNT;
		return atoi(p + strlen("ohos_eventfd-rings:"));
	}
	p = strstr(text, "ohos_eventfd-percpu:");
	if (p) {
		*line = RINGS_PERCPU;
		return atoi(p + strlen("ohos_eventfd-percpu:"));
	}
	*line = RINGS_NONE;
	return 0;
}

/*
 * The rings a counter written from @k CPUs by row 7 must end with: one on
 * each of them (issue 16's module), or, before issue 16, its per-CPU rings
 * at all (fdinfo "ohos_eventfd-percpu: 1"). A single CPU never finds the
 * counter's lock held (its own writers hold it with interrupts off), so a
 * counter written from one CPU must have none.
 */
static int rings_expected(int k, enum rings_line line)
{
	if (k < 2)
		return 0;
	return line == RINGS_PERCPU ? 1 : k;
}

/*
 * Row 7's contention, made the way efd_give_rings() of the tests' library
 * makes it (there per counter, here with threads and epoll sets made once):
 * on each of the k CPUs a writer thread writes 0 in a loop, and a holder
 * thread writes 0 too, which, with the counter in WRITTEN_WATCHERS epoll
 * sets, wakes all of them with the counter's lock held (64 ep_poll_callback()
 * runs: a long hold), then collects the first set's event (epoll_wait(),
 * timeout 0), so that its next write wakes them all again (ohos_eventfd's
 * exact mode sends one wakeup until it is collected). A writer on another
 * CPU that arrives meanwhile finds the lock held, and a write that could
 * have taken the per-CPU path gives its CPU a ring. The count stays 0.
 * Native eventfd gets the same threads, epoll sets and writes.
 */
#define WRITTEN_WATCHERS	64
/* Writes each of the 2k threads makes on a counter, at least (both impls). */
#define WRITTEN_MIN_WRITES	16
/* How often the caller looks at the threads' progress and the counter's fdinfo. */
#define WRITTEN_POLL_US		500
/*
 * Native counters opened (not written) before the row's first snapshot:
 * their files, dentries and contexts fill the free slots the boot left in
 * the partly used slabs of the caches every figure allocates from, which
 * would otherwise take a figure's first objects without a new page.
 */
#define WRITTEN_FILL		10000

/*
 * The row's threads, made once before its first snapshot so that no figure
 * counts their allocations or the frees of their exit: for each CPU i of
 * the row, a writer and a holder pinned on CPU i. A figure with k writer
 * CPUs runs those of CPUs 0..k-1 on each counter in turn, started (go) and
 * stopped (stop, done) per counter; between counters they wait on a futex.
 * The caller, pinned on CPU 0, only adds the counter to the epoll sets,
 * watches and removes it: it never writes.
 */
struct written_thread {
	atomic_uint go;
	atomic_long writes;	/* this thread's writes to the current counter */
	pthread_t thread;
	int cpu;
	bool holder;
	struct written *w;
};

struct written {
	atomic_uint done;	/* threads that stopped writing */
	atomic_uint arrived;	/* threads that started writing */
	atomic_bool stop;	/* the counter's writes are over */
	atomic_bool quit;
	atomic_int cur;		/* the counter being written */
	int k;			/* writer CPUs of the current figure */
	int nthreads;		/* 2 per CPU: writer 2i, holder 2i + 1, on CPU i */
	int ep[WRITTEN_WATCHERS];
	struct written_thread t[2 * MAX_CPUS];
};

static void futex_wait(atomic_uint *word, unsigned int val)
{
	if (syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0) && errno != EAGAIN &&
	    errno != EINTR)
		die("futex wait");
}

static void futex_wake(atomic_uint *word)
{
	if (syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0) < 0)
		die("futex wake");
}

static void *written_worker(void *arg)
{
	struct written_thread *t = arg;
	struct written *w = t->w;
	unsigned int seen = 0, g;
	struct epoll_event ev;
	int fd;

	pin_self(t->cpu);
	for (;;) {
		while ((g = atomic_load(&t->go)) == seen)
			futex_wait(&t->go, seen);
		seen = g;
		if (atomic_load(&w->quit))
			return NULL;
		fd = atomic_load(&w->cur);
		atomic_fetch_add(&w->arrived, 1);
		while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
			counter_write(fd, 0);
			atomic_fetch_add_explicit(&t->writes, 1, memory_order_relaxed);
			if (t->holder && epoll_wait(w->ep[0], &ev, 1, 0) < 0 && errno != EINTR)
				die("epoll_wait");
		}
		if (atomic_fetch_add(&w->done, 1) + 1 == 2 * (unsigned int)w->k)
			futex_wake(&w->done);
	}
}

/* The epoll sets and the 2 threads on each of the first @n CPUs; the caller on the first. */
static void written_start(struct written *w, int n)
{
	int i;

	atomic_init(&w->done, 0);
	atomic_init(&w->arrived, 0);
	atomic_init(&w->stop, false);
	atomic_init(&w->quit, false);
	atomic_init(&w->cur, -1);
	w->k = 1;
	w->nthreads = 2 * n;
	for (i = 0; i < WRITTEN_WATCHERS; i++) {
		w->ep[i] = epoll_create1(EPOLL_CLOEXEC);
		if (w->ep[i] < 0)
			die("epoll_create1");
	}
	pin_self(cpu_of(0));
	for (i = 0; i < w->nthreads; i++) {
		atomic_init(&w->t[i].go, 0);
		atomic_init(&w->t[i].writes, 0);
		w->t[i].cpu = cpu_of(i / 2);
		w->t[i].holder = i % 2;
		w->t[i].w = w;
		start_thread(&w->t[i].thread, written_worker, &w->t[i]);
	}
}

static void written_stop(struct written *w)
{
	int i;

	atomic_store(&w->quit, true);
	for (i = 0; i < w->nthreads; i++) {
		atomic_fetch_add(&w->t[i].go, 1);
		futex_wake(&w->t[i].go);
		join_thread(w->t[i].thread);
	}
	for (i = 0; i < WRITTEN_WATCHERS; i++)
		close(w->ep[i]);
}

static void written_watch(struct written *w, int fd, int op)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	for (i = 0; i < WRITTEN_WATCHERS; i++)
		if (epoll_ctl(w->ep[i], op, fd, &ev))
			die("epoll_ctl %s counter fd %d", op == EPOLL_CTL_ADD ? "ADD" : "DEL", fd);
}

/* The threads of CPUs 0..k-1 writing to @fd. */
static void written_go(struct written *w, int fd)
{
	int i, n = 2 * w->k;

	atomic_store(&w->done, 0);
	atomic_store(&w->arrived, 0);
	atomic_store(&w->stop, false);
	atomic_store(&w->cur, fd);
	for (i = 0; i < n; i++) {
		atomic_store(&w->t[i].writes, 0);
		atomic_fetch_add(&w->t[i].go, 1);
		futex_wake(&w->t[i].go);
	}
}

/* Stop them; returns the writes they made. */
static long written_halt(struct written *w)
{
	unsigned int done, n = 2 * (unsigned int)w->k;
	long writes = 0;
	unsigned int i;

	atomic_store(&w->stop, true);
	while ((done = atomic_load(&w->done)) != n)
		futex_wait(&w->done, done);
	for (i = 0; i < n; i++)
		writes += atomic_load(&w->t[i].writes);
	return writes;
}

/* Has every running thread made WRITTEN_MIN_WRITES writes to the counter? */
static bool written_enough(struct written *w)
{
	int i;

	if (atomic_load(&w->arrived) < 2 * (unsigned int)w->k)
		return false;
	for (i = 0; i < 2 * w->k; i++)
		if (atomic_load_explicit(&w->t[i].writes, memory_order_relaxed) < WRITTEN_MIN_WRITES)
			return false;
	return true;
}

/*
 * A counter the way libohos_eventfd makes it, or a native eventfd. Not
 * checked here with ohos_eventfd_is_ohos(), whose readlink() of
 * /proc/self/fd/N would add a proc inode per fd number: row_written()
 * checks the first, written_tally() every counter's fdinfo.
 */
static int written_open(enum impl impl)
{
	int fd;

	if (impl == IMPL_NATIVE)
		return counter_open(&native, 0, EFD_CLOEXEC | EFD_NONBLOCK);
	fd = ohos_eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		fail("ohos_eventfd: %s", ohos_eventfd_last_error());
	return fd;
}

/* What the writes of one figure gave the counters. */
struct written_rings {
	enum rings_line line;
	long reached;		/* counters with exactly rings_expected() rings */
	long with_rings;	/* counters with any ring */
	long rings;		/* rings over all counters (RINGS_COUNT) */
	long writes;		/* writes over all counters */
	long worst_ms;		/* the longest a counter took */
	long late;		/* counters whose budget ran out */
};

/* Counter @fd's rings after its writes, from its fdinfo (ohos_eventfd). */
static void written_tally(struct written_rings *t, enum impl impl, int fd, int k, long writes,
			  uint64_t start)
{
	long ms = (long)((now_ns() - start) / 1000000);
	int rings = 0;

	if (impl == IMPL_OHOS) {
		rings = counter_rings(fd, &t->line);
		if (t->line == RINGS_NONE)
			fail("fd %d from ohos_eventfd() has no ohos_eventfd lines in its fdinfo", fd);
		t->reached += rings == rings_expected(k, t->line);
	}
	t->with_rings += rings > 0;
	t->rings += t->line == RINGS_COUNT ? rings : 0;
	t->writes += writes;
	if (ms > t->worst_ms)
		t->worst_ms = ms;
}

/*
 * Each counter in turn: added to the epoll sets, written by the threads of
 * the k CPUs until each made WRITTEN_MIN_WRITES writes and, on
 * ohos_eventfd, its fdinfo shows rings_expected() rings, or
 * --written-budget ms have passed; then stopped, removed from the sets and
 * its rings counted. Native eventfd stops at WRITTEN_MIN_WRITES (it has no
 * rings to wait for); both read their fdinfo at each look.
 */
static void written_drive(struct written *w, enum impl impl, int *fds, long n,
			  struct written_rings *t)
{
	uint64_t budget = (uint64_t)opt.written_budget_ms * 1000000, start;
	enum rings_line line = RINGS_NONE;
	long i;
	int rings;

	for (i = 0; i < n; i++) {
		start = now_ns();
		written_watch(w, fds[i], EPOLL_CTL_ADD);
		written_go(w, fds[i]);
		for (;;) {
			usleep(WRITTEN_POLL_US);
			if (!written_enough(w))
				rings = -1;
			else
				rings = counter_rings(fds[i], &line);
			if (rings >= 0 && (impl == IMPL_NATIVE || rings == rings_expected(w->k, line)))
				break;
			if (now_ns() - start >= budget) {
				t->late++;
				break;
			}
		}
		written_tally(t, impl, fds[i], w->k, written_halt(w), start);
		written_watch(w, fds[i], EPOLL_CTL_DEL);
	}
}

/*
 * Before the row's first snapshot, not reported: the whole pattern on @n
 * native counters (kept open) with every CPU of the row writing, so that
 * the caches of what the pattern makes and frees per counter (epoll items,
 * the files of fdinfo reads) have grown to what a figure needs.
 */
static void written_warm_up(struct written *w, int maxk, int *fds, long n)
{
	struct written_rings t = { RINGS_NONE, 0, 0, 0, 0, 0, 0 };
	long i;

	w->k = maxk;
	for (i = 0; i < n; i++)
		fds[i] = written_open(IMPL_NATIVE);
	written_drive(w, IMPL_NATIVE, fds, n, &t);
}

/*
 * Issue 16's setup, one thread, no contention: every counter written once
 * from the first CPU, then (a migration later) twice from the second.
 */
static void written_sequential(enum impl impl, int *fds, long n, struct written_rings *t)
{
	uint64_t start = now_ns();
	long i;

	pin_self(cpu_of(0));
	for (i = 0; i < n; i++)
		counter_write(fds[i], 1);
	pin_self(cpu_of(1));
	for (i = 0; i < n; i++) {
		counter_write(fds[i], 1);
		counter_write(fds[i], 1);
	}
	pin_self(cpu_of(0));
	for (i = 0; i < n; i++)
		written_tally(t, impl, fds[i], 2, 0, start);
}

/*
 * One figure: @n counters of @impl made into @fds, written (@k CPUs at
 * once, or issue 16's sequence when @k is 0), Slab + Percpu before the
 * creations (*@before: the snapshot after the figure before, nothing runs
 * in between) and after the writes (quiesced, written_quiesce(); stored
 * into *@before for the next figure), divided by @n. The counters stay
 * open until the row ends, so that no figure fills the slots of objects
 * an earlier one freed.
 */
static void written_measure(struct written *w, enum impl impl, int k, int *fds, long n,
			    int possible, bool quiet, struct mem_snapshot *before)
{
	const char *name = impl == IMPL_NATIVE ? "native" : "ohos-library";
	struct written_rings t = { RINGS_NONE, 0, 0, 0, 0, 0, 0 };
	struct mem_snapshot a = *before, b;
	char keys[448], tag[64];
	double per_counter;
	uint64_t start;
	int shrunk;
	long i;

	w->k = k;
	start = now_ns();
	for (i = 0; i < n; i++)
		fds[i] = written_open(impl);
	if (k)
		written_drive(w, impl, fds, n, &t);
	else
		written_sequential(impl, fds, n, &t);
	shrunk = written_quiesce();
	mem_snapshot(&b);
	per_counter = (double)((b.slab_kb - a.slab_kb) + (b.percpu_kb - a.percpu_kb)) *
		      1024.0 / (double)n;
	snprintf(tag, sizeof(tag), "row=7 test=%s k=%d possible=%d", k ? "written" : "issue16",
		 k ? k : 2, possible);
	snprintf(keys, sizeof(keys),
		 "k=%d possible=%d counters=%ld slab_kb=%ld percpu_kb=%ld fdinfo=%s expected=%d reached=%ld late=%ld with_rings=%ld rings=%ld writes=%ld worst_ms=%ld budget_ms=%d min_writes=%d watchers=%d shrunk=%d settle_ms=%d fill=%d ms=%ld",
		 k ? k : 2, possible, n, b.slab_kb - a.slab_kb, b.percpu_kb - a.percpu_kb,
		 rings_line_names[t.line], k ? rings_expected(k, t.line) : 0, k ? t.reached : -1,
		 t.late, t.with_rings, t.rings, t.writes, t.worst_ms, opt.written_budget_ms,
		 k ? WRITTEN_MIN_WRITES : 0, k ? WRITTEN_WATCHERS : 0, shrunk, WRITTEN_SETTLE_MS,
		 WRITTEN_FILL, (long)((now_ns() - start) / 1000000));
	if (!quiet) {
		report(7, k ? "written" : "issue16", name, keys, "bytes/counter", &per_counter, 1);
		report_cache_deltas(tag, name, &a, &b, n);
	}
	progress("row 7: %s%s, k=%d: %.1f bytes per counter, %ld of %ld with the rings sought, %ld ms",
		 quiet ? "not reported: " : "", name, k ? k : 2, per_counter, k ? t.reached : n - t.with_rings, n,
		 (long)((now_ns() - start) / 1000000));
	free(a.caches);
	*before = b;
}

/*
 * Row 7 (issue 16): native and ohos_eventfd alternating, k = 1..4 writer
 * CPUs, then issue 16's sequential setup.
 */
static void row_written(void)
{
	static const enum impl impls[] = { IMPL_NATIVE, IMPL_OHOS };
	int possible = possible_cpus(), maxk = opt.written_max_k, nimpl, k, i, *fds;
	long total, used = 0;
	struct mem_snapshot snap;
	struct written w;
	cpu_set_t all;

	if (maxk > ncpus)
		maxk = ncpus;
	progress("row 7: memory of %ld counters written from k = 1..%d CPUs at once (%d possible CPUs), then %ld written from 2 CPUs in turn",
		 opt.written_counters, maxk, possible, opt.issue_counters);
	if (sched_getaffinity(0, sizeof(all), &all))
		die("sched_getaffinity");
	nimpl = opt.native + opt.ohos;
	total = nimpl * (maxk * opt.written_counters + (ncpus >= 2 ? opt.issue_counters : 0)) +
		2 * opt.written_counters + WRITTEN_FILL;
	grow_fd_table(total + 16 + WRITTEN_WATCHERS + SLAB_SHRINK_MAX, "row 7");
	fdinfo_probe_init((int)total + 8 + WRITTEN_WATCHERS + SLAB_SHRINK_MAX);
	slab_shrink_init();
	fds = malloc(total * sizeof(*fds));
	if (!fds)
		die("malloc");
	/* The library's factory fd first, below the counters' numbers. */
	if (opt.ohos) {
		i = written_open(IMPL_OHOS);
		if (ohos_eventfd_is_ohos(i) != 1)
			fail("ohos_eventfd() returned a native eventfd: %s", ohos_eventfd_last_error());
		close(i);
	}
	written_start(&w, maxk);
	/*
	 * Not reported: native counters that fill what the boot left free in
	 * the partly used slabs of the caches they share with every figure,
	 * written as the figures write theirs (written_warm_up()).
	 */
	progress("row 7: warm-up, %d native counters opened, %ld written from %d CPUs",
		 WRITTEN_FILL, opt.written_counters, maxk);
	for (i = 0; i < WRITTEN_FILL; i++)
		fds[used++] = written_open(IMPL_NATIVE);
	written_warm_up(&w, maxk, fds + used, opt.written_counters);
	used += opt.written_counters;
	/*
	 * Nor is a first figure (native, k = 1): in trials the first figure
	 * of a boot, whichever it was, saw objects of other caches freed
	 * (some 70 proc inodes and 280 LSM inode blobs per 300 counters).
	 */
	written_quiesce();
	mem_snapshot(&snap);
	written_measure(&w, IMPL_NATIVE, 1, fds + used, opt.written_counters, possible, true, &snap);
	used += opt.written_counters;
	for (k = 1; k <= maxk; k++)
		for (i = 0; i < 2; i++)
			if (impl_selected(impls[i])) {
				written_measure(&w, impls[i], k, fds + used,
						opt.written_counters, possible, false, &snap);
				used += opt.written_counters;
			}
	if (ncpus >= 2 && opt.issue_counters)
		for (i = 0; i < 2; i++)
			if (impl_selected(impls[i])) {
				written_measure(&w, impls[i], 0, fds + used,
						opt.issue_counters, possible, false, &snap);
				used += opt.issue_counters;
			}
	written_stop(&w);
	free(snap.caches);
	while (nshrink > 0)
		close(shrink_fds[--nshrink]);
	while (used > 0)
		close(fds[--used]);
	free(fds);
	if (sched_setaffinity(0, sizeof(all), &all))
		die("sched_setaffinity");
}

/* --- main ------------------------------------------------------------------ */

static long parse_long(const char *opt_name, const char *arg, long min, long max)
{
	char *end;
	long val;

	errno = 0;
	val = strtol(arg, &end, 10);
	if (errno || *end || end == arg || val < min || val > max) {
		fprintf(stderr, "ohos_eventfd_bench: %s takes a number from %ld to %ld, not '%s'\n",
			opt_name, min, max, arg);
		exit(EXIT_USAGE);
	}
	return val;
}

/* A comma-separated list of row 1's test names, checked. */
static const char *parse_path_tests(const char *arg)
{
	const char *p = arg, *end;
	size_t i, len;

	do {
		end = strchrnul(p, ',');
		len = (size_t)(end - p);
		for (i = 0; i < sizeof(path_tests) / sizeof(path_tests[0]); i++)
			if (strlen(path_tests[i].name) == len && !strncmp(path_tests[i].name, p, len))
				break;
		if (i == sizeof(path_tests) / sizeof(path_tests[0])) {
			fprintf(stderr, "ohos_eventfd_bench: --path-tests: no test '%.*s' in row 1\n",
				(int)len, p);
			exit(EXIT_USAGE);
		}
		p = end + 1;
	} while (*end);
	return arg;
}

/* A comma-separated list of row 4's reader kinds, as bits. */
static unsigned int parse_readers(const char *arg)
{
	const char *p = arg, *end;
	unsigned int bits = 0;
	size_t len;
	int k;

	do {
		end = strchrnul(p, ',');
		len = (size_t)(end - p);
		for (k = 0; k < NREADERS; k++)
			if (strlen(reader_names[k]) == len && !strncmp(reader_names[k], p, len))
				break;
		if (k == NREADERS) {
			fprintf(stderr, "ohos_eventfd_bench: --readers takes read, epoll, epoll-et, not '%.*s'\n",
				(int)len, p);
			exit(EXIT_USAGE);
		}
		bits |= 1u << k;
		p = end + 1;
	} while (*end);
	return bits;
}

static void parse_option(const char *o, const char *arg)
{
	if (!strcmp(o, "--iters"))
		opt.iters = parse_long(o, arg, 10, LONG_MAX / 2);
	else if (!strcmp(o, "--create-iters"))
		opt.create_iters = parse_long(o, arg, 10, LONG_MAX / 2);
	else if (!strcmp(o, "--loops"))
		opt.loops = (int)parse_long(o, arg, 1, MAX_RUNS);
	else if (!strcmp(o, "--runs"))
		opt.runs = (int)parse_long(o, arg, 1, MAX_RUNS);
	else if (!strcmp(o, "--duration"))
		opt.duration_ms = (int)parse_long(o, arg, 10, 600000);
	else if (!strcmp(o, "--instances"))
		opt.instances = parse_long(o, arg, 1, 10000000);
	else if (!strcmp(o, "--written-counters"))
		opt.written_counters = parse_long(o, arg, 1, 10000000);
	else if (!strcmp(o, "--issue-counters"))
		opt.issue_counters = parse_long(o, arg, 0, 10000000);
	else if (!strcmp(o, "--written-budget"))
		opt.written_budget_ms = (int)parse_long(o, arg, 0, 600000);
	else if (!strcmp(o, "--written-max-k"))
		opt.written_max_k = (int)parse_long(o, arg, 1, MAX_CPUS);
	else if (!strcmp(o, "--path-tests"))
		opt.path_tests = parse_path_tests(arg);
	else if (!strcmp(o, "--readers"))
		opt.readers = parse_readers(arg);
	else if (!strcmp(arg, "native") || !strcmp(arg, "ohos") || !strcmp(arg, "all")) {
		opt.native = strcmp(arg, "ohos") != 0;	/* --impl */
		opt.ohos = strcmp(arg, "native") != 0;
	} else {
		fprintf(stderr, "ohos_eventfd_bench: --impl takes native, ohos or all, not '%s'\n", arg);
		exit(EXIT_USAGE);
	}
}

static size_t row_index(const char *name);

static bool known_option(const char *name)
{
	static const char *const names[] = {
		"--iters", "--create-iters", "--loops", "--runs", "--duration",
		"--instances", "--impl", "--path-tests", "--readers",
		"--written-counters", "--issue-counters", "--written-budget",
		"--written-max-k",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Options and rows in any order; sets @wanted for each row named. */
static void parse_args(int argc, char **argv, bool *wanted, size_t nrows)
{
	bool any = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (a[0] == '-') {
			if (!known_option(a)) {
				fprintf(stderr, "ohos_eventfd_bench: unknown option '%s' (see --help)\n", a);
				exit(EXIT_USAGE);
			}
			if (i + 1 == argc) {
				fprintf(stderr, "ohos_eventfd_bench: %s needs an argument (see --help)\n", a);
				exit(EXIT_USAGE);
			}
			parse_option(a, argv[++i]);
		} else if (!strcmp(a, "all")) {
			memset(wanted, 1, nrows * sizeof(*wanted));
			any = true;
		} else {
			wanted[row_index(a)] = true;
			any = true;
		}
	}
	if (!any) {
		usage(stderr);
		exit(EXIT_USAGE);
	}
}

static void read_environment(void)
{
	struct utsname uts;
	cpu_set_t set;
	FILE *f;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		die("sched_getaffinity");
	for (cpu = 0; cpu < CPU_SETSIZE && ncpus < MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[ncpus++] = cpu;
	f = fopen(FAST_PATH_PARAM, "re");
	if (f) {
		if (fscanf(f, "%7s", fast_path) != 1)
			strcpy(fast_path, "-");
		fclose(f);
	}
	f = fopen(COALESCE_PARAM, "re");
	if (f) {
		if (fscanf(f, "%7s", coalesce) != 1)
			strcpy(coalesce, "-");
		fclose(f);
	}
	uname(&uts);
	printf("info kernel=%s cpus=%d fast_path=%s coalesce=%s\n", uts.release, ncpus,
	       fast_path, coalesce);
	fflush(stdout);
}

static const struct {
	const char *name;
	void (*run)(void);
} rows[] = {
	{ "path", row_path },
	{ "pingpong", row_pingpong },
	{ "epoll", row_epoll },
	{ "writers", row_writers },
	{ "memory", row_memory },
	{ "create", row_create },
	{ "written", row_written },
};

#define NROWS	(sizeof(rows) / sizeof(rows[0]))

static size_t row_index(const char *name)
{
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (!strcmp(name, rows[i].name))
			return i;
	fprintf(stderr, "ohos_eventfd_bench: unknown row '%s' (see --help)\n", name);
	exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
	bool wanted[NROWS] = { false };
	size_t i;

	parse_args(argc, argv, wanted, NROWS);
	if (opt.ohos && access(OHOS_EVENTFD_DEVICE, R_OK | W_OK))
		die("%s (load the ohos_eventfd module, or pass --impl native)",
		    OHOS_EVENTFD_DEVICE);
	read_environment();
	for (i = 0; i < NROWS; i++)
		if (wanted[i])
			rows[i].run();
	return 0;
}
