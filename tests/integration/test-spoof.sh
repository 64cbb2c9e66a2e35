#!/bin/bash
# SPDX-License-Identifier: MIT
# Spoofing: can an unprivileged user (nobody) obtain a protection rule's value?
# Spoofers, all run as nobody: a copy of a binary named sshd (and one named
# systemd-journald, whose comm the kernel cuts to 15 characters); a process
# that renames itself to sshd with prctl(PR_SET_NAME); a symlink named sshd to
# the rule's root-owned executable; argv[0] set to that executable's path; a
# process named sshd in a cgroup nobody created itself (in a subtree delegated
# to it) whose path ends like the one a rule names. Decoys run by root test the
# exe qualifier on its own: a copy, a rename and an argv[0], none of them the
# rule's executable.
# (a) The shipped default policy, verbatim: no spoofer or decoy matches any rule
#     (daemon log, counters, and oompolicyctl apply --dry-run --json).
# (b) Its values cannot be observed without CAP_SYS_RESOURCE (they are negative),
#     so a copy with every value made positive, its exe qualifiers pointed at
#     root-owned copies made here (never at real system binaries: real sshd would
#     get a positive value) and a rule for a cgroup made here: controls run by
#     root with the real executables (and one in the root-made cgroup) get the
#     values; every spoofer and decoy keeps its own.
# (c) A drop-in that is world-writable or owned by nobody is refused with a
#     precise error by oompolicyctl check, by the daemon at start (it does not
#     start) and at reload (the previous policy stays).
set -euo pipefail
. "$(dirname "$0")/daemon-lib.sh"

daemon_setup
require_nobody
DEFAULT="$top_srcdir/conf/oompolicy.conf"
[[ -r "$DEFAULT" ]] || fail "$DEFAULT missing"

# ---- binaries ----
# nobody's own directory, and the copies nobody makes there itself.
NB="$tmp/nobody"
mkdir -p "$NB"
chown nobody:nogroup "$NB"
chmod 0755 "$NB"
as_nobody() { "${AS_NOBODY[@]}" "$@"; }
as_nobody cp /bin/sleep "$NB/sshd"
as_nobody cp /bin/sleep "$NB/systemd-journald"
helper_copy rename "$tmp/bin/oomrn-$$"
# Root-owned executables for policy (b), in a directory only root can write.
ROOTBIN="$tmp/rootbin"
mkdir -p "$ROOTBIN"
chmod 0755 "$ROOTBIN"
for n in sshd sshd-session sshd-auth rsyslogd syslog-ng systemd-journald oompolicyd; do
        install -o root -g root -m 0755 /bin/sleep "$ROOTBIN/$n"
done
as_nobody mkdir "$NB/link"
as_nobody ln -s "$ROOTBIN/sshd" "$NB/link/sshd"
as_nobody ln -s "$ROOTBIN/systemd-journald" "$NB/link/systemd-journald"
[[ "$(stat -c %U "$NB/sshd")" == nobody ]] || fail "nobody's copy is not nobody's"

# ---- cgroups: one delegated to nobody, one root keeps ----
CG_TOP=$(cgroup_v1_dir name=systemd)
[[ -n "$CG_TOP" ]] || CG_TOP=$(cgroup_v2_dir)
cg_ok=no
if [[ -n "$CG_TOP" && -w "$CG_TOP" ]]; then
        cg_ok=yes
        make_cgroup cg_deleg "$CG_TOP" "oomspoof-$$"
        chown nobody:nogroup "$cg_deleg" "$cg_deleg/cgroup.procs"
        [[ ! -e "$cg_deleg/tasks" ]] || chown nobody:nogroup "$cg_deleg/tasks"
        make_cgroup cg_sys "$CG_TOP" "oomspoof-sys-$$"
        make_cgroup cg_ctl "$cg_sys" sshd.service
        # What nobody will create inside its subtree: the same path below its own cgroup.
        CG_SPOOF="$cg_deleg/oomspoof-sys-$$/sshd.service"
        CGROUPS+=("$cg_deleg/oomspoof-sys-$$" "$CG_SPOOF")
else
        echo "note: no writable cgroup hierarchy (name=systemd or v2); the cgroup spoofer is left out"
fi

# ---- the processes ----
# spawn_link VAR LINK: nobody runs LINK (a symlink): its comm is the link's name, its exe the target.
spawn_link() {
        local __var=$1
        "${AS_NOBODY[@]}" "$2" 300 </dev/null >/dev/null 2>&1 &
        PIDS+=("$!")
        printf -v "$__var" '%s' "$!"
        wait_exec "$!" "$(readlink -f "$2")"
}
# start_all: every spoofer and root decoy; fills SPOOF (PID -> description). ARGV0_SSHD and
# ARGV0_JOURNALD are the paths argv[0] claims.
declare -A SPOOF=()
start_all() {
        local p
        spawn p "$NB/sshd" "${AS_NOBODY[@]}"
        SPOOF[$p]="nobody: copy named sshd"
        spawn p "$NB/systemd-journald" "${AS_NOBODY[@]}"
        SPOOF[$p]="nobody: copy named systemd-journald"
        spawn_renamed p "$tmp/bin/oomrn-$$" sshd "${AS_NOBODY[@]}"
        SPOOF[$p]="nobody: prctl(PR_SET_NAME, sshd)"
        spawn_link p "$NB/link/sshd"
        SPOOF[$p]="nobody: symlink sshd -> $(readlink "$NB/link/sshd")"
        spawn_link p "$NB/link/systemd-journald"
        SPOOF[$p]="nobody: symlink systemd-journald -> $(readlink "$NB/link/systemd-journald")"
        spawn p "$NB/sshd" "${AS_NOBODY[@]}" /bin/bash -c 'exec -a "$0" "$@"' "$ARGV0_SSHD"
        SPOOF[$p]="nobody: copy named sshd, argv[0] $ARGV0_SSHD"
        spawn p "$NB/systemd-journald" "${AS_NOBODY[@]}" /bin/bash -c 'exec -a "$0" "$@"' "$ARGV0_JOURNALD"
        SPOOF[$p]="nobody: copy named systemd-journald, argv[0] $ARGV0_JOURNALD"
        if [[ $cg_ok == yes ]]; then
                (cgroup_join "$cg_deleg" && exec "${AS_NOBODY[@]}" /bin/bash -c \
                        'mkdir -p "$1" && echo $$ >"$1/cgroup.procs" && exec "$2" 300' _ "$CG_SPOOF" "$NB/sshd") \
                        </dev/null >"$tmp/cg-spoof.err" 2>&1 &
                p=$!
                PIDS+=("$p")
                wait_exec "$p" "$NB/sshd"
                grep -q "oomspoof-$$/oomspoof-sys-$$/sshd.service" "/proc/$p/cgroup" ||
                        fail "the cgroup spoofer is not in its own cgroup: $(cat "/proc/$p/cgroup" "$tmp/cg-spoof.err")"
                SPOOF[$p]="nobody: named sshd in cgroup .../oomspoof-$$/oomspoof-sys-$$/sshd.service it made itself"
        fi
        spawn p "$NB/sshd"
        SPOOF[$p]="root: nobody's copy named sshd"
        spawn_renamed p "$tmp/bin/oomrn-$$" sshd
        SPOOF[$p]="root: prctl(PR_SET_NAME, sshd)"
        spawn p "$NB/sshd" /bin/bash -c 'exec -a "$0" "$@"' "$ARGV0_SSHD"
        SPOOF[$p]="root: nobody's copy named sshd, argv[0] $ARGV0_SSHD"
        for p in "${!SPOOF[@]}"; do
                [[ ${SPOOF[$p]} != nobody:* || $(uid_of "$p") == "$NOBODY_UID" ]] || fail "$p (${SPOOF[$p]}) is not nobody's"
        done
}
stop_all() {
        local p
        for p in "${!SPOOF[@]}"; do
                stop "$p"
        done
        SPOOF=()
}
# spoofers_untouched WHAT: after a barrier, every spoofer and decoy has this shell's value.
spoofers_untouched() {
        local p
        barrier
        for p in "${!SPOOF[@]}"; do
                expect_adj "$p" "$base" "${SPOOF[$p]} ($1)"
        done
}
# dry_run_matches POLICY: oompolicyctl apply --dry-run --json; prints how many processes match.
dry_run_matches() {
        ctl apply --dry-run --json --config "$1" >&2
        json_parses
        python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["matched"])' "$tmp/out"
}
test_dropin() {   # test_dropin POLICY: barrier rule, no periodic rescans
        mkdir -p "$1.d"
        { barrier_rule; printf '\n[daemon]\nrescan_interval = 0\n'; } | write_policy "$1.d/99-test.conf"
}
RULES_RE="sshd|syslog|journald|oompolicyd"

# ---- (a) the default policy, verbatim ----
pa="$tmp/default/oompolicy.conf"
write_policy "$pa" <"$DEFAULT"
test_dropin "$pa"
ctl check --config "$pa"
expect_rc 0 "check of the default policy"
matched0=$(dry_run_matches "$pa")
ARGV0_SSHD=/usr/sbin/sshd
ARGV0_JOURNALD=/usr/lib/systemd/systemd-journald
if [[ $matched0 -ne 0 ]]; then
        # A daemon with the real policy would act on them (and children = reset on their children).
        echo "note: the default policy matches $matched0 processes of this machine; part (a) checks with apply --dry-run only"
        start_all
        [[ $(dry_run_matches "$pa") -eq $matched0 ]] || fail "(a) a spoofer or decoy matches the default policy: $(cat "$tmp/out")"
else
        start_daemon "$pa"
        start_all
        spoofers_untouched "(a) default policy"
        [[ $(dry_run_matches "$pa") -eq 0 ]] || fail "(a) apply --dry-run: a spoofer or decoy matches the default policy: $(cat "$tmp/out")"
        fresh_state
        [[ "$(counter failed)" == 0 ]] || fail "(a) counters.failed is $(counter failed): the daemon tried to apply a protection rule"
        ! grep -Eq "rule '($RULES_RE)'|\(($RULES_RE), " "$DLOG" ||
                fail "(a) the daemon log mentions a protection rule: $(grep -E "rule '($RULES_RE)'|\(($RULES_RE), " "$DLOG" | head -n 3)"
        stop_daemon TERM
        [[ $DRC -eq 0 ]] || fail "(a) the daemon exited $DRC"
fi
ok "(a) default policy: none of ${#SPOOF[@]} spoofers and decoys matched (apply --dry-run matched $matched0, as before they started)"
stop_all

# ---- (b) positive values, root-owned executables made here, and a cgroup rule ----
pb="$tmp/positive/oompolicy.conf"
python3 - "$DEFAULT" "$ROOTBIN" "/oomspoof-sys-$$/sshd.service" >"$tmp/pb.conf" <<'EOF'
import os, re, sys
src, rootbin, cgroup = sys.argv[1:]
for line in open(src):
    line = line.rstrip("\n")
    m = re.match(r"oom_score_adj = -(\d+)$", line)
    if m:
        line = "oom_score_adj = " + m.group(1)
    elif line.startswith("exe = "):
        seen = []
        for path in line[len("exe = "):].split():
            p = os.path.join(rootbin, os.path.basename(path))
            if p not in seen:
                seen.append(p)
        line = "exe = " + " ".join(seen)
    print(line)
print(f"\n[rule:sshd-unit]\ncgroup = {cgroup}\noom_score_adj = 305")
EOF
write_policy "$pb" <"$tmp/pb.conf"
test_dropin "$pb"
ctl check --config "$pb"
expect_rc 0 "check of the positive copy"
grep -Eq -- '^[^#]*= -' "$pb" && fail "(b) the policy copy still has a negative value"
for v in 1000 900; do grep -q "^oom_score_adj = $v$" "$pb" || fail "(b) no value $v in the copy"; done
[[ $(dry_run_matches "$pb") -eq 0 ]] || fail "(b) the positive copy matches processes of this machine: $(cat "$tmp/out")"
ARGV0_SSHD="$ROOTBIN/sshd"
ARGV0_JOURNALD="$ROOTBIN/systemd-journald"
start_daemon "$pb"
spawn c_sshd "$ROOTBIN/sshd"
spawn c_journald "$ROOTBIN/systemd-journald"
wait_adj "$c_sshd" 1000 "(b) control: root runs $ROOTBIN/sshd"
wait_adj "$c_journald" 900 "(b) control: root runs $ROOTBIN/systemd-journald (comm cut to 15 characters)"
controls="$c_sshd $c_journald"
if [[ $cg_ok == yes ]]; then
        copy_binary /bin/sleep "$BIN/oomcgc-$$"
        (cgroup_join "$cg_ctl" && exec "$BIN/oomcgc-$$" 300) </dev/null >/dev/null 2>&1 &
        c_cg=$!
        PIDS+=("$c_cg")
        wait_adj "$c_cg" 305 "(b) control: root's process in the root-made cgroup /oomspoof-sys-$$/sshd.service"
        controls+=" $c_cg"
fi
ok "(b) controls got their values: $controls"
start_all
spoofers_untouched "(b) positive copy"
[[ $(dry_run_matches "$pb") -eq $(wc -w <<<"$controls") ]] ||
        fail "(b) apply --dry-run matches other processes than the controls: $(cat "$tmp/out")"
fresh_state
[[ "$(counter failed)" == 0 ]] || fail "(b) counters.failed is $(counter failed)"
for p in "${!SPOOF[@]}"; do
        ok "(b) untouched: $p ${SPOOF[$p]}"
done

# ---- (c) untrusted drop-ins ----
DROP_TEXT=$'[rule:anyone]\nname = sshd systemd-journal*\noom_score_adj = 444\n'
# untrusted NAME MODE OWNER ERE: a drop-in NAME with MODE and OWNER is refused by check, at
# start and at reload, with the error "DROPIN: ERE".
untrusted() {
        local name=$1 mode=$2 owner=$3 ere=$4 dropin="$pb.d/50-$1.conf" n
        write_policy "$dropin" "$mode" <<<"$DROP_TEXT"
        chown "$owner" "$dropin"
        ctl check --config "$pb"
        expect_rc 1 "check with a $name drop-in"
        expect_line err "$(re "$dropin"): $ere" "check refuses the $name drop-in:"
        run_daemon_refused "$pb"
        grep -Eq "^oompolicyd: $(re "$dropin"): $ere$" "$DLOG" || fail "start with a $name drop-in: no precise error in the log"
        grep -q "Refusing to start" "$DLOG" || fail "start with a $name drop-in: no 'Refusing to start'"
        local refused_log=$DLOG
        DLOG=$main_log
        n=$(log_count "Reload failed")
        kill -HUP "$DPID"
        wait_log_count "Reload failed .*previous policy stays in force" $((n + 1))
        [[ $(log_count "^oompolicyd: $(re "$dropin"): $ere$") -eq 1 ]] || fail "reload with a $name drop-in: no precise error in the log"
        spoofers_untouched "(c) $name drop-in"
        expect_adj "$c_sshd" 1000 "control, previous policy"
        rm -f "$dropin"
        ok "(c) $name drop-in refused by check, at start ($(grep -m1 "$(re "$dropin")" "$refused_log")) and at reload"
}
main_log=$DLOG
main_state=$STATE
untrusted world-writable 0646 root:root "refusing policy file writable by others \(mode 0646\); run chmod go-w"
untrusted nobody-owned 0644 nobody:nogroup "refusing policy file owned by uid $NOBODY_UID, not root"
STATE=$main_state
wait_state "j['counters']['reload_failures'] == 2 and j['counters']['reloads'] == 0" "two refused reloads"
expect_daemon_alive
stop_daemon TERM
[[ $DRC -eq 0 ]] || fail "the daemon exited $DRC"
done_ok
