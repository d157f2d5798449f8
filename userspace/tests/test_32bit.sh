#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The library built for i386 (gcc -m32, with the Makefile's own flags) on
# files past 2 GiB: ohos_eventfd_is_ohos() fstat()s whatever fd it is
# given, and a 32-bit off_t makes fstat() fail with EOVERFLOW there.
# Needs gcc-multilib, and a kernel that runs i386 programs (Debian's do;
# some hosts' do not: then it runs in the VM only).
set -u
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! echo 'int main(void) { return 0; }' | cc -m32 -x c -o "$work/probe" - 2>/dev/null; then
	echo "ok - the 32-bit library # SKIP no 32-bit toolchain (gcc-multilib)"
	exit 0
fi
if ! "$work/probe" 2>/dev/null; then
	echo "ok - the 32-bit library # SKIP this kernel does not run i386 programs"
	exit 0
fi
tap_check "the static library builds with -m32" \
	make -s -C "$OEFD_SRC" B="$work/build" CFLAGS="-O2 -m32" "$work/build/libohos_eventfd.a"

# The program itself has a 64-bit off_t to make the file; the library must not need one.
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
if cc -m32 -o "$work/large" "$work/large.c" -I"$OEFD_SRC/include" -I"$OEFD_SRC/../include/uapi" \
	"$work/build/libohos_eventfd.a"; then
	out=$("$work/large" "$work/3GiB")
	echo "# is_ohos on a 3 GiB file: $out"
	tap_check "32-bit: ohos_eventfd_is_ohos() on a 3 GiB file says 0" [ "${out%% *}" = 0 ]
else
	tap_check "32-bit: the large-file program builds" false
fi
