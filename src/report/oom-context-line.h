/* SPDX-License-Identifier: MIT */
#pragma once

/* The grammar of the kernel messages of an OOM report that describe the
 * situation rather than the victim: the trigger line that opens a report, the
 * dump_stack() header of the task that invoked the OOM killer, the memory state
 * (Mem-Info, show_mem) and the memory cgroup lines. Pure functions on one
 * message, like oom-kill-line.h; the results point into it. A new wording of
 * these lines is added here. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "COMM invoked oom-killer: gfp_mask=0x..(FLAGS), [nodemask=.., ]order=N, [oom_adj=N, ]oom_score_adj=N",
 * "COMM invoked oom-killer: gfp_mask=0x..., order=N, oomkilladj=N" (2.6.19-2.6.35),
 * "oom-killer: gfp_mask=0x..., order=N" (up to 2.6.18: no comm), and
 * "COMM invoked oom-killer" alone (an excerpt trimmed by hand: comm only) */
typedef struct OomTriggerLine {
        const char *comm;       /* comm_len bytes; may contain blanks and parentheses; NULL if not printed */
        size_t comm_len;
        const char *gfp_mask;   /* gfp_mask_len bytes as printed; NULL if absent */
        size_t gfp_mask_len;
        int64_t order;          /* OOM_UNSET if absent */
        int64_t oom_score_adj;  /* OOM_UNSET if absent */
        int64_t oom_adj;        /* the legacy oom_adj (-17..15): "oom_adj=" or "oomkilladj="; OOM_UNSET if absent */
} OomTriggerLine;

/* Takes the message as it is, leading blanks included: the comm comes first.
 * A line with an argument list but neither gfp_mask nor order in it is not a
 * trigger line. */
bool oom_trigger_line_parse(const char *text, OomTriggerLine *ret);

/* "Tasks in /a are going to be killed due to memory.oom.group set": further kill
 * lines of the same report follow, of tasks in /a (*ret_cgroup, *ret_len bytes,
 * possibly empty). */
bool oom_group_line_parse(const char *s, const char **ret_cgroup, size_t *ret_len);

/* The first line of another kind of kernel report, which an OOM report does not
 * contain unless another CPU's messages interleave with it: "X: page allocation
 * failure: order:0, mode:...", "------------[ cut here ]------------", "BUG: ...",
 * "Unable to handle kernel ...", "Internal error: ...". */
bool oom_foreign_report_line(const char *s);

typedef enum OomContextKind {
        OOM_CONTEXT_OTHER,              /* none of the below */
        /* "CPU: 1 [UID: 0 ]PID: 4242 Comm: stress Not tainted ..." (3.10+) or
         * "Pid: 4242, comm: stress Not tainted ..." (2.6): value is the pid and
         * text the comm and everything after it (a comm may contain blanks, so
         * oom_context_line_names() compares it with a known name). */
        OOM_CONTEXT_DUMP_STACK,
        OOM_CONTEXT_MEM_INFO,           /* "Mem-Info:": show_mem()'s counters follow */
        OOM_CONTEXT_FREE_SWAP,          /* "Free swap  = 1234kB": value in kB */
        OOM_CONTEXT_PAGES_RAM,          /* "1048575 pages RAM": value */
        OOM_CONTEXT_PAGES_RESERVED,     /* "34458 pages reserved": value */
        /* "Task in /a/b killed as a result of limit of /a" (memcg OOMs before
         * 4.19): text is the task's memory cgroup */
        OOM_CONTEXT_MEMCG_LIMIT,
        OOM_CONTEXT_MEMCG_INFO,         /* "memory: usage ..." or "Memory cgroup stats for ..." */
} OomContextKind;

typedef struct OomContextLine {
        OomContextKind kind;
        int64_t value;                  /* OOM_UNSET where the kind has none, or it cannot be read */
        const char *text;               /* text_len bytes; NULL where the kind has none, or it cannot be read */
        size_t text_len;
} OomContextLine;

/* Says which of the kinds above the message s (leading blanks skipped) is. */
void oom_context_line_parse(const char *s, OomContextLine *ret);

/* Whether the comm of an OOM_CONTEXT_DUMP_STACK line is comm. */
bool oom_context_line_names(const OomContextLine *l, const char *comm);

/* The "free:N" counter (in pages) of a line inside the Mem-Info block
 * (" free:12345 free_pcp:61 free_cma:0"), or OOM_UNSET. The per-node lines
 * ("Node 0 DMA free:15732kB ...") are not what is wanted and give OOM_UNSET. */
int64_t oom_meminfo_free_pages(const char *s);
