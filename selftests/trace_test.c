// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests, fixture "trace": the module's tracepoints (the
 * ohos_eventfd trace system, module/ohos_eventfd_trace.h). Each case
 * enables events in a tracefs instance of its own, makes them fire and
 * checks the lines they print, tied to the counter by fdinfo's
 * eventfd-id. Ohos-only: eventfd has no tracepoints to compare with.
 *
 * Without /dev/ohos_eventfd, with OHOS_EFD_NATIVE_AS_OHOS=1, without root
 * or without tracefs (a kernel built without CONFIG_EVENT_TRACING), every
 * case is skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <linux/ohos_eventfd.h>

#include "kselftest_harness.h"
#include "oefd_test_lib.h"

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_BUF	65536
#define INSTANCE_PREFIX	"oefd_trace_test_"

static const char *const trace_events[] = {
	"oefd_write", "oefd_read", "oefd_wake", "oefd_fold", "oefd_mode", "oefd_rings",
};

/* tracefs, mounted if it is not yet; false when the kernel has none. */
static bool tracefs_ready(void)
{
	if (!access(TRACEFS "/instances", F_OK))
		return true;
	return !mount("nodev", TRACEFS, "tracefs", 0, NULL) &&
	       !access(TRACEFS "/instances", F_OK);
}

/* Why the cases cannot run here, or NULL. */
static const char *missing(void)
{
	if (efd_native_as_ohos())
		return EFD_ENV_NATIVE_AS_OHOS " is set: these cases need ohos_eventfd's tracepoints";
	if (access(OHOS_EVENTFD_DEVICE, R_OK | W_OK))
		return "no " OHOS_EVENTFD_DEVICE ": load ohos_eventfd.ko";
	if (geteuid())
		return "tracefs needs root";
	if (!tracefs_ready())
		return "no tracefs at " TRACEFS " (kernel without CONFIG_EVENT_TRACING?)";
	return NULL;
}

/* The counter's id as fdinfo shows it: what every event carries. */
static int counter_id(int fd)
{
	unsigned long long id;

	return efd_fdinfo_number(fd, "eventfd-id", 10, &id) ? -1 : (int)id;
}

/* fdinfo's "ohos_eventfd-@key: N", or -1. */
static long long fdinfo_stat(int fd, const char *key)
{
	unsigned long long v;
	char name[64];

	snprintf(name, sizeof(name), "ohos_eventfd-%s", key);
	return efd_fdinfo_number(fd, name, 10, &v) ? -1 : (long long)v;
}

/*
 * A case killed by the harness's timeout leaves its instance behind, with
 * events on: the next run removes it.
 */
static void remove_stale_instances(void)
{
	DIR *dir = opendir(TRACEFS "/instances");
	struct dirent *e;
	char path[320];

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)))
			continue;
		snprintf(path, sizeof(path), TRACEFS "/instances/%s", e->d_name);
		rmdir(path);
	}
	closedir(dir);
}

FIXTURE(trace) {
	char dir[96];		/* our tracefs instance */
	char text[TRACE_BUF];	/* its trace, as trace_take() read it */
	int fd;			/* the counter under test */
	int id;
	int cpu;		/* the test thread's: events in program order */
};

FIXTURE_SETUP(trace)
{
	const char *why = missing();
	char path[192], filter[32];

	self->fd = -1;
	self->dir[0] = '\0';
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, access(TRACEFS "/events/ohos_eventfd", F_OK)) {
		TH_LOG("tracefs has no ohos_eventfd events: a module without tracepoints?");
	}
	ASSERT_EQ(1, efd_online_cpus(&self->cpu, 1));
	ASSERT_EQ(0, efd_pin_self(self->cpu));
	self->fd = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	self->id = counter_id(self->fd);
	ASSERT_LE(0, self->id);
	remove_stale_instances();
	snprintf(self->dir, sizeof(self->dir), TRACEFS "/instances/" INSTANCE_PREFIX "%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0700)) {
		TH_LOG("mkdir %s: %s", self->dir, strerror(errno));
	}
	/* Our counter's events only, by the id field every event has. */
	snprintf(path, sizeof(path), "%s/events/ohos_eventfd/filter", self->dir);
	snprintf(filter, sizeof(filter), "id == %d", self->id);
	ASSERT_EQ(0, efd_write_file(path, filter));
}

FIXTURE_TEARDOWN(trace)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dir[0] && rmdir(self->dir))
		TH_LOG("rmdir %s: %s", self->dir, strerror(errno));
}

/* Enable @event in our instance. */
static int trace_on(FIXTURE_DATA(trace) *self, const char *event)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/events/ohos_eventfd/%s/enable", self->dir, event);
	return efd_write_file(path, "1");
}

/*
 * Read our instance's trace into self->text, then empty it. The file
 * gives at most a page per read(); a trace that does not fit fails.
 */
static int trace_take(FIXTURE_DATA(trace) *self)
{
	size_t len = 0;
	char path[192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", self->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, self->text + len, sizeof(self->text) - 1 - len)) > 0)
		len += n;
	close(fd);
	self->text[len] = '\0';
	if (n < 0 || len == sizeof(self->text) - 1) {
		errno = n < 0 ? errno : EFBIG;
		return -1;
	}
	return efd_write_file(path, "");
}

/*
 * Where the line of @event for our counter, with the fields @fmt gives
 * (after "id=<id> "), is in self->text after @from; NULL when absent.
 */
static const char *trace_find(FIXTURE_DATA(trace) *self, const char *from,
			      const char *event, const char *fmt, ...)
{
	char want[256];
	int n;
	va_list ap;

	n = snprintf(want, sizeof(want), "%s: id=%d ", event, self->id);
	va_start(ap, fmt);
	vsnprintf(want + n, sizeof(want) - n, fmt, ap);
	va_end(ap);
	/* After the line @from is on. */
	if (from)
		from = strchr(from, '\n');
	from = from ? strstr(from, want) : strstr(self->text, want);
	/* The whole field list: "value=5" must not match "value=50". */
	while (from && from[strlen(want)] != '\n' && from[strlen(want)] != '\0')
		from = strstr(from + 1, want);
	return from;
}

/* The line's position, to look for the next one after it. */
#define EXPECT_TRACE(self, from, event, ...)					\
	({									\
		const char *__at = trace_find(self, from, event, __VA_ARGS__);	\
		EXPECT_NE(NULL, __at) {						\
			TH_LOG("no %s line for id=%d with the fields of line %d (after %s) in:\n%s", \
			       event, (self)->id, __LINE__, (from) ? "the last" : "the start", \
			       (self)->text);					\
		}								\
		__at;								\
	})

static void write_u64(struct __test_metadata *_metadata, int fd, uint64_t value)
{
	ASSERT_EQ(8, efd_write_value(fd, value));
}

/* Every event is in tracefs, with the id field that ties it to fdinfo. */
TEST_F(trace, formats_carry_the_counter_id)
{
	char path[192], buf[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(trace_events); i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/ohos_eventfd/%s/format",
			 trace_events[i]);
		ASSERT_EQ(0, efd_read_file(path, buf, sizeof(buf))) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		EXPECT_NE(NULL, strstr(buf, "field:int id;")) {
			TH_LOG("%s has no int id field:\n%s", path, buf);
		}
		/* A value tools cannot parse: an enum without TRACE_DEFINE_ENUM. */
		EXPECT_EQ(NULL, strstr(strstr(buf, "print fmt:") ?: buf, "OEFD_")) {
			TH_LOG("%s prints a symbol tools cannot resolve:\n%s", path, buf);
		}
	}
}

TEST_F(trace, write_and_read)
{
	ASSERT_EQ(0, trace_on(self, "oefd_write"));
	ASSERT_EQ(0, trace_on(self, "oefd_read"));
	write_u64(_metadata, self->fd, 5);
	write_u64(_metadata, self->fd, 50);
	EXPECT_EQ(55, efd_read_value(self->fd));
	ASSERT_EQ(0, trace_take(self));
	EXPECT_TRACE(self, EXPECT_TRACE(self, NULL, "oefd_write", "value=5 path=locked"),
		     "oefd_write", "value=50 path=locked");
	EXPECT_TRACE(self, NULL, "oefd_read", "value=55 count=0");
}

TEST_F(trace, semaphore_read_leaves_the_rest)
{
	const struct ohos_efd_config cfg = { .flags = OHOS_EFD_SEMAPHORE, .initval = 3 };

	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_CONFIGURE, &cfg));
	ASSERT_EQ(0, trace_on(self, "oefd_read"));
	EXPECT_EQ(1, efd_read_value(self->fd));
	ASSERT_EQ(0, trace_take(self));
	EXPECT_TRACE(self, NULL, "oefd_read", "value=1 count=2");
}

/* An epoll set watching our counter, with oefd_wake on; -1 on failure. */
static int watch_wakes(FIXTURE_DATA(trace) *self)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (epfd < 0)
		return -1;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, self->fd, &ev) || trace_on(self, "oefd_wake")) {
		close(epfd);
		return -1;
	}
	return epfd;
}

/*
 * An epoll watcher that does not collect: the first write's wakeup is
 * sent, the next is coalesced into it, and after the collection a write
 * wakes again; fdinfo counts the coalesced one.
 */
TEST_F(trace, wake_sent_coalesced_sent)
{
	struct epoll_event ev;
	int epfd = watch_wakes(self);
	const char *at;

	ASSERT_LE(0, epfd);
	write_u64(_metadata, self->fd, 1);
	write_u64(_metadata, self->fd, 1);
	EXPECT_EQ(1, epoll_wait(epfd, &ev, 1, 0));
	write_u64(_metadata, self->fd, 1);
	ASSERT_EQ(0, trace_take(self));
	at = EXPECT_TRACE(self, NULL, "oefd_wake", "key=IN result=sent");
	at = EXPECT_TRACE(self, at, "oefd_wake", "key=IN result=coalesced");
	EXPECT_TRACE(self, at, "oefd_wake", "key=IN result=sent");
	EXPECT_EQ(1, fdinfo_stat(self->fd, "coalesced"));
	EXPECT_EQ(2, fdinfo_stat(self->fd, "wakeups"));
	EXPECT_EQ(3, fdinfo_stat(self->fd, "writes"));
	close(epfd);
}

/* A watcher that left without collecting: nobody to wake, not coalesced. */
TEST_F(trace, no_coalescing_after_the_watcher_left)
{
	int epfd = watch_wakes(self);
	const char *at;

	ASSERT_LE(0, epfd);
	write_u64(_metadata, self->fd, 1);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_DEL, self->fd, NULL));
	write_u64(_metadata, self->fd, 1);
	ASSERT_EQ(0, trace_take(self));
	at = EXPECT_TRACE(self, NULL, "oefd_wake", "key=IN result=sent");
	EXPECT_TRACE(self, at, "oefd_wake", "key=IN result=skipped_no_waiter");
	EXPECT_EQ(0, fdinfo_stat(self->fd, "coalesced"));
	close(epfd);
}

TEST_F(trace, wake_skipped_without_waiters)
{
	ASSERT_EQ(0, trace_on(self, "oefd_wake"));
	write_u64(_metadata, self->fd, 2);
	EXPECT_EQ(2, efd_read_value(self->fd));
	ASSERT_EQ(0, trace_take(self));
	EXPECT_TRACE(self, EXPECT_TRACE(self, NULL, "oefd_wake", "key=IN result=skipped_no_waiter"),
		     "oefd_wake", "key=OUT result=skipped_no_waiter");
	EXPECT_EQ(0, fdinfo_stat(self->fd, "wakeups"));
}

TEST_F(trace, mode_and_no_transition)
{
	uint32_t mode = OHOS_EFD_MODE_TRANSITION;

	ASSERT_EQ(0, trace_on(self, "oefd_mode"));
	ASSERT_EQ(0, trace_on(self, "oefd_wake"));
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_SET_MODE, &mode));
	write_u64(_metadata, self->fd, 1);
	write_u64(_metadata, self->fd, 1);
	mode = OHOS_EFD_MODE_EXACT;
	ASSERT_EQ(0, ioctl(self->fd, OHOS_EFD_IOC_SET_MODE, &mode));
	ASSERT_EQ(0, trace_take(self));
	EXPECT_TRACE(self, NULL, "oefd_mode", "old=exact new=transition");
	EXPECT_TRACE(self, NULL, "oefd_wake", "key=IN result=skipped_no_transition");
	EXPECT_TRACE(self, NULL, "oefd_mode", "old=transition new=exact");
}

/*
 * Rings installed for contending writers; a write on a CPU with a ring
 * takes it, and the read's fold moves it into the count. Contention
 * under an emulator may take a while (efd_give_rings() waits up to 60 s).
 */
TEST_F_TIMEOUT(trace, rings_ring_write_and_fold, 120)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int cpus[2], epfd, first;
	long long fast, coalesced;
	const char *at;
	cpu_set_t old;

	/* The CPUs efd_give_rings() uses. */
	if (efd_first_online_cpus(cpus, 2) < 2)
		SKIP(return, "needs 2 online CPUs");
	ASSERT_EQ(0, trace_on(self, "oefd_rings"));
	ASSERT_EQ(0, efd_give_rings(self->fd, 2)) {
		TH_LOG("efd_give_rings: %s", strerror(errno));
	}
	ASSERT_EQ(0, trace_take(self));
	/* One CPU's ring is the first, the other's the second. */
	first = trace_find(self, NULL, "oefd_rings", "cpu=%d result=installed rings=1", cpus[0])
		? 0 : 1;
	EXPECT_TRACE(self, NULL, "oefd_rings", "cpu=%d result=installed rings=1", cpus[first]);
	EXPECT_TRACE(self, NULL, "oefd_rings", "cpu=%d result=installed rings=2", cpus[!first]);
	EXPECT_EQ(UINT64_MAX, efd_read_value(self->fd));	/* count 0: EAGAIN, rings folded */
	fast = fdinfo_stat(self->fd, "fast-writes");

	ASSERT_EQ(0, trace_on(self, "oefd_write"));
	ASSERT_EQ(0, trace_on(self, "oefd_fold"));
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(old), &old));
	ASSERT_EQ(0, efd_pin_self(cpus[0]));
	write_u64(_metadata, self->fd, 7);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(old), &old));
	EXPECT_EQ(7, efd_read_value(self->fd));
	ASSERT_EQ(0, trace_take(self));
	EXPECT_TRACE(self, NULL, "oefd_write", "value=7 path=ring");
	EXPECT_TRACE(self, NULL, "oefd_fold", "slots=1 value=7 count=7");
	EXPECT_EQ(fast + 1, fdinfo_stat(self->fd, "fast-writes"));

	/* Under a wakeup still to be collected a write takes the ring: coalesced. */
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, epfd);
	ASSERT_EQ(0, epoll_ctl(epfd, EPOLL_CTL_ADD, self->fd, &ev));
	ASSERT_EQ(0, trace_on(self, "oefd_wake"));
	coalesced = fdinfo_stat(self->fd, "coalesced");
	ASSERT_EQ(0, efd_pin_self(cpus[0]));
	write_u64(_metadata, self->fd, 8);
	write_u64(_metadata, self->fd, 9);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(old), &old));
	ASSERT_EQ(0, trace_take(self));
	at = EXPECT_TRACE(self, NULL, "oefd_write", "value=8 path=locked");
	at = EXPECT_TRACE(self, at, "oefd_wake", "key=IN result=sent");
	at = EXPECT_TRACE(self, at, "oefd_write", "value=9 path=ring");
	EXPECT_TRACE(self, at, "oefd_wake", "key=IN result=coalesced");
	EXPECT_EQ(coalesced + 1, fdinfo_stat(self->fd, "coalesced"));
	close(epfd);
}

EFD_HARNESS_MAIN("Checks the tracepoints of /dev/ohos_eventfd's counters (the ohos_eventfd\n"
		 "trace system) through a tracefs instance of its own; needs root.\n");
