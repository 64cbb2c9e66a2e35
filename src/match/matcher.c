/* SPDX-License-Identifier: MIT */
#include "match/matcher.h"

#include <fnmatch.h>
#include <string.h>

/* Where the daemon's per-event path shares code with explain's. Left to itself,
 * GCC stops inlining scan_names_match() once find_rule() has two copies, and the
 * scan of a 10,000-rule policy then costs 10 % more instructions (callgrind). */
#define _always_inline_ inline __attribute__((always_inline))

/* The first of globs that matches value, or NULL: which one, not only whether,
 * costs nothing more and spares explain a second fnmatch() pass. */
static const char *first_matching_glob(char *const *globs, const char *value, int flags) {
        for (char *const *g = globs; *g; g++)
                if (fnmatch(*g, value, flags) == 0)
                        return *g;
        return NULL;
}

static QualifierResult match_field(char *const *globs, bool known, const char *value, int flags,
                                   const char **ret_glob) {
        *ret_glob = NULL;
        if (!globs)
                return QUALIFIER_ABSENT;
        if (!known || !value)
                return QUALIFIER_UNKNOWN;
        *ret_glob = first_matching_glob(globs, value, flags);
        return *ret_glob ? QUALIFIER_MATCHED : QUALIFIER_FAILED;
}

static QualifierResult match_user(const Rule *rule, const ProcInfo *info, const char **ret_user) {
        *ret_user = NULL;
        if (!rule->uids)
                return QUALIFIER_ABSENT;
        if (!(info->fields & PROC_FIELD_UID))
                return QUALIFIER_UNKNOWN;
        for (size_t i = 0; i < rule->n_uids; i++)
                if (rule->uids[i] == info->uid) {
                        *ret_user = rule->user_names ? rule->user_names[i] : NULL;
                        return QUALIFIER_MATCHED;
                }
        return QUALIFIER_FAILED;
}

/* Records one qualifier's verdict in m, if any; whether the rule may still match. */
static inline bool note(RuleMatch *m, RuleKey key, QualifierResult res, const char *glob) {
        bool ok = res == QUALIFIER_ABSENT || res == QUALIFIER_MATCHED;

        if (m) {
                m->result[key] = res;
                m->matched_glob[key] = glob;
                m->matched = m->matched && ok;
        }
        return ok;
}

/* The one definition of a match, in two copies. With m, every qualifier is
 * checked and recorded, for explain; without (the daemon, per exec event), the
 * first qualifier that fails ends the check and nothing is recorded, so that the
 * recording costs the hot path nothing. */
static _always_inline_ bool match_rule(const Rule *rule, const ProcInfo *info, RuleMatch *m) {
        const char *glob = NULL;
        QualifierResult res;
        bool ok;

        if (m)
                *m = (RuleMatch) { .matched = true };

        res = QUALIFIER_ABSENT;
        if (rule->names) {
                const char *names[3];
                size_t n = proc_info_names(info, names);

                for (size_t i = 0; i < n && !glob; i++) {
                        glob = first_matching_glob(rule->names, names[i], 0);
                        if (glob && m)
                                m->matched_value = names[i];
                }
                res = glob ? QUALIFIER_MATCHED : QUALIFIER_FAILED;
        }
        ok = note(m, RULE_KEY_NAME, res, glob);
        if (!ok && !m)
                return false;

        /* No FNM_PATHNAME: a star spans slashes, so a directory glob covers the whole subtree. */
        res = match_field(rule->exes, info->fields & PROC_FIELD_EXE, info->exe, 0, &glob);
        ok = note(m, RULE_KEY_EXE, res, glob) && ok;
        if (!ok && !m)
                return false;
        res = match_field(rule->cmdlines, info->fields & PROC_FIELD_CMDLINE, info->cmdline, 0, &glob);
        ok = note(m, RULE_KEY_CMDLINE, res, glob) && ok;
        if (!ok && !m)
                return false;
        res = match_field(rule->cgroups, info->fields & PROC_FIELD_CGROUP, info->cgroup, 0, &glob);
        ok = note(m, RULE_KEY_CGROUP, res, glob) && ok;
        if (!ok && !m)
                return false;
        res = match_user(rule, info, &glob);
        return note(m, RULE_KEY_USER, res, glob) && ok;
}

bool rule_matches(const Rule *rule, const ProcInfo *info, RuleMatch *ret_detail) {
        RuleMatch m;

        if (!ret_detail)
                return match_rule(rule, info, NULL);
        (void) match_rule(rule, info, &m);
        *ret_detail = m;
        return m.matched;
}

/* A first pass over a scan rule, on the policy's packed copy of its name globs:
 * whether any of them matches any of the process's names. A rule that fails here
 * would fail rule_matches() on its name qualifier, so most globs of a large policy
 * are rejected without touching the rules themselves. */
static _always_inline_ bool scan_names_match(const Policy *policy, size_t scan_pos, const char *const *names,
                                             size_t n_names) {
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

/* In two copies, so that the daemon's (without ret_match) tests nothing for the
 * other's detail. */
static _always_inline_ const Rule *find_rule(const Policy *policy, const ProcInfo *info, RuleMatch *ret_match) {
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
                if (!found) {
                        if (ret_match)
                                *ret_match = (RuleMatch) {};
                        return NULL;
                }
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
                if (rule_matches(&policy->rules[best], info, ret_match))
                        return &policy->rules[best];
        }
}

const Rule *matcher_find_rule(const Policy *policy, const ProcInfo *info) {
        return find_rule(policy, info, NULL);
}

const Rule *matcher_find_match(const Policy *policy, const ProcInfo *info, RuleMatch *ret_match) {
        return find_rule(policy, info, ret_match);
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
