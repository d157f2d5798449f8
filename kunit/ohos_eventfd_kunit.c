// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for the ohos_eventfd core (module/ring.c, counter.c): the
 * per-CPU rings, folding them into the central count, the seqcount
 * snapshot, the 0xfffffffffffffffe ceiling, semaphore mode, blocking and
 * wakeups, the in-kernel API in atomic context, the drain that stands in
 * for a CPU hotplug callback, and the lazy allocation of the rings.
 * `make kunit` runs them under UML with lockdep and KASAN.
 *
 * White-box: the cases call what the module exports for KUnit
 * (EXPORT_SYMBOL_IF_KUNIT) and read struct ohos_eventfd_ctx directly.
 * UML has a single CPU: a case that needs "another CPU" says what stands
 * in for it. The SMP suite (real parallel CPUs) and the staged suite
 * (interleavings forced with data watchpoints) run on x86_64 only. Every
 * wait is bounded, so a lost wakeup fails instead of hanging the run.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/hw_breakpoint.h>
#include <linux/kcsan-checks.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>

#include "ohos_eventfd_kunit_assert.h"

/* The bound on every wait: long enough for UML under KASAN and load. */
#define OEFD_KUNIT_TIMEOUT	(10 * HZ)

KUNIT_DEFINE_ACTION_WRAPPER(oefd_kunit_put, ohos_eventfd_ctx_put,
			    struct ohos_eventfd_ctx *);

/* A counter freed when the case ends, however it ends. */
static struct ohos_eventfd_ctx *oefd_kunit_ctx(struct kunit *test,
					       unsigned int initval, u32 flags)
{
	struct ohos_eventfd_ctx *ctx = oefd_ctx_create(initval, flags);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, oefd_kunit_put, ctx));
	return ctx;
}

/*
 * A counter with a ring on every online CPU, as after contended writes
 * from each (four or more CPUs: the table has been replaced once).
 */
static struct ohos_eventfd_ctx *oefd_kunit_ctx_rings(struct kunit *test,
						     unsigned int initval, u32 flags)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, initval, flags);
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		KUNIT_ASSERT_EQ(test, 0, oefd_ring_install(ctx, cpu, GFP_KERNEL));
		KUNIT_ASSERT_NOT_NULL(test, oefd_ring_of(ctx, cpu));
	}
	KUNIT_ASSERT_EQ(test, oefd_ring_count(ctx), num_online_cpus());
	return ctx;
}

/* One fast-path push on the calling CPU. */
static bool oefd_kunit_push(struct ohos_eventfd_ctx *ctx, u32 value)
{
	/* Pairs with the release in oefd_rings_insert(). */
	return oefd_ring_push(ctx, smp_load_acquire(&ctx->rings), value);
}

/* The fold every locked operation starts with. */
static void oefd_kunit_drain(struct ohos_eventfd_ctx *ctx)
{
	spin_lock_irq(&ctx->wqh.lock);
	oefd_drain(ctx);
	spin_unlock_irq(&ctx->wqh.lock);
}

/*
 * Put the central count where a case needs it, with fast_ok as the
 * module keeps it (count <= oefd_fast_limit): the state a long series of
 * writes would have left.
 */
static void oefd_kunit_set_central(struct ohos_eventfd_ctx *ctx, u64 count)
{
	spin_lock_irq(&ctx->wqh.lock);
	write_seqcount_begin(&ctx->seq);
	WRITE_ONCE(ctx->count, count);
	write_seqcount_end(&ctx->seq);
	WRITE_ONCE(ctx->fast_ok, count <= oefd_fast_limit);
	spin_unlock_irq(&ctx->wqh.lock);
}

static u64 oefd_kunit_fast_writes(struct ohos_eventfd_ctx *ctx)
{
	struct oefd_stats st = {};

	oefd_ctx_stats(ctx, &st);
	return st.abi.fast_writes;
}

static u64 oefd_kunit_slow_writes(struct ohos_eventfd_ctx *ctx)
{
	struct oefd_stats st = {};

	oefd_ctx_stats(ctx, &st);
	return st.abi.slow_writes;
}

/* Wait until @n tasks sleep on the counter's wait queue. */
static bool oefd_kunit_wait_for_sleepers(struct ohos_eventfd_ctx *ctx, size_t n)
{
	unsigned long deadline = jiffies + OEFD_KUNIT_TIMEOUT;
	size_t sleepers;

	do {
		spin_lock_irq(&ctx->wqh.lock);
		sleepers = list_count_nodes(&ctx->wqh.head);
		spin_unlock_irq(&ctx->wqh.lock);
		if (sleepers == n)
			return true;
		usleep_range(500, 1000);
	} while (time_before(jiffies, deadline));
	return false;
}

/* A kthread doing one blocking read or write on a counter. */
struct oefd_kunit_worker {
	struct ohos_eventfd_ctx *ctx;
	int (*op)(struct oefd_kunit_worker *w);
	u64 value;		/* in: the value to write; out: the value read */
	int ret;
	struct completion done;
	struct task_struct *task;
};

static int oefd_kunit_blocking_read(struct oefd_kunit_worker *w)
{
	return oefd_take(w->ctx, false, &w->value);
}

static int oefd_kunit_blocking_write(struct oefd_kunit_worker *w)
{
	return oefd_write_value(w->ctx, w->value, false);
}

static int oefd_kunit_worker_fn(void *data)
{
	struct oefd_kunit_worker *w = data;

	w->ret = w->op(w);
	/* All: the case and the reaper may both wait for it. */
	complete_all(&w->done);
	return 0;
}

/*
 * After the case: a worker still asleep is one whose wakeup was lost, or
 * a case that failed early. Give it what it waits for, then reap it.
 */
static void oefd_kunit_worker_reap(void *data)
{
	struct oefd_kunit_worker *w = data;
	u64 cnt;

	if (!completion_done(&w->done)) {
		if (w->op == oefd_kunit_blocking_read)
			oefd_write_value(w->ctx, 1, true);
		else
			oefd_take(w->ctx, true, &cnt);
	}
	/* kthread_stop() would hang on a stuck worker: leave it, loudly. */
	if (WARN(!wait_for_completion_timeout(&w->done, OEFD_KUNIT_TIMEOUT),
		 "ohos_eventfd_kunit: worker %d stuck, not reaped\n", w->task->pid))
		return;
	kthread_stop_put(w->task);
}

static struct oefd_kunit_worker *
oefd_kunit_start(struct kunit *test, struct ohos_eventfd_ctx *ctx,
		 int (*op)(struct oefd_kunit_worker *w), u64 value)
{
	struct oefd_kunit_worker *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	w->ctx = ctx;
	w->op = op;
	w->value = value;
	init_completion(&w->done);
	w->task = kthread_create(oefd_kunit_worker_fn, w, "oefd_kunit_worker");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w->task));
	get_task_struct(w->task);
	wake_up_process(w->task);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, oefd_kunit_worker_reap, w));
	return w;
}

static bool oefd_kunit_worker_done(struct oefd_kunit_worker *w)
{
	return wait_for_completion_timeout(&w->done, OEFD_KUNIT_TIMEOUT);
}

/* ---- ohos_eventfd_ring: the per-CPU rings ---- */

static void ring_push_and_drain(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	int cpu;

	migrate_disable();
	cpu = smp_processor_id();
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 1));
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 2));
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 3));
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 3);
	OEFD_EXPECT_CENTRAL(test, ctx, 0);
	OEFD_EXPECT_COUNT(test, ctx, 6);

	oefd_kunit_drain(ctx);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 0);
	OEFD_EXPECT_CENTRAL(test, ctx, 6);
	OEFD_EXPECT_COUNT(test, ctx, 6);
	migrate_enable();
}

/*
 * head and tail are free-running unsigned ints: start just below their
 * wrap, as after 2^32 - 5 pushes, and cycle the slots several times.
 */
static void ring_wraps_around(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	const unsigned int start = UINT_MAX - 4, per_round = 10, rounds = 3;
	struct oefd_ring *ring;
	unsigned int round, i;
	u64 total = 0;
	int cpu;

	migrate_disable();
	cpu = smp_processor_id();
	ring = oefd_ring_of(ctx, cpu);
	spin_lock_irq(&ctx->wqh.lock);
	ring->head = start;
	ring->tail = start;
	spin_unlock_irq(&ctx->wqh.lock);

	for (round = 0; round < rounds; round++) {
		for (i = 1; i <= per_round; i++) {
			KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, round * 100 + i));
			total += round * 100 + i;
		}
		OEFD_EXPECT_RING_FILL(test, ctx, cpu, per_round);
		OEFD_EXPECT_COUNT(test, ctx, total);
		oefd_kunit_drain(ctx);
		OEFD_EXPECT_RING_FILL(test, ctx, cpu, 0);
		OEFD_EXPECT_CENTRAL(test, ctx, total);
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(ring->tail), start + rounds * per_round);
	migrate_enable();
}

static void ring_full_falls_back_to_locked_path(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	unsigned int i;
	u64 total = 0;
	int cpu;

	/* Distinct values: an overwritten or twice-read slot changes the sum. */
	migrate_disable();
	cpu = smp_processor_id();
	for (i = 1; i <= OEFD_RING_SLOTS; i++) {
		KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, i));
		total += i;
	}
	KUNIT_EXPECT_FALSE(test, oefd_kunit_push(ctx, 1000));
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, OEFD_RING_SLOTS);
	OEFD_EXPECT_COUNT(test, ctx, total);

	/* The write finds the ring full, takes the lock and folds it. */
	OEFD_EXPECT_WRITE(test, ctx, 1000, 0);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 0);
	OEFD_EXPECT_CENTRAL(test, ctx, total + 1000);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, oefd_kunit_fast_writes(ctx), OEFD_RING_SLOTS);
	KUNIT_EXPECT_EQ(test, oefd_kunit_slow_writes(ctx), 1);
}

static struct kunit_case ohos_eventfd_ring_cases[] = {
	KUNIT_CASE(ring_push_and_drain),
	KUNIT_CASE(ring_wraps_around),
	KUNIT_CASE(ring_full_falls_back_to_locked_path),
	{}
};

static struct kunit_suite ohos_eventfd_ring_suite = {
	.name = "ohos_eventfd_ring",
	.test_cases = ohos_eventfd_ring_cases,
};

/* ---- ohos_eventfd_fold: rings into the central count ---- */

static void read_folds_rings_into_count(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	int cpu;

	migrate_disable();
	cpu = smp_processor_id();
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 5));
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 7));
	ohos_eventfd_signal(ctx);
	OEFD_EXPECT_CENTRAL(test, ctx, 0);
	OEFD_EXPECT_READ(test, ctx, 13, 0);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 0);
	OEFD_EXPECT_CENTRAL(test, ctx, 0);
	migrate_enable();
}

/* A value too large for a ring takes the lock, which folds first. */
static void locked_write_folds_rings(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	const u64 big = (u64)OEFD_FAST_MAX + 1;
	int cpu;

	migrate_disable();
	cpu = smp_processor_id();
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 5));
	OEFD_EXPECT_WRITE(test, ctx, big, 0);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 0);
	OEFD_EXPECT_CENTRAL(test, ctx, 5 + big);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, oefd_kunit_slow_writes(ctx), 1);
}

struct oefd_kunit_pusher {
	struct ohos_eventfd_ctx *ctx;
	int ret;
	struct completion done;
};

static int oefd_kunit_pusher_fn(void *data)
{
	struct oefd_kunit_pusher *p = data;

	p->ret = oefd_write_value(p->ctx, 1, true) ?:
		 oefd_write_value(p->ctx, 2, true) ?:
		 oefd_write_value(p->ctx, 3, true);
	complete_all(&p->done);
	return 0;
}

/*
 * CPU hotplug: the module registers no callback (docs/design.md, "CPU
 * hotplug"). A CPU that goes away leaves its ring as it was and the next
 * lock holder folds it through the used bitmap. UML cannot offline a CPU:
 * a kthread bound to a CPU pushes there and exits, and the test then
 * calls the drain directly, as the next read would.
 */
static void drain_folds_ring_left_by_departed_cpu(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	int cpu = cpumask_last(cpu_online_mask);
	struct oefd_kunit_pusher p = { .ctx = ctx };
	struct task_struct *task;

	init_completion(&p.done);
	task = kthread_create(oefd_kunit_pusher_fn, &p, "oefd_kunit_pusher");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, cpu);
	get_task_struct(task);
	wake_up_process(task);
	/* Three nonblocking writes on an idle counter cannot block. */
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&p.done, OEFD_KUNIT_TIMEOUT));
	kthread_stop_put(task);
	KUNIT_EXPECT_EQ(test, p.ret, 0);

	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 3);
	OEFD_EXPECT_CENTRAL(test, ctx, 0);
	OEFD_EXPECT_COUNT(test, ctx, 6);

	oefd_kunit_drain(ctx);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 0);
	OEFD_EXPECT_CENTRAL(test, ctx, 6);
}

/*
 * The snapshot against writers that fold while it reads. A kthread writes
 * 1s in bursts through the fast path (a full ring sends a write through
 * the lock, which folds). An hrtimer signals every OEFD_KUNIT_TICK_NS from hard IRQ,
 * alternately without a poll mask (a push into the ring) and with one
 * (the lock, which folds that push into the count), so that on UML's
 * single CPU too, folds of non-empty rings land in the middle of the
 * test's snapshots. Every snapshot must lie between the increments
 * completed before it and those completed after it (plus one in flight
 * from each writer), and never go down: a value seen in a ring and again
 * in the count, or in neither, breaks one of the two.
 */
#define OEFD_KUNIT_SNAPSHOTS	300000
#define OEFD_KUNIT_TICK_NS	(50 * NSEC_PER_USEC)

struct oefd_kunit_hammer {
	struct ohos_eventfd_ctx *ctx;
	struct hrtimer tick;
	atomic_t stopping;
	atomic64_t added;	/* increments whose write or signal returned */
	atomic64_t signals;	/* hrtimer expiries */
	unsigned int write_errors;
	struct completion writer_done;
	struct task_struct *writer;
};

static void oefd_kunit_hammer_added(struct oefd_kunit_hammer *h)
{
	/* Pairs with the acquire before the test's snapshot. */
	smp_mb__before_atomic();
	atomic64_inc(&h->added);
}

static int oefd_kunit_hammer_writer(void *data)
{
	struct oefd_kunit_hammer *h = data;
	unsigned int i;

	for (i = 0; !atomic_read(&h->stopping); i++) {
		if (oefd_write_value(h->ctx, 1, true))
			h->write_errors++;
		else
			oefd_kunit_hammer_added(h);
		/*
		 * Leave the CPU to the test's snapshots between bursts: on one
		 * CPU, the timer's folds must interrupt them, not this loop.
		 */
		if (!(i % 64))
			usleep_range(100, 200);
	}
	complete_all(&h->writer_done);
	return 0;
}

static enum hrtimer_restart oefd_kunit_hammer_tick(struct hrtimer *tick)
{
	struct oefd_kunit_hammer *h = container_of(tick, struct oefd_kunit_hammer, tick);

	bool fold = atomic64_inc_return(&h->signals) % 2 == 0;

	ohos_eventfd_signal_mask(h->ctx, fold ? EPOLLIN : 0);
	oefd_kunit_hammer_added(h);
	if (atomic_read(&h->stopping))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(tick, ns_to_ktime(OEFD_KUNIT_TICK_NS));
	return HRTIMER_RESTART;
}

static void oefd_kunit_hammer_stop(void *data)
{
	struct oefd_kunit_hammer *h = data;

	atomic_set(&h->stopping, 1);
	hrtimer_cancel(&h->tick);
	if (WARN(!wait_for_completion_timeout(&h->writer_done, OEFD_KUNIT_TIMEOUT),
		 "ohos_eventfd_kunit: hammer writer stuck, not reaped\n"))
		return;
	kthread_stop_put(h->writer);
}

static void snapshot_consistent_while_folding(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_kunit_hammer *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	unsigned long deadline = jiffies + OEFD_KUNIT_TIMEOUT;
	u64 before, seen, after, last = 0;
	u64 bad_before = 0, bad_seen = 0, bad_after = 0, bad_last = 0;
	unsigned long snapshots = 0, overlapped = 0, bad = 0;
	unsigned int seq;

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->ctx = ctx;
	init_completion(&h->writer_done);
	hrtimer_init(&h->tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	h->tick.function = oefd_kunit_hammer_tick;
	h->writer = kthread_create(oefd_kunit_hammer_writer, h, "oefd_kunit_hammer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(h->writer));
	get_task_struct(h->writer);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, oefd_kunit_hammer_stop, h));
	wake_up_process(h->writer);
	hrtimer_start(&h->tick, ns_to_ktime(OEFD_KUNIT_TICK_NS), HRTIMER_MODE_REL);

	/* A loaded host may not manage them all: the deadline only bounds. */
	while (snapshots < OEFD_KUNIT_SNAPSHOTS && time_before(jiffies, deadline)) {
		before = atomic64_read_acquire(&h->added);
		seq = raw_read_seqcount(&ctx->seq);
		seen = oefd_snapshot(ctx);
		/* The snapshot's loads before the count of completed increments. */
		smp_rmb();
		after = atomic64_read(&h->added);
		if (raw_read_seqcount(&ctx->seq) != seq)
			overlapped++;
		if (seen < last || seen < before || seen > after + 2) {
			if (!bad++) {
				bad_before = before;
				bad_seen = seen;
				bad_after = after;
				bad_last = last;
			}
		}
		last = seen;
		/* Without preemption, let the writer run. */
		if (!(++snapshots % 64))
			cond_resched();
	}
	kunit_release_action(test, oefd_kunit_hammer_stop, h);
	kunit_info(test, "%lu snapshots, %lu overlapping a fold, against %lld increments, %lld from hard IRQ\n",
		   snapshots, overlapped, atomic64_read(&h->added),
		   atomic64_read(&h->signals));

	/* The case means something only if both writers ran during it. */
	KUNIT_EXPECT_GT(test, atomic64_read(&h->signals), 0);
	KUNIT_EXPECT_GT(test, atomic64_read(&h->added) - atomic64_read(&h->signals), 0);
	KUNIT_EXPECT_EQ(test, h->write_errors, 0);
	if (bad) {
		KUNIT_FAIL(test, "%lu/%lu bad snapshots, first %llu after %llu, %llu..%llu done",
			   bad, snapshots, bad_seen, bad_last, bad_before, bad_after);
		oefd_kunit_dump(test, ctx);
	}
	OEFD_EXPECT_COUNT(test, ctx, atomic64_read(&h->added));
}

static struct kunit_case ohos_eventfd_fold_cases[] = {
	KUNIT_CASE(read_folds_rings_into_count),
	KUNIT_CASE(locked_write_folds_rings),
	KUNIT_CASE(drain_folds_ring_left_by_departed_cpu),
	KUNIT_CASE(snapshot_consistent_while_folding),
	{}
};

static struct kunit_suite ohos_eventfd_fold_suite = {
	.name = "ohos_eventfd_fold",
	.test_cases = ohos_eventfd_fold_cases,
};

/* ---- ohos_eventfd_ceiling: 0xfffffffffffffffe with pending increments ---- */

/*
 * At oefd_fast_limit the rings may still take pushes; full rings on every
 * CPU then carry the total exactly to the ceiling (UML: one CPU) or below
 * it. What is left must be refused exactly as eventfd refuses it.
 */
static void ceiling_reached_with_pending_increments(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	const u64 pending = (u64)OEFD_RING_SLOTS * OEFD_FAST_MAX;
	unsigned int i;
	int cpu;

	oefd_kunit_set_central(ctx, oefd_fast_limit);
	migrate_disable();
	cpu = smp_processor_id();
	for (i = 0; i < OEFD_RING_SLOTS; i++)
		KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, OEFD_FAST_MAX));
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, OEFD_RING_SLOTS);
	OEFD_EXPECT_COUNT(test, ctx, oefd_fast_limit + pending);

	/* Fill what the other CPUs' rings could have held. */
	OEFD_EXPECT_WRITE(test, ctx, OHOS_EFD_COUNT_MAX - oefd_fast_limit - pending, 0);
	OEFD_EXPECT_COUNT(test, ctx, OHOS_EFD_COUNT_MAX);
	OEFD_EXPECT_MASK(test, ctx, EPOLLIN);
	OEFD_EXPECT_WRITE(test, ctx, 1, -EAGAIN);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 0);
	KUNIT_EXPECT_FALSE(test, oefd_kunit_push(ctx, 1));
	OEFD_EXPECT_COUNT(test, ctx, OHOS_EFD_COUNT_MAX);

	/* Reading it all reopens the fast path. */
	OEFD_EXPECT_READ(test, ctx, OHOS_EFD_COUNT_MAX, 0);
	OEFD_EXPECT_MASK(test, ctx, EPOLLOUT);
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 1));
	migrate_enable();
}

/* eventfd accepts v when ULLONG_MAX - count > v: the last byte fits. */
static void ceiling_write_judged_exactly(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);

	oefd_kunit_set_central(ctx, OHOS_EFD_COUNT_MAX - 5);
	OEFD_EXPECT_WRITE(test, ctx, 6, -EAGAIN);
	OEFD_EXPECT_WRITE(test, ctx, 5, 0);
	OEFD_EXPECT_COUNT(test, ctx, OHOS_EFD_COUNT_MAX);
	OEFD_EXPECT_WRITE(test, ctx, 0, 0);
	OEFD_EXPECT_WRITE(test, ctx, 1, -EAGAIN);
	OEFD_EXPECT_COUNT(test, ctx, OHOS_EFD_COUNT_MAX);
}

/* The in-kernel signal saturates at ULLONG_MAX, where poll says EPOLLERR. */
static void signal_saturates_at_ullong_max(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);

	oefd_kunit_set_central(ctx, OHOS_EFD_COUNT_MAX);
	ohos_eventfd_signal(ctx);
	OEFD_EXPECT_COUNT(test, ctx, ULLONG_MAX);
	OEFD_EXPECT_MASK(test, ctx, EPOLLIN | EPOLLERR);
	ohos_eventfd_signal(ctx);
	OEFD_EXPECT_COUNT(test, ctx, ULLONG_MAX);
	OEFD_EXPECT_READ(test, ctx, ULLONG_MAX, 0);
	OEFD_EXPECT_MASK(test, ctx, EPOLLOUT);
}

static struct kunit_case ohos_eventfd_ceiling_cases[] = {
	KUNIT_CASE(ceiling_reached_with_pending_increments),
	KUNIT_CASE(ceiling_write_judged_exactly),
	KUNIT_CASE(signal_saturates_at_ullong_max),
	{}
};

static struct kunit_suite ohos_eventfd_ceiling_suite = {
	.name = "ohos_eventfd_ceiling",
	.test_cases = ohos_eventfd_ceiling_cases,
};

/* ---- ohos_eventfd_semaphore ---- */

static void semaphore_read_takes_one(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 3, OHOS_EFD_SEMAPHORE);

	OEFD_EXPECT_READ(test, ctx, 1, 2);
	OEFD_EXPECT_READ(test, ctx, 1, 1);
	OEFD_EXPECT_READ(test, ctx, 1, 0);
	OEFD_EXPECT_READ_FAILS(test, ctx, -EAGAIN);
}

static void semaphore_takes_one_of_pending_increments(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, OHOS_EFD_SEMAPHORE);

	migrate_disable();
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 2));
	migrate_enable();
	OEFD_EXPECT_READ(test, ctx, 1, 1);
	OEFD_EXPECT_READ(test, ctx, 1, 0);
	OEFD_EXPECT_READ_FAILS(test, ctx, -EAGAIN);
}

static void normal_read_takes_all(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 3, 0);

	OEFD_EXPECT_READ(test, ctx, 3, 0);
	OEFD_EXPECT_READ_FAILS(test, ctx, -EAGAIN);
}

static struct kunit_case ohos_eventfd_semaphore_cases[] = {
	KUNIT_CASE(semaphore_read_takes_one),
	KUNIT_CASE(semaphore_takes_one_of_pending_increments),
	KUNIT_CASE(normal_read_takes_all),
	{}
};

static struct kunit_suite ohos_eventfd_semaphore_suite = {
	.name = "ohos_eventfd_semaphore",
	.test_cases = ohos_eventfd_semaphore_cases,
};

/* ---- ohos_eventfd_wait: blocking and wakeups, with kthreads ---- */

static void blocked_reader_woken_by_write(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_kunit_worker *reader;

	reader = oefd_kunit_start(test, ctx, oefd_kunit_blocking_read, 0);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_wait_for_sleepers(ctx, 1));
	KUNIT_EXPECT_FALSE(test, completion_done(&reader->done));

	/* A sleeper keeps writes off the rings: they must wake it. */
	migrate_disable();
	KUNIT_EXPECT_FALSE(test, oefd_kunit_push(ctx, 1));
	migrate_enable();

	OEFD_EXPECT_WRITE(test, ctx, 5, 0);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_worker_done(reader));
	KUNIT_EXPECT_EQ(test, reader->ret, 0);
	KUNIT_EXPECT_EQ(test, reader->value, 5);
	OEFD_EXPECT_COUNT(test, ctx, 0);
}

static void blocked_writer_woken_by_read(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	struct oefd_kunit_worker *writer;
	u64 cnt = 0;

	OEFD_EXPECT_WRITE(test, ctx, OHOS_EFD_COUNT_MAX, 0);
	writer = oefd_kunit_start(test, ctx, oefd_kunit_blocking_write, 1);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_wait_for_sleepers(ctx, 1));
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->blocked_writers), 1);
	KUNIT_EXPECT_FALSE(test, completion_done(&writer->done));

	/* The writer may only add once the read has emptied the counter. */
	KUNIT_EXPECT_EQ(test, oefd_take(ctx, true, &cnt), 0);
	KUNIT_EXPECT_EQ(test, cnt, OHOS_EFD_COUNT_MAX);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_worker_done(writer));
	KUNIT_EXPECT_EQ(test, writer->ret, 0);
	OEFD_EXPECT_COUNT(test, ctx, 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->blocked_writers), 0);
}

/* eventfd wakes every sleeper; each semaphore reader takes its one. */
static void semaphore_write_wakes_each_blocked_reader(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, OHOS_EFD_SEMAPHORE);
	struct oefd_kunit_worker *first, *second;

	first = oefd_kunit_start(test, ctx, oefd_kunit_blocking_read, 0);
	second = oefd_kunit_start(test, ctx, oefd_kunit_blocking_read, 0);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_wait_for_sleepers(ctx, 2));

	OEFD_EXPECT_WRITE(test, ctx, 2, 0);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_worker_done(first));
	KUNIT_ASSERT_TRUE(test, oefd_kunit_worker_done(second));
	KUNIT_EXPECT_EQ(test, first->ret, 0);
	KUNIT_EXPECT_EQ(test, first->value, 1);
	KUNIT_EXPECT_EQ(test, second->ret, 0);
	KUNIT_EXPECT_EQ(test, second->value, 1);
	OEFD_EXPECT_COUNT(test, ctx, 0);
}

static struct kunit_case ohos_eventfd_wait_cases[] = {
	KUNIT_CASE(blocked_reader_woken_by_write),
	KUNIT_CASE(blocked_writer_woken_by_read),
	KUNIT_CASE(semaphore_write_wakes_each_blocked_reader),
	{}
};

static struct kunit_suite ohos_eventfd_wait_suite = {
	.name = "ohos_eventfd_wait",
	.test_cases = ohos_eventfd_wait_cases,
};

/* ---- ohos_eventfd_kapi: the in-kernel API ---- */

static DEFINE_SPINLOCK(oefd_kunit_outer_lock);

/* What a wait queue callback sees, as KVM's irqfd would use it. */
struct oefd_kunit_waiter {
	wait_queue_entry_t wait;
	struct ohos_eventfd_ctx *ctx;
	bool read_on_wake;
	unsigned int calls;
	__poll_t key;
	bool signal_allowed;
	u64 cnt;
	poll_table pt;		/* when added through ->poll */
};

/* Runs under the counter's wqh.lock, IRQs off, inside the module's wakeup. */
static int oefd_kunit_wake(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct oefd_kunit_waiter *w = container_of(wait, struct oefd_kunit_waiter, wait);
	u64 cnt;

	w->calls++;
	w->key = key_to_poll(key);
	w->signal_allowed = ohos_eventfd_signal_allowed();
	if (w->read_on_wake && (w->key & EPOLLIN)) {
		ohos_eventfd_ctx_do_read(w->ctx, &cnt);
		w->cnt += cnt;
	}
	return 0;
}

static void oefd_kunit_waiter_init(struct oefd_kunit_waiter *w,
				   struct ohos_eventfd_ctx *ctx, bool read_on_wake)
{
	*w = (struct oefd_kunit_waiter){ .ctx = ctx, .read_on_wake = read_on_wake };
	init_waitqueue_func_entry(&w->wait, oefd_kunit_wake);
}

/* Signal, poll and read under a foreign spinlock with IRQs off. */
static void signal_and_read_with_irqs_off(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_kunit_waiter w;
	unsigned long flags;
	__poll_t mask;
	bool allowed;
	u64 cnt = 0, left = 0;
	int removed;

	oefd_kunit_waiter_init(&w, ctx, false);
	spin_lock_irqsave(&oefd_kunit_outer_lock, flags);
	allowed = ohos_eventfd_signal_allowed();
	ohos_eventfd_signal(ctx);			/* a ring push */
	ohos_eventfd_signal_mask(ctx, EPOLLPRI);	/* a mask takes the lock */
	mask = oefd_mask(ctx);
	spin_lock(&ctx->wqh.lock);
	ohos_eventfd_ctx_do_read(ctx, &cnt);
	__add_wait_queue(&ctx->wqh, &w.wait);
	spin_unlock(&ctx->wqh.lock);
	ohos_eventfd_signal(ctx);			/* a waiter: the lock, a wakeup */
	removed = ohos_eventfd_ctx_remove_wait_queue(ctx, &w.wait, &left);
	spin_unlock_irqrestore(&oefd_kunit_outer_lock, flags);

	KUNIT_EXPECT_TRUE(test, allowed);
	KUNIT_EXPECT_EQ(test, (__force u32)mask, (__force u32)(EPOLLIN | EPOLLOUT));
	KUNIT_EXPECT_EQ(test, cnt, 2);
	KUNIT_EXPECT_EQ(test, w.calls, 1);
	KUNIT_EXPECT_EQ(test, (__force u32)w.key, (__force u32)EPOLLIN);
	KUNIT_EXPECT_EQ(test, removed, 0);
	KUNIT_EXPECT_EQ(test, left, 1);
	/* Nobody else touches the queue: no race for waitqueue_active(). */
	KUNIT_EXPECT_FALSE(test, waitqueue_active(&ctx->wqh));
	OEFD_EXPECT_COUNT(test, ctx, 0);
}

/*
 * KVM's and VFIO's pattern: the wakeup callback reads the counter with
 * the lock the waker holds, and must get the pending increments too. A
 * signal from inside the wakeup would recurse, so it is not allowed there.
 */
static void do_read_from_wakeup_callback(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_kunit_waiter w;

	migrate_disable();
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 4));
	migrate_enable();
	oefd_kunit_waiter_init(&w, ctx, true);
	add_wait_queue(&ctx->wqh, &w.wait);
	OEFD_EXPECT_WRITE(test, ctx, 3, 0);
	ohos_eventfd_signal(ctx);
	remove_wait_queue(&ctx->wqh, &w.wait);

	KUNIT_EXPECT_EQ(test, w.calls, 2);
	KUNIT_EXPECT_EQ(test, w.cnt, 4 + 3 + 1);
	KUNIT_EXPECT_FALSE(test, w.signal_allowed);
	KUNIT_EXPECT_TRUE(test, ohos_eventfd_signal_allowed());
	OEFD_EXPECT_COUNT(test, ctx, 0);
}

static void remove_wait_queue_on_empty_counter(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	struct oefd_kunit_waiter w;
	u64 cnt = 1;

	oefd_kunit_waiter_init(&w, ctx, false);
	add_wait_queue(&ctx->wqh, &w.wait);
	KUNIT_EXPECT_EQ(test, ohos_eventfd_ctx_remove_wait_queue(ctx, &w.wait, &cnt),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, cnt, 0);
	/* Nobody else touches the queue: no race for waitqueue_active(). */
	KUNIT_EXPECT_FALSE(test, waitqueue_active(&ctx->wqh));
	KUNIT_EXPECT_EQ(test, w.calls, 0);
}

static struct kunit_case ohos_eventfd_kapi_cases[] = {
	KUNIT_CASE(signal_and_read_with_irqs_off),
	KUNIT_CASE(do_read_from_wakeup_callback),
	KUNIT_CASE(remove_wait_queue_on_empty_counter),
	{}
};

static struct kunit_suite ohos_eventfd_kapi_suite = {
	.name = "ohos_eventfd_kapi",
	.test_cases = ohos_eventfd_kapi_cases,
};

/* ---- ohos_eventfd_coalesce: exact-mode wakeups until a collection ---- */

/* A file of the counter, enough for oefd_poll(). */
static struct file *oefd_kunit_file(struct kunit *test, struct ohos_eventfd_ctx *ctx)
{
	struct file *file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, file);
	file->private_data = ctx;
	return file;
}

/*
 * A waiter added straight to the queue, as epoll's entry is, and woken
 * once: the writes after that wakeup send none until ->poll collects it.
 */
static struct oefd_kunit_waiter *oefd_kunit_collector(struct kunit *test,
						      struct ohos_eventfd_ctx *ctx)
{
	struct oefd_kunit_waiter *w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, w);
	oefd_kunit_waiter_init(w, ctx, false);
	add_wait_queue(&ctx->wqh, &w->wait);
	OEFD_EXPECT_WRITE(test, ctx, 5, 0);
	KUNIT_EXPECT_EQ(test, w->calls, 1);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->wake_pending));
	return w;
}

static void oefd_kunit_collector_remove(struct oefd_kunit_waiter *w)
{
	remove_wait_queue(&w->ctx->wqh, &w->wait);
}

/* Pushes under a waiter while its wakeup is pending; ->poll ends it. */
static void writes_coalesce_until_poll(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct file *file = oefd_kunit_file(test, ctx);
	struct oefd_kunit_waiter *w = oefd_kunit_collector(test, ctx);
	bool pushed;

	migrate_disable();
	pushed = oefd_kunit_push(ctx, 3);
	migrate_enable();
	OEFD_EXPECT_WRITE(test, ctx, 1ULL << 33, 0);	/* too big for a ring */
	KUNIT_EXPECT_TRUE(test, pushed);
	KUNIT_EXPECT_EQ(test, w->calls, 1);

	KUNIT_EXPECT_EQ(test, (__force u32)oefd_poll(file, NULL),
			(__force u32)(EPOLLIN | EPOLLOUT));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->wake_pending));
	OEFD_EXPECT_CENTRAL(test, ctx, 5 + 3 + (1ULL << 33));
	migrate_disable();
	pushed = oefd_kunit_push(ctx, 1);
	migrate_enable();
	KUNIT_EXPECT_FALSE(test, pushed);
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	KUNIT_EXPECT_EQ(test, w->calls, 2);
	oefd_kunit_collector_remove(w);
}

/* Without rings the locked write skips the wakeup instead. */
static void locked_writes_coalesce_without_rings(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	struct file *file = oefd_kunit_file(test, ctx);
	struct oefd_kunit_waiter *w = oefd_kunit_collector(test, ctx);

	OEFD_EXPECT_WRITE(test, ctx, 2, 0);
	OEFD_EXPECT_WRITE(test, ctx, 3, 0);
	KUNIT_EXPECT_EQ(test, w->calls, 1);
	KUNIT_EXPECT_EQ(test, oefd_kunit_slow_writes(ctx), 3);
	oefd_poll(file, NULL);
	OEFD_EXPECT_WRITE(test, ctx, 4, 0);
	KUNIT_EXPECT_EQ(test, w->calls, 2);
	OEFD_EXPECT_COUNT(test, ctx, 5 + 2 + 3 + 4);
	oefd_kunit_collector_remove(w);
}

/* A reader that goes to sleep collects: the next write must wake it. */
static void sleeping_reader_ends_coalescing(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_kunit_waiter *w = oefd_kunit_collector(test, ctx);
	struct oefd_kunit_worker *reader;

	OEFD_EXPECT_READ(test, ctx, 5, 0);
	reader = oefd_kunit_start(test, ctx, oefd_kunit_blocking_read, 0);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_wait_for_sleepers(ctx, 2));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->wake_pending));
	OEFD_EXPECT_WRITE(test, ctx, 7, 0);
	KUNIT_ASSERT_TRUE(test, oefd_kunit_worker_done(reader));
	KUNIT_EXPECT_EQ(test, reader->value, 7);
	oefd_kunit_collector_remove(w);
}

static void oefd_kunit_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct oefd_kunit_waiter *w = container_of(pt, struct oefd_kunit_waiter, pt);

	add_wait_queue(wqh, &w->wait);
}

/* A waiter added through ->poll by a queue proc of its own: every write wakes. */
static void foreign_waiter_woken_by_each_write(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct file *file = oefd_kunit_file(test, ctx);
	struct oefd_kunit_waiter w;
	bool pushed;

	oefd_kunit_waiter_init(&w, ctx, false);
	init_poll_funcptr(&w.pt, oefd_kunit_queue_proc);
	oefd_poll(file, &w.pt);
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	migrate_disable();
	pushed = oefd_kunit_push(ctx, 1);
	migrate_enable();
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	remove_wait_queue(&ctx->wqh, &w.wait);

	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->foreign_waiter));
	KUNIT_EXPECT_FALSE(test, pushed);
	KUNIT_EXPECT_EQ(test, w.calls, 3);
}

/*
 * poll()'s own table (__pollwait, pollwake): the waiter is recognised as
 * one that collects through ->poll, so writes coalesce under it. The file
 * holds references enough for the table's get_file() and fput().
 */
static struct poll_wqueues *oefd_kunit_poll_table(struct kunit *test, struct file *file)
{
	struct poll_wqueues *pwq = kunit_kzalloc(test, sizeof(*pwq), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pwq);
	atomic_long_set(&file->f_count, 2);
	poll_initwait(pwq);
	pwq->pt._key = EPOLLIN | EPOLLERR | EPOLLHUP;	/* as do_pollfd() for POLLIN */
	return pwq;
}

static void poll_table_waiter_collects(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct file *file = oefd_kunit_file(test, ctx);
	struct poll_wqueues *pwq = oefd_kunit_poll_table(test, file);
	bool pushed;

	oefd_poll(file, &pwq->pt);
	OEFD_EXPECT_WRITE(test, ctx, 5, 0);
	KUNIT_EXPECT_TRUE(test, pwq->triggered);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->wake_pending));
	migrate_disable();
	pushed = oefd_kunit_push(ctx, 3);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, (__force u32)oefd_poll(file, NULL),
			(__force u32)(EPOLLIN | EPOLLOUT));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->wake_pending));
	poll_freewait(pwq);

	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->foreign_waiter));
	KUNIT_EXPECT_TRUE(test, pushed);
	OEFD_EXPECT_CENTRAL(test, ctx, 5 + 3);
}

/* The same table asking for EPOLLEXCLUSIVE is foreign: every write wakes. */
static void exclusive_waiter_is_foreign(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct file *file = oefd_kunit_file(test, ctx);
	struct poll_wqueues *pwq = oefd_kunit_poll_table(test, file);
	bool pushed;

	pwq->pt._key |= EPOLLEXCLUSIVE;
	oefd_poll(file, &pwq->pt);
	OEFD_EXPECT_WRITE(test, ctx, 5, 0);
	migrate_disable();
	pushed = oefd_kunit_push(ctx, 3);
	migrate_enable();
	poll_freewait(pwq);

	KUNIT_EXPECT_TRUE(test, READ_ONCE(ctx->foreign_waiter));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->wake_pending));
	KUNIT_EXPECT_FALSE(test, pushed);
}

/* A mode change ends coalescing; transition mode never starts it. */
static void set_mode_ends_coalescing(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	struct oefd_kunit_waiter *w = oefd_kunit_collector(test, ctx);

	KUNIT_EXPECT_EQ(test, oefd_set_mode(ctx, OHOS_EFD_MODE_TRANSITION), 0);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->wake_pending));
	OEFD_EXPECT_READ(test, ctx, 5, 0);
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(ctx->wake_pending));
	oefd_kunit_collector_remove(w);
}

static struct kunit_case ohos_eventfd_coalesce_cases[] = {
	KUNIT_CASE(writes_coalesce_until_poll),
	KUNIT_CASE(locked_writes_coalesce_without_rings),
	KUNIT_CASE(sleeping_reader_ends_coalescing),
	KUNIT_CASE(foreign_waiter_woken_by_each_write),
	KUNIT_CASE(set_mode_ends_coalescing),
	KUNIT_CASE(poll_table_waiter_collects),
	KUNIT_CASE(exclusive_waiter_is_foreign),
	{}
};

static struct kunit_suite ohos_eventfd_coalesce_suite = {
	.name = "ohos_eventfd_coalesce",
	.test_cases = ohos_eventfd_coalesce_cases,
};

/* ---- ohos_eventfd_percpu: rings for the CPUs whose writers contend ---- */

/*
 * Writers that never find the lock held get no rings, however many CPUs
 * they write from (UML has one; the x86_64 run moves the case's task over
 * every online CPU).
 */
static void rings_not_allocated_without_contention(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	const struct cpumask *allowed = current->cpus_ptr;
	cpumask_var_t saved;
	unsigned int cpu;
	u64 n = 0;

	KUNIT_ASSERT_TRUE(test, alloc_cpumask_var(&saved, GFP_KERNEL));
	cpumask_copy(saved, allowed);
	for_each_online_cpu(cpu) {
		KUNIT_ASSERT_EQ(test, 0, set_cpus_allowed_ptr(current, cpumask_of(cpu)));
		OEFD_EXPECT_WRITE(test, ctx, 1, 0);
		OEFD_EXPECT_WRITE(test, ctx, 1, 0);
		n += 2;
	}
	KUNIT_EXPECT_EQ(test, 0, set_cpus_allowed_ptr(current, saved));
	free_cpumask_var(saved);
	KUNIT_EXPECT_NULL(test, READ_ONCE(ctx->rings));
	KUNIT_EXPECT_EQ(test, oefd_kunit_slow_writes(ctx), n);
	OEFD_EXPECT_COUNT(test, ctx, n);
}

/*
 * A ring installed for this CPU takes the next write; the rings of one
 * counter are one table, found again after a second install for the same
 * CPU (which changes nothing).
 */
static void ring_installed_takes_writes(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	struct oefd_ring *ring;
	int cpu;

	migrate_disable();
	cpu = smp_processor_id();
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	KUNIT_EXPECT_EQ(test, oefd_ring_install(ctx, cpu, GFP_KERNEL), 0);
	ring = oefd_ring_of(ctx, cpu);
	KUNIT_EXPECT_NOT_NULL(test, ring);
	KUNIT_EXPECT_EQ(test, oefd_ring_install(ctx, cpu, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, oefd_ring_of(ctx, cpu), ring);
	KUNIT_EXPECT_EQ(test, oefd_ring_count(ctx), 1);
	OEFD_EXPECT_CENTRAL(test, ctx, 1);

	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 1);
	OEFD_EXPECT_COUNT(test, ctx, 2);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, oefd_kunit_fast_writes(ctx), 1);
}

/*
 * Fail the calling task's next slab allocation, as a write to
 * /proc/self/fail-nth does; false without CONFIG_FAILSLAB.
 */
static bool oefd_kunit_fail_next_slab_alloc(void)
{
#ifdef CONFIG_FAILSLAB
	current->fail_nth = 1;
	return true;
#else
	return false;
#endif
}

static unsigned int oefd_kunit_fail_nth_left(void)
{
#ifdef CONFIG_FAILSLAB
	unsigned int left = current->fail_nth;

	current->fail_nth = 0;
	return left;
#else
	return 0;
#endif
}

/*
 * The allocation itself failing: -ENOMEM, no ring, nothing leaked (KASAN
 * and kmemleak would see it), and the counter keeps the locked path.
 * failslab ignores allocations that may reclaim, hence GFP_NOWAIT here.
 */
static void rings_allocation_failure_keeps_locked_path(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	unsigned int cpu = raw_smp_processor_id();
	int ret;

	if (!oefd_kunit_fail_next_slab_alloc())
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	ret = oefd_ring_install(ctx, cpu, GFP_NOWAIT | __GFP_NOWARN);
	KUNIT_EXPECT_EQ_MSG(test, oefd_kunit_fail_nth_left(), 0,
			    "the injected failure did not hit an allocation");
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_NULL(test, READ_ONCE(ctx->rings));

	OEFD_EXPECT_WRITE(test, ctx, 2, 0);
	OEFD_EXPECT_COUNT(test, ctx, 2);
	KUNIT_EXPECT_EQ(test, oefd_kunit_slow_writes(ctx), 1);

	KUNIT_EXPECT_EQ(test, oefd_ring_install(ctx, cpu, GFP_KERNEL), 0);
	KUNIT_EXPECT_NOT_NULL(test, oefd_ring_of(ctx, cpu));
}

/*
 * The table's allocation failing after the ring's: the ring is freed,
 * nothing installed. failslab's second allocation of the call.
 */
static void rings_table_failure_frees_ring(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	int ret;

#ifdef CONFIG_FAILSLAB
	current->fail_nth = 2;
#else
	kunit_skip(test, "needs CONFIG_FAILSLAB");
#endif
	ret = oefd_ring_install(ctx, raw_smp_processor_id(), GFP_NOWAIT | __GFP_NOWARN);
	KUNIT_EXPECT_EQ_MSG(test, oefd_kunit_fail_nth_left(), 0,
			    "the injected failure did not hit an allocation");
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_NULL(test, READ_ONCE(ctx->rings));
}

/*
 * A write that only a ring saw is a write all the same: CONFIGURE must
 * refuse. (From user space a counter gets rings only through a contended
 * locked write, which CONFIGURE already counts; the rule is the module's.)
 */
static void configure_after_fast_write_ebusy(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct ohos_efd_config cfg = { .initval = 1 };

	KUNIT_EXPECT_EQ(test, oefd_configure(ctx, &cfg), 0);
	migrate_disable();
	KUNIT_EXPECT_TRUE(test, oefd_kunit_push(ctx, 1));
	migrate_enable();
	cfg.initval = 7;
	KUNIT_EXPECT_EQ(test, oefd_configure(ctx, &cfg), -EBUSY);
	OEFD_EXPECT_COUNT(test, ctx, 2);
}

/*
 * Transition mode: a CONFIGURE that sets the count to 0 under a waiter
 * must arm the counter as a read that empties it does, or the next write
 * goes to a ring and wakes nobody.
 */
static void configure_to_zero_arms_transition_mode(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 1, 0);
	struct ohos_efd_config cfg = { .initval = 0 };
	struct oefd_kunit_waiter w;

	KUNIT_ASSERT_EQ(test, oefd_set_mode(ctx, OHOS_EFD_MODE_TRANSITION), 0);
	oefd_kunit_waiter_init(&w, ctx, false);
	add_wait_queue(&ctx->wqh, &w.wait);
	KUNIT_EXPECT_EQ(test, oefd_configure(ctx, &cfg), 0);
	migrate_disable();
	KUNIT_EXPECT_FALSE_MSG(test, oefd_kunit_push(ctx, 1),
			       "a push after CONFIGURE set 0 under a waiter: nobody woken");
	migrate_enable();
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	remove_wait_queue(&ctx->wqh, &w.wait);
	KUNIT_EXPECT_EQ(test, w.calls, 1);
	OEFD_EXPECT_COUNT(test, ctx, 1);
}

/* Holds a counter's lock on another CPU while the case writes. */
struct oefd_kunit_holder {
	struct ohos_eventfd_ctx *ctx;
	struct completion held;
	struct completion done;
};

/* Long enough for the case's write to reach the lock on a loaded host. */
#define OEFD_KUNIT_HOLD_MS	50

static int oefd_kunit_hold_lock(void *data)
{
	struct oefd_kunit_holder *h = data;

	spin_lock_irq(&h->ctx->wqh.lock);
	complete(&h->held);
	mdelay(OEFD_KUNIT_HOLD_MS);
	spin_unlock_irq(&h->ctx->wqh.lock);
	complete(&h->done);
	return 0;
}

/*
 * One write from this CPU while another CPU holds the lock: the writer
 * finds it held. Returns the write's result; the holder has let go.
 */
static int oefd_kunit_contended_write(struct kunit *test,
				      struct ohos_eventfd_ctx *ctx, int cpu)
{
	struct oefd_kunit_holder h = { .ctx = ctx };
	struct task_struct *task;
	int other, ret;

	other = cpumask_any_but(cpu_online_mask, cpu);
	init_completion(&h.held);
	init_completion(&h.done);
	task = kthread_create(oefd_kunit_hold_lock, &h, "oefd_kunit_holder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, other);
	wake_up_process(task);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&h.held, OEFD_KUNIT_TIMEOUT));
	ret = oefd_write_value(ctx, 1, true);
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&h.done, OEFD_KUNIT_TIMEOUT));
	return ret;
}

/*
 * A write that finds the lock held gives its CPU a ring, and only its CPU;
 * the next write from there takes it. Needs two CPUs (the x86_64 run).
 */
static void contended_write_gets_ring(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	int cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	migrate_disable();
	cpu = smp_processor_id();
	KUNIT_EXPECT_EQ(test, oefd_kunit_contended_write(test, ctx, cpu), 0);
	KUNIT_EXPECT_NOT_NULL(test, oefd_ring_of(ctx, cpu));
	KUNIT_EXPECT_EQ(test, oefd_ring_count(ctx), 1);
	OEFD_EXPECT_WRITE(test, ctx, 1, 0);
	OEFD_EXPECT_RING_FILL(test, ctx, cpu, 1);
	migrate_enable();
	OEFD_EXPECT_COUNT(test, ctx, 2);
	KUNIT_EXPECT_EQ(test, oefd_kunit_fast_writes(ctx), 1);
}

static int oefd_kunit_install_fails(struct ohos_eventfd_ctx *ctx,
				    unsigned int cpu, gfp_t gfp)
{
	return -ENOMEM;
}

/*
 * The contended write that cannot get its ring still succeeds, on the
 * locked path, and the next contended write tries again. Needs the static
 * stub hook at the top of oefd_ring_install(): the write path allocates
 * with GFP_KERNEL_ACCOUNT, which failslab does not fail.
 */
static void contended_write_retries_failed_ring(struct kunit *test)
{
	struct ohos_eventfd_ctx *probe = oefd_kunit_ctx(test, 0, 0);
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	int cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	kunit_activate_static_stub(test, oefd_ring_install, oefd_kunit_install_fails);
	if (oefd_ring_install(probe, 0, GFP_KERNEL) == 0)
		kunit_skip(test, "oefd_ring_install() has no KUNIT_STATIC_STUB_REDIRECT()");

	migrate_disable();
	cpu = smp_processor_id();
	KUNIT_EXPECT_EQ(test, oefd_kunit_contended_write(test, ctx, cpu), 0);
	KUNIT_EXPECT_NULL(test, READ_ONCE(ctx->rings));
	OEFD_EXPECT_COUNT(test, ctx, 1);

	kunit_deactivate_static_stub(test, oefd_ring_install);
	KUNIT_EXPECT_EQ(test, oefd_kunit_contended_write(test, ctx, cpu), 0);
	KUNIT_EXPECT_NOT_NULL(test, oefd_ring_of(ctx, cpu));
	migrate_enable();
	OEFD_EXPECT_COUNT(test, ctx, 2);
	KUNIT_EXPECT_EQ(test, oefd_kunit_slow_writes(ctx), 2);
}

static struct kunit_case ohos_eventfd_percpu_cases[] = {
	KUNIT_CASE(rings_not_allocated_without_contention),
	KUNIT_CASE(ring_installed_takes_writes),
	KUNIT_CASE(rings_allocation_failure_keeps_locked_path),
	KUNIT_CASE(rings_table_failure_frees_ring),
	KUNIT_CASE(configure_after_fast_write_ebusy),
	KUNIT_CASE(configure_to_zero_arms_transition_mode),
	KUNIT_CASE(contended_write_gets_ring),
	KUNIT_CASE(contended_write_retries_failed_ring),
	{}
};

static struct kunit_suite ohos_eventfd_percpu_suite = {
	.name = "ohos_eventfd_percpu",
	.test_cases = ohos_eventfd_percpu_cases,
};

/* ---- ohos_eventfd_smp: the fast path on parallel CPUs ---- */

/*
 * Each case starts kthreads bound to different CPUs ("roles"), each one
 * pushing, taking, snapshotting, polling or changing the mode, for a
 * bounded time, then checks exact totals: what the roles wrote equals
 * what they took plus what the counter holds. Needs as many online CPUs
 * as the case has roles: UML (one CPU) skips the suite; scripts/kunit.sh
 * --arch x86_64 runs it on 4 vCPUs under KCSAN.
 */
#define OEFD_SMP_MAX_ROLES	4
#define OEFD_SMP_RUN		(HZ / 2)
/*
 * The snapshot regression's run. Its window is a few instructions wide:
 * lengthen it to hunt (ohos_eventfd_kunit.snapshot_ms=N on the kernel
 * command line, kunit.py run --kernel_args).
 */
static unsigned int snapshot_ms = 4000;
module_param(snapshot_ms, uint, 0444);
MODULE_PARM_DESC(snapshot_ms, "run of smp_snapshot_never_exceeds_ceiling, in ms (default 4000)");
#define OEFD_SMP_SNAPSHOT_RUN	msecs_to_jiffies(snapshot_ms)
/* How long the writer leaves the reopened fast path to the pushers. */
#define OEFD_SMP_HOLD_US	300
/* Above oefd_fast_limit: a locked write that closes the fast path. */
#define OEFD_SMP_BIG		(OHOS_EFD_COUNT_MAX - (1ULL << 20))

struct oefd_smp;

struct oefd_smp_role {
	struct oefd_smp *s;
	int (*fn)(struct oefd_smp_role *r);
	const char *name;
	u64 value;		/* what a writer writes */
	bool until_stop;	/* runs until oefd_smp_stop(), not the deadline */
	bool blocks;		/* may sleep in a blocking read */
	int cpu;
	atomic64_t added;	/* the sum of its successful writes */
	atomic64_t taken;	/* the sum of what its reads returned */
	atomic64_t ops;		/* successful operations */
	atomic64_t eagain;	/* nonblocking writes refused, as expected near the ceiling */
	atomic64_t errors;	/* any other failure */
	u64 bad;		/* role-specific impossible results; read after done */
	u64 first_bad;
	u64 collected;		/* a collector's last total; read after done */
	struct hrtimer stall;	/* interrupts a snapshotter, see below */
	struct completion done;
	struct task_struct *task;
};

struct oefd_smp {
	struct kunit *test;
	struct ohos_eventfd_ctx *ctx;
	unsigned long deadline;
	atomic_t stop;
	unsigned int nr;
	bool started;
	atomic_t cycle;		/* the snapshot regression's rounds */
	u64 added_by_case;	/* writes of the case itself (unsticking a reader) */
	struct oefd_smp_role role[OEFD_SMP_MAX_ROLES];
	/* The collector's: an epoll-like entry, woken, then ->poll. */
	struct file *file;
	wait_queue_entry_t collector_wait;
	struct oefd_smp_role *collector;
	atomic_t woken;		/* wakeups the entry received */
	atomic_t collected_gen;	/* woken as of the last finished collection */
};

static bool oefd_smp_running(struct oefd_smp_role *r)
{
	if (atomic_read(&r->s->stop))
		return false;
	return r->until_stop || time_before(jiffies, r->s->deadline);
}

/* A nonblocking write of r->value, as fast as the counter lets it. */
static int oefd_smp_pusher(struct oefd_smp_role *r)
{
	unsigned long i;

	for (i = 0; oefd_smp_running(r); i++) {
		int ret = oefd_write_value(r->s->ctx, r->value, true);

		if (!ret) {
			atomic64_add(r->value, &r->added);
			atomic64_inc(&r->ops);
		} else if (ret == -EAGAIN) {
			atomic64_inc(&r->eagain);
		} else {
			atomic64_inc(&r->errors);
		}
		if (!(i % 256))
			cond_resched();
	}
	return 0;
}

/* Nonblocking reads; in semaphore mode each must return exactly 1. */
static int oefd_smp_taker(struct oefd_smp_role *r)
{
	bool semaphore = r->s->ctx->flags & OHOS_EFD_SEMAPHORE;
	unsigned long i;
	u64 cnt;

	for (i = 0; oefd_smp_running(r); i++) {
		int ret = oefd_take(r->s->ctx, true, &cnt);

		if (!ret) {
			atomic64_add(cnt, &r->taken);
			atomic64_inc(&r->ops);
			if (!cnt || (semaphore && cnt != 1)) {
				if (!r->bad++)
					r->first_bad = cnt;
			}
		} else if (ret != -EAGAIN) {
			atomic64_inc(&r->errors);
		}
		if (!(i % 256))
			cond_resched();
	}
	return 0;
}

/* Blocking reads until the case stops it: every wait ends with a write. */
static int oefd_smp_blocking_reader(struct oefd_smp_role *r)
{
	u64 cnt;

	while (oefd_smp_running(r)) {
		if (oefd_take(r->s->ctx, false, &cnt)) {
			atomic64_inc(&r->errors);
			break;
		}
		atomic64_add(cnt, &r->taken);
		atomic64_inc(&r->ops);
	}
	return 0;
}

/*
 * The totals the snapshot regression's counter can hold: OEFD_SMP_BIG
 * alone (it is written only to an empty counter, and closes the fast
 * path), or a few pushes of OEFD_FAST_MAX (one per pusher and round).
 * The old bug's count-before-a-read plus a push after it is neither; it
 * also passes 2^64 and wraps, so a check of the ceiling alone misses it.
 */
#define OEFD_SMP_MAX_PUSHES	64

static void oefd_smp_check_total(struct oefd_smp_role *r, u64 total)
{
	if (total == OEFD_SMP_BIG ||
	    (total % OEFD_FAST_MAX == 0 && total / OEFD_FAST_MAX <= OEFD_SMP_MAX_PUSHES))
		return;
	if (!r->bad++)
		r->first_bad = total;
}

static int oefd_smp_snapshotter(struct oefd_smp_role *r)
{
	unsigned long i;

	for (i = 0; oefd_smp_running(r); i++) {
		oefd_smp_check_total(r, oefd_snapshot(r->s->ctx));
		atomic64_inc(&r->ops);
		if (!(i % 256))
			cond_resched();
	}
	return 0;
}

/*
 * Hard IRQs on the snapshotting CPU that hold it for a while, as any
 * interrupt may: a snapshot interrupted between its load of count and its
 * loads of the rings gives the other CPUs time to read and push in
 * between, which otherwise takes a few instructions' luck.
 */
#define OEFD_SMP_STALL_PERIOD_NS	(300 * NSEC_PER_USEC)
#define OEFD_SMP_STALL_US		150

static enum hrtimer_restart oefd_smp_stall(struct hrtimer *stall)
{
	struct oefd_smp_role *r = container_of(stall, struct oefd_smp_role, stall);

	udelay(OEFD_SMP_STALL_US);
	if (!oefd_smp_running(r))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(stall, ns_to_ktime(OEFD_SMP_STALL_PERIOD_NS));
	return HRTIMER_RESTART;
}

static int oefd_smp_stalled_snapshotter(struct oefd_smp_role *r)
{
	struct hrtimer *stall = &r->stall;

	/* A used ring on this CPU too: more to read after count. */
	oefd_kunit_push(r->s->ctx, 0);
	hrtimer_init(stall, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	stall->function = oefd_smp_stall;
	hrtimer_start(stall, ns_to_ktime(OEFD_SMP_STALL_PERIOD_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	oefd_smp_snapshotter(r);
	hrtimer_cancel(stall);
	return 0;
}

static int oefd_smp_poller(struct oefd_smp_role *r)
{
	unsigned long i;

	for (i = 0; oefd_smp_running(r); i++) {
		__poll_t mask = oefd_mask(r->s->ctx);

		if ((mask & EPOLLERR) && !r->bad++)
			r->first_bad = (__force u32)mask;
		atomic64_inc(&r->ops);
		if (!(i % 16))
			usleep_range(10, 50);
	}
	return 0;
}

/* The collector's wait queue entry: as epoll's, queue the item, wake. */
static int oefd_smp_collector_wake(wait_queue_entry_t *wait, unsigned int mode,
				   int sync, void *key)
{
	struct oefd_smp *s = container_of(wait, struct oefd_smp, collector_wait);

	if (key_to_poll(key) & EPOLLIN) {
		atomic_inc(&s->woken);
		wake_up_process(s->collector->task);
	}
	return 0;
}

/*
 * An EPOLLET consumer that never reads: after each wakeup it collects
 * (->poll, then the total it reports), and only then. A write that sent
 * no wakeup and is not in a collection's total is a lost edge.
 */
static int oefd_smp_collector(struct oefd_smp_role *r)
{
	struct oefd_smp *s = r->s;
	int seen = 0;

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (atomic_read(&s->woken) == seen) {
			if (!oefd_smp_running(r))
				break;
			schedule_timeout(HZ / 10);
			continue;
		}
		__set_current_state(TASK_RUNNING);
		seen = atomic_read(&s->woken);
		oefd_poll(s->file, NULL);
		r->collected = oefd_snapshot(s->ctx);
		atomic64_inc(&r->ops);
		atomic_set(&s->collected_gen, seen);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/* Exact, transition, exact, ... with the others running. */
static int oefd_smp_mode_flipper(struct oefd_smp_role *r)
{
	u32 mode = OHOS_EFD_MODE_EXACT;

	while (oefd_smp_running(r)) {
		mode = mode == OHOS_EFD_MODE_EXACT ? OHOS_EFD_MODE_TRANSITION :
						     OHOS_EFD_MODE_EXACT;
		if (oefd_set_mode(r->s->ctx, mode))
			atomic64_inc(&r->errors);
		atomic64_inc(&r->ops);
		/* A poll between two changes: arms in transition mode. */
		oefd_mask(r->s->ctx);
		cond_resched();
	}
	return 0;
}

/*
 * The snapshot regression's writer, in rounds: read everything, write
 * OEFD_SMP_BIG through the locked path (count past oefd_fast_limit: the
 * fast path closes), let the pushers aim at the closed fast path (a new
 * round), read it all back (which reopens the fast path, their pushes land
 * at once). A write refused because a push came late starts the round
 * again.
 */
static int oefd_smp_big_writer(struct oefd_smp_role *r)
{
	struct ohos_eventfd_ctx *ctx = r->s->ctx;
	u64 cnt;
	int ret;

	/* A used ring on this CPU too: more for a snapshot to read after count. */
	oefd_kunit_push(ctx, 0);
	while (oefd_smp_running(r)) {
		ret = oefd_take(ctx, true, &cnt);
		if (!ret) {
			atomic64_add(cnt, &r->taken);
			oefd_smp_check_total(r, cnt);
		} else if (ret != -EAGAIN) {
			atomic64_inc(&r->errors);
		}
		ret = oefd_write_value(ctx, OEFD_SMP_BIG, true);
		if (ret) {
			atomic64_inc(ret == -EAGAIN ? &r->eagain : &r->errors);
			continue;
		}
		atomic64_add(OEFD_SMP_BIG, &r->added);
		atomic64_inc(&r->ops);
		atomic_inc(&r->s->cycle);
		ret = oefd_take(ctx, true, &cnt);
		if (!ret) {
			atomic64_add(cnt, &r->taken);
			oefd_smp_check_total(r, cnt);
		} else {
			atomic64_inc(&r->errors);
		}
		/*
		 * Nobody takes the lock for a while: the pushes land, and a
		 * snapshot that loaded count before this read finishes without
		 * a fold making it retry.
		 */
		udelay(OEFD_SMP_HOLD_US);
		cond_resched();
	}
	return 0;
}

/*
 * Its pushers: one U32_MAX-sized push per round, straight into this CPU's
 * ring (oefd_ring_push(), never the lock), retried while the fast path is
 * closed, so that it lands as soon as the read reopens it.
 */
static int oefd_smp_round_pusher(struct oefd_smp_role *r)
{
	struct oefd_smp *s = r->s;
	int seen = atomic_read(&s->cycle), round;

	/*
	 * No cpu_relax() in these loops: TCG leaves its CPU loop at every
	 * PAUSE, which makes a push land rounds late.
	 */
	while (oefd_smp_running(r)) {
		round = atomic_read(&s->cycle);
		if (round == seen)
			continue;
		seen = round;
		while (oefd_smp_running(r) && atomic_read(&s->cycle) == round) {
			if (oefd_kunit_push(s->ctx, r->value)) {
				atomic64_add(r->value, &r->added);
				atomic64_inc(&r->ops);
				break;
			}
			atomic64_inc(&r->eagain);
		}
	}
	return 0;
}

static int oefd_smp_role_fn(void *data)
{
	struct oefd_smp_role *r = data;

	r->fn(r);
	complete_all(&r->done);
	return 0;
}

/*
 * A blocking reader may sleep past the stop: a write ends its wait (exact
 * mode wakes a reader on every write). Returns what the case wrote.
 */
static u64 oefd_smp_unstick(struct oefd_smp *s, struct oefd_smp_role *r)
{
	if (!r->blocks || completion_done(&r->done))
		return 0;
	oefd_set_mode(s->ctx, OHOS_EFD_MODE_EXACT);
	return oefd_write_value(s->ctx, 1, true) ? 0 : 1;
}

/* Stop every role and reap it; runs at the end of the case, however it ends. */
static void oefd_smp_reap(void *data)
{
	struct oefd_smp *s = data;
	unsigned int i;

	atomic_set(&s->stop, 1);
	for (i = 0; s->started && i < s->nr; i++)
		s->added_by_case += oefd_smp_unstick(s, &s->role[i]);
	for (i = 0; i < s->nr; i++) {
		struct oefd_smp_role *r = &s->role[i];

		/* kthread_stop() would hang on a stuck role: leave it, loudly. */
		if (s->started &&
		    WARN(!wait_for_completion_timeout(&r->done, OEFD_KUNIT_TIMEOUT),
			 "ohos_eventfd_kunit: %s on cpu %d stuck, not reaped\n",
			 r->name, r->cpu))
			continue;
		kthread_stop_put(r->task);
	}
}

/* A case with @nr roles on @nr different CPUs; skips with fewer CPUs. */
static struct oefd_smp *oefd_smp_new(struct kunit *test,
				     struct ohos_eventfd_ctx *ctx, unsigned int nr)
{
	struct oefd_smp *s;

	if (num_online_cpus() < nr)
		kunit_skip(test, "needs %u online CPUs, has %u", nr, num_online_cpus());
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	s->ctx = ctx;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, oefd_smp_reap, s));
	return s;
}

#define OEFD_SMP_ROLE(s, fn, value, until_stop)				\
	oefd_smp_add(s, fn, #fn, value, until_stop)

/* A role on the next online CPU, created now, started by oefd_smp_go(). */
static struct oefd_smp_role *oefd_smp_add(struct oefd_smp *s,
					  int (*fn)(struct oefd_smp_role *r),
					  const char *name, u64 value,
					  bool until_stop)
{
	struct kunit *test = s->test;
	struct oefd_smp_role *r;

	KUNIT_ASSERT_LT(test, s->nr, OEFD_SMP_MAX_ROLES);
	r = &s->role[s->nr];
	r->s = s;
	r->fn = fn;
	r->name = name;
	r->value = value;
	r->until_stop = until_stop;
	r->blocks = fn == oefd_smp_blocking_reader;
	r->cpu = cpumask_nth(s->nr, cpu_online_mask);
	KUNIT_ASSERT_LT(test, r->cpu, nr_cpu_ids);
	init_completion(&r->done);
	r->task = kthread_create(oefd_smp_role_fn, r, "oefd_smp/%d", r->cpu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(r->task));
	kthread_bind(r->task, r->cpu);
	get_task_struct(r->task);
	s->nr++;
	return r;
}

/* Start every role; the timed ones stop after @run. */
static void oefd_smp_go(struct oefd_smp *s, unsigned long run)
{
	unsigned int i;

	s->deadline = jiffies + run;
	s->started = true;
	for (i = 0; i < s->nr; i++)
		wake_up_process(s->role[i].task);
}

/* Wait for the timed roles: each ends at the deadline. */
static bool oefd_smp_wait_timed(struct oefd_smp *s, unsigned long run)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++) {
		struct oefd_smp_role *r = &s->role[i];

		if (!r->until_stop &&
		    !wait_for_completion_timeout(&r->done, run + OEFD_KUNIT_TIMEOUT)) {
			KUNIT_FAIL(s->test, "%s on cpu %d did not finish", r->name, r->cpu);
			return false;
		}
	}
	return true;
}

/*
 * The roles still running (readers, consumers) see the count drop to 0
 * and take it all: with every writer done, a count left is one nobody
 * will read, i.e. a waiter asleep that was not woken.
 */
static bool oefd_smp_wait_empty(struct oefd_smp *s)
{
	unsigned long deadline = jiffies + OEFD_KUNIT_TIMEOUT;

	do {
		if (!oefd_snapshot(s->ctx))
			return true;
		usleep_range(500, 1000);
	} while (time_before(jiffies, deadline));
	return false;
}

/* Stop the roles, then: added == taken + what the counter still holds. */
static void oefd_smp_check_totals(struct oefd_smp *s, u64 taken_elsewhere)
{
	struct kunit *test = s->test;
	u64 added, taken = taken_elsewhere;
	unsigned int i;

	kunit_release_action(test, oefd_smp_reap, s);
	added = s->added_by_case;
	for (i = 0; i < s->nr; i++) {
		struct oefd_smp_role *r = &s->role[i];

		kunit_info(test, "cpu%d %s: %lld ops, added %llu, taken %llu, %lld EAGAIN\n",
			   r->cpu, r->name, atomic64_read(&r->ops),
			   atomic64_read(&r->added), atomic64_read(&r->taken),
			   atomic64_read(&r->eagain));
		added += atomic64_read(&r->added);
		taken += atomic64_read(&r->taken);
		KUNIT_EXPECT_EQ_MSG(test, atomic64_read(&r->errors), 0,
				    "%s on cpu %d", r->name, r->cpu);
		if (r->bad)
			KUNIT_FAIL(test,
				   "%s on cpu %d: %llu impossible results, first %llu (%#llx)",
				   r->name, r->cpu, r->bad, r->first_bad, r->first_bad);
		KUNIT_EXPECT_GT_MSG(test, atomic64_read(&r->ops), 0,
				    "%s on cpu %d never ran", r->name, r->cpu);
	}
	/* Sums wrap at 2^64 only in the snapshot regression: equal mod 2^64. */
	OEFD_EXPECT_COUNT(test, s->ctx, added - taken);
}

/* Pushes on three CPUs, nonblocking reads on a fourth: nothing lost or doubled. */
static void smp_pushes_and_takes_exact(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 4);

	OEFD_SMP_ROLE(s, oefd_smp_taker, 0, true);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1000, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, OEFD_FAST_MAX, false);
	oefd_smp_go(s, OEFD_SMP_RUN);
	oefd_smp_wait_timed(s, OEFD_SMP_RUN);
	oefd_smp_check_totals(s, 0);
	KUNIT_EXPECT_GT(test, oefd_kunit_fast_writes(ctx), 0);
}

/* Give every online CPU a ring, one at a time, while the others run. */
static int oefd_smp_ring_installer(struct oefd_smp_role *r)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (!oefd_smp_running(r))
			break;
		if (oefd_ring_install(r->s->ctx, cpu, GFP_KERNEL))
			atomic64_inc(&r->errors);
		else
			atomic64_inc(&r->ops);
		msleep(20);
	}
	return 0;
}

/*
 * Rings arriving (and the table replaced, at the fourth) while writers
 * push and a reader takes: nothing lost, nothing counted twice.
 */
static void smp_rings_installed_while_writing(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx(test, 0, 0);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 4);

	OEFD_SMP_ROLE(s, oefd_smp_taker, 0, true);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1000, false);
	OEFD_SMP_ROLE(s, oefd_smp_ring_installer, 0, false);
	oefd_smp_go(s, OEFD_SMP_RUN);
	oefd_smp_wait_timed(s, OEFD_SMP_RUN);
	oefd_smp_check_totals(s, 0);
	KUNIT_EXPECT_EQ(test, oefd_ring_count(ctx), num_online_cpus());
	KUNIT_EXPECT_GT(test, oefd_kunit_fast_writes(ctx), 0);
}

/* Semaphore mode: two readers on two CPUs take one each, never more. */
static void smp_semaphore_takes_one_each(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, OHOS_EFD_SEMAPHORE);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 4);

	OEFD_SMP_ROLE(s, oefd_smp_taker, 0, true);
	OEFD_SMP_ROLE(s, oefd_smp_taker, 0, true);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	oefd_smp_go(s, OEFD_SMP_RUN);
	oefd_smp_wait_timed(s, OEFD_SMP_RUN);
	KUNIT_EXPECT_TRUE_MSG(test, oefd_smp_wait_empty(s), "the readers left a count");
	oefd_smp_check_totals(s, 0);
}

/*
 * The regression for 9c0c2c1: a read lowered count outside a seqcount
 * write section, so a snapshot could load count before the read took it
 * and a ring after a push the reopened fast path let in: a total that
 * never existed, past OHOS_EFD_COUNT_MAX when count held OEFD_SMP_BIG.
 * Here one CPU writes OEFD_SMP_BIG (the locked path, which closes the
 * fast path) and reads it back (which reopens it), two push U32_MAX
 * through the fast path as soon as it reopens, one snapshots, interrupted
 * often: no snapshot may pass the ceiling.
 */
static void smp_snapshot_never_exceeds_ceiling(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 3);
	struct oefd_smp_role *writer, *snap;

	writer = OEFD_SMP_ROLE(s, oefd_smp_big_writer, 0, false);
	snap = OEFD_SMP_ROLE(s, oefd_smp_stalled_snapshotter, 0, false);
	OEFD_SMP_ROLE(s, oefd_smp_round_pusher, OEFD_FAST_MAX, false);
	/* A fourth CPU snapshots too: the window is a few instructions wide. */
	if (num_online_cpus() > 3)
		OEFD_SMP_ROLE(s, oefd_smp_stalled_snapshotter, 0, false);
	oefd_smp_go(s, OEFD_SMP_SNAPSHOT_RUN);
	oefd_smp_wait_timed(s, OEFD_SMP_SNAPSHOT_RUN);
	oefd_smp_check_totals(s, 0);
	/* It means something only if both paths ran, many times. */
	KUNIT_EXPECT_GT(test, atomic64_read(&writer->ops), 0);
	KUNIT_EXPECT_GT(test, oefd_kunit_fast_writes(ctx), 0);
	KUNIT_EXPECT_GT(test, atomic64_read(&snap->ops), 0);
}

/* Run the roles; then the blocking reader must have taken everything. */
static void oefd_smp_run_reader_empties(struct oefd_smp *s)
{
	oefd_smp_go(s, OEFD_SMP_RUN);
	oefd_smp_wait_timed(s, OEFD_SMP_RUN);
	if (!oefd_smp_wait_empty(s)) {
		KUNIT_FAIL(s->test, "blocking reader asleep with count %llu left",
			   oefd_snapshot(s->ctx));
		oefd_kunit_dump(s->test, s->ctx);
	}
	oefd_smp_check_totals(s, 0);
}

/*
 * A blocking reader on one CPU, pushes on two others and a poller on the
 * fourth (which arms in transition mode): when the writers stop, the
 * reader has taken everything, none of it stranded while it sleeps.
 */
static void oefd_smp_blocking_reader_case(struct kunit *test, u32 mode)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 4);

	KUNIT_ASSERT_EQ(test, oefd_set_mode(ctx, mode), 0);
	OEFD_SMP_ROLE(s, oefd_smp_blocking_reader, 0, true);
	OEFD_SMP_ROLE(s, oefd_smp_poller, 0, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 7, false);
	oefd_smp_run_reader_empties(s);
}

static void smp_blocking_reader_exact(struct kunit *test)
{
	oefd_smp_blocking_reader_case(test, OHOS_EFD_MODE_EXACT);
}

static void smp_blocking_reader_transition(struct kunit *test)
{
	oefd_smp_blocking_reader_case(test, OHOS_EFD_MODE_TRANSITION);
}

/* The mode changes under a blocking reader and two pushers. */
static void smp_mode_changes_lose_nothing(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 4);

	OEFD_SMP_ROLE(s, oefd_smp_blocking_reader, 0, true);
	OEFD_SMP_ROLE(s, oefd_smp_mode_flipper, 0, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 7, false);
	oefd_smp_run_reader_empties(s);
}

/*
 * KVM's pattern on parallel CPUs: a wait queue callback takes the count
 * (ohos_eventfd_ctx_do_read()) while three CPUs push. Registered as poll
 * registers it (oefd_mask() after adding the entry arms the counter in
 * transition mode). Once the writers stop, the callback has been woken
 * for everything: the count is 0, with nobody else reading.
 */
static void oefd_smp_callback_case(struct kunit *test, bool flip)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 4);
	struct oefd_kunit_waiter w;

	KUNIT_ASSERT_EQ(test, oefd_set_mode(ctx, OHOS_EFD_MODE_TRANSITION), 0);
	oefd_kunit_waiter_init(&w, ctx, true);
	add_wait_queue(&ctx->wqh, &w.wait);
	OEFD_EXPECT_MASK(test, ctx, EPOLLOUT);
	if (flip)
		OEFD_SMP_ROLE(s, oefd_smp_mode_flipper, 0, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 7, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, OEFD_FAST_MAX, false);
	oefd_smp_go(s, OEFD_SMP_RUN);
	oefd_smp_wait_timed(s, OEFD_SMP_RUN);
	OEFD_EXPECT_COUNT(test, ctx, 0);
	remove_wait_queue(&ctx->wqh, &w.wait);
	KUNIT_EXPECT_GT(test, w.calls, 0);
	oefd_smp_check_totals(s, w.cnt);
}

static void smp_callback_consumer_takes_all(struct kunit *test)
{
	oefd_smp_callback_case(test, false);
}

/* The same while the mode flips between exact and transition. */
static void smp_callback_consumer_mode_changes(struct kunit *test)
{
	oefd_smp_callback_case(test, true);
}

/* Wait until the collector has collected every wakeup, twice in a row. */
static bool oefd_smp_collector_settled(struct oefd_smp *s)
{
	unsigned long deadline = jiffies + OEFD_KUNIT_TIMEOUT;
	unsigned int calm = 0;

	do {
		if (atomic_read(&s->collected_gen) == atomic_read(&s->woken))
			calm++;
		else
			calm = 0;
		if (calm == 2)
			return true;
		msleep(20);
	} while (time_before(jiffies, deadline));
	return false;
}

/*
 * Coalesced exact wakeups on parallel CPUs: three CPUs push while a
 * never-reading collector is on the queue. Once the writers stop and the
 * collector has collected every wakeup it got, its last total is every
 * write: a write after a collection that sent no wakeup would be missing.
 */
static void smp_never_read_collector_sees_every_write(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 0, 0);
	struct oefd_smp *s = oefd_smp_new(test, ctx, 4);
	u64 added = 0;
	unsigned int i;

	s->file = oefd_kunit_file(test, ctx);
	s->collector = OEFD_SMP_ROLE(s, oefd_smp_collector, 0, true);
	init_waitqueue_func_entry(&s->collector_wait, oefd_smp_collector_wake);
	add_wait_queue(&ctx->wqh, &s->collector_wait);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 1, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 2, false);
	OEFD_SMP_ROLE(s, oefd_smp_pusher, 3, false);
	oefd_smp_go(s, OEFD_SMP_RUN);
	oefd_smp_wait_timed(s, OEFD_SMP_RUN);
	KUNIT_EXPECT_TRUE(test, oefd_smp_collector_settled(s));
	oefd_smp_check_totals(s, 0);
	remove_wait_queue(&ctx->wqh, &s->collector_wait);
	for (i = 0; i < s->nr; i++)
		added += atomic64_read(&s->role[i].added);
	KUNIT_EXPECT_EQ(test, s->collector->collected, added);
	kunit_info(test, "%d wakeups, %lld collections, %llu fast-path writes\n",
		   atomic_read(&s->woken), atomic64_read(&s->collector->ops),
		   oefd_kunit_fast_writes(ctx));
	KUNIT_EXPECT_GT(test, oefd_kunit_fast_writes(ctx), 0);
}

static struct kunit_case ohos_eventfd_smp_cases[] = {
	KUNIT_CASE(smp_never_read_collector_sees_every_write),
	KUNIT_CASE(smp_pushes_and_takes_exact),
	KUNIT_CASE(smp_rings_installed_while_writing),
	KUNIT_CASE(smp_semaphore_takes_one_each),
	KUNIT_CASE_SLOW(smp_snapshot_never_exceeds_ceiling),
	KUNIT_CASE(smp_blocking_reader_exact),
	KUNIT_CASE(smp_blocking_reader_transition),
	KUNIT_CASE(smp_mode_changes_lose_nothing),
	KUNIT_CASE(smp_callback_consumer_takes_all),
	KUNIT_CASE(smp_callback_consumer_mode_changes),
	{}
};

static struct kunit_suite ohos_eventfd_smp_suite = {
	.name = "ohos_eventfd_smp",
	.test_cases = ohos_eventfd_smp_cases,
};

/* ---- ohos_eventfd_staged: interleavings forced with hardware watchpoints ---- */

/*
 * A window of a few instructions is rarely hit by running CPUs against
 * each other. A data watchpoint on one CPU (perf's kernel breakpoints)
 * stops that CPU right after it touched a field, inside the window, while
 * the other CPUs do what the case needs; then it lets it go. Needs
 * hardware breakpoints: skipped under UML, run by scripts/kunit.sh --arch
 * x86_64. The stops are bounded, so a case that cannot be staged fails
 * instead of hanging.
 */
#define OEFD_STAGE_STOP_NS	(5 * NSEC_PER_SEC)

#ifdef CONFIG_HAVE_HW_BREAKPOINT
/*
 * The regression for finding 3 of 9c0c2c1 (a store of count outside a
 * write section), step by step; each step waits for the one before:
 *   READING	a reader takes the count: folds the rings in a write section,
 *		then lowers count. A watchpoint on the seqcount stops it
 *		right after the fold's section closed (DRAINED).
 *   DRAINED	a snapshot begins, loads count (the total before the read);
 *		a watchpoint on count stops it there (COUNT_LOADED).
 *   COUNT_LOADED the reader goes on, lowers count to 0, returns (READ_DONE).
 *   READ_DONE	a third CPU pushes to its ring (PUSHED).
 *   PUSHED	the snapshot goes on: it loads the ring, then checks the
 *		seqcount. Unless lowering count moved it, it returns the total
 *		before the read plus the push: a total the counter never held.
 */
enum oefd_stage {
	OEFD_STAGE_IDLE,
	OEFD_STAGE_READING,
	OEFD_STAGE_DRAINED,
	OEFD_STAGE_COUNT_LOADED,
	OEFD_STAGE_READ_DONE,
	OEFD_STAGE_PUSHED,
	/* fold_takes_rings_as_of_one_instant(), after READING */
	OEFD_STAGE_A_READ,
	OEFD_STAGE_A_PUSHED,
	OEFD_STAGE_B_PUSHED,
};

struct oefd_staged {
	struct ohos_eventfd_ctx *ctx;
	atomic_t stage;
	atomic_t timeouts;	/* steps that waited OEFD_STAGE_STOP_NS in vain */
	u64 push;		/* what the third CPU pushes */
	u64 taken;		/* what the reader took */
	u64 total;		/* what the snapshot returned */
	struct completion done[3];
	struct task_struct *task[3];
};

/*
 * Spin (a watchpoint handler cannot sleep) until @st reaches @stage. The
 * clock is this CPU's: ktime_get_mono_fast_ns() reads the timekeeper's
 * latch, which KCSAN reports as a race with the tick's update.
 */
static void oefd_stage_wait(struct oefd_staged *st, enum oefd_stage stage)
{
	u64 deadline = local_clock() + OEFD_STAGE_STOP_NS;

	while (atomic_read(&st->stage) < stage) {
		if (local_clock() > deadline) {
			atomic_inc(&st->timeouts);
			return;
		}
		cpu_relax();
	}
}

/* Go from @from to @to, or leave the stage alone if the steps went astray. */
static void oefd_stage_step(struct oefd_staged *st, enum oefd_stage from,
			    enum oefd_stage to)
{
	atomic_cmpxchg(&st->stage, from, to);
}

/* On the reader's CPU, after every store to the seqcount. */
static void oefd_stage_seq_stored(struct perf_event *bp,
				  struct perf_sample_data *data,
				  struct pt_regs *regs)
{
	struct oefd_staged *st = bp->overflow_handler_context;

	/* An odd sequence: a write section just opened. */
	if (READ_ONCE(st->ctx->seq.seqcount.sequence) & 1 ||
	    atomic_read(&st->stage) != OEFD_STAGE_READING)
		return;
	oefd_stage_step(st, OEFD_STAGE_READING, OEFD_STAGE_DRAINED);
	oefd_stage_wait(st, OEFD_STAGE_COUNT_LOADED);
}

/* On the snapshot's CPU, after every load or store of count. */
static void oefd_stage_count_loaded(struct perf_event *bp,
				    struct perf_sample_data *data,
				    struct pt_regs *regs)
{
	struct oefd_staged *st = bp->overflow_handler_context;

	if (atomic_read(&st->stage) != OEFD_STAGE_DRAINED)
		return;
	oefd_stage_step(st, OEFD_STAGE_DRAINED, OEFD_STAGE_COUNT_LOADED);
	oefd_stage_wait(st, OEFD_STAGE_PUSHED);
}

static int oefd_staged_reader(void *data)
{
	struct oefd_staged *st = data;

	/* KCSAN's own loads of count must not be the ones stopped. */
	kcsan_disable_current();
	if (oefd_take(st->ctx, true, &st->taken))
		st->taken = 0;
	kcsan_enable_current();
	oefd_stage_step(st, OEFD_STAGE_COUNT_LOADED, OEFD_STAGE_READ_DONE);
	complete(&st->done[0]);
	return 0;
}

static int oefd_staged_snapshotter(void *data)
{
	struct oefd_staged *st = data;

	oefd_stage_wait(st, OEFD_STAGE_DRAINED);
	kcsan_disable_current();
	st->total = oefd_snapshot(st->ctx);
	kcsan_enable_current();
	complete(&st->done[1]);
	return 0;
}

/* Push @value once the stage is @from, then go to @to; role @i is done. */
static int oefd_staged_push_step(struct oefd_staged *st, enum oefd_stage from,
				 u32 value, enum oefd_stage to, int i)
{
	oefd_stage_wait(st, from);
	if (oefd_kunit_push(st->ctx, value))
		oefd_stage_step(st, from, to);
	complete(&st->done[i]);
	return 0;
}

static int oefd_staged_pusher(void *data)
{
	struct oefd_staged *st = data;

	return oefd_staged_push_step(st, OEFD_STAGE_READ_DONE, st->push,
				     OEFD_STAGE_PUSHED, 2);
}

static void oefd_kunit_unwatch(void *bp)
{
	unregister_hw_breakpoint(bp);
}

/* Call @fn after every access of @type to @addr by @cpu, until the case ends. */
static void oefd_kunit_watch(struct kunit *test, int cpu, void *addr,
			     unsigned int len, unsigned int type,
			     perf_overflow_handler_t fn, void *data)
{
	struct perf_event_attr attr;
	struct perf_event *bp;

	hw_breakpoint_init(&attr);
	attr.bp_addr = (unsigned long)addr;
	attr.bp_len = len;
	attr.bp_type = type;
	bp = perf_event_create_kernel_counter(&attr, cpu, NULL, fn, data);
	if (IS_ERR(bp))
		kunit_skip(test, "no data watchpoint on cpu %d: %ld", cpu, PTR_ERR(bp));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, oefd_kunit_unwatch, bp));
}

/* A kthread on @cpu running @fn(@st), started by the caller. */
static void oefd_staged_role(struct kunit *test, struct oefd_staged *st,
			     int i, int (*fn)(void *), int cpu)
{
	init_completion(&st->done[i]);
	st->task[i] = kthread_create(fn, st, "oefd_staged/%d", cpu);
	KUNIT_ASSERT_FALSE(test, IS_ERR(st->task[i]));
	kthread_bind(st->task[i], cpu);
}

/* A staging of three roles on CPUs 1-3 for @ctx; the case skips without them. */
static struct oefd_staged *oefd_staged_new(struct kunit *test,
					   struct ohos_eventfd_ctx *ctx)
{
	struct oefd_staged *st;

	if (num_online_cpus() < 4)
		kunit_skip(test, "needs 4 online CPUs, has %u", num_online_cpus());
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->ctx = ctx;
	return st;
}

/* Start the three roles at READING; they must all end, at @last. */
static void oefd_staged_run(struct kunit *test, struct oefd_staged *st,
			    enum oefd_stage last)
{
	int i;

	atomic_set(&st->stage, OEFD_STAGE_READING);
	for (i = 0; i < 3; i++)
		wake_up_process(st->task[i]);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&st->done[i],
									OEFD_KUNIT_TIMEOUT),
				      "staged role %d stuck", i);
	KUNIT_ASSERT_EQ_MSG(test, atomic_read(&st->stage), last,
			    "the interleaving was not staged");
	KUNIT_EXPECT_EQ(test, atomic_read(&st->timeouts), 0);
}

static void snapshot_between_read_and_push(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 5, 0);
	int reader = cpumask_nth(1, cpu_online_mask);
	int snapper = cpumask_nth(2, cpu_online_mask);
	int pusher = cpumask_nth(3, cpu_online_mask);
	struct oefd_staged *st;
	u64 before;

	st = oefd_staged_new(test, ctx);
	st->push = 11;
	/* Something for the reader's fold to move: 5 + 2 before the read. */
	KUNIT_ASSERT_TRUE(test, oefd_kunit_push(ctx, 2));
	before = oefd_snapshot(ctx);
	oefd_kunit_watch(test, reader, &ctx->seq.seqcount.sequence,
			 HW_BREAKPOINT_LEN_4, HW_BREAKPOINT_W,
			 oefd_stage_seq_stored, st);
	oefd_kunit_watch(test, snapper, &ctx->count, HW_BREAKPOINT_LEN_8,
			 HW_BREAKPOINT_RW, oefd_stage_count_loaded, st);
	oefd_staged_role(test, st, 0, oefd_staged_reader, reader);
	oefd_staged_role(test, st, 1, oefd_staged_snapshotter, snapper);
	oefd_staged_role(test, st, 2, oefd_staged_pusher, pusher);
	oefd_staged_run(test, st, OEFD_STAGE_PUSHED);
	KUNIT_EXPECT_EQ(test, st->taken, before);
	/* The totals the counter held: before the read, 0, then the push. */
	if (st->total != before && st->total != 0 && st->total != st->push)
		KUNIT_FAIL(test, "snapshot %llu: the counter held only %llu, 0 and %llu",
			   st->total, before, st->push);
	OEFD_EXPECT_COUNT(test, ctx, st->push);
}

/*
 * The fold as of one instant (review of 427faaa, finding 2), step by step:
 *   FOLDING	a reader takes the count; a watchpoint on ring A's head stops
 *		it right after its fold loaded that head (A_READ).
 *   A_READ	CPU A pushes 1 (A_PUSHED); then, after it, CPU B pushes 2
 *		(B_PUSHED): a write that happened after the first.
 *   B_PUSHED	the reader goes on. A fold that freed ring A with the head it
 *		had read, then took ring B, would return 4 + 2: the later
 *		write without the earlier one, a total eventfd never held
 *		(only 4, 5 and 7 were).
 */
static void oefd_stage_head_loaded(struct perf_event *bp,
				   struct perf_sample_data *data,
				   struct pt_regs *regs)
{
	struct oefd_staged *st = bp->overflow_handler_context;

	if (atomic_read(&st->stage) != OEFD_STAGE_READING)
		return;
	oefd_stage_step(st, OEFD_STAGE_READING, OEFD_STAGE_A_READ);
	oefd_stage_wait(st, OEFD_STAGE_B_PUSHED);
}

static int oefd_staged_first_pusher(void *data)
{
	return oefd_staged_push_step(data, OEFD_STAGE_A_READ, 1, OEFD_STAGE_A_PUSHED, 1);
}

static int oefd_staged_second_pusher(void *data)
{
	return oefd_staged_push_step(data, OEFD_STAGE_A_PUSHED, 2, OEFD_STAGE_B_PUSHED, 2);
}

static void fold_takes_rings_as_of_one_instant(struct kunit *test)
{
	struct ohos_eventfd_ctx *ctx = oefd_kunit_ctx_rings(test, 4, 0);
	int reader = cpumask_nth(1, cpu_online_mask);
	int cpu_a = cpumask_nth(2, cpu_online_mask);
	int cpu_b = cpumask_nth(3, cpu_online_mask);
	struct oefd_staged *st;

	st = oefd_staged_new(test, ctx);
	oefd_kunit_watch(test, reader, &oefd_ring_of(ctx, cpu_a)->head,
			 HW_BREAKPOINT_LEN_4, HW_BREAKPOINT_RW,
			 oefd_stage_head_loaded, st);
	/* The reader's own stage step finds another stage: a no-op here. */
	oefd_staged_role(test, st, 0, oefd_staged_reader, reader);
	oefd_staged_role(test, st, 1, oefd_staged_first_pusher, cpu_a);
	oefd_staged_role(test, st, 2, oefd_staged_second_pusher, cpu_b);
	oefd_staged_run(test, st, OEFD_STAGE_B_PUSHED);
	if (st->taken != 4 && st->taken != 5 && st->taken != 7)
		KUNIT_FAIL(test, "read %llu: the counter held only 4, 5 and 7", st->taken);
	OEFD_EXPECT_COUNT(test, ctx, 7 - st->taken);
}
#else
static void snapshot_between_read_and_push(struct kunit *test)
{
	kunit_skip(test, "needs hardware data watchpoints (CONFIG_HAVE_HW_BREAKPOINT)");
}

static void fold_takes_rings_as_of_one_instant(struct kunit *test)
{
	kunit_skip(test, "needs hardware data watchpoints (CONFIG_HAVE_HW_BREAKPOINT)");
}
#endif

static struct kunit_case ohos_eventfd_staged_cases[] = {
	KUNIT_CASE(snapshot_between_read_and_push),
	KUNIT_CASE(fold_takes_rings_as_of_one_instant),
	{}
};

static struct kunit_suite ohos_eventfd_staged_suite = {
	.name = "ohos_eventfd_staged",
	.test_cases = ohos_eventfd_staged_cases,
};

kunit_test_suites(&ohos_eventfd_ring_suite, &ohos_eventfd_fold_suite,
		  &ohos_eventfd_ceiling_suite, &ohos_eventfd_semaphore_suite,
		  &ohos_eventfd_wait_suite, &ohos_eventfd_kapi_suite,
		  &ohos_eventfd_coalesce_suite, &ohos_eventfd_percpu_suite,
		  &ohos_eventfd_smp_suite, &ohos_eventfd_staged_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for ohos_eventfd");
MODULE_LICENSE("GPL");
