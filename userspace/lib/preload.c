// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libohos_eventfd_preload.so: LD_PRELOAD it and the libc entry points
 * eventfd(), eventfd_read() and eventfd_write() of an unmodified program
 * use /dev/ohos_eventfd. When the device is absent (missing node, module not
 * loaded) eventfd() is libc's own, found with dlsym(RTLD_NEXT); any other
 * failure (permission, fd limits) is returned to the program as it is.
 *
 * What it cannot catch: raw syscall(SYS_eventfd2), statically linked
 * programs, Go (which makes system calls itself). What breaks under it:
 * handing the fd to a kernel consumer of eventfds (KVM irqfd, vhost, VFIO,
 * io_uring IORING_REGISTER_EVENTFD, AIO IOCB_FLAG_RESFD, memcg
 * cgroup.event_control), which accept only the kernel's own eventfd and
 * fail with EINVAL.
 *
 * OHOS_EVENTFD_PRELOAD_LOG=FILE appends one line per eventfd() call saying
 * where the counter came from, so a test can prove the calls reached us.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

typedef int (*oefd_eventfd_fn)(unsigned int, int);

static oefd_eventfd_fn oefd_libc_eventfd(void)
{
	static oefd_eventfd_fn libc_eventfd;
	oefd_eventfd_fn fn = __atomic_load_n(&libc_eventfd, __ATOMIC_RELAXED);

	/* Racing first calls all store the same pointer. */
	if (!fn) {
		fn = (oefd_eventfd_fn)dlsym(RTLD_NEXT, "eventfd");
		__atomic_store_n(&libc_eventfd, fn, __ATOMIC_RELAXED);
	}
	return fn;
}

/* Opened per line: the program may close or reuse any fd we kept. */
static void oefd_log(unsigned int initval, int flags, int ret, const char *how)
{
	const char *path = getenv("OHOS_EVENTFD_PRELOAD_LOG");
	char line[320];
	int saved_errno = errno;
	int fd, len;

	if (!path || !*path)
		return;
	len = snprintf(line, sizeof(line), "pid %d: eventfd(%u, 0x%x) = %d %s\n",
		       (int)getpid(), initval, (unsigned int)flags, ret, how);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		/* Best effort: a lost log line must not fail the program. */
		ssize_t written = write(fd, line, (size_t)len);

		(void)written;
		close(fd);
	}
	errno = saved_errno;
}

static int oefd_libc_fallback(unsigned int initval, int flags, const char *why)
{
	oefd_eventfd_fn libc_eventfd = oefd_libc_eventfd();
	char how[300];
	int fd;

	if (!libc_eventfd) {
		errno = ENOSYS;
		oefd_log(initval, flags, -1, "error: libc has no eventfd");
		return -1;
	}
	fd = libc_eventfd(initval, flags);
	snprintf(how, sizeof(how), "native: %s", why);
	oefd_log(initval, flags, fd, how);
	return fd;
}

OEFD_PUBLIC int eventfd(unsigned int initval, int flags)
{
	int fd;

	/* libc says what it says about flags it does not know. */
	if (flags & ~OEFD_EFD_FLAGS)
		return oefd_libc_fallback(initval, flags, "unknown flags");
	fd = oefd_create(initval, flags);
	if (fd >= 0) {
		oefd_log(initval, flags, fd, "device");
		return fd;
	}
	if (oefd_device_absent(errno))
		return oefd_libc_fallback(initval, flags, ohos_eventfd_last_error());
	oefd_log(initval, flags, -1, ohos_eventfd_last_error());
	return -1;
}

OEFD_PUBLIC int eventfd_read(int fd, eventfd_t *value)
{
	return ohos_eventfd_read(fd, value);
}

OEFD_PUBLIC int eventfd_write(int fd, eventfd_t value)
{
	return ohos_eventfd_write(fd, value);
}
