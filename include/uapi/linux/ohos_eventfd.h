/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ohos_eventfd: eventfd-compatible counters from /dev/ohos_eventfd.
 *
 * Every open() of /dev/ohos_eventfd, and every OHOS_EFD_IOC_CREATE on any
 * fd of it, yields a new counter that reads and writes exactly like an
 * eventfd(2) fd. The other ioctls configure and inspect a counter.
 *
 * ABI rules:
 * - a command that takes a struct carries the struct's size in its number
 *   (_IOW/_IOR), as seccomp's SECCOMP_IOCTL_NOTIF_ADDFD does: the kernel
 *   accepts any size from the first version's (else EINVAL) up to a page
 *   (else E2BIG). A struct the kernel reads may be larger than the kernel
 *   knows if the bytes it does not know are zero (else E2BIG); a struct
 *   the kernel fills gets the fields both know, and the bytes the kernel
 *   does not know are zeroed;
 * - unknown flag bits must be zero (else EINVAL);
 * - unknown ioctl commands fail with ENOTTY.
 *
 * The flags are this header's own bits, the same on every architecture;
 * eventfd's EFD_NONBLOCK and EFD_CLOEXEC are the architecture's O_NONBLOCK
 * and O_CLOEXEC, which a uapi header cannot name without <linux/fcntl.h>
 * (it collides with the C library's <fcntl.h>).
 *
 * ioctl magic 0xEF, numbers 0x01-0x1f: no entry for 0xEF in
 * Documentation/userspace-api/ioctl/ioctl-number.rst (6.12).
 */
#ifndef _UAPI_LINUX_OHOS_EVENTFD_H
#define _UAPI_LINUX_OHOS_EVENTFD_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* The release of this header, the module, the library and the CLI. */
#define OHOS_EVENTFD_VERSION	"2.0.0"

#define OHOS_EVENTFD_DEVICE	"/dev/ohos_eventfd"

/* Counter flags: eventfd2()'s EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC. */
#define OHOS_EFD_SEMAPHORE	(1U << 0)
#define OHOS_EFD_NONBLOCK	(1U << 1)	/* the fd's O_NONBLOCK */
#define OHOS_EFD_CLOEXEC	(1U << 2)	/* the fd's close-on-exec */

/* Wakeup modes (OHOS_EFD_IOC_SET_MODE). */
#define OHOS_EFD_MODE_EXACT	 0U	/* wake on every read/write, as eventfd */
#define OHOS_EFD_MODE_TRANSITION 1U	/* wake on 0 -> non-zero, full -> not full */

/* The highest count a counter holds, as eventfd: 0xfffffffffffffffe. */
#define OHOS_EFD_COUNT_MAX	0xfffffffffffffffeULL

/**
 * struct ohos_efd_config - a counter's creation parameters
 * @flags:	OHOS_EFD_SEMAPHORE; OHOS_EFD_IOC_CREATE also takes
 *		OHOS_EFD_NONBLOCK and OHOS_EFD_CLOEXEC
 * @initval:	initial count, an unsigned int as eventfd2's
 */
struct ohos_efd_config {
	__u32 flags;
	__u32 initval;
};

#define OHOS_EFD_CONFIG_SIZE_VER0	8

/**
 * struct ohos_efd_stats - a counter's event counts since creation
 * @writes:	successful write(2)s and in-kernel signals
 * @reads:	successful read(2)s and in-kernel reads
 * @wakeups:	wakeups issued to the counter's wait queue
 * @fast_writes: writes that took the per-CPU fast path
 * @slow_writes: writes that took the counter's lock
 */
struct ohos_efd_stats {
	__aligned_u64 writes;
	__aligned_u64 reads;
	__aligned_u64 wakeups;
	__aligned_u64 fast_writes;
	__aligned_u64 slow_writes;
};

#define OHOS_EFD_STATS_SIZE_VER0	40

#define OHOS_EFD_IOC_MAGIC	0xEF

/*
 * Set flags (OHOS_EFD_SEMAPHORE) and initial count. Only before the first
 * successful read(2), write(2) or in-kernel signal (else EBUSY).
 */
#define OHOS_EFD_IOC_CONFIGURE	_IOW(OHOS_EFD_IOC_MAGIC, 0x01, struct ohos_efd_config)
/* Get the counter's flags: OHOS_EFD_SEMAPHORE and the file's OHOS_EFD_NONBLOCK. */
#define OHOS_EFD_IOC_GET_FLAGS	_IOR(OHOS_EFD_IOC_MAGIC, 0x02, __u32)
/* Set the wakeup mode: OHOS_EFD_MODE_EXACT or OHOS_EFD_MODE_TRANSITION. */
#define OHOS_EFD_IOC_SET_MODE	_IOW(OHOS_EFD_IOC_MAGIC, 0x03, __u32)
/* Get the wakeup mode. */
#define OHOS_EFD_IOC_GET_MODE	_IOR(OHOS_EFD_IOC_MAGIC, 0x04, __u32)
/* Read the count without consuming it. */
#define OHOS_EFD_IOC_PEEK	_IOR(OHOS_EFD_IOC_MAGIC, 0x05, __u64)
/* Read the statistics. */
#define OHOS_EFD_IOC_GET_STATS	_IOR(OHOS_EFD_IOC_MAGIC, 0x06, struct ohos_efd_stats)
/*
 * Create a new, independent counter, as eventfd2(initval, flags) does, and
 * return its fd: an anonymous inode named "[ohos_eventfd]", O_RDWR plus
 * O_NONBLOCK/O_CLOEXEC as asked. Works on any fd of /dev/ohos_eventfd,
 * without a path walk.
 */
#define OHOS_EFD_IOC_CREATE	_IOW(OHOS_EFD_IOC_MAGIC, 0x07, struct ohos_efd_config)

#endif /* _UAPI_LINUX_OHOS_EVENTFD_H */
