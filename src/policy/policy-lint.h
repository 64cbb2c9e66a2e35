/* SPDX-License-Identifier: MIT */
#pragma once

/* Lints: a valid policy that is likely to do harm. `oompolicyctl check` reports
 * them as warnings (errors with --strict). The pure ones live here; the ones that
 * look at the running machine are in inspect/runtime-lint.h. */

#include <stdbool.h>
#include <stddef.h>

#include "shared/macro.h"
#include "policy/policy.h"

typedef enum LintId {
        LINT_UNQUALIFIED_PROTECTION,
        LINT_IMMUNE_IN_LIMITED_MEMCG,
        LINT_UNIT_OOM_POLICY,
        LINT_KUBELET_SYSCTL,
        LINT_SHADOWED_RULE,
        _LINT_MAX,
        _LINT_INVALID = -EINVAL,
} LintId;

typedef struct Lint {
        LintId id;
        char *file;           /* NULL when not tied to a file */
        unsigned line;
        char *rule;           /* the rule concerned, or NULL (a sysctl) */
        char *message;
        char *suggestion;
} Lint;

typedef struct LintList {
        Lint *lints;
        size_t n_lints;
        char **notes;         /* which lints were skipped and why, for --verbose */
} LintList;

void lint_list_done(LintList *l);
int lint_add(LintList *l, LintId id, const Origin *where, const char *rule, const char *suggestion,
             const char *fmt, ...) _printf_(6, 7);
int lint_note(LintList *l, const char *fmt, ...) _printf_(2, 3);

/* The stable id shown to users: "unqualified-protection", ... */
const char *lint_id_to_string(LintId id);
LintId lint_id_from_string(const char *s);

/* Whether a rule's protection is tied to who runs what: a user qualifier (which
 * an unprivileged user cannot take on) together with an exe qualifier. */
bool rule_is_qualified(const Rule *r);
/* Whether every process `loser` matches is matched by `winner` too, decided
 * conservatively from the rules' text: for each qualifier, the winner has none,
 * or every glob of the loser's appears in the winner's list or the winner's list
 * has "*"; the loser's users are a subset of the winner's. */
bool rule_covers(const Rule *winner, const Rule *loser);

/* unqualified-protection and shadowed-rule: the policy alone. */
int policy_lint(const Policy *p, LintList *l);
/* kubelet-sysctl: the policy's sysctls that differ from what kubelet expects
 * (vm.overcommit_memory = 1, vm.panic_on_oom = 0, kernel.panic = 10). Whether a
 * kubelet runs is for the caller to tell. */
int policy_lint_kubelet_sysctl(const Policy *p, LintList *l);
