/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/runtime-lint.h"
#include "inspect/memcg.h"
#include "inspect/unit-bus.h"
#include "match/matcher.h"
#include "shared/string-util.h"

bool runtime_kubelet_running(const Snapshot *snap) {
        assert(snap);

        for (size_t i = 0; i < snap->n_procs; i++)
                if (snap->procs[i].has_mm && streq(snap->procs[i].info.comm, "kubelet"))
                        return true;
        return false;
}

static bool seen_rule(const Rule *const *seen, size_t n, const Rule *r) {
        for (size_t i = 0; i < n; i++)
                if (seen[i] == r)
                        return true;
        return false;
}

int runtime_lint_immune_in_limited_memcg(const RootFs *fs, const Policy *p, const Snapshot *snap, LintList *l) {
        _cleanup_free_ const Rule **seen = NULL;
        MemcgMount mount = {};
        size_t n_seen = 0;
        uint64_t pages_per_kb_div;
        int r;

        assert(fs);
        assert(p);
        assert(snap);
        assert(l);

        r = memcg_mount_find(fs, &mount);
        if (r < 0)
                return lint_note(l, "immune-in-limited-memcg: skipped, no memory cgroup controller found (%s)",
                                 strerror(-r));
        seen = calloc(p->n_rules ?: 1, sizeof(*seen));
        if (!seen) {
                memcg_mount_done(&mount);
                return -ENOMEM;
        }
        pages_per_kb_div = snap->page_size / 1024 ?: 1;

        for (size_t i = 0; i < snap->n_procs; i++) {
                const ProcRecord *rec = &snap->procs[i];
                const char *path = mount.version == CGROUP_V1 ? rec->memcg_v1 : rec->cgroup_v2;
                MemcgDomain d = {};
                const Rule *rule;

                if (!rec->has_mm || !path)
                        continue;
                rule = matcher_find_rule(p, &rec->info);
                if (!rule || rule->oom_score_adj != OOM_SCORE_ADJ_MIN || seen_rule(seen, n_seen, rule))
                        continue;
                /* Swappiness does not decide whether there is a limit. */
                r = memcg_find_domain(fs, &mount, path, snap->meminfo.mem_total_kb / pages_per_kb_div,
                                      snap->meminfo.swap_total_kb / pages_per_kb_div, snap->page_size, 60, &d);
                if (r < 0) {
                        r = lint_note(l, "immune-in-limited-memcg: cannot read the memory cgroup %s of PID %d: %s",
                                      path, (int) rec->info.pid, strerror(-r));
                        if (r < 0)
                                break;
                        continue;
                }
                if (d.cgroup) {
                        seen[n_seen++] = rule;
                        r = lint_add(l, LINT_IMMUNE_IN_LIMITED_MEMCG, &rule->key_origin[RULE_KEY_OOM_SCORE_ADJ],
                                     rule->name,
                                     "use oom_score_adj = -999 (still below everything else), unless the process "
                                     "must never die even in that cgroup's OOM",
                                     "rule '%s' makes PID %d (%s) immune (-1000), and it runs in the memory cgroup "
                                     "%s, limited at %s: an OOM there that finds nothing else to kill loops "
                                     "instead of ending",
                                     rule->name, (int) rec->info.pid, rec->info.comm, path, d.cgroup);
                }
                memcg_domain_done(&d);
                if (r < 0)
                        break;
        }
        memcg_mount_done(&mount);
        return r < 0 ? r : 0;
}

static bool member_protected_by_rule(const UnitMember *m) {
        return m->rule && m->rule->oom_score_adj < 0;
}

static bool member_unprotected(const UnitMember *m) {
        return m->rule ? m->rule->oom_score_adj >= 0 : m->oom_score_adj >= 0;
}

int unit_oom_policy_lint(const char *unit, const char *oom_policy, const UnitMember *members, size_t n,
                         LintList *l) {
        const UnitMember *victim = NULL;
        const char *section;

        assert(unit);
        assert(oom_policy);
        assert(members || n == 0);
        assert(l);

        if (!streq(oom_policy, "stop") && !streq(oom_policy, "kill"))
                return 0;
        for (size_t i = 0; i < n && !victim; i++)
                if (member_unprotected(&members[i]))
                        victim = &members[i];
        if (!victim)
                return 0;
        section = endswith(unit, ".scope") ? "Scope" : "Service";

        for (size_t i = 0; i < n; i++) {
                const UnitMember *m = &members[i];
                _cleanup_free_ char *sugg = NULL;
                bool dup = false;
                int r;

                if (!member_protected_by_rule(m))
                        continue;
                for (size_t j = 0; j < i && !dup; j++)
                        dup = members[j].rule == m->rule;
                if (dup)
                        continue;
                if (asprintf(&sugg, "add a drop-in /etc/systemd/system/%s.d/oom-policy.conf with "
                             "\"[%s]\\nOOMPolicy=continue\" (then systemctl daemon-reload), or keep the other "
                             "processes out of %s (login sessions in their own scopes: install libpam-systemd)",
                             unit, section, unit) < 0)
                        return -ENOMEM;
                r = lint_add(l, LINT_UNIT_OOM_POLICY, &m->rule->key_origin[RULE_KEY_OOM_SCORE_ADJ], m->rule->name,
                             sugg,
                             "rule '%s' protects PID %d (%s, oom_score_adj %d) in %s, which has OOMPolicy=%s and "
                             "also holds unprotected processes (PID %d, %s): when the kernel kills one of them in "
                             "an OOM, systemd %s the whole unit, PID %d included",
                             m->rule->name, (int) m->pid, m->comm, m->rule->oom_score_adj, unit, oom_policy,
                             (int) victim->pid, victim->comm,
                             streq(oom_policy, "stop") ? "then stops" : "then kills", (int) m->pid);
                if (r < 0)
                        return r;
        }
        return 0;
}

typedef struct Placed {
        char *unit;
        UnitMember member;
} Placed;

static int placed_compare(const void *a, const void *b) {
        const Placed *x = a, *y = b;
        int c = strcmp(x->unit, y->unit);

        return c != 0 ? c : (x->member.pid > y->member.pid) - (x->member.pid < y->member.pid);
}

static int lint_group(sd_bus *bus, const Placed *g, size_t n, UnitMember *scratch, LintList *l) {
        _cleanup_free_ char *policy = NULL;
        const char *iface = unit_bus_interface_of(g[0].unit);
        bool any_protected = false, any_unprotected = false;
        int r;

        for (size_t i = 0; i < n; i++) {
                scratch[i] = g[i].member;
                any_protected = any_protected || member_protected_by_rule(&scratch[i]);
                any_unprotected = any_unprotected || member_unprotected(&scratch[i]);
        }
        /* Slices hold no processes of their own and have no OOMPolicy. */
        if (!any_protected || !any_unprotected || !iface || endswith(g[0].unit, ".slice"))
                return 0;
        r = unit_bus_get_property_string(bus, g[0].unit, iface, "OOMPolicy", &policy);
        if (r < 0)
                return lint_note(l, "unit-oom-policy: cannot read OOMPolicy of %s: %s", g[0].unit, strerror(-r));
        return unit_oom_policy_lint(g[0].unit, policy, scratch, n, l);
}

int runtime_lint_unit_oom_policy(sd_bus *bus, const Policy *p, const Snapshot *snap, LintList *l) {
        _cleanup_free_ Placed *placed = NULL;
        _cleanup_free_ UnitMember *scratch = NULL;
        size_t n = 0;
        int r = 0;

        assert(bus);
        assert(p);
        assert(snap);
        assert(l);

        placed = calloc(snap->n_procs ?: 1, sizeof(*placed));
        scratch = calloc(snap->n_procs ?: 1, sizeof(*scratch));
        if (!placed || !scratch)
                return -ENOMEM;
        for (size_t i = 0; i < snap->n_procs; i++) {
                const ProcRecord *rec = &snap->procs[i];
                _cleanup_free_ char *content = NULL;
                char *unit = NULL;

                if (!rec->has_mm || !rec->info.cgroup)
                        continue;
                if (asprintf(&content, "0::%s\n", rec->info.cgroup) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                r = unit_from_proc_cgroup(content, &unit, NULL);
                if (r == -ENOMEM)
                        goto finish;
                if (r < 0)
                        continue;
                placed[n++] = (Placed) {
                        .unit = unit,
                        .member = {
                                .pid = rec->info.pid,
                                .comm = rec->info.comm,
                                .rule = matcher_find_rule(p, &rec->info),
                                .oom_score_adj = rec->info.oom_score_adj,
                        },
                };
        }
        r = 0;
        qsort(placed, n, sizeof(*placed), placed_compare);
        for (size_t i = 0; i < n && r >= 0;) {
                size_t j = i + 1;

                while (j < n && streq(placed[j].unit, placed[i].unit))
                        j++;
                r = lint_group(bus, placed + i, j - i, scratch, l);
                i = j;
        }
finish:
        for (size_t i = 0; i < n; i++)
                free(placed[i].unit);
        return r < 0 ? r : 0;
}
