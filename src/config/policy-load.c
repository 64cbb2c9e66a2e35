/* SPDX-License-Identifier: MIT */
#include "config/policy-load.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/conf-files.h"
#include "config/policy-builder.h"
#include "shared/strv.h"

int policy_load_as(const char *root, const char *config_path, const PolicySubstitution *sub, Policy **ret,
                   DiagList *diag) {
        _cleanup_policy_builder_ PolicyBuilder *b = NULL;
        _cleanup_strv_free_ char **paths = NULL;
        size_t sub_index = SIZE_MAX;
        int r;

        assert(ret && diag);
        assert(!sub || (sub->installed_path && sub->file));
        r = conf_files_policy_as(root, config_path, sub ? sub->installed_path : NULL, &paths, &sub_index, diag);
        if (r < 0)
                return r;
        r = policy_builder_new(&b);
        if (r < 0)
                return r;

        for (size_t i = 0; paths[i]; i++) {
                _cleanup_free_ char *content = NULL, *label = NULL;
                size_t len = 0;

                /* Keep going after a bad file so that one run reports every problem. */
                if (i == sub_index) {
                        if (asprintf(&label, "%s (checking %s)", paths[i], sub->file) < 0)
                                return -ENOMEM;
                        r = conf_file_read_candidate(sub->file, label, &content, &len, diag);
                } else
                        r = conf_file_read_trusted(paths[i], &content, &len, diag);
                if (r == -ENOMEM)
                        return r;
                r = policy_builder_add_file(b, label ?: paths[i], content, len, diag);
                if (r == -ENOMEM)
                        return r;
        }
        return policy_builder_finish(b, ret, diag);
}

int policy_load(const char *root, const char *config_path, Policy **ret, DiagList *diag) {
        return policy_load_as(root, config_path, NULL, ret, diag);
}
