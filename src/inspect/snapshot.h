/* SPDX-License-Identifier: MIT */
#pragma once

/* One pass over ROOT/proc collecting what `oompolicyctl top/explain/simulate`
 * need about every process: the matcher's fields, the memory numbers of the
 * badness formula, the kernel's own oom_score, and the memory cgroup. This is
 * the effectful half; ranking and explaining (inspect.h) work on the records. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shared/macro.h"
#include "inspect/meminfo.h"
#include "proc/proc-info.h"
#include "proc/rootfs.h"

typedef struct ProcRecord {
        /* stat, oom_score_adj, and for processes with a user space also uid,
         * exe, cmdline and cgroup (see ProcInfo.fields for what was readable). */
        ProcInfo info;
        /* false for kernel threads, zombies and exiting tasks: status shows no
         * Vm* lines, oom_badness() finds no mm and skips them. */
        bool has_mm;
        ProcMemory memory;         /* valid if has_mm */
        uint64_t oom_score;        /* /proc/PID/oom_score when it was read */
        char *memcg_v1;            /* path on the v1 memory hierarchy; NULL when there is none */
        char *cgroup_v2;           /* the "0::" path; NULL when there is none */
} ProcRecord;

void proc_record_done(ProcRecord *r);

/* Resident memory as oom_badness() counts it (anon + file + shmem) and swap,
 * in kB; 0 without an mm. */
uint64_t proc_record_rss_kb(const ProcRecord *r);
uint64_t proc_record_swap_kb(const ProcRecord *r);

typedef struct Snapshot {
        ProcRecord *procs;         /* ascending PID */
        size_t n_procs;
        MemInfo meminfo;
        uint64_t page_size;
        uint64_t totalpages;       /* global: MemTotal + SwapTotal, in pages */
        /* Processes that exist but could not be read (not counting those that
         * exited during the scan, which are left out silently). */
        size_t n_unreadable;
        pid_t first_unreadable_pid;
        int first_unreadable_error;
} Snapshot;

Snapshot *snapshot_free(Snapshot *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(Snapshot *, snapshot_free);
#define _cleanup_snapshot_ _cleanup_(snapshot_freep)

/* Reads ROOT/proc/meminfo and every ROOT/proc/PID. page_size converts the kB
 * of status and meminfo into pages (sysconf(_SC_PAGESIZE) on a live system).
 * Fails only when meminfo or the /proc directory itself cannot be read. */
int snapshot_take(const RootFs *fs, uint64_t page_size, Snapshot **ret);

/* One process through its /proc/PID fd. -ESRCH when it is gone (also when it
 * exits half way), -EBADMSG for malformed files. */
int snapshot_read_process(int pid_fd, pid_t pid, ProcRecord *ret);

int snapshot_read_meminfo(const RootFs *fs, MemInfo *ret);

/* The record of pid, or NULL. */
const ProcRecord *snapshot_find(const Snapshot *s, pid_t pid);
