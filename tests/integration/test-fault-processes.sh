#!/bin/bash
# SPDX-License-Identifier: MIT
# Awkward processes under oompolicyd (rescan_interval = 0: the start-up scan and
# events do all the work):
# 1. Processes that exit between their event and the write (thousands of
#    matching /bin/true copies): never a failure, a warning or a leak.
# 2. Zombies (a live matching parent with unreaped children), found by the
#    start-up scan and by events: never written, never counted as failures.
# 3. Kernel threads: a rule naming kthreadd and ksoftirqd/* (with children =
#    reset) matches none of them: the daemon does not even track them. The rule
#    sets their current value, so even a daemon that got this wrong writes nothing.
# 4. Processes in other PID namespaces (unshare -fp), started before and after
#    the daemon: adjusted by their global PID.
# 5. Names: exactly 15 characters; longer than 15 (the kernel cuts the comm, the
#    executable's name completes it, a mere rename to the cut name does not);
#    unicode, cut by the kernel in the middle of a character; a space; a
#    newline. Every log line stays one line (a name cannot forge a log line)
#    and state.json stays valid JSON.
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
EX="oomex-$$"                         # short-lived
ZB="oomzb-$$"                         # zombie-making fork tree
NS="oomns-$$"                         # in another PID namespace
N15=$(printf 'oom15-%09d' $$)         # exactly 15 characters
LONG="oomlongname-$$-full"            # longer than 15
LONG_OTHER="oomlongname-$$-else"      # same first 15 characters, another name
UNI="oomé-$$-"                        # UTF-8, padded so that byte 15 falls inside 'ü'
while [[ $(printf '%s' "$UNI" | wc -c) -lt 14 ]]; do UNI+=x; done
UNI+="ünïcødé"
SP="oom sp-$$"                        # a space
NL=$'oomnl\n'"$$"                     # a newline
FORGED=$'x\noompolicyd: F'            # 15 bytes: tries to start a fake log line
storm_binaries "$EX"
helper_copy forktree "$BIN/$ZB"
copy_binary /bin/sleep "$BIN/$NS"
for n in "$N15" "$LONG" "$LONG_OTHER" "$UNI" "$SP" "$NL"; do
        copy_binary /bin/sleep "$BIN/$n"
done
helper_copy rename "$BIN/oomrn-$$"
[[ ${#N15} -eq 15 ]] || fail "N15 is not 15 characters: $N15"
[[ $(printf '%s' "$UNI" | head -c 15 | iconv -f UTF-8 -t UTF-8 2>/dev/null | wc -c) -lt 15 ]] ||
        fail "the first 15 bytes of $UNI are valid UTF-8; the test wants a character cut in two"

policy="$tmp/policy.conf"
write_policy "$policy" <<EOF
[rule:exit]
name = $EX
oom_score_adj = 301

[rule:zombie]
name = $ZB
oom_score_adj = 302

[rule:ns]
name = $NS
oom_score_adj = 304

[rule:n15]
name = $N15
oom_score_adj = 305

[rule:long]
name = $LONG
oom_score_adj = 306

[rule:unicode]
name = $UNI
oom_score_adj = 307

[rule:space]
name = oom?sp-$$
oom_score_adj = 308

[rule:newline]
name = oomnl?$$ x?oompolicyd:*
oom_score_adj = 309

$(barrier_rule)

$(test_daemon_section)
EOF

# ---- before the daemon: zombies and a PID namespace for the start-up scan ----
# zombies_of PID: the PIDs of PID's zombie children.
zombies_of() {
        local c
        for c in $(cat "/proc/$1/task/$1/children"); do
                [[ "$(proc_state "$c")" == Z ]] && echo "$c"
        done
}

ns_ok=yes
unshare --fork --pid --kill-child true 2>/dev/null || ns_ok=no
# start_ns VAR: a new PID namespace whose init (bash) runs two copies of the ns rule's
# binary; VAR gets their global PIDs.
start_ns() {
        local __var=$1 i k init kids=""
        unshare --fork --pid --kill-child -- /bin/bash -c '"$1" 300 & "$1" 300 & wait' _ "$BIN/$NS" </dev/null >/dev/null 2>&1 &
        local u=$!
        PIDS+=("$u")
        for ((i = 0; i < 200; i++)); do
                init=$(cat "/proc/$u/task/$u/children" 2>/dev/null || :)
                init=${init%% *}
                if [[ -n "$init" ]]; then
                        kids=$(cat "/proc/$init/task/$init/children" 2>/dev/null || :)
                        [[ $(wc -w <<<"$kids") -eq 2 ]] && break
                fi
                sleep 0.02
        done
        [[ $(wc -w <<<"$kids") -eq 2 ]] || fail "the PID namespace of unshare $u did not start its two processes"
        grep -q "^NSpid:.*[[:space:]]1[[:space:]]*$" "/proc/$init/status" || fail "$init is not PID 1 of its namespace"
        for k in $kids; do
                wait_exec "$k" "$BIN/$NS"
        done
        printf -v "$__var" '%s' "${kids% }"
}

start_forktree tree_scan "" "$BIN/$ZB" --zombies 20
wait_forktree "$tree_scan"
mapfile -t zombies_scan < <(zombies_of "$tree_scan")
[[ ${#zombies_scan[@]} -eq 20 ]] || fail "expected 20 zombies under $tree_scan, found ${#zombies_scan[@]}"
if [[ $ns_ok == yes ]]; then
        start_ns ns_scan
fi

# ---- kernel threads (a daemon of their own: tracked_processes must stay 0) ----
kadj=$(cat /proc/2/oom_score_adj)
kthreads_same=yes
for f in /proc/[0-9]*/comm; do
        [[ "$(cat "$f" 2>/dev/null)" == ksoftirqd/* ]] || continue
        [[ "$(cat "${f%comm}oom_score_adj" 2>/dev/null)" == "$kadj" ]] || kthreads_same=no
done
if [[ "$(cat /proc/2/comm)" != kthreadd ]]; then
        echo "note: PID 2 is not kthreadd here; kernel thread part skipped"
elif [[ $kthreads_same != yes ]]; then
        echo "note: ksoftirqd/* threads differ from kthreadd's oom_score_adj $kadj; kernel thread part skipped"
else
        write_policy "$tmp/policy-kthreads.conf" <<EOF
[rule:kthreads]
name = kthreadd ksoftirqd/*
oom_score_adj = $kadj
children = reset

$(barrier_rule)

$(DEFAULT_ADJ=$kadj test_daemon_section)
EOF
        start_daemon "$tmp/policy-kthreads.conf"
        fresh_state
        wait_state "j['tracked_processes'] == 0" "the daemon tracks processes: kernel threads matched the kthreads rule"
        [[ $(counter adjusted) -eq 1 && $(counter reset) -eq 0 && $(counter failed) -eq 0 ]] ||
                fail "counters $(state_py "j['counters']"): only the barrier should have been written"
        stop_daemon TERM
        [[ "$(cat /proc/2/oom_score_adj)" == "$kadj" ]] || fail "kthreadd's oom_score_adj changed"
        ok "kernel threads: a rule naming kthreadd and ksoftirqd/* matched none (tracked 0, adjusted only the barrier)"
fi

start_daemon "$policy"

# ---- 2. zombies ----
wait_adj "$tree_scan" 302 "live parent of zombies, start-up scan"
start_forktree tree_event "" "$BIN/$ZB" --zombies 20
wait_forktree "$tree_event"
wait_adj "$tree_event" 302 "live parent of zombies, EXEC event"
mapfile -t zombies_event < <(zombies_of "$tree_event")
[[ ${#zombies_event[@]} -eq 20 ]] || fail "expected 20 zombies under $tree_event, found ${#zombies_event[@]}"
barrier
for z in "${zombies_scan[@]}" "${zombies_event[@]}"; do
        [[ "$(proc_state "$z")" == Z ]] || fail "$z is no longer a zombie"
        ! grep -Eq "^oompolicyd: $z " "$DLOG" || fail "the daemon logged about zombie $z: $(grep -E "^oompolicyd: $z " "$DLOG")"
done
for z in "${zombies_scan[@]}"; do
        expect_adj "$z" "$base" "zombie found by the start-up scan"
done
ok "zombies: parents $tree_scan, $tree_event got 302; ${#zombies_scan[@]} + ${#zombies_event[@]} zombies never written or logged"

# ---- 4. PID namespaces ----
if [[ $ns_ok == yes ]]; then
        for k in $ns_scan; do
                wait_adj "$k" 304 "in another PID namespace, start-up scan"
        done
        start_ns ns_event
        for k in $ns_event; do
                wait_adj "$k" 304 "in another PID namespace, EXEC event"
        done
        ok "PID namespaces: $ns_scan (scan) and $ns_event (events) got 304 by their global PIDs"
else
        echo "note: unshare --fork --pid --kill-child does not work here; PID namespace part skipped"
fi

# ---- 5. names ----
spawn p15 "$BIN/$N15"
spawn plong "$BIN/$LONG"
spawn pother "$BIN/$LONG_OTHER"
spawn puni "$BIN/$UNI"
spawn psp "$BIN/$SP"
spawn pnl "$BIN/$NL"
# A process renamed to the cut name of LONG: its executable and argv[0] say otherwise.
spawn_renamed prn "$BIN/oomrn-$$" "${LONG:0:15}"
spawn_renamed pforged "$BIN/oomrn-$$" "$FORGED"
wait_adj "$p15" 305 "15-character name"
wait_adj "$plong" 306 "name longer than 15 characters, completed by the executable's name"
wait_adj "$puni" 307 "unicode name cut by the kernel inside a character"
wait_adj "$psp" 308 "name with a space"
wait_adj "$pnl" 309 "name with a newline"
wait_adj "$pforged" 309 "renamed to a newline and a fake log line"
barrier
expect_adj "$prn" "$base" "renamed to the cut name of $LONG, but runs another executable"
expect_adj "$pother" "$base" "$LONG_OTHER: same cut name as $LONG, another full name"
# Every line the daemon wrote is one of its own: none begins with the rest of a name.
bad=$(grep -vn '^oompolicyd: ' "$DLOG" | head -n 3 || :)
[[ -z "$bad" ]] || fail "log lines not written as such by the daemon (a process name with a newline split a line): $bad"
grep -Eq "^oompolicyd: $pnl .*-> 309" "$DLOG" || fail "no log line for $pnl"
python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$STATE" || fail "state.json is not valid UTF-8 JSON"
ok "names: 15 characters, long, unicode, space, newline matched; a rename to a cut name and a sibling name did not; the log stays one line per message: $(grep -E "^oompolicyd: $pforged " "$DLOG" | head -n1)"

# ---- 1. exits between event and write ----
adjusted_before=$(counter adjusted)
run_storm 2 1000 1000000 "$EX"
barrier
fresh_state
[[ "$(counter failed)" == 0 ]] || fail "counters.failed is $(counter failed): a process that exited is not a failure"
failures="cannot set oom_score_adj|Cannot set oom_score_adj -?[0-9]+ for|Rescan failed|Out of memory"
n=$(log_count "$failures")
[[ $n -eq 0 ]] || fail "$n failure lines in the log: $(grep -E "$failures" "$DLOG" | head -n 3)"
# Still running and matched: two parents of zombies, four namespace processes, six named
# ones. Polled: on a starved machine the state published after the barrier's write can
# predate the handling of the barrier's own EXIT.
wait_state "j['tracked_processes'] <= 12" "the daemon tracks more than 12 processes after 2000 exits; state of exited processes leaked"
tracked=$(state_py "j['tracked_processes']")
ok "2000 short-lived $EX: $(( $(counter adjusted) - adjusted_before - 1 )) written before they exited, the rest gone first; failed 0, tracked $tracked"

expect_daemon_alive
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "the daemon exited $DRC"
done_ok
