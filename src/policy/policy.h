/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shared/diag.h"
#include "shared/macro.h"
#include "policy/sysctl-table.h"

#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

/* Where a setting came from. `file` points into Policy.files. */
typedef struct Origin {
        const char *file;
        unsigned line;
} Origin;

typedef enum ChildrenMode {
        CHILDREN_INHERIT,
        CHILDREN_RESET,
        _CHILDREN_MODE_MAX,
} ChildrenMode;

typedef enum RuleKey {
        RULE_KEY_NAME,
        RULE_KEY_EXE,
        RULE_KEY_CMDLINE,
        RULE_KEY_USER,
        RULE_KEY_CGROUP,
        RULE_KEY_OOM_SCORE_ADJ,   /* also set by the legacy oom_adj key */
        RULE_KEY_CHILDREN,
        _RULE_KEY_MAX,
} RuleKey;

typedef struct Rule {
        char *name;               /* NAME of [rule:NAME], or the glob of an [oom_score_adj] line */
        bool short_form;          /* defined in [oom_score_adj] */
        size_t index;             /* position in Policy.rules: the higher, the stronger */
        Origin origin;            /* section header (or line) of its last definition */
        Origin key_origin[_RULE_KEY_MAX];

        /* Qualifiers; NULL means "not part of this rule". */
        char **names;
        char **exes;
        char **cmdlines;
        char **cgroups;
        uid_t *uids;
        size_t n_uids;
        char **user_names;        /* as written, for display */

        int oom_score_adj;
        ChildrenMode children;
        unsigned proc_fields;     /* ProcField bits its qualifiers need */
} Rule;

typedef struct SysctlSetting {
        bool set;
        int64_t value;
        Origin origin;
} SysctlSetting;

typedef enum DaemonKey {
        DAEMON_KEY_RESCAN_INTERVAL,
        DAEMON_KEY_SELF_OOM_SCORE_ADJ,
        DAEMON_KEY_DEFAULT_OOM_SCORE_ADJ,
        DAEMON_KEY_LOG_LEVEL,
        DAEMON_KEY_METRICS_FILE,
        DAEMON_KEY_WATCH_KERNEL_LOG,
        DAEMON_KEY_RESTORE_ON_EXIT,
        _DAEMON_KEY_MAX,
} DaemonKey;

typedef struct DaemonSettings {
        uint64_t rescan_interval_sec;   /* 0 = off */
        int self_oom_score_adj;
        int default_oom_score_adj;
        int log_level;                  /* syslog priority */
        char *metrics_file;             /* NULL = none */
        bool watch_kernel_log;
        bool restore_on_exit;
        Origin origin[_DAEMON_KEY_MAX]; /* file == NULL: built-in default */
} DaemonSettings;

typedef struct NameIndex NameIndex;
typedef struct ScanNames ScanNames;

/* A validated policy. Never modified after policy_builder_finish(): the daemon
 * swaps a whole new Policy in on reload. */
typedef struct Policy {
        char **files;             /* in read order */
        Rule *rules;              /* in precedence order, weakest first */
        size_t n_rules;
        SysctlSetting sysctl[_SYSCTL_MAX];
        DaemonSettings daemon;

        unsigned proc_fields;     /* ProcField bits some rule needs */
        NameIndex *name_index;    /* exact name -> rules naming it */
        size_t *scan_rules;       /* rules not reachable through the index, strongest first */
        size_t n_scan_rules;
        ScanNames *scan_names;    /* their name globs, packed (see policy_scan_names()) */
} Policy;

Policy *policy_free(Policy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Policy *, policy_free);
#define _cleanup_policy_ _cleanup_(policy_freep)

/* Rules whose names include `name` exactly, strongest first. */
const size_t *policy_rules_for_name(const Policy *p, const char *name, size_t *ret_n);
/* The name globs of scan_rules[i], NULL-terminated, or NULL when that rule has no
 * name qualifier. All of them are copied into one block in scan order, so walking
 * thousands of globs reads memory in sequence instead of visiting each rule's own
 * allocations (a cache miss or two per rule once the policy outgrows the cache). */
const char *const *policy_scan_names(const Policy *p, size_t i);

const char *children_mode_to_string(ChildrenMode m);
const char *rule_key_to_string(RuleKey k);
const char *daemon_key_to_string(DaemonKey k);

/* Building: feed file contents in read order, then finish. Pure: no file I/O,
 * only user-name lookups through NSS. Problems go to `diag`; finish fails with
 * -EINVAL when there was any error, and then no Policy exists. */
typedef struct PolicyBuilder PolicyBuilder;

int policy_builder_new(PolicyBuilder **ret);
PolicyBuilder *policy_builder_free(PolicyBuilder *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(PolicyBuilder *, policy_builder_free);
#define _cleanup_policy_builder_ _cleanup_(policy_builder_freep)

/* Records that `file` is part of the policy (also when it could not be read) */
int policy_builder_add_file(PolicyBuilder *b, const char *file, const char *content, size_t len, DiagList *diag);
int policy_builder_finish(PolicyBuilder *b, Policy **ret, DiagList *diag);

/* Glob syntax check shared with the tools; NULL when fine, else a message. */
const char *glob_check(const char *glob);
bool glob_is_literal(const char *glob);
