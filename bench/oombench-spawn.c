/* SPDX-License-Identifier: MIT */
/* Spawner and meter of the latency benchmark (driven by bench/daemon-bench.sh).
 *
 * Starts copies of bench/oombench-target at a fixed rate (or as fast as it
 * can), listens to the kernel's proc connector itself (src/daemon/proc-events.c)
 * to learn the kernel timestamp of every EXEC and COMM event, collects the
 * children's records from a pipe, and prints one "RESULT" line per group:
 *
 *   latency = (child's first read that showed the rule's value, CLOCK_MONOTONIC)
 *           - (kernel timestamp of the EXEC event of that pid, CLOCK_MONOTONIC)
 *
 * for targets that are matched by their exec name, and from the COMM event for
 * targets that rename themselves with prctl(PR_SET_NAME) into the rule's name.
 * The exec itself is therefore not counted.
 *
 *   oombench-spawn --dir DIR [--rate N] [--count N] [--lifetime-us N]
 *                  [--mix LETTERS] [--hold N] [--want N]
 *   oombench-spawn --listen-only SECONDS      count proc events by kind
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "oombench.h"
#include "daemon/proc-events.h"

extern char **environ;

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MISS_LIFETIME_NS (10ULL * 1000ULL * 1000ULL)   /* "lived >= 10 ms and never saw it" */
#define LISTENER_RCVBUF (256 * 1024 * 1024)

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static void sleep_until(uint64_t t) {
        struct timespec ts = { .tv_sec = (time_t) (t / 1000000000ULL), .tv_nsec = (long) (t % 1000000000ULL) };

        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

static void *xrealloc(void *p, size_t n) {
        void *q = realloc(p, n);

        if (!q) {
                fprintf(stderr, "oombench-spawn: out of memory\n");
                exit(1);
        }
        return q;
}

/* ---- proc connector listener ---- */

typedef struct Stamp {
        int32_t pid;
        int32_t kind;      /* PROC_EVENT_KIND_EXEC or _COMM */
        uint64_t ts;
} Stamp;

static struct {
        int fd;
        volatile int stop;
        Stamp *stamps;
        size_t n, allocated;
        uint64_t by_kind[_PROC_EVENT_KIND_MAX];
        uint64_t total, overflows, errors;
} L = { .fd = -1 };

static void *listener_main(void *arg) {
        (void) arg;
        while (!L.stop) {
                struct pollfd pfd = { .fd = L.fd, .events = POLLIN };
                int r = poll(&pfd, 1, 50);

                if (r <= 0)
                        continue;
                for (;;) {
                        ProcEvent ev[4];
                        size_t n = 0;

                        r = proc_events_receive(L.fd, ev, 4, &n);
                        for (size_t i = 0; i < n; i++) {
                                L.total++;
                                if (ev[i].kind >= 0 && ev[i].kind < _PROC_EVENT_KIND_MAX)
                                        L.by_kind[ev[i].kind]++;
                                if ((ev[i].kind != PROC_EVENT_KIND_EXEC && ev[i].kind != PROC_EVENT_KIND_COMM) ||
                                    ev[i].pid != ev[i].tgid)
                                        continue;
                                if (L.n == L.allocated) {
                                        L.allocated = L.allocated ? L.allocated * 2 : 65536;
                                        L.stamps = xrealloc(L.stamps, L.allocated * sizeof(Stamp));
                                }
                                L.stamps[L.n++] = (Stamp) { .pid = ev[i].pid, .kind = ev[i].kind, .ts = ev[i].timestamp_ns };
                        }
                        if (r == -EAGAIN)
                                break;
                        if (r == -ENOBUFS)
                                L.overflows++;
                        else if (r < 0)
                                L.errors++;
                }
        }
        return NULL;
}

static int compare_stamp(const void *a, const void *b) {
        const Stamp *x = a, *y = b;

        if (x->pid != y->pid)
                return x->pid < y->pid ? -1 : 1;
        if (x->kind != y->kind)
                return x->kind < y->kind ? -1 : 1;
        return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* The latest event of `kind` for `pid` with lo <= ts <= hi (pids wrap in a long burst). */
static const Stamp *find_stamp(pid_t pid, int kind, uint64_t lo, uint64_t hi) {
        size_t a = 0, b = L.n;
        const Stamp *best = NULL;

        while (a < b) {   /* first element >= (pid, kind, 0) */
                size_t m = a + (b - a) / 2;

                if (L.stamps[m].pid < pid || (L.stamps[m].pid == pid && L.stamps[m].kind < kind))
                        a = m + 1;
                else
                        b = m;
        }
        for (size_t i = a; i < L.n && L.stamps[i].pid == pid && L.stamps[i].kind == kind; i++)
                if (L.stamps[i].ts >= lo && L.stamps[i].ts <= hi)
                        best = &L.stamps[i];
        return best;
}

/* ---- record collector ---- */

static struct {
        int fd;
        OombenchRecord *recs;
        size_t n, allocated;
        volatile size_t n_short;   /* records of children other than HOLD */
        volatile int stop;
} C = { .fd = -1 };

static void *collector_main(void *arg) {
        static uint8_t buf[64 * sizeof(OombenchRecord)];
        size_t have = 0;

        (void) arg;
        for (;;) {
                struct pollfd pfd = { .fd = C.fd, .events = POLLIN };
                ssize_t k;
                size_t off = 0;

                if (poll(&pfd, 1, 100) == 0) {
                        if (C.stop)
                                break;
                        continue;
                }
                k = read(C.fd, buf + have, sizeof(buf) - have);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;   /* EOF: every writer is gone */
                have += (size_t) k;
                for (; have - off >= sizeof(OombenchRecord); off += sizeof(OombenchRecord)) {
                        OombenchRecord r;

                        memcpy(&r, buf + off, sizeof(r));
                        if (C.n == C.allocated) {
                                C.allocated = C.allocated ? C.allocated * 2 : 16384;
                                C.recs = xrealloc(C.recs, C.allocated * sizeof(OombenchRecord));
                        }
                        C.recs[C.n++] = r;
                        if (r.mode != OOMBENCH_MODE_HOLD)
                                __atomic_add_fetch(&C.n_short, 1, __ATOMIC_RELEASE);
                }
                memmove(buf, buf + off, have - off);
                have -= off;
        }
        return NULL;
}

/* ---- statistics ---- */

static int compare_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double pct_us(const uint64_t *v, size_t n, double p) {
        size_t rank;

        if (n == 0)
                return -1;
        rank = (size_t) (p / 100.0 * (double) n + 0.999999);
        if (rank < 1)
                rank = 1;
        if (rank > n)
                rank = n;
        return (double) v[rank - 1] / 1000.0;
}

typedef struct Group {
        const char *name;
        size_t n, seen, at_main, misses, late_unseen_short, no_event, pre_rename_set, n_main;
        uint64_t *lat;
        uint64_t *to_main;   /* EXEC event -> first line of main(): the floor of an in-process latency */
} Group;

static void group_print(const char *label, Group *g) {
        qsort(g->lat, g->seen, sizeof(uint64_t), compare_u64);
        if (g->to_main)
                qsort(g->to_main, g->n_main, sizeof(uint64_t), compare_u64);
        printf("RESULT group=%s label=%s n=%zu seen=%zu median_us=%.1f p99_us=%.1f max_us=%.1f at_main=%zu "
               "at_main_pct=%.1f misses=%zu short_unseen=%zu no_event=%zu pre_rename_set=%zu "
               "to_main_median_us=%.1f to_main_p99_us=%.1f\n",
               g->name, label, g->n, g->seen, pct_us(g->lat, g->seen, 50), pct_us(g->lat, g->seen, 99),
               pct_us(g->lat, g->seen, 100), g->at_main, g->n ? 100.0 * (double) g->at_main / (double) g->n : 0.0,
               g->misses, g->late_unseen_short, g->no_event, g->pre_rename_set,
               pct_us(g->to_main, g->n_main, 50), pct_us(g->to_main, g->n_main, 99));
}

/* ---- spawning ---- */

typedef struct Opts {
        const char *dir, *target, *decoy, *pre, *renamed, *label, *mix;
        double rate;
        size_t count;
        unsigned long lifetime_us, hold_lifetime_us;
        size_t hold;
        int want;
        double listen_only;
        const char *dump, *join, *decompose;
        pid_t daemon_pid;
} Opts;

typedef struct Spawnable {
        char *path;
        char *argv[6];
} Spawnable;

static void spawnable_init(Spawnable *s, const Opts *o, char mode, const char *name, unsigned long lifetime_us) {
        char buf[64];

        if (asprintf(&s->path, "%s/%s", o->dir, name) < 0)
                exit(1);
        s->argv[0] = strdup(name);
        s->argv[1] = strdup((char[]) { mode, 0 });
        snprintf(buf, sizeof(buf), "%d", o->want);
        s->argv[2] = strdup(buf);
        snprintf(buf, sizeof(buf), "%lu", lifetime_us);
        s->argv[3] = strdup(buf);
        s->argv[4] = mode == OOMBENCH_MODE_RENAME ? strdup(o->renamed) : NULL;
        s->argv[5] = NULL;
}

static int listen_only(double seconds) {
        pthread_t th;
        uint64_t t0;
        int r = proc_events_open(LISTENER_RCVBUF, &L.fd);

        if (r < 0) {
                fprintf(stderr, "oombench-spawn: proc_events_open: %s\n", strerror(-r));
                return 1;
        }
        t0 = now_ns();
        pthread_create(&th, NULL, listener_main, NULL);
        sleep_until(t0 + (uint64_t) (seconds * 1e9));
        L.stop = 1;
        pthread_join(th, NULL);
        printf("RESULT group=listen seconds=%.1f events=%" PRIu64 " fork=%" PRIu64 " exec=%" PRIu64 " exit=%" PRIu64
               " comm=%" PRIu64 " uid=%" PRIu64 " other=%" PRIu64 " overflows=%" PRIu64 "\n",
               seconds, L.total, L.by_kind[PROC_EVENT_KIND_FORK], L.by_kind[PROC_EVENT_KIND_EXEC],
               L.by_kind[PROC_EVENT_KIND_EXIT], L.by_kind[PROC_EVENT_KIND_COMM], L.by_kind[PROC_EVENT_KIND_UID],
               L.total - L.by_kind[PROC_EVENT_KIND_FORK] - L.by_kind[PROC_EVENT_KIND_EXEC] -
                       L.by_kind[PROC_EVENT_KIND_EXIT] - L.by_kind[PROC_EVENT_KIND_COMM] - L.by_kind[PROC_EVENT_KIND_UID],
               L.overflows);
        return 0;
}

static int read_proc_adj(pid_t pid, int *ret) {
        char path[64], buf[16];
        int fd;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        *ret = atoi(buf);
        return 0;
}

/* ---- kernel-side write times ----
 *
 * `perf script --ns -F time,trace` of oom:oom_score_adj_update, recorded with
 * -k CLOCK_MONOTONIC, has lines like
 *     1646.662374123: pid=12310 comm=sh oom_score_adj=7
 * (the pid is the process whose value changed). For each dumped target, the
 * first update to the wanted value within its life is when the daemon's write
 * made the value visible, whatever the target's own scheduling was. */

typedef struct Write {
        int32_t pid, value;
        uint64_t ts;
} Write;

static int compare_write(const void *a, const void *b) {
        const Write *x = a, *y = b;

        if (x->pid != y->pid)
                return x->pid < y->pid ? -1 : 1;
        return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int join_writes(const char *perf_txt, const char *dump_path, const char *label) {
        FILE *f = fopen(perf_txt, "re"), *d = fopen(dump_path, "re");
        Write *w = NULL;
        size_t n = 0, allocated = 0;
        char line[512];
        Group groups[2] = { { .name = "kexec" }, { .name = "krename" } };

        if (!f || !d) {
                perror(!f ? perf_txt : dump_path);
                return 1;
        }
        while (fgets(line, sizeof(line), f)) {
                unsigned long long sec, frac;
                const char *p = strstr(line, "pid="), *q = strstr(line, "oom_score_adj="), *dot;
                int fd_digits;

                dot = strchr(line, '.');
                if (!p || !q || !dot || sscanf(line, " %llu.%llu", &sec, &frac) != 2)
                        continue;
                /* Whatever precision perf printed, as ns. */
                fd_digits = (int) strspn(dot + 1, "0123456789");
                for (int i = fd_digits; i < 9; i++)
                        frac *= 10;
                for (int i = 9; i < fd_digits; i++)
                        frac /= 10;
                if (n == allocated) {
                        allocated = allocated ? allocated * 2 : 65536;
                        w = xrealloc(w, allocated * sizeof(Write));
                }
                w[n++] = (Write) { .pid = atoi(p + 4), .value = atoi(q + 14), .ts = sec * 1000000000ULL + frac };
        }
        fclose(f);
        qsort(w, n, sizeof(Write), compare_write);

        size_t caps[2] = { 1024, 1024 };
        for (size_t i = 0; i < 2; i++)
                groups[i].lat = xrealloc(NULL, caps[i] * sizeof(uint64_t));
        while (fgets(line, sizeof(line), d)) {
                char mode;
                int pid, want;
                unsigned long long ev, t_main, t_seen, t_exit;
                Group *g;
                const Write *hit = NULL;
                size_t a = 0, b = n;

                if (sscanf(line, "%c %d %d %llu %llu %llu %llu", &mode, &pid, &want, &ev, &t_main, &t_seen, &t_exit) != 7)
                        continue;
                g = &groups[mode == OOMBENCH_MODE_RENAME];
                g->n++;
                while (a < b) {
                        size_t m = a + (b - a) / 2;

                        if (w[m].pid < pid)
                                a = m + 1;
                        else
                                b = m;
                }
                /* Exec: written after the EXEC event. Rename: may be written by the evaluation of
                 * the EXEC event if that read the new name already, so from main() on. */
                for (size_t i = a; i < n && w[i].pid == pid && !hit; i++)
                        if (w[i].value == want && w[i].ts >= (mode == OOMBENCH_MODE_RENAME ? t_main : ev) &&
                            w[i].ts <= t_exit)
                                hit = &w[i];
                if (!hit) {
                        g->misses++;
                        continue;
                }
                if (hit->ts < t_main)
                        g->at_main++;
                if (g->seen == caps[g - groups]) {
                        caps[g - groups] *= 2;
                        g->lat = xrealloc(g->lat, caps[g - groups] * sizeof(uint64_t));
                }
                g->lat[g->seen++] = hit->ts > ev ? hit->ts - ev : 0;
        }
        fclose(d);
        for (size_t i = 0; i < 2; i++) {
                Group *g = &groups[i];

                qsort(g->lat, g->seen, sizeof(uint64_t), compare_u64);
                printf("RESULT group=%s label=%s n=%zu written=%zu median_us=%.1f p99_us=%.1f max_us=%.1f "
                       "before_main=%zu before_main_pct=%.1f unwritten=%zu updates_in_trace=%zu\n",
                       g->name, label, g->n, g->seen, pct_us(g->lat, g->seen, 50), pct_us(g->lat, g->seen, 99),
                       pct_us(g->lat, g->seen, 100), g->at_main,
                       g->n ? 100.0 * (double) g->at_main / (double) g->n : 0.0, g->misses, n);
        }
        return 0;
}

/* ---- where the time goes ----
 *
 * `perf script --ns -F time,event,trace` of sched:sched_switch and
 * sched:sched_wakeup (filtered to the daemon) plus oom:oom_score_adj_update,
 * recorded with -k CLOCK_MONOTONIC. For every dumped target, the interval
 * from its EXEC (COMM) event to the kernel write is split by the daemon's
 * state: asleep (delivery of the event and the wakeup), runnable but waiting
 * for a CPU, or on a CPU (its own work, including events queued ahead). */

typedef struct StateChange {
        uint64_t ts;
        int state;   /* 0 asleep, 1 waiting for a CPU, 2 on CPU */
} StateChange;

static int compare_state_change(const void *a, const void *b) {
        const StateChange *x = a, *y = b;

        return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static bool parse_ts(const char *line, uint64_t *ret) {
        unsigned long long sec, frac;
        const char *dot = strchr(line, '.');
        int digits;

        if (!dot || sscanf(line, " %llu.%llu", &sec, &frac) != 2)
                return false;
        digits = (int) strspn(dot + 1, "0123456789");
        for (int i = digits; i < 9; i++)
                frac *= 10;
        for (int i = 9; i < digits; i++)
                frac /= 10;
        *ret = sec * 1000000000ULL + frac;
        return true;
}

static long field_long(const char *line, const char *key) {
        const char *p = strstr(line, key);

        return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static int decompose(const char *perf_txt, const char *dump_path, pid_t daemon, const char *label) {
        FILE *f = fopen(perf_txt, "re"), *d = fopen(dump_path, "re");
        StateChange *tl = NULL;
        Write *w = NULL;
        size_t n_tl = 0, a_tl = 0, n_w = 0, a_w = 0, n = 0, cap = 1024, n_slow = 0;
        uint64_t *parts[4], sums[4] = {}, slow_sums[4] = {};
        char line[1024];
        static const char *const names[4] = { "asleep", "waiting", "oncpu", "total" };

        if (!f || !d) {
                perror(!f ? perf_txt : dump_path);
                return 1;
        }
        for (size_t i = 0; i < 4; i++)
                parts[i] = xrealloc(NULL, cap * sizeof(uint64_t));
        while (fgets(line, sizeof(line), f)) {
                uint64_t ts;
                int state = -1;

                if (!parse_ts(line, &ts))
                        continue;
                if (strstr(line, "sched:sched_switch:")) {
                        const char *arrow = strstr(line, "==>");

                        if (field_long(line, " prev_pid=") == daemon) {
                                const char *ps = strstr(line, "prev_state=");
                                state = ps && ps[11] == 'R' ? 1 : 0;
                                if (state >= 0) {
                                        if (n_tl == a_tl)
                                                tl = xrealloc(tl, (a_tl = a_tl ? a_tl * 2 : 65536) * sizeof(StateChange));
                                        tl[n_tl++] = (StateChange) { ts, state };
                                }
                        }
                        if (arrow && field_long(arrow, " next_pid=") == daemon) {
                                if (n_tl == a_tl)
                                        tl = xrealloc(tl, (a_tl = a_tl ? a_tl * 2 : 65536) * sizeof(StateChange));
                                tl[n_tl++] = (StateChange) { ts, 2 };
                        }
                } else if (strstr(line, "sched:sched_wakeup:")) {
                        if (field_long(line, " pid=") == daemon) {
                                if (n_tl == a_tl)
                                        tl = xrealloc(tl, (a_tl = a_tl ? a_tl * 2 : 65536) * sizeof(StateChange));
                                tl[n_tl++] = (StateChange) { ts, 1 };
                        }
                } else if (strstr(line, "oom:oom_score_adj_update:")) {
                        if (n_w == a_w)
                                w = xrealloc(w, (a_w = a_w ? a_w * 2 : 65536) * sizeof(Write));
                        w[n_w++] = (Write) { .pid = (int32_t) field_long(line, " pid="),
                                             .value = (int32_t) field_long(line, "oom_score_adj="), .ts = ts };
                }
        }
        fclose(f);
        qsort(tl, n_tl, sizeof(StateChange), compare_state_change);
        qsort(w, n_w, sizeof(Write), compare_write);

        while (fgets(line, sizeof(line), d)) {
                char mode;
                int pid, want;
                unsigned long long ev, t_main, t_seen, t_exit;
                const Write *hit = NULL;
                size_t a = 0, b = n_w;
                uint64_t part[4] = {}, t;
                int state = 0;

                if (sscanf(line, "%c %d %d %llu %llu %llu %llu", &mode, &pid, &want, &ev, &t_main, &t_seen, &t_exit) != 7)
                        continue;
                while (a < b) {
                        size_t m = a + (b - a) / 2;
                        if (w[m].pid < pid)
                                a = m + 1;
                        else
                                b = m;
                }
                for (size_t i = a; i < n_w && w[i].pid == pid && !hit; i++)
                        if (w[i].value == want && w[i].ts >= ev && w[i].ts <= t_exit)
                                hit = &w[i];
                if (!hit)
                        continue;
                /* The daemon's state at ev: the last change at or before it. */
                a = 0, b = n_tl;
                while (a < b) {
                        size_t m = a + (b - a) / 2;
                        if (tl[m].ts <= ev)
                                a = m + 1;
                        else
                                b = m;
                }
                if (a > 0)
                        state = tl[a - 1].state;
                t = ev;
                for (size_t i = a; i < n_tl && tl[i].ts < hit->ts; i++) {
                        part[state] += tl[i].ts - t;
                        t = tl[i].ts;
                        state = tl[i].state;
                }
                part[state] += hit->ts - t;
                part[3] = hit->ts - ev;
                if (n == cap) {
                        cap *= 2;
                        for (size_t i = 0; i < 4; i++)
                                parts[i] = xrealloc(parts[i], cap * sizeof(uint64_t));
                }
                for (size_t i = 0; i < 4; i++) {
                        parts[i][n] = part[i];
                        sums[i] += part[i];
                        if (part[3] > 1000000ULL)
                                slow_sums[i] += part[i];
                }
                n_slow += part[3] > 1000000ULL;
                n++;
        }
        fclose(d);

        printf("RESULT group=decomp label=%s n=%zu slow_n=%zu daemon_state_changes=%zu", label, n, n_slow, n_tl);
        for (size_t i = 0; i < 4; i++) {
                qsort(parts[i], n, sizeof(uint64_t), compare_u64);
                printf(" %s_median_us=%.1f %s_p90_us=%.1f %s_p99_us=%.1f %s_max_us=%.1f %s_share_pct=%.0f %s_slow_share_pct=%.0f",
                       names[i], pct_us(parts[i], n, 50), names[i], pct_us(parts[i], n, 90), names[i],
                       pct_us(parts[i], n, 99), names[i], pct_us(parts[i], n, 100), names[i],
                       sums[3] ? 100.0 * (double) sums[i] / (double) sums[3] : 0.0, names[i],
                       slow_sums[3] ? 100.0 * (double) slow_sums[i] / (double) slow_sums[3] : 0.0);
        }
        printf("\n");
        return 0;
}

static void usage(void) {
        fprintf(stderr,
                "usage: oombench-spawn --dir DIR [--rate N (0 = as fast as possible)] [--count N]\n"
                "                      [--lifetime-us N] [--mix LETTERS (t target, r rename, d decoy, q quick)]\n"
                "                      [--hold N] [--want N] [--label TEXT]\n"
                "                      [--dump FILE (per target: mode pid want event_ns main_ns seen_ns exit_ns)]\n"
                "       oombench-spawn --listen-only SECONDS\n"
                "       oombench-spawn --join PERF_SCRIPT_TXT --dump FILE [--label TEXT]\n"
                "       oombench-spawn --decompose PERF_SCRIPT_TXT --dump FILE --daemon-pid PID [--label TEXT]\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "dir", required_argument, NULL, 'D' },
                { "rate", required_argument, NULL, 'R' },
                { "count", required_argument, NULL, 'n' },
                { "lifetime-us", required_argument, NULL, 'l' },
                { "hold", required_argument, NULL, 'H' },
                { "hold-lifetime-us", required_argument, NULL, 'T' },
                { "mix", required_argument, NULL, 'm' },
                { "want", required_argument, NULL, 'w' },
                { "label", required_argument, NULL, 'L' },
                { "target-name", required_argument, NULL, 1 },
                { "decoy-name", required_argument, NULL, 2 },
                { "pre-name", required_argument, NULL, 3 },
                { "renamed-name", required_argument, NULL, 4 },
                { "listen-only", required_argument, NULL, 5 },
                { "dump", required_argument, NULL, 6 },
                { "join", required_argument, NULL, 7 },
                { "decompose", required_argument, NULL, 8 },
                { "daemon-pid", required_argument, NULL, 9 },
                {}
        };
        Opts o = {
                .target = "oombench-tgt", .decoy = "oombench-decoy", .pre = "oombench-pre", .renamed = "oombench-ren",
                .label = "-", .mix = "ttttttrrdd", .rate = 100, .count = 1000, .lifetime_us = 20000,
                .hold_lifetime_us = 600000000UL, .want = 500,
        };
        Spawnable sp[128] = {}, hold_target = {}, hold_decoy = {};
        size_t mix_len, n_short = 0, spawn_failures = 0, hold_spawned = 0;
        pid_t *hold_pids = NULL;
        bool *hold_is_target = NULL;
        int pipefd[2], wfd, base_adj = 0, c, r;
        uint64_t t0, t_spawn_end;
        posix_spawn_file_actions_t fa;
        pthread_t lt, ct;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0) {
                switch (c) {
                case 'D': o.dir = optarg; break;
                case 'R': o.rate = atof(optarg); break;
                case 'n': o.count = strtoul(optarg, NULL, 10); break;
                case 'l': o.lifetime_us = strtoul(optarg, NULL, 10); break;
                case 'H': o.hold = strtoul(optarg, NULL, 10); break;
                case 'T': o.hold_lifetime_us = strtoul(optarg, NULL, 10); break;
                case 'm': o.mix = optarg; break;
                case 'w': o.want = atoi(optarg); break;
                case 'L': o.label = optarg; break;
                case 1: o.target = optarg; break;
                case 2: o.decoy = optarg; break;
                case 3: o.pre = optarg; break;
                case 4: o.renamed = optarg; break;
                case 5: o.listen_only = atof(optarg); break;
                case 6: o.dump = optarg; break;
                case 7: o.join = optarg; break;
                case 8: o.decompose = optarg; break;
                case 9: o.daemon_pid = (pid_t) atoi(optarg); break;
                default: usage(); return 2;
                }
        }
        if (o.listen_only > 0)
                return listen_only(o.listen_only);
        if (o.decompose) {
                if (!o.dump || o.daemon_pid <= 0) {
                        usage();
                        return 2;
                }
                return decompose(o.decompose, o.dump, o.daemon_pid, o.label);
        }
        if (o.join) {
                if (!o.dump) {
                        usage();
                        return 2;
                }
                return join_writes(o.join, o.dump, o.label);
        }
        mix_len = strlen(o.mix);
        if (!o.dir || mix_len == 0 || mix_len > ELEMENTSOF(sp)) {
                usage();
                return 2;
        }

        /* Children are reaped by the kernel; their records say when they are done. */
        signal(SIGCHLD, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        (void) read_proc_adj(getpid(), &base_adj);

        for (size_t i = 0; i < mix_len; i++) {
                char m = o.mix[i];
                const char *name = m == OOMBENCH_MODE_DECOY ? o.decoy : m == OOMBENCH_MODE_RENAME ? o.pre : o.target;

                if (!strchr("trdq", m)) {
                        usage();
                        return 2;
                }
                spawnable_init(&sp[i], &o, m, name, o.lifetime_us);
        }
        spawnable_init(&hold_target, &o, OOMBENCH_MODE_HOLD, o.target, o.hold_lifetime_us);
        spawnable_init(&hold_decoy, &o, OOMBENCH_MODE_HOLD, o.decoy, o.hold_lifetime_us);
        hold_pids = calloc(o.hold * 6 / 5 + 1, sizeof(pid_t));
        hold_is_target = calloc(o.hold * 6 / 5 + 1, sizeof(bool));

        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                perror("pipe2");
                return 1;
        }
        (void) fcntl(pipefd[0], F_SETPIPE_SZ, 1024 * 1024);
        wfd = pipefd[1];
        C.fd = pipefd[0];
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, wfd, OOMBENCH_FD);

        r = proc_events_open(LISTENER_RCVBUF, &L.fd);
        if (r < 0) {
                fprintf(stderr, "oombench-spawn: cannot subscribe to the proc connector: %s\n", strerror(-r));
                return 1;
        }
        pthread_create(&lt, NULL, listener_main, NULL);
        pthread_create(&ct, NULL, collector_main, NULL);

        /* The hold processes go in the middle of the run. */
        size_t hold_at = o.count / 2, n_hold_decoys = o.hold / 5;

        t0 = now_ns();
        for (size_t i = 0; i < o.count; i++) {
                Spawnable *s = &sp[i % mix_len];
                pid_t pid;

                if (o.rate > 0)
                        sleep_until(t0 + (uint64_t) ((double) i * 1e9 / o.rate));
                if (i == hold_at)
                        for (size_t h = 0; h < o.hold + n_hold_decoys; h++) {
                                bool is_target = h < o.hold;
                                Spawnable *hs = is_target ? &hold_target : &hold_decoy;

                                if (posix_spawn(&pid, hs->path, &fa, NULL, hs->argv, environ) != 0) {
                                        spawn_failures++;
                                        continue;
                                }
                                hold_is_target[hold_spawned] = is_target;
                                hold_pids[hold_spawned++] = pid;
                        }
                r = posix_spawn(&pid, s->path, &fa, NULL, s->argv, environ);
                if (r != 0) {
                        spawn_failures++;
                        if (spawn_failures == 1)
                                fprintf(stderr, "oombench-spawn: posix_spawn %s: %s\n", s->path, strerror(r));
                        continue;
                }
                n_short++;
        }
        t_spawn_end = now_ns();

        /* Wait for every short-lived child's record. */
        uint64_t wait_deadline = t_spawn_end + (uint64_t) o.lifetime_us * 1000ULL + 30ULL * 1000000000ULL;
        while (__atomic_load_n(&C.n_short, __ATOMIC_ACQUIRE) < n_short && now_ns() < wait_deadline)
                sleep_until(now_ns() + 2000000ULL);
        uint64_t t_short_done = now_ns();

        /* Long-lived processes: right at the end of the burst, then until all are right. */
        size_t hold_wrong_at_end = 0, hold_wrong_1s = 0, hold_decoy_touched = 0, hold_gone = 0;
        double hold_ok_ms = -1;
        if (hold_spawned > 0) {
                uint64_t deadline = t_short_done + 10ULL * 1000000000ULL;
                bool first = true, checked_1s = false;

                for (;;) {
                        uint64_t t = now_ns();
                        size_t wrong = 0;

                        for (size_t h = 0; h < hold_spawned; h++) {
                                int v;

                                if (read_proc_adj(hold_pids[h], &v) < 0 ||
                                    v != (hold_is_target[h] ? o.want : base_adj))
                                        wrong++;
                        }
                        if (first)
                                hold_wrong_at_end = wrong;
                        first = false;
                        if (wrong == 0 && hold_ok_ms < 0)
                                hold_ok_ms = (double) (t - t_short_done) / 1e6;
                        if (!checked_1s && t - t_short_done >= 1000000000ULL) {
                                hold_wrong_1s = wrong;
                                checked_1s = true;
                        }
                        if ((hold_ok_ms >= 0 && checked_1s) || t >= deadline)
                                break;
                        sleep_until(t + 10000000ULL);
                }
                for (size_t h = 0; h < hold_spawned; h++)
                        kill(hold_pids[h], SIGTERM);
        }

        /* All records in: close our end and let the collector see EOF. */
        close(wfd);
        {
                uint64_t deadline = now_ns() + 10ULL * 1000000000ULL;
                while (now_ns() < deadline) {
                        size_t n_hold = C.n - __atomic_load_n(&C.n_short, __ATOMIC_ACQUIRE);
                        if (n_hold >= hold_spawned)
                                break;
                        sleep_until(now_ns() + 5000000ULL);
                }
        }
        C.stop = 1;
        pthread_join(ct, NULL);
        /* Let the last events arrive, then stop listening. */
        sleep_until(now_ns() + 100000000ULL);
        L.stop = 1;
        pthread_join(lt, NULL);
        qsort(L.stamps, L.n, sizeof(Stamp), compare_stamp);

        /* ---- evaluation ---- */
        Group gt = { .name = "exec" }, gr = { .name = "rename" };
        size_t decoys = 0, decoys_touched = 0, quick = 0, quick_set = 0, holds_reported = 0;
        FILE *dump = NULL;
        gt.lat = calloc(C.n + 1, sizeof(uint64_t));
        gr.lat = calloc(C.n + 1, sizeof(uint64_t));
        gt.to_main = calloc(C.n + 1, sizeof(uint64_t));
        if (o.dump && !(dump = fopen(o.dump, "we"))) {
                perror(o.dump);
                return 1;
        }

        for (size_t i = 0; i < C.n; i++) {
                const OombenchRecord *rec = &C.recs[i];
                Group *g = NULL;
                const Stamp *st;

                switch (rec->mode) {
                case OOMBENCH_MODE_DECOY:
                        decoys++;
                        if (rec->final_adj != base_adj || rec->first_adj != base_adj)
                                decoys_touched++;
                        continue;
                case OOMBENCH_MODE_QUICK:
                        quick++;
                        if (rec->final_adj == rec->want)
                                quick_set++;
                        continue;
                case OOMBENCH_MODE_HOLD:
                        holds_reported++;
                        continue;
                case OOMBENCH_MODE_TARGET:
                        g = &gt;
                        st = find_stamp(rec->pid, PROC_EVENT_KIND_EXEC, rec->t_main - 1000000000ULL, rec->t_main);
                        break;
                case OOMBENCH_MODE_RENAME:
                        g = &gr;
                        if (rec->pre_rename_set)
                                g->pre_rename_set++;
                        st = find_stamp(rec->pid, PROC_EVENT_KIND_COMM, rec->t_main, rec->t_ready);
                        break;
                default:
                        continue;
                }
                g->n++;
                if (rec->seen_at_start)
                        g->at_main++;
                if (!st) {
                        g->no_event++;
                        continue;
                }
                if (g->to_main)
                        g->to_main[g->n_main++] = rec->t_main > st->ts ? rec->t_main - st->ts : 0;
                if (dump)
                        fprintf(dump, "%c %d %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", rec->mode, (int) rec->pid,
                                (int) rec->want, st->ts, rec->t_main, rec->t_seen, rec->t_exit);
                if (rec->t_seen) {
                        g->lat[g->seen++] = rec->t_seen > st->ts ? rec->t_seen - st->ts : 0;
                } else if (rec->t_exit - st->ts >= MISS_LIFETIME_NS)
                        g->misses++;
                else
                        g->late_unseen_short++;
        }
        /* Hold decoys: their final value (read after SIGTERM) must be untouched. */
        for (size_t i = 0; i < C.n; i++)
                if (C.recs[i].mode == OOMBENCH_MODE_HOLD) {
                        bool is_target = false;
                        for (size_t h = 0; h < hold_spawned; h++)
                                if (hold_pids[h] == C.recs[i].pid)
                                        is_target = hold_is_target[h];
                        if (!is_target && C.recs[i].final_adj != base_adj)
                                hold_decoy_touched++;
                }
        if (dump)
                fclose(dump);
        hold_gone = hold_spawned > holds_reported ? hold_spawned - holds_reported : 0;

        double secs = (double) (t_spawn_end - t0) / 1e9;
        printf("RESULT group=run label=%s spawned=%zu seconds=%.2f rate=%.0f failures=%zu records=%zu lost=%zu "
               "base_adj=%d listener_events=%" PRIu64 " listener_overflows=%" PRIu64 "\n",
               o.label, n_short + hold_spawned, secs, secs > 0 ? (double) n_short / secs : 0, spawn_failures, C.n,
               n_short + hold_spawned > C.n ? n_short + hold_spawned - C.n : 0, base_adj, L.total, L.overflows);
        group_print(o.label, &gt);
        group_print(o.label, &gr);
        printf("RESULT group=decoy label=%s n=%zu touched=%zu\n", o.label, decoys, decoys_touched);
        if (quick > 0)
                printf("RESULT group=quick label=%s n=%zu set_by_exit=%zu\n", o.label, quick, quick_set);
        if (hold_spawned > 0)
                printf("RESULT group=hold label=%s targets=%zu decoys=%zu wrong_at_end=%zu wrong_after_1s=%zu "
                       "all_ok_ms_after_end=%.1f decoys_touched=%zu no_record=%zu\n",
                       o.label, o.hold, n_hold_decoys, hold_wrong_at_end, hold_wrong_1s, hold_ok_ms,
                       hold_decoy_touched, hold_gone);
        return 0;
}
