/* SPDX-License-Identifier: MIT */
/* The exec'd child of the latency benchmark. Built static (gcc -static) so
 * that exec -> main() is as short as possible, and copied under the names the
 * bench policy does or does not match (the daemon matches the comm, i.e. the
 * file name of the copy).
 *
 *   oombench-target MODE WANT LIFETIME_US [NEWNAME]
 *
 * MODE is one of the OOMBENCH_MODE_* letters (see oombench.h). Every mode ends
 * by writing one OombenchRecord to fd OOMBENCH_FD (if open) and exiting 0.
 *
 * Polling (TARGET and RENAME): /proc/self/oom_score_adj is opened once and
 * re-read with pread() (the kernel formats the value afresh on every read):
 * back to back for the first SPIN_NS, with sched_yield() between reads so a
 * spinning target gives its CPU to anything else runnable (the daemon, on a
 * small machine); then every 50 us up to SLOW_NS, every 500 us up to
 * SLOWER_NS, then every 5 ms, so that a slow daemon (or a polling tool, see
 * oombench-poller.c) is not also starved by hundreds of pollers. Timer slack
 * is set to 1 ns for these sleeps. The resolution of a measured latency is
 * therefore ~1 us below 1 ms, 50 us up to 5 ms, 500 us up to 50 ms, 5 ms
 * beyond. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "oombench.h"

#define SPIN_NS (1000ULL * 1000ULL)
#define SLOW_NS (5ULL * 1000ULL * 1000ULL)
#define SLOWER_NS (50ULL * 1000ULL * 1000ULL)

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

static int read_adj(int fd) {
        char buf[16];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

        if (n <= 0)
                return -10000;
        buf[n] = '\0';
        return atoi(buf);
}

static void report(const OombenchRecord *rec) {
        (void) write(OOMBENCH_FD, rec, sizeof(*rec));
}

int main(int argc, char **argv) {
        /* First line of main(): nothing before this may take time. */
        uint64_t t_main = now_ns();
        int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
        int first = fd >= 0 ? read_adj(fd) : -10000;
        OombenchRecord rec = { .pid = getpid(), .t_main = t_main, .t_ready = t_main, .first_adj = first, .polls = 1 };
        uint64_t lifetime_ns, deadline;
        int want;

        if (argc < 4 || fd < 0)
                return 2;
        rec.mode = argv[1][0];
        want = atoi(argv[2]);
        lifetime_ns = strtoull(argv[3], NULL, 10) * 1000ULL;
        deadline = t_main + lifetime_ns;
        rec.want = want;

        switch (rec.mode) {
        case OOMBENCH_MODE_RENAME:
                if (argc < 5)
                        return 2;
                /* Must not be set yet: the rule matches the new name only. */
                rec.pre_rename_set = first == want;
                (void) prctl(PR_SET_NAME, argv[4], 0, 0, 0);
                rec.t_ready = now_ns();
                /* fall through */
        case OOMBENCH_MODE_TARGET: {
                uint64_t poll_start = rec.t_ready;

                (void) prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

                if (rec.mode == OOMBENCH_MODE_TARGET && first == want) {
                        rec.seen_at_start = 1;
                        rec.t_seen = now_ns();
                }
                while (!rec.t_seen) {
                        uint64_t t = now_ns();
                        int v;

                        if (t >= deadline)
                                break;
                        v = read_adj(fd);
                        rec.polls++;
                        if (v == want) {
                                rec.t_seen = now_ns();
                                break;
                        }
                        if (t - poll_start < SPIN_NS)
                                (void) sched_yield();
                        else {
                                uint64_t step = t - poll_start >= SLOWER_NS ? 5000000ULL :
                                                t - poll_start >= SLOW_NS   ? 500000ULL : 50000ULL;

                                sleep_until(t + step < deadline ? t + step : deadline);
                        }
                }
                sleep_until(deadline);
                break;
        }
        case OOMBENCH_MODE_QUICK:
                if (first == want)
                        rec.seen_at_start = 1;
                /* fall through */
        case OOMBENCH_MODE_DECOY:
                sleep_until(deadline);
                break;
        case OOMBENCH_MODE_HOLD: {
                sigset_t set;
                struct timespec ts = { .tv_sec = (time_t) (lifetime_ns / 1000000000ULL),
                                       .tv_nsec = (long) (lifetime_ns % 1000000000ULL) };

                /* The spawner checks /proc/PID/oom_score_adj itself, then sends SIGTERM. */
                sigemptyset(&set);
                sigaddset(&set, SIGTERM);
                sigprocmask(SIG_BLOCK, &set, NULL);
                (void) sigtimedwait(&set, NULL, &ts);
                break;
        }
        default:
                return 2;
        }

        rec.final_adj = read_adj(fd);
        rec.polls++;
        if (rec.final_adj == want && !rec.t_seen && rec.mode != OOMBENCH_MODE_DECOY)
                rec.t_seen = now_ns();
        rec.t_exit = now_ns();
        report(&rec);
        return 0;
}
