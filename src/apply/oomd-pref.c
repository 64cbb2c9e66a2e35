/* SPDX-License-Identifier: MIT */
#include "apply/oomd-pref.h"

#include <assert.h>
#include <string.h>

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
