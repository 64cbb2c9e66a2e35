/* SPDX-License-Identifier: MIT */
#pragma once

/* Follows the kernel log (/dev/kmsg) from the moment it is opened and hands each
 * OOM kill the report parser recognises to a callback. Reading is event driven:
 * an I/O source on the fd, plus a one-shot timer that releases a kill still
 * waiting for its oom_reaper line once the log has been quiet for a second. */

#include <systemd/sd-event.h>

#include "shared/macro.h"
#include "report/oom-report.h"

typedef struct KernelLogWatch KernelLogWatch;

/* Called once per kill; the event is borrowed for the duration of the call. */
typedef void (*KernelLogKillFn)(const OomEvent *e, void *userdata);

/* Opens path (normally "/dev/kmsg"; tests pass a FIFO) non-blocking. A character
 * device is positioned at its end, so only kills that happen from now on are
 * reported; anything else is read from the start. Returns -errno from open()
 * (-EPERM without CAP_SYSLOG when kernel.dmesg_restrict=1). */
int kernel_log_watch_new(sd_event *event, const char *path, KernelLogKillFn fn, void *userdata,
                         KernelLogWatch **ret);
KernelLogWatch *kernel_log_watch_free(KernelLogWatch *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(KernelLogWatch *, kernel_log_watch_free);

/* Records lost because the kernel's ring buffer wrapped before we read them. */
uint64_t kernel_log_watch_overruns(const KernelLogWatch *w);
