/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "ctl/events-time.h"
#include "shared/diag.h"
#include "shared/macro.h"
#include "policy/policy.h"
#include "policy/policy-lint.h"
#include "proc/rootfs.h"
#include "inspect/snapshot.h"

/* Options of oompolicyctl; the verb-specific ones are ignored by other verbs. */
typedef struct CtlOptions {
        const char *config;       /* --config FILE, NULL = default locations */
        const char *root;         /* --root DIR, "/" by default */
        bool json;
        bool dry_run;
        bool follow;
        bool tasks;
        bool all;
        long limit;               /* -n N, 0 = verb default */
        const char *file;         /* events --file */
        const char *directory;    /* events --directory: a journal directory */
        BootSpec boot;            /* events --boot */
        uint64_t since, until;    /* events --since/--until, µs since the epoch; OOM_TIME_UNSET: open */
        const char *cgroup;       /* simulate --cgroup */
        bool strict;              /* check: lints are errors */
        bool assume_kubelet;      /* check: run kubelet-sysctl without a running kubelet */
        bool verbose;             /* check: print which lints were skipped and why */
        const char *as;           /* check --as INSTALLED_PATH: FILE as if installed there */
        bool detailed_exitcodes;  /* apply: 0 unchanged, 3 changed, 1 failed */
        const char *state_dir;    /* where the daemon publishes its state */
} CtlOptions;

typedef struct Verb {
        const char *name;
        const char *args;         /* for usage text */
        const char *summary;
        const char *help;         /* verb --help text */
        int min_args, max_args;
        int (*run)(const CtlOptions *o, int argc, char **argv);
} Verb;

/* Exit codes a verb may return (positive) besides 0 and 1 (any negative errno). */
#define CTL_EXIT_USAGE 2
#define CTL_EXIT_CHANGED 3        /* apply --detailed-exitcodes */

/* Loads the policy and prints every problem; -EINVAL when it has errors. */
int ctl_load_policy(const CtlOptions *o, Policy **ret, DiagList *diag);
void ctl_print_json(json_object *obj);
json_object *json_origin(const Origin *o);
char *origin_to_string(const Origin *o);

int verb_check(const CtlOptions *o, int argc, char **argv);

/* ---- check's lints (ctl-lint.c) ---- */
/* All lints for the policy: the pure ones, those reading the processes of
 * ROOT/proc, unit-oom-policy (only with root "/", over the system bus) and
 * kubelet-sysctl (when a kubelet runs or --assume-kubelet). Skips go to l->notes. */
int ctl_run_lints(const CtlOptions *o, const Policy *p, LintList *l);
/* "warning[ID]: FILE:LINE: message; suggestion" (error[ID] with --strict), and
 * the notes with --verbose. */
void ctl_print_lints(const CtlOptions *o, const LintList *l, FILE *f);
json_object *ctl_lints_to_json(const CtlOptions *o, const LintList *l);
json_object *ctl_lint_notes_to_json(const LintList *l);
int verb_apply(const CtlOptions *o, int argc, char **argv);
int verb_status(const CtlOptions *o, int argc, char **argv);
int verb_reload(const CtlOptions *o, int argc, char **argv);
int verb_events(const CtlOptions *o, int argc, char **argv);
int verb_top(const CtlOptions *o, int argc, char **argv);
int verb_explain(const CtlOptions *o, int argc, char **argv);
int verb_simulate(const CtlOptions *o, int argc, char **argv);

/* ---- shared by top, explain and simulate (ctl-inspect.c) ---- */

/* Rows shown when -n is not given (and --all is not either). */
#define CTL_DEFAULT_ROWS 10

typedef struct InspectContext {
        Policy *policy;           /* NULL: no policy installed (and no --config) */
        RootFs *fs;
        Snapshot *snapshot;
} InspectContext;

void inspect_context_done(InspectContext *c);
/* Loads the policy (--config, or the installed one; none installed is fine
 * unless require_policy), opens the root and takes a snapshot of every
 * process. Prints every problem itself. */
int ctl_inspect_open(const CtlOptions *o, bool require_policy, InspectContext *ret);
/* "FILE (+N drop-ins)", or "none" without a policy; caller frees. */
char *ctl_policy_summary(const Policy *p);
/* "NAME (FILE:LINE)": the rule and where its oom_score_adj is set. NULL rule: NULL. */
char *ctl_rule_label(const Rule *r);
/* The label as a JSON string, or JSON null for no rule. */
json_object *json_rule_label(const Rule *r);
/* A size in KiB for a table column: "512K", "12.3M", "1.5G". */
const char *ctl_format_kib(uint64_t kib, char buf[static 16]);
/* User name of uid, else the number; "?" when unknown. */
const char *ctl_user_name(const ProcInfo *info, char buf[static 32]);
/* How many of n rows to show: -n N, else all with --all, else CTL_DEFAULT_ROWS. */
size_t ctl_rows(const CtlOptions *o, size_t n);

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)
