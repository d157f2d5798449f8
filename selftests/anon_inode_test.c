// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd selftests, fixture "anon_inode": what only a counter from
 * OHOS_EFD_IOC_CREATE shares with an eventfd (fstat, the /proc link, no
 * reopening through /proc), compared with a native eventfd (efd_diff(),
 * oefd_test_lib.c).
 *
 * Usage: anon_inode_test [harness options]; --help lists them and the
 * environment variables. Without /dev/ohos_eventfd every case is skipped.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/ohos_eventfd.h>

#include "kselftest_harness.h"
#include "oefd_test_lib.h"

/*
 * The file itself as fstat() and /proc see it, against a native eventfd:
 * both are files of the kernel's shared anonymous inode, and only the
 * name differs. (F_GETFL and F_GETFD: compat.create.fcntl_flags. An fd
 * from open() is our character device instead: a documented difference.)
 */
#define ANON_LINK_OHOS		"anon_inode:[ohos_eventfd]"
#define ANON_LINK_NATIVE	"anon_inode:[eventfd]"

static void fstat_step(struct efd_run *run, int fd)
{
	struct stat st;

	if (fstat(fd, &st)) {
		efd_ret(run, "fstat", -1);
		return;
	}
	efd_note(run, "fstat: st_mode", "%#o", st.st_mode);
	efd_note(run, "fstat: st_nlink", "%lu", (unsigned long)st.st_nlink);
	efd_note(run, "fstat: st_uid st_gid", "%u %u", st.st_uid, st.st_gid);
	efd_note(run, "fstat: st_rdev", "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	efd_note(run, "fstat: st_size st_blocks st_blksize", "%lld %lld %ld",
		 (long long)st.st_size, (long long)st.st_blocks, (long)st.st_blksize);
	efd_note(run, "fstat: st_dev st_ino", "%u:%u %llu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long long)st.st_ino);
}

static void scn_fstat(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	fstat_step(run, fd);
	efd_write(run, fd, 3);
	efd_read(run, fd, 8);
	fstat_step(run, fd);
}

/* Record @fd's /proc/self/fd link, ours under native's name once checked. */
static void link_step(struct efd_run *run, int fd, const char *op)
{
	char path[64], target[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		efd_ret(run, op, -1);
		return;
	}
	target[n] = '\0';
	if (efd_run_kind(run) == EFD_OHOS && !efd_native_as_ohos()) {
		efd_expect(run, !strcmp(target, ANON_LINK_OHOS), "%s: %s, expected %s", op,
			   target, ANON_LINK_OHOS);
		if (!strcmp(target, ANON_LINK_OHOS))
			snprintf(target, sizeof(target), "%s", ANON_LINK_NATIVE);
	}
	efd_note(run, op, "%s", target);
}

static void scn_proc_fd_link(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);
	int d;

	(void)arg;
	link_step(run, fd, "readlink(/proc/self/fd/fd)");
	d = efd_dup(run, fd, "dup");
	if (d >= 0)
		link_step(run, d, "readlink(/proc/self/fd/dup)");
}

static void reopen_step(struct efd_run *run, int fd, int flags, const char *what)
{
	char path[64], op[96];
	int reopened;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	snprintf(op, sizeof(op), "open(/proc/self/fd/fd, %s)", what);
	reopened = open(path, flags);
	efd_ret(run, op, reopened < 0 ? -1 : 0);
	if (reopened < 0)
		return;
	efd_name_fd(run, reopened, "reopened");
	if (flags & O_PATH)
		link_step(run, reopened, "readlink(/proc/self/fd/reopened)");
	else
		efd_read(run, reopened, 8);
	close(reopened);
}

/* An eventfd cannot be opened again through /proc: no second, unrelated counter. */
static void scn_reopen(struct efd_run *run, const void *arg)
{
	int fd = efd_fd(run);

	(void)arg;
	efd_write(run, fd, 3);
	reopen_step(run, fd, O_RDWR, "O_RDWR");
	reopen_step(run, fd, O_RDONLY, "O_RDONLY");
	reopen_step(run, fd, O_WRONLY, "O_WRONLY");
	reopen_step(run, fd, O_RDWR | O_NONBLOCK | O_CLOEXEC, "O_RDWR|O_NONBLOCK|O_CLOEXEC");
	reopen_step(run, fd, O_PATH | O_CLOEXEC, "O_PATH");
	efd_read(run, fd, 8);
}

FIXTURE(anon_inode) {
	char unused;
};

FIXTURE_SETUP(anon_inode)
{
	char why[256];

	if (!efd_ohos_available(why, sizeof(why)))
		SKIP(return, "%s", why);
	efd_set_factory(EFD_FACTORY_CREATE);
}

FIXTURE_TEARDOWN(anon_inode)
{
}

TEST_F(anon_inode, fstat)
{
	const struct efd_spec all = {
		.initval = 2, .flags = EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC,
	};

	EXPECT_SAME(&efd_nonblock, scn_fstat, NULL);
	EXPECT_SAME(&all, scn_fstat, NULL);
}

TEST_F(anon_inode, proc_fd_link)
{
	EXPECT_SAME(&efd_blocking, scn_proc_fd_link, NULL);
}

TEST_F(anon_inode, reopen_through_proc)
{
	EXPECT_SAME(&efd_nonblock, scn_reopen, NULL);
}

EFD_HARNESS_MAIN("Compares what fstat() and /proc show of a native eventfd and of a counter\n"
		 "from OHOS_EFD_IOC_CREATE")
