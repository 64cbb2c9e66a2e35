/* SPDX-License-Identifier: MIT */
#include "daemon/oom-kill-note.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

int64_t oom_event_victim_rss_kb(const OomEvent *e) {
        assert(e);
        const int64_t parts[] = { e->anon_rss_kb, e->file_rss_kb, e->shmem_rss_kb };
        int64_t sum = OOM_UNSET;

        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                if (parts[i] != OOM_UNSET)
                        sum = (sum == OOM_UNSET ? 0 : sum) + parts[i];
        return sum;
}

static int add_field(OomKillNote *n, size_t *pos, const char *fmt, ...) _printf_(3, 4);
static int add_field(OomKillNote *n, size_t *pos, const char *fmt, ...) {
        va_list ap;
        int r;

        if (*pos >= OOM_KILL_NOTE_FIELDS_MAX)
                return -ENOBUFS;
        va_start(ap, fmt);
        r = vasprintf(&n->fields[*pos], fmt, ap);
        va_end(ap);
        if (r < 0) {
                n->fields[*pos] = NULL;
                return -ENOMEM;
        }
        (*pos)++;
        return 0;
}

static int add_number(OomKillNote *n, size_t *pos, const char *key, int64_t value) {
        return value == OOM_UNSET ? 0 : add_field(n, pos, "%s=%" PRId64, key, value);
}

static int add_string(OomKillNote *n, size_t *pos, const char *key, const char *value) {
        return value ? add_field(n, pos, "%s=%s", key, value) : 0;
}

static int build_fields(const OomEvent *e, const KillAttribution *a, OomKillNote *n) {
        const char *scope = oom_scope_to_string(e->scope);
        size_t pos = 0;
        int r;

        r = add_number(n, &pos, "OOMPOLICY_VICTIM_PID", e->victim_pid);
        r = r ?: add_string(n, &pos, "OOMPOLICY_VICTIM_COMM", e->victim_comm);
        r = r ?: add_number(n, &pos, "OOMPOLICY_VICTIM_UID", e->victim_uid);
        r = r ?: add_number(n, &pos, "OOMPOLICY_VICTIM_RSS_KB", oom_event_victim_rss_kb(e));
        r = r ?: add_number(n, &pos, "OOMPOLICY_VICTIM_OOM_SCORE_ADJ", e->victim_oom_score_adj);
        r = r ?: add_string(n, &pos, "OOMPOLICY_VICTIM_SCOPE", scope);
        r = r ?: add_string(n, &pos, "OOMPOLICY_VICTIM_MEMCG", e->task_memcg);
        r = r ?: add_string(n, &pos, "OOMPOLICY_TRIGGER_COMM", e->trigger_comm);
        r = r ?: add_string(n, &pos, "OOMPOLICY_KERNEL_TIMESTAMP", e->timestamp);
        /* The rule's name is OOMPOLICY_RULE (src/daemon/log.c); these let
         * oompolicyctl events show the rule of a kill of an earlier boot, when
         * the policy may have changed since. */
        if (a && a->rule) {
                r = r ?: add_number(n, &pos, "OOMPOLICY_RULE_OOM_SCORE_ADJ", a->rule_adj);
                r = r ?: add_string(n, &pos, "OOMPOLICY_RULE_ORIGIN", a->origin);
        }
        return r;
}

static void format_number(char buf[static 24], int64_t v) {
        if (v == OOM_UNSET)
                strcpy(buf, "?");
        else
                (void) snprintf(buf, 24, "%" PRId64, v);
}

int oom_kill_note_build(const OomEvent *e, const KillAttribution *a, OomKillNote *ret) {
        char pid[24], uid[24], rss[24], adj[24];
        _cleanup_free_ char *where = NULL, *governed = NULL;
        OomKillNote n = { .level = LOG_NOTICE };
        int r;

        assert(e && ret);
        format_number(pid, e->victim_pid);
        format_number(uid, e->victim_uid);
        format_number(rss, oom_event_victim_rss_kb(e));
        format_number(adj, e->victim_oom_score_adj);

        if (e->scope == OOM_SCOPE_MEMCG)
                r = asprintf(&where, "memory cgroup %s", e->task_memcg ?: "?");
        else
                r = asprintf(&where, "system-wide");
        if (r < 0)
                return -ENOMEM;

        n.protected_victim = a && a->rule && a->rule_adj < 0;
        if (!a || !a->rule)
                r = asprintf(&governed, "no rule governed it");
        else if (!n.protected_victim)
                r = asprintf(&governed, "rule %s (oom_score_adj %d%s%s)", a->rule, a->rule_adj, a->origin ? ", " : "",
                             a->origin ?: "");
        else if (e->victim_oom_score_adj == a->rule_adj)
                r = asprintf(&governed, "KILLED DESPITE rule %s protecting it with oom_score_adj %d%s%s", a->rule,
                             a->rule_adj, a->origin ? " at " : "", a->origin ?: "");
        else
                r = asprintf(&governed, "KILLED although rule %s%s%s wants oom_score_adj %d for it: the value was "
                             "not in place (see earlier errors; lowering it needs CAP_SYS_RESOURCE)",
                             a->rule, a->origin ? " at " : "", a->origin ?: "", a->rule_adj);
        if (r < 0)
                return -ENOMEM;
        if (n.protected_victim)
                n.level = LOG_WARNING;

        r = asprintf(&n.message, "OOM kill (%s): pid %s (%s) uid %s, rss %s kB, oom_score_adj %s; %s.", where, pid,
                     e->victim_comm ?: "?", uid, rss, adj, governed);
        if (r < 0) {
                n.message = NULL;
                return -ENOMEM;
        }
        r = build_fields(e, a, &n);
        if (r < 0) {
                oom_kill_note_done(&n);
                return r;
        }
        *ret = n;
        return 0;
}

void oom_kill_note_done(OomKillNote *n) {
        assert(n);
        free(n->message);
        for (size_t i = 0; i < ELEMENTSOF(n->fields); i++)
                free(n->fields[i]);
        *n = (OomKillNote) {};
}
