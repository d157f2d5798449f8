// SPDX-License-Identifier: GPL-2.0
/*
 * Holds a counter for test_cli.sh: creates it (test mode's backend), writes
 * 3 and 4, prints "PID FD" and waits for its stdin to close. A line "swap"
 * on stdin puts a new counter at the same fd and answers "swapped".
 */
#include <fcntl.h>

#include "test_support.h"

static int swap_counter(int fd)
{
	int fresh = test_counter(0, EFD_CLOEXEC);

	if (fresh < 0 || dup3(fresh, fd, O_CLOEXEC) != fd)
		return -1;
	close(fresh);
	return 0;
}

int main(void)
{
	int fd = test_counter(0, EFD_CLOEXEC);
	char line[64];

	alarm(TEST_TIMEOUT_SECONDS);
	if (fd < 0 || ohos_eventfd_write(fd, 3) || ohos_eventfd_write(fd, 4)) {
		fprintf(stderr, "fdholder: %s\n", ohos_eventfd_last_error());
		return 1;
	}
	printf("%d %d\n", (int)getpid(), fd);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (strcmp(line, "swap\n"))
			continue;
		if (swap_counter(fd)) {
			fprintf(stderr, "fdholder: swap: %s\n", strerror(errno));
			return 1;
		}
		printf("swapped\n");
		fflush(stdout);
	}
	return 0;
}
