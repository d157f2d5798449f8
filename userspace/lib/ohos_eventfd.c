// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libohos_eventfd: eventfd(3)'s interface over /dev/ohos_eventfd.
 *
 * Convention: -1 and errno, as eventfd(3); a failing function also leaves a
 * message naming the cause in a thread-local buffer, which
 * ohos_eventfd_last_error() returns. No hidden threads; the one piece of
 * state is the factory fd that counters are made on (oefd_factory_fd()).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
 * A counter the way of modules older than OHOS_EFD_IOC_CREATE: open the
 * device, then configure the counter when it is not the default (count 0,
 * normal mode).
 */
static int oefd_create_by_open(unsigned int initval, int flags)
{
	int oflags = O_RDWR;
	int fd, err;

	if (flags & EFD_NONBLOCK)
		oflags |= O_NONBLOCK;
	if (flags & EFD_CLOEXEC)
		oflags |= O_CLOEXEC;
	fd = open(OHOS_EVENTFD_DEVICE, oflags);
	if (fd < 0)
		return oefd_open_failed(errno);
	if (initval == 0 && !(flags & EFD_SEMAPHORE))
		return fd;
	if (ohos_eventfd_configure(fd, initval, flags & EFD_SEMAPHORE) == 0)
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * The factory: one fd of the device per process, on which every counter is
 * made with OHOS_EFD_IOC_CREATE, without the path walk and the misc core's
 * global lock that each open() of the device costs.
 *
 * The program owns its fd table: it may close our fd (closefrom(),
 * close_range()) or put another file at its number (dup2()). So before each
 * use the fd is fstat()ed and compared with what it was when we opened it.
 * A stranger at our number is left alone, never sent an ioctl nor closed,
 * and a new factory is opened. We never close a factory ourselves either:
 * another thread may be about to use the number. (A number that names
 * another open file of the device passes the check: CREATE works on any fd
 * of the device and leaves that fd's own counter alone.)
 *
 * Readers take a snapshot locklessly under the seqcount @seq; changes are
 * serialised by @lock, which is also held across fork() so that a child
 * never inherits a half-written snapshot or a held lock.
 */
struct oefd_factory_id {
	int fd;			/* -1: not opened yet */
	dev_t dev;		/* fstat() of the fd when it was opened */
	ino_t ino;
	dev_t rdev;
};

static struct {
	pthread_mutex_t lock;
	unsigned int seq;	/* odd while @id changes */
	struct oefd_factory_id id;
} oefd_factory = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.id = { .fd = -1 },
};

/* Set once a module without OHOS_EFD_IOC_CREATE answered ENOTTY. */
static int oefd_create_missing;

static void oefd_factory_lock(void)
{
	pthread_mutex_lock(&oefd_factory.lock);
}

static void oefd_factory_unlock(void)
{
	pthread_mutex_unlock(&oefd_factory.lock);
}

static void oefd_factory_register_atfork(void)
{
	pthread_atfork(oefd_factory_lock, oefd_factory_unlock, oefd_factory_unlock);
}

static void oefd_factory_snapshot(struct oefd_factory_id *id)
{
	unsigned int seq;

	do {
		seq = __atomic_load_n(&oefd_factory.seq, __ATOMIC_ACQUIRE);
		id->fd = __atomic_load_n(&oefd_factory.id.fd, __ATOMIC_RELAXED);
		id->dev = __atomic_load_n(&oefd_factory.id.dev, __ATOMIC_RELAXED);
		id->ino = __atomic_load_n(&oefd_factory.id.ino, __ATOMIC_RELAXED);
		id->rdev = __atomic_load_n(&oefd_factory.id.rdev, __ATOMIC_RELAXED);
		/* Pairs with the release fence in oefd_factory_publish(). */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != __atomic_load_n(&oefd_factory.seq, __ATOMIC_RELAXED));
}

/* Called with the lock held. */
static void oefd_factory_publish(const struct oefd_factory_id *id)
{
	unsigned int seq = oefd_factory.seq;

	__atomic_store_n(&oefd_factory.seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&oefd_factory.id.fd, id->fd, __ATOMIC_RELAXED);
	__atomic_store_n(&oefd_factory.id.dev, id->dev, __ATOMIC_RELAXED);
	__atomic_store_n(&oefd_factory.id.ino, id->ino, __ATOMIC_RELAXED);
	__atomic_store_n(&oefd_factory.id.rdev, id->rdev, __ATOMIC_RELAXED);
	__atomic_store_n(&oefd_factory.seq, seq + 2, __ATOMIC_RELEASE);
}

/* Is id->fd still the file we opened? One fstat(), no question to its driver. */
static int oefd_factory_valid(const struct oefd_factory_id *id)
{
	struct stat st;

	return id->fd >= 0 && fstat(id->fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == id->rdev && st.st_ino == id->ino && st.st_dev == id->dev;
}

/*
 * Open a factory, close-on-exec, above the standard streams: a program that
 * closed stdin and opens /dev/null to get fd 0 back must not find us there.
 */
static int oefd_factory_open(struct oefd_factory_id *id)
{
	struct stat st;
	int fd, moved;

	fd = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return oefd_open_failed(errno);
	if (fd <= STDERR_FILENO) {
		moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
		if (moved >= 0) {
			close(fd);
			fd = moved;
		}
	}
	if (fstat(fd, &st) < 0) {
		int err = errno;

		close(fd);
		return oefd_fail(err, "fstat of %s (fd %d): %s", OHOS_EVENTFD_DEVICE, fd, strerror(err));
	}
	*id = (struct oefd_factory_id){ .fd = fd, .dev = st.st_dev, .ino = st.st_ino, .rdev = st.st_rdev };
	return 0;
}

/* First use, or the factory is gone: open one, once for all racing threads. */
static int oefd_factory_reopen(struct oefd_factory_id *id)
{
	static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
	int ret = 0;

	pthread_once(&atfork_once, oefd_factory_register_atfork);
	oefd_factory_lock();
	oefd_factory_snapshot(id);
	if (!oefd_factory_valid(id)) {
		ret = oefd_factory_open(id);
		if (ret == 0)
			oefd_factory_publish(id);
	}
	oefd_factory_unlock();
	return ret;
}

/* The factory's fd, checked; -1 with errno and the message when it cannot be opened. */
static int oefd_factory_fd(void)
{
	struct oefd_factory_id id;

	oefd_factory_snapshot(&id);
	if (!oefd_factory_valid(&id) && oefd_factory_reopen(&id))
		return -1;
	return id.fd;
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

static int oefd_ioc_create(int factory, unsigned int initval, int flags)
{
	struct ohos_efd_config config = {
		.flags = oefd_kernel_flags(flags),
		.initval = initval,
	};

	return ioctl(factory, OHOS_EFD_IOC_CREATE, &config);
}

/*
 * The one place that makes a counter: CREATE on the factory, or open() and
 * CONFIGURE from the first ENOTTY on, which only a module older than CREATE
 * answers (the factory was just checked to be the device). EBADF means the
 * program closed the factory between our check and the ioctl: check again,
 * once.
 */
int oefd_create(unsigned int initval, int flags)
{
	int attempt, factory, fd, err;

	for (attempt = 0;; attempt++) {
		if (__atomic_load_n(&oefd_create_missing, __ATOMIC_RELAXED))
			return oefd_create_by_open(initval, flags);
		factory = oefd_factory_fd();
		if (factory < 0)
			return -1;
		fd = oefd_ioc_create(factory, initval, flags);
		if (fd >= 0)
			return fd;
		err = errno;
		if (err == ENOTTY)
			__atomic_store_n(&oefd_create_missing, 1, __ATOMIC_RELAXED);
		else if (err != EBADF || attempt > 0)
			return oefd_fail(err, "OHOS_EFD_IOC_CREATE on %s (fd %d): %s",
					 OHOS_EVENTFD_DEVICE, factory, strerror(err));
	}
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
		return oefd_bad_flags(flags, OEFD_EFD_FLAGS | OHOS_EFD_FALLBACK);
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
	char path[32], target[sizeof(OEFD_ANON_LINK)];
	ssize_t len;
	int err;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* A longer target fills the buffer: len == sizeof(target), not ours. */
	len = readlink(path, target, sizeof(target));
	if (len < 0) {
		err = errno;
		return oefd_fail(err, "readlink %s: %s (is /proc mounted?)", path, strerror(err));
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
		return oefd_fail(errno, "fstat of fd %d: %s", fd, strerror(errno));
	if (!S_ISCHR(st.st_mode))
		return oefd_is_anon_counter(fd);
	dev = oefd_device_number();
	return dev != 0 && st.st_rdev == dev;
}
