#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check model/ohos_eventfd.pml exhaustively with spin: every scenario of
# the unmutated model must pass, every mutation must give a counterexample.
# TAP on stdout (one result line per spin run), progress on stderr.
# model/README.md explains the runs.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/model-check.sh [--keep]

Runs spin -a, gcc and pan for each scenario and mutation of
model/ohos_eventfd.pml: the unmutated scenarios must pass with no error
and a complete search, each mutation must produce a counterexample,
which is printed. --keep keeps the work directory (pan, trails) and prints it.
Environment: OEFD_MODEL_MEMLIM (MB, default 3072) caps each pan run.
EOF
}

keep=
case ${1:-} in
--keep) keep=1 ;;
-h | --help) usage; exit 0 ;;
'') ;;
*) usage >&2; exit 2 ;;
esac

model=$OEFD_TOP/model/ohos_eventfd.pml
[ -f "$model" ] || oefd_die "no $model"
oefd_need_pkgs spin gcc

cache=$(oefd_cache)
work=$(mktemp -d "$cache/model.XXXXXX")
cleanup() {
	if [ -n "$keep" ]; then
		oefd_say "work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

memlim=${OEFD_MODEL_MEMLIM:-3072}

# name | spin -D flags | expect: pass, or fail (a mutation)
runs=(
	"scenario 1: exact mode, 2 pushes, blocking reader, poller|-DSCEN=1|pass"
	"scenario 2: transition mode, 3 pushes, in-kernel consumer|-DSCEN=2|pass"
	"scenario 3: transition mode, 2 pushes, arming poller, blocking reader|-DSCEN=3|pass"
	"scenario 4: ceiling, 2 pushes, locked write of 7, poller|-DSCEN=4|pass"
	"scenario 5: set_mode exact->transition, pushes, blocking reader|-DSCEN=5|pass"
	"scenario 6: set_mode transition->exact, pushes, blocking reader|-DSCEN=6|pass"
	"scenario 7: coalesced exact wakeups, EPOLLET watcher that never reads|-DSCEN=7|pass"
	"mutation NO_PUSH_MB (scenario 1) must fail|-DSCEN=1 -DNO_PUSH_MB|fail"
	"mutation NO_QUIESCE (scenario 1) must fail|-DSCEN=1 -DNO_QUIESCE|fail"
	"mutation NO_SECOND_HEADS (scenario 3) must fail|-DSCEN=3 -DNO_SECOND_HEADS|fail"
	"mutation NO_DOREAD_ARM (scenario 2) must fail|-DSCEN=2 -DNO_DOREAD_ARM|fail"
	"mutation NO_POLL_MB (scenario 1) must fail|-DSCEN=1 -DNO_POLL_MB|fail"
	"mutation NO_GUARD (scenario 4) must fail|-DSCEN=4 -DNO_GUARD|fail"
	"mutation NO_SETCOUNT_SEQ (scenario 3) must fail|-DSCEN=3 -DNO_SETCOUNT_SEQ|fail"
	"mutation NO_SET_MODE_WAKE (scenario 5) must fail|-DSCEN=5 -DNO_SET_MODE_WAKE|fail"
	"mutation NO_SET_MODE_WAKE (scenario 6) must fail|-DSCEN=6 -DNO_SET_MODE_WAKE|fail"
	"mutation NO_POLL_CLEAR (scenario 7) must fail|-DSCEN=7 -DNO_POLL_CLEAR|fail"
	"mutation WAKE_PENDING_LATE (scenario 7) must fail|-DSCEN=7 -DWAKE_PENDING_LATE|fail"
	"mutation NO_CLEAR_CATCH (scenario 7) must fail|-DSCEN=7 -DNO_CLEAR_CATCH|fail"
)

# The counterexample of the run in the current directory, as TAP
# diagnostics: the failed assertion and the model's event lines.
trace() {
	local -a flags=("$@")

	spin -t "${flags[@]}" ohos_eventfd.pml 2>&1 |
		sed -n -e 's/^[[:space:]]*EV \([0-9]*\):[[:space:]]*/  role \1: /p' \
			-e 's/^spin: text of failed assertion: /  fails: /p' |
		sed -e 's/[[:space:]][[:space:]]*/ /g' -e 's/^/#/'
}

n=0
for run in "${runs[@]}"; do
	IFS='|' read -r name defs expect <<<"$run"
	n=$((n + 1))
	read -ra flags <<<"$defs"
	dir=$work/$n
	mkdir -p "$dir"
	cp "$model" "$dir/"
	oefd_say "model $n/${#runs[@]}: $name"
	start=$SECONDS
	if ! (cd "$dir" && spin -a "${flags[@]}" ohos_eventfd.pml >spin.log 2>&1 &&
	      gcc -O0 -DSAFETY -DCOLLAPSE -DMEMLIM="$memlim" -o pan pan.c >gcc.log 2>&1); then
		oefd_tap_result "not ok" "$name: spin -a or gcc failed ($dir)"
		sed 's/^/# /' "$dir/spin.log" "$dir/gcc.log" | head -20
		keep=1
		continue
	fi
	(cd "$dir" && ./pan -m200000 -w24 >pan.log 2>&1) || true
	secs=$((SECONDS - start))
	log=$dir/pan.log
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	states=$(awk '/states, stored/ { print $1; exit }' "$log")
	info="${states:-?} states, ${secs} s"
	complete=1
	if grep -qE 'too small|out of memory|aborting' "$log" || [ -z "$errors" ]; then
		complete=
	fi
	case $expect in
	pass)
		if [ -n "$complete" ] && [ "$errors" = 0 ]; then
			oefd_tap_result ok "$name ($info)"
		else
			oefd_tap_result "not ok" "$name: errors ${errors:-?}, complete ${complete:-no} ($info)"
			if [ "${errors:-0}" != 0 ]; then
				(cd "$dir" && trace "${flags[@]}")
			else
				grep -E 'too small|memory|abort' "$log" | sed 's/^/# /' | head -5
			fi
		fi
		;;
	fail)
		if [ "${errors:-0}" != 0 ] && [ -f "$dir/ohos_eventfd.pml.trail" ]; then
			oefd_tap_result ok "$name: counterexample ($info)"
			(cd "$dir" && trace "${flags[@]}")
		else
			oefd_tap_result "not ok" "$name: no counterexample ($info)"
		fi
		;;
	esac
done
oefd_say "model check: $((n - oefd_tap_failed)) of $n runs as expected"
oefd_tap_plan
