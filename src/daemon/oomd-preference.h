/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/types.h>

#include "daemon/manager.h"

/* The daemon's side of the oomd_preference rule key: for a process a rule with
 * the key matched, sets ManagedOOMPreference= of the unit that holds it, once
 * per unit, and gives the value from before back when the rule goes away
 * (reload) or the daemon stops with restore_on_exit. Decisions are in
 * apply/oomd-pref.h, the D-Bus calls in inspect/unit-pref.h. A missing bus or
 * a refusal is logged once and stops nothing. */

int unit_prefs_new(UnitPrefs **ret);
UnitPrefs *unit_prefs_free(UnitPrefs *u);

/* After rule matched the process pid (pid_fd open on ROOT/proc/PID). */
void oomd_preference_evaluate(Manager *m, int pid_fd, pid_t pid, const Rule *rule);
/* Once the new policy is in m->policy, before the rescan. */
void oomd_preference_after_reload(Manager *m);
/* restore_on_exit. */
void oomd_preference_restore_all(Manager *m);
