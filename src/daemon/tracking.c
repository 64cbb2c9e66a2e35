/* SPDX-License-Identifier: MIT */
#include "daemon/tracking.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/adj-decision.h"
#include "apply/apply.h"
#include "daemon/oomd-preference.h"
#include "match/matcher.h"
#include "proc/proc-info.h"
#include "proc/proc-scan.h"
#include "shared/time-util.h"

static Tracked *tracked_get(const Manager *m, pid_t pid) {
        return hashmap_get_u64(m->tracked, (uint64_t) pid);
}

static void tracked_drop(Manager *m, pid_t pid) {
        (void) hashmap_remove_u64(m->tracked, (uint64_t) pid);
}

/* Creates the entry if needed; returns it, or NULL when out of memory. */
static Tracked *tracked_ensure(Manager *m, pid_t pid) {
        Tracked *t = tracked_get(m, pid);

        if (t)
                return t;
        t = calloc(1, sizeof(Tracked));
        if (!t)
                return NULL;
        if (hashmap_put_u64(m->tracked, (uint64_t) pid, t) < 0) {
                free(t);
                return NULL;
        }
        return t;
}

static const RuleRef *rule_ref_intern(Manager *m, const Rule *rule) {
        const Origin *o = &rule->key_origin[RULE_KEY_OOM_SCORE_ADJ];
        _cleanup_free_ char *key = NULL;
        RuleRef *ref;

        if (asprintf(&key, "%s\n%s:%u\n%d", rule->name, strna(o->file), o->line, rule->oom_score_adj) < 0)
                return NULL;
        ref = hashmap_get(m->rule_refs, key);
        if (ref)
                return ref;
        ref = calloc(1, sizeof(RuleRef));
        if (!ref)
                return NULL;
        ref->oom_score_adj = rule->oom_score_adj;
        ref->name = strdup(rule->name);
        if (!ref->name || asprintf(&ref->origin, "%s:%u", strna(o->file), o->line) < 0 ||
            hashmap_put(m->rule_refs, key, ref) < 0) {
                free(ref->name);
                free(ref);
                return NULL;
        }
        return ref;
}

void rule_ref_free(void *p) {
        RuleRef *ref = p;

        if (!ref)
                return;
        free(ref->name);
        free(ref->origin);
        free(ref);
}

/* A rule that cannot be interned (out of memory) is just not named in kill reports. */
void tracking_intern_policy_rules(Manager *m) {
        assert(m);
        free(m->policy_rule_refs);
        m->policy_rule_refs = calloc(MAX(m->policy->n_rules, (size_t) 1), sizeof(RuleRef *));
        if (!m->policy_rule_refs)
                return;
        for (size_t i = 0; i < m->policy->n_rules; i++)
                m->policy_rule_refs[i] = rule_ref_intern(m, &m->policy->rules[i]);
}

static const RuleRef *rule_ref_of(const Manager *m, const Rule *rule) {
        return m->policy_rule_refs ? m->policy_rule_refs[rule - m->policy->rules] : NULL;
}

static void count_rule_adjustment(Manager *m, const Rule *rule) {
        uint64_t *n = hashmap_get(m->adjusted_by_rule, rule->name);

        if (!n) {
                n = calloc(1, sizeof(uint64_t));
                if (!n || hashmap_put(m->adjusted_by_rule, rule->name, n) < 0) {
                        free(n);
                        return;
                }
        }
        (*n)++;
}

/* ---- writing ---- */

static void report_write_failure(Manager *m, pid_t pid, const char *comm, const Rule *rule, int old_adj, int new_adj,
                                 int error) {
        const char *hint = apply_error_hint(error, old_adj, new_adj);
        LogFields f = { .message_id = MESSAGE_ID_APPLY_FAILED, .pid = pid, .comm = comm, .rule = rule ? rule->name : NULL };

        m->counters.failed++;
        if ((error == -EACCES || error == -EPERM) && rule) {
                /* One report per rule and policy generation, not one per process. */
                if (hashmap_get(m->eacces_reported, rule->name))
                        return;
                (void) hashmap_put(m->eacces_reported, rule->name, (void *) 1);
                log_structured_errno(&m->log, LOG_WARNING, error, &f,
                                     "Cannot set oom_score_adj %d for processes of rule '%s' (first: %d %s): %m; %s. "
                                     "Further failures of this rule are counted, not logged.",
                                     new_adj, rule->name, (int) pid, comm, hint ?: "check the daemon's privileges");
                manager_remember_error(m, "rule %s: cannot set %d (pid %d %s): %s", rule->name, new_adj, (int) pid,
                                       comm, hint ?: strerror(-error));
                return;
        }
        log_structured_errno(&m->log, LOG_WARNING, error, &f, "%d %s: cannot set oom_score_adj %d -> %d: %m", (int) pid,
                             comm, old_adj, new_adj);
        manager_remember_error(m, "pid %d %s: cannot set %d: %s", (int) pid, comm, new_adj, strerror(-error));
}

/* Writes through adj_fd when the caller has oom_score_adj open already (see
 * proc_open_oom_score_adj()), else by name below pid_fd. */
static int write_adj(Manager *m, int pid_fd, int adj_fd, pid_t pid, const char *comm, const Rule *rule, int old_adj,
                     int new_adj, const char *why) {
        _cleanup_free_ char *origin = NULL;
        int r;

        r = adj_fd != -EBADF ? proc_write_oom_score_adj_fd(adj_fd, new_adj) : proc_write_oom_score_adj(pid_fd, new_adj);
        if (r == -ESRCH)
                return r;
        if (r < 0) {
                report_write_failure(m, pid, comm, rule, old_adj, new_adj, r);
                return r;
        }
        if (rule && asprintf(&origin, "%s:%u", rule->key_origin[RULE_KEY_OOM_SCORE_ADJ].file,
                             rule->key_origin[RULE_KEY_OOM_SCORE_ADJ].line) < 0)
                origin = NULL;
        log_structured(&m->log, LOG_INFO,
                       &(LogFields) { .message_id = MESSAGE_ID_APPLIED, .pid = pid, .comm = comm, .rule = rule ? rule->name : NULL },
                       "%d %s %d -> %d (%s%s%s)", (int) pid, comm, old_adj, new_adj, rule ? rule->name : why,
                       origin ? ", " : "", origin ?: "");
        manager_request_publish(m);
        return 0;
}

/* Carries out d for the process pid (comm, rule: what the evaluation found;
 * old_adj: its value): the write, reported and counted, then what to remember.
 * A write the kernel refused is reported and counted, not returned. Returns the
 * value the process has now in *ret_adj. */
static int carry_out(Manager *m, int pid_fd, int adj_fd, pid_t pid, const char *comm, const Rule *rule, int old_adj,
                     const AdjDecision *d, int *ret_adj) {
        const ProcMemoryUpdate *after = &d->after;
        int adj = old_adj;
        Tracked *t;

        if (d->write != ADJ_WRITE_NONE) {
                const Rule *governing = d->write == ADJ_WRITE_RULE ? rule : NULL;
                int r = write_adj(m, pid_fd, adj_fd, pid, comm, governing, old_adj, d->value,
                                  adj_write_to_string(d->write));

                if (r == -ESRCH) {
                        tracked_drop(m, pid);
                        return r;
                }
                if (r < 0)
                        after = &d->after_refused;
                else {
                        adj = d->value;
                        if (d->write == ADJ_WRITE_RULE) {
                                m->counters.adjusted++;
                                count_rule_adjustment(m, rule);
                        } else if (d->write == ADJ_WRITE_RESET_CHILD)
                                m->counters.reset++;
                        else
                                m->counters.restored++;
                }
        }
        *ret_adj = adj;

        if (!after->keep) {
                tracked_drop(m, pid);
                return 0;
        }
        t = tracked_ensure(m, pid);
        if (!t)
                return -ENOMEM;
        t->memory = after->memory;
        if (after->memory.matched && rule) {
                t->rule = rule_ref_of(m, rule);
                (void) snprintf(t->comm, sizeof(t->comm), "%s", comm);
        } else
                t->rule = NULL;
        return 0;
}

/* ---- evaluation: one process, as after an event or during a scan ---- */

typedef struct Evaluation {
        pid_t pid;
        pid_t ppid;
        uint64_t start_time;
        int adj;                /* value after evaluation */
        const Rule *rule;
        bool skipped;           /* kernel thread or zombie */
} Evaluation;

static int evaluate_fd(Manager *m, int pid_fd, pid_t pid, Evaluation *ret) {
        _cleanup_(proc_info_done) ProcInfo info = {};
        Evaluation e = { .pid = pid };
        const Tracked *t;
        AdjDecision d;
        ProcSeen seen;
        unsigned fields;
        int r;

        r = proc_read_basic(pid_fd, pid, &info);
        if (r < 0)
                return r;
        e.ppid = info.ppid;
        e.start_time = info.start_time;
        e.adj = info.oom_score_adj;
        seen = (ProcSeen) { .start_time = info.start_time, .oom_score_adj = info.oom_score_adj,
                            .skip = proc_info_is_kernel_thread(&info) || proc_info_is_zombie(&info) };
        e.skipped = seen.skip;
        if (seen.skip)
                goto done;   /* untouched, and so is what is remembered of it */

        /* Most processes are named by no rule: for them stat and oom_score_adj suffice. */
        if (matcher_may_match(m->policy, &info, &fields)) {
                r = proc_read_fields(pid_fd, fields, &info);
                if (r == -ESRCH) {
                        tracked_drop(m, pid);
                        return r;
                }
                if (r < 0)
                        goto done;
                e.rule = matcher_find_rule(m->policy, &info);
        }

        t = tracked_get(m, pid);
        d = adj_decide(t ? &t->memory : NULL, &seen, e.rule, m->policy->daemon.default_oom_score_adj);
        r = carry_out(m, pid_fd, -EBADF, pid, info.comm, e.rule, info.oom_score_adj, &d, &e.adj);
        if (r == -ESRCH)
                return r;
        if (e.rule)
                oomd_preference_evaluate(m, pid_fd, pid, e.rule);
done:
        if (ret)
                *ret = e;
        return r < 0 ? r : 0;
}

/* A process the daemon keeps no state for, after its EXEC, COMM or UID event
 * (no kernel thread sends those): most are named by no rule and cost one read,
 * of comm. A match gets its value before stat is read for its start time, so
 * that the value is in place as early as possible. */
static int evaluate_untracked_fd(Manager *m, int pid_fd, pid_t pid) {
        _cleanup_(proc_info_done) ProcInfo info = { .pid = pid };
        _cleanup_close_ int adj_fd = -EBADF;
        ProcInfo stat_info;
        const Rule *rule;
        AdjDecision d;
        unsigned fields;
        Tracked *t;
        int adj, r;

        r = proc_read_comm(pid_fd, info.comm);
        if (r < 0 || !matcher_may_match(m->policy, &info, &fields))
                return r;
        r = proc_read_fields(pid_fd, fields, &info);
        if (r < 0)
                goto finish;
        rule = matcher_find_rule(m->policy, &info);
        if (!rule)
                return 0;
        r = proc_open_oom_score_adj(pid_fd, &adj_fd, &info.oom_score_adj);
        if (r < 0)
                goto finish;
        d = adj_decide(NULL, &(ProcSeen) { .oom_score_adj = info.oom_score_adj }, rule,
                       m->policy->daemon.default_oom_score_adj);
        r = carry_out(m, pid_fd, adj_fd, pid, info.comm, rule, info.oom_score_adj, &d, &adj);
        if (r < 0)
                goto finish;
        oomd_preference_evaluate(m, pid_fd, pid, rule);
        /* The start time tells this process apart from a later one with its PID. */
        t = tracked_get(m, pid);
        if (t && proc_read_stat(pid_fd, pid, &stat_info) >= 0)
                t->memory.start_time = stat_info.start_time;
finish:
        if (r == -ESRCH)
                tracked_drop(m, pid);
        return r;
}

int manager_evaluate_pid(Manager *m, pid_t pid) {
        _cleanup_close_ int pid_fd = -EBADF;
        int r;

        assert(m);
        r = proc_pid_open(m->fs, pid, &pid_fd);
        if (r == -ESRCH) {
                tracked_drop(m, pid);
                return 0;
        }
        if (r < 0)
                return r;
        if (tracked_get(m, pid))
                r = evaluate_fd(m, pid_fd, pid, NULL);
        else
                r = evaluate_untracked_fd(m, pid_fd, pid);
        return r == -ESRCH || r == -EACCES || r == -EPERM ? 0 : r;
}

/* ---- full scan ---- */

typedef struct ScanState {
        Manager *m;
        Evaluation *seen;
        size_t n_seen, allocated;
} ScanState;

static int scan_one(pid_t pid, void *userdata) {
        ScanState *s = userdata;
        _cleanup_close_ int pid_fd = -EBADF;
        Evaluation e;
        int r;

        r = proc_pid_open(s->m->fs, pid, &pid_fd);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        r = evaluate_fd(s->m, pid_fd, pid, &e);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        if (s->n_seen == s->allocated) {
                size_t n = s->allocated ? s->allocated * 2 : 1024;
                Evaluation *grown = realloc(s->seen, n * sizeof(Evaluation));

                if (!grown)
                        return -ENOMEM;
                s->seen = grown;
                s->allocated = n;
        }
        s->seen[s->n_seen++] = e;
        return 0;
}

static int compare_evaluation_pid(const void *key, const void *elem) {
        pid_t k = *(const pid_t *) key, p = ((const Evaluation *) elem)->pid;

        return (k > p) - (k < p);
}

static const Evaluation *scan_find(const ScanState *s, pid_t pid) {
        /* bsearch() must not see the NULL array of a scan that found nothing. */
        if (s->n_seen == 0)
                return NULL;
        return bsearch(&pid, s->seen, s->n_seen, sizeof(Evaluation), compare_evaluation_pid);
}

/* Processes that were already running when we started (or whose FORK events were
 * lost) learn their lineage here: the nearest ancestor a rule matched decides. */
static void scan_apply_lineage(ScanState *s) {
        Manager *m = s->m;

        for (size_t i = 0; i < s->n_seen; i++) {
                const Evaluation *e = &s->seen[i], *a = e;
                Tracked *t;
                unsigned depth = 0;

                if (e->rule || e->skipped || tracked_get(m, e->pid))
                        continue;
                do {
                        a = a->ppid > 0 ? scan_find(s, a->ppid) : NULL;
                } while (a && !a->rule && ++depth < 64);
                if (!a || !a->rule || a->rule->children != CHILDREN_RESET || e->adj != a->adj)
                        continue;
                if (!tracked_get(m, a->pid))
                        continue;
                t = tracked_ensure(m, e->pid);
                if (!t)
                        return;
                t->memory = (ProcMemory) { .start_time = e->start_time, .lineage = true, .lineage_value = a->adj };
                (void) manager_evaluate_pid(m, e->pid);
        }
}

typedef struct PidList {
        pid_t *pids;
        size_t n;
} PidList;

/* Collects the tracked processes the scan did not see: their EXIT was lost. */
static int collect_missing(uint64_t pid, void *value, void *userdata) {
        const ScanState *s = ((void **) userdata)[0];
        PidList *missing = ((void **) userdata)[1];

        if (!scan_find(s, (pid_t) pid))
                missing->pids[missing->n++] = (pid_t) pid;
        return 0;
}

static void prune_missing(ScanState *s) {
        PidList missing = { .pids = calloc(MAX(hashmap_size(s->m->tracked), (size_t) 1), sizeof(pid_t)) };

        if (!missing.pids)
                return;   /* kept until the next scan */
        (void) hashmap_foreach_u64(s->m->tracked, collect_missing, (void *[]) { s, &missing });
        for (size_t i = 0; i < missing.n; i++)
                tracked_drop(s->m, missing.pids[i]);
        free(missing.pids);
}

int manager_rescan(Manager *m) {
        ScanState s = { .m = m };
        uint64_t start = now_usec(CLOCK_MONOTONIC), elapsed;
        int r;

        assert(m);
        r = proc_scan_pids(m->fs, scan_one, &s);
        if (r >= 0) {
                scan_apply_lineage(&s);
                prune_missing(&s);
        }
        elapsed = now_usec(CLOCK_MONOTONIC) - start;
        if (m->counters.rescans == 0) {
                m->scan_timing.first_usec = elapsed;
                m->scan_timing.first_processes = s.n_seen;
        }
        m->scan_timing.last_usec = elapsed;
        m->scan_timing.last_processes = s.n_seen;
        m->counters.rescans++;
        log_structured(&m->log, LOG_DEBUG, NULL, "Scanned %zu processes in %" PRIu64 " us.", s.n_seen, elapsed);
        free(s.seen);
        manager_request_publish(m);
        return r;
}

/* ---- fork and exit ---- */

void tracking_handle_fork(Manager *m, const ProcEvent *ev) {
        const Tracked *parent;
        Tracked *child;

        assert(m && ev);
        if (ev->pid != ev->tgid)
                return;   /* a new thread shares its process's oom_score_adj */
        parent = tracked_get(m, ev->parent_tgid);
        if (!parent)
                return;
        child = calloc(1, sizeof(Tracked));
        if (!child)
                return;
        /* The kernel copied the parent's value; remember where it came from. */
        *child = (Tracked) {
                .memory = proc_memory_forked(&parent->memory),
                /* Until it execs, a forked child is the same program under the same rule. */
                .rule = parent->memory.matched ? parent->rule : NULL,
        };
        memcpy(child->comm, parent->comm, sizeof(child->comm));
        if (hashmap_put_u64(m->tracked, (uint64_t) ev->pid, child) < 0)
                free(child);
}

void tracking_handle_exit(Manager *m, pid_t pid) {
        const Tracked *t;

        assert(m);
        t = tracked_get(m, pid);
        if (t && t->rule) {
                RecentExit *x = &m->recent_exits[m->recent_exit_pos];

                *x = (RecentExit) { .pid = pid, .rule = t->rule };
                memcpy(x->comm, t->comm, sizeof(x->comm));
                m->recent_exit_pos = (m->recent_exit_pos + 1) % ELEMENTSOF(m->recent_exits);
        }
        tracked_drop(m, pid);
}

static bool same_comm(const char *known, const char *reported) {
        /* The kill line prints the task's comm, which is what we stored. */
        return !reported || !*known || strncmp(known, reported, 15) == 0;
}

const RuleRef *tracking_rule_of(const Manager *m, pid_t pid, const char *comm) {
        const Tracked *t;

        assert(m);
        t = tracked_get(m, pid);
        if (t && t->rule && same_comm(t->comm, comm))
                return t->rule;
        for (size_t i = 1; i <= ELEMENTSOF(m->recent_exits); i++) {
                const RecentExit *x = &m->recent_exits[(m->recent_exit_pos + ELEMENTSOF(m->recent_exits) - i) %
                                                       ELEMENTSOF(m->recent_exits)];

                if (x->rule && x->pid == pid && same_comm(x->comm, comm))
                        return x->rule;
        }
        return NULL;
}

/* ---- restore ---- */

static int restore_one(uint64_t key, void *value, void *userdata) {
        Manager *m = userdata;
        const Tracked *t = value;
        _cleanup_(proc_info_done) ProcInfo info = {};
        _cleanup_close_ int pid_fd = -EBADF;
        pid_t pid = (pid_t) key;

        if (!t->memory.changed || proc_pid_open(m->fs, pid, &pid_fd) < 0)
                return 0;
        if (proc_read_info(pid_fd, pid, 0, &info) < 0)
                return 0;
        if (adj_restorable(&t->memory, &(ProcSeen) { .start_time = info.start_time, .oom_score_adj = info.oom_score_adj }) &&
            proc_write_oom_score_adj(pid_fd, t->memory.original) >= 0)
                m->counters.restored++;
        return 0;
}

void tracking_restore_all(Manager *m) {
        assert(m);
        (void) hashmap_foreach_u64(m->tracked, restore_one, m);
}
