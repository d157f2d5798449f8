// SPDX-License-Identifier: GPL-2.0
/*
 * Holds a counter for the cli*.bats tests: creates it (test mode's
 * backend), writes 3 and 4, prints "PID FD" and waits for its stdin to
 * close. A line "swap" on stdin puts a new counter at the same fd and
 * answers "swapped"; "reopen" closes the counter first, then puts a new
 * one at its fd (which then likely gets the old one's id, freed by the
 * close), and answers "reopened".
 *
 * "fdholder MS" (for top) also holds three counters that a thread writes 1
 * to every MS milliseconds: one nobody waits on, one in an epoll set that
 * is never waited on (its first write wakes the set, the later ones find
 * that wakeup still to be collected) and one in transition mode (on the
 * device only); the line is then "PID FD BUSY WATCHED TRANSITION".
 */
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <sys/epoll.h>

#include "test_support.h"

enum { BUSY, WATCHED, TRANSITION, PACED };

struct paced {
	int fds[PACED];
	struct timespec period;
};

static int swap_counter(int fd)
{
	int fresh = test_counter(0, EFD_CLOEXEC);

	if (fresh < 0 || dup3(fresh, fd, O_CLOEXEC) != fd)
		return -1;
	close(fresh);
	return 0;
}

static void *write_paced(void *arg)
{
	const struct paced *paced = arg;
	int i;

	for (;;) {
		for (i = 0; i < PACED; i++) {
			if (ohos_eventfd_write(paced->fds[i], 1)) {
				fprintf(stderr, "fdholder: paced write: %s\n",
					ohos_eventfd_last_error());
				exit(1);
			}
		}
		nanosleep(&paced->period, NULL);
	}
	return NULL;
}

static int open_paced(struct paced *paced)
{
	struct epoll_event event = { .events = EPOLLIN };
	int i, epfd = epoll_create1(EPOLL_CLOEXEC);

	for (i = 0; i < PACED; i++) {
		paced->fds[i] = test_counter(0, EFD_CLOEXEC);
		if (paced->fds[i] < 0)
			return -1;
	}
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, paced->fds[WATCHED], &event))
		return -1;
	if (test_on_device() &&
	    ohos_eventfd_set_mode(paced->fds[TRANSITION], OHOS_EFD_MODE_TRANSITION))
		return -1;
	return 0;
}

static int start_paced(const char *ms, struct paced *paced)
{
	pthread_t thread;
	long period = atol(ms);

	paced->period.tv_sec = period / 1000;
	paced->period.tv_nsec = period % 1000 * 1000000;
	if (period <= 0 || open_paced(paced))
		return -1;
	errno = pthread_create(&thread, NULL, write_paced, paced);
	return errno ? -1 : 0;
}

static int reopen_counter(int fd)
{
	int fresh;

	close(fd);
	fresh = test_counter(0, EFD_CLOEXEC);
	if (fresh < 0 || (fresh != fd && dup3(fresh, fd, O_CLOEXEC) != fd))
		return -1;
	if (fresh != fd)
		close(fresh);
	return 0;
}

/* A line of stdin: "swap", "reopen" (answered when done) or another, ignored. */
static int obey(int fd, const char *line)
{
	const char *answer;
	int err;

	if (!strcmp(line, "swap\n")) {
		err = swap_counter(fd);
		answer = "swapped";
	} else if (!strcmp(line, "reopen\n")) {
		err = reopen_counter(fd);
		answer = "reopened";
	} else {
		return 0;
	}
	if (err) {
		fprintf(stderr, "fdholder: %.*s: %s\n", (int)strcspn(line, "\n"), line,
			strerror(errno));
		return -1;
	}
	printf("%s\n", answer);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static struct paced paced;	/* the thread reads it until exit() ends it */
	int fd = test_counter(0, EFD_CLOEXEC);
	char line[64];

	alarm(TEST_TIMEOUT_SECONDS);
	if (fd < 0 || ohos_eventfd_write(fd, 3) || ohos_eventfd_write(fd, 4)) {
		fprintf(stderr, "fdholder: %s\n", ohos_eventfd_last_error());
		return 1;
	}
	if (argc > 1 && start_paced(argv[1], &paced)) {
		fprintf(stderr, "fdholder: paced counters: %s\n", strerror(errno));
		return 1;
	}
	if (argc > 1)
		printf("%d %d %d %d %d\n", (int)getpid(), fd, paced.fds[BUSY], paced.fds[WATCHED],
		       paced.fds[TRANSITION]);
	else
		printf("%d %d\n", (int)getpid(), fd);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		if (obey(fd, line))
			return 1;
	return 0;
}
