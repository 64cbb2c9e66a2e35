/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/policy-load.h"
#include "ctl/ctl.h"
#include "shared/json-util.h"

int ctl_load_policy(const CtlOptions *o, Policy **ret, DiagList *diag) {
        int r;

        assert(o && ret && diag);
        r = policy_load(o->root, o->config, ret, diag);
        diag_list_print(diag, stderr);
        return r;
}

void ctl_print_json(json_object *obj) {
        puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
}

char *origin_to_string(const Origin *o) {
        char *s = NULL;

        assert(o);
        if (!o->file)
                return strdup("default");
        if (asprintf(&s, "%s:%u", o->file, o->line) < 0)
                return NULL;
        return s;
}

json_object *json_origin(const Origin *o) {
        _cleanup_free_ char *s = NULL;

        assert(o);
        if (!o->file)
                return NULL;
        s = origin_to_string(o);
        return json_string_new(s);
}
