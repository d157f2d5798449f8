#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The ABI as built: the shared library exports exactly the functions of
# <ohos_eventfd.h>, each versioned OHOS_EVENTFD_2.0, under SONAME
# libohos_eventfd.so.2; the shim exports only libc's three names; the static
# library defines nothing outside our two prefixes.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

setup() {
	lib=$OEFD_BUILD/libohos_eventfd.so
	header=$OEFD_SRC/include/ohos_eventfd.h
	exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort)
}

@test "every exported symbol is versioned OHOS_EVENTFD_2.0" {
	echo "$exported"
	[ -n "$exported" ]
	run ! grep -v '@@OHOS_EVENTFD_2.0$' <<<"$exported"
	echo "$output"
}

@test "the exported symbols are exactly the header's functions" {
	local declared

	declared=$(grep -oE '\bohos_eventfd[a-z_]*\(' "$header" | tr -d '(' | sort -u)
	diff <(echo "$declared") <(echo "${exported//@@OHOS_EVENTFD_2.0/}")
}

@test "the one version node is OHOS_EVENTFD_2.0" {
	[ "$(nm -D --defined-only "$lib" | awk '$2 == "A" { print $3 }')" = OHOS_EVENTFD_2.0 ]
}

@test "SONAME libohos_eventfd.so.2" {
	readelf -d "$lib" | grep -q 'Library soname: \[libohos_eventfd.so.2\]'
}

@test "libohos_eventfd.so -> .so.2 -> .so.2.0.0" {
	[ "$(readlink "$lib")" = libohos_eventfd.so.2 ]
	[ "$(readlink "$lib.2")" = libohos_eventfd.so.2.0.0 ]
	[ -f "$lib.2.0.0" ]
}

# initial-exec TLS: the message buffer of a dlopen()ed copy is in static TLS,
# so a first failure in a signal handler does not reach __tls_get_addr()
# (which may allocate and take the loader's lock).
@test "the library's TLS is initial-exec (DT_FLAGS STATIC_TLS, no __tls_get_addr)" {
	readelf -d "$lib" | grep -q '(FLAGS).*STATIC_TLS'
	if nm -D --undefined-only "$lib" | grep __tls_get_addr; then
		return 1
	fi
}

@test "the shim exports eventfd, eventfd_read, eventfd_write only" {
	local preload

	preload=$(nm -D --defined-only "$OEFD_PRELOAD" | awk '{ print $3 }' | sort | tr '\n' ' ')
	echo "$preload"
	[ "$preload" = "eventfd eventfd_read eventfd_write " ]
}

@test "the static library defines only ohos_eventfd* and oefd_* globals" {
	local static

	static=$(nm -g --defined-only "$OEFD_BUILD/libohos_eventfd.a" | awk 'NF == 3 { print $3 }')
	[ -n "$static" ]
	run ! grep -vE '^(ohos_eventfd|oefd_)' <<<"$static"
	echo "$output"
}
