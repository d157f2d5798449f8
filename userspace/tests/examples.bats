#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The examples run and say where their counter came from; the checks of
# one mode are in examples_device.bats and examples_fallback.bats.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

setup_file() {
	local demo_env=() rc=0

	oefd_on_device || demo_env=(OHOS_EVENTFD_FALLBACK=1)
	# demo once; the first three tests read what it printed
	env "${demo_env[@]}" "$OEFD_BUILD/examples/demo" >"$BATS_FILE_TMPDIR/demo.out" 2>&1 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/demo.rc"
}

setup() {
	out=$BATS_FILE_TMPDIR/demo.out
	if oefd_on_device; then
		backend='^counter: /dev/ohos_eventfd$'
		demo_env=()
	else
		backend='^counter: native eventfd \(fallback: .*does not exist'
		demo_env=(OHOS_EVENTFD_FALLBACK=1)
	fi
}

@test "demo exits 0" {
	cat "$out"
	[ "$(cat "$BATS_FILE_TMPDIR/demo.rc")" -eq 0 ]
}

@test "demo says where its counter is" {
	grep -Eq "$backend" "$out"
}

@test "demo read everything that was written" {
	grep -Eq '^consumer: [0-9]+ reads, total ([0-9]+), expected \1$' "$out"
}

@test "hello reads back the 3 it wrote" {
	run env "${demo_env[@]}" "$OEFD_BUILD/examples/hello"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cut -d' ' -f1-2 <<<"$output")" = "read 3" ]
}
