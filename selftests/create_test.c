// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests, fixture "create": OHOS_EFD_IOC_CREATE's own
 * rules, compared with eventfd2() where it has the same rule.
 *
 * Usage: create_test [harness options]; --help lists them and the
 * environment variables. Without /dev/ohos_eventfd, or with
 * OHOS_EFD_NATIVE_AS_OHOS=1, every case is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <linux/ohos_eventfd.h>

#include "kselftest_harness.h"
#include "oefd_test_lib.h"

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
	__u32 flags[32 + ARRAY_SIZE(mixes)];
	struct outcome native, ours;
	size_t i;

	for (i = 0; i < 32; i++)
		flags[i] = 1u << i;
	memcpy(flags + 32, mixes, sizeof(mixes));
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
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
	struct ohos_efd_config *cfg = calloc(1, efd_above_page());

	ASSERT_NE(NULL, cfg);
	cfg->flags = OHOS_EFD_CLOEXEC;
	EXPECT_EQ(-1, ioctl(self->dev, efd_ioc_sized(OHOS_EFD_IOC_CREATE, efd_above_page()), cfg));
	EXPECT_EQ(E2BIG, errno);
	free(cfg);
}

TEST_F(create, size_too_small_einval)
{
	static const size_t sizes[] = { 0, 1, 4, OHOS_EFD_CONFIG_SIZE_VER0 - 1 };
	struct ohos_efd_config cfg = { .flags = OHOS_EFD_CLOEXEC, .initval = 1 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(-1, ioctl(self->dev, efd_ioc_sized(OHOS_EFD_IOC_CREATE, sizes[i]), &cfg))
			TH_LOG("size %zu", sizes[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %zu", sizes[i]);
	}
}

TEST_F(create, larger_size)
{
	unsigned long cmd = efd_ioc_sized(OHOS_EFD_IOC_CREATE, sizeof(struct efd_config_ext));
	struct efd_config_ext ext = { .cfg = { .flags = OHOS_EFD_CLOEXEC, .initval = 6 } };
	int fd;

	ext.tail[sizeof(ext.tail) - 1] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, cmd, &ext));
	EXPECT_EQ(E2BIG, errno);
	ext.tail[sizeof(ext.tail) - 1] = 0;
	fd = ioctl(self->dev, cmd, &ext);
	ASSERT_LE(0, fd) TH_LOG("zero tail: %s", strerror(errno));
	EXPECT_EQ(6u, efd_read_value(fd));
	close(fd);
	ext.tail[0] = 1;	/* beyond the size the number gives: not read */
	fd = ioctl(self->dev, OHOS_EFD_IOC_CREATE, &ext);
	ASSERT_LE(0, fd) TH_LOG("size VER0: %s", strerror(errno));
	EXPECT_EQ(6u, efd_read_value(fd));
	close(fd);
}

/* A refused CREATE leaves no fd behind, installed or reserved. */
TEST_F(create, failure_leaks_no_fd)
{
	struct efd_config_ext too_big = { .tail = { 1 } };
	unsigned long too_big_cmd = efd_ioc_sized(OHOS_EFD_IOC_CREATE, sizeof(too_big));
	void *huge = calloc(1, efd_above_page());
	int lowest = lowest_free_fd();

	ASSERT_NE(NULL, huge);
	ASSERT_LE(0, lowest);
	EXPECT_EQ(-1, ioc_create(self->dev, 0x8, 0));
	EXPECT_EQ(-1, ioctl(self->dev, efd_ioc_sized(OHOS_EFD_IOC_CREATE, 4), &too_big));
	EXPECT_EQ(-1, ioctl(self->dev, efd_ioc_sized(OHOS_EFD_IOC_CREATE, efd_above_page()), huge));
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
	EXPECT_EQ(4u, efd_read_value(fd));
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
	EXPECT_TRUE(efd_peek(self->dev, &count));
	EXPECT_EQ(0u, count);
	EXPECT_EQ(1u, efd_read_value(first));
	EXPECT_EQ(2u, efd_read_value(second));
	close(self->dev);
	self->dev = -1;
	EXPECT_EQ(EFD_U64_LEN, efd_write_value(first, 3));
	EXPECT_EQ(3u, efd_read_value(first));
	close(first);
	close(second);

	native = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, native);
	EXPECT_EQ(-1, ioc_create(native, 0, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(native);
}

EFD_HARNESS_MAIN("Checks OHOS_EFD_IOC_CREATE against eventfd2()")
