#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace tests inside the VM, with the module loaded and the host's
# root shared at the same paths: the library, the CLI, the examples and the
# shim against /dev/ohos_eventfd, and glib's own tests under the shim. TAP.
#
# Host side first: userspace/tests/vm-prepare.sh (builds userspace/ and
# installs libglib2.0-tests, since the VM's root is read-only).
#   scripts/vm.sh run --kernel 6.12 -- userspace/build/tests/run-vm-tests.sh
set -u
. "$(dirname "$0")/tap.sh"
# shellcheck source=../../scripts/lib.sh
. "$OEFD_SRC/../scripts/lib.sh"
export OHOS_EFD_TEST_DEVICE=1

echo "# kernel $(uname -r), $(nproc) CPUs"
if [ ! -c /dev/ohos_eventfd ] || [ ! -d /sys/module/ohos_eventfd ]; then
	tap_emit "not ok" "the ohos_eventfd module is loaded and /dev/ohos_eventfd exists"
	tap_done
	exit 1
fi
dmesg_before=$(dmesg 2>/dev/null | wc -l)
oefd_library_tests
OEFD_TEST_TIMEOUT=900 tap_run glib "$OEFD_TESTS/test_glib.sh"

# Anything the kernel said while we ran that a test must never cause.
reports=$(dmesg 2>/dev/null | tail -n +"$((dmesg_before + 1))" |
	grep -E "$OEFD_KERNEL_REPORT_RE")
[ -z "$reports" ] || printf '# dmesg: %s\n' "${reports//$'\n'/$'\n'# dmesg: }"
tap_emit "$([ -z "$reports" ] && echo ok || echo 'not ok')" "no kernel warning, oops or lockdep report during the tests"
tap_done
