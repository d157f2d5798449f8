#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The library built for i386 (gcc -m32, with the Makefile's own flags) on
# files past 2 GiB: ohos_eventfd_is_ohos() fstat()s whatever fd it is
# given, and a 32-bit off_t makes fstat() fail with EOVERFLOW there.
# Needs gcc-multilib, and a kernel that runs i386 programs (Debian's do;
# some hosts' do not: then it runs in the VM only).

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

setup() {
	if ! echo 'int main(void) { return 0; }' | cc -m32 -x c -o "$work/probe" - 2>/dev/null; then
		skip "no 32-bit toolchain (gcc-multilib)"
	fi
	"$work/probe" 2>/dev/null || skip "this kernel does not run i386 programs"
}

@test "the static library builds with -m32" {
	make -s -C "$OEFD_SRC" B="$work/build" CFLAGS="-O2 -m32" "$work/build/libohos_eventfd.a"
}

# The program itself has a 64-bit off_t to make the file; the library must not need one.
@test "32-bit: ohos_eventfd_is_ohos() on a 3 GiB file says 0" {
	local out

	cat >"$work/large.c" <<'PROGRAM'
#define _FILE_OFFSET_BITS 64
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ohos_eventfd.h>

int main(int argc, char **argv)
{
	int fd = open(argv[argc - 1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	int ret;

	if (fd < 0 || ftruncate(fd, 3LL << 30))
		return 2;
	ret = ohos_eventfd_is_ohos(fd);
	printf("%d %s\n", ret, ret < 0 ? ohos_eventfd_last_error() : "");
	return 0;
}
PROGRAM
	cc -m32 -o "$work/large" "$work/large.c" -I"$OEFD_SRC/include" -I"$OEFD_SRC/../include/uapi" \
		"$work/build/libohos_eventfd.a"
	out=$("$work/large" "$work/3GiB")
	echo "is_ohos on a 3 GiB file: $out"
	[ "${out%% *}" = 0 ]
}
