#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The examples on the device (with examples.bats).

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

@test "demo prints the counter's statistics" {
	run "$OEFD_BUILD/examples/demo"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -Eq '^stats: writes [0-9]+' <<<"$output"
}

@test "demo --transition exits 0" {
	"$OEFD_BUILD/examples/demo" --transition
}
