// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to every ioctl of include/uapi/linux/ohos_eventfd.h: NULL,
 * PROT_NONE, half-mapped, read-only and kernel pointers, every wrong struct
 * size in a command's number, every unknown bit. Each must fail with the errno the header
 * gives (EFAULT, EINVAL, E2BIG, EBUSY, ENOTTY) and never oops (the VM runner
 * fails on any kernel report). Output buffers are pre-filled with a pattern
 * so that every byte the kernel writes can be checked to be a defined
 * field: no kernel memory may leave. Built twice: 64-bit, and -m32 to go
 * through compat_ioctl.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "rel.h"

#define PAGE		4096
#define FILL		0xa5
#define COUNT_MAX	0xfffffffffffffffeULL

static unsigned int checks, failures;

/*
 * Memory for arguments: @pages read-write pages followed by a PROT_NONE
 * guard page, so that "the end of the mapping" is a known place.
 */
struct arena {
	unsigned char *base;
	size_t len;
};

static struct arena arena_new(unsigned int pages)
{
	struct arena a = { .len = (size_t)pages * PAGE };

	a.base = mmap(NULL, a.len + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (a.base == MAP_FAILED || mprotect(a.base + a.len, PAGE, PROT_NONE))
		rel_die("mmap");
	memset(a.base, FILL, a.len);
	return a;
}

/* An address @back bytes before the guard page: the rest of the object lies in it. */
static void *straddling(const struct arena *a, size_t back)
{
	return a->base + a->len - back;
}

static void *kernel_address(void)
{
	/* A 64-bit kernel address; in a 32-bit process, the top page, above TASK_SIZE. */
	return (void *)(uintptr_t)(sizeof(void *) == 8 ? 0xffff888000000000ULL : 0xfffff000UL);
}

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	checks++;
	if (!ok) {
		failures++;
		rel_fail("%s", msg);
	}
}

/* ioctl's result as "0" or "-1 EFOO", for messages and comparisons. */
static const char *result(long ret, int err)
{
	static char buf[4][32];
	static unsigned int next;
	char *out = buf[next++ % 4];

	if (ret == 0)
		return "0";
	snprintf(out, 32, "%ld %s", ret, ret < 0 ? efd_errname(err) : "");
	return out;
}

static int io(int fd, unsigned long cmd, void *arg, int *err)
{
	int ret = ioctl(fd, cmd, arg);

	*err = ret < 0 ? errno : 0;
	return ret;
}

static void expect(int fd, unsigned long cmd, void *arg, int want, const char *what)
{
	int err, ret = io(fd, cmd, arg, &err);

	check(want ? ret == -1 && err == want : ret == 0, "%s: %s, want %s", what,
	      result(ret, err), result(want ? -1 : 0, want));
}

static int fresh(void)
{
	const struct efd_spec spec = { .flags = EFD_CLOEXEC | EFD_NONBLOCK };
	int fd = efd_create(EFD_OHOS, &spec);

	if (fd < 0)
		rel_die("open %s", OHOS_EVENTFD_DEVICE);
	return fd;
}

static bool untouched(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != FILL)
			return false;
	return true;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- pointers ------------------------------------------------------------- */

static const struct {
	unsigned long cmd;
	const char *name;
	size_t len;		/* the size of what the kernel reads or writes first */
	bool writes;		/* the kernel writes the argument */
	bool sized;		/* a struct: the number's size may be another one */
} cmds[] = {
	{ OHOS_EFD_IOC_CONFIGURE, "CONFIGURE", sizeof(struct ohos_efd_config), false, true },
	{ OHOS_EFD_IOC_GET_FLAGS, "GET_FLAGS", 4, true, false },
	{ OHOS_EFD_IOC_SET_MODE, "SET_MODE", 4, false, false },
	{ OHOS_EFD_IOC_GET_MODE, "GET_MODE", 4, true, false },
	{ OHOS_EFD_IOC_PEEK, "PEEK", 8, true, false },
	{ OHOS_EFD_IOC_GET_STATS, "GET_STATS", sizeof(struct ohos_efd_stats), true, true },
	{ OHOS_EFD_IOC_CREATE, "CREATE", sizeof(struct ohos_efd_config), false, true },
};

/*
 * Every command with NULL, a PROT_NONE page, a kernel address, a
 * read-only page (for the writers), and the object straddling the end of
 * the mapping: EFAULT, and a failed write leaves nothing behind.
 */
static void bad_pointers(void)
{
	struct arena none = arena_new(1), ro = arena_new(1), half = arena_new(1);
	unsigned int i;
	int fd = fresh(), err, ret;
	char what[96];

	if (mprotect(none.base, PAGE, PROT_NONE))
		rel_die("mprotect");
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		unsigned char *p;

		snprintf(what, sizeof(what), "%s(NULL)", cmds[i].name);
		expect(fd, cmds[i].cmd, NULL, EFAULT, what);
		snprintf(what, sizeof(what), "%s(PROT_NONE page)", cmds[i].name);
		expect(fd, cmds[i].cmd, none.base, EFAULT, what);
		snprintf(what, sizeof(what), "%s(kernel address)", cmds[i].name);
		expect(fd, cmds[i].cmd, kernel_address(), EFAULT, what);

		/* Straddling: CONFIGURE and CREATE find valid flags in the mapped half. */
		memset(half.base, FILL, half.len);
		p = straddling(&half, cmds[i].len / 2);
		if (cmds[i].sized && !cmds[i].writes)
			memset(p, 0, cmds[i].len / 2);
		ret = io(fd, cmds[i].cmd, p, &err);
		check(ret == -1 && err == EFAULT, "%s(%zu of %zu bytes mapped): %s, want -1 EFAULT",
		      cmds[i].name, cmds[i].len / 2, cmds[i].len, result(ret, err));
		if (cmds[i].writes && cmds[i].len <= 8)
			check(untouched(p, cmds[i].len / 2),
			      "%s(half-mapped) failed but wrote into the mapped half", cmds[i].name);

		if (cmds[i].writes) {
			memset(ro.base, 0, ro.len);
			mprotect(ro.base, ro.len, PROT_READ);
			snprintf(what, sizeof(what), "%s(read-only page)", cmds[i].name);
			expect(fd, cmds[i].cmd, ro.base, EFAULT, what);
			mprotect(ro.base, ro.len, PROT_READ | PROT_WRITE);
		}
	}
	close(fd);
}

/* ---- CONFIGURE -------------------------------------------------------------- */

static void configure_at(unsigned char *at, uint32_t flags, uint32_t initval)
{
	struct ohos_efd_config c = { .flags = flags, .initval = initval };

	memcpy(at, &c, sizeof(c));
}

/*
 * CONFIGURE on a fresh counter, or CREATE on a device fd, with a struct of
 * @size bytes: 0 and the count the counter then holds in *count, or -1
 * with *err.
 */
static int config_call(bool create, size_t size, void *arg, int *err, uint64_t *count)
{
	unsigned long cmd = create ? OHOS_EFD_IOC_CREATE : OHOS_EFD_IOC_CONFIGURE;
	int fd = fresh(), ret, made;

	made = io(fd, efd_ioc_sized(cmd, size), arg, err);
	ret = made < 0 ? -1 : 0;
	if (made >= 0)
		*count = rel_peek(create ? made : fd);
	if (create && made >= 0)
		close(made);
	close(fd);
	return ret;
}

static void config_expect(bool create, size_t size, void *arg, int want, const char *what)
{
	uint64_t count = ~0ULL;
	int err, ret = config_call(create, size, arg, &err, &count);
	const char *name = create ? "CREATE" : "CONFIGURE";

	check(want ? ret == -1 && err == want : ret == 0, "%s %s: %s, want %s", name, what,
	      result(ret, err), result(want ? -1 : 0, want));
	check(ret || count == 5, "%s %s: count %" PRIu64 ", want 5", name, what, count);
}

/*
 * Sizes in the command's number, with copy_struct_from_user()'s rules up
 * to a page and E2BIG above it, before the memory is looked at.
 */
static void config_sizes(bool create)
{
	static const uint32_t too_small[] = { 0, 1, 4, OHOS_EFD_CONFIG_SIZE_VER0 - 1 };
	static const uint32_t too_big[] = { PAGE + 1, 2 * PAGE, _IOC_SIZEMASK };
	struct arena a = arena_new(2);
	unsigned char *edge = straddling(&a, PAGE / 2);
	unsigned int i;
	char what[96];

	for (i = 0; i < ARRAY_SIZE(too_small); i++) {
		memset(a.base, 0, a.len);
		configure_at(a.base, 0, 5);
		snprintf(what, sizeof(what), "size %u", too_small[i]);
		config_expect(create, too_small[i], a.base, EINVAL, what);
	}
	/* Larger than we know: fine while the rest is zero, E2BIG otherwise. */
	for (i = OHOS_EFD_CONFIG_SIZE_VER0 + 1; i <= PAGE; i = i < 64 ? i + 1 : i * 2) {
		memset(a.base, 0, a.len);
		configure_at(a.base, 0, 5);
		snprintf(what, sizeof(what), "size %u, zero tail", i);
		config_expect(create, i, a.base, 0, what);
		a.base[i - 1] = 1;
		snprintf(what, sizeof(what), "size %u, last byte non-zero", i);
		config_expect(create, i, a.base, E2BIG, what);
	}
	/* Above a page: E2BIG, zeros and all, even where the memory ends first. */
	for (i = 0; i < ARRAY_SIZE(too_big); i++) {
		memset(a.base, 0, a.len);
		configure_at(a.base, 0, 5);
		snprintf(what, sizeof(what), "size %u, zeros", too_big[i]);
		config_expect(create, too_big[i], a.base, E2BIG, what);
	}
	/* A size that runs into the guard page: EFAULT, or E2BIG if a non-zero byte comes first. */
	memset(a.base, 0, a.len);
	configure_at(edge, 0, 5);
	config_expect(create, PAGE, edge, EFAULT, "size past the mapping, zeros");
	edge[100] = 7;
	config_expect(create, PAGE, edge, E2BIG, "size past the mapping, byte 100 non-zero");
	/* The 8 bytes themselves straddle the guard page: write the 4 that are mapped. */
	configure_at(a.base, 0, 5);
	memmove(straddling(&a, 4), a.base, 4);
	config_expect(create, sizeof(struct ohos_efd_config), straddling(&a, 4), EFAULT,
		      "with 4 of its 8 bytes mapped");
}

/* Every flag bit; CREATE also takes NONBLOCK and CLOEXEC. */
static void config_bits(bool create)
{
	uint32_t allowed = OHOS_EFD_SEMAPHORE |
			   (create ? OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC : 0);
	struct arena a = arena_new(1);
	unsigned int bit;
	char what[96];

	for (bit = 0; bit < 32; bit++) {
		uint32_t flag = 1u << bit;

		configure_at(a.base, flag, 5);
		snprintf(what, sizeof(what), "flags %#x", flag);
		config_expect(create, sizeof(struct ohos_efd_config), a.base,
			      flag & allowed ? 0 : EINVAL, what);
	}
}

/* CONFIGURE is for an unused counter: EBUSY once read or written. */
static void configure_busy(void)
{
	struct arena a = arena_new(1);
	int fd = fresh();
	uint64_t v = 1;

	configure_at(a.base, OHOS_EFD_SEMAPHORE, 9);
	expect(fd, OHOS_EFD_IOC_CONFIGURE, a.base, 0, "CONFIGURE before first use");
	configure_at(a.base, 0, 9);
	expect(fd, OHOS_EFD_IOC_CONFIGURE, a.base, 0, "CONFIGURE again before first use");
	check(rel_peek(fd) == 9, "CONFIGURE initval 9: count %" PRIu64, rel_peek(fd));
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		rel_die("write");
	expect(fd, OHOS_EFD_IOC_CONFIGURE, a.base, EBUSY, "CONFIGURE after a write");
	configure_at(a.base, OHOS_EFD_NONBLOCK, 9);
	expect(fd, OHOS_EFD_IOC_CONFIGURE, a.base, EINVAL, "CONFIGURE bad flags after a write");
	check(rel_peek(fd) == 10, "refused CONFIGUREs changed the count: %" PRIu64, rel_peek(fd));
	close(fd);
}

/*
 * What CREATE returns, compared with eventfd2() given the same flags (in
 * the module's bits): the file flags, close-on-exec, and the count; and a
 * failed CREATE leaves no fd behind.
 */
static void create_fds(void)
{
	static const int flag_sets[] = { 0, EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC,
					 EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC };
	struct ohos_efd_config cfg = { .initval = 77 };
	int dev = fresh(), fd, native, before, after;
	unsigned int i;
	uint32_t flags;

	for (i = 0; i < ARRAY_SIZE(flag_sets); i++) {
		cfg.flags = efd_ohos_flags(flag_sets[i]);
		fd = ioctl(dev, OHOS_EFD_IOC_CREATE, &cfg);
		native = eventfd(77, flag_sets[i]);
		if (fd < 0 || native < 0)
			rel_die("CREATE / eventfd with flags %#x", flag_sets[i]);
		check(fcntl(fd, F_GETFL) == fcntl(native, F_GETFL) &&
		      fcntl(fd, F_GETFD) == fcntl(native, F_GETFD),
		      "CREATE flags %#x: F_GETFL %#o F_GETFD %d, eventfd2 gives %#o and %d",
		      flag_sets[i], fcntl(fd, F_GETFL), fcntl(fd, F_GETFD), fcntl(native, F_GETFL),
		      fcntl(native, F_GETFD));
		check(ioctl(fd, OHOS_EFD_IOC_GET_FLAGS, &flags) == 0 &&
		      flags == (cfg.flags & (OHOS_EFD_SEMAPHORE | OHOS_EFD_NONBLOCK)),
		      "CREATE flags %#x: GET_FLAGS %#x", flag_sets[i], flags);
		check(rel_peek(fd) == 77, "CREATE initval 77: count %" PRIu64, rel_peek(fd));
		close(fd);
		close(native);
	}
	/* The lowest free fd number is the same before and after failed CREATEs. */
	before = dup(0);
	close(before);
	cfg.flags = 0x8;
	for (i = 0; i < 100; i++)
		if (ioctl(dev, OHOS_EFD_IOC_CREATE, &cfg) >= 0)
			rel_die("CREATE with flags 0x8 succeeded");
	after = dup(0);
	close(after);
	check(before == after, "failed CREATEs left fds behind (lowest free fd %d, then %d)",
	      before, after);
	close(dev);
}

/* ---- outputs ---------------------------------------------------------------- */

/* GET_STATS with a struct of @size bytes at @at. */
static int stats_at(int fd, size_t size, void *at, int *err)
{
	return io(fd, efd_ioc_sized(OHOS_EFD_IOC_GET_STATS, size), at, err);
}

static void stats_sizes(void)
{
	static const uint32_t too_small[] = { 0, 4, 8, 32, OHOS_EFD_STATS_SIZE_VER0 - 1 };
	static const uint32_t too_big[] = { PAGE + 1, 2 * PAGE, _IOC_SIZEMASK };
	struct arena a = arena_new(2);
	struct ohos_efd_stats st;
	unsigned int i;
	char what[96];
	int fd = fresh(), err, ret;
	uint64_t v = 3;

	if (write(fd, &v, sizeof(v)) != sizeof(v) || read(fd, &v, sizeof(v)) != sizeof(v))
		rel_die("write/read");
	for (i = 0; i < ARRAY_SIZE(too_small); i++) {
		memset(a.base, FILL, a.len);
		snprintf(what, sizeof(what), "GET_STATS size %u", too_small[i]);
		ret = stats_at(fd, too_small[i], a.base, &err);
		check(ret == -1 && err == EINVAL, "%s: %s, want -1 EINVAL", what, result(ret, err));
		check(untouched(a.base, a.len), "%s failed but wrote", what);
	}
	for (i = 0; i < ARRAY_SIZE(too_big); i++) {
		memset(a.base, FILL, a.len);
		snprintf(what, sizeof(what), "GET_STATS size %u", too_big[i]);
		ret = stats_at(fd, too_big[i], a.base, &err);
		check(ret == -1 && err == E2BIG, "%s: %s, want -1 E2BIG", what, result(ret, err));
		check(untouched(a.base, a.len), "%s failed but wrote", what);
	}

	/*
	 * The size we know, and larger ones: 40 defined bytes, then zeroes up
	 * to the size (what the kernel does not know), and not a byte more.
	 */
	for (i = sizeof(st); i <= PAGE; i = i < 64 ? i + 8 : i * 2) {
		memset(a.base, FILL, a.len);
		ret = stats_at(fd, i, a.base, &err);
		memcpy(&st, a.base, sizeof(st));
		check(ret == 0, "GET_STATS size %u: %s", i, result(ret, err));
		check(st.writes == 1 && st.reads == 1 && st.fast_writes + st.slow_writes == 1,
		      "GET_STATS size %u: writes %llu reads %llu fast %llu slow %llu after one write and one read",
		      i, (unsigned long long)st.writes, (unsigned long long)st.reads,
		      (unsigned long long)st.fast_writes, (unsigned long long)st.slow_writes);
		check(all_zero(a.base + sizeof(st), i - sizeof(st)),
		      "GET_STATS size %u left bytes %zu-%u as they were, not zero", i, sizeof(st),
		      i - 1);
		check(untouched(a.base + i, a.len - i), "GET_STATS size %u wrote past %u bytes", i, i);
	}

	/* Zeroing a tail that runs into the guard page: EFAULT after the fields. */
	memset(a.base, FILL, a.len);
	ret = stats_at(fd, sizeof(st) + 64, straddling(&a, sizeof(st) + 32), &err);
	check(ret == -1 && err == EFAULT,
	      "GET_STATS size %zu with %zu bytes mapped: %s, want -1 EFAULT", sizeof(st) + 64,
	      sizeof(st) + 32, result(ret, err));

	/* Half-mapped: a partial copy may only write what a full one writes. */
	memset(a.base, FILL, a.len);
	ret = io(fd, OHOS_EFD_IOC_GET_STATS, straddling(&a, 24), &err);
	check(ret == -1 && err == EFAULT, "GET_STATS with 24 of 40 bytes mapped: %s, want -1 EFAULT",
	      result(ret, err));
	if (ioctl(fd, OHOS_EFD_IOC_GET_STATS, &st))
		rel_die("GET_STATS");
	for (i = 0; i < 24; i++) {
		unsigned char got = ((unsigned char *)straddling(&a, 24))[i];

		check(got == ((unsigned char *)&st)[i] || got == FILL,
		      "GET_STATS partial copy: byte %u is %#x, a full copy has %#x", i, got,
		      ((unsigned char *)&st)[i]);
	}
	close(fd);
}

/* The scalar outputs write exactly their size: 4 bytes, 8 for PEEK. */
static void scalar_outputs(void)
{
	static const struct { unsigned long cmd; const char *name; size_t len; uint64_t want; } outs[] = {
		{ OHOS_EFD_IOC_GET_FLAGS, "GET_FLAGS", 4, OHOS_EFD_SEMAPHORE | OHOS_EFD_NONBLOCK },
		{ OHOS_EFD_IOC_GET_MODE, "GET_MODE", 4, OHOS_EFD_MODE_TRANSITION },
		{ OHOS_EFD_IOC_PEEK, "PEEK", 8, 12345 },
	};
	struct arena a = arena_new(1);
	uint32_t mode = OHOS_EFD_MODE_TRANSITION;
	const struct efd_spec spec = {
		.initval = 12345, .flags = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC,
	};
	int fd = efd_create(EFD_OHOS, &spec);
	unsigned int i;
	uint64_t got;

	if (fd < 0 || ioctl(fd, OHOS_EFD_IOC_SET_MODE, &mode))
		rel_die("semaphore counter in transition mode");
	for (i = 0; i < ARRAY_SIZE(outs); i++) {
		memset(a.base, FILL, a.len);
		expect(fd, outs[i].cmd, a.base, 0, outs[i].name);
		got = 0;
		memcpy(&got, a.base, outs[i].len);
		check(got == outs[i].want, "%s: %#" PRIx64 ", want %#" PRIx64, outs[i].name, got,
		      outs[i].want);
		check(untouched(a.base + outs[i].len, a.len - outs[i].len),
		      "%s wrote more than %zu bytes", outs[i].name, outs[i].len);
	}
	close(fd);
}

static void set_mode_values(void)
{
	static const uint32_t bad[] = { 2, 3, 0x80000000u, 0xffffffffu, 0x100 };
	struct arena a = arena_new(1);
	unsigned int i;
	uint32_t mode;
	char what[64];
	int fd = fresh();

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memcpy(a.base, &bad[i], 4);
		snprintf(what, sizeof(what), "SET_MODE %#x", bad[i]);
		expect(fd, OHOS_EFD_IOC_SET_MODE, a.base, EINVAL, what);
	}
	mode = ~0u;
	expect(fd, OHOS_EFD_IOC_GET_MODE, &mode, 0, "GET_MODE");
	check(mode == OHOS_EFD_MODE_EXACT, "refused SET_MODEs changed the mode to %u", mode);
	close(fd);
}

/* ---- unknown commands ------------------------------------------------------- */

/*
 * Numbers that are not ours: every other number of our magic (the _IO()
 * numbers of uapi 1.x among them), our numbers with another direction or,
 * for the commands without a struct, another size, and other magics.
 * ENOTTY, as eventfd answers every one of them (compared, not assumed).
 */
static void unknown_commands(void)
{
	struct arena a = arena_new(1);
	int fd = fresh(), native = eventfd(0, EFD_CLOEXEC), e1 = 0, e2, r1 = 0, r2;
	unsigned long cmd;
	unsigned int nr, i, tried = 0, differ = 0;
	static const unsigned int sizes[] = { 0, 4, 8, 16, 48, 64 };

	for (nr = 0; nr < 256; nr++) {
		for (i = 0; i < ARRAY_SIZE(sizes) * 4; i++) {
			unsigned int dir = i % 4, size = sizes[i / 4];
			unsigned int k;
			bool ours = false;

			cmd = _IOC(dir, OHOS_EFD_IOC_MAGIC, nr, size);
			for (k = 0; k < ARRAY_SIZE(cmds); k++)
				ours |= cmds[k].sized ?
					(cmd & ~EFD_IOC_SIZE_BITS) == (cmds[k].cmd & ~EFD_IOC_SIZE_BITS) :
					cmd == cmds[k].cmd;
			if (ours || (dir == _IOC_NONE && size))
				continue;
			memset(a.base, 0, a.len);
			r1 = io(native, cmd, a.base, &e1);
			r2 = io(fd, cmd, a.base, &e2);
			tried++;
			if (r1 != r2 || e1 != e2) {
				differ++;
				check(false, "ioctl %#lx: eventfd %s, ohos_eventfd %s", cmd,
				      result(r1, e1), result(r2, e2));
			}
			check(all_zero(a.base, 64), "ioctl %#lx wrote into its argument", cmd);
		}
	}
	check(differ == 0, "%u of %u unknown commands of magic %#x answered differently",
	      differ, tried, OHOS_EFD_IOC_MAGIC);
	rel_note("%u unknown commands of magic %#x: same answer as eventfd (%s)", tried,
		 OHOS_EFD_IOC_MAGIC, result(r1, e1));
	close(native);
	close(fd);
}

/* ---- open ------------------------------------------------------------------- */

/* Only O_RDWR opens a counter; an O_PATH fd has no ioctls at all. */
static void open_modes(void)
{
	static const struct { int flags; const char *name; } bad[] = {
		{ O_RDONLY, "O_RDONLY" }, { O_WRONLY, "O_WRONLY" }, { O_ACCMODE, "O_ACCMODE" },
	};
	unsigned int i;
	uint64_t v;
	int fd, err;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		fd = open(OHOS_EVENTFD_DEVICE, bad[i].flags | O_CLOEXEC);
		err = errno;
		check(fd == -1 && err == EINVAL, "open(%s): %s, want -1 EINVAL", bad[i].name,
		      result(fd, err));
		if (fd >= 0)
			close(fd);
	}
	fd = open(OHOS_EVENTFD_DEVICE, O_PATH | O_CLOEXEC);
	if (fd < 0)
		rel_die("open(O_PATH)");
	expect(fd, OHOS_EFD_IOC_PEEK, &v, EBADF, "PEEK on an O_PATH fd");
	close(fd);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s\n"
		"Bad pointers, sizes and bits to every ioctl of ohos_eventfd; checks the\n"
		"errno of each against the uapi header and every byte the kernel writes.\n"
		"Exit: 0 pass, 1 fail, 2 setup error.\n", rel_prog);
}

int main(int argc, char **argv)
{
	rel_init(argv[0]);
	if (argc > 1) {
		usage(strcmp(argv[1], "--help") ? stderr : stdout);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	if (efd_native_as_ohos())
		rel_die("%s needs ohos_eventfd's ioctls: unset %s", rel_prog, EFD_ENV_NATIVE_AS_OHOS);
	rel_note("%zu-bit process", sizeof(void *) * 8);
	bad_pointers();
	config_sizes(false);
	config_sizes(true);
	config_bits(false);
	config_bits(true);
	configure_busy();
	create_fds();
	stats_sizes();
	scalar_outputs();
	set_mode_values();
	unknown_commands();
	open_modes();
	rel_note("%u checks, %u failed", checks, failures);
	return failures ? 1 : 0;
}
