#!/bin/bash
# SPDX-License-Identifier: MIT
# oompolicyctl check --as INSTALLED_PATH FILE: a drop-in checked as config
# management checks it (a temporary copy, not root's, not yet installed), merged
# with the installed policy of a fake --root tree; errors naming both paths; the
# usage errors; --json; and that nothing of the tree changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setup
require_python

root="$tmp/root"
VENDOR_DROPIN_DIR=$(sed -n 's/^#define VENDOR_DROPIN_DIR "\(.*\)"$/\1/p' "$paths_h")
[[ -n $VENDOR_DROPIN_DIR ]] || fail "no VENDOR_DROPIN_DIR in $paths_h"
mkdir -p "$root/proc"   # no processes: the lints that read them find none
write_policy "$root$POLICY_FILE" <<'EOT'
[oom_score_adj]
nginx = 100
EOT
write_policy "$root$VENDOR_DROPIN_DIR/10-sshd.conf" <<'EOT'
[rule:sshd]
name = sshd
exe = /usr/sbin/sshd
user = root
oom_score_adj = -900
EOT
before=$(cd "$root" && find . -type f -printf '%p %m %s %T@\n' | sort | sha256sum)

# As Ansible leaves its copy: an odd name, mode 0600, owned by whoever runs it.
mkdir -p "$tmp/ansible"
printf '[rule:sshd]\noom_score_adj = -500\n' >"$tmp/ansible/tmpA1b2"
chmod 0600 "$tmp/ansible/tmpA1b2"
site="$POLICY_DROPIN_DIR/50-site.conf"

# ---- alone the fragment is no rule; merged it is a valid change of one key ----
ctl check --config "$tmp/ansible/tmpA1b2"
expect_rc 1 "the fragment checked alone"
ctl --root "$root" check --as "$site" "$tmp/ansible/tmpA1b2"
expect_rc 0 "the fragment checked merged"
expect_line out "  $(re "$root$site (checking $tmp/ansible/tmpA1b2)")" "the file list names both paths:"
expect_line out " +oom_score_adj += -500 +\($(re "$root$site (checking $tmp/ansible/tmpA1b2):2")\)" \
        "the overridden key with its origin:"
expect_line out " +name += sshd +\($(re "$root$VENDOR_DROPIN_DIR/10-sshd.conf:2")\)" "the shipped keys kept:"
ok "a drop-in changing one key of a shipped rule is rejected alone and accepted with --as"

ctl --root "$root" --json check --as "$site" "$tmp/ansible/tmpA1b2"
expect_rc 0 "check --json --as"
json_check "j['valid'] and [r['oom_score_adj'] for r in j['rules'] if r['rule'] == 'sshd'] == [-500]"
json_check "j['files'][-1] == '$root$site (checking $tmp/ansible/tmpA1b2)'"
ok "--json --as"

# ---- an error in FILE names the installed path and the temporary file --------
printf '[rule:sshd]\noom_score_adj = -500\nfoo = 1\n' >"$tmp/ansible/tmpBad"
ctl --root "$root" check --as "$site" "$tmp/ansible/tmpBad"
expect_rc 1 "check --as of a bad drop-in"
expect_line err "$(re "$root$site (checking $tmp/ansible/tmpBad):3: unknown key 'foo'").*" "the error:"
ctl --root "$root" --json check --as "$site" "$tmp/ansible/tmpBad"
expect_rc 1 "check --json --as of a bad drop-in"
json_check "not j['valid'] and j['errors'][0].startswith('$root$site (checking $tmp/ansible/tmpBad):3: unknown key')"
ok "an error in FILE reads INSTALLED (checking FILE):LINE: message, exit 1"

# An error in an installed file names that file only.
write_policy "$root$POLICY_DROPIN_DIR/30-broken.conf" <<'EOT'
[oom_score_adj]
x = lots
EOT
ctl --root "$root" check --as "$site" "$tmp/ansible/tmpA1b2"
expect_rc 1 "check --as with a broken installed drop-in"
expect_line err "$(re "$root$POLICY_DROPIN_DIR/30-broken.conf:2:") .*" "the installed file's error:"
expect_no_line err "checking.*30-broken|30-broken.*checking"
rm -f "$root$POLICY_DROPIN_DIR/30-broken.conf"
# ...and so is a file replaced by FILE no longer judged.
ctl --root "$root" check --as "$POLICY_DROPIN_DIR/30-broken.conf" "$tmp/ansible/tmpA1b2"
expect_rc 0 "check --as of a new drop-in"
ok "errors of the other installed files name their own paths"

# ---- the main file --------------------------------------------------------------
printf '[oom_score_adj]\napache2 = 200\n' >"$tmp/ansible/tmpMain"
ctl --root "$root" --json check --as "$POLICY_FILE" "$tmp/ansible/tmpMain"
expect_rc 0 "check --as the main file"
json_check "sorted(r['rule'] for r in j['rules']) == ['apache2', 'sshd']"
ok "--as the main file replaces it"

# ---- as an Ansible validate command ---------------------------------------------
validate="$CTL --root $root check --as $site %s"
read -r -a argv <<<"${validate//%s/$tmp/ansible/tmpA1b2}"
run "${argv[@]}"
expect_rc 0 "validate of a good drop-in"
read -r -a argv <<<"${validate//%s/$tmp/ansible/tmpBad}"
run "${argv[@]}"
expect_rc 1 "validate of a bad drop-in"
ok "'check --as PATH %s' works as an Ansible validate command"

# ---- usage errors (2) -----------------------------------------------------------
ctl --root "$root" check --as /tmp/50-site.conf "$tmp/ansible/tmpA1b2"
expect_rc 2 "--as outside the policy's directories"
expect_line err "oompolicyctl check: --as /tmp/50-site.conf: not a file the policy is read from; valid are .*$(re "$POLICY_DROPIN_DIR").*"
ctl --root "$root" check --as "$POLICY_DROPIN_DIR/50-site.txt" "$tmp/ansible/tmpA1b2"
expect_rc 2 "--as without .conf"
ctl --root "$root" check --as "$site"
expect_rc 2 "--as without FILE"
ctl --root "$root" check "$tmp/ansible/tmpA1b2"
expect_rc 2 "FILE without --as"
ctl --root "$root" apply --as "$site"
expect_rc 2 "--as with apply"
ok "usage errors exit 2 and say which places are valid"

after=$(cd "$root" && find . -type f -printf '%p %m %s %T@\n' | sort | sha256sum)
[[ $before == "$after" ]] || fail "the --root tree changed"
ok "nothing of the installed tree changed"
