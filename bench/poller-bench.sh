#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyd against the obvious alternative, a loop that walks /proc every
# INTERVAL (bench/oombench-poller.c), printed as Markdown tables.
#
#   bash bench/poller-bench.sh [--quick] [--only idle,load,lifetime] [--no-build] [--keep]
#
#   --quick       shorter runs (< 2 minutes)
#   --only LIST   run only these sections (comma-separated)
#   --no-build    use src/oompolicyd as it is
#   --keep        keep the scratch directory
#
# Three tools set oom_score_adj = 500 for processes named oombench-tgt and
# oombench-ren: the daemon (conf/oompolicy.conf + those two rules), the poller
# every 1 s, and the poller every 100 ms. Each workload runs once per tool,
# one tool at a time, back to back, so the three see the same machine load.
#
#  idle      all three at once for IDLE_SECS with no spawner: CPU each
#  load      the daemon bench's workloads (bench/daemon-bench.sh): 20 ms
#            processes at 100/s, 1000/s and as fast as possible
#  lifetime  100 processes/s living 10 ms, 100 ms and 1 s: which short-lived
#            processes get their value at all
#
# Latency: the kernel's EXEC (COMM for renamed targets) event -> the target
# first reads the value in its own /proc/self/oom_score_adj (see
# bench/oombench-target.c; resolution 1 us .. 5 ms, coarser the longer it
# waits). "Never set": targets that exited without ever seeing the value.
# CPU: utime+stime of the tool (/proc/PID/stat) over the run.
#
# Needs root. Changes only processes it starts itself.
set -euo pipefail

cmdline="bash bench/poller-bench.sh${*:+ $*}"

only="idle,load,lifetime"
BENCH=poller-bench
# shellcheck source=bench/bench-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
bench_parse_options 3,29 "$@"

# ---- parameters ----
TOOLS="daemon poll-1000 poll-100"     # poll-N: the poller every N ms
if (( quick )); then
        IDLE_SECS=10
        LOAD_SPECS="100/s:100:300 1000/s:1000:1000 max:0:1000"
        LIFE_SECS=3
else
        IDLE_SECS=60
        LOAD_SPECS="100/s:100:2000 1000/s:1000:10000 max:0:5000"
        LIFE_SECS=20
fi
LIFETIMES_MS="10 100 1000"

bench_init

bench_build_daemon "$build" src/oompolicyd
bench_build_target
bench_build_spawn
bench_build_c oombench-poller

cat >"$tmp/bench-rules.conf" <<EOF
[oom_score_adj]
$T_NAME = $WANT
$R_NAME = $WANT
EOF
write_policy "$tmp/policy" "$tmp/bench-rules.conf"

tool_label() {
        case "$1" in
        daemon) echo "oompolicyd" ;;
        poll-*) echo "poller, every $(awk -v ms="${1#poll-}" 'BEGIN { if (ms >= 1000) printf "%g s", ms / 1000; else printf "%d ms", ms }')" ;;
        esac
}

# start_tool TOOL NAME: the daemon (MPID=DPID, SDIR) or a poller (MPID, SDIR empty).
start_tool() {
        case "$1" in
        daemon)
                start_daemon "$2" "$tmp/policy"
                MPID=$DPID
                ;;
        poll-*)
                "$out/oombench-poller" "${1#poll-}" "$T_NAME=$WANT" "$R_NAME=$WANT" >"$tmp/poller-$2.txt" 2>&1 &
                MPID=$!
                CHILD_PIDS+=("$MPID")
                SDIR=""
                sleep 0.2
                ;;
        esac
}
stop_tool() {
        kill -TERM "$MPID" 2>/dev/null || :
        wait "$MPID" 2>/dev/null || :
        SDIR=""
}

# run_workload NAME SPAWNER_ARGS...: once per tool; results in $tmp/spawn-NAME-TOOL.txt.
run_workload() {
        local name="$1" tool
        shift
        for tool in $TOOLS; do
                log "$name: $(tool_label "$tool")"
                start_tool "$tool" "$name-$tool"
                run_spawner "$name-$tool" "$@"
                stop_tool
        done
}

ms3() { awk -v v="$1" 'BEGIN { if (v == "" || v < 0) print "–"; else if (v >= 100000) printf "%.0f", v / 1000; else if (v >= 1000) printf "%.1f", v / 1000; else printf "%.2f", v / 1000 }'; }
# latency_ms FILE GROUP: "median / p99 / max" in ms.
latency_ms() {
        [[ -n "$(kv "$1" "$2" n)" && "$(kv "$1" "$2" seen)" != 0 ]] || { echo "–"; return; }
        echo "$(ms3 "$(kv "$1" "$2" median_us)") / $(ms3 "$(kv "$1" "$2" p99_us)") / $(ms3 "$(kv "$1" "$2" max_us)")"
}
# never_set FILE: targets (exec + renamed) that never saw the value, "N of M (P %)",
# and how many of those the bench's own listener has no EXEC/COMM event for.
never_set() {
        local n=0 seen=0 no_event=0 g
        for g in exec rename; do
                n=$((n + $(kv "$1" "$g" n))); seen=$((seen + $(kv "$1" "$g" seen)))
                no_event=$((no_event + $(kv "$1" "$g" no_event)))
        done
        echo "$((n - seen)) of $n ($(pct $((n - seen)) "$n"))$( ((no_event)) && echo ", $no_event without event")"
}
cpu_s() { awk -v t="$1" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }'; }
per_min() { awk -v ns="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.2f", ns / 1e9 * 60000 / ms; else print "–" }'; }

echo "# oompolicyd against a /proc polling loop"
echo
bench_header
echo "Tools: src/oompolicyd (conf/oompolicy.conf + \`[oom_score_adj] $T_NAME = $WANT, $R_NAME = $WANT\`); bench/oombench-poller.c every 1 s and every 100 ms (walks /proc, reads each comm, writes oom_score_adj for those names). One tool at a time, back to back; target binary: $target_link."
echo

# ---- idle ----
if want_section idle; then
        log "idle: all three for ${IDLE_SECS} s"
        declare -A IPID
        for tool in $TOOLS; do
                start_tool "$tool" "idle-$tool"
                IPID[$tool]=$MPID
        done
        declare -A C0 N0
        for tool in $TOOLS; do C0[$tool]=$(cpu_ticks "${IPID[$tool]}"); N0[$tool]=$(run_ns "${IPID[$tool]}"); done
        "$SPAWN" --listen-only "$IDLE_SECS" >"$tmp/idle-listen.txt" &
        lpid=$!
        l0=$(loadavg); w0=$(now_ms)
        sleep "$IDLE_SECS"
        w1=$(now_ms); l1=$(loadavg)
        wait "$lpid" || :
        declare -A C1 N1 RSS
        for tool in $TOOLS; do
                C1[$tool]=$(cpu_ticks "${IPID[$tool]}"); N1[$tool]=$(run_ns "${IPID[$tool]}")
                RSS[$tool]=$(status_field "${IPID[$tool]}" VmRSS)
        done
        for tool in $TOOLS; do
                MPID=${IPID[$tool]}
                [[ $tool == daemon ]] && DPID=$MPID
                stop_tool
        done

        echo "## Idle"
        echo
        echo "All three running at once for ${IDLE_SECS} s, no spawner; the machine's own activity meanwhile: $(kv "$tmp/idle-listen.txt" listen events) process events ($(kv "$tmp/idle-listen.txt" listen exec) execs). Load average $l0 → $l1."
        echo
        echo "| tool | CPU s (utime+stime) | CPU s per minute (schedstat) | VmRSS KiB |"
        echo "|---|---:|---:|---:|"
        for tool in $TOOLS; do
                printf '| %s | %s | %s | %s |\n' "$(tool_label "$tool")" "$(cpu_s $((C1[$tool] - C0[$tool])))" \
                        "$(per_min $((N1[$tool] - N0[$tool])) $((w1 - w0)))" "${RSS[$tool]}"
        done
        echo
        for tool in $TOOLS; do
                [[ $tool == poll-* ]] || continue
                p="$tmp/poller-idle-$tool.txt"
                echo "- $(tool_label "$tool"): $(kv "$p" poller scans) walks of /proc, $(kv "$p" poller processes_per_scan) processes each, $(kv "$p" poller scan_us_mean) µs per walk (max $(kv "$p" poller scan_us_max))"
        done
        echo
fi

# workload_table NAMES...: one row per workload and tool.
workload_table() {
        local name tool f
        echo "| workload | tool | targets | never set | latency ms: median / p99 / max | renamed: latency ms median / p99 | tool CPU s | CPU s per minute (schedstat) | decoys touched | load avg before → after; host steal |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
        for name in "$@"; do
                for tool in $TOOLS; do
                        f="$tmp/spawn-$name-$tool.txt"
                        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${WL_LABEL[$name]}" "$(tool_label "$tool")" \
                                "$(( $(kv "$f" exec n) + $(kv "$f" rename n) ))" "$(never_set "$f")" \
                                "$(latency_ms "$f" exec)" "$(latency_ms "$f" rename | sed 's| / [^/]*$||')" \
                                "$(cpu_s "$(kv "$f" tool cpu_ticks)")" "$(per_min "$(kv "$f" tool run_ns)" "$(kv "$f" tool wall_ms)")" \
                                "$(kv "$f" decoy touched) of $(kv "$f" decoy n)" "$(load_cell "$f")"
                done
        done
}
declare -A WL_LABEL

# ---- load: the daemon bench's workloads ----
if want_section load; then
        names=()
        for spec in $LOAD_SPECS; do
                IFS=: read -r label rate count <<<"$spec"
                name="load-${label%%/*}"
                WL_LABEL[$name]="$count × 20 ms at $label"
                names+=("$name")
                run_workload "$name" --rate "$rate" --count "$count" --lifetime-us "$LIFETIME_US" --mix "$MIX"
        done
        echo "## Under load: the daemon bench's workloads"
        echo
        echo "Per 10 processes: 6 targets ($T_NAME), 2 that rename themselves into $R_NAME, 2 decoys; each lives 20 ms."
        echo
        workload_table "${names[@]}"
        echo
fi

# ---- lifetime: short-lived processes ----
if want_section lifetime; then
        names=()
        for life in $LIFETIMES_MS; do
                name="life-$life"
                WL_LABEL[$name]="$((100 * LIFE_SECS)) × $life ms at 100/s"
                names+=("$name")
                run_workload "$name" --rate 100 --count $((100 * LIFE_SECS)) --lifetime-us $((life * 1000)) --mix "$MIX"
        done
        echo "## Short-lived processes"
        echo
        echo "100 processes/s for ${LIFE_SECS} s per row (same mix), each living 10 ms, 100 ms or 1 s. *Never set*: exited without ever having the value, which for a protection rule means unprotected for its whole life. Latency is over the targets that did get it, so the poller's figures for short lifetimes are cut off at the lifetime."
        echo
        workload_table "${names[@]}"
        echo
fi

echo "Load average at the end: $(loadavg), CPU pressure $(awk '/^some/ { print $2 }' /proc/pressure/cpu 2>/dev/null || echo '?')"
