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
 * hidden threads, no atfork handlers; the state is a few words (the
 * factory and its device number, the device's noted unavailability and
 * when it was noted, the missing CREATE).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "internal.h"

_Static_assert(!(OHOS_EFD_FALLBACK & OEFD_EFD_FLAGS), "OHOS_EFD_FALLBACK overlaps an EFD_* flag");

/* Where the misc core publishes the device's "major:minor". */
#define OEFD_SYSFS_DEV	"/sys/class/misc/ohos_eventfd/dev"

/*
 * initial-exec: a thread's copy lives in the static TLS block, also when the
 * library is loaded by dlopen() (from glibc's surplus), so that a first
 * failure in a signal handler does not go through __tls_get_addr(), which
 * may allocate and take the loader's lock.
 */
static __thread char oefd_message[256] __attribute__((tls_model("initial-exec")));

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
 * stranger is safe). The check is the factory's signature and fstat(): a
 * program's own fd of the device is a character device with our misc
 * device's number too, but only the open file the library made its factory
 * carries OEFD_FACTORY_SIGNATURE. A stranger is left alone, never closed,
 * and a new factory is opened.
 *
 * The word holds the factory's fd and a generation that every publication
 * increments, so that a factory opened again at the number of the one it
 * replaces is a different word: a thread that loaded the old word and saw
 * its CREATE fail re-reads the word and, if it changed, concludes nothing
 * from that failure; and of two threads that replace the same stale word,
 * exactly one compare-and-swap succeeds, the other closes the fd it opened,
 * which nobody else has seen. The word is published with one
 * compare-and-swap: no lock that a signal handler, a cancelled thread or a
 * fork child could meet held. fd 0 in the word means "no factory" (the
 * factory is never at fd 0-2); the generation wraps after 2^32
 * publications.
 *
 * The device number a factory must have is our misc device's, read from
 * sysfs when a factory is opened (never per counter), and the node's
 * number must equal it: a stale node (a static /dev, a bind mount into a
 * container, the module reloaded under another minor) pointing at another
 * driver is not used. It is kept beside the word, stored before the word
 * is published.
 */
static uint64_t oefd_factory;
static uint32_t oefd_factory_dev;

/*
 * The factory's signature, set with F_SETSIG on its open file when it is
 * opened and read with F_GETSIG before the library trusts or closes the
 * number: a property of the open file description, which a program's own
 * open() of the node does not share (F_GETSIG 0 until F_SETSIG). 32 is
 * glibc's and musl's internal SIGCANCEL, which sigaction() refuses to
 * programs, so no program picks it for a file of its own. Inert: the
 * signal is only sent through O_ASYNC to an F_SETOWN owner, and our driver
 * has no ->fasync, leases are for regular files, dnotify for directories.
 */
#define OEFD_FACTORY_SIGNATURE	32

static int oefd_factory_fd(uint64_t factory)
{
	return (int)(uint32_t)factory;
}

/* The word that replaces @old, holding @fd (0: no factory). */
static uint64_t oefd_factory_next(uint64_t old, int fd)
{
	return ((old >> 32) + 1) << 32 | (uint32_t)fd;
}

/*
 * Is the factory's number, which just failed a CREATE, still our factory:
 * a file of our device, and the signed open file? Two system calls, on
 * failure paths only; errno is kept, the caller reports its own error.
 * Kernel device numbers have 12-bit majors and 20-bit minors: st_rdev fits
 * in 32 bits.
 */
static int oefd_factory_intact(uint64_t factory)
{
	int fd = oefd_factory_fd(factory), err = errno, ours;
	struct stat st;

	ours = fd > STDERR_FILENO && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       (uint32_t)st.st_rdev == __atomic_load_n(&oefd_factory_dev, __ATOMIC_RELAXED) &&
	       fcntl(fd, F_GETSIG) == OEFD_FACTORY_SIGNATURE;
	errno = err;
	return ours;
}

/*
 * Why the device cannot serve this process (ENOENT, ENODEV, EACCES,
 * EPERM: a missing node, no driver or a node of another driver, a refusing
 * node or device cgroup, a sysfs number that cannot be read or parsed),
 * kept so that the fallback does not retry open()
 * on every call; 0 when not known. Cleared by the next factory that opens.
 * Calls without the fallback always try the device; calls with it try it
 * again at most once per second of CLOCK_MONOTONIC_COARSE
 * (oefd_recheck_due()), so that a daemon started before modprobe uses the
 * device within a second of its next eventfd() after it. Errors that pass
 * (EMFILE, ENOMEM) are not kept.
 */
static int oefd_unavailable;
static long oefd_unavailable_since;

/* The coarse monotonic second: the vDSO, no system call, async-signal-safe. */
static long oefd_coarse_second(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) < 0)
		return 0;
	return (long)now.tv_sec;
}

static void oefd_note_open(int err)
{
	if (err == 0 || err == ENOENT || err == ENXIO || err == ENODEV || err == EACCES || err == EPERM) {
		if (err)
			__atomic_store_n(&oefd_unavailable_since, oefd_coarse_second(), __ATOMIC_RELAXED);
		__atomic_store_n(&oefd_unavailable, err, __ATOMIC_RELAXED);
	}
}

/*
 * Is it time to try the device again despite the note? Once per second:
 * the one caller whose compare-and-swap moves the noted second to now.
 */
static int oefd_recheck_due(void)
{
	long last = __atomic_load_n(&oefd_unavailable_since, __ATOMIC_RELAXED);
	long now = oefd_coarse_second();

	return now != last && __atomic_compare_exchange_n(&oefd_unavailable_since, &last, now, 0,
							  __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/* Set once our device answered CREATE with ENOTTY: a module older than CREATE. */
static int oefd_create_missing;

/*
 * Our misc device's number as the kernel publishes it for the loaded
 * module, read without stdio (no allocation, no cancellation point).
 * 0 with errno when it cannot be read (ENOENT: the module is not loaded, or
 * sysfs is not mounted).
 */
static uint32_t oefd_sysfs_dev(void)
{
	unsigned int part[2] = { 0, 0 }, i = 0;
	char buf[32], *p;
	ssize_t n;
	int fd = oefd_open_nocancel(OEFD_SYSFS_DEV, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	n = (ssize_t)syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	oefd_close_nocancel(fd);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; *p && *p != '\n'; p++) {
		if (*p == ':' && i == 0 && p != buf)
			i = 1;
		else if (*p >= '0' && *p <= '9' && part[i] < 0x100000)
			part[i] = part[i] * 10 + (unsigned int)(*p - '0');
		else
			break;
	}
	if (i != 1 || (*p && *p != '\n') || part[0] >= 0x1000 || part[1] >= 0x100000) {
		errno = EINVAL;
		return 0;
	}
	return (uint32_t)makedev(part[0], part[1]);
}

/*
 * The node opened but sysfs did not give our number (@err from
 * oefd_sysfs_dev()): the node cannot be checked, so it is not used. Errors
 * that last are noted like a missing device, so that the fallback does not
 * pay the four system calls of this attempt on every call.
 */
static int oefd_sysfs_failed(int err)
{
	switch (err) {
	case EMFILE:
	case ENFILE:
	case ENOMEM:
	case EINTR:
	case EAGAIN:
		/* Passing, or a program closing fds it does not own: not noted. */
		return oefd_fail(err, "cannot read %s: %s", OEFD_SYSFS_DEV, oefd_strerror(err));
	case ENOENT:
		oefd_note_open(ENODEV);
		return oefd_fail(ENODEV, "%s exists but %s does not: the ohos_eventfd module is not loaded, or sysfs is not mounted; the node is not trusted",
				 OHOS_EVENTFD_DEVICE, OEFD_SYSFS_DEV);
	case EACCES:
	case EPERM:
		oefd_note_open(err);
		return oefd_fail(err, "permission denied reading %s: %s cannot be checked against the ohos_eventfd misc device's number, so it is not used",
				 OEFD_SYSFS_DEV, OHOS_EVENTFD_DEVICE);
	case EINVAL:
		oefd_note_open(ENODEV);
		return oefd_fail(ENODEV, "%s holds no MAJOR:MINOR: %s cannot be checked against the ohos_eventfd misc device's number, so it is not used",
				 OEFD_SYSFS_DEV, OHOS_EVENTFD_DEVICE);
	default:
		oefd_note_open(ENODEV);
		return oefd_fail(ENODEV, "cannot read %s (%s): %s cannot be checked against the ohos_eventfd misc device's number, so it is not used",
				 OEFD_SYSFS_DEV, oefd_strerror(err), OHOS_EVENTFD_DEVICE);
	}
}

/* Move a just-opened factory above the standard streams; -1 with the message. */
static int oefd_above_stderr(int fd)
{
	int high;

	if (fd > STDERR_FILENO)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	oefd_close_nocancel(fd);
	if (high < 0)
		return oefd_fail(errno, "no fd above 2 for %s: %s", OHOS_EVENTFD_DEVICE,
				 oefd_strerror(errno));
	return high;
}

/*
 * Is @fd, just opened, our misc device @dev (from sysfs)? Then sign it
 * (OEFD_FACTORY_SIGNATURE). 0, or -1 with the message.
 */
static int oefd_factory_check(int fd, uint32_t dev)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return oefd_fail(errno, "fstat of %s (fd %d): %s", OHOS_EVENTFD_DEVICE, fd,
				 oefd_strerror(errno));
	if (!S_ISCHR(st.st_mode) || (uint32_t)st.st_rdev != dev) {
		oefd_note_open(ENODEV);
		return oefd_fail(ENODEV, "%s is not the ohos_eventfd misc device %u:%u (a stale node of another driver?)",
				 OHOS_EVENTFD_DEVICE, major(dev), minor(dev));
	}
	/* ENOMEM since 6.12, which allocates the owner struct on demand: passing. */
	if (fcntl(fd, F_SETSIG, OEFD_FACTORY_SIGNATURE) < 0)
		return oefd_fail(errno, "F_SETSIG on %s (fd %d): %s", OHOS_EVENTFD_DEVICE, fd,
				 oefd_strerror(errno));
	return 0;
}

/*
 * Open a factory, close-on-exec, above the standard streams (a program that
 * closed stdin and opens /dev/null to get fd 0 back must not find us
 * there), check that the node is our misc device and sign it. sysfs is
 * read first: with one free fd, the node then takes it. Returns the fd, or
 * -1 with errno and the message.
 */
static int oefd_factory_open(void)
{
	uint32_t dev = oefd_sysfs_dev();
	int sysfs_err = errno;
	int fd = oefd_open_nocancel(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC, 0);

	if (fd < 0) {
		oefd_note_open(errno);
		return oefd_open_failed(errno);
	}
	fd = oefd_above_stderr(fd);
	if (fd < 0)
		return -1;
	if (!dev) {
		oefd_close_nocancel(fd);
		return oefd_sysfs_failed(sysfs_err);
	}
	if (oefd_factory_check(fd, dev) < 0) {
		oefd_close_nocancel(fd);
		return -1;
	}
	oefd_note_open(0);
	__atomic_store_n(&oefd_factory_dev, dev, __ATOMIC_RELAXED);
	return fd;
}

/*
 * Publish a new factory in place of *@factory, or take the word another
 * thread or a signal handler published first; *@factory is then the
 * current word. -1 with errno and the message when no factory opens.
 */
static int oefd_factory_replace(uint64_t *factory)
{
	int fd = oefd_factory_open();

	if (fd < 0)
		return -1;
	/* Pairs with the acquire loads in oefd_create(): the fd is open before it is seen. */
	if (__atomic_compare_exchange_n(&oefd_factory, factory, oefd_factory_next(*factory, fd), 0,
					__ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
		*factory = oefd_factory_next(*factory, fd);
		return 0;
	}
	oefd_close_nocancel(fd);
	return 0;
}

/*
 * Take the factory @factory out of the word and close it: its fd is the
 * one a counter needs (the fd limit) or of no use (a module without
 * CREATE). Only when the word is still @factory and its number still holds
 * the signed factory (a program's own fd of the device there is left
 * alone); 1 when it was retired.
 */
static int oefd_factory_retire(uint64_t factory)
{
	if (!oefd_factory_fd(factory) || !oefd_factory_intact(factory) ||
	    !__atomic_compare_exchange_n(&oefd_factory, &factory, oefd_factory_next(factory, 0), 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return 0;
	oefd_close_nocancel(oefd_factory_fd(factory));
	return 1;
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

static int oefd_ioc_create(int fd, unsigned int initval, int flags)
{
	struct ohos_efd_config config = {
		.flags = oefd_kernel_flags(flags),
		.initval = initval,
	};

	return ioctl(fd, OHOS_EFD_IOC_CREATE, &config);
}

/*
 * CREATE failed with @err on @factory, found to be our signed factory
 * after the failure. EMFILE/ENFILE: the factory holds the fd the
 * counter needs, so it is retired and the counter opened in its place
 * (eventfd(2) would have had that fd). ENOTTY: our driver without CREATE,
 * unless the number held a stranger at the moment of the CREATE; asked
 * again on a fresh fd of the device, which nobody else knows.
 */
static int oefd_create_failed(int err, uint64_t factory, unsigned int initval, int flags)
{
	int fresh, fd;

	if (err == EMFILE || err == ENFILE) {
		oefd_factory_retire(factory);
		fd = oefd_create_by_open(initval, flags);
		if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
			return fd;
		err = errno;
	}
	if (err != ENOTTY)
		return oefd_fail(err, "OHOS_EFD_IOC_CREATE on %s (fd %d): %s", OHOS_EVENTFD_DEVICE,
				 oefd_factory_fd(factory), oefd_strerror(err));
	fresh = oefd_factory_open();
	if (fresh < 0)
		return -1;
	fd = oefd_ioc_create(fresh, initval, flags);
	err = errno;
	oefd_close_nocancel(fresh);
	if (fd >= 0)
		return fd;
	if (err != ENOTTY)
		return oefd_fail(err, "OHOS_EFD_IOC_CREATE on %s: %s", OHOS_EVENTFD_DEVICE,
				 oefd_strerror(err));
	__atomic_store_n(&oefd_create_missing, 1, __ATOMIC_RELAXED);
	oefd_factory_retire(factory);
	return oefd_create_by_open(initval, flags);
}

/*
 * The one place that makes a counter, on the device, never falling back.
 * CREATE on the factory; when it fails, the failure says something only
 * if the word did not change meanwhile and its number still holds our
 * signed factory (EBADF never comes from our driver: the number was
 * closed). Otherwise a
 * new factory. Three rounds: first use, a factory closed behind our back,
 * and once more for a program that closes fds as fast as we open them.
 */
static int oefd_create(unsigned int initval, int flags)
{
	uint64_t factory = __atomic_load_n(&oefd_factory, __ATOMIC_ACQUIRE), now;
	int round, fd, err;

	for (round = 0; round < 3; round++) {
		if (__atomic_load_n(&oefd_create_missing, __ATOMIC_RELAXED))
			return oefd_create_by_open(initval, flags);
		if (!oefd_factory_fd(factory) && oefd_factory_replace(&factory) < 0)
			return -1;
		if (!oefd_factory_fd(factory))
			continue;	/* retired meanwhile */
		fd = oefd_ioc_create(oefd_factory_fd(factory), initval, flags);
		if (fd >= 0)
			return fd;
		err = errno;
		now = __atomic_load_n(&oefd_factory, __ATOMIC_ACQUIRE);
		if (now != factory) {
			factory = now;
			continue;
		}
		if (!oefd_factory_intact(factory) || err == EBADF) {
			if (oefd_factory_replace(&factory) < 0)
				return -1;
			continue;
		}
		now = __atomic_load_n(&oefd_factory, __ATOMIC_ACQUIRE);
		if (now != factory) {
			factory = now;
			continue;
		}
		return oefd_create_failed(err, factory, initval, flags);
	}
	return oefd_fail(EBADF, "the factory of %s changed under each of three attempts (a program closing fds as fast as they open?)",
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

/*
 * eventfd2(2). When it finds no fd (EMFILE, ENFILE) while the factory
 * holds one, the factory is retired and eventfd2 asked again: without us
 * the program would have had that fd.
 */
static int oefd_native(unsigned int initval, int flags)
{
	int fd = oefd_native_eventfd(initval, flags);

	if (fd < 0 && (errno == EMFILE || errno == ENFILE) &&
	    oefd_factory_retire(__atomic_load_n(&oefd_factory, __ATOMIC_ACQUIRE)))
		fd = oefd_native_eventfd(initval, flags);
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
	if (__atomic_load_n(&oefd_unavailable, __ATOMIC_RELAXED) && oefd_fallback_wanted(flags) &&
	    !oefd_recheck_due()) {
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
	uint32_t dev = oefd_sysfs_dev();
	struct stat st;

	if (dev)
		return dev;
	if (errno == ENOENT && stat(OHOS_EVENTFD_DEVICE, &st) == 0 && S_ISCHR(st.st_mode))
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
	int saved_errno = errno, ret;
	struct stat st;
	dev_t dev;

	if (fstat(fd, &st) < 0)
		return oefd_fail(errno, "fstat of fd %d: %s", fd, oefd_strerror(errno));
	if (!S_ISCHR(st.st_mode)) {
		ret = oefd_is_anon_counter(fd);
	} else {
		dev = oefd_device_number();
		ret = dev != 0 && st.st_rdev == dev;
	}
	if (ret >= 0)
		errno = saved_errno;
	return ret;
}
