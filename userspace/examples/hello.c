// SPDX-License-Identifier: MIT
/* Build: cc hello.c $(pkg-config --cflags --libs ohos_eventfd) */
#include <stdio.h>
#include <ohos_eventfd.h>

int main(void)
{
	uint64_t value;
	int fd = ohos_eventfd(0, EFD_CLOEXEC);

	if (fd < 0 || ohos_eventfd_write(fd, 3) || ohos_eventfd_read(fd, &value)) {
		fprintf(stderr, "hello: %s\n", ohos_eventfd_last_error());
		return 1;
	}
	printf("read %llu from %s\n", (unsigned long long)value,
	       ohos_eventfd_is_ohos(fd) == 1 ? OHOS_EVENTFD_DEVICE : "a native eventfd");
	return 0;
}
