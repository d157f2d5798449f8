// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifecycle, in a VM booted without the module (scripts/vm.sh
 * --no-module): rmmod is refused while any counter is open (an opened fd,
 * a CREATE'd fd whose device fd is gone, a reader blocked in read); then
 * the module is loaded and unloaded --cycles times with counters of every
 * kind created and closed in between, and the slab, per-CPU and vmalloc
 * memory must be back where it was. Leaked counters also make
 * kmem_cache_destroy() WARN at unload, which the VM runner catches.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "rel.h"

#define MODULE_NAME	"ohos_eventfd"
/* A module that is always in use in the VM: the root filesystem's. */
#define BUSY_MODULE	"overlay"
#define CHURN_COUNTERS	200
#define RINGS_EVERY	10	/* cycles whose first counters get rings */
#define CHURN_WITH_RINGS	2	/* of them, given rings on two CPUs */
/*
 * Growth that fails the run, in kB: 16 bytes per counter leaked over 100
 * cycles of 200 counters is 320 kB; the noise seen over 100 clean cycles
 * is under 100 kB. Contexts and rings come from the module's own caches,
 * whose kmem_cache_destroy() at each rmmod reports any object left.
 */
#define LEAK_LIMIT_KB	256

static struct {
	const char *ko;
	unsigned int cycles;
} opt = { .cycles = 100 };

static unsigned int failures;

static void check(bool ok, const char *what)
{
	if (!ok) {
		failures++;
		rel_fail("%s", what);
	}
}

static void load(void)
{
	int fd = open(opt.ko, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		rel_die("open %s", opt.ko);
	if (syscall(SYS_finit_module, fd, "", 0))
		rel_die("finit_module %s", opt.ko);
	close(fd);
	if (access(OHOS_EVENTFD_DEVICE, F_OK))
		rel_die("%s did not appear after loading", OHOS_EVENTFD_DEVICE);
}

/* delete_module() as rmmod does it: 0 or an errno. */
static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

static bool loaded(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

/* ---- refused while in use --------------------------------------------------- */

static _Atomic pid_t reader_tid;

static void *blocked_read(void *arg)
{
	uint64_t v;

	reader_tid = gettid();
	return (void *)(intptr_t)read(*(int *)arg, &v, sizeof(v));
}

/* Start a reader on @fd and return once it sleeps in read(). */
static void start_blocked_reader(pthread_t *thread, int *fd)
{
	reader_tid = 0;
	if (pthread_create(thread, NULL, blocked_read, fd))
		rel_die("pthread_create");
	while (!reader_tid)
		rel_sleep_ms(1);
	if (!efd_wait_in_syscall(reader_tid, SYS_read, 10))
		rel_die("the reader does not block in read()");
}

/*
 * delete_module() while a counter is in use must fail as it does for any
 * module in use (compared with BUSY_MODULE, not assumed), and leave the
 * counter working: a write of 7 lands (in the count, or with a blocked
 * reader, which the caller then checks).
 */
static void refused_while(const char *what, int fd, int busy_err, bool reader_waits)
{
	char msg[256];
	uint64_t v = 7;
	int err = unload(MODULE_NAME);

	snprintf(msg, sizeof(msg), "rmmod with %s: %s, a module in use gives %s", what,
		 efd_errname(err), efd_errname(busy_err));
	check(err == busy_err && loaded(), msg);
	rel_note("rmmod with %s: refused with %s", what, efd_errname(err));
	snprintf(msg, sizeof(msg), "the counter (%s) stopped working after the refused rmmod", what);
	check(write(fd, &v, sizeof(v)) == sizeof(v) && (reader_waits || rel_peek(fd) >= 7), msg);
}

static void rmmod_in_use(void)
{
	struct ohos_efd_config cfg = { 0 };
	int busy_err = unload(BUSY_MODULE), dev, made;
	pthread_t reader;
	uint64_t v = 1;
	void *ret;

	if (!busy_err)
		rel_die("%s unloaded although in use: cannot compare", BUSY_MODULE);
	load();
	dev = open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		rel_die("open %s", OHOS_EVENTFD_DEVICE);
	refused_while("an fd of /dev/ohos_eventfd open", dev, busy_err, false);

	made = ioctl(dev, OHOS_EFD_IOC_CREATE, &cfg);
	if (made < 0)
		rel_die("OHOS_EFD_IOC_CREATE");
	close(dev);
	refused_while("only a CREATE'd counter open", made, busy_err, false);
	if (read(made, &v, sizeof(v)) != sizeof(v))
		rel_die("read");

	start_blocked_reader(&reader, &made);
	refused_while("a reader blocked in read", made, busy_err, true);
	pthread_join(reader, &ret);
	check((intptr_t)ret == sizeof(v), "the blocked reader did not get the 7 written");
	close(made);

	check(unload(MODULE_NAME) == 0 && !loaded(), "rmmod failed after every counter was closed");
	check(access(OHOS_EVENTFD_DEVICE, F_OK) != 0, OHOS_EVENTFD_DEVICE " outlived rmmod");
}

/* ---- load/unload cycles ---------------------------------------------------- */

struct mem {
	long percpu, sunreclaim, vmalloc, kmalloc_kb;
};

static long meminfo(const char *buf, const char *field)
{
	const char *p = strstr(buf, field);
	long v = 0;

	if (p)
		sscanf(p + strlen(field), ": %ld", &v);
	return v;
}

/* Bytes in use in the kmalloc caches, as /proc/slabinfo counts them. */
static long kmalloc_kb(void)
{
	char line[512], name[64];
	unsigned long active, total, size;
	long sum = 0;
	FILE *f = fopen("/proc/slabinfo", "re");

	if (!f)
		rel_die("/proc/slabinfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &total, &size) == 4 &&
		    !strncmp(name, "kmalloc-", 8))
			sum += active * size;
	fclose(f);
	return sum / 1024;
}

static struct mem mem_now(void)
{
	char buf[4096];
	struct mem m;

	if (efd_read_file("/proc/meminfo", buf, sizeof(buf)))
		rel_die("/proc/meminfo");
	m.percpu = meminfo(buf, "Percpu");
	m.sunreclaim = meminfo(buf, "SUnreclaim");
	m.vmalloc = meminfo(buf, "VmallocUsed");
	m.kmalloc_kb = kmalloc_kb();
	return m;
}

/*
 * Counters of every kind, in every state that allocates something: opened
 * and CREATE'd, semaphore, written from two CPUs, with rings on both
 * (@with_rings: the first two; a ring left at rmmod makes the ring cache's
 * kmem_cache_destroy() complain, which fails the VM log; giving rings takes
 * seconds under TCG, hence not every cycle), transition mode with an epoll
 * waiter, a blocked reader woken by a write.
 */
static void churn(struct mem *in_use, bool with_rings)
{
	uint32_t mode = OHOS_EFD_MODE_TRANSITION;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	int fds[CHURN_COUNTERS], ep = epoll_create1(EPOLL_CLOEXEC), i;
	pthread_t reader;
	uint64_t v = 1;
	char path[64], buf[512];

	if (ep < 0)
		rel_die("epoll_create1");
	for (i = 0; i < CHURN_COUNTERS; i++) {
		const struct efd_spec spec = {
			.initval = i % 3, .flags = EFD_CLOEXEC | (i % 4 == 1 ? EFD_SEMAPHORE : 0),
		};

		efd_set_factory(i % 2 ? EFD_FACTORY_CREATE_REUSE : EFD_FACTORY_OPEN);
		fds[i] = efd_create(EFD_OHOS, &spec);
		if (fds[i] < 0)
			rel_die("counter %d", i);
		if (with_rings && i < CHURN_WITH_RINGS && efd_give_rings(fds[i], 2))
			rel_die("rings for counter %d", i);
		if (i % 5 == 0 && ioctl(fds[i], OHOS_EFD_IOC_SET_MODE, &mode))
			rel_die("SET_MODE");
		if (i % 5 == 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev))
			rel_die("epoll_ctl");
		efd_pin_self(0);
		if (write(fds[i], &v, sizeof(v)) != sizeof(v))
			rel_die("write");
		efd_pin_self(1);
		if (write(fds[i], &v, sizeof(v)) != sizeof(v) ||
		    write(fds[i], &v, sizeof(v)) != sizeof(v))
			rel_die("write");
	}
	efd_pin_self(0);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fds[0]);
	efd_read_file(path, buf, sizeof(buf));
	if (read(fds[3], &v, sizeof(v)) != sizeof(v))
		rel_die("read");
	start_blocked_reader(&reader, &fds[3]);
	if (write(fds[3], &v, sizeof(v)) != sizeof(v))
		rel_die("write");
	pthread_join(reader, NULL);
	if (in_use)
		*in_use = mem_now();
	for (i = 0; i < CHURN_COUNTERS; i++)
		close(fds[i]);
	close(ep);
	efd_set_factory(EFD_FACTORY_OPEN);
	efd_close_factory();
}

static void cycle(bool with_rings)
{
	int err;

	load();
	churn(NULL, with_rings);
	err = unload(MODULE_NAME);
	if (err)
		rel_die("rmmod after closing every counter: %s", efd_errname(err));
}

/* Is @cache merged with another (then a leak would not WARN at unload)? */
static void note_slab_merge(const char *cache)
{
	char target[256], other[256], path[512];
	struct dirent *d;
	ssize_t n;
	int shared = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s", cache);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		rel_note("%s: %s", path, efd_errname(errno));
		return;
	}
	target[n] = '\0';
	dir = opendir("/sys/kernel/slab");
	while (dir && (d = readdir(dir))) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s", d->d_name);
		n = readlink(path, other, sizeof(other) - 1);
		if (n > 0 && (other[n] = '\0', !strcmp(other, target)))
			shared++;
	}
	if (dir)
		closedir(dir);
	rel_note("slab cache %s -> %s, %s", cache, target,
		 shared > 1 ? "merged with another cache: a leak would not WARN at unload "
			      "(boot with slab_nomerge)" :
			      "its own: a leaked object makes kmem_cache_destroy() WARN at unload");
}

static void cycles(void)
{
	struct mem before, in_use, after;
	unsigned int i;
	double t0;

	/*
	 * One cycle first: caches and per-CPU chunks reach their working
	 * size. What its counters hold while open shows what a leak of them
	 * would add per cycle.
	 */
	load();
	note_slab_merge("ohos_eventfd_ctx");
	note_slab_merge("oefd_ring");
	before = mem_now();
	churn(&in_use, true);
	if (unload(MODULE_NAME))
		rel_die("first rmmod");
	rel_note("%d open counters hold: Percpu %+ld kB, SUnreclaim %+ld kB, kmalloc caches %+ld kB",
		 CHURN_COUNTERS, in_use.percpu - before.percpu,
		 in_use.sunreclaim - before.sunreclaim, in_use.kmalloc_kb - before.kmalloc_kb);
	before = mem_now();
	t0 = rel_now();
	for (i = 0; i < opt.cycles; i++) {
		cycle(i % RINGS_EVERY == 0);
		if ((i + 1) % 25 == 0)
			rel_note("%u load/unload cycles, %u counters each, %.1f s", i + 1,
				 CHURN_COUNTERS, rel_now() - t0);
	}
	after = mem_now();
	rel_note("memory after %u cycles vs after the first: Percpu %ld -> %ld kB, SUnreclaim "
		 "%ld -> %ld kB, VmallocUsed %ld -> %ld kB, kmalloc caches %ld -> %ld kB", opt.cycles,
		 before.percpu, after.percpu, before.sunreclaim, after.sunreclaim, before.vmalloc,
		 after.vmalloc, before.kmalloc_kb, after.kmalloc_kb);
	check(after.percpu - before.percpu < LEAK_LIMIT_KB, "Percpu grew: per-CPU rings leak");
	check(after.sunreclaim - before.sunreclaim < LEAK_LIMIT_KB, "SUnreclaim grew: slab leak");
	check(after.vmalloc - before.vmalloc < LEAK_LIMIT_KB, "VmallocUsed grew: module memory leak");
	check(after.kmalloc_kb - before.kmalloc_kb < LEAK_LIMIT_KB, "kmalloc caches grew: leak");
	rel_note("kmemleak: %s", access("/sys/kernel/debug/kmemleak", F_OK) == 0 ?
		 "present but not used by this test" :
		 "not available (CONFIG_DEBUG_KMEMLEAK is off in Debian's kernels)");
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s --ko PATH [--cycles N]\n"
		"In a VM without the module loaded (root): rmmod refused while counters\n"
		"are open, then N (default 100) load/unload cycles of PATH with %d\n"
		"counters each; per-CPU, slab, vmalloc and kmalloc memory must come back\n"
		"within %d kB. Leaves the module unloaded.\n"
		"Exit: 0 pass, 1 fail, 2 setup error.\n", rel_prog, CHURN_COUNTERS, LEAK_LIMIT_KB);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ko", required_argument, NULL, 'k' },
		{ "cycles", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	rel_init(argv[0]);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': opt.ko = optarg; break;
		case 'c': opt.cycles = rel_parse_num("--cycles", optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!opt.ko || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (loaded())
		rel_die("%s is loaded: boot the VM with --no-module", MODULE_NAME);
	rmmod_in_use();
	cycles();
	return failures ? 1 : 0;
}
