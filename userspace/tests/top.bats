#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# ohos-eventfd top, in both modes: --help, usage errors, a process that is
# gone, the --once format, terminals and not, processes not readable; what
# it shows of counters is in top_device.bats and top_fallback.bats. Its own
# fdholder (cli.bash), as each file's: the cli*.bats files stay short.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"
# shellcheck source=cli.bash
. "$BATS_TEST_DIRNAME/cli.bash"

@test "--help lists top" {
	cli help --help
	grep -qF "  top [-p PID[,PID...]] [-d SECONDS] [-n COUNT] [--once]" "$work/help.out"
}

# refused_top MESSAGE ARG...: top's usage errors exit 2, MESSAGE on stderr.
refused_top() {
	local message=$1

	shift
	cli badtop top "$@"
	[ "$rc" -eq 2 ] && grep -qxF "ohos-eventfd: $message" "$work/badtop.err"
}
@test "top -x: exit 2, named on stderr" { refused_top "top: unknown option '-x' (see --help)" -x; }
@test "top --bogus: exit 2, named on stderr" {
	refused_top "top: unknown option '--bogus' (see --help)" --bogus
}
@test "top -d: exit 2, needs an argument" {
	refused_top "top: option '-d' needs an argument (see --help)" -d
}
@test "top -d 0: exit 2, as watch" { refused_top "invalid SECONDS '0' (0.01 to 3600)" -d 0; }
@test "top -d 1x: exit 2, as watch" { refused_top "invalid SECONDS '1x' (0.01 to 3600)" -d 1x; }
@test "top -n -1: exit 2" { refused_top "invalid COUNT '-1'" -n -1; }
@test "top -p 0: exit 2" { refused_top "invalid PID '0'" -p 0; }
@test "top -p 1,,2: exit 2" { refused_top "invalid PID ''" -p 1,,2; }
@test "top 1: exit 2, no arguments" { refused_top "top: unexpected argument '1' (see --help)" 1; }

@test "top -p of a process that is gone: exit 1, naming it on stderr" {
	local gone

	true &
	gone=$!
	wait "$gone"
	cli gone top --once -p "1,$gone"
	[ "$rc" -eq 1 ]
	grep -qx "ohos-eventfd: process $gone: No such process" "$work/gone.err"
}

# The --once format: this header, then one row per counter.
top_header='PID FD ID MODE COUNT WRITES/s FAST% WAKEUPS/s COALESCED/s RINGS COMMAND'

@test "top --once: exit 0, the header first" {
	cli once top --once -d 0.05 -p "$holder_pid"
	[ "$rc" -eq 0 ]
	[ "$(head -n 1 "$work/once.out" | tr -s ' ' | sed 's/^ //')" = "$top_header" ]
}
@test "top -n 2 off a terminal: two tables a blank line apart, no control codes" {
	cli twice top -n 2 -d 0.05 -p "$holder_pid"
	[ "$rc" -eq 0 ]
	[ "$(grep -c ' COALESCED/s ' "$work/twice.out")" -eq 2 ]
	[ "$(grep -c '^$' "$work/twice.out")" -eq 1 ]
	[ "$(grep -c $'\e' "$work/twice.out")" -eq 0 ]
}

# top COMMAND... on a terminal (script(1)'s), the session in $work/NAME.tty
top_on_tty() {
	local name=$1

	shift
	command -v script >/dev/null || skip "script is not installed"
	script -qec "$OEFD_CLI top $*" /dev/null </dev/null >"$work/$name.tty"
	cat -v "$work/$name.tty"
}
@test "top -n 2 on a terminal: each table after ANSI home and clear" {
	top_on_tty live -n 2 -d 0.05 -p "$holder_pid"
	[ "$(grep -o $'\e\\[H\e\\[2J *PID ' "$work/live.tty" | wc -l)" -eq 2 ]
}
@test "top --once on a terminal: no control codes" {
	top_on_tty once --once -d 0.05 -p "$holder_pid"
	grep -q ' COALESCED/s ' "$work/once.tty"
	[ "$(grep -c $'\e' "$work/once.tty")" -eq 0 ]
}

@test "top as another user: the holder counted as not readable, on stderr with --once" {
	local status=0

	command -v setpriv >/dev/null || skip "setpriv is not installed"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$OEFD_CLI" top --once -d 0.05 \
		-p "$holder_pid" >"$work/unreadable.out" 2>"$work/unreadable.err" || status=$?
	cat "$work/unreadable.out" "$work/unreadable.err"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$work/unreadable.out")" -eq 1 ]
	grep -qx '1 process not readable: run as root or as their user' "$work/unreadable.err"
}
