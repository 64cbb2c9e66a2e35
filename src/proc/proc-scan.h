/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/types.h>

#include "proc/rootfs.h"

/* Calls fn for every PID directory in ROOT/proc, in ascending order. Stops at the
 * first negative return of fn. */
int proc_scan_pids(const RootFs *fs, int (*fn)(pid_t pid, void *userdata), void *userdata);
