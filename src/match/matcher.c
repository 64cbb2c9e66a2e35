/* SPDX-License-Identifier: MIT */
#include "match/matcher.h"

#include <fnmatch.h>
#include <string.h>

static bool any_glob_matches(char *const *globs, const char *value, int flags) {
        for (char *const *g = globs; *g; g++)
                if (fnmatch(*g, value, flags) == 0)
                        return true;
        return false;
}

static QualifierResult match_field(char *const *globs, bool known, const char *value, int flags) {
        if (!globs)
                return QUALIFIER_ABSENT;
        if (!known || !value)
                return QUALIFIER_UNKNOWN;
        return any_glob_matches(globs, value, flags) ? QUALIFIER_MATCHED : QUALIFIER_FAILED;
}

bool rule_matches(const Rule *rule, const ProcInfo *info, RuleMatch *ret_detail) {
        RuleMatch m = { .matched = true };

        if (rule->names) {
                const char *names[3];
                size_t n = proc_info_names(info, names);

                m.result[RULE_KEY_NAME] = QUALIFIER_FAILED;
                for (size_t i = 0; i < n; i++)
                        if (any_glob_matches(rule->names, names[i], 0)) {
                                m.result[RULE_KEY_NAME] = QUALIFIER_MATCHED;
                                m.matched_value = names[i];
                                break;
                        }
        }
        /* No FNM_PATHNAME: a star spans slashes, so a directory glob covers the whole subtree. */
        m.result[RULE_KEY_EXE] = match_field(rule->exes, info->fields & PROC_FIELD_EXE, info->exe, 0);
        m.result[RULE_KEY_CMDLINE] = match_field(rule->cmdlines, info->fields & PROC_FIELD_CMDLINE, info->cmdline, 0);
        m.result[RULE_KEY_CGROUP] = match_field(rule->cgroups, info->fields & PROC_FIELD_CGROUP, info->cgroup, 0);

        if (rule->uids) {
                m.result[RULE_KEY_USER] = QUALIFIER_FAILED;
                if (!(info->fields & PROC_FIELD_UID))
                        m.result[RULE_KEY_USER] = QUALIFIER_UNKNOWN;
                else
                        for (size_t i = 0; i < rule->n_uids; i++)
                                if (rule->uids[i] == info->uid)
                                        m.result[RULE_KEY_USER] = QUALIFIER_MATCHED;
        }

        for (RuleKey k = 0; k < _RULE_KEY_MAX; k++)
                if (m.result[k] != QUALIFIER_ABSENT && m.result[k] != QUALIFIER_MATCHED)
                        m.matched = false;

        if (ret_detail)
                *ret_detail = m;
        return m.matched;
}

/* A first pass over a scan rule, on the policy's packed copy of its name globs:
 * whether any of them matches any of the process's names. A rule that fails here
 * would fail rule_matches() on its name qualifier, so most globs of a large policy
 * are rejected without touching the rules themselves. */
static bool scan_names_match(const Policy *policy, size_t scan_pos, const char *const *names, size_t n_names) {
        const char *const *globs = policy_scan_names(policy, scan_pos);

        if (!globs)
                return true;   /* no name qualifier: only rule_matches() can tell */
        for (; *globs; globs++)
                for (size_t i = 0; i < n_names; i++)
                        if (fnmatch(*globs, names[i], 0) == 0)
                                return true;
        return false;
}

/* Candidate lists, each ordered strongest first; merged on the fly. */
typedef struct Cursor {
        const size_t *rules;
        size_t n, pos;
} Cursor;

const Rule *matcher_find_rule(const Policy *policy, const ProcInfo *info) {
        Cursor cursors[4];
        const char *names[3];
        size_t n_cursors = 0, n_names;

        cursors[n_cursors++] = (Cursor) { .rules = policy->scan_rules, .n = policy->n_scan_rules };
        n_names = proc_info_names(info, names);
        for (size_t i = 0; i < n_names; i++) {
                Cursor c = {};

                c.rules = policy_rules_for_name(policy, names[i], &c.n);
                if (c.n > 0)
                        cursors[n_cursors++] = c;
        }

        for (;;) {
                size_t best = 0, scan_pos = SIZE_MAX;
                bool found = false;

                for (size_t i = 0; i < n_cursors; i++) {
                        Cursor *c = &cursors[i];

                        if (c->pos < c->n && (!found || c->rules[c->pos] > best)) {
                                best = c->rules[c->pos];
                                found = true;
                        }
                }
                if (!found)
                        return NULL;
                /* Several names of one process may point at the same rule: advance all. */
                for (size_t i = 0; i < n_cursors; i++)
                        if (cursors[i].pos < cursors[i].n && cursors[i].rules[cursors[i].pos] == best) {
                                if (i == 0)
                                        scan_pos = cursors[i].pos;
                                cursors[i].pos++;
                        }
                /* A rule is either indexed or scanned, never both. */
                if (scan_pos != SIZE_MAX && !scan_names_match(policy, scan_pos, names, n_names))
                        continue;
                if (rule_matches(&policy->rules[best], info, NULL))
                        return &policy->rules[best];
        }
}

bool matcher_may_match(const Policy *policy, const ProcInfo *info, unsigned *ret_fields) {
        const char *const names[] = { info->comm };
        const size_t *exact;
        unsigned fields = 0;
        bool may = false;
        size_t n;

        /* A truncated comm has more names (exe, argv[0]) than the comm shows. */
        if (strlen(info->comm) == PROC_COMM_MAX - 1) {
                fields = policy->proc_fields | PROC_FIELD_EXE | PROC_FIELD_CMDLINE;
                may = true;
                goto done;
        }
        exact = policy_rules_for_name(policy, info->comm, &n);
        for (size_t i = 0; i < n; i++)
                fields |= policy->rules[exact[i]].proc_fields;
        may = n > 0;
        /* Name globs are decided here too, so that a policy with a few globs does
         * not make every process cost four more reads; a scan rule without a name
         * qualifier can match anything. Once the candidates need every field some
         * rule needs, the rest cannot add any. */
        for (size_t i = 0; i < policy->n_scan_rules; i++) {
                if (may && (!ret_fields || fields == policy->proc_fields))
                        break;
                if (scan_names_match(policy, i, names, ELEMENTSOF(names))) {
                        fields |= policy->rules[policy->scan_rules[i]].proc_fields;
                        may = true;
                }
        }
done:
        if (ret_fields)
                *ret_fields = fields;
        return may;
}
