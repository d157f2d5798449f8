/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the reliability tests in reliability/: creating the
 * two kinds of counter, bounded waits, stack dumps of stuck threads, a
 * seeded random generator, and messages that name their cause.
 */
#ifndef OEFD_REL_H
#define OEFD_REL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/ohos_eventfd.h>

/* The two implementations every differential test runs side by side. */
enum rel_kind { REL_NATIVE, REL_OHOS };

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

/* The symbolic name of an errno value ("EAGAIN"), "0" for 0. */
const char *rel_errname(int err);

/*
 * With REL_ENV_NATIVE_AS_OHOS=1 in the environment, "ohos" counters are
 * native eventfds: a check of the harness itself on a machine without the
 * module (the tests that need our ioctls say so and stop).
 */
#define REL_ENV_NATIVE_AS_OHOS "OHOS_EFD_NATIVE_AS_OHOS"
bool rel_native_as_ohos(void);

/*
 * A counter of either kind with eventfd2()'s arguments: @flags takes
 * EFD_SEMAPHORE, EFD_NONBLOCK and EFD_CLOEXEC. An ohos_eventfd counter is
 * opened from the device and configured with OHOS_EFD_IOC_CONFIGURE when
 * @initval or EFD_SEMAPHORE ask for it, or, if rel_ohos_via_create is
 * set, made by OHOS_EFD_IOC_CREATE on a device fd kept open for the
 * purpose (an anonymous inode, as eventfd's). -1 with errno on failure.
 */
extern bool rel_ohos_via_create;
int rel_counter(enum rel_kind kind, unsigned int initval, int flags);
/* Close the device fd kept for OHOS_EFD_IOC_CREATE (it holds the module). */
void rel_create_done(void);

/*
 * eventfd2()'s EFD_SEMAPHORE, EFD_NONBLOCK and EFD_CLOEXEC in @flags as
 * the module's OHOS_EFD_* bits; other bits are dropped.
 */
uint32_t rel_ohos_flags(int flags);

/* The bits of an ioctl number that hold its struct's size. */
#define REL_IOC_SIZE_BITS	_IOC(0, 0, 0, _IOC_SIZEMASK)

/* @cmd carrying @size instead: the command as a caller with another struct issues it. */
static inline unsigned long rel_ioc_sized(unsigned long cmd, size_t size)
{
	return (cmd & ~REL_IOC_SIZE_BITS) | _IOC(0, 0, 0, size);
}

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

/*
 * Is task @tid (a thread of any process) asleep ('S' in /proc/TID/stat)
 * inside system call @nr (/proc/TID/syscall)?
 */
bool rel_in_syscall(pid_t tid, long nr);

/*
 * Wait until task @tid is seen asleep in system call @nr for a few
 * consecutive samples; false after @timeout_s seconds.
 */
bool rel_wait_in_syscall(pid_t tid, long nr, double timeout_s);

/* The kernel thread id of the caller. */
pid_t rel_gettid(void);

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

/* Read a small text file into @buf (NUL-terminated); -1 with errno. */
int rel_read_file(const char *path, char *buf, size_t len);

#define REL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* OEFD_REL_H */
