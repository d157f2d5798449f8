/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expectations on an ohos_eventfd counter, built on KUnit's. On failure
 * each prints the expression, the expected and the actual value, then a
 * dump of the counter: central count, every used per-CPU ring (head, tail,
 * fill, pending sum, pushing), the seqcount's sequence, flags, mode and
 * statistics. A bare KUNIT_EXPECT_EQ() shows two numbers; a ring or fold
 * bug needs the state around them.
 *
 * Use them in process context: a KUnit failure allocates with GFP_KERNEL.
 * Under a spinlock, record values and check them after unlocking.
 */
#ifndef _OHOS_EVENTFD_KUNIT_ASSERT_H
#define _OHOS_EVENTFD_KUNIT_ASSERT_H

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/poll.h>

#include "../module/ohos_eventfd_internal.h"

/* Increments published in @ring and not yet drained. */
static inline u64 oefd_kunit_ring_pending(struct oefd_ring *ring)
{
	/* Pairs with the release of head in oefd_ring_push(): slots written. */
	unsigned int head = smp_load_acquire(&ring->head);
	unsigned int tail = READ_ONCE(ring->tail);
	u64 sum = 0;

	for (; tail != head; tail++)
		sum += READ_ONCE(ring->slot[tail % OEFD_RING_SLOTS]);
	return sum;
}

/* Slots in use in @cpu's ring; 0 while @cpu has no ring. */
static inline unsigned int oefd_kunit_ring_fill(struct ohos_eventfd_ctx *ctx, int cpu)
{
	struct oefd_ring *ring = oefd_ring_of(ctx, cpu);

	if (!ring)
		return 0;
	/* Pairs with the release of head in oefd_ring_push(). */
	return smp_load_acquire(&ring->head) - READ_ONCE(ring->tail);
}

/*
 * Racy by design: a dump is a diagnostic printed while writers may still
 * run, so it reads every field once, without the lock.
 */
static inline void oefd_kunit_dump(struct kunit *test, struct ohos_eventfd_ctx *ctx)
{
	unsigned int cpu;

	kunit_err(test, "ohos_eventfd ctx %d: count=%llu (%#llx) seq=%u flags=%#x mode=%u fast_ok=%d armed=%d\n",
		  ctx->id, READ_ONCE(ctx->count), READ_ONCE(ctx->count),
		  READ_ONCE(ctx->seq.seqcount.sequence), READ_ONCE(ctx->flags),
		  READ_ONCE(ctx->mode), READ_ONCE(ctx->fast_ok),
		  READ_ONCE(ctx->armed));
	kunit_err(test, "ohos_eventfd ctx %d: blocked_writers=%u waiters=%d reads=%llu slow_writes=%llu wakeups=%llu fast_limit=%#llx rings=%u\n",
		  ctx->id, READ_ONCE(ctx->blocked_writers),
		  /* lockless: a hint for the reader of the dump only */
		  waitqueue_active(&ctx->wqh), READ_ONCE(ctx->reads),
		  READ_ONCE(ctx->slow_writes), READ_ONCE(ctx->wakeups),
		  oefd_fast_limit, oefd_ring_count(ctx));
	for_each_possible_cpu(cpu) {
		struct oefd_ring *ring = oefd_ring_of(ctx, cpu);

		if (!ring)
			continue;
		kunit_err(test, "ohos_eventfd ctx %d: cpu%u ring head=%u tail=%u fill=%u pending=%llu pushing=%u fast_writes=%llu\n",
			  ctx->id, cpu, READ_ONCE(ring->head), READ_ONCE(ring->tail),
			  READ_ONCE(ring->head) - READ_ONCE(ring->tail),
			  oefd_kunit_ring_pending(ring), READ_ONCE(ring->pushing),
			  READ_ONCE(ring->fast_writes));
	}
}

/*
 * The common body: @what and @want_text name the two sides in the report,
 * @file and @line the caller's expectation.
 */
static inline void oefd_kunit_expect_u64(struct kunit *test, const char *file,
					 int line, struct ohos_eventfd_ctx *ctx,
					 const char *what, const char *want_text,
					 u64 want, u64 got)
{
	if (got == want)
		return;
	kunit_set_failure(test);
	kunit_err(test, "EXPECTATION FAILED at %s:%d\n"
		  "Expected %s == %s, but\n"
		  "        %s == %llu (%#llx)\n"
		  "        %s == %llu (%#llx)\n",
		  file, line, what, want_text, what, got, got,
		  want_text, want, want);
	oefd_kunit_dump(test, ctx);
}

/* The same for a return value: 0 or -errno. */
static inline void oefd_kunit_expect_ret(struct kunit *test, const char *file,
					 int line, struct ohos_eventfd_ctx *ctx,
					 const char *what, const char *want_text,
					 int want, int got)
{
	if (got == want)
		return;
	kunit_set_failure(test);
	kunit_err(test, "EXPECTATION FAILED at %s:%d\n"
		  "Expected %s == %s, but\n"
		  "        %s == %d\n"
		  "        %s == %d\n",
		  file, line, what, want_text, what, got, want_text, want);
	oefd_kunit_dump(test, ctx);
}

#define OEFD_EXPECT_VALUE(test, ctx, what, want_text, want, got)		\
	oefd_kunit_expect_u64(test, __FILE__, __LINE__, ctx, what, want_text,	\
			      want, got)

#define OEFD_EXPECT_RET(test, ctx, what, want_text, want, got)			\
	oefd_kunit_expect_ret(test, __FILE__, __LINE__, ctx, what, want_text,	\
			      want, got)

/* A nonblocking read returns @expected and leaves the count at @left. */
static inline void oefd_kunit_expect_read(struct kunit *test, const char *file,
					  int line, struct ohos_eventfd_ctx *ctx,
					  const char *expected_text,
					  u64 expected, const char *left_text, u64 left)
{
	u64 cnt = 0;
	int ret = oefd_take(ctx, true, &cnt);

	oefd_kunit_expect_ret(test, file, line, ctx, "return of reading", "0", 0, ret);
	if (!ret)
		oefd_kunit_expect_u64(test, file, line, ctx, "value read",
				      expected_text, expected, cnt);
	oefd_kunit_expect_u64(test, file, line, ctx, "count left",
			      left_text, left, oefd_snapshot(ctx));
}

/* A nonblocking read fails with @expected_ret and leaves the count alone. */
static inline void oefd_kunit_expect_read_fails(struct kunit *test, const char *file,
						int line, struct ohos_eventfd_ctx *ctx,
						const char *ret_text, int expected_ret)
{
	u64 before = oefd_snapshot(ctx);
	u64 cnt = 0;

	oefd_kunit_expect_ret(test, file, line, ctx, "return of reading", ret_text,
			      expected_ret, oefd_take(ctx, true, &cnt));
	oefd_kunit_expect_u64(test, file, line, ctx, "count left",
			      "the count before", before, oefd_snapshot(ctx));
}

/* The counter's total as userspace sees it: central count plus rings. */
#define OEFD_EXPECT_COUNT(test, ctx, expected)					\
do {										\
	struct ohos_eventfd_ctx *__oefd_ctx = (ctx);				\
										\
	OEFD_EXPECT_VALUE(test, __oefd_ctx, "count of " #ctx, #expected,	\
			  expected, oefd_snapshot(__oefd_ctx));			\
} while (0)

/* The central count alone, without what the rings hold. */
#define OEFD_EXPECT_CENTRAL(test, ctx, expected)				\
do {										\
	struct ohos_eventfd_ctx *__oefd_ctx = (ctx);				\
										\
	OEFD_EXPECT_VALUE(test, __oefd_ctx, "central count of " #ctx,		\
			  #expected, expected, READ_ONCE(__oefd_ctx->count));	\
} while (0)

/* Slots in use in @cpu's ring. */
#define OEFD_EXPECT_RING_FILL(test, ctx, cpu, expected)				\
do {										\
	struct ohos_eventfd_ctx *__oefd_ctx = (ctx);				\
										\
	OEFD_EXPECT_VALUE(test, __oefd_ctx, "ring fill of " #ctx " on cpu " #cpu, \
			  #expected, expected,					\
			  oefd_kunit_ring_fill(__oefd_ctx, cpu));		\
} while (0)

/* The poll mask: EPOLLIN 0x1, EPOLLOUT 0x4, EPOLLERR 0x8. */
#define OEFD_EXPECT_MASK(test, ctx, expected)					\
do {										\
	struct ohos_eventfd_ctx *__oefd_ctx = (ctx);				\
										\
	OEFD_EXPECT_VALUE(test, __oefd_ctx, "poll mask of " #ctx, #expected,	\
			  (__force u32)(expected),				\
			  (__force u32)oefd_mask(__oefd_ctx));			\
} while (0)

/* A nonblocking write of @value returns @expected_ret (0 or -errno). */
#define OEFD_EXPECT_WRITE(test, ctx, value, expected_ret)			\
do {										\
	struct ohos_eventfd_ctx *__oefd_ctx = (ctx);				\
										\
	OEFD_EXPECT_RET(test, __oefd_ctx,					\
			"return of writing " #value " to " #ctx,		\
			#expected_ret, expected_ret,				\
			oefd_write_value(__oefd_ctx, value, true));		\
} while (0)

/* A nonblocking read returns @expected and leaves the count at @left. */
#define OEFD_EXPECT_READ(test, ctx, expected, left)				\
	oefd_kunit_expect_read(test, __FILE__, __LINE__, ctx, #expected,	\
			       expected, #left, left)

/* A nonblocking read fails with @expected_ret and leaves the count alone. */
#define OEFD_EXPECT_READ_FAILS(test, ctx, expected_ret)				\
	oefd_kunit_expect_read_fails(test, __FILE__, __LINE__, ctx,		\
				     #expected_ret, expected_ret)

#endif /* _OHOS_EVENTFD_KUNIT_ASSERT_H */
