// SPDX-License-Identifier: GPL-2.0
/*
 * Differential fuzzing: seeded random operation sequences applied in
 * lockstep to a native eventfd and an ohos_eventfd created alike. Every
 * operation eventfd defines (read/write of random sizes, values and
 * buffers, readv/writev, preadv2/pwritev2, poll, select, epoll LT and ET,
 * fcntl flag changes, lseek, fdinfo, ioctls eventfd does not know) must
 * give both the same return value, errno, bytes and event mask. Our own
 * ioctls, with random arguments, sizes and pointers, go to ours only and
 * are checked for consistency (PEEK equals the count eventfd reports, the
 * statistics count what happened, errors follow the uapi header).
 *
 * A sequence is a "case": a new pair of counters and up to --ops
 * operations, generated from (seed, case number). On a difference the
 * case is replayed with operations removed until no single one can go
 * (delta minimisation) and the shortest reproducing sequence is printed
 * with the command line that replays it.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/uio.h>

#include "rel.h"

#define COUNT_MAX	0xfffffffffffffffeULL
#define PAGE		4096
/* Big enough for the largest size an operation passes (two pages + slack). */
#define BUF_LEN		(2 * PAGE + 64)
#define MAX_OPS		4096
#define DESC_LEN	200
#define WATCHDOG_S	30
#define FILL_BYTE	0x5a
#define FZ_RINGS_ONE_IN	128	/* cases whose ohos_eventfd counter gets rings */
/* Room for our ioctls' structs, so that a size past it meets a guard page. */
#define STRUCT_PAGES	3

enum fz_type {
	FZ_WRITE, FZ_READ, FZ_WRITEV, FZ_READV, FZ_PREADV2, FZ_PWRITEV2, FZ_POLL,
	FZ_SELECT, FZ_EPOLL_WAIT, FZ_EPOLL_MOD, FZ_SETFL, FZ_FDINFO, FZ_LSEEK,
	FZ_IOCTL_FOREIGN, FZ_IOCTL_OURS, FZ_MIGRATE, FZ_NTYPES
};

static const char *const fz_name[FZ_NTYPES] = {
	"write", "read", "writev", "readv", "preadv2", "pwritev2", "poll", "select",
	"epoll_wait", "epoll_ctl(MOD)", "fcntl(F_SETFL)", "fdinfo", "lseek",
	"ioctl(foreign)", "ioctl(ours)", "migrate",
};

/* Relative frequencies of the operation types. */
static const unsigned int fz_weight[FZ_NTYPES] = {
	[FZ_WRITE] = 22, [FZ_READ] = 20, [FZ_WRITEV] = 3, [FZ_READV] = 3, [FZ_PREADV2] = 3,
	[FZ_PWRITEV2] = 3, [FZ_POLL] = 8, [FZ_SELECT] = 3, [FZ_EPOLL_WAIT] = 8,
	[FZ_EPOLL_MOD] = 2, [FZ_SETFL] = 4, [FZ_FDINFO] = 2, [FZ_LSEEK] = 2,
	[FZ_IOCTL_FOREIGN] = 5, [FZ_IOCTL_OURS] = 14, [FZ_MIGRATE] = 4,
};

/* Where a buffer argument points. */
enum fz_ptr { PTR_VALID, PTR_NULL, PTR_NONE, PTR_HALF, PTR_RO, PTR_KERNEL, PTR_NKINDS };

static const char *const ptr_name[PTR_NKINDS] = {
	"buf", "NULL", "PROT_NONE page", "half-mapped", "read-only page", "kernel address",
};

/* Our ioctls, by index in FZ_IOCTL_OURS. */
static const unsigned long our_cmd[] = {
	OHOS_EFD_IOC_CONFIGURE, OHOS_EFD_IOC_GET_FLAGS, OHOS_EFD_IOC_SET_MODE,
	OHOS_EFD_IOC_GET_MODE, OHOS_EFD_IOC_PEEK, OHOS_EFD_IOC_GET_STATS, OHOS_EFD_IOC_CREATE,
};

static const char *const our_cmd_name[] = {
	"CONFIGURE", "GET_FLAGS", "SET_MODE", "GET_MODE", "PEEK", "GET_STATS", "CREATE",
};

enum {
	IOC_CONFIGURE, IOC_GET_FLAGS, IOC_SET_MODE, IOC_GET_MODE, IOC_PEEK, IOC_GET_STATS,
	IOC_CREATE,
};

/* The value the read-only page holds: what a write from it adds. */
#define RO_VALUE 3

/*
 * One operation, fully determined: replaying it does the same thing.
 * The meaning of len/len2/arg/value/value2 depends on the type (see
 * fz_describe()).
 */
struct fz_op {
	uint8_t type;
	uint8_t ptr;
	uint32_t len;
	uint32_t len2;
	uint32_t arg;
	uint64_t value;
	uint64_t value2;
};

/* How a case's pair of counters is created. */
struct fz_case {
	uint32_t initval;
	int flags;
	bool configure_anyway;	/* CONFIGURE ours even with 0/0 */
	bool via_create;	/* ours from OHOS_EFD_IOC_CREATE, not open() */
	/*
	 * Without epoll sets nobody waits on the counters, so that writes
	 * from a second CPU take ohos_eventfd's per-CPU fast path in exact
	 * mode too; the epoll operations are then skipped.
	 */
	bool use_epoll;
	/*
	 * Ours gets a ring on two CPUs first (efd_give_rings(): contended
	 * writes of 0, so it counts as used); then migrate() pushes from both.
	 */
	bool rings;
	uint32_t lt_events;
	uint32_t et_events;
	unsigned int nops;
	struct fz_op op[MAX_OPS];
};

/* The state of one pair of counters while a case runs. */
struct fz_pair {
	bool use_epoll;
	int fd[2];
	int ep_lt[2];
	int ep_et[2];
	uint32_t lt_events;
	uint32_t et_events;
	bool nonblock;
	bool semaphore;
	uint32_t mode;
	/* The count, from the results (checked against eventfd's fdinfo). */
	uint64_t count;
	uint64_t writes;
	uint64_t reads;
};

/* What one operation returned on one counter. */
struct fz_res {
	long ret;
	int err;
	uint32_t mask;
	size_t nbytes;
	unsigned char bytes[BUF_LEN];
	char text[512];
};

static struct {
	uint64_t seed;
	unsigned long long total_ops;
	unsigned int ops_per_case;
	long only_case;
	bool verbose;
} opt = { .seed = 1, .total_ops = 1000000, .ops_per_case = 200, .only_case = -1 };

/* Buffers: one set per kind, so that what the kernel writes can be compared. */
static unsigned char *valid_buf[2];
static unsigned char *half_page[2];	/* a page followed by a PROT_NONE page */
static unsigned char *none_page;
static unsigned char *ro_page;		/* followed by a PROT_NONE page */
static unsigned char *struct_region;	/* STRUCT_PAGES, then a PROT_NONE page */
static bool write_size_exact;		/* 6.9+: a write of more than 8 bytes is EINVAL */
static bool native_only;		/* OHOS_EFD_NATIVE_AS_OHOS: no ioctls of ours */
static char fail_desc[4 * DESC_LEN];
static _Atomic unsigned long long progress;
static _Atomic long current_case;

/* ---- setup ---------------------------------------------------------------- */

static void *map_or_die(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		rel_die("mmap");
	return p;
}

static void setup_memory(void)
{
	int k;

	for (k = 0; k < 2; k++) {
		valid_buf[k] = map_or_die(BUF_LEN, PROT_READ | PROT_WRITE);
		half_page[k] = map_or_die(2 * PAGE, PROT_READ | PROT_WRITE);
		if (mprotect(half_page[k] + PAGE, PAGE, PROT_NONE))
			rel_die("mprotect");
	}
	none_page = map_or_die(PAGE, PROT_NONE);
	ro_page = map_or_die(2 * PAGE, PROT_READ | PROT_WRITE);
	memset(ro_page, 0, PAGE);
	*(uint64_t *)ro_page = RO_VALUE;
	if (mprotect(ro_page, PAGE, PROT_READ) || mprotect(ro_page + PAGE, PAGE, PROT_NONE))
		rel_die("mprotect");
	struct_region = map_or_die((STRUCT_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE);
	if (mprotect(struct_region + STRUCT_PAGES * PAGE, PAGE, PROT_NONE))
		rel_die("mprotect");
}

/* Does this kernel's eventfd refuse writes of more than 8 bytes (6.9+)? */
static void probe_write_size(void)
{
	uint64_t v[2] = { 1, 1 };
	int fd = eventfd(0, EFD_CLOEXEC);

	write_size_exact = write(fd, v, sizeof(v)) < 0 && errno == EINVAL;
	close(fd);
}

/*
 * The address a PTR_* kind stands for, for an object of @len bytes;
 * PTR_HALF places it so that half of it lies in the PROT_NONE page.
 */
static void *ptr_for(int kind, enum fz_ptr ptr, size_t len)
{
	switch (ptr) {
	case PTR_VALID: return valid_buf[kind];
	case PTR_NULL: return NULL;
	case PTR_NONE: return none_page;
	case PTR_HALF: return half_page[kind] + PAGE - (len > 1 ? len / 2 : 1);
	case PTR_RO: return ro_page;
	case PTR_KERNEL: return (void *)(uintptr_t)(sizeof(void *) == 8 ?
						   0xffff888000000000ULL : 0xfffff000UL);
	default: return NULL;
	}
}

/* ---- generating a case ---------------------------------------------------- */

static uint64_t gen_value(struct rel_rng *r)
{
	static const uint64_t special[] = {
		0, 1, 2, 0xffffffffULL, 0x100000000ULL, 0xfffffffeULL, COUNT_MAX,
		COUNT_MAX - 1, ~0ULL, 1ULL << 63, (1ULL << 63) - 1, 1ULL << 62,
	};

	switch (rel_rng_below(r, 8)) {
	case 0: return special[rel_rng_below(r, ARRAY_SIZE(special))];
	case 1: return rel_rng_next(r);
	case 2: return rel_rng_next(r) >> rel_rng_below(r, 64);
	default: return 1 + rel_rng_below(r, 100);
	}
}

/* Mostly 8; sometimes anything around it, or a page. */
static uint32_t gen_len(struct rel_rng *r)
{
	static const uint32_t odd[] = { 0, 1, 4, 7, 9, 15, 16, 17, 24, 32, 4096 };

	if (rel_rng_below(r, 4))
		return 8;
	return odd[rel_rng_below(r, ARRAY_SIZE(odd))];
}

static uint8_t gen_ptr(struct rel_rng *r)
{
	if (rel_rng_below(r, 10))
		return PTR_VALID;
	return rel_rng_below(r, PTR_NKINDS);
}

static uint32_t gen_events(struct rel_rng *r)
{
	static const uint32_t bits[] = {
		EPOLLIN, EPOLLOUT, EPOLLPRI, EPOLLERR, EPOLLHUP, EPOLLRDNORM, EPOLLWRNORM,
		EPOLLRDBAND, EPOLLWRBAND, EPOLLRDHUP, EPOLLMSG,
	};
	uint32_t ev = rel_rng_below(r, 2) ? EPOLLIN : EPOLLIN | EPOLLOUT;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (rel_rng_below(r, 6) == 0)
			ev ^= bits[i];
	return ev;
}

/* CONFIGURE, GET_STATS and CREATE take a struct: their number carries its size. */
static bool sized_cmd(unsigned int idx)
{
	return idx == IOC_CONFIGURE || idx == IOC_GET_STATS || idx == IOC_CREATE;
}

/* Is @cmd one of ours, a struct command with any size included? */
static bool our_number(uint32_t cmd)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(our_cmd); i++)
		if (sized_cmd(i) ? (cmd & ~EFD_IOC_SIZE_BITS) == (our_cmd[i] & ~EFD_IOC_SIZE_BITS) :
				   cmd == our_cmd[i])
			return true;
	return false;
}

/* An ioctl number no VFS layer answers and that is none of ours. */
static uint32_t gen_foreign_cmd(struct rel_rng *r)
{
	/* 'T' (FIO*), 'X' (FIFREEZE...), 'f' (FS_IOC_*), 0x94 (FICLONE...), 0 (FIBMAP), 0x15 (FS_IOC_GETFSUUID). */
	static const uint8_t vfs_magic[] = { 'T', 'X', 'f', 0x94, 0x00, 0x15 };
	uint32_t cmd;
	unsigned int i;
	bool bad;

	do {
		cmd = (uint32_t)rel_rng_next(r);
		if (rel_rng_below(r, 2))
			cmd = (cmd & ~0xff00u) | (OHOS_EFD_IOC_MAGIC << 8);
		if (rel_rng_below(r, 4) == 0)
			cmd &= 0xc03fffff;	/* sizes up to 63: more of them valid */
		bad = false;
		for (i = 0; i < ARRAY_SIZE(vfs_magic); i++)
			bad |= ((cmd >> 8) & 0xff) == vfs_magic[i];
		bad |= our_number(cmd);
	} while (bad);
	return cmd;
}

/*
 * Sizes an ioctl number can carry for a struct whose first version is
 * @ver0 bytes: below it, a little above, a page, above a page.
 */
static uint32_t gen_struct_size(struct rel_rng *r, uint32_t ver0)
{
	switch (rel_rng_below(r, 10)) {
	case 0: return rel_rng_below(r, ver0);
	case 1: return ver0 + 1 + rel_rng_below(r, 64);
	case 2: return PAGE;
	case 3: return PAGE + 1 + rel_rng_below(r, _IOC_SIZEMASK - PAGE);
	default: return ver0;
	}
}

static void gen_op(struct rel_rng *r, struct fz_op *op)
{
	unsigned int total = 0, pick, t;

	for (t = 0; t < FZ_NTYPES; t++)
		total += fz_weight[t];
	pick = rel_rng_below(r, total);
	for (t = 0; pick >= fz_weight[t]; t++)
		pick -= fz_weight[t];
	*op = (struct fz_op){ .type = t, .ptr = gen_ptr(r), .len = gen_len(r),
			      .len2 = gen_len(r), .value = gen_value(r), .value2 = gen_value(r) };
	switch (t) {
	case FZ_PREADV2:
	case FZ_PWRITEV2:
		/* len2: RWF_* flags; value2: the offset (-1: the current one). */
		op->len2 = rel_rng_below(r, 2) ? RWF_NOWAIT : (uint32_t)rel_rng_below(r, 32);
		op->value2 = rel_rng_below(r, 4) ? (uint64_t)-1 : rel_rng_below(r, 16);
		break;
	case FZ_POLL:
	case FZ_EPOLL_WAIT:
	case FZ_EPOLL_MOD:
		op->arg = rel_rng_below(r, 2) ? gen_events(r) : (uint32_t)rel_rng_next(r);
		op->len = rel_rng_below(r, 2);		/* which epoll set: LT or ET */
		break;
	case FZ_SELECT:
		op->arg = rel_rng_below(r, 8);		/* read/write/except sets */
		break;
	case FZ_SETFL:
		op->arg = rel_rng_below(r, 2) ? O_NONBLOCK : 0;
		if (rel_rng_below(r, 4) == 0)
			op->arg |= (rel_rng_below(r, 2) ? O_APPEND : 0) |
				   (rel_rng_below(r, 2) ? O_ASYNC : 0) |
				   (rel_rng_below(r, 2) ? O_DIRECT : 0) |
				   (rel_rng_below(r, 2) ? O_NOATIME : 0);
		break;
	case FZ_LSEEK:
		op->arg = rel_rng_below(r, 6);		/* whence, SEEK_SET..SEEK_HOLE and beyond */
		op->value = rel_rng_below(r, 2) ? rel_rng_below(r, 32) : rel_rng_next(r);
		break;
	case FZ_IOCTL_FOREIGN:
		op->arg = gen_foreign_cmd(r);
		break;
	case FZ_IOCTL_OURS:
		op->arg = rel_rng_below(r, ARRAY_SIZE(our_cmd));
		/* len: the struct size the number carries (CONFIGURE, GET_STATS, CREATE). */
		op->len = gen_struct_size(r, op->arg == IOC_GET_STATS ? OHOS_EFD_STATS_SIZE_VER0 :
							    OHOS_EFD_CONFIG_SIZE_VER0);
		/* value: flags/mode; value2: initval, and where to put a non-zero tail byte. */
		op->value = rel_rng_below(r, 3) ? rel_rng_below(r, 2) : rel_rng_next(r);
		op->value2 = rel_rng_below(r, 3) ? 0 : rel_rng_next(r);
		break;
	}
}

static void gen_case(uint64_t seed, unsigned long index, unsigned int nops, struct fz_case *c)
{
	struct rel_rng r;
	unsigned int i;

	rel_rng_seed(&r, seed ^ (index * 0x9e3779b97f4a7c15ULL));
	rel_rng_next(&r);
	c->initval = rel_rng_below(&r, 3) ? 0 : (uint32_t)gen_value(&r);
	c->flags = (rel_rng_below(&r, 3) ? 0 : EFD_SEMAPHORE) | (rel_rng_below(&r, 2) ? EFD_NONBLOCK : 0);
	c->configure_anyway = rel_rng_below(&r, 2);
	c->via_create = rel_rng_below(&r, 2);
	c->use_epoll = rel_rng_below(&r, 2);
	c->lt_events = gen_events(&r);
	c->et_events = gen_events(&r) | EPOLLET;
	c->nops = nops;
	for (i = 0; i < nops; i++)
		gen_op(&r, &c->op[i]);
	/* Drawn last, so that the rest of a seed's cases stays as it was. */
	c->rings = !rel_rng_below(&r, FZ_RINGS_ONE_IN);
}

/* ---- describing ----------------------------------------------------------- */

static void fz_describe(const struct fz_op *op, char *out, size_t len)
{
	switch (op->type) {
	case FZ_WRITE:
	case FZ_READ:
		snprintf(out, len, "%s(%s, %u) value %#" PRIx64, fz_name[op->type],
			 ptr_name[op->ptr], op->len, op->value);
		break;
	case FZ_WRITEV:
	case FZ_READV:
		snprintf(out, len, "%s({%s, %u}, {buf+16, %u}) values %#" PRIx64 ", %#" PRIx64,
			 fz_name[op->type], ptr_name[op->ptr], op->len, op->len2, op->value,
			 op->value2);
		break;
	case FZ_PREADV2:
	case FZ_PWRITEV2:
		snprintf(out, len, "%s({%s, %u}, offset %" PRId64 ", flags %#x) value %#" PRIx64,
			 fz_name[op->type], ptr_name[op->ptr], op->len, (int64_t)op->value2,
			 op->len2, op->value);
		break;
	case FZ_POLL:
		snprintf(out, len, "poll(events %#x)", op->arg & 0xffff);
		break;
	case FZ_SELECT:
		snprintf(out, len, "select(%s%s%s)", op->arg & 1 ? "r" : "", op->arg & 2 ? "w" : "",
			 op->arg & 4 ? "x" : "");
		break;
	case FZ_EPOLL_WAIT:
		snprintf(out, len, "epoll_wait(%s set)", op->len ? "ET" : "LT");
		break;
	case FZ_EPOLL_MOD:
		snprintf(out, len, "epoll_ctl(MOD, %s set, events %#x)", op->len ? "ET" : "LT",
			 op->arg);
		break;
	case FZ_SETFL:
		snprintf(out, len, "fcntl(F_SETFL, %#o)", op->arg);
		break;
	case FZ_FDINFO:
		snprintf(out, len, "read /proc/self/fdinfo");
		break;
	case FZ_LSEEK:
		snprintf(out, len, "lseek(%" PRId64 ", whence %u)", (int64_t)op->value, op->arg);
		break;
	case FZ_IOCTL_FOREIGN:
		snprintf(out, len, "ioctl(%#x, %s)", op->arg, ptr_name[op->ptr]);
		break;
	case FZ_IOCTL_OURS:
		snprintf(out, len, "ioctl(%s, %s) size %u value %#" PRIx64 " value2 %#" PRIx64
			 " (ours only)", our_cmd_name[op->arg], ptr_name[op->ptr], op->len, op->value,
			 op->value2);
		break;
	case FZ_MIGRATE:
		snprintf(out, len, "move to CPU %" PRIu64 " modulo the CPUs online", op->value);
		break;
	}
}

static void res_describe(const struct fz_res *res, char *out, size_t len)
{
	int n = snprintf(out, len, "ret %ld %s", res->ret, res->ret < 0 ? efd_errname(res->err) : "");

	if (res->mask)
		n += snprintf(out + n, len - n, " mask %#x", res->mask);
	if (res->nbytes) {
		size_t i;

		for (i = 0; i < res->nbytes && i < 16; i++)
			n += snprintf(out + n, len - n, "%s%02x", i ? "" : " bytes ", res->bytes[i]);
	}
	if (res->text[0])
		snprintf(out + n, len - n, " [%s]", res->text);
}

/* Continue on another CPU: in a case with rings, pushes from each. */
static void migrate(uint64_t value)
{
	static long ncpus;

	if (!ncpus)
		ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	efd_pin_self(value % ncpus);
}

/* ---- the pair ------------------------------------------------------------- */

static int make_epoll(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		rel_die("epoll_create1");
	/* Random event masks may be refused: then the set watches nothing, on both. */
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	return ep;
}

static void close_epolls(struct fz_pair *p)
{
	int k;

	for (k = 0; k < 2 && p->use_epoll; k++) {
		close(p->ep_lt[k]);
		close(p->ep_et[k]);
	}
}

static void make_epolls(struct fz_pair *p)
{
	int k;

	for (k = 0; k < 2 && p->use_epoll; k++) {
		p->ep_lt[k] = make_epoll(p->fd[k], p->lt_events);
		p->ep_et[k] = make_epoll(p->fd[k], p->et_events);
	}
}

static void pair_open(struct fz_pair *p, const struct fz_case *c)
{
	struct ohos_efd_config cfg = { .flags = efd_ohos_flags(c->flags & EFD_SEMAPHORE),
				       .initval = c->initval };
	const struct efd_spec created = { .initval = c->initval, .flags = c->flags | EFD_CLOEXEC };
	const struct efd_spec opened = { .flags = (c->flags & EFD_NONBLOCK) | EFD_CLOEXEC };

	*p = (struct fz_pair){ .use_epoll = c->use_epoll,
			       .lt_events = c->lt_events, .et_events = c->et_events,
			       .nonblock = c->flags & EFD_NONBLOCK,
			       .semaphore = c->flags & EFD_SEMAPHORE, .count = c->initval };
	/* Every case starts on CPU 0, so that a replay meets the same rings. */
	migrate(0);
	p->fd[EFD_NATIVE] = eventfd(c->initval, c->flags | EFD_CLOEXEC);
	if (native_only) {
		p->fd[EFD_OHOS] = eventfd(c->initval, c->flags | EFD_CLOEXEC);
	} else if (c->via_create) {
		efd_set_factory(EFD_FACTORY_CREATE_REUSE);
		p->fd[EFD_OHOS] = efd_create(EFD_OHOS, &created);
		efd_set_factory(EFD_FACTORY_OPEN);
	} else {
		p->fd[EFD_OHOS] = efd_create(EFD_OHOS, &opened);
		if (p->fd[EFD_OHOS] >= 0 && (c->initval || cfg.flags || c->configure_anyway) &&
		    ioctl(p->fd[EFD_OHOS], OHOS_EFD_IOC_CONFIGURE, &cfg))
			rel_die("OHOS_EFD_IOC_CONFIGURE");
	}
	if (p->fd[EFD_NATIVE] < 0 || p->fd[EFD_OHOS] < 0)
		rel_die("creating the pair of counters");
	if (c->rings && !native_only && sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		struct ohos_efd_stats st;

		if (efd_give_rings(p->fd[EFD_OHOS], 2) ||
		    ioctl(p->fd[EFD_OHOS], OHOS_EFD_IOC_GET_STATS, &st))
			rel_die("giving ours rings on two CPUs");
		/* Its writes of 0: the model counts them as the module does. */
		p->writes = st.writes;
	}
	make_epolls(p);
}

/* What the fuzzing reached in ours, summed over the cases: shown at the end. */
static unsigned long long fast_writes_seen, slow_writes_seen;

static void pair_close(struct fz_pair *p)
{
	struct ohos_efd_stats st;

	if (!native_only && !ioctl(p->fd[EFD_OHOS], OHOS_EFD_IOC_GET_STATS, &st)) {
		fast_writes_seen += st.fast_writes;
		slow_writes_seen += st.slow_writes;
	}
	close_epolls(p);
	close(p->fd[EFD_NATIVE]);
	close(p->fd[EFD_OHOS]);
}

/* eventfd's own count, from its fdinfo. */
static uint64_t native_count(struct fz_pair *p)
{
	uint64_t v;

	if (efd_fdinfo_count(p->fd[EFD_NATIVE], &v))
		rel_die("no eventfd-count in the fdinfo of fd %d", p->fd[EFD_NATIVE]);
	return v;
}

/* ---- running one operation -------------------------------------------------- */

/*
 * The bytes an operation's buffers span (the second iovec starts at 16),
 * plus 16 more to catch a write past them; capped at the buffer.
 */
static size_t span(const struct fz_op *op)
{
	size_t n = (op->len > op->len2 + 16 ? op->len : op->len2 + 16) + 16;

	return n < BUF_LEN ? n : BUF_LEN;
}

static void fill(int kind, const struct fz_op *op)
{
	memset(valid_buf[kind], FILL_BYTE, span(op));
	memset(half_page[kind] + PAGE - 16, FILL_BYTE, 16);
	memcpy(valid_buf[kind], &op->value, sizeof(op->value));
	memcpy(valid_buf[kind] + 16, &op->value2, sizeof(op->value2));
	memcpy(half_page[kind] + PAGE - 4, &op->value, 4);
}

/* Keep what the kernel may have written into the kind's buffers. */
static void keep_bytes(int kind, const struct fz_op *op, struct fz_res *res)
{
	size_t n = span(op);

	if (op->ptr == PTR_HALF) {
		memcpy(res->bytes, half_page[kind] + PAGE - 8, 8);
		res->nbytes = 8;
	} else {
		memcpy(res->bytes, valid_buf[kind], n);
		res->nbytes = n;
	}
}

static void res_set(struct fz_res *res, long ret)
{
	res->ret = ret;
	res->err = ret < 0 ? errno : 0;
}

/* Would this write sleep? Only asked on a blocking fd. */
static bool write_would_block(const struct fz_pair *p, uint32_t len, enum fz_ptr ptr,
			      uint64_t value, uint64_t count)
{
	if (len < 8 || (write_size_exact && len != 8))
		return false;
	if (ptr == PTR_RO)
		value = RO_VALUE;
	else if (ptr != PTR_VALID)
		return false;
	(void)p;
	return value != ~0ULL && ~0ULL - count <= value;
}

/* The count after a successful write of @value. */
static void model_write(struct fz_pair *p, const struct fz_op *op, enum fz_ptr ptr, uint64_t value)
{
	(void)op;
	p->count += ptr == PTR_RO ? RO_VALUE : value;
	p->writes++;
}

/*
 * The count after a read. EFAULT from the copy-out comes after the count
 * was taken, as in eventfd; a kernel address fails access_ok() before (a
 * 32-bit process's "kernel address" 0xfffff000 is a user address to the
 * 64-bit kernel, and faults in the copy).
 */
static void model_read(struct fz_pair *p, const struct fz_op *op, const struct fz_res *res)
{
	bool access_ok = op->ptr != PTR_KERNEL || sizeof(void *) == 4;
	bool taken = res->ret == 8 || (res->ret < 0 && res->err == EFAULT && access_ok);

	if (taken) {
		p->count -= p->semaphore ? 1 : p->count;
		p->reads++;
	}
}

/*
 * Operations that might sleep on a blocking counter are skipped when they
 * would: the fuzzer is single-threaded, and nothing would wake them.
 */
static bool would_block(const struct fz_pair *p, const struct fz_op *op)
{
	bool reading = op->type == FZ_READ || op->type == FZ_READV ||
		       (op->type == FZ_PREADV2 && !(op->len2 & RWF_NOWAIT));
	uint32_t rlen = op->len + (op->type == FZ_READV ? op->len2 : 0);
	uint64_t count = p->count;

	if (p->nonblock)
		return false;
	if (reading)
		return rlen >= 8 && count == 0;
	if (op->type == FZ_WRITE || op->type == FZ_PWRITEV2)
		return write_would_block(p, op->len, op->ptr, op->value, count);
	if (op->type == FZ_WRITEV) {
		if (write_would_block(p, op->len, op->ptr, op->value, count))
			return true;
		if (op->len == 8 && op->ptr == PTR_RO)
			count += RO_VALUE;
		else if (op->len == 8 && op->ptr == PTR_VALID && op->value != ~0ULL)
			count += op->value;
		return write_would_block(p, op->len2, PTR_VALID, op->value2, count);
	}
	return false;
}

static void do_rw(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	int fd = p->fd[kind];
	void *ptr = ptr_for(kind, op->ptr, 8);
	struct iovec iov[2] = {
		{ .iov_base = ptr, .iov_len = op->len },
		{ .iov_base = valid_buf[kind] + 16, .iov_len = op->len2 },
	};

	if (op->ptr == PTR_HALF)
		iov[0].iov_base = ptr = half_page[kind] + PAGE - 4;
	switch (op->type) {
	case FZ_WRITE:
		res_set(res, write(fd, ptr, op->len));
		break;
	case FZ_READ:
		res_set(res, read(fd, ptr, op->len));
		break;
	case FZ_WRITEV:
		res_set(res, writev(fd, iov, 2));
		break;
	case FZ_READV:
		res_set(res, readv(fd, iov, 2));
		break;
	case FZ_PREADV2:
		res_set(res, preadv2(fd, iov, 1, (off_t)op->value2, op->len2));
		break;
	case FZ_PWRITEV2:
		res_set(res, pwritev2(fd, iov, 1, (off_t)op->value2, op->len2));
		break;
	}
	keep_bytes(kind, op, res);
}

static void do_poll(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	struct pollfd pfd = { .fd = p->fd[kind], .events = (short)op->arg };

	res_set(res, poll(&pfd, 1, 0));
	res->mask = (uint16_t)pfd.revents;
}

static void do_select(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	fd_set sets[3];
	struct timeval tv = { 0 };
	int fd = p->fd[kind], i;

	for (i = 0; i < 3; i++) {
		FD_ZERO(&sets[i]);
		if (op->arg & (1u << i))
			FD_SET(fd, &sets[i]);
	}
	res_set(res, select(fd + 1, &sets[0], &sets[1], &sets[2], &tv));
	for (i = 0; i < 3; i++)
		res->mask |= FD_ISSET(fd, &sets[i]) ? 1u << i : 0;
}

static void do_epoll(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	int ep = op->len ? p->ep_et[kind] : p->ep_lt[kind];
	struct epoll_event ev[2] = { 0 };

	if (op->type == FZ_EPOLL_MOD) {
		ev[0].events = op->len ? op->arg | EPOLLET : op->arg & ~EPOLLET;
		res_set(res, epoll_ctl(ep, EPOLL_CTL_MOD, p->fd[kind], &ev[0]));
		return;
	}
	res_set(res, epoll_wait(ep, ev, 2, 0));
	res->mask = res->ret > 0 ? ev[0].events : 0;
}

static void do_setfl(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	res_set(res, fcntl(p->fd[kind], F_SETFL, op->arg));
	res->mask = fcntl(p->fd[kind], F_GETFL);
}

/* fdinfo without what must differ: mnt_id, ino, the id, our own lines. */
static void do_fdinfo(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	char path[64], buf[1024], *line, *save;
	size_t n = 0;

	(void)op;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", p->fd[kind]);
	res_set(res, efd_read_file(path, buf, sizeof(buf)));
	if (res->ret)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "mnt_id:", 7) || !strncmp(line, "ino:", 4) ||
		    !strncmp(line, "eventfd-id:", 11) || !strncmp(line, "ohos_eventfd-", 13))
			continue;
		n += snprintf(res->text + n, sizeof(res->text) - n, "%s%s", n ? "; " : "", line);
	}
}

static void do_lseek(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	res_set(res, lseek(p->fd[kind], (off_t)op->value, op->arg));
}

static void do_foreign_ioctl(struct fz_pair *p, int kind, const struct fz_op *op,
			     struct fz_res *res)
{
	fill(kind, op);
	res_set(res, ioctl(p->fd[kind], (unsigned long)op->arg, ptr_for(kind, op->ptr, 8)));
	keep_bytes(kind, op, res);
}

/* Run @op on one counter. */
static void run_one(struct fz_pair *p, int kind, const struct fz_op *op, struct fz_res *res)
{
	memset(res, 0, offsetof(struct fz_res, bytes));
	res->text[0] = '\0';
	switch (op->type) {
	case FZ_WRITE:
	case FZ_READ:
	case FZ_WRITEV:
	case FZ_READV:
	case FZ_PREADV2:
	case FZ_PWRITEV2:
		fill(kind, op);
		do_rw(p, kind, op, res);
		break;
	case FZ_POLL:
		do_poll(p, kind, op, res);
		break;
	case FZ_SELECT:
		do_select(p, kind, op, res);
		break;
	case FZ_EPOLL_WAIT:
	case FZ_EPOLL_MOD:
		do_epoll(p, kind, op, res);
		break;
	case FZ_SETFL:
		do_setfl(p, kind, op, res);
		break;
	case FZ_FDINFO:
		do_fdinfo(p, kind, op, res);
		break;
	case FZ_LSEEK:
		do_lseek(p, kind, op, res);
		break;
	case FZ_IOCTL_FOREIGN:
		do_foreign_ioctl(p, kind, op, res);
		break;
	}
}

static bool same_res(const struct fz_res *a, const struct fz_res *b)
{
	return a->ret == b->ret && a->err == b->err && a->mask == b->mask &&
	       a->nbytes == b->nbytes && !memcmp(a->bytes, b->bytes, a->nbytes) &&
	       !strcmp(a->text, b->text);
}

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fail_desc, sizeof(fail_desc), fmt, ap);
	va_end(ap);
	return false;
}

/* The model's count must be eventfd's: else the fuzzer itself is wrong. */
static bool check_model(struct fz_pair *p)
{
	uint64_t n = native_count(p);

	if (n != p->count)
		return fail("fuzzer model: count %#" PRIx64 " but eventfd's fdinfo says %#" PRIx64,
			    p->count, n);
	return true;
}

/* Update the model after an eventfd-defined operation both agreed on. */
static void model_update(struct fz_pair *p, const struct fz_op *op, const struct fz_res *res)
{
	switch (op->type) {
	case FZ_WRITE:
	case FZ_PWRITEV2:
		if (res->ret > 0)
			model_write(p, op, op->ptr, op->value);
		break;
	case FZ_WRITEV:
		/* One .write per segment, the next only if the previous took it all. */
		if (res->ret >= 8)
			model_write(p, op, op->ptr, op->value);
		if (res->ret >= 16)
			model_write(p, op, PTR_VALID, op->value2);
		break;
	case FZ_READ:
	case FZ_READV:
	case FZ_PREADV2:
		model_read(p, op, res);
		break;
	case FZ_SETFL:
		p->nonblock = res->mask & O_NONBLOCK;
		break;
	}
}

/* ---- our ioctls (ours only) ---------------------------------------------- */

/*
 * The memory an ioctl argument points to, as the kernel will find it:
 * @readable bytes from @base can be read (then a fault), all of them
 * writable unless @read_only.
 */
struct arg_mem {
	unsigned char *base;
	size_t readable;
	bool read_only;
};

static struct arg_mem arg_mem(enum fz_ptr ptr, size_t objlen)
{
	switch (ptr) {
	case PTR_VALID:
		return (struct arg_mem){ struct_region, STRUCT_PAGES * PAGE, false };
	case PTR_HALF:
		return (struct arg_mem){ half_page[EFD_OHOS] + PAGE - objlen / 2, objlen / 2, false };
	case PTR_RO:
		return (struct arg_mem){ ro_page, PAGE, true };
	default:
		return (struct arg_mem){ ptr_for(EFD_OHOS, ptr, objlen), 0, false };
	}
}

/* CONFIGURE and CREATE read a struct ohos_efd_config. */
static bool config_cmd(const struct fz_op *op)
{
	return op->arg == IOC_CONFIGURE || op->arg == IOC_CREATE;
}

/*
 * Lay out the argument: CONFIGURE {flags, initval}, zeros, and sometimes
 * a non-zero byte past the first version but within the size the number
 * carries; a u32 for SET_MODE; the fill pattern for GET_STATS and the
 * other scalars. The read-only page keeps its content.
 */
static void build_arg(const struct arg_mem *m, const struct fz_op *op)
{
	uint32_t config[2] = { (uint32_t)op->value, (uint32_t)op->value2 };
	uint32_t mode = (uint32_t)op->value;
	size_t room = m->readable, tail;

	if (m->read_only || !room)
		return;
	memset(m->base, config_cmd(op) ? 0 : FILL_BYTE, room);
	if (config_cmd(op))
		memcpy(m->base, config, room < sizeof(config) ? room : sizeof(config));
	else if (op->arg == IOC_SET_MODE)
		memcpy(m->base, &mode, room < sizeof(mode) ? room : sizeof(mode));
	if (config_cmd(op) && (op->value2 >> 32) && op->len > OHOS_EFD_CONFIG_SIZE_VER0) {
		tail = OHOS_EFD_CONFIG_SIZE_VER0 +
		       (op->value2 >> 32) % (op->len - OHOS_EFD_CONFIG_SIZE_VER0);
		if (tail < room)
			m->base[tail] = 1;
	}
}

/* A u32 of the argument, or -1 if the kernel would fault reading it. */
static int64_t arg_u32(const struct arg_mem *m, size_t off)
{
	uint32_t v;

	if (off + sizeof(v) > m->readable)
		return -1;
	memcpy(&v, m->base + off, sizeof(v));
	return v;
}

/*
 * copy_struct_from_user()'s verdict on the bytes past the first version:
 * E2BIG at the first non-zero byte, EFAULT where the memory ends first.
 */
static int tail_verdict(const struct arg_mem *m, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		if (i >= m->readable)
			return EFAULT;
		if (m->base[i])
			return E2BIG;
	}
	return 0;
}

/*
 * The errno CONFIGURE or CREATE with a struct of @size bytes must give (0:
 * success), following the uapi header: the size first, then the bytes
 * past the first version, then the struct itself.
 */
static int expect_config(const struct fz_pair *p, const struct arg_mem *m, uint32_t size,
			 bool create)
{
	uint32_t allowed = OHOS_EFD_SEMAPHORE |
			   (create ? OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC : 0);
	int tail;

	if (size > PAGE)
		return E2BIG;
	if (size < OHOS_EFD_CONFIG_SIZE_VER0)
		return EINVAL;
	tail = tail_verdict(m, OHOS_EFD_CONFIG_SIZE_VER0, size);
	if (tail)
		return tail;
	if (m->readable < OHOS_EFD_CONFIG_SIZE_VER0)
		return EFAULT;
	if (arg_u32(m, 0) & ~allowed)
		return EINVAL;
	/*
	 * CONFIGURE only before first use: a read that took the count (even
	 * if the copy-out then failed) or a write that added to it.
	 */
	return (p->reads || p->writes) && !create ? EBUSY : 0;
}

/* GET_STATS: the size, then the fields, then zeroing the bytes past them. */
static int expect_stats(const struct arg_mem *m, uint32_t size)
{
	if (size > PAGE)
		return E2BIG;
	if (size < OHOS_EFD_STATS_SIZE_VER0)
		return EINVAL;
	if (m->read_only || m->readable < size)
		return EFAULT;
	return 0;
}

static int expect_scalar(const struct fz_op *op, const struct arg_mem *m)
{
	size_t size = op->arg == IOC_PEEK ? 8 : 4;

	if (m->readable < size)
		return EFAULT;
	if (op->arg == IOC_SET_MODE)
		return arg_u32(m, 0) > OHOS_EFD_MODE_TRANSITION ? EINVAL : 0;
	return m->read_only ? EFAULT : 0;
}

/* Ours and eventfd start over with the configuration CONFIGURE accepted. */
static void configured(struct fz_pair *p, const struct arg_mem *m)
{
	uint32_t flags = arg_u32(m, 0), initval = arg_u32(m, 4);
	int fl = fcntl(p->fd[EFD_NATIVE], F_GETFL);

	p->semaphore = flags & OHOS_EFD_SEMAPHORE;
	p->count = initval;
	close_epolls(p);
	close(p->fd[EFD_NATIVE]);
	p->fd[EFD_NATIVE] = eventfd(initval, (p->semaphore ? EFD_SEMAPHORE : 0) | EFD_CLOEXEC);
	/* The file flags F_SETFL gave the old one (O_NONBLOCK, O_APPEND...). */
	if (p->fd[EFD_NATIVE] < 0 || fcntl(p->fd[EFD_NATIVE], F_SETFL, fl))
		rel_die("re-creating the eventfd");
	make_epolls(p);
}

static bool mode_set(struct fz_pair *p, const struct arg_mem *m)
{
	uint32_t mode = arg_u32(m, 0);

	if (mode != p->mode) {
		/* Fresh epoll sets: ET events are comparable again in exact mode. */
		p->mode = mode;
		close_epolls(p);
		make_epolls(p);
	}
	return true;
}

/*
 * The statistics must count what happened, zero the bytes past them up to
 * the size the number carries and not write a byte more, and (after a
 * partial copy into a half-mapped argument) have written only bytes a full
 * call writes too.
 */
static bool check_stats(struct fz_pair *p, const struct fz_op *op, const struct arg_mem *m)
{
	unsigned char partial[OHOS_EFD_STATS_SIZE_VER0];
	struct ohos_efd_stats st;
	size_t i;

	if (op->ptr == PTR_HALF) {
		/* The copy may stop short of the fault: unwritten bytes keep the fill. */
		memcpy(partial, m->base, m->readable);
		if (ioctl(p->fd[EFD_OHOS], OHOS_EFD_IOC_GET_STATS, &st))
			return fail("GET_STATS into a valid buffer after a partial copy: %s",
				    efd_errname(errno));
		for (i = 0; i < m->readable; i++)
			if (partial[i] != ((unsigned char *)&st)[i] && partial[i] != FILL_BYTE)
				return fail("GET_STATS: byte %zu of a partial copy is %#x, "
					    "a full copy has %#x there", i, partial[i],
					    ((unsigned char *)&st)[i]);
		return true;
	}
	memcpy(&st, m->base, sizeof(st));
	if (st.writes != p->writes || st.reads != p->reads ||
	    st.fast_writes + st.slow_writes != st.writes)
		return fail("GET_STATS: writes %llu (fast %llu + slow %llu), reads %llu; "
			    "expected %" PRIu64 " writes, %" PRIu64 " reads",
			    (unsigned long long)st.writes, (unsigned long long)st.fast_writes,
			    (unsigned long long)st.slow_writes, (unsigned long long)st.reads,
			    p->writes, p->reads);
	for (i = sizeof(st); i < op->len; i++)
		if (m->base[i])
			return fail("GET_STATS size %u: byte %zu is %#x, not zeroed", op->len, i,
				    m->base[i]);
	for (; i < op->len + 64 && i < m->readable; i++)
		if (m->base[i] != FILL_BYTE)
			return fail("GET_STATS wrote byte %zu, past the %u of its size", i, op->len);
	return true;
}

/* GET_FLAGS, GET_MODE, PEEK: the value, and not a byte more. */
static bool check_scalar(struct fz_pair *p, const struct fz_op *op, const struct arg_mem *m)
{
	size_t size = op->arg == IOC_PEEK ? 8 : 4;
	uint64_t want = 0, got = 0;

	memcpy(&got, m->base, size);
	if (op->arg == IOC_PEEK)
		want = native_count(p);
	else if (op->arg == IOC_GET_MODE)
		want = p->mode;
	else
		want = (p->semaphore ? OHOS_EFD_SEMAPHORE : 0) | (p->nonblock ? OHOS_EFD_NONBLOCK : 0);
	if (got != want)
		return fail("%s: %#" PRIx64 ", expected %#" PRIx64, our_cmd_name[op->arg], got, want);
	if (m->base[size] != FILL_BYTE)
		return fail("%s wrote more than %zu bytes", our_cmd_name[op->arg], size);
	return true;
}

/* A failed put_user() into a half-mapped u32/u64 must not have stored half of it. */
static bool check_untouched(const struct fz_op *op, const struct arg_mem *m)
{
	size_t i;

	for (i = 0; i < m->readable; i++)
		if (m->base[i] != FILL_BYTE)
			return fail("%s failed with EFAULT but wrote byte %zu", our_cmd_name[op->arg], i);
	return true;
}

/* A counter CREATE made: it holds initval, has the flags asked, and goes. */
static bool created(int fd, const struct arg_mem *m)
{
	uint32_t flags = arg_u32(m, 0), initval = arg_u32(m, 4), got = ~0u;
	uint64_t count = rel_peek(fd);
	int fdflags = fcntl(fd, F_GETFD);

	ioctl(fd, OHOS_EFD_IOC_GET_FLAGS, &got);
	close(fd);
	if (count != initval || got != (flags & (OHOS_EFD_SEMAPHORE | OHOS_EFD_NONBLOCK)) ||
	    !(fdflags & FD_CLOEXEC) != !(flags & OHOS_EFD_CLOEXEC))
		return fail("CREATE(flags %#x, initval %u) made a counter with count %" PRIu64
			    ", flags %#x, FD_CLOEXEC %d", flags, initval, count, got,
			    fdflags & FD_CLOEXEC);
	return true;
}

static bool run_ours(struct fz_pair *p, const struct fz_op *op)
{
	size_t objlen = config_cmd(op) ? sizeof(struct ohos_efd_config) :
			op->arg == IOC_GET_STATS ? sizeof(struct ohos_efd_stats) :
			op->arg == IOC_PEEK ? 8 : 4;
	struct arg_mem m = arg_mem(op->ptr, objlen);
	unsigned long cmd = sized_cmd(op->arg) ? efd_ioc_sized(our_cmd[op->arg], op->len) :
						 our_cmd[op->arg];
	int want, err;
	long ret;

	build_arg(&m, op);
	switch (op->arg) {
	case IOC_CONFIGURE:
	case IOC_CREATE: want = expect_config(p, &m, op->len, op->arg == IOC_CREATE); break;
	case IOC_GET_STATS: want = expect_stats(&m, op->len); break;
	default: want = expect_scalar(op, &m); break;
	}
	ret = ioctl(p->fd[EFD_OHOS], cmd, m.base);
	err = ret < 0 ? errno : 0;
	if (op->arg == IOC_CREATE && ret >= 0) {
		if (want) {
			close(ret);
			return fail("CREATE: fd %ld, expected %s", ret, efd_errname(want));
		}
		return created(ret, &m);
	}
	if (want ? ret != -1 || err != want : ret != 0)
		return fail("%s: ret %ld %s, expected %s", our_cmd_name[op->arg], ret,
			    efd_errname(err), efd_errname(want));
	if (want == EFAULT && op->ptr == PTR_HALF && op->arg == IOC_GET_STATS)
		return check_stats(p, op, &m);
	if (want == EFAULT && op->ptr == PTR_HALF && !config_cmd(op) && op->arg != IOC_SET_MODE)
		return check_untouched(op, &m);
	if (want)
		return true;
	switch (op->arg) {
	case IOC_CONFIGURE: configured(p, &m); return true;
	case IOC_SET_MODE: return mode_set(p, &m);
	case IOC_GET_STATS: return check_stats(p, op, &m);
	default: return check_scalar(p, op, &m);
	}
}

/* ---- a case --------------------------------------------------------------- */

/*
 * Run one operation on both counters. False on a difference, with
 * fail_desc saying what differed.
 */
static bool step(struct fz_pair *p, const struct fz_op *op, bool *skipped)
{
	static struct fz_res res[2];
	char a[DESC_LEN], b[DESC_LEN];

	*skipped = false;
	if (op->type == FZ_IOCTL_OURS) {
		if (native_only) {
			*skipped = true;
			return true;
		}
		return run_ours(p, op);
	}
	if (op->type == FZ_MIGRATE) {
		migrate(op->value);
		return true;
	}
	if (would_block(p, op) ||
	    ((op->type == FZ_EPOLL_WAIT || op->type == FZ_EPOLL_MOD) && !p->use_epoll)) {
		*skipped = true;
		return true;
	}
	if (opt.verbose) {
		fz_describe(op, a, sizeof(a));
		printf("#   %s (model count %#" PRIx64 ")\n", a, p->count);
		fflush(stdout);
	}
	run_one(p, EFD_NATIVE, op, &res[EFD_NATIVE]);
	run_one(p, EFD_OHOS, op, &res[EFD_OHOS]);
	if (opt.verbose) {
		res_describe(&res[EFD_NATIVE], a, sizeof(a));
		res_describe(&res[EFD_OHOS], b, sizeof(b));
		printf("#     eventfd: %s\n#     ohos:    %s\n", a, b);
	}
	/* EPOLLET events differ by design in transition mode (docs/design.md). */
	if (op->type == FZ_EPOLL_WAIT && op->len && p->mode != OHOS_EFD_MODE_EXACT)
		return true;
	if (!same_res(&res[EFD_NATIVE], &res[EFD_OHOS])) {
		res_describe(&res[EFD_NATIVE], a, sizeof(a));
		res_describe(&res[EFD_OHOS], b, sizeof(b));
		return fail("eventfd: %s | ohos_eventfd: %s", a, b);
	}
	model_update(p, op, &res[EFD_NATIVE]);
	if (op->type == FZ_FDINFO)
		return check_model(p);
	return true;
}

/*
 * Run the operations of @c whose bit is set in @keep (all when NULL).
 * Returns the index of the first failing one, or -1.
 */
static long run_case(const struct fz_case *c, const bool *keep, unsigned long *done)
{
	struct fz_pair p;
	unsigned int i;
	bool skipped;
	long failed = -1;

	pair_open(&p, c);
	for (i = 0; i < c->nops; i++) {
		if (keep && !keep[i])
			continue;
		if (!step(&p, &c->op[i], &skipped)) {
			failed = i;
			break;
		}
		if (done)
			*done += !skipped;
		atomic_fetch_add_explicit(&progress, 1, memory_order_relaxed);
	}
	pair_close(&p);
	return failed;
}

/*
 * Delta minimisation: drop chunks of operations, halving the chunk size,
 * as long as the case still fails at an operation of the same type.
 */
static unsigned int minimise(const struct fz_case *c, unsigned int failed_at, bool *keep)
{
	uint8_t type = c->op[failed_at].type;
	unsigned int chunk, start, i, n = failed_at + 1;
	bool progress_made;
	long f;

	for (i = 0; i < c->nops; i++)
		keep[i] = i <= failed_at;
	for (chunk = n / 2 ? n / 2 : 1;; chunk = chunk > 1 ? chunk / 2 : 1) {
		progress_made = false;
		for (start = 0; start < failed_at; start += chunk) {
			bool saved[MAX_OPS];
			unsigned int end = start + chunk < failed_at ? start + chunk : failed_at;

			unsigned int removed = 0;

			memcpy(saved, keep, sizeof(bool) * c->nops);
			for (i = start; i < end; i++) {
				removed += keep[i];
				keep[i] = false;
			}
			if (!removed)
				continue;
			f = run_case(c, keep, NULL);
			if (f >= 0 && c->op[f].type == type) {
				/* Still fails: keep the cut, and forget what follows the failure. */
				for (i = f + 1; i < c->nops; i++)
					keep[i] = false;
				failed_at = f;
				progress_made = true;
			} else {
				memcpy(keep, saved, sizeof(bool) * c->nops);
			}
		}
		if (chunk == 1 && !progress_made)
			break;
	}
	for (i = 0, n = 0; i < c->nops; i++)
		n += keep[i];
	return n;
}

static void print_case_header(const struct fz_case *c)
{
	printf("#   pair: eventfd(%u, %s%s) / ", c->initval,
	       c->flags & EFD_SEMAPHORE ? "EFD_SEMAPHORE|" : "",
	       c->flags & EFD_NONBLOCK ? "EFD_NONBLOCK" : "0");
	if (c->via_create)
		printf("CREATE(initval %u, flags %#x); ", c->initval, c->flags);
	else
		printf("open(%s) + CONFIGURE(initval %u, flags %#x)%s; ", OHOS_EVENTFD_DEVICE,
		       c->initval, c->flags & EFD_SEMAPHORE,
		       c->configure_anyway ? " (always)" : " (if non-zero)");
	if (c->rings)
		printf("rings on two CPUs; ");
	if (c->use_epoll)
		printf("epoll LT events %#x, ET events %#x\n", c->lt_events, c->et_events);
	else
		printf("no epoll sets\n");
}

static void report(const struct fz_case *c, unsigned long index, long failed_at)
{
	static bool keep[MAX_OPS];
	char desc[DESC_LEN], first_desc[sizeof(fail_desc)];
	unsigned int i, n;
	long f;

	snprintf(first_desc, sizeof(first_desc), "%s", fail_desc);
	rel_fail("seed %" PRIu64 " case %lu: operation %ld (%s) differs: %s", opt.seed, index,
		 failed_at, fz_name[c->op[failed_at].type], first_desc);
	n = minimise(c, failed_at, keep);
	f = run_case(c, keep, NULL);
	printf("# shortest reproducing sequence (%u of %ld operations):\n", n, failed_at + 1);
	print_case_header(c);
	for (i = 0; i < c->nops; i++) {
		if (!keep[i])
			continue;
		fz_describe(&c->op[i], desc, sizeof(desc));
		printf("#   op %u: %s%s\n", i, desc, (long)i == f ? "   <-- differs" : "");
	}
	if (f >= 0)
		printf("#   %s\n", fail_desc);
	printf("# replay: %s --seed %" PRIu64 " --case %lu --ops %u\n", rel_prog, opt.seed, index,
	       opt.ops_per_case);
}

/* ---- main ----------------------------------------------------------------- */

static void *watchdog_main(void *arg)
{
	unsigned long long last = ~0ULL;
	double since = rel_now();

	(void)arg;
	for (;;) {
		unsigned long long now = atomic_load(&progress);

		if (now != last) {
			last = now;
			since = rel_now();
		} else if (rel_now() - since > WATCHDOG_S) {
			rel_fail("seed %" PRIu64 " case %ld: no progress for %d s: an operation hangs",
				 opt.seed, atomic_load(&current_case), WATCHDOG_S);
			rel_dump_stacks(getpid());
			_exit(1);
		}
		rel_sleep_ms(500);
	}
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s [--seed N] [--total-ops N] [--ops N] [--case N] [--verbose]\n"
		"Differential fuzzing of eventfd vs ohos_eventfd (see the source's header).\n"
		"  --seed N        random seed (default 1)\n"
		"  --total-ops N   stop after running this many operations (default 1000000)\n"
		"  --ops N         operations per case (default 200, at most %d)\n"
		"  --case N        run only case N of the seed (to replay a failure)\n"
		"  --verbose       print every operation of --case N with both results\n"
		"%s=1 runs native against native, without our ioctls (a check of the\n"
		"fuzzer itself).\n"
		"Exit: 0 pass, 1 difference found, 2 setup error.\n",
		rel_prog, MAX_OPS, EFD_ENV_NATIVE_AS_OHOS);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "total-ops", required_argument, NULL, 't' },
		{ "ops", required_argument, NULL, 'o' },
		{ "case", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt.seed = rel_parse_num("--seed", optarg); break;
		case 't': opt.total_ops = rel_parse_num("--total-ops", optarg); break;
		case 'o': opt.ops_per_case = rel_parse_num("--ops", optarg); break;
		case 'c': opt.only_case = rel_parse_num("--case", optarg); break;
		case 'v': opt.verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc || !opt.ops_per_case || opt.ops_per_case > MAX_OPS) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static struct fz_case c;
	unsigned long long done = 0;
	unsigned long index, cases = 0, generated = 0;
	pthread_t watchdog;
	double start = rel_now();
	long failed;

	rel_init(argv[0]);
	parse_args(argc, argv);
	native_only = efd_native_as_ohos();
	setup_memory();
	probe_write_size();
	if (pthread_create(&watchdog, NULL, watchdog_main, NULL))
		rel_die("pthread_create");
	for (index = opt.only_case >= 0 ? opt.only_case : 0;; index++) {
		unsigned long ran = 0;

		atomic_store(&current_case, (long)index);
		gen_case(opt.seed, index, opt.ops_per_case, &c);
		failed = run_case(&c, NULL, &ran);
		done += ran;
		generated += c.nops;
		cases++;
		if (failed >= 0) {
			report(&c, index, failed);
			return 1;
		}
		if (opt.only_case >= 0 || done >= opt.total_ops)
			break;
	}
	rel_note("seed %" PRIu64 ": %lu cases, %llu operations run (of %lu generated; skipped: "
		 "those that would block, epoll ones in cases without epoll), %.1f s, no difference",
		 opt.seed, cases, done, generated, rel_now() - start);
	rel_note("ohos_eventfd writes: %llu through the per-CPU rings, %llu under the lock",
		 fast_writes_seen, slow_writes_seen);
	return 0;
}
