/* SPDX-License-Identifier: MIT */
#include "daemon/publish.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon/file-writer.h"
#include "daemon/manager.h"
#include "shared/json-util.h"
#include "shared/time-util.h"

static json_object *counters_json(const ManagerCounters *c) {
        json_object *o = json_object_new_object();

#define ADD(field) json_object_object_add(o, #field, json_object_new_int64((int64_t) c->field))
        ADD(adjusted);
        ADD(failed);
        ADD(restored);
        ADD(reset);
        ADD(events);
        ADD(rescans);
        ADD(overflows);
        ADD(malformed);
        ADD(spoofed);
        ADD(reloads);
        ADD(reload_failures);
        ADD(oom_kills);
        ADD(oom_kills_global);
        ADD(oom_kills_memcg);
        ADD(oom_kills_protected);
#undef ADD
        return o;
}

static json_object *scan_timing_json(const ScanTiming *t) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "first_duration_usec", json_object_new_int64((int64_t) t->first_usec));
        json_object_object_add(o, "first_processes", json_object_new_int64((int64_t) t->first_processes));
        json_object_object_add(o, "last_duration_usec", json_object_new_int64((int64_t) t->last_usec));
        json_object_object_add(o, "last_processes", json_object_new_int64((int64_t) t->last_processes));
        return o;
}

static json_object *sysctl_drift_json(Manager *m) {
        json_object *a = json_object_new_array();

        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                const SysctlSetting *s = &m->policy->sysctl[id];
                json_object *o;
                int64_t cur = 0;
                bool known;

                if (!s->set)
                        continue;
                known = sysctl_read_int64(m->fs, sysctl_info(id)->path, &cur) >= 0;
                m->sysctl_known[id] = known;
                m->sysctl_current[id] = cur;
                o = json_object_new_object();
                json_object_object_add(o, "key", json_string_new(sysctl_info(id)->key));
                json_object_object_add(o, "desired", json_object_new_int64(s->value));
                json_object_object_add(o, "current", known ? json_object_new_int64(cur) : NULL);
                json_object_object_add(o, "drift", json_object_new_boolean(!known || cur != s->value));
                json_object_array_add(a, o);
        }
        return a;
}

/* Prometheus label values escape backslash, double quote and newline. */
static void write_label_value(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        fputc('\\', f);
                if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
}

static int write_rule_counter(const char *rule, void *value, void *userdata) {
        FILE *f = userdata;

        fputs("oompolicyd_adjustments_total{rule=\"", f);
        write_label_value(f, rule);
        fprintf(f, "\"} %" PRIu64 "\n", *(const uint64_t *) value);
        return 0;
}

/* A Unix time in seconds, with the microseconds: a gauge, as Prometheus wants timestamps. */
static void write_time_gauge(FILE *f, const char *name, const char *help, uint64_t usec) {
        fprintf(f, "# HELP oompolicyd_%s %s\n# TYPE oompolicyd_%s gauge\noompolicyd_%s %" PRIu64 ".%06" PRIu64 "\n",
                name, help, name, name, usec / UINT64_C(1000000), usec % UINT64_C(1000000));
}

static void write_gauge(FILE *f, const char *name, const char *help, int64_t value) {
        fprintf(f, "# HELP oompolicyd_%s %s\n# TYPE oompolicyd_%s gauge\noompolicyd_%s %" PRIi64 "\n",
                name, help, name, name, value);
}

static void write_counter(FILE *f, const char *name, const char *help, uint64_t value) {
        fprintf(f, "# HELP oompolicyd_%s %s\n# TYPE oompolicyd_%s counter\noompolicyd_%s %" PRIu64 "\n",
                name, help, name, name, value);
}

/* Every series is documented in oompolicy.conf(5) (metrics_file); the alerting
 * rules in contrib/prometheus rely on the names. */
static void write_metrics(Manager *m) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        if (!m->policy->daemon.metrics_file || m->stopping)
                return;
        f = open_memstream(&text, &len);
        if (!f)
                return;
        fputs("# HELP oompolicyd_build_info The running oompolicyd's version.\n"
              "# TYPE oompolicyd_build_info gauge\noompolicyd_build_info{version=\"", f);
        write_label_value(f, PKGVERSION);
        fputs("\"} 1\n", f);
        write_time_gauge(f, "start_time_seconds", "When the daemon started, in seconds since the epoch.", m->start_usec);
        write_time_gauge(f, "last_update_timestamp_seconds",
                         "When the daemon wrote this file, in seconds since the epoch; rewritten at least every 30 s.",
                         m->published_usec);
        write_time_gauge(f, "last_reload_success_timestamp_seconds",
                         "When the policy in force was loaded (start or successful reload), in seconds since the epoch.",
                         m->policy_loaded_usec);
        write_gauge(f, "last_reload_success", "Whether the last reload succeeded (1) or was rejected (0).",
                    m->counters.reload_failures == 0 || m->last_reload_ok);
        write_gauge(f, "rules", "Rules in the policy in force.", (int64_t) m->policy->n_rules);
        write_gauge(f, "tracked_processes", "Processes the daemon keeps state for.", (int64_t) hashmap_size(m->tracked));
        write_gauge(f, "proc_connector",
                    "Whether the daemon follows process events (1) or falls back to rescanning /proc (0).",
                    !m->fallback_polling);
        write_counter(f, "adjustment_failures_total", "oom_score_adj writes that failed.", m->counters.failed);
        write_counter(f, "restores_total", "oom_score_adj values given back (no rule matches any more, reload, exit).",
                      m->counters.restored);
        write_counter(f, "resets_total", "oom_score_adj writes to children of processes of children = reset rules.",
                      m->counters.reset);
        write_counter(f, "events_total", "Process events handled.", m->counters.events);
        write_counter(f, "rescans_total", "Full scans of /proc.", m->counters.rescans);
        write_counter(f, "overflows_total", "Overflows of the process event socket (events lost; a rescan follows).",
                      m->counters.overflows);
        write_counter(f, "reloads_total", "Successful reloads.", m->counters.reloads);
        write_counter(f, "reload_failures_total", "Rejected reloads (the previous policy stayed in force).",
                      m->counters.reload_failures);
        write_counter(f, "oom_kills_protected_total",
                      "OOM-killed processes that a rule gave a negative oom_score_adj.", m->counters.oom_kills_protected);
        fprintf(f, "# HELP oompolicyd_oom_kills_total OOM kills seen in the kernel log, by scope.\n"
                   "# TYPE oompolicyd_oom_kills_total counter\n"
                   "oompolicyd_oom_kills_total{scope=\"global\"} %" PRIu64 "\n"
                   "oompolicyd_oom_kills_total{scope=\"memcg\"} %" PRIu64 "\n",
                m->counters.oom_kills_global, m->counters.oom_kills_memcg);
        fprintf(f, "# HELP oompolicyd_adjustments_total oom_score_adj values written, by rule.\n"
                   "# TYPE oompolicyd_adjustments_total counter\n");
        (void) hashmap_foreach(m->adjusted_by_rule, write_rule_counter, f);
        fprintf(f, "# HELP oompolicyd_sysctl_drift Whether a policy sysctl differs from its desired value (1) or not (0).\n"
                   "# TYPE oompolicyd_sysctl_drift gauge\n");
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++)
                if (m->policy->sysctl[id].set)
                        fprintf(f, "oompolicyd_sysctl_drift{sysctl=\"%s\"} %d\n", sysctl_info(id)->key,
                                !m->sysctl_known[id] || m->sysctl_current[id] != m->policy->sysctl[id].value);
        if (fclose(f) != 0)
                return;
        r = file_writer_submit(m->file_writer, m->policy->daemon.metrics_file, text);
        if (r < 0)
                log_msg_errno(&m->log, LOG_WARNING, r, "Cannot write metrics to %s: %m", m->policy->daemon.metrics_file);
}

void publish_withdraw_metrics(Manager *m, const char *path) {
        assert(m);
        assert(path);
        file_writer_flush(m->file_writer);
        if (unlink(path) < 0 && errno != ENOENT)
                log_msg_errno(&m->log, LOG_WARNING, -errno, "Cannot remove the metrics file %s: %m", path);
        else
                log_msg(&m->log, LOG_DEBUG, "Removed the metrics file %s.", path);
}

/* Failures of earlier writes, reported from here since the writer has no log of its own. */
static void report_write_errors(Manager *m) {
        _cleanup_free_ char *path = NULL;
        int r = file_writer_take_error(m->file_writer, &path);

        if (r >= 0)
                return;
        /* state.json is for oompolicyctl; a metrics file someone asked for. */
        log_msg_errno(&m->log, m->policy->daemon.metrics_file && strcmp(path, m->policy->daemon.metrics_file) == 0 ?
                      LOG_WARNING : LOG_DEBUG, r, "Cannot write %s: %m", path);
}

int publish_lock_state_dir(const char *dir, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;

        assert(dir);
        assert(ret_fd);
        /* 0755 whatever the umask: oompolicyctl status runs as any user. */
        if (mkdir(dir, 0755) >= 0)
                (void) chmod(dir, 0755);
        else if (errno != EEXIST)
                return -errno;
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

void publish_state(Manager *m) {
        _cleanup_free_ char *dir = NULL, *path = NULL;
        json_object *root, *files, *errors, *load_errors;
        const char *text;

        assert(m);
        m->published_usec = now_usec(CLOCK_REALTIME);
        dir = strdup(m->opts.state_dir ?: STATE_DIR_DEFAULT);
        if (!dir)
                return;
        root = json_object_new_object();
        files = json_object_new_array();
        for (char **f = m->policy->files; *f; f++)
                json_object_array_add(files, json_string_new(*f));
        load_errors = json_object_new_array();
        for (char **e = m->load_errors; e && *e; e++)
                json_object_array_add(load_errors, json_string_new(*e));
        errors = json_object_new_array();
        for (size_t i = 0; i < ELEMENTSOF(m->last_errors); i++) {
                const RecentError *e = &m->last_errors[(m->last_error_pos + i) % ELEMENTSOF(m->last_errors)];
                json_object *o;

                if (!e->message)
                        continue;
                o = json_object_new_object();
                json_object_object_add(o, "time_usec", json_object_new_int64((int64_t) e->usec));
                json_object_object_add(o, "message", json_string_new(e->message));
                json_object_array_add(errors, o);
        }
        json_object_object_add(root, "pid", json_object_new_int(getpid()));
        json_object_object_add(root, "version", json_string_new(PKGVERSION));
        json_object_object_add(root, "updated_usec", json_object_new_int64((int64_t) m->published_usec));
        json_object_object_add(root, "policy_files", files);
        json_object_object_add(root, "policy_loaded_usec", json_object_new_int64((int64_t) m->policy_loaded_usec));
        json_object_object_add(root, "rules", json_object_new_int((int) m->policy->n_rules));
        json_object_object_add(root, "tracked_processes", json_object_new_int((int) hashmap_size(m->tracked)));
        json_object_object_add(root, "proc_connector", json_object_new_boolean(!m->fallback_polling));
        json_object_object_add(root, "kernel_log", json_object_new_boolean(m->kernel_log != NULL));
        json_object_object_add(root, "kernel_log_overruns",
                               json_object_new_int64((int64_t) kernel_log_watch_overruns(m->kernel_log)));
        json_object_object_add(root, "last_reload_ok", json_object_new_boolean(m->last_reload_ok));
        json_object_object_add(root, "last_reload_errors", load_errors);
        json_object_object_add(root, "counters", counters_json(&m->counters));
        json_object_object_add(root, "scans", scan_timing_json(&m->scan_timing));
        json_object_object_add(root, "sysctl", sysctl_drift_json(m));
        json_object_object_add(root, "last_errors", errors);

        report_write_errors(m);
        (void) mkdir(dir, 0755);
        text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
        if (!text || asprintf(&path, "%s/" STATE_FILE_NAME, dir) < 0 || file_writer_submit(m->file_writer, path, text) < 0)
                log_msg(&m->log, LOG_DEBUG, "Cannot write the state file: out of memory");
        json_object_put(root);
        write_metrics(m);
}
