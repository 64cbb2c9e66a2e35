/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "apply/sysctl-apply.h"
#include "ctl/ctl.h"
#include "proc/proc-scan.h"
#include "shared/cap-util.h"
#include "shared/json-util.h"
#include "shared/string-util.h"

typedef struct ApplyRun {
        const CtlOptions *opts;
        const RootFs *fs;
        const Policy *policy;
        json_object *processes;   /* --json */
        unsigned n_examined, n_changed, n_failed, n_matched;
        unsigned n_lowered_below_zero;   /* changes to a negative value below the current one */
} ApplyRun;

/* The kernel refuses an oom_score_adj below the process's floor (normally 0)
 * without it; the dry run says so before the real run fails. */
static bool have_cap_sys_resource(void) {
        _cleanup_cap_ cap_t caps = cap_get_proc();
        cap_flag_value_t flag = CAP_CLEAR;

        if (!caps)
                return true;   /* unknown: no warning rather than a false one */
        return cap_get_flag(caps, CAP_SYS_RESOURCE, CAP_EFFECTIVE, &flag) == 0 && flag == CAP_SET;
}

static void report_outcome(ApplyRun *run, const ProcOutcome *o) {
        /* The value's own origin: a drop-in that only adds a qualifier did not set it. */
        _cleanup_free_ char *where = origin_to_string(&o->rule->key_origin[RULE_KEY_OOM_SCORE_ADJ]);
        const char *hint = o->error ? apply_error_hint(o->error, o->old_adj, o->new_adj) : NULL;

        if (run->processes) {
                json_object *j = json_object_new_object();

                json_object_object_add(j, "pid", json_object_new_int(o->pid));
                json_object_object_add(j, "name", json_string_new(o->comm));
                json_object_object_add(j, "old", json_object_new_int(o->old_adj));
                json_object_object_add(j, "new", json_object_new_int(o->new_adj));
                json_object_object_add(j, "rule", json_string_new(o->rule->name));
                json_object_object_add(j, "origin", json_string_new(strna(where)));
                json_object_object_add(j, "error", o->error ? json_string_new(strerror(-o->error)) : NULL);
                json_object_object_add(j, "hint", json_string_new(hint));
                json_object_array_add(run->processes, j);
                return;
        }
        if (o->error)
                fprintf(stderr, "%d %s %d -> %d (%s, %s): failed: %s%s%s\n", (int) o->pid, o->comm, o->old_adj,
                        o->new_adj, o->rule->name, strna(where), strerror(-o->error), hint ? "; " : "", hint ?: "");
        else
                printf("%d %s %d -> %d (%s, %s)\n", (int) o->pid, o->comm, o->old_adj, o->new_adj, o->rule->name,
                       strna(where));
}

static int apply_one(pid_t pid, void *userdata) {
        ApplyRun *run = userdata;
        ProcOutcome o;
        int r;

        r = apply_to_pid(run->fs, pid, run->policy, run->opts->dry_run, &o);
        if (r == -ESRCH)
                return 0;   /* exited meanwhile: nothing to protect */
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                fprintf(stderr, "%d: cannot read process: %s\n", (int) pid, strerror(-r));
                run->n_failed++;
                return 0;
        }
        if (o.verdict != PROC_VERDICT_SKIPPED)
                run->n_examined++;
        if (o.rule)
                run->n_matched++;
        if (o.verdict == PROC_VERDICT_CHANGED)
                run->n_changed++;
        if (o.verdict == PROC_VERDICT_CHANGED && o.new_adj < 0 && o.new_adj < o.old_adj)
                run->n_lowered_below_zero++;
        if (o.verdict == PROC_VERDICT_FAILED)
                run->n_failed++;
        if (o.verdict == PROC_VERDICT_CHANGED || o.verdict == PROC_VERDICT_FAILED)
                report_outcome(run, &o);
        return 0;
}

static json_object *apply_sysctls(const RootFs *fs, const Policy *p, bool dry_run, bool json, size_t *n_planned,
                                  unsigned *n_failed) {
        SysctlChange changes[_SYSCTL_MAX];
        size_t n = sysctl_plan(fs, p, changes);
        json_object *list = json ? json_object_new_array() : NULL;

        *n_planned = n;
        for (size_t i = 0; i < n; i++) {
                SysctlChange *c = &changes[i];
                const SysctlInfo *info = sysctl_info(c->id);
                _cleanup_free_ char *where = origin_to_string(&p->sysctl[c->id].origin);
                char old[32] = "?";

                if (c->old_known)
                        snprintf(old, sizeof(old), "%" PRId64, c->old_value);
                if (c->error == 0 && !dry_run)
                        (void) sysctl_apply(fs, c);
                if (c->error)
                        (*n_failed)++;
                if (list) {
                        json_object *j = json_object_new_object();

                        json_object_object_add(j, "key", json_string_new(info->key));
                        json_object_object_add(j, "old", c->old_known ? json_object_new_int64(c->old_value) : NULL);
                        json_object_object_add(j, "new", json_object_new_int64(c->new_value));
                        json_object_object_add(j, "origin", json_string_new(strna(where)));
                        json_object_object_add(j, "error", c->error ? json_string_new(strerror(-c->error)) : NULL);
                        json_object_array_add(list, j);
                } else if (c->error)
                        fprintf(stderr, "%s %s -> %" PRId64 " (%s): failed: %s\n", info->key, old, c->new_value,
                                strna(where), strerror(-c->error));
                else
                        printf("%s %s -> %" PRId64 " (%s)\n", info->key, old, c->new_value, strna(where));
        }
        return list;
}

int verb_apply(const CtlOptions *o, int argc, char **argv) {
        _cleanup_policy_ Policy *p = NULL;
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_json_ json_object *root = NULL;
        DiagList diag = {};
        ApplyRun run = { .opts = o };
        unsigned sysctl_failed = 0;
        size_t sysctl_planned = 0;
        json_object *sysctls;
        int r;

        assert(o);
        r = ctl_load_policy(o, &p, &diag);
        diag_list_done(&diag);
        if (r < 0) {
                if (r == -EINVAL)
                        fprintf(stderr, "Policy has errors; nothing was applied.\n");
                return r;
        }
        r = rootfs_open(o->root, &fs);
        if (r < 0) {
                fprintf(stderr, "Cannot open %s/proc: %s\n", o->root, strerror(-r));
                return r;
        }

        if (o->json) {
                root = json_object_new_object();
                run.processes = json_object_new_array();
        }
        sysctls = apply_sysctls(fs, p, o->dry_run, o->json, &sysctl_planned, &sysctl_failed);

        run.fs = fs;
        run.policy = p;
        r = proc_scan_pids(fs, apply_one, &run);
        if (r < 0) {
                json_object_put(sysctls);
                json_object_put(run.processes);
                fprintf(stderr, "Cannot scan %s/proc: %s\n", o->root, strerror(-r));
                return r;
        }

        if (root) {
                json_object_object_add(root, "dry_run", json_object_new_boolean(o->dry_run));
                json_object_object_add(root, "sysctl", sysctls);
                json_object_object_add(root, "processes", run.processes);
                json_object_object_add(root, "matched", json_object_new_int((int) run.n_matched));
                json_object_object_add(root, "changed", json_object_new_int((int) run.n_changed));
                json_object_object_add(root, "failed", json_object_new_int((int) (run.n_failed + sysctl_failed)));
                ctl_print_json(root);
        } else if (o->dry_run)
                printf("%u of %u process%s would change; %zu sysctl%s would change.\n", run.n_changed,
                       run.n_examined, run.n_examined == 1 ? "" : "es", sysctl_planned, plural(sysctl_planned));
        if (o->dry_run && run.n_lowered_below_zero > 0 && !have_cap_sys_resource())
                fprintf(stderr,
                        "warning: %u change%s would lower oom_score_adj below 0, which needs CAP_SYS_RESOURCE; "
                        "this process lacks it, so a real apply would fail for %s.\n",
                        run.n_lowered_below_zero, plural(run.n_lowered_below_zero),
                        run.n_lowered_below_zero == 1 ? "it" : "them");
        if (run.n_failed + sysctl_failed > 0) {
                unsigned n = run.n_failed + sysctl_failed;

                fprintf(stderr, "%u failure%s (listed above).\n", n, plural(n));
                return -EIO;
        }
        return 0;
}
