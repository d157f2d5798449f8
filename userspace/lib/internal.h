/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the library and the LD_PRELOAD shim, never installed. */
#ifndef OEFD_INTERNAL_H
#define OEFD_INTERNAL_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <ohos_eventfd.h>

#define OEFD_PUBLIC __attribute__((visibility("default")))

/* The flags eventfd(2) takes, which the library translates for the kernel. */
#define OEFD_EFD_FLAGS	(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)

/*
 * format.c: snprintf() for %s %d %u %x %zd only, async-signal-safe;
 * strerror() without gettext.
 */
__attribute__((format(printf, 3, 0)))
void oefd_vformat(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4)))
void oefd_format(char *buf, size_t size, const char *fmt, ...);
const char *oefd_strerror(int err);

/*
 * open(2) and close(2) as system calls: glibc's wrappers are cancellation
 * points and eventfd(3) is not one, so nothing under eventfd() may be.
 * (ioctl, fstat, fcntl(F_DUPFD_CLOEXEC, F_SETSIG, F_GETSIG) and readlink
 * are not either.)
 */
static inline int oefd_open_nocancel(const char *path, int oflags, mode_t mode)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, oflags, mode);
}

/* A close that keeps errno: it only ever releases an fd of our own. */
static inline void oefd_close_nocancel(int fd)
{
	int err = errno;

	syscall(SYS_close, fd);
	errno = err;
}

/* eventfd2(2), what glibc's eventfd() is, without any symbol lookup. */
static inline int oefd_native_eventfd(unsigned int initval, int flags)
{
	return (int)syscall(SYS_eventfd2, initval, flags);
}

#endif /* OEFD_INTERNAL_H */
