/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/oom-event.h"
#include "shared/macro.h"

/* Turns kernel log lines (any rendering klog-line.h knows) into OOM kill events
 * (oom-event.h): the state machine that groups the lines of a report, whose
 * single messages oom-kill-line.h, oom-context-line.h and oom-task-table.h read.
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

/* Kernel lines a killed victim waits for its oom_reaper line. */
#define OOM_REPORT_REAPER_WINDOW 512

typedef struct OomReportParser OomReportParser;

int oom_report_parser_new(OomReportParser **ret);
OomReportParser *oom_report_parser_free(OomReportParser *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(OomReportParser *, oom_report_parser_free);
#define _cleanup_oom_report_parser_free_ _cleanup_(oom_report_parser_freep)

/* One line, with or without its trailing newline. Returns 0 or -ENOMEM; input
 * never makes it fail. */
int oom_report_parser_feed_line(OomReportParser *p, const char *line);

/* One kernel message without a rendering around it (the journal's MESSAGE=, which
 * may hold several lines), with its times and the timestamp text to show (NULL:
 * none). Returns 0 or -ENOMEM. */
int oom_report_parser_feed_message(OomReportParser *p, const char *message, const char *timestamp,
                                   const OomMessageTime *time);

/* Releases events held back for a possible oom_reaper line. A report still in
 * progress (no kill line yet) stays open. */
void oom_report_parser_flush(OomReportParser *p);

/* End of input: closes the report in progress (a report cut short still yields
 * what it has) and releases everything. The parser may be fed again after. */
int oom_report_parser_finish(OomReportParser *p);

/* Returns 1 and the oldest completed event (owned by the caller), or 0 if none
 * is ready. */
int oom_report_parser_pop(OomReportParser *p, OomEvent **ret);
