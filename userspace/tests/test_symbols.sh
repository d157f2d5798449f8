#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ABI as built: the shared library exports exactly the functions of
# <ohos_eventfd.h>, each versioned OHOS_EVENTFD_2.0, under SONAME
# libohos_eventfd.so.2; the shim exports only libc's three names; the static
# library defines nothing outside our two prefixes.
set -u
. "$(dirname "$0")/tap.sh"

lib=$OEFD_BUILD/libohos_eventfd.so
header=$OEFD_SRC/include/ohos_eventfd.h

declared=$(grep -oE '\bohos_eventfd[a-z_]*\(' "$header" | tr -d '(' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort)
echo "# declared: ${declared//$'\n'/ }"

tap_check "every exported symbol is versioned OHOS_EVENTFD_2.0" \
	[ -n "$exported" -a -z "$(grep -v '@@OHOS_EVENTFD_2.0$' <<<"$exported")" ]
tap_check "the exported symbols are exactly the header's functions" \
	[ "${exported//@@OHOS_EVENTFD_2.0/}" = "$declared" ]
tap_check "the one version node is OHOS_EVENTFD_2.0" \
	[ "$(nm -D --defined-only "$lib" | awk '$2 == "A" { print $3 }')" = OHOS_EVENTFD_2.0 ]
tap_check "SONAME libohos_eventfd.so.2" \
	sh -c "readelf -d '$lib' | grep -q 'Library soname: \[libohos_eventfd.so.2\]'"
tap_check "libohos_eventfd.so -> .so.2 -> .so.2.0.0" \
	[ "$(readlink "$lib")" = libohos_eventfd.so.2 -a \
	  "$(readlink "$lib.2")" = libohos_eventfd.so.2.0.0 -a -f "$lib.2.0.0" ]

# initial-exec TLS: the message buffer of a dlopen()ed copy is in static TLS,
# so a first failure in a signal handler does not reach __tls_get_addr()
# (which may allocate and take the loader's lock).
tap_check "the library's TLS is initial-exec (DT_FLAGS STATIC_TLS, no __tls_get_addr)" \
	sh -c "readelf -d '$lib' | grep -q '(FLAGS).*STATIC_TLS' &&
		! nm -D --undefined-only '$lib' | grep -q __tls_get_addr"

preload=$(nm -D --defined-only "$OEFD_PRELOAD" | awk '{ print $3 }' | sort | tr '\n' ' ')
tap_check "the shim exports eventfd, eventfd_read, eventfd_write only ($preload)" \
	[ "$preload" = "eventfd eventfd_read eventfd_write " ]

static=$(nm -g --defined-only "$OEFD_BUILD/libohos_eventfd.a" | awk 'NF == 3 { print $3 }')
tap_check "the static library defines only ohos_eventfd* and oefd_* globals" \
	[ -n "$static" -a -z "$(grep -vE '^(ohos_eventfd|oefd_)' <<<"$static")" ]
