/* SPDX-License-Identifier: MIT */
#pragma once

/* One OOM kill as the kernel reported it: what the report parser (oom-report.h)
 * hands out. Plain data, no JSON: the daemon and oompolicyctl both use it, and
 * only oompolicyctl renders it (src/ctl/oom-event-output.h). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* Absent numbers. Not -1: that is a legal oom_score_adj, and order is -1 for
 * sysrq-f invocations. */
#define OOM_UNSET INT64_MIN
/* An absent time (microseconds). */
#define OOM_TIME_UNSET UINT64_MAX

/* When a kernel message was logged, as far as its source says. */
typedef struct OomMessageTime {
        uint64_t realtime_usec;         /* wall clock, µs since the epoch; OOM_TIME_UNSET if unknown */
        uint64_t kernel_usec;           /* the kernel's stamp, µs since boot; OOM_TIME_UNSET if unknown */
} OomMessageTime;

typedef enum OomScope {
        OOM_SCOPE_GLOBAL,
        OOM_SCOPE_MEMCG,
} OomScope;

/* One row of the "Tasks state" table. Memory columns are in pages except
 * pgtables_bytes. Columns the kernel version does not print are OOM_UNSET:
 * nr_ptes (up to 4.18) and pgtables_bytes (4.19+) exclude each other, and
 * rss_anon/rss_file/rss_shmem exist from 6.9 on. */
typedef struct OomTaskRow {
        int64_t pid;
        int64_t uid;
        int64_t tgid;
        int64_t total_vm;
        int64_t rss;
        int64_t rss_anon;
        int64_t rss_file;
        int64_t rss_shmem;
        int64_t pgtables_bytes;
        int64_t nr_ptes;
        int64_t swapents;
        int64_t oom_score_adj;
        char *name;
} OomTaskRow;

typedef struct OomEvent {
        /* As printed on the first line of the report (the kill line if nothing
         * came before it): "1234.567890", "Sun Aug 11 20:21:28 2024",
         * "May 21 09:55:23", ... NULL for bare kernel text. */
        char *timestamp;
        /* The same moment as numbers (of the report's first message), where the
         * source tells: a dmesg or /dev/kmsg stamp gives kernel_usec, an RFC 3339
         * or Unix-seconds date realtime_usec, the journal both. */
        OomMessageTime time;

        /* "X invoked oom-killer: gfp_mask=..., order=..., oom_score_adj=..." */
        char *trigger_comm;
        int64_t trigger_pid;            /* from the "CPU: ... PID: ... Comm:" line */
        char *gfp_mask;                 /* as printed, e.g. "0xcc0(GFP_KERNEL)" */
        int64_t order;
        int64_t trigger_oom_score_adj;
        int64_t trigger_oom_adj;        /* "oom_adj=N" or "oomkilladj=N" of kernels before 2.6.36 */

        /* "oom-kill:constraint=...,task_memcg=..." (4.19+); task_memcg also from
         * "Task in X killed as a result of limit of Y" (older memcg OOMs) */
        char *constraint;
        OomScope scope;
        char *task_memcg;

        /* The report names a victim: a kill line or a complete oom-kill: summary.
         * Without one, the OOM killer found nothing to kill (or the report was cut
         * short before its kill). */
        bool has_kill;
        /* The report ended "Out of memory and no killable processes...". */
        bool no_killable;

        /* "Killed process ..." */
        int64_t victim_pid;
        char *victim_comm;
        int64_t victim_uid;
        int64_t total_vm_kb;
        int64_t anon_rss_kb;
        int64_t file_rss_kb;
        int64_t shmem_rss_kb;
        int64_t pgtables_kb;
        int64_t victim_oom_score_adj;
        /* "Kill process N (comm) score S or sacrifice child" (before 5.1). It is
         * the score of the selected task, which is not the victim when the
         * kernel sacrificed a child instead. */
        int64_t score;
        bool reaped;

        bool has_task_table;            /* a "Tasks state" header, or rows of one, was seen */
        OomTaskRow *tasks;
        size_t n_tasks;
        /* The rows of the report's table: n_tasks, except for the further kills of a
         * memory.oom.group report, which share the first kill's table without
         * carrying its rows (tasks NULL, n_tasks 0). */
        size_t task_rows;

        /* Mem-Info / show_mem of global OOMs */
        int64_t free_pages;
        int64_t free_swap_kb;
        int64_t total_ram_pages;
        int64_t reserved_pages;
} OomEvent;

/* Every number OOM_UNSET, every string NULL, global scope. NULL on allocation
 * failure. */
OomEvent *oom_event_new(void);
OomEvent *oom_event_free(OomEvent *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(OomEvent *, oom_event_free);
#define _cleanup_oom_event_free_ _cleanup_(oom_event_freep)

/* A new event with what src's report says about the situation (timestamp,
 * trigger, constraint, scope, task_memcg, memory state, the number of task
 * rows but not the rows) and nothing about its victim: the start of a further
 * kill of the same report (memory.oom.group). NULL on allocation failure. */
OomEvent *oom_event_clone_context(const OomEvent *src);

const char *oom_scope_to_string(OomScope s);
