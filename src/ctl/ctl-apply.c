/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/apply.h"
#include "apply/sysctl-apply.h"
#include "apply/oomd-pref.h"
#include "ctl/apply-report.h"
#include "ctl/ctl.h"
#include "inspect/unit-bus.h"
#include "inspect/unit-pref.h"
#include "shared/hashmap.h"
#include "proc/proc-scan.h"
#include "shared/cap-util.h"
#include "shared/json-util.h"
#include "shared/string-util.h"

typedef struct ApplyRun {
        const CtlOptions *opts;
        const RootFs *fs;
        const Policy *policy;
        json_object *processes;   /* --json */
        json_object *failures;    /* --json: every item that failed, of any kind */
        Hashmap *units;           /* unit -> UnitWant: what oomd_preference rules ask of it */
        bool units_oom;
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

typedef struct UnitWant {
        char *cgroup;
        const Rule *rule;         /* the first rule that asked, for the report */
} UnitWant;

static void unit_want_free(void *p) {
        UnitWant *w = p;

        if (!w)
                return;
        free(w->cgroup);
        free(w);
}

/* Remembers the unit of a process whose rule has oomd_preference; the units
 * are done after the scan, once each. */
static void note_unit(ApplyRun *run, pid_t pid, const Rule *rule) {
        _cleanup_close_ int pid_fd = -EBADF;
        _cleanup_free_ char *unit = NULL, *cgroup = NULL;
        UnitWant *w;

        if (rule->oomd_preference == OOMD_PREFERENCE_UNSET)
                return;
        if (proc_pid_open(run->fs, pid, &pid_fd) < 0 || unit_of_process(pid_fd, &unit, &cgroup) < 0)
                return;   /* gone, or in no unit */
        if (!endswith(unit, ".service") && !endswith(unit, ".scope"))
                return;   /* right in a slice: the key is about services and scopes */
        if (hashmap_get(run->units, unit))
                return;
        w = calloc(1, sizeof(*w));
        if (!w || hashmap_put(run->units, unit, w) < 0) {
                free(w);
                run->units_oom = true;
                return;
        }
        w->rule = rule;
        w->cgroup = TAKE_PTR(cgroup);
}

typedef struct UnitRun {
        ApplyRun *run;
        sd_bus *bus;
        int bus_error;
        json_object *list;
        unsigned n_changed, n_failed, n_skipped, n_unknown;
} UnitRun;

static void report_unit(UnitRun *u, const char *unit, const char *old, const char *new, const Rule *rule,
                        const char *error, const char *note) {
        if (u->list) {
                json_object *j = json_object_new_object();

                if (error)
                        json_object_array_add(u->run->failures, apply_failure_json("unit", unit, error, NULL));
                json_object_object_add(j, "unit", json_string_new(unit));
                json_object_object_add(j, "old", json_string_new(old));
                json_object_object_add(j, "new", json_string_new(new));
                json_object_object_add(j, "rule", json_string_new(rule->name));
                json_object_object_add(j, "error", json_string_new(error));
                json_object_object_add(j, "note", json_string_new(note));
                json_object_array_add(u->list, j);
                return;
        }
        if (error)
                fprintf(stderr, "%s: ManagedOOMPreference %s -> %s (%s): failed: %s\n", unit, old ?: "?", new,
                        rule->name, error);
        else if (note)
                printf("%s: ManagedOOMPreference %s -> %s (%s): %s\n", unit, old ?: "?", new, rule->name, note);
        else
                printf("%s: ManagedOOMPreference %s -> %s (%s)\n", unit, old ?: "?", new, rule->name);
}

/* systemd 252 marks the cgroup for systemd-oomd only when it creates it: the
 * marks are written here, as the daemon does (oompolicyd(8)). */
static void sync_marks(UnitRun *u, const char *unit, const UnitWant *w, const char *want) {
        const char *attr = OOMD_XATTR_AVOID;
        int r;

        if (u->run->opts->dry_run || !w->cgroup)
                return;
        r = unit_cgroup_oomd_xattrs_sync(u->run->fs, w->cgroup, want, &attr);
        if (r >= 0 || r == -ENOENT)
                return;
        fprintf(stderr, "%s: ManagedOOMPreference=%s is set but systemd did not mark the cgroup (%s) and writing it "
                "failed: %s; it takes effect when the unit next starts\n", unit, want, attr, strerror(-r));
}

static int apply_unit(const char *unit, void *value, void *userdata) {
        UnitRun *u = userdata;
        const UnitWant *w = value;
        const char *want = oomd_preference_to_string(w->rule->oomd_preference);
        _cleanup_free_ char *old = NULL, *message = NULL;
        uid_t owner = 0;

        if (w->cgroup && unit_cgroup_owner(u->run->fs, w->cgroup, &owner) >= 0 && owner != 0) {
                u->n_skipped++;
                report_unit(u, unit, NULL, want, w->rule, NULL,
                            "skipped: a user owns its cgroup, and systemd-oomd ignores the preference there");
                return 0;
        }
        if (!u->bus) {
                u->n_unknown++;
                return 0;
        }
        if (unit_pref_read(u->bus, unit, &old) >= 0 && strcmp(old, want) == 0) {
                sync_marks(u, unit, w, want);
                return 0;
        }
        if (!u->run->opts->dry_run) {
                int r = unit_pref_write(u->bus, unit, want, &message);

                if (r < 0) {
                        u->n_failed++;
                        report_unit(u, unit, old, want, w->rule, message ?: strerror(-r), NULL);
                        return 0;
                }
        }
        u->n_changed++;
        report_unit(u, unit, old, want, w->rule, NULL, NULL);
        sync_marks(u, unit, w, want);
        return 0;
}

/* oomd_preference: at runtime, like the daemon, but nothing is remembered to
 * restore (a runtime property is gone at the next boot). */
static void apply_units(ApplyRun *run, UnitRun *u) {
        if (hashmap_size(run->units) == 0)
                return;
        u->bus_error = unit_bus_open_system(&u->bus);
        if (u->bus_error < 0)
                u->bus = NULL;
        (void) hashmap_foreach(run->units, apply_unit, u);
        if (u->n_unknown > 0)
                fprintf(stderr, "warning: ManagedOOMPreference= of %u unit%s not set: no system bus (%s); "
                        "oomd_preference needs systemd.\n", u->n_unknown, plural(u->n_unknown), strerror(-u->bus_error));
        sd_bus_flush_close_unref(u->bus);
        u->bus = NULL;
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
                if (o->error) {
                        char item[64 + PROC_COMM_MAX];

                        snprintf(item, sizeof(item), "%d %s", (int) o->pid, o->comm);
                        json_object_array_add(run->failures,
                                              apply_failure_json("process", item, strerror(-o->error), hint));
                }
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
                if (run->failures) {
                        char item[32];

                        snprintf(item, sizeof(item), "%d", (int) pid);
                        json_object_array_add(run->failures, apply_failure_json("process", item, strerror(-r),
                                                                                "cannot read the process"));
                } else
                        fprintf(stderr, "%d: cannot read process: %s\n", (int) pid, strerror(-r));
                run->n_failed++;
                return 0;
        }
        if (o.verdict != PROC_VERDICT_SKIPPED)
                run->n_examined++;
        if (o.rule) {
                run->n_matched++;
                note_unit(run, pid, o.rule);
        }
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

static json_object *apply_sysctls(const RootFs *fs, const Policy *p, bool dry_run, json_object *failures,
                                  size_t *n_planned, unsigned *n_failed) {
        SysctlChange changes[_SYSCTL_MAX];
        size_t n = sysctl_plan(fs, p, changes);
        json_object *list = failures ? json_object_new_array() : NULL;

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
                        if (c->error)
                                json_object_array_add(failures, apply_failure_json("sysctl", info->key,
                                                                                   strerror(-c->error), NULL));
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
        _cleanup_hashmap_ Hashmap *units = NULL;
        UnitRun unit_run = { .run = &run };
        unsigned sysctl_failed = 0;
        size_t sysctl_planned = 0;
        ApplyTally tally;
        int status;
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

        r = hashmap_new(unit_want_free, &units);
        if (r < 0)
                return r;
        run.units = units;
        if (o->json) {
                root = json_object_new_object();
                run.processes = json_object_new_array();
                run.failures = json_object_new_array();
                unit_run.list = json_object_new_array();
        }
        sysctls = apply_sysctls(fs, p, o->dry_run, run.failures, &sysctl_planned, &sysctl_failed);

        run.fs = fs;
        run.policy = p;
        r = proc_scan_pids(fs, apply_one, &run);
        if (r < 0) {
                json_object_put(sysctls);
                json_object_put(run.processes);
                json_object_put(run.failures);
                json_object_put(unit_run.list);
                fprintf(stderr, "Cannot scan %s/proc: %s\n", o->root, strerror(-r));
                return r;
        }
        if (run.units_oom)
                fprintf(stderr, "warning: out of memory: some units' ManagedOOMPreference= were not looked at.\n");
        apply_units(&run, &unit_run);

        tally = (ApplyTally) {
                .processes_changed = run.n_changed,
                .sysctls_changed = (unsigned) sysctl_planned - sysctl_failed,
                .units_changed = unit_run.n_changed,
                .failed = run.n_failed + sysctl_failed + unit_run.n_failed,
        };
        if (root) {
                json_object_object_add(root, "dry_run", json_object_new_boolean(o->dry_run));
                json_object_object_add(root, "changed", json_object_new_boolean(apply_tally_changed(&tally)));
                json_object_object_add(root, "sysctl", sysctls);
                json_object_object_add(root, "processes", run.processes);
                json_object_object_add(root, "units", unit_run.list);
                json_object_object_add(root, "failures", run.failures);
                json_object_object_add(root, "matched", json_object_new_int((int) run.n_matched));
                json_object_object_add(root, "failed", json_object_new_int((int) tally.failed));
                ctl_print_json(root);
        } else if (o->dry_run) {
                printf("%u of %u process%s would change; %zu sysctl%s would change", run.n_changed, run.n_examined,
                       run.n_examined == 1 ? "" : "es", sysctl_planned, plural(sysctl_planned));
                /* Said only where a rule has oomd_preference. */
                if (hashmap_size(units) > 0)
                        printf("; %u unit%s would change", unit_run.n_changed, plural(unit_run.n_changed));
                printf(".\n");
        }
        if (o->dry_run && run.n_lowered_below_zero > 0 && !have_cap_sys_resource())
                fprintf(stderr,
                        "warning: %u change%s would lower oom_score_adj below 0, which needs CAP_SYS_RESOURCE; "
                        "this process lacks it, so a real apply would fail for %s.\n",
                        run.n_lowered_below_zero, plural(run.n_lowered_below_zero),
                        run.n_lowered_below_zero == 1 ? "it" : "them");
        if (tally.failed > 0)
                fprintf(stderr, "%u failure%s (listed %s).\n", tally.failed, plural(tally.failed),
                        o->json ? "in \"failures\"" : "above");
        status = apply_exit_status(&tally, o->detailed_exitcodes);
        /* main() turns a negative errno into exit status 1. */
        return status == 1 ? -EIO : status;
}
