// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests, fixture "smp": native eventfd against
 * ohos_eventfd (efd_diff(), oefd_test_lib.c) with threads pinned to two
 * CPUs, so that increments are pending on several CPUs at once. Each case
 * runs twice, once per way of making a counter (variants "open": open()
 * of /dev/ohos_eventfd, "create": OHOS_EFD_IOC_CREATE).
 *
 * Usage: smp_test [harness options]; --help lists them and the
 * environment variables. Without /dev/ohos_eventfd, or with one CPU,
 * every case is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/ohos_eventfd.h>

#include "kselftest_harness.h"
#include "oefd_test_lib.h"

/* ---- step shorthands -------------------------------------------------- */

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

/* On a real ohos_eventfd, PEEK must see @expected; native has no PEEK. */
static void expect_peek(struct efd_run *run, int fd, uint64_t expected)
{
	uint64_t count = 0;

	if (efd_run_kind(run) != EFD_OHOS || efd_native_as_ohos())
		return;
	if (!efd_peek(fd, &count))
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

/* ---- pinned threads --------------------------------------------------- */

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
	write_on(run, fd, EFD_COUNT_MAX - 1, a);
	write_on(run, fd, 1, b);
	write_on(run, fd, 1, a);
	write_on(run, fd, 0, b);
	efd_poll_mask(run, fd);
	expect_peek(run, fd, EFD_COUNT_MAX);
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
	write_on(run, fd, EFD_COUNT_MAX - 100, b);
	write_on(run, fd, 1, a);
	efd_poll_mask(run, fd);
	expect_peek(run, fd, EFD_COUNT_MAX);
	read_on(run, fd, b);

	write_on(run, fd, 5, b);
	write_on(run, fd, EFD_COUNT_MAX - 4, a);
	write_on(run, fd, EFD_COUNT_MAX - 5, a);
	write_on(run, fd, 1, b);
	read_on(run, fd, a);

	write_on(run, fd, EFD_COUNT_MAX / 2, b);
	write_on(run, fd, EFD_COUNT_MAX / 2, a);
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
	write_on(run, fd, EFD_COUNT_MAX - 3, a);
	write_on(run, fd, 1, a);
	write_on(run, fd, 2, b);
	efd_poll_mask(run, fd);
	expect_peek(run, fd, EFD_COUNT_MAX);
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
	write_on(run, fd, EFD_COUNT_MAX - 2, b);
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

/* Every case's ohos counter starts with a ring on both CPUs (efd_give_rings()). */
static const struct efd_spec smp_blocking = { .rings = 2 };
static const struct efd_spec smp_nonblock = { .flags = EFD_NONBLOCK, .rings = 2 };

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

	EXPECT_SAME(&smp_nonblock, scn_smp_load, &load);
}

TEST_F_TIMEOUT(smp, writers_and_blocking_reader, 300)
{
	const struct smp_load load = { .writers = 4, .writes_each = 5000, .reader = true };
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE, .rings = 2 };

	EXPECT_SAME(&smp_blocking, scn_smp_load, &load);
	EXPECT_SAME(&sem, scn_smp_load, &load);
}

TEST_F_TIMEOUT(smp, ceiling_across_cpus, 120)
{
	EXPECT_SAME(&smp_nonblock, scn_smp_ceiling, NULL);
}

TEST_F_TIMEOUT(smp, ceiling_across_cpus_blocking, 120)
{
	EXPECT_SAME(&smp_blocking, scn_smp_ceiling_blocking, NULL);
}

TEST_F_TIMEOUT(smp, cross_cpu_wakeups, 120)
{
	EXPECT_SAME(&smp_blocking, scn_smp_wakeups, NULL);
}

TEST_F_TIMEOUT(smp, semaphore_readers_on_two_cpus, 120)
{
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE, .rings = 2 };

	EXPECT_SAME(&sem, scn_smp_semaphore_readers, NULL);
}

TEST_F_TIMEOUT(smp, transition_mode_wakeups, 120)
{
	const struct efd_spec transition = { .transition = true, .rings = 2 };
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE, .transition = true, .rings = 2 };

	EXPECT_SAME(&transition, scn_smp_wakeups, NULL);
	EXPECT_SAME(&sem, scn_smp_semaphore_readers, NULL);
}

TEST_F_TIMEOUT(smp, transition_mode_conservation, 300)
{
	const struct smp_load load = { .writers = 4, .writes_each = 5000, .reader = true };
	const struct efd_spec transition = { .transition = true, .rings = 2 };
	const struct efd_spec sem = { .flags = EFD_SEMAPHORE, .transition = true, .rings = 2 };

	EXPECT_SAME(&transition, scn_smp_load, &load);
	EXPECT_SAME(&sem, scn_smp_load, &load);
}

EFD_HARNESS_MAIN("Compares native eventfd with counters of /dev/ohos_eventfd, made by\n"
		 "open() and by OHOS_EFD_IOC_CREATE, with threads on two CPUs")
