/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for the test programs: each check prints "ok - NAME" or
 * "not ok - NAME"; tap.sh numbers them across programs and prints the plan.
 *
 * The tests run in one of two modes, chosen by the runner:
 * - host (default): the device is absent, counters come from the explicit
 *   fallback, so every check compares native eventfd with native eventfd
 *   through our code paths;
 * - device (OHOS_EFD_TEST_DEVICE=1, in the VM): counters must come from
 *   /dev/ohos_eventfd.
 */
#ifndef OEFD_TAP_H
#define OEFD_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ohos_eventfd.h>

/* Every wait in a test is bounded: a hang kills the program, which fails it. */
#define TAP_TIMEOUT_SECONDS	60

static int tap_failures;

__attribute__((format(printf, 2, 3)))
static inline int tap_check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		tap_failures++;
	return ok;
}

__attribute__((format(printf, 2, 3)))
static inline void tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	printf("ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

__attribute__((format(printf, 1, 2)))
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline void tap_start(void)
{
	alarm(TAP_TIMEOUT_SECONDS);
}

static inline int tap_exit_status(void)
{
	return tap_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline int test_on_device(void)
{
	const char *env = getenv("OHOS_EFD_TEST_DEVICE");

	return env && !strcmp(env, "1");
}

/* A counter under test: from the device in device mode, else the fallback. */
static inline int test_counter(unsigned int initval, int flags)
{
	return ohos_eventfd(initval, flags | (test_on_device() ? 0 : OHOS_EFD_FALLBACK));
}

/* Is fd where the mode says counters come from? */
static inline int test_backend_ok(int fd)
{
	return ohos_eventfd_is_ohos(fd) == test_on_device();
}

#endif /* OEFD_TAP_H */
