# SPDX-License-Identifier: MIT
# Sourced by the bench scripts (daemon-bench.sh, scale-bench.sh,
# poller-bench.sh): scratch directory and cleanup, building the helpers, the
# daemon's life cycle, readers of /proc and state.json, and the spawner run.
#
# The sourcing script sets BENCH (its name, for messages) and keep (0|1), then
# calls bench_init. Everything started here is ended by PID (CHILD_PIDS), and
# every cgroup created here is removed (CHILD_CGROUPS), also on errors and ^C.
# shellcheck shell=bash disable=SC2034,SC2154  # globals shared with the sourcing scripts

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$top/bench/out"

WANT=500                  # oom_score_adj the bench rules set
LIFETIME_US=20000         # lifetime of a measured target (misses need >= 10 ms)
MIX=ttttttrrdd            # per 10 spawns: 6 exec targets, 2 renamed targets, 2 decoys
T_NAME=oombench-tgt       # matched by its exec name
D_NAME=oombench-decoy     # matched by nothing
P_NAME=oombench-pre       # matched by nothing until it renames itself ...
R_NAME=oombench-ren       # ... into this (prctl(PR_SET_NAME))
# (All shorter than 15 characters: a comm of exactly 15 makes the daemon read
# exe and cmdline too, to see past a possibly truncated name.)

log() { echo "$BENCH: $*" >&2; }
die() { log "$*"; exit 1; }

CHILD_PIDS=()      # daemons, pollers, tracers, sleepers started here; ended by PID only
CHILD_CGROUPS=()   # cgroup directories created here; emptied (by PID) and removed
bench_cleanup() {
        local pid cg
        for pid in "${CHILD_PIDS[@]}"; do
                kill -TERM "$pid" 2>/dev/null || :
        done
        for pid in "${CHILD_PIDS[@]}"; do
                wait "$pid" 2>/dev/null || :
        done
        for cg in "${CHILD_CGROUPS[@]}"; do
                cgroup_remove "$cg"
        done
        if (( keep )); then
                log "kept $tmp"
        else
                rm -rf -- "$tmp"
        fi
}

# bench_parse_options HELP_LINES ARGS...: the options of scale-bench.sh and poller-bench.sh:
# --quick, --only SECTIONS, --no-build, --keep, --help (prints lines HELP_LINES, e.g. 3,29,
# of the script's header). Sets quick, build, keep and (when given) only; BENCH names the script.
bench_parse_options() {
        local help_lines=$1
        shift
        quick=0
        build=1
        keep=0
        while [[ $# -gt 0 ]]; do
                case "$1" in
                --quick) quick=1 ;;
                --only) only="$2"; shift ;;
                --only=*) only="${1#--only=}" ;;
                --no-build) build=0 ;;
                --keep) keep=1 ;;
                -h|--help) sed -n "${help_lines}p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
                *) echo "$BENCH: unknown option '$1'" >&2; exit 2 ;;
                esac
                shift
        done
}

want_section() { [[ ",$only," == *",$1,"* ]]; }

bench_init() {
        [[ $EUID -eq 0 ]] || die "needs root (root-owned policy files, proc connector)"
        tmp=$(mktemp -d "${TMPDIR:-/tmp}/oombench.XXXXXX")
        chmod 0711 "$tmp"
        trap bench_cleanup EXIT
        trap 'exit 130' INT TERM
        mkdir -p "$out" "$tmp/bin"
        CLK_TCK=$(getconf CLK_TCK)
}

# ---- building ----

# bench_build_daemon BUILD TARGETS...: make TARGETS (if BUILD), then check the daemon is there.
bench_build_daemon() {
        local build="$1"
        shift
        if (( build )); then
                if ! make -C "$top" -j2 "$@" >"$tmp/make.log" 2>&1; then
                        [[ -x "$top/src/oompolicyd" ]] || { cat "$tmp/make.log" >&2; die "cannot build $*"; }
                        log "WARNING: make failed (tree being edited?); measuring the existing binaries"
                        tail -5 "$tmp/make.log" >&2
                fi
        fi
        DAEMON="$top/src/oompolicyd"
        CTL="$top/src/oompolicyctl"
        [[ -x "$DAEMON" ]] || die "$DAEMON not built (run make -j2)"
}

# bench_build_target: the static exec'd child (sets target_link), copied under the bench's names.
bench_build_target() {
        local n
        target_link=static
        if ! gcc -static -O2 -Wall -o "$out/oombench-target" "$top/bench/oombench-target.c" 2>"$tmp/cc.log"; then
                log "static link failed (libc6-dev's libc.a missing?), falling back to a dynamic target"
                target_link=dynamic
                gcc -O2 -Wall -o "$out/oombench-target" "$top/bench/oombench-target.c"
        fi
        # Self-test: a decoy with lifetime 0 must write one record and exit 0.
        [[ $("$out/oombench-target" d 0 0 3>&1 >/dev/null | wc -c) -gt 0 ]] || die "oombench-target does not work"
        for n in "$T_NAME" "$D_NAME" "$P_NAME"; do
                cp "$out/oombench-target" "$tmp/bin/$n"
        done
}

bench_build_spawn() {
        gcc -O2 -Wall -pthread -include "$top/config.h" -I"$top/src" \
                -o "$out/oombench-spawn" "$top/bench/oombench-spawn.c" "$top/src/daemon/proc-events.c"
        SPAWN="$out/oombench-spawn"
}

# bench_build_match: the component micro-benchmark, linked to the daemon's own code (libcore.a). Sets MATCH.
bench_build_match() {
        MATCH=""
        if [[ -f "$top/libcore.a" ]] &&
           gcc -O2 -Wall -include "$top/config.h" -I"$top/src" \
                -o "$out/oombench-match" "$top/bench/oombench-match.c" \
                "$top/libcore.a" $(pkg-config --libs libsystemd inih libcap json-c 2>/dev/null) 2>"$tmp/cc-match.log"; then
                MATCH="$out/oombench-match"
        else
                log "WARNING: cannot build bench/oombench-match.c against libcore.a; no component costs"
        fi
}

# bench_build_c NAME [-static]: bench/NAME.c -> bench/out/NAME.
bench_build_c() {
        gcc -O2 -Wall -Wextra ${2:-} -o "$out/$1" "$top/bench/$1.c" 2>"$tmp/cc-$1.log" ||
                { cat "$tmp/cc-$1.log" >&2; die "cannot build bench/$1.c"; }
}

# ---- readers ----

# kv FILE GROUP KEY: value of KEY in the "RESULT group=GROUP" line of FILE.
kv() {
        [[ -f "$1" ]] || return 0
        awk -v g="group=$2" -v k="$3" '$1 == "RESULT" && $2 == g {
                for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == k) { print substr($i, length(k) + 2); exit } } }' "$1"
}

# cpu_ticks PID: utime + stime (clock ticks) from /proc/PID/stat.
cpu_ticks() {
        local s
        s=$(<"/proc/$1/stat")
        s=${s##*) }
        awk '{ print $12 + $13 }' <<<"$s"
}
# run_ns PID: time on CPU in ns (/proc/PID/schedstat), finer than ticks.
run_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# steal_ticks: CPU time the hypervisor gave to others while this VM wanted it (all
# CPUs, USER_HZ ticks); on a shared host it explains latency outliers nothing here causes.
steal_ticks() { awk '/^cpu / { print $9; exit }' /proc/stat; }
# steal_pct TICKS WALL_MS: those ticks as a share of the machine's CPU time in WALL_MS.
steal_pct() { awk -v t="$1" -v ms="$2" -v n="$(nproc)" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { if (ms > 0) printf "%.0f", 100 * t / hz / (ms / 1000 * n); else print "–" }'; }
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $(( t / 1000 )); }

state_field() {
        local f="$1/state.json" k="$2"
        if command -v jq >/dev/null; then
                jq -r ".$k" "$f"
        else
                python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v = v[k]
print(v)' "$f" "$k"
        fi
}
state_counter() { state_field "$1" "counters.$2"; }
state_updated() { state_field "$1" updated_usec 2>/dev/null || echo none; }

# wait_publish STATEDIR BEFORE: until state.json was rewritten after BEFORE (<= 5 s).
wait_publish() {
        local i
        for ((i = 0; i < 100; i++)); do
                [[ "$(state_updated "$1")" != "$2" ]] && return 0
                sleep 0.05
        done
        log "WARNING: state.json in $1 not republished within 5 s"
        return 1
}

fmt_us() { awk -v v="$1" 'BEGIN { if (v == "" || v < 0) print "–"; else if (v >= 1000) printf "%.0f", v; else printf "%.1f", v }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "–" }'; }
# triple FILE GROUP: "median / p99 / max" in µs.
triple() {
        [[ -n "$(kv "$1" "$2" n)" ]] || { echo "–"; return; }
        echo "$(fmt_us "$(kv "$1" "$2" median_us)") / $(fmt_us "$(kv "$1" "$2" p99_us)") / $(fmt_us "$(kv "$1" "$2" max_us)")"
}
load_cell() {
        local l st
        l=$(kv "$1" tool load); l=${l//,/ }; st=$(kv "$1" tool steal_pct)
        echo "${l//→/ → }${st:+; steal $st %}"
}

# ---- the daemon ----

# write_policy DIR EXTRA_FILE: DIR/oompolicy.conf = conf/oompolicy.conf with
# rescan_interval = 0 and restore_on_exit = yes; EXTRA_FILE (if any) as drop-in.
write_policy() {
        local dir="$1" extra="${2:-}"
        mkdir -p "$dir"
        sed -e 's/^#\{0,1\}rescan_interval = .*/rescan_interval = 0/' \
            -e 's/^#\{0,1\}restore_on_exit = .*/restore_on_exit = yes/' \
            "$top/conf/oompolicy.conf" >"$dir/oompolicy.conf"
        grep -q '^rescan_interval = 0$' "$dir/oompolicy.conf" || die "cannot set rescan_interval = 0 in the policy copy"
        grep -q '^restore_on_exit = yes$' "$dir/oompolicy.conf" || die "cannot set restore_on_exit = yes in the policy copy"
        if [[ -n "$extra" ]]; then
                mkdir -p "$dir/oompolicy.conf.d"
                cp "$extra" "$dir/oompolicy.conf.d/50-bench.conf"
                chmod 0644 "$dir/oompolicy.conf.d/50-bench.conf"
        fi
        chown -R root:root "$dir"
        chmod 0644 "$dir/oompolicy.conf"
}

# start_daemon NAME POLICY_DIR: sets DPID and SDIR, and START_MS (start -> state.json published).
start_daemon() {
        local name="$1" pdir="$2" i t0
        SDIR="$tmp/state-$name"
        mkdir -p "$SDIR"
        t0=$(now_ms)
        "$DAEMON" --config "$pdir/oompolicy.conf" --log-target=console ${log_level:+--log-level="$log_level"} \
                --state-dir "$SDIR" </dev/null >"$tmp/daemon-$name.log" 2>&1 &
        DPID=$!
        CHILD_PIDS+=("$DPID")
        FRESH_PID=""
        for ((i = 0; i < 1200; i++)); do
                kill -0 "$DPID" 2>/dev/null || { cat "$tmp/daemon-$name.log" >&2; die "daemon ($name) exited at start"; }
                [[ -s "$SDIR/state.json" && "$(state_field "$SDIR" pid 2>/dev/null)" == "$DPID" ]] && break
                sleep 0.05
        done
        START_MS=$(( $(now_ms) - t0 ))
        [[ "$(state_field "$SDIR" pid)" == "$DPID" ]] || die "daemon ($name) did not publish state.json"
        [[ "$(state_field "$SDIR" proc_connector)" == true ]] || die "daemon ($name) has no proc connector"
}

stop_daemon() {
        kill -TERM "$DPID" 2>/dev/null || :
        wait "$DPID" 2>/dev/null || :
}

# fresh_counters: make the daemon publish now-current counters (events alone
# do not trigger a publish; an adjustment does, ~1 s later).
fresh_counters() {
        local before
        before=$(state_updated "$SDIR")
        "$tmp/bin/$T_NAME" q "$WANT" 100000 3>/dev/null
        wait_publish "$SDIR" "$before" || :
        FRESH_PID=$DPID
}

# ---- one spawner run ----

# run_spawner LABEL ARGS...: runs the spawner with ARGS and measures the tool
# that sets the values: the process MPID (default: the daemon, DPID) and, when
# SDIR is set, the daemon's own counters. Output, with the tool's deltas as a
# "RESULT group=tool" line, in $tmp/spawn-LABEL.txt.
run_spawner() {
        local label="$1" f="$tmp/spawn-$1.txt" pid="${MPID:-$DPID}" e0=0 a0=0 o0=0 r0=0 s0 s1 c0 c1 n0 n1 l0 l1 w0 w1 st0 st1
        shift
        if [[ -n "${SDIR:-}" ]]; then
                [[ "${FRESH_PID:-}" == "$DPID" ]] || fresh_counters
                e0=$(state_counter "$SDIR" events); a0=$(state_counter "$SDIR" adjusted)
                o0=$(state_counter "$SDIR" overflows); r0=$(state_counter "$SDIR" rescans)
        fi
        c0=$(cpu_ticks "$pid"); n0=$(run_ns "$pid"); s0=$(<"/proc/$pid/schedstat")
        l0=$(loadavg); w0=$(now_ms); st0=$(steal_ticks)
        "$SPAWN" --dir "$tmp/bin" --want "$WANT" --label "$label" --target-name "$T_NAME" --decoy-name "$D_NAME" \
                --pre-name "$P_NAME" --renamed-name "$R_NAME" --dump "$tmp/dump-$label.txt" "$@" >"$f" ||
                die "spawner failed ($label)"
        if ! kill -0 "$pid" 2>/dev/null; then
                tail -20 "$tmp"/daemon-*.log >&2
                die "the measured process $pid died during $label"
        fi
        s1=$(<"/proc/$pid/schedstat")
        l1=$(loadavg); w1=$(now_ms); st1=$(steal_ticks)
        # Its last publish may predate the last events: make it publish again.
        [[ -n "${SDIR:-}" ]] && fresh_counters
        c1=$(cpu_ticks "$pid"); n1=$(run_ns "$pid")
        {
                printf 'RESULT group=tool cpu_ticks=%s run_ns=%s wall_ms=%s' $(( c1 - c0 )) $(( n1 - n0 )) $(( w1 - w0 ))
                [[ -n "${SDIR:-}" ]] &&
                        printf ' events=%s adjusted=%s overflows=%s rescans=%s' \
                                $(( $(state_counter "$SDIR" events) - e0 )) $(( $(state_counter "$SDIR" adjusted) - a0 )) \
                                $(( $(state_counter "$SDIR" overflows) - o0 )) $(( $(state_counter "$SDIR" rescans) - r0 ))
                # Average wait for a CPU per timeslice during the spawner run.
                awk -v a="$s0" -v b="$s1" 'BEGIN { split(a, x, " "); split(b, y, " ");
                        if (y[3] > x[3]) printf " wait_us=%.0f", (y[2] - x[2]) / (y[3] - x[3]) / 1000; else printf " wait_us=–" }'
                printf ' load=%s→%s steal_pct=%s rss_kb=%s\n' "${l0// /,}" "${l1// /,}" \
                        "$(steal_pct $((st1 - st0)) $((w1 - w0)))" "$(status_field "$pid" VmRSS)"
        } >>"$f"
        [[ "$(kv "$f" run lost)" == 0 ]] || log "WARNING: $(kv "$f" run lost) child records lost in $label"
        [[ "$(kv "$f" run listener_overflows)" == 0 ]] || log "WARNING: the bench's own listener overflowed in $label"
}

# ---- cgroups ----

# cgroup_create_pids NAME MAX: a pids cgroup (v1 pids hierarchy, or v2 where the root
# already delegates pids: the machine's controllers are left as they are) with
# pids.max = MAX; its path in CGROUP. (Not printed: CHILD_CGROUPS must be set in
# this shell, not in a command substitution's subshell.)
cgroup_create_pids() {
        local base cg
        CGROUP=""
        if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
                base=/sys/fs/cgroup
                grep -qw pids /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || return 1
        elif [[ -d /sys/fs/cgroup/pids ]]; then
                base=/sys/fs/cgroup/pids
        else
                return 1
        fi
        cg="$base/$1"
        mkdir "$cg" || return 1
        CHILD_CGROUPS+=("$cg")
        echo "$2" >"$cg/pids.max" || return 1
        CGROUP=$cg
}

# cgroup_remove DIR: SIGKILL whatever is left in DIR (all of it started here), then rmdir
# (which fails while exiting tasks are still counted: retried for up to 10 s).
cgroup_remove() {
        local cg="$1" i pid procs
        [[ -d "$cg" ]] || return 0
        for ((i = 0; i < 100; i++)); do
                procs=$(<"$cg/cgroup.procs")   # cgroupfs files have no size: read them
                if [[ -n "$procs" ]]; then
                        for pid in $procs; do
                                kill -KILL "$pid" 2>/dev/null || :
                        done
                elif rmdir "$cg" 2>/dev/null; then
                        return 0
                fi
                sleep 0.1
        done
        log "WARNING: cannot remove $cg"
}

# ---- report header ----

bench_header() {
        local others
        others=$(ps -eo pid=,pcpu=,comm= --sort=-pcpu | awk -v me=$$ '$1 != me && $3 != "ps" && $2 >= 5 { printf "%s%s (%s %%)", sep, $3, $2; sep = ", " }')
        echo "Command: \`$cmdline\`  "
        echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$top" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')  "
        echo "Machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r), load average at start $(loadavg), CPU pressure $(awk '/^some/ { print $2 }' /proc/pressure/cpu 2>/dev/null || echo '?'), nice $(nice)  "
        echo "Busy processes at start (>= 5 % CPU, lifetime average): ${others:-none}  "
}
