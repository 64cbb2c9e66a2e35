/* SPDX-License-Identifier: MIT */
#include "ctl/apply-report.h"

#include <assert.h>

#include "ctl/ctl.h"
#include "shared/json-util.h"

bool apply_tally_changed(const ApplyTally *t) {
        assert(t);
        return t->processes_changed + t->sysctls_changed + t->units_changed > 0;
}

int apply_exit_status(const ApplyTally *t, bool detailed_exitcodes) {
        assert(t);
        /* A failure outranks a change: config management must see it even when
         * other items were changed in the same run. */
        if (t->failed > 0)
                return 1;
        if (detailed_exitcodes && apply_tally_changed(t))
                return CTL_EXIT_CHANGED;
        return 0;
}

json_object *apply_failure_json(const char *type, const char *item, const char *reason, const char *hint) {
        json_object *j = json_object_new_object();

        assert(type && item && reason);
        if (!j)
                return NULL;
        json_object_object_add(j, "type", json_string_new(type));
        json_object_object_add(j, "item", json_string_new(item));
        json_object_object_add(j, "reason", json_string_new(reason));
        json_object_object_add(j, "hint", json_string_new(hint));
        return j;
}
