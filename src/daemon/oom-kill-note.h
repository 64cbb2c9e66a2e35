/* SPDX-License-Identifier: MIT */
#pragma once

/* What the daemon says about one OOM kill: the journal message, its level and
 * its structured fields. Pure, so the exact wording and fields are unit-tested. */

#include "report/oom-report.h"

/* The rule that governed the victim when it was killed, as the daemon knew it. */
typedef struct KillAttribution {
        const char *rule;        /* NULL: no rule matched the victim */
        int rule_adj;            /* the value the rule sets */
        const char *origin;      /* "FILE:LINE" of that value, or NULL */
} KillAttribution;

#define OOM_KILL_NOTE_FIELDS_MAX 12

typedef struct OomKillNote {
        int level;               /* LOG_NOTICE, or LOG_WARNING when the policy meant to protect the victim */
        bool protected_victim;   /* its rule sets a negative value */
        char *message;
        /* "OOMPOLICY_VICTIM_PID=1234", ... NULL-terminated; absent values are left out. */
        char *fields[OOM_KILL_NOTE_FIELDS_MAX + 1];
} OomKillNote;

/* Returns 0 or -ENOMEM. */
int oom_kill_note_build(const OomEvent *e, const KillAttribution *a, OomKillNote *ret);
void oom_kill_note_done(OomKillNote *n);

/* anon + file + shmem resident kB of the victim, as far as the kill line gave
 * them; OOM_UNSET when it gave none. */
int64_t oom_event_victim_rss_kb(const OomEvent *e);
