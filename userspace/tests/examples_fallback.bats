#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The examples without the device, through the fallback (with examples.bats).

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

@test "demo --transition refuses a native eventfd" {
	run env OHOS_EVENTFD_FALLBACK=1 "$OEFD_BUILD/examples/demo" --transition
	echo "$output"
	[ "$status" -eq 1 ]
}

@test "demo without the fallback names the cause" {
	"$OEFD_BUILD/examples/demo" 2>&1 | grep -q 'module is not loaded'
}
