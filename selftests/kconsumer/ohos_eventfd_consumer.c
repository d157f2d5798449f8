// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd_consumer: a test-only in-kernel consumer of counters, made
 * the way KVM's irqfd and VFIO's virqfd consume an eventfd: a wait queue
 * entry attached through vfs_poll(), a callback that may empty the counter
 * with do_read under the wait queue lock, and a detach through
 * remove_wait_queue. It takes native eventfds as well, so that
 * selftests/core_test.c runs the same steps on both and compares.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ohos_eventfd.h>

#include "ohos_eventfd_consumer.h"

struct oefd_consumer {
	/* Serializes attach, detach and release of this consumer. */
	struct mutex lock;
	struct file *file;		/* the counter's file, NULL when detached */
	struct eventfd_ctx *native;	/* one of these two while attached */
	struct ohos_eventfd_ctx *ohos;
	wait_queue_entry_t wait;
	poll_table pt;
	bool queued;			/* vfs_poll() queued @wait */
	bool read_in_callback;
	/* Written by the callback under the counter's wait queue lock. */
	u64 wakeups;
	u64 taken;
};

static int oefd_consumer_wake(wait_queue_entry_t *wait, unsigned int mode,
			      int sync, void *key)
{
	struct oefd_consumer *c = container_of(wait, struct oefd_consumer, wait);
	u64 cnt = 0;

	if (!(key_to_poll(key) & EPOLLIN))
		return 0;
	c->wakeups++;
	if (!c->read_in_callback)
		return 0;
	if (c->ohos)
		ohos_eventfd_ctx_do_read(c->ohos, &cnt);
	else
		eventfd_ctx_do_read(c->native, &cnt);
	c->taken += cnt;
	return 0;
}

static void oefd_consumer_queue(struct file *file, wait_queue_head_t *wqh,
				poll_table *pt)
{
	struct oefd_consumer *c = container_of(pt, struct oefd_consumer, pt);

	add_wait_queue(wqh, &c->wait);
	c->queued = true;
}

static void oefd_consumer_put(struct oefd_consumer *c)
{
	if (c->ohos)
		ohos_eventfd_ctx_put(c->ohos);
	else
		eventfd_ctx_put(c->native);
	fput(c->file);
	c->file = NULL;
	c->ohos = NULL;
	c->native = NULL;
}

static int oefd_consumer_attach(struct oefd_consumer *c,
				const struct oefd_consumer_attach *a)
{
	struct file *file;

	if (c->file)
		return -EBUSY;
	file = fget(a->fd);
	if (!file)
		return -EBADF;
	c->file = file;
	c->ohos = ohos_eventfd_ctx_fileget(file);
	if (IS_ERR(c->ohos)) {
		c->ohos = NULL;
		c->native = eventfd_ctx_fileget(file);
		if (IS_ERR(c->native)) {
			fput(file);
			c->file = NULL;
			return -EINVAL;
		}
	}
	c->read_in_callback = a->read_in_callback;
	c->wakeups = 0;
	c->taken = 0;
	c->queued = false;
	init_waitqueue_func_entry(&c->wait, oefd_consumer_wake);
	init_poll_funcptr(&c->pt, oefd_consumer_queue);
	vfs_poll(file, &c->pt);
	if (!c->queued) {
		oefd_consumer_put(c);
		return -EINVAL;
	}
	return 0;
}

static void oefd_consumer_detach(struct oefd_consumer *c,
				 struct oefd_consumer_result *r)
{
	u64 cnt = 0;

	if (c->ohos)
		r->detach_ret = ohos_eventfd_ctx_remove_wait_queue(c->ohos, &c->wait, &cnt);
	else
		r->detach_ret = eventfd_ctx_remove_wait_queue(c->native, &c->wait, &cnt);
	/* The callback ran under the lock remove_wait_queue took: no more. */
	r->wakeups = c->wakeups;
	r->taken_in_callback = c->taken;
	r->taken_at_detach = cnt;
	oefd_consumer_put(c);
}

static long oefd_consumer_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct oefd_consumer *c = file->private_data;
	struct oefd_consumer_result r = {};
	struct oefd_consumer_attach a;
	long ret;

	switch (cmd) {
	case OEFD_CONSUMER_IOC_ATTACH:
		if (copy_from_user(&a, (void __user *)arg, sizeof(a)))
			return -EFAULT;
		mutex_lock(&c->lock);
		ret = oefd_consumer_attach(c, &a);
		mutex_unlock(&c->lock);
		return ret;
	case OEFD_CONSUMER_IOC_DETACH:
		mutex_lock(&c->lock);
		ret = c->file ? 0 : -ENOENT;
		if (!ret)
			oefd_consumer_detach(c, &r);
		mutex_unlock(&c->lock);
		if (!ret && copy_to_user((void __user *)arg, &r, sizeof(r)))
			ret = -EFAULT;
		return ret;
	}
	return -ENOTTY;
}

static int oefd_consumer_open(struct inode *inode, struct file *file)
{
	struct oefd_consumer *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	mutex_init(&c->lock);
	file->private_data = c;
	return 0;
}

static int oefd_consumer_release(struct inode *inode, struct file *file)
{
	struct oefd_consumer *c = file->private_data;
	struct oefd_consumer_result r;

	if (c->file)
		oefd_consumer_detach(c, &r);
	mutex_destroy(&c->lock);
	kfree(c);
	return 0;
}

static const struct file_operations oefd_consumer_fops = {
	.owner		= THIS_MODULE,
	.open		= oefd_consumer_open,
	.release	= oefd_consumer_release,
	.unlocked_ioctl	= oefd_consumer_ioctl,
};

static struct miscdevice oefd_consumer_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ohos_eventfd_consumer",
	.fops	= &oefd_consumer_fops,
	.mode	= 0600,
};
module_misc_device(oefd_consumer_misc);

MODULE_DESCRIPTION("ohos_eventfd test: an in-kernel consumer of eventfd and ohos_eventfd counters");
MODULE_LICENSE("GPL");
