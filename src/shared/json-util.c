/* SPDX-License-Identifier: MIT */
#include "shared/json-util.h"

#include <stdlib.h>

#include "shared/macro.h"
#include "shared/utf8.h"

json_object *json_string_new(const char *s) {
        _cleanup_free_ char *valid = NULL;

        if (!s)
                return NULL;
        if (utf8_is_valid(s))
                return json_object_new_string(s);
        valid = utf8_make_valid(s);
        return valid ? json_object_new_string(valid) : NULL;
}
