#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# ohos-eventfd top without the module (with top.bats): fdholder's native
# eventfd is no counter of ours.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"
# shellcheck source=cli.bash
. "$BATS_TEST_DIRNAME/cli.bash"

@test "top: no row for a native eventfd" {
	cli top top --once -d 0.05 -p "$holder_pid"
	[ "$rc" -eq 0 ]
	[ "$(wc -l <"$work/top.out")" -eq 1 ]
}
