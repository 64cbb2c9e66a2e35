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
        RULE_KEY_OOMD_PREFERENCE,
        _RULE_KEY_MAX,
} RuleKey;

/* systemd-oomd's ManagedOOMPreference= for the unit that holds a matched process. */
typedef enum OomdPreference {
        OOMD_PREFERENCE_UNSET,    /* the rule says nothing: the unit's value is left alone */
        OOMD_PREFERENCE_AVOID,
        OOMD_PREFERENCE_OMIT,
        _OOMD_PREFERENCE_MAX,
} OomdPreference;

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
        OomdPreference oomd_preference;
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

/* A validated policy. Never modified once built (config/policy-builder.h reads
 * the files into one): the daemon swaps a whole new Policy in on reload. */
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

/* Frees what a Rule owns (the Rule itself is part of an array or a draft). */
void rule_done(Rule *r);

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

/* For whoever assembles a Policy (config/policy-builder.h), in this order:
 * defaults first; once every file is read, rule_validate() on each rule and
 * sysctl_settings_validate(), which report to `diag` and return 0 or -ENOMEM;
 * then, with no error reported, policy_build_index(). */

/* The built-in [daemon] settings, before any file changes them. */
void daemon_settings_init_default(DaemonSettings *s);
/* The checks of a whole rule, which only make sense once every file that may add
 * to it was read: at least one of name, exe, cmdline or cgroup (user alone would
 * match every process of that user), and an oom_score_adj. A key counts as set
 * when its key_origin names a file. Reported at `where`: where the rule was first
 * defined, as a drop-in may have added the rest. */
int rule_validate(const Rule *rule, Origin where, DiagList *diag);
/* The checks across sysctl settings: vm.overcommit_ratio and vm.overcommit_kbytes
 * exclude each other. */
int sysctl_settings_validate(const SysctlSetting sysctl[_SYSCTL_MAX], DiagList *diag);
/* Derives what the matcher reads from p->rules in their final order: each rule's
 * index, every rule's and the policy's proc_fields, the exact-name index and the
 * packed name globs of the scanned rules. Returns 0 or -ENOMEM; on failure p is
 * only fit for policy_free(). */
int policy_build_index(Policy *p);

const char *children_mode_to_string(ChildrenMode m);
/* "avoid", "omit"; NULL for OOMD_PREFERENCE_UNSET. */
const char *oomd_preference_to_string(OomdPreference p);
int oomd_preference_from_string(const char *s);   /* an OomdPreference, or -EINVAL when unknown */
const char *rule_key_to_string(RuleKey k);
const char *daemon_key_to_string(DaemonKey k);

/* Glob syntax check shared with the tools; NULL when fine, else a message. */
const char *glob_check(const char *glob);
bool glob_is_literal(const char *glob);
