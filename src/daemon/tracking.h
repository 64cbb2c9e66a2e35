/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/types.h>

#include "daemon/manager.h"
#include "daemon/proc-events.h"

/* The daemon's per-process work: evaluating a process after an event or in a
 * scan, carrying out adj_decide()'s verdict (the write, its log line and
 * counters, what is remembered), fork and exit bookkeeping, and the rules of
 * processes that exited recently, for naming an OOM kill's governing rule. */

/* The value destructor of Manager.rule_refs. */
void rule_ref_free(void *p);

/* Once per policy, so that evaluating a process costs no string building. */
void tracking_intern_policy_rules(Manager *m);

void tracking_handle_fork(Manager *m, const ProcEvent *ev);
void tracking_handle_exit(Manager *m, pid_t pid);

/* The rule that governed the process pid named comm, while it ran or when it
 * exited recently; NULL if none or unknown. */
const RuleRef *tracking_rule_of(const Manager *m, pid_t pid, const char *comm);

/* restore_on_exit: every value the daemon wrote and that is still in place goes back. */
void tracking_restore_all(Manager *m);
