#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 8, earlyoom follows the policy: it kills the process with the
# highest oom_score, so a process the policy protects (user = root and exe,
# a negative value) outlives a smaller hog that makes memory run short. The
# control, the rule removed and reloaded: earlyoom kills the larger one.
# timeout: 900
# duration: 53
. ./lib.sh

wait_until 300 system_settled || :
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-memhog
install -m 0755 "$IN/bin/oomtest-memhog" /usr/local/bin/oomtest-protected
mkdir -p /etc/oompolicy.conf.d
printf '[rule:protected]\nexe = /usr/local/bin/oomtest-protected\nuser = root\noom_score_adj = -500\n' \
        >/etc/oompolicy.conf.d/60-protected.conf
check "systemctl reload with the protected rule" systemctl reload oompolicyd.service
check "oompolicyctl check accepts the rule" oompolicyctl check >/dev/null

# Sizes from what this guest has free (A): the protected process holds 45 %
# of A, earlyoom acts when available memory falls to 35 % of A (the hog then
# holds about 20 %, less than the protected one), and the hog stops at 35 %,
# so the kernel's own OOM killer never has a reason to run.
total_kib=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)
avail_kib=$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)
protected_mib=$((avail_kib * 45 / 100 / 1024))
hog_mib=$((avail_kib * 35 / 100 / 1024))
min_percent=$((avail_kib * 35 / total_kib))
info "MemTotal $total_kib kB, MemAvailable $avail_kib kB: protected $protected_mib MiB, hog up to $hog_mib MiB, earlyoom -m $min_percent"

rm -f /run/oomtest-protected.ready
/usr/local/bin/oomtest-protected "$protected_mib" 0 /run/oomtest-protected.ready &
protected=$!
check "the protected process holds its $protected_mib MiB" wait_until 120 test -e /run/oomtest-protected.ready
check "the policy gave it -500" adj_becomes "$protected" -500 60

# earlyoom as its Debian unit runs it, with a threshold for this guest; no
# swap here, so the swap condition (-s 100) always holds.
earlyoom -m "$min_percent" -s 100 -r 5 >"$OUT/earlyoom.log" 2>&1 &
earlyoom=$!
check "earlyoom started (pid $earlyoom)" wait_until 60 grep -q 'mem total' "$OUT/earlyoom.log"

either_gone() { gone "$1" || gone "$2"; }
# run_hog LABEL: starts a hog growing 1 MiB every 20 ms, waits until earlyoom
# has killed the hog or the protected process; sets $hog.
run_hog() {
        local label=$1
        /usr/local/bin/oomtest-memhog "$hog_mib" 20 &
        hog=$!
        info "$label: hog $hog (oom_score $(score_of "$hog")), protected $protected (oom_score $(score_of "$protected"), oom_score_adj $(adj_of "$protected"))"
        wait_until 300 either_gone "$hog" "$protected" ||
                fail "$label: earlyoom killed neither within 300 s"
}

run_hog "with the policy"
kills=$(grep -E 'sending SIG(TERM|KILL) to process' "$OUT/earlyoom.log")
info "earlyoom: $kills"
evidence "earlyoom with the policy: $(echo "$kills" | head -n 1)"
if ! alive "$hog" && alive "$protected"; then
        pass "with the policy: earlyoom killed the hog (pid $hog), the larger protected process (pid $protected, $protected_mib MiB) lives"
else
        fail "with the policy: hog $hog alive: $(alive "$hog" && echo yes || echo no), protected $protected alive: $(alive "$protected" && echo yes || echo no)"
fi
case "$kills" in
        *"process $hog "*) pass "earlyoom's log names the hog: $(echo "$kills" | head -n 1)" ;;
        *) fail "earlyoom's log does not name the hog $hog: $kills" ;;
esac
wait "$hog" 2>/dev/null

# The control: the rule removed, the daemon gives the old value back.
if alive "$protected"; then
        rm /etc/oompolicy.conf.d/60-protected.conf
        check "systemctl reload without the rule" systemctl reload oompolicyd.service
        check "the reload gave the protected process its old value back" adj_becomes "$protected" 0 60
        lines_before=$(wc -l <"$OUT/earlyoom.log")
        run_hog "without the policy"
        kills=$(tail -n +"$((lines_before + 1))" "$OUT/earlyoom.log" | grep -E 'sending SIG(TERM|KILL) to process')
        info "earlyoom: $kills"
        evidence "earlyoom without the policy: $(echo "$kills" | head -n 1)"
        if alive "$hog" && ! alive "$protected"; then
                pass "without the policy: earlyoom killed the larger process (pid $protected), the hog (pid $hog) lives"
        else
                fail "without the policy: hog $hog alive: $(alive "$hog" && echo yes || echo no), unprotected $protected alive: $(alive "$protected" && echo yes || echo no)"
        fi
        case "$kills" in
                *"process $protected "*) pass "earlyoom's log names it: $(echo "$kills" | head -n 1)" ;;
                *) fail "earlyoom's log does not name pid $protected: $kills" ;;
        esac
fi

kill "$earlyoom" "$hog" "$protected" 2>/dev/null || :
wait 2>/dev/null || :
rm -f /etc/oompolicy.conf.d/60-protected.conf /run/oomtest-protected.ready
