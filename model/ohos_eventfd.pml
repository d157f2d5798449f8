/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * ohos_eventfd.pml: a Promela model of the protocol of module/ring.c and
 * module/counter.c (per-CPU rings of pending increments, the Dekker pair between pushers
 * and waiters, the quiesce, the fold with its ceiling guard, the seqcount
 * snapshot, transition-mode arming, the coalesced exact wakeups of issue 15:
 * wake_pending). model/README.md says how to run it;
 * docs/design.md, section 6, says what it covers and what it abstracts.
 *
 * One proctype per role; each names the C function(s) it models. Every
 * step that another CPU can observe is its own Promela step, except where
 * a comment says why merging it with a neighbour loses no behaviour.
 *
 * Memory model: x86-TSO for the flags of the Dekker pair. Each process is
 * a CPU with a FIFO store buffer (sb[me]); stores to the flags (pushing,
 * armed, fast_ok, the wait queue's "non-empty", mode, wake_pending) and
 * the spin_unlock() store of wqh.lock go into it, a separate process (tso)
 * commits the oldest entry of any buffer at any time, a CPU's loads of a
 * flag see its own newest buffered store first (store forwarding), and
 * smp_mb() / a locked RMW (spin_lock) empties the buffer. Stores to the
 * other shared variables (count, seq, head, tail, slots, the ghost state)
 * are visible at once, after the CPU's earlier buffered stores (the
 * buffer is emptied first, keeping TSO's store order).
 *
 * Scenarios (-DSCEN=n, one per spin run):
 *   1 exact mode: two CPUs push 1 and 2, a blocking reader, a poller
 *   2 transition mode: CPU 0 writes 1 then 4, CPU 1 writes 2, an
 *     in-kernel consumer reading in its wakeup callback
 *   3 transition mode: two pushes, a poller that arms, a blocking reader
 *   4 ceiling: count starts at 1 (fast limit 2, COUNT_MAX 10), pushes of
 *     1 and 2, a locked O_NONBLOCK write of 7, a poller's snapshot
 *   5 mode switch exact -> transition under a blocking reader
 *   6 mode switch transition -> exact under a blocking reader
 *   7 coalesced exact wakeups: CPU 0 writes 1 then 4 (locked), CPU 1
 *     writes 2, an EPOLLET epoll watcher that never reads (property 5:
 *     no lost edge)
 *
 * Mutations (each must make spin report an error):
 *   NO_PUSH_MB       deletes the smp_mb() in oefd_ring_push()
 *   NO_QUIESCE       deletes oefd_quiesce() from oefd_catch_pushes()
 *                    (the fast-path stop, arming and waiters' catch)
 *   NO_SECOND_HEADS  deletes the second collect of the heads (oefd_heads())
 *                    from oefd_snapshot()
 *   NO_DOREAD_ARM    deletes the oefd_arm_locked() in
 *                    ohos_eventfd_ctx_do_read()
 *   NO_POLL_MB       deletes the smp_mb() in oefd_poll()
 *   NO_GUARD         folds a ring without the ceiling guard of
 *                    oefd_drain_rings() (the order KUnit caught)
 *   NO_SETCOUNT_SEQ  oefd_set_count() without its seqcount write section
 *                    (a lockless snapshot then sums an old count with
 *                    newer rings)
 *   NO_SET_MODE_WAKE oefd_set_mode() does not wake for the pushes it
 *                    caught (the C code before the model found scenario
 *                    5 and 6's lost wakeups)
 *   NO_POLL_CLEAR    oefd_poll() does not clear wake_pending (rule 4)
 *   WAKE_PENDING_LATE oefd_wake() sets wake_pending after the wakeup
 *                    callbacks ran instead of before (a collection woken
 *                    by the callback reads it false and skips its clear)
 *   NO_CLEAR_CATCH   oefd_poll() clears wake_pending without the catch
 *                    (no smp_mb(), quiesce, drain before its snapshot)
 */

#ifndef SCEN
#define SCEN 1
#endif

#if SCEN == 7
#define HAVE_EPOLLER	/* wake() runs ep_poll_callback() */
#endif

/* ---- constants (abstract values) ---------------------------------- */

#define NCPU		2	/* CPUs with a ring */
#define SLOTS		2	/* OEFD_RING_SLOTS */
#define FAST_MAX	2	/* OEFD_FAST_MAX: the largest push */
#if SCEN == 4
#define INIT		1
#define LIMIT		2	/* oefd_fast_limit = COUNT_MAX - NCPU*SLOTS*FAST_MAX */
#else
#define INIT		0
#define LIMIT		8
#endif
#define COUNT_MAX	(LIMIT + NCPU * SLOTS * FAST_MAX)	/* 0xff..fe */
#define UMAX		(COUNT_MAX + 1)				/* ULLONG_MAX */

#define EXACT		0
#define TRANS		1
#if SCEN == 2 || SCEN == 3 || SCEN == 6
#define MODE0		TRANS
#else
#define MODE0		EXACT
#endif

#define EPOLLIN		1
#define EPOLLOUT	4

/* wait queue entries (bits of onq) */
#define QR		1	/* blocking reader: default_wake_function */
#define QP		2	/* poller: pollwake(), EPOLLIN only */
#define QC		4	/* in-kernel consumer: its callback reads */
#define QE		8	/* epoll watcher: ep_poll_callback(), EPOLLIN */

/* ---- buffered flags ------------------------------------------------ */

#define F_PUSHING	0	/* + cpu: ring->pushing */
#define F_ARMED		2
#define F_FASTOK	3
#define F_WQ		4	/* waitqueue_active(): the entry bits */
#define F_MODE		5
#define F_LOCK		6	/* wqh.lock: 1 held */
#define F_WP		7	/* wake_pending (exact mode) */
#define NF		8

#define NP		4	/* processes with a store buffer */
#define B		4	/* store buffer entries */

typedef sbuf {
	byte v[B];
	byte x[B];
	byte n
};

byte mem[NF];
sbuf sb[NP];

/* ---- shared state (visible at once) -------------------------------- */

byte count = INIT;
byte seq;
byte head[NCPU];
byte tail[NCPU];
byte slot[NCPU * SLOTS];
byte onq;			/* wait queue entries; under the lock */

/* tasks */
bit rst;			/* blocking reader: 1 TASK_INTERRUPTIBLE */
bit ptrig;			/* poller: poll_table_entry triggered */
bit creg;			/* consumer registered (callback live); it is
				 * a foreign waiter: foreign_waiter */
#ifdef HAVE_EPOLLER
bit rdy;			/* the epitem is on the ready list (rdllist or
				 * ovflist): ep_poll_callback() put it there */
bit esl;			/* epoll_wait() sleeps on an empty ready list */
#endif

/* ---- ghost state --------------------------------------------------- */

byte total = INIT;		/* the counter's value, changed at lin. points */
byte running;			/* worker processes not finished nor asleep */
byte asleep;			/* QR/QP: asleep and not woken */
bit snapon[2];			/* a snapshot call is in progress */
int seen[2];			/* bitmap of the totals during that call */
#ifdef HAVE_EPOLLER
/*
 * Property 5 (no lost edge). The writes are 1, 2 and 4, once each, and
 * the watcher never reads: the total is the set of writes that reached
 * their linearization point, and a ->poll's snapshot result r contains
 * write w exactly when r & w.
 */
byte uncov;			/* writes in no collection's result yet */
byte relied;			/* writes that returned relying on the
				 * collection in progress */
bit ereg;			/* the watcher's entry is on the queue */
bit coll;			/* a collection (->poll of the watcher) is in
				 * progress: from the unlink to its return */
bit edue;			/* a wake() under the lock will run the
				 * watcher's callback */
#endif

hidden byte k;			/* d_step scratch */

/* Events for counterexample traces (spin -t); pan does not print them. */
#define EV2(msg, a, b)							\
	printf("EV %d: ", me); printf(msg); printf(" %d %d\n", a, b)

#if SCEN != 5 && SCEN != 6
#define MODE_FIXED	/* no role changes the mode */
#endif
#if SCEN == 2
#define HAVE_CONSUMER	/* wake() runs the consumer's callback */
#endif
#if defined(MODE_FIXED) && MODE0 == TRANS
#define NO_WP		/* wake_pending stays false: not modelled */
#endif
bit init_done;			/* init has started every role */

/* ---- store buffer primitives ---------------------------------------- */

/*
 * Merging steps: a CPU's step may be merged with the step after it when
 * that one is invisible to the other processes: a load or store of a
 * local, a store into its own buffer (nobody sees it before the tso
 * process commits it, and enqueueing commutes with that commit), or,
 * under wqh.lock, a load of a flag only lock holders write (fast_ok,
 * mode, the wait queue): no other process can write it then, and the
 * previous holder's buffered stores were committed before its unlock.
 * Such merges remove only interleavings equivalent to ones kept.
 */

/* Own view of flag f into r: newest own buffered store, else memory. */
#define LDBODY(f, r)							\
	r = mem[f];							\
	k = 0;								\
	do								\
	:: k < sb[me].n ->						\
		if							\
		:: sb[me].v[k] == f -> r = sb[me].x[k]			\
		:: else -> skip						\
		fi;							\
		k++							\
	:: else -> break						\
	od;								\
	k = 0

inline ld(f, r)
{
	d_step { LDBODY(f, r) }
}

#define STBODY(f, val)							\
	assert(sb[me].n < B);						\
	sb[me].v[sb[me].n] = f;						\
	sb[me].x[sb[me].n] = val;					\
	sb[me].n++

inline st(f, val)
{
	d_step { STBODY(f, val) }
}

/* Empty own buffer into memory, oldest first. */
#define FLUSHBODY							\
	k = 0;								\
	do								\
	:: k < sb[me].n ->						\
		mem[sb[me].v[k]] = sb[me].x[k];				\
		sb[me].v[k] = 0;					\
		sb[me].x[k] = 0;					\
		k++							\
	:: else -> break						\
	od;								\
	sb[me].n = 0;							\
	k = 0

/* smp_mb(): a full barrier drains the store buffer. */
inline mb()
{
	d_step { FLUSHBODY }
}

/* The TSO machinery: commit the oldest store of buffer i. */
#define COMMIT(i)							\
	d_step {							\
		sb[i].n > 0 ->						\
		mem[sb[i].v[0]] = sb[i].x[0];				\
		k = 1;							\
		do							\
		:: k < sb[i].n ->					\
			sb[i].v[k - 1] = sb[i].v[k];			\
			sb[i].x[k - 1] = sb[i].x[k];			\
			k++						\
		:: else -> break					\
		od;							\
		sb[i].n--;						\
		sb[i].v[sb[i].n] = 0;					\
		sb[i].x[sb[i].n] = 0;					\
		k = 0							\
	}

active proctype tso()
{
end:
	do
	:: COMMIT(0)
	:: COMMIT(1)
	:: COMMIT(2)
	:: COMMIT(3)
	od
}

/* spin_lock_irq(): a locked RMW, so it drains the buffer first. */
inline lock()
{
	d_step { mem[F_LOCK] == 0 -> FLUSHBODY; mem[F_LOCK] = 1 }
}

/* spin_unlock_irq(): a plain (release) store, buffered. */
inline unlock()
{
	st(F_LOCK, 0)
}

/* ---- ghost updates ------------------------------------------------- */

/* Every change of the total: record it for snapshots in progress. */
#define TOTAL_SET(x)							\
	total = x;							\
	assert(total <= COUNT_MAX);					\
	if								\
	:: snapon[0] -> seen[0] = seen[0] | (1 << total)		\
	:: else -> skip							\
	fi;								\
	if								\
	:: snapon[1] -> seen[1] = seen[1] | (1 << total)		\
	:: else -> skip							\
	fi

/* Sum of ring c's slots from tail t up to head h, into s. */
#define RINGSUM(c, t, h, s)						\
	s = 0;								\
	k = t;								\
	do								\
	:: k != h -> s = s + slot[(c) * SLOTS + k % SLOTS]; k++	\
	:: else -> break						\
	od;								\
	k = 0

/* ---- the core ------------------------------------------------------ */

/*
 * oefd_quiesce(): for each ring (every CPU has one), spin while its
 * pushing is 1.
 */
inline quiesce()
{
	q = 0;
	do
	:: q < NCPU ->
		atomic { mem[F_PUSHING + q] == 0 };
		q++
	:: else -> break
	od;
	q = 0
}

/*
 * oefd_drain_rings(): inside a seqcount write section, per ring:
 * acquire head, sum the slots, the ceiling guard, release tail, count +=.
 *
 * Ring c's read: the acquire of head and the slots after
 * it; merged: fast_ok (lock holders write it) and, when the guard fires,
 * the store of fast_ok = 0 into the buffer. Merged too: each store with
 * the next read (write_seqcount_begin with ring 0's read, ring c's
 * release with ring c+1's read, the last release with
 * write_seqcount_end). A store S and a later load L of one CPU may be
 * one step when no single step of another process both reads what S
 * writes and writes what L reads: a push writes head but reads
 * no seq, count or tail in that step; a snapshot reads them but writes
 * nothing the drain reads.
 */
#ifndef NO_GUARD
#define GUARD_DECIDE							\
	if								\
	:: r && sum > LIMIT - count -> STBODY(F_FASTOK, 0); g = 1	\
	:: else -> skip							\
	fi
#else
#define GUARD_DECIDE skip
#endif

#define RING_READ							\
	h = head[c];							\
	RINGSUM(c, tail[c], h, sum);					\
	LDBODY(F_FASTOK, r);						\
	GUARD_DECIDE;							\
	r = 0

inline drain()
{
	d_step {
		FLUSHBODY;
		seq++;				/* write_seqcount_begin */
		c = 0;
		RING_READ
	};
	do
	::
		/* the ceiling guard: smp_mb, quiesce, re-read head */
		if
		:: g ->
			g = 0;
			EV2("drain: ceiling guard on ring", c, 0);
			mb();
			quiesce();
			d_step { h = head[c]; RINGSUM(c, tail[c], h, sum) }
		:: else -> skip
		fi;
		d_step {
			/* oefd_ring_release(); count += sum: the total
			 * does not change */
			FLUSHBODY;
			tail[c] = h;
			count = count + sum;
			/* the ceiling invariant: fast_ok => count <= limit */
			assert(!mem[F_FASTOK] || count <= LIMIT);
			h = 0; sum = 0;
			c++;
			if
			:: c < NCPU -> RING_READ
			:: else -> FLUSHBODY; seq++; c = 0	/* write_seqcount_end */
			fi
		};
		if
		:: c == 0 -> break
		:: else -> skip
		fi
	od;
	c = 0		/* a landing for the break: not a d_step */
}

/* oefd_catch_pushes(): smp_mb, quiesce, drain. */
inline catch_pushes()
{
	mb();
#ifndef NO_QUIESCE
	quiesce();
#endif
	drain()
}

/*
 * Under wqh.lock: WRITE_ONCE(wake_pending, false), then
 * oefd_catch_pushes(). The store goes into the buffer and the catch's
 * smp_mb() empties it at once: one step. This is the collector's side of
 * the Dekker pair with the push (store wake_pending, smp_mb, quiesce's
 * loads of pushing).
 */
inline clear_wp_catch()
{
	d_step { STBODY(F_WP, 0); FLUSHBODY };
#ifndef NO_QUIESCE
	quiesce();
#endif
	drain()
}

/*
 * oefd_poll() after poll_wait() and its smp_mb() (rule 4): if
 * READ_ONCE(wake_pending), take the lock and oefd_end_coalescing(): if
 * it is still set (the load is merged with the lock: only lock holders
 * write it), clear it and catch the pushes; unlock. Every ->poll call
 * does it, with or without a poll table.
 */
inline poll_clear()
{
#if !defined(NO_WP) && !defined(NO_POLL_CLEAR)
	ld(F_WP, r);
	if
	:: r ->
		EV2("poll: wake_pending set: clears it under the lock (count, 0)", count, 0);
		d_step { mem[F_LOCK] == 0 -> FLUSHBODY; mem[F_LOCK] = 1; LDBODY(F_WP, r) };
		if
		:: r ->
			r = 0;
#ifndef NO_CLEAR_CATCH
			clear_wp_catch()
#else
			st(F_WP, 0)
#endif
		:: else -> skip
		fi;
		unlock()
	:: else -> skip
	fi
#else
	skip
#endif
}

/* oefd_fast_stop() */
inline fast_stop()
{
	d_step {
		LDBODY(F_FASTOK, r);
		if
		:: r -> STBODY(F_FASTOK, 0)
		:: else -> skip
		fi
	};
	if
	:: r -> r = 0; catch_pushes()
	:: else -> drain()
	fi
}

/* oefd_fast_resume() */
inline fast_resume()
{
	d_step {
		LDBODY(F_FASTOK, r);
		if
		:: !r && count <= LIMIT -> STBODY(F_FASTOK, 1)
		:: else -> skip
		fi;
		r = 0
	}
}

/* oefd_arm_locked() */
inline arm_locked()
{
	EV2("arm: armed = 1 under the lock (count, 0)", count, 0);
	st(F_ARMED, 1);
	catch_pushes()
}

/*
 * oefd_consume() (not semaphore mode): take the count in one
 * oefd_set_count() write section. The section is one step: a snapshot
 * that overlaps it retries whether or not it saw the odd sequence.
 */
inline consume(cnt)
{
	d_step {
		FLUSHBODY;
		cnt = count;
		EV2("consume: takes (count, 0)", count, 0);
#ifndef NO_SETCOUNT_SEQ
		seq = seq + 2;
#endif
		count = 0;
		TOTAL_SET(total - cnt)
	};
	fast_resume()
}

/* ohos_eventfd_ctx_do_read(), called by the consumer's wakeup callback. */
inline do_read()
{
	drain();
	d_step { LDBODY(F_MODE, r) };
	if
#ifndef NO_DOREAD_ARM
	:: r == TRANS -> r = 0; arm_locked()
#endif
	:: else -> r = 0
	fi;
	consume(ccnt);
	ccnt = 0
}

/* A task wakeup: try_to_wake_up() of the blocking reader. */
#define WAKE_R								\
	rst = 0;							\
	if								\
	:: asleep & QR -> asleep = asleep & ~QR; running++		\
	:: else -> skip							\
	fi

/*
 * oefd_wake(): clears armed, then wake_up_locked_poll() calls every entry:
 * the consumer's callback reads (ohos_eventfd_ctx_do_read()), pollwake()
 * triggers the poller on EPOLLIN, the reader's default_wake_function()
 * wakes it whatever the key.
 */
/*
 * Rule 1: a wakeup with EPOLLIN to a non-empty queue, in exact mode, with
 * no foreign waiter (creg: the in-kernel consumer): wake_pending = true
 * (a buffered store; the mode is loaded under the lock). Set before the
 * entries are called, so a collection that a callback starts reads it.
 */
#ifdef NO_WP
#define SET_WP(key) skip
#else
#define SET_WP(key)							\
	if								\
	:: (key & EPOLLIN) && onq != 0 && !creg ->			\
		LDBODY(F_MODE, r);					\
		if							\
		:: r == EXACT -> STBODY(F_WP, 1)			\
		:: else -> skip						\
		fi							\
	:: else -> skip							\
	fi
#endif
#ifdef HAVE_EPOLLER
#define EDUE_SET(key)	edue = ((onq & QE) && (key & EPOLLIN))
#else
#define EDUE_SET(key)	skip
#endif

inline wake(key)
{
	EV2("oefd_wake (key, queue)", key, onq);
	d_step {
		LDBODY(F_ARMED, r);
		if
		:: r -> STBODY(F_ARMED, 0)
		:: else -> skip
		fi;
#ifndef WAKE_PENDING_LATE
		SET_WP(key);
#endif
		EDUE_SET(key);
		r = 0
	};
#ifdef HAVE_CONSUMER
	if
	:: (onq & QC) && (key & EPOLLIN) -> do_read()
	:: else -> skip
	fi;
#endif
	if
	:: (onq & QP) && (key & EPOLLIN) ->
		d_step {
			FLUSHBODY;
			ptrig = 1;
			if
			:: asleep & QP -> asleep = asleep & ~QP; running++
			:: else -> skip
			fi
		}
	:: else -> skip
	fi;
	if
	:: onq & QR -> d_step { FLUSHBODY; WAKE_R }
	:: else -> skip
	fi;
#ifdef HAVE_EPOLLER
	/* ep_poll_callback(): the item on the ready list, wake epoll_wait() */
	if
	:: (onq & QE) && (key & EPOLLIN) ->
		d_step {
			FLUSHBODY;
			rdy = 1;
			edue = 0;
			if
			:: esl -> esl = 0; running++
			:: else -> skip
			fi;
			printf("EV %d: ep_poll_callback: item on the ready list %d 0\n", me, count)
		}
	:: else -> skip
	fi;
#endif
#ifdef WAKE_PENDING_LATE
	d_step { SET_WP(key); r = 0 };
#endif
	skip
}

/* oefd_arm(): transition mode, count 0, someone waits: arm, wake if caught. */
inline arm()
{
	d_step { LDBODY(F_MODE, r) };
	if
	:: r == TRANS && count == 0 && onq != 0 ->	/* oefd_arm_waiters() */
		r = 0;
		arm_locked();
		if
		:: count -> wake(EPOLLIN)
		:: else -> skip
		fi
	:: else -> r = 0
	fi
}

/* oefd_wake_after_read() */
inline wake_after_read(before)
{
	d_step { LDBODY(F_MODE, r) };
	if
	:: r == EXACT || before >= COUNT_MAX -> r = 0; wake(EPOLLOUT)
	:: else -> r = 0
	fi;
	arm()
}

/*
 * oefd_snapshot(): quiesce, then the seqcount loop; each ring: tail,
 * acquire head, the slots (one step: the slots up to head are written
 * before head is released and not reused before a fold, which the
 * seqcount catches; tail moves only in a fold); then the second collect
 * of the heads (oefd_heads()). sid: which ghost record to use.
 */
inline snapshot(res)
{
	d_step { snapon[sid] = 1; seen[sid] = 1 << total };
	quiesce();
	do
	::	/* read_seqcount_begin(), then count (merged: a write of
		 * count in between changes seq: the pass retries) */
		atomic { (seq % 2) == 0 -> s = seq; res = count };
		hs = 0;
		c = 0;
		do
		:: c < NCPU ->
			d_step {
				h = head[c];
				hs = hs + h;
				RINGSUM(c, tail[c], h, sum);
				res = res + sum;
				h = 0; sum = 0
			};
			c++
		:: else -> break
		od;
		c = 0;
		/*
		 * read_seqcount_retry(), then the second collect of the heads
		 * (oefd_heads()), in one step: heads only grow and no fold
		 * moves them, so a push between these loads makes the C code
		 * retry where the model may not; that retry reaches the
		 * state the model reaches with the push before the step.
		 */
		d_step {
			g = (seq != s);
#ifndef NO_SECOND_HEADS
			if
			:: !g ->
				hs2 = 0;
				c = 0;
				do
				:: c < NCPU ->
					hs2 = hs2 + head[c];
					c++
				:: else -> break
				od;
				c = 0;
				g = (hs2 != hs)
			:: else -> skip
			fi;
#endif
			hs2 = 0
		};
		if
		:: !g -> break
		:: else -> g = 0
		fi
	od;
	EV2("snapshot: returns (result, seen bitmap)", res, seen[sid]);
	atomic {
		/* Property 3: the result is a total that existed during the call. */
		assert((seen[sid] >> res) & 1);
		snapon[sid] = 0; seen[sid] = 0;
		s = 0; hs = 0; hs2 = 0
	}
}

/* oefd_mask(): snapshot; transition mode and 0: arm locklessly, mb, again. */
inline mask(res)
{
	snapshot(res);
	if
	:: res == 0 ->
		ld(F_MODE, r);
		if
		:: r == TRANS ->
				EV2("oefd_mask: armed = 1 without the lock (0, 0)", 0, 0);
			st(F_ARMED, 1);
			mb();
			snapshot(res)
		:: else -> skip
		fi;
		r = 0
	:: else -> skip
	fi
}

/* The locals every role uses (inlines share them). */
#define LOCALS								\
	byte r, c, q, h, sum, s, hs, hs2, ccnt;				\
	bit g

/* ---- roles ------------------------------------------------------------ */

/*
 * Property 5's ghost steps (scenario 7). WROTE: at a write's
 * linearization point. WRITE_RETURNS: merged with the write's last step
 * (the earliest moment it can return): a write whose value is in no
 * collection's result needs a wakeup due (the item on the ready list, or a
 * wake() under way that calls the watcher's callback), or a collection
 * in progress whose result then contains it (asserted in collected()).
 * A write that returns before the watcher is on the queue owes no edge:
 * the EPOLL_CTL_ADD ->poll that follows covers it.
 */
#ifdef HAVE_EPOLLER
#define WROTE(wv)	uncov = uncov | (wv)
#define WRITE_RETURNS(wv)						\
	if								\
	:: (uncov & (wv)) && ereg && !rdy && !edue ->			\
		assert(coll);						\
		relied = relied | (wv)					\
	:: else -> skip							\
	fi
#else
#define WROTE(wv)	skip
#define WRITE_RETURNS(wv) skip
#endif

/*
 * oefd_write_value() on CPU cpu: oefd_ring_push(); refused: oefd_add()
 * with O_NONBLOCK. The lockless pre-check of oefd_fast_allowed() in
 * oefd_write_value() is left out: it can only send a write to oefd_add()
 * early, and a push refused later does too.
 */
inline write_value(wv)
{
	if
	:: wv <= FAST_MAX ->
		/*
		 * oefd_ring_push() (the ring found: its installation is
		 * not modelled, docs/design.md): the store goes into the
		 * buffer; smp_mb() empties it.
		 */
		d_step {
			STBODY(F_PUSHING + cpu, 1);
#ifndef NO_PUSH_MB
			FLUSHBODY;			/* smp_mb() */
#endif
			r = 0
		};
		/*
		 * smp_load_acquire(tail), then oefd_fast_allowed(): fast_ok,
		 * mode, armed or the wait queue, each its own load. Each CPU
		 * pushes at most once in every scenario, so the ring never
		 * fills and tail decides nothing: it is read with
		 * fast_ok. Where no role changes the mode, it is constant and
		 * read with fast_ok too.
		 */
		d_step {
			t = tail[cpu];
			LDBODY(F_FASTOK, r);
			ok = r;
#ifdef MODE_FIXED
			LDBODY(F_MODE, m);
#endif
			r = 0
		};
#ifndef MODE_FIXED
		if
		:: ok -> ld(F_MODE, m)
		:: else -> skip
		fi;
#endif
		if
		:: ok && m == TRANS ->
			ld(F_ARMED, r);
			EV2("push: saw fast_ok, mode transition, armed (cpu, armed)", cpu, r);
			ok = !r
		:: ok && m == EXACT ->
			ld(F_WQ, r);
			EV2("push: saw fast_ok, mode exact, wait queue (cpu, entries)", cpu, r);
			ok = (r == 0);
#ifndef NO_WP
			/* rule 3: !waitqueue_active() || wake_pending */
			if
			:: !ok ->
				ld(F_WP, r);
				EV2("push: wait queue not empty, wake_pending (cpu, wake_pending)", cpu, r);
				ok = r
			:: else -> skip
			fi;
#endif
			r = 0
		:: else -> EV2("push: saw fast_ok (cpu, fast_ok)", cpu, ok)
		fi;
		d_step {
			if
			:: ok && head[cpu] - t < SLOTS ->
				/* the slot, then smp_store_release(head):
				 * the push's linearization point */
				FLUSHBODY;
				slot[cpu * SLOTS + head[cpu] % SLOTS] = wv;
				head[cpu]++;
				TOTAL_SET(total + wv);
				WROTE(wv);
				pushed = 1
			:: else -> skip
			fi;
			/* smp_store_release(pushing, 0), into the buffer */
			STBODY(F_PUSHING + cpu, 0);
			t = 0; ok = 0; r = 0; m = 0
		};
		if
		:: pushed -> EV2("push: on the ring (cpu, value)", cpu, wv)
		:: else -> EV2("push: refused, takes the lock (cpu, value)", cpu, wv)
		fi
	:: else -> skip
	fi;
	if
	:: !pushed ->
		/* oefd_add(wv, nowait) */
		lock();
		drain();
		d_step { LDBODY(F_FASTOK, r); ok = (!r || wv > LIMIT - count); r = 0 };
		if
		:: ok -> ok = 0; fast_stop()
		:: else -> skip
		fi;
		if
		:: UMAX - count <= wv ->
			/* EAGAIN: judged exactly, as eventfd */
			EV2("locked write: EAGAIN (value, count)", wv, count);
			assert(count == total && total + wv > COUNT_MAX)
		:: else ->
			before = count;
			d_step {			/* oefd_set_count() */
				FLUSHBODY;
#ifndef NO_SETCOUNT_SEQ
				seq = seq + 2;
#endif
				count = count + wv;
				TOTAL_SET(total + wv);
				WROTE(wv);
				LDBODY(F_MODE, r);
				ok = (r == EXACT || before == 0);
#ifndef NO_WP
				/* rule 2: exact mode skips the wakeup while
				 * wake_pending is set (loaded under the lock) */
				if
				:: r == EXACT ->
					LDBODY(F_WP, r);
					wps = r;
					ok = ok && !wps
				:: else -> skip
				fi;
#endif
				before = 0; r = 0
			};
			EV2("locked write: count += value (value, count)", wv, count);
			if
			:: ok -> ok = 0; wake(EPOLLIN)
			:: wps ->
				wps = 0;
				EV2("locked write: wake_pending set, no wakeup (value, count)", wv, count)
			:: else ->
				ld(F_ARMED, r);
				if
				:: r -> r = 0; wake(EPOLLIN)
				:: else -> skip
				fi
			fi
		fi;
		unlock()
	:: else -> skip
	fi;
	d_step {
		pushed = 0;
		WRITE_RETURNS(wv)
	}
}

/* A writer: one or two writes (v2 = 0: none) from CPU cpu. */
proctype writer(byte me; byte cpu; byte v1; byte v2)
{
	LOCALS;
	bit ok, pushed, wps;
	byte t, before, m;

	write_value(v1);
#if SCEN == 2 || SCEN == 7
	if
	:: v2 -> write_value(v2)
	:: else -> skip
	fi;
#endif
	running--
}

#if SCEN == 1 || SCEN == 3 || SCEN == 5 || SCEN == 6
/*
 * A blocking read(2): oefd_take(nowait = false) with oefd_wait() and
 * oefd_readable(); oefd_consume(), oefd_wake_after_read().
 */
proctype reader(byte me)
{
	LOCALS;
	bit ready;
	byte cnt, before;

	lock();
	drain();
	if
	:: count == 0 ->
		/* oefd_wait(): __add_wait_queue_entry_tail() */
		d_step { onq = onq | QR; STBODY(F_WQ, onq) };
		do
		::
			/* set_current_state(): store + smp_mb() */
			d_step { FLUSHBODY; rst = 1 };
			/* oefd_readable() */
			drain();
			if
			:: count -> ready = 1
			:: else ->
				d_step { LDBODY(F_MODE, r) };
				if
				:: r == TRANS -> r = 0; arm_locked()
#ifdef NO_WP
				:: else -> catch_pushes()
#else
				/* rule 5: clear wake_pending, then catch */
				:: else -> clear_wp_catch()
#endif
				fi;
				ready = (count != 0)
			fi;
			if
			:: ready -> break
			:: else -> skip
			fi;
			EV2("reader: sleeps (count, total)", count, total);
			unlock();
			/* schedule(): asleep until a wakeup sets rst = 0 */
			atomic {
				if
				:: rst -> asleep = asleep | QR; running--
				:: else -> skip
				fi
			};
end_sleep:		rst == 0;
			lock()
		od;
		atomic { onq = onq & ~QR; STBODY(F_WQ, onq); rst = 0 }
	:: else -> skip
	fi;
	d_step { before = count; ready = 0 };
	consume(cnt);
	EV2("reader: read returns (value, 0)", cnt, 0);
	cnt = 0;
	wake_after_read(before);
	before = 0;
	unlock();
	running--
}
#endif

#if SCEN == 1 || SCEN == 3 || SCEN == 4
/*
 * poll(2)/epoll: oefd_poll(): poll_wait() adds the entry under the lock,
 * smp_mb(), oefd_mask(); no EPOLLIN: sleep until pollwake() triggers,
 * then poll again. The entry stays (epoll).
 */
proctype poller(byte me; byte sid)
{
	LOCALS;
	byte tot;

	lock();
	d_step { onq = onq | QP; STBODY(F_WQ, onq) };
	unlock();
	do
	::
#ifndef NO_POLL_MB
		mb();
#endif
		poll_clear();
		mask(tot);
		EV2("poller: oefd_mask total (total, 0)", tot, 0);
		if
		:: tot > 0 -> break
		:: else -> skip
		fi;
		/* poll_schedule_timeout() */
		atomic {
			if
			:: !ptrig -> asleep = asleep | QP; running--
			:: else -> skip
			fi
		};
end_sleep:	ptrig == 1;
		ptrig = 0
	od;
	running--
}
#endif

#if SCEN == 2
/*
 * An in-kernel consumer (as KVM's irqfd does with eventfd): registers its
 * entry by polling (oefd_poll()), and reads with
 * ohos_eventfd_ctx_do_read() under the lock in its wakeup callback
 * (wake() above) and, when the registration poll reports EPOLLIN, once
 * after it. Its end: the callback stays live.
 */
proctype consumer(byte me; byte sid)
{
	LOCALS;
	byte tot;

	lock();
	d_step { onq = onq | QC; STBODY(F_WQ, onq); creg = 1 };
	unlock();
#ifndef NO_POLL_MB
	mb();
#endif
	mask(tot);
	EV2("consumer: registered, oefd_mask total (total, 0)", tot, 0);
	if
	:: tot > 0 ->
		lock();
		do_read();
		unlock()
	:: else -> skip
	fi;
	tot = 0;
	running--
}
#endif

#ifdef HAVE_EPOLLER
/*
 * The end of a collection's ->poll (property 5): its result r contains
 * the writes in r; those that returned relying on this collection must be
 * among them.
 */
inline collected(tot)
{
	d_step {
		EV2("epoll: ->poll returns (total, uncovered before)", tot, uncov);
		assert((relied & ~tot) == 0);
		uncov = uncov & ~tot;
		relied = 0;
		coll = 0
	}
}

/*
 * An epoll watcher with EPOLLIN | EPOLLET that never reads (a consumer
 * that only counts edges). EPOLL_CTL_ADD: ep_insert() calls ->poll with
 * ep_ptable_queue_proc, so poll_wait() adds the entry under the lock;
 * then oefd_poll() goes on (smp_mb, rule 4, snapshot), and ep_insert()
 * puts the item on the ready list when ->poll reports EPOLLIN.
 * epoll_wait(): sleeps while the ready list is empty; ep_send_events()
 * takes the list, unlinks the item (list_del_init) and calls ->poll
 * without a poll table (ep_item_poll()): a collection. EPOLLET: the item
 * is not put back. A wakeup during the scan goes to ovflist and back on
 * the ready list at ep_done_scan(): here rdy = 1 at any time.
 */
proctype epoller(byte me; byte sid)
{
	LOCALS;
	byte tot;

	lock();
	d_step { onq = onq | QE; STBODY(F_WQ, onq); ereg = 1; coll = 1 };
	unlock();
#ifndef NO_POLL_MB
	mb();
#endif
	poll_clear();
	mask(tot);
	collected(tot);
	if
	:: tot -> d_step { FLUSHBODY; rdy = 1 }	/* ep_insert(): on rdllist */
	:: else -> skip
	fi;
	do
	::
		/* ep_poll(): sleep while the ready list is empty */
		atomic {
			if
			:: !rdy -> esl = 1; running--
			:: else -> skip
			fi
		};
end_sleep:	rdy == 1;
		/* ep_start_scan(), list_del_init(): ep->lock (a locked RMW) */
		d_step { FLUSHBODY; rdy = 0; coll = 1 };
		EV2("epoll_wait: unlinks the item, calls ->poll (count, 0)", count, 0);
#ifndef NO_POLL_MB
		mb();
#endif
		poll_clear();
		mask(tot);
		collected(tot)
	od
}
#endif

#if SCEN == 5 || SCEN == 6
/* oefd_set_mode() */
proctype setmode(byte me; byte mode)
{
	LOCALS;
	byte before;

	lock();
	d_step { LDBODY(F_MODE, r) };
	if
	:: r != mode ->
#ifndef NO_SET_MODE_WAKE
		/*
		 * The C code compares the fast-path write count (a push of 0
		 * owes a wakeup too); every push here is non-zero, so a
		 * push landed exactly when count moved.
		 */
		drain();
		before = count;
#endif
		EV2("set_mode: mode, armed = 0 (mode, count)", mode, count);
		/* rule 6: a mode change clears wake_pending */
		d_step { STBODY(F_MODE, mode); STBODY(F_ARMED, 0); STBODY(F_WP, 0) };
		catch_pushes();
#ifndef NO_SET_MODE_WAKE
		if
		:: count != before -> wake(EPOLLIN)
		:: else -> skip
		fi;
#endif
		arm()
	:: else -> skip
	fi;
	unlock();
	running--
}
#endif

/*
 * The end: when every role has finished or sleeps, nothing will run
 * again. Checks properties 1 and 2 (3 and 4 are asserted where they
 * happen: snapshot(), TOTAL_SET(), the EAGAIN of oefd_add()).
 */
active proctype checker()
{
	byte c, pend, r;

	atomic {
		running == 0 && init_done ->
		c = 0;
		pend = count;
		do
		:: c < NCPU ->
			RINGSUM(c, tail[c], head[c], r);
			pend = pend + r;
			c++
		:: else -> break
		od;
		/* 1. no increment lost: memory holds the total */
		assert(pend == total);
		/* 2. no wakeup lost: no one asleep while the total is not 0 */
		assert(asleep == 0 || total == 0);
		/* 2'. a consumer reading in its callback is left nothing */
		assert(!creg || total == 0);
#ifdef HAVE_EPOLLER
		/* 5. no lost edge: every write is in a collection's result
		 * or the item is on the ready list */
		assert(uncov == 0 || rdy);
#endif
		skip
	}
}

init
{
	atomic {
		mem[F_FASTOK] = (INIT <= LIMIT);	/* oefd_percpu_install() */
		mem[F_MODE] = MODE0;
#if SCEN == 1
		running = 4;
		run writer(0, 0, 1, 0);
		run writer(1, 1, 2, 0);
		run reader(2);
		run poller(3, 0);
#elif SCEN == 2
		running = 3;
		run writer(0, 0, 1, 4);
		run writer(1, 1, 2, 0);
		run consumer(2, 1);
#elif SCEN == 3
		running = 4;
		run writer(0, 0, 1, 0);
		run writer(1, 1, 2, 0);
		run poller(2, 0);
		run reader(3);
#elif SCEN == 4
		running = 4;
		run writer(0, 0, 1, 0);
		run writer(1, 1, 2, 0);
		run writer(2, 0, 7, 0);
		run poller(3, 0);
#elif SCEN == 5
		running = 4;
		run writer(0, 0, 1, 0);
		run writer(1, 1, 2, 0);
		run reader(2);
		run setmode(3, TRANS);
#elif SCEN == 6
		running = 4;
		run writer(0, 0, 1, 0);
		run writer(1, 1, 2, 0);
		run reader(2);
		run setmode(3, EXACT);
#elif SCEN == 7
		running = 3;
		run writer(0, 0, 1, 4);
		run writer(1, 1, 2, 0);
		run epoller(2, 0);
#endif
		init_done = 1
	}
}
