// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests, fixture "ioctl": the ohos-only ioctls, checked
 * against the comments of include/uapi/linux/ohos_eventfd.h. Each case runs
 * twice, once per way of making a counter (variants "open": open() of
 * /dev/ohos_eventfd, "create": OHOS_EFD_IOC_CREATE).
 *
 * Usage: ioctl_test [harness options]; --help lists them and the
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

#include <linux/ohos_eventfd.h>

#include "kselftest_harness.h"
#include "oefd_test_lib.h"

struct stats_ext {
	struct ohos_efd_stats stats;
	unsigned char tail[16];
};

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

/*
 * A refused CONFIGURE changes nothing: the count is still 0 and a valid
 * CONFIGURE still works. (Only PEEK looks: a read, even one that fails,
 * may count as the first use after which CONFIGURE is EBUSY.)
 */
static void expect_still_configurable(struct __test_metadata *_metadata, int fd)
{
	uint64_t count = 1;

	EXPECT_TRUE(efd_peek(fd, &count));
	EXPECT_EQ(0u, count);
	EXPECT_EQ(0, configure(fd, 0, 4));
	EXPECT_EQ(4u, efd_read_value(fd));
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
	EXPECT_EQ(1u, efd_read_value(self->fd));
	EXPECT_EQ(1u, efd_read_value(self->fd));
	EXPECT_EQ(UINT64_MAX, efd_read_value(self->fd));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(ioctl, configure_after_write_ebusy)
{
	ASSERT_EQ(EFD_U64_LEN, efd_write_value(self->fd, 1));
	EXPECT_EQ(-1, configure(self->fd, OHOS_EFD_SEMAPHORE, 5));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(1u, efd_read_value(self->fd));
}

TEST_F(ioctl, configure_after_read_ebusy)
{
	ASSERT_EQ(0, configure(self->fd, 0, 3));
	ASSERT_EQ(3u, efd_read_value(self->fd));
	EXPECT_EQ(-1, configure(self->fd, 0, 5));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(UINT64_MAX, efd_read_value(self->fd));
}

/* A page is the largest struct taken (the bytes past ours are zero here). */
TEST_F(ioctl, configure_size_above_page_e2big)
{
	size_t page = sysconf(_SC_PAGESIZE);
	struct ohos_efd_config *cfg = calloc(1, efd_above_page());
	uint64_t count = 1;

	ASSERT_NE(NULL, cfg);
	cfg->initval = 4;
	EXPECT_EQ(-1, ioctl(self->fd, efd_ioc_sized(OHOS_EFD_IOC_CONFIGURE, efd_above_page()), cfg));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_TRUE(efd_peek(self->fd, &count));
	EXPECT_EQ(0u, count);
	free(cfg);

	cfg = calloc(1, page);
	ASSERT_NE(NULL, cfg);
	cfg->initval = 7;
	ASSERT_EQ(0, ioctl(self->fd, efd_ioc_sized(OHOS_EFD_IOC_CONFIGURE, page), cfg))
		TH_LOG("a page, zero past the struct: %s", strerror(errno));
	EXPECT_EQ(7u, efd_read_value(self->fd));
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

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
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

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, efd_ioc_sized(OHOS_EFD_IOC_CONFIGURE, sizes[i]), &cfg))
			TH_LOG("size %zu", sizes[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %zu", sizes[i]);
	}
	expect_still_configurable(_metadata, self->fd);
}

TEST_F(ioctl, configure_larger_size)
{
	unsigned long cmd = efd_ioc_sized(OHOS_EFD_IOC_CONFIGURE, sizeof(struct efd_config_ext));
	struct efd_config_ext ext = { .cfg = { .initval = 6 } };

	ext.tail[sizeof(ext.tail) - 1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, cmd, &ext));
	EXPECT_EQ(E2BIG, errno);
	ext.tail[sizeof(ext.tail) - 1] = 0;
	ext.tail[0] = 0x80;
	EXPECT_EQ(-1, ioctl(self->fd, cmd, &ext));
	EXPECT_EQ(E2BIG, errno);
	ext.tail[0] = 0;
	EXPECT_EQ(0, ioctl(self->fd, cmd, &ext));
	EXPECT_EQ(6u, efd_read_value(self->fd));
}

TEST_F(ioctl, peek_does_not_consume)
{
	uint64_t count = 1;

	ASSERT_TRUE(efd_peek(self->fd, &count));
	EXPECT_EQ(0, count);
	ASSERT_EQ(EFD_U64_LEN, efd_write_value(self->fd, 5));
	ASSERT_EQ(EFD_U64_LEN, efd_write_value(self->fd, 6));
	ASSERT_TRUE(efd_peek(self->fd, &count));
	EXPECT_EQ(11, count);
	ASSERT_TRUE(efd_peek(self->fd, &count));
	EXPECT_EQ(11, count);
	EXPECT_EQ(count, efd_read_value(self->fd));
	ASSERT_TRUE(efd_peek(self->fd, &count));
	EXPECT_EQ(0, count);
	ASSERT_EQ(EFD_U64_LEN, efd_write_value(self->fd, EFD_COUNT_MAX));
	ASSERT_TRUE(efd_peek(self->fd, &count));
	EXPECT_EQ(EFD_COUNT_MAX, count);
	EXPECT_EQ(count, efd_read_value(self->fd));
}

TEST_F(ioctl, peek_semaphore)
{
	uint64_t count = 0;

	ASSERT_EQ(0, configure(self->fd, OHOS_EFD_SEMAPHORE, 3));
	ASSERT_TRUE(efd_peek(self->fd, &count));
	EXPECT_EQ(3, count);
	EXPECT_EQ(1u, efd_read_value(self->fd));
	ASSERT_TRUE(efd_peek(self->fd, &count));
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
		ASSERT_EQ(EFD_U64_LEN, efd_write_value(self->fd, i));
	ASSERT_EQ(10u, efd_read_value(self->fd));
	/* Failed calls are not "successful" ones. */
	EXPECT_EQ(UINT64_MAX, efd_read_value(self->fd));
	EXPECT_EQ(-1, efd_write_value(self->fd, UINT64_MAX));
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

	ASSERT_EQ(EFD_U64_LEN, efd_write_value(self->fd, 1));
	for (i = 0; i < ARRAY_SIZE(small); i++) {
		memset(&ext, 0xff, sizeof(ext));
		EXPECT_EQ(-1, ioctl(self->fd, efd_ioc_sized(OHOS_EFD_IOC_GET_STATS, small[i]), &ext))
			TH_LOG("size %zu", small[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %zu", small[i]);
		EXPECT_TRUE(all_bytes((unsigned char *)&ext, sizeof(ext), 0xff));
	}
	big = malloc(efd_above_page());
	ASSERT_NE(NULL, big);
	memset(big, 0xff, efd_above_page());
	EXPECT_EQ(-1, ioctl(self->fd, efd_ioc_sized(OHOS_EFD_IOC_GET_STATS, efd_above_page()), big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_TRUE(all_bytes(big, efd_above_page(), 0xff));
	free(big);
	/* A larger struct: the fields the kernel knows, then zeroes. */
	memset(&ext, 0xff, sizeof(ext));
	EXPECT_EQ(0, ioctl(self->fd, efd_ioc_sized(OHOS_EFD_IOC_GET_STATS, sizeof(ext)), &ext));
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
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
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

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
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

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], NULL)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

EFD_HARNESS_MAIN("Checks the ioctls of /dev/ohos_eventfd's counters against the uapi header")
