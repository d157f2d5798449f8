#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The shim as a strict superset of glibc's eventfd(): superset_probe runs
# each scenario without the shim (glibc's eventfd on this system, the
# reference) and under it, and the outputs must be the same: cancellation,
# a signal handler calling eventfd(), a fork child handler calling it,
# errno after success, one free fd, a node the user may not open. Then
# what has no glibc twin: the device is opened at most once for many
# eventfd() calls (strace), dlopen/dlclose cycles leave at most one
# factory, and the shim and the library share one.
set -u
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
probe=$OEFD_TESTS/superset_probe
library=$OEFD_BUILD/libohos_eventfd.so.2
factories=$(oefd_on_device && echo 1 || echo 0)

# same_as_glibc NAME [WRAPPER...] -- ARGS...: the probe's output and status
# under the shim equal those without it.
same_as_glibc() {
	local name=$1 wrapper=() rc_native rc_shim

	shift
	while [ "$1" != -- ]; do
		wrapper+=("$1")
		shift
	done
	shift
	"${wrapper[@]}" env "$probe" "$@" >"$work/$name.native" 2>&1
	rc_native=$?
	"${wrapper[@]}" env LD_PRELOAD="$OEFD_PRELOAD" "$probe" "$@" >"$work/$name.shim" 2>&1
	rc_shim=$?
	sed "s/^/# $name, glibc: /" "$work/$name.native"
	diff "$work/$name.native" "$work/$name.shim" | sed -n "s/^> /# $name, under the shim: /p"
	tap_check "$name: under the shim as with glibc's eventfd (exit $rc_native, $rc_shim)" \
		cmp -s "$work/$name.native" "$work/$name.shim"
	tap_check "$name: the probe ran to the end" [ "$rc_native" -eq 0 -a "$rc_shim" -eq 0 ]
}

same_as_glibc cancel -- cancel
same_as_glibc signal -- signal
same_as_glibc atfork -- atfork
same_as_glibc errno -- errno
same_as_glibc onefd -- onefd

# A translated locale, built here: strerror() then goes through gettext, which allocates.
if localedef -i de_DE -f UTF-8 "$work/de_DE.UTF-8" >/dev/null 2>&1; then
	same_as_glibc malloc env LOCPATH="$work" LC_ALL=de_DE.UTF-8 LANGUAGE=de -- malloc
else
	echo "ok - malloc: failures allocate nothing # SKIP localedef cannot build de_DE.UTF-8"
fi

# A node of mode 0600 that uid 65534 may not open, in a private /dev: the
# device's own numbers when it is there, else /dev/null's (any driver).
node=1:3
[ -r /sys/class/misc/ohos_eventfd/dev ] && node=$(cat /sys/class/misc/ohos_eventfd/dev)
as_nobody_with_0600_node() {
	# shellcheck disable=SC2016 # expanded by that sh
	unshare -m --propagation private sh -c '
		node=$1
		shift
		mount -t tmpfs -o mode=0755 tmpfs /dev &&
		mknod -m 0600 /dev/ohos_eventfd c "${node%:*}" "${node#*:}" &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "$node" "$@"
}
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	same_as_glibc permission as_nobody_with_0600_node -- basic
else
	echo "ok - permission: a 0600 node as uid 65534 # SKIP needs root and mount namespaces"
fi

if command -v strace >/dev/null; then
	strace -f -qq -e trace=openat -o "$work/trace" -E LD_PRELOAD="$OEFD_PRELOAD" \
		"$probe" loop >"$work/loop.out" 2>&1
	opens=$(grep -c "\"/dev/ohos_eventfd\"" "$work/trace")
	sed 's/^/# loop: /' "$work/loop.out"
	tap_check "100 eventfd() under the shim: none failed" grep -qx "100 eventfd(): 0 failed" "$work/loop.out"
	tap_check "100 eventfd() under the shim open /dev/ohos_eventfd at most once ($opens)" [ "$opens" -le 1 ]
else
	echo "ok - opens of the device under the shim # SKIP strace is not installed"
fi

# The limits ohos_eventfd(3) documents: names are unversioned, so a lookup by
# libc's version, or in libc's own handle, finds libc's eventfd().
LD_PRELOAD=$OEFD_PRELOAD "$probe" lookups >"$work/lookups.out" 2>&1
sed 's/^/# lookups: /' "$work/lookups.out"
printf '%s\n' "dlsym(RTLD_DEFAULT): shim" "dlsym(RTLD_NEXT): shim" "dlsym(libc's handle): libc" \
	"dlvsym(RTLD_DEFAULT, libc's version): libc" >"$work/lookups.documented"
tap_check "lookups of eventfd under the shim find what ohos_eventfd(3) says" \
	cmp -s "$work/lookups.out" "$work/lookups.documented"

"$probe" dlopen "$library" >"$work/dlopen.out" 2>&1
sed 's/^/# dlopen: /' "$work/dlopen.out"
tap_check "100 dlopen/dlclose cycles of the library leave $factories factory fd" \
	grep -q "^100 dlopen/ohos_eventfd()/dlclose cycles: 0 failed, $factories fds of" "$work/dlopen.out"

LD_PRELOAD=$OEFD_PRELOAD "$probe" both "$library" >"$work/both.out" 2>&1
sed 's/^/# both: /' "$work/both.out"
tap_check "the shim and the library loaded together: $factories factory fd" \
	grep -qx "fds of /dev/ohos_eventfd open: $factories" "$work/both.out"
