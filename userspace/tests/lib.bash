# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034 # the OEFD_* paths are for the .bats files that load this
# What the userspace tests' bats files share: each sources it first.
#
#   work        the file's scratch directory, shared by its tests
#   OEFD_TESTS  this directory (build/tests), OEFD_BUILD (build/),
#   OEFD_SRC    the userspace/ sources
#   OHOS_EFD_TEST_DEVICE=1  counters must come from /dev/ohos_eventfd
#
# bats prints one TAP line per @test; run_ksft nests a kselftest.h
# program's own TAP under it as "# " lines, as the kselftest runner does.
# Every test is bounded: BATS_TEST_TIMEOUT (120 s unless the runner says).

bats_require_minimum_version 1.5.0	# run !

work=$BATS_FILE_TMPDIR
OEFD_TESTS=$(cd "$BATS_TEST_DIRNAME" && pwd)
OEFD_BUILD=$(cd "$OEFD_TESTS/.." && pwd)
OEFD_SRC=$(cd "$OEFD_BUILD/.." && pwd)
OEFD_PRELOAD=$OEFD_BUILD/libohos_eventfd_preload.so
OEFD_CLI=$OEFD_BUILD/ohos-eventfd
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

oefd_on_device() { [ "${OHOS_EFD_TEST_DEVICE:-0}" = 1 ]; }

# run_ksft PROGRAM [ARG...]: its TAP nested in the stream; the test passes
# when it exits 0 having reported at least one result.
run_ksft() {
	local out=$BATS_TEST_TMPDIR/ksft.out rc=0

	"$@" >"$out" 2>&1 || rc=$?
	sed 's/^/# /' "$out" >&3
	[ "$rc" -eq 0 ] || { echo "$1 exited with status $rc"; return 1; }
	grep -qE '^(not )?ok ' "$out" || { echo "$1 reported no result"; return 1; }
}
