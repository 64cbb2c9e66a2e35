#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl simulate: exact numbers and errors on a fake --root tree (v1
# and v2 memory cgroups, computed by hand below), then on the real kernel:
# the predicted order of processes started here against the kernel's own
# /proc/PID/oom_score, before and after applying the simulated policy, and
# --cgroup with a memory cgroup created here (limit 64M) and an unlimited child.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/inspect-lib.sh"

inspect_setup

# ---- a fake root ----------------------------------------------------------------
# fake_proc ROOT PID COMM START ADJ RSS_KB SWAP_KB PTE_KB CGROUP_TEXT [FLAGS]
fake_proc() {
        local root=$1 pid=$2 comm=$3 start=$4 adj=$5 rss=$6 swap=$7 pte=$8 cgroup=$9 flags=${10:-0}
        local d="$root/proc/$pid"
        mkdir -p "$d"
        echo "$pid ($comm) S 1 $pid $pid 0 -1 $flags 0 0 0 0 0 0 0 0 20 0 1 0 $start 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0" >"$d/stat"
        {
                printf 'Name:\t%s\nUid:\t0\t0\t0\t0\n' "$comm"
                [[ $rss == - ]] || printf 'VmRSS:\t%s kB\nVmPTE:\t%s kB\nVmSwap:\t%s kB\n' "$rss" "$pte" "$swap"
        } >"$d/status"
        echo "$adj" >"$d/oom_score_adj"
        echo 0 >"$d/oom_score"
        printf '%b' "$cgroup" >"$d/cgroup"
        printf '%s\0' "$comm" >"$d/cmdline"
}

# MemTotal 4,000,000 kB = 1,000,000 pages of 4 KiB, no swap: one oom_score_adj
# unit is 1000 pages. Points (rss + swap + page tables, in pages, + adj * 1000):
#   10 big       400000 kB + 40000 kB swap + 800 kB PTE, adj 0  = 100000 + 10000 + 200 = 110200
#   11 adjusted   40000 kB + 40 kB PTE, adj 100                 = 10000 + 10 + 100000 = 110010
#   12 tieA       80000 kB, started at 200                      = 20000
#   13 tieB       80000 kB, started at 150 (before tieA)        = 20000; the policy gives it adj 1: 21000
#   14 protected 800000 kB, adj -1000                           = unkillable
#    1 init, 2 kthreadd (a kernel thread), 15 a zombie: never candidates
make_fake() {
        local root=$1 v=$2 c_root c_a c_sub c_b
        if [[ $v == 1 ]]; then
                c_root='4:memory:/\n0::/\n' c_a='4:memory:/jobs/a\n0::/\n' c_sub='4:memory:/jobs/a/sub\n0::/\n' c_b='4:memory:/jobs/b\n0::/\n'
        else
                c_root='0::/\n' c_a='0::/jobs/a\n' c_sub='0::/jobs/a/sub\n' c_b='0::/jobs/b\n'
        fi
        mkdir -p "$root/proc/self"
        printf 'MemTotal: 4000000 kB\nMemFree: 3000000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n' >"$root/proc/meminfo"
        fake_proc "$root" 1 systemd 1 0 4000 0 0 "$c_root"
        fake_proc "$root" 2 kthreadd 1 0 - 0 0 "$c_root" 2097152
        fake_proc "$root" 10 big 100 0 400000 40000 800 "$c_root"
        fake_proc "$root" 11 adjusted 101 100 40000 0 40 "$c_a"
        fake_proc "$root" 12 tieA 200 0 80000 0 0 "$c_sub"
        fake_proc "$root" 13 tieB 150 0 80000 0 0 "$c_b"
        fake_proc "$root" 14 protected 300 -1000 800000 0 0 "$c_a"
        fake_proc "$root" 15 defunct 400 0 - 0 0 "$c_a"
        sed -i 's/^15 (defunct) S/15 (defunct) Z/' "$root/proc/15/stat"
        # /jobs: 100 MiB = 25600 pages; below it nothing is limited.
        if [[ $v == 1 ]]; then
                echo "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory" >"$root/proc/self/mountinfo"
                local m="$root/sys/fs/cgroup/memory"
                mkdir -p "$m/jobs/a/sub" "$m/jobs/b"
                echo 9223372036854771712 >"$m/memory.limit_in_bytes"
                echo 104857600 >"$m/jobs/memory.limit_in_bytes"
                for d in "$m/jobs/a" "$m/jobs/a/sub" "$m/jobs/b"; do echo 9223372036854771712 >"$d/memory.limit_in_bytes"; done
        else
                echo "26 25 0:24 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate" >"$root/proc/self/mountinfo"
                local m="$root/sys/fs/cgroup"
                mkdir -p "$m/jobs/a/sub" "$m/jobs/b"
                echo "cpu io memory pids" >"$m/cgroup.controllers"
                echo 104857600 >"$m/jobs/memory.max"
                echo 0 >"$m/jobs/memory.swap.max"
                for d in "$m/jobs/a" "$m/jobs/a/sub" "$m/jobs/b"; do echo max >"$d/memory.max"; done
        fi
}

fpolicy="$tmp/fake-policy.conf"
write_policy "$fpolicy" <<EOF
[oom_score_adj]
tieB = 1
EOF
ff=$(re "$fpolicy")

for v in 1 2; do
        fake="$tmp/fake-v$v"
        make_fake "$fake" "$v"

        ctl --root "$fake" --config "$fpolicy" simulate --all
        expect_rc 0 "simulate on the fake v$v tree"
        expect_line out "Simulated global OOM \(policy: $ff\): totalpages 1000000 \(3.8G, MemTotal \+ SwapTotal\)\."
        expect_line out "RANK +PID NAME +POINTS OOM_SCORE_ADJ +RULE"
        expect_line out " +1 +10 big +110200 0 +-"
        expect_line out " +2 +11 adjusted +110010 100 +-"
        expect_line out " +3 +13 tieB +21000 1 \(now 0\) +tieB \($ff:2\)"
        expect_line out " +4 +12 tieA +20000 0 +-"
        expect_line out " +- +14 protected +never -1000 +-"
        expect_line out "Victim: PID 10 \(big\), 110200 points\."
        expect_line out "4 killable, 1 unkillable \(oom_score_adj -1000\)\."
        expect_no_line out "systemd|kthreadd|defunct"

        ctl --root "$fake" --config "$fpolicy" simulate --json --all
        expect_rc 0
        json_check "j == [{'pid': 10, 'name': 'big', 'points': 110200, 'oom_score_adj': 0, 'rule': None},
                          {'pid': 11, 'name': 'adjusted', 'points': 110010, 'oom_score_adj': 100, 'rule': None},
                          {'pid': 13, 'name': 'tieB', 'points': 21000, 'oom_score_adj': 1, 'rule': 'tieB ($fpolicy:2)'},
                          {'pid': 12, 'name': 'tieA', 'points': 20000, 'oom_score_adj': 0, 'rule': None},
                          {'pid': 14, 'name': 'protected', 'points': None, 'oom_score_adj': -1000, 'rule': None}]"
        # Without --all: the killable ones only; -n limits.
        ctl --root "$fake" --config "$fpolicy" simulate --json -n 2
        json_check "[e['pid'] for e in j] == [10, 11]"

        # Without a policy the tie between tieA and tieB goes to tieA (started later).
        ctl --root "$fake" simulate --json
        expect_rc 0 "simulate without a policy"
        expect_line err "No policy installed .*"
        json_check "[(e['pid'], e['points']) for e in j] == [(10, 110200), (11, 110010), (12, 20000), (13, 20000)]"

        # /jobs/a is unlimited: the OOM happens in /jobs (25600 pages, 25 per adj unit):
        # tieB 20000 + 25 = 20025, tieA 20000, adjusted 10010 + 100 * 25 = 12510.
        ctl --root "$fake" --config "$fpolicy" simulate --cgroup /jobs/a --all
        expect_rc 0 "simulate --cgroup /jobs/a (v$v)"
        expect_line out "Memory cgroup /jobs/a has no memory limit; its nearest limited ancestor /jobs is where an OOM would happen, .*"
        expect_line out "Simulated OOM in memory cgroup /jobs \(cgroup v$v; policy: $ff\): totalpages 25600 \(100.0M: .*\), 4 process\(es\) there\."
        ctl --root "$fake" --config "$fpolicy" simulate --cgroup /jobs/a --all --json
        json_check "[(e['pid'], e['points']) for e in j] == [(13, 20025), (12, 20000), (11, 12510), (14, None)]"
        ctl --root "$fake" --config "$fpolicy" simulate --cgroup /jobs/a/sub/ --json
        expect_line err "Memory cgroup /jobs/a/sub has no memory limit; its nearest limited ancestor /jobs is .*"
        json_check "[(e['pid'], e['points']) for e in j] == [(13, 20025), (12, 20000), (11, 12510)]"

        # Errors: no such cgroup, a bad path, an unreadable limit.
        ctl --root "$fake" --config "$fpolicy" simulate --cgroup /nope
        expect_rc 1 "simulate --cgroup /nope"
        expect_line err "No memory cgroup /nope on the cgroup v$v memory hierarchy \(no directory $(re "$fake")/sys/fs/cgroup.*/nope\)"
        ctl --root "$fake" --config "$fpolicy" simulate --cgroup jobs/a
        expect_rc 1 "simulate --cgroup jobs/a"
        expect_line err "Invalid cgroup path 'jobs/a': .*"
        ok "simulate on a fake cgroup v$v tree: the hand-computed points, order, victim, ties, -1000 and --cgroup"
done

# ---- memory.oom.group (v2) --------------------------------------------------------
# Set on /jobs: an OOM in /jobs picks tieB (13, in /jobs/b), and the kernel kills the
# whole of /jobs with it, in ranking order, sparing protected (14, -1000).
fake="$tmp/fake-v2"
echo 1 >"$fake/sys/fs/cgroup/jobs/memory.oom.group"
echo 0 >"$fake/sys/fs/cgroup/jobs/b/memory.oom.group"
ctl --root "$fake" --config "$fpolicy" simulate --cgroup /jobs/a
expect_rc 0 "simulate with memory.oom.group"
expect_line out "Victim: PID 13 \(tieB\), 20025 points\."
expect_line out "Group kill: memory.oom.group is set on /jobs: the kernel kills all 3 process\(es\) there with the victim, except those with oom_score_adj -1000: 13 12 11\."
ctl --root "$fake" --config "$fpolicy" simulate --cgroup /jobs/a --json -n 2
json_check "j[0]['group_kill'] == {'cgroup': '/jobs', 'pids': [13, 12, 11]} and 'group_kill' not in j[1]"
# A global OOM picks big (10) in the root cgroup: no group there.
ctl --root "$fake" --config "$fpolicy" simulate --json
json_check "j[0]['pid'] == 10 and 'group_kill' not in j[0]"
# v1 has no such flag: the same file there changes nothing.
echo 1 >"$tmp/fake-v1/sys/fs/cgroup/memory/jobs/memory.oom.group"
ctl --root "$tmp/fake-v1" --config "$fpolicy" simulate --cgroup /jobs/a --json
json_check "j[0]['pid'] == 13 and 'group_kill' not in j[0]"
ok "simulate models memory.oom.group on v2: the victim's highest flagged cgroup up to the OOM domain dies whole (not -1000); v1 has none"

# A limit file that cannot be read (a directory in its place).
fake="$tmp/fake-v1"
rm "$fake/sys/fs/cgroup/memory/jobs/memory.limit_in_bytes"
mkdir "$fake/sys/fs/cgroup/memory/jobs/memory.limit_in_bytes"
ctl --root "$fake" --config "$fpolicy" simulate --cgroup /jobs
expect_rc 1 "simulate with an unreadable limit"
expect_line err "Cannot read the memory limits of cgroup /jobs \($(re "$fake")/sys/fs/cgroup/memory/jobs\): Is a directory"
# No memory controller anywhere.
echo "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw" >"$fake/proc/self/mountinfo"
mkdir -p "$fake/sys/fs/cgroup/unified"
echo "hugetlb pids" >"$fake/sys/fs/cgroup/unified/cgroup.controllers"
ctl --root "$fake" --config "$fpolicy" simulate --cgroup /jobs
expect_rc 1 "simulate without a memory controller"
expect_line err "No memory cgroup controller here: .*"
ok "simulate --cgroup: clear errors for a missing cgroup, a relative path, an unreadable limit, no memory controller"

# ---- the real kernel: global ------------------------------------------------------
A="simA-$$" B="simB-$$" C="simC-$$"
spawn_hog pa "$A" 16 110
spawn_hog pb "$B" 8 120
spawn_hog pc "$C" 12 100
ok "started $A=$pa (16 MiB, adj 110), $B=$pb (8 MiB, adj 120), $C=$pc (12 MiB, adj 100)"

# check_against_kernel JSON_FILE PID...: the simulated order of PIDs is the kernel's
# oom_score order, and each one's points give its /proc/PID/oom_score.
check_against_kernel() {
        local file=$1
        shift
        python3 - "$file" "$(totalpages)" "$@" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
totalpages = int(sys.argv[2])
pids = [int(p) for p in sys.argv[3:]]
order = [r["pid"] for r in rows]
for p in pids:
    assert p in order, f"{p} not in the simulation"
ours = sorted(pids, key=order.index)
points = {r["pid"]: r["points"] for r in rows}
kernel = {p: int(open(f"/proc/{p}/oom_score").read()) for p in pids}
# Like proc_oom_score(); // floors where C truncates, which differs only for negative points.
computed = {p: (1000 + points[p] * 1000 // totalpages) * 2 // 3 for p in pids}
print("simulated order (pid, points, oom_score computed, kernel):", [(p, points[p], computed[p], kernel[p]) for p in ours])
# The RSS the kernel counts at the time it is read may differ by a few pages
# from the status read before: at most one oom_score step.
bad = [p for p in pids if abs(computed[p] - kernel[p]) > 1]
assert not bad, f"computed oom_score differs from the kernel's by more than 1 for {bad}"
scores = [kernel[p] for p in ours]
assert scores == sorted(scores, reverse=True), f"simulated order has kernel scores {scores}"
PY
}

# A policy whose values are the current ones: the simulation is the kernel's present.
p1="$tmp/policy-now.conf"
write_policy "$p1" <<EOF
[oom_score_adj]
$A = 110
$B = 120
EOF
ctl simulate --json --all --config "$p1"
expect_rc 0 "simulate --json --all"
json_parses
json_check "all(sorted(e) == ['name', 'oom_score_adj', 'pid', 'points', 'rule'] for e in j)"
json_check "all(j[i]['points'] >= j[i + 1]['points'] for i in range(len(j) - 1) if j[i + 1]['points'] is not None)"
json_check "[e['pid'] for e in j if e['pid'] in ($pa, $pb, $pc)] == [$pb, $pa, $pc]"
check_against_kernel "$tmp/out" "$pa" "$pb" "$pc" || fail "simulate does not match the kernel's oom_score"
json_check "[e['rule'] for e in j if e['pid'] in ($pa, $pb, $pc)] == ['$B ($p1:3)', '$A ($p1:2)', None]"
ok "simulate --json: $B, $A, $C in the kernel's oom_score order; points give each /proc/PID/oom_score (within 1)"

# A proposed policy: C goes to the top, A below C. Predict, apply, compare.
p2="$tmp/policy-proposed.conf"
write_policy "$p2" <<EOF
[oom_score_adj]
$C = 200
$A = 150
EOF
ctl simulate --json --all --config "$p2"
expect_rc 0 "simulate --config proposed"
json_check "[e['pid'] for e in j if e['pid'] in ($pa, $pb, $pc)] == [$pc, $pa, $pb]"
json_check "[(e['oom_score_adj']) for e in j if e['pid'] in ($pa, $pb, $pc)] == [200, 150, 120]"
cp "$tmp/out" "$tmp/predicted.json"
ctl simulate --config "$p2" -n 100000
expect_line out " *[0-9]+ +$pc $C +[0-9]+ 200 \(now 100\) +$C \($(re "$p2"):2\)"
expect_adj "$pc" 100 "simulate must not write"
ctl apply --config "$p2"
expect_rc 0 "apply of the proposed policy"
expect_adj "$pc" 200
expect_adj "$pa" 150
check_against_kernel "$tmp/predicted.json" "$pa" "$pb" "$pc" || fail "the kernel's order after apply differs from the prediction"
ok "simulate --config predicted $C, $A, $B; after apply the kernel's oom_score agrees, within 1 per process"

# ---- the real kernel: memory cgroups ------------------------------------------------
cgroup_dirs=()
cleanup_cgroups() {
        local d i
        for ((i = ${#cgroup_dirs[@]} - 1; i >= 0; i--)); do
                d=${cgroup_dirs[$i]}
                for _ in 1 2 3 4 5 6 7 8 9 10; do
                        rmdir "$d" 2>/dev/null && break
                        [[ -d "$d" ]] || break
                        sleep 0.1
                done
        done
}
trap 'cleanup; cleanup_cgroups' EXIT

# memcg_test VERSION PARENT_DIR PARENT_PATH LIMIT_FILE
memcg_test() {
        local v=$1 parent_dir=$2 parent_path=$3 limit_file=$4
        local name="oompolicy-test-$$" dir path m1 m2 expected
        dir="$parent_dir/$name"
        path="${parent_path%/}/$name"
        mkdir "$dir" || { echo "skip: cannot create $dir"; return 0; }
        cgroup_dirs+=("$dir")
        if [[ ! -e "$dir/$limit_file" ]]; then
                echo "skip: no $limit_file in $dir (memory controller not enabled there)"
                return 0
        fi
        echo $((64 << 20)) >"$dir/$limit_file"
        mkdir "$dir/child"
        cgroup_dirs+=("$dir/child")

        # With the limit as totalpages one adj unit is only 16 pages (4 KiB pages):
        # cg1 has 1024 + 300 * 16 = 5824 pages and more, cg2 2048 + 150 * 16 = 4448.
        spawn_hog m1 "cg1-$$" 4 300 "$dir"
        spawn_hog m2 "cg2-$$" 8 150 "$dir/child"
        ok "cgroup v$v $path (limit 64M): cg1-$$=$m1 (4 MiB, adj 300), child: cg2-$$=$m2 (8 MiB, adj 150)"

        # totalpages = the limit + the swap it may use (memcg_totalpages()).
        expected=$(python3 - "$v" "$dir" <<'PY'
import os, sys
v, d = sys.argv[1], sys.argv[2]
page = os.sysconf("SC_PAGE_SIZE")
mem = swap_total = 0
for line in open("/proc/meminfo"):
    k, val = line.split(":")[0], line.split()[1]
    if k == "SwapTotal":
        swap_total = int(val) * 1024 // page
limit = 64 * 2**20 // page
def read(name, default):
    try:
        s = open(os.path.join(d, name)).read().strip()
    except FileNotFoundError:
        return default
    return None if s == "max" else int(s)
if v == "1":
    swappiness = read("memory.swappiness", 60)
    memsw = read("memory.memsw.limit_in_bytes", 2**63 - 1)
    swap = max(memsw // page - limit, 0) if memsw is not None else swap_total
else:
    swappiness = int(open("/proc/sys/vm/swappiness").read())
    s = read("memory.swap.max", None)
    swap = swap_total if s is None else s // page
print(limit + (min(swap, swap_total) if swappiness else 0))
PY
)
        ctl simulate --cgroup "$path" --all --json --config "$p2"
        expect_rc 0 "simulate --cgroup $path"
        expect_line err "Simulated OOM in memory cgroup $(re "$path") \(cgroup v$v; policy: .*\): totalpages $expected \(.*\), 2 process\(es\) there\."
        json_check "[e['pid'] for e in j] == [$m1, $m2]"
        python3 - "$tmp/out" "$expected" "$m1:300" "$m2:150" <<'PY' || fail "simulate --cgroup points are not the kernel's formula"
import json, os, sys
rows = json.load(open(sys.argv[1]))
totalpages = int(sys.argv[2])
page = os.sysconf("SC_PAGE_SIZE")
for spec in sys.argv[3:]:
    pid, adj = map(int, spec.split(":"))
    st = {l.split(":")[0]: int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.split(":")[0] in
          ("RssAnon", "RssFile", "RssShmem", "VmSwap", "VmPTE")}
    want = (st["RssAnon"] + st["RssFile"] + st["RssShmem"] + st["VmSwap"]) * 1024 // page + st["VmPTE"] * 1024 // page \
           + adj * (totalpages // 1000)
    got = [r["points"] for r in rows if r["pid"] == pid][0]
    print(f"{pid}: points {got}, from /proc/{pid}/status now {want} (totalpages {totalpages}, adj {adj})")
    # An idle process: its RSS does not move by more than a few pages.
    assert abs(got - want) <= 16, (got, want)
PY
        ok "simulate --cgroup $path: exactly its 2 processes (also the child's), totalpages $expected from its limit, the kernel's formula"

        ctl simulate --cgroup "$path/child" --json --config "$p2"
        expect_rc 0 "simulate --cgroup $path/child"
        expect_line err "Memory cgroup $(re "$path/child") has no memory limit; its nearest limited ancestor $(re "$path") is .*"
        json_check "[e['pid'] for e in j] == [$m1, $m2]"
        ok "simulate --cgroup of the unlimited child simulates an OOM in its limited parent, with both processes"

        stop "$m1" "$m2"
}

# mount_of FSTYPE [SUPER_OPTION]: the first mount point of that type (and option).
mount_of() {
        awk -v t="$1" -v o="${2:-}" '{
                for (i = 7; i <= NF; i++) if ($i == "-") break
                if ($(i + 1) == t && (o == "" || ("," $(i + 3) ",") ~ ("," o ","))) { print $5; exit }
        }' /proc/self/mountinfo
}
v1_memory=$(mount_of cgroup memory)
v2_mount=$(mount_of cgroup2)
tested=0
if [[ -n "$v1_memory" ]]; then
        own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
        # Below our own memory cgroup, so whatever limits and accounting we run under still hold.
        memcg_test 1 "$v1_memory${own%/}" "$own" memory.limit_in_bytes
        tested=1
elif [[ -n "$v2_mount" ]] && grep -qw memory "$v2_mount/cgroup.controllers" 2>/dev/null; then
        # A v2 cgroup with processes cannot have children with controllers: use a
        # new top-level one (the root's subtree_control normally has memory).
        memcg_test 2 "$v2_mount" / memory.max
        tested=1
fi
[[ $tested == 1 ]] || echo "skip: no memory cgroup controller mounted; simulate --cgroup not tested on the real kernel"

ctl simulate --cgroup "/oompolicy-no-such-cgroup-$$" --config "$p2"
if [[ $tested == 1 ]]; then
        expect_rc 1 "simulate --cgroup of a missing cgroup"
        expect_line err "No memory cgroup /oompolicy-no-such-cgroup-$$ on the cgroup v[12] memory hierarchy .*"
        ok "simulate --cgroup of a cgroup that does not exist: exit 1 with the directory looked for"
fi
