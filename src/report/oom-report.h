/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* Turns kernel log lines (any rendering klog-line.h knows) into OOM kill events.
 *
 * Usage:
 *         oom_report_parser_new(&p);
 *         for each line: oom_report_parser_feed_line(p, line);
 *                        while (oom_report_parser_pop(p, &e) > 0) { use e; oom_event_free(e); }
 *         oom_report_parser_finish(p);
 *         while (oom_report_parser_pop(p, &e) > 0) ...
 *
 * An event becomes poppable once its report is complete. After the kill line
 * the parser keeps the event back until the oom_reaper line for the victim
 * shows up (it is logged asynchronously, possibly after unrelated lines or even
 * inside the next report) or OOM_REPORT_REAPER_WINDOW further kernel lines have
 * passed. Events pop in the order of their reports. For live input, call
 * oom_report_parser_flush() once the input has been idle for a moment so a kill
 * without reaper line is not held back indefinitely. */

/* Absent numbers. Not -1: that is a legal oom_score_adj, and order is -1 for
 * sysrq-f invocations. */
#define OOM_UNSET INT64_MIN

/* Kernel lines a killed victim waits for its oom_reaper line. */
#define OOM_REPORT_REAPER_WINDOW 512

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

        /* "X invoked oom-killer: gfp_mask=..., order=..., oom_score_adj=..." */
        char *trigger_comm;
        int64_t trigger_pid;            /* from the "CPU: ... PID: ... Comm:" line */
        char *gfp_mask;                 /* as printed, e.g. "0xcc0(GFP_KERNEL)" */
        int64_t order;
        int64_t trigger_oom_score_adj;

        /* "oom-kill:constraint=...,task_memcg=..." (4.19+); task_memcg also from
         * "Task in X killed as a result of limit of Y" (older memcg OOMs) */
        char *constraint;
        OomScope scope;
        char *task_memcg;

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

        bool has_task_table;            /* a "Tasks state" header was seen */
        OomTaskRow *tasks;
        size_t n_tasks;

        /* Mem-Info / show_mem of global OOMs */
        int64_t free_pages;
        int64_t free_swap_kb;
        int64_t total_ram_pages;
        int64_t reserved_pages;
} OomEvent;

OomEvent *oom_event_free(OomEvent *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(OomEvent *, oom_event_free);
#define _cleanup_oom_event_free_ _cleanup_(oom_event_freep)

const char *oom_scope_to_string(OomScope s);

/* Keys: timestamp, trigger_comm, trigger_pid, gfp_mask, order,
 * trigger_oom_score_adj, constraint, scope, task_memcg, victim_pid, victim_comm,
 * victim_uid, total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb,
 * victim_oom_score_adj, score, reaped, task_rows (null without a table) and, with
 * with_tasks, tasks (array, null without a table). Absent values are null.
 * Returns NULL on allocation failure. */
json_object *oom_event_to_json(const OomEvent *e, bool with_tasks);

/* "[ 1234.567890] killed 4243 (stress) uid=0 anon-rss=512.0MiB oom_score_adj=300
 * memcg /test/oom trigger=stress order=0", "-" for absent values. NULL on
 * allocation failure. */
char *oom_event_format_line(const OomEvent *e);

typedef struct OomReportParser OomReportParser;

int oom_report_parser_new(OomReportParser **ret);
OomReportParser *oom_report_parser_free(OomReportParser *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(OomReportParser *, oom_report_parser_free);
#define _cleanup_oom_report_parser_free_ _cleanup_(oom_report_parser_freep)

/* One line, with or without its trailing newline. Returns 0 or -ENOMEM; input
 * never makes it fail. */
int oom_report_parser_feed_line(OomReportParser *p, const char *line);

/* Releases events held back for a possible oom_reaper line. A report still in
 * progress (no kill line yet) stays open. */
void oom_report_parser_flush(OomReportParser *p);

/* End of input: closes the report in progress (a report cut short still yields
 * what it has) and releases everything. The parser may be fed again after. */
int oom_report_parser_finish(OomReportParser *p);

/* Returns 1 and the oldest completed event (owned by the caller), or 0 if none
 * is ready. */
int oom_report_parser_pop(OomReportParser *p, OomEvent **ret);
