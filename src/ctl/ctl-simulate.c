/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "inspect/inspect.h"
#include "inspect/memcg.h"
#include "inspect/oom-group.h"
#include "shared/json-util.h"

/* vm.swappiness when /proc/sys is not readable: the kernel's default. */
#define DEFAULT_SWAPPINESS 60

typedef struct OomScope {
        MemcgMount mount;
        MemcgDomain domain;       /* domain.cgroup NULL: a global OOM */
        bool memcg;               /* --cgroup given */
} OomScope;

static void oom_scope_done(OomScope *s) {
        memcg_mount_done(&s->mount);
        memcg_domain_done(&s->domain);
}

static unsigned global_swappiness(const RootFs *fs) {
        int64_t v;

        if (sysctl_read_int64(fs, "vm/swappiness", &v) < 0 || v < 0 || v > 200)
                return DEFAULT_SWAPPINESS;
        return (unsigned) v;
}

static void print_domain_error(const OomScope *s, const char *path, int r, const char *root) {
        _cleanup_free_ char *dir = NULL;

        if (r == -EINVAL) {
                fprintf(stderr, "Invalid cgroup path '%s': give it as /proc/PID/cgroup shows it "
                        "(absolute, without . or ..), e.g. /system.slice/foo.service\n", path);
                return;
        }
        (void) memcg_path_to_dir(&s->mount, path, &dir);
        if (r == -ENOENT || r == -ENOTDIR)
                fprintf(stderr, "No memory cgroup %s on the cgroup v%d memory hierarchy (no directory %s/%s)\n", path,
                        (int) s->mount.version, strcmp(root, "/") == 0 ? "" : root, strna(dir));
        else
                fprintf(stderr, "Cannot read the memory limits of cgroup %s (%s/%s): %s\n", path,
                        strcmp(root, "/") == 0 ? "" : root, strna(dir), strerror(-r));
}

static int find_scope(const CtlOptions *o, const InspectContext *c, OomScope *ret) {
        const Snapshot *snap = c->snapshot;
        uint64_t kb_per_page = snap->page_size / 1024;
        OomScope s = { .memcg = o->cgroup != NULL };
        int r;

        if (!o->cgroup) {
                s.domain.totalpages = snap->totalpages;
                *ret = s;
                return 0;
        }

        r = memcg_mount_find(c->fs, &s.mount);
        if (r == -ENOENT) {
                fprintf(stderr, "No memory cgroup controller here: neither a cgroup v1 memory hierarchy nor cgroup v2 "
                        "with the memory controller is mounted.\n");
                return r;
        }
        if (r < 0) {
                fprintf(stderr, "Cannot find the memory cgroup hierarchy (%s/proc/self/mountinfo): %s\n",
                        strcmp(o->root, "/") == 0 ? "" : o->root, strerror(-r));
                return r;
        }
        r = memcg_find_domain(c->fs, &s.mount, o->cgroup, snap->meminfo.mem_total_kb / kb_per_page,
                              snap->meminfo.swap_total_kb / kb_per_page, snap->page_size, global_swappiness(c->fs),
                              &s.domain);
        if (r < 0) {
                print_domain_error(&s, o->cgroup, r, o->root);
                oom_scope_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

static void print_scope(FILE *f, const OomScope *s, const char *asked, const InspectContext *c, const Ranking *ranking) {
        _cleanup_free_ char *summary = ctl_policy_summary(c->policy), *asked_norm = NULL;
        char size[16];

        ctl_format_kib(s->domain.totalpages * (c->snapshot->page_size / 1024), size);
        if (!s->memcg) {
                fprintf(f, "Simulated global OOM (policy: %s): totalpages %" PRIu64 " (%s, MemTotal + SwapTotal).\n",
                        strna(summary), s->domain.totalpages, size);
                return;
        }
        if (memcg_path_normalize(asked, &asked_norm) < 0)
                return;
        if (!s->domain.cgroup) {
                fprintf(f, "Neither memory cgroup %s nor any ancestor has a memory limit: only a global OOM can kill its "
                        "processes. Simulated global OOM (policy: %s): totalpages %" PRIu64 " (%s).\n",
                        asked_norm, strna(summary), s->domain.totalpages, size);
                return;
        }
        if (strcmp(s->domain.cgroup, asked_norm) != 0)
                fprintf(f, "Memory cgroup %s has no memory limit; its nearest limited ancestor %s is where an OOM would "
                        "happen, picking among all processes below it.\n", asked_norm, s->domain.cgroup);
        fprintf(f, "Simulated OOM in memory cgroup %s (cgroup v%d; policy: %s): totalpages %" PRIu64
                " (%s: its limit plus the swap it may use), %zu process(es) there.\n",
                s->domain.cgroup, (int) s->mount.version, strna(summary), s->domain.totalpages, size, ranking->n_entries);
}

static json_object *entry_to_json(const RankedProcess *e) {
        json_object *j = json_object_new_object();

        json_object_object_add(j, "pid", json_object_new_int(e->proc->info.pid));
        json_object_object_add(j, "name", json_string_new(e->proc->info.comm));
        json_object_object_add(j, "points", e->badness.killable ? json_object_new_int64(e->badness.points) : NULL);
        json_object_object_add(j, "oom_score_adj", json_object_new_int(e->oom_score_adj));
        json_object_object_add(j, "rule", json_rule_label(e->rule));
        return j;
}

static void print_entry(size_t rank, const RankedProcess *e) {
        _cleanup_free_ char *label = ctl_rule_label(e->rule);
        char rank_s[24] = "-", points[24] = "never", adj[32];

        if (e->badness.killable) {
                snprintf(rank_s, sizeof(rank_s), "%zu", rank);
                snprintf(points, sizeof(points), "%" PRId64, e->badness.points);
        }
        if (e->oom_score_adj != e->proc->info.oom_score_adj)
                snprintf(adj, sizeof(adj), "%d (now %d)", e->oom_score_adj, e->proc->info.oom_score_adj);
        else
                snprintf(adj, sizeof(adj), "%d", e->oom_score_adj);
        printf("%4s %7d %-15s %12s %-15s %s\n", rank_s, (int) e->proc->info.pid, e->proc->info.comm, points, adj,
               label ?: "-");
}

typedef struct GroupKill {
        char *cgroup;             /* NULL: the victim dies alone */
        pid_t *pids;
        size_t n_pids;
} GroupKill;

static void group_kill_done(GroupKill *g) {
        free(g->cgroup);
        free(g->pids);
}

/* memory.oom.group (cgroup v2 only): the victim's group dies with it. Unknown
 * is treated as none: the simulation is then what it was before the flag. */
static int find_group_kill(const InspectContext *c, const OomScope *scope, const Ranking *ranking, GroupKill *ret) {
        _cleanup_(memcg_mount_done) MemcgMount own = {};
        _cleanup_free_ char *path = NULL;
        const MemcgMount *mount = &scope->mount;
        const ProcRecord *victim;
        int r;

        *ret = (GroupKill) {};
        if (ranking->n_killable == 0)
                return 0;
        victim = ranking->entries[0].proc;
        if (!scope->memcg) {
                if (memcg_mount_find(c->fs, &own) < 0)
                        return 0;
                mount = &own;
        }
        if (mount->version != CGROUP_V2 || !victim->cgroup_v2 || memcg_path_normalize(victim->cgroup_v2, &path) < 0)
                return 0;
        r = oom_group_find(c->fs, mount, path, scope->domain.cgroup, &ret->cgroup);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || !ret->cgroup)
                return 0;
        return oom_group_members(ranking, ret->cgroup, &ret->pids, &ret->n_pids);
}

static json_object *group_kill_to_json(const GroupKill *g) {
        json_object *j = json_object_new_object(), *pids = json_object_new_array();

        json_object_object_add(j, "cgroup", json_string_new(g->cgroup));
        for (size_t i = 0; i < g->n_pids; i++)
                json_object_array_add(pids, json_object_new_int(g->pids[i]));
        json_object_object_add(j, "pids", pids);
        return j;
}

static void print_group_kill(const GroupKill *g) {
        if (!g->cgroup)
                return;
        printf("Group kill: memory.oom.group is set on %s: the kernel kills all %zu process(es) there with the "
               "victim, except those with oom_score_adj -1000:", g->cgroup, g->n_pids);
        for (size_t i = 0; i < g->n_pids; i++)
                printf(" %d", (int) g->pids[i]);
        printf(".\n");
}

static void print_footer(const CtlOptions *o, const Ranking *ranking, size_t rows) {
        size_t n_unkillable = ranking->n_entries - ranking->n_killable;

        if (ranking->n_killable > 0) {
                const RankedProcess *v = &ranking->entries[0];

                printf("Victim: PID %d (%s), %" PRId64 " points.\n", (int) v->proc->info.pid, v->proc->info.comm,
                       v->badness.points);
        } else
                printf("No killable process: the OOM killer would find no victim.\n");
        printf("%zu killable, %zu unkillable (oom_score_adj -1000)", ranking->n_killable, n_unkillable);
        if (rows < (o->all ? ranking->n_entries : ranking->n_killable))
                printf("; %zu shown (-n N or --all for more)", rows);
        printf(".\n");
}

int verb_simulate(const CtlOptions *o, int argc, char **argv) {
        _cleanup_(inspect_context_done) InspectContext c = {};
        _cleanup_(oom_scope_done) OomScope scope = {};
        _cleanup_(ranking_done) Ranking ranking = {};
        _cleanup_(group_kill_done) GroupKill group = {};
        RankRequest req = { .use_policy_values = true };
        size_t rows;
        int r;

        assert(o);
        r = ctl_inspect_open(o, false, &c);
        if (r < 0)
                return r;
        r = find_scope(o, &c, &scope);
        if (r < 0)
                return r;

        req.policy = c.policy;
        req.memcg = scope.domain.cgroup;
        req.memcg_version = scope.mount.version;
        req.totalpages = scope.domain.totalpages;
        r = inspect_rank(c.snapshot, &req, &ranking);
        if (r < 0) {
                fprintf(stderr, "Cannot rank the processes: %s\n", strerror(-r));
                return r;
        }
        r = find_group_kill(&c, &scope, &ranking, &group);
        if (r < 0) {
                fprintf(stderr, "Cannot read memory.oom.group: %s\n", strerror(-r));
                return r;
        }
        /* Unkillable processes are listed with --all only. */
        rows = ctl_rows(o, o->all ? ranking.n_entries : ranking.n_killable);

        print_scope(o->json ? stderr : stdout, &scope, o->cgroup, &c, &ranking);
        if (o->json) {
                _cleanup_json_ json_object *array = json_object_new_array();

                for (size_t i = 0; i < rows; i++) {
                        json_object *e = entry_to_json(&ranking.entries[i]);

                        /* On the victim: the processes that die with it. */
                        if (i == 0 && group.cgroup)
                                json_object_object_add(e, "group_kill", group_kill_to_json(&group));
                        json_object_array_add(array, e);
                }
                ctl_print_json(array);
                return 0;
        }
        printf("%4s %7s %-15s %12s %-15s %s\n", "RANK", "PID", "NAME", "POINTS", "OOM_SCORE_ADJ", "RULE");
        for (size_t i = 0; i < rows; i++)
                print_entry(i + 1, &ranking.entries[i]);
        print_footer(o, &ranking, rows);
        print_group_kill(&group);
        return 0;
}
