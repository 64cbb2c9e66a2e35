/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/oom-event-output.h"
#include "report/oom-report.h"
#include "shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Beyond "no crash": every event must render, with the documented keys. */
static void consume(OomReportParser *p) {
        OomEvent *e;
        int r;

        while ((r = oom_report_parser_pop(p, &e)) > 0) {
                json_object *o;
                char *line;

                o = oom_event_to_json(e, NULL, true);
                if (!o || json_object_object_length(o) != 30)
                        abort();
                if (!json_object_to_json_string(o))
                        abort();
                json_object_put(o);

                line = oom_event_format_line(e, NULL);
                if (!line || strchr(line, '\n'))
                        abort();
                free(line);

                if (e->n_tasks > 0 && (!e->has_task_table || !e->tasks))
                        abort();
                /* The rows carried are the table's, or none (a further kill of a
                 * memory.oom.group report counts the first kill's). */
                if (e->n_tasks != e->task_rows && e->n_tasks != 0)
                        abort();
                if (!e->has_task_table && e->task_rows > 0)
                        abort();
                if (e->scope != OOM_SCOPE_GLOBAL && e->scope != OOM_SCOPE_MEMCG)
                        abort();
                /* A victim is only ever learnt from a kill line, a complete summary or
                 * (kill lines ratelimited away) the reaper line inside its report. */
                if (e->victim_pid != OOM_UNSET && !e->has_kill)
                        abort();
                if (e->reaped && (e->victim_pid == OOM_UNSET || !e->victim_comm))
                        abort();
                /* A kill-less report is one that a trigger line opened (which named
                 * the task, or, up to 2.6.18, gave gfp_mask and order), or a fragment
                 * that "no killable processes" ended: never a fragment on its own. */
                if (!e->has_kill && !e->trigger_comm && !e->gfp_mask && e->order == OOM_UNSET &&
                    !e->no_killable)
                        abort();
                oom_event_free(e);
        }
        if (r != 0 || e)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        _cleanup_free_ char *buf = NULL;
        char *line, *end;
        size_t n_lines = 0;

        if (oom_report_parser_new(&p) < 0)
                return 0;
        buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';

        /* NULs end a line early, as they would for a caller reading C strings. Every
         * fourth line goes in as a message without rendering, as the journal's do. */
        for (line = buf; line < buf + size; line = end + 1) {
                static const OomMessageTime t = { .realtime_usec = 1, .kernel_usec = 2 };

                end = memchr(line, '\n', (size_t) (buf + size - line));
                if (!end)
                        end = buf + size;
                *end = '\0';
                if (n_lines++ % 4 == 3 ? oom_report_parser_feed_message(p, line, "2.000000", &t) < 0
                                       : oom_report_parser_feed_line(p, line) < 0)
                        abort();
                consume(p);
        }
        if (oom_report_parser_finish(p) < 0)
                abort();
        consume(p);
        return 0;
}
