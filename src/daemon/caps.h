/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/* What the daemon can still do after dropping privileges. */
typedef struct CapsState {
        bool sys_resource;   /* lower oom_score_adj below a process's floor (negative values) */
        bool dac_override;   /* write oom_score_adj of processes owned by other users */
        bool sys_ptrace;     /* read /proc/PID/exe of other users' processes (exe = rules) */
} CapsState;

/* Keeps only the capabilities above (those the process has), clears the
 * bounding and ambient sets, and sets no_new_privs. Call after opening the
 * netlink socket and /dev/kmsg, which need more. Reports what is kept. */
int caps_drop_to_minimum(CapsState *ret);
