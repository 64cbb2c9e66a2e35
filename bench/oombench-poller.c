/* SPDX-License-Identifier: MIT */
/* The obvious alternative to oompolicyd, for bench/poller-bench.sh: every
 * INTERVAL, walk /proc, read each process's comm, and write oom_score_adj for
 * the names a rule matches. The same matching as the daemon's [oom_score_adj]
 * section (fnmatch() on the comm, the last matching rule wins); no events, no
 * exe/user/cgroup qualifiers.
 *
 *   oombench-poller INTERVAL_MS GLOB=VALUE...
 *
 * It walks /proc once at start, then every INTERVAL_MS on a fixed schedule
 * (absolute deadlines, so a slow walk does not stretch the period). On
 * SIGTERM or SIGINT it prints one line
 *
 *   RESULT group=poller interval_ms=N scans=N processes_per_scan=N
 *          scan_us_mean=N scan_us_max=N writes=N write_errors=N
 *
 * and exits 0. The values are written as they are: nothing is put back at
 * exit (the bench's targets are short-lived processes it started itself).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct PollRule {
        const char *glob;
        int value;
} PollRule;

typedef struct PollStats {
        uint64_t scans, processes, writes, write_errors;
        uint64_t scan_ns_total, scan_ns_max;
} PollStats;

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
        (void) sig;
        stop_requested = 1;
}

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* Reads a small /proc file into buf (NUL-terminated, trailing newline cut). */
static int read_proc_file(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        close(fd);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        if (n > 0 && buf[n - 1] == '\n')
                buf[n - 1] = '\0';
        return 0;
}

static int write_proc_file(const char *path, const char *value) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n;
        int r = 0;

        if (fd < 0)
                return -errno;
        n = write(fd, value, strlen(value));
        if (n < 0)
                r = -errno;
        close(fd);
        return r;
}

/* The last rule whose glob matches comm, or NULL. */
static const PollRule *find_rule(const PollRule *rules, size_t n_rules, const char *comm) {
        for (size_t i = n_rules; i-- > 0;)
                if (fnmatch(rules[i].glob, comm, 0) == 0)
                        return &rules[i];
        return NULL;
}

static void scan_proc(const PollRule *rules, size_t n_rules, PollStats *stats) {
        uint64_t t0 = now_ns(), elapsed;
        DIR *d = opendir("/proc");
        struct dirent *de;

        if (!d) {
                fprintf(stderr, "oombench-poller: /proc: %s\n", strerror(errno));
                return;
        }
        while ((de = readdir(d))) {
                char path[sizeof(de->d_name) + 32], comm[32], adj[16], want[16];
                const PollRule *rule;

                if (!isdigit((unsigned char) de->d_name[0]))
                        continue;
                stats->processes++;
                snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
                if (read_proc_file(path, comm, sizeof(comm)) < 0)
                        continue;   /* gone */
                rule = find_rule(rules, n_rules, comm);
                if (!rule)
                        continue;
                snprintf(path, sizeof(path), "/proc/%s/oom_score_adj", de->d_name);
                if (read_proc_file(path, adj, sizeof(adj)) < 0)
                        continue;
                if (atoi(adj) == rule->value)
                        continue;
                snprintf(want, sizeof(want), "%d", rule->value);
                if (write_proc_file(path, want) < 0)
                        stats->write_errors++;   /* mostly: exited meanwhile */
                else
                        stats->writes++;
        }
        closedir(d);
        elapsed = now_ns() - t0;
        stats->scans++;
        stats->scan_ns_total += elapsed;
        if (elapsed > stats->scan_ns_max)
                stats->scan_ns_max = elapsed;
}

int main(int argc, char **argv) {
        struct sigaction sa = { .sa_handler = on_stop };
        PollStats stats = {};
        PollRule *rules;
        size_t n_rules = 0;
        long interval_ms;
        uint64_t interval_ns, next;

        if (argc < 3 || (interval_ms = strtol(argv[1], NULL, 10)) <= 0) {
                fprintf(stderr, "usage: oombench-poller INTERVAL_MS GLOB=VALUE...\n");
                return 2;
        }
        rules = calloc((size_t) argc, sizeof(PollRule));
        if (!rules)
                return 1;
        for (int i = 2; i < argc; i++) {
                char *eq = strrchr(argv[i], '=');

                if (!eq || eq == argv[i]) {
                        fprintf(stderr, "oombench-poller: expected GLOB=VALUE, got '%s'\n", argv[i]);
                        return 2;
                }
                *eq = '\0';
                rules[n_rules++] = (PollRule) { .glob = argv[i], .value = atoi(eq + 1) };
        }
        /* No SA_RESTART: the signal must cut the sleep short. */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);

        interval_ns = (uint64_t) interval_ms * 1000000ULL;
        next = now_ns();
        while (!stop_requested) {
                struct timespec ts;

                scan_proc(rules, n_rules, &stats);
                next += interval_ns;
                if (next < now_ns())
                        next = now_ns();   /* a walk longer than the interval: no catching up */
                ts = (struct timespec) { .tv_sec = (time_t) (next / 1000000000ULL), .tv_nsec = (long) (next % 1000000000ULL) };
                (void) clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        }

        printf("RESULT group=poller interval_ms=%ld scans=%llu processes_per_scan=%.0f scan_us_mean=%.1f "
               "scan_us_max=%.1f writes=%llu write_errors=%llu\n",
               interval_ms, (unsigned long long) stats.scans,
               stats.scans ? (double) stats.processes / (double) stats.scans : 0.0,
               stats.scans ? (double) stats.scan_ns_total / (double) stats.scans / 1000.0 : 0.0,
               (double) stats.scan_ns_max / 1000.0, (unsigned long long) stats.writes,
               (unsigned long long) stats.write_errors);
        free(rules);
        return 0;
}
