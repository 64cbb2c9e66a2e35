#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyd with /proc/sys/vm read-only: the daemon runs in a private mount
# namespace (unshare -m) in which /proc/sys/vm is a read-only bind mount, with a
# policy that sets vm sysctls to values other than the current ones. At start
# and at reload (oompolicyctl reload) each sysctl write fails with a clear
# error naming the key, the value, EROFS and the likely cause; status shows
# the error and the drift; the daemon keeps running and keeps adjusting
# processes (start-up scan, events, a rule added by the reload).
#
# Safety: the wrapper proves the mount read-only (writing the current value must
# fail) before it execs the daemon, the sysctls chosen are harmless, and the
# real values are compared (and put back if ever changed) on exit.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
command -v unshare >/dev/null || skip "unshare (util-linux) is needed for a private mount namespace"
keys=(vm.oom_dump_tasks vm.oom_kill_allocating_task)
declare -A before other
for k in "${keys[@]}"; do
        f="/proc/sys/${k//.//}"
        [[ -r $f ]] || skip "$f is not readable here"
        before[$k]=$(cat "$f")
        other[$k]=$((before[$k] == 0 ? 1 : 0))
done

# Never leave a real sysctl changed, whatever happened.
restore_sysctls() {
        local k f
        for k in "${keys[@]}"; do
                f="/proc/sys/${k//.//}"
                if [[ "$(cat "$f")" != "${before[$k]}" ]]; then
                        echo "WARNING: $k was changed to $(cat "$f"); putting back ${before[$k]}" >&2
                        echo "${before[$k]}" >"$f" || :
                fi
        done
}
trap 'daemon_cleanup; restore_sysctls' EXIT

ro_script='
mount --bind /proc/sys/vm /proc/sys/vm && mount -o remount,bind,ro /proc/sys/vm || {
        echo "oomtest: cannot make /proc/sys/vm a read-only bind mount" >&2; exit 97; }
v=$(cat /proc/sys/vm/oom_dump_tasks)
if (echo "$v" >/proc/sys/vm/oom_dump_tasks) 2>/dev/null; then
        echo "oomtest: /proc/sys/vm is still writable" >&2; exit 98
fi
exec "$@"'
RO=(unshare --mount --propagation private -- /bin/sh -c "$ro_script" sh)
set +e
"${RO[@]}" true 2>"$tmp/ro.err"
r=$?
set -e
[[ $r -eq 0 ]] || skip "no read-only /proc/sys/vm in a private mount namespace here (exit $r): $(cat "$tmp/ro.err")"
[[ "$(findmnt -n -o OPTIONS /proc/sys/vm 2>/dev/null || :)" != ro,* ]] || fail "/proc/sys/vm is read-only outside the namespace too"

R1="oomro-$$"
R2="oomro2-$$"
copy_binary /bin/sleep "$BIN/$R1"
copy_binary /bin/sleep "$BIN/$R2"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
[sysctl]
vm.oom_dump_tasks = ${other[vm.oom_dump_tasks]}

[rule:ro]
name = $R1
oom_score_adj = 311

$(barrier_rule)

$(test_daemon_section)
EOF

# ---- start ----
spawn p_scan "$BIN/$R1"
DWRAP=("${RO[@]}")
start_daemon "$policy"
DWRAP=()
cannot_dump="^oompolicyd: Cannot set vm\.oom_dump_tasks = ${other[vm.oom_dump_tasks]}: Read-only file system \(is /proc/sys read-only here\?\)$"
wait_log "$cannot_dump"
wait_adj "$p_scan" 311 "start-up scan despite the sysctl failure"
spawn p_event "$BIN/$R1"
wait_adj "$p_event" 311 "EXEC event despite the sysctl failure"
wait_state "any(e['message'] == 'sysctl vm.oom_dump_tasks: Read-only file system' for e in j['last_errors'])" \
        "last_errors has 'sysctl vm.oom_dump_tasks: Read-only file system'"
wait_state "[s['drift'] for s in j['sysctl']] == [True]" "state.json reports the drift of vm.oom_dump_tasks"
ctl status --state-dir "$(dirname "$STATE")"
expect_rc 0 "status"
expect_line out " +vm\.oom_dump_tasks +desired ${other[vm.oom_dump_tasks]}, current ${before[vm.oom_dump_tasks]} +DRIFT" "status shows the drift:"
expect_line out " +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}  sysctl vm\.oom_dump_tasks: Read-only file system" "status shows the error with its time:"
ok "start: $(grep -E -m1 "$cannot_dump" "$DLOG"); $p_scan (scan) and $p_event (event) got 311"

# ---- reload: one more sysctl, one more rule ----
replace_policy "$policy" <<EOF
[sysctl]
vm.oom_dump_tasks = ${other[vm.oom_dump_tasks]}
vm.oom_kill_allocating_task = ${other[vm.oom_kill_allocating_task]}

[rule:ro]
name = $R1
oom_score_adj = 311

[rule:ro2]
name = $R2
oom_score_adj = 312

$(barrier_rule)

$(test_daemon_section)
EOF
spawn p2 "$BIN/$R2"
ctl reload --state-dir "$(dirname "$STATE")"
expect_rc 0 "oompolicyctl reload"
wait_log "Reloaded: 3 rules"
wait_log_count "$cannot_dump" 2
wait_log "^oompolicyd: Cannot set vm\.oom_kill_allocating_task = ${other[vm.oom_kill_allocating_task]}: Read-only file system \(is /proc/sys read-only here\?\)$"
wait_adj "$p2" 312 "rule added by the reload, despite the sysctl failures"
spawn p_after "$BIN/$R1"
wait_adj "$p_after" 311 "EXEC event after the reload"
wait_state "j['last_reload_ok'] and j['counters']['reloads'] == 1" "the reload itself succeeded"
wait_state "any(e['message'] == 'sysctl vm.oom_kill_allocating_task: Read-only file system' for e in j['last_errors'])" \
        "last_errors has 'sysctl vm.oom_kill_allocating_task: Read-only file system'"
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed)"
expect_daemon_alive "after a reload with read-only sysctls"
ok "reload: both sysctl failures logged, $p2 got 312 from the new rule, $p_after 311"

stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "the daemon exited $DRC on SIGTERM"
for k in "${keys[@]}"; do
        now=$(cat "/proc/sys/${k//.//}")
        [[ "$now" == "${before[$k]}" ]] || fail "$k is $now, was ${before[$k]}: the read-only mount did not hold"
done
ok "the real sysctls are unchanged: $(for k in "${keys[@]}"; do printf '%s=%s ' "$k" "${before[$k]}"; done)"
done_ok
