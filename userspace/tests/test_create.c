// SPDX-License-Identifier: GPL-2.0
/*
 * ohos_eventfd(): flags against eventfd(2), the fd flags it sets, and every
 * way the device can be absent (missing node, node without driver, no
 * permission) with and without the explicit fallback. The absent cases run
 * in a private mount namespace with a tmpfs on /dev, so they also run where
 * the module is loaded.
 */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "test_support.h"

struct outcome {
	int ok;
	int err;
};

static struct outcome outcome_of(int fd)
{
	struct outcome o = { fd >= 0, fd >= 0 ? 0 : errno };

	if (fd >= 0)
		close(fd);
	return o;
}

/* Every single flag bit: our answer is eventfd(2)'s. */
static void check_flag_bits(void)
{
	int bit, mismatches = 0, wrong_backend = 0;

	for (bit = 0; bit < 32; bit++) {
		int flag = (int)(1u << bit);
		struct outcome native, ours;
		int fd;

		if (flag == OHOS_EFD_FALLBACK)
			continue;
		native = outcome_of(eventfd(0, flag));
		fd = test_counter(0, flag);
		if (fd >= 0 && !test_backend_ok(fd))
			wrong_backend++;
		ours = outcome_of(fd);
		if (native.ok != ours.ok || native.err != ours.err) {
			ksft_print_msg("flags 0x%x: eventfd %s, ohos_eventfd %s\n", (unsigned int)flag,
				 native.ok ? "ok" : strerror(native.err), ours.ok ? "ok" : strerror(ours.err));
			mismatches++;
		}
	}
	ksft_test_result(mismatches == 0, "each flag bit is accepted or refused (with the same errno) as by eventfd(2)\n");
	ksft_test_result(wrong_backend == 0, "accepted flags give a counter from the expected backend\n");
}

static void check_einval_message(void)
{
	int fd = ohos_eventfd(0, 0x2);

	ksft_test_result(fd == -1 && errno == EINVAL, "unknown flag 0x2 fails with EINVAL\n");
	ksft_test_result(strstr(ohos_eventfd_last_error(), "unknown flags 0x2") != NULL,
		  "the message names the unknown flags: \"%s\"\n", ohos_eventfd_last_error());
}

/* F_GETFD/F_GETFL of our counter equal those of eventfd(2) with the same flags. */
static void check_fd_flags(void)
{
	static const int cases[] = { 0, EFD_NONBLOCK, EFD_CLOEXEC, EFD_SEMAPHORE,
				     EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC };
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int native = eventfd(0, cases[i]);
		int ours = test_counter(0, cases[i]);
		int fd_same, fl_same;

		fd_same = fcntl(native, F_GETFD) == fcntl(ours, F_GETFD);
		fl_same = (fcntl(native, F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
			  (fcntl(ours, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
		ksft_test_result(ours >= 0 && fd_same && fl_same,
			  "flags 0x%x: F_GETFD and the access mode and O_NONBLOCK of F_GETFL as eventfd(2)\n",
			  (unsigned int)cases[i]);
		close(native);
		close(ours);
	}
}

static void check_fallback_flag(void)
{
	int fd = test_counter(0, 0);

	ksft_test_result(fd >= 0 && test_backend_ok(fd),
		  "OHOS_EFD_FALLBACK: a counter from %s\n", test_on_device() ? "the device, which is present" :
		  "native eventfd, the device being absent");
	if (fd >= 0)
		close(fd);
}

/* ---- the device absent, in a private mount namespace ---- */

static int is_native_eventfd(int fd)
{
	char path[64], target[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return 0;
	target[len] = '\0';
	return strcmp(target, "anon_inode:[eventfd]") == 0;
}

/* Create with these flags; expect failure with err, or a native eventfd when err is 0. */
static void expect_create(int flags, int err, const char *what)
{
	int fd = ohos_eventfd(0, flags);

	if (err == 0) {
		ksft_test_result(fd >= 0 && is_native_eventfd(fd), "%s: a native eventfd\n", what);
	} else {
		ksft_test_result(fd == -1 && errno == err, "%s: fails with %s (got %s)\n", what,
			  strerrorname_np(err), fd >= 0 ? "a counter" : strerrorname_np(errno));
	}
	if (fd >= 0)
		close(fd);
}

static void expect_message(const char *needle)
{
	ksft_test_result(strstr(ohos_eventfd_last_error(), needle) != NULL,
		  "the message says \"%s\": \"%s\"\n", needle, ohos_eventfd_last_error());
}

static void check_missing_node(void)
{
	unsetenv("OHOS_EVENTFD_FALLBACK");
	expect_create(0, ENOENT, "no device node");
	expect_message(OHOS_EVENTFD_DEVICE " does not exist");
	expect_message("module is not loaded");
	expect_create(OHOS_EFD_FALLBACK, 0, "no device node, OHOS_EFD_FALLBACK");
	expect_message(OHOS_EVENTFD_DEVICE " does not exist");
	setenv("OHOS_EVENTFD_FALLBACK", "1", 1);
	expect_create(0, 0, "no device node, OHOS_EVENTFD_FALLBACK=1");
	setenv("OHOS_EVENTFD_FALLBACK", "0", 1);
	expect_create(0, ENOENT, "no device node, OHOS_EVENTFD_FALLBACK=0");
	setenv("OHOS_EVENTFD_FALLBACK", "yes", 1);
	expect_create(0, ENOENT, "no device node, OHOS_EVENTFD_FALLBACK=yes");
	unsetenv("OHOS_EVENTFD_FALLBACK");
}

/* A character major no driver has registered, from /proc/devices. */
static unsigned int unused_char_major(void)
{
	static const unsigned int candidates[] = { 60, 61, 62, 63, 120, 121, 122, 123, 124, 125,
						   126, 127, 240, 241, 242, 243, 244 };
	char line[128], name[64];
	unsigned int i, major;
	int used[256] = { 0 }, in_char = 0;
	FILE *file = fopen("/proc/devices", "re");

	while (file && fgets(line, sizeof(line), file)) {
		if (!strncmp(line, "Character", 9))
			in_char = 1;
		else if (!strncmp(line, "Block", 5))
			in_char = 0;
		else if (in_char && sscanf(line, "%u %63s", &major, name) == 2 && major < 256)
			used[major] = 1;
	}
	if (file)
		fclose(file);
	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (!used[candidates[i]])
			return candidates[i];
	return 0;
}

/* A misc minor below 256 that no misc device has, from /proc/misc. */
static unsigned int unused_misc_minor(void)
{
	unsigned int minor, used[256] = { 0 };
	char name[64];
	FILE *file = fopen("/proc/misc", "re");

	while (file && fscanf(file, "%u %63s", &minor, name) == 2)
		if (minor < 256)
			used[minor] = 1;
	if (file)
		fclose(file);
	for (minor = 1; minor < 255; minor++)
		if (!used[minor])
			return minor;
	return 0;
}

static int make_node(mode_t mode, unsigned int major, unsigned int minor)
{
	unlink(OHOS_EVENTFD_DEVICE);
	return mknod(OHOS_EVENTFD_DEVICE, S_IFCHR | mode, makedev(major, minor));
}

static void check_node_without_driver(void)
{
	unsigned int major = unused_char_major(), minor = unused_misc_minor();

	if (!major || make_node(0666, major, 0)) {
		ksft_test_result_skip("node of an unregistered major: %s\n", "no free major or mknod failed");
	} else {
		expect_create(0, ENODEV, "node of an unregistered major (open: ENXIO)");
		expect_message("no driver answers it");
		expect_create(OHOS_EFD_FALLBACK, 0, "node of an unregistered major, OHOS_EFD_FALLBACK");
	}
	if (!minor || make_node(0666, 10, minor))
		ksft_test_result_skip("misc node of an unused minor: %s\n", "no free misc minor or mknod failed");
	else
		expect_create(0, ENODEV, "misc node of an unused minor (open: ENODEV)");
}

/*
 * As an unprivileged user, a node it may not open: EACCES without the
 * fallback; with it, a native eventfd, which eventfd(2) would have given.
 */
static void check_permission(void)
{
	struct ksft_count *counts;
	pid_t pid;

	if (make_node(0600, 1, 3)) {	/* /dev/null's numbers: any openable driver */
		ksft_test_result_skip("node without permission: %s\n", "mknod failed");
		return;
	}
	pid = test_fork(&counts);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534)) {
			ksft_test_result_skip("node without permission: %s\n", "cannot become uid 65534");
			test_child_exit();
		}
		expect_create(0, EACCES, "node without permission");
		expect_message("permission denied");
		expect_create(OHOS_EFD_FALLBACK, 0, "node without permission, OHOS_EFD_FALLBACK");
		test_child_exit();
	}
	ksft_test_result(test_child_passed(pid, counts), "the unprivileged child passed\n");
}

static int enter_private_dev(void)
{
	if (unshare(CLONE_NEWNS))
		return -1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	return mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755");
}

static void check_absent_device(void)
{
	struct ksft_count *counts;
	pid_t pid;

	pid = test_fork(&counts);
	if (pid == 0) {
		if (enter_private_dev()) {
			ksft_test_result_skip("device absent (needs a private mount namespace): %s\n", strerror(errno));
			test_child_exit();
		}
		/*
		 * The library's factory fd, inherited from the checks above,
		 * would go on making counters as any open fd of the device
		 * does: start without it, as a new process would.
		 */
		close_range(STDERR_FILENO + 1, ~0u, 0);
		check_missing_node();
		check_node_without_driver();
		check_permission();
		test_child_exit();
	}
	ksft_test_result(test_child_passed(pid, counts), "the checks with the device absent passed\n");
}

int main(void)
{
	test_start();
	ksft_print_msg("mode: %s\n", test_on_device() ? "device" : "host (fallback)");
	check_flag_bits();
	check_einval_message();
	check_fd_flags();
	check_fallback_flag();
	check_absent_device();
	test_finished();
}
