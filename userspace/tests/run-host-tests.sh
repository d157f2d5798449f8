#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace tests on this machine (`make -C userspace check`), TAP.
# Without the module, counters come from the explicit native fallback;
# where the module is loaded, from the device, as in the VM.
set -u
. "$(dirname "$0")/tap.sh"

if [ -d /sys/module/ohos_eventfd ]; then
	export OHOS_EFD_TEST_DEVICE=1
	echo "# ohos_eventfd is loaded: testing against /dev/ohos_eventfd"
else
	echo "# ohos_eventfd is not loaded: testing the native fallback"
fi
oefd_library_tests
tap_run glib "$OEFD_TESTS/test_glib.sh"
tap_run symbols "$OEFD_TESTS/test_symbols.sh"
tap_run install "$OEFD_TESTS/test_install.sh"
tap_run man "$OEFD_TESTS/test_man.sh"
tap_done
