/* SPDX-License-Identifier: MIT */
#pragma once

#include "shared/diag.h"
#include "policy/policy.h"

/* One "key = value" of a sysctl.d file. */
typedef struct SysctlAssignment {
        SysctlId id;
        char *value;
        char *file;
        unsigned line;
} SysctlAssignment;

/* Pure: calls fn for each assignment to a sysctl oompolicyd manages. */
int sysctl_d_parse(const char *buf, int (*fn)(SysctlId id, const char *value, unsigned line, void *userdata),
                   void *userdata);

/* Warns (into diag) where the files systemd-sysctl and `sysctl --system` apply at
 * boot would set one of the policy's sysctls to another value: the two would
 * otherwise fight silently. Paths are relative to root. */
int sysctl_d_check_conflicts(const char *root, const Policy *p, DiagList *diag);
