/* SPDX-License-Identifier: MIT */
#include "apply/oomd-pref.h"

#include <assert.h>
#include <string.h>
#include <strings.h>

#include "shared/macro.h"
#include "shared/string-util.h"

UnitPrefAction unit_pref_decide(const UnitPrefMemory *known, OomdPreference wanted, bool root_owned) {
        if (wanted == OOMD_PREFERENCE_UNSET)
                return UNIT_PREF_NONE;
        if (known && known->set == wanted)
                return UNIT_PREF_NONE;
        if (!root_owned)
                /* Said once per unit: the memory of a skip stops a repeat. */
                return known && known->skipped ? UNIT_PREF_NONE : UNIT_PREF_SKIP_USER_OWNED;
        return UNIT_PREF_SET;
}

bool unit_pref_restore_after_reload(const UnitPrefMemory *known, const Policy *p) {
        assert(known);
        assert(p);

        if (known->skipped || known->set == OOMD_PREFERENCE_UNSET)
                return false;
        for (size_t i = 0; i < p->n_rules; i++)
                if (known->rule && strcmp(p->rules[i].name, known->rule) == 0 &&
                    p->rules[i].oomd_preference != OOMD_PREFERENCE_UNSET)
                        return false;
        return true;
}

bool unit_pref_restorable(const UnitPrefMemory *known) {
        assert(known);
        return !known->skipped && known->set != OOMD_PREFERENCE_UNSET && known->previous &&
               strcmp(known->previous, oomd_preference_to_string(known->set)) != 0;
}

const char *unit_pref_action_to_string(UnitPrefAction a) {
        switch (a) {
        case UNIT_PREF_NONE:
                return "none";
        case UNIT_PREF_SET:
                return "set";
        case UNIT_PREF_SKIP_USER_OWNED:
                return "skip-user-owned";
        }
        return NULL;
}

bool oomd_xattr_value_true(const char *value) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };

        if (!value)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(value, yes[i]) == 0)
                        return true;
        return false;
}

static OomdXattrChange change_for(bool want, bool has) {
        if (want)
                /* A present but false value ("0") counts as absent for oomd: written again. */
                return has ? OOMD_XATTR_KEEP : OOMD_XATTR_SET;
        return has ? OOMD_XATTR_REMOVE : OOMD_XATTR_KEEP;
}

bool oomd_xattr_plan(const char *value, bool has_avoid, bool has_omit, OomdXattrPlan *ret) {
        assert(value);
        assert(ret);

        *ret = (OomdXattrPlan) {
                .avoid = change_for(streq(value, "avoid"), has_avoid),
                .omit = change_for(streq(value, "omit"), has_omit),
        };
        return ret->avoid != OOMD_XATTR_KEEP || ret->omit != OOMD_XATTR_KEEP;
}

const char *oomd_xattr_name_for(const char *value, bool has_avoid, bool has_omit) {
        assert(value);

        if (streq(value, "avoid"))
                return OOMD_XATTR_AVOID;
        if (streq(value, "omit"))
                return OOMD_XATTR_OMIT;
        if (has_omit && !has_avoid)
                return OOMD_XATTR_OMIT;
        return OOMD_XATTR_AVOID;
}
