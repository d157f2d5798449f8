/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, all of them. Force-included by Kbuild so the
 * module's sources read like mainline code. Behaviour that native eventfd
 * changed between releases follows the running kernel, so that an
 * ohos_eventfd fd and an eventfd fd on the same kernel behave alike; the
 * differential selftests verify it on Debian's 6.1 and 6.12. The versions
 * are the upstream releases that merged each change. Being the one place
 * for version tests, this file is checked with checkpatch's
 * LINUX_VERSION_CODE and CONSTANT_COMPARISON rules off.
 */
#ifndef _OHOS_EVENTFD_COMPAT_H
#define _OHOS_EVENTFD_COMPAT_H

#include <linux/version.h>

/*
 * "eventfd: strictly check the count parameter of eventfd_write": before it
 * a write of more than 8 bytes added the first 8 and returned 8; after it,
 * any size but 8 is EINVAL.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
#define OEFD_WRITE_SIZE_OK(size)	((size) == sizeof(u64))
#else
#define OEFD_WRITE_SIZE_OK(size)	((size) >= sizeof(u64))
#endif

/* "eventfd: show the EFD_SEMAPHORE flag in fdinfo" added a third line. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define OEFD_FDINFO_SEMAPHORE_LINE	1
#else
#define OEFD_FDINFO_SEMAPHORE_LINE	0
#endif

/* "kunit: Add ability to redirect function calls (static stubs)" */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#include <kunit/static_stub.h>
#else
#define KUNIT_STATIC_STUB_REDIRECT(real_fn_name, args...) ((void)(real_fn_name))
#endif

#endif /* _OHOS_EVENTFD_COMPAT_H */
