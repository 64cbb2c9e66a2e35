/* SPDX-License-Identifier: MIT */
#include "report/oom-event.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

OomEvent *oom_event_new(void) {
        OomEvent *e;

        e = calloc(1, sizeof(OomEvent));
        if (!e)
                return NULL;
        e->trigger_pid = e->order = e->trigger_oom_score_adj = e->trigger_oom_adj = OOM_UNSET;
        e->victim_pid = e->victim_uid = OOM_UNSET;
        e->total_vm_kb = e->anon_rss_kb = e->file_rss_kb = e->shmem_rss_kb = e->pgtables_kb = OOM_UNSET;
        e->victim_oom_score_adj = e->score = OOM_UNSET;
        e->free_pages = e->free_swap_kb = e->total_ram_pages = e->reserved_pages = OOM_UNSET;
        e->scope = OOM_SCOPE_GLOBAL;
        e->time = (OomMessageTime) { .realtime_usec = OOM_TIME_UNSET, .kernel_usec = OOM_TIME_UNSET };
        return e;
}

OomEvent *oom_event_free(OomEvent *e) {
        if (!e)
                return NULL;
        free(e->timestamp);
        free(e->trigger_comm);
        free(e->gfp_mask);
        free(e->constraint);
        free(e->task_memcg);
        free(e->victim_comm);
        for (size_t i = 0; i < e->n_tasks; i++)
                free(e->tasks[i].name);
        free(e->tasks);
        free(e);
        return NULL;
}

static int dup_or_null(char **dst, const char *src) {
        if (!src)
                return 0;
        *dst = strdup(src);
        return *dst ? 0 : -ENOMEM;
}

OomEvent *oom_event_clone_context(const OomEvent *src) {
        _cleanup_oom_event_free_ OomEvent *e = NULL;

        assert(src);

        e = oom_event_new();
        if (!e)
                return NULL;
        if (dup_or_null(&e->timestamp, src->timestamp) < 0 ||
            dup_or_null(&e->trigger_comm, src->trigger_comm) < 0 ||
            dup_or_null(&e->gfp_mask, src->gfp_mask) < 0 ||
            dup_or_null(&e->constraint, src->constraint) < 0 ||
            dup_or_null(&e->task_memcg, src->task_memcg) < 0)
                return NULL;
        e->time = src->time;
        e->trigger_pid = src->trigger_pid;
        e->order = src->order;
        e->trigger_oom_score_adj = src->trigger_oom_score_adj;
        e->trigger_oom_adj = src->trigger_oom_adj;
        e->scope = src->scope;
        e->has_task_table = src->has_task_table;
        e->task_rows = src->task_rows;
        e->free_pages = src->free_pages;
        e->free_swap_kb = src->free_swap_kb;
        e->total_ram_pages = src->total_ram_pages;
        e->reserved_pages = src->reserved_pages;
        return TAKE_PTR(e);
}

const char *oom_scope_to_string(OomScope s) {
        return s == OOM_SCOPE_MEMCG ? "memcg" : "global";
}
