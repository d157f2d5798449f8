// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libohos_eventfd: eventfd(3)'s interface over /dev/ohos_eventfd.
 *
 * Convention: -1 and errno, as eventfd(3); a failing function also leaves a
 * message naming the cause in a thread-local buffer, which
 * ohos_eventfd_last_error() returns. Success leaves errno as it was.
 *
 * eventfd() under the shim is this file's ohos_eventfd(), so what is true
 * of eventfd(3) must be true here: it is not a cancellation point (the
 * system calls go around glibc's cancellable wrappers), it takes no lock
 * and allocates nothing (a signal handler or a fork child may call it at
 * any moment), and it formats messages with format.c, not snprintf(). No
 * hidden threads, no atfork handlers; the state is three words (the
 * factory, the device's cached unavailability, the missing CREATE).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"

_Static_assert(!(OHOS_EFD_FALLBACK & OEFD_EFD_FLAGS), "OHOS_EFD_FALLBACK overlaps an EFD_* flag");

/* Where the misc core publishes the device's "major:minor". */
#define OEFD_SYSFS_DEV	"/sys/class/misc/ohos_eventfd/dev"

static __thread char oefd_message[256];

/* Record why a call failed, set errno to err and return -1. */
__attribute__((format(printf, 2, 3)))
static int oefd_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	oefd_vformat(oefd_message, sizeof(oefd_message), fmt, ap);
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
		return oefd_fail(err, "cannot open %s: %s", OHOS_EVENTFD_DEVICE, oefd_strerror(err));
	}
}

/*
 * A counter the way of modules older than OHOS_EFD_IOC_CREATE: open the
 * device, then configure the counter when it is not the default (count 0,
 * normal mode).
 */
static int oefd_create_by_open(unsigned int initval, int flags)
{
	int oflags = O_RDWR;
	int fd;

	if (flags & EFD_NONBLOCK)
		oflags |= O_NONBLOCK;
	if (flags & EFD_CLOEXEC)
		oflags |= O_CLOEXEC;
	fd = oefd_open_nocancel(OHOS_EVENTFD_DEVICE, oflags, 0);
	if (fd < 0)
		return oefd_open_failed(errno);
	if (initval == 0 && !(flags & EFD_SEMAPHORE))
		return fd;
	if (ohos_eventfd_configure(fd, initval, flags & EFD_SEMAPHORE) == 0)
		return fd;
	oefd_close_nocancel(fd);
	return -1;
}

/*
 * The factory: one fd of the device per process, on which every counter is
 * made with OHOS_EFD_IOC_CREATE, without the path walk and the misc core's
 * global lock that each open() of the device costs.
 *
 * The program owns its fd table: it may close our fd (closefrom(),
 * close_range()) or put another file at its number (dup2()). Checking the
 * fd before each use would cost a second system call per counter, so
 * CREATE is sent first and the fd is checked only when CREATE fails
 * (docs/design.md, "The library's factory", says why sending it to a
 * stranger is safe). The check is fstat(): a character device with the
 * number of the node we opened is served by our driver, whatever else at
 * that number is not. A stranger is left alone, never closed, and a new
 * factory is opened; we never close a factory we published either, since
 * another thread may be about to use the number.
 *
 * The fd and its device number live in one 64-bit word, so that a reader
 * never pairs one factory's fd with another's number, and a new factory is
 * published with one compare-and-swap: no lock that a signal handler, a
 * cancelled thread or a fork child could meet held. A thread that loses
 * the race closes the fd it opened, which nobody else has seen. Kernel
 * device numbers have 12-bit majors and 20-bit minors, so st_rdev fits in
 * 32 bits; the factory is never at fd 0-2, so 0 means "none".
 */
static uint64_t oefd_factory;

static int oefd_factory_fd(uint64_t factory)
{
	return (int)(uint32_t)factory;
}

/* Is the factory's fd, which just failed a CREATE, still our device? */
static int oefd_factory_intact(uint64_t factory)
{
	struct stat st;

	return fstat(oefd_factory_fd(factory), &st) == 0 && S_ISCHR(st.st_mode) &&
	       (uint32_t)st.st_rdev == (uint32_t)(factory >> 32);
}

/*
 * Why the device cannot serve this process (ENOENT, ENODEV, EACCES,
 * EPERM: a missing node, no driver, a refusing node or device cgroup),
 * kept so that the fallback does not retry open() on every call; 0 when
 * not known. Cleared by the next factory that opens: every call without
 * the fallback tries the device again. Errors that pass (EMFILE, ENOMEM)
 * are not kept.
 */
static int oefd_unavailable;

static void oefd_note_open(int err)
{
	if (err == 0 || err == ENOENT || err == ENXIO || err == ENODEV || err == EACCES || err == EPERM)
		__atomic_store_n(&oefd_unavailable, err, __ATOMIC_RELAXED);
}

/* Set once our device answered CREATE with ENOTTY: a module older than CREATE. */
static int oefd_create_missing;

/*
 * Open a factory, close-on-exec, above the standard streams: a program that
 * closed stdin and opens /dev/null to get fd 0 back must not find us there.
 * Returns the factory's word, or 0 with errno and the message.
 */
static uint64_t oefd_factory_open(void)
{
	int fd = oefd_open_nocancel(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC, 0);
	int low = fd;
	struct stat st;

	oefd_note_open(fd < 0 ? errno : 0);
	if (fd < 0) {
		oefd_open_failed(errno);
		return 0;
	}
	if (low <= STDERR_FILENO) {
		fd = fcntl(low, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		oefd_close_nocancel(low);
		if (fd < 0) {
			oefd_fail(errno, "no fd above 2 for %s: %s", OHOS_EVENTFD_DEVICE, oefd_strerror(errno));
			return 0;
		}
	}
	if (fstat(fd, &st) < 0) {
		oefd_fail(errno, "fstat of %s (fd %d): %s", OHOS_EVENTFD_DEVICE, fd, oefd_strerror(errno));
		oefd_close_nocancel(fd);
		return 0;
	}
	return (uint64_t)(uint32_t)st.st_rdev << 32 | (uint32_t)fd;
}

/*
 * Publish a new factory in place of @stale (0 on first use), or take the
 * one another thread or a signal handler published first.
 */
static uint64_t oefd_factory_replace(uint64_t stale)
{
	uint64_t fresh = oefd_factory_open();

	if (!fresh)
		return 0;
	/* Pairs with the acquire load in oefd_create(): the fd is open before it is seen. */
	if (__atomic_compare_exchange_n(&oefd_factory, &stale, fresh, 0, __ATOMIC_RELEASE,
					__ATOMIC_ACQUIRE))
		return fresh;
	oefd_close_nocancel(oefd_factory_fd(fresh));
	return stale;
}

/* eventfd's flags (OEFD_EFD_FLAGS; the caller has refused any other bit) in the kernel's bits. */
static __u32 oefd_kernel_flags(int flags)
{
	return (flags & EFD_SEMAPHORE ? OHOS_EFD_SEMAPHORE : 0) |
	       (flags & EFD_NONBLOCK ? OHOS_EFD_NONBLOCK : 0) |
	       (flags & EFD_CLOEXEC ? OHOS_EFD_CLOEXEC : 0);
}

/* OHOS_EFD_IOC_GET_FLAGS's answer (SEMAPHORE, NONBLOCK) as eventfd's flags. */
static unsigned int oefd_efd_flags(__u32 flags)
{
	return (flags & OHOS_EFD_SEMAPHORE ? EFD_SEMAPHORE : 0) |
	       (flags & OHOS_EFD_NONBLOCK ? EFD_NONBLOCK : 0);
}

/*
 * EINVAL for flags eventfd(2) does not take, naming the kernel's bits
 * when they are what the caller passed.
 */
static int oefd_bad_flags(int flags, int allowed)
{
	unsigned int bad = (unsigned int)flags & ~(unsigned int)allowed;

	if (bad & (OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC))
		return oefd_fail(EINVAL, "unknown flags 0x%x: OHOS_EFD_NONBLOCK and OHOS_EFD_CLOEXEC are the kernel's bits, the library takes EFD_NONBLOCK and EFD_CLOEXEC",
				 bad);
	return oefd_fail(EINVAL, "unknown flags 0x%x", bad);
}

static int oefd_ioc_create(uint64_t factory, unsigned int initval, int flags)
{
	struct ohos_efd_config config = {
		.flags = oefd_kernel_flags(flags),
		.initval = initval,
	};

	return ioctl(oefd_factory_fd(factory), OHOS_EFD_IOC_CREATE, &config);
}

/* CREATE failed with @err on a factory that is still our device. */
static int oefd_create_failed(int err, uint64_t factory, unsigned int initval, int flags)
{
	if (err != ENOTTY)
		return oefd_fail(err, "OHOS_EFD_IOC_CREATE on %s (fd %d): %s", OHOS_EVENTFD_DEVICE,
				 oefd_factory_fd(factory), oefd_strerror(err));
	__atomic_store_n(&oefd_create_missing, 1, __ATOMIC_RELAXED);
	return oefd_create_by_open(initval, flags);
}

/*
 * The one place that makes a counter, on the device, never falling back.
 * CREATE on the factory; when it fails on a file that is no longer our
 * device, on a new factory. Three rounds: first use, a factory closed
 * behind our back, and once more for a program that closes fds as fast as
 * we open them.
 */
static int oefd_create(unsigned int initval, int flags)
{
	uint64_t factory = __atomic_load_n(&oefd_factory, __ATOMIC_ACQUIRE);
	int round, fd, err;

	for (round = 0; round < 3; round++) {
		if (__atomic_load_n(&oefd_create_missing, __ATOMIC_RELAXED))
			return oefd_create_by_open(initval, flags);
		if (factory) {
			fd = oefd_ioc_create(factory, initval, flags);
			if (fd >= 0)
				return fd;
			err = errno;
			if (oefd_factory_intact(factory))
				return oefd_create_failed(err, factory, initval, flags);
		}
		factory = oefd_factory_replace(factory);
		if (!factory)
			return -1;
	}
	return oefd_fail(EBADF, "the program closed each new factory fd of %s before its first use",
			 OHOS_EVENTFD_DEVICE);
}

/* Read only when the device failed or is known unavailable: getenv() is not free. */
static int oefd_fallback_wanted(int flags)
{
	const char *env;

	if (flags & OHOS_EFD_FALLBACK)
		return 1;
	env = getenv("OHOS_EVENTFD_FALLBACK");
	return env && strcmp(env, "1") == 0;
}

static int oefd_native(unsigned int initval, int flags)
{
	int fd = oefd_native_eventfd(initval, flags);

	if (fd < 0)
		return oefd_fail(errno, "native eventfd fallback failed: %s", oefd_strerror(errno));
	return fd;
}

/*
 * With the fallback, any failure of the device gives a native eventfd:
 * eventfd(2) would have succeeded where the device refused (permission, a
 * second fd that the factory needs), and where eventfd(2) fails too it says
 * why as it would have. The message of the device's failure stays: it says
 * why we fell back.
 */
OEFD_PUBLIC int ohos_eventfd(unsigned int initval, int flags)
{
	int saved_errno = errno;
	int fd;

	if (flags & ~(OEFD_EFD_FLAGS | OHOS_EFD_FALLBACK))
		return oefd_bad_flags(flags, OEFD_EFD_FLAGS | OHOS_EFD_FALLBACK);
	if (__atomic_load_n(&oefd_unavailable, __ATOMIC_RELAXED) && oefd_fallback_wanted(flags)) {
		fd = oefd_native(initval, flags & OEFD_EFD_FLAGS);
	} else {
		fd = oefd_create(initval, flags & OEFD_EFD_FLAGS);
		if (fd < 0 && oefd_fallback_wanted(flags))
			fd = oefd_native(initval, flags & OEFD_EFD_FLAGS);
	}
	if (fd >= 0)
		errno = saved_errno;
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
	return oefd_fail(errno, "read of fd %d: %s", fd, oefd_strerror(errno));
}

OEFD_PUBLIC int ohos_eventfd_write(int fd, uint64_t value)
{
	ssize_t n = write(fd, &value, sizeof(value));

	if (n == sizeof(value))
		return 0;
	if (n >= 0)
		return oefd_fail(EIO, "write to fd %d: %zd bytes instead of 8", fd, n);
	return oefd_fail(errno, "write to fd %d: %s", fd, oefd_strerror(errno));
}

static int oefd_ioctl(int fd, unsigned long cmd, void *arg, const char *name)
{
	int err;

	if (ioctl(fd, cmd, arg) >= 0)
		return 0;
	err = errno;
	return oefd_fail(err, "%s on fd %d: %s%s", name, fd, oefd_strerror(err),
			 err == ENOTTY ? " (not an ohos_eventfd counter)" : "");
}

/* EFD_NONBLOCK and EFD_CLOEXEC belong to an fd: the kernel refuses them here. */
OEFD_PUBLIC int ohos_eventfd_configure(int fd, unsigned int initval, int flags)
{
	struct ohos_efd_config config = {
		.flags = oefd_kernel_flags(flags),
		.initval = initval,
	};

	if (flags & ~OEFD_EFD_FLAGS)
		return oefd_bad_flags(flags, OEFD_EFD_FLAGS);
	return oefd_ioctl(fd, OHOS_EFD_IOC_CONFIGURE, &config, "OHOS_EFD_IOC_CONFIGURE");
}

OEFD_PUBLIC int ohos_eventfd_get_flags(int fd, unsigned int *flags)
{
	__u32 value;

	if (oefd_ioctl(fd, OHOS_EFD_IOC_GET_FLAGS, &value, "OHOS_EFD_IOC_GET_FLAGS"))
		return -1;
	*flags = oefd_efd_flags(value);
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
 * The caller's struct is the one of version OHOS_EVENTFD_2.0, whose size
 * OHOS_EFD_IOC_GET_STATS carries. When the struct grows, the bigger one
 * gets a new symbol version and this one keeps issuing the command with
 * the size it was built with.
 */
OEFD_PUBLIC int ohos_eventfd_get_stats(int fd, struct ohos_efd_stats *stats)
{
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

/* What /proc/PID/fd shows for a counter from OHOS_EFD_IOC_CREATE. */
#define OEFD_ANON_LINK	"anon_inode:[ohos_eventfd]"

static int oefd_is_anon_counter(int fd)
{
	char path[48], target[sizeof(OEFD_ANON_LINK)];
	ssize_t len;
	int err;

	/* Not /proc/self: a thread that unshared its fd table has its own numbers. */
	oefd_format(path, sizeof(path), "/proc/thread-self/fd/%d", fd);
	/* A longer target fills the buffer: len == sizeof(target), not ours. */
	len = readlink(path, target, sizeof(target));
	if (len < 0) {
		err = errno;
		return oefd_fail(err, "readlink %s: %s (is /proc mounted?)", path, oefd_strerror(err));
	}
	return len == sizeof(target) - 1 && memcmp(target, OEFD_ANON_LINK, (size_t)len) == 0;
}

/*
 * Only what the kernel says about the file, never a question to its
 * driver: an ioctl of ours could mean something else to another driver, or
 * act. A counter from open() is our character device (fstat), one from
 * OHOS_EFD_IOC_CREATE an anonymous inode named "[ohos_eventfd]".
 */
OEFD_PUBLIC int ohos_eventfd_is_ohos(int fd)
{
	struct stat st;
	dev_t dev;

	if (fstat(fd, &st) < 0)
		return oefd_fail(errno, "fstat of fd %d: %s", fd, oefd_strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return oefd_is_anon_counter(fd);
	dev = oefd_device_number();
	return dev != 0 && st.st_rdev == dev;
}
