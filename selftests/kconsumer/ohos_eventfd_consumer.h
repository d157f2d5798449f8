/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The ioctls of /dev/ohos_eventfd_consumer, a test-only in-kernel consumer
 * of counters (ohos_eventfd_consumer.c), shared with the selftests.
 * Each open file of the device is one consumer.
 */
#ifndef _OHOS_EVENTFD_CONSUMER_H
#define _OHOS_EVENTFD_CONSUMER_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define OEFD_CONSUMER_DEVICE	"/dev/ohos_eventfd_consumer"

/**
 * struct oefd_consumer_attach - what to attach to, and how
 * @fd:			an eventfd or an ohos_eventfd counter
 * @read_in_callback:	1: the wakeup callback empties the counter with
 *			do_read under the wait queue lock (VFIO's virqfd,
 *			KVM's irqfd); 0: it only counts wakeups, and the
 *			detach's remove_wait_queue takes the count
 */
struct oefd_consumer_attach {
	__s32 fd;
	__u32 read_in_callback;
};

/**
 * struct oefd_consumer_result - what the consumer saw, filled by DETACH
 * @wakeups:		EPOLLIN wakeups of the callback
 * @taken_in_callback:	the sum of what do_read took in the callback
 * @taken_at_detach:	what remove_wait_queue took
 * @detach_ret:		remove_wait_queue's return value
 * @pad:		zero
 */
struct oefd_consumer_result {
	__u64 wakeups;
	__u64 taken_in_callback;
	__u64 taken_at_detach;
	__s32 detach_ret;
	__u32 pad;
};

#define OEFD_CONSUMER_IOC_ATTACH _IOW(0xEF, 0x21, struct oefd_consumer_attach)
#define OEFD_CONSUMER_IOC_DETACH _IOR(0xEF, 0x22, struct oefd_consumer_result)

#endif /* _OHOS_EVENTFD_CONSUMER_H */
