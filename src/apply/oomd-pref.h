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

/* systemd-oomd does not read ManagedOOMPreference= but two extended attributes
 * of the unit's cgroup, which systemd 252 writes only when it creates the
 * cgroup. What they must be for a value ("avoid", "omit", "none"), as systemd
 * writes them: the one named "1", the other absent. */
#define OOMD_XATTR_AVOID "user.oomd_avoid"
#define OOMD_XATTR_OMIT "user.oomd_omit"

typedef enum OomdXattrChange {
        OOMD_XATTR_KEEP,
        OOMD_XATTR_SET,            /* write "1" */
        OOMD_XATTR_REMOVE,
} OomdXattrChange;

typedef struct OomdXattrPlan {
        OomdXattrChange avoid, omit;
} OomdXattrPlan;

/* Whether an attribute's value counts for systemd-oomd (it parses a boolean);
 * value NULL: the attribute is absent. */
bool oomd_xattr_value_true(const char *value);

/* has_avoid, has_omit: what the cgroup has now (oomd_xattr_value_true). Returns
 * whether anything is to change. */
bool oomd_xattr_plan(const char *value, bool has_avoid, bool has_omit, OomdXattrPlan *ret);

/* The attribute that decides whether value is in effect: the one value names,
 * or for "none" the one that is there although it should not be. */
const char *oomd_xattr_name_for(const char *value, bool has_avoid, bool has_omit);
