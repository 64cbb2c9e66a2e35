/* SPDX-License-Identifier: MIT */
#include "daemon/manager.h"

#include <assert.h>
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

#include "config/policy-load.h"
#include "daemon/oom-kill-note.h"
#include "daemon/proc-events.h"
#include "daemon/publish.h"
#include "daemon/oomd-preference.h"
#include "daemon/tracking.h"
#include "proc/proc-info.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "shared/time-util.h"

#define DEFAULT_RCVBUF (8 * 1024 * 1024)
#define FALLBACK_RESCAN_USEC (5 * 1000000ULL)
#define OVERFLOW_LOG_INTERVAL_USEC (10 * 1000000ULL)
#define PUBLISH_DELAY_USEC 1000000ULL
#define EVENTS_PER_DISPATCH 512

void manager_remember_error(Manager *m, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;

        assert(m && fmt);
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        if (!s)
                return;
        free(m->last_errors[m->last_error_pos].message);
        m->last_errors[m->last_error_pos] = (RecentError) { .message = s, .usec = now_usec(CLOCK_REALTIME) };
        m->last_error_pos = (m->last_error_pos + 1) % ELEMENTSOF(m->last_errors);
}

/* What status shows is what went wrong under the policy in force. */
static void forget_errors(Manager *m) {
        for (size_t i = 0; i < ELEMENTSOF(m->last_errors); i++) {
                free(m->last_errors[i].message);
                m->last_errors[i] = (RecentError) {};
        }
        m->last_error_pos = 0;
}

void manager_request_publish(Manager *m) {
        int enabled = SD_EVENT_OFF;

        assert(m);
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

/* ---- sysctls ---- */

static void apply_sysctls(Manager *m) {
        SysctlChange changes[_SYSCTL_MAX];
        size_t n = sysctl_plan(m->fs, m->policy, changes);
        LogFields f = { .message_id = MESSAGE_ID_SYSCTL };

        for (size_t i = 0; i < n; i++) {
                SysctlChange *c = &changes[i];
                const SysctlInfo *info = sysctl_info(c->id);

                if (c->error == 0)
                        (void) sysctl_apply(m->fs, c);
                if (c->error < 0) {
                        log_structured_errno(&m->log, LOG_ERR, c->error, &f, "Cannot set %s = %" PRId64 ": %m%s",
                                             info->key, c->new_value,
                                             c->error == -EROFS || c->error == -EACCES ? " (is /proc/sys read-only here?)" : "");
                        manager_remember_error(m, "sysctl %s: %s", info->key, strerror(-c->error));
                        continue;
                }
                sysctl_originals_note(&m->sysctl_originals, c);
                log_structured(&m->log, LOG_INFO, &f, "%s %" PRId64 " -> %" PRId64, info->key, c->old_value, c->new_value);
        }
        /* A sysctl a reloaded policy no longer sets gets its value from before us back. */
        n = sysctl_plan_restore(&m->sysctl_originals, m->policy, changes);
        for (size_t i = 0; i < n; i++)
                if (sysctl_apply(m->fs, &changes[i]) >= 0)
                        log_structured(&m->log, LOG_INFO, &f, "%s restored to %" PRId64 " (no longer in the policy)",
                                       sysctl_info(changes[i].id)->key, changes[i].new_value);
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

static const RuleRef *victim_rule(const Manager *m, const OomEvent *e) {
        if (e->victim_pid == OOM_UNSET || e->victim_pid <= 0 || e->victim_pid > INT32_MAX)
                return NULL;
        return tracking_rule_of(m, (pid_t) e->victim_pid, e->victim_comm);
}

void manager_handle_oom_kill(Manager *m, const OomEvent *e) {
        const RuleRef *ref;
        KillAttribution a;
        LogFields f;
        OomKillNote note;

        assert(m && e);
        ref = victim_rule(m, e);
        a = (KillAttribution) { .rule = ref ? ref->name : NULL, .rule_adj = ref ? ref->oom_score_adj : 0,
                                .origin = ref ? ref->origin : NULL };
        f = (LogFields) { .message_id = MESSAGE_ID_OOM_KILL, .rule = a.rule };
        m->counters.oom_kills++;
        if (e->scope == OOM_SCOPE_MEMCG)
                m->counters.oom_kills_memcg++;
        else
                m->counters.oom_kills_global++;
        manager_request_publish(m);
        if (oom_kill_note_build(e, &a, &note) < 0) {
                log_msg(&m->log, LOG_ERR, "Out of memory while reporting an OOM kill.");
                return;
        }
        if (note.protected_victim) {
                m->counters.oom_kills_protected++;
                manager_remember_error(m, "%s", note.message);
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
                log_msg_errno(&m->log, LOG_WARNING, r, "Cannot follow the kernel log %s: %m%s; OOM kills will not be reported.",
                        path,
                        r == -EPERM || r == -EACCES ? " (needs CAP_SYSLOG with kernel.dmesg_restrict=1; after a "
                                                      "reload, restart the daemon)" : "");
                manager_remember_error(m, "cannot follow %s: %s", path, strerror(-r));
        }
}

void manager_handle_event(Manager *m, const ProcEvent *ev) {
        int r = 0;

        assert(m && ev);
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
                tracking_handle_fork(m, ev);
                break;
        case PROC_EVENT_KIND_EXIT:
                if (ev->pid == ev->tgid)
                        tracking_handle_exit(m, ev->tgid);
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
                log_msg_errno(&m->log, LOG_ERR, r, "Rescan failed: %m");
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

static uint64_t metrics_interval_usec(const Manager *m) {
        return m->opts.metrics_interval_sec > 0 ? (uint64_t) m->opts.metrics_interval_sec * 1000000ULL
                                                : METRICS_REFRESH_USEC;
}

/* Only with a metrics file: state.json is for oompolicyctl, which reads the
 * daemon's liveness from its lock, not from the file's age. */
static void arm_metrics_timer(Manager *m) {
        if (!m->metrics_timer)
                return;
        if (!m->policy->daemon.metrics_file) {
                (void) sd_event_source_set_enabled(m->metrics_timer, SD_EVENT_OFF);
                return;
        }
        (void) sd_event_source_set_time_relative(m->metrics_timer, metrics_interval_usec(m));
        (void) sd_event_source_set_enabled(m->metrics_timer, SD_EVENT_ONESHOT);
}

static int on_metrics_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        manager_request_publish(m);
        arm_metrics_timer(m);
        return 0;
}

static void notify_status(Manager *m);

static int on_publish_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

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
                        manager_remember_error(m, "%s", strna(line));
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
                const char *old_metrics = m->policy->daemon.metrics_file;

                /* Left behind, the old file would look like a hung daemon. */
                if (old_metrics && (!p->daemon.metrics_file || strcmp(old_metrics, p->daemon.metrics_file) != 0))
                        publish_withdraw_metrics(m, old_metrics);
                forget_errors(m);
                policy_free(m->policy);
                m->policy = p;
                tracking_intern_policy_rules(m);
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
                oomd_preference_after_reload(m);
                (void) manager_rescan(m);
                arm_rescan_timer(m);
                arm_metrics_timer(m);
                log_structured(&m->log, LOG_INFO, &(LogFields) { .message_id = MESSAGE_ID_RELOADED },
                               "Reloaded: %zu rule%s from %zu file%s.", p->n_rules, plural(p->n_rules),
                               strv_length(p->files), plural(strv_length(p->files)));
        }
        notify_status(m);
        manager_request_publish(m);
        (void) sd_notify(false, "READY=1");
}

static void restore_everything(Manager *m) {
        SysctlChange changes[_SYSCTL_MAX];
        size_t n;

        tracking_restore_all(m);
        oomd_preference_restore_all(m);
        n = sysctl_plan_restore(&m->sysctl_originals, NULL, changes);
        for (size_t i = 0; i < n; i++)
                (void) sysctl_apply(m->fs, &changes[i]);
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
        m->stopping = true;
        publish_state(m);
        if (m->policy->daemon.metrics_file)
                publish_withdraw_metrics(m, m->policy->daemon.metrics_file);
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* ---- life cycle ---- */

int manager_new(const ManagerOptions *opts, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(Manager));
        int r;

        assert(opts && ret);
        if (!m)
                return -ENOMEM;
        m->opts = *opts;
        m->start_usec = now_usec(CLOCK_REALTIME);
        m->netlink_fd = -EBADF;
        m->state_dir_fd = -EBADF;
        logger_init(&m->log, opts->log_target, opts->log_level >= 0 ? opts->log_level : LOG_INFO);
        r = hashmap_new_u64(free, &m->tracked);
        if (r < 0)
                return r;
        r = hashmap_new(NULL, &m->eacces_reported);
        if (r < 0)
                return r;
        r = hashmap_new(rule_ref_free, &m->rule_refs);
        if (r < 0)
                return r;
        r = hashmap_new(free, &m->adjusted_by_rule);
        if (r < 0)
                return r;
        r = unit_prefs_new(&m->unit_prefs);
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
        sd_event_source_disable_unref(m->metrics_timer);
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
        unit_prefs_free(m->unit_prefs);
        policy_free(m->policy);
        rootfs_free(m->fs);
        forget_errors(m);
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
        /* Said once, not again at every reload that meets the same refusal. */
        if (r < 0 && (r != m->self_adj_error || want != m->self_adj_refused))
                log_msg_errno(&m->log, LOG_WARNING, r, "Cannot set own oom_score_adj to %d: %m%s", want,
                              r == -EACCES ? " (needs CAP_SYS_RESOURCE; OOMScoreAdjust= in the unit does it too)" : "");
        m->self_adj_error = r < 0 ? r : 0;
        m->self_adj_refused = want;
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
        r = sd_event_add_time_relative(m->event, &m->metrics_timer, CLOCK_MONOTONIC, METRICS_REFRESH_USEC, 0,
                                       on_metrics_timer, m);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(m->metrics_timer, SD_EVENT_OFF);
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
        const char *state_dir;
        int r;

        assert(m);
        state_dir = m->opts.state_dir ?: STATE_DIR_DEFAULT;
        /* Before anything is applied: a second daemon must change nothing. */
        r = publish_lock_state_dir(state_dir, &m->state_dir_fd);
        if (r == -EBUSY) {
                log_msg(&m->log, LOG_ERR, "Refusing to start: another oompolicyd is already running with the state directory %s.",
                        state_dir);
                return r;
        }
        if (r < 0)
                return log_msg_errno(&m->log, LOG_ERR, r, "Refusing to start: cannot lock the state directory %s: %m",
                                     state_dir);

        r = load_policy(m, &m->policy);
        if (r < 0) {
                log_msg(&m->log, LOG_ERR, "Refusing to start: %s.",
                        r == -EINVAL ? "the policy has errors (listed above)" : strerror(-r));
                return r;
        }
        m->policy_loaded_usec = now_usec(CLOCK_REALTIME);
        m->last_reload_ok = true;
        tracking_intern_policy_rules(m);
        if (m->opts.log_level < 0)
                m->log.max_level = m->policy->daemon.log_level;

        r = rootfs_open(m->opts.root, &m->fs);
        if (r < 0)
                return log_msg_errno(&m->log, LOG_ERR, r, "Cannot open %s/proc: %m", m->opts.root);
        protect_self(m);
        apply_sysctls(m);

        /* Subscribe before scanning: a process started during the scan is then seen by an event. */
        if (m->opts.no_netlink)
                r = -EPROTONOSUPPORT;
        else
                r = proc_events_open(m->opts.rcvbuf_bytes > 0 ? m->opts.rcvbuf_bytes : DEFAULT_RCVBUF, &m->netlink_fd);
        if (r < 0) {
                m->fallback_polling = true;
                log_msg_errno(&m->log, LOG_ERR, r,
                        "Cannot use the proc connector (%m%s): FALLING BACK TO RESCANNING /proc EVERY %" PRIu64
                        " s. New processes may run unprotected until the next rescan.",
                        r == -EPERM || r == -EACCES ? "; needs CAP_NET_ADMIN in the initial namespaces" : "",
                        (uint64_t) (rescan_interval_usec(m) / 1000000ULL));
        }

        update_kernel_log_watch(m);

        if (!m->opts.keep_caps) {
                r = caps_drop_to_minimum(&m->caps);
                if (r < 0)
                        return log_msg_errno(&m->log, LOG_ERR, r, "Cannot drop capabilities: %m");
                log_capabilities(m);
        }

        r = setup_event_sources(m);
        if (r < 0)
                return log_msg_errno(&m->log, LOG_ERR, r, "Cannot set up the event loop: %m");

        r = manager_rescan(m);
        if (r < 0)
                return log_msg_errno(&m->log, LOG_ERR, r, "Initial scan of /proc failed: %m");
        arm_rescan_timer(m);
        arm_metrics_timer(m);
        m->ready = true;
        log_structured(&m->log, LOG_INFO, &(LogFields) { .message_id = MESSAGE_ID_STARTED },
                       "Started: %zu rule%s from %zu file%s; %" PRIu64 " process%s adjusted; %s.", m->policy->n_rules,
                       plural(m->policy->n_rules), strv_length(m->policy->files), plural(strv_length(m->policy->files)),
                       m->counters.adjusted, m->counters.adjusted == 1 ? "" : "es",
                       m->fallback_polling ? "polling /proc (no proc connector)" : "following process events");
        publish_state(m);
        /* Whoever waited for READY=1 (systemctl start) may run oompolicyctl status next. */
        file_writer_flush(m->file_writer);
        notify_status(m);
        (void) sd_notify(false, "READY=1");
        return 0;
}

int manager_run(Manager *m) {
        assert(m);
        return sd_event_loop(m->event);
}
