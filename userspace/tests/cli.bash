# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2154 # rc is for the tests, work is lib.bash's
# What cli*.bats and top*.bats share: each sources it after lib.bash.
#
# fdholder's counter, with 3 + 4 written to it, lives from setup_file to
# teardown_file: its stdin is a FIFO that a sleep holds open, so that
# any test may write "swap" to it; holder_pid and holder_fd name the fd
# (exported by setup_file, so empty until then). A file that sets
# holder_period_ms starts it with that period: it then also holds paced
# counters, their fds in holder_busy, holder_watched and holder_transition
# (see fdholder.c).
holder_pid=${holder_pid:-}
holder_fd=${holder_fd:-}
holder_busy=${holder_busy:-}
holder_watched=${holder_watched:-}
holder_transition=${holder_transition:-}

# Every file that sources this runs its tests against one holder.
setup_file() {
	start_holder
}

teardown_file() {
	stop_holder
}

# cli NAME ARGS...: run the CLI, output in $work/NAME.out and .err, status in $rc
cli() {
	local name=$1

	shift
	rc=0
	"$OEFD_CLI" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
	case $name in
	help|none) ;;	# the usage: long and checked by the tests
	*) sed "s/^/$name: /" "$work/$name.out" "$work/$name.err" ;;
	esac
}

# Wait up to 30 s for CMD... to succeed.
within_30s() {
	local _

	for _ in $(seq 300); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

start_holder() {
	local w=$BATS_FILE_TMPDIR

	mkfifo "$w/holder.in"
	sleep 3600 >"$w/holder.in" 3>&- &
	echo "$!" >"$w/holder.keeper"
	{
		"$OEFD_TESTS/fdholder" ${holder_period_ms:+"$holder_period_ms"} <"$w/holder.in" \
			>"$w/holder.out" 2>&1
		echo "$?" >"$w/holder.rc"
	} 3>&- &
	within_30s test -s "$w/holder.out" || return 0
	read -r holder_pid holder_fd holder_busy holder_watched holder_transition <"$w/holder.out"
	export holder_pid holder_fd holder_busy holder_watched holder_transition
}

# Close fdholder's stdin: it exits; its status in $BATS_FILE_TMPDIR/holder.rc.
stop_holder() {
	local w=$BATS_FILE_TMPDIR

	[ -f "$w/holder.keeper" ] && kill "$(cat "$w/holder.keeper")" 2>/dev/null
	within_30s test -s "$w/holder.rc"
}
