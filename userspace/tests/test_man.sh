#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Man pages: one per public function (a page or a .so link to one), and each
# page formats without a single groff warning.
set -u
. "$(dirname "$0")/tap.sh"

man=$OEFD_SRC/man
for fn in $(grep -oE '\bohos_eventfd[a-z_]*\(' "$OEFD_SRC/include/ohos_eventfd.h" | tr -d '(' | sort -u); do
	tap_check "$fn has a man page" [ -f "$man/$fn.3" ]
done
for page in ohos_eventfd.4 ohos-eventfd.1; do
	tap_check "$page exists" [ -f "$man/$page" ]
done

for page in "$man"/*.[134]; do
	name=$(basename "$page")
	link=$(sed -n 's/^\.so man[0-9]\///p' "$page")
	if [ -n "$link" ]; then
		tap_check "$name links to an existing page ($link)" [ -f "$man/$link" ]
		continue
	fi
	warnings=$(LC_ALL=C.UTF-8 groff -man -t -ww -z -K utf8 "$page" 2>&1)
	[ -z "$warnings" ] || printf '# %s\n' "${warnings//$'\n'/$'\n'# }"
	tap_check "$name formats without warnings" [ -z "$warnings" ]
done
