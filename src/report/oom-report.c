/* SPDX-License-Identifier: MIT */
#include "report/oom-report.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/klog-line.h"
#include "report/oom-context-line.h"
#include "report/oom-kill-line.h"
#include "report/oom-parse-util.h"
#include "report/oom-task-table.h"
#include "shared/string-util.h"

/* A reaper line refers to one of the last few kills; bounding the search keeps
 * pathological input (thousands of unpopped kills) linear. */
#define REAPER_SEARCH_DEPTH 64

typedef struct PendingEvent {
        OomEvent *event;
        uint64_t line;          /* kernel line count at the kill line */
        bool released;          /* nothing left to wait for */
} PendingEvent;

struct OomReportParser {
        uint64_t n_lines;       /* kernel messages seen */

        /* The report being assembled, NULL between reports. */
        OomEvent *cur;
        /* Input may begin in the middle of a report (a fragment: the ring buffer
         * wrapped, or an excerpt). So the first message opens a report on trial,
         * which counts only if a kill line turns up before the next trigger line. */
        bool cur_on_trial;
        bool seen_message;      /* since the parser was made or finished */
        size_t cur_tasks_allocated;
        bool in_meminfo;
        bool in_table;
        OomTaskTable table;
        /* Some 4.19 stable kernels printed ",global_oom"/",oom_memcg=" with pr_info()
         * instead of pr_cont(), splitting the oom-kill: summary in two records. */
        char *oom_kill_head;

        /* With memory.oom.group the kernel kills further members of the cgroup after
         * the victim; those kill lines share the context of the report. */
        OomEvent *group_context;

        PendingEvent *pending;
        size_t pending_head;
        size_t n_pending;
        size_t pending_allocated;

        /* What the last prefixed line was, for the bare indented lines after it. */
        bool prev_other;
        bool prev_kmsg;
        char *prev_timestamp;
        OomMessageTime prev_time;

        OomMessageTime time;    /* of the message being handled */
};

static void reset_report_state(OomReportParser *p) {
        p->in_meminfo = false;
        p->in_table = false;
        p->table.n_columns = 0;
        free(p->oom_kill_head);
        p->oom_kill_head = NULL;
}

static int push_pending(OomReportParser *p, OomEvent *e, bool released) {
        if (p->n_pending == p->pending_allocated) {
                if (p->pending_head > 0) {
                        memmove(p->pending, p->pending + p->pending_head,
                                (p->n_pending - p->pending_head) * sizeof(PendingEvent));
                        p->n_pending -= p->pending_head;
                        p->pending_head = 0;
                } else {
                        size_t n = MAX(p->pending_allocated * 2, (size_t) 8);
                        PendingEvent *a;

                        a = reallocarray(p->pending, n, sizeof(PendingEvent));
                        if (!a)
                                return -ENOMEM;
                        p->pending = a;
                        p->pending_allocated = n;
                }
        }
        p->pending[p->n_pending++] = (PendingEvent) {
                .event = e,
                .line = p->n_lines,
                .released = released,
        };
        return 0;
}

/* Moves the report in progress to the queue. Without a victim, or once it was
 * reaped, there is no reaper line to wait for. */
static int finalize_current(OomReportParser *p) {
        if (!p->cur)
                return 0;
        if (p->cur_on_trial && !p->cur->has_kill)
                p->cur = oom_event_free(p->cur);
        else {
                int r = push_pending(p, p->cur, p->cur->victim_pid == OOM_UNSET || p->cur->reaped);
                if (r < 0)
                        return r;
                p->cur = NULL;
        }
        p->cur_on_trial = false;
        reset_report_state(p);
        return 0;
}

static int start_report(OomReportParser *p, const char *ts, const OomEvent *context) {
        _cleanup_oom_event_free_ OomEvent *e = NULL;

        e = context ? oom_event_clone_context(context) : oom_event_new();
        if (!e)
                return -ENOMEM;
        /* A follow-up kill of a report keeps the report's timestamp. */
        if (!context)
                e->time = p->time;
        if (ts && !context) {
                free(e->timestamp);
                e->timestamp = strdup(ts);
                if (!e->timestamp)
                        return -ENOMEM;
        }
        /* Anything but a memory.oom.group follow-up kill is a new report. */
        if (!context)
                p->group_context = oom_event_free(p->group_context);
        reset_report_state(p);
        p->cur = TAKE_PTR(e);
        p->cur_on_trial = false;
        p->cur_tasks_allocated = 0;
        return 0;
}

static int ensure_report(OomReportParser *p, const char *ts) {
        return p->cur ? 0 : start_report(p, ts, NULL);
}

/* A trigger line opens a new report, closing the one before. */
static int handle_trigger_line(OomReportParser *p, const char *ts, const OomTriggerLine *t) {
        _cleanup_free_ char *comm = NULL, *gfp = NULL;
        int r;

        if (t->comm) {
                comm = strndup(t->comm, t->comm_len);
                if (!comm)
                        return -ENOMEM;
        }
        if (t->gfp_mask) {
                gfp = strndup(t->gfp_mask, t->gfp_mask_len);
                if (!gfp)
                        return -ENOMEM;
        }

        r = finalize_current(p);
        if (r < 0)
                return r;
        r = start_report(p, ts, NULL);
        if (r < 0)
                return r;
        p->cur->trigger_comm = TAKE_PTR(comm);
        p->cur->gfp_mask = TAKE_PTR(gfp);
        p->cur->order = t->order;
        p->cur->trigger_oom_score_adj = t->oom_score_adj;
        p->cur->trigger_oom_adj = t->oom_adj;
        return 0;
}

static int handle_kill_line(OomReportParser *p, const char *ts, const OomKillLine *k) {
        OomEvent *e;
        int r;

        if (!p->cur) {
                r = start_report(p, ts, k->selection ? NULL : p->group_context);
                if (r < 0)
                        return r;
        }
        e = p->cur;
        p->in_table = false;
        p->in_meminfo = false;
        if (k->memcg)
                e->scope = OOM_SCOPE_MEMCG;
        e->has_kill = true;

        if (k->selection) {
                e->score = k->score;
                if (e->victim_pid != k->pid)
                        e->victim_uid = OOM_UNSET;
                e->victim_pid = k->pid;
                return oom_strdup_span(&e->victim_comm, k->comm, k->comm_len);
        }

        /* The kernel may have sacrificed a child of the selected task: the uid learnt
         * from the oom-kill: summary belongs to the parent then. */
        if (e->victim_pid != k->pid)
                e->victim_uid = OOM_UNSET;
        e->victim_pid = k->pid;
        r = oom_strdup_span(&e->victim_comm, k->comm, k->comm_len);
        if (r < 0)
                return r;
        if (k->uid != OOM_UNSET)
                e->victim_uid = k->uid;
        e->total_vm_kb = k->total_vm_kb;
        e->anon_rss_kb = k->anon_rss_kb;
        e->file_rss_kb = k->file_rss_kb;
        e->shmem_rss_kb = k->shmem_rss_kb;
        e->pgtables_kb = k->pgtables_kb;
        e->victim_oom_score_adj = k->oom_score_adj;
        return finalize_current(p);
}

/* The reaper line releases the kill it belongs to. A reaper line for no kill seen
 * inside a report that has not named its victim tells the victim of that report:
 * the kernel ratelimits the kill lines ("oom_kill_process: N callbacks
 * suppressed") but not the reaper's. */
static int handle_reaper_line(OomReportParser *p, int64_t pid, const char *comm, size_t comm_len) {
        OomEvent *e = p->cur;
        size_t depth = 0;
        int r;

        for (size_t i = p->n_pending; i > p->pending_head && depth < REAPER_SEARCH_DEPTH; i--, depth++) {
                PendingEvent *pe = &p->pending[i - 1];

                if (pe->event->victim_pid == pid && !pe->event->reaped) {
                        pe->event->reaped = true;
                        pe->released = true;
                        return 0;
                }
        }

        /* Only a report that began (not a fragment's first lines, which may be the
         * tail of a kill before the excerpt). */
        if (!e || e->has_kill || !comm ||
            (!e->trigger_comm && !e->gfp_mask && e->order == OOM_UNSET && !e->has_task_table))
                return 0;
        r = oom_strdup_span(&e->victim_comm, comm, comm_len);
        if (r < 0)
                return r;
        e->has_kill = true;
        e->victim_pid = pid;
        e->reaped = true;
        return finalize_current(p);
}

/* s is the whole summary line (kept to be joined with its second half), k what it says. */
static int handle_kill_summary(OomReportParser *p, const char *ts, const char *s, const OomKillSummary *k) {
        OomEvent *e;
        int r;

        if (!k->constraint)
                return 0;

        free(p->oom_kill_head);
        p->oom_kill_head = NULL;
        if (!k->complete) {
                /* Wait for the rest rather than start a report on half a line. */
                p->oom_kill_head = strdup(s);
                if (!p->oom_kill_head)
                        return -ENOMEM;
                if (!p->cur)
                        return 0;
        }

        r = ensure_report(p, ts);
        if (r < 0)
                return r;
        e = p->cur;
        p->in_table = false;
        p->in_meminfo = false;

        r = oom_strdup_span(&e->constraint, k->constraint, k->constraint_len);
        if (r < 0)
                return r;
        if (k->memcg)
                e->scope = OOM_SCOPE_MEMCG;
        if (!k->complete)
                return 0;

        if (k->task_memcg) {
                r = oom_strdup_span(&e->task_memcg, k->task_memcg, k->task_memcg_len);
                if (r < 0)
                        return r;
        }
        if (e->victim_pid != k->pid)
                e->victim_uid = OOM_UNSET;
        e->has_kill = true;
        e->victim_pid = k->pid;
        r = oom_strdup_span(&e->victim_comm, k->comm, k->comm_len);
        if (r < 0)
                return r;
        e->victim_uid = k->uid;
        return 0;
}

/* The second half of a summary split in two records (see oom_kill_head). */
static int handle_kill_summary_rest(OomReportParser *p, const char *ts, const char *s) {
        _cleanup_free_ char *joined = NULL;
        OomKillSummary k;

        if (asprintf(&joined, "%s%s", p->oom_kill_head, s) < 0)
                return -ENOMEM;
        free(p->oom_kill_head);
        p->oom_kill_head = NULL;
        if (!oom_kill_summary_parse(joined, &k))
                return 0;
        return handle_kill_summary(p, ts, joined, &k);
}

/* The report in progress ended without a kill; even a fragment (on trial) that ends
 * so was a report. */
static int handle_no_killable_line(OomReportParser *p, const char *ts) {
        int r;

        /* Outside a report (its beginning not in the excerpt, or the lines before
         * it another report's) the line is a report of its own. */
        r = ensure_report(p, ts);
        if (r < 0)
                return r;
        p->cur->no_killable = true;
        p->cur_on_trial = false;
        return finalize_current(p);
}

/* The kill lines of a memory.oom.group report after the first share its context;
 * their victims are in the group's cgroup. */
static int handle_group_line(OomReportParser *p, const char *cgroup, size_t cgroup_len) {
        if (p->n_pending > p->pending_head && !p->cur) {
                p->group_context = oom_event_free(p->group_context);
                p->group_context = oom_event_clone_context(p->pending[p->n_pending - 1].event);
                if (!p->group_context)
                        return -ENOMEM;
                if (cgroup_len > 0)
                        return oom_strdup_span(&p->group_context->task_memcg, cgroup, cgroup_len);
        }
        return 0;
}

static int handle_table_row(OomReportParser *p, const char *s) {
        OomEvent *e = p->cur;
        OomTaskRow row;
        const char *name;

        if (!oom_task_table_parse_row(&p->table, s, &row, &name))
                return 0;

        if (e->n_tasks == p->cur_tasks_allocated) {
                size_t n = MAX(p->cur_tasks_allocated * 2, (size_t) 32);
                OomTaskRow *a;

                a = reallocarray(e->tasks, n, sizeof(OomTaskRow));
                if (!a)
                        return -ENOMEM;
                e->tasks = a;
                p->cur_tasks_allocated = n;
        }
        row.name = strdup(name);
        if (!row.name)
                return -ENOMEM;
        e->tasks[e->n_tasks++] = row;
        e->task_rows = e->n_tasks;
        return 0;
}

/* Lines of the report between the trigger line and the kill line. */
static int handle_report_body(OomReportParser *p, const char *s) {
        OomEvent *e = p->cur;
        OomContextLine l;

        oom_context_line_parse(s, &l);
        switch (l.kind) {
        case OOM_CONTEXT_DUMP_STACK:
                /* Only the dump_stack() of the task that invoked the OOM killer counts. */
                if (e->trigger_comm && e->trigger_pid == OOM_UNSET && l.value != OOM_UNSET &&
                    oom_context_line_names(&l, e->trigger_comm))
                        e->trigger_pid = l.value;
                return 0;
        case OOM_CONTEXT_MEM_INFO:
                p->in_meminfo = true;
                return 0;
        case OOM_CONTEXT_FREE_SWAP:
                if (l.value != OOM_UNSET)
                        e->free_swap_kb = l.value;
                return 0;
        case OOM_CONTEXT_PAGES_RAM:
                if (l.value != OOM_UNSET)
                        e->total_ram_pages = l.value;
                return 0;
        case OOM_CONTEXT_PAGES_RESERVED:
                if (l.value != OOM_UNSET)
                        e->reserved_pages = l.value;
                return 0;
        case OOM_CONTEXT_MEMCG_LIMIT:
                e->scope = OOM_SCOPE_MEMCG;
                if (l.text && !e->task_memcg)
                        return oom_strdup_span(&e->task_memcg, l.text, l.text_len);
                return 0;
        case OOM_CONTEXT_MEMCG_INFO:
                e->scope = OOM_SCOPE_MEMCG;
                return 0;
        case OOM_CONTEXT_OTHER:
                break;
        }

        if (*s == '[') {
                if (oom_task_table_parse_header(s, &p->table)) {
                        p->in_table = true;
                        p->in_meminfo = false;
                        e->has_task_table = true;
                        return 0;
                }
                if (p->in_table)
                        return handle_table_row(p, s);
                /* A fragment may begin inside the table: its rows, without the header. */
                if (p->cur_on_trial && !e->has_task_table && oom_task_table_guess_layout(s, &p->table)) {
                        p->in_table = true;
                        e->has_task_table = true;
                        return handle_table_row(p, s);
                }
                return 0;
        }
        if (p->in_meminfo) {
                int64_t v = oom_meminfo_free_pages(s);

                if (v != OOM_UNSET)
                        e->free_pages = v;
        }
        return 0;
}

/* One kernel message (one line of a multi-line record). */
static int handle_message(OomReportParser *p, const char *ts, const char *text) {
        const char *s = skip_blanks(text);
        OomTriggerLine t;
        OomKillLine k;
        OomKillSummary sum;
        const char *cgroup, *comm;
        size_t cgroup_len, comm_len;
        int64_t pid;

        p->n_lines++;

        if (!p->seen_message) {
                p->seen_message = true;
                if (!p->cur) {
                        int r = start_report(p, ts, NULL);

                        if (r < 0)
                                return r;
                        p->cur_on_trial = true;
                }
        }

        if (oom_trigger_line_parse(text, &t))
                return handle_trigger_line(p, ts, &t);
        if (oom_reaper_line_parse(s, &pid, &comm, &comm_len))
                return pid != OOM_UNSET ? handle_reaper_line(p, pid, comm, comm_len) : 0;
        if (oom_kill_line_parse(s, &k))
                return handle_kill_line(p, ts, &k);
        if (oom_kill_summary_parse(s, &sum))
                return handle_kill_summary(p, ts, s, &sum);
        if (*s == ',' && p->oom_kill_head)
                return handle_kill_summary_rest(p, ts, s);
        if (oom_group_line_parse(s, &cgroup, &cgroup_len))
                return handle_group_line(p, cgroup, cgroup_len);
        if (oom_no_killable_line_parse(s))
                return handle_no_killable_line(p, ts);
        /* A fragment's first lines were another kind of report's (a page allocation
         * failure, an oops): the OOM report, if any, begins later. */
        if (p->cur && p->cur_on_trial && !p->cur->has_kill && oom_foreign_report_line(s)) {
                p->cur = oom_event_free(p->cur);
                p->cur_on_trial = false;
                reset_report_state(p);
                return 0;
        }
        if (p->cur)
                return handle_report_body(p, s);
        return 0;
}

int oom_report_parser_new(OomReportParser **ret) {
        OomReportParser *p;

        assert(ret);

        p = calloc(1, sizeof(OomReportParser));
        if (!p)
                return -ENOMEM;
        p->time = p->prev_time = (OomMessageTime) { .realtime_usec = OOM_TIME_UNSET, .kernel_usec = OOM_TIME_UNSET };
        *ret = p;
        return 0;
}

OomReportParser *oom_report_parser_free(OomReportParser *p) {
        if (!p)
                return NULL;
        oom_event_free(p->cur);
        oom_event_free(p->group_context);
        for (size_t i = p->pending_head; i < p->n_pending; i++)
                oom_event_free(p->pending[i].event);
        free(p->pending);
        free(p->oom_kill_head);
        free(p->prev_timestamp);
        free(p);
        return NULL;
}

/* The lines of one kernel message (text is modified). */
static int feed_text(OomReportParser *p, char *text, const char *ts, const OomMessageTime *time) {
        p->time = *time;
        for (;;) {
                char *nl = strchr(text, '\n');
                int r;

                if (nl)
                        *nl = '\0';
                r = handle_message(p, ts, text);
                if (r < 0)
                        return r;
                if (!nl)
                        break;
                text = nl + 1;
        }
        return 0;
}

int oom_report_parser_feed_line(OomReportParser *p, const char *line) {
        _cleanup_(klog_line_done) KlogLine l = {};
        const char *ts;
        char *text;
        int r;

        assert(p);
        assert(line);

        r = klog_line_parse(line, &l);
        if (r < 0)
                return r;

        if (l.source == KLOG_SOURCE_NONE)
                return 0;
        if (l.source == KLOG_SOURCE_OTHER) {
                p->prev_other = true;
                p->prev_kmsg = l.format == KLOG_FORMAT_KMSG;
                return 0;
        }

        if (l.continuation) {
                /* Indented lines continue a multi-line record of whatever came before;
                 * after a /dev/kmsg record they are its dictionary. */
                if (p->prev_other || p->prev_kmsg)
                        return 0;
                ts = p->prev_timestamp;
        } else {
                p->prev_other = false;
                p->prev_kmsg = l.format == KLOG_FORMAT_KMSG;
                free(p->prev_timestamp);
                p->prev_timestamp = NULL;
                if (l.timestamp) {
                        p->prev_timestamp = strdup(l.timestamp);
                        if (!p->prev_timestamp)
                                return -ENOMEM;
                }
                ts = l.timestamp;
        }

        if (!l.continuation)
                p->prev_time = (OomMessageTime) { .realtime_usec = l.realtime_usec, .kernel_usec = l.kernel_usec };
        /* The kernel never indents a message's first line: the blanks before an
         * indented line are its continuation's, or the quoting of an excerpt (an
         * e-mail, a commit message, a Markdown code block), not part of a comm. */
        text = l.text;
        if (l.continuation)
                text += skip_blanks(text) - text;
        return feed_text(p, text, ts, &p->prev_time);
}

int oom_report_parser_feed_message(OomReportParser *p, const char *message, const char *timestamp,
                                   const OomMessageTime *time) {
        _cleanup_free_ char *text = NULL;

        assert(p);
        assert(message);
        assert(time);

        text = strdup(message);
        if (!text)
                return -ENOMEM;
        /* Whatever came before was a whole message: no continuation lines follow. */
        p->prev_other = p->prev_kmsg = false;
        return feed_text(p, text, timestamp, time);
}

void oom_report_parser_flush(OomReportParser *p) {
        assert(p);

        for (size_t i = p->pending_head; i < p->n_pending; i++)
                p->pending[i].released = true;
}

int oom_report_parser_finish(OomReportParser *p) {
        int r;

        assert(p);

        r = finalize_current(p);
        if (r < 0)
                return r;
        oom_report_parser_flush(p);
        p->group_context = oom_event_free(p->group_context);
        free(p->oom_kill_head);
        p->oom_kill_head = NULL;
        p->prev_other = p->prev_kmsg = false;
        p->seen_message = false;
        p->time = p->prev_time = (OomMessageTime) { .realtime_usec = OOM_TIME_UNSET, .kernel_usec = OOM_TIME_UNSET };
        free(p->prev_timestamp);
        p->prev_timestamp = NULL;
        return 0;
}

int oom_report_parser_pop(OomReportParser *p, OomEvent **ret) {
        PendingEvent *pe;

        assert(p);
        assert(ret);

        *ret = NULL;
        if (p->pending_head >= p->n_pending)
                return 0;
        pe = &p->pending[p->pending_head];
        if (!pe->released && p->n_lines - pe->line < OOM_REPORT_REAPER_WINDOW)
                return 0;

        *ret = pe->event;
        pe->event = NULL;
        if (++p->pending_head == p->n_pending)
                p->pending_head = p->n_pending = 0;
        return 1;
}
