// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the driver's OHOS_EFD_IOC_CREATE, so that the library's
 * factory code runs on a host without the module: test_superset.sh points
 * /dev/ohos_eventfd (and a fake /sys/class/misc/ohos_eventfd/dev) at
 * /dev/net/tun, which answers a command it does not know with EBADFD; this
 * ioctl() turns that answer into what CREATE gives, a new fd (of tun, opened
 * with the flags asked for), or the error opening it fails with (EMFILE at
 * the fd limit). Every other request goes to the kernel unchanged.
 *
 * LD_PRELOAD it before the shim (tun_create.so), or link it into a test
 * (factory_race), which may set tun_create_hook: called after each CREATE
 * that the kernel answered, with the fd and the kernel's errno, before the
 * library sees the answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/ohos_eventfd.h>

#define EXPORTED __attribute__((visibility("default")))

EXPORTED void (*tun_create_hook)(int fd, int err);
EXPORTED int tun_create_calls;

EXPORTED int ioctl(int fd, unsigned long request, ...)
{
	const struct ohos_efd_config *config;
	va_list ap;
	void *arg;
	long ret;
	int err;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	ret = syscall(SYS_ioctl, fd, request, arg);
	if (request != OHOS_EFD_IOC_CREATE)
		return (int)ret;
	__atomic_add_fetch(&tun_create_calls, 1, __ATOMIC_RELAXED);
	err = ret < 0 ? errno : 0;
	if (tun_create_hook)
		tun_create_hook(fd, err);
	if (err != EBADFD) {
		errno = err;
		return (int)ret;
	}
	config = arg;
	return (int)syscall(SYS_openat, AT_FDCWD, "/dev/net/tun",
			    O_RDWR | (config->flags & OHOS_EFD_NONBLOCK ? O_NONBLOCK : 0) |
			    (config->flags & OHOS_EFD_CLOEXEC ? O_CLOEXEC : 0));
}
