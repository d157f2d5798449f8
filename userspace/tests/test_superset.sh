#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The shim as a strict superset of glibc's eventfd(): superset_probe runs
# each scenario without the shim (glibc's eventfd on this system, the
# reference) and under it, and the outputs must be the same: cancellation,
# a signal handler calling eventfd(), a fork child handler calling it,
# errno after success, one free fd, a node the user may not open, a node
# of another driver, getenv() calls (none per eventfd()). Then what has no
# glibc twin: the device is opened at
# most once for many eventfd() calls (strace), dlopen/dlclose cycles leave
# at most one factory, the shim and the library share one, and a program
# with file capabilities under an /etc/ld.so.preload of the shim ignores
# OHOS_EVENTFD_PRELOAD_LOG (secure_getenv).
#
# The factory's own code runs without the module against a stand-in (as
# root, in a mount namespace): /dev/ohos_eventfd and a fake
# /sys/class/misc/ohos_eventfd/dev name /dev/net/tun (10:200), and
# tun_create.so (or factory_race, which links it) answers CREATE for it;
# factory_race also runs with that sysfs file unreadable or unparsable.
set -u
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
probe=$OEFD_TESTS/superset_probe
library=$OEFD_BUILD/libohos_eventfd.so.2
factories=$(oefd_on_device && echo 1 || echo 0)

# same_as_glibc NAME [WRAPPER...] -- ARGS...: the probe's output and status
# under the shim equal those without it. $shim_preload is what the shim
# run preloads (the shim, after the CREATE stand-in in a stand-in run).
shim_preload=$OEFD_PRELOAD
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
	"${wrapper[@]}" env LD_PRELOAD="$shim_preload" "$probe" "$@" >"$work/$name.shim" 2>&1
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
# With the log variable set, as a test or a user would: read once, not per call.
same_as_glibc getenv env OHOS_EVENTFD_PRELOAD_LOG="$work/getenv.log" -- getenv

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

# with_node NODE CMD...: CMD in a mount namespace whose /dev is a tmpfs with
# null, zero, net/tun and /dev/ohos_eventfd = NODE ("major:minor", or none),
# and whose /sys/class/misc/ohos_eventfd/dev says 10:200 (tun's number), or
# $OEFD_SYSFS_DEV, with mode $OEFD_SYSFS_MODE (0444).
with_node() {
	# shellcheck disable=SC2016 # expanded by that sh
	unshare -m --propagation private sh -c '
		node=$1
		shift
		mount -t tmpfs -o mode=0755 tmpfs /dev && mkdir /dev/net &&
		mknod -m 0666 /dev/null c 1 3 && mknod -m 0666 /dev/zero c 1 5 &&
		mknod -m 0666 /dev/net/tun c 10 200 &&
		{ [ "$node" = none ] || mknod -m 0666 /dev/ohos_eventfd c "${node%:*}" "${node#*:}"; } &&
		mount -t tmpfs -o mode=0755 tmpfs /sys/class/misc &&
		mkdir /sys/class/misc/ohos_eventfd &&
		echo "${OEFD_SYSFS_DEV:-10:200}" >/sys/class/misc/ohos_eventfd/dev &&
		chmod "${OEFD_SYSFS_MODE:-0444}" /sys/class/misc/ohos_eventfd/dev &&
		exec "$@"' sh "$@"
}
standin_skip=
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	standin_skip="needs root and mount namespaces"
elif [ "$(stat -c %t:%T /dev/net/tun 2>/dev/null)" != a:c8 ]; then
	standin_skip="no /dev/net/tun (10:200) to stand in for the device"
fi
standin_tests="onefd10: one free fd (10) with a factory
node: a node of another driver (/dev/zero)
factory_race aba, ebadf, orphan, onefd, stale, recheck, full, owned
factory_race sysfs: the sysfs number refused (EACCES) or unparsable (ENODEV)"
if [ -z "$standin_skip" ]; then
	# A node of /dev/zero, which answers CREATE with ENOTTY: never a counter.
	same_as_glibc node with_node 1:5 -- counter
	shim_preload="$OEFD_TESTS/tun_create.so $OEFD_PRELOAD"
	same_as_glibc onefd10 with_node 10:200 -- onefd10
	shim_preload=$OEFD_PRELOAD
	for scenario in aba ebadf orphan onefd stale recheck full owned; do
		with_node 10:200 "$OEFD_TESTS/factory_race" "$scenario" ||
			echo "not ok - factory_race $scenario exited with status $?"
	done
	# Unreadable (mode 0000, read as uid 65534), then no "major:minor" in it.
	OEFD_SYSFS_MODE=0000 with_node 10:200 \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$OEFD_TESTS/factory_race" sysfs EACCES ||
		echo "not ok - factory_race sysfs EACCES exited with status $?"
	OEFD_SYSFS_DEV=garbage with_node 10:200 "$OEFD_TESTS/factory_race" sysfs ENODEV ||
		echo "not ok - factory_race sysfs ENODEV exited with status $?"
else
	while IFS= read -r line; do
		echo "ok - $line # SKIP $standin_skip"
	done <<<"$standin_tests"
fi

if command -v strace >/dev/null; then
	# Once, and again at most once per second when the device was not there
	# (ohos_eventfd(3)): at most 1 + the seconds the run spans.
	start=$(date +%s)
	strace -f -qq -e trace=openat -o "$work/trace" -E LD_PRELOAD="$OEFD_PRELOAD" \
		"$probe" loop >"$work/loop.out" 2>&1
	most=$((1 + $(date +%s) - start + 1))
	opens=$(grep -c "\"/dev/ohos_eventfd\"" "$work/trace")
	sed 's/^/# loop: /' "$work/loop.out"
	tap_check "100 eventfd() under the shim: none failed" grep -qx "100 eventfd(): 0 failed" "$work/loop.out"
	tap_check "100 eventfd() under the shim open /dev/ohos_eventfd at most once, or once a second ($opens, at most $most)" \
		[ "$opens" -le "$most" ]
else
	echo "ok - opens of the device under the shim # SKIP strace is not installed"
fi

# The limits ohos_eventfd(3) documents: names are unversioned, so a lookup by
# libc's version, or in libc's own handle, finds libc's eventfd(). The
# version is eventfd's default version node in the libc the probe runs with.
libc=$(ldd "$probe" | awk '$1 == "libc.so.6" { print $3 }')
version=$(readelf -W --dyn-syms "$libc" 2>/dev/null | awk '$NF ~ /^eventfd@@/ { sub(/.*@@/, "", $NF); print $NF }')
if [ -n "$version" ]; then
	LD_PRELOAD=$OEFD_PRELOAD "$probe" lookups "$version" >"$work/lookups.out" 2>&1
	sed 's/^/# lookups: /' "$work/lookups.out"
	printf '%s\n' "dlsym(RTLD_DEFAULT): shim" "dlsym(RTLD_NEXT): shim" "dlsym(libc's handle): libc" \
		"dlvsym(RTLD_DEFAULT, libc's version): libc" >"$work/lookups.documented"
	# The probe without the shim finds libc's by that version: the version is right.
	tap_check "lookups of eventfd under the shim find what ohos_eventfd(3) says ($version, from $libc)" \
		sh -c "cmp -s '$work/lookups.out' '$work/lookups.documented' &&
			'$probe' lookups '$version' | grep -qx \"dlvsym(RTLD_DEFAULT, libc's version): libc\""
else
	echo "ok - lookups of eventfd under the shim # SKIP no eventfd@@VERSION in ${libc:-libc.so.6} (readelf)"
fi

"$probe" dlopen "$library" >"$work/dlopen.out" 2>&1
sed 's/^/# dlopen: /' "$work/dlopen.out"
tap_check "100 dlopen/dlclose cycles of the library leave $factories factory fd" \
	grep -q "^100 dlopen/ohos_eventfd()/dlclose cycles: 0 failed, $factories fds of" "$work/dlopen.out"

LD_PRELOAD=$OEFD_PRELOAD "$probe" both "$library" >"$work/both.out" 2>&1
sed 's/^/# both: /' "$work/both.out"
tap_check "the shim and the library loaded together: $factories factory fd" \
	grep -qx "fds of /dev/ohos_eventfd open: $factories" "$work/both.out"

# OHOS_EVENTFD_PRELOAD_LOG in a secure-execution program (AT_SECURE: here file
# capabilities, as for set-user-ID): the shim reaches it only through
# /etc/ld.so.preload, and it must not append to a file its caller names. As
# root, in a mount namespace whose /etc is an overlay holding that file (the
# library listed first: the shim's $ORIGIN run path is ignored there); a
# copy of the probe without capabilities must log, or the check proves
# nothing.
secure=$work/secure
if [ "$(id -u)" -eq 0 ] && command -v setcap >/dev/null && mkdir "$secure" &&
	cp "$probe" "$secure/plain" && cp "$probe" "$secure/capped" &&
	setcap cap_net_bind_service+ep "$secure/capped" 2>/dev/null &&
	chmod 711 "$work" && chmod 755 "$secure" && : >"$secure/plain.log" && : >"$secure/capped.log" &&
	chmod 666 "$secure/plain.log" "$secure/capped.log"; then
	# shellcheck disable=SC2016 # expanded by that sh
	unshare -m --propagation private sh -c '
		dir=$1 library=$2 shim=$3
		mkdir "$dir/ov" && mount -t tmpfs tmpfs "$dir/ov" && mkdir "$dir/ov/u" "$dir/ov/w" &&
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/ov/u,workdir=$dir/ov/w" /etc &&
		printf "%s\n%s\n" "$library" "$shim" >/etc/ld.so.preload || exit 2
		for p in plain capped; do
			setpriv --reuid=65534 --regid=65534 --clear-groups \
				env OHOS_EVENTFD_PRELOAD_LOG="$dir/$p.log" "$dir/$p" basic || exit 1
		done' sh "$secure" "$library" "$OEFD_PRELOAD" >"$work/secure.out" 2>&1
	rc=$?
	sed 's/^/# secure: /' "$work/secure.out"
	if [ "$rc" -eq 2 ]; then
		echo "ok - the log in a secure-execution program # SKIP no overlay of /etc in a mount namespace"
	else
		tap_check "secure: both probes ran under the preloaded shim" [ "$rc" -eq 0 ]
		tap_check "secure: without capabilities the shim logs ($(wc -l <"$secure/plain.log") line)" \
			grep -q 'eventfd(0, 0x80000) = ' "$secure/plain.log"
		tap_check "secure: with file capabilities (AT_SECURE) it ignores OHOS_EVENTFD_PRELOAD_LOG ($(wc -l <"$secure/capped.log") lines)" \
			[ ! -s "$secure/capped.log" ]
	fi
else
	echo "ok - the log in a secure-execution program # SKIP needs root and setcap"
fi
