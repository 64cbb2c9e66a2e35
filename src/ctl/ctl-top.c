/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "inspect/inspect.h"
#include "shared/json-util.h"

static json_object *row_to_json(const ProcRecord *p, const Rule *rule) {
        json_object *j = json_object_new_object();
        char user[32];

        json_object_object_add(j, "pid", json_object_new_int(p->info.pid));
        json_object_object_add(j, "user", json_string_new(ctl_user_name(&p->info, user)));
        json_object_object_add(j, "name", json_string_new(p->info.comm));
        json_object_object_add(j, "rss_kb", json_object_new_int64((int64_t) proc_record_rss_kb(p)));
        json_object_object_add(j, "swap_kb", json_object_new_int64((int64_t) proc_record_swap_kb(p)));
        json_object_object_add(j, "oom_score", json_object_new_int64((int64_t) p->oom_score));
        json_object_object_add(j, "oom_score_adj", json_object_new_int(p->info.oom_score_adj));
        json_object_object_add(j, "rule", json_rule_label(rule));
        return j;
}

static void print_row(const ProcRecord *p, const Rule *rule) {
        _cleanup_free_ char *label = ctl_rule_label(rule);
        char user[32], rss[16], swap[16];

        ctl_format_kib(proc_record_rss_kb(p), rss);
        ctl_format_kib(proc_record_swap_kb(p), swap);
        printf("%7d %-10s %-15s %7s %7s %9" PRIu64 " %13d %s\n", (int) p->info.pid, ctl_user_name(&p->info, user),
               p->info.comm, rss, swap, p->oom_score, p->info.oom_score_adj, label ?: "-");
}

int verb_top(const CtlOptions *o, int argc, char **argv) {
        _cleanup_(inspect_context_done) InspectContext c = {};
        _cleanup_json_ json_object *array = NULL;
        _cleanup_free_ size_t *order = NULL;
        size_t n, rows;
        int r;

        assert(o);
        r = ctl_inspect_open(o, false, &c);
        if (r < 0)
                return r;
        r = inspect_top_order(c.snapshot, o->all, &order, &n);
        if (r < 0) {
                fprintf(stderr, "Cannot order the processes: %s\n", strerror(-r));
                return r;
        }
        rows = ctl_rows(o, n);

        if (o->json)
                array = json_object_new_array();
        else
                printf("%7s %-10s %-15s %7s %7s %9s %13s %s\n", "PID", "USER", "NAME", "RSS", "SWAP", "OOM_SCORE",
                       "OOM_SCORE_ADJ", "RULE");
        for (size_t i = 0; i < rows; i++) {
                const ProcRecord *p = &c.snapshot->procs[order[i]];
                const Rule *rule = inspect_find_rule(c.policy, p);

                if (array)
                        json_object_array_add(array, row_to_json(p, rule));
                else
                        print_row(p, rule);
        }
        if (array)
                ctl_print_json(array);
        return 0;
}
