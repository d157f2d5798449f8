#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# In the VM, last: anything the kernel said while the tests ran that a
# test must never cause (scripts/lib.sh's one pattern of kernel reports),
# from dmesg line OEFD_DMESG_BEFORE on (run-vm-tests.sh counts them).

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

@test "no kernel warning, oops or lockdep report during the tests" {
	local reports

	# shellcheck source=../../scripts/lib.sh
	. "$OEFD_SRC/../scripts/lib.sh"
	reports=$(dmesg | tail -n +"$((${OEFD_DMESG_BEFORE:-0} + 1))" | grep -E "$OEFD_KERNEL_REPORT_RE") || true
	echo "$reports"
	[ -z "$reports" ]
}
