/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared between bench/oombench-target.c (the exec'd child) and
 * bench/oombench-spawn.c (the spawner): one fixed-size record per child,
 * written with a single write(2) to the pipe inherited on OOMBENCH_FD.
 * Records are far below PIPE_BUF, so concurrent writers never interleave. */

#include <stdint.h>

#define OOMBENCH_FD 3

/* argv[1] of the child. */
#define OOMBENCH_MODE_TARGET 't'   /* polls until it sees the rule's value */
#define OOMBENCH_MODE_RENAME 'r'   /* renames itself into the rule's name, then polls */
#define OOMBENCH_MODE_DECOY  'd'   /* no rule: sleeps, reads its value at exit */
#define OOMBENCH_MODE_QUICK  'q'   /* target that does not poll: reads at start and exit only */
#define OOMBENCH_MODE_HOLD   'h'   /* long-lived: reads at start, waits for SIGTERM, reads again */

typedef struct OombenchRecord {
        int32_t pid;
        char mode;
        uint8_t seen_at_start;     /* the rule's value was there at the first read in main() */
        uint8_t pre_rename_set;    /* RENAME: the value was there before prctl() (must not be) */
        uint8_t pad;
        int32_t want;              /* value the rule sets (targets) */
        int32_t first_adj;         /* first read in main() */
        int32_t final_adj;         /* last read, just before exit */
        int32_t polls;             /* reads of oom_score_adj */
        uint64_t t_main;           /* CLOCK_MONOTONIC ns, first line of main() */
        uint64_t t_ready;          /* after prctl(PR_SET_NAME) (RENAME), else = t_main */
        uint64_t t_seen;           /* end of the first read that returned `want`; 0 = never */
        uint64_t t_exit;           /* just before the record is written */
} OombenchRecord;

_Static_assert(sizeof(OombenchRecord) <= 512, "records must stay far below PIPE_BUF");
