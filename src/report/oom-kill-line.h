/* SPDX-License-Identifier: MIT */
#pragma once

/* The grammar of the kernel messages that name an OOM victim: the kill line of
 * every kernel generation, the "oom-kill:" summary (4.19+) and the oom_reaper
 * line. Pure functions on one message (the text after the rendering's prefix,
 * leading blanks skipped, see klog-line.h); the results point into it. They
 * say what a line holds; what it means for the report around it is
 * oom-report.c's business. A new wording of these lines (another kernel or
 * distribution) is added here. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct OomKillLine {
        /* "Kill process N (comm) score S or sacrifice child" (before 5.1): the
         * selected task, and only pid, comm and score are set. */
        bool selection;
        bool memcg;             /* "Memory cgroup out of memory: ..." */
        int64_t pid;
        const char *comm;       /* comm_len bytes, not NUL-terminated */
        size_t comm_len;
        int64_t score;
        /* The rest is OOM_UNSET where the line does not say. */
        int64_t uid;
        int64_t total_vm_kb;
        int64_t anon_rss_kb;
        int64_t file_rss_kb;
        int64_t shmem_rss_kb;
        int64_t pgtables_kb;
        int64_t oom_score_adj;
} OomKillLine;

/* Recognises the kill lines of all kernel generations:
 *   "Out of memory: Killed process 4243 (stress) total-vm:...kB, ..."     5.1+
 *   "Memory cgroup out of memory: Killed process ..."                     5.1+
 *   "Out of memory: Kill process 4243 (stress) score 950 or sacrifice child"  before 5.1
 *   "Killed process 4243 (stress) total-vm:...kB, anon-rss:...kB, ..."     before 5.1
 *   "Killed process 4243 (stress), UID 0, total-vm:..."                    RHEL 7
 *   "Killed process 4243, UID 0, (stress) total-vm:..."                    RHEL 6
 *   "Out of memory: Killed process 4243 (stress)."                         2.6
 *   "Out of memory: kill process 4243 (stress) score 95 or a child"        2.6.2x-3x
 *   "Killed process 4244 (child)"                                          2.6.2x-3x
 *   "Out of Memory: Kill process 4243 (stress) score 9 and children."      2.6.18
 * Only at the start of the message, and the unprefixed form needs the memory
 * fields or nothing at all after the comm, so other messages that merely mention
 * a killed process do not count. */
bool oom_kill_line_parse(const char *s, OomKillLine *ret);

/* "oom_reaper: reaped process 4243 (stress), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB".
 * True for every message that starts "oom_reaper: reaped process "; *ret_pid is
 * OOM_UNSET when the rest cannot be read. The comm (*ret_comm, *ret_comm_len
 * bytes; the parentheses may be part of it) is NULL when the line does not close
 * it with "), now " or a final ")". */
bool oom_reaper_line_parse(const char *s, int64_t *ret_pid, const char **ret_comm, size_t *ret_comm_len);

/* "Out of memory and no killable processes..." (printed by the memcg OOM killer, or as
 * the panic "Kernel panic - not syncing: Out of memory and no killable processes...").
 * It ends a report that killed nothing. */
bool oom_no_killable_line_parse(const char *s);

/* "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,
 *  global_oom|oom_memcg=/foo,task_memcg=/foo/bar,task=stress,pid=4243,uid=0" (4.19+) */
typedef struct OomKillSummary {
        /* NULL unless the message continues "constraint=": then nothing below is set. */
        const char *constraint;
        size_t constraint_len;
        /* CONSTRAINT_MEMCG, or an ",oom_memcg=" part */
        bool memcg;
        /* The line ends in ",task=COMM,pid=N,uid=N". Some 4.19 stable kernels
         * split it in two records; without the end nothing below is set. */
        bool complete;
        const char *task_memcg; /* NULL without ",task_memcg=" */
        size_t task_memcg_len;
        const char *comm;
        size_t comm_len;
        int64_t pid;
        int64_t uid;            /* unsigned, though the kernel prints it with %d */
} OomKillSummary;

/* True for every message that starts "oom-kill:". */
bool oom_kill_summary_parse(const char *s, OomKillSummary *ret);
