/* SPDX-License-Identifier: MIT */
#pragma once

#include "shared/diag.h"
#include "policy/policy.h"

/* Lists, checks, reads and parses every policy file (see conf_files_policy()).
 * On any error, every problem is in diag and no policy is returned (-EINVAL or
 * another negative errno); warnings alone don't fail. */
int policy_load(const char *root, const char *config_path, Policy **ret, DiagList *diag);

/* check --as: the policy as it would be with `file` installed at installed_path
 * (see conf_files_policy_as()). That file is named "INSTALLED (checking FILE)"
 * in diagnostics and origins, so its errors name both paths. -EXDEV (nothing
 * in diag) when installed_path is no place of this policy. */
typedef struct PolicySubstitution {
        const char *installed_path;
        const char *file;
} PolicySubstitution;

int policy_load_as(const char *root, const char *config_path, const PolicySubstitution *sub, Policy **ret,
                   DiagList *diag);
