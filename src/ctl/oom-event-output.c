/* SPDX-License-Identifier: MIT */
#include "ctl/oom-event-output.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/events-time.h"
#include "shared/json-util.h"
#include "shared/macro.h"
#include "shared/string-util.h"

static json_object *json_int_or_null(int64_t v) {
        return v == OOM_UNSET ? NULL : json_object_new_int64(v);
}

/* json_object_object_add() takes NULL as JSON null, so only a failed allocation of
 * a non-NULL value needs catching. */
static int json_add(json_object *o, const char *key, json_object *v, bool want_value) {
        if (want_value && !v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int json_add_int(json_object *o, const char *key, int64_t v) {
        return json_add(o, key, json_int_or_null(v), v != OOM_UNSET);
}

static int json_add_string(json_object *o, const char *key, const char *s) {
        return json_add(o, key, json_string_new(s), !!s);
}

static json_object *task_row_to_json(const OomTaskRow *t) {
        json_object *o;

        o = json_object_new_object();
        if (!o)
                return NULL;
        if (json_add_int(o, "pid", t->pid) < 0 ||
            json_add_int(o, "uid", t->uid) < 0 ||
            json_add_int(o, "tgid", t->tgid) < 0 ||
            json_add_int(o, "total_vm", t->total_vm) < 0 ||
            json_add_int(o, "rss", t->rss) < 0 ||
            json_add_int(o, "rss_anon", t->rss_anon) < 0 ||
            json_add_int(o, "rss_file", t->rss_file) < 0 ||
            json_add_int(o, "rss_shmem", t->rss_shmem) < 0 ||
            json_add_int(o, "pgtables_bytes", t->pgtables_bytes) < 0 ||
            json_add_int(o, "nr_ptes", t->nr_ptes) < 0 ||
            json_add_int(o, "swapents", t->swapents) < 0 ||
            json_add_int(o, "oom_score_adj", t->oom_score_adj) < 0 ||
            json_add_string(o, "name", t->name) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static json_object *tasks_to_json(const OomEvent *e) {
        json_object *a;

        a = json_object_new_array_ext((int) MIN(e->n_tasks, (size_t) INT32_MAX));
        if (!a)
                return NULL;
        for (size_t i = 0; i < e->n_tasks; i++) {
                json_object *t = task_row_to_json(&e->tasks[i]);

                if (!t || json_object_array_add(a, t) < 0) {
                        json_object_put(t);
                        json_object_put(a);
                        return NULL;
                }
        }
        return a;
}

static json_object *rule_to_json(const KillRule *r) {
        json_object *o;

        o = json_object_new_object();
        if (!o)
                return NULL;
        if (json_add_string(o, "name", r->name) < 0 ||
            json_add_string(o, "origin", r->origin) < 0 ||
            json_add_int(o, "oom_score_adj", r->oom_score_adj) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

static int add_times(json_object *o, const OomEvent *e) {
        char buf[40];
        bool have_rt = events_format_rfc3339(e->time.realtime_usec, buf) >= 0;

        if (json_add_string(o, "time", have_rt ? buf : NULL) < 0)
                return -ENOMEM;
        if (e->time.kernel_usec == OOM_TIME_UNSET)
                return json_add(o, "kernel_time", NULL, false);
        /* Given as text too, so the number prints as the kernel's stamp does
         * ("1234.567890"), not as the nearest double. */
        (void) snprintf(buf, sizeof(buf), "%" PRIu64 ".%06" PRIu64, e->time.kernel_usec / 1000000,
                        e->time.kernel_usec % 1000000);
        return json_add(o, "kernel_time", json_object_new_double_s((double) e->time.kernel_usec / 1e6, buf), true);
}

json_object *oom_event_to_json(const OomEvent *e, const OomEventContext *c, bool with_tasks) {
        const KillRule *rule = c && c->rule && c->rule->name ? c->rule : NULL;
        json_object *o;
        bool rows;

        assert(e);

        o = json_object_new_object();
        if (!o)
                return NULL;

        if (add_times(o, e) < 0 ||
            json_add(o, "kill", json_object_new_boolean(e->has_kill), true) < 0 ||
            json_add(o, "no_killable", json_object_new_boolean(e->no_killable), true) < 0 ||
            json_add_string(o, "source", c ? c->source : NULL) < 0 ||
            json_add_string(o, "boot_id", c ? c->boot_id : NULL) < 0 ||
            json_add(o, "rule", rule ? rule_to_json(rule) : NULL, !!rule) < 0 ||
            json_add_string(o, "timestamp", e->timestamp) < 0 ||
            json_add_string(o, "trigger_comm", e->trigger_comm) < 0 ||
            json_add_int(o, "trigger_pid", e->trigger_pid) < 0 ||
            json_add_string(o, "gfp_mask", e->gfp_mask) < 0 ||
            json_add_int(o, "order", e->order) < 0 ||
            json_add_int(o, "trigger_oom_score_adj", e->trigger_oom_score_adj) < 0 ||
            json_add_int(o, "trigger_oom_adj", e->trigger_oom_adj) < 0 ||
            json_add_string(o, "constraint", e->constraint) < 0 ||
            json_add_string(o, "scope", oom_scope_to_string(e->scope)) < 0 ||
            json_add_string(o, "task_memcg", e->task_memcg) < 0 ||
            json_add_int(o, "victim_pid", e->victim_pid) < 0 ||
            json_add_string(o, "victim_comm", e->victim_comm) < 0 ||
            json_add_int(o, "victim_uid", e->victim_uid) < 0 ||
            json_add_int(o, "total_vm_kb", e->total_vm_kb) < 0 ||
            json_add_int(o, "anon_rss_kb", e->anon_rss_kb) < 0 ||
            json_add_int(o, "file_rss_kb", e->file_rss_kb) < 0 ||
            json_add_int(o, "shmem_rss_kb", e->shmem_rss_kb) < 0 ||
            json_add_int(o, "pgtables_kb", e->pgtables_kb) < 0 ||
            json_add_int(o, "victim_oom_score_adj", e->victim_oom_score_adj) < 0 ||
            json_add_int(o, "score", e->score) < 0 ||
            json_add(o, "reaped", json_object_new_boolean(e->reaped), true) < 0 ||
            json_add_int(o, "task_rows", e->has_task_table ? (int64_t) e->task_rows : OOM_UNSET) < 0)
                goto fail;
        /* A further kill of a memory.oom.group report does not carry the rows. */
        rows = e->has_task_table && e->n_tasks == e->task_rows;
        if (with_tasks && json_add(o, "tasks", rows ? tasks_to_json(e) : NULL, rows) < 0)
                goto fail;
        return o;

fail:
        json_object_put(o);
        return NULL;
}

static void format_int(FILE *f, const char *key, int64_t v) {
        if (v == OOM_UNSET)
                fprintf(f, " %s=-", key);
        else
                fprintf(f, " %s=%" PRId64, key, v);
}

char *oom_event_format_line(const OomEvent *e, const OomEventContext *c) {
        const KillRule *rule = c && c->rule && c->rule->name ? c->rule : NULL;
        _cleanup_free_ char *buf = NULL;
        char wall[40];
        size_t size = 0;
        FILE *f;

        assert(e);

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;

        events_format_wallclock(e->time.realtime_usec, wall);
        fprintf(f, "%s ", wall);

        /* Keep dmesg's alignment for monotonic stamps. */
        if (!e->timestamp)
                fputs("[-]", f);
        else if (ascii_isdigit(e->timestamp[0]) && strspn(e->timestamp, "0123456789.") == strlen(e->timestamp))
                fprintf(f, "[%12s]", e->timestamp);
        else
                fprintf(f, "[%s]", e->timestamp);

        if (!e->has_kill)
                /* Nothing of a victim to show: the OOM killer found none. */
                fputs(e->no_killable ? " no kill (no killable processes)" : " no kill", f);
        else {
                if (e->victim_pid == OOM_UNSET)
                        fputs(" killed -", f);
                else
                        fprintf(f, " killed %" PRId64, e->victim_pid);
                fprintf(f, " (%s)", e->victim_comm ?: "-");
                format_int(f, "uid", e->victim_uid);
                if (e->anon_rss_kb == OOM_UNSET)
                        fputs(" anon-rss=-", f);
                else
                        fprintf(f, " anon-rss=%.1fMiB", (double) e->anon_rss_kb / 1024.0);
                format_int(f, "oom_score_adj", e->victim_oom_score_adj);
        }
        if (e->scope == OOM_SCOPE_MEMCG)
                fprintf(f, " memcg %s", e->task_memcg ?: "-");
        else
                fputs(" global", f);
        fprintf(f, " trigger=%s", e->trigger_comm ?: "-");
        format_int(f, "order", e->order);
        if (rule) {
                fprintf(f, " rule=%s (%s", rule->name, rule->origin ?: "-");
                if (rule->oom_score_adj != OOM_UNSET)
                        fprintf(f, ", oom_score_adj %" PRId64, rule->oom_score_adj);
                fputc(')', f);
        }

        if (fclose(f) != 0 || !buf)
                return NULL;
        return TAKE_PTR(buf);
}
