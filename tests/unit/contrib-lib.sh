# SPDX-License-Identifier: MIT
# Shared by the tests of contrib/ (test-contrib-*.sh): sourced, never run.
# Each test renders its tool's drop-in in its own way; what they then prove is
# the same and lives here: the drop-in holds the lines it should, oompolicyctl
# check --as accepts it at its final path on top of the vendor policy, and a
# broken copy is refused with its FILE:LINE error.
set -euo pipefail

srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}

# contrib_require REASON COMMAND...: skips the test (77) saying REASON unless
# COMMAND succeeds (its output is discarded).
contrib_require() {
        local reason=$1
        shift
        if ! "$@" >/dev/null 2>&1; then
                echo "SKIP: $reason"
                exit 77
        fi
}

# A scratch directory, removed on exit; the source tree may be read-only
# (distcheck), so everything a tool writes goes here.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# contrib_expect_lines FILE REGEX...: every REGEX matches a line of FILE.
contrib_expect_lines() {
        local file=$1 want
        shift
        for want in "$@"; do
                if ! grep -q "$want" "$file"; then
                        echo "FAIL: no line matching $want in the rendered drop-in:"
                        cat "$file"
                        exit 1
                fi
        done
}

# contrib_check_as NAME RENDERED [WORDS...]: RENDERED checked as if installed
# as oompolicy.conf.d/50-NAME.conf on top of the vendor policy, the way the
# tool runs it: "oompolicyctl WORDS... FINAL RENDERED" (WORDS: check --as
# unless the caller takes them from the tool's own command). The vendor sshd
# rule's oom_score_adj must come from it (the drop-ins set it to -900). Then
# a broken copy must be refused (exit 1) with "FINAL (checking COPY):LINE".
# Policy files must be root's: without root this skips (77).
contrib_check_as() {
        local name=$1 rendered=$2
        shift 2
        local -a words=(check --as)
        [ $# -eq 0 ] || words=("$@")
        if [ "$(id -u)" -ne 0 ]; then
                echo "skip: checking the rendered drop-in with oompolicyctl check --as needs root (policy files must be root's)"
                exit 77
        fi
        local policy=$tmp/policy/oompolicy.conf
        local dest=$tmp/policy/oompolicy.conf.d/50-$name.conf out rc line
        mkdir -p "$tmp/policy/oompolicy.conf.d"
        cp "$srcdir/conf/oompolicy.conf" "$policy"
        if ! out=$("$builddir/src/oompolicyctl" --config "$policy" "${words[@]}" "$dest" "$rendered" 2>&1); then
                echo "FAIL: oompolicyctl ${words[*]} refuses the rendered drop-in on top of the vendor policy:"
                echo "$out"
                exit 1
        fi
        if ! grep -Eq "oom_score_adj += -900 +\(.*/50-$name.conf \(checking .*\):[0-9]+\)" <<<"$out"; then
                echo "FAIL: the vendor sshd rule's oom_score_adj does not come from the checked drop-in:"
                echo "$out"
                exit 1
        fi
        echo "ok: oompolicyctl ${words[*]} FINAL FILE accepts the rendered drop-in on top of the vendor policy (sshd's oom_score_adj from it)"
        { cat "$rendered"; printf '\n[rule:broken]\nname = oomtest-none\noom_score_adj = 100\nbogus = 1\n'; } >"$tmp/broken.conf"
        line=$(grep -n '^bogus' "$tmp/broken.conf" | cut -d: -f1)
        rc=0
        out=$("$builddir/src/oompolicyctl" --config "$policy" check --as "$dest" "$tmp/broken.conf" 2>&1) || rc=$?
        if [ "$rc" -ne 1 ] || ! grep -Fq "$dest (checking $tmp/broken.conf):$line: unknown key 'bogus'" <<<"$out"; then
                echo "FAIL: oompolicyctl check --as on a broken drop-in: exit $rc (expected 1), output:"
                echo "$out"
                exit 1
        fi
        echo "ok: a broken drop-in is refused (exit 1): $(grep -F "unknown key 'bogus'" <<<"$out" | sed "s|$tmp/||g" | cut -c1-100)"
}
