/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "diag.h"
#include "macro.h"
#include "policy.h"

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
        const char *cgroup;       /* simulate --cgroup */
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

/* Loads the policy and prints every problem; -EINVAL when it has errors. */
int ctl_load_policy(const CtlOptions *o, Policy **ret, DiagList *diag);
void ctl_print_json(json_object *obj);
json_object *json_origin(const Origin *o);
char *origin_to_string(const Origin *o);

int verb_check(const CtlOptions *o, int argc, char **argv);
int verb_apply(const CtlOptions *o, int argc, char **argv);
int verb_status(const CtlOptions *o, int argc, char **argv);
int verb_reload(const CtlOptions *o, int argc, char **argv);
int verb_events(const CtlOptions *o, int argc, char **argv);

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);
#define _cleanup_json_ _cleanup_(json_object_putp)
