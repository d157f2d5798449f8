#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the KUnit suites of kunit/ with kunit.py: under UML (the default),
# with lockdep, DEBUG_ATOMIC_SLEEP and KASAN (kunit/.kunitconfig); or, with
# --arch x86_64, on an SMP kernel in qemu with 4 vCPUs under multi-threaded
# TCG, with KCSAN, lockdep and DEBUG_ATOMIC_SLEEP (kunit/x86_64.kunitconfig),
# where the concurrency suite runs on parallel CPUs.
#
# stdout: the KTAP of the run as kunit.py extracts it from the kernel log,
# failure messages and any kernel report printed during the run included.
# Each test case is one line at exactly four spaces of indent: count
# /^    ok / (with a "# SKIP" directive: skipped) and /^    not ok /; the
# unindented ok/not ok lines are the suites, one per suite.
# stderr: progress lines; the full kernel log is kept in the cache.
#
# Exit status: 0 when every case passed or was skipped, the kernel log holds
# no lockdep, KASAN, KCSAN, WARNING, BUG, Oops, panic or hung task report,
# and (UML only) the suite builds as a module out of tree without
# warnings; 1 otherwise; 2 for a usage error.

set -eo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [--help] [--arch um|x86_64] [GLOB]

Build a kernel from linux-source-$OEFD_SRC_SERIES with this repository linked in
as drivers/misc/ohos_eventfd and run its KUnit suites (kunit/), KTAP on stdout.
GLOB limits the run to matching suites[.cases] (default: ohos_eventfd*).

--arch um (default): UML, one CPU, with lockdep and KASAN
  (kunit/.kunitconfig); also builds the suite as a module out of tree.
--arch x86_64: qemu with 4 vCPUs (multi-threaded TCG), with KCSAN and
  lockdep (kunit/x86_64.kunitconfig); the concurrency suite
  (ohos_eventfd_smp) and the watchpoint-staged one (ohos_eventfd_staged)
  run only here, UML skips them.

The build directories live in the cache ($(oefd_cache)/kunit/build-ARCH),
so reruns are incremental: a first build costs about 12 CPU-minutes for UML;
for x86_64 (KCSAN), extraction, build and run took 8 minutes on 2 idle
cores; a rebuild after editing the module or the suite under a minute.
EOF
}

arch=um
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--arch) [ $# -ge 2 ] || { usage >&2; exit 2; }; arch=$2; shift 2 ;;
	--arch=*) arch=${1#--arch=}; shift ;;
	--) shift; break ;;
	-*) usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || { usage >&2; exit 2; }
filter_glob=${1:-ohos_eventfd*}

# What a UML build with kunit.py executes (traced with strace -e execve over
# a full build): gcc, cc1, as, ld, make, flex, bison, bc, python3 for
# kunit.py, and essential tools (coreutils, sed, grep, awk, find, cmp,
# flock). libc6-dev (host headers and crt files) is only a Recommends of gcc.
# No perl, libelf or openssl: UML has no objtool and no module signing.
# x86_64 adds objtool (libelf) and qemu, whose data package has qboot.rom.
cache=$(oefd_cache)
work=$cache/kunit
case $arch in
um)
	oefd_need_pkgs gcc libc6-dev binutils make flex bison bc python3
	kunitconfig=$OEFD_TOP/kunit/.kunitconfig
	logs=$work
	run_args=(--timeout=300)
	;;
x86_64)
	oefd_need_pkgs gcc libc6-dev binutils make flex bison bc python3 \
		libelf-dev qemu-system-x86
	kunitconfig=$OEFD_TOP/kunit/x86_64.kunitconfig
	logs=$work/x86_64
	# 4 vCPUs, one host thread each (multi-threaded TCG, qemu's default
	# for x86 on x86, spelled out): KCSAN catches a race only when its
	# watchpoint's delay overlaps another CPU's access, which
	# single-threaded TCG, switching vCPUs every ~100 ms, almost never
	# does. TCG without KVM under KCSAN is slow: a longer timeout.
	run_args=(--timeout=900 "--qemu_args=-smp 4 -accel tcg,thread=multi")
	;;
*)
	usage >&2
	exit 2
	;;
esac
build=$work/build-$arch
log=$logs/kernel.log
mkdir -p "$logs"

# One run at a time: the kernel tree's link and the build directory are shared.
exec 9>"$work/lock"
if ! flock -n 9; then
	oefd_say "kunit: waiting for another run to finish (lock $work/lock)"
	flock 9
fi

tree=$(oefd_linux_src)
kunit_py=$tree/tools/testing/kunit/kunit.py

[ -f "$OEFD_TOP/module/Kbuild" ] ||
	oefd_die "kunit: $OEFD_TOP/module/Kbuild is missing: the suite needs the module's sources"

# Bring the repository into the tree: one symlink, one Kconfig line, one
# Makefile line, all idempotent and harmless to the tree's other users
# (checkpatch.pl, kselftest headers), which never build the kernel.
link_into_tree() {
	local misc=$tree/drivers/misc
	local kconfig_line='source "drivers/misc/ohos_eventfd/kunit/Kconfig"'
	local make_line='obj-y				+= ohos_eventfd/module/ ohos_eventfd/kunit/'

	ln -sfn "$OEFD_TOP" "$misc/ohos_eventfd"
	if ! grep -qxF "$kconfig_line" "$misc/Kconfig"; then
		# inside the "Misc devices" menu, before its closing endmenu
		sed -i "\$s|^endmenu\$|$kconfig_line\nendmenu|" "$misc/Kconfig"
		grep -qxF "$kconfig_line" "$misc/Kconfig" ||
			oefd_die "kunit: cannot add the source line to $misc/Kconfig"
	fi
	grep -qxF "$make_line" "$misc/Makefile" ||
		printf '%s\n' "$make_line" >>"$misc/Makefile"
}

# KCSAN in strict mode reports the timer code's own races (hrtimer_wakeup /
# schedule_hrtimeout_range_clock, __hrtimer_run_queues / hrtimer_active,
# the timekeeper's latch) in about half the x86_64 boots, under our
# kthreads' sleeps and timers. Leave kernel/time/ uninstrumented, as
# upstream leaves kernel/sched/ and kernel/trace/: our own accesses stay
# instrumented, and a race between them and the kernel's is still reported
# from our side. Idempotent; it changes nothing in a build without KCSAN.
quiet_kcsan_in_timers() {
	local mk=$tree/kernel/time/Makefile
	local mark='# ohos_eventfd scripts/kunit.sh: quiet_kcsan_in_timers'

	# make keeps the blanks before a same-line comment in the value
	grep -qxF "$mark" "$mk" || printf '%s\nKCSAN_SANITIZE := n\n' "$mark" >>"$mk"
}

# Make decides on timestamps, and two kinds of sources can be older than
# objects built before them: a re-extracted tree (tar keeps the package's
# file times), so start over; another checkout behind the same symlink, so
# drop the objects built from ours.
forget_stale_objects() {
	if [ -f "$build/.oefd-tree" ] && [ "$tree/.oefd-extracted" -nt "$build/.oefd-tree" ]; then
		oefd_say "kunit: the kernel tree was extracted again: rebuilding from scratch"
		rm -rf "$build"
	fi
	mkdir -p "$build"
	[ -f "$build/.oefd-tree" ] || touch "$build/.oefd-tree"
	if [ "$(cat "$build/.oefd-repo" 2>/dev/null)" != "$OEFD_TOP" ]; then
		rm -rf "$build/drivers/misc/ohos_eventfd"
		printf '%s\n' "$OEFD_TOP" >"$build/.oefd-repo"
	fi
}

kunit_py() {
	local cmd=$1

	shift
	python3 "$kunit_py" "$cmd" --arch="$arch" --build_dir="$build" \
		--kunitconfig="$kunitconfig" "$@"
}

link_into_tree
quiet_kcsan_in_timers
forget_stale_objects

cd "$tree"
oefd_say "kunit: configuring the $arch kernel in $build"
start=$SECONDS
kunit_py config >"$logs/config.log" 2>&1 ||
	{ tail -n 30 "$logs/config.log" >&2; oefd_die "kunit: kunit.py config failed (log: $logs/config.log)"; }
oefd_say "kunit: configured in $((SECONDS - start)) s"

case $arch in
um) first="6 to 13 minutes" ;;
x86_64) first="6 to 10 minutes" ;;
esac
oefd_say "kunit: building (the first build takes $first on 2 cores, later ones under a minute)"
start=$SECONDS
kunit_py build --jobs=2 >"$logs/build.log" 2>&1 ||
	{ tail -n 40 "$logs/build.log" >&2; oefd_die "kunit: kunit.py build failed (log: $logs/build.log)"; }
oefd_say "kunit: built in $((SECONDS - start)) s"

# Every kernel report in $1, one line each; KCSAN's whole reports, from
# "BUG: KCSAN:" to its closing rule, in $1.kcsan.
kernel_reports() {
	grep -E "$OEFD_KERNEL_REPORT_RE" "$1" || true
	awk '/BUG: KCSAN:/ { on = 1 } on { print } on && /=====+[[:space:]]*$/ { on = 0 }' \
		"$1" >"$1.kcsan"
}

# Are all the reports in $1 KCSAN races between two functions not ours?
# KCSAN_STRICT also reports the core kernel's own benign races (seen:
# __hrtimer_run_queues / hrtimer_active once in 17 boots, and
# hrtimer_wakeup / schedule_hrtimeout_range_clock under usleep_range()).
# A report's headline ("data-race in A / B") names the two functions whose
# accesses raced; our kthreads may appear further down the stacks only as
# callers of the kernel function that raced within itself.
only_foreign_kcsan() {
	local reports

	reports=$(kernel_reports "$1")
	[ -s "$1.kcsan" ] && ! grep -qvE 'BUG: KCSAN:' <<<"$reports" &&
		! grep -E 'BUG: KCSAN:' "$1.kcsan" | grep -qE 'oefd_|ohos_eventfd'
}

run_suites() {
	oefd_say "kunit: running suites '$filter_glob' (kernel log: $log)"
	start=$SECONDS
	kunit_py exec --raw_output=all "${run_args[@]}" "$filter_glob" >"$log" 2>&1 ||
		{ tail -n 40 "$log" >&2; oefd_die "kunit: kunit.py exec failed (log: $log)"; }
	oefd_say "kunit: ran in $((SECONDS - start)) s"
}

run_suites
# As vm.sh does with the emulator's one known fault: a run whose only
# reports are core-kernel KCSAN races is run once more, and that run counts.
if [ "$arch" = x86_64 ] && only_foreign_kcsan "$log"; then
	oefd_say "kunit: KCSAN reported a race outside ohos_eventfd; running once more:"
	head -n 3 "$log.kcsan" >&2
	cp "$log" "$log.first"
	run_suites
fi

# The KTAP kunit.py extracts: from "KTAP version 1" to the end of the run,
# with the failure messages and any kernel report printed in between.
python3 "$kunit_py" parse --raw_output=kunit "$log"

status=0
python3 "$kunit_py" parse "$log" >"$logs/summary.log" 2>&1 || status=1
grep -E 'Testing complete|Ran |FAILED|CRASHED' "$logs/summary.log" | sed 's/^/[ohos_eventfd] kunit: /' >&2 || true
[ $status -eq 0 ] || oefd_say "kunit: failing cases or a crash (details: $logs/summary.log)"

kernel_reports "$log" >"$logs/reports.log"
if [ -s "$logs/reports.log" ]; then
	oefd_say "kunit: the kernel log holds reports:"
	head -n 20 "$logs/reports.log" >&2
	status=1
fi

# The same suite as a separate module, ohos_eventfd_kunit.ko, built out of
# tree (M=) against this kernel, as for any kernel with CONFIG_KUNIT
# (Debian's have none). ohos_eventfd is built into this kernel, so the
# test module's imports resolve against vmlinux; elsewhere they come from
# ohos_eventfd.ko's Module.symvers (KBUILD_EXTRA_SYMBOLS, see kunit/Kbuild).
build_out_of_tree() {
	local oot=$work/out-of-tree

	rm -rf "$oot"
	mkdir -p "$oot/module" "$oot/kunit"
	cp -r "$OEFD_TOP/include" "$oot/"
	cp "$OEFD_TOP"/module/*.h "$oot/module/"
	cp "$OEFD_TOP"/kunit/Kbuild "$OEFD_TOP"/kunit/*.[ch] "$oot/kunit/"
	make -C "$build" ARCH=um M="$oot/kunit" W=1 -j2 modules &&
		[ -f "$oot/kunit/ohos_eventfd_kunit.ko" ]
}

check_out_of_tree() {
	oefd_say "kunit: building ohos_eventfd_kunit.ko out of tree against the same kernel"
	start=$SECONDS
	if ! build_out_of_tree >"$work/out-of-tree.log" 2>&1; then
		tail -n 20 "$work/out-of-tree.log" >&2
		oefd_say "kunit: the out-of-tree build failed (log: $work/out-of-tree.log)"
		status=1
	elif grep -E 'warning:' "$work/out-of-tree.log" >&2; then
		oefd_say "kunit: the out-of-tree build (W=1) warns (log: $work/out-of-tree.log)"
		status=1
	else
		oefd_say "kunit: built out of tree in $((SECONDS - start)) s"
	fi
}

# The x86_64 kernel has no module support (a shorter build): UML's run
# covers the out-of-tree build.
[ "$arch" != um ] || check_out_of_tree

[ $status -eq 0 ] && oefd_say "kunit: all suites passed, kernel log clean"
exit $status
