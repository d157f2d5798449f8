#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The short reliability runs, inside the VM (scripts/vm.sh): TAP on stdout.
# Three parts, each in its own boot (scripts/soak.sh --short runs all three
# for a kernel); see usage() or --help, and docs/reliability.md.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
B=$here/build
# shellcheck source=../scripts/lib.sh
. "$here/../scripts/lib.sh"

usage() {
	cat <<'EOF'
usage: reliability/run-short.sh [--part main|stress|checks|hotplug|modcycle]
                                [--ko PATH] [--long]

Runs inside the VM (as root), prints TAP ("ok N - name", the plan last).
  --part main      (default) stress + checks: what make check runs in one
                   boot (module loaded, single-threaded TCG, 2 CPUs, 1G)
  --part stress    conservation stress, exact and transition mode
  --part checks    lifecycle, differential fuzzing (64- and 32-bit), bad
                   input (64- and 32-bit), scale
  --part hotplug   module loaded, MTTCG, 4 CPUs: stress while CPUs go
                   offline and online
  --part modcycle  module NOT loaded (vm.sh --no-module), --ko PATH: rmmod
                   refused while in use, 100 load/unload cycles, no leak
  --long           the soak sizes (scripts/soak.sh): minutes per test
Every test is bounded: one that outlives its limit is reported "not ok"
with the kernel stacks of its threads, then killed.
Build first: make -C reliability (on the host; the VM shares its files).
EOF
}

part=main
ko=
long=
while [ $# -gt 0 ]; do
	case $1 in
	--part) part=${2:-}; shift ;;
	--ko) ko=${2:-}; shift ;;
	--long) long=1 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

# Kernel stacks of every thread of $1 and of its children, as "# " lines.
dump_stacks() {
	local pid=$1 task child

	for task in /proc/"$pid"/task/*; do
		echo "#   task ${task##*/} ($(cat "$task/comm" 2>/dev/null)): $(cat "$task/wchan" 2>/dev/null)"
		sed 's/^/#     /' "$task/stack" 2>/dev/null
	done
	cat /proc/"$pid"/task/*/children 2>/dev/null | tr ' ' '\n' | while read -r child; do
		[ -n "$child" ] && dump_stacks "$child"
	done
}

# run_test LIMIT_S NAME CMD...: one TAP line for CMD, its output as "# " lines.
run_test() {
	local limit=$1 name=$2 pid status start end
	shift 2

	echo "# --- $((OEFD_TAP_N + 1)): $name"
	start=$(date +%s)
	"$@" 2>&1 | sed -u 's/^\([^#]\)/# \1/' &
	pid=$(jobs -p | tail -n 1)
	while kill -0 "$pid" 2>/dev/null; do
		if [ $(($(date +%s) - start)) -ge "$limit" ]; then
			echo "# $name: still running after $limit s; kernel stacks:"
			dump_stacks "$pid"
			pkill -KILL -P "$pid"
			kill -KILL "$pid" 2>/dev/null
			break
		fi
		sleep 0.2
	done
	wait "$pid"
	status=$?
	end=$(date +%s)
	if [ "$status" -eq 0 ] && [ $((end - start)) -lt "$limit" ]; then
		oefd_tap_result ok "$name # $((end - start)) s"
	else
		oefd_tap_result "not ok" "$name # exit $status after $((end - start)) s"
	fi
}

# Seconds of stress, fuzzing operations and seeds, cycles: short (make
# check) or long (make soak, other seeds than make check's).
if [ -n "$long" ]; then
	S=60 HOTPLUG_S=120 ITER=1000 STORM=10 OPS=3000000 OPS32=1000000 CYCLES=1000
	SEED=3 SEED32=4
else
	S=3 HOTPLUG_S=10 ITER=60 STORM=1 OPS=700000 OPS32=300000 CYCLES=100
	SEED=1 SEED32=2
fi

part_stress() {
	local st=$B/stress limit=$((S + 60))

	run_test "$limit" "stress: exact, blocking/nowait/poll/epoll LT+ET readers, ceiling crossings" \
		"$st" --seconds "$S" --big
	run_test "$limit" "stress: exact, nowait+poll readers (per-CPU fast path)" \
		"$st" --seconds "$S" --readers nowait,poll --writers 4
	run_test "$limit" "stress: exact, sole epoll ET reader (lost-wakeup check)" \
		"$st" --seconds "$S" --readers et
	run_test "$limit" "stress: transition, all reader kinds, ceiling crossings" \
		"$st" --seconds "$S" --transition --big
	run_test "$limit" "stress: transition, sole epoll ET reader reading to EAGAIN" \
		"$st" --seconds "$S" --transition --readers et
	run_test "$limit" "stress: transition, O_NONBLOCK, sole poll reader" \
		"$st" --seconds "$S" --transition --nonblock --readers poll
	run_test "$limit" "stress: transition, O_NONBLOCK, nowait/poll/LT/ET, CREATE'd counter" \
		"$st" --seconds "$S" --transition --nonblock --readers nowait,poll,lt,et --big --create
	run_test "$limit" "stress: semaphore, exact, blocking/poll/LT/ET readers" \
		"$st" --seconds "$S" --semaphore --readers block,poll,lt,et
	run_test "$limit" "stress: semaphore, transition, sole blocking reader" \
		"$st" --seconds "$S" --semaphore --transition --readers block
}

part_checks() {
	run_test $((ITER + STORM * 4 + 120)) "lifecycle: close/signals/fork vs eventfd, open()ed counters" \
		"$B/lifecycle" --iterations "$ITER" --seconds "$STORM"
	run_test $((ITER + STORM * 4 + 120)) "lifecycle: close/signals/fork vs eventfd, CREATE'd counters" \
		"$B/lifecycle" --iterations "$((ITER / 2))" --seconds "$STORM" --create
	run_test $((OPS / 5000 + 120)) "fuzz: $OPS operations vs eventfd, 64-bit" \
		"$B/fuzz" --total-ops "$OPS" --seed "$SEED"
	run_test $((OPS32 / 5000 + 120)) "fuzz: $OPS32 operations vs eventfd, 32-bit (compat_ioctl)" \
		"$B/fuzz32" --total-ops "$OPS32" --seed "$SEED32"
	run_test 120 "bad input: every ioctl, 64-bit" "$B/badinput"
	run_test 120 "bad input: every ioctl, 32-bit (compat_ioctl)" "$B/badinput32"
	run_test 300 "scale: 100000 counters of each kind at once" "$B/scale" instances 100000
	run_test 120 "scale: RLIMIT_NOFILE gives EMFILE as eventfd" "$B/scale" emfile
	run_test 300 "scale: memory cgroup limit gives ENOMEM or the OOM killer" "$B/scale" memcg
}

part_hotplug() {
	local st=$B/stress limit=$((HOTPLUG_S + 90))

	run_test "$limit" "hotplug: exact, all reader kinds, ceiling crossings, CPUs offline/online" \
		"$st" --seconds "$HOTPLUG_S" --big --hotplug --writers 4
	run_test "$limit" "hotplug: transition, nowait/poll/ET readers, CPUs offline/online" \
		"$st" --seconds "$HOTPLUG_S" --transition --hotplug --readers nowait,poll,et --writers 4
	run_test "$limit" "hotplug: exact, nowait readers only (rings on CPUs going offline)" \
		"$st" --seconds "$HOTPLUG_S" --hotplug --readers nowait --writers 6
}

# with_module KO PARAM CMD...: CMD with KO loaded with PARAM, unloaded after.
with_module() {
	local ko=$1 param=$2 status
	shift 2

	insmod "$ko" "$param" || return 2
	"$@"
	status=$?
	rmmod ohos_eventfd || return 2
	return "$status"
}

part_modcycle() {
	[ -n "$ko" ] || { echo "run-short.sh: --part modcycle needs --ko PATH" >&2; exit 2; }
	run_test $((CYCLES + 120)) "modcycle: rmmod refused in use; $CYCLES load/unload cycles, no leak" \
		"$B/modcycle" --ko "$ko" --cycles "$CYCLES"
	# Without coalescing, every write to a watched counter takes the lock.
	run_test $((S + 60)) "stress: exact, coalesce=0, epoll LT+ET readers: no per-CPU write" \
		with_module "$ko" coalesce=0 "$B/stress" --seconds "$S" --readers lt,et
}

[ -x "$B/stress" ] || { echo "run-short.sh: $B is not built (make -C reliability)" >&2; exit 2; }
case $part in
main) part_stress; part_checks ;;
stress) part_stress ;;
checks) part_checks ;;
hotplug) part_hotplug ;;
modcycle) part_modcycle ;;
*) usage >&2; exit 2 ;;
esac
oefd_tap_plan
