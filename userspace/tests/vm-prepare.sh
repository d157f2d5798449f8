#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run on the host before run-vm-tests.sh: the VM sees the host's root
# read-only, so what the tests need is built and installed here.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"

# strace: superset.bats counts the device's opens; locales: its de_DE locale;
# gcc-multilib: 32bit.bats; bats runs them all.
oefd_need_pkgs bats libglib2.0-tests python3 util-linux pkg-config gcc g++ make strace locales \
	gcc-multilib
make -C "$top/userspace" -s tests
