#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# ohos-eventfd: --help, --version, usage errors, `info`, and `stat`/`watch`
# on a live counter held by fdholder (3 and 4 written to it); what differs
# by mode is in cli_device.bats and cli_fallback.bats.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"
# shellcheck source=cli.bash
. "$BATS_TEST_DIRNAME/cli.bash"

@test "--help exits 0" {
	cli help --help
	[ "$rc" -eq 0 ]
}
@test "--help lists info" { grep -q "^  info" "$work/help.out"; }
@test "--help lists stat PID FD" { grep -q "^  stat PID FD" "$work/help.out"; }
@test "--help lists watch PID FD" { grep -q "^  watch PID FD" "$work/help.out"; }

@test "--version prints the version of ohos_eventfd.pc" {
	local version

	cli version --version
	version=$(PKG_CONFIG_PATH=$OEFD_BUILD pkg-config --modversion ohos_eventfd)
	echo "ohos_eventfd.pc: $version"
	[ "$rc" -eq 0 ]
	[ "$(cat "$work/version.out")" = "ohos-eventfd $version" ]
}

@test "no command: exit 2" {
	cli none
	[ "$rc" -eq 2 ]
}
@test "no command: the usage on stderr" { grep -q '^Usage: ohos-eventfd' "$work/none.err"; }
@test "unknown command: exit 2" {
	cli bogus frobnicate
	[ "$rc" -eq 2 ]
}
@test "unknown command: named on stderr" { grep -q "'frobnicate'" "$work/bogus.err"; }
@test "stat with PID 'abc': exit 2" {
	cli badpid stat abc 3
	[ "$rc" -eq 2 ]
}
@test "stat with PID 'abc': named on stderr" { grep -q "invalid PID 'abc'" "$work/badpid.err"; }

# Numbers are digits only, in range: strtoul() alone takes signs and blanks.
refused_number() {
	cli badnum "$@"
	[ "$rc" -eq 2 ] && grep -q "^ohos-eventfd: invalid " "$work/badnum.err"
}
@test "stat -0 3: exit 2, the number named on stderr" { refused_number stat -0 3; }
@test "stat +1 3: exit 2, the number named on stderr" { refused_number stat +1 3; }
@test "stat \" 1\" 3: exit 2, the number named on stderr" { refused_number stat " 1" 3; }
@test "stat 0 3: exit 2, the number named on stderr" { refused_number stat 0 3; }
@test "stat 1 -1: exit 2, the number named on stderr" { refused_number stat 1 -1; }
@test "stat 1 2147483648: exit 2, the number named on stderr" { refused_number stat 1 2147483648; }
@test "watch 1 3 1 -1: exit 2, the number named on stderr" { refused_number watch 1 3 1 -1; }
@test "watch 1 3 1 -18446744073709551615: exit 2, the number named on stderr" {
	refused_number watch 1 3 1 -18446744073709551615
}
@test "watch 1 3 1 18446744073709551616: exit 2, the number named on stderr" {
	refused_number watch 1 3 1 18446744073709551616
}

@test "fdholder holds a counter" {
	[ -n "${holder_fd:-}" ]
}

@test "stat: exit 0" {
	cli stat stat "$holder_pid" "$holder_fd"
	[ "$rc" -eq 0 ]
}
@test "stat: the fd's target" {
	grep -q "^fd:      /proc/$holder_pid/fd/$holder_fd -> " "$work/stat.out"
}
@test "stat: the fdinfo" { grep -q '^  flags:' "$work/stat.out"; }

@test "stat as another user: exit 1" {
	local denied=0

	command -v setpriv >/dev/null || skip "setpriv is not installed"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$OEFD_CLI" stat "$holder_pid" "$holder_fd" \
		>"$work/denied.out" 2>"$work/denied.err" || denied=$?
	cat "$work/denied.err"
	[ "$denied" -eq 1 ]
}
@test "stat as another user: the path and the error on stderr" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	grep -q "/proc/$holder_pid/fd/$holder_fd: Permission denied" "$work/denied.err"
}

@test "stat of a closed fd: exit 1" {
	cli nofd stat "$holder_pid" 999
	[ "$rc" -eq 1 ]
}
@test "stat of a closed fd: the path and the error on stderr" {
	grep -q "/proc/$holder_pid/fd/999: No such file or directory" "$work/nofd.err"
}

@test "fdholder exits 0" {
	stop_holder
	[ "$(cat "$work/holder.rc")" -eq 0 ]
}
