/* SPDX-License-Identifier: MIT */
#pragma once

#include "shared/diag.h"
#include "policy/policy.h"

/* Lists, checks, reads and parses every policy file (see conf_files_policy()).
 * On any error, every problem is in diag and no policy is returned (-EINVAL or
 * another negative errno); warnings alone don't fail. */
int policy_load(const char *root, const char *config_path, Policy **ret, DiagList *diag);
