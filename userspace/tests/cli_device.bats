#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# ohos-eventfd with the module loaded (with cli.bats): `info`, and `stat`
# and `watch` on the device's counter that fdholder holds.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"
# shellcheck source=cli.bash
. "$BATS_TEST_DIRNAME/cli.bash"

device_node() {
	local node

	node=$(stat -c '%t %T' /dev/ohos_eventfd)
	printf '%d:%d' "0x${node% *}" "0x${node#* }"
}

@test "info: exit 0 with the module loaded" {
	cli info info
	[ "$rc" -eq 0 ]
}
@test "info: module loaded" { grep -q '^module:  loaded' "$work/info.out"; }
@test "info: the node's numbers and mode" {
	grep -Eq "^device:  /dev/ohos_eventfd crw-rw-rw- .* $(device_node)\$" "$work/info.out"
}
@test "info: sysfs agrees" { grep -q "^sysfs: .* $(device_node)\$" "$work/info.out"; }
@test "info: a counter can be created" { grep -q '^open:    ok' "$work/info.out"; }

@test "stat: the fd is an anonymous counter" {
	cli stat stat "$holder_pid" "$holder_fd"
	grep -qF "/proc/$holder_pid/fd/$holder_fd -> anon_inode:[ohos_eventfd]" "$work/stat.out"
}
@test "stat: count 7" { grep -qx 'count:   7' "$work/stat.out"; }
@test "stat: 2 writes, 0 reads" { grep -q '^stats:   writes 2 reads 0 ' "$work/stat.out"; }
@test "watch 0.05 2: exit 0, a header and two lines with count 7" {
	cli watch watch "$holder_pid" "$holder_fd" 0.05 2
	[ "$rc" -eq 0 ]
	[ "$(awk 'NR > 1 { print $1 }' "$work/watch.out" | tr '\n' ' ')" = "7 7 " ]
}

# Another counter put at the watched fd (all share one anonymous inode):
# watch sees that the file changed and stops, instead of watching its copy.
@test "fdholder put a new counter at the watched fd" {
	{
		rc=0
		timeout 30 "$OEFD_CLI" watch "$holder_pid" "$holder_fd" 0.05 >"$work/swap.out" 2>&1 || rc=$?
		echo "$rc" >"$work/swap.rc"
	} 3>&- &
	within_30s test -s "$work/swap.out"	# a line printed: watch holds its copy
	echo swap >"$work/holder.in"
	within_30s grep -qx swapped "$work/holder.out"
}
@test "watch stops when another counter takes the fd (exit 0)" {
	within_30s test -s "$work/swap.rc"
	cat "$work/swap.out"
	[ "$(cat "$work/swap.rc")" -eq 0 ]
}
