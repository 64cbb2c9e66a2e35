/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "policy/policy.h"

/* The daemon's decisions about one process's oom_score_adj, as pure functions:
 * what is known of the process in, what to write and what to remember out. The
 * daemon carries them out (src/daemon/tracking.c); oompolicyctl apply, which
 * remembers nothing between runs, asks the same question with known == NULL. */

/* What the daemon remembers of a process between events. It keeps this only for
 * processes a rule matched, that it changed, or whose children it must watch. */
typedef struct ProcMemory {
        uint64_t start_time;       /* 0 = not known yet (learnt from a FORK event) */
        int original;              /* the value before the daemon changed it */
        int written;               /* the value the daemon last wrote (or the one inherited) */
        bool changed;              /* "original" is to be given back on restore */
        bool matched;              /* a rule matched at the last evaluation */
        bool reset_children;       /* ... and that rule says children = reset */
        bool lineage;              /* descends from a reset rule's process, carrying lineage_value */
        int lineage_value;
} ProcMemory;

/* What was just read from /proc. */
typedef struct ProcSeen {
        uint64_t start_time;       /* 0 = not read */
        int oom_score_adj;
        bool skip;                 /* kernel thread or zombie: never touched */
} ProcSeen;

typedef enum AdjWrite {
        ADJ_WRITE_NONE,
        ADJ_WRITE_RULE,            /* the matching rule's value */
        ADJ_WRITE_RESET_CHILD,     /* the default, for a child of a children = reset rule's process */
        ADJ_WRITE_RESTORE,         /* the value from before, for a process no rule matches any more */
} AdjWrite;

typedef struct ProcMemoryUpdate {
        bool keep;                 /* false: forget the process */
        ProcMemory memory;
} ProcMemoryUpdate;

typedef struct AdjDecision {
        AdjWrite write;
        int value;                 /* what to write, unless write == ADJ_WRITE_NONE */
        ProcMemoryUpdate after;          /* when the write succeeded or none was needed */
        ProcMemoryUpdate after_refused;  /* when the kernel refused the write */
} AdjDecision;

/* known: what is remembered of the process (NULL: nothing); seen: what /proc says
 * now; rule: the rule that matches it (NULL: none); default_adj: the policy's
 * default_oom_score_adj. A remembered start time that differs from the one seen
 * means another process got the PID: what was remembered is then ignored. */
AdjDecision adj_decide(const ProcMemory *known, const ProcSeen *seen, const Rule *rule, int default_adj);

/* What a forked child inherits from its parent's memory (the kernel copied the
 * parent's value into it). */
ProcMemory proc_memory_forked(const ProcMemory *parent);

/* Whether restoring (restore_on_exit) may write known->original back: only a
 * value the daemon wrote, still in place, in the same process. */
bool adj_restorable(const ProcMemory *known, const ProcSeen *seen);

const char *adj_write_to_string(AdjWrite w);
