/* SPDX-License-Identifier: MIT */
#pragma once

/* The words of `oompolicyctl explain`: why each qualifier of a rule matched a
 * process or not. Pure. */

#include "match/matcher.h"
#include "policy/policy.h"
#include "proc/proc-info.h"

/* One line for qualifier key (name, exe, cmdline, user or cgroup) of rule,
 * given rule_matches()'s verdict m for the process info (a matched glob is the
 * one m records, not matched again), e.g.
 *
 *     name: "sshd" matched
 *     name: "chromium" matched chrom*
 *     user: process uid 1000 is not root
 *     exe: /tmp/sshd does not match /usr/sbin/sshd
 *     exe: unknown (/proc/PID/exe is not readable), so no match
 *
 * *ret is NULL when the rule has no such qualifier. Returns 0 or -ENOMEM. */
int explain_qualifier(const Rule *rule, RuleKey key, const RuleMatch *m, const ProcInfo *info, char **ret);
