# SPDX-License-Identifier: MIT
# Guest side of the system tests, sourced by every scenario. A scenario reports
# each check as a line in $OUT/results ("PASS: ...", "FAIL: ...", "SKIP: ...");
# the host reads that file after the guest has powered off. Evidence for the
# README goes to $OUT/evidence.
set -u

: "${OUT:?run by harness-boot}" "${IN:?run by harness-boot}" "${BOOT:?run by harness-boot}"
export PATH="$IN/bin:$PATH"
# The harness runs at -1000 so that it survives the OOMs it causes; what a
# scenario starts must hold the ordinary default, as on any machine.
echo 0 >/proc/self/oom_score_adj

_result() {
        echo "$1: $2" >>"$OUT/results"
        echo "[$(date +%T)] $1: $2"
}
pass() { _result PASS "$*"; }
fail() { _result FAIL "$*"; }
skip() { _result SKIP "$*"; }
info() { echo "[$(date +%T)] $*"; }
evidence() { echo "$*" >>"$OUT/evidence"; }

# check DESCRIPTION COMMAND...: one PASS or FAIL line for the command's status.
check() {
        local desc=$1
        shift
        if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# wait_until SECONDS COMMAND...: true once COMMAND succeeds, false when the
# deadline passes first. The guest runs under TCG at a fraction of the host's
# speed, so deadlines are generous and nothing waits a fixed time.
wait_until() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@"; do
                [ "$SECONDS" -lt "$deadline" ] || return 1
                sleep 0.2
        done
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
        if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}

system_settled() {
        local state
        state=$(systemctl is-system-running 2>/dev/null)
        [ "$state" = running ] || [ "$state" = degraded ]
}

unit_prop() { systemctl show -P "$2" "$1"; }
main_pid() { systemctl show -P MainPID "$1"; }
adj_of() { cat "/proc/$1/oom_score_adj" 2>/dev/null; }
score_of() { cat "/proc/$1/oom_score" 2>/dev/null; }
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
# PID runs (a zombie does not: a child of the scenario is one until reaped).
alive() { [ -e "/proc/$1" ] && [ "$(awk '/^State/ { print $2 }' "/proc/$1/status" 2>/dev/null)" != Z ]; }
gone() { ! alive "$1"; }

# The value the daemon should have written is there (waits for it: the daemon
# reacts to the process's EXEC event, asynchronously).
adj_becomes() {
        local pid=$1 want=$2
        wait_until "${3:-60}" sh -c '[ "$(cat /proc/$1/oom_score_adj 2>/dev/null)" = "$2" ]' _ "$pid" "$want"
}

install_package() {
        DEBIAN_FRONTEND=noninteractive dpkg -i "$@" >"$OUT/dpkg.log" 2>&1
}

# An unprivileged user who logs in over ssh with a key, to the guest itself.
setup_ssh_user() {
        local user=$1
        id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
        if [ ! -f /root/.ssh/id_ed25519 ]; then
                mkdir -p -m 0700 /root/.ssh
                ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519
        fi
        install -d -m 0700 -o "$user" -g "$user" "/home/$user/.ssh"
        install -m 0600 -o "$user" -g "$user" /root/.ssh/id_ed25519.pub "/home/$user/.ssh/authorized_keys"
}

ssh_as() {
        local user=$1
        shift
        ssh -n -i /root/.ssh/id_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=no \
                -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=60 \
                "$user@localhost" "$@"
}

# Starts COMMAND in a login session of USER that stays open (ssh in the
# background); prints the ssh client's PID.
ssh_session_bg() {
        local user=$1
        shift
        ssh -i /root/.ssh/id_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=no \
                -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=60 \
                -o ServerAliveInterval=0 "$user@localhost" "$@" </dev/null >>"$OUT/ssh-$user.log" 2>&1 &
        echo $!
}

# PIDs of the processes whose /proc/PID/exe is one of the FILEs (one find:
# a readlink per process costs seconds under TCG).
pids_by_exe() {
        local -a names=()
        local f
        for f in "$@"; do names+=(-o -lname "$f"); done
        find /proc -mindepth 2 -maxdepth 2 -name exe \( "${names[@]:1}" \) -printf '%h\n' 2>/dev/null |
                sed 's|^/proc/||' | sort -n
}

# Records a global OOM's evidence: who the kernel killed, and where each
# protected process stood.
record_protected() {
        local label=$1 unit pid
        for unit in ssh rsyslog systemd-journald oompolicyd; do
                pid=$(main_pid "$unit" 2>/dev/null)
                [ -n "$pid" ] && [ "$pid" != 0 ] || continue
                evidence "$label: $unit (pid $pid, $(comm_of "$pid")): oom_score_adj $(adj_of "$pid"), oom_score $(score_of "$pid"), $(awk '/^VmRSS/ { print $2 " " $3 }' "/proc/$pid/status") resident"
        done
}

# Configuration management (scenarios 12-ansible, 13-puppet). cm_setup TOOL:
# contrib/ in /root/contrib, the run's files in $work (/root/cm-TOOL), the
# drop-in the tool manages in $dropin (/etc/oompolicy.conf.d/50-TOOL.conf),
# and $target, a process of the tool's rule "cmtest" (exe
# /usr/local/bin/oomtest-TOOL, user root: a protected value is qualified).
cm_setup() {
        wait_until 300 system_settled || :
        cp -r "$IN/contrib" /root/contrib
        work=/root/cm-$1
        mkdir -p "$work"
        dropin=/etc/oompolicy.conf.d/50-$1.conf
        install -m 0755 /bin/sleep "/usr/local/bin/oomtest-$1"
        "/usr/local/bin/oomtest-$1" 3600 &
        target=$!
}

# cm_installed ADJ: after the first run, the drop-in is there, root's, 0644,
# the daemon runs and has given $target ADJ.
cm_installed() {
        check "the drop-in $dropin is installed" grep -q '^\[rule:cmtest\]' "$dropin"
        expect_eq "the drop-in is root's, mode 0644" "root root 644" "$(stat -c '%U %G %a' "$dropin")"
        check "the daemon runs" systemctl -q is-active oompolicyd.service
        check "the rule gave the matching process $1" adj_becomes "$target" "$1" 60
}

# cm_snapshot, then the run with a broken drop-in, then cm_refused LOG CHECKER
# ADJ: LOG holds oompolicyctl check --as's error naming $dropin, the tool's
# temporary copy and the line (CHECKER: what ran it, for the report), and
# nothing on the machine changed: the drop-in, the directory, the daemon's
# process, $target's ADJ.
cm_snapshot() {
        cm_sum=$(sha256sum "$dropin")
        cm_files=$(ls -A /etc/oompolicy.conf.d | tr '\n' ' ')
        cm_pid=$(main_pid oompolicyd.service)
}
cm_refused() {
        local log=$1 checker=$2 adj=$3 error
        error=$(grep -oE "$dropin \(checking [^)\"]*\):[0-9]+: unknown key 'bogus'[^\"]*" "$log" | head -n 1)
        if [ -n "$error" ]; then
                pass "$checker refused it with the FILE:LINE error: $error"
                evidence "$checker error: $error"
        else
                fail "no FILE:LINE error naming $(basename "$dropin") and the unknown key in $(basename "$log")"
        fi
        expect_eq "the drop-in is unchanged" "$cm_sum" "$(sha256sum "$dropin")"
        expect_eq "no other file in the drop-in directory (no temporary copy left)" "$cm_files" "$(ls -A /etc/oompolicy.conf.d | tr '\n' ' ')"
        check "no trace of the broken rule on the machine" sh -c "! grep -rq bogus /etc/oompolicy.conf.d"
        expect_eq "the daemon still runs, same process" "$cm_pid active" "$(main_pid oompolicyd.service) $(systemctl is-active oompolicyd.service)"
        expect_eq "the old policy still holds" "$adj" "$(adj_of "$target")"
}

cm_cleanup() {
        kill "$target" 2>/dev/null || :
        wait 2>/dev/null || :
        rm -f "$dropin"
}
