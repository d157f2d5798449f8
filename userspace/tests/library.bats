#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The library's test programs (kselftest.h): each one's checks nested
# under its line, host and VM alike.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

@test "create" {
	run_ksft "$OEFD_TESTS/test_create"
}

@test "rw" {
	run_ksft "$OEFD_TESTS/test_rw"
}

@test "ioctl" {
	run_ksft "$OEFD_TESTS/test_ioctl"
}

@test "factory" {
	run_ksft "$OEFD_TESTS/test_factory"
}
