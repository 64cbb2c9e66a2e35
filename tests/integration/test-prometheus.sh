#!/bin/bash
# SPDX-License-Identifier: MIT
# promtool (Debian package prometheus) on what ships for Prometheus: the
# alerting rules in contrib/prometheus pass `promtool check rules` and their
# unit tests (`promtool test rules`), and a metrics file the real daemon wrote
# (after adjustments, a kill from the kernel log and a rejected reload, so that
# every family has samples) passes `promtool check metrics`; each of its series
# is documented in oompolicy.conf(5).
. "$(dirname "$0")/daemon-lib.sh"

command -v promtool >/dev/null || skip "promtool is not installed (Debian package prometheus; tools/install-deps)"
rules="$top_srcdir/contrib/prometheus/oompolicyd.rules.yml"
rules_test="$top_srcdir/contrib/prometheus/oompolicyd.rules.test.yml"
man="$top_srcdir/man/oompolicy.conf.5.in"

daemon_setup
run promtool check rules "$rules"
[[ $rc -eq 0 ]] || fail "promtool check rules $rules: exit status $rc"
ok "promtool check rules: $(grep -o 'SUCCESS.*' "$tmp/out")"
# promtool resolves rule_files relative to the test file.
run promtool test rules "$rules_test"
[[ $rc -eq 0 ]] || fail "promtool test rules $rules_test: exit status $rc"
ok "promtool test rules: every alert fires and stays quiet as its tests say"
# Every alert of the rules has a test.
for alert in $(sed -n 's/^ *- alert: //p' "$rules"); do
        grep -q "alertname: $alert\$" "$rules_test" || fail "alert $alert has no test in $rules_test"
done
ok "every alert has a test"

TARGET="oompr-$$"
GUARD="oomprg-$$"
copy_binary /bin/sleep "$BIN/$TARGET"
copy_binary /bin/sleep "$BIN/$GUARD"
mkfifo "$tmp/kmsg"
write_policy "$tmp/policy.conf" <<EOF
$(barrier_rule)
[rule:target-$$]
name = $TARGET
oom_score_adj = 150
[rule:guard-$$]
name = $GUARD
oom_score_adj = -500
$(test_daemon_section "metrics_file = $tmp/oompolicyd.prom")
EOF
spawn target "$BIN/$TARGET"
spawn guard "$BIN/$GUARD"
start_daemon "$tmp/policy.conf" --test-kernel-log="$tmp/kmsg"
wait_adj "$target" 150 "rule target"
# A memcg kill of the guard (a /dev/kmsg record, as test-daemon-oom-log.sh does).
printf '6,101,101000,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/t,task_memcg=/t,task=%s,pid=%s,uid=0\n6,102,102000,-;Memory cgroup out of memory: Killed process %s (%s) total-vm:9000kB, anon-rss:1024kB, file-rss:8kB, shmem-rss:0kB, UID:0 pgtables:48kB oom_score_adj:0\n' \
        "$GUARD" "$guard" "$guard" "$GUARD" >"$tmp/kmsg"
wait_state "j['counters']['oom_kills_memcg'] == 1" "one memcg kill"
echo "[rule:broken" >>"$tmp/policy.conf"
kill -HUP "$DPID"
wait_state "not j['last_reload_ok']" "the broken reload"
for ((i = 0; i < 100; i++)); do
        grep -qx 'oompolicyd_last_reload_success 0' "$tmp/oompolicyd.prom" && break
        sleep 0.1
done
grep -qx 'oompolicyd_last_reload_success 0' "$tmp/oompolicyd.prom" || fail "no oompolicyd_last_reload_success 0 in the metrics"
cp "$tmp/oompolicyd.prom" "$tmp/snapshot.prom"
echo "--- the daemon's metrics file ---"
cat "$tmp/snapshot.prom"
run promtool check metrics <"$tmp/snapshot.prom"
# promtool check metrics reads stdin and prints lint problems; any is a failure.
[[ $rc -eq 0 && ! -s "$tmp/out" && ! -s "$tmp/err" ]] || fail "promtool check metrics (exit status $rc): $(cat "$tmp/out" "$tmp/err")"
ok "promtool check metrics: the daemon's metrics file is clean"

for name in $(sed -n 's/^# TYPE \(oompolicyd_[a-z_]*\) .*/\1/p' "$tmp/snapshot.prom"); do
        grep -qE "$name([^a-z_]|\$)" "$man" ||
                fail "$name is not documented in $man"
done
ok "every series is documented in oompolicy.conf(5)"
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "daemon exit status $DRC"
done_ok
