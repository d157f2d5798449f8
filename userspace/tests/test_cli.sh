#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ohos-eventfd: --help, --version, usage errors, `info`, and `stat`/`watch`
# on a live counter held by fdholder (3 and 4 written to it).
set -u
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
holder_pid=
cleanup() {
	[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# cli NAME ARGS...: run the CLI, output in $work/NAME.out and .err, status in $rc
cli() {
	local name=$1

	shift
	"$OEFD_CLI" "$@" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	case $name in
	help|none) ;;	# the usage: long and checked below
	*) sed "s/^/# $name: /" "$work/$name.out" "$work/$name.err" ;;
	esac
}

cli help --help
tap_check "--help exits 0" [ "$rc" -eq 0 ]
for command in info 'stat PID FD' 'watch PID FD'; do
	tap_check "--help lists $command" grep -q "^  $command" "$work/help.out"
done

cli version --version
version=$(PKG_CONFIG_PATH=$OEFD_BUILD pkg-config --modversion ohos_eventfd)
tap_check "--version prints the version of ohos_eventfd.pc ($version)" \
	[ "$rc" -eq 0 -a "$(cat "$work/version.out")" = "ohos-eventfd $version" ]

cli none
tap_check "no command: exit 2" [ "$rc" -eq 2 ]
tap_check "no command: the usage on stderr" grep -q '^Usage: ohos-eventfd' "$work/none.err"
cli bogus frobnicate
tap_check "unknown command: exit 2" [ "$rc" -eq 2 ]
tap_check "unknown command: named on stderr" grep -q "'frobnicate'" "$work/bogus.err"
cli badpid stat abc 3
tap_check "stat with PID 'abc': exit 2" [ "$rc" -eq 2 ]
tap_check "stat with PID 'abc': named on stderr" grep -q "invalid PID 'abc'" "$work/badpid.err"

# Numbers are digits only, in range: strtoul() alone takes signs and blanks.
refused_number() { [ "$rc" -eq 2 ] && grep -q "^ohos-eventfd: invalid " "$work/badnum.err"; }
for args in 'stat -0 3' 'stat +1 3' 'stat " 1" 3' 'stat 0 3' 'stat 1 -1' 'stat 1 2147483648' \
	'watch 1 3 1 -1' 'watch 1 3 1 -18446744073709551615' 'watch 1 3 1 18446744073709551616'; do
	eval "cli badnum $args"
	tap_check "$args: exit 2, the number named on stderr" refused_number
done

cli info info
if oefd_on_device; then
	node=$(stat -c '%t %T' /dev/ohos_eventfd)
	node=$(printf '%d:%d' "0x${node% *}" "0x${node#* }")
	tap_check "info: exit 0 with the module loaded" [ "$rc" -eq 0 ]
	tap_check "info: module loaded" grep -q '^module:  loaded' "$work/info.out"
	tap_check "info: the node's numbers ($node) and mode" \
		grep -Eq "^device:  /dev/ohos_eventfd crw-rw-rw- .* $node\$" "$work/info.out"
	tap_check "info: sysfs agrees ($node)" grep -q "^sysfs: .* $node\$" "$work/info.out"
	tap_check "info: a counter can be created" grep -q '^open:    ok' "$work/info.out"
else
	tap_check "info: exit 1 without the module" [ "$rc" -eq 1 ]
	tap_check "info: module not loaded" grep -q '^module:  not loaded' "$work/info.out"
	tap_check "info: open failed, naming the cause" \
		grep -q '^open:    failed: /dev/ohos_eventfd does not exist' "$work/info.out"
fi

# fdholder's counter, with 3 + 4 written to it; it lives until its stdin closes.
coproc holder { exec "$OEFD_TESTS/fdholder"; }
# shellcheck disable=SC2154 # holder_PID is set by coproc
holder_pid=$holder_PID
read -r -t 30 pid fd <&"${holder[0]}"
tap_check "fdholder holds a counter" [ -n "${fd:-}" ]

cli stat stat "$pid" "$fd"
tap_check "stat: exit 0" [ "$rc" -eq 0 ]
tap_check "stat: the fd's target" grep -q "^fd:      /proc/$pid/fd/$fd -> " "$work/stat.out"
tap_check "stat: the fdinfo" grep -q '^  flags:' "$work/stat.out"
if oefd_on_device; then
	tap_check "stat: the fd is an anonymous counter" \
		grep -qF "/proc/$pid/fd/$fd -> anon_inode:[ohos_eventfd]" "$work/stat.out"
	tap_check "stat: count 7" grep -qx 'count:   7' "$work/stat.out"
	tap_check "stat: 2 writes, 0 reads" grep -q '^stats:   writes 2 reads 0 ' "$work/stat.out"
	cli watch watch "$pid" "$fd" 0.05 2
	tap_check "watch 0.05 2: exit 0, a header and two lines with count 7" \
		[ "$rc" -eq 0 -a "$(awk 'NR > 1 { print $1 }' "$work/watch.out" | tr '\n' ' ')" = "7 7 " ]
else
	tap_check "stat: the native eventfd's count 7 in its fdinfo" \
		grep -Eq '^  eventfd-count: +7$' "$work/stat.out"
	tap_check "stat: says it is not ours" grep -qx 'counter: not an ohos_eventfd counter' "$work/stat.out"
	cli watch watch "$pid" "$fd" 0.05 2
	tap_check "watch: exit 1 on a native eventfd" [ "$rc" -eq 1 ]
fi

if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$OEFD_CLI" stat "$pid" "$fd" \
		>"$work/denied.out" 2>"$work/denied.err"
	rc=$?
	sed 's/^/# denied: /' "$work/denied.err"
	tap_check "stat as another user: exit 1" [ "$rc" -eq 1 ]
	tap_check "stat as another user: the path and the error on stderr" \
		grep -q "/proc/$pid/fd/$fd: Permission denied" "$work/denied.err"
else
	echo "ok - stat as another user # SKIP setpriv is not installed"
fi

cli nofd stat "$pid" 999
tap_check "stat of a closed fd: exit 1" [ "$rc" -eq 1 ]
tap_check "stat of a closed fd: the path and the error on stderr" \
	grep -q "/proc/$pid/fd/999: No such file or directory" "$work/nofd.err"

# Another counter put at the watched fd (all share one anonymous inode):
# watch sees that the file changed and stops, instead of watching its copy.
if oefd_on_device; then
	timeout 30 "$OEFD_CLI" watch "$pid" "$fd" 0.05 >"$work/swap.out" 2>&1 &
	watch_pid=$!
	for _ in $(seq 300); do
		[ -s "$work/swap.out" ] && break	# a line printed: watch holds its copy
		sleep 0.1
	done
	echo swap >&"${holder[1]}"
	read -r -t 30 answer <&"${holder[0]}"
	wait "$watch_pid"
	rc=$?
	sed 's/^/# swap: /' "$work/swap.out"
	tap_check "fdholder put a new counter at fd $fd" [ "${answer:-}" = swapped ]
	tap_check "watch stops when another counter takes the fd (exit $rc, 0 expected)" [ "$rc" -eq 0 ]
fi

# shellcheck disable=SC1083,SC2093 # closes the coprocess's stdin, bash 4.3+
exec {holder[1]}>&-
wait "$holder_pid"
tap_check "fdholder exits 0" [ $? -eq 0 ]
holder_pid=
