// SPDX-License-Identifier: GPL-2.0
/*
 * Scale and resource limits: many counters at once, RLIMIT_NOFILE, and a
 * memory cgroup limit. Each runs on native eventfds and on ohos_eventfd
 * counters (opened, or made with OHOS_EFD_IOC_CREATE) and the outcomes
 * are compared; none may oops, leave a task stuck, or leave memory behind.
 *
 *   scale instances N   N counters of each kind, each written and read back
 *   scale emfile        create until RLIMIT_NOFILE stops it: EMFILE
 *   scale memcg         create inside a cgroup v2 memory.max until refused:
 *                       ENOMEM, or the cgroup's OOM killer (both reported)
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "rel.h"

#define CGROUP_ROOT	"/sys/fs/cgroup"
#define MEMCG_LIMIT	"32M"
#define MEMCG_WAIT_S	120
/* Console messages of this level and less urgent are kept off the console. */
#define QUIET_CONSOLE_LEVEL 4

enum method { M_NATIVE, M_OPEN, M_CREATE, M_COUNT };

static const char *const method_name[M_COUNT] = {
	"eventfd", "open(/dev/ohos_eventfd)", "OHOS_EFD_IOC_CREATE",
};

static unsigned int failures;

static int make(enum method m, int flags)
{
	const struct efd_spec spec = { .flags = flags };

	efd_set_factory(m == M_CREATE ? EFD_FACTORY_CREATE_REUSE : EFD_FACTORY_OPEN);
	return efd_create(m == M_NATIVE ? EFD_NATIVE : EFD_OHOS, &spec);
}

static void set_nofile(rlim_t n)
{
	struct rlimit rl = { n, n };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		rel_die("setrlimit(RLIMIT_NOFILE, %llu)", (unsigned long long)n);
}

/* A field of /proc/meminfo, in kB. */
static long meminfo(const char *field)
{
	char buf[4096], *p;
	long v;

	if (efd_read_file("/proc/meminfo", buf, sizeof(buf)))
		rel_die("reading /proc/meminfo");
	p = strstr(buf, field);
	if (!p || sscanf(p + strlen(field), ": %ld", &v) != 1)
		rel_die("no %s in /proc/meminfo", field);
	return v;
}

/* ---- instances -------------------------------------------------------------- */

/*
 * N counters at once. Counter i gets i+1 written (every tenth from both
 * CPUs, which gives ours its per-CPU rings) and must read back exactly
 * that; then all are closed and the memory must come back.
 */
static void instances(enum method m, unsigned int n)
{
	long avail0, slab0, percpu0, avail1, slab1, percpu1, slab2, percpu2;
	double t0, t_create, t_use;
	int *fds = calloc(n, sizeof(int));
	unsigned int i, bad = 0;
	uint64_t v;

	if (!fds)
		rel_die("calloc");
	efd_pin_self(0);
	avail0 = meminfo("MemAvailable");
	slab0 = meminfo("Slab");
	percpu0 = meminfo("Percpu");
	t0 = rel_now();
	for (i = 0; i < n; i++) {
		fds[i] = make(m, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fds[i] < 0)
			rel_die("%s: counter %u of %u", method_name[m], i, n);
	}
	t_create = rel_now() - t0;
	for (i = 0; i < n; i++) {
		v = i + 1;
		if (i % 10 == 0) {
			uint64_t one = 1;

			efd_pin_self(1);
			if (write(fds[i], &one, sizeof(one)) != sizeof(one))
				bad++;
			efd_pin_self(0);
			v = i;
		}
		if (write(fds[i], &v, sizeof(v)) != sizeof(v))
			bad++;
	}
	avail1 = meminfo("MemAvailable");
	slab1 = meminfo("Slab");
	percpu1 = meminfo("Percpu");
	for (i = 0; i < n; i++)
		if (read(fds[i], &v, sizeof(v)) != sizeof(v) || v != (uint64_t)i + 1)
			bad++;
	t_use = rel_now() - t0 - t_create;
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	slab2 = meminfo("Slab");
	percpu2 = meminfo("Percpu");
	rel_note("%s: %u counters in %.1f s, written and read back in %.1f s; in use: "
		 "Slab %+ld kB (%.0f bytes per counter), Percpu %+ld kB, MemAvailable %+ld kB; "
		 "after close: Slab %+ld kB, Percpu %+ld kB", method_name[m], n, t_create, t_use,
		 slab1 - slab0, (slab1 - slab0) * 1024.0 / n, percpu1 - percpu0, avail1 - avail0,
		 slab2 - slab0, percpu2 - percpu0);
	if (bad) {
		failures++;
		rel_fail("%s: %u of %u counters did not hold what was written", method_name[m], bad, n);
	}
}

/* ---- RLIMIT_NOFILE -------------------------------------------------------------- */

/* How many counters fit under a limit of 64 fds, and how the next one fails. */
static void emfile_one(enum method m, unsigned int *made, int *err)
{
	int status, pipefd[2], res[2] = { 0, 0 };
	pid_t pid;

	if (pipe(pipefd))
		rel_die("pipe");
	pid = fork();
	if (pid < 0)
		rel_die("fork");
	if (pid == 0) {
		/*
		 * Every method starts with one device fd open: CREATE keeps
		 * one for itself (made by a first counter, closed again).
		 */
		close(make(m, EFD_CLOEXEC));
		if (m != M_CREATE && open(OHOS_EVENTFD_DEVICE, O_RDWR | O_CLOEXEC) < 0)
			_exit(1);
		set_nofile(64);
		while (make(m, EFD_CLOEXEC) >= 0)
			res[0]++;
		res[1] = errno;
		_exit(write(pipefd[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(pipefd[1]);
	if (read(pipefd[0], res, sizeof(res)) != sizeof(res) || waitpid(pid, &status, 0) != pid)
		rel_die("the %s child did not report", method_name[m]);
	close(pipefd[0]);
	*made = res[0];
	*err = res[1];
}

static void emfile(void)
{
	unsigned int made[M_COUNT];
	int err[M_COUNT], m;

	for (m = 0; m < M_COUNT; m++) {
		emfile_one(m, &made[m], &err[m]);
		rel_note("RLIMIT_NOFILE 64: %u counters by %s, then %s", made[m], method_name[m],
			 efd_errname(err[m]));
		if (made[m] != made[M_NATIVE] || err[m] != err[M_NATIVE]) {
			failures++;
			rel_fail("%s differs from eventfd under RLIMIT_NOFILE", method_name[m]);
		}
	}
}

/* ---- memory cgroup ------------------------------------------------------------ */

static long memcg_event(const char *dir, const char *name)
{
	char path[256], buf[1024], *p;
	long v = -1;

	snprintf(path, sizeof(path), "%s/memory.events", dir);
	if (efd_read_file(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, name);
	if (p)
		sscanf(p + strlen(name), " %ld", &v);
	return v;
}

/* cgroup2 at CGROUP_ROOT with the memory controller for its children. */
static void memcg_setup(void)
{
	struct stat st;

	if (stat(CGROUP_ROOT "/cgroup.controllers", &st)) {
		mkdir(CGROUP_ROOT, 0755);
		if (system("mount -t cgroup2 cgroup2 " CGROUP_ROOT))
			rel_die("mounting cgroup2 at %s", CGROUP_ROOT);
	}
	if (efd_write_file(CGROUP_ROOT "/cgroup.subtree_control", "+memory"))
		rel_die("enabling the memory controller in %s", CGROUP_ROOT);
}

/* Console output quieter than warnings, so that an OOM report stays in the ring buffer. */
static int console_level(int level)
{
	char buf[64], text[64];
	int old = 7, def, min, boot;

	if (!efd_read_file("/proc/sys/kernel/printk", buf, sizeof(buf)))
		sscanf(buf, "%d %d %d %d", &old, &def, &min, &boot);
	snprintf(text, sizeof(text), "%d", level);
	if (efd_write_file("/proc/sys/kernel/printk", text))
		rel_die("setting the console log level");
	return old;
}

/*
 * The kernel messages logged since @kmsg was opened: fails on any report
 * of a kernel problem; a stack trace is allowed only in an OOM report.
 * Prints the OOM killer's verdicts.
 */
static const char *const bad_kernel_words[] = {
	"BUG:", "WARNING:", "Oops", "general protection", "KASAN", "UBSAN",
	"blocked for more than", "soft lockup", "hard LOCKUP", "detected stalls",
	"Kernel panic", "kernel BUG", "lockdep", "circular locking",
};

static void scan_kmsg(int kmsg)
{
	char rec[2048];
	bool in_oom = false;
	unsigned int i;
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		char *text = strchr(rec, ';');

		rec[n] = '\0';
		text = text ? text + 1 : rec;
		if (strstr(text, "invoked oom-killer") || strstr(text, "Out of memory"))
			in_oom = true;
		if (strstr(text, "Killed process") || strstr(text, "Out of memory and no killable"))
			printf("#     kernel: %s", text);
		for (i = 0; i < ARRAY_SIZE(bad_kernel_words); i++)
			if (strstr(text, bad_kernel_words[i]))
				break;
		if (i < ARRAY_SIZE(bad_kernel_words) ||
		    (strstr(text, "Call Trace") && !in_oom)) {
			failures++;
			rel_fail("kernel: %s", text);
		}
	}
}

struct memcg_result {
	unsigned int made;
	int err;
	bool killed;
	long oom_kills;
};

/*
 * A child moves into a new cgroup with memory.max MEMCG_LIMIT and creates
 * counters until refused. @protect: oom_score_adj -1000, so that the OOM
 * killer has no victim and the charge fails with ENOMEM instead.
 */
static struct memcg_result memcg_one(enum method m, bool protect)
{
	struct memcg_result r = { 0 };
	char dir[128], path[192], pid_text[32];
	unsigned int *shared;
	double deadline;
	int status = 0, err;
	pid_t pid;

	snprintf(dir, sizeof(dir), CGROUP_ROOT "/oefd-scale-%d", (int)getpid());
	if (mkdir(dir, 0755) && errno != EEXIST)
		rel_die("mkdir %s", dir);
	snprintf(path, sizeof(path), "%s/memory.max", dir);
	if (efd_write_file(path, MEMCG_LIMIT))
		rel_die("writing %s", path);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		rel_die("mmap");
	pid = fork();
	if (pid < 0)
		rel_die("fork");
	if (pid == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		snprintf(pid_text, sizeof(pid_text), "%d", (int)getpid());
		if (efd_write_file(path, pid_text) ||
		    (protect && efd_write_file("/proc/self/oom_score_adj", "-1000")))
			_exit(100);
		set_nofile(1 << 20);
		while (make(m, EFD_CLOEXEC) >= 0)
			shared[0]++;
		shared[1] = errno;
		_exit(0);
	}
	deadline = rel_now() + MEMCG_WAIT_S;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (rel_now() > deadline) {
			failures++;
			rel_fail("%s in a memory cgroup: the child is stuck after %d s", method_name[m],
				 MEMCG_WAIT_S);
			rel_dump_stacks(pid);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		rel_sleep_ms(50);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 100)
		rel_die("the child could not join %s", dir);
	r.made = shared[0];
	r.err = shared[1];
	r.killed = WIFSIGNALED(status);
	r.oom_kills = memcg_event(dir, "oom_kill");
	munmap(shared, 4096);
	/* No task may stay behind in the cgroup: rmdir must succeed. */
	for (deadline = rel_now() + 10; rmdir(dir) && rel_now() < deadline;)
		rel_sleep_ms(50);
	err = errno;
	if (access(dir, F_OK) == 0) {
		failures++;
		rel_fail("cannot remove %s: %s", dir, efd_errname(err));
	}
	return r;
}

static void memcg(void)
{
	struct memcg_result r;
	int kmsg, old_level, m, protect;

	memcg_setup();
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0 || lseek(kmsg, 0, SEEK_END) < 0)
		rel_die("opening /dev/kmsg");
	old_level = console_level(QUIET_CONSOLE_LEVEL);
	rel_note("console log level %d while the OOM killer may report (was %d); this test scans "
		 "/dev/kmsg itself", QUIET_CONSOLE_LEVEL, old_level);
	for (protect = 0; protect < 2; protect++) {
		for (m = 0; m < M_COUNT; m++) {
			r = memcg_one(m, protect);
			rel_note("memory.max %s%s, %s: %u counters, then %s; %s by the OOM killer "
				 "(memory.events oom_kill %ld)", MEMCG_LIMIT,
				 protect ? ", oom_score_adj -1000" : "", method_name[m], r.made,
				 r.killed ? "(killed)" : efd_errname(r.err),
				 r.killed ? "killed" : "not killed", r.oom_kills);
			if (!r.made || (!r.killed && r.err != ENOMEM)) {
				failures++;
				rel_fail("%s: neither ENOMEM nor the OOM killer stopped it",
					 method_name[m]);
			}
			scan_kmsg(kmsg);
		}
	}
	console_level(old_level);
	close(kmsg);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s instances N | emfile | memcg\n"
		"  instances N   N counters by each method at once (eventfd, open, CREATE),\n"
		"                each written and read back; memory before, during, after\n"
		"                (raises RLIMIT_NOFILE; root)\n"
		"  emfile        counters by each method under RLIMIT_NOFILE 64: the same\n"
		"                number, then the same errno\n"
		"  memcg         counters in a cgroup v2 with memory.max %s until refused,\n"
		"                with and without oom_score_adj -1000; ENOMEM or the OOM\n"
		"                killer, never a stuck task (root; lowers the console log\n"
		"                level meanwhile and checks /dev/kmsg itself)\n"
		"Exit: 0 pass, 1 fail, 2 setup error.\n", rel_prog, MEMCG_LIMIT);
}

int main(int argc, char **argv)
{
	int m;

	rel_init(argv[0]);
	if (argc == 3 && !strcmp(argv[1], "instances")) {
		unsigned int n = rel_parse_num("instances", argv[2]);

		set_nofile(n + 64);
		for (m = 0; m < M_COUNT; m++)
			instances(m, n);
	} else if (argc == 2 && !strcmp(argv[1], "emfile")) {
		emfile();
	} else if (argc == 2 && !strcmp(argv[1], "memcg")) {
		memcg();
	} else {
		usage(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	return failures ? 1 : 0;
}
