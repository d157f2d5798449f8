#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# ohos-eventfd top with the module loaded (with top.bats), on fdholder's
# counters: the one with 7 in it and three it writes to every 10 ms (one
# nobody waits on, one in an epoll set never waited on, one in transition
# mode); then the same fd's counter reopened and swapped under a running top.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"
# shellcheck source=cli.bash
. "$BATS_TEST_DIRNAME/cli.bash"
holder_period_ms=10

# top_row FILE FD: the fields of the row of the holder's fd FD in top's output FILE
top_row() {
	awk -v pid="$holder_pid" -v fd="$2" 'NR > 1 && $1 == pid && $2 == fd' "$1"
}

# fdinfo_of FD KEY: the value of line KEY in the fdinfo of the holder's fd FD
fdinfo_of() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$holder_pid/fdinfo/$1"
}

# Is the number $1 greater than 0?
positive() { awk -v x="$1" 'BEGIN { exit !(x > 0) }'; }

# Columns of a row, from 0: PID FD ID MODE COUNT WRITES/s FAST% WAKEUPS/s
# COALESCED/s RINGS COMMAND; the row read into $row.
top_fields() {
	read -r -a row <<<"$(top_row "$@")"
	echo "fd $2: ${row[*]}"
	[ "${#row[@]}" -eq 11 ]
}

@test "top --once -p PID -d 0.5: exit 0, a row for each of the holder's counters" {
	local fd

	cli top top --once -p "$holder_pid" -d 0.5
	[ "$rc" -eq 0 ]
	for fd in "$holder_fd" "$holder_busy" "$holder_watched" "$holder_transition"; do
		[ -n "$(top_row "$work/top.out" "$fd")" ]
	done
}
@test "top: the idle counter: fdinfo's id and rings, exact, count 7, no writes" {
	top_fields "$work/top.out" "$holder_fd"
	[ "${row[2]}" = "$(fdinfo_of "$holder_fd" eventfd-id)" ]
	[ "${row[3]}" = exact ]
	[ "${row[4]}" = 7 ]
	[ "${row[5]}" = 0.0 ]
	[ "${row[6]}" = - ]	# FAST%: no writes to share out
	[ "${row[7]}" = 0.0 ]
	[ "${row[8]}" = 0.0 ]
	[ "${row[9]}" = "$(fdinfo_of "$holder_fd" ohos_eventfd-rings)" ]
	[ "${row[10]}" = fdholder ]
}
@test "top: the busy counter: exact, written, FAST% from 0 to 100, nobody to wake" {
	top_fields "$work/top.out" "$holder_busy"
	[ "${row[2]}" = "$(fdinfo_of "$holder_busy" eventfd-id)" ]
	[ "${row[3]}" = exact ]
	positive "${row[4]}"
	positive "${row[5]}"
	[ "${row[6]}" -ge 0 ] && [ "${row[6]}" -le 100 ]
	[ "${row[7]}" = 0.0 ]
	[ "${row[8]}" = 0.0 ]
}
@test "top: the counter in an uncollected epoll set: writes coalesced, no wakeup" {
	top_fields "$work/top.out" "$holder_watched"
	positive "${row[5]}"
	[ "${row[7]}" = 0.0 ]
	positive "${row[8]}"
}
@test "top: the transition-mode counter: its mode, written" {
	top_fields "$work/top.out" "$holder_transition"
	[ "${row[3]}" = transition ]
	positive "${row[5]}"
}
@test "top: rows by writes/s, highest first" {
	awk 'NR > 1 { r = $6 == "-" ? -1 : $6 + 0; if (NR > 2 && r > last) bad = 1; last = r }
	     END { exit bad }' "$work/top.out"
}
@test "top --once of every process lists the holder's counters" {
	cli all top --once -d 0.5
	[ "$rc" -eq 0 ]
	top_fields "$work/all.out" "$holder_watched"
	[ "${row[2]}" = "$(fdinfo_of "$holder_watched" eventfd-id)" ]
	positive "${row[8]}"
}

# top_live NAME: top -p holder every 0.2 s into $work/NAME.live, in the
# background (its PID in $top_pid), until its first table is out.
top_live() {
	"$OEFD_CLI" top -d 0.2 -n 100 -p "$holder_pid" >"$work/$1.live" 3>&- &
	top_pid=$!
	within_30s grep -q '^$' "$work/$1.live"	# a second table begun: the first is out
}

# top_tables NAME COLUMN: a word per table of $work/NAME.live, the value
# in COLUMN (from 1) of the row of the holder's fd, '-' appended when the
# row has no WRITES/s
top_tables() {
	awk -v pid="$holder_pid" -v fd="$holder_fd" -v col="$2" '
		$1 == pid && $2 == fd { printf "%s%s ", $col, $6 == "-" ? "-" : "" }' "$work/$1.live"
}

# top_rated NAME COLUMN VALUE: is the last table's word VALUE, with rates?
top_rated() { [[ " $(top_tables "$1" "$2")" =~ \ $3\ $ ]]; }

# Ids are reused, as eventfd's: a counter closed and replaced at its fd
# likely gets the same id. Its totals (0 writes, the old one's 2) tell it
# apart: no rates in its first table either, the count 0 from then on.
@test "top: a counter reopened at its fd, likely with its id, has rates from its second table" {
	local old new tables top_pid

	old=$(fdinfo_of "$holder_fd" eventfd-id)
	top_live reopen
	echo reopen >"$work/holder.in"
	within_30s grep -qx reopened "$work/holder.out"
	new=$(fdinfo_of "$holder_fd" eventfd-id)
	within_30s top_rated reopen 5 0
	kill "$top_pid"
	wait "$top_pid" || true
	tables=$(top_tables reopen 5)
	echo "id $old, then $new; counts: $tables"
	[[ $tables =~ ^(7\ )+0-\ (0\ )+$ ]]
}

# A new counter put at the fd (fdholder's swap), with another id: its
# first row has no rates yet ('-'), the next ones have; the counter it
# replaced is gone from then on.
# fd_swapped ID: is another counter than ID at the holder's fd?
fd_swapped() { [ "$(fdinfo_of "$holder_fd" eventfd-id)" != "$1" ]; }

@test "top: a new counter at an fd has rates from its second table; the old one is dropped" {
	local old new tables top_pid

	old=$(fdinfo_of "$holder_fd" eventfd-id)
	top_live swap
	echo swap >"$work/holder.in"
	within_30s fd_swapped "$old"
	new=$(fdinfo_of "$holder_fd" eventfd-id)
	within_30s top_rated swap 3 "$new"
	kill "$top_pid"
	wait "$top_pid" || true
	tables=$(top_tables swap 3)
	echo "id $old, then $new; ids: $tables"
	[[ $tables =~ ^($old\ )+$new-\ ($new\ )+$ ]]
}

@test "fdholder exits 0 (its paced writes all succeeded)" {
	stop_holder
	[ "$(cat "$work/holder.rc")" -eq 0 ]
}
