#!/bin/bash
# SPDX-License-Identifier: MIT
# The zsh completion of oompolicyctl parses, compinit registers it for
# oompolicyctl, it loads, and it names every command and long option that
# `oompolicyctl --help` lists.
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
