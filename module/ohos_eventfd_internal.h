/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ohos_eventfd internals: what the module's files (ring.c, counter.c,
 * file.c) share with each other and with the KUnit suite (kunit/), and
 * nothing else. docs/design.md explains the structure.
 */
#ifndef _OHOS_EVENTFD_INTERNAL_H
#define _OHOS_EVENTFD_INTERNAL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/ohos_eventfd.h>

/*
 * count is a u64 that lockless readers load in one access, which is
 * single-copy atomic only on a 64-bit kernel.
 */
#ifndef CONFIG_64BIT
#error "ohos_eventfd needs a 64-bit kernel"
#endif

#define OEFD_RING_SLOTS	16		/* per ring; a power of two */
#define OEFD_FAST_MAX	U32_MAX		/* the largest increment a ring takes */

/*
 * One CPU's pending increments: a single-producer ring. The producer is
 * that CPU, IRQs off; the consumer is whoever holds the counter's wqh.lock.
 * Cache-line aligned (its cache keeps the alignment), so that no two CPUs'
 * rings share a line: 128 bytes with 64-byte lines.
 */
struct oefd_ring {
	u32 slot[OEFD_RING_SLOTS];
	/* Producer-owned; read by consumers with acquire. */
	unsigned int head;
	/* Odd while this CPU is inside oefd_ring_push(); see oefd_quiesce(). */
	unsigned int pushing;
	/* Consumer-owned (under wqh.lock); read by the producer with acquire. */
	unsigned int tail;
	unsigned int fold_head;		/* a fold's collected head, under wqh.lock */
	unsigned int cpu;		/* the producer; set before the ring is published */
	/*
	 * Fast-path writes on this CPU: statistics, and exact for CONFIGURE
	 * and SET_MODE, which read them with pushes stopped or caught.
	 */
	u64 fast_writes;
	u64 coalesced;			/* of those, under an uncollected wakeup */
} ____cacheline_aligned;

/*
 * A counter's rings: one per CPU whose locked writer found the lock held,
 * in an open-addressed table keyed by CPU. Entries are set once, under
 * wqh.lock, inside a seqcount write section; a full table is replaced by
 * one twice its size, and the tables it replaced stay (older) until the
 * counter is freed, since a push may still be looking its ring up there.
 */
struct oefd_rings {
	struct oefd_rings *older;
	unsigned int size;		/* a power of two; fixed */
	unsigned int used;		/* entries set, under wqh.lock */
	struct oefd_ring *ring[] __counted_by(size);
};

struct ohos_eventfd_ctx {
	struct kref kref;
	/*
	 * wqh.lock serializes every change of count, the ring tails and the
	 * fields below seq, but armed, which poll also sets; count, fast_ok,
	 * mode, armed, wake_pending, foreign_waiter, flags and rings are
	 * also read without it (docs/design.md, "Lockless accesses").
	 */
	wait_queue_head_t wqh;
	/* Written under wqh.lock around every change of count and every fold. */
	seqcount_spinlock_t seq;
	u64 count;
	u32 flags;			/* OHOS_EFD_SEMAPHORE */
	u32 mode;			/* OHOS_EFD_MODE_*; the fast path reads it */
	bool fast_ok;			/* count <= oefd_fast_limit; the fast path reads it */
	bool armed;			/* transition mode: a waiter saw 0 (poll: lockless) */
	/*
	 * Exact mode: an EPOLLIN wakeup went out and is still to be collected
	 * by ->poll or a waiter's check; writes meanwhile send none. Written
	 * under wqh.lock; the push and poll read it without.
	 */
	bool wake_pending;
	bool foreign_waiter;		/* a waiter that may not collect through ->poll */
	u32 blocked_writers;		/* writers asleep at the ceiling */
	struct oefd_rings *rings;	/* NULL until writers contend */
	u64 reads;			/* with the writes: CONFIGURE refused once used */
	u64 slow_writes;
	u64 wakeups;
	u64 coalesced;			/* locked writes under an uncollected wakeup */
	int id;
};

/* GET_STATS's numbers, and what only fdinfo shows. */
struct oefd_stats {
	struct ohos_efd_stats abi;
	/* Writes that sent no wakeup: one sent earlier was still uncollected. */
	u64 coalesced;
};

/*
 * The tracepoints' values (ohos_eventfd_trace.h); ohos_eventfd(4) and
 * docs/debugging.md give the numbers, which bpftrace filters use.
 */
enum oefd_write_path {
	OEFD_PATH_LOCKED = 0,
	OEFD_PATH_RING = 1,
};

enum oefd_wake_result {
	OEFD_WAKE_SENT = 0,
	OEFD_WAKE_COALESCED = 1,	/* one sent earlier is still uncollected */
	OEFD_WAKE_NO_WAITER = 2,
	OEFD_WAKE_NO_TRANSITION = 3,	/* transition mode: no 0 <-> non-0 or full change */
};

enum oefd_ring_result {
	OEFD_RING_INSTALLED = 0,
	OEFD_RING_EXISTED = 1,		/* another install gave the CPU one */
	OEFD_RING_RACED = 2,		/* another install filled the table */
	OEFD_RING_NOMEM = 3,
};

/*
 * May a push skip the lock: nobody to wake (or a wakeup still to be
 * collected), and far from the ceiling?
 * oefd_ring_push() checks it, and oefd_write_value() before calling it.
 */
static inline bool oefd_fast_allowed(struct ohos_eventfd_ctx *ctx)
{
	if (!READ_ONCE(ctx->fast_ok))
		return false;
	if (READ_ONCE(ctx->mode) == OHOS_EFD_MODE_TRANSITION)
		return !READ_ONCE(ctx->armed);
	/*
	 * Lockless: ordered by the smp_mb() in oefd_ring_push() and its pair.
	 * A wakeup still to be collected covers this write (oefd_poll()).
	 */
	return !waitqueue_active(&ctx->wqh) || READ_ONCE(ctx->wake_pending);
}

/* ring.c */
extern u64 oefd_fast_limit;
int oefd_rings_init(void);
void oefd_rings_exit(void);
bool oefd_ring_push(struct ohos_eventfd_ctx *ctx, struct oefd_rings *rings, u32 value);
struct oefd_ring *oefd_ring_of(struct ohos_eventfd_ctx *ctx, unsigned int cpu);
int oefd_ring_install(struct ohos_eventfd_ctx *ctx, unsigned int cpu, gfp_t gfp);
void oefd_rings_free(struct oefd_rings *rings);
void oefd_drain_rings(struct ohos_eventfd_ctx *ctx, struct oefd_rings *rings);
void oefd_quiesce(struct ohos_eventfd_ctx *ctx);
u64 oefd_snapshot(struct ohos_eventfd_ctx *ctx);
u64 oefd_fast_writes(struct ohos_eventfd_ctx *ctx);
void oefd_fast_stats(struct ohos_eventfd_ctx *ctx, u64 *writes, u64 *coalesced);
unsigned int oefd_ring_count(struct ohos_eventfd_ctx *ctx);

/* counter.c */
ssize_t oefd_read(struct kiocb *iocb, struct iov_iter *to);
ssize_t oefd_write(struct file *file, const char __user *buf, size_t size,
		   loff_t *ppos);
__poll_t oefd_poll(struct file *file, poll_table *wait);
int oefd_set_mode(struct ohos_eventfd_ctx *ctx, u32 mode);
void oefd_ctx_stats(struct ohos_eventfd_ctx *ctx, struct oefd_stats *st);
int oefd_configure(struct ohos_eventfd_ctx *ctx,
		   const struct ohos_efd_config *cfg);

/* counter.c and file.c: static (VISIBLE_IF_KUNIT) but for the KUnit suite. */
#if IS_ENABLED(CONFIG_KUNIT)
void oefd_drain(struct ohos_eventfd_ctx *ctx);
int oefd_take(struct ohos_eventfd_ctx *ctx, bool nowait, u64 *cnt);
int oefd_write_value(struct ohos_eventfd_ctx *ctx, u64 value, bool nowait);
__poll_t oefd_mask(struct ohos_eventfd_ctx *ctx);
struct ohos_eventfd_ctx *oefd_ctx_create(unsigned int initval, u32 flags);
#endif

#endif /* _OHOS_EVENTFD_INTERNAL_H */
