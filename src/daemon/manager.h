/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "daemon/caps.h"
#include "shared/hashmap.h"
#include "daemon/file-writer.h"
#include "daemon/kernel-log.h"
#include "daemon/log.h"
#include "policy/policy.h"
#include "proc/rootfs.h"

typedef struct ManagerOptions {
        const char *config;        /* NULL = default locations */
        const char *root;          /* "/" */
        LogTarget log_target;
        int log_level;             /* -1 = the policy's log_level */
        int rcvbuf_bytes;          /* netlink receive buffer; 0 = default (8 MiB) */
        const char *state_dir;     /* where status is published; NULL = /run/oompolicyd */
        bool no_netlink;           /* test mode: behave as if the proc connector were unavailable */
        bool keep_caps;            /* test mode: don't drop capabilities */
        const char *kernel_log;    /* test mode: read this instead of ROOT/dev/kmsg */
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
        uint64_t oom_kills_global;
        uint64_t oom_kills_memcg;
        uint64_t oom_kills_protected;   /* victims a rule gave a negative value */
} ManagerCounters;

/* How long full scans take: the start-up one (the cost of starting on a busy
 * machine) and the most recent one. */
typedef struct ScanTiming {
        uint64_t first_usec, first_processes;
        uint64_t last_usec, last_processes;
} ScanTiming;

/* A rule as it was when it governed a process. Interned in the Manager and never
 * freed before it, so it outlives reloads: a kill reported after the policy
 * changed is still attributed to the rule that was in force. */
typedef struct RuleRef {
        char *name;
        char *origin;              /* "FILE:LINE" of its oom_score_adj */
        int oom_score_adj;
} RuleRef;

/* Per process state; only for processes a rule matched, that the daemon
 * changed, or whose children it must watch. */
typedef struct Tracked {
        uint64_t start_time;       /* 0 = not known yet (learnt from a FORK event) */
        int original;              /* the value before the daemon changed it */
        int written;               /* the value the daemon last wrote (or the one inherited) */
        bool changed;              /* "original" is to be given back on restore */
        bool matched;              /* a rule matched at the last evaluation */
        bool reset_children;       /* ... and that rule says children = reset */
        bool lineage;              /* descends from a reset rule's process, carrying lineage_value */
        int lineage_value;
        const RuleRef *rule;       /* the rule that governs it, NULL if none */
        char comm[16];             /* at the last evaluation, to tell a reused PID apart */
} Tracked;

/* Processes a rule governed that exited recently: the kernel's report of an OOM
 * kill arrives after the victim's EXIT event. */
typedef struct RecentExit {
        pid_t pid;
        char comm[16];
        const RuleRef *rule;
} RecentExit;

#define RECENT_EXITS_MAX 64

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
        int state_dir_fd;                /* holds the state directory's lock */
        sd_event_source *netlink_source;
        sd_event_source *rescan_defer;
        sd_event_source *rescan_timer;
        sd_event_source *publish_timer;
        sd_event_source *signal_sources[3];

        Hashmap *tracked;                /* "PID" -> Tracked */
        Hashmap *eacces_reported;        /* rule name -> (void *) 1, per policy generation */
        Hashmap *rule_refs;              /* "name\norigin\nvalue" -> RuleRef */
        const RuleRef **policy_rule_refs; /* per rule of the current policy, by index; entries may be NULL */
        Hashmap *adjusted_by_rule;       /* rule name -> uint64_t count, for metrics */
        RecentExit recent_exits[RECENT_EXITS_MAX];
        size_t recent_exit_pos;
        KernelLogWatch *kernel_log;
        FileWriter *file_writer;   /* state.json and metrics, off the event loop */
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
        char **load_errors;              /* errors of the last policy load, empty when it succeeded */
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
/* Exposed for tests: what the daemon does for each kill in the kernel log. */
void manager_handle_oom_kill(Manager *m, const OomEvent *e);
