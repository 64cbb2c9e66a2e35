/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

#include "policy/policy.h"

/* What to do about the systemd-oomd preference (ManagedOOMPreference=) of a
 * unit that holds a matched process, as pure functions over what is known.
 * The D-Bus calls that carry it out are in src/inspect/unit-pref.h. */

/* What is remembered of a unit whose preference was set (or refused). */
typedef struct UnitPrefMemory {
        const char *unit;
        const char *previous;      /* its value before us ("none", "avoid", "omit") */
        OomdPreference set;        /* what we set */
        const char *rule;          /* the rule that asked for it */
        bool skipped;              /* not root-owned: said once, nothing set */
} UnitPrefMemory;

typedef enum UnitPrefAction {
        UNIT_PREF_NONE,            /* nothing to do */
        UNIT_PREF_SET,             /* read the value (when not remembered), then set `wanted` */
        UNIT_PREF_SKIP_USER_OWNED, /* a user owns the cgroup: systemd-oomd ignores its preference */
} UnitPrefAction;

/* known: what is remembered of the unit (NULL: nothing); wanted: the matching
 * rule's oomd_preference; root_owned: whether root owns the unit's cgroup. */
UnitPrefAction unit_pref_decide(const UnitPrefMemory *known, OomdPreference wanted, bool root_owned);

/* After a reload into p: whether the unit's previous value goes back now
 * (true), because the rule that set it is gone or no longer asks for a
 * preference. A rule that asks for another one keeps the memory: the next
 * evaluation sets the new value and the value from before us stays known. */
bool unit_pref_restore_after_reload(const UnitPrefMemory *known, const Policy *p);

/* Whether known->previous should be written back at all: only for a unit we set. */
bool unit_pref_restorable(const UnitPrefMemory *known);

const char *unit_pref_action_to_string(UnitPrefAction a);
