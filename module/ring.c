// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd: the per-CPU rings of pending increments.
 *
 * Owns struct oefd_ring and struct oefd_percpu: the lockless push (the
 * fast path), folding the rings into count (the caller holds wqh.lock),
 * waiting out pushes in flight (quiesce), the lockless snapshot of count
 * plus rings under the seqcount, installing and freeing the rings, the
 * fast-path statistics, and oefd_fast_limit (set by module init in
 * file.c). It calls nothing in the module's other files; counter.c and
 * file.c call it through ohos_eventfd_internal.h. docs/design.md gives
 * the argument; each barrier here names its pair.
 */

#include <linux/bitops.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "ohos_eventfd_internal.h"

/*
 * The fast path runs only while count <= oefd_fast_limit: then even full
 * rings on every possible CPU cannot carry the total past
 * OHOS_EFD_COUNT_MAX.
 */
u64 oefd_fast_limit;
EXPORT_SYMBOL_IF_KUNIT(oefd_fast_limit);

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

/*
 * The fast path: add @value to this CPU's ring. False when it must not
 * (see oefd_fast_allowed()) or the ring is full: the caller takes the lock.
 * IRQs are off so that an in-kernel signal from hard IRQ on this CPU
 * cannot interleave with a push.
 */
bool oefd_ring_push(struct ohos_eventfd_ctx *ctx, struct oefd_percpu *pc,
		    u64 value)
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

/* The sum of @ring's slots from tail up to @head. */
static u64 oefd_ring_sum(struct ohos_eventfd_ctx *ctx, struct oefd_ring *ring,
			 unsigned int head)
{
	unsigned int tail = ring->tail;
	u64 sum = 0;

	lockdep_assert_held(&ctx->wqh.lock);
	for (; tail != head; tail++)
		sum += READ_ONCE(ring->slot[tail % OEFD_RING_SLOTS]);
	return sum;
}

/* Free @ring's slots up to @head. */
static void oefd_ring_release(struct ohos_eventfd_ctx *ctx,
			      struct oefd_ring *ring, unsigned int head)
{
	lockdep_assert_held(&ctx->wqh.lock);
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

/*
 * Fold every ring into count. While the fast path is open, count must stay
 * within oefd_fast_limit: a batch that would carry it past is taken only
 * after the fast path is stopped, before any of its slots is freed, since
 * a freed slot takes a new push at once.
 */
void oefd_drain_rings(struct ohos_eventfd_ctx *ctx, struct oefd_percpu *pc)
{
	unsigned int cpu;

	lockdep_assert_held(&ctx->wqh.lock);
	write_seqcount_begin(&ctx->seq);
	for (cpu = oefd_next_used(pc, -1); cpu < nr_cpu_ids; cpu = oefd_next_used(pc, cpu)) {
		struct oefd_ring *ring = per_cpu_ptr(pc->rings, cpu);
		/* Pairs with the release of head in oefd_ring_push(). */
		unsigned int head = smp_load_acquire(&ring->head);
		u64 sum = oefd_ring_sum(ctx, ring, head);

		if (ctx->fast_ok && sum > oefd_fast_limit - ctx->count) {
			WRITE_ONCE(ctx->fast_ok, false);
			/* Pairs with smp_mb() in oefd_ring_push(). */
			smp_mb();
			oefd_quiesce(ctx);
			/* Pairs with the release of head in oefd_ring_push(). */
			head = smp_load_acquire(&ring->head);
			sum = oefd_ring_sum(ctx, ring, head);
		}
		oefd_ring_release(ctx, ring, head);
		WRITE_ONCE(ctx->count, ctx->count + sum);
	}
	write_seqcount_end(&ctx->seq);
}

/*
 * Wait until no CPU is between its check of oefd_fast_allowed() and the
 * publication of its push. The caller's smp_mb() comes first (see
 * oefd_ring_push()). pushing is odd inside a push: we wait for the push
 * we saw to end, never for a later one, which saw the caller's store. A
 * push holds no lock, cannot sleep and runs with IRQs off for a fixed,
 * short sequence of instructions, so this may spin under wqh.lock: it
 * waits at most one push per CPU (docs/design.md).
 */
void oefd_quiesce(struct ohos_eventfd_ctx *ctx)
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
u64 oefd_snapshot(struct ohos_eventfd_ctx *ctx)
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

void oefd_percpu_free(struct oefd_percpu *pc)
{
	free_percpu(pc->rings);
	kfree(pc);
}

/* Give @ctx its rings. On failure the counter keeps the locked path. */
int oefd_percpu_install(struct ohos_eventfd_ctx *ctx, gfp_t gfp)
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

/* Fast-path writes so far; exact once pushes are stopped (oefd_fast_stop()). */
u64 oefd_fast_writes(struct ohos_eventfd_ctx *ctx)
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
