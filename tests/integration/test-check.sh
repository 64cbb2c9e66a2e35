#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl check: the shipped policy, --json, error reporting across a main
# file and drop-ins, refusal of unsafe files, use as an Ansible validate command,
# usage and exit codes, and the sysctl.d conflict warning under --root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setup
require_python

# ---- the shipped policy ----------------------------------------------------
# Checked from a root-owned copy: the source tree may belong to another user.
cfg="$tmp/shipped/oompolicy.conf"
write_policy "$cfg" <"$top_srcdir/conf/oompolicy.conf"
ctl check --config "$cfg"
expect_rc 0 "check of the shipped policy"
expect_empty err
expect_line out "  $(re "$cfg")" "the file list names the policy:"

n_rules=$(grep -c '^\[rule:' "$cfg")
[[ $n_rules -ge 1 ]] || fail "no [rule:] in the shipped policy?"
expect_line out "Rules \($n_rules;.*" "the rule count:"
# Every rule with the line of its header, and every key with its own line.
section=
while IFS= read -r l; do
        n=${l%%:*}
        text=${l#*:}
        if [[ $text =~ ^\[rule:([^]]+)\] ]]; then
                section=${BASH_REMATCH[1]}
                expect_line out " +\[rule:$(re "$section")\] +\($(re "$cfg:$n")\)" "rule $section with its origin:"
        elif [[ $text =~ ^\[ ]]; then
                section=
        elif [[ -n $section && $text =~ ^([a-z_]+)\ *= ]]; then
                key=${BASH_REMATCH[1]}
                expect_line out " +$key +=.*\($(re "$cfg:$n")\)" "key $key of rule $section with its origin:"
        fi
done < <(grep -n -v -E '^[[:space:]]*([#;]|$)' "$cfg")
ok "check prints all $n_rules rules of the shipped policy, each rule and key with its FILE:LINE"

ctl check --json --config "$cfg"
expect_rc 0 "check --json"
json_parses
origins_expected=$(grep -n '^\[rule:' "$cfg" | sed -E "s|^([0-9]+):.*|$cfg:\1|" | paste -sd' ')
json_check "j['valid'] is True and j['files'] == ['$cfg']"
json_check "' '.join(r['origin'] for r in j['rules']) == '$origins_expected'"
json_check "[r['name'] for r in j['rules']][0] == ['sshd', 'sshd-session', 'sshd-auth']"
json_check "all(isinstance(r['oom_score_adj'], int) and r['name'] for r in j['rules'])"
json_check "j['rules'][0]['oom_score_adj'] == -1000 and j['rules'][0]['user'] == ['root']"
json_check "j['rules'][0]['exe'][0] == '/usr/sbin/sshd' and j['rules'][0]['children'] == 'reset'"
ok "check --json parses and lists the $n_rules rules with their origins ($origins_expected)"

# ---- the example drop-in (installed inactive as examples/50-site.conf.example) --
example="$top_srcdir/conf/50-site.conf.example"
excfg="$tmp/example/oompolicy.conf"
write_policy "$excfg" <"$top_srcdir/conf/oompolicy.conf"
write_policy "$excfg.d/50-site.conf" <"$example"
ctl check --config "$excfg"
expect_rc 0 "check with the example drop-in as shipped"
expect_line out "  $(re "$excfg.d/50-site.conf")" "the drop-in is read:"
expect_line out "Rules \($n_rules;.*" "the commented example changes nothing:"
# Every example setting uncommented (they are the lines '#' directly followed by a key or '[').
n_settings=$(grep -c -E '^#[][a-z]' "$example")
[[ $n_settings -ge 8 ]] || fail "only $n_settings example settings in $example?"
sed -E 's/^#([][a-z])/\1/' "$example" | write_policy "$excfg.d/50-site.conf"
ctl check --json --config "$excfg"
expect_rc 0 "check with every setting of the example drop-in uncommented"
json_check "j['valid'] is True and j['files'] == ['$excfg', '$excfg.d/50-site.conf']"
json_check "[r for r in j['rules'] if r['rule'] == 'sshd'][0]['oom_score_adj'] == -900"
json_check "[r for r in j['rules'] if r['rule'] == 'sshd'][0]['exe'][0] == '/usr/sbin/sshd'"
json_check "[r for r in j['rules'] if r['rule'] == 'compilers'][0]['oom_score_adj'] == 500"
json_check "any(r['short_form'] and r['name'] == ['chrom*'] for r in j['rules'])"
json_check "j['sysctl']['vm.oom_dump_tasks']['origin'].startswith('$excfg.d/50-site.conf:')"
ok "the example drop-in is valid as shipped and with all its $n_settings settings uncommented"

# ---- every error of a broken policy, main file and drop-ins -----------------
bad="$tmp/broken/policy.conf"
write_policy "$bad" <<'EOF'
# broken on purpose
[sysctl]
vm.bogus = 1
vm.panic_on_oom = 7

[rule:x]
name = oomcheck-x
oom_score_adj = 5000
colour = red

[oom_score_adj]
oomcheck-bar = abc
EOF
write_policy "$bad.d/10-fine.conf" <<'EOF'
[oom_score_adj]
oomcheck-fine = 10
EOF
write_policy "$bad.d/x.conf" <<'EOF'
[rule:y]
name = foo[
oom_score_adj = 1
[weird]
[rule:z]
user = root
oom_score_adj = 3
[rule:w]
name = oomcheck-w
user = no-such-user-oomtest
oom_score_adj = 2
EOF
expected_errors=(
        "$(re "$bad"):3: .*vm\.bogus.*"
        "$(re "$bad"):4: .*vm\.panic_on_oom.*range.*"
        "$(re "$bad"):8: .*5000.*range.*"
        "$(re "$bad"):9: .*colour.*"
        "$(re "$bad"):12: .*abc.*"
        "$(re "$bad.d/x.conf"):2: .*foo\[.*"
        "$(re "$bad.d/x.conf"):4: .*weird.*"
        "$(re "$bad.d/x.conf"):5: .*'z'.*"
        "$(re "$bad.d/x.conf"):10: .*no-such-user-oomtest.*"
)
ctl check --config "$bad"
expect_rc 1 "check of a broken policy"
expect_empty out
for e in "${expected_errors[@]}"; do
        expect_line err "$e" "error"
        echo "ok: error reported: $(grep -E -m1 "^($e)\$" "$tmp/err")"
done
n=$(grep -cE '^/[^:]+:[0-9]+: ' "$tmp/err" || :)
[[ $n -eq ${#expected_errors[@]} ]] || fail "$n FILE:LINE: lines, expected exactly ${#expected_errors[@]}"
expect_no_line err '10-fine\.conf' "the valid drop-in is not blamed:"
ok "a broken policy exits 1 and prints each of its ${#expected_errors[@]} errors (main file and drop-in) as FILE:LINE: message"

ctl check --json --config "$bad"
expect_rc 1 "check --json of a broken policy"
json_parses
json_check "j['valid'] is False and len(j['errors']) == ${#expected_errors[@]}"
json_check "sum(e.startswith('$bad:') for e in j['errors']) == 5 and sum(e.startswith('$bad.d/x.conf:') for e in j['errors']) == 4"
ok "check --json of a broken policy parses, valid=false, lists the ${#expected_errors[@]} errors"

# ---- files that anyone but root could have written are refused ----------------
refused() {   # refused NAME MODE OWNER REGEX: a drop-in NAME with MODE and OWNER is refused
        local dir="$tmp/refuse-$1" policy
        policy="$dir/policy.conf"
        write_policy "$policy" <<<$'[oom_score_adj]\noomcheck-main = 1'
        mkdir -p "$policy.d"
        write_policy "$policy.d/50-$1.conf" "$2" <<<$'[oom_score_adj]\noomcheck-dropin = 2'
        chown "$3" "$policy.d/50-$1.conf"
        ctl check --config "$policy"
        expect_rc 1 "check with a $1 drop-in"
        expect_empty out
        expect_line err "$(re "$policy.d/50-$1.conf")(:[0-9]+)?: .*($4).*" "refusal naming the file:"
        echo "ok: $1 drop-in refused: $(head -n1 "$tmp/err")"
}
refused world-writable 0646 root:root 'writable by others'
refused group-writable 0620 root:root 'writable by group'
refused nobody-owned 0644 nobody:nogroup 'owned by .*(65534|nobody)'

# A root-owned symlink does not make a file of nobody's trusted: the target is checked.
link="$tmp/refuse-symlink/policy.conf"
write_policy "$link" <<<$'[oom_score_adj]\noomcheck-main = 1'
mkdir -p "$link.d" "$tmp/elsewhere"
write_policy "$tmp/elsewhere/target.conf" <<<$'[oom_score_adj]\noomcheck-dropin = 2'
chown nobody:nogroup "$tmp/elsewhere/target.conf"
ln -s "$tmp/elsewhere/target.conf" "$link.d/50-link.conf"
ctl check --config "$link"
expect_rc 1 "check with a drop-in symlinked to nobody's file"
expect_line err "$(re "$link.d/50-link.conf")(:[0-9]+)?: .*owned by .*" "refusal naming the symlink:"
ok "a drop-in symlinked to a file owned by nobody is refused"

ww="$tmp/refuse-main/policy.conf"
write_policy "$ww" 0666 <<<$'[oom_score_adj]\noomcheck-main = 1'
ctl check --config "$ww"
expect_rc 1 "check of a world-writable main file"
expect_line err "$(re "$ww")(:[0-9]+)?: .*writable by others.*" "refusal naming the file:"
ok "a world-writable main policy file is refused"

# ---- as an Ansible validate command ------------------------------------------
# validate: 'oompolicyctl check --config %s'; Ansible runs it on its temp copy
# (mode 0600) without a shell, replacing %s.
validate="$CTL check --config %s"
mkdir -p "$tmp/ansible"
write_policy "$tmp/ansible/tmpgood" 0600 <"$top_srcdir/conf/oompolicy.conf"
read -r -a argv <<<"${validate//%s/$tmp/ansible/tmpgood}"
run "${argv[@]}"
expect_rc 0 "validate of a good file"
write_policy "$tmp/ansible/tmpbad" 0600 <<<$'[rule:nothing]\noom_score_adj = 5'
read -r -a argv <<<"${validate//%s/$tmp/ansible/tmpbad}"
run "${argv[@]}"
expect_rc 1 "validate of a bad file"
expect_line err "$(re "$tmp/ansible/tmpbad"):1: .*nothing.*" "error naming the temp file:"
ok "'check --config %s' works as an Ansible validate command (0 good, 1 bad with FILE:LINE)"

ctl check --config "$tmp/does-not-exist.conf"
expect_rc 1 "check of a missing file"
expect_line err "$(re "$tmp/does-not-exist.conf")(:[0-9]+)?: .*" "error naming the missing file:"
ok "a missing --config file exits 1 naming it"

# ---- usage -------------------------------------------------------------------
ctl --help
expect_rc 0 "--help"
expect_empty err
expect_line out "Usage: oompolicyctl.*"
expect_line out " +check .*"
expect_line out " +apply .*"
ok "--help exits 0, usage on stdout listing check and apply"

ctl check --help
expect_rc 0 "check --help"
expect_empty err
expect_line out "Usage: oompolicyctl .*check.*"
expect_line out ".*--config %s.*" "the Ansible hint:"
ok "check --help exits 0 with the verb's usage on stdout"

ctl frobnicate
expect_rc 2 "an unknown command"
expect_empty out
expect_line err ".*frobnicate.*"
ok "an unknown command exits 2 naming it on stderr"

ctl
expect_rc 2 "no command"
expect_empty out
ctl --no-such-option check
expect_rc 2 "an unknown option"
expect_empty out
ctl check extra-argument
expect_rc 2 "check with an extra argument"
ok "no command, an unknown option and an extra argument exit 2"

# ---- sysctl.d conflicts under --root -----------------------------------------
root="$tmp/fakeroot"
write_policy "$root$POLICY_FILE" <<'EOF'
[sysctl]
vm.panic_on_oom = 0
[oom_score_adj]
oomcheck-root = 5
EOF
write_policy "$root$POLICY_DROPIN_DIR/10-site.conf" <<<$'[oom_score_adj]\noomcheck-site = 6'
mkdir -p "$root/etc/sysctl.d"
printf '# fake sysctl.d file\n\nvm.panic_on_oom = 1\n' >"$root/etc/sysctl.d/x.conf"
ctl --root "$root" check
expect_rc 0 "check with a conflicting sysctl.d file"
expect_line err "$(re "$root/etc/sysctl.d/x.conf"):3: .*warning.*vm\.panic_on_oom.*1.*" "conflict warning:"
expect_line err ".*$(re "$root$POLICY_FILE"):2.*" "the warning names the policy's line:"
expect_line out "  $(re "$root$POLICY_FILE")" "policy read from under --root:"
expect_line out "  $(re "$root$POLICY_DROPIN_DIR/10-site.conf")" "drop-in read from under --root:"
expect_line out " +vm\.panic_on_oom += 0 +\($(re "$root$POLICY_FILE"):2\)" "the sysctl with its origin:"
ok "check --root warns (exit 0) naming $root/etc/sysctl.d/x.conf:3"

ctl --root "$root" check --json
expect_rc 0 "check --json with a conflicting sysctl.d file"
json_check "any(w.startswith('$root/etc/sysctl.d/x.conf:3:') for w in j['warnings'])"
json_check "j['sysctl']['vm.panic_on_oom'] == {'value': 0, 'origin': '$root$POLICY_FILE:2'}"
ok "check --json lists the sysctl.d conflict under warnings"

# The same value is no conflict; the key may be written with slashes.
printf 'vm/panic_on_oom=0\n' >"$root/etc/sysctl.d/x.conf"
ctl --root "$root" check
expect_rc 0 "check with an agreeing sysctl.d file"
expect_empty err
ok "no warning when sysctl.d agrees with the policy"

# /etc/sysctl.d/NAME shadows /usr/lib/sysctl.d/NAME; a later file overrides an earlier one.
mkdir -p "$root/usr/lib/sysctl.d"
printf 'vm.panic_on_oom = 2\n' >"$root/usr/lib/sysctl.d/x.conf"
ctl --root "$root" check
expect_rc 0
expect_empty err
ok "a /usr/lib/sysctl.d file shadowed by the same name in /etc/sysctl.d is not reported"
printf -- '-vm.panic_on_oom = 2\n' >"$root/usr/lib/sysctl.d/y.conf"
ctl --root "$root" check
expect_rc 0
expect_line err "$(re "$root/usr/lib/sysctl.d/y.conf"):1: .*warning.*vm\.panic_on_oom.*" "conflict warning:"
ok "a later /usr/lib/sysctl.d file that overrides to a different value is reported"

# The --config policy is compared with --root's sysctl.d too.
ctl --root "$root" check --config "$cfg"
expect_rc 0
expect_empty err
ok "a policy without sysctls has no conflicts"
