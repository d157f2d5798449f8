// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd: the counter. A counter is eventfd's: a count and a wait
 * queue whose lock protects it, read, written, waited on and woken as in
 * fs/eventfd.c, plus what the rings add: folding them in before the count
 * is used, stopping the fast path near the ceiling, the two wakeup modes.
 *
 * This file owns what a counter does: wait, read, write and poll (the
 * file_operations handlers, with the helpers they inline), wakeups, modes,
 * the ceiling, CONFIGURE, the statistics, the fast_path parameter, and the
 * exported signal and read-and-clear of the in-kernel API
 * (include/linux/ohos_eventfd.h). It calls ring.c (push, fold, quiesce,
 * snapshot, installing the rings) through ohos_eventfd_internal.h, never
 * file.c. docs/design.md gives the argument; each barrier here names its
 * pair.
 */

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <kunit/visibility.h>

#include "ohos_eventfd_internal.h"
#include "ohos_eventfd_trace.h"

static bool fast_path = true;
module_param(fast_path, bool, 0444);
MODULE_PARM_DESC(fast_path,
		 "Writers that find a counter's lock held get a per-CPU ring on it and add to it without the lock (default: Y); N: every write takes the counter's lock, as eventfd");

static bool coalesce = true;
module_param(coalesce, bool, 0444);
MODULE_PARM_DESC(coalesce,
		 "Exact mode: no wakeup for writes while the last one is still to be collected by poll/select/epoll (default: Y); N: every write wakes, as eventfd");

/*
 * Every change of count is a seqcount write section, so that count stays
 * constant across a lockless snapshot that did not retry: rings only grow
 * in that window (see oefd_snapshot()).
 */
static void oefd_set_count(struct ohos_eventfd_ctx *ctx, u64 count)
{
	lockdep_assert_held(&ctx->wqh.lock);
	write_seqcount_begin(&ctx->seq);
	WRITE_ONCE(ctx->count, count);
	write_seqcount_end(&ctx->seq);
}

/* Fold all rings into count. Caller holds wqh.lock. */
VISIBLE_IF_KUNIT __always_inline void oefd_drain(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	if (ctx->rings)
		oefd_drain_rings(ctx, ctx->rings);
}
EXPORT_SYMBOL_IF_KUNIT(oefd_drain);

/*
 * The caller has just published a store that keeps pushes off the rings
 * (a wait queue entry, armed, !fast_ok, a new mode): wait for the pushes
 * that missed it and fold them, so that count is the exact total.
 */
static void oefd_catch_pushes(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	/* Pairs with smp_mb() in oefd_ring_push(). */
	smp_mb();
	oefd_quiesce(ctx);
	oefd_drain(ctx);
}

/*
 * Stop the fast path and fold the rings: from here count is exact and
 * stays so until oefd_fast_resume().
 */
static void oefd_fast_stop(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	if (ctx->fast_ok) {
		WRITE_ONCE(ctx->fast_ok, false);
		oefd_catch_pushes(ctx);
	} else {
		oefd_drain(ctx);
	}
}

/* Rings are empty while the fast path is stopped: reopen it when safe. */
static void oefd_fast_resume(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	if (!ctx->fast_ok && ctx->count <= oefd_fast_limit)
		WRITE_ONCE(ctx->fast_ok, true);
}

/*
 * A collection (->poll, a waiter's check before it sleeps, a mode change):
 * the next write must wake again. Pushes that saw wake_pending set are
 * waited for and folded, so what the caller reads next includes them.
 */
static void oefd_end_coalescing(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	if (ctx->wake_pending) {
		WRITE_ONCE(ctx->wake_pending, false);
		oefd_catch_pushes(ctx);
	}
}

/*
 * A waiter that takes its event from the wakeup itself, not through
 * ->poll, is on the queue: from now on every write wakes, as eventfd.
 */
static void oefd_add_foreign_locked(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	WRITE_ONCE(ctx->foreign_waiter, true);
	oefd_end_coalescing(ctx);
}

/*
 * Wake every waiter with @key (the callers decide when, per mode); a
 * wakeup also ends a transition-mode arming (a consumer that empties the
 * counter from its wakeup callback arms again, see
 * ohos_eventfd_ctx_do_read()). In exact mode an EPOLLIN wakeup to waiters
 * that all collect through ->poll makes the writes until that collection
 * redundant: wake_pending (docs/design.md, "Coalesced wakeups").
 * Always inlined, as the wakeup helpers below: the tracepoints' slow
 * paths made GCC call them out of line, a longer read and write path.
 */
static __always_inline void oefd_wake(struct ohos_eventfd_ctx *ctx, __poll_t key)
{
	unsigned int was_in_eventfd;

	lockdep_assert_held(&ctx->wqh.lock);
	/* oefd_mask() may set armed without the lock. */
	if (READ_ONCE(ctx->armed))
		WRITE_ONCE(ctx->armed, false);
	/* Under wqh.lock, as eventfd's wakeups: no waiter can be added meanwhile. */
	if (!waitqueue_active(&ctx->wqh)) {
		trace_oefd_wake(ctx->id, key, OEFD_WAKE_NO_WAITER);
		return;
	}
	trace_oefd_wake(ctx->id, key, OEFD_WAKE_SENT);
	/*
	 * Before the wakeup: a woken collector's ->poll must find it set
	 * (ordered by the wakeup itself), or it would return without
	 * clearing it and the writes after its collection would send none.
	 */
	if ((key & EPOLLIN) && coalesce && !ctx->foreign_waiter &&
	    ctx->mode == OHOS_EFD_MODE_EXACT)
		WRITE_ONCE(ctx->wake_pending, true);
	/* Restored, not cleared: a callback of another counter may wake us. */
	was_in_eventfd = current->in_eventfd;
	current->in_eventfd = 1;
	wake_up_locked_poll(&ctx->wqh, key);
	current->in_eventfd = was_in_eventfd;
	/* The statistics are read without the lock (oefd_ctx_stats()). */
	WRITE_ONCE(ctx->wakeups, ctx->wakeups + 1);
}

/*
 * Exact mode: a write's wakeup is covered by one still to be collected,
 * unless its waiters left without collecting (EPOLL_CTL_DEL): then there
 * is nobody to wake.
 */
static __always_inline void oefd_coalesce(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	/* Under wqh.lock: exact. */
	if (!waitqueue_active(&ctx->wqh)) {
		trace_oefd_wake(ctx->id, EPOLLIN, OEFD_WAKE_NO_WAITER);
		return;
	}
	WRITE_ONCE(ctx->coalesced, ctx->coalesced + 1);
	trace_oefd_wake(ctx->id, EPOLLIN, OEFD_WAKE_COALESCED);
}

/* Transition mode: make the next push take the lock (and wake). */
static void oefd_arm_locked(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	WRITE_ONCE(ctx->armed, true);
	oefd_catch_pushes(ctx);
}

static void oefd_arm_waiters(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	/* A waiter added later arms for itself. */
	if (!waitqueue_active(&ctx->wqh))
		return;
	oefd_arm_locked(ctx);
	if (ctx->count)
		oefd_wake(ctx, EPOLLIN);
}

/*
 * Transition mode: the count is 0 and someone waits, so the next push must
 * take the lock and wake. Pushes that raced with the arming are folded
 * here, and if there were any, that was the transition: wake.
 */
static __always_inline void oefd_arm(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
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

	lockdep_assert_held(&ctx->wqh.lock);
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
	lockdep_assert_held(&ctx->wqh.lock);
	oefd_drain(ctx);
	if (ctx->count)
		return true;
	if (ctx->mode == OHOS_EFD_MODE_TRANSITION) {
		oefd_arm_locked(ctx);
	} else {
		/* A waiter about to sleep collects: later writes must wake it. */
		WRITE_ONCE(ctx->wake_pending, false);
		oefd_catch_pushes(ctx);
	}
	return ctx->count != 0;
}

static bool oefd_has_room(struct ohos_eventfd_ctx *ctx, u64 value)
{
	lockdep_assert_held(&ctx->wqh.lock);
	oefd_end_coalescing(ctx);
	oefd_fast_stop(ctx);
	return ULLONG_MAX - ctx->count > value;
}

/* Take the count, or 1 in semaphore mode. Caller has drained the rings. */
static __always_inline u64 oefd_consume(struct ohos_eventfd_ctx *ctx)
{
	u64 cnt;

	lockdep_assert_held(&ctx->wqh.lock);
	cnt = (ctx->flags & OHOS_EFD_SEMAPHORE) && ctx->count ? 1 : ctx->count;
	oefd_set_count(ctx, ctx->count - cnt);
	if (cnt) {
		WRITE_ONCE(ctx->reads, ctx->reads + 1);
		trace_oefd_read(ctx->id, cnt, ctx->count);
	}
	oefd_fast_resume(ctx);
	return cnt;
}

/*
 * A read's wakeup. Exact mode: eventfd's, EPOLLOUT to anyone waiting.
 * Transition mode: only when a writer sleeps at the ceiling or the count
 * was full (a poller may wait for EPOLLOUT); then arm for the next write.
 */
static __always_inline void oefd_wake_after_read(struct ohos_eventfd_ctx *ctx, u64 before)
{
	lockdep_assert_held(&ctx->wqh.lock);
	if (ctx->mode == OHOS_EFD_MODE_EXACT ||
	    ctx->blocked_writers || before >= OHOS_EFD_COUNT_MAX)
		oefd_wake(ctx, EPOLLOUT);
	else
		trace_oefd_wake(ctx->id, EPOLLOUT, OEFD_WAKE_NO_TRANSITION);
	oefd_arm(ctx);
}

/*
 * A write's wakeup. Exact mode: eventfd's, EPOLLIN to anyone waiting,
 * unless the last one is still to be collected: that collection reports
 * the total, this write included. Transition mode: only empty -> non-empty,
 * or a waiter that armed.
 */
static __always_inline void oefd_wake_after_write(struct ohos_eventfd_ctx *ctx,
						  u64 before)
{
	lockdep_assert_held(&ctx->wqh.lock);
	if (ctx->mode == OHOS_EFD_MODE_EXACT && ctx->wake_pending) {
		oefd_coalesce(ctx);
		return;
	}
	if (ctx->mode == OHOS_EFD_MODE_TRANSITION && before && !READ_ONCE(ctx->armed)) {
		trace_oefd_wake(ctx->id, EPOLLIN, OEFD_WAKE_NO_TRANSITION);
		return;
	}
	oefd_wake(ctx, EPOLLIN);
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

/*
 * A write of @value found wqh.lock held (by a writer, a reader, a
 * collecting poller, an ioctl): the CPU to give a ring after the unlock,
 * or -1 when a ring would stay empty (the write could not have been
 * pushed: judged here, under the lock, where it is exact and off the
 * uncontended path) or the CPU has one. One thread moving between CPUs
 * never meets itself at the lock (docs/design.md, "4. Memory").
 */
static int oefd_contended_cpu(struct ohos_eventfd_ctx *ctx, u64 value)
{
	int cpu = smp_processor_id();

	lockdep_assert_held(&ctx->wqh.lock);
	if (!fast_path || value > OEFD_FAST_MAX || !oefd_fast_allowed(ctx) ||
	    oefd_ring_of(ctx, cpu))
		return -1;
	return cpu;
}

/*
 * The locked write: eventfd's, plus the fold and the ceiling guard. A
 * contended write gives its CPU a ring, after the unlock.
 */
static int oefd_add(struct ohos_eventfd_ctx *ctx, u64 value, bool nowait)
{
	int ring_cpu = -1, ret = 0;

	/*
	 * spin_lock_irq(), noting whether someone else held the lock. Not on
	 * PREEMPT_RT, whose spinlock_t sleeps and so may not be tried with
	 * hard IRQs off: there counters never get rings.
	 */
	if (IS_ENABLED(CONFIG_PREEMPT_RT)) {
		spin_lock_irq(&ctx->wqh.lock);
	} else {
		local_irq_disable();
		if (unlikely(!spin_trylock(&ctx->wqh.lock))) {
			spin_lock(&ctx->wqh.lock);
			ring_cpu = oefd_contended_cpu(ctx, value);
		}
	}
	if (ctx->rings) {
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
		WRITE_ONCE(ctx->slow_writes, ctx->slow_writes + 1);
		trace_oefd_write(ctx->id, value, OEFD_PATH_LOCKED);
		oefd_wake_after_write(ctx, before);
	}
	spin_unlock_irq(&ctx->wqh.lock);
	if (unlikely(ring_cpu >= 0))
		oefd_ring_install(ctx, ring_cpu,
				  GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	return ret;
}

VISIBLE_IF_KUNIT int oefd_write_value(struct ohos_eventfd_ctx *ctx, u64 value,
				      bool nowait)
{
	/* Pairs with the release in oefd_rings_insert(). */
	struct oefd_rings *rings = smp_load_acquire(&ctx->rings);

	if (rings && value <= OEFD_FAST_MAX && oefd_fast_allowed(ctx) &&
	    oefd_ring_push(ctx, rings, value))
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

int oefd_set_mode(struct ohos_eventfd_ctx *ctx, u32 mode)
{
	if (mode != OHOS_EFD_MODE_EXACT && mode != OHOS_EFD_MODE_TRANSITION)
		return -EINVAL;
	spin_lock_irq(&ctx->wqh.lock);
	if (mode != ctx->mode) {
		u64 pushed = oefd_fast_writes(ctx);

		trace_oefd_mode(ctx->id, ctx->mode, mode);
		/*
		 * Pairs with smp_mb() in oefd_ring_push(): a push that reads
		 * the stores below is not already in @pushed.
		 */
		smp_mb();
		WRITE_ONCE(ctx->mode, mode);
		WRITE_ONCE(ctx->armed, false);
		WRITE_ONCE(ctx->wake_pending, false);
		/* Pushes decided under the old mode end here. */
		oefd_catch_pushes(ctx);
		/*
		 * A push that raced the switch may have read the old mode and
		 * the new armed (or the new mode and the old empty queue
		 * rule) and skipped its wakeup: send it now. Without one the
		 * count did not change, and eventfd sends no wakeup.
		 */
		if (oefd_fast_writes(ctx) != pushed)
			oefd_wake(ctx, EPOLLIN);
		oefd_arm(ctx);
	}
	spin_unlock_irq(&ctx->wqh.lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_set_mode);

/*
 * GET_STATS and fdinfo. Without the lock: a reader polling them (another
 * process's monitor too) must not make the writers it watches contend,
 * which would give them rings (docs/design.md, "4. Memory"). Each number
 * is one that held at some instant during the call.
 */
void oefd_ctx_stats(struct ohos_eventfd_ctx *ctx, struct oefd_stats *st)
{
	u64 fast_coalesced;

	st->abi.reads = READ_ONCE(ctx->reads);
	st->abi.slow_writes = READ_ONCE(ctx->slow_writes);
	st->abi.wakeups = READ_ONCE(ctx->wakeups);
	oefd_fast_stats(ctx, &st->abi.fast_writes, &fast_coalesced);
	st->coalesced = READ_ONCE(ctx->coalesced) + fast_coalesced;
	st->abi.writes = st->abi.fast_writes + st->abi.slow_writes;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ctx_stats);

/* Has the counter ever been read, written or signalled successfully? */
static bool oefd_used(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	return ctx->reads || ctx->slow_writes || oefd_fast_writes(ctx);
}

/* OHOS_EFD_IOC_CONFIGURE, once file.c has read and checked @cfg. */
int oefd_configure(struct ohos_eventfd_ctx *ctx,
		   const struct ohos_efd_config *cfg)
{
	int ret = 0;

	spin_lock_irq(&ctx->wqh.lock);
	/* With pushes stopped, count and the fast-path statistics are exact. */
	oefd_fast_stop(ctx);
	if (oefd_used(ctx)) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(ctx->flags, cfg->flags);
		oefd_set_count(ctx, cfg->initval);
		if (cfg->initval)
			oefd_wake(ctx, EPOLLIN);
		/* A count set to 0 under a transition-mode waiter: arm. */
		oefd_arm(ctx);
	}
	oefd_fast_resume(ctx);
	spin_unlock_irq(&ctx->wqh.lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_configure);

/**
 * ohos_eventfd_signal_allowed() - May the current task signal a counter?
 *
 * Not from inside a wakeup of an eventfd or ohos_eventfd, where
 * ohos_eventfd_signal_mask() refuses, with a WARN: defer the signal then.
 *
 * Return: true when ohos_eventfd_signal() and ohos_eventfd_signal_mask()
 * may be called.
 */
bool ohos_eventfd_signal_allowed(void)
{
	return !current->in_eventfd;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_signal_allowed);

/**
 * ohos_eventfd_signal_mask() - Add 1 to a counter and wake its waiters
 * @ctx: the counter
 * @mask: poll flags for the wakeup besides EPOLLIN; with a non-zero
 *        @mask the signal never takes the per-CPU fast path
 *
 * As eventfd_signal_mask(): adds 1 to the count, saturating at ULLONG_MAX
 * (poll then reports EPOLLERR), and wakes waiters with EPOLLIN | @mask.
 * Refused, with a WARN, from inside a wakeup of an eventfd or
 * ohos_eventfd: check ohos_eventfd_signal_allowed() and defer if false.
 *
 * Context: Any context, hard IRQ included.
 */
void ohos_eventfd_signal_mask(struct ohos_eventfd_ctx *ctx, __poll_t mask)
{
	/* Pairs with the release in oefd_rings_insert(). */
	struct oefd_rings *rings = smp_load_acquire(&ctx->rings);
	unsigned long flags;

	/* A wakeup handler signalling back would recurse on wqh.lock. */
	if (WARN_ON_ONCE(current->in_eventfd))
		return;
	/* Rings come from contended writes only: no allocation here. */
	if (rings && !mask && oefd_ring_push(ctx, rings, 1))
		return;
	spin_lock_irqsave(&ctx->wqh.lock, flags);
	oefd_drain(ctx);
	if (!ctx->fast_ok || ctx->count >= oefd_fast_limit)
		oefd_fast_stop(ctx);
	if (ctx->count < ULLONG_MAX)
		oefd_set_count(ctx, ctx->count + 1);
	WRITE_ONCE(ctx->slow_writes, ctx->slow_writes + 1);
	trace_oefd_write(ctx->id, 1, OEFD_PATH_LOCKED);
	/* Only a plain EPOLLIN wakeup is covered by one to be collected. */
	if (mask || !ctx->wake_pending)
		oefd_wake(ctx, EPOLLIN | mask);
	else
		oefd_coalesce(ctx);
	spin_unlock_irqrestore(&ctx->wqh.lock, flags);
}
EXPORT_SYMBOL_GPL(ohos_eventfd_signal_mask);

/**
 * ohos_eventfd_ctx_do_read() - Read and clear a counter, its lock held
 * @ctx: the counter
 * @cnt: where to store what was taken
 *
 * As eventfd_ctx_do_read(): takes the whole count, or 1 in semaphore mode
 * (0 when the count is 0), into *@cnt, and sends no wakeup. In transition
 * mode the counter is armed again first, so that a consumer that stays on
 * the wait queue is woken by the next write.
 *
 * Context: The caller holds @ctx's wait queue lock, as in a wait queue
 * callback.
 */
void ohos_eventfd_ctx_do_read(struct ohos_eventfd_ctx *ctx, __u64 *cnt)
{
	lockdep_assert_held(&ctx->wqh.lock);
	/* It takes its events from wakeups: each write must send one. */
	oefd_add_foreign_locked(ctx);
	/*
	 * A consumer reading from its wakeup callback stays on the queue, and
	 * the wakeup that called it disarmed the counter: arm again before
	 * taking, so that pushes racing with the arming are in what it takes
	 * and every later one takes the lock and wakes it.
	 */
	if (ctx->mode == OHOS_EFD_MODE_TRANSITION)
		oefd_arm_locked(ctx);
	else
		oefd_drain(ctx);
	*cnt = oefd_consume(ctx);
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_do_read);

/**
 * ohos_eventfd_ctx_remove_wait_queue() - Take the count, leave the queue
 * @ctx: the counter
 * @wait: the caller's entry on @ctx's wait queue
 * @cnt: where to store what was taken
 *
 * As eventfd_ctx_remove_wait_queue(): under the counter's wait queue
 * lock, takes the whole count (1 in semaphore mode) into *@cnt, removes
 * @wait and, when something was taken, sends a read's wakeup.
 *
 * Return: 0, or -EAGAIN when the count was 0.
 */
int ohos_eventfd_ctx_remove_wait_queue(struct ohos_eventfd_ctx *ctx,
				       wait_queue_entry_t *wait, __u64 *cnt)
{
	unsigned long flags;
	u64 before;

	spin_lock_irqsave(&ctx->wqh.lock, flags);
	oefd_add_foreign_locked(ctx);
	oefd_drain(ctx);
	before = ctx->count;
	*cnt = oefd_consume(ctx);
	__remove_wait_queue(&ctx->wqh, wait);
	/* As eventfd: a read's wakeup when something was taken. */
	if (*cnt)
		oefd_wake_after_read(ctx, before);
	else
		oefd_arm(ctx);
	spin_unlock_irqrestore(&ctx->wqh.lock, flags);
	return *cnt ? 0 : -EAGAIN;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_remove_wait_queue);

ssize_t oefd_read(struct kiocb *iocb, struct iov_iter *to)
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

ssize_t oefd_write(struct file *file, const char __user *buf, size_t size,
		   loff_t *ppos)
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

/*
 * The queue procs of the waiters that collect their events through
 * ->poll: epoll's (EPOLL_CTL_ADD) and poll()/select()'s. Neither is
 * exported, so each is recognised by its symbol name once and then by its
 * address; without kallsyms no name matches, and every waiter counts as
 * foreign (eventfd's wakeups).
 */
static const char *const oefd_collector_names[] = {
	"ep_ptable_queue_proc", "__pollwait",
};

static poll_queue_proc oefd_collectors[ARRAY_SIZE(oefd_collector_names)];

static bool oefd_collector_qproc(poll_queue_proc qproc)
{
	char name[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(oefd_collectors); i++)
		if (READ_ONCE(oefd_collectors[i]) == qproc)
			return true;
	snprintf(name, sizeof(name), "%ps", qproc);
	for (i = 0; i < ARRAY_SIZE(oefd_collector_names); i++) {
		if (strcmp(name, oefd_collector_names[i]))
			continue;
		/* Racing learners store the same address. */
		WRITE_ONCE(oefd_collectors[i], qproc);
		return true;
	}
	return false;
}

/*
 * Will the waiter that @wait adds collect through ->poll? Not an exclusive
 * one: it may leave without collecting while the next exclusive waiter
 * was never woken.
 */
static bool oefd_foreign_wait(struct ohos_eventfd_ctx *ctx, poll_table *wait)
{
	if (poll_does_not_wait(wait) || READ_ONCE(ctx->foreign_waiter))
		return false;
	return (poll_requested_events(wait) & EPOLLEXCLUSIVE) ||
	       !oefd_collector_qproc(wait->_qproc);
}

/* Take wqh.lock from ->poll, which may run with IRQs off (vfs_poll()). */
static void oefd_poll_locked(struct ohos_eventfd_ctx *ctx,
			     void (*fn)(struct ohos_eventfd_ctx *ctx))
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->wqh.lock, flags);
	fn(ctx);
	spin_unlock_irqrestore(&ctx->wqh.lock, flags);
}

__poll_t oefd_poll(struct file *file, poll_table *wait)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;
	bool pending;

	if (unlikely(oefd_foreign_wait(ctx, wait)))
		oefd_poll_locked(ctx, oefd_add_foreign_locked);
	poll_wait(file, &ctx->wqh, wait);
	/*
	 * A collection: the writes since the wakeup it collects are in the
	 * snapshot below, and the next one wakes again. wake_pending was set
	 * before that wakeup (oefd_wake()); read false, it is either clear or
	 * set by a later wakeup, which reached our entry and brings another
	 * collection. Read before the smp_mb() below: a clear read here may
	 * be another collector's whose catch is still running, and the
	 * barrier orders our read before our own quiesce, so that a push
	 * which saw the flag set is waited for by our snapshot too.
	 */
	pending = READ_ONCE(ctx->wake_pending);
	/*
	 * Pairs with smp_mb() in oefd_ring_push(): a push that missed our
	 * wait queue entry (or the end of coalescing) is waited for and
	 * counted by oefd_snapshot(). Locked writers change count under
	 * wqh.lock, which poll_wait() took: as in eventfd_poll(), either we
	 * see their count or they see our entry and wake us.
	 */
	smp_mb();
	if (pending)
		oefd_poll_locked(ctx, oefd_end_coalescing);
	return oefd_mask(ctx);
}
EXPORT_SYMBOL_IF_KUNIT(oefd_poll);
