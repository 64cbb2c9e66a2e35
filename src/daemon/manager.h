/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "caps.h"
#include "hashmap.h"
#include "log.h"
#include "policy.h"
#include "rootfs.h"

typedef struct ManagerOptions {
        const char *config;        /* NULL = default locations */
        const char *root;          /* "/" */
        LogTarget log_target;
        int log_level;             /* -1 = the policy's log_level */
        int rcvbuf_bytes;          /* netlink receive buffer; 0 = default (8 MiB) */
        const char *state_dir;     /* where status is published; NULL = /run/oompolicyd */
        bool no_netlink;           /* test mode: behave as if the proc connector were unavailable */
        bool keep_caps;            /* test mode: don't drop capabilities */
} ManagerOptions;

typedef struct ManagerCounters {
        uint64_t adjusted;          /* oom_score_adj writes that succeeded */
        uint64_t failed;            /* writes that failed */
        uint64_t restored;          /* values put back (reload, exit, no longer matching) */
        uint64_t reset;             /* children = reset writes */
        uint64_t events;            /* proc connector events handled */
        uint64_t rescans;
        uint64_t overflows;         /* ENOBUFS on the netlink socket */
        uint64_t malformed;         /* bad datagrams */
        uint64_t spoofed;           /* datagrams not from the kernel */
        uint64_t reloads;
        uint64_t reload_failures;
        uint64_t oom_kills;
} ManagerCounters;

/* How long full scans take: the start-up one (the cost of starting on a busy
 * machine) and the most recent one. */
typedef struct ScanTiming {
        uint64_t first_usec, first_processes;
        uint64_t last_usec, last_processes;
} ScanTiming;

/* Per process state; only for processes the daemon changed or must watch. */
typedef struct Tracked {
        uint64_t start_time;       /* 0 = not known yet (learnt from a FORK event) */
        int original;              /* the value before the daemon changed it */
        int written;               /* the value the daemon last wrote (or the one inherited) */
        bool changed;              /* "original" is to be given back on restore */
        bool matched;              /* a rule matched at the last evaluation */
        bool reset_children;       /* ... and that rule says children = reset */
        bool lineage;              /* descends from a reset rule's process, carrying lineage_value */
        int lineage_value;
} Tracked;

typedef struct SysctlOriginal {
        bool saved;
        int64_t value;
} SysctlOriginal;

typedef struct Manager {
        ManagerOptions opts;
        Logger log;
        sd_event *event;
        RootFs *fs;
        Policy *policy;
        uint64_t policy_loaded_usec;     /* CLOCK_REALTIME */
        CapsState caps;

        int netlink_fd;
        sd_event_source *netlink_source;
        sd_event_source *rescan_defer;
        sd_event_source *rescan_timer;
        sd_event_source *publish_timer;
        sd_event_source *signal_sources[3];

        Hashmap *tracked;                /* "PID" -> Tracked */
        Hashmap *eacces_reported;        /* rule name -> (void *) 1, per policy generation */
        SysctlOriginal sysctl_original[_SYSCTL_MAX];
        int64_t sysctl_current[_SYSCTL_MAX];
        bool sysctl_known[_SYSCTL_MAX];

        ManagerCounters counters;
        ScanTiming scan_timing;
        char *last_errors[8];            /* ring of recent error messages, for status */
        size_t last_error_pos;
        uint64_t overflow_log_usec;      /* rate limit for overflow / malformed logging */
        uint64_t suppressed_logs;
        bool fallback_polling;
        bool last_reload_ok;
        uint64_t published_usec;
        bool ready;
} Manager;

int manager_new(const ManagerOptions *opts, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Loads the policy (errors printed), applies sysctls, subscribes, scans. */
int manager_start(Manager *m);
int manager_run(Manager *m);

/* Exposed for tests: evaluate one process as an event would. */
int manager_evaluate_pid(Manager *m, pid_t pid);
int manager_rescan(Manager *m);
typedef struct ProcEvent ProcEvent;
void manager_handle_event(Manager *m, const ProcEvent *ev);
