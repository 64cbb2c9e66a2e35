/* SPDX-License-Identifier: MIT */
#pragma once

/* How oompolicyctl events shows an OOM kill: one text line, or a JSON object.
 * Here rather than in src/report so that the daemon, which parses kills too but
 * never prints them, does not see json-c through the report parser. */

#include <json-c/json.h>
#include <stdbool.h>

#include "report/oom-event.h"

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
