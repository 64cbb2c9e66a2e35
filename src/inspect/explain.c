/* SPDX-License-Identifier: MIT */
#include "inspect/explain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"
#include "shared/strv.h"

static char *const *rule_globs(const Rule *rule, RuleKey key) {
        switch (key) {
        case RULE_KEY_NAME:
                return rule->names;
        case RULE_KEY_EXE:
                return rule->exes;
        case RULE_KEY_CMDLINE:
                return rule->cmdlines;
        case RULE_KEY_CGROUP:
                return rule->cgroups;
        case RULE_KEY_USER:
                return rule->user_names;
        default:
                return NULL;
        }
}

/* The glob the matcher recorded for key, when showing it tells more than the
 * value itself does. */
static const char *shown_glob(const RuleMatch *m, RuleKey key, const char *value) {
        const char *glob = m->matched_glob[key];

        return glob && !streq(glob, value) ? glob : NULL;
}

static int format_value(RuleKey key, const char *value, char **ret) {
        /* Names and command lines may hold blanks: quote them. */
        if (key == RULE_KEY_NAME || key == RULE_KEY_CMDLINE)
                return asprintf(ret, "\"%s\"", value) < 0 ? -ENOMEM : 0;
        *ret = strdup(value);
        return *ret ? 0 : -ENOMEM;
}

static int explain_user(const Rule *rule, QualifierResult res, const ProcInfo *info, char **ret) {
        _cleanup_free_ char *users = strv_join(rule->user_names, " or ");

        if (!users)
                return -ENOMEM;
        if (res == QUALIFIER_UNKNOWN)
                return asprintf(ret, "user: unknown (/proc/%d/status is not readable), so no match", (int) info->pid) < 0 ?
                       -ENOMEM : 0;
        return asprintf(ret, "user: process uid %u %s %s", (unsigned) info->uid,
                        res == QUALIFIER_MATCHED ? "is" : "is not", users) < 0 ? -ENOMEM : 0;
}

static int explain_name(const Rule *rule, const RuleMatch *m, const ProcInfo *info, char **ret) {
        _cleanup_free_ char *globs = strv_join(rule->names, " "), *quoted = NULL;
        const char *names[3];
        size_t n = proc_info_names(info, names);
        size_t len = 0;

        if (!globs)
                return -ENOMEM;
        if (m->result[RULE_KEY_NAME] == QUALIFIER_MATCHED) {
                const char *glob = shown_glob(m, RULE_KEY_NAME, m->matched_value);

                return asprintf(ret, "name: \"%s\" matched%s%s", m->matched_value, glob ? " " : "", glob ?: "") < 0 ?
                       -ENOMEM : 0;
        }

        /* Every name the process has, so that a 15-character comm shows what else was tried. */
        for (size_t i = 0; i < n; i++)
                len += strlen(names[i]) + 4;
        quoted = malloc(len + 1);
        if (!quoted)
                return -ENOMEM;
        quoted[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(quoted, ", ");
                strcat(quoted, "\"");
                strcat(quoted, names[i]);
                strcat(quoted, "\"");
        }
        return asprintf(ret, "name: %s %s %s", quoted, n > 1 ? "do not match" : "does not match", globs) < 0 ?
               -ENOMEM : 0;
}

static const char *proc_file_of(RuleKey key) {
        switch (key) {
        case RULE_KEY_EXE:
                return "exe";
        case RULE_KEY_CMDLINE:
                return "cmdline";
        default:
                return "cgroup";
        }
}

static const char *proc_value_of(const ProcInfo *info, RuleKey key) {
        switch (key) {
        case RULE_KEY_EXE:
                return info->exe;
        case RULE_KEY_CMDLINE:
                return info->cmdline;
        default:
                return info->cgroup;
        }
}

int explain_qualifier(const Rule *rule, RuleKey key, const RuleMatch *m, const ProcInfo *info, char **ret) {
        _cleanup_free_ char *globs = NULL, *value = NULL;
        char *const *list;
        QualifierResult res;
        int r;

        if (!rule || !m || !info || !ret || key >= RULE_KEY_OOM_SCORE_ADJ)
                return -EINVAL;
        res = m->result[key];
        list = rule_globs(rule, key);
        if (res == QUALIFIER_ABSENT || !list) {
                *ret = NULL;
                return 0;
        }
        if (key == RULE_KEY_USER)
                return explain_user(rule, res, info, ret);
        if (key == RULE_KEY_NAME)
                return explain_name(rule, m, info, ret);

        if (res == QUALIFIER_UNKNOWN || !proc_value_of(info, key))
                return asprintf(ret, "%s: unknown (/proc/%d/%s is not readable), so no match", rule_key_to_string(key),
                                (int) info->pid, proc_file_of(key)) < 0 ? -ENOMEM : 0;

        r = format_value(key, proc_value_of(info, key), &value);
        if (r < 0)
                return r;
        if (res == QUALIFIER_MATCHED) {
                const char *glob = shown_glob(m, key, proc_value_of(info, key));

                return asprintf(ret, "%s: %s matched%s%s", rule_key_to_string(key), value, glob ? " " : "", glob ?: "") < 0 ?
                       -ENOMEM : 0;
        }
        globs = strv_join(list, " ");
        if (!globs)
                return -ENOMEM;
        return asprintf(ret, "%s: %s does not match %s", rule_key_to_string(key), value, globs) < 0 ? -ENOMEM : 0;
}
