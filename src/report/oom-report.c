/* SPDX-License-Identifier: MIT */
#include "report/oom-report.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/klog-line.h"
#include "shared/json-util.h"
#include "shared/string-util.h"

#define MAX_TABLE_COLUMNS 16
/* A reaper line refers to one of the last few kills; bounding the search keeps
 * pathological input (thousands of unpopped kills) linear. */
#define REAPER_SEARCH_DEPTH 64
/* TASK_COMM_LEN is 16, but leave room for kernels that print longer names. */
#define MAX_COMM_LEN 64

typedef enum Column {
        COLUMN_UNKNOWN,
        COLUMN_UID,
        COLUMN_TGID,
        COLUMN_TOTAL_VM,
        COLUMN_RSS,
        COLUMN_RSS_ANON,
        COLUMN_RSS_FILE,
        COLUMN_RSS_SHMEM,
        COLUMN_NR_PTES,
        COLUMN_NR_PMDS,
        COLUMN_PGTABLES_BYTES,
        COLUMN_SWAPENTS,
        COLUMN_OOM_SCORE_ADJ,
} Column;

static const char *const column_names[] = {
        [COLUMN_UID] = "uid",
        [COLUMN_TGID] = "tgid",
        [COLUMN_TOTAL_VM] = "total_vm",
        [COLUMN_RSS] = "rss",
        [COLUMN_RSS_ANON] = "rss_anon",
        [COLUMN_RSS_FILE] = "rss_file",
        [COLUMN_RSS_SHMEM] = "rss_shmem",
        [COLUMN_NR_PTES] = "nr_ptes",
        [COLUMN_NR_PMDS] = "nr_pmds",
        [COLUMN_PGTABLES_BYTES] = "pgtables_bytes",
        [COLUMN_SWAPENTS] = "swapents",
        [COLUMN_OOM_SCORE_ADJ] = "oom_score_adj",
};

typedef struct PendingEvent {
        OomEvent *event;
        uint64_t line;          /* kernel line count at the kill line */
        bool released;          /* nothing left to wait for */
} PendingEvent;

struct OomReportParser {
        uint64_t n_lines;       /* kernel messages seen */

        /* The report being assembled, NULL between reports. */
        OomEvent *cur;
        size_t cur_tasks_allocated;
        bool in_meminfo;
        bool in_table;
        Column columns[MAX_TABLE_COLUMNS];
        size_t n_columns;
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
};

/* Optionally signed decimal at p. Returns the end, or NULL if there is no number
 * or it does not fit (INT64_MIN is OOM_UNSET, so it is excluded too). */
static const char *parse_number(const char *p, int64_t *ret) {
        const char *start;
        uint64_t v = 0;
        bool neg = false;

        if (*p == '-') {
                neg = true;
                p++;
        }
        start = p;
        while (ascii_isdigit(*p)) {
                unsigned d = (unsigned) (*p - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return NULL;
                v = v * 10 + d;
                p++;
        }
        if (p == start || v > INT64_MAX)
                return NULL;
        *ret = neg ? -(int64_t) v : (int64_t) v;
        return p;
}

/* Like parse_number() after optional blanks, as "%5d" pads. */
static const char *parse_padded_number(const char *p, int64_t *ret) {
        return parse_number(skip_blanks(p), ret);
}

/* The whole span must be a number, optionally followed by "kB". */
static bool parse_number_span(const char *p, const char *end, bool kb, int64_t *ret) {
        int64_t v;
        const char *e;

        e = parse_number(p, &v);
        if (!e || e > end)
                return false;
        if (kb && end - e == 2 && strncmp(e, "kB", 2) == 0)
                e += 2;
        if (e != end)
                return false;
        *ret = v;
        return true;
}

/* uids are printed with %d in the task table and the oom-kill: summary, so ids
 * above INT32_MAX (user namespaces ranges) come out negative there. */
static int64_t uid_from_signed(int64_t v) {
        return v < 0 && v >= INT32_MIN ? v + (INT64_C(1) << 32) : v;
}

static int strdup_span(char **dst, const char *s, size_t n) {
        char *c;

        c = strndup(s, n);
        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

static OomEvent *oom_event_new(void) {
        OomEvent *e;

        e = calloc(1, sizeof(OomEvent));
        if (!e)
                return NULL;
        e->trigger_pid = e->order = e->trigger_oom_score_adj = OOM_UNSET;
        e->victim_pid = e->victim_uid = OOM_UNSET;
        e->total_vm_kb = e->anon_rss_kb = e->file_rss_kb = e->shmem_rss_kb = e->pgtables_kb = OOM_UNSET;
        e->victim_oom_score_adj = e->score = OOM_UNSET;
        e->free_pages = e->free_swap_kb = e->total_ram_pages = e->reserved_pages = OOM_UNSET;
        e->scope = OOM_SCOPE_GLOBAL;
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

const char *oom_scope_to_string(OomScope s) {
        return s == OOM_SCOPE_MEMCG ? "memcg" : "global";
}

static int dup_or_null(char **dst, const char *src) {
        if (!src)
                return 0;
        *dst = strdup(src);
        return *dst ? 0 : -ENOMEM;
}

/* What one report tells about the situation, without anything victim-specific. */
static OomEvent *oom_event_clone_context(const OomEvent *src) {
        _cleanup_oom_event_free_ OomEvent *e = NULL;

        e = oom_event_new();
        if (!e)
                return NULL;
        if (dup_or_null(&e->timestamp, src->timestamp) < 0 ||
            dup_or_null(&e->trigger_comm, src->trigger_comm) < 0 ||
            dup_or_null(&e->gfp_mask, src->gfp_mask) < 0 ||
            dup_or_null(&e->constraint, src->constraint) < 0)
                return NULL;
        e->trigger_pid = src->trigger_pid;
        e->order = src->order;
        e->trigger_oom_score_adj = src->trigger_oom_score_adj;
        e->scope = src->scope;
        e->free_pages = src->free_pages;
        e->free_swap_kb = src->free_swap_kb;
        e->total_ram_pages = src->total_ram_pages;
        e->reserved_pages = src->reserved_pages;
        return TAKE_PTR(e);
}

static void reset_report_state(OomReportParser *p) {
        p->in_meminfo = false;
        p->in_table = false;
        p->n_columns = 0;
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

/* Moves the report in progress to the queue. Without a victim there is no reaper
 * line to wait for. */
static int finalize_current(OomReportParser *p) {
        int r;

        if (!p->cur)
                return 0;
        r = push_pending(p, p->cur, p->cur->victim_pid == OOM_UNSET);
        if (r < 0)
                return r;
        p->cur = NULL;
        reset_report_state(p);
        return 0;
}

static int start_report(OomReportParser *p, const char *ts, const OomEvent *context) {
        _cleanup_oom_event_free_ OomEvent *e = NULL;

        e = context ? oom_event_clone_context(context) : oom_event_new();
        if (!e)
                return -ENOMEM;
        /* A follow-up kill of a report keeps the report's timestamp. */
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
        p->cur_tasks_allocated = 0;
        return 0;
}

static int ensure_report(OomReportParser *p, const char *ts) {
        return p->cur ? 0 : start_report(p, ts, NULL);
}

/* "COMM invoked oom-killer: gfp_mask=0x..(FLAGS), [nodemask=.., ]order=N, [oom_adj=N, ]oom_score_adj=N" */
static int handle_header(OomReportParser *p, const char *ts, const char *text) {
        static const char marker[] = " invoked oom-killer: ";
        const char *m, *rest;
        _cleanup_free_ char *comm = NULL, *gfp = NULL;
        int64_t order = OOM_UNSET, adj = OOM_UNSET;
        int r;

        m = strstr(text, marker);
        /* The comm is printed first and may itself contain blanks and parentheses. */
        if (!m || m == text || m - text > MAX_COMM_LEN)
                return 0;

        for (rest = m + strlen(marker); *rest != '\0'; ) {
                const char *end = strstr(rest, ", "), *eq;
                int64_t v;

                if (!end)
                        end = rest + strlen(rest);
                eq = memchr(rest, '=', (size_t) (end - rest));
                if (eq) {
                        size_t klen = (size_t) (eq - rest);

                        if (klen == 8 && strncmp(rest, "gfp_mask", klen) == 0) {
                                r = strdup_span(&gfp, eq + 1, (size_t) (end - eq - 1));
                                if (r < 0)
                                        return r;
                        } else if (klen == 5 && strncmp(rest, "order", klen) == 0) {
                                if (parse_number_span(eq + 1, end, false, &v))
                                        order = v;
                        } else if (klen == 13 && strncmp(rest, "oom_score_adj", klen) == 0) {
                                if (parse_number_span(eq + 1, end, false, &v))
                                        adj = v;
                        }
                }
                rest = *end != '\0' ? end + 2 : end;
        }
        if (!gfp && order == OOM_UNSET)
                return 0;

        comm = strndup(text, (size_t) (m - text));
        if (!comm)
                return -ENOMEM;

        r = finalize_current(p);
        if (r < 0)
                return r;
        r = start_report(p, ts, NULL);
        if (r < 0)
                return r;
        p->cur->trigger_comm = TAKE_PTR(comm);
        p->cur->gfp_mask = TAKE_PTR(gfp);
        p->cur->order = order;
        p->cur->trigger_oom_score_adj = adj;
        return 1;
}

/* "CPU: 1 [UID: 0 ]PID: 4242 Comm: stress Not tainted ..." (3.10+) or
 * "Pid: 4242, comm: stress Not tainted ..." (2.6). Only the dump_stack() of the
 * task that invoked the OOM killer counts, so the comm has to match. */
static void handle_cpu_line(OomReportParser *p, const char *s) {
        const char *q, *comm;
        int64_t pid;
        size_t n;

        if (!p->cur || !p->cur->trigger_comm || p->cur->trigger_pid != OOM_UNSET)
                return;

        if (startswith(s, "CPU: ")) {
                q = strstr(s, " PID: ");
                if (!q)
                        return;
                q = parse_number(q + 6, &pid);
                if (!q || !startswith(q, " Comm: "))
                        return;
                comm = q + 7;
        } else if (startswith(s, "Pid: ")) {
                q = parse_number(s + 5, &pid);
                if (!q || !startswith(q, ", comm: "))
                        return;
                comm = q + 8;
        } else
                return;

        n = strlen(p->cur->trigger_comm);
        if (strncmp(comm, p->cur->trigger_comm, n) != 0 || (comm[n] != ' ' && comm[n] != '\0'))
                return;
        p->cur->trigger_pid = pid;
}

/* Finds the ')' closing a comm: the last one followed by one of the suffixes, so
 * a comm that itself contains ") total-vm:" still ends at the right place. */
static const char *find_comm_end(const char *start, const char *const *suffixes, size_t n_suffixes) {
        const char *found = NULL;

        for (const char *q = strchr(start, ')'); q; q = strchr(q + 1, ')'))
                for (size_t i = 0; i < n_suffixes; i++)
                        if (startswith(q + 1, suffixes[i])) {
                                found = q;
                                break;
                        }
        return found;
}

typedef struct KillLine {
        bool selection;         /* "Kill process ... score ... or sacrifice child" */
        bool memcg;
        int64_t pid;
        const char *comm;
        size_t comm_len;
        int64_t score;
        int64_t uid;
        int64_t total_vm_kb;
        int64_t anon_rss_kb;
        int64_t file_rss_kb;
        int64_t shmem_rss_kb;
        int64_t pgtables_kb;
        int64_t oom_score_adj;
} KillLine;

/* "total-vm:1234kB, anon-rss:5678kB, ..., UID:0 pgtables:123kB oom_score_adj:0", and
 * RHEL 7's ", UID 1000, total-vm:..." */
static void parse_kill_fields(const char *s, KillLine *k) {
        bool uid_next = false;

        while (*s != '\0') {
                const char *end, *colon;
                size_t len;

                while (*s == ' ' || *s == ',')
                        s++;
                end = s;
                while (*end != '\0' && *end != ' ' && *end != ',')
                        end++;
                len = (size_t) (end - s);
                if (len == 0)
                        break;

                colon = memchr(s, ':', len);
                if (uid_next) {
                        (void) parse_number_span(s, end, false, &k->uid);
                        uid_next = false;
                } else if (len == 3 && strncmp(s, "UID", 3) == 0)
                        uid_next = true;
                else if (colon) {
                        static const struct {
                                const char *key;
                                size_t offset;
                                bool kb;
                        } fields[] = {
                                { "total-vm", offsetof(KillLine, total_vm_kb), true },
                                { "anon-rss", offsetof(KillLine, anon_rss_kb), true },
                                { "file-rss", offsetof(KillLine, file_rss_kb), true },
                                { "shmem-rss", offsetof(KillLine, shmem_rss_kb), true },
                                { "pgtables", offsetof(KillLine, pgtables_kb), true },
                                { "UID", offsetof(KillLine, uid), false },
                                { "oom_score_adj", offsetof(KillLine, oom_score_adj), false },
                        };
                        size_t klen = (size_t) (colon - s);

                        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                                if (strlen(fields[i].key) == klen && strncmp(s, fields[i].key, klen) == 0) {
                                        int64_t *dst = (int64_t *) ((char *) k + fields[i].offset);

                                        (void) parse_number_span(colon + 1, end, fields[i].kb, dst);
                                        break;
                                }
                }
                s = end;
        }
}

/* Recognises the kill lines of all kernel generations:
 *   "Out of memory: Killed process 4243 (stress) total-vm:...kB, ..."     5.1+
 *   "Memory cgroup out of memory: Killed process ..."                     5.1+
 *   "Out of memory: Kill process 4243 (stress) score 950 or sacrifice child"  before 5.1
 *   "Killed process 4243 (stress) total-vm:...kB, anon-rss:...kB, ..."     before 5.1
 *   "Killed process 4243 (stress), UID 0, total-vm:..."                    RHEL 7
 *   "Killed process 4243, UID 0, (stress) total-vm:..."                    RHEL 6
 * Only at the start of the message, and the unprefixed form needs total-vm, so
 * other messages that merely mention a killed process do not count. */
static bool parse_kill_line(const char *s, KillLine *k) {
        static const char *const prefixes[] = {
                "Out of memory: ",
                "Memory cgroup out of memory: ",
                "Out of memory (oom_kill_allocating_task): ",
                "No available memory (MPOL_BIND): ",
                "No available memory in cpuset: ",
        };
        static const char *const victim_suffixes[] = { " total-vm:", ", UID " };
        static const char *const score_suffixes[] = { " score " };
        const char *prefix = NULL, *q, *comm, *end;

        *k = (KillLine) {
                .pid = OOM_UNSET, .score = OOM_UNSET, .uid = OOM_UNSET,
                .total_vm_kb = OOM_UNSET, .anon_rss_kb = OOM_UNSET, .file_rss_kb = OOM_UNSET,
                .shmem_rss_kb = OOM_UNSET, .pgtables_kb = OOM_UNSET, .oom_score_adj = OOM_UNSET,
        };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (startswith(s, prefixes[i])) {
                        prefix = prefixes[i];
                        s += strlen(prefix);
                        break;
                }
        k->memcg = prefix && startswith(prefix, "Memory cgroup");

        if (prefix && startswith(s, "Kill process ")) {
                q = parse_number(s + 13, &k->pid);
                if (!q || !startswith(q, " ("))
                        return false;
                comm = q + 2;
                end = find_comm_end(comm, score_suffixes, ELEMENTSOF(score_suffixes));
                if (!end || end - comm > MAX_COMM_LEN)
                        return false;
                q = parse_number(end + 8, &k->score);
                if (!q)
                        return false;
                k->selection = true;
                k->comm = comm;
                k->comm_len = (size_t) (end - comm);
                return true;
        }

        if (!startswith(s, "Killed process "))
                return false;
        q = parse_number(s + 15, &k->pid);
        if (!q)
                return false;
        if (startswith(q, ", UID ")) {
                q = parse_number(q + 6, &k->uid);
                if (!q || !startswith(q, ", ("))
                        return false;
                q++;
        }
        if (!startswith(q, " ("))
                return false;
        comm = q + 2;
        end = find_comm_end(comm, victim_suffixes, ELEMENTSOF(victim_suffixes));
        if (!end) {
                /* 2.6 kernels: "Out of memory: Killed process 4243 (stress)." */
                if (!prefix || !(endswith(comm, ")") || endswith(comm, ").")))
                        return false;
                end = strrchr(comm, ')');
        }
        if (end - comm > MAX_COMM_LEN)
                return false;
        k->comm = comm;
        k->comm_len = (size_t) (end - comm);
        parse_kill_fields(end + 1, k);
        return true;
}

static int handle_kill_line(OomReportParser *p, const char *ts, const KillLine *k) {
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

        if (k->selection) {
                e->score = k->score;
                if (e->victim_pid != k->pid)
                        e->victim_uid = OOM_UNSET;
                e->victim_pid = k->pid;
                return strdup_span(&e->victim_comm, k->comm, k->comm_len);
        }

        /* The kernel may have sacrificed a child of the selected task: the uid learnt
         * from the oom-kill: summary belongs to the parent then. */
        if (e->victim_pid != k->pid)
                e->victim_uid = OOM_UNSET;
        e->victim_pid = k->pid;
        r = strdup_span(&e->victim_comm, k->comm, k->comm_len);
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

/* "oom_reaper: reaped process 4243 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB" */
static void handle_reaper_line(OomReportParser *p, const char *s) {
        int64_t pid;
        const char *q;
        size_t depth = 0;

        q = parse_number(s + strlen("oom_reaper: reaped process "), &pid);
        if (!q || !startswith(q, " ("))
                return;

        for (size_t i = p->n_pending; i > p->pending_head && depth < REAPER_SEARCH_DEPTH; i--, depth++) {
                PendingEvent *pe = &p->pending[i - 1];

                if (pe->event->victim_pid == pid && !pe->event->reaped) {
                        pe->event->reaped = true;
                        pe->released = true;
                        return;
                }
        }
}

/* Splits the tail ",task=COMM,pid=N,uid=N" off an oom-kill: summary. The comm may
 * contain commas, so the numbers are taken from the end. Returns the start of
 * ",task=", or NULL if the line does not end that way. */
static const char *find_oom_kill_tail(const char *body, const char *search_from, int64_t *pid, int64_t *uid,
                                      const char **pid_at) {
        const char *q, *last_pid = NULL;

        for (q = strstr(body, ",pid="); q; q = strstr(q + 1, ",pid="))
                last_pid = q;
        if (!last_pid)
                return NULL;
        q = parse_padded_number(last_pid + 5, pid);
        if (!q || !startswith(q, ",uid="))
                return NULL;
        q = parse_padded_number(q + 5, uid);
        if (!q || *skip_blanks(q) != '\0')
                return NULL;
        *pid_at = last_pid;

        /* The first ",task=" after the cgroup path: a comm may contain ",task=", a
         * cgroup path practically never does. */
        q = strstr(search_from, ",task=");
        return q && q < last_pid ? q : NULL;
}

/* "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,
 *  global_oom|oom_memcg=/foo,task_memcg=/foo/bar,task=stress,pid=4243,uid=0" (4.19+) */
static int handle_oom_kill_line(OomReportParser *p, const char *ts, const char *s) {
        const char *body = s + strlen("oom-kill:"), *memcg_at, *task_at, *pid_at = NULL, *v;
        int64_t pid, uid;
        OomEvent *e;
        int r;

        if (!startswith(body, "constraint="))
                return 0;

        memcg_at = strstr(body, ",task_memcg=");
        task_at = find_oom_kill_tail(body, memcg_at ? memcg_at + 12 : body, &pid, &uid, &pid_at);
        if (!task_at) {
                /* Wait for the rest rather than start a report on half a line. */
                free(p->oom_kill_head);
                p->oom_kill_head = strdup(s);
                if (!p->oom_kill_head)
                        return -ENOMEM;
                if (!p->cur)
                        return 0;
        } else {
                free(p->oom_kill_head);
                p->oom_kill_head = NULL;
        }

        r = ensure_report(p, ts);
        if (r < 0)
                return r;
        e = p->cur;
        p->in_table = false;
        p->in_meminfo = false;

        v = body + strlen("constraint=");
        r = strdup_span(&e->constraint, v, (size_t) (strchrnul(v, ',') - v));
        if (r < 0)
                return r;
        if (streq(e->constraint, "CONSTRAINT_MEMCG"))
                e->scope = OOM_SCOPE_MEMCG;
        if (strstr(body, ",oom_memcg="))
                e->scope = OOM_SCOPE_MEMCG;
        if (!task_at)
                return 0;

        if (memcg_at) {
                r = strdup_span(&e->task_memcg, memcg_at + 12, (size_t) (task_at - memcg_at - 12));
                if (r < 0)
                        return r;
        }
        if (e->victim_pid != pid)
                e->victim_uid = OOM_UNSET;
        e->victim_pid = pid;
        r = strdup_span(&e->victim_comm, task_at + 6, (size_t) (pid_at - task_at - 6));
        if (r < 0)
                return r;
        e->victim_uid = uid_from_signed(uid);
        return 0;
}

static Column column_from_name(const char *s, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(column_names); i++)
                if (column_names[i] && strlen(column_names[i]) == n && strncmp(s, column_names[i], n) == 0)
                        return (Column) i;
        return COLUMN_UNKNOWN;
}

/* "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name"    3.10
 * "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name"
 * "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"  4.19+
 * "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes ..." */
static bool handle_table_header(OomReportParser *p, const char *s) {
        const char *q;
        size_t n = 0;

        if (*s != '[')
                return false;
        q = skip_blanks(s + 1);
        if (!startswith(q, "pid"))
                return false;
        q = skip_blanks(q + 3);
        if (*q != ']' || !endswith(q, " name"))
                return false;
        q++;

        for (;;) {
                const char *w;

                q = skip_blanks(q);
                w = q;
                while (*q != '\0' && !ascii_isblank(*q))
                        q++;
                if (q == w)
                        return false;
                if ((size_t) (q - w) == 4 && strncmp(w, "name", 4) == 0 && *skip_blanks(q) == '\0')
                        break;
                if (n >= MAX_TABLE_COLUMNS)
                        return false;
                p->columns[n++] = column_from_name(w, (size_t) (q - w));
        }

        p->n_columns = n;
        p->in_table = true;
        p->in_meminfo = false;
        p->cur->has_task_table = true;
        return true;
}

/* "[  1234]     0  1234   123456     7890 ...         0 name with blanks" */
static int handle_table_row(OomReportParser *p, const char *s) {
        OomTaskRow row = {
                .uid = OOM_UNSET, .tgid = OOM_UNSET, .total_vm = OOM_UNSET, .rss = OOM_UNSET,
                .rss_anon = OOM_UNSET, .rss_file = OOM_UNSET, .rss_shmem = OOM_UNSET,
                .pgtables_bytes = OOM_UNSET, .nr_ptes = OOM_UNSET, .swapents = OOM_UNSET,
                .oom_score_adj = OOM_UNSET,
        };
        OomEvent *e = p->cur;
        const char *q;

        q = parse_padded_number(s + 1, &row.pid);
        if (!q || *q != ']')
                return 0;
        q++;

        for (size_t i = 0; i < p->n_columns; i++) {
                int64_t v;

                if (!ascii_isblank(*q))
                        return 0;
                q = parse_padded_number(q, &v);
                if (!q)
                        return 0;
                switch (p->columns[i]) {
                case COLUMN_UID:            row.uid = uid_from_signed(v); break;
                case COLUMN_TGID:           row.tgid = v; break;
                case COLUMN_TOTAL_VM:       row.total_vm = v; break;
                case COLUMN_RSS:            row.rss = v; break;
                case COLUMN_RSS_ANON:       row.rss_anon = v; break;
                case COLUMN_RSS_FILE:       row.rss_file = v; break;
                case COLUMN_RSS_SHMEM:      row.rss_shmem = v; break;
                case COLUMN_NR_PTES:        row.nr_ptes = v; break;
                case COLUMN_PGTABLES_BYTES: row.pgtables_bytes = v; break;
                case COLUMN_SWAPENTS:       row.swapents = v; break;
                case COLUMN_OOM_SCORE_ADJ:  row.oom_score_adj = v; break;
                case COLUMN_NR_PMDS:
                case COLUMN_UNKNOWN:
                        break;
                }
        }
        /* The name follows after exactly one blank ("%5hd %s") and may contain more. */
        if (*q != ' ')
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
        row.name = strdup(q + 1);
        if (!row.name)
                return -ENOMEM;
        e->tasks[e->n_tasks++] = row;
        return 0;
}

/* " free:12345 free_pcp:61 free_cma:0" in the Mem-Info block. The per-node lines
 * have "free:...kB" and are not what is wanted. */
static void handle_meminfo_line(OomEvent *e, const char *s) {
        if (startswith(s, "Node "))
                return;
        for (const char *q = s; *q != '\0'; ) {
                const char *end;

                q = skip_blanks(q);
                end = q;
                while (*end != '\0' && !ascii_isblank(*end))
                        end++;
                if (startswith(q, "free:") && end > q + 5)
                        (void) parse_number_span(q + 5, end, false, &e->free_pages);
                q = end;
        }
}

/* Lines of the report between the header and the kill line. */
static int handle_report_body(OomReportParser *p, const char *s) {
        OomEvent *e = p->cur;
        const char *q;
        int64_t v;

        if (startswith(s, "CPU: ") || startswith(s, "Pid: ")) {
                handle_cpu_line(p, s);
                return 0;
        }
        if (streq(s, "Mem-Info:")) {
                p->in_meminfo = true;
                return 0;
        }
        if (startswith(s, "Free swap ")) {
                q = skip_blanks(s + 10);
                if (*q == '=' && parse_number_span(skip_blanks(q + 1), q + strlen(q), true, &v))
                        e->free_swap_kb = v;
                return 0;
        }
        if (endswith(s, " pages RAM") || endswith(s, " pages reserved")) {
                q = parse_number(s, &v);
                if (q && streq(q, " pages RAM"))
                        e->total_ram_pages = v;
                else if (q && streq(q, " pages reserved"))
                        e->reserved_pages = v;
                return 0;
        }
        if (startswith(s, "Task in ")) {
                /* Memcg OOMs before 4.19: "Task in /a/b killed as a result of limit of /a" */
                const char *m = strstr(s, " killed as a result of limit of ");

                e->scope = OOM_SCOPE_MEMCG;
                if (m && !e->task_memcg)
                        return strdup_span(&e->task_memcg, s + 8, (size_t) (m - s - 8));
                return 0;
        }
        if (startswith(s, "memory: usage ") || startswith(s, "Memory cgroup stats for ")) {
                e->scope = OOM_SCOPE_MEMCG;
                return 0;
        }
        if (*s == '[') {
                if (handle_table_header(p, s))
                        return 0;
                if (p->in_table)
                        return handle_table_row(p, s);
                return 0;
        }
        if (p->in_meminfo)
                handle_meminfo_line(e, s);
        return 0;
}

/* One kernel message (one line of a multi-line record). */
static int handle_message(OomReportParser *p, const char *ts, const char *text) {
        const char *s = skip_blanks(text);
        KillLine k;
        int r;

        p->n_lines++;

        r = handle_header(p, ts, text);
        if (r != 0)
                return r < 0 ? r : 0;

        if (startswith(s, "oom_reaper: reaped process ")) {
                handle_reaper_line(p, s);
                return 0;
        }
        if (parse_kill_line(s, &k))
                return handle_kill_line(p, ts, &k);
        if (startswith(s, "oom-kill:"))
                return handle_oom_kill_line(p, ts, s);
        if (*s == ',' && p->oom_kill_head) {
                _cleanup_free_ char *joined = NULL;

                if (asprintf(&joined, "%s%s", p->oom_kill_head, s) < 0)
                        return -ENOMEM;
                free(p->oom_kill_head);
                p->oom_kill_head = NULL;
                return handle_oom_kill_line(p, ts, joined);
        }
        if (startswith(s, "Tasks in ") && endswith(s, " are going to be killed due to memory.oom.group set")) {
                if (p->n_pending > p->pending_head && !p->cur) {
                        p->group_context = oom_event_free(p->group_context);
                        p->group_context = oom_event_clone_context(p->pending[p->n_pending - 1].event);
                        if (!p->group_context)
                                return -ENOMEM;
                }
                return 0;
        }
        if (p->cur)
                return handle_report_body(p, s);
        return 0;
}

int oom_report_parser_new(OomReportParser **ret) {
        OomReportParser *p;

        p = calloc(1, sizeof(OomReportParser));
        if (!p)
                return -ENOMEM;
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

int oom_report_parser_feed_line(OomReportParser *p, const char *line) {
        _cleanup_(klog_line_done) KlogLine l = {};
        const char *ts;
        char *text;
        int r;

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

        text = l.text;
        for (;;) {
                char *nl = strchr(text, '\n');

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

void oom_report_parser_flush(OomReportParser *p) {
        for (size_t i = p->pending_head; i < p->n_pending; i++)
                p->pending[i].released = true;
}

int oom_report_parser_finish(OomReportParser *p) {
        int r;

        r = finalize_current(p);
        if (r < 0)
                return r;
        oom_report_parser_flush(p);
        p->group_context = oom_event_free(p->group_context);
        free(p->oom_kill_head);
        p->oom_kill_head = NULL;
        p->prev_other = p->prev_kmsg = false;
        free(p->prev_timestamp);
        p->prev_timestamp = NULL;
        return 0;
}

int oom_report_parser_pop(OomReportParser *p, OomEvent **ret) {
        PendingEvent *pe;

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
