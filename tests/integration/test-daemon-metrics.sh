#!/bin/bash
# SPDX-License-Identifier: MIT
# The metrics file proves that the daemon lives: it is rewritten at a fixed
# interval while nothing happens (--test-metrics-interval shortens the 30 s),
# its timestamps say when the daemon started and when it last wrote; a reload
# that moves metrics_file removes the old file, a clean stop removes the file
# (a stopped daemon is absent, not stale) and a killed daemon leaves it behind,
# to grow stale.
. "$(dirname "$0")/daemon-lib.sh"
daemon_setup

TARGET="oommt-$$"
copy_binary /bin/sleep "$BIN/$TARGET"
mkdir -p "$tmp/textfile" "$tmp/textfile2"
METRICS="$tmp/textfile/oompolicyd.prom"
policy() {   # policy METRICS_FILE
        write_policy "$tmp/policy.conf" <<EOF
$(barrier_rule)
[rule:target-$$]
name = $TARGET
oom_score_adj = 150
$(test_daemon_section "metrics_file = $1")
EOF
}

# metric NAME [FILE]: the value of the series NAME (without labels).
metric() {
        sed -n "s/^$1 \([0-9.e+-]*\)\$/\1/p" "${2:-$METRICS}" 2>/dev/null
}

# wait_metric_change NAME OLD: polls until the series NAME has a value other than OLD.
wait_metric_change() {
        local i v
        for ((i = 0; i < 600; i++)); do
                v=$(metric "$1")
                [[ -n "$v" && "$v" != "$2" ]] && return 0
                sleep 0.05
        done
        fail "$1 is still '$2' after 30 s"
}

t0=$(date +%s)
policy "$METRICS"
spawn target "$BIN/$TARGET"
start_daemon "$tmp/policy.conf" --test-metrics-interval=1
wait_adj "$target" 150 "rule target"
[[ -f "$METRICS" ]] || fail "no $METRICS after the start"
start=$(metric oompolicyd_start_time_seconds)
[[ -n "$start" ]] || fail "no oompolicyd_start_time_seconds in $METRICS: $(cat "$METRICS")"
awk -v s="$start" -v a="$t0" -v b="$(date +%s)" 'BEGIN { exit !(s + 1 >= a && s <= b + 1) }' ||
        fail "oompolicyd_start_time_seconds $start is not between $t0 and now"
grep -qx "oompolicyd_build_info{version=\"[^\"]*\"} 1" "$METRICS" || fail "no oompolicyd_build_info"
grep -qx "oompolicyd_proc_connector 1" "$METRICS" || fail "oompolicyd_proc_connector is not 1"
grep -qx "oompolicyd_rules 2" "$METRICS" || fail "oompolicyd_rules is not 2"
ok "start time $start, build info, proc connector and rules in the metrics"

# Idle: nothing matches, nothing is rescanned (rescan_interval = 0), yet the
# file keeps being rewritten with a newer timestamp.
barrier
adjusted=$(log_count ' -> -?[0-9]+ \(')
rescans=$(metric oompolicyd_rescans_total)
last=$(metric oompolicyd_last_update_timestamp_seconds)
for n in 1 2 3; do
        wait_metric_change oompolicyd_last_update_timestamp_seconds "$last"
        last=$(metric oompolicyd_last_update_timestamp_seconds)
done
[[ "$(metric oompolicyd_rescans_total)" == "$rescans" ]] || fail "a rescan happened while idle"
[[ "$(log_count ' -> -?[0-9]+ \(')" == "$adjusted" ]] || fail "an adjustment happened while idle"
awk -v s="$start" -v l="$last" 'BEGIN { exit !(l > s) }' || fail "last update $last is not after the start $start"
ok "idle, the file was rewritten 3 times (last update $last)"

# A reload that moves the file removes the old one.
policy "$tmp/textfile2/oompolicyd.prom"
kill -HUP "$DPID"
wait_log "Reloaded:"
for ((i = 0; i < 600; i++)); do
        [[ -f "$tmp/textfile2/oompolicyd.prom" && ! -e "$METRICS" ]] && break
        sleep 0.05
done
[[ -f "$tmp/textfile2/oompolicyd.prom" ]] || fail "no metrics file at the new path after the reload"
[[ ! -e "$METRICS" ]] || fail "the old metrics file is still there after metrics_file moved"
METRICS="$tmp/textfile2/oompolicyd.prom"
ok "a reload that moves metrics_file removes the old file"
wait_metric_change oompolicyd_reloads_total 0
reloaded=$(metric oompolicyd_last_reload_success_timestamp_seconds)
awk -v s="$start" -v r="$reloaded" 'BEGIN { exit !(r > s) }' ||
        fail "oompolicyd_last_reload_success_timestamp_seconds $reloaded is not after the start $start"
ok "the reload's time is in oompolicyd_last_reload_success_timestamp_seconds"

# A clean stop withdraws the file; nothing else is left in the directory.
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "daemon exit status $DRC"
[[ ! -e "$METRICS" ]] || fail "$METRICS is still there after a clean stop"
left=$(ls -A "$tmp/textfile" "$tmp/textfile2")
[[ -z "$(ls -A "$tmp/textfile2")" ]] || fail "left in the textfile directory: $left"
ok "a clean stop removes the metrics file"

# A killed daemon cannot: its file stays, and its timestamp stops.
start_daemon "$tmp/policy.conf" --test-metrics-interval=1
[[ -f "$METRICS" ]] || fail "no $METRICS after the second start"
stop_daemon KILL
[[ -f "$METRICS" ]] || fail "$METRICS is gone after SIGKILL"
ok "after SIGKILL the file stays (and goes stale)"
done_ok
