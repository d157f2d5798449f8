/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ohos_eventfd in-kernel API: what eventfd_ctx offers other kernel code,
 * for counters created through /dev/ohos_eventfd. Kernel users of eventfd
 * (KVM irqfd, vhost, VFIO, io_uring, AIO) check f_op == &eventfd_fops and
 * cannot take these counters; a module that wants them uses this API.
 */
#ifndef _LINUX_OHOS_EVENTFD_H
#define _LINUX_OHOS_EVENTFD_H

#include <linux/types.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <uapi/linux/ohos_eventfd.h>

struct file;
struct ohos_eventfd_ctx;

/* A reference on the counter behind @fd or @file; ERR_PTR(-EBADF/-EINVAL). */
struct ohos_eventfd_ctx *ohos_eventfd_ctx_fdget(int fd);
struct ohos_eventfd_ctx *ohos_eventfd_ctx_fileget(struct file *file);
void ohos_eventfd_ctx_put(struct ohos_eventfd_ctx *ctx);

/*
 * Add 1 to the count, saturating at ULLONG_MAX (poll then reports
 * EPOLLERR), and wake waiters with EPOLLIN | @mask. Safe in any context,
 * hard IRQ included. Refused (WARN) from inside a wakeup of an eventfd or
 * ohos_eventfd: check ohos_eventfd_signal_allowed() and defer if false.
 */
void ohos_eventfd_signal_mask(struct ohos_eventfd_ctx *ctx, __poll_t mask);
bool ohos_eventfd_signal_allowed(void);

static inline void ohos_eventfd_signal(struct ohos_eventfd_ctx *ctx)
{
	ohos_eventfd_signal_mask(ctx, 0);
}

/*
 * Waiters. In exact mode (the default) a counter sends no wakeup for the
 * writes that follow an EPOLLIN wakeup until a waiter collects it through
 * the file's ->poll, when every waiter is of a kind that does (epoll,
 * poll(), select(), read(2) and write(2) sleeping on the counter). A
 * waiter added through vfs_poll() with a queue proc of its own (KVM
 * irqfd's pattern), an EPOLLEXCLUSIVE one, and any counter read with
 * ohos_eventfd_ctx_do_read() or ohos_eventfd_ctx_remove_wait_queue() turn
 * that off for the counter's life: each write then wakes, as eventfd's.
 *
 * Read and clear: take the whole count (1 in semaphore mode) into *@cnt.
 * The caller holds the counter's wait queue lock, as in a wait queue
 * callback; ohos_eventfd_ctx_remove_wait_queue() takes it itself and also
 * removes @wait, returning -EAGAIN when the count was 0. In transition
 * mode (OHOS_EFD_MODE_TRANSITION) a consumer that stays on the wait queue
 * is woken again by the first write after each ohos_eventfd_ctx_do_read(),
 * as after a read(2); without one it sees no more wakeups while the count
 * stays non-zero.
 */
void ohos_eventfd_ctx_do_read(struct ohos_eventfd_ctx *ctx, __u64 *cnt);
int ohos_eventfd_ctx_remove_wait_queue(struct ohos_eventfd_ctx *ctx,
				       wait_queue_entry_t *wait, __u64 *cnt);

#endif /* _LINUX_OHOS_EVENTFD_H */
