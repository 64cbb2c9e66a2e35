#!/bin/bash
# SPDX-License-Identifier: MIT
# Policy files broken between reloads. The main file and then a drop-in are
# deleted, truncated in the middle of a line (a torn write), made world-
# writable, replaced by a directory, by a symlink loop and (drop-in) by a
# dangling symlink; each time a reload (SIGHUP or oompolicyctl reload) fails
# with one precise "FILE[:LINE]: message" error in the log and in state.json,
# the previous policy stays in force (new processes get the old values, none
# gets a value from the broken file), and putting the file back makes the next
# reload succeed. Deleting a drop-in is no error: its rule goes away.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
A="oompfa-$$"      # main file's rule
B="oompfb-$$"      # drop-in's rule
C="oompfc-$$"      # only in the broken versions
for n in "$A" "$B" "$C"; do
        copy_binary /bin/sleep "$BIN/$n"
done

policy="$tmp/policy.conf"
dropin="$policy.d/50-drop.conf"
# main_text VALUE_OF_A [yes]: the main file; with yes also rule c (only broken versions have it).
main_text() {
        printf '[rule:main]\nname = %s\noom_score_adj = %s\n\n' "$A" "$1"
        [[ ${2:-} != yes ]] || printf '[rule:c]\nname = %s\noom_score_adj = 333\n\n' "$C"
        barrier_rule
        echo
        test_daemon_section
}
# dropin_text VALUE_OF_B [yes]: the drop-in; with yes also rule c2.
dropin_text() {
        [[ ${2:-} != yes ]] || printf '[rule:c2]\nname = %s\noom_score_adj = 334\n\n' "$C"
        printf '[rule:drop]\nname = %s\noom_score_adj = %s\n' "$B" "$1"
}
good_files() {
        rm -rf -- "$policy" "$policy.loop" "$dropin" "$dropin.loop"
        main_text 321 | write_policy "$policy"
        dropin_text 322 | write_policy "$dropin"
}
good_files
start_daemon "$policy"
spawn a0 "$BIN/$A"
spawn b0 "$BIN/$B"
wait_adj "$a0" 321 "main file's rule"
wait_adj "$b0" 322 "drop-in's rule"
ok "daemon running with the main file and one drop-in"

failures=0
reloads=0
via=HUP
# reload: SIGHUP and oompolicyctl reload in turn.
reload() {
        if [[ $via == HUP ]]; then
                kill -HUP "$DPID"
                via=ctl
        else
                ctl reload --state-dir "$(dirname "$STATE")"
                expect_rc 0 "oompolicyctl reload"
                via=HUP
        fi
}

# broken WHAT ERE: the files are broken; a reload must fail with exactly one error line
# "oompolicyd: ERE" (also in state.json's last_errors, with its time) and leave the
# previous policy in force.
broken() {
        local what=$1 ere=$2 a b c n lines
        lines=$(wc -l <"$DLOG")
        failures=$((failures + 1))
        reload
        wait_log_count "Reload failed .*previous policy stays in force" "$failures"
        tail -n +$((lines + 1)) "$DLOG" | grep -v -e "^oompolicyd: Reload failed" -e "^oompolicyd: [0-9]+ $BARRIER_NAME " >"$tmp/new-lines" || :
        n=$(grep -Ec "^oompolicyd: $ere$" "$tmp/new-lines" || :)
        [[ $n -eq 1 ]] || { cat "$tmp/new-lines"; fail "$what: $n new log lines match /$ere/, expected 1"; }
        errors_published "$ere"
        spawn a "$BIN/$A"
        spawn b "$BIN/$B"
        spawn c "$BIN/$C"
        wait_adj "$a" 321 "$what: the previous policy stays (main file's rule)"
        wait_adj "$b" 322 "$what: the previous policy stays (drop-in's rule)"
        barrier
        expect_adj "$c" "$base" "$what: nothing of the broken files applies"
        expect_adj "$a0" 321 "$what: running process keeps its value"
        stop "$a"
        stop "$b"
        stop "$c"
        expect_daemon_alive "$what"
        ok "$what: reload refused: $(grep -E "^oompolicyd: $ere$" "$tmp/new-lines")"
}

# repaired: the good files are back; the next reload succeeds, and status forgets
# the errors of the failed one.
repaired() {
        good_files
        reloads=$((reloads + 1))
        reload
        wait_log_count "Reloaded: 3 rules from 2 files" "$reloads"
        wait_state "j['counters']['reloads'] == $reloads and j['last_errors'] == []" \
                "reloads == $reloads and last_errors empty after the successful reload"
}

# errors_published ERE: state.json counts the failed reload and lists its error with
# its time (state.json is rewritten at most once a second: waited for).
errors_published() {
        local ere=$1
        wait_state "j['counters']['reload_failures'] == $failures and j['counters']['reloads'] == $reloads" \
                "reload_failures == $failures, reloads == $reloads"
        state_py "'\n'.join(e['message'] for e in j['last_errors'] if e['time_usec'] > 0)" >"$tmp/last-errors"
        grep -Eq "^$ere$" "$tmp/last-errors" || fail "state.json's last_errors lack /$ere/ with a time: $(cat "$tmp/last-errors")"
        ok "state.json: reload_failures $failures, reloads $reloads, last_errors has the error, with its time"
}

P=$(re "$policy")
D=$(re "$dropin")

# ---- the main file ----
rm -f "$policy"
broken "main file deleted" "$P: cannot open: No such file or directory"
repaired

# A torn write: everything up to the middle of a key of the [daemon] section.
text=$(main_text 331 yes)
printf '%s' "${text%%rescan_interval*}rescan_" | write_policy "$policy"
broken "main file truncated inside a line" "$P:[0-9]+: expected 'KEY = VALUE', a \[section\] header or a comment"
repaired

main_text 331 yes | write_policy "$policy" 0666
broken "main file world-writable" "$P: refusing policy file writable by others \(mode 0666\); run chmod go-w"
repaired

rm -f "$policy"
mkdir "$policy"
main_text 331 yes | write_policy "$policy/inside.conf"
broken "main file replaced by a directory" "$P: is a directory, not a policy file"
repaired

rm -f "$policy"
ln -s "$policy.loop" "$policy"
ln -s "$policy" "$policy.loop"
broken "main file replaced by a symlink loop" "$P: cannot open: too many levels of symbolic links \(a symlink loop\?\)"
repaired

# ---- a drop-in ----
text=$(dropin_text 332 yes)
printf '%s' "${text%%adj = 332*}ad" | write_policy "$dropin"
broken "drop-in truncated inside a line" "$D:[0-9]+: expected 'KEY = VALUE', a \[section\] header or a comment"
repaired

dropin_text 332 yes | write_policy "$dropin" 0646
broken "drop-in world-writable" "$D: refusing policy file writable by others \(mode 0646\); run chmod go-w"
repaired

rm -f "$dropin"
mkdir "$dropin"
broken "drop-in replaced by a directory" "$D: is a directory, not a policy file"
repaired

rm -f "$dropin"
ln -s "$dropin.loop" "$dropin"
ln -s "$dropin" "$dropin.loop"
broken "drop-in replaced by a symlink loop" "$D: cannot open: too many levels of symbolic links \(a symlink loop\?\)"
repaired

rm -f "$dropin"
ln -s "$tmp/no-such-file.conf" "$dropin"
broken "drop-in replaced by a dangling symlink" "$D: cannot open: No such file or directory"
repaired

# ---- deleting a drop-in is a legitimate change ----
rm -f "$dropin"
reloads=$((reloads + 1))
reload
wait_log_count "Reloaded: 2 rules from 1 file\\." 1
wait_adj "$b0" "$base" "the deleted drop-in's rule is gone: previous value back"
ok "drop-in deleted: reload succeeded with 2 rules, $b0 back to $base"
good_files
reloads=$((reloads + 1))
reload
wait_log_count "Reloaded: 3 rules from 2 files" $((reloads - 1))
wait_adj "$b0" 322 "drop-in back"

wait_state "j['counters']['reload_failures'] == $failures and j['counters']['reloads'] == $reloads" \
        "reload_failures == $failures, reloads == $reloads"
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed)"
expect_daemon_alive
ok "$failures broken reloads refused with precise errors, $reloads good ones applied"
# Without CAP_SYS_RESOURCE the daemon cannot set its own negative value: said at start, not at each reload.
n=$(log_count "Cannot set own oom_score_adj")
[[ $n -le 1 ]] || fail "the warning about the daemon's own oom_score_adj was logged $n times over $reloads reloads"
ok "the daemon's warning about its own oom_score_adj, if any, was logged $n time(s), not once per reload"
done_ok
