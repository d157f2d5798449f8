# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # the OEFD_* paths are for the scripts that source this
# TAP helpers for the userspace tests: sourced, never run.
#
# Test programs and test scripts print "ok - NAME" / "not ok - NAME" (and
# "# ..." diagnostics); tap_run numbers their results into one TAP stream,
# tap_done prints the plan and a "N passed, N failed" line and sets the
# exit status. Scripts check things with tap_check.
#
#   OEFD_TESTS  this directory (build/tests), OEFD_BUILD (build/),
#   OEFD_SRC    the userspace/ sources
#   OHOS_EFD_TEST_DEVICE=1  counters must come from /dev/ohos_eventfd

OEFD_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OEFD_BUILD=$(cd "$OEFD_TESTS/.." && pwd)
OEFD_SRC=$(cd "$OEFD_BUILD/.." && pwd)
OEFD_PRELOAD=$OEFD_BUILD/libohos_eventfd_preload.so
OEFD_CLI=$OEFD_BUILD/ohos-eventfd
# Every program is bounded: a hang fails its test instead of hanging the run
# (OEFD_TEST_TIMEOUT=SECONDS tap_run ... for a longer one).
OEFD_TEST_TIMEOUT=${OEFD_TEST_TIMEOUT:-120}

tap_n=0
tap_passed=0
tap_failed=0
tap_skipped=0

oefd_on_device() { [ "${OHOS_EFD_TEST_DEVICE:-0}" = 1 ]; }

# A script's check: tap_check NAME CMD... passes when CMD succeeds.
tap_check() {
	local name=$1

	shift
	if "$@"; then
		echo "ok - $name"
	else
		echo "not ok - $name"
	fi
}

tap_emit() {
	local status=$1 name=$2

	tap_n=$((tap_n + 1))
	echo "$status $tap_n - $name"
	case "$status $name" in
	"not ok"*) tap_failed=$((tap_failed + 1)) ;;
	*"# SKIP"*) tap_skipped=$((tap_skipped + 1)) ;;
	*) tap_passed=$((tap_passed + 1)) ;;
	esac
}

# tap_run NAME CMD...: run one test program or script, renumber its results.
tap_run() {
	local name=$1 out rc line results=0 failures=0

	shift
	out=$(mktemp)
	timeout --kill-after=10 "$OEFD_TEST_TIMEOUT" "$@" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		# kselftest.h's "ok N name" as the scripts' "ok - name"
		[[ $line =~ ^(not )?ok\ [0-9]+\ (.*)$ ]] &&
			line="${BASH_REMATCH[1]}ok - ${BASH_REMATCH[2]}"
		case $line in
		"ok - "*)
			tap_emit ok "$name: ${line#ok - }"
			results=$((results + 1)) ;;
		"not ok - "*)
			tap_emit "not ok" "$name: ${line#not ok - }"
			results=$((results + 1)) failures=$((failures + 1)) ;;
		"TAP version "* | 1..*) ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <"$out"
	rm -f "$out"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		tap_emit "not ok" "$name: timed out after ${OEFD_TEST_TIMEOUT}s"
	elif [ "$rc" -ne 0 ] && [ "$failures" -eq 0 ]; then
		tap_emit "not ok" "$name: exited with status $rc"
	elif [ "$results" -eq 0 ]; then
		tap_emit "not ok" "$name: reported no result"
	fi
}

tap_done() {
	echo "1..$tap_n"
	echo "$tap_passed passed, $tap_failed failed, $tap_skipped skipped"
	[ "$tap_failed" -eq 0 ] && [ "$tap_n" -gt 0 ]
}

# The tests that run both on the host and in the VM.
oefd_library_tests() {
	tap_run create "$OEFD_TESTS/test_create"
	tap_run rw "$OEFD_TESTS/test_rw"
	tap_run ioctl "$OEFD_TESTS/test_ioctl"
	tap_run factory "$OEFD_TESTS/test_factory"
	tap_run shim "$OEFD_TESTS/test_shim.sh"
	tap_run superset "$OEFD_TESTS/test_superset.sh"
	tap_run 32bit "$OEFD_TESTS/test_32bit.sh"
	tap_run cli "$OEFD_TESTS/test_cli.sh"
	tap_run examples "$OEFD_TESTS/test_examples.sh"
}
