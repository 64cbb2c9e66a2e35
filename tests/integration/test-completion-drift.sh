#!/bin/bash
# SPDX-License-Identifier: MIT
# The bash completion knows exactly the commands and options of oompolicyctl:
#  - its command names are those `oompolicyctl --help` lists;
#  - before a command it offers every option the help lists, short and long;
#  - after command CMD it offers the options without a command in their help
#    text and those whose text names CMD ("top, simulate: ...", "status/reload:
#    ...", "events --json: ..."), and no other;
#  - every option `oompolicyctl CMD --help` shows in its usage line is offered;
#  - the help lists exactly the options in the getopt tables of oompolicyctl.c,
#    so an option added there without help (and completion) fails here too.
set -euo pipefail
source "$(dirname "$0")/completion-lib.sh"

[[ -x $CTL ]] || fail "$CTL not built"
help=$("$CTL" --help) || fail "oompolicyctl --help failed"

# The commands: the lines of the "Commands:" section.
commands=$(awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<<"$help" | LC_ALL=C sort)
[[ -n $commands ]] || fail "no commands found in oompolicyctl --help"

# The options: "  -x --name..." or "     --name..." lines of the "Options:"
# section, with the text of the option (its continuation lines included).
declare -A text=() short=()
longs=()
current=
while IFS= read -r line; do
        if [[ $line =~ ^\ \ (-([a-zA-Z])\ )?\ *--([a-z][a-z-]*)(\[?=[^ ]*)?\ +(.*)$ ]]; then
                current=${BASH_REMATCH[3]}
                longs+=("$current")
                short[$current]=${BASH_REMATCH[2]}
                text[$current]=${BASH_REMATCH[5]}
        elif [[ -n $current && $line =~ ^\ {10,}(.*)$ ]]; then
                text[$current]+=" ${BASH_REMATCH[1]}"
        else
                current=
        fi
done < <(awk '/^Options:/ { on = 1; next } on && /^$/ { exit } on' <<<"$help")
((${#longs[@]} > 5)) || fail "too few options found in oompolicyctl --help: ${longs[*]}"

# The commands an option's text names: "CMD:", "CMD,", "CMD/" or "CMD --json:".
option_commands() {
        local c
        for c in $commands; do
                [[ " ${text[$1]}" =~ [^a-z-]$c(\ --[a-z-]+)?[:,/] ]] && echo "$c"
        done
        return 0
}

# with_short NAME...: each long option and its short one.
with_short() {
        local o
        for o in "$@"; do
                echo "--$o"
                [[ -z ${short[$o]} ]] || printf "%s\n" "-${short[$o]}"
        done
}

# compare WHAT HELP OTHER [OTHER'S NAME]
compare() {
        local what=$1 want=$2 got=$3 other=${4:-the completion}
        [[ $want == "$got" ]] && return 0
        echo "FAIL: $what differ (< the help, > $other):" >&2
        diff <(echo "$want") <(echo "$got") >&2 || :
        exit 1
}

complete_words oompolicyctl ""
compare "the commands" "$commands" "$REPLY"
ok "commands: $(echo $commands)"

complete_words oompolicyctl -
compare "the options before a command" "$(with_short "${longs[@]}" | LC_ALL=C sort)" "$REPLY"
ok "options before a command: ${#longs[@]} long ones, as the help"

global=()
for o in "${longs[@]}"; do
        [[ -n $(option_commands "$o") ]] || global+=("$o")
done
ok "global options: ${global[*]}"
for c in $commands; do
        own=()
        for o in "${longs[@]}"; do
                option_commands "$o" | grep -qx "$c" && own+=("$o")
        done
        complete_words oompolicyctl "$c" -
        compare "the options of $c" "$(with_short "${global[@]}" "${own[@]}" | LC_ALL=C sort)" "$REPLY"
        ok "$c: the global options and ${own[*]:-none of its own}"

        # Its usage line: "Usage: oompolicyctl [OPTIONS] CMD [-n N] [--all] ..."
        usage=$("$CTL" "$c" --help | sed -n 's/^Usage: oompolicyctl \[OPTIONS\] [a-z]* //p') ||
                fail "oompolicyctl $c --help failed"
        for o in $(grep -oE -- '(^|[[ ])--?[a-zA-Z][a-z-]*' <<<"$usage" | tr -d '[ '); do
                grep -qxF -- "$o" <<<"$REPLY" || fail "oompolicyctl $c --help shows $o, which the completion of $c does not offer"
        done
done

# The help against the getopt tables of the source.
src="$top_srcdir/src/ctl/oompolicyctl.c"
table=$(sed -n 's/^ *{ "\([a-z-]*\)", \(no\|required\|optional\)_argument,.*/\1/p' "$src" | LC_ALL=C sort)
[[ -n $table ]] || fail "no long options found in $src"
compare "the long options of the help and of $src" "$(printf '%s\n' "${longs[@]}" | LC_ALL=C sort)" "$table" "the source"
shorts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$src" | tr -d ':' | fold -w1 | LC_ALL=C sort)
[[ -n $shorts ]] || fail "no getopt_long short options found in $src"
compare "the short options of the help and of $src" \
        "$(for o in "${longs[@]}"; do [[ -z ${short[$o]} ]] || echo "${short[$o]}"; done | LC_ALL=C sort)" "$shorts" "the source"
ok "the help lists the options of $src"
