/* SPDX-License-Identifier: MIT */
#include "daemon/manager.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "apply/apply.h"
#include "match/matcher.h"
#include "daemon/oom-kill-note.h"
#include "config/policy-load.h"
#include "daemon/proc-events.h"
#include "proc/proc-info.h"
#include "daemon/publish.h"
#include "shared/strv.h"
#include "shared/time-util.h"

#define DEFAULT_RCVBUF (8 * 1024 * 1024)
#define FALLBACK_RESCAN_USEC (5 * 1000000ULL)
#define OVERFLOW_LOG_INTERVAL_USEC (10 * 1000000ULL)
#define PUBLISH_DELAY_USEC 1000000ULL
#define EVENTS_PER_DISPATCH 512

static void pid_key(pid_t pid, char buf[static 16]) {
        (void) snprintf(buf, 16, "%d", (int) pid);
}

static Tracked *tracked_get(Manager *m, pid_t pid) {
        char key[16];

        pid_key(pid, key);
        return hashmap_get(m->tracked, key);
}

static int tracked_put(Manager *m, pid_t pid, const Tracked *t) {
        char key[16];
        Tracked *copy = malloc(sizeof(Tracked));
        int r;

        if (!copy)
                return -ENOMEM;
        *copy = *t;
        pid_key(pid, key);
        r = hashmap_put(m->tracked, key, copy);
        if (r < 0)
                free(copy);
        return r;
}

static void tracked_drop(Manager *m, pid_t pid) {
        char key[16];

        pid_key(pid, key);
        (void) hashmap_remove(m->tracked, key);
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

/* Once per policy, so evaluating a process costs no string building or lookup. A
 * rule that cannot be interned (out of memory) is just not named in kill reports. */
static void intern_policy_rules(Manager *m) {
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

static void free_rule_ref(void *p) {
        RuleRef *ref = p;

        free(ref->name);
        free(ref->origin);
        free(ref);
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

static void remember_error(Manager *m, const char *fmt, ...) _printf_(2, 3);
static void remember_error(Manager *m, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        if (!s)
                return;
        free(m->last_errors[m->last_error_pos]);
        m->last_errors[m->last_error_pos] = s;
        m->last_error_pos = (m->last_error_pos + 1) % ELEMENTSOF(m->last_errors);
}

static void request_publish(Manager *m) {
        int enabled = SD_EVENT_OFF;

        if (!m->publish_timer)
                return;
        /* Coalesce: at most one status/metrics write per second, none while idle. */
        if (sd_event_source_get_enabled(m->publish_timer, &enabled) >= 0 && enabled != SD_EVENT_OFF)
                return;
        (void) sd_event_source_set_time_relative(m->publish_timer, PUBLISH_DELAY_USEC);
        (void) sd_event_source_set_enabled(m->publish_timer, SD_EVENT_ONESHOT);
}

static void request_rescan(Manager *m) {
        if (m->rescan_defer)
                (void) sd_event_source_set_enabled(m->rescan_defer, SD_EVENT_ONESHOT);
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
                log_structured(&m->log, LOG_WARNING, &f,
                               "Cannot set oom_score_adj %d for processes of rule '%s' (first: %d %s): %s; %s. "
                               "Further failures of this rule are counted, not logged.",
                               new_adj, rule->name, (int) pid, comm, strerror(-error),
                               hint ?: "check the daemon's privileges");
                remember_error(m, "rule %s: cannot set %d (pid %d %s): %s", rule->name, new_adj, (int) pid, comm,
                               hint ?: strerror(-error));
                return;
        }
        log_structured(&m->log, LOG_WARNING, &f, "%d %s: cannot set oom_score_adj %d -> %d: %s", (int) pid, comm, old_adj,
                       new_adj, strerror(-error));
        remember_error(m, "pid %d %s: cannot set %d: %s", (int) pid, comm, new_adj, strerror(-error));
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
        request_publish(m);
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

/* A rule matched: gives the process the rule's value (info->oom_score_adj is
 * the one it has) and remembers the rule. t is its tracked state, NULL if none.
 * A write the kernel refused is reported and counted, not returned. */
static int apply_rule(Manager *m, int pid_fd, int adj_fd, pid_t pid, const ProcInfo *info, Tracked *t,
                      const Rule *rule, int *ret_adj) {
        int want = rule->oom_score_adj, adj = info->oom_score_adj, r;

        if (adj != want) {
                r = write_adj(m, pid_fd, adj_fd, pid, info->comm, rule, adj, want, NULL);
                if (r == -ESRCH)
                        return r;
                if (r >= 0) {
                        m->counters.adjusted++;
                        count_rule_adjustment(m, rule);
                        if (!t || !t->changed) {
                                Tracked n = t ? *t : (Tracked) { .start_time = info->start_time };

                                n.original = adj;
                                n.changed = true;
                                n.written = want;
                                r = tracked_put(m, pid, &n);
                                if (r < 0)
                                        return r;
                        } else
                                t->written = want;
                        adj = want;
                }
        }
        t = tracked_get(m, pid);
        if (!t) {
                /* Already right (e.g. OOMScoreAdjust=) or not writable: still remember the
                 * rule, for children = reset and to name it if the process is OOM-killed. */
                r = tracked_put(m, pid, &(Tracked) { .start_time = info->start_time, .original = adj, .written = adj });
                if (r < 0)
                        return r;
                t = tracked_get(m, pid);
        }
        t->matched = true;
        /* A value we could not write is not one children inherit from us. */
        t->reset_children = rule->children == CHILDREN_RESET && adj == want;
        t->lineage = false;
        t->rule = rule_ref_of(m, rule);
        (void) snprintf(t->comm, sizeof(t->comm), "%s", info->comm);
        *ret_adj = adj;
        return 0;
}

static int evaluate_fd(Manager *m, int pid_fd, pid_t pid, Evaluation *ret) {
        ProcInfo info = {};
        Evaluation e = { .pid = pid };
        unsigned fields;
        Tracked *t;
        int r;

        r = proc_read_basic(pid_fd, pid, &info);
        if (r < 0)
                return r;
        e.ppid = info.ppid;
        e.start_time = info.start_time;
        e.adj = info.oom_score_adj;
        if (proc_info_is_kernel_thread(&info) || proc_info_is_zombie(&info)) {
                e.skipped = true;
                goto done;
        }

        t = tracked_get(m, pid);
        if (t && t->start_time != 0 && t->start_time != info.start_time) {
                /* Same PID, another process: its EXIT was lost in an overflow. */
                tracked_drop(m, pid);
                t = NULL;
        }
        if (t)
                t->start_time = info.start_time;

        /* Most processes are named by no rule: for them stat and oom_score_adj suffice. */
        if (matcher_may_match(m->policy, &info, &fields)) {
                r = proc_read_fields(pid_fd, fields, &info);
                if (r == -ESRCH)
                        goto gone;
                if (r < 0)
                        goto done;
                e.rule = matcher_find_rule(m->policy, &info);
        }
        if (e.rule) {
                r = apply_rule(m, pid_fd, -EBADF, pid, &info, t, e.rule, &e.adj);
                if (r == -ESRCH)
                        goto gone;
                goto done;
        }

        if (!t)
                goto done;

        if (t->lineage && info.oom_score_adj == t->lineage_value) {
                /* The kernel copied a protected ancestor's value into a program no rule
                 * covers: give it the default, unless someone else set it meanwhile. */
                int want = m->policy->daemon.default_oom_score_adj;

                if (want != info.oom_score_adj) {
                        r = write_adj(m, pid_fd, -EBADF, pid, info.comm, NULL, info.oom_score_adj, want, "children = reset");
                        if (r == -ESRCH)
                                goto gone;
                        if (r >= 0) {
                                m->counters.reset++;
                                e.adj = want;
                        }
                }
                tracked_drop(m, pid);
        } else if (t->matched && t->changed) {
                /* No longer matches (renamed, other uid, rule removed): give back what it had. */
                if (info.oom_score_adj == t->written && t->original != t->written) {
                        r = write_adj(m, pid_fd, -EBADF, pid, info.comm, NULL, info.oom_score_adj, t->original, "no rule matches any more");
                        if (r == -ESRCH)
                                goto gone;
                        if (r >= 0) {
                                m->counters.restored++;
                                e.adj = t->original;
                        }
                }
                tracked_drop(m, pid);
        } else if (!t->changed && !t->lineage)
                tracked_drop(m, pid);   /* nothing left to remember */
        else {
                t->matched = false;
                t->rule = NULL;
        }

done:
        proc_info_done(&info);
        if (ret)
                *ret = e;
        return r < 0 && r != -ESRCH ? r : 0;
gone:
        proc_info_done(&info);
        tracked_drop(m, pid);
        return -ESRCH;
}

/* A process the daemon keeps no state for, after its EXEC, COMM or UID event
 * (no kernel thread sends those): most are named by no rule and cost one read,
 * of comm. A match gets its value before stat is read for its start time, so
 * that the value is in place as early as possible. */
static int evaluate_untracked_fd(Manager *m, int pid_fd, pid_t pid) {
        _cleanup_close_ int adj_fd = -EBADF;
        ProcInfo info = { .pid = pid }, stat_info;
        const Rule *rule;
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
                goto finish;
        r = proc_open_oom_score_adj(pid_fd, &adj_fd, &info.oom_score_adj);
        if (r < 0)
                goto finish;
        r = apply_rule(m, pid_fd, adj_fd, pid, &info, NULL, rule, &adj);
        if (r < 0)
                goto finish;
        /* The start time tells this process apart from a later one with its PID. */
        t = tracked_get(m, pid);
        if (t && proc_read_stat(pid_fd, pid, &stat_info) >= 0)
                t->start_time = stat_info.start_time;
finish:
        proc_info_done(&info);
        if (r == -ESRCH)
                tracked_drop(m, pid);
        return r;
}

int manager_evaluate_pid(Manager *m, pid_t pid) {
        _cleanup_close_ int pid_fd = -EBADF;
        int r;

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
                Tracked *at;
                unsigned depth = 0;

                if (e->rule || e->skipped || tracked_get(m, e->pid))
                        continue;
                do {
                        a = a->ppid > 0 ? scan_find(s, a->ppid) : NULL;
                } while (a && !a->rule && ++depth < 64);
                if (!a || !a->rule || a->rule->children != CHILDREN_RESET || e->adj != a->adj)
                        continue;
                at = tracked_get(m, a->pid);
                if (!at)
                        continue;
                if (tracked_put(m, e->pid, &(Tracked) { .start_time = e->start_time, .lineage = true,
                                                        .lineage_value = a->adj }) < 0)
                        return;
                (void) manager_evaluate_pid(m, e->pid);
        }
}

static int prune_missing(const char *key, void *value, void *userdata) {
        const ScanState *s = userdata;
        pid_t pid = (pid_t) atoi(key);

        if (!scan_find(s, pid))
                ((Tracked *) value)->start_time = UINT64_MAX;   /* marked; removed below */
        return 0;
}

static int collect_marked(const char *key, void *value, void *userdata) {
        if (((Tracked *) value)->start_time == UINT64_MAX)
                return strv_extend(userdata, key);
        return 0;
}

int manager_rescan(Manager *m) {
        ScanState s = { .m = m };
        char **dead = NULL;
        uint64_t start = now_usec(CLOCK_MONOTONIC), elapsed;
        int r;

        r = proc_scan_pids(m->fs, scan_one, &s);
        if (r >= 0) {
                scan_apply_lineage(&s);
                /* State of processes whose EXIT we missed. */
                (void) hashmap_foreach(m->tracked, prune_missing, &s);
                if (hashmap_foreach(m->tracked, collect_marked, &dead) >= 0)
                        for (char **d = dead; d && *d; d++)
                                (void) hashmap_remove(m->tracked, *d);
        }
        strv_free(dead);
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
        request_publish(m);
        return r;
}

/* ---- sysctls ---- */

static void apply_sysctls(Manager *m) {
        SysctlChange changes[_SYSCTL_MAX];
        size_t n = sysctl_plan(m->fs, m->policy, changes);

        for (size_t i = 0; i < n; i++) {
                SysctlChange *c = &changes[i];
                const SysctlInfo *info = sysctl_info(c->id);
                LogFields f = { .message_id = MESSAGE_ID_SYSCTL };

                if (c->error == 0)
                        (void) sysctl_apply(m->fs, c);
                if (c->error < 0) {
                        log_structured(&m->log, LOG_ERR, &f, "Cannot set %s = %" PRId64 ": %s%s", info->key, c->new_value,
                                       strerror(-c->error),
                                       c->error == -EROFS || c->error == -EACCES ? " (is /proc/sys read-only here?)" : "");
                        remember_error(m, "sysctl %s: %s", info->key, strerror(-c->error));
                        continue;
                }
                if (!m->sysctl_original[c->id].saved)
                        m->sysctl_original[c->id] = (SysctlOriginal) { .saved = true, .value = c->old_value };
                log_structured(&m->log, LOG_INFO, &f, "%s %" PRId64 " -> %" PRId64, info->key, c->old_value, c->new_value);
        }
        /* A sysctl a reloaded policy no longer sets gets its value from before us back. */
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                if (m->policy->sysctl[id].set || !m->sysctl_original[id].saved)
                        continue;
                if (sysctl_write_int64(m->fs, sysctl_info(id)->path, m->sysctl_original[id].value) >= 0)
                        log_structured(&m->log, LOG_INFO, &(LogFields) { .message_id = MESSAGE_ID_SYSCTL },
                                       "%s restored to %" PRId64 " (no longer in the policy)", sysctl_info(id)->key,
                                       m->sysctl_original[id].value);
                m->sysctl_original[id].saved = false;
        }
}

/* ---- events ---- */

static void log_rate_limited(Manager *m, const char *what) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);

        if (m->overflow_log_usec != 0 && now - m->overflow_log_usec < OVERFLOW_LOG_INTERVAL_USEC) {
                m->suppressed_logs++;
                return;
        }
        log_structured(&m->log, LOG_WARNING, &(LogFields) { .message_id = MESSAGE_ID_OVERFLOW },
                       "%s; rescanning /proc so that no process stays unadjusted (%" PRIu64 " similar messages "
                       "suppressed; overflows %" PRIu64 ", malformed %" PRIu64 ", foreign %" PRIu64 ")",
                       what, m->suppressed_logs, m->counters.overflows, m->counters.malformed, m->counters.spoofed);
        m->overflow_log_usec = now;
        m->suppressed_logs = 0;
}

static void handle_fork(Manager *m, const ProcEvent *ev) {
        Tracked *parent, child;

        if (ev->pid != ev->tgid)
                return;   /* a new thread shares its process's oom_score_adj */
        parent = tracked_get(m, ev->parent_tgid);
        if (!parent)
                return;
        /* The kernel copied the parent's value; remember where it came from. */
        child = (Tracked) {
                .original = parent->original,
                .written = parent->written,
                .changed = parent->changed && !parent->lineage,
                .lineage = parent->reset_children || parent->lineage,
                .lineage_value = parent->reset_children ? parent->written : parent->lineage_value,
                /* Until it execs, a forked child is the same program under the same rule. */
                .rule = parent->matched ? parent->rule : NULL,
        };
        memcpy(child.comm, parent->comm, sizeof(child.comm));
        if (child.lineage)
                child.changed = false;
        (void) tracked_put(m, ev->pid, &child);
}

static void handle_exit(Manager *m, pid_t pid) {
        const Tracked *t = tracked_get(m, pid);

        if (t && t->rule) {
                RecentExit *x = &m->recent_exits[m->recent_exit_pos];

                *x = (RecentExit) { .pid = pid, .rule = t->rule };
                memcpy(x->comm, t->comm, sizeof(x->comm));
                m->recent_exit_pos = (m->recent_exit_pos + 1) % ELEMENTSOF(m->recent_exits);
        }
        tracked_drop(m, pid);
}

/* ---- OOM kills in the kernel log ---- */

static bool same_comm(const char *known, const char *reported) {
        /* The kill line prints the task's comm, which is what we stored. */
        return !reported || !*known || strncmp(known, reported, 15) == 0;
}

static const RuleRef *victim_rule(Manager *m, const OomEvent *e) {
        const Tracked *t;

        if (e->victim_pid == OOM_UNSET || e->victim_pid <= 0 || e->victim_pid > INT32_MAX)
                return NULL;
        t = tracked_get(m, (pid_t) e->victim_pid);
        if (t && t->rule && same_comm(t->comm, e->victim_comm))
                return t->rule;
        for (size_t i = 1; i <= ELEMENTSOF(m->recent_exits); i++) {
                const RecentExit *x = &m->recent_exits[(m->recent_exit_pos + ELEMENTSOF(m->recent_exits) - i) %
                                                       ELEMENTSOF(m->recent_exits)];

                if (x->rule && x->pid == (pid_t) e->victim_pid && same_comm(x->comm, e->victim_comm))
                        return x->rule;
        }
        return NULL;
}

void manager_handle_oom_kill(Manager *m, const OomEvent *e) {
        const RuleRef *ref = victim_rule(m, e);
        KillAttribution a = { .rule = ref ? ref->name : NULL, .rule_adj = ref ? ref->oom_score_adj : 0,
                              .origin = ref ? ref->origin : NULL };
        LogFields f = { .message_id = MESSAGE_ID_OOM_KILL, .rule = a.rule };
        OomKillNote note;

        m->counters.oom_kills++;
        if (e->scope == OOM_SCOPE_MEMCG)
                m->counters.oom_kills_memcg++;
        else
                m->counters.oom_kills_global++;
        request_publish(m);
        if (oom_kill_note_build(e, &a, &note) < 0) {
                log_msg(&m->log, LOG_ERR, "Out of memory while reporting an OOM kill.");
                return;
        }
        if (note.protected_victim) {
                m->counters.oom_kills_protected++;
                remember_error(m, "%s", note.message);
        }
        for (size_t i = 0; i < ELEMENTSOF(f.extra) && note.fields[i]; i++)
                f.extra[i] = note.fields[i];
        log_structured(&m->log, note.level, &f, "%s", note.message);
        oom_kill_note_done(&note);
}

static void on_oom_kill(const OomEvent *e, void *userdata) {
        manager_handle_oom_kill(userdata, e);
}

/* Follows the kernel log while the policy says so. Opening needs CAP_SYSLOG
 * (kernel.dmesg_restrict), which is gone after start: a reload that turns
 * watch_kernel_log on can only ask for a restart. */
static void update_kernel_log_watch(Manager *m) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (!m->policy->daemon.watch_kernel_log) {
                m->kernel_log = kernel_log_watch_free(m->kernel_log);
                return;
        }
        if (m->kernel_log)
                return;
        if (m->opts.kernel_log)
                path = strdup(m->opts.kernel_log);
        else if (asprintf(&path, "%s/dev/kmsg", strcmp(m->opts.root, "/") == 0 ? "" : m->opts.root) < 0)
                path = NULL;
        if (!path) {
                log_msg(&m->log, LOG_ERR, "Out of memory.");
                return;
        }
        r = kernel_log_watch_new(m->event, path, on_oom_kill, m, &m->kernel_log);
        if (r < 0) {
                log_msg(&m->log, LOG_WARNING, "Cannot follow the kernel log %s: %s%s; OOM kills will not be reported.",
                        path, strerror(-r),
                        r == -EPERM || r == -EACCES ? " (needs CAP_SYSLOG with kernel.dmesg_restrict=1; after a "
                                                      "reload, restart the daemon)" : "");
                remember_error(m, "cannot follow %s: %s", path, strerror(-r));
        }
}

void manager_handle_event(Manager *m, const ProcEvent *ev) {
        int r = 0;

        m->counters.events++;
        switch (ev->kind) {
        case PROC_EVENT_KIND_EXEC:
        case PROC_EVENT_KIND_COMM:
        case PROC_EVENT_KIND_UID:
                /* Per process, not per thread: a thread's rename or setuid is seen by the leader's evaluation. */
                if (ev->pid == ev->tgid)
                        r = manager_evaluate_pid(m, ev->tgid);
                break;
        case PROC_EVENT_KIND_FORK:
                handle_fork(m, ev);
                break;
        case PROC_EVENT_KIND_EXIT:
                if (ev->pid == ev->tgid)
                        handle_exit(m, ev->tgid);
                break;
        default:
                break;
        }
        if (r == -ENOMEM)
                log_msg(&m->log, LOG_ERR, "Out of memory while handling an event; rescanning.");
        if (r < 0)
                request_rescan(m);
}

static int on_netlink(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;

        for (unsigned i = 0; i < EVENTS_PER_DISPATCH; i++) {
                ProcEvent ev[4];
                size_t n = 0;
                int r = proc_events_receive(fd, ev, ELEMENTSOF(ev), &n);

                for (size_t j = 0; j < n; j++)
                        manager_handle_event(m, &ev[j]);
                if (r == -EAGAIN)
                        break;
                if (r == -ENOBUFS) {
                        m->counters.overflows++;
                        log_rate_limited(m, "Process event queue overflowed (events were lost)");
                        request_rescan(m);
                } else if (r == -EPERM) {
                        m->counters.spoofed++;
                        log_rate_limited(m, "Dropped a netlink message not sent by the kernel");
                } else if (r < 0 && r != -ENOSPC) {
                        m->counters.malformed++;
                        log_rate_limited(m, "Received a malformed process event message");
                        request_rescan(m);
                }
        }
        return 0;
}

static int on_rescan_defer(sd_event_source *s, void *userdata) {
        Manager *m = userdata;
        int r = manager_rescan(m);

        if (r < 0)
                log_structured(&m->log, LOG_ERR, NULL, "Rescan failed: %s", strerror(-r));
        return 0;
}

static uint64_t rescan_interval_usec(const Manager *m) {
        uint64_t usec = m->policy->daemon.rescan_interval_sec * 1000000ULL;

        if (m->fallback_polling && (usec == 0 || usec > FALLBACK_RESCAN_USEC))
                usec = FALLBACK_RESCAN_USEC;
        return usec;
}

static void arm_rescan_timer(Manager *m) {
        uint64_t usec = rescan_interval_usec(m);

        if (!m->rescan_timer)
                return;
        if (usec == 0) {
                (void) sd_event_source_set_enabled(m->rescan_timer, SD_EVENT_OFF);
                return;
        }
        (void) sd_event_source_set_time_relative(m->rescan_timer, usec);
        (void) sd_event_source_set_enabled(m->rescan_timer, SD_EVENT_ONESHOT);
}

static int on_rescan_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        (void) manager_rescan(m);
        arm_rescan_timer(m);
        return 0;
}

static void notify_status(Manager *m);

static int on_publish_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        m->published_usec = now_usec(CLOCK_REALTIME);
        publish_state(m);
        notify_status(m);
        return 0;
}

/* ---- reload and exit ---- */

static void protect_self(Manager *m);

static void notify_status(Manager *m) {
        (void) sd_notifyf(false,
                          "STATUS=%zu rules; %" PRIu64 " adjusted, %" PRIu64 " failed, %" PRIu64 " events, %" PRIu64
                          " rescans, %" PRIu64 " overflows%s",
                          m->policy->n_rules, m->counters.adjusted, m->counters.failed, m->counters.events,
                          m->counters.rescans, m->counters.overflows,
                          m->fallback_polling ? "; no proc connector: polling" : "");
}

/* Logs every diagnostic; the errors also become m->load_errors (for
 * oompolicyctl reload, which reports the verdict of the reload it asked for). */
static int load_policy(Manager *m, Policy **ret) {
        DiagList diag = {};
        int r = policy_load(m->opts.root, m->opts.config, ret, &diag);

        strv_free(m->load_errors);
        m->load_errors = NULL;
        for (size_t i = 0; i < diag.n_entries; i++) {
                _cleanup_free_ char *line = diag_entry_format(&diag.entries[i]);

                log_structured(&m->log, diag.entries[i].warning ? LOG_WARNING : LOG_ERR,
                               &(LogFields) { .message_id = MESSAGE_ID_RELOAD_FAILED }, "%s", strna(line));
                if (!diag.entries[i].warning) {
                        remember_error(m, "%s", strna(line));
                        if (line && strv_extend(&m->load_errors, line) < 0)
                                log_msg(&m->log, LOG_ERR, "Out of memory.");
                }
        }
        diag_list_done(&diag);
        return r;
}

static void reload(Manager *m) {
        Policy *p = NULL;
        int r;

        (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, now_usec(CLOCK_MONOTONIC));
        r = load_policy(m, &p);
        m->last_reload_ok = r >= 0;
        if (r < 0) {
                m->counters.reload_failures++;
                log_structured(&m->log, LOG_ERR, &(LogFields) { .message_id = MESSAGE_ID_RELOAD_FAILED },
                               "Reload failed (%s); the previous policy stays in force.",
                               r == -EINVAL ? "policy has errors" : strerror(-r));
                if (r != -EINVAL && strv_extend(&m->load_errors, strerror(-r)) < 0)
                        log_msg(&m->log, LOG_ERR, "Out of memory.");
        } else {
                policy_free(m->policy);
                m->policy = p;
                intern_policy_rules(m);
                m->policy_loaded_usec = now_usec(CLOCK_REALTIME);
                m->counters.reloads++;
                hashmap_free(m->eacces_reported);
                m->eacces_reported = NULL;
                if (hashmap_new(NULL, &m->eacces_reported) < 0)
                        log_msg(&m->log, LOG_ERR, "Out of memory.");
                if (m->opts.log_level < 0)
                        m->log.max_level = p->daemon.log_level;
                protect_self(m);
                apply_sysctls(m);
                update_kernel_log_watch(m);
                (void) manager_rescan(m);
                arm_rescan_timer(m);
                log_structured(&m->log, LOG_INFO, &(LogFields) { .message_id = MESSAGE_ID_RELOADED },
                               "Reloaded: %zu rules from %zu files.", p->n_rules, strv_length(p->files));
        }
        notify_status(m);
        request_publish(m);
        (void) sd_notify(false, "READY=1");
}

static int restore_one(const char *key, void *value, void *userdata) {
        Manager *m = userdata;
        Tracked *t = value;
        _cleanup_close_ int pid_fd = -EBADF;
        ProcInfo info = {};
        pid_t pid = (pid_t) atoi(key);

        if (!t->changed || proc_pid_open(m->fs, pid, &pid_fd) < 0)
                return 0;
        if (proc_read_info(pid_fd, pid, 0, &info) < 0)
                return 0;
        /* Only our own value goes back, and only to the same process. */
        if ((t->start_time == 0 || t->start_time == info.start_time) && info.oom_score_adj == t->written &&
            proc_write_oom_score_adj(pid_fd, t->original) >= 0)
                m->counters.restored++;
        proc_info_done(&info);
        return 0;
}

static void restore_everything(Manager *m) {
        (void) hashmap_foreach(m->tracked, restore_one, m);
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++)
                if (m->sysctl_original[id].saved)
                        (void) sysctl_write_int64(m->fs, sysctl_info(id)->path, m->sysctl_original[id].value);
        log_msg(&m->log, LOG_INFO, "Restored %" PRIu64 " processes and every sysctl to their values from before.",
                m->counters.restored);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (si->ssi_signo == SIGHUP) {
                reload(m);
                return 0;
        }
        (void) sd_notify(false, "STOPPING=1");
        if (m->policy->daemon.restore_on_exit)
                restore_everything(m);
        log_structured(&m->log, LOG_INFO, &(LogFields) { .message_id = MESSAGE_ID_STOPPED },
                       "Stopping on %s; %s.", strsignal((int) si->ssi_signo),
                       m->policy->daemon.restore_on_exit ? "previous values restored" : "applied values stay in place");
        publish_state(m);
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* ---- life cycle ---- */

static void free_tracked(void *p) {
        free(p);
}

int manager_new(const ManagerOptions *opts, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(Manager));
        int r;

        if (!m)
                return -ENOMEM;
        m->opts = *opts;
        m->netlink_fd = -EBADF;
        m->state_dir_fd = -EBADF;
        logger_init(&m->log, opts->log_target, opts->log_level >= 0 ? opts->log_level : LOG_INFO);
        r = hashmap_new(free_tracked, &m->tracked);
        if (r < 0)
                return r;
        r = hashmap_new(NULL, &m->eacces_reported);
        if (r < 0)
                return r;
        r = hashmap_new(free_rule_ref, &m->rule_refs);
        if (r < 0)
                return r;
        r = hashmap_new(free, &m->adjusted_by_rule);
        if (r < 0)
                return r;
        r = sd_event_default(&m->event);
        if (r < 0)
                return r;
        r = file_writer_new(&m->file_writer);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        sd_event_source_disable_unref(m->netlink_source);
        sd_event_source_disable_unref(m->rescan_defer);
        sd_event_source_disable_unref(m->rescan_timer);
        sd_event_source_disable_unref(m->publish_timer);
        for (size_t i = 0; i < ELEMENTSOF(m->signal_sources); i++)
                sd_event_source_disable_unref(m->signal_sources[i]);
        m->netlink_fd = proc_events_close(m->netlink_fd);
        kernel_log_watch_free(m->kernel_log);
        file_writer_free(m->file_writer);   /* writes what is still queued first */
        closep(&m->state_dir_fd);           /* released only after the last write */
        sd_event_unref(m->event);
        hashmap_free(m->tracked);
        hashmap_free(m->eacces_reported);
        hashmap_free(m->rule_refs);
        free(m->policy_rule_refs);
        hashmap_free(m->adjusted_by_rule);
        policy_free(m->policy);
        rootfs_free(m->fs);
        for (size_t i = 0; i < ELEMENTSOF(m->last_errors); i++)
                free(m->last_errors[i]);
        strv_free(m->load_errors);
        free(m);
        return NULL;
}

static void protect_self(Manager *m) {
        _cleanup_close_ int pid_fd = -EBADF;
        int want = m->policy->daemon.self_oom_score_adj, r;

        r = proc_pid_open(m->fs, getpid(), &pid_fd);
        if (r >= 0)
                r = proc_write_oom_score_adj(pid_fd, want);
        if (r < 0)
                log_msg(&m->log, LOG_WARNING, "Cannot set own oom_score_adj to %d: %s%s", want, strerror(-r),
                        r == -EACCES ? " (needs CAP_SYS_RESOURCE; OOMScoreAdjust= in the unit does it too)" : "");
}

static void log_capabilities(Manager *m) {
        LogFields f = { .message_id = MESSAGE_ID_CAPABILITIES };

        log_structured(&m->log, LOG_INFO, &f, "Capabilities kept: CAP_SYS_RESOURCE=%s CAP_DAC_OVERRIDE=%s CAP_SYS_PTRACE=%s",
                       yes_no(m->caps.sys_resource), yes_no(m->caps.dac_override), yes_no(m->caps.sys_ptrace));
        if (!m->caps.sys_resource)
                log_structured(&m->log, LOG_WARNING, &f,
                               "Without CAP_SYS_RESOURCE, negative oom_score_adj values cannot be applied.");
        if (!m->caps.dac_override)
                log_structured(&m->log, LOG_WARNING, &f,
                               "Without CAP_DAC_OVERRIDE, processes of other users cannot be adjusted.");
        if (!m->caps.sys_ptrace)
                log_structured(&m->log, LOG_WARNING, &f,
                               "Without CAP_SYS_PTRACE, exe = qualifiers cannot match other users' processes.");
}

static int setup_event_sources(Manager *m) {
        static const int signals[] = { SIGHUP, SIGTERM, SIGINT };
        sigset_t mask;
        int r;

        /* sd-event takes these through a signalfd; they must not be delivered the normal way. */
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                sigaddset(&mask, signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return negative_errno();
        for (size_t i = 0; i < ELEMENTSOF(signals); i++) {
                r = sd_event_add_signal(m->event, &m->signal_sources[i], signals[i], on_signal, m);
                if (r < 0)
                        return r;
        }
        r = sd_event_add_defer(m->event, &m->rescan_defer, on_rescan_defer, m);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(m->rescan_defer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(m->event, &m->rescan_timer, CLOCK_MONOTONIC, UINT64_MAX / 2, 0,
                                       on_rescan_timer, m);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(m->event, &m->publish_timer, CLOCK_MONOTONIC, PUBLISH_DELAY_USEC, 0,
                                       on_publish_timer, m);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(m->publish_timer, SD_EVENT_OFF);
        if (r < 0)
                return r;
        if (m->netlink_fd >= 0) {
                r = sd_event_add_io(m->event, &m->netlink_source, m->netlink_fd, EPOLLIN, on_netlink, m);
                if (r < 0)
                        return r;
                /* Events first: a pending rescan will see everything they did anyway. */
                r = sd_event_source_set_priority(m->netlink_source, SD_EVENT_PRIORITY_IMPORTANT);
                if (r < 0)
                        return r;
        }
        r = sd_event_set_watchdog(m->event, true);
        if (r < 0)
                return r;
        return 0;
}

int manager_start(Manager *m) {
        const char *state_dir = m->opts.state_dir ?: STATE_DIR_DEFAULT;
        int r;

        /* Before anything is applied: a second daemon must change nothing. */
        r = publish_lock_state_dir(state_dir, &m->state_dir_fd);
        if (r == -EBUSY) {
                log_msg(&m->log, LOG_ERR, "Refusing to start: another oompolicyd is already running with the state directory %s.",
                        state_dir);
                return r;
        }
        if (r < 0) {
                log_msg(&m->log, LOG_ERR, "Refusing to start: cannot lock the state directory %s: %s", state_dir,
                        strerror(-r));
                return r;
        }

        r = load_policy(m, &m->policy);
        if (r < 0) {
                log_msg(&m->log, LOG_ERR, "Refusing to start: %s.",
                        r == -EINVAL ? "the policy has errors (listed above)" : strerror(-r));
                return r;
        }
        m->policy_loaded_usec = now_usec(CLOCK_REALTIME);
        m->last_reload_ok = true;
        intern_policy_rules(m);
        if (m->opts.log_level < 0)
                m->log.max_level = m->policy->daemon.log_level;

        r = rootfs_open(m->opts.root, &m->fs);
        if (r < 0) {
                log_msg(&m->log, LOG_ERR, "Cannot open %s/proc: %s", m->opts.root, strerror(-r));
                return r;
        }
        protect_self(m);
        apply_sysctls(m);

        /* Subscribe before scanning: a process started during the scan is then seen by an event. */
        if (m->opts.no_netlink)
                r = -EPROTONOSUPPORT;
        else
                r = proc_events_open(m->opts.rcvbuf_bytes > 0 ? m->opts.rcvbuf_bytes : DEFAULT_RCVBUF, &m->netlink_fd);
        if (r < 0) {
                m->fallback_polling = true;
                log_msg(&m->log, LOG_ERR,
                        "Cannot use the proc connector (%s%s): FALLING BACK TO RESCANNING /proc EVERY %" PRIu64
                        " s. New processes may run unprotected until the next rescan.",
                        strerror(-r), r == -EPERM || r == -EACCES ? "; needs CAP_NET_ADMIN in the initial namespaces" : "",
                        (uint64_t) (rescan_interval_usec(m) / 1000000ULL));
        }

        update_kernel_log_watch(m);

        if (!m->opts.keep_caps) {
                r = caps_drop_to_minimum(&m->caps);
                if (r < 0) {
                        log_msg(&m->log, LOG_ERR, "Cannot drop capabilities: %s", strerror(-r));
                        return r;
                }
                log_capabilities(m);
        }

        r = setup_event_sources(m);
        if (r < 0) {
                log_msg(&m->log, LOG_ERR, "Cannot set up the event loop: %s", strerror(-r));
                return r;
        }

        r = manager_rescan(m);
        if (r < 0) {
                log_msg(&m->log, LOG_ERR, "Initial scan of /proc failed: %s", strerror(-r));
                return r;
        }
        arm_rescan_timer(m);
        m->ready = true;
        log_structured(&m->log, LOG_INFO, &(LogFields) { .message_id = MESSAGE_ID_STARTED },
                       "Started: %zu rules from %zu files; %" PRIu64 " processes adjusted; %s.", m->policy->n_rules,
                       strv_length(m->policy->files), m->counters.adjusted,
                       m->fallback_polling ? "polling /proc (no proc connector)" : "following process events");
        publish_state(m);
        /* Whoever waited for READY=1 (systemctl start) may run oompolicyctl status next. */
        file_writer_flush(m->file_writer);
        notify_status(m);
        (void) sd_notify(false, "READY=1");
        return 0;
}

int manager_run(Manager *m) {
        return sd_event_loop(m->event);
}
