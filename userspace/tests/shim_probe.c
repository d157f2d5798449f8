// SPDX-License-Identifier: GPL-2.0
/*
 * A plain libc program using eventfd(), eventfd_read() and eventfd_write(),
 * run by the shim's tests with and without the LD_PRELOAD shim. Prints TAP
 * (kselftest.h) and "# backend: <what /proc/self/fd says the counter is>".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include <kselftest.h>

/* eventfd() through whatever is interposed against the raw system call. */
static void check_flag_bits(void)
{
	int bit, mismatches = 0;

	for (bit = 0; bit < 32; bit++) {
		int flag = (int)(1u << bit);
		int a = eventfd(0, flag), ea = a < 0 ? errno : 0;
		int b = (int)syscall(SYS_eventfd2, 0, flag), eb = b < 0 ? errno : 0;

		if ((a >= 0) != (b >= 0) || ea != eb) {
			ksft_print_msg("flags 0x%x: eventfd() %s, SYS_eventfd2 %s\n", (unsigned int)flag,
			       a >= 0 ? "ok" : strerror(ea), b >= 0 ? "ok" : strerror(eb));
			mismatches++;
		}
		if (a >= 0)
			close(a);
		if (b >= 0)
			close(b);
	}
	ksft_test_result(mismatches == 0, "eventfd() accepts and refuses each flag bit as the system call does\n");
}

int main(void)
{
	char path[64], target[64] = "";
	eventfd_t value = 0;
	ssize_t len;
	int fd;

	ksft_print_header();
	alarm(60);
	fd = eventfd(2, EFD_NONBLOCK | EFD_CLOEXEC);
	ksft_test_result(fd >= 0, "eventfd(2, EFD_NONBLOCK | EFD_CLOEXEC)\n");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, target, sizeof(target) - 1);
	if (len > 0)
		target[len] = '\0';
	ksft_print_msg("backend: %s\n", target);
	ksft_test_result(eventfd_write(fd, 3) == 0, "eventfd_write(3)\n");
	ksft_test_result(eventfd_read(fd, &value) == 0 && value == 5, "eventfd_read() gives 2 + 3\n");
	ksft_test_result(eventfd_read(fd, &value) == -1 && errno == EAGAIN, "eventfd_read() of 0: EAGAIN\n");
	close(fd);
	fd = eventfd(2, EFD_SEMAPHORE);
	ksft_test_result(fd >= 0 && eventfd_read(fd, &value) == 0 && value == 1, "semaphore: eventfd_read() gives 1\n");
	close(fd);
	check_flag_bits();
	ksft_set_plan(ksft_test_num());
	ksft_finished();
}
