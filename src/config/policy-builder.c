/* SPDX-License-Identifier: MIT */
#include "config/policy-builder.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/hashmap.h"
#include "shared/ini.h"
#include "shared/parse-util.h"
#include "shared/strv.h"

#define RULE_SECTION_PREFIX "rule:"
#define RESCAN_INTERVAL_MAX (7u * 24u * 3600u)

typedef enum SectionKind {
        SECTION_NONE,      /* unknown or broken: its keys are skipped quietly */
        SECTION_SYSCTL,
        SECTION_SHORT_FORM,
        SECTION_RULE,
        SECTION_DAEMON,
} SectionKind;

/* A rule as the files so far define it. Its origin is where it was last
 * (re)defined, and a key is set when its key_origin names a file. */
typedef struct RuleDraft {
        Rule rule;
        bool broken;              /* a key failed to parse: skip whole-rule checks */
        uint64_t order;
        Origin first_origin;      /* where the rule was first defined */
} RuleDraft;

struct PolicyBuilder {
        char **files;
        RuleDraft **drafts;
        size_t n_drafts;
        Hashmap *draft_by_name;   /* "rule:NAME" or "short:GLOB" -> RuleDraft */
        Hashmap *seen_keys;       /* "SECTION\nKEY" -> line, for the current file */
        uint64_t seq;

        SysctlSetting sysctl[_SYSCTL_MAX];
        DaemonSettings daemon;

        /* current position */
        const char *file;         /* points into files */
        SectionKind section_kind;
        char *section_name;
        RuleDraft *draft;         /* of the current [rule:NAME] section */
};

static void rule_draft_free(void *p) {
        RuleDraft *d = p;

        if (!d)
                return;
        rule_done(&d->rule);
        free(d);
}

int policy_builder_new(PolicyBuilder **ret) {
        _cleanup_policy_builder_ PolicyBuilder *b = NULL;
        int r;

        assert(ret);

        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        r = hashmap_new(NULL, &b->draft_by_name);
        if (r < 0)
                return r;
        daemon_settings_init_default(&b->daemon);
        *ret = TAKE_PTR(b);
        return 0;
}

PolicyBuilder *policy_builder_free(PolicyBuilder *b) {
        if (!b)
                return NULL;
        for (size_t i = 0; i < b->n_drafts; i++)
                rule_draft_free(b->drafts[i]);
        free(b->drafts);
        hashmap_free(b->draft_by_name);
        hashmap_free(b->seen_keys);
        strv_free(b->files);
        free(b->daemon.metrics_file);
        free(b->section_name);
        free(b);
        return NULL;
}

_printf_(4, 5)
static int builder_error(PolicyBuilder *b, DiagList *diag, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return diag_error(diag, b->file, line, "%s", msg);
}

static Origin here(const PolicyBuilder *b, unsigned line) {
        return (Origin) { .file = b->file, .line = line };
}

/* Explains a failed number parse the way an admin needs to read it. */
static int number_error(PolicyBuilder *b, DiagList *diag, unsigned line, int r, const char *key, const char *value,
                        int64_t min, int64_t max) {
        if (r == -ENODATA)
                return builder_error(b, diag, line, "empty value for '%s'", key);
        if (r == -ERANGE)
                return builder_error(b, diag, line, "value %s for '%s' is out of range (%lld..%lld)", value, key,
                                     (long long) min, (long long) max);
        return builder_error(b, diag, line, "value '%s' for '%s' is not an integer", value, key);
}

static int parse_adj(PolicyBuilder *b, DiagList *diag, unsigned line, const char *key, const char *value, int *ret) {
        int r = parse_int_range(value, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX, ret);

        if (r < 0)
                return number_error(b, diag, line, r, key, value, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX) ?: -EINVAL;
        return 0;
}

/* The kernel's own oom_adj -> oom_score_adj mapping (fs/proc/base.c). */
static int oom_adj_to_score_adj(int oom_adj) {
        if (oom_adj == 15)
                return OOM_SCORE_ADJ_MAX;
        return oom_adj * OOM_SCORE_ADJ_MAX / 17;
}

static int parse_globs(PolicyBuilder *b, DiagList *diag, unsigned line, RuleKey key, const char *value,
                       char ***ret) {
        _cleanup_strv_free_ char **globs = NULL;
        bool bad = false;
        int r;

        r = strv_split_blank(value, &globs);
        if (r < 0)
                return r;
        if (!globs[0])
                return builder_error(b, diag, line, "empty value for '%s'", rule_key_to_string(key)) ?: -EINVAL;
        for (char **g = globs; *g; g++) {
                const char *problem = glob_check(*g);

                if (problem) {
                        r = builder_error(b, diag, line, "glob '%s' in '%s' %s", *g, rule_key_to_string(key), problem);
                        bad = true;
                } else if ((key == RULE_KEY_EXE || key == RULE_KEY_CGROUP) && **g != '/' && **g != '*') {
                        r = builder_error(b, diag, line, "glob '%s' in '%s' can never match: %s begin with '/'", *g,
                                          rule_key_to_string(key),
                                          key == RULE_KEY_EXE ? "executable paths" : "cgroup paths");
                        bad = true;
                }
                if (r < 0)
                        return r;
        }
        if (bad)
                return -EINVAL;
        /* A drop-in redefining the key replaces the earlier list. */
        strv_free(*ret);
        *ret = TAKE_PTR(globs);
        return 0;
}

static int resolve_user(const char *word, uid_t *ret) {
        struct passwd pw, *result = NULL;
        char buf[4096];
        int64_t uid;

        if (parse_int64_range(word, 0, UINT32_MAX - 1, &uid) == 0) {
                *ret = (uid_t) uid;
                return 0;
        }
        if (getpwnam_r(word, &pw, buf, sizeof(buf), &result) != 0 || !result)
                return -ESRCH;
        *ret = result->pw_uid;
        return 0;
}

static int parse_users(PolicyBuilder *b, DiagList *diag, unsigned line, const char *value, Rule *rule) {
        _cleanup_strv_free_ char **words = NULL;
        _cleanup_free_ uid_t *uids = NULL;
        bool bad = false;
        size_t n = 0;
        int r;

        r = strv_split_blank(value, &words);
        if (r < 0)
                return r;
        if (!words[0])
                return builder_error(b, diag, line, "empty value for 'user'") ?: -EINVAL;
        uids = calloc(strv_length(words), sizeof(uid_t));
        if (!uids)
                return -ENOMEM;
        for (char **w = words; *w; w++) {
                if (resolve_user(*w, &uids[n]) < 0) {
                        r = builder_error(b, diag, line, "user '%s' does not exist", *w);
                        if (r < 0)
                                return r;
                        bad = true;
                        continue;
                }
                n++;
        }
        if (bad)
                return -EINVAL;
        free(rule->uids);
        strv_free(rule->user_names);
        rule->uids = TAKE_PTR(uids);
        rule->n_uids = n;
        rule->user_names = TAKE_PTR(words);
        return 0;
}

static int get_draft(PolicyBuilder *b, const char *name, bool short_form, unsigned line, RuleDraft **ret) {
        _cleanup_free_ char *key = NULL;
        RuleDraft *d, **grown;

        if (asprintf(&key, "%s:%s", short_form ? "short" : "rule", name) < 0)
                return -ENOMEM;
        d = hashmap_get(b->draft_by_name, key);
        if (!d) {
                d = calloc(1, sizeof(*d));
                if (!d)
                        return -ENOMEM;
                d->rule.name = strdup(name);
                grown = realloc(b->drafts, (b->n_drafts + 1) * sizeof(RuleDraft *));
                if (!d->rule.name || !grown) {
                        rule_draft_free(d);
                        if (grown)
                                b->drafts = grown;
                        return -ENOMEM;
                }
                b->drafts = grown;
                b->drafts[b->n_drafts++] = d;
                d->rule.short_form = short_form;
                d->first_origin = here(b, line);
                int r = hashmap_put(b->draft_by_name, key, d);
                if (r < 0)
                        return r;
        }
        /* A redefinition moves the rule to its new place in read order. */
        d->order = ++b->seq;
        d->rule.origin = here(b, line);
        *ret = d;
        return 0;
}

static bool rule_name_valid(const char *name) {
        if (!*name)
                return false;
        for (const char *p = name; *p; p++)
                if (!isalnum((unsigned char) *p) && !strchr("-_.@:+", *p))
                        return false;
        return true;
}

static int on_section(void *userdata, const char *file, unsigned line, const char *section) {
        void **ctx = userdata;
        PolicyBuilder *b = ctx[0];
        DiagList *diag = ctx[1];

        b->draft = NULL;
        b->section_kind = SECTION_NONE;
        free(b->section_name);
        b->section_name = strdup(section);
        if (!b->section_name)
                return -ENOMEM;

        if (strcmp(section, "sysctl") == 0)
                b->section_kind = SECTION_SYSCTL;
        else if (strcmp(section, "oom_score_adj") == 0)
                b->section_kind = SECTION_SHORT_FORM;
        else if (strcmp(section, "daemon") == 0)
                b->section_kind = SECTION_DAEMON;
        else if (strncmp(section, RULE_SECTION_PREFIX, strlen(RULE_SECTION_PREFIX)) == 0) {
                const char *name = section + strlen(RULE_SECTION_PREFIX);

                if (!rule_name_valid(name))
                        return builder_error(b, diag, line,
                                             "invalid rule name '%s': use letters, digits and -_.@:+", name);
                b->section_kind = SECTION_RULE;
                return get_draft(b, name, false, line, &b->draft);
        } else
                return builder_error(b, diag, line,
                                     "unknown section [%s] (expected [sysctl], [oom_score_adj], [rule:NAME] or [daemon])",
                                     section);
        return 0;
}

static int on_sysctl(PolicyBuilder *b, DiagList *diag, unsigned line, const char *key, const char *value) {
        SysctlId id = sysctl_from_key(key);
        const SysctlInfo *info;
        int64_t v;
        int r;

        if (id < 0)
                return builder_error(b, diag, line,
                                     "unknown sysctl '%s' (oompolicyd manages vm.overcommit_memory, vm.overcommit_ratio, "
                                     "vm.overcommit_kbytes, vm.panic_on_oom, vm.oom_kill_allocating_task, vm.oom_dump_tasks, "
                                     "vm.admin_reserve_kbytes, vm.user_reserve_kbytes and kernel.panic)", key);
        info = sysctl_info(id);
        r = parse_int64_range(value, info->min, info->max, &v);
        if (r < 0)
                return number_error(b, diag, line, r, info->key, value, info->min, info->max);
        b->sysctl[id] = (SysctlSetting) { .set = true, .value = v, .origin = here(b, line) };
        return 0;
}

static int on_daemon(PolicyBuilder *b, DiagList *diag, unsigned line, const char *key, const char *value) {
        DaemonSettings *s = &b->daemon;
        DaemonKey k;
        int64_t v;
        int r;

        for (k = 0; k < _DAEMON_KEY_MAX; k++)
                if (strcmp(key, daemon_key_to_string(k)) == 0)
                        break;
        if (k == _DAEMON_KEY_MAX)
                return builder_error(b, diag, line,
                                     "unknown key '%s' in [daemon] (expected rescan_interval, self_oom_score_adj, "
                                     "default_oom_score_adj, log_level, metrics_file, watch_kernel_log or restore_on_exit)",
                                     key);
        if (!*value)
                return builder_error(b, diag, line, "empty value for '%s'", key);

        switch (k) {
        case DAEMON_KEY_RESCAN_INTERVAL:
                r = parse_int64_range(value, 0, RESCAN_INTERVAL_MAX, &v);
                if (r < 0)
                        return number_error(b, diag, line, r, key, value, 0, RESCAN_INTERVAL_MAX);
                s->rescan_interval_sec = (uint64_t) v;
                break;
        case DAEMON_KEY_SELF_OOM_SCORE_ADJ:
                r = parse_adj(b, diag, line, key, value, &s->self_oom_score_adj);
                if (r < 0)
                        return r == -EINVAL ? 0 : r;
                break;
        case DAEMON_KEY_DEFAULT_OOM_SCORE_ADJ:
                r = parse_adj(b, diag, line, key, value, &s->default_oom_score_adj);
                if (r < 0)
                        return r == -EINVAL ? 0 : r;
                break;
        case DAEMON_KEY_LOG_LEVEL:
                r = parse_log_level(value);
                if (r < 0)
                        return builder_error(b, diag, line,
                                             "invalid log_level '%s' (expected emerg, alert, crit, err, warning, notice, info or debug)",
                                             value);
                s->log_level = r;
                break;
        case DAEMON_KEY_METRICS_FILE:
                if (value[0] != '/')
                        return builder_error(b, diag, line, "metrics_file '%s' is not an absolute path", value);
                free(s->metrics_file);
                s->metrics_file = strdup(value);
                if (!s->metrics_file)
                        return -ENOMEM;
                break;
        case DAEMON_KEY_WATCH_KERNEL_LOG:
        case DAEMON_KEY_RESTORE_ON_EXIT:
                r = parse_boolean(value);
                if (r < 0)
                        return builder_error(b, diag, line, "invalid boolean '%s' for '%s' (expected yes or no)", value, key);
                if (k == DAEMON_KEY_WATCH_KERNEL_LOG)
                        s->watch_kernel_log = r;
                else
                        s->restore_on_exit = r;
                break;
        default:
                return -EINVAL;
        }
        s->origin[k] = here(b, line);
        return 0;
}

static int on_rule_key(PolicyBuilder *b, DiagList *diag, unsigned line, const char *key, const char *value) {
        RuleDraft *d = b->draft;
        Rule *rule = &d->rule;
        RuleKey k;
        int r = 0;

        for (k = 0; k < _RULE_KEY_MAX; k++)
                if (strcmp(key, rule_key_to_string(k)) == 0)
                        break;
        if (k == _RULE_KEY_MAX && strcmp(key, "oom_adj") == 0)
                k = RULE_KEY_OOM_SCORE_ADJ;
        if (k == _RULE_KEY_MAX)
                return builder_error(b, diag, line,
                                     "unknown key '%s' in [rule:%s] (expected name, exe, cmdline, user, cgroup, "
                                     "oom_score_adj, oom_adj, children or oomd_preference)",
                                     key, rule->name);

        switch (k) {
        case RULE_KEY_NAME:
                r = parse_globs(b, diag, line, k, value, &rule->names);
                break;
        case RULE_KEY_EXE:
                r = parse_globs(b, diag, line, k, value, &rule->exes);
                break;
        case RULE_KEY_CMDLINE:
                r = parse_globs(b, diag, line, k, value, &rule->cmdlines);
                break;
        case RULE_KEY_CGROUP:
                r = parse_globs(b, diag, line, k, value, &rule->cgroups);
                break;
        case RULE_KEY_USER:
                r = parse_users(b, diag, line, value, rule);
                break;
        case RULE_KEY_OOM_SCORE_ADJ:
                if (strcmp(key, "oom_adj") == 0) {
                        int legacy;

                        r = parse_int_range(value, -17, 15, &legacy);
                        if (r < 0) {
                                r = number_error(b, diag, line, r, key, value, -17, 15) ?: -EINVAL;
                                break;
                        }
                        rule->oom_score_adj = oom_adj_to_score_adj(legacy);
                } else
                        r = parse_adj(b, diag, line, key, value, &rule->oom_score_adj);
                break;
        case RULE_KEY_CHILDREN:
                if (strcmp(value, "inherit") == 0)
                        rule->children = CHILDREN_INHERIT;
                else if (strcmp(value, "reset") == 0)
                        rule->children = CHILDREN_RESET;
                else if (!*value)
                        r = builder_error(b, diag, line, "empty value for 'children'") ?: -EINVAL;
                else
                        r = builder_error(b, diag, line, "invalid value '%s' for 'children' (expected inherit or reset)",
                                          value) ?: -EINVAL;
                break;
        case RULE_KEY_OOMD_PREFERENCE: {
                int pref;

                if (!*value) {
                        r = builder_error(b, diag, line, "empty value for 'oomd_preference'") ?: -EINVAL;
                        break;
                }
                pref = oomd_preference_from_string(value);
                if (pref < 0)
                        r = builder_error(b, diag, line,
                                          "invalid value '%s' for 'oomd_preference' (expected avoid or omit)",
                                          value) ?: -EINVAL;
                else
                        rule->oomd_preference = (OomdPreference) pref;
                break;
        }
        default:
                return -EINVAL;
        }
        if (r == -EINVAL) {
                d->broken = true;
                return 0;
        }
        if (r < 0)
                return r;
        rule->key_origin[k] = here(b, line);
        return 0;
}

static int on_short_form(PolicyBuilder *b, DiagList *diag, unsigned line, const char *glob, const char *value) {
        const char *problem = glob_check(glob);
        RuleDraft *d;
        int adj, r;

        if (problem)
                return builder_error(b, diag, line, "glob '%s' %s", glob, problem);
        r = parse_adj(b, diag, line, glob, value, &adj);
        if (r < 0)
                return r == -EINVAL ? 0 : r;

        r = get_draft(b, glob, true, line, &d);
        if (r < 0)
                return r;
        strv_free(d->rule.names);
        d->rule.names = NULL;
        r = strv_extend(&d->rule.names, glob);
        if (r < 0)
                return r;
        d->rule.oom_score_adj = adj;
        d->rule.key_origin[RULE_KEY_NAME] = d->rule.key_origin[RULE_KEY_OOM_SCORE_ADJ] = here(b, line);
        return 0;
}

static int check_duplicate(PolicyBuilder *b, DiagList *diag, unsigned line, const char *key) {
        _cleanup_free_ char *id = NULL;
        const char *canonical = key;
        uintptr_t first;

        /* oom_adj and oom_score_adj set the same thing, and so do a sysctl's two spellings. */
        if (b->section_kind == SECTION_RULE && strcmp(key, "oom_adj") == 0)
                canonical = "oom_score_adj";
        if (b->section_kind == SECTION_SYSCTL && sysctl_from_key(key) >= 0)
                canonical = sysctl_info(sysctl_from_key(key))->key;
        if (asprintf(&id, "%s\n%s", b->section_name, canonical) < 0)
                return -ENOMEM;
        first = (uintptr_t) hashmap_get(b->seen_keys, id);
        if (first > 0) {
                (void) builder_error(b, diag, line, "duplicate key '%s' in [%s] (already set at line %u)", key,
                                     b->section_name, (unsigned) first);
                return 1;
        }
        return hashmap_put(b->seen_keys, id, (void *) (uintptr_t) line);
}

static int on_assignment(void *userdata, const char *file, unsigned line, const char *section, const char *key,
                         const char *value) {
        void **ctx = userdata;
        PolicyBuilder *b = ctx[0];
        DiagList *diag = ctx[1];
        int r;

        if (b->section_kind == SECTION_NONE)
                return 0;

        r = check_duplicate(b, diag, line, key);
        if (r != 0)
                return r < 0 ? r : 0;

        switch (b->section_kind) {
        case SECTION_SYSCTL:
                return on_sysctl(b, diag, line, key, value);
        case SECTION_SHORT_FORM:
                return on_short_form(b, diag, line, key, value);
        case SECTION_RULE:
                return on_rule_key(b, diag, line, key, value);
        case SECTION_DAEMON:
                return on_daemon(b, diag, line, key, value);
        default:
                return 0;
        }
}

int policy_builder_add_file(PolicyBuilder *b, const char *file, const char *content, size_t len, DiagList *diag) {
        static const IniCallbacks callbacks = {
                .section = on_section,
                .assignment = on_assignment,
        };
        void *ctx[2] = { b, diag };
        size_t n;
        int r;

        assert(b);
        assert(file);
        assert(diag);

        r = strv_extend(&b->files, file);
        if (r < 0)
                return r;
        n = strv_length(b->files);
        b->file = b->files[n - 1];
        b->section_kind = SECTION_NONE;
        b->draft = NULL;
        b->seen_keys = hashmap_free(b->seen_keys);
        r = hashmap_new(NULL, &b->seen_keys);
        if (r < 0)
                return r;
        if (!content)
                return 0;
        return ini_parse_buffer(b->file, content, len, &callbacks, ctx, diag);
}

static int compare_draft_order(const void *a, const void *b) {
        const RuleDraft *x = *(RuleDraft *const *) a, *y = *(RuleDraft *const *) b;

        return x->order < y->order ? -1 : x->order > y->order;
}

int policy_builder_finish(PolicyBuilder *b, Policy **ret, DiagList *diag) {
        _cleanup_policy_ Policy *p = NULL;
        int r = 0;

        assert(b);
        assert(ret);
        assert(diag);

        for (size_t i = 0; i < b->n_drafts; i++) {
                const RuleDraft *d = b->drafts[i];

                /* A key that failed to parse was reported already; "sets no
                 * oom_score_adj" on top of "value ... is out of range" would mislead. */
                if (d->broken)
                        continue;
                r = rule_validate(&d->rule, d->first_origin, diag);
                if (r < 0)
                        return r;
        }
        r = sysctl_settings_validate(b->sysctl, diag);
        if (r < 0)
                return r;

        /* Nothing of a policy with any error may be used. */
        if (diag->n_errors > 0)
                return -EINVAL;

        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->rules = calloc(b->n_drafts ?: 1, sizeof(Rule));
        if (!p->rules)
                return -ENOMEM;

        /* qsort() must not see the NULL array of a policy without rules. */
        if (b->n_drafts > 0)
                qsort(b->drafts, b->n_drafts, sizeof(RuleDraft *), compare_draft_order);
        for (size_t i = 0; i < b->n_drafts; i++) {
                p->rules[p->n_rules++] = b->drafts[i]->rule;
                b->drafts[i]->rule = (Rule) {};
        }
        memcpy(p->sysctl, b->sysctl, sizeof(p->sysctl));
        p->daemon = b->daemon;
        b->daemon.metrics_file = NULL;
        /* Origins point at these strings, which keep their addresses. */
        p->files = TAKE_PTR(b->files);

        r = policy_build_index(p);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(p);
        return 0;
}
