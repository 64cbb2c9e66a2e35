/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

/* What one oompolicyctl apply did, for its exit status and --json: pure. */
typedef struct ApplyTally {
        unsigned processes_changed;   /* written, or with --dry-run would be */
        unsigned sysctls_changed;
        unsigned units_changed;
        unsigned failed;              /* items of any kind that could not be changed */
} ApplyTally;

bool apply_tally_changed(const ApplyTally *t);

/* The exit status: 1 when anything failed; else with detailed_exitcodes 3
 * (CTL_EXIT_CHANGED) when something changed and 0 when nothing needed to;
 * without it 0. */
int apply_exit_status(const ApplyTally *t, bool detailed_exitcodes);

/* {"type": TYPE, "item": ITEM, "reason": REASON, "hint": HINT or null}, the
 * entry of --json's "failures" list. type: "process", "sysctl" or "unit". */
json_object *apply_failure_json(const char *type, const char *item, const char *reason, const char *hint);
