/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "inspect/inspect.h"
#include "inspect/killers.h"
#include "inspect/unit-bus.h"
#include "shared/json-util.h"

typedef struct TopKillers {
        sd_bus *bus;
        MemcgMount mount;
        bool have_mount;
} TopKillers;

static void top_killers_done(TopKillers *t) {
        sd_bus_flush_close_unref(t->bus);
        memcg_mount_done(&t->mount);
}

static json_object *row_to_json(const ProcRecord *p, const Rule *rule, const KillerInfo *k) {
        _cleanup_free_ char *verdict = NULL;
        KillerFacts f = killer_info_facts(k, p->info.oom_score_adj);
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
        json_object_object_add(j, "unit", json_string_new(k->unit));
        json_object_object_add(j, "oom_policy", json_string_new(k->oom_policy));
        json_object_object_add(j, "managed_oom_preference", json_string_new(k->oomd_preference));
        json_object_object_add(j, "oom_group", k->oom_group < 0 ? NULL : json_object_new_boolean(k->oom_group == 1));
        json_object_object_add(j, "oom_group_cgroup", json_string_new(k->oom_group_cgroup));
        if (kill_verdict(&f, &verdict) >= 0)
                json_object_object_add(j, "verdict", json_string_new(verdict));
        return j;
}

static void print_row(const ProcRecord *p, const Rule *rule, const KillerInfo *k) {
        _cleanup_free_ char *label = ctl_rule_label(rule);
        KillerFacts f = killer_info_facts(k, p->info.oom_score_adj);
        char user[32], rss[16], swap[16], flags[8];

        ctl_format_kib(proc_record_rss_kb(p), rss);
        ctl_format_kib(proc_record_swap_kb(p), swap);
        kill_verdict_flags(&f, flags);
        printf("%7d %-10s %-15s %7s %7s %9" PRIu64 " %13d %-24s %-5s %s\n", (int) p->info.pid,
               ctl_user_name(&p->info, user), p->info.comm, rss, swap, p->oom_score, p->info.oom_score_adj,
               k->unit ?: "-", flags, label ?: "-");
}

int verb_top(const CtlOptions *o, int argc, char **argv) {
        _cleanup_(inspect_context_done) InspectContext c = {};
        _cleanup_json_ json_object *array = NULL;
        _cleanup_free_ size_t *order = NULL;
        _cleanup_(top_killers_done) TopKillers t = {};
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
        /* Without a bus or a memory controller those columns are unknown, nothing more. */
        if (unit_bus_open_system(&t.bus) < 0)
                t.bus = NULL;
        t.have_mount = memcg_mount_find(c.fs, &t.mount) >= 0;

        if (o->json)
                array = json_object_new_array();
        else
                printf("%7s %-10s %-15s %7s %7s %9s %13s %-24s %-5s %s\n", "PID", "USER", "NAME", "RSS", "SWAP",
                       "OOM_SCORE", "OOM_SCORE_ADJ", "UNIT", "KILL", "RULE");
        for (size_t i = 0; i < rows; i++) {
                const ProcRecord *p = &c.snapshot->procs[order[i]];
                const Rule *rule = inspect_find_rule(c.policy, p);
                _cleanup_(killer_info_done) KillerInfo k = { .oom_group = -1 };

                if (killer_info_read(c.fs, t.bus, t.have_mount ? &t.mount : NULL, p->info.pid, false, &k) < 0)
                        k = (KillerInfo) { .oom_group = -1 };   /* gone meanwhile, or out of memory: unknown */
                if (array)
                        json_object_array_add(array, row_to_json(p, rule, &k));
                else
                        print_row(p, rule, &k);
        }
        if (array)
                ctl_print_json(array);
        return 0;
}
