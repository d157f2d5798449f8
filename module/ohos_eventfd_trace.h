/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ohos_eventfd's tracepoints: the ohos_eventfd trace system. Every event
 * carries the counter's id, fdinfo's eventfd-id, so that a trace can be
 * tied to /proc/PID/fdinfo/FD. docs/debugging.md shows them in use.
 * Included by counter.c and ring.c; file.c defines them
 * (CREATE_TRACE_POINTS).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ohos_eventfd

#if !defined(_OHOS_EVENTFD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _OHOS_EVENTFD_TRACE_H

#include <linux/tracepoint.h>

#include "ohos_eventfd_internal.h"

TRACE_DEFINE_ENUM(OEFD_PATH_LOCKED);
TRACE_DEFINE_ENUM(OEFD_PATH_RING);
TRACE_DEFINE_ENUM(OEFD_WAKE_SENT);
TRACE_DEFINE_ENUM(OEFD_WAKE_COALESCED);
TRACE_DEFINE_ENUM(OEFD_WAKE_NO_WAITER);
TRACE_DEFINE_ENUM(OEFD_WAKE_NO_TRANSITION);
TRACE_DEFINE_ENUM(OEFD_RING_INSTALLED);
TRACE_DEFINE_ENUM(OEFD_RING_EXISTED);
TRACE_DEFINE_ENUM(OEFD_RING_RACED);
TRACE_DEFINE_ENUM(OEFD_RING_NOMEM);

/*
 * The values of the ABI's OHOS_EFD_MODE_* and of EPOLLIN, EPOLLOUT,
 * EPOLLERR and EPOLLHUP, literally: perf and trace-cmd parse the format
 * text, which must not hold casts.
 */
#define oefd_show_mode(mode)						\
	__print_symbolic(mode, { 0, "exact" }, { 1, "transition" })

/* A successful write(2) or in-kernel signal, and the path it took. */
TRACE_EVENT(oefd_write,
	TP_PROTO(int id, u64 value, enum oefd_write_path path),
	TP_ARGS(id, value, path),
	TP_STRUCT__entry(
		__field(int, id)
		__field(unsigned int, path)
		__field(u64, value)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->path = path;
		__entry->value = value;
	),
	TP_printk("id=%d value=%llu path=%s", __entry->id, __entry->value,
		  __print_symbolic(__entry->path,
				   { OEFD_PATH_LOCKED, "locked" },
				   { OEFD_PATH_RING, "ring" }))
);

/* A read(2) or in-kernel read that took @value, leaving @count. */
TRACE_EVENT(oefd_read,
	TP_PROTO(int id, u64 value, u64 count),
	TP_ARGS(id, value, count),
	TP_STRUCT__entry(
		__field(int, id)
		__field(u64, value)
		__field(u64, count)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->value = value;
		__entry->count = count;
	),
	TP_printk("id=%d value=%llu count=%llu", __entry->id, __entry->value,
		  __entry->count)
);

/*
 * What became of the wakeup a change of count owes its waiters (@key:
 * EPOLLIN after a write, EPOLLOUT after a read): sent, coalesced into one
 * still to be collected, or skipped and why. A write on a ring owes none
 * (it is taken only when nobody waits or a wakeup is still to be
 * collected) and has one only when coalesced.
 */
TRACE_EVENT(oefd_wake,
	TP_PROTO(int id, __poll_t key, enum oefd_wake_result result),
	TP_ARGS(id, key, result),
	TP_STRUCT__entry(
		__field(int, id)
		__field(unsigned int, key)
		__field(unsigned int, result)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->key = (__force unsigned int)key;
		__entry->result = result;
	),
	TP_printk("id=%d key=%s result=%s", __entry->id,
		  __print_flags(__entry->key, "|",
				{ 0x01, "IN" }, { 0x04, "OUT" },
				{ 0x08, "ERR" }, { 0x10, "HUP" }),
		  __print_symbolic(__entry->result,
				   { OEFD_WAKE_SENT, "sent" },
				   { OEFD_WAKE_COALESCED, "coalesced" },
				   { OEFD_WAKE_NO_WAITER, "skipped_no_waiter" },
				   { OEFD_WAKE_NO_TRANSITION, "skipped_no_transition" }))
);

/* A fold moved @value from @slots ring slots into count, now @count. */
TRACE_EVENT(oefd_fold,
	TP_PROTO(int id, unsigned int slots, u64 value, u64 count),
	TP_ARGS(id, slots, value, count),
	TP_STRUCT__entry(
		__field(int, id)
		__field(unsigned int, slots)
		__field(u64, value)
		__field(u64, count)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->slots = slots;
		__entry->value = value;
		__entry->count = count;
	),
	TP_printk("id=%d slots=%u value=%llu count=%llu", __entry->id,
		  __entry->slots, __entry->value, __entry->count)
);

/* OHOS_EFD_IOC_SET_MODE changed the wakeup mode. */
TRACE_EVENT(oefd_mode,
	TP_PROTO(int id, u32 old, u32 new),
	TP_ARGS(id, old, new),
	TP_STRUCT__entry(
		__field(int, id)
		__field(u32, old)
		__field(u32, new)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->old = old;
		__entry->new = new;
	),
	TP_printk("id=%d old=%s new=%s", __entry->id,
		  oefd_show_mode(__entry->old), oefd_show_mode(__entry->new))
);

/* @cpu's writer found the lock held: its ring, or why it has none. */
TRACE_EVENT(oefd_rings,
	TP_PROTO(int id, unsigned int cpu, enum oefd_ring_result result,
		 unsigned int rings),
	TP_ARGS(id, cpu, result, rings),
	TP_STRUCT__entry(
		__field(int, id)
		__field(unsigned int, cpu)
		__field(unsigned int, result)
		__field(unsigned int, rings)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->cpu = cpu;
		__entry->result = result;
		__entry->rings = rings;
	),
	TP_printk("id=%d cpu=%u result=%s rings=%u", __entry->id, __entry->cpu,
		  __print_symbolic(__entry->result,
				   { OEFD_RING_INSTALLED, "installed" },
				   { OEFD_RING_EXISTED, "existed" },
				   { OEFD_RING_RACED, "refused_raced" },
				   { OEFD_RING_NOMEM, "refused_nomem" }),
		  __entry->rings)
);

#endif /* _OHOS_EVENTFD_TRACE_H */

/* Outside the guard: define_trace.h reads this header again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ohos_eventfd_trace
#include <trace/define_trace.h>
