// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd: /dev/ohos_eventfd, counters that behave exactly like
 * eventfd(2) fds, written through per-CPU rings of pending increments.
 *
 * A counter is eventfd's: a count and a wait queue whose lock protects it.
 * Once a second CPU writes, each CPU also gets a small ring that its
 * writers fill without the lock (the fast path) while nobody has to be
 * woken; lock holders fold the rings into the count, and a seqcount lets
 * poll, fdinfo and OHOS_EFD_IOC_PEEK sum count and rings without the lock.
 * docs/design.md gives the argument; each barrier here names its pair.
 */

#include <linux/anon_inodes.h>
#include <linux/bitops.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <kunit/visibility.h>

#include "ohos_eventfd_internal.h"

static bool fast_path = true;
module_param(fast_path, bool, 0444);
MODULE_PARM_DESC(fast_path,
		 "Writers on several CPUs add to per-CPU rings (default: Y); N: every write takes the counter's lock, as eventfd");

/*
 * The fast path runs only while count <= oefd_fast_limit: then even full
 * rings on every possible CPU cannot carry the total past
 * OHOS_EFD_COUNT_MAX.
 */
VISIBLE_IF_KUNIT u64 oefd_fast_limit;
EXPORT_SYMBOL_IF_KUNIT(oefd_fast_limit);

static struct kmem_cache *oefd_ctx_cache;
static DEFINE_IDA(oefd_ida);
static const struct file_operations oefd_fops;

/*
 * One store: a lockless reader sees the old or the new count with the same
 * rings, both totals that existed. Only moving value from a ring into count
 * needs the seqcount (oefd_drain()).
 */
static void oefd_set_count(struct ohos_eventfd_ctx *ctx, u64 count)
{
	WRITE_ONCE(ctx->count, count);
}

/* May a push skip the lock: nobody to wake, and far from the ceiling? */
static bool oefd_fast_allowed(struct ohos_eventfd_ctx *ctx)
{
	if (!READ_ONCE(ctx->fast_ok))
		return false;
	if (READ_ONCE(ctx->mode) == OHOS_EFD_MODE_TRANSITION)
		return !READ_ONCE(ctx->armed);
	/* Lockless: ordered by the smp_mb() in oefd_ring_push() and its pair. */
	return !waitqueue_active(&ctx->wqh);
}

/*
 * The fast path: add @value to this CPU's ring. False when it must not
 * (see oefd_fast_allowed()) or the ring is full: the caller takes the lock.
 * IRQs are off so that an in-kernel signal from hard IRQ on this CPU
 * cannot interleave with a push.
 */
VISIBLE_IF_KUNIT bool oefd_ring_push(struct ohos_eventfd_ctx *ctx,
				     struct oefd_percpu *pc, u64 value)
{
	struct oefd_ring *ring;
	unsigned long irqflags;
	unsigned int tail;
	bool pushed = false;
	int cpu;

	local_irq_save(irqflags);
	cpu = smp_processor_id();
	ring = per_cpu_ptr(pc->rings, cpu);
	if (!test_bit(cpu, pc->used))
		set_bit(cpu, pc->used);
	WRITE_ONCE(ring->pushing, 1);
	/*
	 * Pairs with the smp_mb() every waiter, arming poller and ceiling
	 * guard does before oefd_quiesce(): either it sees our used bit and
	 * pushing flag and waits for this push, or we see its wait queue
	 * entry, armed flag or cleared fast_ok and stay off the ring.
	 */
	smp_mb();
	/* Pairs with the release in oefd_ring_release(): the slot is free. */
	tail = smp_load_acquire(&ring->tail);
	if (oefd_fast_allowed(ctx) && ring->head - tail < OEFD_RING_SLOTS) {
		WRITE_ONCE(ring->slot[ring->head % OEFD_RING_SLOTS], value);
		/* Pairs with the acquire of head in oefd_drain_rings()/_pending(). */
		smp_store_release(&ring->head, ring->head + 1);
		WRITE_ONCE(ring->fast_writes, ring->fast_writes + 1);
		pushed = true;
	}
	/* Pairs with the acquire in oefd_quiesce(): the push is visible first. */
	smp_store_release(&ring->pushing, 0);
	local_irq_restore(irqflags);
	return pushed;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ring_push);

/* The sum of @ring's slots from tail up to @head. */
static u64 oefd_ring_sum(struct oefd_ring *ring, unsigned int head)
{
	unsigned int tail = ring->tail;
	u64 sum = 0;

	for (; tail != head; tail++)
		sum += READ_ONCE(ring->slot[tail % OEFD_RING_SLOTS]);
	return sum;
}

/* Free @ring's slots up to @head. Caller holds wqh.lock. */
static void oefd_ring_release(struct oefd_ring *ring, unsigned int head)
{
	/* Pairs with the acquire of tail in oefd_ring_push(): slots read. */
	smp_store_release(&ring->tail, head);
}

/*
 * What @ring holds, without consuming. tail is read first: a fold only
 * moves it up to a head it saw, so head - tail cannot go negative. A span
 * wider than the ring means a fold ran meanwhile; the caller's seqcount
 * retry discards what we return then, so stop at once.
 */
static u64 oefd_ring_pending(struct oefd_ring *ring)
{
	unsigned int tail = READ_ONCE(ring->tail);
	/* Pairs with the release of head in oefd_ring_push(). */
	unsigned int head = smp_load_acquire(&ring->head);
	u64 sum = 0;

	if (head - tail > OEFD_RING_SLOTS)
		return 0;
	for (; tail != head; tail++)
		sum += READ_ONCE(ring->slot[tail % OEFD_RING_SLOTS]);
	return sum;
}

static void oefd_quiesce(struct ohos_eventfd_ctx *ctx);

/*
 * Fold every ring into count. While the fast path is open, count must stay
 * within oefd_fast_limit: a batch that would carry it past is taken only
 * after the fast path is stopped, before any of its slots is freed, since
 * a freed slot takes a new push at once.
 */
static void oefd_drain_rings(struct ohos_eventfd_ctx *ctx, struct oefd_percpu *pc)
{
	int cpu;

	write_seqcount_begin(&ctx->seq);
	for_each_set_bit(cpu, pc->used, nr_cpu_ids) {
		struct oefd_ring *ring = per_cpu_ptr(pc->rings, cpu);
		/* Pairs with the release of head in oefd_ring_push(). */
		unsigned int head = smp_load_acquire(&ring->head);
		u64 sum = oefd_ring_sum(ring, head);

		if (ctx->fast_ok && sum > oefd_fast_limit - ctx->count) {
			WRITE_ONCE(ctx->fast_ok, false);
			/* Pairs with smp_mb() in oefd_ring_push(). */
			smp_mb();
			oefd_quiesce(ctx);
			/* Pairs with the release of head in oefd_ring_push(). */
			head = smp_load_acquire(&ring->head);
			sum = oefd_ring_sum(ring, head);
		}
		oefd_ring_release(ring, head);
		WRITE_ONCE(ctx->count, ctx->count + sum);
	}
	write_seqcount_end(&ctx->seq);
}

/* Fold all rings into count. Caller holds wqh.lock. */
VISIBLE_IF_KUNIT __always_inline void oefd_drain(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	if (ctx->percpu)
		oefd_drain_rings(ctx, ctx->percpu);
}
EXPORT_SYMBOL_IF_KUNIT(oefd_drain);

/*
 * Wait until no CPU is between its check of oefd_fast_allowed() and the
 * publication of its push. The caller's smp_mb() comes first (see
 * oefd_ring_push()). Pushers never take the lock while pushing, so this
 * may spin under wqh.lock.
 */
static void oefd_quiesce(struct ohos_eventfd_ctx *ctx)
{
	/* Pairs with the release in oefd_percpu_install(). */
	struct oefd_percpu *pc = smp_load_acquire(&ctx->percpu);
	int cpu;

	if (!pc)
		return;
	for_each_set_bit(cpu, pc->used, nr_cpu_ids) {
		struct oefd_ring *ring = per_cpu_ptr(pc->rings, cpu);

		/* Pairs with the release of pushing in oefd_ring_push(). */
		while (smp_load_acquire(&ring->pushing))
			cpu_relax();
	}
}

/* count plus every published push, consistent, without the lock. */
VISIBLE_IF_KUNIT u64 oefd_snapshot(struct ohos_eventfd_ctx *ctx)
{
	struct oefd_percpu *pc;
	unsigned int seq;
	u64 total;
	int cpu;

	oefd_quiesce(ctx);
	/* Pairs with the release in oefd_percpu_install(). */
	pc = smp_load_acquire(&ctx->percpu);
	do {
		seq = read_seqcount_begin(&ctx->seq);
		total = READ_ONCE(ctx->count);
		if (pc)
			for_each_set_bit(cpu, pc->used, nr_cpu_ids)
				total += oefd_ring_pending(per_cpu_ptr(pc->rings, cpu));
	} while (read_seqcount_retry(&ctx->seq, seq));
	return total;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_snapshot);

/*
 * Stop the fast path and fold the rings: from here count is exact and
 * stays so until oefd_fast_resume(). Caller holds wqh.lock.
 */
static void oefd_fast_stop(struct ohos_eventfd_ctx *ctx)
{
	if (ctx->fast_ok) {
		WRITE_ONCE(ctx->fast_ok, false);
		/* Pairs with smp_mb() in oefd_ring_push(). */
		smp_mb();
		oefd_quiesce(ctx);
	}
	oefd_drain(ctx);
}

/* Rings are empty while the fast path is stopped: reopen it when safe. */
static void oefd_fast_resume(struct ohos_eventfd_ctx *ctx)
{
	if (!ctx->fast_ok && ctx->count <= oefd_fast_limit)
		WRITE_ONCE(ctx->fast_ok, true);
}

/*
 * Wake every waiter with @key, as eventfd does after each change; a wakeup
 * also ends a transition-mode arming. Caller holds wqh.lock.
 */
static void oefd_wake(struct ohos_eventfd_ctx *ctx, __poll_t key)
{
	if (ctx->armed)
		WRITE_ONCE(ctx->armed, false);
	/* Under wqh.lock, as eventfd's wakeups. */
	if (!waitqueue_active(&ctx->wqh))
		return;
	current->in_eventfd = 1;
	wake_up_locked_poll(&ctx->wqh, key);
	current->in_eventfd = 0;
	ctx->wakeups++;
}

static void oefd_arm_waiters(struct ohos_eventfd_ctx *ctx)
{
	/* Under wqh.lock: a waiter added later arms for itself. */
	if (!waitqueue_active(&ctx->wqh))
		return;
	WRITE_ONCE(ctx->armed, true);
	/* Pairs with smp_mb() in oefd_ring_push(). */
	smp_mb();
	oefd_quiesce(ctx);
	oefd_drain(ctx);
	if (ctx->count)
		oefd_wake(ctx, EPOLLIN);
}

/*
 * Transition mode: the count is 0 and someone waits, so the next push must
 * take the lock and wake. Pushes that raced with the arming are folded
 * here, and if there were any, that was the transition. Caller holds
 * wqh.lock.
 */
static __always_inline void oefd_arm(struct ohos_eventfd_ctx *ctx)
{
	if (ctx->mode == OHOS_EFD_MODE_TRANSITION && !ctx->count)
		oefd_arm_waiters(ctx);
}

/*
 * Sleep until @ready() or a signal. Called and returns with wqh.lock held;
 * @ready() runs under it after our wait queue entry is visible.
 */
static int oefd_wait(struct ohos_eventfd_ctx *ctx,
		     bool (*ready)(struct ohos_eventfd_ctx *ctx, u64 arg), u64 arg)
{
	wait_queue_entry_t wait;
	int ret = 0;

	init_waitqueue_entry(&wait, current);
	__add_wait_queue_entry_tail(&ctx->wqh, &wait);
	for (;;) {
		/* Its barrier pairs with smp_mb() in oefd_ring_push(). */
		set_current_state(TASK_INTERRUPTIBLE);
		if (ready(ctx, arg))
			break;
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		spin_unlock_irq(&ctx->wqh.lock);
		schedule();
		spin_lock_irq(&ctx->wqh.lock);
	}
	__remove_wait_queue(&ctx->wqh, &wait);
	__set_current_state(TASK_RUNNING);
	return ret;
}

/* Before sleeping: arm in transition mode, then catch racing pushes. */
static bool oefd_readable(struct ohos_eventfd_ctx *ctx, u64 unused)
{
	oefd_drain(ctx);
	if (ctx->count)
		return true;
	if (ctx->mode == OHOS_EFD_MODE_TRANSITION)
		WRITE_ONCE(ctx->armed, true);
	/* Pairs with smp_mb() in oefd_ring_push(). */
	smp_mb();
	oefd_quiesce(ctx);
	oefd_drain(ctx);
	return ctx->count != 0;
}

static bool oefd_has_room(struct ohos_eventfd_ctx *ctx, u64 value)
{
	oefd_fast_stop(ctx);
	return ULLONG_MAX - ctx->count > value;
}

/* Take the count, or 1 in semaphore mode. Caller holds wqh.lock, drained. */
static __always_inline u64 oefd_consume(struct ohos_eventfd_ctx *ctx)
{
	u64 cnt;

	cnt = (ctx->flags & OHOS_EFD_SEMAPHORE) && ctx->count ? 1 : ctx->count;
	oefd_set_count(ctx, ctx->count - cnt);
	if (cnt)
		ctx->reads++;
	oefd_fast_resume(ctx);
	return cnt;
}

/*
 * A read's wakeup. Exact mode: eventfd's, EPOLLOUT to anyone waiting.
 * Transition mode: only when a writer sleeps at the ceiling or the count
 * was full (a poller may wait for EPOLLOUT); then arm for the next write.
 */
static void oefd_wake_after_read(struct ohos_eventfd_ctx *ctx, u64 before)
{
	if (ctx->mode == OHOS_EFD_MODE_EXACT ||
	    ctx->blocked_writers || before >= OHOS_EFD_COUNT_MAX)
		oefd_wake(ctx, EPOLLOUT);
	oefd_arm(ctx);
}

VISIBLE_IF_KUNIT int oefd_take(struct ohos_eventfd_ctx *ctx, bool nowait,
			       u64 *cnt)
{
	int ret = 0;

	spin_lock_irq(&ctx->wqh.lock);
	oefd_drain(ctx);
	if (!ctx->count)
		ret = nowait ? -EAGAIN : oefd_wait(ctx, oefd_readable, 0);
	if (!ret) {
		u64 before = ctx->count;

		*cnt = oefd_consume(ctx);
		oefd_wake_after_read(ctx, before);
	} else {
		oefd_arm(ctx);
	}
	spin_unlock_irq(&ctx->wqh.lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_take);

/* Did this write come from another CPU than the last: worth the rings? */
static bool oefd_second_cpu(struct ohos_eventfd_ctx *ctx)
{
	int cpu = smp_processor_id();
	bool second;

	if (likely(ctx->last_cpu == cpu))
		return false;
	second = ctx->last_cpu >= 0;
	ctx->last_cpu = cpu;
	return second && fast_path && !ctx->percpu;
}

static void oefd_percpu_free(struct oefd_percpu *pc)
{
	free_percpu(pc->rings);
	kfree(pc);
}

/* Give @ctx its rings. On failure the counter keeps the locked path. */
VISIBLE_IF_KUNIT int oefd_percpu_install(struct ohos_eventfd_ctx *ctx, gfp_t gfp)
{
	struct oefd_percpu *pc;

	KUNIT_STATIC_STUB_REDIRECT(oefd_percpu_install, ctx, gfp);
	pc = kzalloc(struct_size(pc, used, BITS_TO_LONGS(nr_cpu_ids)), gfp);
	if (!pc)
		return -ENOMEM;
	pc->rings = alloc_percpu_gfp(struct oefd_ring, gfp);
	if (!pc->rings) {
		kfree(pc);
		return -ENOMEM;
	}
	spin_lock_irq(&ctx->wqh.lock);
	if (!ctx->percpu) {
		/* Without rings the locked paths let count pass the limit. */
		WRITE_ONCE(ctx->fast_ok, ctx->count <= oefd_fast_limit);
		/* Pairs with the acquires of percpu: zeroed rings seen first. */
		smp_store_release(&ctx->percpu, pc);
		pc = NULL;
	}
	spin_unlock_irq(&ctx->wqh.lock);
	if (pc)
		oefd_percpu_free(pc);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_percpu_install);

/*
 * The locked write: eventfd's, plus the fold and the ceiling guard. A write
 * from a second CPU gives the counter its rings, after the unlock.
 */
static int oefd_add(struct ohos_eventfd_ctx *ctx, u64 value, bool nowait)
{
	bool want_percpu;
	int ret = 0;

	spin_lock_irq(&ctx->wqh.lock);
	want_percpu = oefd_second_cpu(ctx);
	if (ctx->percpu) {
		oefd_drain(ctx);
		if (!ctx->fast_ok || value > oefd_fast_limit - ctx->count)
			oefd_fast_stop(ctx);
	}
	/* count is exact here: no rings, or count + value within the limit. */
	if (ULLONG_MAX - ctx->count <= value) {
		ctx->blocked_writers++;
		ret = nowait ? -EAGAIN : oefd_wait(ctx, oefd_has_room, value);
		ctx->blocked_writers--;
	}
	if (!ret) {
		u64 before = ctx->count;

		oefd_set_count(ctx, before + value);
		ctx->slow_writes++;
		/* Transition mode: only empty -> non-empty, or a waiter that armed. */
		if (ctx->mode == OHOS_EFD_MODE_EXACT || !before || ctx->armed)
			oefd_wake(ctx, EPOLLIN);
	}
	spin_unlock_irq(&ctx->wqh.lock);
	if (unlikely(want_percpu))
		oefd_percpu_install(ctx, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	return ret;
}

VISIBLE_IF_KUNIT int oefd_write_value(struct ohos_eventfd_ctx *ctx, u64 value,
				      bool nowait)
{
	/* Pairs with the release in oefd_percpu_install(). */
	struct oefd_percpu *pc = smp_load_acquire(&ctx->percpu);

	if (pc && value <= OEFD_FAST_MAX && oefd_fast_allowed(ctx) &&
	    oefd_ring_push(ctx, pc, value))
		return 0;
	return oefd_add(ctx, value, nowait);
}
EXPORT_SYMBOL_IF_KUNIT(oefd_write_value);

VISIBLE_IF_KUNIT __poll_t oefd_mask(struct ohos_eventfd_ctx *ctx)
{
	__poll_t events = 0;
	u64 total;

	total = oefd_snapshot(ctx);
	if (!total && READ_ONCE(ctx->mode) == OHOS_EFD_MODE_TRANSITION) {
		WRITE_ONCE(ctx->armed, true);
		/* Pairs with smp_mb() in oefd_ring_push(). */
		smp_mb();
		total = oefd_snapshot(ctx);
	}
	if (total > 0)
		events |= EPOLLIN;
	if (total == ULLONG_MAX)
		events |= EPOLLERR;
	if (ULLONG_MAX - 1 > total)
		events |= EPOLLOUT;
	return events;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_mask);

VISIBLE_IF_KUNIT int oefd_set_mode(struct ohos_eventfd_ctx *ctx, u32 mode)
{
	if (mode != OHOS_EFD_MODE_EXACT && mode != OHOS_EFD_MODE_TRANSITION)
		return -EINVAL;
	spin_lock_irq(&ctx->wqh.lock);
	if (mode != ctx->mode) {
		WRITE_ONCE(ctx->mode, mode);
		/* Pairs with smp_mb() in oefd_ring_push(): old-mode pushes end. */
		smp_mb();
		oefd_quiesce(ctx);
		oefd_drain(ctx);
		oefd_wake(ctx, EPOLLIN | EPOLLOUT);
		oefd_arm(ctx);
	}
	spin_unlock_irq(&ctx->wqh.lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_set_mode);

VISIBLE_IF_KUNIT void oefd_ctx_stats(struct ohos_eventfd_ctx *ctx,
				     struct ohos_efd_stats *st)
{
	struct oefd_percpu *pc;
	int cpu;

	spin_lock_irq(&ctx->wqh.lock);
	st->reads = ctx->reads;
	st->slow_writes = ctx->slow_writes;
	st->wakeups = ctx->wakeups;
	pc = ctx->percpu;
	if (pc)
		for_each_set_bit(cpu, pc->used, nr_cpu_ids)
			st->fast_writes += READ_ONCE(per_cpu_ptr(pc->rings, cpu)->fast_writes);
	spin_unlock_irq(&ctx->wqh.lock);
	st->writes = st->fast_writes + st->slow_writes;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ctx_stats);

VISIBLE_IF_KUNIT struct ohos_eventfd_ctx *oefd_ctx_create(unsigned int initval,
							  u32 flags)
{
	struct ohos_eventfd_ctx *ctx;

	ctx = kmem_cache_zalloc(oefd_ctx_cache, GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	ctx->id = ida_alloc(&oefd_ida, GFP_KERNEL_ACCOUNT);
	if (ctx->id < 0) {
		kmem_cache_free(oefd_ctx_cache, ctx);
		return NULL;
	}
	kref_init(&ctx->kref);
	init_waitqueue_head(&ctx->wqh);
	seqcount_spinlock_init(&ctx->seq, &ctx->wqh.lock);
	ctx->count = initval;
	ctx->flags = flags;
	ctx->fast_ok = true;
	ctx->last_cpu = -1;
	return ctx;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ctx_create);

static void oefd_ctx_free(struct kref *kref)
{
	struct ohos_eventfd_ctx *ctx = container_of(kref, struct ohos_eventfd_ctx, kref);

	if (ctx->percpu)
		oefd_percpu_free(ctx->percpu);
	ida_free(&oefd_ida, ctx->id);
	kmem_cache_free(oefd_ctx_cache, ctx);
}

void ohos_eventfd_ctx_put(struct ohos_eventfd_ctx *ctx)
{
	kref_put(&ctx->kref, oefd_ctx_free);
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_put);

struct ohos_eventfd_ctx *ohos_eventfd_ctx_fileget(struct file *file)
{
	struct ohos_eventfd_ctx *ctx;

	if (file->f_op != &oefd_fops)
		return ERR_PTR(-EINVAL);
	ctx = file->private_data;
	kref_get(&ctx->kref);
	return ctx;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_fileget);

struct ohos_eventfd_ctx *ohos_eventfd_ctx_fdget(int fd)
{
	struct ohos_eventfd_ctx *ctx;
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	ctx = ohos_eventfd_ctx_fileget(file);
	fput(file);
	return ctx;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_fdget);

bool ohos_eventfd_signal_allowed(void)
{
	return !current->in_eventfd;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_signal_allowed);

void ohos_eventfd_signal_mask(struct ohos_eventfd_ctx *ctx, __poll_t mask)
{
	/* Pairs with the release in oefd_percpu_install(). */
	struct oefd_percpu *pc = smp_load_acquire(&ctx->percpu);
	unsigned long flags;

	/* A wakeup handler signalling back would recurse on wqh.lock. */
	if (WARN_ON_ONCE(current->in_eventfd))
		return;
	if (pc && !mask && oefd_ring_push(ctx, pc, 1))
		return;
	spin_lock_irqsave(&ctx->wqh.lock, flags);
	oefd_drain(ctx);
	if (!ctx->fast_ok || ctx->count >= oefd_fast_limit)
		oefd_fast_stop(ctx);
	if (ctx->count < ULLONG_MAX)
		oefd_set_count(ctx, ctx->count + 1);
	ctx->slow_writes++;
	oefd_wake(ctx, EPOLLIN | mask);
	spin_unlock_irqrestore(&ctx->wqh.lock, flags);
}
EXPORT_SYMBOL_GPL(ohos_eventfd_signal_mask);

void ohos_eventfd_ctx_do_read(struct ohos_eventfd_ctx *ctx, __u64 *cnt)
{
	lockdep_assert_held(&ctx->wqh.lock);
	oefd_drain(ctx);
	*cnt = oefd_consume(ctx);
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_do_read);

int ohos_eventfd_ctx_remove_wait_queue(struct ohos_eventfd_ctx *ctx,
				       wait_queue_entry_t *wait, __u64 *cnt)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->wqh.lock, flags);
	oefd_drain(ctx);
	*cnt = oefd_consume(ctx);
	__remove_wait_queue(&ctx->wqh, wait);
	if (*cnt)
		oefd_wake(ctx, EPOLLOUT);
	spin_unlock_irqrestore(&ctx->wqh.lock, flags);
	return *cnt ? 0 : -EAGAIN;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_remove_wait_queue);

static ssize_t oefd_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	bool nowait = (file->f_flags & O_NONBLOCK) || (iocb->ki_flags & IOCB_NOWAIT);
	u64 cnt;
	int ret;

	if (iov_iter_count(to) < sizeof(cnt))
		return -EINVAL;
	ret = oefd_take(file->private_data, nowait, &cnt);
	if (ret)
		return ret;
	if (copy_to_iter(&cnt, sizeof(cnt), to) != sizeof(cnt))
		return -EFAULT;
	return sizeof(cnt);
}

static ssize_t oefd_write(struct file *file, const char __user *buf,
			  size_t size, loff_t *ppos)
{
	u64 value;
	int ret;

	if (!OEFD_WRITE_SIZE_OK(size))
		return -EINVAL;
	if (copy_from_user(&value, buf, sizeof(value)))
		return -EFAULT;
	if (value == ULLONG_MAX)
		return -EINVAL;
	ret = oefd_write_value(file->private_data, value,
			       file->f_flags & O_NONBLOCK);
	return ret ? ret : sizeof(value);
}

static __poll_t oefd_poll(struct file *file, poll_table *wait)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;

	poll_wait(file, &ctx->wqh, wait);
	/*
	 * Pairs with smp_mb() in oefd_ring_push(): a push that missed our
	 * wait queue entry is waited for and counted by oefd_snapshot().
	 * Locked writers change count under wqh.lock, which poll_wait()
	 * took: as in eventfd_poll(), either we see their count or they see
	 * our entry and wake us.
	 */
	smp_mb();
	return oefd_mask(ctx);
}

static void oefd_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;

	seq_printf(m, "eventfd-count: %16llx\neventfd-id: %d\n",
		   oefd_snapshot(ctx), ctx->id);
	if (OEFD_FDINFO_SEMAPHORE_LINE)
		seq_printf(m, "eventfd-semaphore: %d\n",
			   !!(READ_ONCE(ctx->flags) & OHOS_EFD_SEMAPHORE));
	seq_printf(m, "ohos_eventfd-mode: %s\nohos_eventfd-percpu: %d\n",
		   READ_ONCE(ctx->mode) ? "transition" : "exact",
		   !!READ_ONCE(ctx->percpu));
}

/* Read a struct ohos_efd_config with the uapi's size rules. */
static int oefd_copy_config(struct ohos_efd_config *cfg,
			    struct ohos_efd_config __user *ucfg, u32 allowed)
{
	u32 size;
	int ret;

	if (get_user(size, &ucfg->size))
		return -EFAULT;
	if (size < OHOS_EFD_CONFIG_SIZE_VER0)
		return -EINVAL;
	ret = copy_struct_from_user(cfg, sizeof(*cfg), ucfg, size);
	if (ret)
		return ret;
	if ((cfg->flags & ~allowed) || cfg->reserved)
		return -EINVAL;
	return 0;
}

static int oefd_ioc_configure(struct ohos_eventfd_ctx *ctx,
			      struct ohos_efd_config __user *ucfg)
{
	struct ohos_efd_config cfg;
	int ret;

	ret = oefd_copy_config(&cfg, ucfg, OHOS_EFD_SEMAPHORE);
	if (ret)
		return ret;
	spin_lock_irq(&ctx->wqh.lock);
	if (ctx->reads || ctx->slow_writes) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(ctx->flags, cfg.flags);
		oefd_set_count(ctx, cfg.initval);
		if (cfg.initval)
			oefd_wake(ctx, EPOLLIN);
	}
	spin_unlock_irq(&ctx->wqh.lock);
	return ret;
}

/* eventfd2() through our fops: a new counter on an anonymous inode. */
static int oefd_ioc_create(struct ohos_efd_config __user *ucfg)
{
	struct ohos_efd_config cfg;
	struct ohos_eventfd_ctx *ctx;
	struct file *file;
	int fd, ret;

	ret = oefd_copy_config(&cfg, ucfg, OHOS_EFD_SEMAPHORE |
			       OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC);
	if (ret)
		return ret;
	ctx = oefd_ctx_create(cfg.initval, cfg.flags & OHOS_EFD_SEMAPHORE);
	if (!ctx)
		return -ENOMEM;
	fd = get_unused_fd_flags(cfg.flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto put_ctx;
	}
	file = anon_inode_getfile("[ohos_eventfd]", &oefd_fops, ctx,
				  O_RDWR | (cfg.flags & O_NONBLOCK));
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_fd;
	}
	file->f_mode |= FMODE_NOWAIT;
	fd_install(fd, file);
	return fd;
put_fd:
	put_unused_fd(fd);
put_ctx:
	ohos_eventfd_ctx_put(ctx);
	return ret;
}

static int oefd_ioc_stats(struct ohos_eventfd_ctx *ctx,
			  struct ohos_efd_stats __user *ust)
{
	struct ohos_efd_stats st = {};
	u32 size, reserved;

	if (get_user(size, &ust->size) || get_user(reserved, &ust->reserved))
		return -EFAULT;
	if (size < OHOS_EFD_STATS_SIZE_VER0 || reserved)
		return -EINVAL;
	oefd_ctx_stats(ctx, &st);
	st.size = min_t(u32, size, sizeof(st));
	return copy_to_user(ust, &st, st.size) ? -EFAULT : 0;
}

static u32 oefd_flags(struct ohos_eventfd_ctx *ctx, struct file *file)
{
	return (READ_ONCE(ctx->flags) & OHOS_EFD_SEMAPHORE) |
	       (file->f_flags & O_NONBLOCK ? OHOS_EFD_NONBLOCK : 0);
}

static long oefd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	u32 mode;

	switch (cmd) {
	case OHOS_EFD_IOC_CONFIGURE:
		return oefd_ioc_configure(ctx, uarg);
	case OHOS_EFD_IOC_GET_FLAGS:
		return put_user(oefd_flags(ctx, file), (u32 __user *)uarg);
	case OHOS_EFD_IOC_SET_MODE:
		if (get_user(mode, (u32 __user *)uarg))
			return -EFAULT;
		return oefd_set_mode(ctx, mode);
	case OHOS_EFD_IOC_GET_MODE:
		return put_user(READ_ONCE(ctx->mode), (u32 __user *)uarg);
	case OHOS_EFD_IOC_PEEK:
		return put_user(oefd_snapshot(ctx), (u64 __user *)uarg);
	case OHOS_EFD_IOC_GET_STATS:
		return oefd_ioc_stats(ctx, uarg);
	case OHOS_EFD_IOC_CREATE:
		return oefd_ioc_create(uarg);
	}
	return -ENOTTY;
}

/*
 * An fd of ours must look like an eventfd's: always O_RDWR, no
 * O_LARGEFILE in F_GETFL, lseek a no-op but pread/pwrite refused,
 * RWF_NOWAIT honoured.
 */
static int oefd_open(struct inode *inode, struct file *file)
{
	struct ohos_eventfd_ctx *ctx;

	if ((file->f_flags & O_ACCMODE) != O_RDWR)
		return -EINVAL;
	ctx = oefd_ctx_create(0, 0);
	if (!ctx)
		return -ENOMEM;
	file->private_data = ctx;
	file->f_flags &= O_ACCMODE | O_NONBLOCK;
	file->f_mode &= ~(FMODE_PREAD | FMODE_PWRITE);
	file->f_mode |= FMODE_NOWAIT;
	return 0;
}

static int oefd_release(struct inode *inode, struct file *file)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;

	wake_up_poll(&ctx->wqh, EPOLLHUP);
	ohos_eventfd_ctx_put(ctx);
	return 0;
}

static const struct file_operations oefd_fops = {
	.owner		= THIS_MODULE,
	.open		= oefd_open,
	.release	= oefd_release,
	.read_iter	= oefd_read,
	.write		= oefd_write,
	.poll		= oefd_poll,
	.llseek		= noop_llseek,
	.unlocked_ioctl	= oefd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= oefd_show_fdinfo,
};

static struct miscdevice oefd_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ohos_eventfd",
	.fops	= &oefd_fops,
	.mode	= 0666,
};

static int __init oefd_init(void)
{
	int ret;

	BUILD_BUG_ON(OHOS_EFD_SEMAPHORE != EFD_SEMAPHORE);
	BUILD_BUG_ON(OHOS_EFD_NONBLOCK != EFD_NONBLOCK);
	BUILD_BUG_ON(OHOS_EFD_CLOEXEC != EFD_CLOEXEC);
	BUILD_BUG_ON(sizeof(struct ohos_efd_config) != OHOS_EFD_CONFIG_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ohos_efd_stats) != OHOS_EFD_STATS_SIZE_VER0);
	BUILD_BUG_ON_NOT_POWER_OF_2(OEFD_RING_SLOTS);

	oefd_fast_limit = OHOS_EFD_COUNT_MAX -
			  (u64)nr_cpu_ids * OEFD_RING_SLOTS * OEFD_FAST_MAX;
	oefd_ctx_cache = KMEM_CACHE(ohos_eventfd_ctx, SLAB_ACCOUNT);
	if (!oefd_ctx_cache)
		return -ENOMEM;
	ret = misc_register(&oefd_misc);
	if (ret) {
		pr_err("ohos_eventfd: cannot register /dev/ohos_eventfd: %d\n", ret);
		kmem_cache_destroy(oefd_ctx_cache);
	}
	return ret;
}

static void __exit oefd_exit(void)
{
	misc_deregister(&oefd_misc);
	kmem_cache_destroy(oefd_ctx_cache);
	ida_destroy(&oefd_ida);
}

module_init(oefd_init);
module_exit(oefd_exit);

MODULE_DESCRIPTION("eventfd-compatible counters on per-CPU rings: /dev/ohos_eventfd");
MODULE_LICENSE("GPL");
MODULE_VERSION(OHOS_EVENTFD_VERSION);
