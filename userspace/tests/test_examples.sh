#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The examples run and say where their counter came from.
set -u
. "$(dirname "$0")/tap.sh"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

if oefd_on_device; then
	backend='^counter: /dev/ohos_eventfd$'
	demo_env=()
else
	backend='^counter: native eventfd \(fallback: .*does not exist'
	demo_env=(OHOS_EVENTFD_FALLBACK=1)
fi

env "${demo_env[@]}" "$OEFD_BUILD/examples/demo" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
tap_check "demo exits 0" [ "$rc" -eq 0 ]
tap_check "demo says where its counter is" grep -Eq "$backend" "$out"
tap_check "demo read everything that was written" \
	grep -Eq '^consumer: [0-9]+ reads, total ([0-9]+), expected \1$' "$out"
if oefd_on_device; then
	tap_check "demo prints the counter's statistics" grep -Eq '^stats: writes [0-9]+' "$out"
	"$OEFD_BUILD/examples/demo" --transition >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	tap_check "demo --transition exits 0" [ "$rc" -eq 0 ]
else
	env "${demo_env[@]}" "$OEFD_BUILD/examples/demo" --transition >"$out" 2>&1
	rc=$?
	tap_check "demo --transition refuses a native eventfd" [ "$rc" -eq 1 ]
	tap_check "demo without the fallback names the cause" \
		sh -c "'$OEFD_BUILD/examples/demo' 2>&1 | grep -q 'module is not loaded'"
fi

env "${demo_env[@]}" "$OEFD_BUILD/examples/hello" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
tap_check "hello reads back the 3 it wrote" [ "$rc" -eq 0 -a "$(cut -d' ' -f1-2 "$out")" = "read 3" ]
