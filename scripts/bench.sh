#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: ohos_eventfd against native eventfd in qemu, both Debian
# kernels, written up in docs/benchmarks.md with a plot of row 4.
# `make bench-host`: the same benchmark on this machine. See usage().
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/bench.sh [--kernel 6.1|6.12]...   (make bench)
       scripts/bench.sh --host                   (make bench-host)
       scripts/bench.sh --report DIR

Builds bench/ohos_eventfd_bench and measures native eventfd and ohos_eventfd
counters with the same steps in the same boot (see the benchmark's --help
for the rows). Progress goes to stderr, the table to stdout.

Without --host, for each kernel (default: 6.1 and 6.12), through scripts/vm.sh:
  - two boots under --accel icount (one vCPU, guest time = instructions):
    rows 1, 5 and 6, then row 1's write and write-epoll again for
    ohos_eventfd with the module reloaded with coalesce=0; the second boot
    only to check that the figures repeat;
  - one boot under --accel multi --smp 2 (multi-threaded TCG, wall clock):
    rows 2, 3 and 4, then row 4 again for ohos_eventfd with the module
    reloaded with fast_path=0, and its epoll and epoll-et readers with the
    module reloaded with coalesce=0;
  - three boots under --accel multi with 4 online vCPUs (row 7, issue 16:
    memory of counters written from k = 1..4 CPUs at once, each counter
    until its fdinfo shows a ring on each of the k CPUs), with 4, 64 and
    256 possible CPUs (6.1: qemu maxcpus= and possible_cpus=; 6.12, which
    counts only present CPUs under TCG: 4, 64 and 255 present vCPUs with
    maxcpus=4 on the kernel command line; its 255-vCPU boot may die of
    qemu's MTTCG int3 fault, which the doc then reports).
Then writes docs/benchmarks.md, docs/bench-writers.png and
docs/bench-memory.png. About 20-25 minutes on 2 cores (row 7: 2-5 min a boot).

--host runs every row on this machine, against the loaded module (the
memory row needs root), prints the table and writes nothing.

  --kernel 6.1|6.12   only this kernel (repeatable; the doc then has only it)
  --host              this machine instead of qemu
  --report DIR        no measurement: write docs/benchmarks.md and the plots
                      again from the raw results of an earlier run, DIR
                      (<cache>/bench/<date-time>, printed at its end), e.g.
                      after a change to the report's text; the module
                      sources must still be those it measured
  -h, --help          this text

Nothing here asserts anything about speed; the exit status is 1 only when a
build or a boot fails (but a 6.12 boot of row 7 killed by qemu's MTTCG int3
fault, which the doc then reports).
EOF
}

readonly BENCH_LOOPS=31		# rows 1 and 6: timed loops per figure
readonly BENCH_ITERS=1000	# operations or creations per loop
readonly BENCH_INSTANCES=100000	# row 5
readonly BENCH_RUNS=11		# rows 2-4: runs per figure
readonly BENCH_DURATION_MS=300	# and the length of one run
readonly BENCH_ICOUNT_ARGS=(--loops "$BENCH_LOOPS" --iters "$BENCH_ITERS"
			    --create-iters "$BENCH_ITERS" --instances "$BENCH_INSTANCES")
readonly BENCH_MULTI_ARGS=(--runs "$BENCH_RUNS" --duration "$BENCH_DURATION_MS")
# What the coalesce=0 reloads run again (issue 15's rows and what they need).
readonly BENCH_NOCOALESCE_PATH=write,write-epoll
readonly BENCH_NOCOALESCE_READERS=epoll,epoll-et
readonly BENCH_SMP=2
readonly BENCH_MEM=1G
# Row 7 (issue 16): counters per figure, issue 16's own count, how long
# the writes to one counter may go on before it is given up (generous:
# in trials the slowest counter took 1.2 s), and the possible CPUs of its
# boots, each with 4 online vCPUs (k = 1..4 writer CPUs).
readonly BENCH_WRITTEN_ARGS=(--written-counters 300 --issue-counters 10000
			     --written-budget 5000)
readonly BENCH_RINGS_POSSIBLE=(4 64 256)
readonly BENCH_RINGS_ONLINE=4
readonly BENCH_RINGS_MEM=2G
# ... booted with every slab cache of its own, so that the counters' caches
# (the rings' above all) share no slab with the epoll items the row's
# contention makes and frees, and the ring cache is listed by its name.
readonly BENCH_RINGS_CMDLINE=slab_nomerge
# qemu 7.2's TCG emulates APIC IDs up to 254: at most 255 vCPUs.
readonly BENCH_QEMU_MAX_VCPUS=255
readonly BENCH_BOOT_TIMEOUT=1800
# Written before the benchmark's output in each boot: vm.sh may boot twice
# (its retry of a known MTTCG fault), and only the last boot counts.
readonly BENCH_MARK=oefd-bench-boot
readonly BENCH_CLOCKSOURCE=/sys/devices/system/clocksource/clocksource0/current_clocksource

bench_bin=$OEFD_TOP/bench/ohos_eventfd_bench
doc=$OEFD_TOP/docs/benchmarks.md
png=$OEFD_TOP/docs/bench-writers.png
png_memory=$OEFD_TOP/docs/bench-memory.png
report_awk=$OEFD_TOP/bench/report.awk
analysis=$OEFD_TOP/bench/analysis.md

# What the module is built from: one hash over module/ and include/.
module_sources() {
	(cd "$OEFD_TOP" && find module include -type f \( -name '*.[ch]' -o -name Kbuild \) -print0 |
		LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# Each boot rebuilds the module when its sources changed: note it if they
# did during the run, because the figures then mix module versions.
check_module_unchanged() {
	local now

	now=$(module_sources)
	if [ "$now" != "$module_at_start" ] && [ -z "$module_changed" ]; then
		module_changed=$1
		oefd_say "bench: warning: module sources changed during the run (noticed after" \
			"the $1 boot): the figures mix module versions; rerun when the module is stable"
	fi
}

build_bench() {
	oefd_need_pkgs gcc libc6-dev make
	oefd_say "bench: building bench/ohos_eventfd_bench"
	make -s -C "$OEFD_TOP/bench" >&2 || oefd_die "building bench/ohos_eventfd_bench failed"
}

# Lines of the benchmark's output after the last boot mark, as results:
# "kernel=ABI boot=BOOT <result or slab line>".
collect() {
	local raw=$1 boot=$2 abi

	abi=$(tr -d '\r' <"$raw" | awk -v m="$BENCH_MARK" '$1 == m { abi = $2 } END { print abi }')
	[ -n "$abi" ] || oefd_die "no benchmark output in $raw"
	tr -d '\r' <"$raw" |
		awk -v m="$BENCH_MARK" '$1 == m { n = NR } { line[NR] = $0 }
			END { for (i = n + 1; i <= NR; i++) print line[i] }' |
		grep -E '^(result|slab|env) ' | sed "s/^/kernel=$abi boot=$boot /"
}

# Of a boot's output, to stderr: vm.sh's and the benchmark's progress
# lines and the benchmark's errors.
progress_lines() {
	sed -un '/^\[ohos_eventfd\] /p; s/^# /[ohos_eventfd] bench:   /p; /^ohos_eventfd_bench: /p' >&2
}

# One boot: the guest prints the mark and its kernel, then runs @cmd;
# further arguments are vm.sh options (after the defaults, so they win).
# Output in $work/<series>-<boot>.txt, progress lines on stderr.
vm_bench() {
	local series=$1 boot=$2 accel=$3 cmd=$4 raw start status=0 smp=$BENCH_SMP

	[ "$accel" != icount ] || smp=1
	raw=$work/$series-$boot.txt
	start=$SECONDS
	oefd_say "bench: $series, $boot boot"
	printf '%s %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$boot" >>"$work/$series-load.txt"
	"$OEFD_TOP/scripts/vm.sh" run --kernel "$series" --accel "$accel" --smp "$smp" \
		--mem "$BENCH_MEM" --timeout "$BENCH_BOOT_TIMEOUT" "${@:5}" -- \
		bash -c "echo $BENCH_MARK \$(uname -r); $cmd" 2>&1 |
		tee "$raw" | progress_lines || status=$?
	printf '%s %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$boot" >>"$work/$series-load.txt"
	if [ "$status" -ne 0 ] && [ -n "${bench_boot_optional:-}" ] && mttcg_int3 "$raw"; then
		# A boot the doc can do without (row 7 on 6.12, see rings_boots)
		# killed by the emulator: written into the results, the run goes on.
		oefd_say "bench: warning: $series $boot boot failed (status $status): output in $raw;" \
			"the doc says so"
		printf 'kernel=%s boot=%s failed status=%s report=%s\n' "$(oefd_kernel_ensure "$series")" \
			"$boot" "$status" "$(boot_failure "$raw")" >>"$results"
		return 0
	fi
	[ "$status" -eq 0 ] || oefd_die "$series $boot boot failed (status $status): output in $raw"
	oefd_say "bench: $series $boot boot took $((SECONDS - start)) s"
	collect "$raw" "$boot" >>"$results"
	check_module_unchanged "$series $boot"
}

# Did qemu's MTTCG fault kill the boot: an int3 oops, no frame of ours?
# (vm.sh's own lines start with "[ohos_eventfd] "; a frame of the module
# ends with "[ohos_eventfd]").
mttcg_int3() {
	grep -q 'Oops: int3' "$1" && ! grep -v '^\[ohos_eventfd\] ' "$1" | grep -q '\[ohos_eventfd\]'
}

# The first kernel report of a failed boot's output (vm.sh prints it), as
# one word, ~ for blanks: "Oops:~int3:~0000~at~RIP:~0010:sched_clock_cpu+0x9/0x190".
boot_failure() {
	local oops rip

	oops=$(tr -d '\r' <"$1" | grep -m 1 -oE '(Oops|BUG|WARNING|Kernel panic)[^[]*' | head -n 1)
	rip=$(tr -d '\r' <"$1" | grep -m 1 -oE 'RIP: [0-9a-f]+:[^ ]+')
	printf '%s' "${oops:-no kernel report}${rip:+ at $rip}" | tr -s ' ' '~'
}

# The guest command that reloads the module with @params.
reload_module() {
	printf 'rmmod ohos_eventfd && insmod %q %s' "$ko" "$*"
}

bench_kernel() {
	local series=$1 ko bench icount multi

	ko=$("$OEFD_TOP/scripts/build-module.sh" "$series")
	bench=$(printf '%q' "$bench_bin")
	icount="$bench ${BENCH_ICOUNT_ARGS[*]} path create memory &&
		$(reload_module coalesce=0) &&
		$bench ${BENCH_ICOUNT_ARGS[*]} --impl ohos --path-tests $BENCH_NOCOALESCE_PATH path"
	multi="$bench ${BENCH_MULTI_ARGS[*]} pingpong epoll writers &&
		$(reload_module fast_path=0) &&
		$bench ${BENCH_MULTI_ARGS[*]} --impl ohos writers &&
		$(reload_module coalesce=0) &&
		$bench ${BENCH_MULTI_ARGS[*]} --impl ohos --readers $BENCH_NOCOALESCE_READERS writers"
	vm_bench "$series" icount icount "$icount"
	vm_bench "$series" icount-repeat icount "$icount"
	vm_bench "$series" multi multi "echo env clocksource=\$(cat $BENCH_CLOCKSOURCE); $multi"
	rings_boots "$series"
}

# The vm.sh options of row 7's boot with @possible possible CPUs. 6.1
# takes them from possible_cpus= (and qemu's maxcpus=, the hot-pluggable
# vCPUs, at most 255); 6.12 counts a disabled ACPI processor entry as
# possible only under a hypervisor it recognizes, which TCG is not, so
# there they are present vCPUs (at most 255) that maxcpus= keeps offline.
rings_vm_options() {
	local series=$1 possible=$2 vcpus

	vcpus=$((possible < BENCH_QEMU_MAX_VCPUS ? possible : BENCH_QEMU_MAX_VCPUS))
	if [ "$possible" -le "$BENCH_RINGS_ONLINE" ]; then
		printf '%s\n' --smp "$possible" --append "$BENCH_RINGS_CMDLINE"
	elif [ "$series" = 6.1 ]; then
		printf '%s\n' --smp "$BENCH_RINGS_ONLINE" --maxcpus "$vcpus" \
			--append "possible_cpus=$possible $BENCH_RINGS_CMDLINE"
	else
		printf '%s\n' --smp "$vcpus" --append "maxcpus=$BENCH_RINGS_ONLINE $BENCH_RINGS_CMDLINE"
	fi
}

# Row 7: one boot per possible-CPU count, multi-threaded TCG. On 6.12,
# qemu 7.2's MTTCG sometimes kills the kernel with an int3 oops at a site
# it patched at run time; vm.sh retries only the form it knows (in
# __schedule), and with 64 or 255 vCPUs it also comes elsewhere (seen in
# sched_clock_cpu): a 6.12 boot of row 7 that dies of an int3 oops with
# no frame of ours is reported in the doc instead of stopping the run.
rings_boots() {
	local series=$1 possible cmd bench_boot_optional=''
	local -a vmopts

	[ "$series" = 6.1 ] || bench_boot_optional=1
	cmd="$(printf '%q' "$bench_bin") ${BENCH_WRITTEN_ARGS[*]} written"
	for possible in "${BENCH_RINGS_POSSIBLE[@]}"; do
		mapfile -t vmopts < <(rings_vm_options "$series" "$possible")
		vm_bench "$series" "rings-$possible" multi \
			"echo env possible=\$(cat /sys/devices/system/cpu/possible) online=\$(cat /sys/devices/system/cpu/online); $cmd" \
			--mem "$BENCH_RINGS_MEM" "${vmopts[@]}"
	done
}

report() {
	awk -f "$report_awk" "$@" "$results"
}

# "6.1: hpet, 6.12: tsc": the guests' clock sources in the multi boots.
clocksources() {
	awk '$3 == "env" && $2 == "boot=multi" {
		k = $1; sub(/^kernel=/, "", k); sub(/^clocksource=/, "", $4)
		printf "%s%s: %s", sep, k, $4; sep = ", " }' "$results"
}

# The load average (1, 5, 15 min) before and after each boot of a kind.
load_summary() {
	local boot=$1

	cat "$work"/*-load.txt 2>/dev/null |
		awk -v b="$boot" '$4 == b { printf "%s%s/%s/%s", sep, $1, $2, $3; sep = ", " }'
}

# Row 7's parameters, as bench/ohos_eventfd_bench got them.
rows7_counters() { rows7_arg --written-counters; }
rows7_issue() { rows7_arg --issue-counters; }
rows7_budget() { rows7_arg --written-budget; }
rows7_settle() { rows7_key settle_ms | awk '{ print $1 / 1000 }'; }
# A key of the first row 7 figure written from k CPUs: rows7_key watchers.
rows7_key() {
	grep -o " row=7 test=written .* $1=[0-9]*" "$results" | head -n 1 | sed 's/.*=//'
}
has_row7() { grep -q ' row=7 test=written ' "$results"; }
rows7_arg() {
	local i

	for ((i = 0; i < ${#BENCH_WRITTEN_ARGS[@]}; i++)); do
		[ "${BENCH_WRITTEN_ARGS[i]}" != "$1" ] || printf '%s' "${BENCH_WRITTEN_ARGS[i + 1]}"
	done
}

# "; row 7 (4 possible CPUs) ...": the load around row 7's boots, if any.
rings_load_summary() {
	local possible load

	for possible in "${BENCH_RINGS_POSSIBLE[@]}"; do
		load=$(load_summary "rings-$possible")
		[ -z "$load" ] || printf '; row 7, %s possible CPUs %s' "$possible" "$load"
	done
}

# The analysis written by hand for one version of the module; flagged when
# this run measured another.
analysis_section() {
	local want

	[ -f "$analysis" ] || return 0
	want=$(sed -n 's/^<!-- module sources: \([0-9a-f]*\) -->$/\1/p' "$analysis")
	if [ "$want" != "$module_at_start" ]; then
		printf '> **Note:** the module measured here (sources %s) is not the one this\n' "$module_at_start"
		printf '> analysis was written for (%s): re-check it against the figures above.\n\n' "$want"
	fi
	grep -v '^<!-- module sources' "$analysis"
}

# The kernels of the run as markdown: `6.1.0-56-amd64`, `6.12...`.
kernel_list() {
	# shellcheck disable=SC2016 # the backquotes are markdown
	grep -o '^kernel=[^ ]*' "$results" | sort -u | sed 's/^kernel=/`/; s/$/`/' |
		paste -sd, - | sed 's/,/, /g'
}

doc_header() {
	local duration=$1

	cat <<EOF
# Benchmarks: ohos_eventfd against native eventfd

Generated by \`make bench\` (scripts/bench.sh) on $(date -u -d "@$run_end" '+%Y-%m-%d %H:%M UTC'), in
$((duration / 60)) min $((duration % 60)) s. Do not edit: rerun \`make bench\`.

- Kernels (Debian, exact ABI): $(kernel_list)
- Emulator: $(qemu-system-x86_64 --version | head -n 1), TCG (no KVM on this machine)
- Host CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores,
  shared with other work: load average (1/5/15 min) before and after each boot:
  icount $(load_summary icount); multi $(load_summary multi)$(rings_load_summary)
- Module: module/ and include/ with sources hash $module_at_start (scripts/bench.sh's
  module_sources), $(module_commit)$(module_change_note)
- Benchmark: bench/ohos_eventfd_bench (C, -O2), the same binary on the host and in
  the guest (the guest sees the host's root filesystem).
EOF
}

doc_method() {
	cat <<EOF

## Method

Every figure compares a native \`eventfd()\` with ohos_eventfd counters measured in
the same process of the same boot, alternating loop by loop or run by run. The
counters are made by \`open("/dev/ohos_eventfd", O_RDWR|...)\` (with
\`OHOS_EFD_IOC_CONFIGURE\` for semaphore and initial count, \`OHOS_EFD_IOC_SET_MODE\`
for the transition mode) and, in rows 1, 5 and 6, also by \`OHOS_EFD_IOC_CREATE\`,
the way libohos_eventfd makes them. Each kernel is booted once per kind of
measurement:

- **Path length** (rows 1, 5, 6): \`scripts/vm.sh --accel icount\`: one vCPU, qemu
  \`-icount shift=0,sleep=off\`, so guest time advances one nanosecond per executed
  instruction and \`clock_gettime()\` around a loop counts instructions (less the
  cost of the two clock reads). Row 1 runs $BENCH_LOOPS loops of $BENCH_ITERS operations per
  figure after an untimed warm-up loop and reports the fastest loop: loops are
  shorter than the 4 ms between timer ticks, so some see no interrupt and the
  fastest is the path length itself. Row 1's **write to a counter in an epoll set,
  event not yet collected** (issue 15): the counter is added to an epoll set
  (\`EPOLL_CTL_ADD\`, \`EPOLLIN\`, level-triggered) that nobody calls \`epoll_wait()\`
  on, so its event is never collected: the first write of the untimed warm-up
  loop wakes it (queues it on the set's ready list), and every timed write finds
  it still there. Native eventfd runs its wakeup (\`ep_poll_callback()\`, which
  finds the item queued) on every write; ohos_eventfd in exact mode skips it while
  it is outstanding, and on one vCPU a counter has no rings, so its writes take the
  lock. The line gives, from \`OHOS_EFD_IOC_GET_STATS\`, how many of the counter's
  writes woke; "what the wakeup costs" is that figure less the plain write's. The
  \`coalesce=N\` lines are the same boot with the module reloaded (\`rmmod\`,
  \`insmod ... coalesce=0\`) and only the write and this row run again, for
  ohos_eventfd (native's figure is the first run's: under icount it does not move
  between runs). Row 6 reports the median of $BENCH_LOOPS loops of
  $BENCH_ITERS creations, so it includes what closing defers (RCU frees, task work) and the
  odd timer tick. The whole boot is run twice to check that the figures repeat:
  $(report -v what=repeat -v det=icount -v rep=icount-repeat).
- **Contention** (rows 2-4): \`scripts/vm.sh --accel multi --smp $BENCH_SMP\`
  (multi-threaded TCG, one host thread per vCPU), wall clock, $BENCH_RUNS runs of
  $BENCH_DURATION_MS ms per figure: the median, the quartiles and the min–max over the runs.
  Threads are pinned: the writer or pinger on CPU 0, the waiter on CPU 1; in row 4,
  writer i on CPU i and the reader on the last CPU. Row 2 and 3 figures are each
  run's median latency. Row 4's writers are nonblocking and add 1 per write; its
  consumers: **read** blocks in \`read()\`; **epoll** waits in \`epoll_wait()\`
  (level-triggered) and then reads; **epoll-et** (issue 15) is registered with
  \`EPOLLIN|EPOLLET\` and only calls \`epoll_wait()\` in a loop, never \`read()\`, as
  libuv, netty, mio/tokio and bun use their wakeup eventfd: the count just grows
  (about $BENCH_DURATION_MS ms of writes is nowhere near the ceiling), each return collects the
  event, and every write after it must make a new edge. Its figures are the
  writes per second, the per-CPU path share (\`fast_writes\` / \`writes\`), the locked
  writes (\`slow_writes\`) and the wakeups per 1000 writes from
  \`OHOS_EFD_IOC_GET_STATS\` after the writers stop, and the consumer's
  \`epoll_wait()\` returns per 1000 writes, native's included; an \`epoll_wait()\` that
  waits 1 s while writers run is counted as a timeout (a lost edge). epoll-et is
  measured for native and exact mode only: transition mode gives a consumer that
  never reads one edge in all, by design. For the fast_path=N rows the module was
  reloaded (\`rmmod\`, \`insmod ... fast_path=0\`) in the same boot, for every reader;
  for the coalesce=N rows (\`insmod ... coalesce=0\`: every write in exact mode wakes,
  as before issue 15) likewise, for the epoll and epoll-et readers. The host has $(nproc)
  cores, so there is no \`-smp 4\` run: with more vCPUs than host cores, MTTCG
  would time-slice vCPUs instead of running them in parallel.
- **Memory** (row 5, in the icount boot, $BENCH_MEM guest): $BENCH_INSTANCES instances of one
  kind held open (RLIMIT_NOFILE raised, the fd table grown beforehand so that its
  growth is not counted), \`/proc/meminfo\` Slab + Percpu before and after,
  divided by the count; \`/proc/slabinfo\` deltas of objects in use say which caches
  grew (caches merged by SLUB appear under the merged cache's name).
- **Memory of written counters** (row 7, issue 16): one boot per possible-CPU
  count, \`scripts/vm.sh --accel multi --mem $BENCH_RINGS_MEM\` with $BENCH_RINGS_ONLINE online vCPUs (multi-threaded
  TCG, so that writers on different vCPUs really run at once; the host's $(nproc)
  cores time-slice them) and \`$BENCH_RINGS_CMDLINE\` on the kernel command line (every slab
  cache of its own: the counters' objects, the rings' above all, share no slab with
  the epoll items the contention below makes and frees). Possible CPUs: 6.1 \`-smp $BENCH_RINGS_ONLINE,maxcpus=M\` with
  \`possible_cpus=P\` on the kernel command line (M = P, at most $BENCH_QEMU_MAX_VCPUS); 6.12 \`-smp P\`
  with \`maxcpus=$BENCH_RINGS_ONLINE\` on the command line (P - $BENCH_RINGS_ONLINE present vCPUs stay
  offline), at most $BENCH_QEMU_MAX_VCPUS (below). The guest's
  \`/sys/devices/system/cpu/possible\` is what the tables give. Per figure, $(rows7_counters)
  counters are made the way libohos_eventfd makes them (\`ohos_eventfd(0,
  EFD_CLOEXEC|EFD_NONBLOCK)\`; native: \`eventfd()\` with the same flags) and
  written from k CPUs, k = 1..$BENCH_RINGS_ONLINE, one counter at a time, with the contention the
  tests' \`efd_give_rings()\` (selftests/oefd_test_lib.c) makes, so that every counter
  gets its rings whether or not two vCPUs happen to meet inside a short write: the
  counter is added to $(rows7_key watchers) epoll sets (\`EPOLLIN\`, level-triggered, nobody waits in
  them); on each of the k CPUs a writer thread and a holder thread, pinned there,
  write 0 to it in a loop, and the holder collects the first set's event after each
  write (\`epoll_wait()\`, timeout 0). A write that wakes (in exact mode the first
  after a collection; native: every write) runs $(rows7_key watchers) \`ep_poll_callback()\`s with the
  counter's lock held, so a writer on another CPU that comes meanwhile finds the lock
  held; on ohos_eventfd its write could have taken the per-CPU path (the wakeup is
  still to be collected), so its CPU gets a ring. The writes go on until every thread
  made $(rows7_key min_writes) and, on ohos_eventfd, the counter's \`/proc/self/fdinfo\` shows exactly k
  rings (\`ohos_eventfd-rings: k\`; none for k = 1: one CPU's writers hold the lock
  with interrupts off and never find it held; with a module before issue 16, which
  reports only \`ohos_eventfd-percpu: 0|1\`, per-CPU rings at all), or
  $(rows7_budget) ms have passed; then the threads stop, the counter leaves the epoll
  sets and its fdinfo is read again: the tables count the counters that ended with
  exactly the rings sought, and mark a figure in which not all did incomplete. Native
  counters get the same epoll sets, threads, writes (at least $(rows7_key min_writes) per thread) and
  fdinfo reads, minus the rings; the count stays 0 on both. Fdinfo is read through
  one fd number: the counter is \`dup2()\`ed onto it and the \`/proc/self/fdinfo\` file of
  that number, opened once, is read again from offset 0, so that reading allocates
  nothing (opening the fdinfo file at each look would allocate a file in the cache of
  the counters' own files). Issue 16's own setup is a
  further figure: $(rows7_issue) counters, each written once from CPU 0, then (one
  migration later, the same thread) twice from CPU 1, no contention. A figure is
  what it left allocated, per counter: the \`/proc/slabinfo\` deltas of objects in use
  times each cache's slot size, over the caches that changed by at least 1 byte per
  counter, plus the \`/proc/meminfo\` Percpu delta, from a snapshot before the
  creations to one after the writes; one snapshot after a figure is the one before the
  next (nothing runs in between). The \`/proc/meminfo\` Slab + Percpu deltas (slab pages)
  are given beside. Slab noise: before each snapshot an RCU
  grace period (\`membarrier(MEMBARRIER_CMD_GLOBAL)\`) and a pause of $(rows7_settle) s (longer than
  the 5 s for which \`kfree_rcu()\`, which 6.12 uses for epoll items, batches its frees)
  let the removed epoll items be freed, then every slab cache is shrunk (\`1\` written to
  each \`/sys/kernel/slab/*/shrink\`: the CPUs' slabs flushed, empty slabs freed), so
  that the objects in use of \`/proc/slabinfo\` (which counts the free objects of per-CPU
  slabs as in use) are the objects allocated, and Slab holds no empty slab; the shrink
  files, \`/proc/meminfo\` and \`/proc/slabinfo\` are opened once and kept, so that a
  snapshot allocates no file. The
  threads and epoll sets are made once, before the first snapshot; every counter
  stays open until the row ends, so that no figure refills what an earlier one freed.
  Before the first figure, not reported: $(rows7_key fill) native counters opened (their files,
  dentries and contexts fill the free slots the boot left in the partly used slabs of
  the caches every figure allocates from), $(rows7_counters) written the same way from all $BENCH_RINGS_ONLINE
  CPUs, then a native
  k = 1 figure (in trials the first figure of a boot, whichever it was, saw some 70
  proc inodes and 280 LSM inode blobs per 300 counters freed). Native and ohos_eventfd
  alternate per k in the same boot. The pages are the noisier measure at $(rows7_counters)
  counters: a figure's objects go partly into free slots of partly used slabs, partly
  into new pages, as the state of the slabs has it (and the kernel's own allocations
  meanwhile move them too); the objects are moved only by the kernel's own objects
  in the caches listed (\`kmalloc-8\`: a few bytes per counter either way).

## Figures

EOF
}

doc_tcg_and_host() {
	cat <<EOF

## What TCG distorts

- **icount counts instructions, not cycles.** Rows 1, 5 and 6 are path lengths: a
  cache miss, a locked instruction, a mispredicted branch or an irq-off section costs
  one instruction like any other. Cache-line bouncing between CPUs is invisible, and
  so is the difference between a spinlock and a per-CPU store that the per-CPU rings
  exist for. The ratios say how much code runs, not how long it takes.
- **Multi-threaded TCG timing is not hardware timing.** Every guest instruction is
  translated code; a syscall, an IPI, an interrupt return or a TLB flush costs far
  more relative to plain instructions than on hardware, atomics and memory barriers
  are emulated with the host's (so their relative cost differs), and a vCPU that
  halts (idle) is a host thread that must be woken and scheduled again. Cross-CPU
  latencies (rows 2 and 3) are therefore dominated by the emulator and the host
  scheduler. The guest's clock source matters too: $(clocksources); an hpet read
  is an emulated device access, where a TSC read is one instruction.
- **The host was shared** with other work while this ran (load averages above):
  vCPU threads are descheduled for whole host time slices, which is where the
  millisecond outliers and the wide ranges of rows 2-4 come from. Runs alternate
  between implementations, so both suffer alike, but a ratio whose quartiles
  overlap native's is within the noise.
- **Two vCPUs only**: row 4 stops at 2 writers, and with 2 writers the reader shares
  a vCPU with one of them.

## Real hardware: \`make bench-host\`

On a machine with the module loaded (\`make module && sudo insmod module/ohos_eventfd.ko\`,
or \`make install\`), run as root:

    make bench-host        # scripts/bench.sh --host

It runs the same binary, every row, against the loaded module, and prints the same
tables in nanoseconds of real time (row 5 needs root for /proc/slabinfo). It writes
nothing. It fails with a message when /dev/ohos_eventfd is absent. For the fast_path
comparison, reload the module with \`fast_path=0\` and run
\`bench/ohos_eventfd_bench --impl ohos writers\`; for the coalescing one, with
\`coalesce=0\` and run \`bench/ohos_eventfd_bench --impl ohos --path-tests
$BENCH_NOCOALESCE_PATH path\` and \`bench/ohos_eventfd_bench --impl ohos --readers
$BENCH_NOCOALESCE_READERS writers\`.
EOF
}

write_doc() {
	local duration=$1

	{
		doc_header "$duration"
		doc_method
		report -v what=figures -v det=icount -v con=multi -v dunit=instructions
		printf '![Row 4: throughput against writers](bench-writers.png)\n\n'
		! has_row7 ||
			printf '![Row 7: memory of written counters against writer CPUs](bench-memory.png)\n\n'
		printf '## Goals (reported, never asserted)\n\n'
		report -v what=goals -v det=icount -v con=multi -v dunit=instructions \
			-v cwhat="wall clock under multi-threaded TCG"
		analysis_section
		doc_tcg_and_host
	} >"$doc.tmp"
	mv "$doc.tmp" "$doc"
}

# "git commit abc1234" and whether module/ or include/ differ from it;
# read-only (no index refresh).
module_commit() {
	local head

	if ! head=$(git -C "$OEFD_TOP" rev-parse --short HEAD 2>/dev/null); then
		printf 'not a git checkout'
		return
	fi
	printf 'git commit %s' "$head"
	git -C "$OEFD_TOP" --no-optional-locks diff --quiet HEAD -- module include 2>/dev/null ||
		printf ' with uncommitted changes in module/ or include/'
}

module_change_note() {
	[ -z "$module_changed" ] ||
		printf '\n- **Warning:** the module sources changed during this run (noticed after %s): %s' \
			"the $module_changed boot" "the figures mix module versions."
}

plot() {
	oefd_need_pkgs gnuplot-nox
	report -v what=plot -v con=multi -v png="$png" >"$work/writers.gp"
	gnuplot "$work/writers.gp" || oefd_die "gnuplot failed on $work/writers.gp"
	has_row7 || return 0
	report -v what=plot-memory -v png="$png_memory" >"$work/memory.gp"
	gnuplot "$work/memory.gp" || oefd_die "gnuplot failed on $work/memory.gp"
}

run_vm() {
	local series start=$SECONDS duration

	[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
	build_bench
	for series in "${kernels[@]}"; do
		oefd_kernel_ensure "$series" >/dev/null
		bench_kernel "$series"
	done
	duration=$((SECONDS - start))
	run_end=$(date +%s)
	printf '%s %s %s\n' "$duration" "$run_end" "$module_at_start" >"$work/run.txt"
	write_report "$duration"
}

# The doc and the plots from $results; @duration: how long the run took.
write_report() {
	local duration=$1

	report -v what=figures -v det=icount -v con=multi -v dunit=instructions
	report -v what=goals -v det=icount -v con=multi -v dunit=instructions \
		-v cwhat="wall clock under multi-threaded TCG"
	plot
	write_doc "$duration"
	oefd_say "bench: wrote docs/benchmarks.md, docs/bench-writers.png and docs/bench-memory.png (raw output in $work)"
	oefd_say "bench: done in $((duration / 60)) min $((duration % 60)) s"
}

# --report DIR: the doc again from an earlier run's results. Its duration,
# end and module sources come from DIR/run.txt; a run made before run.txt
# existed: from DIR's name (its start) and the results' last change.
run_report() {
	local dir=$1 duration sources

	[ -s "$dir/results.txt" ] || oefd_die "no results in $dir (--report takes a run's directory)"
	work=$dir
	results=$dir/results.txt
	if [ -f "$dir/run.txt" ]; then
		read -r duration run_end sources <"$dir/run.txt"
		[ "$sources" = "$module_at_start" ] ||
			oefd_die "$dir measured module sources $sources, this tree has $module_at_start"
	else
		run_end=$(stat -c %Y "$results")
		duration=$((run_end - $(date -u -d "$(basename "$dir" |
			sed -E 's/^(....)(..)(..)-(..)(..)(..)$/\1-\2-\3 \4:\5:\6/')" +%s)))
		oefd_say "bench: $dir has no run.txt: its duration and end are taken from its name and" \
			"results.txt; its module sources are assumed to be this tree's"
	fi
	write_report "$duration"
}

run_host() {
	local start=$SECONDS raw=$work/host.txt rows=(path pingpong epoll writers create)

	[ -c /dev/ohos_eventfd ] ||
		oefd_die "no /dev/ohos_eventfd: load the module first" \
			"(make module && sudo insmod module/ohos_eventfd.ko)"
	build_bench
	if [ "$(id -u)" -eq 0 ]; then
		rows+=(memory written)
	else
		oefd_say "bench: not root: skipping rows 5 and 7 (memory needs /proc/slabinfo" \
			"and a higher RLIMIT_NOFILE)"
	fi
	oefd_say "bench: running on this machine ($(uname -r), $(nproc) CPUs)"
	{ echo "$BENCH_MARK $(uname -r)"; "$bench_bin" "${BENCH_WRITTEN_ARGS[@]}" "${rows[@]}" 2>&1; } |
		tee "$raw" | progress_lines || oefd_die "the benchmark failed: output in $raw"
	collect "$raw" host >>"$results"
	report -v what=figures -v det=host -v con=host -v dunit=ns
	report -v what=goals -v det=host -v con=host -v dunit=ns -v cwhat="wall clock on this machine"
	oefd_say "bench: done in $((SECONDS - start)) s (raw output in $raw)"
}

main() {
	local host='' report_dir='' work results module_at_start module_changed='' run_end
	local -a kernels=()

	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--host) host=1 ;;
		--report)
			[ -n "${2:-}" ] || { usage >&2; oefd_die "--report takes a directory"; }
			report_dir=$2
			shift
			;;
		--kernel)
			case ${2:-} in
			6.1 | 6.12) kernels+=("$2") ;;
			*) usage >&2; oefd_die "--kernel takes 6.1 or 6.12" ;;
			esac
			shift
			;;
		*) usage >&2; oefd_die "unknown argument '$1'" ;;
		esac
		shift
	done
	module_at_start=$(module_sources)
	if [ -n "$report_dir" ]; then
		run_report "$report_dir"
		return
	fi
	work=$(oefd_cache)/bench/$(date +%Y%m%d-%H%M%S)
	mkdir -p "$work"
	results=$work/results.txt
	: >"$results"
	if [ -n "$host" ]; then
		run_host
	else
		run_vm
	fi
}

main "$@"
