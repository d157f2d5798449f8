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
 * Every change of count is a seqcount write section, so that count stays
 * constant across a lockless snapshot that did not retry: rings only grow
 * in that window (see oefd_snapshot()).
 */
static void oefd_set_count(struct ohos_eventfd_ctx *ctx, u64 count)
{
	write_seqcount_begin(&ctx->seq);
	WRITE_ONCE(ctx->count, count);
	write_seqcount_end(&ctx->seq);
}

/*
 * The next CPU after @cpu whose ring was ever pushed to, or nr_cpu_ids.
 * Each word of the bitmap is loaded once, marked: oefd_ring_push() may
 * set a bit meanwhile, and a bit set after our load belongs to a push the
 * caller's ordering covers (the Dekker pair, or the snapshot's recheck).
 */
static unsigned int oefd_next_used(struct oefd_percpu *pc, int cpu)
{
	unsigned int bit = cpu + 1;

	while (bit < nr_cpu_ids) {
		unsigned long word = READ_ONCE(pc->used[BIT_WORD(bit)]) &
				     BITMAP_FIRST_WORD_MASK(bit);

		if (word)
			return round_down(bit, BITS_PER_LONG) + __ffs(word);
		bit = round_up(bit + 1, BITS_PER_LONG);
	}
	return nr_cpu_ids;
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
	/* Odd from here to the release below. */
	WRITE_ONCE(ring->pushing, ring->pushing + 1);
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
	smp_store_release(&ring->pushing, ring->pushing + 1);
	local_irq_restore(irqflags);
	return pushed;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ring_push);

/* The sum of @ring's slots from tail up to @head. Caller holds wqh.lock. */
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
 * What @ring holds, without consuming; adds the head it read to *@heads.
 * tail is read first: a fold only moves it up to a head it saw, so head -
 * tail cannot go negative. A span wider than the ring means a fold ran
 * meanwhile; the caller's seqcount retry discards what we return then,
 * so stop at once.
 */
static u64 oefd_ring_pending(struct oefd_ring *ring, unsigned int *heads)
{
	unsigned int tail = READ_ONCE(ring->tail);
	/* Pairs with the release of head in oefd_ring_push(). */
	unsigned int head = smp_load_acquire(&ring->head);
	u64 sum = 0;

	*heads += head;
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
	unsigned int cpu;

	lockdep_assert_held(&ctx->wqh.lock);
	write_seqcount_begin(&ctx->seq);
	for (cpu = oefd_next_used(pc, -1); cpu < nr_cpu_ids; cpu = oefd_next_used(pc, cpu)) {
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
 * oefd_ring_push()). pushing is odd inside a push: we wait for the push
 * we saw to end, never for a later one, which saw the caller's store. A
 * push holds no lock, cannot sleep and runs with IRQs off for a fixed,
 * short sequence of instructions, so this may spin under wqh.lock: it
 * waits at most one push per CPU (docs/design.md).
 */
static void oefd_quiesce(struct ohos_eventfd_ctx *ctx)
{
	/* Pairs with the release in oefd_percpu_install(). */
	struct oefd_percpu *pc = smp_load_acquire(&ctx->percpu);
	unsigned int cpu;

	if (!pc)
		return;
	for (cpu = oefd_next_used(pc, -1); cpu < nr_cpu_ids; cpu = oefd_next_used(pc, cpu)) {
		struct oefd_ring *ring = per_cpu_ptr(pc->rings, cpu);

		/* Pairs with the release of pushing in oefd_ring_push(). */
		unsigned int pushing = smp_load_acquire(&ring->pushing);

		if (!(pushing & 1))
			continue;
		/* The same pair: the end of the push we saw, and its slot. */
		while (smp_load_acquire(&ring->pushing) == pushing)
			cpu_relax();
	}
}

/* What every used ring holds; adds the heads read to *@heads. */
static u64 oefd_pending(struct oefd_percpu *pc, unsigned int *heads)
{
	unsigned int cpu;
	u64 sum = 0;

	for (cpu = oefd_next_used(pc, -1); cpu < nr_cpu_ids; cpu = oefd_next_used(pc, cpu))
		sum += oefd_ring_pending(per_cpu_ptr(pc->rings, cpu), heads);
	return sum;
}

/* The sum of the heads of every used ring, each loaded once. */
static unsigned int oefd_heads(struct oefd_percpu *pc)
{
	unsigned int cpu, heads = 0;

	for (cpu = oefd_next_used(pc, -1); cpu < nr_cpu_ids; cpu = oefd_next_used(pc, cpu))
		heads += READ_ONCE(per_cpu_ptr(pc->rings, cpu)->head);
	return heads;
}

/* Lockless passes of oefd_snapshot() before it takes the lock. */
#define OEFD_SNAPSHOT_TRIES	3

/*
 * One pass of oefd_snapshot(): count plus every used ring, or false when
 * a fold or a store of count (the seqcount) or a push (the heads, loaded
 * a second time after the acquires of the first) came in between.
 */
static bool oefd_snapshot_pass(struct ohos_eventfd_ctx *ctx,
			       struct oefd_percpu *pc, u64 *total)
{
	unsigned int seq, heads = 0;

	seq = read_seqcount_begin(&ctx->seq);
	*total = READ_ONCE(ctx->count);
	if (pc)
		*total += oefd_pending(pc, &heads);
	return !read_seqcount_retry(&ctx->seq, seq) &&
	       (!pc || oefd_heads(pc) == heads);
}

/*
 * The total, without the lock: a value the counter held at one instant
 * during the call. Every change of count and every fold is a write
 * section, so count is constant in a pass that does not retry, and the
 * rings only grow: equal sums of heads mean equal heads (modulo 2^32, and
 * a pass sees at most OEFD_RING_SLOTS pushes per ring), so every ring
 * held at the last acquire what the pass summed. Writers that keep
 * folding could starve the lockless passes: after a few, the lock keeps
 * folds out, and heads can then move at most OEFD_RING_SLOTS times per
 * ring before the rings are full.
 */
VISIBLE_IF_KUNIT u64 oefd_snapshot(struct ohos_eventfd_ctx *ctx)
{
	struct oefd_percpu *pc;
	unsigned long flags;
	unsigned int tries;
	u64 total;

	oefd_quiesce(ctx);
	/* Pairs with the release in oefd_percpu_install(). */
	pc = smp_load_acquire(&ctx->percpu);
	for (tries = 0; tries < OEFD_SNAPSHOT_TRIES; tries++)
		if (oefd_snapshot_pass(ctx, pc, &total))
			return total;
	spin_lock_irqsave(&ctx->wqh.lock, flags);
	while (!oefd_snapshot_pass(ctx, pc, &total))
		cpu_relax();
	spin_unlock_irqrestore(&ctx->wqh.lock, flags);
	return total;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_snapshot);

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
 * Wake every waiter with @key (the callers decide when, per mode); a
 * wakeup also ends a transition-mode arming (a consumer that empties the
 * counter from its wakeup callback arms again, see
 * ohos_eventfd_ctx_do_read()).
 */
static void oefd_wake(struct ohos_eventfd_ctx *ctx, __poll_t key)
{
	unsigned int was_in_eventfd;

	lockdep_assert_held(&ctx->wqh.lock);
	/* oefd_mask() may set armed without the lock. */
	if (READ_ONCE(ctx->armed))
		WRITE_ONCE(ctx->armed, false);
	/* Under wqh.lock, as eventfd's wakeups: no waiter can be added meanwhile. */
	if (!waitqueue_active(&ctx->wqh))
		return;
	/* Restored, not cleared: a callback of another counter may wake us. */
	was_in_eventfd = current->in_eventfd;
	current->in_eventfd = 1;
	wake_up_locked_poll(&ctx->wqh, key);
	current->in_eventfd = was_in_eventfd;
	ctx->wakeups++;
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
	if (ctx->mode == OHOS_EFD_MODE_TRANSITION)
		oefd_arm_locked(ctx);
	else
		oefd_catch_pushes(ctx);
	return ctx->count != 0;
}

static bool oefd_has_room(struct ohos_eventfd_ctx *ctx, u64 value)
{
	lockdep_assert_held(&ctx->wqh.lock);
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
	lockdep_assert_held(&ctx->wqh.lock);
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

	lockdep_assert_held(&ctx->wqh.lock);
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
		if (ctx->mode == OHOS_EFD_MODE_EXACT || !before ||
		    READ_ONCE(ctx->armed))
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

/* Fast-path writes so far; exact once pushes are stopped (oefd_fast_stop()). */
static u64 oefd_fast_writes(struct ohos_eventfd_ctx *ctx)
{
	struct oefd_percpu *pc = ctx->percpu;
	unsigned int cpu;
	u64 sum = 0;

	lockdep_assert_held(&ctx->wqh.lock);
	if (pc)
		for (cpu = oefd_next_used(pc, -1); cpu < nr_cpu_ids; cpu = oefd_next_used(pc, cpu))
			sum += READ_ONCE(per_cpu_ptr(pc->rings, cpu)->fast_writes);
	return sum;
}

VISIBLE_IF_KUNIT int oefd_set_mode(struct ohos_eventfd_ctx *ctx, u32 mode)
{
	if (mode != OHOS_EFD_MODE_EXACT && mode != OHOS_EFD_MODE_TRANSITION)
		return -EINVAL;
	spin_lock_irq(&ctx->wqh.lock);
	if (mode != ctx->mode) {
		u64 pushed = oefd_fast_writes(ctx);

		/*
		 * Pairs with smp_mb() in oefd_ring_push(): a push that reads
		 * the stores below is not already in @pushed.
		 */
		smp_mb();
		WRITE_ONCE(ctx->mode, mode);
		WRITE_ONCE(ctx->armed, false);
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

VISIBLE_IF_KUNIT void oefd_ctx_stats(struct ohos_eventfd_ctx *ctx,
				     struct ohos_efd_stats *st)
{
	spin_lock_irq(&ctx->wqh.lock);
	st->reads = ctx->reads;
	st->slow_writes = ctx->slow_writes;
	st->wakeups = ctx->wakeups;
	st->fast_writes = oefd_fast_writes(ctx);
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

int ohos_eventfd_ctx_remove_wait_queue(struct ohos_eventfd_ctx *ctx,
				       wait_queue_entry_t *wait, __u64 *cnt)
{
	unsigned long flags;
	u64 before;

	spin_lock_irqsave(&ctx->wqh.lock, flags);
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

/* Read a struct ohos_efd_config of @usize bytes with the uapi's rules. */
static int oefd_copy_config(struct ohos_efd_config *cfg, void __user *ucfg,
			    size_t usize, u32 allowed)
{
	int ret;

	ret = copy_struct_from_user(cfg, sizeof(*cfg), ucfg, usize);
	if (ret)
		return ret;
	return cfg->flags & ~allowed ? -EINVAL : 0;
}

/* Has the counter ever been read, written or signalled successfully? */
static bool oefd_used(struct ohos_eventfd_ctx *ctx)
{
	lockdep_assert_held(&ctx->wqh.lock);
	return ctx->reads || ctx->slow_writes || oefd_fast_writes(ctx);
}

static int oefd_ioc_configure(struct ohos_eventfd_ctx *ctx,
			      void __user *ucfg, size_t usize)
{
	struct ohos_efd_config cfg;
	int ret;

	ret = oefd_copy_config(&cfg, ucfg, usize, OHOS_EFD_SEMAPHORE);
	if (ret)
		return ret;
	spin_lock_irq(&ctx->wqh.lock);
	/* With pushes stopped, count and the fast-path statistics are exact. */
	oefd_fast_stop(ctx);
	if (oefd_used(ctx)) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(ctx->flags, cfg.flags);
		oefd_set_count(ctx, cfg.initval);
		if (cfg.initval)
			oefd_wake(ctx, EPOLLIN);
		/* A count set to 0 under a transition-mode waiter: arm. */
		oefd_arm(ctx);
	}
	oefd_fast_resume(ctx);
	spin_unlock_irq(&ctx->wqh.lock);
	return ret;
}

/* eventfd2() through our fops: a new counter on an anonymous inode. */
static int oefd_ioc_create(void __user *ucfg, size_t usize)
{
	struct ohos_efd_config cfg;
	struct ohos_eventfd_ctx *ctx;
	struct file *file;
	int fd, ret;

	ret = oefd_copy_config(&cfg, ucfg, usize, OHOS_EFD_SEMAPHORE |
			       OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC);
	if (ret)
		return ret;
	ctx = oefd_ctx_create(cfg.initval, cfg.flags & OHOS_EFD_SEMAPHORE);
	if (!ctx)
		return -ENOMEM;
	fd = get_unused_fd_flags(cfg.flags & OHOS_EFD_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto put_ctx;
	}
	file = anon_inode_getfile("[ohos_eventfd]", &oefd_fops, ctx,
				  O_RDWR | (cfg.flags & OHOS_EFD_NONBLOCK ? O_NONBLOCK : 0));
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

/* Fill a struct ohos_efd_stats of @usize bytes: zeroes past what we know. */
static int oefd_ioc_stats(struct ohos_eventfd_ctx *ctx, void __user *ust,
			  size_t usize)
{
	struct ohos_efd_stats st = {};

	oefd_ctx_stats(ctx, &st);
	if (copy_to_user(ust, &st, min(usize, sizeof(st))))
		return -EFAULT;
	if (usize > sizeof(st) && clear_user(ust + sizeof(st), usize - sizeof(st)))
		return -EFAULT;
	return 0;
}

/* The bits of an ioctl number that hold its struct's size. */
#define OEFD_IOC_SIZE_BITS	_IOC(0, 0, 0, _IOC_SIZEMASK)

/* A size carried by a command's number: at least @ver0, at most a page. */
static int oefd_usize_check(size_t usize, size_t ver0)
{
	if (usize < ver0)
		return -EINVAL;
	return usize > PAGE_SIZE ? -E2BIG : 0;
}

/*
 * A command whose number carries its struct's size (see the uapi header),
 * as clone3() and openat2() take theirs. Any other number is ENOTTY,
 * whatever its size bits say.
 */
static long oefd_ioctl_struct(struct ohos_eventfd_ctx *ctx, unsigned int cmd,
			      void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);

	switch (cmd & ~OEFD_IOC_SIZE_BITS) {
	case OHOS_EFD_IOC_CONFIGURE & ~OEFD_IOC_SIZE_BITS:
		return oefd_usize_check(usize, OHOS_EFD_CONFIG_SIZE_VER0) ?:
		       oefd_ioc_configure(ctx, uarg, usize);
	case OHOS_EFD_IOC_GET_STATS & ~OEFD_IOC_SIZE_BITS:
		return oefd_usize_check(usize, OHOS_EFD_STATS_SIZE_VER0) ?:
		       oefd_ioc_stats(ctx, uarg, usize);
	case OHOS_EFD_IOC_CREATE & ~OEFD_IOC_SIZE_BITS:
		return oefd_usize_check(usize, OHOS_EFD_CONFIG_SIZE_VER0) ?:
		       oefd_ioc_create(uarg, usize);
	}
	return -ENOTTY;
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
	}
	return oefd_ioctl_struct(ctx, cmd, uarg);
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
