/* SPDX-License-Identifier: MIT */
#include "policy/policy.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "shared/hashmap.h"
#include "proc/proc-info.h"
#include "shared/strv.h"

static const char *const rule_key_names[_RULE_KEY_MAX] = {
        [RULE_KEY_NAME] = "name",
        [RULE_KEY_EXE] = "exe",
        [RULE_KEY_CMDLINE] = "cmdline",
        [RULE_KEY_USER] = "user",
        [RULE_KEY_CGROUP] = "cgroup",
        [RULE_KEY_OOM_SCORE_ADJ] = "oom_score_adj",
        [RULE_KEY_CHILDREN] = "children",
        [RULE_KEY_OOMD_PREFERENCE] = "oomd_preference",
};

static const char *const daemon_key_names[_DAEMON_KEY_MAX] = {
        [DAEMON_KEY_RESCAN_INTERVAL] = "rescan_interval",
        [DAEMON_KEY_SELF_OOM_SCORE_ADJ] = "self_oom_score_adj",
        [DAEMON_KEY_DEFAULT_OOM_SCORE_ADJ] = "default_oom_score_adj",
        [DAEMON_KEY_LOG_LEVEL] = "log_level",
        [DAEMON_KEY_METRICS_FILE] = "metrics_file",
        [DAEMON_KEY_WATCH_KERNEL_LOG] = "watch_kernel_log",
        [DAEMON_KEY_RESTORE_ON_EXIT] = "restore_on_exit",
};

static const char *const children_mode_names[_CHILDREN_MODE_MAX] = {
        [CHILDREN_INHERIT] = "inherit",
        [CHILDREN_RESET] = "reset",
};

static const char *const oomd_preference_names[_OOMD_PREFERENCE_MAX] = {
        [OOMD_PREFERENCE_AVOID] = "avoid",
        [OOMD_PREFERENCE_OMIT] = "omit",
};

const char *oomd_preference_to_string(OomdPreference p) {
        return p > OOMD_PREFERENCE_UNSET && p < _OOMD_PREFERENCE_MAX ? oomd_preference_names[p] : NULL;
}

int oomd_preference_from_string(const char *s) {
        assert(s);
        for (OomdPreference p = OOMD_PREFERENCE_UNSET + 1; p < _OOMD_PREFERENCE_MAX; p++)
                if (strcmp(s, oomd_preference_names[p]) == 0)
                        return p;
        return -EINVAL;
}

const char *rule_key_to_string(RuleKey k) {
        return k >= 0 && k < _RULE_KEY_MAX ? rule_key_names[k] : NULL;
}

const char *daemon_key_to_string(DaemonKey k) {
        return k >= 0 && k < _DAEMON_KEY_MAX ? daemon_key_names[k] : NULL;
}

const char *children_mode_to_string(ChildrenMode m) {
        return m >= 0 && m < _CHILDREN_MODE_MAX ? children_mode_names[m] : NULL;
}

/* ---- globs ---- */

bool glob_is_literal(const char *glob) {
        return !strpbrk(glob, "*?[\\");
}

const char *glob_check(const char *glob) {
        for (const char *p = glob; *p; p++) {
                if (*p == '\\') {
                        if (!p[1])
                                return "ends in a lone backslash";
                        p++;
                } else if (*p == '[') {
                        /* fnmatch() would silently treat an unclosed '[' as a literal. */
                        const char *q = p + 1;

                        if (*q == '!' || *q == '^')
                                q++;
                        if (*q == ']')
                                q++;
                        while (*q && *q != ']')
                                q++;
                        if (!*q)
                                return "has an unbalanced '['";
                        p = q;
                }
        }
        return NULL;
}


/* ---- the policy and its index ---- */

struct NameIndex {
        Hashmap *map;   /* name -> IndexEntry */
};

typedef struct IndexEntry {
        size_t n;
        size_t rules[];  /* strongest first */
} IndexEntry;

struct ScanNames {
        size_t *start;        /* per scan rule: its first glob in `globs`, SIZE_MAX when it has no names */
        const char **globs;   /* each scan rule's name globs, then NULL; pointing into `text` */
        char *text;
};

static int free_index_entry(const char *key, void *value, void *userdata) {
        free(value);
        return 0;
}

void rule_done(Rule *r) {
        assert(r);

        free(r->name);
        strv_free(r->names);
        strv_free(r->exes);
        strv_free(r->cmdlines);
        strv_free(r->cgroups);
        strv_free(r->user_names);
        free(r->uids);
}

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_rules; i++)
                rule_done(&p->rules[i]);
        free(p->rules);
        if (p->name_index) {
                (void) hashmap_foreach(p->name_index->map, free_index_entry, NULL);
                hashmap_free(p->name_index->map);
                free(p->name_index);
        }
        free(p->scan_rules);
        if (p->scan_names) {
                free(p->scan_names->start);
                free(p->scan_names->globs);
                free(p->scan_names->text);
                free(p->scan_names);
        }
        free(p->daemon.metrics_file);
        strv_free(p->files);
        free(p);
        return NULL;
}

const size_t *policy_rules_for_name(const Policy *p, const char *name, size_t *ret_n) {
        const IndexEntry *e = p->name_index ? hashmap_get(p->name_index->map, name) : NULL;

        *ret_n = e ? e->n : 0;
        return e ? e->rules : NULL;
}

const char *const *policy_scan_names(const Policy *p, size_t i) {
        size_t start = p->scan_names->start[i];

        return start == SIZE_MAX ? NULL : p->scan_names->globs + start;
}

/* ---- validation ---- */

void daemon_settings_init_default(DaemonSettings *s) {
        assert(s);

        *s = (DaemonSettings) {
                .rescan_interval_sec = 300,
                .self_oom_score_adj = OOM_SCORE_ADJ_MIN,
                .default_oom_score_adj = 0,
                .log_level = LOG_INFO,
                .watch_kernel_log = true,
                .restore_on_exit = false,
        };
}

static bool rule_key_set(const Rule *rule, RuleKey k) {
        return rule->key_origin[k].file != NULL;
}

int rule_validate(const Rule *rule, Origin where, DiagList *diag) {
        const char *what;

        assert(rule);
        assert(diag);

        what = rule->short_form ? "[oom_score_adj] entry" : "rule";
        if (!rule_key_set(rule, RULE_KEY_NAME) && !rule_key_set(rule, RULE_KEY_EXE) &&
            !rule_key_set(rule, RULE_KEY_CMDLINE) && !rule_key_set(rule, RULE_KEY_CGROUP)) {
                int r = diag_error(diag, where.file, where.line,
                                   "%s '%s' needs at least one of name, exe, cmdline or cgroup (user alone would "
                                   "match every process of that user)", what, rule->name);
                if (r < 0)
                        return r;
        }
        if (!rule_key_set(rule, RULE_KEY_OOM_SCORE_ADJ))
                return diag_error(diag, where.file, where.line, "%s '%s' sets no oom_score_adj", what, rule->name);
        return 0;
}

int sysctl_settings_validate(const SysctlSetting sysctl[_SYSCTL_MAX], DiagList *diag) {
        const SysctlSetting *ratio, *kbytes;

        assert(sysctl);
        assert(diag);

        ratio = &sysctl[SYSCTL_OVERCOMMIT_RATIO];
        kbytes = &sysctl[SYSCTL_OVERCOMMIT_KBYTES];
        if (ratio->set && kbytes->set)
                return diag_error(diag, kbytes->origin.file, kbytes->origin.line,
                                  "vm.overcommit_kbytes and vm.overcommit_ratio (set at %s:%u) exclude each other: "
                                  "writing one makes the kernel zero the other; set only one",
                                  ratio->origin.file, ratio->origin.line);
        return 0;
}

/* ---- what the matcher reads ---- */

static unsigned rule_proc_fields(const Rule *r) {
        unsigned f = 0;

        if (r->uids)
                f |= PROC_FIELD_UID;
        if (r->exes)
                f |= PROC_FIELD_EXE;
        if (r->cmdlines)
                f |= PROC_FIELD_CMDLINE;
        if (r->cgroups)
                f |= PROC_FIELD_CGROUP;
        return f;
}

static bool rule_is_indexable(const Rule *r) {
        if (!r->names)
                return false;
        for (char **n = r->names; *n; n++)
                if (!glob_is_literal(*n))
                        return false;
        return true;
}

static int build_index(Policy *p) {
        Hashmap *map;
        size_t n_scan = 0;
        int r;

        /* Owned by p at once, so policy_free() cleans up after a failure here. Values
         * are freed by free_index_entry(): an entry moves on realloc, so the map
         * itself must not free on replace. */
        p->name_index = calloc(1, sizeof(NameIndex));
        if (!p->name_index)
                return -ENOMEM;
        r = hashmap_new(NULL, &p->name_index->map);
        if (r < 0)
                return r;
        map = p->name_index->map;
        p->scan_rules = calloc(p->n_rules ?: 1, sizeof(size_t));
        if (!p->scan_rules)
                return -ENOMEM;

        /* Walk strongest first so every list comes out ordered. */
        for (size_t i = p->n_rules; i-- > 0;) {
                const Rule *rule = &p->rules[i];

                if (!rule_is_indexable(rule)) {
                        p->scan_rules[n_scan++] = i;
                        continue;
                }
                for (char **n = rule->names; *n; n++) {
                        IndexEntry *e = hashmap_get(map, *n), *grown;

                        if (e && e->rules[e->n - 1] == i)
                                continue;   /* the same name twice in one rule */
                        grown = realloc(e, sizeof(IndexEntry) + ((e ? e->n : 0) + 1) * sizeof(size_t));
                        if (!grown)
                                return -ENOMEM;
                        if (!e)
                                grown->n = 0;
                        grown->rules[grown->n++] = i;
                        r = hashmap_put(map, *n, grown);
                        if (r < 0) {
                                free(grown);
                                return r;
                        }
                }
        }
        p->n_scan_rules = n_scan;
        return 0;
}

static int build_scan_names(Policy *p) {
        size_t n_globs = 0, text_size = 0, g = 0, t = 0;
        ScanNames *s;

        for (size_t i = 0; i < p->n_scan_rules; i++) {
                const Rule *rule = &p->rules[p->scan_rules[i]];

                if (!rule->names)
                        continue;
                for (char **n = rule->names; *n; n++) {
                        n_globs++;
                        text_size += strlen(*n) + 1;
                }
                n_globs++;   /* the terminating NULL */
        }

        /* Owned by p at once, so policy_free() cleans up after a failure here. */
        s = p->scan_names = calloc(1, sizeof(ScanNames));
        if (!s)
                return -ENOMEM;
        s->start = calloc(p->n_scan_rules ?: 1, sizeof(size_t));
        s->globs = calloc(n_globs ?: 1, sizeof(const char *));
        s->text = malloc(text_size ?: 1);
        if (!s->start || !s->globs || !s->text)
                return -ENOMEM;

        for (size_t i = 0; i < p->n_scan_rules; i++) {
                const Rule *rule = &p->rules[p->scan_rules[i]];

                if (!rule->names) {
                        s->start[i] = SIZE_MAX;
                        continue;
                }
                s->start[i] = g;
                for (char **n = rule->names; *n; n++) {
                        size_t len = strlen(*n) + 1;

                        memcpy(s->text + t, *n, len);
                        s->globs[g++] = s->text + t;
                        t += len;
                }
                s->globs[g++] = NULL;
        }
        return 0;
}

int policy_build_index(Policy *p) {
        int r;

        assert(p);

        for (size_t i = 0; i < p->n_rules; i++) {
                Rule *rule = &p->rules[i];

                rule->index = i;
                rule->proc_fields = rule_proc_fields(rule);
                p->proc_fields |= rule->proc_fields;
        }
        r = build_index(p);
        if (r < 0)
                return r;
        return build_scan_names(p);
}
