/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libohos_eventfd: eventfd(3)-compatible counters backed by /dev/ohos_eventfd.
 *
 * Every function returns -1 and sets errno on failure, as eventfd(3) does;
 * ohos_eventfd_last_error() then names the cause in words. See
 * ohos_eventfd(3) for the whole contract.
 */
#ifndef OHOS_EVENTFD_H
#define OHOS_EVENTFD_H

#include <stdint.h>
#include <sys/eventfd.h>
#include <linux/ohos_eventfd.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The library takes and returns eventfd(2)'s flags, EFD_SEMAPHORE,
 * EFD_NONBLOCK and EFD_CLOEXEC of <sys/eventfd.h>, as eventfd(3) does, and
 * translates them to the kernel's OHOS_EFD_* bits of <linux/ohos_eventfd.h>
 * (which only EFD_SEMAPHORE equals): OHOS_EFD_NONBLOCK and OHOS_EFD_CLOEXEC
 * are for programs that issue the ioctls themselves.
 */

/*
 * Library-only creation flag: when /dev/ohos_eventfd cannot serve (missing,
 * no driver behind it, refused, out of fds), return a native eventfd(2)
 * instead of failing, as the LD_PRELOAD shim does. Bit 30
 * is used by no O_* flag on any architecture, so it can never collide with an
 * EFD_* flag, which are O_* values (the library's build asserts it for its
 * architecture); it is never passed to the kernel. The header is C99/C++98.
 */
#define OHOS_EFD_FALLBACK	0x40000000

/* Create a counter: eventfd(3)'s contract (EFD_* flags), plus OHOS_EFD_FALLBACK. */
int ohos_eventfd(unsigned int initval, int flags);

/* eventfd_read(3) and eventfd_write(3): 0 on success, -1 and errno. */
int ohos_eventfd_read(int fd, uint64_t *value);
int ohos_eventfd_write(int fd, uint64_t value);

/*
 * One function per ioctl of <linux/ohos_eventfd.h>: 0 or -1 and errno.
 * Flags are EFD_* here too: configure takes EFD_SEMAPHORE, get_flags
 * returns EFD_SEMAPHORE and EFD_NONBLOCK.
 */
int ohos_eventfd_configure(int fd, unsigned int initval, int flags);
int ohos_eventfd_get_flags(int fd, unsigned int *flags);
int ohos_eventfd_set_mode(int fd, unsigned int mode);
int ohos_eventfd_get_mode(int fd, unsigned int *mode);
int ohos_eventfd_peek(int fd, uint64_t *value);
int ohos_eventfd_get_stats(int fd, struct ohos_efd_stats *stats);

/* 1 if fd is an /dev/ohos_eventfd counter, 0 if not, -1 and errno. */
int ohos_eventfd_is_ohos(int fd);

/* This thread's message for the last failure of a library function. */
const char *ohos_eventfd_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* OHOS_EVENTFD_H */
