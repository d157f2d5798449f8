// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libohos_eventfd_preload.so: LD_PRELOAD it and the libc entry points
 * eventfd(), eventfd_read() and eventfd_write() of an unmodified program
 * use /dev/ohos_eventfd. eventfd() is ohos_eventfd() with the fallback:
 * wherever the device cannot serve (missing node, module not loaded,
 * permission, the factory's fd over the limit) the counter is a native
 * eventfd, and errno is what eventfd(2) leaves. Flags eventfd(2) does not
 * know go straight to eventfd2(2), which answers them as for any program.
 *
 * The shim holds no state: it links libohos_eventfd.so.2, so a program that
 * also uses the library has one factory fd, whichever loaded first.
 *
 * What it cannot catch: raw syscall(SYS_eventfd2), statically linked
 * programs, Go (which makes system calls itself), lookups by version
 * (dlvsym(..., "GLIBC_2.7"): our names are unversioned, and the node's
 * name differs by architecture), dlsym() in libc's own handle, and
 * libraries loaded with RTLD_DEEPBIND, which bind to libc's own. What breaks under it: handing the fd to a
 * kernel consumer of eventfds (KVM irqfd, vhost, VFIO, io_uring
 * IORING_REGISTER_EVENTFD, AIO IOCB_FLAG_RESFD, memcg cgroup.event_control),
 * which accept only the kernel's own eventfd and fail with EINVAL.
 *
 * OHOS_EVENTFD_PRELOAD_LOG=FILE appends one line per eventfd() call saying
 * what the counter is (its /proc link), so a test can prove the calls
 * reached us. Like the rest, the log is safe in a signal handler: the
 * variable is read once, by the constructor, since getenv() is not
 * async-signal-safe (it walks an environ that setenv() may be replacing).
 * It is read with secure_getenv(): under /etc/ld.so.preload the shim is in
 * set-user-ID programs too, which must not append to a file their caller
 * names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * The log's path, copied: a program may overwrite its environment's
 * strings (a process title) or change it. "" when not logging; a path too
 * long to copy could not be opened either.
 */
static char oefd_log_path[4096];

__attribute__((constructor))
static void oefd_preload_init(void)
{
	const char *log = secure_getenv("OHOS_EVENTFD_PRELOAD_LOG");

	if (log && strlen(log) < sizeof(oefd_log_path))
		strcpy(oefd_log_path, log);
}

static void oefd_log(const char *path, unsigned int initval, int flags, int ret)
{
	char line[320], link[64] = "", fdpath[48];
	ssize_t len = -1;
	int fd;

	if (ret >= 0) {
		oefd_format(fdpath, sizeof(fdpath), "/proc/thread-self/fd/%d", ret);
		len = readlink(fdpath, link, sizeof(link) - 1);
	}
	link[len > 0 ? len : 0] = '\0';
	oefd_format(line, sizeof(line), "pid %d: eventfd(%u, 0x%x) = %d %s\n", (int)getpid(),
		    initval, (unsigned int)flags, ret, ret >= 0 ? link : oefd_strerror(errno));
	/* Opened per line: the program may close or reuse any fd we kept. */
	fd = oefd_open_nocancel(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		/* Best effort, and write(2) without glibc's cancellation point. */
		syscall(SYS_write, fd, line, strlen(line));
		oefd_close_nocancel(fd);
	}
}

OEFD_PUBLIC int eventfd(unsigned int initval, int flags)
{
	int fd, err;

	if (flags & ~OEFD_EFD_FLAGS)
		fd = oefd_native_eventfd(initval, flags);
	else
		fd = ohos_eventfd(initval, flags | OHOS_EFD_FALLBACK);
	if (oefd_log_path[0]) {
		err = errno;
		oefd_log(oefd_log_path, initval, flags, fd);
		errno = err;
	}
	return fd;
}

OEFD_PUBLIC int eventfd_read(int fd, eventfd_t *value)
{
	return ohos_eventfd_read(fd, value);
}

OEFD_PUBLIC int eventfd_write(int fd, eventfd_t value)
{
	return ohos_eventfd_write(fd, value);
}
