#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace tests on this machine (`make -C userspace check`): bats,
# TAP on stdout. Without the module, counters come from the explicit
# native fallback; where the module is loaded, from the device, as in the VM.
set -u
cd "$(dirname "$0")" || exit 1
# shellcheck source=../../scripts/lib.sh
. ../../../scripts/lib.sh
oefd_need_pkgs bats

if [ -d /sys/module/ohos_eventfd ]; then
	export OHOS_EFD_TEST_DEVICE=1
	mode=device
	echo "# ohos_eventfd is loaded: testing against /dev/ohos_eventfd"
else
	mode=fallback
	echo "# ohos_eventfd is not loaded: testing the native fallback"
fi
exec bats --tap library.bats shim.bats superset.bats 32bit.bats cli.bats "cli_$mode.bats" \
	top.bats "top_$mode.bats" examples.bats "examples_$mode.bats" glib.bats symbols.bats \
	install.bats man.bats
