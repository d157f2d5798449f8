/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test-support library of every test program in selftests/ and
 * reliability/ (every symbol is efd_* or EFD_*):
 *
 * - counters: efd_create() makes a native eventfd or an ohos_eventfd
 *   counter from eventfd(2)'s arguments, the ohos one the way
 *   efd_set_factory() says; OHOS_EFD_NATIVE_AS_OHOS=1 makes it native too;
 * - probes: /proc files, fdinfo's count, whether a task sleeps in a system
 *   call, errno names, CPU pinning, the ohos ioctls' size rules;
 * - a differential framework: a scenario performs steps on a counter fd
 *   and records what each step did (return value, errno, bytes read, poll
 *   masks, whether it blocked). efd_diff() runs one scenario on a native
 *   eventfd and on an ohos_eventfd, each fresh, and compares the two
 *   traces step by step. Nothing here knows what eventfd does: native is
 *   the oracle.
 *
 * Every read, write and waiting call of a scenario runs in a helper
 * thread, so that an operation that blocks is recorded as "blocked"
 * instead of hanging the test; "blocked" means the thread sleeps
 * interruptibly inside the system call, as /proc/<tid>/stat and
 * /proc/<tid>/syscall report, not that it took long. Every wait is
 * bounded by EFD_WAIT_LIMIT_S.
 *
 * Nothing here needs kselftest_harness.h; the macros at the end that use
 * it expand only in the programs that include it.
 */
#ifndef OEFD_TEST_LIB_H
#define OEFD_TEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include <linux/ohos_eventfd.h>

/*
 * Set to 1 to make the "ohos" factory return native eventfds too, so the
 * framework and every differential test can be checked on a machine
 * without the module (native against native must always agree); the
 * tests that need the module's ioctls skip or stop.
 */
#define EFD_ENV_NATIVE_AS_OHOS	"OHOS_EFD_NATIVE_AS_OHOS"
/* Set to 1 to print both traces of every comparison, not only of failures. */
#define EFD_ENV_TRACE		"OEFD_SELFTEST_TRACE"

/* Upper bound of every wait for another thread or process, in seconds. */
#define EFD_WAIT_LIMIT_S	10

#define EFD_COUNT_MAX		0xfffffffffffffffeULL
#define EFD_U64_LEN		((ssize_t)sizeof(uint64_t))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

enum efd_kind { EFD_NATIVE, EFD_OHOS };

/* How the "ohos" side makes its counters (efd_set_factory()). */
enum efd_factory {
	EFD_FACTORY_OPEN,	/* open() of the device, then OHOS_EFD_IOC_CONFIGURE */
	EFD_FACTORY_CREATE,	/* OHOS_EFD_IOC_CREATE on a device fd opened for it, then closed */
	/*
	 * OHOS_EFD_IOC_CREATE on one device fd kept open until
	 * efd_close_factory(): one open() for many counters.
	 */
	EFD_FACTORY_CREATE_REUSE,
};

/* What a counter is created with: the arguments of eventfd(2). */
struct efd_spec {
	unsigned int initval;
	int flags;		/* EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC */
	bool transition;	/* ohos: OHOS_EFD_MODE_TRANSITION; native ignores it */
	int rings;		/* ohos: efd_give_rings() on this many CPUs first */
};

/* Count 0, normal mode: blocking, and O_NONBLOCK. */
extern const struct efd_spec efd_blocking, efd_nonblock;

/* Scenario steps that may block, run in a helper thread. */
enum efd_op {
	EFD_OP_READ,		/* read(fd, buf, len) */
	EFD_OP_WRITE,		/* write(fd, &value, len) */
	EFD_OP_READV,		/* readv(fd, {iov_len[0], iov_len[1]}) */
	EFD_OP_WRITEV,		/* writev(fd, {iov_len[0], iov_len[1]}), 8-byte values */
	EFD_OP_PREADV2,		/* preadv2(fd, {len}, offset, rwf) */
	EFD_OP_PWRITEV2,	/* pwritev2(fd, {len}, offset, rwf) */
	EFD_OP_POLL,		/* poll(fd, events, timeout -1) */
	EFD_OP_EPOLL_WAIT,	/* epoll_wait(fd, 4 events, timeout -1) */
};

#define EFD_BUF_LEN	1024

struct efd_call {
	enum efd_op op;
	int fd;
	size_t len;
	uint64_t value;		/* written (write ops) */
	uint64_t value2;	/* second iovec's value (writev) */
	size_t iov_len[2];
	off_t offset;
	int rwf;
	short events;		/* poll */
	int cpu;		/* run the helper pinned to this CPU; -1: anywhere */
};

struct efd_run;

typedef void (*efd_scenario_fn)(struct efd_run *run, const void *arg);

/* efd_diff() options. */
#define EFD_DIFF_OHOS_EXTRA_TAIL	0x1	/* ohos may record more steps at the end */

bool efd_diff(const char *name, const struct efd_spec *spec,
	      efd_scenario_fn scenario, const void *arg, unsigned int opts);

/* Environment and counters. */
bool efd_ohos_available(char *why, size_t len);
bool efd_native_as_ohos(void);
void efd_set_factory(enum efd_factory factory);
void efd_close_factory(void);
int efd_create(enum efd_kind kind, const struct efd_spec *spec);
uint32_t efd_ohos_flags(int flags);
int efd_online_cpus(int *cpus, int max);
int efd_first_online_cpus(int *cpus, int max);
int efd_pin_self(int cpu);

/* Probes. */
const char *efd_errname(int err);
int efd_read_file(const char *path, char *buf, size_t len);
int efd_write_file(const char *path, const char *text);
int efd_fdinfo_number(int fd, const char *key, int base, unsigned long long *value);
int efd_fdinfo_count(int fd, uint64_t *count);
int efd_fdinfo_rings(int fd, unsigned int *rings);
int efd_give_rings(int fd, int ncpus);

/* efd_task_in_syscall()'s @nr for "any system call". */
#define EFD_ANY_SYSCALL		(-1L)

enum efd_wait_result { EFD_WAIT_DONE, EFD_WAIT_BLOCKED, EFD_WAIT_STUCK };

bool efd_task_in_syscall(pid_t tid, long nr);
enum efd_wait_result efd_wait_task(pid_t tid, long nr, bool (*done)(void *), void *arg,
				   unsigned int limit_s);
bool efd_wait_in_syscall(pid_t tid, long nr, unsigned int limit_s);

/* The ohos ioctls. */
#define EFD_IOC_SIZE_BITS	_IOC(0, 0, 0, _IOC_SIZEMASK)	/* a struct's size in a command */

bool efd_peek(int fd, uint64_t *count);
unsigned long efd_ioc_sized(unsigned long cmd, size_t size);
size_t efd_above_page(void);
ssize_t efd_write_value(int fd, uint64_t value);
uint64_t efd_read_value(int fd);

/* A config followed by bytes a newer caller might send. */
struct efd_config_ext {
	struct ohos_efd_config cfg;
	unsigned char tail[16];
};

/* Accessors for scenarios. */
int efd_fd(const struct efd_run *run);
enum efd_kind efd_run_kind(const struct efd_run *run);
void efd_name_fd(struct efd_run *run, int fd, const char *name);
void efd_adopt(struct efd_run *run, int fd, const char *name);
int efd_dup(struct efd_run *run, int fd, const char *name);
void efd_close(struct efd_run *run, int fd);
bool efd_join(struct efd_run *run, pthread_t thread, const char *what);

/* Steps that record their outcome. */
void efd_note(struct efd_run *run, const char *op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void efd_ret(struct efd_run *run, const char *op, long ret);
void efd_info(struct efd_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void efd_expect(struct efd_run *run, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void efd_fail(struct efd_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int efd_start(struct efd_run *run, const struct efd_call *call);
void efd_settle(struct efd_run *run);
void efd_interrupt(struct efd_run *run, bool restart);
int efd_pending(const struct efd_run *run);

void efd_read(struct efd_run *run, int fd, size_t len);
void efd_write(struct efd_run *run, int fd, uint64_t value);
void efd_write_len(struct efd_run *run, int fd, uint64_t value, size_t len);

void efd_poll_mask(struct efd_run *run, int fd);
void efd_select_mask(struct efd_run *run, int fd);
int efd_epoll_add(struct efd_run *run, int fd, unsigned int events);
void efd_epoll_check(struct efd_run *run, int epfd);

void efd_fdinfo(struct efd_run *run, int fd);
void efd_exec_probe(struct efd_run *run, int fd);
void efd_wait_child(struct efd_run *run, const char *op, pid_t pid);
void efd_child_blocks(struct efd_run *run, const char *op, pid_t pid);

/* ---- with kselftest_harness.h -------------------------------------- */

/*
 * The fixtures that make ohos counters run each case once per way of
 * making them (efd_set_factory()): "open", open() of the device, and
 * "create", OHOS_EFD_IOC_CREATE.
 */
#define FACTORY_VARIANTS(fixture)				\
	FIXTURE_VARIANT(fixture) {				\
		enum efd_factory factory;			\
	};							\
	FIXTURE_VARIANT_ADD(fixture, open) {			\
		.factory = EFD_FACTORY_OPEN,			\
	};							\
	FIXTURE_VARIANT_ADD(fixture, create) {			\
		.factory = EFD_FACTORY_CREATE,			\
	}

/* Native eventfd and ohos_eventfd recorded the same steps. */
#define EXPECT_SAME(spec, scenario, arg) \
	EXPECT_TRUE(efd_diff(#scenario, spec, scenario, arg, 0))

int efd_main(int argc, char **argv, const char *what, int (*run)(int, char **));

/*
 * main() of every program: --help says what it compares and which
 * environment variables it reads, the exec probe (efd_exec_probe()) runs
 * when re-executed, everything else goes to the harness.
 */
#define EFD_HARNESS_MAIN(what)						\
	int main(int argc, char **argv)					\
	{								\
		return efd_main(argc, argv, what, test_harness_run);	\
	}

#endif /* OEFD_TEST_LIB_H */
