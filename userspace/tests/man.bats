#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Man pages: one per public function (a page or a .so link to one), and each
# page formats without a single groff warning. The checks over every
# function and page are one test each, naming what fails (Debian's bats
# 1.8 has no tests generated from data).

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

setup() {
	man=$OEFD_SRC/man
}

@test "every function of ohos_eventfd.h has a man page" {
	local fn status=0

	for fn in $(grep -oE '\bohos_eventfd[a-z_]*\(' "$OEFD_SRC/include/ohos_eventfd.h" | tr -d '(' | sort -u); do
		[ -f "$man/$fn.3" ] || { echo "$fn has no man page"; status=1; }
	done
	[ "$status" -eq 0 ]
}

@test "ohos_eventfd.4 exists" { [ -f "$man/ohos_eventfd.4" ]; }
@test "ohos-eventfd.1 exists" { [ -f "$man/ohos-eventfd.1" ]; }

@test "every .so page links to an existing page" {
	local page link status=0

	for page in "$man"/*.[134]; do
		link=$(sed -n 's/^\.so man[0-9]\///p' "$page")
		[ -z "$link" ] || [ -f "$man/$link" ] || { echo "$(basename "$page"): no $link"; status=1; }
	done
	[ "$status" -eq 0 ]
}

@test "every other page formats without warnings" {
	local page warnings status=0

	for page in "$man"/*.[134]; do
		[ -z "$(sed -n 's/^\.so man[0-9]\///p' "$page")" ] || continue
		warnings=$(LC_ALL=C.UTF-8 groff -man -t -ww -z -K utf8 "$page" 2>&1)
		[ -z "$warnings" ] || { printf '%s: %s\n' "$(basename "$page")" "$warnings"; status=1; }
	done
	[ "$status" -eq 0 ]
}
