#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every build, check and test of the project, in stages, with
# one TAP result line per check. See usage().
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/check.sh      (make check)

Runs, in order, and continues past failures:
  (a) dependencies: packages, both Debian kernels, the linux-source tree
  (b) scripts/build-module.sh --checks for 6.1 and 6.12 (W=1, sparse,
      checkpatch --strict); linux-source's scripts/kernel-doc -none over
      the module's sources and headers (no warning, every
      EXPORT_SYMBOL_GPL function documented); shellcheck -x over every
      shell script; scripts/model-check.sh
      (the spin model of the core's protocol, model/)
  (c) make -C userspace, make -C userspace check (host tests)
  (d) scripts/kunit.sh (KUnit under UML, lockdep and KASAN), then
      scripts/kunit.sh --arch x86_64 (4 vCPUs, KCSAN and lockdep)
  (e) scripts/selftests.sh 6.1 and 6.12 (VM tests), then scripts/soak.sh
      --short for both (reliability, docs/reliability.md)
  (f) scripts/install-test.sh for 6.1 and 6.12: `dkms install` into
      private DKMS trees, a staged `make install`, then `make install`,
      modprobe and the DKMS build's insmod in the VM
  (g) scripts/deb.sh (make deb: the four Debian packages, lintian with no
      error or warning), then scripts/deb-test.sh 6.12: dpkg -i them in
      the VM (DKMS builds the module), modprobe, pkg-config, the shim,
      dpkg -r and --purge, no file left behind
A stage whose inputs are missing (no userspace/Makefile) is skipped.

Output: a progress line per stage; a build or check stage is one result
line ("ok - ..." or "not ok - ..."), a test stage shows each test result of
its TAP, indented, and counts each (KTAP by kunit.py parse; nested TAP
counts its leaves only).
The last line is "N passed, N failed" (", N skipped" when some were).
Exit status: 0 when nothing failed, else 1. Each stage's stdout and stderr
are kept under <cache>/check/; their paths are printed when a stage fails.
EOF
}

readonly OEFD_CHECK_RUNS_KEPT=10

passed=0
failed=0
skipped=0
stage_no=0
logdir=

# Count the results of a TAP stream: leaves only, so that a parent's own
# line is not counted on top of its children. A result line is a parent
# when results more indented than it came since the previous result at
# its indent or less; the kselftest runner nests each program's TAP as
# "# " lines, and so does userspace/tests' bats for each kselftest.h
# program, so a "# " counts as indentation. Prints "passed failed skipped".
# (KTAP is counted by kunit.py instead, ktap_count. Its parser cannot count
# these streams: it reads nesting from KTAP headers, not from "# " lines,
# so it would count the 8 programs of a selftests stage instead of their
# cases, and it calls a bats stream, which has no version line, crashed;
# neither bats nor the kselftest runner prints totals for a whole stream,
# kselftest.h's "# Totals:" being one program's.)
tap_count() {
	awk '
	/^([[:space:]]|# )*(not[[:space:]]+)?ok([[:space:]]|$)/ {
		match($0, /^([[:space:]]|# )*/)
		depth = RLENGTH
		leaf = !has_child[depth]
		has_child[depth] = 0
		for (d = 0; d < depth; d++)
			has_child[d] = 1
		if (!leaf)
			next
		if (tolower($0) ~ /#[[:space:]]*(skip|todo)/)
			s++
		else if ($0 ~ /^([[:space:]]|# )*not[[:space:]]/)
			f++
		else
			p++
	}
	END { printf "%d %d %d\n", p, f, s }
	' "$1"
}

# Count a KTAP stream (scripts/kunit.sh's stdout) with kunit.py parse, from
# its summary "Ran N tests: passed: P, failed: F, crashed: C, skipped: S,
# errors: E" (a count of 0 is left out); crashed and errors are failures.
ktap_count() {
	local summary field p=0 f=0 s=0
	local -a fields

	summary=$(timeout 300 python3 "$(oefd_linux_src)/tools/testing/kunit/kunit.py" parse "$1" 2>&1 |
		  sed -n 's/.*Ran [0-9]* tests: //p' | tail -n 1)
	IFS=',' read -ra fields <<<"$summary"
	for field in "${fields[@]}"; do
		case $field in
		*passed:*) p=${field##*: } ;;
		*skipped:*) s=${field##*: } ;;
		*failed:* | *crashed:* | *errors:*) f=$((f + ${field##*: })) ;;
		esac
	done
	printf '%d %d %d\n' "$p" "$f" "$s"
}

stage_begin() {
	stage_no=$((stage_no + 1))
	stage_log=$logdir/$(printf '%02d' "$stage_no")-${1// /-}
	stage_start=$SECONDS
	printf '# (%s) %s\n' "$2" "$3"
}

stage_time() {
	printf '%d s' "$((SECONDS - stage_start))"
}

# One result for a whole stage; $1 = exit status, $2 = description.
stage_result() {
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok - %s (%s)\n' "$2" "$(stage_time)"
	else
		failed=$((failed + 1))
		printf 'not ok - %s (exit %s, %s)\n' "$2" "$1" "$(stage_time)"
		stage_show_logs
	fi
}

stage_skip() {
	skipped=$((skipped + 1))
	printf 'ok - %s # SKIP %s\n' "$1" "$2"
}

stage_show_logs() {
	if [ -s "$stage_log.err" ]; then
		printf '#   last lines of %s.err:\n' "$stage_log"
		tail -n 25 "$stage_log.err" | sed 's/^/#     /'
	fi
	printf '#   logs: %s.out %s.err\n' "$stage_log" "$stage_log"
}

# A stage's stderr goes to its log; the progress lines in it (oefd_say's
# "[ohos_eventfd] ...": packages, downloads, builds, VM boots) are also shown
# as they come, as TAP comments.
stage_progress() {
	tee "$stage_log.err" | grep --line-buffered '^\[ohos_eventfd\] ' |
		sed -u 's/^\[ohos_eventfd\] /#   /' || true
}

# Run a build or check stage in a subshell (CMD may exit): its output goes
# to the stage's logs, but for the progress lines.
run_one() {
	local desc=$1 status=0

	shift
	{ ("$@") >"$stage_log.out" 2>&3 3>&- </dev/null || status=$?; } 3> >(stage_progress)
	wait "$!"
	stage_result "$status" "$desc"
}

# Run a test stage: its TAP results are shown live, indented, and counted
# ($2 "ktap": by kunit.py, else by tap_count). A stage that fails without
# a failing result, or (unless $2 is "or-one") passes without any result,
# is one more failure; "or-one" counts a stage without TAP as one result.
run_tap() {
	local desc=$1 mode=$2 status=0 p f s
	local -a counts

	shift 2
	set +e
	{
		"$@" </dev/null 2>&3 3>&- | tee "$stage_log.out" |
			grep --line-buffered -E '^([[:space:]]|# )*(not[[:space:]]+)?ok([[:space:]]|$)' |
			sed -u 's/^/    /'
		status=${PIPESTATUS[0]}
	} 3> >(stage_progress)
	wait "$!"
	set -e
	if [ "$mode" = ktap ]; then
		read -r -a counts < <(ktap_count "$stage_log.out")
	else
		read -r -a counts < <(tap_count "$stage_log.out")
	fi
	p=${counts[0]} f=${counts[1]} s=${counts[2]}
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ $((p + f + s)) -eq 0 ] && [ "$mode" = or-one ]; then
		stage_result "$status" "$desc"
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		printf 'not ok - %s: exited %s with no failing test result (%s)\n' \
			"$desc" "$status" "$(stage_time)"
		stage_show_logs
	elif [ $((p + f + s)) -eq 0 ]; then
		failed=$((failed + 1))
		printf 'not ok - %s: no test results (%s)\n' "$desc" "$(stage_time)"
		stage_show_logs
	else
		printf '# %s: %d passed, %d failed, %d skipped (%s)\n' "$desc" "$p" "$f" "$s" "$(stage_time)"
		[ "$f" -eq 0 ] || stage_show_logs
	fi
}

# Everything the stages below use, so that a fresh machine fails here, with
# the package named, rather than halfway through a test.
# (errexit does not apply in run_one's `|| status=$?`: chain with &&.)
install_deps() {
	oefd_need_pkgs make gcc libc6-dev binutils flex bison bc libelf-dev \
		python3 perl cpio xz-utils zstd sparse dkms openssl \
		qemu-system-x86 busybox-static spin dpkg-dev debhelper dh-dkms \
		po-debconf pkgconf lintian &&
		oefd_kernel_ensure 6.1 && oefd_kernel_ensure 6.12 && oefd_linux_src
}

# linux-source's scripts/kernel-doc over the module's sources and headers:
# no warning (-Wall, -Werror, nothing on stderr), and a kernel-doc comment
# at the definition of every EXPORT_SYMBOL_GPL function.
kernel_doc() {
	local tree out file sym status=0
	local files=(module/*.c module/*.h include/linux/ohos_eventfd.h
		     include/uapi/linux/ohos_eventfd.h)

	tree=$(oefd_linux_src) || return 1
	oefd_say "kernel-doc -none -Wall over ${#files[@]} files"
	out=$(perl "$tree/scripts/kernel-doc" -none -Wall -Werror "${files[@]}" 2>&1) || status=1
	[ -z "$out" ] || { printf '%s\n' "$out" >&2; status=1; }
	for file in module/*.c; do
		while read -r sym; do
			grep -q "^ \* $sym() - " "$file" && continue
			printf '%s: %s is exported without a kernel-doc comment\n' "$file" "$sym" >&2
			status=1
		done < <(sed -n 's/^EXPORT_SYMBOL_GPL(\(.*\));$/\1/p' "$file")
	done
	return "$status"
}

# Every shell script git tracks (by name, .bash and .bats included, or by
# shebang) through shellcheck, each from its own directory so that its
# source directives resolve.
shell_check() {
	local file status=0

	oefd_need_pkgs shellcheck
	while read -r file; do
		[ -f "$file" ] || continue
		case $file in
		*.sh | *.bash | *.bats) ;;
		*) head -n 1 "$file" | grep -qE '^#!.*\b(ba)?sh\b' || continue ;;
		esac
		(cd "$(dirname "$file")" && shellcheck -x "$(basename "$file")") || status=1
	done < <(git ls-files)
	return "$status"
}

prune_old_runs() {
	find "$1" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn |
		tail -n +"$((OEFD_CHECK_RUNS_KEPT + 1))" | cut -d' ' -f2- | xargs -r rm -rf
}

main() {
	local series stage_log='' stage_start=0 summary

	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	'') ;;
	*) usage >&2; exit 2 ;;
	esac
	cd "$OEFD_TOP"
	mkdir -p "$(oefd_cache)/check"
	prune_old_runs "$(oefd_cache)/check"
	logdir=$(oefd_cache)/check/$(date +%Y%m%d-%H%M%S)-$$
	mkdir -p "$logdir"
	printf '# make check: logs in %s\n' "$logdir"

	stage_begin deps a "dependencies"
	run_one "dependencies: packages, Debian 6.1 and 6.12 kernels, linux-source" install_deps
	if [ "$failed" -ne 0 ]; then
		printf '%d passed, %d failed\n' "$passed" "$failed"
		exit 1
	fi

	for series in 6.1 6.12; do
		stage_begin "module-$series" b "module for $series: build, W=1, sparse, checkpatch"
		run_one "module $series: W=1, sparse and checkpatch --strict clean" \
			scripts/build-module.sh "$series" --checks
	done

	stage_begin kernel-doc b "kernel-doc"
	run_one "kernel-doc -none: no warning, every export documented" kernel_doc

	stage_begin shellcheck b "shellcheck"
	run_one "shellcheck -x: every shell script clean" shell_check

	stage_begin model b "the spin model"
	run_tap "spin model (scripts/model-check.sh)" tap scripts/model-check.sh

	if [ -f userspace/Makefile ]; then
		stage_begin userspace-build c "userspace build"
		run_one "userspace builds (make -C userspace)" make -C userspace
		stage_begin userspace-check c "userspace host tests"
		run_tap "userspace host tests (make -C userspace check)" or-one \
			make -C userspace check
	else
		stage_begin userspace c "userspace"
		stage_skip "userspace" "no userspace/Makefile"
	fi

	stage_begin bench-build c "benchmarks build"
	run_one "benchmarks build, not run (make -C bench)" make -C bench

	stage_begin kunit d "KUnit under UML"
	run_tap "kunit" ktap scripts/kunit.sh
	stage_begin kunit-x86_64 d "KUnit on x86_64: 4 vCPUs, KCSAN, lockdep"
	run_tap "kunit x86_64" ktap scripts/kunit.sh --arch x86_64

	for series in 6.1 6.12; do
		stage_begin "selftests-$series" e "VM tests on $series"
		run_tap "VM tests on $series" tap scripts/selftests.sh "$series"
	done

	for series in 6.1 6.12; do
		stage_begin "reliability-$series" e "reliability on $series"
		run_tap "reliability on $series" tap scripts/soak.sh --short --kernel "$series"
	done

	for series in 6.1 6.12; do
		stage_begin "install-$series" f "install paths on $series"
		run_tap "install paths on $series" tap scripts/install-test.sh "$series"
	done

	stage_begin deb-build g "Debian packages: make deb, lintian"
	run_one "Debian packages build, lintian: no error, no warning (scripts/deb.sh)" \
		scripts/deb.sh --out "$(oefd_cache)/deb/check"
	stage_begin deb-6.12 g "Debian packages on 6.12: install, use, remove, purge"
	run_tap "Debian packages on 6.12" tap \
		scripts/deb-test.sh --debs "$(oefd_cache)/deb/check" 6.12

	summary="$passed passed, $failed failed"
	[ "$skipped" -eq 0 ] || summary+=", $skipped skipped"
	[ "$failed" -eq 0 ] || printf '# failed: see the logs in %s\n' "$logdir"
	printf '%s\n' "$summary"
	[ "$failed" -eq 0 ]
}

main "$@"
