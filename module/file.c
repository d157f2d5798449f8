// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd: /dev/ohos_eventfd, counters that behave exactly like
 * eventfd(2) fds, written through per-CPU rings of pending increments.
 *
 * A counter is eventfd's: a count and a wait queue whose lock protects it.
 * A CPU whose writes find the lock held also gets a small ring on it,
 * that its writers fill without the lock (the fast path) while nobody has
 * to be woken; lock holders fold the rings into the count, and a seqcount lets
 * poll, fdinfo and OHOS_EFD_IOC_PEEK sum count and rings without the lock.
 * The module is three files: ring.c (the rings), counter.c (the counter)
 * and this one. docs/design.md gives the argument.
 *
 * This file owns a counter's lifetime and its file: creating and freeing a
 * struct ohos_eventfd_ctx (the slab cache, the id, the kref), the exported
 * ohos_eventfd_ctx_fdget(), _fileget() and _put(), open and release, the
 * file_operations table, fdinfo, the ioctls, the misc device and module
 * init and exit. It reads and changes no count itself: it calls counter.c
 * (read, write, poll, CONFIGURE, SET_MODE, statistics) and ring.c (the
 * lockless snapshot, freeing the rings) through ohos_eventfd_internal.h.
 */

#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "ohos_eventfd_internal.h"
#define CREATE_TRACE_POINTS
#include "ohos_eventfd_trace.h"

static struct kmem_cache *oefd_ctx_cache;
static DEFINE_IDA(oefd_ida);
static const struct file_operations oefd_fops;

VISIBLE_IF_KUNIT struct ohos_eventfd_ctx *oefd_ctx_create(unsigned int initval,
							  u32 flags)
{
	struct ohos_eventfd_ctx *ctx;

	ctx = kmem_cache_zalloc(oefd_ctx_cache, GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	ctx->id = ida_alloc(&oefd_ida, GFP_KERNEL_ACCOUNT);
	if (ctx->id < 0) {
		kmem_cache_free(oefd_ctx_cache, ctx);
		return NULL;
	}
	kref_init(&ctx->kref);
	init_waitqueue_head(&ctx->wqh);
	seqcount_spinlock_init(&ctx->seq, &ctx->wqh.lock);
	ctx->count = initval;
	ctx->flags = flags;
	ctx->fast_ok = true;
	return ctx;
}
EXPORT_SYMBOL_IF_KUNIT(oefd_ctx_create);

static void oefd_ctx_free(struct kref *kref)
{
	struct ohos_eventfd_ctx *ctx = container_of(kref, struct ohos_eventfd_ctx, kref);

	if (ctx->rings)
		oefd_rings_free(ctx->rings);
	ida_free(&oefd_ida, ctx->id);
	kmem_cache_free(oefd_ctx_cache, ctx);
}

/**
 * ohos_eventfd_ctx_put() - Drop a reference on a counter
 * @ctx: a counter from ohos_eventfd_ctx_fdget() or _fileget()
 *
 * The last reference frees the counter, with its rings and its id.
 */
void ohos_eventfd_ctx_put(struct ohos_eventfd_ctx *ctx)
{
	kref_put(&ctx->kref, oefd_ctx_free);
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_put);

/**
 * ohos_eventfd_ctx_fileget() - Take a reference on the counter of a file
 * @file: a file of /dev/ohos_eventfd or of its CREATE ioctl
 *
 * The reference keeps the counter alive after @file is closed, until
 * ohos_eventfd_ctx_put().
 *
 * Return: the counter, or ERR_PTR(-EINVAL) when @file is not an
 * ohos_eventfd file (a native eventfd included).
 */
struct ohos_eventfd_ctx *ohos_eventfd_ctx_fileget(struct file *file)
{
	struct ohos_eventfd_ctx *ctx;

	if (file->f_op != &oefd_fops)
		return ERR_PTR(-EINVAL);
	ctx = file->private_data;
	kref_get(&ctx->kref);
	return ctx;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_fileget);

/**
 * ohos_eventfd_ctx_fdget() - Take a reference on the counter of an fd
 * @fd: a file descriptor of the current task
 *
 * As ohos_eventfd_ctx_fileget(), for the file @fd refers to.
 *
 * Return: the counter, ERR_PTR(-EBADF) when @fd is not open, or
 * ERR_PTR(-EINVAL) when it is not an ohos_eventfd file.
 */
struct ohos_eventfd_ctx *ohos_eventfd_ctx_fdget(int fd)
{
	struct ohos_eventfd_ctx *ctx;
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	ctx = ohos_eventfd_ctx_fileget(file);
	fput(file);
	return ctx;
}
EXPORT_SYMBOL_GPL(ohos_eventfd_ctx_fdget);

static void oefd_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;
	struct oefd_stats st;

	seq_printf(m, "eventfd-count: %16llx\neventfd-id: %d\n",
		   oefd_snapshot(ctx), ctx->id);
	if (OEFD_FDINFO_SEMAPHORE_LINE)
		seq_printf(m, "eventfd-semaphore: %d\n",
			   !!(READ_ONCE(ctx->flags) & OHOS_EFD_SEMAPHORE));
	seq_printf(m, "ohos_eventfd-mode: %s\nohos_eventfd-rings: %u\n",
		   READ_ONCE(ctx->mode) ? "transition" : "exact",
		   oefd_ring_count(ctx));
	oefd_ctx_stats(ctx, &st);
	seq_printf(m, "ohos_eventfd-writes: %llu\nohos_eventfd-fast-writes: %llu\n",
		   st.abi.writes, st.abi.fast_writes);
	seq_printf(m, "ohos_eventfd-reads: %llu\nohos_eventfd-wakeups: %llu\n",
		   st.abi.reads, st.abi.wakeups);
	seq_printf(m, "ohos_eventfd-coalesced: %llu\n", st.coalesced);
}

/* Read a struct ohos_efd_config of @usize bytes with the uapi's rules. */
static int oefd_copy_config(struct ohos_efd_config *cfg, void __user *ucfg,
			    size_t usize, u32 allowed)
{
	int ret;

	ret = copy_struct_from_user(cfg, sizeof(*cfg), ucfg, usize);
	if (ret)
		return ret;
	return cfg->flags & ~allowed ? -EINVAL : 0;
}

static int oefd_ioc_configure(struct ohos_eventfd_ctx *ctx,
			      void __user *ucfg, size_t usize)
{
	struct ohos_efd_config cfg;
	int ret;

	ret = oefd_copy_config(&cfg, ucfg, usize, OHOS_EFD_SEMAPHORE);
	if (ret)
		return ret;
	return oefd_configure(ctx, &cfg);
}

/* eventfd2() through our fops: a new counter on an anonymous inode. */
static int oefd_ioc_create(void __user *ucfg, size_t usize)
{
	struct ohos_efd_config cfg;
	struct ohos_eventfd_ctx *ctx;
	struct file *file;
	int fd, ret;

	ret = oefd_copy_config(&cfg, ucfg, usize, OHOS_EFD_SEMAPHORE |
			       OHOS_EFD_NONBLOCK | OHOS_EFD_CLOEXEC);
	if (ret)
		return ret;
	ctx = oefd_ctx_create(cfg.initval, cfg.flags & OHOS_EFD_SEMAPHORE);
	if (!ctx)
		return -ENOMEM;
	fd = get_unused_fd_flags(cfg.flags & OHOS_EFD_CLOEXEC ? O_CLOEXEC : 0);
	if (fd < 0) {
		ret = fd;
		goto put_ctx;
	}
	file = anon_inode_getfile("[ohos_eventfd]", &oefd_fops, ctx,
				  O_RDWR | (cfg.flags & OHOS_EFD_NONBLOCK ? O_NONBLOCK : 0));
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_fd;
	}
	file->f_mode |= FMODE_NOWAIT;
	fd_install(fd, file);
	return fd;
put_fd:
	put_unused_fd(fd);
put_ctx:
	ohos_eventfd_ctx_put(ctx);
	return ret;
}

/* Fill a struct ohos_efd_stats of @usize bytes: zeroes past what we know. */
static int oefd_ioc_stats(struct ohos_eventfd_ctx *ctx, void __user *ust,
			  size_t usize)
{
	struct oefd_stats st = {};

	oefd_ctx_stats(ctx, &st);
	if (copy_to_user(ust, &st.abi, min(usize, sizeof(st.abi))))
		return -EFAULT;
	if (usize > sizeof(st.abi) &&
	    clear_user(ust + sizeof(st.abi), usize - sizeof(st.abi)))
		return -EFAULT;
	return 0;
}

/* The bits of an ioctl number that hold its struct's size. */
#define OEFD_IOC_SIZE_BITS	_IOC(0, 0, 0, _IOC_SIZEMASK)

/* A size carried by a command's number: at least @ver0, at most a page. */
static int oefd_usize_check(size_t usize, size_t ver0)
{
	if (usize < ver0)
		return -EINVAL;
	return usize > PAGE_SIZE ? -E2BIG : 0;
}

/*
 * A command whose number carries its struct's size (see the uapi header),
 * as clone3() and openat2() take theirs. Any other number is ENOTTY,
 * whatever its size bits say.
 */
static long oefd_ioctl_struct(struct ohos_eventfd_ctx *ctx, unsigned int cmd,
			      void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);

	switch (cmd & ~OEFD_IOC_SIZE_BITS) {
	case OHOS_EFD_IOC_CONFIGURE & ~OEFD_IOC_SIZE_BITS:
		return oefd_usize_check(usize, OHOS_EFD_CONFIG_SIZE_VER0) ?:
		       oefd_ioc_configure(ctx, uarg, usize);
	case OHOS_EFD_IOC_GET_STATS & ~OEFD_IOC_SIZE_BITS:
		return oefd_usize_check(usize, OHOS_EFD_STATS_SIZE_VER0) ?:
		       oefd_ioc_stats(ctx, uarg, usize);
	case OHOS_EFD_IOC_CREATE & ~OEFD_IOC_SIZE_BITS:
		return oefd_usize_check(usize, OHOS_EFD_CONFIG_SIZE_VER0) ?:
		       oefd_ioc_create(uarg, usize);
	}
	return -ENOTTY;
}

static u32 oefd_flags(struct ohos_eventfd_ctx *ctx, struct file *file)
{
	return (READ_ONCE(ctx->flags) & OHOS_EFD_SEMAPHORE) |
	       (file->f_flags & O_NONBLOCK ? OHOS_EFD_NONBLOCK : 0);
}

static long oefd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	u32 mode;

	switch (cmd) {
	case OHOS_EFD_IOC_GET_FLAGS:
		return put_user(oefd_flags(ctx, file), (u32 __user *)uarg);
	case OHOS_EFD_IOC_SET_MODE:
		if (get_user(mode, (u32 __user *)uarg))
			return -EFAULT;
		return oefd_set_mode(ctx, mode);
	case OHOS_EFD_IOC_GET_MODE:
		return put_user(READ_ONCE(ctx->mode), (u32 __user *)uarg);
	case OHOS_EFD_IOC_PEEK:
		return put_user(oefd_snapshot(ctx), (u64 __user *)uarg);
	}
	return oefd_ioctl_struct(ctx, cmd, uarg);
}

/*
 * An fd of ours must look like an eventfd's: always O_RDWR, no
 * O_LARGEFILE in F_GETFL, lseek a no-op but pread/pwrite refused,
 * RWF_NOWAIT honoured.
 */
static int oefd_open(struct inode *inode, struct file *file)
{
	struct ohos_eventfd_ctx *ctx;

	if ((file->f_flags & O_ACCMODE) != O_RDWR)
		return -EINVAL;
	ctx = oefd_ctx_create(0, 0);
	if (!ctx)
		return -ENOMEM;
	file->private_data = ctx;
	file->f_flags &= O_ACCMODE | O_NONBLOCK;
	file->f_mode &= ~(FMODE_PREAD | FMODE_PWRITE);
	file->f_mode |= FMODE_NOWAIT;
	return 0;
}

static int oefd_release(struct inode *inode, struct file *file)
{
	struct ohos_eventfd_ctx *ctx = file->private_data;

	wake_up_poll(&ctx->wqh, EPOLLHUP);
	ohos_eventfd_ctx_put(ctx);
	return 0;
}

static const struct file_operations oefd_fops = {
	.owner		= THIS_MODULE,
	.open		= oefd_open,
	.release	= oefd_release,
	.read_iter	= oefd_read,
	.write		= oefd_write,
	.poll		= oefd_poll,
	.llseek		= noop_llseek,
	.unlocked_ioctl	= oefd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= oefd_show_fdinfo,
};

static struct miscdevice oefd_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ohos_eventfd",
	.fops	= &oefd_fops,
	.mode	= 0666,
};

static int __init oefd_init(void)
{
	int ret;

	BUILD_BUG_ON(OHOS_EFD_SEMAPHORE != EFD_SEMAPHORE);
	BUILD_BUG_ON(sizeof(struct ohos_efd_config) != OHOS_EFD_CONFIG_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct ohos_efd_stats) != OHOS_EFD_STATS_SIZE_VER0);
	/* ohos_eventfd_trace.h's formats spell these values out. */
	BUILD_BUG_ON(OHOS_EFD_MODE_EXACT != 0 || OHOS_EFD_MODE_TRANSITION != 1);
	BUILD_BUG_ON((__force unsigned int)EPOLLIN != 0x01 ||
		     (__force unsigned int)EPOLLOUT != 0x04 ||
		     (__force unsigned int)EPOLLERR != 0x08 ||
		     (__force unsigned int)EPOLLHUP != 0x10);

	ret = oefd_rings_init();
	if (ret)
		return ret;
	oefd_ctx_cache = KMEM_CACHE(ohos_eventfd_ctx, SLAB_ACCOUNT);
	if (!oefd_ctx_cache) {
		ret = -ENOMEM;
		goto err_rings;
	}
	ret = misc_register(&oefd_misc);
	if (ret) {
		pr_err("ohos_eventfd: cannot register /dev/ohos_eventfd: %d\n", ret);
		goto err_ctx;
	}
	return 0;

err_ctx:
	kmem_cache_destroy(oefd_ctx_cache);
err_rings:
	oefd_rings_exit();
	return ret;
}

static void __exit oefd_exit(void)
{
	misc_deregister(&oefd_misc);
	kmem_cache_destroy(oefd_ctx_cache);
	oefd_rings_exit();
	ida_destroy(&oefd_ida);
}

module_init(oefd_init);
module_exit(oefd_exit);

MODULE_DESCRIPTION("eventfd-compatible counters on per-CPU rings: /dev/ohos_eventfd");
MODULE_LICENSE("GPL");
MODULE_VERSION(OHOS_EVENTFD_VERSION);
