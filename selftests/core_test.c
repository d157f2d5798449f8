// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests for the per-CPU core's rules that a single
 * thread driving the device one call at a time never exercised.
 *
 * Fixture "kconsumer": an in-kernel consumer (kconsumer/, loaded as
 * ohos_eventfd_consumer.ko), attached as KVM's irqfd and VFIO's virqfd
 * attach, while one thread writes from two CPUs in turn; the same steps
 * run on a native eventfd and the outcomes are compared.
 * Fixture "set_mode": an EPOLLET watcher across mode changes, compared
 * with a native eventfd on which the same steps change nothing.
 * Fixture "configure": CONFIGURE after a write that only the per-CPU
 * path saw (ohos-only: the uapi header's rule).
 *
 * Without /dev/ohos_eventfd, or with OHOS_EFD_NATIVE_AS_OHOS=1, every
 * case is skipped; without /dev/ohos_eventfd_consumer the kconsumer cases
 * are.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <linux/ohos_eventfd.h>

#include "kconsumer/ohos_eventfd_consumer.h"
#include "kselftest_harness.h"
#include "oefd_test_lib.h"

/* Writes per kconsumer case: the reported loss was 198 of 200. */
#define KCONSUMER_WRITES	200

static const char *const kind_name[] = { "native eventfd", "ohos_eventfd" };

/* Every counter here: count 0, normal mode, opened from the device when ohos. */
static int counter_create(enum efd_kind kind)
{
	const struct efd_spec spec = { .flags = EFD_NONBLOCK | EFD_CLOEXEC };

	return efd_create(kind, &spec);
}

static int unpin(void)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_CONF);

	CPU_ZERO(&set);
	for (long cpu = 0; cpu < n && cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The cases write from CPU 0 and CPU 1 in turn. */
static bool cpus_0_and_1_usable(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 &&
	       CPU_ISSET(0, &set) && CPU_ISSET(1, &set);
}

/* Why the case cannot run here, or NULL. */
static const char *missing(bool consumer)
{
	if (efd_native_as_ohos())
		return EFD_ENV_NATIVE_AS_OHOS " is set: these cases need ohos_eventfd's ioctls";
	if (access(OHOS_EVENTFD_DEVICE, R_OK | W_OK))
		return "no " OHOS_EVENTFD_DEVICE ": load ohos_eventfd.ko";
	if (consumer && access(OEFD_CONSUMER_DEVICE, R_OK | W_OK))
		return "no " OEFD_CONSUMER_DEVICE ": load ohos_eventfd_consumer.ko";
	if (!cpus_0_and_1_usable())
		return "needs CPUs 0 and 1 online and in this task's affinity";
	return NULL;
}

/* ---- kconsumer -------------------------------------------------------- */

struct kconsumer_outcome {
	uint64_t written;		/* the sum of the values written */
	uint64_t pending_attached;	/* fdinfo count after the writes */
	struct oefd_consumer_result result;
};

FIXTURE(kconsumer) {
};

FIXTURE_VARIANT(kconsumer) {
	bool read_in_callback;
	bool transition;
};

FIXTURE_VARIANT_ADD(kconsumer, callback_reads_exact) {
	.read_in_callback = true,
};

FIXTURE_VARIANT_ADD(kconsumer, callback_reads_transition) {
	.read_in_callback = true,
	.transition = true,
};

FIXTURE_VARIANT_ADD(kconsumer, detach_takes_exact) {
};

FIXTURE_VARIANT_ADD(kconsumer, detach_takes_transition) {
	.transition = true,
};

FIXTURE_SETUP(kconsumer)
{
	const char *why = missing(true);

	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(kconsumer)
{
}

/*
 * Attach a consumer, write 1, 2, 3, ... alternating between CPU 0 and CPU
 * 1 (the second CPU gives an ohos_eventfd counter its rings), then
 * detach. 0 on success, else the failing step's errno (negated).
 */
static int kconsumer_run(enum efd_kind kind, bool transition,
			 bool read_in_callback, struct kconsumer_outcome *out)
{
	struct oefd_consumer_attach attach = { .read_in_callback = read_in_callback };
	__u32 mode = OHOS_EFD_MODE_TRANSITION;
	int fd, consumer, ret = 0;

	memset(out, 0, sizeof(*out));
	fd = counter_create(kind);
	consumer = open(OEFD_CONSUMER_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0 || consumer < 0)
		goto fail;
	if (kind == EFD_OHOS && transition && ioctl(fd, OHOS_EFD_IOC_SET_MODE, &mode))
		goto fail;
	attach.fd = fd;
	if (ioctl(consumer, OEFD_CONSUMER_IOC_ATTACH, &attach))
		goto fail;
	for (uint64_t i = 1; i <= KCONSUMER_WRITES; i++) {
		if (efd_pin_self(i % 2) || write(fd, &i, sizeof(i)) != sizeof(i))
			goto fail;
		out->written += i;
	}
	if (unpin() || efd_fdinfo_count(fd, &out->pending_attached) ||
	    ioctl(consumer, OEFD_CONSUMER_IOC_DETACH, &out->result))
		goto fail;
	goto out;
fail:
	ret = -errno;
out:
	if (consumer >= 0)
		close(consumer);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void kconsumer_print(const char *kind, const struct kconsumer_outcome *o)
{
	printf("# %s: written %llu, pending while attached %llu, wakeups %llu, taken in callback %llu, at detach %llu (ret %d)\n",
	       kind, (unsigned long long)o->written,
	       (unsigned long long)o->pending_attached,
	       (unsigned long long)o->result.wakeups,
	       (unsigned long long)o->result.taken_in_callback,
	       (unsigned long long)o->result.taken_at_detach, o->result.detach_ret);
}

/*
 * Nothing stranded: what the consumer took, and what was left pending
 * while it was attached, are native eventfd's. Transition mode wakes only
 * on empty -> non-empty: its wakeup count is compared only where every
 * write is such a transition (the callback empties the counter).
 */
TEST_F(kconsumer, writes_from_two_cpus)
{
	struct kconsumer_outcome o[2];

	for (int kind = EFD_NATIVE; kind <= EFD_OHOS; kind++) {
		ASSERT_EQ(0, kconsumer_run(kind, variant->transition,
					   variant->read_in_callback, &o[kind])) {
			TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		}
		kconsumer_print(kind_name[kind], &o[kind]);
	}
	EXPECT_EQ(o[EFD_NATIVE].written, o[EFD_OHOS].written);
	EXPECT_EQ(o[EFD_NATIVE].pending_attached, o[EFD_OHOS].pending_attached);
	EXPECT_EQ(o[EFD_NATIVE].result.taken_in_callback, o[EFD_OHOS].result.taken_in_callback);
	EXPECT_EQ(o[EFD_NATIVE].result.taken_at_detach, o[EFD_OHOS].result.taken_at_detach);
	EXPECT_EQ(o[EFD_NATIVE].result.detach_ret, o[EFD_OHOS].result.detach_ret);
	if (!variant->transition || variant->read_in_callback)
		EXPECT_EQ(o[EFD_NATIVE].result.wakeups, o[EFD_OHOS].result.wakeups);
}

/* ---- set_mode --------------------------------------------------------- */

FIXTURE(set_mode) {
};

FIXTURE_VARIANT(set_mode) {
	unsigned int events;
};

FIXTURE_VARIANT_ADD(set_mode, epollet_in) {
	.events = EPOLLIN | EPOLLET,
};

FIXTURE_VARIANT_ADD(set_mode, epollet_inout) {
	.events = EPOLLIN | EPOLLOUT | EPOLLET,
};

FIXTURE_SETUP(set_mode)
{
	const char *why = missing(false);

	if (why)
		SKIP(return, "%s", why);
}

FIXTURE_TEARDOWN(set_mode)
{
}

/*
 * Events an EPOLLET watcher collects after each step: registration and
 * a write, then a switch to transition mode and one back to exact (on a
 * native eventfd, nothing), each followed by a collection.
 */
static int set_mode_run(enum efd_kind kind, unsigned int events, int seen[3])
{
	static const __u32 modes[] = { OHOS_EFD_MODE_TRANSITION, OHOS_EFD_MODE_EXACT };
	struct epoll_event ev = { .events = events }, got[4];
	uint64_t one = 1;
	int fd, ep, ret = 0;

	fd = counter_create(kind);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ||
	    write(fd, &one, sizeof(one)) != sizeof(one))
		goto fail;
	seen[0] = epoll_wait(ep, got, 4, 0);
	for (int i = 0; i < 2; i++) {
		if (kind == EFD_OHOS && ioctl(fd, OHOS_EFD_IOC_SET_MODE, &modes[i]))
			goto fail;
		seen[i + 1] = epoll_wait(ep, got, 4, 0);
	}
	goto out;
fail:
	ret = -errno;
out:
	if (ep >= 0)
		close(ep);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* A mode change moves no count: eventfd would send no event. */
TEST_F(set_mode, sends_no_event)
{
	int seen[2][3];

	for (int kind = EFD_NATIVE; kind <= EFD_OHOS; kind++) {
		ASSERT_EQ(0, set_mode_run(kind, variant->events, seen[kind])) {
			TH_LOG("%s: %s", kind_name[kind], strerror(errno));
		}
		printf("# %s: events after write %d, after the switch to transition %d, back to exact %d\n",
		       kind_name[kind], seen[kind][0], seen[kind][1], seen[kind][2]);
	}
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(seen[EFD_NATIVE][i], seen[EFD_OHOS][i]);
}

/* ---- configure -------------------------------------------------------- */

FIXTURE(configure) {
	int fd;
};

FIXTURE_SETUP(configure)
{
	const char *why = missing(false);

	self->fd = -1;
	if (why)
		SKIP(return, "%s", why);
	self->fd = counter_create(EFD_OHOS);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(configure)
{
	if (self->fd >= 0)
		close(self->fd);
	unpin();
}

static int write_on(int cpu, int fd, uint64_t value)
{
	if (efd_pin_self(cpu))
		return -1;
	return write(fd, &value, sizeof(value)) == sizeof(value) ? 0 : -1;
}

/*
 * Two refused writes from two CPUs give the counter its rings; the one
 * write that then succeeds goes through a ring, never taking the lock.
 * It is a write all the same: CONFIGURE must refuse.
 */
TEST_F(configure, after_fast_path_write_ebusy)
{
	struct ohos_efd_config cfg = { .initval = 1 };
	struct ohos_efd_stats st;
	uint64_t count;

	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_CONFIGURE, &cfg));
	ASSERT_EQ(-1, write_on(0, self->fd, OHOS_EFD_COUNT_MAX));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(-1, write_on(1, self->fd, OHOS_EFD_COUNT_MAX));
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, write_on(0, self->fd, 1));
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_GET_STATS, &st));
	ASSERT_EQ(1, st.fast_writes) {
		TH_LOG("the write did not take the per-CPU path: the case proves nothing");
	}

	cfg.initval = 7;
	EXPECT_EQ(-1, ioctl(self->fd, OHOS_EFD_IOC_CONFIGURE, &cfg));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_PEEK, &count));
	EXPECT_EQ(2, count);
}

/*
 * Transition mode wakes on empty -> non-empty. A CONFIGURE that sets the
 * count to 0 under a registered EPOLLET watcher must arm the counter as a
 * read that empties it does, or the next write goes to a ring unseen.
 */
TEST_F(configure, to_zero_arms_transition_mode)
{
	struct ohos_efd_config cfg = { .initval = 1 };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, got;
	__u32 mode = OHOS_EFD_MODE_TRANSITION;
	int ep;

	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_CONFIGURE, &cfg));
	ASSERT_EQ(-1, write_on(0, self->fd, OHOS_EFD_COUNT_MAX));
	ASSERT_EQ(-1, write_on(1, self->fd, OHOS_EFD_COUNT_MAX));
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_SET_MODE, &mode));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	ASSERT_EQ(1, epoll_wait(ep, &got, 1, 0));

	cfg.initval = 0;
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_CONFIGURE, &cfg));
	ASSERT_EQ(0, write_on(0, self->fd, 1));
	EXPECT_EQ(1, epoll_wait(ep, &got, 1, 0)) {
		TH_LOG("the write after CONFIGURE set 0 sent no event");
	}
	close(ep);
}

TEST_HARNESS_MAIN
