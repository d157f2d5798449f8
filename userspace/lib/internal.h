/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the library and the LD_PRELOAD shim, never installed. */
#ifndef OEFD_INTERNAL_H
#define OEFD_INTERNAL_H

#include <errno.h>
#include <ohos_eventfd.h>

#define OEFD_PUBLIC __attribute__((visibility("default")))

/* The flags eventfd(2) takes, which the library translates for the kernel. */
#define OEFD_EFD_FLAGS	(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)

/* Create a counter on the device; never falls back. flags: OEFD_EFD_FLAGS. */
int oefd_create(unsigned int initval, int flags);

/* Did oefd_create() fail because the device is missing or has no driver? */
static inline int oefd_device_absent(int err)
{
	return err == ENOENT || err == ENODEV;
}

#endif /* OEFD_INTERNAL_H */
