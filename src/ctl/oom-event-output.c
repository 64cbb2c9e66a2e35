/* SPDX-License-Identifier: MIT */
#include "ctl/oom-event-output.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

json_object *oom_event_to_json(const OomEvent *e, bool with_tasks) {
        json_object *o;

        assert(e);

        o = json_object_new_object();
        if (!o)
                return NULL;

        if (json_add_string(o, "timestamp", e->timestamp) < 0 ||
            json_add_string(o, "trigger_comm", e->trigger_comm) < 0 ||
            json_add_int(o, "trigger_pid", e->trigger_pid) < 0 ||
            json_add_string(o, "gfp_mask", e->gfp_mask) < 0 ||
            json_add_int(o, "order", e->order) < 0 ||
            json_add_int(o, "trigger_oom_score_adj", e->trigger_oom_score_adj) < 0 ||
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
            json_add_int(o, "task_rows", e->has_task_table ? (int64_t) e->n_tasks : OOM_UNSET) < 0)
                goto fail;
        if (with_tasks &&
            json_add(o, "tasks", e->has_task_table ? tasks_to_json(e) : NULL, e->has_task_table) < 0)
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

char *oom_event_format_line(const OomEvent *e) {
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert(e);

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;

        /* Keep dmesg's alignment for monotonic stamps. */
        if (!e->timestamp)
                fputs("[-]", f);
        else if (ascii_isdigit(e->timestamp[0]) && strspn(e->timestamp, "0123456789.") == strlen(e->timestamp))
                fprintf(f, "[%12s]", e->timestamp);
        else
                fprintf(f, "[%s]", e->timestamp);

        fputs(" killed ", f);
        if (e->victim_pid == OOM_UNSET)
                fputc('-', f);
        else
                fprintf(f, "%" PRId64, e->victim_pid);
        fprintf(f, " (%s)", e->victim_comm ?: "-");
        format_int(f, "uid", e->victim_uid);
        if (e->anon_rss_kb == OOM_UNSET)
                fputs(" anon-rss=-", f);
        else
                fprintf(f, " anon-rss=%.1fMiB", (double) e->anon_rss_kb / 1024.0);
        format_int(f, "oom_score_adj", e->victim_oom_score_adj);
        if (e->scope == OOM_SCOPE_MEMCG)
                fprintf(f, " memcg %s", e->task_memcg ?: "-");
        else
                fputs(" global", f);
        fprintf(f, " trigger=%s", e->trigger_comm ?: "-");
        format_int(f, "order", e->order);

        if (fclose(f) != 0 || !buf)
                return NULL;
        return TAKE_PTR(buf);
}
