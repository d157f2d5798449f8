#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# `make install` into a DESTDIR, then build programs against it the way a
# user would: pkg-config for the shared library, the archive for a static
# link, the header from C++ too; and everything documented is installed.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

prefix=/usr/local

setup() {
	root=$work/root
	export PKG_CONFIG_PATH=$root$prefix/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
	if oefd_on_device; then run_env=(); else run_env=(OHOS_EVENTFD_FALLBACK=1); fi
}

@test "make install DESTDIR=... PREFIX=$prefix" {
	make -s -C "$OEFD_SRC" install DESTDIR="$root" PREFIX="$prefix"
}

@test "installed $prefix/lib/libohos_eventfd.so.2.0.0" { [ -e "$root$prefix/lib/libohos_eventfd.so.2.0.0" ]; }
@test "installed $prefix/lib/libohos_eventfd.so.2" { [ -e "$root$prefix/lib/libohos_eventfd.so.2" ]; }
@test "installed $prefix/lib/libohos_eventfd.so" { [ -e "$root$prefix/lib/libohos_eventfd.so" ]; }
@test "installed $prefix/lib/libohos_eventfd.a" { [ -e "$root$prefix/lib/libohos_eventfd.a" ]; }
@test "installed $prefix/lib/libohos_eventfd_preload.so" { [ -e "$root$prefix/lib/libohos_eventfd_preload.so" ]; }
@test "installed $prefix/lib/pkgconfig/ohos_eventfd.pc" { [ -e "$root$prefix/lib/pkgconfig/ohos_eventfd.pc" ]; }
@test "installed $prefix/include/ohos_eventfd.h" { [ -e "$root$prefix/include/ohos_eventfd.h" ]; }
@test "installed $prefix/include/linux/ohos_eventfd.h" { [ -e "$root$prefix/include/linux/ohos_eventfd.h" ]; }
@test "installed $prefix/bin/ohos-eventfd" { [ -e "$root$prefix/bin/ohos-eventfd" ]; }
@test "installed $prefix/share/man/man1/ohos-eventfd.1" { [ -e "$root$prefix/share/man/man1/ohos-eventfd.1" ]; }
@test "installed $prefix/share/man/man3/ohos_eventfd.3" { [ -e "$root$prefix/share/man/man3/ohos_eventfd.3" ]; }
@test "installed $prefix/share/man/man4/ohos_eventfd.4" { [ -e "$root$prefix/share/man/man4/ohos_eventfd.4" ]; }

@test "installed every man3 page" {
	local page

	for page in "$OEFD_SRC"/man/*.3; do
		[ -e "$root$prefix/share/man/man3/$(basename "$page")" ] ||
			{ echo "missing: $(basename "$page")"; return 1; }
	done
}

@test "pkg-config --cflags --libs ohos_eventfd" {
	run pkg-config --cflags --libs ohos_eventfd
	echo "$output"
	[ "$status" -eq 0 ]
	[ -n "$output" ]
}

@test "pkg-config points into the installed tree" {
	local flags

	read -ra flags <<<"$(pkg-config --cflags --libs ohos_eventfd)"
	echo "${flags[*]}"
	[ "${flags[*]}" = "-I$root$prefix/include -L$root$prefix/lib -lohos_eventfd" ]
}

@test "hello.c builds with pkg-config's flags" {
	# shellcheck disable=SC2046 # pkg-config's flags are words
	cc -Wall -Werror -o "$work/hello" "$OEFD_SRC/examples/hello.c" $(pkg-config --cflags --libs ohos_eventfd)
}

@test "hello runs against the installed shared library" {
	env "${run_env[@]}" LD_LIBRARY_PATH="$root$prefix/lib" "$work/hello" | grep -q '^read 3 '
}

@test "hello needs libohos_eventfd.so.2" {
	readelf -d "$work/hello" | grep -q 'Shared library: \[libohos_eventfd.so.2\]'
}

@test "hello.c links statically against libohos_eventfd.a" {
	# shellcheck disable=SC2046 # pkg-config's flags are words
	cc -Wall -Werror -o "$work/hello-static" "$OEFD_SRC/examples/hello.c" \
		$(pkg-config --cflags ohos_eventfd) "$root$prefix/lib/libohos_eventfd.a"
}

@test "the static hello runs" {
	env "${run_env[@]}" "$work/hello-static" | grep -q '^read 3 '
}

compiles() {
	# shellcheck disable=SC2046 # pkg-config's flags are words
	"$@" -Wall -Wpedantic -Werror -fsyntax-only $(pkg-config --cflags ohos_eventfd) - <<<'#include <ohos_eventfd.h>'
}
@test "the installed header compiles as C++98 with -pedantic" { compiles c++ -std=c++98 -x c++; }
@test "the installed header compiles as C++11 with -pedantic" { compiles c++ -std=c++11 -x c++; }
@test "the installed header compiles as C11 with -pedantic" { compiles cc -std=c11 -x c; }
