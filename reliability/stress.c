// SPDX-License-Identifier: GPL-2.0
/*
 * Conservation stress: writer and reader threads of every kind hammer one
 * counter for a fixed time; afterwards the sum written must equal the sum
 * read plus the final count, exactly. Optionally CPUs go offline and
 * online meanwhile (--hotplug). A thread that stops making progress, a
 * poll/epoll wait that sleeps through writes, or a thread that does not
 * finish in time fails the run with the kernel stacks of every thread.
 */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "rel.h"

#define MAX_THREADS	32
/* Every poll/epoll wait is bounded by this, so that threads see the stop flag. */
#define WAIT_MS		200
/* Writers move to another CPU this often, so that many rings fill. */
#define MIGRATE_EVERY	64
/* Seconds a thread may go without finishing an operation. */
#define DEFAULT_STALL_S	20
/* Seconds the threads have to finish once told to stop. */
#define FINISH_S	30
/* --hotplug: milliseconds between two offline/online cycles, at least. */
#define HOTPLUG_PAUSE_MS 100
/* Semaphore mode: writes between pauses of a writer. */
#define SEMAPHORE_BURST	16

enum reader_kind { RD_BLOCK, RD_NOWAIT, RD_POLL, RD_EPOLL_LT, RD_EPOLL_ET };

static const char *const reader_names[] = {
	[RD_BLOCK] = "block", [RD_NOWAIT] = "nowait", [RD_POLL] = "poll",
	[RD_EPOLL_LT] = "lt", [RD_EPOLL_ET] = "et",
};

typedef unsigned __int128 u128;

struct worker {
	pthread_t thread;
	_Atomic pid_t tid;
	bool writer;
	enum reader_kind kind;
	unsigned int index;
	/* Operations finished (successful or not): the stall detector's pulse. */
	_Atomic unsigned long ops;
	/* Writers: writes of a non-zero value, each of which must wake a waiter. */
	_Atomic unsigned long nonzero;
	_Atomic bool done;
	/* Readers: set up (epoll registered, counter drained); writers start after. */
	_Atomic bool ready;
	/* Results, read by main after join. */
	u128 sum;
	unsigned long count;
	unsigned long timeouts;
	unsigned long lost;
	int error;
} __attribute__((aligned(64)));

static struct {
	enum efd_kind kind;
	unsigned int seconds;
	unsigned int writers;
	unsigned int stall_s;
	bool create;
	bool transition;
	bool semaphore;
	bool nonblock;
	bool big;
	bool hotplug;
	uint64_t seed;
	enum reader_kind readers[MAX_THREADS];
	unsigned int nreaders;
} opt = {
	.kind = EFD_OHOS,
	.seconds = 5,
	.writers = 3,
	.stall_s = DEFAULT_STALL_S,
	.seed = 1,
};

static int counter_fd;
static struct worker workers[MAX_THREADS];
static unsigned int nworkers;
static atomic_bool stop_writers, stop_readers;
static long ncpus;

/* Writes of non-zero values finished by all writers so far. */
static unsigned long writes_done(void)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < nworkers; i++)
		if (workers[i].writer)
			n += atomic_load_explicit(&workers[i].nonzero, memory_order_relaxed);
	return n;
}

static void pulse(struct worker *w)
{
	atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
}

static void worker_error(struct worker *w, const char *what, int err)
{
	rel_fail("%s %u (%s): %s failed: %s", w->writer ? "writer" : "reader", w->index,
		 w->writer ? "write" : reader_names[w->kind], what, efd_errname(err));
	w->error = err ? err : EIO;
}

static void migrate(struct rel_rng *rng)
{
	/* Fails when that CPU is offline (--hotplug): stay where we are. */
	efd_pin_self(rel_rng_below(rng, ncpus));
}

/* Small values take the per-CPU fast path; --big adds ceiling crossings. */
static uint64_t pick_value(struct rel_rng *rng)
{
	if (opt.semaphore)
		return 1 + rel_rng_below(rng, 8);
	if (opt.big && rel_rng_below(rng, 32) == 0)
		return (1ULL << 61) + rel_rng_below(rng, 1ULL << 61);
	if (rel_rng_below(rng, 64) == 0)
		return 0;
	return 1 + rel_rng_below(rng, 1000);
}

static void *writer_main(void *arg)
{
	struct worker *w = arg;
	struct pollfd pfd = { .fd = counter_fd, .events = POLLOUT };
	struct rel_rng rng;
	uint64_t value;

	w->tid = gettid();
	rel_rng_seed(&rng, opt.seed * 1000 + w->index);
	value = pick_value(&rng);
	while (!atomic_load(&stop_writers) && !w->error) {
		if (w->count % MIGRATE_EVERY == 0)
			migrate(&rng);
		if (write(counter_fd, &value, sizeof(value)) == sizeof(value)) {
			w->sum += value;
			w->count++;
			if (value)
				atomic_fetch_add_explicit(&w->nonzero, 1, memory_order_relaxed);
			pulse(w);
			value = pick_value(&rng);
			/* Semaphore readers take 1 at a time: let them keep up. */
			if (opt.semaphore && w->count % SEMAPHORE_BURST == 0)
				rel_sleep_ms(1);
		} else if (errno == EAGAIN && opt.nonblock) {
			/* POLLOUT only says one more unit fits: do not spin on it. */
			int n = poll(&pfd, 1, WAIT_MS);

			if (n < 0)
				worker_error(w, "poll(POLLOUT)", errno);
			else if (n)
				rel_sleep_ms(1);
		} else if (errno != EINTR) {
			worker_error(w, "write", errno);
		}
	}
	w->done = true;
	return NULL;
}

/*
 * One read that never sleeps: RWF_NOWAIT on a blocking fd (as eventfd,
 * the counter honours IOCB_NOWAIT), plain read on a nonblocking one.
 * Returns false on EAGAIN.
 */
static bool read_nowait(struct worker *w)
{
	uint64_t v;
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	ssize_t n;

	n = opt.nonblock ? read(counter_fd, &v, sizeof(v)) :
			   preadv2(counter_fd, &iov, 1, -1, RWF_NOWAIT);
	if (n == sizeof(v)) {
		w->sum += v;
		w->count++;
		return true;
	}
	if (n >= 0 || (errno != EAGAIN && errno != EINTR))
		worker_error(w, "nonblocking read", n >= 0 ? EIO : errno);
	return false;
}

/*
 * A bounded wait that timed out although more non-zero writes finished
 * meanwhile than there are writers: at least one of them started after
 * the wait began, found the counter empty (else the wait would have
 * returned at once) and must have woken us, in either mode. Only
 * meaningful for a sole reader: with others, the value a wakeup announced
 * may be gone before the woken waiter looks.
 */
static void check_timeout(struct worker *w, unsigned long writes_before)
{
	unsigned long during = writes_done() - writes_before;
	uint64_t peeked = 0, v = 0;
	u128 before_sum;

	w->timeouts++;
	if (opt.nreaders > 1 || atomic_load(&stop_writers) || during <= opt.writers)
		return;
	w->lost++;
	/* What the counter held when the wait gave up: evidence for the report. */
	if (opt.kind == EFD_OHOS)
		peeked = rel_peek(counter_fd);
	before_sum = w->sum;
	if (read_nowait(w))
		v = (uint64_t)(w->sum - before_sum);
	rel_fail("reader %u (%s): %d ms wait timed out while %lu non-zero writes finished: lost "
		 "wakeup; right after it, PEEK said %llu and a read took %llu", w->index,
		 reader_names[w->kind], WAIT_MS, during, (unsigned long long)peeked,
		 (unsigned long long)v);
}

static void reader_block(struct worker *w)
{
	uint64_t v;

	if (read(counter_fd, &v, sizeof(v)) == sizeof(v)) {
		w->sum += v;
		w->count++;
	} else if (errno != EINTR) {
		worker_error(w, "blocking read", errno);
	}
}

static void reader_poll(struct worker *w)
{
	struct pollfd pfd = { .fd = counter_fd, .events = POLLIN };
	unsigned long before = writes_done();
	int n = poll(&pfd, 1, WAIT_MS);

	if (n == 1 && pfd.revents == POLLIN)
		read_nowait(w);
	else if (n == 0)
		check_timeout(w, before);
	else if (n < 0 && errno != EINTR)
		worker_error(w, "poll", errno);
	else if (n > 0)
		worker_error(w, "poll revents", EIO);
}

/* LT: one read per event. ET: read until EAGAIN, since an edge may be the last. */
static void reader_epoll(struct worker *w, int ep)
{
	struct epoll_event ev;
	unsigned long before = writes_done();
	int n = epoll_wait(ep, &ev, 1, WAIT_MS);

	if (n == 1 && w->kind == RD_EPOLL_ET)
		while (read_nowait(w) && !w->error)
			;
	else if (n == 1)
		read_nowait(w);
	else if (n == 0)
		check_timeout(w, before);
	else if (errno != EINTR)
		worker_error(w, "epoll_wait", errno);
}

static int reader_epoll_fd(struct worker *w)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep;

	if (w->kind != RD_EPOLL_LT && w->kind != RD_EPOLL_ET)
		return -1;
	if (w->kind == RD_EPOLL_ET)
		ev.events |= EPOLLET;
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, counter_fd, &ev))
		worker_error(w, "epoll setup", errno);
	return ep;
}

static void *reader_main(void *arg)
{
	struct worker *w = arg;
	int ep = reader_epoll_fd(w);

	w->tid = gettid();
	/* ET: drain first, so that the first wait starts from an empty counter. */
	if (w->kind == RD_EPOLL_ET)
		while (read_nowait(w))
			;
	w->ready = true;
	while (!atomic_load(&stop_readers) && !w->error) {
		switch (w->kind) {
		case RD_BLOCK:
			reader_block(w);
			break;
		case RD_NOWAIT:
			if (!read_nowait(w))
				rel_sleep_ms(1);
			break;
		case RD_POLL:
			reader_poll(w);
			break;
		case RD_EPOLL_LT:
		case RD_EPOLL_ET:
			reader_epoll(w, ep);
			break;
		}
		pulse(w);
	}
	if (ep >= 0)
		close(ep);
	w->done = true;
	return NULL;
}

/* --hotplug: take CPUs 1..n-1 offline and back, one at a time, until told to stop. */
static atomic_bool stop_hotplug;
static unsigned long hotplug_cycles;
static int hotplug_error;

static int set_cpu_online(long cpu, bool online)
{
	char path[64];
	int fd, tries;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%ld/online", cpu);
	for (tries = 0; tries < 100; tries++) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (write(fd, online ? "1" : "0", 1) == 1) {
			close(fd);
			return 0;
		}
		close(fd);
		/* A concurrent hotplug operation or a CPU still in use: retry. */
		if (errno != EBUSY && errno != EAGAIN)
			return -errno;
		rel_sleep_ms(10);
	}
	return -EBUSY;
}

static void *hotplug_main(void *arg)
{
	struct rel_rng rng;
	long cpu;
	int ret;

	(void)arg;
	rel_rng_seed(&rng, opt.seed ^ 0x686f74706c7567ULL);
	while (!atomic_load(&stop_hotplug)) {
		cpu = 1 + rel_rng_below(&rng, ncpus - 1);
		ret = set_cpu_online(cpu, false);
		if (!ret) {
			rel_sleep_ms(rel_rng_below(&rng, 50));
			ret = set_cpu_online(cpu, true);
		}
		if (ret) {
			rel_fail("hotplug: cpu%ld: %s", cpu, efd_errname(-ret));
			hotplug_error = -ret;
			break;
		}
		hotplug_cycles++;
		/*
		 * Each offline/online is a stop_machine() on every vCPU: under
		 * TCG on a busy host, back-to-back ones starve the vCPUs long
		 * enough for RCU stall reports that are the emulator's.
		 */
		rel_sleep_ms(HOTPLUG_PAUSE_MS + rel_rng_below(&rng, HOTPLUG_PAUSE_MS));
	}
	return NULL;
}

static void sigusr1_handler(int sig)
{
	(void)sig;
}

static void start_worker(struct worker *w)
{
	int ret = pthread_create(&w->thread, NULL, w->writer ? writer_main : reader_main, w);

	if (ret) {
		errno = ret;
		rel_die("pthread_create");
	}
}

/*
 * Readers first, and writers only once every reader is set up: from the
 * first write on, the epoll readers' wait queue entries are in place
 * (see waiter_registered()).
 */
static void start_workers(void)
{
	double deadline = rel_now() + FINISH_S;
	unsigned int i;

	for (i = 0; i < nworkers; i++) {
		if (workers[i].writer)
			continue;
		start_worker(&workers[i]);
		while (!workers[i].ready) {
			if (rel_now() > deadline)
				rel_die("reader %u did not start", workers[i].index);
			rel_sleep_ms(1);
		}
	}
	for (i = 0; i < nworkers; i++)
		if (workers[i].writer)
			start_worker(&workers[i]);
}

static void dump_and_fail(const char *why)
{
	rel_fail("%s; thread states follow", why);
	rel_dump_stacks(getpid());
}

/*
 * Watch every thread's pulse while the run lasts; false when one stopped
 * for stall_s seconds. A blocking reader among others may legitimately
 * sleep while they win every race: only a sole one is watched, and the
 * others must still finish in time (see finish()).
 */
static bool monitor(double end)
{
	unsigned long last[MAX_THREADS] = { 0 };
	double since[MAX_THREADS];
	double now = rel_now();
	unsigned int i;

	for (i = 0; i < nworkers; i++)
		since[i] = now;
	while ((now = rel_now()) < end) {
		for (i = 0; i < nworkers; i++) {
			unsigned long ops = atomic_load(&workers[i].ops);

			if (workers[i].error)
				return false;
			if (ops != last[i] || (!workers[i].writer && workers[i].kind == RD_BLOCK &&
						 opt.nreaders > 1)) {
				last[i] = ops;
				since[i] = now;
			} else if (now - since[i] > opt.stall_s) {
				char why[128];

				snprintf(why, sizeof(why), "%s %u made no progress for %u s",
					 workers[i].writer ? "writer" : "reader", workers[i].index,
					 opt.stall_s);
				dump_and_fail(why);
				return false;
			}
		}
		rel_sleep_ms(100);
	}
	return true;
}

/* Wait until every thread of one side is done, kicking blocked readers. */
static bool finish(bool writers_side)
{
	double deadline = rel_now() + FINISH_S;
	unsigned int i, left;

	do {
		left = 0;
		for (i = 0; i < nworkers; i++) {
			if (workers[i].writer != writers_side || workers[i].done)
				continue;
			left++;
			if (!writers_side)
				pthread_kill(workers[i].thread, SIGUSR1);
		}
		if (!left)
			return true;
		rel_sleep_ms(20);
	} while (rel_now() < deadline);
	dump_and_fail(writers_side ? "writers did not finish within 30 s of being stopped" :
				     "readers did not finish within 30 s of being stopped");
	return false;
}

static void configure(void)
{
	uint32_t mode = OHOS_EFD_MODE_TRANSITION;
	const struct efd_spec spec = {
		.flags = EFD_CLOEXEC | (opt.semaphore ? EFD_SEMAPHORE : 0) |
			 (opt.nonblock ? EFD_NONBLOCK : 0),
	};

	efd_set_factory(opt.create ? EFD_FACTORY_CREATE_REUSE : EFD_FACTORY_OPEN);
	counter_fd = efd_create(opt.kind, &spec);
	if (counter_fd < 0)
		rel_die("cannot create a %s counter", rel_kind_name[opt.kind]);
	if (opt.transition && ioctl(counter_fd, OHOS_EFD_IOC_SET_MODE, &mode))
		rel_die("OHOS_EFD_IOC_SET_MODE(TRANSITION)");
}

/*
 * The count left at the end: drained with nonblocking reads (one at a
 * time in semaphore mode), whose number is added to *@reads; on ours it
 * must match what OHOS_EFD_IOC_PEEK said first.
 */
static u128 final_count(unsigned long *reads)
{
	uint64_t v = 0, peeked = 0;
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	u128 total = 0;

	if (opt.kind == EFD_OHOS)
		peeked = rel_peek(counter_fd);
	while (preadv2(counter_fd, &iov, 1, -1, RWF_NOWAIT) == sizeof(v)) {
		total += v;
		(*reads)++;
	}
	if (errno != EAGAIN)
		rel_die("draining the counter");
	if (opt.kind == EFD_OHOS && total != peeked) {
		rel_fail("PEEK said %llu but draining the counter gave %llu",
			 (unsigned long long)peeked, (unsigned long long)total);
		total = peeked;
	}
	return total;
}

static void print_u128(const char *label, u128 v)
{
	char buf[48];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = '0' + (char)(v % 10);
		v /= 10;
	} while (v);
	rel_note("%s %s", label, buf + i);
}

/* An epoll reader keeps a wait queue entry on the counter for the whole run. */
static bool waiter_registered(void)
{
	unsigned int i;

	for (i = 0; i < opt.nreaders; i++)
		if (opt.readers[i] == RD_EPOLL_LT || opt.readers[i] == RD_EPOLL_ET)
			return true;
	return false;
}

/*
 * Whether the module coalesces exact-mode wakeups (its coalesce parameter;
 * docs/design.md, section 1a). A module without the parameter does not.
 */
static bool module_coalesces(void)
{
	FILE *f = fopen("/sys/module/ohos_eventfd/parameters/coalesce", "r");
	int c = f ? fgetc(f) : 'N';

	if (f)
		fclose(f);
	return c == 'Y';
}

/*
 * The statistics count what the threads did; and in exact mode, with a
 * waiter registered before the first write and coalescing off, no write
 * may have skipped the lock (each must wake, as eventfd's does). With
 * coalescing on, writes take the per-CPU path while a wakeup is still
 * uncollected; that nothing is lost then is check_timeout()'s to show.
 */
static bool check_stats(unsigned long writes, unsigned long reads)
{
	struct ohos_efd_stats st;

	if (opt.kind != EFD_OHOS)
		return true;
	if (ioctl(counter_fd, OHOS_EFD_IOC_GET_STATS, &st))
		rel_die("OHOS_EFD_IOC_GET_STATS");
	rel_note("stats: writes %llu (fast %llu, slow %llu), reads %llu, wakeups %llu",
		 (unsigned long long)st.writes, (unsigned long long)st.fast_writes,
		 (unsigned long long)st.slow_writes, (unsigned long long)st.reads,
		 (unsigned long long)st.wakeups);
	if (st.writes != writes || st.fast_writes + st.slow_writes != st.writes ||
	    st.reads != reads) {
		rel_fail("stats disagree with the threads' counts: %lu writes, %lu reads",
			 writes, reads);
		return false;
	}
	if (!opt.transition && waiter_registered() && !module_coalesces() && st.fast_writes) {
		rel_fail("exact mode with an epoll waiter registered throughout: %llu writes took "
			 "the per-CPU fast path, which wakes nobody", (unsigned long long)st.fast_writes);
		return false;
	}
	return true;
}

static bool report(void)
{
	u128 written = 0, read_sum = 0;
	unsigned long writes = 0, reads = 0, lost = 0, timeouts = 0;
	u128 final;
	unsigned int i;
	bool ok = true;

	for (i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		if (w->writer) {
			written += w->sum;
			writes += w->count;
		} else {
			read_sum += w->sum;
			reads += w->count;
			lost += w->lost;
			timeouts += w->timeouts;
			rel_note("reader %u (%s): %lu reads, %lu timed-out waits", w->index,
				 reader_names[w->kind], w->count, w->timeouts);
		}
		ok &= !w->error;
	}
	final = final_count(&reads);
	rel_note("%lu writes, %lu reads, %lu timed-out waits, %lu hotplug cycles",
		 writes, reads, timeouts, hotplug_cycles);
	print_u128("sum written:", written);
	print_u128("sum read:   ", read_sum);
	print_u128("final count:", final);
	if (written != read_sum + final) {
		rel_fail("conservation: written != read + final count");
		ok = false;
	}
	ok &= check_stats(writes, reads);
	return ok && !lost && !hotplug_error;
}

static void add_readers(const char *list)
{
	char *copy = strdup(list), *tok, *save;
	unsigned int k;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < ARRAY_SIZE(reader_names); k++)
			if (!strcmp(tok, reader_names[k]))
				break;
		if (k == ARRAY_SIZE(reader_names) || opt.nreaders == MAX_THREADS / 2) {
			fprintf(stderr, "%s: bad reader '%s' (block,nowait,poll,lt,et; at most %d)\n",
				rel_prog, tok, MAX_THREADS / 2);
			exit(2);
		}
		opt.readers[opt.nreaders++] = k;
	}
	free(copy);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [OPTIONS]\n"
		"Writers and readers of every kind on one counter for a fixed time; then\n"
		"sum written == sum read + final count, exactly.\n"
		"  --kind ohos|native   counter under test (default ohos)\n"
		"  --seconds S          run time (default 5)\n"
		"  --writers W          writer threads (default 3)\n"
		"  --readers LIST       comma-separated reader kinds: block (read),\n"
		"                       nowait (RWF_NOWAIT read), poll, lt (epoll),\n"
		"                       et (epoll EPOLLET, reads until EAGAIN)\n"
		"                       (default block,block,nowait,poll,lt,et)\n"
		"  --transition         OHOS_EFD_IOC_SET_MODE(TRANSITION) first\n"
		"  --semaphore          a semaphore counter (values 1..8)\n"
		"  --nonblock           O_NONBLOCK counter: writers retry after EAGAIN\n"
		"  --big                1 write in 32 adds 2^61..2^62: the count hits\n"
		"                       the ceiling and writers block\n"
		"  --hotplug            offline/online CPUs 1..n-1 meanwhile (root)\n"
		"  --stall S            a thread idle this long fails (default %d)\n"
		"  --seed N             random seed (default 1)\n"
		"  --create             make the counter with OHOS_EFD_IOC_CREATE\n"
		"                       (default: open() + OHOS_EFD_IOC_CONFIGURE)\n"
		"Exit: 0 pass, 1 fail, 2 setup error.\n",
		rel_prog, DEFAULT_STALL_S);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "seconds", required_argument, NULL, 's' },
		{ "writers", required_argument, NULL, 'w' },
		{ "readers", required_argument, NULL, 'r' },
		{ "transition", no_argument, NULL, 't' },
		{ "semaphore", no_argument, NULL, 'S' },
		{ "nonblock", no_argument, NULL, 'n' },
		{ "big", no_argument, NULL, 'b' },
		{ "hotplug", no_argument, NULL, 'H' },
		{ "stall", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 'x' },
		{ "create", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (strcmp(optarg, "ohos") && strcmp(optarg, "native")) {
				fprintf(stderr, "%s: --kind is ohos or native\n", rel_prog);
				exit(2);
			}
			opt.kind = strcmp(optarg, "ohos") ? EFD_NATIVE : EFD_OHOS;
			break;
		case 's': opt.seconds = rel_parse_num("--seconds", optarg); break;
		case 'w': opt.writers = rel_parse_num("--writers", optarg); break;
		case 'r': add_readers(optarg); break;
		case 't': opt.transition = true; break;
		case 'S': opt.semaphore = true; break;
		case 'n': opt.nonblock = true; break;
		case 'b': opt.big = true; break;
		case 'H': opt.hotplug = true; break;
		case 'T': opt.stall_s = rel_parse_num("--stall", optarg); break;
		case 'x': opt.seed = rel_parse_num("--seed", optarg); break;
		case 'C': opt.create = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc || !opt.writers || opt.writers > MAX_THREADS / 2) {
		usage(stderr);
		exit(2);
	}
	if (!opt.nreaders)
		add_readers("block,block,nowait,poll,lt,et");
	if (opt.transition && opt.kind == EFD_NATIVE) {
		fprintf(stderr, "%s: --transition needs --kind ohos\n", rel_prog);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = sigusr1_handler };
	pthread_t hotplug_thread;
	unsigned int i;
	bool ok;

	rel_init(argv[0]);
	parse_args(argc, argv);
	for (i = 0; i < opt.nreaders; i++)
		if (opt.readers[i] == RD_BLOCK && opt.nonblock)
			rel_die("--readers block needs a blocking counter (drop --nonblock)");
	ncpus = sysconf(_SC_NPROCESSORS_CONF);
	if (opt.hotplug && ncpus < 2)
		rel_die("--hotplug needs at least 2 CPUs");
	/* No SA_RESTART: SIGUSR1 ends a blocking read with EINTR at the end. */
	sigaction(SIGUSR1, &sa, NULL);
	configure();
	rel_note("%s counter%s, %s mode%s%s%s, %u writers, %u readers, %u s, %ld CPUs%s",
		 rel_kind_name[opt.kind],
		 opt.kind == EFD_OHOS && opt.create ? " (CREATE)" : "",
		 opt.transition ? "transition" : "exact",
		 opt.semaphore ? ", semaphore" : "", opt.nonblock ? ", O_NONBLOCK" : "",
		 opt.big ? ", big values" : "", opt.writers, opt.nreaders, opt.seconds, ncpus,
		 opt.hotplug ? ", CPU hotplug" : "");

	for (i = 0; i < opt.nreaders; i++)
		workers[nworkers++] = (struct worker){ .kind = opt.readers[i], .index = i };
	for (i = 0; i < opt.writers; i++)
		workers[nworkers++] = (struct worker){ .writer = true, .index = i };
	start_workers();
	if (opt.hotplug && pthread_create(&hotplug_thread, NULL, hotplug_main, NULL))
		rel_die("pthread_create(hotplug)");

	ok = monitor(rel_now() + opt.seconds);
	atomic_store(&stop_writers, true);
	ok = finish(true) && ok;
	atomic_store(&stop_readers, true);
	ok = finish(false) && ok;
	if (opt.hotplug) {
		atomic_store(&stop_hotplug, true);
		pthread_join(hotplug_thread, NULL);
	}
	if (!ok) {
		/* Threads may still be stuck: report and leave without joining. */
		rel_fail("run aborted");
		return 1;
	}
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	ok = report();
	close(counter_fd);
	return ok ? 0 : 1;
}
