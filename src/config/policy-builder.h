/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "shared/diag.h"
#include "shared/macro.h"
#include "policy/policy.h"

/* Policy files (INI, see shared/ini.h) into a validated Policy: feed file contents
 * in read order, then finish. Pure: no file I/O, only user-name lookups through
 * NSS. Problems go to `diag`; finish fails with -EINVAL when there was any error,
 * and then no Policy exists. */
typedef struct PolicyBuilder PolicyBuilder;

int policy_builder_new(PolicyBuilder **ret);
PolicyBuilder *policy_builder_free(PolicyBuilder *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(PolicyBuilder *, policy_builder_free);
#define _cleanup_policy_builder_ _cleanup_(policy_builder_freep)

/* Records that `file` is part of the policy (also when it could not be read:
 * content NULL). A key set again in a later file overrides the earlier value;
 * set twice in one file, it is an error. */
int policy_builder_add_file(PolicyBuilder *b, const char *file, const char *content, size_t len, DiagList *diag);
int policy_builder_finish(PolicyBuilder *b, Policy **ret, DiagList *diag);
