#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 3, a real global OOM. Boot 1: from an ssh session, a memory hog
# grows until the kernel's OOM killer runs. The hog dies; sshd, rsyslogd,
# journald and oompolicyd survive; the same session runs a command afterwards;
# events, the journal, status and the metrics all know of the kill.
# Boot 2, the control: the same hog with the daemon masked and no policy; and
# oompolicyctl events --boot=-1 finds boot 1's kill in the (persistent) journal,
# with the rule the daemon logged for it.
# timeout: 1200
# duration: 263
. ./lib.sh

wait_until 300 system_settled || :
setup_ssh_user alice
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-memhog
protected_units="ssh rsyslog systemd-journald"
[ "$BOOT" = 1 ] && protected_units="$protected_units oompolicyd"

# The kill lands in the hog's session: the shell reports the hog's status and
# then goes on with another command.
run_hog() {
        local label=$1 strict=$2 unit after
        declare -A before_pid=()
        for unit in $protected_units; do before_pid[$unit]=$(main_pid "$unit"); done
        record_protected "$label, before the OOM"
        evidence "$label: MemTotal $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB, no swap, vm.overcommit_memory $(cat /proc/sys/vm/overcommit_memory)"
        local since
        since=$(date '+%Y-%m-%d %H:%M:%S')
        hog_out=$(ssh_as alice 'oomtest-memhog 4096 0; echo "hog-status $?"; echo "session-alive $$ $(cat /proc/$$/oom_score_adj)"')
        info "$label: session said: $hog_out"
        kill_lines=$(journalctl -k --since "$since" --no-pager -o cat | grep -E 'Out of memory|Killed process|invoked oom-killer' || true)
        evidence "$label: kernel: $(echo "$kill_lines" | grep -E 'Out of memory|Killed process' | head -n 2 | tr '\n' ' ')"
        victim_comm=$(echo "$kill_lines" | sed -n 's/.*Killed process [0-9]* (\([^)]*\)).*/\1/p' | head -n 1)
        record_protected "$label, after the OOM"
        if [ "$strict" = no ]; then
                evidence "$label: the session said: $(echo "$hog_out" | tr '\n' ' ')"
                check "$label: the kernel killed something" test -n "$victim_comm"
                return
        fi
        expect_eq "$label: the kernel's victim" oomtest-memhog "$victim_comm"
        case "$hog_out" in
                *"hog-status 137"*) pass "$label: the hog was killed by SIGKILL in alice's session" ;;
                *) fail "$label: the hog was not killed: '$hog_out'" ;;
        esac
        case "$hog_out" in
                *session-alive*) pass "$label: the same ssh session ran a command after the kill" ;;
                *) fail "$label: the ssh session did not survive the OOM" ;;
        esac
        for unit in $protected_units; do
                after=$(main_pid "$unit")
                if [ "$after" = "${before_pid[$unit]}" ] && [ "$after" != 0 ] && [ -d "/proc/$after" ]; then
                        pass "$label: $unit survived (pid $after)"
                else
                        fail "$label: $unit pid ${before_pid[$unit]} is gone (now '$after')"
                fi
        done
}

if [ "$BOOT" = 1 ]; then
        # The hog's own rule names it in the daemon's kill entry; the metrics
        # file is where a node exporter would read the counters.
        mkdir -p /etc/oompolicy.conf.d
        printf '[rule:memhog]\nname = oomtest-memhog\noom_score_adj = 500\n\n[daemon]\nmetrics_file = /run/oompolicyd/metrics.prom\n' \
                >/etc/oompolicy.conf.d/60-memhog.conf
        systemctl reload oompolicyd.service
        wait_until 60 test -f /run/oompolicyd/metrics.prom || fail "no metrics file after the reload"
        for unit in rsyslog systemd-journald; do echo "$unit $(score_of "$(main_pid "$unit")")"; done >"$OUT/scores-with-policy"
        expect_eq "sshd's oom_score under the policy" 0 "$(score_of "$(main_pid ssh.service)")"
        run_hog "with oompolicyd" yes
        info "the daemon's journal around the OOM:"
        journalctl -b -u oompolicyd.service --no-pager -o short-monotonic | grep -v 'oompolicyctl\[' | tail -n 15

        events=$(oompolicyctl events --json 2>&1)
        info "events: $events"
        victim=$(echo "$events" | python3 -c 'import json,sys
for e in json.load(sys.stdin):
    if e.get("victim_comm") == "oomtest-memhog": print(e["victim_pid"], e["scope"]); break')
        case "$victim" in
                *" global") pass "oompolicyctl events lists the kill: pid ${victim% *}, global" ;;
                *) fail "oompolicyctl events does not list the hog's global kill: $events" ;;
        esac
        hog_pid=${victim% *}
        echo "$hog_pid" >"$OUT/hog-pid"
        check_entry() {
                journalctl MESSAGE_ID=0b8f6a5e3c1d4e7fa2b9c4d5e6f7080a "OOMPOLICY_VICTIM_PID=$hog_pid" -o export --no-pager |
                        grep -q '^OOMPOLICY_RULE=memhog$'
        }
        check "the journal holds the daemon's kill entry for pid $hog_pid with OOMPOLICY_RULE=memhog" wait_until 60 check_entry
        journalctl MESSAGE_ID=0b8f6a5e3c1d4e7fa2b9c4d5e6f7080a -o cat --no-pager | head -n 3 | while read -r l; do evidence "daemon's kill entry: $l"; done
        # events reads the journal here and joins the daemon's entry: the rule.
        rule_of_kill() {   # BOOT-OPTION...: "NAME ORIGIN ADJ SOURCE" of the hog's kill
                oompolicyctl events --json "$@" | python3 -c 'import json,sys
for e in json.load(sys.stdin):
    if e.get("victim_pid") == int(sys.argv[1]) and e.get("rule"):
        r = e["rule"]; print(r["name"], r["origin"], r["oom_score_adj"], e["source"], e["time"] is not None); break' "$hog_pid"
        }
        check "oompolicyctl events shows the kill with its rule (this boot, from the journal)" \
                wait_until 60 sh -c "oompolicyctl events --json -b | grep -q '\"name\": \"memhog\"'"
        evidence "events -b: rule of the kill: $(rule_of_kill -b)"
        check "oompolicyctl status counts one global kill" wait_until 60 sh -c 'oompolicyctl status | grep -Eq "oom_kills_global +1$"'
        check "the metrics count it" wait_until 60 grep -q '^oompolicyd_oom_kills_total{scope="global"} 1$' /run/oompolicyd/metrics.prom

        # The control, from a boot in which the daemon never ran.
        rm -f /etc/oompolicy.conf.d/60-memhog.conf
        systemctl mask oompolicyd.service
        systemctl reboot
        exit 0
fi

if [ "$BOOT" = 2 ]; then
        check "control boot: oompolicyd did not run" sh -c '! systemctl -q is-active oompolicyd.service'
        # The difference the policy makes, process by process: the loggers are
        # candidates without it. (OpenSSH on Linux sets its listener to -1000
        # by itself, so sshd is the same either way.)
        for unit in rsyslog systemd-journald; do
                pid=$(main_pid "$unit")
                with=$(sed -n "s/^$unit //p" "$OUT/scores-with-policy")
                without=$(score_of "$pid")
                evidence "oom_score of $unit: $with with the policy, $without without it (oom_score_adj $(adj_of "$pid"))"
                if [ -n "$with" ] && [ -n "$without" ] && [ "$without" -gt "$with" ]; then
                        pass "control: $unit's oom_score is $without without the policy, $with with it"
                else
                        fail "control: $unit's oom_score is '$without' without the policy, '$with' with it"
                fi
        done
        # Boot 1's kill, after the reboot: only the journal still has it.
        hog_pid=$(cat "$OUT/hog-pid" 2>/dev/null || echo 0)
        journal_kill=$(oompolicyctl events --boot=-1 --json | python3 -c 'import json,sys
for e in json.load(sys.stdin):
    if e.get("victim_pid") == int(sys.argv[1]):
        r = e.get("rule") or {}
        print(e["source"], e["victim_comm"], r.get("name"), r.get("origin"), r.get("oom_score_adj"), e["time"] is not None, e["kernel_time"] is not None); break' "$hog_pid")
        evidence "events --boot=-1: $journal_kill"
        case "$journal_kill" in
                "journal oomtest-memhog memhog /etc/oompolicy.conf.d/60-memhog.conf:3 500 True True")
                        pass "events --boot=-1 shows boot 1's kill of pid $hog_pid with its rule memhog (60-memhog.conf:3, 500), from the journal" ;;
                *) fail "events --boot=-1 does not show boot 1's kill of pid $hog_pid with its rule: '$journal_kill'" ;;
        esac
        text=$(oompolicyctl events --boot=-1 2>&1)
        evidence "events --boot=-1 (text): $(echo "$text" | tr '\n' ' ')"
        case "$text" in
                *"-- Source: journal, boot "*"killed $hog_pid (oomtest-memhog)"*"rule=memhog (/etc/oompolicy.conf.d/60-memhog.conf:3, oom_score_adj 500)"*)
                        pass "events --boot=-1 as text: the source, the kill and its rule" ;;
                *) fail "events --boot=-1 as text: '$text'" ;;
        esac
        evidence "sshd without oompolicyd: oom_score_adj $(adj_of "$(main_pid ssh.service)") (set by OpenSSH itself)"
        run_hog "control, no oompolicyd" no
        exit 0
fi
fail "unexpected boot $BOOT"
