/* SPDX-License-Identifier: MIT */
#pragma once

/* The lints that look at the running machine (policy/policy-lint.h has the pure
 * ones): what the policy would do to the processes that run now. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "policy/policy-lint.h"
#include "inspect/snapshot.h"
#include "proc/rootfs.h"

/* Whether a kubelet runs: a user-space process whose comm is "kubelet". */
bool runtime_kubelet_running(const Snapshot *snap);

/* immune-in-limited-memcg: a process the policy gives -1000 that lives in a memory
 * cgroup with a limit (itself or an ancestor). One lint per rule, naming the first
 * such process. Without a memory controller it adds a note and nothing else. */
int runtime_lint_immune_in_limited_memcg(const RootFs *fs, const Policy *p, const Snapshot *snap, LintList *l);

/* One process of a unit, as the unit-oom-policy decision sees it. */
typedef struct UnitMember {
        pid_t pid;
        const char *comm;
        const Rule *rule;      /* the policy's rule for it, or NULL */
        int oom_score_adj;     /* its value now, which counts when no rule matches */
} UnitMember;

/* Pure. unit-oom-policy for one unit: with OOMPolicy=stop or kill, a member the
 * policy protects (a rule with a negative value) next to a member that is not
 * protected (no rule and a value >= 0 now, or a rule with a value >= 0) is
 * reported, once per protecting rule: the kernel kills the unprotected one, then
 * systemd takes the whole unit down. */
int unit_oom_policy_lint(const char *unit, const char *oom_policy, const UnitMember *members, size_t n,
                         LintList *l);

/* unit-oom-policy over the machine: groups the processes by unit (from their
 * cgroup), and for a unit with both kinds asks systemd for its OOMPolicy. */
int runtime_lint_unit_oom_policy(sd_bus *bus, const Policy *p, const Snapshot *snap, LintList *l);
