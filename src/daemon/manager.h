/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "apply/adj-decision.h"
#include "apply/sysctl-apply.h"
#include "daemon/caps.h"
#include "daemon/file-writer.h"
#include "daemon/kernel-log.h"
#include "daemon/log.h"
#include "policy/policy.h"
#include "proc/rootfs.h"
#include "shared/hashmap.h"

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
        int metrics_interval_sec;  /* test mode: metrics refresh interval; 0 = METRICS_REFRESH_USEC */
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
 * changed, or whose children it must watch (see ProcMemory). */
typedef struct Tracked {
        ProcMemory memory;         /* what adj_decide() is told and returns */
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

typedef struct RecentError {
        char *message;             /* NULL = empty slot */
        uint64_t usec;             /* CLOCK_REALTIME */
} RecentError;

typedef struct UnitPrefs UnitPrefs;

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
        sd_event_source *metrics_timer;  /* rewrites the metrics file while idle, as proof of life */
        sd_event_source *signal_sources[3];

        Hashmap *tracked;                /* PID (u64 keys) -> Tracked */
        Hashmap *eacces_reported;        /* rule name -> (void *) 1, per policy generation */
        Hashmap *rule_refs;              /* "name\norigin\nvalue" -> RuleRef */
        const RuleRef **policy_rule_refs; /* per rule of the current policy, by index; entries may be NULL */
        Hashmap *adjusted_by_rule;       /* rule name -> uint64_t count, for metrics */
        RecentExit recent_exits[RECENT_EXITS_MAX];
        size_t recent_exit_pos;
        KernelLogWatch *kernel_log;
        UnitPrefs *unit_prefs;           /* units whose ManagedOOMPreference= we set (oomd_preference) */
        FileWriter *file_writer;   /* state.json and metrics, off the event loop */
        SysctlOriginals sysctl_originals;
        int64_t sysctl_current[_SYSCTL_MAX];   /* as read for state.json, reused by the metrics */
        bool sysctl_known[_SYSCTL_MAX];

        ManagerCounters counters;
        ScanTiming scan_timing;
        RecentError last_errors[8];      /* ring, for status; emptied by a successful reload */
        size_t last_error_pos;
        uint64_t overflow_log_usec;      /* rate limit for overflow / malformed logging */
        uint64_t suppressed_logs;
        int self_adj_error;              /* how writing self_oom_score_adj failed last, 0 if it did not */
        int self_adj_refused;            /* ... and the value it was refused */
        bool fallback_polling;
        bool last_reload_ok;
        char **load_errors;              /* errors of the last policy load, empty when it succeeded */
        uint64_t published_usec;         /* CLOCK_REALTIME of the last publish_state() */
        uint64_t start_usec;             /* CLOCK_REALTIME */
        bool stopping;                   /* a clean stop: no more metrics, the file is withdrawn */
        bool ready;
} Manager;

int manager_new(const ManagerOptions *opts, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Loads the policy (errors printed), applies sysctls, subscribes, scans. */
int manager_start(Manager *m);
int manager_run(Manager *m);

/* Evaluate one process as an event would, and all of them (src/daemon/tracking.c). */
int manager_evaluate_pid(Manager *m, pid_t pid);
int manager_rescan(Manager *m);

/* For the daemon's own modules: an error for status (the last few are kept), and
 * a coalesced write of state.json and the metrics. */
void manager_remember_error(Manager *m, const char *fmt, ...) _printf_(2, 3);
void manager_request_publish(Manager *m);
typedef struct ProcEvent ProcEvent;
void manager_handle_event(Manager *m, const ProcEvent *ev);
/* Exposed for tests: what the daemon does for each kill in the kernel log. */
void manager_handle_oom_kill(Manager *m, const OomEvent *e);
