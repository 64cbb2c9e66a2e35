#!/bin/bash
# SPDX-License-Identifier: MIT
# Regression test: `check --json` keeps every rule's name. It used to add the
# rule name as "name" and then the rule's `name =` globs under the same key,
# which replaced it: [rule:syslog] came out as {"name": ["rsyslogd",
# "syslog-ng"], ...} and "syslog" appeared nowhere. Checked without relying on
# which key now holds which.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

setup
require_python

cfg="$tmp/oompolicy.conf"
write_policy "$cfg" <"$top_srcdir/conf/oompolicy.conf"
ctl check --json --config "$cfg"
expect_rc 0 "check --json"
json_parses
names=$(sed -n -E 's/^\[rule:([^]]+)\].*/\1/p' "$cfg" | paste -sd' ')
# Every rule object carries its rule name as a string, and its globs as a list.
json_check "[[v for v in r.values() if isinstance(v, str) and v in '$names'.split()] for r in j['rules']] == [[n] for n in '$names'.split()]"
json_check "any(v == ['rsyslogd', 'syslog-ng'] for v in j['rules'][1].values())"
ok "check --json names every rule ($names) and keeps its name globs"
