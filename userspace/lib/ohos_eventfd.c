// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libohos_eventfd: eventfd(3)'s interface over /dev/ohos_eventfd.
 *
 * Convention: -1 and errno, as eventfd(3); a failing function also leaves a
 * message naming the cause in a thread-local buffer, which
 * ohos_eventfd_last_error() returns. No hidden threads, no other state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"

/* Where the misc core publishes the device's "major:minor". */
#define OEFD_SYSFS_DEV	"/sys/class/misc/ohos_eventfd/dev"

static __thread char oefd_message[256];

/* Record why a call failed, set errno to err and return -1. */
__attribute__((format(printf, 2, 3)))
static int oefd_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(oefd_message, sizeof(oefd_message), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

OEFD_PUBLIC const char *ohos_eventfd_last_error(void)
{
	return oefd_message[0] ? oefd_message : "no failure recorded in this thread";
}

/*
 * A node without a driver behind it fails open() with ENXIO (no driver for
 * the major) or ENODEV (the misc core has no device for the minor): both
 * mean the module is not loaded, reported as ENODEV.
 */
static int oefd_open_failed(int err)
{
	switch (err) {
	case ENOENT:
		return oefd_fail(ENOENT, "%s does not exist: the ohos_eventfd module is not loaded (modprobe ohos_eventfd)",
				 OHOS_EVENTFD_DEVICE);
	case ENXIO:
	case ENODEV:
		return oefd_fail(ENODEV, "%s exists but no driver answers it: the ohos_eventfd module is not loaded (modprobe ohos_eventfd)",
				 OHOS_EVENTFD_DEVICE);
	case EACCES:
	case EPERM:
		return oefd_fail(err, "permission denied opening %s: check its mode and owner (the module creates it 0666)",
				 OHOS_EVENTFD_DEVICE);
	default:
		return oefd_fail(err, "cannot open %s: %s", OHOS_EVENTFD_DEVICE, strerror(err));
	}
}

/*
 * The one place that makes a counter: open the device, then configure the
 * counter when it is not the default (count 0, normal mode). A create ioctl
 * can replace both steps here without any caller noticing.
 */
int oefd_create(unsigned int initval, int flags)
{
	int oflags = O_RDWR;
	int fd, err;

	if (flags & OHOS_EFD_NONBLOCK)
		oflags |= O_NONBLOCK;
	if (flags & OHOS_EFD_CLOEXEC)
		oflags |= O_CLOEXEC;
	fd = open(OHOS_EVENTFD_DEVICE, oflags);
	if (fd < 0)
		return oefd_open_failed(errno);
	if (initval == 0 && !(flags & OHOS_EFD_SEMAPHORE))
		return fd;
	if (ohos_eventfd_configure(fd, initval, flags & OHOS_EFD_SEMAPHORE) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int oefd_fallback_wanted(int flags)
{
	const char *env = getenv("OHOS_EVENTFD_FALLBACK");

	return (flags & OHOS_EFD_FALLBACK) || (env && strcmp(env, "1") == 0);
}

OEFD_PUBLIC int ohos_eventfd(unsigned int initval, int flags)
{
	int fd;

	if (flags & ~(OEFD_EFD_FLAGS | OHOS_EFD_FALLBACK))
		return oefd_fail(EINVAL, "unknown flags 0x%x: only OHOS_EFD_SEMAPHORE, OHOS_EFD_NONBLOCK, OHOS_EFD_CLOEXEC and OHOS_EFD_FALLBACK are defined",
				 (unsigned int)flags & ~(OEFD_EFD_FLAGS | OHOS_EFD_FALLBACK));
	fd = oefd_create(initval, flags & OEFD_EFD_FLAGS);
	if (fd >= 0 || !oefd_device_absent(errno) || !oefd_fallback_wanted(flags))
		return fd;
	/* The message of the failed open stays: it says why we fell back. */
	fd = eventfd(initval, flags & OEFD_EFD_FLAGS);
	if (fd < 0)
		return oefd_fail(errno, "native eventfd fallback failed: %s", strerror(errno));
	return fd;
}

/* A short transfer cannot happen on a counter; EIO rather than a stale errno. */
OEFD_PUBLIC int ohos_eventfd_read(int fd, uint64_t *value)
{
	ssize_t n = read(fd, value, sizeof(*value));

	if (n == sizeof(*value))
		return 0;
	if (n >= 0)
		return oefd_fail(EIO, "read of fd %d: %zd bytes instead of 8", fd, n);
	return oefd_fail(errno, "read of fd %d: %s", fd, strerror(errno));
}

OEFD_PUBLIC int ohos_eventfd_write(int fd, uint64_t value)
{
	ssize_t n = write(fd, &value, sizeof(value));

	if (n == sizeof(value))
		return 0;
	if (n >= 0)
		return oefd_fail(EIO, "write to fd %d: %zd bytes instead of 8", fd, n);
	return oefd_fail(errno, "write to fd %d: %s", fd, strerror(errno));
}

static int oefd_ioctl(int fd, unsigned long cmd, void *arg, const char *name)
{
	int err;

	if (ioctl(fd, cmd, arg) >= 0)
		return 0;
	err = errno;
	return oefd_fail(err, "%s on fd %d: %s%s", name, fd, strerror(err),
			 err == ENOTTY ? " (not an ohos_eventfd counter)" : "");
}

OEFD_PUBLIC int ohos_eventfd_configure(int fd, unsigned int initval, int flags)
{
	struct ohos_efd_config config = {
		.size = sizeof(config),
		.flags = (__u32)flags,
		.initval = initval,
	};

	return oefd_ioctl(fd, OHOS_EFD_IOC_CONFIGURE, &config, "OHOS_EFD_IOC_CONFIGURE");
}

OEFD_PUBLIC int ohos_eventfd_get_flags(int fd, unsigned int *flags)
{
	__u32 value;

	if (oefd_ioctl(fd, OHOS_EFD_IOC_GET_FLAGS, &value, "OHOS_EFD_IOC_GET_FLAGS"))
		return -1;
	*flags = value;
	return 0;
}

OEFD_PUBLIC int ohos_eventfd_set_mode(int fd, unsigned int mode)
{
	__u32 value = mode;

	return oefd_ioctl(fd, OHOS_EFD_IOC_SET_MODE, &value, "OHOS_EFD_IOC_SET_MODE");
}

OEFD_PUBLIC int ohos_eventfd_get_mode(int fd, unsigned int *mode)
{
	__u32 value;

	if (oefd_ioctl(fd, OHOS_EFD_IOC_GET_MODE, &value, "OHOS_EFD_IOC_GET_MODE"))
		return -1;
	*mode = value;
	return 0;
}

OEFD_PUBLIC int ohos_eventfd_peek(int fd, uint64_t *value)
{
	__u64 count;

	if (oefd_ioctl(fd, OHOS_EFD_IOC_PEEK, &count, "OHOS_EFD_IOC_PEEK"))
		return -1;
	*value = count;
	return 0;
}

/*
 * The caller's struct is the one of version OHOS_EVENTFD_1.0. When the struct
 * grows, the bigger one gets a new symbol version and this one keeps
 * passing the size it was built with.
 */
OEFD_PUBLIC int ohos_eventfd_get_stats(int fd, struct ohos_efd_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->size = sizeof(*stats);
	return oefd_ioctl(fd, OHOS_EFD_IOC_GET_STATS, stats, "OHOS_EFD_IOC_GET_STATS");
}

/*
 * The device number of our misc device: from sysfs, which the kernel keeps
 * right for the loaded module, else from the node (sysfs not mounted).
 * 0 when neither exists: the module is not loaded, no fd can be ours.
 */
static dev_t oefd_device_number(void)
{
	unsigned int major, minor;
	struct stat st;
	FILE *file;
	int n;

	file = fopen(OEFD_SYSFS_DEV, "re");
	if (file) {
		n = fscanf(file, "%u:%u", &major, &minor);
		fclose(file);
		return n == 2 ? makedev(major, minor) : 0;
	}
	if (stat(OHOS_EVENTFD_DEVICE, &st) == 0 && S_ISCHR(st.st_mode))
		return st.st_rdev;
	return 0;
}

/*
 * fstat() asks nothing of the file's driver, so unlike probing with one of
 * our ioctls it is safe on any fd: a driver that reused our ioctl numbers
 * would otherwise answer, or act.
 */
OEFD_PUBLIC int ohos_eventfd_is_ohos(int fd)
{
	struct stat st;
	dev_t dev;

	if (fstat(fd, &st) < 0)
		return oefd_fail(errno, "fstat of fd %d: %s", fd, strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return 0;
	dev = oefd_device_number();
	return dev != 0 && st.st_rdev == dev;
}
