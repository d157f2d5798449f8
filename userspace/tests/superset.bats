#!/usr/bin/env bats
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

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

setup() {
	probe=$OEFD_TESTS/superset_probe
	library=$OEFD_BUILD/libohos_eventfd.so.2
	factories=$(oefd_on_device && echo 1 || echo 0)
	# what the shim run preloads: the shim, after the CREATE stand-in in a stand-in run
	shim_preload=$OEFD_PRELOAD
}

# same_as_glibc NAME [WRAPPER...] -- ARGS...: the probe's output under the
# shim equals its output without it; both exit statuses go to $work/NAME.rc
# for probe_ran_to_the_end NAME, the scenario's second test.
same_as_glibc() {
	local name=$1 wrapper=() rc_native=0 rc_shim=0

	shift
	while [ "$1" != -- ]; do
		wrapper+=("$1")
		shift
	done
	shift
	"${wrapper[@]}" env "$probe" "$@" >"$work/$name.native" 2>&1 || rc_native=$?
	"${wrapper[@]}" env LD_PRELOAD="$shim_preload" "$probe" "$@" >"$work/$name.shim" 2>&1 || rc_shim=$?
	echo "$rc_native $rc_shim" >"$work/$name.rc"
	echo "exit $rc_native without the shim, $rc_shim under it"
	sed "s/^/$name, glibc: /" "$work/$name.native"
	diff "$work/$name.native" "$work/$name.shim" | sed -n "s/^> /$name, under the shim: /p"
	cmp -s "$work/$name.native" "$work/$name.shim"
}

probe_ran_to_the_end() {
	cat "$work/$1.rc"
	[ "$(cat "$work/$1.rc")" = "0 0" ]
}

@test "cancel: under the shim as with glibc's eventfd" { same_as_glibc cancel -- cancel; }
@test "cancel: the probe ran to the end" { probe_ran_to_the_end cancel; }
@test "signal: under the shim as with glibc's eventfd" { same_as_glibc signal -- signal; }
@test "signal: the probe ran to the end" { probe_ran_to_the_end signal; }
@test "atfork: under the shim as with glibc's eventfd" { same_as_glibc atfork -- atfork; }
@test "atfork: the probe ran to the end" { probe_ran_to_the_end atfork; }
@test "errno: under the shim as with glibc's eventfd" { same_as_glibc errno -- errno; }
@test "errno: the probe ran to the end" { probe_ran_to_the_end errno; }
@test "onefd: under the shim as with glibc's eventfd" { same_as_glibc onefd -- onefd; }
@test "onefd: the probe ran to the end" { probe_ran_to_the_end onefd; }

# With the log variable set, as a test or a user would: read once, not per call.
@test "getenv: under the shim as with glibc's eventfd" {
	same_as_glibc getenv env OHOS_EVENTFD_PRELOAD_LOG="$work/getenv.log" -- getenv
}
@test "getenv: the probe ran to the end" { probe_ran_to_the_end getenv; }

# A translated locale, built here: strerror() then goes through gettext, which allocates.
needs_de_locale() {
	[ -d "$work/de_DE.UTF-8" ] || localedef -i de_DE -f UTF-8 "$work/de_DE.UTF-8" >/dev/null 2>&1 ||
		skip "localedef cannot build de_DE.UTF-8"
}
@test "malloc: under the shim as with glibc's eventfd" {
	needs_de_locale
	same_as_glibc malloc env LOCPATH="$work" LC_ALL=de_DE.UTF-8 LANGUAGE=de -- malloc
}
@test "malloc: the probe ran to the end" {
	needs_de_locale
	probe_ran_to_the_end malloc
}

needs_root_and_namespaces() {
	if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
		skip "needs root and mount namespaces"
	fi
}

# A node of mode 0600 that uid 65534 may not open, in a private /dev: the
# device's own numbers when it is there, else /dev/null's (any driver).
as_nobody_with_0600_node() {
	local node=1:3

	[ -r /sys/class/misc/ohos_eventfd/dev ] && node=$(cat /sys/class/misc/ohos_eventfd/dev)
	# shellcheck disable=SC2016 # expanded by that sh
	unshare -m --propagation private sh -c '
		node=$1
		shift
		mount -t tmpfs -o mode=0755 tmpfs /dev &&
		mknod -m 0600 /dev/ohos_eventfd c "${node%:*}" "${node#*:}" &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"' sh "$node" "$@"
}
@test "permission: under the shim as with glibc's eventfd" {
	needs_root_and_namespaces
	same_as_glibc permission as_nobody_with_0600_node -- basic
}
@test "permission: the probe ran to the end" {
	needs_root_and_namespaces
	probe_ran_to_the_end permission
}

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
needs_standin() {
	needs_root_and_namespaces
	[ "$(stat -c %t:%T /dev/net/tun 2>/dev/null)" = a:c8 ] ||
		skip "no /dev/net/tun (10:200) to stand in for the device"
}

# A node of /dev/zero, which answers CREATE with ENOTTY: never a counter.
@test "node: a node of another driver (/dev/zero), under the shim as with glibc's eventfd" {
	needs_standin
	same_as_glibc node with_node 1:5 -- counter
}
@test "node: the probe ran to the end" {
	needs_standin
	probe_ran_to_the_end node
}
@test "onefd10: one free fd (10) with a factory, under the shim as with glibc's eventfd" {
	needs_standin
	shim_preload="$OEFD_TESTS/tun_create.so $OEFD_PRELOAD"
	same_as_glibc onefd10 with_node 10:200 -- onefd10
}
@test "onefd10: the probe ran to the end" {
	needs_standin
	probe_ran_to_the_end onefd10
}

@test "factory_race aba, ebadf, orphan, onefd, stale, recheck, full, owned" {
	local scenario status=0

	needs_standin
	for scenario in aba ebadf orphan onefd stale recheck full owned; do
		run_ksft with_node 10:200 "$OEFD_TESTS/factory_race" "$scenario" || status=1
	done
	[ "$status" -eq 0 ]
}

# Unreadable (mode 0000, read as uid 65534), then no "major:minor" in it.
@test "factory_race sysfs: the sysfs number refused (EACCES) or unparsable (ENODEV)" {
	local status=0

	needs_standin
	OEFD_SYSFS_MODE=0000 run_ksft with_node 10:200 \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$OEFD_TESTS/factory_race" sysfs EACCES ||
		status=1
	OEFD_SYSFS_DEV=garbage run_ksft with_node 10:200 "$OEFD_TESTS/factory_race" sysfs ENODEV ||
		status=1
	[ "$status" -eq 0 ]
}

# Once, and again at most once per second when the device was not there
# (ohos_eventfd(3)): at most 1 + the seconds the run spans.
needs_strace() {
	command -v strace >/dev/null || skip "strace is not installed"
}
@test "100 eventfd() under the shim: none failed" {
	local start

	needs_strace
	start=$(date +%s)
	strace -f -qq -e trace=openat -o "$work/trace" -E LD_PRELOAD="$OEFD_PRELOAD" \
		"$probe" loop >"$work/loop.out" 2>&1
	echo "$((1 + $(date +%s) - start + 1))" >"$work/loop.most"
	cat "$work/loop.out"
	grep -qx "100 eventfd(): 0 failed" "$work/loop.out"
}
@test "100 eventfd() under the shim open /dev/ohos_eventfd at most once, or once a second" {
	local opens most

	needs_strace
	opens=$(grep -c "\"/dev/ohos_eventfd\"" "$work/trace")
	most=$(cat "$work/loop.most")
	echo "$opens opens, at most $most"
	[ "$opens" -le "$most" ]
}

# The limits ohos_eventfd(3) documents: names are unversioned, so a lookup by
# libc's version, or in libc's own handle, finds libc's eventfd(). The
# version is eventfd's default version node in the libc the probe runs with.
@test "lookups of eventfd under the shim find what ohos_eventfd(3) says" {
	local libc version

	libc=$(ldd "$probe" | awk '$1 == "libc.so.6" { print $3 }')
	version=$(readelf -W --dyn-syms "$libc" 2>/dev/null |
		  awk '$NF ~ /^eventfd@@/ { sub(/.*@@/, "", $NF); print $NF }')
	[ -n "$version" ] || skip "no eventfd@@VERSION in ${libc:-libc.so.6} (readelf)"
	echo "eventfd@@$version, from $libc"
	LD_PRELOAD=$OEFD_PRELOAD "$probe" lookups "$version" >"$work/lookups.out" 2>&1
	cat "$work/lookups.out"
	printf '%s\n' "dlsym(RTLD_DEFAULT): shim" "dlsym(RTLD_NEXT): shim" "dlsym(libc's handle): libc" \
		"dlvsym(RTLD_DEFAULT, libc's version): libc" >"$work/lookups.documented"
	cmp -s "$work/lookups.out" "$work/lookups.documented"
	# The probe without the shim finds libc's by that version: the version is right.
	"$probe" lookups "$version" | grep -qx "dlvsym(RTLD_DEFAULT, libc's version): libc"
}

@test "100 dlopen/dlclose cycles of the library leave the factory fds the mode has (1 on the device, else 0)" {
	"$probe" dlopen "$library" >"$work/dlopen.out" 2>&1
	cat "$work/dlopen.out"
	grep -q "^100 dlopen/ohos_eventfd()/dlclose cycles: 0 failed, $factories fds of" "$work/dlopen.out"
}

@test "the shim and the library loaded together: the factory fds the mode has" {
	LD_PRELOAD=$OEFD_PRELOAD "$probe" both "$library" >"$work/both.out" 2>&1
	cat "$work/both.out"
	grep -qx "fds of /dev/ohos_eventfd open: $factories" "$work/both.out"
}

# OHOS_EVENTFD_PRELOAD_LOG in a secure-execution program (AT_SECURE: here file
# capabilities, as for set-user-ID): the shim reaches it only through
# /etc/ld.so.preload, and it must not append to a file its caller names. As
# root, in a mount namespace whose /etc is an overlay holding that file (the
# library listed first: the shim's $ORIGIN run path is ignored there); a
# copy of the probe without capabilities must log, or the check proves
# nothing. The first test runs both; the next two read their logs.
needs_secure() {
	[ -f "$work/secure.rc" ] || skip "needs root and setcap"
	[ "$(cat "$work/secure.rc")" -ne 2 ] || skip "no overlay of /etc in a mount namespace"
}
secure_log() {
	echo "$(cat "$work/secure.dir")/$1.log"
}
@test "secure: both probes ran under the preloaded shim" {
	local rc=0 secure

	# a directory uid 65534 can reach (bats's own are private)
	secure=$(mktemp -d)
	echo "$secure" >"$work/secure.dir"
	[ "$(id -u)" -eq 0 ] && command -v setcap >/dev/null &&
		cp "$probe" "$secure/plain" && cp "$probe" "$secure/capped" &&
		setcap cap_net_bind_service+ep "$secure/capped" 2>/dev/null &&
		chmod 755 "$secure" && : >"$secure/plain.log" &&
		: >"$secure/capped.log" && chmod 666 "$secure/plain.log" "$secure/capped.log" ||
		skip "needs root and setcap"
	# shellcheck disable=SC2016 # expanded by that sh
	unshare -m --propagation private sh -c '
		dir=$1 library=$2 shim=$3
		mkdir "$dir/ov" && mount -t tmpfs tmpfs "$dir/ov" && mkdir "$dir/ov/u" "$dir/ov/w" &&
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$dir/ov/u,workdir=$dir/ov/w" /etc &&
		printf "%s\n%s\n" "$library" "$shim" >/etc/ld.so.preload || exit 2
		for p in plain capped; do
			setpriv --reuid=65534 --regid=65534 --clear-groups \
				env OHOS_EVENTFD_PRELOAD_LOG="$dir/$p.log" "$dir/$p" basic || exit 1
		done' sh "$secure" "$library" "$OEFD_PRELOAD" >"$work/secure.out" 2>&1 || rc=$?
	echo "$rc" >"$work/secure.rc"
	cat "$work/secure.out"
	needs_secure
	[ "$rc" -eq 0 ]
}
@test "secure: without capabilities the shim logs" {
	needs_secure
	cat "$(secure_log plain)"
	grep -q 'eventfd(0, 0x80000) = ' "$(secure_log plain)"
}
@test "secure: with file capabilities (AT_SECURE) it ignores OHOS_EVENTFD_PRELOAD_LOG" {
	needs_secure
	cat "$(secure_log capped)"
	[ ! -s "$(secure_log capped)" ]
}

teardown_file() {
	[ ! -f "$BATS_FILE_TMPDIR/secure.dir" ] || rm -rf "$(cat "$BATS_FILE_TMPDIR/secure.dir")"
}
