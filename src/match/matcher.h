/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "policy/policy.h"
#include "proc/proc-info.h"

/* Why a rule did or did not match one process, qualifier by qualifier, for
 * `oompolicyctl explain`. */
typedef enum QualifierResult {
        QUALIFIER_ABSENT,     /* the rule has no such qualifier */
        QUALIFIER_MATCHED,
        QUALIFIER_FAILED,
        QUALIFIER_UNKNOWN,    /* the process field could not be read: treated as no match */
} QualifierResult;

typedef struct RuleMatch {
        bool matched;
        QualifierResult result[_RULE_KEY_MAX];   /* for name, exe, cmdline, user, cgroup */
        /* For each MATCHED qualifier, the first entry of the rule's list (in the
         * rule's order) that matched, pointing into the rule: a glob of names, exes,
         * cmdlines or cgroups; for user, the user as written (user_names[i], whose
         * uid uids[i] is the process's). NULL for every other result. */
        const char *matched_glob[_RULE_KEY_MAX];
        const char *matched_value;               /* for name: which of the process's names matched */
} RuleMatch;

/* All qualifiers must match; any glob within one qualifier may. With ret_detail
 * every qualifier is checked and recorded, also after one failed; without, the
 * first that fails ends the check. Pure. */
bool rule_matches(const Rule *rule, const ProcInfo *info, RuleMatch *ret_detail);

/* The rule that governs the process: the strongest (last defined) that matches,
 * or NULL. Exact names are found through the policy's index, so the cost does not
 * grow with the number of exact-name rules. Pure. */
const Rule *matcher_find_rule(const Policy *policy, const ProcInfo *info);
/* The same, and (ret_match, optional) rule_matches()'s detail for the rule found,
 * with the globs that matched; when no rule matches, every qualifier is ABSENT. */
const Rule *matcher_find_match(const Policy *policy, const ProcInfo *info, RuleMatch *ret_match);

/* Whether any rule could match a process with this comm, decided from the comm
 * alone, and (ret_fields, optional) which ProcField bits those rules need: lets
 * the daemon skip reading the other fields for most processes, and read only
 * what the candidates look at for the rest. Pure. */
bool matcher_may_match(const Policy *policy, const ProcInfo *info, unsigned *ret_fields);
