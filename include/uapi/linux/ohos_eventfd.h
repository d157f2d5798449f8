/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * ohos_eventfd: eventfd-compatible counters from /dev/ohos_eventfd.
 *
 * Every open() of /dev/ohos_eventfd, and every OHOS_EFD_IOC_CREATE on any
 * fd of it, yields a new counter that reads and writes exactly like an
 * eventfd(2) fd. The other ioctls configure and inspect a counter.
 *
 * ABI rules:
 * - every struct starts with a __u32 size, set by the caller to the size of
 *   the struct it knows; commands that take a struct are _IO() numbers, as
 *   VFIO's, so that a struct can grow without changing the command. A size
 *   below the first version's is EINVAL. A struct the kernel reads
 *   (ohos_efd_config) may be larger than the kernel knows if the bytes it
 *   does not know are zero (else E2BIG); a struct the kernel fills
 *   (ohos_efd_stats) gets the fields both know, its size set to the bytes
 *   filled, and the rest is left untouched;
 * - reserved fields and unknown flag bits must be zero (else EINVAL);
 * - unknown ioctl commands fail with ENOTTY.
 *
 * ioctl magic 0xEF, numbers 0x01-0x1f: no entry for 0xEF in
 * Documentation/userspace-api/ioctl/ioctl-number.rst (6.12).
 */
#ifndef _UAPI_LINUX_OHOS_EVENTFD_H
#define _UAPI_LINUX_OHOS_EVENTFD_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* The release of this header, the module, the library and the CLI. */
#define OHOS_EVENTFD_VERSION	"1.0.0"

#define OHOS_EVENTFD_DEVICE	"/dev/ohos_eventfd"

/* Counter flags: the values of EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC. */
#define OHOS_EFD_SEMAPHORE	0x00000001u
#define OHOS_EFD_NONBLOCK	0x00000800u	/* O_NONBLOCK on x86, arm, ... */
#define OHOS_EFD_CLOEXEC	0x00080000u	/* O_CLOEXEC on x86, arm, ... */

/* Wakeup modes (OHOS_EFD_IOC_SET_MODE). */
#define OHOS_EFD_MODE_EXACT	 0u	/* wake on every read/write, as eventfd */
#define OHOS_EFD_MODE_TRANSITION 1u	/* wake on 0 -> non-zero, full -> not full */

/* The highest count a counter holds, as eventfd: 0xfffffffffffffffe. */
#define OHOS_EFD_COUNT_MAX	0xfffffffffffffffeULL

/**
 * struct ohos_efd_config - a counter's creation parameters
 * @size:	sizeof(struct ohos_efd_config) as the caller knows it
 * @flags:	OHOS_EFD_SEMAPHORE; OHOS_EFD_IOC_CREATE also takes
 *		OHOS_EFD_NONBLOCK and OHOS_EFD_CLOEXEC
 * @initval:	initial count, an unsigned int as eventfd2's
 * @reserved:	must be zero
 */
struct ohos_efd_config {
	__u32 size;
	__u32 flags;
	__u32 initval;
	__u32 reserved;
};

#define OHOS_EFD_CONFIG_SIZE_VER0	16

/**
 * struct ohos_efd_stats - a counter's event counts since creation
 * @size:	in: sizeof(struct ohos_efd_stats) as the caller knows it;
 *		out: the number of bytes the kernel filled
 * @reserved:	must be zero
 * @writes:	successful write(2)s and in-kernel signals
 * @reads:	successful read(2)s and in-kernel reads
 * @wakeups:	wakeups issued to the counter's wait queue
 * @fast_writes: writes that took the per-CPU fast path
 * @slow_writes: writes that took the counter's lock
 */
struct ohos_efd_stats {
	__u32 size;
	__u32 reserved;
	__aligned_u64 writes;
	__aligned_u64 reads;
	__aligned_u64 wakeups;
	__aligned_u64 fast_writes;
	__aligned_u64 slow_writes;
};

#define OHOS_EFD_STATS_SIZE_VER0	48

#define OHOS_EFD_IOC_MAGIC	0xEF

/*
 * struct ohos_efd_config: set flags and initial count. Only before the first
 * successful read(2), write(2) or in-kernel signal (else EBUSY).
 */
#define OHOS_EFD_IOC_CONFIGURE	_IO(OHOS_EFD_IOC_MAGIC, 0x01)
/* Get the counter's flags: OHOS_EFD_SEMAPHORE and the file's OHOS_EFD_NONBLOCK. */
#define OHOS_EFD_IOC_GET_FLAGS	_IOR(OHOS_EFD_IOC_MAGIC, 0x02, __u32)
/* Set the wakeup mode: OHOS_EFD_MODE_EXACT or OHOS_EFD_MODE_TRANSITION. */
#define OHOS_EFD_IOC_SET_MODE	_IOW(OHOS_EFD_IOC_MAGIC, 0x03, __u32)
/* Get the wakeup mode. */
#define OHOS_EFD_IOC_GET_MODE	_IOR(OHOS_EFD_IOC_MAGIC, 0x04, __u32)
/* Read the count without consuming it. */
#define OHOS_EFD_IOC_PEEK	_IOR(OHOS_EFD_IOC_MAGIC, 0x05, __u64)
/* struct ohos_efd_stats: read the statistics. */
#define OHOS_EFD_IOC_GET_STATS	_IO(OHOS_EFD_IOC_MAGIC, 0x06)
/*
 * struct ohos_efd_config: create a new, independent counter, as
 * eventfd2(initval, flags) does, and return its fd: an anonymous inode
 * named "[ohos_eventfd]", O_RDWR plus O_NONBLOCK/O_CLOEXEC as asked. Works
 * on any fd of /dev/ohos_eventfd, without a path walk.
 */
#define OHOS_EFD_IOC_CREATE	_IO(OHOS_EFD_IOC_MAGIC, 0x07)

#endif /* _UAPI_LINUX_OHOS_EVENTFD_H */
