#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` into a DESTDIR, then build programs against it the way a
# user would: pkg-config for the shared library, the archive for a static
# link, the header from C++ too; and everything documented is installed.
set -u
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
prefix=/usr/local

make -s -C "$OEFD_SRC" install DESTDIR="$root" PREFIX="$prefix" >"$work/install.log" 2>&1
rc=$?
sed 's/^/# install: /' "$work/install.log"
tap_check "make install DESTDIR=... PREFIX=$prefix" [ "$rc" -eq 0 ]

for f in lib/libohos_eventfd.so.2.0.0 lib/libohos_eventfd.so.2 lib/libohos_eventfd.so \
	 lib/libohos_eventfd.a lib/libohos_eventfd_preload.so lib/pkgconfig/ohos_eventfd.pc \
	 include/ohos_eventfd.h include/linux/ohos_eventfd.h bin/ohos-eventfd \
	 share/man/man1/ohos-eventfd.1 share/man/man3/ohos_eventfd.3 share/man/man4/ohos_eventfd.4; do
	tap_check "installed $prefix/$f" [ -e "$root$prefix/$f" ]
done
all_man3_installed() {
	local page

	for page in "$OEFD_SRC"/man/*.3; do
		[ -e "$root$prefix/share/man/man3/$(basename "$page")" ] || return 1
	done
}
tap_check "installed every man3 page" all_man3_installed

export PKG_CONFIG_PATH=$root$prefix/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
pc_out=$(pkg-config --cflags --libs ohos_eventfd)
rc=$?
read -ra flags <<<"$pc_out"
read -ra cflags <<<"$(pkg-config --cflags ohos_eventfd)"
echo "# pkg-config --cflags --libs ohos_eventfd: ${flags[*]}"
tap_check "pkg-config --cflags --libs ohos_eventfd" [ "$rc" -eq 0 -a ${#flags[@]} -gt 0 ]
tap_check "pkg-config points into the installed tree" \
	[ "${flags[*]}" = "-I$root$prefix/include -L$root$prefix/lib -lohos_eventfd" ]

tap_check "hello.c builds with pkg-config's flags" \
	cc -Wall -Werror -o "$work/hello" "$OEFD_SRC/examples/hello.c" "${flags[@]}"
if oefd_on_device; then run_env=(); else run_env=(OHOS_EVENTFD_FALLBACK=1); fi
tap_check "hello runs against the installed shared library" \
	sh -c "env ${run_env[*]} LD_LIBRARY_PATH='$root$prefix/lib' '$work/hello' | grep -q '^read 3 '"
tap_check "hello needs libohos_eventfd.so.2" \
	sh -c "readelf -d '$work/hello' | grep -q 'Shared library: \[libohos_eventfd.so.2\]'"
tap_check "hello.c links statically against libohos_eventfd.a" \
	cc -Wall -Werror -o "$work/hello-static" "$OEFD_SRC/examples/hello.c" \
		"${cflags[@]}" "$root$prefix/lib/libohos_eventfd.a"
tap_check "the static hello runs" \
	sh -c "env ${run_env[*]} '$work/hello-static' | grep -q '^read 3 '"
for std in c++98 c++11; do
	tap_check "the installed header compiles as ${std^^} with -pedantic" \
		c++ -std="$std" -Wall -Wpedantic -Werror -fsyntax-only "${cflags[@]}" -x c++ - <<<'#include <ohos_eventfd.h>'
done
tap_check "the installed header compiles as C11 with -pedantic" \
	cc -std=c11 -Wall -Wpedantic -Werror -fsyntax-only "${cflags[@]}" -x c - <<<'#include <ohos_eventfd.h>'
