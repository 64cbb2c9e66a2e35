/* SPDX-License-Identifier: MIT */
#include "config/policy-load.h"

#include <errno.h>
#include <stdlib.h>

#include "config/conf-files.h"
#include "config/policy-builder.h"
#include "shared/strv.h"

int policy_load(const char *root, const char *config_path, Policy **ret, DiagList *diag) {
        _cleanup_policy_builder_ PolicyBuilder *b = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        int r;

        r = conf_files_policy(root, config_path, &paths, diag);
        if (r < 0)
                return r;
        r = policy_builder_new(&b);
        if (r < 0)
                return r;

        for (char **p = paths; *p; p++) {
                _cleanup_free_ char *content = NULL;
                size_t len = 0;

                /* Keep going after a bad file so that one run reports every problem. */
                r = conf_file_read_trusted(*p, &content, &len, diag);
                if (r == -ENOMEM)
                        return r;
                r = policy_builder_add_file(b, *p, content, len, diag);
                if (r == -ENOMEM)
                        return r;
        }
        return policy_builder_finish(b, ret, diag);
}
