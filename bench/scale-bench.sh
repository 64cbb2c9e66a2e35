#!/bin/bash
# SPDX-License-Identifier: MIT
# Scale measurements of oompolicyd, printed as Markdown tables.
#
#   bash bench/scale-bench.sh [--quick] [--only rules,cpu,scan] [--no-build] [--keep]
#
#   --quick       smaller sizes and shorter runs (< 2 minutes): rules up to
#                 10,000, one scan size (1,000 processes)
#   --only LIST   run only these sections (comma-separated)
#   --no-build    use src/oompolicyd and src/oompolicyctl as they are
#   --keep        keep the scratch directory (daemon logs, state.json, policies)
#
# Sections:
#  rules  matching cost vs policy size: 10 / 1,000 / 10,000 / 100,000 rules,
#         all exact names, mixed (1 in 10 a glob) and all globs. Per size:
#         bench/oombench-match (the daemon's own code in a loop: policy load,
#         one match, one whole evaluation of a live process), `oompolicyctl
#         check` wall time, and a daemon run: start-up time, an exec storm of
#         known size (CPU per process and per event, latency, misses), VmRSS.
#  cpu    daemon CPU seconds per 10,000 events: exec storms of known size at
#         100/s, 1000/s and as fast as possible; utime+stime of the daemon
#         (/proc/PID/stat) before and after, and its events counter.
#  scan   full-scan time with 1,000 / 10,000 / 20,000 live processes: cheap
#         static sleepers (bench/oombench-sleeper.c, 1 in 4 named as a rule
#         matches) in a pids cgroup created here; `oompolicyctl apply
#         --dry-run` time, the daemon's start-up scan (state.json scans.*),
#         a SIGHUP rescan with nothing to change and one after a policy edit,
#         each checked process by process: nothing matching missed, nothing
#         else touched.
#
# Needs root. Changes only processes it starts itself; the daemon runs with
# restore_on_exit = yes and puts back every value it wrote when it stops.
# The sleepers die with their parent (PR_SET_PDEATHSIG) and the cgroup is
# emptied by PID and removed at exit. Helpers are built into bench/out/.
set -euo pipefail

cmdline="bash bench/scale-bench.sh${*:+ $*}"

only="rules,cpu,scan"
BENCH=scale-bench
# shellcheck source=bench/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_parse_options 3,33 "$@"

# ---- parameters ----
KINDS="exact mixed glob"
if (( quick )); then
        SIZES="10 1000 10000"; MICRO_MS=50; MICRO_RUNS=1
        STORM_RATE=500; STORM_SECS=1
        CPU_STORMS="100:300 1000:1000 0:1000"
        SCAN_SIZES="1000"
else
        SIZES="10 1000 10000 100000"; MICRO_MS=200; MICRO_RUNS=3
        STORM_RATE=500; STORM_SECS=4
        CPU_STORMS="100:3000 1000:10000 0:10000"
        SCAN_SIZES="1000 10000 20000"
fi
# A storm against a policy whose evaluation is slow runs at a lower rate, so
# that the daemon needs at most this share of one CPU (evaluations ~ 1.2 per
# spawned process: renamed targets are evaluated at EXEC and at COMM).
STORM_CPU_SHARE=0.5
SCAN_EVERY=4              # 1 in 4 sleepers is named as a rule matches
S_TARGET=oomscan-tgt
S_OTHER=oomscan-other

bench_init

bench_build_daemon "$build" src/oompolicyd src/oompolicyctl
[[ -x "$CTL" ]] || die "$CTL not built"
bench_build_target
bench_build_spawn
bench_build_match
bench_build_c oombench-sleeper -static

# gen_rules N KIND: a drop-in of N rules. The two bench rules come first, so
# they are the weakest and every evaluation walks all the globs before it
# reaches them (the worst case). KIND: exact (all exact names), mixed (1 in 10
# a glob), glob (all globs, the bench rules too). Globs cycle through four
# shapes: prefix, suffix, infix and a character class; every generated name
# contains "zz", so no real process on the machine matches one.
gen_rules() {
        awk -v n="$1" -v kind="$2" -v t="$T_NAME" -v r="$R_NAME" -v w="$WANT" 'BEGIN {
                print "[oom_score_adj]"
                if (kind == "glob")
                        printf "%s[%s] = %d\n%s[%s] = %d\n", substr(t, 1, length(t) - 1), substr(t, length(t)), w,
                                substr(r, 1, length(r) - 1), substr(r, length(r)), w
                else
                        printf "%s = %d\n%s = %d\n", t, w, r, w
                for (i = 0; i < n - 2; i++) {
                        if (kind == "exact" || (kind == "mixed" && i % 10 != 9)) { printf "zzp%d = 100\n", i; continue }
                        s = i % 4
                        if (s == 0) printf "zzg%d-* = 50\n", i
                        else if (s == 1) printf "*-zzs%d = 50\n", i
                        else if (s == 2) printf "*zzm%d* = 50\n", i
                        else printf "zzc%d-[0-9]? = 50\n", i
                } }'
}

# median_kv FILES GROUP KEY: the median of KEY over the RESULT lines of FILES.
median_kv() {
        local files="$1" f
        for f in $files; do kv "$f" "$2" "$3"; done | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}

# secs_ms CMD...: wall ms of CMD (output discarded).
secs_ms() {
        local t0 t1
        t0=$(now_ms)
        "$@" >/dev/null 2>&1 || :
        t1=$(now_ms)
        echo $((t1 - t0))
}

cpu_us_per() { awk -v t="$1" -v h="$CLK_TCK" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", t / h * 1e6 / n; else print "–" }'; }
ns_us_per() { awk -v ns="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", ns / 1e3 / n; else print "–" }'; }
kib_mib() { awk -v k="$1" 'BEGIN { if (k == "") print "–"; else printf "%.1f", k / 1024 }'; }

echo "# oompolicyd at scale"
echo
bench_header
echo "Daemon: src/oompolicyd, --log-target=console (to a file), log level info (one line per adjustment); target binary: $target_link"
echo

# ---- 1. matching cost vs policy size ----
if want_section rules; then
        for kind in $KINDS; do
                for n in $SIZES; do
                        id="$kind-$n"
                        log "rules: $kind, $n"
                        gen_rules "$n" "$kind" >"$tmp/rules-$id.conf"
                        write_policy "$tmp/policy-$id" "$tmp/rules-$id.conf"
                        conf="$tmp/policy-$id/oompolicy.conf"
                        micro=""
                        if [[ -n "$MATCH" ]]; then
                                for ((i = 1; i <= MICRO_RUNS; i++)); do
                                        "$MATCH" "$conf" "$T_NAME" "$MICRO_MS" >"$tmp/match-$id-$i.txt" 2>&1 ||
                                                log "WARNING: oombench-match failed on $id"
                                        micro+=" $tmp/match-$id-$i.txt"
                                done
                        fi
                        {
                                echo "RESULT group=check ms=$(secs_ms "$CTL" check --config "$conf")"
                                for key in load_ms policy_kb globs_scanned rules miss_us hit_us eval_miss_us eval_hit_us; do
                                        [[ -n "$micro" ]] && echo "RESULT group=micro_$key v=$(median_kv "$micro" match "$key")"
                                done
                        } >"$tmp/size-$id.txt"
                        # The storm rate this policy's evaluation cost allows.
                        eval_us=$(kv "$tmp/size-$id.txt" micro_eval_miss_us v)
                        rate=$(awk -v r="$STORM_RATE" -v e="${eval_us:-0}" -v s="$STORM_CPU_SHARE" 'BEGIN {
                                if (e > 0 && s * 1e6 / (1.2 * e) < r) r = int(s * 1e6 / (1.2 * e)); if (r < 10) r = 10; print r }')
                        count=$(( rate * STORM_SECS < 100 ? 100 : rate * STORM_SECS ))
                        start_daemon "$id" "$tmp/policy-$id"
                        rss0=$(status_field "$DPID" VmRSS)
                        run_spawner "$id" --rate "$rate" --count "$count" --lifetime-us "$LIFETIME_US" --mix "$MIX"
                        echo "RESULT group=daemon start_ms=$START_MS rss_start_kb=$rss0 rules=$(state_field "$SDIR" rules) rate=$rate count=$count" \
                                >>"$tmp/size-$id.txt"
                        stop_daemon
                done
        done

        echo "## Matching cost vs policy size"
        echo
        echo "Policy: conf/oompolicy.conf (4 rules, qualified by user and exe) + a generated drop-in of N rules in \`[oom_score_adj]\`: *exact* = exact names only, *mixed* = 1 in 10 a glob, *globs* = globs only (prefix \`zzgK-*\`, suffix \`*-zzsK\`, infix \`*zzmK*\`, class \`zzcK-[0-9]?\` in turn). The two bench rules are defined first, i.e. weakest, so every evaluation walks every glob (worst case)."
        echo
        echo "In-process (bench/oombench-match: the daemon's code from libcore.a in a loop, CPU time, median of $MICRO_RUNS runs): *match* = matcher_find_rule() alone; *evaluation* = what the daemon does per EXEC/COMM event up to the write: read stat + oom_score_adj, the policy's fields (status, exe) when a rule may match, match. Daemon: CPU (utime+stime) per spawned process of an exec storm (6 in 10 targets, 2 renamed, 2 decoys, 20 ms each)."
        echo
        header="| rules |"; sep="|---:|"
        for kind in $KINDS; do header+=" match µs, $kind |"; sep+="---:|"; done
        for kind in $KINDS; do header+=" evaluation µs, $kind |"; sep+="---:|"; done
        for kind in $KINDS; do header+=" daemon CPU µs per process, $kind |"; sep+="---:|"; done
        echo "$header"; echo "$sep"
        for n in $SIZES; do
                row="| $n |"
                for kind in $KINDS; do row+=" $(kv "$tmp/size-$kind-$n.txt" micro_miss_us v) |"; done
                for kind in $KINDS; do row+=" $(kv "$tmp/size-$kind-$n.txt" micro_eval_miss_us v) |"; done
                for kind in $KINDS; do
                        f="$tmp/spawn-$kind-$n.txt"
                        row+=" $(cpu_us_per "$(kv "$f" tool cpu_ticks)" "$(kv "$f" run spawned)") |"
                done
                echo "$row"
        done
        echo
        echo "Match and evaluation for a process no rule names (the common case); with the bench rule's name the numbers are within noise of these (see the detail)."
        echo
        echo "| policy | rules (+4 shipped) | globs walked | load ms (CPU) | \`oompolicyctl check\` ms (wall) | daemon start → state.json ms | policy KiB | daemon VmRSS MiB: started / after storm | match µs: none / bench rule | evaluation µs: none / bench rule | storm: processes at rate/s | daemon CPU µs per process (schedstat) | CPU ms per 10,000 events | in process: median / p99 / max µs | misses | load avg before → after; host steal |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        for kind in $KINDS; do
                for n in $SIZES; do
                        s="$tmp/size-$kind-$n.txt"; f="$tmp/spawn-$kind-$n.txt"
                        printf '| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s at %s | %s (%s) | %s | %s | %s | %s |\n' \
                                "$kind" "$n" "$(kv "$s" micro_globs_scanned v)" "$(kv "$s" micro_load_ms v)" \
                                "$(kv "$s" check ms)" "$(kv "$s" daemon start_ms)" "$(kv "$s" micro_policy_kb v)" \
                                "$(kib_mib "$(kv "$s" daemon rss_start_kb)")" "$(kib_mib "$(kv "$f" tool rss_kb)")" \
                                "$(kv "$s" micro_miss_us v)" "$(kv "$s" micro_hit_us v)" \
                                "$(kv "$s" micro_eval_miss_us v)" "$(kv "$s" micro_eval_hit_us v)" \
                                "$(kv "$f" run spawned)" "$(kv "$s" daemon rate)" \
                                "$(cpu_us_per "$(kv "$f" tool cpu_ticks)" "$(kv "$f" run spawned)")" \
                                "$(ns_us_per "$(kv "$f" tool run_ns)" "$(kv "$f" run spawned)")" \
                                "$(awk -v t="$(kv "$f" tool cpu_ticks)" -v h="$CLK_TCK" -v e="$(kv "$f" tool events)" 'BEGIN { if (e > 0) printf "%.0f", t / h * 1e3 * 10000 / e; else print "–" }')" \
                                "$(triple "$f" exec)" "$(( $(kv "$f" exec misses) + $(kv "$f" rename misses) ))" "$(load_cell "$f")"
                done
        done
        echo
        echo "*load ms*: policy_load() of the whole policy, CPU. *policy KiB*: VmRSS growth over that load. *daemon start*: fork → state.json published (policy load, sysctls, the start-up scan of the machine, first publish). The storm rate is lowered for policies whose evaluation would need more than $(awk -v s="$STORM_CPU_SHARE" 'BEGIN { printf "%d", s * 100 }') % of a CPU at $STORM_RATE/s. *events* are every process event of the machine during the storm (fork, exec, comm, exit of the storm and of everything else running)."
        echo
fi

# ---- 2. daemon CPU per 10,000 events ----
if want_section cpu; then
        cat >"$tmp/bench-rules.conf" <<EOF
[oom_score_adj]
$T_NAME = $WANT
$R_NAME = $WANT
EOF
        write_policy "$tmp/policy-cpu" "$tmp/bench-rules.conf"
        start_daemon cpu "$tmp/policy-cpu"
        rules=$(state_field "$SDIR" rules)
        for spec in $CPU_STORMS; do
                IFS=: read -r rate count <<<"$spec"
                log "cpu: $count execs at ${rate}/s (0 = as fast as possible)"
                run_spawner "cpu-$rate" --rate "$rate" --count "$count" --lifetime-us "$LIFETIME_US" --mix "$MIX"
        done
        stop_daemon

        echo "## Daemon CPU per 10,000 events"
        echo
        echo "Policy: conf/oompolicy.conf + \`[oom_score_adj] $T_NAME = $WANT, $R_NAME = $WANT\` ($rules rules), one daemon for all rows. Each row an exec storm of known size (6 in 10 targets, 2 renamed, 2 decoys, 20 ms each); CPU = utime+stime of the daemon from /proc/PID/stat before and after (clock ticks of 1/$CLK_TCK s; schedstat in ns in parentheses). Events = the daemon's events counter (state.json): fork, exec, comm, exit of the storm plus everything else on the machine meanwhile."
        echo
        echo "| rate | execs | achieved/s | events | daemon CPU s | CPU s per 10,000 events | CPU s per 10,000 execs | µs per event (schedstat) | in process: median / p99 / max µs | misses | overflows | VmRSS MiB | load avg before → after; host steal |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        for spec in $CPU_STORMS; do
                IFS=: read -r rate count <<<"$spec"
                f="$tmp/spawn-cpu-$rate.txt"
                ticks=$(kv "$f" tool cpu_ticks); ev=$(kv "$f" tool events); ns=$(kv "$f" tool run_ns); sp=$(kv "$f" run spawned)
                printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
                        "$( (( rate == 0 )) && echo max || echo "$rate/s")" "$sp" "$(kv "$f" run rate)" "$ev" \
                        "$(awk -v t="$ticks" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }')" \
                        "$(awk -v t="$ticks" -v h="$CLK_TCK" -v e="$ev" 'BEGIN { if (e > 0) printf "%.2f", t / h * 10000 / e; else print "–" }')" \
                        "$(awk -v t="$ticks" -v h="$CLK_TCK" -v e="$sp" 'BEGIN { if (e > 0) printf "%.2f", t / h * 10000 / e; else print "–" }')" \
                        "$(ns_us_per "$ns" "$ev")" "$(triple "$f" exec)" \
                        "$(( $(kv "$f" exec misses) + $(kv "$f" rename misses) ))" "$(kv "$f" tool overflows)" \
                        "$(kib_mib "$(kv "$f" tool rss_kb)")" "$(load_cell "$f")"
        done
        echo
fi

# ---- 3. full-scan time vs number of processes ----

# check_values LIST VALUE_T: counts (into WRONG_T, WRONG_O) targets ("T PID"
# lines) whose oom_score_adj is not VALUE_T and others ("O PID") not at BASE.
check_values() {
        local kind pid v
        WRONG_T=0; WRONG_O=0
        while read -r kind pid; do
                [[ $kind == T || $kind == O ]] || continue
                read -r v 2>/dev/null <"/proc/$pid/oom_score_adj" || v=gone
                if [[ $kind == T ]]; then
                        [[ $v == "$2" ]] || WRONG_T=$((WRONG_T + 1))
                else
                        [[ $v == "$BASE_ADJ" ]] || WRONG_O=$((WRONG_O + 1))
                fi
        done <"$1"
}

# wait_rescan N: until the daemon's rescans counter reaches N (<= 120 s).
wait_rescan() {
        local i
        for ((i = 0; i < 2400; i++)); do
                [[ "$(state_counter "$SDIR" rescans 2>/dev/null)" -ge "$1" ]] 2>/dev/null && return 0
                sleep 0.05
        done
        log "WARNING: rescan $1 not published within 120 s"
        return 1
}

if want_section scan; then
        BASE_ADJ=$(<"/proc/self/oom_score_adj")
        for n in $SCAN_SIZES; do
                f="$tmp/scan-$n.txt"
                : >"$f"
                # Leave other people PIDs: every thread of the machine holds one (loadavg's total).
                pid_max=$(</proc/sys/kernel/pid_max)
                tasks=$(awk '{ split($4, a, "/"); print a[2] }' /proc/loadavg)
                if (( tasks + n + 2000 > pid_max )); then
                        log "scan: skipping $n processes: $tasks tasks running, pid_max $pid_max"
                        echo "RESULT group=scan skipped=pid_max" >"$f"
                        continue
                fi
                log "scan: $n sleepers"
                cg=""
                if cgroup_create_pids "oombench-scan-$$-$n" $((n + 16)); then
                        cg=$CGROUP
                else
                        log "WARNING: no pids cgroup; the sleepers run without one (they die with their parent)"
                fi
                list="$tmp/sleepers-$n.txt"
                # The subshell joins the cgroup, then becomes the sleeper (same PID).
                ( [[ -z "$cg" ]] || echo "$BASHPID" >"$cg/cgroup.procs"
                  exec "$out/oombench-sleeper" "$n" "$SCAN_EVERY" "$S_TARGET" "$S_OTHER" ) \
                        >"$list" 2>"$tmp/sleeper-$n.err" &
                spid=$!
                CHILD_PIDS+=("$spid")
                forked=""
                for ((i = 0; i < 1200; i++)); do
                        [[ -z "$forked" ]] && read -r _ forked targets < <(grep '^READY' "$list") || :
                        [[ -n "$forked" && $(wc -l <"$list") -gt $forked ]] && break
                        kill -0 "$spid" 2>/dev/null || break
                        sleep 0.05
                done
                [[ -n "$forked" ]] || die "sleepers did not start ($(cat "$tmp/sleeper-$n.err"))"
                (( forked == n )) || log "WARNING: only $forked of $n sleepers ($(cat "$tmp/sleeper-$n.err"))"
                log "scan: $forked sleepers ($targets targets)${cg:+ in $cg}"
                sleep 0.5   # let the fork storm's events drain before the daemon subscribes

                printf '[oom_score_adj]\n%s = %d\n' "$S_TARGET" "$WANT" >"$tmp/scan-rules.conf"
                write_policy "$tmp/policy-scan-$n" "$tmp/scan-rules.conf"
                conf="$tmp/policy-scan-$n/oompolicy.conf"
                # oompolicyctl apply --dry-run: the same walk, once, nothing written.
                TIMEFORMAT='%R %U %S'
                { time "$CTL" apply --dry-run --config "$conf" >"$tmp/dryrun-$n.txt" 2>"$tmp/dryrun-$n.err"; } 2>"$tmp/dryrun-$n.time" || :
                read -r dry_wall dry_user dry_sys <"$tmp/dryrun-$n.time"
                dry_ms=$(awk -v w="$dry_wall" 'BEGIN { printf "%.0f", w * 1000 }')
                dry_cpu_ms=$(awk -v u="$dry_user" -v s="$dry_sys" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
                dry_hits=$(grep -c " $S_TARGET " "$tmp/dryrun-$n.txt" || :)

                start_daemon "scan-$n" "$tmp/policy-scan-$n"
                start_cpu_ns=$(run_ns "$DPID")   # everything since exec: policy load, start-up scan, first publish
                check_values "$list" "$WANT"; wt1=$WRONG_T; wo1=$WRONG_O
                first_us=$(state_field "$SDIR" scans.first_duration_usec)
                first_n=$(state_field "$SDIR" scans.first_processes)
                # Rescan, nothing to change (CPU: reload + rescan + publish).
                c0=$(run_ns "$DPID")
                kill -HUP "$DPID"; wait_rescan 2 || :
                same_cpu_ns=$(( $(run_ns "$DPID") - c0 ))
                check_values "$list" "$WANT"; wt2=$WRONG_T; wo2=$WRONG_O
                same_us=$(state_field "$SDIR" scans.last_duration_usec)
                # Rescan after an edit: every target gets a new value.
                printf '[oom_score_adj]\n%s = %d\n' "$S_TARGET" $((WANT + 100)) >"$tmp/policy-scan-$n/oompolicy.conf.d/50-bench.conf"
                c0=$(run_ns "$DPID")
                kill -HUP "$DPID"; wait_rescan 3 || :
                edit_cpu_ns=$(( $(run_ns "$DPID") - c0 ))
                check_values "$list" $((WANT + 100)); wt3=$WRONG_T; wo3=$WRONG_O
                edit_us=$(state_field "$SDIR" scans.last_duration_usec)
                last_n=$(state_field "$SDIR" scans.last_processes)
                rss=$(status_field "$DPID" VmRSS)
                echo "RESULT group=scan forked=$forked targets=$targets processes=$first_n last_processes=$last_n first_us=$first_us same_us=$same_us edit_us=$edit_us start_cpu_ns=$start_cpu_ns same_cpu_ns=$same_cpu_ns edit_cpu_ns=$edit_cpu_ns start_ms=$START_MS dry_ms=$dry_ms dry_cpu_ms=$dry_cpu_ms dry_hits=$dry_hits wt1=$wt1 wo1=$wo1 wt2=$wt2 wo2=$wo2 wt3=$wt3 wo3=$wo3 rss_kb=$rss load=$(loadavg | tr ' ' ,)" >"$f"
                stop_daemon
                kill -TERM "$spid" 2>/dev/null || :
                wait "$spid" 2>/dev/null || :
                [[ -z "$cg" ]] || cgroup_remove "$cg"
        done

        echo "## Full scan vs number of processes"
        echo
        echo "N static sleepers (bench/oombench-sleeper.c) in a pids cgroup, 1 in $SCAN_EVERY renamed \`$S_TARGET\`, the rest \`$S_OTHER\`, all alive before anything starts. Policy: conf/oompolicy.conf + \`[oom_score_adj] $S_TARGET = $WANT\`. *processes* is what the daemon's scan saw (the sleepers + everything else on the machine). After each scan every sleeper's oom_score_adj is read back: *wrong* = targets without the rule's value + others not at their original value."
        echo
        echo "| sleepers (targets) | processes scanned | \`oompolicyctl apply --dry-run\`: wall / CPU ms, would change | daemon start-up scan: wall ms / CPU ms¹, wrong | SIGHUP rescan, nothing to change: wall / CPU ms, wrong | SIGHUP rescan after an edit: wall / CPU ms, wrong | CPU µs per process: start-up / unchanged rescan | daemon VmRSS MiB | load avg after |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        ms() { awk -v u="$1" -v d="$2" 'BEGIN { if (u == "") print "–"; else printf "%.0f", u / d }'; }
        for n in $SCAN_SIZES; do
                f="$tmp/scan-$n.txt"
                if [[ -n "$(kv "$f" scan skipped)" ]]; then
                        echo "| $n | skipped: not enough PIDs (pid_max) | | | | | | | |"
                        continue
                fi
                printf '| %s (%s) | %s | %s / %s, %s | %s / %s, %s | %s / %s, %s | %s / %s, %s | %s / %s | %s | %s |\n' \
                        "$(kv "$f" scan forked)" "$(kv "$f" scan targets)" "$(kv "$f" scan processes)" \
                        "$(kv "$f" scan dry_ms)" "$(kv "$f" scan dry_cpu_ms)" "$(kv "$f" scan dry_hits)" \
                        "$(ms "$(kv "$f" scan first_us)" 1000)" "$(ms "$(kv "$f" scan start_cpu_ns)" 1e6)" \
                        "$(( $(kv "$f" scan wt1) + $(kv "$f" scan wo1) ))" \
                        "$(ms "$(kv "$f" scan same_us)" 1000)" "$(ms "$(kv "$f" scan same_cpu_ns)" 1e6)" \
                        "$(( $(kv "$f" scan wt2) + $(kv "$f" scan wo2) ))" \
                        "$(ms "$(kv "$f" scan edit_us)" 1000)" "$(ms "$(kv "$f" scan edit_cpu_ns)" 1e6)" \
                        "$(( $(kv "$f" scan wt3) + $(kv "$f" scan wo3) ))" \
                        "$(awk -v c="$(kv "$f" scan start_cpu_ns)" -v n="$(kv "$f" scan processes)" 'BEGIN { if (n > 0) printf "%.1f", c / 1e3 / n }')" \
                        "$(awk -v c="$(kv "$f" scan same_cpu_ns)" -v n="$(kv "$f" scan last_processes)" 'BEGIN { if (n > 0) printf "%.1f", c / 1e3 / n }')" \
                        "$(kib_mib "$(kv "$f" scan rss_kb)")" "$(kv "$f" scan load | tr , ' ')"
        done
        echo
        echo "Wall: the daemon's own measurement of the scan (state.json \`scans.*_duration_usec\`), which includes waiting for a CPU on this shared machine. CPU: the daemon's schedstat run time, ¹ from its exec to the first state.json (policy load, start-up scan, first publish), and for a rescan from SIGHUP to the rescan published (reload + scan + publish); for \`apply --dry-run\` user + sys of the whole command."
        echo "The start-up scan and the rescan after an edit write every target's value (and log one line each at info level); the unchanged rescan only reads. \`apply --dry-run\` is a separate process: policy load + the same walk, nothing written."
        echo
fi

echo "Load average at the end: $(loadavg), CPU pressure $(awk '/^some/ { print $2 }' /proc/pressure/cpu 2>/dev/null || echo '?')"
