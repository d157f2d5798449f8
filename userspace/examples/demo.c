// SPDX-License-Identifier: MIT
/*
 * demo: several producer threads, each pinned to its own CPU, add to one
 * counter through libohos_eventfd while the main thread waits for it in
 * epoll and reads it, until everything written has been read.
 *
 *   demo [--transition]     --transition: wake only on 0 -> non-zero
 *
 * Runs on /dev/ohos_eventfd, or on a native eventfd when
 * OHOS_EVENTFD_FALLBACK=1 and the device is absent; it says which.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <ohos_eventfd.h>

#define WRITES_PER_PRODUCER	20000
#define MAX_PRODUCERS		8
#define EPOLL_TIMEOUT_MS	10000	/* no event for this long: something is broken */

struct producer {
	pthread_t thread;
	int fd;
	int index;
	int cpu;		/* -1: not pinned */
	int error;		/* errno of a failed write */
};

/* Producer i adds i + 1 per write, so every producer's share is visible in the total. */
static void *produce(void *arg)
{
	struct producer *p = arg;
	int i;

	for (i = 0; i < WRITES_PER_PRODUCER; i++) {
		if (ohos_eventfd_write(p->fd, (uint64_t)p->index + 1)) {
			p->error = errno;
			break;
		}
	}
	return NULL;
}

static int start_producer(struct producer *p)
{
	cpu_set_t cpus;
	pthread_attr_t attr;
	int err;

	pthread_attr_init(&attr);
	if (p->cpu >= 0) {
		CPU_ZERO(&cpus);
		CPU_SET(p->cpu, &cpus);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	}
	err = pthread_create(&p->thread, &attr, produce, p);
	pthread_attr_destroy(&attr);
	return err;
}

/* Read until `expected` has arrived; 0 on success. */
static int consume(int fd, uint64_t expected, uint64_t *total, unsigned long *reads)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t value;
	int epfd, n;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev)) {
		perror("demo: epoll");
		return -1;
	}
	while (*total < expected) {
		n = epoll_wait(epfd, &ev, 1, EPOLL_TIMEOUT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "demo: %s after reading %llu of %llu\n",
				n ? strerror(errno) : "no event for 10 s",
				(unsigned long long)*total, (unsigned long long)expected);
			close(epfd);
			return -1;
		}
		if (ohos_eventfd_read(fd, &value) == 0) {
			*total += value;
			(*reads)++;
		} else if (errno != EAGAIN) {
			fprintf(stderr, "demo: %s\n", ohos_eventfd_last_error());
			close(epfd);
			return -1;
		}
	}
	close(epfd);
	return 0;
}

static void print_counter_state(int fd, int on_device)
{
	struct ohos_efd_stats stats;
	uint64_t count = 0;

	if (!on_device) {
		/* A native eventfd has no peek: a nonblocking read is the only look. */
		if (ohos_eventfd_read(fd, &count) && errno != EAGAIN)
			fprintf(stderr, "demo: %s\n", ohos_eventfd_last_error());
		printf("final count: %llu\n", (unsigned long long)count);
		return;
	}
	if (ohos_eventfd_peek(fd, &count) || ohos_eventfd_get_stats(fd, &stats)) {
		fprintf(stderr, "demo: %s\n", ohos_eventfd_last_error());
		return;
	}
	printf("final count: %llu\n", (unsigned long long)count);
	printf("stats: writes %llu, reads %llu, wakeups %llu, fast writes %llu, slow writes %llu\n",
	       (unsigned long long)stats.writes, (unsigned long long)stats.reads,
	       (unsigned long long)stats.wakeups, (unsigned long long)stats.fast_writes,
	       (unsigned long long)stats.slow_writes);
}

/* The CPUs this process may run on, in order; returns how many (at most max). */
static int allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n;
}

static int open_counter(int transition, int *on_device)
{
	int fd = ohos_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "demo: %s\n", ohos_eventfd_last_error());
		return -1;
	}
	*on_device = ohos_eventfd_is_ohos(fd) == 1;
	if (*on_device)
		printf("counter: %s\n", OHOS_EVENTFD_DEVICE);
	else
		printf("counter: native eventfd (fallback: %s)\n", ohos_eventfd_last_error());
	if (transition && (!*on_device || ohos_eventfd_set_mode(fd, OHOS_EFD_MODE_TRANSITION))) {
		fprintf(stderr, "demo: transition mode: %s\n",
			*on_device ? ohos_eventfd_last_error() : "needs /dev/ohos_eventfd");
		close(fd);
		return -1;
	}
	printf("mode: %s\n", transition ? "transition" : "exact");
	return fd;
}

int main(int argc, char **argv)
{
	struct producer producers[MAX_PRODUCERS] = { 0 };
	int cpus[MAX_PRODUCERS], ncpus = allowed_cpus(cpus, MAX_PRODUCERS);
	int transition = argc > 1 && !strcmp(argv[1], "--transition");
	int nproducers, i, fd, on_device, failed = 0;
	uint64_t expected = 0, total = 0;
	unsigned long reads = 0;

	if (argc > 2 || (argc == 2 && !transition)) {
		fprintf(stderr, "usage: demo [--transition]\n");
		return 2;
	}
	fd = open_counter(transition, &on_device);
	if (fd < 0)
		return 1;
	/* One producer per CPU, at least two; pinned only when there is a choice. */
	nproducers = ncpus < 2 ? 2 : ncpus;
	for (i = 0; i < nproducers; i++) {
		producers[i] = (struct producer){ .fd = fd, .index = i,
						  .cpu = ncpus > 1 ? cpus[i] : -1 };
		expected += (uint64_t)(i + 1) * WRITES_PER_PRODUCER;
		if (start_producer(&producers[i])) {
			fprintf(stderr, "demo: cannot start producer %d\n", i);
			return 1;
		}
	}
	failed = consume(fd, expected, &total, &reads);
	for (i = 0; i < nproducers; i++) {
		pthread_join(producers[i].thread, NULL);
		printf("producer %d (cpu %d): wrote %d x %d%s%s\n", i, producers[i].cpu,
		       WRITES_PER_PRODUCER, i + 1, producers[i].error ? ": " : "",
		       producers[i].error ? strerror(producers[i].error) : "");
		failed |= producers[i].error;
	}
	printf("consumer: %lu reads, total %llu, expected %llu\n", reads,
	       (unsigned long long)total, (unsigned long long)expected);
	print_counter_state(fd, on_device);
	close(fd);
	return failed || total != expected ? 1 : 0;
}
