#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM tests of one kernel series: the kselftests (selftests/, run by the
# kernel's kselftest runner), then the userspace tests, each in a fresh VM
# through scripts/vm.sh. See usage().
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/selftests.sh 6.1|6.12

Builds the selftests on this machine (make -C selftests: one program per
subject, on the kernel's lib.mk) and runs them all with the kernel's
kselftest runner (make -C selftests run_tests, as upstream runs its own) in
a VM booting the series' Debian kernel with the module and the test-only
in-kernel consumer (selftests/kconsumer, built by scripts/build-module.sh
--consumer) loaded. Then, when userspace/ provides them, prepares the
userspace VM tests on this machine (userspace/tests/vm-prepare.sh) and runs
userspace/build/tests/run-vm-tests.sh in a second VM.

stdout: the TAP of both runs, each after a "# <suite> on <series>" line
(the runner's: one result per program, each program's own TAP before it,
as "# " lines); progress goes to stderr. Exit status: 0 when every run
passed, else 1.
EOF
}

# kselftest's per-program time limit, plus time for the VM to boot: the
# programs together take a fraction of it, and one that hangs fails the
# run either way.
selftest_timeout() {
	local limit

	limit=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$OEFD_TOP/selftests/settings" 2>/dev/null)
	printf '%s\n' "$((${limit:-600} + 60))"
}

# run_in_vm SERIES NAME TIMEOUT [VM.SH OPTION...] -- CMD [ARG...]
run_in_vm() {
	local series=$1 name=$2 timeout=$3

	shift 3
	printf '# %s on %s\n' "$name" "$series"
	oefd_say "selftests: $name in the $series VM"
	"$OEFD_TOP/scripts/vm.sh" run --kernel "$series" --timeout "$timeout" "$@"
}

# Every selftest program, run by the kernel's runner (lib.mk's run_tests,
# the tree's own kselftest/runner.sh), with the consumer module loaded
# beside ours for core_test.
run_kselftests() {
	local series=$1 ksft=$2 ko extra status=0

	ko=$("$OEFD_TOP/scripts/build-module.sh" "$series" --consumer) ||
		oefd_die "cannot build the consumer module for $series"
	extra=$(mktemp -d)
	cp "$ko" "$extra/ohos_eventfd_consumer.ko"
	# shellcheck disable=SC2016 # $0 and $1 are expanded by that sh
	run_in_vm "$series" kselftests "$(selftest_timeout)" --extra "$extra" -- \
		sh -c 'insmod /extra/ohos_eventfd_consumer.ko &&
		       exec make -s -C "$0" run_tests KSFT_DIR="$1"' \
		"$OEFD_TOP/selftests" "$ksft" | tee "$extra.tap" || status=1
	# The runner exits 0 whatever the programs did: its results say.
	grep -q '^not ok ' "$extra.tap" && status=1
	rm -rf "$extra" "$extra.tap"
	return "$status"
}

main() {
	local series=${1:-} status=0 ksft

	case $series in
	-h | --help) usage; exit 0 ;;
	6.1 | 6.12) ;;
	*) usage >&2; oefd_die "give the kernel series: 6.1 or 6.12" ;;
	esac
	cd "$OEFD_TOP"

	oefd_need_pkgs make gcc libc6-dev
	ksft=$(oefd_linux_src)/tools/testing/selftests
	oefd_say "selftests: building (make -C selftests)"
	make -C selftests KSFT_DIR="$ksft" >&2 || oefd_die "make -C selftests failed"
	run_kselftests "$series" "$ksft" || status=1

	if [ -x userspace/tests/vm-prepare.sh ]; then
		oefd_say "selftests: preparing the userspace VM tests (userspace/tests/vm-prepare.sh)"
		userspace/tests/vm-prepare.sh >&2 || oefd_die "userspace/tests/vm-prepare.sh failed"
	fi
	if [ -x userspace/build/tests/run-vm-tests.sh ]; then
		run_in_vm "$series" "userspace tests" 600 -- \
			"$OEFD_TOP/userspace/build/tests/run-vm-tests.sh" || status=1
	else
		oefd_say "selftests: no userspace/build/tests/run-vm-tests.sh: userspace VM tests not run"
	fi
	return "$status"
}

main "$@"
