#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: the example program of userspace/ against the module in a VM.
# See usage().
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly OEFD_DEMO_CPUS=4

usage() {
	cat <<EOF
usage: scripts/demo.sh 6.1|6.12

Builds userspace/ (make -C userspace) and runs its example,
userspace/build/examples/demo, in a VM booting the series' Debian kernel
with the module loaded and $OEFD_DEMO_CPUS virtual CPUs: one producer thread
per CPU writes to one /dev/ohos_eventfd counter through libohos_eventfd
while the main thread waits for it in epoll and reads it. It runs twice:
with the default wakeup mode (a wakeup per write, as eventfd) and with
--transition (a wakeup only when the count leaves 0); compare the
"wakeups" in the statistics each run prints.
EOF
}

main() {
	local series=${1:-} demo

	case $series in
	-h | --help) usage; exit 0 ;;
	6.1 | 6.12) ;;
	*) usage >&2; oefd_die "give the kernel series: 6.1 or 6.12" ;;
	esac
	cd "$OEFD_TOP"
	demo=$OEFD_TOP/userspace/build/examples/demo

	[ -f userspace/Makefile ] || oefd_die "no userspace/Makefile: the demo is not written yet"
	oefd_need_pkgs make gcc libc6-dev
	oefd_say "demo: building userspace (make -C userspace)"
	make -C userspace -s >&2 || oefd_die "make -C userspace failed"
	[ -x "$demo" ] || oefd_die "make -C userspace did not produce $demo"

	oefd_say "demo: $demo in a $series VM with $OEFD_DEMO_CPUS CPUs, default mode, then --transition"
	# shellcheck disable=SC2016 # expanded by the guest's sh
	"$OEFD_TOP/scripts/vm.sh" run --kernel "$series" --smp "$OEFD_DEMO_CPUS" --timeout 300 -- \
		sh -c 'set -e; for mode in "" --transition; do echo "== demo${mode:+ $mode}"; "$0" $mode; done' \
		"$demo"
}

main "$@"
