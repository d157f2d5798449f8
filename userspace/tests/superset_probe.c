// SPDX-License-Identifier: GPL-2.0
/*
 * A plain libc program that probes what eventfd(3) promises beyond its
 * result: test_superset.sh runs each scenario without and with the shim
 * and compares what it prints, so glibc's eventfd on this system is the
 * reference and nothing is hard-coded. A scenario that hangs is ended by
 * its alarm, which changes the output and the exit status.
 *
 *   superset_probe SCENARIO
 *   cancel   a thread with a cancellation pending calls eventfd(): does it
 *            return, and do eventfd() and fork() work afterwards?
 *   signal   a profiling timer whose handler calls eventfd() while the
 *            main loop does, closing the device's fds now and then so that
 *            the library must open its factory again
 *   atfork   a fork child handler registered before any eventfd() calls
 *            eventfd() in the child, the device's fds closed before fork()
 *   errno    errno after successful calls (set to EDOM before each)
 *   onefd    stdin closed and the fd limit reached but for fd 0
 *   onefd10  the fd limit reached but for fd 10, two eventfd() in turn
 *   counter  what a counter does: eventfd(0), write 2, read, read again
 *            (non-blocking); run with a node of another driver
 *   malloc   after setlocale(LC_ALL, ""), how many allocations failing
 *            eventfd_read(), eventfd_write() and a first eventfd() make
 *            (run with a translated locale: strerror() then allocates)
 *   lookups VERSION  which object each way of looking eventfd up finds
 *            (VERSION: eventfd's version node in this libc): what
 *            ohos_eventfd(3) says the shim catches and does not
 *   getenv   how many getenv() and secure_getenv() calls 100 eventfd()
 *            make (none in glibc: getenv() is not async-signal-safe, a
 *            handler may call eventfd())
 *   basic    one eventfd(), for runs under other conditions (user, node)
 *   loop     100 eventfd() + close(), for counting system calls
 *   dlopen PATH       100 dlopen/ohos_eventfd()/dlclose cycles of the
 *                     library at PATH, then how many fds of the device are open
 *   both PATH         eventfd(), then dlopen the library at PATH and call
 *                     ohos_eventfd(): how many fds of the device are open
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#define DEVICE		"/dev/ohos_eventfd"
#define TIMEOUT		30
#define ITERATIONS	20000

/*
 * The allocator, counted while @counting: glibc lets a program replace
 * malloc, calloc, realloc and free, and calls the replacements itself
 * (exported: the tests build with -fvisibility=hidden).
 */
#define EXPORTED __attribute__((visibility("default")))
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
static volatile int counting, allocations;

EXPORTED void *malloc(size_t size)
{
	allocations += counting;
	return __libc_malloc(size);
}

EXPORTED void *calloc(size_t n, size_t size)
{
	allocations += counting;
	return __libc_calloc(n, size);
}

EXPORTED void *realloc(void *ptr, size_t size)
{
	allocations += counting;
	return __libc_realloc(ptr, size);
}

EXPORTED void free(void *ptr)
{
	__libc_free(ptr);
}

/*
 * getenv() and secure_getenv(), counted while @counting_getenv: the
 * program's definitions bind the libraries' calls.
 */
extern char **environ;
static volatile int counting_getenv, getenv_calls;

EXPORTED char *getenv(const char *name)
{
	size_t len = strlen(name);
	char **env;

	getenv_calls += counting_getenv;
	for (env = environ; env && *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

EXPORTED char *secure_getenv(const char *name)
{
	return getauxval(AT_SECURE) ? NULL : getenv(name);
}

/* "ok", or the errno name of a failed eventfd(); closes the counter. */
static const char *try_eventfd(int flags)
{
	int fd = eventfd(0, flags);

	if (fd < 0)
		return strerrorname_np(errno);
	close(fd);
	return "ok";
}

static int fork_works(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static int device_fds(int close_them);

static volatile int cancel_returned, cancel_fd = -1;

/* Nothing but eventfd() between the cancel and the test: close() is a cancellation point. */
static void *cancel_thread(void *arg)
{
	(void)arg;
	pthread_cancel(pthread_self());
	cancel_fd = eventfd(0, EFD_CLOEXEC);
	cancel_returned = 1;
	pthread_testcancel();
	return NULL;
}

static void scenario_cancel(void)
{
	pthread_t thread;

	pthread_create(&thread, NULL, cancel_thread, NULL);
	pthread_join(thread, NULL);
	printf("eventfd() with a cancellation pending returned: %s\n", cancel_returned ? "yes" : "no");
	if (cancel_fd >= 0)
		close(cancel_fd);
	printf("eventfd() afterwards: %s\n", try_eventfd(EFD_CLOEXEC));
	printf("fork() afterwards: %s\n", fork_works() ? "ok" : "failed");
}

static volatile sig_atomic_t handler_runs, handler_failures;

static void eventfd_in_handler(int sig)
{
	int saved = errno, fd = eventfd(0, EFD_CLOEXEC);

	(void)sig;
	if (fd < 0)
		handler_failures++;
	else
		close(fd);
	handler_runs++;
	errno = saved;
}

static void scenario_signal(void)
{
	struct itimerval every = { { 0, 100 }, { 0, 100 } }, off = { { 0, 0 }, { 0, 0 } };
	int i, failures = 0;

	signal(SIGPROF, eventfd_in_handler);
	setitimer(ITIMER_PROF, &every, NULL);
	for (i = 0; i < ITERATIONS || handler_runs < 100; i++) {
		failures += strcmp(try_eventfd(EFD_CLOEXEC), "ok") != 0;
		if (i % 4 == 0)
			device_fds(1);
	}
	setitimer(ITIMER_PROF, &off, NULL);
	printf("main loop: %d failures; handler: %d failures\n", failures, (int)handler_failures);
}

static void child_calls_eventfd(void)
{
	alarm(TIMEOUT);		/* a child does not inherit the parent's alarm */
	if (strcmp(try_eventfd(EFD_CLOEXEC), "ok"))
		_exit(2);
}

static void scenario_atfork(void)
{
	int status;
	pid_t pid;

	pthread_atfork(NULL, NULL, child_calls_eventfd);
	printf("eventfd() before fork(): %s\n", try_eventfd(EFD_CLOEXEC));
	device_fds(1);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(0);
	printf("child whose atfork handler calls eventfd(): %s\n",
	       waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
	       "exited 0" : "failed or hung");
}

static void scenario_errno(void)
{
	eventfd_t value;
	int fd;

	errno = EDOM;
	fd = eventfd(1, EFD_CLOEXEC);
	printf("eventfd(): %s, errno %s\n", fd >= 0 ? "ok" : "failed", strerrorname_np(errno));
	errno = EDOM;
	printf("eventfd_write(): %d, errno %s\n", eventfd_write(fd, 2), strerrorname_np(errno));
	errno = EDOM;
	printf("eventfd_read(): %d, errno %s\n", eventfd_read(fd, &value), strerrorname_np(errno));
	close(fd);
}

static void scenario_onefd(void)
{
	struct rlimit limit;
	int fd;

	/* Every fd but 0 taken: the program has exactly one fd to spare. */
	close(STDIN_FILENO);
	getrlimit(RLIMIT_NOFILE, &limit);
	limit.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &limit);
	while (dup(STDOUT_FILENO) >= 0)
		;
	close(STDIN_FILENO);	/* the first dup() took 0 */
	fd = eventfd(0, EFD_CLOEXEC);
	printf("eventfd() with one free fd: %s\n", fd == 0 ? "fd 0" : fd < 0 ? strerrorname_np(errno) : "another fd");
	close(fd);
	fd = dup(STDOUT_FILENO);
	printf("fd 0 free again after close(): %s\n", fd == 0 ? "yes" : "no");
}

static void scenario_onefd10(void)
{
	struct rlimit limit;
	int fd, round;

	getrlimit(RLIMIT_NOFILE, &limit);
	limit.rlim_cur = 64;
	setrlimit(RLIMIT_NOFILE, &limit);
	while (dup(STDOUT_FILENO) >= 0)
		;
	close(10);
	for (round = 1; round <= 2; round++) {
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0)
			printf("eventfd() %d with one free fd (10): %s\n", round, strerrorname_np(errno));
		else
			printf("eventfd() %d with one free fd (10): fd %d\n", round, fd);
		close(fd);
	}
}

static void scenario_counter(void)
{
	eventfd_t value = 0;
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), ret;

	printf("eventfd(0): %s\n", fd >= 0 ? "ok" : strerrorname_np(errno));
	ret = eventfd_write(fd, 2);
	printf("eventfd_write(2): %s\n", ret ? strerrorname_np(errno) : "ok");
	ret = eventfd_read(fd, &value);
	printf("eventfd_read(): %s, %llu\n", ret ? strerrorname_np(errno) : "ok", (unsigned long long)value);
	ret = eventfd_read(fd, &value);
	printf("eventfd_read() again: %s\n", ret ? strerrorname_np(errno) : "ok");
	close(fd);
}

/* What a signal handler may reach when a call fails: nothing there may allocate. */
static void scenario_malloc(void)
{
	const char *locale = setlocale(LC_ALL, "");
	eventfd_t value;
	int fd;

	counting = 1;
	eventfd_read(-1, &value);
	eventfd_write(-1, 1);
	fd = eventfd(0, EFD_CLOEXEC);
	counting = 0;
	close(fd);
	printf("locale %s: %d allocations\n", locale ? locale : "(none)", allocations);
}

/* "shim" when @fn is the shim's eventfd, "none" when the lookup failed, else "libc". */
static const char *defined_in(void *fn)
{
	Dl_info info;

	if (!fn)
		return "none";
	return dladdr(fn, &info) && strstr(info.dli_fname, "preload") ? "shim" : "libc";
}

static void scenario_lookups(const char *version)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

	printf("dlsym(RTLD_DEFAULT): %s\n", defined_in(dlsym(RTLD_DEFAULT, "eventfd")));
	printf("dlsym(RTLD_NEXT): %s\n", defined_in(dlsym(RTLD_NEXT, "eventfd")));
	printf("dlsym(libc's handle): %s\n", defined_in(libc ? dlsym(libc, "eventfd") : NULL));
	printf("dlvsym(RTLD_DEFAULT, libc's version): %s\n",
	       defined_in(dlvsym(RTLD_DEFAULT, "eventfd", version)));
}

static void scenario_loop(void)
{
	int i, failures = 0;

	for (i = 0; i < 100; i++)
		failures += strcmp(try_eventfd(EFD_CLOEXEC), "ok") != 0;
	printf("100 eventfd(): %d failed\n", failures);
}

static void scenario_getenv(void)
{
	int i, failures = 0;

	counting_getenv = 1;
	for (i = 0; i < 100; i++)
		failures += strcmp(try_eventfd(EFD_CLOEXEC), "ok") != 0;
	counting_getenv = 0;
	printf("100 eventfd(): %d failed, %d getenv() calls\n", failures, getenv_calls);
}

/*
 * How many fds of this process are the device node (factories); with
 * @close_them, close them: what closefrom() does behind the library's back,
 * so that its next call must open a factory again.
 */
static int device_fds(int close_them)
{
	DIR *dir = opendir("/proc/self/fd");
	char path[300], link[64];
	struct dirent *entry;
	int n = 0;
	ssize_t len;

	while (dir && (entry = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", entry->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len != (ssize_t)strlen(DEVICE) || memcmp(link, DEVICE, strlen(DEVICE)))
			continue;
		n++;
		if (close_them)
			close(atoi(entry->d_name));
	}
	if (dir)
		closedir(dir);
	return n;
}

typedef int (*ohos_eventfd_fn)(unsigned int, int);

/* Load the library, make a counter with it; returns the handle or NULL. */
static void *library_counter(const char *path)
{
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ohos_eventfd_fn create = lib ? (ohos_eventfd_fn)dlsym(lib, "ohos_eventfd") : NULL;
	int fd = create ? create(0, EFD_CLOEXEC | 0x40000000 /* OHOS_EFD_FALLBACK */) : -1;

	if (fd >= 0)
		close(fd);
	else
		printf("# %s: %s\n", path, lib ? "ohos_eventfd() failed" : dlerror());
	return fd >= 0 ? lib : NULL;
}

static void scenario_dlopen(const char *path)
{
	int i, failures = 0;
	void *lib;

	for (i = 0; i < 100; i++) {
		lib = library_counter(path);
		failures += !lib;
		if (lib)
			dlclose(lib);
	}
	printf("100 dlopen/ohos_eventfd()/dlclose cycles: %d failed, %d fds of %s open\n",
	       failures, device_fds(0), DEVICE);
}

static void scenario_both(const char *path)
{
	printf("eventfd(): %s\n", try_eventfd(EFD_CLOEXEC));
	printf("ohos_eventfd() through dlopen: %s\n", library_counter(path) ? "ok" : "failed");
	printf("fds of %s open: %d\n", DEVICE, device_fds(0));
}

int main(int argc, char **argv)
{
	const char *scenario = argc > 1 ? argv[1] : "";

	alarm(TIMEOUT);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(scenario, "cancel"))
		scenario_cancel();
	else if (!strcmp(scenario, "signal"))
		scenario_signal();
	else if (!strcmp(scenario, "atfork"))
		scenario_atfork();
	else if (!strcmp(scenario, "errno"))
		scenario_errno();
	else if (!strcmp(scenario, "onefd"))
		scenario_onefd();
	else if (!strcmp(scenario, "malloc"))
		scenario_malloc();
	else if (!strcmp(scenario, "onefd10"))
		scenario_onefd10();
	else if (!strcmp(scenario, "counter"))
		scenario_counter();
	else if (!strcmp(scenario, "lookups") && argc == 3)
		scenario_lookups(argv[2]);
	else if (!strcmp(scenario, "getenv"))
		scenario_getenv();
	else if (!strcmp(scenario, "basic"))
		printf("eventfd(): %s\n", try_eventfd(EFD_CLOEXEC));
	else if (!strcmp(scenario, "loop"))
		scenario_loop();
	else if (!strcmp(scenario, "dlopen") && argc == 3)
		scenario_dlopen(argv[2]);
	else if (!strcmp(scenario, "both") && argc == 3)
		scenario_both(argv[2]);
	else
		return 2;
	return 0;
}
