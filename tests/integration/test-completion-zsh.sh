#!/bin/bash
# SPDX-License-Identifier: MIT
# The zsh completion of oompolicyctl parses, compinit registers it for
# oompolicyctl, it loads, and it names every command and long option that
# `oompolicyctl --help` lists. Then, in an interactive zsh on a pseudo-terminal
# (zsh/zpty), TAB on a few command lines offers what it should: commands, the
# options of a command, a PID this test started, cgroups of a fake hierarchy.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v zsh >/dev/null || skip "zsh not installed (tools/install-deps installs it)"
[[ -x $CTL ]] || fail "$CTL not built"
dir="$top_srcdir/shell-completion/zsh"
file="$dir/_oompolicyctl"
[[ -r $file ]] || fail "$file is missing"

out=$(zsh -n "$file" 2>&1) || fail "zsh -n $file: $out"
ok "zsh -n: no syntax error"

tmp=$(mktemp -d)
trap cleanup EXIT
out=$(HOME=$tmp zsh -f -c '
        fpath=("$1" $fpath)
        autoload -Uz compinit && compinit -u -D -d "$2/zcompdump" || exit 1
        [[ $_comps[oompolicyctl] == _oompolicyctl ]] || { print -r -- "compinit did not register _oompolicyctl for oompolicyctl: ${_comps[oompolicyctl]:-nothing}"; exit 1; }
        autoload +X _oompolicyctl || { print -r -- "_oompolicyctl does not load"; exit 1; }
' zsh "$dir" "$tmp" 2>&1) || fail "zsh -f: $out"
[[ -z $out ]] || fail "zsh -f printed: $out"
ok "compinit registers _oompolicyctl for oompolicyctl, and it loads"

help=$("$CTL" --help)
for c in $(awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<<"$help"); do
        grep -q "'$c:" "$file" || fail "the zsh completion does not list the command $c"
done
for o in $(awk '/^Options:/ { on = 1; next } on && /^$/ { exit } on' <<<"$help" |
        sed -n 's/^  \(-[a-zA-Z] \)\{0,1\} *--\([a-z][a-z-]*\).*/\2/p'); do
        grep -qE -- "--$o(\[|=|'|\})" "$file" || fail "the zsh completion does not know --$o"
done
ok "the zsh completion names every command and long option of oompolicyctl --help"

# TAB in an interactive zsh: a completion widget that records the matches every
# compadd call would add (compadd -O), and says when the completion is over.
cat >"$tmp/drive.zsh" <<'EOF'
zmodload zsh/zpty || { print "no zsh/zpty"; exit 1; }
dir=$1 out=$2
shift 2
zpty -b z "zsh -f -i" || exit 1
zpty -w z "PS1='' PS2='' RPS1=''; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D -d ${(q)out}/zcompdump"
zpty -w z "compadd() { local -a m; if (( \${@[(I)-[OAD]]} )); then builtin compadd \"\$@\"; return; fi; builtin compadd -O m \"\$@\"; print -rl -- \$m >>\$_out; builtin compadd \"\$@\"; }"
zpty -w z "_capture() { _main_complete; print done >\$_out.done; }; zle -C capture complete-word _capture; bindkey '^I' capture"
zpty -w z "print ready >${(q)out}/ready"
for i in {1..600}; do [[ -e $out/ready ]] && break; sleep 0.1; done
[[ -e $out/ready ]] || { print "the interactive zsh did not start"; exit 1; }
n=0
for line in "$@"; do
        (( n++ ))
        zpty -w z "_out=${(q)out}/matches.$n; : >\$_out"
        zpty -w -n z "$line"$'\t'
        for i in {1..600}; do [[ -e $out/matches.$n.done ]] && break; sleep 0.1; done
        [[ -e $out/matches.$n.done ]] || { print "no completion ended for: $line"; exit 1; }
        zpty -w -n z $'\C-u'
done
zpty -d z
EOF

# explain's PIDs from a fake /proc (this machine's may hold 20,000 processes
# while other tests run): a process whose name has ':' and ')', a kernel thread
# (PF_KTHREAD in the flags), a zombie, another process.
fake=$tmp/root
stat_line() { echo "$1 ($2) $3 1 $1 $1 0 -1 $4 100 0 0 0 1 1 0 0 20 0 1 0 100 1000 10"; }
mkdir -p "$fake/proc/4242" "$fake/proc/4243" "$fake/proc/4244" "$fake/proc/4245"
stat_line 4242 'my app: x)' S 4194304 >"$fake/proc/4242/stat"
stat_line 4243 kworker/0:1 I 69238880 >"$fake/proc/4243/stat"
stat_line 4244 defunct Z 4194316 >"$fake/proc/4244/stat"
stat_line 4245 sleep S 4194304 >"$fake/proc/4245/stat"
v1=$tmp/v1
mkdir -p "$v1/sys/fs/cgroup/memory/system.slice/ssh.service" "$v1/sys/fs/cgroup/memory/user.slice"
touch "$v1/sys/fs/cgroup/memory/memory.limit_in_bytes"
lines=(
        "oompolicyctl ex"
        "oompolicyctl apply --"
        "oompolicyctl simulate --c"
        "oompolicyctl --root $fake explain 42"
        "oompolicyctl --root $v1 simulate --cgroup /s"
        "oompolicyctl --root=$v1 --cgroup /system.slice/"
        "oompolicyctl events --since y"
)
out=$(HOME=$tmp timeout 300 zsh -f "$tmp/drive.zsh" "$dir" "$tmp" "${lines[@]}" 2>&1) || fail "zsh on a pty: $out"

# matches N: the matches of line N, sorted.
matches() { LC_ALL=C sort -u "$tmp/matches.$1"; }
expect_matches() {
        local got
        got=$(matches "$1" | tr '\n' ' ')
        [[ $got == "$2 " ]] || fail "zsh: completing '${lines[$1 - 1]}': expected [$2], got [$got]"
        ok "zsh: '${lines[$1 - 1]}' completes to [$2]"
}
expect_matches 1 "explain"
expect_matches 2 "--config --detailed-exitcodes --dry-run --help --json --no-pager --root --version"
expect_matches 3 "--cgroup --config"
expect_matches 4 "4242 4245"
expect_matches 5 "system.slice"
expect_matches 6 "ssh.service"
expect_matches 7 "yesterday"
