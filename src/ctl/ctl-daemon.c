/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "proc/rootfs.h"
#include "shared/string-util.h"
#include "shared/time-util.h"

#define DEFAULT_STATE_DIR "/run/oompolicyd"
/* A reload of 100,000 rules takes ~0.3 s; a loaded machine many times that. */
#define RELOAD_TIMEOUT_USEC (90ULL * 1000000ULL)

/* The daemon publishes state.json; it takes no requests, so reading that file and
 * signalling the PID it names is the whole interface. */
static int read_state(const CtlOptions *o, json_object **ret, pid_t *ret_pid) {
        _cleanup_free_ char *path = NULL, *buf = NULL, *comm = NULL;
        char proc_comm[64];
        json_object *root, *pid;
        int r;

        if (asprintf(&path, "%s/state.json", o->state_dir ?: DEFAULT_STATE_DIR) < 0)
                return -ENOMEM;
        r = read_small_file_at(AT_FDCWD, path, 1024 * 1024, &buf, NULL);
        if (r == -ENOENT) {
                fprintf(stderr, "oompolicyd is not running (no %s).\n", path);
                return -ESRCH;
        }
        if (r < 0) {
                fprintf(stderr, "Cannot read %s: %s\n", path, strerror(-r));
                return r;
        }
        root = json_tokener_parse(buf);
        if (!root || !json_object_object_get_ex(root, "pid", &pid)) {
                json_object_put(root);
                fprintf(stderr, "%s is not a valid state file.\n", path);
                return -EBADMSG;
        }
        *ret_pid = (pid_t) json_object_get_int(pid);
        /* A stale file may name a PID that now belongs to another program. */
        (void) snprintf(proc_comm, sizeof(proc_comm), "/proc/%d/comm", (int) *ret_pid);
        if (*ret_pid <= 0 || read_small_file_at(AT_FDCWD, proc_comm, 64, &comm, NULL) < 0 ||
            strncmp(comm, "oompolicyd", 10) != 0) {
                json_object_put(root);
                fprintf(stderr, "oompolicyd is not running (%s is stale: PID %d is gone).\n", path, (int) *ret_pid);
                return -ESRCH;
        }
        *ret = root;
        return 0;
}

static const char *get_string(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int64_t get_int(json_object *o, const char *key) {
        json_object *v;

        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static void format_time(int64_t usec, char buf[static 32]) {
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;

        strcpy(buf, "-");
        if (usec > 0 && localtime_r(&t, &tm))
                (void) strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static void print_time(const char *label, int64_t usec) {
        char buf[32];

        format_time(usec, buf);
        printf("%-18s %s\n", label, buf);
}

int verb_status(const CtlOptions *o, int argc, char **argv) {
        _cleanup_json_ json_object *state = NULL;
        json_object *v;
        pid_t pid;
        int r;

        assert(o);
        r = read_state(o, &state, &pid);
        if (r < 0)
                return r;
        if (o->json) {
                ctl_print_json(state);
                return 0;
        }
        printf("%-18s running (PID %d, version %s)\n", "oompolicyd:", (int) pid, strna(get_string(state, "version")));
        printf("%-18s %s\n", "process events:",
               json_object_object_get_ex(state, "proc_connector", &v) && json_object_get_boolean(v)
                       ? "proc connector" : "NOT AVAILABLE, polling /proc");
        print_time("policy loaded:", get_int(state, "policy_loaded_usec"));
        printf("%-18s %" PRId64 " rule%s, last reload %s\n", "policy:", get_int(state, "rules"),
               plural((size_t) get_int(state, "rules")),
               json_object_object_get_ex(state, "last_reload_ok", &v) && json_object_get_boolean(v) ? "ok" : "FAILED");
        if (json_object_object_get_ex(state, "policy_files", &v))
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        printf("%-18s %s\n", "", json_object_get_string(json_object_array_get_idx(v, i)));
        if (json_object_object_get_ex(state, "scans", &v))
                printf("%-18s start-up %" PRId64 " processes in %.1f ms, last %" PRId64 " in %.1f ms\n", "scans:",
                       get_int(v, "first_processes"), (double) get_int(v, "first_duration_usec") / 1000.0,
                       get_int(v, "last_processes"), (double) get_int(v, "last_duration_usec") / 1000.0);
        if (json_object_object_get_ex(state, "counters", &v)) {
                printf("counters:\n");
                for (struct json_object_iterator it = json_object_iter_begin(v), end = json_object_iter_end(v);
                     !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
                        printf("  %-16s %" PRId64 "\n", json_object_iter_peek_name(&it),
                               json_object_get_int64(json_object_iter_peek_value(&it)));
        }
        if (json_object_object_get_ex(state, "sysctl", &v) && json_object_array_length(v) > 0) {
                printf("sysctls:\n");
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *s = json_object_array_get_idx(v, i), *drift;
                        bool drifted = json_object_object_get_ex(s, "drift", &drift) && json_object_get_boolean(drift);

                        printf("  %-28s desired %" PRId64 ", current %" PRId64 "%s\n", strna(get_string(s, "key")),
                               get_int(s, "desired"), get_int(s, "current"), drifted ? "  DRIFT" : "");
                }
        }
        if (json_object_object_get_ex(state, "last_errors", &v) && json_object_array_length(v) > 0) {
                printf("errors since the policy was loaded:\n");
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        char when[32];

                        format_time(get_int(e, "time_usec"), when);
                        printf("  %s  %s\n", when, strna(get_string(e, "message")));
                }
        }
        return 0;
}

/* How many reloads the daemon has finished, successful or not. */
static int64_t reloads_done(json_object *state) {
        json_object *c;

        if (!json_object_object_get_ex(state, "counters", &c))
                return 0;
        return get_int(c, "reloads") + get_int(c, "reload_failures");
}

/* Waits for state.json to show a reload finished after BEFORE: the daemon
 * replaces the file by rename(2), so every new version is an IN_MOVED_TO. */
static int wait_for_reload(const CtlOptions *o, int inotify_fd, int64_t before, json_object **ret) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) + RELOAD_TIMEOUT_USEC;

        for (;;) {
                _cleanup_json_ json_object *state = NULL;
                char buf[4096];
                pid_t pid;
                int r;

                r = read_state(o, &state, &pid);
                if (r < 0)
                        return r;
                if (reloads_done(state) > before) {
                        *ret = TAKE_PTR(state);
                        return 0;
                }
                uint64_t now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = inotify_fd, .events = POLLIN };
                r = poll(&p, 1, (int) ((deadline - now + 999) / 1000));
                if (r < 0 && errno != EINTR)
                        return -errno;
                if (r > 0 && read(inotify_fd, buf, sizeof(buf)) < 0 && errno != EAGAIN)
                        return -errno;
        }
}

int verb_reload(const CtlOptions *o, int argc, char **argv) {
        _cleanup_json_ json_object *state = NULL, *after = NULL;
        _cleanup_close_ int inotify_fd = -EBADF;
        json_object *v;
        const char *dir;
        pid_t pid;
        int r;

        assert(o);
        dir = o->state_dir ?: DEFAULT_STATE_DIR;
        r = read_state(o, &state, &pid);
        if (r < 0)
                return r;
        /* Watch before signalling, so the answer cannot come before we listen. */
        inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (inotify_fd < 0 || inotify_add_watch(inotify_fd, dir, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
                r = negative_errno();
                fprintf(stderr, "Cannot watch %s for the daemon's answer: %s\n", dir, strerror(-r));
                return r;
        }
        if (kill(pid, SIGHUP) < 0) {
                r = negative_errno();
                fprintf(stderr, "Cannot signal oompolicyd (PID %d): %s\n", (int) pid, strerror(-r));
                return r;
        }
        r = wait_for_reload(o, inotify_fd, reloads_done(state), &after);
        if (r == -ETIMEDOUT) {
                fprintf(stderr, "oompolicyd (PID %d) did not finish the reload within %d s; see its log.\n", (int) pid,
                        (int) (RELOAD_TIMEOUT_USEC / 1000000));
                return r;
        }
        if (r < 0)
                return r;
        if (json_object_object_get_ex(after, "last_reload_ok", &v) && json_object_get_boolean(v)) {
                printf("oompolicyd (PID %d) reloaded: %" PRId64 " rule%s.\n", (int) pid, get_int(after, "rules"),
                       plural((size_t) get_int(after, "rules")));
                return 0;
        }
        fprintf(stderr, "oompolicyd (PID %d) rejected the new policy and keeps the previous one:\n", (int) pid);
        if (json_object_object_get_ex(after, "last_reload_errors", &v))
                for (size_t i = 0; i < json_object_array_length(v); i++)
                        fprintf(stderr, "  %s\n", json_object_get_string(json_object_array_get_idx(v, i)));
        fprintf(stderr, "Run 'oompolicyctl check' to see every error.\n");
        return -EINVAL;
}
