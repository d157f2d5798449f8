#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# ohos-eventfd without the module (with cli.bats): `info`, and `stat` and
# `watch` on the native eventfd that fdholder holds.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"
# shellcheck source=cli.bash
. "$BATS_TEST_DIRNAME/cli.bash"

@test "info: exit 1 without the module" {
	cli info info
	[ "$rc" -eq 1 ]
}
@test "info: module not loaded" { grep -q '^module:  not loaded' "$work/info.out"; }
@test "info: open failed, naming the cause" {
	grep -q '^open:    failed: /dev/ohos_eventfd does not exist' "$work/info.out"
}

@test "stat: the native eventfd's count 7 in its fdinfo" {
	cli stat stat "$holder_pid" "$holder_fd"
	grep -Eq '^  eventfd-count: +7$' "$work/stat.out"
}
@test "stat: says it is not ours" { grep -qx 'counter: not an ohos_eventfd counter' "$work/stat.out"; }
@test "watch: exit 1 on a native eventfd" {
	cli watch watch "$holder_pid" "$holder_fd" 0.05 2
	[ "$rc" -eq 1 ]
}
