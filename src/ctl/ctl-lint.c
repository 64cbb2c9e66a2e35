/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "inspect/runtime-lint.h"
#include "inspect/unit-bus.h"
#include "shared/json-util.h"
#include "shared/string-util.h"

/* The lints that look at processes read ROOT/proc like top and explain do; the
 * bus belongs to the machine we run on, so unit-oom-policy needs --root to be /. */
static int run_runtime_lints(const CtlOptions *o, const Policy *p, LintList *l, bool *ret_kubelet) {
        _cleanup_rootfs_ RootFs *fs = NULL;
        _cleanup_snapshot_ Snapshot *snap = NULL;
        long page_size = sysconf(_SC_PAGESIZE);
        int r;

        *ret_kubelet = false;
        if (page_size <= 0)
                return -EINVAL;
        r = rootfs_open(o->root, &fs);
        if (r >= 0)
                r = snapshot_take(fs, (uint64_t) page_size, &snap);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return lint_note(l, "immune-in-limited-memcg, unit-oom-policy: skipped, cannot read the processes "
                                 "of %s/proc: %s", streq(o->root, "/") ? "" : o->root, strerror(-r));

        *ret_kubelet = runtime_kubelet_running(snap);
        r = runtime_lint_immune_in_limited_memcg(fs, p, snap, l);
        if (r < 0)
                return r;

        if (!streq(o->root, "/"))
                return lint_note(l, "unit-oom-policy: skipped with --root, it asks the running systemd");
        {
                _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;

                r = unit_bus_open_system(&bus);
                if (r < 0)
                        return lint_note(l, "unit-oom-policy: skipped, no system bus to ask systemd for the units' "
                                         "OOMPolicy= (%s)", strerror(-r));
                return runtime_lint_unit_oom_policy(bus, p, snap, l);
        }
}

int ctl_run_lints(const CtlOptions *o, const Policy *p, LintList *l) {
        bool kubelet = false;
        int r;

        r = policy_lint(p, l);
        if (r < 0)
                return r;
        r = run_runtime_lints(o, p, l, &kubelet);
        if (r < 0)
                return r;
        if (!kubelet && !o->assume_kubelet)
                return lint_note(l, "kubelet-sysctl: skipped, no kubelet runs (--assume-kubelet checks anyway)");
        return policy_lint_kubelet_sysctl(p, l);
}

void ctl_print_lints(const CtlOptions *o, const LintList *l, FILE *f) {
        for (size_t i = 0; i < l->n_lints; i++) {
                const Lint *x = &l->lints[i];

                fprintf(f, "%s[%s]: ", o->strict ? "error" : "warning", lint_id_to_string(x->id));
                if (x->file)
                        fprintf(f, "%s:%u: ", x->file, x->line);
                fprintf(f, "%s", x->message);
                if (x->suggestion)
                        fprintf(f, "; %s", x->suggestion);
                fputc('\n', f);
        }
        if (o->verbose)
                for (char **n = l->notes; n && *n; n++)
                        fprintf(f, "note: %s\n", *n);
        if (o->strict && l->n_lints > 0)
                fprintf(f, "%zu lint(s); --strict makes them errors.\n", l->n_lints);
}

json_object *ctl_lints_to_json(const CtlOptions *o, const LintList *l) {
        json_object *a = json_object_new_array();

        for (size_t i = 0; i < l->n_lints; i++) {
                const Lint *x = &l->lints[i];
                json_object *j = json_object_new_object();

                json_object_object_add(j, "id", json_string_new(lint_id_to_string(x->id)));
                json_object_object_add(j, "severity", json_string_new(o->strict ? "error" : "warning"));
                json_object_object_add(j, "file", x->file ? json_string_new(x->file) : NULL);
                json_object_object_add(j, "line", x->file ? json_object_new_int64(x->line) : NULL);
                json_object_object_add(j, "rule", x->rule ? json_string_new(x->rule) : NULL);
                json_object_object_add(j, "message", json_string_new(x->message));
                json_object_object_add(j, "suggestion", x->suggestion ? json_string_new(x->suggestion) : NULL);
                json_object_array_add(a, j);
        }
        return a;
}

json_object *ctl_lint_notes_to_json(const LintList *l) {
        json_object *a = json_object_new_array();

        for (char **n = l->notes; n && *n; n++)
                json_object_array_add(a, json_string_new(*n));
        return a;
}
