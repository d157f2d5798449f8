// SPDX-License-Identifier: GPL-2.0
/*
 * Holds a counter for test_cli.sh: creates it (test mode's backend), writes
 * 3 and 4, prints "PID FD" and waits for its stdin to close.
 */
#include "tap.h"

int main(void)
{
	int fd = test_counter(0, OHOS_EFD_CLOEXEC);
	char byte;

	tap_start();
	if (fd < 0 || ohos_eventfd_write(fd, 3) || ohos_eventfd_write(fd, 4)) {
		fprintf(stderr, "fdholder: %s\n", ohos_eventfd_last_error());
		return 1;
	}
	printf("%d %d\n", (int)getpid(), fd);
	fflush(stdout);
	while (read(STDIN_FILENO, &byte, 1) > 0)
		;
	return 0;
}
