// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd: the per-CPU rings of pending increments.
 *
 * Owns struct oefd_ring and struct oefd_rings: the lockless push (the
 * fast path), folding the rings into count (the caller holds wqh.lock),
 * waiting out pushes in flight (quiesce), the lockless snapshot of count
 * plus rings under the seqcount, installing rings and freeing them, the
 * fast-path statistics, and oefd_fast_limit. It calls nothing in the
 * module's other files; counter.c and file.c call it through
 * ohos_eventfd_internal.h. docs/design.md gives the argument; each barrier
 * here names its pair.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "ohos_eventfd_internal.h"
#include "ohos_eventfd_trace.h"

/* The table a counter's first ring comes in: room for 3 (3/4 full). */
#define OEFD_RINGS_FIRST_SIZE	4

/*
 * The fast path runs only while count <= oefd_fast_limit: then even full
 * rings on every possible CPU cannot carry the total past
 * OHOS_EFD_COUNT_MAX.
 */
u64 oefd_fast_limit;
EXPORT_SYMBOL_IF_KUNIT(oefd_fast_limit);

static struct kmem_cache *oefd_ring_cache;

int oefd_rings_init(void)
{
	BUILD_BUG_ON_NOT_POWER_OF_2(OEFD_RING_SLOTS);
	oefd_fast_limit = OHOS_EFD_COUNT_MAX -
			  (u64)nr_cpu_ids * OEFD_RING_SLOTS * OEFD_FAST_MAX;
	oefd_ring_cache = KMEM_CACHE(oefd_ring, SLAB_ACCOUNT);
	return oefd_ring_cache ? 0 : -ENOMEM;
}

void oefd_rings_exit(void)
{
	kmem_cache_destroy(oefd_ring_cache);
}

/*
 * The next ring of @rings from entry *@i on, or NULL after the last; *@i
 * moves past it. Lockless callers load each entry once; an entry set
 * meanwhile holds a ring that the caller's ordering covers (docs/design.md,
 * "4. Memory"). Address dependency: pairs with the release in
 * oefd_rings_add().
 */
static struct oefd_ring *oefd_next_ring(struct oefd_rings *rings,
					unsigned int *i)
{
	while (*i < rings->size) {
		struct oefd_ring *ring = READ_ONCE(rings->ring[(*i)++]);

		if (ring)
			return ring;
	}
	return NULL;
}

/*
 * The ring of @cpu in @rings, or NULL. Lockless: the address dependency
 * on each entry pairs with the release in oefd_rings_add(), so a ring
 * found is seen initialized.
 */
static struct oefd_ring *oefd_ring_find(struct oefd_rings *rings,
					unsigned int cpu)
{
	unsigned int i, mask = rings->size - 1;

	for (i = 0; i <= mask; i++) {
		struct oefd_ring *ring = READ_ONCE(rings->ring[(cpu + i) & mask]);

		if (!ring || ring->cpu == cpu)
			return ring;
	}
	return NULL;
}

/*
 * The fast path: add @value to this CPU's ring. False when this CPU has
 * no ring, the push must not happen (see oefd_fast_allowed()) or the ring
 * is full: the caller takes the lock. IRQs are off so that an in-kernel
 * signal from hard IRQ on this CPU cannot interleave with a push.
 */
bool oefd_ring_push(struct ohos_eventfd_ctx *ctx, struct oefd_rings *rings,
		    u32 value)
{
	struct oefd_ring *ring;
	unsigned long irqflags;
	unsigned int tail;
	bool pushed = false;

	local_irq_save(irqflags);
	ring = oefd_ring_find(rings, smp_processor_id());
	if (!ring)
		goto out;
	/* Odd from here to the release below. */
	WRITE_ONCE(ring->pushing, ring->pushing + 1);
	/*
	 * Pairs with the smp_mb() every waiter, arming poller and ceiling
	 * guard does before oefd_quiesce(): either it sees our ring and
	 * pushing flag and waits for this push, or we see its wait queue
	 * entry, armed flag or cleared fast_ok and stay off the ring. A ring
	 * it could not see yet was installed after its load of the table:
	 * then we see its store too (RWC, docs/design.md).
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
	/* Outside the window quiescers spin on, but on this CPU: in push order. */
	if (pushed) {
		trace_oefd_write(ctx->id, value, OEFD_PATH_RING);
		/*
		 * Statistics, lockless: with a waiter on the queue the push
		 * was allowed because a wakeup is still to be collected.
		 */
		if (waitqueue_active(&ctx->wqh) && READ_ONCE(ctx->wake_pending)) {
			WRITE_ONCE(ring->coalesced, ring->coalesced + 1);
			trace_oefd_wake(ctx->id, EPOLLIN, OEFD_WAKE_COALESCED);
		}
	}
out:
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

/* The sum of the heads of every ring, each loaded once. */
static unsigned int oefd_heads(struct oefd_rings *rings)
{
	struct oefd_ring *ring;
	unsigned int i, heads = 0;

	for (i = 0; (ring = oefd_next_ring(rings, &i));)
		heads += READ_ONCE(ring->head);
	return heads;
}

/*
 * Collect every ring up to the head it has now (ring->fold_head); returns
 * what they hold and sets *@heads to the sum of those heads.
 */
static u64 oefd_rings_collect(struct ohos_eventfd_ctx *ctx,
			      struct oefd_rings *rings, unsigned int *heads)
{
	struct oefd_ring *ring;
	unsigned int i;
	u64 sum = 0;

	lockdep_assert_held(&ctx->wqh.lock);
	*heads = 0;
	for (i = 0; (ring = oefd_next_ring(rings, &i));) {
		/* Pairs with the release of head in oefd_ring_push(). */
		ring->fold_head = smp_load_acquire(&ring->head);
		*heads += ring->fold_head;
		sum += oefd_ring_sum(ctx, ring, ring->fold_head);
	}
	return sum;
}

/* The oefd_fold event of a fold about to free the collected slots. */
static void oefd_fold_event(struct ohos_eventfd_ctx *ctx,
			    struct oefd_rings *rings, u64 sum)
{
	struct oefd_ring *ring;
	unsigned int i, slots = 0;

	lockdep_assert_held(&ctx->wqh.lock);
	for (i = 0; (ring = oefd_next_ring(rings, &i));)
		slots += ring->fold_head - ring->tail;
	if (slots)
		trace_oefd_fold(ctx->id, slots, sum, ctx->count + sum);
}

/*
 * Fold every ring into count, as of one instant. The rings are collected
 * again until a second look at the heads finds them where the collection
 * left them (the snapshot's argument, oefd_snapshot()), and only then are
 * slots freed: a fold that freed ring after ring could take a push on one
 * ring without an earlier push on another, a total eventfd never held.
 * With no slot freed, each ring takes at most OEFD_RING_SLOTS more pushes:
 * the loop ends. While the fast path is open, count must stay within
 * oefd_fast_limit: a fold that would carry it past stops the fast path
 * first, and collects once more when no push is in flight.
 */
void oefd_drain_rings(struct ohos_eventfd_ctx *ctx, struct oefd_rings *rings)
{
	struct oefd_ring *ring;
	unsigned int i, heads;
	u64 sum;

	lockdep_assert_held(&ctx->wqh.lock);
	do {
		sum = oefd_rings_collect(ctx, rings, &heads);
	} while (oefd_heads(rings) != heads);
	if (ctx->fast_ok && sum > oefd_fast_limit - ctx->count) {
		WRITE_ONCE(ctx->fast_ok, false);
		/* Pairs with smp_mb() in oefd_ring_push(). */
		smp_mb();
		oefd_quiesce(ctx);
		sum = oefd_rings_collect(ctx, rings, &heads);
	}
	if (trace_oefd_fold_enabled())
		oefd_fold_event(ctx, rings, sum);
	write_seqcount_begin(&ctx->seq);
	for (i = 0; (ring = oefd_next_ring(rings, &i));)
		oefd_ring_release(ctx, ring, ring->fold_head);
	WRITE_ONCE(ctx->count, ctx->count + sum);
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
	/* Pairs with the release in oefd_rings_insert(). */
	struct oefd_rings *rings = smp_load_acquire(&ctx->rings);
	struct oefd_ring *ring;
	unsigned int i;

	if (!rings)
		return;
	for (i = 0; (ring = oefd_next_ring(rings, &i));) {
		/* Pairs with the release of pushing in oefd_ring_push(). */
		unsigned int pushing = smp_load_acquire(&ring->pushing);

		if (!(pushing & 1))
			continue;
		/* The same pair: the end of the push we saw, and its slot. */
		while (smp_load_acquire(&ring->pushing) == pushing)
			cpu_relax();
	}
}

/* What every ring holds; adds the heads read to *@heads. */
static u64 oefd_pending(struct oefd_rings *rings, unsigned int *heads)
{
	struct oefd_ring *ring;
	unsigned int i;
	u64 sum = 0;

	for (i = 0; (ring = oefd_next_ring(rings, &i));)
		sum += oefd_ring_pending(ring, heads);
	return sum;
}

/* Lockless passes of oefd_snapshot() before it takes the lock. */
#define OEFD_SNAPSHOT_TRIES	3

/*
 * One pass of oefd_snapshot(): count plus every ring, or false when a
 * fold, a store of count or a new ring (the seqcount) or a push (the
 * heads, loaded a second time after the acquires of the first) came in
 * between.
 */
static bool oefd_snapshot_pass(struct ohos_eventfd_ctx *ctx, u64 *total)
{
	unsigned int seq, heads = 0;
	struct oefd_rings *rings;
	bool unmoved = true;

	seq = read_seqcount_begin(&ctx->seq);
	/* Pairs with the release in oefd_rings_insert(). */
	rings = smp_load_acquire(&ctx->rings);
	*total = READ_ONCE(ctx->count);
	if (rings) {
		*total += oefd_pending(rings, &heads);
		unmoved = oefd_heads(rings) == heads;
	}
	return !read_seqcount_retry(&ctx->seq, seq) && unmoved;
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
	unsigned long flags;
	unsigned int tries;
	u64 total;

	oefd_quiesce(ctx);
	for (tries = 0; tries < OEFD_SNAPSHOT_TRIES; tries++)
		if (oefd_snapshot_pass(ctx, &total))
			return total;
	spin_lock_irqsave(&ctx->wqh.lock, flags);
	while (!oefd_snapshot_pass(ctx, &total))
		cpu_relax();
	spin_unlock_irqrestore(&ctx->wqh.lock, flags);
	return total;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_snapshot);

/* Free @rings, every table it replaced, and every ring. */
void oefd_rings_free(struct oefd_rings *rings)
{
	struct oefd_rings *older;
	struct oefd_ring *ring;
	unsigned int i;

	for (i = 0; (ring = oefd_next_ring(rings, &i));)
		kmem_cache_free(oefd_ring_cache, ring);
	for (; rings; rings = older) {
		older = rings->older;
		kfree(rings);
	}
}

/* @cpu's ring on @ctx, or NULL. */
struct oefd_ring *oefd_ring_of(struct ohos_eventfd_ctx *ctx, unsigned int cpu)
{
	/* Pairs with the release in oefd_rings_insert(). */
	struct oefd_rings *rings = smp_load_acquire(&ctx->rings);

	return rings ? oefd_ring_find(rings, cpu) : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ring_of);

/* Has @rings no room for another ring? At most 3/4 full: short probes. */
static bool oefd_rings_full(struct oefd_rings *rings)
{
	return READ_ONCE(rings->used) >= rings->size - rings->size / 4;
}

static struct oefd_rings *oefd_rings_alloc(unsigned int size, gfp_t gfp)
{
	struct oefd_rings *rings = kzalloc(struct_size(rings, ring, size), gfp);

	if (rings)
		rings->size = size;
	return rings;
}

/*
 * Put @ring in @rings, which has room: in the first empty entry from its
 * CPU on. Under wqh.lock, or before @rings is published.
 */
static void oefd_rings_add(struct oefd_rings *rings, struct oefd_ring *ring)
{
	unsigned int mask = rings->size - 1, i = ring->cpu & mask;

	while (rings->ring[i])
		i = (i + 1) & mask;
	/* Pairs with the address dependency in oefd_ring_find(). */
	smp_store_release(&rings->ring[i], ring);
	WRITE_ONCE(rings->used, rings->used + 1);
}

/*
 * Put *@ring in @ctx's table, or in *@grown, which then replaces it; the
 * one used is set to NULL. A seqcount write section: a snapshot pass that
 * overlaps it retries. False when the table is full and *@grown is NULL
 * (the caller's lockless look saw room) or no bigger than it (another
 * installer replaced the table meanwhile).
 */
static bool oefd_rings_insert(struct ohos_eventfd_ctx *ctx,
			      struct oefd_ring **ring, struct oefd_rings **grown)
{
	struct oefd_rings *rings = ctx->rings, *table = rings;
	struct oefd_ring *old;
	unsigned int i;

	lockdep_assert_held(&ctx->wqh.lock);
	if (rings && oefd_ring_find(rings, (*ring)->cpu))
		return true;
	if (!rings || oefd_rings_full(rings)) {
		if (!*grown || (rings && (*grown)->size <= rings->size))
			return false;
		table = *grown;
		*grown = NULL;
		table->older = rings;
		for (i = 0; rings && i < rings->size; i++) {
			old = rings->ring[i];
			if (old)
				oefd_rings_add(table, old);
		}
	}
	write_seqcount_begin(&ctx->seq);
	oefd_rings_add(table, *ring);
	*ring = NULL;
	if (!rings)
		/* Without rings the locked paths let count pass the limit. */
		WRITE_ONCE(ctx->fast_ok, ctx->count <= oefd_fast_limit);
	if (table != rings)
		/* Pairs with the acquires of rings: its entries seen first. */
		smp_store_release(&ctx->rings, table);
	write_seqcount_end(&ctx->seq);
	return true;
}

/*
 * Give @cpu a ring on @ctx (its locked writer found the lock held). On
 * failure the CPU keeps the locked path: never an error to a writer.
 * Returns 0 (also when @cpu already has one), -ENOMEM, or -EAGAIN when
 * another install filled the table this one was sized for.
 */
int oefd_ring_install(struct ohos_eventfd_ctx *ctx, unsigned int cpu, gfp_t gfp)
{
	struct oefd_rings *rings, *grown = NULL;
	struct oefd_ring *ring;
	bool done;

	KUNIT_STATIC_STUB_REDIRECT(oefd_ring_install, ctx, cpu, gfp);
	ring = kmem_cache_alloc_node(oefd_ring_cache, gfp | __GFP_ZERO,
				     cpu_to_node(cpu));
	if (!ring)
		goto nomem;
	ring->cpu = cpu;
	/* Only to size a new table: oefd_rings_insert() checks again. */
	rings = smp_load_acquire(&ctx->rings);
	if (!rings || oefd_rings_full(rings)) {
		grown = oefd_rings_alloc(rings ? 2 * rings->size : OEFD_RINGS_FIRST_SIZE, gfp);
		if (!grown) {
			kmem_cache_free(oefd_ring_cache, ring);
			goto nomem;
		}
	}
	spin_lock_irq(&ctx->wqh.lock);
	done = oefd_rings_insert(ctx, &ring, &grown);
	trace_oefd_rings(ctx->id, cpu, !done ? OEFD_RING_RACED :
			 ring ? OEFD_RING_EXISTED : OEFD_RING_INSTALLED,
			 ctx->rings ? ctx->rings->used : 0);
	spin_unlock_irq(&ctx->wqh.lock);
	if (ring)
		kmem_cache_free(oefd_ring_cache, ring);
	kfree(grown);
	/* Not done: another installer filled the table ours was sized for. */
	return done ? 0 : -EAGAIN;
nomem:
	trace_oefd_rings(ctx->id, cpu, OEFD_RING_NOMEM, oefd_ring_count(ctx));
	return -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ring_install);

/* CPUs with a ring on @ctx (fdinfo). */
unsigned int oefd_ring_count(struct ohos_eventfd_ctx *ctx)
{
	/* Pairs with the release in oefd_rings_insert(). */
	struct oefd_rings *rings = smp_load_acquire(&ctx->rings);

	return rings ? READ_ONCE(rings->used) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ring_count);

/*
 * The fast-path writes and, of those, the coalesced ones, so far: with or
 * without wqh.lock (fdinfo); each ring's counters are its CPU's, loaded
 * once.
 */
void oefd_fast_stats(struct ohos_eventfd_ctx *ctx, u64 *writes, u64 *coalesced)
{
	/* Pairs with the release in oefd_rings_insert(). */
	struct oefd_rings *rings = smp_load_acquire(&ctx->rings);
	struct oefd_ring *ring;
	unsigned int i;

	*writes = 0;
	*coalesced = 0;
	for (i = 0; rings && (ring = oefd_next_ring(rings, &i));) {
		*writes += READ_ONCE(ring->fast_writes);
		*coalesced += READ_ONCE(ring->coalesced);
	}
}

/* Fast-path writes so far; exact once pushes are stopped (oefd_fast_stop()). */
u64 oefd_fast_writes(struct ohos_eventfd_ctx *ctx)
{
	u64 writes, coalesced;

	lockdep_assert_held(&ctx->wqh.lock);
	oefd_fast_stats(ctx, &writes, &coalesced);
	return writes;
}
