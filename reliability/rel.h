/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the reliability tests in reliability/ share beyond the test-support
 * library (selftests/oefd_test_lib.h: counters of both kinds, errno names,
 * /proc probes, CPU pinning, ioctl sizes): messages that name their cause,
 * stack dumps of stuck threads, a seeded random generator.
 */
#ifndef OEFD_REL_H
#define OEFD_REL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ohos_eventfd.h>

#include "oefd_test_lib.h"

/* Names of the two implementations every differential test runs side by side. */
extern const char *const rel_kind_name[2];

/* Printed before every message: the program's name, set by rel_init(). */
extern const char *rel_prog;

void rel_init(const char *argv0);

/* "# ..." diagnostic line on stdout (TAP-safe). */
void rel_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A failure: "# FAIL: ..." on stdout; the caller decides whether to go on. */
void rel_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A broken precondition: message with errno's name and exit 2. */
void rel_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* OHOS_EFD_IOC_PEEK; dies if the ioctl fails. */
uint64_t rel_peek(int fd);

/* Monotonic time in seconds. */
double rel_now(void);
void rel_sleep_ms(unsigned int ms);

/*
 * Write every task's kernel stack, state and wchan of process @pid to
 * stdout as "# " lines: what a hang report needs.
 */
void rel_dump_stacks(pid_t pid);

/* splitmix64: a small, seedable, reproducible generator. */
struct rel_rng {
	uint64_t state;
};

void rel_rng_seed(struct rel_rng *rng, uint64_t seed);
uint64_t rel_rng_next(struct rel_rng *rng);
/* Uniform in [0, n), n > 0. */
uint64_t rel_rng_below(struct rel_rng *rng, uint64_t n);

/* Parse a non-negative number option; dies with a usage message. */
unsigned long long rel_parse_num(const char *opt, const char *arg);

#endif /* OEFD_REL_H */
