/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy-lint.h"
#include "shared/strv.h"

static const char *const lint_names[_LINT_MAX] = {
        [LINT_UNQUALIFIED_PROTECTION] = "unqualified-protection",
        [LINT_IMMUNE_IN_LIMITED_MEMCG] = "immune-in-limited-memcg",
        [LINT_UNIT_OOM_POLICY] = "unit-oom-policy",
        [LINT_KUBELET_SYSCTL] = "kubelet-sysctl",
        [LINT_SHADOWED_RULE] = "shadowed-rule",
};

const char *lint_id_to_string(LintId id) {
        if (id < 0 || id >= _LINT_MAX)
                return NULL;
        return lint_names[id];
}

LintId lint_id_from_string(const char *s) {
        for (LintId id = 0; id < _LINT_MAX; id++)
                if (s && strcmp(s, lint_names[id]) == 0)
                        return id;
        return _LINT_INVALID;
}

void lint_list_done(LintList *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n_lints; i++) {
                free(l->lints[i].file);
                free(l->lints[i].rule);
                free(l->lints[i].message);
                free(l->lints[i].suggestion);
        }
        free(l->lints);
        strv_free(l->notes);
        *l = (LintList) {};
}

int lint_add(LintList *l, LintId id, const Origin *where, const char *rule, const char *suggestion,
             const char *fmt, ...) {
        _cleanup_free_ char *message = NULL, *file = NULL, *rule_copy = NULL, *sugg = NULL;
        va_list ap;
        Lint *n;
        int r;

        assert(l);
        assert(fmt);
        assert(id >= 0 && id < _LINT_MAX);

        va_start(ap, fmt);
        r = vasprintf(&message, fmt, ap);
        va_end(ap);
        if (r < 0) {
                message = NULL;
                return -ENOMEM;
        }
        if ((where && where->file && !(file = strdup(where->file))) ||
            (rule && !(rule_copy = strdup(rule))) ||
            (suggestion && !(sugg = strdup(suggestion))))
                return -ENOMEM;
        n = reallocarray(l->lints, l->n_lints + 1, sizeof(Lint));
        if (!n)
                return -ENOMEM;
        l->lints = n;
        l->lints[l->n_lints++] = (Lint) {
                .id = id,
                .file = TAKE_PTR(file),
                .line = where && where->file ? where->line : 0,
                .rule = TAKE_PTR(rule_copy),
                .message = TAKE_PTR(message),
                .suggestion = TAKE_PTR(sugg),
        };
        return 0;
}

int lint_note(LintList *l, const char *fmt, ...) {
        char *s;
        va_list ap;
        int r;

        assert(l);
        assert(fmt);

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_consume(&l->notes, s);
}

bool rule_is_qualified(const Rule *r) {
        assert(r);
        return r->uids && r->n_uids > 0 && r->exes;
}

static bool globs_cover(char *const *winner, char *const *loser) {
        if (!winner)
                return true;
        if (!loser)
                return false;
        if (strv_contains(winner, "*"))
                return true;
        for (char *const *g = loser; *g; g++)
                if (!strv_contains(winner, *g))
                        return false;
        return true;
}

bool rule_covers(const Rule *winner, const Rule *loser) {
        assert(winner);
        assert(loser);

        if (!globs_cover(winner->names, loser->names) ||
            !globs_cover(winner->exes, loser->exes) ||
            !globs_cover(winner->cmdlines, loser->cmdlines) ||
            !globs_cover(winner->cgroups, loser->cgroups))
                return false;
        if (!winner->uids)
                return true;
        if (!loser->uids)
                return false;
        for (size_t i = 0; i < loser->n_uids; i++) {
                bool found = false;
                for (size_t j = 0; j < winner->n_uids && !found; j++)
                        found = winner->uids[j] == loser->uids[i];
                if (!found)
                        return false;
        }
        return true;
}

static int lint_unqualified(const Rule *r, LintList *l) {
        const char *how;

        if (r->oom_score_adj >= 0 || rule_is_qualified(r))
                return 0;
        how = r->exes ? "has exe but no user qualifier" :
              r->uids ? "has user but no exe qualifier" : "matches without user and exe qualifiers";
        return lint_add(l, LINT_UNQUALIFIED_PROTECTION, &r->key_origin[RULE_KEY_OOM_SCORE_ADJ], r->name,
                        "add 'user = root' and an 'exe =' with the program's path, so that only root "
                        "running that program gets the protection",
                        "rule '%s' grants oom_score_adj %d but %s: any user can start a process "
                        "it matches (by name, command line or cgroup) and obtain the protection",
                        r->name, r->oom_score_adj, how);
}

/* The strongest later rule that covers r, or NULL. Only rules that name every
 * name of r can cover it; of the indexed ones, those naming its first name. */
static const Rule *find_shadowing(const Policy *p, const Rule *r) {
        const Rule *best = NULL;

        for (size_t i = 0; i < p->n_scan_rules; i++) {
                const Rule *w = &p->rules[p->scan_rules[i]];
                if (w->index > r->index && rule_covers(w, r) && (!best || w->index > best->index))
                        best = w;
        }
        if (r->names && r->names[0]) {
                size_t n;
                const size_t *idx = policy_rules_for_name(p, r->names[0], &n);

                for (size_t i = 0; i < n; i++) {
                        const Rule *w = &p->rules[idx[i]];
                        if (w->index > r->index && rule_covers(w, r) && (!best || w->index > best->index))
                                best = w;
                }
        }
        return best;
}

static int lint_shadowed(const Policy *p, const Rule *r, LintList *l) {
        const Rule *w = find_shadowing(p, r);
        _cleanup_free_ char *sugg = NULL;

        if (!w)
                return 0;
        if (asprintf(&sugg, "remove rule '%s', narrow rule '%s', or move '%s' after it "
                     "(a bare section header [rule:%s] in a later file)",
                     r->name, w->name, r->name, r->name) < 0)
                return -ENOMEM;
        return lint_add(l, LINT_SHADOWED_RULE, &r->origin, r->name, sugg,
                        "rule '%s' can never win: rule '%s' (%s:%u), which comes later, matches every "
                        "process it matches (its value %d always wins over %d)",
                        r->name, w->name, w->origin.file ?: "?", w->origin.line, w->oom_score_adj,
                        r->oom_score_adj);
}

int policy_lint(const Policy *p, LintList *l) {
        int r;

        assert(p);
        assert(l);

        for (size_t i = 0; i < p->n_rules; i++) {
                r = lint_unqualified(&p->rules[i], l);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < p->n_rules; i++) {
                r = lint_shadowed(p, &p->rules[i], l);
                if (r < 0)
                        return r;
        }
        return 0;
}

int policy_lint_kubelet_sysctl(const Policy *p, LintList *l) {
        /* What kubelet sets itself at start-up (protectKernelDefaults off) or
         * insists on (on): it would rewrite or refuse a different value. */
        static const struct {
                SysctlId id;
                int64_t value;
        } expected[] = {
                { SYSCTL_OVERCOMMIT_MEMORY, 1 },
                { SYSCTL_PANIC_ON_OOM, 0 },
                { SYSCTL_KERNEL_PANIC, 10 },
        };
        int r;

        assert(p);
        assert(l);

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                const SysctlSetting *s = &p->sysctl[expected[i].id];
                const char *key = sysctl_info(expected[i].id)->key;
                _cleanup_free_ char *sugg = NULL;

                if (!s->set || s->value == expected[i].value)
                        continue;
                if (asprintf(&sugg, "remove %s from the policy (or set it to %" PRId64 ")", key,
                             expected[i].value) < 0)
                        return -ENOMEM;
                r = lint_add(l, LINT_KUBELET_SYSCTL, &s->origin, NULL, sugg,
                             "%s = %" PRId64 " conflicts with kubelet, which expects %" PRId64
                             " and rewrites it at start-up (or, with --protect-kernel-defaults, refuses to start)",
                             key, s->value, expected[i].value);
                if (r < 0)
                        return r;
        }
        return 0;
}
