/* SPDX-License-Identifier: MIT */
#pragma once

/* How oompolicyctl events shows an OOM kill: one text line, or a JSON object.
 * Here rather than in src/report so that the daemon, which parses kills too but
 * never prints them, does not see json-c through the report parser. */

#include <json-c/json.h>
#include <stdbool.h>

#include "ctl/events-join.h"
#include "report/oom-event.h"

/* What is known about an event beyond the kernel's report. */
typedef struct OomEventContext {
        const char *source;       /* "journal", "kmsg" or "file"; NULL: unknown */
        const char *boot_id;      /* the journal's _BOOT_ID; NULL elsewhere */
        const KillRule *rule;     /* joined from the daemon's kill entry; NULL: unknown */
} OomEventContext;

/* Keys: time (RFC 3339, local offset, or null), kernel_time (seconds since
 * boot, or null), kill, no_killable, source, boot_id, rule ({name, origin,
 * oom_score_adj} or null), timestamp, trigger_comm, trigger_pid, gfp_mask, order,
 * trigger_oom_score_adj, trigger_oom_adj, constraint, scope, task_memcg, victim_pid, victim_comm,
 * victim_uid, total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb,
 * victim_oom_score_adj, score, reaped, task_rows (null without a table) and, with
 * with_tasks, tasks (array, null without a table). Absent values are null.
 * Returns NULL on allocation failure. */
json_object *oom_event_to_json(const OomEvent *e, const OomEventContext *c, bool with_tasks);

/* "2024-08-11 20:21:28 [ 1234.567890] killed 4243 (stress) uid=0
 * anon-rss=512.0MiB oom_score_adj=300 memcg /test/oom trigger=stress order=0
 * rule=batch (/etc/oompolicy.conf:12, oom_score_adj 300)", "-" for absent
 * values; "no kill" (and why, where the kernel said) instead of "killed PID
 * (COMM)" for a report without a kill. NULL on allocation failure. */
char *oom_event_format_line(const OomEvent *e, const OomEventContext *c);
