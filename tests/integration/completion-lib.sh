#!/bin/bash
# SPDX-License-Identifier: MIT
# Shared by the bash completion tests. Sourced, never run: loads the completion
# of the source tree and runs its function as bash does on TAB.

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COMPLETION="$top_srcdir/shell-completion/bash/oompolicyctl"
[[ -r $COMPLETION ]] || fail "$COMPLETION is missing"
# shellcheck source=shell-completion/bash/oompolicyctl
source "$COMPLETION" || fail "sourcing $COMPLETION failed"
[[ $(complete -p oompolicyctl 2>/dev/null) == "complete -F _oompolicyctl oompolicyctl" ]] ||
        fail "$COMPLETION does not register _oompolicyctl for oompolicyctl"

# complete WORD... : the command line split into words as bash splits it
# (COMP_WORDBREAKS: "--opt=value" is "--opt" "=" "value"), the cursor at the end
# of the last word. Sets COMPREPLY, and REPLY to its words one per line, sorted.
complete_words() {
        local IFS=$' \t\n'
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _oompolicyctl oompolicyctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" ||
                fail "_oompolicyctl returned $? for: $*"
        REPLY=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort)
}

# expect_reply WORD... :: EXPECTED...: the completion is exactly EXPECTED.
expect_reply() {
        local -a words=() want=()
        while [[ $1 != "::" ]]; do words+=("$1"); shift; done
        shift
        want=("$@")
        complete_words "${words[@]}"
        local want_s
        want_s=$(printf '%s\n' "${want[@]}" | LC_ALL=C sort)
        [[ ${#want[@]} -gt 0 ]] || want_s=
        [[ $REPLY == "$want_s" ]] ||
                fail "completing '${words[*]}': expected [$(echo $want_s)], got [$(echo $REPLY)]"
        ok "'${words[*]}' completes to [$(echo $REPLY)]"
}

# expect_in WORD... :: ITEM: ITEM is among the completions.
expect_in() {
        local -a words=()
        while [[ $1 != "::" ]]; do words+=("$1"); shift; done
        complete_words "${words[@]}"
        grep -qxF -- "$2" <<<"$REPLY" || fail "completing '${words[*]}': '$2' is not offered; got [$(echo $REPLY)]"
        ok "'${words[*]}' offers '$2'"
}

# expect_not_in WORD... :: ITEM
expect_not_in() {
        local -a words=()
        while [[ $1 != "::" ]]; do words+=("$1"); shift; done
        complete_words "${words[@]}"
        ! grep -qxF -- "$2" <<<"$REPLY" || fail "completing '${words[*]}': '$2' is offered"
        ok "'${words[*]}' does not offer '$2'"
}
