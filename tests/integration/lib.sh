#!/bin/bash
# SPDX-License-Identifier: MIT
# Shared helpers of the integration tests. Sourced, never run.
#
# Every test runs the built oompolicyctl against the real kernel. Rules:
#  - temporary files only under $tmp (mktemp -d), removed on exit;
#  - policy files root-owned 0644 (the tool refuses anything else);
#  - only processes started here are changed or killed, by PID;
#  - no /proc/sys value is ever changed (policies set the current value).
# Exit status: 0 pass, 77 skip, anything else fail.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
CTL="$top_builddir/src/oompolicyctl"

# Where the built programs look for the policy (the configured --sysconfdir, e.g.
# /usr/local/etc or /etc), from the header they were built with: a fake --root
# tree must put its policy at "$root$POLICY_FILE".
paths_h="$top_builddir/src/shared/paths.h"
POLICY_SYSCONFDIR=$(sed -n 's/^#define POLICY_SYSCONFDIR "\(.*\)"$/\1/p' "$paths_h" 2>/dev/null) || :
POLICY_FILE="$POLICY_SYSCONFDIR/oompolicy.conf"
POLICY_DROPIN_DIR="$POLICY_SYSCONFDIR/oompolicy.conf.d"

# Processes started by the test (killed by PID on exit).
PIDS=()

ok() { echo "ok: $*"; }
skip() { echo "SKIP: $*"; exit 77; }
fail() {
        echo "FAIL: $*" >&2
        if [[ -n "${tmp:-}" && -e "$tmp/out" ]]; then
                echo "--- stdout of the last command ---" >&2
                cat "$tmp/out" >&2
                echo "--- stderr of the last command ---" >&2
                cat "$tmp/err" >&2
                echo "--- FAIL: $*" >&2
        fi
        exit 1
}

CGROUPS=()       # cgroups made by make_cgroup, removed on exit

cleanup() {
        local pid
        cgroups_cleanup
        for pid in "${PIDS[@]}"; do
                kill -KILL "$pid" 2>/dev/null || :
        done
        for pid in "${PIDS[@]}"; do
                wait "$pid" 2>/dev/null || :
        done 2>/dev/null
        if [[ -n "${tmp:-}" && -d "$tmp" ]]; then
                rm -rf -- "$tmp"
        fi
}

# Common start: root, the binary, a private temp dir.
setup() {
        [[ $EUID -eq 0 ]] || skip "needs root (policy files must be root-owned and other users' processes written)"
        [[ -x "$CTL" ]] || fail "$CTL not built"
        [[ -n $POLICY_SYSCONFDIR ]] || fail "no POLICY_SYSCONFDIR in $paths_h (not built?)"
        tmp=$(mktemp -d "${TMPDIR:-/tmp}/oompolicy-test.XXXXXX")
        trap cleanup EXIT
        trap 'exit 130' INT TERM
        # Traversable, so that processes run as nobody can exec copies kept here.
        chmod 0711 "$tmp"
}

require_python() {
        command -v python3 >/dev/null || skip "python3 is needed to parse --json output"
}

# Runs a command; stdout in $tmp/out, stderr in $tmp/err, exit status in $rc.
run() {
        echo "+ $*"
        set +e
        "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        set -e
}

# ctl ARGS...: run oompolicyctl.
ctl() { run "$CTL" "$@"; }

expect_rc() {
        [[ $rc -eq $1 ]] || fail "${2:-command} exited $rc, expected $1"
}

# expect_line FILE REGEX [WHAT]: some whole line of FILE (out or err) matches the ERE.
expect_line() {
        grep -Eq -- "^($2)\$" "$tmp/$1" || fail "${3:-expected} a line matching /^$2\$/ on std$1"
}

# expect_no_line FILE REGEX [WHAT]
expect_no_line() {
        ! grep -Eq -- "$2" "$tmp/$1" || fail "${3:-unexpected} line matching /$2/ on std$1"
}

expect_empty() {
        [[ ! -s "$tmp/$1" ]] || fail "std$1 is not empty"
}

expect_nonempty() {
        [[ -s "$tmp/$1" ]] || fail "std$1 is empty"
}

# Escapes a string for use inside an ERE.
re() {
        printf '%s' "$1" | sed -e 's/[][\\.*^$+?(){}|]/\\&/g'
}

# write_policy PATH [MODE]: stdin becomes a root-owned policy file (mode 0644 by default).
write_policy() {
        local path=$1 mode=${2:-0644}
        mkdir -p "$(dirname "$path")"
        cat >"$tmp/.staging"
        install -o root -g root -m "$mode" "$tmp/.staging" "$path"
        rm -f "$tmp/.staging"
}

# json_check EXPR: parses $tmp/out as JSON (bound to j) and asserts the Python expression.
json_check() {
        python3 - "$tmp/out" "$1" <<'EOF' || fail "JSON assertion failed: $1"
import json, sys
with open(sys.argv[1]) as f:
    j = json.load(f)
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}

# json_parses: $tmp/out is one valid JSON document.
json_parses() {
        python3 -c 'import json,sys; json.load(sys.stdin)' <"$tmp/out" || fail "output is not valid JSON"
}

# stop PID...: kills processes started here and reaps them (quietly).
stop() {
        local pid keep p
        for pid in "$@"; do
                kill -KILL "$pid" 2>/dev/null || :
                wait "$pid" 2>/dev/null || :
                # Reaped: forget it, so cleanup never kills a process that reuses the PID.
                keep=()
                for p in "${PIDS[@]}"; do
                        [ "$p" = "$pid" ] || keep+=("$p")
                done
                PIDS=("${keep[@]}")
        done
}

adj_of() { cat "/proc/$1/oom_score_adj"; }

expect_adj() {
        local pid=$1 want=$2 have
        have=$(adj_of "$pid") || fail "cannot read oom_score_adj of $pid"
        [[ "$have" == "$want" ]] || fail "pid $pid ($(cat "/proc/$pid/comm")) has oom_score_adj $have, expected $want${3:+ ($3)}"
}

# copy_binary SRC DEST: an executable copy of SRC that any user may run.
copy_binary() {
        mkdir -p "$(dirname "$2")"
        chmod 0755 "$(dirname "$2")"
        install -m 0755 "$1" "$2"
}

# wait_exec PID EXE: waits until PID runs EXE (the fork is done and the exec too).
wait_exec() {
        local pid=$1 exe=$2 i
        for ((i = 0; i < 200; i++)); do
                [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$exe" ]] && return 0
                kill -0 "$pid" 2>/dev/null || fail "process $pid ($exe) exited at start"
                sleep 0.025
        done
        fail "process $pid did not exec $exe"
}

# spawn VAR EXE [WRAPPER...]: starts EXE 300 (a copy of sleep) in the background, directly
# or through a wrapper ending in exec (e.g. setpriv ...), records it and stores its PID in VAR.
spawn() {
        local __var=$1 exe=$2
        shift 2
        "$@" "$exe" 300 </dev/null >/dev/null 2>&1 &
        PIDS+=("$!")
        printf -v "$__var" '%s' "$!"
        wait_exec "$!" "$exe"
}

# spawn_argv0 VAR EXE ARGV0: as spawn, with argv[0] set to ARGV0.
spawn_argv0() {
        local __var=$1 exe=$2 argv0=$3
        (exec -a "$argv0" "$exe" 300 </dev/null >/dev/null 2>&1) &
        PIDS+=("$!")
        printf -v "$__var" '%s' "$!"
        wait_exec "$!" "$exe"
}

# can_exec_in_tmp: copies placed under $tmp can run (no noexec mount).
can_exec_in_tmp() {
        copy_binary /bin/true "$tmp/bin/.exec-probe"
        "$tmp/bin/.exec-probe" 2>/dev/null
}

# has_cap_sys_resource [VALUE] [WRAPPER...]: whether a process (started through WRAPPER,
# if given) may lower a child's oom_score_adj to VALUE (default -1): the kernel allows
# that below the floor (0 unless someone privileged lowered it) only with CAP_SYS_RESOURCE.
has_cap_sys_resource() {
        local value=${1:--1} pid r=0
        shift || :
        sleep 30 </dev/null >/dev/null 2>&1 &
        pid=$!
        PIDS+=("$pid")
        "$@" /bin/sh -c 'echo "$1" >"/proc/$2/oom_score_adj"' sh "$value" "$pid" 2>/dev/null || r=1
        stop "$pid"
        return $r
}

# ---- cgroups ----

# cgroup_v1_dir CONTROLLER: the mount point of a v1 hierarchy with that controller (or
# name=NAME hierarchy), if there is one.
cgroup_v1_dir() {
        awk -v c="$1" '$3 == "cgroup" { n = split($4, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $2; exit } }' \
                /proc/self/mounts
}

# cgroup_v2_dir: the mount point of the unified (v2) hierarchy, if there is one.
cgroup_v2_dir() { awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts; }

# make_cgroup VAR PARENT_DIR NAME: creates PARENT_DIR/NAME, stores its path in VAR and
# removes it on exit (after killing whatever still runs in it). Children are removed first.
make_cgroup() {
        local __var=$1 dir="$2/$3"
        mkdir "$dir" || fail "cannot create cgroup $dir"
        CGROUPS+=("$dir")
        printf -v "$__var" '%s' "$dir"
}

# cgroup_join DIR: moves this shell (and so what it starts next) into cgroup DIR. Use in a
# subshell: ( cgroup_join "$cg"; exec PROGRAM ) &.
cgroup_join() { echo "$BASHPID" >"$1/cgroup.procs"; }

# cgroup_kill DIR: SIGKILL to every process of cgroup DIR (the test created it: all are its own).
cgroup_kill() {
        local pid
        [[ -r "$1/cgroup.procs" ]] || return 0
        while read -r pid; do
                kill -KILL "$pid" 2>/dev/null || :
        done <"$1/cgroup.procs"
}

# cgroups_cleanup: kills the processes of the cgroups made here and removes them, last made first.
cgroups_cleanup() {
        local i j dir
        for ((i = ${#CGROUPS[@]} - 1; i >= 0; i--)); do
                dir=${CGROUPS[i]}
                [[ -d "$dir" ]] || continue
                # Exiting takes a while with thousands of processes: kill again only now and then.
                for ((j = 0; j < 600; j++)); do
                        ((j % 40 != 0)) || cgroup_kill "$dir"
                        rmdir "$dir" 2>/dev/null && break
                        sleep 0.05
                done
                [[ -d "$dir" ]] && echo "WARNING: could not remove cgroup $dir" >&2
        done
        CGROUPS=()
}

# make_limited_memcg VAR NAME LIMIT: a memory cgroup of this test with memory.max (v2, when
# the root delegates memory) or memory.limit_in_bytes (v1) LIMIT, without swap where the
# kernel offers that; its path in VAR, removed on exit. Skips the test, saying why, when
# there is no memory controller to use.
make_limited_memcg() {
        local __var=$1 name=$2 limit=$3 v1 cg
        if [[ -e /sys/fs/cgroup/cgroup.controllers ]] && grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
                make_cgroup cg /sys/fs/cgroup "$name"
                echo "$limit" >"$cg/memory.max"
                echo 0 >"$cg/memory.swap.max" 2>/dev/null || :
        else
                v1=$(cgroup_v1_dir memory)
                [[ -n "$v1" ]] || skip "no memory cgroup controller (neither v2 with memory enabled nor a v1 memory hierarchy)"
                make_cgroup cg "$v1" "$name"
                echo "$limit" >"$cg/memory.limit_in_bytes"
                echo 0 >"$cg/memory.swappiness" 2>/dev/null || :
        fi
        printf -v "$__var" '%s' "$cg"
}
