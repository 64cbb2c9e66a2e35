/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "inspect/explain.h"
#include "inspect/inspect.h"
#include "inspect/killers.h"
#include "inspect/unit-bus.h"
#include "match/matcher.h"
#include "shared/parse-util.h"
#include "shared/json-util.h"

#define MIB (1024.0 * 1024.0)

static const char *qualifier_result_to_string(QualifierResult r) {
        switch (r) {
        case QUALIFIER_MATCHED:
                return "matched";
        case QUALIFIER_FAILED:
                return "failed";
        case QUALIFIER_UNKNOWN:
                return "unknown";
        default:
                return "absent";
        }
}

/* Finds the process or says clearly why it cannot be explained. */
static int find_process(const InspectContext *c, pid_t pid, const ProcRecord **ret) {
        _cleanup_close_ int pid_fd = -EBADF;
        const ProcRecord *p = snapshot_find(c->snapshot, pid);
        ProcRecord tmp;

        if (!p) {
                int r = proc_pid_open(c->fs, pid, &pid_fd);

                if (r >= 0)
                        r = snapshot_read_process(pid_fd, pid, &tmp);
                if (r >= 0) {
                        /* Started (or its PID reused) after the scan: it is in no ranking. */
                        proc_record_done(&tmp);
                        fprintf(stderr, "Process %d appeared while the processes were read; run explain again.\n",
                                (int) pid);
                        return -EAGAIN;
                }
                if (r == -ESRCH)
                        fprintf(stderr, "No process with PID %d.\n", (int) pid);
                else
                        fprintf(stderr, "Cannot read process %d: %s\n", (int) pid, strerror(-r));
                return r;
        }
        if (proc_info_is_kernel_thread(&p->info)) {
                fprintf(stderr, "PID %d (%s) is a kernel thread: the OOM killer never selects it and no rule applies.\n",
                        (int) pid, p->info.comm);
                return -EINVAL;
        }
        if (proc_info_is_zombie(&p->info)) {
                fprintf(stderr, "PID %d (%s) is a zombie: it has no memory to free, the OOM killer skips it and no rule applies.\n",
                        (int) pid, p->info.comm);
                return -EINVAL;
        }
        *ret = p;
        return 0;
}

typedef struct Explanation {
        const ProcRecord *proc;
        const Rule *winner;
        Badness now;              /* current oom_score_adj, global totalpages */
        uint64_t oom_score;       /* computed from now */
        size_t rank, n_killable;  /* rank 0: unkillable */
        int desired_adj;          /* winner's value, else the current one */
        Badness desired;          /* with desired_adj */
        size_t desired_rank, desired_n_killable;
        uint64_t totalpages, page_size;
} Explanation;

static int explain_rank(const InspectContext *c, bool use_policy, pid_t pid, size_t *ret_rank, size_t *ret_n) {
        Ranking ranking = {};
        RankRequest req = { .policy = c->policy, .use_policy_values = use_policy };
        int r;

        r = inspect_rank(c->snapshot, &req, &ranking);
        if (r < 0)
                return r;
        *ret_rank = ranking_position(&ranking, pid);
        *ret_n = ranking.n_killable;
        ranking_done(&ranking);
        return 0;
}

static int build_explanation(const InspectContext *c, const ProcRecord *p, Explanation *ret) {
        const Snapshot *s = c->snapshot;
        Explanation e = { .proc = p, .totalpages = s->totalpages, .page_size = s->page_size };
        int r;

        e.winner = inspect_find_rule(c->policy, p);
        e.desired_adj = e.winner ? e.winner->oom_score_adj : p->info.oom_score_adj;
        inspect_badness(p, p->info.oom_score_adj, s->totalpages, s->page_size, &e.now);
        inspect_badness(p, e.desired_adj, s->totalpages, s->page_size, &e.desired);
        e.oom_score = badness_to_oom_score(&e.now, s->totalpages);

        r = explain_rank(c, false, p->info.pid, &e.rank, &e.n_killable);
        if (r < 0)
                return r;
        r = explain_rank(c, true, p->info.pid, &e.desired_rank, &e.desired_n_killable);
        if (r < 0)
                return r;
        *ret = e;
        return 0;
}

static const char *unkillable_reason(const ProcRecord *p, int adj) {
        if (p->info.pid == 1)
                return "init (PID 1) is never killed";
        if (!inspect_is_candidate(p))
                return "the process has no memory (exiting)";
        if (adj == OOM_SCORE_ADJ_MIN)
                return "oom_score_adj -1000 makes it unkillable";
        return "unkillable";
}

static double pages_mib(int64_t pages, uint64_t page_size) {
        return (double) pages * (double) page_size / MIB;
}

static int print_rules(const Policy *policy, const ProcInfo *info) {
        if (!policy) {
                printf("\nNo policy: no rules to check.\n");
                return 0;
        }
        printf("\nRules, in policy order (when several match, the last one wins):\n");
        for (size_t i = 0; i < policy->n_rules; i++) {
                const Rule *rule = &policy->rules[i];
                _cleanup_free_ char *where = origin_to_string(&rule->origin);
                RuleMatch m;
                bool matched = rule_matches(rule, info, &m);

                if (rule->short_form)
                        printf("  [oom_score_adj] %s = %d (%s): %s\n", rule->name, rule->oom_score_adj, strna(where),
                               matched ? "MATCHES" : "no match");
                else
                        printf("  [rule:%s] (%s) oom_score_adj = %d: %s\n", rule->name, strna(where),
                               rule->oom_score_adj, matched ? "MATCHES" : "no match");
                for (RuleKey k = 0; k < RULE_KEY_OOM_SCORE_ADJ; k++) {
                        _cleanup_free_ char *reason = NULL;
                        int r = explain_qualifier(rule, k, &m, info, &reason);

                        if (r < 0)
                                return r;
                        if (reason)
                                printf("      %s\n", reason);
                }
        }
        if (policy->n_rules == 0)
                printf("  (none)\n");
        return 0;
}

static int print_explanation(const InspectContext *c, const Explanation *e) {
        const ProcInfo *info = &e->proc->info;
        _cleanup_free_ char *label = ctl_rule_label(e->winner), *summary = ctl_policy_summary(c->policy);
        char user[32];
        int r;

        printf("PID %d (%s), user %s", (int) info->pid, info->comm, ctl_user_name(info, user));
        if (info->fields & PROC_FIELD_UID)
                printf(" (uid %u)", (unsigned) info->uid);
        printf("\n  exe:     %s\n  cmdline: %s\n  cgroup:  %s\n", info->exe ?: "(unknown)", info->cmdline ?: "(unknown)",
               info->cgroup ?: "(unknown)");
        printf("Policy: %s\n", strna(summary));

        r = print_rules(c->policy, info);
        if (r < 0)
                return r;

        printf("\n");
        if (e->winner) {
                printf("Winning rule: %s\n", strna(label));
                printf("oom_score_adj: desired %d, current %d%s\n", e->desired_adj, info->oom_score_adj,
                       e->desired_adj == info->oom_score_adj ? " (already set)" :
                       " (not applied yet: run 'oompolicyctl apply' or start oompolicyd)");
        } else
                printf("Winning rule: none; the policy leaves oom_score_adj at its current value %d\n",
                       info->oom_score_adj);

        printf("\nBadness now (a global OOM; totalpages %" PRIu64 ", pages of %" PRIu64 " bytes):\n",
               e->totalpages, e->page_size);
        printf("  %-30s %12" PRId64 " pages %10.1f MiB\n", "rss", e->now.rss_part, pages_mib(e->now.rss_part, e->page_size));
        printf("  %-30s %12" PRId64 " pages %10.1f MiB\n", "swap", e->now.swap_part,
               pages_mib(e->now.swap_part, e->page_size));
        printf("  %-30s %12" PRId64 " pages %10.1f MiB\n", "page tables", e->now.pgtables_part,
               pages_mib(e->now.pgtables_part, e->page_size));
        if (e->now.killable) {
                char adj[64];

                snprintf(adj, sizeof(adj), "oom_score_adj %d x %" PRIu64, info->oom_score_adj, e->totalpages / 1000);
                printf("  %-30s %12" PRId64 " pages %10.1f MiB\n", adj, e->now.adj_part,
                       pages_mib(e->now.adj_part, e->page_size));
                printf("  %-30s %12" PRId64 "\n", "points", e->now.points);
        } else
                printf("  points: none, %s\n", unkillable_reason(e->proc, info->oom_score_adj));
        printf("oom_score: computed %" PRIu64 ", read %" PRIu64 " (/proc/%d/oom_score)\n", e->oom_score,
               e->proc->oom_score, (int) info->pid);
        if (e->rank > 0)
                printf("Rank: %zu of %zu killable (1 = the victim of a global OOM now)\n", e->rank, e->n_killable);
        else
                printf("Rank: none: never selected (%zu killable processes)\n", e->n_killable);

        if (e->desired_adj != info->oom_score_adj) {
                if (e->desired.killable)
                        printf("Under the policy (oom_score_adj %d): %" PRId64 " points, rank %zu of %zu killable\n",
                               e->desired_adj, e->desired.points, e->desired_rank, e->desired_n_killable);
                else
                        printf("Under the policy (oom_score_adj %d): %s\n", e->desired_adj,
                               unkillable_reason(e->proc, e->desired_adj));
        }
        return 0;
}

/* Every fact is optional: without a bus or a memory controller they are unknown. */
static void read_killers(const InspectContext *c, pid_t pid, KillerInfo *ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(memcg_mount_done) MemcgMount mount = {};
        bool have_mount = memcg_mount_find(c->fs, &mount) >= 0;

        if (unit_bus_open_system(&bus) < 0)
                bus = NULL;
        if (killer_info_read(c->fs, bus, have_mount ? &mount : NULL, pid, true, ret) < 0)
                *ret = (KillerInfo) { .oom_group = -1 };
}

static const char *oom_group_string(const KillerInfo *k) {
        return k->oom_group == 1 ? "yes" : k->oom_group == 0 ? "no" : "unknown (not cgroup v2)";
}

static void print_killers(const KillerInfo *k, int adj) {
        _cleanup_free_ char *verdict = NULL;
        KillerFacts f = killer_info_facts(k, adj);

        printf("\nUnit: %s\n", k->unit ?: "none");
        if (k->unit) {
                if (k->oom_policy_applies)
                        printf("  OOMPolicy=%s\n", k->oom_policy ?: "unknown (no system bus)");
                printf("  ManagedOOMPreference=%s%s", k->oomd_preference ?: "unknown (no system bus)",
                       k->user_owned ? " (a user owns the cgroup: systemd-oomd ignores it)" : "");
                if (k->oomd_mark_off && !k->user_owned)
                        printf(" (not in effect: the cgroup %s %s)",
                               strcmp(k->oomd_preference, "none") == 0 ? "still carries" : "lacks", k->oomd_mark_off);
                putchar('\n');
        }
        printf("memory.oom.group: %s%s%s\n", oom_group_string(k), k->oom_group == 1 ? ", on " : "",
               k->oom_group == 1 ? k->oom_group_cgroup : "");
        if (kill_verdict(&f, &verdict) >= 0)
                printf("Verdict: %s\n", verdict);
}

static json_object *killers_to_json(const KillerInfo *k, int adj) {
        _cleanup_free_ char *verdict = NULL;
        KillerFacts f = killer_info_facts(k, adj);
        json_object *j = json_object_new_object();

        json_object_object_add(j, "unit", json_string_new(k->unit));
        json_object_object_add(j, "oom_policy", json_string_new(k->oom_policy));
        json_object_object_add(j, "managed_oom_preference", json_string_new(k->oomd_preference));
        json_object_object_add(j, "cgroup_user_owned", json_object_new_boolean(k->user_owned));
        json_object_object_add(j, "cgroup_oomd_mark_off", json_string_new(k->oomd_mark_off));
        json_object_object_add(j, "oom_group", k->oom_group < 0 ? NULL : json_object_new_boolean(k->oom_group == 1));
        json_object_object_add(j, "oom_group_cgroup", json_string_new(k->oom_group_cgroup));
        if (kill_verdict(&f, &verdict) >= 0)
                json_object_object_add(j, "verdict", json_string_new(verdict));
        return j;
}

static json_object *json_rank(size_t rank) {
        return rank > 0 ? json_object_new_int64((int64_t) rank) : NULL;
}

static json_object *rules_to_json(const Policy *policy, const ProcInfo *info) {
        json_object *rules = json_object_new_array();

        for (size_t i = 0; policy && i < policy->n_rules; i++) {
                const Rule *rule = &policy->rules[i];
                json_object *j = json_object_new_object(), *quals = json_object_new_array();
                RuleMatch m;
                bool matched = rule_matches(rule, info, &m);

                json_object_object_add(j, "rule", json_string_new(rule->name));
                json_object_object_add(j, "origin", json_origin(&rule->origin));
                json_object_object_add(j, "short_form", json_object_new_boolean(rule->short_form));
                json_object_object_add(j, "oom_score_adj", json_object_new_int(rule->oom_score_adj));
                json_object_object_add(j, "matched", json_object_new_boolean(matched));
                for (RuleKey k = 0; k < RULE_KEY_OOM_SCORE_ADJ; k++) {
                        _cleanup_free_ char *reason = NULL;
                        json_object *q;

                        if (explain_qualifier(rule, k, &m, info, &reason) < 0 || !reason)
                                continue;
                        q = json_object_new_object();
                        json_object_object_add(q, "qualifier", json_string_new(rule_key_to_string(k)));
                        json_object_object_add(q, "result", json_string_new(qualifier_result_to_string(m.result[k])));
                        json_object_object_add(q, "reason", json_string_new(reason));
                        json_object_array_add(quals, q);
                }
                json_object_object_add(j, "qualifiers", quals);
                json_object_array_add(rules, j);
        }
        return rules;
}

static json_object *badness_to_json(const Explanation *e) {
        json_object *j = json_object_new_object();
        const Badness *b = &e->now;

        json_object_object_add(j, "killable", json_object_new_boolean(b->killable));
        json_object_object_add(j, "totalpages", json_object_new_int64((int64_t) e->totalpages));
        json_object_object_add(j, "page_size", json_object_new_int64((int64_t) e->page_size));
        json_object_object_add(j, "rss_pages", json_object_new_int64(b->rss_part));
        json_object_object_add(j, "rss_mib", json_object_new_double(pages_mib(b->rss_part, e->page_size)));
        json_object_object_add(j, "swap_pages", json_object_new_int64(b->swap_part));
        json_object_object_add(j, "swap_mib", json_object_new_double(pages_mib(b->swap_part, e->page_size)));
        json_object_object_add(j, "pgtables_pages", json_object_new_int64(b->pgtables_part));
        json_object_object_add(j, "pgtables_mib", json_object_new_double(pages_mib(b->pgtables_part, e->page_size)));
        json_object_object_add(j, "adj_pages", json_object_new_int64(b->adj_part));
        json_object_object_add(j, "adj_mib", json_object_new_double(pages_mib(b->adj_part, e->page_size)));
        json_object_object_add(j, "points", b->killable ? json_object_new_int64(b->points) : NULL);
        return j;
}

static json_object *explanation_to_json(const InspectContext *c, const Explanation *e) {
        const ProcInfo *info = &e->proc->info;
        json_object *j = json_object_new_object(), *adj = json_object_new_object(), *score = json_object_new_object(),
                    *rank = json_object_new_object(), *policy = json_object_new_object();
        char user[32];

        json_object_object_add(j, "pid", json_object_new_int(info->pid));
        json_object_object_add(j, "name", json_string_new(info->comm));
        json_object_object_add(j, "user", json_string_new(ctl_user_name(info, user)));
        json_object_object_add(j, "uid", (info->fields & PROC_FIELD_UID) ? json_object_new_int64(info->uid) : NULL);
        json_object_object_add(j, "exe", json_string_new(info->exe));
        json_object_object_add(j, "cmdline", json_string_new(info->cmdline));
        json_object_object_add(j, "cgroup", json_string_new(info->cgroup));
        json_object_object_add(j, "rules", rules_to_json(c->policy, info));
        json_object_object_add(j, "winning_rule", json_rule_label(e->winner));

        json_object_object_add(adj, "current", json_object_new_int(info->oom_score_adj));
        json_object_object_add(adj, "desired", e->winner ? json_object_new_int(e->desired_adj) : NULL);
        json_object_object_add(j, "oom_score_adj", adj);

        json_object_object_add(j, "badness", badness_to_json(e));

        json_object_object_add(score, "computed", json_object_new_int64((int64_t) e->oom_score));
        json_object_object_add(score, "read", json_object_new_int64((int64_t) e->proc->oom_score));
        json_object_object_add(j, "oom_score", score);

        json_object_object_add(rank, "position", json_rank(e->rank));
        json_object_object_add(rank, "killable", json_object_new_int64((int64_t) e->n_killable));
        json_object_object_add(j, "rank", rank);

        json_object_object_add(policy, "oom_score_adj", json_object_new_int(e->desired_adj));
        json_object_object_add(policy, "points", e->desired.killable ? json_object_new_int64(e->desired.points) : NULL);
        json_object_object_add(policy, "position", json_rank(e->desired_rank));
        json_object_object_add(policy, "killable", json_object_new_int64((int64_t) e->desired_n_killable));
        json_object_object_add(j, "under_policy", policy);
        return j;
}

int verb_explain(const CtlOptions *o, int argc, char **argv) {
        _cleanup_(inspect_context_done) InspectContext c = {};
        const ProcRecord *p = NULL;
        _cleanup_(killer_info_done) KillerInfo k = { .oom_group = -1 };
        Explanation e;
        int pid, r;

        if (argc != 1 || parse_int_range(argv[0], 1, INT32_MAX, &pid) < 0) {
                fprintf(stderr, "oompolicyctl explain: '%s' is not a PID\n", argc > 0 ? argv[0] : "");
                return -EINVAL;
        }
        r = ctl_inspect_open(o, false, &c);
        if (r < 0)
                return r;
        r = find_process(&c, pid, &p);
        if (r < 0)
                return r;
        r = build_explanation(&c, p, &e);
        if (r < 0) {
                fprintf(stderr, "Cannot rank the processes: %s\n", strerror(-r));
                return r;
        }

        read_killers(&c, p->info.pid, &k);

        if (o->json) {
                _cleanup_json_ json_object *j = explanation_to_json(&c, &e);

                json_object_object_add(j, "killers", killers_to_json(&k, p->info.oom_score_adj));
                ctl_print_json(j);
                return 0;
        }
        r = print_explanation(&c, &e);
        if (r < 0)
                fprintf(stderr, "Cannot explain the rules: %s\n", strerror(-r));
        else
                print_killers(&k, p->info.oom_score_adj);
        return r;
}
