#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl check's lints: each fires on a policy made for it, in text
# ("warning[ID]: FILE:LINE: message; suggestion") and in --json ("lints"), --strict
# turns them into errors (exit 1), and the shipped policy with and without the
# Kubernetes node profile stays quiet. immune-in-limited-memcg runs against a real
# memory cgroup with a limit; unit-oom-policy needs systemd's bus (tests/system
# covers it) and is reported as skipped under --verbose where there is none.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setup
require_python

# ---- the shipped policy and the profile: quiet -------------------------------
shipped="$tmp/shipped/oompolicy.conf"
write_policy "$shipped" <"$top_srcdir/conf/oompolicy.conf"
for profile in no yes; do
        rm -rf "$shipped.d"
        if [[ $profile == yes ]]; then
                write_policy "$shipped.d/60-kubernetes-node.conf" <"$top_srcdir/conf/profiles/kubernetes-node.conf"
        fi
        ctl check --strict --assume-kubelet --config "$shipped"
        expect_rc 0 "check --strict of the shipped policy (profile: $profile)"
        expect_no_line err '^(warning|error)\[' "lint on the shipped policy (profile: $profile):"
        ctl check --strict --assume-kubelet --json --config "$shipped"
        expect_rc 0 "check --strict --json of the shipped policy (profile: $profile)"
        json_check "j['lints'] == []"
done
json_check "any(r['rule'] == 'kubelet' and r['oom_score_adj'] == -999 for r in j['rules'])"
ok "the shipped policy, alone and with the kubernetes-node profile, has no lint (--strict exits 0)"

# ---- unqualified-protection, shadowed-rule, kubelet-sysctl -------------------
cfg="$tmp/pure/oompolicy.conf"
write_policy "$cfg" <<'END'
[sysctl]
vm.overcommit_memory = 2
[oom_score_adj]
oomlint-nothing-runs-this = -500
[rule:narrow]
name = oomlint-x
exe = /usr/bin/oomlint-x
user = root
oom_score_adj = -100
[rule:wide]
name = oomlint-x oomlint-y
oom_score_adj = 200
END
ctl check --config "$cfg"
expect_rc 0 "check with lints (warnings only)"
expect_line err "warning\[unqualified-protection\]: $(re "$cfg"):4: rule 'oomlint-nothing-runs-this' grants oom_score_adj -500 .*; add 'user = root' .*" \
        "unqualified-protection:"
expect_line err "warning\[shadowed-rule\]: $(re "$cfg"):5: rule 'narrow' can never win: rule 'wide' \($(re "$cfg"):10\).*; remove rule 'narrow'.*" \
        "shadowed-rule:"
kubelet_runs=no
if pgrep -x kubelet >/dev/null 2>&1; then kubelet_runs=yes; fi
if [[ $kubelet_runs == no ]]; then
        expect_no_line err 'kubelet-sysctl' "kubelet-sysctl without a kubelet:"
fi
ok "unqualified-protection and shadowed-rule are warnings with FILE:LINE and a suggestion; exit 0"

ctl check --assume-kubelet --config "$cfg"
expect_rc 0 "check --assume-kubelet"
expect_line err "warning\[kubelet-sysctl\]: $(re "$cfg"):2: vm\.overcommit_memory = 2 conflicts with kubelet, which expects 1.*" \
        "kubelet-sysctl:"
ok "kubelet-sysctl with --assume-kubelet"

ctl check --strict --assume-kubelet --config "$cfg"
expect_rc 1 "check --strict with lints"
expect_line err "error\[unqualified-protection\]: .*" "--strict reports errors:"
expect_line err "3 lint\(s\); --strict makes them errors\." "--strict summary:"
expect_nonempty out
ok "--strict makes the 3 lints errors and exits 1"

ctl check --strict --assume-kubelet --json --config "$cfg"
expect_rc 1 "check --strict --json with lints"
json_check "sorted(l['id'] for l in j['lints']) == ['kubelet-sysctl', 'shadowed-rule', 'unqualified-protection']"
json_check "all(set(l) == {'id', 'severity', 'file', 'line', 'rule', 'message', 'suggestion'} for l in j['lints'])"
json_check "all(l['severity'] == 'error' and l['file'] == '$cfg' for l in j['lints'])"
json_check "[(l['line'], l['rule']) for l in j['lints'] if l['id'] == 'shadowed-rule'] == [(5, 'narrow')]"
json_check "[l['rule'] for l in j['lints'] if l['id'] == 'kubelet-sysctl'] == [None]"
ctl check --json --config "$cfg"
expect_rc 0 "check --json with lints"
json_check "all(l['severity'] == 'warning' for l in j['lints']) and len(j['lints']) >= 2"
ok "check --json lists the lints with id, severity, file, line, rule, message, suggestion"

# ---- --verbose: which lints were skipped -------------------------------------
ctl check --verbose --config "$cfg"
expect_rc 0 "check --verbose"
if [[ $kubelet_runs == no ]]; then
        expect_line err "note: kubelet-sysctl: skipped, no kubelet runs.*" "kubelet note:"
fi
if [[ ! -S /run/dbus/system_bus_socket && -z ${DBUS_SYSTEM_BUS_ADDRESS:-} ]]; then
        expect_line err "note: unit-oom-policy: skipped, no system bus.*" "bus note:"
fi
ctl check --config "$cfg"
expect_no_line err '^note:' "notes without --verbose:"
root="$tmp/fakeroot"
write_policy "$root$POLICY_FILE" <"$cfg"
ctl --root "$root" check --verbose
expect_rc 0 "check --root --verbose"
expect_line err "note: immune-in-limited-memcg, unit-oom-policy: skipped, cannot read the processes of $(re "$root")/proc.*" \
        "--root without a /proc:"
ok "--verbose notes the skipped lints and why"

# ---- immune-in-limited-memcg on a real memory cgroup --------------------------
CG_NAME="oompolicy-lint-$$"
make_limited_memcg CG_DIR "$CG_NAME" 64M

NAME="oomlint-g$$"
copy_binary "$(command -v sleep)" "$tmp/bin/$NAME"
# shellcheck disable=SC2016
spawn guard "$tmp/bin/$NAME" /bin/sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG_DIR"
grep -q "$CG_NAME" "/proc/$guard/cgroup" || fail "$guard is not in $CG_NAME"

memcfg="$tmp/memcg/oompolicy.conf"
write_policy "$memcfg" <<END
[rule:guard]
name = $NAME
exe = $tmp/bin/$NAME
user = root
oom_score_adj = -1000
END
ctl check --config "$memcfg"
expect_rc 0 "check with an immune process in a limited memory cgroup"
expect_line err "warning\[immune-in-limited-memcg\]: $(re "$memcfg"):5: rule 'guard' makes PID $guard \($(re "$NAME")\) immune \(-1000\), and it runs in the memory cgroup .*$CG_NAME.*; use oom_score_adj = -999.*" \
        "immune-in-limited-memcg:"
ctl check --strict --json --config "$memcfg"
expect_rc 1 "check --strict with immune-in-limited-memcg"
json_check "[(l['id'], l['rule'], l['line']) for l in j['lints']] == [('immune-in-limited-memcg', 'guard', 5)]"
ok "immune-in-limited-memcg names PID $guard in $CG_NAME and suggests -999; --strict exits 1"

sed -i 's/^oom_score_adj = -1000$/oom_score_adj = -999/' "$memcfg"
ctl check --strict --config "$memcfg"
expect_rc 0 "check --strict with -999 in the limited cgroup"
expect_no_line err 'immune-in-limited-memcg' "lint at -999:"
ok "-999 in the same cgroup: no lint"
