/* SPDX-License-Identifier: MIT */
#pragma once

/* Joins the kernel's OOM kills with oompolicyd's kill entries in the journal
 * (MESSAGE_ID_OOM_KILL, see src/daemon/oom-kill-note.h): the daemon names the
 * rule that governed the victim, the kernel report the kill. Pure: the journal
 * reader hands over the fields, this matches them. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/oom-event.h"

/* The daemon's MESSAGE_ID of a kill entry (src/daemon/log.h). */
#define EVENTS_KILL_NOTE_MESSAGE_ID "0b8f6a5e3c1d4e7fa2b9c4d5e6f7080a"

/* The rule of a kill as the daemon logged it. */
typedef struct KillRule {
        char *name;             /* NULL: the daemon knew of no rule for the victim */
        char *origin;           /* "FILE:LINE" of its oom_score_adj; NULL if not logged */
        int64_t oom_score_adj;  /* OOM_UNSET if not logged */
} KillRule;

typedef struct KillNote {
        char boot_id[33];
        int64_t pid;
        char *comm;             /* NULL if not logged */
        KillRule rule;
        bool used;              /* joined with a kill already */
} KillNote;

typedef struct KillNotes {
        KillNote *notes;
        size_t n, allocated;
} KillNotes;

void kill_notes_done(KillNotes *t);

/* One daemon entry, from the values of its fields (NULL: field absent):
 * OOMPOLICY_VICTIM_PID, OOMPOLICY_VICTIM_COMM, OOMPOLICY_RULE,
 * OOMPOLICY_RULE_ORIGIN and OOMPOLICY_RULE_OOM_SCORE_ADJ. -EINVAL when the boot
 * id or the pid is missing or malformed (the entry cannot be joined), -ENOMEM. */
int kill_notes_add(KillNotes *t, const char *boot_id, const char *pid, const char *comm, const char *rule,
                   const char *origin, const char *adj);

/* The daemon's entry for the kill e of boot boot_id: the oldest not yet joined
 * one of that boot with the victim's pid and, where both are known, its comm.
 * Marks it joined. NULL if there is none (yet). */
const KillNote *kill_notes_join(KillNotes *t, const char *boot_id, const OomEvent *e);
