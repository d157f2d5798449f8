#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace tests inside the VM, with the module loaded and the host's
# root shared at the same paths: the library, the CLI, the examples and the
# shim against /dev/ohos_eventfd, and glib's own tests under the shim;
# then nothing in dmesg that scripts/lib.sh's pattern calls a kernel
# report. bats, TAP on stdout.
#
# Host side first: userspace/tests/vm-prepare.sh (builds the tests and
# installs libglib2.0-tests and bats, since the VM's root is read-only).
#   scripts/vm.sh run --kernel 6.12 -- userspace/build/tests/run-vm-tests.sh
set -u
cd "$(dirname "$0")" || exit 1
export OHOS_EFD_TEST_DEVICE=1
OEFD_DMESG_BEFORE=$(dmesg 2>/dev/null | wc -l)
export OEFD_DMESG_BEFORE

echo "# kernel $(uname -r), $(nproc) CPUs"
if [ ! -c /dev/ohos_eventfd ] || [ ! -d /sys/module/ohos_eventfd ]; then
	echo "run-vm-tests.sh: the ohos_eventfd module is not loaded or /dev/ohos_eventfd is missing" >&2
	exit 1
fi
exec bats --tap library.bats shim.bats superset.bats 32bit.bats cli.bats \
	cli_device.bats top.bats top_device.bats examples.bats examples_device.bats glib.bats \
	kernel_log.bats
